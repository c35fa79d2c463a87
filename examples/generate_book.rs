//! Writes a generated book (see `tests/common/generate.rs`) for `bench/run`
//! and prints its words and word forms.
//!
//! `cargo run --release --example generate_book -- KIND CHAPTERS DIR`, KIND
//! `seed` (the seed book's chapters cycled) or `zipf` (Zipf-distributed
//! Arabic prose); DIR must exist. Prints `WORDS FORMS`, tab-separated.

#[allow(dead_code)]
#[path = "../tests/common/generate.rs"]
mod generate;

use std::path::PathBuf;
use std::process::ExitCode;

use generate::{BookSpec, Script};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [kind, chapters, dir] = args.as_slice() else {
        eprintln!("usage: generate_book seed|zipf CHAPTERS DIR");
        return ExitCode::from(2);
    };
    let script = match kind.as_str() {
        "seed" => Script::Arabic,
        "zipf" => Script::ArabicZipf,
        _ => {
            eprintln!("generate_book: KIND is seed or zipf, not {kind}");
            return ExitCode::from(2);
        }
    };
    let Ok(chapters) = chapters.parse() else {
        eprintln!("generate_book: CHAPTERS is a number, not {chapters}");
        return ExitCode::from(2);
    };
    let dir = PathBuf::from(dir);
    let written = generate::write_book(&dir, &BookSpec::new(script, chapters))
        .and_then(|()| generate::word_forms(&dir, usize::MAX));
    match written {
        Ok((words, forms)) => {
            println!("{words}\t{forms}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("generate_book: {}: {error}", dir.display());
            ExitCode::FAILURE
        }
    }
}
