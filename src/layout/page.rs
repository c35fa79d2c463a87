//! The page model: what the print edition is, after layout and before PDF.
//!
//! Pages of positioned glyph runs, pictures and rules, in points, with the
//! origin at the top-left corner of the trimmed page and y growing downwards.
//! The PDF writer draws these as they are; imposition and the EPUB page-list
//! read their [`Skeleton`].

use std::ops::Range;
use std::sync::Arc;

use crate::doc::{Anchor, Bleed, Direction, Numerals};

/// The laid-out print edition.
#[derive(Debug, Clone, Default)]
pub struct Pages {
    /// Trimmed page size in points.
    pub width: f32,
    pub height: f32,
    /// What each sheet of the PDF holds around the trimmed page.
    pub sheet: Sheet,
    pub pages: Vec<Page>,
    /// Bookmarks, in document order.
    pub outline: Vec<OutlineEntry>,
    /// Each chapter's logical structure (tagged PDF), in chapter order.
    pub structure: Vec<Structure>,
}

impl Pages {
    /// Page `index`'s bleed box (see [`Sheet::bleed_box`]).
    pub fn bleed_box(&self, index: usize) -> Rect {
        self.sheet.bleed_box(index, self.width, self.height)
    }

    /// Page `index`'s media box (see [`Sheet::media_box`]).
    pub fn media_box(&self, index: usize) -> Rect {
        self.sheet.media_box(index, self.width, self.height)
    }

    /// What the EPUB's page-list and the booklet read of the print
    /// edition (see [`Skeleton`]). The PDF writer, which is given the pages
    /// themselves, lets each go once it is drawn.
    pub fn skeleton(&self) -> Skeleton {
        Skeleton {
            width: self.width,
            height: self.height,
            sheet: self.sheet,
            pages: self.pages.iter().map(Page::skeleton).collect(),
        }
    }
}

/// What the EPUB's page-list and the booklet read of the print edition:
/// its sizes and sheet, and each page's kind, chapter, number and start;
/// kept to the end of a build, a long book's pages are not.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Skeleton {
    /// Trimmed page size in points.
    pub width: f32,
    pub height: f32,
    pub sheet: Sheet,
    pub pages: Vec<PageSkeleton>,
}

impl Skeleton {
    /// Page `index`'s media box (see [`Sheet::media_box`]).
    pub fn media_box(&self, index: usize) -> Rect {
        self.sheet.media_box(index, self.width, self.height)
    }
}

/// What [`Skeleton`] keeps of a page (see [`Page`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PageSkeleton {
    pub kind: PageKind,
    pub chapter: Option<usize>,
    pub number: Option<PageNumber>,
    pub start: Option<Anchor>,
}

/// The sheet around each trimmed page, in points: the bleed (left and
/// right swap with the spine's side, page by page) and, beyond it on every
/// side, the band that holds the printer's marks.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sheet {
    pub bleed: Bleed,
    /// Beyond the bleed on every side; 0 without marks.
    pub band: f32,
    /// The book's direction: which side the spine is on (see
    /// [`super::spine_on_left`]).
    pub direction: Direction,
}

impl Sheet {
    /// The trimmed page (`width` × `height` at the origin) with the bleed of
    /// page `index` on each edge.
    pub fn bleed_box(&self, index: usize, width: f32, height: f32) -> Rect {
        let b = &self.bleed;
        let (left, right) = if super::spine_on_left(index, self.direction) {
            (b.spine, b.outer)
        } else {
            (b.outer, b.spine)
        };
        Rect {
            x: -left,
            y: -b.top,
            width: width + left + right,
            height: height + b.top + b.bottom,
        }
    }

    /// The whole sheet of page `index`: its bleed box and the marks' band.
    pub fn media_box(&self, index: usize, width: f32, height: f32) -> Rect {
        let bleed = self.bleed_box(index, width, height);
        Rect {
            x: bleed.x - self.band,
            y: bleed.y - self.band,
            width: bleed.width + 2.0 * self.band,
            height: bleed.height + 2.0 * self.band,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Page {
    pub items: Vec<Item>,
    pub links: Vec<LinkArea>,
    pub kind: PageKind,
    /// Index into `Document::chapters` of the chapter this page sets (body
    /// pages and chapter openings only).
    pub chapter: Option<usize>,
    /// The page's number in its sequence (front matter or body), whether it
    /// is printed or only counted; `None` for pages outside any count (the
    /// cover, unnumbered front matter). See [`Page::folio`].
    pub number: Option<PageNumber>,
    /// On a [`PageKind::Plate`], the picture that fills it.
    pub plate: Option<Plate>,
    /// Every line of running text on the page, in the order set (the text
    /// top to bottom, then the notes): the lines of paragraphs, headings,
    /// list items, quotes, code, table cells and footnotes (not captions nor
    /// the lines of generated pages and page furniture). For measuring pages.
    pub lines: Vec<LineInfo>,
    /// Where the page's running text begins in its chapter's source (the
    /// first line set on it that is not a repeated table head nor a note):
    /// where the EPUB's page-list puts its page break.
    pub start: Option<Anchor>,
}

impl Page {
    /// What [`Skeleton`] keeps of the page.
    pub fn skeleton(&self) -> PageSkeleton {
        PageSkeleton {
            kind: self.kind,
            chapter: self.chapter,
            number: self.number,
            start: self.start,
        }
    }

    /// The number printed in the footer, if any: pages that are counted but
    /// show nothing (the title page, blank pages) have none.
    pub fn folio(&self) -> Option<PageNumber> {
        match self.kind {
            PageKind::Contents | PageKind::ChapterOpening | PageKind::Body => self.number,
            PageKind::Cover | PageKind::Title | PageKind::Blank | PageKind::Plate => None,
        }
    }
}

/// What a page is, for its furniture (running head, folio) and for readers
/// of the page model (PDF page labels, imposition, the EPUB page-list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PageKind {
    Cover,
    Title,
    Contents,
    /// The first page of a chapter: a folio, but no running head.
    ChapterOpening,
    /// A page of a chapter after its first.
    #[default]
    Body,
    /// Left empty so that the next chapter opens on a recto.
    Blank,
    /// A full-bleed picture, on a page of its own: counted, but no folio
    /// and no running head printed over it.
    Plate,
}

/// A full-bleed picture's page before its sheet is known: the
/// picture goes over the trimmed page and its bleed, which differs from
/// recto to verso (see [`super::front::plate`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Plate {
    /// Key into `Document::images`.
    pub key: String,
    pub link: Option<LinkTo>,
    /// Where the chapter asks for it, for warnings.
    pub pos: crate::doc::SourcePos,
    /// Its figure element (none without alt text: decoration) and, when
    /// it is linked, its link element.
    pub figure: Option<NodeId>,
    pub link_node: Option<NodeId>,
}

/// A page's number and how it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageNumber {
    /// 1-based within its sequence.
    pub value: u32,
    pub style: NumberStyle,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberStyle {
    /// i, ii, iii… (front matter).
    LowerRoman,
    /// In the book's numerals (`doc::Numerals`): the body.
    Decimal,
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
    /// A picture (key into `Document::images`) filling `rect`, cut off
    /// outside `crop` (a cover or a full-bleed picture larger than the page
    /// and its bleed); clicking it follows `link`. Without `node` (no alt
    /// text, or the cover), it is decoration.
    Picture {
        key: String,
        rect: Rect,
        crop: Option<Rect>,
        link: Option<LinkTo>,
        node: Option<NodeId>,
    },
    /// A rectangle filled with a colour (`[red, green, blue]`): the
    /// background of a cover picture that does not fill the page.
    Backdrop {
        rect: Rect,
        rgb: [u8; 3],
    },
    /// A filled rectangle (rules, bands), in grey level 0 (black) – 1 (white)
    /// with `opacity`.
    Fill {
        rect: Rect,
        grey: f32,
        opacity: f32,
        /// The element it is the content of (a task's check box is its
        /// label); none for a rule or a border, which are artifacts.
        node: Option<NodeId>,
    },
    /// Closed polygons (page coordinates) in a colour, filled (even-odd,
    /// so a polygon inside another cuts a hole) or, with `stroke`, outlined
    /// that wide: the ornament of a cover warraq designs.
    Shape {
        polygons: std::sync::Arc<Vec<Vec<(f32, f32)>>>,
        rgb: [u8; 3],
        opacity: f32,
        stroke: Option<f32>,
    },
    /// A printer's mark (a crop mark): filled in registration colour, so
    /// that it prints on every plate of the press and the plates can be
    /// lined up by it.
    PrintersMark {
        rect: Rect,
    },
    /// A clickable area over linked text, leading `to` an address or a
    /// place in the book; nothing is drawn. `node`: its link element.
    Link {
        rect: Rect,
        to: LinkTo,
        node: Option<NodeId>,
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
    /// Set right to left: its glyphs, left to right, stand for its text
    /// from the end.
    pub rtl: bool,
    /// Shared: a line's glyphs are placed on a page as they were set in its
    /// chapter's flow, only moved, so the page and the flow hold them once.
    pub glyphs: Arc<[PlacedGlyph]>,
    /// The paragraph's text; glyph `text` ranges index into it.
    pub text: Arc<str>,
    /// The element of the book's structure whose text this is; `None` for
    /// what is not part of the text (page furniture, the cover, leaders).
    pub node: Option<NodeId>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedGlyph {
    pub id: u16,
    /// The source text this glyph's cluster stands for: byte offsets in the
    /// paragraph ([`PlacedGlyph::span`]).
    pub text: (u32, u32),
    pub x_advance: f32,
    pub x_offset: f32,
    /// Upwards, as in HarfBuzz.
    pub y_offset: f32,
    /// Part of a kashida (tatweel) that justification inserted: it stands
    /// for no source text, and copies out as nothing.
    pub kashida: bool,
}

// A paragraph's offsets fit in 32 bits: no source file is larger.
const _: () = assert!(crate::load::MAX_FILE_BYTES < u32::MAX as u64);

impl PlacedGlyph {
    /// `start..end` of a paragraph's text as kept in `text`: 32 bits, as a
    /// book holds millions of glyphs.
    pub fn span(start: usize, end: usize) -> (u32, u32) {
        (start as u32, end as u32)
    }

    pub fn text_range(&self) -> Range<usize> {
        self.text.0 as usize..self.text.1 as usize
    }

    /// Where the source text of this glyph's cluster starts.
    pub fn start(&self) -> usize {
        self.text.0 as usize
    }
}

/// One step of drawing [`Item::Shape`]'s polygons as a path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PathStep {
    MoveTo(f32, f32),
    LineTo(f32, f32),
    Close,
}

/// The steps drawing `polygons`, each closed: what the PDF and the
/// painted cover both build their paths from.
pub fn polygon_steps(polygons: &[Vec<(f32, f32)>]) -> impl Iterator<Item = PathStep> + '_ {
    polygons
        .iter()
        .filter(|p| !p.is_empty())
        .flat_map(|polygon| {
            let (first, rest) = (polygon[0], &polygon[1..]);
            std::iter::once(PathStep::MoveTo(first.0, first.1))
                .chain(rest.iter().map(|&(x, y)| PathStep::LineTo(x, y)))
                .chain(std::iter::once(PathStep::Close))
        })
}

/// Makes the glyph runs of `items` content of element `node`.
pub fn tag_glyphs(items: &mut [Item], node: NodeId) {
    for item in items {
        if let Item::Glyphs(run) = item {
            run.node = Some(node);
        }
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

/// Where a link on the page leads.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkTo {
    /// A web or mail address.
    Uri(String),
    /// A named destination of this PDF ([`OutlineEntry::name`]).
    Named(String),
}

/// A clickable area leading to a spot in this PDF.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkArea {
    pub rect: Rect,
    /// Index of the page it leads to, and the y there.
    pub page: usize,
    pub y: f32,
    /// Its link element, and what it leads to in words.
    pub node: Option<NodeId>,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutlineEntry {
    pub title: String,
    /// 1 for chapters, 2 and 3 for sections.
    pub level: u8,
    /// The PDF's named destination for this spot, unique in the book: the
    /// chapter's file path without `.md` (`02-tables`), or for a section
    /// that path and the heading's id (`02-tables#tables`), as the EPUB's
    /// links name them; `book.pdf#nameddest=02-tables` opens there.
    pub name: String,
    pub page: usize,
    pub y: f32,
}

/// A chapter's logical structure, for tagged PDF: its elements (headings,
/// paragraphs, lists, tables, figures, notes, links, spans in another
/// language) in the order layout made them, which is the source's, each
/// naming its parent. Glyph runs and pictures name the element they are
/// content of ([`NodeId`]). The generated pages (title, contents) have one
/// too.
#[derive(Debug, Clone, Default)]
pub struct Structure {
    /// The chapter's index in `Document::chapters`; the number of chapters
    /// for the generated pages.
    pub chapter: u32,
    pub elements: Vec<Element>,
}

/// An element of chapter `chapter`'s [`Structure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    pub chapter: u32,
    pub index: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub kind: ElementKind,
    /// Index in the chapter's elements; `None` at the top.
    pub parent: Option<u32>,
}

/// What an element is (the standard structure types of ISO 32000-1 14.8.4).
#[derive(Debug, Clone, PartialEq)]
pub enum ElementKind {
    /// Level 1–6 and the heading's text.
    Heading(u8, String),
    Paragraph,
    BlockQuote,
    /// A callout, a verse: blocks that belong together.
    Division,
    List {
        ordered: bool,
    },
    ListItem,
    /// A list item's marker, or a definition's term.
    ListLabel,
    /// A task's check box, with what it says in words ("Done", "To do").
    TaskLabel(String),
    ListBody,
    Table,
    TableRow,
    HeaderCell,
    Cell,
    /// A picture with its alt text.
    Figure(String),
    Caption,
    /// A footnote, inside the element that calls it.
    Note,
    Link,
    /// A line of a code block.
    Code,
    /// Text in another language (BCP 47 tag).
    Span(String),
    /// The table of contents, and one of its entries.
    Contents,
    ContentsEntry,
}

impl Structure {
    /// The element `node` names, if it is one of this structure's.
    pub fn element(&self, node: NodeId) -> Option<&Element> {
        (node.chapter == self.chapter)
            .then(|| self.elements.get(node.index as usize))
            .flatten()
    }

    /// Puts element `node` inside element `parent`, both of this structure
    /// (an element's parent may come after it).
    pub fn nest(&mut self, node: NodeId, parent: NodeId) {
        if let Some(element) = self.elements.get_mut(node.index as usize) {
            element.parent = Some(parent.index);
        }
    }

    /// Adds an element inside `parent` (`None`: at the top).
    pub fn add(&mut self, kind: ElementKind, parent: Option<NodeId>) -> NodeId {
        let index = self.elements.len() as u32;
        self.elements.push(Element {
            kind,
            parent: parent.map(|p| p.index),
        });
        NodeId {
            chapter: self.chapter,
            index,
        }
    }
}

impl PageNumber {
    /// The number as printed: roman numerals in lower case, the body in the
    /// book's `numerals`.
    pub fn text(self, numerals: Numerals) -> String {
        match self.style {
            NumberStyle::LowerRoman => lower_roman(self.value),
            NumberStyle::Decimal => numerals.format(u64::from(self.value)),
        }
    }
}

/// `n` in lower-case roman numerals (`0` for zero, which no page has).
fn lower_roman(mut n: u32) -> String {
    const DIGITS: [(u32, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    if n == 0 {
        return "0".into();
    }
    let mut out = String::new();
    for (value, digits) in DIGITS {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers_print_in_roman_or_the_books_numerals() {
        let roman = |value| {
            PageNumber {
                value,
                style: NumberStyle::LowerRoman,
            }
            .text(Numerals::Persian)
        };
        assert_eq!(
            [1, 2, 4, 9, 14, 40, 1994].map(roman),
            ["i", "ii", "iv", "ix", "xiv", "xl", "mcmxciv"]
        );
        let body = |numerals| {
            PageNumber {
                value: 105,
                style: NumberStyle::Decimal,
            }
            .text(numerals)
        };
        assert_eq!(body(Numerals::Western), "105");
        assert_eq!(body(Numerals::ArabicIndic), "١٠٥");
        assert_eq!(body(Numerals::Persian), "۱۰۵");
    }
}
