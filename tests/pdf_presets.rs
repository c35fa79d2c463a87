//! Print presets (`[pdf] preset`, `--pdf-preset`): the page boxes read back
//! with `pdfinfo -box`, crop marks found in rendered pixels, the slug line's
//! words with `pdftotext -bbox`, the cover in the bleed, `qpdf --check`.
//! Expected values are computed here from each preset's published numbers
//! (A5 = 148 × 210 mm; KDP's bleed 3.2 mm; offset 3 mm, marks 5 mm long
//! from 2 mm beyond the bleed).

use crate::common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::{arg, have_tools, run_ok, scratch, warraq};

const MM: f64 = 72.0 / 25.4;
const A5: (f64, f64) = (148.0, 210.0);
/// The test book: cover, title page, contents, two chapters (5 pages).
const PAGES: usize = 5;
/// Rendering resolution for the marks: a 0.25 pt hairline is a pixel wide.
const DPI: f32 = 300.0;
/// A pixel darker than this is ink.
const INK: u8 = 160;

fn book() -> PathBuf {
    common::repo().join("tests/books/presets")
}

/// A box as `pdfinfo -box` prints it: x0, y0, x1, y1 in points, y up.
type PdfBox = [f64; 4];

/// Builds `book`'s PDF with `args` into a folder of its own named `out`.
fn build(book: &Path, out: &str, args: &[&str]) -> PathBuf {
    let args: Vec<&str> = ["--format", "pdf"].iter().chain(args).copied().collect();
    common::build_formats(book, out, &args).pdf
}

/// The test book built with `--pdf-preset preset` (none: as book.toml
/// says, which names no preset), once per test process.
fn built(preset: Option<&'static str>) -> &'static Path {
    static BUILT: [OnceLock<PathBuf>; 4] = [const { OnceLock::new() }; 4];
    let (slot, args): (usize, Vec<&str>) = match preset {
        None => (0, vec![]),
        Some("office") => (1, vec!["--pdf-preset", "office"]),
        Some("kdp") => (2, vec!["--pdf-preset", "kdp"]),
        Some("offset") => (3, vec!["--pdf-preset", "offset"]),
        Some(other) => panic!("no preset {other}"),
    };
    BUILT[slot].get_or_init(|| {
        build(
            &book(),
            &format!("preset-{}", preset.unwrap_or("none")),
            &args,
        )
    })
}

/// A copy of the test book in `folder` whose book.toml ends with `[pdf]`
/// and the lines `pdf`; returns the line of `pdf`'s first line.
fn copy_with_pdf(folder: &Path, pdf: &str) -> usize {
    std::fs::create_dir_all(folder).unwrap();
    for entry in std::fs::read_dir(book()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, folder.join(path.file_name().unwrap())).unwrap();
    }
    let toml = std::fs::read_to_string(book().join("book.toml")).unwrap();
    std::fs::write(folder.join("book.toml"), format!("{toml}[pdf]\n{pdf}\n")).unwrap();
    toml.lines().count() + 2
}

/// Media, bleed and trim box of every page, read back with poppler.
fn boxes(pdf: &Path) -> Vec<[PdfBox; 3]> {
    let pages = common::page_count(pdf).to_string();
    let info = run_ok("pdfinfo", &["-box", "-f", "1", "-l", &pages, arg(pdf)]);
    let read = |page: usize, name: &str| -> PdfBox {
        let key = format!("Page {page:>4} {name}:");
        let line = info
            .lines()
            .find(|l| l.starts_with(&key))
            .unwrap_or_else(|| panic!("no `{key}` in pdfinfo's output:\n{info}"));
        let numbers: Vec<f64> = line[key.len()..]
            .split_whitespace()
            .map(|n| n.parse().unwrap())
            .collect();
        numbers.try_into().unwrap()
    };
    (1..=common::page_count(pdf))
        .map(|page| {
            [
                read(page, "MediaBox"),
                read(page, "BleedBox"),
                read(page, "TrimBox"),
            ]
        })
        .collect()
}

/// The bleed of a page, in millimetres: top, bottom, spine side, outer side.
#[derive(Debug, Clone, Copy)]
struct Bleed {
    top: f64,
    bottom: f64,
    spine: f64,
    outer: f64,
}

/// The boxes page `index` (0 = the cover) should have: the trim `A5`, its
/// `bleed`, and `band` mm beyond the bleed for marks. The book is Arabic,
/// bound on the right: a recto (even index) is a left-hand page, its spine
/// on its right.
fn expected(index: usize, bleed: Bleed, band: f64) -> [PdfBox; 3] {
    let spine_on_right = index.is_multiple_of(2);
    let (left, right) = if spine_on_right {
        (bleed.outer, bleed.spine)
    } else {
        (bleed.spine, bleed.outer)
    };
    let width = band + left + A5.0 + right + band;
    let height = band + bleed.bottom + A5.1 + bleed.top + band;
    let points = |b: [f64; 4]| b.map(|mm| mm * MM);
    [
        points([0.0, 0.0, width, height]),
        points([band, band, width - band, height - band]),
        points([
            band + left,
            band + bleed.bottom,
            band + left + A5.0,
            band + bleed.bottom + A5.1,
        ]),
    ]
}

fn all(mm: f64) -> Bleed {
    Bleed {
        top: mm,
        bottom: mm,
        spine: mm,
        outer: mm,
    }
}

/// Every page's boxes equal to the point (pdfinfo prints hundredths).
fn assert_boxes(pdf: &Path, bleed: Bleed, band: f64, what: &str) {
    assert_boxes_of(pdf, PAGES, bleed, band, what);
}

/// [`assert_boxes`] for a book of `pages` pages.
fn assert_boxes_of(pdf: &Path, pages: usize, bleed: Bleed, band: f64, what: &str) {
    let found = boxes(pdf);
    assert_eq!(found.len(), pages, "{what}: pages");
    for (index, page) in found.iter().enumerate() {
        let want = expected(index, bleed, band);
        for ((name, got), want) in ["MediaBox", "BleedBox", "TrimBox"]
            .iter()
            .zip(page)
            .zip(want)
        {
            assert!(
                got.iter().zip(want).all(|(g, w)| (g - w).abs() <= 0.006),
                "{what}, page {}: {name} is {got:?}, should be {want:?}",
                index + 1
            );
        }
    }
}

#[test]
fn boxes_of_every_preset_on_rectos_and_versos() {
    if !have_tools(&["pdfinfo"]) {
        return;
    }
    // No preset: what warraq always wrote.
    assert_boxes(built(None), all(3.0), 0.0, "no preset");
    assert_boxes(built(Some("office")), all(0.0), 0.0, "office");
    let kdp = Bleed {
        spine: 0.0,
        ..all(3.2)
    };
    assert_boxes(built(Some("kdp")), kdp, 0.0, "kdp");
    assert_boxes(built(Some("offset")), all(3.0), 2.0 + 5.0, "offset");
}

#[test]
fn the_command_line_preset_wins_and_explicit_keys_win_over_the_preset() {
    if !have_tools(&["pdfinfo"]) {
        return;
    }
    let copy = tempfile::tempdir().unwrap();
    let folder = copy.path().join("presets");
    let with_pdf = |pdf: &str| copy_with_pdf(&folder, pdf);

    with_pdf("preset = \"kdp\"");
    let kdp = Bleed {
        spine: 0.0,
        ..all(3.2)
    };
    assert_boxes(
        &build(&folder, "cli-none", &[]),
        kdp,
        0.0,
        "book.toml's kdp",
    );
    let office = build(&folder, "cli-office", &["--pdf-preset", "office"]);
    assert_boxes(
        &office,
        all(0.0),
        0.0,
        "--pdf-preset office over book.toml's kdp",
    );

    with_pdf("preset = \"kdp\"\nbleed_mm = 5");
    let kdp5 = Bleed {
        spine: 0.0,
        ..all(5.0)
    };
    assert_boxes(
        &build(&folder, "kdp-5", &[]),
        kdp5,
        0.0,
        "kdp with bleed_mm = 5",
    );

    with_pdf("preset = \"offset\"\nbleed_mm = 4\nmark_length_mm = 8\nmark_offset_mm = 1");
    assert_boxes(
        &build(&folder, "offset-keys", &[]),
        all(4.0),
        1.0 + 8.0,
        "offset with its keys",
    );
}

/// Page `page`'s boxes in pixels at [`DPI`], y down from the sheet's top:
/// (bleed, trim), each x0, y0, x1, y1.
fn pixel_boxes(pdf: &Path, page: usize) -> ([f64; 4], [f64; 4]) {
    let [media, bleed, trim] = boxes(pdf)[page - 1];
    let px = |b: PdfBox| {
        let scale = f64::from(DPI) / 72.0;
        [
            b[0] * scale,
            (media[3] - b[3]) * scale,
            b[2] * scale,
            (media[3] - b[1]) * scale,
        ]
    };
    (px(bleed), px(trim))
}

/// Inked pixels of page `page` rendered at [`DPI`] for which `select(x, y)`.
fn ink(pdf: &Path, page: usize, select: impl Fn(f64, f64) -> bool) -> usize {
    let image = common::render_gray(pdf, page, DPI);
    image
        .enumerate_pixels()
        .filter(|(x, y, p)| p.0[0] < INK && select(f64::from(*x) + 0.5, f64::from(*y) + 0.5))
        .count()
}

fn inside(b: [f64; 4], x: f64, y: f64) -> bool {
    x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3]
}

#[test]
fn crop_marks_at_the_four_corners_outside_the_bleed_only_with_offset() {
    if !have_tools(&["pdfinfo", "pdftoppm"]) {
        return;
    }
    // A verso and a recto of the body.
    for page in [4, 5] {
        let pdf = built(Some("offset"));
        let (bleed, trim) = pixel_boxes(pdf, page);
        // A pixel's slack round the trim lines the marks stand on.
        let slack = 1.5;
        let corners = [
            ("top left", trim[0] + slack, trim[1] + slack, false, false),
            ("top right", trim[2] - slack, trim[1] + slack, true, false),
            ("bottom left", trim[0] + slack, trim[3] - slack, false, true),
            ("bottom right", trim[2] - slack, trim[3] - slack, true, true),
        ];
        let length_px = 5.0 * MM * f64::from(DPI) / 72.0;
        for (name, cx, cy, right, below) in corners {
            let found = ink(pdf, page, |x, y| {
                let beyond_x = if right { x >= cx } else { x <= cx };
                let beyond_y = if below { y >= cy } else { y <= cy };
                beyond_x && beyond_y && !inside(bleed, x, y)
            });
            // Two hairlines a pixel wide, each the mark's length.
            assert!(
                found as f64 >= 1.5 * length_px,
                "offset page {page}: {found} inked pixels at the {name} corner outside the bleed, \
                 not two crop marks"
            );
        }
        // Nothing of them on the bleed: between trim and bleed edge, no ink.
        let on_bleed = ink(pdf, page, |x, y| inside(bleed, x, y) && !inside(trim, x, y));
        assert_eq!(on_bleed, 0, "offset page {page}: marks on the bleed");
    }
    for preset in [None, Some("office"), Some("kdp")] {
        let pdf = built(preset);
        for page in [4, 5] {
            let (_, trim) = pixel_boxes(pdf, page);
            let outside = ink(pdf, page, |x, y| !inside(trim, x, y));
            assert_eq!(
                outside, 0,
                "{preset:?} page {page}: ink outside the trim, where no preset but offset marks"
            );
        }
    }
}

#[test]
fn slug_line_under_the_page_with_title_date_and_page_number() {
    if !have_tools(&["pdfinfo", "pdftotext"]) {
        return;
    }
    let pdf = built(Some("offset"));
    let all_boxes = boxes(pdf);
    for page in 1..=PAGES {
        let [media, bleed, trim] = all_boxes[page - 1];
        // pdftotext's y grows downwards from the sheet's top.
        let bleed_bottom = media[3] - bleed[1];
        let words = common::page_words(pdf, page);
        let slug: Vec<&str> = words
            .iter()
            .filter(|w| f64::from(w.y_min) > bleed_bottom)
            .map(|w| w.text.as_str())
            .collect();
        // The title's Latin words as they are, its Arabic ones as
        // poppler's boxes give them (letters in visual order).
        let page_number = page.to_string();
        for word in [
            "2025-11-30",
            page_number.as_str(),
            "Print",
            "Presets",
            "ليلد",
            "ةعبطملا",
        ] {
            assert!(
                slug.contains(&word),
                "offset page {page}: no `{word}` in the slug under the bleed: {slug:?}"
            );
        }
        // And every slug word within the trim's width, between the marks.
        for w in words.iter().filter(|w| f64::from(w.y_min) > bleed_bottom) {
            assert!(
                f64::from(w.x_min) > trim[0] && f64::from(w.x_max) < trim[2],
                "offset page {page}: slug word {w:?} beyond the trim's width"
            );
        }
    }
    for preset in [None, Some("office"), Some("kdp")] {
        let pdf = built(preset);
        let all_boxes = boxes(pdf);
        for page in 1..=PAGES {
            let [media, _, trim] = all_boxes[page - 1];
            let trim_bottom = media[3] - trim[1];
            let outside: Vec<String> = common::page_words(pdf, page)
                .into_iter()
                .filter(|w| f64::from(w.y_max) > trim_bottom + 0.5)
                .map(|w| w.text)
                .collect();
            assert!(
                outside.is_empty(),
                "{preset:?} page {page}: words under the trim: {outside:?}"
            );
        }
    }
}

#[test]
fn the_cover_runs_into_the_bleed_and_its_text_keeps_to_the_margins() {
    if !have_tools(&["pdfinfo", "pdftoppm", "pdftotext"]) {
        return;
    }
    for preset in [None, Some("kdp"), Some("offset")] {
        let pdf = built(preset);
        let (bleed, trim) = pixel_boxes(pdf, 1);
        let image = common::render_gray(pdf, 1, DPI);
        let dark = |x: f64, y: f64| image.get_pixel(x as u32, y as u32).0[0] < INK;
        let (mid_x, mid_y) = ((trim[0] + trim[2]) / 2.0, (trim[1] + trim[3]) / 2.0);
        // Halfway between the trim and the bleed's edge, on each edge that
        // has bleed (the cover is a recto: spine on the right).
        let edges = [
            (
                "left",
                (bleed[0] + trim[0]) / 2.0,
                mid_y,
                bleed[0] < trim[0] - 1.0,
            ),
            (
                "right",
                (bleed[2] + trim[2]) / 2.0,
                mid_y,
                bleed[2] > trim[2] + 1.0,
            ),
            ("top", mid_x, (bleed[1] + trim[1]) / 2.0, true),
            ("bottom", mid_x, (bleed[3] + trim[3]) / 2.0, true),
        ];
        for (edge, x, y, bled) in edges {
            if bled {
                assert!(
                    dark(x, y),
                    "{preset:?}: the cover stops short of the {edge} bleed"
                );
            }
        }
        if preset == Some("kdp") {
            assert!(
                (bleed[2] - trim[2]).abs() < 0.5,
                "kdp: bleed on the cover's spine side"
            );
        }
        // The title and authors inside the trim by at least the smaller
        // margin (15 mm).
        let [media, _, trim_pt] = boxes(pdf)[0];
        let margin = 15.0 * MM;
        let bleed_bottom = media[3] - boxes(pdf)[0][1][1];
        // The slug under the bleed is not the cover's.
        let cover_words = common::page_words(pdf, 1)
            .into_iter()
            .filter(|w| f64::from(w.y_min) < bleed_bottom);
        for w in cover_words {
            let (x0, x1) = (f64::from(w.x_min), f64::from(w.x_max));
            let (y0, y1) = (f64::from(w.y_min), f64::from(w.y_max));
            assert!(
                x0 >= trim_pt[0] + margin - 0.5
                    && x1 <= trim_pt[2] - margin + 0.5
                    && y0 >= media[3] - trim_pt[3]
                    && y1 <= media[3] - trim_pt[1],
                "{preset:?}: cover word {w:?} outside the safe area"
            );
        }
    }
}

#[test]
fn the_text_block_stands_where_it_stands_in_every_preset() {
    if !have_tools(&["pdfinfo", "pdftotext"]) {
        return;
    }
    // Word positions relative to the trim's corner, page by page (pdfinfo
    // and pdftotext round to hundredths of a point).
    let relative = |pdf: &Path| -> Vec<(usize, String, f64, f64)> {
        let all_boxes = boxes(pdf);
        common::words(pdf)
            .into_iter()
            .filter_map(|w| {
                let [media, _, trim] = all_boxes[w.page - 1];
                let x = f64::from(w.x_min) - trim[0];
                let y = f64::from(w.y_min) - (media[3] - trim[3]);
                // Words of the slug are not part of the page.
                (y < trim[3] - trim[1]).then_some((w.page, w.text, x, y))
            })
            .collect()
    };
    let reference = relative(built(None));
    for preset in ["office", "kdp", "offset"] {
        let words = relative(built(Some(preset)));
        assert_eq!(words.len(), reference.len(), "{preset}: words");
        for (word, was) in words.iter().zip(&reference) {
            assert!(
                word.0 == was.0
                    && word.1 == was.1
                    && (word.2 - was.2).abs() < 0.03
                    && (word.3 - was.3).abs() < 0.03,
                "{preset}: {word:?} moved from {was:?}"
            );
        }
    }
}

#[test]
fn qpdf_finds_nothing_wrong_with_any_preset() {
    if !have_tools(&["qpdf"]) {
        return;
    }
    for preset in [None, Some("office"), Some("kdp"), Some("offset")] {
        let out = common::run("qpdf", &["--check", arg(built(preset))]);
        assert!(
            out.status.success(),
            "{preset:?}: qpdf --check:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn mark_keys_without_marks_are_warned_about() {
    let copy = tempfile::tempdir().unwrap();
    let folder = copy.path().join("presets");
    let line = copy_with_pdf(&folder, "preset = \"kdp\"\nmark_length_mm = 6") + 1;
    let output = warraq()
        .arg("build")
        .arg(&folder)
        .arg("-o")
        .arg(scratch().join("marks-warned"))
        .args(["--format", "pdf"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("book.toml:{line}")) && stderr.contains("mark_length_mm"),
        "no warning at book.toml:{line} for a mark key kdp does not use:\n{stderr}"
    );
}

/// What MuPDF's build says of itself rather than of the file: Debian's
/// mutool has no colour management, and says so when a PDF carries an ICC
/// profile (every PDF/A and PDF/X does).
const MUPDF_WITHOUT_ICC: &str = "warning: ICC support is not available";

/// Every warning or error qpdf's check, poppler, MuPDF and pdf.js give
/// while reading every page of `pdf` (text and drawing), one a line.
fn reader_complaints(pdf: &Path) -> String {
    let mut said = String::new();
    for (program, args) in [
        ("qpdf", vec!["--check", arg(pdf)]),
        ("pdfinfo", vec![arg(pdf)]),
        ("pdftotext", vec![arg(pdf), "/dev/null"]),
        ("pdftoppm", vec!["-r", "20", arg(pdf), "/dev/null"]),
        ("mutool", vec!["draw", "-q", "-o", "/dev/null", arg(pdf)]),
        (
            "mutool",
            vec!["draw", "-q", "-F", "stext", "-o", "/dev/null", arg(pdf)],
        ),
    ] {
        let out = common::run(program, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        for line in stderr.lines().filter(|l| *l != MUPDF_WITHOUT_ICC) {
            said += &format!("{program}: {line}\n");
        }
        if !out.status.success() {
            said += &format!("{program}: exit {}\n", out.status);
        }
    }
    said + &common::pdfjs_warnings(pdf)
}

/// The seed book in each preset opens without a word from any reader,
/// builds to the same bytes twice, has its preset's boxes on every page
/// and says the standard it meets and its title.
#[test]
fn the_seed_book_opens_without_a_warning_in_any_reader_and_builds_the_same_twice() {
    if !have_tools(&["qpdf", "pdfinfo", "pdftotext", "pdftoppm", "mutool"]) || !common::have_pdfjs()
    {
        return;
    }
    let kdp = Bleed {
        spine: 0.0,
        ..all(3.2)
    };
    for (preset, bleed, band, standard) in [
        (
            "office",
            all(0.0),
            0.0,
            Some("<pdfaid:part>2</pdfaid:part>"),
        ),
        ("kdp", kdp, 0.0, None),
        (
            "offset",
            all(3.0),
            2.0 + 5.0,
            Some("<pdfxid:GTS_PDFXVersion>PDF/X-4"),
        ),
    ] {
        let first = build(
            &common::seed_book(),
            &format!("seed-{preset}"),
            &["--pdf-preset", preset],
        );
        let again = build(
            &common::seed_book(),
            &format!("seed-{preset}-again"),
            &["--pdf-preset", preset],
        );
        let said = reader_complaints(&first);
        assert!(said.is_empty(), "{preset}:\n{said}");
        let pages = common::page_count(&first);
        assert_boxes_of(&first, pages, bleed, band, &format!("seed book, {preset}"));
        let xmp = common::run_ok("pdfinfo", &["-meta", arg(&first)]);
        for claim in [
            "<pdfaid:part>2</pdfaid:part>",
            "<pdfxid:GTS_PDFXVersion>PDF/X-4",
        ] {
            assert_eq!(
                xmp.contains(claim),
                standard == Some(claim),
                "{preset}: {xmp}"
            );
        }
        let info = common::run_ok("pdfinfo", &[arg(&first)]);
        assert!(
            info.contains("Title:           المغرب وكازاخستان"),
            "{preset}: {info}"
        );
        assert!(
            std::fs::read(&first).unwrap() == std::fs::read(&again).unwrap(),
            "{preset}: two builds differ"
        );
    }
}

#[test]
fn readers_do_complain_of_a_damaged_pdf() {
    // The check above means something only if the readers speak up: the
    // same PDF with its cross-reference offset wrong (poppler mends that
    // in silence), then cut short.
    if !have_tools(&["qpdf", "pdfinfo", "pdftotext", "pdftoppm", "mutool"]) || !common::have_pdfjs()
    {
        return;
    }
    let pdf = built(Some("office"));
    let mut bytes = std::fs::read(pdf).unwrap();
    let at = bytes
        .windows(9)
        .rposition(|w| w == b"startxref")
        .expect("startxref");
    bytes.truncate(at);
    bytes.extend_from_slice(b"startxref\n123\n%%EOF\n");
    let damaged = scratch().join("damaged.pdf");
    std::fs::write(&damaged, bytes).unwrap();
    let said = reader_complaints(&damaged);
    for reader in ["mutool", "Warning: Indexing all PDF objects"] {
        assert!(said.contains(reader), "{reader} said nothing:\n{said}");
    }
    let bytes = std::fs::read(pdf).unwrap();
    std::fs::write(&damaged, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let said = reader_complaints(&damaged);
    for reader in [
        "qpdf",
        "pdfinfo",
        "pdftotext",
        "pdftoppm",
        "mutool",
        "Error: ",
    ] {
        assert!(said.contains(reader), "{reader} said nothing:\n{said}");
    }
}

fn plates_book() -> PathBuf {
    common::repo().join("tests/books/plates")
}

/// The plates book's page that holds its full-bleed picture: after the
/// cover, title page, contents and the chapter's opening page.
const PLATE_PAGE: usize = 5;

/// The plate's blue (its stripes are yellow), in an RGB rendering.
fn is_plate_blue(p: &image::Rgb<u8>) -> bool {
    let [r, g, b] = p.0;
    b > 120 && r < 80 && g < 130
}

/// Share of the pixels in `area` (x0, y0, x1, y1 in pixels) for which
/// `select`.
fn share(image: &image::RgbImage, area: [f64; 4], select: impl Fn(&image::Rgb<u8>) -> bool) -> f64 {
    let (mut all, mut selected) = (0usize, 0usize);
    for y in area[1].max(0.0) as u32..(area[3] as u32).min(image.height()) {
        for x in area[0].max(0.0) as u32..(area[2] as u32).min(image.width()) {
            all += 1;
            selected += usize::from(select(image.get_pixel(x, y)));
        }
    }
    selected as f64 / all.max(1) as f64
}

/// Inked pixels in the band outside page `page`'s bleed, away from the
/// trim lines the crop marks stand on and from the slug under the page:
/// where nothing of the page itself may print.
fn ink_beside_the_bleed(pdf: &Path, page: usize) -> usize {
    let (bleed, trim) = pixel_boxes(pdf, page);
    // Pixels' slack round the marks and the bleed's edge (a pixel the edge
    // crosses is partly inked).
    let slack = 3.0;
    ink(pdf, page, |x, y| {
        let between_marks_x = x > trim[0] + slack && x < trim[2] - slack;
        let between_marks_y = y > trim[1] + slack && y < trim[3] - slack;
        let beside = x < bleed[0] - slack || x > bleed[2] + slack;
        (between_marks_x && y < bleed[1] - slack) || (between_marks_y && beside)
    })
}

#[test]
fn a_full_bleed_picture_fills_its_page_and_bleed_and_nothing_beyond() {
    if !have_tools(&["pdfinfo", "pdftoppm", "pdftotext"]) {
        return;
    }
    for preset in ["office", "kdp", "offset"] {
        let pdf = build(
            &plates_book(),
            &format!("plates-{preset}"),
            &["--pdf-preset", preset],
        );
        let (bleed, trim) = pixel_boxes(&pdf, PLATE_PAGE);
        let image = common::render_rgb(&pdf, PLATE_PAGE, DPI);
        // The trimmed page and each edge of its bleed, mostly blue (the
        // rest is the yellow stripes).
        let edges = [
            ("page", trim),
            ("left bleed", [bleed[0], trim[1], trim[0], trim[3]]),
            ("right bleed", [trim[2], trim[1], bleed[2], trim[3]]),
            ("top bleed", [trim[0], bleed[1], trim[2], trim[1]]),
            ("bottom bleed", [trim[0], trim[3], trim[2], bleed[3]]),
        ];
        for (what, area) in edges {
            if area[2] - area[0] < 1.0 || area[3] - area[1] < 1.0 {
                continue; // an edge without bleed
            }
            let blue = share(&image, area, is_plate_blue);
            assert!(blue > 0.7, "{preset}: the {what} is {blue:.2} plate blue");
        }
        // No folio, no running head: no words on the page but the slug's.
        let [media, bleed_pt, _] = boxes(&pdf)[PLATE_PAGE - 1];
        let bleed_bottom = media[3] - bleed_pt[1];
        let words: Vec<String> = common::page_words(&pdf, PLATE_PAGE)
            .into_iter()
            .filter(|w| f64::from(w.y_min) < bleed_bottom)
            .map(|w| w.text)
            .collect();
        assert!(words.is_empty(), "{preset}: words on the plate {words:?}");
        // The text before it ends the page before; the text after opens
        // the page after.
        // pdftotext -bbox gives each Arabic word's letters left to right.
        let has = |page, word: &str| {
            let seen: String = word.chars().rev().collect();
            common::page_words(&pdf, page)
                .iter()
                .any(|w| w.text == seen)
        };
        assert!(has(PLATE_PAGE - 1, "تفتح"), "{preset}");
        assert!(has(PLATE_PAGE + 1, "النص"), "{preset}");
        // Counted: the page after prints the folio after the plate's.
        let folio = |page: usize| -> u32 {
            let words = common::page_words(&pdf, page);
            let lowest = words
                .iter()
                .filter(|w| f64::from(w.y_min) < bleed_bottom)
                .max_by(|a, b| a.y_min.total_cmp(&b.y_min))
                .expect("a folio");
            lowest.text.parse().expect("a folio in digits")
        };
        assert_eq!(folio(PLATE_PAGE + 1), folio(PLATE_PAGE - 1) + 2, "{preset}");
    }
    // With crop marks, the plate stops at its bleed: the marks' band keeps
    // nothing of it.
    let pdf = build(&plates_book(), "plates-marks", &["--pdf-preset", "offset"]);
    assert_eq!(ink_beside_the_bleed(&pdf, PLATE_PAGE), 0);
}

#[test]
fn a_cover_of_another_shape_stops_at_its_bleed() {
    if !have_tools(&["pdfinfo", "pdftoppm"]) {
        return;
    }
    // Twice as wide as high: covering the page and its bleed, most of it
    // overflows to the sides, where the marks are.
    let copy = tempfile::tempdir().unwrap();
    let folder = copy.path().join("presets");
    copy_with_pdf(&folder, "preset = \"offset\"");
    let wide = image::RgbImage::from_pixel(1600, 800, image::Rgb([200, 30, 30]));
    std::fs::write(
        folder.join("wide.png"),
        common::encode(&wide, image::ImageFormat::Png),
    )
    .unwrap();
    let toml = std::fs::read_to_string(folder.join("book.toml")).unwrap();
    let toml = toml.replacen("[book]\n", "[book]\ncover = \"wide.png\"\n", 1);
    std::fs::write(folder.join("book.toml"), toml).unwrap();
    let pdf = build(&folder, "wide-cover", &[]);
    assert_eq!(ink_beside_the_bleed(&pdf, 1), 0);
}

#[test]
fn crop_marks_print_in_registration_colour_on_every_plate() {
    if !have_tools(&["mutool"]) {
        return;
    }
    // `offset` writes PDF/X-4: the marks in all four inks, everything else
    // but the cover in black ink alone.
    let fills = common::fills(built(Some("offset")));
    let registration = fills
        .iter()
        .filter(|(space, colour)| space == "DeviceCMYK" && colour == "1 1 1 1")
        .count();
    assert_eq!(registration, 8 * PAGES, "{fills:?}");
    // The cover is in colour: in inks.
    let cover = common::fills_of(built(Some("offset")), "1");
    assert!(
        !cover.is_empty() && cover.iter().all(|(space, _)| space == "DeviceCMYK"),
        "{cover:?}"
    );
    let inside = common::fills_of(built(Some("offset")), "2-N");
    let mut text = 0;
    for (space, colour) in inside.iter().filter(|(_, colour)| colour != "1 1 1 1") {
        assert_eq!(space, "DeviceCMYK", "{colour}");
        assert!(colour.starts_with("0 0 0 "), "not K only: {colour}");
        text += 1;
    }
    assert!(
        text > 0,
        "no fill but the marks' inside the book: {inside:?}"
    );
    // A PDF/A names no inks (its output intent is RGB): black marks.
    let pdf_a = build(
        &book(),
        "offset-pdf-a",
        &["--pdf-preset", "offset", "--pdf-standard", "pdf/a-2u"],
    );
    let fills = common::fills(&pdf_a);
    assert!(
        !fills.is_empty() && fills.iter().all(|(space, _)| space != "DeviceCMYK"),
        "{fills:?}"
    );
}

#[test]
fn a_title_too_long_for_the_slug_is_warned_about() {
    let copy = tempfile::tempdir().unwrap();
    let folder = copy.path().join("presets");
    copy_with_pdf(&folder, "preset = \"offset\"");
    let toml = std::fs::read_to_string(folder.join("book.toml")).unwrap();
    let long = "تقرير مفصل عن الشراكة ".repeat(12);
    let toml = toml.replacen(
        "title = \"دليل المطبعة Print Presets\"",
        &format!("title = \"{long}\""),
        1,
    );
    std::fs::write(folder.join("book.toml"), toml).unwrap();
    let run = |book: &Path, out: &str| {
        let args = ["--format", "pdf", "--pdf-preset", "offset"];
        common::build_formats(book, out, &args).stderr
    };
    const CUT: &str = "too long for the slug line";
    let stderr = run(&folder, "slug-long");
    assert_eq!(stderr.matches(CUT).count(), 1, "{stderr}");
    let copy = tempfile::tempdir().unwrap();
    let short = copy.path().join("presets");
    copy_with_pdf(&short, "preset = \"offset\"");
    let stderr = run(&short, "slug-short");
    assert!(!stderr.contains(CUT), "{stderr}");
}
