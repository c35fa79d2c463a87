//! Generated pages: the cover, the title page and the table of contents.

use crate::diag::{Code, Diagnostic, Result};
use crate::doc::{CoverFit, Direction, Document, Picture, SourcePos, block_direction};
use crate::fonts::Role;
use crate::text::StyledText;

use super::POINTS_PER_MM;
use super::flow::{Chunk, Column, Typesetter, resolution_warning};
use super::line::Align;
use super::page::{
    ElementKind, GlyphRun, Item, LinkArea, NodeId, Page, PageKind, PlacedGlyph, Rect, Sheet,
    tag_glyphs,
};
use super::paginate::{TextArea, shift};

/// Page geometry in points.
#[derive(Debug, Clone, Copy)]
pub struct Geometry {
    pub width: f32,
    pub height: f32,
    pub sheet: Sheet,
    pub area: TextArea,
    pub measure: f32,
    pub margin_bottom: f32,
}

/// Stacks chunks from `y`, returning the y after them.
fn stack(page: &mut Page, chunks: Vec<Chunk>, left: f32, mut y: f32) -> f32 {
    for chunk in chunks {
        for item in &chunk.items {
            page.items.push(shift(item, left, y));
        }
        y += chunk.height;
    }
    y
}

/// The title and the authors, centred in the measure, at the given scales
/// of the body size.
fn title_and_authors(
    ts: &mut Typesetter,
    document: &Document,
    g: &Geometry,
    scales: (f32, f32),
) -> (Vec<Chunk>, Vec<Chunk>) {
    let column = Column {
        x: 0.0,
        width: g.measure,
    };
    let meta = &document.metadata;
    let separator = crate::locale::strings_for(&meta.language).list_separator;
    let title = StyledText::plain(&meta.title, ts.style(Role::Text, true, false, scales.0));
    let authors = StyledText::plain(
        &meta.authors.join(separator),
        ts.style(Role::Text, false, false, scales.1),
    );
    (
        ts.paragraph(title, None, column, Align::Center),
        ts.paragraph(authors, None, column, Align::Center),
    )
}

/// The cover ([`super::cover`]) on the page and its bleed.
pub fn cover(ts: &mut Typesetter, document: &Document, g: &Geometry) -> Page {
    let trim = Rect {
        x: 0.0,
        y: 0.0,
        width: g.width,
        height: g.height,
    };
    // The cover is page 0.
    let bleed = g.sheet.bleed_box(0, g.width, g.height);
    Page {
        kind: PageKind::Cover,
        // The PDF draws the pattern's every star: its repeat is for painting.
        items: super::cover::items(ts, document, super::cover::Frame { trim, bleed }).0,
        ..Page::default()
    }
}

/// Share of a cover picture's width or height that may be cropped without
/// a warning: what a printer's trim takes anyway.
const COVER_CROP_TOLERANCE: f32 = 0.01;

/// What a picture over the page and its bleed is, for its warnings.
#[derive(Clone, Copy)]
pub(super) enum Artwork<'a> {
    Cover,
    /// A full-bleed picture, asked for in `file` at `pos`, and its figure
    /// element.
    Plate {
        file: &'a std::path::Path,
        pos: SourcePos,
        figure: Option<NodeId>,
    },
}

impl Artwork<'_> {
    /// `warning` placed where the picture is asked for.
    fn locate(self, warning: Diagnostic, key: &str) -> Diagnostic {
        match self {
            Artwork::Cover => warning.in_file(key),
            Artwork::Plate { file, pos, .. } => warning.in_file(file).at(pos),
        }
    }
}

/// Artwork over the page and its bleed (`area`), never distorted: scaled
/// to cover it all, centred, cropped to it (with a warning saying how much
/// when that is more than a trim's worth), or with `cover_fit = "contain"`
/// scaled to show it all, centred on its background colour. A warning too
/// when it prints coarse.
pub(super) fn bleed_artwork(
    ts: &mut Typesetter,
    artwork: Artwork,
    key: &str,
    picture: &Picture,
    fit: CoverFit,
    press: bool,
    area: Rect,
) -> Vec<Item> {
    let (pixels_wide, pixels_high) = (picture.width.max(1) as f32, picture.height.max(1) as f32);
    let (to_width, to_height) = (area.width / pixels_wide, area.height / pixels_high);
    let mut items = Vec::new();
    let scale = match fit {
        CoverFit::Cover => to_width.max(to_height),
        CoverFit::Contain { background } => {
            items.push(Item::Backdrop {
                rect: area,
                rgb: background,
            });
            to_width.min(to_height)
        }
    };
    let (width, height) = (pixels_wide * scale, pixels_high * scale);
    let cropped = |shown: f32, whole: f32| 1.0 - shown / whole;
    let crop = [
        ("width", cropped(area.width, width)),
        ("height", cropped(area.height, height)),
    ]
    .into_iter()
    .find(|(_, share)| *share > COVER_CROP_TOLERANCE);
    let what = match artwork {
        Artwork::Cover => "cover",
        Artwork::Plate { .. } => "full-bleed picture",
    };
    if let Some((side, share)) = crop {
        let mm = |points: f32| points / POINTS_PER_MM;
        let remedy = match artwork {
            Artwork::Cover => ", or set `[pdf] cover_fit = \"contain\"` to show it whole",
            Artwork::Plate { .. } => "",
        };
        let warning = Diagnostic::warning(
            Code::PictureQuality,
            format!(
                "{what} `{key}` ({} × {} pixels) is not the shape of the page with its bleed \
             ({:.0} × {:.0} mm): {:.0}% of its {side} is cropped; crop it to that shape{remedy}",
                picture.width,
                picture.height,
                mm(area.width),
                mm(area.height),
                share * 100.0
            ),
        );
        ts.warnings.push(artwork.locate(warning, key));
    }
    let remedy = "use a picture with more pixels";
    if let Some(warning) = resolution_warning(what, key, picture, width, remedy, press) {
        ts.warnings.push(artwork.locate(warning, key));
    }
    items.push(Item::Picture {
        key: key.to_string(),
        rect: Rect {
            x: area.x + (area.width - width) / 2.0,
            y: area.y + (area.height - height) / 2.0,
            width,
            height,
        },
        crop: Some(area),
        link: None,
        node: match artwork {
            // The cover is decoration: the title page says what it shows.
            Artwork::Cover => None,
            Artwork::Plate { figure, .. } => figure,
        },
    });
    items
}

/// Fills each full-bleed picture's page ([`PageKind::Plate`]) of `pages`,
/// the first of which is page `first` of the book: the picture covers the
/// trimmed page and that page's bleed, cropped to it; it links where its
/// Markdown link leads.
pub fn plates(
    ts: &mut Typesetter,
    document: &Document,
    g: &Geometry,
    pages: &mut [Page],
    first: usize,
) {
    for (index, page) in (first..).zip(pages.iter_mut()) {
        let Some(plate) = &page.plate else { continue };
        let file = page.chapter.map(|c| &document.chapters[c].source);
        let (Some(picture), Some(file)) = (document.images.get(&plate.key), file) else {
            let error = match file {
                Some(file) => super::flow::unloaded_picture(&plate.key)
                    .in_file(file)
                    .at(plate.pos),
                None => Diagnostic::error(
                    Code::Internal,
                    format!(
                        "full-bleed picture `{}` is on a page of no chapter, so it cannot be drawn",
                        plate.key
                    ),
                ),
            };
            ts.warnings.push(error);
            continue;
        };
        let area = g.sheet.bleed_box(index, g.width, g.height);
        let artwork = Artwork::Plate {
            file,
            pos: plate.pos,
            figure: plate.figure,
        };
        let press = document.page.press();
        let mut items = bleed_artwork(
            ts,
            artwork,
            &plate.key,
            picture,
            CoverFit::Cover,
            press,
            area,
        );
        if let Some(link) = &plate.link {
            items.push(Item::Link {
                rect: area,
                to: link.clone(),
                node: plate.link_node,
            });
        }
        page.items.splice(0..0, items);
    }
}

/// The title page: title and authors, centred in the upper third.
pub fn title_page(ts: &mut Typesetter, document: &Document, g: &Geometry, index: usize) -> Page {
    let mut page = Page {
        kind: PageKind::Title,
        ..Page::default()
    };
    let (mut title, mut authors) = title_and_authors(ts, document, g, (1.8, 1.3));
    // The title page's text is the book's; the cover's repeats it.
    for lines in [&mut title, &mut authors] {
        let node = ts.structure.add(ElementKind::Paragraph, None);
        for line in lines.iter_mut() {
            tag_glyphs(&mut line.items, node);
        }
    }
    let left = g.area.left[index % 2];
    let y = stack(&mut page, title, left, g.area.top + g.area.height * 0.2);
    stack(&mut page, authors, left, y + ts.size * 2.0);
    page
}

/// One line of the table of contents.
pub struct TocEntry {
    pub title: String,
    /// Index of the page the chapter starts on.
    pub page: usize,
    pub y: f32,
}

/// The table of contents to set: every chapter, dot leaders, the folio
/// where it starts (`printed_folio` of its page index), each entry a link
/// to its page. Page count depends only on the titles, so it can be laid
/// out before the folios are known.
pub struct Contents<'a> {
    pub heading: &'a str,
    pub entries: &'a [TocEntry],
    pub g: &'a Geometry,
    /// The index of its first page in the book.
    pub first_index: usize,
    pub printed_folio: &'a dyn Fn(usize) -> String,
}

/// The contents' elements of the book's structure: the contents, its
/// heading, and each entry's link (in an entry element of its own).
pub struct ContentsNodes {
    heading: NodeId,
    links: Vec<NodeId>,
}

impl Contents<'_> {
    /// Its elements, made before any of its pages is given, as a
    /// chapter's are: a page's marked content names them.
    pub fn nodes(&self, ts: &mut Typesetter) -> ContentsNodes {
        let contents = ts.structure.add(ElementKind::Contents, None);
        let heading = ts.structure.add(ElementKind::Paragraph, Some(contents));
        let links = self
            .entries
            .iter()
            .map(|_| {
                let entry = ts.structure.add(ElementKind::ContentsEntry, Some(contents));
                ts.structure.add(ElementKind::Link, Some(entry))
            })
            .collect();
        ContentsNodes { heading, links }
    }

    /// Sets it, giving `give` each page with its index in the book as it
    /// is filled, so that a long book's hundreds of contents pages are
    /// never held at once; the number of pages.
    pub fn set(
        &self,
        ts: &mut Typesetter,
        nodes: &ContentsNodes,
        give: &mut dyn FnMut(&mut Typesetter, usize, Page) -> Result<()>,
    ) -> Result<usize> {
        let Contents {
            heading,
            entries,
            g,
            first_index,
            printed_folio,
        } = *self;
        let size = ts.size;
        let number_slot = size * 2.5;
        let gap = size * 0.5;
        let direction = ts.direction;
        let title_column = match direction {
            Direction::Rtl => Column {
                x: number_slot + gap,
                width: g.measure - number_slot - gap,
            },
            Direction::Ltr => Column {
                x: 0.0,
                width: g.measure - number_slot - gap,
            },
        };
        let number_column = match direction {
            Direction::Rtl => Column {
                x: 0.0,
                width: number_slot,
            },
            Direction::Ltr => Column {
                x: g.measure - number_slot,
                width: number_slot,
            },
        };
        let dot = leader_dot(ts);

        let contents_page = || Page {
            kind: PageKind::Contents,
            ..Page::default()
        };
        let mut page = contents_page();
        let mut given = 0;
        let mut heading_chunks = ts.paragraph(
            StyledText::plain(heading, ts.style(Role::Text, true, false, 1.6)),
            Some(direction),
            Column {
                x: 0.0,
                width: g.measure,
            },
            Align::Start,
        );
        for line in &mut heading_chunks {
            tag_glyphs(&mut line.items, nodes.heading);
        }
        let left = |index: usize| g.area.left[(first_index + index) % 2];
        let mut y = stack(&mut page, heading_chunks, left(0), g.area.top + size * 4.0) + size;

        for (entry, &link) in entries.iter().zip(&nodes.links) {
            let style = ts.style(Role::Text, false, false, 1.0);
            // A title in the other direction keeps its own order but stands on
            // the contents' start side, before its leaders, like every entry.
            let title_direction = block_direction(direction, &entry.title);
            let mut lines = ts.paragraph(
                StyledText::plain(&entry.title, style),
                Some(title_direction),
                title_column,
                if title_direction == direction {
                    Align::Start
                } else {
                    Align::End
                },
            );
            // Each entry is a link: its title and number; the leaders are
            // decoration.
            for line in &mut lines {
                tag_glyphs(&mut line.items, link);
            }
            // Number and leaders go on the entry's last line, number on the end side.
            let mut numbers = ts.paragraph(
                StyledText::plain(&printed_folio(entry.page), style),
                Some(Direction::Ltr),
                number_column,
                match direction {
                    Direction::Rtl => Align::Start,
                    Direction::Ltr => Align::Center,
                },
            );
            for number in &mut numbers {
                tag_glyphs(&mut number.items, link);
            }
            let height: f32 = lines.iter().map(|c| c.height).sum();
            if y + height > g.area.top + g.area.height {
                give(
                    ts,
                    first_index + given,
                    std::mem::replace(&mut page, contents_page()),
                )?;
                given += 1;
                y = g.area.top;
            }
            if let (Some(last), Some(number)) = (lines.last_mut(), numbers.into_iter().next()) {
                let runs: Vec<&GlyphRun> = last
                    .items
                    .iter()
                    .filter_map(|i| match i {
                        Item::Glyphs(r) => Some(r),
                        _ => None,
                    })
                    .collect();
                let text_left = runs.iter().map(|r| r.x).fold(f32::MAX, f32::min);
                let text_right = runs
                    .iter()
                    .map(|r| r.x + r.width())
                    .fold(f32::MIN, f32::max);
                let baseline = runs.first().map_or(size, |r| r.y);
                let (from, to) = match direction {
                    Direction::Rtl => (number_slot + gap, text_left - gap),
                    Direction::Ltr => (text_right + gap, g.measure - number_slot - gap),
                };
                if let Some(dots) = dot.as_ref().and_then(|d| leaders(d, from, to, baseline)) {
                    last.items.push(Item::Glyphs(dots));
                }
                for mut item in number.items {
                    if let Item::Glyphs(run) = &mut item {
                        run.y = baseline;
                    }
                    last.items.push(item);
                }
            }
            let top = y;
            y = stack(&mut page, lines, left(given), y);
            page.links.push(LinkArea {
                rect: Rect {
                    x: left(given),
                    y: top,
                    width: g.measure,
                    height: y - top,
                },
                page: entry.page,
                y: entry.y,
                node: Some(link),
                description: entry.title.clone(),
            });
        }
        give(ts, first_index + given, page)?;
        Ok(given + 1)
    }
}

/// The glyph run of a single leader dot, shaped like any text.
fn leader_dot(ts: &mut Typesetter) -> Option<GlyphRun> {
    let style = ts.style(Role::Text, false, false, 1.0);
    let chunks = ts.paragraph(
        StyledText::plain(".", style),
        Some(Direction::Ltr),
        Column {
            x: 0.0,
            width: 100.0,
        },
        Align::Start,
    );
    chunks
        .into_iter()
        .next()?
        .items
        .into_iter()
        .find_map(|i| match i {
            Item::Glyphs(run) => Some(run),
            _ => None,
        })
}

/// Dots from `from` to `to` on a fixed pitch, so the leaders of all entries
/// line up.
fn leaders(dot: &GlyphRun, from: f32, to: f32, baseline: f32) -> Option<GlyphRun> {
    let glyph = *dot.glyphs.first()?;
    let pitch = dot.size * 0.6;
    let first = (from / pitch).ceil() * pitch;
    let count = ((to - first) / pitch).floor() as usize;
    if count < 2 {
        return None;
    }
    let text: String = ".".repeat(count);
    let glyphs: Vec<PlacedGlyph> = (0..count)
        .map(|i| PlacedGlyph {
            text: PlacedGlyph::span(i, i + 1),
            x_advance: pitch,
            x_offset: (pitch - glyph.x_advance) / 2.0,
            ..glyph
        })
        .collect();
    Some(GlyphRun {
        x: first,
        y: baseline,
        glyphs: glyphs.into(),
        text: text.into(),
        ..dot.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::Shaper;

    /// The body is laid out after as many contents pages as the titles
    /// take, reckoned before any folio is known: the folios, however
    /// long, must move no entry.
    #[test]
    fn the_folios_move_no_entry_of_the_contents() {
        let crate::Prepared {
            document, fonts, ..
        } = crate::testing::seed_book();
        let g = super::super::geometry(&document);
        let shaper = Shaper::new(&fonts, "ar");
        let entries = seed_entries(&document, &g, 4);
        let placed = |folio: &str| {
            let mut ts = Typesetter::new(&shaper, &fonts, 11.0, Direction::Rtl, None);
            let mut pages = Vec::new();
            set(
                &mut ts,
                &entries,
                &g,
                &|_| folio.into(),
                &mut |_, _, page| {
                    pages.push(
                        page.links
                            .iter()
                            .map(|l| (l.rect.y, l.rect.height))
                            .collect::<Vec<_>>(),
                    );
                    Ok(())
                },
            );
            pages
        };
        let short = placed("1");
        assert!(short.len() > 1, "the test needs contents of several pages");
        // Three lines in the numbers' slot.
        assert_eq!(short, placed("١٢٣٤٥٦ ١٢٣٤٥٦ ١٢٣٤٥٦"));
    }

    /// An entry for each of the seed book's chapters, `times` over.
    fn seed_entries(document: &Document, g: &Geometry, times: usize) -> Vec<TocEntry> {
        (0..times)
            .flat_map(|_| &document.chapters)
            .map(|chapter| TocEntry {
                title: chapter.title_text(),
                page: 0,
                y: g.area.top,
            })
            .collect()
    }

    /// The contents of `entries`, set by `ts` from page 2, given to `give`.
    fn set(
        ts: &mut Typesetter,
        entries: &[TocEntry],
        g: &Geometry,
        printed_folio: &dyn Fn(usize) -> String,
        give: &mut dyn FnMut(&mut Typesetter, usize, Page) -> Result<()>,
    ) -> usize {
        let contents = Contents {
            heading: "المحتويات",
            entries,
            g,
            first_index: 2,
            printed_folio,
        };
        let nodes = contents.nodes(ts);
        contents.set(ts, &nodes, give).expect("the pages are taken")
    }

    /// Each page of the contents is given as soon as it is full, in order,
    /// while the entries after it are still to be set: a long book's
    /// contents are never held whole.
    #[test]
    fn the_contents_are_given_a_page_at_a_time() {
        let crate::Prepared {
            document, fonts, ..
        } = crate::testing::seed_book();
        let g = super::super::geometry(&document);
        let shaper = Shaper::new(&fonts, "ar");
        let entries = seed_entries(&document, &g, 40);
        let mut ts = Typesetter::new(&shaper, &fonts, 11.0, Direction::Rtl, None);
        ts.set = Some(Vec::new());
        // Per page given: its index, its entries, and how many texts had
        // been set when it was given.
        let mut given: Vec<(usize, usize, usize)> = Vec::new();
        let count = set(
            &mut ts,
            &entries,
            &g,
            &|_| "1".into(),
            &mut |ts, index, page| {
                let texts = ts.set.as_ref().map_or(0, Vec::len);
                given.push((index, page.links.len(), texts));
                Ok(())
            },
        );
        assert_eq!(count, given.len());
        assert!(count > 3, "the test needs contents of several pages");
        let indexes: Vec<usize> = given.iter().map(|g| g.0).collect();
        assert_eq!(indexes, (2..2 + count).collect::<Vec<_>>());
        assert_eq!(given.iter().map(|g| g.1).sum::<usize>(), entries.len());
        // The heading and the leader dot are a text each, an entry's title
        // and folio two: when a page is given, no entry after it is set
        // but the next page's first, which found it full.
        let mut entries_so_far = 0;
        for &(index, on_page, texts) in &given {
            entries_so_far += on_page;
            let bound = 2 + 2 * (entries_so_far + 1).min(entries.len());
            assert!(
                texts <= bound,
                "{texts} texts set when page {index} was given, after {entries_so_far} entries"
            );
        }
    }
}
