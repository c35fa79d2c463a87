//! Every Markdown construct warraq renders, read back from both outputs:
//! the EPUB's XHTML and EPUBCheck; the PDF's text and word boxes
//! (poppler), its bookmarks (MuPDF) and its pixels (poppler's renderer).
//! The book is tests/books/markdown.

use crate::common;

use std::path::PathBuf;
use std::sync::OnceLock;

use common::epub::{assert_epubcheck_clean, entry, unzip};
use common::{Built, Word, arg, build, have_tools, render_gray, run_ok, words};

/// The book, built once (EPUB and PDF).
fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| build(&common::repo().join("tests/books/markdown"), "markdown"))
}

fn pdf() -> PathBuf {
    built().pdf.clone()
}

fn epub() -> Vec<(String, bool, Vec<u8>)> {
    unzip(&std::fs::read(built().epub()).expect("the EPUB"))
}

/// The first word that reads `text`; poppler gives right-to-left words in
/// visual order, so those are matched reversed.
fn word<'w>(words: &'w [Word], text: &str) -> &'w Word {
    let reversed: String = text.chars().rev().collect();
    words
        .iter()
        .find(|w| w.text == text || w.text == reversed)
        .unwrap_or_else(|| panic!("no word `{text}` in the PDF"))
}

#[test]
fn the_epub_has_an_element_for_every_construct() {
    let files = epub();
    let chapter = entry(&files, "EPUB/chapter-01.xhtml");
    for element in [
        "<s>محذوف من المسودة</s>",
        "<u>مسطّر للتأكيد</u>",
        "<span lang=\"en\" xml:lang=\"en\">H</span><sub>2</sub><span lang=\"en\" xml:lang=\"en\">O</span>",
        "م<sup>2</sup>",
        "<small>حاشية صغيرة</small>",
        "<strong>عريض من <span lang=\"en\" xml:lang=\"en\">HTML</span></strong>",
        "<em>مائل من <span lang=\"en\" xml:lang=\"en\">HTML</span></em>",
        "<li class=\"task\"><input type=\"checkbox\" disabled=\"disabled\" checked=\"checked\"",
        "<li class=\"task\"><input type=\"checkbox\" disabled=\"disabled\" aria-label",
        "<dt>المصطلحات</dt>",
        "<dd>كلمة وتعريفها في سطر تالٍ.</dd>",
        "<div class=\"callout note\" role=\"note\">\n<p class=\"callout-label\">ملاحظة</p>",
        "<div class=\"callout warning\" role=\"note\">\n<p class=\"callout-label\">تحذير</p>",
        "<h2 id=\"second\" class=\"special\">",
        "<h4 id=",
        "<h5 id=",
        "<h6 id=",
        "<msup><mi>c</mi><mn>2</mn></msup>",
        "display=\"block\" xmlns=\"http://www.w3.org/1998/Math/MathML\"",
        "<math alttext=\"E = mc^2\"",
        // Arabic keeps the quotes and dashes it was typed with.
        "قال الكاتب &quot;نعم&quot; ثم مضى -- ولم يلتفت...",
        "href=\"chapter-01.xhtml#second\"",
    ] {
        assert!(chapter.contains(element), "no `{element}` in:\n{chapter}");
    }
    for raw in ["[x]", "[ ]", "[!NOTE]", "~~", "{#second", "$E", "&lt;sup"] {
        assert!(
            !chapter.contains(raw),
            "`{raw}` left as text in:\n{chapter}"
        );
    }
    let latin = entry(&files, "EPUB/chapter-02.xhtml");
    assert!(
        latin.contains("She said “yes” and ‘no’ – twice… then left — quickly</span>."),
        "{latin}"
    );
    let package = entry(&files, "EPUB/package.opf");
    assert!(
        package.contains(
            "href=\"chapter-01.xhtml\" media-type=\"application/xhtml+xml\" properties=\"mathml\""
        ),
        "{package}"
    );
}

#[test]
fn the_epub_contents_nest_every_heading_level() {
    let nav = entry(&epub(), "EPUB/nav.xhtml");
    let toc = &nav[..nav.find("</nav>").expect("the toc nav")];
    let at = toc
        .find("عنوان سادس")
        .expect("the level-6 heading in the contents");
    // Lists opened and not closed before it: the chapter list, then one for
    // the chapter's headings and one for each level below 2.
    let depth = toc[..at].matches("<ol").count() - toc[..at].matches("</ol>").count();
    assert_eq!(depth, 6, "{toc}");
}

#[test]
fn the_epub_passes_epubcheck() {
    let bytes = std::fs::read(built().epub()).expect("the EPUB");
    assert_epubcheck_clean("markdown.epub", &bytes);
}

#[test]
fn the_pdf_has_no_markdown_syntax_left_and_the_labels_warraq_adds() {
    if !have_tools(&["pdftotext"]) {
        return;
    }
    let text = run_ok("pdftotext", &[arg(&pdf()), "-"]);
    for raw in [
        "[x]",
        "[ ]",
        "[!NOTE]",
        "[!WARNING]",
        "~~",
        "{#second",
        "<sup>",
        "$$",
    ] {
        assert!(!text.contains(raw), "`{raw}` printed in:\n{text}");
    }
    for label in ["ملاحظة", "تحذير", "E = mc^2", "\\frac{a}{b}"] {
        assert!(text.contains(label), "no `{label}` in:\n{text}");
    }
    assert!(
        text.contains("She said “yes” and ‘no’ – twice… then left — quickly."),
        "{text}"
    );
    // The build said that print sets math as TeX.
    assert!(
        built().stderr.contains("TeX source in the PDF"),
        "{}",
        built().stderr
    );
}

#[test]
fn the_pdf_bookmarks_nest_six_heading_levels() {
    if !have_tools(&["mutool"]) {
        return;
    }
    let outline = run_ok("mutool", &["show", arg(&pdf()), "outline"]);
    let depth = |title: &str| {
        let line = outline
            .lines()
            .find(|l| l.contains(title))
            .unwrap_or_else(|| panic!("no bookmark `{title}` in:\n{outline}"));
        line.chars().filter(|&c| c == '\t').count()
    };
    let chapter = depth("صيغ ماركداون كلها");
    let levels: Vec<usize> = ["ثانٍ", "ثالث", "رابع", "خامس", "سادس"]
        .iter()
        .map(|n| depth(&format!("عنوان {n}")) - chapter)
        .collect();
    assert_eq!(levels, [1, 2, 3, 4, 5], "{outline}");
}

#[test]
fn the_pdf_sets_heading_levels_in_descending_sizes() {
    if !have_tools(&["pdftotext"]) {
        return;
    }
    let words = words(&pdf());
    let height = |n: &str| {
        let w = word(&words, n);
        w.y_max - w.y_min
    };
    let heights: Vec<f32> = ["ثالث", "رابع", "خامس", "سادس"].map(height).to_vec();
    assert!(
        heights.windows(2).all(|pair| pair[0] > pair[1]),
        "heading heights {heights:?}"
    );
    // A level-5 heading is still no smaller than body text.
    assert!(heights[2] >= height("الكاتب") - 0.01, "{heights:?}");
}

/// The resolution pages are rendered at to look at their pixels.
const DPI: f32 = 150.0;

/// The largest share of `word`'s width that one row of dark pixels inside
/// its box covers without a break: near 1 for a line drawn through or
/// under it, well below for letters alone.
fn longest_dark_row(image: &image::GrayImage, word: &Word) -> f32 {
    let scale = DPI / 72.0;
    let (left, right) = ((word.x_min * scale) as u32, (word.x_max * scale) as u32);
    let (top, bottom) = ((word.y_min * scale) as u32, (word.y_max * scale) as u32);
    let mut best = 0;
    for y in top..=bottom.min(image.height() - 1) {
        let mut run = 0;
        for x in left..right.min(image.width()) {
            if image.get_pixel(x, y).0[0] < 128 {
                run += 1;
                best = best.max(run);
            } else {
                run = 0;
            }
        }
    }
    best as f32 / (right - left) as f32
}

#[test]
fn the_pdf_draws_lines_through_and_under_marked_words() {
    if !have_tools(&["pdftotext", "pdftoppm"]) {
        return;
    }
    let words = words(&pdf());
    let struck = word(&words, "deleted");
    let underlined = word(&words, "inserted");
    let plain = word(&words, "Inline");
    let image = render_gray(&pdf(), struck.page, DPI);
    let covered = |w| longest_dark_row(&image, w);
    assert!(covered(struck) > 0.95, "strike covers {}", covered(struck));
    assert!(
        covered(underlined) > 0.95,
        "underline covers {}",
        covered(underlined)
    );
    assert!(
        covered(plain) < 0.6,
        "a plain word's row covers {}",
        covered(plain)
    );
}

#[test]
fn the_pdf_draws_task_boxes_in_the_markers_place() {
    if !have_tools(&["pdftotext", "pdftoppm"]) {
        return;
    }
    let words = words(&pdf());
    // Each task item's first word, at the start (right) of its line.
    let first = word(&words, "مهمة").text.clone();
    let items: Vec<&Word> = words.iter().filter(|w| w.text == first).collect();
    assert_eq!(items.len(), 2, "{items:?}");
    let image = render_gray(&pdf(), items[0].page, DPI);
    let scale = DPI / 72.0;
    // Dark pixels between the item's text and the right margin of the text
    // block, on the item's line.
    let right_margin = words
        .iter()
        .filter(|w| w.page == items[0].page)
        .map(|w| w.x_max)
        .fold(0.0, f32::max);
    let ink = |w: &Word| {
        let mut dark = 0;
        for y in (w.y_min * scale) as u32..(w.y_max * scale) as u32 {
            for x in (w.x_max * scale) as u32 + 2..(right_margin * scale) as u32 + 2 {
                dark += u32::from(image.get_pixel(x, y).0[0] < 128);
            }
        }
        dark
    };
    let (done, open) = (ink(items[0]), ink(items[1]));
    // An outlined box of 0.62 em at 12 pt, 150 dpi: about 90 dark pixels;
    // filled, about 150.
    assert!(open >= 60, "the open box has {open} dark pixels");
    assert!(done >= open + 30, "done {done}, open {open}");
}

#[test]
fn the_pdf_indents_definitions_under_their_terms() {
    if !have_tools(&["pdftotext"]) {
        return;
    }
    let words = words(&pdf());
    let term = word(&words, "المصطلحات");
    let definition = word(&words, "كلمة");
    // Right to left: the definition starts 2 em (24 pt) in from the term.
    let indent = term.x_max - definition.x_max;
    assert!((20.0..28.0).contains(&indent), "indent {indent}");
    assert!(definition.y_min > term.y_max - 1.0);
}

#[test]
fn the_pdf_sets_each_bayt_as_two_hemistichs_of_one_width() {
    if !have_tools(&["pdftotext"]) {
        return;
    }
    let words = words(&pdf());
    // The poem's first three lines (one long bayt after them, set on two
    // lines of its own, leaves them side by side): the one holding its first
    // word and the next
    // two below it (found by position: poppler may split a word where the
    // font kerns a gap into it, never a line).
    let first = word(&words, "قفا");
    let mut tops: Vec<f32> = words
        .iter()
        .filter(|w| w.page == first.page && w.y_min >= first.y_min - 1.0)
        .map(|w| w.y_min)
        .collect();
    tops.sort_by(f32::total_cmp);
    tops.dedup_by(|a, b| (*a - *b).abs() < 1.0);
    let bayts: Vec<Vec<&Word>> = tops[..3]
        .iter()
        .map(|top| {
            let mut line: Vec<&Word> = words
                .iter()
                .filter(|w| w.page == first.page && (w.y_min - top).abs() < 1.0)
                .collect();
            line.sort_by(|a, b| a.x_min.total_cmp(&b.x_min));
            line
        })
        .collect();
    let mut widths = Vec::new();
    for line in &bayts {
        // The widest gap between neighbouring words parts the hemistichs.
        let (cut, gap) = line
            .windows(2)
            .enumerate()
            .map(|(i, pair)| (i + 1, pair[1].x_min - pair[0].x_max))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .expect("a line of several words");
        assert!(gap > 18.0, "the hemistichs are {gap} pt apart");
        let (left, right) = line.split_at(cut);
        for half in [left, right] {
            widths.push(half.last().unwrap().x_max - half.first().unwrap().x_min);
        }
    }
    // Right to left: the first hemistich on the right.
    assert!(bayts[0].iter().rev().take(1).any(|w| w == &first));
    let (narrowest, widest) = widths
        .iter()
        .fold((f32::MAX, 0.0_f32), |(lo, hi), &w| (lo.min(w), hi.max(w)));
    assert!(widest - narrowest < 1.5, "hemistich widths {widths:?}");
}

#[test]
fn the_epub_sets_verse_as_bayts_that_fold_on_narrow_screens() {
    let files = epub();
    let chapter = entry(&files, "EPUB/chapter-01.xhtml");
    assert!(
        chapter.contains("<p class=\"bayt\"><span class=\"hemistich\">قفا نبك من ذكرى حبيب ومنزل</span> <span class=\"hemistich\">بسقط اللوى بين الدخول فحومل</span></p>"),
        "{chapter}"
    );
    assert_eq!(chapter.matches("<div class=\"stanza\">").count(), 3);
    let css = entry(&files, "EPUB/css/style.css");
    let narrow = &css[css
        .find("@media (max-width: 30em)")
        .expect("a narrow-screen form")..];
    assert!(narrow.contains("display: block"), "{narrow}");
    // No word leaves the page, however narrow the screen.
    let paragraphs = &css[css.find("p, li, dd").expect("the wrapping rule")..];
    let rule = &paragraphs[..paragraphs.find('}').expect("its end")];
    assert!(rule.contains("overflow-wrap: break-word"), "{rule}");
    assert!(rule.contains("hyphens: auto"), "{rule}");
}
