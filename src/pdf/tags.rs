//! Tagged PDF (ISO 32000-1 14.8, PDF/UA-1): the structure tree layout made
//! ([`Structure`]) as krilla's tag tree, and the page content marked as
//! part of it or as artifacts.
//!
//! Marked content stays coarse: one sequence per element per line (the
//! runs of a line that belong to one element, however many), never per
//! word, since pdf.js ends a text item at every marked-content boundary;
//! but for the marks a line starts with, drawn after it in a sequence of
//! their own for that reason ([`super::text::lead_marks`]), and a piece of
//! a line set wholly in another script than the book's (in a face of its
//! own, so already a text item of its own), a `Span` with the language of
//! that script.
//! What belongs to no element — folios, running heads, rules, backgrounds,
//! dot leaders, the cover, a picture without alt text — is an artifact.

use std::num::NonZeroU16;

use krilla::Document;
use krilla::annotation::Annotation;
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, ListNumbering, Node, TableHeaderScope, Tag,
    TagGroup, TagKind, TagTree,
};

use rustc_hash::FxHashMap;

use crate::diag::{Code, Diagnostic, Result};
use crate::layout::line::run_start;
use crate::layout::page::{Element, ElementKind, GlyphRun, Item, NodeId, Structure};

/// Where a piece of marked content stands in its element: its page, then
/// the first byte of the paragraph's text it shows (`u32::MAX` for none).
/// An element's text is one paragraph's, so this is reading order within
/// it. In 32 bits, as a long book keeps a quarter of a million.
type Key = (u32, u32);

/// A page's index or a byte's offset as a [`Key`]'s part (a book has fewer
/// than 4 billion pages, a paragraph fewer bytes: `load::MAX_FILE_BYTES`).
fn key_part(at: usize) -> u32 {
    u32::try_from(at).unwrap_or(u32::MAX)
}

/// Lines closer than this many times the larger font size are one line
/// (a raised footnote number is still on its line).
pub(super) const SAME_LINE: f32 = 0.5;

/// A marked-content sequence: its element, where it stands in it, its id,
/// and the language of its text when it is wholly in another script than
/// the book's (see `Writer::language`), which makes it a `Span` of its
/// own: an index in [`Tagger::languages`], as a book has few.
struct Leaf {
    node: NodeId,
    key: Key,
    id: Identifier,
    language: Option<u16>,
}

/// The marked-content sequence open on the page being drawn.
enum Open {
    /// Content of `node`, its text in `language` if another than the
    /// element's; `y` and `size` of the last run, and where its leaf is in
    /// `Tagger::content`.
    Content {
        node: NodeId,
        language: Option<u16>,
        y: f32,
        size: f32,
        slot: usize,
    },
    Artifact(ArtifactType),
}

pub(super) struct Tagger {
    /// The structures given and not yet written ([`Tagger::complete`]):
    /// the generated pages' first, then the chapters' in order.
    structure: Vec<Structure>,
    /// The generated pages' structure's number ([`Structure::chapter`]).
    generated: u32,
    /// The marked content drawn and not yet written, each element's in the
    /// order drawn (the list is sorted by element as chapters are
    /// written): in one list, not a list an element in a table of
    /// elements, which took twice the memory.
    content: Vec<Leaf>,
    /// The next chapter to be written into the structure tree: those
    /// before it are ([`Tagger::complete`]).
    next: u32,
    /// Whether content or a link of a chapter came after the chapter was
    /// written, which would leave it out of the tree.
    late: bool,
    /// The languages of [`Leaf::language`].
    languages: Vec<String>,
    /// Each link element's annotations.
    annotations: FxHashMap<NodeId, Vec<Identifier>>,
    open: Option<Open>,
    page: usize,
}

impl Tagger {
    /// A tagger for a book of `chapters` chapters, given their structures
    /// as they come ([`Tagger::add`]).
    pub(super) fn new(chapters: usize) -> Self {
        Tagger {
            structure: Vec::new(),
            generated: u32::try_from(chapters).unwrap_or(u32::MAX),
            content: Vec::new(),
            next: 0,
            late: false,
            languages: Vec::new(),
            annotations: FxHashMap::default(),
            open: None,
            page: 0,
        }
    }

    /// Takes a chapter's structure, or the generated pages', before the
    /// content of any of its elements is drawn.
    pub(super) fn add(&mut self, structure: Structure) {
        if structure.chapter == self.generated {
            self.structure.insert(0, structure);
        } else {
            self.structure.push(structure);
        }
    }

    pub(super) fn start_page(&mut self, index: usize) {
        self.page = index;
        self.open = None;
    }

    /// Opens, or continues, the marked content `item` is drawn in.
    pub(super) fn mark(&mut self, surface: &mut Surface, item: &Item) {
        match item {
            Item::Glyphs(run) => self.mark_glyphs(surface, run, None),
            Item::Picture {
                node: Some(node), ..
            } => {
                // A picture is a sequence of its own.
                self.close(surface);
                let key = (key_part(self.page), 0);
                self.open_content(surface, *node, key, None, (f32::NAN, 0.0));
            }
            Item::Fill {
                node: Some(node), ..
            } => {
                // A task's check box: the content of its label.
                if !matches!(self.open, Some(Open::Content { node: open, .. }) if open == *node) {
                    self.close(surface);
                    let key = (key_part(self.page), 0);
                    self.open_content(surface, *node, key, None, (f32::NAN, 0.0));
                }
            }
            Item::Picture { node: None, .. }
            | Item::Fill { .. }
            | Item::Backdrop { .. }
            | Item::Shape { .. } => self.artifact(surface, ArtifactType::Layout),
            Item::PrintersMark { .. } => self.artifact(surface, ArtifactType::Page),
            Item::Link { .. } => {}
        }
    }

    /// Opens, or continues, the marked content `run` is drawn in, its text
    /// in `language` if that is another than its element's. Runs drawn
    /// together in one text showing must be of one element: each is
    /// marked, then they are drawn.
    pub(super) fn mark_glyphs(
        &mut self,
        surface: &mut Surface,
        run: &GlyphRun,
        language: Option<&str>,
    ) {
        match run.node {
            Some(node) => self.content(surface, node, run, language),
            None => self.artifact(surface, ArtifactType::PaginationOther),
        }
    }

    /// Opens a sequence of its own for more of `run`'s element on its line
    /// (pdf.js ends a text item where marked content ends), read right
    /// after the sequence open for that element: it takes its key, and
    /// sequences of one key keep the order they are drawn in.
    pub(super) fn part(&mut self, surface: &mut Surface, run: &GlyphRun) {
        let open = match (&self.open, run.node) {
            (
                Some(Open::Content {
                    node,
                    slot,
                    language,
                    ..
                }),
                Some(of),
            ) if *node == of => self.content.get(*slot).map(|leaf| (leaf.key, *language)),
            _ => None,
        };
        self.close(surface);
        match run.node {
            Some(node) => {
                let start = (
                    key_part(self.page),
                    run_start(run).map_or(u32::MAX, key_part),
                );
                let (key, language) = open.unwrap_or((start, None));
                self.open_content(surface, node, key, language, (run.y, run.size));
            }
            None => self.artifact(surface, ArtifactType::PaginationOther),
        }
    }

    /// Ends the open sequence (at the end of a page).
    pub(super) fn close(&mut self, surface: &mut Surface) {
        if self.open.take().is_some() {
            surface.end_tagged();
        }
    }

    /// Adds `annotation` to the drawn page `page` (in the drawing order) of
    /// `pdf`, as part of link element `node` if any; `None`, adding
    /// nothing, if no such page is drawn.
    pub(super) fn add_annotation(
        &mut self,
        pdf: &mut Document,
        page: usize,
        annotation: Annotation,
        node: Option<NodeId>,
    ) -> Option<()> {
        let id = pdf.add_annotation_to_page(page, annotation, node.is_some())?;
        if let Some(node) = node {
            self.late |= node.chapter < self.next;
            self.annotations.entry(node).or_default().push(id);
        }
        Some(())
    }

    /// The element `node` names, in its chapter's structure.
    fn element(&self, node: NodeId) -> Option<&Element> {
        let structure = self.structure.iter().find(|s| s.chapter == node.chapter)?;
        structure.element(node)
    }

    /// The link element a linked picture's annotation belongs to: its
    /// figure's parent.
    pub(super) fn link_of_figure(&self, figure: NodeId) -> Option<NodeId> {
        let parent = NodeId {
            chapter: figure.chapter,
            index: self.element(figure)?.parent?,
        };
        (self.element(parent)?.kind == ElementKind::Link).then_some(parent)
    }

    /// Whether the text of `node` is in a language it says (a `<span
    /// lang>` holds it) or in none (code): no other language is found in it.
    pub(super) fn says_language(&self, node: NodeId) -> bool {
        let mut at = Some(node);
        while let Some(element) = at.and_then(|at| self.element(at)) {
            if matches!(element.kind, ElementKind::Span(_) | ElementKind::Code) {
                return true;
            }
            at = element.parent.map(|index| NodeId {
                chapter: node.chapter,
                index,
            });
        }
        false
    }

    fn content(
        &mut self,
        surface: &mut Surface,
        node: NodeId,
        run: &GlyphRun,
        language: Option<&str>,
    ) {
        let start = run_start(run).map(key_part);
        let language = language.map(|language| self.language(language));
        if let Some(Open::Content {
            node: open,
            language: open_language,
            y,
            size,
            slot,
        }) = &mut self.open
            && *open == node
            && *open_language == language
            && (run.y - *y).abs() < SAME_LINE * size.max(run.size)
        {
            *y = run.y;
            *size = run.size;
            if let (Some(start), Some(leaf)) = (start, self.content.get_mut(*slot)) {
                leaf.key.1 = leaf.key.1.min(start);
            }
            return;
        }
        self.close(surface);
        let key = (key_part(self.page), start.unwrap_or(u32::MAX));
        self.open_content(surface, node, key, language, (run.y, run.size));
    }

    /// Opens a sequence of `node`'s content at `key`, its text in
    /// `language`, for runs of about the baseline and size `(y, size)`.
    fn open_content(
        &mut self,
        surface: &mut Surface,
        node: NodeId,
        key: Key,
        language: Option<u16>,
        (y, size): (f32, f32),
    ) {
        self.late |= node.chapter < self.next;
        let id = surface.start_tagged(ContentTag::Other);
        self.content.push(Leaf {
            node,
            key,
            id,
            language,
        });
        self.open = Some(Open::Content {
            node,
            language,
            y,
            size,
            slot: self.content.len() - 1,
        });
    }

    /// `language`'s index in [`Tagger::languages`], added if new. (A
    /// language comes of a script, and there are a few hundred of those.)
    fn language(&mut self, language: &str) -> u16 {
        match self.languages.iter().position(|known| known == language) {
            Some(index) => index as u16,
            None => {
                self.languages.push(language.to_string());
                (self.languages.len() - 1) as u16
            }
        }
    }

    fn artifact(&mut self, surface: &mut Surface, kind: ArtifactType) {
        if matches!(self.open, Some(Open::Artifact(open)) if open == kind) {
            return;
        }
        self.close(surface);
        surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(kind)));
        self.open = Some(Open::Artifact(kind));
    }

    /// The next chapter not yet written into the structure tree: the
    /// chapters before it are.
    pub(super) fn next_chapter(&self) -> u32 {
        self.next
    }

    /// Writes the elements of the chapters before `through` not written
    /// yet into `pdf`'s structure tree, and lets go of their structures and
    /// marked content: once their every page is drawn and their links made
    /// (nothing more of them comes), between two pages. A long book's
    /// quarter of a million sequences were held to the end and made into a
    /// tree there, a tenth of a second of the PDF's last work, on one
    /// thread.
    pub(super) fn complete(&mut self, pdf: &mut Document, through: u32) {
        debug_assert!(self.open.is_none(), "chapters completed inside a page");
        if self.next >= through {
            return;
        }
        // Each element's sequences together, in the order drawn (the sort
        // is stable), the chapters' in order: a page held for a kashida
        // may have drawn a later chapter's content before this one's, and a
        // link to a chapter far ahead holds back every chapter until it is
        // drawn, when they are written at once.
        self.content.sort_by_key(|leaf| leaf.node);
        let later = self
            .content
            .partition_point(|leaf| leaf.node.chapter < through);
        let later = self.content.split_off(later);
        let done = std::mem::replace(&mut self.content, later);
        let mut leaves = &done[..];
        while self.next < through {
            let chapter = self.next;
            self.next += 1;
            let end = leaves.partition_point(|leaf| leaf.node.chapter <= chapter);
            let (own, rest) = leaves.split_at(end);
            leaves = rest;
            let Some(at) = self.structure.iter().position(|s| s.chapter == chapter) else {
                continue;
            };
            let structure = self.structure.remove(at);
            let groups: Vec<Node> = (self.groups(&structure, own).into_iter())
                .map(Node::from)
                .collect();
            pdf.write_tags(&groups);
        }
    }

    /// Writes the chapters not written yet into `pdf`'s structure tree,
    /// and gives it the rest: the tag tree of the generated pages'
    /// elements, which come before the chapters', in a document in
    /// `language`. Fails if a chapter's content or link came after the
    /// chapter was written.
    pub(super) fn finish(mut self, pdf: &mut Document, language: &str) -> Result<()> {
        self.complete(pdf, self.generated);
        if self.late {
            return Err(Diagnostic::error(
                Code::Internal,
                "a chapter's content was drawn after its part of the structure tree was written",
            ));
        }
        let mut tree = TagTree::new().with_lang(Some(language.to_string()));
        let generated = self
            .structure
            .iter()
            .position(|s| s.chapter == self.generated);
        if let Some(at) = generated {
            let structure = self.structure.remove(at);
            let mut leaves = std::mem::take(&mut self.content);
            leaves.sort_by_key(|leaf| leaf.node);
            for group in self.groups(&structure, &leaves) {
                tree.push(group);
            }
        }
        pdf.set_tag_tree(tree);
        Ok(())
    }

    /// The tag groups of `structure`'s top elements, with their marked
    /// content, `leaves`, sorted by element, in reading order.
    fn groups(&mut self, structure: &Structure, leaves: &[Leaf]) -> Vec<TagGroup> {
        let mut children = vec![Vec::new(); structure.elements.len()];
        let mut top = Vec::new();
        for (index, element) in structure.elements.iter().enumerate() {
            match element.parent {
                Some(parent) => children[parent as usize].push(index),
                None => top.push(index),
            }
        }
        top.into_iter()
            .filter_map(|index| self.group(structure, index, &children, leaves))
            .map(|(_, group)| group)
            .collect()
    }

    /// Element `index` of `structure` as a tag group, with the key of its
    /// first content; `None` if it holds nothing.
    ///
    /// An element's own text and its inline elements (links, spans) are
    /// ordered by key; its notes come after them, in the order they are
    /// called. Elements of blocks keep the source's order.
    fn group(
        &mut self,
        structure: &Structure,
        index: usize,
        children: &[Vec<usize>],
        leaves: &[Leaf],
    ) -> Option<(Key, TagGroup)> {
        let node = NodeId {
            chapter: structure.chapter,
            index: index as u32,
        };
        let element = &structure.elements[index];
        let start = leaves.partition_point(|leaf| leaf.node < node);
        let end = leaves.partition_point(|leaf| leaf.node <= node);
        let has_text = start < end;
        let mut parts: Vec<(bool, Key, Node)> = leaves[start..end]
            .iter()
            .map(|leaf| {
                let language = leaf
                    .language
                    .and_then(|at| self.languages.get(usize::from(at)));
                let node = match language {
                    Some(language) => {
                        let span = TagKind::from(Tag::Span).with_lang(Some(language.clone()));
                        TagGroup::with_children(span, vec![Node::Leaf(leaf.id)]).into()
                    }
                    None => Node::Leaf(leaf.id),
                };
                (false, leaf.key, node)
            })
            .collect();
        for &child in &children[index] {
            if let Some((key, group)) = self.group(structure, child, children, leaves) {
                let is_note = structure.elements[child].kind == ElementKind::Note;
                parts.push((is_note, key, group.into()));
            }
        }
        if has_text {
            parts.sort_by_key(|&(is_note, key, _)| (is_note, key));
        }
        let first = parts.iter().map(|&(_, key, _)| key).min();
        let mut nodes: Vec<Node> = parts.into_iter().map(|(_, _, node)| node).collect();
        nodes.extend(
            self.annotations
                .remove(&node)
                .unwrap_or_default()
                .into_iter()
                .map(Node::Leaf),
        );
        let first = first.or_else(|| (!nodes.is_empty()).then_some((u32::MAX, u32::MAX)))?;
        Some((first, TagGroup::with_children(tag(&element.kind), nodes)))
    }
}

/// The standard structure type of an element.
fn tag(kind: &ElementKind) -> TagKind {
    match kind {
        ElementKind::Heading(level, title) => {
            let level = NonZeroU16::new(u16::from(*level)).unwrap_or(NonZeroU16::MIN);
            Tag::Hn(level, Some(title.clone())).into()
        }
        ElementKind::Paragraph => Tag::P.into(),
        ElementKind::BlockQuote => Tag::BlockQuote.into(),
        ElementKind::Division => Tag::Div.into(),
        ElementKind::List { ordered } => Tag::L(if *ordered {
            ListNumbering::Decimal
        } else {
            ListNumbering::Disc
        })
        .into(),
        ElementKind::ListItem => Tag::LI.into(),
        ElementKind::ListLabel => Tag::Lbl.into(),
        ElementKind::TaskLabel(said) => Tag::Lbl.with_alt_text(Some(said.clone())).into(),
        ElementKind::ListBody => Tag::LBody.into(),
        ElementKind::Table => Tag::Table.into(),
        ElementKind::TableRow => Tag::TR.into(),
        ElementKind::HeaderCell => Tag::TH(TableHeaderScope::Column).into(),
        ElementKind::Cell => Tag::TD.into(),
        ElementKind::Figure(alt) => Tag::Figure(Some(alt.clone())).into(),
        ElementKind::Caption => Tag::Caption.into(),
        ElementKind::Note => Tag::Note.into(),
        ElementKind::Link => Tag::Link.into(),
        ElementKind::Code => Tag::Code.into(),
        ElementKind::Contents => Tag::TOC.into(),
        ElementKind::ContentsEntry => Tag::TOCI.into(),
        ElementKind::Span(language) => TagKind::from(Tag::Span).with_lang(Some(language.clone())),
    }
}
