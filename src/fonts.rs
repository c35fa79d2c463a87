//! The fonts a build may use: warraq's own (compiled into the binary, so a
//! build never depends on what the machine has installed) plus any the book
//! brings in its `fonts/` folder.

use std::sync::Arc;

/// What a face is for. Fallback faces are tried, in order, for characters the
/// primary face lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Body text (Arabic and Latin).
    Text,
    /// Characters the text face lacks (e.g. Cyrillic).
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
    pub family: &'static str,
    /// File name, e.g. `Amiri-Regular.ttf` (also its name inside the EPUB).
    pub file_name: String,
    pub role: Role,
    pub style: Style,
    pub data: Arc<Vec<u8>>,
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
        "Noto Sans Mono",
        "NotoSansMono-Regular.ttf",
        Role::Mono,
        false,
        false
    ),
];

/// All faces available to one build.
#[derive(Debug, Clone)]
pub struct FontLibrary {
    pub faces: Vec<FontFace>,
}

impl FontLibrary {
    /// warraq's own faces.
    pub fn builtin() -> Self {
        let faces = BUILTIN
            .iter()
            .map(|&(family, file, role, style, data)| FontFace {
                family,
                file_name: file.to_string(),
                role,
                style,
                data: Arc::new(data.to_vec()),
            })
            .collect();
        FontLibrary { faces }
    }

    /// Faces for `role`, best match for `style` first: exact style, then the
    /// regular face of the role.
    pub fn candidates(&self, role: Role, style: Style) -> impl Iterator<Item = usize> + '_ {
        let exact = self
            .faces
            .iter()
            .position(|f| f.role == role && f.style == style);
        let regular = self
            .faces
            .iter()
            .position(|f| f.role == role && f.style == Style::default());
        exact
            .into_iter()
            .chain(regular.filter(|r| Some(*r) != exact))
    }
}
