//! Helpers shared by the integration tests (`mod common;` in `suite.rs` and
//! `one_thread.rs`): the policy for external validators, running them, and
//! building the books once per test process, laying them out in process to
//! read the page model; [`epub`] has the EPUB tests' own, [`generate`]
//! writes large books and [`refs`] compares with committed references.
//!
//! `one_thread.rs` compiles all of it and uses only some, hence the
//! `allow(dead_code)` (it covers the submodules too).
#![allow(dead_code)]

pub mod browser;
pub mod epub;
pub mod generate;
pub mod refs;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The timestamp every test build uses (2025-11-30 00:00:00 UTC).
pub const SOURCE_DATE_EPOCH: &str = "1764460800";

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The seed book (`book/`).
pub fn seed_book() -> PathBuf {
    repo().join("book")
}

/// The second test book: lists, a table, footnotes, code, raw HTML, Cyrillic.
pub fn showcase_book() -> PathBuf {
    repo().join("tests/books/showcase")
}

/// Tatweels typed in the book ([`TYPED_TATWEELS`]), in a first chapter
/// that links to the third paragraph of the kashida book, whose four
/// paragraphs (justified with kashidas) follow, the third linking back.
pub fn typed_tatweel_book() -> tempfile::TempDir {
    let mut files = vec![
        (
            "book.toml".to_string(),
            b"[book]\ntitle = \"tatweel\"\nlanguage = \"ar\"\n".to_vec(),
        ),
        (
            "01-typed.md".to_string(),
            format!(
                "# مثال\n\nكلمة {} في {} و{}، انظر [الفقرة الثالثة](103-paragraph.md).\n",
                TYPED_TATWEELS[0], TYPED_TATWEELS[1], TYPED_TATWEELS[2]
            )
            .into_bytes(),
        ),
    ];
    for entry in std::fs::read_dir(kashida_book()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            let name = format!("1{}", path.file_name().unwrap().to_string_lossy());
            let mut text = std::fs::read(&path).unwrap();
            if name == "103-paragraph.md" {
                text.extend("\nارجع إلى [المثال](01-typed.md).\n".as_bytes());
            }
            files.push((name, text));
        }
    }
    let files: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
        .collect();
    folder(&files)
}

/// The words with typed tatweels of [`typed_tatweel_book`]: the second
/// one's glyph is one the book's kashidas are drawn with, the others' (three
/// tatweels drawn as one glyph) not.
pub const TYPED_TATWEELS: [&str; 3] = ["طويـــلة", "مـدينة", "جميـــل"];

/// Four paragraphs justified with kashidas (seed book words in random
/// order).
pub fn kashida_book() -> PathBuf {
    repo().join("tests/books/kashida-copy")
}

/// The `warraq` binary cargo built for these tests.
pub fn warraq() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_warraq"));
    cmd.env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH);
    cmd
}

// ---------------------------------------------------------------------------
// External tools.

/// Whether this run allows a missing validator to skip a test
/// (`WARRAQ_ALLOW_SKIP=1`); `.ci/run` never sets it, so there, and in any
/// run that does not ask, a missing validator fails the test.
fn skipping_allowed() -> bool {
    std::env::var("WARRAQ_ALLOW_SKIP").is_ok_and(|v| v == "1")
}

fn on_path(tool: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| {
        let file = dir.join(tool);
        file.is_file()
            && std::fs::metadata(&file).is_ok_and(|m| {
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    m.permissions().mode() & 0o111 != 0
                }
                #[cfg(not(unix))]
                {
                    let _ = m;
                    true
                }
            })
    })
}

/// The validator policy, for anything a test needs from outside: `found` is
/// the thing (`what`) or why it is missing. When it is missing the test
/// fails, unless the run allows skipping (`WARRAQ_ALLOW_SKIP=1`): then this
/// prints `SKIPPED: <what>: <why>` and returns `None`, and the test should
/// return without asserting anything.
pub fn require<T>(what: &str, found: Result<T, String>) -> Option<T> {
    match found {
        Ok(found) => Some(found),
        Err(why) if skipping_allowed() => {
            announce_skip(what, &why);
            None
        }
        Err(why) => panic!(
            "{what} is required: {why} (set WARRAQ_ALLOW_SKIP=1 to skip the tests that need it)"
        ),
    }
}

/// Tells of a skip where `cargo test` shows it: `eprintln!` goes to the
/// test harness's capture, which prints only a failing test's output, so
/// this writes to the process's stderr directly, past the capture.
fn announce_skip(what: &str, why: &str) {
    use std::io::Write as _;
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    // A failed write to stderr leaves nothing better to tell it to.
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {what}: {why}");
}

/// [`require`] for commands on `PATH`: `true` when every tool is installed.
pub fn have_tools(tools: &[&str]) -> bool {
    tools.iter().all(|tool| {
        let found = if on_path(tool) {
            Ok(())
        } else {
            Err("not installed".to_string())
        };
        require(tool, found).is_some()
    })
}

/// Runs `program args…`, panicking if it cannot be started.
pub fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"))
}

/// Runs `program args…`, asserts it exits 0 and returns its stdout as UTF-8.
pub fn run_ok(program: &str, args: &[&str]) -> String {
    String::from_utf8(run_ok_bytes(program, args))
        .unwrap_or_else(|e| panic!("`{program} {}` printed invalid UTF-8: {e}", args.join(" ")))
}

/// Runs `program args…` and returns what it printed, panicking unless it
/// succeeds.
pub fn run_ok_bytes(program: &str, args: &[&str]) -> Vec<u8> {
    let out = run(program, args);
    assert!(
        out.status.success(),
        "`{program} {}` failed ({}):\n{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A path as a `&str` argument for the tools.
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

// ---------------------------------------------------------------------------
// Text.

/// Bidi controls (Unicode's `Bidi_Control`): those `pdftotext` wraps
/// right-to-left and numeric text in (LRM, RLM, LRE…RLO, LRI…PDI), and
/// [`ARABIC_LETTER_MARK`].
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, ARABIC_LETTER_MARK | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// What the invisible glyph a right-to-left line starting with punctuation
/// draws first copies out as where a reader keeps it (poppler, MuPDF; see
/// `mark_direction` in `src/pdf/text.rs`): U+061C ARABIC LETTER MARK.
/// Extracted text is compared without it.
pub const ARABIC_LETTER_MARK: char = '\u{061C}';

/// What an inserted kashida copies out as where a reader keeps it
/// (poppler, MuPDF): U+200D ZERO WIDTH JOINER, an invisible "these letters
/// join" (pdf.js drops it). Extracted text is compared without it.
pub const KASHIDA_JOINER: char = '\u{200D}';

/// What the invisible glyph that carries a kerning gap past pdf.js copies
/// out as where a reader keeps it (poppler, MuPDF): U+2060 WORD JOINER
/// (pdf.js drops it). Extracted text is compared without it.
pub const WORD_JOINER: char = '\u{2060}';

/// What the text layer's invisible glyphs copy out as where a reader
/// keeps them (pdf.js drops them): [`WORD_JOINER`], [`KASHIDA_JOINER`],
/// [`ARABIC_LETTER_MARK`].
pub const INVISIBLE_GLYPHS: [char; 3] = [WORD_JOINER, KASHIDA_JOINER, ARABIC_LETTER_MARK];

/// Whether `c` reads as nothing: a bidi control or one of
/// [`INVISIBLE_GLYPHS`].
pub fn is_invisible(c: char) -> bool {
    is_bidi_control(c) || INVISIBLE_GLYPHS.contains(&c)
}

/// `s` without whitespace and what [`is_invisible`] finds. Extracted text is
/// compared in this form: `pdftotext` puts spaces wherever a gap between
/// glyphs is wide (Amiri leaves wide gaps after ز, ر, و… so «رؤية» comes
/// out as «رؤ ية»), lines wrap anywhere, and justified spaces are only gaps.
pub fn squash(s: &str) -> String {
    s.chars()
        .filter(|&c| !c.is_whitespace() && !is_invisible(c))
        .collect()
}

/// The folder of the pdf.js extractor (`tests/pdfjs`).
fn pdfjs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pdfjs")
}

/// [`require`] for pdf.js: Node.js, and the pinned `pdfjs-dist` that `npm
/// ci --prefix tests/pdfjs` installs (`.ci/run` does).
pub fn have_pdfjs() -> bool {
    let installed = pdfjs_dir().join("node_modules/pdfjs-dist").is_dir();
    have_tools(&["node"]) && have(installed, "pdf.js", "run `npm ci --prefix tests/pdfjs`")
}

/// Whether `what` is `installed`; if not, the test fails saying `hint`
/// (or is skipped, see [`require`]).
fn have(installed: bool, what: &str, hint: &str) -> bool {
    require(
        what,
        installed.then_some(()).ok_or_else(|| hint.to_string()),
    )
    .is_some()
}

/// The text pdf.js gives `pdf`, as its viewer copies it (see
/// `tests/pdfjs/extract.mjs`): pages end in a form feed.
pub fn pdfjs_text(pdf: &Path) -> String {
    let script = pdfjs_dir().join("extract.mjs");
    run_ok("node", &[arg(&script), arg(pdf)])
}

/// Whether PyMuPDF (a current MuPDF, pinned by `.ci/run`) is there.
pub fn have_pymupdf() -> bool {
    let installed = Command::new("python3")
        .args(["-c", "import pymupdf"])
        .output()
        .is_ok_and(|out| out.status.success());
    have(
        installed,
        "PyMuPDF",
        "run `pip install pymupdf` (see .ci/run)",
    )
}

/// The text a current MuPDF gives `pdf` (see `tests/mupdf/extract.py`):
/// pages end in a form feed.
pub fn pymupdf_text(pdf: &Path) -> String {
    let script = repo().join("tests/mupdf/extract.py");
    run_ok("python3", &[arg(&script), arg(pdf)])
}

/// What pdf.js says while it reads `pdf` as its viewer would (see
/// `tests/pdfjs/check.mjs`): one warning a line; empty when it says
/// nothing.
pub fn pdfjs_warnings(pdf: &Path) -> String {
    let script = pdfjs_dir().join("check.mjs");
    run_ok("node", &[arg(&script), arg(pdf)])
}

/// `warning[code]:` messages on stderr, each with its `--> place` (or "").
pub fn warnings(stderr: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = stderr.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter_map(|(i, line)| {
            let (_, message) = line.strip_prefix("warning[")?.split_once("]: ")?;
            let place = lines
                .get(i + 1)
                .and_then(|next| next.trim().strip_prefix("--> "))
                .unwrap_or_default();
            Some((message.to_string(), place.to_string()))
        })
        .collect()
}

/// `pdftotext` output of pages `first..=last` (1-based) of `pdf`; `layout`
/// adds `-layout` (keeps each printed line, e.g. a contents entry with its
/// page number, on one output line).
pub fn pdftotext(pdf: &Path, pages: Option<(usize, usize)>, layout: bool) -> String {
    let mut args: Vec<String> = vec!["-enc".into(), "UTF-8".into()];
    if layout {
        args.push("-layout".into());
    }
    if let Some((first, last)) = pages {
        args.extend([
            "-f".into(),
            first.to_string(),
            "-l".into(),
            last.to_string(),
        ]);
    }
    args.push(arg(pdf).into());
    args.push("-".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_ok("pdftotext", &args)
}

/// The number of pages of `pdf`, from `pdfinfo`.
pub fn page_count(pdf: &Path) -> usize {
    let info = run_ok("pdfinfo", &[arg(pdf)]);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("pdfinfo gave no page count:\n{info}"))
}

// ---------------------------------------------------------------------------
// The books' sources.

/// `book.toml` of a book folder.
pub fn book_toml(book: &Path) -> toml::Table {
    let text = std::fs::read_to_string(book.join("book.toml")).unwrap();
    text.parse().unwrap_or_else(|e| panic!("book.toml: {e}"))
}

/// `[book] title`.
pub fn toml_title(book: &Path) -> String {
    book_toml(book)["book"]["title"]
        .as_str()
        .expect("book.toml has a title")
        .to_string()
}

/// `[book] authors`.
pub fn toml_authors(book: &Path) -> Vec<String> {
    book_toml(book)["book"]["authors"]
        .as_array()
        .expect("book.toml lists authors")
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

/// One chapter file, split into Markdown blocks.
#[derive(Debug, Clone)]
pub struct ChapterSource {
    pub file: String,
    /// The first `# ` heading, without the `# `.
    pub title: String,
    /// Every block (headings without their `#`s, paragraphs), in order; each
    /// block's lines joined with a space.
    pub blocks: Vec<String>,
}

/// The chapters of a book, in `book.toml` order, read straight from the
/// Markdown files (not through warraq). Good for books of headings and plain
/// paragraphs, like the seed book.
pub fn chapters(book: &Path) -> Vec<ChapterSource> {
    let toml = book_toml(book);
    toml["book"]["chapters"]
        .as_array()
        .expect("book.toml lists the chapters")
        .iter()
        .map(|file| {
            let file = file.as_str().unwrap().to_string();
            let text = std::fs::read_to_string(book.join(&file)).unwrap();
            let blocks: Vec<String> = text
                .split("\n\n")
                .map(|block| {
                    let block = block.trim();
                    let block = block.trim_start_matches('#').trim_start();
                    block.lines().map(str::trim).collect::<Vec<_>>().join(" ")
                })
                .filter(|b| !b.is_empty())
                .collect();
            let title = text
                .lines()
                .find_map(|l| l.strip_prefix("# "))
                .unwrap_or_else(|| panic!("{file} has no `# ` heading"))
                .trim()
                .to_string();
            ChapterSource {
                file,
                title,
                blocks,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Books and pictures made by the tests.

/// Writes `files` (path relative to `dir`, contents) under `dir`, creating
/// the folders on the way.
pub fn write_files(dir: &Path, files: &[(&str, &[u8])]) {
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// A temporary folder holding `files` (see [`write_files`]).
pub fn folder(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    write_files(tmp.path(), files);
    tmp
}

/// Sentences generated books are made of (no digits in them).
pub const ARABIC_SENTENCE: &str = "يشهد العالم تحولات متسارعة في السياسة والاقتصاد والثقافة، \
    وتبرز العلاقات بين البلدين نموذجا للتعاون المبني على الاحترام المتبادل والرؤية المشتركة.";
pub const ENGLISH_SENTENCE: &str = "The world is changing quickly in politics, economics and \
    culture, and the ties between the two countries stand out as a model of cooperation.";

/// A book of chapters titled `titles[i]` with `paragraphs[i]` paragraphs of
/// a sentence said six times, in Arabic or English, with `layout` as its
/// `[layout]` table and `title` as its title.
pub fn generated_book(
    arabic: bool,
    title: &str,
    layout: &str,
    titles: &[&str],
    paragraphs: &[usize],
) -> tempfile::TempDir {
    let (language, sentence) = if arabic {
        ("ar", ARABIC_SENTENCE)
    } else {
        ("en", ENGLISH_SENTENCE)
    };
    let paragraph = [sentence; 6].join(" ");
    let mut files: Vec<(String, String)> = titles
        .iter()
        .zip(paragraphs)
        .enumerate()
        .map(|(i, (heading, &count))| {
            let body = vec![paragraph.as_str(); count].join("\n\n");
            (
                format!("{:02}.md", i + 1),
                format!("# {heading}\n\n{body}\n"),
            )
        })
        .collect();
    let chapters: Vec<String> = files.iter().map(|(n, _)| format!("{n:?}")).collect();
    files.push((
        "book.toml".into(),
        format!(
            "[book]\ntitle = {title:?}\nauthors = [\"A\"]\nlanguage = \"{language}\"\n\
             chapters = [{}]\n\n[layout]\n{layout}\n",
            chapters.join(", ")
        ),
    ));
    let files: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_bytes()))
        .collect();
    folder(&files)
}

/// `image` encoded as `format` (PNG, JPEG).
pub fn encode(image: &image::RgbImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, format).unwrap();
    out.into_inner()
}

// ---------------------------------------------------------------------------
// Building the books once per test process.

/// A folder for the outputs of the test file that calls (`tests/booklet.rs`
/// gives `booklet`), in this process's [`process_scratch`]: the test files
/// are modules of one binary, and two of them may name an output alike.
/// The helpers that build into it pass their caller's place on
/// (`track_caller`), so the folder is the test file's, not theirs.
#[track_caller]
pub fn scratch() -> PathBuf {
    let file = Path::new(std::panic::Location::caller().file());
    let dir = process_scratch().join(file.file_stem().expect("a source file"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A folder for this test process's outputs, under cargo's scratch folder
/// for integration tests (`target/tmp`). Folders left by earlier runs whose
/// process is gone are removed.
fn process_scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("warraq-tests");
        std::fs::create_dir_all(&root).unwrap();
        if Path::new("/proc/self").exists() {
            for entry in std::fs::read_dir(&root).unwrap().flatten() {
                let name = entry.file_name();
                let Some(pid) = name.to_str().and_then(|n| n.rsplit('-').next()) else {
                    continue;
                };
                // An hour old too, in case another PID namespace shares the
                // folder.
                let old = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age.as_secs() > 3600);
                if old && pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists() {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        let exe = std::env::current_exe().unwrap();
        let stem = exe.file_stem().unwrap().to_string_lossy().into_owned();
        let dir = root.join(format!("{stem}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

/// One book built by the `warraq` binary.
#[derive(Debug)]
pub struct Built {
    pub out_dir: PathBuf,
    pub pdf: PathBuf,
    /// What the build printed on stderr (warnings, `wrote …`).
    pub stderr: String,
}

impl Built {
    /// The EPUB, written by [`build`] and [`browser::build_epub`] (not by
    /// [`build_pdf`]).
    pub fn epub(&self) -> PathBuf {
        self.pdf.with_extension("epub")
    }
}

/// Builds `book`'s PDF into the folder `out` of [`scratch`].
#[track_caller]
pub fn build_pdf(book: &Path, out: &str) -> Built {
    build_formats(book, out, &["--format", "pdf"])
}

/// Builds `book`'s PDF and EPUB into the folder `out` of [`scratch`].
#[track_caller]
pub fn build(book: &Path, out: &str) -> Built {
    let built = build_formats(book, out, &[]);
    let epub = built.epub();
    assert!(
        epub.is_file(),
        "warraq build did not write {}",
        epub.display()
    );
    built
}

/// `warraq build book -o out args…`, asserting it succeeds and writes the
/// PDF (named, as warraq names it, after the book's folder).
#[track_caller]
pub fn build_formats(book: &Path, out: &str, args: &[&str]) -> Built {
    let built = run_build(book, out, args);
    assert!(
        built.pdf.is_file(),
        "warraq build did not write {}",
        built.pdf.display()
    );
    built
}

/// `warraq build book -o out args…` into the folder `out` of [`scratch`],
/// asserting it succeeds; what it writes is for the caller to check.
#[track_caller]
pub fn run_build(book: &Path, out: &str, args: &[&str]) -> Built {
    let out_dir = scratch().join(out);
    let output = warraq()
        .arg("build")
        .arg(book)
        .arg("-o")
        .arg(&out_dir)
        .args(args)
        .output()
        .expect("run warraq");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "warraq build {} failed ({}):\n{stderr}",
        book.display(),
        output.status
    );
    let name = book.file_name().expect("a book folder").to_string_lossy();
    let pdf = out_dir.join(format!("{name}.pdf"));
    Built {
        out_dir,
        pdf,
        stderr,
    }
}

/// The seed book's PDF, built once per test process.
pub fn seed_pdf() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| build_pdf(&seed_book(), "book"))
}

/// The showcase book's PDF, built once per test process.
pub fn showcase_pdf() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| build_pdf(&showcase_book(), "showcase"))
}

// ---------------------------------------------------------------------------
// Books laid out in this process, for reading the page model.

/// A book folder laid out by the library: its document, fonts and pages.
pub struct Typeset {
    pub document: warraq::doc::Document,
    pub fonts: warraq::fonts::FontLibrary,
    pub pages: warraq::layout::Pages,
}

impl Typeset {
    /// The book's PDF, from these very pages.
    pub fn pdf(&self) -> Vec<u8> {
        warraq::pdf::write(&self.document, &self.fonts, self.pages.clone())
            .expect("the PDF is written")
            .read()
            .expect("the PDF reads back")
    }

    /// Lines of running text on page `index` (0-based).
    pub fn lines(&self, index: usize) -> Vec<warraq::layout::dump::TextLine<'_>> {
        warraq::layout::dump::text_lines(&self.pages, &self.document, index)
    }

    /// The index of the first page whose running text contains `needle`
    /// (compared without whitespace: lines break anywhere).
    pub fn page_with(&self, needle: &str) -> Option<usize> {
        let needle = squash(needle);
        (0..self.pages.pages.len()).find(|&index| {
            let text: String = self.lines(index).iter().map(|l| l.text()).collect();
            squash(&text).contains(&needle)
        })
    }

    /// The index of the page where chapter `n` (1-based) starts.
    pub fn chapter_start(&self, n: usize) -> usize {
        self.pages
            .outline
            .iter()
            .filter(|entry| entry.level == 1)
            .nth(n - 1)
            .unwrap_or_else(|| panic!("the book has no chapter {n}"))
            .page
    }
}

/// Lays out the book in `dir` (with [`SOURCE_DATE_EPOCH`]), panicking on
/// errors.
pub fn typeset(dir: &Path) -> Typeset {
    let book = warraq::load::load_with_epoch(dir, Some(SOURCE_DATE_EPOCH))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut warnings = warraq::diag::Diagnostics::default();
    let document = warraq::parse::parse(&book, &mut warnings)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let fonts = warraq::fonts::FontLibrary::for_book(&document.fonts)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let pages = warraq::layout::typeset(&document, &fonts, &mut warnings)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    Typeset {
        document,
        fonts,
        pages,
    }
}

/// A copy of the book in `dir` (its top folder's files) with `layout` as
/// its `book.toml`'s `[layout]` table, which it must not have.
pub fn with_layout(dir: &Path, layout: &str) -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, copy.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let toml = std::fs::read_to_string(dir.join("book.toml")).unwrap();
    assert!(
        !toml.contains("[layout]"),
        "{}: has a [layout]",
        dir.display()
    );
    std::fs::write(
        copy.path().join("book.toml"),
        format!("{toml}\n[layout]\n{layout}\n"),
    )
    .unwrap();
    copy
}

/// The English test book (`tests/books/english`): a short briefing with
/// long words, notes, a list and a quote.
pub fn english_book() -> PathBuf {
    repo().join("tests/books/english")
}

// ---------------------------------------------------------------------------
// Page numbers.

/// `n` in lower-case roman numerals, as a viewer shows a `/r` page label;
/// written out, not computed, so that it is no copy of what it checks
/// (front matter is a few pages).
pub fn roman(n: u32) -> String {
    const ROMAN: [&str; 12] = [
        "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii",
    ];
    ROMAN
        .get(n.wrapping_sub(1) as usize)
        .unwrap_or_else(|| panic!("no roman numeral written out for {n}"))
        .to_string()
}

/// The page labels of `pdf` as a viewer shows them, one a page, from
/// `qpdf --json` (ranges with a style, a start and a prefix; qpdf writes
/// text strings as `u:…`).
pub fn page_labels(pdf: &Path) -> Vec<String> {
    let json = run_ok("qpdf", &["--json", "--json-key=pagelabels", arg(pdf)]);
    let field = |entry: &str, key: &str| -> Option<String> {
        let rest = entry.split(&format!("\"{key}\": ")).nth(1)?;
        let value = rest
            .split([',', '\n', '}'])
            .next()?
            .trim()
            .trim_matches('"');
        Some(value.strip_prefix("u:").unwrap_or(value).to_string())
    };
    // (first page index, style, start, prefix)
    let ranges: Vec<(usize, Option<String>, u32, String)> = json
        .split("\"index\": ")
        .skip(1)
        .map(|entry| {
            let index = entry
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("qpdf: a page label without an index: {entry}"));
            let start = field(entry, "/St")
                .and_then(|s| s.parse().ok())
                .unwrap_or(1);
            (
                index,
                field(entry, "/S"),
                start,
                field(entry, "/P").unwrap_or_default(),
            )
        })
        .collect();
    (0..page_count(pdf))
        .map(|page| {
            let Some((first, style, start, prefix)) =
                ranges.iter().rev().find(|(first, ..)| *first <= page)
            else {
                return String::new();
            };
            let value = start + (page - first) as u32;
            let number = match style.as_deref() {
                Some("/D") => value.to_string(),
                Some("/r") => roman(value),
                Some(other) => panic!("unexpected page label style {other}"),
                None => String::new(),
            };
            format!("{prefix}{number}")
        })
        .collect()
}

/// `s` with Arabic-Indic (٠–٩) and Persian (۰–۹) digits turned into 0–9.
pub fn western_digits(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            c => c,
        })
        .collect()
}

/// The folio printed on a page, from the page's `pdftotext -layout` text:
/// its last non-empty line when that is one number (in any digits) or a
/// lower-case roman numeral.
pub fn printed_folio(page_text: &str) -> Option<String> {
    let line = page_text.lines().rev().find(|l| !squash(l).is_empty())?;
    let word = squash(line);
    let digits = western_digits(&word);
    let is_number = digits.chars().all(|c| c.is_ascii_digit());
    let is_roman = word.chars().all(|c| "ivxlcdm".contains(c));
    (is_number || is_roman).then_some(word)
}

// ---------------------------------------------------------------------------
// Word boxes, read back from a PDF by poppler.

/// A word as `pdftotext -bbox` finds it: its page (1-based) and box in
/// points, origin at the top left.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    pub page: usize,
    pub x_min: f32,
    pub y_min: f32,
    pub x_max: f32,
    pub y_max: f32,
    pub text: String,
}

/// Every word of `pdf`, page by page, in poppler's reading order.
pub fn words(pdf: &Path) -> Vec<Word> {
    read_words(pdf, None)
}

/// The words of page `page` (1-based) of `pdf`, in poppler's reading order.
pub fn page_words(pdf: &Path, page: usize) -> Vec<Word> {
    read_words(pdf, Some(page))
}

/// `pdftotext -bbox` of all of `pdf`, or of one page.
fn read_words(pdf: &Path, only: Option<usize>) -> Vec<Word> {
    let only_page = only.map(|page| page.to_string());
    let mut args = vec!["-bbox", "-enc", "UTF-8"];
    if let Some(page) = &only_page {
        args.extend(["-f", page, "-l", page]);
    }
    args.extend([arg(pdf), "-"]);
    let html = run_ok("pdftotext", &args);
    let attribute = |tag: &str, name: &str| -> f32 {
        let key = format!("{name}=\"");
        let start = tag.find(&key).map(|at| at + key.len()).unwrap_or_else(|| {
            panic!("no {name} in `{tag}`");
        });
        let end = start + tag[start..].find('"').expect("a closing quote");
        tag[start..end].parse().expect("a number")
    };
    let mut words = Vec::new();
    // Pages are counted from the first one written.
    let mut page = only.map_or(0, |page| page - 1);
    for line in html.lines().map(str::trim) {
        if line.starts_with("<page ") {
            page += 1;
        } else if let Some(rest) = line.strip_prefix("<word ") {
            let (tag, rest) = rest.split_once('>').expect("a word tag");
            let text = rest.strip_suffix("</word>").unwrap_or(rest);
            // The word joiners and right-to-left marks are invisible (see
            // [`WORD_JOINER`], [`ARABIC_LETTER_MARK`]); a mark alone is
            // no word.
            let text = text.replace([WORD_JOINER, ARABIC_LETTER_MARK], "");
            if text.is_empty() {
                continue;
            }
            words.push(Word {
                page,
                x_min: attribute(tag, "xMin"),
                y_min: attribute(tag, "yMin"),
                x_max: attribute(tag, "xMax"),
                y_max: attribute(tag, "yMax"),
                text: text
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&quot;", "\"")
                    .replace("&amp;", "&"),
            });
        }
    }
    words
}

// ---------------------------------------------------------------------------
// Pages rendered by poppler.

/// Page `page` (1-based) of `pdf` rendered by `pdftoppm` at `dpi` as a PNG,
/// with `colour` its colour option (`-gray`, or none for RGB).
fn render(pdf: &Path, page: usize, dpi: f32, colour: &[&str]) -> image::DynamicImage {
    let dir = tempfile::tempdir().unwrap();
    let stem = dir.path().join("page");
    let (page, dpi) = (page.to_string(), dpi.to_string());
    let mut args = vec!["-r", &dpi];
    args.extend(colour);
    args.extend([
        "-png",
        "-singlefile",
        "-f",
        &page,
        "-l",
        &page,
        arg(pdf),
        arg(&stem),
    ]);
    run_ok("pdftoppm", &args);
    image::open(stem.with_extension("png")).expect("the rendered page")
}

/// Page `page` (1-based) of `pdf` rendered in grey at `dpi`.
pub fn render_gray(pdf: &Path, page: usize, dpi: f32) -> image::GrayImage {
    render(pdf, page, dpi, &["-gray"]).to_luma8()
}

/// Page `page` (1-based) of `pdf` rendered in colour at `dpi`.
pub fn render_rgb(pdf: &Path, page: usize, dpi: f32) -> image::RgbImage {
    render(pdf, page, dpi, &[]).to_rgb8()
}

// ---------------------------------------------------------------------------
// Link annotations.

/// A rectangle in PDF points, y down from the media box's top (as mupdf
/// and `pdftotext -bbox` give them).
#[derive(Debug, Clone, Copy)]
pub struct Area {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

#[allow(dead_code)]
impl Area {
    pub fn overlaps_vertically(&self, other: &Area) -> bool {
        self.y < other.y + other.height && other.y < self.y + self.height
    }
    pub fn near(&self, other: &Area) -> bool {
        [
            (self.x, other.x),
            (self.y, other.y),
            (self.width, other.width),
            (self.height, other.height),
        ]
        .iter()
        .all(|(a, b)| (a - b).abs() < 0.5)
    }
    /// Whether `other`'s centre lies inside this area.
    pub fn holds_centre_of(&self, other: &Area) -> bool {
        let (x, y) = (other.x + other.width / 2.0, other.y + other.height / 2.0);
        self.x <= x && x <= self.x + self.width && self.y <= y && y <= self.y + self.height
    }
}

/// The words of page `page` (1-based) with their areas, from
/// `pdftotext -bbox`; poppler writes right-to-left words reversed, so each
/// is turned back.
pub fn word_areas(pdf: &Path, page: usize) -> Vec<(String, Area)> {
    page_words(pdf, page)
        .into_iter()
        .map(|word| {
            let area = Area {
                x: word.x_min,
                y: word.y_min,
                width: word.x_max - word.x_min,
                height: word.y_max - word.y_min,
            };
            (word.text.chars().rev().collect(), area)
        })
        .collect()
}

/// Where a link annotation leads.
#[derive(Debug, Clone, PartialEq)]
pub enum Leads {
    /// A web or mail address.
    Uri(String),
    /// A page of the PDF, by its object number.
    Page(String),
}

/// The object number of page `page` (1-based), from `mutool show pages`.
pub fn page_object(pdf: &Path, page: usize) -> String {
    run_ok("mutool", &["show", arg(pdf), "pages"])
        .lines()
        .find_map(|l| l.strip_prefix(&format!("page {page} = ")))
        .and_then(|r| r.split_whitespace().next())
        .expect("the page's object")
        .to_string()
}

/// The link annotations of page `page` (1-based): where each leads and its
/// area, read with `mutool show`.
pub fn link_annotations(pdf: &Path, page: usize) -> Vec<(Leads, Area)> {
    let show = |object: &str| run_ok("mutool", &["show", "-g", arg(pdf), object]);
    let page_dict = show(&page_object(pdf, page));
    // `[…]` after a key, as numbers or references.
    let array = |dict: &str, key: &str| -> Vec<String> {
        dict.split(key)
            .nth(1)
            .and_then(|rest| rest.trim_start().strip_prefix('['))
            .and_then(|rest| rest.split(']').next())
            .map(|inside| inside.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default()
    };
    let number = |n: &String| n.parse::<f32>().unwrap();
    let top = number(&array(&page_dict, "/MediaBox")[3]);
    array(&page_dict, "/Annots")
        .chunks(3)
        .filter_map(|reference| {
            let annot = show(&reference[0]);
            if !annot.contains("/Subtype/Link") && !annot.contains("/Subtype /Link") {
                return None;
            }
            let leads = match annot.split("/URI(").nth(1) {
                Some(rest) => Leads::Uri(rest.split(')').next()?.to_string()),
                None => {
                    // `/Dest [page /XYZ …]`, or a reference to that array.
                    let mut dest = array(&annot, "/Dest");
                    if dest.is_empty() {
                        let reference = annot.split("/Dest").nth(1)?.split_whitespace().next()?;
                        let shown = show(reference);
                        let inside = shown.split('[').nth(1)?.split(']').next()?;
                        dest = inside.split_whitespace().map(str::to_string).collect();
                    }
                    Leads::Page(dest.first()?.clone())
                }
            };
            let r: Vec<f32> = array(&annot, "/Rect").iter().map(number).collect();
            let area = Area {
                x: r[0],
                y: top - r[3],
                width: r[2] - r[0],
                height: r[3] - r[1],
            };
            Some((leads, area))
        })
        .collect()
}

/// Every text and path fill MuPDF reports: (colour space, components).
pub fn fills(pdf: &Path) -> Vec<(String, String)> {
    fills_of(pdf, "1-N")
}

/// [`fills`] on `pages` only (as mutool names them: `2-N`).
pub fn fills_of(pdf: &Path, pages: &str) -> Vec<(String, String)> {
    let trace = run_ok("mutool", &["trace", arg(pdf), pages]);
    trace
        .lines()
        .filter(|l| l.starts_with("<fill_text") || l.starts_with("<fill_path"))
        .map(|l| {
            let attr = |name: &str| {
                l.split(&format!(" {name}=\""))
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .unwrap_or_default()
                    .to_string()
            };
            (attr("colorspace"), attr("color"))
        })
        .collect()
}
