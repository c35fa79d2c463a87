//! Building one line: the glyphs of a line range, in visual order (UAX #9
//! L2), aligned or justified in the measure.

use std::ops::Range;
use std::sync::Arc;

use unicode_bidi::{BidiInfo, Level};

use crate::text::itemize::level_runs;
use crate::text::{ShapedGlyph, ShapedRun, ShapedText};

use super::kashida::{self, Kashida};
use super::linebreak::trim_end;
use super::page::{GlyphRun, PlacedGlyph};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// The paragraph's start side (right for right-to-left text).
    Start,
    Center,
    /// The paragraph's end side.
    End,
    /// Both edges; the last line of a paragraph goes to the start side.
    Justify,
}

/// A line's glyph runs, x relative to the left edge of the measure and y
/// relative to the baseline.
#[derive(Debug, Clone)]
pub struct Line {
    pub runs: Vec<GlyphRun>,
    /// The largest font size on the line.
    pub size: f32,
}

/// Sets `range` of a shaped paragraph as one line `width` wide. A justified
/// line that is not the paragraph's `last` is filled to the measure: with
/// `kashida`, Arabic words take part of the slack as tatweels; the spaces
/// take the rest.
pub fn build_line(
    shaped: &ShapedText,
    text: &Arc<str>,
    range: Range<usize>,
    width: f32,
    align: Align,
    last: bool,
    kashida: Option<&Kashida>,
) -> Line {
    let range = trim_end(shaped.text(), range);
    let levels: Vec<(Range<usize>, Level)> = level_runs(&shaped.levels, range.clone());
    let order = BidiInfo::reorder_visual(&levels.iter().map(|(_, l)| *l).collect::<Vec<_>>());

    let mut runs: Vec<GlyphRun> = Vec::new();
    for index in order {
        let (visual, level) = &levels[index];
        // Shaped runs are in logical order and do not overlap.
        let first = shaped
            .runs
            .partition_point(|run| run.range.end <= visual.start);
        let last = shaped
            .runs
            .partition_point(|run| run.range.start < visual.end);
        let pieces = &shaped.runs[first..last];
        let pieces: Vec<&ShapedRun> = if level.is_rtl() {
            pieces.iter().rev().collect()
        } else {
            pieces.iter().collect()
        };
        for run in pieces {
            let glyphs = clip_run(run, visual.clone());
            if !glyphs.is_empty() {
                runs.push(GlyphRun {
                    face: run.face,
                    size: run.size,
                    x: 0.0,
                    y: -run.raise,
                    inverse: false,
                    glyphs,
                    text: text.clone(),
                });
            }
        }
    }

    let natural: f32 = runs.iter().map(GlyphRun::width).sum();
    let justify = align == Align::Justify && !last && natural < width;
    if justify {
        let mut slack = width - natural;
        if let Some(kashida) = kashida {
            let spaces: f32 = runs
                .iter()
                .flat_map(|r| &r.glyphs)
                .filter(|g| is_space(g, shaped.text()))
                .map(|g| g.x_advance)
                .sum();
            slack -= kashida::justify(&mut runs, shaped, range.clone(), slack, spaces, kashida);
        }
        stretch_spaces(&mut runs, shaped.text(), slack);
    }
    let used: f32 = runs.iter().map(GlyphRun::width).sum();
    let rtl = shaped.base_level.is_rtl();
    let mut x = match align {
        Align::Center => (width - used) / 2.0,
        Align::End if !rtl => width - used,
        Align::End => 0.0,
        _ if rtl => width - used,
        _ => 0.0,
    };
    for run in &mut runs {
        run.x = x;
        x += run.width();
    }
    let size = runs.iter().map(|r| r.size).fold(0.0, f32::max);
    Line { runs, size }
}

/// The glyphs of `run` whose clusters fall in `range`, each with the source
/// text its cluster stands for. Clusters are monotonic within a run, so the
/// glyphs in `range` are one contiguous slice, found by binary search.
fn clip_run(run: &ShapedRun, range: Range<usize>) -> Vec<PlacedGlyph> {
    let glyphs = &run.glyphs;
    let descending = glyphs
        .first()
        .zip(glyphs.last())
        .is_some_and(|(a, b)| a.cluster > b.cluster);
    let (start, end) = if descending {
        (
            glyphs.partition_point(|g| g.cluster >= range.end),
            glyphs.partition_point(|g| g.cluster >= range.start),
        )
    } else {
        (
            glyphs.partition_point(|g| g.cluster < range.start),
            glyphs.partition_point(|g| g.cluster < range.end),
        )
    };
    glyphs[start..end]
        .iter()
        .map(|g| placed_glyph(g, range.end))
        .collect()
}

/// A shaped glyph as set on a line that ends at byte `end` of the text.
pub(super) fn placed_glyph(g: &ShapedGlyph, end: usize) -> PlacedGlyph {
    PlacedGlyph {
        id: g.id,
        text: (g.cluster, g.cluster_end.min(end)),
        x_advance: g.x_advance,
        x_offset: g.x_offset,
        y_offset: g.y_offset,
        kashida: false,
    }
}

/// Whether `glyph` is an inter-word space, which justification widens.
fn is_space(glyph: &PlacedGlyph, text: &str) -> bool {
    &text[glyph.text_range()] == " "
}

/// Spreads `extra` width evenly over the inter-word spaces of the line.
fn stretch_spaces(runs: &mut [GlyphRun], text: &str, extra: f32) {
    let is_space = |g: &PlacedGlyph| is_space(g, text);
    let count = runs
        .iter()
        .flat_map(|r| &r.glyphs)
        .filter(|g| is_space(g))
        .count();
    if count == 0 {
        return;
    }
    let each = extra / count as f32;
    for glyph in runs.iter_mut().flat_map(|r| r.glyphs.iter_mut()) {
        if is_space(glyph) {
            glyph.x_advance += each;
        }
    }
}
