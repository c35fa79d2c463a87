//! Property tests over the whole pipeline: books generated from a grammar
//! of what warraq reads (headings, emphasis, lists, tables, notes, code,
//! links between chapters; Arabic with and without harakat, Latin,
//! Cyrillic, both kinds of digits, bidi controls) build without a panic or
//! an error, to a PDF `qpdf --check` accepts and an EPUB EPUBCheck
//! accepts; and in the laid-out pages every character of every paragraph
//! is set exactly once (bidi reordering and line breaking lose and repeat
//! nothing) and every line of every paragraph is on exactly one page; and
//! text shaped and written to the PDF reads back, in poppler and pdf.js,
//! as the source it was shaped from.
//!
//! The books are built in memory the way the fuzz targets build theirs
//! (`fuzz/harness.rs`). The case counts are small: each case lays out a
//! whole book.

use crate::common;

use crate::harness;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock};

use proptest::prelude::*;
use proptest::sample::select;
use warraq::layout::Pages;
use warraq::layout::dump::line_boxes;
use warraq::layout::line::is_added_hyphen;
use warraq::layout::page::{GlyphRun, Item, Page};
use warraq::load::SourceFile;

const ARABIC_LETTERS: &[char] = &[
    'ا', 'ب', 'ت', 'ث', 'ج', 'ح', 'خ', 'د', 'ذ', 'ر', 'ز', 'س', 'ش', 'ص', 'ض', 'ط', 'ظ', 'ع', 'غ',
    'ف', 'ق', 'ك', 'ل', 'م', 'ن', 'ه', 'و', 'ي', 'ة', 'ى', 'ء', 'أ', 'إ', 'آ', 'ؤ', 'ئ',
];
/// Fatha, damma, kasra, sukun, shadda, the tanwins, dagger alif.
const HARAKAT: &[char] = &[
    '\u{64E}', '\u{64F}', '\u{650}', '\u{652}', '\u{651}', '\u{64B}', '\u{64C}', '\u{64D}',
    '\u{670}',
];
const LATIN_LETTERS: &[char] = &[
    'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'k', 'l', 'm', 'n', 'o', 'p', 'r', 's', 't', 'u',
    'v', 'w', 'y', 'z', 'é', 'è', 'à', 'ç', 'ü', 'ß',
];
const CYRILLIC_LETTERS: &[char] = &[
    'а', 'б', 'в', 'г', 'д', 'е', 'ж', 'з', 'и', 'й', 'к', 'л', 'м', 'н', 'о', 'п', 'р', 'с', 'т',
    'у', 'ф', 'х', 'ц', 'ч', 'ш', 'ы', 'э', 'ю', 'я',
];
const WESTERN_DIGITS: &[char] = &['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const ARABIC_INDIC_DIGITS: &[char] = &['٠', '١', '٢', '٣', '٤', '٥', '٦', '٧', '٨', '٩'];
/// LRM, RLM, ALM, LRI, RLI, FSI, PDI.
const BIDI_CONTROLS: &[char] = &[
    '\u{200E}', '\u{200F}', '\u{061C}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
];

/// Chapters per generated book, at most.
const MAX_CHAPTERS: usize = 3;

fn letters(alphabet: &'static [char], length: Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(select(alphabet), length).prop_map(|cs| cs.into_iter().collect())
}

/// An Arabic word, some of its letters with a haraka.
fn arabic_word() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            select(ARABIC_LETTERS),
            prop::option::weighted(0.3, select(HARAKAT)),
        ),
        1..9,
    )
    .prop_map(|letters| {
        letters
            .into_iter()
            .flat_map(|(letter, mark)| std::iter::once(letter).chain(mark))
            .collect()
    })
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => arabic_word(),
        2 => letters(LATIN_LETTERS, 1..12),
        1 => letters(CYRILLIC_LETTERS, 1..10),
        1 => letters(WESTERN_DIGITS, 1..6),
        1 => letters(ARABIC_INDIC_DIGITS, 1..6),
        1 => (select(BIDI_CONTROLS), letters(LATIN_LETTERS, 1..6))
            .prop_map(|(control, word)| format!("{control}{word}")),
    ]
}

/// The seed book's Arabic words (those of letters only), each once.
static SEED_WORDS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut words = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(common::seed_book()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(path).unwrap();
            words.extend(
                text.split_whitespace()
                    .filter(|w| w.chars().all(|c| ('\u{621}'..='\u{64A}').contains(&c)))
                    .map(String::from),
            );
        }
    }
    assert!(words.len() > 300, "the seed book has {} words", words.len());
    words.into_iter().collect()
});

/// Text whose words copy out of the PDF as they went in: words of Arabic
/// prose (the seed book's), now and then a Latin or Cyrillic word or a
/// number after one. Not harakat (README, "Copy and search": vocalised
/// text does not copy out yet), and not random strings of Arabic letters:
/// among those, some runs of narrow glyphs joined above or below the
/// baseline come apart in poppler and pdf.js.
fn plain_words(count: Range<usize>) -> impl Strategy<Value = String> {
    let other = prop_oneof![
        letters(LATIN_LETTERS, 1..9),
        letters(CYRILLIC_LETTERS, 1..9),
        letters(WESTERN_DIGITS, 1..6),
        letters(ARABIC_INDIC_DIGITS, 1..6),
    ];
    let pair = (
        select(SEED_WORDS.clone()),
        prop::option::weighted(0.3, other),
    );
    prop::collection::vec(pair, count).prop_map(|pairs| {
        let words = pairs
            .into_iter()
            .flat_map(|(arabic, other)| std::iter::once(arabic).chain(other));
        words.collect::<Vec<String>>().join(" ")
    })
}

fn words(count: Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(word(), count).prop_map(|words| words.join(" "))
}

/// A piece of a paragraph; links go to one of `chapters` chapters.
fn inline(chapters: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        8 => words(1..5),
        1 => words(1..3).prop_map(|t| format!("*{t}*")),
        1 => words(1..3).prop_map(|t| format!("**{t}**")),
        1 => letters(LATIN_LETTERS, 1..8).prop_map(|t| format!("`{t}`")),
        1 => (words(1..3), 1..=chapters).prop_map(|(t, k)| format!("[{t}]({k:02}.md)")),
    ]
}

fn paragraph(chapters: usize, length: Range<usize>) -> impl Strategy<Value = String> {
    prop::collection::vec(inline(chapters), length).prop_map(|pieces| pieces.join(" "))
}

/// The cells of a table row.
fn row(columns: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(words(1..3), columns)
        .prop_map(|cells| format!("| {} |", cells.join(" | ")))
}

/// A block of a chapter. `@` stands for the block's number (a note's
/// label, unique in the chapter).
fn block(chapters: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => paragraph(chapters, 1..30),
        1 => (2..4usize, words(1..5)).prop_map(|(level, t)| format!("{} {t}", "#".repeat(level))),
        1 => (any::<bool>(), prop::collection::vec(paragraph(chapters, 1..6), 1..5)).prop_map(
            |(ordered, items)| {
                let marker = |n: usize| if ordered { format!("{}.", n + 1) } else { "-".into() };
                let lines: Vec<String> =
                    items.iter().enumerate().map(|(n, item)| format!("{} {item}", marker(n))).collect();
                lines.join("\n")
            }
        ),
        1 => (2..4usize).prop_flat_map(|columns| {
            (row(columns), prop::collection::vec(row(columns), 1..5)).prop_map(move |(head, body)| {
                format!("{head}\n|{}\n{}", "---|".repeat(columns), body.join("\n"))
            })
        }),
        1 => prop::collection::vec(letters(LATIN_LETTERS, 1..20), 1..4)
            .prop_map(|lines| format!("```\n{}\n```", lines.join("\n"))),
        1 => paragraph(chapters, 1..10).prop_map(|t| format!("> {t}")),
        1 => (paragraph(chapters, 1..10), words(1..12))
            .prop_map(|(t, note)| format!("{t}[^n@]\n\n[^n@]: {note}")),
    ]
}

fn chapter(chapters: usize) -> impl Strategy<Value = String> {
    (words(1..5), prop::collection::vec(block(chapters), 1..8)).prop_map(|(title, blocks)| {
        let blocks: Vec<String> = blocks
            .iter()
            .enumerate()
            .map(|(n, block)| block.replace('@', &n.to_string()))
            .collect();
        format!("# {title}\n\n{}\n", blocks.join("\n\n"))
    })
}

/// A book: one to [`MAX_CHAPTERS`] chapters, linking to one another.
fn book_chapters() -> impl Strategy<Value = Vec<String>> {
    (1..=MAX_CHAPTERS).prop_flat_map(|n| prop::collection::vec(chapter(n), n))
}

fn sources(chapters: &[String]) -> Vec<SourceFile> {
    chapters
        .iter()
        .enumerate()
        .map(|(index, text)| SourceFile::new(format!("{:02}.md", index + 1), text.as_str()))
        .collect()
}

/// The book built, panicking with what went wrong when it has an error.
fn build(chapters: &[String]) -> harness::Built {
    build_with("", chapters)
}

/// The book built with `config` as its `book.toml`.
fn build_with(config: &str, chapters: &[String]) -> harness::Built {
    let book = harness::book(config, sources(chapters), Vec::new()).expect("book.toml loads");
    let built = harness::build(Some(book)).expect("the generated book parses");
    assert!(
        !built.found.has_errors(),
        "errors in a generated book:\n{}",
        built.found
    );
    built
}

fn pages(built: &harness::Built) -> &Pages {
    built
        .pages
        .as_ref()
        .unwrap_or_else(|e| panic!("layout failed: {e}"))
}

/// Characters a line may leave without a glyph: spaces (at a break, or
/// drawn as a gap) and invisible controls.
fn may_go_unseen(c: char) -> bool {
    c.is_whitespace() || common::is_bidi_control(c)
}

/// The glyph runs of running text on `page`: those whose baseline is in
/// one of its line boxes, each once, without added hyphens.
fn running_text(page: &Page) -> impl Iterator<Item = &GlyphRun> {
    let boxes = line_boxes(page);
    page.items.iter().filter_map(move |item| match item {
        Item::Glyphs(run)
            if !is_added_hyphen(run)
                && boxes.iter().any(|b| run.y >= b.top && run.y <= b.bottom) =>
        {
            Some(run)
        }
        _ => None,
    })
}

/// Whether `ranges` (sorted, none overlapping) leave only characters that
/// [`may_go_unseen`] of `text` uncovered; else the first one left out.
fn left_out(text: &str, ranges: &[Range<usize>]) -> Option<String> {
    let mut covered = 0;
    for range in ranges.iter().chain([&(text.len()..text.len())]) {
        let skipped = &text[covered..range.start];
        if !skipped.chars().all(may_go_unseen) {
            return Some(skipped.to_string());
        }
        covered = range.end;
    }
    None
}

/// Checks that every character of every paragraph set in `pages` is set
/// once: the glyphs' source ranges, whatever their visual order, do not
/// overlap, in a line, a page or the book; what no glyph sets is only
/// spaces and invisible controls. A paragraph set whole again on a later
/// page is a table's head row repeated there.
fn check_every_character_once(built: &harness::Built) -> Result<(), TestCaseError> {
    let pages = pages(built);
    // Per paragraph text: the source ranges set so far.
    let mut set: BTreeMap<*const u8, (Arc<str>, Vec<Range<usize>>)> = BTreeMap::new();
    for (number, page) in pages.pages.iter().enumerate().map(|(i, p)| (i + 1, p)) {
        let mut on_page: BTreeMap<*const u8, (Arc<str>, Vec<Range<usize>>)> = BTreeMap::new();
        for run in running_text(page) {
            let (_, ranges) = on_page
                .entry(run.text.as_ptr())
                .or_insert_with(|| (run.text.clone(), Vec::new()));
            // Several glyphs (a letter and its mark) may share a cluster.
            for glyph in run
                .glyphs
                .iter()
                .filter(|g| !g.kashida && g.start() < g.text_range().end)
            {
                if !ranges.contains(&glyph.text_range()) {
                    ranges.push(glyph.text_range());
                }
            }
        }
        for (key, (text, mut ranges)) in on_page {
            ranges.sort_by_key(|r| (r.start, r.end));
            for pair in ranges.windows(2) {
                prop_assert!(
                    pair[0].end <= pair[1].start,
                    "page {number} sets {:?} and {:?} of paragraph {:?}",
                    &text[pair[0].clone()],
                    &text[pair[1].clone()],
                    &*text
                );
            }
            let (_, before) = set.entry(key).or_insert_with(|| (text.clone(), Vec::new()));
            let again = ranges
                .iter()
                .any(|r| before.iter().any(|b| r.start < b.end && b.start < r.end));
            if again {
                prop_assert_eq!(
                    left_out(&text, &ranges),
                    None,
                    "page {} sets again part of paragraph {:?}",
                    number,
                    &*text
                );
            } else {
                before.extend(ranges);
            }
        }
    }
    prop_assert!(!set.is_empty(), "no running text at all");
    for (text, mut ranges) in set.into_values() {
        ranges.sort_by_key(|r| (r.start, r.end));
        prop_assert_eq!(left_out(&text, &ranges), None, "in paragraph {:?}", &*text);
    }
    Ok(())
}

/// Checks that the lines of each paragraph are placed on the pages once
/// each: line `i` of a paragraph of `n` lines, for every `i < n`. A
/// paragraph placed whole again on a later page is a table's head row
/// repeated there.
fn check_every_line_once(built: &harness::Built) -> Result<(), TestCaseError> {
    let pages = pages(built);
    // Per paragraph: its number of lines and which were placed.
    let mut placed: BTreeMap<u32, (u32, Vec<u32>)> = BTreeMap::new();
    for (number, page) in pages.pages.iter().enumerate().map(|(i, p)| (i + 1, p)) {
        let mut on_page: BTreeMap<u32, (u32, Vec<u32>)> = BTreeMap::new();
        for line in line_boxes(page) {
            let (paragraph, index, count) = line.paragraph;
            prop_assert!(index < count, "page {}: line {:?}", number, line.paragraph);
            on_page
                .entry(paragraph)
                .or_insert((count, Vec::new()))
                .1
                .push(index);
        }
        for (paragraph, (count, mut indices)) in on_page {
            indices.sort_unstable();
            let (before_count, before) = placed.entry(paragraph).or_insert((count, Vec::new()));
            prop_assert_eq!(
                *before_count,
                count,
                "paragraph {}'s number of lines",
                paragraph
            );
            if indices.iter().any(|i| before.contains(i)) {
                prop_assert_eq!(
                    &indices,
                    &(0..count).collect::<Vec<u32>>(),
                    "page {} places again lines of paragraph {}",
                    number,
                    paragraph
                );
            } else {
                before.extend(indices);
            }
        }
    }
    prop_assert!(!placed.is_empty(), "no lines at all");
    for (paragraph, (count, mut indices)) in placed {
        indices.sort_unstable();
        prop_assert_eq!(
            indices,
            (0..count).collect::<Vec<u32>>(),
            "the lines of paragraph {} placed",
            paragraph
        );
    }
    Ok(())
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // Each case lays out a book: shrink a failure, but not forever.
        max_shrink_iters: 200,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(8))]

    /// Any such book builds with no error, and `qpdf --check` accepts its
    /// PDF.
    #[test]
    fn builds_to_a_pdf_qpdf_accepts(chapters in book_chapters()) {
        if !common::have_tools(&["qpdf"]) {
            return Ok(());
        }
        let built = build(&chapters);
        let pdf = built.pdf.as_ref().expect("laid out").as_ref().unwrap_or_else(|e| panic!("{e}"));
        built.epub.as_ref().unwrap_or_else(|e| panic!("{e}"));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.pdf");
        std::fs::write(&path, pdf).unwrap();
        let check = common::run("qpdf", &["--check", common::arg(&path)]);
        prop_assert!(
            check.status.success(),
            "qpdf --check: {}\n{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
    }

    /// Bidi reordering and line breaking set every character once.
    #[test]
    fn lines_set_every_character_once(chapters in book_chapters()) {
        check_every_character_once(&build(&chapters))?;
    }

    /// Pagination places every line once.
    #[test]
    fn pages_place_every_line_once(chapters in book_chapters()) {
        check_every_line_once(&build(&chapters))?;
    }
}

/// A `book.toml` for lines justified by their spaces alone.
const SPACE_JUSTIFIED: &str = "[layout]\njustify = \"space\"\n";

/// The PDF of a one-chapter book (`config` its `book.toml`) whose chapter
/// is `paragraph` under an Arabic title, written to `dir`.
fn pdf_of(config: &str, paragraph: &str, dir: &std::path::Path) -> PathBuf {
    let built = build_with(config, &[format!("# عنوان\n\n{paragraph}\n")]);
    let pdf = built
        .pdf
        .expect("laid out")
        .unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join("book.pdf");
    std::fs::write(&path, pdf).unwrap();
    path
}

proptest! {
    #![proptest_config(config(12))]

    /// A paragraph of Arabic words among which stand Latin and Cyrillic
    /// words and numbers, shaped, broken into lines and written to the
    /// PDF, reads back in poppler word for word: each word's characters in
    /// order, whatever the glyphs HarfBuzz chose (spaces aside: poppler
    /// splits a word at a wide gap between two of its glyphs). The order of
    /// the words is poppler's own: it cuts a justified line at its wider
    /// spaces and orders the pieces by the page's most common direction.
    #[test]
    fn pdftotext_reads_back_every_word(paragraph in plain_words(1..50)) {
        if !common::have_tools(&["pdftotext"]) {
            return Ok(());
        }
        let dir = tempfile::tempdir().unwrap();
        let text = common::pdftotext(&pdf_of("", &paragraph, dir.path()), None, false);
        let read = common::squash(&text);
        for word in paragraph.split(' ') {
            prop_assert!(
                read.contains(word),
                "{word:?} of {paragraph:?} is not in what pdftotext reads:\n{text}"
            );
        }
    }
}

proptest! {
    #![proptest_config(config(12))]

    /// A paragraph of Arabic prose, justified by its spaces or by
    /// kashidas, reads back in pdf.js exactly: each line in logical order,
    /// one space between words, whatever HarfBuzz did with the glyphs.
    #[test]
    fn pdfjs_reads_back_arabic_exactly(words in prop::collection::vec(select(SEED_WORDS.clone()), 1..50)) {
        if !common::have_pdfjs() {
            return Ok(());
        }
        let paragraph = words.join(" ");
        for config in [SPACE_JUSTIFIED, ""] {
            let dir = tempfile::tempdir().unwrap();
            let text = common::pdfjs_text(&pdf_of(config, &paragraph, dir.path()));
            prop_assert!(
                text.replace('\n', " ").contains(&paragraph),
                "{paragraph:?} is not in what pdf.js reads ({config:?}):\n{text}"
            );
        }
    }
}

proptest! {
    // EPUBCheck takes seconds a book: a few books of several chapters.
    #![proptest_config(config(2))]

    /// EPUBCheck accepts the EPUB of any such book.
    #[test]
    fn builds_to_an_epub_epubcheck_accepts(
        chapters in (MAX_CHAPTERS..=MAX_CHAPTERS).prop_flat_map(|n| prop::collection::vec(chapter(n), n))
    ) {
        let built = build(&chapters);
        let epub = built.epub.as_ref().unwrap_or_else(|e| panic!("{e}"));
        common::epub::assert_epubcheck_clean("generated.epub", epub);
    }
}
