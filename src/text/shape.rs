//! HarfBuzz shaping. The glyph ids and positions produced here are exactly
//! HarfBuzz's for the run's font, text, direction, script and language; layout
//! only moves whole runs and widens spaces (or re-shapes a word lengthened
//! with tatweels, see `layout::kashida`), and the PDF writer draws them as
//! they are.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::ops::Range;
#[cfg(test)]
use std::path::Path;
use std::str::FromStr;

use harfbuzz_rs::sys::{
    HB_BUFFER_FLAG_PRODUCE_SAFE_TO_INSERT_TATWEEL, HB_GLYPH_FLAG_SAFE_TO_INSERT_TATWEEL,
    HB_GLYPH_FLAG_UNSAFE_TO_BREAK, hb_buffer_get_flags, hb_buffer_set_flags,
    hb_ot_layout_lookup_collect_glyphs, hb_ot_layout_table_get_lookup_count, hb_set_create,
    hb_set_destroy, hb_set_has, hb_set_t,
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
    fonts: Vec<Owned<Font<'a>>>,
    upem: Vec<f32>,
    /// Height of each face's `x`, in ems (`None` when it has none).
    x_heights: Vec<Option<f32>>,
    language: Language,
    /// The language's tag, as given: [`Shaper::language_tag`].
    language_tag: String,
    /// Per face, what 1, 2, … tatweels add to a word (see [`Shaper::tatweel_widths`]).
    tatweel: Vec<OnceCell<Option<TatweelWidths>>>,
    /// Pieces re-shaped by [`Shaper::reshape`], by everything HarfBuzz was given.
    reshaped: RefCell<HashMap<ReshapeKey, Vec<ShapedGlyph>>>,
    /// Per face, whether it has justification alternates
    /// ([`Shaper::has_alternates`]).
    alternates: Vec<OnceCell<bool>>,
    /// Per face, how its words may be shaped apart ([`Shaper::word_shaping`]).
    word_shaping: Vec<OnceCell<WordShaping>>,
    /// Words shaped by [`Shaper::shape_word`].
    words: RefCell<HashMap<WordKey, AfterWord>>,
    /// Per face, [`Shaper::glyph_reach`] of each glyph asked for so far, by
    /// glyph id: extents walk the outline, and every line asks for each of
    /// its glyphs.
    reach: Vec<RefCell<Vec<Option<Reach>>>>,
}

/// How far a glyph reaches above and below the baseline, in ems (both
/// positive outwards).
pub type Reach = (f32, f32);

/// How a face's words may be shaped one by one, with the same glyphs and
/// flags as in their paragraph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordShaping {
    /// No lookup touches the space: each word on its own.
    Apart,
    /// Lookups look back over the space, never further into it: each word
    /// after the one before it.
    AfterPrevious,
    /// Lookups reach through the space: the whole run at once.
    Whole,
}

/// A word shaped after the one before it.
#[derive(Debug, Clone)]
struct AfterWord {
    glyphs: Vec<ShapedGlyph>,
    /// Which glyphs of the word before (in HarfBuzz's order) a lookup of
    /// this word matched, so that they are unsafe to break too.
    unsafe_before: Vec<usize>,
}

impl AfterWord {
    /// With clusters `by` bytes further on.
    fn shifted(mut self, by: usize) -> Self {
        for g in &mut self.glyphs {
            g.cluster += by;
            g.cluster_end += by;
        }
        self
    }

    /// With clusters `by` bytes further back.
    fn shifted_back(mut self, by: usize) -> Self {
        for g in &mut self.glyphs {
            g.cluster -= by;
            g.cluster_end -= by;
        }
        self
    }
}

/// Where `glyphs` are unsafe to break.
fn unsafe_indices(glyphs: &[ShapedGlyph]) -> Vec<usize> {
    glyphs
        .iter()
        .enumerate()
        .filter(|(_, g)| g.unsafe_to_break)
        .map(|(i, _)| i)
        .collect()
}

/// What [`Shaper::shape_word`] caches a word by: face, size (bits), right
/// to left, script, the word before it and the word, both with their
/// spaces, and where the word starts in that text.
type WordKey = (usize, u32, bool, Script, Box<str>, usize);

/// How many shaped words a shaper remembers before it starts afresh (a
/// book's vocabulary, with its punctuated forms, fits).
const WORD_CACHE: usize = 1 << 16;

/// What [`Shaper::reshape`] shapes: face, size (bits), right to left,
/// script, the context, the range of it shaped and where the justification
/// alternates are asked for.
type ReshapeKey = (
    usize,
    u32,
    bool,
    Script,
    String,
    Range<usize>,
    Option<Range<usize>>,
);

/// The OpenType feature of justification alternates: wider (or narrower)
/// forms of letters, mostly finals, for justified Arabic.
const JALT: &[u8; 4] = b"jalt";

/// How many re-shaped pieces a shaper remembers before it starts afresh.
const RESHAPED_CACHE: usize = 4096;

/// The least and most [`Shaper::size_adjust`] scales a face by: a face
/// whose `x` is unusually short or tall for its letters should not shrink
/// or swell its text out of proportion.
pub const SIZE_ADJUST_LIMITS: (f32, f32) = (0.7, 1.3);

/// The most tatweels in a row that [`Shaper::tatweel_widths`] measures.
pub const MAX_TATWEELS: usize = 3;

/// U+0640 ARABIC TATWEEL, the probes' lengthening.
const TATWEEL: char = '\u{0640}';

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
        let reach = fonts.iter().map(|_| RefCell::new(Vec::new())).collect();
        let alternates = fonts.iter().map(|_| OnceCell::new()).collect();
        Shaper {
            fonts,
            upem,
            x_heights,
            language,
            language_tag: language_tag.to_string(),
            tatweel,
            alternates,
            reshaped: RefCell::new(HashMap::new()),
            word_shaping,
            words: RefCell::new(HashMap::new()),
            reach,
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
        let mut known = self.reach[face].borrow_mut();
        let index = usize::from(glyph);
        if let Some(Some(reach)) = known.get(index) {
            return *reach;
        }
        let reach = self.fonts[face]
            .get_glyph_extents(u32::from(glyph))
            .map_or((0.0, 0.0), |e| {
                let upem = self.upem[face];
                (
                    e.y_bearing as f32 / upem,
                    -(e.y_bearing + e.height) as f32 / upem,
                )
            });
        if known.len() <= index {
            known.resize(index + 1, None);
        }
        known[index] = Some(reach);
        reach
    }

    /// Shapes `context[range]` as `run` was shaped (same face, size,
    /// direction, script and language), with the rest of `context` around
    /// it; clusters are byte offsets in `context`. For re-shaping a piece of
    /// a run whose text was changed (tatweels inserted), or with the face's
    /// justification alternates (`jalt`) on the characters of `alternate`
    /// (byte offsets in `context`). The same piece in the same context comes
    /// from a cache: justification re-shapes the same words over and over.
    pub fn reshape(
        &self,
        run: &ShapedRun,
        context: &str,
        range: Range<usize>,
        alternate: Option<Range<usize>>,
    ) -> Vec<ShapedGlyph> {
        let key: ReshapeKey = (
            run.face,
            run.size.to_bits(),
            run.level.is_rtl(),
            run.script,
            context.to_string(),
            range.clone(),
            alternate.clone(),
        );
        if let Some(glyphs) = self.reshaped.borrow().get(&key) {
            return glyphs.clone();
        }
        let features: Vec<Feature> = alternate
            .into_iter()
            .map(|on| Feature::new(JALT, 1, on))
            .collect();
        let glyphs = self.shape_with(
            context, range, run.face, run.size, run.level, run.script, &features,
        );
        let mut cache = self.reshaped.borrow_mut();
        if cache.len() >= RESHAPED_CACHE {
            cache.clear();
        }
        cache.insert(key, glyphs.clone());
        glyphs
    }

    /// Whether `face` has justification alternates (`jalt`) for Arabic
    /// final letters: whether the feature changes the glyph of any letter
    /// of the probe, each in its final form.
    pub fn has_alternates(&self, face: usize) -> bool {
        *self.alternates[face].get_or_init(|| {
            const PROBE: &str =
                "بب تت ثث جج حح خخ سس شش صص ضض طط ظظ عع غغ فف قق كك لل مم نن هه يي بد بر بو بى بة";
            let shape = |features: &[Feature]| -> Vec<u16> {
                let level = Level::rtl();
                let glyphs = self.shape_with(
                    PROBE,
                    0..PROBE.len(),
                    face,
                    1.0,
                    level,
                    Script::Arabic,
                    features,
                );
                glyphs.iter().map(|g| g.id).collect()
            };
            shape(&[]) != shape(&[Feature::new(JALT, 1, ..)])
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
    pub fn shape(
        &self,
        library: &FontLibrary,
        styled: StyledText,
        settings: ParagraphSettings,
    ) -> ShapedText {
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
            let glyphs = shaper.shape_words(
                &styled.text,
                item.range.clone(),
                item.face,
                size,
                item.level,
                item.script,
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
            // One share of the runs a thread, each with a shaper (and so a
            // word cache) of its own.
            let language = self.language_tag();
            let share = items.len().div_ceil(rayon::current_num_threads());
            let shares: Vec<Vec<ShapedRun>> = items
                .par_chunks(share.max(1))
                .map(|items| {
                    let shaper = Shaper::new(library, language);
                    items
                        .iter()
                        .map(|item| shape_item(&shaper, item.clone()))
                        .collect()
                })
                .collect();
            shares.into_iter().flatten().collect()
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
    /// when that gives the same glyphs and flags: each word between two
    /// others, with the spaces after it, comes from a cache (a paragraph of
    /// megabytes repeats its words; HarfBuzz over all of it dominated the
    /// build). A word is cut off where the face's lookups cannot reach
    /// across the space before it ([`WordShaping`]) and it starts with a
    /// character that begins a cluster of its own; Arabic joining stops at a
    /// space anyway. The first two and the last two words of the run are
    /// shaped with their real context, which may join into the next run.
    fn shape_words(
        &self,
        text: &str,
        range: Range<usize>,
        face: usize,
        size: f32,
        level: Level,
        script: Script,
    ) -> Vec<ShapedGlyph> {
        let shaping = self.word_shaping(face);
        let bytes = text.as_bytes();
        let mut starts = vec![range.start];
        if shaping != WordShaping::Whole {
            starts.extend(
                text[range.clone()]
                    .char_indices()
                    .map(|(i, ch)| (range.start + i, ch))
                    .filter(|&(at, ch)| {
                        at > range.start && bytes[at - 1] == b' ' && starts_word_cluster(ch)
                    })
                    .map(|(at, _)| at),
            );
        }
        starts.push(range.end);
        let words: Vec<Range<usize>> = starts.windows(2).map(|w| w[0]..w[1]).collect();
        if words.len() < 4 {
            return self.shape_run(text, range, face, size, level, script);
        }
        let last = words.len() - 1;
        let shape = |range: Range<usize>| self.shape_run(text, range, face, size, level, script);
        // Per word, its glyphs in HarfBuzz's order.
        let mut shaped: Vec<Vec<ShapedGlyph>> = Vec::with_capacity(words.len());
        let (first, second): (Vec<ShapedGlyph>, Vec<ShapedGlyph>) =
            shape(words[0].start..words[1].end)
                .into_iter()
                .partition(|g| g.cluster < words[1].start);
        shaped.extend([first, second]);
        for k in 2..=last {
            let (previous, word) = (words[k - 1].clone(), words[k].clone());
            let after = if k == last {
                // With its real context after it.
                let (before, word): (Vec<ShapedGlyph>, Vec<ShapedGlyph>) =
                    shape(previous.start..word.end)
                        .into_iter()
                        .partition(|g| g.cluster < word.start);
                AfterWord {
                    glyphs: word,
                    unsafe_before: unsafe_indices(&before),
                }
            } else {
                let before = match shaping {
                    WordShaping::AfterPrevious => &text[previous],
                    _ => "",
                };
                self.shape_word(before, &text[word.clone()], face, size, level, script)
                    .shifted(word.start)
            };
            // Lookups reaching back over the space mark the glyphs they
            // matched there, in the word before.
            for index in &after.unsafe_before {
                if let Some(g) = shaped[k - 1].get_mut(*index) {
                    g.unsafe_to_break = true;
                }
            }
            shaped.push(after.glyphs);
        }
        // HarfBuzz's output is in visual order: right-to-left words come
        // last word first.
        if level.is_rtl() {
            shaped.into_iter().rev().flatten().collect()
        } else {
            shaped.into_iter().flatten().collect()
        }
    }

    /// `word` (with the spaces after it) shaped after `before` (the word
    /// before it with its spaces, or nothing when the face's lookups never
    /// look back over a space), clusters relative to `word`'s start; from
    /// the cache when it was shaped before.
    fn shape_word(
        &self,
        before: &str,
        word: &str,
        face: usize,
        size: f32,
        level: Level,
        script: Script,
    ) -> AfterWord {
        let key: WordKey = (
            face,
            size.to_bits(),
            level.is_rtl(),
            script,
            format!("{before}{word}").into(),
            before.len(),
        );
        if let Some(shaped) = self.words.borrow().get(&key) {
            return shaped.clone();
        }
        // After a space, as every word shaped here is.
        let context = format!(" {before}{word}");
        let start = 1 + before.len();
        let (before, glyphs): (Vec<ShapedGlyph>, Vec<ShapedGlyph>) = self
            .shape_run(&context, 1..context.len(), face, size, level, script)
            .into_iter()
            .partition(|g| g.cluster < start);
        let shaped = AfterWord {
            glyphs,
            unsafe_before: unsafe_indices(&before),
        }
        .shifted_back(start);
        let mut cache = self.words.borrow_mut();
        if cache.len() >= WORD_CACHE {
            cache.clear();
        }
        cache.insert(key, shaped.clone());
        shaped
    }

    /// How far `face`'s lookups (GSUB and GPOS) reach across a space: not
    /// at all, only looking back over it (Amiri kerns a kaf after a space
    /// against a heh before it), or further. Older kerning and AAT tables
    /// count as further.
    fn word_shaping(&self, face: usize) -> WordShaping {
        *self.word_shaping[face].get_or_init(|| {
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
            let (mut before, mut within) = (false, false);
            for table in ["GSUB", "GPOS"] {
                // SAFETY: the face lives through the block; the sets are
                // created here and destroyed before it ends; HarfBuzz only
                // reads the face and adds glyphs to the sets.
                unsafe {
                    let raw = hb_face.as_raw();
                    let count = hb_ot_layout_table_get_lookup_count(raw, tag(table).0);
                    // Glyphs before, in, after and out of the lookups.
                    let sets: [*mut hb_set_t; 4] = std::array::from_fn(|_| hb_set_create());
                    for lookup in 0..count {
                        hb_ot_layout_lookup_collect_glyphs(
                            raw,
                            tag(table).0,
                            lookup,
                            sets[0],
                            sets[1],
                            sets[2],
                            sets[3],
                        );
                    }
                    let has: Vec<bool> = sets.iter().map(|&s| hb_set_has(s, space) != 0).collect();
                    sets.into_iter().for_each(|set| hb_set_destroy(set));
                    before |= has[0];
                    within |= has[1..].iter().any(|&h| h);
                }
            }
            match (within, before) {
                (true, _) => WordShaping::Whole,
                (false, true) => WordShaping::AfterPrevious,
                (false, false) => WordShaping::Apart,
            }
        })
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
        self.shape_with(text, range, face, size, level, script, &[])
    }

    /// [`Shaper::shape_run`] with OpenType `features`.
    #[allow(clippy::too_many_arguments)]
    fn shape_with(
        &self,
        text: &str,
        range: Range<usize>,
        face: usize,
        size: f32,
        level: Level,
        script: unicode_script::Script,
        features: &[Feature],
    ) -> Vec<ShapedGlyph> {
        let direction = if level.is_rtl() {
            harfbuzz_rs::Direction::Rtl
        } else {
            harfbuzz_rs::Direction::Ltr
        };
        let mut buffer = UnicodeBuffer::new()
            .add_str_item(text, &text[range.clone()])
            .set_direction(direction)
            .set_language(self.language)
            .set_cluster_level(ClusterLevel::MonotoneGraphemes);
        if let Ok(tag) = Tag::from_str(script.short_name()) {
            buffer = buffer.set_script(tag);
        }
        let output = harfbuzz_rs::shape(&self.fonts[face], with_tatweel_flags(buffer), features);
        let scale = size / self.upem[face];
        let mut glyphs: Vec<ShapedGlyph> = output
            .get_glyph_infos()
            .iter()
            .zip(output.get_glyph_positions())
            .map(|(info, pos)| ShapedGlyph {
                id: u16::try_from(info.codepoint).unwrap_or(0),
                cluster: info.cluster as usize,
                cluster_end: range.end,
                x_advance: pos.x_advance as f32 * scale,
                x_offset: pos.x_offset as f32 * scale,
                y_offset: pos.y_offset as f32 * scale,
                tatweel_safe: info.glyph_flags().0 & HB_GLYPH_FLAG_SAFE_TO_INSERT_TATWEEL != 0,
                unsafe_to_break: info.glyph_flags().0 & HB_GLYPH_FLAG_UNSAFE_TO_BREAK != 0,
            })
            .collect();
        set_cluster_ends(&mut glyphs, range.end);
        glyphs
    }
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
        self.fonts[face].get_nominal_glyph(ch).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn words_shaped_apart_are_the_glyphs_of_the_whole_run() {
        let library = FontLibrary::builtin();
        let shaper = Shaper::new(&library, "ar");
        let mut compared = 0;
        for (face, font) in library.faces.iter().enumerate() {
            // Amiri kerns across a space, looking back; the others leave
            // the space alone. Both are shaped a word at a time.
            let expected = if font.family == "Amiri" {
                WordShaping::AfterPrevious
            } else {
                WordShaping::Apart
            };
            assert_eq!(shaper.word_shaping(face), expected, "{}", font.file_name);
            for text in book_texts() {
                for line in text.lines().filter(|l| l.len() > 40) {
                    for (level, script) in [
                        (Level::rtl(), Script::Arabic),
                        (Level::ltr(), Script::Latin),
                    ] {
                        // A piece of a line as a run, as itemize cuts one.
                        let range = line.char_indices().nth(3).map_or(0, |(i, _)| i)..line.len();
                        let whole =
                            shaper.shape_run(line, range.clone(), face, 12.0, level, script);
                        let apart = shaper.shape_words(line, range, face, 12.0, level, script);
                        assert_eq!(apart, whole, "{}: {line}", font.file_name);
                        compared += 1;
                    }
                }
            }
        }
        assert!(compared > 100, "{compared}");
    }
}
