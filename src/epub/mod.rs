//! EPUB 3 writer. STUB — to be written.

use crate::diag::{Diagnostic, Result};
use crate::doc::Document;
use crate::fonts::FontLibrary;

pub fn write(_document: &Document, _fonts: &FontLibrary) -> Result<Vec<u8>> {
    Err(Diagnostic::error("not implemented"))
}
