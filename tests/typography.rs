//! The typography, measured on the page model and held to the bars of the
//! issue: the seed book, a generated book of several hundred pages and the
//! left-to-right books, each figure printed.
//!
//! - no line beyond the text block;
//! - no widows or orphans (a paragraph's single line alone at the foot or
//!   head of a page);
//! - the widest word space on justified lines that end no paragraph, as a
//!   multiple of the face's natural space (HarfBuzz's advance of U+0020):
//!   with kashida clearly tighter than with spaces alone, and at most
//!   [`LATIN_WIDEST_SPACE`] for Latin text with hyphenation;
//! - kashida: at least [`TATWEELS_PER_PAGE`] inserted tatweel glyphs a page
//!   on the seed text, none with `justify = "space"` nor in Latin books.

use crate::common;

use std::collections::{BTreeMap, HashMap};

use common::Typeset;
use common::generate::{self, BookSpec, Script};
use warraq::doc::{Direction, Document};
use warraq::fonts::FontLibrary;
use warraq::layout::dump::{LineEnd, TextLine};
use warraq::layout::page::{GlyphRun, Item, PlacedGlyph, Rect};

/// Points a line may go past the text block's edges: rounding, never a
/// visible overrun.
const BEYOND_TOLERANCE: f32 = 0.5;

/// The widest word space with kashida justification may be at most this
/// share of the widest with spaces alone.
const KASHIDA_TIGHTER: f32 = 0.8;

/// The widest word space in Latin text with hyphenation, in natural spaces.
const LATIN_WIDEST_SPACE: f32 = 2.0;

/// Tatweel glyphs inserted by justification, per page of running text, on
/// the seed book at least.
const TATWEELS_PER_PAGE: f32 = 5.0;

/// What was measured on one book.
#[derive(Debug)]
struct Figures {
    name: String,
    /// Pages with running text (from the first chapter on).
    pages: usize,
    lines: usize,
    /// Justified lines that end no paragraph: where word spaces are judged.
    justified: usize,
    /// Lines going past the text block.
    beyond: Vec<String>,
    /// Paragraphs with a line alone at the foot or head of a page.
    widows_and_orphans: Vec<String>,
    /// The widest word space on those lines, in natural spaces, and where.
    widest_space: f32,
    widest_at: String,
    /// The 95th percentile of those lines' widest spaces.
    p95_space: f32,
    /// The narrowest and widest word spaces on the last lines of
    /// paragraphs (set at their natural width: both near 1 shows the
    /// natural space is measured right).
    final_spaces: (f32, f32),
    /// Justified lines of Arabic text lengthened with kashida, as a share.
    kashida_lines: f32,
    tatweels: usize,
}

impl Figures {
    fn tatweels_per_page(&self) -> f32 {
        self.tatweels as f32 / self.pages.max(1) as f32
    }

    fn print(&self) {
        let widows = self.widows_and_orphans.len();
        println!(
            "{}: {} pages, {} lines ({} justified non-final)\n  \
             lines beyond the text block: {}\n  \
             widows and orphans: {widows}\n  \
             widest word space: {:.2} × natural ({}), 95th percentile {:.2} ×\n  \
             word spaces on paragraphs' last lines: {:.2}–{:.2} × natural\n  \
             justified Arabic lines with kashida: {:.0} %; tatweel glyphs: {} ({:.1} a page)",
            self.name,
            self.pages,
            self.lines,
            self.justified,
            self.beyond.len(),
            self.widest_space,
            self.widest_at,
            self.p95_space,
            self.final_spaces.0,
            self.final_spaces.1,
            self.kashida_lines * 100.0,
            self.tatweels,
            self.tatweels_per_page(),
        );
    }
}

/// HarfBuzz's advance of U+0020 in `face` at `size`, in points.
fn natural_space(fonts: &FontLibrary, face: usize, size: f32) -> f32 {
    let font = harfbuzz_rs::Font::new(harfbuzz_rs::Face::from_bytes(&fonts.faces[face].data, 0));
    let buffer = harfbuzz_rs::UnicodeBuffer::new().add_str(" ");
    let shaped = harfbuzz_rs::shape(&font, buffer, &[]);
    shaped.get_glyph_positions()[0].x_advance as f32 * size / font.face().upem() as f32
}

/// [`natural_space`] of each face and size, once.
struct NaturalSpaces<'a> {
    fonts: &'a FontLibrary,
    known: HashMap<(usize, u32), f32>,
}

impl NaturalSpaces<'_> {
    fn of(&mut self, face: usize, size: f32) -> f32 {
        *self
            .known
            .entry((face, size.to_bits()))
            .or_insert_with(|| natural_space(self.fonts, face, size))
    }
}

fn is_arabic(line: &TextLine) -> bool {
    line.text()
        .chars()
        .any(|c| matches!(c, '\u{0600}'..='\u{06FF}'))
}

/// The paragraphs of which a page has a single line though they have more:
/// widows and orphans. `lines` are the page's (paragraph, index, count).
fn alone(lines: &[(u32, u32, u32)]) -> Vec<u32> {
    // Paragraph → (its lines on this page, its lines in all).
    let mut on_page: BTreeMap<u32, (u32, u32)> = BTreeMap::new();
    for &(paragraph, _, count) in lines {
        on_page.entry(paragraph).or_insert((0, count)).0 += 1;
    }
    on_page
        .into_iter()
        .filter(|(_, (here, count))| *count >= 2 && *here < 2)
        .map(|(paragraph, _)| paragraph)
        .collect()
}

#[test]
fn a_line_alone_on_its_page_is_a_widow_or_an_orphan() {
    // Paragraph 1's last line, paragraph 2 whole, paragraph 3's first two
    // lines: page fine. Then paragraph 3's last, paragraph 4's first.
    assert_eq!(
        alone(&[(1, 3, 5), (1, 4, 5), (2, 0, 1), (3, 0, 4), (3, 1, 4)]),
        Vec::<u32>::new()
    );
    assert_eq!(alone(&[(3, 3, 4), (4, 0, 6)]), [3, 4]);
    assert_eq!(alone(&[(1, 4, 5), (2, 0, 1)]), [1]);
}

/// Points in a millimetre.
const POINTS_PER_MM: f32 = 72.0 / 25.4;

/// The text block of page `index` (0-based) as the book's page settings
/// say, not as the layout computes it: the page less its margins, the inner
/// one on the spine's side (a recto, even index, has its spine on the left
/// in a left-to-right book and on the right in a right-to-left one). In
/// points from the top left of the trimmed page.
fn text_block(document: &Document, index: usize) -> Rect {
    let p = &document.page;
    let recto = index.is_multiple_of(2);
    let left_to_right = document.metadata.direction == Direction::Ltr;
    let left = if recto == left_to_right {
        p.margin_inner_mm
    } else {
        p.margin_outer_mm
    };
    Rect {
        x: left * POINTS_PER_MM,
        y: p.margin_top_mm * POINTS_PER_MM,
        width: (p.width_mm - p.margin_inner_mm - p.margin_outer_mm) * POINTS_PER_MM,
        height: (p.height_mm - p.margin_top_mm - p.margin_bottom_mm) * POINTS_PER_MM,
    }
}

fn measure(name: &str, typeset: &Typeset) -> Figures {
    let mut natural = NaturalSpaces {
        fonts: &typeset.fonts,
        known: HashMap::new(),
    };
    let first = typeset.chapter_start(1);
    let mut figures = Figures {
        name: name.to_string(),
        pages: 0,
        lines: 0,
        justified: 0,
        beyond: Vec::new(),
        widows_and_orphans: Vec::new(),
        widest_space: 0.0,
        widest_at: String::new(),
        p95_space: 0.0,
        final_spaces: (f32::MAX, 0.0),
        kashida_lines: 0.0,
        tatweels: 0,
    };
    let mut line_widest: Vec<f32> = Vec::new();
    let (mut arabic_justified, mut arabic_with_kashida) = (0, 0);
    for index in first..typeset.pages.pages.len() {
        let lines = typeset.lines(index);
        if lines.is_empty() {
            continue;
        }
        figures.pages += 1;
        figures.lines += lines.len();
        let block = text_block(&typeset.document, index);
        // Every line box, a table row's cells each: (paragraph, index, count).
        let boxes = warraq::layout::dump::line_boxes(&typeset.pages.pages[index]);
        let paragraphs: Vec<(u32, u32, u32)> = boxes.iter().map(|b| b.paragraph).collect();
        for paragraph in alone(&paragraphs) {
            figures
                .widows_and_orphans
                .push(format!("page {}, paragraph {paragraph}", index + 1));
        }
        for line in &lines {
            let at = format!("page {}, {:?}", index + 1, line.text());
            let outside = line.left < block.x - BEYOND_TOLERANCE
                || line.right > block.x + block.width + BEYOND_TOLERANCE
                || line.line.top < block.y - BEYOND_TOLERANCE
                || line.line.bottom > block.y + block.height + BEYOND_TOLERANCE;
            if outside {
                figures.beyond.push(at.clone());
            }
            figures.tatweels += line.kashidas();
            let spaces = line
                .spaces()
                .map(|(run, glyph)| glyph.x_advance / natural.of(run.face, run.size));
            if line.end() == LineEnd::Paragraph {
                for space in spaces {
                    let (narrowest, widest) = &mut figures.final_spaces;
                    (*narrowest, *widest) = (narrowest.min(space), widest.max(space));
                }
                continue;
            }
            if !line.justified {
                continue;
            }
            figures.justified += 1;
            if is_arabic(line) {
                arabic_justified += 1;
                if line.kashidas() > 0 {
                    arabic_with_kashida += 1;
                }
            }
            let widest = spaces.fold(0.0, f32::max);
            if widest > 0.0 {
                line_widest.push(widest);
            }
            if widest > figures.widest_space {
                figures.widest_space = widest;
                figures.widest_at = at;
            }
        }
    }
    line_widest.sort_by(f32::total_cmp);
    if !line_widest.is_empty() {
        figures.p95_space = line_widest[(line_widest.len() - 1) * 95 / 100];
    }
    figures.kashida_lines = arabic_with_kashida as f32 / arabic_justified.max(1) as f32;
    figures.print();
    figures
}

/// The bars every book meets.
fn assert_well_set(figures: &Figures) {
    assert!(
        figures.justified > 0,
        "{}: no justified line to judge",
        figures.name
    );
    assert_eq!(
        figures.beyond,
        Vec::<String>::new(),
        "{}: lines beyond the text block",
        figures.name
    );
    assert_eq!(
        figures.widows_and_orphans,
        Vec::<String>::new(),
        "{}: widows and orphans",
        figures.name
    );
}

/// An Arabic book set with kashida and with spaces alone: kashida clearly
/// tighter, with enough tatweels (`tatweels_per_page`, if given).
fn assert_kashida_tighter(kashida: &Figures, space: &Figures, tatweels_per_page: Option<f32>) {
    assert_well_set(kashida);
    assert_well_set(space);
    assert_eq!(
        space.tatweels, 0,
        "{}: kashidas with justify = \"space\"",
        space.name
    );
    assert!(
        kashida.widest_space <= KASHIDA_TIGHTER * space.widest_space,
        "{}: the widest word space with kashida is {:.2} × natural, with spaces alone {:.2} ×: \
         not clearly tighter (at most {KASHIDA_TIGHTER} of it)",
        kashida.name,
        kashida.widest_space,
        space.widest_space
    );
    if let Some(bar) = tatweels_per_page {
        assert!(
            kashida.tatweels_per_page() >= bar,
            "{}: {:.1} tatweel glyphs a page, at least {bar} wanted",
            kashida.name,
            kashida.tatweels_per_page()
        );
    }
}

/// A Latin book with hyphenation.
fn assert_latin_well_set(figures: &Figures) {
    assert_well_set(figures);
    assert_eq!(figures.tatweels, 0, "{}: kashidas in Latin", figures.name);
    assert!(
        figures.widest_space <= LATIN_WIDEST_SPACE,
        "{}: the widest word space is {:.2} × natural ({}); at most {LATIN_WIDEST_SPACE} ×",
        figures.name,
        figures.widest_space,
        figures.widest_at
    );
}

fn generated(spec: &BookSpec) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    generate::write_book(dir.path(), spec).unwrap();
    dir
}

#[test]
fn seed_book_kashida_is_tighter_than_spaces_and_everything_fits() {
    let seed = common::seed_book();
    let space = common::with_layout(&seed, "justify = \"space\"");
    let kashida = measure("seed book, kashida", &common::typeset(&seed));
    let space = measure("seed book, space", &common::typeset(space.path()));
    assert_kashida_tighter(&kashida, &space, Some(TATWEELS_PER_PAGE));
}

/// About 300 pages: the seed chapters cycled, with notes, lists and tables.
const GENERATED_CHAPTERS: usize = 120;

#[test]
fn generated_arabic_book_of_hundreds_of_pages_is_well_set() {
    let kashida = generated(&BookSpec::new(Script::Arabic, GENERATED_CHAPTERS));
    let space = generated(&BookSpec {
        layout: vec!["justify = \"space\"".to_string()],
        ..BookSpec::new(Script::Arabic, GENERATED_CHAPTERS)
    });
    let kashida = measure(
        "generated Arabic book, kashida",
        &common::typeset(kashida.path()),
    );
    let space = measure(
        "generated Arabic book, space",
        &common::typeset(space.path()),
    );
    assert!(
        kashida.pages >= 200,
        "the generated book has {} pages",
        kashida.pages
    );
    assert_kashida_tighter(&kashida, &space, None);
}

#[test]
fn left_to_right_books_with_hyphenation_have_no_wide_spaces() {
    let english = measure(
        "English briefing",
        &common::typeset(&common::english_book()),
    );
    let book = generated(&BookSpec::new(Script::Latin, 40));
    let generated = measure("generated English book", &common::typeset(book.path()));
    assert_latin_well_set(&english);
    assert_latin_well_set(&generated);
}

/// The index of `run` among the items of page `index`.
fn locate(typeset: &Typeset, index: usize, run: &GlyphRun) -> usize {
    typeset.pages.pages[index]
        .items
        .iter()
        .position(|item| matches!(item, Item::Glyphs(r) if std::ptr::eq(r, run)))
        .expect("the run is on the page")
}

fn glyph_run(typeset: &mut Typeset, index: usize, item: usize) -> &mut GlyphRun {
    match &mut typeset.pages.pages[index].items[item] {
        Item::Glyphs(run) => run,
        _ => unreachable!("located as a glyph run"),
    }
}

#[test]
fn the_measurements_see_an_overrun_a_wide_space_and_a_kashida() {
    let mut typeset = common::typeset(&common::seed_book());
    let before = measure("seed book", &typeset);
    let index = typeset.chapter_start(2);
    // Two justified lines that end no paragraph, set in one run each: the
    // first gets a wide space, the second is pushed out of the text block.
    let (wide, pushed) = {
        let lines = typeset.lines(index);
        let mut judged = lines
            .iter()
            .filter(|l| l.justified && l.end() != LineEnd::Paragraph && l.runs.len() == 1)
            .map(|l| locate(&typeset, index, l.runs[0]));
        (judged.next().unwrap(), judged.next().unwrap())
    };

    // One word space five times the natural one, the line's other spaces
    // narrower by as much, so that the line still fills the measure.
    let text_of = |run: &GlyphRun, g: &PlacedGlyph| &run.text[g.text_range()] == " ";
    let run = glyph_run(&mut typeset, index, wide);
    let natural = {
        let (face, size) = (run.face, run.size);
        natural_space(&typeset.fonts, face, size)
    };
    let run = glyph_run(&mut typeset, index, wide);
    let spaces: Vec<usize> = (0..run.glyphs.len())
        .filter(|&i| text_of(run, &run.glyphs[i]))
        .collect();
    let added = natural * 5.0 - run.glyphs[spaces[0]].x_advance;
    let glyphs = std::sync::Arc::make_mut(&mut run.glyphs);
    glyphs[spaces[0]].x_advance += added;
    for &other in &spaces[1..] {
        glyphs[other].x_advance -= added / (spaces.len() - 1) as f32;
    }
    // A glyph marked as an inserted kashida.
    glyphs[0].kashida = true;
    // The other line pushed 20 points to the right.
    glyph_run(&mut typeset, index, pushed).x += 20.0;

    let after = measure("seed book, altered", &typeset);
    assert_eq!(before.beyond.len(), 0);
    assert_eq!(after.beyond.len(), 1, "{:?}", after.beyond);
    assert!(
        (after.widest_space - 5.0).abs() < 0.01,
        "{}",
        after.widest_space
    );
    assert_eq!(after.tatweels, before.tatweels + 1);
}
