//! Benchmark: build generated large books (the seed book's chapters cycled,
//! or Zipf-distributed Arabic prose of the same shape, with headings, notes,
//! lists and tables; see `tests/common/generate.rs`)
//! and books of one huge paragraph (2.5, 5 and 10 MB: the paragraph engine
//! must stay linear), and report the time per build.
//!
//! Run with `cargo bench --bench large_book`. Not a test: timings depend on
//! the machine; compare runs on the same one. `bench/run` times whole builds
//! of the `warraq` binary, with peak memory, beside pandoc → Typst.

// The benchmark uses only the Arabic books.
#[allow(dead_code)]
#[path = "../tests/common/generate.rs"]
mod generate;

use std::time::{Duration, Instant};

use generate::{BookSpec, Script};

/// (kind of book, chapters, builds timed): about 440 and 2,000 pages.
const CASES: [(Script, usize, usize); 4] = [
    (Script::Arabic, 180, 5),
    (Script::ArabicZipf, 180, 5),
    (Script::Arabic, 830, 3),
    (Script::ArabicZipf, 830, 3),
];

/// (paragraph size in bytes, builds timed).
const PARAGRAPHS: [(usize, usize); 3] = [(2_621_440, 3), (5_242_880, 3), (10_485_760, 3)];

/// Writes a book with `write` into a temporary folder, builds it (EPUB and
/// PDF) `runs` times and prints `what` it is, its pages and the times.
fn bench(what: &str, runs: usize, write: impl FnOnce(&std::path::Path) -> std::io::Result<()>) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let book = dir.path().join("book");
    std::fs::create_dir(&book).expect("book folder");
    write(&book).expect("write the generated book");
    let options = warraq::BuildOptions {
        book_dir: book,
        out_dir: Some(dir.path().join("out")),
        format: warraq::Format::All,
        pdf_preset: None,
        pdf_standard: None,
        shaping_cache: true,
    };
    let mut times: Vec<Duration> = Vec::new();
    let mut pages = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let report = warraq::build(&options).expect("the generated book builds");
        times.push(start.elapsed());
        pages = report.pdf_pages;
    }
    times.sort();
    println!(
        "{what}, {pages} pages; build (EPUB + PDF) min {:.0} ms, median {:.0} ms over {runs} runs",
        times[0].as_secs_f64() * 1000.0,
        times[runs / 2].as_secs_f64() * 1000.0,
    );
}

fn main() {
    for (bytes, runs) in PARAGRAPHS {
        let what = format!("one paragraph of {:.1} MB", bytes as f64 / 1_048_576.0);
        bench(&what, runs, |book| {
            generate::write_one_paragraph_book(book, bytes)
        });
    }
    for (script, chapters, runs) in CASES {
        let spec = BookSpec {
            cover: true,
            ..BookSpec::new(script, chapters)
        };
        let what = format!("large book ({script:?}): {chapters} chapters");
        bench(&what, runs, |book| generate::write_book(book, &spec));
    }
}
