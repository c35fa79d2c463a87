//! The text layer: how the glyphs of a line are handed to krilla so that
//! text extractors read the line back as its text, in logical order.
//!
//! pdf.js (Firefox's viewer and many web viewers) joins the glyphs of one
//! text showing into one text item and runs the bidi algorithm over it as
//! if it were visual order, so a right-to-left
//! line drawn left to right in one piece comes out in logical order. It
//! does not read glyph positions: it follows the pen through the font's
//! advance widths and the `TJ` adjustments, and reads a forward move of
//! more than 0.1 em as a space and a move back of more than 0.2 em as the
//! end of the item. HarfBuzz positions glyphs with kerning and cursive
//! attachment, which krilla writes as `TJ` adjustments, so inside an
//! Arabic word pdf.js finds spaces (after «ر» before «ية»: «رؤ ية») and
//! breaks («المشتر كة», whose kaf reaches back). pdf.js drops a glyph that
//! copies out as a format character (`\p{Cf}`), and with it the adjustment
//! that follows it; so where an adjustment would mislead it, an invisible
//! glyph of no width that copies out as WORD JOINER carries it
//! ([`JOINER_TEXT`]). The glyphs are drawn where HarfBuzz put them.

use std::sync::{Arc, LazyLock, OnceLock};

use harfbuzz_rs::{Font, Owned};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::decompose_canonical;

use crate::fonts::FontLibrary;
use crate::layout::page::{GlyphRun, Item, Page, PlacedGlyph};
use crate::locale::{property_table, tabled};
use crate::text::bidi::bidi_class;
use crate::text::is_combining_mark;
use crate::text::shape::{Shaper, TATWEEL};

/// What a kashida glyph copies out as: ZERO WIDTH JOINER, the invisible
/// "these letters join" (see `Writer::map_invisible_glyphs`). Not nothing:
/// PDF/A-2u wants every glyph mapped to Unicode.
pub(super) const KASHIDA_TEXT: &str = "\u{200D}";

/// What the invisible glyph that carries an adjustment past pdf.js copies
/// out as: WORD JOINER, a format character that pdf.js drops, that joins
/// nothing and breaks nothing where it is pasted (Arabic shaping sees
/// through it), unlike ZERO WIDTH JOINER.
pub(super) const JOINER_TEXT: &str = "\u{2060}";

/// What the glyph drawn first on a right-to-left line that starts (at its
/// left end) with punctuation copies out as: ARABIC LETTER MARK, so that
/// MuPDF, which gives a glyph the direction of the glyph before it when
/// its own character has none, takes the punctuation for right to left
/// ([`mark_direction`]), and poppler stops reading left to right there
/// ([`Poppler::Forward`]). Not RIGHT-TO-LEFT MARK: Amiri draws its U+200F
/// (and Noto Serif and Noto Serif Hebrew theirs) as a visible sign.
pub(super) const RIGHT_TO_LEFT_TEXT: &str = "\u{061C}";

/// How far left of a showing's right end (in ems) the right-to-left mark
/// drawn there stands ([`line_text`]): less than any glyph poppler reads.
const MARK_INSET: f32 = 0.01;

/// Characters whose glyph, where a face has it with no outline and no
/// width, is drawn to copy out as [`RIGHT_TO_LEFT_TEXT`]: the face's own
/// ARABIC LETTER MARK (Amiri's), else an empty glyph the text layer uses
/// for nothing else and HarfBuzz never draws (it draws default-ignorable
/// characters with the space glyph): Noto Serif's for U+FEFF, its
/// [`EMPTY_GLYPH_CHARS`] glyph being the one for U+200B.
const RIGHT_TO_LEFT_GLYPH_CHARS: [char; 4] = ['\u{061C}', '\u{200B}', '\u{FEFF}', '\u{2060}'];

/// How a font names its tatweel glyphs (`uni0640`, `uni0640.05`, …).
const TATWEEL_GLYPH_NAME: &str = "uni0640";

/// Characters whose glyphs a face may draw as nothing at all, tried in
/// order for the glyph that carries adjustments ([`JOINER_TEXT`]).
const EMPTY_GLYPH_CHARS: [char; 3] = ['\u{200B}', '\u{FEFF}', '\u{2060}'];

/// How far (in ems) pdf.js's pen may move from one glyph it checks to the
/// next, by adjustments and the widths of spaces between them, and still
/// read what lies between as it is: with no space between them, less than
/// a move forward it reads as a space (`TRACKING_SPACE_FACTOR`, 0.102) and
/// a move back it reads as a new text item (`NEGATIVE_SPACE_FACTOR`, -0.2);
/// with a space, between those it reads as one space
/// (`SPACE_IN_FLOW_MIN_FACTOR`, `SPACE_IN_FLOW_MAX_FACTOR`: 0.102, 0.6).
/// Each with a margin.
const NO_SPACE_MOVE: (f32, f32) = (-0.19, 0.098);
const SPACE_MOVE: (f32, f32) = (0.12, 0.58);

/// Hidden parts of adjustments smaller than this (ems) are left to show.
const HIDDEN_AT_LEAST: f32 = 0.001;

/// A glyph as krilla draws it, lengths in points at `size`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Drawn {
    pub id: u16,
    pub x_advance: f32,
    pub x_offset: f32,
    /// Upwards, as in HarfBuzz.
    pub y_offset: f32,
    pub size: f32,
    /// Its text in the line's text ([`line_text`]).
    pub range: (usize, usize),
}

/// What each face's glyphs are like, for the text layer.
pub(super) struct Faces<'a> {
    library: &'a FontLibrary,
    fonts: Vec<Owned<Font<'a>>>,
    facts: Arc<FaceFacts>,
}

/// What [`Faces`] works out once and shares with another thread's
/// (HarfBuzz's fonts are not `Send`; these are plain values).
pub(super) struct FaceFacts {
    /// Per face, its units per em (asked once: HarfBuzz hands out a new
    /// reference to the face each time).
    upems: Vec<f32>,
    /// Per face, a glyph with no outline and no width, if it has one.
    empty: Vec<Option<u16>>,
    /// Per face, the glyph drawn for [`RIGHT_TO_LEFT_TEXT`], if it has one
    /// ([`RIGHT_TO_LEFT_GLYPH_CHARS`]).
    right_to_left_mark: Vec<Option<u16>>,
    /// Per face, by glyph id, whether it is one the face draws for a
    /// tatweel, which copy out as [`KASHIDA_TEXT`] wherever they are drawn
    /// but for a typed tatweel: found when the face is first drawn (the
    /// probe is a few thousand glyphs shaped, for each face the book may
    /// never use), and looked up for every glyph drawn.
    kashidas: Vec<OnceLock<Box<[bool]>>>,
    /// Per face, every glyph's advance in font units, asked of HarfBuzz
    /// once when the face is first drawn: each line asks for every glyph's
    /// several times.
    advances: Vec<OnceLock<Box<[i32]>>>,
}

impl<'a> Faces<'a> {
    pub fn new(library: &'a FontLibrary) -> Self {
        let fonts = library.harfbuzz_fonts();
        // The glyph `font` gives `c`, if it has no outline and no width.
        let inkless = |font: &Font, c: char| {
            let glyph = font.get_nominal_glyph(c)?;
            let inkless = font
                .get_glyph_extents(glyph)
                .is_none_or(|e| e.width == 0 && e.height == 0);
            let id = u16::try_from(glyph).ok()?;
            (inkless && font.get_glyph_h_advance(glyph) == 0).then_some(id)
        };
        let empty: Vec<Option<u16>> = fonts
            .iter()
            .map(|font| EMPTY_GLYPH_CHARS.iter().find_map(|&c| inkless(font, c)))
            .collect();
        let right_to_left_mark = fonts
            .iter()
            .zip(&empty)
            .map(|(font, &empty)| {
                RIGHT_TO_LEFT_GLYPH_CHARS
                    .iter()
                    .filter_map(|&c| inkless(font, c))
                    .find(|&glyph| Some(glyph) != empty)
            })
            .collect();
        let kashidas = fonts.iter().map(|_| OnceLock::new()).collect();
        let upems = fonts.iter().map(|font| font.face().upem() as f32).collect();
        let advances = fonts.iter().map(|_| OnceLock::new()).collect();
        Faces {
            library,
            fonts,
            facts: Arc::new(FaceFacts {
                upems,
                empty,
                right_to_left_mark,
                kashidas,
                advances,
            }),
        }
    }

    /// What these faces have worked out, for [`Faces::sharing`] on another
    /// thread.
    pub fn facts(&self) -> Arc<FaceFacts> {
        Arc::clone(&self.facts)
    }

    /// The faces of `library` with what another thread's worked out:
    /// the tatweel probes are shaped once a build.
    pub fn sharing(library: &'a FontLibrary, facts: Arc<FaceFacts>) -> Self {
        Faces {
            library,
            fonts: library.harfbuzz_fonts(),
            facts,
        }
    }

    /// The glyph `face` gives character `c` on its own.
    fn nominal(&self, face: usize, c: char) -> Option<u16> {
        let glyph = self.fonts[face].get_nominal_glyph(c)?;
        u16::try_from(glyph).ok()
    }

    /// Whether glyph `id` is one of those `face` draws for a tatweel.
    pub fn draws_tatweel(&self, face: usize, id: u16) -> bool {
        self.facts.kashidas[face]
            .get_or_init(|| self.tatweel_table(face))
            .get(usize::from(id))
            .is_some_and(|&tatweel| tatweel)
    }

    /// Per glyph of `face`, whether it draws a tatweel ([`probed_tatweels`],
    /// or for warraq's own faces [`BUILTIN_TATWEELS`]). (Once a face: kept
    /// out of the check made for every glyph.)
    #[cold]
    #[inline(never)]
    fn tatweel_table(&self, face: usize) -> Box<[bool]> {
        let builtin = self.library.faces[face].builtin().and_then(|file| {
            BUILTIN_TATWEELS
                .iter()
                .find(|&&(name, _)| name == file)
                .map(|&(_, ids)| ids)
        });
        let probed;
        let ids = match builtin {
            Some(ids) => ids,
            None => {
                probed = probed_tatweels(self.library, &self.fonts[face], face);
                &probed
            }
        };
        let mut glyphs = vec![false; self.fonts[face].face().glyph_count() as usize];
        for &id in ids {
            if let Some(slot) = glyphs.get_mut(usize::from(id)) {
                *slot = true;
            }
        }
        glyphs.into_boxed_slice()
    }

    /// Whether `g`, of `run`, copies out as a kashida ([`KASHIDA_TEXT`]):
    /// an inserted kashida, or a tatweel glyph the font draws inside a
    /// cluster (Amiri, at the head of some lam clusters), not a typed one.
    pub fn copies_as_kashida(&self, run: &GlyphRun, g: &PlacedGlyph) -> bool {
        g.kashida
            || (self.draws_tatweel(run.face, g.id) && !typed_tatweel(&run.text[g.text_range()]))
    }

    /// The glyph of `face` with no outline and no width, if it has one.
    pub fn empty_glyph(&self, face: usize) -> Option<u16> {
        self.facts.empty[face]
    }

    /// The advance width the PDF font gives glyph `id` of `face` (what
    /// pdf.js moves the pen by), in points at `size`.
    fn advance(&self, face: usize, id: u16, size: f32) -> f32 {
        let font = &self.fonts[face];
        let advances = self.facts.advances[face].get_or_init(|| {
            (0..font.face().glyph_count())
                .map(|glyph| font.get_glyph_h_advance(glyph))
                .collect()
        });
        let units = advances
            .get(usize::from(id))
            .copied()
            .unwrap_or_else(|| font.get_glyph_h_advance(u32::from(id)));
        units as f32 * size / self.facts.upems[face]
    }
}

/// The glyphs `font` (face `face` of `library`) draws for a tatweel: those
/// shaping draws between letters (`Shaper::tatweel_glyphs`, a probe of a
/// few thousand glyphs), and those the font draws inside a cluster
/// (Amiri's «لحِ» makes room for the kasra with one), which only their
/// names tell.
fn probed_tatweels(library: &FontLibrary, font: &Font<'_>, face: usize) -> Vec<u16> {
    let mut ids = Shaper::new(library, "ar").tatweel_glyphs(face);
    // A face with no tatweel draws none inside a cluster either.
    if !ids.is_empty() {
        ids.extend((0..font.face().glyph_count()).filter_map(|glyph| {
            let name = font.get_glyph_name(glyph)?;
            name.starts_with(TATWEEL_GLYPH_NAME)
                .then(|| u16::try_from(glyph).ok())
                .flatten()
        }));
        ids.sort_unstable();
        ids.dedup();
    }
    ids
}

/// [`probed_tatweels`] of warraq's own faces that draw a tatweel, worked out
/// ahead: the probe was 7% of a ten-chapter book's build, and is the same
/// for every book. `tatweel_glyphs_of_the_builtin_faces_are_the_probes`
/// checks them against the probe (HarfBuzz's and the faces' versions may
/// change them) and prints them anew when they differ.
const BUILTIN_TATWEELS: &[(&str, &[u16])] = &[
    (
        "Amiri-Regular.ttf",
        &[
            416, 5965, 6001, 6003, 6004, 6005, 6409, 6656, 6657, 6658, 6659,
        ],
    ),
    (
        "Amiri-Bold.ttf",
        &[
            414, 5814, 5850, 5852, 5853, 5854, 6258, 6493, 6494, 6495, 6496,
        ],
    ),
    (
        "Amiri-Slanted.ttf",
        &[
            415, 5958, 5994, 5996, 5997, 5998, 6402, 6649, 6650, 6651, 6652,
        ],
    ),
];

/// Runs that krilla can draw as one text showing: the same face, size,
/// colour and baseline, each starting where the one before ends.
pub(super) fn continues(before: &GlyphRun, run: &GlyphRun) -> bool {
    const SAME: f32 = 0.01;
    before.face == run.face
        && before.size == run.size
        && before.inverse == run.inverse
        && before.y == run.y
        && (before.x + before.width() - run.x).abs() < SAME
}

/// Whether a glyph's `text` is tatweels typed in the book, which copy out
/// as themselves, however many the font draws as one glyph (Amiri: three
/// as `uni0640.3`).
fn typed_tatweel(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c == TATWEEL)
}

/// The glyphs of `runs` (consecutive runs of one line, see [`continues`])
/// as krilla is to draw them, with the text they copy out as.
///
/// The text holds each cluster's source text in the order its glyphs are
/// drawn (visual order), and each glyph the range of its cluster. krilla
/// marks a run whose ranges go backwards (a right-to-left line in logical
/// text) `/ReversedChars` and cuts it at every space into marked
/// sequences, which pdf.js makes into one text item a word and reverses
/// one by one, leaving the words of the line in visual order. A letter and
/// its marks copy out glyph by glyph ([`marks_apart`]); any other cluster
/// krilla maps to its text (the first glyph of a cluster; the others get
/// that text as `/ActualText`).
///
/// Kashidas, inserted by justification (their range is empty: they stand
/// for no text) or drawn by the font inside a cluster, each copy out as
/// [`KASHIDA_TEXT`] of their own, so no marked content cuts the word. Bidi
/// controls (the isolates around inline code) shape to glyphs of no width
/// and no ink; left out, they never reach copied text.
///
/// On a page poppler reads right to left (`page_right_to_left`, see
/// [`reads_right_to_left`]), an invisible glyph
/// that copies out as [`RIGHT_TO_LEFT_TEXT`] is drawn where poppler would
/// carry the text before a number or a word of a left-to-right script
/// over to its other side ([`Poppler::Forward`]): inside the showing, and
/// at its right end when the showing just right of it starts so
/// (`forward_after`, see [`starts_forward`]).
pub(super) fn line_text(
    runs: &[&GlyphRun],
    faces: &Faces,
    page_right_to_left: bool,
    forward_after: bool,
) -> (String, Vec<Drawn>) {
    // Each glyph once, and about two bytes of text a glyph (an Arabic
    // letter): sized at once, not grown line after line.
    let count: usize = runs.iter().map(|run| run.glyphs.len()).sum();
    let mut text = String::with_capacity(2 * count);
    let mut glyphs: Vec<Drawn> = Vec::with_capacity(count);
    // Whether the glyph drawn last is set right to left but is no
    // right-to-left letter (a space, a comma, a mark): poppler's turn to
    // left-to-right reading at the glyph after it is to stop there.
    let mut after_right_to_left_other = false;
    // A run's glyphs that are drawn: one list for the line's runs, made at
    // its size (a filtered list grew by doubling, run after run).
    let mut drawn: Vec<&PlacedGlyph> = Vec::with_capacity(count);
    for run in runs {
        let mark = faces.facts.right_to_left_mark[run.face];
        // Amiri also draws its kashida glyph at the head of some lam
        // clusters: there it is a kashida too.
        let is_kashida = |g: &PlacedGlyph| faces.copies_as_kashida(run, g);
        drawn.clear();
        drawn.extend(run.glyphs.iter().filter(|g| !left_out(run, g)));
        let mut rest = &drawn[..];
        while let Some(&first) = rest.first() {
            let cluster_len = rest.iter().take_while(|g| g.text == first.text).count();
            let (cluster, after) = rest.split_at(cluster_len);
            rest = after;
            let source = &run.text[first.text_range()];
            // Only where poppler reads right to left: no character is
            // looked up for a left-to-right page.
            if page_right_to_left {
                let direction = poppler_direction(run.rtl, source);
                if let Some(mark) =
                    mark.filter(|_| after_right_to_left_other && direction == Poppler::Forward)
                {
                    let range = append(&mut text, RIGHT_TO_LEFT_TEXT);
                    glyphs.push(right_to_left_mark(mark, run.size, range));
                }
                after_right_to_left_other = run.rtl && direction != Poppler::Backward;
            }
            let nominal = |c| faces.nominal(run.face, c);
            let mut shared = None;
            let mut add = |g: &PlacedGlyph, part: Option<&str>| {
                let range = match part {
                    _ if is_kashida(g) => append(&mut text, KASHIDA_TEXT),
                    Some(part) => append(&mut text, part),
                    None => *shared.get_or_insert_with(|| append(&mut text, source)),
                };
                glyphs.push(placed(g, run.size, range));
            };
            // Where marks cannot be told apart, the cluster's glyphs share
            // its text (`None`): krilla maps the first to it and gives the
            // others `/ActualText`. (Nothing is collected for a cluster of
            // one glyph, most of a book's.)
            match marks_apart(cluster, source, nominal, is_kashida) {
                Some(parts) => parts.iter().for_each(|(g, t)| add(g, Some(t))),
                None => cluster.iter().for_each(|&g| add(g, None)),
            }
        }
    }
    let end_mark = runs
        .last()
        .filter(|_| forward_after && after_right_to_left_other)
        .and_then(|last| Some((last, faces.facts.right_to_left_mark[last.face]?)));
    if let Some((last, mark)) = end_mark {
        // A hair left of the showing's end, where the next one starts:
        // poppler puts a glyph drawn later at the same place first.
        let range = append(&mut text, RIGHT_TO_LEFT_TEXT);
        let mut drawn = right_to_left_mark(mark, last.size, range);
        drawn.x_offset = -MARK_INSET * last.size;
        glyphs.push(drawn);
    }
    let Some(run) = runs.first() else {
        return (text, glyphs);
    };
    let face = run.face;
    match faces.empty_glyph(face) {
        Some(empty) => {
            let joiner = (text.len(), text.len() + JOINER_TEXT.len());
            text.push_str(JOINER_TEXT);
            let advance = |id| faces.advance(face, id, run.size);
            let glyphs = hide_adjustments(&text, glyphs, advance, empty, joiner);
            (text, glyphs)
        }
        None => (text, glyphs),
    }
}

/// How poppler's `pdftotext` orders a glyph on a page it reads right to
/// left, by the first character it copies out as.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Poppler {
    /// A right-to-left letter.
    Backward,
    /// A letter of a left-to-right script, a digit, or what poppler types
    /// as part of a number (`+ - % # , . / :` and the Arabic comma), or
    /// anything set left to right (taken by bidi class: L, EN, AN, ES, ET,
    /// CS; the few others of those classes, `$` or a no-break space, only
    /// get a mark poppler needs not): poppler reads a line from its right end
    /// and, at such a character, turns to left-to-right reading, which
    /// takes everything up to the next right-to-left letter on its left —
    /// the space before a number, the full stop's sentence's space, the
    /// comma after a number — over to the other side («نونبر  2025في»,
    /// «الدوليين .ويظل», «،2025»). A right-to-left letter just left of it
    /// ([`RIGHT_TO_LEFT_TEXT`], drawn where the glyph before it is set
    /// right to left and is no right-to-left letter) stops it there.
    Forward,
    /// Neither of the above: a space, a mark, other punctuation.
    Neutral,
}

/// The invisible glyph `mark` of no width, copying out as `range` of the
/// line's text ([`RIGHT_TO_LEFT_TEXT`]).
fn right_to_left_mark(mark: u16, size: f32, range: (usize, usize)) -> Drawn {
    Drawn {
        id: mark,
        x_advance: 0.0,
        x_offset: 0.0,
        y_offset: 0.0,
        size,
        range,
    }
}

/// Whether the showing of `runs` starts (at its left end) with a cluster
/// poppler turns to left-to-right reading at ([`Poppler::Forward`]).
pub(super) fn starts_forward(runs: &[&GlyphRun]) -> bool {
    runs.iter()
        .flat_map(|run| run.glyphs.iter().map(move |g| (run, g)))
        .find(|(run, g)| !left_out(run, g))
        .is_some_and(|(run, g)| {
            poppler_direction(run.rtl, &run.text[g.text_range()]) == Poppler::Forward
        })
}

/// Whether glyph `g` of `run` is left out of the text layer: a bidi control
/// (the isolates around inline code) shapes to a glyph of no width and no
/// ink, which never reaches copied text.
fn left_out(run: &GlyphRun, g: &PlacedGlyph) -> bool {
    g.x_advance == 0.0 && is_bidi_control(&run.text[g.text_range()])
}

/// Whether poppler reads `page` right to left: as it does where the
/// letters of right-to-left scripts outnumber those of left-to-right ones
/// (it counts them over the page, `TextPage::addChar`; a tie reads left to
/// right).
pub(super) fn reads_right_to_left(page: &Page) -> bool {
    use unicode_bidi::BidiClass::{AL, L, R};
    let mut count: i64 = 0;
    for item in &page.items {
        let Item::Glyphs(run) = item else { continue };
        let mut last = None;
        for g in run.glyphs.iter() {
            // A cluster of several glyphs once.
            if last.replace(g.text) == Some(g.text) {
                continue;
            }
            for c in run.text[g.text_range()].chars() {
                match bidi_class(c) {
                    L => count += 1,
                    R | AL => count -= 1,
                    _ => {}
                }
            }
        }
    }
    count < 0
}

/// How poppler orders a cluster of a run set right to left (`rtl`) or not
/// whose text is `source` ([`Poppler`]).
fn poppler_direction(rtl: bool, source: &str) -> Poppler {
    use unicode_bidi::BidiClass::{AL, AN, CS, EN, ES, ET, L, R};
    let forward = |c: char| matches!(bidi_class(c), L | EN | AN | ES | ET | CS);
    if !rtl || source.chars().next().is_some_and(forward) {
        Poppler::Forward
    } else if source.chars().any(|c| matches!(bidi_class(c), R | AL)) {
        Poppler::Backward
    } else {
        Poppler::Neutral
    }
}

/// `line` (from [`line_text`], of a right-to-left run of `face` at its
/// left end) with an invisible glyph that copies out as
/// [`RIGHT_TO_LEFT_TEXT`] drawn first, when it starts with punctuation or
/// another character of no direction of its own (the full stop or comma
/// ending the line's sentence, a mark on it) and has right-to-left
/// letters.
///
/// MuPDF 1.24 and later give each glyph the direction of its character,
/// or of the glyph before it when it has none, and left to right at the
/// start of a text object, then turn each run of right-to-left characters
/// round where it stands: a line drawn left to right that starts with
/// a full stop came out with the stop first («.الأوسط»). After the mark,
/// the stop is right to left too, and comes out last. pdf.js drops the
/// mark (a format character), poppler keeps it (invisible).
pub(super) fn mark_direction(line: &mut (String, Vec<Drawn>), faces: &Faces, face: usize) {
    let (text, glyphs) = line;
    let Some((first, mark)) = glyphs.first().zip(faces.facts.right_to_left_mark[face]) else {
        return;
    };
    let starts_neutral = text[first.range.0..first.range.1]
        .chars()
        .next()
        .is_some_and(|c| {
            use unicode_bidi::BidiClass::{B, BN, CS, NSM, ON, S, WS};
            matches!(bidi_class(c), B | BN | CS | NSM | ON | S | WS)
        });
    // A piece of no right-to-left letter (a list's marker, a note's
    // number) is not turned round: nothing to mark.
    if !starts_neutral || !text.chars().any(|c| is_right_to_left(c) && is_letter(c)) {
        return;
    }
    let size = first.size;
    // Its text first, so that the text still follows the glyphs (krilla
    // takes text that goes backwards for reversed).
    text.insert_str(0, RIGHT_TO_LEFT_TEXT);
    let shift = RIGHT_TO_LEFT_TEXT.len();
    for g in glyphs.iter_mut() {
        g.range = (g.range.0 + shift, g.range.1 + shift);
    }
    glyphs.insert(0, right_to_left_mark(mark, size, (0, shift)));
}

/// The marks a text showing starts with (drawn first, at its left end),
/// taken out of `line` (from [`line_text`]) to be drawn after the rest of
/// its piece, in a marked-content sequence of their own; with how far the
/// glyphs left in `line` now start to the right. `None` when it starts
/// with a glyph pdf.js checks.
///
/// pdf.js checks where a glyph is drawn, and so finds where a line ends,
/// only at glyphs it reads as letters: a mark it adds to the text item it
/// is making. A right-to-left line is drawn from its left end, its last
/// letter, whose marks come before it (see [`marks_apart`]): they went to
/// the text of the line before («كَتَبَ» at a line's end copied out as
/// «كَتَب» and the line before gained the fatha). Drawn after the piece,
/// after marked content ends pdf.js's text item, they follow the piece's
/// text; each is drawn where it was, in the order pdf.js reads back as
/// the source's: an item of Arabic marks alone it leaves as drawn, while
/// Hebrew points it takes for right-to-left letters (its bidi types the
/// whole Hebrew block so) and turns round.
pub(super) fn lead_marks(line: &mut (String, Vec<Drawn>)) -> Option<(f32, (String, Vec<Drawn>))> {
    let (text, glyphs) = line;
    let reading_of = |g: &Drawn| reading(&text[g.range.0..g.range.1]);
    let lead = glyphs
        .iter()
        .take_while(|g| matches!(reading_of(g), Reading::Mark | Reading::Dropped))
        .count();
    let (marks, rest) = glyphs.split_at(lead);
    // A glyph sharing its text with one that stays (a cluster krilla maps
    // as a whole) stays with it.
    if rest.is_empty()
        || !marks.iter().any(|g| reading_of(g) == Reading::Mark)
        || marks
            .iter()
            .any(|g| rest.iter().any(|r| r.range == g.range))
    {
        return None;
    }
    let mut pen = 0.0;
    let mut placed: Vec<Drawn> = Vec::with_capacity(lead);
    for g in marks {
        placed.push(Drawn {
            x_advance: 0.0,
            x_offset: pen + g.x_offset,
            ..*g
        });
        pen += g.x_advance;
    }
    let turned = marks
        .iter()
        .flat_map(|g| text[g.range.0..g.range.1].chars())
        .any(|c| matches!(c, '\u{0590}'..='\u{05F4}'));
    if !turned {
        placed.reverse();
    }
    // Their text in the order they are drawn, so krilla reads no reversal.
    let mut tail_text = String::new();
    let tail = placed
        .into_iter()
        .map(|g| Drawn {
            range: append(&mut tail_text, &text[g.range.0..g.range.1]),
            ..g
        })
        .collect();
    glyphs.drain(..lead);
    Some((pen, (tail_text, tail)))
}

/// The glyphs of a cluster of a letter and its marks (`source`), each with
/// the text it is to copy out as, in the order to draw them; `None` when
/// the cluster is not one glyph with an advance (the letter), glyphs of
/// none (its marks) and kashidas (`is_kashida`, whose text is left empty).
///
/// Each mark's own glyph (`nominal` gives a character's) copies out as the
/// mark, the letter's as the letter; marks the font draws as one glyph
/// (Amiri's shadda with fatha) copy out together, from that glyph. A
/// letter with a hamza may be drawn as the bare letter and the hamza as a
/// mark: they copy out as the letter's canonical decomposition («أ» as
/// alef and hamza above), which is the same text in Unicode (NFC puts it
/// back). pdf.js does not check where a mark is drawn and adds it to its
/// text where the pen is; mapped to the whole cluster, the first glyph
/// would copy out as all of it and the others, under `/ActualText` that
/// pdf.js ignores, as their codes.
///
/// Marks have no advance, so the order they are drawn in among themselves
/// moves nothing: each run of them is drawn so that the cluster reads in
/// the source's order, after the letter when it comes first (left to
/// right), before it, the last first, when it comes last (right to left).
fn marks_apart<'g>(
    cluster: &[&'g PlacedGlyph],
    source: &str,
    nominal: impl Fn(char) -> Option<u16>,
    is_kashida: impl Fn(&PlacedGlyph) -> bool,
) -> Option<Vec<(&'g PlacedGlyph, String)>> {
    if cluster.len() < 2 {
        return None;
    }
    let as_written: Vec<char> = source.chars().collect();
    let (texts, letter) =
        claim_marks(cluster, &as_written, &nominal, &is_kashida).or_else(|| {
            // Decomposed char by char, so that the marks keep the source's
            // order (NFD would sort them).
            let mut decomposed: Vec<char> = Vec::with_capacity(source.len());
            for c in source.chars() {
                decompose_canonical(c, |d| decomposed.push(d));
            }
            claim_marks(cluster, &decomposed, &nominal, &is_kashida)
        })?;
    let is_mark = |i: usize| texts[i].1.is_some();
    let first_char = |&i: &usize| texts[i].1.as_ref().and_then(|m| m.first().copied());
    let mut order: Vec<usize> = (0..cluster.len()).collect();
    // Each run of marks, in the source's order read from the letter.
    let mut start = 0;
    while start < order.len() {
        if !is_mark(start) {
            start += 1;
            continue;
        }
        let end = (start..order.len())
            .find(|&i| !is_mark(i))
            .unwrap_or(order.len());
        if start > letter {
            order[start..end].sort_by_key(first_char);
        } else {
            order[start..end].sort_by_key(|i| std::cmp::Reverse(first_char(i)));
        }
        start = end;
    }
    Some(
        order
            .into_iter()
            .map(|i| (cluster[i], texts[i].0.clone()))
            .collect(),
    )
}

/// Per glyph of a cluster, its text and, for a mark, the indices of the
/// characters it stands for; and which glyph is the letter.
type Claims = (Vec<(String, Option<Vec<usize>>)>, usize);

/// The [`Claims`] of `cluster`, whose characters are `chars` (kashidas'
/// text is empty). `None` unless there is one letter (a glyph with an
/// advance, not a kashida) and every glyph of no advance stands for marks
/// of `chars`: its own character's (`nominal`), or, for one glyph, the
/// marks no glyph of their own stands for.
fn claim_marks(
    cluster: &[&PlacedGlyph],
    chars: &[char],
    nominal: impl Fn(char) -> Option<u16>,
    is_kashida: impl Fn(&PlacedGlyph) -> bool,
) -> Option<Claims> {
    let mut unclaimed: Vec<usize> = (0..chars.len())
        .filter(|&i| is_combining_mark(chars[i]))
        .collect();
    let mut claims: Vec<Option<Vec<usize>>> = vec![None; cluster.len()];
    let mut letter = None;
    let mut other = None;
    for (at, g) in cluster.iter().enumerate() {
        if is_kashida(g) {
            continue;
        }
        if g.x_advance != 0.0 {
            if letter.replace(at).is_some() {
                return None;
            }
            continue;
        }
        match unclaimed
            .iter()
            .position(|&i| nominal(chars[i]) == Some(g.id))
        {
            Some(found) => claims[at] = Some(vec![unclaimed.remove(found)]),
            None if other.is_none() => other = Some(at),
            None => return None,
        }
    }
    let letter = letter?;
    if let Some(at) = other {
        if unclaimed.is_empty() {
            return None;
        }
        claims[at] = Some(std::mem::take(&mut unclaimed));
    }
    let claimed: Vec<usize> = claims.iter().flatten().flatten().copied().collect();
    let text_of = |indices: &[usize]| indices.iter().map(|&i| chars[i]).collect::<String>();
    let rest: Vec<usize> = (0..chars.len()).filter(|i| !claimed.contains(i)).collect();
    // A letter's glyph copies out as something (PDF/A maps every glyph).
    if rest.is_empty() {
        return None;
    }
    let texts = claims
        .into_iter()
        .enumerate()
        .map(|(at, claim)| match claim {
            Some(indices) => (text_of(&indices), Some(indices)),
            None if at == letter => (text_of(&rest).nfc().collect(), None),
            None => (String::new(), None),
        })
        .collect();
    Some((texts, letter))
}

/// Appends `part` to `text`, giving where it is.
fn append(text: &mut String, part: &str) -> (usize, usize) {
    let start = text.len();
    text.push_str(part);
    (start, text.len())
}

/// `g` at `size`, copying out as `range` of the line's text.
fn placed(g: &PlacedGlyph, size: f32, range: (usize, usize)) -> Drawn {
    Drawn {
        id: g.id,
        x_advance: g.x_advance,
        x_offset: g.x_offset,
        y_offset: g.y_offset,
        size,
        range,
    }
}

/// How pdf.js takes a glyph, by the text it copies out as.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Reading {
    /// Its position is checked against the pen: a letter, a digit.
    Checked,
    /// White space: the pen moves by its width, and a space is written.
    Space,
    /// A combining mark: added to the text where the pen is, unchecked.
    Mark,
    /// A format character: dropped, with the adjustment after it.
    Dropped,
}

fn reading(text: &str) -> Reading {
    if text.starts_with(char::is_whitespace) {
        Reading::Space
    } else if text.chars().any(is_combining_mark) {
        Reading::Mark
    } else if text.ends_with(is_format_character) {
        Reading::Dropped
    } else {
        Reading::Checked
    }
}

/// `glyphs` (of one face, see [`line_text`]) with invisible glyphs
/// (`empty`, copying out as `joiner` in `text`) carrying the part of the
/// `TJ` adjustments that pdf.js would misread.
///
/// pdf.js follows the pen through the font's advance widths (`advance`)
/// and the adjustments krilla writes before each glyph (where HarfBuzz put
/// it less where the widths leave the pen), and checks each glyph that is
/// not white space, a mark or a format character against where the glyph
/// it checked last ended ([`NO_SPACE_MOVE`], [`SPACE_MOVE`]). The
/// adjustment after a glyph followed by the empty glyph is the empty
/// glyph's, and pdf.js drops it: so, between two letters (across a space,
/// two right-to-left letters, whose order a cut text item would spoil), a
/// letter gives part of its advance to an empty glyph after it, as much as
/// brings the move into range. What pdf.js does not see puts its pen
/// behind the glyphs (so do kashidas, which it drops), which does no harm:
/// krilla keeps one text matrix for the line (glyphs off the baseline are
/// raised with the text rise), so pdf.js only ever measures a move.
fn hide_adjustments(
    text: &str,
    glyphs: Vec<Drawn>,
    advance: impl Fn(u16) -> f32,
    empty: u16,
    joiner: (usize, usize),
) -> Vec<Drawn> {
    // Each glyph's reading, its advance in the PDF font, and whether it is
    // a letter: asked for several times a glyph, found in one pass.
    let mut readings: Vec<Reading> = Vec::with_capacity(glyphs.len());
    let mut widths: Vec<f32> = Vec::with_capacity(glyphs.len());
    let mut letters: Vec<bool> = Vec::with_capacity(glyphs.len());
    for g in &glyphs {
        let glyph_text = &text[g.range.0..g.range.1];
        readings.push(reading(glyph_text));
        widths.push(advance(g.id));
        letters.push(glyph_text.chars().any(is_letter));
    }
    // The adjustment krilla writes before glyph `i` (after glyph `i - 1`).
    let adjustment = |i: usize| {
        let before = &glyphs[i - 1];
        before.x_advance - widths[i - 1] - before.x_offset + glyphs[i].x_offset
    };
    // How far pdf.js's pen moves over glyph `i` and the adjustment after
    // it: asked for many times, so found once.
    let pdfjs_moves: Vec<f32> = (0..glyphs.len())
        .map(|i| {
            let width = match readings[i] {
                Reading::Checked | Reading::Space => widths[i],
                Reading::Mark | Reading::Dropped => 0.0,
            };
            let after = match readings[i] {
                Reading::Dropped => 0.0,
                _ => glyphs.get(i + 1).map_or(0.0, |_| adjustment(i + 1)),
            };
            width + after
        })
        .collect();
    // The range pdf.js's move from checked glyph `from` to checked glyph
    // `to` is to stay in, in points.
    let range = |from: usize, to: usize| {
        let last_space = (from..to).rev().find(|&j| readings[j] == Reading::Space);
        // A mark after a space glyph brings the space into pdf.js's text
        // itself: a move read as a space would make it two.
        let space_written = last_space.is_some_and(|j| readings[j + 1] == Reading::Mark);
        let (least, most) = if last_space.is_some() && !space_written {
            SPACE_MOVE
        } else {
            NO_SPACE_MOVE
        };
        let em = glyphs[to].size;
        (least * em, most * em)
    };
    // Whether the move from checked glyph `from` to checked glyph `to` may
    // be read other than it is: between letters only (gaps around digits
    // and punctuation, the dots of a leader, are the setting's, and may
    // read as spaces), and across a space only in right-to-left text
    // (pdf.js cuts its text item at a space it finds too narrow or too
    // wide, which changes nothing in left-to-right text).
    let rtl_letter = |j: usize| {
        text[glyphs[j].range.0..glyphs[j].range.1]
            .chars()
            .any(is_right_to_left)
    };
    let adjustable = |from: usize, to: usize| {
        if readings[from..to].contains(&Reading::Space) {
            rtl_letter(from) && rtl_letter(to)
        } else {
            letters[from] && letters[to]
        }
    };
    // Per glyph, the part of the adjustment before it that pdf.js is not
    // to see.
    let mut hidden = vec![0.0; glyphs.len()];
    let mut last_checked: Option<usize> = None;
    for i in 0..glyphs.len() {
        if readings[i] != Reading::Checked {
            continue;
        }
        let Some(from) = last_checked.replace(i) else {
            continue;
        };
        if !adjustable(from, i) {
            continue;
        }
        // From where the glyph checked last ends to this one.
        let seen = pdfjs_moves[from..i].iter().sum::<f32>() - widths[from];
        let (least, most) = range(from, i);
        let shown = seen.clamp(least, most);
        // After a letter (on the baseline, where poppler does not take it
        // for the start of another line): poppler takes an empty glyph
        // after a space for a word of its own, which it may put out of
        // order.
        let at = (from + 1..=i).find(|&j| letters[j - 1] && readings[j - 1] == Reading::Checked);
        if let Some(at) = at.filter(|_| (seen - shown).abs() > HIDDEN_AT_LEAST * glyphs[i].size) {
            hidden[at] = seen - shown;
        }
    }
    // Each glyph, and an empty one before each that hides a part.
    let hiding = hidden.iter().filter(|&&part| part != 0.0).count();
    let mut out = Vec::with_capacity(glyphs.len() + hiding);
    for (i, g) in glyphs.iter().enumerate() {
        if hidden[i] != 0.0 {
            let before: &mut Drawn = out.last_mut().expect("glyph 0 hides nothing");
            let carried = hidden[i] - g.x_offset;
            before.x_advance -= carried;
            out.push(Drawn {
                id: empty,
                x_advance: carried,
                x_offset: 0.0,
                y_offset: 0.0,
                size: g.size,
                range: joiner,
            });
        }
        out.push(*g);
    }
    out
}

/// Whether `text` is nothing but bidi controls (embeddings, overrides,
/// isolates, marks): formatting, never content.
pub(super) fn is_bidi_control(text: &str) -> bool {
    !text.is_empty()
        && text.chars().all(|c| {
            matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
        })
}

/// `char::is_alphabetic` of the code points of a table (Latin, Greek,
/// Cyrillic, Hebrew, Arabic): a line asks it for every glyph.
static FIRST_LETTERS: LazyLock<Vec<bool>> = LazyLock::new(|| property_table(char::is_alphabetic));

/// `char::is_alphabetic`.
pub(super) fn is_letter(c: char) -> bool {
    tabled(&FIRST_LETTERS, c, char::is_alphabetic)
}

/// Whether `c` is a letter of a right-to-left script (Hebrew, Arabic,
/// Syriac, Thaana, N'Ko and their presentation forms).
pub(super) fn is_right_to_left(c: char) -> bool {
    matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// Format characters (`\p{Cf}`) a line may hold.
fn is_format_character(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Warraq's own faces' tatweel glyphs, worked out ahead, are what the
    /// probe finds; when they are not, the message is the list to put in
    /// [`BUILTIN_TATWEELS`].
    #[test]
    fn tatweel_glyphs_of_the_builtin_faces_are_the_probes() {
        let library = FontLibrary::builtin();
        let fonts = library.harfbuzz_fonts();
        let probed: Vec<(&str, Vec<u16>)> = library
            .faces
            .iter()
            .enumerate()
            .map(|(face, font)| {
                (
                    font.file_name.as_str(),
                    probed_tatweels(&library, &fonts[face], face),
                )
            })
            .filter(|(_, ids)| !ids.is_empty())
            .collect();
        let listed: Vec<(&str, Vec<u16>)> = BUILTIN_TATWEELS
            .iter()
            .map(|&(file, ids)| (file, ids.to_vec()))
            .collect();
        let rust: String = probed
            .iter()
            .map(|(file, ids)| format!("    (\"{file}\", &{ids:?}),\n"))
            .collect();
        assert!(!probed.is_empty());
        assert_eq!(listed, probed, "BUILTIN_TATWEELS should be:\n{rust}");
    }

    /// A glyph of cluster 0 with `advance`.
    fn glyph(id: u16, advance: f32) -> PlacedGlyph {
        PlacedGlyph {
            id,
            text: (0, 0),
            x_advance: advance,
            x_offset: 0.0,
            y_offset: 0.0,
            kashida: false,
        }
    }

    /// What `marks_apart` gives `glyphs` for `source`, as (glyph, text).
    fn apart(
        glyphs: &[PlacedGlyph],
        source: &str,
        nominal: &[(char, u16)],
    ) -> Option<Vec<(u16, String)>> {
        let cluster: Vec<&PlacedGlyph> = glyphs.iter().collect();
        let nominal = |c: char| nominal.iter().find(|&&(n, _)| n == c).map(|&(_, id)| id);
        let is_kashida = |g: &PlacedGlyph| g.id == TATWEEL_ID;
        let parts = marks_apart(&cluster, source, nominal, is_kashida)?;
        Some(parts.into_iter().map(|(g, t)| (g.id, t)).collect())
    }

    const TATWEEL_ID: u16 = 500;

    fn parts(expected: &[(u16, &str)]) -> Option<Vec<(u16, String)>> {
        Some(expected.iter().map(|&(id, t)| (id, t.to_owned())).collect())
    }

    #[test]
    fn right_to_left_marks_come_first_in_reverse_source_order() {
        // Kaf with shadda then fatha, drawn as HarfBuzz gives them (shadda,
        // a small fatha that is not fatha's own glyph, the letter): the
        // fatha is drawn first, so that read backwards the cluster is the
        // source.
        let glyphs = [glyph(101, 0.0), glyph(100, 0.0), glyph(200, 7.0)];
        let nominal = [('\u{651}', 101), ('\u{64E}', 99)];
        assert_eq!(
            apart(&glyphs, "\u{643}\u{651}\u{64E}", &nominal),
            parts(&[(100, "\u{64E}"), (101, "\u{651}"), (200, "\u{643}")])
        );
    }

    #[test]
    fn left_to_right_marks_follow_the_letter_in_source_order() {
        let glyphs = [glyph(10, 5.0), glyph(12, 0.0), glyph(11, 0.0)];
        let nominal = [('\u{301}', 11), ('\u{323}', 12)];
        assert_eq!(
            apart(&glyphs, "e\u{301}\u{323}", &nominal),
            parts(&[(10, "e"), (11, "\u{301}"), (12, "\u{323}")])
        );
    }

    #[test]
    fn a_hamza_drawn_apart_copies_out_as_the_letters_decomposition() {
        // «أَ» drawn as fatha, hamza above and a bare alef.
        let glyphs = [glyph(98, 0.0), glyph(97, 0.0), glyph(300, 3.0)];
        let nominal = [('\u{64E}', 98), ('\u{654}', 97), ('\u{623}', 301)];
        let got = apart(&glyphs, "\u{623}\u{64E}", &nominal);
        assert_eq!(
            got,
            parts(&[(98, "\u{64E}"), (97, "\u{654}"), (300, "\u{627}")])
        );
        // Read backwards, as pdf.js reads a right-to-left line, it is the
        // source again once composed.
        let read: String = got.unwrap().iter().rev().map(|(_, t)| t.as_str()).collect();
        assert_eq!(read.nfc().collect::<String>(), "\u{623}\u{64E}");
    }

    #[test]
    fn a_letter_with_its_hamza_keeps_it_when_drawn_whole() {
        // «إِ» drawn as a small kasra (not kasra's own glyph) and «إ».
        let glyphs = [glyph(90, 0.0), glyph(301, 3.0)];
        let nominal = [('\u{650}', 91), ('\u{625}', 301), ('\u{655}', 96)];
        assert_eq!(
            apart(&glyphs, "\u{625}\u{650}", &nominal),
            parts(&[(90, "\u{650}"), (301, "\u{625}")])
        );
    }

    #[test]
    fn a_kashida_inside_a_cluster_stays_where_it_is_drawn() {
        let glyphs = [glyph(91, 0.0), glyph(TATWEEL_ID, 3.0), glyph(400, 5.0)];
        let nominal = [('\u{650}', 91)];
        assert_eq!(
            apart(&glyphs, "\u{62D}\u{650}", &nominal),
            parts(&[(91, "\u{650}"), (TATWEEL_ID, ""), (400, "\u{62D}")])
        );
    }

    #[test]
    fn clusters_that_are_not_a_letter_and_its_marks_stay_whole() {
        // Two glyphs with advances (a letter drawn in two parts).
        let two_letters = [glyph(1, 3.0), glyph(2, 4.0)];
        assert_eq!(apart(&two_letters, "\u{644}\u{627}", &[]), None);
        // A glyph of no advance that stands for no mark of the cluster.
        let stray = [glyph(5, 0.0), glyph(6, 4.0)];
        assert_eq!(apart(&stray, "\u{644}", &[]), None);
        // One glyph: krilla maps it to the whole cluster anyway.
        assert_eq!(apart(&[glyph(7, 4.0)], "\u{644}\u{64E}", &[]), None);
        // A mark with no letter of its own, on a dotted circle: the circle
        // would copy out as nothing.
        let circle = [glyph(8, 4.0), glyph(11, 0.0)];
        assert_eq!(apart(&circle, "\u{64E}", &[('\u{64E}', 11)]), None);
    }
}
