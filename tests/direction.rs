//! One rule for a block's direction, in both writers and both contents: in
//! a right-to-left book a block is right to left unless it holds no
//! right-to-left letter at all, mirrored in a left-to-right book. Read back
//! from the PDF (`pdftotext -bbox` word positions) and the EPUB's XHTML,
//! for `tests/books/direction` (Arabic) and a small English book.

use crate::common;

use std::path::Path;
use std::sync::OnceLock;

use common::epub::{assert_epubcheck_clean, entry, unzip};
use common::{Built, Word, build};

/// Positions agree to within this many points.
const SLACK: f32 = 1.0;
/// Body text size of both books (the default), in points.
const SIZE: f32 = 12.0;
/// How far list items are indented from their marker's side (two ems).
const LIST_INDENT: f32 = 2.0 * SIZE;

/// `tests/books/direction`: an Arabic book whose blocks open with Latin words.
fn arabic_book() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| build(&common::repo().join("tests/books/direction"), "direction"))
}

/// An English book with blocks that open with Arabic words, and one in
/// Arabic only.
fn english_book() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = common::scratch().join("english-direction");
        common::write_files(
            &dir,
            &[
                (
                    "book.toml",
                    b"[book]\ntitle = \"Direction\"\nlanguage = \"en\"\n".as_slice(),
                ),
                (
                    "01-chapter.md",
                    "# One rule\n\n\
                     The first paragraph is English and long enough to fill its first line \
                     from margin to margin, so the others can be compared with it.\n\n\
                     مرحبا is how Arabic says hello.\n\n\
                     - العربية: Arabic, written right to left.\n\n\
                     نص عربي فقط.\n"
                        .as_bytes(),
                ),
                ("02-arabic.md", "# خاتمة عربية\n\nنص.\n".as_bytes()),
            ],
        );
        build(&dir, "english-direction")
    })
}

// ---------------------------------------------------------------------------
// Reading `pdftotext -bbox`.

/// Every word of the PDF with its box, or `None` (skipped) without pdftotext.
fn words(pdf: &Path) -> Option<Vec<Word>> {
    common::have_tools(&["pdftotext"]).then(|| common::words(pdf))
}

/// A word's text without the punctuation next to it (`pdftotext` writes
/// `PDF:` set right to left as `:PDF`).
fn bare(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_ascii_punctuation())
}

/// The words on the line (same page, same top) of the first word that is
/// `needle` (punctuation aside), left to right.
fn line_of<'w>(words: &'w [Word], needle: &str) -> Vec<&'w Word> {
    let found = words
        .iter()
        .find(|w| bare(&w.text) == needle)
        .unwrap_or_else(|| panic!("no word {needle:?} in the PDF"));
    let mut line: Vec<&Word> = words
        .iter()
        .filter(|w| w.page == found.page && (w.y_min - found.y_min).abs() < SLACK)
        .collect();
    line.sort_by(|a, b| a.x_min.total_cmp(&b.x_min));
    line
}

/// The text area's left and right edges on `page`: where its justified
/// lines start and end.
fn margins(words: &[Word], page: usize) -> (f32, f32) {
    let on_page = words.iter().filter(|w| w.page == page);
    let left = on_page.clone().map(|w| w.x_min).fold(f32::MAX, f32::min);
    let right = on_page.map(|w| w.x_max).fold(f32::MIN, f32::max);
    (left, right)
}

fn word<'w>(line: &[&'w Word], text: &str) -> &'w Word {
    line.iter()
        .find(|w| bare(&w.text) == text)
        .unwrap_or_else(|| panic!("no {text:?} on the line {}", show(line)))
}

fn show(line: &[&Word]) -> String {
    line.iter()
        .map(|w| format!("{}@{:.0}-{:.0}", w.text, w.x_min, w.x_max))
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_marker(text: &str) -> bool {
    text == "•" || text.trim_matches('.').chars().all(|c| c.is_ascii_digit())
}

// ---------------------------------------------------------------------------
// The Arabic book's PDF.

/// `- PDF: صيغة…`, `1. Python لغة برمجة.`: right to left, so the marker
/// stands at the right margin and the item's text ends just left of it,
/// its Latin opening word nearest the marker.
#[test]
fn latin_started_items_end_at_their_marker_on_the_right() {
    let Some(words) = words(&arabic_book().pdf) else {
        return;
    };
    for opening in ["PDF", "EPUB", "Python", "Rust", "Kashida"] {
        let line = line_of(&words, opening);
        let (_, right) = margins(&words, line[0].page);
        let marker = line.last().unwrap();
        assert!(
            is_marker(&marker.text) && (marker.x_max - right).abs() < SLACK,
            "{opening}: the marker is not at the right margin ({right:.0}): {}",
            show(&line)
        );
        let text = &line[..line.len() - 1];
        let text_right = text.iter().map(|w| w.x_max).fold(f32::MIN, f32::max);
        assert!(
            marker.x_min - text_right < LIST_INDENT,
            "{opening}: the item's text ends {:.0} pt from its marker: {}",
            marker.x_min - text_right,
            show(&line)
        );
        assert_eq!(
            word(&line, opening).x_max,
            text_right,
            "{opening} opens the item, so it stands rightmost: {}",
            show(&line)
        );
    }
}

/// `**Note:** هذه ملاحظة…`, `HarfBuzz يشكّل…`, a quote and a footnote that
/// open with a Latin word: right to left, the Latin word at the right end of
/// the first line (after the note's number).
#[test]
fn latin_started_paragraphs_are_right_to_left() {
    let Some(words) = words(&arabic_book().pdf) else {
        return;
    };
    for opening in ["Note", "HarfBuzz", "Quote", "See"] {
        let line = line_of(&words, opening);
        let rightmost = line.iter().rev().find(|w| !is_marker(&w.text)).unwrap();
        assert_eq!(
            bare(&rightmost.text),
            opening,
            "{opening} should open the line on the right: {}",
            show(&line)
        );
    }
    for opening in ["Note", "HarfBuzz"] {
        let line = line_of(&words, opening);
        let (_, right) = margins(&words, line[0].page);
        assert!(
            (word(&line, opening).x_max - right).abs() < SLACK,
            "{opening} is not at the right margin ({right:.0}): {}",
            show(&line)
        );
    }
    // The note's number starts it, on the right.
    let note = line_of(&words, "See");
    let (_, right) = margins(&words, note[0].page);
    let number = note.last().unwrap();
    assert!(
        is_marker(&number.text) && (number.x_max - right).abs() < SLACK,
        "the note's number is not at the right margin: {}",
        show(&note)
    );
}

/// A paragraph with no Arabic letter stays left to right: at the left
/// margin, far from the right one.
#[test]
fn a_latin_only_paragraph_stays_left_to_right() {
    let Some(words) = words(&arabic_book().pdf) else {
        return;
    };
    let line = line_of(&words, "English");
    let (left, right) = margins(&words, line[0].page);
    assert_eq!(line[0].text, "English", "{}", show(&line));
    assert!((line[0].x_min - left).abs() < SLACK, "{}", show(&line));
    assert!(
        line.last().unwrap().x_max < right - 10.0 * SIZE,
        "{}",
        show(&line)
    );
}

/// A cell opening with `PDF writer` holds Arabic, so it is right to left:
/// its Latin words stand at the cell's right edge, where its column's
/// head starts.
#[test]
fn a_latin_started_cell_is_right_to_left() {
    let Some(words) = words(&arabic_book().pdf) else {
        return;
    };
    let line = line_of(&words, "writer");
    let head = line_of(&words, "فصولا");
    let cell_right = head
        .iter()
        .find(|w| w.text == "فصولا")
        .map(|w| w.x_max)
        .unwrap();
    let cell: Vec<&&Word> = line
        .iter()
        .filter(|w| w.x_max <= cell_right + SLACK)
        .collect();
    let rightmost = cell.last().unwrap();
    assert_eq!(bare(&rightmost.text), "writer", "{}", show(&line));
    assert!(
        (rightmost.x_max - cell_right).abs() < SLACK,
        "the cell does not start at its column's right edge ({cell_right:.0}): {}",
        show(&line)
    );
}

/// The contents entry of `Appendix: Glossary` keeps its own order but
/// stands on the right like every entry, with its leaders and its number.
#[test]
fn an_english_contents_entry_stands_right_with_its_leaders() {
    let Some(words) = words(&arabic_book().pdf) else {
        return;
    };
    // The contents come before the chapter, so the first "Glossary" is theirs.
    let entry = line_of(&words, "Glossary");
    let arabic = line_of(&words, "مئاوقلا");
    assert_eq!(entry[0].page, arabic[0].page, "both on the contents page");
    let right = arabic.last().unwrap().x_max;
    assert_eq!(
        bare(&entry.last().unwrap().text),
        "Glossary",
        "{}",
        show(&entry)
    );
    assert!(
        (entry.last().unwrap().x_max - right).abs() < SLACK,
        "the entry does not stand at the right ({right:.0}): {}",
        show(&entry)
    );
    let dots: usize = entry
        .iter()
        .filter(|w| w.text.chars().all(|c| c == '.'))
        .map(|w| w.text.len())
        .sum();
    assert!(dots >= 10, "no leaders: {}", show(&entry));
    assert!(
        entry[0].text.chars().all(|c| c.is_ascii_digit()),
        "the page number is not on the left: {}",
        show(&entry)
    );
}

// ---------------------------------------------------------------------------
// The English book's PDF: the same rule, mirrored.

#[test]
fn in_a_left_to_right_book_arabic_started_blocks_stay_left_to_right() {
    let Some(words) = words(&english_book().pdf) else {
        return;
    };
    // `مرحبا is how…` holds Latin letters: left to right, the Arabic word
    // first, at the left margin.
    let line = line_of(&words, "how");
    let (left, right) = margins(&words, line[0].page);
    assert!(
        (line[0].x_min - left).abs() < SLACK && !line[0].text.is_ascii(),
        "{}",
        show(&line)
    );
    // The list item too: its bullet at the left margin, its text next to it.
    let item = line_of(&words, "written");
    assert!(
        item[0].text == "•" && (item[0].x_min - left).abs() < SLACK,
        "{}",
        show(&item)
    );
    assert!(
        item[1].x_min - item[0].x_max < LIST_INDENT && !item[1].text.is_ascii(),
        "{}",
        show(&item)
    );
    // Arabic only: right to left, at the right margin.
    // (`pdftotext` writes the words of right-to-left text as they stand.)
    let arabic = line_of(&words, "صن");
    assert!(
        (arabic.last().unwrap().x_max - right).abs() < SLACK,
        "{}",
        show(&arabic)
    );
}

/// Mirrored in the contents: an Arabic title keeps its own order but stands
/// on the left like every entry, its leaders and number to its right.
#[test]
fn in_a_left_to_right_book_an_arabic_contents_entry_stands_left() {
    let Some(words) = words(&english_book().pdf) else {
        return;
    };
    let english = line_of(&words, "rule");
    let arabic = line_of(&words, "ةيبرع");
    assert_eq!(english[0].page, arabic[0].page, "both on the contents page");
    assert!(
        (arabic[0].x_min - english[0].x_min).abs() < SLACK,
        "the entry does not stand at the left ({:.0}): {}",
        english[0].x_min,
        show(&arabic)
    );
    assert!(
        arabic.iter().any(|w| w.text.starts_with("..")),
        "no leaders: {}",
        show(&arabic)
    );
    assert!(
        arabic
            .last()
            .unwrap()
            .text
            .chars()
            .all(|c| c.is_ascii_digit()),
        "the page number is not on the right: {}",
        show(&arabic)
    );
}

// ---------------------------------------------------------------------------
// The EPUBs.

fn xhtml(built: &Built, name: &str) -> String {
    let files = unzip(&std::fs::read(built.epub()).unwrap());
    entry(&files, &format!("EPUB/{name}"))
}

#[test]
fn epub_blocks_say_their_direction_where_it_differs_from_the_book() {
    let chapter = xhtml(arabic_book(), "chapter-01.xhtml");
    for inherits in [
        "<li><span lang=\"en\" xml:lang=\"en\">PDF</span>: ",
        "<li><span lang=\"en\" xml:lang=\"en\">Python</span> ",
        "<p><strong><span lang=\"en\" xml:lang=\"en\">Note</span>:</strong> ",
        "<p><span lang=\"en\" xml:lang=\"en\">HarfBuzz</span> ",
        "<blockquote>\n<p><span lang=\"en\" xml:lang=\"en\">Quote</span>: ",
        "<td><span lang=\"en\" xml:lang=\"en\">PDF writer</span> ",
        "<aside epub:type=\"footnote\" id=\"fn-1-1\" role=\"doc-footnote\">\n<p><a ",
    ] {
        assert!(chapter.contains(inherits), "{inherits:?} in:\n{chapter}");
    }
    for own in [
        "<p dir=\"ltr\"><span lang=\"en\" xml:lang=\"en\">English only",
        "<td dir=\"ltr\"><span lang=\"en\" xml:lang=\"en\">krilla</span></td>",
    ] {
        assert!(chapter.contains(own), "{own:?} in:\n{chapter}");
    }
    let english = xhtml(arabic_book(), "chapter-02.xhtml");
    assert!(
        english.contains("<span lang=\"en\" xml:lang=\"en\">Appendix: Glossary</span></h1>"),
        "{english}"
    );
    let mirrored = xhtml(english_book(), "chapter-01.xhtml");
    for expected in [
        "<p><span lang=\"ar\" xml:lang=\"ar\">مرحبا</span> is how",
        "<li><span lang=\"ar\" xml:lang=\"ar\">العربية</span>: Arabic",
        "<p dir=\"rtl\"><span lang=\"ar\" xml:lang=\"ar\">نص عربي فقط</span>.</p>",
    ] {
        assert!(mirrored.contains(expected), "{expected:?} in:\n{mirrored}");
    }
}

/// The nav's English entry keeps its order (`dir` on its link) and its
/// place in the list.
#[test]
fn epub_nav_entries_say_their_direction() {
    let nav = xhtml(arabic_book(), "nav.xhtml");
    assert!(
        nav.contains("<li><a href=\"chapter-02.xhtml\" dir=\"ltr\"><span lang=\"en\" xml:lang=\"en\">Appendix: Glossary</span></a></li>"),
        "{nav}"
    );
    assert!(
        nav.contains("<li><a href=\"chapter-01.xhtml\">القوائم والفقرات</a></li>"),
        "{nav}"
    );
}

#[test]
fn direction_books_pass_epubcheck() {
    for (built, name) in [
        (arabic_book(), "direction.epub"),
        (english_book(), "english-direction.epub"),
    ] {
        assert_epubcheck_clean(name, &std::fs::read(built.epub()).unwrap());
    }
}
