//! EPUBCheck reports nothing (0 errors, 0 warnings) for the EPUB the
//! `warraq` command writes — page-list, languages and all — for every kind
//! of book: the seed book, books that use every Markdown feature warraq
//! supports, a left-to-right book, a book without `book.toml`, and a
//! generated book of several hundred pages.

use crate::common;

use std::path::Path;

use common::epub::assert_epubcheck_clean;
use common::generate::{self, BookSpec, Script};

fn built_epub_is_clean(book: &Path, out: &str) {
    let built = common::build(book, out);
    let name = format!("{out}.epub");
    assert_epubcheck_clean(&name, &std::fs::read(built.epub()).unwrap());
}

#[test]
fn the_seed_book() {
    built_epub_is_clean(&common::seed_book(), "valid-seed");
}

#[test]
fn books_that_use_every_markdown_feature() {
    // Tables, notes, pictures, code, nested and task lists, raw HTML,
    // callouts, definitions, verse, math, full-bleed pictures.
    for name in [
        "showcase",
        "markdown",
        "tables",
        "pictures",
        "plates",
        "vocalised",
    ] {
        built_epub_is_clean(
            &common::repo().join("tests/books").join(name),
            &format!("valid-{name}"),
        );
    }
}

#[test]
fn a_left_to_right_book() {
    built_epub_is_clean(&common::english_book(), "valid-english");
}

#[test]
fn a_book_without_book_toml() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("bare");
    std::fs::create_dir(&book).unwrap();
    common::write_files(
        &book,
        &[
            (
                "01.md",
                "# مقدمة\n\nنص الفصل الأول مع Latin words.\n".as_bytes(),
            ),
            ("02.md", "# خاتمة\n\nنص الفصل الثاني.\n".as_bytes()),
        ],
    );
    built_epub_is_clean(&book, "valid-bare");
}

#[test]
fn a_generated_book_of_several_hundred_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("generated");
    std::fs::create_dir(&book).unwrap();
    let spec = BookSpec {
        cover: true,
        ..BookSpec::new(Script::Arabic, 100)
    };
    generate::write_book(&book, &spec).unwrap();
    let built = common::build(&book, "valid-generated");
    let pages = common::page_count(&built.pdf);
    assert!(pages >= 200, "only {pages} pages");
    println!("generated book: {pages} pages");
    assert_epubcheck_clean(
        "valid-generated.epub",
        &std::fs::read(built.epub()).unwrap(),
    );
}
