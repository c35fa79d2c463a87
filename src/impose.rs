//! Imposition: the print edition's pages in, booklet sheets out.
//!
//! A saddle-stitched booklet is a stack of sheets printed on both sides,
//! two pages to a side, folded once and stapled on the fold. The outermost
//! sheet carries the first two and the last two pages, the next sheet the
//! pages inside those, and so on to the middle of the book. Which half of a
//! side a page takes depends on the book's direction: a right-to-left book
//! folds with its spine on the right, so every side is the mirror of a
//! left-to-right book's.
//!
//! This stage only says where each page goes; [`crate::pdf::booklet`]
//! draws it.

use crate::doc::{BookletSetup, Direction, Flip};
use crate::layout::{POINTS_PER_MM, Skeleton};

/// The booklet: the sheet it is printed on and each sheet's two sides.
#[derive(Debug, Clone, PartialEq)]
pub struct Imposition {
    /// The printed sheet, landscape, in points.
    pub width: f32,
    pub height: f32,
    /// The trimmed page's size on the sheet, in points (after `scale`).
    pub page_width: f32,
    pub page_height: f32,
    /// How much the pages are reduced to fit a half-sheet (1: not at all).
    pub scale: f32,
    /// Fold and trim marks.
    pub marks: bool,
    /// Sheets in the largest signature: its innermost sheet creeps the
    /// most.
    pub folded: usize,
    /// Every side in printing order: the front of the first sheet, its
    /// back, the front of the second, and so on.
    pub sides: Vec<Side>,
}

/// One side of a sheet: a page (or nothing) on each half.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Side {
    /// The page on the left and on the right half, as the side is seen
    /// when printed upright; `None` is a blank added to fill the booklet.
    pub left: Option<usize>,
    pub right: Option<usize>,
    /// How far each page moves toward the fold, in points, against creep:
    /// the inner sheets of a folded stack reach further out at the fore-edge.
    pub creep: f32,
    /// Printed upside down, for a duplex printer that turns the sheet over
    /// its long edge.
    pub turned: bool,
    /// Whether this is a sheet's front (the side that carries the
    /// booklet's first page on the outermost sheet).
    pub front: bool,
}

/// The sheets of a booklet of `pages`: their number padded with blanks to
/// a multiple of four, the blanks last (warraq's books have no back cover,
/// so the booklet's outside back is left blank), cut into signatures of
/// `setup.signature` sheets (one signature when `None`), each folded on its
/// own and the signatures gathered in order; the pages' direction says
/// which side of the fold the spine is on.
///
/// Each returned side names the pages on its left and right halves.
pub fn impose(pages: &Skeleton, setup: &BookletSetup) -> Imposition {
    let count = pages.pages.len();
    let direction = pages.sheet.direction;
    let padded = count.div_ceil(4).max(1) * 4;
    let page = |number: usize| (number < count).then_some(number);
    let per_signature = setup
        .signature
        .map_or(padded, |sheets| (sheets.max(1) as usize).saturating_mul(4));
    let (width, height) = setup.paper.size_mm();
    let (width, height) = (width * POINTS_PER_MM, height * POINTS_PER_MM);
    // Never enlarged: a smaller page sits at the fold and is trimmed there.
    let scale = (width / 2.0 / pages.width)
        .min(height / pages.height)
        .min(1.0);
    let mut sides = Vec::with_capacity(padded / 2);
    let mut first = 0;
    while first < padded {
        let signature = per_signature.min(padded - first);
        let last = first + signature - 1;
        for sheet in 0..signature / 4 {
            // Page numbers from 0; outer pages of this sheet on the front,
            // the two inside them on the back.
            let (front_outer, front_inner) = (last - 2 * sheet, first + 2 * sheet);
            let (back_inner, back_outer) = (first + 2 * sheet + 1, last - 2 * sheet - 1);
            let creep = sheet as f32 * setup.creep_mm * POINTS_PER_MM;
            // Seen from outside, a left-to-right booklet's front has its
            // later page on the left of the fold; a right-to-left one's on
            // the right. The back is the front turned over: what was on
            // the left is behind the right.
            let (front, back) = match direction {
                Direction::Ltr => ((front_outer, front_inner), (back_inner, back_outer)),
                Direction::Rtl => ((front_inner, front_outer), (back_outer, back_inner)),
            };
            sides.push(Side {
                left: page(front.0),
                right: page(front.1),
                creep,
                turned: false,
                front: true,
            });
            sides.push(Side {
                left: page(back.0),
                right: page(back.1),
                creep,
                turned: setup.flip == Flip::LongEdge,
                front: false,
            });
        }
        first += signature;
    }
    Imposition {
        width,
        height,
        page_width: pages.width * scale,
        page_height: pages.height * scale,
        scale,
        marks: setup.marks,
        folded: per_signature.min(padded) / 4,
        sides,
    }
}

impl Imposition {
    /// Sheets of paper, each printed on both sides.
    pub fn sheets(&self) -> usize {
        self.sides.len() / 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Paper;

    fn setup() -> BookletSetup {
        BookletSetup::default()
    }

    /// `count` blank pages of `mm` in `direction`.
    fn pages(count: usize, mm: (f32, f32), direction: Direction) -> Skeleton {
        let mut pages = Skeleton {
            width: mm.0 * POINTS_PER_MM,
            height: mm.1 * POINTS_PER_MM,
            pages: vec![Default::default(); count],
            ..Skeleton::default()
        };
        pages.sheet.direction = direction;
        pages
    }

    fn impose(
        count: usize,
        mm: (f32, f32),
        direction: Direction,
        setup: &BookletSetup,
    ) -> Imposition {
        super::impose(&pages(count, mm, direction), setup)
    }

    fn halves(imposition: &Imposition) -> Vec<(Option<usize>, Option<usize>)> {
        imposition
            .sides
            .iter()
            .map(|side| (side.left, side.right))
            .collect()
    }

    #[test]
    fn eight_pages_fold_into_two_sheets_mirrored_by_direction() {
        let ltr = impose(8, (148.0, 210.0), Direction::Ltr, &setup());
        // Pages from 0: the outer sheet holds 8|1 and 2|7 (in folios).
        assert_eq!(
            halves(&ltr),
            [
                (Some(7), Some(0)),
                (Some(1), Some(6)),
                (Some(5), Some(2)),
                (Some(3), Some(4)),
            ]
        );
        let rtl = impose(8, (148.0, 210.0), Direction::Rtl, &setup());
        assert_eq!(
            halves(&rtl),
            [
                (Some(0), Some(7)),
                (Some(6), Some(1)),
                (Some(2), Some(5)),
                (Some(4), Some(3)),
            ]
        );
        assert_eq!(ltr.scale, 1.0);
    }

    #[test]
    fn blanks_go_last_and_signatures_fold_apart() {
        let five = impose(5, (148.0, 210.0), Direction::Ltr, &setup());
        assert_eq!(
            halves(&five),
            [
                (None, Some(0)),
                (Some(1), None),
                (None, Some(2)),
                (Some(3), Some(4)),
            ]
        );
        let signatures = BookletSetup {
            signature: Some(1),
            creep_mm: 0.5,
            ..setup()
        };
        let two = impose(8, (148.0, 210.0), Direction::Ltr, &signatures);
        assert_eq!(
            halves(&two),
            [
                (Some(3), Some(0)),
                (Some(1), Some(2)),
                (Some(7), Some(4)),
                (Some(5), Some(6)),
            ]
        );
        // One sheet a signature: every sheet is outermost, none creeps.
        assert!(two.sides.iter().all(|side| side.creep == 0.0));
        assert_eq!((two.sheets(), two.folded), (2, 1));
        let creeping = impose(
            12,
            (148.0, 210.0),
            Direction::Ltr,
            &BookletSetup {
                creep_mm: 0.5,
                ..setup()
            },
        );
        let creep: Vec<f32> = creeping.sides.iter().map(|side| side.creep).collect();
        let step = 0.5 * POINTS_PER_MM;
        assert_eq!(creep, [0.0, 0.0, step, step, 2.0 * step, 2.0 * step]);
        assert_eq!((creeping.sheets(), creeping.folded), (3, 3));
    }

    #[test]
    fn a_page_larger_than_half_the_sheet_is_reduced_and_a_smaller_one_is_not() {
        let letter = BookletSetup {
            paper: Paper::Letter,
            ..setup()
        };
        let a5 = impose(4, (148.0, 210.0), Direction::Rtl, &letter);
        // Half a Letter sheet is 139.7 mm wide.
        assert!((a5.scale - 139.7 / 148.0).abs() < 1e-4, "{}", a5.scale);
        let a6 = impose(4, (105.0, 148.0), Direction::Rtl, &setup());
        assert_eq!(a6.scale, 1.0);
        assert!((a6.page_width - 105.0 * POINTS_PER_MM).abs() < 1e-3);
    }

    #[test]
    fn a_printer_that_turns_over_the_long_edge_gets_the_backs_upside_down() {
        let long = BookletSetup {
            flip: Flip::LongEdge,
            ..setup()
        };
        let sides = impose(8, (148.0, 210.0), Direction::Rtl, &long).sides;
        let turned: Vec<bool> = sides.iter().map(|side| side.turned).collect();
        assert_eq!(turned, [false, true, false, true]);
    }
}
