//! Diagnostics: warnings and errors that name the file and line they concern.
//!
//! Printed rustc-style (`warning: …` then `  --> file:line`) so both people and
//! editors can jump to the spot.

pub mod render;

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// Whose the problem is: the book's (fix the book), or the machine's or the
/// command's (a folder that cannot be read or written, a book folder that
/// is not there). They exit differently (1 and 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cause {
    #[default]
    Book,
    Environment,
}

/// Declares [`Code`]: each variant's documentation is also its description
/// (`Code::description`), so the list, the names and the README's table
/// are made from one place.
macro_rules! codes {
    ($($(#[doc = $doc:literal])+ $variant:ident = $name:literal,)+) => {
        /// What kind of problem a diagnostic is about: stable names a CI job
        /// can match on (`--message-format json` prints them as `code`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl Code {
            /// Every code, in the order of the README's table.
            pub const ALL: &[Code] = &[$(Code::$variant,)+];

            /// The stable name (`missing-picture`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)+
                }
            }

            /// What it means, in a sentence.
            pub fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => concat!($($doc),+).trim_ascii(),)+
                }
            }
        }
    };
}

codes! {
    /// The book folder is missing, not a folder, or cannot be listed.
    BookFolder = "book-folder",
    /// A file cannot be read (permissions, a disk error).
    ReadFailed = "read-failed",
    /// A chapter changed on disk while the book was being built (build it again).
    SourceChanged = "source-changed",
    /// An output cannot be written.
    WriteFailed = "write-failed",
    /// `book.toml` is not valid TOML.
    ConfigSyntax = "config-syntax",
    /// A key `book.toml` does not know (usually misspelt).
    UnknownKey = "unknown-key",
    /// A `book.toml` value of the wrong kind or out of range.
    InvalidValue = "invalid-value",
    /// An ISBN whose check digit or form is wrong (the book is written without it).
    InvalidIsbn = "invalid-isbn",
    /// A setting that has no effect with the others given.
    UnusedSetting = "unused-setting",
    /// `SOURCE_DATE_EPOCH` is not a number of seconds.
    SourceDateEpoch = "source-date-epoch",
    /// `chapters` in `book.toml` is empty, names a file twice, or names a
    /// path that cannot be a chapter.
    ChapterList = "chapter-list",
    /// The book folder has no Markdown files.
    NoChapters = "no-chapters",
    /// A file of the book is a link to something outside the book folder.
    OutsideBook = "outside-book",
    /// A chapter is not UTF-8 text.
    NotUtf8 = "not-utf8",
    /// A file is larger than warraq reads.
    TooLarge = "too-large",
    /// A picture the text uses does not exist, is outside the book folder,
    /// or cannot be read as PNG or JPEG.
    MissingPicture = "missing-picture",
    /// A picture on the web (pictures must be files in the book).
    RemotePicture = "remote-picture",
    /// A picture without alt text.
    MissingAlt = "missing-alt",
    /// A picture too small for print, or of the wrong shape for its place.
    PictureQuality = "picture-quality",
    /// A picture marked to bleed that is not alone in its paragraph.
    FullBleedInline = "full-bleed-inline",
    /// A link whose target is not in the book.
    BrokenLink = "broken-link",
    /// A footnote referenced but not defined, defined twice, empty, or never used.
    Footnote = "footnote",
    /// A heading more than one level deeper than the one before it.
    HeadingSkip = "heading-skip",
    /// Raw HTML removed, or kept only in the EPUB.
    RawHtml = "raw-html",
    /// An `id` used twice in a chapter.
    DuplicateId = "duplicate-id",
    /// Math not understood, or set as TeX source in the PDF.
    Math = "math",
    /// Markup nested too deeply, flattened.
    DeepNesting = "deep-nesting",
    /// Control characters removed from the text.
    ControlCharacter = "control-character",
    /// YAML front matter, which warraq does not read.
    FrontMatter = "front-matter",
    /// More warnings about a file than are shown.
    TooManyWarnings = "too-many-warnings",
    /// A character no font has: it prints as a blank box.
    MissingGlyph = "missing-glyph",
    /// A font in `fonts/` that cannot be read.
    BadFont = "bad-font",
    /// A font embedded whole in the EPUB (it could not be cut).
    FontNotSubset = "font-not-subset",
    /// Text that does not fit where warraq sets it (the cover, the slug line).
    Overflow = "overflow",
    /// The PDF cannot meet the standard asked for (PDF/A, PDF/X).
    PdfStandard = "pdf-standard",
    /// The EPUB has no page-list, because the print edition could not be laid out.
    NoPageList = "no-page-list",
    /// `warraq watch` cannot watch the book folder for changes.
    WatchFailed = "watch-failed",
    /// `build --open` cannot open the output in a viewer.
    OpenFailed = "open-failed",
    /// The folder given to `warraq new` is not empty.
    FolderNotEmpty = "folder-not-empty",
    /// warraq failed in a way that is not the book's fault (please report it).
    Internal = "internal",
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub cause: Cause,
    pub code: Code,
    pub message: String,
    /// The file concerned, as the user would type it (book folder joined).
    pub file: Option<PathBuf>,
    /// 1-based line in `file`, when known.
    pub line: Option<u32>,
    /// 1-based column in that line (in characters), when known.
    pub column: Option<u32>,
    /// What to do about it, when there is something to say.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            cause: Cause::Book,
            code,
            message: message.into(),
            file: None,
            line: None,
            column: None,
            hint: None,
        }
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }

    pub fn at_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }

    /// At a line and column of a chapter (`file:line:column`).
    pub fn at(mut self, pos: crate::doc::SourcePos) -> Self {
        self.line = Some(pos.line);
        self.column = Some(pos.column).filter(|&c| c > 0);
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// An I/O failure on `path`, phrased for the user: the environment's.
    pub fn io(code: Code, what: &str, path: &Path, err: &std::io::Error) -> Self {
        Diagnostic::error(code, format!("{what} {}: {err}", path.display()))
            .in_file(path)
            .of_environment()
    }

    /// The problem is the machine's or the command's, not the book's.
    pub fn of_environment(mut self) -> Self {
        self.cause = Cause::Environment;
        self
    }

    /// The same problem, as an error (`--strict`).
    pub fn as_error(self) -> Self {
        Diagnostic {
            severity: Severity::Error,
            ..self
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{label}[{}]: {}", self.code.name(), self.message)?;
        if let Some(file) = &self.file {
            write!(f, "\n  --> {}", file.display())?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some(column) = self.column {
                    write!(f, ":{column}")?;
                }
            }
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  = help: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

pub type Result<T, E = Diagnostic> = std::result::Result<T, E>;

/// Diagnostics and errors found while a book is compiled, in the order found.
/// A stage that can go on after an error records it here and goes on, so a
/// check reports every problem at once; [`crate::compile`] fails at the end
/// when any is an error.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| !d.is_error())
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    /// By file and position (what has no file first), in the order found
    /// where those are equal.
    pub fn sorted(mut self) -> Self {
        self.0
            .sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        self
    }

    /// Whose the problem is when the build failed: the environment's when
    /// any error is.
    pub fn cause(&self) -> Cause {
        if self.errors().any(|e| e.cause == Cause::Environment) {
            Cause::Environment
        } else {
            Cause::Book
        }
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Self {
        Diagnostics(vec![diagnostic])
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
