//! Loading book folders: `book.toml`, chapter discovery and the bad-input
//! catalogue, through the public API.

use crate::common;

use std::path::{Path, PathBuf};

use warraq::diag::{Diagnostic, Severity};
use warraq::doc::{
    ChapterStart, Direction, FolioPosition, FrontMatterNumbering, Justify, LayoutSettings,
    Linebreak, Numerals, PageSetup, RunningHead,
};
use warraq::load::{Book, load, load_with_epoch};

/// A temporary folder holding text `files` (see [`common::folder`]).
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let files: Vec<(&str, &[u8])> = files.iter().map(|&(n, t)| (n, t.as_bytes())).collect();
    common::folder(&files)
}

fn load_ok(dir: &Path) -> Book {
    let book = load_with_epoch(dir, None).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !book.config.diagnostics.has_errors(),
        "{}",
        book.config.diagnostics
    );
    book
}

/// The error loading `dir` stops at, or else the first it goes on past.
fn load_err(dir: &Path) -> Diagnostic {
    let err = match load_with_epoch(dir, None) {
        Err(err) => err,
        Ok(book) => book
            .config
            .diagnostics
            .errors()
            .next()
            .cloned()
            .expect("loading should fail"),
    };
    assert_eq!(err.severity, Severity::Error);
    err
}

fn names_file(err: &Diagnostic, file: &Path) -> bool {
    err.file.as_deref() == Some(file)
}

/// A book of one chapter, `a.md`, and `toml` as its `book.toml`.
fn with_toml(toml: &str) -> tempfile::TempDir {
    folder(&[("book.toml", toml), ("a.md", "x")])
}

/// Asserts that loading a book with `toml` (see [`with_toml`]) fails naming
/// `book.toml`, at `line`, with `needle` in the message. Returns the folder
/// and the error, for further checks.
fn toml_error(toml: &str, needle: &str, line: u32) -> (tempfile::TempDir, Diagnostic) {
    let tmp = with_toml(toml);
    let err = load_err(tmp.path());
    assert!(err.message.contains(needle), "{toml}: {err}");
    assert!(
        names_file(&err, &tmp.path().join("book.toml")),
        "{toml}: {err}"
    );
    assert_eq!(err.line, Some(line), "{toml}: {err}");
    (tmp, err)
}

#[test]
fn minimal_book_without_toml() {
    let tmp = folder(&[
        ("b.md", "# ثانياً"),
        ("a.md", "\u{feff}# مقدمة\r\n\r\nنص\r\nسطر"),
        ("Z.md", "z"),
        ("notes.txt", "not a chapter"),
        (".hidden.md", "editor file"),
        ("sub/c.md", "not directly in the folder"),
    ]);
    let book = load_ok(tmp.path());
    assert_eq!(book.dir, tmp.path().canonicalize().unwrap());
    assert_eq!(book.input_dir, tmp.path());
    let paths: Vec<&Path> = book.chapters.iter().map(|c| c.path.as_path()).collect();
    // Byte order: upper case before lower case.
    assert_eq!(
        paths,
        [Path::new("Z.md"), Path::new("a.md"), Path::new("b.md")]
    );
    // BOM stripped, CRLF normalized.
    assert_eq!(&*book.chapters[1].text().unwrap(), "# مقدمة\n\nنص\nسطر");
    let config = &book.config;
    assert_eq!(config.title, None);
    assert!(config.authors.is_empty());
    // The first chapter (Z.md) starts with Latin text.
    assert_eq!(config.language, "en");
    assert_eq!(config.direction, Direction::Ltr);
    assert_eq!(config.timestamp, 0);
    assert_eq!(config.page, PageSetup::default());
}

#[test]
fn arabic_detected_from_first_chapter() {
    let tmp = folder(&[(
        "01.md",
        "<div dir=\"rtl\">\n\n# الفصل الأول\n\nEnglish later",
    )]);
    let book = load_ok(tmp.path());
    assert_eq!(book.config.language, "ar");
    assert_eq!(book.config.direction, Direction::Rtl);
}

#[test]
fn full_book_toml() {
    let toml = r#"
[book]
title = "  كتاب  "
authors = ["مؤلف", " ", "Second"]
language = "fa-IR"
cover = "art/cover.jpg"
chapters = ["./two.md", "part/one.md"]
identifier = "urn:isbn:9780000000001"
date = "2025-11-30"

[pdf]
page = "a4"
margin_inner_mm = 25
bleed_mm = 0
font_size_pt = 11.5
"#;
    let tmp = folder(&[
        ("book.toml", toml),
        ("two.md", "two"),
        ("part/one.md", "one"),
        ("ignored.md", "not listed"),
    ]);
    let book = load_ok(tmp.path());
    let paths: Vec<&Path> = book.chapters.iter().map(|c| c.path.as_path()).collect();
    assert_eq!(paths, [Path::new("two.md"), Path::new("part/one.md")]);
    let c = &book.config;
    assert_eq!(c.title.as_deref(), Some("كتاب"));
    assert_eq!(c.authors, ["مؤلف", "Second"]);
    assert_eq!(c.language, "fa-IR");
    assert_eq!(c.direction, Direction::Rtl);
    assert_eq!(c.cover.as_deref(), Some("art/cover.jpg"));
    assert_eq!(c.cover_line, Some(6));
    assert_eq!(c.identifier.as_deref(), Some("urn:isbn:9780000000001"));
    assert_eq!(c.date.as_deref(), Some("2025-11-30"));
    assert_eq!(c.timestamp, 1_764_460_800);
    assert_eq!(
        c.page,
        PageSetup {
            width_mm: 210.0,
            height_mm: 297.0,
            margin_inner_mm: 25.0,
            margins_given: [false, false, true, false],
            print: warraq::doc::PrintSetup {
                bleed_mm: Some(0.0),
                ..Default::default()
            },
            font_size_pt: 11.5,
            ..PageSetup::default()
        }
    );
}

#[test]
fn toml_dates_and_source_date_epoch() {
    let tmp = with_toml("[book]\ndate = 2000-03-01\n");
    assert_eq!(load_ok(tmp.path()).config.timestamp, 951_868_800);
    // SOURCE_DATE_EPOCH wins over the date.
    let book = load_with_epoch(tmp.path(), Some("1700000000")).unwrap();
    assert_eq!(book.config.timestamp, 1_700_000_000);
    let err = load_with_epoch(tmp.path(), Some("last tuesday")).unwrap_err();
    assert!(err.message.contains("SOURCE_DATE_EPOCH"), "{err}");

    toml_error("[book]\n\ndate = \"2025-02-30\"\n", "date", 3);
}

#[test]
fn page_name_with_matching_size() {
    // As in the README: `page` and the same size spelled out.
    let tmp = with_toml("[pdf]\npage = \"A5\"\nwidth_mm = 148\nheight_mm = 210\n");
    let page = load_ok(tmp.path()).config.page;
    assert_eq!((page.width_mm, page.height_mm), (148.0, 210.0));
    let tmp = with_toml("[pdf]\npage = \"Letter\"\nwidth_mm = 216\n");
    assert_eq!(load_ok(tmp.path()).config.page.width_mm, 216.0);
}

#[test]
fn custom_page_size() {
    let tmp = with_toml("[pdf]\nwidth_mm = 120\nheight_mm = 190.5\n");
    let page = load_ok(tmp.path()).config.page;
    assert_eq!((page.width_mm, page.height_mm), (120.0, 190.5));
}

#[test]
fn bad_page_settings() {
    for (toml, needle, line) in [
        ("[pdf]\npage = \"A9\"\n", "A9", 2),
        ("[pdf]\npage = \"A5\"\nwidth_mm = 100\n", "contradicts", 3),
        (
            "[pdf]\npage = \"letter\"\nheight_mm = 297\n",
            "contradicts",
            3,
        ),
        ("[pdf]\n\nfont_size_pt = 40\n", "font_size_pt", 3),
        ("[pdf]\nfont_size_pt = 5.9\n", "font_size_pt", 2),
        ("[pdf]\nwidth_mm = -3\n", "width_mm", 2),
        ("[pdf]\nheight_mm = nan\n", "height_mm", 2),
        ("[pdf]\nmargin_top_mm = -1\n", "margin_top_mm", 2),
        (
            "[pdf]\nmargin_inner_mm = 70\nmargin_outer_mm = 60\n",
            "text area",
            2,
        ),
        ("[pdf]\nwidth_mm = \"wide\"\n", "width_mm", 2),
    ] {
        toml_error(toml, needle, line);
    }
}

#[test]
fn layout_defaults_follow_the_language() {
    let arabic = load_ok(with_toml("[book]\nlanguage = \"ar\"\n").path());
    assert_eq!(arabic.config.layout.justify, Justify::Kashida);
    assert_eq!(arabic.config.layout.linebreak, Linebreak::TotalFit);
    let english = load_ok(with_toml("[book]\nlanguage = \"en-GB\"\n").path());
    assert_eq!(english.config.layout.justify, Justify::Space);
    assert!(english.config.layout.hyphenate);
}

#[test]
fn layout_section_sets_every_key() {
    let book = load_ok(
        with_toml(
            "[book]\nlanguage = \"ar\"\n[layout]\nlinebreak = \"first-fit\"\njustify = \"space\"\n\
             hyphenate = false\nverso_head = \"chapter\"\nrecto_head = \"none\"\nfolio = \"outer\"\n\
             numerals = \"arabic-indic\"\nfront_matter = \"none\"\nchapter_start = \"recto\"\n",
        )
        .path(),
    );
    assert_eq!(
        book.config.layout,
        LayoutSettings {
            linebreak: Linebreak::FirstFit,
            justify: Justify::Space,
            hyphenate: false,
            verso_head: RunningHead::Chapter,
            recto_head: RunningHead::None,
            folio: FolioPosition::Outer,
            numerals: Numerals::ArabicIndic,
            front_matter: FrontMatterNumbering::None,
            chapter_start: ChapterStart::Recto,
        }
    );
}

#[test]
fn bad_layout_value_lists_the_choices() {
    toml_error(
        "[layout]\n\njustify = \"tatweel\"\n",
        "use one of \"kashida\", \"space\"",
        3,
    );
    toml_error("[layout]\nnumerals = \"roman\"\n", "\"persian\"", 2);
}

#[test]
fn numerals_write_digits() {
    assert_eq!(Numerals::Western.format(2025), "2025");
    assert_eq!(Numerals::ArabicIndic.format(2025), "٢٠٢٥");
    assert_eq!(Numerals::Persian.format(107), "۱۰۷");
}

#[test]
fn missing_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no-such-book");
    let err = load(&missing).unwrap_err();
    assert!(err.message.contains("does not exist"), "{err}");
    assert!(names_file(&err, &missing));
}

#[test]
fn folder_is_a_file() {
    let tmp = folder(&[("a.md", "x")]);
    let file = tmp.path().join("a.md");
    let err = load_err(&file);
    assert!(err.message.contains("not a folder"), "{err}");
}

#[test]
fn no_markdown_files() {
    let tmp = folder(&[("readme.txt", "x"), ("sub/a.md", "nested only")]);
    let err = load_err(tmp.path());
    assert!(err.message.contains("no Markdown files"), "{err}");
    assert!(names_file(&err, tmp.path()));
}

#[test]
fn bad_toml_names_the_line() {
    toml_error(
        "[book]\ntitle = \"ok\"\nauthors = [\"a\",\n\nlanguage = ar\n",
        "book.toml",
        5,
    );
}

#[test]
fn unknown_key_is_named() {
    for (toml, key, line) in [
        ("[book]\ntitle = \"t\"\nsubtitel = \"s\"\n", "subtitel", 3),
        ("[pdf]\npaper = \"A4\"\n", "paper", 2),
        ("[epub]\nx = 1\n", "x", 2),
        ("[ebook]\nx = 1\n", "ebook", 1),
    ] {
        let (_, err) = toml_error(toml, key, line);
        assert_eq!(err.code, warraq::diag::Code::UnknownKey, "{err}");
        let column = toml
            .lines()
            .nth(line as usize - 1)
            .unwrap()
            .find(key)
            .unwrap()
            + 1;
        assert_eq!(err.column, Some(column as u32), "{err}");
    }
}

#[test]
fn bad_language_tag() {
    toml_error("[book]\nlanguage = \"arabic language\"\n", "language", 2);
}

/// A language's name instead of its tag is an error on its line that
/// suggests the tag; a well-formed tag the IANA registry lacks is one too.
#[test]
fn language_names_are_errors_that_suggest_the_tag() {
    for (name, tag) in [
        ("arabic", "ar"),
        ("Arabic", "ar"),
        ("العربية", "ar"),
        ("farsi", "fa"),
        ("Kazakh", "kk"),
        ("english", "en"),
    ] {
        let toml = format!("[book]\ntitle = \"t\"\nlanguage = \"{name}\"\n");
        let (_, err) = toml_error(&toml, &format!("did you mean `language = \"{tag}\"`"), 3);
        assert!(err.message.contains("BCP 47"), "{err}");
    }
    for unregistered in ["zz", "ar-AB", "en-Latx"] {
        toml_error(
            &format!("[book]\nlanguage = \"{unregistered}\"\n"),
            unregistered,
            2,
        );
    }
    let tmp = with_toml("[book]\nlanguage = \"ar_MA\"\n");
    let err = load_err(tmp.path());
    assert!(err.message.contains("`language = \"ar-MA\"`"), "{err}");
}

#[test]
fn listed_chapter_missing() {
    let (tmp, err) = toml_error(
        "[book]\nchapters = [\n  \"a.md\",\n  \"b.md\",\n]\n",
        "does not exist",
        4,
    );
    assert!(
        err.message
            .contains(&tmp.path().join("b.md").display().to_string()),
        "{err}"
    );
}

/// The chapters are read on several threads: of several that cannot be,
/// the first in the book's order is the one reported.
#[test]
fn the_first_missing_chapter_is_reported() {
    let listed: String = (1..=16).map(|k| format!("  \"x{k:02}.md\",\n")).collect();
    let (tmp, err) = toml_error(
        &format!("[book]\nchapters = [\n  \"a.md\",\n{listed}]\n"),
        "does not exist",
        4,
    );
    assert!(
        err.message
            .contains(&tmp.path().join("x01.md").display().to_string()),
        "{err}"
    );
}

#[test]
fn chapter_escaping_the_folder() {
    let outer = folder(&[("x.md", "secret"), ("book/a.md", "x")]);
    let book = outer.path().join("book");
    for (list, line) in [
        ("[\"../x.md\"]", 2),
        ("[\"a.md\",\n \"sub/../../x.md\"]", 3),
        (
            &format!("[{:?}]", outer.path().join("x.md").display().to_string()),
            2,
        ),
    ] {
        std::fs::write(
            book.join("book.toml"),
            format!("[book]\nchapters = {list}\n"),
        )
        .unwrap();
        let err = load_err(&book);
        assert!(
            err.message.contains("outside the book folder") || err.message.contains("absolute"),
            "{err}"
        );
        assert!(names_file(&err, &book.join("book.toml")), "{err}");
        assert_eq!(err.line, Some(line), "{list}: {err}");
    }
    let err = {
        std::fs::write(
            book.join("book.toml"),
            "[book]\nchapters = [\"a.md\", \"./a.md\"]\n",
        )
        .unwrap();
        load_err(&book)
    };
    assert!(err.message.contains("twice"), "{err}");
}

#[cfg(unix)]
#[test]
fn symlinked_chapter_pointing_outside() {
    let outer = folder(&[("secret.md", "secret"), ("book/a.md", "x")]);
    let book = outer.path().join("book");
    std::os::unix::fs::symlink(outer.path().join("secret.md"), book.join("b.md")).unwrap();
    let err = load_err(&book);
    assert!(err.message.contains("outside the book folder"), "{err}");
    assert!(names_file(&err, &book.join("b.md")), "{err}");
}

#[test]
fn non_utf8_chapter() {
    let tmp = folder(&[]);
    std::fs::write(
        tmp.path().join("a.md"),
        b"# ok\n\nline two \xff\xfe latin-1\n",
    )
    .unwrap();
    let err = load_err(tmp.path());
    assert!(err.message.contains("not UTF-8"), "{err}");
    assert!(names_file(&err, &tmp.path().join("a.md")), "{err}");
    assert_eq!(err.line, Some(3));
}

#[test]
fn oversized_chapter() {
    let tmp = folder(&[("a.md", "")]);
    let file = std::fs::File::create(tmp.path().join("big.md")).unwrap();
    file.set_len(50 * 1024 * 1024 + 1).unwrap();
    let err = load_err(tmp.path());
    assert!(err.message.contains("larger than 50 MB"), "{err}");
    assert!(names_file(&err, &tmp.path().join("big.md")), "{err}");
}

#[test]
fn messages_use_the_path_as_given() {
    let tmp = folder(&[("book/a.md", "")]);
    std::fs::write(tmp.path().join("book/a.md"), b"\xff").unwrap();
    let given: PathBuf = tmp.path().join("book").join(".");
    let err = load_err(&given);
    assert_eq!(err.file.as_deref(), Some(given.join("a.md").as_path()));
}

/// A chapter's text is not held once the book is loaded: each parse reads
/// it again from its file, and a file that no longer holds the text first
/// read stops the build, naming it, as the machine's problem (exit 2).
#[test]
fn a_chapter_is_read_again_and_must_not_change_while_the_book_is_built() {
    let tmp = folder(&[("01.md", "# أ\n\nنص"), ("02.md", "# ب\n\nنص آخر")]);
    let book = load_ok(tmp.path());
    let parsed = |book: &Book| warraq::parse::parse(book, &mut Default::default());
    let chapter = tmp.path().join("02.md");

    // Changed after loading: the parse reads the new text and refuses it.
    std::fs::write(&chapter, "# ب\n\nنص غيره").unwrap();
    let err = parsed(&book).expect_err("a changed chapter must stop the build");
    assert_eq!(err.code, warraq::diag::Code::SourceChanged);
    assert_eq!(err.cause, warraq::diag::Cause::Environment);
    assert_eq!(err.severity, Severity::Error);
    assert!(names_file(&err, &tmp.path().join("02.md")), "{err}");
    assert_eq!(
        book.chapters[1].text().map_err(|e| e.code).unwrap_err(),
        warraq::diag::Code::SourceChanged
    );

    // The same text again, however written: read again, it is the text
    // first read.
    std::fs::write(&chapter, "\u{feff}# ب\r\n\r\nنص آخر").unwrap();
    let document = parsed(&book).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(document.chapters[1].title_text(), "ب");
    assert_eq!(&*book.chapters[1].text().unwrap(), "# ب\n\nنص آخر");
    // Messages read the chapters' texts again too.
    assert_eq!(
        document.sources.text(Path::new("01.md")).as_deref(),
        Some("# أ\n\nنص")
    );

    // A save caught halfway, ending inside a letter: changed, not a
    // chapter that is not UTF-8.
    let arabic = "# ب\n\nنص آخر".as_bytes();
    std::fs::write(&chapter, &arabic[..arabic.len() - 1]).unwrap();
    let err = parsed(&book).expect_err("a chapter cut short must stop the build");
    assert_eq!(err.code, warraq::diag::Code::SourceChanged, "{err}");

    // Gone: a read that fails, named.
    std::fs::remove_file(&chapter).unwrap();
    let err = parsed(&book).expect_err("a chapter gone must stop the build");
    assert!(names_file(&err, &tmp.path().join("02.md")), "{err}");
    assert!(document.sources.text(Path::new("02.md")).is_none());
}

/// A chapter that changes once the book is parsed in outline, as layout
/// begins: the build stops with that error alone, whatever it writes. An
/// EPUB alone, which is written without its page list when the print
/// edition cannot be laid out, is not written so for it: that is the
/// book's problem, this the machine's.
#[test]
fn a_chapter_changed_as_layout_begins_stops_the_build_in_every_format() {
    /// Rewrites `0` as layout begins.
    struct ChangedAtLayout(PathBuf);
    impl warraq::Progress for ChangedAtLayout {
        fn stage(&self, stage: warraq::Stage, _: usize) {
            if stage == warraq::Stage::Layout {
                std::fs::write(&self.0, "# ب\n\nنص غيره").unwrap();
            }
        }
        fn step(&self) {}
    }
    for format in [
        warraq::Format::Epub,
        warraq::Format::Pdf,
        warraq::Format::All,
    ] {
        let tmp = folder(&[("01.md", "# أ\n\nنص"), ("02.md", "# ب\n\nنص آخر")]);
        let options = warraq::BuildOptions {
            format,
            ..warraq::BuildOptions::for_book(tmp.path())
        };
        let progress = ChangedAtLayout(tmp.path().join("02.md"));
        let Err(found) = warraq::compile_watched(&options, &progress) else {
            panic!("{format:?}: a chapter changed as layout began must stop the build");
        };
        let codes: Vec<warraq::diag::Code> = found.0.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [warraq::diag::Code::SourceChanged],
            "{format:?}: {found}"
        );
    }
}
