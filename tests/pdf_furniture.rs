//! Page furniture as the PDF has it: every page's label equals the folio
//! printed on it, in each numeral system, with roman or unnumbered front
//! matter and blank pages before chapters; running heads copy out as the
//! titles they show.

use crate::common;

use std::path::Path;

use common::{arg, generated_book, squash};

/// Each page's `pdftotext -layout` text.
fn page_texts(pdf: &Path) -> Vec<String> {
    (1..=common::page_count(pdf))
        .map(|p| common::pdftotext(pdf, Some((p, p)), true))
        .collect()
}

const TITLES: [&str; 3] = ["الفصل الأول", "الفصل الثاني", "الفصل الثالث"];
const BOOK_TITLE: &str = "كتاب التجربة";

#[test]
fn page_labels_equal_the_printed_folios() {
    if !common::have_tools(&["pdftotext", "pdfinfo", "qpdf"]) {
        return;
    }
    for (numerals, front, one) in [
        ("western", "roman", "1"),
        ("arabic-indic", "roman", "١"),
        ("persian", "none", "۱"),
    ] {
        let layout = format!(
            "numerals = \"{numerals}\"\nfront_matter = \"{front}\"\nchapter_start = \"recto\""
        );
        let book = generated_book(true, BOOK_TITLE, &layout, &TITLES, &[1, 4, 2]);
        let pdf = common::build_pdf(book.path(), numerals).pdf;
        let labels = common::page_labels(&pdf);
        let texts = page_texts(&pdf);
        let (mut front_blanks, mut body_blanks) = (0, 0);
        for (index, (label, text)) in labels.iter().zip(&texts).enumerate() {
            let page = index + 1;
            let printed = common::printed_folio(text);
            match index {
                0 => assert_eq!(label, "الغلاف", "{numerals}: the cover"),
                1 if front == "roman" => assert_eq!(label, "i", "{numerals}: the title page"),
                1 => assert_eq!(label, "صفحة العنوان", "{numerals}: the title page"),
                _ if squash(text).is_empty() => {
                    // Counted blank pages are labelled with the number after
                    // the folio printed before them; the one ending
                    // unnumbered front matter, by the contents' name.
                    let before = common::printed_folio(&texts[index - 1])
                        .map(|folio| common::western_digits(&folio));
                    let wanted = match before.as_deref() {
                        Some("ii") => {
                            front_blanks += 1;
                            "iii".to_string()
                        }
                        None if index == 3 && front == "none" => {
                            front_blanks += 1;
                            "المحتويات".to_string()
                        }
                        before => {
                            body_blanks += 1;
                            let before: u32 =
                                before.and_then(|f| f.parse().ok()).unwrap_or_else(|| {
                                    panic!("{numerals}: page {page} follows no folio")
                                });
                            (before + 1).to_string()
                        }
                    };
                    assert_eq!(label, &wanted, "{numerals}: blank page {page}");
                }
                _ if index == 2 && front == "none" => {
                    assert_eq!(printed, None, "{numerals}: unnumbered contents");
                    assert_eq!(label, "المحتويات");
                }
                _ => {
                    let printed = printed.unwrap_or_else(|| {
                        panic!("{numerals}: page {page} prints no folio:\n{text}")
                    });
                    assert_eq!(
                        &common::western_digits(&printed),
                        label,
                        "{numerals}: page {page} prints {printed}"
                    );
                }
            }
        }
        // One blank before chapter 1; chapter 1 (one paragraph) ends on a
        // recto, so at least one before chapter 2.
        assert_eq!(front_blanks, 1, "{numerals}: blank pages before the body");
        assert!(body_blanks > 0, "{numerals}: no blank page in the body");
        // The body starts at 1 on the first chapter's opening, a recto.
        let first = labels.iter().position(|l| l == "1").unwrap();
        assert_eq!(first % 2, 0, "{numerals}: body starts at file page {first}");
        assert_eq!(common::printed_folio(&texts[first]).as_deref(), Some(one));
    }
}

/// The text in the head margin of page `page` (1-based): what lies above
/// the text area (18 mm, plus the 3 mm bleed in the media box).
fn head_margin_text(pdf: &Path, page: usize) -> String {
    let top = ((18.0 + 3.0) * 72.0 / 25.4) as u32;
    let page = page.to_string();
    let text = common::run_ok(
        "pdftotext",
        &[
            "-enc",
            "UTF-8",
            "-f",
            &page,
            "-l",
            &page,
            "-x",
            "0",
            "-y",
            "0",
            "-W",
            "1000",
            "-H",
            &top.to_string(),
            arg(pdf),
            "-",
        ],
    );
    squash(&text)
}

#[test]
fn running_heads_copy_out_as_the_titles_they_show() {
    if !common::have_tools(&["pdftotext", "pdfinfo"]) {
        return;
    }
    let book = generated_book(true, BOOK_TITLE, "", &TITLES, &[9, 14, 5]);
    let pdf = common::build_pdf(book.path(), "heads").pdf;
    let texts = page_texts(&pdf);
    let mut chapter = None;
    let mut sides = [0, 0];
    for (index, text) in texts.iter().enumerate() {
        let head = head_margin_text(&pdf, index + 1);
        if index < 3 {
            assert_eq!(head, "", "front page {} has a head", index + 1);
            continue;
        }
        if head.is_empty() {
            // A chapter opening: no head, and the next chapter's title.
            let next = chapter.map_or(0, |c| c + 1);
            assert!(
                squash(text).starts_with(&squash(TITLES[next])),
                "page {}: no head, but not the opening of «{}»",
                index + 1,
                TITLES[next]
            );
            chapter = Some(next);
            continue;
        }
        let chapter = chapter.expect("a head before the first chapter");
        // Versos (odd indices) name the book, rectos the chapter.
        let wanted = if index % 2 == 1 {
            BOOK_TITLE
        } else {
            TITLES[chapter]
        };
        assert_eq!(head, squash(wanted), "page {}", index + 1);
        sides[index % 2] += 1;
    }
    assert_eq!(chapter, Some(2), "three chapter openings");
    assert!(sides[0] > 2 && sides[1] > 2, "{sides:?}");
}
