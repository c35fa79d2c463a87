//! Bidi classes, looked up fast for the scripts books are mostly in.

use std::sync::LazyLock;

use unicode_bidi::{BidiClass, BidiDataSource};

/// Code points below this have their bidi class in [`FIRST_BIDI_CLASSES`]
/// (Latin, Greek, Cyrillic, Hebrew, Arabic, Syriac and their punctuation).
const TABLED_BIDI_CLASSES: u32 = 0x800;

/// The bidi classes of the first code points, looked up once: the
/// library's table is a binary search, and a long paragraph asks it for
/// every character.
static FIRST_BIDI_CLASSES: LazyLock<Vec<BidiClass>> = LazyLock::new(|| {
    (0..TABLED_BIDI_CLASSES)
        .filter_map(char::from_u32)
        .map(unicode_bidi::bidi_class)
        .collect()
});

/// A character's bidi class, as `unicode_bidi::bidi_class` gives it.
pub fn bidi_class(c: char) -> BidiClass {
    FIRST_BIDI_CLASSES
        .get(c as usize)
        .copied()
        .unwrap_or_else(|| unicode_bidi::bidi_class(c))
}

/// [`bidi_class`] as the data of `unicode_bidi`'s algorithm.
pub struct Classes;

impl BidiDataSource for Classes {
    fn bidi_class(&self, c: char) -> BidiClass {
        bidi_class(c)
    }
}
