//! Choosing where lines end (UAX #14 opportunities, first fit).
//!
//! Widths come from the glyphs already shaped for the whole paragraph: each
//! glyph's advance is charged to its cluster's first byte, and prefix sums make
//! any range's width O(1). Breaking never reshapes: breaks fall at spaces and
//! other UAX #14 opportunities, where the scripts warraq sets do not join.

use std::ops::Range;

use unicode_linebreak::{BreakOpportunity, linebreaks};

use crate::text::ShapedText;

/// Natural widths of every prefix of a paragraph.
pub struct Measure {
    /// `prefix[i]` = total advance of the clusters starting before byte `i`.
    prefix: Vec<f32>,
}

impl Measure {
    pub fn new(shaped: &ShapedText) -> Self {
        let len = shaped.text().len();
        let mut per_byte = vec![0.0f32; len + 1];
        for run in &shaped.runs {
            for glyph in &run.glyphs {
                per_byte[glyph.cluster] += glyph.x_advance;
            }
        }
        let mut prefix = Vec::with_capacity(len + 1);
        let mut sum = 0.0;
        for advance in per_byte {
            prefix.push(sum);
            sum += advance;
        }
        Measure { prefix }
    }

    pub fn width(&self, range: Range<usize>) -> f32 {
        self.prefix[range.end] - self.prefix[range.start]
    }
}

/// `range` without the whitespace at its end (which hangs past the margin).
pub fn trim_end(text: &str, range: Range<usize>) -> Range<usize> {
    let trimmed = text[range.clone()].trim_end();
    range.start..range.start + trimmed.len()
}

/// Breaks a paragraph into line ranges no wider than `width` where possible.
/// A word longer than the line gets a line of its own, broken between
/// characters as a last resort.
pub fn break_lines(shaped: &ShapedText, measure: &Measure, width: f32) -> Vec<Range<usize>> {
    let text = shaped.text();
    // However narrow the column, an empty range must fit, so breaking ends.
    let width = width.max(1.0);
    let mut lines = Vec::new();
    let mut start = 0;
    let mut fitting: Option<usize> = None;
    let fits = |start: usize, end: usize| measure.width(trim_end(text, start..end)) <= width + 0.01;
    for (at, opportunity) in linebreaks(text) {
        if !fits(start, at) {
            match fitting.take() {
                Some(end) => {
                    lines.push(start..end);
                    start = end;
                }
                None => {
                    // One unbreakable stretch wider than the line.
                    let end = emergency_break(text, measure, start, at, width);
                    lines.push(start..end);
                    start = end;
                }
            }
            while start < at && !fits(start, at) {
                let end = emergency_break(text, measure, start, at, width);
                lines.push(start..end);
                start = end;
            }
        }
        if opportunity == BreakOpportunity::Mandatory {
            lines.push(start..at);
            start = at;
            fitting = None;
        } else {
            fitting = Some(at);
        }
    }
    if start < text.len() {
        lines.push(start..text.len());
    }
    lines.retain(|line| !text[line.clone()].trim().is_empty());
    lines
}

/// The last character boundary after which `start..` still fits: at least one
/// character (so progress is always made), never past `limit`.
fn emergency_break(text: &str, measure: &Measure, start: usize, limit: usize, width: f32) -> usize {
    let mut end = start;
    for (offset, ch) in text[start..limit].char_indices() {
        let next = start + offset + ch.len_utf8();
        if end > start && measure.width(start..next) > width {
            break;
        }
        end = next;
    }
    let first = start + text[start..].chars().next().map_or(0, char::len_utf8);
    end.max(first).min(limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Direction, SourcePos};
    use crate::fonts::{FontLibrary, Role, Style};
    use crate::text::{ParagraphSettings, Shaper, StyledText, TextStyle};

    fn shaped(text: &str) -> ShapedText {
        let fonts = FontLibrary::builtin();
        let shaper = Shaper::new(&fonts, "ar");
        let mut styled = StyledText::default();
        let style = TextStyle {
            role: Role::Text,
            style: Style::default(),
            size: 12.0,
            raise: 0.0,
        };
        styled.push(text, style, SourcePos::default());
        let direction = Some(Direction::Rtl);
        shaper.shape(&fonts, styled, ParagraphSettings { direction })
    }

    #[test]
    fn every_character_is_on_exactly_one_line_whatever_the_width() {
        let text = "عنوان طويل جدا جدا Astana 2025 كلمةطويلةجدابلافواصل";
        let shaped = shaped(text);
        let measure = Measure::new(&shaped);
        for width in [-50.0, 0.0, 0.5, 5.0, 30.0, 100.0, 1000.0] {
            let lines = break_lines(&shaped, &measure, width);
            let joined: String = lines.iter().map(|l| &text[l.clone()]).collect();
            assert_eq!(
                joined.replace(' ', ""),
                text.replace(' ', ""),
                "width {width}"
            );
            for pair in lines.windows(2) {
                assert!(pair[0].end <= pair[1].start, "width {width}: {lines:?}");
            }
        }
    }

    #[test]
    fn lines_fit_the_measure_when_words_do() {
        let text = "شهدت العلاقات الثنائية بين المغرب وكازاخستان دينامية دبلوماسية ملحوظة";
        let shaped = shaped(text);
        let measure = Measure::new(&shaped);
        let lines = break_lines(&shaped, &measure, 120.0);
        assert!(lines.len() > 2);
        for line in lines {
            assert!(measure.width(trim_end(text, line)) <= 120.01);
        }
    }
}
