//! What a committed line's glyphs carry beyond their ink: lines through and
//! under marked text (`~~struck~~`, `<u>`), drawn as rules, and the areas
//! of links, which the PDF makes clickable.

use std::ops::Range;

use crate::doc::Mark;

use super::line::is_added_hyphen;
use super::page::{GlyphRun, Item, LinkTo, Rect};

/// Height of a strike-through line above the baseline, in ems: about half
/// the height of a lower-case letter, through the middle of Arabic letters
/// on the baseline too.
const STRIKE_HEIGHT: f32 = 0.28;
/// Depth of an underline below the baseline, in ems.
const UNDERLINE_DEPTH: f32 = 0.12;
/// Thickness of both lines, in ems.
const THICKNESS: f32 = 0.05;
/// How far a link's clickable area reaches above and below the baseline,
/// in ems: the height of the letters with their points and descenders.
const LINK_ABOVE: f32 = 0.9;
const LINK_BELOW: f32 = 0.4;

/// The rules `marks` (byte ranges of the paragraph's text, each struck or
/// underlined) call for on a line made of `items`: one per stretch of
/// marked glyphs in a run.
pub fn rules(items: &[Item], marks: &[(Range<usize>, Mark)]) -> Vec<Item> {
    stretches(items, marks)
        .into_iter()
        .filter_map(|(run, mark, left, right)| {
            let offset = match mark {
                Mark::Strike => -STRIKE_HEIGHT,
                Mark::Underline => UNDERLINE_DEPTH,
                _ => return None,
            } * run.size;
            let height = THICKNESS * run.size;
            Some(Item::Fill {
                rect: Rect {
                    x: left,
                    y: run.y + offset - height / 2.0,
                    width: right - left,
                    height,
                },
                grey: 0.0,
                opacity: 1.0,
                node: None,
            })
        })
        .collect()
}

/// The clickable areas `links` (byte ranges of the paragraph's text, each
/// with where it leads) call for on a line made of `items`: one per stretch
/// of linked glyphs in a run, as tall as its letters.
pub fn link_areas(items: &[Item], links: &[(Range<usize>, LinkTo)]) -> Vec<Item> {
    stretches(items, links)
        .into_iter()
        .map(|(run, to, left, right)| Item::Link {
            rect: Rect {
                x: left,
                y: run.y - LINK_ABOVE * run.size,
                width: right - left,
                height: (LINK_ABOVE + LINK_BELOW) * run.size,
            },
            to: to.clone(),
            node: None,
        })
        .collect()
}

/// For each glyph run of `items` (but added hyphens) and each of `ranges`
/// its text meets: the stretches of consecutive glyphs in that range, as
/// (run, the range's value, left, right).
fn stretches<'a, T>(
    items: &'a [Item],
    ranges: &'a [(Range<usize>, T)],
) -> Vec<(&'a GlyphRun, &'a T, f32, f32)> {
    let runs: Vec<&GlyphRun> = items
        .iter()
        .filter_map(|item| match item {
            Item::Glyphs(run) if !is_added_hyphen(run) => Some(run),
            _ => None,
        })
        .collect();
    // The ranges this line's text meets, found once: a paragraph may have
    // thousands, a line meets a few.
    let (first, last) = runs
        .iter()
        .flat_map(|run| run.glyphs.iter())
        .fold((usize::MAX, 0), |(lo, hi), g| {
            (lo.min(g.start()), hi.max(g.start()))
        });
    let met: Vec<&(Range<usize>, T)> = ranges
        .iter()
        .filter(|(range, _)| range.start <= last && first < range.end)
        .collect();
    let mut found = Vec::new();
    for run in runs {
        for (range, value) in &met {
            let mut x = run.x;
            let mut stretch: Option<(f32, f32)> = None;
            for glyph in run.glyphs.iter() {
                let next = x + glyph.x_advance;
                if range.contains(&glyph.start()) {
                    stretch = Some(stretch.map_or((x, next), |(left, _)| (left, next)));
                } else if let Some((left, right)) = stretch.take() {
                    found.push((run, value, left, right));
                }
                x = next;
            }
            if let Some((left, right)) = stretch {
                found.push((run, value, left, right));
            }
        }
    }
    found
}
