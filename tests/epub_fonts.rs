//! The EPUB's fonts: only the faces the book needs, each cut to the
//! characters it shows, still shaping as the whole face does.
//!
//! Read back with tools that are not warraq's: `ttf-parser` for tables,
//! character maps and outlines, Debian's `hb-shape` for shaping.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::epub::{assert_epubcheck_clean, entry, unzip};
use quick_xml::Reader;
use quick_xml::events::Event;
use warraq::diag::Diagnostics;
use warraq::fonts::FontLibrary;

/// What the issue asks of the seed book's EPUB.
const SEED_BOOK_LIMIT: usize = 600_000;
/// Tables a reading system needs to map characters and shape them.
const SHAPING_TABLES: [&[u8; 4]; 4] = [b"cmap", b"GSUB", b"GPOS", b"GDEF"];

/// A book's EPUB (as the build writes it) and its font library.
struct Built {
    files: Vec<(String, bool, Vec<u8>)>,
    bytes: Vec<u8>,
    fonts: FontLibrary,
}

impl Built {
    fn new(book: &Path) -> Built {
        let book = warraq::load::load_with_epoch(book, Some(common::SOURCE_DATE_EPOCH))
            .expect("the book loads");
        let mut warnings = Diagnostics::default();
        let document = warraq::parse::parse(&book, &mut warnings).expect("the book parses");
        let fonts = FontLibrary::for_book(&document.fonts).expect("the fonts load");
        let mut epub_warnings = Diagnostics::default();
        let bytes = warraq::epub::write(&document, &fonts, None, &mut epub_warnings)
            .expect("EPUB is written");
        assert!(epub_warnings.0.is_empty(), "{:?}", epub_warnings.0);
        Built {
            files: unzip(&bytes),
            bytes,
            fonts,
        }
    }

    /// Every embedded font: (file name, its bytes in the EPUB, the face it
    /// was cut from).
    fn embedded(&self) -> Vec<(&str, &[u8], &[u8])> {
        self.files
            .iter()
            .filter_map(|(name, _, data)| {
                let file = name.strip_prefix("EPUB/fonts/")?;
                let face = self
                    .fonts
                    .faces
                    .iter()
                    .find(|f| f.file_name == file)
                    .unwrap_or_else(|| panic!("{file} is none of the book's faces"));
                Some((file, data.as_slice(), face.data.as_slice()))
            })
            .collect()
    }

    /// The text of every block (paragraph, heading, list item, cell…) of
    /// the content documents, with whether it is code.
    fn paragraphs(&self) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        for (name, _, data) in &self.files {
            if name.ends_with(".xhtml") {
                paragraphs(std::str::from_utf8(data).unwrap(), &mut out);
            }
        }
        out
    }
}

const INLINE: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "dfn", "em", "i", "kbd", "mark", "q", "rp",
    "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
];
const CODE: &[&str] = &["pre", "code", "kbd", "samp"];

/// Splits an XHTML body into blocks of text at every element that is not
/// inline.
fn paragraphs(xhtml: &str, out: &mut Vec<(String, bool)>) {
    let mut reader = Reader::from_str(xhtml);
    let mut open: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut code = false;
    let mut flush = |text: &mut String, code: &mut bool| {
        if !text.trim().is_empty() {
            out.push((text.replace(['\n', '\r', '\t'], " "), *code));
        }
        text.clear();
        *code = false;
    };
    loop {
        match reader.read_event().expect("the XHTML is well-formed") {
            Event::Eof => break,
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                if !INLINE.contains(&name.as_str()) {
                    flush(&mut text, &mut code);
                }
                open.push(name);
            }
            Event::Empty(e) if !INLINE.contains(&e.name().as_ref()) => {
                flush(&mut text, &mut code);
            }
            Event::End(e) => {
                if !INLINE.contains(&e.name().as_ref()) {
                    flush(&mut text, &mut code);
                }
                open.pop();
            }
            Event::Text(t) if open.iter().any(|n| n == "body") => {
                code |= open.iter().any(|n| CODE.contains(&n.as_str()));
                text.push_str(&t.xml10_content());
            }
            Event::GeneralRef(r) if open.iter().any(|n| n == "body") => {
                let c = r.resolve_char_ref().ok().flatten().map(String::from);
                let c = c.or_else(|| {
                    quick_xml::escape::resolve_predefined_entity(&r).map(str::to_string)
                });
                text.push_str(&c.expect("a known reference"));
            }
            _ => {}
        }
    }
}

fn face(data: &[u8]) -> ttf_parser::Face<'_> {
    ttf_parser::Face::parse(data, 0).expect("ttf-parser reads the font")
}

fn has_table(data: &[u8], tag: &[u8; 4]) -> bool {
    face(data)
        .raw_face()
        .table(ttf_parser::Tag::from_bytes(tag))
        .is_some()
}

fn covers(face: &ttf_parser::Face, c: char) -> bool {
    face.glyph_index(c).is_some()
}

fn seed() -> &'static Built {
    static BUILT: std::sync::OnceLock<Built> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| Built::new(&common::seed_book()))
}

fn test_books() -> Vec<(&'static str, Built)> {
    let mut books = vec![("book", Built::new(&common::seed_book()))];
    for name in ["vocalised", "mixed-scripts"] {
        books.push((
            name,
            Built::new(&common::repo().join("tests/books").join(name)),
        ));
    }
    books
}

#[test]
fn the_seed_books_epub_is_under_600_kb() {
    let size = seed().bytes.len();
    let whole: usize = seed().fonts.faces.iter().map(|f| f.data.len()).sum();
    let embedded: usize = seed()
        .embedded()
        .iter()
        .map(|(_, data, _)| data.len())
        .sum();
    eprintln!(
        "seed book EPUB: {size} bytes; its fonts {embedded} bytes, uncompressed (all faces whole: {whole})"
    );
    assert!(size < SEED_BOOK_LIMIT, "the EPUB is {size} bytes");
}

/// Each embedded face keeps the tables shaping needs, when the face it was
/// cut from had them, and is smaller than that face.
#[test]
fn embedded_fonts_keep_the_shaping_tables() {
    for (book, built) in test_books() {
        let embedded = built.embedded();
        assert!(!embedded.is_empty(), "{book}: no font embedded");
        for (file, data, original) in embedded {
            for tag in SHAPING_TABLES {
                let name = String::from_utf8_lossy(tag);
                assert!(
                    !has_table(original, tag) || has_table(data, tag),
                    "{book}: {file} lost its {name} table"
                );
            }
            assert!(data.len() < original.len(), "{book}: {file} is whole");
        }
    }
    // The Arabic face has all four: the check above is not empty.
    let amiri = std::fs::read(common::repo().join("fonts/Amiri-Regular.ttf")).unwrap();
    assert!(SHAPING_TABLES.iter().all(|tag| has_table(&amiri, tag)));
}

/// Only the faces the text needs are embedded, each with its `@font-face`
/// and nothing else: the seed book is Arabic only, so no Noto face.
#[test]
fn only_the_faces_the_text_needs_are_embedded() {
    let built = seed();
    let css = entry(&built.files, "EPUB/css/style.css");
    let embedded: Vec<&str> = built.embedded().iter().map(|(f, _, _)| *f).collect();
    assert!(embedded.contains(&"Amiri-Regular.ttf"), "{embedded:?}");
    assert!(
        embedded.iter().all(|f| f.starts_with("Amiri")),
        "{embedded:?}"
    );
    assert_eq!(css.matches("@font-face").count(), embedded.len(), "{css}");
    for file in &embedded {
        assert!(css.contains(&format!("url(\"../fonts/{file}\")")), "{css}");
    }
    assert!(!css.contains("Noto"), "{css}");
    let opf = entry(&built.files, "EPUB/package.opf");
    assert_eq!(opf.matches("media-type=\"font/").count(), embedded.len());

    let options = entry(
        &built.files,
        "META-INF/com.apple.ibooks.display-options.xml",
    );
    assert!(
        options.contains("<option name=\"specified-fonts\">true</option>"),
        "{options}"
    );
}

/// No character of the text falls out of the embedded fonts: whatever the
/// bundled faces could draw (outside code, which has its own face), some
/// embedded face still draws.
#[test]
fn every_character_the_faces_drew_is_still_embedded() {
    for (book, built) in test_books() {
        let library: Vec<ttf_parser::Face> = built
            .fonts
            .faces
            .iter()
            .filter(|f| f.role != warraq::fonts::Role::Mono)
            .map(|f| face(&f.data))
            .collect();
        let embedded: Vec<(&str, &[u8], &[u8])> = built.embedded();
        let cut: Vec<ttf_parser::Face> = embedded.iter().map(|(_, d, _)| face(d)).collect();
        let mut lost = BTreeSet::new();
        let mut checked = 0;
        for (text, code) in built.paragraphs() {
            for c in text.chars().filter(|_| !code) {
                if library.iter().any(|f| covers(f, c)) {
                    checked += 1;
                    if !cut.iter().any(|f| covers(f, c)) {
                        lost.insert(c);
                    }
                }
            }
        }
        eprintln!("{book}: {checked} characters, each in an embedded face");
        assert!(checked > 500, "{book}: only {checked} characters read");
        assert!(lost.is_empty(), "{book}: no embedded face has {lost:?}");
    }
}

/// One glyph as `hb-shape` gives it, the glyph id replaced by what it
/// draws: ids change when a font is cut, outlines and positions must not.
#[derive(Debug, PartialEq)]
struct Glyph {
    outline: String,
    /// Cluster, offset and advance: `hb-shape`'s text after the id.
    placement: String,
}

/// `hb-shape` of every line of `lines` with `font` (default features, as a
/// reading system applies them), glyph ids replaced by outlines.
fn shape(font: &[u8], lines: &[&str]) -> Vec<Vec<Glyph>> {
    let dir = tempfile::tempdir().unwrap();
    let font_path = dir.path().join("font.ttf");
    let text_path = dir.path().join("text.txt");
    std::fs::write(&font_path, font).unwrap();
    std::fs::write(&text_path, lines.join("\n") + "\n").unwrap();
    let out = common::run_ok(
        "hb-shape",
        &[
            "--no-glyph-names",
            &format!("--text-file={}", text_path.display()),
            common::arg(&font_path),
        ],
    );
    let face = face(font);
    let shaped: Vec<Vec<Glyph>> = out
        .lines()
        .map(|line| {
            line.trim_start_matches('[')
                .trim_end_matches(']')
                .split('|')
                .map(|glyph| {
                    let (id, placement) = glyph.split_once('=').expect("id=cluster…");
                    let id: u16 = id.parse().expect("a glyph id");
                    Glyph {
                        outline: outline(&face, id),
                        placement: placement.to_string(),
                    }
                })
                .collect()
        })
        .collect();
    assert_eq!(shaped.len(), lines.len(), "hb-shape gave one line per line");
    shaped
}

/// The outline of glyph `id`, as path commands.
fn outline(face: &ttf_parser::Face, id: u16) -> String {
    struct Path(String);
    impl ttf_parser::OutlineBuilder for Path {
        fn move_to(&mut self, x: f32, y: f32) {
            self.0 += &format!("M{x},{y}");
        }
        fn line_to(&mut self, x: f32, y: f32) {
            self.0 += &format!("L{x},{y}");
        }
        fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
            self.0 += &format!("Q{x1},{y1},{x},{y}");
        }
        fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
            self.0 += &format!("C{x1},{y1},{x2},{y2},{x},{y}");
        }
        fn close(&mut self) {
            self.0 += "Z";
        }
    }
    let mut path = Path(String::new());
    face.outline_glyph(ttf_parser::GlyphId(id), &mut path);
    path.0
}

/// The oracle: every paragraph of the seed book, `vocalised` and
/// `mixed-scripts`, in every embedded face, shaped by `hb-shape` with the
/// cut face and with the whole one, gives the same glyphs (the same
/// outlines) at the same places. A face is given each run of a paragraph
/// that its cut keeps every character of: the runs a reader may set in it.
#[test]
fn cut_fonts_shape_as_the_whole_faces() {
    if !common::have_tools(&["hb-shape"]) {
        return;
    }
    for (book, built) in test_books() {
        let paragraphs = built.paragraphs();
        for (file, data, original) in built.embedded() {
            let cut = face(data);
            let mut runs = BTreeSet::new();
            for (text, _) in &paragraphs {
                let mut run = String::new();
                for c in text.chars().chain(['\n']) {
                    if c != '\n' && covers(&cut, c) {
                        run.push(c);
                    } else {
                        if !run.trim().is_empty() {
                            runs.insert(run.clone());
                        }
                        run.clear();
                    }
                }
            }
            let runs: Vec<&str> = runs.iter().map(String::as_str).collect();
            let by_cut = shape(data, &runs);
            let by_whole = shape(original, &runs);
            let mut glyphs = 0;
            for ((run, a), b) in runs.iter().zip(&by_cut).zip(&by_whole) {
                assert_eq!(a, b, "{book}: {file} shapes «{run}» otherwise once cut");
                glyphs += a.len();
            }
            let marks = by_whole
                .iter()
                .flatten()
                .filter(|g| g.placement.contains('@'));
            eprintln!(
                "{book}: {file}: {} runs, {glyphs} glyphs ({} placed off the pen) shaped alike",
                runs.len(),
                marks.count()
            );
            assert!(glyphs > 0, "{book}: {file} shaped nothing");
        }
    }
}

/// Two builds in two processes give the same bytes (the subsetter's hash
/// maps are seeded per process).
#[test]
fn two_builds_give_the_same_epub() {
    let dir = tempfile::tempdir().unwrap();
    let mut epubs = BTreeMap::new();
    for run in ["first", "second"] {
        let out = dir.path().join(run);
        let status = common::warraq()
            .args(["build", "--format", "epub", "--out-dir"])
            .arg(&out)
            .arg(common::repo().join("tests/books/mixed-scripts"))
            .status()
            .unwrap();
        assert!(status.success());
        epubs.insert(run, std::fs::read(out.join("mixed-scripts.epub")).unwrap());
    }
    assert!(epubs["first"] == epubs["second"], "the two EPUBs differ");
}

#[test]
fn the_books_pass_epubcheck() {
    for (book, built) in test_books().into_iter().skip(1) {
        assert_epubcheck_clean(&format!("{book}.epub"), &built.bytes);
    }
}
