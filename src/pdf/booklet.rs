//! The booklet PDF: the print PDF's pages on the sheets [`crate::impose`]
//! plans.
//!
//! Each page is placed once, as a form XObject made from the print PDF's
//! own page (krilla embeds it), so the booklet shows exactly what the print
//! PDF shows, its text stays text and its fonts are embedded once. The
//! page's bleed and marks are cut off at the trim: a booklet is trimmed on
//! the desk, if at all.

use std::sync::Arc;

use krilla::Document as PdfDocument;
use krilla::geom::{PathBuilder, Size, Transform};
use krilla::page::PageSettings;
use krilla::paint::{FillRule, Stroke};
use krilla::pdf::PdfDocument as Embedded;
use krilla::surface::Surface;

use crate::diag::{Code, Diagnostic, Result};
use crate::doc::Document;
use crate::impose::{Imposition, Side};
use crate::layout::page::Rect;
use crate::layout::{POINTS_PER_MM, Skeleton};

/// Fold and trim marks: how long, how far from the page, how thick.
const MARK_LENGTH_MM: f32 = 5.0;
const MARK_OFFSET_MM: f32 = 1.0;
const MARK_WIDTH_PT: f32 = 0.25;

/// The booklet of the print PDF `print`, whose pages are `pages`.
pub fn write(
    document: &Document,
    pages: &Skeleton,
    imposition: &Imposition,
    print: Vec<u8>,
) -> Result<Vec<u8>> {
    let source = read_back(print)?;
    let mut pdf = PdfDocument::new();
    // Given back as one buffer: its pages kept on disk meanwhile would
    // spare no memory at its end.
    pdf.keep_in_memory();
    for side in &imposition.sides {
        let settings =
            PageSettings::from_wh(imposition.width, imposition.height).ok_or_else(|| {
                Diagnostic::error(Code::InvalidValue, "the booklet's sheet size is not valid")
            })?;
        let mut sheet = pdf.start_page_with(settings);
        let mut surface = sheet.surface();
        if side.turned {
            // Half a turn about the sheet's centre.
            surface.push_transform(&Transform::from_row(
                -1.0,
                0.0,
                0.0,
                -1.0,
                imposition.width,
                imposition.height,
            ));
        }
        draw_side(&mut surface, &source, pages, imposition, side);
        if side.turned {
            surface.pop();
        }
        surface.finish();
        sheet.finish();
    }
    pdf.set_metadata(super::metadata(document));
    pdf.finish()
        .map_err(|e| Diagnostic::error(Code::Internal, format!("cannot write the booklet: {e:?}")))
}

/// The print PDF, read back to embed its pages.
fn read_back(print: Vec<u8>) -> Result<Embedded> {
    let pdf = krilla::pdf::Pdf::new(print).map_err(|e| {
        Diagnostic::error(
            Code::Internal,
            format!("cannot read back the PDF to impose it: {e:?}"),
        )
    })?;
    Ok(Embedded::new(Arc::new(pdf)))
}

/// The two pages of `side`, each against the fold and centred from top to
/// bottom, then its marks.
fn draw_side(
    surface: &mut Surface,
    source: &Embedded,
    pages: &Skeleton,
    imposition: &Imposition,
    side: &Side,
) {
    let fold = imposition.width / 2.0;
    let top = (imposition.height - imposition.page_height) / 2.0;
    let halves = [
        (side.left, fold - imposition.page_width + side.creep, 0.0),
        (side.right, fold - side.creep, fold),
    ];
    for (page, x, half) in halves {
        let Some(index) = page else { continue };
        // The trimmed page, kept to its half of the sheet.
        let clip_x = x.max(half);
        let clip_right = (x + imposition.page_width).min(half + fold);
        let Some(clip) = super::rect_path(&Rect {
            x: clip_x,
            y: top,
            width: clip_right - clip_x,
            height: imposition.page_height,
        }) else {
            continue;
        };
        surface.push_clip_path(&clip, &FillRule::NonZero);
        // The print PDF's page is its whole sheet (bleed and marks
        // included); the page model puts the trim's corner at the origin.
        let media = pages.media_box(index);
        let scale = imposition.scale;
        surface.push_transform(&Transform::from_row(
            scale,
            0.0,
            0.0,
            scale,
            x + media.x * scale,
            top + media.y * scale,
        ));
        if let Some(size) = Size::from_wh(media.width, media.height) {
            surface.draw_pdf_page(source, size, index);
        }
        surface.pop();
        surface.pop();
    }
    if imposition.marks {
        draw_marks(surface, imposition, side);
    }
}

/// The room the sheet leaves for marks beyond the mark's offset: beside
/// the pages' outer edges, and above and below them.
fn room_for_marks(imposition: &Imposition) -> (f32, f32) {
    let offset = MARK_OFFSET_MM * POINTS_PER_MM;
    let length = MARK_LENGTH_MM * POINTS_PER_MM;
    let beside = imposition.width / 2.0 - imposition.page_width;
    let above = (imposition.height - imposition.page_height) / 2.0;
    ((beside - offset).min(length), (above - offset).min(length))
}

/// Whether any mark fits on the sheet (see [`draw_marks`]).
pub fn has_room_for_marks(imposition: &Imposition) -> bool {
    room_for_marks(imposition).1 > 0.0
}

/// Where the sheet leaves room for them: on the front of each sheet, a fold
/// mark above and below the fold; on both sides, trim marks at the pages'
/// outer corners. Never on the sheet's edge, where a desk printer does not
/// print. Marks go where the outermost sheet's pages are: every sheet is
/// trimmed there.
fn draw_marks(surface: &mut Surface, imposition: &Imposition, side: &Side) {
    let offset = MARK_OFFSET_MM * POINTS_PER_MM;
    let (width, height) = (imposition.width, imposition.height);
    let fold = width / 2.0;
    let (across, along) = room_for_marks(imposition);
    let top = (height - imposition.page_height) / 2.0;
    let bottom = top + imposition.page_height;
    let mut lines: Vec<((f32, f32), (f32, f32))> = Vec::new();
    if along <= 0.0 {
        return;
    }
    if side.front {
        lines.push(((fold, top - offset), (fold, top - offset - along)));
        lines.push(((fold, bottom + offset), (fold, bottom + offset + along)));
    }
    if across > 0.0 {
        let (left, right) = (fold - imposition.page_width, fold + imposition.page_width);
        for x in [left, right] {
            let outward = if x < fold { -1.0 } else { 1.0 };
            for y in [top, bottom] {
                let upward = if y == top { -1.0 } else { 1.0 };
                let start = x + outward * offset;
                lines.push(((start, y), (start + outward * across, y)));
                let start = y + upward * offset;
                lines.push(((x, start), (x, start + upward * along)));
            }
        }
    }
    let mut path = PathBuilder::new();
    for ((x1, y1), (x2, y2)) in lines {
        path.move_to(x1, y1);
        path.line_to(x2, y2);
    }
    if let Some(path) = path.finish() {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            width: MARK_WIDTH_PT,
            ..Stroke::default()
        }));
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}
