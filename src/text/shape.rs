//! HarfBuzz shaping. The glyph ids and positions produced here are exactly
//! HarfBuzz's for the run's font, text, direction, script and language; layout
//! only moves whole runs and widens spaces (or re-shapes a word lengthened
//! with tatweels, see `layout::kashida`), and the PDF writer draws them as
//! they are.

use std::cell::{OnceCell, RefCell};
use std::hash::BuildHasher;
use std::ops::Range;
#[cfg(test)]
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use hashbrown::HashTable;
use read_fonts::tables::gpos::PositionSubtables;
use read_fonts::tables::layout::{ChainedSequenceContext, CoverageTable, LookupFlag};
use read_fonts::types::GlyphId;
use read_fonts::{FontRef, TableProvider};
use rustc_hash::{FxBuildHasher, FxHashMap};

use harfbuzz_rs::sys::{
    HB_BUFFER_FLAG_PRODUCE_SAFE_TO_INSERT_TATWEEL, HB_GLYPH_FLAG_SAFE_TO_INSERT_TATWEEL,
    HB_GLYPH_FLAG_UNSAFE_TO_BREAK, hb_buffer_get_flags, hb_buffer_set_flags,
    hb_ot_layout_lookup_collect_glyphs, hb_ot_layout_table_get_lookup_count, hb_set_clear,
    hb_set_create, hb_set_destroy, hb_set_has, hb_set_next, hb_set_t,
};
use harfbuzz_rs::{
    ClusterLevel, Feature, Font, HarfbuzzObject, Language, Owned, Tag, TypedBuffer, UnicodeBuffer,
};
use rayon::prelude::*;
use unicode_bidi::Level;
use unicode_script::Script;

use crate::fonts::FontLibrary;

use super::itemize::{self, Coverage, Item, MissingGlyph};
use super::{ParagraphSettings, StyledText, alongside};

/// One glyph as HarfBuzz placed it, scaled to points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShapedGlyph {
    pub id: u16,
    /// Byte offset in the paragraph text of the cluster this glyph belongs to.
    pub cluster: usize,
    /// End of that cluster's text (the next cluster's start, or the run's end).
    pub cluster_end: usize,
    pub x_advance: f32,
    pub x_offset: f32,
    /// Upwards, as in HarfBuzz.
    pub y_offset: f32,
    /// HarfBuzz says a U+0640 TATWEEL may be inserted before this glyph's
    /// cluster without changing how the text around it shapes
    /// (`HB_GLYPH_FLAG_SAFE_TO_INSERT_TATWEEL`).
    pub tatweel_safe: bool,
    /// Breaking the text at the start of this glyph's cluster changes how
    /// one side shapes (`HB_GLYPH_FLAG_UNSAFE_TO_BREAK`).
    pub unsafe_to_break: bool,
}

/// A run of one face, size, level and script.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapedRun {
    pub range: Range<usize>,
    pub face: usize,
    /// The size the face is set at: the style's, scaled by
    /// [`Shaper::size_adjust`].
    pub size: f32,
    pub raise: f32,
    pub level: Level,
    /// The script HarfBuzz was told (Common and Inherited resolved).
    pub script: Script,
    /// In HarfBuzz's output order (visual order, left to right).
    pub glyphs: Vec<ShapedGlyph>,
}

/// A shaped paragraph: runs in logical order.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapedText {
    pub styled: StyledText,
    pub base_level: Level,
    /// Bidi level of every byte of the text.
    pub levels: Vec<Level>,
    pub runs: Vec<ShapedRun>,
    pub missing: Vec<MissingGlyph>,
}

impl ShapedText {
    pub fn text(&self) -> &str {
        &self.styled.text
    }
}

/// HarfBuzz fonts for every face of a library. Not `Send`: make one per thread.
pub struct Shaper<'a> {
    library: &'a FontLibrary,
    fonts: Vec<Owned<Font<'a>>>,
    upem: Vec<f32>,
    /// Height of each face's `x`, in ems (`None` when it has none).
    x_heights: Vec<Option<f32>>,
    language: Language,
    /// The language's tag, as given: [`Shaper::language_tag`].
    language_tag: String,
    /// Per face, what 1, 2, … tatweels add to a word (see [`Shaper::tatweel_widths`]).
    tatweel: Vec<OnceCell<Option<TatweelWidths>>>,
    /// Shaped pieces, shared with every shaper of the library.
    cache: &'a ShapeCache,
    /// The key of the piece being looked up in `cache` ([`piece_key`]).
    key: RefCell<Vec<u8>>,
    /// HarfBuzz's buffer, emptied and kept for the next piece: a new one
    /// allocated its arrays again for every piece. (Everything HarfBuzz
    /// reads of it is set for each piece.)
    buffer: RefCell<Option<UnicodeBuffer>>,
    /// Per face, whether it has justification alternates
    /// ([`Shaper::has_alternates`]).
    alternates: Vec<OnceCell<bool>>,
    /// Per face, how its words may be shaped apart ([`Shaper::word_shaping`],
    /// shared through the cache).
    word_shaping: Vec<OnceCell<Arc<WordShaping>>>,
    /// Per face, [`Shaper::glyph_reach`] of each glyph asked for so far
    /// ([`Reaches`], shared through the cache).
    reach: Vec<OnceCell<Arc<Reaches>>>,
    /// Per face, whether it has a glyph for each character asked for so far
    /// ([`Covered`], shared through the cache).
    covered: Vec<OnceCell<Arc<Covered>>>,
}

/// How far a glyph reaches above and below the baseline, in ems (both
/// positive outwards).
pub type Reach = (f32, f32);

/// A face's [`Reach`] of each glyph asked for so far, by glyph id, for
/// every shaper of a library and so every thread: extents walk the
/// outline, and every line asks for each of its glyphs. One table a face,
/// not a shaper: a long book's build makes hundreds of shapers, and a table
/// each was new memory from the system, filled again each time.
struct Reaches(Box<[AtomicU64]>);

impl Reaches {
    /// Not asked for yet: NaN for both, which no outline gives.
    const UNKNOWN: u64 = u64::MAX;

    fn new(glyphs: usize) -> Self {
        Reaches((0..glyphs).map(|_| AtomicU64::new(Self::UNKNOWN)).collect())
    }

    /// The reach of `glyph`, found with `find` the first time: two threads
    /// asking at once both find it, and store the same.
    fn get(&self, glyph: usize, find: impl FnOnce() -> Reach) -> Reach {
        let Some(slot) = self.0.get(glyph) else {
            return find();
        };
        match slot.load(Ordering::Relaxed) {
            Self::UNKNOWN => {
                let (up, down) = find();
                slot.store(
                    u64::from(up.to_bits()) << 32 | u64::from(down.to_bits()),
                    Ordering::Relaxed,
                );
                (up, down)
            }
            known => (
                f32::from_bits((known >> 32) as u32),
                f32::from_bits(known as u32),
            ),
        }
    }
}

/// Whether a face has a glyph for each character of the Basic Multilingual
/// Plane asked for so far, for every shaper of a library: itemizing asks
/// for the characters of every paragraph, each a search of the face's cmap
/// in HarfBuzz.
struct Covered(Box<[AtomicU8]>);

impl Covered {
    const UNKNOWN: u8 = 0;
    const HAS: u8 = 1;
    const LACKS: u8 = 2;

    fn new() -> Self {
        Covered(
            (0..=u16::MAX)
                .map(|_| AtomicU8::new(Self::UNKNOWN))
                .collect(),
        )
    }

    /// Whether the face has a glyph for `ch`, found with `find` the first
    /// time (and every time beyond the plane).
    fn has(&self, ch: char, find: impl FnOnce() -> bool) -> bool {
        let Some(slot) = self.0.get(ch as usize) else {
            return find();
        };
        match slot.load(Ordering::Relaxed) {
            Self::HAS => true,
            Self::LACKS => false,
            _ => {
                let has = find();
                slot.store(if has { Self::HAS } else { Self::LACKS }, Ordering::Relaxed);
                has
            }
        }
    }
}

/// How a face's words may be shaped one by one, with the same glyphs and
/// flags as in their paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
enum WordShaping {
    /// No lookup touches the space: each word on its own.
    Apart,
    /// Lookups look back over the space, never further into it: a word
    /// they may apply to is shaped after the word before it, any other on
    /// its own.
    AfterPrevious(LookingBack),
    /// Lookups reach through the space: the whole run at once.
    Whole,
}

/// Which words lookups looking back over a space may apply to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum LookingBack {
    /// Any: a substitution looks back, and what it would substitute is not
    /// known from the word's glyphs.
    Any,
    /// Words with one of the glyphs of `after` after a word with one of
    /// `before` (both sorted; any word when `before` is not known): only
    /// positioning lookups look back, and they run after every
    /// substitution, on the glyphs the words come out with. Amiri kerns a
    /// kaf after a space only when a heh is before it.
    Glyphs {
        before: Option<Vec<u16>>,
        after: Vec<u16>,
    },
}

impl LookingBack {
    /// Whether a lookup may look back from `word` (shaped on its own) into
    /// the word before it, shaped on its own by `previous` if need be.
    fn applies(&self, word: &[ShapedGlyph], previous: impl FnOnce() -> Vec<ShapedGlyph>) -> bool {
        let has = |glyphs: &[ShapedGlyph], ids: &[u16]| {
            glyphs.iter().any(|g| ids.binary_search(&g.id).is_ok())
        };
        match self {
            LookingBack::Any => true,
            LookingBack::Glyphs { before, after } => {
                has(word, after)
                    && before
                        .as_ref()
                        .is_none_or(|before| has(&previous(), before))
            }
        }
    }
}

/// `glyphs` with clusters `by` bytes further on.
fn shift(glyphs: &mut [ShapedGlyph], by: usize) {
    for g in glyphs {
        g.cluster += by;
        g.cluster_end += by;
    }
}

/// `glyphs`, shaped in font units as a piece starting `by` bytes into the
/// text, with clusters in the text and positions `scale` times theirs.
fn place(glyphs: &mut [ShapedGlyph], by: usize, scale: f32) {
    shift(glyphs, by);
    for g in glyphs {
        g.x_advance *= scale;
        g.x_offset *= scale;
        g.y_offset *= scale;
    }
}

/// Where the last of the words ending at `ends` starts.
fn last_start(ends: &[usize]) -> usize {
    ends.len().checked_sub(2).map_or(0, |p| ends[p])
}

/// Marks glyphs `indices` of `word` unsafe to break.
fn mark_unsafe(word: &mut [ShapedGlyph], indices: &[usize]) {
    for &index in indices {
        if let Some(g) = word.get_mut(index) {
            g.unsafe_to_break = true;
        }
    }
}

/// Where `glyphs` are unsafe to break.
fn unsafe_indices(glyphs: &[ShapedGlyph]) -> impl Iterator<Item = usize> + '_ {
    glyphs
        .iter()
        .enumerate()
        .filter(|(_, g)| g.unsafe_to_break)
        .map(|(i, _)| i)
}

/// What [`ShapeCache`] keeps a shaped piece by: everything HarfBuzz is
/// given for it, written one after the other into bytes (so that a piece
/// is looked up without allocating a key, in a buffer the shaper keeps).
/// Whether it is set right to left, whether justification alternates are
/// asked for and whether the numbers are written in 32 bits rather than 16,
/// in one byte; the script; the face; where the piece starts and ends in
/// the text HarfBuzz reads; where the alternates are asked for (bytes from
/// the piece's start, if they are); then that text: the language tag, a
/// NUL, then the piece with up to [`CONTEXT_CHARS`] characters of context
/// each side (none on a side where it changes nothing). The first byte
/// says the length of everything before the text, so no two pieces write
/// the same bytes. Not the size: HarfBuzz shapes in font units (no size is
/// set on its fonts), and the glyphs are kept so, scaled when taken, so a
/// word in a heading or a note is the body's word. A word's key is short
/// (16-bit numbers, no alternates' range written when none are asked for):
/// a long book's cache holds a hundred thousand.
fn piece_key(
    key: &mut Vec<u8>,
    face: usize,
    rtl: bool,
    script: Script,
    alternate: Option<Range<usize>>,
    piece: Range<usize>,
    read: [&str; 3],
) {
    const RIGHT_TO_LEFT: u8 = 1;
    const ALTERNATES: u8 = 2;
    const WIDE: u8 = 4;
    let alternate = alternate.map(|on| [on.start, on.end]);
    let numbers = || {
        [face, piece.start, piece.end]
            .into_iter()
            .chain(alternate.into_iter().flatten())
    };
    let wide = numbers().any(|n| n > usize::from(u16::MAX));
    key.clear();
    key.push(
        (u8::from(rtl) * RIGHT_TO_LEFT)
            | (u8::from(alternate.is_some()) * ALTERNATES)
            | (u8::from(wide) * WIDE),
    );
    // The script's value in the enumeration (`repr(u8)`), one for each.
    key.push(script as u8);
    // In 32 bits at most: a piece's window is a paragraph at most, and no
    // source file reaches 4 GiB (`load::MAX_FILE_BYTES`).
    for n in numbers() {
        match wide {
            true => key.extend_from_slice(&(n as u32).to_le_bytes()),
            false => key.extend_from_slice(&(n as u16).to_le_bytes()),
        }
    }
    for text in read {
        key.extend_from_slice(text.as_bytes());
    }
}

/// How many characters of context HarfBuzz keeps on each side of the text it
/// shapes (`HB_BUFFER_CONTEXT_LENGTH`): nothing further away changes its
/// output, so the cache's key holds no more.
const CONTEXT_CHARS: usize = 5;

/// Whether `c` joins nothing and is no mark (Unicode's joining type `U`):
/// a few characters of that kind only, the ones that stand beside a
/// book's words and numbers. HarfBuzz reads the context around the text
/// it shapes only to join Arabic letters across it (the nearest character
/// that is no mark decides; one of these resets the joining, as the start
/// of the text does, and so does one at the piece's own end) and to put a
/// dotted circle before a mark that begins a text, which it does only for
/// the text's beginning flag, never set here.
fn joins_nothing(c: char) -> bool {
    c.is_ascii()
        || matches!(c,
            '\u{00AB}' | '\u{00BB}' | '\u{060C}' | '\u{061B}' | '\u{061F}'
            | '\u{0660}'..='\u{066C}' | '\u{06D4}' | '\u{06F0}'..='\u{06F9}'
            | '\u{2013}' | '\u{2014}' | '\u{2018}'..='\u{201F}' | '\u{2026}')
}

/// How many shaped pieces a [`ShapeCache`] remembers before it starts
/// afresh: a long book's vocabulary, with its punctuated forms and the
/// pairs of words shaped together, fits.
const CACHE_PIECES: usize = 1 << 17;

/// The most glyphs a [`Shaper`] keeps HarfBuzz's buffer after: a word's
/// or a line's, not a paragraph of megabytes'.
const KEPT_BUFFER_GLYPHS: usize = 4096;

/// How many parts a [`ShapeCache`] is cut into, each behind a lock of its
/// own: with one lock, the threads shaping a book's chapters waited for
/// each other on nearly every word.
const CACHE_SHARDS: usize = 16;

/// The bytes of a block of a [`Shard`]'s pieces: a piece's place is its
/// block and where it starts in it, in 32 bits.
const BLOCK_BYTES: usize = 1 << 16;

/// One part of a [`ShapeCache`]: its pieces one after another in blocks
/// of [`BLOCK_BYTES`] (a longer piece in a block of its own), each its
/// key's length and its glyphs' count (32 bits each), its key, then its
/// glyphs ([`CachedGlyph::BYTES`] each), and a table of their places.
/// A piece in a map of its own key and glyphs took two allocations and
/// 33 bytes of the table's (grown to twice the pieces it holds): 23 MB of
/// a 9,951-page book's 57 MB at its most (massif).
#[derive(Default)]
struct Shard {
    blocks: Vec<Vec<u8>>,
    places: HashTable<u32>,
}

/// A piece's key and glyphs, at `place` in `blocks`.
fn piece_at(blocks: &[Vec<u8>], place: u32) -> (&[u8], &[u8]) {
    let block = &blocks[(place >> 16) as usize];
    let at = (place & 0xFFFF) as usize;
    let number = |at: usize| {
        let bytes: [u8; 4] = block[at..at + 4].try_into().unwrap_or_default();
        u32::from_le_bytes(bytes) as usize
    };
    let (key, glyphs) = (number(at), number(at + 4));
    let key_at = at + 8;
    let glyphs_at = key_at + key;
    let end = glyphs_at + glyphs * CachedGlyph::BYTES;
    (&block[key_at..glyphs_at], &block[glyphs_at..end])
}

impl Shard {
    fn len(&self) -> usize {
        self.places.len()
    }

    /// The glyphs of the piece of `key`, whose hash is `hash`.
    fn get(&self, hash: u64, key: &[u8]) -> Option<&[u8]> {
        let place = self
            .places
            .find(hash, |&place| piece_at(&self.blocks, place).0 == key)?;
        Some(piece_at(&self.blocks, *place).1)
    }

    /// Keeps `glyphs` as the piece of `key`, whose hash is `hash`, unless
    /// it is kept already (another thread shaped it meanwhile).
    fn insert(&mut self, hash: u64, key: &[u8], glyphs: &[CachedGlyph]) {
        if self.get(hash, key).is_some() {
            return;
        }
        let (Ok(key_length), Ok(count)) = (u32::try_from(key.len()), u32::try_from(glyphs.len()))
        else {
            return;
        };
        let bytes = 8 + key.len() + glyphs.len() * CachedGlyph::BYTES;
        let fits = |block: &Vec<u8>| block.capacity() - block.len() >= bytes;
        if !self.blocks.last().is_some_and(fits) {
            // A part holds fewer pieces than a place can number blocks.
            const { assert!(CACHE_PIECES / CACHE_SHARDS < 1 << 16) };
            self.blocks.push(Vec::with_capacity(bytes.max(BLOCK_BYTES)));
        }
        let index = self.blocks.len() - 1;
        let Some(block) = self.blocks.last_mut() else {
            return;
        };
        // A block of its own for a long piece may have room past 64 KiB.
        let (Ok(index), Ok(at)) = (u16::try_from(index), u16::try_from(block.len())) else {
            return;
        };
        block.extend(key_length.to_le_bytes());
        block.extend(count.to_le_bytes());
        block.extend(key);
        for glyph in glyphs {
            block.extend(glyph.to_bytes());
        }
        let place = u32::from(index) << 16 | u32::from(at);
        let Shard { blocks, places } = self;
        places.insert_unique(hash, place, |&place| {
            FxBuildHasher.hash_one(piece_at(blocks, place).0)
        });
    }

    fn clear(&mut self) {
        *self = Shard::default();
    }
}

/// A [`ShapedGlyph`] as the cache keeps it, written in 13 bytes
/// ([`CachedGlyph::to_bytes`]) where the glyph takes 32: its
/// cluster offsets in the window it was shaped in (a word and its context)
/// and its positions in font units (whole numbers: HarfBuzz shapes without
/// a scale) in 16 bits each. A long book's cache holds about a million
/// glyphs; a piece whose offsets or positions do not fit is not kept.
#[derive(Debug, Clone, Copy)]
struct CachedGlyph {
    id: u16,
    tatweel_safe: bool,
    unsafe_to_break: bool,
    cluster: u16,
    cluster_end: u16,
    x_advance: i16,
    x_offset: i16,
    y_offset: i16,
}

impl CachedGlyph {
    const BYTES: usize = 13;

    /// As the cache writes it: the numbers little-endian, the two flags in
    /// one byte.
    fn to_bytes(self) -> [u8; Self::BYTES] {
        let flags = u8::from(self.tatweel_safe) | u8::from(self.unsafe_to_break) << 1;
        let mut bytes = [0; Self::BYTES];
        bytes[0] = flags;
        let numbers = [self.id, self.cluster, self.cluster_end];
        let positions = [self.x_advance, self.x_offset, self.y_offset];
        let words = (numbers.into_iter().map(u16::to_le_bytes))
            .chain(positions.into_iter().map(i16::to_le_bytes));
        for (at, word) in words.enumerate() {
            bytes[1 + 2 * at..3 + 2 * at].copy_from_slice(&word);
        }
        bytes
    }

    /// What [`CachedGlyph::to_bytes`] wrote, from the start of `bytes`.
    fn from_bytes(bytes: &[u8]) -> Self {
        let word = |at: usize| [bytes[1 + 2 * at], bytes[2 + 2 * at]];
        Self {
            tatweel_safe: bytes[0] & 1 != 0,
            unsafe_to_break: bytes[0] & 2 != 0,
            id: u16::from_le_bytes(word(0)),
            cluster: u16::from_le_bytes(word(1)),
            cluster_end: u16::from_le_bytes(word(2)),
            x_advance: i16::from_le_bytes(word(3)),
            x_offset: i16::from_le_bytes(word(4)),
            y_offset: i16::from_le_bytes(word(5)),
        }
    }

    /// `g` as the cache keeps it, if its offsets and positions fit.
    fn new(g: &ShapedGlyph) -> Option<Self> {
        // A position is kept only if it comes back as it was.
        let unit = |at: f32| {
            i16::try_from(at as i32)
                .ok()
                .filter(|&u| f32::from(u).to_bits() == at.to_bits())
        };
        Some(Self {
            id: g.id,
            tatweel_safe: g.tatweel_safe,
            unsafe_to_break: g.unsafe_to_break,
            cluster: u16::try_from(g.cluster).ok()?,
            cluster_end: u16::try_from(g.cluster_end).ok()?,
            x_advance: unit(g.x_advance)?,
            x_offset: unit(g.x_offset)?,
            y_offset: unit(g.y_offset)?,
        })
    }
}

impl From<&CachedGlyph> for ShapedGlyph {
    fn from(g: &CachedGlyph) -> Self {
        Self {
            id: g.id,
            cluster: usize::from(g.cluster),
            cluster_end: usize::from(g.cluster_end),
            x_advance: f32::from(g.x_advance),
            x_offset: f32::from(g.x_offset),
            y_offset: f32::from(g.y_offset),
            tatweel_safe: g.tatweel_safe,
            unsafe_to_break: g.unsafe_to_break,
        }
    }
}

/// Shaped pieces of text, shared by every [`Shaper`] of a font library and
/// so by every thread: a book repeats its words, lines re-shape the same
/// words when justified, and HarfBuzz over all of it was most of a build.
/// A piece is found only when everything HarfBuzz would read for it is the
/// same, so the cache changes no glyph (tested against building without
/// it).
pub struct ShapeCache {
    shards: Option<Box<[Mutex<Shard>]>>,
    /// Per face, how its words may be shaped apart, worked out once for
    /// every shaper: reading every lookup's glyphs took a third of a
    /// millisecond a face, for each of the build's few dozen shapers.
    word_shaping: Mutex<FxHashMap<usize, Arc<WordShaping>>>,
    /// Per face, the reach of its glyphs ([`Reaches`]).
    reaches: Mutex<FxHashMap<usize, Arc<Reaches>>>,
    /// Per face, the characters it has glyphs for ([`Covered`]).
    covered: Mutex<FxHashMap<usize, Arc<Covered>>>,
}

/// `face`'s entry of `known`, made by `make` the first time any shaper asks
/// (the others wait for it).
fn of_face<T>(
    known: &Mutex<FxHashMap<usize, Arc<T>>>,
    face: usize,
    make: impl FnOnce() -> T,
) -> Arc<T> {
    let mut known = known
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    known
        .entry(face)
        .or_insert_with(|| Arc::new(make()))
        .clone()
}

impl ShapeCache {
    /// A cache, or with `on` false none: every piece shaped afresh (what
    /// each face's lookups allow is still worked out once: it depends on
    /// the face alone).
    pub fn new(on: bool) -> Self {
        ShapeCache {
            shards: on.then(|| (0..CACHE_SHARDS).map(|_| Mutex::default()).collect()),
            word_shaping: Mutex::default(),
            reaches: Mutex::default(),
            covered: Mutex::default(),
        }
    }

    /// How `face`'s words may be shaped apart, from `find` the first time
    /// any shaper asks (the others wait for it rather than read the
    /// lookups too).
    fn word_shaping(&self, face: usize, find: impl FnOnce() -> WordShaping) -> Arc<WordShaping> {
        of_face(&self.word_shaping, face, find)
    }

    /// The reach of `face`'s glyphs, a table of `glyphs` made the first
    /// time any shaper asks.
    fn reaches(&self, face: usize, glyphs: usize) -> Arc<Reaches> {
        of_face(&self.reaches, face, || Reaches::new(glyphs))
    }

    /// Which characters `face` has glyphs for, a table made the first time
    /// any shaper asks.
    fn covered(&self, face: usize) -> Arc<Covered> {
        of_face(&self.covered, face, Covered::new)
    }

    fn is_on(&self) -> bool {
        self.shards.is_some()
    }

    /// The part of the cache that keeps `key`, none when the cache is off,
    /// and the key's hash: its bits 32 to 35 choose the part, its low bits
    /// the place in the part's table.
    fn shard(&self, key: &[u8]) -> Option<(&Mutex<Shard>, u64)> {
        let shards = self.shards.as_deref()?;
        let hash = FxBuildHasher.hash_one(key);
        Some((shards.get((hash >> 32) as usize % CACHE_SHARDS)?, hash))
    }

    /// Forgets every shaped piece: once the chapters are shaped, they would
    /// only add to the memory the rest of the build needs.
    pub fn forget(&self) {
        for shard in self.shards.iter().flatten() {
            if let Ok(mut shard) = shard.lock() {
                shard.clear();
            }
        }
    }
}

impl Default for ShapeCache {
    fn default() -> Self {
        ShapeCache::new(true)
    }
}

/// A copy of a library starts with an empty cache, on or off as the
/// original's.
impl Clone for ShapeCache {
    fn clone(&self) -> Self {
        ShapeCache::new(self.is_on())
    }
}

impl std::fmt::Debug for ShapeCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ShapeCache {{ on: {} }}", self.is_on())
    }
}

/// The OpenType feature of justification alternates: wider (or narrower)
/// forms of letters, mostly finals, for justified Arabic.
const JALT: &[u8; 4] = b"jalt";

/// The least and most [`Shaper::size_adjust`] scales a face by: a face
/// whose `x` is unusually short or tall for its letters should not shrink
/// or swell its text out of proportion.
pub const SIZE_ADJUST_LIMITS: (f32, f32) = (0.7, 1.3);

/// The most tatweels in a row that [`Shaper::tatweel_widths`] measures.
pub const MAX_TATWEELS: usize = 3;

/// U+0640 ARABIC TATWEEL: the character of a kashida, which HarfBuzz may
/// insert where a glyph says it is safe to.
pub const TATWEEL: char = '\u{0640}';

/// `widths[k - 1]` is what `k` tatweels inside a word add to its width, in
/// font units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TatweelWidths(pub [f32; MAX_TATWEELS]);

impl<'a> Shaper<'a> {
    pub fn new(library: &'a FontLibrary, language: &str) -> Self {
        let fonts = library.harfbuzz_fonts();
        let upem: Vec<f32> = fonts.iter().map(|f| f.face().upem() as f32).collect();
        let x_heights = fonts
            .iter()
            .zip(&upem)
            .map(|(font, upem)| {
                let x = font.get_nominal_glyph(itemize::X_HEIGHT_PROBE)?;
                let top = font.get_glyph_extents(x)?.y_bearing;
                (top > 0).then(|| top as f32 / upem)
            })
            .collect();
        let language_tag = language;
        let language = Language::from_str(language).unwrap_or_default();
        let tatweel = fonts.iter().map(|_| OnceCell::new()).collect();
        let word_shaping = fonts.iter().map(|_| OnceCell::new()).collect();
        let reach = fonts.iter().map(|_| OnceCell::new()).collect();
        let covered = fonts.iter().map(|_| OnceCell::new()).collect();
        let alternates = fonts.iter().map(|_| OnceCell::new()).collect();
        Shaper {
            library,
            fonts,
            upem,
            x_heights,
            language,
            language_tag: language_tag.to_string(),
            tatweel,
            alternates,
            cache: &library.shaped,
            key: RefCell::new(Vec::new()),
            buffer: RefCell::new(None),
            word_shaping,
            reach,
            covered,
        }
    }

    /// The language this shaper was made for: another thread makes its own
    /// shaper (a shaper is not `Send`) with `Shaper::new(library, tag)`.
    pub fn language_tag(&self) -> &str {
        &self.language_tag
    }

    /// Units per em of `face`.
    pub fn upem(&self, face: usize) -> f32 {
        self.upem[face]
    }

    /// How much text set in `face` is scaled so that its x-height matches
    /// `reference`'s, as CSS `font-size-adjust` does: Cyrillic in Noto Serif
    /// inside Arabic set in Amiri is set at Amiri's Latin x-height. 1 when
    /// either face has no `x`; kept within [`SIZE_ADJUST_LIMITS`].
    pub fn size_adjust(&self, reference: usize, face: usize) -> f32 {
        match (self.x_heights[reference], self.x_heights[face]) {
            (Some(wanted), Some(own)) => {
                (wanted / own).clamp(SIZE_ADJUST_LIMITS.0, SIZE_ADJUST_LIMITS.1)
            }
            _ => 1.0,
        }
    }

    /// How far `glyph` of `face` reaches above and below the baseline, in
    /// ems (both positive outwards; zero for a glyph with no outline).
    pub fn glyph_reach(&self, face: usize, glyph: u16) -> Reach {
        let font = &self.fonts[face];
        let reaches = self.reach[face]
            .get_or_init(|| self.cache.reaches(face, font.face().glyph_count() as usize));
        reaches.get(usize::from(glyph), || {
            font.get_glyph_extents(u32::from(glyph))
                .map_or((0.0, 0.0), |e| {
                    let upem = self.upem[face];
                    (
                        e.y_bearing as f32 / upem,
                        -(e.y_bearing + e.height) as f32 / upem,
                    )
                })
        })
    }

    /// Shapes `context[range]` as `run` was shaped (same face, size,
    /// direction, script and language), with the rest of `context` around
    /// it; clusters are byte offsets in `context`. For re-shaping a piece of
    /// a run whose text was changed (tatweels inserted), or with the face's
    /// justification alternates (`jalt`) on the characters of `alternate`
    /// (byte offsets in `context`). Justification re-shapes the same words
    /// over and over: they come from the cache.
    pub fn reshape(
        &self,
        run: &ShapedRun,
        context: &str,
        range: Range<usize>,
        alternate: Option<Range<usize>>,
    ) -> Vec<ShapedGlyph> {
        let (face, size, level, script) = (run.face, run.size, run.level, run.script);
        let mut glyphs = Vec::new();
        self.shape_with_into(
            &mut glyphs,
            context,
            range,
            face,
            size,
            level,
            script,
            alternate,
        );
        glyphs
    }

    /// Whether `face` has justification alternates (`jalt`) for Arabic
    /// final letters: whether the feature changes the glyph of any letter
    /// of the probe, each in its final form.
    pub fn has_alternates(&self, face: usize) -> bool {
        *self.alternates[face].get_or_init(|| {
            const PROBE: &str =
                "بب تت ثث جج حح خخ سس شش صص ضض طط ظظ عع غغ فف قق كك لل مم نن هه يي بد بر بو بى بة";
            let shape = |alternate: Option<Range<usize>>| -> Vec<u16> {
                let mut glyphs = Vec::new();
                self.shape_with_into(
                    &mut glyphs,
                    PROBE,
                    0..PROBE.len(),
                    face,
                    1.0,
                    Level::rtl(),
                    Script::Arabic,
                    alternate,
                );
                glyphs.iter().map(|g| g.id).collect()
            };
            shape(None) != shape(Some(0..PROBE.len()))
        })
    }

    /// What tatweels add to an Arabic word set in `face`, measured after
    /// shaping: a font may draw U+0640 as an empty glyph and its visible
    /// kashida only in context (Amiri does, through `rlig`), so the probe is
    /// a tatweel between two seens, where every Arabic font joins. `None` when
    /// the face has no tatweel or it adds nothing.
    pub fn tatweel_widths(&self, face: usize) -> Option<TatweelWidths> {
        *self.tatweel[face].get_or_init(|| {
            const SEEN: char = '\u{0633}';
            self.fonts[face].get_nominal_glyph(TATWEEL)?;
            let width = |tatweels: usize| -> f32 {
                let mut probe = String::from(SEEN);
                probe.extend(std::iter::repeat_n(TATWEEL, tatweels));
                probe.push(SEEN);
                let level = Level::rtl();
                self.shape_run(&probe, 0..probe.len(), face, 1.0, level, Script::Arabic)
                    .iter()
                    .map(|g| g.x_advance)
                    .sum::<f32>()
                    * self.upem[face]
            };
            let plain = width(0);
            let mut widths = [0.0; MAX_TATWEELS];
            for (k, slot) in widths.iter_mut().enumerate() {
                *slot = width(k + 1) - plain;
            }
            (widths[0] > 0.0).then_some(TatweelWidths(widths))
        })
    }

    /// The glyphs `face` draws for a tatweel, in any joining context: the
    /// probe is a tatweel between each letter that joins on both sides and
    /// each Arabic letter. A face may draw them where no tatweel was
    /// typed: Amiri starts some lam clusters with one.
    pub fn tatweel_glyphs(&self, face: usize) -> Vec<u16> {
        const DUAL_JOINING: &str = "بتثجحخسشصضطظعغفقكلمنهي";
        const RIGHT_JOINING: &str = "اأإآدذرزوؤةى";
        if self.fonts[face].get_nominal_glyph(TATWEEL).is_none() {
            return Vec::new();
        }
        let mut probe = String::new();
        for before in DUAL_JOINING.chars() {
            for after in DUAL_JOINING.chars().chain(RIGHT_JOINING.chars()) {
                probe.extend([before, TATWEEL, after, ' ']);
            }
        }
        let mut glyphs: Vec<u16> = self
            .shape_run(
                &probe,
                0..probe.len(),
                face,
                1.0,
                Level::rtl(),
                Script::Arabic,
            )
            .iter()
            .filter(|g| probe[g.cluster..].starts_with(TATWEEL))
            .map(|g| g.id)
            .collect();
        glyphs.sort_unstable();
        glyphs.dedup();
        glyphs
    }

    /// Itemizes and shapes a paragraph.
    pub fn shape(&self, styled: StyledText, settings: ParagraphSettings) -> ShapedText {
        let library = self.library;
        // A long paragraph finds its bidi levels on another thread while
        // this one chooses faces, and shapes its runs on every thread.
        let parallel = styled.text.len() >= settings.threading.from_bytes;
        let mut missing = Vec::new();
        let (faces, (base_level, levels)) = alongside(
            parallel,
            || itemize::faces(&styled, library, self, &mut missing),
            || itemize::bidi_levels(&styled.text, settings.direction),
        );
        let items = itemize::items(&faces, &levels);
        drop(faces);
        let shape_item = |shaper: &Shaper, item: Item| {
            let style = styled.spans[item.span].style;
            let size = style.size * shaper.size_adjust(item.size_reference, item.face);
            // A run as long as a long paragraph shares its words out.
            let glyphs = shaper.shape_words(
                &styled.text,
                item.range.clone(),
                item.face,
                size,
                item.level,
                item.script,
                item.range.len() >= settings.threading.from_bytes,
            );
            ShapedRun {
                range: item.range,
                face: item.face,
                size,
                raise: style.raise,
                level: item.level,
                script: item.script,
                glyphs,
            }
        };
        let runs: Vec<ShapedRun> = if parallel {
            self.in_shares(items.len(), |shaper, share| {
                share
                    .map(|k| shape_item(shaper, items[k].clone()))
                    .collect::<Vec<_>>()
            })
            .into_iter()
            .flatten()
            .collect()
        } else {
            items
                .into_iter()
                .map(|item| shape_item(self, item))
                .collect()
        };
        ShapedText {
            styled,
            base_level,
            levels,
            runs,
            missing,
        }
    }

    /// Shapes `text[range]` as [`Shaper::shape_run`] does, word by word
    /// when that gives the same glyphs and flags, so that each word comes
    /// from the cache (a paragraph of megabytes repeats its words; HarfBuzz
    /// over all of it dominated the build). A word is cut off where the
    /// face's lookups cannot reach across the space before it
    /// ([`WordShaping`]) and it starts with a character that begins a
    /// cluster of its own; Arabic joining stops at a space anyway. A word
    /// is shaped after a space and with nothing after it, as every word but
    /// the first and the last is; those two are shaped with their real
    /// context, which may join into the next run. When `parallel`, the
    /// words are shared among the threads.
    #[allow(clippy::too_many_arguments)]
    fn shape_words(
        &self,
        text: &str,
        range: Range<usize>,
        face: usize,
        size: f32,
        level: Level,
        script: Script,
        parallel: bool,
    ) -> Vec<ShapedGlyph> {
        let shaping = self.word_shaping(face);
        if *shaping == WordShaping::Whole {
            return self.shape_run(text, range, face, size, level, script);
        }
        let bytes = text.as_bytes();
        let mut starts = vec![range.start];
        starts.extend(
            text[range.clone()]
                .char_indices()
                .map(|(i, ch)| (range.start + i, ch))
                .filter(|&(at, ch)| {
                    at > range.start && bytes[at - 1] == b' ' && starts_word_cluster(ch)
                })
                .map(|(at, _)| at),
        );
        starts.push(range.end);
        // `piece` of the run, as a word is shaped, added to `out`; and on its
        // own.
        let piece_into = |shaper: &Shaper, out: &mut Vec<ShapedGlyph>, piece: Range<usize>| {
            shaper.shape_piece_into(out, text, range.clone(), piece, face, size, level, script);
        };
        let piece = |shaper: &Shaper, piece: Range<usize>| {
            let mut glyphs = Vec::new();
            piece_into(shaper, &mut glyphs, piece);
            glyphs
        };
        // Word `k`'s glyphs in HarfBuzz's order, added to `out` (from the
        // cache, nothing is allocated for a word); and which glyphs of the
        // word before it are unsafe to break because lookups matched them
        // looking back over the space.
        let shape_word = |shaper: &Shaper, out: &mut Vec<ShapedGlyph>, k: usize| -> Vec<usize> {
            let word = starts[k]..starts[k + 1];
            let looking_back = match shaping {
                WordShaping::AfterPrevious(looking_back) if k > 0 => Some(looking_back),
                _ => None,
            };
            if !matches!(looking_back, Some(LookingBack::Any)) {
                let alone = out.len();
                piece_into(shaper, out, word.clone());
                let applies = looking_back.is_some_and(|back| {
                    back.applies(&out[alone..], || piece(shaper, starts[k - 1]..word.start))
                });
                if !applies {
                    return Vec::new();
                }
                out.truncate(alone);
            }
            // After the word before it.
            let (before, glyphs): (Vec<ShapedGlyph>, Vec<ShapedGlyph>) =
                piece(shaper, starts[k - 1]..word.end)
                    .into_iter()
                    .partition(|g| g.cluster < word.start);
            out.extend(glyphs);
            unsafe_indices(&before).collect()
        };
        // Words `words` one after the other: their glyphs, where each
        // word's end among them, and the glyphs of the word before the
        // first that are unsafe to break.
        let shape_share = |shaper: &Shaper, words: Range<usize>| {
            // About a glyph a character, and at least a byte a character:
            // not grown word after word.
            let mut glyphs = Vec::with_capacity(starts[words.end] - starts[words.start]);
            let mut ends: Vec<usize> = Vec::with_capacity(words.len());
            let mut unsafe_first = Vec::new();
            for k in words.clone() {
                let start = glyphs.len();
                let unsafe_before = shape_word(shaper, &mut glyphs, k);
                if k == words.start {
                    unsafe_first = unsafe_before;
                } else {
                    mark_unsafe(&mut glyphs[last_start(&ends)..start], &unsafe_before);
                }
                ends.push(glyphs.len());
            }
            (glyphs, ends, unsafe_first)
        };
        let words = starts.len() - 1;
        let (mut glyphs, ends) = if parallel && words > 1 {
            let shares = self.in_shares(words, shape_share);
            // (Sized first: a run of megabytes grown by doubling spent its
            // time copying.)
            let mut glyphs = Vec::with_capacity(shares.iter().map(|(g, _, _)| g.len()).sum());
            let mut ends: Vec<usize> = Vec::with_capacity(words);
            for (share_glyphs, share_ends, unsafe_first) in shares {
                if !ends.is_empty() {
                    let last = last_start(&ends);
                    mark_unsafe(&mut glyphs[last..], &unsafe_first);
                }
                let offset = glyphs.len();
                glyphs.extend(share_glyphs);
                ends.extend(share_ends.into_iter().map(|end| offset + end));
            }
            (glyphs, ends)
        } else {
            let (glyphs, ends, _) = shape_share(self, 0..words);
            (glyphs, ends)
        };
        // HarfBuzz's output is in visual order: right-to-left words come
        // last word first, each in HarfBuzz's order.
        if level.is_rtl() {
            glyphs.reverse();
            let count = glyphs.len();
            let mut start = 0;
            for end in ends {
                glyphs[count - end..count - start].reverse();
                start = end;
            }
        }
        // Sized by bytes, about twice what Arabic needs: the rest given back
        // (shrunk in place) before the paragraph keeps it.
        glyphs.shrink_to_fit();
        glyphs
    }

    /// How far `face`'s lookups (GSUB and GPOS) reach across a space: not
    /// at all, only looking back over it (Amiri kerns a kaf after a space
    /// against a heh before it), or further. Older kerning and AAT tables
    /// count as further.
    fn word_shaping(&self, face: usize) -> &WordShaping {
        self.word_shaping[face].get_or_init(|| {
            self.cache
                .word_shaping(face, || self.find_word_shaping(face))
        })
    }

    /// [`Shaper::word_shaping`], read from the face's lookups.
    fn find_word_shaping(&self, face: usize) -> WordShaping {
        let font = &self.fonts[face];
        let Some(space) = font.get_nominal_glyph(' ') else {
            return WordShaping::Whole;
        };
        let hb_face = font.face();
        let tag = |name: &str| Tag::from_str(name).expect("a four-letter tag");
        if ["kern", "kerx", "morx", "mort"].iter().any(|&name| {
            hb_face
                .table_with_tag(tag(name))
                .is_some_and(|blob| !blob.is_empty())
        }) {
            return WordShaping::Whole;
        }
        let data = self.library.faces[face].data.as_slice();
        if space_may_be_skipped(data, space) {
            return WordShaping::Whole;
        }
        // Whether a substitution looks back over the space, the glyphs
        // positioning lookups that do may apply to, and those one of
        // which they need before the space (`None`: not known).
        let (mut substitution_before, mut positioned) = (false, Vec::new());
        let mut needed_before = Some(Vec::new());
        for table in ["GSUB", "GPOS"] {
            // SAFETY: the face lives through the block; the sets are
            // created here and destroyed before it ends; HarfBuzz only
            // reads the face and adds glyphs to the sets.
            unsafe {
                let raw = hb_face.as_raw();
                let count = hb_ot_layout_table_get_lookup_count(raw, tag(table).0);
                // Glyphs before, in, after and out of a lookup.
                let sets: [*mut hb_set_t; 4] = std::array::from_fn(|_| hb_set_create());
                for lookup in 0..count {
                    sets.iter().for_each(|&set| hb_set_clear(set));
                    hb_ot_layout_lookup_collect_glyphs(
                        raw,
                        tag(table).0,
                        lookup,
                        sets[0],
                        sets[1],
                        sets[2],
                        sets[3],
                    );
                    if sets[1..].iter().any(|&set| hb_set_has(set, space) != 0) {
                        sets.into_iter().for_each(|set| hb_set_destroy(set));
                        return WordShaping::Whole;
                    }
                    if hb_set_has(sets[0], space) == 0 {
                        continue;
                    }
                    if table == "GSUB" {
                        substitution_before = true;
                    } else {
                        let mut glyph = u32::MAX; // HB_SET_VALUE_INVALID: from the start
                        while hb_set_next(sets[1], &mut glyph) != 0 {
                            positioned.extend(u16::try_from(glyph));
                        }
                        needed_before = needed_before
                            .zip(glyphs_before_space(data, lookup, space))
                            .map(|(mut all, these)| {
                                all.extend(these);
                                all
                            });
                    }
                }
                sets.into_iter().for_each(|set| hb_set_destroy(set));
            }
        }
        positioned.sort_unstable();
        positioned.dedup();
        if let Some(glyphs) = &mut needed_before {
            glyphs.sort_unstable();
            glyphs.dedup();
        }
        if substitution_before {
            WordShaping::AfterPrevious(LookingBack::Any)
        } else if !positioned.is_empty() {
            WordShaping::AfterPrevious(LookingBack::Glyphs {
                before: needed_before,
                after: positioned,
            })
        } else {
            WordShaping::Apart
        }
    }

    /// `work` on `0..count` cut into one share a thread, in order, each
    /// share with a shaper of its own (a shaper is not `Send`).
    fn in_shares<T: Send>(
        &self,
        count: usize,
        work: impl Fn(&Shaper, Range<usize>) -> T + Sync,
    ) -> Vec<T> {
        let (library, language) = (self.library, self.language_tag());
        let share = count.div_ceil(rayon::current_num_threads()).max(1);
        (0..count.div_ceil(share))
            .into_par_iter()
            .map(|s| {
                work(
                    &Shaper::new(library, language),
                    s * share..count.min((s + 1) * share),
                )
            })
            .collect()
    }

    /// Shapes `piece` (one word, or a word and the one before it) of the
    /// run `text[run]` as [`Shaper::shape_words`] does: with a space before
    /// it and nothing after it, but for the run's first and last word,
    /// which are shaped with their real context.
    #[allow(clippy::too_many_arguments)]
    fn shape_piece_into(
        &self,
        out: &mut Vec<ShapedGlyph>,
        text: &str,
        run: Range<usize>,
        piece: Range<usize>,
        face: usize,
        size: f32,
        level: Level,
        script: Script,
    ) {
        let from = if piece.start == run.start {
            0
        } else {
            piece.start - 1
        };
        let to = if piece.end == run.end {
            text.len()
        } else {
            piece.end
        };
        let (start, within) = (out.len(), piece.start - from..piece.end - from);
        self.shape_with_into(
            out,
            &text[from..to],
            within,
            face,
            size,
            level,
            script,
            None,
        );
        shift(&mut out[start..], from);
    }

    /// Shapes `text[range]` with the rest of `text` as context (so joining
    /// across a style change, e.g. a bold letter inside a word, is right).
    /// Clusters are byte offsets in `text`. Layout calls it again on a piece
    /// of a run whose neighbours change at a line break (a word cut by a
    /// hyphen or an emergency break), with only the line's text as context.
    pub fn shape_run(
        &self,
        text: &str,
        range: Range<usize>,
        face: usize,
        size: f32,
        level: Level,
        script: unicode_script::Script,
    ) -> Vec<ShapedGlyph> {
        let mut glyphs = Vec::new();
        self.shape_with_into(&mut glyphs, text, range, face, size, level, script, None);
        glyphs
    }

    /// [`Shaper::shape_run`] with the face's justification alternates on
    /// the characters of `alternate` (byte offsets in `text`), the glyphs
    /// added to `out`: from the cache when everything HarfBuzz reads is as
    /// it was for a piece shaped before.
    #[allow(clippy::too_many_arguments)]
    fn shape_with_into(
        &self,
        out: &mut Vec<ShapedGlyph>,
        text: &str,
        range: Range<usize>,
        face: usize,
        size: f32,
        level: Level,
        script: Script,
        alternate: Option<Range<usize>>,
    ) {
        let scale = size / self.upem[face];
        if !self.cache.is_on() {
            let start = out.len();
            out.extend(self.shape_unscaled(text, range, face, level, script, alternate));
            place(&mut out[start..], 0, scale);
            return;
        }
        // The piece and the context HarfBuzz reads around it: the window
        // `text[from..to]`. A side where the piece's character or the
        // context's nearest one joins nothing changes no glyph (see
        // [`joins_nothing`]) and is left out: a number, or a word after a
        // space, is then one piece wherever it stands.
        let piece = &text[range.clone()];
        let before = text[..range.start].chars().next_back();
        let after = text[range.end..].chars().next();
        let unread = |nearest: [Option<char>; 2]| nearest.into_iter().flatten().any(joins_nothing);
        let from = if unread([piece.chars().next(), before]) {
            range.start
        } else {
            text[..range.start]
                .char_indices()
                .rev()
                .nth(CONTEXT_CHARS - 1)
                .map_or(0, |(at, _)| at)
        };
        let to = if unread([piece.chars().next_back(), after]) {
            range.end
        } else {
            text[range.end..]
                .char_indices()
                .nth(CONTEXT_CHARS)
                .map_or(text.len(), |(at, _)| range.end + at)
        };
        // Features apply to the clusters of the piece, nowhere else.
        let alternate = alternate.and_then(|on| {
            let (start, end) = (on.start.max(range.start), on.end.min(range.end));
            (start < end).then(|| start - from..end - from)
        });
        let mut key = self.key.borrow_mut();
        let window = self.language_tag.len() + 1;
        piece_key(
            &mut key,
            face,
            level.is_rtl(),
            script,
            alternate.clone(),
            window + range.start - from..window + range.end - from,
            [self.language_tag.as_str(), "\0", &text[from..to]],
        );
        // Clusters are kept as offsets in the window. Copied out under the
        // lock: sharing them (an `Arc`) made both threads write its count.
        let shard = self.cache.shard(&key);
        let start = out.len();
        let known = shard
            .and_then(|(shard, hash)| Some((shard.lock().ok()?, hash)))
            .is_some_and(|(shard, hash)| {
                shard
                    .get(hash, &key)
                    .map(|glyphs| {
                        let glyphs = glyphs.chunks_exact(CachedGlyph::BYTES);
                        out.extend(glyphs.map(|g| ShapedGlyph::from(&CachedGlyph::from_bytes(g))));
                    })
                    .is_some()
            });
        if !known {
            let glyphs = self.shape_unscaled(
                &text[from..to],
                range.start - from..range.end - from,
                face,
                level,
                script,
                alternate,
            );
            let cached: Option<Vec<CachedGlyph>> = glyphs.iter().map(CachedGlyph::new).collect();
            if let (Some((shard, hash)), Some(cached)) = (shard, cached)
                && let Ok(mut shard) = shard.lock()
            {
                if shard.len() >= CACHE_PIECES / CACHE_SHARDS {
                    shard.clear();
                }
                shard.insert(hash, &key, &cached);
            }
            out.extend(glyphs);
        }
        place(&mut out[start..], from, scale);
    }

    /// HarfBuzz's glyphs for `text[range]`, with the face's justification
    /// alternates on the characters of `alternate` (byte offsets in `text`),
    /// in font units.
    fn shape_unscaled(
        &self,
        text: &str,
        range: Range<usize>,
        face: usize,
        level: Level,
        script: Script,
        alternate: Option<Range<usize>>,
    ) -> Vec<ShapedGlyph> {
        let features: Vec<Feature> = alternate
            .into_iter()
            .map(|on| Feature::new(JALT, 1, on))
            .collect();
        let direction = if level.is_rtl() {
            harfbuzz_rs::Direction::Rtl
        } else {
            harfbuzz_rs::Direction::Ltr
        };
        let mut buffer = self
            .buffer
            .take()
            .unwrap_or_default()
            .add_str_item(text, &text[range.clone()])
            .set_direction(direction)
            .set_language(self.language)
            .set_cluster_level(ClusterLevel::MonotoneGraphemes);
        if let Ok(tag) = Tag::from_str(script.short_name()) {
            buffer = buffer.set_script(tag);
        }
        let output = harfbuzz_rs::shape(&self.fonts[face], with_tatweel_flags(buffer), &features);
        let mut glyphs: Vec<ShapedGlyph> = output
            .get_glyph_infos()
            .iter()
            .zip(output.get_glyph_positions())
            .map(|(info, pos)| ShapedGlyph {
                id: u16::try_from(info.codepoint).unwrap_or(0),
                cluster: info.cluster as usize,
                cluster_end: range.end,
                x_advance: pos.x_advance as f32,
                x_offset: pos.x_offset as f32,
                y_offset: pos.y_offset as f32,
                tatweel_safe: info.glyph_flags().0 & HB_GLYPH_FLAG_SAFE_TO_INSERT_TATWEEL != 0,
                unsafe_to_break: info.glyph_flags().0 & HB_GLYPH_FLAG_UNSAFE_TO_BREAK != 0,
            })
            .collect();
        // A buffer that held a long run is let go: it would keep its size
        // while the shaper lives.
        if output.len() <= KEPT_BUFFER_GLYPHS {
            self.buffer.replace(Some(output.clear()));
        }
        set_cluster_ends(&mut glyphs, range.end);
        glyphs
    }
}

/// The glyphs one of which must come before the space for GPOS lookup
/// `lookup` of the font in `data` to look back over the space, as the
/// backtracks of its chained contexts say: at every place a backtrack may
/// hold the space, the glyphs of the place beyond it. `None` when not
/// known: a backtrack that may end at the space (the word before does not
/// matter) or may hold it twice in a row, a lookup that may skip base
/// glyphs (the glyph it needs may be further back), or a subtable of
/// another kind. Every glyph between the space and the one needed is
/// skipped by the lookup (marks, ligatures: never the space, see
/// [`space_may_be_skipped`]), so it is in the word before.
fn glyphs_before_space(data: &[u8], lookup: u32, space: u32) -> Option<Vec<u16>> {
    let font = FontRef::new(data).ok()?;
    let space = GlyphId::new(space);
    let lookup = font
        .gpos()
        .ok()?
        .lookup_list()
        .ok()?
        .lookups()
        .get(usize::try_from(lookup).ok()?)
        .ok()?;
    if lookup
        .lookup_flag()
        .contains(LookupFlag::IGNORE_BASE_GLYPHS)
    {
        return None;
    }
    let PositionSubtables::ChainContextual(subtables) = lookup.subtables().ok()? else {
        return None;
    };
    let mut needed = Vec::new();
    for subtable in subtables.iter() {
        let ChainedSequenceContext::Format3(chain) = subtable.ok()? else {
            return None;
        };
        let backtrack: Vec<CoverageTable> = chain
            .backtrack_coverages()
            .iter()
            .collect::<Result<_, _>>()
            .ok()?;
        for (at, coverage) in backtrack.iter().enumerate() {
            if coverage.get(space).is_none() {
                continue;
            }
            let beyond = backtrack.get(at + 1)?;
            if beyond.get(space).is_some() {
                return None;
            }
            needed.extend(beyond.iter().filter_map(|g| u16::try_from(g.to_u32()).ok()));
        }
    }
    Some(needed)
}

/// Whether the font in `data` classes `space` as a mark or a ligature:
/// lookups that skip those would look across a space without naming it in
/// their context, so no word can be shaped apart.
fn space_may_be_skipped(data: &[u8], space: u32) -> bool {
    /// GDEF's glyph classes of what a lookup may skip.
    const LIGATURE: u32 = 2;
    const MARK: u32 = 3;
    FontRef::new(data)
        .ok()
        .and_then(|font| font.gdef().ok())
        .and_then(|gdef| gdef.glyph_class_def())
        .is_some_and(|classes| {
            classes.is_ok_and(|classes| matches!(classes.get(GlyphId::new(space)), LIGATURE | MARK))
        })
}

/// `buffer` asking HarfBuzz to mark where a tatweel may be inserted. The flag
/// only adds glyph flags: glyphs and positions stay the same.
fn with_tatweel_flags(buffer: UnicodeBuffer) -> UnicodeBuffer {
    let raw = buffer.into_raw();
    // SAFETY: `raw` is the live buffer just released by `into_raw`; setting
    // its flags does not touch its contents, and `take_from_raw` takes it
    // back, as the Unicode buffer it still is.
    unsafe {
        let flags = hb_buffer_get_flags(raw);
        hb_buffer_set_flags(raw, flags | HB_BUFFER_FLAG_PRODUCE_SAFE_TO_INSERT_TATWEEL);
        match TypedBuffer::take_from_raw(raw) {
            Some(TypedBuffer::Unicode(buffer)) => buffer,
            _ => unreachable!("a buffer filled with text is a Unicode buffer"),
        }
    }
}

/// Fills in `cluster_end`. Clusters are monotonic (HarfBuzz's monotone
/// cluster levels): ascending in left-to-right runs, descending in
/// right-to-left ones, so one pass in logical order finds each next start.
fn set_cluster_ends(glyphs: &mut [ShapedGlyph], run_end: usize) {
    let descending = glyphs
        .first()
        .zip(glyphs.last())
        .is_some_and(|(a, b)| a.cluster > b.cluster);
    let mut end = run_end;
    let mut current = usize::MAX;
    let mut fill = |g: &mut ShapedGlyph| {
        if g.cluster != current {
            if current != usize::MAX {
                end = current;
            }
            current = g.cluster;
        }
        g.cluster_end = end;
    };
    // Walk from the logically last glyph backwards.
    if descending {
        glyphs.iter_mut().for_each(&mut fill);
    } else {
        glyphs.iter_mut().rev().for_each(&mut fill);
    }
}

/// Whether `ch` after a space starts a cluster of its own whatever comes
/// around: a letter or digit of the Latin or Arabic alphabets, or visible
/// ASCII; never a mark, a joiner or a selector, which HarfBuzz would
/// cluster with the space.
fn starts_word_cluster(ch: char) -> bool {
    ch.is_ascii_graphic()
        || matches!(ch,
            '\u{00C0}'..='\u{024F}' // Latin letters with diacritics, precomposed
            | '\u{0621}'..='\u{063A}' // Arabic letters
            | '\u{0641}'..='\u{064A}'
            | '\u{0660}'..='\u{0669}' // Arabic-Indic digits
            | '\u{0671}'..='\u{06D3}' // extended Arabic letters
            | '\u{06F0}'..='\u{06F9}') // Persian digits
            && ch != '\u{00D7}'
            && ch != '\u{00F7}'
}

impl Coverage for Shaper<'_> {
    fn has_glyph(&self, face: usize, ch: char) -> bool {
        let covered = self.covered[face].get_or_init(|| self.cache.covered(face));
        covered.has(ch, || self.fonts[face].get_nominal_glyph(ch).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Arc;

    /// Every chapter of the seed book and of the showcase book.
    fn book_texts() -> Vec<String> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut texts = Vec::new();
        for dir in ["book", "tests/books/showcase"] {
            let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
                .expect("a test book")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "md"))
                .collect();
            files.sort();
            texts.extend(
                files
                    .iter()
                    .map(|f| std::fs::read_to_string(f).expect("a chapter")),
            );
        }
        texts
    }

    /// Lines where Amiri's kerning looks back over the space: a kaf
    /// (and keheh, gaf) after a word ending in heh, teh marbuta and others.
    const LOOKING_BACK: &[&str] = &[
        "قال إنه كان هنا وإن هذه كتب المملكة وهذه كلمة طيبة",
        "مدينة كبيرة ومكتبة كاملة فيه كتاب وفيه گل وفيه ک",
        // A haraka between the heh and the space (the lookup skips marks),
        // and kafs after words that end in other letters.
        "قرأتُ فيهِ كتابًا وقال كلمة ثم كتب في كل يوم كلمات",
    ];

    /// A font whose kerning looks back over a space and past it without
    /// needing any glyph of the word before (`tests/fonts/`): a word it
    /// kerns is shaped after the word before it, whatever that word is.
    #[test]
    fn a_look_back_that_needs_no_glyph_before_the_space_shapes_the_pair() {
        let library = fixture(
            "LookBackTest-Regular.ttf",
            include_bytes!("../../tests/fonts/LookBackTest-Regular.ttf"),
        );
        let shaper = Shaper::new(&library, "ar");
        let WordShaping::AfterPrevious(LookingBack::Glyphs { before, .. }) = shaper.word_shaping(0)
        else {
            panic!("{:?}", shaper.word_shaping(0));
        };
        assert_eq!(*before, None);
        let without_cache = uncached(&library);
        let reference = Shaper::new(&without_cache, "ar");
        for line in ["من باك", "هذا من باك وبك كان", "بك من بك", "من بك"]
        {
            let (level, script) = (Level::rtl(), Script::Arabic);
            let whole = reference.shape_run(line, 0..line.len(), 0, 12.0, level, script);
            // Shared among the threads, too: a word shaped after the word
            // before it may begin a share.
            for parallel in [false, true] {
                let apart =
                    shaper.shape_words(line, 0..line.len(), 0, 12.0, level, script, parallel);
                assert_eq!(apart, whole, "{line}");
            }
        }
        // The kaf after «من ب» + alef is moved: the lookup applies.
        let line = "من باك";
        let whole = reference.shape_run(line, 0..line.len(), 0, 12.0, Level::rtl(), Script::Arabic);
        assert!(whole[0].x_offset > 0.0, "{whole:?}");
    }

    /// Where the justification alternates are asked for is part of a piece:
    /// the same words with them on another letter are shaped afresh, not
    /// taken from the cache (the test book's face has `jalt`,
    /// `tests/books/jalt/fonts`).
    #[test]
    fn alternates_asked_for_elsewhere_make_another_piece() {
        let library = fixture(
            "JaltTest-Regular.ttf",
            include_bytes!("../../tests/books/jalt/fonts/JaltTest-Regular.ttf"),
        );
        let face = 0;
        let shaper = Shaper::new(&library, "ar");
        assert!(shaper.has_alternates(face));
        let without_cache = uncached(&library);
        let reference = Shaper::new(&without_cache, "ar");
        // Two words ending in letters the face widens: on neither, on the
        // first's, on the second's, on both.
        let text = "كتب حسن";
        let letter = |c: char| {
            let at = text.find(c).expect("the letter is in the text");
            at..at + c.len_utf8()
        };
        let alternates = [
            None,
            Some(letter('ب')),
            Some(letter('ن')),
            Some(0..text.len()),
        ];
        let mut shapes = Vec::new();
        for alternate in alternates {
            let shape = |shaper: &Shaper| {
                let mut glyphs = Vec::new();
                shaper.shape_with_into(
                    &mut glyphs,
                    text,
                    0..text.len(),
                    face,
                    12.0,
                    Level::rtl(),
                    Script::Arabic,
                    alternate.clone(),
                );
                glyphs
            };
            let whole = shape(&reference);
            assert_eq!(shape(&shaper), whole, "{alternate:?}");
            shapes.push(whole);
        }
        // Each choice of letters gives other glyphs.
        for (i, a) in shapes.iter().enumerate() {
            assert!(shapes[i + 1..].iter().all(|b| a != b), "{shapes:?}");
        }
    }

    /// The language is part of a piece: shapers of two languages share a
    /// library's cache, and Amiri draws Urdu's digits four, six and seven
    /// in forms of their own (`locl`).
    #[test]
    fn a_piece_shaped_in_another_language_is_another_piece() {
        let library = FontLibrary::builtin();
        let without_cache = uncached(&library);
        let text = "۴۶۷";
        let (level, script) = (Level::rtl(), Script::Arabic);
        let mut shapes = Vec::new();
        for language in ["ar", "ur", "ar"] {
            let shape = |library: &FontLibrary| {
                let shaper = Shaper::new(library, language);
                shaper.shape_run(text, 0..text.len(), 0, 12.0, level, script)
            };
            let whole = shape(&without_cache);
            assert_eq!(shape(&library), whole, "{language}");
            shapes.push(whole);
        }
        assert_ne!(shapes[0], shapes[1]);
    }

    /// A glyph's reach is found once for all the shapers of a library, and
    /// is its outline's extents.
    #[test]
    fn glyph_reach_is_found_once_for_every_shaper() {
        let library = FontLibrary::builtin();
        let (first, second) = (Shaper::new(&library, "ar"), Shaper::new(&library, "ar"));
        let line = "كَلِمَةٌ لِلَّهِ";
        let glyphs = first.shape_run(line, 0..line.len(), 0, 12.0, Level::rtl(), Script::Arabic);
        // What the outline of glyph `id` of `face` reaches, in ems, read
        // from HarfBuzz's extents here.
        let outline = |face: usize, id: u16| {
            let upem = first.upem(face);
            (first.fonts[face].get_glyph_extents(u32::from(id))).map(|e| {
                (
                    e.y_bearing as f32 / upem,
                    -(e.y_bearing + e.height) as f32 / upem,
                )
            })
        };
        for glyph in &glyphs {
            let reach = first.glyph_reach(0, glyph.id);
            assert_eq!(
                reach,
                outline(0, glyph.id).expect("extents"),
                "glyph {}",
                glyph.id
            );
        }
        // The second shaper finds them in the table the first filled, where
        // each is found once.
        let table = first.reach[0].get().expect("asked for");
        second.glyph_reach(0, glyphs[0].id);
        assert!(Arc::ptr_eq(
            table,
            second.reach[0].get().expect("asked for")
        ));
        let known = first.glyph_reach(0, glyphs[0].id);
        assert_eq!(table.get(usize::from(glyphs[0].id), || (9.0, 9.0)), known);
        // Each face's glyphs in its own table: the same glyph ids, asked of
        // every face after the first, are each face's outlines.
        for face in 0..library.faces.len() {
            for id in 1..64u16 {
                assert_eq!(
                    first.glyph_reach(face, id),
                    outline(face, id).unwrap_or((0.0, 0.0)),
                    "face {face}, glyph {id}"
                );
            }
        }
        let fresh = Reaches::new(4);
        assert_eq!(fresh.get(2, || (0.5, 0.25)), (0.5, 0.25));
        assert_eq!(fresh.get(2, || panic!("found again")), (0.5, 0.25));
        // A glyph beyond the face's, which no shaping gives, is still told.
        let beyond = first.fonts[0].face().glyph_count() as u16;
        assert_eq!(first.glyph_reach(0, beyond), (0.0, 0.0));
    }

    /// Whether a face has a glyph for a character is asked of its cmap once
    /// for all the shapers of a library, and is what the cmap says.
    #[test]
    fn coverage_is_found_once_for_every_shaper() {
        let library = FontLibrary::builtin();
        let (first, second) = (Shaper::new(&library, "ar"), Shaper::new(&library, "ar"));
        // Arabic, Latin, Cyrillic (not in Amiri), a private-use character
        // and one beyond the Basic Multilingual Plane.
        let chars = ['ب', 'ﻻ', 'a', 'Ж', '\u{E000}', '𝔸', '😀'];
        for face in 0..library.faces.len() {
            for ch in chars {
                let cmap = first.fonts[face].get_nominal_glyph(ch).is_some();
                assert_eq!(first.has_glyph(face, ch), cmap, "face {face}, {ch:?}");
                assert_eq!(second.has_glyph(face, ch), cmap, "face {face}, {ch:?}");
            }
            let table = first.covered[face].get().expect("asked for");
            assert!(Arc::ptr_eq(
                table,
                second.covered[face].get().expect("asked for")
            ));
            // Each character's answer is found once.
            let cmap = first.fonts[face].get_nominal_glyph('a').is_some();
            assert_eq!(table.has('a', || panic!("found again")), cmap);
        }
        assert!(first.has_glyph(0, 'ب') && !first.has_glyph(0, 'Ж'));
    }

    /// `library`'s faces with no cache: the glyphs to compare with come
    /// from HarfBuzz itself.
    fn uncached(library: &FontLibrary) -> FontLibrary {
        FontLibrary {
            shaped: ShapeCache::new(false),
            ..library.clone()
        }
    }

    /// The built-in faces with no cache.
    fn uncached_builtin() -> FontLibrary {
        uncached(&FontLibrary::builtin())
    }

    /// A library of the one test font `file_name`, whose bytes are `data`.
    fn fixture(file_name: &str, data: &[u8]) -> FontLibrary {
        FontLibrary::for_book(&[crate::doc::BookFont {
            file_name: file_name.to_string(),
            data: Arc::new(data.to_vec()),
        }])
        .expect("the fixture is a font")
    }

    /// Pieces given to HarfBuzz differently have different keys, whether
    /// their numbers are written in 16 bits or 32 and whether alternates
    /// are asked for or not: one byte too few in a key would give one
    /// piece another's glyphs.
    #[test]
    fn pieces_given_differently_have_different_keys() {
        let wide = usize::from(u16::MAX) + 1;
        let mut seen: HashMap<Vec<u8>, String> = HashMap::new();
        let mut key = Vec::new();
        // Texts that begin with what the numbers of a key written otherwise
        // end with: a face of 65536, or alternates at 0..0, with
        // numbers in 32 bits; an empty language.
        let texts = [
            ["ar", "\0", "x"],
            ["\0\0\u{1}\0\0\0ar", "\0", "x"],
            ["\0\0\0\0ar", "\0", "x"],
            ["", "\0", "a"],
        ];
        for face in [0, 1, 256, wide - 1, wide] {
            for rtl in [false, true] {
                for script in [Script::Arabic, Script::Latin] {
                    let alternates = [
                        None,
                        Some((0, 0)),
                        Some((0, 1)),
                        Some((1, wide)),
                        Some((256, 1)),
                    ];
                    for alternate in alternates.map(|on| on.map(|(start, end)| start..end)) {
                        let pieces = [
                            (0, 0),
                            (0, 1),
                            (1, 0),
                            (0, 256),
                            (0, wide - 1),
                            (0, wide),
                            (wide, 1),
                        ];
                        for piece in pieces.map(|(start, end)| start..end) {
                            for read in texts {
                                let given = format!(
                                    "{face} {rtl} {script:?} {alternate:?} {piece:?} {read:?}"
                                );
                                piece_key(
                                    &mut key,
                                    face,
                                    rtl,
                                    script,
                                    alternate.clone(),
                                    piece.clone(),
                                    read,
                                );
                                if let Some(other) = seen.insert(key.clone(), given.clone()) {
                                    panic!("{given} and {other} share a key");
                                }
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(seen.len(), 5 * 2 * 2 * 5 * 7 * texts.len());
    }

    /// A glyph is kept in the cache as it was shaped, or not at all: a
    /// cluster offset or a position that does not fit in 16 bits, or a
    /// position that is no whole number of font units.
    #[test]
    fn a_glyph_is_cached_as_it_came_or_not_at_all() {
        let glyph = ShapedGlyph {
            id: u16::MAX,
            cluster: 0,
            cluster_end: usize::from(u16::MAX),
            x_advance: 32767.0,
            x_offset: -32768.0,
            y_offset: -250.0,
            tatweel_safe: true,
            unsafe_to_break: true,
        };
        let kept = CachedGlyph::new(&glyph).expect("it fits");
        let bytes = kept.to_bytes();
        assert_eq!(ShapedGlyph::from(&CachedGlyph::from_bytes(&bytes)), glyph);
        let unfit = [
            ShapedGlyph {
                cluster: 65536,
                ..glyph
            },
            ShapedGlyph {
                cluster_end: 65536,
                ..glyph
            },
            ShapedGlyph {
                x_advance: 32768.0,
                ..glyph
            },
            ShapedGlyph {
                x_offset: -32769.0,
                ..glyph
            },
            ShapedGlyph {
                y_offset: 0.5,
                ..glyph
            },
            ShapedGlyph {
                y_offset: f32::NAN,
                ..glyph
            },
            ShapedGlyph {
                x_offset: -0.0,
                ..glyph
            },
        ];
        for glyph in unfit {
            assert!(CachedGlyph::new(&glyph).is_none(), "{glyph:?}");
        }
    }

    /// A part of the cache gives back each piece as it was kept, whatever
    /// its length: thousands filling many blocks, and two longer than a
    /// block, each in a block of its own, among them.
    #[test]
    fn a_shard_gives_back_every_piece_as_it_was_kept() {
        let glyph = |n: usize| CachedGlyph {
            id: n as u16,
            tatweel_safe: n.is_multiple_of(2),
            unsafe_to_break: n.is_multiple_of(3),
            cluster: n as u16,
            cluster_end: n as u16 + 1,
            x_advance: n as i16,
            x_offset: -(n as i16),
            y_offset: (n % 7) as i16,
        };
        let pieces: Vec<(Vec<u8>, Vec<CachedGlyph>)> = (0..3000)
            .map(|k| {
                let count = match k {
                    1000 => 6000,
                    2000 => 9000,
                    _ => k * 37 % 50,
                };
                let key = format!("{k}:").repeat(k % 9 + 1).into_bytes();
                (key, (0..count).map(|n| glyph(n + k)).collect())
            })
            .collect();
        let hash = |key: &[u8]| FxBuildHasher.hash_one(key);
        let mut shard = Shard::default();
        for (key, glyphs) in &pieces {
            shard.insert(hash(key), key, glyphs);
        }
        assert_eq!(shard.len(), pieces.len());
        assert!(shard.blocks.len() > 4, "{} blocks", shard.blocks.len());
        for (key, glyphs) in &pieces {
            let kept = shard.get(hash(key), key).expect("kept");
            let kept: Vec<[u8; CachedGlyph::BYTES]> = (kept.chunks_exact(CachedGlyph::BYTES))
                .map(|g| CachedGlyph::from_bytes(g).to_bytes())
                .collect();
            let given: Vec<_> = glyphs.iter().map(|g| g.to_bytes()).collect();
            assert!(kept == given, "{}", String::from_utf8_lossy(key));
        }
        assert!(shard.get(hash(b"none"), b"none").is_none());
    }

    /// A word too long for the cache's 16-bit offsets (39,000 letters,
    /// 78,000 bytes) is shaped afresh each time, as without the cache.
    #[test]
    fn a_word_too_long_for_the_cache_is_shaped_each_time() {
        let library = FontLibrary::builtin();
        let shaper = Shaper::new(&library, "ar");
        let uncached = uncached_builtin();
        let reference = Shaper::new(&uncached, "ar");
        let word = "كتب".repeat(13_000);
        let (level, script) = (Level::rtl(), Script::Arabic);
        let whole = reference.shape_run(&word, 0..word.len(), 0, 12.0, level, script);
        for _ in 0..2 {
            let cached = shaper.shape_run(&word, 0..word.len(), 0, 12.0, level, script);
            assert!(cached == whole);
        }
        assert_eq!(cached_pieces(&shaper), 0);
    }

    /// How many pieces `shaper`'s cache holds.
    fn cached_pieces(shaper: &Shaper) -> usize {
        let shards = shaper.cache.shards.as_ref().expect("the cache is on");
        shards
            .iter()
            .map(|s| s.lock().expect("no panic").len())
            .sum()
    }

    /// A side of a piece where its character or the context's nearest one
    /// joins nothing is left out of the key: a number is one piece wherever
    /// it stands, and the glyphs are HarfBuzz's with the context.
    #[test]
    fn context_that_joins_nothing_is_left_out() {
        let library = FontLibrary::builtin();
        let shaper = Shaper::new(&library, "ar");
        let uncached = uncached_builtin();
        let reference = Shaper::new(&uncached, "ar");
        let piece = |text: &'static str, part: &str| {
            let start = text.find(part).expect("the piece is in the text");
            (text, start..start + part.len())
        };
        let numbers = [
            piece("الفصل 12: في", "12"),
            piece("فقرة 12.", "12"),
            piece("قال «12» كتابا", "12"),
            piece("12", "12"),
        ];
        let others = [
            // After a space, at the start, before punctuation.
            piece("في الكتاب", "الكتاب"),
            piece("الكتاب، ثم", "الكتاب"),
            piece("الكتاب", "الكتاب"),
            // A mark first after a Latin letter: no dotted circle either way.
            piece("x\u{064E}", "\u{064E}"),
            // Joining sides keep their context, past marks too.
            piece("كتاب", "تا"),
            piece("كتبَ", "كتب"),
            piece("كَتَبَ", "تَ"),
            piece("مُعَلِّمٌ", "عَلِّ"),
        ];
        let face = 0;
        for (text, range) in numbers.iter().chain(&others) {
            let (level, script) = (Level::rtl(), Script::Arabic);
            let cached = shaper.shape_run(text, range.clone(), face, 12.0, level, script);
            let whole = reference.shape_run(text, range.clone(), face, 12.0, level, script);
            assert_eq!(cached, whole, "{text}");
        }
        let numbers_only = Shaper::new(&library, "ar");
        library.shaped.forget();
        for (text, range) in &numbers {
            numbers_only.shape_run(
                text,
                range.clone(),
                face,
                12.0,
                Level::rtl(),
                Script::Arabic,
            );
        }
        assert_eq!(cached_pieces(&numbers_only), 1);
    }

    #[test]
    fn words_shaped_apart_are_the_glyphs_of_the_whole_run() {
        let library = FontLibrary::builtin();
        let shaper = Shaper::new(&library, "ar");
        let uncached = uncached_builtin();
        let reference = Shaper::new(&uncached, "ar");
        let (mut compared, mut looked_back) = (0, 0);
        for (face, font) in library.faces.iter().enumerate() {
            let shaping = shaper.word_shaping(face);
            let (looking_back, before) = match shaping {
                WordShaping::AfterPrevious(LookingBack::Glyphs { after, before }) => {
                    (after.clone(), before.clone())
                }
                _ => (Vec::new(), None),
            };
            // Amiri kerns a kaf after a space, looking back; the others leave
            // the space alone. Both are shaped a word at a time.
            if font.family == "Amiri" {
                let kaf = shaper.shape_run("كان", 0..6, face, 12.0, Level::rtl(), Script::Arabic);
                let alef = shaper.shape_run("ا", 0..2, face, 12.0, Level::rtl(), Script::Arabic);
                assert!(
                    looking_back.contains(&kaf[kaf.len() - 1].id),
                    "{}",
                    font.file_name
                );
                assert!(!looking_back.contains(&alef[0].id), "{}", font.file_name);
                // Only after a heh: a word ending in another letter is not
                // shaped again with the kaf's word.
                let heh = shaper.shape_run("فيه", 0..6, face, 12.0, Level::rtl(), Script::Arabic);
                let before = before.expect("Amiri's backtracks are read");
                assert!(before.contains(&heh[0].id), "{}", font.file_name);
                assert!(!before.contains(&alef[0].id), "{}", font.file_name);
            } else {
                assert_eq!(*shaping, WordShaping::Apart, "{}", font.file_name);
            }
            let texts = book_texts();
            let lines = texts
                .iter()
                .flat_map(|text| text.lines())
                .chain(LOOKING_BACK.iter().copied())
                .filter(|l| l.len() > 40);
            for line in lines {
                for (level, script) in [
                    (Level::rtl(), Script::Arabic),
                    (Level::ltr(), Script::Latin),
                ] {
                    // Pieces of the line as runs, as itemize cuts them: one
                    // starting inside its first word, one ending inside its
                    // last.
                    let cut = |n: usize| line.char_indices().nth(n).map_or(0, |(i, _)| i);
                    let last = line.chars().count();
                    for range in [cut(3)..line.len(), 0..cut(last - 2)] {
                        let whole =
                            reference.shape_run(line, range.clone(), face, 12.0, level, script);
                        for parallel in [false, true] {
                            let apart = shaper.shape_words(
                                line,
                                range.clone(),
                                face,
                                12.0,
                                level,
                                script,
                                parallel,
                            );
                            assert_eq!(apart, whole, "{}: {line}", font.file_name);
                        }
                        compared += 1;
                        // The words on their own, none after the word before
                        // it: where that differs, looking back mattered.
                        let alone = Shaper {
                            word_shaping: library
                                .faces
                                .iter()
                                .map(|_| OnceCell::from(Arc::new(WordShaping::Apart)))
                                .collect(),
                            ..Shaper::new(&uncached, "ar")
                        }
                        .shape_words(line, range, face, 12.0, level, script, false);
                        looked_back += usize::from(alone != whole);
                    }
                }
            }
        }
        assert!(compared > 100, "{compared}");
        // Amiri's lines with a kaf after a heh, in both directions at least.
        assert!(looked_back >= 4, "{looked_back}");
    }
}
