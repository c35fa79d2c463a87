//! Reading the page model back as lines of text, for snapshot tests and for
//! measuring the typography: [`text_lines`] finds the lines of running text
//! on a page (their glyph runs, width, kashidas, how they end) and [`dump`]
//! writes every page's lines as plain text.
//!
//! The line boxes ([`line_boxes`]) are the page model's `Page::lines`;
//! everything else reads glyph runs.

use std::fmt::Write;
use std::sync::Arc;

use crate::doc::{Direction, Document};

use super::line::{is_added_hyphen, is_space};
use super::page::{GlyphRun, Item, Page, PageKind, Pages, PlacedGlyph, Rect};

/// The text block of page `index` (0-based) of a book: where running text
/// may be set, in page coordinates.
pub fn text_block(document: &Document, index: usize) -> Rect {
    let g = super::geometry(document);
    Rect {
        x: g.area.left[index % 2],
        y: g.area.top,
        width: g.measure,
        height: g.area.height,
    }
}

/// Where one line of running text is on its page, and what the page model
/// knows of its paragraph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineBox {
    /// The glyph runs whose baselines lie in `top..=bottom` are the line's.
    pub top: f32,
    pub bottom: f32,
    /// The paragraph (unique in the book), the line's place in it from 0 and
    /// its number of lines.
    pub paragraph: (u32, u32, u32),
    /// Whether the line was set to the full measure.
    pub justified: bool,
}

/// The lines of running text on `page`, as the page model records them
/// (its running heads and folios are not running text).
pub fn line_boxes(page: &Page) -> Vec<LineBox> {
    page.lines
        .iter()
        .map(|l| LineBox {
            top: l.top,
            bottom: l.bottom,
            paragraph: (l.paragraph, l.index, l.count),
            justified: l.justified,
        })
        .collect()
}

fn glyph_runs(page: &Page) -> impl Iterator<Item = &GlyphRun> {
    page.items.iter().filter_map(|item| match item {
        Item::Glyphs(run) if !run.glyphs.is_empty() => Some(run),
        _ => None,
    })
}

/// One line of running text, read from the page model.
#[derive(Debug, Clone)]
pub struct TextLine<'a> {
    pub line: LineBox,
    /// The baseline of most of the line's glyphs.
    pub baseline: f32,
    /// Its glyph runs, left to right.
    pub runs: Vec<&'a GlyphRun>,
    /// Left and right ends of its glyphs, in page coordinates.
    pub left: f32,
    pub right: f32,
    /// The measure it was set in (the text block's width).
    pub measure: f32,
    /// Set to the full measure, as the page model says.
    pub justified: bool,
    /// The book's direction: the order of a line's pieces from different
    /// paragraphs (table cells).
    rtl: bool,
}

/// How a line ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnd {
    /// At the end of its paragraph.
    Paragraph,
    /// Between words.
    Word,
    /// Inside a word, with a hyphen.
    Hyphen,
}

impl TextLine<'_> {
    pub fn width(&self) -> f32 {
        self.right - self.left
    }

    /// Every glyph, left to right, with its run.
    pub fn glyphs(&self) -> impl Iterator<Item = (&GlyphRun, &PlacedGlyph)> {
        self.runs
            .iter()
            .flat_map(|run| run.glyphs.iter().map(move |g| (*run, g)))
    }

    /// Glyphs that justification inserted (kashida, tatweel).
    pub fn kashidas(&self) -> usize {
        self.glyphs().filter(|(_, g)| g.kashida).count()
    }

    /// The word spaces: glyphs whose source text is a space.
    pub fn spaces(&self) -> impl Iterator<Item = (&GlyphRun, &PlacedGlyph)> {
        self.glyphs()
            .filter(|(run, g)| !g.kashida && is_space(&run.text[g.text_range()]))
    }

    /// The pieces of source text the line sets, one per paragraph it shows
    /// (several in a table row), each in logical order; the pieces in
    /// reading order. Inserted kashidas and hyphens stand for no source text.
    pub fn pieces(&self) -> Vec<(&Arc<str>, std::ops::Range<usize>)> {
        let mut pieces: Vec<(&Arc<str>, std::ops::Range<usize>)> = Vec::new();
        for run in &self.runs {
            if is_added_hyphen(run) {
                continue;
            }
            let ranges = run
                .glyphs
                .iter()
                .filter(|g| !g.kashida && g.text.0 < g.text.1);
            for glyph in ranges {
                match pieces.iter_mut().find(|(t, _)| Arc::ptr_eq(t, &run.text)) {
                    Some((_, range)) => {
                        range.start = range.start.min(glyph.start());
                        range.end = range.end.max(glyph.text_range().end);
                    }
                    None => pieces.push((&run.text, glyph.text_range())),
                }
            }
        }
        if self.rtl {
            pieces.reverse();
        }
        pieces
    }

    /// The source text of the line (pieces from several paragraphs joined
    /// by ` ¦ `).
    pub fn text(&self) -> String {
        self.pieces()
            .iter()
            .map(|(text, range)| text[range.clone()].trim())
            .collect::<Vec<_>>()
            .join(" ¦ ")
    }

    pub fn end(&self) -> LineEnd {
        if self.runs.iter().any(|run| is_added_hyphen(run)) {
            return LineEnd::Hyphen;
        }
        let (_, index, count) = self.line.paragraph;
        if index + 1 == count {
            LineEnd::Paragraph
        } else {
            LineEnd::Word
        }
    }
}

/// The lines of running text on page `index` of `pages`, top to bottom.
pub fn text_lines<'a>(pages: &'a Pages, document: &Document, index: usize) -> Vec<TextLine<'a>> {
    let page = &pages.pages[index];
    let block = text_block(document, index);
    let rtl = document.metadata.direction == Direction::Rtl;
    let mut boxes = line_boxes(page);
    // Lines side by side (a table row's cells) share one box: one line.
    boxes.sort_by(|a, b| a.top.total_cmp(&b.top));
    boxes.dedup_by(|a, b| a.top == b.top && a.bottom == b.bottom);
    boxes
        .into_iter()
        .filter_map(|line| {
            let mut runs: Vec<&GlyphRun> = glyph_runs(page)
                .filter(|run| run.y >= line.top && run.y <= line.bottom)
                .collect();
            runs.sort_by(|a, b| a.x.total_cmp(&b.x));
            let baseline = runs.iter().max_by_key(|run| run.glyphs.len())?.y;
            let left = runs.iter().map(|r| r.x).fold(f32::MAX, f32::min);
            let right = runs
                .iter()
                .map(|r| r.x + r.width())
                .fold(f32::MIN, f32::max);
            let justified = line.justified;
            Some(TextLine {
                line,
                baseline,
                runs,
                left,
                right,
                measure: block.width,
                justified,
                rtl,
            })
        })
        .collect()
}

/// What a page is, in the dump's words.
fn kind_name(kind: PageKind) -> &'static str {
    match kind {
        PageKind::Cover => "cover",
        PageKind::Title => "title",
        PageKind::Contents => "contents",
        PageKind::ChapterOpening => "chapter opening",
        PageKind::Body => "text",
        PageKind::Blank => "blank",
        PageKind::Plate => "plate",
    }
}

/// The page model as text: per page its kind and folio, then per line its
/// baseline, whether it is justified, its width against the measure, the
/// kashidas inserted in it, how it ends, and its source text.
pub fn dump(pages: &Pages, document: &Document) -> String {
    let mut out = String::new();
    for index in 0..pages.pages.len() {
        let lines = text_lines(pages, document, index);
        let page = &pages.pages[index];
        let kind = kind_name(page.kind);
        let folio = page
            .folio()
            .map_or("none".to_string(), |n| n.text(document.layout.numerals));
        let _ = writeln!(out, "page {} ({kind}, folio {folio})", index + 1);
        for line in &lines {
            let end = match line.end() {
                LineEnd::Paragraph => "para",
                LineEnd::Word => "word",
                LineEnd::Hyphen => "hyph",
            };
            let _ = writeln!(
                out,
                "  y {:6.1} {} w {:5.1}/{:5.1} k {:2} {end} | {}",
                line.baseline,
                if line.justified { "J" } else { "-" },
                line.width(),
                line.measure,
                line.kashidas(),
                line.text(),
            );
        }
    }
    out
}
