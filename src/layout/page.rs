//! The page model: what the print edition is, after layout and before PDF.
//!
//! Pages of positioned glyph runs, pictures and rules, in points, with the
//! origin at the top-left corner of the trimmed page and y growing downwards.
//! The PDF writer draws these as they are; imposition and the EPUB page-list
//! read them too.

use std::ops::Range;
use std::sync::Arc;

/// The laid-out print edition.
#[derive(Debug, Clone, Default)]
pub struct Pages {
    /// Trimmed page size in points.
    pub width: f32,
    pub height: f32,
    /// Bleed around the trimmed page, in points.
    pub bleed: f32,
    pub pages: Vec<Page>,
    /// Bookmarks, in document order.
    pub outline: Vec<OutlineEntry>,
}

#[derive(Debug, Clone, Default)]
pub struct Page {
    pub items: Vec<Item>,
    pub links: Vec<LinkArea>,
    /// The number printed in the footer, if any.
    pub folio: Option<u32>,
}

#[derive(Debug, Clone)]
pub enum Item {
    Glyphs(GlyphRun),
    /// A picture (key into `Document::images`) filling `rect`.
    Picture {
        key: String,
        rect: Rect,
    },
    /// A filled rectangle (rules, bands), in grey level 0 (black) – 1 (white)
    /// with `opacity`.
    Fill {
        rect: Rect,
        grey: f32,
        opacity: f32,
    },
}

/// Glyphs of one face and size on one baseline, in visual order.
#[derive(Debug, Clone)]
pub struct GlyphRun {
    /// Index into `FontLibrary::faces`.
    pub face: usize,
    pub size: f32,
    /// Start of the baseline (left end).
    pub x: f32,
    pub y: f32,
    /// White text (on the cover) instead of black.
    pub inverse: bool,
    pub glyphs: Vec<PlacedGlyph>,
    /// The paragraph's text; glyph `text` ranges index into it.
    pub text: Arc<str>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedGlyph {
    pub id: u16,
    /// The source text this glyph's cluster stands for.
    pub text: (usize, usize),
    pub x_advance: f32,
    pub x_offset: f32,
    /// Upwards, as in HarfBuzz.
    pub y_offset: f32,
    /// Part of a kashida (tatweel) that justification inserted: it stands
    /// for no source text, and copies out as nothing.
    pub kashida: bool,
}

impl PlacedGlyph {
    pub fn text_range(&self) -> Range<usize> {
        self.text.0..self.text.1
    }
}

impl GlyphRun {
    pub fn width(&self) -> f32 {
        self.glyphs.iter().map(|g| g.x_advance).sum()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

/// A clickable area leading to a spot in this PDF.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkArea {
    pub rect: Rect,
    /// Index of the page it leads to, and the y there.
    pub page: usize,
    pub y: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    pub title: String,
    /// 1 for chapters, 2 and 3 for sections.
    pub level: u8,
    pub page: usize,
    pub y: f32,
}
