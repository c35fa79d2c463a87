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
    BlockKind, Chapter, Document, InlineKind, LinkTarget, Metadata, Picture, plain_text,
};
use crate::load::{Book, CONFIG_FILE};

pub use html::separates_words;
pub use markdown::MAX_NESTING;

/// Parses every chapter of `book`, loads its pictures and resolves its
/// metadata. Problems that spoil the book (a picture outside the folder,
/// missing or damaged) are errors; everything else is a warning.
pub fn parse(book: &Book, warnings: &mut Diagnostics) -> Result<Document> {
    let paths = links::ChapterPaths::of(book);
    let decoded = links::decode_all(book);
    // The chapters parsed on every thread, each with the pictures it shows
    // and its warnings, put together in order: the first error in the
    // book's order is the one reported, as parsed one after another.
    let parsed: Vec<(Result<Chapter>, BTreeMap<String, Picture>, Diagnostics)> = (0..book
        .chapters
        .len())
        .into_par_iter()
        .map(|index| {
            let mut pictures = links::Pictures::new(&decoded);
            let mut found = Diagnostics::default();
            let chapter = markdown::parse_chapter(book, index, &paths, &mut pictures, &mut found);
            (chapter, pictures.shown, found)
        })
        .collect();
    let mut images: BTreeMap<String, Picture> = BTreeMap::new();
    let mut chapters = Vec::with_capacity(book.chapters.len());
    for (chapter, shown, found) in parsed {
        warnings.extend(found);
        chapters.push(chapter?);
        images.extend(shown);
    }
    check_anchors(book, &mut chapters, warnings);

    let cover = match &book.config.cover {
        Some(path) => {
            let mut pictures = links::Pictures::new(&decoded);
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
        .or_else(|| first_heading_text(&chapters))
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
        sources: book
            .chapters
            .iter()
            .map(|c| (c.path.clone(), Arc::clone(&c.text)))
            .chain([(
                PathBuf::from(CONFIG_FILE),
                Arc::from(book.config.source.as_str()),
            )])
            .collect(),
    })
}

/// Plain text of the first chapter's first heading, whitespace collapsed.
fn first_heading_text(chapters: &[Chapter]) -> Option<String> {
    let first = chapters.first()?;
    let content = first.blocks.iter().find_map(|b| match &b.kind {
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
    let mut fix = |inline: &mut crate::doc::Inline| {
        let InlineKind::Link {
            target:
                LinkTarget::Chapter {
                    index: to,
                    anchor: anchor @ Some(_),
                },
            ..
        } = &mut inline.kind
        else {
            return;
        };
        let Some(known) = ids(*to) else { return };
        let wanted = anchor.as_deref().unwrap_or_default();
        if known.contains(wanted) {
            return;
        }
        let slug = text::slug(wanted);
        if known.contains(&slug) {
            *anchor = Some(slug);
            return;
        }
        let place = if *to == index {
            "this chapter".to_string()
        } else {
            book.display_path(&book.chapters[*to].path)
                .display()
                .to_string()
        };
        warnings.push(
            Diagnostic::warning(Code::BrokenLink, format!(
                "link to `#{wanted}`: no heading with that id in {place}; the link goes to the start of the chapter"
            ))
            .in_file(&file)
            .at(inline.pos),
        );
        *anchor = None;
    };
    crate::doc::walk::inlines_mut(&mut chapter.blocks, &mut fix);
    for note in &mut chapter.footnotes {
        crate::doc::walk::inlines_mut(&mut note.blocks, &mut fix);
    }
}

/// A book's chapters parsed again, one at a time, as [`parse`] gave them,
/// what it found then let go: a build lets each chapter go once laid out
/// and parses it again for the EPUB, rather than hold the whole parsed
/// book to the end.
pub struct Reparser<'b> {
    book: &'b Book,
    paths: links::ChapterPaths,
    /// The pictures as [`parse`] decoded them (not decoded again).
    decoded: links::Decoded,
    /// The chapters' element ids, which links' anchors are checked against.
    ids: Box<Ids<'b>>,
}

impl<'b> Reparser<'b> {
    /// For `document` as [`parse`] made it from `book`, whose chapters'
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
        let mut pictures = links::Pictures::new(&self.decoded);
        let mut found = Diagnostics::default();
        let book = self.book;
        let mut chapter =
            markdown::parse_chapter(book, index, &self.paths, &mut pictures, &mut found)?;
        check_chapter_anchors(book, &*self.ids, index, &mut chapter, &mut found);
        Ok(chapter)
    }
}

#[cfg(test)]
mod tests;
