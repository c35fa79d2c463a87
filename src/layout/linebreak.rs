//! Choosing where lines end.
//!
//! Breakpoints are the UAX #14 opportunities, hyphenation points inside
//! Latin-script words, emergency points after `@`, `/`, `.` and `-` inside a
//! long word (a URL, an e-mail address) and, in a word wider than the measure, between
//! clusters as a last resort. Never inside a cluster, but for a hyphen
//! inside a ligature (the cut word is shaped again). Each candidate line is
//! measured in O(1) ([`Measure::line`]); the lines are chosen over the whole
//! paragraph (Knuth–Plass total fit) or one at a time (first fit).

use std::ops::Range;

use unicode_linebreak::{BreakOpportunity, linebreaks};

use crate::doc::Linebreak;
use crate::fonts::Role;
use crate::text::address;
use crate::text::{ShapedText, Shaper};

use super::hyphenate::{Hyphenation, Hyphenator};
use super::line::{CutWidths, LineMetrics, Measure, SPACE_STRETCH, trim_end};

/// What a break costs and shows, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakKind {
    /// A UAX #14 opportunity (after a space, after a hyphen…).
    Word,
    /// A UAX #14 mandatory break: a hard break or the paragraph's end.
    Mandatory,
    /// A hyphenation point: the line ends with a hyphen.
    Hyphen,
    /// After one of [`address::BREAKS`] inside a long word (a URL, an e-mail
    /// address).
    Punctuation,
    /// Between two clusters of a word wider than the measure.
    Cluster,
}

impl BreakKind {
    /// Whether the break cuts a word, whose glyphs on each side must then be
    /// shaped again.
    pub fn inside_word(self) -> bool {
        matches!(
            self,
            BreakKind::Hyphen | BreakKind::Punctuation | BreakKind::Cluster
        )
    }

    /// Knuth–Plass penalty for breaking here.
    fn penalty(self) -> f64 {
        match self {
            BreakKind::Word | BreakKind::Mandatory => 0.0,
            BreakKind::Hyphen => HYPHEN_PENALTY,
            BreakKind::Punctuation => PUNCTUATION_PENALTY,
            BreakKind::Cluster => CLUSTER_PENALTY,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Breakpoint {
    /// Byte offset where the next line starts.
    pub at: usize,
    pub kind: BreakKind,
    /// For a cut between clusters: what it adds to the lines on each side.
    pub cut: CutWidths,
}

/// A chosen line: its range (trailing spaces included) and how the lines
/// before and at its end were broken.
#[derive(Debug, Clone, PartialEq)]
pub struct BrokenLine {
    pub range: Range<usize>,
    /// How the previous line ended (`Mandatory` for the first line).
    pub start: BreakKind,
    pub end: BreakKind,
    /// Its measure ([`Measure::line`], without what cuts add at its ends):
    /// what committing it starts from, taken now so that the paragraph's
    /// measure (bytes of sums a byte of text) is gone before its lines are
    /// committed.
    pub metrics: LineMetrics,
}

/// How a paragraph is broken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakSettings {
    pub linebreak: Linebreak,
    /// Whether words are hyphenated at all.
    pub hyphenate: bool,
    /// Patterns for the paragraph's language (stretches in another language
    /// take theirs, see [`Hyphenation`]).
    pub hyphenator: Option<Hyphenator>,
    /// Justified lines may shrink their spaces; ragged ones are set at their
    /// natural width.
    pub justify: bool,
}

// Knuth–Plass parameters, as in TeX where TeX has them.
/// Added to every line's badness, so fewer lines are better.
const LINE_PENALTY: f64 = 10.0;
const HYPHEN_PENALTY: f64 = 50.0;
/// Breaking a URL after `@`, `/`, `.`, `-`: worse than a hyphen, far better
/// than an arbitrary cut.
const PUNCTUATION_PENALTY: f64 = 150.0;
/// A cut between clusters costs more than a line as bad as can be.
const CLUSTER_PENALTY: f64 = 2.0 * MAX_BADNESS;
/// Two hyphenated lines in a row.
const DOUBLE_HYPHEN_DEMERITS: f64 = 10_000.0;
/// A hyphenated line after this many in a row costs as much as a line whose
/// spaces stretch to [`WIDE_SPACE`]: it is taken only to spare the paragraph
/// a line about that loose (wide spaces are the worse fault).
const SOFT_CONSECUTIVE_HYPHENS: u8 = 2;
/// More hyphenated lines in a row than this cost like an overfull line's
/// fraction: only taken when nothing else fits.
const MAX_CONSECUTIVE_HYPHENS: u8 = 3;
const TOO_MANY_HYPHENS_DEMERITS: f64 = 1e12;
/// Word spaces this many times their natural width make a loose line.
const WIDE_SPACE: f32 = 2.0;
/// The adjustment ratio that stretches word spaces to [`WIDE_SPACE`].
const WIDE_RATIO: f32 = (WIDE_SPACE - 1.0) / SPACE_STRETCH;
/// A hyphen on the line before the last.
const FINAL_HYPHEN_DEMERITS: f64 = 5_000.0;
/// Adjacent lines of fitness classes more than one apart (tight after loose).
const FITNESS_DEMERITS: f64 = 10_000.0;
/// Badness beyond which lines are all equally bad.
const MAX_BADNESS: f64 = 1e5;
/// A word at least this share of the measure wide (a URL, a path) may also
/// break after [`address::BREAKS`]; one wider than the measure between any
/// two clusters too.
const LONG_WORD: f32 = 0.5;
/// An overfull line costs more than any set of feasible lines.
const OVERFULL_DEMERITS: f64 = 1e14;
/// Slack in comparisons of widths, in points.
const EPSILON: f32 = 0.01;

/// Whether the word between two UAX #14 opportunities may be hyphenated:
/// not in code, nor in a URL, an address or a file name.
fn hyphenatable(shaped: &ShapedText, word: Range<usize>) -> bool {
    let text = &shaped.text()[word.clone()];
    let body = text.trim_end_matches(|c: char| c.is_ascii_punctuation());
    let code = shaped.styled.spans.iter().any(|s| {
        s.style.role == Role::Mono && s.range.start < word.end && word.start < s.range.end
    });
    !code && !body.contains(['/', '@', '.', '_', ':'])
}

/// The breakpoints of a paragraph, in text order; the last is the
/// mandatory break at its end.
pub fn breakpoints(
    shaped: &ShapedText,
    measure: &Measure,
    width: f32,
    hyphenation: Option<&Hyphenation>,
) -> Vec<Breakpoint> {
    let text = shaped.text();
    let mut points = Vec::new();
    let mut start = 0;
    for (at, opportunity) in linebreaks(text) {
        let word = trim_end(text, start..at);
        let mut inside: Vec<Breakpoint> = Vec::new();
        let patterns = hyphenation.and_then(|h| h.at(word.start));
        if let Some(h) = patterns.filter(|_| hyphenatable(shaped, word.clone())) {
            h.points(text, word.clone(), |at| {
                inside.push(Breakpoint {
                    at,
                    kind: BreakKind::Hyphen,
                    cut: CutWidths::default(),
                })
            });
        }
        let word_width = measure.width(word.clone());
        if word_width > width * LONG_WORD {
            let inside_word = |offset, kind| Breakpoint {
                at: word.start + offset,
                kind,
                cut: CutWidths::default(),
            };
            let body = &text[word.clone()];
            inside.extend(
                address::break_offsets(body).map(|at| inside_word(at, BreakKind::Punctuation)),
            );
            if word_width > width {
                inside.extend(
                    body.char_indices()
                        .map(|(at, ch)| inside_word(at + ch.len_utf8(), BreakKind::Cluster)),
                );
            }
        }
        // In order; of two at one place the cheaper; inside the word only;
        // at cluster boundaries only, but for hyphens, which may split a
        // ligature (the cut word is shaped again).
        inside.sort_by(|a, b| {
            a.at.cmp(&b.at)
                .then(a.kind.penalty().total_cmp(&b.kind.penalty()))
        });
        inside.dedup_by_key(|b| b.at);
        points.extend(inside.into_iter().filter(|b| {
            b.at > word.start
                && b.at < word.end
                && (b.kind == BreakKind::Hyphen || measure.is_cluster_start(b.at))
        }));
        let kind = match opportunity {
            BreakOpportunity::Mandatory => BreakKind::Mandatory,
            BreakOpportunity::Allowed => BreakKind::Word,
        };
        points.push(Breakpoint {
            at,
            kind,
            cut: CutWidths::default(),
        });
        start = at;
    }
    points
}

/// What a paragraph needs across, as CSS sizes table columns by their
/// content: `min`, its widest piece no line may break inside (a word, or a
/// piece of an address between [`address::BREAKS`]); `max`, its widest line
/// when it breaks only where it must (hard breaks).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ContentWidths {
    pub min: f32,
    pub max: f32,
}

/// The [`ContentWidths`] of a paragraph, from its shaped glyphs.
pub fn content_widths(shaped: &ShapedText, measure: &Measure) -> ContentWidths {
    let text = shaped.text();
    let mut widths = ContentWidths::default();
    let (mut start, mut line_start) = (0, 0);
    for (at, opportunity) in linebreaks(text) {
        let word = trim_end(text, start..at);
        let mut piece_start = word.start;
        let body = &text[word.clone()];
        if address::is_address(body) {
            for end in address::break_offsets(body).map(|at| word.start + at) {
                if measure.is_cluster_start(end) {
                    widths.min = widths.min.max(measure.width(piece_start..end));
                    piece_start = end;
                }
            }
        }
        widths.min = widths.min.max(measure.width(piece_start..word.end));
        if opportunity == BreakOpportunity::Mandatory {
            let line = measure.line(text, line_start..at, false).natural;
            widths.max = widths.max.max(line);
            line_start = at;
        }
        start = at;
    }
    widths
}

/// Breaks a paragraph into lines of `width`. Lines that would hold only
/// spaces are dropped; every other character is on exactly one line.
pub fn break_lines(
    shaped: &ShapedText,
    shaper: &Shaper,
    measure: &Measure,
    width: f32,
    settings: BreakSettings,
) -> Vec<BrokenLine> {
    let points = paragraph_breakpoints(shaped, measure, width, settings);
    break_at(shaped, shaper, measure, width, settings, points)
}

/// The breakpoints [`break_lines`] chooses from, hyphenation points
/// included. They need only the glyphs' widths, not the kashida sites: a
/// long paragraph finds them while another thread finds its sites.
pub fn paragraph_breakpoints(
    shaped: &ShapedText,
    measure: &Measure,
    width: f32,
    settings: BreakSettings,
) -> Vec<Breakpoint> {
    let hyphenation = settings
        .hyphenate
        .then(|| Hyphenation::new(settings.hyphenator, &shaped.styled.languages));
    breakpoints(shaped, measure, width, hyphenation.as_ref())
}

/// [`break_lines`] at `points`, from [`paragraph_breakpoints`].
pub fn break_at(
    shaped: &ShapedText,
    shaper: &Shaper,
    measure: &Measure,
    width: f32,
    settings: BreakSettings,
    mut points: Vec<Breakpoint>,
) -> Vec<BrokenLine> {
    let text = shaped.text();
    // What each cut between clusters adds to the line it ends and to the
    // one it starts (Arabic letters change form there).
    for point in points.iter_mut().filter(|p| p.kind == BreakKind::Cluster) {
        point.cut = measure.cut_widths(shaped, shaper, point.at);
    }
    let line = |start: Option<&Breakpoint>, point: &Breakpoint| {
        candidate_line(text, measure, width, settings.justify, start, point)
    };
    let chosen = match settings.linebreak {
        Linebreak::TotalFit => {
            let later = LaterStarts::new(shaped, &points);
            let slack = |from: usize, to: usize| later.as_ref().map(|l| l.slack(from, to));
            total_fit(&points, width, slack, line)
        }
        Linebreak::FirstFit => first_fit(&points, width, line),
    };
    let mut lines = Vec::with_capacity(chosen.len());
    let mut start = 0;
    let mut start_kind = BreakKind::Mandatory;
    for point in chosen.into_iter().map(|i| points[i]) {
        if !text[start..point.at].trim().is_empty() {
            let hyphen = point.kind == BreakKind::Hyphen;
            lines.push(BrokenLine {
                range: start..point.at,
                start: start_kind,
                end: point.kind,
                metrics: measure.line(text, start..point.at, hyphen),
            });
        }
        start = point.at;
        start_kind = point.kind;
    }
    lines
}

/// The line from `start` (the paragraph's start when `None`) to `point`
/// as the breaker weighs it: with what cuts add at its ends; a ragged
/// line wider than `width` cannot shrink.
fn candidate_line(
    text: &str,
    measure: &Measure,
    width: f32,
    justify: bool,
    start: Option<&Breakpoint>,
    point: &Breakpoint,
) -> LineMetrics {
    let from = start.map_or(0, |s| s.at);
    let mut metrics = measure.line(text, from..point.at, point.kind == BreakKind::Hyphen);
    metrics.natural += start.map_or(0.0, |s| s.cut.starting) + point.cut.ending;
    if justify || metrics.natural <= width + EPSILON {
        metrics
    } else {
        // Ragged lines do not shrink: wider than the measure is overfull.
        LineMetrics {
            spaces: 0.0,
            shrink: 0.0,
            kashida: 0.0,
            ..metrics
        }
    }
}

/// How much wider a [`candidate_line`] may measure for starting at a later
/// one of a paragraph's breakpoints than at another, to the same point:
/// what cuts add at a line's start varies (Arabic letters change form
/// there), and the glyphs between the two starts may have negative
/// advances (Amiri kerns a few letters so); every other width is a sum that
/// only shrinks as the line does.
struct LaterStarts {
    /// The spread of what cuts add at a line's start.
    cuts: f32,
    /// Per start (the paragraph's, then each breakpoint's, as total fit
    /// numbers its nodes' `at`), the magnitude of the negative advances
    /// before it.
    negative_before: Vec<f32>,
}

impl LaterStarts {
    /// `None` when a space has a negative advance: spaces would then
    /// stretch a later line more.
    fn new(shaped: &ShapedText, points: &[Breakpoint]) -> Option<Self> {
        let text = shaped.text();
        let mut negative: Vec<(usize, f32)> = shaped
            .runs
            .iter()
            .flat_map(|run| &run.glyphs)
            .filter(|g| g.x_advance < 0.0)
            .map(|g| (g.cluster, -g.x_advance))
            .collect();
        if negative
            .iter()
            .any(|&(at, _)| text[at..].starts_with(char::is_whitespace))
        {
            return None;
        }
        negative.sort_by_key(|&(at, _)| at);
        let mut negative = negative.into_iter().peekable();
        let mut running = 0.0;
        let mut negative_before = Vec::with_capacity(points.len() + 1);
        negative_before.push(0.0);
        for point in points {
            while let Some((_, magnitude)) = negative.next_if(|&(at, _)| at < point.at) {
                running += magnitude;
            }
            negative_before.push(running);
        }
        // The paragraph's own start adds nothing.
        let starting = points.iter().map(|p| p.cut.starting);
        let (least, most) = starting.fold((0.0f32, 0.0f32), |(l, m), s| (l.min(s), m.max(s)));
        Some(LaterStarts {
            cuts: most - least,
            negative_before,
        })
    }

    /// How much wider than the line from start `from` to breakpoint `to`
    /// (both numbered as total fit numbers its nodes' `at`) a line from a
    /// later start to `to` may measure.
    fn slack(&self, from: usize, to: usize) -> f32 {
        self.cuts + (self.negative_before[to] - self.negative_before[from]).max(0.0)
    }
}

/// Each line as full as it fits, preferring any break to a cut between
/// clusters. Returns the indices of the chosen breakpoints.
fn first_fit(
    points: &[Breakpoint],
    width: f32,
    line: impl Fn(Option<&Breakpoint>, &Breakpoint) -> LineMetrics,
) -> Vec<usize> {
    let mut chosen = Vec::new();
    let mut start: Option<&Breakpoint> = None;
    let mut fitting: Option<usize> = None;
    let mut fitting_cut: Option<usize> = None;
    let mut index = 0;
    while let Some(point) = points.get(index) {
        let fits = line(start, point).natural <= width + EPSILON;
        let end = if fits && point.kind != BreakKind::Mandatory {
            if point.kind == BreakKind::Cluster {
                fitting_cut = Some(index);
            } else {
                fitting = Some(index);
            }
            index += 1;
            continue;
        } else if fits {
            index += 1;
            index - 1
        } else if let Some(fit) = fitting.or(fitting_cut) {
            // The next line starts there: look again at every point after
            // it (cuts inside a long word may end that line).
            index = fit + 1;
            fit
        } else {
            // Not even the shortest piece fits: it overflows on its own.
            index += 1;
            index - 1
        };
        chosen.push(end);
        start = Some(&points[end]);
        fitting = None;
        fitting_cut = None;
    }
    chosen
}

/// A way of breaking the paragraph up to one breakpoint.
#[derive(Debug, Clone, Copy)]
struct Node {
    /// Index of the breakpoint (0 = the paragraph's start, then breakpoint
    /// `i` is node `i + 1`'s `at`).
    at: usize,
    /// The node the best line ending here starts from.
    previous: usize,
    demerits: f64,
    fitness: u8,
    /// How many lines in a row up to here end with a hyphen, at most
    /// [`MAX_CONSECUTIVE_HYPHENS`] (more cost the same).
    hyphens: u8,
}

/// The states a breakpoint keeps a best path for: one per fitness class
/// and run of hyphens, because the next line's demerits depend on both.
const STATES: usize = FITNESS_CLASSES * (MAX_CONSECUTIVE_HYPHENS as usize + 1);
const FITNESS_CLASSES: usize = 4;

/// Knuth–Plass: the breaks that minimise the paragraph's total demerits.
/// Each breakpoint keeps the best path for each fitness class and run of
/// hyphens (as TeX keeps one per fitness class): the best path overall to
/// a breakpoint may be the one that makes the next line worst. A start from
/// which the line is already overfull leaves the active range for good
/// (lines only get wider as they go on), which bounds the work per
/// breakpoint by the number of breakpoints on a line (times [`STATES`]).
/// Returns the indices of the chosen breakpoints.
///
/// Lines from later starts to a breakpoint are shorter and looser, but for
/// `later_start_slack(from, to)` (how much wider one may yet measure than
/// the line from node `at` `from` to breakpoint `to - 1`, see
/// [`LaterStarts`]; `None`, unknown): once a line is so loose that every
/// later start, at its least demerits, would be dropped as dominated (see
/// below), they are not measured. The breaks are the same.
fn total_fit(
    points: &[Breakpoint],
    width: f32,
    later_start_slack: impl Fn(usize, usize) -> Option<f32>,
    line: impl Fn(Option<&Breakpoint>, &Breakpoint) -> LineMetrics,
) -> Vec<usize> {
    let mut nodes = Vec::with_capacity(points.len() + 1);
    nodes.push(Node {
        at: 0,
        previous: 0,
        demerits: 0.0,
        fitness: 1,
        hyphens: 0,
    });
    let start_of = |node: &Node| node.at.checked_sub(1).map(|i| &points[i]);
    let mut active = 0;
    // The least demerits of the nodes from each on.
    let mut least_after = SuffixMinima::default();
    least_after.push(0, 0.0);
    for (index, point) in points.iter().enumerate() {
        let last = point.kind == BreakKind::Mandatory;
        let hyphen = point.kind == BreakKind::Hyphen;
        let mut best: [Option<Node>; STATES] = [None; STATES];
        let first = active;
        // Nodes of one breakpoint are adjacent and share the line.
        let mut measured: Option<(usize, LineMetrics)> = None;
        // Where in `least_after` the nodes after the one tried begin.
        let mut cursor = None;
        for (from, previous) in nodes.iter().enumerate().skip(first) {
            let metrics = match measured {
                Some((at, metrics)) if at == previous.at => metrics,
                _ => {
                    let metrics = line(start_of(previous), point);
                    measured = Some((previous.at, metrics));
                    metrics
                }
            };
            // The last line is set at its natural width (finishing glue).
            let ratio = if last && metrics.natural <= width + EPSILON {
                Some(0.0)
            } else {
                metrics.ratio(width)
            };
            let (this_line, fitness) = match ratio {
                Some(r) if r < -1.0 => {
                    // Wider still from every earlier start.
                    active = from + 1;
                    let excess = f64::from(metrics.natural - metrics.shrink() - width);
                    (OVERFULL_DEMERITS * (1.0 + excess.max(0.0)), 0)
                }
                ratio => {
                    let fitness = fitness_class(ratio.unwrap_or(f32::INFINITY));
                    let mut d = line_demerits(ratio) + point.kind.penalty().powi(2);
                    if previous.hyphens > 0 && hyphen {
                        d += DOUBLE_HYPHEN_DEMERITS;
                    }
                    if previous.hyphens >= SOFT_CONSECUTIVE_HYPHENS && hyphen {
                        d += line_demerits(Some(WIDE_RATIO));
                    }
                    if previous.hyphens >= MAX_CONSECUTIVE_HYPHENS && hyphen {
                        d += TOO_MANY_HYPHENS_DEMERITS;
                    }
                    if previous.hyphens > 0 && last {
                        d += FINAL_HYPHEN_DEMERITS;
                    }
                    if from > 0 && previous.fitness.abs_diff(fitness) > 1 {
                        d += FITNESS_DEMERITS;
                    }
                    (d, fitness)
                }
            };
            let demerits = previous.demerits + this_line;
            let hyphens = if hyphen {
                (previous.hyphens + 1).min(MAX_CONSECUTIVE_HYPHENS)
            } else {
                0
            };
            // A mandatory break ends every path alike: only the best goes on.
            let state = if last {
                0
            } else {
                usize::from(hyphens) * FITNESS_CLASSES + usize::from(fitness)
            };
            if best[state].is_none_or(|b| demerits < b.demerits) {
                best[state] = Some(Node {
                    at: index + 1,
                    previous: from,
                    demerits,
                    fitness,
                    hyphens,
                });
            }
            // Every later start gives a line at least this loose, and no
            // extra demerits are lower than none: if even the least of
            // them is dropped as dominated below, so are all.
            if last || hyphen {
                continue;
            }
            let Some(slack) = later_start_slack(previous.at, index + 1) else {
                continue;
            };
            let delta = width - metrics.natural - slack - MEASURE_TOLERANCE;
            if delta <= MEASURE_TOLERANCE {
                continue;
            }
            let stretch = metrics.stretch() + MEASURE_TOLERANCE;
            let floor = line_demerits(Some(delta / stretch)) + point.kind.penalty().powi(2);
            if floor <= FITNESS_DEMERITS {
                continue;
            }
            let least_here = least_demerits(&best[..FITNESS_CLASSES]);
            let dropped = least_after
                .least_from(from + 1, &mut cursor)
                .is_none_or(|least| least + floor > dominated_above(least_here));
            if dropped {
                break;
            }
        }
        // Of two paths here with the same run of hyphens, one costlier by
        // more than a change of fitness class costs never leads to the best
        // paragraph: whatever follows costs it at most that much less than
        // the other. So it is dropped, which keeps the nodes to search few.
        for run in best.chunks_mut(FITNESS_CLASSES) {
            let least = least_demerits(run);
            for state in run.iter_mut() {
                if state.is_some_and(|node| node.demerits > least + FITNESS_DEMERITS) {
                    *state = None;
                }
            }
        }
        let before = nodes.len();
        for node in best.into_iter().flatten() {
            least_after.push(nodes.len(), node.demerits);
            nodes.push(node);
        }
        if nodes.len() == before {
            // Unreachable: `active` never passes the newest nodes.
            least_after.push(nodes.len(), f64::INFINITY);
            nodes.push(Node {
                at: index + 1,
                previous: before - 1,
                demerits: f64::INFINITY,
                fitness: 1,
                hyphens: 0,
            });
        }
        if last {
            // No line reaches across a mandatory break.
            active = nodes.len() - 1;
        }
    }
    let mut chosen = Vec::new();
    let mut node = nodes.len() - 1;
    while node > 0 {
        chosen.push(nodes[node].at - 1);
        node = nodes[node].previous;
    }
    chosen.reverse();
    chosen
}

/// What widths summed over a paragraph of megabytes may be off by, in
/// points: a bound on a line measured from its neighbour's allows for it.
/// The sums are `f32` within blocks of 4 KiB (see `RunningSum`), so this
/// holds while a block's widths add up to less than 2^19 pt (128 pt a byte
/// of text, far beyond any glyph or inline picture set in a line).
const MEASURE_TOLERANCE: f32 = 0.05;

/// The least demerits of the paths in `run` (of one run of hyphens).
fn least_demerits(run: &[Option<Node>]) -> f64 {
    run.iter()
        .flatten()
        .map(|node| node.demerits)
        .fold(f64::INFINITY, f64::min)
}

/// Demerits above which a path is dropped as dominated, where the least at
/// its breakpoint is `least` (see [`total_fit`]), with room for rounding.
fn dominated_above(least: f64) -> f64 {
    (least + FITNESS_DEMERITS) * (1.0 + 1e-12) + 1.0
}

/// The least of the values pushed from each index on: a stack of the
/// values less than every value pushed after them.
#[derive(Default)]
struct SuffixMinima {
    stack: Vec<(usize, f64)>,
}

impl SuffixMinima {
    /// Pushes `value` at `index`, past every index pushed before.
    fn push(&mut self, index: usize, value: f64) {
        while self.stack.last().is_some_and(|&(_, v)| v >= value) {
            self.stack.pop();
        }
        self.stack.push((index, value));
    }

    /// The least value pushed at `index` or later (`None`: none was).
    /// `cursor` remembers where the answer was, for asking again with a
    /// later `index` and nothing pushed meanwhile (`None` the first time).
    fn least_from(&self, index: usize, cursor: &mut Option<usize>) -> Option<f64> {
        let at = match *cursor {
            Some(mut at) => {
                while self.stack.get(at).is_some_and(|&(i, _)| i < index) {
                    at += 1;
                }
                at
            }
            None => self.stack.partition_point(|&(i, _)| i < index),
        };
        *cursor = Some(at);
        self.stack.get(at).map(|&(_, v)| v)
    }
}

/// Demerits of a line at an adjustment ratio, before penalties (`None`: a
/// short line with nothing to stretch, as bad as any line can be: TeX's
/// infinite badness).
fn line_demerits(ratio: Option<f32>) -> f64 {
    let badness = ratio.map_or(MAX_BADNESS, |r| {
        (100.0 * f64::from(r).abs().powi(3)).min(MAX_BADNESS)
    });
    (LINE_PENALTY + badness).powi(2)
}

/// TeX's fitness classes: tight, decent, loose, very loose.
fn fitness_class(ratio: f32) -> u8 {
    if ratio < -0.5 {
        0
    } else if ratio <= 0.5 {
        1
    } else if ratio <= 1.0 {
        2
    } else {
        3
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::doc::{Direction, SourcePos};
    use crate::fonts::{FontLibrary, Role, Style};
    use crate::layout::line::{Align, Line, Paragraph, build_line};
    use crate::text::{ParagraphSettings, Shaper, StyledText, TextStyle};

    const SIZE: f32 = 12.0;

    const ENGLISH: &str = "Relations between Morocco and Kazakhstan have grown steadily since \
        the two countries established diplomatic ties, and the past decade has brought \
        regular consultations between their foreign ministries, agreements on investment \
        protection and the avoidance of double taxation, and a shared commitment to the \
        peaceful settlement of disputes. Both governments describe the partnership as \
        strategic: they coordinate their positions in multilateral organisations, support \
        each other's candidacies, and work together on nuclear non-proliferation, food \
        security and the fight against terrorism. Trade remains modest, but business \
        delegations, direct flights and cooperation between universities are expected to \
        change that, while cultural exchanges bring their peoples closer.";

    const FRENCH: &str = "Les relations entre le Maroc et le Kazakhstan se sont \
        considérablement développées depuis l'établissement des relations diplomatiques, \
        et les consultations régulières entre les ministères des affaires étrangères \
        témoignent d'une volonté commune de renforcer la coopération économique, \
        culturelle et universitaire.";

    /// The seed book's introduction, as one long paragraph.
    fn arabic() -> String {
        include_str!("../../book/01-introduction.md")
            .lines()
            .filter(|l| l.chars().count() > 200)
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn shape(shaper: &Shaper, text: &str, direction: Direction) -> ShapedText {
        let mut styled = StyledText::default();
        let style = TextStyle {
            role: Role::Text,
            style: Style::default(),
            size: SIZE,
            raise: 0.0,
        };
        styled.push(text, style, SourcePos::default());
        shaper.shape(
            styled,
            ParagraphSettings {
                direction: Some(direction),
                ..Default::default()
            },
        )
    }

    /// A paragraph broken and committed, with the width of its natural word
    /// space.
    struct Set {
        text: String,
        lines: Vec<BrokenLine>,
        committed: Vec<Line>,
        space: f32,
    }

    /// The direction layout gives `text` in a book in `language`.
    fn book_direction(language: &str, text: &str) -> Direction {
        crate::doc::block_direction(crate::locale::direction_of(language), text)
    }

    fn set(text: &str, language: &str, width: f32, linebreak: Linebreak, hyphenate: bool) -> Set {
        let fonts = FontLibrary::builtin();
        let shaper = Shaper::new(&fonts, language);
        let direction = book_direction(language, text);
        let shaped = shape(&shaper, text, direction);
        let measure = Measure::new(&shaped, &shaper, &[]);
        let settings = BreakSettings {
            linebreak,
            hyphenate,
            hyphenator: Hyphenator::for_language(language),
            justify: true,
        };
        let lines = break_lines(&shaped, &shaper, &measure, width, settings);
        let paragraph = Paragraph {
            shaped: &shaped,
            text: Arc::from(text),
            shaper: &shaper,
            kashida: None,
        };
        let committed = lines
            .iter()
            .map(|l| build_line(&paragraph, l, width, Align::Justify))
            .collect();
        let space = shaped
            .runs
            .iter()
            .flat_map(|r| &r.glyphs)
            .find(|g| &text[g.cluster..g.cluster_end] == " ")
            .map_or(1.0, |g| g.x_advance);
        Set {
            text: text.to_string(),
            lines,
            committed,
            space,
        }
    }

    impl Set {
        /// The widest word space on the justified (non-final) lines, as a
        /// multiple of the natural space.
        fn widest_space(&self) -> f32 {
            self.lines
                .iter()
                .zip(&self.committed)
                .filter(|(l, _)| l.end != BreakKind::Mandatory)
                .flat_map(|(_, c)| &c.runs)
                .flat_map(|r| r.glyphs.iter().map(move |g| (r, g)))
                .filter(|(r, g)| &r.text[g.text_range()] == " ")
                .map(|(_, g)| g.x_advance / self.space)
                .fold(0.0, f32::max)
        }

        fn widest_line(&self) -> f32 {
            self.committed
                .iter()
                .map(|c| c.runs.iter().map(|r| r.width()).sum::<f32>())
                .fold(0.0, f32::max)
        }

        fn hyphenated(&self) -> Vec<bool> {
            self.lines
                .iter()
                .map(|l| l.end == BreakKind::Hyphen)
                .collect()
        }

        /// Every character on exactly one line, in order, spaces aside.
        fn assert_complete(&self) {
            let joined: String = self
                .lines
                .iter()
                .map(|l| &self.text[l.range.clone()])
                .collect();
            assert_eq!(joined.replace(' ', ""), self.text.replace(' ', ""));
            for pair in self.lines.windows(2) {
                assert!(pair[0].range.end <= pair[1].range.start, "{:?}", self.lines);
            }
        }
    }

    /// A measure of about `chars` average characters of `text`.
    fn measure_of(text: &str, language: &str, chars: f32) -> f32 {
        let fonts = FontLibrary::builtin();
        let shaper = Shaper::new(&fonts, language);
        let direction = book_direction(language, text);
        let shaped = shape(&shaper, text, direction);
        let total: f32 = shaped
            .runs
            .iter()
            .flat_map(|r| &r.glyphs)
            .map(|g| g.x_advance)
            .sum();
        total / text.chars().count() as f32 * chars
    }

    #[test]
    fn every_character_is_on_exactly_one_line_whatever_the_width() {
        let text = "عنوان طويل جدا جدا Astana 2025 كلمةطويلةجدابلافواصل";
        for linebreak in [Linebreak::TotalFit, Linebreak::FirstFit] {
            for width in [-50.0, 0.0, 0.5, 5.0, 30.0, 100.0, 1000.0] {
                set(text, "ar", width, linebreak, true).assert_complete();
            }
        }
    }

    #[test]
    fn lines_fit_the_measure_when_words_do() {
        let text = "شهدت العلاقات الثنائية بين المغرب وكازاخستان دينامية دبلوماسية ملحوظة";
        for linebreak in [Linebreak::TotalFit, Linebreak::FirstFit] {
            let set = set(text, "ar", 120.0, linebreak, false);
            assert!(set.lines.len() > 2);
            assert!(
                set.widest_line() <= 120.01,
                "{linebreak:?}: {}",
                set.widest_line()
            );
        }
    }

    /// The widest word space with first fit and with total fit, on
    /// measures of 50 to 60 average characters.
    fn widest_spaces(text: &str, language: &str, hyphenate: bool) -> Vec<(f32, f32)> {
        (50..=60)
            .map(|chars| {
                let width = measure_of(text, language, chars as f32);
                let first = set(text, language, width, Linebreak::FirstFit, hyphenate);
                let total = set(text, language, width, Linebreak::TotalFit, hyphenate);
                total.assert_complete();
                assert!(total.widest_line() <= width + 0.01);
                let pair = (first.widest_space(), total.widest_space());
                println!(
                    "{language}, {chars} characters ({width:.0} pt): widest space {:.2}× with \
                     first fit, {:.2}× with total fit",
                    pair.0, pair.1
                );
                pair
            })
            .collect()
    }

    fn median(mut values: Vec<f32>) -> f32 {
        values.sort_by(f32::total_cmp);
        values[values.len() / 2]
    }

    /// Total fit is never looser than first fit, usually tighter.
    fn assert_tighter(pairs: &[(f32, f32)]) {
        assert!(pairs.iter().all(|(first, total)| total <= &(first + 1e-3)));
        let first: f32 = pairs.iter().map(|p| p.0).sum();
        let total: f32 = pairs.iter().map(|p| p.1).sum();
        assert!(total < first * 0.9, "{pairs:?}");
    }

    #[test]
    fn total_fit_sets_english_tighter_than_first_fit_and_within_twice_the_space() {
        let pairs = widest_spaces(ENGLISH, "en", true);
        assert_tighter(&pairs);
        let total = median(pairs.iter().map(|p| p.1).collect());
        println!("English, hyphenated: median widest space {total:.2}× with total fit");
        assert!(total <= 2.0);
    }

    /// The measure of the English test book's A5 text block, in points.
    const A5_MEASURE: f32 = 325.98;

    #[test]
    fn long_english_words_hyphenate_rather_than_leave_wide_spaces() {
        // The first lines are near their natural width only with three
        // hyphens in a row (gov-, coun-, infra-); with at most two, the best
        // paragraph had spaces of 2.85× on its first line.
        let text = "Notwithstanding considerable geographical distances, the two \
            governments have established institutionalised consultations on \
            counterterrorism, nonproliferation and the protection of critical \
            infrastructure. Observers characterise the relationship as a pragmatic \
            partnership grounded in shared commitments to multilateralism, to the \
            peaceful settlement of disputes and to the predictability of \
            international commerce.";
        let set = set(text, "en", A5_MEASURE, Linebreak::TotalFit, true);
        set.assert_complete();
        let widest = set.widest_space();
        assert!(widest <= 2.0, "{widest:.2}× in {:?}", set.lines);
    }

    #[test]
    fn total_fit_sets_arabic_tighter_than_first_fit() {
        assert_tighter(&widest_spaces(&arabic(), "ar", false));
    }

    #[test]
    fn latin_text_hyphenates_at_a_narrow_measure_arabic_never() {
        for (text, language) in [(ENGLISH, "en"), (FRENCH, "fr")] {
            let width = measure_of(text, language, 30.0);
            let set = set(text, language, width, Linebreak::TotalFit, true);
            set.assert_complete();
            let hyphenated = set.hyphenated();
            assert!(hyphenated.iter().any(|&h| h), "{language}: no hyphen");
            // A third hyphen in a row costs as much as a line of 2× spaces:
            // at this narrow measure it may come, a fourth never.
            assert!(
                !hyphenated.windows(4).any(|w| w.iter().all(|&h| h)),
                "{language}: four hyphens in a row"
            );
            // The hyphen shows, as its own run that copies out as a hyphen.
            for (line, committed) in set.lines.iter().zip(&set.committed) {
                let shows = committed.runs.iter().any(|r| &*r.text == "-");
                assert_eq!(shows, line.end == BreakKind::Hyphen);
            }
        }
        let text = arabic();
        let width = measure_of(&text, "ar", 30.0);
        // Even asked to, Arabic words are never hyphenated.
        for language in ["ar", "en"] {
            let set = set(&text, language, width, Linebreak::TotalFit, true);
            assert!(!set.hyphenated().iter().any(|&h| h));
        }
    }

    #[test]
    fn code_and_urls_are_never_hyphenated() {
        let fonts = FontLibrary::builtin();
        let shaper = Shaper::new(&fonts, "en");
        let style = |role| TextStyle {
            role,
            style: Style::default(),
            size: SIZE,
            raise: 0.0,
        };
        let mut styled = StyledText::default();
        let pos = SourcePos::default();
        styled.push("internationalisation ", style(Role::Text), pos);
        styled.push("internationalisation", style(Role::Mono), pos);
        styled.push(" www.internationalisation.org", style(Role::Text), pos);
        let shaped = shaper.shape(
            styled,
            ParagraphSettings {
                direction: Some(Direction::Ltr),
                ..Default::default()
            },
        );
        let measure = Measure::new(&shaped, &shaper, &[]);
        let english = Hyphenation::new(Hyphenator::for_language("en"), &[]);
        let points = breakpoints(&shaped, &measure, 1000.0, Some(&english));
        let hyphens: Vec<usize> = points
            .iter()
            .filter(|p| p.kind == BreakKind::Hyphen)
            .map(|p| p.at)
            .collect();
        let plain = "internationalisation".len();
        assert!(!hyphens.is_empty());
        assert!(hyphens.iter().all(|&at| at < plain), "{hyphens:?}");
    }

    /// Glyph ids of a text shaped as a paragraph of its own, left to right
    /// on the page.
    fn glyphs_alone(text: &str, language: &str) -> Vec<u16> {
        let fonts = FontLibrary::builtin();
        let shaper = Shaper::new(&fonts, language);
        let direction = book_direction(language, text);
        let shaped = shape(&shaper, text, direction);
        let mut runs: Vec<&crate::text::ShapedRun> = shaped.runs.iter().collect();
        if direction == Direction::Rtl {
            runs.reverse();
        }
        runs.iter()
            .flat_map(|r| r.glyphs.iter().map(|g| g.id))
            .collect()
    }

    #[test]
    fn a_word_cut_by_a_break_is_shaped_again_on_each_side() {
        // Arabic letters join: a word cut between clusters takes final and
        // initial forms at the cut, as if it ended and started there.
        let word = "الاستراتيجيةالمغربيةالكازاخستانية";
        let cut = set(word, "ar", 60.0, Linebreak::TotalFit, false);
        // English: the hyphenated line ends with the glyphs of `frag-`.
        let width = measure_of(ENGLISH, "en", 30.0);
        let hyphenated = set(ENGLISH, "en", width, Linebreak::TotalFit, true);
        let mut checked = 0;
        for (set, language) in [(&cut, "ar"), (&hyphenated, "en")] {
            for (line, committed) in set.lines.iter().zip(&set.committed) {
                if !line.start.inside_word() && !line.end.inside_word() {
                    continue;
                }
                let mut alone = set.text[trim_end(&set.text, line.range.clone())].to_string();
                if line.end == BreakKind::Hyphen {
                    alone.push('-');
                }
                let ids: Vec<u16> = committed
                    .runs
                    .iter()
                    .flat_map(|r| r.glyphs.iter().map(|g| g.id))
                    .collect();
                assert_eq!(ids, glyphs_alone(&alone, language), "{alone}");
                checked += 1;
            }
        }
        assert!(checked >= 4);
    }

    #[test]
    fn a_word_may_be_hyphenated_inside_a_ligature() {
        let text = "official";
        let fonts = FontLibrary::builtin();
        let shaper = Shaper::new(&fonts, "en");
        let shaped = shape(&shaper, text, Direction::Ltr);
        let measure = Measure::new(&shaped, &shaper, &[]);
        // Noto Serif sets `ffi` as one glyph: one cluster.
        assert!(!measure.is_cluster_start(3));
        let english = Hyphenation::new(Hyphenator::for_language("en"), &[]);
        let points = breakpoints(&shaped, &measure, 1000.0, Some(&english));
        assert!(
            points
                .iter()
                .any(|p| p.at == 2 && p.kind == BreakKind::Hyphen),
            "{points:?}"
        );
        // The ligature's width is shared by its letters.
        assert!(measure.width(0..2) > measure.width(0..1));
        assert!(measure.width(2..4) > 0.0);
    }

    #[test]
    fn arabic_words_cut_between_clusters_still_fit_the_measure() {
        // Measures narrower than some words: they are cut, and the letters
        // at each cut take their final or initial form, which the breaker
        // must count.
        let text = arabic();
        let mut cuts = 0;
        for chars in [11.0, 12.0, 13.0, 14.0] {
            let width = measure_of(&text, "ar", chars);
            for linebreak in [Linebreak::TotalFit, Linebreak::FirstFit] {
                let set = set(&text, "ar", width, linebreak, false);
                cuts += set
                    .lines
                    .iter()
                    .filter(|l| l.end == BreakKind::Cluster)
                    .count();
                let widest = set.widest_line();
                assert!(
                    widest <= width + 0.01,
                    "{chars} {linebreak:?}: {widest} > {width}"
                );
            }
        }
        assert!(cuts > 0);
    }

    #[test]
    fn a_long_url_in_arabic_breaks_after_slash_or_dot() {
        // The host name has no UAX #14 opportunity and is wider than the
        // measure: it must break after a dot.
        let url = "https://consultations.bilaterales.maroc.kazakhstan.diplomatie.example.org/\
                   accords/cooperation-economique";
        let text = format!("انظر الموقع الرسمي {url} للاطلاع على نصوص الاتفاقيات الموقعة بين البلدين");
        let url_range = text.find(url).unwrap()..text.find(url).unwrap() + url.len();
        let width = 150.0;
        for linebreak in [Linebreak::TotalFit, Linebreak::FirstFit] {
            let set = set(&text, "ar", width, linebreak, true);
            set.assert_complete();
            assert!(set.widest_line() <= width + 0.01, "{linebreak:?}");
            let cuts: Vec<usize> = set
                .lines
                .iter()
                .map(|l| l.range.end)
                .filter(|end| url_range.start < *end && *end < url_range.end)
                .collect();
            assert!(cuts.len() >= 2, "{linebreak:?}: {:?}", set.lines);
            for end in cuts {
                let before = text[..end].chars().last();
                assert!(
                    matches!(before, Some('/' | '.' | '-')),
                    "{linebreak:?}: cut after {before:?}"
                );
            }
            // The URL stays left to right: its glyphs run left to right.
            for committed in &set.committed {
                for run in &committed.runs {
                    let clusters: Vec<usize> = run
                        .glyphs
                        .iter()
                        .map(|g| g.start())
                        .filter(|at| url_range.contains(at))
                        .collect();
                    assert!(clusters.windows(2).all(|w| w[0] <= w[1]), "{clusters:?}");
                }
            }
        }
    }

    #[test]
    fn an_address_is_as_narrow_as_its_widest_piece_other_words_stay_whole() {
        let fonts = FontLibrary::builtin();
        let shaper = Shaper::new(&fonts, "ar");
        let widths = |text: &str| {
            let direction = crate::doc::block_direction(Direction::Ltr, text);
            let shaped = shape(&shaper, text, direction);
            let measure = Measure::new(&shaped, &shaper, &[]);
            (content_widths(&shaped, &measure), measure)
        };
        let alone = |text: &str| widths(text).0.max;
        let mail = "s.benali@embassy-ma.kz";
        let text = format!("في {mail}");
        let (mail_widths, measure) = widths(&text);
        // `في`, `s.`, `benali@`, `embassy-`, `ma.`, `kz`: the widest is
        // `embassy-`.
        let piece = text.find("embassy-").unwrap();
        assert!((mail_widths.min - measure.width(piece..piece + 8)).abs() < 0.01);
        assert!(mail_widths.min < measure.width(piece - 7..piece + 8));
        assert!((mail_widths.max - measure.width(0..text.len())).abs() < 0.01);
        // Not an address: `e.g.` and `2025-2026` are as wide as they are.
        let (plain, measure) = widths("e.g. 2025-2026");
        assert!((plain.min - measure.width(5..14)).abs() < 0.01);
        // A hard break ends a line even in the widest setting.
        let (broken, _) = widths("كلمة قصيرة\u{2028}سطر ثان أطول من الأول بكثير");
        assert!((broken.max - alone("سطر ثان أطول من الأول بكثير")).abs() < 0.01);
    }

    /// How many candidate lines each way of breaking measures for a
    /// paragraph of `words` words, a breakpoint after each (widths of
    /// 20 pt and a 5 pt space, a measure of 12 words).
    fn lines_measured(words: usize, linebreak: Linebreak) -> usize {
        let points: Vec<Breakpoint> = (1..=words)
            .map(|n| Breakpoint {
                at: n,
                kind: if n == words {
                    BreakKind::Mandatory
                } else {
                    BreakKind::Word
                },
                cut: CutWidths::default(),
            })
            .collect();
        let measured = std::cell::Cell::new(0);
        let line = |start: Option<&Breakpoint>, end: &Breakpoint| {
            measured.set(measured.get() + 1);
            let count = (end.at - start.map_or(0, |s| s.at)) as f32;
            LineMetrics {
                natural: count * 25.0 - 5.0,
                spaces: (count - 1.0) * 5.0,
                shrink: (count - 1.0) * 5.0 / 3.0,
                kashida: 0.0,
            }
        };
        let width = 12.0 * 25.0 - 5.0 + 7.0;
        match linebreak {
            Linebreak::TotalFit => total_fit(&points, width, |_, _| Some(0.0), line),
            Linebreak::FirstFit => first_fit(&points, width, line),
        };
        measured.get()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

        /// Not measuring the starts whose lines are too loose to matter
        /// changes no break: random paragraphs of words, hyphens and cuts
        /// between clusters, broken both ways. A piece cut off between
        /// clusters may be narrower than what cuts add at a line's start,
        /// so a later start can measure wider (a slack of 0 fails here).
        #[test]
        fn skipping_loose_lines_chooses_the_same_breaks(
            pieces in proptest::collection::vec(
                (0.0f32..60.0, 0u8..10, -4.0f32..6.0, 0.0f32..4.0),
                1..120,
            ),
            width in 20.0f32..400.0,
        ) {
            let mut points: Vec<Breakpoint> = Vec::new();
            let mut widths = vec![0.0f32];
            let mut spaces = vec![0.0f32];
            let mut sum = (0.0, 0.0);
            for (n, &(piece, kind, starting, ending)) in pieces.iter().enumerate() {
                let kind = match kind {
                    _ if n + 1 == pieces.len() => BreakKind::Mandatory,
                    0 => BreakKind::Hyphen,
                    1..=3 => BreakKind::Cluster,
                    4 => BreakKind::Punctuation,
                    _ => BreakKind::Word,
                };
                // A cut between clusters: a narrow piece and no space.
                let (piece, space, cut) = if kind == BreakKind::Cluster {
                    (piece / 20.0, 0.0, CutWidths { starting, ending })
                } else {
                    (piece, 5.0, CutWidths::default())
                };
                sum.0 += piece + space;
                sum.1 += space;
                widths.push(sum.0);
                spaces.push(sum.1);
                points.push(Breakpoint { at: n + 1, kind, cut });
            }
            let line = |start: Option<&Breakpoint>, end: &Breakpoint| {
                let from = start.map_or(0, |s| s.at);
                LineMetrics {
                    natural: widths[end.at] - widths[from]
                        + start.map_or(0.0, |s| s.cut.starting)
                        + end.cut.ending,
                    spaces: spaces[end.at] - spaces[from],
                    shrink: (spaces[end.at] - spaces[from]) / 3.0,
                    kashida: 0.0,
                }
            };
            let starting = points.iter().map(|p| p.cut.starting);
            let (least, most) = starting.fold((0.0f32, 0.0f32), |(l, m), s| (l.min(s), m.max(s)));
            proptest::prop_assert_eq!(
                total_fit(&points, width, |_, _| Some(most - least), line),
                total_fit(&points, width, |_, _| None, line)
            );
        }
    }

    /// What total fit's skipping rests on, on real text: a line from a
    /// later start to the same breakpoint measures no wider than one from
    /// an earlier start, but for [`LaterStarts::slack`], and stretches no
    /// more. Arabic with kashida at a measure narrow enough for words to be
    /// cut between clusters (whose cuts change the letters' widths), and
    /// English hyphenated.
    #[test]
    fn later_starts_measure_no_wider_than_the_slack_allows() {
        let fonts = FontLibrary::builtin();
        let (mut pairs, mut cuts, mut negative) = (0, 0, 0);
        for (text, language, width) in [
            (arabic(), "ar", 40.0),
            (arabic(), "ar", 200.0),
            (ENGLISH.to_string(), "en", 60.0),
        ] {
            let shaper = Shaper::new(&fonts, language);
            let shaped = shape(&shaper, &text, book_direction(language, &text));
            let sites = crate::layout::kashida::sites(&shaper, &shaped);
            let measure = Measure::new(&shaped, &shaper, &sites);
            let settings = BreakSettings {
                linebreak: Linebreak::TotalFit,
                hyphenate: language == "en",
                hyphenator: Hyphenator::for_language(language),
                justify: true,
            };
            let mut points = paragraph_breakpoints(&shaped, &measure, width, settings);
            for point in points.iter_mut().filter(|p| p.kind == BreakKind::Cluster) {
                point.cut = measure.cut_widths(&shaped, &shaper, point.at);
                cuts += 1;
            }
            let later = LaterStarts::new(&shaped, &points).expect("no space of negative advance");
            negative += usize::from(later.negative_before.last() > Some(&0.0));
            let line = |start: Option<&Breakpoint>, end: &Breakpoint| {
                candidate_line(&text, &measure, width, true, start, end)
            };
            for (j, end) in points.iter().enumerate() {
                // The paragraph's start, then the breakpoints before `end`
                // (a line's worth and more).
                // Each with its number as a node's `at`.
                let starts: Vec<(usize, Option<&Breakpoint>)> = std::iter::once((0, None))
                    .filter(|_| j < 40)
                    .chain((j.saturating_sub(40)..j).map(|i| (i + 1, Some(&points[i]))))
                    .collect();
                for (k, &(from, earlier)) in starts.iter().enumerate() {
                    let wide = line(earlier, end);
                    let slack = later.slack(from, j + 1);
                    for &(_, start) in &starts[k + 1..] {
                        let narrow = line(start, end);
                        assert!(
                            narrow.natural <= wide.natural + slack + MEASURE_TOLERANCE,
                            "{language}: {narrow:?} after {wide:?}, slack {slack}"
                        );
                        assert!(narrow.stretch() <= wide.stretch() + MEASURE_TOLERANCE);
                        pairs += 1;
                    }
                }
            }
        }
        // Amiri kerns a reh of the seed text to a negative advance.
        assert!(
            cuts > 10 && negative > 0 && pairs > 10_000,
            "{cuts} cuts, {negative} negative advances, {pairs} pairs"
        );
    }

    #[test]
    fn suffix_minima_give_the_least_from_each_index_on() {
        let values = [5.0, 3.0, 4.0, 4.0, 9.0, 1.0, 2.0];
        let mut minima = SuffixMinima::default();
        for (i, &v) in values.iter().enumerate() {
            minima.push(i, v);
            // Asked afresh, and again and again later with a cursor.
            let mut cursor = None;
            for from in 0..=i + 1 {
                let least = values[from.min(i + 1)..=i].iter().copied().reduce(f64::min);
                let asked = minima.least_from(from, &mut None);
                assert_eq!(asked, least, "from {from} after {i}");
                let again = minima.least_from(from, &mut cursor);
                assert_eq!(again, least, "from {from} after {i}, with a cursor");
            }
        }
    }

    #[test]
    fn breaking_measures_a_bounded_number_of_lines_per_breakpoint() {
        // Linear: four times the words, four times the lines measured
        // (a 10 MB paragraph has a million words). Quadratic work, every
        // breakpoint tried from every earlier one, would be sixteen times.
        for linebreak in [Linebreak::TotalFit, Linebreak::FirstFit] {
            let (small, large) = (
                lines_measured(10_000, linebreak),
                lines_measured(40_000, linebreak),
            );
            let ratio = large as f64 / small as f64;
            println!("{linebreak:?}: {small} lines measured for 10,000 words, {large} for 40,000");
            assert!(
                (3.9..4.1).contains(&ratio),
                "{linebreak:?}: {small}, then {large}"
            );
            // A line holds at most 13 words here: no point is measured from
            // more starts than fit on a line.
            assert!(small < 10_000 * 16, "{linebreak:?}: {small} lines measured");
        }
        // Total fit leaves out the starts whose lines are too loose to
        // matter: about 4.5 lines a breakpoint, 14 were it to measure them.
        let measured = lines_measured(10_000, Linebreak::TotalFit);
        assert!(measured < 10_000 * 6, "{measured} lines measured");
    }
}
