//! What no PDF gives two extractors at once: MuPDF 1.21 (Debian's) keeps
//! characters in the order they are drawn and never reorders right-to-left
//! text, while pdf.js reads each text item as drawn left to right and turns
//! it round. Minimal PDFs of one line, «السلام عليكم في الرباط», drawn by
//! krilla (what warraq writes with) in three ways, show it: drawn left to
//! right (as warraq draws), pdf.js gives the line and MuPDF gives it
//! reversed; drawn glyph by glyph from the right, MuPDF gives the line and
//! pdf.js does not; and MuPDF 1.21 reads no `/ActualText` (the line in a
//! span whose text is the line comes out reversed all the same). So
//! warraq's MuPDF 1.21 figure (0) is that reader's own limit, chosen
//! against pdf.js's. MuPDF 1.28 turns such a line round, but not its
//! runs: on a line with a number no drawing order tried serves both it
//! and pdf.js either.
//!
//! What pdf.js makes of the haraka of a right-to-left line's last letter,
//! the first glyph drawn (leftmost) on its line: pdf.js never checks where
//! a mark is drawn; it adds it to the text item it is making, and decides
//! that a line has ended only at the next letter. Drawn before its letter
//! (so that pdf.js, turning the line round, would put it after the letter),
//! the haraka joins the line before; drawn after its letter, it comes out
//! before it; drawn after the whole line, in marked content of its own
//! (which ends pdf.js's text item), it comes out after the line's text, on
//! its letter, which is how warraq draws it (`pdf::text::lead_marks`).
//! Nor does poppler give vocalised lines back, whichever way their marks
//! are mapped and whatever the order their glyphs are drawn in; nor does
//! pdf.js read the space between two pieces of a right-to-left line set in
//! different faces (a bold phrase) drawn in reading order, even with the
//! spaces at their ends drawn on their own.

use crate::common;

use std::path::Path;

use harfbuzz_rs::{ClusterLevel, Direction, Face, Font, UnicodeBuffer, shape};
use krilla::Document;
use krilla::geom::Point;
use krilla::page::PageSettings;
use krilla::surface::Surface;
use krilla::tagging::{ContentTag, SpanTag};
use krilla::text::{Font as PdfFont, GlyphId, KrillaGlyph};

const LINE: &str = "السلام عليكم في الرباط";
const SIZE: f32 = 20.0;
/// Where [`minimal_pdf`] and [`pieces_pdf`] draw their line.
const BASELINE: f32 = 50.0;

/// `line` shaped right to left with the face `data` (see [`shaped_in`]),
/// its clusters at `level`: with characters, each mark is a cluster of its
/// own.
fn shaped_text(data: &[u8], line: &str, level: ClusterLevel) -> Vec<KrillaGlyph> {
    shaped_in(data, line, level, Direction::Rtl)
}

/// `line` shaped with the face `data` in `direction`: glyphs in HarfBuzz's
/// (visual) order with their text ranges and advances in em.
fn shaped_in(
    data: &[u8],
    line: &str,
    level: ClusterLevel,
    direction: Direction,
) -> Vec<KrillaGlyph> {
    let face = Face::from_bytes(data, 0);
    let font = Font::new(face);
    let upem = font.face().upem() as f32;
    let buffer = UnicodeBuffer::new()
        .add_str(line)
        .set_direction(direction)
        .set_cluster_level(level);
    let output = shape(&font, buffer, &[]);
    let infos = output.get_glyph_infos();
    let positions = output.get_glyph_positions();
    let clusters: Vec<usize> = infos.iter().map(|i| i.cluster as usize).collect();
    infos
        .iter()
        .zip(positions)
        .map(|(info, position)| {
            let start = info.cluster as usize;
            // A cluster ends where the next one (in the text) starts.
            let end = clusters
                .iter()
                .copied()
                .filter(|&c| c > start)
                .min()
                .unwrap_or(line.len());
            KrillaGlyph {
                glyph_id: GlyphId::new(info.codepoint),
                text_range: start..end,
                x_advance: position.x_advance as f32 / upem,
                x_offset: position.x_offset as f32 / upem,
                y_offset: position.y_offset as f32 / upem,
                y_advance: 0.0,
                location: None,
            }
        })
        .collect()
}

/// How [`minimal_pdf`] draws its line.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Drawing {
    /// Left to right in one text showing (as warraq draws).
    LeftToRight,
    /// Run by run in reading order, each left to right.
    RunByRun,
    /// In logical order: a right-to-left run glyph by glyph from the
    /// right, a left-to-right one left to right.
    InLogicalOrder,
    /// Left to right, in a span whose `/ActualText` is the line.
    WithActualText,
}

/// A glyph of a line of runs ([`line_of_runs`]).
#[derive(Clone)]
struct Placed {
    /// The run it is of.
    run: usize,
    /// Where it is drawn.
    x: f32,
    /// With its range in the line.
    glyph: KrillaGlyph,
}

/// The line of `runs` (in logical order, each with its direction) and its
/// glyphs left to right from x = 20: the runs from the last, each shaped
/// in its direction, by characters, with the face `data` gives for its
/// index.
fn line_of_runs<'a>(
    runs: &[(&str, Direction)],
    data: impl Fn(usize) -> &'a [u8],
) -> (String, Vec<Placed>) {
    let line: String = runs.iter().map(|(text, _)| *text).collect();
    let mut placed = Vec::new();
    let mut start = line.len();
    let mut x = 20.0;
    for (run, (text, direction)) in runs.iter().enumerate().rev() {
        start -= text.len();
        for glyph in shaped_in(
            data(run),
            text,
            ClusterLevel::MonotoneCharacters,
            *direction,
        ) {
            let advance = glyph.x_advance;
            let range = glyph.text_range.start + start..glyph.text_range.end + start;
            placed.push(Placed {
                run,
                x,
                glyph: KrillaGlyph {
                    text_range: range,
                    ..glyph
                },
            });
            x += advance * SIZE;
        }
    }
    (line, placed)
}

/// The glyphs of run `run` among `placed`, left to right.
fn of_run(placed: &[Placed], run: usize) -> Vec<Placed> {
    placed.iter().filter(|p| p.run == run).cloned().collect()
}

/// Draws `glyph` of `line` on its own at `at`, copying out as its text.
fn draw_glyph(surface: &mut Surface, font: &PdfFont, line: &str, at: Point, glyph: &KrillaGlyph) {
    let text = &line[glyph.text_range.clone()];
    let one = [KrillaGlyph {
        text_range: 0..text.len(),
        ..glyph.clone()
    }];
    surface.draw_glyphs(at, &one, font.clone(), text, SIZE, false);
}

/// Draws `glyphs` of `line` (left to right, each range in the line) in one
/// text showing from where the first is.
fn draw_left_to_right(surface: &mut Surface, font: &PdfFont, line: &str, glyphs: &[Placed]) {
    let Some(first) = glyphs.first() else { return };
    let glyphs: Vec<KrillaGlyph> = glyphs.iter().map(|p| p.glyph.clone()).collect();
    let (text, drawn) = in_drawing_order(&glyphs, line);
    let at = Point::from_xy(first.x, BASELINE);
    surface.draw_glyphs(at, &drawn, font.clone(), &text, SIZE, false);
}

/// A one-page PDF of the line of `runs`, drawn as `drawing` says; its
/// text.
fn minimal_pdf(path: &Path, runs: &[(&str, Direction)], drawing: Drawing) -> String {
    let amiri = amiri();
    let (line, placed) = line_of_runs(runs, |_| &amiri.data);
    let font = PdfFont::new(amiri.data.to_vec().into(), 0).expect("Amiri loads");
    let mut document = Document::new();
    let mut page = document.start_page_with(PageSettings::from_wh(400.0, 100.0).unwrap());
    let mut surface = page.surface();
    match drawing {
        Drawing::LeftToRight => draw_left_to_right(&mut surface, &font, &line, &placed),
        Drawing::WithActualText => {
            surface.start_tagged(ContentTag::Span(actual_text(&line)));
            draw_left_to_right(&mut surface, &font, &line, &placed);
            surface.end_tagged();
        }
        Drawing::RunByRun => {
            for run in 0..runs.len() {
                draw_left_to_right(&mut surface, &font, &line, &of_run(&placed, run));
            }
        }
        Drawing::InLogicalOrder => {
            for (run, (_, direction)) in runs.iter().enumerate() {
                let glyphs = of_run(&placed, run);
                if *direction == Direction::Ltr {
                    draw_left_to_right(&mut surface, &font, &line, &glyphs);
                    continue;
                }
                for p in glyphs.iter().rev() {
                    let at = Point::from_xy(p.x, BASELINE);
                    draw_glyph(&mut surface, &font, &line, at, &p.glyph);
                }
            }
        }
    }
    surface.finish();
    page.finish();
    std::fs::write(path, document.finish().expect("the PDF")).unwrap();
    line
}

/// What `read` makes of the line of `runs` drawn each way of `drawings`, a
/// minimal PDF each ([`minimal_pdf`]); `read` is given the PDF, the line
/// and how it was drawn.
fn read_drawn<T>(
    runs: &[(&str, Direction)],
    drawings: &[Drawing],
    read: impl Fn(&Path, &str, Drawing) -> T,
) -> Vec<T> {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("line.pdf");
    drawings
        .iter()
        .map(|&drawing| {
            let line = minimal_pdf(&pdf, runs, drawing);
            read(&pdf, &line, drawing)
        })
        .collect()
}

/// A span whose text is `text` (`/ActualText`).
fn actual_text(text: &str) -> SpanTag<'_> {
    let mut span = SpanTag::empty();
    span.actual_text = Some(text);
    span
}

fn amiri() -> warraq::fonts::FontFace {
    builtin("Amiri-Regular.ttf")
}

/// warraq's built-in face from the file `file_name`.
fn builtin(file_name: &str) -> warraq::fonts::FontFace {
    warraq::fonts::FontLibrary::builtin()
        .faces
        .into_iter()
        .find(|f| f.file_name == file_name)
        .expect("a built-in face")
}

/// `glyphs` of `line` with the text in drawing order, so that ranges only
/// grow: krilla cuts a run whose ranges go back into pieces marked
/// /ReversedChars, which pdf.js turns round one by one (warraq does the
/// same, see `pdf::text::line_text`).
fn in_drawing_order(glyphs: &[KrillaGlyph], line: &str) -> (String, Vec<KrillaGlyph>) {
    let mut text = String::new();
    let mut drawn: Vec<KrillaGlyph> = Vec::new();
    for (i, glyph) in glyphs.iter().enumerate() {
        // A glyph of the cluster before shares its text.
        let shares = i > 0 && glyphs[i - 1].text_range == glyph.text_range;
        let range = if shares {
            drawn[i - 1].text_range.clone()
        } else {
            let from = text.len();
            text.push_str(&line[glyph.text_range.clone()]);
            from..text.len()
        };
        drawn.push(KrillaGlyph {
            text_range: range,
            ..glyph.clone()
        });
    }
    (text, drawn)
}

/// How the mark a right-to-left line starts with (drawn first, at its
/// left end, over the line's last letter) is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Lead {
    /// First, before its letter.
    First,
    /// After its letter.
    AfterLetter,
    /// After the rest of the line, in marked content of its own.
    AfterLine,
}

/// What `/ActualText` [`two_lines_pdf`] gives each line.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Actual {
    None,
    /// The line.
    Line,
    /// The line turned round character by character.
    Turned,
}

/// A one-page PDF of two right-to-left lines, each drawn left to right in
/// one text showing, with clusters at `level` (by characters, each mark
/// copies out as itself; by graphemes, a letter's marks share its text);
/// the second line's first mark drawn as `lead` says. Each line is marked
/// content of its own, as warraq marks lines; a span whose `/ActualText`
/// is the line, or the line turned round character by character, when
/// `actual` says so.
fn two_lines_pdf(path: &Path, lines: [&str; 2], level: ClusterLevel, lead: Lead, actual: Actual) {
    let amiri = amiri();
    let font = PdfFont::new(amiri.data.to_vec().into(), 0).expect("Amiri loads");
    let mut document = Document::new();
    let mut page = document.start_page_with(PageSettings::from_wh(400.0, 140.0).unwrap());
    let mut surface = page.surface();
    for (index, (line, y)) in lines.into_iter().zip([40.0, 90.0]).enumerate() {
        let mut glyphs = shaped_text(&amiri.data, line, level);
        let starts_with_mark = glyphs.len() > 1 && glyphs[0].x_advance == 0.0;
        let mut after = None;
        if index == 1 && starts_with_mark {
            match lead {
                Lead::First => {}
                Lead::AfterLetter => {
                    // The mark moves after its letter, and back by the
                    // letter's advance to where it was drawn.
                    glyphs.swap(0, 1);
                    glyphs[1].x_offset -= glyphs[0].x_advance;
                }
                Lead::AfterLine => after = Some(glyphs.remove(0)),
            }
        }
        let (text, drawn) = in_drawing_order(&glyphs, line);
        let start = Point::from_xy(20.0, y);
        let turned: String = line.chars().rev().collect();
        let tag = match actual {
            Actual::None => ContentTag::Other,
            Actual::Line => ContentTag::Span(actual_text(line)),
            Actual::Turned => ContentTag::Span(actual_text(&turned)),
        };
        surface.start_tagged(tag);
        surface.draw_glyphs(start, &drawn, font.clone(), &text, SIZE, false);
        surface.end_tagged();
        if let Some(mark) = after {
            let (text, drawn) = in_drawing_order(&[mark], line);
            surface.start_tagged(ContentTag::Other);
            surface.draw_glyphs(start, &drawn, font.clone(), &text, SIZE, false);
            surface.end_tagged();
        }
    }
    surface.finish();
    page.finish();
    std::fs::write(path, document.finish().expect("the PDF")).unwrap();
}

fn squashed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn spaceless(text: &str) -> String {
    text.split_whitespace().collect()
}

#[test]
fn no_drawing_order_serves_both_mupdf_1_21_and_pdfjs() {
    if !common::have_tools(&["mutool"]) || !common::have_pdfjs() {
        return;
    }
    let drawings = [
        Drawing::LeftToRight,
        Drawing::InLogicalOrder,
        Drawing::WithActualText,
    ];
    let read = read_drawn(
        &[(LINE, Direction::Rtl)],
        &drawings,
        |pdf, line, drawing| {
            let mupdf = common::run_ok(
                "mutool",
                &["draw", "-q", "-F", "txt", "-o", "-", common::arg(pdf)],
            );
            let (mupdf, pdfjs) = (squashed(&mupdf), squashed(&common::pdfjs_text(pdf)));
            println!("drawn {drawing:?}: MuPDF «{mupdf}», pdf.js «{pdfjs}»");
            (mupdf == line, pdfjs == line)
        },
    );
    // MuPDF 1.21 reads no `/ActualText` either.
    assert_eq!(read, vec![(false, true), (true, false), (false, true)]);
}

/// MuPDF 1.28 (PyMuPDF, as `.ci/run` pins it) takes a right-to-left line
/// drawn left to right for visual order and turns each run of
/// right-to-left characters round where it stands, but never reorders the
/// runs: a number splits the line in two, the halves left in visual order
/// («كلمة طيبة2025 قال في عام»; with a hyphen or a dash between two words,
/// the 4 of the seed book's 37 sentences it misses, README). Drawn run by
/// run in reading order, MuPDF keeps the runs' order but loses the first
/// run's last space (drawn first, at its left end); drawn in logical order,
/// it gives the line, with a line break at each end of the number. But
/// pdf.js, which reads a space only where the next glyph drawn starts
/// right of the last one, joins the number to the words round it when the
/// line is drawn run by run, and loses every space when it is drawn in
/// logical order. With the line as `/ActualText`, MuPDF takes its
/// characters for visual order too and turns its Arabic round. So warraq's
/// MuPDF 1.28 figure on such lines is that reader's own limit, chosen
/// against pdf.js's.
#[test]
fn no_drawing_order_serves_both_mupdf_1_28_and_pdfjs_on_a_line_with_a_number() {
    if !common::have_pymupdf() || !common::have_pdfjs() {
        return;
    }
    const RUNS: [(&str, Direction); 3] = [
        ("قال في عام ", Direction::Rtl),
        ("2025", Direction::Ltr),
        (" كلمة طيبة", Direction::Rtl),
    ];
    let drawings = [
        Drawing::LeftToRight,
        Drawing::RunByRun,
        Drawing::InLogicalOrder,
        Drawing::WithActualText,
    ];
    let read = read_drawn(&RUNS, &drawings, |pdf, line, drawing| {
        let mupdf = squashed(&common::pymupdf_text(pdf));
        let pdfjs = squashed(&common::pdfjs_text(pdf));
        println!("«{line}» drawn {drawing:?}: MuPDF «{mupdf}», pdf.js «{pdfjs}»");
        (
            pdfjs == line,
            mupdf == line,
            spaceless(&mupdf) == spaceless(line),
        )
    });
    // (pdf.js, MuPDF, MuPDF with spaces ignored)
    assert_eq!(
        read,
        [
            (true, false, false),
            (false, false, true),
            (false, true, true),
            (true, false, false),
        ]
    );
}

/// The order [`pieces_pdf`] draws a line's pieces in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Pieces {
    /// In reading order (as warraq draws them).
    InReadingOrder,
    /// Left to right.
    LeftToRight,
    /// In reading order, each space at a piece's end in a showing of its
    /// own between the two pieces.
    SpacesApart,
}

/// A one-page PDF of a right-to-left line of `pieces` (each its text and
/// its face, in reading order), each piece drawn left to right in a text
/// showing of its own ([`line_of_runs`]), the pieces in `order`.
fn pieces_pdf(path: &Path, pieces: &[(&str, &warraq::fonts::FontFace)], order: Pieces) {
    let runs: Vec<(&str, Direction)> = pieces
        .iter()
        .map(|&(text, _)| (text, Direction::Rtl))
        .collect();
    let (line, placed) = line_of_runs(&runs, |run| &pieces[run].1.data);
    let fonts: Vec<PdfFont> = pieces
        .iter()
        .map(|(_, face)| PdfFont::new(face.data.to_vec().into(), 0).expect("the face loads"))
        .collect();
    // Each showing, in reading order: its piece and its glyphs.
    let mut showings: Vec<(usize, Vec<Placed>)> = Vec::new();
    for run in 0..pieces.len() {
        let glyphs = of_run(&placed, run);
        let is_space = |p: &&Placed| &line[p.glyph.text_range.clone()] == " ";
        let apart = order == Pieces::SpacesApart;
        // The spaces at the piece's left end (its last in reading order),
        // then those at its right end (its first).
        let left_spaces = if apart {
            glyphs.iter().take_while(is_space).count()
        } else {
            0
        };
        let (spaces_left, rest) = glyphs.split_at(left_spaces);
        let right_spaces = if apart {
            rest.iter().rev().take_while(is_space).count()
        } else {
            0
        };
        let (middle, spaces_right) = rest.split_at(rest.len() - right_spaces);
        for part in [spaces_right, middle, spaces_left] {
            if !part.is_empty() {
                showings.push((run, part.to_vec()));
            }
        }
    }
    if order == Pieces::LeftToRight {
        showings.reverse();
    }
    let mut document = Document::new();
    let mut page = document.start_page_with(PageSettings::from_wh(400.0, 100.0).unwrap());
    let mut surface = page.surface();
    for (run, glyphs) in showings {
        draw_left_to_right(&mut surface, &fonts[run], &line, &glyphs);
    }
    surface.finish();
    page.finish();
    std::fs::write(path, document.finish().expect("the PDF")).unwrap();
}

/// pdf.js reads a space between two text items only where the second
/// starts right of where the first ended (a space glyph it skips, but for
/// that gap), and it starts a new item at every change of font. The pieces
/// of a right-to-left line (here a bold phrase between two plain ones),
/// drawn in reading order, each start left of where the one before ended:
/// pdf.js joins the words on either side of each change («قرأ
/// الطالبالكتاب الجديدفي المكتبة», as in warraq's PDFs), with the spaces
/// at the pieces' ends in showings of their own between them as well.
/// Drawn left to right, it reads the spaces, but gives the pieces in the
/// order they are drawn, the last first. (What gave pdf.js the spaces, an
/// empty glyph copying out as WORD JOINER so that each piece starts where
/// pdf.js expects it, then a move to where it is drawn, which pdf.js
/// drops, broke poppler's lines: README, "Copying text out of the PDF".)
#[test]
fn pdfjs_reads_no_space_between_pieces_of_a_right_to_left_line() {
    if !common::have_pdfjs() {
        return;
    }
    let (plain, bold) = (amiri(), builtin("Amiri-Bold.ttf"));
    let pieces = [
        ("قرأ الطالب ", &plain),
        ("الكتاب الجديد", &bold),
        (" في المكتبة", &plain),
    ];
    let line: String = pieces.iter().map(|(text, _)| *text).collect();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("pieces.pdf");
    let mut read = Vec::new();
    for order in [
        Pieces::InReadingOrder,
        Pieces::LeftToRight,
        Pieces::SpacesApart,
    ] {
        pieces_pdf(&pdf, &pieces, order);
        let text = squashed(&common::pdfjs_text(&pdf));
        println!("«{line}», the pieces drawn {order:?}: pdf.js «{text}»");
        read.push((text == line, spaceless(&text) == spaceless(&line)));
    }
    // (exactly, with spaces ignored)
    assert_eq!(read, [(false, true), (false, false), (false, true)]);
}

#[test]
fn pdfjs_gives_a_line_its_last_haraka_drawn_after_the_line() {
    if !common::have_pdfjs() {
        return;
    }
    const FIRST: &str = "سلام عليكم";
    let dir = tempfile::tempdir().unwrap();
    let lines = |second: &str, lead: Lead| {
        let pdf = dir.path().join("lines.pdf");
        let level = ClusterLevel::MonotoneCharacters;
        two_lines_pdf(&pdf, [FIRST, second], level, lead, Actual::None);
        let text = common::pdfjs_text(&pdf);
        println!("«{second}», its mark drawn {lead:?}: pdf.js «{text}»");
        text.lines().map(str::to_owned).collect::<Vec<_>>()
    };
    // A bare last letter: both lines come out whole.
    assert_eq!(lines("كَتَب", Lead::First), [FIRST, "كَتَب\u{c}"]);
    // Its haraka drawn first: it joins the line before.
    let first = lines("كَتَبَ", Lead::First);
    assert!(!first.iter().any(|l| l.trim_end_matches('\u{c}') == "كَتَبَ"));
    assert!(first[0].contains('\u{64E}'), "{first:?}");
    // Drawn after its letter: pdf.js, turning the line round, puts it
    // before the letter.
    let after_letter = lines("كَتَبَ", Lead::AfterLetter);
    assert!(
        !after_letter
            .iter()
            .any(|l| l.trim_end_matches('\u{c}') == "كَتَبَ")
    );
    assert!(
        after_letter.iter().any(|l| l.contains("\u{64E}\u{628}")),
        "{after_letter:?}"
    );
    // Drawn after the line, in marked content of its own: on its letter.
    assert_eq!(lines("كَتَبَ", Lead::AfterLine), [FIRST, "كَتَبَ\u{c}"]);
}

/// The order [`glyph_by_glyph_pdf`] draws a line's glyphs in, each where
/// HarfBuzz put it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Order {
    /// From the left, each letter before its marks.
    LettersFirst,
    /// From the right (logical order), each letter before its marks.
    Logical,
}

/// A one-page PDF of two right-to-left lines shaped by characters (each
/// mark copies out as itself), each glyph drawn on its own in `order`.
fn glyph_by_glyph_pdf(path: &Path, lines: [&str; 2], order: Order) {
    let amiri = amiri();
    let font = PdfFont::new(amiri.data.to_vec().into(), 0).expect("Amiri loads");
    let mut document = Document::new();
    let mut page = document.start_page_with(PageSettings::from_wh(400.0, 140.0).unwrap());
    let mut surface = page.surface();
    for (line, y) in lines.into_iter().zip([40.0, 90.0]) {
        let glyphs = shaped_text(&amiri.data, line, ClusterLevel::MonotoneCharacters);
        // Each letter with the marks drawn before it (right to left,
        // HarfBuzz gives a letter's marks first), where each is drawn.
        let mut x = 20.0;
        let mut letters: Vec<Vec<(f32, KrillaGlyph)>> = Vec::new();
        let mut marks = Vec::new();
        for glyph in glyphs {
            let advance = glyph.x_advance;
            marks.push((x, glyph));
            x += advance * SIZE;
            if advance != 0.0 {
                let mut letter = std::mem::take(&mut marks);
                letter.rotate_right(1);
                letters.push(letter);
            }
        }
        if order == Order::Logical {
            letters.reverse();
        }
        for (at, glyph) in letters.into_iter().flatten() {
            draw_glyph(&mut surface, &font, line, Point::from_xy(at, y), &glyph);
        }
    }
    surface.finish();
    page.finish();
    std::fs::write(path, document.finish().expect("the PDF")).unwrap();
}

/// poppler 22.12 turns right-to-left text round character by character:
/// with a letter's marks sharing its text (the cluster mapped to its first
/// glyph, a mark), every haraka lands on the letter before its own; with
/// each mark its own character, poppler starts a new word where a mark
/// overlaps its letter and may sort it into a line of its own (here the
/// fatha on the second line's first letter). Neither gives both lines
/// back, even with spaces ignored; nor does drawing each letter before its
/// marks, from the left or from the right (logical order). poppler reads
/// `/ActualText`, but puts each character where a glyph is and turns the
/// line round again: the line's own text comes out reversed; the line
/// turned round as its text (a file that lies to every other reader)
/// comes out right, with the lines out of order.
#[test]
fn poppler_gives_vocalised_lines_back_with_no_mapping_order_or_actual_text() {
    if !common::have_tools(&["pdftotext"]) {
        return;
    }
    const LINES: [&str; 2] = ["كَتَبَ الوَلَدُ", "سَطْرًا جَمِيلًا"];
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("lines.pdf");
    let mut found = Vec::new();
    let mut read = |how: String| {
        let text = common::pdftotext(&pdf, None, false);
        let text: String = text
            .chars()
            .filter(|&c| !common::is_bidi_control(c))
            .collect();
        println!("{how}: poppler «{text}»");
        // Where each line is found, if it is.
        let at: Vec<Option<usize>> = LINES
            .iter()
            .map(|line| spaceless(&text).find(&spaceless(line)))
            .collect();
        found.push(at);
    };
    for level in [
        ClusterLevel::MonotoneGraphemes,
        ClusterLevel::MonotoneCharacters,
    ] {
        two_lines_pdf(&pdf, LINES, level, Lead::First, Actual::None);
        read(format!("{level:?}"));
    }
    for order in [Order::LettersFirst, Order::Logical] {
        glyph_by_glyph_pdf(&pdf, LINES, order);
        read(format!("{order:?}"));
    }
    for actual in [Actual::Line, Actual::Turned] {
        let level = ClusterLevel::MonotoneCharacters;
        two_lines_pdf(&pdf, LINES, level, Lead::First, actual);
        read(format!("/ActualText {actual:?}"));
    }
    let lines: Vec<usize> = found.iter().map(|at| at.iter().flatten().count()).collect();
    // By graphemes, no line; by characters, the first; drawn letter
    // first, none; with the line as `/ActualText`, none (poppler turns
    // it round).
    assert_eq!(lines[..5], [0, 1, 0, 0, 0]);
    // With the line turned round as `/ActualText` — which every reader
    // that honours it, as the standard says, would then read backwards —
    // both lines, but the second first.
    assert!(
        matches!(found[5][..], [Some(first), Some(second)] if second < first),
        "{:?}",
        found[5]
    );
}

/// poppler 22.12 puts the Arabic comma after a number before it: in the
/// seed book «عام 2025، حيث» came out as «عام ،2025 حيث» (the one
/// sentence of 37 it missed with spaces ignored). It reads the comma,
/// drawn left of the number, as part of the number's left-to-right run
/// (Unicode reads it as right to left there), and it goes by where glyphs
/// are drawn, not by the order they are drawn in: drawn left to right in
/// one showing (as warraq draws), run by run in reading order, or in
/// logical order (the Arabic glyph by glyph from the right), the line
/// comes out the same. What puts it back is a glyph of a right-to-left
/// character between the two, which warraq draws
/// (`line_text` in `src/pdf/text.rs`; `tests/pdf_text.rs` reads the seed
/// book's comma back in its place).
#[test]
fn poppler_puts_the_comma_after_a_number_before_it_in_any_drawing_order() {
    if !common::have_tools(&["pdftotext"]) {
        return;
    }
    // The line's runs in logical order, each with its direction.
    const RUNS: [(&str, Direction); 3] = [
        ("في عام ", Direction::Rtl),
        ("2025", Direction::Ltr),
        ("، حيث", Direction::Rtl),
    ];
    let drawings = [
        Drawing::LeftToRight,
        Drawing::RunByRun,
        Drawing::InLogicalOrder,
    ];
    let read = read_drawn(&RUNS, &drawings, |pdf, line, drawing| {
        let text: String = common::pdftotext(pdf, None, false)
            .chars()
            .filter(|&c| !common::is_bidi_control(c) && !c.is_whitespace())
            .collect();
        println!("«{line}» drawn {drawing:?}: poppler «{text}»");
        text
    });
    // «فيعام2025،حيث» with spaces ignored, were the comma in its place.
    assert_eq!(read, ["فيعام،2025حيث"; 3]);
}
