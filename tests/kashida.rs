//! Kashida justification on the seed book (A5): Arabic words lengthened with
//! tatweels where the classical rules and HarfBuzz allow, spread along the
//! line, so that word spaces stay tighter than with spaces alone; lines
//! exactly as wide as the measure; nothing on a paragraph's last line; the
//! inserted tatweels never in the text that copies out of the PDF.
//!
//! The figures (tatweels a page, widest space, share of lines with kashida)
//! are printed; run with `--nocapture` to see them.

use crate::common;

use std::collections::{BTreeMap, HashSet};

use warraq::diag::Diagnostics;
use warraq::doc::{BlockKind, Direction, Document, Justify, SourcePos, plain_text};
use warraq::fonts::{FontLibrary, Role, Style};
use warraq::layout::Pages;
use warraq::layout::page::{GlyphRun, Item, PlacedGlyph};
use warraq::text::{ParagraphSettings, Shaper, StyledText, TextStyle};

const POINTS_PER_MM: f32 = 72.0 / 25.4;

/// One printed line of a body paragraph.
#[derive(Debug)]
struct Line {
    page: usize,
    /// The baseline, in points from the top of the page.
    baseline: f32,
    /// The paragraph's text.
    text: String,
    /// Left and right ends of the ink's advance box, in points.
    left: f32,
    right: f32,
    /// The paragraph's last line (set ragged, start-aligned).
    last: bool,
    /// Advances of the inter-word spaces.
    spaces: Vec<f32>,
    /// Insertion points of the tatweels on the line (one per kashida).
    kashidas: Vec<usize>,
    /// The line's text, a range of the paragraph's.
    range: std::ops::Range<usize>,
    /// Every glyph of the line, in visual order.
    glyphs: Vec<PlacedGlyph>,
}

struct Book {
    document: Document,
    lines: Vec<Line>,
    /// The text block's width.
    measure: f32,
    /// Amiri's space at the body size: the natural word space.
    natural_space: f32,
}

fn typeset_seed_book(justify: Justify) -> Book {
    let book = warraq::load::load(&common::seed_book()).unwrap_or_else(|e| panic!("{e}"));
    let mut warnings = Diagnostics::default();
    let mut document = warraq::parse::parse(&book, &mut warnings).unwrap_or_else(|e| panic!("{e}"));
    document.layout.justify = justify;
    let fonts = FontLibrary::builtin();
    let pages =
        warraq::layout::typeset(&document, &fonts, &mut warnings).unwrap_or_else(|e| panic!("{e}"));
    let p = &document.page;
    assert_eq!(
        (p.width_mm, p.height_mm),
        (148.0, 210.0),
        "the seed book is A5"
    );
    let measure = (p.width_mm - p.margin_inner_mm - p.margin_outer_mm) * POINTS_PER_MM;
    let natural_space = natural_space(&fonts, p.font_size_pt);
    let paragraphs: HashSet<String> = document
        .chapters
        .iter()
        .flat_map(|c| &c.blocks)
        .filter_map(|b| match &b.kind {
            BlockKind::Paragraph(content) => Some(plain_text(content)),
            _ => None,
        })
        .collect();
    let lines = lines(&pages, &paragraphs);
    Book {
        document,
        lines,
        measure,
        natural_space,
    }
}

fn natural_space(fonts: &FontLibrary, size: f32) -> f32 {
    let shaper = Shaper::new(fonts, "ar");
    let mut styled = StyledText::default();
    let style = TextStyle {
        role: Role::Text,
        style: Style::default(),
        size,
        raise: 0.0,
    };
    styled.push("ب ب", style, SourcePos::default());
    let direction = Some(Direction::Rtl);
    let shaped = shaper.shape(
        styled,
        ParagraphSettings {
            direction,
            ..Default::default()
        },
    );
    shaped.runs[0]
        .glyphs
        .iter()
        .find(|g| g.cluster == "ب".len())
        .expect("a space glyph")
        .x_advance
}

/// The lines of body paragraphs: their runs grouped by page and baseline.
fn lines(pages: &Pages, paragraphs: &HashSet<String>) -> Vec<Line> {
    let mut lines = Vec::new();
    for (index, page) in pages.pages.iter().enumerate() {
        let mut by_baseline: BTreeMap<i64, Vec<&GlyphRun>> = BTreeMap::new();
        for item in &page.items {
            if let Item::Glyphs(run) = item
                && paragraphs.contains(&*run.text)
            {
                by_baseline
                    .entry((run.y * 100.0).round() as i64)
                    .or_default()
                    .push(run);
            }
        }
        for runs in by_baseline.values() {
            let text = runs[0].text.to_string();
            let baseline = runs[0].y;
            let mut runs = runs.clone();
            runs.sort_by(|a, b| a.x.total_cmp(&b.x));
            let glyphs: Vec<PlacedGlyph> =
                runs.iter().flat_map(|r| r.glyphs.iter().copied()).collect();
            let start = glyphs.iter().map(|g| g.start()).min().unwrap_or(0);
            let end = glyphs.iter().map(|g| g.text_range().end).max().unwrap_or(0);
            let mut kashidas: Vec<usize> = glyphs
                .iter()
                .filter(|g| g.kashida)
                .map(|g| g.start())
                .collect();
            // A kashida of several tatweels may be several glyphs.
            kashidas.dedup();
            lines.push(Line {
                page: index,
                baseline,
                left: runs[0].x,
                right: runs
                    .iter()
                    .map(|r| r.x + r.width())
                    .fold(f32::MIN, f32::max),
                last: end >= text.trim_end().len(),
                spaces: glyphs
                    .iter()
                    .filter(|g| &text[g.text_range()] == " ")
                    .map(|g| g.x_advance)
                    .collect(),
                kashidas,
                range: start..end,
                glyphs,
                text,
            });
        }
    }
    lines
}

/// Justified lines: body lines that are not a paragraph's last.
fn justified(book: &Book) -> impl Iterator<Item = &Line> {
    book.lines.iter().filter(|l| !l.last)
}

/// The widest word space on justified lines, over the natural space.
fn widest_space(book: &Book) -> f32 {
    justified(book)
        .flat_map(|l| &l.spaces)
        .fold(0.0f32, |a, &b| a.max(b))
        / book.natural_space
}

/// How many body lines a full page holds. (The seed book's chapters are
/// short and each starts a page, so few of its pages are full: figures "a
/// page" are per this many lines.)
fn lines_per_page(book: &Book) -> f32 {
    // The leading as the pages show it (the distance between two lines of
    // a paragraph), not the constant the layout itself uses.
    let leading = book
        .lines
        .windows(2)
        .filter(|pair| pair[0].page == pair[1].page && pair[0].text == pair[1].text)
        .map(|pair| pair[1].baseline - pair[0].baseline)
        .reduce(f32::min)
        .expect("a paragraph of two lines on one page");
    let p = &book.document.page;
    let area = (p.height_mm - p.margin_top_mm - p.margin_bottom_mm) * POINTS_PER_MM;
    (area / leading).floor()
}

/// The letter before byte `at` of `text`, skipping combining marks.
fn letter_before(text: &str, at: usize) -> Option<char> {
    text[..at]
        .chars()
        .rev()
        .find(|c| !matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}'))
}

#[test]
fn kashida_takes_slack_off_the_spaces() {
    let kashida = typeset_seed_book(Justify::Kashida);
    let space = typeset_seed_book(Justify::Space);

    let kashidas: usize = kashida.lines.iter().map(|l| l.kashidas.len()).sum();
    let per_page = kashidas as f32 / kashida.lines.len() as f32 * lines_per_page(&kashida);
    let lines = justified(&kashida).count();
    let with_kashida = justified(&kashida)
        .filter(|l| !l.kashidas.is_empty())
        .count();
    let (wide_kashida, wide_space) = (widest_space(&kashida), widest_space(&space));
    println!(
        "seed book, A5: {kashidas} kashidas on {} lines, {per_page:.1} a full page; \
         {with_kashida} of {lines} justified lines ({:.0}%) use kashida; \
         widest word space {wide_kashida:.2}× natural with kashida, {wide_space:.2}× with spaces only",
        kashida.lines.len(),
        100.0 * with_kashida as f32 / lines as f32,
    );
    assert!(per_page >= 5.0, "{per_page:.1} kashidas a full page");

    // Spread along the lines, not piled at their ends: about as many in
    // the first half of a line as in the second.
    let first_half = justified(&kashida)
        .flat_map(|l| {
            l.kashidas
                .iter()
                .map(move |&at| (at - l.range.start) * 2 < l.range.len())
        })
        .filter(|&first| first)
        .count();
    let share = first_half as f32 / kashidas as f32;
    println!(
        "{:.0}% of the kashidas are in the first half of their line",
        100.0 * share
    );
    assert!((0.3..=0.7).contains(&share), "{share}");
    assert!(
        wide_kashida < 0.85 * wide_space,
        "widest space {wide_kashida:.2}× with kashida, {wide_space:.2}× without"
    );
}

#[test]
fn justified_lines_fill_the_measure_and_last_lines_have_no_kashida() {
    let book = typeset_seed_book(Justify::Kashida);
    assert!(book.lines.len() > 50, "only {} lines", book.lines.len());
    for line in &book.lines {
        let width = line.right - line.left;
        if line.last {
            assert!(
                line.kashidas.is_empty(),
                "page {}: a last line with kashida: {:?}",
                line.page + 1,
                line.text
            );
            assert!(width <= book.measure + 0.01);
        } else {
            assert!(
                (width - book.measure).abs() <= 0.01,
                "page {}: a justified line {width} pt wide in a measure of {}",
                line.page + 1,
                book.measure
            );
        }
    }
}

#[test]
fn kashidas_only_where_letters_join() {
    let book = typeset_seed_book(Justify::Kashida);
    let mut count = 0;
    for line in &book.lines {
        // Kashidas per word: one place a word.
        let mut words: Vec<&str> = Vec::new();
        for &at in &line.kashidas {
            count += 1;
            let before = letter_before(&line.text, at).unwrap();
            let after = line.text[at..].chars().next().unwrap();
            assert!(
                !"اأإآدذرزوؤة".contains(before),
                "a kashida after the non-joining {before:?} in {:?}",
                &line.text[at.saturating_sub(12)..(at + 12).min(line.text.len())]
            );
            assert!(
                !(before == 'ل' && "اأإآ".contains(after)),
                "a kashida inside lam-alef"
            );
            assert!(
                !after.is_whitespace() && before.is_alphabetic(),
                "a kashida outside a word"
            );
            let start = line.text[..at].rfind(' ').map_or(0, |s| s + 1);
            words.push(&line.text[start..at]);
        }
        let distinct: HashSet<&&str> = words.iter().collect();
        assert_eq!(distinct.len(), words.len(), "two kashidas in one word");
        // The tatweels stand for no text.
        for g in line.glyphs.iter().filter(|g| g.kashida) {
            assert!(g.text_range().is_empty());
        }
    }
    assert!(count > 0);
}

/// The Arabic letters of a text `mutool` extracted, in logical order: mupdf
/// writes each line in visual order, so each line's letters are reversed.
fn mutool_letters(pdf: &std::path::Path) -> String {
    let out = common::scratch().join(format!(
        "{}.txt",
        pdf.file_stem().unwrap().to_string_lossy()
    ));
    common::run_ok(
        "mutool",
        &[
            "draw",
            "-q",
            "-F",
            "txt",
            "-o",
            common::arg(&out),
            common::arg(pdf),
        ],
    );
    let text = std::fs::read_to_string(&out).unwrap();
    for bad in ['\u{0640}', '\u{FFFD}'] {
        assert!(
            !text.contains(bad),
            "mutool reads U+{:04X} in {}",
            bad as u32,
            pdf.display()
        );
    }
    text.lines()
        .flat_map(|line| {
            let letters: Vec<char> = line.chars().filter(|c| is_arabic_letter(*c)).collect();
            letters.into_iter().rev()
        })
        .collect()
}

fn is_arabic_letter(c: char) -> bool {
    c.is_alphabetic() && ('\u{0600}'..='\u{06FF}').contains(&c)
}

/// The book in `source` built by `warraq` with `[layout] justify = "space"`.
fn space_justified_pdf(source: &std::path::Path, name: &str) -> std::path::PathBuf {
    let book = common::scratch().join(name);
    std::fs::create_dir_all(&book).unwrap();
    for entry in std::fs::read_dir(source).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, book.join(path.file_name().unwrap())).unwrap();
        }
    }
    let toml = std::fs::read_to_string(book.join("book.toml")).unwrap();
    std::fs::write(
        book.join("book.toml"),
        format!("{toml}\n[layout]\njustify = \"space\"\n"),
    )
    .unwrap();
    let out = common::scratch().join(format!("{name}-out"));
    let built = common::warraq()
        .args(["build", common::arg(&book), "-o", common::arg(&out)])
        .args(["--format", "pdf"])
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    out.join(format!("{name}.pdf"))
}

#[test]
fn inserted_kashidas_never_copy_out() {
    if !common::have_tools(&["pdftotext", "pdfinfo", "mutool"]) {
        return;
    }
    // The seed book is Arabic, so kashida is its default.
    let book = warraq::load::load(&common::seed_book()).unwrap();
    let document = warraq::parse::parse(&book, &mut Diagnostics::default()).unwrap();
    assert_eq!(document.layout.justify, Justify::Kashida);
    let pdf = &common::seed_pdf().pdf;

    // poppler: every paragraph as in the source, and no tatweel anywhere.
    let text = common::squash(&common::pdftotext(pdf, None, false));
    assert!(!text.contains('\u{0640}') && !text.contains('\u{FFFD}'));
    for chapter in common::chapters(&common::seed_book()) {
        for block in chapter
            .blocks
            .iter()
            .filter(|b| !b.contains(char::is_numeric))
        {
            assert!(
                text.contains(&common::squash(block)),
                "{}: pdftotext does not give back {block:?}",
                chapter.file
            );
        }
    }
    // mupdf 1.21 reads no /ActualText, so it reads each glyph's own text:
    // the letters of every paragraph, and no tatweel, no U+FFFD. Amiri also
    // draws its kashida glyph at the head of some lam clusters, which once
    // read «الكبرى» as «اللكبرى»; that glyph's text is now the invisible
    // ZERO WIDTH JOINER.
    let letters = mutool_letters(pdf);
    assert!(letters.len() > 4000);
    for chapter in common::chapters(&common::seed_book()) {
        for block in &chapter.blocks {
            let block: String = block.chars().filter(|c| is_arabic_letter(*c)).collect();
            assert!(
                letters.contains(&block),
                "{}: mutool does not give back the letters of {block:?}",
                chapter.file
            );
        }
    }
}

/// The words of `text` as `pdftotext` gives them back: split at whitespace,
/// without the bidi controls it adds and the invisible joiners (kashidas',
/// and the word joiners that carry kerning gaps past pdf.js),
/// punctuation apart (it moves `، ` and `. ` beside Arabic to ` ،`, ` .`).
fn copied_words(text: &str) -> Vec<String> {
    let mut spaced = String::new();
    for c in text.chars().filter(|&c| !common::is_invisible(c)) {
        if c.is_ascii_punctuation() || matches!(c, '،' | '؛' | '؟') {
            spaced.extend([' ', c, ' ']);
        } else {
            spaced.push(c);
        }
    }
    spaced.split_whitespace().map(str::to_string).collect()
}

/// The words `pdftotext` reads from `pdf` for `paragraph`: from its first
/// word to its last.
fn copied_paragraph(pdf: &std::path::Path, paragraph: &[String]) -> Vec<String> {
    let words = copied_words(&common::pdftotext(pdf, None, false));
    let first = words
        .windows(2)
        .position(|w| w == &paragraph[..2])
        .unwrap_or_else(|| panic!("{}: the paragraph is not there", pdf.display()));
    let end = &paragraph[paragraph.len() - 2..];
    let len = words[first..]
        .windows(2)
        .position(|w| w == end)
        .map_or(words.len() - first, |i| i + 2);
    words[first..first + len].to_vec()
}

/// Word for word, with the spaces: a kashida is ink between letters, never a
/// word break. poppler breaks a word at any gap over 0.1 em between glyphs
/// (and `pdftotext` puts a space there); the tatweels must fill the gap they
/// open, as text the extractors drop. Amiri's own kerning opens such gaps
/// after a few non-joining letters («تار يخي»), whatever the justification,
/// so the words are compared with those of the same chapter justified with
/// spaces, and both with the source.
#[test]
fn kashida_justified_paragraph_copies_out_word_for_word() {
    if !common::have_tools(&["pdftotext", "pdfinfo"]) {
        return;
    }
    let chapter = std::fs::read_to_string(common::showcase_book().join("03-kashida.md")).unwrap();
    let source = chapter
        .split("\n\n")
        .max_by_key(|block| block.len())
        .unwrap()
        .trim()
        .to_string();

    // The paragraph is set with kashida: its page draws tatweels.
    let typeset = common::typeset(&common::showcase_book());
    let opening: String = source.chars().take(80).collect();
    let page = typeset.page_with(&opening).unwrap();
    let tatweels: usize = typeset.lines(page).iter().map(|l| l.kashidas()).sum();
    assert!(tatweels >= 5, "{tatweels} tatweels on the kashida page");

    let words = copied_words(&source);
    let kashida = copied_paragraph(&common::showcase_pdf().pdf, &words);
    let space = copied_paragraph(
        &space_justified_pdf(&common::showcase_book(), "space-showcase"),
        &words,
    );
    assert!(!kashida.iter().any(|w| w.contains('\u{0640}')));
    let split: Vec<&String> = kashida.iter().filter(|w| !words.contains(w)).collect();
    assert_eq!(
        kashida, space,
        "kashida splits words the space-justified page keeps whole: {split:?}"
    );
    assert_eq!(kashida.concat(), words.concat());
    // The font's own gaps split at most a few words.
    assert!(kashida.len() - words.len() <= 3, "{split:?}");
}

/// The test book set in "Jalt Test": Amiri with wider justification
/// alternates (`jalt`) of some final letters (see its `fonts/README.md`).
fn jalt_book() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/books/jalt")
}

/// The paragraphs of the chapters of the book in `dir`.
fn paragraphs_of(dir: &std::path::Path) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            text.split("\n\n")
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty() && !p.starts_with('#'))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The glyphs `hb-shape` sets `text` in with `font`'s `jalt` feature on and
/// never without it: the font's alternates (the oracle, not our shaper).
fn alternate_glyphs(font: &std::path::Path, text: &str) -> HashSet<u16> {
    let shape = |features: &str| -> HashSet<u16> {
        let out = common::run_ok(
            "hb-shape",
            &[
                &format!("--font-file={}", common::arg(font)),
                "--direction=rtl",
                "--script=arab",
                "--language=ar",
                "--no-glyph-names",
                "--no-positions",
                "--no-clusters",
                &format!("--features={features}"),
                &format!("--text={text}"),
            ],
        );
        out.trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split('|')
            .map(|id| id.parse().unwrap_or_else(|_| panic!("glyph id {id:?}")))
            .collect()
    };
    let plain = shape("");
    shape("jalt").difference(&plain).copied().collect()
}

/// Per printed line (page, baseline) of body text in the family `family`:
/// how many of its glyphs are in `alternates`, and how many are kashidas.
fn alternates_per_line(
    typeset: &common::Typeset,
    family: &str,
    alternates: &HashSet<u16>,
) -> BTreeMap<(usize, i32), (usize, usize)> {
    let mut lines: BTreeMap<(usize, i32), (usize, usize)> = BTreeMap::new();
    for (index, page) in typeset.pages.pages.iter().enumerate() {
        for item in &page.items {
            let Item::Glyphs(run) = item else { continue };
            if typeset.fonts.faces[run.face].family != family {
                continue;
            }
            let line = lines.entry((index, run.y.round() as i32)).or_default();
            line.0 += run
                .glyphs
                .iter()
                .filter(|g| alternates.contains(&g.id))
                .count();
            line.1 += run.glyphs.iter().filter(|g| g.kashida).count();
        }
    }
    lines
}

/// A font with justification alternates: kashida justification gives some
/// words their wider finals first (at most three a line) and lengthens
/// other words with tatweels, on lines whose spaces would otherwise stretch
/// by more than a quarter; justifying with spaces uses none; the text copies
/// out as written (an alternate is its letter).
#[test]
fn wider_alternates_join_kashida_where_the_font_has_them() {
    if !common::have_tools(&["hb-shape", "pdftotext"]) {
        return;
    }
    let dir = jalt_book();
    let paragraphs = paragraphs_of(&dir);
    let alternates = alternate_glyphs(
        &dir.join("fonts/JaltTest-Regular.ttf"),
        &paragraphs.join(" "),
    );
    assert!(!alternates.is_empty(), "the test font has no alternates");

    let typeset = common::typeset(&dir);
    let lines = alternates_per_line(&typeset, "JaltTest", &alternates);
    let widened = lines.values().filter(|(a, _)| *a > 0).count();
    let total: usize = lines.values().map(|(a, _)| a).sum();
    let tatweels: usize = lines.values().map(|(_, k)| k).sum();
    println!(
        "Jalt Test book: {} lines, {widened} with wider alternates ({total} in all), {tatweels} tatweels",
        lines.len()
    );
    assert!(widened > 0, "no line has a wider alternate");
    assert!(tatweels > 0, "alternates and kashida together");
    assert!(lines.values().all(|(a, _)| *a <= 3), "{lines:?}");

    let space = common::scratch().join("jalt-space");
    let _ = std::fs::remove_dir_all(&space);
    std::fs::create_dir_all(space.join("fonts")).unwrap();
    for sub in ["", "fonts"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, space.join(sub).join(path.file_name().unwrap())).unwrap();
            }
        }
    }
    let toml = std::fs::read_to_string(space.join("book.toml")).unwrap();
    std::fs::write(
        space.join("book.toml"),
        format!("{toml}\n[layout]\njustify = \"space\"\n"),
    )
    .unwrap();
    let spaced = alternates_per_line(&common::typeset(&space), "JaltTest", &alternates);
    assert_eq!(spaced.values().map(|(a, k)| a + k).sum::<usize>(), 0);

    let pdf = common::build_pdf(&dir, "jalt").pdf;
    let copied = copied_words(&common::pdftotext(&pdf, None, false)).concat();
    for paragraph in &paragraphs {
        let words = copied_words(paragraph).concat();
        assert!(
            copied.contains(&words),
            "not copied out as written: {paragraph}"
        );
    }
}

/// The words the book's kashidas lengthen, as written: for each inserted
/// tatweel, the word of its line around it.
fn lengthened_words(typeset: &common::Typeset) -> Vec<String> {
    let mut words = Vec::new();
    for index in 0..typeset.pages.pages.len() {
        for line in typeset.lines(index) {
            for (run, glyph) in line.glyphs().filter(|(_, g)| g.kashida) {
                let at = glyph.start();
                let text = &run.text;
                let start = text[..at].rfind(char::is_whitespace).map_or(0, |i| i + 1);
                let end = text[at..]
                    .find(char::is_whitespace)
                    .map_or(text.len(), |i| at + i);
                words.push(text[start..end].to_string());
            }
        }
    }
    words
}

/// pdf.js (Firefox's viewer) ignores /ActualText and cuts its text items
/// at marked content, then puts the pieces of a right-to-left line back in
/// drawing order: a kashida drawn inside a span came out as «الإسل …ـامية».
/// Drawn as glyphs of their own that copy out as U+200D, which pdf.js drops,
/// the lengthened words come out whole, but for those Amiri's kerning
/// breaks in pdf.js with spaces alone too (a wide gap after ر: «كةالمشتر»).
#[test]
fn lengthened_words_copy_out_whole_in_pdfjs() {
    if !common::have_pdfjs() {
        return;
    }
    let typeset = common::typeset(&common::seed_book());
    let lengthened = lengthened_words(&typeset);
    let copied = |pdf: &std::path::Path| -> HashSet<String> {
        copied_words(&common::pdfjs_text(pdf)).into_iter().collect()
    };
    let kashida = copied(&common::seed_pdf().pdf);
    let space = copied(&space_justified_pdf(
        &common::seed_book(),
        "space-seed-pdfjs",
    ));
    let whole = |copied: &HashSet<String>, word: &str| {
        copied_words(word)
            .iter()
            .all(|piece| copied.contains(piece))
    };
    let broken: Vec<&String> = lengthened.iter().filter(|w| !whole(&kashida, w)).collect();
    println!(
        "pdf.js: {} of {} lengthened words copy out whole; broken: {broken:?}",
        lengthened.len() - broken.len(),
        lengthened.len()
    );
    assert!(
        lengthened.len() > 50,
        "{} lengthened words",
        lengthened.len()
    );
    let by_kashida: Vec<&&String> = broken.iter().filter(|w| whole(&space, w)).collect();
    assert!(
        by_kashida.is_empty(),
        "broken by kashida in pdf.js: {by_kashida:?}"
    );
}
