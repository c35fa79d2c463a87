//! The inputs that made a fuzz target crash or hang (committed under
//! `tests/fuzz-regressions/<target>/` once fixed), and the targets' seeds
//! (`fuzz/seeds/<target>/`), replayed on stable through the same code the
//! targets run (`fuzz/harness.rs`).

use crate::common;

use crate::harness;

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The fuzzers' `-timeout`: an input slower than this counts as a hang.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The committed inputs of target `name`: its regressions, then its
/// seeds, each in file-name order.
fn inputs(name: &str) -> Vec<PathBuf> {
    let mut all = Vec::new();
    for dir in ["tests/fuzz-regressions", "fuzz/seeds"] {
        let dir = common::repo().join(dir).join(name);
        let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("a readable entry").path())
            .filter(|path| path.file_name().is_some_and(|n| n != ".gitkeep"))
            .collect();
        inputs.sort();
        all.extend(inputs);
    }
    assert!(!all.is_empty(), "no inputs for {name}");
    all
}

/// Runs every committed input of target `name` through `target`, each in
/// under [`TIMEOUT`].
fn replay(name: &str, target: fn(&[u8])) {
    for input in inputs(name) {
        let bytes = std::fs::read(&input).unwrap();
        let start = Instant::now();
        target(&bytes);
        let took = start.elapsed();
        assert!(took < TIMEOUT, "{}: took {took:?}", input.display());
        eprintln!("{}: {took:?}", input.display());
    }
}

#[test]
fn markdown() {
    replay("markdown", harness::markdown);
}

#[test]
fn book_toml() {
    replay("book_toml", harness::book_toml);
}

#[test]
fn picture() {
    replay("picture", harness::picture);
}
