//! The new book's cover artwork: dunes under an evening sky, painted with
//! tiny-skia. No text: warraq sets the title over it. Always the same bytes.

use tiny_skia::{
    Color, FillRule, GradientStop, LinearGradient, Paint, PathBuilder, Pixmap, Point, Rect,
    SpreadMode, Transform,
};

use crate::diag::{Code, Diagnostic, Result};
use crate::doc::PageSetup;
use crate::raster::solid;

/// The artwork's name in the book folder (`cover` in the template).
pub const FILE_NAME: &str = "cover.png";

/// Pixels a millimetre: the default page (A5 and its bleed) at about
/// 200 ppi, above the 150 a desk printer needs.
const PIXELS_PER_MM: f32 = 8.0;

/// Sky from zenith to horizon.
const SKY: [(f32, [u8; 3]); 3] = [
    (0.0, [0x1b, 0x1f, 0x4b]),
    (0.45, [0x6b, 0x3f, 0x6e]),
    (0.72, [0xf2, 0xa8, 0x5e]),
];
const SUN: [u8; 3] = [0xff, 0xe2, 0x9a];
const STAR: [u8; 3] = [0xf4, 0xf1, 0xe6];
const OPAQUE: f32 = 1.0;
/// Stars, scattered over the sky's upper part by a fixed sequence.
const STARS: usize = 70;
const STAR_SEED: u32 = 0x5eed_1234;

/// Dune ridges from far to near: colour, and the ridge's height (share of
/// the picture's height) at five points evenly across.
const DUNES: [([u8; 3], [f32; 5]); 3] = [
    ([0xd9, 0x8a, 0x4e], [0.66, 0.62, 0.67, 0.64, 0.60]),
    ([0xb0, 0x5c, 0x33], [0.74, 0.78, 0.71, 0.69, 0.75]),
    ([0x6e, 0x34, 0x20], [0.86, 0.81, 0.84, 0.90, 0.85]),
];

/// The artwork as a PNG.
pub fn png() -> Result<Vec<u8>> {
    // Exactly the shape the cover fills, so nothing is cropped.
    let page = PageSetup::default();
    let bleed = page.print.bleed();
    let width_mm = page.width_mm + bleed.spine + bleed.outer;
    let height_mm = page.height_mm + bleed.top + bleed.bottom;
    let width = (width_mm * PIXELS_PER_MM).round() as u32;
    let height = (height_mm * PIXELS_PER_MM).round() as u32;
    let failed = |why: String| {
        Diagnostic::error(
            Code::Internal,
            format!("cannot paint the cover artwork: {why}"),
        )
    };
    let mut pixmap =
        Pixmap::new(width, height).ok_or_else(|| failed("no room for its pixels".into()))?;
    let (w, h) = (width as f32, height as f32);

    let stops = SKY
        .iter()
        .map(|&(at, [r, g, b])| GradientStop::new(at, Color::from_rgba8(r, g, b, 255)))
        .collect();
    let sky = LinearGradient::new(
        Point::from_xy(0.0, 0.0),
        Point::from_xy(0.0, h),
        stops,
        SpreadMode::Pad,
        Transform::identity(),
    )
    .ok_or_else(|| failed("no sky gradient".into()))?;
    let sky_paint = Paint {
        shader: sky,
        ..Paint::default()
    };
    if let Some(all) = Rect::from_xywh(0.0, 0.0, w, h) {
        pixmap.fill_rect(all, &sky_paint, Transform::identity(), None);
    }

    let mut seed = STAR_SEED;
    let mut next = || {
        // A linear congruential generator: the same stars every time.
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (seed >> 8) as f32 / (1u32 << 24) as f32
    };
    for _ in 0..STARS {
        let (x, y, size) = (next() * w, next() * next() * h * 0.5, 1.0 + next() * 2.5);
        fill_circle(&mut pixmap, x, y, size, STAR);
    }
    fill_circle(&mut pixmap, w * 0.62, h * 0.6, w * 0.17, SUN);

    for (colour, ridge) in DUNES {
        let mut path = PathBuilder::new();
        let step = w / (ridge.len() - 1) as f32;
        path.move_to(0.0, ridge[0] * h);
        for (i, pair) in ridge.windows(2).enumerate() {
            let (x0, x1) = (i as f32 * step, (i + 1) as f32 * step);
            // Level tangents at each point: soft crests and hollows.
            path.cubic_to(
                x0 + step / 2.0,
                pair[0] * h,
                x1 - step / 2.0,
                pair[1] * h,
                x1,
                pair[1] * h,
            );
        }
        path.line_to(w, h);
        path.line_to(0.0, h);
        path.close();
        if let Some(path) = path.finish() {
            pixmap.fill_path(
                &path,
                &solid(colour, OPAQUE),
                FillRule::Winding,
                Transform::identity(),
                None,
            );
        }
    }

    // Opaque, so the premultiplied pixels are plain RGB.
    let rgb: Vec<u8> = pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let image = image::RgbImage::from_raw(width, height, rgb)
        .ok_or_else(|| failed("wrong number of pixels".into()))?;
    let mut png = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut png, image::ImageFormat::Png)
        .map_err(|e| failed(e.to_string()))?;
    Ok(png.into_inner())
}

fn fill_circle(pixmap: &mut Pixmap, x: f32, y: f32, radius: f32, colour: [u8; 3]) {
    if let Some(circle) = PathBuilder::from_circle(x, y, radius) {
        pixmap.fill_path(
            &circle,
            &solid(colour, OPAQUE),
            FillRule::Winding,
            Transform::identity(),
            None,
        );
    }
}
