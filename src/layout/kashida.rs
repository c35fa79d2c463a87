//! Kashida justification: Arabic words lengthened with tatweels (U+0640) so
//! that justified lines need less space between words.
//!
//! [`sites`] finds, once per paragraph, the one place in each Arabic word
//! where a kashida looks best by the classical rules (after seen and sad,
//! before final dal, teh marbuta, heh, alef…) and where HarfBuzz says a
//! tatweel changes nothing else (`HB_GLYPH_FLAG_SAFE_TO_INSERT_TATWEEL`).
//! The line breaker may count each site's `max` as stretch. [`justify`]
//! realises a committed line: it hands whole tatweels to some of its words,
//! spread along the line, re-shapes those words with the tatweels in their
//! text and measures them after shaping (Amiri's U+0640 is an empty glyph;
//! its visible kashidas come from `rlig` in context). The spaces take the
//! rest of the slack.
//!
//! Inserted tatweels are not in the paragraph's text: their glyphs carry an
//! empty text range and `kashida: true`, so they copy out of the PDF as
//! nothing.

use std::ops::Range;

use unicode_script::Script;

use crate::text::shape::{MAX_TATWEELS, TATWEEL, TatweelWidths};
use crate::text::{ShapedGlyph, ShapedRun, ShapedText, Shaper};

use super::line::{is_added_hyphen, placed_glyph};
use super::page::{GlyphRun, PlacedGlyph};

/// The most tatweels one word gets (W3C alreq #225, babel#242: 2–3).
pub const MAX_PER_WORD: usize = MAX_TATWEELS;

/// The most tatweels one line gets, whatever its slack.
const MAX_PER_LINE: usize = 8;

/// The most words of one line that take wider alternates.
const ALTERNATES_PER_LINE: usize = 3;

/// How many tatweels a lengthened word gets when the line has enough slack:
/// two make a kashida a reader sees as deliberate, without spreading the
/// stretch over every word.
const PREFERRED_PER_WORD: usize = 2;

/// Before any kashida, the spaces of a line stretch by this fraction of
/// their natural width: moderate space stretching is not a fault, and a line
/// that is nearly full needs no kashida.
const SPACE_STRETCH_FIRST: f32 = 0.25;

/// Where one Arabic word may be lengthened.
#[derive(Debug, Clone, PartialEq)]
pub struct KashidaSite {
    /// Byte offset in the paragraph text where tatweels would be inserted:
    /// the start of a letter's cluster, after the marks of the letter before.
    pub at: usize,
    /// What the site can add to its line, in points ([`MAX_PER_WORD`]
    /// tatweels).
    pub max: f32,
    /// The word, a byte range of the paragraph text inside one shaped run.
    pub word: Range<usize>,
    /// Classical preference, 1 (best) to 7; see [`priority`].
    pub priority: u8,
    /// Index of the shaped run the word is in.
    pub run: usize,
}

/// An Arabic word whose last letter has a wider justification alternate.
#[derive(Debug, Clone, PartialEq)]
pub struct AlternateSite {
    /// The word, a byte range of the paragraph text inside one shaped run.
    pub word: Range<usize>,
    /// Index of the shaped run the word is in.
    pub run: usize,
    /// How much wider the alternate makes the word, in points.
    pub gain: f32,
}

/// What kashida justification needs for the lines of one paragraph.
pub struct Kashida<'a> {
    pub shaper: &'a Shaper<'a>,
    /// The paragraph's sites, in text order (from [`sites`]).
    pub sites: &'a [KashidaSite],
    /// The paragraph's words with wider alternates, in text order (from
    /// [`alternates`]).
    pub alternates: &'a [AlternateSite],
}

/// The Arabic words of a paragraph that may be re-shaped alone, in text
/// order, each with the index of its run: inside one right-to-left Arabic
/// run (not across a change of font, style, size or direction), and shaped
/// the same cut from their neighbours (no kerning or ligature across their
/// ends).
fn arabic_words(shaped: &ShapedText) -> impl Iterator<Item = (Range<usize>, usize)> + '_ {
    let mut run_index = 0;
    words(shaped.text()).filter_map(move |word| {
        // Runs are in text order, and so are words.
        while shaped
            .runs
            .get(run_index)
            .is_some_and(|r| r.range.end <= word.start)
        {
            run_index += 1;
        }
        let run = shaped.runs.get(run_index)?;
        if run.script != Script::Arabic
            || !run.level.is_rtl()
            || run.range.start > word.start
            || run.range.end < word.end
        {
            return None;
        }
        let ends_safe = !cluster(run, word.start).any(|g| g.unsafe_to_break)
            && !cluster(run, word.end).any(|g| g.unsafe_to_break);
        ends_safe.then_some((word, run_index))
    })
}

/// The glyphs of `run`'s cluster starting at `at` (clusters fall in a
/// right-to-left run).
fn cluster(run: &ShapedRun, at: usize) -> impl Iterator<Item = &ShapedGlyph> {
    let found = run.glyphs.partition_point(|g| g.cluster > at);
    run.glyphs[found..]
        .iter()
        .take_while(move |g| g.cluster == at)
}

/// The best kashida site of every Arabic word of a paragraph, in text order.
pub fn sites(shaper: &Shaper, shaped: &ShapedText) -> Vec<KashidaSite> {
    let text = shaped.text();
    let mut sites = Vec::new();
    for (word, run_index) in arabic_words(shaped) {
        let run = &shaped.runs[run_index];
        let Some(widths) = shaper.tatweel_widths(run.face) else {
            continue;
        };
        let safe = |at: usize| cluster(run, at).any(|g| g.tatweel_safe);
        if let Some((at, priority)) = best_site(text, word.clone(), safe) {
            sites.push(KashidaSite {
                at,
                max: widths.0[MAX_PER_WORD - 1] * run.size / shaper.upem(run.face),
                word,
                priority,
                run: run_index,
            });
        }
    }
    sites
}

/// The Arabic words of a paragraph whose last letter its face has a wider
/// justification alternate for (`jalt`), in text order; none when no face
/// of the paragraph has alternates.
pub fn alternates(shaper: &Shaper, shaped: &ShapedText) -> Vec<AlternateSite> {
    if !shaped.runs.iter().any(|r| shaper.has_alternates(r.face)) {
        return Vec::new();
    }
    arabic_words(shaped)
        .filter(|(_, run)| shaper.has_alternates(shaped.runs[*run].face))
        .filter_map(|(word, run)| {
            let glyphs = &shaped.runs[run].glyphs;
            let before: f32 = glyphs
                .iter()
                .filter(|g| word.contains(&g.cluster))
                .map(|g| g.x_advance)
                .sum();
            let after: f32 = reshaped(shaped, &word, run, Change::Alternate, shaper)
                .iter()
                .map(|g| g.x_advance)
                .sum();
            let gain = after - before;
            (gain > 0.0).then_some(AlternateSite { word, run, gain })
        })
        .collect()
}

/// The words of `text`: maximal stretches of Arabic letters and marks.
fn words(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = chars.by_ref().find(|&(_, c)| is_letter(c))?;
        let mut end = text.len();
        while let Some(&(at, c)) = chars.peek() {
            if !(is_letter(c) || is_mark(c)) {
                end = at;
                break;
            }
            chars.next();
        }
        Some(start..end)
    })
}

/// The best site of `word` by [`priority`] (ties to the one nearer the
/// word's end), among those `safe` accepts.
fn best_site(text: &str, word: Range<usize>, safe: impl Fn(usize) -> bool) -> Option<(usize, u8)> {
    // Base letters with their offsets; marks stay with the letter before.
    // (Walked, not collected: this runs for every Arabic word.)
    let mut letters = text[word.clone()]
        .char_indices()
        .filter(|&(_, c)| !is_mark(c))
        .map(|(i, c)| (word.start + i, c))
        .peekable();
    let (_, mut prev) = letters.next()?;
    let mut best: Option<(usize, u8)> = None;
    while let Some((at, next)) = letters.next() {
        let after = letters.peek().map(|&(_, c)| c);
        if let Some(p) = priority(prev, next, after)
            && best.is_none_or(|(_, b)| p <= b)
            && safe(at)
        {
            best = Some((at, p));
        }
        prev = next;
    }
    best
}

/// The classical preference for a kashida between the letters `prev` and
/// `next` of a word (`after` is the letter after `next`, if any): 1 is best;
/// `None` where no kashida may go. After Microsoft's rules for Arabic
/// justification, as LibreOffice implements them
/// (`i18nutil::GetWordKashidaPosition`):
///
/// 1. after a tatweel the author typed;
/// 2. after seen or sad (initial or medial);
/// 3. before a final teh marbuta, dal or heh;
/// 4. before a final alef, tah, lam, kaf or gaf;
/// 5. before a medial beh-like letter followed by reh or yeh;
/// 6. before a final waw, ain, qaf or feh;
/// 7. before any other final letter.
///
/// Never after a letter that does not join the next one (alef, dal, reh,
/// waw…), never between lam and alef (their ligature), and not before a
/// final yeh unless after seen (LibreOffice tdf#65344).
pub fn priority(prev: char, next: char, after: Option<char>) -> Option<u8> {
    if !joins_next(prev) || !joins_previous(next) || (is_lam(prev) && is_alef(next)) {
        return None;
    }
    let last = after.is_none();
    let p = if prev == TATWEEL {
        1
    } else if matches!(prev, 'س' | 'ش' | 'ص' | 'ض') {
        2
    } else if last && matches!(next, 'ة' | 'د' | 'ذ' | 'ه') {
        3
    } else if last && (is_alef(next) || matches!(next, 'ط' | 'ظ' | 'ك' | 'ک' | 'گ') || is_lam(next))
    {
        4
    } else if is_beh_like(next) && after.is_some_and(|a| matches!(a, 'ر' | 'ز' | 'ي' | 'ى' | 'ی'))
    {
        5
    } else if last && matches!(next, 'و' | 'ؤ' | 'ع' | 'غ' | 'ق' | 'ف') {
        6
    } else if last && !matches!(next, 'ي' | 'ى' | 'ی') {
        7
    } else {
        return None;
    };
    Some(p)
}

fn is_alef(c: char) -> bool {
    matches!(c, 'ا' | 'أ' | 'إ' | 'آ' | 'ٱ')
}

fn is_lam(c: char) -> bool {
    c == 'ل'
}

fn is_beh_like(c: char) -> bool {
    matches!(c, 'ب' | 'ت' | 'ث' | 'ن' | 'ي' | 'ى' | 'ئ' | 'پ' | 'ی' | 'ٹ')
}

/// Arabic letters (and the tatweel), which words are made of.
fn is_letter(c: char) -> bool {
    matches!(c,
        '\u{0620}'..='\u{064A}' | '\u{066E}'..='\u{066F}' | '\u{0671}'..='\u{06D3}' | '\u{06D5}'
        | '\u{06EE}'..='\u{06EF}' | '\u{06FA}'..='\u{06FC}' | '\u{06FF}'
        | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08C9}')
}

/// Arabic combining marks: harakat, Quranic annotation marks.
fn is_mark(c: char) -> bool {
    matches!(c,
        '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}' | '\u{06DF}'..='\u{06E4}' | '\u{06E7}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}' | '\u{08D3}'..='\u{08FF}')
}

/// Letters that join only to the letter before them (Unicode
/// `Joining_Type=R`), in the Arabic block.
fn is_right_joining(c: char) -> bool {
    matches!(c,
        '\u{0622}'..='\u{0625}' | '\u{0627}' | '\u{0629}' | '\u{062F}'..='\u{0632}' | '\u{0648}'
        | '\u{0671}'..='\u{0673}' | '\u{0675}'..='\u{0677}' | '\u{0688}'..='\u{0699}' | '\u{06C0}'
        | '\u{06C3}'..='\u{06CB}' | '\u{06CD}' | '\u{06CF}' | '\u{06D2}'..='\u{06D3}' | '\u{06D5}'
        | '\u{06EE}'..='\u{06EF}')
}

/// Letters that join the letter after them (dual-joining, and the tatweel).
fn joins_next(c: char) -> bool {
    is_letter(c) && c != 'ء' && !is_right_joining(c)
}

/// Letters that join the letter before them.
fn joins_previous(c: char) -> bool {
    is_letter(c) && c != 'ء'
}

/// The sites (of a paragraph's, in text order, each with its `word`) whose
/// words lie on `line`.
fn on_line<'s, T>(
    sites: &'s [T],
    line: &Range<usize>,
    word: impl Fn(&T) -> &Range<usize>,
) -> &'s [T] {
    let first = sites.partition_point(|s| word(s).start < line.start);
    let last = sites.partition_point(|s| word(s).end <= line.end);
    &sites[first..last.max(first)]
}

/// The most kashidas can lengthen any one line of a paragraph with these
/// sites, in points: the cap on tatweels a line, at the widest site's
/// tatweel. The line breaker adds a line's sites' `max` up to this.
pub fn line_cap(sites: &[KashidaSite]) -> f32 {
    let widest = sites.iter().map(|s| s.max).fold(0.0, f32::max);
    widest * MAX_PER_LINE as f32 / MAX_PER_WORD as f32
}

/// A site of this line chosen to be lengthened, with its tatweels.
#[derive(Debug, Clone)]
struct Stretch<'s> {
    site: &'s KashidaSite,
    widths: TatweelWidths,
    tatweels: usize,
}

/// Lengthens words of a committed line with tatweels to take up part of its
/// `slack` (points); returns the width added. `runs` are the line's glyph
/// runs (visual order), `line` its text range, `space_width` the natural
/// width of its inter-word spaces; what is not added here is left to the
/// spaces. Each lengthened word is re-shaped with its tatweels and measured
/// as shaped; its glyphs replace the word's in `runs`.
pub fn justify(
    runs: &mut [GlyphRun],
    shaped: &ShapedText,
    line: Range<usize>,
    slack: f32,
    space_width: f32,
    kashida: &Kashida,
) -> f32 {
    let text = shaped.text();
    let budget = slack - SPACE_STRETCH_FIRST * space_width;
    let (widened, mut added) = widen(runs, shaped, line.clone(), budget, kashida);
    let candidates: Vec<&KashidaSite> = on_line(kashida.sites, &line, |s| &s.word)
        .iter()
        .filter(|s| !widened.contains(&s.word))
        .collect();
    let scale = |site: &KashidaSite| {
        let run = &shaped.runs[site.run];
        run.size / kashida.shaper.upem(run.face)
    };
    let mut stretches = choose(text, line.clone(), &candidates, budget - added, |site| {
        let widths = kashida.shaper.tatweel_widths(shaped.runs[site.run].face)?;
        Some(TatweelWidths(widths.0.map(|w| w * scale(site))))
    });
    if stretches.is_empty() {
        return added;
    }

    // Re-shape, measure, and give tatweels back while the line overflows
    // (the probe's widths are estimates: a tatweel may ligate in context).
    let lengthen_stretch = |runs: &[GlyphRun], s: &Stretch| {
        let change = Change::Tatweels {
            at: s.site.at,
            count: s.tatweels,
        };
        lengthen(
            runs,
            shaped,
            &s.site.word,
            s.site.run,
            change,
            kashida.shaper,
        )
    };
    let mut words: Vec<Option<(Vec<PlacedGlyph>, f32)>> = stretches
        .iter()
        .map(|s| lengthen_stretch(runs, s))
        .collect();
    loop {
        let lengthened: f32 = words.iter().flatten().map(|(_, delta)| delta).sum();
        if added + lengthened <= slack + 0.001 {
            break;
        }
        let Some(i) = (0..stretches.len())
            .filter(|&i| stretches[i].tatweels > 0)
            .max_by_key(|&i| (stretches[i].tatweels, stretches[i].site.priority))
        else {
            break;
        };
        stretches[i].tatweels -= 1;
        words[i] = lengthen_stretch(runs, &stretches[i]);
    }

    for (stretch, word) in stretches.iter().zip(words) {
        let Some((glyphs, delta)) = word else {
            continue;
        };
        if splice(runs, &stretch.site.word, glyphs) {
            added += delta;
        }
    }
    added
}

/// Gives words of a committed line the wider alternates of their last
/// letters, before any kashida (letterform variation first, as Nemeth and
/// Hudson rank them): at most [`ALTERNATES_PER_LINE`], spread along the
/// line, each only while the line's `budget` (points) holds it. Returns the
/// words widened and the width added.
fn widen(
    runs: &mut [GlyphRun],
    shaped: &ShapedText,
    line: Range<usize>,
    budget: f32,
    kashida: &Kashida,
) -> (Vec<Range<usize>>, f32) {
    let candidates = on_line(kashida.alternates, &line, |a| &a.word);
    let least = candidates
        .iter()
        .map(|a| a.gain)
        .fold(f32::INFINITY, f32::min);
    if budget < least {
        return (Vec::new(), 0.0);
    }
    let (index, words) = word_numbers(shaped.text(), line, candidates.iter().map(|a| a.word.start));
    let priorities = vec![1; candidates.len()];
    let wanted = ALTERNATES_PER_LINE.min((budget / least) as usize);
    let mut picked = spread(&index, &priorities, words, wanted);
    picked.sort_unstable();
    let mut widened = Vec::new();
    let mut added = 0.0;
    for alternate in picked.into_iter().map(|c| &candidates[c]) {
        let found = lengthen(
            runs,
            shaped,
            &alternate.word,
            alternate.run,
            Change::Alternate,
            kashida.shaper,
        );
        let Some((glyphs, delta)) = found else {
            continue;
        };
        if added + delta <= budget && splice(runs, &alternate.word, glyphs) {
            added += delta;
            widened.push(alternate.word.clone());
        }
    }
    (widened, added)
}

/// The word number (0, 1, … on the line) of the word starting at each of
/// `starts`, and how many words the line has.
fn word_numbers(
    text: &str,
    line: Range<usize>,
    starts: impl Iterator<Item = usize>,
) -> (Vec<usize>, usize) {
    let mut word_starts: Vec<usize> = Vec::new();
    let mut in_word = false;
    for (i, c) in text[line.clone()].char_indices() {
        if !c.is_whitespace() && !in_word {
            word_starts.push(line.start + i);
        }
        in_word = !c.is_whitespace();
    }
    let index = starts
        .map(|start| {
            word_starts
                .partition_point(|&s| s <= start)
                .saturating_sub(1)
        })
        .collect();
    (index, word_starts.len().max(1))
}

/// Which sites of a line get how many tatweels, for about `budget` points:
/// whole tatweels, at most [`MAX_PER_WORD`] a word and [`MAX_PER_LINE`] a
/// line, [`PREFERRED_PER_WORD`] a word where the budget allows, on words
/// chosen by [`spread`], the better sites first.
fn choose<'s>(
    text: &str,
    line: Range<usize>,
    candidates: &[&'s KashidaSite],
    budget: f32,
    widths: impl Fn(&KashidaSite) -> Option<TatweelWidths>,
) -> Vec<Stretch<'s>> {
    let candidates: Vec<(&KashidaSite, TatweelWidths)> = candidates
        .iter()
        .filter_map(|&s| Some((s, widths(s)?)))
        .collect();
    let Some(one) = candidates
        .iter()
        .map(|(_, w)| w.0[0])
        .min_by(f32::total_cmp)
    else {
        return Vec::new();
    };
    if budget < one {
        return Vec::new();
    }
    let tatweels = ((budget / one) as usize).min(MAX_PER_LINE);
    let wanted = tatweels.div_ceil(PREFERRED_PER_WORD).min(candidates.len());

    let (index, words) = word_numbers(
        text,
        line,
        candidates.iter().map(|(site, _)| site.word.start),
    );
    let priorities: Vec<u8> = candidates.iter().map(|(s, _)| s.priority).collect();
    let mut picked = spread(&index, &priorities, words, wanted);
    picked.sort_by_key(|&c| (candidates[c].0.priority, candidates[c].0.at));

    // Whole tatweels, one at a time round the picked words, best first,
    // while the estimated width stays within the budget.
    let mut stretches: Vec<Stretch> = picked
        .iter()
        .map(|&c| Stretch {
            site: candidates[c].0,
            widths: candidates[c].1,
            tatweels: 0,
        })
        .collect();
    let mut spent = 0.0;
    let mut given = 0;
    'outer: loop {
        let mut progress = false;
        for stretch in &mut stretches {
            if given == tatweels {
                break 'outer;
            }
            if stretch.tatweels == MAX_PER_WORD {
                continue;
            }
            let w = &stretch.widths.0;
            let step = w[stretch.tatweels] - stretch.tatweels.checked_sub(1).map_or(0.0, |k| w[k]);
            if spent + step > budget {
                continue;
            }
            spent += step;
            stretch.tatweels += 1;
            given += 1;
            progress = true;
        }
        if !progress {
            break;
        }
    }
    stretches.retain(|s| s.tatweels > 0);
    stretches
}

/// Which `wanted` of the candidates (their word numbers `index`, rising, and
/// their `priorities`) to lengthen on a line of `words` words: the ones
/// nearest the centres of `wanted` equal shares of the line, the better
/// sites first, never two neighbouring words unless there is no other way;
/// fewer when the candidates lie in fewer words than `wanted`.
/// Dynamic programming over (pick, candidate): a line has a dozen
/// candidates at most.
fn spread(index: &[usize], priorities: &[u8], words: usize, wanted: usize) -> Vec<usize> {
    let n = index.len();
    // Fewer when the candidates lie in fewer words than wanted (two Arabic
    // words joined by a hyphen are one word of the line).
    for wanted in (1..=wanted.min(n)).rev() {
        let share = words as f32 / wanted as f32;
        let cost = |c: usize, pick: usize| {
            let centre = (pick as f32 + 0.5) * share;
            let off = (index[c] as f32 + 0.5 - centre) / share;
            f32::from(priorities[c].saturating_sub(1)) + off * off
        };
        // Words apart: 2 keeps neighbours apart; 1 only forbids the same word.
        for gap in [2, 1] {
            // best[pick][c]: the least cost of picks 0..=pick, pick on `c`.
            let mut best = vec![vec![f32::INFINITY; n]; wanted];
            let mut from = vec![vec![usize::MAX; n]; wanted];
            best[0] = (0..n).map(|c| cost(c, 0)).collect();
            for pick in 1..wanted {
                for c in 0..n {
                    for p in 0..c {
                        let total = best[pick - 1][p] + cost(c, pick);
                        if index[c] >= index[p] + gap && total < best[pick][c] {
                            best[pick][c] = total;
                            from[pick][c] = p;
                        }
                    }
                }
            }
            let last = (0..n)
                .filter(|&c| best[wanted - 1][c].is_finite())
                .min_by(|&a, &b| best[wanted - 1][a].total_cmp(&best[wanted - 1][b]));
            if let Some(mut c) = last {
                let mut picked = vec![c];
                for pick in (1..wanted).rev() {
                    c = from[pick][c];
                    picked.push(c);
                }
                return picked;
            }
        }
    }
    Vec::new()
}

/// How a word is lengthened.
#[derive(Debug, Clone, Copy)]
enum Change {
    /// `count` tatweels inserted at byte `at` of the paragraph.
    Tatweels { at: usize, count: usize },
    /// Its last letter in the face's justification alternate (`jalt`).
    Alternate,
}

/// `word` (of shaped run `run`) re-shaped with `change`, as placed glyphs,
/// and how much wider it is than the glyphs it replaces in `runs`; `None`
/// when it is not wider (nothing to gain).
fn lengthen(
    runs: &[GlyphRun],
    shaped: &ShapedText,
    word: &Range<usize>,
    run: usize,
    change: Change,
    shaper: &Shaper,
) -> Option<(Vec<PlacedGlyph>, f32)> {
    if let Change::Tatweels { count: 0, .. } = change {
        return None;
    }
    let before: f32 = word_glyphs(runs, word)
        .map(|(r, span)| runs[r].glyphs[span].iter().map(|g| g.x_advance).sum())?;
    let placed = reshaped(shaped, word, run, change, shaper);
    let after: f32 = placed.iter().map(|g| g.x_advance).sum();
    let delta = after - before;
    (delta > 0.0).then_some((placed, delta))
}

/// `word` (of shaped run `run`) re-shaped with `change`, its clusters in the
/// paragraph's text.
fn reshaped(
    shaped: &ShapedText,
    word: &Range<usize>,
    run: usize,
    change: Change,
    shaper: &Shaper,
) -> Vec<PlacedGlyph> {
    let text = shaped.text();
    // The word with the change, and as context the characters on each side
    // up to the first that is not a mark: all that decides how its ends
    // join (its ends are safe to break, see [`arabic_words`]). The same word
    // between the same neighbours is then the same input to HarfBuzz, which
    // the shaper's cache answers.
    let start = text[..word.start]
        .char_indices()
        .rev()
        .find(|&(_, c)| !is_mark(c))
        .map_or(0, |(i, _)| i);
    let end = text[word.end..]
        .char_indices()
        .find(|&(_, c)| !is_mark(c))
        .map_or(text.len(), |(i, c)| word.end + i + c.len_utf8());
    let (at, count) = match change {
        Change::Tatweels { at, count } => (at, count),
        Change::Alternate => (word.end, 0),
    };
    let inserted = TATWEEL.len_utf8() * count;
    let mut context = String::with_capacity(end - start + inserted);
    context.push_str(&text[start..at]);
    context.extend(std::iter::repeat_n(TATWEEL, count));
    context.push_str(&text[at..end]);
    let range = word.start - start..word.end - start + inserted;
    // The last letter, with its marks.
    let alternate = matches!(change, Change::Alternate).then(|| {
        let last = text[word.clone()]
            .char_indices()
            .rev()
            .find(|&(_, c)| !is_mark(c))
            .map_or(0, |(i, _)| i);
        word.start + last - start..range.end
    });
    let glyphs = shaper.reshape(&shaped.runs[run], &context, range, alternate);

    // Clusters back to the paragraph's text: the tatweels' collapse to the
    // insertion point, so a tatweel alone stands for no text.
    let back = |offset: usize| {
        let offset = offset + start;
        if offset < at {
            offset
        } else if offset < at + inserted {
            at
        } else {
            offset - inserted
        }
    };
    glyphs
        .iter()
        .map(|g| {
            let g = ShapedGlyph {
                cluster: back(g.cluster),
                cluster_end: back(g.cluster_end),
                ..*g
            };
            PlacedGlyph {
                kashida: g.cluster == g.cluster_end,
                ..placed_glyph(&g, word.end)
            }
        })
        .collect()
}

/// Where the glyphs of `word` are in `runs`: a run index and a glyph range
/// (clusters are monotonic in a run, so they are contiguous).
fn word_glyphs(runs: &[GlyphRun], word: &Range<usize>) -> Option<(usize, Range<usize>)> {
    let paragraph = runs
        .iter()
        .enumerate()
        .filter(|(_, run)| !is_added_hyphen(run));
    paragraph.into_iter().find_map(|(r, run)| {
        let inside = |g: &PlacedGlyph| word.contains(&g.start()) && !g.kashida;
        let first = run.glyphs.iter().position(inside)?;
        let len = run.glyphs[first..].iter().take_while(|g| inside(g)).count();
        Some((r, first..first + len))
    })
}

/// Puts `glyphs` in place of `word`'s glyphs in `runs`; false if the word
/// is not there.
fn splice(runs: &mut [GlyphRun], word: &Range<usize>, glyphs: Vec<PlacedGlyph>) -> bool {
    match word_glyphs(runs, word) {
        Some((r, span)) => {
            let mut placed = runs[r].glyphs.to_vec();
            placed.splice(span, glyphs);
            runs[r].glyphs = placed.into();
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Direction, SourcePos};
    use crate::fonts::{FontLibrary, Role, Style};
    use crate::text::{ParagraphSettings, StyledText, TextStyle};

    use super::super::line::{Align, Line, Measure, Paragraph, build_line};
    use super::super::linebreak::{BreakKind, BrokenLine};

    fn style(bold: bool) -> TextStyle {
        TextStyle {
            role: Role::Text,
            style: Style {
                bold,
                italic: false,
            },
            size: 12.0,
            raise: 0.0,
        }
    }

    fn shape(shaper: &Shaper, parts: &[(&str, bool)]) -> ShapedText {
        let mut styled = StyledText::default();
        for (text, bold) in parts {
            styled.push(text, style(*bold), SourcePos::default());
        }
        let direction = Some(Direction::Rtl);
        shaper.shape(
            styled,
            ParagraphSettings {
                direction,
                ..Default::default()
            },
        )
    }

    /// The sites of `text` as (word, text before the site, priority).
    fn sites_of(text: &str) -> Vec<(String, String, u8)> {
        let fonts = FontLibrary::builtin();
        let shaper = Shaper::new(&fonts, "ar");
        let shaped = shape(&shaper, &[(text, false)]);
        sites(&shaper, &shaped)
            .into_iter()
            .map(|s| {
                (
                    text[s.word.clone()].to_string(),
                    text[s.word.start..s.at].to_string(),
                    s.priority,
                )
            })
            .collect()
    }

    #[test]
    fn harfbuzz_flags_where_a_tatweel_is_safe() {
        let fonts = FontLibrary::builtin();
        let shaper = Shaper::new(&fonts, "ar");
        let text = "الاستراتيجية";
        let shaped = shape(&shaper, &[(text, false)]);
        let mut flagged: Vec<usize> = shaped.runs[0]
            .glyphs
            .iter()
            .filter(|g| g.tatweel_safe)
            .map(|g| g.cluster)
            .collect();
        flagged.sort();
        // Before ت (after س), before ي (after ج), before ة: as hb-shape
        // --safe-to-insert-tatweel says.
        assert_eq!(flagged, [8, 20, 22]);
    }

    #[test]
    fn one_site_a_word_by_the_classical_order() {
        assert_eq!(
            sites_of("الاستراتيجية محمد مدرسة ذهب"),
            [
                // After seen, though HarfBuzz allows two more.
                ("الاستراتيجية".into(), "الاس".into(), 2),
                // Before the final dal.
                ("محمد".into(), "محم".into(), 3),
                // After seen beats before the final teh marbuta.
                ("مدرسة".into(), "مدرس".into(), 2),
                // Before any other final letter.
                ("ذهب".into(), "ذه".into(), 7),
            ]
        );
    }

    #[test]
    fn no_site_where_letters_do_not_join_nor_outside_arabic() {
        // لا is a ligature; دار and ورد never join onward; Latin has no kashida.
        assert_eq!(sites_of("لا دار ورد Astana 2025"), []);
        assert_eq!(priority('ل', 'ا', None), None);
        assert_eq!(priority('ر', 'ب', Some('ة')), None);
        assert_eq!(priority('ا', 'ل', Some('ب')), None);
        // A final yeh only after seen (LibreOffice tdf#65344).
        assert_eq!(priority('ن', 'ي', None), None);
        assert_eq!(priority('س', 'ي', None), Some(2));
    }

    #[test]
    fn sites_come_after_the_marks_of_their_letter() {
        // مُحَمَّدٌ: before the dal, after the shadda and fatha of the meem.
        let word = "مُحَمَّدٌ";
        assert_eq!(sites_of(word), [(word.into(), "مُحَمَّ".into(), 3)]);
    }

    #[test]
    fn no_site_across_a_style_change() {
        let fonts = FontLibrary::builtin();
        let shaper = Shaper::new(&fonts, "ar");
        // A bold letter inside مدرسة: its runs each hold part of the word.
        let shaped = shape(&shaper, &[("مد", false), ("ر", true), ("سة محمد", false)]);
        let found: Vec<&str> = sites(&shaper, &shaped)
            .iter()
            .map(|s| &shaped.text()[s.word.clone()])
            .collect();
        assert_eq!(found, ["محمد"]);
    }

    #[test]
    fn tatweels_are_measured_after_shaping() {
        let fonts = FontLibrary::builtin();
        let shaper = Shaper::new(&fonts, "ar");
        // Amiri maps U+0640 to an empty glyph (what LibreOffice measures)…
        let face = harfbuzz_rs::Face::from_bytes(fonts.faces[0].data.as_slice(), 0);
        let font = harfbuzz_rs::Font::new(face);
        let mapped = font
            .get_nominal_glyph(TATWEEL)
            .expect("Amiri has a tatweel");
        assert_eq!(font.get_glyph_h_advance(mapped), 0);
        // …and draws its kashidas through `rlig` (185 units of 1000 each).
        let widths = shaper.tatweel_widths(0).expect("Amiri has a tatweel").0;
        for (k, width) in widths.iter().enumerate() {
            assert!((width - 185.4 * (k + 1) as f32).abs() < 1.5, "{widths:?}");
        }
    }

    /// A line of `words` words ("مدرسة …") with a site at the words listed
    /// in `sites` (word number, priority).
    fn line_of(words: usize, sites: &[(usize, u8)]) -> (String, Vec<KashidaSite>) {
        let text = vec!["مدرسة"; words].join(" ");
        let sites = sites
            .iter()
            .map(|&(i, priority)| {
                let start = i * ("مدرسة".len() + 1);
                KashidaSite {
                    at: start + "مدرس".len(),
                    max: 6.0,
                    word: start..start + "مدرسة".len(),
                    priority,
                    run: 0,
                }
            })
            .collect();
        (text, sites)
    }

    /// Every word of the line a site of `priority`, but those in `better`.
    fn uniform(words: usize, better: &[usize]) -> Vec<(usize, u8)> {
        (0..words)
            .map(|i| (i, if better.contains(&i) { 2 } else { 5 }))
            .collect()
    }

    const TWO_POINTS: TatweelWidths = TatweelWidths([2.0, 4.0, 6.0]);

    /// The word number and tatweels of each lengthened word.
    fn chosen(text: &str, sites: &[KashidaSite], budget: f32) -> Vec<(usize, usize)> {
        let sites: Vec<&KashidaSite> = sites.iter().collect();
        let mut chosen: Vec<(usize, usize)> =
            choose(text, 0..text.len(), &sites, budget, |_| Some(TWO_POINTS))
                .iter()
                .map(|s| (s.site.word.start / ("مدرسة".len() + 1), s.tatweels))
                .collect();
        chosen.sort();
        chosen
    }

    #[test]
    fn tatweels_are_spread_along_the_line_two_a_word() {
        let (text, sites) = line_of(12, &uniform(12, &[]));
        // Four tatweels: two words, one in each half of the line.
        let two = chosen(&text, &sites, 8.5);
        assert!(matches!(two[..], [(2 | 3, 2), (8 | 9, 2)]), "{two:?}");
        // Plenty of slack: the line's cap, on words that are not neighbours.
        let many = chosen(&text, &sites, 100.0);
        assert_eq!(many.iter().map(|(_, k)| k).sum::<usize>(), MAX_PER_LINE);
        assert!(many.windows(2).all(|w| w[1].0 > w[0].0 + 1), "{many:?}");
        assert!(many.iter().all(|&(_, k)| k <= MAX_PER_WORD));
        // Less than one tatweel: none.
        assert_eq!(chosen(&text, &sites, 1.9), []);
    }

    #[test]
    fn better_sites_win_within_their_share_of_the_line() {
        let (text, sites) = line_of(12, &uniform(12, &[1, 10]));
        assert_eq!(chosen(&text, &sites, 8.5), [(1, 2), (10, 2)]);
        // A word alone takes no more than its cap.
        let (text, sites) = line_of(1, &uniform(1, &[]));
        assert_eq!(chosen(&text, &sites, 100.0), [(0, MAX_PER_WORD)]);
    }

    #[test]
    fn a_lines_stretch_is_capped_at_eight_tatweels() {
        // Twelve sites of three 2 pt tatweels each: no line gets more than
        // eight tatweels.
        let (_, sites) = line_of(12, &uniform(12, &[]));
        assert_eq!(line_cap(&sites), 16.0);
        assert_eq!(line_cap(&[]), 0.0);
    }

    #[test]
    fn neighbours_are_not_both_lengthened_when_they_need_not_be() {
        // The seed book's «… الاستراتيجي للمغرب كبوابة لكازاخستان نحو
        // إفريقيا والفضاء»: sites at words 3, 5 to 9; the best in each
        // quarter of the line would be 3, 6 and 9, and then 5 beside 6.
        let sites = [(3, 2), (5, 3), (6, 2), (7, 6), (8, 4), (9, 2)];
        let (text, sites) = line_of(10, &sites);
        let words: Vec<usize> = chosen(&text, &sites, 100.0).iter().map(|c| c.0).collect();
        assert_eq!(words, [3, 5, 7, 9]);
        // Too few sites to keep them apart: neighbours, rather than fewer.
        let (text, sites) = line_of(4, &uniform(4, &[]));
        assert_eq!(chosen(&text, &sites, 100.0).len(), 4);
    }

    #[test]
    fn a_justified_line_is_filled_exactly_and_its_kashidas_copy_out_as_nothing() {
        let fonts = FontLibrary::builtin();
        let shaper = Shaper::new(&fonts, "ar");
        let text = "شهدت العلاقات الثنائية بين المغرب وكازاخستان دينامية دبلوماسية ملحوظة";
        let shaped = shape(&shaper, &[(text, false)]);
        let sites = sites(&shaper, &shaped);
        let measure = Measure::new(&shaped, &shaper, &sites);
        let natural: f32 = shaped.runs[0].glyphs.iter().map(|g| g.x_advance).sum();
        let width = natural + 20.0;
        // The whole text as one line that ends between words (not the last).
        let broken = BrokenLine {
            range: 0..text.len(),
            start: BreakKind::Mandatory,
            end: BreakKind::Word,
            metrics: measure.line(text, 0..text.len(), false),
        };
        let line = |with_kashida: bool| {
            let paragraph = Paragraph {
                shaped: &shaped,
                text: text.into(),
                shaper: &shaper,
                kashida: with_kashida.then_some(Kashida {
                    shaper: &shaper,
                    sites: &sites,
                    alternates: &[],
                }),
            };
            build_line(&paragraph, &broken, width, Align::Justify)
        };
        let glyphs = |line: &Line| -> Vec<PlacedGlyph> {
            line.runs
                .iter()
                .flat_map(|r| r.glyphs.iter().copied())
                .collect()
        };
        let with = glyphs(&line(true));
        let without = glyphs(&line(false));
        let set: f32 = with.iter().map(|g| g.x_advance).sum();
        assert!((set - width).abs() < 0.01, "{set} pt set in {width} pt");
        let tatweels: Vec<&PlacedGlyph> = with.iter().filter(|g| g.kashida).collect();
        assert!(tatweels.len() >= 2, "{tatweels:?}");
        for g in &tatweels {
            assert_eq!(g.text.0, g.text.1, "a kashida stands for no text");
            assert!(g.x_advance > 0.0);
        }
        // The spaces took less than with spaces alone.
        let widest = |glyphs: &[PlacedGlyph]| {
            glyphs
                .iter()
                .filter(|g| &text[g.text_range()] == " ")
                .map(|g| g.x_advance)
                .fold(0.0, f32::max)
        };
        assert!(widest(&with) < widest(&without) - 1.0);
        // Every other glyph is the paragraph's, and the text is all there.
        let text_of = |glyphs: &[PlacedGlyph]| -> Vec<(u32, u32)> {
            let mut ranges: Vec<(u32, u32)> = glyphs
                .iter()
                .filter(|g| !g.kashida)
                .map(|g| g.text)
                .collect();
            ranges.sort();
            ranges.dedup();
            ranges
        };
        assert_eq!(text_of(&with), text_of(&without));
    }

    #[test]
    fn spread_picks_fewer_when_candidates_share_words() {
        // Two candidates in word 4 (الفلسطيني-الإسرائيلي): three picks
        // cannot fall in three words; two can.
        let mut picked = spread(&[2, 4, 4], &[1, 1, 1], 10, 3);
        picked.sort_unstable();
        assert_eq!(picked.len(), 2, "{picked:?}");
        assert_eq!(picked[0], 0);
        assert!(spread(&[3, 3], &[1, 1], 6, 2).len() == 1);
        assert!(spread(&[], &[], 6, 2).is_empty());
    }
}
