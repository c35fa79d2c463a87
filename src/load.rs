//! Stage 1: read a book folder (`book.toml`, the Markdown chapters) into memory.
//!
//! Everything that can be decided without parsing Markdown is decided here:
//! which files are chapters (and that they stay inside the folder), the
//! language and direction, the timestamp and the page geometry. Title and
//! identifier fall back to the first heading, so [`crate::parse`] resolves
//! those.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Code, Diagnostic, Diagnostics, Result};
use crate::doc::{
    AccessibilityConfig, BookletSetup, ChapterStart, CoverFit, Direction, Flip, FolioPosition,
    FrontMatterNumbering, Justify, LayoutSettings, Linebreak, Numerals, PageSetup, Paper,
    PrintPreset, RunningHead, SourcePos,
};
use crate::pdf::standard::PdfStandard;

pub mod assets;

use assets::Assets;

/// Files larger than this are refused (chapters, `book.toml`, pictures).
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;

/// The name of the optional configuration file inside a book folder.
pub const CONFIG_FILE: &str = "book.toml";

/// A book folder as read from disk, before any parsing.
#[derive(Debug, Clone)]
pub struct Book {
    /// The book folder, canonicalized.
    pub dir: PathBuf,
    /// The book folder as the user gave it; messages name files under it.
    pub input_dir: PathBuf,
    pub config: BookConfig,
    /// The chapters, in reading order.
    pub chapters: Vec<SourceFile>,
    /// The pictures and fonts the book uses.
    pub assets: Assets,
}

impl Book {
    /// Lets go of the chapters' texts read from files: each is read again
    /// when next asked for ([`SourceFile::text`]).
    fn let_go_of_texts(&mut self) {
        for chapter in &mut self.chapters {
            if let Text::Read { held, .. } = &mut chapter.text {
                *held = None;
            }
        }
    }

    /// A path inside the book, spelled as the user would type it (the folder
    /// as given, joined with `rel`), for diagnostics.
    pub fn display_path(&self, rel: impl AsRef<Path>) -> PathBuf {
        shown_path(&self.input_dir, rel)
    }
}

/// `rel` inside the book folder `dir` as the user gave it: `01.md`, not
/// `./01.md`, when warraq runs in the book folder.
pub fn shown_path(dir: &Path, rel: impl AsRef<Path>) -> PathBuf {
    if dir == Path::new(".") {
        rel.as_ref().to_path_buf()
    } else {
        dir.join(rel)
    }
}

/// One Markdown file, read and normalized (no BOM, `\n` line endings).
#[derive(Debug, Clone, PartialEq)]
pub struct SourceFile {
    /// Relative to the book folder, normalized (no `.` or `..`), e.g. `01-intro.md`.
    pub path: PathBuf,
    text: Text,
}

/// A chapter's text. Read from a file, it is held while the book is
/// loaded, then let go and read again each time the chapter is parsed:
/// a long book's sources are not held to the end of the build (1.7 KB a
/// page).
#[derive(Debug, Clone, PartialEq)]
enum Text {
    /// Made in memory (a test's book): always held.
    Made(Arc<str>),
    Read {
        held: Option<Arc<str>>,
        file: Origin,
    },
}

/// The file a chapter's text was read from, and how to know the text again.
#[derive(Debug, Clone, PartialEq)]
struct Origin {
    /// Canonical, and as messages name it.
    real: PathBuf,
    shown: PathBuf,
    /// The text's length and hash as first read.
    len: usize,
    hash: u64,
}

impl SourceFile {
    /// A chapter made in memory, its text always held.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        SourceFile {
            path: path.into(),
            text: Text::Made(text.into()),
        }
    }

    /// The text: held, or read again from its file. A file that no longer
    /// holds the text first read is an error: the chapter changed while
    /// the book was being built, and the parts of the book made from each
    /// reading would disagree.
    pub fn text(&self) -> Result<Arc<str>> {
        let file = match &self.text {
            Text::Made(text)
            | Text::Read {
                held: Some(text), ..
            } => return Ok(Arc::clone(text)),
            Text::Read { held: None, file } => file,
        };
        let changed = || {
            Diagnostic::error(
                Code::SourceChanged,
                format!(
                    "{} changed while the book was being built",
                    file.shown.display()
                ),
            )
            .in_file(&file.shown)
            .with_hint("build the book again")
            .of_environment()
        };
        // Read whole and as UTF-8 the first time: a text that is no longer
        // (a save caught halfway, ending inside a character) has changed;
        // a file that cannot be read is told as such.
        let text = read_text_file(&file.real, &file.shown).map_err(|error| match error.code {
            Code::ReadFailed => error,
            _ => changed(),
        })?;
        match text.len() == file.len && hash_of(&text) == file.hash {
            true => Ok(text.into()),
            false => Err(changed()),
        }
    }
}

/// A hash that tells a file's text from an edited one.
fn hash_of(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    text.hash(&mut hasher);
    hasher.finish()
}

/// `book.toml`, validated, with the defaults that need no Markdown parsing
/// already applied.
#[derive(Debug, Clone, PartialEq)]
pub struct BookConfig {
    /// `[book] title`; `None` when absent (the first heading of the first
    /// chapter, else the folder name, is used — see `parse`).
    pub title: Option<String>,
    pub authors: Vec<String>,
    /// BCP 47 tag: from `book.toml`, else detected from the first chapter
    /// (`ar` when its first strong character is Arabic script, else `en`).
    pub language: String,
    /// Derived from the language's primary subtag.
    pub direction: Direction,
    /// Cover picture, relative to the book folder as written in `book.toml`.
    pub cover: Option<String>,
    /// Line of the `cover` key in `book.toml`, for messages.
    pub cover_line: Option<u32>,
    /// `[book] identifier`; `None` when absent (`parse` derives a UUID v5).
    pub identifier: Option<String>,
    /// `[book] date` as `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Seconds since the Unix epoch: `SOURCE_DATE_EPOCH`, else `date` at
    /// 00:00 UTC, else 0. Never the current time.
    pub timestamp: i64,
    /// Whether `timestamp` was given (`SOURCE_DATE_EPOCH` or `date`) rather
    /// than 0 for want of one: only a given date is printed on a cover.
    pub dated: bool,
    /// `[pdf]`, validated.
    pub page: PageSetup,
    /// `[layout]`, validated, over the language's defaults.
    pub layout: LayoutSettings,
    /// The text of `book.toml` (empty when absent), for messages that point
    /// at a character in it (one of the title's, say).
    pub source: String,
    /// `[book] subtitle`, `publisher`, `keywords`.
    pub subtitle: Option<String>,
    pub publisher: Option<String>,
    /// `[book] issuer` and `classification`, for the cover.
    pub issuer: Option<String>,
    pub classification: Option<String>,
    pub keywords: Vec<String>,
    /// `[book] description`: a paragraph about the book.
    pub description: Option<String>,
    /// `[book] isbn`, digits only; `None` when absent or not a valid ISBN
    /// (then `warnings` says so).
    pub isbn: Option<String>,
    /// `[epub] accessibility_summary` and `certified_by`.
    pub accessibility: AccessibilityConfig,
    /// `[book] script_languages`: the language of words in each other
    /// script (ISO 15924 code → BCP 47 tag), validated.
    pub script_languages: BTreeMap<String, String>,
    /// What is wrong in `book.toml` but does not stop loading: warnings,
    /// and errors (unknown keys) the rest of the book is checked past.
    pub diagnostics: Diagnostics,
}

impl Default for BookConfig {
    fn default() -> Self {
        BookConfig {
            title: None,
            authors: Vec::new(),
            language: "en".to_string(),
            direction: Direction::Ltr,
            cover: None,
            cover_line: None,
            identifier: None,
            date: None,
            timestamp: 0,
            dated: false,
            page: PageSetup::default(),
            layout: LayoutSettings::default(),
            source: String::new(),
            subtitle: None,
            publisher: None,
            issuer: None,
            classification: None,
            keywords: Vec::new(),
            description: None,
            isbn: None,
            accessibility: AccessibilityConfig::default(),
            script_languages: BTreeMap::new(),
            diagnostics: Diagnostics::default(),
        }
    }
}

/// Reads the book folder `dir`. `SOURCE_DATE_EPOCH` is taken from the
/// environment.
pub fn load(dir: &Path) -> Result<Book> {
    let epoch = std::env::var_os("SOURCE_DATE_EPOCH");
    let epoch = match &epoch {
        Some(value) => Some(value.to_str().ok_or_else(|| {
            Diagnostic::error(
                Code::SourceDateEpoch,
                "SOURCE_DATE_EPOCH is not valid text; it must be an integer",
            )
        })?),
        None => None,
    };
    load_with_epoch(dir, epoch)
}

/// [`load`], with the value of `SOURCE_DATE_EPOCH` given explicitly.
pub fn load_with_epoch(dir: &Path, source_date_epoch: Option<&str>) -> Result<Book> {
    let meta = std::fs::metadata(dir).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Diagnostic::error(
                Code::BookFolder,
                format!("book folder {} does not exist", dir.display()),
            )
            .in_file(dir)
            .of_environment()
        } else {
            Diagnostic::io(Code::BookFolder, "cannot read book folder", dir, &e)
        }
    })?;
    if !meta.is_dir() {
        return Err(Diagnostic::error(
            Code::BookFolder,
            format!("{} is not a folder", dir.display()),
        )
        .in_file(dir)
        .of_environment());
    }
    let canonical = dir
        .canonicalize()
        .map_err(|e| Diagnostic::io(Code::BookFolder, "cannot read book folder", dir, &e))?;

    let config_path = shown_path(dir, CONFIG_FILE);
    let config_file = ConfigFile::parse(read_config(&canonical, &config_path)?, &config_path)?;
    let chapter_paths: Vec<(PathBuf, Option<u32>)> = match config_file.chapters()? {
        Some(list) => list
            .into_iter()
            .map(|(path, line)| (path, Some(line)))
            .collect(),
        None => list_markdown_files(dir, &canonical)?
            .into_iter()
            .map(|p| (p, None))
            .collect(),
    };

    // Read on every thread; the first problem in the book's order is the
    // one reported.
    let chapters = chapter_paths
        .par_iter()
        .map(|(rel, line)| read_chapter(dir, &canonical, &config_path, rel, *line))
        .collect::<Vec<Result<SourceFile>>>()
        .into_iter()
        .collect::<Result<Vec<SourceFile>>>()?;

    let first_chapter = chapters.first().map(SourceFile::text).transpose()?;
    let config = config_file.settle(first_chapter.as_deref().unwrap_or(""), source_date_epoch)?;
    let mut book = Book {
        dir: canonical,
        input_dir: dir.to_path_buf(),
        assets: Assets::default(),
        config,
        chapters,
    };
    let mut warnings = Diagnostics::default();
    book.assets = assets::read(&book, &mut warnings)?;
    book.config.diagnostics.extend(warnings);
    book.let_go_of_texts();
    Ok(book)
}

// ---------------------------------------------------------------------------
// book.toml

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    book: Option<RawBook>,
    pdf: Option<RawPdf>,
    layout: Option<RawLayout>,
    booklet: Option<Spanned<RawBooklet>>,
    epub: Option<RawEpub>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBook {
    title: Option<String>,
    authors: Option<Vec<String>>,
    language: Option<Spanned<String>>,
    cover: Option<Spanned<String>>,
    chapters: Option<Spanned<Vec<Spanned<String>>>>,
    identifier: Option<String>,
    date: Option<Spanned<toml::Value>>,
    subtitle: Option<String>,
    publisher: Option<String>,
    issuer: Option<String>,
    classification: Option<String>,
    isbn: Option<Spanned<String>>,
    keywords: Option<Vec<String>>,
    description: Option<String>,
    script_languages: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPdf {
    page: Option<Spanned<String>>,
    width_mm: Option<Spanned<f32>>,
    height_mm: Option<Spanned<f32>>,
    margin_top_mm: Option<Spanned<f32>>,
    margin_bottom_mm: Option<Spanned<f32>>,
    margin_inner_mm: Option<Spanned<f32>>,
    margin_outer_mm: Option<Spanned<f32>>,
    preset: Option<Spanned<String>>,
    bleed_mm: Option<Spanned<f32>>,
    mark_length_mm: Option<Spanned<f32>>,
    mark_offset_mm: Option<Spanned<f32>>,
    font_size_pt: Option<Spanned<f32>>,
    picture_dpi: Option<Spanned<f32>>,
    cover_fit: Option<Spanned<String>>,
    cover_background: Option<Spanned<String>>,
    standard: Option<Spanned<String>>,
    accessible: Option<bool>,
    booklet: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBooklet {
    paper: Option<Spanned<String>>,
    flip: Option<Spanned<String>>,
    signature: Option<Spanned<i64>>,
    creep_mm: Option<Spanned<f32>>,
    marks: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLayout {
    linebreak: Option<Spanned<String>>,
    justify: Option<Spanned<String>>,
    hyphenate: Option<bool>,
    verso_head: Option<Spanned<String>>,
    recto_head: Option<Spanned<String>>,
    folio: Option<Spanned<String>>,
    numerals: Option<Spanned<String>>,
    front_matter: Option<Spanned<String>>,
    chapter_start: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEpub {
    accessibility_summary: Option<String>,
    certified_by: Option<String>,
}

/// The text of `book.toml` (empty when absent), to turn byte spans into lines.
#[derive(Default)]
struct ConfigText {
    text: String,
}

impl ConfigText {
    fn line_of(&self, offset: usize) -> u32 {
        line_of(&self.text, offset)
    }

    fn pos(&self, offset: usize) -> SourcePos {
        let (line, column) = position_of(&self.text, offset);
        SourcePos { line, column }
    }
}

fn line_of(text: &str, offset: usize) -> u32 {
    position_of(text, offset).0
}

/// The text of `book.toml`, empty when there is none.
fn read_config(canonical_dir: &Path, config_path: &Path) -> Result<String> {
    let real = canonical_dir.join(CONFIG_FILE);
    let meta = match std::fs::symlink_metadata(&real) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(String::new());
        }
        Err(e) => {
            return Err(Diagnostic::io(
                Code::ReadFailed,
                "cannot read",
                config_path,
                &e,
            ));
        }
    };
    if meta.file_type().is_symlink() {
        let target = real
            .canonicalize()
            .map_err(|e| Diagnostic::io(Code::ReadFailed, "cannot read", config_path, &e))?;
        if !target.starts_with(canonical_dir) {
            return Err(Diagnostic::error(
                Code::OutsideBook,
                format!(
                    "{} is a link to a file outside the book folder",
                    config_path.display()
                ),
            )
            .in_file(config_path));
        }
    }
    read_text_file(&real, config_path)
}

/// `book.toml` deserialized, before the chapters are read: what [`load`]
/// needs to find them, then to settle the settings. Reads nothing from
/// disk, so any text can be tried on it.
pub struct ConfigFile {
    raw: RawConfig,
    text: ConfigText,
    path: PathBuf,
    /// The unknown keys, each an error the rest of the book is checked past.
    diagnostics: Diagnostics,
}

impl ConfigFile {
    /// Deserializes `text`, the text of `book.toml` (empty when there is
    /// none), named `path` in messages.
    pub fn parse(text: String, path: &Path) -> Result<ConfigFile> {
        // An unknown key is an error, but the rest of the book is still worth
        // checking: each one is reported, blanked out (offsets kept) and the
        // file read again, up to a bound.
        let mut unknown_keys = Diagnostics::default();
        let mut masked = text.clone();
        let raw = loop {
            let e = match toml::from_str::<RawConfig>(&masked) {
                Ok(raw) => break raw,
                Err(e) => e,
            };
            let diagnostic = config_error(&text, path, &e);
            match e.span().filter(|_| diagnostic.code == Code::UnknownKey) {
                Some(span) if unknown_keys.0.len() < MAX_UNKNOWN_KEYS => {
                    blank_line_at(&mut masked, span.start);
                    unknown_keys.push(diagnostic);
                }
                // Past a syntax or type error the keys cannot be read: that
                // error alone is reported.
                _ => return Err(diagnostic),
            }
        };
        Ok(ConfigFile {
            raw,
            text: ConfigText { text },
            path: path.to_path_buf(),
            diagnostics: unknown_keys,
        })
    }

    /// The chapters `chapters` lists, in order, each with its line;
    /// `None` when the key is absent (every `*.md` in the folder is one).
    pub fn chapters(&self) -> Result<Option<Vec<(PathBuf, u32)>>> {
        let Some(list) = self.raw.book.as_ref().and_then(|b| b.chapters.as_ref()) else {
            return Ok(None);
        };
        let (config_text, config_path) = (&self.text, &self.path);
        if list.get_ref().is_empty() {
            return Err(Diagnostic::error(
                Code::ChapterList,
                "`chapters` in book.toml lists no files",
            )
            .in_file(config_path)
            .at_line(config_text.line_of(list.span().start)));
        }
        let mut out: Vec<(PathBuf, u32)> = Vec::new();
        for entry in list.get_ref() {
            let line = config_text.line_of(entry.span().start);
            let rel = normalize_config_path(entry.get_ref()).map_err(|why| {
                Diagnostic::error(
                    Code::ChapterList,
                    format!("chapter `{}` in book.toml {why}", entry.get_ref()),
                )
                .in_file(config_path)
                .at_line(line)
            })?;
            if out.iter().any(|(p, _)| *p == rel) {
                return Err(Diagnostic::error(
                    Code::ChapterList,
                    format!("chapter `{}` is listed twice in book.toml", entry.get_ref()),
                )
                .in_file(config_path)
                .at_line(line));
            }
            out.push((rel, line));
        }
        Ok(Some(out))
    }

    /// The settings, with what needs no Markdown parsing decided: the
    /// language is detected from `first_chapter` when `book.toml` names
    /// none; the timestamp is `source_date_epoch`'s, else the date's.
    pub fn settle(
        self,
        first_chapter: &str,
        source_date_epoch: Option<&str>,
    ) -> Result<BookConfig> {
        let ConfigFile {
            raw,
            text: config_text,
            path: config_path,
            mut diagnostics,
        } = self;
        let book_section = raw.book.unwrap_or_default();
        let pdf_section = raw.pdf.unwrap_or_default();
        let layout_section = raw.layout.unwrap_or_default();
        let booklet_section = raw.booklet;
        let epub_section = raw.epub.unwrap_or_default();
        let title = trimmed(book_section.title.as_deref());
        let authors: Vec<String> = book_section
            .authors
            .unwrap_or_default()
            .into_iter()
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        let language = match &book_section.language {
            Some(lang) => {
                let tag = lang.get_ref().trim();
                if let Some(message) = crate::locale::invalid_language_tag(tag) {
                    return Err(Diagnostic::error(Code::InvalidValue, message)
                        .in_file(&config_path)
                        .at(config_text.pos(lang.span().start)));
                }
                tag.to_string()
            }
            None => detect_language(first_chapter).to_string(),
        };
        let direction = crate::locale::direction_of(&language);

        let identifier = trimmed(book_section.identifier.as_deref());
        let isbn = book_section.isbn.as_ref().and_then(|isbn| {
            match crate::isbn::normalize(isbn.get_ref()) {
                Ok(digits) => Some(digits),
                Err(why) => {
                    diagnostics.push(
                        Diagnostic::warning(
                            Code::InvalidIsbn,
                            format!("`isbn` in book.toml: {why}; the book is written without it"),
                        )
                        .in_file(&config_path)
                        .at(config_text.pos(isbn.span().start)),
                    );
                    None
                }
            }
        });
        let mut script_languages = BTreeMap::new();
        for (script, language) in book_section.script_languages.iter().flatten() {
            let at = |span: std::ops::Range<usize>| config_text.pos(span.start);
            let code = script.get_ref().trim();
            if unicode_script::Script::from_short_name(code).is_none() {
                return Err(Diagnostic::error(
                    Code::InvalidValue,
                    format!(
                        "`script_languages` in book.toml: `{code}` is not an ISO 15924 script code \
                     (write it like `Latn`, `Cyrl`, `Hebr`)"
                    ),
                )
                .in_file(&config_path)
                .at(at(script.span())));
            }
            let tag = language.get_ref().trim();
            if !crate::locale::is_language_tag(tag) {
                return Err(Diagnostic::error(
                    Code::InvalidValue,
                    format!(
                        "`script_languages` in book.toml: `{tag}` (for `{code}`) is not a BCP 47 \
                     language tag; write a tag like `en`, `fr`, `kk`"
                    ),
                )
                .in_file(&config_path)
                .at(at(language.span())));
            }
            script_languages.insert(code.to_string(), tag.to_string());
        }
        let keywords: Vec<String> = book_section
            .keywords
            .unwrap_or_default()
            .iter()
            .filter_map(|k| trimmed(Some(k)))
            .collect();

        let (cover, cover_line) = match &book_section.cover {
            Some(c) => (
                Some(c.get_ref().clone()),
                Some(config_text.line_of(c.span().start)),
            ),
            None => (None, None),
        };

        let (date, date_days) = match &book_section.date {
            Some(d) => {
                let line = config_text.line_of(d.span().start);
                let text = match d.get_ref() {
                    toml::Value::String(s) => s.trim().to_string(),
                    toml::Value::Datetime(dt) => dt.to_string(),
                    _ => String::new(),
                };
                let days = parse_date(&text).ok_or_else(|| {
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!(
                            "`date` in book.toml must be a date written YYYY-MM-DD, got `{}`",
                            d.get_ref()
                        ),
                    )
                    .in_file(&config_path)
                    .at_line(line)
                })?;
                (Some(text), Some(days))
            }
            None => (None, None),
        };
        let timestamp = timestamp(source_date_epoch, date_days)?;
        let dated = source_date_epoch.is_some() || date_days.is_some();

        let mut page = page_setup(&pdf_section, &config_text, &config_path)?;
        page.booklet = pdf_section.booklet;
        if let Some(section) = &booklet_section {
            page.booklet_setup = booklet_setup(section.get_ref(), &config_text, &config_path)?;
            page.booklet_line = section
                .get_ref()
                .sets_any()
                .then(|| config_text.line_of(section.span().start));
        }
        let layout = layout_settings(&layout_section, &language, &config_text, &config_path)?;

        Ok(BookConfig {
            title,
            authors,
            language,
            direction,
            cover,
            cover_line,
            identifier,
            date,
            timestamp,
            dated,
            page,
            layout,
            source: config_text.text,
            subtitle: trimmed(book_section.subtitle.as_deref()),
            publisher: trimmed(book_section.publisher.as_deref()),
            issuer: trimmed(book_section.issuer.as_deref()),
            classification: trimmed(book_section.classification.as_deref()),
            keywords,
            description: trimmed(book_section.description.as_deref()),
            isbn,
            accessibility: AccessibilityConfig {
                summary: trimmed(epub_section.accessibility_summary.as_deref()),
                certified_by: trimmed(epub_section.certified_by.as_deref()),
            },
            script_languages,
            diagnostics,
        })
    }
}

/// How many unknown keys in `book.toml` are reported before giving up.
pub(crate) const MAX_UNKNOWN_KEYS: usize = 64;

/// The diagnostic for a `book.toml` that does not deserialize, at the line
/// and column of the key concerned, quoting the line.
fn config_error(text: &str, config_path: &Path, e: &toml::de::Error) -> Diagnostic {
    let at = e.span().map(|span| position_of(text, span.start));
    let diagnostic = match unknown_field(e.message()) {
        Some((key, known)) => {
            let section = e
                .span()
                .and_then(|span| section_at(text, span.start))
                .map_or(String::new(), |name| format!(" in `[{name}]`"));
            let hint = match nearest_known_key(e.message()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("the keys there are {}", known.join(", ")),
            };
            Diagnostic::error(Code::UnknownKey, format!("unknown key `{key}`{section}"))
                .with_hint(hint)
        }
        None => {
            let mut message = format!("invalid book.toml: {}", e.message().trim());
            // Quote the line, so the key concerned is named where no
            // source line is shown (JSON, `Display`).
            if let Some(source) = at.and_then(|(l, _)| text.lines().nth(l as usize - 1)) {
                let source = source.trim();
                if !source.is_empty() {
                    let shown: String = source.chars().take(80).collect();
                    message.push_str(&format!(" (in `{shown}`)"));
                }
            }
            let kind = e.message();
            let code = if kind.starts_with("invalid type")
                || kind.starts_with("invalid value")
                || kind.starts_with("unknown variant")
            {
                Code::InvalidValue
            } else {
                Code::ConfigSyntax
            };
            Diagnostic::error(code, message)
        }
    }
    .in_file(config_path);
    match at {
        Some((line, column)) => diagnostic.at(SourcePos { line, column }),
        None => diagnostic,
    }
}

/// For serde's "unknown field `titel`, expected one of `title`, …": the
/// unknown key and the known ones.
fn unknown_field(message: &str) -> Option<(&str, Vec<&str>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (unknown, expected) = rest.split_once('`')?;
    let known = expected.split('`').skip(1).step_by(2).collect();
    Some((unknown, known))
}

/// The name of the `[table]` whose keys include byte `offset` of `text`.
fn section_at(text: &str, offset: usize) -> Option<&str> {
    let before = &text[..text.floor_char_boundary(offset)];
    // Only the lines above: an unknown `[table]` is not inside itself.
    let above = before.rfind('\n').map_or("", |i| &before[..i]);
    above
        .lines()
        .rev()
        .map(str::trim)
        .find(|line| line.starts_with('[') && !line.starts_with("[["))
        .and_then(|line| Some(line.strip_prefix('[')?.split(']').next()?.trim()))
}

/// Replaces the line holding byte `offset` with spaces (its newline kept),
/// so every other offset in `text` still means the same place.
fn blank_line_at(text: &mut String, offset: usize) {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let blank = " ".repeat(text[start..end].len());
    text.replace_range(start..end, &blank);
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
fn position_of(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

/// For serde's "unknown field `titel`, expected one of `title`, …", the
/// expected key nearest to the unknown one, when it is near enough to be a
/// slip (at most a third of its letters off).
fn nearest_known_key(message: &str) -> Option<&str> {
    let (unknown, known) = unknown_field(message)?;
    known
        .into_iter()
        .map(|known| (strsim::damerau_levenshtein(unknown, known), known))
        .filter(|&(distance, _)| distance * 3 <= unknown.chars().count().max(3))
        .min()
        .map(|(_, known)| known)
}

// ---------------------------------------------------------------------------
// Chapters

/// Every `*.md` file directly in the folder, in byte order of the file name.
fn list_markdown_files(dir: &Path, canonical: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(canonical)
        .map_err(|e| Diagnostic::io(Code::BookFolder, "cannot list", dir, &e))?;
    let mut names: Vec<std::ffi::OsString> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Diagnostic::io(Code::BookFolder, "cannot list", dir, &e))?;
        let name = entry.file_name();
        let path = Path::new(&name);
        let is_md = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("md"));
        if !is_md || name.as_encoded_bytes().starts_with(b".") {
            continue;
        }
        // Follows symlinks: a link to a folder is not a chapter.
        let is_file = std::fs::metadata(entry.path()).map(|m| m.is_file());
        if matches!(is_file, Ok(false)) {
            continue;
        }
        names.push(name);
    }
    if names.is_empty() {
        return Err(Diagnostic::error(
            Code::NoChapters,
            format!("no Markdown files (*.md) in {}", dir.display()),
        )
        .in_file(dir));
    }
    names.sort_by(|a, b| a.as_encoded_bytes().cmp(b.as_encoded_bytes()));
    Ok(names.into_iter().map(PathBuf::from).collect())
}

/// Checks a chapter or cover path from `book.toml` lexically: relative, and
/// not leaving the folder. Returns it without `.`/`..` components.
pub(crate) fn normalize_config_path(path: &str) -> std::result::Result<PathBuf, &'static str> {
    if path.trim().is_empty() {
        return Err("is empty");
    }
    normalize_relative(Path::new(""), Path::new(path))
}

/// Joins `rel` onto the folder-relative `base` and resolves `.` and `..`
/// lexically. Fails for absolute paths and for paths leaving the folder.
pub(crate) fn normalize_relative(
    base: &Path,
    rel: &Path,
) -> std::result::Result<PathBuf, &'static str> {
    let mut parts: Vec<std::ffi::OsString> = Vec::new();
    for comp in base.components().chain(rel.components()) {
        match comp {
            Component::Normal(p) => parts.push(p.to_os_string()),
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.pop().is_none() {
                    return Err("points outside the book folder");
                }
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err("is an absolute path; use a path inside the book folder");
            }
        }
    }
    if parts.is_empty() {
        return Err("does not name a file");
    }
    Ok(parts.iter().collect())
}

fn read_chapter(
    dir: &Path,
    canonical: &Path,
    config_path: &Path,
    rel: &Path,
    config_line: Option<u32>,
) -> Result<SourceFile> {
    let shown = shown_path(dir, rel);
    // Problems with a path listed in book.toml are reported there.
    let at_config = |code: Code, message: String| match config_line {
        Some(line) => Diagnostic::error(code, message)
            .in_file(config_path)
            .at_line(line),
        None => Diagnostic::error(code, message).in_file(&shown),
    };
    let full = canonical.join(rel);
    let real = match full.canonicalize() {
        Ok(p) => p,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(at_config(
                Code::ChapterList,
                format!("chapter {} does not exist", shown.display()),
            ));
        }
        Err(e) => {
            return Err(Diagnostic::io(
                Code::ReadFailed,
                "cannot read chapter",
                &shown,
                &e,
            ));
        }
    };
    if !real.starts_with(canonical) {
        return Err(at_config(
            Code::OutsideBook,
            format!(
                "chapter {} is a link to a file outside the book folder",
                shown.display()
            ),
        ));
    }
    if !real.is_file() {
        return Err(at_config(
            Code::ChapterList,
            format!("chapter {} is not a file", shown.display()),
        ));
    }
    let text = read_text_file(&real, &shown)?;
    let file = Origin {
        real,
        shown,
        len: text.len(),
        hash: hash_of(&text),
    };
    Ok(SourceFile {
        path: rel.to_path_buf(),
        text: Text::Read {
            held: Some(text.into()),
            file,
        },
    })
}

/// Reads a UTF-8 text file of at most [`MAX_FILE_BYTES`]; strips a BOM and
/// normalizes line endings to `\n`. `shown` names the file in messages.
fn read_text_file(real: &Path, shown: &Path) -> Result<String> {
    let bytes = read_limited(real, shown)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..valid]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        Diagnostic::error(
            Code::NotUtf8,
            format!("{} is not UTF-8 text; save it as UTF-8", shown.display()),
        )
        .in_file(shown)
        .at_line(u32::try_from(line).unwrap_or(u32::MAX))
    })?;
    Ok(normalize_newlines(strip_bom(text)))
}

/// Reads a whole file, refusing files larger than [`MAX_FILE_BYTES`].
pub(crate) fn read_limited(real: &Path, shown: &Path) -> Result<Vec<u8>> {
    let file = std::fs::File::open(real)
        .map_err(|e| Diagnostic::io(Code::ReadFailed, "cannot read", shown, &e))?;
    let too_big = || {
        Diagnostic::error(
            Code::TooLarge,
            format!(
                "{} is larger than {} MB",
                shown.display(),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        )
        .in_file(shown)
    };
    let len = file
        .metadata()
        .map_err(|e| Diagnostic::io(Code::ReadFailed, "cannot read", shown, &e))?
        .len();
    if len > MAX_FILE_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Diagnostic::io(Code::ReadFailed, "cannot read", shown, &e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big());
    }
    Ok(bytes)
}

fn strip_bom(text: String) -> String {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// `\r\n` and lone `\r` become `\n`.
fn normalize_newlines(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

// ---------------------------------------------------------------------------
// Language and direction

/// `ar` when the first strong character of the Markdown text (markup and
/// URLs skipped) is Arabic script, else `en`.
pub fn detect_language(markdown: &str) -> &'static str {
    use pulldown_cmark::{Event, Parser};
    use unicode_bidi::BidiClass;
    for event in Parser::new(markdown) {
        if let Event::Text(text) = event {
            for c in text.chars() {
                match crate::text::bidi::bidi_class(c) {
                    BidiClass::L => return "en",
                    BidiClass::R | BidiClass::AL => {
                        return if is_arabic_script(c) { "ar" } else { "en" };
                    }
                    _ => {}
                }
            }
        }
    }
    "en"
}

/// A `book.toml` string without surrounding space; `None` when that leaves
/// nothing.
fn trimmed(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

fn is_arabic_script(c: char) -> bool {
    unicode_script::UnicodeScript::script(&c) == unicode_script::Script::Arabic
}

// ---------------------------------------------------------------------------
// Dates

/// `SOURCE_DATE_EPOCH` wins, then the `date` (days since the epoch) at
/// midnight UTC, then 0.
fn timestamp(source_date_epoch: Option<&str>, date_days: Option<i64>) -> Result<i64> {
    if let Some(value) = source_date_epoch {
        return value.trim().parse::<i64>().map_err(|_| {
            Diagnostic::error(Code::SourceDateEpoch, format!(
                "SOURCE_DATE_EPOCH must be an integer number of seconds since 1970, got `{value}`"
            ))
        });
    }
    Ok(date_days.map_or(0, |d| d * 86_400))
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date, or `None` if malformed.
fn parse_date(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = &text[range];
        if part.bytes().all(|b| b.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > month_days[(m - 1) as usize] {
        return None;
    }
    Some(crate::time::days_from_civil(y, m as u8, d as u8))
}

// ---------------------------------------------------------------------------
// [pdf]

/// Named page sizes, width × height in millimetres.
const PAGE_SIZES: &[(&str, f32, f32)] = &[
    ("A4", 210.0, 297.0),
    ("A5", 148.0, 210.0),
    ("A6", 105.0, 148.0),
    ("B5", 176.0, 250.0),
    ("letter", 215.9, 279.4),
];

// ---------------------------------------------------------------------------
// [layout]

/// `[layout]` over the defaults for `language`; each key takes one of a
/// few names, and any other is an error listing them.
/// The choice `value` names among `choices` (case-insensitive), `default`
/// when absent; an error listing the choices otherwise.
fn pick<T: Copy>(
    key: &str,
    value: &Option<Spanned<String>>,
    choices: &[(&str, T)],
    default: T,
    text: &ConfigText,
    config_path: &Path,
) -> Result<T> {
    let Some(value) = value else {
        return Ok(default);
    };
    let name = value.get_ref().trim();
    match choices.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        Some(&(_, choice)) => Ok(choice),
        None => {
            let names: Vec<String> = choices.iter().map(|(n, _)| format!("\"{n}\"")).collect();
            Err(Diagnostic::error(
                Code::InvalidValue,
                format!(
                    "`{key} = \"{name}\"` in book.toml is not known; use one of {}",
                    names.join(", ")
                ),
            )
            .in_file(config_path)
            .at_line(text.line_of(value.span().start)))
        }
    }
}

fn layout_settings(
    raw: &RawLayout,
    language: &str,
    text: &ConfigText,
    config_path: &Path,
) -> Result<LayoutSettings> {
    let d = LayoutSettings::for_language(language);
    let heads = [
        ("book", RunningHead::Book),
        ("chapter", RunningHead::Chapter),
        ("none", RunningHead::None),
    ];
    Ok(LayoutSettings {
        linebreak: pick(
            "linebreak",
            &raw.linebreak,
            &[
                ("total-fit", Linebreak::TotalFit),
                ("first-fit", Linebreak::FirstFit),
            ],
            d.linebreak,
            text,
            config_path,
        )?,
        justify: pick(
            "justify",
            &raw.justify,
            &[("kashida", Justify::Kashida), ("space", Justify::Space)],
            d.justify,
            text,
            config_path,
        )?,
        hyphenate: raw.hyphenate.unwrap_or(d.hyphenate),
        verso_head: pick(
            "verso_head",
            &raw.verso_head,
            &heads,
            d.verso_head,
            text,
            config_path,
        )?,
        recto_head: pick(
            "recto_head",
            &raw.recto_head,
            &heads,
            d.recto_head,
            text,
            config_path,
        )?,
        folio: pick(
            "folio",
            &raw.folio,
            &[
                ("center", FolioPosition::Center),
                ("outer", FolioPosition::Outer),
            ],
            d.folio,
            text,
            config_path,
        )?,
        numerals: pick(
            "numerals",
            &raw.numerals,
            &[
                ("western", Numerals::Western),
                ("arabic-indic", Numerals::ArabicIndic),
                ("persian", Numerals::Persian),
            ],
            d.numerals,
            text,
            config_path,
        )?,
        front_matter: pick(
            "front_matter",
            &raw.front_matter,
            &[
                ("roman", FrontMatterNumbering::Roman),
                ("none", FrontMatterNumbering::None),
            ],
            d.front_matter,
            text,
            config_path,
        )?,
        chapter_start: pick(
            "chapter_start",
            &raw.chapter_start,
            &[("any", ChapterStart::Any), ("recto", ChapterStart::Recto)],
            d.chapter_start,
            text,
            config_path,
        )?,
    })
}

/// Range of `picture_dpi`: from a poster's coarse pixels to a scan's.
const MIN_PICTURE_DPI: f32 = 10.0;
pub(crate) const MAX_PICTURE_DPI: f32 = 2400.0;
/// `cover_background` when `cover_fit = "contain"` gives none.
const WHITE: [u8; 3] = [255, 255, 255];

/// `#rrggbb` as its three bytes.
fn hex_colour(text: &str) -> Option<[u8; 3]> {
    let hex = text.trim().strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// Smallest text block (width and height) the margins must leave.
const MIN_TEXT_AREA_MM: f32 = 20.0;
/// Largest bleed and crop mark length or offset accepted.
pub(crate) const MAX_BLEED_MM: f32 = 25.0;
pub(crate) const MAX_MARK_MM: f32 = 25.0;

/// Largest page side accepted.
pub(crate) const MAX_PAGE_MM: f32 = 1000.0;

impl RawBooklet {
    /// Whether any key is given (a template's section may be all comments).
    fn sets_any(&self) -> bool {
        let RawBooklet {
            paper,
            flip,
            signature,
            creep_mm,
            marks,
        } = self;
        paper.is_some()
            || flip.is_some()
            || signature.is_some()
            || creep_mm.is_some()
            || marks.is_some()
    }
}

/// Most sheets folded together in one signature.
pub(crate) const MAX_SIGNATURE_SHEETS: i64 = 64;
/// Largest creep compensation per sheet.
pub(crate) const MAX_CREEP_MM: f32 = 2.0;

/// The `[booklet]` section.
fn booklet_setup(raw: &RawBooklet, text: &ConfigText, config_path: &Path) -> Result<BookletSetup> {
    let mut setup = BookletSetup::default();
    let err = |message: String, offset: usize| {
        Diagnostic::error(Code::InvalidValue, message)
            .in_file(config_path)
            .at(text.pos(offset))
    };
    setup.paper = pick(
        "paper",
        &raw.paper,
        &Paper::NAMES,
        Paper::A4,
        text,
        config_path,
    )?;
    setup.flip = pick(
        "flip",
        &raw.flip,
        &Flip::NAMES,
        Flip::ShortEdge,
        text,
        config_path,
    )?;
    if let Some(sheets) = &raw.signature {
        let n = *sheets.get_ref();
        if !(1..=MAX_SIGNATURE_SHEETS).contains(&n) {
            return Err(err(
                format!(
                    "`signature = {n}` in book.toml must be a number of sheets between 1 and {MAX_SIGNATURE_SHEETS}"
                ),
                sheets.span().start,
            ));
        }
        setup.signature = Some(n as u32);
    }
    if let Some(creep) = &raw.creep_mm {
        let mm = *creep.get_ref();
        if !(0.0..=MAX_CREEP_MM).contains(&mm) {
            return Err(err(
                format!("`creep_mm = {mm}` in book.toml must be between 0 and {MAX_CREEP_MM}"),
                creep.span().start,
            ));
        }
        setup.creep_mm = mm;
    }
    setup.marks = raw.marks.unwrap_or(false);
    Ok(setup)
}

fn page_setup(pdf: &RawPdf, text: &ConfigText, config_path: &Path) -> Result<PageSetup> {
    let err = |message: String, offset: usize| {
        Diagnostic::error(Code::InvalidValue, message)
            .in_file(config_path)
            .at(text.pos(offset))
    };
    let mut page = PageSetup::default();

    if let Some(name) = &pdf.page {
        let found = PAGE_SIZES
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(name.get_ref().trim()));
        match found {
            Some(&(_, w, h)) => {
                page.width_mm = w;
                page.height_mm = h;
            }
            None => {
                let known: Vec<&str> = PAGE_SIZES.iter().map(|(n, _, _)| *n).collect();
                return Err(err(
                    format!(
                        "unknown page size `{}` in book.toml; use one of {}, or give width_mm and height_mm",
                        name.get_ref(),
                        known.join(", ")
                    ),
                    name.span().start,
                ));
            }
        }
    }

    let set = |key: &str,
               value: &Option<Spanned<f32>>,
               target: &mut f32,
               min: f32,
               max: f32,
               min_exclusive: bool|
     -> Result<()> {
        let Some(v) = value else { return Ok(()) };
        let x = *v.get_ref();
        let below = if min_exclusive { x <= min } else { x < min };
        if !x.is_finite() || below || x > max {
            let range = if min_exclusive {
                format!("greater than {min} and at most {max}")
            } else {
                format!("between {min} and {max}")
            };
            return Err(err(
                format!("`{key} = {x}` in book.toml must be {range}"),
                v.span().start,
            ));
        }
        *target = x;
        Ok(())
    };
    set(
        "width_mm",
        &pdf.width_mm,
        &mut page.width_mm,
        0.0,
        MAX_PAGE_MM,
        true,
    )?;
    set(
        "height_mm",
        &pdf.height_mm,
        &mut page.height_mm,
        0.0,
        MAX_PAGE_MM,
        true,
    )?;
    // `page` with `width_mm`/`height_mm` is fine as long as they agree.
    if let Some(name) = &pdf.page
        && let Some(&(_, width, height)) = PAGE_SIZES
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(name.get_ref().trim()))
    {
        for (key, value, size) in [
            ("width_mm", &pdf.width_mm, width),
            ("height_mm", &pdf.height_mm, height),
        ] {
            if let Some(v) = value
                && (v.get_ref() - size).abs() > 0.5
            {
                return Err(err(
                    format!(
                        "`{key} = {}` in book.toml contradicts `page = \"{}\"` ({} × {} mm); give one or the other",
                        v.get_ref(),
                        name.get_ref(),
                        width,
                        height
                    ),
                    v.span().start,
                ));
            }
        }
    }
    set(
        "margin_top_mm",
        &pdf.margin_top_mm,
        &mut page.margin_top_mm,
        0.0,
        MAX_PAGE_MM,
        false,
    )?;
    set(
        "margin_bottom_mm",
        &pdf.margin_bottom_mm,
        &mut page.margin_bottom_mm,
        0.0,
        MAX_PAGE_MM,
        false,
    )?;
    set(
        "margin_inner_mm",
        &pdf.margin_inner_mm,
        &mut page.margin_inner_mm,
        0.0,
        MAX_PAGE_MM,
        false,
    )?;
    set(
        "margin_outer_mm",
        &pdf.margin_outer_mm,
        &mut page.margin_outer_mm,
        0.0,
        MAX_PAGE_MM,
        false,
    )?;
    let presets: Vec<(&str, Option<PrintPreset>)> = PrintPreset::ALL
        .iter()
        .map(|&(name, preset)| (name, Some(preset)))
        .collect();
    page.margins_given = [
        pdf.margin_top_mm.is_some(),
        pdf.margin_bottom_mm.is_some(),
        pdf.margin_inner_mm.is_some(),
        pdf.margin_outer_mm.is_some(),
    ];
    if let Some(preset) = pick("preset", &pdf.preset, &presets, None, text, config_path)? {
        page.set_preset(preset);
    }
    for (key, value, target, max) in [
        (
            "bleed_mm",
            &pdf.bleed_mm,
            &mut page.print.bleed_mm,
            MAX_BLEED_MM,
        ),
        (
            "mark_length_mm",
            &pdf.mark_length_mm,
            &mut page.print.mark_length_mm,
            MAX_MARK_MM,
        ),
        (
            "mark_offset_mm",
            &pdf.mark_offset_mm,
            &mut page.print.mark_offset_mm,
            MAX_MARK_MM,
        ),
    ] {
        if let Some(spanned) = value {
            if key.starts_with("mark_") && page.print.marks_line.is_none() {
                page.print.marks_line = Some(text.line_of(spanned.span().start));
            }
            let mut mm = 0.0;
            set(key, value, &mut mm, 0.0, max, false)?;
            *target = Some(mm);
        }
    }
    set(
        "font_size_pt",
        &pdf.font_size_pt,
        &mut page.font_size_pt,
        6.0,
        30.0,
        false,
    )?;
    set(
        "picture_dpi",
        &pdf.picture_dpi,
        &mut page.picture_dpi,
        MIN_PICTURE_DPI,
        MAX_PICTURE_DPI,
        false,
    )?;
    let contain = pick(
        "cover_fit",
        &pdf.cover_fit,
        &[("cover", false), ("contain", true)],
        false,
        text,
        config_path,
    )?;
    let standards: Vec<(&str, Option<PdfStandard>)> = PdfStandard::NAMES
        .iter()
        .map(|&(name, standard)| (name, Some(standard)))
        .collect();
    page.standard = pick(
        "standard",
        &pdf.standard,
        &standards,
        None,
        text,
        config_path,
    )?;
    page.accessible = pdf.accessible.unwrap_or(false);
    page.cover_fit = match (&pdf.cover_background, contain) {
        (None, false) => CoverFit::Cover,
        (None, true) => CoverFit::Contain {
            background: WHITE,
        },
        (Some(colour), true) => CoverFit::Contain {
            background: hex_colour(colour.get_ref()).ok_or_else(|| {
                err(
                    format!(
                        "`cover_background = \"{}\"` in book.toml is not a colour; write it as \"#rrggbb\"",
                        colour.get_ref()
                    ),
                    colour.span().start,
                )
            })?,
        },
        (Some(colour), false) => {
            return Err(err(
                "`cover_background` in book.toml applies only with `cover_fit = \"contain\"`"
                    .to_string(),
                colour.span().start,
            ));
        }
    };

    let first_span = [
        pdf.page.as_ref().map(|s| s.span().start),
        pdf.width_mm.as_ref().map(|s| s.span().start),
        pdf.height_mm.as_ref().map(|s| s.span().start),
        pdf.margin_inner_mm.as_ref().map(|s| s.span().start),
        pdf.margin_outer_mm.as_ref().map(|s| s.span().start),
        pdf.margin_top_mm.as_ref().map(|s| s.span().start),
        pdf.margin_bottom_mm.as_ref().map(|s| s.span().start),
    ]
    .into_iter()
    .flatten()
    .next();
    let text_width = page.width_mm - page.margin_inner_mm - page.margin_outer_mm;
    let text_height = page.height_mm - page.margin_top_mm - page.margin_bottom_mm;
    if text_width < MIN_TEXT_AREA_MM || text_height < MIN_TEXT_AREA_MM {
        let message = format!(
            "the [pdf] margins leave a text area of {text_width} × {text_height} mm on a {} × {} mm page; it must be at least {MIN_TEXT_AREA_MM} mm each way",
            page.width_mm, page.height_mm
        );
        return Err(match first_span {
            Some(offset) => err(message, offset),
            None => Diagnostic::error(Code::InvalidValue, message).in_file(config_path),
        });
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_key_is_told_the_nearest_known_one() {
        let said = |unknown: &str| {
            format!(
                "unknown field `{unknown}`, expected one of `title`, `authors`, `language`, `isbn`"
            )
        };
        assert_eq!(nearest_known_key(&said("titel")), Some("title"));
        assert_eq!(nearest_known_key(&said("author")), Some("authors"));
        assert_eq!(nearest_known_key(&said("lang")), None);
        assert_eq!(nearest_known_key(&said("zzz")), None);
        assert_eq!(
            nearest_known_key("invalid type: string, expected a float"),
            None
        );
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(parse_date("2000-03-01"), Some(11_017));
        assert_eq!(parse_date("2024-02-29"), Some(19_782));
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2023-13-01"), None);
        assert_eq!(parse_date("2023-1-01"), None);
        assert_eq!(parse_date("+023-01-01"), None);
    }

    #[test]
    fn timestamp_precedence() {
        assert_eq!(
            timestamp(Some("1700000000"), Some(1)).unwrap(),
            1_700_000_000
        );
        assert_eq!(timestamp(None, Some(2)).unwrap(), 172_800);
        assert_eq!(timestamp(None, None).unwrap(), 0);
        assert!(timestamp(Some("yesterday"), None).is_err());
    }

    #[test]
    fn language_detection_skips_markup() {
        assert_eq!(detect_language("# مقدمة\n\nنص"), "ar");
        assert_eq!(detect_language("# Intro\n\nمقدمة"), "en");
        assert_eq!(
            detect_language("<div dir=\"rtl\">\n\n[مرحبا](https://example.com)"),
            "ar"
        );
        assert_eq!(detect_language("123 — !"), "en");
        assert_eq!(detect_language("שלום"), "en");
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            normalize_config_path("./a.md").unwrap(),
            PathBuf::from("a.md")
        );
        assert_eq!(
            normalize_config_path("x/../a.md").unwrap(),
            PathBuf::from("a.md")
        );
        assert!(normalize_config_path("../a.md").is_err());
        assert!(normalize_config_path("/etc/passwd").is_err());
        assert!(normalize_config_path("").is_err());
        assert!(normalize_config_path(".").is_err());
    }

    /// The field names serde derives for `T`: a deserializer that answers
    /// `deserialize_struct` by returning them as its error (what
    /// `serde_aux::serde_introspect` does, without its dependencies).
    fn field_names<'de, T: Deserialize<'de>>() -> Vec<&'static str> {
        #[derive(Debug)]
        struct Fields(Vec<&'static str>);
        impl std::fmt::Display for Fields {
            fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                write!(f, "{:?}", self.0)
            }
        }
        impl std::error::Error for Fields {}
        impl serde::de::Error for Fields {
            fn custom<M: std::fmt::Display>(_: M) -> Self {
                Fields(Vec::new())
            }
        }
        struct Introspect;
        impl<'de> serde::Deserializer<'de> for Introspect {
            type Error = Fields;
            fn deserialize_any<V: serde::de::Visitor<'de>>(
                self,
                _: V,
            ) -> std::result::Result<V::Value, Fields> {
                Err(Fields(Vec::new()))
            }
            fn deserialize_struct<V: serde::de::Visitor<'de>>(
                self,
                _: &'static str,
                fields: &'static [&'static str],
                _: V,
            ) -> std::result::Result<V::Value, Fields> {
                Err(Fields(fields.to_vec()))
            }
            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
                bytes byte_buf option unit unit_struct newtype_struct seq tuple
                tuple_struct map enum identifier ignored_any
            }
        }
        match T::deserialize(Introspect) {
            Err(Fields(fields)) => fields,
            Ok(_) => panic!("a struct deserialized from nothing"),
        }
    }

    /// `key = value` from a `# key = value` line, `None` for other lines.
    fn commented_key(line: &str) -> Option<&str> {
        line.strip_prefix("# ").filter(|rest| {
            rest.split_once(" = ").is_some_and(|(key, _)| {
                !key.is_empty() && key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            })
        })
    }

    /// The keys the loader accepts, section by section: the fields of the
    /// `Raw*` structs (`deny_unknown_fields`).
    fn accepted_keys() -> Vec<(&'static str, Vec<&'static str>)> {
        let sections = vec![
            ("book", field_names::<RawBook>()),
            ("pdf", field_names::<RawPdf>()),
            ("layout", field_names::<RawLayout>()),
            ("booklet", field_names::<RawBooklet>()),
            ("epub", field_names::<RawEpub>()),
        ];
        let names: Vec<&str> = sections.iter().map(|(name, _)| *name).collect();
        assert_eq!(field_names::<RawConfig>(), names);
        sections
    }

    /// `warraq new`'s book.toml names every key the loader accepts, and
    /// only those: its keys (the set ones and every `# key = value` line,
    /// uncommented) against the fields of the `Raw*` structs, which are what
    /// the loader accepts (`deny_unknown_fields`). A key added to a struct
    /// but not to the template fails here.
    #[test]
    fn new_book_toml_names_every_key() {
        let sections = accepted_keys();
        for language in [
            crate::new::SampleLanguage::Arabic,
            crate::new::SampleLanguage::English,
        ] {
            let template = crate::new::book_toml(language);
            let uncommented: String = template
                .lines()
                .map(|line| commented_key(line).unwrap_or(line))
                .collect::<Vec<_>>()
                .join("\n");
            toml::from_str::<RawConfig>(&uncommented)
                .unwrap_or_else(|e| panic!("{language:?} book.toml, uncommented: {e}"));
            let table: toml::Table = toml::from_str(&uncommented).unwrap();
            for (section, fields) in &sections {
                let mut keys: Vec<&str> = table[*section]
                    .as_table()
                    .unwrap_or_else(|| panic!("[{section}] is not a table"))
                    .keys()
                    .map(String::as_str)
                    .collect();
                let mut fields = fields.clone();
                keys.sort_unstable();
                fields.sort_unstable();
                assert_eq!(keys, fields, "{language:?} book.toml, [{section}]");
            }
        }
    }

    /// The keys README.md's "book.toml" tables list: under each
    /// ``#### `[section]` `` heading, the code in the first cell of each
    /// body row.
    fn readme_keys(readme: &str) -> Vec<(String, Vec<String>)> {
        use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
        let mut sections: Vec<(String, Vec<String>)> = Vec::new();
        let (mut in_part, mut in_heading, mut in_body) = (false, None, false);
        let mut cell = 0;
        for event in Parser::new_ext(readme, Options::ENABLE_TABLES) {
            match event {
                Event::Start(Tag::Heading { level, .. }) => in_heading = Some(level),
                Event::End(TagEnd::Heading(_)) => in_heading = None,
                Event::Text(text) if in_heading.is_some_and(|l| l <= HeadingLevel::H3) => {
                    in_part = &*text == "book.toml";
                }
                Event::Code(code) if in_part && in_heading == Some(HeadingLevel::H4) => {
                    let name = code.trim_start_matches('[').trim_end_matches(']');
                    sections.push((name.to_string(), Vec::new()));
                }
                Event::Start(Tag::TableRow) => cell = 0,
                Event::Start(Tag::TableHead) => in_body = false,
                Event::End(TagEnd::TableHead) => in_body = true,
                Event::End(TagEnd::Table) => in_body = false,
                Event::End(TagEnd::TableCell) => cell += 1,
                Event::Code(code) if in_part && in_body && cell == 0 => {
                    if let Some((_, keys)) = sections.last_mut() {
                        keys.push(code.to_string());
                    }
                }
                _ => {}
            }
        }
        sections
    }

    /// README.md's tables of `book.toml` keys name exactly the keys the
    /// loader accepts, section by section: a key added to a `Raw*` struct
    /// without a row there fails here.
    #[test]
    fn readme_documents_every_key() {
        let readme = include_str!("../README.md");
        let documented = readme_keys(readme);
        let accepted = accepted_keys();
        assert_eq!(
            documented
                .iter()
                .map(|(name, _)| name.as_str())
                .collect::<Vec<_>>(),
            accepted.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
            "the sections of README.md's book.toml tables"
        );
        for ((section, keys), (_, fields)) in documented.iter().zip(&accepted) {
            let mut keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            let mut fields = fields.clone();
            keys.sort_unstable();
            fields.sort_unstable();
            assert_eq!(keys, fields, "README.md's [{section}] table");
        }
    }

    /// The checker itself: a row removed from, or added to, a copy of the
    /// README shows in what it reads.
    #[test]
    fn readme_keys_reads_the_tables() {
        let readme = include_str!("../README.md");
        let row = "| `certified_by` |";
        assert!(readme.contains(row));
        let without: String = readme
            .lines()
            .filter(|line| !line.starts_with(row))
            .collect::<Vec<_>>()
            .join("\n");
        let epub = |text: &str| {
            readme_keys(text)
                .into_iter()
                .find(|(name, _)| name == "epub")
        };
        assert_eq!(
            epub(readme).map(|(_, keys)| keys),
            Some(vec!["accessibility_summary".into(), "certified_by".into()])
        );
        assert_eq!(
            epub(&without).map(|(_, keys)| keys),
            Some(vec!["accessibility_summary".into()])
        );
    }

    #[test]
    fn newlines_and_bom() {
        assert_eq!(
            normalize_newlines(strip_bom("\u{feff}a\r\nb\rc".into())),
            "a\nb\nc"
        );
    }
}
