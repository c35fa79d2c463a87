//! Scripts and fonts: Hebrew is set in the Hebrew face warraq ships; a
//! fallback face matches the x-height of the text around it; a quotation's
//! marks are set in one face; a character no face has is reported once;
//! stacked marks never reach into the next line. Read back from the PDFs
//! with poppler, pdf.js and MuPDF.

use crate::common;

use std::path::Path;
use std::sync::OnceLock;

use common::{
    Built, Word, build_pdf, have_pdfjs, have_tools, page_words, pdfjs_text, pdftotext, render_gray,
    repo, run_ok, squash, warnings,
};

fn hebrew() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| build_pdf(&repo().join("tests/books/hebrew"), "hebrew"))
}

fn mixed() -> &'static Built {
    static BUILT: OnceLock<Built> = OnceLock::new();
    BUILT.get_or_init(|| build_pdf(&repo().join("tests/books/mixed-scripts"), "mixed-scripts"))
}

/// Hebrew letters without their points: poppler puts the points of a
/// right-to-left word in an order of its own.
fn hebrew_letters(text: &str) -> String {
    squash(text)
        .chars()
        .filter(|c| !matches!(c, '\u{0591}'..='\u{05C7}'))
        .collect()
}

#[test]
fn hebrew_book_is_set_in_the_hebrew_face_without_warnings() {
    if !have_tools(&["pdffonts", "pdftotext"]) {
        return;
    }
    let built = hebrew();
    assert!(
        !built.stderr.contains("warning:"),
        "the Hebrew book warns:\n{}",
        built.stderr
    );
    let fonts = run_ok("pdffonts", &[common::arg(&built.pdf)]);
    for face in ["NotoSerifHebrew-Regular", "NotoSerifHebrew-Bold"] {
        assert!(fonts.contains(face), "no {face} in the PDF:\n{fonts}");
    }
    let text = hebrew_letters(&pdftotext(&built.pdf, None, false));
    // The title (title page), a heading, and a sentence written without
    // points. (poppler breaks some pointed lines in two: each point's
    // glyph copies out as the point, for pdf.js, and poppler starts a new
    // word where a point overlaps its letter; see the README.)
    for words in ["ספוריהנהר", "הנהרהגדול", "כתובגםבליניקוד:העירהקטנהשעלהגדה"]
    {
        assert!(
            text.contains(words),
            "{words} is not in the PDF's text:\n{text}"
        );
    }
    // Running text with points, points and all, as pdf.js copies it out.
    if !have_pdfjs() {
        return;
    }
    let text = pdfjs_text(&built.pdf);
    let pointed = "בְּרֵאשִׁית הָיָה הַנָּהָר שָׁקֵט";
    assert!(
        text.contains(pointed),
        "{pointed} is not in pdf.js's text:\n{text}"
    );
}

/// `(font name, character)` for every character MuPDF finds on `page`
/// (1-based) of `pdf`, from its structured-text XML.
fn chars_with_fonts(pdf: &Path, page: usize) -> Vec<(String, char)> {
    let xml = run_ok(
        "mutool",
        &[
            "draw",
            "-q",
            "-F",
            "stext",
            "-o",
            "-",
            common::arg(pdf),
            &page.to_string(),
        ],
    );
    let attribute = |line: &str, name: &str| -> Option<String> {
        let start = line.find(&format!(" {name}=\""))? + name.len() + 3;
        let end = start + line[start..].find('"')?;
        Some(line[start..end].to_string())
    };
    let mut font = String::new();
    let mut chars = Vec::new();
    for line in xml.lines() {
        let line = line.trim();
        if line.starts_with("<font ") {
            font = attribute(line, "name").unwrap_or_default();
        } else if line.starts_with("<char ")
            && let Some(c) = attribute(line, "c")
        {
            let c = match c.strip_prefix("&#x").and_then(|h| h.strip_suffix(';')) {
                Some(hex) => char::from_u32(u32::from_str_radix(hex, 16).unwrap()).unwrap(),
                None => match c.as_str() {
                    "&lt;" => '<',
                    "&gt;" => '>',
                    "&amp;" => '&',
                    "&quot;" => '"',
                    "&apos;" => '\'',
                    other => other.chars().next().unwrap(),
                },
            };
            chars.push((font.clone(), c));
        }
    }
    chars
}

/// The page of `pdf` (1-based) whose text has `needle`.
fn page_with(pdf: &Path, needle: &str) -> usize {
    (1..=common::page_count(pdf))
        .find(|&page| squash(&pdftotext(pdf, Some((page, page)), false)).contains(needle))
        .unwrap_or_else(|| panic!("no page of {} has {needle}", pdf.display()))
}

#[test]
fn a_quotations_marks_are_set_in_the_face_of_its_text() {
    if !have_tools(&["mutool", "pdftotext", "pdfinfo"]) {
        return;
    }
    let pdf = &mixed().pdf;
    let chars = chars_with_fonts(pdf, page_with(pdf, "Инвестиционный"));
    let start = chars
        .iter()
        .position(|(_, c)| *c == 'И')
        .unwrap_or_else(|| panic!("no И on the page: {chars:?}"));
    let cyrillic = chars[start].0.as_str();
    let is_mark = |c: char| matches!(c, '«' | '»');
    // The quotation is left to right inside right-to-left text: MuPDF,
    // reading left to right, meets its closing mark first.
    let closing = chars[..start].iter().rev().find(|(_, c)| is_mark(*c));
    let opening = chars[start..].iter().find(|(_, c)| is_mark(*c));
    let all: Vec<&str> = [closing, opening]
        .into_iter()
        .flatten()
        .map(|(f, _)| f.as_str())
        .collect();
    assert_eq!(
        all.len(),
        2,
        "both marks of «Инвестиционный гид»: {chars:?}"
    );
    assert!(
        all.iter().all(|f| *f == cyrillic),
        "«Инвестиционный гид»: marks in {all:?}, the text in {cyrillic}"
    );
}

#[test]
fn a_character_no_face_has_is_reported_once_with_its_count_and_first_place() {
    // 書 fifty times over three chapters (its first on line 3, column 9 of
    // the first); 😀 in the title only, ཀ in an author's name only.
    let line = "هذا سطر 書 فيه حرف لا يوجد في الخطوط، و書 مرة ثانية.\n\n";
    let chapter = |title: &str, lines: usize| format!("# {title}\n\n{}", line.repeat(lines));
    let (one, two, three) = (
        chapter("الأول", 10),
        chapter("الثاني", 10),
        chapter("الثالث", 5),
    );
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("missing");
    common::write_files(
        &book,
        &[
            (
                "book.toml",
                "[book]\ntitle = \"كتاب 😀\"\nauthors = [\"مؤلف\", \"ཀ مؤلف\"]\n".as_bytes(),
            ),
            ("01.md", one.as_bytes()),
            ("02.md", two.as_bytes()),
            ("03.md", three.as_bytes()),
        ],
    );
    let built = build_pdf(&book, "missing");
    let found = warnings(&built.stderr);
    assert_eq!(
        found.len(),
        3,
        "one warning per character:\n{}",
        built.stderr
    );
    let toml = book.join("book.toml");
    let first_chapter = book.join("01.md");
    for (code, count, place) in [
        (
            "U+66F8",
            "used 50 times",
            format!("{}:3:9", first_chapter.display()),
        ),
        ("U+1F600", "used once", format!("{}:2:15", toml.display())),
        ("U+0F40", "used once", format!("{}:3:21", toml.display())),
    ] {
        let (message, at) = found
            .iter()
            .find(|(m, _)| m.contains(code))
            .unwrap_or_else(|| panic!("no warning names {code}:\n{}", built.stderr));
        assert!(message.contains(count), "{message}: not {count}");
        assert_eq!(*at, place, "{message}");
    }
    // Each with the hint to add a font.
    let hints = built
        .stderr
        .matches("= help: put a font that has it")
        .count();
    assert_eq!(hints, 3, "{}", built.stderr);
}

/// Resolution the ink tests render pages at.
const DPI: f32 = 600.0;

/// Pixel rows (at [`DPI`]) within `word`'s box that have ink; `None` when
/// none has.
fn inked_rows(image: &image::GrayImage, word: &Word) -> Option<(u32, u32)> {
    let Word {
        x_min: left,
        y_min: top,
        x_max: right,
        y_max: bottom,
        ..
    } = *word;
    let px = |pt: f32, limit: u32| ((pt * DPI / 72.0).round().max(0.0) as u32).min(limit);
    let (x0, x1) = (px(left, image.width()), px(right, image.width()));
    let (y0, y1) = (px(top, image.height()), px(bottom, image.height()));
    const INK: u8 = 128;
    let rows: Vec<u32> = (y0..y1)
        .filter(|&y| (x0..x1).any(|x| image.get_pixel(x, y).0[0] < INK))
        .collect();
    Some((*rows.first()?, *rows.last()? + 1))
}

#[test]
fn a_fallback_face_is_scaled_to_the_x_height_of_the_text_around_it() {
    if !have_tools(&["pdftotext", "pdftoppm", "pdfinfo"]) {
        return;
    }
    let pdf = &mixed().pdf;
    let page = page_with(pdf, "невесомое");
    let words = page_words(pdf, page);
    let box_of = |needle: &str| {
        words
            .iter()
            .find(|w| w.text.contains(needle))
            .unwrap_or_else(|| panic!("no word {needle} on page {page}: {words:?}"))
    };
    let image = render_gray(pdf, page, DPI);
    // Words of x-height letters only: Cyrillic in Noto Serif, Latin in Amiri.
    let height = |needle: &str| {
        let (top, bottom) = inked_rows(&image, box_of(needle)).expect("the word is inked");
        (bottom - top) as f32
    };
    let (cyrillic, latin) = (height("невесомое"), height("overseas"));
    let ratio = cyrillic / latin;
    assert!(
        (0.92..=1.08).contains(&ratio),
        "Cyrillic x-height {cyrillic} px, Latin {latin} px at {DPI} dpi: ratio {ratio}"
    );
}

/// A blank band this tall (in points) separates two lines' ink.
const BREAK_PT: f32 = 1.0;

#[test]
fn marks_stacked_below_a_line_never_reach_the_next_line() {
    if !have_tools(&["pdftotext", "pdftoppm", "pdfinfo"]) {
        return;
    }
    // Every fourth word ends in an «a» with six acutes above and six grave
    // accents below: the font stacks the ones below far under the baseline.
    let stacked = format!("a{}{}", "\u{301}".repeat(6), "\u{316}".repeat(6));
    let words = "the river ran slowly between green trees while children sat on the bank \
                 and listened to the water";
    let paragraph: Vec<String> = words
        .split(' ')
        .cycle()
        .take(60)
        .enumerate()
        .map(|(i, w)| {
            if i % 4 == 0 {
                format!("{w}{stacked}")
            } else {
                w.to_string()
            }
        })
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("stacks");
    let chapter = format!("# Stacks\n\n{}\n", paragraph.join(" "));
    common::write_files(
        &book,
        &[
            (
                "book.toml",
                b"[book]\ntitle = \"Stacks\"\nlanguage = \"en\"\n",
            ),
            ("01.md", chapter.as_bytes()),
        ],
    );
    let pdf = &build_pdf(&book, "stacks").pdf;
    let page = page_with(pdf, "listened");
    let boxes = page_words(pdf, page);
    let image = render_gray(pdf, page, DPI);
    let px = |pt: f32| (pt * DPI / 72.0).round() as u32;
    let mut checked = 0;
    for stacked_word in boxes.iter().filter(|w| w.text.contains('\u{301}')) {
        let (left, top, right) = (stacked_word.x_min, stacked_word.y_min, stacked_word.x_max);
        // The words of the next line under this one.
        // (Marks pdftotext cannot attach come as words of no width.)
        let Some(next_top) = boxes
            .iter()
            .filter(|b| b.x_max > b.x_min)
            .map(|b| b.y_min)
            .filter(|&y| y > top + 1.0)
            .min_by(f32::total_cmp)
        else {
            continue;
        };
        let under: Vec<&Word> = boxes
            .iter()
            .filter(|b| {
                (b.y_min - next_top).abs() < 0.5
                    && b.x_min < right
                    && b.x_max > left
                    && b.x_max > b.x_min
            })
            .collect();
        let Some(next_bottom) = under.first().map(|b| b.y_max) else {
            continue;
        };
        // Up from the middle of the next line's box, through its letters:
        // the ink that runs on without a clear break (stacked marks may
        // leave hairline gaps between them) must end inside that box.
        let (x0, x1) = (
            px(under.iter().map(|b| b.x_min).fold(left, f32::max)),
            px(under.iter().map(|b| b.x_max).fold(right, f32::min)),
        );
        let inked = |y: u32| (x0..x1).any(|x| image.get_pixel(x, y).0[0] < 128);
        let clear_break = px(BREAK_PT);
        let mut y = px((next_top + next_bottom) / 2.0);
        let mut top = y;
        while y > 0 && top - y <= clear_break {
            y -= 1;
            if inked(y) {
                top = y;
            }
        }
        assert!(
            top >= px(next_top),
            "ink runs from the line at {next_top} pt up to {} pt, into the line above",
            top as f32 * 72.0 / DPI
        );
        checked += 1;
    }
    assert!(
        checked >= 5,
        "only {checked} stacked words had a line under them"
    );
}
