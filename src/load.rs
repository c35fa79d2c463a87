//! Stage 1: read a book folder (`book.toml`, the Markdown chapters) into memory.
//! STUB — to be written.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Result};

/// A book folder as read from disk, before any parsing.
#[derive(Debug, Clone)]
pub struct Book {
    /// The book folder, canonicalized.
    pub dir: PathBuf,
}

pub fn load(dir: &Path) -> Result<Book> {
    Err(Diagnostic::error(format!(
        "not implemented: {}",
        dir.display()
    )))
}
