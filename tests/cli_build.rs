//! The command line: what `warraq build` writes, where, and what it says when
//! the input is bad.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{warnings, warraq};

/// Runs `warraq build ARGS…` (with `SOURCE_DATE_EPOCH` set).
fn build(args: &[&Path]) -> Output {
    let mut cmd = warraq();
    cmd.arg("build").args(args);
    cmd.output().expect("run warraq")
}

/// `warraq build BOOK -o OUT_DIR --format FORMAT`.
fn build_to(book: &Path, out_dir: &Path, format: &str) -> Output {
    build(&[
        book,
        Path::new("-o"),
        out_dir,
        Path::new("--format"),
        Path::new(format),
    ])
}

fn build_in(dir: &Path, args: &[&Path]) -> Output {
    let mut cmd = warraq();
    cmd.current_dir(dir).arg("build").args(args);
    cmd.output().expect("run warraq")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "warraq failed ({}):\n{}",
        out.status,
        stderr(out)
    );
}

/// Every file under `dir`, relative to it, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn paths(names: &[&str]) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = names.iter().map(PathBuf::from).collect();
    v.sort();
    v
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let path = entry.path();
        if path.is_file() {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}

/// A book folder `dir/name` holding `files`.
fn book(dir: &Path, name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let book = dir.join(name);
    std::fs::create_dir_all(&book).unwrap();
    common::write_files(&book, files);
    book
}

fn assert_pdf(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"%PDF-"),
        "{} is not a PDF",
        path.display()
    );
    assert!(
        bytes.trim_ascii_end().ends_with(b"%%EOF"),
        "{} is truncated",
        path.display()
    );
}

fn assert_epub(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // A zip whose first entry is the uncompressed `mimetype`.
    assert!(
        bytes.starts_with(b"PK\x03\x04"),
        "{} is not a zip",
        path.display()
    );
    assert_eq!(
        &bytes[30..38],
        b"mimetype",
        "{}: first entry is not mimetype",
        path.display()
    );
    assert_eq!(&bytes[38..58], b"application/epub+zip");
}

#[test]
fn format_all_writes_exactly_the_pdf_and_the_epub() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("out");
    let out = build_to(&common::seed_book(), &out_dir, "all");
    assert_success(&out);
    assert_eq!(files(&out_dir), paths(&["book.epub", "book.pdf"]));
    assert_pdf(&out_dir.join("book.pdf"));
    assert_epub(&out_dir.join("book.epub"));
    // `all` is the default.
    let default_dir = tmp.path().join("default");
    assert_success(&build(&[
        &common::seed_book(),
        Path::new("-o"),
        &default_dir,
    ]));
    assert_eq!(files(&default_dir), paths(&["book.epub", "book.pdf"]));
}

#[test]
fn format_pdf_writes_only_the_pdf() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("out");
    let out = build_to(&common::seed_book(), &out_dir, "pdf");
    assert_success(&out);
    assert_eq!(files(&out_dir), paths(&["book.pdf"]));
    assert_pdf(&out_dir.join("book.pdf"));
}

#[test]
fn default_out_dir_is_book_out_named_after_the_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("mybook");
    copy_dir(&common::seed_book(), &copy);
    let before = files(&copy);
    let out = build(&[&copy, Path::new("--format"), Path::new("pdf")]);
    assert_success(&out);
    let mut expected = before.clone();
    expected.push(PathBuf::from("out/mybook.pdf"));
    expected.sort();
    assert_eq!(files(&copy), expected);
    assert_pdf(&copy.join("out/mybook.pdf"));

    // With no folder at all, the book is the current directory.
    std::fs::remove_dir_all(copy.join("out")).unwrap();
    let out = build_in(&copy, &[Path::new("--format"), Path::new("pdf")]);
    assert_success(&out);
    assert_eq!(files(&copy), expected);
}

#[test]
fn same_source_date_epoch_gives_identical_pdfs() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for dir in [&a, &b] {
        assert_success(&build_to(&common::seed_book(), dir, "pdf"));
    }
    let (pa, pb) = (
        std::fs::read(a.join("book.pdf")).unwrap(),
        std::fs::read(b.join("book.pdf")).unwrap(),
    );
    assert!(pa == pb, "two builds of the seed book differ");
}

/// The PDF's pages, the PDF and the EPUB are kept in temporary files
/// while they are made; where none can be made, in memory: the same bytes,
/// no error. The book is long enough for each to go to a file (each is
/// over a mebibyte).
#[test]
fn a_build_without_temporary_files_writes_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("book");
    let spec = common::generate::BookSpec::new(common::generate::Script::ArabicZipf, 400);
    std::fs::create_dir(&book).unwrap();
    common::generate::write_book(&book, &spec).unwrap();
    let (kept, held) = (tmp.path().join("kept"), tmp.path().join("held"));
    assert_success(&build_to(&book, &kept, "all"));
    let mut cmd = warraq();
    cmd.env("TMPDIR", tmp.path().join("no such folder"));
    cmd.arg("build").arg(&book).arg("-o").arg(&held);
    let out = cmd.output().expect("run warraq");
    assert_success(&out);
    assert!(warnings(&stderr(&out)).is_empty(), "{}", stderr(&out));
    for name in ["book.pdf", "book.epub"] {
        let (a, b) = (
            std::fs::read(kept.join(name)),
            std::fs::read(held.join(name)),
        );
        let a = a.unwrap();
        assert!(a.len() > 1 << 20, "{name}: {} bytes", a.len());
        assert!(a == b.unwrap(), "{name} differs");
    }
}

/// A failed build: non-zero exit (not a crash), an `error:` naming `file`
/// (and `file:line` when `line` is given) on stderr, and no output.
fn assert_fails(out: &Output, file: &Path, line: Option<u32>, out_dir: &Path) {
    let err = stderr(out);
    assert!(
        !out.status.success() && out.status.code().is_some(),
        "expected a failed build, got {}:\n{err}",
        out.status
    );
    assert!(!err.contains("panicked"), "warraq panicked:\n{err}");
    assert!(err.contains("error:"), "no `error:` on stderr:\n{err}");
    let place = match line {
        Some(line) => format!("{}:{line}", file.display()),
        None => file.display().to_string(),
    };
    assert!(err.contains(&place), "stderr does not name {place}:\n{err}");
    assert!(
        files(out_dir).is_empty(),
        "a failed build wrote {:?}",
        files(out_dir)
    );
}

/// Builds the book `dir/name` of `files` into `dir/out`, both outputs, and
/// asserts the build fails naming `file:line` of the book (see
/// [`assert_fails`]).
fn assert_book_fails(dir: &Path, name: &str, files: &[(&str, &[u8])], file: &str, line: u32) {
    let book = book(dir, name, files);
    let out_dir = dir.join("out");
    let out = build_to(&book, &out_dir, "all");
    assert_fails(&out, &book.join(file), Some(line), &out_dir);
}

/// A PNG cut short: its header (and so its size) reads fine, its pixels do
/// not.
fn truncated_png() -> Vec<u8> {
    let png = std::fs::read(common::showcase_book().join("pattern.png")).unwrap();
    png[..png.len() / 2].to_vec()
}

#[test]
fn bad_inputs_fail_naming_the_file_and_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let out_dir = t.join("out");

    // A folder that does not exist.
    let missing = t.join("no-such-book");
    let out = build_to(&missing, &out_dir, "all");
    assert_fails(&out, &missing, None, &out_dir);

    // A folder without Markdown.
    let empty = book(t, "empty", &[("notes.txt", b"not a chapter")]);
    let out = build_to(&empty, &out_dir, "all");
    assert_fails(&out, &empty, None, &out_dir);

    // A picture outside the book folder.
    std::fs::copy(
        common::showcase_book().join("pattern.png"),
        t.join("outside.png"),
    )
    .unwrap();
    assert_book_fails(
        t,
        "outside",
        &[("01.md", "# فصل\n\nنص.\n\n![x](../outside.png)\n".as_bytes())],
        "01.md",
        5,
    );

    // A picture that is not a picture.
    assert_book_fails(
        t,
        "corrupt",
        &[
            ("01.md", "# فصل\n\n![x](bad.png)\n".as_bytes()),
            ("bad.png", b"this is not a PNG"),
        ],
        "01.md",
        3,
    );

    // book.toml that is not TOML, and one with an unknown key.
    assert_book_fails(
        t,
        "bad-toml",
        &[
            ("01.md", "# فصل\n".as_bytes()),
            ("book.toml", b"[book]\ntitle = \"unclosed\n"),
        ],
        "book.toml",
        2,
    );
    assert_book_fails(
        t,
        "unknown-key",
        &[
            ("01.md", "# فصل\n".as_bytes()),
            ("book.toml", b"[book]\ntitle = \"x\"\ntitel = \"y\"\n"),
        ],
        "book.toml",
        3,
    );

    // The out folder was never created.
    assert!(
        !out_dir.exists(),
        "a failed build created {}",
        out_dir.display()
    );
}

#[test]
fn truncated_png_fails_naming_the_chapter() {
    let tmp = tempfile::tempdir().unwrap();
    let png = truncated_png();
    assert_book_fails(
        tmp.path(),
        "broken",
        &[
            ("01.md", "# فصل\n\nنص.\n\n![x](cut.png)\n".as_bytes()),
            ("cut.png", &png),
        ],
        "01.md",
        5,
    );
}

#[test]
fn truncated_jpeg_fails_naming_the_chapter() {
    let tmp = tempfile::tempdir().unwrap();
    let jpeg = std::fs::read(common::seed_book().join("cover.jpg")).unwrap();
    assert_book_fails(
        tmp.path(),
        "broken",
        &[
            ("01.md", "# فصل\n\nنص.\n\n![x](cut.jpg)\n".as_bytes()),
            ("cut.jpg", &jpeg[..2000]),
        ],
        "01.md",
        5,
    );
}

#[test]
fn failed_build_leaves_existing_outputs_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    let old = [
        ("book.pdf", b"%PDF- an older build".as_slice()),
        ("book.epub", b"PK an older build".as_slice()),
    ];
    for (name, bytes) in old {
        std::fs::write(out_dir.join(name), bytes).unwrap();
    }
    let png = truncated_png();
    // Fails while loading (bad book.toml), and later, in the PDF writer,
    // after the EPUB is made (a picture whose pixels are cut short).
    let failing: [&[(&str, &[u8])]; 2] = [
        &[("01.md", "# فصل\n".as_bytes()), ("book.toml", b"[book\n")],
        &[
            ("01.md", "# فصل\n\n![x](cut.png)\n".as_bytes()),
            ("cut.png", &png),
        ],
    ];
    for (i, files_of_book) in failing.iter().enumerate() {
        // Named `book` so that its outputs would replace the old ones.
        let book = book(&tmp.path().join(i.to_string()), "book", files_of_book);
        let out = build(&[&book, Path::new("-o"), &out_dir]);
        assert!(
            !out.status.success(),
            "build {i} should fail:\n{}",
            stderr(&out)
        );
        assert_eq!(
            files(&out_dir),
            paths(&["book.epub", "book.pdf"]),
            "build {i} left files behind"
        );
        for (name, bytes) in old {
            assert_eq!(
                std::fs::read(out_dir.join(name)).unwrap(),
                bytes,
                "build {i} changed {name}"
            );
        }
    }
}

/// The EPUB and the PDF are one transaction: when the PDF (written second)
/// cannot be written — a folder stands where it goes — the EPUB is left as
/// it was, not newer than the PDF; with no EPUB before, none is left.
#[test]
fn failed_second_output_leaves_the_first_as_it_was() {
    let tmp = tempfile::tempdir().unwrap();
    let old_epub = b"PK an older build".as_slice();
    for (i, had_epub) in [true, false].into_iter().enumerate() {
        let out_dir = tmp.path().join(i.to_string());
        std::fs::create_dir_all(out_dir.join("book.pdf")).unwrap();
        if had_epub {
            std::fs::write(out_dir.join("book.epub"), old_epub).unwrap();
        }
        let out = build(&[&common::seed_book(), Path::new("-o"), &out_dir]);
        assert!(!out.status.success(), "build {i} should fail");
        let said = stderr(&out);
        assert!(
            said.contains("error[write-failed]") && said.contains("book.pdf"),
            "build {i} should say it cannot write book.pdf:\n{said}"
        );
        let expected: &[&str] = if had_epub { &["book.epub"] } else { &[] };
        assert_eq!(files(&out_dir), paths(expected), "build {i} left files");
        if had_epub {
            assert_eq!(std::fs::read(out_dir.join("book.epub")).unwrap(), old_epub);
        }
    }
}

#[test]
fn missing_glyphs_warn_with_character_and_place() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("out");
    let book = book(
        tmp.path(),
        "glyphs",
        &[(
            "01.md",
            "# فصل\n\nنص عربي.\n\nحرف تبتي ཀ هنا.\n\nوجه 😀 ضاحك.\n".as_bytes(),
        )],
    );
    let out = build_to(&book, &out_dir, "pdf");
    assert_success(&out);
    assert_eq!(files(&out_dir), paths(&["glyphs.pdf"]));
    let err = stderr(&out);
    let warnings = warnings(&err);
    let chapter = book.join("01.md");
    for (code, place) in [("U+0F40", "5:10"), ("U+1F600", "7:5")] {
        let place = format!("{}:{place}", chapter.display());
        assert!(
            warnings
                .iter()
                .any(|(m, p)| m.contains(code) && *p == place),
            "no warning naming {code} at {place}:\n{err}"
        );
    }
    // Arabic, Latin and digits are all covered: nothing else is reported.
    assert_eq!(warnings.len(), 2, "unexpected warnings:\n{err}");
}

#[test]
fn seed_book_builds_without_warnings() {
    let built = common::seed_pdf();
    assert!(
        !built.stderr.contains("warning:"),
        "the seed book warns:\n{}",
        built.stderr
    );
}

/// The binary allocates with jemalloc, set to hand freed pages back within
/// 300 ms and, on Linux, to ask for huge pages, an arena a core
/// (src/allocator.rs, `SETTINGS`): jemalloc prints its settings when asked to
/// by its environment variable, which glibc's malloc ignores.
#[cfg(not(target_env = "msvc"))]
#[test]
fn the_binary_allocates_with_jemalloc_giving_freed_pages_back_in_huge_pages() {
    let out = warraq()
        .arg("--version")
        .env("_RJEM_MALLOC_CONF", "stats_print:true")
        .output()
        .expect("run warraq");
    assert_success(&out);
    let said = stderr(&out);
    let mut settings = vec!["opt.dirty_decay_ms: 300", "opt.muzzy_decay_ms: 0"];
    if cfg!(target_os = "linux") {
        settings.extend(["opt.thp: \"always\"", "opt.percpu_arena: \"percpu\""]);
    }
    for setting in settings {
        assert!(
            said.contains(setting),
            "jemalloc does not say `{setting}`:\n{}",
            said.lines().take(40).collect::<Vec<_>>().join("\n")
        );
    }
}
