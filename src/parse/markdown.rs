//! One chapter: pulldown-cmark events → [`Chapter`] blocks and inlines.
//!
//! The event stream is folded with an explicit stack of frames (no
//! recursion), so any input depth is safe here. To keep every later stage
//! safe too, nesting of quotes, lists, emphasis, links and inline HTML is
//! capped at [`MAX_NESTING`]: deeper containers are flattened into their
//! parent, with one warning.

use std::borrow::Cow;
use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use pulldown_cmark::{
    Alignment, BlockQuoteKind, CodeBlockKind, Event, LinkType, MetadataBlockKind, Parser, Tag,
    TagEnd,
};

use crate::diag::{Code, Diagnostic, Diagnostics, Result};
use crate::doc::{
    Align, Block, BlockKind, CalloutKind, Chapter, Definition, Footnote, Inline, InlineKind,
    LinkTarget, Mark, SourcePos, block_pictures, collapse_whitespace, plain_text, walk,
};
use crate::load::Book;
use crate::load::assets::markdown_options;

use super::footnotes::Footnotes;
use super::html::{self, Class, InlineTag};
use super::ids;
use super::links::{self, ImageRef};
use super::pos::LineIndex;
use super::text::{HeadingIds, strip_forbidden};
use super::{math, smart, verse};
use crate::xml::{is_forbidden, push_escaped};

/// Deepest nesting of containers kept as such.
pub const MAX_NESTING: usize = 32;

/// At most this many warnings about control characters per chapter.
pub(crate) const MAX_CONTROL_WARNINGS: usize = 10;

/// The picture title that makes a picture standing alone a full-bleed
/// page: `![alt](p.jpg "full-bleed")`.
pub const FULL_BLEED: &str = "full-bleed";

/// At most this many warnings per chapter; the rest are counted.
pub(crate) const MAX_WARNINGS: usize = 100;

/// Parses chapter `index` of `book`. `chapters` are the chapters' paths
/// (for links); the pictures it shows are added to `pictures`. Formulas are
/// made MathML unless `mathml` is false (for print, which sets their TeX).
pub(crate) fn parse_chapter(
    book: &Book,
    index: usize,
    chapters: &links::ChapterPaths,
    pictures: &mut links::Pictures,
    warnings: &mut Diagnostics,
    mathml: bool,
) -> Result<Chapter> {
    let source = &book.chapters[index];
    let text = source.text()?;
    let text: &str = &text;
    let mut builder = Builder {
        book,
        index,
        chapters,
        path: &source.path,
        file: book.display_path(&source.path),
        src: text,
        lines: LineIndex::new(text),
        stack: vec![Frame::new(Kind::Root, SourcePos { line: 1, column: 1 })],
        depth: 0,
        html_depth: 0,
        depth_warned: false,
        issued: 0,
        suppressed: 0,
        control_warnings: 0,
        control_lines: HashSet::new(),
        ids: HeadingIds::default(),
        heading_level: 0,
        footnotes: Footnotes::default(),
        formulas: 0,
        mathml,
        smart: smart::Lines::default(),
        pictures,
        warnings,
        errors: Vec::new(),
    };
    let first_warning = builder.warnings.0.len();
    for (event, range) in Parser::new_ext(text, markdown_options()).into_offset_iter() {
        builder.event(event, range)?;
    }
    let file = builder.file.clone();
    let mut suppressed = builder.suppressed;
    let errors = std::mem::take(&mut builder.errors);
    let chapter = builder.finish()?;
    // Footnote and id checks warn directly; cap the chapter's total too.
    let mine = warnings.0.len() - first_warning;
    if mine > MAX_WARNINGS {
        suppressed += mine - MAX_WARNINGS;
        warnings.0.truncate(first_warning + MAX_WARNINGS);
    }
    if suppressed > 0 {
        warnings.push(
            Diagnostic::warning(
                Code::TooManyWarnings,
                format!("{suppressed} more warnings about this file were not shown"),
            )
            .in_file(file),
        );
    }
    warnings.0.extend(errors);
    Ok(chapter)
}

struct Builder<'a, 'w, 'p> {
    book: &'a Book,
    index: usize,
    chapters: &'a links::ChapterPaths,
    /// The chapter, relative to the book folder.
    path: &'a Path,
    /// The chapter as the user would type it, for messages.
    file: PathBuf,
    src: &'a str,
    lines: LineIndex<'a>,
    stack: Vec<Frame>,
    /// Open frames counting towards [`MAX_NESTING`].
    depth: usize,
    /// Open inline HTML elements being kept (they nest inside one string).
    html_depth: usize,
    depth_warned: bool,
    /// Warnings issued by the builder, and those not shown because of
    /// [`MAX_WARNINGS`].
    issued: usize,
    suppressed: usize,
    control_warnings: usize,
    control_lines: HashSet<u32>,
    ids: HeadingIds,
    /// Level of the chapter's last heading (0 before the first), to warn
    /// where the outline skips a level.
    heading_level: u8,
    footnotes: Footnotes,
    /// Math formulas met so far (the first is warned about for print).
    formulas: usize,
    /// Whether formulas are made MathML (only the EPUB reads it).
    mathml: bool,
    /// Which source lines take smart punctuation.
    smart: smart::Lines,
    pictures: &'w mut links::Pictures<'p>,
    warnings: &'w mut Diagnostics,
    /// Errors the chapter is parsed past (never capped, unlike warnings).
    errors: Vec<Diagnostic>,
}

/// Something being built.
struct Frame {
    kind: Kind,
    pos: SourcePos,
    content: Content,
    /// Counts towards [`MAX_NESTING`].
    nested: bool,
}

/// What a frame has collected so far. Inlines always come after the
/// blocks: adding a block first turns pending inlines into a paragraph.
#[derive(Default)]
struct Content {
    blocks: Vec<Block>,
    inlines: Vec<Inline>,
}

enum Kind {
    Root,
    Quote,
    Callout(CalloutKind),
    Definitions(Vec<Definition>),
    /// A definition list's term, waiting for its definitions.
    Term,
    /// One definition of the last term.
    Detail,
    List {
        start: Option<u64>,
        items: Vec<Vec<Block>>,
    },
    Item,
    Footnote {
        label: String,
    },
    Paragraph,
    Heading {
        level: u8,
        /// Written as `{#id}`.
        id: Option<String>,
        classes: Vec<String>,
    },
    /// YAML front matter (`---` … `---` at the top of the file).
    FrontMatter,
    Code {
        language: Option<String>,
        text: String,
    },
    HtmlBlock {
        raw: String,
        offset: usize,
    },
    Table {
        align: Vec<Align>,
        head: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    /// The head row or a body row of a table.
    Row {
        head: bool,
        cells: Vec<Vec<Inline>>,
    },
    Cell,
    Emphasis,
    Strong,
    Marked(Mark),
    /// `None`: the link was refused; its text is kept.
    Link(Option<LinkTarget>),
    Image {
        dest: String,
        full_bleed: bool,
    },
    /// An inline HTML element opened in this paragraph, waiting for its end tag.
    InlineHtml {
        name: String,
        mode: HtmlMode,
        /// Byte offset of the start tag, for messages.
        offset: usize,
    },
    /// Contents go to the parent (unsupported or too deeply nested markup).
    Transparent,
}

enum HtmlMode {
    /// Allowed: the sanitized start tag.
    Keep(String),
    /// A tag both writers style (`<b>`, `<sup>`…): becomes that inline.
    Style(Styling),
    /// A `<span lang>`: its start tag and language (see
    /// [`InlineKind::Language`]).
    Language { start_tag: String, language: String },
    /// Tags dropped, content kept.
    Unwrap,
    /// Removed with its content.
    Drop,
}

/// What an inline HTML element both writers style stands for.
#[derive(Clone, Copy)]
enum Styling {
    Emphasis,
    Strong,
    Mark(Mark),
}

impl Styling {
    /// The styling of the inline HTML element `name`, if it is one.
    fn of(name: &str) -> Option<Styling> {
        Some(match name {
            "i" | "em" | "cite" | "dfn" | "var" => Styling::Emphasis,
            "b" | "strong" => Styling::Strong,
            "s" | "del" | "strike" => Styling::Mark(Mark::Strike),
            "u" | "ins" => Styling::Mark(Mark::Underline),
            "sup" => Styling::Mark(Mark::Superscript),
            "sub" => Styling::Mark(Mark::Subscript),
            "small" => Styling::Mark(Mark::Small),
            _ => return None,
        })
    }

    fn inline(self, content: Vec<Inline>) -> InlineKind {
        match self {
            Styling::Emphasis => InlineKind::Emphasis(content),
            Styling::Strong => InlineKind::Strong(content),
            Styling::Mark(mark) => InlineKind::Marked { mark, content },
        }
    }
}

impl Frame {
    fn new(kind: Kind, pos: SourcePos) -> Self {
        Frame {
            kind,
            pos,
            content: Content::default(),
            nested: false,
        }
    }

    fn add_block(&mut self, block: Block) {
        self.content.add_block(block);
    }

    fn add_inline(&mut self, inline: Inline) {
        self.content.add_inline(inline);
    }
}

impl Content {
    fn add_block(&mut self, block: Block) {
        self.flush_inlines();
        self.blocks.push(block);
    }

    fn add_inline(&mut self, inline: Inline) {
        if let InlineKind::Text(new) = &inline.kind
            && let Some(Inline {
                kind: InlineKind::Text(last),
                ..
            }) = self.inlines.last_mut()
        {
            last.push_str(new);
            return;
        }
        self.inlines.push(inline);
    }

    /// Loose inlines (a tight list item's text) become a paragraph.
    fn flush_inlines(&mut self) {
        let inlines = trim(std::mem::take(&mut self.inlines));
        if let Some(first) = inlines.first() {
            let pos = first.pos;
            self.blocks.push(Block {
                kind: BlockKind::Paragraph(inlines),
                pos,
            });
        }
    }

    fn into_blocks(mut self) -> Vec<Block> {
        self.flush_inlines();
        self.blocks.shrink_to_fit();
        self.blocks
    }
}

/// Trims spaces at both ends of a run of inlines, dropping emptied texts.
fn trim(mut inlines: Vec<Inline>) -> Vec<Inline> {
    let is_space = |c: char| c == ' ' || c == '\t' || c == '\n';
    // A task item's check box comes before the text to trim.
    let first = usize::from(matches!(
        inlines.first().map(|i| &i.kind),
        Some(InlineKind::Task { .. })
    ));
    if let Some(Inline {
        kind: InlineKind::Text(t),
        ..
    }) = inlines.get_mut(first)
    {
        let trimmed = t.trim_start_matches(is_space);
        if trimmed.len() != t.len() {
            *t = trimmed.to_string();
        }
    }
    if let Some(Inline {
        kind: InlineKind::Text(t),
        ..
    }) = inlines.last_mut()
    {
        let len = t.trim_end_matches(is_space).len();
        t.truncate(len);
    }
    inlines.retain(|i| !matches!(&i.kind, InlineKind::Text(t) if t.is_empty()));
    // Kept to the end of the build: without the room grown for more (a
    // paragraph of one text held room for four inlines).
    inlines.shrink_to_fit();
    inlines
}

impl Builder<'_, '_, '_> {
    fn event(&mut self, event: Event<'_>, range: Range<usize>) -> Result<()> {
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(end) => return self.end(end),
            Event::Text(text) => self.text(&text, range),
            Event::Code(code) => {
                let pos = self.lines.pos(range.start);
                let code = self.clean(&code, range.start).into_owned();
                self.inline(InlineKind::Code(code), pos);
            }
            Event::InlineMath(tex) => self.math(&tex, false, range),
            Event::DisplayMath(tex) => self.math(&tex, true, range),
            Event::Html(raw) => self.html_block_piece(&raw, range),
            Event::InlineHtml(raw) => self.inline_html(&raw, range),
            Event::FootnoteReference(label) => {
                let pos = self.lines.pos(range.start);
                let number = self.footnotes.reference(&label);
                self.inline(InlineKind::FootnoteRef { number }, pos);
            }
            Event::SoftBreak => {
                let pos = self.lines.pos(range.start);
                self.inline(InlineKind::Text(" ".to_string()), pos);
            }
            Event::HardBreak => {
                let pos = self.lines.pos(range.start);
                self.inline(InlineKind::LineBreak, pos);
            }
            Event::Rule => {
                let pos = self.lines.pos(range.start);
                self.top().add_block(Block {
                    kind: BlockKind::Rule,
                    pos,
                });
            }
            Event::TaskListMarker(done) => {
                let pos = self.lines.pos(range.start);
                self.inline(InlineKind::Task { done }, pos);
            }
        }
        Ok(())
    }

    fn top(&mut self) -> &mut Frame {
        self.stack
            .last_mut()
            .expect("the root frame is never popped")
    }

    fn inline(&mut self, kind: InlineKind, pos: SourcePos) {
        self.top().add_inline(Inline { kind, pos });
    }

    /// A warning at `pos` (a column of 0 when only the line is known).
    fn warn(&mut self, code: Code, message: impl Into<String>, pos: SourcePos) {
        if self.issued >= MAX_WARNINGS {
            self.suppressed += 1;
            return;
        }
        self.issued += 1;
        self.warnings.push(
            Diagnostic::warning(code, message)
                .in_file(&self.file)
                .at(pos),
        );
    }

    fn warn_depth(&mut self, line: u32) {
        if !self.depth_warned {
            self.depth_warned = true;
            self.warn(
                Code::DeepNesting,
                format!("markup nested more than {MAX_NESTING} levels deep was flattened"),
                SourcePos { line, column: 0 },
            );
        }
    }

    /// Warns where a heading goes more than one level deeper than the
    /// chapter's previous one (or than level 1 at its start): reading
    /// systems and screen readers navigate by that outline, and a gap in it
    /// is a missing section (WCAG 1.3.1).
    fn check_heading_level(&mut self, level: u8, pos: SourcePos) {
        let expected = self.heading_level + 1;
        if level > expected {
            let hashes = "#".repeat(usize::from(level));
            let message = match self.heading_level {
                0 => format!(
                    "heading `{hashes}` (level {level}) opens the chapter: the outline skips level {expected}; start the chapter with `#`"
                ),
                previous => format!(
                    "heading `{hashes}` (level {level}) follows a level-{previous} heading: the outline skips level {expected}; use `{}`",
                    "#".repeat(usize::from(expected))
                ),
            };
            self.warn(Code::HeadingSkip, message, pos);
        }
        self.heading_level = level;
    }

    /// Pops the top frame, keeping the depth counters right.
    fn pop_frame(&mut self) -> Option<Frame> {
        let frame = self.stack.pop()?;
        if frame.nested {
            self.depth -= 1;
        }
        if let Kind::InlineHtml {
            mode: HtmlMode::Keep(_),
            ..
        } = frame.kind
        {
            self.html_depth -= 1;
        }
        Some(frame)
    }

    /// Removes characters XHTML cannot carry, with a warning.
    fn clean<'t>(&mut self, text: &'t str, offset: usize) -> Cow<'t, str> {
        let cleaned = strip_forbidden(text);
        if let Cow::Owned(_) = cleaned {
            let first = text.find(is_forbidden).unwrap_or(0);
            // Text events map to the source one to one, except entities.
            let pos = self.lines.pos(offset + first);
            let line = pos.line;
            if self.control_lines.insert(line) {
                if self.control_warnings < MAX_CONTROL_WARNINGS {
                    self.control_warnings += 1;
                    self.warn(
                        Code::ControlCharacter,
                        "control characters removed from the text (they cannot appear in a book)",
                        pos,
                    );
                } else {
                    // Counted in the chapter's `too-many-warnings`.
                    self.suppressed += 1;
                }
            }
        }
        cleaned
    }

    fn push_frame(&mut self, kind: Kind, pos: SourcePos, nested: bool) {
        let mut frame = Frame::new(kind, pos);
        if nested {
            if self.depth >= MAX_NESTING {
                frame.kind = Kind::Transparent;
                self.warn_depth(pos.line);
            } else {
                self.depth += 1;
                frame.nested = true;
            }
        }
        self.stack.push(frame);
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        let pos = self.lines.pos(range.start);
        let (kind, nested) = match tag {
            Tag::Paragraph => (Kind::Paragraph, false),
            Tag::Heading {
                level, id, classes, ..
            } => (
                Kind::Heading {
                    level: level as u8,
                    id: id.map(|id| id.to_string()),
                    classes: classes
                        .iter()
                        .map(|c| strip_forbidden(c).into_owned())
                        .collect(),
                },
                false,
            ),
            Tag::BlockQuote(None) => (Kind::Quote, true),
            Tag::BlockQuote(Some(kind)) => (Kind::Callout(callout_kind(kind)), true),
            Tag::DefinitionList => (Kind::Definitions(Vec::new()), true),
            Tag::DefinitionListTitle => (Kind::Term, false),
            Tag::DefinitionListDefinition => (Kind::Detail, true),
            Tag::Strikethrough => (Kind::Marked(Mark::Strike), true),
            Tag::MetadataBlock(MetadataBlockKind::YamlStyle) => (Kind::FrontMatter, false),
            Tag::CodeBlock(kind) => {
                let language = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split_whitespace()
                        .next()
                        .map(|l| strip_forbidden(l).into_owned())
                        .filter(|l| !l.is_empty()),
                    CodeBlockKind::Indented => None,
                };
                let code = Kind::Code {
                    language,
                    text: String::new(),
                };
                (code, false)
            }
            Tag::HtmlBlock => (
                Kind::HtmlBlock {
                    raw: String::new(),
                    offset: range.start,
                },
                false,
            ),
            Tag::List(start) => (
                Kind::List {
                    start,
                    items: Vec::new(),
                },
                true,
            ),
            Tag::Item => (Kind::Item, true),
            Tag::FootnoteDefinition(label) => (
                Kind::Footnote {
                    label: label.to_string(),
                },
                true,
            ),
            Tag::Table(alignments) => (
                Kind::Table {
                    align: alignments.iter().map(align).collect(),
                    head: Vec::new(),
                    rows: Vec::new(),
                },
                false,
            ),
            Tag::TableHead => (
                Kind::Row {
                    head: true,
                    cells: Vec::new(),
                },
                false,
            ),
            Tag::TableRow => (
                Kind::Row {
                    head: false,
                    cells: Vec::new(),
                },
                false,
            ),
            Tag::TableCell => (Kind::Cell, false),
            Tag::Emphasis => (Kind::Emphasis, true),
            Tag::Strong => (Kind::Strong, true),
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                let dest = if link_type == LinkType::Email && !dest_url.contains(':') {
                    format!("mailto:{dest_url}")
                } else {
                    dest_url.to_string()
                };
                let target = match links::resolve_link(&dest, self.path, self.index, self.chapters)
                {
                    Ok(target) => Some(target),
                    Err(why) => {
                        self.warn(
                            Code::BrokenLink,
                            format!("link to `{dest}` removed, its text kept: {why}"),
                            pos,
                        );
                        None
                    }
                };
                (Kind::Link(target), true)
            }
            Tag::Image {
                dest_url, title, ..
            } => (
                Kind::Image {
                    dest: dest_url.to_string(),
                    full_bleed: title.trim() == FULL_BLEED,
                },
                true,
            ),
            // Superscript, subscript, wiki links and `+++` metadata are not
            // enabled.
            _ => (Kind::Transparent, false),
        };
        self.push_frame(kind, pos, nested);
    }

    fn end(&mut self, _end: TagEnd) -> Result<()> {
        self.unwind_inline_html();
        if self.stack.len() < 2 {
            return Ok(());
        }
        let Frame {
            kind, pos, content, ..
        } = self.pop_frame().expect("checked above");
        match kind {
            // Never on top of another frame; put it back.
            Kind::Root => self.stack.push(Frame {
                kind: Kind::Root,
                pos,
                content,
                nested: false,
            }),
            Kind::Paragraph => {
                let inlines = trim(content.inlines);
                if !inlines.is_empty() {
                    self.top().add_block(Block {
                        kind: BlockKind::Paragraph(inlines),
                        pos,
                    });
                }
            }
            Kind::Heading { level, id, classes } => {
                self.check_heading_level(level, pos);
                let content = trim(content.inlines);
                let id = id
                    .and_then(|id| self.ids.written(&id))
                    .unwrap_or_else(|| self.ids.next(&plain_text(&content)));
                self.top().add_block(Block {
                    kind: BlockKind::Heading {
                        level,
                        id,
                        classes,
                        content,
                    },
                    pos,
                });
            }
            Kind::FrontMatter => self.warn(Code::FrontMatter,
                "YAML front matter is not read (book metadata belongs in book.toml); it was left out of the book",
                pos,
            ),
            Kind::Callout(kind) => {
                let blocks = content.into_blocks();
                self.top().add_block(Block {
                    kind: BlockKind::Callout { kind, blocks },
                    pos,
                });
            }
            Kind::Definitions(definitions) => {
                // Blocks flattened into the list for depth come after it.
                let rest = content.into_blocks();
                if !definitions.is_empty() {
                    self.top().add_block(Block {
                        kind: BlockKind::Definitions(definitions),
                        pos,
                    });
                }
                rest.into_iter().for_each(|b| self.top().add_block(b));
            }
            Kind::Term => {
                let term = trim(content.inlines);
                match &mut self.top().kind {
                    Kind::Definitions(definitions) => definitions.push(Definition {
                        term,
                        details: Vec::new(),
                        pos,
                    }),
                    _ => self.top().add_block(Block {
                        kind: BlockKind::Paragraph(term),
                        pos,
                    }),
                }
            }
            Kind::Detail => {
                let blocks = content.into_blocks();
                match &mut self.top().kind {
                    Kind::Definitions(definitions) if !definitions.is_empty() => {
                        if let Some(last) = definitions.last_mut() {
                            last.details.push(blocks);
                        }
                    }
                    _ => blocks.into_iter().for_each(|b| self.top().add_block(b)),
                }
            }
            Kind::Code { language, text } if language.as_deref() == Some(verse::LANGUAGE) => {
                // The block's text starts on the line after its fence.
                let first_line = pos.line + 1;
                self.top().add_block(Block {
                    kind: BlockKind::Verse(verse::stanzas(&text, first_line)),
                    pos,
                });
            }
            Kind::Code { language, mut text } => {
                if text.ends_with('\n') {
                    text.pop();
                }
                self.top().add_block(Block {
                    kind: BlockKind::Code { language, text },
                    pos,
                });
            }
            Kind::HtmlBlock { raw, offset } => self.html_block(&raw, offset, pos),
            Kind::Quote => {
                let blocks = content.into_blocks();
                self.top().add_block(Block {
                    kind: BlockKind::Quote(blocks),
                    pos,
                });
            }
            Kind::List { start, mut items } => {
                // Content of items flattened for depth lands here.
                let rest = content.into_blocks();
                if !rest.is_empty() {
                    items.push(rest);
                }
                if !items.is_empty() {
                    self.top().add_block(Block {
                        kind: BlockKind::List { start, items },
                        pos,
                    });
                }
            }
            Kind::Item => {
                let blocks = content.into_blocks();
                match &mut self.top().kind {
                    Kind::List { items, .. } => items.push(blocks),
                    _ => blocks.into_iter().for_each(|b| self.top().add_block(b)),
                }
            }
            Kind::Footnote { label } => {
                let blocks = content.into_blocks();
                if !self.footnotes.define(&label, pos, blocks) {
                    self.warn(Code::Footnote,
                        format!(
                            "footnote `[^{label}]` is defined twice; the first definition is used"
                        ),
                        pos,
                    );
                }
            }
            Kind::Table { align, head, rows } => {
                let columns = align.len().max(head.len());
                let fit = |mut cells: Vec<Vec<Inline>>| {
                    cells.resize_with(columns, Vec::new);
                    cells
                };
                let head = fit(head);
                let rows = rows.into_iter().map(fit).collect();
                let mut align = align;
                align.resize(columns, Align::None);
                self.top().add_block(Block {
                    kind: BlockKind::Table { align, head, rows },
                    pos,
                });
            }
            Kind::Row { head, cells } => match &mut self.top().kind {
                Kind::Table {
                    head: table_head,
                    rows,
                    ..
                } => {
                    if head {
                        *table_head = cells;
                    } else {
                        rows.push(cells);
                    }
                }
                _ => {
                    for cell in cells {
                        cell.into_iter().for_each(|i| self.top().add_inline(i));
                    }
                }
            },
            Kind::Cell => {
                let inlines = trim(content.inlines);
                match &mut self.top().kind {
                    Kind::Row { cells, .. } => cells.push(inlines),
                    _ => inlines.into_iter().for_each(|i| self.top().add_inline(i)),
                }
            }
            Kind::Emphasis => self.inline(InlineKind::Emphasis(content.inlines), pos),
            Kind::Strong => self.inline(InlineKind::Strong(content.inlines), pos),
            Kind::Marked(mark) => self.inline(
                InlineKind::Marked {
                    mark,
                    content: content.inlines,
                },
                pos,
            ),
            Kind::Link(Some(target)) => self.inline(
                InlineKind::Link {
                    target,
                    content: content.inlines,
                },
                pos,
            ),
            Kind::Image { dest, full_bleed } => {
                self.image(&dest, &content.inlines, full_bleed, pos)?
            }
            Kind::Link(None) | Kind::Transparent | Kind::InlineHtml { .. } => self.merge(content),
        }
        Ok(())
    }

    /// Moves a closed frame's contents into the frame now on top.
    fn merge(&mut self, content: Content) {
        let top = self.top();
        for block in content.blocks {
            top.add_block(block);
        }
        for inline in content.inlines {
            top.add_inline(inline);
        }
    }

    fn text(&mut self, text: &str, range: Range<usize>) {
        if let Some(Frame {
            kind: Kind::FrontMatter,
            ..
        }) = self.stack.last()
        {
            return;
        }
        if let Some(Frame {
            kind: Kind::Code { .. },
            ..
        }) = self.stack.last()
        {
            let text = self.clean(text, range.start).into_owned();
            if let Some(Frame {
                kind: Kind::Code { text: code, .. },
                ..
            }) = self.stack.last_mut()
            {
                code.push_str(&text);
            }
            return;
        }
        let pos = self.lines.pos(range.start);
        if text == "[" {
            self.check_undefined_footnote(range.start, pos);
        }
        let text = match self.src.get(range.clone()) {
            Some(source) if smart::is_substitution(source, text) => {
                self.smart.choose(self.src, range.clone(), text)
            }
            _ => text,
        };
        let text = self.clean(text, range.start).into_owned();
        self.inline(InlineKind::Text(text), pos);
    }

    /// A formula: MathML for the EPUB when its TeX is understood, else its
    /// TeX as code, with a warning; print always sets the TeX (said once).
    fn math(&mut self, tex: &str, display: bool, range: Range<usize>) {
        let pos = self.lines.pos(range.start);
        let tex = self.clean(tex, range.start).into_owned();
        let mathml = match self.mathml.then(|| math::mathml(&tex, display)) {
            None => None,
            Some(Ok(mathml)) => Some(mathml),
            Some(Err(why)) => {
                self.warn(
                    Code::Math,
                    format!(
                        "math `{}` is not understood ({why}); it is set as its TeX source",
                        snippet(&tex)
                    ),
                    pos,
                );
                None
            }
        };
        if self.formulas == 0 {
            self.warn(Code::Math,
                "math is set as MathML in the EPUB, but as its TeX source in the PDF (warraq has no math layout for print)",
                pos,
            );
        }
        self.formulas += 1;
        self.inline(
            InlineKind::Math {
                tex,
                mathml,
                display,
            },
            pos,
        );
    }

    /// pulldown-cmark leaves a reference to an undefined footnote as literal
    /// text, starting with a lone `[` text event; tell the author.
    fn check_undefined_footnote(&mut self, offset: usize, pos: SourcePos) {
        let Some(rest) = self.src.get(offset..) else {
            return;
        };
        let escaped = self.src[..offset]
            .bytes()
            .rev()
            .take_while(|&b| b == b'\\')
            .count()
            % 2
            == 1;
        if escaped {
            return;
        }
        let Some(after) = rest.strip_prefix("[^") else {
            return;
        };
        let Some(end) = after.find(']') else { return };
        let label = &after[..end];
        if label.is_empty()
            || label.len() > 200
            || label.contains(|c: char| c.is_whitespace() || c == '[')
        {
            return;
        }
        self.warn(
            Code::Footnote,
            format!("footnote `[^{label}]` is not defined in this chapter; kept as text"),
            pos,
        );
    }

    fn image(
        &mut self,
        dest: &str,
        alt: &[Inline],
        full_bleed: bool,
        pos: SourcePos,
    ) -> Result<()> {
        let alt = plain_text(alt);
        let base = self.path.parent().unwrap_or(Path::new(""));
        match links::load_image(self.book, base, dest, self.pictures) {
            Ok(ImageRef::Local(key)) => {
                if alt.trim().is_empty() {
                    self.warn(Code::MissingAlt,
                        format!(
                            "picture `{key}` has no alt text: screen readers pass over it as decoration (in the EPUB and the tagged PDF); describe it in `![…]({dest})` if it shows something"
                        ),
                        pos,
                    );
                }
                self.inline(
                    InlineKind::Image {
                        key,
                        alt,
                        full_bleed,
                    },
                    pos,
                )
            }
            Ok(ImageRef::Remote) => {
                self.warn(Code::RemotePicture,
                    format!(
                        "picture `{dest}` is on the web and was left out (pictures must be files in the book folder); its description is kept"
                    ),
                    pos,
                );
                if !alt.is_empty() {
                    self.inline(InlineKind::Text(alt), pos);
                }
            }
            // An error, but the rest of the book is still checked: the
            // description stands in for the picture meanwhile.
            Err(why) => {
                self.errors.push(
                    Diagnostic::error(Code::MissingPicture, why)
                        .in_file(&self.file)
                        .at(pos),
                );
                if !alt.is_empty() {
                    self.inline(InlineKind::Text(alt), pos);
                }
            }
        }
        Ok(())
    }

    // -----------------------------------------------------------------------
    // Raw HTML

    fn html_block_piece(&mut self, raw: &str, range: Range<usize>) {
        match self.stack.last_mut() {
            Some(Frame {
                kind: Kind::HtmlBlock { raw: block, .. },
                ..
            }) => block.push_str(raw),
            _ => {
                let pos = self.lines.pos(range.start);
                self.html_block(raw, range.start, pos);
            }
        }
    }

    fn html_block(&mut self, raw: &str, offset: usize, pos: SourcePos) {
        let mut issues = Vec::new();
        let html = html::sanitize_block(raw, &mut issues);
        for issue in issues {
            let newlines = raw.as_bytes()[..issue.offset.min(raw.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            let line = self.lines.line(offset) + u32::try_from(newlines).unwrap_or(0);
            self.warn(Code::RawHtml, issue.message, SourcePos { line, column: 0 });
        }
        match html {
            Some(html) if !html.trim().is_empty() => {
                let html = html.trim_end_matches('\n').to_string();
                if let Some(name) = unprinted_element(&html) {
                    self.warn(
                        Code::RawHtml,
                        format!(
                            "raw HTML `<{name}>` is kept in the EPUB; the PDF sets only its words"
                        ),
                        pos,
                    );
                }
                self.top().add_block(Block {
                    kind: BlockKind::Html(html),
                    pos,
                });
            }
            Some(_) => {}
            // Not well-formed: its words are the writer's, so they stay, as
            // written (the warning says so).
            None => {
                let text = Inline {
                    kind: InlineKind::Text(collapse_whitespace(&self.clean(raw, offset))),
                    pos,
                };
                self.top().add_block(Block {
                    kind: BlockKind::Paragraph(vec![text]),
                    pos,
                });
            }
        }
    }

    fn inline_html(&mut self, raw: &str, range: Range<usize>) {
        let pos = self.lines.pos(range.start);
        let mut issues = Vec::new();
        let tag = html::inline_tag(raw, &mut issues);
        for issue in issues {
            self.warn(Code::RawHtml, issue.message, pos);
        }
        match tag {
            InlineTag::Comment => {}
            InlineTag::Other(why) => {
                self.warn(
                    Code::RawHtml,
                    format!("raw HTML `{}` removed: {why}", snippet(raw)),
                    pos,
                );
            }
            InlineTag::Close { name } => {
                let matches = matches!(
                    self.stack.last(),
                    Some(Frame { kind: Kind::InlineHtml { name: open, .. }, .. }) if *open == name
                );
                if matches {
                    let frame = self.pop_frame().expect("checked above");
                    self.close_inline_html(frame);
                } else {
                    self.warn(Code::RawHtml,
                        format!("raw HTML `</{name}>` removed: it closes no tag opened in this paragraph"),
                        pos,
                    );
                }
            }
            InlineTag::Open {
                name,
                class,
                empty,
                tag,
            } => {
                if empty {
                    self.inline_empty_element(&name, class, tag, pos);
                    return;
                }
                if let Some(styling) = Styling::of(&name) {
                    if tag.as_deref().is_some_and(|t| t.contains(' ')) {
                        self.warn(Code::RawHtml,
                            format!("raw HTML `<{name}>`: its attributes were removed (the text is styled, nothing else is kept)"),
                            pos,
                        );
                    }
                    let kind = Kind::InlineHtml {
                        name,
                        mode: HtmlMode::Style(styling),
                        offset: range.start,
                    };
                    self.push_frame(kind, pos, true);
                    return;
                }
                let parent = match self.stack.last() {
                    Some(Frame {
                        kind:
                            Kind::InlineHtml {
                                name,
                                mode: HtmlMode::Keep(_),
                                ..
                            },
                        ..
                    }) => Some(name.as_str()),
                    _ => None,
                };
                let misplaced = html::fits_in(&name, parent).err();
                // A `<span lang>` keeps its language for both writers.
                let span_language = tag
                    .as_deref()
                    .filter(|_| name == "span")
                    .and_then(|t| html::attribute(t, "lang"));
                let mode = match (class, tag) {
                    (Class::Phrasing, Some(_)) if misplaced.is_some() => {
                        let why = misplaced.unwrap_or_default();
                        self.warn(
                            Code::RawHtml,
                            format!("raw HTML `<{name}>`: its tags were removed: {why}"),
                            pos,
                        );
                        HtmlMode::Unwrap
                    }
                    (Class::Phrasing, Some(tag)) if !html::has_required_attributes(&name, &tag) => {
                        self.warn(
                            Code::RawHtml,
                            format!(
                                "raw HTML `<{name}>` needs a `dir` attribute; its tags were removed"
                            ),
                            pos,
                        );
                        HtmlMode::Unwrap
                    }
                    (Class::Phrasing, Some(tag)) if span_language.is_some() => HtmlMode::Language {
                        start_tag: tag,
                        language: span_language.unwrap_or_default(),
                    },
                    (Class::Phrasing, Some(tag)) => {
                        if !PRINTED_AS_TEXT.contains(&name.as_str()) {
                            self.warn(Code::RawHtml,
                                format!("raw HTML `<{name}>` is kept in the EPUB; the PDF sets only its text"),
                                pos,
                            );
                        }
                        HtmlMode::Keep(tag)
                    }
                    (Class::Dangerous, _) => {
                        self.warn(Code::RawHtml,
                            format!("raw HTML `<{name}>` is not allowed in a book; it was removed with its content"),
                            pos,
                        );
                        HtmlMode::Drop
                    }
                    (Class::Flow, _) => {
                        self.warn(Code::RawHtml,
                            format!("raw HTML `<{name}>` cannot appear inside a paragraph; its tags were removed"),
                            pos,
                        );
                        HtmlMode::Unwrap
                    }
                    _ => {
                        self.warn(Code::RawHtml,
                            format!("raw HTML `<{name}>` is not supported; its tags were removed, its text kept"),
                            pos,
                        );
                        HtmlMode::Unwrap
                    }
                };
                // Kept elements nest inside one string, not the document
                // tree; still, keep their depth sane. Unwrapped ones vanish.
                let mode = match mode {
                    HtmlMode::Keep(_) if self.html_depth >= MAX_NESTING => {
                        self.warn_depth(pos.line);
                        HtmlMode::Unwrap
                    }
                    HtmlMode::Keep(tag) => {
                        self.html_depth += 1;
                        HtmlMode::Keep(tag)
                    }
                    other => other,
                };
                let kind = Kind::InlineHtml {
                    name,
                    mode,
                    offset: range.start,
                };
                self.push_frame(kind, pos, false);
            }
        }
    }

    /// `<br>`, `<hr>`, `<span/>`… inside a paragraph.
    fn inline_empty_element(
        &mut self,
        name: &str,
        class: Class,
        tag: Option<String>,
        pos: SourcePos,
    ) {
        match (class, tag) {
            _ if name == "br" => self.inline(InlineKind::LineBreak, pos),
            (Class::Phrasing, Some(tag)) => {
                let html = if html::is_void(name) {
                    tag
                } else {
                    format!("{tag}</{name}>")
                };
                self.inline(InlineKind::Html(html), pos);
            }
            (Class::Flow, _) => self.warn(
                Code::RawHtml,
                format!("raw HTML `<{name}>` cannot appear inside a paragraph; removed"),
                pos,
            ),
            (Class::Dangerous, _) => self.warn(
                Code::RawHtml,
                format!("raw HTML `<{name}>` is not allowed in a book; removed"),
                pos,
            ),
            _ => self.warn(
                Code::RawHtml,
                format!("raw HTML `<{name}>` is not supported; removed"),
                pos,
            ),
        }
    }

    /// The end tag of an inline element arrived: emit the whole element.
    fn close_inline_html(&mut self, frame: Frame) {
        let Frame {
            kind: Kind::InlineHtml { name, mode, .. },
            pos,
            content,
            ..
        } = frame
        else {
            return;
        };
        match mode {
            HtmlMode::Drop => {}
            HtmlMode::Unwrap => self.merge(content),
            HtmlMode::Style(styling) => self.inline(styling.inline(content.inlines), pos),
            HtmlMode::Language {
                start_tag,
                language,
            } => {
                let kind = InlineKind::Language {
                    language,
                    start_tag,
                    content: content.inlines,
                };
                self.inline(kind, pos)
            }
            HtmlMode::Keep(tag) => match inlines_to_xhtml(&content.inlines) {
                Some(inner) => {
                    let html = format!("{tag}{inner}</{name}>");
                    self.inline(InlineKind::Html(html), pos);
                }
                None => {
                    let message = format!(
                        "raw HTML `<{name}>` around a link, picture or footnote: its tags were removed"
                    );
                    self.warn(Code::RawHtml, message, pos);
                    self.merge(content);
                }
            },
        }
    }

    /// Inline HTML elements still open when their paragraph (or other
    /// container) ends: drop their tags, keep their text.
    fn unwind_inline_html(&mut self) {
        while let Some(Frame {
            kind: Kind::InlineHtml { .. },
            ..
        }) = self.stack.last()
        {
            let Some(Frame {
                kind: Kind::InlineHtml { name, mode, offset },
                content,
                ..
            }) = self.pop_frame()
            else {
                continue;
            };
            let pos = self.lines.pos(offset);
            let message = format!(
                "raw HTML `<{name}>` is not closed in the same paragraph; its tags were removed"
            );
            self.warn(Code::RawHtml, message, pos);
            if !matches!(mode, HtmlMode::Drop) {
                self.merge(content);
            }
        }
    }

    /// A picture titled `"full-bleed"` gets a page of its own only where it
    /// stands alone in a paragraph of the text; anywhere else (in a line of
    /// text, a table, a note) it is set as any other picture, and a warning
    /// says so.
    fn settle_full_bleed(&mut self, blocks: &mut [Block], footnotes: &mut [Footnote]) {
        let mut standing = HashSet::new();
        walk::blocks(blocks, &mut |block| {
            if let BlockKind::Paragraph(inlines) = &block.kind {
                for picture in block_pictures(inlines).into_iter().flatten() {
                    standing.insert((picture.pos.line, picture.pos.column));
                }
            }
        });
        let mut loose = Vec::new();
        let mut settle = |inline: &mut Inline, in_note: bool| {
            if let InlineKind::Image { full_bleed, .. } = &mut inline.kind {
                let pos = inline.pos;
                if *full_bleed && (in_note || !standing.contains(&(pos.line, pos.column))) {
                    *full_bleed = false;
                    loose.push(pos);
                }
            }
        };
        walk::inlines_mut(blocks, &mut |inline| settle(inline, false));
        for note in footnotes.iter_mut() {
            walk::inlines_mut(&mut note.blocks, &mut |inline| settle(inline, true));
        }
        for pos in loose {
            self.warn(
                Code::FullBleedInline,
                format!(
                    "a picture titled \"{FULL_BLEED}\" gets a page of its own only when it \
                     stands alone in a paragraph of the text; this one is set as any other"
                ),
                pos,
            );
        }
    }

    fn finish(mut self) -> Result<Chapter> {
        self.unwind_inline_html();
        // Anything left open (pulldown-cmark always closes, but be safe).
        while self.stack.len() > 1 {
            let frame = self.pop_frame().expect("length checked");
            self.merge(frame.content);
        }
        let root = self.stack.pop().expect("the root frame");
        let mut blocks = root.content.into_blocks();
        let mut footnotes =
            std::mem::take(&mut self.footnotes).finish(&mut blocks, &self.file, self.warnings);
        ids::remove_duplicate_html_ids(&mut blocks, &mut footnotes, &self.file, self.warnings);
        self.settle_full_bleed(&mut blocks, &mut footnotes);
        let title = blocks
            .iter()
            .find_map(|b| match &b.kind {
                BlockKind::Heading { content, .. } => Some(content.clone()),
                _ => None,
            })
            .unwrap_or_else(|| {
                let stem = self
                    .path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                vec![Inline {
                    kind: InlineKind::Text(stem),
                    pos: SourcePos { line: 1, column: 1 },
                }]
            });
        Ok(Chapter {
            source: self.path.to_path_buf(),
            title,
            blocks,
            footnotes,
        })
    }
}

/// Raw HTML elements whose text alone reads as they mean in print: no
/// warning that the PDF keeps only their text.
const PRINTED_AS_TEXT: &[&str] = &[
    "p", "div", "span", "br", "section", "aside", "header", "footer", "abbr", "bdi", "time",
];

/// The first element of sanitized `html` that print does not render (it
/// keeps only the words), if any.
fn unprinted_element(html: &str) -> Option<String> {
    html.match_indices('<').find_map(|(at, _)| {
        let name: String = html[at + 1..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        (!name.is_empty() && !PRINTED_AS_TEXT.contains(&name.as_str())).then_some(name)
    })
}

fn callout_kind(kind: BlockQuoteKind) -> CalloutKind {
    match kind {
        BlockQuoteKind::Note => CalloutKind::Note,
        BlockQuoteKind::Tip => CalloutKind::Tip,
        BlockQuoteKind::Important => CalloutKind::Important,
        BlockQuoteKind::Warning => CalloutKind::Warning,
        BlockQuoteKind::Caution => CalloutKind::Caution,
    }
}

fn align(a: &Alignment) -> Align {
    match a {
        Alignment::None => Align::None,
        Alignment::Left => Align::Left,
        Alignment::Center => Align::Center,
        Alignment::Right => Align::Right,
    }
}

/// The start of a raw HTML piece, for messages.
fn snippet(raw: &str) -> String {
    let one_line = raw.trim().replace('\n', " ");
    match one_line.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

/// Serializes inlines inside an allowed inline HTML element, or `None` when
/// they hold something only writers can render (links, pictures, footnotes).
fn inlines_to_xhtml(inlines: &[Inline]) -> Option<String> {
    let mut out = String::new();
    for inline in inlines {
        match &inline.kind {
            InlineKind::Text(t) => push_escaped(&mut out, t),
            InlineKind::Code(t) => {
                out.push_str("<code>");
                push_escaped(&mut out, t);
                out.push_str("</code>");
            }
            InlineKind::Emphasis(c) => {
                out.push_str("<em>");
                out.push_str(&inlines_to_xhtml(c)?);
                out.push_str("</em>");
            }
            InlineKind::Strong(c) => {
                out.push_str("<strong>");
                out.push_str(&inlines_to_xhtml(c)?);
                out.push_str("</strong>");
            }
            InlineKind::Marked { mark, content } => {
                let name = mark.html_element();
                out.push_str(&format!("<{name}>"));
                out.push_str(&inlines_to_xhtml(content)?);
                out.push_str(&format!("</{name}>"));
            }
            InlineKind::Language {
                start_tag, content, ..
            } => {
                out.push_str(start_tag);
                out.push_str(&inlines_to_xhtml(content)?);
                out.push_str("</span>");
            }
            InlineKind::LineBreak => out.push_str("<br/>"),
            InlineKind::Html(h) => out.push_str(h),
            InlineKind::Link { .. }
            | InlineKind::Image { .. }
            | InlineKind::FootnoteRef { .. }
            | InlineKind::Math { .. }
            | InlineKind::Task { .. } => {
                return None;
            }
        }
    }
    Some(out)
}
