//! Turning a chapter's blocks into a vertical flow of unbreakable chunks
//! (lines, pictures, rules, table rows) for the paginator.

use std::sync::Arc;

use crate::diag::Diagnostic;
use crate::doc::{
    Block, BlockKind, Chapter, Direction, Document, Inline, InlineKind, Justify, SourcePos,
};
use crate::fonts::{FontLibrary, Role, Style};
use crate::text::{ParagraphSettings, Shaper, StyledText, TextStyle, first_strong};

use super::kashida::{self, Kashida};
use super::line::{Align, Line, build_line};
use super::linebreak::{Measure, break_lines};
use super::page::{Item, Rect};

/// Line height as a multiple of the font size: Arabic needs room for
/// harakat above and below.
pub const LEADING: f32 = 1.75;

/// What a Markdown hard break becomes in the text: LINE SEPARATOR, a
/// mandatory break (UAX #14) that is not a paragraph separator (UAX #9).
const HARD_BREAK: char = '\u{2028}';

/// One piece of a flow.
#[derive(Debug, Clone)]
pub enum FlowItem {
    /// Content that stays together; x relative to the text area's left edge,
    /// y relative to the chunk's top.
    Chunk(Chunk),
    /// Vertical space, dropped at the top of a page.
    Gap(f32),
    /// Where a heading starts, for bookmarks and the table of contents.
    Mark {
        title: String,
        level: u8,
    },
    PageBreak,
}

#[derive(Debug, Clone, Default)]
pub struct Chunk {
    pub height: f32,
    /// Do not end a page after this chunk (headings).
    pub keep_with_next: bool,
    pub items: Vec<Item>,
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
        let measure = Measure::new(&shaped);
        let ranges = break_lines(&shaped, &measure, column.width);
        let sites = if align == Align::Justify && self.justify == Justify::Kashida {
            kashida::sites(self.shaper, &shaped)
        } else {
            Vec::new()
        };
        let kashida = Kashida {
            shaper: self.shaper,
            sites: &sites,
        };
        let kashida = (!sites.is_empty()).then_some(&kashida);
        let text: Arc<str> = Arc::from(shaped.text());
        let count = ranges.len();
        ranges
            .into_iter()
            .enumerate()
            .map(|(i, range)| {
                // A line ending at a hard break is set like a paragraph's last line.
                let last = i + 1 == count
                    || text[range.clone()]
                        .trim_end_matches(' ')
                        .ends_with(HARD_BREAK);
                let line = build_line(&shaped, &text, range, column.width, align, last, kashida);
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
            keep_with_next: false,
            items,
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
}

impl ChapterFlow<'_, '_> {
    /// The chapter's flow; it starts a page of its own (see
    /// [`super::paginate::Paginator::place`]).
    pub fn run(mut self) -> Vec<FlowItem> {
        let chapter = self.chapter;
        // The chapter's bookmark, whatever it starts with; its title heading
        // gets none of its own.
        self.items.push(FlowItem::Mark {
            title: chapter.title_text(),
            level: 1,
        });
        // Chapter openings start some way down the page ("sink").
        self.items.push(FlowItem::Gap(self.ts.size * 4.0));
        self.blocks(&chapter.blocks, self.column, &[]);
        if !chapter.footnotes.is_empty() {
            self.notes();
        }
        self.items
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
            BlockKind::Heading { level, content, .. } => {
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
                    });
                }
                let style = self.ts.style(Role::Text, true, false, scale);
                let styled = styled_inlines(content, style);
                let mut chunks = self.ts.paragraph(styled, None, column, Align::Start);
                for chunk in &mut chunks {
                    chunk.keep_with_next = true;
                }
                self.push_chunks(chunks, bars);
                self.items.push(FlowItem::Gap(size * 0.5));
            }
            BlockKind::Paragraph(inlines) => {
                if let Some(pictures) = only_pictures(inlines) {
                    for key in pictures {
                        self.picture(key, column);
                    }
                } else {
                    let style = self.ts.style(Role::Text, false, false, 1.0);
                    let chunks = self.ts.paragraph(
                        styled_inlines(inlines, style),
                        None,
                        column,
                        Align::Justify,
                    );
                    self.push_chunks(chunks, bars);
                }
                self.items.push(FlowItem::Gap(size * 0.5));
            }
            BlockKind::List { start, items } => {
                let indent = size * 2.0;
                for (i, item) in items.iter().enumerate() {
                    let marker = match start {
                        Some(n) => format!("{}.", n + i as u64),
                        None => "•".to_string(),
                    };
                    let inner = column.inset(self.ts.direction, indent, 0.0);
                    let first = self.items.len();
                    self.blocks(item, inner, bars);
                    self.place_marker(&marker, column, indent, first, block.pos);
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
                    let mut chunks = self.ts.code_line(styled, inner);
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
                    keep_with_next: false,
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
                let chunks = self.ts.paragraph(styled, None, column, Align::Justify);
                if !chunks.is_empty() {
                    self.push_chunks(chunks, bars);
                    self.items.push(FlowItem::Gap(size * 0.5));
                }
            }
        }
    }

    /// Puts a list marker on the start side of the first line laid out since
    /// flow item `first`.
    fn place_marker(
        &mut self,
        marker: &str,
        column: Column,
        indent: f32,
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
        let slot_width = indent * 0.8;
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

    fn picture(&mut self, key: &str, column: Column) {
        let Some(picture) = self.document.images.get(key) else {
            return;
        };
        let max_height = self.max_picture_height;
        let scale = (column.width / picture.width as f32).min(max_height / picture.height as f32);
        let (width, height) = (picture.width as f32 * scale, picture.height as f32 * scale);
        self.items.push(FlowItem::Chunk(Chunk {
            height,
            keep_with_next: false,
            items: vec![Item::Picture {
                key: key.to_string(),
                rect: Rect {
                    x: column.x + (column.width - width) / 2.0,
                    y: 0.0,
                    width,
                    height,
                },
            }],
        }));
    }

    /// A table: equal columns, first column on the start side, a rule under
    /// the head and under every row; each row is one chunk.
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
        let pad = self.ts.size * 0.4;
        let cell_width = column.width / columns as f32;
        let mut all_rows: Vec<(&[Vec<Inline>], bool)> = vec![(head, true)];
        all_rows.extend(rows.iter().map(|r| (r.as_slice(), false)));
        for (cells, is_head) in all_rows {
            if cells.is_empty() {
                continue;
            }
            let mut chunk = Chunk::default();
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
                let lines =
                    self.ts
                        .paragraph(styled_inlines(cell, style), direction, cell_column, align);
                let mut y = pad / 2.0;
                for line in lines {
                    for mut item in line.items {
                        if let Item::Glyphs(run) = &mut item {
                            run.y += y;
                        }
                        chunk.items.push(item);
                    }
                    y += line.height;
                }
                chunk.height = chunk.height.max(y + pad / 2.0);
            }
            chunk.items.push(Item::Fill {
                rect: Rect {
                    x: column.x,
                    y: chunk.height - 0.5,
                    width: column.width,
                    height: if is_head { 0.9 } else { 0.4 },
                },
                grey: 0.3,
                opacity: 1.0,
            });
            chunk.keep_with_next = is_head;
            self.items.push(FlowItem::Chunk(chunk));
        }
    }

    /// The chapter's notes, after its text.
    fn notes(&mut self) {
        let size = self.ts.size;
        let column = self.column;
        self.items.push(FlowItem::Gap(size));
        let width = column.width / 4.0;
        let x = match self.ts.direction {
            Direction::Ltr => column.x,
            Direction::Rtl => column.x + column.width - width,
        };
        self.items.push(FlowItem::Chunk(Chunk {
            height: size * 0.8,
            keep_with_next: true,
            items: vec![Item::Fill {
                rect: Rect {
                    x,
                    y: 0.0,
                    width,
                    height: 0.5,
                },
                grey: 0.3,
                opacity: 1.0,
            }],
        }));
        let chapter = self.chapter;
        for note in &chapter.footnotes {
            let style = self.ts.style(Role::Text, false, false, 0.85);
            // The note's number starts its first paragraph, or stands on a
            // line of its own before a note that opens with something else.
            let mut number = Some(format!("{}. ", note.number));
            for block in &note.blocks {
                let inlines = match &block.kind {
                    BlockKind::Paragraph(inlines) => inlines.as_slice(),
                    _ => &[],
                };
                if inlines.is_empty() && number.is_none() {
                    self.block(block, column, &[]);
                    continue;
                }
                let mut styled = StyledText::default();
                if let Some(number) = number.take() {
                    styled.push(&number, style, note.pos);
                }
                push_inlines(&mut styled, inlines, style);
                let chunks = self.ts.paragraph(styled, None, column, Align::Justify);
                self.push_chunks(chunks, &[]);
                if inlines.is_empty() {
                    self.block(block, column, &[]);
                }
            }
        }
    }
}

impl Typesetter<'_> {
    /// One line of a code block: left to right whatever the book's direction,
    /// never justified (its indentation is kept, as in every paragraph).
    fn code_line(&mut self, styled: StyledText, column: Column) -> Vec<Chunk> {
        self.paragraph(styled, Some(Direction::Ltr), column, Align::Start)
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

/// The text of a sanitized XHTML fragment: tags dropped, entities decoded.
fn html_text(xhtml: &str) -> String {
    let mut text = String::new();
    let mut rest = xhtml;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
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

/// If a paragraph is nothing but pictures, their keys.
fn only_pictures(inlines: &[Inline]) -> Option<Vec<&str>> {
    let mut keys = Vec::new();
    for inline in inlines {
        match &inline.kind {
            InlineKind::Image { key, .. } => keys.push(key.as_str()),
            InlineKind::Text(t) if t.trim().is_empty() => {}
            InlineKind::LineBreak => {}
            _ => return None,
        }
    }
    (!keys.is_empty()).then_some(keys)
}

pub fn styled_inlines(inlines: &[Inline], style: TextStyle) -> StyledText {
    let mut styled = StyledText::default();
    push_inlines(&mut styled, inlines, style);
    styled
}

fn push_inlines(styled: &mut StyledText, inlines: &[Inline], style: TextStyle) {
    for inline in inlines {
        match &inline.kind {
            InlineKind::Text(text) => styled.push(text, style, inline.pos),
            InlineKind::Emphasis(content) | InlineKind::Strong(content) => {
                let mut inner = style;
                match inline.kind {
                    InlineKind::Emphasis(_) => inner.style.italic = true,
                    _ => inner.style.bold = true,
                }
                push_inlines(styled, content, inner)
            }
            InlineKind::Code(code) => {
                let mono = TextStyle {
                    role: Role::Mono,
                    style: Style::default(),
                    size: style.size * 0.85,
                    ..style
                };
                // Isolated left to right, so code never reorders with the text around it.
                styled.push("\u{2066}", style, inline.pos);
                styled.push(code, mono, inline.pos);
                styled.push("\u{2069}", style, inline.pos);
            }
            InlineKind::Link { content, .. } => push_inlines(styled, content, style),
            InlineKind::Image { alt, .. } => styled.push(alt, style, inline.pos),
            InlineKind::FootnoteRef { number } => {
                let note = TextStyle {
                    size: style.size * 0.6,
                    raise: style.size * 0.4,
                    ..style
                };
                styled.push(&number.to_string(), note, inline.pos)
            }
            InlineKind::LineBreak => {
                styled.push(HARD_BREAK.encode_utf8(&mut [0; 4]), style, inline.pos)
            }
            InlineKind::Html(xhtml) => styled.push(&html_text(xhtml), style, inline.pos),
        }
    }
}
