//! Stage 2: Markdown → [`crate::doc::Document`].
//!
//! * [`markdown`]: one chapter's pulldown-cmark events → blocks and inlines;
//! * [`html`]: the raw-HTML sanitizer;
//! * [`links`]: link targets and picture loading;
//! * [`footnotes`]: footnote numbering;
//! * this module: the whole book — chapters, cross-chapter anchors, cover
//!   and metadata.

mod footnotes;
pub(crate) mod html;
mod ids;
pub(crate) mod links;
pub(crate) mod markdown;
mod math;
mod pos;
mod smart;
mod text;
mod verse;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diag::{Code, Diagnostic, Diagnostics, Result};
use crate::doc::collapse_whitespace;
use crate::doc::{
    BlockKind, Chapter, Document, InlineKind, LinkTarget, Metadata, Picture, SourcePos, Sources,
    plain_text,
};
use crate::load::{Book, CONFIG_FILE, SourceFile};

pub use html::separates_words;
pub use markdown::MAX_NESTING;

/// Parses every chapter of `book`, loads its pictures and resolves its
/// metadata. Problems that spoil the book (a picture outside the folder,
/// missing or damaged) are errors; everything else is a warning.
pub fn parse(book: &Book, warnings: &mut Diagnostics) -> Result<Document> {
    let decoded = links::decode_all(book);
    let parsed = parse_each(book, &decoded, |_, chapter| chapter);
    let (mut chapters, images) = in_order(parsed, warnings)?;
    check_anchors(book, &mut chapters, warnings);
    let first_heading = chapters.first().and_then(first_heading_text);
    finish(book, &decoded, chapters, images, first_heading)
}

/// A book parsed for a build that parses each chapter again where it needs
/// it whole ([`Reparser`]), rather than hold the whole parsed book.
pub struct Outline<T> {
    /// The document, each chapter with its source and title only.
    pub document: Document,
    /// Each chapter's element ids ([`Chapter::element_ids`]).
    pub ids: Vec<HashSet<String>>,
    /// What `look` read of each chapter while it was whole.
    pub looked: Vec<T>,
}

/// [`parse`], each chapter let go as soon as parsed, but for its head, its
/// element ids, its links' anchors (checked once all chapters' ids are
/// known: the same warnings, in the same order) and what `look` reads of
/// it. The whole parsed book is never held at once: of a long book's
/// memory it was the most that grew with it.
pub fn outline<T: Send>(
    book: &Book,
    warnings: &mut Diagnostics,
    look: impl Fn(usize, &Chapter) -> T + Sync,
) -> Result<Outline<T>> {
    let decoded = links::decode_all(book);
    let parsed = parse_each(book, &decoded, |index, mut chapter| {
        let ids = chapter.element_ids();
        let mut anchored = Vec::new();
        anchored_links(&mut chapter, &mut |to, anchor, pos| {
            anchored.push((to, anchor.clone().unwrap_or_default(), pos));
        });
        let outlined = Outlined {
            anchored,
            first_heading: (index == 0).then(|| first_heading_text(&chapter)).flatten(),
            looked: look(index, &chapter),
            head: Chapter {
                source: chapter.source,
                title: chapter.title,
                blocks: Vec::new(),
                footnotes: Vec::new(),
            },
        };
        (ids, outlined)
    });
    let (outlined, images) = in_order(parsed, warnings)?;
    let (ids, outlined): (Vec<HashSet<String>>, Vec<_>) = outlined.into_iter().unzip();
    let mut heads = Vec::with_capacity(outlined.len());
    let mut looked = Vec::with_capacity(outlined.len());
    let mut first_heading = None;
    let ids_of = |to: usize| ids.get(to);
    for (index, chapter) in outlined.into_iter().enumerate() {
        let file = book.display_path(&chapter.head.source);
        for (to, wanted, pos) in &chapter.anchored {
            if let Some(Anchor::Broken(warning)) =
                anchor_of(book, &file, (index, *to), &ids_of, wanted, *pos)
            {
                warnings.push(warning);
            }
        }
        first_heading = first_heading.or(chapter.first_heading);
        heads.push(chapter.head);
        looked.push(chapter.looked);
    }
    let document = finish(book, &decoded, heads, images, first_heading)?;
    Ok(Outline {
        document,
        ids,
        looked,
    })
}

/// What [`outline`] keeps of a chapter besides its element ids.
struct Outlined<T> {
    head: Chapter,
    /// Its links to an anchor in a chapter ([`anchored_links`]): the
    /// chapter's index, the anchor and where the link is.
    anchored: Vec<(usize, String, SourcePos)>,
    first_heading: Option<String>,
    looked: T,
}

/// Each chapter of `book` parsed, on every thread, and made into what
/// `keep` keeps of it, with the pictures it shows and its warnings.
fn parse_each<C: Send>(
    book: &Book,
    decoded: &links::Decoded,
    keep: impl Fn(usize, Chapter) -> C + Sync,
) -> Vec<(Result<C>, BTreeMap<String, Picture>, Diagnostics)> {
    let paths = links::ChapterPaths::of(book);
    (0..book.chapters.len())
        .into_par_iter()
        .map(|index| {
            let mut pictures = links::Pictures::new(decoded);
            let mut found = Diagnostics::default();
            let chapter =
                markdown::parse_chapter(book, index, &paths, &mut pictures, &mut found, true);
            (chapter.map(|c| keep(index, c)), pictures.shown, found)
        })
        .collect()
}

/// The chapters [`parse_each`] gave put together in order, with the
/// pictures they show: the first error in the book's order is the one
/// reported, as parsed one after another.
fn in_order<C>(
    parsed: Vec<(Result<C>, BTreeMap<String, Picture>, Diagnostics)>,
    warnings: &mut Diagnostics,
) -> Result<(Vec<C>, BTreeMap<String, Picture>)> {
    let mut images: BTreeMap<String, Picture> = BTreeMap::new();
    let mut chapters = Vec::with_capacity(parsed.len());
    for (chapter, shown, found) in parsed {
        warnings.extend(found);
        chapters.push(chapter?);
        images.extend(shown);
    }
    Ok((chapters, images))
}

/// The document of `chapters`, with the cover loaded and the metadata
/// resolved (the title, where the settings give none, the first chapter's
/// `first_heading`).
fn finish(
    book: &Book,
    decoded: &links::Decoded,
    chapters: Vec<Chapter>,
    mut images: BTreeMap<String, Picture>,
    first_heading: Option<String>,
) -> Result<Document> {
    let cover = match &book.config.cover {
        Some(path) => {
            let mut pictures = links::Pictures::new(decoded);
            let key = load_cover(book, path, &mut pictures)?;
            images.extend(pictures.shown);
            Some(key)
        }
        None => None,
    };

    let title = book
        .config
        .title
        .clone()
        .or(first_heading)
        .unwrap_or_else(|| folder_name(&book.dir));
    let authors = book.config.authors.clone();
    let identifier = book
        .config
        .identifier
        .clone()
        .unwrap_or_else(|| derived_identifier(&title, &authors));

    Ok(Document {
        metadata: Metadata {
            title,
            authors,
            language: book.config.language.clone(),
            direction: book.config.direction,
            identifier,
            timestamp: book.config.timestamp,
            dated: book.config.dated,
            subtitle: book.config.subtitle.clone(),
            publisher: book.config.publisher.clone(),
            issuer: book.config.issuer.clone(),
            classification: book.config.classification.clone(),
            isbn: book.config.isbn.clone(),
            keywords: book.config.keywords.clone(),
            description: book.config.description.clone(),
            accessibility: book.config.accessibility.clone(),
            script_languages: book.config.script_languages.clone(),
        },
        page: book.config.page.clone(),
        layout: book.config.layout,
        cover,
        chapters,
        images,
        fonts: book.assets.fonts.clone(),
        sources: sources(book),
    })
}

/// The texts of `book`'s files, each chapter's read again when asked for
/// (it is not held once `load` has read it), `book.toml`'s held.
fn sources(book: &Book) -> Sources {
    let config: Arc<str> = Arc::from(book.config.source.as_str());
    let chapters: BTreeMap<PathBuf, SourceFile> = book
        .chapters
        .iter()
        .map(|chapter| (chapter.path.clone(), chapter.clone()))
        .collect();
    Sources::new(move |file| match file == Path::new(CONFIG_FILE) {
        true => Some(Arc::clone(&config)),
        false => chapters.get(file)?.text().ok(),
    })
}

/// Plain text of `chapter`'s first heading, whitespace collapsed.
fn first_heading_text(chapter: &Chapter) -> Option<String> {
    let content = chapter.blocks.iter().find_map(|b| match &b.kind {
        BlockKind::Heading { content, .. } => Some(content),
        _ => None,
    })?;
    let text = collapse_whitespace(&plain_text(content));
    (!text.is_empty()).then_some(text)
}

fn folder_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "book".to_string())
}

/// `urn:uuid:` + a UUID v5 of the title and authors: stable across builds.
pub fn derived_identifier(title: &str, authors: &[String]) -> String {
    let mut name = format!("warraq:{title}");
    for author in authors {
        name.push('\u{1f}');
        name.push_str(author);
    }
    let uuid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes());
    format!("urn:uuid:{uuid}")
}

fn load_cover(book: &Book, path: &str, pictures: &mut links::Pictures) -> Result<String> {
    let config = book.display_path(CONFIG_FILE);
    let error = |message: String| {
        let diag = Diagnostic::error(Code::MissingPicture, message).in_file(&config);
        match book.config.cover_line {
            Some(line) => diag.at_line(line),
            None => diag,
        }
    };
    match links::load_image(book, Path::new(""), path, pictures) {
        Ok(links::ImageRef::Local(key)) => Ok(key),
        Ok(links::ImageRef::Remote) => Err(error(format!(
            "cover `{path}` must be a PNG or JPEG file in the book folder, not a web address"
        ))),
        Err(why) => Err(error(format!("cover: {why}"))),
    }
}

/// Links to `chapter#anchor` whose anchor names no heading (or raw HTML id)
/// there lose the anchor, with a warning. An anchor written as a heading's
/// text (`#My Title`) is mapped to the heading's id.
fn check_anchors(book: &Book, chapters: &mut [Chapter], warnings: &mut Diagnostics) {
    let ids: Vec<HashSet<String>> = chapters.iter().map(Chapter::element_ids).collect();
    for (index, chapter) in chapters.iter_mut().enumerate() {
        check_chapter_anchors(book, &|to| ids.get(to), index, chapter, warnings);
    }
}

/// The element ids ([`Chapter::element_ids`]) of each chapter, by index.
type Ids<'i> = dyn Fn(usize) -> Option<&'i HashSet<String>> + Sync + 'i;

/// [`check_anchors`] of chapter `index`.
fn check_chapter_anchors<'i>(
    book: &Book,
    ids: &Ids<'i>,
    index: usize,
    chapter: &mut Chapter,
    warnings: &mut Diagnostics,
) {
    let file = book.display_path(&chapter.source);
    anchored_links(chapter, &mut |to, anchor, pos| {
        let wanted = anchor.as_deref().unwrap_or_default();
        match anchor_of(book, &file, (index, to), ids, wanted, pos) {
            None | Some(Anchor::Kept) => {}
            Some(Anchor::Slug(slug)) => *anchor = Some(slug),
            Some(Anchor::Broken(warning)) => {
                warnings.push(warning);
                *anchor = None;
            }
        }
    });
}

/// Calls `f` with each link to `chapter#anchor` in `chapter`, in the order
/// of its text and then its notes: the chapter's index, the anchor (never
/// `None`), and where the link is.
fn anchored_links(chapter: &mut Chapter, f: &mut dyn FnMut(usize, &mut Option<String>, SourcePos)) {
    let mut each = |inline: &mut crate::doc::Inline| {
        if let InlineKind::Link {
            target:
                LinkTarget::Chapter {
                    index,
                    anchor: anchor @ Some(_),
                },
            ..
        } = &mut inline.kind
        {
            f(*index, anchor, inline.pos);
        }
    };
    crate::doc::walk::inlines_mut(&mut chapter.blocks, &mut each);
    for note in &mut chapter.footnotes {
        crate::doc::walk::inlines_mut(&mut note.blocks, &mut each);
    }
}

/// What becomes of a link's anchor.
enum Anchor {
    /// It names an id of the chapter.
    Kept,
    /// It names a heading by its text: the heading's id.
    Slug(String),
    /// It names nothing there: dropped, with this warning.
    Broken(Diagnostic),
}

/// What becomes of a link in chapter `from` (its file `file`) to `wanted`
/// in chapter `to`, checked against the chapters' `ids` (none where `to`
/// has none: no such chapter).
fn anchor_of<'i>(
    book: &Book,
    file: &Path,
    (from, to): (usize, usize),
    ids: &Ids<'i>,
    wanted: &str,
    pos: SourcePos,
) -> Option<Anchor> {
    let known = ids(to)?;
    if known.contains(wanted) {
        return Some(Anchor::Kept);
    }
    let slug = text::slug(wanted);
    if known.contains(&slug) {
        return Some(Anchor::Slug(slug));
    }
    let place = if to == from {
        "this chapter".to_string()
    } else {
        book.display_path(&book.chapters[to].path)
            .display()
            .to_string()
    };
    Some(Anchor::Broken(
        Diagnostic::warning(Code::BrokenLink, format!(
            "link to `#{wanted}`: no heading with that id in {place}; the link goes to the start of the chapter"
        ))
        .in_file(file)
        .at(pos),
    ))
}

/// A book's chapters parsed again, one at a time, as [`parse`] gives them,
/// what it found then let go: a build that parsed the book in outline
/// ([`outline`]) parses each chapter again for layout and again for the
/// EPUB, rather than hold the whole parsed book.
pub struct Reparser<'b> {
    book: &'b Book,
    paths: links::ChapterPaths,
    /// The pictures as [`parse`] decoded them (not decoded again).
    decoded: links::Decoded,
    /// The chapters' element ids, which links' anchors are checked against.
    ids: Box<Ids<'b>>,
}

impl<'b> Reparser<'b> {
    /// For `document` as [`parse`] or [`outline`] made it from `book`, whose chapters'
    /// element ids ([`Chapter::element_ids`]) `ids` gives by index.
    pub fn new(
        book: &'b Book,
        document: &Document,
        ids: impl Fn(usize) -> Option<&'b HashSet<String>> + Sync + 'b,
    ) -> Self {
        Reparser {
            book,
            paths: links::ChapterPaths::of(book),
            decoded: (document.images.iter())
                .map(|(key, picture)| (key.clone(), Ok(picture.clone())))
                .collect(),
            ids: Box::new(ids),
        }
    }

    /// Chapter `index`, parsed again.
    pub fn chapter(&self, index: usize) -> Result<Chapter> {
        self.parse(index, true)
    }

    /// Chapter `index` parsed again for print: its formulas without the
    /// MathML that only the EPUB reads (making it was the most of parsing a
    /// book of formulas).
    pub fn print_chapter(&self, index: usize) -> Result<Chapter> {
        self.parse(index, false)
    }

    fn parse(&self, index: usize, mathml: bool) -> Result<Chapter> {
        let mut pictures = links::Pictures::new(&self.decoded);
        let mut found = Diagnostics::default();
        let (book, paths) = (self.book, &self.paths);
        let mut chapter =
            markdown::parse_chapter(book, index, paths, &mut pictures, &mut found, mathml)?;
        check_chapter_anchors(book, &*self.ids, index, &mut chapter, &mut found);
        Ok(chapter)
    }
}

#[cfg(test)]
mod tests;
