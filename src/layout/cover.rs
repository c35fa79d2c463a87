//! The cover: one design for the PDF's first page and the EPUB's cover
//! picture. Over the artwork, or without one over a background drawn from
//! the book ([`pattern`]), the title (and subtitle) and the authors are set
//! in panels, shaped like any text of the book; a briefing's issuer and date
//! under the authors, its classification line at the top. The PDF draws the items as
//! they are (the text stays vector); [`crate::raster`] paints the same
//! items, laid out on the EPUB cover's shape, into the cover JPEG.

mod pattern;

use crate::diag::{Code, Diagnostic, Result};
use crate::doc::Document;
use crate::fonts::{FontLibrary, Role, Style};
use crate::text::{Shaper, StyledText, TextStyle};

use super::flow::{Chunk, Column, Typesetter};
use super::front::{Artwork, bleed_artwork};
use super::line::Align;
use super::page::{Item, Rect};
use super::paginate::shift;
use crate::raster::Repeat;
use pattern::Palette;

/// The EPUB cover's size in pixels: what the stores ask for at least
/// (1600 × 2560, the shape 1 : 1.6).
pub const EPUB_COVER_PIXELS: (u32, u32) = (1600, 2560);
/// JPEG quality of the EPUB cover: no ringing visible around the letters.
const JPEG_QUALITY: f32 = 82.0;
/// The width, in points, the EPUB cover is laid out at (an A5 page's):
/// only its proportions matter, the text sizes follow from it.
const EPUB_COVER_WIDTH: f32 = 420.0;

/// Shares of the trimmed page's width: the measure the text is set in,
/// the title's size (and the smallest it shrinks to), the authors' size.
const MEASURE: f32 = 0.66;
const TITLE_SIZE: f32 = 0.085;
const SMALLEST_TITLE_SIZE: f32 = 0.035;
const AUTHORS_SIZE: f32 = 0.042;
/// The subtitle's size, a share of the title's.
const SUBTITLE_SCALE: f32 = 0.5;
/// Lines a title may take before it is set smaller, down to
/// [`WRAP_TITLE_SIZE`] (a share of the page's width): a longer one then
/// takes more lines.
const TITLE_LINES: usize = 3;
const WRAP_TITLE_SIZE: f32 = 0.055;
/// Each step down when the title does not fit.
const SHRINK: f32 = 0.9;
/// Shares of the trimmed page's height: the title panel's top, the most
/// its text may take, and the authors' panel's centre.
const TITLE_TOP: f32 = 0.17;
const TITLE_MOST: f32 = 0.45;
const AUTHORS_CENTRE: f32 = 0.82;
/// The most the authors' lines may take, a share of the page's height:
/// their panel stays clear of the title's and of the frame.
const AUTHORS_MOST: f32 = 0.1;
/// The issuer's and the date's size, a share of the authors'.
const DETAIL_SCALE: f32 = 0.85;
/// The classification line's panel's top, a share of the page's height,
/// and its size, a share of the authors'.
const CLASSIFICATION_TOP: f32 = 0.05;
const CLASSIFICATION_SCALE: f32 = 0.9;
/// Space around a panel's text, a share of its first line's size.
const PANEL_PADDING: f32 = 0.9;
/// Opacity of the dark band the text sits on over artwork.
const BAND_OPACITY: f32 = 0.72;
const BAND_GREY: f32 = 0.05;

/// Where the cover is drawn: the trimmed page, and the bleed around it
/// that the background covers too.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub trim: Rect,
    pub bleed: Rect,
}

/// The cover's items in `frame`: the artwork (`ts` gets its warnings) or
/// the designed background, then the panels and their text, in white; and
/// which of them repeat across the cover (the designed background's).
pub fn items(
    ts: &mut Typesetter,
    document: &Document,
    frame: Frame,
) -> (Vec<Item>, Option<Repeat>) {
    let meta = &document.metadata;
    let palette = Palette::of(&meta.title, &meta.authors);
    let artwork = document.cover.as_ref().and_then(|key| {
        let picture = document.images.get(key);
        if picture.is_none() {
            ts.warnings.push(super::flow::unloaded_picture(key));
        }
        Some((key, picture?))
    });
    let (mut items, repeat) = match artwork {
        Some((key, picture)) => {
            let items = bleed_artwork(
                ts,
                Artwork::Cover,
                key,
                picture,
                document.page.cover_fit,
                document.page.press(),
                frame.bleed,
            );
            (items, None)
        }
        None => {
            let (items, repeat) = pattern::background(frame, &palette);
            (items, Some(repeat))
        }
    };
    let text = Text::set(ts, document, frame);
    let trim = frame.trim;
    let title_panel = Rect {
        y: trim.y + trim.height * TITLE_TOP,
        height: text.title_height + 2.0 * text.title_padding,
        ..trim
    };
    let authors_height = text.authors_height + 2.0 * text.authors_padding;
    let authors_panel = Rect {
        y: trim.y + trim.height * AUTHORS_CENTRE - authors_height / 2.0,
        height: authors_height,
        ..trim
    };
    let classification_panel = Rect {
        y: trim.y + trim.height * CLASSIFICATION_TOP,
        height: text.classification_height + 2.0 * text.classification_padding,
        ..trim
    };
    let panels = [
        (
            classification_panel,
            text.classification_padding,
            text.classification,
        ),
        (title_panel, text.title_padding, text.title),
        (authors_panel, text.authors_padding, text.authors),
    ];
    for (panel, padding, lines) in panels {
        if lines.is_empty() {
            continue;
        }
        match artwork {
            Some(_) => items.push(Item::Fill {
                rect: Rect {
                    x: frame.bleed.x,
                    width: frame.bleed.width,
                    ..panel
                },
                grey: BAND_GREY,
                opacity: BAND_OPACITY,
                node: None,
            }),
            None => items.extend(pattern::panel(panel, trim, &palette)),
        }
        let left = trim.x + trim.width * (1.0 - MEASURE) / 2.0;
        let mut y = panel.y + padding;
        for line in lines {
            for item in &line.items {
                let mut item = shift(item, left, y);
                if let Item::Glyphs(run) = &mut item {
                    run.inverse = true;
                }
                items.push(item);
            }
            y += line.height;
        }
    }
    (items, repeat)
}

/// The cover's lines, set to fit.
#[derive(Default)]
struct Text {
    /// Title and subtitle lines.
    title: Vec<Chunk>,
    title_height: f32,
    title_padding: f32,
    /// The authors, then the issuer and the date.
    authors: Vec<Chunk>,
    authors_height: f32,
    authors_padding: f32,
    classification: Vec<Chunk>,
    classification_height: f32,
    classification_padding: f32,
}

impl Text {
    /// Sets the title (and subtitle) as large as fits: at most
    /// [`TITLE_LINES`] lines (more when that is too small) and
    /// [`TITLE_MOST`] of the page's height, every word whole on a line (a
    /// long word makes it smaller, never overflows); the authors the same
    /// way at their own size. Nothing is hyphenated.
    fn set(ts: &mut Typesetter, document: &Document, frame: Frame) -> Text {
        if ts.fonts.faces.is_empty() {
            // Nothing to set the text in (a caller's empty library).
            return Text::default();
        }
        let hyphenate = std::mem::replace(&mut ts.breaking.hyphenate, false);
        let text = Text::fit(ts, document, frame);
        ts.breaking.hyphenate = hyphenate;
        text
    }

    fn fit(ts: &mut Typesetter, document: &Document, frame: Frame) -> Text {
        let meta = &document.metadata;
        let width = frame.trim.width;
        let measure = width * MEASURE;
        let separator = crate::locale::strings_for(&meta.language).list_separator;
        let subtitle = meta.subtitle.as_deref().unwrap_or("");
        let most_height = frame.trim.height * TITLE_MOST;
        let mut size = width * TITLE_SIZE;
        let title = loop {
            let mut lines = set_lines(ts, &meta.title, size, true, measure);
            let title_lines = lines.len();
            lines.extend(set_lines(
                ts,
                subtitle,
                size * SUBTITLE_SCALE,
                false,
                measure,
            ));
            let whole = words_whole(ts, &meta.title, size, true, measure)
                && words_whole(ts, subtitle, size * SUBTITLE_SCALE, false, measure);
            let fits = whole
                && height(&lines) <= most_height
                && (title_lines <= TITLE_LINES || size <= width * WRAP_TITLE_SIZE);
            if fits || size <= width * SMALLEST_TITLE_SIZE {
                let mut lines = balanced(ts, &meta.title, size, true, measure);
                let subtitle_size = size * SUBTITLE_SCALE;
                lines.extend(balanced(ts, subtitle, subtitle_size, false, measure));
                break lines;
            }
            size *= SHRINK;
        };
        // As many authors as fit, in the order given (the title page lists
        // them all).
        let authors_most = frame.trim.height * AUTHORS_MOST;
        let (mut authors, mut authors_size) = (Vec::new(), 0.0);
        for shown in (1..=meta.authors.len()).rev() {
            let names = meta.authors[..shown].join(separator);
            authors_size = (width * AUTHORS_SIZE).min(size);
            let fits = loop {
                let whole = words_whole(ts, &names, authors_size, false, measure);
                let lines = set_lines(ts, &names, authors_size, false, measure);
                let fits = whole && height(&lines) <= authors_most;
                if fits || authors_size <= width * SMALLEST_TITLE_SIZE {
                    break fits;
                }
                authors_size *= SHRINK;
            };
            if fits || shown == 1 {
                authors = balanced(ts, &names, authors_size, false, measure);
                if shown < meta.authors.len() {
                    ts.warnings.push(
                        Diagnostic::warning(Code::Overflow, format!(
                            "the cover has room for {shown} of the {} authors; the title page lists them all",
                            meta.authors.len()
                        ))
                        .in_file("book.toml"),
                    );
                }
                break;
            }
        }
        // A briefing says who issues it and when, and how it may be handled.
        let detail_size = (width * AUTHORS_SIZE).min(size);
        let briefing = document.page.print.preset == Some(crate::doc::PrintPreset::Briefing);
        let date = (briefing && meta.dated).then(|| {
            crate::locale::date_text(&meta.language, document.layout.numerals, meta.timestamp)
        });
        let mut authors_padding = authors_size * PANEL_PADDING;
        for detail in [meta.issuer.as_deref(), date.as_deref()]
            .into_iter()
            .flatten()
        {
            authors.extend(balanced(
                ts,
                detail,
                detail_size * DETAIL_SCALE,
                false,
                measure,
            ));
            authors_padding = authors_padding.max(detail_size * DETAIL_SCALE * PANEL_PADDING);
        }
        // The classification keeps above the title's panel: a long one is
        // set smaller, and said when even that does not fit.
        let mut classification_size = detail_size * CLASSIFICATION_SCALE;
        let room = frame.trim.height * (TITLE_TOP - CLASSIFICATION_TOP);
        let classification = match meta.classification.as_deref() {
            None => Vec::new(),
            Some(line) => loop {
                let lines = balanced(ts, line, classification_size, true, measure);
                let fits = height(&lines) + 2.0 * classification_size * PANEL_PADDING <= room;
                if fits || classification_size <= width * SMALLEST_TITLE_SIZE / 2.0 {
                    if !fits {
                        ts.warnings.push(
                            Diagnostic::warning(
                                Code::Overflow,
                                "the classification line is too long for the top of the cover; \
                                 it runs into the title's panel",
                            )
                            .in_file("book.toml"),
                        );
                    }
                    break lines;
                }
                classification_size *= SHRINK;
            },
        };
        Text {
            title_height: height(&title),
            title_padding: size * PANEL_PADDING,
            title,
            authors_height: height(&authors),
            authors_padding,
            authors,
            classification_height: height(&classification),
            classification_padding: classification_size * PANEL_PADDING,
            classification,
        }
    }
}

/// `text` broken into centred lines of the measure at `size`.
fn set_lines(ts: &mut Typesetter, text: &str, size: f32, bold: bool, measure: f32) -> Vec<Chunk> {
    let style = TextStyle {
        role: Role::Text,
        style: Style {
            bold,
            italic: false,
        },
        size,
        raise: 0.0,
    };
    let column = Column {
        x: 0.0,
        width: measure,
    };
    ts.paragraph(
        StyledText::plain(text.trim(), style),
        None,
        column,
        Align::Center,
    )
}

/// Steps of the search for the narrowest measure in [`balanced`].
const BALANCE_STEPS: usize = 8;

/// `text` in as many lines as the measure takes, but of even lengths (as
/// CSS `text-wrap: balance`): set in the narrowest measure that keeps their
/// number, centred in the whole measure.
fn balanced(ts: &mut Typesetter, text: &str, size: f32, bold: bool, measure: f32) -> Vec<Chunk> {
    let lines = set_lines(ts, text, size, bold, measure);
    let count = lines.len();
    if count < 2 {
        return lines;
    }
    let (mut narrow, mut wide) = (measure / count as f32, measure);
    for _ in 0..BALANCE_STEPS {
        let middle = (narrow + wide) / 2.0;
        if set_lines(ts, text, size, bold, middle).len() <= count
            && words_whole(ts, text, size, bold, middle)
        {
            wide = middle;
        } else {
            narrow = middle;
        }
    }
    let inset = (measure - wide) / 2.0;
    let mut lines = set_lines(ts, text, size, bold, wide);
    for line in &mut lines {
        for item in &mut line.items {
            *item = shift(item, inset, 0.0);
        }
    }
    lines
}

/// Whether each word of `text` fits the measure at `size`, so no line
/// break falls inside one.
fn words_whole(ts: &mut Typesetter, text: &str, size: f32, bold: bool, measure: f32) -> bool {
    text.split_whitespace()
        .all(|word| set_lines(ts, word, size, bold, measure).len() <= 1)
}

fn height(lines: &[Chunk]) -> f32 {
    lines.iter().map(|line| line.height).sum()
}

/// The EPUB's cover: [`epub_pixels`] as JPEG.
pub fn epub_jpeg(document: &Document, fonts: &FontLibrary) -> Result<Vec<u8>> {
    let (wide, high) = EPUB_COVER_PIXELS;
    jpeg(&epub_pixels(document, fonts)?, wide as usize, high as usize)
}

/// The EPUB cover's pixels: the cover's items laid out on the shape of
/// [`EPUB_COVER_PIXELS`] and painted, RGBA (all opaque), row by row.
pub fn epub_pixels(document: &Document, fonts: &FontLibrary) -> Result<Vec<u8>> {
    let (items, repeat, trim, scale) = epub_items(document, fonts);
    crate::raster::paint(&items, repeat, trim, scale, document, fonts)
}

/// The EPUB cover's items, which of them repeat, the page they are laid out
/// on (points) and the pixels a point.
fn epub_items(document: &Document, fonts: &FontLibrary) -> (Vec<Item>, Option<Repeat>, Rect, f32) {
    let (pixels_wide, pixels_high) = EPUB_COVER_PIXELS;
    let trim = Rect {
        x: 0.0,
        y: 0.0,
        width: EPUB_COVER_WIDTH,
        height: EPUB_COVER_WIDTH * pixels_high as f32 / pixels_wide as f32,
    };
    let meta = &document.metadata;
    let shaper = Shaper::new(fonts, &meta.language);
    // Set as the PDF's cover is, so the two match.
    let size = document.page.font_size_pt;
    let mut ts = Typesetter::new(&shaper, fonts, size, meta.direction, None);
    ts.breaking = super::break_settings(document);
    // The PDF's layout reports the artwork's and the text's problems.
    let (items, repeat) = items(&mut ts, document, Frame { trim, bleed: trim });
    (items, repeat, trim, pixels_wide as f32 / trim.width)
}

/// Opaque RGBA `pixels`, `wide` × `high`, as JPEG: libjpeg-turbo's baseline
/// encoding (mozjpeg set to libjpeg's defaults, none of its slower
/// searches), whose integer DCT gives the same bytes with its SIMD code as
/// with its C code.
fn jpeg(pixels: &[u8], wide: usize, high: usize) -> Result<Vec<u8>> {
    let encode = || -> std::io::Result<Vec<u8>> {
        let mut jpeg = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_EXT_RGBA);
        jpeg.set_fastest_defaults();
        jpeg.set_size(wide, high);
        jpeg.set_quality(JPEG_QUALITY);
        // Colour at half the resolution, as photographs are stored.
        jpeg.set_chroma_sampling_pixel_sizes((2, 2), (2, 2));
        // The standard Huffman tables, in one pass: tables made for the
        // picture keep every block for a second pass (25 MB at 1600 ×
        // 2560: 40% of a small book's peak memory, about a sixth of its
        // CPU time). The JPEG comes out 4% (a photograph) to 77% (a plain
        // designed cover) larger; the EPUB, which deflates it, at most
        // 18 KB (some come out smaller).
        jpeg.set_optimize_coding(false);
        let mut started = jpeg.start_compress(Vec::new())?;
        started.write_scanlines(pixels)?;
        started.finish()
    };
    let cannot = |why: &str| {
        Diagnostic::error(
            Code::Internal,
            format!("cannot encode the cover as JPEG: {why}"),
        )
    };
    // libjpeg reports its errors by unwinding (mozjpeg's error manager).
    match std::panic::catch_unwind(encode) {
        Ok(encoded) => encoded.map_err(|e| cannot(&e.to_string())),
        Err(payload) => Err(cannot(
            payload
                .downcast_ref::<String>()
                .map_or("libjpeg failed", String::as_str),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The designed cover's ground and stars, painted on one tile and
    /// copied across, come out as painted whole but for anti-aliasing: a
    /// few hundred of its four million pixels a level or three apart.
    #[test]
    fn the_pattern_painted_once_and_copied_is_the_pattern_painted_whole() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/books/english");
        let book = crate::load::load_with_epoch(&dir, Some("1700000000")).unwrap();
        let document = crate::parse::parse(&book, &mut Default::default()).unwrap();
        let fonts = FontLibrary::for_book(&document.fonts).unwrap();
        let (items, repeat, trim, scale) = epub_items(&document, &fonts);
        let repeat = repeat.expect("a book without artwork has the designed background");
        // A whole number of pixels, so it is painted once and copied.
        let side = repeat.period * scale;
        assert!(
            (side - side.round()).abs() < 1e-3,
            "a tile of {side} pixels"
        );
        let paint = |repeat| crate::raster::paint(&items, repeat, trim, scale, &document, &fonts);
        let (tiled, whole) = (paint(Some(repeat)).unwrap(), paint(None).unwrap());
        assert_eq!(tiled.len(), whole.len());
        let apart: Vec<u8> = tiled
            .chunks(4)
            .zip(whole.chunks(4))
            .map(|(a, b)| {
                a.iter()
                    .zip(b)
                    .map(|(x, y)| x.abs_diff(*y))
                    .max()
                    .unwrap_or(0)
            })
            .filter(|&d| d > 0)
            .collect();
        assert!(
            apart.len() < 1_000 && apart.iter().all(|&d| d <= 3),
            "{} pixels differ, by up to {}",
            apart.len(),
            apart.iter().max().unwrap_or(&0)
        );
    }
}
