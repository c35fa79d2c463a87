//! Pictures in the PDF (`tests/books/pictures`, `tests/books/pictures-wide-cover`):
//! inline pictures set in their line at text height, pictures inside links
//! clickable, no picture enlarged beyond its natural size (the size the
//! EPUB shows), warnings for pictures printed below 150 ppi and for covers
//! cropped or coarse, and `cover_fit = "contain"`. Read back with mupdf's
//! `mutool trace` (where each picture is drawn), `pdfimages -list` (pixels
//! per inch), `pdftotext -bbox` (where the words are), the link annotations (`mutool show`) and the EPUB's XHTML.

use crate::common;

use std::path::{Path, PathBuf};

use common::{Area, Leads, arg, build, link_annotations, run_ok, word_areas};

const POINTS_PER_INCH: f32 = 72.0;

fn pictures_book() -> PathBuf {
    common::repo().join("tests/books/pictures")
}

fn wide_cover_book() -> PathBuf {
    common::repo().join("tests/books/pictures-wide-cover")
}

/// A copy of `book` in a temporary folder, `extra` appended to its
/// `book.toml`.
fn variant(book: &Path, extra: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join(book.file_name().unwrap());
    std::fs::create_dir(&copy).unwrap();
    for entry in std::fs::read_dir(book).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, copy.join(path.file_name().unwrap())).unwrap();
        }
    }
    let toml = std::fs::read_to_string(book.join("book.toml")).unwrap();
    std::fs::write(copy.join("book.toml"), format!("{toml}\n{extra}")).unwrap();
    dir
}

/// Every picture drawn on page `page` (1-based): its pixel size and where
/// it is drawn (mupdf's `fill_image`, an unrotated transform).
fn drawn_pictures(pdf: &Path, page: usize) -> Vec<((u32, u32), Area)> {
    let trace = run_ok("mutool", &["trace", arg(pdf), &page.to_string()]);
    let attribute = |line: &str, name: &str| -> String {
        let start = line.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        line[start..].split('"').next().unwrap().to_string()
    };
    trace
        .lines()
        .filter(|line| line.trim_start().starts_with("<fill_image"))
        .map(|line| {
            let m: Vec<f32> = attribute(line, "transform")
                .split_whitespace()
                .map(|n| n.parse().unwrap())
                .collect();
            let pixels = (
                attribute(line, "width").parse().unwrap(),
                attribute(line, "height").parse().unwrap(),
            );
            let area = Area {
                x: m[4],
                y: m[5],
                width: m[0],
                height: m[3],
            };
            (pixels, area)
        })
        .collect()
}

/// `pdfimages -list` rows: (page, width, height, x-ppi, y-ppi).
fn image_list(pdf: &Path) -> Vec<(usize, u32, u32, u32, u32)> {
    run_ok("pdfimages", &["-list", arg(pdf)])
        .lines()
        .skip(2)
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let n = |i: usize| f[i].parse().unwrap();
            (n(0) as usize, n(3), n(4), n(12), n(13))
        })
        .collect()
}

/// The page (1-based) the chapter's pictures are on: the one with 40 × 40
/// pictures.
fn icon_page(pdf: &Path) -> usize {
    image_list(pdf)
        .iter()
        .find(|(_, w, h, _, _)| (*w, *h) == (40, 40))
        .map(|row| row.0)
        .expect("the icon is in the PDF")
}

/// Where the 40 × 40 icons are drawn on page `page` (1-based).
fn icons(pdf: &Path, page: usize) -> Vec<Area> {
    drawn_pictures(pdf, page)
        .into_iter()
        .filter(|(pixels, _)| *pixels == (40, 40))
        .map(|(_, area)| area)
        .collect()
}

#[test]
fn inline_pictures_print_in_their_line_at_text_height() {
    if !common::have_tools(&["mutool", "pdfimages", "pdftotext"]) {
        return;
    }
    let built = build(&pictures_book(), "pictures-inline");
    let pdf = &built.pdf;
    let page = icon_page(pdf);
    let icons = icons(pdf, page);
    // The chapter uses the icon four times: inline, alone, inline inside a
    // link and alone inside a link. Before, only the one alone printed.
    assert_eq!(icons.len(), 4, "icons drawn: {icons:?}");
    let words = word_areas(pdf, page);
    // The word `w` on the line of `picture`.
    let word = |w: &str, picture: &Area| {
        words
            .iter()
            .find(|(text, area)| text == w && area.overlaps_vertically(picture))
            .unwrap_or_else(|| panic!("no word {w} beside {picture:?}: {words:?}"))
            .1
    };
    // Inline: as tall as the 12 pt text, on the line of the words around it,
    // between them (right to left: after «الأيقونة» is to its left).
    for (inline, before, after) in [(icons[0], "الأيقونة", "في"), (icons[2], "زوروا", "موقع")]
    {
        assert!((inline.height - 12.0).abs() < 0.5, "{inline:?}");
        assert!((inline.width - 12.0).abs() < 0.5, "{inline:?}");
        let (before, after) = (word(before, &inline), word(after, &inline));
        assert!(
            inline.x + inline.width <= before.x && after.x + after.width <= inline.x,
            "{inline:?} is not between {before:?} and {after:?}"
        );
    }
    // Alone in a paragraph: a block of its own, no line shared.
    for block in [icons[1], icons[3]] {
        assert!(
            !words
                .iter()
                .any(|(_, w)| w.overlaps_vertically(&block) && w.height > 15.0),
            "{block:?} shares a line with text"
        );
    }
}

#[test]
fn pictures_inside_links_are_clickable() {
    if !common::have_tools(&["mutool", "pdfimages"]) {
        return;
    }
    let built = build(&pictures_book(), "pictures-links");
    let pdf = &built.pdf;
    let page = icon_page(pdf);
    let icons = icons(pdf, page);
    assert_eq!(icons.len(), 4, "{icons:?}");
    let links: Vec<(String, Area)> = link_annotations(pdf, page)
        .into_iter()
        .filter_map(|(leads, area)| match leads {
            Leads::Uri(uri) => Some((uri, area)),
            Leads::Page(_) => None,
        })
        .collect();
    for (uri, icon) in [
        ("https://example.org/inline", icons[2]),
        ("https://example.org/block", icons[3]),
    ] {
        let (_, area) = links
            .iter()
            .find(|(u, _)| u == uri)
            .unwrap_or_else(|| panic!("no link to {uri}: {links:?}"));
        assert!(area.near(&icon), "link {area:?} is not over {icon:?}");
    }
    assert_eq!(links.len(), 2, "only linked pictures are links: {links:?}");
}

#[test]
fn pictures_print_at_their_natural_size_as_the_epub_shows_them() {
    if !common::have_tools(&["pdfimages", "mutool"]) {
        return;
    }
    let built = build(&pictures_book(), "pictures-natural");
    let rows = image_list(&built.pdf);
    // The 40 × 40 icon alone in a paragraph is 40 CSS px (96 a inch), not
    // the text width (it was 9 ppi).
    let block_ppi: Vec<u32> = rows
        .iter()
        .filter(|r| (r.1, r.2) == (40, 40) && r.3 < 200)
        .map(|r| r.3)
        .collect();
    assert_eq!(block_ppi, [96, 96], "{rows:?}");
    // The EPUB shows it 40 px wide: 30 pt.
    let epub = std::fs::read(built.epub()).unwrap();
    let files = common::epub::unzip(&epub);
    let chapter = files
        .iter()
        .find(|(name, _, _)| name.ends_with("chapter-01.xhtml"))
        .map(|(_, _, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .expect("the chapter's XHTML");
    assert!(
        chapter.contains("width=\"40\" height=\"40\""),
        "the EPUB's img gives its natural size:\n{chapter}"
    );
    // Both outputs set the same pictures as blocks: the one alone and the
    // one that is the whole of a link.
    assert_eq!(
        chapter.matches("<p class=\"figure\">").count(),
        2,
        "{chapter}"
    );
    assert!(
        chapter.contains("<p class=\"figure\"><a href=\"https://example.org/block\"><img"),
        "{chapter}"
    );
    let page = icon_page(&built.pdf);
    let blocks: Vec<Area> = drawn_pictures(&built.pdf, page)
        .into_iter()
        .filter(|(_, a)| a.width > 20.0)
        .map(|(_, a)| a)
        .collect();
    assert_eq!(blocks.len(), 2);
    for block in blocks {
        let css_px_in_points = 40.0 * POINTS_PER_INCH / 96.0;
        assert!((block.width - css_px_in_points).abs() < 0.1, "{block:?}");
    }
}

#[test]
fn picture_dpi_sets_the_natural_size() {
    if !common::have_tools(&["pdfimages"]) {
        return;
    }
    let dir = variant(&pictures_book(), "[pdf]\npicture_dpi = 300\n");
    let built = build(&dir.path().join("pictures"), "pictures-300dpi");
    let rows = image_list(&built.pdf);
    let icon_ppi: Vec<u32> = rows
        .iter()
        .filter(|r| (r.1, r.2) == (40, 40))
        .map(|r| r.3)
        .collect();
    // 40 pixels at 300 a inch are 9.6 pt: smaller than the text, so the
    // inline ones too stay at their natural size.
    assert_eq!(icon_ppi, [300, 300, 300, 300], "{rows:?}");
    assert!(
        !built.stderr.contains("icon.png"),
        "no warning at 300 ppi:\n{}",
        built.stderr
    );
}

#[test]
fn coarse_pictures_and_cropped_covers_are_warned_about() {
    let built = build(&pictures_book(), "pictures-warnings");
    let err = &built.stderr;
    // Each use of the icon printed at 96 ppi, with where it is used.
    for place in ["01-pictures.md:5:1", "01-pictures.md:9:2"] {
        assert!(
            err.lines()
                .zip(err.lines().skip(1))
                .any(|(warning, at)| warning.contains("`icon.png`")
                    && warning.contains("96 ppi")
                    && at.ends_with(place)),
            "no warning for the icon at {place}:\n{err}"
        );
    }
    // The inline icons print at 240 ppi: no warning for them.
    assert!(!err.contains("01-pictures.md:3:"), "{err}");
    // The 100 × 150 cover: 16 ppi, and 6% of its height cropped.
    assert!(
        err.contains("cover `cover.png` (100 × 150 pixels) prints at 16 ppi"),
        "{err}"
    );
    assert!(err.contains("6% of its height is cropped"), "{err}");

    let wide = build(&wide_cover_book(), "pictures-wide-cover");
    // 3000 × 1000 on an A5 page with bleed: three quarters of its width go.
    assert!(
        wide.stderr.contains("76% of its width is cropped")
            && wide.stderr.contains("cover_fit = \"contain\""),
        "{}",
        wide.stderr
    );
    assert!(wide.stderr.contains("prints at 118 ppi"), "{}", wide.stderr);
}

#[test]
fn a_contained_cover_is_shown_whole_on_its_background() {
    if !common::have_tools(&["pdfimages", "pdftoppm", "mutool"]) {
        return;
    }
    let dir = variant(
        &wide_cover_book(),
        "[pdf]\ncover_fit = \"contain\"\ncover_background = \"#f0e0c0\"\n",
    );
    let built = build(
        &dir.path().join("pictures-wide-cover"),
        "pictures-contained",
    );
    assert!(!built.stderr.contains("cropped"), "{}", built.stderr);
    let (_, cover) = drawn_pictures(&built.pdf, 1)[0];
    // The whole width of the page and its bleed (148 + 2 × 3 mm), centred.
    let media_width = 154.0 / 25.4 * POINTS_PER_INCH;
    assert!((cover.x).abs() < 0.5, "{cover:?}");
    assert!((cover.width - media_width).abs() < 0.5, "{cover:?}");
    assert!((cover.height - media_width / 3.0).abs() < 0.5, "{cover:?}");
    let rows = image_list(&built.pdf);
    assert_eq!(rows[0].3, 495, "{rows:?}");
    // Above and below it (between it and the authors' band, two thirds
    // down), the background colour.
    let image = common::render_rgb(&built.pdf, 1, COVER_DPI);
    for (x, y) in [(2, 2), (image.width() / 2, image.height() * 2 / 3)] {
        assert_eq!(image.get_pixel(x, y).0, [0xf0, 0xe0, 0xc0], "pixel {x},{y}");
    }
}

/// The resolution the contained cover's page is rendered at.
const COVER_DPI: f32 = 10.0;

#[test]
fn picture_keys_are_checked() {
    let cases = [
        (
            "picture_dpi = 0",
            "`picture_dpi = 0` in book.toml must be between",
        ),
        (
            "cover_fit = \"stretch\"",
            "`cover_fit = \"stretch\"` in book.toml is not known",
        ),
        (
            "cover_fit = \"contain\"\ncover_background = \"beige\"",
            "is not a colour; write it as \"#rrggbb\"",
        ),
        (
            "cover_background = \"#ffffff\"",
            "applies only with `cover_fit = \"contain\"`",
        ),
    ];
    for (key, message) in cases {
        let dir = variant(&wide_cover_book(), &format!("[pdf]\n{key}\n"));
        let out = tempfile::tempdir().unwrap();
        let output = common::warraq()
            .args([
                "build",
                arg(&dir.path().join("pictures-wide-cover")),
                "-o",
                arg(out.path()),
            ])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{key} was accepted");
        assert!(err.contains(message), "{key}: {err}");
        assert!(err.contains("book.toml:"), "{key}: no line: {err}");
    }
}

/// A picture the layout or the PDF writer cannot find among the document's
/// pictures is an error at the picture's place, never a blank where it
/// belongs. Parsing loads every picture it accepts, so the test takes them
/// away after parsing.
#[test]
fn a_picture_missing_from_the_document_is_an_error_not_a_blank() {
    let book = warraq::load::load_with_epoch(&pictures_book(), Some(common::SOURCE_DATE_EPOCH))
        .expect("load");
    let mut found = warraq::diag::Diagnostics::default();
    let mut document = warraq::parse::parse(&book, &mut found).expect("parse");
    let fonts = warraq::fonts::FontLibrary::for_book(&document.fonts).expect("fonts");
    let pages = warraq::layout::typeset(&document, &fonts, &mut found).expect("typeset");
    assert!(!found.has_errors(), "{found:?}");
    document.images.clear();

    let written = warraq::pdf::write(&document, &fonts, pages);
    let error = written.expect_err("a PDF without its pictures");
    assert_eq!(error.code, warraq::diag::Code::Internal, "{error}");
    assert!(error.message.contains("not loaded"), "{error}");

    let mut found = warraq::diag::Diagnostics::default();
    // The paragraph with a picture in its line (3) and the picture alone
    // in its paragraph (5), in 01-pictures.md.
    warraq::layout::typeset(&document, &fonts, &mut found).expect("typeset");
    let places: Vec<_> = found
        .errors()
        .filter_map(|e| {
            assert_eq!(e.code, warraq::diag::Code::Internal, "{e}");
            let file = e.file.as_ref()?.file_name()?;
            Some((file.to_string_lossy().into_owned(), e.line))
        })
        .collect();
    assert!(
        found
            .errors()
            .any(|e| e.file.is_none() && e.message.contains("cover.png")),
        "no error for the cover: {places:?}"
    );
    for line in [3, 5] {
        assert!(
            places.contains(&("01-pictures.md".to_string(), Some(line))),
            "no error at 01-pictures.md:{line}: {places:?}"
        );
    }
}
