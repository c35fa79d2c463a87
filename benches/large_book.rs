//! Benchmark: build a generated large book (the seed book's chapters, many
//! times over, a few hundred pages) and report the time per build.
//!
//! Run with `cargo bench --bench large_book`. Not a test: timings depend on
//! the machine; compare runs on the same one.

use std::path::Path;
use std::time::{Duration, Instant};

const COPIES: usize = 30;
const RUNS: usize = 5;

fn main() {
    let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("book");
    let dir = tempfile::tempdir().expect("temporary folder");
    let book = dir.path().join("large");
    std::fs::create_dir(&book).expect("book folder");
    let mut chapters: Vec<_> = std::fs::read_dir(&seed)
        .expect("seed book")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    chapters.sort();
    for copy in 0..COPIES {
        for (i, chapter) in chapters.iter().enumerate() {
            let text = std::fs::read_to_string(chapter).expect("chapter");
            // Each chapter three times over, so chapters span several pages.
            let body = format!("{text}\n{}\n{}", strip_heading(&text), strip_heading(&text));
            std::fs::write(book.join(format!("{copy:03}-{i:02}.md")), body).expect("write");
        }
    }
    std::fs::copy(seed.join("cover.jpg"), book.join("cover.jpg")).expect("cover");
    std::fs::write(
        book.join("book.toml"),
        "[book]\ntitle = \"كتاب كبير\"\nauthors = [\"ورّاق\"]\nlanguage = \"ar\"\ncover = \"cover.jpg\"\n",
    )
    .expect("book.toml");

    let options = warraq::BuildOptions {
        book_dir: book.clone(),
        out_dir: Some(dir.path().join("out")),
        format: warraq::Format::All,
    };
    let mut times: Vec<Duration> = Vec::new();
    let mut pages = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let report = warraq::build(&options).expect("the large book builds");
        times.push(start.elapsed());
        pages = report.pdf_pages;
    }
    times.sort();
    println!(
        "large book: {} chapters, {pages} pages; build (EPUB + PDF) min {:.0} ms, median {:.0} ms over {RUNS} runs",
        COPIES * chapters.len(),
        times[0].as_secs_f64() * 1000.0,
        times[RUNS / 2].as_secs_f64() * 1000.0,
    );
}

fn strip_heading(text: &str) -> &str {
    text.split_once('\n').map_or(text, |(_, rest)| rest)
}
