//! The files a book uses besides its chapters — the pictures its chapters
//! and `book.toml` name, the fonts in `fonts/` — read here, with the
//! chapters, so that every later stage is a pure function of what was
//! loaded. Whether a picture is usable (inside the book, a PNG or JPEG) is
//! still said by `parse`, at the line that names it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use pulldown_cmark::{Event, Parser, Tag};
use rayon::prelude::*;

use super::{Book, normalize_relative, read_limited};
use crate::diag::{Code, Diagnostic, Diagnostics, Result};
use crate::doc::BookFont;

/// What `load` read besides the chapters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Assets {
    /// Every local picture the book names, by its path relative to the
    /// book folder (resolved lexically, as written): what was read, or why
    /// nothing could be.
    pub pictures: BTreeMap<PathBuf, Result<PictureFile, Unusable>>,
    /// The `.ttf`/`.otf` files directly in `fonts/`, in file-name order.
    pub fonts: Vec<BookFont>,
}

/// A picture file as read.
#[derive(Debug, Clone, PartialEq)]
pub struct PictureFile {
    /// Its real path inside the book folder (symbolic links resolved), with
    /// `/` between folders: two spellings of one file share it.
    pub key: String,
    pub bytes: Arc<Vec<u8>>,
}

/// Why a picture path names nothing usable.
#[derive(Debug, Clone, PartialEq)]
pub enum Unusable {
    NotFound,
    /// A link to something outside the book folder.
    Outside,
    NotAFile,
    /// It could not be read (the reason).
    Unreadable(String),
}

/// What a picture destination written in the text refers to.
#[derive(Debug, PartialEq)]
pub enum PicturePath {
    /// An `http(s):` address: never fetched.
    Remote,
    /// A file, relative to the book folder.
    Local(PathBuf),
}

/// The Markdown dialect chapters are written in (the parser and the search
/// for pictures must read them alike).
pub(crate) fn markdown_options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options;
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_MATH
        | Options::ENABLE_GFM
        | Options::ENABLE_DEFINITION_LIST
}

/// Resolves a picture destination written in a file whose folder is `base`
/// (relative to the book folder), without looking at the disk. The error
/// is a message for the user, without file or line.
pub(crate) fn picture_path(base: &Path, dest: &str) -> std::result::Result<PicturePath, String> {
    let dest = dest.trim();
    if dest.is_empty() {
        return Err("the picture has no path".to_string());
    }
    if let Some(scheme) = scheme(dest) {
        return match scheme.to_ascii_lowercase().as_str() {
            "http" | "https" => Ok(PicturePath::Remote),
            _ => Err(format!(
                "picture `{dest}`: only files inside the book folder can be used (not `{scheme}:`)"
            )),
        };
    }
    if dest.starts_with("//") {
        return Ok(PicturePath::Remote);
    }
    let decoded = percent_decode(dest);
    normalize_relative(base, Path::new(&decoded))
        .map(PicturePath::Local)
        .map_err(|why| format!("picture `{dest}` {why}"))
}

/// Reads the pictures `book`'s chapters and cover name, and its fonts.
pub(crate) fn read(book: &Book, warnings: &mut Diagnostics) -> Result<Assets> {
    // Each chapter read through on a thread, the pictures kept in the
    // book's order.
    let shown: Vec<Result<Vec<PathBuf>>> = book
        .chapters
        .par_iter()
        .map(|chapter| {
            let base = chapter.path.parent().unwrap_or(Path::new(""));
            let text = chapter.text()?;
            let pictures = Parser::new_ext(&text, markdown_options())
                .filter_map(|event| match event {
                    Event::Start(Tag::Image { dest_url, .. }) => {
                        match picture_path(base, &dest_url) {
                            Ok(PicturePath::Local(path)) => Some(path),
                            _ => None,
                        }
                    }
                    _ => None,
                })
                .collect();
            Ok(pictures)
        })
        .collect();
    let mut wanted: Vec<PathBuf> = Vec::new();
    for pictures in shown {
        wanted.extend(pictures?);
    }
    if let Some(cover) = &book.config.cover
        && let Ok(PicturePath::Local(path)) = picture_path(Path::new(""), cover)
    {
        wanted.push(path);
    }
    let mut pictures = BTreeMap::new();
    for path in wanted {
        if let std::collections::btree_map::Entry::Vacant(slot) = pictures.entry(path) {
            let read = read_picture(book, slot.key());
            slot.insert(read);
        }
    }
    Ok(Assets {
        pictures,
        fonts: read_fonts(book, warnings)?,
    })
}

fn read_picture(book: &Book, rel: &Path) -> std::result::Result<PictureFile, Unusable> {
    let shown = book.display_path(rel);
    let real = book.dir.join(rel).canonicalize().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Unusable::NotFound
        } else {
            Unusable::Unreadable(e.to_string())
        }
    })?;
    let inside = real
        .strip_prefix(&book.dir)
        .map_err(|_| Unusable::Outside)?;
    if !real.is_file() {
        return Err(Unusable::NotAFile);
    }
    let key = inside
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    let bytes = read_limited(&real, &shown).map_err(|d| Unusable::Unreadable(d.message))?;
    Ok(PictureFile {
        key,
        bytes: Arc::new(bytes),
    })
}

/// The `.ttf`/`.otf` files directly in the book's `fonts/` folder, in
/// file-name order. Symbolic links out of the book folder are refused.
fn read_fonts(book: &Book, warnings: &mut Diagnostics) -> Result<Vec<BookFont>> {
    let folder = book.dir.join("fonts");
    if !folder.is_dir() {
        return Ok(Vec::new());
    }
    let shown = book.display_path("fonts");
    let entries = std::fs::read_dir(&folder)
        .map_err(|e| Diagnostic::io(Code::ReadFailed, "cannot read", &shown, &e))?;
    let paths = font_paths(
        entries.map(|entry| entry.map(|e| e.path())),
        &shown,
        warnings,
    )?;
    let mut fonts = Vec::with_capacity(paths.len());
    for path in paths {
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let shown = book.display_path(Path::new("fonts").join(&file_name));
        let real = path
            .canonicalize()
            .map_err(|e| Diagnostic::io(Code::ReadFailed, "cannot read", &shown, &e))?;
        if !real.starts_with(&book.dir) || !real.is_file() {
            return Err(Diagnostic::error(
                Code::OutsideBook,
                format!(
                    "font {} is a link to something outside the book folder",
                    shown.display()
                ),
            )
            .in_file(&shown));
        }
        let data = read_limited(&real, &shown)?;
        fonts.push(BookFont {
            file_name,
            data: Arc::new(data),
        });
    }
    Ok(fonts)
}

/// The `.ttf`/`.otf` paths among a folder's `entries`, sorted. An entry
/// that cannot be read is an error, not skipped: the font it may be would
/// be missing from the book without a word.
fn font_paths(
    entries: impl Iterator<Item = std::io::Result<PathBuf>>,
    shown: &Path,
    warnings: &mut Diagnostics,
) -> Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| Diagnostic::io(Code::ReadFailed, "cannot list", shown, &e))?;
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        if extension == "ttf" || extension == "otf" {
            paths.push(path);
        } else if UNUSABLE_FONTS.contains(&extension.as_str()) {
            // A font the user meant to use: say it is not (a licence or
            // a read-me beside the fonts is not worth a word).
            let file = shown.join(path.file_name().unwrap_or_default());
            warnings.push(
                Diagnostic::warning(
                    Code::BadFont,
                    format!(
                        "`{}` is a .{extension} font, which warraq cannot use; it was left out",
                        path.file_name().unwrap_or_default().to_string_lossy()
                    ),
                )
                .in_file(&file)
                .with_hint("put the font's .ttf or .otf file in fonts/ instead"),
            );
        }
    }
    paths.sort();
    Ok(paths)
}

/// Font files warraq does not read (web fonts, collections, Type 1, Mac
/// resource forks).
const UNUSABLE_FONTS: [&str; 8] = ["woff", "woff2", "ttc", "otc", "dfont", "pfb", "pfa", "eot"];

/// The URL scheme of `dest` (`https`, `javascript`…), if it has one.
pub(crate) fn scheme(dest: &str) -> Option<&str> {
    let (scheme, _) = dest.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// Decodes `%XX` escapes; invalid escapes and non-UTF-8 results are kept
/// as written.
pub(crate) fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let (hi, lo) = (bytes[i + 1], bytes[i + 2]);
            if hi.is_ascii_hexdigit() && lo.is_ascii_hexdigit() {
                let digit = |b: u8| (b as char).to_digit(16).unwrap_or(0) as u8;
                out.push(digit(hi) * 16 + digit(lo));
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_font_folder_entry_is_an_error_naming_the_folder() {
        let entries = [
            Ok(PathBuf::from("fonts/b.otf")),
            Err(std::io::Error::other("disk error")),
            Ok(PathBuf::from("fonts/a.ttf")),
        ];
        let error = font_paths(
            entries.into_iter(),
            Path::new("fonts"),
            &mut Diagnostics::default(),
        )
        .unwrap_err();
        assert_eq!(error.code, Code::ReadFailed);
        assert!(error.message.contains("disk error"), "{}", error.message);
        assert_eq!(error.file.as_deref(), Some(Path::new("fonts")));
    }

    #[test]
    fn font_paths_are_the_ttf_and_otf_files_sorted() {
        let names = [
            "fonts/b.OTF",
            "fonts/OFL.txt",
            "fonts/a.ttf",
            "fonts/c.woff2",
            "fonts/d.TTC",
        ];
        let entries = names.iter().map(|name| Ok(PathBuf::from(name)));
        let mut warnings = Diagnostics::default();
        let paths = font_paths(entries, Path::new("fonts"), &mut warnings).unwrap();
        assert_eq!(
            paths,
            [PathBuf::from("fonts/a.ttf"), PathBuf::from("fonts/b.OTF")]
        );
        // The fonts it cannot use are named; the licence is not.
        let named: Vec<(Code, Option<&Path>)> = warnings
            .0
            .iter()
            .map(|w| (w.code, w.file.as_deref()))
            .collect();
        assert_eq!(
            named,
            [
                (Code::BadFont, Some(Path::new("fonts/c.woff2"))),
                (Code::BadFont, Some(Path::new("fonts/d.TTC"))),
            ]
        );
    }
}
