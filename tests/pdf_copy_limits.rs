//! What no PDF gives two extractors at once: MuPDF 1.21 (Debian's) keeps
//! characters in the order they are drawn and never reorders right-to-left
//! text, while pdf.js reads each text item as drawn left to right and turns
//! it round. Two minimal PDFs of one line, «السلام عليكم في الرباط», drawn
//! by krilla (what warraq writes with) in each order, show it: drawn left to
//! right (as warraq draws), pdf.js gives the line and MuPDF gives it
//! reversed; drawn glyph by glyph from the right, MuPDF gives the line and
//! pdf.js does not. So warraq's MuPDF 1.21 figure (0) is that reader's own
//! limit, chosen against pdf.js's.

mod common;

use std::path::Path;

use harfbuzz_rs::{Direction, Face, Font, UnicodeBuffer, shape};
use krilla::Document;
use krilla::geom::Point;
use krilla::page::PageSettings;
use krilla::text::{Font as PdfFont, GlyphId, KrillaGlyph};

const LINE: &str = "السلام عليكم في الرباط";
const SIZE: f32 = 20.0;

/// The line shaped with Amiri: glyphs in HarfBuzz's (visual) order with
/// their text ranges and advances in em.
fn shaped(data: &[u8]) -> Vec<KrillaGlyph> {
    let face = Face::from_bytes(data, 0);
    let font = Font::new(face);
    let upem = font.face().upem() as f32;
    let buffer = UnicodeBuffer::new()
        .add_str(LINE)
        .set_direction(Direction::Rtl);
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
                .unwrap_or(LINE.len());
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

/// A one-page PDF of the line, drawn left to right in one text showing
/// (`logical` false) or glyph by glyph from the right (`logical` true).
fn minimal_pdf(path: &Path, logical: bool) {
    let amiri = warraq::fonts::FontLibrary::builtin()
        .faces
        .into_iter()
        .find(|f| f.file_name == "Amiri-Regular.ttf")
        .expect("Amiri");
    let glyphs = shaped(&amiri.data);
    let font = PdfFont::new(amiri.data.to_vec().into(), 0).expect("Amiri loads");
    let mut document = Document::new();
    let mut page = document.start_page_with(PageSettings::from_wh(400.0, 100.0).unwrap());
    let mut surface = page.surface();
    let start = Point::from_xy(20.0, 50.0);
    if logical {
        let mut x = start.x;
        let placed: Vec<(f32, &KrillaGlyph)> = glyphs
            .iter()
            .map(|g| {
                let at = x;
                x += g.x_advance * SIZE;
                (at, g)
            })
            .collect();
        for (at, glyph) in placed.into_iter().rev() {
            let one = [glyph.clone()];
            let point = Point::from_xy(at, start.y);
            surface.draw_glyphs(point, &one, font.clone(), LINE, SIZE, false);
        }
    } else {
        // The text in drawing order, so that ranges only grow: krilla cuts
        // a run whose ranges go back into pieces marked /ReversedChars,
        // which pdf.js turns round one by one (warraq does the same, see
        // `pdf::text::line_text`).
        let mut text = String::new();
        let mut drawn: Vec<KrillaGlyph> = Vec::new();
        for glyph in &glyphs {
            // A glyph of the cluster before shares its text.
            let shares = drawn
                .len()
                .checked_sub(1)
                .is_some_and(|last| glyphs[last].text_range == glyph.text_range);
            let range = if shares {
                drawn[drawn.len() - 1].text_range.clone()
            } else {
                let from = text.len();
                text.push_str(&LINE[glyph.text_range.clone()]);
                from..text.len()
            };
            drawn.push(KrillaGlyph {
                text_range: range,
                ..glyph.clone()
            });
        }
        surface.draw_glyphs(start, &drawn, font, &text, SIZE, false);
    }
    surface.finish();
    page.finish();
    std::fs::write(path, document.finish().expect("the PDF")).unwrap();
}

fn squashed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn no_drawing_order_serves_both_mupdf_1_21_and_pdfjs() {
    if !common::have_tools(&["mutool"]) || !common::have_pdfjs() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut read = Vec::new();
    for logical in [false, true] {
        let pdf = dir.path().join(format!("line-{logical}.pdf"));
        minimal_pdf(&pdf, logical);
        let mupdf = common::run_ok(
            "mutool",
            &["draw", "-q", "-F", "txt", "-o", "-", common::arg(&pdf)],
        );
        let pdfjs = common::pdfjs_text(&pdf);
        println!(
            "drawn {}: MuPDF «{}», pdf.js «{}»",
            if logical {
                "from the right"
            } else {
                "left to right"
            },
            squashed(&mupdf),
            squashed(&pdfjs)
        );
        read.push((squashed(&mupdf) == LINE, squashed(&pdfjs) == LINE));
    }
    assert_eq!(read, vec![(false, true), (true, false)]);
}
