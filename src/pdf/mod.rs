//! PDF writer: draws the page model with krilla.
//!
//! Glyphs go in exactly as HarfBuzz shaped them (krilla's own shaper is
//! compiled out), each with the source text of its cluster, so text copies out
//! of the PDF as the original characters. krilla embeds subset fonts, writes
//! the trim and bleed boxes, the outline, XMP metadata and a content-derived
//! `/ID`, so the same pages give the same bytes. Page labels: [`labels`].

pub mod booklet;
mod labels;
mod metadata;
pub mod standard;
mod tags;
mod text;
mod update;

use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::sync::Arc;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::time::{Duration, Instant};

use krilla::Document as PdfDocument;
use krilla::action::LinkAction;
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::destination::{NamedDestination, XyzDestination};
use krilla::geom::{Path as PdfPath, PathBuilder, Point, Rect as PdfRect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata, TextDirection};
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Paint, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{Artifact, ArtifactType, ContentTag};
use krilla::text::{Font, GlyphId};
use rustc_hash::{FxHashMap, FxHashSet};
use smallvec::{SmallVec, smallvec};
use unicode_script::Script;

use crate::diag::{Code, Diagnostic, Result};
use crate::doc::{Direction, Document, Justify, PictureFormat};
use crate::fonts::{FontLibrary, Role};
use crate::layout::line::{is_added_hyphen, run_start};
use crate::layout::page::{
    GlyphRun, Item, LinkTo, NodeId, OutlineEntry, Page, PageKind, PathStep, Rect, Structure,
    polygon_steps,
};
use crate::layout::{self, Pages, Sink};
use crate::output::Pieces;
use crate::time::Civil;
use standard::PdfStandard;
use tags::Tagger;
use text::Drawn;

/// Serializes the laid-out pages, letting each go once it is drawn, given
/// to [`draw`] as layout gives them ([`layout::Sink`]): the chapters'
/// pages, then the generated ones. What krilla makes of them is held in
/// memory to the end (`BuildOptions::streaming` off).
pub fn write(document: &Document, fonts: &FontLibrary, mut pages: Pages) -> Result<Pieces> {
    let list = std::mem::take(&mut pages.pages);
    let structure = std::mem::take(&mut pages.structure);
    let outline = std::mem::take(&mut pages.outline);
    let generated = |page: &Page| {
        matches!(
            page.kind,
            PageKind::Cover | PageKind::Title | PageKind::Contents
        )
    };
    let (front, body): (Vec<_>, Vec<_>) = list
        .into_iter()
        .enumerate()
        .partition(|(_, page)| generated(page));
    let (given, pdf) = draw(document, fonts, pages, false, |mut sink| -> Result<()> {
        for structure in structure {
            sink.structure(structure)?;
        }
        sink.outline(outline)?;
        for (index, page) in body.into_iter().chain(front) {
            sink.page(index, page)?;
        }
        Ok(())
    });
    // A failure to draw stops the pages being given: it is the one to tell.
    let (pdf, _) = pdf?;
    given?;
    Ok(pdf)
}

/// What layout gives the PDF's threads ([`draw`]), in its order.
enum Given {
    Structure(Structure),
    Outline(Vec<OutlineEntry>),
    Page(usize, Page),
}

/// Layout's way into a PDF being drawn ([`draw`]); dropped, the PDF is
/// finished.
pub struct PdfSink(SyncSender<Given>);

/// What layout says when the PDF stops taking pages (drawing failed: its
/// own error is the one to tell).
pub const STOPPED: &str = "the PDF stopped taking pages before layout ended";

impl PdfSink {
    fn give(&mut self, given: Given) -> Result<()> {
        self.0
            .send(given)
            .map_err(|_| Diagnostic::error(Code::Internal, STOPPED))
    }
}

impl layout::Sink for PdfSink {
    fn structure(&mut self, structure: Structure) -> Result<()> {
        self.give(Given::Structure(structure))
    }

    fn outline(&mut self, entries: Vec<OutlineEntry>) -> Result<()> {
        self.give(Given::Outline(entries))
    }

    fn page(&mut self, index: usize, page: Page) -> Result<()> {
        self.give(Given::Page(index, page))
    }
}

/// Draws a PDF of pages of `frame`'s size and sheet from what `feed` gives
/// the sink it is handed, as it gives it, on two threads of its own: one
/// works out each page's text layer (nearly half of the work, and it needs
/// nothing krilla makes), the other draws with krilla and lets each page go
/// once drawn, and what krilla makes of them (their compressed streams, the
/// structure tree's elements, the file) in temporary files until the end
/// if `on_disk` (else in memory: the same bytes). The PDF is finished when
/// `feed` drops the sink; returns what `feed` returned, and the PDF with
/// the time finishing it took once every page was given (the pages that
/// waited drawn, the file put together).
pub fn draw<R>(
    document: &Document,
    fonts: &FontLibrary,
    frame: Pages,
    on_disk: bool,
    feed: impl FnOnce(PdfSink) -> R,
) -> (R, Result<(Pieces, Duration)>) {
    std::thread::scope(|scope| {
        let (sink, given) = sync_channel::<Given>(PAGES_GIVEN);
        let (prepared_to, prepared) = sync_channel::<(Given, Vec<PreparedLine>)>(PAGES_AHEAD);
        // The tatweel probes, shaped once for both threads while layout
        // starts (no page comes before they are done): shaped before it,
        // they kept the other core idle.
        let (facts_to, facts) = sync_channel::<Arc<text::FaceFacts>>(1);
        scope.spawn(move || {
            let shared = text::Faces::new(fonts).facts();
            let _ = facts_to.send(Arc::clone(&shared));
            let faces = text::Faces::sharing(fonts, shared);
            for given in given {
                let lines = match &given {
                    Given::Page(_, page) => prepare_lines(page, &faces),
                    _ => Vec::new(),
                };
                // The receiver is gone when drawing failed: stop.
                if prepared_to.send((given, lines)).is_err() {
                    break;
                }
            }
        });
        let drawn = scope.spawn(move || {
            // None only if the thread working them out panicked, which the
            // scope then passes on.
            let facts = facts
                .recv()
                .map_err(|_| Diagnostic::error(Code::Internal, STOPPED))?;
            let mut drawing = Drawing::new(document, fonts, frame, facts);
            if !on_disk {
                drawing.pdf.keep_in_memory();
            }
            // Ends when the sink is dropped and every page handed over.
            for (given, lines) in prepared {
                match given {
                    Given::Structure(structure) => drawing.structure(structure),
                    Given::Outline(entries) => drawing.outline(entries),
                    Given::Page(index, page) => drawing.page(index, page, lines)?,
                }
            }
            let finishing = Instant::now();
            let bytes = drawing.finish()?;
            Ok((bytes, finishing.elapsed()))
        });
        let fed = feed(PdfSink(sink));
        let pdf = drawn
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (fed, pdf)
    })
}

/// The PDF being drawn as its pages come, each let go once drawn; a page
/// that types a tatweel may wait for a kashida or the end
/// ([`Drawing::types_tatweel`]). A page's links are made once the places
/// they lead to are drawn (krilla places a link by where the page it leads
/// to stands in the drawing order): the page itself does not wait.
struct Drawing<'a> {
    pdf: PdfDocument,
    writer: Writer<'a>,
    /// Pages that wait, in the order they came.
    held: Vec<Held>,
    /// Drawn pages whose links are still to be made, in the order drawn,
    /// each with its place in the drawing order: made in that order, so
    /// that each page's and each link element's come in the book's order.
    unlinked: VecDeque<(usize, Vec<Link>)>,
    /// Glyphs already given their text ([`Writer::map_invisible_glyphs`]).
    mapped: FxHashSet<(usize, u16)>,
    /// How many glyphs were in `mapped` when the held pages' tatweels were
    /// last looked at.
    looked: usize,
    /// How many pages are drawn.
    count: usize,
    /// The chapters before this one have all their pages given (the
    /// pages come in the book's order, the generated pages last).
    given: u32,
}

/// A page waiting to be drawn ([`Drawing::page`]).
struct Held {
    /// Its index in the book.
    index: usize,
    page: Page,
    /// Its text layer.
    lines: Vec<PreparedLine>,
    /// Whether it still waits for a kashida or the end
    /// ([`Drawing::types_tatweel`]).
    typed: bool,
}

/// A link of a drawn page, to be made once the place it leads to is drawn.
struct Link {
    /// Where it is on its PDF page.
    area: PdfRect,
    leads: Leads,
    /// Its link element.
    node: Option<NodeId>,
}

/// Where a link leads.
enum Leads {
    /// Where the book's text says.
    To(LinkTo),
    /// To `y` points below the top of page `page` of the book, described
    /// so.
    Place {
        page: usize,
        y: f32,
        description: String,
    },
}

impl<'a> Drawing<'a> {
    /// A PDF of pages of `frame`'s size and sheet, none drawn yet, its
    /// faces' facts worked out already.
    fn new(
        document: &'a Document,
        fonts: &'a FontLibrary,
        frame: Pages,
        facts: Arc<text::FaceFacts>,
    ) -> Self {
        let standard = document.page.standard();
        let accessible = document.page.accessible;
        Drawing {
            pdf: PdfDocument::new_with(standard.serialize_settings(accessible)),
            writer: Writer {
                document,
                fonts,
                krilla_fonts: FxHashMap::default(),
                faces: text::Faces::sharing(fonts, facts),
                images: HashMap::new(),
                origin: (0.0, 0.0),
                frame,
                outline: Vec::new(),
                destinations: FxHashMap::default(),
                tags: Tagger::new(document.chapters.len()),
                drawn: Vec::new(),
                home: crate::locale::home_script(&document.metadata.language),
            },
            held: Vec::new(),
            unlinked: VecDeque::new(),
            mapped: FxHashSet::default(),
            looked: 0,
            count: 0,
            given: 0,
        }
    }

    /// A chapter's structure, or the generated pages', before its pages.
    fn structure(&mut self, structure: Structure) {
        self.writer.tags.add(structure);
    }

    /// Bookmarks, before the pages they lead to.
    fn outline(&mut self, entries: Vec<OutlineEntry>) {
        for entry in entries {
            let at = self.writer.outline.len();
            self.writer
                .destinations
                .entry(entry.name.clone())
                .or_insert(at);
            self.writer.outline.push(entry);
        }
    }

    /// Page `index` of the book, with its text layer ([`prepare_lines`]):
    /// drawn, and let go, unless it waits for a kashida
    /// ([`Drawing::types_tatweel`]).
    fn page(&mut self, index: usize, page: Page, lines: Vec<PreparedLine>) -> Result<()> {
        let chapters = self.writer.document.chapters.len() as u32;
        self.given = match (page.kind, page.chapter) {
            (PageKind::Cover | PageKind::Title | PageKind::Contents, _) => chapters,
            (_, Some(chapter)) => self.given.max(chapter as u32),
            (_, None) => self.given,
        };
        if self.types_tatweel(&page) {
            self.held.push(Held {
                index,
                page,
                lines,
                typed: true,
            });
            self.complete_chapters();
            return Ok(());
        }
        self.draw(index, &page, lines, Vec::new())?;
        drop(page);
        // Pages waiting for a glyph this one, or one they released, mapped.
        loop {
            // Only when a glyph was mapped since: a long wait can hold many.
            if self.mapped.len() != self.looked {
                let typed: Vec<bool> = (self.held.iter())
                    .map(|held| held.typed && self.types_tatweel(&held.page))
                    .collect();
                for (held, typed) in self.held.iter_mut().zip(typed) {
                    held.typed = typed;
                }
                self.looked = self.mapped.len();
            }
            let Some(at) = self.held.iter().position(|held| !held.typed) else {
                self.complete_chapters();
                return Ok(());
            };
            let held = self.held.remove(at);
            self.draw(held.index, &held.page, held.lines, Vec::new())?;
        }
    }

    /// Writes the chapters that are done into the structure tree, in
    /// order: those whose every page is given and drawn and whose links
    /// are made (a page held for a kashida, or a link to a place not drawn
    /// yet, holds its chapter and those after it).
    fn complete_chapters(&mut self) {
        let waits = |chapter: u32| {
            chapter >= self.given
                || (self.held.iter()).any(|held| held.page.chapter == Some(chapter as usize))
                || (self.unlinked.iter().flat_map(|(_, links)| links))
                    .any(|link| link.node.is_some_and(|node| node.chapter == chapter))
        };
        let mut through = self.writer.tags.next_chapter();
        while !waits(through) {
            through += 1;
        }
        self.writer.tags.complete(&mut self.pdf, through);
    }

    /// Makes the links of drawn pages, in the order drawn, as far as the
    /// places they lead to are drawn; at the `end`, every link that leads
    /// to a place in the book, the others left out (as the text's links to
    /// places the book does not have are).
    fn make_links(&mut self, end: bool) -> Result<()> {
        while let Some((at, links)) = self.unlinked.front() {
            // `None` where the place is not drawn yet, or not in the book.
            let annotations: Vec<Option<Annotation>> = links
                .iter()
                .map(|link| self.writer.annotation(link))
                .collect();
            if !end && annotations.iter().any(Option::is_none) {
                break;
            }
            for (link, annotation) in links.iter().zip(annotations) {
                let Some(annotation) = annotation else {
                    continue;
                };
                (self.writer.tags)
                    .add_annotation(&mut self.pdf, *at, annotation, link.node)
                    .ok_or_else(|| {
                        Diagnostic::error(Code::Internal, "a link is on a page not drawn")
                    })?;
            }
            self.unlinked.pop_front();
        }
        Ok(())
    }

    /// Whether `page` draws a tatweel typed in the book with a glyph that
    /// no kashida has been drawn with yet, in a book justified with
    /// kashidas: it waits until one is, or for the end. A glyph copies out
    /// of the font's map as one text, and as another only through
    /// `/ActualText`, which pdf.js ignores; if a kashida is drawn with it
    /// anywhere in the book, the kashidas, far more, are to have the map
    /// (see [`invisible_glyphs`]), and once every other page is drawn,
    /// whether one is is known. (A glyph no kashida is drawn with holds
    /// every page that types it to the end, as the whole book was held
    /// before pages were drawn as they came.)
    fn types_tatweel(&self, page: &Page) -> bool {
        if self.writer.document.layout.justify != Justify::Kashida {
            return false;
        }
        let faces = &self.writer.faces;
        page.items.iter().any(|item| {
            let Item::Glyphs(run) = item else {
                return false;
            };
            // A tatweel glyph that does not copy out as a kashida is typed.
            run.glyphs.iter().any(|g| {
                faces.draws_tatweel(run.face, g.id)
                    && !faces.copies_as_kashida(run, g)
                    && !self.mapped.contains(&(run.face, g.id))
            })
        })
    }

    /// Draws page `index` of the book, `page`, with its text layer `lines`,
    /// first mapping the `earlier` glyphs ([`invisible_glyphs`] of other
    /// pages) and its own.
    fn draw(
        &mut self,
        index: usize,
        page: &Page,
        lines: Vec<PreparedLine>,
        mut earlier: Vec<Invisible>,
    ) -> Result<()> {
        let writer = &mut self.writer;
        let standard = writer.document.page.standard();
        let strings = crate::locale::strings_for(&writer.document.metadata.language);
        // The sheet's corner is the PDF page's origin; the page model's is
        // the trimmed page's.
        let media = writer.frame.media_box(index);
        writer.origin = (-media.x, -media.y);
        let trim = writer.pdf_rect(&Rect {
            x: 0.0,
            y: 0.0,
            width: writer.frame.width,
            height: writer.frame.height,
        });
        let bleed = writer.pdf_rect(&writer.frame.bleed_box(index));
        let settings = PageSettings::from_wh(media.width, media.height)
            .ok_or_else(|| Diagnostic::error(Code::InvalidValue, "the page size is not valid"))?
            .with_bleed_box(bleed)
            .with_trim_box(trim)
            .with_page_label(labels::label(page, strings));
        earlier.extend(invisible_glyphs(page, &writer.faces, &mut self.mapped));
        let invisible = earlier;
        // Known before its links are made: a link may lead to its own page.
        writer.place_in_order(index, self.count);
        let mut pdf_page = self.pdf.start_page_with(settings);
        let item_links = {
            let mut surface = pdf_page.surface();
            if !invisible.is_empty() {
                // Off the page: no content of the book.
                surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(
                    ArtifactType::Other,
                )));
                writer.map_invisible_glyphs(&mut surface, invisible)?;
                surface.end_tagged();
            }
            writer.tags.start_page(index);
            let links = writer.draw_page(&mut surface, page, (steps(page), lines))?;
            surface.finish();
            links
        };
        // PDF/X keeps annotations out of the printed area; a press file
        // needs no links (the bookmarks remain).
        if standard != PdfStandard::X4 {
            let places = page.links.iter().filter_map(|link| {
                Some(Link {
                    area: writer.pdf_rect(&link.rect)?,
                    leads: Leads::Place {
                        page: link.page,
                        y: link.y,
                        description: link.description.clone(),
                    },
                    node: link.node,
                })
            });
            let links: Vec<Link> = item_links.into_iter().chain(places).collect();
            if !links.is_empty() {
                self.unlinked.push_back((self.count, links));
            }
        }
        pdf_page.finish();
        self.count += 1;
        self.make_links(false)?;
        // Nothing can add to a page drawn before the first whose links wait:
        // krilla writes it now rather than holding it to the end, once its
        // stream is compressed, on a thread of its own: a few pages behind,
        // so that it seldom waits for it.
        let end = (self.unlinked.front())
            .map_or(self.count, |(at, _)| *at)
            .min(self.count.saturating_sub(PAGES_BEHIND));
        self.pdf.write_pages_before(end).map_err(write_failed)
    }

    /// The PDF's bytes, once every page is given: the pages still waiting
    /// for a kashida drawn, the links still to be made made, the pages put
    /// in the book's order, the bookmarks, tags and metadata written.
    fn finish(mut self) -> Result<Pieces> {
        let held = std::mem::take(&mut self.held);
        // Their kashidas mapped before any draws a typed tatweel.
        let mut earlier: Vec<Invisible> = held
            .iter()
            .flat_map(|held| invisible_glyphs(&held.page, &self.writer.faces, &mut self.mapped))
            .collect();
        for held in held {
            let earlier = std::mem::take(&mut earlier);
            self.draw(held.index, &held.page, held.lines, earlier)?;
        }
        self.make_links(true)?;
        let Drawing {
            mut pdf, writer, ..
        } = self;
        let document = writer.document;
        let standard = document.page.standard();
        let accessible = document.page.accessible;
        let unplaced =
            || Diagnostic::error(Code::Internal, "a bookmark leads to no page of the PDF");
        for entry in &writer.outline {
            // Names are unique in the book (heading ids are, in their chapter).
            let destination = writer.destination(entry).ok_or_else(unplaced)?;
            pdf.register_named_destination(NamedDestination::new(entry.name.clone(), destination))
                .ok_or_else(|| {
                    Diagnostic::error(
                        Code::Internal,
                        format!(
                            "two places in the book are both named `{}` in the PDF",
                            entry.name
                        ),
                    )
                })?;
        }
        // Every entry's page is drawn: checked above.
        pdf.set_outline(outline(&writer.outline, |entry| {
            writer
                .destination(entry)
                .unwrap_or_else(|| XyzDestination::new(0, Point::from_xy(0.0, 0.0)))
        }));
        // For each page of the book, in order, its place in the drawing
        // order: what krilla's page tree is to list.
        let order: Option<Vec<usize>> = writer.drawn.iter().copied().collect();
        pdf.set_page_order(order.unwrap_or_default())
            .ok_or_else(|| {
                Diagnostic::error(Code::Internal, "the PDF's pages could not be put in order")
            })?;
        let krilla_fonts = writer.krilla_fonts;
        writer.tags.finish(&mut pdf, &document.metadata.language)?;
        pdf.set_metadata(metadata(document));
        let finished = pdf.finish_in_pieces().map_err(|e| match e {
            krilla::error::KrillaError::Validation(errors) => {
                let errors: Vec<_> = errors.into_iter().map(|(error, _)| error).collect();
                standard::validation_failure(
                    standard,
                    accessible,
                    writer.fonts,
                    &krilla_fonts,
                    &errors,
                )
            }
            e => write_failed(e),
        })?;
        let producer = producer();
        update::append(
            Pieces::new(finished.file, finished.pieces),
            finished.catalog.as_deref(),
            &update::Additions {
                xmp: metadata::xmp(&document.metadata, standard, accessible, &producer),
                info: metadata::info(&document.metadata, standard, &producer),
                output_intent: standard.output_intent(),
            },
        )
    }
}

/// What krilla's failure to write the PDF, other than the standard's
/// rules broken, is told as.
fn write_failed(error: krilla::error::KrillaError) -> Diagnostic {
    match error {
        // A temporary file krilla keeps the file in failed.
        krilla::error::KrillaError::Spill(message) => Diagnostic::error(
            Code::WriteFailed,
            format!("cannot write the PDF: {message}"),
        )
        .of_environment(),
        e => Diagnostic::error(Code::Internal, format!("cannot write the PDF: {e:?}")),
    }
}

/// A glyph that [`Writer::map_invisible_glyphs`] gives its text: its
/// face, id, advance and size where the book first draws it, and the text.
struct Invisible {
    face: usize,
    id: u16,
    x_advance: f32,
    size: f32,
    text: &'static str,
}

/// The glyphs `page` draws as kashidas ([`text::Faces::copies_as_kashida`])
/// and each face's empty glyph that
/// are not in `mapped` yet, once each, in the order drawn (see
/// [`Writer::map_invisible_glyphs`]), added to `mapped`.
fn invisible_glyphs(
    page: &Page,
    faces: &text::Faces,
    mapped: &mut FxHashSet<(usize, u16)>,
) -> Vec<Invisible> {
    let mut glyphs = Vec::new();
    for item in &page.items {
        let Item::Glyphs(run) = item else { continue };
        let kashidas = run
            .glyphs
            .iter()
            .filter(|g| faces.copies_as_kashida(run, g));
        let kashidas = kashidas.map(|g| (g.id, g.x_advance, text::KASHIDA_TEXT));
        let empty = faces.empty_glyph(run.face);
        let empty = empty.map(|id| (id, 0.0, text::JOINER_TEXT));
        for (id, x_advance, text) in kashidas.chain(empty) {
            if mapped.insert((run.face, id)) {
                glyphs.push(Invisible {
                    face: run.face,
                    id,
                    x_advance,
                    size: run.size,
                    text,
                });
            }
        }
    }
    glyphs
}

/// How many pages' text layers [`prepare_lines`] may work out ahead of the
/// page krilla draws.
const PAGES_AHEAD: usize = 8;

/// How many pages behind the last drawn krilla writes those nothing can
/// add to any more ([`Drawing::draw`]): their streams, compressed on a
/// thread of their own, are seldom still being made by then.
const PAGES_BEHIND: usize = 8;

/// How many pages layout may hand over ahead of the text layer: with room
/// for only a few, the thread that puts chapters on pages waited for the
/// PDF while the next share of chapters was flowed, and a core stood idle
/// when that was done first (3% of the time of long books; the pages
/// share their glyphs with the flows, so holding more costs little).
const PAGES_GIVEN: usize = 64;

/// A line's text and glyphs as krilla draws them ([`text::line_text`]).
type PreparedLine = (String, Vec<Drawn>);

/// Runs drawn in one text showing (see [`line_runs`]).
type Showing<'p> = SmallVec<[&'p GlyphRun; 2]>;

/// Showings pdf.js reads as one text item (see [`one_item`]).
type Piece<'p> = SmallVec<[Showing<'p>; 1]>;

/// The runs from `first` on that make one text showing (see
/// [`text::line_text`]) and one element (marked content cannot begin
/// inside a text showing), taken from `items`.
fn line_runs<'p>(
    first: &'p GlyphRun,
    items: &mut std::iter::Peekable<std::slice::Iter<'p, Item>>,
) -> Showing<'p> {
    let mut line = smallvec![first];
    while let Some(Item::Glyphs(next)) = items.peek() {
        if next.node != first.node || !text::continues(line[line.len() - 1], next) {
            break;
        }
        line.push(next);
        items.next();
    }
    line
}

/// What [`Writer::draw_page`] draws, one step at a time.
enum Step<'p> {
    /// A line's pieces that pdf.js takes as text items of their own, in
    /// the order they are drawn, each its text showings ([`line_runs`]).
    Line(SmallVec<[Piece<'p>; 1]>),
    Other(&'p Item),
}

/// Whether `run` is part of the line of the paragraph `first` is on: the
/// paragraph's text (or a hyphen added to it) at about its baseline (a
/// raised note number is still on its line).
fn same_line(first: &GlyphRun, run: &GlyphRun) -> bool {
    (Arc::ptr_eq(&first.text, &run.text) || is_added_hyphen(run))
        && (run.y - first.y).abs() < tags::SAME_LINE * first.size.max(run.size)
}

/// Whether pdf.js reads text showing `b`, drawn after `a`, as part of the
/// same text item: nothing (a font, a size, marked content) ends it.
fn one_item(a: &[&GlyphRun], b: &[&GlyphRun]) -> bool {
    let (a, b) = (a[0], b[0]);
    a.face == b.face && a.size == b.size && a.node == b.node
}

/// `showing` cut where its runs change direction, when it has letters of
/// left-to-right scripts only: pdf.js takes such a text item for left to
/// right, and a run in it set right to left would come out on the wrong
/// side (the full stop after a Cyrillic word ending an Arabic sentence, or
/// the quotation marks around it, set in the Cyrillic face: «.Қазақстан»).
/// Cut, each part is a piece of its own, drawn in its place in reading
/// order. (A list's number and its dot, which have no letter, stay whole:
/// poppler would take them for two words.)
fn direction_parts(showing: Showing<'_>) -> SmallVec<[Showing<'_>; 1]> {
    // Most showings are of one direction: nothing to cut, no letter to read.
    if showing.iter().all(|run| run.rtl == showing[0].rtl) {
        return smallvec![showing];
    }
    let letters = showing.iter().flat_map(|run| {
        let text = &run.text;
        run.glyphs
            .iter()
            .filter_map(|g| text.get(g.text_range()))
            .flat_map(str::chars)
            .filter(|&c| text::is_letter(c))
    });
    // Whole if it has a right-to-left letter, or no letter at all.
    let mut ltr = false;
    for c in letters {
        if text::is_right_to_left(c) {
            return smallvec![showing];
        }
        ltr = true;
    }
    if !ltr {
        return smallvec![showing];
    }
    showing
        .chunk_by(|a, b| a.rtl == b.rtl)
        .map(SmallVec::from_slice)
        .collect()
}

/// Where a piece of a line stands in its paragraph: the first byte of the
/// text it shows; an added hyphen ends its line.
fn reading_key(piece: &[Showing]) -> usize {
    piece
        .iter()
        .flatten()
        .filter_map(|run| run_start(run))
        .min()
        .unwrap_or(usize::MAX)
}

/// The steps that draw `page`: its items in order, but for the text of
/// each line, whose pieces pdf.js takes as text items of their own (a bold
/// word, a link, a word in another face, a raised note number) are drawn
/// in reading order. pdf.js and MuPDF give text items in the order they
/// are drawn, and marked content is read so: drawn left to right, a
/// right-to-left line with a bold word came out last piece first.
fn steps(page: &Page) -> Vec<Step<'_>> {
    let mut steps = Vec::new();
    let mut items = page.items.iter().peekable();
    while let Some(item) = items.next() {
        let Item::Glyphs(first) = item else {
            steps.push(Step::Other(item));
            continue;
        };
        let mut pieces: SmallVec<[Piece; 1]> = SmallVec::new();
        let mut next = Some(first);
        while let Some(run) = next {
            let parts = direction_parts(line_runs(run, &mut items));
            for (index, part) in parts.into_iter().enumerate() {
                match pieces.last_mut() {
                    Some(piece) if index == 0 && one_item(&piece[piece.len() - 1], &part) => {
                        piece.push(part)
                    }
                    _ => pieces.push(smallvec![part]),
                }
            }
            next = match items.peek() {
                Some(Item::Glyphs(run)) if same_line(first, run) => {
                    items.next();
                    Some(run)
                }
                _ => None,
            };
        }
        // Stable: pieces of one place (none) keep their order.
        pieces.sort_by_cached_key(|piece| reading_key(piece));
        steps.push(Step::Line(pieces));
    }
    steps
}

/// A page's steps ([`steps`]) and the text layer of each of their
/// showings, in the order [`Writer::draw_page`] draws them.
type PreparedPage<'p> = (Vec<Step<'p>>, Vec<PreparedLine>);

/// The text layer of each showing of `page`'s lines, in the order
/// [`Writer::draw_page`] draws them: what a [`Drawing`] is given with the
/// page (it works out the page's steps again, which borrow the page).
fn prepare_lines(page: &Page, faces: &text::Faces) -> Vec<PreparedLine> {
    let page_right_to_left = text::reads_right_to_left(page);
    let mut lines = Vec::new();
    for step in &steps(page) {
        if let Step::Line(pieces) = step {
            lines.extend(line_texts(pieces, faces, page_right_to_left));
        }
    }
    lines
}

/// The text layer of each showing of a line's `pieces`, in the order they
/// are drawn ([`text::line_text`]), on a page poppler reads right to left
/// or not ([`text::reads_right_to_left`]).
fn line_texts(
    pieces: &[Piece],
    faces: &text::Faces,
    page_right_to_left: bool,
) -> Vec<PreparedLine> {
    let showings: SmallVec<[&Showing; 4]> = pieces.iter().flatten().collect();
    // Per showing, whether the one just right of it starts with what
    // poppler turns to left-to-right reading at.
    let mut forward_after: SmallVec<[bool; 4]> = smallvec![false; showings.len()];
    if page_right_to_left && showings.len() > 1 {
        let mut by_place: SmallVec<[usize; 4]> = (0..showings.len()).collect();
        by_place.sort_by(|&a, &b| showings[a][0].x.total_cmp(&showings[b][0].x));
        for pair in by_place.windows(2) {
            forward_after[pair[0]] = text::starts_forward(showings[pair[1]]);
        }
    }
    showings
        .iter()
        .zip(forward_after)
        .map(|(runs, after)| text::line_text(runs, faces, page_right_to_left, after))
        .collect()
}

fn producer() -> String {
    format!("warraq {} (krilla)", env!("CARGO_PKG_VERSION"))
}

struct Writer<'a> {
    document: &'a Document,
    fonts: &'a FontLibrary,
    krilla_fonts: FxHashMap<usize, Font>,
    faces: text::Faces<'a>,
    images: HashMap<String, Image>,
    /// Where the trimmed page's corner is on the page being drawn.
    origin: (f32, f32),
    /// The pages' size and sheet (no pages).
    frame: Pages,
    /// The bookmarks given so far, in document order.
    outline: Vec<OutlineEntry>,
    /// The book's named destinations (see [`OutlineEntry::name`]): each
    /// name's first entry in `outline`.
    destinations: FxHashMap<String, usize>,
    tags: Tagger,
    /// Each page's place in the drawing order, by its index in the book;
    /// `None` until drawn.
    drawn: Vec<Option<usize>>,
    /// The script of the book's language (see [`Writer::language`]).
    home: Script,
}

impl Writer<'_> {
    /// The place `y` points below the top of the trimmed page `index` (of
    /// the book), for krilla, which counts pages in the order they are
    /// drawn; `None` while that page is not drawn.
    fn place(&self, index: usize, y: f32) -> Option<XyzDestination> {
        let top = -self.frame.media_box(index).y;
        let drawn = (*self.drawn.get(index)?)?;
        Some(XyzDestination::new(drawn, Point::from_xy(0.0, y + top)))
    }

    /// Records page `index` of the book as the `at`th drawn.
    fn place_in_order(&mut self, index: usize, at: usize) {
        if self.drawn.len() <= index {
            self.drawn.resize(index + 1, None);
        }
        self.drawn[index] = Some(at);
    }

    /// Where an outline entry leads: its page, at its y.
    fn destination(&self, entry: &OutlineEntry) -> Option<XyzDestination> {
        self.place(entry.page, entry.y)
    }

    /// The outline entry a link to `name` leads to: the heading so named,
    /// or, for a heading the book has no destination for, its chapter.
    fn entry(&self, name: &str) -> Option<&OutlineEntry> {
        let chapter = name.split('#').next().unwrap_or(name);
        let at = self
            .destinations
            .get(name)
            .or_else(|| self.destinations.get(chapter))?;
        self.outline.get(*at)
    }

    /// `rect` of the page model on the PDF page being drawn.
    fn pdf_rect(&self, rect: &Rect) -> Option<PdfRect> {
        PdfRect::from_xywh(
            rect.x + self.origin.0,
            rect.y + self.origin.1,
            rect.width,
            rect.height,
        )
    }

    fn font(&mut self, face: usize) -> Result<Font> {
        if let Some(font) = self.krilla_fonts.get(&face) {
            return Ok(font.clone());
        }
        let data = self.fonts.faces[face].data.shared();
        let font = Font::new(data.into(), 0).ok_or_else(|| {
            Diagnostic::error(
                Code::BadFont,
                format!("cannot read the font {}", self.fonts.faces[face].file_name),
            )
        })?;
        self.krilla_fonts.insert(face, font.clone());
        Ok(font)
    }

    fn image(&mut self, key: &str) -> Result<Image> {
        if let Some(image) = self.images.get(key) {
            return Ok(image.clone());
        }
        let Some(picture) = self.document.images.get(key) else {
            return Err(crate::layout::flow::unloaded_picture(key));
        };
        let data = picture.bytes.clone().into();
        // PDF/A and PDF/X forbid asking viewers to smooth pictures.
        let interpolate = self.document.page.standard() == PdfStandard::None;
        let image = match picture.format {
            PictureFormat::Png => Image::from_png(data, interpolate),
            PictureFormat::Jpeg => Image::from_jpeg(data, interpolate),
        }
        .map_err(|e| {
            Diagnostic::error(
                Code::MissingPicture,
                format!("cannot embed the picture {key}: {e}"),
            )
            .in_file(key)
        })?;
        self.images.insert(key.to_string(), image.clone());
        Ok(image)
    }

    /// Each picture of `page`, in order, as an image and the size it is
    /// drawn at.
    fn page_pictures(&mut self, page: &Page) -> Result<Vec<(Image, Size)>> {
        let mut pictures = Vec::new();
        for item in &page.items {
            let Item::Picture { key, rect, .. } = item else {
                continue;
            };
            let image = self.image(key)?;
            // Layout gives every picture an area; one without is a fault of
            // ours, not a picture to leave out quietly.
            let size = Size::from_wh(rect.width, rect.height).ok_or_else(|| {
                Diagnostic::error(
                    Code::Internal,
                    format!(
                        "picture `{key}` was laid out {} × {} pt, so it cannot be drawn",
                        rect.width, rect.height
                    ),
                )
            })?;
            pictures.push((image, size));
        }
        Ok(pictures)
    }

    /// Draws the page's items, each marked as the content of its element
    /// or as an artifact; returns the links of its pictures and text, with
    /// their link elements.
    fn draw_page(
        &mut self,
        surface: &mut Surface,
        page: &Page,
        (steps, lines): PreparedPage,
    ) -> Result<Vec<Link>> {
        let mut lines = lines.into_iter();
        let mut links = Vec::new();
        // Pictures are made ready before anything is drawn: an error while
        // the surface has open transforms and marked content would leave
        // them unbalanced.
        let mut pictures = self.page_pictures(page)?.into_iter();
        // The page model's origin is the trimmed page's corner.
        surface.push_transform(&Transform::from_translate(self.origin.0, self.origin.1));
        for step in steps {
            let item = match step {
                Step::Line(pieces) => {
                    let count = pieces.iter().map(|piece| piece.len()).sum();
                    let mut texts: Vec<PreparedLine> = lines.by_ref().take(count).collect();
                    // Prepared with the steps; made here should they be missing.
                    if texts.len() < count {
                        let page_right_to_left = text::reads_right_to_left(page);
                        texts = line_texts(&pieces, &self.faces, page_right_to_left);
                    }
                    let mut texts = texts.into_iter();
                    for piece in pieces {
                        let language = self.language(&piece);
                        let mut tail = None;
                        for ((index, runs), mut prepared) in
                            piece.iter().enumerate().zip(&mut texts)
                        {
                            for run in runs {
                                self.tags.mark_glyphs(surface, run, language.as_deref());
                            }
                            // The piece's text item starts with its first showing.
                            let mut lead = None;
                            if index == 0 {
                                lead = text::lead_marks(&mut prepared);
                                if runs[0].rtl {
                                    text::mark_direction(&mut prepared, &self.faces, runs[0].face);
                                }
                            }
                            let shift = lead.as_ref().map_or(0.0, |(shift, _)| *shift);
                            tail = tail.or(lead.map(|(_, marks)| (runs[0], marks)));
                            self.draw_runs(surface, runs, prepared, shift)?;
                        }
                        if let Some((run, marks)) = tail {
                            self.tags.part(surface, run);
                            self.draw_runs(surface, &[run], marks, 0.0)?;
                        }
                    }
                    continue;
                }
                Step::Other(item) => item,
            };
            self.tags.mark(surface, item);
            match item {
                // Drawn as `Step::Line`.
                Item::Glyphs(_) => {}
                Item::Picture {
                    rect,
                    crop,
                    link,
                    node,
                    ..
                } => {
                    let (image, size) = pictures.next().expect("one per picture item");
                    let clip = crop.as_ref().and_then(rect_path);
                    if let Some(clip) = &clip {
                        surface.push_clip_path(clip, &FillRule::NonZero);
                    }
                    surface.push_transform(&Transform::from_translate(rect.x, rect.y));
                    surface.draw_image(image, size);
                    surface.pop();
                    if clip.is_some() {
                        surface.pop();
                    }
                    let element = node.and_then(|figure| self.tags.link_of_figure(figure));
                    links.extend(
                        link.as_ref()
                            .and_then(|to| self.link_over(rect, to, element)),
                    );
                }
                Item::Link { rect, to, node } => {
                    links.extend(self.link_over(rect, to, *node));
                }
                Item::PrintersMark { rect } => {
                    let paint = self.document.page.inks().registration();
                    self.fill_rect(surface, rect, paint, 1.0);
                }
                Item::Backdrop { rect, rgb } => {
                    let paint = self.document.page.inks().colour(*rgb);
                    self.fill_rect(surface, rect, paint, 1.0);
                }
                Item::Fill {
                    rect,
                    grey,
                    opacity,
                    ..
                } => {
                    let paint = self.document.page.inks().grey(*grey);
                    self.fill_rect(surface, rect, paint, *opacity);
                }
                Item::Shape {
                    polygons,
                    rgb,
                    opacity,
                    stroke,
                } => {
                    let paint = self.document.page.inks().colour(*rgb);
                    draw_shape(surface, polygons, paint, *opacity, *stroke);
                }
            }
        }
        self.tags.close(surface);
        surface.pop();
        Ok(links)
    }

    /// The language of a piece of a line set wholly in another script than
    /// the book's, as the EPUB marks it: the tag tree gives it a `Span`
    /// with that `/Lang`. A piece is a text item of pdf.js's of its own (a
    /// change of face, size or element ends one), so the marked content
    /// around it cuts nothing: a Cyrillic word in the face that has
    /// Cyrillic, a phrase in bold or a link. A word in another script set
    /// in the face of the text around it (Latin in Amiri) is part of a
    /// piece with that text, and gets none (README, "Tagged PDF"); nor
    /// does code in its own face, or text whose element is inside a `<span
    /// lang>`.
    fn language(&self, piece: &Piece) -> Option<String> {
        let runs = || piece.iter().flatten();
        let code = |run: &&GlyphRun| {
            self.fonts
                .faces
                .get(run.face)
                .is_some_and(|face| face.role == Role::Mono)
        };
        if runs().any(code) {
            return None;
        }
        let letters = runs().flat_map(|run| {
            let text = &run.text;
            run.glyphs
                .iter()
                .filter_map(|g| text.get(g.text_range()))
                .flat_map(str::chars)
        });
        let chosen = &self.document.metadata.script_languages;
        let language = crate::locale::other_language(letters, self.home, chosen)?;
        let node = piece.first()?.first()?.node?;
        (!self.tags.says_language(node)).then_some(language)
    }

    fn fill_rect(&self, surface: &mut Surface, rect: &Rect, paint: Paint, opacity: f32) {
        let Some(path) = rect_path(rect) else { return };
        surface.set_fill(Some(Fill {
            paint,
            opacity: NormalizedF32::new(opacity.clamp(0.0, 1.0)).unwrap_or(NormalizedF32::ONE),
            rule: Default::default(),
        }));
        surface.draw_path(&path);
    }

    /// A link over a picture or text at `rect` (page model coordinates) of
    /// the page being drawn, to `to`, part of link element `node` if any.
    fn link_over(&self, rect: &Rect, to: &LinkTo, node: Option<NodeId>) -> Option<Link> {
        Some(Link {
            area: self.pdf_rect(rect)?,
            leads: Leads::To(to.clone()),
            node,
        })
    }

    /// Draws consecutive runs of one line, of one face, size and colour,
    /// as [`prepare_lines`] prepared them, starting `shift` points right of
    /// the first run (past the marks [`text::lead_marks`] took out).
    fn draw_runs(
        &mut self,
        surface: &mut Surface,
        runs: &[&GlyphRun],
        (line_text, glyphs): PreparedLine,
        shift: f32,
    ) -> Result<()> {
        let Some(first) = runs.first() else {
            return Ok(());
        };
        let font = self.font(first.face)?;
        let grey = if first.inverse { 1.0 } else { 0.0 };
        surface.set_fill(Some(Fill {
            paint: self.document.page.inks().grey(grey),
            ..Fill::default()
        }));
        surface.draw_glyphs(
            Point::from_xy(first.x + shift, first.y),
            &glyphs,
            font,
            &line_text,
            first.size,
            false,
        );
        Ok(())
    }

    /// Gives every glyph the book draws as a kashida the text U+200D (a
    /// format character: pdf.js drops it; poppler and MuPDF keep it, and it
    /// shows nothing), and each face's empty glyph the text U+2060 (see
    /// [`text::JOINER_TEXT`]). krilla maps a glyph, once for the document,
    /// to the text of the first cluster that starts with it, and Amiri also
    /// draws its kashida glyph at the head of some lam clusters, which would
    /// map it to «ل». So each is drawn first, alone with that text, off the
    /// first page that draws it ([`invisible_glyphs`]; for the pages drawn
    /// at the end, off the first of them): no viewer shows it and poppler
    /// discards text outside the page.
    fn map_invisible_glyphs(
        &mut self,
        surface: &mut Surface,
        glyphs: Vec<Invisible>,
    ) -> Result<()> {
        surface.set_fill(Some(Fill {
            paint: self.document.page.inks().grey(0.0),
            ..Fill::default()
        }));
        for glyph in glyphs {
            let font = self.font(glyph.face)?;
            let outside = -self.origin.0.max(self.origin.1) - glyph.x_advance - glyph.size;
            let drawn = Drawn {
                id: glyph.id,
                x_advance: glyph.x_advance,
                x_offset: 0.0,
                y_offset: 0.0,
                size: glyph.size,
                range: (0, glyph.text.len()),
            };
            surface.draw_glyphs(
                Point::from_xy(outside, outside),
                &[drawn],
                font,
                glyph.text,
                glyph.size,
                false,
            );
        }
        Ok(())
    }

    /// `link`'s annotation, once the place it leads to is drawn: to an
    /// address, or to a place in the book (a heading the book has no
    /// destination for leads to its chapter). Its description (`/Contents`)
    /// is the address, or the title of where it leads.
    fn annotation(&self, link: &Link) -> Option<Annotation> {
        let (target, description) = match &link.leads {
            Leads::To(LinkTo::Uri(uri)) => (
                Target::Action(LinkAction::new(uri.clone()).into()),
                uri.clone(),
            ),
            Leads::To(LinkTo::Named(name)) => {
                let entry = self.entry(name)?;
                (
                    Target::Destination(self.destination(entry)?.into()),
                    entry.title.clone(),
                )
            }
            Leads::Place {
                page,
                y,
                description,
            } => (
                Target::Destination(self.place(*page, *y)?.into()),
                description.clone(),
            ),
        };
        Some(Annotation::new_link(
            LinkAnnotation::new(link.area, target),
            Some(description),
        ))
    }
}

/// krilla asks for lengths at a font size of its choosing; ours are in
/// points at the glyph's size.
impl krilla::text::Glyph for Drawn {
    fn glyph_id(&self) -> GlyphId {
        GlyphId::new(u32::from(self.id))
    }
    fn text_range(&self) -> Range<usize> {
        self.range.0..self.range.1
    }
    fn x_advance(&self, size: f32) -> f32 {
        self.x_advance / self.size * size
    }
    fn x_offset(&self, size: f32) -> f32 {
        self.x_offset / self.size * size
    }
    fn y_offset(&self, size: f32) -> f32 {
        self.y_offset / self.size * size
    }
    fn y_advance(&self, _size: f32) -> f32 {
        0.0
    }
    fn location(&self) -> Option<krilla::surface::Location> {
        None
    }
}

/// Bookmarks nested by heading level, each leading to its `destination`.
fn outline(
    entries: &[OutlineEntry],
    destination: impl Fn(&OutlineEntry) -> XyzDestination,
) -> Outline {
    // Each open node with its level; children are attached when a node closes.
    let mut stack: Vec<(u8, OutlineNode)> = Vec::new();
    let mut outline = Outline::new();
    let close = |stack: &mut Vec<(u8, OutlineNode)>, outline: &mut Outline| {
        let (_, node) = stack.pop().expect("caller checked the stack is not empty");
        match stack.last_mut() {
            Some((_, parent)) => parent.push_child(node),
            None => outline.push_child(node),
        }
    };
    for entry in entries {
        while stack.last().is_some_and(|(level, _)| *level >= entry.level) {
            close(&mut stack, &mut outline);
        }
        stack.push((
            entry.level,
            OutlineNode::new(entry.title.clone(), destination(entry)),
        ));
    }
    while !stack.is_empty() {
        close(&mut stack, &mut outline);
    }
    outline
}

pub(crate) fn metadata(document: &Document) -> Metadata {
    let meta = &document.metadata;
    // PDF dates have four-digit years.
    let t = Civil::clamped(meta.timestamp, 1, 9999);
    let date = DateTime::new(t.year as u16)
        .month(t.month)
        .day(t.day)
        .hour(t.hour)
        .minute(t.minute)
        .second(t.second)
        .utc_offset_hour(0)
        .utc_offset_minute(0);
    Metadata::new()
        .title(meta.title.clone())
        .authors(meta.authors.clone())
        .language(meta.language.clone())
        .creator(metadata::creator())
        .producer(producer())
        .creation_date(date)
        .text_direction(match meta.direction {
            Direction::Rtl => TextDirection::RightToLeft,
            Direction::Ltr => TextDirection::LeftToRight,
        })
}

/// `rect` as a path (none when it has no area).
/// Polygons filled even-odd, or outlined `stroke` wide, in `paint`.
fn draw_shape(
    surface: &mut Surface,
    polygons: &[Vec<(f32, f32)>],
    paint: Paint,
    opacity: f32,
    stroke: Option<f32>,
) {
    let mut path = PathBuilder::new();
    for step in polygon_steps(polygons) {
        match step {
            PathStep::MoveTo(x, y) => path.move_to(x, y),
            PathStep::LineTo(x, y) => path.line_to(x, y),
            PathStep::Close => path.close(),
        }
    }
    let Some(path) = path.finish() else { return };
    let opacity = NormalizedF32::new(opacity.clamp(0.0, 1.0)).unwrap_or(NormalizedF32::ONE);
    match stroke {
        Some(width) => {
            surface.set_fill(None);
            surface.set_stroke(Some(Stroke {
                paint,
                width,
                opacity,
                ..Stroke::default()
            }));
        }
        None => surface.set_fill(Some(Fill {
            paint,
            opacity,
            rule: FillRule::EvenOdd,
        })),
    }
    surface.draw_path(&path);
    surface.set_stroke(None);
}

fn rect_path(rect: &Rect) -> Option<PdfPath> {
    let rect = PdfRect::from_xywh(rect.x, rect.y, rect.width, rect.height)?;
    let mut path = PathBuilder::new();
    path.push_rect(rect);
    path.finish()
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use krilla::Document as PdfDocument;
    use krilla::page::PageSettings;

    use super::{
        Annotation, Fill, LinkAction, LinkAnnotation, NamedDestination, NormalizedF32, PdfRect,
        Rect, Target, XyzDestination,
    };

    /// Draws pages `pages` of a document of squares, each moved by its
    /// number.
    fn squares(pdf: &mut PdfDocument, pages: std::ops::Range<usize>) {
        for number in pages {
            let mut page = pdf.start_page_with(PageSettings::from_wh(200.0, 300.0).unwrap());
            let mut surface = page.surface();
            surface.set_fill(Some(krilla::paint::Fill::default()));
            let at = (number % 150) as f32;
            let square = super::rect_path(&super::Rect {
                x: at,
                y: at,
                width: 40.0,
                height: 40.0,
            });
            surface.draw_path(&square.unwrap());
            surface.finish();
            page.finish();
        }
    }

    /// The file `draw` makes with what krilla keeps on disk and with all
    /// held in memory, which must be the same.
    fn on_disk_as_in_memory(draw: impl Fn(&mut PdfDocument)) -> Vec<u8> {
        let mut on_disk = PdfDocument::new();
        draw(&mut on_disk);
        let mut in_memory = PdfDocument::new();
        in_memory.keep_in_memory();
        draw(&mut in_memory);
        let on_disk = on_disk.finish().unwrap();
        assert!(on_disk == in_memory.finish().unwrap(), "the files differ");
        on_disk
    }

    /// A book's outline, past a mebibyte, is written into chunks kept in
    /// the temporary file as they fill: the same file as when all is held
    /// in memory, its entries in the order given, each chapter's sections
    /// before it (krilla writes an entry after its children).
    #[test]
    fn an_outline_written_in_chunks_keeps_its_order() {
        use super::{Outline, OutlineNode};
        const CHAPTERS: usize = 4000;
        let title = |chapter: usize, section: Option<usize>| match section {
            Some(section) => format!("Chapter {chapter:05}, section {section}: a title that fills"),
            None => format!("Chapter {chapter:05}: a title long enough to fill a chunk soon"),
        };
        let draw = |pdf: &mut PdfDocument| {
            squares(pdf, 0..2);
            let mut outline = Outline::new();
            for chapter in 0..CHAPTERS {
                let at = |y| XyzDestination::new(chapter % 2, super::Point::from_xy(0.0, y));
                let mut node = OutlineNode::new(title(chapter, None), at(0.0));
                node.push_child(OutlineNode::new(title(chapter, Some(1)), at(100.0)));
                outline.push_child(node);
            }
            pdf.set_outline(outline);
        };
        let file = on_disk_as_in_memory(draw);
        let text = String::from_utf8_lossy(&file);
        assert!(
            text.len() > 1 << 20,
            "too small an outline to fill several chunks"
        );
        let titles: Vec<&str> = (text.split("/Title(").skip(1))
            .filter_map(|rest| rest.split(')').next())
            .collect();
        let expected: Vec<String> = (0..CHAPTERS)
            .flat_map(|chapter| [title(chapter, Some(1)), title(chapter, None)])
            .collect();
        assert!(titles == expected, "the outline's entries out of order");
    }

    /// krilla (patched) writes the pages' dictionaries, their resources and
    /// their annotations at the end into chunks of a quarter of a mebibyte, each
    /// kept in the temporary file once full: the file is the same as when
    /// all is held in memory, and the pages and their links are numbered in
    /// the order of the pages, as when each kind was one chunk.
    #[test]
    fn the_pages_objects_written_at_the_end_keep_their_order() {
        // Over a mebibyte of pages' dictionaries and of their resources
        // (ten graphics states each), and four of links.
        const PAGES: usize = 8000;
        const LINKS: usize = 4;
        let draw = |pdf: &mut PdfDocument| {
            for number in 0..PAGES {
                let mut page = pdf.start_page_with(PageSettings::from_wh(200.0, 300.0).unwrap());
                let mut surface = page.surface();
                for shade in 1..=10 {
                    let opacity = NormalizedF32::new(shade as f32 / 10.0).unwrap();
                    surface.set_fill(Some(Fill {
                        opacity,
                        ..Fill::default()
                    }));
                    let square = Rect {
                        x: 10.0 * shade as f32,
                        y: 50.0,
                        width: 5.0,
                        height: 5.0,
                    };
                    surface.draw_path(&super::rect_path(&square).unwrap());
                }
                surface.finish();
                for link in 0..LINKS {
                    let area = PdfRect::from_xywh(10.0 * link as f32, 10.0, 5.0, 5.0).unwrap();
                    let address = format!("https://example.org/{number}/{link}");
                    let target = Target::Action(LinkAction::new(address).into());
                    let annotation = LinkAnnotation::new(area, target);
                    page.add_annotation(Annotation::new_link(annotation, Some(link.to_string())));
                }
                page.finish();
            }
        };
        let mut on_disk = PdfDocument::new();
        draw(&mut on_disk);
        assert!(on_disk.kept_bytes() > 0, "no temporary file");
        let mut in_memory = PdfDocument::new();
        in_memory.keep_in_memory();
        draw(&mut in_memory);
        let on_disk = on_disk.finish().unwrap();
        assert!(on_disk == in_memory.finish().unwrap(), "the files differ");
        let text = String::from_utf8_lossy(&on_disk);
        // The numbers of the objects `N 0 R` in each array after `key`.
        let named = |key: &str| -> Vec<Vec<u32>> {
            (text.split(key).skip(1))
                .map(|rest| rest.split(']').next().unwrap_or_default())
                .map(|list| {
                    (list.split(" 0 R"))
                        .filter_map(|number| number.trim_start_matches(['[', ' ']).parse().ok())
                        .collect()
                })
                .collect()
        };
        let pages = named("/Kids").concat();
        assert_eq!(pages.len(), PAGES);
        assert!(pages.is_sorted(), "pages numbered out of order");
        let links = named("/Annots").concat();
        assert_eq!(links.len(), PAGES * LINKS);
        assert!(links.is_sorted(), "links numbered out of order");
        // `/Resources N 0 R`: up to the first reference's end.
        let resources: Vec<u32> = (text.split("/Resources ").skip(1))
            .filter_map(|rest| rest.split(' ').next()?.parse().ok())
            .collect();
        assert_eq!(resources.len(), PAGES);
        assert!(resources.is_sorted(), "resources numbered out of order");
    }

    /// krilla (patched) writes the pages drawn before the first whose
    /// links wait, as warraq asks (`Document::write_pages_before`), rather
    /// than holding them to the end: each page once its stream is
    /// compressed, waiting for it, so which pages are written, and in what
    /// order the links' destinations are numbered, never hangs on how far
    /// the thread compressing the streams has got. Each page links to the
    /// next, its link made once that page is drawn, as warraq makes them.
    #[test]
    fn pages_are_written_as_asked_whatever_their_streams() {
        const PAGES: usize = 60;
        let link = |to: usize| {
            let area = PdfRect::from_xywh(10.0, 10.0, 5.0, 5.0).unwrap();
            let target = XyzDestination::new(to, krilla::geom::Point::from_xy(0.0, 0.0));
            let annotation = LinkAnnotation::new(area, Target::Destination(target.into()));
            Annotation::new_link(annotation, Some(to.to_string()))
        };
        let draw = |pdf: &mut PdfDocument| {
            for number in 0..PAGES {
                let mut page = pdf.start_page_with(PageSettings::from_wh(200.0, 300.0).unwrap());
                let mut surface = page.surface();
                // Enough squares that the page's stream takes a while to
                // compress: it is not ready as the page is finished.
                for at in 0..3000 {
                    let square = Rect {
                        x: (at % 190) as f32,
                        y: (at / 19 + number) as f32 % 290.0,
                        width: 1.5,
                        height: 1.5,
                    };
                    surface.draw_path(&super::rect_path(&square).unwrap());
                }
                surface.finish();
                page.finish();
                if let Some(before) = number.checked_sub(1) {
                    let made = pdf.add_annotation_to_page(before, link(number), false);
                    assert!(
                        made.is_some(),
                        "page {before} written before its link was made"
                    );
                    pdf.write_pages_before(number).unwrap();
                    let late = pdf.add_annotation_to_page(before, link(0), false);
                    assert!(late.is_none(), "page {before} not written when asked");
                }
            }
            // The page just drawn too, its stream still being made.
            pdf.write_pages_before(PAGES).unwrap();
            let late = pdf.add_annotation_to_page(PAGES - 1, link(0), false);
            assert!(late.is_none(), "the last page not written when asked");
            // As warraq's bookmarks: numbered after the links' destinations
            // of the pages written by now, before those of any page left
            // to the end.
            let place = XyzDestination::new(1, krilla::geom::Point::from_xy(0.0, 100.0));
            let named = NamedDestination::new("start".to_string(), place);
            assert!(pdf.register_named_destination(named).is_some());
        };
        let first = on_disk_as_in_memory(draw);
        let mut second = PdfDocument::new();
        draw(&mut second);
        assert!(first == second.finish().unwrap(), "two builds differ");
        let text = String::from_utf8_lossy(&first);
        assert_eq!(text.matches("/Link").count(), PAGES - 1);
    }

    /// A photograph's worth of JPEG data: noise, which JPEG cannot make
    /// much smaller.
    fn noise_jpeg() -> Vec<u8> {
        let (side, seed) = (320, 5);
        let noise = crate::testing::noise(seed, 3 * side * side);
        let noise = image::RgbImage::from_raw(side as u32, side as u32, noise).unwrap();
        let mut jpeg = std::io::Cursor::new(Vec::new());
        noise.write_to(&mut jpeg, image::ImageFormat::Jpeg).unwrap();
        jpeg.into_inner()
    }

    /// krilla (patched) keeps each page's compressed stream, and each
    /// picture's data, in a temporary file as soon as it is made, not in
    /// memory until the end, and the file comes out as when all is held in
    /// memory.
    #[test]
    fn drawn_pages_are_kept_on_disk_and_come_back_the_same() {
        let jpeg = noise_jpeg();
        // A page with the picture first, then pages of squares: their
        // streams are a few dozen bytes each, far fewer than the picture's.
        let with_picture = |pdf: &mut PdfDocument| {
            let mut page = pdf.start_page_with(PageSettings::from_wh(200.0, 300.0).unwrap());
            let mut surface = page.surface();
            let image = krilla::image::Image::from_jpeg(jpeg.clone().into(), false).unwrap();
            surface.draw_image(image, krilla::geom::Size::from_wh(100.0, 100.0).unwrap());
            surface.finish();
            page.finish();
        };
        let mut on_disk = PdfDocument::new();
        with_picture(&mut on_disk);
        squares(&mut on_disk, 0..50);
        // The streams are compressed, and the picture's chunk made, on
        // threads of krilla's meanwhile, and kept as the next pages come:
        // the picture and a few kilobytes of streams, within a few hundred
        // pages, whose streams alone come to a fraction of the picture.
        let wanted = jpeg.len() as u64 + 4096;
        let mut drawn = 50;
        let deadline = Instant::now() + Duration::from_secs(30);
        while on_disk.kept_bytes() < wanted && drawn < 300 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
            squares(&mut on_disk, drawn..drawn + 1);
            drawn += 1;
        }
        let kept = on_disk.kept_bytes();
        assert!(
            kept >= wanted,
            "{kept} bytes kept in {drawn} pages, the picture alone {}",
            jpeg.len()
        );
        let mut in_memory = PdfDocument::new();
        in_memory.keep_in_memory();
        with_picture(&mut in_memory);
        squares(&mut in_memory, 0..drawn);
        assert_eq!(in_memory.kept_bytes(), 0);
        let (on_disk, in_memory) = (on_disk.finish().unwrap(), in_memory.finish().unwrap());
        assert!(on_disk == in_memory, "the files differ");
    }

    /// krilla (patched) keeps the root's children written early as the
    /// elements' references in a list of their own, and the marked content
    /// put straight under the root (warraq puts none) with where it
    /// stands: the file is the same as with the whole tree given at the
    /// end, whatever the mix, over more than one write.
    #[test]
    fn the_roots_children_written_early_keep_their_order() {
        use krilla::tagging::{ContentTag, Node, Tag, TagGroup, TagTree};
        let make = |early: bool| {
            let mut pdf = PdfDocument::new();
            let mut page = pdf.start_page_with(PageSettings::from_wh(200.0, 300.0).unwrap());
            let mut surface = page.surface();
            let mut ids = Vec::new();
            for at in 0..7 {
                ids.push(surface.start_tagged(ContentTag::Other));
                let square = super::rect_path(&super::Rect {
                    x: 20.0 * at as f32,
                    y: 10.0,
                    width: 10.0,
                    height: 10.0,
                });
                surface.draw_path(&square.unwrap());
                surface.end_tagged();
            }
            surface.finish();
            page.finish();
            let element =
                |at: usize| Node::from(TagGroup::with_children(Tag::P, vec![ids[at].into()]));
            let content = |at: usize| Node::from(ids[at]);
            let writes = [
                vec![element(0), content(1)],
                vec![content(2), element(3), content(4)],
            ];
            let mut children = vec![content(5), element(6)];
            if early {
                for nodes in &writes {
                    pdf.write_tags(nodes);
                }
            } else {
                children.extend(writes.into_iter().flatten());
            }
            let mut tree = TagTree::new();
            for child in children {
                tree.push(child);
            }
            pdf.set_tag_tree(tree);
            pdf.finish().unwrap()
        };
        let file = make(true);
        assert!(file == make(false), "the files differ");
        // The root's kids in order, each element as `P` and its content.
        let text = String::from_utf8_lossy(&file);
        let kids = |element: &str| -> Vec<String> {
            let object = text.split(element).nth(1).unwrap_or_default();
            let list = object.split("/K[").nth(1).unwrap_or_default();
            let list = list.split(']').next().unwrap_or_default();
            list.split(' ').map(str::to_string).collect()
        };
        let mut order = Vec::new();
        let mut root = kids("/S/Document").into_iter().peekable();
        while let Some(kid) = root.next() {
            if root.next_if_eq("0").is_some() && root.next_if_eq("R").is_some() {
                order.push(format!("P{}", kids(&format!("\n{kid} 0 obj")).concat()));
            } else {
                order.push(kid);
            }
        }
        assert_eq!(order, ["5", "P6", "P0", "1", "2", "P3", "4"]);
    }
}
