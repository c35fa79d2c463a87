//! Resolving link destinations and loading pictures.
//!
//! Links are resolved lexically against the chapter list: no file is ever
//! read (or even looked at) because of a link. Pictures must be files inside
//! the book folder, checked after resolving symlinks; they are read once and
//! must be PNG or JPEG.

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::doc::{LinkTarget, Picture, PictureFormat};
use crate::load::assets::{
    PictureFile, PicturePath, Unusable, percent_decode, picture_path, scheme,
};
use crate::load::{Book, normalize_relative};

/// Where a link in chapter `current` (at `chapter_path`, folder-relative)
/// leads, or why it cannot be kept.
pub(crate) fn resolve_link(
    dest: &str,
    chapter_path: &Path,
    current: usize,
    chapters: &ChapterPaths,
) -> Result<LinkTarget, String> {
    let dest = dest.trim();
    if dest.is_empty() {
        return Err("the link has no destination".to_string());
    }
    if let Some(anchor) = dest.strip_prefix('#') {
        return Ok(LinkTarget::Chapter {
            index: current,
            anchor: decode_anchor(anchor),
        });
    }
    if let Some(scheme) = scheme(dest) {
        return match scheme.to_ascii_lowercase().as_str() {
            "http" | "https" => {
                check_host(dest)?;
                Ok(LinkTarget::External(encode_url(dest)))
            }
            "mailto" => Ok(LinkTarget::External(encode_url(dest))),
            _ => Err(format!("links starting with `{scheme}:` are not allowed")),
        };
    }
    if dest.starts_with("//") {
        return Err("links to other hosts need `https:`".to_string());
    }
    let (path, anchor) = match dest.split_once('#') {
        Some((p, a)) => (p, decode_anchor(a)),
        None => (dest, None),
    };
    if path.is_empty() {
        return Ok(LinkTarget::Chapter {
            index: current,
            anchor,
        });
    }
    let decoded = percent_decode(path);
    let base = chapter_path.parent().unwrap_or(Path::new(""));
    let target = normalize_relative(base, Path::new(&decoded)).map_err(|why| why.to_string())?;
    match chapters.0.get(&target) {
        Some(&index) => Ok(LinkTarget::Chapter { index, anchor }),
        None => Err(format!("`{}` is not a chapter of this book", path)),
    }
}

/// The chapters' folder-relative paths, each with its index, for links to
/// them: looked up, not searched (a book of hundreds of chapters whose
/// links lead to each other compared every link's path with each
/// chapter's, in turn).
pub(crate) struct ChapterPaths(HashMap<PathBuf, usize>);

impl ChapterPaths {
    pub fn of(book: &Book) -> Self {
        let mut paths = HashMap::with_capacity(book.chapters.len());
        for (index, chapter) in book.chapters.iter().enumerate() {
            paths.entry(chapter.path.clone()).or_insert(index);
        }
        ChapterPaths(paths)
    }
}

/// Characters a URL may hold as written (RFC 3986's unreserved and
/// reserved sets, less `[` and `]`, which only an IPv6 host may use).
fn allowed_in_url(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#@!$&'()*+,;=".contains(c)
}

/// `url` with every character a URL may not hold percent-encoded (as UTF-8
/// bytes), so that EPUB readers and validators accept it: a space, `\`,
/// `[`, `]`, a second `#`, letters outside ASCII. `%XX` escapes stay.
pub(crate) fn encode_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut seen_fragment = false;
    for (i, c) in url.char_indices() {
        let escape = url.as_bytes()[i + c.len_utf8()..]
            .get(..2)
            .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit));
        let keep = match c {
            '%' => escape,
            '#' if seen_fragment => false,
            '#' => {
                seen_fragment = true;
                true
            }
            c => allowed_in_url(c),
        };
        if keep {
            out.push(c);
        } else {
            let mut bytes = [0; 4];
            for byte in c.encode_utf8(&mut bytes).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

/// Checks that a web address names a host: `https://../` does not.
fn check_host(url: &str) -> Result<(), String> {
    let after_scheme = url.split_once(':').map_or(url, |(_, rest)| rest);
    let authority = after_scheme
        .strip_prefix("//")
        .ok_or_else(|| format!("`{url}` has no `//` before its host"))?;
    let authority = authority.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host_port.starts_with('[') {
        host_port
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    let valid = !host.is_empty()
        && (host.starts_with('[') || host.trim_end_matches('.').split('.').all(|l| !l.is_empty()));
    if valid {
        Ok(())
    } else {
        Err(format!("`{url}` does not name a valid host"))
    }
}

fn decode_anchor(anchor: &str) -> Option<String> {
    let anchor = percent_decode(anchor);
    (!anchor.is_empty()).then_some(anchor)
}

/// What an image destination refers to.
#[derive(Debug, PartialEq)]
pub(crate) enum ImageRef {
    /// Loaded into the picture map under this key.
    Local(String),
    /// An `http(s):` URL: not fetched.
    Remote,
}

/// Each picture file the book loaded, by key, decoded: the picture, or
/// why it cannot be shown.
pub(crate) type Decoded = BTreeMap<String, Result<Picture, String>>;

/// Decodes each picture file `book` loaded, once: a picture shown in many
/// chapters is decoded once, not in each. Pictures of up to
/// [`DECODED_TOGETHER`] pixels are decoded on every thread (a book of
/// photographs spent most of its parsing decoding them one by one); larger
/// ones one at a time: a picture of the most pixels allowed takes hundreds
/// of megabytes decoded, and a thread each would multiply that.
pub(crate) fn decode_all(book: &Book) -> Decoded {
    let (together, alone): (Vec<&PictureFile>, Vec<&PictureFile>) = (book.assets.pictures)
        .values()
        .filter_map(|read| read.as_ref().ok())
        .partition(|file| {
            dimensions(&file.bytes)
                .is_some_and(|(w, h)| u64::from(w) * u64::from(h) <= DECODED_TOGETHER)
        });
    let decode = |file: &&PictureFile| (file.key.clone(), decode_picture(file.bytes.clone()));
    let mut decoded: Decoded = together.par_iter().map(decode).collect();
    decoded.extend(alone.iter().map(decode));
    decoded
}

/// The most pixels of a picture decoded beside others: a page of A4 at 300
/// pixels an inch has 8.7 million (26 MB decoded at three bytes a pixel).
pub(crate) const DECODED_TOGETHER: u64 = 10_000_000;

/// The width and height the picture `bytes` says it has in its header,
/// if it says.
fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()?;
    reader.into_dimensions().ok()
}

/// The pictures a chapter (or the cover) shows, by key, taken from the
/// book's pictures decoded once.
pub(crate) struct Pictures<'d> {
    decoded: &'d Decoded,
    pub shown: BTreeMap<String, Picture>,
}

impl<'d> Pictures<'d> {
    pub fn new(decoded: &'d Decoded) -> Self {
        Pictures {
            decoded,
            shown: BTreeMap::new(),
        }
    }
}

/// Resolves a picture path written in a file whose folder is `base`
/// (folder-relative), checks what `load` read for it, and adds it to
/// `pictures.shown` (once). The error is a message for the user, without
/// file or line.
pub(crate) fn load_image(
    book: &Book,
    base: &Path,
    dest: &str,
    pictures: &mut Pictures,
) -> Result<ImageRef, String> {
    let rel = match picture_path(base, dest)? {
        PicturePath::Remote => return Ok(ImageRef::Remote),
        PicturePath::Local(rel) => rel,
    };
    let dest = dest.trim();
    let shown = book.display_path(&rel);
    let file = match book.assets.pictures.get(&rel) {
        Some(Ok(file)) => file,
        Some(Err(Unusable::NotFound)) => {
            return Err(format!(
                "picture `{dest}` not found ({} does not exist)",
                shown.display()
            ));
        }
        Some(Err(Unusable::Outside)) => {
            return Err(format!(
                "picture `{dest}` is a link to a file outside the book folder"
            ));
        }
        Some(Err(Unusable::NotAFile)) => return Err(format!("picture `{dest}` is not a file")),
        Some(Err(Unusable::Unreadable(why))) => {
            return Err(format!("cannot read picture {}: {why}", shown.display()));
        }
        None => return Err(format!("picture `{dest}` was not loaded with the book")),
    };
    if !pictures.shown.contains_key(&file.key) {
        let picture = match pictures.decoded.get(&file.key) {
            Some(Ok(picture)) => picture.clone(),
            Some(Err(why)) => return Err(format!("picture `{dest}` {why}")),
            None => return Err(format!("picture `{dest}` was not loaded with the book")),
        };
        pictures.shown.insert(file.key.clone(), picture);
    }
    Ok(ImageRef::Local(file.key.clone()))
}

/// Whether an end-of-image marker (FF D9) follows the last start-of-scan
/// (FF DA). Entropy-coded data escapes FF bytes, so neither appears by chance.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let last = |marker: u8| bytes.windows(2).rposition(|w| w == [0xFF, marker]);
    matches!((last(0xDA), last(0xD9)), (Some(scan), Some(end)) if end > scan)
}

/// The most pixels a picture may have: more than a page of A4 scanned at
/// 600 dpi (35 million), and decoded at 8 bytes a pixel still within the
/// image crate's default 512 MiB allocation limit.
pub const MAX_PICTURE_PIXELS: u64 = 50_000_000;

/// Checks that `bytes` are a PNG or JPEG and reads its size; the picture
/// shares them (a book of photographs held them twice).
pub(crate) fn decode_picture(bytes: Arc<Vec<u8>>) -> Result<Picture, String> {
    let reader = image::ImageReader::new(Cursor::new(bytes.as_slice()))
        .with_guessed_format()
        .map_err(|e| format!("cannot be read: {e}"))?;
    let format = match reader.format() {
        Some(image::ImageFormat::Png) => PictureFormat::Png,
        Some(image::ImageFormat::Jpeg) => PictureFormat::Jpeg,
        Some(other) => {
            return Err(format!(
                "is a {other:?} picture; only PNG and JPEG are supported"
            ));
        }
        None => return Err("is not a PNG or JPEG picture".to_string()),
    };
    // Its size first, from the header: a picture too large to decode is
    // refused for what it is, before its pixels take the memory.
    if let Some((width, height)) = dimensions(&bytes)
        && u64::from(width) * u64::from(height) > MAX_PICTURE_PIXELS
    {
        return Err(format!(
            "has {width} × {height} pixels, more than the {} million warraq reads; \
             scale it down",
            MAX_PICTURE_PIXELS / 1_000_000
        ));
    }
    // Decode it whole, once, so that a damaged file is reported here with its
    // file and line, not later by a writer (or not at all: a PDF viewer would
    // meet the damage first).
    let decoded = reader
        .decode()
        .map_err(|e| format!("is damaged or not a valid {format:?} file: {e}"))?;
    let (width, height) = (decoded.width(), decoded.height());
    // The JPEG decoder fills in a cut-off file silently; a whole JPEG ends its
    // last scan with an end-of-image marker.
    if format == PictureFormat::Jpeg && !jpeg_is_complete(&bytes) {
        return Err("is damaged: the JPEG data is cut off (no end-of-image marker)".to_string());
    }
    if width == 0 || height == 0 {
        return Err("has no pixels".to_string());
    }
    Ok(Picture {
        bytes,
        format,
        width,
        height,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chapters() -> Vec<PathBuf> {
        vec![
            PathBuf::from("01-a.md"),
            PathBuf::from("02-b.md"),
            PathBuf::from("part/03-c.md"),
        ]
    }

    fn resolve(dest: &str, from: &str) -> Result<LinkTarget, String> {
        let current = chapters()
            .iter()
            .position(|c| c == Path::new(from))
            .unwrap();
        let paths = (chapters().into_iter().enumerate())
            .map(|(index, path)| (path, index))
            .collect();
        resolve_link(dest, Path::new(from), current, &ChapterPaths(paths))
    }

    fn chapter(index: usize, anchor: Option<&str>) -> LinkTarget {
        LinkTarget::Chapter {
            index,
            anchor: anchor.map(str::to_string),
        }
    }

    #[test]
    fn external_links() {
        for url in [
            "https://example.com/a?b#c",
            "http://x.y",
            "mailto:a@b.c",
            "HTTPS://X.Y",
        ] {
            assert_eq!(
                resolve(url, "01-a.md"),
                Ok(LinkTarget::External(url.to_string()))
            );
        }
    }

    #[test]
    fn web_addresses_are_percent_encoded() {
        for (written, encoded) in [
            (
                "https://example.com?find=\\*",
                "https://example.com?find=%5C*",
            ),
            (
                "https://example.com/?search=](uri)",
                "https://example.com/?search=%5D(uri)",
            ),
            (
                "https://example.com/a b#x#y",
                "https://example.com/a%20b#x%23y",
            ),
            ("https://example.com/%41%zz", "https://example.com/%41%25zz"),
            (
                "https://ex.com/مقدمة",
                "https://ex.com/%D9%85%D9%82%D8%AF%D9%85%D8%A9",
            ),
        ] {
            assert_eq!(
                resolve(written, "01-a.md"),
                Ok(LinkTarget::External(encoded.to_string())),
                "{written}"
            );
        }
    }

    #[test]
    fn web_addresses_need_a_host() {
        for bad in ["https://../", "https:", "http:///path", "https://a..b/"] {
            assert!(resolve(bad, "01-a.md").is_err(), "{bad}");
        }
        assert!(resolve("https://user@[::1]:8080/x", "01-a.md").is_ok());
    }

    #[test]
    fn chapter_links() {
        assert_eq!(resolve("02-b.md", "01-a.md"), Ok(chapter(1, None)));
        assert_eq!(
            resolve("./02-b.md#x-y", "01-a.md"),
            Ok(chapter(1, Some("x-y")))
        );
        assert_eq!(resolve("#here", "01-a.md"), Ok(chapter(0, Some("here"))));
        assert_eq!(resolve("part/03-c.md", "02-b.md"), Ok(chapter(2, None)));
        assert_eq!(resolve("../01-a.md", "part/03-c.md"), Ok(chapter(0, None)));
        assert_eq!(
            resolve("02-b.md#%D9%85%D9%82%D8%AF%D9%85%D8%A9", "01-a.md"),
            Ok(chapter(1, Some("مقدمة")))
        );
    }

    #[test]
    fn rejected_links() {
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,x",
            "file:///etc/passwd",
            "notes.txt",
            "../outside.md",
            "/etc/passwd",
            "//evil.example/x",
            "",
            "03-c.md",
        ] {
            assert!(resolve(bad, "01-a.md").is_err(), "{bad}");
        }
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%+1"), "%+1");
        assert_eq!(percent_decode("%FF"), "%FF");
    }

    #[test]
    fn pictures_are_checked() {
        assert!(decode_picture(Arc::new(b"not a picture".to_vec())).is_err());
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend_from_slice(b"garbage");
        assert!(decode_picture(Arc::new(png)).is_err());
        let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
        assert!(
            decode_picture(Arc::new(gif))
                .unwrap_err()
                .contains("only PNG and JPEG")
        );
    }

    #[test]
    fn a_picture_past_the_pixel_limit_is_refused_by_its_size() {
        // The smallest square past the limit, all black: cheap to encode.
        let side = (MAX_PICTURE_PIXELS as f64).sqrt() as u32 + 1;
        let mut png = Vec::new();
        image::GrayImage::new(side, side)
            .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let why = decode_picture(Arc::new(png)).unwrap_err();
        assert!(
            why.contains(&format!("has {side} × {side} pixels")),
            "{why}"
        );
    }
}
