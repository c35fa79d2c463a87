//! The generated books the benchmark measures (`tests/common/generate.rs`):
//! the Zipf kind has the word forms of real Arabic prose, is the same book
//! every time, and builds cleanly.

use crate::common;

use common::generate::{self, BookSpec, Script};

/// Writes a book of `chapters` chapters of `script` into a temporary folder.
fn write(script: Script, chapters: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    generate::write_book(dir.path(), &BookSpec::new(script, chapters)).unwrap();
    dir
}

/// Words counted for the type/token ratio, as in the target.
const RATIO_WORDS: usize = 100_000;

#[test]
fn zipf_prose_has_a_realistic_type_token_ratio() {
    // 400 chapters hold more than 100,000 words of either kind.
    let zipf = write(Script::ArabicZipf, 400);
    let (words, forms) = generate::word_forms(zipf.path(), RATIO_WORDS).unwrap();
    assert_eq!(words, RATIO_WORDS, "the Zipf book is too short");
    let ratio = forms as f64 / words as f64;
    assert!(
        (0.15..=0.25).contains(&ratio),
        "Zipf prose: {forms} forms in {words} words, a ratio of {ratio:.3}, not about 0.2"
    );
    // The seed's sentences recombined repeat the same few forms.
    let seed = write(Script::Arabic, 400);
    let (words, seed_forms) = generate::word_forms(seed.path(), RATIO_WORDS).unwrap();
    assert_eq!(words, RATIO_WORDS, "the seed book is too short");
    assert!(
        seed_forms * 10 < forms,
        "the seed book has {seed_forms} forms, the Zipf book only {forms}"
    );
}

#[test]
fn zipf_books_are_the_same_every_time() {
    let first = write(Script::ArabicZipf, 12);
    let second = write(Script::ArabicZipf, 12);
    let mut files: Vec<_> = std::fs::read_dir(first.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    files.sort();
    assert_eq!(files.len(), 13, "12 chapters and book.toml: {files:?}");
    for name in files {
        let a = std::fs::read(first.path().join(&name)).unwrap();
        let b = std::fs::read(second.path().join(&name)).unwrap();
        assert!(a == b, "{name:?} differs between two writes");
    }
}

#[test]
fn a_zipf_book_builds_without_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("zipf");
    std::fs::create_dir(&book).unwrap();
    generate::write_book(&book, &BookSpec::new(Script::ArabicZipf, 3)).unwrap();
    let chapter = std::fs::read_to_string(book.join("0001.md")).unwrap();
    for mark in ["# الفصل 1: ", "## ", "- ", "| ", "[^n1]", ".", "،"] {
        assert!(
            chapter.contains(mark),
            "no {mark:?} in chapter 1:\n{chapter}"
        );
    }
    let built = common::build(&book, "zipf");
    let warnings = common::warnings(&built.stderr);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(common::page_count(&built.pdf) >= 3);
}

/// The EPUB and PDF of the book in `dir`, built with the shaping cache on
/// or off, the PDF drawn as layout hands its pages over and kept in
/// temporary files (`streaming`) or once the whole book is laid out and
/// kept in memory; and how many of each one's bytes came in a file.
fn outputs(
    dir: &std::path::Path,
    shaping_cache: bool,
    streaming: bool,
) -> (Vec<(std::path::PathBuf, Vec<u8>)>, Vec<usize>) {
    let options = warraq::BuildOptions {
        shaping_cache,
        streaming,
        ..warraq::BuildOptions::for_book(dir)
    };
    let compiled = warraq::compile(&options).expect("the book builds");
    assert_eq!(compiled.files.len(), 2, "an EPUB and a PDF");
    let in_file = compiled
        .files
        .iter()
        .map(|(_, bytes)| bytes.in_file())
        .collect();
    let files = (compiled.files.into_iter())
        .map(|(path, bytes)| (path, bytes.read().expect("the file reads back")))
        .collect();
    (files, in_file)
}

#[test]
fn the_shaping_cache_and_streaming_change_no_byte() {
    // Both kinds of generated book, one long enough to be laid out in
    // several shares of chapters, for its structure tree's elements to
    // fill one of the chunks the PDF keeps on disk, with their objects'
    // numbers and offsets (a mebibyte; over 1.2 MB of elements at 300
    // chapters), its PDF more than what is gathered
    // before it is written to a file (a mebibyte too) and its EPUB more
    // than what it keeps in memory (a mebibyte; 0.93 MB at 300 chapters,
    // 1.2 at 400); the
    // showcase book: Latin, Cyrillic, Hebrew, harakat, lam-alef, notes, tables, code, kashida justification,
    // a link to a later chapter (made once that chapter's page is drawn); a
    // book in a face with justification alternates; and one whose first page
    // types tatweels (it waits for a kashida drawn with their glyph) and
    // links to a later chapter, which links back; and one whose words
    // change face or element inside them, where a piece's shaping hangs on
    // the letters beside it.
    let seed = write(Script::Arabic, 6);
    let zipf = write(Script::ArabicZipf, 400);
    let jalt = common::repo().join("tests/books/jalt");
    let typed = common::typed_tatweel_book();
    let inside_words = common::folder(&[
        (
            "book.toml",
            "[book]\ntitle = \"كلمات\"\nlanguage = \"ar\"\n".as_bytes(),
        ),
        ("01-words.md", INSIDE_WORDS.as_bytes()),
    ]);
    let books = [
        seed.path(),
        zipf.path(),
        &common::showcase_book(),
        &jalt,
        typed.path(),
        inside_words.path(),
    ];
    for dir in books {
        // The long book's EPUB and PDF, each of more than a mebibyte (what
        // is kept in memory before the rest goes to a file), come in files
        // when streaming; the others' do not.
        let long = dir == zipf.path();
        let (made, in_file) = outputs(dir, true, true);
        assert_eq!(
            in_file.iter().map(|&bytes| bytes > 0).collect::<Vec<_>>(),
            [long, long],
            "{}: bytes of the EPUB and the PDF in a file, {in_file:?}",
            dir.display()
        );
        for (cache, streaming) in [(false, true), (true, false)] {
            let (other, in_file) = outputs(dir, cache, streaming);
            let in_files = in_file.iter().map(|&bytes| bytes > 0).collect::<Vec<_>>();
            assert_eq!(
                in_files,
                [long && streaming; 2],
                "{in_file:?} bytes in files"
            );
            assert_eq!(made.len(), other.len());
            for ((path, a), (_, b)) in made.iter().zip(&other) {
                assert!(
                    a == b,
                    "{} differs with the cache {} and streaming {}",
                    path.display(),
                    if cache { "on" } else { "off" },
                    if streaming { "on" } else { "off" },
                );
            }
        }
    }
}

/// Words whose letters change face or element: bold, italic, a link and a
/// language's span begin or end inside them, so the letters on either side
/// of a piece join it.
const INSIDE_WORDS: &str = "# كلمات\n\n\
    قرأ الطالب الكت**اب** في **مك**تبة الجا*معة* ثم *كتب* رسا**لة** طويـ**ـلة**، \
    وزار [المت](01-words.md)حف و<span lang=\"ar-MA\">المد</span>ينة القديمة، \
    و**كَتَ**بَ المُ*عَلِّ*مُ.\n";

/// Layout flows a share of the chapters at a time (`CHAPTERS_AT_ONCE`)
/// and puts each share on pages while the next is flowed; recording what
/// it sets (`warraq fonts`), it flows them all in one share. The pages are
/// the same: their lines, numbers, kinds and starts, and the bookmarks.
#[test]
fn a_book_laid_out_in_shares_of_chapters_is_laid_out_as_in_one() {
    let zipf = write(Script::ArabicZipf, 70);
    let set = common::typeset(zipf.path());
    let (whole, _) =
        warraq::layout::typeset_recording(&set.document, &set.fonts, &mut Default::default())
            .expect("laid out");
    let dump = |pages| warraq::layout::dump::dump(pages, &set.document);
    assert!(dump(&set.pages) == dump(&whole), "the pages differ");
    assert!(set.pages.skeleton() == whole.skeleton());
    let outline = |pages: &warraq::layout::Pages| format!("{:?}", pages.outline);
    assert_eq!(outline(&set.pages), outline(&whole));
    assert!(
        set.pages.pages.len() > 100,
        "{} pages",
        set.pages.pages.len()
    );
}
