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
    /// Every line of running text on the page, in the order set (the text
    /// top to bottom, then the notes): the lines of paragraphs, headings,
    /// list items, quotes, code, table cells and footnotes (not captions nor
    /// the lines of generated pages and page furniture). For measuring pages.
    pub lines: Vec<LineInfo>,
}

/// One line of running text: where it is and which paragraph it is part of.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LineInfo {
    /// Top and bottom of the line's box (its leading included), in page
    /// coordinates.
    pub top: f32,
    pub bottom: f32,
    /// The paragraph, unique in the book (a footnote's paragraph, a line of
    /// code, a heading and a table cell are paragraphs too; a table's head
    /// row repeated on a new page repeats its cells' numbers).
    pub paragraph: u32,
    /// The line's place in its paragraph, from 0, and the paragraph's number
    /// of lines.
    pub index: u32,
    pub count: u32,
    /// Set to the full measure: a line of a justified paragraph other than
    /// its last and other than one ending at a hard break.
    pub justified: bool,
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
