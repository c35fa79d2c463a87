//! What each fuzz target does with its input. The targets
//! (`fuzz/fuzz_targets`, `cargo fuzz`, nightly) and the regression test
//! (`tests/fuzz_regressions.rs`, stable) both include this file, so an
//! input that once crashed is replayed through the very same code.
//!
//! Every function builds its book in memory (no disk) and goes as far as
//! the input lets it: an input the book rejects is fine (its diagnostics
//! are the answer); a panic, a hang or a leak is a bug.

use std::path::PathBuf;
use std::sync::Arc;

use warraq::diag::{Diagnostics, Result};
use warraq::layout::Pages;
use warraq::load::assets::{Assets, PictureFile};
use warraq::load::{Book, CONFIG_FILE, ConfigFile, SourceFile};

/// Chapters past this many in one input are ignored (each is laid out).
const MAX_CHAPTERS: usize = 8;

/// The file every chapter's `![…](picture.png)` can name.
pub const PICTURE: &str = "picture.png";

/// A book folder that is never read: everything is in memory.
const NOWHERE: &str = "/nonexistent/fuzzed-book";

/// Markdown → document → EPUB and PDF. The input is the chapters' text,
/// separated by form feeds (U+000C), named `01.md`, `02.md`… so links
/// between chapters can be tried; `picture.png` is a small PNG.
pub fn markdown(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let chapters: Vec<SourceFile> = text
        .split('\u{c}')
        .take(MAX_CHAPTERS)
        .enumerate()
        .map(|(index, text)| SourceFile::new(format!("{:02}.md", index + 1), text))
        .collect();
    let _ = build(book("", chapters, small_png()));
}

/// `book.toml` text → settings; when it loads, a one-chapter book with
/// those settings is built.
pub fn book_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let chapter = SourceFile::new(
        "01.md",
        "# عنوان\n\nنص قصير with Latin.\n\n![صورة](picture.png)\n",
    );
    let _ = build(book(text, vec![chapter], small_png()));
}

/// Picture bytes → decoded (by `parse`) → drawn in the PDF, embedded in
/// the EPUB, when they decode.
pub fn picture(data: &[u8]) {
    let chapter = SourceFile::new("01.md", format!("# Picture\n\n![a picture]({PICTURE})\n"));
    let _ = build(book("", vec![chapter], data.to_vec()));
}

/// A book with `config` as its `book.toml` and `picture` as `picture.png`
/// (and as the cover, when `book.toml` names one); `None` when `book.toml`
/// is rejected.
pub fn book(config: &str, chapters: Vec<SourceFile>, picture: Vec<u8>) -> Option<Book> {
    let dir = PathBuf::from(NOWHERE);
    let config_file = ConfigFile::parse(config.to_string(), &dir.join(CONFIG_FILE)).ok()?;
    // The chapters are the input's, whatever `chapters` lists; the list
    // is still checked.
    let _ = config_file.chapters();
    let first = chapters.first().map(SourceFile::text).transpose().ok()?;
    let config = config_file
        .settle(first.as_deref().unwrap_or(""), Some("0"))
        .ok()?;
    let mut assets = Assets::default();
    let mut pictures = vec![PICTURE.to_string()];
    pictures.extend(config.cover.clone());
    for name in pictures {
        let file = PictureFile {
            key: name.clone(),
            bytes: Arc::new(picture.clone()),
        };
        assets.pictures.insert(PathBuf::from(name), Ok(file));
    }
    Some(Book {
        dir: dir.clone(),
        input_dir: dir,
        config,
        chapters,
        assets,
    })
}

/// What [`build`] made of a book.
pub struct Built {
    pub pages: Result<Pages>,
    pub epub: Result<Vec<u8>>,
    /// `None` when the book could not be laid out.
    pub pdf: Option<Result<Vec<u8>>>,
    /// Everything found on the way, warnings and errors.
    pub found: Diagnostics,
}

/// What `warraq::compile` does after loading, in memory: parse, lay out,
/// write both outputs (each stage going on past the errors it can).
/// `None` when the book is rejected before a document is made.
pub fn build(book: Option<Book>) -> Option<Built> {
    let book = book?;
    let mut found = Diagnostics::default();
    let document = warraq::parse::parse(&book, &mut found).ok()?;
    let fonts =
        warraq::fonts::FontLibrary::for_book(&document.fonts).expect("the built-in fonts load");
    let pages = warraq::layout::typeset(&document, &fonts, &mut found);
    let skeleton = pages.as_ref().ok().map(warraq::layout::Pages::skeleton);
    let epub = warraq::epub::write(&document, &fonts, skeleton.as_ref(), &mut found);
    let pdf = pages.as_ref().ok().map(|pages| {
        warraq::pdf::write(&document, &fonts, pages.clone())
            .map(|pdf| pdf.read().expect("a PDF made in memory reads"))
    });
    Some(Built {
        pages,
        epub,
        pdf,
        found,
    })
}

/// A 2×2 PNG.
fn small_png() -> Vec<u8> {
    let mut bytes = Vec::new();
    image::RgbImage::from_pixel(2, 2, image::Rgb([40, 90, 160]))
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .expect("a PNG encodes");
    bytes
}
