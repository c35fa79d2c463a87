//! What a print PDF is made for (`[pdf] preset`): the bleed on each edge of
//! the trimmed page and the printer's marks around it.

/// `[pdf] preset` in `book.toml` or `--pdf-preset`: who prints the PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrintPreset {
    /// A desk printer: the paper is the trimmed page, no bleed, no marks.
    Office,
    /// Print on demand (Amazon KDP and the like): bleed on the top, bottom
    /// and outer edges, none on the spine side, no marks.
    Kdp,
    /// An offset press: bleed all round, crop marks and a slug line.
    Offset,
}

impl PrintPreset {
    /// Every preset with its name in `book.toml` and on the command line.
    pub const ALL: [(&'static str, PrintPreset); 3] = [
        ("office", PrintPreset::Office),
        ("kdp", PrintPreset::Kdp),
        ("offset", PrintPreset::Offset),
    ];

    pub fn from_name(name: &str) -> Option<PrintPreset> {
        Self::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, preset)| preset)
    }
}

/// Bleed without a preset: what warraq has always written.
pub const DEFAULT_BLEED_MM: f32 = 3.0;
/// KDP's bleed: 0.125 in.
pub const KDP_BLEED_MM: f32 = 3.2;
/// An offset printer's usual bleed.
pub const OFFSET_BLEED_MM: f32 = 3.0;
/// Crop marks' length, and their gap from the bleed's edge (so that no mark
/// prints inside a bleed that is trimmed a little off).
pub const DEFAULT_MARK_LENGTH_MM: f32 = 5.0;
pub const DEFAULT_MARK_OFFSET_MM: f32 = 2.0;

/// The `[pdf]` keys that say how the page is printed: a preset and the
/// values given explicitly, which win over the preset's.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct PrintSetup {
    pub preset: Option<PrintPreset>,
    /// `bleed_mm`: the bleed on every edge the preset bleeds (every edge
    /// without a preset, and with `office`).
    pub bleed_mm: Option<f32>,
    /// `mark_length_mm`, `mark_offset_mm` (see [`CropMarks`]); they apply
    /// only to a preset that draws marks.
    pub mark_length_mm: Option<f32>,
    pub mark_offset_mm: Option<f32>,
    /// The line of `book.toml` that gives the first of those, to warn when
    /// the preset draws no marks.
    pub marks_line: Option<u32>,
}

/// Bleed beyond the trim on each edge (in millimetres in the book's setup,
/// in points in the page model). Left and right follow from the spine's
/// side on each page.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Bleed {
    pub top: f32,
    pub bottom: f32,
    /// The spine's side (the binding: nothing to bleed into in a bound book).
    pub spine: f32,
    pub outer: f32,
}

impl Bleed {
    /// Every edge times `factor` (millimetres to points).
    pub fn scaled(self, factor: f32) -> Bleed {
        Bleed {
            top: self.top * factor,
            bottom: self.bottom * factor,
            spine: self.spine * factor,
            outer: self.outer * factor,
        }
    }

    fn all(mm: f32) -> Bleed {
        Bleed {
            top: mm,
            bottom: mm,
            spine: mm,
            outer: mm,
        }
    }
}

/// Crop marks at the trim's corners, in millimetres: each starts `offset`
/// beyond the bleed's edge and is `length` long. The slug line (title,
/// date, page) stands in the same band under the page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CropMarks {
    pub length: f32,
    pub offset: f32,
}

impl CropMarks {
    /// How far the sheet reaches beyond the bleed on every side.
    pub fn band(&self) -> f32 {
        self.offset + self.length
    }
}

impl PrintSetup {
    pub fn bleed(&self) -> Bleed {
        match self.preset {
            None => Bleed::all(self.bleed_mm.unwrap_or(DEFAULT_BLEED_MM)),
            Some(PrintPreset::Office) => Bleed::all(self.bleed_mm.unwrap_or(0.0)),
            Some(PrintPreset::Offset) => Bleed::all(self.bleed_mm.unwrap_or(OFFSET_BLEED_MM)),
            Some(PrintPreset::Kdp) => Bleed {
                spine: 0.0,
                ..Bleed::all(self.bleed_mm.unwrap_or(KDP_BLEED_MM))
            },
        }
    }

    /// The line of `book.toml` with mark keys that the preset does not use.
    pub fn unused_marks_line(&self) -> Option<u32> {
        self.marks_line.filter(|_| self.marks().is_none())
    }

    /// The crop marks and slug line, for a preset that prints them.
    pub fn marks(&self) -> Option<CropMarks> {
        (self.preset == Some(PrintPreset::Offset)).then(|| CropMarks {
            length: self.mark_length_mm.unwrap_or(DEFAULT_MARK_LENGTH_MM),
            offset: self.mark_offset_mm.unwrap_or(DEFAULT_MARK_OFFSET_MM),
        })
    }
}
