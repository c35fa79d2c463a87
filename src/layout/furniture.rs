//! Page furniture, set in one pass after pagination: running heads and
//! folios, from each page's kind, chapter and number (see [`super::page`])
//! and the book's `[layout]` settings.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::doc::{Direction, Document, FolioPosition, FrontMatterNumbering, RunningHead};
use crate::fonts::Role;
use crate::text::{Shaper, StyledText};

use super::flow::{Column, Typesetter};
use super::front::Geometry;
use super::line::Align;
use super::page::{Item, NumberStyle, Page, PageKind, PageNumber, Rect};
use super::paginate::shift;
use super::{is_recto, spine_on_left};

/// Running heads are set this much smaller than the body.
const HEAD_SCALE: f32 = 0.8;
/// The head's baseline stands this many body sizes above the text area.
const HEAD_RAISE: f32 = 1.1;
/// The rule under the head: its distance above the text area, in body
/// sizes, and its thickness in points.
const HEAD_RULE_RAISE: f32 = 0.45;
const HEAD_RULE_THICKNESS: f32 = 0.4;
/// Folios are set this much smaller than the body.
const FOLIO_SCALE: f32 = 0.9;
/// The folio's baseline, as a share of the bottom margin above the trim.
const FOLIO_BASELINE: f32 = 0.75;
/// What ends a running head cut short to fit its line.
const ELLIPSIS: &str = "…";

/// How pages are counted: the front matter from the cover (which shows and
/// counts nothing, so the title page is i), the body from its first page.
#[derive(Debug, Clone, Copy)]
pub struct Numbering {
    /// Index of the first page of the body (the first chapter's opening).
    pub body_start: usize,
    pub front_matter: FrontMatterNumbering,
}

impl Numbering {
    /// The number of page `index`, printed or not.
    pub fn number(&self, index: usize) -> Option<PageNumber> {
        if index >= self.body_start {
            return Some(PageNumber {
                value: u32::try_from(index - self.body_start + 1).unwrap_or(u32::MAX),
                style: NumberStyle::Decimal,
            });
        }
        match (index, self.front_matter) {
            (0, _) | (_, FrontMatterNumbering::None) => None,
            (_, FrontMatterNumbering::Roman) => Some(PageNumber {
                value: u32::try_from(index).unwrap_or(u32::MAX),
                style: NumberStyle::LowerRoman,
            }),
        }
    }
}

/// Sets the running head and the folio of every page of `pages` (the first
/// is page `first` of the book) that has them: the
/// pages in one share a thread, each share with a typesetter of its own,
/// whose warnings and records join `ts`'s in page order. (A book's folios
/// are each set on their own; one thread took a tenth of a second for
/// 2,500 pages.) Recorded for `warraq fonts`, the pages are one share, so
/// that each running head is recorded once.
pub fn apply(
    ts: &mut Typesetter,
    document: &Document,
    g: &Geometry,
    titles: &[String],
    pages: &mut [Page],
    first: usize,
) {
    let shares = if ts.set.is_some() {
        1
    } else {
        rayon::current_num_threads()
    };
    if shares == 1 {
        return furnish(ts, document, g, titles, pages, first);
    }
    let share = pages.len().div_ceil(shares).max(1);
    let (fonts, size, direction, justify, breaking, threading) = (
        ts.fonts,
        ts.size,
        ts.direction,
        ts.justify,
        ts.breaking,
        ts.threading,
    );
    let (file, language) = (ts.file.clone(), ts.shaper.language_tag().to_string());
    let shared: Vec<_> = pages
        .par_chunks_mut(share)
        .enumerate()
        .map(|(k, pages)| {
            let shaper = Shaper::new(fonts, &language);
            let mut own = Typesetter::new(&shaper, fonts, size, direction, file.clone());
            (own.justify, own.breaking, own.threading) = (justify, breaking, threading);
            furnish(&mut own, document, g, titles, pages, first + k * share);
            (own.warnings, own.missing)
        })
        .collect();
    for (warnings, missing) in shared {
        ts.warnings.extend(warnings);
        ts.missing.extend(missing);
    }
}

/// [`apply`] to `pages`, the first of which is page `first` of the book.
fn furnish(
    ts: &mut Typesetter,
    document: &Document,
    g: &Geometry,
    titles: &[String],
    pages: &mut [Page],
    first: usize,
) {
    let layout = &document.layout;
    // Shaped once per text, placed on every page that repeats it.
    let mut heads: HashMap<&str, Vec<Item>> = HashMap::new();
    for (index, page) in (first..).zip(pages.iter_mut()) {
        let left = g.area.left[index % 2];
        if page.kind == PageKind::Body {
            let head = if is_recto(index) {
                layout.recto_head
            } else {
                layout.verso_head
            };
            let text = match head {
                RunningHead::Book => Some(document.metadata.title.as_str()),
                RunningHead::Chapter => {
                    page.chapter.and_then(|c| titles.get(c)).map(String::as_str)
                }
                RunningHead::None => None,
            };
            if let Some(text) = text.filter(|t| !t.is_empty()) {
                let items = heads
                    .entry(text)
                    .or_insert_with(|| running_head(ts, text, g));
                page.items
                    .extend(items.iter().map(|item| shift(item, left, 0.0)));
            }
        }
        if let Some(number) = page.folio() {
            let text = number.text(layout.numerals);
            let outer = match layout.folio {
                FolioPosition::Center => None,
                FolioPosition::Outer => {
                    Some(if spine_on_left(index, document.metadata.direction) {
                        Side::Right
                    } else {
                        Side::Left
                    })
                }
            };
            page.items.extend(folio(ts, &text, g, left, outer));
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Side {
    Left,
    Right,
}

/// `text` set on one line centred in the measure, relative to the text
/// area's left edge, with its baseline at `baseline`; `None` if it takes
/// more than one line or overflows the measure.
fn one_line(ts: &mut Typesetter, text: &str, g: &Geometry, baseline: f32) -> Option<Vec<Item>> {
    let column = Column {
        x: 0.0,
        width: g.measure,
    };
    let styled = StyledText::plain(text, ts.style(Role::Text, false, false, HEAD_SCALE));
    let mut chunks = ts.paragraph(styled, None, column, Align::Center);
    if chunks.len() != 1 {
        return None;
    }
    let items = chunks.pop()?.items;
    let runs = items.iter().filter_map(|item| match item {
        Item::Glyphs(run) => Some(run),
        _ => None,
    });
    let (left, right, line_baseline) = runs.fold((f32::MAX, f32::MIN, 0.0), |acc, run| {
        (acc.0.min(run.x), acc.1.max(run.x + run.width()), run.y)
    });
    let fits = left >= -0.5 && right <= g.measure + 0.5;
    fits.then(|| {
        items
            .iter()
            .map(|item| shift(item, 0.0, baseline - line_baseline))
            .collect()
    })
}

/// A running head: `text` in small type centred over the text area, cut
/// short with an ellipsis (at a word boundary where it can be) when it is
/// longer than a line, and a thin rule under it. Relative to the text area's
/// left edge.
fn running_head(ts: &mut Typesetter, text: &str, g: &Geometry) -> Vec<Item> {
    let baseline = g.area.top - ts.size * HEAD_RAISE;
    let mut items = one_line(ts, text, g, baseline).unwrap_or_else(|| {
        // The longest prefix (in characters) that fits with the ellipsis,
        // by bisection: shaping is monotonic enough in the text's length.
        let cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).skip(1).collect();
        let shortened = |end: usize| format!("{}{ELLIPSIS}", text[..end].trim_end());
        let (mut fitting, mut low, mut high) = (None, 0, cuts.len());
        while low < high {
            let mid = (low + high) / 2;
            match one_line(ts, &shortened(cuts[mid]), g, baseline) {
                Some(items) => {
                    fitting = Some((cuts[mid], items));
                    low = mid + 1;
                }
                None => high = mid,
            }
        }
        let Some((end, items)) = fitting else {
            return Vec::new();
        };
        // Prefer to cut between words.
        text[..end]
            .trim_end()
            .rfind(' ')
            .filter(|&space| space > 0)
            .and_then(|space| one_line(ts, &shortened(space), g, baseline))
            .unwrap_or(items)
    });
    if !items.is_empty() {
        items.push(Item::Fill {
            rect: Rect {
                x: 0.0,
                y: g.area.top - ts.size * HEAD_RULE_RAISE,
                width: g.measure,
                height: HEAD_RULE_THICKNESS,
            },
            grey: 0.0,
            opacity: 1.0,
            node: None,
        });
    }
    items
}

/// The folio in the bottom margin, centred under the text area or at its
/// `outer` edge; `left` is the text area's left edge on this page.
fn folio(
    ts: &mut Typesetter,
    text: &str,
    g: &Geometry,
    left: f32,
    outer: Option<Side>,
) -> Vec<Item> {
    // Numbers read left to right in every script (their digits too).
    let chunks = ts.paragraph(
        StyledText::plain(text, ts.style(Role::Text, false, false, FOLIO_SCALE)),
        Some(Direction::Ltr),
        Column {
            x: 0.0,
            width: g.measure,
        },
        Align::Start,
    );
    let items: Vec<Item> = chunks.into_iter().flat_map(|c| c.items).collect();
    let (width, line_baseline) = items
        .iter()
        .filter_map(|item| match item {
            Item::Glyphs(run) => Some((run.x + run.width(), run.y)),
            _ => None,
        })
        .fold((0.0_f32, 0.0), |acc, (right, y)| (acc.0.max(right), y));
    let x = left
        + match outer {
            None => (g.measure - width) / 2.0,
            Some(Side::Left) => 0.0,
            Some(Side::Right) => g.measure - width,
        };
    let baseline = g.height - g.margin_bottom * FOLIO_BASELINE;
    items
        .iter()
        .map(|item| shift(item, x, baseline - line_baseline))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_title_page_is_counted_and_the_body_starts_at_one() {
        let roman = Numbering {
            body_start: 4,
            front_matter: FrontMatterNumbering::Roman,
        };
        let numbers: Vec<Option<(u32, NumberStyle)>> = (0..6)
            .map(|i| roman.number(i).map(|n| (n.value, n.style)))
            .collect();
        use NumberStyle::*;
        assert_eq!(
            numbers,
            [
                None,
                Some((1, LowerRoman)),
                Some((2, LowerRoman)),
                Some((3, LowerRoman)),
                Some((1, Decimal)),
                Some((2, Decimal)),
            ]
        );
        let none = Numbering {
            front_matter: FrontMatterNumbering::None,
            ..roman
        };
        assert_eq!(none.number(3), None);
        assert_eq!(none.number(4).map(|n| n.value), Some(1));
    }
}
