//! Benchmark: build generated large books (the seed book's chapters cycled,
//! with headings, notes, lists and tables; see `tests/common/generate.rs`)
//! and books of one huge paragraph (2.5, 5 and 10 MB: the paragraph engine
//! must stay linear), and report the time per build.
//!
//! Run with `cargo bench --bench large_book`. Not a test: timings depend on
//! the machine; compare runs on the same one.

// The benchmark uses only the Arabic book.
#[allow(dead_code)]
#[path = "../tests/common/generate.rs"]
mod generate;

use std::time::{Duration, Instant};

use generate::{BookSpec, Script};

/// (chapters, builds timed): about 440 and 2,000 pages.
const CASES: [(usize, usize); 2] = [(180, 5), (830, 3)];

/// (paragraph size in bytes, builds timed).
const PARAGRAPHS: [(usize, usize); 3] = [(2_621_440, 3), (5_242_880, 3), (10_485_760, 3)];

/// Builds `options` `runs` times: the sorted times and the page count.
fn time_builds(options: &warraq::BuildOptions, runs: usize) -> (Vec<Duration>, usize) {
    let mut times: Vec<Duration> = Vec::new();
    let mut pages = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let report = warraq::build(options).expect("the generated book builds");
        times.push(start.elapsed());
        pages = report.pdf_pages;
    }
    times.sort();
    (times, pages)
}

fn main() {
    for (bytes, runs) in PARAGRAPHS {
        let dir = tempfile::tempdir().expect("temporary folder");
        let book = dir.path().join("paragraph");
        std::fs::create_dir(&book).expect("book folder");
        generate::write_one_paragraph_book(&book, bytes).expect("write the generated book");
        let options = warraq::BuildOptions {
            book_dir: book.clone(),
            out_dir: Some(dir.path().join("out")),
            format: warraq::Format::All,
        };
        let (times, pages) = time_builds(&options, runs);
        println!(
            "one paragraph of {:.1} MB, {pages} pages; build (EPUB + PDF) min {:.0} ms, median {:.0} ms over {runs} runs",
            bytes as f64 / 1_048_576.0,
            times[0].as_secs_f64() * 1000.0,
            times[runs / 2].as_secs_f64() * 1000.0,
        );
    }
    for (chapters, runs) in CASES {
        let dir = tempfile::tempdir().expect("temporary folder");
        let book = dir.path().join("large");
        std::fs::create_dir(&book).expect("book folder");
        let spec = BookSpec {
            cover: true,
            ..BookSpec::new(Script::Arabic, chapters)
        };
        generate::write_book(&book, &spec).expect("write the generated book");

        let options = warraq::BuildOptions {
            book_dir: book.clone(),
            out_dir: Some(dir.path().join("out")),
            format: warraq::Format::All,
        };
        let (times, pages) = time_builds(&options, runs);
        println!(
            "large book: {chapters} chapters, {pages} pages; build (EPUB + PDF) min {:.0} ms, median {:.0} ms over {runs} runs",
            times[0].as_secs_f64() * 1000.0,
            times[runs / 2].as_secs_f64() * 1000.0,
        );
    }
}
