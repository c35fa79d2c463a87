//! The background of a cover without artwork: a ground colour with an
//! eight-pointed-star tessellation (the khatam of Islamic geometric art)
//! in the accent colour, a double frame, and panels for the text. The
//! palette is picked from the title and the authors, so each book has its
//! own, and the same book always the same.

use std::f32::consts::PI;
use std::sync::Arc;

use crate::layout::page::{Item, Rect};
use crate::raster::Repeat;

use super::Frame;

/// A ground, the darker panel the text sits on, and an accent for the
/// ornament: each pair of colours deep enough for white text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Palette {
    pub ground: [u8; 3],
    pub panel: [u8; 3],
    pub accent: [u8; 3],
}

const PALETTES: &[Palette] = &[
    // Lapis and gold.
    Palette {
        ground: [24, 46, 92],
        panel: [13, 26, 56],
        accent: [207, 170, 84],
    },
    // Emerald and gold.
    Palette {
        ground: [14, 78, 62],
        panel: [7, 44, 35],
        accent: [214, 180, 96],
    },
    // Garnet and sand.
    Palette {
        ground: [112, 26, 40],
        panel: [66, 12, 22],
        accent: [226, 192, 128],
    },
    // Indigo and copper.
    Palette {
        ground: [44, 38, 88],
        panel: [24, 20, 54],
        accent: [212, 140, 76],
    },
    // Teal and sand.
    Palette {
        ground: [12, 86, 96],
        panel: [6, 50, 58],
        accent: [230, 204, 150],
    },
    // Charcoal and turquoise.
    Palette {
        ground: [40, 46, 54],
        panel: [22, 26, 32],
        accent: [84, 196, 182],
    },
];

impl Palette {
    /// The palette of the book titled `title` by `authors`: FNV-1a of
    /// their bytes picks one (stable across builds and platforms).
    pub fn of(title: &str, authors: &[String]) -> Palette {
        const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        let bytes = std::iter::once(title)
            .chain(authors.iter().map(String::as_str))
            .flat_map(|s| s.bytes().chain([0]));
        let hash = bytes.fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME));
        PALETTES[(hash % PALETTES.len() as u64) as usize]
    }
}

/// Stars across the trimmed page's width.
const STARS_ACROSS: f32 = 4.0;
/// The ornament's line width, a share of a star's cell.
const LINE: f32 = 0.022;
/// Opacity of the stars' lines and of their fill.
const LINE_OPACITY: f32 = 0.55;
const STAR_FILL_OPACITY: f32 = 0.1;
/// The small star in the cross between four large ones, a share of a cell.
const ROSETTE: f32 = 0.16;
/// The frame's two rules: inset from the trim (share of the page's
/// width) and line width (share of the page's width).
const FRAME_RULES: [(f32, f32); 2] = [(0.045, 0.005), (0.062, 0.0018)];
/// The panel: its width and its two rules, shares of the page's width.
const PANEL_WIDTH: f32 = 0.8;
const PANEL_RULES: [(f32, f32); 2] = [(0.012, 0.004), (0.022, 0.0015)];

/// Ground, stars and frame over the whole `frame` (bleed included), and
/// how the ground and the stars repeat: every star's cell, across and down.
pub fn background(frame: Frame, palette: &Palette) -> (Vec<Item>, Repeat) {
    let (trim, bleed) = (frame.trim, frame.bleed);
    let cell = trim.width / STARS_ACROSS;
    // The grid is centred on the page, so the pattern is symmetric on it.
    let (centre_x, centre_y) = (trim.x + trim.width / 2.0, trim.y + trim.height / 2.0);
    let span = |from: f32, to: f32, centre: f32| {
        let first = ((from - centre) / cell).floor() as i32 - 1;
        let last = ((to - centre) / cell).ceil() as i32 + 1;
        (first..=last).map(move |i| centre + i as f32 * cell)
    };
    let mut stars = Vec::new();
    let mut rosettes = Vec::new();
    for y in span(bleed.y, bleed.y + bleed.height, centre_y) {
        for x in span(bleed.x, bleed.x + bleed.width, centre_x) {
            stars.push(star((x, y), cell / 2.0));
            rosettes.push(star((x + cell / 2.0, y + cell / 2.0), cell * ROSETTE));
        }
    }
    let (stars, rosettes) = (Arc::new(stars), Arc::new(rosettes));
    let shape = |polygons: &Arc<Vec<Vec<(f32, f32)>>>, opacity, stroke| Item::Shape {
        polygons: polygons.clone(),
        rgb: palette.accent,
        opacity,
        stroke,
    };
    let mut items = vec![
        Item::Backdrop {
            rect: bleed,
            rgb: palette.ground,
        },
        shape(&stars, STAR_FILL_OPACITY, None),
        shape(&stars, LINE_OPACITY, Some(cell * LINE)),
        shape(&rosettes, LINE_OPACITY, Some(cell * LINE)),
    ];
    // The ground and the stars repeat; the frame, after them, does not.
    let repeat = Repeat {
        count: items.len(),
        period: cell,
    };
    items.extend(rules(trim, trim.width, &FRAME_RULES, palette.accent));
    (items, repeat)
}

/// A panel for text across `panel`'s height: the panel colour, framed by
/// two rules.
pub fn panel(panel: Rect, trim: Rect, palette: &Palette) -> Vec<Item> {
    let width = trim.width * PANEL_WIDTH;
    let rect = Rect {
        x: trim.x + (trim.width - width) / 2.0,
        width,
        ..panel
    };
    let mut items = vec![Item::Shape {
        polygons: Arc::new(vec![corners(rect)]),
        rgb: palette.panel,
        opacity: 1.0,
        stroke: None,
    }];
    items.extend(rules(rect, trim.width, &PANEL_RULES, palette.accent));
    items
}

/// Rules inside `rect`, each `(inset, width)` in shares of `unit`.
fn rules(rect: Rect, unit: f32, rules: &[(f32, f32)], rgb: [u8; 3]) -> Vec<Item> {
    rules
        .iter()
        .map(|&(inset, width)| {
            let inset = inset * unit;
            Item::Shape {
                polygons: Arc::new(vec![corners(Rect {
                    x: rect.x + inset,
                    y: rect.y + inset,
                    width: rect.width - 2.0 * inset,
                    height: rect.height - 2.0 * inset,
                })]),
                rgb,
                opacity: 1.0,
                stroke: Some(width * unit),
            }
        })
        .collect()
}

fn corners(rect: Rect) -> Vec<(f32, f32)> {
    let (right, bottom) = (rect.x + rect.width, rect.y + rect.height);
    vec![
        (rect.x, rect.y),
        (right, rect.y),
        (right, bottom),
        (rect.x, bottom),
    ]
}

/// An eight-pointed star of two squares (points `radius` from `centre`,
/// on the axes and the diagonals): its outline of 16 corners, the inner
/// ones where the squares' sides cross.
fn star(centre: (f32, f32), radius: f32) -> Vec<(f32, f32)> {
    let inner = radius * (PI / 4.0).cos() / (PI / 8.0).cos();
    (0..16)
        .map(|i| {
            let angle = i as f32 * PI / 8.0;
            let r = if i % 2 == 0 { radius } else { inner };
            (centre.0 + r * angle.cos(), centre.1 + r * angle.sin())
        })
        .collect()
}
