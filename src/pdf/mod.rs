//! PDF writer. STUB.

use crate::diag::{Diagnostic, Result};
use crate::doc::Document;
use crate::layout::Pages;

pub fn write(_document: &Document, _pages: &Pages) -> Result<Vec<u8>> {
    Err(Diagnostic::error("not implemented"))
}
