//! Tables, sized as a browser sizes a table of automatic layout and
//! `width: auto` (CSS 2.1 §17.5.2.2; the EPUB's stylesheet): each column
//! from its cells' minimum and preferred widths, measured on their shaped
//! glyphs. Rows are set in pieces a page may end between.

use std::sync::Arc;

use crate::doc::{self, Direction, Inline, bidi_text, block_direction};
use crate::fonts::Role;
use crate::layout::line::{Align, Measure};
use crate::layout::linebreak::{self, ContentWidths};
use crate::layout::page::{ElementKind, Item, Rect};
use crate::text::{ParagraphSettings, StyledText};

use super::{ChapterFlow, Chunk, Column, FlowItem, Typesetter, overlay, styled_inlines};

/// Space between a cell's text and the rules around it, as a share of the
/// body size: on each side across, half of it above and below.
const CELL_PADDING: f32 = 0.4;
/// Cells are set a little smaller than the body.
const CELL_SCALE: f32 = 0.9;
/// Padding never takes more than this share of a column squeezed narrow.
const MAX_PADDING_SHARE: f32 = 0.25;

impl ChapterFlow<'_, '_> {
    /// A table: columns sized to their content (see [`column_widths`]), the
    /// first on the start side, the table centred in the column when it is
    /// narrower; a rule under the head and under every row. Rows are set
    /// in pieces a page may end between (see [`row_pieces`]); the head row
    /// comes again at the top of every page the table continues on.
    pub(super) fn table(
        &mut self,
        aligns: &[doc::Align],
        head: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
        column: Column,
    ) {
        let columns = head
            .len()
            .max(rows.iter().map(Vec::len).max().unwrap_or(0))
            .max(1);
        let pad = self.ts.size * CELL_PADDING;
        let numerals = self.document.layout.numerals;
        // Columns follow the book's direction, each cell its own.
        let direction = self.ts.direction;
        let cell_direction = |cell: &[Inline]| block_direction(direction, &bidi_text(cell));
        let mut all_rows: Vec<(&[Vec<Inline>], bool)> = vec![(head, true)];
        all_rows.extend(rows.iter().map(|r| (r.as_slice(), false)));
        let cell_text = |ts: &Typesetter, cell: &[Inline], is_head: bool| {
            styled_inlines(
                cell,
                ts.style(Role::Text, is_head, false, CELL_SCALE),
                numerals,
            )
        };

        let mut needs = vec![
            ContentWidths {
                min: 2.0 * pad,
                max: 2.0 * pad,
            };
            columns
        ];
        for (cells, is_head) in &all_rows {
            for (need, cell) in needs.iter_mut().zip(cells.iter()) {
                let text = cell_text(self.ts, cell, *is_head).styled;
                let widths = self.ts.content_widths(text, cell_direction(cell));
                need.min = need.min.max(widths.min + 2.0 * pad);
                need.max = need.max.max(widths.max + 2.0 * pad);
            }
        }
        let widths = column_widths(&needs, column.width);
        let table_width: f32 = widths.iter().sum();
        let table = Column {
            x: column.x + (column.width - table_width).max(0.0) / 2.0,
            width: table_width,
        };
        // Each column's left edge, the first on the start side.
        let mut lefts = Vec::with_capacity(columns);
        let mut x = match direction {
            Direction::Ltr => table.x,
            Direction::Rtl => table.x + table.width,
        };
        for width in &widths {
            match direction {
                Direction::Ltr => {
                    lefts.push(x);
                    x += width;
                }
                Direction::Rtl => {
                    x -= width;
                    lefts.push(x);
                }
            }
        }

        let mut header: Option<Arc<Chunk>> = None;
        for (cells, is_head) in all_rows {
            if cells.is_empty() {
                continue;
            }
            let row = self.ts.structure.add(ElementKind::TableRow, self.node);
            let mut cell_lines = Vec::with_capacity(cells.len());
            for (i, cell) in cells.iter().enumerate() {
                let (Some(&left), Some(&width)) = (lefts.get(i), widths.get(i)) else {
                    continue;
                };
                let inset = pad.min(width * MAX_PADDING_SHARE);
                let cell_column = Column {
                    x: left + inset,
                    width: width - 2.0 * inset,
                };
                let cell_direction = cell_direction(cell);
                let align = cell_align(aligns.get(i), cell_direction);
                let text = cell_text(self.ts, cell, is_head);
                let kind = if is_head {
                    ElementKind::HeaderCell
                } else {
                    ElementKind::Cell
                };
                let mut lines = self.inside(row, |flow| {
                    flow.within(kind, |flow| {
                        flow.lines(text, Some(cell_direction), cell_column, align)
                    })
                });
                // Pieces of rows, not cells' lines, decide where pages end.
                for line in &mut lines {
                    line.keep_with_next = false;
                }
                cell_lines.push(lines);
            }
            let mut pieces = row_pieces(cell_lines, pad, table, is_head);
            if is_head {
                header = Some(Arc::new(repetition(stack(&pieces))));
            } else {
                for piece in &mut pieces {
                    piece.repeat_header = header.clone();
                }
            }
            self.items.extend(pieces.into_iter().map(FlowItem::Chunk));
        }
    }
}

impl Typesetter<'_> {
    /// The widths `styled` needs across, set as a paragraph in `direction`.
    fn content_widths(&self, styled: StyledText, direction: Direction) -> ContentWidths {
        if styled.is_empty() {
            return ContentWidths::default();
        }
        let settings = ParagraphSettings {
            direction: Some(direction),
            threading: self.threading,
        };
        let shaped = self.shaper.shape(styled, settings);
        let measure = Measure::new(&shaped, self.shaper, &[]);
        linebreak::content_widths(&shaped, &measure)
    }
}

/// The columns' widths in `available` across, as CSS 2.1's automatic
/// layout sizes a table of `width: auto`: every column at its preferred
/// width if they all fit (the table is then narrower than `available`);
/// else every column at its minimum, and what is left shared in proportion
/// to how much more each would take; if even the minimums do not fit, the
/// minimums scaled down to fit (cells then break between clusters).
fn column_widths(needs: &[ContentWidths], available: f32) -> Vec<f32> {
    let available = available.max(0.0);
    let min: f32 = needs.iter().map(|n| n.min).sum();
    let max: f32 = needs.iter().map(|n| n.max.max(n.min)).sum();
    if max <= available {
        needs.iter().map(|n| n.max.max(n.min)).collect()
    } else if min <= available {
        let extra = (available - min) / (max - min);
        needs
            .iter()
            .map(|n| n.min + (n.max.max(n.min) - n.min) * extra)
            .collect()
    } else {
        let scale = available / min;
        needs.iter().map(|n| n.min * scale).collect()
    }
}

/// How a cell's lines sit, its text running `cell`-wise. Markers are
/// physical, as Markdown names them and its previews show them: `:---`
/// sets the column's cells on the left, `---:` on the right, in
/// right-to-left books too; `:---:` centres. An unmarked column sets each
/// cell from its own start side.
fn cell_align(marker: Option<&doc::Align>, cell: Direction) -> Align {
    let (left, right) = match cell {
        Direction::Ltr => (Align::Start, Align::End),
        Direction::Rtl => (Align::End, Align::Start),
    };
    match marker {
        Some(doc::Align::Left) => left,
        Some(doc::Align::Right) => right,
        Some(doc::Align::Center) => Align::Center,
        Some(doc::Align::None) | None => Align::Start,
    }
}

/// A table row as pieces a page may end between, so that a row taller than
/// a page still fits: piece n holds line n of every cell, with the row's
/// padding above the first and below the last, and the rule under the row.
/// Every piece but the last is kept with the next; the head row's last too.
fn row_pieces(cells: Vec<Vec<Chunk>>, pad: f32, column: Column, is_head: bool) -> Vec<Chunk> {
    let depth = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let mut cells: Vec<_> = cells.into_iter().map(Vec::into_iter).collect();
    let mut pieces = Vec::with_capacity(depth);
    for n in 0..depth {
        let top = if n == 0 { pad / 2.0 } else { 0.0 };
        let mut piece = Chunk {
            keep_with_next: true,
            ..Chunk::default()
        };
        let mut height: f32 = 0.0;
        for line in cells.iter_mut().filter_map(Iterator::next) {
            height = height.max(line.height);
            overlay(&mut piece, &line, top);
            piece.notes.extend(line.notes);
        }
        piece.height = top + height;
        pieces.push(piece);
    }
    if let Some(last) = pieces.last_mut() {
        last.height += pad / 2.0;
        last.items.push(Item::Fill {
            rect: Rect {
                x: column.x,
                y: last.height - 0.5,
                width: column.width,
                height: if is_head { 0.9 } else { 0.4 },
            },
            grey: 0.3,
            opacity: 1.0,
            node: None,
        });
        last.keep_with_next = is_head;
    }
    pieces
}

/// The head row as set again on later pages: a repetition, not content
/// (an artifact in the tagged PDF).
fn repetition(mut head: Chunk) -> Chunk {
    // A page that starts with it starts with what comes after it.
    head.anchor = None;
    for item in &mut head.items {
        match item {
            Item::Glyphs(run) => run.node = None,
            Item::Picture { node, .. } | Item::Link { node, .. } | Item::Fill { node, .. } => {
                *node = None
            }
            Item::Backdrop { .. } | Item::Shape { .. } | Item::PrintersMark { .. } => {}
        }
    }
    head
}

/// Pieces stacked into one chunk (a table's head, to repeat); the notes they
/// call stay with the first setting.
fn stack(pieces: &[Chunk]) -> Chunk {
    let mut chunk = Chunk::default();
    for piece in pieces {
        let top = chunk.height;
        overlay(&mut chunk, piece, top);
        chunk.height += piece.height;
    }
    chunk
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs(pairs: &[(f32, f32)]) -> Vec<ContentWidths> {
        pairs
            .iter()
            .map(|&(min, max)| ContentWidths { min, max })
            .collect()
    }

    #[test]
    fn columns_that_fit_take_their_preferred_widths() {
        let widths = column_widths(&needs(&[(10.0, 20.0), (30.0, 50.0)]), 300.0);
        assert_eq!(widths, vec![20.0, 50.0]);
    }

    #[test]
    fn the_space_beyond_the_minimums_goes_to_the_columns_that_want_it() {
        // Minimums 20 + 40 + 20 = 80 of 200: the 120 left go to the columns
        // in proportion to max − min (0, 300, 100).
        let widths = column_widths(&needs(&[(20.0, 20.0), (40.0, 340.0), (20.0, 120.0)]), 200.0);
        assert_eq!(widths, vec![20.0, 130.0, 50.0]);
    }

    #[test]
    fn minimums_wider_than_the_block_are_scaled_down_to_it() {
        let widths = column_widths(&needs(&[(100.0, 150.0), (300.0, 300.0)]), 200.0);
        assert_eq!(widths, vec![50.0, 150.0]);
        assert_eq!(column_widths(&needs(&[(10.0, 20.0)]), -5.0), vec![0.0]);
    }

    #[test]
    fn markers_are_physical_blank_ones_follow_the_cell() {
        use Direction::{Ltr, Rtl};
        let left = Some(&doc::Align::Left);
        let right = Some(&doc::Align::Right);
        assert_eq!(cell_align(left, Rtl), Align::End);
        assert_eq!(cell_align(left, Ltr), Align::Start);
        assert_eq!(cell_align(right, Rtl), Align::Start);
        assert_eq!(cell_align(right, Ltr), Align::End);
        assert_eq!(cell_align(Some(&doc::Align::None), Rtl), Align::Start);
        assert_eq!(cell_align(None, Ltr), Align::Start);
    }
}
