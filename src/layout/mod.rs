//! Layout: from the document to pages of positioned glyphs.
//!
//! [`flow`] turns each chapter into a vertical flow of chunks (shaping and
//! breaking its paragraphs with [`linebreak`], [`hyphenate`] and [`line`]);
//! [`paginate`] fills pages from the flows; [`front`] makes the cover, title page and
//! table of contents. Pages go to a [`Sink`] a share of chapters at a time
//! (the PDF writer draws them as they come); [`typeset`] keeps them all,
//! [`page::Pages`].

pub mod cover;
pub mod coverage;
pub mod dump;
pub mod flow;
pub mod front;
pub mod furniture;
pub mod hyphenate;
pub mod kashida;
pub mod line;
pub mod linebreak;
pub mod marks;
pub mod page;
pub mod paginate;
pub mod printers_marks;
pub mod verse;

use std::borrow::Cow;
use std::ops::Range;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::diag::{Code, Diagnostic, Diagnostics, Result};
use crate::doc::Document;
use crate::fonts::FontLibrary;
use crate::fonts::report::SetText;
use crate::locale;
use crate::parse::Reparser;
use crate::progress::{Progress, Unwatched};
use crate::text::Shaper;

use flow::{ChapterFlow, Column, FlowItem, Typesetter};
use front::{Contents, Geometry, TocEntry};
use furniture::Numbering;
use hyphenate::Hyphenator;
use linebreak::BreakSettings;
use page::{NumberStyle, OutlineEntry, Page, PageKind, PageNumber, Sheet, Structure};
use paginate::{Paginator, TextArea};

pub use page::{Pages, Skeleton};

pub const POINTS_PER_MM: f32 = 72.0 / 25.4;

/// Whether page `index` (0 = the cover) is a recto: the front of a leaf,
/// the page a reader meets first when turning. The cover is the front of the
/// first leaf, so the rectos are the even indices in both directions. (Folio
/// 1 falls on a recto only when the first chapter opens on one: always with
/// `chapter_start = "recto"`; with `"any"` it follows the front matter.) Which hand a recto is on depends on
/// the binding: in a left-to-right book the spine is on the left of the
/// block, and a recto is the right-hand page of a spread (spine on its
/// left); in a right-to-left book, bound on the right, the leaves turn the
/// other way and a recto is the left-hand page (spine on its right).
pub fn is_recto(index: usize) -> bool {
    index.is_multiple_of(2)
}

/// Whether the spine is on page `index`'s left (see [`is_recto`]).
pub fn spine_on_left(index: usize, direction: crate::doc::Direction) -> bool {
    is_recto(index) == (direction == crate::doc::Direction::Ltr)
}

fn geometry(document: &Document) -> Geometry {
    let p = &document.page;
    let (width, height) = (p.width_mm * POINTS_PER_MM, p.height_mm * POINTS_PER_MM);
    let (inner, outer) = (
        p.margin_inner_mm * POINTS_PER_MM,
        p.margin_outer_mm * POINTS_PER_MM,
    );
    let measure = width - inner - outer;
    // Margins mirror: the inner one is on the spine's side.
    let left = [0, 1].map(|index| {
        if spine_on_left(index, document.metadata.direction) {
            inner
        } else {
            outer
        }
    });
    Geometry {
        width,
        height,
        sheet: Sheet {
            bleed: p.print.bleed().scaled(POINTS_PER_MM),
            band: p
                .print
                .marks()
                .map_or(0.0, |marks| marks.band() * POINTS_PER_MM),
            direction: document.metadata.direction,
        },
        area: TextArea {
            top: p.margin_top_mm * POINTS_PER_MM,
            height: height - (p.margin_top_mm + p.margin_bottom_mm) * POINTS_PER_MM,
            left,
        },
        measure,
        margin_bottom: p.margin_bottom_mm * POINTS_PER_MM,
    }
}

/// A chapter as flowed: its flow, the warnings it gave, the characters
/// no font had, when asked for, its paragraphs as set, and how long it took.
type ChapterSet = (
    Vec<FlowItem>,
    Vec<crate::diag::Diagnostic>,
    Vec<coverage::MissingAt>,
    Option<Vec<SetText>>,
    LayoutTimes,
);

/// How long the parts of layout took (`warraq -v`, `bench/run`). Chapters
/// are shaped and broken on every thread at once, so `shape` and
/// `breaking` are the time of each paragraph summed, more than the wall
/// time when both cores work. (A paragraph long enough to be set on both
/// threads counts what its thread takes on while it waits, another
/// chapter's work perhaps, which is then counted twice.)
#[derive(Debug, Clone, Copy, Default)]
pub struct LayoutTimes {
    /// Paragraphs shaped: itemized, their glyphs from HarfBuzz or the cache.
    pub shape: Duration,
    /// Paragraphs broken into lines: breakpoints, kashida sites, the
    /// breaks chosen and the lines committed (words cut by a break shaped
    /// again, the hyphen's and the kashidas' probes).
    pub breaking: Duration,
    /// The chapters' flows put on pages.
    pub paginate: Duration,
}

impl std::ops::AddAssign for LayoutTimes {
    fn add_assign(&mut self, other: LayoutTimes) {
        self.shape += other.shape;
        self.breaking += other.breaking;
        self.paginate += other.paginate;
    }
}

/// How the book's paragraphs are broken into lines (`[layout]`, its
/// language).
pub(crate) fn break_settings(document: &Document) -> BreakSettings {
    BreakSettings {
        linebreak: document.layout.linebreak,
        hyphenate: document.layout.hyphenate,
        hyphenator: Hyphenator::for_language(&document.metadata.language),
        justify: false,
    }
}

/// Where the print edition's pages go as they are laid out, a share of
/// the chapters at a time, so that a long book's pages need not all be held
/// at once: each chapter's structure, then the bookmarks leading into its
/// pages, then its pages, in the book's order; the generated pages (cover,
/// title page, contents) last, as the contents need every chapter's page.
pub trait Sink {
    /// A chapter's structure, before its pages; the generated pages' last.
    fn structure(&mut self, structure: Structure) -> Result<()>;
    /// Bookmarks leading to the pages about to come, in document order.
    fn outline(&mut self, entries: Vec<OutlineEntry>) -> Result<()>;
    /// Page `index` of the book, finished (numbered, furnished, marked).
    fn page(&mut self, index: usize, page: Page) -> Result<()>;
}

/// A sink that keeps everything: the whole print edition.
struct Collect(Pages);

impl Sink for Collect {
    fn structure(&mut self, structure: Structure) -> Result<()> {
        self.0.structure.push(structure);
        Ok(())
    }

    fn outline(&mut self, entries: Vec<OutlineEntry>) -> Result<()> {
        self.0.outline.extend(entries);
        Ok(())
    }

    fn page(&mut self, index: usize, page: Page) -> Result<()> {
        put(&mut self.0.pages, index, page);
        Ok(())
    }
}

/// Puts `page` at `index` of `pages`, which come in another order than
/// the book's.
fn put<P: Default>(pages: &mut Vec<P>, index: usize, page: P) {
    if pages.len() <= index {
        pages.resize_with(index + 1, P::default);
    }
    pages[index] = page;
}

impl Collect {
    /// The print edition, its generated pages' structure first in reading
    /// order, as it is read.
    fn into_pages(mut self) -> Pages {
        self.0.structure.rotate_right(1);
        self.0
    }
}

/// A sink that keeps the [`Skeleton`] of the print edition and hands
/// everything on to the sink it wraps, if any.
pub struct SkeletonSink<'s> {
    pub skeleton: Skeleton,
    next: Option<&'s mut (dyn Sink + Send)>,
}

impl<'s> SkeletonSink<'s> {
    /// The skeleton of pages of `frame`'s size and sheet, laid out into
    /// `next`.
    pub fn new(frame: &Pages, next: Option<&'s mut (dyn Sink + Send)>) -> Self {
        SkeletonSink {
            skeleton: frame.skeleton(),
            next,
        }
    }
}

impl Sink for SkeletonSink<'_> {
    fn structure(&mut self, structure: Structure) -> Result<()> {
        match &mut self.next {
            Some(next) => next.structure(structure),
            None => Ok(()),
        }
    }

    fn outline(&mut self, entries: Vec<OutlineEntry>) -> Result<()> {
        match &mut self.next {
            Some(next) => next.outline(entries),
            None => Ok(()),
        }
    }

    fn page(&mut self, index: usize, page: Page) -> Result<()> {
        put(&mut self.skeleton.pages, index, page.skeleton());
        match &mut self.next {
            Some(next) => next.page(index, page),
            None => Ok(()),
        }
    }
}

/// The print edition's sheet and page sizes, before any page is laid out:
/// what a [`Sink`] needs to place pages.
pub fn frame(document: &Document) -> Pages {
    let g = geometry(document);
    Pages {
        width: g.width,
        height: g.height,
        sheet: g.sheet,
        ..Pages::default()
    }
}

/// Lays out the whole print edition.
pub fn typeset(
    document: &Document,
    fonts: &FontLibrary,
    warnings: &mut Diagnostics,
) -> Result<Pages> {
    collect(document, fonts, warnings, &Unwatched, false).map(|(pages, _, _)| pages)
}

/// [`typeset`], telling `progress` as each chapter is shaped and broken
/// into lines, and saying how long its parts took.
pub fn typeset_watched(
    document: &Document,
    fonts: &FontLibrary,
    warnings: &mut Diagnostics,
    progress: &dyn Progress,
) -> Result<(Pages, LayoutTimes)> {
    collect(document, fonts, warnings, progress, false).map(|(pages, _, times)| (pages, times))
}

/// [`typeset`], keeping every paragraph as set, with the face of each
/// character (`warraq fonts`): chapters in order, then the text warraq sets
/// itself.
pub fn typeset_recording(
    document: &Document,
    fonts: &FontLibrary,
    warnings: &mut Diagnostics,
) -> Result<(Pages, Vec<SetText>)> {
    collect(document, fonts, warnings, &Unwatched, true).map(|(pages, set, _)| (pages, set))
}

fn collect(
    document: &Document,
    fonts: &FontLibrary,
    warnings: &mut Diagnostics,
    progress: &dyn Progress,
    record: bool,
) -> Result<(Pages, Vec<SetText>, LayoutTimes)> {
    let mut pages = Collect(frame(document));
    let (set, times) = typeset_into(
        document, None, fonts, warnings, progress, record, &mut pages,
    )?;
    Ok((pages.into_pages(), set, times))
}

/// How many chapters are flowed at once, in parallel, before they are put
/// on pages and handed on: with a sink that lets pages go as they come, no
/// more than two such shares (one flowed while the one before is put on
/// pages) and what the sink keeps are held at a time. Each share ends with
/// a wait for its last chapters and for the share before to be put on
/// pages, so fewer shares waste less: 1,600 chapters of Zipf prose took
/// 3.5% less time in shares of 64 than of 32 (README, "Speed"), with
/// 2–4 MiB more held.
const CHAPTERS_AT_ONCE: usize = 64;

/// What the generated pages' typesetter told, by stage, to be told in the
/// order of a book laid out whole: the front matter's, then for each stage
/// of finishing pages (plates, furniture, printer's marks) the generated
/// pages' and then the chapters' pages'.
#[derive(Default)]
struct Told {
    warnings: Vec<crate::diag::Diagnostic>,
    missing: Vec<coverage::MissingAt>,
    set: Vec<SetText>,
}

impl Told {
    /// Takes what `ts` told since `Told::mark`.
    fn take(&mut self, ts: &mut Typesetter, mark: (usize, usize, usize)) {
        self.warnings.extend(ts.warnings.drain(mark.0..));
        self.missing.extend(ts.missing.drain(mark.1..));
        if let Some(set) = &mut ts.set {
            self.set.extend(set.drain(mark.2..));
        }
    }

    fn mark(ts: &Typesetter) -> (usize, usize, usize) {
        (
            ts.warnings.len(),
            ts.missing.len(),
            ts.set.as_ref().map_or(0, Vec::len),
        )
    }

    fn append(&mut self, other: Told) {
        self.warnings.extend(other.warnings);
        self.missing.extend(other.missing);
        self.set.extend(other.set);
    }
}

/// The stages that finish pages once they are placed, each telling apart.
#[derive(Default)]
struct Finishing {
    plates: Told,
    furniture: Told,
    marks: Told,
}

impl Finishing {
    fn append(&mut self, other: Finishing) {
        self.plates.append(other.plates);
        self.furniture.append(other.furniture);
        self.marks.append(other.marks);
    }
}

/// What finishing pages needs besides them.
struct Finisher<'d> {
    document: &'d Document,
    g: &'d Geometry,
    titles: &'d [String],
    numbering: Numbering,
}

impl Finisher<'_> {
    /// Numbers `pages` (the first is page `first` of the book), lays their
    /// full-bleed pictures, running heads, folios and printer's marks, and
    /// says what each stage told in `told`.
    fn finish(&self, ts: &mut Typesetter, pages: &mut [Page], first: usize, told: &mut Finishing) {
        for (index, page) in (first..).zip(pages.iter_mut()) {
            page.number = self.numbering.number(index);
        }
        let (document, g) = (self.document, self.g);
        let mark = Told::mark(ts);
        front::plates(ts, document, g, pages, first);
        told.plates.take(ts, mark);
        furniture::apply(ts, document, g, self.titles, pages, first);
        told.furniture.take(ts, mark);
        printers_marks::apply(ts, document, g, pages, first);
        told.marks.take(ts, mark);
    }
}

/// The contents' first page: after the cover and the title page.
const CONTENTS_START: usize = 2;

/// Lays out the print edition into `sink`: every page goes to it. Gives
/// what was set, as recorded (`record`), and how long layout took. The
/// chapters are `document`'s, or, where it holds their heads only
/// ([`crate::parse::outline`]), parsed `again` for print as each is flowed
/// and let go once laid out.
#[allow(clippy::too_many_arguments)]
pub fn typeset_into(
    document: &Document,
    again: Option<&Reparser>,
    fonts: &FontLibrary,
    warnings: &mut Diagnostics,
    progress: &dyn Progress,
    record: bool,
    sink: &mut dyn Sink,
) -> Result<(Vec<SetText>, LayoutTimes)> {
    let g = geometry(document);
    let language = document.metadata.language.as_str();
    let size = document.page.font_size_pt;
    let direction = document.metadata.direction;
    let column = Column {
        x: 0.0,
        width: g.measure,
    };
    let breaking = break_settings(document);

    let heading = locale::strings_for(language).contents;
    let titles: Vec<String> = document.chapters.iter().map(|c| c.title_text()).collect();

    // The chapters flowed next, from `from`: a share, or all that are left
    // when recording.
    let share = |from: usize| {
        let count = document.chapters.len();
        match record {
            true => from..count,
            false => from..(from + CHAPTERS_AT_ONCE).min(count),
        }
    };
    // Shape and flow chapters, in parallel: shaping is the costly part
    // and chapters are independent. HarfBuzz fonts are per thread. A
    // chapter parsed again is let go once flowed.
    let flow_chapters = |chapters: Range<usize>| -> Result<Vec<(ChapterSet, Structure)>> {
        chapters
            .into_par_iter()
            .map_init(
                || Shaper::new(fonts, language),
                |shaper, index| {
                    let chapter = match again {
                        Some(again) => Cow::Owned(again.print_chapter(index)?),
                        None => Cow::Borrowed(&document.chapters[index]),
                    };
                    let mut ts = Typesetter::new(
                        shaper,
                        fonts,
                        size,
                        direction,
                        Some(chapter.source.clone()),
                    );
                    ts.breaking = breaking;
                    ts.justify = document.layout.justify;
                    ts.structure.chapter = index as u32;
                    ts.set = record.then(Vec::new);
                    let items =
                        ChapterFlow::new(&mut ts, document, &chapter, column, g.area.height).run();
                    progress.step();
                    Ok((
                        (items, ts.warnings, ts.missing, ts.set, ts.times),
                        ts.structure,
                    ))
                },
            )
            // Should a chapter fail, the first in the book's order is told.
            .collect::<Vec<_>>()
            .into_iter()
            .collect()
    };
    // Meanwhile, how many pages the contents take: that depends on the
    // titles, not on the folios (numbers sit in a slot of their own), so the
    // body is laid out once, after that many pages. (Set as the contents
    // are below, by a typesetter of its own whose warnings and records are
    // let go: the contents say them when set for the book.)
    let contents_length = || {
        let shaper = Shaper::new(fonts, language);
        let mut ts = Typesetter::new(&shaper, fonts, size, direction, None);
        ts.breaking = breaking;
        let entries: Vec<TocEntry> = titles
            .iter()
            .map(|title| TocEntry {
                title: title.clone(),
                page: 0,
                y: g.area.top,
            })
            .collect();
        let folio = PageNumber {
            value: 1,
            style: NumberStyle::Decimal,
        }
        .text(document.layout.numerals);
        let contents = Contents {
            heading,
            entries: &entries,
            g: &g,
            first_index: CONTENTS_START,
            printed_folio: &|_| folio.clone(),
        };
        let nodes = contents.nodes(&mut ts);
        contents.set(&mut ts, &nodes, &mut |_, _, _| Ok(()))
    };
    let (flowed, toc_len) = rayon::join(|| flow_chapters(share(0)), contents_length);
    let (mut flowed, toc_len) = (flowed?, toc_len?);

    let shaper = Shaper::new(fonts, language);
    let mut ts = Typesetter::new(&shaper, fonts, size, direction, None);
    ts.structure.chapter = document.chapters.len() as u32;
    ts.breaking = breaking;
    ts.set = record.then(Vec::new);
    let layout = &document.layout;
    // Front matter: cover, title page, contents. The body is paginated after
    // them, so it must know how many pages the contents take: as many as
    // reckoned above.
    let mut front = Told::default();
    let cover = front::cover(&mut ts, document, &g);
    let title = front::title_page(&mut ts, document, &g, 1);
    front.take(&mut ts, (0, 0, 0));

    let mut times = LayoutTimes::default();
    let first_index = CONTENTS_START + toc_len;
    let mut paginator = Paginator::new(g.area, first_index);
    paginator.chapter_start = layout.chapter_start;
    let mut finisher = Finisher {
        document,
        g: &g,
        titles: &titles,
        numbering: Numbering {
            body_start: first_index,
            front_matter: layout.front_matter,
        },
    };
    let mut entries: Vec<TocEntry> = Vec::with_capacity(titles.len());
    let mut body = Finishing::default();
    let mut chapter_missing: Vec<coverage::MissingAt> = Vec::new();
    let mut chapter_set: Vec<SetText> = Vec::new();
    while !flowed.is_empty() {
        let next = entries.len() + flowed.len();
        let mut placing = |flowed: Vec<(ChapterSet, Structure)>,
                           ts: &mut Typesetter,
                           body: &mut Finishing|
         -> Result<()> {
            for ((items, chapter_warnings, missing, set, chapter_times), structure) in flowed {
                let chapter = entries.len();
                warnings.0.extend(chapter_warnings);
                chapter_missing.extend(missing);
                chapter_set.extend(set.into_iter().flatten());
                times += chapter_times;
                let placing = Instant::now();
                let start = paginator.place(&items);
                times.paginate += placing.elapsed();
                // The chapters are on their pages: the rest of their flows
                // is let go on another thread (freeing a long book's flows
                // took 15–20 ms).
                rayon::spawn(move || drop(items));
                if chapter == 0 {
                    // A blank page that lets the first chapter open on a
                    // recto still belongs to the front matter: the body
                    // starts with the chapter.
                    finisher.numbering.body_start = start;
                }
                entries.push(TocEntry {
                    title: titles[chapter].clone(),
                    page: start,
                    y: g.area.top,
                });
                let (first, mut pages, outline) = paginator.take();
                // A chapter runs from its opening to the next one; blank
                // pages between chapters belong to none.
                for (index, page) in (first..).zip(pages.iter_mut()) {
                    if index >= start && matches!(page.kind, PageKind::Body | PageKind::Plate) {
                        page.chapter = Some(chapter);
                    }
                }
                // A chapter opening with a full-bleed picture opens on it.
                if let Some(opening) = pages.get_mut(start - first)
                    && opening.kind == PageKind::Body
                {
                    opening.kind = PageKind::ChapterOpening;
                }
                finisher.finish(ts, &mut pages, first, body);
                sink.structure(structure)?;
                sink.outline(outline)?;
                for (index, page) in (first..).zip(pages) {
                    sink.page(index, page)?;
                }
            }
            Ok(())
        };
        // The next chapters are flowed while these are put on pages.
        let mut more = Ok(Vec::new());
        let placed = if next < document.chapters.len() && !record {
            rayon::in_place_scope(|scope| {
                scope.spawn(|_| more = flow_chapters(share(next)));
                placing(std::mem::take(&mut flowed), &mut ts, &mut body)
            })
        } else {
            placing(std::mem::take(&mut flowed), &mut ts, &mut body)
        };
        placed?;
        flowed = more?;
    }
    let numbering = finisher.numbering;
    let printed = |index: usize| {
        numbering
            .number(index)
            .map(|n| n.text(layout.numerals))
            .unwrap_or_default()
    };
    let mark = Told::mark(&ts);
    // The generated pages: their structure first, then each page finished
    // and handed over, the contents' as each is set.
    let contents = Contents {
        heading,
        entries: &entries,
        g: &g,
        first_index: CONTENTS_START,
        printed_folio: &printed,
    };
    let nodes = contents.nodes(&mut ts);
    sink.structure(std::mem::take(&mut ts.structure))?;
    let mut finishing = Finishing::default();
    let mut hand_over = |ts: &mut Typesetter, index: usize, mut page: Page| {
        // The body was placed after `toc_len` pages of contents, reckoned
        // from the titles alone; the folios have a slot of their own, so
        // the contents set with them take as many (`Contents::set`).
        if index >= first_index {
            return Err(Diagnostic::error(
                Code::Internal,
                format!(
                    "the contents take more pages with their page numbers than the {toc_len} reckoned"
                ),
            ));
        }
        finisher.finish(ts, std::slice::from_mut(&mut page), index, &mut finishing);
        sink.page(index, page)
    };
    hand_over(&mut ts, 0, cover)?;
    hand_over(&mut ts, 1, title)?;
    let toc_set = contents.set(&mut ts, &nodes, &mut hand_over)?;
    // The chapters and the contents are set (the contents' titles from the
    // pieces shaped when their length was reckoned): the cache's pieces
    // were about a seventh of the memory a long book's build held at once.
    fonts.shaped.forget();
    front.take(&mut ts, mark);
    if toc_set != toc_len {
        return Err(Diagnostic::error(
            Code::Internal,
            format!(
                "the contents take {toc_set} pages with their page numbers, where {toc_len} were reckoned"
            ),
        ));
    }
    finishing.append(body);

    // Generated pages repeat text set elsewhere (chapter titles) and are set
    // more than once (the contents): say each thing once, where it is, and
    // each character no face has once, where the book has it.
    let Finishing {
        plates,
        furniture,
        marks,
    } = finishing;
    let mut told = front;
    for stage in [plates, furniture, marks] {
        told.append(stage);
    }
    for w in told.warnings {
        if !warnings.0.iter().any(|seen| seen.message == w.message) {
            warnings.push(w);
        }
    }
    let missing: Vec<coverage::MissingAt> =
        chapter_missing.into_iter().chain(told.missing).collect();
    for warning in coverage::report(document, &missing) {
        warnings.push(warning);
    }
    let set: Vec<SetText> = chapter_set.into_iter().chain(told.set).collect();
    times += ts.times;
    Ok((set, times))
}
