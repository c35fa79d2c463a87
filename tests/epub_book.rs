//! The seed book in `book/`, through the real pipeline (load → parse →
//! EPUB): EPUBCheck finds nothing wrong, and the package is what the book
//! says it is.

use crate::common;

use common::epub::*;
use warraq::diag::Diagnostics;
use warraq::fonts::FontLibrary;

fn seed_book_epub() -> (warraq::doc::Document, Vec<u8>) {
    let book = warraq::load::load_with_epoch(&common::seed_book(), Some("1700000000"))
        .expect("book/ loads");
    let mut warnings = Diagnostics::default();
    let document = warraq::parse::parse(&book, &mut warnings).expect("book/ parses");
    let bytes = warraq::epub::write(
        &document,
        &FontLibrary::builtin(),
        None,
        &mut Default::default(),
    )
    .expect("EPUB is written");
    (document, bytes)
}

#[test]
fn seed_book_passes_epubcheck() {
    let (_, bytes) = seed_book_epub();
    assert_epubcheck_clean("book.epub", &bytes);
}

#[test]
fn seed_book_package_matches_the_book() {
    let (document, bytes) = seed_book_epub();
    assert_eq!(document.metadata.language, "ar");
    let files = unzip(&bytes);
    assert_eq!(files[0].0, "mimetype");

    let opf = entry(&files, "EPUB/package.opf");
    assert!(opf.contains("page-progression-direction=\"rtl\""));
    assert!(opf.contains("<meta property=\"dcterms:modified\">2023-11-14T22:13:20Z</meta>"));
    assert!(
        opf.contains("properties=\"cover-image\""),
        "book.toml names a cover"
    );

    let nav = entry(&files, "EPUB/nav.xhtml");
    assert!(nav.contains(">المحتويات</h1>"));
    // The chapters book.toml lists, each under its own title (read from
    // the Markdown, not through warraq), in their order.
    let chapters = common::chapters(&common::seed_book());
    let hrefs = [
        "chapter-01.xhtml",
        "chapter-02.xhtml",
        "chapter-03.xhtml",
        "chapter-04.xhtml",
        "chapter-05.xhtml",
        "chapter-06.xhtml",
        "chapter-07.xhtml",
        "chapter-08.xhtml",
        "chapter-09.xhtml",
        "chapter-10.xhtml",
    ];
    assert_eq!(
        chapters.len(),
        hrefs.len(),
        "the seed book has ten chapters"
    );
    let mut at = 0;
    for (chapter, href) in chapters.iter().zip(hrefs) {
        let link = format!("<li><a href=\"{href}\">{}</a>", chapter.title);
        let found = nav[at..]
            .find(&link)
            .unwrap_or_else(|| panic!("{} is not next in the nav: {link}\n{nav}", chapter.file));
        at += found + link.len();
        let xhtml = entry(&files, &format!("EPUB/{href}"));
        assert!(xhtml.contains("lang=\"ar\" xml:lang=\"ar\" dir=\"rtl\""));
        assert!(
            xhtml.contains(&format!(">{}</h1>", chapter.title)),
            "{href}"
        );
    }
    assert!(
        !nav.contains("chapter-11.xhtml"),
        "more chapters than book.toml lists"
    );

    // Same book, same bytes.
    assert!(seed_book_epub().1 == bytes, "two builds of book/ differ");
}

#[test]
fn a_full_bleed_picture_spans_the_screen_and_passes_epubcheck() {
    let dir = common::repo().join("tests/books/plates");
    let book = warraq::load::load_with_epoch(&dir, Some("1700000000")).expect("loads");
    let mut warnings = Diagnostics::default();
    let document = warraq::parse::parse(&book, &mut warnings).expect("parses");
    let bytes = warraq::epub::write(
        &document,
        &FontLibrary::builtin(),
        None,
        &mut Default::default(),
    )
    .expect("EPUB is written");
    let files = unzip(&bytes);
    let atlas = entry(&files, "EPUB/chapter-01.xhtml");
    assert!(
        atlas.contains("<p class=\"figure full-bleed\"><img "),
        "{atlas}"
    );
    let notes = entry(&files, "EPUB/chapter-02.xhtml");
    assert!(!notes.contains("full-bleed"), "{notes}");
    assert_epubcheck_clean("plates.epub", &bytes);
}
