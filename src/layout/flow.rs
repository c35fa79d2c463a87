//! Turning a chapter's blocks into a vertical flow of unbreakable chunks
//! (lines, pictures, rules, pieces of table rows) for the paginator, with
//! what it needs to break pages well: which chunks stay together, which
//! footnotes each line calls, and which paragraph each line is part of.

use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::doc::{
    Block, BlockKind, Chapter, Direction, Document, Inline, InlineKind, Justify, Numerals,
    SourcePos,
};
use crate::fonts::{FontLibrary, Role, Style};
use crate::text::{ParagraphSettings, Shaper, StyledText, TextStyle, first_strong};

use super::kashida::{self, Kashida};
use super::line::{Align, Line, Measure, Paragraph, build_line, is_added_hyphen};
use super::linebreak::{BreakSettings, break_lines};
use super::page::{Item, LineInfo, Rect};
use super::paginate::shift;

/// Line height as a multiple of the font size: Arabic needs room for
/// harakat above and below.
pub const LEADING: f32 = 1.75;

/// What a Markdown hard break becomes in the text: LINE SEPARATOR, a
/// mandatory break (UAX #14) that is not a paragraph separator (UAX #9).
const HARD_BREAK: char = '\u{2028}';

/// Footnotes are set smaller than the text.
const NOTE_SCALE: f32 = 0.85;
/// A picture's caption (its alt text), smaller than the text.
const CAPTION_SCALE: f32 = 0.8;

/// The least indent of a list's items, in ems.
const LIST_INDENT_EM: f32 = 2.0;

/// Space between a list marker and its item's text, in ems.
const MARKER_GAP_EM: f32 = 0.4;

/// A measure no marker fills, for measuring one on a single line (points).
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
}

/// Lays out text in a column; shared by chapters and generated pages.
pub struct Typesetter<'a> {
    pub shaper: &'a Shaper<'a>,
    pub fonts: &'a FontLibrary,
    /// Body font size.
    pub size: f32,
    /// The book's direction: the default for paragraphs with no strong
    /// character, and the side lists and quotes indent from.
    pub direction: Direction,
    /// How justified paragraphs are filled (`[layout] justify`).
    pub justify: Justify,
    /// Warnings (characters no font has), with the file they concern.
    pub warnings: Vec<Diagnostic>,
    /// The chapter being set; `None` for generated pages, whose text (title,
    /// authors, chapter titles) is warned about where it comes from.
    pub file: Option<std::path::PathBuf>,
    /// How paragraphs are broken into lines (`[layout]`, the book's language).
    pub breaking: BreakSettings,
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
            file,
            breaking: BreakSettings {
                linebreak: crate::doc::Linebreak::TotalFit,
                hyphenator: None,
                justify: false,
            },
        }
    }

    pub fn style(&self, role: Role, bold: bool, italic: bool, scale: f32) -> TextStyle {
        TextStyle {
            role,
            style: Style { bold, italic },
            size: self.size * scale,
            raise: 0.0,
        }
    }

    /// Shapes and breaks a paragraph into line chunks.
    pub fn paragraph(
        &mut self,
        styled: StyledText,
        direction: Option<Direction>,
        column: Column,
        align: Align,
    ) -> Vec<Chunk> {
        if styled.is_empty() {
            return Vec::new();
        }
        let direction =
            direction.or_else(|| Some(first_strong(&styled.text).unwrap_or(self.direction)));
        let shaped = self
            .shaper
            .shape(self.fonts, styled, ParagraphSettings { direction });
        for missing in &shaped.missing {
            let pos = shaped
                .styled
                .spans
                .iter()
                .find(|s| s.range.contains(&missing.offset))
                .map_or(SourcePos::default(), |s| s.pos);
            let warning = Diagnostic::warning(format!(
                "no font has the character {:?} (U+{:04X}); it will print as a blank box",
                missing.ch, missing.ch as u32
            ));
            self.warnings.push(match &self.file {
                Some(file) => warning.in_file(file).at_line(pos.line),
                None => warning,
            });
        }
        // Kashida lengthens the Arabic words of justified paragraphs only.
        let sites = if align == Align::Justify && self.justify == Justify::Kashida {
            kashida::sites(self.shaper, &shaped)
        } else {
            Vec::new()
        };
        let measure = Measure::new(&shaped, self.shaper, &sites);
        // Only justified text is hyphenated: headings, titles, centred and
        // ragged text keep their words whole.
        let justify = align == Align::Justify;
        let settings = BreakSettings {
            justify,
            hyphenator: self.breaking.hyphenator.filter(|_| justify),
            ..self.breaking
        };
        let lines = break_lines(&shaped, self.shaper, &measure, column.width, settings);
        let paragraph = Paragraph {
            shaped: &shaped,
            text: Arc::from(shaped.text()),
            measure: &measure,
            shaper: self.shaper,
            kashida: (!sites.is_empty()).then_some(Kashida {
                shaper: self.shaper,
                sites: &sites,
            }),
        };
        lines
            .iter()
            .map(|line| {
                let line = build_line(&paragraph, line, column.width, align);
                self.line_chunk(line, column)
            })
            .collect()
    }

    fn line_chunk(&self, line: Line, column: Column) -> Chunk {
        let size = if line.size > 0.0 {
            line.size
        } else {
            self.size
        };
        let height = size * LEADING;
        let baseline = (height - size) / 2.0 + size * 0.75;
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
            height,
            items,
            ..Chunk::default()
        }
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
}

/// A paragraph's styled text, with where its footnote references are.
#[derive(Debug, Default)]
pub struct NotedText {
    pub styled: StyledText,
    /// Byte offset in the text of each footnote reference, with its number.
    pub refs: Vec<(usize, u32)>,
}

impl From<StyledText> for NotedText {
    fn from(styled: StyledText) -> Self {
        NotedText {
            styled,
            refs: Vec::new(),
        }
    }
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
        self.items
    }

    /// Sets a paragraph as lines of running text: each numbered in the
    /// paragraph, the first two and the last two kept together, each
    /// carrying the notes it calls first.
    fn lines(
        &mut self,
        text: NotedText,
        direction: Option<Direction>,
        column: Column,
        align: Align,
    ) -> Vec<Chunk> {
        let NotedText { styled, refs } = text;
        let hard_breaks: Vec<usize> = styled
            .text
            .match_indices(HARD_BREAK)
            .map(|(at, _)| at)
            .collect();
        let mut chunks = self.ts.paragraph(styled, direction, column, align);
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
                justified: align == Align::Justify && i + 1 < count && !hard_break,
            });
        }
        if count >= 2 {
            chunks[0].keep_with_next = true;
            chunks[count - 2].keep_with_next = true;
        }
        chunks
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
        for block in &note.blocks {
            let inlines = match &block.kind {
                BlockKind::Paragraph(inlines) => inlines.as_slice(),
                _ => &[],
            };
            if inlines.is_empty() && mark.is_none() {
                self.block(block, column, &[]);
                continue;
            }
            let mut noted = NotedText::default();
            if let Some(mark) = mark.take() {
                noted.styled.push(&mark, style, note.pos);
            }
            push_inlines(&mut noted, inlines, style, numerals);
            let chunks = self.lines(noted, None, column, Align::Justify);
            self.push_chunks(chunks, &[]);
            if inlines.is_empty() {
                self.block(block, column, &[]);
            }
        }
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
            }],
            ..Chunk::default()
        }
    }

    fn push_chunks(&mut self, chunks: Vec<Chunk>, bars: &[f32]) {
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
            BlockKind::Heading { level, content, id } => {
                let (scale, before) = match level {
                    1 => (1.6, 0.0),
                    2 => (1.3, 1.0),
                    _ => (1.1, 0.6),
                };
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
                let style = self.ts.style(Role::Text, true, false, scale);
                let noted = styled_inlines(content, style, self.document.layout.numerals);
                let mut chunks = self.lines(noted, None, column, Align::Start);
                for chunk in &mut chunks {
                    chunk.keep_with_next = true;
                }
                self.push_chunks(chunks, bars);
                self.items.push(FlowItem::Gap(size * 0.5));
            }
            BlockKind::Paragraph(inlines) => {
                if let Some(pictures) = only_pictures(inlines) {
                    for (key, alt) in pictures {
                        self.picture(key, alt, column, block.pos);
                    }
                } else {
                    let style = self.ts.style(Role::Text, false, false, 1.0);
                    let chunks = self.lines(
                        styled_inlines(inlines, style, self.document.layout.numerals),
                        None,
                        column,
                        Align::Justify,
                    );
                    self.push_chunks(chunks, bars);
                }
                self.items.push(FlowItem::Gap(size * 0.5));
            }
            BlockKind::List { start, items } => {
                let markers: Vec<String> = (0..items.len())
                    .map(|i| match start {
                        Some(n) => format!(
                            "{}.",
                            self.document
                                .layout
                                .numerals
                                .format(n.saturating_add(i as u64))
                        ),
                        None => "•".to_string(),
                    })
                    .collect();
                // The marker slot fits the widest marker (`123456789.` too),
                // and the items indent past it.
                let widest = markers
                    .iter()
                    .map(|marker| self.marker_width(marker, block.pos))
                    .fold(0.0, f32::max);
                let gap = size * MARKER_GAP_EM;
                let slot = (size * LIST_INDENT_EM - gap).max(widest.ceil());
                let indent = slot + gap;
                for (item, marker) in items.iter().zip(&markers) {
                    let inner = column.inset(self.ts.direction, indent, 0.0);
                    let first = self.items.len();
                    self.blocks(item, inner, bars);
                    self.place_marker(marker, column, slot, first, block.pos);
                }
            }
            BlockKind::Quote(blocks) => {
                let inner = column.inset(self.ts.direction, size * 1.5, size * 1.0);
                let bar_x = match self.ts.direction {
                    Direction::Rtl => inner.x + inner.width + size * 0.6,
                    Direction::Ltr => inner.x - size * 0.6,
                };
                let mut bars = bars.to_vec();
                bars.push(bar_x);
                self.blocks(blocks, inner, &bars);
            }
            BlockKind::Code { text, .. } => {
                let style = self.ts.style(Role::Mono, false, false, 0.8);
                let inner = column.inset(Direction::Ltr, size * 0.5, size * 0.5);
                for source_line in text.trim_end_matches('\n').split('\n') {
                    let mut styled = StyledText::default();
                    styled.push(&expand_tabs(source_line), style, block.pos);
                    // Left to right whatever the book's direction, never
                    // justified (its indentation is kept).
                    let mut chunks =
                        self.lines(styled.into(), Some(Direction::Ltr), inner, Align::Start);
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
                            },
                        );
                    }
                    self.push_chunks(chunks, bars);
                }
                self.items.push(FlowItem::Gap(size * 0.5));
            }
            BlockKind::Table { align, head, rows } => {
                self.table(align, head, rows, column);
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
                let chunks = self.lines(styled.into(), None, column, Align::Justify);
                if !chunks.is_empty() {
                    self.push_chunks(chunks, bars);
                    self.items.push(FlowItem::Gap(size * 0.5));
                }
            }
        }
    }

    /// The width a list marker takes, set on one line.
    fn marker_width(&mut self, marker: &str, pos: SourcePos) -> f32 {
        let mut styled = StyledText::default();
        styled.push(marker, self.ts.style(Role::Text, false, false, 1.0), pos);
        let unbounded = Column {
            x: 0.0,
            width: UNBOUNDED_WIDTH,
        };
        let direction = Some(self.ts.direction);
        self.ts
            .paragraph(styled, direction, unbounded, Align::Start)
            .iter()
            .take(1)
            .flat_map(|chunk| &chunk.items)
            .map(|item| match item {
                Item::Glyphs(run) => run.width(),
                _ => 0.0,
            })
            .sum()
    }

    /// Puts a list marker on the start side of the first line laid out since
    /// flow item `first`, in a slot `slot_width` wide.
    fn place_marker(
        &mut self,
        marker: &str,
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
        let mut styled = StyledText::default();
        styled.push(marker, self.ts.style(Role::Text, false, false, 1.0), pos);
        let slot = match self.ts.direction {
            Direction::Ltr => Column {
                x: column.x,
                width: slot_width,
            },
            Direction::Rtl => Column {
                x: column.x + column.width - slot_width,
                width: slot_width,
            },
        };
        let direction = Some(self.ts.direction);
        let marker_chunks = self.ts.paragraph(styled, direction, slot, Align::Start);
        let FlowItem::Chunk(chunk) = &mut self.items[at] else {
            return;
        };
        let baseline = chunk.items.iter().find_map(|i| match i {
            Item::Glyphs(run) => Some(run.y),
            _ => None,
        });
        for item in marker_chunks.into_iter().take(1).flat_map(|c| c.items) {
            if let (Item::Glyphs(mut run), Some(y)) = (item, baseline) {
                run.y = y;
                chunk.items.push(Item::Glyphs(run));
            }
        }
    }

    /// A picture scaled to the column, no taller than a page with its
    /// caption (the alt text, small and centred below it, kept with it).
    fn picture(&mut self, key: &str, alt: &str, column: Column, pos: SourcePos) {
        let Some(picture) = self.document.images.get(key) else {
            return;
        };
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
        let scale = (column.width / picture.width as f32).min(max_height / picture.height as f32);
        let (width, height) = (picture.width as f32 * scale, picture.height as f32 * scale);
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
            }],
            ..Chunk::default()
        }));
        let count = caption.len();
        for (i, mut line) in caption.into_iter().enumerate() {
            line.keep_with_next = i + 1 < count;
            self.items.push(FlowItem::Chunk(line));
        }
    }

    /// A table: equal columns, first column on the start side, a rule under
    /// the head and under every row. Rows are set in pieces a page may end
    /// between (see [`row_pieces`]); the head row comes again at the top of
    /// every page the table continues on.
    fn table(
        &mut self,
        aligns: &[crate::doc::Align],
        head: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
        column: Column,
    ) {
        let columns = head
            .len()
            .max(rows.iter().map(Vec::len).max().unwrap_or(0))
            .max(1);
        let cell_width = column.width / columns as f32;
        // Padding never takes more than half a narrow cell's width.
        let pad = (self.ts.size * 0.4).min(cell_width / 4.0);
        let mut all_rows: Vec<(&[Vec<Inline>], bool)> = vec![(head, true)];
        all_rows.extend(rows.iter().map(|r| (r.as_slice(), false)));
        let mut header: Option<Arc<Chunk>> = None;
        for (cells, is_head) in all_rows {
            if cells.is_empty() {
                continue;
            }
            let mut cell_lines = Vec::with_capacity(cells.len());
            for (i, cell) in cells.iter().enumerate() {
                let slot = match self.ts.direction {
                    Direction::Ltr => i,
                    Direction::Rtl => columns - 1 - i,
                };
                let cell_column = Column {
                    x: column.x + slot as f32 * cell_width + pad,
                    width: cell_width - 2.0 * pad,
                };
                let style = self.ts.style(Role::Text, is_head, false, 0.9);
                let align = match aligns.get(i) {
                    Some(crate::doc::Align::Center) => Align::Center,
                    Some(crate::doc::Align::End) => Align::End,
                    _ => Align::Start,
                };
                // Cells follow the table's (the book's) direction, so a Latin
                // word in an Arabic table still sits on the right.
                let direction = Some(self.ts.direction);
                let mut lines = self.lines(
                    styled_inlines(cell, style, self.document.layout.numerals),
                    direction,
                    cell_column,
                    align,
                );
                // Pieces of rows, not cells' lines, decide where pages end.
                for line in &mut lines {
                    line.keep_with_next = false;
                }
                cell_lines.push(lines);
            }
            let mut pieces = row_pieces(cell_lines, pad, column, is_head);
            if is_head {
                header = Some(Arc::new(stack(&pieces)));
            } else {
                for piece in &mut pieces {
                    piece.repeat_header = header.clone();
                }
            }
            self.items.extend(pieces.into_iter().map(FlowItem::Chunk));
        }
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
        });
        last.keep_with_next = is_head;
    }
    pieces
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

/// Adds `part`'s items and lines to `chunk`, `top` points down.
fn overlay(chunk: &mut Chunk, part: &Chunk, top: f32) {
    chunk
        .items
        .extend(part.items.iter().map(|item| shift(item, 0.0, top)));
    chunk.lines.extend(part.lines.iter().map(|line| LineInfo {
        top: line.top + top,
        bottom: line.bottom + top,
        ..*line
    }));
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

/// If a paragraph is nothing but pictures, their keys and alt texts.
fn only_pictures(inlines: &[Inline]) -> Option<Vec<(&str, &str)>> {
    let mut keys = Vec::new();
    for inline in inlines {
        match &inline.kind {
            InlineKind::Image { key, alt } => keys.push((key.as_str(), alt.as_str())),
            InlineKind::Text(t) if t.trim().is_empty() => {}
            InlineKind::LineBreak => {}
            _ => return None,
        }
    }
    (!keys.is_empty()).then_some(keys)
}

/// `inlines` as styled text; note marks in `numerals`.
pub fn styled_inlines(inlines: &[Inline], style: TextStyle, numerals: Numerals) -> NotedText {
    let mut noted = NotedText::default();
    push_inlines(&mut noted, inlines, style, numerals);
    noted
}

/// Where a line's text starts: the first byte of the paragraph its glyphs
/// stand for (an added hyphen's glyphs stand for the hyphen's own text).
fn text_start(line: &Chunk) -> usize {
    line.items
        .iter()
        .filter_map(|item| match item {
            Item::Glyphs(run) if !is_added_hyphen(run) => run.glyphs.iter().map(|g| g.text.0).min(),
            _ => None,
        })
        .min()
        .unwrap_or(0)
}

fn push_inlines(noted: &mut NotedText, inlines: &[Inline], style: TextStyle, numerals: Numerals) {
    for inline in inlines {
        match &inline.kind {
            InlineKind::Text(text) => noted.styled.push(text, style, inline.pos),
            InlineKind::Emphasis(content) | InlineKind::Strong(content) => {
                let mut inner = style;
                match inline.kind {
                    InlineKind::Emphasis(_) => inner.style.italic = true,
                    _ => inner.style.bold = true,
                }
                push_inlines(noted, content, inner, numerals)
            }
            InlineKind::Code(code) => {
                let mono = TextStyle {
                    role: Role::Mono,
                    style: Style::default(),
                    size: style.size * 0.85,
                    ..style
                };
                // Isolated left to right, so code never reorders with the text around it.
                noted.styled.push("\u{2066}", style, inline.pos);
                noted.styled.push(code, mono, inline.pos);
                noted.styled.push("\u{2069}", style, inline.pos);
            }
            InlineKind::Link { content, .. } => push_inlines(noted, content, style, numerals),
            InlineKind::Image { alt, .. } => noted.styled.push(alt, style, inline.pos),
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
}
