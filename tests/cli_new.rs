//! `warraq new`: the book it writes builds without a warning into a valid
//! EPUB and PDF, shows a footnote, a list and a table, and it never writes
//! into a folder that holds something.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::epub::{assert_epubcheck_clean, unzip};
use common::{arg, warraq};

/// The artwork stays small enough to sit in a repository happily.
const MAX_COVER_BYTES: usize = 100 * 1024;

/// Exit status for usage errors (README, "Using it").
const EXIT_USAGE: i32 = 2;

fn new_book(dir: &Path, args: &[&str]) -> Output {
    warraq()
        .arg("new")
        .arg(dir)
        .args(args)
        .output()
        .expect("run warraq")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every file under `dir` with its bytes, sorted by path.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                files.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

/// `warraq new` then `warraq build`: no warning, EPUBCheck and qpdf find
/// nothing wrong, and the chapters show a footnote, a list and a table.
fn new_then_build(lang: &str, rtl: bool) {
    let tmp = tempfile::tempdir().unwrap();
    // Parents are created too.
    let book = tmp.path().join("books").join(lang);
    let out = new_book(&book, &["--lang", lang]);
    let said = stderr(&out);
    assert!(out.status.success(), "warraq new failed:\n{said}");
    assert!(
        said.contains(&format!("warraq build {}", book.display())),
        "warraq new does not say what to run next:\n{said}"
    );
    for name in ["book.toml", "01-welcome.md", "02-elements.md", "cover.png"] {
        assert!(
            said.contains(&book.join(name).display().to_string()),
            "{name} not listed:\n{said}"
        );
    }
    let gitignore = std::fs::read_to_string(book.join(".gitignore")).unwrap();
    assert!(gitignore.lines().any(|line| line.trim() == "out/"));
    let cover = std::fs::read(book.join("cover.png")).unwrap();
    assert!(
        cover.starts_with(b"\x89PNG\r\n\x1a\n"),
        "cover.png is not a PNG"
    );
    assert!(
        cover.len() < MAX_COVER_BYTES,
        "cover.png is {} bytes",
        cover.len()
    );

    let built = warraq().arg("build").arg(&book).output().unwrap();
    let said = stderr(&built);
    assert!(built.status.success(), "warraq build failed:\n{said}");
    assert!(
        !said.contains("warning"),
        "the new book builds with warnings:\n{said}"
    );

    let epub = std::fs::read(book.join("out").join(format!("{lang}.epub"))).unwrap();
    assert_epubcheck_clean(&format!("new-{lang}.epub"), &epub);
    let pdf = book.join("out").join(format!("{lang}.pdf"));
    if common::have_tools(&["qpdf"]) {
        let check = common::run_ok("qpdf", &["--check", arg(&pdf)]);
        assert!(
            check.contains("No syntax or stream encoding errors found"),
            "qpdf --check:\n{check}"
        );
    }

    let chapters: Vec<String> = unzip(&epub)
        .into_iter()
        .filter(|(name, _, _)| name.ends_with(".xhtml"))
        .map(|(_, _, bytes)| String::from_utf8(bytes).unwrap())
        .collect();
    let with_notes = chapters
        .iter()
        .find(|xhtml| xhtml.contains("doc-footnote"))
        .unwrap_or_else(|| panic!("no chapter with a footnote in the {lang} EPUB"));
    assert!(with_notes.contains("<li"), "no list beside the footnote");
    assert!(
        with_notes.contains("<table"),
        "no table beside the footnote"
    );
    assert_eq!(
        with_notes.contains("dir=\"rtl\""),
        rtl,
        "direction of the {lang} chapter"
    );
}

#[test]
fn a_new_arabic_book_builds_cleanly() {
    new_then_build("ar", true);
}

#[test]
fn a_new_english_book_builds_cleanly() {
    new_then_build("en", false);
}

#[test]
fn new_refuses_a_folder_that_holds_something() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("notes");
    std::fs::create_dir(&book).unwrap();
    std::fs::write(book.join("book.toml"), "[book]\ntitle = \"Mine\"\n").unwrap();
    let before = snapshot(tmp.path());

    let out = new_book(&book, &[]);
    assert_eq!(out.status.code(), Some(EXIT_USAGE), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&book.display().to_string()),
        "the message does not name the folder:\n{}",
        stderr(&out)
    );
    assert_eq!(snapshot(tmp.path()), before, "warraq new changed files");

    // A file where the folder should be.
    let file = tmp.path().join("chapter.md");
    std::fs::write(&file, "# Mine\n").unwrap();
    let before = snapshot(tmp.path());
    let out = new_book(&file, &["--lang", "en"]);
    assert_eq!(out.status.code(), Some(EXIT_USAGE), "{}", stderr(&out));
    assert_eq!(snapshot(tmp.path()), before, "warraq new changed files");
}

/// An empty folder is fine, and the same language gives the same bytes.
#[test]
fn new_writes_into_an_empty_folder_the_same_bytes() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    for dir in [first.path(), second.path()] {
        let out = new_book(dir, &["--lang", "en"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let relative = |dir: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        snapshot(dir)
            .into_iter()
            .map(|(path, bytes)| (path.strip_prefix(dir).unwrap().to_path_buf(), bytes))
            .collect()
    };
    let files = relative(first.path());
    assert_eq!(
        files.len(),
        5,
        "{:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    assert!(files == relative(second.path()), "two runs differ");
}
