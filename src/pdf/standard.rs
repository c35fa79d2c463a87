//! The ISO standard a PDF claims to meet (`[pdf] standard`): PDF/A-2u for
//! archives, PDF/X-4 for the print shop, or none.
//!
//! PDF/A-2u is krilla's own: its validator refuses what the standard
//! forbids, and [`validation_failure`] says which glyph of which font, or
//! which picture, in words. PDF/X-4 krilla does not know: the pages are
//! written to its rules (PDF 1.6, colours either device CMYK or ICC based,
//! no annotations), then [`super::update`] appends the identification and
//! the CMYK output intent as an incremental update.

use krilla::SerializeSettings;
use krilla::color::{cmyk, luma, rgb};
use krilla::configure::{
    Accessibility, Archival, ConfigurationBuilder, PdfVersion, ValidationError, Validator,
};
use krilla::paint::Paint;
use krilla::text::Font;
use rustc_hash::FxHashMap;

use crate::diag::{Code, Diagnostic};
use crate::fonts::FontLibrary;

/// `[pdf] standard` and `--pdf-standard`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PdfStandard {
    /// No claim: a plain PDF 1.7.
    #[default]
    None,
    /// PDF/A-2u (ISO 19005-2, level U: every glyph maps to Unicode).
    A2u,
    /// PDF/X-4 (ISO 15930-7) with a FOGRA39 CMYK output intent.
    X4,
}

impl PdfStandard {
    /// The names `book.toml` and the command line take.
    pub const NAMES: &[(&str, PdfStandard)] = &[
        ("none", PdfStandard::None),
        ("pdf/a-2u", PdfStandard::A2u),
        ("pdf/x-4", PdfStandard::X4),
    ];

    /// The standard named `name` (case-insensitive).
    pub fn from_name(name: &str) -> Option<PdfStandard> {
        Self::NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
            .map(|&(_, standard)| standard)
    }

    /// The output intent an incremental update adds: its dictionary
    /// entries, ICC profile and number of colour components (PDF/A's is
    /// krilla's own).
    pub(super) fn output_intent(self) -> Option<(String, &'static [u8], u8)> {
        (self == PdfStandard::X4).then(|| {
            (
                format!(
                    "/S/GTS_PDFX/OutputConditionIdentifier({PRESS_CONDITION})/OutputCondition({PRESS_CONDITION_TEXT})/RegistryName(http://www.color.org)/Info({PRESS_PROFILE_NAME})"
                ),
                PRESS_PROFILE,
                4,
            )
        })
    }

    /// How krilla writes the file for this standard, and for PDF/UA-1 if
    /// the book is `accessible` (krilla's validator then refuses what that
    /// forbids, and writes `/DisplayDocTitle`).
    pub(super) fn serialize_settings(self, accessible: bool) -> SerializeSettings {
        let mut settings = SerializeSettings {
            // Our own XMP replaces krilla's (see `super::metadata`).
            xmp_metadata: false,
            ..SerializeSettings::default()
        };
        let mut configuration = ConfigurationBuilder::new();
        match self {
            PdfStandard::None => {}
            PdfStandard::A2u => {
                configuration = configuration.with_archival_validator(Archival::A2_U);
            }
            PdfStandard::X4 => {
                // PDF/X-4 is PDF 1.6. RGB and grey become ICC based (sRGB,
                // grey gamma 2.2), which PDF/X-4 allows beside the output
                // intent; CMYK, having no profile here, stays DeviceCMYK
                // (krilla only objects to that under a validator).
                settings.no_device_cs = true;
                configuration = configuration.with_version(PdfVersion::Pdf16);
            }
        }
        if accessible {
            configuration = configuration.with_accessibility_validator(Accessibility::UA1);
        }
        if let Ok(configuration) = configuration.finish() {
            settings.configuration = configuration;
        }
        settings
    }
}

/// How text, rules and colours are painted. For a press (a book for print
/// on demand or the offset press, or PDF/X) in process inks: black the K
/// plate alone, colours in CMYK. Else grey and RGB (ICC based under
/// PDF/A, whose output intent is RGB and which may name no process inks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inks {
    pub standard: PdfStandard,
    pub press: bool,
}

impl Inks {
    /// Registration colour, for printer's marks: full ink on every plate
    /// (all four process inks; a PDF/A cannot name inks, and takes black).
    pub(super) fn registration(self) -> Paint {
        match self.standard {
            PdfStandard::A2u => self.grey(0.0),
            PdfStandard::None | PdfStandard::X4 => cmyk::Color::new(255, 255, 255, 255).into(),
        }
    }

    /// `rgb` as painted: for the press in CMYK (the plain conversion, grey
    /// component in black ink), else as is.
    pub(super) fn colour(self, rgb: [u8; 3]) -> Paint {
        let [red, green, blue] = rgb;
        if !self.press {
            return rgb::Color::new(red, green, blue).into();
        }
        let [r, g, b] = rgb.map(|c| f32::from(c) / 255.0);
        let black = 1.0 - r.max(g).max(b);
        let ink = |c: f32| {
            let share = if black < 1.0 {
                (1.0 - c - black) / (1.0 - black)
            } else {
                0.0
            };
            (share.clamp(0.0, 1.0) * 255.0).round() as u8
        };
        let k = (black * 255.0).round() as u8;
        cmyk::Color::new(ink(r), ink(g), ink(b), k).into()
    }

    /// The paint of text and rules of grey level `grey` (0 black, 1 white).
    pub(super) fn grey(self, grey: f32) -> Paint {
        let grey = grey.clamp(0.0, 1.0);
        if self.press {
            // Pure K: no rich black from the RIP converting grey or RGB.
            let k = ((1.0 - grey) * 255.0).round() as u8;
            cmyk::Color::new(0, 0, 0, k).into()
        } else {
            luma::Color::new((grey * 255.0).round() as u8).into()
        }
    }
}

/// The CMYK profile of PDF/X books: basICColor's ISO Coated v2 300%
/// (FOGRA39 characterisation data), zlib licence; see `icc/`.
const PRESS_PROFILE: &[u8] = include_bytes!("../../icc/ISOcoated_v2_300_bas.icc");
const PRESS_PROFILE_NAME: &str = "ISO Coated v2 300% (basICColor)";
/// The ICC registry's name of the printing condition the profile is for.
const PRESS_CONDITION: &str = "FOGRA39";
const PRESS_CONDITION_TEXT: &str = "Offset printing, coated paper, ISO 12647-2:2004 (FOGRA39)";

/// Lowest resolution, in pixels an inch, a picture should print at in a
/// book for the press (the layout warns below it).
pub const PRESS_PPI: f32 = 300.0;

/// krilla's refusals as one error that says, for each, what in the book
/// breaks the standard.
pub(super) fn validation_failure(
    standard: PdfStandard,
    accessible: bool,
    fonts: &FontLibrary,
    embedded: &FxHashMap<usize, Font>,
    errors: &[ValidationError],
) -> Diagnostic {
    let ua = Validator::Ua(Accessibility::UA1).as_str();
    let name = match (standard, accessible) {
        (PdfStandard::A2u, false) => Validator::A(Archival::A2_U).as_str().to_string(),
        (PdfStandard::A2u, true) => {
            format!("{} and {ua}", Validator::A(Archival::A2_U).as_str())
        }
        (_, true) => ua.to_string(),
        (_, false) => "the PDF standard".to_string(),
    };
    let font_name = |font: &Font| -> String {
        embedded.iter().find(|(_, f)| *f == font).map_or_else(
            || "a font".to_string(),
            |(&face, _)| format!("the font {}", fonts.faces[face].file_name),
        )
    };
    let mut reasons: Vec<String> = errors
        .iter()
        .map(|error| match error {
            ValidationError::UnicodePrivateArea(font, glyph, c, _) => format!(
                "glyph {} of {} stands for U+{:04X}, a private-use character, which no reader can interpret",
                glyph.to_u32(),
                font_name(font),
                u32::from(*c)
            ),
            ValidationError::InvalidCodepointMapping(font, glyph, c, _) => format!(
                "glyph {} of {} stands for U+{:04X}, which is not text",
                glyph.to_u32(),
                font_name(font),
                u32::from(*c)
            ),
            ValidationError::NoCodepointMapping(font, glyph, _) => format!(
                "glyph {} of {} stands for no character",
                glyph.to_u32(),
                font_name(font)
            ),
            ValidationError::ContainsNotDefGlyph(font, _, text) => format!(
                "{} has no glyph for «{text}» ({}): it would print as an empty box",
                font_name(font),
                code_points(text)
            ),
            ValidationError::RestrictedLicense(font) => format!(
                "the licence of {} forbids embedding it",
                font_name(font)
            ),
            ValidationError::ImageInterpolation(_) => {
                "a picture asks viewers to smooth it (interpolation)".to_string()
            }
            ValidationError::NoDocumentTitle => "the book has no title".to_string(),
            ValidationError::NoDocumentLanguage => "the book has no language".to_string(),
            ValidationError::TooLongString => {
                "a text (the title, an author) is longer than 32767 bytes".to_string()
            }
            other => format!("krilla refuses {other:?}"),
        })
        .collect();
    reasons.sort();
    reasons.dedup();
    Diagnostic::error(
        Code::PdfStandard,
        format!(
            "the PDF cannot be {name}, so none was written:\n  - {}",
            reasons.join("\n  - ")
        ),
    )
}

/// `text`'s characters as `U+XXXX`, for characters that may not show.
fn code_points(text: &str) -> String {
    let points: Vec<String> = text
        .chars()
        .map(|c| format!("U+{:04X}", u32::from(c)))
        .collect();
    points.join(" ")
}
