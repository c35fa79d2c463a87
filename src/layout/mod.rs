//! Layout: line breaking and pagination into a page model. STUB.

use crate::diag::{Diagnostic, Result, Warnings};
use crate::doc::Document;
use crate::fonts::FontLibrary;

/// The laid-out print edition.
#[derive(Debug, Clone, Default)]
pub struct Pages {}

pub fn typeset(
    _document: &Document,
    _fonts: &FontLibrary,
    _warnings: &mut Warnings,
) -> Result<Pages> {
    Err(Diagnostic::error("not implemented"))
}
