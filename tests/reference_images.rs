//! Chosen pages of the test books, rendered with `pdftoppm` and compared
//! with the committed references in `tests/ref/` (tolerance: see
//! `common::refs::TOLERANCE`). Pages are chosen by what they hold (the page
//! where a chapter starts, the page with a given note), not by number, so
//! that a layout change moves the choice with it.
//!
//! `WARRAQ_UPDATE_REFS=1 cargo test --release --test suite --
//! reference_images::` rewrites the references.

use crate::common;

use std::path::{Path, PathBuf};

use common::Typeset;
use common::refs::{self, TOLERANCE};
use image::GrayImage;

/// A reference's name and how to find its page (0-based) in a book.
type Choice<'a> = (&'a str, &'a dyn Fn(&Typeset) -> usize);

/// Lays out the book, writes its PDF (from the very pages the choices are
/// made on) and checks each chosen page against its reference.
fn check_pages(book: &Path, name: &str, choose: &[Choice]) {
    if !common::have_tools(&["pdftoppm"]) {
        return;
    }
    let typeset = common::typeset(book);
    let pdf = write_pdf(&typeset, name);
    let failures: Vec<String> = choose
        .iter()
        .filter_map(|(reference, page)| {
            let index = page(&typeset);
            refs::check_image(reference, &refs::render(&pdf, index, refs::RESOLUTION))
                .map_err(|e| format!("{e} (page {})", index + 1))
                .err()
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn write_pdf(typeset: &Typeset, name: &str) -> PathBuf {
    let pdf = common::scratch().join(format!("{name}.pdf"));
    std::fs::write(&pdf, typeset.pdf()).unwrap();
    pdf
}

/// The body page with the most text: the densest setting.
fn densest(t: &Typeset) -> usize {
    let first = t.chapter_start(1);
    (first..t.pages.pages.len())
        .max_by_key(|&index| {
            let chars: usize = t
                .lines(index)
                .iter()
                .map(|l| l.text().chars().count())
                .sum();
            // The first of equals.
            (chars, std::cmp::Reverse(index))
        })
        .expect("the book has pages")
}

fn page_with(needle: &'static str) -> impl Fn(&Typeset) -> usize {
    move |t| {
        t.page_with(needle)
            .unwrap_or_else(|| panic!("no page holds {needle:?}"))
    }
}

#[test]
fn seed_book_pages_match_their_references() {
    check_pages(
        &common::seed_book(),
        "seed",
        &[
            ("seed-chapter-3-opening", &|t| t.chapter_start(3)),
            ("seed-densest-page", &densest),
        ],
    );
}

#[test]
fn showcase_pages_match_their_references() {
    // The chapters of tests/books/showcase: 3 is one long paragraph (for
    // kashida), 4 a table longer than a page.
    check_pages(
        &common::showcase_book(),
        "showcase",
        &[
            (
                "showcase-kashida-paragraph",
                &page_with("تسعى السياسة الخارجية المغربية"),
            ),
            ("showcase-footnotes", &page_with("حاشية ثانية فيها")),
            ("showcase-table-continued", &|t| t.chapter_start(4) + 1),
        ],
    );
}

#[test]
fn english_pages_match_their_references() {
    check_pages(
        &common::english_book(),
        "english",
        &[
            ("english-opening", &|t| t.chapter_start(1)),
            (
                "english-quote",
                &page_with("Cooperation between distant countries"),
            ),
        ],
    );
}

// ---------------------------------------------------------------------------
// The comparator itself.

/// Rows `from..to` of `image` moved down by `by` pixels (what lies below
/// them is overwritten, their old place left blank).
fn move_rows(image: &GrayImage, from: u32, to: u32, by: u32) -> GrayImage {
    let mut moved = image.clone();
    for y in from..to {
        for x in 0..image.width() {
            moved.put_pixel(x, y, image::Luma([255]));
        }
    }
    for y in from..to {
        for x in 0..image.width() {
            if y + by < image.height() {
                moved.put_pixel(x, y + by, *image.get_pixel(x, y));
            }
        }
    }
    moved
}

/// The rows of the first line of text below `start`: the first band of
/// rows with dark pixels.
fn first_text_band(image: &GrayImage, start: u32) -> (u32, u32) {
    let inked = |y: u32| (0..image.width()).any(|x| image.get_pixel(x, y).0[0] < 128);
    let top = (start..image.height())
        .find(|&y| inked(y))
        .expect("a line of text");
    let bottom = (top..image.height())
        .find(|&y| !inked(y))
        .unwrap_or(image.height());
    (top, bottom)
}

#[test]
fn the_comparator_passes_the_same_page_and_fails_a_moved_line() {
    if !common::have_tools(&["pdftoppm"]) {
        return;
    }
    let typeset = common::typeset(&common::seed_book());
    let index = densest(&typeset);
    let page = refs::render(&write_pdf(&typeset, "comparator"), index, refs::RESOLUTION);

    // Rendered again: the same.
    assert!(refs::same_page(&page, &page.clone(), TOLERANCE));

    // Faint noise everywhere (another rasteriser's anti-aliasing): the same.
    let mut noisy = page.clone();
    for (i, pixel) in noisy.pixels_mut().enumerate() {
        let shade = (i % 7) as u8 * 8;
        pixel.0[0] = pixel.0[0].saturating_sub(shade);
    }
    assert!(refs::same_page(&page, &noisy, TOLERANCE));

    // One line of the text moved down by a third of its leading (at 60 dpi
    // a 12 pt line is 17.5 pixels): a different page.
    let (top, bottom) = first_text_band(&page, page.height() / 3);
    let moved = move_rows(&page, top, bottom, 6);
    let comparison = refs::compare(&page, &moved, TOLERANCE).unwrap();
    println!(
        "one line (rows {top}..{bottom}) moved by 6 pixels: {} of {} pixels differ ({:.3} %)",
        comparison.differing,
        comparison.total,
        comparison.share() * 100.0
    );
    assert!(!refs::same_page(&page, &moved, TOLERANCE));

    // A page of another size is never the same.
    let cropped =
        image::imageops::crop_imm(&page, 0, 0, page.width(), page.height() - 1).to_image();
    assert!(!refs::same_page(&page, &cropped, TOLERANCE));
}

// ---------------------------------------------------------------------------
// The README's before and after.

/// The resolution of the README's pictures.
const README_RESOLUTION: u32 = 150;

/// The kashida paragraph of the showcase book, cropped from its page at
/// [`README_RESOLUTION`].
fn kashida_paragraph(book: &Path, name: &str) -> GrayImage {
    const FIRST_WORDS: &str = "تسعى السياسة الخارجية المغربية";
    let typeset = common::typeset(book);
    let index = typeset
        .page_with(FIRST_WORDS)
        .expect("the kashida paragraph");
    let lines = typeset.lines(index);
    let first = lines
        .iter()
        .position(|l| common::squash(&l.text()).contains(&common::squash(FIRST_WORDS)))
        .expect("its first line");
    let last = lines[first..]
        .iter()
        .find(|l| l.end() == warraq::layout::dump::LineEnd::Paragraph)
        .expect("its last line");
    let block = warraq::layout::dump::text_block(&typeset.document, index);
    let size = typeset.document.page.font_size_pt;
    // Page points to pixels (the rendering shows the bleed too); the
    // paragraph's lines with their harakat, and one em to each side.
    let media = typeset.pages.media_box(index);
    let px =
        |pt: f32, origin: f32| ((pt - origin) * README_RESOLUTION as f32 / 72.0).max(0.0) as u32;
    let (top, bottom) = (
        lines[first].baseline - 1.2 * size,
        last.baseline + 0.8 * size,
    );
    let (x, y) = (px(block.x - size, media.x), px(top, media.y));
    let (width, height) = (
        px(block.x + block.width + size, media.x) - x,
        px(bottom, media.y) - y,
    );
    let page = refs::render(&write_pdf(&typeset, name), index, README_RESOLUTION);
    image::imageops::crop_imm(&page, x, y, width, height).to_image()
}

/// The same paragraph justified with spaces alone and with kashida, for the
/// README (`docs/justify-space.png`, `docs/justify-kashida.png`): written
/// with the references (`WARRAQ_UPDATE_REFS=1`), else to
/// `target/ref-failures/` to look at.
#[test]
fn the_kashida_paragraph_set_both_ways_for_the_readme() {
    if !common::have_tools(&["pdftoppm"]) {
        return;
    }
    let showcase = common::showcase_book();
    let space = common::with_layout(&showcase, "justify = \"space\"");
    let kashida = common::with_layout(&showcase, "justify = \"kashida\"");
    let dir = if refs::updating() {
        common::repo().join("docs")
    } else {
        refs::failures_dir()
    };
    std::fs::create_dir_all(&dir).unwrap();
    for (book, name) in [(&space, "justify-space"), (&kashida, "justify-kashida")] {
        let picture = kashida_paragraph(book.path(), name);
        assert!(picture.height() > 100, "{name}: {:?}", picture.dimensions());
        let path = dir.join(format!("{name}.png"));
        picture.save(&path).unwrap();
        println!("wrote {}", path.display());
    }
}
