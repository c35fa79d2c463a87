//! Printer's marks, for a preset that prints them (`offset`): crop marks at
//! the trim's four corners and a slug line (the build date, the page's
//! number in the PDF, the book's title) under the page, all in the band
//! beyond the bleed (see [`super::page::Sheet`]), so that none of it prints
//! on the trimmed page or its bleed.

use crate::diag::{Code, Diagnostic};
use crate::doc::{Direction, Document};
use crate::fonts::Role;
use crate::text::StyledText;
use crate::time::Civil;

use super::POINTS_PER_MM;
use super::flow::Column;
use super::flow::Typesetter;
use super::front::Geometry;
use super::line::Align;
use super::page::{Item, Page, Rect};
use super::paginate::shift;

/// Crop marks' thickness in points: the usual hairline.
const MARK_THICKNESS: f32 = 0.25;
/// The slug line's type size, in points.
const SLUG_SIZE_PT: f32 = 6.0;
/// Where the slug's baseline stands in the band under the crop marks'
/// start, as a share of the marks' length: about the middle of the marks,
/// clear of the sheet's edge.
const SLUG_BASELINE: f32 = 0.6;
/// Between the slug's parts.
const SLUG_SEPARATOR: &str = " · ";

/// Adds the crop marks and the slug line to every page of `pages`, the
/// first of which is page `first` of the book, when the book's preset
/// prints them.
pub fn apply(
    ts: &mut Typesetter,
    document: &Document,
    g: &Geometry,
    pages: &mut [Page],
    first: usize,
) {
    let Some(marks) = document.page.print.marks() else {
        return;
    };
    let (length, offset) = (marks.length * POINTS_PER_MM, marks.offset * POINTS_PER_MM);
    let date = Civil::w3c_date(document.metadata.timestamp);
    for (index, page) in (first..).zip(pages.iter_mut()) {
        let bleed = g.sheet.bleed_box(index, g.width, g.height);
        page.items
            .extend(crop_marks(&bleed, g.width, g.height, length, offset));
        // The title last: digits after Arabic letters would join their
        // right-to-left run (Unicode bidi rule W2) and the date turn round.
        let text = [
            date.as_str(),
            &(index + 1).to_string(),
            &document.metadata.title,
        ]
        .join(SLUG_SEPARATOR);
        let baseline = bleed.y + bleed.height + offset + length * SLUG_BASELINE;
        let (items, whole) = slug(ts, &text, g.width, baseline);
        if !whole && index == 0 {
            ts.warnings.push(Diagnostic::warning(
                Code::Overflow,
                "the title is too long for the slug line under each page (preset \"offset\"): \
                 the line is cut where the page's width ends",
            ));
        }
        page.items.extend(items);
    }
}

/// Eight hairlines on the trim's edges extended, two at each corner, each
/// `length` long from `offset` beyond the `bleed` box.
fn crop_marks(bleed: &Rect, width: f32, height: f32, length: f32, offset: f32) -> Vec<Item> {
    let (left, top) = (bleed.x - offset - length, bleed.y - offset - length);
    let (right, bottom) = (
        bleed.x + bleed.width + offset,
        bleed.y + bleed.height + offset,
    );
    let half = MARK_THICKNESS / 2.0;
    let across = |x: f32, y: f32| Rect {
        x,
        y: y - half,
        width: length,
        height: MARK_THICKNESS,
    };
    let down = |x: f32, y: f32| Rect {
        x: x - half,
        y,
        width: MARK_THICKNESS,
        height: length,
    };
    [
        across(left, 0.0),
        across(right, 0.0),
        across(left, height),
        across(right, height),
        down(0.0, top),
        down(width, top),
        down(0.0, bottom),
        down(width, bottom),
    ]
    .into_iter()
    .map(|rect| Item::PrintersMark { rect })
    .collect()
}

/// `text` in small type centred under the trimmed page, its baseline at
/// `baseline`, between the crop marks below the page; and whether all of
/// it fits on that one line.
fn slug(ts: &mut Typesetter, text: &str, width: f32, baseline: f32) -> (Vec<Item>, bool) {
    let column = Column { x: 0.0, width };
    let style = ts.style(Role::Text, false, false, SLUG_SIZE_PT / ts.size);
    // Left to right whatever the book's direction: a line for the print
    // shop, read date, page, title.
    let chunks = ts.paragraph(
        StyledText::plain(text, style),
        Some(Direction::Ltr),
        column,
        Align::Center,
    );
    // One line unless the title is very long; the first line then says
    // what the sheet is.
    let whole = chunks.len() <= 1;
    let Some(line) = chunks.into_iter().next() else {
        return (Vec::new(), whole);
    };
    let line_baseline = line
        .items
        .iter()
        .find_map(|item| match item {
            Item::Glyphs(run) => Some(run.y),
            _ => None,
        })
        .unwrap_or(0.0);
    let items = line
        .items
        .iter()
        .map(|item| shift(item, 0.0, baseline - line_baseline))
        .collect();
    (items, whole)
}
