//! EPUB 3 writer: [`Document`] → the bytes of an `.epub` file.
//!
//! The package is written by hand (no EPUB library) so that every content
//! document carries the book's `lang` and `dir`, and so the output is
//! byte-for-byte reproducible. One file per job:
//!
//! - `mod.rs` — the [`Plan`] (every file's name, id and href) and the file list;
//! - [`package`] — `package.opf` (metadata, manifest, spine);
//! - [`nav`] — `nav.xhtml` (table of contents, landmarks) and `toc.ncx`;
//! - [`pagelist`] — the print edition's page breaks and their list;
//! - [`xhtml`] — cover, title page and chapters from blocks and inlines;
//! - [`style`] — the stylesheet (`style.css` plus `@font-face` rules);
//! - [`archive`] — the zip container;
//! - [`resources`] — safe file names for pictures and fonts;
//! - [`subset`] — which faces the text needs, cut to its characters.
//!
//! Shared with the print side: `crate::locale` (words), `crate::time`
//! (dates), `crate::xml` (escaping).
//!
//! Layout inside the zip:
//!
//! ```text
//! mimetype
//! META-INF/container.xml  META-INF/com.apple.ibooks.display-options.xml
//! EPUB/package.opf  EPUB/toc.ncx  EPUB/nav.xhtml  EPUB/css/style.css
//! EPUB/cover.xhtml  EPUB/titlepage.xhtml  EPUB/chapter-01.xhtml …
//! EPUB/images/…  EPUB/fonts/…
//! ```

mod archive;
mod nav;
mod package;
mod pagelist;
mod resources;
mod style;
mod subset;
mod xhtml;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use rayon::prelude::*;

use crate::diag::{Code, Diagnostic, Diagnostics, Result};
use crate::doc::{BlockKind, Chapter, Document, InlineKind, walk};
use crate::fonts::{FontFace, FontLibrary};
use crate::layout::Skeleton;
use crate::output::Pieces;
use crate::parse::Reparser;
use archive::Spooling;
use pagelist::PageList;

use crate::locale::{self, Strings};
use resources::Names;

/// The folder inside the zip holding the package document and its content.
const ROOT: &str = "EPUB";
/// Hrefs, relative to [`ROOT`].
const PACKAGE: &str = "package.opf";
const NAV: &str = "nav.xhtml";
const NCX: &str = "toc.ncx";
const CSS: &str = "css/style.css";
const COVER: &str = "cover.xhtml";
const TITLE_PAGE: &str = "titlepage.xhtml";
/// How many shares of the chapters each thread makes: more than one, so a
/// thread that finishes early takes another.
const SHARES_A_THREAD: usize = 4;

/// Tells Apple Books to use the embedded fonts rather than its own.
const APPLE_DISPLAY_OPTIONS: &str = "META-INF/com.apple.ibooks.display-options.xml";

/// Writes `document` as an EPUB 3 package, embedding the faces of `fonts`
/// its text needs, each cut to the characters it draws ([`subset`]), with
/// the page breaks its print edition's skeleton, `pages`, gives, when it
/// has one.
///
/// The same document always gives the same bytes: file order, names, zip
/// timestamps (from `metadata.timestamp`) and permissions are all fixed.
pub fn write(
    document: &Document,
    fonts: &FontLibrary,
    pages: Option<&Skeleton>,
    warnings: &mut Diagnostics,
) -> Result<Vec<u8>> {
    let cover = crate::layout::cover::epub_jpeg(document, fonts)?;
    let facts = Facts::of(document);
    let parsed = Parsed {
        document,
        facts: &facts,
        again: None,
    };
    write_with_cover(&parsed, fonts, pages, cover, false, warnings)?
        .into_bytes()
        .map_err(archive::failed)
}

/// The parsed book an EPUB is written from: the document, what the EPUB
/// reads of all its chapters, and, where the document holds the chapters'
/// heads only ([`crate::parse::outline`]), what parses each again as its
/// content document is written.
pub struct Parsed<'a, 'b> {
    pub document: &'a Document,
    pub facts: &'a Facts,
    pub again: Option<&'a Reparser<'b>>,
}

impl Parsed<'_, '_> {
    /// Chapter `index`, whole.
    fn chapter(&self, index: usize) -> Result<Cow<'_, Chapter>> {
        match &self.again {
            Some(again) => again.chapter(index).map(Cow::Owned),
            None => Ok(Cow::Borrowed(&self.document.chapters[index])),
        }
    }
}

/// What the EPUB reads of every chapter besides its own content document:
/// names, ids, headings, pictures. Taken from the chapters whole, before a
/// build lets them go.
pub struct Facts {
    chapters: Vec<ChapterEntry>,
    /// The keys of the pictures the chapters show.
    shown: HashSet<String>,
    /// Whether every picture the chapters show has alt text.
    described: bool,
    /// Whether any chapter has a heading.
    headings: bool,
}

/// What the EPUB reads of one chapter besides its own content document
/// ([`Facts::seen`]).
pub struct Seen {
    /// Its title as plain text (empty: its number).
    title: String,
    properties: Vec<&'static str>,
    headings: Vec<nav::Heading>,
    /// The keys of the pictures it shows.
    shown: Vec<String>,
    /// How many of them have no alt text.
    undescribed: usize,
    /// Whether it has a heading.
    heading: bool,
}

impl Facts {
    pub fn of(doc: &Document) -> Facts {
        let seen = doc.chapters.iter().map(Facts::seen).collect();
        let ids = doc.chapters.iter().map(Chapter::element_ids).collect();
        Facts::gather(seen, ids)
    }

    /// What the EPUB reads of `chapter`, whole.
    pub fn seen(chapter: &Chapter) -> Seen {
        let (mut shown, mut undescribed, mut heading) = (Vec::new(), 0, false);
        walk::chapter_inlines(chapter, &mut |inline| {
            if let InlineKind::Image { key, alt, .. } = &inline.kind {
                shown.push(key.clone());
                undescribed += usize::from(alt.trim().is_empty());
            }
        });
        walk::chapter_blocks(chapter, &mut |block| {
            heading |= matches!(block.kind, BlockKind::Heading { .. });
        });
        Seen {
            title: chapter.title_text(),
            properties: html_properties(chapter),
            headings: nav::headings(chapter),
            shown,
            undescribed,
            heading,
        }
    }

    /// The facts of the chapters `seen`, whose element ids
    /// ([`Chapter::element_ids`]) are `ids`.
    pub fn gather(seen: Vec<Seen>, ids: Vec<HashSet<String>>) -> Facts {
        let width = seen.len().to_string().len().max(2);
        let mut chapters = Vec::with_capacity(seen.len());
        let (mut shown, mut undescribed, mut headings) = (HashSet::new(), 0, false);
        for ((i, seen), ids) in seen.into_iter().enumerate().zip(ids) {
            let id = format!("chapter-{:0width$}", i + 1);
            chapters.push(ChapterEntry {
                href: format!("{id}.xhtml"),
                id,
                title: match seen.title.is_empty() {
                    true => (i + 1).to_string(),
                    false => seen.title,
                },
                ids,
                properties: seen.properties,
                headings: seen.headings,
            });
            shown.extend(seen.shown);
            undescribed += seen.undescribed;
            headings |= seen.heading;
        }
        Facts {
            chapters,
            shown,
            described: undescribed == 0,
            headings,
        }
    }

    /// The element ids of chapter `index` ([`Chapter::element_ids`]).
    pub fn ids(&self, index: usize) -> Option<&HashSet<String>> {
        self.chapters.get(index).map(|entry| &entry.ids)
    }
}

/// The package, and each part of it, in memory up to a mebibyte, then in
/// a temporary file: a short book's never go there.
const SPOOLED: Spooling = Spooling {
    in_memory: 1 << 20,
    folder: None,
};

/// [`write`], with the cover picture made (`layout::cover::epub_jpeg`):
/// a build paints it while the print edition is laid out, as on a short
/// book it is most of the EPUB's work. `on_disk`: the package, past its
/// first mebibyte, is made in a temporary file, where one can be made and
/// written (else in memory: the same bytes).
pub fn write_with_cover(
    parsed: &Parsed,
    fonts: &FontLibrary,
    pages: Option<&Skeleton>,
    cover: Vec<u8>,
    on_disk: bool,
    warnings: &mut Diagnostics,
) -> Result<Pieces> {
    // Where no temporary file can be made (no `TMPDIR`), not tried.
    let spooling = match on_disk && tempfile::tempfile().is_ok() {
        true => SPOOLED,
        false => Spooling::MEMORY,
    };
    spooled_else_in_memory(spooling, warnings, |spooling, warnings| {
        package(parsed, fonts, pages, &cover, spooling, warnings)
    })
}

/// What `package` makes spooled as `spooling` says, or, should a
/// temporary file fail to be made or written, made again in memory, where
/// nothing fails to be written.
fn spooled_else_in_memory<'a>(
    spooling: Spooling<'a>,
    warnings: &mut Diagnostics,
    package: impl Fn(Spooling<'a>, &mut Diagnostics) -> Result<Pieces>,
) -> Result<Pieces> {
    if spooling != Spooling::MEMORY {
        let mut found = Diagnostics::default();
        match package(spooling, &mut found) {
            Err(error) if error.code == Code::WriteFailed => {}
            made => {
                warnings.extend(found);
                return made;
            }
        }
    }
    package(Spooling::MEMORY, warnings)
}

/// [`write_with_cover`], its package and the parts of it spooled as
/// `spooling` says.
fn package(
    parsed: &Parsed,
    fonts: &FontLibrary,
    pages: Option<&Skeleton>,
    cover: &[u8],
    spooling: Spooling,
    warnings: &mut Diagnostics,
) -> Result<Pieces> {
    let document = parsed.document;
    let mut plan = Plan::new(document, parsed.facts, fonts, pages, cover)?;
    let timestamp = document.metadata.timestamp;
    let numerals = document.layout.numerals;
    let part = || Content::new(archive::Archive::part(timestamp, spooling), numerals);
    let mut content = part();
    content.add(NAV, nav::nav_xhtml(&plan))?;
    content.add(COVER, xhtml::cover(&plan))?;
    content.add(TITLE_PAGE, xhtml::title_page(&plan))?;
    // The chapters a share a thread, the shares put in in order: the bytes
    // of one after another (`Archive::append`). The EPUB is the last of a
    // build to finish, often with the other core idle.
    let indices: Vec<usize> = (0..plan.chapters.len()).collect();
    // The pictures are deflated beside the chapters, a share a thread:
    // after them, a long cover took one core with the other idle, and one
    // after another a book of photographs' took seconds. (A part each
    // would hold each in memory, under a part's mebibyte, until put in.)
    let pictures: Vec<&ImageEntry> = std::iter::once(&plan.cover)
        .chain(plan.images.values())
        .collect();
    let (pictures, shares) = rayon::join(
        || {
            (pictures.par_chunks(shared(pictures.len())))
                .map(|share| {
                    let files = share.iter().map(|p| (p.href.as_str(), &*p.bytes));
                    deflated(timestamp, spooling, files)
                })
                .collect::<Vec<_>>()
        },
        || {
            indices
                .par_chunks(shared(indices.len()))
                .map(|share| {
                    let mut content = part();
                    for &index in share {
                        let chapter = parsed.chapter(index)?;
                        let xhtml = xhtml::chapter(&plan, index, &chapter)?;
                        content.add(&plan.chapters[index].href, xhtml)?;
                    }
                    // Finished here, not as the shares are put in: each
                    // held its last file's deflater (a third of a
                    // mebibyte) until every share was done.
                    Ok((content.archive.finish()?, content.shown))
                })
                .collect::<Vec<Result<_>>>()
        },
    );
    let Content {
        archive, mut shown, ..
    } = content;
    let mut parts = vec![archive.finish()?];
    for share in shares {
        let (part, share_shown) = share?;
        shown.extend(share_shown);
        parts.push(part);
    }
    plan.fonts = subset::embed(std::mem::take(&mut plan.fonts), &shown, warnings);
    // Each face deflated on a thread of its own, put in in order.
    let fonts: Vec<Result<_>> = plan
        .fonts
        .par_iter()
        .map(|font| deflated(timestamp, spooling, [(font.href.as_str(), &*font.data)]))
        .collect();
    for part in pictures.into_iter().chain(fonts) {
        parts.push(part?);
    }

    let mut package = archive::Archive::package(timestamp, spooling)?;
    package.add("META-INF/container.xml", container_xml().as_bytes())?;
    if !plan.fonts.is_empty() {
        package.add(APPLE_DISPLAY_OPTIONS, apple_display_options().as_bytes())?;
    }
    package.add(&format!("{ROOT}/{PACKAGE}"), package::opf(&plan).as_bytes())?;
    package.add_written(&format!("{ROOT}/{NCX}"), |out| nav::ncx(&plan, out))?;
    package.add(
        &format!("{ROOT}/{CSS}"),
        style::stylesheet(&plan).as_bytes(),
    )?;
    for part in parts {
        package.append(part)?;
    }
    package.into_pieces()
}

/// `files` (each its href in the package's folder and its bytes) deflated
/// in a part of their own, to be put in the package in its turn.
fn deflated<'f>(
    timestamp: i64,
    spooling: Spooling,
    files: impl IntoIterator<Item = (&'f str, &'f [u8])>,
) -> Result<tempfile::SpooledTempFile> {
    let mut part = archive::Archive::part(timestamp, spooling);
    for (href, bytes) in files {
        part.add(&format!("{ROOT}/{href}"), bytes)?;
    }
    part.finish()
}

/// How many of `count` files each share takes, so that each thread has
/// several ([`SHARES_A_THREAD`]).
fn shared(count: usize) -> usize {
    count
        .div_ceil(SHARES_A_THREAD * rayon::current_num_threads())
        .max(1)
}

/// Content documents, deflated one by one as each is made and let go (a
/// long book's XHTML was ten megabytes held at once), and what their text
/// shows, for the fonts.
struct Content {
    archive: archive::Archive,
    shown: subset::ShownText,
    /// The numerals ordered lists count in.
    numerals: crate::doc::Numerals,
}

impl Content {
    /// Content documents deflated into `archive`.
    fn new(archive: archive::Archive, numerals: crate::doc::Numerals) -> Self {
        Content {
            archive,
            shown: subset::ShownText::default(),
            numerals,
        }
    }

    /// Adds the document `xhtml` as `href` (in the package's folder).
    fn add(&mut self, href: &str, xhtml: String) -> Result<()> {
        self.shown.add_document(&xhtml, self.numerals)?;
        self.archive
            .add(&format!("{ROOT}/{href}"), xhtml.as_bytes())
    }
}

fn apple_display_options() -> String {
    r#"<?xml version="1.0" encoding="UTF-8"?>
<display_options>
  <platform name="*">
    <option name="specified-fonts">true</option>
  </platform>
</display_options>
"#
    .to_string()
}

fn container_xml() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="{ROOT}/{PACKAGE}" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"#
    )
}

/// Everything the writers need to agree on: names, ids and hrefs of every
/// file in the package, plus the book-level strings.
pub(crate) struct Plan<'a> {
    pub doc: &'a Document,
    /// BCP 47 tag for `lang`/`xml:lang` (never empty).
    pub lang: String,
    /// `rtl` or `ltr`.
    pub dir: &'static str,
    pub strings: &'static Strings,
    /// Book title (never empty).
    pub title: String,
    /// `dc:identifier` (never empty).
    pub identifier: String,
    pub chapters: Vec<ChapterEntry>,
    /// By key of [`Document::images`]: the pictures the chapters show
    /// (the cover artwork only when a chapter shows it too).
    pub images: BTreeMap<&'a str, ImageEntry<'a>>,
    pub fonts: Vec<FontEntry<'a>>,
    /// The cover warraq designs ([`crate::layout::cover`]), as JPEG.
    pub cover: ImageEntry<'a>,
    /// Whether every picture has alt text (the cover's is the title); true
    /// for a book without pictures.
    pub pictures_described: bool,
    /// Whether any chapter has a heading.
    pub headings: bool,
    /// The print edition's pages (none without one).
    pub page_list: PageList,
}

#[derive(Clone)]
pub(crate) struct ChapterEntry {
    /// Manifest id, e.g. `chapter-01`.
    pub id: String,
    /// e.g. `chapter-01.xhtml`.
    pub href: String,
    /// Plain-text title (never empty).
    pub title: String,
    /// Every element id the chapter's content brings: its headings' and
    /// those in its raw HTML (footnotes included). Links may target them.
    pub ids: HashSet<String>,
    /// Manifest `properties` the chapter's raw HTML calls for (`svg`, `mathml`).
    pub properties: Vec<&'static str>,
    /// The headings the table of contents lists under it.
    pub headings: Vec<nav::Heading>,
}

pub(crate) struct ImageEntry<'a> {
    pub id: String,
    /// e.g. `images/map.png`.
    pub href: String,
    pub media_type: &'static str,
    pub width: u32,
    pub height: u32,
    bytes: Cow<'a, [u8]>,
}

pub(crate) struct FontEntry<'a> {
    pub id: String,
    /// e.g. `fonts/Amiri-Regular.ttf`.
    pub href: String,
    pub media_type: &'static str,
    pub face: &'a FontFace,
    /// What the EPUB embeds: the face cut to the book's text, or whole.
    pub data: Cow<'a, [u8]>,
}

impl<'a> Plan<'a> {
    fn new(
        doc: &'a Document,
        facts: &Facts,
        fonts: &'a FontLibrary,
        pages: Option<&Skeleton>,
        cover: &'a [u8],
    ) -> Result<Plan<'a>> {
        let meta = &doc.metadata;
        let lang = match meta.language.trim() {
            "" => "und".to_string(),
            l => l.to_string(),
        };
        let strings = locale::strings_for(&lang);
        let title = match meta.title.trim() {
            "" => "Untitled".to_string(),
            t => t.to_string(),
        };
        let identifier = match meta.identifier.trim() {
            "" => crate::parse::derived_identifier(&title, &meta.authors),
            id => id.to_string(),
        };

        let mut chapters = facts.chapters.clone();

        if let Some(key) = doc
            .cover
            .as_ref()
            .filter(|key| !doc.images.contains_key(*key))
        {
            return Err(Diagnostic::error(
                Code::Internal,
                format!("the cover picture `{key}` was not loaded"),
            ));
        }
        let mut image_names = Names::default();
        let (cover_wide, cover_high) = crate::layout::cover::EPUB_COVER_PIXELS;
        let cover = ImageEntry {
            id: "cover-image".to_string(),
            href: format!("images/{}", image_names.unique("cover", "jpg")),
            media_type: crate::doc::PictureFormat::Jpeg.media_type(),
            width: cover_wide,
            height: cover_high,
            bytes: Cow::Borrowed(cover),
        };
        let mut images = BTreeMap::new();
        let pictures = doc
            .images
            .iter()
            .filter(|(key, _)| facts.shown.contains(key.as_str()));
        for (n, (key, picture)) in pictures.enumerate() {
            let ext = match picture.format {
                crate::doc::PictureFormat::Png => "png",
                crate::doc::PictureFormat::Jpeg => "jpg",
            };
            let name = image_names.unique(&resources::safe_stem(key, "image"), ext);
            images.insert(
                key.as_str(),
                ImageEntry {
                    id: format!("img-{}", n + 1),
                    href: format!("images/{name}"),
                    media_type: picture.format.media_type(),
                    width: picture.width,
                    height: picture.height,
                    bytes: Cow::Borrowed(picture.bytes.as_slice()),
                },
            );
        }

        let mut font_names = Names::default();
        let fonts = fonts
            .faces
            .iter()
            .enumerate()
            .map(|(n, face)| {
                let (ext, media_type) = resources::font_kind(face);
                let stem = resources::safe_stem(&face.file_name, "font");
                // Font names keep their case: they are what people recognize.
                let stem = face
                    .file_name
                    .rsplit_once('.')
                    .map(|(s, _)| s)
                    .filter(|s| s.eq_ignore_ascii_case(&stem))
                    .unwrap_or(&stem);
                FontEntry {
                    id: format!("font-{}", n + 1),
                    href: format!("fonts/{}", font_names.unique(stem, ext)),
                    media_type,
                    face,
                    data: Cow::Borrowed(face.data.as_slice()),
                }
            })
            .collect();

        let page_list = pages
            .map(|pages| PageList::new(doc, pages, &mut chapters))
            .unwrap_or_default();
        Ok(Plan {
            doc,
            lang,
            dir: meta.direction.as_html(),
            strings,
            title,
            identifier,
            chapters,
            images,
            fonts,
            cover,
            pictures_described: facts.described,
            headings: facts.headings,
            page_list,
        })
    }

    /// The authors, without blank entries.
    pub fn authors(&self) -> impl Iterator<Item = &str> {
        self.doc
            .metadata
            .authors
            .iter()
            .map(|a| a.trim())
            .filter(|a| !a.is_empty())
    }
}

/// Manifest properties for what raw HTML and formulas bring (SVG or MathML).
fn html_properties(chapter: &Chapter) -> Vec<&'static str> {
    let html = chapter.raw_html();
    let mut properties = Vec::new();
    if html.iter().any(|h| h.contains("<svg")) {
        properties.push("svg");
    }
    let mut formula = false;
    walk::chapter_inlines(chapter, &mut |inline| {
        formula |= matches!(
            inline.kind,
            InlineKind::Math {
                mathml: Some(_),
                ..
            }
        );
    });
    if formula || html.iter().any(|h| h.contains("<math")) {
        properties.push("mathml");
    }
    properties
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where a temporary file fails, the EPUB is made again in memory, with
    /// the same bytes and the same warnings.
    #[test]
    fn an_epub_whose_temporary_file_fails_is_made_in_memory() {
        let crate::Prepared {
            document, fonts, ..
        } = crate::testing::seed_book();
        let cover = crate::layout::cover::epub_jpeg(&document, &fonts).expect("a cover");
        let tmp = tempfile::tempdir().expect("a folder");
        let missing = tmp.path().join("missing");
        let failing = Spooling {
            in_memory: 0,
            folder: Some(&missing),
        };
        let facts = Facts::of(&document);
        let parsed = Parsed {
            document: &document,
            facts: &facts,
            again: None,
        };
        let package = |spooling, warnings: &mut Diagnostics| {
            package(&parsed, &fonts, None, &cover, spooling, warnings)
        };
        let tried = package(failing, &mut Diagnostics::default());
        assert_eq!(tried.err().map(|e| e.code), Some(Code::WriteFailed));
        let (mut again, mut held) = (Diagnostics::default(), Diagnostics::default());
        let made = spooled_else_in_memory(failing, &mut again, package);
        let made = made.expect("made in memory");
        assert_eq!(made.in_file(), 0);
        let in_memory = package(Spooling::MEMORY, &mut held);
        assert!(made.into_bytes().ok() == in_memory.ok().and_then(|p| p.into_bytes().ok()));
        assert_eq!(again.0, held.0);
    }
}
