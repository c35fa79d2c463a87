//! Benchmark (divan): builds of generated books — the seed book's chapters
//! cycled (few word forms) and Zipf-distributed Arabic prose (the word forms
//! of real prose), with headings, notes, lists and tables, see
//! `tests/common/generate.rs` — of 10, 100 and 1,000 chapters: the whole
//! build and each stage of it; and books of one huge paragraph (2.5, 5 and
//! 10 MB: the paragraph engine must stay linear).
//!
//! Run with `cargo bench --bench large_book` (`-- seed` and the like pick
//! benchmarks by name). Not a test: timings depend on the machine; compare
//! runs on the same one. `bench/run` times whole builds of the `warraq`
//! binary, with peak memory, beside pandoc → Typst.

// The benchmark uses only the Arabic books.
#[allow(dead_code)]
#[path = "../tests/common/generate.rs"]
mod generate;

// The binary's allocator and its settings: the stages are timed as the
// binary runs them.
#[path = "../src/allocator.rs"]
mod allocator;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use divan::Bencher;
use generate::{BookSpec, Script};
use warraq::diag::Diagnostics;
use warraq::{BuildOptions, Format, Prepared, epub, layout, load, parse, pdf};

fn main() {
    divan::main();
}

/// Book sizes, in chapters (about 27, 250 and 2,500 A5 pages).
const CHAPTERS: [usize; 3] = [10, 100, 1000];

/// The kinds of book, by name.
const KINDS: [&str; 2] = ["seed", "zipf"];

/// Paragraph sizes in bytes.
const PARAGRAPHS: [usize; 3] = [2_621_440, 5_242_880, 10_485_760];

/// Generated books, each written once into a folder that lives as long as
/// the benchmark.
static BOOKS: LazyLock<Mutex<HashMap<String, PathBuf>>> = LazyLock::new(Default::default);
static SCRATCH: LazyLock<tempfile::TempDir> =
    LazyLock::new(|| tempfile::tempdir().expect("a temporary folder"));

/// The folder of the book `name`, written by `write` the first time.
fn book(name: &str, write: impl FnOnce(&Path) -> std::io::Result<()>) -> PathBuf {
    let mut books = BOOKS.lock().expect("the books");
    books
        .entry(name.to_string())
        .or_insert_with(|| {
            let dir = SCRATCH.path().join(name);
            std::fs::create_dir(&dir).expect("a book folder");
            write(&dir).expect("the generated book");
            dir
        })
        .clone()
}

/// The generated book of `kind` with `chapters` chapters.
fn generated(kind: &str, chapters: usize) -> PathBuf {
    let script = match kind {
        "seed" => Script::Arabic,
        _ => Script::ArabicZipf,
    };
    book(&format!("{kind}-{chapters}"), |dir| {
        let spec = BookSpec {
            cover: true,
            ..BookSpec::new(script, chapters)
        };
        generate::write_book(dir, &spec)
    })
}

/// Options building `dir`'s EPUB and PDF into memory.
fn options(dir: &Path) -> BuildOptions {
    BuildOptions {
        out_dir: Some(SCRATCH.path().join("out")),
        format: Format::All,
        ..BuildOptions::for_book(dir)
    }
}

/// The book in `dir` loaded and parsed, with its fonts.
fn prepared(dir: &Path) -> Prepared {
    warraq::prepare(
        &options(dir),
        &warraq::progress::Unwatched,
        &mut Diagnostics::default(),
        &mut Vec::new(),
    )
    .expect("the generated book loads")
}

/// The book in `dir` laid out: its document, fonts and print pages.
fn laid_out(
    dir: &Path,
) -> (
    warraq::doc::Document,
    warraq::fonts::FontLibrary,
    layout::Pages,
) {
    let Prepared {
        document, fonts, ..
    } = prepared(dir);
    let pages = layout::typeset(&document, &fonts, &mut Diagnostics::default()).expect("pages");
    (document, fonts, pages)
}

/// Samples of a build: a 1,000-chapter book takes seconds.
const SAMPLES: u32 = 3;

/// The whole build, EPUB and PDF, in memory (as `warraq check` and, but for
/// writing the files, `warraq build`).
#[divan::bench(consts = CHAPTERS, args = KINDS, sample_count = SAMPLES, sample_size = 1)]
fn build<const N: usize>(bencher: Bencher, kind: &str) {
    let dir = generated(kind, N);
    bencher.bench(|| warraq::compile(&options(&dir)).expect("the book builds"));
}

/// Reading the book folder.
#[divan::bench(consts = CHAPTERS, args = KINDS, sample_count = SAMPLES, sample_size = 1)]
fn stage_load<const N: usize>(bencher: Bencher, kind: &str) {
    let dir = generated(kind, N);
    bencher.bench(|| load::load(&dir).expect("the book loads"));
}

/// Markdown to the document.
#[divan::bench(consts = CHAPTERS, args = KINDS, sample_count = SAMPLES, sample_size = 1)]
fn stage_parse<const N: usize>(bencher: Bencher, kind: &str) {
    let loaded = load::load(&generated(kind, N)).expect("the book loads");
    bencher.bench(|| parse::parse(&loaded, &mut Diagnostics::default()).expect("it parses"));
}

/// Shaping, line breaking and pagination: the print edition's pages. Each
/// sample starts with an empty shaping cache, as a build does.
#[divan::bench(consts = CHAPTERS, args = KINDS, sample_count = SAMPLES, sample_size = 1)]
fn stage_layout<const N: usize>(bencher: Bencher, kind: &str) {
    let Prepared {
        document, fonts, ..
    } = prepared(&generated(kind, N));
    bencher.with_inputs(|| fonts.clone()).bench_refs(|fonts| {
        layout::typeset(&document, fonts, &mut Diagnostics::default()).expect("it lays out")
    });
}

/// Writing the PDF from the pages.
#[divan::bench(consts = CHAPTERS, args = KINDS, sample_count = SAMPLES, sample_size = 1)]
fn stage_pdf<const N: usize>(bencher: Bencher, kind: &str) {
    let (document, fonts, pages) = laid_out(&generated(kind, N));
    bencher
        .with_inputs(|| pages.clone())
        .bench_values(|pages| pdf::write(&document, &fonts, pages).expect("a PDF"));
}

/// Writing the EPUB (with the print edition's page-list).
#[divan::bench(consts = CHAPTERS, args = KINDS, sample_count = SAMPLES, sample_size = 1)]
fn stage_epub<const N: usize>(bencher: Bencher, kind: &str) {
    let (document, fonts, pages) = laid_out(&generated(kind, N));
    let skeleton = pages.skeleton();
    bencher.bench(|| {
        epub::write(
            &document,
            &fonts,
            Some(&skeleton),
            &mut Diagnostics::default(),
        )
        .expect("an EPUB")
    });
}

/// A book of one paragraph of `BYTES` bytes, built whole.
#[divan::bench(consts = PARAGRAPHS, sample_count = SAMPLES, sample_size = 1)]
fn one_paragraph<const BYTES: usize>(bencher: Bencher) {
    let dir = book(&format!("paragraph-{BYTES}"), |dir| {
        generate::write_one_paragraph_book(dir, BYTES)
    });
    bencher.bench(|| warraq::compile(&options(&dir)).expect("the book builds"));
}
