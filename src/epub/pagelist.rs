//! The print edition's pages in the EPUB (EPUB Accessibility 1.1,
//! "page-list"): a page break marker where each numbered page of warraq's
//! PDF begins, labelled with its printed folio, and the `page-list`
//! navigation that lists them.
//!
//! Layout records, per page, where its running text begins in the
//! chapter's source ([`Anchor`]: a piece of source text and a word in it);
//! the chapter writer puts the page's marker before that word. Pages
//! without running text of their own (a blank page before a chapter, a
//! full-bleed picture) take their marker just before the next page's.

use std::fmt::Write as _;

use super::xhtml::Languages;
use super::{ChapterEntry, NAV, Plan, TITLE_PAGE};
use crate::doc::{Anchor, Document, SourcePos, word_start};
use crate::layout::Skeleton;
use crate::layout::page::PageKind;
use crate::xml::escape;

/// One page of the print edition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PageMark {
    /// Its element id, unique in its content document.
    pub id: String,
    /// Its number as the PDF prints it (and labels it).
    pub label: String,
    /// Where its running text begins; `None` for a page without any.
    pub anchor: Option<Anchor>,
}

/// The print edition's numbered pages, by the content document they
/// begin in, in page order.
#[derive(Debug, Default)]
pub(crate) struct PageList {
    /// Front matter: the title page, and the contents (in the navigation
    /// document).
    pub title_page: Vec<PageMark>,
    pub contents: Vec<PageMark>,
    /// Per chapter.
    pub chapters: Vec<Vec<PageMark>>,
}

impl PageList {
    /// The numbered pages of `pages`, with ids that none of the ids of
    /// `chapters` (which gain the new ones) are.
    pub fn new(document: &Document, pages: &Skeleton, chapters: &mut [ChapterEntry]) -> Self {
        let mut list = PageList {
            chapters: vec![Vec::new(); document.chapters.len()],
            ..PageList::default()
        };
        // Pages outside any chapter (a blank page before one) wait for
        // the next chapter's first page.
        let mut waiting: Vec<(String, String)> = Vec::new();
        for (index, page) in pages.pages.iter().enumerate() {
            let Some(number) = page.number else { continue };
            let label = number.text(document.layout.numerals);
            let base = format!("print-page-{index}");
            match (page.kind, page.chapter) {
                (PageKind::Title, _) => list.title_page.push(mark(base, label, None)),
                (PageKind::Contents, _) => list.contents.push(mark(base, label, None)),
                (_, Some(chapter)) if chapter < list.chapters.len() => {
                    let ids = &mut chapters[chapter].ids;
                    for (base, label) in waiting.drain(..) {
                        let id = super::xhtml::unique_id(ids, &base);
                        list.chapters[chapter].push(mark(id, label, None));
                    }
                    let id = super::xhtml::unique_id(ids, &base);
                    list.chapters[chapter].push(mark(id, label, page.start));
                }
                _ => waiting.push((base, label)),
            }
        }
        // Pages after the last chapter's text end it.
        if let Some((last, entry)) = list.chapters.iter_mut().zip(chapters).last() {
            for (base, label) in waiting {
                let id = super::xhtml::unique_id(&mut entry.ids, &base);
                last.push(mark(id, label, None));
            }
        }
        list
    }

    pub fn is_empty(&self) -> bool {
        self.title_page.is_empty()
            && self.contents.is_empty()
            && self.chapters.iter().all(Vec::is_empty)
    }
}

fn mark(id: String, label: String, anchor: Option<Anchor>) -> PageMark {
    PageMark { id, label, anchor }
}

/// The page break marker of `mark`.
pub(crate) fn push_marker(out: &mut String, mark: &PageMark) {
    let _ = write!(
        out,
        "<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"{}\" aria-label=\"{}\"></span>",
        escape(&mark.id),
        escape(&mark.label)
    );
}

/// Places a chapter's page marks as its text is written, in page order.
pub(crate) struct Marks<'p> {
    rest: &'p [PageMark],
}

impl<'p> Marks<'p> {
    pub fn new(marks: &'p [PageMark]) -> Self {
        Marks { rest: marks }
    }

    /// Writes the marks due before the text at `anchor`: those of pages
    /// that begin before it, and those without text that come before them.
    pub fn before(&mut self, out: &mut String, anchor: Anchor) {
        while let Some(at) = self
            .rest
            .iter()
            .position(|mark| mark.anchor.is_some())
            .filter(|&at| self.rest[at].anchor.is_some_and(|a| a <= anchor))
        {
            for mark in &self.rest[..=at] {
                push_marker(out, mark);
            }
            self.rest = &self.rest[at + 1..];
        }
    }

    /// Writes the marks left (at the chapter's end).
    pub fn rest(&mut self, out: &mut String) {
        for mark in self.rest {
            push_marker(out, mark);
        }
        self.rest = &[];
    }

    /// Writes `text`, from the source text at `pos`, through `push`, with
    /// the marks that fall in it before their words.
    pub fn text(
        &mut self,
        out: &mut String,
        pos: SourcePos,
        text: &str,
        push: impl Fn(&mut String, &str),
    ) {
        self.before(out, Anchor::at(pos));
        let mut written = 0;
        // Words are found from where the last mark was (a 10 MB paragraph
        // holds thousands of marks): `word` starts at byte `written`.
        let mut word = 0;
        while let Some(next) = self
            .rest
            .iter()
            .find_map(|mark| mark.anchor)
            .filter(|a| a.pos == pos)
        {
            let at = match next.word.checked_sub(word) {
                Some(ahead) => {
                    word_start(&text[written..], ahead).map_or(text.len(), |s| written + s)
                }
                None => written,
            };
            word = word.max(next.word);
            push(out, &text[written..at]);
            written = at;
            self.before(out, next);
        }
        push(out, &text[written..]);
    }
}

/// The `page-list` navigation: every numbered page of the print edition,
/// by its label, linked to its marker.
pub(crate) fn nav(plan: &Plan, out: &mut String) {
    let list = &plan.page_list;
    if list.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<nav epub:type=\"page-list\" id=\"page-list\" role=\"doc-pagelist\" hidden=\"\">\n<h2>{}</h2>\n<ol>\n",
        escape(plan.strings.pages)
    );
    let documents = [(TITLE_PAGE, &list.title_page), (NAV, &list.contents)]
        .into_iter()
        .chain(
            plan.chapters
                .iter()
                .map(|c| c.href.as_str())
                .zip(&list.chapters),
        );
    // Roman numerals in a book of another script are marked as such.
    let languages = Languages::of_book(plan, plan.doc.metadata.direction);
    for (href, marks) in documents {
        for mark in marks {
            let _ = write!(
                out,
                "<li><a href=\"{}#{}\">",
                escape(href),
                escape(&mark.id)
            );
            languages.push_text(out, &mark.label);
            out.push_str("</a></li>\n");
        }
    }
    out.push_str("</ol>\n</nav>\n");
}
