//! Parsing book folders into documents, through the public API
//! (`load` then `parse`): pictures, raw HTML, links and metadata.

use crate::common;

use std::path::Path;

use common::{encode, folder};
use warraq::diag::{Diagnostic, Diagnostics, Severity};
use warraq::doc::{BlockKind, Document, InlineKind, LinkTarget, PictureFormat};
use warraq::load::load_with_epoch;
use warraq::parse::parse;

fn build(dir: &Path) -> Result<(Document, Diagnostics), Diagnostic> {
    let book = load_with_epoch(dir, None)?;
    // Errors the stages go on past count as the build's failure, as in
    // `warraq::compile`.
    let mut warnings = book.config.diagnostics.clone();
    let doc = parse(&book, &mut warnings)?;
    let error = warnings.errors().next().cloned();
    match error {
        Some(error) => Err(error),
        None => Ok((doc, warnings)),
    }
}

fn png() -> Vec<u8> {
    encode(&image::RgbImage::new(5, 7), image::ImageFormat::Png)
}

fn jpeg() -> Vec<u8> {
    encode(&image::RgbImage::new(8, 4), image::ImageFormat::Jpeg)
}

fn assert_error_at(err: &Diagnostic, file: &Path, line: u32, needle: &str) {
    assert_eq!(err.severity, Severity::Error);
    assert_eq!(err.file.as_deref(), Some(file), "{err}");
    assert_eq!(err.line, Some(line), "{err}");
    assert!(err.message.contains(needle), "{err}");
}

#[test]
fn whole_book() {
    let tmp = folder(&[
        (
            "book.toml",
            "[book]\nauthors = [\"مؤلف\"]\ncover = \"cover.jpg\"\n".as_bytes(),
        ),
        ("cover.jpg", &jpeg()),
        (
            "01-intro.md",
            "# المقدمة\n\nنص مع صورة ![رسم](img/fig.png) وحاشية[^1].\n\n[التالي](02-next.md#القسم-الثاني)\n\n[^1]: حاشية.\n".as_bytes(),
        ),
        ("02-next.md", "# القسم الثاني\n\n![again](img/fig.png)\n".as_bytes()),
        ("img/fig.png", &png()),
    ]);
    let (doc, warnings) = build(tmp.path()).unwrap();
    assert!(warnings.0.is_empty(), "{warnings:?}");
    let m = &doc.metadata;
    assert_eq!(m.title, "المقدمة");
    assert_eq!(m.language, "ar");
    assert_eq!(m.authors, ["مؤلف"]);
    assert!(m.identifier.starts_with("urn:uuid:"));
    assert_eq!(doc.cover.as_deref(), Some("cover.jpg"));
    assert_eq!(doc.images.len(), 2);
    assert_eq!(doc.images["cover.jpg"].format, PictureFormat::Jpeg);
    assert_eq!(doc.images["img/fig.png"].width, 5);
    assert_eq!(doc.chapters.len(), 2);
    assert_eq!(doc.chapters[0].footnotes.len(), 1);

    // Same input, same identifier.
    let (again, _) = build(tmp.path()).unwrap();
    assert_eq!(again.metadata.identifier, m.identifier);
}

#[test]
fn image_outside_the_folder_is_an_error() {
    let outer = folder(&[
        ("secret.png", &png()),
        (
            "book/ch.md",
            "# عنوان\n\nنص\n\n![x](../secret.png)\n".as_bytes(),
        ),
    ]);
    let book = outer.path().join("book");
    let err = build(&book).unwrap_err();
    assert_error_at(&err, &book.join("ch.md"), 5, "outside the book folder");
}

#[cfg(unix)]
#[test]
fn symlinked_image_pointing_outside_is_an_error() {
    let outer = folder(&[("secret.png", &png()), ("book/ch.md", b"![x](pic.png)\n")]);
    let book = outer.path().join("book");
    std::os::unix::fs::symlink(outer.path().join("secret.png"), book.join("pic.png")).unwrap();
    let err = build(&book).unwrap_err();
    assert_error_at(&err, &book.join("ch.md"), 1, "outside the book folder");
}

#[test]
fn missing_image_is_an_error() {
    let tmp = folder(&[("ch.md", b"text\n\n![x](img/none.png)\n")]);
    let err = build(tmp.path()).unwrap_err();
    assert_error_at(&err, &tmp.path().join("ch.md"), 3, "not found");
}

#[test]
fn corrupt_image_is_an_error() {
    let mut truncated = png();
    truncated.truncate(20);
    for bytes in [
        b"this is not a picture".to_vec(),
        truncated,
        b"GIF89a....".to_vec(),
    ] {
        let tmp = folder(&[("ch.md", b"![x](bad.png)\n"), ("bad.png", &bytes)]);
        let err = build(tmp.path()).unwrap_err();
        assert_error_at(&err, &tmp.path().join("ch.md"), 1, "bad.png");
    }
}

#[test]
fn bad_cover_names_book_toml() {
    let tmp = folder(&[
        (
            "book.toml",
            b"[book]\ntitle = \"t\"\ncover = \"nope.png\"\n",
        ),
        ("a.md", b"x"),
    ]);
    let err = build(tmp.path()).unwrap_err();
    assert_error_at(&err, &tmp.path().join("book.toml"), 3, "nope.png");
}

#[test]
fn script_dropped_with_a_warning() {
    let tmp = folder(&[(
        "ch.md",
        b"# t\n\nok\n\n<script>alert('x')</script>\n\ntext <script>evil()</script> more\n",
    )]);
    let (doc, warnings) = build(tmp.path()).unwrap();
    let file = tmp.path().join("ch.md");
    for line in [5, 7] {
        assert!(
            warnings.0.iter().any(|w| w.severity == Severity::Warning
                && w.file.as_deref() == Some(file.as_path())
                && w.line == Some(line)
                && w.message.contains("<script>")),
            "line {line}: {warnings:?}"
        );
    }
    // What is left is exactly the heading and the text around the scripts:
    // every block and every inline of it, named.
    let blocks: Vec<(&str, Vec<&str>)> = doc.chapters[0]
        .blocks
        .iter()
        .map(|block| {
            let (kind, content) = match &block.kind {
                BlockKind::Heading { content, .. } => ("heading", content),
                BlockKind::Paragraph(content) => ("paragraph", content),
                other => panic!("a block that is not in ch.md: {other:?}"),
            };
            let inlines = content
                .iter()
                .map(|inline| match &inline.kind {
                    InlineKind::Text(text) => text.as_str(),
                    other => panic!("an inline that is not in ch.md: {other:?}"),
                })
                .collect();
            (kind, inlines)
        })
        .collect();
    assert_eq!(
        blocks,
        [
            ("heading", vec!["t"]),
            ("paragraph", vec!["ok"]),
            ("paragraph", vec!["text  more"]),
        ]
    );
}

#[test]
fn html_output_is_well_formed_xhtml() {
    let md = "<div class=x>a<br>b &nbsp; &copy; <hr></div>\n\nx <span title='a\"b'>y & z</span>\n";
    let tmp = folder(&[("ch.md", md.as_bytes())]);
    let (doc, _) = build(tmp.path()).unwrap();
    let mut fragments = Vec::new();
    for block in &doc.chapters[0].blocks {
        match &block.kind {
            BlockKind::Html(h) => fragments.push(h.clone()),
            BlockKind::Paragraph(content) => {
                for inline in content {
                    if let InlineKind::Html(h) = &inline.kind {
                        fragments.push(h.clone());
                    }
                }
            }
            _ => {}
        }
    }
    assert_eq!(
        fragments,
        [
            "<div class=\"x\">a<br/>b \u{a0} © <hr/></div>",
            "<span title=\"a&quot;b\">y &amp; z</span>",
        ]
    );
    // Every fragment parses as XML.
    for fragment in fragments {
        let wrapped = format!("<root>{fragment}</root>");
        let mut reader = quick_xml::Reader::from_str(&wrapped);
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{fragment}: {e}"),
            }
        }
    }
}

#[test]
fn links_never_read_files() {
    // A link to an existing non-chapter file is refused without reading it.
    let tmp = folder(&[
        ("ch.md", b"[data](secret.txt) [chapter](other.md)\n"),
        ("other.md", b"# Other"),
        ("secret.txt", b"secret"),
    ]);
    let (doc, warnings) = build(tmp.path()).unwrap();
    assert_eq!(warnings.0.len(), 1, "{warnings:?}");
    assert_eq!(warnings.0[0].line, Some(1));
    assert!(warnings.0[0].message.contains("secret.txt"));
    // The refused link is left out; the other leads to other.md, the
    // book's second chapter (ch.md, other.md).
    let [block] = doc.chapters[0].blocks.as_slice() else {
        panic!("{:?}", doc.chapters[0].blocks);
    };
    let BlockKind::Paragraph(content) = &block.kind else {
        panic!("{block:?}");
    };
    let targets: Vec<&LinkTarget> = content
        .iter()
        .filter_map(|inline| match &inline.kind {
            InlineKind::Link { target, .. } => Some(target),
            _ => None,
        })
        .collect();
    assert_eq!(
        targets,
        [&LinkTarget::Chapter {
            index: 1,
            anchor: None
        }],
        "{content:?}"
    );
}

#[test]
fn english_book_defaults() {
    let tmp = folder(&[("only.md", b"Just text, no heading.")]);
    let (doc, _) = build(tmp.path()).unwrap();
    let name = tmp.path().file_name().unwrap().to_string_lossy();
    assert_eq!(doc.metadata.title, name);
    assert_eq!(doc.metadata.language, "en");
    assert_eq!(doc.metadata.timestamp, 0);
    assert_eq!(doc.cover, None);
}

/// `load` is the only stage that reads the disk: once a book is loaded,
/// its pictures and fonts can be gone and the book still parses whole —
/// pictures (in the text and the cover) and fonts included. Only the
/// chapters' texts are read again, by `load`'s own reader, which checks
/// each is the text first read (`tests/parse_load.rs`): a long book's are
/// not held to the end of its build.
#[test]
fn parsing_reads_nothing_from_disk_but_the_chapters() {
    let font = std::fs::read(common::repo().join("tests/fonts/NotoSansRunic-Regular.ttf")).unwrap();
    let tmp = folder(&[
        (
            "book.toml",
            b"[book]\ntitle = \"t\"\ncover = \"art/cover.png\"\n",
        ),
        (
            "ch.md",
            b"# t\n\n![a map](art/map.png) and ![again](./art/../art/map.png)\n",
        ),
        ("art/map.png", &png()),
        ("art/cover.png", &other_png()),
        ("fonts/runic.ttf", &font),
    ]);
    let book = load_with_epoch(tmp.path(), None).unwrap();
    for gone in ["art", "fonts"] {
        std::fs::remove_dir_all(tmp.path().join(gone)).unwrap();
    }
    std::fs::remove_file(tmp.path().join("book.toml")).unwrap();
    let mut warnings = Diagnostics::default();
    let doc = parse(&book, &mut warnings).unwrap();
    assert!(!warnings.has_errors(), "{warnings}");
    let keys: Vec<&str> = doc.images.keys().map(String::as_str).collect();
    assert_eq!(keys, ["art/cover.png", "art/map.png"]);
    assert_eq!(doc.cover.as_deref(), Some("art/cover.png"));
    assert_eq!(doc.fonts.len(), 1);
    assert_eq!(*doc.fonts[0].data, font);
}

/// A second picture, of another size, so the two cannot be mistaken.
fn other_png() -> Vec<u8> {
    encode(&image::RgbImage::new(9, 3), image::ImageFormat::Png)
}
