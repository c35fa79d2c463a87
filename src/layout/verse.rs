//! Verse: each bayt's two hemistichs side by side, the first on the start
//! side, each justified (with kashida in an Arabic book) to one width for
//! the whole poem — the widest hemistich's, as printed diwans set them —
//! with a gap between. A bayt whose hemistich is wider than half the column
//! is set as two lines instead: the first at the start side, the second at
//! the end side. A line of one hemistich is centred.

use crate::doc::{Bayt, Direction, SourcePos};
use crate::fonts::Role;
use crate::text::StyledText;

use super::flow::{ChapterFlow, Chunk, Column, FlowItem, overlay};
use super::line::Align;
use super::page::ElementKind;

/// The gap between the two hemistichs, in ems.
const GAP: f32 = 2.0;
/// The space between stanzas, in ems.
const STANZA_GAP: f32 = 0.75;

impl ChapterFlow<'_, '_> {
    pub(super) fn verse(&mut self, stanzas: &[Vec<Bayt>], column: Column, bars: &[f32]) {
        let size = self.ts.size;
        let gap = GAP * size;
        let half = (column.width - gap) / 2.0;
        // Each bayt's wider hemistich: the bayts where it fits half the
        // column are set side by side, all as wide as the widest of them.
        let widths: Vec<Vec<f32>> = stanzas
            .iter()
            .map(|stanza| {
                stanza
                    .iter()
                    .map(|bayt| match bayt.hemistichs.as_slice() {
                        [a, b] => self
                            .natural_width(a, bayt.pos)
                            .max(self.natural_width(b, bayt.pos)),
                        _ => 0.0,
                    })
                    .collect()
            })
            .collect();
        let width = widths
            .iter()
            .flatten()
            .copied()
            .filter(|&w| w <= half)
            .fold(0.0, f32::max);
        // The pair is centred in the column.
        let start_x = column.x + (column.width - 2.0 * width - gap) / 2.0;
        let (first, second) = {
            let left = Column { x: start_x, width };
            let right = Column {
                x: start_x + width + gap,
                width,
            };
            match self.ts.direction {
                Direction::Rtl => (right, left),
                Direction::Ltr => (left, right),
            }
        };
        for (index, (stanza, widths)) in stanzas.iter().zip(&widths).enumerate() {
            if index > 0 {
                self.items.push(FlowItem::Gap(STANZA_GAP * size));
            }
            for (bayt, &bayt_width) in stanza.iter().zip(widths) {
                match bayt.hemistichs.as_slice() {
                    [a, b] if bayt_width <= half => {
                        let a = self.hemistich(a, bayt.pos, first, Align::Full);
                        let b = self.hemistich(b, bayt.pos, second, Align::Full);
                        let mut line = Chunk::default();
                        for part in a.iter().chain(&b) {
                            overlay(&mut line, part, 0.0);
                            line.height = line.height.max(part.height);
                        }
                        self.push_chunks(vec![line], bars);
                    }
                    [a, b] => {
                        let mut lines = self.hemistich(a, bayt.pos, column, Align::Start);
                        lines.extend(self.hemistich(b, bayt.pos, column, Align::End));
                        // The two halves of a bayt stay on one page.
                        if let Some((_, head)) = lines.split_last_mut() {
                            head.iter_mut().for_each(|l| l.keep_with_next = true);
                        }
                        self.push_chunks(lines, bars);
                    }
                    hemistichs => {
                        for hemistich in hemistichs {
                            let lines = self.hemistich(hemistich, bayt.pos, column, Align::Center);
                            self.push_chunks(lines, bars);
                        }
                    }
                }
            }
        }
    }

    /// One hemistich set in `column`.
    fn hemistich(
        &mut self,
        text: &str,
        pos: SourcePos,
        column: Column,
        align: Align,
    ) -> Vec<Chunk> {
        let mut styled = StyledText::default();
        styled.push(text, self.ts.style(Role::Text, false, false, 1.0), pos);
        self.within(ElementKind::Paragraph, |flow| {
            flow.lines(styled.into(), None, column, align)
        })
    }

    /// The width of `text` set on one line.
    fn natural_width(&mut self, text: &str, pos: SourcePos) -> f32 {
        let mut styled = StyledText::default();
        styled.push(text, self.ts.style(Role::Text, false, false, 1.0), pos);
        self.ts.natural_width(styled)
    }
}
