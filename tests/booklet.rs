//! Booklets (`warraq build --booklet`, `[pdf] booklet`, `[booklet]`): the
//! page order on every half of every sheet side, read back with `pdftotext
//! -bbox` and checked against the order a folded stack of sheets is read in,
//! worked out here from the folding (not from warraq's formula); the
//! placement (fold, creep, reduction, turned backs); and whole builds.

use crate::common;

use std::path::{Path, PathBuf};

use common::{Word, arg, have_tools, run_ok, scratch, warraq};
use warraq::doc::{BookletSetup, Direction, Flip, Paper};
use warraq::layout::Skeleton;

const MM: f32 = 72.0 / 25.4;
const A5: (f32, f32) = (148.0, 210.0);

/// Where a page lies on the sheets: the sheet (from the outermost), its
/// side and half, as the side is seen printed upright.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Place {
    sheet: usize,
    front: bool,
    left: bool,
}

/// The halves of a folded stack of `sheets` sheets in the order a reader
/// meets them, for a book whose spine is on the left (`ltr`) or the right.
///
/// Opened at the cover, a left-to-right booklet shows the outermost sheet's
/// front right half; turning leaves, the reader goes down through the
/// stack: each sheet's back left half, then the next sheet's front right
/// half, to the centre spread (the innermost sheet's back, left then right),
/// and back up through the stack on the other side of the fold: each
/// sheet's front left half, then the back right half of the sheet outside
/// it. A right-to-left booklet is its mirror.
fn reading_order(sheets: usize, ltr: bool) -> Vec<Place> {
    let place = |sheet, front, left: bool| Place {
        sheet,
        front,
        left: left == ltr,
    };
    let mut order = Vec::new();
    for sheet in 0..sheets {
        order.push(place(sheet, true, false));
        order.push(place(sheet, false, true));
    }
    for sheet in (0..sheets).rev() {
        order.push(place(sheet, false, false));
        order.push(place(sheet, true, true));
    }
    order
}

/// A PDF of `count` pages of `size` (mm), each showing only its number as
/// `P<n>` (from 1), in Helvetica: a print PDF made without warraq.
fn marker_pdf(count: usize, size: (f32, f32)) -> Vec<u8> {
    let (width, height) = (size.0 * MM, size.1 * MM);
    let mut objects: Vec<String> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {count} >>",
            (0..count)
                .map(|i| format!("{} 0 R", 4 + 2 * i))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into(),
    ];
    for i in 0..count {
        let content = format!(
            "BT /F1 24 Tf {:.2} {:.2} Td (P{}) Tj ET",
            width / 2.0 - 15.0,
            height / 2.0,
            i + 1
        );
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:.3} {height:.3}] \
             /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ));
    }
    let mut pdf = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n{object}\nendobj\n", i + 1).bytes());
    }
    let xref = pdf.len();
    pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for offset in offsets {
        pdf.extend(format!("{offset:010} 00000 n \n").bytes());
    }
    pdf.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    pdf
}

/// The booklet of the `count` A5 pages of [`marker_pdf`], written to `name`.
fn impose_markers(count: usize, direction: Direction, setup: &BookletSetup, name: &str) -> PathBuf {
    impose_sized(count, A5, direction, setup, name)
}

/// [`impose_markers`] with pages of `size` (mm).
fn impose_sized(
    count: usize,
    size: (f32, f32),
    direction: Direction,
    setup: &BookletSetup,
    name: &str,
) -> PathBuf {
    let mut document = common::epub::arabic_document();
    document.metadata.direction = direction;
    let mut pages = Skeleton {
        width: size.0 * MM,
        height: size.1 * MM,
        pages: vec![Default::default(); count],
        ..Skeleton::default()
    };
    pages.sheet.direction = direction;
    let imposition = warraq::impose::impose(&pages, setup);
    let bytes =
        warraq::pdf::booklet::write(&document, &pages, &imposition, marker_pdf(count, size))
            .expect("a booklet");
    let path = scratch().join(format!("{name}.pdf"));
    std::fs::write(&path, bytes).unwrap();
    path
}

/// The markers of a booklet: each `P<n>` word with the side it is on
/// (1-based PDF page) and its box.
fn markers(pdf: &Path) -> Vec<(usize, Word)> {
    common::words(pdf)
        .into_iter()
        .filter_map(|word| {
            let n = word.text.strip_prefix('P')?.parse().ok()?;
            Some((n, word))
        })
        .collect()
}

/// Sheet width and height of `pdf`'s page 1, from `pdfinfo`.
fn sheet_size(pdf: &Path) -> (f32, f32) {
    let info = run_ok("pdfinfo", &[arg(pdf)]);
    let size = info
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .expect("a page size");
    let numbers: Vec<f32> = size
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    (numbers[0], numbers[1])
}

/// Checks that the booklet `pdf` of a `count`-page book in `signatures`
/// of the given sizes (sheets) puts page n where a reader of the folded
/// signatures meets it, blanks after the last page.
fn assert_order(pdf: &Path, count: usize, signatures: &[usize], ltr: bool, turned_backs: bool) {
    let (width, height) = sheet_size(pdf);
    let found = markers(pdf);
    let sides: usize = signatures.iter().sum::<usize>() * 2;
    assert_eq!(common::page_count(pdf), sides, "{}", pdf.display());
    let mut expected = Vec::new();
    let mut first_sheet = 0;
    for &sheets in signatures {
        for place in reading_order(sheets, ltr) {
            expected.push(Place {
                sheet: first_sheet + place.sheet,
                ..place
            });
        }
        first_sheet += sheets;
    }
    let padded = expected.len();
    assert_eq!(padded, count.div_ceil(4).max(1) * 4);
    for (n, place) in expected.iter().enumerate() {
        let side = place.sheet * 2 + if place.front { 1 } else { 2 };
        let on_side: Vec<&(usize, Word)> = found.iter().filter(|(_, w)| w.page == side).collect();
        // A turned side's upright left half is the sheet's right half.
        let turned = turned_backs && !place.front;
        let want_left = place.left != turned;
        let here: Vec<usize> = on_side
            .iter()
            .filter(|(_, w)| ((w.x_min + w.x_max) / 2.0 < width / 2.0) == want_left)
            .map(|(m, _)| *m)
            .collect();
        // Each marker stands on its page's middle line: above the sheet's
        // middle upright, below it on a side printed upside down.
        for (m, w) in &on_side {
            assert_eq!(
                (w.y_min + w.y_max) / 2.0 > height / 2.0,
                turned,
                "page {m} on side {side} is upside down: {turned}"
            );
        }
        if n < count {
            assert_eq!(
                here,
                [n + 1],
                "page {} of {count} ({}): {place:?}",
                n + 1,
                if ltr { "ltr" } else { "rtl" }
            );
        } else {
            assert!(
                here.is_empty(),
                "blank {} of {count}: found {here:?}",
                n + 1
            );
        }
    }
    assert_eq!(found.len(), count, "every page once");
}

#[test]
fn every_page_falls_where_the_folded_booklet_is_read() {
    if !have_tools(&["pdftotext", "pdfinfo"]) {
        return;
    }
    for count in [1, 2, 3, 4, 5, 8, 13, 16] {
        for (direction, ltr) in [(Direction::Ltr, true), (Direction::Rtl, false)] {
            let name = format!("booklet-{count}-{ltr}");
            let pdf = impose_markers(count, direction, &BookletSetup::default(), &name);
            let sheets = count.div_ceil(4).max(1);
            assert_order(&pdf, count, &[sheets], ltr, false);
            assert_eq!(sheet_size(&pdf), (841.89, 595.276), "A4 landscape");
        }
    }
}

#[test]
fn signatures_are_folded_apart_and_gathered_in_order() {
    if !have_tools(&["pdftotext", "pdfinfo"]) {
        return;
    }
    let setup = BookletSetup {
        signature: Some(2),
        ..BookletSetup::default()
    };
    for (direction, ltr) in [(Direction::Ltr, true), (Direction::Rtl, false)] {
        // 20 pages: two signatures of two sheets, then one of one.
        let pdf = impose_markers(20, direction, &setup, &format!("booklet-signatures-{ltr}"));
        assert_order(&pdf, 20, &[2, 2, 1], ltr, false);
    }
}

#[test]
fn a_long_edge_printer_gets_the_backs_upside_down() {
    if !have_tools(&["pdftotext", "pdfinfo"]) {
        return;
    }
    let setup = BookletSetup {
        flip: Flip::LongEdge,
        ..BookletSetup::default()
    };
    let pdf = impose_markers(8, Direction::Rtl, &setup, "booklet-long-edge");
    assert_order(&pdf, 8, &[2], false, true);
}

#[test]
fn pages_sit_at_the_fold_and_inner_sheets_creep_toward_it() {
    if !have_tools(&["pdftotext", "pdfinfo"]) {
        return;
    }
    let creep = 0.5;
    let setup = BookletSetup {
        creep_mm: creep,
        ..BookletSetup::default()
    };
    let pdf = impose_markers(12, Direction::Ltr, &setup, "booklet-creep");
    let found = markers(&pdf);
    let x = |n: usize| {
        let (_, word) = found.iter().find(|(m, _)| *m == n).expect("a marker");
        word.x_min
    };
    // The marker stands 15 pt left of its page's middle.
    let fold = 841.89 / 2.0;
    let page = A5.0 * MM;
    assert!((x(1) - (fold + page / 2.0 - 15.0)).abs() < 1.0, "{}", x(1));
    assert!(
        (x(12) - (fold - page / 2.0 - 15.0)).abs() < 1.0,
        "{}",
        x(12)
    );
    // Pages 1 and 12 are on the outer sheet, 3 and 10 on the second, 5 and
    // 8 on the third: each moves `creep` further toward the fold.
    for (sheet, right, left) in [(1, 3, 10), (2, 5, 8)] {
        let shift = sheet as f32 * creep * MM;
        assert!((x(1) - x(right) - shift).abs() < 0.2, "page {right}");
        assert!((x(left) - x(12) - shift).abs() < 0.2, "page {left}");
    }
}

#[test]
fn a_page_wider_than_half_the_sheet_is_reduced_to_fit() {
    if !have_tools(&["pdftotext", "pdfinfo"]) {
        return;
    }
    let setup = BookletSetup {
        paper: Paper::Letter,
        ..BookletSetup::default()
    };
    let letter = impose_markers(4, Direction::Rtl, &setup, "booklet-letter");
    assert_eq!(sheet_size(&letter), (792.0, 612.0), "US Letter landscape");
    let a4 = impose_markers(4, Direction::Rtl, &BookletSetup::default(), "booklet-a4");
    let first = |pdf: &Path| {
        markers(pdf)
            .into_iter()
            .find(|(n, _)| *n == 1)
            .map(|(_, word)| word)
            .expect("page 1")
    };
    let (reduced, full) = (first(&letter), first(&a4));
    // Half a Letter sheet is 5.5 in wide: the A5 page is reduced to that,
    // and its 24 pt marker with it.
    let scale = 5.5 * 72.0 / (A5.0 * MM);
    let height = |word: &Word| word.y_max - word.y_min;
    assert!(
        (height(&reduced) / height(&full) - scale).abs() < 0.02,
        "{} / {} against {scale}",
        height(&reduced),
        height(&full)
    );
    // Right to left, page 1 is on the left, its right edge on the fold:
    // the marker's left edge, 15 pt left of the page's middle at full size.
    let expected = 396.0 - A5.0 * MM * scale / 2.0 - 15.0 * scale;
    assert!(
        (reduced.x_min - expected).abs() < 1.0,
        "{} against {expected}",
        reduced.x_min
    );
}

/// Dark pixels of side `page` of `pdf` at 300 dpi inside the box (in
/// points, origin top left).
fn ink(pdf: &Path, page: usize, (x0, y0, x1, y1): (f32, f32, f32, f32)) -> usize {
    const DPI: f32 = 300.0;
    let image = common::render_gray(pdf, page, DPI);
    let px = DPI / 72.0;
    image
        .enumerate_pixels()
        .filter(|(x, y, p)| {
            let (x, y) = ((*x as f32 + 0.5) / px, (*y as f32 + 0.5) / px);
            p.0[0] < 160 && x >= x0 && x <= x1 && y >= y0 && y <= y1
        })
        .count()
}

#[test]
fn marks_show_the_fold_and_the_trim_only_when_asked_and_where_there_is_room() {
    if !have_tools(&["pdftoppm"]) {
        return;
    }
    let with = |marks: bool| BookletSetup {
        marks,
        ..BookletSetup::default()
    };
    // A6 pages on A4: room all round them.
    const A6: (f32, f32) = (105.0, 148.0);
    let marked = impose_sized(4, A6, Direction::Ltr, &with(true), "booklet-marks");
    let plain = impose_sized(4, A6, Direction::Ltr, &with(false), "booklet-no-marks");
    let (width, height) = (841.89, 595.276);
    let fold = width / 2.0;
    let (top, bottom) = ((height - A6.1 * MM) / 2.0, (height + A6.1 * MM) / 2.0);
    let outer = fold + A6.0 * MM;
    // 1 mm from the page, 5 mm long.
    let fold_top = (fold - 1.0, top - 6.0 * MM, fold + 1.0, top - 1.0 * MM);
    let fold_bottom = (fold - 1.0, bottom + 1.0 * MM, fold + 1.0, bottom + 6.0 * MM);
    let trim_across = (outer + 1.0 * MM, top - 0.5, outer + 6.0 * MM, top + 0.5);
    let trim_along = (outer - 0.5, top - 6.0 * MM, outer + 0.5, top - 1.0 * MM);
    for area in [fold_top, fold_bottom, trim_across, trim_along] {
        assert!(ink(&marked, 1, area) > 0, "{area:?}");
        assert_eq!(ink(&plain, 1, area), 0, "{area:?}");
    }
    // Nothing of them on the pages, nor on the sheet's edge.
    let pages = (fold - A6.0 * MM + 1.0, top + 1.0, outer - 1.0, bottom - 1.0);
    assert_eq!(ink(&marked, 1, pages), ink(&plain, 1, pages));
    for edge in [(0.0, 0.0, width, 2.0), (0.0, 0.0, 2.0, height)] {
        assert_eq!(ink(&marked, 1, edge), 0, "{edge:?}");
    }
    // Fold marks on the front only; trim marks on both sides.
    assert_eq!(ink(&marked, 2, fold_top), 0);
    assert!(ink(&marked, 2, trim_along) > 0);
}

/// The pages of the print PDF `print` (1-based, in order) and the halves
/// of the booklet `booklet` they should be on: the text of each half,
/// cropped out of the booklet, against the text of the page it holds.
fn assert_pages_copied(print: &Path, booklet: &Path, ltr: bool) {
    let count = common::page_count(print);
    let sheets = count.div_ceil(4);
    let (width, height) = sheet_size(booklet);
    let text = |pdf: &Path, page: usize, crop: Option<f32>| {
        let page = page.to_string();
        let mut args = vec!["-enc", "UTF-8", "-f", &page, "-l", &page];
        // pdftotext crops to whole points.
        let (x, w, h) = crop.map_or((String::new(), String::new(), String::new()), |x| {
            (
                (x.round() as u32).to_string(),
                ((width / 2.0).floor() as u32).to_string(),
                (height.ceil() as u32).to_string(),
            )
        });
        if crop.is_some() {
            args.extend(["-x", &x, "-y", "0", "-W", &w, "-H", &h]);
        }
        args.extend([arg(pdf), "-"]);
        common::squash(&run_ok("pdftotext", &args))
    };
    for (n, place) in reading_order(sheets, ltr).into_iter().enumerate() {
        let side = place.sheet * 2 + if place.front { 1 } else { 2 };
        let x = if place.left { 0.0 } else { width / 2.0 };
        let found = text(booklet, side, Some(x));
        let expected = if n < count {
            text(print, n + 1, None)
        } else {
            String::new()
        };
        assert_eq!(found, expected, "page {} on side {side}", n + 1);
    }
}

#[test]
fn the_seed_book_folds_into_a_booklet_of_its_own_pages() {
    if !have_tools(&["pdftotext", "pdfinfo", "qpdf"]) {
        return;
    }
    let built = common::run_build(
        &common::seed_book(),
        "booklet-seed",
        &["--format", "pdf", "--booklet", "-v"],
    );
    let booklet = built.out_dir.join("book-booklet.pdf");
    assert!(
        built.stderr.contains(
            "booklet: 4 sheets of A4, pages at 100%; print on both sides, flipped on the short edge"
        ),
        "{}",
        built.stderr
    );
    assert_eq!(common::page_count(&built.pdf), 13);
    assert_eq!(sheet_size(&booklet), (841.89, 595.276));
    // Right to left: the cover is on the left of the first side.
    assert_pages_copied(&built.pdf, &booklet, false);
    run_ok("qpdf", &["--check", arg(&booklet)]);
    // pdf.js reads it without a word and copies its text as the PDF's.
    if common::have_pdfjs() {
        assert_eq!(common::pdfjs_warnings(&booklet), "");
        let squashed = |pdf: &Path| common::squash(&common::pdfjs_text(pdf));
        let (print, imposed) = (squashed(&built.pdf), squashed(&booklet));
        for sentence in ["العلاقاتالمغربية", "رؤيةمشتركةللسلاموالأمن", "الحوارالحضاري"]
        {
            assert_eq!(
                print.matches(sentence).count(),
                imposed.matches(sentence).count(),
                "{sentence}"
            );
            assert!(print.contains(sentence), "{sentence}");
        }
    }
    // Each page once, as a form XObject, its fonts once: the booklet is
    // smaller than the PDF it imposes.
    let size = |path: &Path| std::fs::metadata(path).unwrap().len();
    assert!(size(&booklet) < size(&built.pdf));
    // The same sources, the same bytes.
    let again = common::run_build(
        &common::seed_book(),
        "booklet-seed-again",
        &["--format", "pdf", "--booklet"],
    );
    assert_eq!(
        std::fs::read(&booklet).unwrap(),
        std::fs::read(again.out_dir.join("book-booklet.pdf")).unwrap()
    );
}

/// A one-chapter book in the scratch folder `name` with `book_toml`.
fn small_book(name: &str, book_toml: &str) -> PathBuf {
    let dir = scratch().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("book.toml"), book_toml).unwrap();
    std::fs::write(
        dir.join("01.md"),
        "# Briefing\n\nThe mission opens on Monday.\n",
    )
    .unwrap();
    dir
}

#[test]
fn book_toml_asks_for_a_booklet_and_says_how() {
    if !have_tools(&["pdfinfo", "pdftotext"]) {
        return;
    }
    let book = small_book(
        "booklet-toml",
        "[book]\ntitle = \"Briefing\"\nlanguage = \"en\"\n\n[pdf]\nbooklet = true\n\n\
         [booklet]\npaper = \"letter\"\nflip = \"long-edge\"\nsignature = 4\ncreep_mm = 0.2\nmarks = true\n",
    );
    let built = build_reporting(
        &book,
        "pages reduced to 94%; print on both sides, flipped on the long edge",
    );
    let booklet = built.out_dir.join("booklet-toml-booklet.pdf");
    assert_eq!(sheet_size(&booklet), (792.0, 612.0));
}

/// `book`'s PDF and booklet built with `-v` into its folder `out`,
/// asserting that the build warns of nothing and its report says `report`.
fn build_reporting(book: &Path, report: &str) -> common::Built {
    let built = common::run_build(book, "out", &["--format", "pdf", "-v"]);
    assert!(built.stderr.contains(report), "{}", built.stderr);
    assert!(
        common::warnings(&built.stderr).is_empty(),
        "{}",
        built.stderr
    );
    built
}

#[test]
fn booklet_settings_are_checked() {
    let run = |name: &str, toml: &str, args: &[&str]| {
        let book = small_book(name, toml);
        let out = warraq()
            .arg("build")
            .arg(&book)
            .args(["-o", arg(&book.join("out"))])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            book.join("out"),
        )
    };
    // Settings without a booklet: said, with the line.
    let (code, stderr, out) = run("booklet-unused", "[booklet]\nflip = \"long-edge\"\n", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("book.toml:1") && stderr.contains("unused-setting"),
        "{stderr}"
    );
    assert!(!out.join("booklet-unused-booklet.pdf").exists());
    // Used when the command line asks for the booklet.
    let (code, stderr, out) = run(
        "booklet-asked",
        "[booklet]\nflip = \"long-edge\"\n",
        &["--booklet"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(common::warnings(&stderr).is_empty(), "{stderr}");
    assert!(out.join("booklet-asked-booklet.pdf").is_file());
    // Marks where the pages fill the sheet (A5 on A4): none, and said.
    let (code, stderr, _) = run(
        "booklet-no-room",
        "[pdf]\nbooklet = true\n[booklet]\nmarks = true\n",
        &[],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("no room for fold or trim marks"),
        "{stderr}"
    );
    // Values out of range: refused at their line, nothing written.
    for (toml, wrong) in [
        (
            "[pdf]\nbooklet = true\n[booklet]\nsignature = 0\n",
            "book.toml:4",
        ),
        ("[booklet]\ncreep_mm = 5\n", "book.toml:2"),
        ("[booklet]\npaper = \"a3\"\n", "book.toml:2"),
        ("[booklet]\nflip = \"sideways\"\n", "book.toml:2"),
    ] {
        let (code, stderr, out) = run("booklet-invalid", toml, &[]);
        assert_eq!(code, Some(1), "{toml}: {stderr}");
        assert!(
            stderr.contains(wrong) && stderr.contains("invalid-value"),
            "{toml}: {stderr}"
        );
        assert!(!out.exists(), "{toml}");
    }
    // No PDF, no booklet: said.
    let (code, stderr, out) = run("booklet-epub", "", &["--booklet", "--format", "epub"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("no booklet is made"), "{stderr}");
    assert!(out.join("booklet-epub.epub").exists());
    assert!(!out.join("booklet-epub-booklet.pdf").exists());
}

/// `tests/books/briefing`: the `briefing` preset.
fn briefing_book() -> PathBuf {
    common::repo().join("tests/books/briefing")
}

#[test]
fn a_briefing_has_its_issuer_date_and_classification_on_the_cover_and_a_booklet() {
    if !have_tools(&["pdftotext", "pdfinfo"]) {
        return;
    }
    let built = common::run_build(&briefing_book(), "briefing", &["--format", "pdf", "-v"]);
    let cover = common::squash(&common::pdftotext(&built.pdf, Some((1, 1)), false));
    // The classification first, then the title, the authors, the issuer
    // and the date as Morocco writes it (`ar-MA`): the build's date, which
    // `SOURCE_DATE_EPOCH` (2025-11-30) gives over `[book] date`.
    let expected = [
        "للاستعمالالداخلي",
        "المغربوكازاخستان",
        "حسنعماري",
        "سفارةالمملكةالمغربيةفيأستانا",
        "30نونبر2025",
    ];
    let mut from = 0;
    for line in expected {
        let at = cover[from..]
            .find(line)
            .unwrap_or_else(|| panic!("{line} after byte {from} of the cover: {cover}"));
        from += at + line.len();
    }
    // A booklet by default: 7 pages, 2 sheets.
    let booklet = built.out_dir.join("briefing-booklet.pdf");
    assert!(
        built.stderr.contains("booklet: 2 sheets of A4"),
        "{}",
        built.stderr
    );
    assert_pages_copied(&built.pdf, &booklet, false);
    // Trim = paper, PDF/A-2u, as the office preset.
    let info = run_ok("pdfinfo", &["-box", arg(&built.pdf)]);
    assert!(
        info.contains("MediaBox:            0.00     0.00   419.53   595.28"),
        "{info}"
    );
    assert!(
        run_ok("pdfinfo", &["-meta", arg(&built.pdf)]).contains("<pdfaid:part>2</pdfaid:part>")
    );
}

/// The left and right edges of the text on page `page` of `pdf` (the
/// widest line of a body page spans the measure).
fn text_edges(pdf: &Path, page: usize) -> (f32, f32) {
    let words = common::page_words(pdf, page);
    let left = words.iter().map(|w| w.x_min).fold(f32::MAX, f32::min);
    let right = words.iter().map(|w| w.x_max).fold(f32::MIN, f32::max);
    (left, right)
}

#[test]
fn the_briefing_preset_sets_compact_margins_unless_book_toml_gives_them() {
    if !have_tools(&["pdftotext", "pdfinfo"]) {
        return;
    }
    let seed = common::seed_book();
    let office = common::run_build(
        &seed,
        "seed-office",
        &["--format", "pdf", "--pdf-preset", "office"],
    );
    let briefing = common::run_build(
        &seed,
        "seed-briefing",
        &["--format", "pdf", "--pdf-preset", "briefing"],
    );
    // The seed book's first chapter page (5) is a recto: in a right-to-left
    // book the spine is on its right. Office: inner 18 mm, outer 15 mm;
    // briefing: inner 14 mm, outer 12 mm.
    let (left, right) = text_edges(&briefing.pdf, 5);
    let width = A5.0 * MM;
    assert!((left - 12.0 * MM).abs() < 1.0, "outer margin {}", left / MM);
    assert!(
        (width - right - 14.0 * MM).abs() < 1.0,
        "inner margin {}",
        (width - right) / MM
    );
    let (left, right) = text_edges(&office.pdf, 5);
    assert!(
        (left - 15.0 * MM).abs() < 1.0,
        "office outer margin {}",
        left / MM
    );
    assert!((width - right - 18.0 * MM).abs() < 1.0);
    assert!(briefing.out_dir.join("book-booklet.pdf").is_file());
    assert!(!office.out_dir.join("book-booklet.pdf").exists());
    // Margins and `booklet` given in book.toml win over the preset's.
    let book = small_book(
        "briefing-own-margins",
        "[book]\nlanguage = \"en\"\n\n[pdf]\npreset = \"briefing\"\nmargin_outer_mm = 20\nbooklet = false\n",
    );
    let built = common::run_build(&book, "out", &["--format", "pdf"]);
    // A left-to-right book's chapter page 3 is a recto: outer edge right.
    let (_, right) = text_edges(&built.pdf, 3);
    assert!(right <= width - 20.0 * MM + 0.5, "{}", (width - right) / MM);
    assert!(
        !built
            .out_dir
            .join("briefing-own-margins-booklet.pdf")
            .exists()
    );
}

/// A book in the scratch folder `name` with `book_toml` and `chapters`
/// chapters of a line each: a page each.
fn book_of_chapters(name: &str, book_toml: &str, chapters: usize) -> PathBuf {
    let dir = small_book(name, book_toml);
    for n in 2..=chapters {
        std::fs::write(
            dir.join(format!("{n:02}.md")),
            format!("# Day {n}\n\nMeetings.\n"),
        )
        .unwrap();
    }
    dir
}

#[test]
fn creep_past_the_inner_margin_is_limited_and_signatures_are_explained() {
    // 40 chapters and the front matter: 11 sheets. 2 mm a sheet would move
    // the innermost pages 20 mm, past the 18 mm inner margin.
    let toml = "[book]\nlanguage = \"en\"\n[pdf]\nbooklet = true\n[booklet]\ncreep_mm = 2\n";
    let book = book_of_chapters("booklet-creep-limit", toml, 40);
    let built = common::run_build(&book, "out", &["--format", "pdf", "-v"]);
    assert!(
        built
            .stderr
            .contains("would move the innermost of 11 sheets 20.0 mm toward the fold")
            && built.stderr.contains("the booklet creeps 1.80 mm a sheet"),
        "{}",
        built.stderr
    );
    assert!(
        built
            .stderr
            .contains("then fold the stack and staple it on the fold"),
        "{}",
        built.stderr
    );
    let toml = "[book]\nlanguage = \"en\"\n[pdf]\nbooklet = true\n[booklet]\nsignature = 4\n";
    let book = book_of_chapters("booklet-signatures", toml, 40);
    build_reporting(
        &book,
        "booklet: 11 sheets of A4, pages at 100%; print on both sides, flipped on the short \
         edge, then fold each group of 4 sheets on its own and gather the groups in order",
    );
}

#[test]
fn a_briefing_without_a_date_prints_none_and_another_preset_brings_back_the_margins() {
    if !have_tools(&["pdftotext"]) {
        return;
    }
    let book = small_book(
        "briefing-undated",
        "[book]\ntitle = \"Brief\"\nlanguage = \"en\"\nissuer = \"The Embassy\"\n[pdf]\npreset = \"briefing\"\n",
    );
    let out = book.join("out");
    let status = warraq()
        .env_remove("SOURCE_DATE_EPOCH")
        .arg("build")
        .arg(&book)
        .args(["--format", "pdf", "-o", arg(&out)])
        .status()
        .unwrap();
    assert!(status.success());
    let cover = common::pdftotext(&out.join("briefing-undated.pdf"), Some((1, 1)), false);
    assert!(cover.contains("The Embassy"), "{cover}");
    assert!(!cover.contains("1970"), "{cover}");
    // `--pdf-preset office` over book.toml's briefing: the usual margins.
    let office = common::run_build(
        &book,
        "office",
        &["--format", "pdf", "--pdf-preset", "office"],
    );
    // The chapter's page (3) is a recto: its outer edge on the right.
    let (_, right) = text_edges(&office.pdf, 3);
    let width = A5.0 * MM;
    assert!(
        (width - right) > 15.0 * MM - 0.5,
        "{}",
        (width - right) / MM
    );
    assert!(!office.out_dir.join("briefing-undated-booklet.pdf").exists());
}

#[test]
fn a_long_classification_is_set_smaller_above_the_title() {
    if !have_tools(&["pdftotext"]) {
        return;
    }
    let book = small_book(
        "briefing-long-classification",
        "[book]\ntitle = \"المغرب وكازاخستان\"\nlanguage = \"ar\"\n\
         classification = \"سري — للاستعمال الداخلي فقط — لا يجوز نسخه أو توزيعه خارج المصلحة دون إذن كتابي مسبق\"\n\
         [pdf]\npreset = \"briefing\"\n",
    );
    let built = common::run_build(&book, "out", &["--format", "pdf"]);
    assert!(
        common::warnings(&built.stderr).is_empty(),
        "{}",
        built.stderr
    );
    let words = common::page_words(&built.pdf, 1);
    // pdftotext -bbox gives each Arabic word's letters left to right.
    let find = |word: &str| {
        let seen: String = word.chars().rev().collect();
        words
            .iter()
            .find(|w| w.text == seen)
            .unwrap_or_else(|| panic!("{word} on the cover: {words:?}"))
            .clone()
    };
    let (last, title) = (find("مسبق"), find("وكازاخستان"));
    // Below the classification's last line: its panel's padding, the gap
    // and the title panel's padding.
    assert!(last.y_max + 20.0 < title.y_min, "{last:?} {title:?}");
}
