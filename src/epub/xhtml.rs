//! XHTML content documents: the cover, the title page and one file per
//! chapter, rendered from the document model's blocks and inlines.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use super::pagelist::{self, Marks};
use super::{CSS, ImageEntry, Plan};
use crate::diag::{Code, Diagnostic, Result};
use crate::doc::{
    Align, Anchor, Block, BlockKind, Chapter, Direction, Footnote, Inline, InlineKind, LinkTarget,
    bidi_text, block_direction, block_pictures, blocks_bidi_text, task,
};
use crate::locale;
use crate::text::address;
use crate::xml::{escape, push_escaped};
use quick_xml::events::Event;
use unicode_script::Script;

/// A complete XHTML document: the book's `lang` and `dir` on `<html>`, the
/// stylesheet linked, `body` inserted as is after `<body{body_attrs}>`.
pub(crate) fn document(plan: &Plan, title: &str, body_attrs: &str, body: &str) -> String {
    let lang = escape(&plan.lang);
    let mut out = String::with_capacity(body.len() + 512);
    let _ = write!(
        out,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="{lang}" xml:lang="{lang}" dir="{dir}">
<head>
<meta charset="utf-8"/>
<title>{title}</title>
<link rel="stylesheet" type="text/css" href="{CSS}"/>
</head>
<body{body_attrs}>
"#,
        dir = plan.dir,
        title = escape(title),
    );
    out.push_str(body);
    out.push_str("</body>\n</html>\n");
    out
}

/// `cover.xhtml`: the cover picture alone, fitted whole to the screen.
pub(crate) fn cover(plan: &Plan) -> String {
    let image = &plan.cover;
    let body = format!(
        "<section class=\"cover\" epub:type=\"cover\">\n\
         <img src=\"{src}\" alt=\"{alt}\" role=\"doc-cover\"{size}/>\n\
         </section>\n",
        src = escape(&image.href),
        alt = escape(&plan.title),
        size = size_attributes(image),
    );
    document(plan, plan.strings.cover, " class=\"cover\"", &body)
}

/// `titlepage.xhtml`: the title and the authors.
pub(crate) fn title_page(plan: &Plan) -> String {
    let mut body = String::from("<section class=\"titlepage\" epub:type=\"titlepage\">\n");
    for mark in &plan.page_list.title_page {
        pagelist::push_marker(&mut body, mark);
    }
    let languages = Languages::of_book(plan, plan.doc.metadata.direction);
    body.push_str("<h1 class=\"title\">");
    languages.push_text(&mut body, &plan.title);
    body.push_str("</h1>\n");
    for author in plan.authors() {
        body.push_str("<p class=\"author\">");
        languages.push_text(&mut body, author);
        body.push_str("</p>\n");
    }
    body.push_str("</section>\n");
    document(plan, &plan.title, "", &body)
}

/// The XHTML of chapter `index`, `chapter`.
pub(crate) fn chapter(plan: &Plan, index: usize, chapter: &Chapter) -> Result<String> {
    let entry = &plan.chapters[index];
    let mut w = ChapterWriter::new(plan, index, chapter);

    w.out
        .push_str("<section epub:type=\"chapter\" role=\"doc-chapter\"");
    match chapter.blocks.first().map(|b| &b.kind) {
        Some(BlockKind::Heading { id, .. }) => {
            let _ = write!(w.out, " aria-labelledby=\"{}\"", escape(id));
        }
        _ => {
            let _ = write!(w.out, " aria-label=\"{}\"", escape(&entry.title));
        }
    }
    w.out.push_str(">\n");
    w.blocks(&chapter.blocks)?;
    w.marks.rest(&mut w.out);
    w.footnotes()?;
    w.out.push_str("</section>\n");
    Ok(document(plan, &entry.title, "", &w.out))
}

/// Renders one chapter's blocks into `out`.
struct ChapterWriter<'p, 'a> {
    plan: &'p Plan<'a>,
    chapter: &'p Chapter,
    out: String,
    /// Ids used so far (headings first), so generated ids never collide.
    ids: HashSet<String>,
    /// Id of footnote n (1-based) at index n - 1.
    note_ids: Vec<String>,
    /// Id of the first reference to each footnote, by number.
    first_refs: HashMap<u32, String>,
    /// The direction of the element being written into: a block says its
    /// own only where it differs.
    direction: Direction,
    /// The print edition's page breaks still to place (none in the notes,
    /// which print at the foot of the pages that call them).
    marks: Marks<'p>,
    /// The script of the language the text being written is declared in
    /// (the book's, or a `<span lang>`'s): words in another are marked.
    home: Script,
}

impl<'p, 'a> ChapterWriter<'p, 'a> {
    fn new(plan: &'p Plan<'a>, index: usize, chapter: &'p Chapter) -> Self {
        let mut ids = plan.chapters[index].ids.clone();
        // Notes are numbered per chapter; their ids are unique in the book
        // (`fn-2-1`: chapter 2, note 1), as some reading systems that show
        // them as pop-ups want.
        let note_ids = (1..=chapter.footnotes.len())
            .map(|n| unique_id(&mut ids, &format!("fn-{}-{n}", index + 1)))
            .collect();
        ChapterWriter {
            plan,
            chapter,
            out: String::new(),
            ids,
            note_ids,
            first_refs: HashMap::new(),
            direction: plan.doc.metadata.direction,
            home: locale::home_script(&plan.doc.metadata.language),
            marks: Marks::new(
                plan.page_list
                    .chapters
                    .get(index)
                    .map_or(&[][..], Vec::as_slice),
            ),
        }
    }

    /// How text written here marks words in other scripts.
    fn languages(&self) -> Languages<'a> {
        Languages {
            home: self.home,
            direction: self.direction,
            chosen: &self.plan.doc.metadata.script_languages,
        }
    }

    fn error(&self, message: String, line: u32) -> Diagnostic {
        Diagnostic::error(Code::Internal, message)
            .in_file(&self.chapter.source)
            .at_line(line)
    }

    fn blocks(&mut self, blocks: &[Block]) -> Result<()> {
        for block in blocks {
            self.block(block)?;
        }
        Ok(())
    }

    /// The direction of a block holding `text` ([`block_direction`], the
    /// rule the print layout uses), and its ` dir="…"` when that differs
    /// from the direction it sits in (else nothing: it inherits).
    fn direction_of(&self, text: &str) -> (Direction, &'static str) {
        let direction = block_direction(self.plan.doc.metadata.direction, text);
        let attribute = match direction {
            _ if direction == self.direction => "",
            Direction::Ltr => " dir=\"ltr\"",
            Direction::Rtl => " dir=\"rtl\"",
        };
        (direction, attribute)
    }

    /// Writes `blocks` inside an element of `direction`.
    fn blocks_in(&mut self, direction: Direction, blocks: &[Block]) -> Result<()> {
        self.in_direction(direction, |w| w.blocks(blocks))
    }

    /// Runs `write` with `direction` as the direction written into.
    fn in_direction(
        &mut self,
        direction: Direction,
        write: impl FnOnce(&mut Self) -> Result<()>,
    ) -> Result<()> {
        let outer = std::mem::replace(&mut self.direction, direction);
        let written = write(self);
        self.direction = outer;
        written
    }

    fn block(&mut self, block: &Block) -> Result<()> {
        match &block.kind {
            BlockKind::Heading {
                level,
                id,
                classes,
                content,
            } => {
                let level = (*level).clamp(1, 6);
                let (direction, dir) = self.direction_of(&bidi_text(content));
                let _ = write!(self.out, "<h{level} id=\"{}\"", escape(id));
                if !classes.is_empty() {
                    let _ = write!(self.out, " class=\"{}\"", escape(&classes.join(" ")));
                }
                let _ = write!(self.out, "{dir}>");
                self.inlines_in(direction, content)?;
                let _ = writeln!(self.out, "</h{level}>");
            }
            BlockKind::Paragraph(content) => {
                // Pictures alone in their paragraph are blocks, centred.
                if let Some(pictures) = crate::doc::block_pictures(content) {
                    if pictures.iter().any(|p| p.full_bleed) {
                        self.out.push_str("<p class=\"figure full-bleed\">");
                    } else {
                        self.out.push_str("<p class=\"figure\">");
                    }
                    self.inlines(content)?;
                } else {
                    let (direction, dir) = self.direction_of(&bidi_text(content));
                    let _ = write!(self.out, "<p{dir}>");
                    self.inlines_in(direction, content)?;
                }
                self.out.push_str("</p>\n");
            }
            BlockKind::List { start, items } => {
                let tag = match start {
                    Some(1) => {
                        self.out.push_str("<ol>\n");
                        "ol"
                    }
                    Some(n) => {
                        let _ = writeln!(self.out, "<ol start=\"{n}\">");
                        "ol"
                    }
                    None => {
                        self.out.push_str("<ul>\n");
                        "ul"
                    }
                };
                for item in items {
                    let (direction, dir) = self.direction_of(&blocks_bidi_text(item));
                    let class = if task(item).is_some() {
                        " class=\"task\""
                    } else {
                        ""
                    };
                    let _ = write!(self.out, "<li{class}{dir}>");
                    self.tight_blocks(direction, item)?;
                    self.out.push_str("</li>\n");
                }
                let _ = writeln!(self.out, "</{tag}>");
            }
            BlockKind::Quote(blocks) => {
                let (direction, dir) = self.direction_of(&blocks_bidi_text(blocks));
                let _ = writeln!(self.out, "<blockquote{dir}>");
                self.blocks_in(direction, blocks)?;
                self.out.push_str("</blockquote>\n");
            }
            BlockKind::Callout { kind, blocks } => {
                let (direction, dir) = self.direction_of(&blocks_bidi_text(blocks));
                let _ = writeln!(
                    self.out,
                    "<div class=\"callout {}\" role=\"note\"{dir}>\n<p class=\"callout-label\">{}</p>",
                    kind.name(),
                    escape(self.plan.strings.callout(*kind))
                );
                self.blocks_in(direction, blocks)?;
                self.out.push_str("</div>\n");
            }
            BlockKind::Definitions(definitions) => {
                self.out.push_str("<dl>\n");
                for definition in definitions {
                    let (direction, dir) = self.direction_of(&bidi_text(&definition.term));
                    let _ = write!(self.out, "<dt{dir}>");
                    self.inlines_in(direction, &definition.term)?;
                    self.out.push_str("</dt>\n");
                    for detail in &definition.details {
                        let (direction, dir) = self.direction_of(&blocks_bidi_text(detail));
                        let _ = write!(self.out, "<dd{dir}>");
                        self.tight_blocks(direction, detail)?;
                        self.out.push_str("</dd>\n");
                    }
                }
                self.out.push_str("</dl>\n");
            }
            BlockKind::Code { language, text } => {
                self.out.push_str("<pre dir=\"ltr\"><code");
                if let Some(class) = language.as_deref().and_then(language_class) {
                    let _ = write!(self.out, " class=\"language-{class}\"");
                }
                self.out.push('>');
                let text = text.strip_suffix('\n').unwrap_or(text);
                self.marks
                    .text(&mut self.out, block.pos, text, push_escaped);
                self.out.push_str("</code></pre>\n");
            }
            BlockKind::Table { align, head, rows } => self.table(align, head, rows)?,
            BlockKind::Verse(stanzas) => {
                self.out.push_str("<div class=\"verse\">\n");
                for stanza in stanzas {
                    self.out.push_str("<div class=\"stanza\">\n");
                    for bayt in stanza {
                        // A bayt's halves are on one page.
                        self.marks.before(&mut self.out, Anchor::within(bayt.pos));
                        let class = if bayt.hemistichs.len() == 2 {
                            "bayt"
                        } else {
                            "bayt single"
                        };
                        let _ = write!(self.out, "<p class=\"{class}\">");
                        for (i, hemistich) in bayt.hemistichs.iter().enumerate() {
                            if i > 0 {
                                self.out.push(' ');
                            }
                            self.out.push_str("<span class=\"hemistich\">");
                            push_escaped(&mut self.out, hemistich);
                            self.out.push_str("</span>");
                        }
                        self.out.push_str("</p>\n");
                    }
                    self.out.push_str("</div>\n");
                }
                self.out.push_str("</div>\n");
            }
            BlockKind::Rule => self.out.push_str("<hr/>\n"),
            BlockKind::Html(html) => {
                self.marks.before(&mut self.out, Anchor::within(block.pos));
                self.languages().push_html(&mut self.out, html);
                if !html.ends_with('\n') {
                    self.out.push('\n');
                }
            }
        }
        Ok(())
    }

    /// A list item's or definition's blocks, in an element of `direction`:
    /// one paragraph is written without its `<p>`, so tight lists stay
    /// tight; pictures alone keep theirs, a block as in print.
    fn tight_blocks(&mut self, direction: Direction, blocks: &[Block]) -> Result<()> {
        match blocks {
            [
                Block {
                    kind: BlockKind::Paragraph(content),
                    ..
                },
            ] if block_pictures(content).is_none() => self.inlines(content),
            blocks => {
                self.out.push('\n');
                self.blocks_in(direction, blocks)
            }
        }
    }

    fn table(
        &mut self,
        align: &[Align],
        head: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
    ) -> Result<()> {
        self.out.push_str("<table>\n");
        if !head.is_empty() {
            self.out.push_str("<thead>\n<tr>");
            for (i, cell) in head.iter().enumerate() {
                self.cell("th scope=\"col\"", "th", align.get(i), cell)?;
            }
            self.out.push_str("</tr>\n</thead>\n");
        }
        if !rows.is_empty() {
            self.out.push_str("<tbody>\n");
            for row in rows {
                self.out.push_str("<tr>");
                for (i, cell) in row.iter().enumerate() {
                    self.cell("td", "td", align.get(i), cell)?;
                }
                self.out.push_str("</tr>\n");
            }
            self.out.push_str("</tbody>\n");
        }
        self.out.push_str("</table>\n");
        Ok(())
    }

    fn cell(
        &mut self,
        open: &str,
        close: &str,
        align: Option<&Align>,
        content: &[Inline],
    ) -> Result<()> {
        let class = match align {
            Some(Align::Left) => " class=\"align-left\"",
            Some(Align::Center) => " class=\"align-center\"",
            Some(Align::Right) => " class=\"align-right\"",
            Some(Align::None) | None => "",
        };
        let (direction, dir) = self.direction_of(&bidi_text(content));
        let _ = write!(self.out, "<{open}{class}{dir}>");
        self.inlines_in(direction, content)?;
        let _ = write!(self.out, "</{close}>");
        Ok(())
    }

    /// Writes `inlines` inside an element of `direction`.
    fn inlines_in(&mut self, direction: Direction, inlines: &[Inline]) -> Result<()> {
        self.in_direction(direction, |w| w.inlines(inlines))
    }

    fn inlines(&mut self, inlines: &[Inline]) -> Result<()> {
        for inline in inlines {
            self.inline(inline)?;
        }
        Ok(())
    }

    fn inline(&mut self, inline: &Inline) -> Result<()> {
        // A page that begins with something other than text (a picture)
        // begins where it is.
        self.marks.before(&mut self.out, Anchor::at(inline.pos));
        match &inline.kind {
            InlineKind::Text(text) => {
                let languages = self.languages();
                let push = |out: &mut String, text: &str| languages.push_text(out, text);
                self.marks.text(&mut self.out, inline.pos, text, push);
            }
            InlineKind::Emphasis(content) => {
                self.out.push_str("<em>");
                self.inlines(content)?;
                self.out.push_str("</em>");
            }
            InlineKind::Strong(content) => {
                self.out.push_str("<strong>");
                self.inlines(content)?;
                self.out.push_str("</strong>");
            }
            InlineKind::Marked { mark, content } => {
                let name = mark.html_element();
                let _ = write!(self.out, "<{name}>");
                self.inlines(content)?;
                let _ = write!(self.out, "</{name}>");
            }
            InlineKind::Language {
                start_tag,
                content,
                language,
            } => {
                self.out.push_str(start_tag);
                let outer = std::mem::replace(&mut self.home, locale::home_script(language));
                let written = self.inlines(content);
                self.home = outer;
                written?;
                self.out.push_str("</span>");
            }
            InlineKind::Code(text) => {
                self.out.push_str("<code dir=\"ltr\">");
                self.marks
                    .text(&mut self.out, inline.pos, text, push_escaped);
                self.out.push_str("</code>");
            }
            InlineKind::Math {
                mathml: Some(mathml),
                ..
            } => self.out.push_str(mathml),
            // TeX that could not be read is shown as written (the parser
            // warned).
            InlineKind::Math {
                tex, mathml: None, ..
            } => {
                self.out.push_str("<code dir=\"ltr\" class=\"math\">");
                push_escaped(&mut self.out, tex);
                self.out.push_str("</code>");
            }
            InlineKind::Task { done } => {
                let checked = if *done { " checked=\"checked\"" } else { "" };
                let label = self.plan.strings.task(*done);
                let _ = write!(
                    self.out,
                    "<input type=\"checkbox\" disabled=\"disabled\"{checked} aria-label=\"{}\"/> ",
                    escape(label)
                );
            }
            InlineKind::Link { target, content } => {
                let href = self.href(target, inline.pos.line)?;
                let _ = write!(self.out, "<a href=\"{}\">", escape(&href));
                self.inlines(content)?;
                self.out.push_str("</a>");
            }
            InlineKind::Image { key, alt, .. } => {
                let Some(image) = self.plan.images.get(key.as_str()) else {
                    return Err(self.error(
                        format!("the picture `{key}` was not loaded"),
                        inline.pos.line,
                    ));
                };
                let _ = write!(
                    self.out,
                    "<img src=\"{}\" alt=\"{}\"{}/>",
                    escape(&image.href),
                    escape(alt),
                    size_attributes(image),
                );
            }
            InlineKind::FootnoteRef { number } => {
                let n = *number;
                let Some(note_id) = (n as usize)
                    .checked_sub(1)
                    .and_then(|i| self.note_ids.get(i))
                    .cloned()
                else {
                    return Err(self.error(
                        format!("reference to footnote {n}, which the chapter does not define"),
                        inline.pos.line,
                    ));
                };
                let ref_id = unique_id(&mut self.ids, &format!("fnref{}", &note_id["fn".len()..]));
                self.first_refs.entry(n).or_insert_with(|| ref_id.clone());
                let _ = write!(
                    self.out,
                    "<sup><a epub:type=\"noteref\" href=\"#{}\" id=\"{}\" role=\"doc-noteref\">{}</a></sup>",
                    escape(&note_id),
                    escape(&ref_id),
                    self.plan.doc.layout.numerals.format(u64::from(n)),
                );
            }
            InlineKind::LineBreak => self.out.push_str("<br/>\n"),
            InlineKind::Html(html) => self.languages().push_html(&mut self.out, html),
        }
        Ok(())
    }

    /// The href of a link target, checking chapter links land somewhere.
    fn href(&self, target: &LinkTarget, line: u32) -> Result<String> {
        match target {
            LinkTarget::External(url) => Ok(url.clone()),
            LinkTarget::Chapter { index, anchor } => {
                let Some(entry) = self.plan.chapters.get(*index) else {
                    return Err(self.error(
                        format!(
                            "link to chapter {}, which the book does not have",
                            index + 1
                        ),
                        line,
                    ));
                };
                match anchor {
                    None => Ok(entry.href.clone()),
                    Some(anchor) if entry.ids.contains(anchor) => {
                        Ok(format!("{}#{anchor}", entry.href))
                    }
                    Some(anchor) => Err(self.error(
                        format!(
                            "link to `#{anchor}` in {}, which has no element with that id",
                            self.plan.doc.chapters[*index].source.display()
                        ),
                        line,
                    )),
                }
            }
        }
    }

    /// The chapter's footnotes, each an `<aside epub:type="footnote">` (shown
    /// as a pop-up by readers that support it, at the chapter's end by the
    /// others) opening with a link back to its first reference.
    fn footnotes(&mut self) -> Result<()> {
        if self.chapter.footnotes.is_empty() {
            return Ok(());
        }
        let _ = writeln!(
            self.out,
            "<section class=\"footnotes\" aria-label=\"{}\">",
            escape(self.plan.strings.notes)
        );
        let chapter = self.chapter;
        for (i, note) in chapter.footnotes.iter().enumerate() {
            self.footnote(note, i)?;
        }
        self.out.push_str("</section>\n");
        Ok(())
    }

    fn footnote(&mut self, note: &Footnote, index: usize) -> Result<()> {
        let (direction, dir) = self.direction_of(&blocks_bidi_text(&note.blocks));
        let _ = writeln!(
            self.out,
            "<aside epub:type=\"footnote\" id=\"{}\" role=\"doc-footnote\"{dir}>",
            escape(&self.note_ids[index])
        );
        let outer = std::mem::replace(&mut self.direction, direction);
        let written = self.footnote_blocks(note);
        self.direction = outer;
        written?;
        self.out.push_str("</aside>\n");
        Ok(())
    }

    /// A note's blocks, its number (a link back to its first reference)
    /// starting the first paragraph.
    fn footnote_blocks(&mut self, note: &Footnote) -> Result<()> {
        let numerals = self.plan.doc.layout.numerals;
        let label = match self.first_refs.get(&note.number) {
            Some(ref_id) => format!(
                "<a href=\"#{}\" role=\"doc-backlink\" title=\"{}\">{}</a>. ",
                escape(ref_id),
                escape(self.plan.strings.back_to_text),
                numerals.format(u64::from(note.number))
            ),
            None => format!("{}. ", numerals.format(u64::from(note.number))),
        };
        match note.blocks.split_first() {
            Some((
                Block {
                    kind: BlockKind::Paragraph(content),
                    ..
                },
                rest,
            )) => {
                let (direction, dir) = self.direction_of(&bidi_text(content));
                let _ = write!(self.out, "<p{dir}>");
                self.out.push_str(&label);
                self.inlines_in(direction, content)?;
                self.out.push_str("</p>\n");
                self.blocks(rest)?;
            }
            _ => {
                let _ = writeln!(self.out, "<p>{}</p>", label.trim_end());
                self.blocks(&note.blocks)?;
            }
        }
        Ok(())
    }
}

/// ` width="…" height="…"` (the picture's pixels, so readers can reserve
/// the space before it loads), or nothing when the size is unknown.
fn size_attributes(image: &ImageEntry) -> String {
    if image.width > 0 && image.height > 0 {
        format!(" width=\"{}\" height=\"{}\"", image.width, image.height)
    } else {
        String::new()
    }
}

/// `base`, or `base-2`, `base-3`, … — the first not in `ids` (then added).
pub(super) fn unique_id(ids: &mut HashSet<String>, base: &str) -> String {
    let mut n = 1;
    loop {
        let id = if n == 1 {
            base.to_string()
        } else {
            format!("{base}-{n}")
        };
        if ids.insert(id.clone()) {
            return id;
        }
        n += 1;
    }
}

/// A code block's language as a class name, when it is a safe one.
fn language_class(language: &str) -> Option<&str> {
    let ok = !language.is_empty()
        && language
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '.'));
    ok.then_some(language)
}

/// Text escaped, with `<wbr/>` where a URL or an e-mail address may break
/// (after `@ / . -`, as in print): a browser keeps an address whole, which
/// widens a table column to the whole address.
/// How words in other scripts than the language they are written in are
/// marked, so that a screen reader reads «Astana» in an Arabic book with a
/// Latin voice: each stretch in another script ([`locale::other_script_runs`])
/// in a `<span>` with the language of that script
/// ([`locale::language_of_script`]) and, inside the text, its direction
/// when it is not the surrounding one.
#[derive(Clone, Copy)]
pub(super) struct Languages<'a> {
    home: Script,
    direction: Direction,
    chosen: &'a BTreeMap<String, String>,
}

impl<'a> Languages<'a> {
    /// Text of the book's language, in an element of `direction`.
    pub fn of_book(plan: &Plan<'a>, direction: Direction) -> Self {
        Languages {
            home: locale::home_script(&plan.doc.metadata.language),
            direction,
            chosen: &plan.doc.metadata.script_languages,
        }
    }

    pub fn push_text(&self, out: &mut String, text: &str) {
        let mut written = 0;
        for (range, script) in locale::other_script_runs(text, self.home) {
            push_text(out, &text[written..range.start]);
            let language = escape(&locale::language_of_script(script, self.chosen));
            let _ = write!(out, "<span lang=\"{language}\" xml:lang=\"{language}\"");
            let direction = if locale::is_right_to_left(script) {
                Direction::Rtl
            } else {
                Direction::Ltr
            };
            // Its own direction isolates it; a stretch at an edge of the
            // text may go on in the next element (`H<sub>2</sub>O`), and
            // isolated pieces would be set in the surrounding order.
            let inside = range.start > 0 && range.end < text.len();
            if direction != self.direction && inside {
                let _ = write!(out, " dir=\"{}\"", direction.as_html());
            }
            out.push('>');
            push_text(out, &text[range.clone()]);
            out.push_str("</span>");
            written = range.end;
        }
        push_text(out, &text[written..]);
    }

    /// Raw HTML (sanitized by `parse`, so well-formed) with the words of its
    /// text marked as in [`Languages::push_text`], but in elements that say
    /// their language and in code.
    pub fn push_html(&self, out: &mut String, html: &str) {
        let mut reader = quick_xml::Reader::from_str(html);
        // Per open element: whether its text is left as it is.
        let mut kept: Vec<bool> = Vec::new();
        let mut from = 0;
        loop {
            let event = reader.read_event();
            let to = reader.buffer_position() as usize;
            match event {
                Ok(Event::Start(start)) => {
                    let name = start.name();
                    let keep = kept.last().copied().unwrap_or(false)
                        || matches!(
                            name.as_ref(),
                            "code" | "pre" | "script" | "style" | "math" | "svg"
                        )
                        || start.try_get_attribute("lang").ok().flatten().is_some();
                    kept.push(keep);
                    out.push_str(&html[from..to]);
                }
                Ok(Event::End(_)) => {
                    kept.pop();
                    out.push_str(&html[from..to]);
                }
                Ok(Event::Text(text)) if !kept.last().copied().unwrap_or(false) => {
                    self.push_text(out, &text.xml10_content());
                }
                Ok(Event::Eof) => break,
                Ok(_) => out.push_str(&html[from..to]),
                Err(_) => {
                    out.push_str(&html[from..]);
                    break;
                }
            }
            from = to;
        }
    }
}

fn push_text(out: &mut String, text: &str) {
    for word in text.split_inclusive(char::is_whitespace) {
        let body = word.trim_end();
        if !address::is_address(body) {
            push_escaped(out, word);
            continue;
        }
        let mut start = 0;
        for at in address::break_offsets(body) {
            push_escaped(out, &word[start..at]);
            out.push_str("<wbr/>");
            start = at;
        }
        push_escaped(out, &word[start..]);
    }
}
