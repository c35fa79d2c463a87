//! Paints page items into pixels with tiny-skia: glyphs from their faces'
//! outlines (read by skrifa), pictures resampled to their size, colours
//! and ornaments as the PDF draws them. The EPUB's cover is made this way
//! from the same items as the PDF's cover page.

use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use tiny_skia::{
    Color, FillRule, FilterQuality, Paint, PathBuilder, Pattern, Pixmap, SpreadMode, Stroke,
    Transform,
};

use crate::diag::{Code, Diagnostic, Result};
use crate::doc::Document;
use crate::fonts::FontLibrary;
use crate::layout::page::{GlyphRun, Item, PathStep, Rect, polygon_steps};

/// Leading items of a page that repeat across it: the first `count`, a
/// square tile of `period` points (in both directions) drawn over and over.
#[derive(Debug, Clone, Copy)]
pub struct Repeat {
    pub count: usize,
    pub period: f32,
}

/// `items` (page coordinates, points) inside `area`, at `scale` pixels a
/// point, on white: the pixels' RGBA bytes (all opaque), row by row. The
/// items `repeat` names, which cover the whole area, are painted on one
/// tile of their period and copied across (a cover's pattern: 31 → 9 ms),
/// when the period is a whole number of pixels the area holds. Every
/// picture is resampled before the pixels are made, and all are held
/// until painted: made for a cover, with one.
pub fn paint(
    items: &[Item],
    repeat: Option<Repeat>,
    area: Rect,
    scale: f32,
    document: &Document,
    fonts: &FontLibrary,
) -> Result<Vec<u8>> {
    let pixels_wide = (area.width * scale).round() as u32;
    let pixels_high = (area.height * scale).round() as u32;
    let new_pixmap = |wide: u32, high: u32| {
        Pixmap::new(wide, high).ok_or_else(|| {
            Diagnostic::error(
                Code::Internal,
                format!("cannot paint a picture of {wide} × {high} pixels"),
            )
        })
    };
    let to_pixels = Transform::from_row(scale, 0.0, 0.0, scale, -area.x * scale, -area.y * scale);
    // The pictures resampled before the pixels are made: what resampling
    // takes and lets go (the picture decoded, the resampler's own
    // buffer) then serves the pixels, where it came on top of them.
    let mut pictures = items
        .iter()
        .map(|item| match item {
            Item::Picture {
                key, rect, crop, ..
            } => (document.images.get(key))
                .map(|picture| {
                    let shown = crop.unwrap_or(*rect);
                    placed(&picture.bytes, *rect, shown, to_pixels).map_err(|e| e.in_file(key))
                })
                .transpose(),
            _ => Ok(None),
        })
        .collect::<Result<Vec<Option<Placed>>>>()?;
    let mut pixmap = new_pixmap(pixels_wide, pixels_high)?;
    let tile = repeat.and_then(|repeat| {
        let side = (repeat.period * scale).round();
        let whole = (repeat.period * scale - side).abs() < TILE_TOLERANCE;
        let side = side as u32;
        (whole && side > 0 && side <= pixels_wide.min(pixels_high)).then_some((repeat, side))
    });
    let (items, pictures) = match tile {
        Some((repeat, side)) => {
            let count = repeat.count.min(items.len());
            let (tiled, rest) = items.split_at(count);
            let (tiled_pictures, pictures) = pictures.split_at_mut(count);
            let mut tile = new_pixmap(side, side)?;
            tile.fill(Color::WHITE);
            paint_items(&mut tile, tiled, tiled_pictures, to_pixels, fonts)?;
            copy_across(&mut pixmap, &tile);
            (rest, pictures)
        }
        None => {
            pixmap.fill(Color::WHITE);
            (items, &mut pictures[..])
        }
    };
    paint_items(&mut pixmap, items, pictures, to_pixels, fonts)?;
    // Opaque everywhere (painted on white): premultiplied is plain.
    Ok(pixmap.take())
}

/// How far from a whole number of pixels a repeat's period may be for its
/// tile to be copied: a 256th of a pixel. The copies stray from the pattern
/// by that much a period, so over a cover's half-dozen periods by a few
/// levels of anti-aliasing at most (an area of many more periods would
/// want a finer bound).
const TILE_TOLERANCE: f32 = 1.0 / 256.0;

/// `tile`, the top-left corner of `pixmap`'s repeating pattern, copied over
/// the whole of `pixmap`.
fn copy_across(pixmap: &mut Pixmap, tile: &Pixmap) {
    let side = tile.width() as usize * 4;
    let row_bytes = pixmap.width() as usize * 4;
    let tile_rows = tile.data().chunks_exact(side).cycle();
    for (row, source) in pixmap.data_mut().chunks_exact_mut(row_bytes).zip(tile_rows) {
        for part in row.chunks_mut(side) {
            part.copy_from_slice(&source[..part.len()]);
        }
    }
}

/// `items` painted onto `pixmap`, placed by `to_pixels`, each picture
/// as resampled beside it in `pictures`.
fn paint_items(
    pixmap: &mut Pixmap,
    items: &[Item],
    pictures: &mut [Option<Placed>],
    to_pixels: Transform,
    fonts: &FontLibrary,
) -> Result<()> {
    for (item, picture) in items.iter().zip(pictures) {
        match item {
            Item::Glyphs(run) => glyphs(pixmap, run, fonts, to_pixels),
            Item::Picture { key, .. } => {
                if let Some(picture) = picture.take() {
                    picture_into(pixmap, picture).map_err(|e| e.in_file(key))?;
                }
            }
            Item::Backdrop { rect, rgb } => fill_rect(pixmap, *rect, solid(*rgb, 1.0), to_pixels),
            Item::Fill {
                rect,
                grey,
                opacity,
                ..
            } => {
                let level = (grey.clamp(0.0, 1.0) * 255.0).round() as u8;
                fill_rect(pixmap, *rect, solid([level; 3], *opacity), to_pixels);
            }
            Item::Shape {
                polygons,
                rgb,
                opacity,
                stroke,
            } => {
                let paint = solid(*rgb, *opacity);
                if let Some(bars) = stroke.and_then(|width| frame_bars(polygons, width, to_pixels))
                {
                    fill_bars(pixmap, bars, paint);
                    continue;
                }
                let mut path = PathBuilder::new();
                for step in polygon_steps(polygons) {
                    match step {
                        PathStep::MoveTo(x, y) => path.move_to(x, y),
                        PathStep::LineTo(x, y) => path.line_to(x, y),
                        PathStep::Close => path.close(),
                    }
                }
                let Some(path) = path.finish() else { continue };
                match stroke {
                    Some(width) => {
                        let stroke = Stroke {
                            width: *width,
                            ..Stroke::default()
                        };
                        pixmap.stroke_path(&path, &paint, &stroke, to_pixels, None);
                    }
                    None => pixmap.fill_path(&path, &paint, FillRule::EvenOdd, to_pixels, None),
                }
            }
            Item::PrintersMark { .. } | Item::Link { .. } => {}
        }
    }
    Ok(())
}

/// A rectangle's outline `width` wide (its corners mitred, as tiny-skia
/// strokes it), in pixels placed by `to_pixels`, as four bars between
/// whole pixels (at least one wide): top, bottom, left and right, the
/// sides between the other two. `None` unless `polygons` is one rectangle
/// with its sides along the axes and `to_pixels` only scales and moves.
///
/// A cover's frame and panel rules: stroked, each ring was anti-aliased
/// scanline by scanline over the whole height of the cover (26 million
/// instructions a build). Its edges move by half a pixel at most.
fn frame_bars(
    polygons: &[Vec<(f32, f32)>],
    width: f32,
    to_pixels: Transform,
) -> Option<[Option<tiny_skia::Rect>; 4]> {
    let [corners] = polygons else { return None };
    if corners.len() != 4 || to_pixels.kx != 0.0 || to_pixels.ky != 0.0 {
        return None;
    }
    let xs = corners.iter().map(|&(x, _)| x);
    let ys = corners.iter().map(|&(_, y)| y);
    let (left, right) = (
        xs.clone().fold(f32::INFINITY, f32::min),
        xs.fold(f32::NEG_INFINITY, f32::max),
    );
    let (top, bottom) = (
        ys.clone().fold(f32::INFINITY, f32::min),
        ys.fold(f32::NEG_INFINITY, f32::max),
    );
    // Every corner on the rectangle's corners: no slanted side.
    let on_corner = |&(x, y): &(f32, f32)| (x == left || x == right) && (y == top || y == bottom);
    if !corners.iter().all(on_corner) || left == right || top == bottom {
        return None;
    }
    let half = width / 2.0;
    let x = |at: f32| (at * to_pixels.sx + to_pixels.tx).round();
    let y = |at: f32| (at * to_pixels.sy + to_pixels.ty).round();
    // Each side's outer and inner edges, a pixel apart at least.
    let (x0, y0) = (x(left - half), y(top - half));
    let (x3, y3) = (x(right + half), y(bottom + half));
    let (x1, y1) = (x(left + half).max(x0 + 1.0), y(top + half).max(y0 + 1.0));
    let (x2, y2) = (
        x(right - half).min(x3 - 1.0),
        y(bottom - half).min(y3 - 1.0),
    );
    let bar = tiny_skia::Rect::from_ltrb;
    Some([
        bar(x0, y0, x3, y1),
        bar(x0, y2, x3, y3),
        bar(x0, y1, x1, y2),
        bar(x2, y1, x3, y2),
    ])
}

/// [`frame_bars`]' bars in `paint`, not anti-aliased: their edges are
/// whole pixels.
fn fill_bars(pixmap: &mut Pixmap, bars: [Option<tiny_skia::Rect>; 4], paint: Paint) {
    let paint = Paint {
        anti_alias: false,
        ..paint
    };
    for bar in bars.into_iter().flatten() {
        pixmap.fill_rect(bar, &paint, Transform::identity(), None);
    }
}

/// A paint of one colour, anti-aliased.
pub(crate) fn solid(rgb: [u8; 3], opacity: f32) -> Paint<'static> {
    let alpha = (opacity.clamp(0.0, 1.0) * 255.0).round() as u8;
    let mut paint = Paint::default();
    paint.set_color_rgba8(rgb[0], rgb[1], rgb[2], alpha);
    paint.anti_alias = true;
    paint
}

fn fill_rect(pixmap: &mut Pixmap, rect: Rect, paint: Paint, to_pixels: Transform) {
    if let Some(rect) = tiny_skia::Rect::from_xywh(rect.x, rect.y, rect.width, rect.height) {
        pixmap.fill_rect(rect, &paint, to_pixels, None);
    }
}

/// A picture resampled to its size in pixels, to be painted.
struct Placed {
    /// RGBA, row by row, `size` pixels.
    rgba: Vec<u8>,
    size: (u32, u32),
    /// The pixel its top left corner lands on.
    offset: (f32, f32),
    /// The corners (in pixels) of the area it is shown in.
    area: (tiny_skia::Point, tiny_skia::Point),
}

/// The picture in `bytes`, to fill `rect` and be shown inside `shown`,
/// placed by `to_pixels`: resampled once to its size in pixels (bicubic:
/// Lanczos takes twice as long for no difference a cover shows), to be
/// copied pixel for pixel.
fn placed(bytes: &[u8], rect: Rect, shown: Rect, to_pixels: Transform) -> Result<Placed> {
    let corner = |x: f32, y: f32| {
        let mut point = tiny_skia::Point::from_xy(x, y);
        to_pixels.map_point(&mut point);
        point
    };
    let (top_left, bottom_right) = (
        corner(rect.x, rect.y),
        corner(rect.x + rect.width, rect.y + rect.height),
    );
    let wide = (bottom_right.x - top_left.x).round().max(1.0) as u32;
    let high = (bottom_right.y - top_left.y).round().max(1.0) as u32;
    let decoded = image::load_from_memory(bytes)
        .map_err(|e| Diagnostic::error(Code::Internal, format!("cannot read the picture: {e}")))?;
    let rgba = resized_rgba(decoded.into_rgba8(), wide, high)?;
    let area = (
        corner(shown.x.max(rect.x), shown.y.max(rect.y)),
        corner(
            (shown.x + shown.width).min(rect.x + rect.width),
            (shown.y + shown.height).min(rect.y + rect.height),
        ),
    );
    Ok(Placed {
        rgba,
        size: (wide, high),
        offset: (top_left.x.round(), top_left.y.round()),
        area,
    })
}

/// `picture` painted onto `pixmap`.
fn picture_into(pixmap: &mut Pixmap, picture: Placed) -> Result<()> {
    if copy_opaque(pixmap, &picture) {
        return Ok(());
    }
    fill_with_picture(pixmap, &picture)
}

/// Fills `pixmap` in `picture`'s area with it: the nearest of its pixels,
/// its edge pixels repeated beyond it, the area's edges anti-aliased.
fn fill_with_picture(pixmap: &mut Pixmap, picture: &Placed) -> Result<()> {
    let ((wide, high), offset, (from, to)) = (picture.size, picture.offset, picture.area);
    let mut pixels = Pixmap::new(wide, high).ok_or_else(|| {
        Diagnostic::error(Code::Internal, "cannot paint an empty picture".to_string())
    })?;
    for (pixel, rgba) in pixels
        .pixels_mut()
        .iter_mut()
        .zip(picture.rgba.chunks_exact(4))
    {
        *pixel = tiny_skia::ColorU8::from_rgba(rgba[0], rgba[1], rgba[2], rgba[3]).premultiply();
    }
    let paint = Paint {
        shader: Pattern::new(
            pixels.as_ref(),
            SpreadMode::Pad,
            FilterQuality::Nearest,
            1.0,
            Transform::from_translate(offset.0, offset.1),
        ),
        ..Paint::default()
    };
    if let Some(area) = tiny_skia::Rect::from_ltrb(from.x, from.y, to.x, to.y) {
        pixmap.fill_rect(area, &paint, Transform::identity(), None);
    }
    Ok(())
}

/// [`fill_with_picture`] as a copy, when that is what it comes to: the
/// picture opaque and the area's edges on whole pixels or outside the
/// pixmap (a full-bleed cover), so that no pixel is partly covered. Says
/// whether it did.
///
/// A cover's picture was filled in pixel by pixel through tiny-skia's
/// pipeline, from a pixmap of its own: a fifth of the time of a book
/// whose EPUB has a cover picture, and 16 MB of memory new to the build
/// (the kernel clearing it page by page was more time again).
fn copy_opaque(pixmap: &mut Pixmap, picture: &Placed) -> bool {
    let (rgba, offset, (from, to)) = (&picture.rgba, picture.offset, picture.area);
    // Where an edge falls in pixels: clamped to the pixmap, and whole.
    let whole = |at: f32, size: u32| {
        let at = at.clamp(0.0, size as f32);
        (at.fract() == 0.0).then_some(at as usize)
    };
    // Where tiny-skia fills nothing (an edge not finite, an area too
    // wide), or offsets too far off to count in whole pixels, no copy.
    let near = |at: f32| at.abs() < FAR;
    if tiny_skia::Rect::from_ltrb(from.x, from.y, to.x, to.y).is_none()
        || !(near(offset.0) && near(offset.1))
    {
        return false;
    }
    let (width, height) = (pixmap.width(), pixmap.height());
    let (Some(left), Some(top), Some(right), Some(bottom)) = (
        whole(from.x, width),
        whole(from.y, height),
        whole(to.x, width),
        whole(to.y, height),
    ) else {
        return false;
    };
    let (wide, high) = (picture.size.0 as usize, picture.size.1 as usize);
    if wide == 0 || high == 0 || rgba.len() != 4 * wide * high || !all_opaque(rgba) {
        return false;
    }
    let (dx, dy) = (offset.0 as i64, offset.1 as i64);
    // The columns left of the picture, over it and right of it: those
    // beyond it repeat its edge pixels, as its rows beyond it do.
    let right = right.max(left);
    let over = |at: i64| at.clamp(left as i64, right as i64) as usize;
    let (start, end) = (over(dx), over(dx + wide as i64));
    let row_bytes = width as usize * 4;
    let data = pixmap.data_mut();
    for y in top..bottom.max(top) {
        let line = (y as i64 - dy).clamp(0, high as i64 - 1) as usize * wide * 4;
        let line = &rgba[line..line + wide * 4];
        let row = &mut data[y * row_bytes..(y + 1) * row_bytes];
        let first = &line[..4];
        let last = &line[line.len() - 4..];
        row[left * 4..start * 4]
            .chunks_exact_mut(4)
            .for_each(|p| p.copy_from_slice(first));
        if start < end {
            let within = (start as i64 - dx) as usize * 4;
            row[start * 4..end * 4].copy_from_slice(&line[within..within + (end - start) * 4]);
        }
        row[end * 4..right * 4]
            .chunks_exact_mut(4)
            .for_each(|p| p.copy_from_slice(last));
    }
    true
}

/// Whether every pixel of `rgba` (RGBA bytes) is opaque.
fn all_opaque(rgba: &[u8]) -> bool {
    rgba.chunks_exact(4).all(|pixel| pixel[3] == u8::MAX)
}

/// How far from the pixmap, in pixels, a picture may be placed for
/// [`copy_opaque`]: any farther, and its offsets as whole numbers could
/// overflow (2^24: where `f32` stops holding every whole number).
const FAR: f32 = 16_777_216.0;

/// `picture` resampled to `wide` × `high` pixels (bicubic, its colours
/// weighed by their opacity where it has any): RGBA bytes, row by row.
/// fast_image_resize, even without SIMD, takes a fraction of the third of
/// a second `image`'s resize took for a cover.
fn resized_rgba(picture: image::RgbaImage, wide: u32, high: u32) -> Result<Vec<u8>> {
    use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer, images};
    let cannot = |e: &dyn std::fmt::Display| {
        Diagnostic::error(Code::Internal, format!("cannot resize the picture: {e}"))
    };
    let (width, height) = picture.dimensions();
    // An opaque picture's colours need no weighing by their opacity (two
    // passes over its pixels, a tenth of the time of the seed book's
    // EPUB): with every alpha 255 they come out the same.
    let opaque = all_opaque(picture.as_raw());
    let from = images::Image::from_vec_u8(width, height, picture.into_raw(), PixelType::U8x4)
        .map_err(|e| cannot(&e))?;
    let mut to = images::Image::new(wide, high, PixelType::U8x4);
    let options = (ResizeOptions::new())
        .resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom))
        .use_alpha(!opaque);
    let mut resizer = Resizer::new();
    // SAFETY: only instructions the CPU has (`resize_extensions`).
    unsafe { resizer.set_cpu_extensions(resize_extensions()) };
    resizer
        .resize(&from, &mut to, &options)
        .map_err(|e| cannot(&e))?;
    Ok(to.into_vec())
}

/// The fastest of fast_image_resize's code paths that gives the same
/// pixels as its plain Rust, the CPU having its instructions: on x86-64,
/// AVX2, else SSE4.1 (both give the plain code's pixels, a unit test
/// says: a seed book's cover picture resampled 43 → 20 ms); elsewhere
/// the plain code, since its Neon and WebAssembly paths are compared
/// with it nowhere. So the cover is the same on every machine.
fn resize_extensions() -> fast_image_resize::CpuExtensions {
    use fast_image_resize::CpuExtensions;
    #[cfg(target_arch = "x86_64")]
    for extensions in [CpuExtensions::Avx2, CpuExtensions::Sse4_1] {
        if extensions.is_supported() {
            return extensions;
        }
    }
    CpuExtensions::None
}

/// A run's glyphs filled from their outlines, white when `inverse`.
fn glyphs(pixmap: &mut Pixmap, run: &GlyphRun, fonts: &FontLibrary, to_pixels: Transform) {
    let Some(face) = fonts.faces.get(run.face) else {
        return;
    };
    let Ok(font) = skrifa::FontRef::from_index(face.data.as_slice(), 0) else {
        return;
    };
    let outlines = font.outline_glyphs();
    let mut pen = Pen {
        path: PathBuilder::new(),
        origin: (0.0, 0.0),
    };
    let mut x = run.x;
    for glyph in run.glyphs.iter() {
        pen.origin = (x + glyph.x_offset, run.y - glyph.y_offset);
        if let Some(outline) = outlines.get(skrifa::GlyphId::new(u32::from(glyph.id))) {
            // A glyph skrifa cannot draw is left out, as a viewer would.
            let settings = DrawSettings::unhinted(Size::new(run.size), LocationRef::default());
            let _ = outline.draw(settings, &mut pen);
        }
        x += glyph.x_advance;
    }
    let Some(path) = pen.path.finish() else {
        return;
    };
    let level = if run.inverse { 255 } else { 0 };
    pixmap.fill_path(
        &path,
        &solid([level; 3], 1.0),
        FillRule::Winding,
        to_pixels,
        None,
    );
}

/// Glyph outlines (y up, from the pen's origin) into one page path (y down).
struct Pen {
    path: PathBuilder,
    origin: (f32, f32),
}

impl Pen {
    fn at(&self, x: f32, y: f32) -> (f32, f32) {
        (self.origin.0 + x, self.origin.1 - y)
    }
}

impl OutlinePen for Pen {
    fn move_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.path.move_to(x, y);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let (x, y) = self.at(x, y);
        self.path.line_to(x, y);
    }

    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        let ((cx0, cy0), (x, y)) = (self.at(cx0, cy0), self.at(x, y));
        self.path.quad_to(cx0, cy0, x, y);
    }

    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        let ((cx0, cy0), (cx1, cy1), (x, y)) =
            (self.at(cx0, cy0), self.at(cx1, cy1), self.at(x, y));
        self.path.cubic_to(cx0, cy0, cx1, cy1, x, y);
    }

    fn close(&mut self) {
        self.path.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::pseudo_random;

    /// How much of each pixel a rectangle's outline covers, painted on
    /// black in white: by tiny-skia's stroke, or as [`frame_bars`].
    fn coverage(rect: [f32; 4], width: f32, scale: f32, bars: bool) -> Vec<f32> {
        let [x, y, w, h] = rect;
        let corners = vec![(x, y), (x + w, y), (x + w, y + h), (x, y + h)];
        let to_pixels = Transform::from_scale(scale, scale);
        let mut pixmap = Pixmap::new(64, 64).expect("a pixmap");
        let paint = solid([255; 3], 1.0);
        if bars {
            let bars = frame_bars(&[corners], width, to_pixels).expect("a rectangle");
            fill_bars(&mut pixmap, bars, paint);
        } else {
            let mut path = PathBuilder::new();
            path.move_to(corners[0].0, corners[0].1);
            corners[1..].iter().for_each(|&(x, y)| path.line_to(x, y));
            path.close();
            let path = path.finish().expect("a path");
            let stroke = Stroke {
                width,
                ..Stroke::default()
            };
            pixmap.stroke_path(&path, &paint, &stroke, to_pixels, None);
        }
        pixmap
            .pixels()
            .iter()
            .map(|p| f32::from(p.alpha()) / 255.0)
            .collect()
    }

    /// The whole-pixel bars paint every pixel the stroke covers wholly and
    /// none it leaves alone, and differ from it only at its edges, by
    /// less than a pixel's width along each (the bars' edges move by half
    /// a pixel at most, and a bar is a pixel wide at least).
    #[test]
    fn a_stroked_rectangle_is_painted_as_whole_pixel_bars_where_the_stroke_is() {
        for (rect, width, scale) in [
            ([10.0, 12.0, 30.0, 20.0], 2.0, 1.0),
            ([5.3, 7.7, 40.2, 33.9], 1.3, 1.0),
            ([3.1, 4.6, 20.5, 18.25], 0.8, 2.5),
            ([8.0, 8.0, 40.0, 40.0], 0.2, 1.0),
        ] {
            let stroke = coverage(rect, width, scale, false);
            let bars = coverage(rect, width, scale, true);
            let mut edge = 0.0;
            for (at, (&s, &b)) in stroke.iter().zip(&bars).enumerate() {
                let where_ = (at % 64, at / 64);
                if s > 0.99 {
                    assert_eq!(b, 1.0, "{rect:?} {width}: {where_:?} covered by the stroke");
                }
                if s == 0.0 {
                    assert_eq!(b, 0.0, "{rect:?} {width}: {where_:?} outside the stroke");
                }
                edge += (s - b).abs();
            }
            // Eight edges, each at most the rectangle's side long.
            let [_, _, w, h] = rect;
            let most = 4.0 * (w + h + 2.0 * width) * scale;
            assert!(edge < most, "{rect:?} {width}: {edge} pixels of difference");
            let ink: f32 = bars.iter().sum();
            assert!(ink > 0.0, "{rect:?} {width}: nothing painted");
        }
    }

    /// A `width` × `height` pixmap of one colour, for pictures to be
    /// painted on.
    fn ground(width: u32, height: u32) -> Pixmap {
        let mut pixmap = Pixmap::new(width, height).expect("a pixmap");
        pixmap.fill(Color::from_rgba8(10, 200, 30, 255));
        pixmap
    }

    /// An opaque picture copied where it covers whole pixels comes out as
    /// tiny-skia fills it in, pixel for pixel: over the whole pixmap and
    /// beyond (a full-bleed cover), short of an edge (the picture's edge
    /// pixels repeated), inside on whole pixels, or off to one side.
    #[test]
    fn an_opaque_picture_is_copied_as_tiny_skia_fills_it() {
        let (wide, high) = (37_u32, 23_u32);
        let mut next = pseudo_random(7);
        let mut random = || (next() >> 24) as u8;
        let rgba: Vec<u8> = (0..wide * high)
            .flat_map(|_| [random(), random(), random(), u8::MAX])
            .collect();
        let point = |(x, y): (f32, f32)| tiny_skia::Point::from_xy(x, y);
        let picture = |rgba: &[u8], offset, from, to| Placed {
            rgba: rgba.to_vec(),
            size: (wide, high),
            offset,
            area: (point(from), point(to)),
        };
        for (offset, from, to) in [
            ((-3.0, -2.0), (-3.0, -2.0), (34.0, 21.0)),
            ((2.0, 1.0), (0.0, 0.0), (30.0, 20.0)),
            ((-10.0, -5.0), (4.0, 3.0), (25.0, 17.0)),
            ((5.0, 4.0), (-1.0, -1.0), (31.0, 21.0)),
            ((40.0, -2.0), (0.0, 0.0), (30.0, 20.0)),
            ((-50.0, 30.0), (0.0, 0.0), (30.0, 20.0)),
        ] {
            let picture = picture(&rgba, offset, from, to);
            let (mut copied, mut filled) = (ground(30, 20), ground(30, 20));
            assert!(copy_opaque(&mut copied, &picture));
            fill_with_picture(&mut filled, &picture).expect("it fills");
            assert!(
                copied.data() == filled.data(),
                "{offset:?} {from:?} {to:?}: copied and filled differ"
            );
        }
        // Not a copy: an edge inside a pixel, a pixel not opaque, an area
        // tiny-skia fills nothing of, a picture placed too far off to
        // count, or pixels not of the picture's size.
        let half = picture(&rgba, (0.0, 0.0), (0.5, 0.0), (30.0, 20.0));
        assert!(!copy_opaque(&mut ground(30, 20), &half));
        let mut clear = rgba.clone();
        clear[4 * 40 + 3] = 200;
        let whole = picture(&clear, (0.0, 0.0), (0.0, 0.0), (30.0, 20.0));
        assert!(!copy_opaque(&mut ground(30, 20), &whole));
        let endless = picture(&rgba, (0.0, 0.0), (f32::NEG_INFINITY, 0.0), (30.0, 20.0));
        assert!(!copy_opaque(&mut ground(30, 20), &endless));
        let far = picture(&rgba, (-1e20, 0.0), (0.0, 0.0), (30.0, 20.0));
        assert!(!copy_opaque(&mut ground(30, 20), &far));
        let short = picture(&rgba[4..], (0.0, 0.0), (0.0, 0.0), (30.0, 20.0));
        assert!(!copy_opaque(&mut ground(30, 20), &short));
    }

    /// Wherever the copy is taken, over ten thousand placements (pixmaps
    /// and pictures of 1 to 14 pixels, offsets on whole pixels, edges on
    /// whole, half and quarter pixels, inside, outside, inverted, empty),
    /// it comes out as tiny-skia's fill.
    #[test]
    fn wherever_a_picture_is_copied_it_comes_out_as_filled() {
        let mut next = pseudo_random(3);
        let mut random = |below: u32| (next() >> 8) % below;
        let mut copied_at = 0;
        for _ in 0..10_000 {
            let (width, height) = (1 + random(14), 1 + random(14));
            let size = (1 + random(14), 1 + random(14));
            let rgba: Vec<u8> = (0..size.0 * size.1 * 4)
                .map(|at| {
                    if at % 4 == 3 {
                        u8::MAX
                    } else {
                        random(256) as u8
                    }
                })
                .collect();
            let whole = |at: u32| at as f32 - 20.0;
            let edge = |at: u32, quarters: u32| whole(at) + [0.0, 0.5, 0.25][quarters as usize];
            let mut coordinate = || edge(random(56), if random(4) == 0 { random(3) } else { 0 });
            let area = (
                tiny_skia::Point::from_xy(coordinate(), coordinate()),
                tiny_skia::Point::from_xy(coordinate(), coordinate()),
            );
            let offset = (whole(random(41)), whole(random(41)));
            let picture = Placed {
                rgba,
                size,
                offset,
                area,
            };
            let mut copied = ground(width, height);
            if copy_opaque(&mut copied, &picture) {
                copied_at += 1;
                let mut filled = ground(width, height);
                fill_with_picture(&mut filled, &picture).expect("it fills");
                assert!(
                    copied.data() == filled.data(),
                    "{width}×{height}, picture {size:?} at {offset:?}, area {area:?}"
                );
            }
        }
        assert!(copied_at > 2_000, "the copy taken {copied_at} times");
    }

    /// An opaque picture resampled without weighing its colours by their
    /// opacity comes out as it does weighed; a picture that is not opaque
    /// is weighed. Both as fast_image_resize's plain Rust resamples them,
    /// whatever code path the CPU takes ([`resize_extensions`]: the
    /// pictures are large enough for every path's main loop and its
    /// ends, each way, up and down).
    #[test]
    fn pictures_resample_as_the_plain_code_resamples_them_weighed() {
        use fast_image_resize::{
            CpuExtensions, FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer, images,
        };
        let mut next = pseudo_random(11);
        let mut random = || (next() >> 24) as u8;
        // As resampled by the code path `extensions`, weighed.
        let weighed =
            |picture: &image::RgbaImage, (wide, high): (u32, u32), extensions: CpuExtensions| {
                let (width, height) = picture.dimensions();
                let raw = picture.as_raw().clone();
                let from = images::Image::from_vec_u8(width, height, raw, PixelType::U8x4).unwrap();
                let mut to = images::Image::new(wide, high, PixelType::U8x4);
                let options = (ResizeOptions::new())
                    .resize_alg(ResizeAlg::Convolution(FilterType::CatmullRom))
                    .use_alpha(true);
                let mut resizer = Resizer::new();
                assert!(extensions.is_supported());
                // SAFETY: the CPU has them (asserted).
                unsafe { resizer.set_cpu_extensions(extensions) };
                resizer.resize(&from, &mut to, &options).unwrap();
                to.into_vec()
            };
        // The code paths `resize_extensions` may take, but the plain one.
        let mut paths = Vec::new();
        #[cfg(target_arch = "x86_64")]
        paths.extend([CpuExtensions::Avx2, CpuExtensions::Sse4_1]);
        paths.retain(CpuExtensions::is_supported);
        for ((width, height), (wide, high)) in [
            ((50, 40), (73, 61)),
            ((300, 200), (123, 457)),
            ((1000, 17), (1001, 18)),
            ((64, 64), (640, 640)),
        ] {
            let size = (wide, high);
            let opaque = image::RgbaImage::from_fn(width, height, |_, _| {
                image::Rgba([random(), random(), random(), u8::MAX])
            });
            let clear = image::RgbaImage::from_fn(width, height, |_, _| {
                image::Rgba([random(), random(), random(), random()])
            });
            for picture in [opaque, clear] {
                let plain = weighed(&picture, size, CpuExtensions::None);
                let resized = resized_rgba(picture.clone(), wide, high).unwrap();
                assert!(resized == plain, "{size:?}: resampled otherwise");
                for &path in &paths {
                    let by = weighed(&picture, size, path);
                    assert!(by == plain, "{size:?}: {path:?} resamples otherwise");
                }
            }
        }
    }

    /// Anything but a rectangle along the axes, or one placed turned, is
    /// stroked as before.
    #[test]
    fn only_upright_rectangles_are_painted_as_bars() {
        let square = vec![(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)];
        let upright = Transform::from_scale(2.0, 2.0);
        assert!(frame_bars(std::slice::from_ref(&square), 1.0, upright).is_some());
        let diamond = vec![(5.0, 0.0), (10.0, 5.0), (5.0, 10.0), (0.0, 5.0)];
        assert!(frame_bars(&[diamond], 1.0, upright).is_none());
        let turned = Transform::from_rotate(30.0);
        assert!(frame_bars(std::slice::from_ref(&square), 1.0, turned).is_none());
        let two = [square.clone(), square];
        assert!(frame_bars(&two, 1.0, upright).is_none());
    }
}
