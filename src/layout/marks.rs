//! Lines through and under marked text (`~~struck~~`, `<u>`), drawn as
//! rules over a committed line's glyphs.

use std::ops::Range;

use crate::doc::Mark;

use super::line::is_added_hyphen;
use super::page::{Item, Rect};

/// Height of a strike-through line above the baseline, in ems: about half
/// the height of a lower-case letter, through the middle of Arabic letters
/// on the baseline too.
const STRIKE_HEIGHT: f32 = 0.28;
/// Depth of an underline below the baseline, in ems.
const UNDERLINE_DEPTH: f32 = 0.12;
/// Thickness of both lines, in ems.
const THICKNESS: f32 = 0.05;

/// The rules `marks` (byte ranges of the paragraph's text, each struck or
/// underlined) call for on a line made of `items`: one per stretch of
/// marked glyphs in a run.
pub fn rules(items: &[Item], marks: &[(Range<usize>, Mark)]) -> Vec<Item> {
    // The marks this line's text meets, found once: a paragraph may have
    // thousands, a line meets a few.
    let texts = items.iter().filter_map(|item| match item {
        Item::Glyphs(run) if !is_added_hyphen(run) => Some(&run.glyphs),
        _ => None,
    });
    let (first, last) = texts.flatten().fold((usize::MAX, 0), |(lo, hi), g| {
        (lo.min(g.text.0), hi.max(g.text.0))
    });
    let marks: Vec<&(Range<usize>, Mark)> = marks
        .iter()
        .filter(|(range, _)| range.start <= last && first < range.end)
        .collect();
    let mut rules = Vec::new();
    if marks.is_empty() {
        return rules;
    }
    for item in items {
        let Item::Glyphs(run) = item else { continue };
        if is_added_hyphen(run) {
            continue;
        }
        for &(range, mark) in &marks {
            let offset = match mark {
                Mark::Strike => -STRIKE_HEIGHT,
                Mark::Underline => UNDERLINE_DEPTH,
                _ => continue,
            } * run.size;
            // Stretches of consecutive marked glyphs, as [left, right).
            let mut x = run.x;
            let mut stretch: Option<(f32, f32)> = None;
            let mut push = |stretch: &mut Option<(f32, f32)>| {
                if let Some((left, right)) = stretch.take() {
                    let height = THICKNESS * run.size;
                    rules.push(Item::Fill {
                        rect: Rect {
                            x: left,
                            y: run.y + offset - height / 2.0,
                            width: right - left,
                            height,
                        },
                        grey: 0.0,
                        opacity: 1.0,
                    });
                }
            };
            for glyph in &run.glyphs {
                let next = x + glyph.x_advance;
                if range.contains(&glyph.text.0) {
                    stretch = Some(stretch.map_or((x, next), |(left, _)| (left, next)));
                } else {
                    push(&mut stretch);
                }
                x = next;
            }
            push(&mut stretch);
        }
    }
    rules
}
