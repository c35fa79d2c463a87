//! Layout: from the document to pages of positioned glyphs.
//!
//! [`flow`] turns each chapter into a vertical flow of chunks (shaping and
//! breaking its paragraphs with [`linebreak`], [`hyphenate`] and [`line`]);
//! [`paginate`] fills pages from the flows; [`front`] makes the cover, title page and
//! table of contents. The result, [`page::Pages`], is all the PDF writer sees.

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

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::diag::{Diagnostics, Result};
use crate::doc::Document;
use crate::fonts::FontLibrary;
use crate::fonts::report::SetText;
use crate::locale;
use crate::progress::{Progress, Unwatched};
use crate::text::Shaper;

use flow::{ChapterFlow, Column, FlowItem, Typesetter};
use front::{Geometry, TocEntry};
use furniture::Numbering;
use hyphenate::Hyphenator;
use linebreak::BreakSettings;
use page::{NumberStyle, Page, PageKind, PageNumber, Sheet, Structure};
use paginate::{Paginator, TextArea};

pub use page::Pages;

pub const POINTS_PER_MM: f32 = 72.0 / 25.4;

/// Rounds of laying out the body after the contents before a contents that
/// came out shorter is padded rather than set again.
const MAX_CONTENTS_ROUNDS: u32 = 3;

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
    /// The chapters' flows put on pages (every round of the contents).
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

/// Lays out the whole print edition.
pub fn typeset(
    document: &Document,
    fonts: &FontLibrary,
    warnings: &mut Diagnostics,
) -> Result<Pages> {
    typeset_with(document, fonts, warnings, &Unwatched, false).map(|(pages, _, _)| pages)
}

/// [`typeset`], telling `progress` as each chapter is shaped and broken
/// into lines, and saying how long its parts took.
pub fn typeset_watched(
    document: &Document,
    fonts: &FontLibrary,
    warnings: &mut Diagnostics,
    progress: &dyn Progress,
) -> Result<(Pages, LayoutTimes)> {
    typeset_with(document, fonts, warnings, progress, false).map(|(pages, _, times)| (pages, times))
}

/// [`typeset`], keeping every paragraph as set, with the face of each
/// character (`warraq fonts`): chapters in order, then the text warraq sets
/// itself.
pub fn typeset_recording(
    document: &Document,
    fonts: &FontLibrary,
    warnings: &mut Diagnostics,
) -> Result<(Pages, Vec<SetText>)> {
    typeset_with(document, fonts, warnings, &Unwatched, true).map(|(pages, set, _)| (pages, set))
}

fn typeset_with(
    document: &Document,
    fonts: &FontLibrary,
    warnings: &mut Diagnostics,
    progress: &dyn Progress,
    record: bool,
) -> Result<(Pages, Vec<SetText>, LayoutTimes)> {
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

    // Shape and flow every chapter, in parallel: shaping is the costly part
    // and chapters are independent. HarfBuzz fonts are per thread.
    let flow_chapters = || -> (Vec<ChapterSet>, Vec<Structure>) {
        document
            .chapters
            .par_iter()
            .enumerate()
            .map_init(
                || Shaper::new(fonts, language),
                |shaper, (index, chapter)| {
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
                        ChapterFlow::new(&mut ts, document, chapter, column, g.area.height).run();
                    progress.step();
                    (
                        (items, ts.warnings, ts.missing, ts.set, ts.times),
                        ts.structure,
                    )
                },
            )
            .unzip()
    };
    // Meanwhile, how many pages the contents take: that depends on the
    // titles, not on the folios (numbers sit in a slot of their own), so the
    // body is paginated once, after that many pages. (Set as the contents
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
        front::contents(&mut ts, heading, &entries, &g, 2, &|_| folio.clone()).len()
    };
    let ((flows, structure), contents_length) = rayon::join(flow_chapters, contents_length);
    // The chapters are shaped: what else is set (the contents, the running
    // heads) is little, and the cache's pieces were about a seventh of the
    // memory a long book's build held at once.
    fonts.shaped.forget();

    let mut times = LayoutTimes::default();
    for (_, chapter_warnings, _, _, chapter_times) in &flows {
        warnings.0.extend(chapter_warnings.iter().cloned());
        times += *chapter_times;
    }

    let shaper = Shaper::new(fonts, language);
    let mut ts = Typesetter::new(&shaper, fonts, size, direction, None);
    ts.structure.chapter = document.chapters.len() as u32;
    ts.breaking = breaking;
    ts.set = record.then(Vec::new);
    // Front matter: cover, title page, contents. The body is paginated after
    // them, so it must know how many pages the contents take: as many as
    // found above, unless the folios change that, when another round
    // settles it.
    let layout = &document.layout;
    let cover = front::cover(&mut ts, document, &g);
    let title = front::title_page(&mut ts, document, &g, 1);
    let mut toc_len = contents_length;
    let mut rounds = 1;
    let (toc, body, outline, entries, numbering) = loop {
        let first_index = 2 + toc_len;
        let mut paginator = Paginator::new(g.area, first_index);
        paginator.chapter_start = layout.chapter_start;
        let entries: Vec<TocEntry> = flows
            .iter()
            .zip(&titles)
            .map(|((items, _, _, _, _), title)| {
                let placing = Instant::now();
                let page = paginator.place(items);
                times.paginate += placing.elapsed();
                TocEntry {
                    title: title.clone(),
                    page,
                    y: g.area.top,
                }
            })
            .collect();
        // A blank page that lets the first chapter open on a recto still
        // belongs to the front matter: the body starts with the chapter.
        let numbering = Numbering {
            body_start: entries.first().map_or(first_index, |e| e.page),
            front_matter: layout.front_matter,
        };
        let printed = |index: usize| {
            numbering
                .number(index)
                .map(|n| n.text(layout.numerals))
                .unwrap_or_default()
        };
        let mut toc = front::contents(&mut ts, heading, &entries, &g, 2, &printed);
        // The body was placed after `toc_len` pages of contents: they must be
        // exactly that many. Settled in two rounds (numbers have a slot of
        // their own); should it ever shrink later, blank contents pages keep
        // the count, and while it grows it is laid out again.
        if toc.len() < toc_len && rounds >= MAX_CONTENTS_ROUNDS {
            toc.resize_with(toc_len, || Page {
                kind: PageKind::Contents,
                ..Page::default()
            });
        }
        if toc.len() == toc_len {
            break (toc, paginator.pages, paginator.outline, entries, numbering);
        }
        toc_len = toc.len();
        rounds += 1;
    };

    // The chapters are on their pages: what else of their flows is kept is
    // what they did not set and what they recorded. The rest is let go on
    // another thread (freeing a long book's flows took 15–20 ms).
    let (items, flows): (Vec<_>, Vec<_>) = flows
        .into_iter()
        .map(|(items, _, missing, set, _)| (items, (missing, set)))
        .unzip();
    rayon::spawn(move || drop(items));

    let mut pages: Vec<Page> = vec![cover, title];
    pages.extend(toc);
    pages.extend(body);
    for (index, page) in pages.iter_mut().enumerate() {
        page.number = numbering.number(index);
    }
    // Each chapter runs from its opening to the next one; blank pages
    // between chapters belong to none.
    let ends = entries.iter().skip(1).map(|e| e.page).chain([pages.len()]);
    for (chapter, (entry, end)) in entries.iter().zip(ends).enumerate() {
        for page in &mut pages[entry.page..end] {
            if matches!(page.kind, PageKind::Body | PageKind::Plate) {
                page.chapter = Some(chapter);
            }
        }
        // A chapter opening with a full-bleed picture opens on it.
        if pages[entry.page].kind == PageKind::Body {
            pages[entry.page].kind = PageKind::ChapterOpening;
        }
    }
    front::plates(&mut ts, document, &g, &mut pages);
    furniture::apply(&mut ts, document, &g, &titles, &mut pages);
    printers_marks::apply(&mut ts, document, &g, &mut pages);
    // Generated pages repeat text set elsewhere (chapter titles) and are set
    // more than once (the contents): say each thing once, where it is, and
    // each character no face has once, where the book has it.
    for w in ts.warnings {
        if !warnings.0.iter().any(|seen| seen.message == w.message) {
            warnings.push(w);
        }
    }
    let missing: Vec<coverage::MissingAt> = flows
        .iter()
        .flat_map(|(missing, _)| missing.iter().cloned())
        .chain(ts.missing)
        .collect();
    for warning in coverage::report(document, &missing) {
        warnings.push(warning);
    }
    let set: Vec<SetText> = flows
        .into_iter()
        .filter_map(|(_, set)| set)
        .chain(ts.set)
        .flatten()
        .collect();
    // The generated pages come first in reading order.
    let structure: Vec<Structure> = std::iter::once(ts.structure).chain(structure).collect();
    times += ts.times;
    let pages = Pages {
        width: g.width,
        height: g.height,
        sheet: g.sheet,
        pages,
        outline,
        structure,
    };
    Ok((pages, set, times))
}
