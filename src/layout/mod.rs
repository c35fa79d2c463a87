//! Layout: from the document to pages of positioned glyphs.
//!
//! [`flow`] turns each chapter into a vertical flow of chunks (shaping and
//! breaking its paragraphs with [`linebreak`] and [`line`]); [`paginate`]
//! fills pages from the flows; [`front`] makes the cover, title page and
//! table of contents. The result, [`page::Pages`], is all the PDF writer sees.

pub mod flow;
pub mod front;
pub mod kashida;
pub mod line;
pub mod linebreak;
pub mod page;
pub mod paginate;

use rayon::prelude::*;

use crate::diag::{Result, Warnings};
use crate::doc::Document;
use crate::fonts::FontLibrary;
use crate::locale;
use crate::text::Shaper;

use flow::{ChapterFlow, Column, FlowItem, Typesetter};
use front::{Geometry, TocEntry};
use page::Page;
use paginate::{Paginator, TextArea};

pub use page::Pages;

const POINTS_PER_MM: f32 = 72.0 / 25.4;

fn geometry(document: &Document) -> Geometry {
    let p = &document.page;
    let (width, height) = (p.width_mm * POINTS_PER_MM, p.height_mm * POINTS_PER_MM);
    let (inner, outer) = (
        p.margin_inner_mm * POINTS_PER_MM,
        p.margin_outer_mm * POINTS_PER_MM,
    );
    let measure = width - inner - outer;
    // Pages alternate sides of the spine. The first page of a left-to-right
    // book is a right-hand page (spine on its left); of a right-to-left book,
    // a left-hand page (spine on its right). Index 0 is that first page.
    let spine_left_first = !matches!(document.metadata.direction, crate::doc::Direction::Rtl);
    let left = if spine_left_first {
        [inner, outer]
    } else {
        [outer, inner]
    };
    Geometry {
        width,
        height,
        bleed: p.bleed_mm * POINTS_PER_MM,
        area: TextArea {
            top: p.margin_top_mm * POINTS_PER_MM,
            height: height - (p.margin_top_mm + p.margin_bottom_mm) * POINTS_PER_MM,
            left,
        },
        measure,
        margin_bottom: p.margin_bottom_mm * POINTS_PER_MM,
    }
}

/// Lays out the whole print edition.
pub fn typeset(document: &Document, fonts: &FontLibrary, warnings: &mut Warnings) -> Result<Pages> {
    let g = geometry(document);
    let language = document.metadata.language.as_str();
    let size = document.page.font_size_pt;
    let direction = document.metadata.direction;
    let column = Column {
        x: 0.0,
        width: g.measure,
    };

    // Shape and flow every chapter, in parallel: shaping is the costly part
    // and chapters are independent. HarfBuzz fonts are per thread.
    let flows: Vec<(Vec<FlowItem>, Vec<_>)> = document
        .chapters
        .par_iter()
        .map_init(
            || Shaper::new(fonts, language),
            |shaper, chapter| {
                let mut ts =
                    Typesetter::new(shaper, fonts, size, direction, Some(chapter.source.clone()));
                ts.justify = document.layout.justify;
                let items = ChapterFlow {
                    ts: &mut ts,
                    document,
                    chapter,
                    column,
                    max_picture_height: g.area.height,
                    items: Vec::new(),
                }
                .run();
                (items, ts.warnings)
            },
        )
        .collect();

    for (_, chapter_warnings) in &flows {
        warnings.0.extend(chapter_warnings.iter().cloned());
    }

    let shaper = Shaper::new(fonts, language);
    let mut ts = Typesetter::new(&shaper, fonts, size, direction, None);
    let heading = locale::strings_for(language).contents;
    let titles: Vec<String> = document.chapters.iter().map(|c| c.title_text()).collect();

    // Front matter: cover, title page, contents. The body is paginated after
    // them, so it must know how many pages the contents take; that depends
    // on the titles, not the folios (numbers sit in a fixed slot), so one
    // more round settles it.
    let cover = front::cover(&mut ts, document, &g);
    let title = front::title_page(&mut ts, document, &g, 1);
    let mut toc_len = 1;
    let mut rounds = 1;
    let (toc, body, outline) = loop {
        let body_start = 2 + toc_len;
        let mut paginator = Paginator::new(g.area, body_start);
        let entries: Vec<TocEntry> = flows
            .iter()
            .zip(&titles)
            .map(|((items, _), title)| {
                let page = paginator.place(items);
                TocEntry {
                    title: title.clone(),
                    page,
                    y: g.area.top,
                }
            })
            .collect();
        let toc = front::contents(&mut ts, heading, &entries, &g, 2);
        if toc.len() == toc_len || rounds == 3 {
            break (toc, paginator.pages, paginator.outline);
        }
        toc_len = toc.len();
        rounds += 1;
    };

    let mut pages: Vec<Page> = vec![cover, title];
    pages.extend(toc);
    pages.extend(body);
    for (index, page) in pages.iter_mut().enumerate() {
        // Every page but the cover and the title page shows its number.
        if index >= 2 {
            let number = index as u32 + 1;
            page.folio = Some(number);
            let folio = front::folio(&mut ts, number, &g, index);
            page.items.extend(folio);
        }
    }
    // Generated pages repeat text set elsewhere (chapter titles) and are set
    // more than once (the contents): say each thing once, where it is.
    for w in ts.warnings {
        if !warnings.0.iter().any(|seen| seen.message == w.message) {
            warnings.push(w);
        }
    }
    Ok(Pages {
        width: g.width,
        height: g.height,
        bleed: g.bleed,
        pages,
        outline,
    })
}
