//! The fonts a build may use: warraq's own (compiled into the binary, so a
//! build never depends on what the machine has installed) plus any the book
//! brings in its `fonts/` folder.

pub mod report;

use std::path::Path;
use std::sync::{Arc, OnceLock};

use harfbuzz_rs::{Blob, Face, Font, Owned, Shared};

use crate::diag::{Code, Diagnostic, Result};
use crate::doc::BookFont;
use crate::text::ShapeCache;

/// What a face is for. Fallback faces are tried, in order, for characters the
/// primary face lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Body text (Arabic and Latin).
    Text,
    /// Characters the text face lacks (e.g. Cyrillic, Hebrew).
    Fallback,
    /// Code, always left to right.
    Mono,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Style {
    pub bold: bool,
    pub italic: bool,
}

/// One font file.
#[derive(Debug, Clone)]
pub struct FontFace {
    /// Family name as CSS and the PDF should call it, e.g. `Amiri`.
    pub family: String,
    /// File name, e.g. `Amiri-Regular.ttf` (also its name inside the EPUB).
    pub file_name: String,
    pub role: Role,
    pub style: Style,
    pub data: FontData,
}

impl FontFace {
    /// The file name of the warraq face this is, when its bytes are the
    /// binary's own (a book's file of the same name may hold another
    /// version).
    pub fn builtin(&self) -> Option<&'static str> {
        BUILTIN
            .iter()
            .find(|&&(.., bytes)| std::ptr::eq(bytes, self.data.as_slice()))
            .map(|&(_, file, ..)| file)
    }
}

/// A font file's bytes, shared and never copied: warraq's own faces are
/// the binary's (a copy of each was 4.6 MB more memory for every build,
/// and the faces a book never uses are then never read), a book's are read
/// from its folder.
#[derive(Clone)]
pub struct FontData(Arc<dyn AsRef<[u8]> + Send + Sync>);

impl FontData {
    pub fn as_slice(&self) -> &[u8] {
        (*self.0).as_ref()
    }

    /// The bytes as krilla takes them, shared.
    pub fn shared(&self) -> Arc<dyn AsRef<[u8]> + Send + Sync> {
        Arc::clone(&self.0)
    }
}

impl std::ops::Deref for FontData {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl std::fmt::Debug for FontData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FontData({} bytes)", self.len())
    }
}

impl From<&'static [u8]> for FontData {
    fn from(data: &'static [u8]) -> Self {
        FontData(Arc::new(data))
    }
}

impl From<Arc<Vec<u8>>> for FontData {
    fn from(data: Arc<Vec<u8>>) -> Self {
        FontData(data)
    }
}

macro_rules! builtin {
    ($family:literal, $file:literal, $role:expr, $bold:literal, $italic:literal) => {
        (
            $family,
            $file,
            $role,
            Style {
                bold: $bold,
                italic: $italic,
            },
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/fonts/", $file))
                as &'static [u8],
        )
    };
}

type Builtin = (&'static str, &'static str, Role, Style, &'static [u8]);

/// The faces in the repository's `fonts/` folder (licences beside them).
const BUILTIN: &[Builtin] = &[
    builtin!("Amiri", "Amiri-Regular.ttf", Role::Text, false, false),
    builtin!("Amiri", "Amiri-Bold.ttf", Role::Text, true, false),
    builtin!("Amiri", "Amiri-Slanted.ttf", Role::Text, false, true),
    builtin!(
        "Noto Serif",
        "NotoSerif-Regular.ttf",
        Role::Fallback,
        false,
        false
    ),
    builtin!(
        "Noto Serif",
        "NotoSerif-Bold.ttf",
        Role::Fallback,
        true,
        false
    ),
    builtin!(
        "Noto Serif",
        "NotoSerif-Italic.ttf",
        Role::Fallback,
        false,
        true
    ),
    builtin!(
        "Noto Serif Hebrew",
        "NotoSerifHebrew-Regular.ttf",
        Role::Fallback,
        false,
        false
    ),
    builtin!(
        "Noto Serif Hebrew",
        "NotoSerifHebrew-Bold.ttf",
        Role::Fallback,
        true,
        false
    ),
    builtin!(
        "Noto Sans Mono",
        "NotoSansMono-Regular.ttf",
        Role::Mono,
        false,
        false
    ),
];

/// All faces available to one build.
#[derive(Debug, Clone, Default)]
pub struct FontLibrary {
    pub faces: Vec<FontFace>,
    /// What the faces have shaped so far, for every shaper of the library.
    pub shaped: ShapeCache,
    /// The faces opened in HarfBuzz, once for every font made of them.
    pub opened: Opened,
}

/// The faces of a library opened in HarfBuzz when first asked for, in
/// library order. HarfBuzz reads a face's tables and readies its lookups
/// for shaping once a face, lazily: each of a build's shapers opening the
/// faces anew did it again (Amiri's lookups are many), however little it
/// then shaped. A face is immutable and HarfBuzz shares it among threads.
#[derive(Clone, Default)]
pub struct Opened(OnceLock<Vec<Shared<Face<'static>>>>);

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Opened({})", self.0.get().is_some())
    }
}

impl FontLibrary {
    /// Every face opened in HarfBuzz, in library order (for shaping, and
    /// for the advances the PDF's text layer checks): new fonts of faces
    /// opened once.
    pub fn harfbuzz_fonts(&self) -> Vec<Owned<Font<'static>>> {
        let faces = self.opened.0.get_or_init(|| {
            self.faces
                .iter()
                .map(|face| {
                    let blob = Blob::with_bytes_owned(face.data.shared(), |data| (**data).as_ref());
                    Shared::from(Face::new(blob, 0))
                })
                .collect()
        });
        faces.iter().map(|face| Font::new(face.clone())).collect()
    }

    /// warraq's own faces.
    pub fn builtin() -> Self {
        let faces = BUILTIN
            .iter()
            .map(|&(family, file, role, style, data)| FontFace {
                family: family.to_string(),
                file_name: file.to_string(),
                role,
                style,
                data: data.into(),
            })
            .collect();
        FontLibrary {
            faces,
            ..FontLibrary::default()
        }
    }

    /// warraq's faces plus the book's own, which come first for body text:
    /// a book's font is preferred, warraq's fill in what it lacks. A book
    /// font's family is its file name up to the first `-`, its style read
    /// from the rest (`Bold`, `Italic`, `Slanted`, `Oblique`).
    pub fn for_book(book_fonts: &[BookFont]) -> Result<Self> {
        let mut faces = Vec::new();
        for font in book_fonts {
            let face = harfbuzz_rs::Face::from_bytes(font.data.as_slice(), 0);
            if face.glyph_count() == 0 {
                return Err(Diagnostic::error(
                    Code::BadFont,
                    format!(
                        "fonts/{} is not a font warraq can read (TrueType or OpenType)",
                        font.file_name
                    ),
                )
                .in_file(Path::new("fonts").join(&font.file_name)));
            }
            let stem = font
                .file_name
                .rsplit_once('.')
                .map_or(font.file_name.as_str(), |(s, _)| s);
            let (family, variant) = stem.split_once('-').unwrap_or((stem, ""));
            let variant = variant.to_ascii_lowercase();
            faces.push(FontFace {
                family: family.to_string(),
                file_name: font.file_name.clone(),
                role: Role::Text,
                style: Style {
                    bold: variant.contains("bold"),
                    italic: ["italic", "slanted", "oblique"]
                        .iter()
                        .any(|v| variant.contains(v)),
                },
                data: Arc::clone(&font.data).into(),
            });
        }
        faces.extend(Self::builtin().faces);
        Ok(FontLibrary {
            faces,
            ..FontLibrary::default()
        })
    }

    /// Faces for `role`, best match for `style` first: every face of the
    /// exact style (the book's before warraq's), then of the nearer styles
    /// (bold italic falls back to bold, then italic), then the regular ones.
    pub fn candidates(&self, role: Role, style: Style) -> Vec<usize> {
        let of_style = |wanted: Style| {
            self.faces
                .iter()
                .enumerate()
                .filter(move |(_, f)| f.role == role && f.style == wanted)
                .map(|(i, _)| i)
        };
        let bold = Style {
            italic: false,
            ..style
        };
        let italic = Style {
            bold: false,
            ..style
        };
        let mut faces: Vec<usize> = Vec::new();
        for wanted in [style, bold, italic, Style::default()] {
            for face in of_style(wanted) {
                if !faces.contains(&face) {
                    faces.push(face);
                }
            }
        }
        faces
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{ParagraphSettings, Shaper, StyledText, TextStyle};

    /// warraq's own faces are known as such, and a book's file of the same
    /// name is not taken for one (what is worked out ahead for warraq's
    /// faces may not hold for another version).
    #[test]
    fn builtin_faces_are_known_by_their_bytes() {
        let library = FontLibrary::builtin();
        for face in &library.faces {
            assert_eq!(face.builtin(), Some(face.file_name.as_str()));
        }
        let amiri = &library.faces[0];
        let book = FontLibrary::for_book(&[BookFont {
            file_name: amiri.file_name.clone(),
            data: Arc::new(amiri.data.as_slice().to_vec()),
        }])
        .expect("a font");
        let theirs = book
            .faces
            .iter()
            .find(|face| face.file_name == amiri.file_name && face.builtin().is_none());
        assert!(theirs.is_some(), "the book's copy of {}", amiri.file_name);
    }

    /// Every letter of these scripts — Arabic with the letters Persian and
    /// Urdu add, Hebrew with its points — has a glyph in warraq's own faces,
    /// in every style.
    #[test]
    fn builtin_faces_cover_the_scripts_warraq_promises() {
        let samples = [
            "ABCXYZ abcxyz ÀÉÎÕÜ àéîõüçñß",
            "ΑΒΓΔΩ αβγδεζηθλμξπρσςτφχψω άέήίόύώ",
            "АБВГДЕЁЖЗИЙЯ абвгдеёжзийклмнопрстуфхцчшщъыьэюя ҚқӘәҒғҮүҰұӨөҺһІі",
            "ابتثجحخدذرزسشصضطظعغفقكلمنهوي ءآأؤإئة ًٌٍَُِّْ ٠١٢٣٤٥٦٧٨٩ ،؛؟",
            "پچژگکی ۰۱۲۳۴۵۶۷۸۹",
            "ٹڈڑںےھۓ",
            "אבגדהוזחטיכךלמםנןסעפףצץקרשת",
            "\u{5B0}\u{5B1}\u{5B2}\u{5B3}\u{5B4}\u{5B5}\u{5B6}\u{5B7}\u{5B8}\u{5B9}\u{5BB}\u{5BC}\u{5C1}\u{5C2} ״׳־",
        ];
        let fonts = FontLibrary::builtin();
        let shaper = Shaper::new(&fonts, "und");
        for (bold, italic) in [(false, false), (true, false), (false, true), (true, true)] {
            let style = TextStyle {
                role: Role::Text,
                style: Style { bold, italic },
                size: 12.0,
                raise: 0.0,
            };
            for sample in samples {
                let styled = StyledText::plain(sample, style);
                let shaped = shaper.shape(styled, ParagraphSettings::default());
                let missing: String = shaped.missing.iter().map(|m| m.ch).collect();
                assert!(
                    missing.is_empty(),
                    "bold {bold}, italic {italic}: no face has {missing:?}"
                );
            }
        }
    }

    #[test]
    fn bold_italic_falls_back_to_bold_then_italic_then_regular() {
        let fonts = FontLibrary::builtin();
        let names: Vec<&str> = fonts
            .candidates(
                Role::Text,
                Style {
                    bold: true,
                    italic: true,
                },
            )
            .into_iter()
            .map(|i| fonts.faces[i].file_name.as_str())
            .collect();
        assert_eq!(
            names,
            ["Amiri-Bold.ttf", "Amiri-Slanted.ttf", "Amiri-Regular.ttf"]
        );
    }
}
