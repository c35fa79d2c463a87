//! File names for the pictures and fonts a book embeds: safe ASCII names,
//! unique inside the package (case-insensitively, for readers that unpack
//! onto case-insensitive file systems).

use std::collections::HashSet;

use crate::fonts::FontFace;

/// Hands out unique file names.
#[derive(Debug, Default)]
pub(crate) struct Names {
    taken: HashSet<String>,
}

impl Names {
    /// A name `stem.ext` (or `stem-2.ext`, `stem-3.ext`, …) not handed out
    /// before. `stem` should already be safe (see [`safe_stem`]).
    pub fn unique(&mut self, stem: &str, ext: &str) -> String {
        let mut n = 1;
        loop {
            let name = if n == 1 {
                format!("{stem}.{ext}")
            } else {
                format!("{stem}-{n}.{ext}")
            };
            if self.taken.insert(name.to_ascii_lowercase()) {
                return name;
            }
            n += 1;
        }
    }
}

/// A safe file stem from a path or file name: its last component without the
/// extension, lowercased, with every run of characters other than ASCII
/// letters, digits, `-` and `_` turned into one `-`; `fallback` when nothing
/// is left.
pub(crate) fn safe_stem(path: &str, fallback: &str) -> String {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = match file.rfind('.') {
        Some(dot) if dot > 0 => &file[..dot],
        _ => file,
    };
    let mut out = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out = out.trim_matches('-').to_string();
    out.truncate(60);
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        fallback.to_string()
    } else {
        out.to_string()
    }
}

/// File extension and media type of a font file, from its first bytes (the
/// name may not tell: a `.ttf` can hold CFF outlines).
pub(crate) fn font_kind(face: &FontFace) -> (&'static str, &'static str) {
    match face.data.get(..4) {
        Some(b"OTTO") => ("otf", "font/otf"),
        Some(b"wOFF") => ("woff", "font/woff"),
        Some(b"wOF2") => ("woff2", "font/woff2"),
        _ => ("ttf", "font/ttf"),
    }
}

/// The CSS `format()` hint matching [`font_kind`]'s media type.
pub(crate) fn css_format(media_type: &str) -> &'static str {
    match media_type {
        "font/otf" => "opentype",
        "font/woff" => "woff",
        "font/woff2" => "woff2",
        _ => "truetype",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_safe_ascii() {
        assert_eq!(safe_stem("images/My Photo (1).JPG", "image"), "my-photo-1");
        assert_eq!(safe_stem("صور/غلاف.png", "image"), "image");
        assert_eq!(safe_stem("a/b/c_d-e.jpeg", "image"), "c_d-e");
        assert_eq!(safe_stem(".hidden", "image"), "hidden");
        assert_eq!(safe_stem("x ملف y.png", "image"), "x-y");
    }

    #[test]
    fn names_are_unique_ignoring_case() {
        let mut names = Names::default();
        assert_eq!(names.unique("a", "png"), "a.png");
        assert_eq!(names.unique("a", "png"), "a-2.png");
        assert_eq!(names.unique("A", "png"), "A-3.png");
        assert_eq!(names.unique("a", "jpg"), "a.jpg");
        assert_eq!(names.unique("a-2", "png"), "a-2-2.png");
    }
}
