//! Turning a chapter's blocks into a vertical flow of unbreakable chunks
//! (lines, pictures, rules, pieces of table rows) for the paginator, with
//! what it needs to break pages well: which chunks stay together, which
//! footnotes each line calls, and which paragraph each line is part of.

use crate::pdf::standard::PRESS_PPI;
use std::ops::Range;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::diag::{Code, Diagnostic};
use crate::doc::{
    Anchor, Block, BlockKind, BlockPicture, Chapter, Direction, Document, Inline, InlineKind,
    Justify, LinkTarget, Mark, Numerals, Picture, SourcePos, block_direction, block_pictures,
    blocks_bidi_text, collapse_whitespace, task, word_at,
};
use crate::fonts::report::SetText;
use crate::fonts::{FontLibrary, Role, Style};
use crate::locale::strings_for;
use crate::text::{ParagraphSettings, Shaper, StyledText, TextStyle, Threading, alongside};

use super::LayoutTimes;
use super::coverage::MissingAt;
use super::kashida::{self, Kashida};
use super::line::{
    Align, KashidaSums, Line, Measure, Paragraph, build_line, is_added_hyphen, run_start,
};
use super::linebreak::{BreakSettings, BrokenLine, break_at, paragraph_breakpoints};
use super::marks;
use super::page::{ElementKind, GlyphRun, Item, LineInfo, LinkTo, NodeId, Plate, Rect, Structure};
use super::paginate::shift;

mod table;

/// Line height as a multiple of the font size: Arabic needs room for
/// harakat above and below.
pub const LEADING: f32 = 1.75;

/// What a Markdown hard break becomes in the text: LINE SEPARATOR, a
/// mandatory break (UAX #14) that is not a paragraph separator (UAX #9).
const HARD_BREAK: char = '\u{2028}';

/// Where the baseline sits in a line's em box, from its top, as a share of
/// the font size: the text's ascent (its descent is the rest).
const ASCENT: f32 = 0.75;

/// OBJECT REPLACEMENT CHARACTER: stands for an inline picture in a
/// paragraph's text, so that the line breaker measures the picture as one
/// cluster (with a break opportunity on each side, UAX #14 class CB).
const OBJECT: char = '\u{FFFC}';

/// Pictures printed with fewer pixels per inch than this look coarse: a
/// warning says so.
const MIN_PRINT_PPI: f32 = 150.0;

const POINTS_PER_INCH: f32 = 72.0;

/// Footnotes are set smaller than the text.
const NOTE_SCALE: f32 = 0.85;
/// A picture's caption (its alt text), smaller than the text.
const CAPTION_SCALE: f32 = 0.8;

/// Size (times the body's) and space before (in body sizes) of headings of
/// levels 1 to 6.
const HEADINGS: [(f32, f32); 6] = [
    (1.6, 0.0),
    (1.3, 1.0),
    (1.15, 0.8),
    (1.07, 0.6),
    (1.0, 0.6),
    (0.92, 0.5),
];

/// Superscripts and subscripts: their size and how far they move, times
/// the size of the text around them.
const SCRIPT_SCALE: f32 = 0.7;
const SUPERSCRIPT_RAISE: f32 = 0.35;
const SUBSCRIPT_DROP: f32 = 0.15;

/// `<small>` text, times the size around it.
const SMALL_SCALE: f32 = 0.85;

/// The least indent of a list's items, in ems.
const LIST_INDENT_EM: f32 = 2.0;

/// Space between a list marker and its item's text, in ems.
const MARKER_GAP_EM: f32 = 0.4;

/// A measure no line of a list marker or a hemistich fills, for measuring
/// one on a single line (points).
const UNBOUNDED_WIDTH: f32 = 1.0e6;

/// One piece of a flow.
#[derive(Debug, Clone)]
pub enum FlowItem {
    /// Content that stays together; x relative to the text area's left edge,
    /// y relative to the chunk's top.
    Chunk(Chunk),
    /// Vertical space, dropped at the top of a page.
    Gap(f32),
    /// Where a heading starts, for bookmarks, the table of contents and
    /// named destinations (`name`: see [`page::OutlineEntry::name`]).
    Mark {
        title: String,
        level: u8,
        name: String,
    },
    /// What separates footnotes from the text above them on this flow's
    /// pages; comes before the first chunk that calls a note.
    FootRule(Chunk),
    /// A full-bleed picture: a page of its own.
    Plate(Plate),
    PageBreak,
}

#[derive(Debug, Clone, Default)]
pub struct Chunk {
    pub height: f32,
    /// Do not end a page after this chunk: a heading; the first and the
    /// second-to-last line of a paragraph (no orphan at a page's foot, no
    /// widow at its head); a picture before its caption; a table's head row
    /// and every piece of a row but its last.
    pub keep_with_next: bool,
    pub items: Vec<Item>,
    /// The footnotes this chunk calls first, each as its lines (notes they
    /// call follow them): they go to the foot of the page this chunk is on.
    pub notes: Vec<Vec<Chunk>>,
    /// The lines of running text the chunk holds (one for a line of a
    /// paragraph, one a cell for a piece of a table row): top and bottom
    /// relative to the chunk, paragraphs numbered within the chapter.
    pub lines: Vec<LineInfo>,
    /// The head row of the table this chunk is part of, set again above the
    /// chunk when it starts a page.
    pub repeat_header: Option<Arc<Chunk>>,
    /// Where the chunk's first line of running text begins in the source
    /// (for the page a chunk begins to say where it begins).
    pub anchor: Option<Anchor>,
}

/// Lays out text in a column; shared by chapters and generated pages.
pub struct Typesetter<'a> {
    pub shaper: &'a Shaper<'a>,
    pub fonts: &'a FontLibrary,
    /// Body font size.
    pub size: f32,
    /// The book's direction: each block's own follows from it and the
    /// block's letters ([`block_direction`]).
    pub direction: Direction,
    /// How justified paragraphs are filled (`[layout] justify`).
    pub justify: Justify,
    /// Diagnostics, with the file they concern.
    pub warnings: Vec<Diagnostic>,
    /// Characters no font has, as they were met (reported once each, see
    /// [`super::coverage`]).
    pub missing: Vec<MissingAt>,
    /// Every paragraph as set, with the face of each character, when asked
    /// for (`warraq fonts`); `None` in a build, which has no use for it.
    pub set: Option<Vec<SetText>>,
    /// The chapter being set; `None` for generated pages, whose text (title,
    /// authors, chapter titles) is warned about where it comes from.
    pub file: Option<std::path::PathBuf>,
    /// How paragraphs are broken into lines (`[layout]`, the book's language).
    pub breaking: BreakSettings,
    /// From what size a paragraph is set on more than one thread.
    pub threading: Threading,
    /// The chapter's logical structure, for tagged PDF.
    pub structure: Structure,
    /// How long its paragraphs took to shape and to break into lines.
    pub times: LayoutTimes,
}

/// Horizontal extent of a column inside the text area.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub x: f32,
    pub width: f32,
}

impl Column {
    /// Narrows the column by `start` on the start side and `end` on the other;
    /// deep nesting stops indenting once the column is down to an inch.
    fn inset(self, direction: Direction, start: f32, end: f32) -> Column {
        const NARROWEST: f32 = 72.0;
        if self.width - start - end < NARROWEST {
            return self;
        }
        let (left, right) = match direction {
            Direction::Ltr => (start, end),
            Direction::Rtl => (end, start),
        };
        Column {
            x: self.x + left,
            width: self.width - left - right,
        }
    }
}

impl<'a> Typesetter<'a> {
    pub fn new(
        shaper: &'a Shaper<'a>,
        fonts: &'a FontLibrary,
        size: f32,
        direction: Direction,
        file: Option<std::path::PathBuf>,
    ) -> Self {
        Typesetter {
            shaper,
            fonts,
            size,
            direction,
            justify: Justify::Space,
            warnings: Vec::new(),
            missing: Vec::new(),
            set: None,
            file,
            breaking: BreakSettings {
                linebreak: crate::doc::Linebreak::TotalFit,
                hyphenate: false,
                hyphenator: None,
                justify: false,
            },
            threading: Threading::default(),
            structure: Structure::default(),
            times: LayoutTimes::default(),
        }
    }

    /// The width of `styled` set on one line, however long.
    pub fn natural_width(&mut self, styled: StyledText) -> f32 {
        let unbounded = Column {
            x: 0.0,
            width: UNBOUNDED_WIDTH,
        };
        self.paragraph(styled, None, unbounded, Align::Start)
            .iter()
            .flat_map(|line| &line.items)
            .map(|item| match item {
                Item::Glyphs(run) => run.width(),
                _ => 0.0,
            })
            .sum()
    }

    pub fn style(&self, role: Role, bold: bool, italic: bool, scale: f32) -> TextStyle {
        TextStyle {
            role,
            style: Style { bold, italic },
            size: self.size * scale,
            raise: 0.0,
        }
    }

    /// Shapes and breaks a paragraph into line chunks; `direction` `None`
    /// is the paragraph's own ([`block_direction`]).
    pub fn paragraph(
        &mut self,
        styled: StyledText,
        direction: Option<Direction>,
        column: Column,
        align: Align,
    ) -> Vec<Chunk> {
        self.paragraph_with_objects(styled, &[], direction, column, align)
    }

    /// [`Typesetter::paragraph`], with inline objects: each `(offset,
    /// width)` is an [`OBJECT`] in the text, measured and set as a cluster
    /// `width` wide (its glyph stays in the lines, for the caller to replace).
    fn paragraph_with_objects(
        &mut self,
        styled: StyledText,
        objects: &[(usize, f32)],
        direction: Option<Direction>,
        column: Column,
        align: Align,
    ) -> Vec<Chunk> {
        if styled.is_empty() {
            return Vec::new();
        }
        let direction =
            Some(direction.unwrap_or_else(|| block_direction(self.direction, &styled.text)));
        let shaping = Instant::now();
        let mut shaped = self.shaper.shape(
            styled,
            ParagraphSettings {
                direction,
                threading: self.threading,
            },
        );
        let breaking = Instant::now();
        self.times.shape += breaking - shaping;
        let object_width = |at: usize| objects.iter().find(|(o, _)| *o == at).map(|(_, w)| *w);
        for glyph in shaped.runs.iter_mut().flat_map(|run| &mut run.glyphs) {
            if let Some(width) = object_width(glyph.cluster) {
                glyph.x_advance = width;
                glyph.x_offset = 0.0;
                glyph.y_offset = 0.0;
            }
        }
        shaped
            .missing
            .retain(|missing| object_width(missing.offset).is_none());
        for missing in &shaped.missing {
            let pos = shaped
                .styled
                .spans
                .iter()
                .find(|s| s.range.contains(&missing.offset))
                .map_or(SourcePos::default(), |s| s.pos);
            self.missing.push(MissingAt {
                ch: missing.ch,
                file: self.file.clone(),
                pos,
                offset: missing.offset,
            });
        }
        if let Some(set) = &mut self.set {
            let objects: Vec<usize> = objects.iter().map(|&(at, _)| at).collect();
            set.push(SetText::new(self.file.clone(), &shaped, &objects));
        }
        // Kashida lengthens the Arabic words of justified paragraphs only.
        let with_kashida = align.justifies() && self.justify == Justify::Kashida;
        let shaped = &shaped;
        let find_kashida = |shaper: &Shaper| {
            if !with_kashida {
                return (Vec::new(), Vec::new(), KashidaSums::new(0, &[]));
            }
            let sites = kashida::sites(shaper, shaped);
            let sums = KashidaSums::new(shaped.text().len(), &sites);
            (sites, kashida::alternates(shaper, shaped), sums)
        };
        // Only justified text is hyphenated: headings, titles, centred and
        // ragged text keep their words whole.
        let justify = align.justifies();
        let settings = BreakSettings {
            justify,
            hyphenate: self.breaking.hyphenate && justify,
            ..self.breaking
        };
        // A long paragraph finds its kashida on another thread (with a
        // shaper of its own) while this one measures its glyphs and finds
        // its breakpoints.
        let (fonts, language) = (self.fonts, self.shaper.language_tag());
        let glyphs_and_points = || {
            let glyphs = Measure::glyphs(shaped, self.shaper);
            let points = paragraph_breakpoints(shaped, &glyphs, column.width, settings);
            (glyphs, points)
        };
        let ((glyphs, points), (sites, alternates, sums)) =
            if shaped.text().len() >= self.threading.from_bytes {
                alongside(true, glyphs_and_points, || {
                    find_kashida(&Shaper::new(fonts, language))
                })
            } else {
                (glyphs_and_points(), find_kashida(self.shaper))
            };
        let measure = glyphs.with_kashida(sums);
        let lines = break_at(
            shaped,
            self.shaper,
            &measure,
            column.width,
            settings,
            points,
        );
        // Each line has its measure: the paragraph's sums (a few times its
        // text's size) are not held while lines are committed.
        drop(measure);
        let text: Arc<str> = Arc::from(shaped.text());
        let has_kashida = !sites.is_empty() || !alternates.is_empty();
        let (sites, alternates) = (&sites[..], &alternates[..]);
        let default_size = self.size;
        // Commits lines with `shaper` (words cut by a break are shaped again).
        // Where each line starts in the source, found in one pass.
        let starts: Vec<usize> = lines.iter().map(|line| line.range.start).collect();
        let anchors = shaped.styled.anchors(&starts);
        let commit =
            |shaper: &Shaper, lines: &[BrokenLine], anchors: &[Option<Anchor>]| -> Vec<Chunk> {
                let paragraph = Paragraph {
                    shaped,
                    text: text.clone(),
                    shaper,
                    kashida: has_kashida.then_some(Kashida {
                        shaper,
                        sites,
                        alternates,
                    }),
                };
                lines
                    .iter()
                    .zip(anchors)
                    .map(|(broken, anchor)| {
                        // The line's leading follows the sizes its text is set in,
                        // not the sizes fallback faces are scaled to.
                        let size = shaped
                            .styled
                            .spans
                            .iter()
                            .filter(|s| {
                                s.range.start < broken.range.end && broken.range.start < s.range.end
                            })
                            .map(|s| s.style.size)
                            .fold(0.0, f32::max);
                        let line = build_line(&paragraph, broken, column.width, align);
                        Chunk {
                            anchor: *anchor,
                            ..line_chunk(shaper, line, size, default_size, column)
                        }
                    })
                    .collect()
            };
        let chunks = if lines.len() < self.threading.from_lines {
            commit(self.shaper, &lines, &anchors)
        } else {
            // A paragraph of thousands of lines commits them on every
            // thread, each with a shaper of its own; every line is committed
            // alone, so the result is the same.
            let share = lines.len().div_ceil(rayon::current_num_threads());
            let shares: Vec<Vec<Chunk>> = lines
                .par_chunks(share)
                .zip(anchors.par_chunks(share))
                .map(|(lines, anchors)| commit(&Shaper::new(fonts, language), lines, anchors))
                .collect();
            shares.into_iter().flatten().collect()
        };
        self.times.breaking += breaking.elapsed();
        chunks
    }
}

/// A line's chunk: `LEADING` times its size (`default_size` when it has
/// none), its baseline where the leading puts it, and taller when glyphs
/// reach beyond that (stacked nikkud or harakat, a tall fallback face), so
/// that no glyph ever reaches into the line above or below.
fn line_chunk(shaper: &Shaper, line: Line, size: f32, default_size: f32, column: Column) -> Chunk {
    let size = if size > 0.0 { size } else { default_size };
    let leading = size * LEADING;
    let room_above = (leading - size) / 2.0 + size * ASCENT;
    let room_below = leading - room_above;
    let (mut above, mut below) = (0.0_f32, 0.0_f32);
    for run in &line.runs {
        for glyph in run.glyphs.iter() {
            let (up, down) = shaper.glyph_reach(run.face, glyph.id);
            // `run.y` is the run's baseline shift, downwards.
            above = above.max(up * run.size + glyph.y_offset - run.y);
            below = below.max(down * run.size - glyph.y_offset + run.y);
        }
    }
    let extra_above = (above - room_above).max(0.0);
    let extra_below = (below - room_below).max(0.0);
    let baseline = room_above + extra_above;
    let items = line
        .runs
        .into_iter()
        .map(|mut run| {
            run.x += column.x;
            run.y += baseline;
            Item::Glyphs(run)
        })
        .collect();
    Chunk {
        height: leading + extra_above + extra_below,
        items,
        ..Chunk::default()
    }
}

/// Lays out one chapter.
pub struct ChapterFlow<'a, 'b> {
    pub ts: &'b mut Typesetter<'a>,
    pub document: &'a Document,
    pub chapter: &'a Chapter,
    pub column: Column,
    /// No picture is set taller than this (the text area's height).
    pub max_picture_height: f32,
    pub items: Vec<FlowItem>,
    /// Paragraphs set so far: the next one's number.
    paragraphs: u32,
    /// Whether each footnote (number − 1) has gone with a line calling it.
    called: Vec<bool>,
    /// The structure element being set: text set now is its content, and
    /// blocks set now are inside it.
    node: Option<NodeId>,
}

/// A paragraph's styled text, with where its footnote references and
/// inline pictures are.
#[derive(Debug, Default)]
pub struct NotedText {
    pub styled: StyledText,
    /// Byte offset in the text of each footnote reference, with its number.
    pub refs: Vec<(usize, u32)>,
    /// Byte ranges of the text struck through or underlined.
    pub marks: Vec<(Range<usize>, Mark)>,
    /// Byte ranges of the text inside links, with their targets.
    pub links: Vec<(Range<usize>, LinkTarget)>,
    /// The pictures set in the text, in text order.
    pub pictures: Vec<InlinePicture>,
    /// The byte range of a footnote's number at its start: a label element.
    pub label: Option<Range<usize>>,
}

/// A picture inside a paragraph, where an [`OBJECT`] stands in its text.
#[derive(Debug, Clone)]
pub struct InlinePicture {
    /// Byte offset of its [`OBJECT`].
    pub at: usize,
    /// Key into [`Document::images`].
    pub key: String,
    pub alt: String,
    pub pos: SourcePos,
    /// The link it is inside, if any.
    pub link: Option<LinkTarget>,
}

impl From<StyledText> for NotedText {
    fn from(styled: StyledText) -> Self {
        NotedText {
            styled,
            ..NotedText::default()
        }
    }
}

/// The size in points of `picture` at its natural size: `dpi` pixels an inch.
fn natural_size(picture: &Picture, dpi: f32) -> (f32, f32) {
    let scale = POINTS_PER_INCH / dpi;
    (
        picture.width.max(1) as f32 * scale,
        picture.height.max(1) as f32 * scale,
    )
}

/// The error for a picture laid out but missing from
/// [`Document::images`], which parsing fills with every picture it accepts.
pub fn unloaded_picture(key: &str) -> Diagnostic {
    Diagnostic::error(
        Code::Internal,
        format!("picture `{key}` is used but was not loaded with the book, so it cannot be drawn"),
    )
}

/// A warning when `picture` (called `what` in it), set `width` points wide,
/// prints with fewer than [`MIN_PRINT_PPI`] pixels an inch, or
/// [`PRESS_PPI`] in a book for the press (`press`).
pub fn resolution_warning(
    what: &str,
    key: &str,
    picture: &Picture,
    width: f32,
    remedy: &str,
    press: bool,
) -> Option<Diagnostic> {
    let ppi = picture.width as f32 / (width / POINTS_PER_INCH);
    let (min_ppi, needs) = if press {
        (PRESS_PPI, "a press needs")
    } else {
        (MIN_PRINT_PPI, "print needs")
    };
    // 149.6 ppi shows as 149, not "150 ppi, below the 150 ppi…".
    let shown = if ppi.round() >= min_ppi {
        ppi.floor()
    } else {
        ppi.round()
    };
    (ppi < min_ppi).then(|| {
        Diagnostic::warning(Code::PictureQuality, format!(
            "{what} `{key}` ({} × {} pixels) prints at {shown:.0} ppi, below the {min_ppi:.0} ppi {needs}; {remedy}",
            picture.width, picture.height
        ))
    })
}

impl<'a, 'b> ChapterFlow<'a, 'b> {
    pub fn new(
        ts: &'b mut Typesetter<'a>,
        document: &'a Document,
        chapter: &'a Chapter,
        column: Column,
        max_picture_height: f32,
    ) -> Self {
        ChapterFlow {
            ts,
            document,
            chapter,
            column,
            max_picture_height,
            items: Vec::new(),
            paragraphs: 0,
            called: vec![false; chapter.footnotes.len()],
            node: None,
        }
    }

    /// The chapter's flow; it starts a page of its own (see
    /// [`super::paginate::Paginator::place`]).
    pub fn run(mut self) -> Vec<FlowItem> {
        let chapter = self.chapter;
        // The chapter's bookmark, whatever it starts with; its title heading
        // gets none of its own.
        self.items.push(FlowItem::Mark {
            title: chapter.title_text(),
            level: 1,
            name: destination_name(chapter, None),
        });
        // Chapter openings start some way down the page ("sink").
        self.items.push(FlowItem::Gap(self.ts.size * 4.0));
        if !chapter.footnotes.is_empty() {
            self.items.push(FlowItem::FootRule(self.foot_rule()));
        }
        self.blocks(&chapter.blocks, self.column, &[]);
        // The parser keeps only notes the text calls, so every note has gone
        // with its first call; should one not have, it still prints, at the
        // foot of the chapter's last page.
        let uncalled: Vec<Vec<Chunk>> = (1..=chapter.footnotes.len() as u32)
            .flat_map(|number| self.call_note(number))
            .collect();
        if !uncalled.is_empty() {
            self.items.push(FlowItem::Chunk(Chunk {
                notes: uncalled,
                ..Chunk::default()
            }));
        }
        // Held until the whole book is paginated: without the room grown
        // for more.
        self.items.shrink_to_fit();
        self.items
    }

    /// Sets a paragraph as lines of running text: each numbered in the
    /// paragraph, the first two and the last two kept together, each
    /// carrying the notes it calls first.
    pub(super) fn lines(
        &mut self,
        text: NotedText,
        direction: Option<Direction>,
        column: Column,
        align: Align,
    ) -> Vec<Chunk> {
        let NotedText {
            styled,
            refs,
            marks,
            links,
            pictures,
            label,
        } = text;
        let languages = styled.languages.clone();
        let hard_breaks: Vec<usize> = styled
            .text
            .match_indices(HARD_BREAK)
            .map(|(at, _)| at)
            .collect();
        let sized = self.size_inline_pictures(&styled, pictures, column);
        let objects: Vec<(usize, f32)> = sized.iter().map(|(p, rect)| (p.at, rect.width)).collect();
        let mut chunks = self
            .ts
            .paragraph_with_objects(styled, &objects, direction, column, align);
        // A linked picture is a link of its own (over the picture): the text
        // links cover the rest of their text.
        let pictures: Vec<usize> = objects.iter().map(|(at, _)| *at).collect();
        // Each link is an element of its own, holding its text, its areas
        // and the pictures in it.
        let mut linked = Vec::with_capacity(links.len());
        for (range, target) in &links {
            if let Some(to) = self.link_to(target) {
                let node = self.ts.structure.add(ElementKind::Link, self.node);
                linked.push((range.clone(), to, node));
            }
        }
        let figures: Vec<Option<NodeId>> = sized
            .iter()
            .map(|(picture, _)| {
                let parent = linked
                    .iter()
                    .find(|(range, _, _)| range.contains(&picture.at))
                    .map_or(self.node, |&(_, _, node)| Some(node));
                self.figure(&picture.alt, parent)
            })
            .collect();
        let links: Vec<(Range<usize>, LinkTo, NodeId)> = linked
            .into_iter()
            .flat_map(|(range, to, node)| {
                without_objects(range, &pictures)
                    .into_iter()
                    .map(move |piece| (piece, to.clone(), node))
            })
            .collect();
        if !marks.is_empty() || !links.is_empty() {
            for chunk in &mut chunks {
                let rules = marks::rules(&chunk.items, &marks);
                let areas: Vec<Item> = links
                    .iter()
                    .flat_map(|(piece, to, node)| {
                        let mut areas =
                            marks::link_areas(&chunk.items, &[(piece.clone(), to.clone())]);
                        for area in &mut areas {
                            if let Item::Link { node: of, .. } = area {
                                *of = Some(*node);
                            }
                        }
                        areas
                    })
                    .collect();
                chunk.items.extend(rules.into_iter().chain(areas));
            }
        }
        let count = chunks.len();
        // Lines follow the text's order: line i holds the text from where it
        // starts to where line i + 1 starts (the first from the beginning).
        let mut starts = vec![0; count];
        for i in 1..count {
            starts[i] = starts[i - 1].max(text_start(&chunks[i]));
        }
        let paragraph = self.paragraphs;
        self.paragraphs += 1;
        // Both lists are in text order, as the lines are: one pass each.
        let (mut next_ref, mut next_break) = (0, 0);
        for (i, chunk) in chunks.iter_mut().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(usize::MAX);
            while let Some(&(_, number)) = refs.get(next_ref).filter(|(at, _)| *at < end) {
                let notes = self.call_note(number);
                chunk.notes.extend(notes);
                next_ref += 1;
            }
            let mut hard_break = false;
            while hard_breaks.get(next_break).is_some_and(|&at| at < end) {
                hard_break = true;
                next_break += 1;
            }
            chunk.lines.push(LineInfo {
                top: 0.0,
                bottom: chunk.height,
                paragraph,
                index: i as u32,
                count: count as u32,
                justified: align == Align::Full
                    || (align == Align::Justify && i + 1 < count && !hard_break),
            });
        }
        if count >= 2 {
            chunks[0].keep_with_next = true;
            chunks[count - 2].keep_with_next = true;
        }
        if !sized.is_empty() {
            for chunk in &mut chunks {
                self.place_inline_pictures(chunk, &sized, &figures);
            }
        }
        // Text in another language is a span of its own; the innermost
        // stretch comes first, and links come before spans.
        let mut inline: Vec<(Range<usize>, NodeId)> = label
            .map(|range| {
                let node = self.ts.structure.add(ElementKind::ListLabel, self.node);
                (range, node)
            })
            .into_iter()
            .chain(links.into_iter().map(|(piece, _, node)| (piece, node)))
            .collect();
        let top = self.node.map(|node| node.index);
        for (stretch, language) in languages {
            let node = self
                .ts
                .structure
                .add(ElementKind::Span(language), self.node);
            // A link inside the stretch is read inside the span, in its
            // language (in the innermost span: it comes first).
            for (range, link) in &inline {
                let free = self
                    .ts
                    .structure
                    .element(*link)
                    .is_some_and(|e| e.kind == ElementKind::Link && e.parent == top);
                if free && stretch.start <= range.start && range.end <= stretch.end {
                    self.ts.structure.nest(*link, node);
                }
            }
            inline.push((stretch, node));
        }
        if let Some(node) = self.node {
            for chunk in &mut chunks {
                tag_runs(chunk, node, &inline);
            }
        }
        chunks
    }

    /// Runs `set` with a new element of `kind` inside the current one as the
    /// current one.
    pub(super) fn within<R>(&mut self, kind: ElementKind, set: impl FnOnce(&mut Self) -> R) -> R {
        let node = self.ts.structure.add(kind, self.node);
        self.inside(node, set)
    }

    /// Runs `set` with `node` as the current element.
    fn inside<R>(&mut self, node: NodeId, set: impl FnOnce(&mut Self) -> R) -> R {
        let outer = self.node.replace(node);
        let result = set(self);
        self.node = outer;
        result
    }

    /// Each inline picture with its size (a rect at the origin): as tall as
    /// the text around it (its em), or its natural size if smaller, never
    /// wider than the column. Warns of pictures that print coarse.
    fn size_inline_pictures(
        &mut self,
        styled: &StyledText,
        pictures: Vec<InlinePicture>,
        column: Column,
    ) -> Vec<(InlinePicture, Rect)> {
        let dpi = self.document.page.picture_dpi;
        let mut sized = Vec::with_capacity(pictures.len());
        for inline in pictures {
            let Some(picture) = self.document.images.get(&inline.key) else {
                self.report_unloaded(&inline.key, inline.pos);
                continue;
            };
            let text_size = styled
                .spans
                .iter()
                .find(|span| span.range.contains(&inline.at))
                .map_or(self.ts.size, |span| span.style.size);
            let (natural_width, natural_height) = natural_size(picture, dpi);
            let scale = (text_size / natural_height)
                .min(column.width / natural_width)
                .min(1.0);
            let rect = Rect {
                width: natural_width * scale,
                height: natural_height * scale,
                ..Rect::default()
            };
            self.warn_resolution(&inline.key, picture, rect.width, inline.pos);
            sized.push((inline, rect));
        }
        sized
    }

    /// Replaces the glyph standing for each inline picture on a line with
    /// the picture, cutting its run around it. A picture as tall as the
    /// text fills the em box, descent included; a smaller one stands on
    /// the baseline.
    /// `figures`: each picture's figure element.
    fn place_inline_pictures(
        &self,
        chunk: &mut Chunk,
        sized: &[(InlinePicture, Rect)],
        figures: &[Option<NodeId>],
    ) {
        for item in std::mem::take(&mut chunk.items) {
            let Item::Glyphs(run) = item else {
                chunk.items.push(item);
                continue;
            };
            let picture_at = |glyph: &super::page::PlacedGlyph| {
                sized.iter().zip(figures).find(|((p, _), _)| {
                    p.at == glyph.start() && run.text[glyph.start()..].starts_with(OBJECT)
                })
            };
            if !run.glyphs.iter().any(|g| picture_at(g).is_some()) {
                chunk.items.push(Item::Glyphs(run));
                continue;
            }
            let piece_of = |glyphs: Vec<_>, x: f32| {
                Item::Glyphs(GlyphRun {
                    x,
                    glyphs: Arc::from(glyphs),
                    ..run.clone()
                })
            };
            let (mut x, mut piece_x, mut piece) = (run.x, run.x, Vec::new());
            for glyph in run.glyphs.iter() {
                if let Some(((inline, size), figure)) = picture_at(glyph) {
                    if !piece.is_empty() {
                        chunk
                            .items
                            .push(piece_of(std::mem::take(&mut piece), piece_x));
                    }
                    let bottom = run.y + (size.height - ASCENT * run.size).max(0.0);
                    chunk.items.push(Item::Picture {
                        key: inline.key.clone(),
                        rect: Rect {
                            x,
                            y: bottom - size.height,
                            ..*size
                        },
                        crop: None,
                        link: inline.link.as_ref().and_then(|l| self.link_to(l)),
                        node: *figure,
                    });
                    x += glyph.x_advance;
                    piece_x = x;
                } else {
                    piece.push(*glyph);
                    x += glyph.x_advance;
                }
            }
            if !piece.is_empty() {
                chunk.items.push(piece_of(piece, piece_x));
            }
        }
    }

    /// Where a link leads in the PDF: the address, or the named destination
    /// of the chapter (or heading) it names.
    fn link_to(&self, target: &LinkTarget) -> Option<LinkTo> {
        match target {
            LinkTarget::External(url) => Some(LinkTo::Uri(url.clone())),
            LinkTarget::Chapter { index, anchor } => {
                let chapter = self.document.chapters.get(*index)?;
                Some(LinkTo::Named(destination_name(chapter, anchor.as_deref())))
            }
        }
    }

    /// Warns, at the place in the chapter that uses it, of a picture that
    /// prints coarse at `width` points.
    /// A picture the text uses that is not among the document's pictures
    /// cannot be drawn: an error, not a blank where it belongs.
    fn report_unloaded(&mut self, key: &str, pos: SourcePos) {
        let error = unloaded_picture(key);
        self.ts.warnings.push(match &self.ts.file {
            Some(file) => error.in_file(file).at(pos),
            None => error,
        });
    }

    fn warn_resolution(&mut self, key: &str, picture: &Picture, width: f32, pos: SourcePos) {
        let remedy =
            "use a picture with more pixels, or raise `[pdf] picture_dpi` to print it smaller";
        if let Some(warning) = resolution_warning(
            "picture",
            key,
            picture,
            width,
            remedy,
            self.document.page.press(),
        ) {
            self.ts.warnings.push(match &self.ts.file {
                Some(file) => warning.in_file(file).at(pos),
                None => warning,
            });
        }
    }

    /// The lines of note `number`, and of the notes it calls, if no line
    /// has called it before.
    fn call_note(&mut self, number: u32) -> Vec<Vec<Chunk>> {
        let chapter = self.chapter;
        let Some(index) = (number as usize).checked_sub(1) else {
            return Vec::new();
        };
        let (Some(note), Some(false)) = (chapter.footnotes.get(index), self.called.get(index))
        else {
            return Vec::new();
        };
        self.called[index] = true;
        // The note is set as a flow of its own, then taken apart.
        let chapter_items = std::mem::take(&mut self.items);
        let style = self.ts.style(Role::Text, false, false, NOTE_SCALE);
        let column = self.column;
        // The note's number starts its first paragraph, or stands on a
        // line of its own before a note that opens with something else.
        let numerals = self.document.layout.numerals;
        let mut mark = Some(format!("{}. ", numerals.format(u64::from(note.number))));
        // The note is an element inside the one that calls it: its number
        // a label, then its text, or its paragraphs if it has more than one.
        let paragraphs = note.blocks.len() > 1;
        self.within(ElementKind::Note, |flow| {
            for block in &note.blocks {
                let inlines = match &block.kind {
                    BlockKind::Paragraph(inlines) => inlines.as_slice(),
                    _ => &[],
                };
                if inlines.is_empty() && mark.is_none() {
                    flow.block(block, column, &[]);
                    continue;
                }
                let mut noted = NotedText::default();
                if let Some(mark) = mark.take() {
                    noted.styled.push(&mark, style, note.pos);
                    noted.label = Some(0..mark.trim_end().len());
                }
                push_inlines(&mut noted, inlines, style, numerals, None);
                let chunks = if paragraphs {
                    flow.within(ElementKind::Paragraph, |flow| {
                        flow.lines(noted, None, column, Align::Justify)
                    })
                } else {
                    flow.lines(noted, None, column, Align::Justify)
                };
                flow.push_chunks(chunks, &[]);
                if inlines.is_empty() {
                    flow.block(block, column, &[]);
                }
            }
        });
        let set = std::mem::replace(&mut self.items, chapter_items);
        let mut lines = Vec::new();
        let mut called = Vec::new();
        for item in set {
            if let FlowItem::Chunk(mut chunk) = item {
                called.append(&mut chunk.notes);
                lines.push(chunk);
            }
        }
        let mut notes = vec![lines];
        notes.extend(called);
        notes
    }

    /// A short rule on the start side, with space above it.
    fn foot_rule(&self) -> Chunk {
        let size = self.ts.size;
        let column = self.column;
        let width = column.width / 4.0;
        let x = match self.ts.direction {
            Direction::Ltr => column.x,
            Direction::Rtl => column.x + column.width - width,
        };
        Chunk {
            height: size,
            items: vec![Item::Fill {
                rect: Rect {
                    x,
                    y: size * 0.5,
                    width,
                    height: 0.5,
                },
                grey: 0.3,
                opacity: 1.0,
                node: None,
            }],
            ..Chunk::default()
        }
    }

    pub(super) fn push_chunks(&mut self, chunks: Vec<Chunk>, bars: &[f32]) {
        for mut chunk in chunks {
            for &x in bars {
                chunk.items.push(Item::Fill {
                    rect: Rect {
                        x,
                        y: 0.0,
                        width: 1.2,
                        height: chunk.height,
                    },
                    grey: 0.55,
                    opacity: 1.0,
                    node: None,
                });
            }
            self.items.push(FlowItem::Chunk(chunk));
        }
    }

    fn blocks(&mut self, blocks: &[Block], column: Column, bars: &[f32]) {
        for block in blocks {
            self.block(block, column, bars);
        }
    }

    fn block(&mut self, block: &Block, column: Column, bars: &[f32]) {
        let size = self.ts.size;
        match &block.kind {
            BlockKind::Heading {
                level, content, id, ..
            } => {
                let (scale, before) = HEADINGS[usize::from(level.clamp(&1, &6) - 1)];
                if before > 0.0 {
                    self.items.push(FlowItem::Gap(size * before));
                }
                let is_title = std::ptr::eq(block, self.chapter.blocks.first().unwrap_or(block))
                    && content == &self.chapter.title;
                if !is_title {
                    self.items.push(FlowItem::Mark {
                        title: crate::doc::plain_text(content),
                        level: *level,
                        name: destination_name(self.chapter, Some(id)),
                    });
                }
                // The lowest level stands apart by its slant only.
                let style = self.ts.style(Role::Text, true, *level >= 6, scale);
                let noted = styled_inlines(content, style, self.document.layout.numerals);
                let heading = ElementKind::Heading(*level, crate::doc::plain_text(content));
                let mut chunks = self.within(heading, |flow| {
                    flow.lines(noted, None, column, Align::Start)
                });
                for chunk in &mut chunks {
                    chunk.keep_with_next = true;
                }
                self.push_chunks(chunks, bars);
                self.items.push(FlowItem::Gap(size * 0.5));
            }
            BlockKind::Paragraph(inlines) => {
                if let Some(pictures) = block_pictures(inlines) {
                    for picture in pictures {
                        self.picture(&picture, column);
                    }
                } else {
                    let style = self.ts.style(Role::Text, false, false, 1.0);
                    let noted = styled_inlines(inlines, style, self.document.layout.numerals);
                    let chunks = self.within(ElementKind::Paragraph, |flow| {
                        flow.lines(noted, None, column, Align::Justify)
                    });
                    self.push_chunks(chunks, bars);
                }
                self.items.push(FlowItem::Gap(size * 0.5));
            }
            BlockKind::List { start, items } => {
                let ordered = start.is_some();
                self.within(ElementKind::List { ordered }, |flow| {
                    flow.list(*start, items, column, bars, block.pos)
                });
            }
            BlockKind::Quote(blocks) => {
                let direction = block_direction(self.ts.direction, &blocks_bidi_text(blocks));
                let inner = column.inset(direction, size * 1.5, size * 1.0);
                let bar_x = match direction {
                    Direction::Rtl => inner.x + inner.width + size * 0.6,
                    Direction::Ltr => inner.x - size * 0.6,
                };
                let mut bars = bars.to_vec();
                bars.push(bar_x);
                self.within(ElementKind::BlockQuote, |flow| {
                    flow.blocks(blocks, inner, &bars)
                });
            }
            BlockKind::Callout { kind, blocks } => self.within(ElementKind::Division, |flow| {
                flow.callout(*kind, blocks, column, bars, block.pos)
            }),
            BlockKind::Definitions(definitions) => {
                let inner = column.inset(self.ts.direction, size * 2.0, 0.0);
                self.within(ElementKind::List { ordered: false }, |flow| {
                    for definition in definitions {
                        flow.within(ElementKind::ListItem, |flow| {
                            let style = flow.ts.style(Role::Text, true, false, 1.0);
                            let noted = styled_inlines(
                                &definition.term,
                                style,
                                flow.document.layout.numerals,
                            );
                            let mut chunks = flow.within(ElementKind::ListLabel, |flow| {
                                flow.lines(noted, None, column, Align::Start)
                            });
                            for chunk in &mut chunks {
                                chunk.keep_with_next = true;
                            }
                            flow.push_chunks(chunks, bars);
                            flow.within(ElementKind::ListBody, |flow| {
                                for detail in &definition.details {
                                    flow.blocks(detail, inner, bars);
                                }
                            });
                        });
                    }
                });
            }
            BlockKind::Code { text, .. } => {
                let style = self.ts.style(Role::Mono, false, false, 0.8);
                let inner = column.inset(Direction::Ltr, size * 0.5, size * 0.5);
                // The block's words before the line (the EPUB writes the
                // block as one text).
                let mut words = 0;
                for source_line in text.trim_end_matches('\n').split('\n') {
                    let mut styled = StyledText::default();
                    let from = Anchor {
                        pos: block.pos,
                        word: words,
                    };
                    styled.push_from(&expand_tabs(source_line), style, from);
                    words += word_at(source_line, source_line.len());
                    // Left to right whatever the book's direction, never
                    // justified (its indentation is kept).
                    let mut chunks = self.within(ElementKind::Code, |flow| {
                        flow.lines(styled.into(), Some(Direction::Ltr), inner, Align::Start)
                    });
                    if chunks.is_empty() {
                        // A blank line of code still takes a line.
                        chunks.push(Chunk {
                            height: style.size * LEADING,
                            ..Chunk::default()
                        });
                    }
                    for chunk in &mut chunks {
                        chunk.items.insert(
                            0,
                            Item::Fill {
                                rect: Rect {
                                    x: column.x,
                                    y: 0.0,
                                    width: column.width,
                                    height: chunk.height,
                                },
                                grey: 0.93,
                                opacity: 1.0,
                                node: None,
                            },
                        );
                    }
                    self.push_chunks(chunks, bars);
                }
                self.items.push(FlowItem::Gap(size * 0.5));
            }
            BlockKind::Table { align, head, rows } => {
                self.within(ElementKind::Table, |flow| {
                    flow.table(align, head, rows, column)
                });
                self.items.push(FlowItem::Gap(size * 0.5));
            }
            BlockKind::Verse(stanzas) => {
                self.within(ElementKind::Division, |flow| {
                    flow.verse(stanzas, column, bars)
                });
                self.items.push(FlowItem::Gap(size * 0.5));
            }
            BlockKind::Rule => {
                let width = column.width / 3.0;
                self.items.push(FlowItem::Chunk(Chunk {
                    height: size * 1.5,
                    items: vec![Item::Fill {
                        rect: Rect {
                            x: column.x + (column.width - width) / 2.0,
                            y: size * 0.75,
                            width,
                            height: 0.6,
                        },
                        grey: 0.3,
                        opacity: 1.0,
                        node: None,
                    }],
                    ..Chunk::default()
                }));
            }
            // Raw HTML's markup is for the EPUB; print keeps its words.
            BlockKind::Html(xhtml) => {
                let mut styled = StyledText::default();
                let words = html_text(xhtml)
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                styled.push(
                    &words,
                    self.ts.style(Role::Text, false, false, 1.0),
                    block.pos,
                );
                let chunks = self.within(ElementKind::Paragraph, |flow| {
                    flow.lines(styled.into(), None, column, Align::Justify)
                });
                if !chunks.is_empty() {
                    self.push_chunks(chunks, bars);
                    self.items.push(FlowItem::Gap(size * 0.5));
                }
            }
        }
    }

    /// A list's items, each its marker and its blocks.
    fn list(
        &mut self,
        start: Option<u64>,
        items: &[Vec<Block>],
        column: Column,
        bars: &[f32],
        pos: SourcePos,
    ) {
        let size = self.ts.size;
        let numerals = self.document.layout.numerals;
        let markers: Vec<Marker> = items
            .iter()
            .enumerate()
            .map(|(i, item)| match (task(item), start) {
                (Some(done), _) => Marker::Task { done },
                (None, Some(n)) => {
                    Marker::Text(format!("{}.", numerals.format(n.saturating_add(i as u64))))
                }
                (None, None) => Marker::Text("•".to_string()),
            })
            .collect();
        // The marker slot fits the widest marker (`123456789.` too),
        // and the items indent past it.
        let widest = markers
            .iter()
            .map(|marker| match marker {
                Marker::Text(text) => self.marker_width(text, pos),
                Marker::Task { .. } => size * CHECK_BOX,
            })
            .fold(0.0, f32::max);
        let gap = size * MARKER_GAP_EM;
        let slot = (size * LIST_INDENT_EM - gap).max(widest.ceil());
        let indent = slot + gap;
        for (item, marker) in items.iter().zip(&markers) {
            // The item's direction puts its marker and its indent
            // on its own start side.
            let direction = block_direction(self.ts.direction, &blocks_bidi_text(item));
            let inner = column.inset(direction, indent, 0.0);
            self.within(ElementKind::ListItem, |flow| {
                // A check box says in words what it shows.
                let kind = match marker {
                    Marker::Task { done } => {
                        let strings = strings_for(&flow.document.metadata.language);
                        ElementKind::TaskLabel(strings.task(*done).to_string())
                    }
                    Marker::Text(_) => ElementKind::ListLabel,
                };
                let label = flow.ts.structure.add(kind, flow.node);
                let first = flow.items.len();
                flow.within(ElementKind::ListBody, |flow| flow.blocks(item, inner, bars));
                // The marker is the label's text.
                flow.inside(label, |flow| {
                    flow.place_marker(marker, direction, column, slot, first, pos)
                });
            });
        }
    }

    /// A callout: its label, then its blocks, beside a bar.
    fn callout(
        &mut self,
        kind: crate::doc::CalloutKind,
        blocks: &[Block],
        column: Column,
        bars: &[f32],
        pos: SourcePos,
    ) {
        let size = self.ts.size;
        let inner = column.inset(self.ts.direction, size * 1.5, size * 1.0);
        let bar_x = match self.ts.direction {
            Direction::Rtl => inner.x + inner.width + size * 0.6,
            Direction::Ltr => inner.x - size * 0.6,
        };
        let mut bars = bars.to_vec();
        bars.push(bar_x);
        let label = strings_for(&self.document.metadata.language).callout(kind);
        let style = self.ts.style(Role::Text, true, false, 1.0);
        let mut styled = StyledText::default();
        styled.push(label, style, pos);
        let direction = Some(self.ts.direction);
        let mut chunks = self.within(ElementKind::Paragraph, |flow| {
            flow.lines(styled.into(), direction, inner, Align::Start)
        });
        for chunk in &mut chunks {
            chunk.keep_with_next = true;
        }
        self.push_chunks(chunks, &bars);
        self.blocks(blocks, inner, &bars);
    }

    /// The width a list marker takes, set on one line.
    fn marker_width(&mut self, marker: &str, pos: SourcePos) -> f32 {
        let mut styled = StyledText::default();
        styled.push(marker, self.ts.style(Role::Text, false, false, 1.0), pos);
        self.ts.natural_width(styled)
    }

    /// Puts a list marker on the start side (in the item's `direction`) of
    /// the first line laid out since flow item `first`, in a slot
    /// `slot_width` wide, as the current element's text.
    fn place_marker(
        &mut self,
        marker: &Marker,
        direction: Direction,
        column: Column,
        slot_width: f32,
        first: usize,
        pos: SourcePos,
    ) {
        let has_text = |item: &FlowItem| matches!(item, FlowItem::Chunk(c) if c.items.iter().any(|i| matches!(i, Item::Glyphs(_))));
        let Some(at) = self.items[first..]
            .iter()
            .position(has_text)
            .map(|i| first + i)
        else {
            return;
        };
        let slot = match direction {
            Direction::Ltr => Column {
                x: column.x,
                width: slot_width,
            },
            Direction::Rtl => Column {
                x: column.x + column.width - slot_width,
                width: slot_width,
            },
        };
        let marker_items = match marker {
            Marker::Text(text) => {
                let mut styled = StyledText::default();
                styled.push(text, self.ts.style(Role::Text, false, false, 1.0), pos);
                let chunks = self
                    .ts
                    .paragraph(styled, Some(direction), slot, Align::Start);
                chunks.into_iter().take(1).flat_map(|c| c.items).collect()
            }
            Marker::Task { done } => check_box(*done, slot, direction, self.ts.size, self.node),
        };
        let FlowItem::Chunk(chunk) = &mut self.items[at] else {
            return;
        };
        let Some(baseline) = chunk.items.iter().find_map(|i| match i {
            Item::Glyphs(run) => Some(run.y),
            _ => None,
        }) else {
            return;
        };
        for item in marker_items {
            match item {
                Item::Glyphs(mut run) => {
                    run.y = baseline;
                    run.node = self.node;
                    chunk.items.push(Item::Glyphs(run));
                }
                // The box is drawn with its bottom at y = 0.
                other => chunk.items.push(shift(&other, 0.0, baseline)),
            }
        }
    }

    /// A picture at its natural size, or smaller to fit the column and a
    /// page with its caption (the alt text, small and centred below it,
    /// kept with it).
    fn picture(&mut self, block: &BlockPicture, column: Column) {
        let BlockPicture { key, alt, pos, .. } = *block;
        let Some(picture) = self.document.images.get(key) else {
            self.report_unloaded(key, pos);
            return;
        };
        // A linked picture is the content of its link element.
        let parent = match block.link {
            Some(_) => Some(self.ts.structure.add(ElementKind::Link, self.node)),
            None => self.node,
        };
        if block.full_bleed {
            // Its page's sheet (the bleed differs from recto to verso) is
            // known after pagination; the alt text is its description.
            let figure = self.figure(alt, parent);
            self.items.push(FlowItem::Plate(Plate {
                key: key.to_string(),
                link: block.link.and_then(|l| self.link_to(l)),
                pos,
                figure,
                link_node: parent.filter(|_| block.link.is_some()),
            }));
            return;
        }
        let size = self.ts.size;
        let mut caption = Vec::new();
        if !alt.trim().is_empty() {
            let mut styled = StyledText::default();
            let style = self.ts.style(Role::Text, false, false, CAPTION_SCALE);
            styled.push(alt, style, pos);
            caption = self.ts.paragraph(styled, None, column, Align::Center);
        }
        let gap = if caption.is_empty() { 0.0 } else { size * 0.4 };
        let caption_height: f32 = caption.iter().map(|c| c.height).sum();
        // A caption too long to share the page with the picture leaves the
        // picture a page of its own, and the caption follows.
        let max_height = if caption_height <= self.max_picture_height / 2.0 {
            self.max_picture_height - gap - caption_height
        } else {
            self.max_picture_height - gap
        };
        let (natural_width, natural_height) = natural_size(picture, self.document.page.picture_dpi);
        let scale = (column.width / natural_width)
            .min(max_height / natural_height)
            .min(1.0);
        let (width, height) = (natural_width * scale, natural_height * scale);
        self.warn_resolution(key, picture, width, pos);
        let node = self.figure(alt, parent);
        if let Some(figure) = node {
            let caption_node = self.ts.structure.add(ElementKind::Caption, Some(figure));
            for line in &mut caption {
                tag_runs(line, caption_node, &[]);
            }
        }
        self.items.push(FlowItem::Chunk(Chunk {
            height: height + gap,
            keep_with_next: !caption.is_empty(),
            items: vec![Item::Picture {
                key: key.to_string(),
                rect: Rect {
                    x: column.x + (column.width - width) / 2.0,
                    y: 0.0,
                    width,
                    height,
                },
                crop: None,
                link: block.link.and_then(|l| self.link_to(l)),
                node,
            }],
            ..Chunk::default()
        }));
        let count = caption.len();
        for (i, mut line) in caption.into_iter().enumerate() {
            line.keep_with_next = i + 1 < count;
            self.items.push(FlowItem::Chunk(line));
        }
    }

    /// The figure element of picture `key` inside `parent`; none for a
    /// picture without alt text, which is decoration then, as an empty
    /// `alt` makes it in HTML (the parser warns about it).
    fn figure(&mut self, alt: &str, parent: Option<NodeId>) -> Option<NodeId> {
        if alt.trim().is_empty() {
            return None;
        }
        Some(
            self.ts
                .structure
                .add(ElementKind::Figure(alt.trim().to_string()), parent),
        )
    }
}

/// Code with its tabs turned into spaces up to the next multiple of 4
/// columns: fonts have no glyph for a tab.
fn expand_tabs(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for ch in line.chars() {
        if ch == '\t' {
            let column = out.chars().count();
            out.extend(std::iter::repeat_n(' ', 4 - column % 4));
        } else {
            out.push(ch);
        }
    }
    out
}

/// The text of a sanitized XHTML fragment: tags dropped (as a space where
/// they separate words), entities decoded.
fn html_text(xhtml: &str) -> String {
    let mut text = String::new();
    let mut rest = xhtml;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let name: String = rest[open + 1..]
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        if crate::parse::separates_words(&name) {
            text.push(' ');
        }
        rest = rest[open..]
            .find('>')
            .map_or("", |close| &rest[open + close + 1..]);
    }
    text.push_str(rest);
    match quick_xml::escape::unescape(&text) {
        Ok(unescaped) => unescaped.into_owned(),
        Err(_) => text,
    }
}

/// The name of the PDF destination of a chapter (its file's path without
/// `.md`) or of a heading in it (`path#id`, as a link to it in the EPUB
/// reads), unique in the book.
fn destination_name(chapter: &Chapter, heading: Option<&str>) -> String {
    let path = chapter.source.with_extension("");
    let path = path.to_string_lossy().replace('\\', "/");
    match heading {
        Some(id) => format!("{path}#{id}"),
        None => path,
    }
}

/// `range` of a paragraph's text in pieces around the [`OBJECT`]s at
/// `objects` (byte offsets, rising).
fn without_objects(range: Range<usize>, objects: &[usize]) -> Vec<Range<usize>> {
    let mut pieces = Vec::new();
    let mut start = range.start;
    for &at in objects.iter().filter(|at| range.contains(at)) {
        pieces.push(start..at);
        start = at + OBJECT.len_utf8();
    }
    pieces.push(start..range.end);
    pieces.retain(|piece| !piece.is_empty());
    pieces
}

/// `inlines` as styled text; note marks in `numerals`.
pub fn styled_inlines(inlines: &[Inline], style: TextStyle, numerals: Numerals) -> NotedText {
    let mut noted = NotedText::default();
    push_inlines(&mut noted, inlines, style, numerals, None);
    noted
}

/// Gives the glyph runs of `line` that are no element's content yet their
/// element: the inline one of `inline` (byte ranges of the paragraph's text
/// with their links and spans; the first holding a glyph's text wins), or
/// else `node`. A run is cut where its element changes; a kashida stays
/// with the glyph before it, so no word is cut for one.
fn tag_runs(line: &mut Chunk, node: NodeId, inline: &[(Range<usize>, NodeId)]) {
    // The items put back in a list of their size: grown one by one, a line
    // of one run held room for four (6% of a long book's peak heap).
    let items = std::mem::take(&mut line.items);
    line.items.reserve_exact(items.len());
    for item in items {
        let run = match item {
            Item::Glyphs(run) if run.node.is_none() => run,
            other => {
                line.items.push(other);
                continue;
            }
        };
        if inline.is_empty() || is_added_hyphen(&run) {
            line.items.push(Item::Glyphs(GlyphRun {
                node: Some(node),
                ..run
            }));
            continue;
        }
        let element_of = |glyph: &super::page::PlacedGlyph| {
            inline
                .iter()
                .find(|(range, _)| range.contains(&glyph.start()))
                .map_or(node, |&(_, element)| element)
        };
        // Each piece's start, element and glyphs.
        let mut pieces: Vec<(f32, NodeId, Vec<super::page::PlacedGlyph>)> = Vec::new();
        let mut x = run.x;
        for glyph in run.glyphs.iter() {
            let element = match pieces.last() {
                Some(piece) if glyph.kashida => piece.1,
                _ => element_of(glyph),
            };
            match pieces.last_mut() {
                Some(piece) if piece.1 == element => piece.2.push(*glyph),
                _ => pieces.push((x, element, vec![*glyph])),
            }
            x += glyph.x_advance;
        }
        line.items
            .extend(pieces.into_iter().map(|(x, element, glyphs)| {
                Item::Glyphs(GlyphRun {
                    x,
                    glyphs: glyphs.into(),
                    node: Some(element),
                    ..run.clone()
                })
            }));
    }
    line.items.shrink_to_fit();
}

/// Where a line's text starts: the first byte of the paragraph its glyphs
/// stand for (an added hyphen's glyphs stand for the hyphen's own text).
fn text_start(line: &Chunk) -> usize {
    line.items
        .iter()
        .filter_map(|item| match item {
            Item::Glyphs(run) => run_start(run),
            _ => None,
        })
        .min()
        .unwrap_or(0)
}

/// Appends `inlines` to `noted`; `link` is the link they are inside.
fn push_inlines(
    noted: &mut NotedText,
    inlines: &[Inline],
    style: TextStyle,
    numerals: Numerals,
    link: Option<&LinkTarget>,
) {
    for inline in inlines {
        match &inline.kind {
            InlineKind::Marked { mark, content } => {
                let inner = match mark {
                    Mark::Superscript => TextStyle {
                        size: style.size * SCRIPT_SCALE,
                        raise: style.raise + style.size * SUPERSCRIPT_RAISE,
                        ..style
                    },
                    Mark::Subscript => TextStyle {
                        size: style.size * SCRIPT_SCALE,
                        raise: style.raise - style.size * SUBSCRIPT_DROP,
                        ..style
                    },
                    Mark::Small => TextStyle {
                        size: style.size * SMALL_SCALE,
                        ..style
                    },
                    Mark::Strike | Mark::Underline => style,
                };
                let start = noted.styled.text.len();
                push_inlines(noted, content, inner, numerals, link);
                if matches!(mark, Mark::Strike | Mark::Underline) {
                    noted.marks.push((start..noted.styled.text.len(), *mark));
                }
            }
            InlineKind::Language {
                language, content, ..
            } => {
                let start = noted.styled.text.len();
                push_inlines(noted, content, style, numerals, link);
                let stretch = start..noted.styled.text.len();
                noted.styled.languages.push((stretch, language.clone()));
            }
            // Print has no math layout: the TeX is set as code is (the
            // parser warned).
            InlineKind::Math { tex, .. } => {
                push_code(noted, &collapse_whitespace(tex), style, inline.pos)
            }
            // Drawn in the list marker's place.
            InlineKind::Task { .. } => {}
            InlineKind::Text(text) => noted.styled.push(text, style, inline.pos),
            InlineKind::Emphasis(content) | InlineKind::Strong(content) => {
                let mut inner = style;
                match inline.kind {
                    InlineKind::Emphasis(_) => inner.style.italic = true,
                    _ => inner.style.bold = true,
                }
                push_inlines(noted, content, inner, numerals, link)
            }
            InlineKind::Code(code) => push_code(noted, code, style, inline.pos),
            InlineKind::Link { content, target } => {
                let start = noted.styled.text.len();
                push_inlines(noted, content, style, numerals, Some(target));
                let linked = start..noted.styled.text.len();
                noted.links.push((linked, target.clone()));
            }
            InlineKind::Image { key, alt, .. } => {
                noted.pictures.push(InlinePicture {
                    at: noted.styled.text.len(),
                    key: key.clone(),
                    alt: alt.clone(),
                    pos: inline.pos,
                    link: link.cloned(),
                });
                noted
                    .styled
                    .push(OBJECT.encode_utf8(&mut [0; 4]), style, inline.pos);
            }
            InlineKind::FootnoteRef { number } => {
                let note = TextStyle {
                    size: style.size * 0.6,
                    raise: style.size * 0.4,
                    ..style
                };
                noted.refs.push((noted.styled.text.len(), *number));
                noted
                    .styled
                    .push(&numerals.format(u64::from(*number)), note, inline.pos)
            }
            InlineKind::LineBreak => {
                noted
                    .styled
                    .push(HARD_BREAK.encode_utf8(&mut [0; 4]), style, inline.pos)
            }
            InlineKind::Html(xhtml) => noted.styled.push(&html_text(xhtml), style, inline.pos),
        }
    }
}

/// What stands before a list item: its number or bullet, or a task's box.
enum Marker {
    Text(String),
    Task { done: bool },
}

/// Side of a task's check box, and its line's thickness, in ems.
const CHECK_BOX: f32 = 0.62;
const CHECK_BOX_LINE: f32 = 0.06;
/// A done task's box is filled but for this margin, in ems.
const CHECK_BOX_MARGIN: f32 = 0.16;

/// A task's check box, drawn at the start side of `slot` with its bottom on
/// y = 0 (the caller moves it to the baseline): an outline, filled inside
/// when the task is done; the content of element `node`, its label.
fn check_box(
    done: bool,
    slot: Column,
    direction: Direction,
    size: f32,
    node: Option<NodeId>,
) -> Vec<Item> {
    let side = CHECK_BOX * size;
    let line = CHECK_BOX_LINE * size;
    let x = match direction {
        Direction::Ltr => slot.x,
        Direction::Rtl => slot.x + slot.width - side,
    };
    let y = -side;
    let fill = |x, y, width, height| Item::Fill {
        rect: Rect {
            x,
            y,
            width,
            height,
        },
        grey: 0.0,
        opacity: 1.0,
        node,
    };
    let mut items = vec![
        fill(x, y, side, line),
        fill(x, y + side - line, side, line),
        fill(x, y, line, side),
        fill(x + side - line, y, line, side),
    ];
    if done {
        let margin = CHECK_BOX_MARGIN * size;
        items.push(fill(
            x + margin,
            y + margin,
            side - 2.0 * margin,
            side - 2.0 * margin,
        ));
    }
    items
}

/// Inline code (or TeX) in the monospace face, isolated left to right so
/// that it never reorders with the text around it.
fn push_code(noted: &mut NotedText, code: &str, style: TextStyle, pos: SourcePos) {
    let mono = TextStyle {
        role: Role::Mono,
        style: Style::default(),
        size: style.size * 0.85,
        ..style
    };
    noted.styled.push("\u{2066}", style, pos);
    noted.styled.push(code, mono, pos);
    noted.styled.push("\u{2069}", style, pos);
}

/// Adds `part`'s items and lines to `chunk`, `top` points down.
pub(super) fn overlay(chunk: &mut Chunk, part: &Chunk, top: f32) {
    chunk.anchor = chunk.anchor.or(part.anchor);
    chunk
        .items
        .extend(part.items.iter().map(|item| shift(item, 0.0, top)));
    chunk.lines.extend(part.lines.iter().map(|line| LineInfo {
        top: line.top + top,
        bottom: line.bottom + top,
        ..*line
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Linebreak;
    use crate::layout::hyphenate::Hyphenator;

    #[test]
    fn a_hyphenated_line_starts_where_its_text_does() {
        let fonts = FontLibrary::builtin();
        let shaper = Shaper::new(&fonts, "en");
        let mut ts = Typesetter::new(&shaper, &fonts, 12.0, Direction::Ltr, None);
        ts.breaking = BreakSettings {
            linebreak: Linebreak::TotalFit,
            hyphenate: true,
            hyphenator: Hyphenator::for_language("en"),
            justify: true,
        };
        let text = "Representatives emphasised that telecommunications infrastructure and \
            interoperability between national registries remain indispensable prerequisites \
            for cooperation between the administrations concerned.";
        let mut styled = StyledText::default();
        styled.push(
            text,
            ts.style(Role::Text, false, false, 1.0),
            SourcePos::default(),
        );
        let column = Column {
            x: 0.0,
            width: 150.0,
        };
        let lines = ts.paragraph(styled, None, column, Align::Justify);
        let hyphenated = lines
            .iter()
            .filter(|line| {
                line.items
                    .iter()
                    .any(|item| matches!(item, Item::Glyphs(run) if is_added_hyphen(run)))
            })
            .count();
        assert!(hyphenated > 0, "the test needs a hyphenated line");
        let starts: Vec<usize> = lines.iter().map(text_start).collect();
        assert!(
            starts.windows(2).all(|w| w[0] < w[1]),
            "line starts {starts:?}"
        );
    }

    #[test]
    fn a_paragraph_set_on_several_threads_is_the_one_set_on_one() {
        let fonts = FontLibrary::builtin();
        let shaper = Shaper::new(&fonts, "ar");
        let text = "شهدت العلاقات الثنائية بين المغرب وكازاخستان دينامية دبلوماسية ملحوظة خلال \
            السنوات الأخيرة، حيث تبادل البلدان الزيارات الرسمية ووقعا اتفاقيات في مجالات الطاقة \
            والفلاحة والتعليم العالي (2019–2024)، وأكدا حرصهما على تعزيز التشاور السياسي مع \
            Astana International Forum والتنسيق في المحافل الدولية. "
            .repeat(12);
        let set = |threading: Threading| {
            let mut ts = Typesetter::new(&shaper, &fonts, 12.0, Direction::Rtl, None);
            ts.justify = Justify::Kashida;
            ts.threading = threading;
            let mut styled = StyledText::default();
            styled.push(
                &text,
                ts.style(Role::Text, false, false, 1.0),
                SourcePos::default(),
            );
            let column = Column {
                x: 0.0,
                width: 300.0,
            };
            format!("{:?}", ts.paragraph(styled, None, column, Align::Justify))
        };
        let one = set(Threading {
            from_bytes: usize::MAX,
            from_lines: usize::MAX,
        });
        let several = set(Threading {
            from_bytes: 0,
            from_lines: 0,
        });
        assert!(one.contains("kashida: true"), "the test needs kashidas");
        assert!(one == several, "the threads set the paragraph otherwise");
    }
}
