//! One line of a paragraph: measuring a candidate line (natural width,
//! stretch, shrink, hyphen) for the breaker, then committing the chosen one
//! to positioned glyphs — reshaping a word cut by the break, reordering for
//! display (UAX #9 L1–L2) and justifying.

use std::ops::Range;
use std::sync::{Arc, LazyLock};

use unicode_bidi::{BidiInfo, Level};
use unicode_script::Script;

use crate::text::itemize::level_runs;
use crate::text::{ShapedGlyph, ShapedRun, ShapedText, Shaper};

use super::kashida::{self, Kashida, KashidaSite};
use super::linebreak::{BreakKind, BrokenLine};
use super::page::{GlyphRun, PlacedGlyph};

/// How much a word space may grow at an adjustment ratio of 1, as a share
/// of its natural width (TeX's default interword glue: stretch 1/2 space).
pub const SPACE_STRETCH: f32 = 0.5;
/// How much a word space may give up at most, as a share of its width: a
/// third in Latin and other scripts (TeX's interword shrink), a fifth in
/// Arabic, whose word spaces are narrow already and whose lines lengthen
/// words with kashida rather than squeeze them together.
pub const SPACE_SHRINK: f32 = 1.0 / 3.0;
pub const ARABIC_SPACE_SHRINK: f32 = 0.2;

/// How much a space set in a run of `script` may shrink (see
/// [`SPACE_SHRINK`]).
fn space_shrink(script: Script) -> f32 {
    if script == Script::Arabic {
        ARABIC_SPACE_SHRINK
    } else {
        SPACE_SHRINK
    }
}
/// Kashida counts towards a line's stretch at this weight, so the breaker
/// looks for lines that spaces can fill first and kashida only helps.
pub const KASHIDA_STRETCH_WEIGHT: f32 = 0.5;

/// The character a hyphenated line ends with. U+002D rather than U+2010:
/// every face has it, and a text extractor that sees a line ending in
/// U+002D joins the word again (pdftotext does).
const HYPHEN: &str = "-";

/// The hyphen's own text, for the glyph run that shows it: the hyphen copies
/// out as a hyphen, not as a character of the paragraph.
static HYPHEN_TEXT: LazyLock<Arc<str>> = LazyLock::new(|| Arc::from(HYPHEN));

/// Whether `run` is a hyphen added at a line break: its glyphs' text ranges
/// are in the hyphen's own text, not in the paragraph's.
pub fn is_added_hyphen(run: &GlyphRun) -> bool {
    Arc::ptr_eq(&run.text, &HYPHEN_TEXT)
}

/// Where `run`'s text starts in its paragraph: the first byte its glyphs
/// stand for; `None` for an added hyphen, whose glyphs stand for the
/// hyphen's own text, and a run of no glyphs.
pub fn run_start(run: &GlyphRun) -> Option<usize> {
    if is_added_hyphen(run) {
        return None;
    }
    run.glyphs.iter().map(|g| g.start()).min()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// The paragraph's start side (right for right-to-left text).
    Start,
    Center,
    /// The paragraph's end side.
    End,
    /// Both edges; the last line of a paragraph goes to the start side.
    Justify,
    /// Both edges, the last line too (a hemistich of verse).
    Full,
}

impl Align {
    /// Whether lines are set to the full measure (all but the last, or all).
    pub fn justifies(self) -> bool {
        matches!(self, Align::Justify | Align::Full)
    }
}

/// What the breaker knows of a candidate line before committing it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct LineMetrics {
    /// Width of the glyphs, trailing spaces hanging, hyphen included.
    pub natural: f32,
    /// Natural width of the word spaces (which stretch and shrink).
    pub spaces: f32,
    /// How much the word spaces may shrink in all.
    pub shrink: f32,
    /// The most kashida can add to the line.
    pub kashida: f32,
}

impl LineMetrics {
    pub fn stretch(&self) -> f32 {
        self.spaces * SPACE_STRETCH + self.kashida * KASHIDA_STRETCH_WEIGHT
    }

    pub fn shrink(&self) -> f32 {
        self.shrink
    }

    /// The adjustment ratio that sets the line at `width`: 0 at its natural
    /// width, 1 at full stretch, -1 at full shrink; beyond -1 it is overfull.
    /// `None` when the line is too short and nothing on it can stretch.
    pub fn ratio(&self, width: f32) -> Option<f32> {
        let delta = width - self.natural;
        if delta.abs() < 1e-3 {
            Some(0.0)
        } else if delta > 0.0 {
            let stretch = self.stretch();
            (stretch > 0.0).then(|| delta / stretch)
        } else {
            let shrink = self.shrink();
            Some(if shrink > 0.0 {
                delta / shrink
            } else {
                f32::NEG_INFINITY
            })
        }
    }
}

/// Widths of every prefix of a paragraph, so that any candidate line is
/// measured in O(1): each glyph's advance is charged to its cluster's first
/// byte.
pub struct Measure {
    /// `advance[i]`: total advance of the clusters starting before byte `i`.
    advance: RunningSum,
    /// The same for word spaces only, and for what they may shrink.
    spaces: RunningSum,
    shrink: RunningSum,
    /// Whether a cluster starts at byte `i` (a line may break there).
    cluster_start: Vec<bool>,
    /// What kashida may add to each line.
    kashida: KashidaSums,
    /// The hyphen's width in the face and size of each shaped run.
    hyphen: Vec<f32>,
    /// Where each shaped run starts.
    run_starts: Vec<usize>,
}

impl Measure {
    pub fn new(shaped: &ShapedText, shaper: &Shaper, kashida: &[KashidaSite]) -> Self {
        let sums = KashidaSums::new(shaped.text().len(), kashida);
        Self::glyphs(shaped, shaper).with_kashida(sums)
    }

    /// The measure of the glyphs alone, with no kashida (their sums may be
    /// found meanwhile on another thread: [`Measure::with_kashida`]).
    pub fn glyphs(shaped: &ShapedText, shaper: &Shaper) -> Self {
        let text = shaped.text();
        let len = text.len();
        let mut per_byte = filled(0.0f32, len + 1);
        let mut space_per_byte = filled(0.0f32, len + 1);
        let mut shrink_per_byte = filled(0.0f32, len + 1);
        let mut cluster_start = filled(false, len + 1);
        cluster_start[0] = true;
        cluster_start[len] = true;
        for run in &shaped.runs {
            for glyph in &run.glyphs {
                per_byte[glyph.cluster] += glyph.x_advance;
                cluster_start[glyph.cluster] = true;
                if is_space(&text[glyph.cluster..glyph.cluster_end]) {
                    space_per_byte[glyph.cluster] += glyph.x_advance;
                    shrink_per_byte[glyph.cluster] += glyph.x_advance * space_shrink(run.script);
                }
            }
        }
        // A ligature's advance is shared by its characters, so that a word
        // hyphenated inside one (of-fi-cial) is measured about right; only
        // hyphenation breaks there, and the cut word is shaped again.
        for run in &shaped.runs {
            let mut previous = usize::MAX;
            for glyph in &run.glyphs {
                if glyph.cluster == previous {
                    continue;
                }
                previous = glyph.cluster;
                let cluster = &text[glyph.cluster..glyph.cluster_end];
                let count = cluster.chars().count();
                if count > 1 {
                    let share = per_byte[glyph.cluster] / count as f32;
                    for (offset, _) in cluster.char_indices() {
                        per_byte[glyph.cluster + offset] = share;
                    }
                }
            }
        }
        // One hyphen width per face and size, shaped once.
        let mut widths: Vec<((usize, u32), f32)> = Vec::new();
        let hyphen = shaped
            .runs
            .iter()
            .map(|run| {
                let key = (run.face, run.size.to_bits());
                if let Some((_, w)) = widths.iter().find(|(k, _)| *k == key) {
                    return *w;
                }
                let glyphs = shaper.shape_run(
                    HYPHEN,
                    0..HYPHEN.len(),
                    run.face,
                    run.size,
                    Level::ltr(),
                    Script::Common,
                );
                let w = glyphs.iter().map(|g| g.x_advance).sum();
                widths.push((key, w));
                w
            })
            .collect();
        Measure {
            advance: RunningSum::of(per_byte),
            spaces: RunningSum::of(space_per_byte),
            shrink: RunningSum::of(shrink_per_byte),
            cluster_start,
            kashida: KashidaSums::new(len, &[]),
            hyphen,
            run_starts: shaped.runs.iter().map(|r| r.range.start).collect(),
        }
    }

    /// With what the kashida sites may add to each line.
    pub fn with_kashida(self, kashida: KashidaSums) -> Self {
        Measure { kashida, ..self }
    }

    pub fn width(&self, range: Range<usize>) -> f32 {
        self.advance.over(range)
    }

    /// Whether a line may end at byte `at` without cutting a cluster.
    pub fn is_cluster_start(&self, at: usize) -> bool {
        self.cluster_start.get(at).copied().unwrap_or(false)
    }

    /// The hyphen's width where a word is cut at `at`.
    fn hyphen_width(&self, at: usize) -> f32 {
        let run = self
            .run_starts
            .partition_point(|&s| s < at)
            .saturating_sub(1);
        self.hyphen.get(run).copied().unwrap_or(0.0)
    }

    /// Measures the line `range` of `text` (trailing spaces hanging), ending
    /// in a hyphen or not.
    pub fn line(&self, text: &str, range: Range<usize>, hyphen: bool) -> LineMetrics {
        let range = trim_end(text, range);
        let hyphen = if hyphen {
            self.hyphen_width(range.end)
        } else {
            0.0
        };
        // Only words wholly on the line are lengthened (as `kashida::justify`
        // does): a word cut by the break has none.
        // A word reaching over both ends of the line counts as started and
        // not ended: none is wholly on the line then.
        let kashida = self.kashida.within(range.clone());
        LineMetrics {
            natural: self.width(range.clone()) + hyphen,
            spaces: self.spaces.over(range.clone()),
            shrink: self.shrink.over(range),
            kashida,
        }
    }
}

/// What the kashida sites of a paragraph may add to a line, summed so that
/// a line is measured without searching them.
pub struct KashidaSums {
    /// `started[i]`: what the kashida sites of the words starting before
    /// byte `i` may add in all (their `max`, summed in text order);
    /// `ended[i]`: the same for the words ending by byte `i`. The words
    /// wholly on a line are those ended by its end less those started
    /// before its start. Both empty when there are no sites.
    started: RunningSum,
    ended: RunningSum,
    /// The most kashida adds to any line ([`kashida::line_cap`]).
    cap: f32,
}

/// `len` copies of `value`, written out. `vec![0.0; len]` asks for zeroed
/// memory, which the kernel maps to its shared zero page: the first `+=`
/// on each page then faults twice (read, then copy on write, which flushes
/// every core's TLB). On a paragraph of megabytes that was a tenth of the
/// build; writing the zeros first faults once a page.
fn filled<T: Copy>(value: T, len: usize) -> Vec<T> {
    let mut values = Vec::with_capacity(len);
    values.resize(len, value);
    values
}

impl KashidaSums {
    /// The sums of `sites` over a text `len` bytes long.
    pub fn new(len: usize, sites: &[KashidaSite]) -> Self {
        if sites.is_empty() {
            return KashidaSums {
                started: RunningSum::default(),
                ended: RunningSum::default(),
                cap: 0.0,
            };
        }
        // What each word's sites may add, at its first byte and at its
        // last: a running sum then counts the words started before a byte
        // and those ended by it.
        let mut started = filled(0.0f32, len + 1);
        let mut ended = filled(0.0f32, len + 1);
        for site in sites {
            let add = site.max.max(0.0);
            if let Some(first) = started.get_mut(site.word.start) {
                *first += add;
            }
            if let Some(last) = site.word.end.checked_sub(1).and_then(|i| ended.get_mut(i)) {
                *last += add;
            }
        }
        let (started, ended) = (RunningSum::of(started), RunningSum::of(ended));
        KashidaSums {
            started,
            ended,
            cap: kashida::line_cap(sites),
        }
    }

    /// What kashida may add to the line `range`: only words wholly on the
    /// line are lengthened.
    fn within(&self, range: Range<usize>) -> f32 {
        match (self.ended.at(range.end), self.started.at(range.start)) {
            (Some(ended), Some(started)) => ((ended - started) as f32).max(0.0).min(self.cap),
            _ => 0.0,
        }
    }
}

/// How much wider the glyphs next to a cut between clusters get when the
/// word is shaped again on each side: as the end of one line, and as the
/// start of the next.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CutWidths {
    pub ending: f32,
    pub starting: f32,
}

/// Characters shaped again on each side of a cut to measure it (joining
/// reaches no further), and as much context beyond them.
const CUT_WINDOW: usize = 4;

impl Measure {
    /// What a cut at `at` changes in the widths of the glyphs around it.
    pub fn cut_widths(&self, shaped: &ShapedText, shaper: &Shaper, at: usize) -> CutWidths {
        let text = shaped.text();
        let back = |from: usize, chars: usize| {
            text[..from]
                .char_indices()
                .rev()
                .nth(chars.saturating_sub(1))
                .map_or(0, |(i, _)| i)
        };
        let forward = |from: usize, chars: usize| {
            text[from..]
                .char_indices()
                .nth(chars)
                .map_or(text.len(), |(i, _)| from + i)
        };
        let run_of = |byte: usize| {
            let index = self
                .run_starts
                .partition_point(|&s| s <= byte)
                .saturating_sub(1);
            shaped.runs.get(index)
        };
        let reshaped = |context: Range<usize>, item: Range<usize>, run: &ShapedRun| {
            let glyphs = shaper.shape_run(
                &text[context.clone()],
                item.start - context.start..item.end - context.start,
                run.face,
                run.size,
                run.level,
                run.script,
            );
            glyphs.iter().map(|g| g.x_advance).sum::<f32>() - self.width(item)
        };
        let mut widths = CutWidths::default();
        if let Some(run) = run_of(at.saturating_sub(1)).filter(|_| at > 0) {
            let start = back(at, CUT_WINDOW).max(run.range.start);
            widths.ending = reshaped(back(start, CUT_WINDOW)..at, start..at, run);
        }
        if let Some(run) = run_of(at).filter(|_| at < text.len()) {
            let end = forward(at, CUT_WINDOW).min(run.range.end);
            widths.starting = reshaped(at..forward(end, CUT_WINDOW), at..end, run);
        }
        widths
    }
}

/// Running sums of per-byte values: `at(i)` is the sum of the values
/// before byte `i`. A single `f32` sum over a paragraph of megabytes drifts
/// by points by its end (its step is 2 pt past 2^24 pt), more than a line's
/// slack: lines measured there came out overfull. So each block of
/// [`SUM_BLOCK`] bytes keeps its sum so far in `f64`, and the bytes in it
/// their sums from the block's start in `f32` (4 KiB of Latin at 12 pt is
/// some 25,000 pt: steps of 0.002 pt).
#[derive(Default)]
struct RunningSum {
    blocks: Vec<f64>,
    within: Vec<f32>,
}

/// Bytes to a block of a [`RunningSum`], as a power of two.
const SUM_BLOCK: u32 = 12;

impl RunningSum {
    /// The running sums of `values`, one a byte, made in their place (a
    /// paragraph of megabytes has megabytes of them).
    fn of(mut values: Vec<f32>) -> Self {
        let mut blocks = Vec::with_capacity((values.len() >> SUM_BLOCK) + 1);
        let mut sum = 0.0;
        for block in values.chunks_mut(1 << SUM_BLOCK) {
            blocks.push(sum);
            let start = sum;
            for value in block {
                let before = sum;
                sum += f64::from(*value);
                *value = (before - start) as f32;
            }
        }
        RunningSum {
            blocks,
            within: values,
        }
    }

    /// The sum before byte `i`; `None` past the end.
    fn at(&self, i: usize) -> Option<f64> {
        let within = self.within.get(i)?;
        Some(self.blocks[i >> SUM_BLOCK] + f64::from(*within))
    }

    /// The sum over the bytes of `range` (0 past the end).
    fn over(&self, range: Range<usize>) -> f32 {
        match (self.at(range.end), self.at(range.start)) {
            (Some(end), Some(start)) => (end - start) as f32,
            _ => 0.0,
        }
    }
}

/// A word space: the glue justification stretches.
pub(super) fn is_space(cluster_text: &str) -> bool {
    cluster_text == " "
}

/// `range` without the whitespace at its end (which hangs past the margin).
pub fn trim_end(text: &str, range: Range<usize>) -> Range<usize> {
    let trimmed = text[range.clone()].trim_end();
    range.start..range.start + trimmed.len()
}

/// A line's glyph runs, x relative to the left edge of the measure and y
/// relative to the baseline.
#[derive(Debug, Clone)]
pub struct Line {
    pub runs: Vec<GlyphRun>,
}

/// A shaped paragraph and what committing its lines needs.
pub struct Paragraph<'a> {
    pub shaped: &'a ShapedText,
    /// The paragraph's text, shared by every glyph run of its lines.
    pub text: Arc<str>,
    /// For words cut by a break, which must be shaped again.
    pub shaper: &'a Shaper<'a>,
    /// Where Arabic words may be lengthened, when the paragraph is
    /// justified with kashida.
    pub kashida: Option<Kashida<'a>>,
}

/// A piece of one shaped run on a line, in logical order.
struct Piece {
    range: Range<usize>,
    level: Level,
    face: usize,
    size: f32,
    raise: f32,
    /// In visual order.
    glyphs: Vec<PlacedGlyph>,
    /// The hyphen shown after the piece (in its direction), if the line ends
    /// with it.
    hyphen: Vec<PlacedGlyph>,
}

/// Commits a line: its glyphs in visual order, aligned or justified in
/// `width`.
pub fn build_line(par: &Paragraph, line: &BrokenLine, width: f32, align: Align) -> Line {
    let text = par.shaped.text();
    let range = trim_end(text, line.range.clone());
    let metrics = line.metrics;
    let pieces = pieces(par, line, range.clone());

    // UAX #9 L1 (trailing whitespace to the paragraph level) holds because
    // trailing whitespace hangs outside `range`; L2 reorders the level runs.
    let levels: Vec<(Range<usize>, Level)> = level_runs(&par.shaped.levels, range.clone());
    let order = BidiInfo::reorder_visual(&levels.iter().map(|(_, l)| *l).collect::<Vec<_>>());
    let mut runs: Vec<GlyphRun> = Vec::new();
    for index in order {
        let (visual, level) = &levels[index];
        let inside = pieces
            .iter()
            .filter(|p| p.range.start >= visual.start && p.range.end <= visual.end);
        let inside: Vec<&Piece> = if level.is_rtl() {
            inside.rev().collect()
        } else {
            inside.collect()
        };
        for piece in inside {
            // Made straight into the run's shared glyphs (a copy into a
            // vector first was an allocation a run of every line).
            let run = |glyphs: &[PlacedGlyph], text: Arc<str>| GlyphRun {
                face: piece.face,
                size: piece.size,
                x: 0.0,
                y: -piece.raise,
                inverse: false,
                rtl: piece.level.is_rtl(),
                node: None,
                glyphs: glyphs.into(),
                text,
            };
            let hyphen =
                (!piece.hyphen.is_empty()).then(|| run(&piece.hyphen, HYPHEN_TEXT.clone()));
            let body = (!piece.glyphs.is_empty()).then(|| run(&piece.glyphs, par.text.clone()));
            // The hyphen follows the word in its own direction.
            let (left, right) = if piece.level.is_rtl() {
                (hyphen, body)
            } else {
                (body, hyphen)
            };
            runs.extend(left);
            runs.extend(right);
        }
    }

    let natural: f32 = runs.iter().map(GlyphRun::width).sum();
    let last = line.end == BreakKind::Mandatory;
    let justified = align == Align::Full || (align == Align::Justify && !last);
    // Kashida takes its share of a justified line's slack first; the spaces
    // take the rest.
    if let Some(kashida) = par
        .kashida
        .as_ref()
        .filter(|_| justified && natural < width)
    {
        kashida::justify(
            &mut runs,
            par.shaped,
            range.clone(),
            width - natural,
            metrics.spaces,
            kashida,
        );
    }
    // A justified line fills the measure; any line may shrink its spaces
    // rather than overflow.
    let natural: f32 = runs.iter().map(GlyphRun::width).sum();
    if justified || natural > width {
        justify(&mut runs, width, &metrics);
    }
    let used: f32 = runs.iter().map(GlyphRun::width).sum();
    let rtl = par.shaped.base_level.is_rtl();
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
    Line { runs }
}

/// The line's pieces of shaped runs, in logical order. A word cut by the
/// break at either edge of the line is shaped again on its own (with a
/// hyphen if the line ends in one): ligatures and Arabic joining must not
/// reach across a break.
fn pieces(par: &Paragraph, line: &BrokenLine, range: Range<usize>) -> Vec<Piece> {
    let text = par.shaped.text();
    let line_text = &text[range.clone()];
    let head = line.start.inside_word().then(|| {
        range.start
            ..range.start
                + line_text
                    .find(char::is_whitespace)
                    .unwrap_or(line_text.len())
    });
    let tail = line.end.inside_word().then(|| {
        let start = line_text.rfind(char::is_whitespace).map_or(0, |at| {
            at + line_text[at..].chars().next().map_or(1, char::len_utf8)
        });
        range.start + start..range.end
    });
    let reshaped: Vec<Range<usize>> = match (head, tail) {
        (Some(h), Some(t)) if h.end >= t.start => std::iter::once(h.start..t.end).collect(),
        (h, t) => h.into_iter().chain(t).collect(),
    };
    let hyphen = line.end == BreakKind::Hyphen;

    let runs = &par.shaped.runs;
    let first = runs.partition_point(|run| run.range.end <= range.start);
    let last = runs.partition_point(|run| run.range.start < range.end);
    let mut pieces = Vec::new();
    for run in &runs[first..last] {
        let span = run.range.start.max(range.start)..run.range.end.min(range.end);
        // Cut the run's span at the edges of the reshaped words.
        let mut cuts = vec![span.start, span.end];
        for r in &reshaped {
            cuts.extend([r.start, r.end].into_iter().filter(|c| span.contains(c)));
        }
        cuts.sort_unstable();
        cuts.dedup();
        for part in cuts.windows(2).map(|w| w[0]..w[1]) {
            let piece = |glyphs, hyphen| Piece {
                range: part.clone(),
                level: run.level,
                face: run.face,
                size: run.size,
                raise: run.raise,
                glyphs,
                hyphen,
            };
            if reshaped
                .iter()
                .any(|r| r.start <= part.start && part.end <= r.end)
            {
                let with_hyphen = hyphen && part.end == range.end;
                let (glyphs, hyphen) = reshape(par, run, range.start, part.clone(), with_hyphen);
                pieces.push(piece(glyphs, hyphen));
            } else {
                pieces.push(piece(clip_run(run, part.clone()), Vec::new()));
            }
        }
    }
    pieces
}

/// Shapes `part` of `run` again, with the line's text up to `part` as its
/// only context, and a hyphen after it if `hyphen`. Returns the part's
/// glyphs and the hyphen's.
fn reshape(
    par: &Paragraph,
    run: &ShapedRun,
    line_start: usize,
    part: Range<usize>,
    hyphen: bool,
) -> (Vec<PlacedGlyph>, Vec<PlacedGlyph>) {
    let text = par.shaped.text();
    let mut context = text[line_start..part.end].to_string();
    if hyphen {
        context.push_str(HYPHEN);
    }
    let item = part.start - line_start..context.len();
    let glyphs = par
        .shaper
        .shape_run(&context, item, run.face, run.size, run.level, run.script);
    let end = part.end - line_start;
    let place = |g: &ShapedGlyph, text: (u32, u32)| PlacedGlyph {
        text,
        ..placed_glyph(g, end)
    };
    let (word, hyphen): (Vec<&ShapedGlyph>, Vec<&ShapedGlyph>) =
        glyphs.iter().partition(|g| g.cluster < end);
    let word = word
        .into_iter()
        .map(|g| {
            let cluster_end = g.cluster_end.min(end);
            place(
                g,
                PlacedGlyph::span(g.cluster + line_start, cluster_end + line_start),
            )
        })
        .collect();
    let hyphen = hyphen
        .into_iter()
        .map(|g| place(g, PlacedGlyph::span(0, HYPHEN.len())))
        .collect();
    (word, hyphen)
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
        text: PlacedGlyph::span(g.cluster, g.cluster_end.min(end)),
        x_advance: g.x_advance,
        x_offset: g.x_offset,
        y_offset: g.y_offset,
        kashida: false,
    }
}

/// Sets a committed line at `width`: spreads the difference from its natural
/// width evenly over the word spaces, which may shrink by at most
/// `metrics.shrink()` in all ([`SPACE_SHRINK`], [`ARABIC_SPACE_SHRINK`]). Stretching
/// has no limit here: the breaker has already chosen the best lines.
pub fn justify(runs: &mut [GlyphRun], width: f32, metrics: &LineMetrics) {
    let natural: f32 = runs.iter().map(GlyphRun::width).sum();
    let extra = (width - natural).max(-metrics.shrink());
    let spaces: Vec<(usize, usize)> = runs
        .iter()
        .enumerate()
        .flat_map(|(r, run)| {
            run.glyphs
                .iter()
                .enumerate()
                .filter(|(_, g)| is_space(&run.text[g.text_range()]))
                .map(move |(g, _)| (r, g))
        })
        .collect();
    if spaces.is_empty() {
        return;
    }
    let each = extra / spaces.len() as f32;
    for (r, g) in spaces {
        Arc::make_mut(&mut runs[r].glyphs)[g].x_advance += each;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_near_the_end_of_megabytes_are_as_exact_as_at_the_start() {
        // A glyph's width on every third byte, as in Arabic text of two
        // bytes a letter and a space now and then: some 30 million points
        // over 10 MB, past where an `f32`'s step is 2 pt.
        let widths: Vec<f32> = (0..10_000_000)
            .map(|i| if i % 3 == 0 { 9.37 } else { 0.0 })
            .collect();
        let sums = RunningSum::of(widths.clone());
        let line = |start: usize| sums.over(start..start + 900);
        // Lines within a block and across blocks' ends, at the start, the
        // middle and the end.
        let block = 1 << SUM_BLOCK;
        for start in [0, block - 451, 5_000_001, 1221 * block - 450, 9_999_000] {
            assert_eq!(start % 3, 0);
            assert!(
                (line(start) - 300.0 * 9.37).abs() < 0.01,
                "{start}: {}",
                line(start)
            );
        }
        assert!(sums.at(widths.len() - 1).is_some() && sums.at(widths.len()).is_none());
    }
}
