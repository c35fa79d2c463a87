//! Stage 2: Markdown → [`crate::doc::Document`]. STUB — to be written.

use crate::diag::{Diagnostic, Result, Warnings};
use crate::doc::Document;
use crate::load::Book;

pub fn parse(_book: &Book, _warnings: &mut Warnings) -> Result<Document> {
    Err(Diagnostic::error("not implemented"))
}
