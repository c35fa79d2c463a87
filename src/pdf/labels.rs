//! PDF page labels: what a viewer shows as a page's number equals what the
//! page prints (or, on pages that print none, the number it is counted as).

use std::num::NonZeroU32;

use krilla::page::{NumberingStyle, PageLabel};

use crate::layout::page::{NumberStyle, Page, PageKind};
use crate::locale::Strings;

/// The label of `page`. Numbered pages get their number in its style; PDF
/// labels know only Western digits, so a body printed in Arabic-Indic or
/// Persian digits is labelled with the same value in Western ones (no
/// prefix could spell it: a prefix is fixed for a whole range). Pages
/// outside any count are named instead: the cover, and the title page and
/// contents when the front matter is not numbered.
pub fn label(page: &Page, strings: &Strings) -> PageLabel {
    match page.number {
        Some(number) => PageLabel::new(
            Some(match number.style {
                NumberStyle::LowerRoman => NumberingStyle::LowerRoman,
                NumberStyle::Decimal => NumberingStyle::Arabic,
            }),
            None,
            NonZeroU32::new(number.value),
        ),
        None => {
            let name = match page.kind {
                PageKind::Cover => strings.cover,
                PageKind::Title => strings.title_page,
                // The only uncounted blank page is the one that lets the
                // first chapter open on a recto: it ends the contents.
                PageKind::Contents | PageKind::Blank => strings.contents,
                // The body is always counted.
                PageKind::ChapterOpening | PageKind::Body | PageKind::Plate => "",
            };
            PageLabel::new(None, Some(name.to_string()), None)
        }
    }
}
