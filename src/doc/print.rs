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
    /// A briefing booklet from a desk printer: as `Office`, with compact
    /// margins, the issuer, date and classification on the cover, and the
    /// pages imposed as a booklet too.
    Briefing,
}

impl PrintPreset {
    /// Every preset with its name in `book.toml` and on the command line.
    pub const ALL: [(&'static str, PrintPreset); 4] = [
        ("office", PrintPreset::Office),
        ("kdp", PrintPreset::Kdp),
        ("offset", PrintPreset::Offset),
        ("briefing", PrintPreset::Briefing),
    ];

    pub fn from_name(name: &str) -> Option<PrintPreset> {
        Self::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, preset)| preset)
    }

    /// The margins (top, bottom, inner, outer, in millimetres) the preset
    /// sets where `book.toml` gives none.
    pub fn margins_mm(self) -> Option<[f32; 4]> {
        (self == PrintPreset::Briefing).then_some(BRIEFING_MARGINS_MM)
    }
}

/// A briefing's margins: compact, the inner one wide enough for the
/// staples and the fold.
pub const BRIEFING_MARGINS_MM: [f32; 4] = [12.0, 15.0, 14.0, 12.0];

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
            Some(PrintPreset::Office | PrintPreset::Briefing) => {
                Bleed::all(self.bleed_mm.unwrap_or(0.0))
            }
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

/// The sheets of paper a booklet is printed on (landscape: two pages side
/// by side).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

impl Paper {
    pub const NAMES: [(&'static str, Paper); 2] = [("a4", Paper::A4), ("letter", Paper::Letter)];

    /// Width and height, landscape, in millimetres.
    pub fn size_mm(self) -> (f32, f32) {
        match self {
            Paper::A4 => (297.0, 210.0),
            Paper::Letter => (279.4, 215.9),
        }
    }

    /// As the README and the build's report say it.
    pub fn name(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::Letter => "US Letter",
        }
    }
}

/// Which edge a duplex printer turns the sheet over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Flip {
    /// The short edge: a landscape sheet turns like a page of a book, and
    /// both sides print upright.
    #[default]
    ShortEdge,
    /// The long edge: the backs are printed upside down so that they come
    /// out upright.
    LongEdge,
}

impl Flip {
    pub const NAMES: [(&'static str, Flip); 2] = [
        ("short-edge", Flip::ShortEdge),
        ("long-edge", Flip::LongEdge),
    ];
}

/// `[booklet]`: the booklet imposed for a desk printer.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BookletSetup {
    pub paper: Paper,
    pub flip: Flip,
    /// Sheets folded together (one signature of the whole book when
    /// `None`): a thick booklet is folded in several, gathered in order.
    pub signature: Option<u32>,
    /// How far each sheet's pages move toward the fold, per sheet from the
    /// outermost, in millimetres.
    pub creep_mm: f32,
    /// Fold marks, and trim marks where the page is smaller than its half.
    pub marks: bool,
}
