//! Diagnostics: warnings and errors that name the file and line they concern.
//!
//! Printed rustc-style (`warning: …` then `  --> file:line`) so both people and
//! editors can jump to the spot.

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub cause: Cause,
    pub message: String,
    /// The file concerned, as the user would type it (book folder joined).
    pub file: Option<PathBuf>,
    /// 1-based line in `file`, when known.
    pub line: Option<u32>,
    /// 1-based column in that line, when known.
    pub column: Option<u32>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            cause: Cause::Book,
            message: message.into(),
            file: None,
            line: None,
            column: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
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

    /// An I/O failure on `path`, phrased for the user: the environment's.
    pub fn io(what: &str, path: &Path, err: &std::io::Error) -> Self {
        Diagnostic::error(format!("{what} {}: {err}", path.display()))
            .in_file(path)
            .of_environment()
    }

    /// The problem is the machine's or the command's, not the book's.
    pub fn of_environment(mut self) -> Self {
        self.cause = Cause::Environment;
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{label}: {}", self.message)?;
        if let Some(file) = &self.file {
            write!(f, "\n  --> {}", file.display())?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some(column) = self.column {
                    write!(f, ":{column}")?;
                }
            }
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

pub type Result<T, E = Diagnostic> = std::result::Result<T, E>;

/// Warnings collected while a build runs; errors stop the build instead.
#[derive(Debug, Default, Clone)]
pub struct Warnings(pub Vec<Diagnostic>);

impl Warnings {
    pub fn push(&mut self, warning: Diagnostic) {
        debug_assert_eq!(warning.severity, Severity::Warning);
        self.0.push(warning);
    }

    pub fn extend(&mut self, other: Warnings) {
        self.0.extend(other.0);
    }
}
