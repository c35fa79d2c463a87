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

use std::cell::OnceCell;
use std::ops::Range;
use std::sync::LazyLock;

use harfbuzz_rs::{Font, Owned};

use crate::fonts::FontLibrary;
use crate::layout::page::{GlyphRun, PlacedGlyph};
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
    fonts: Vec<Owned<Font<'a>>>,
    /// Per face, its units per em (asked once: HarfBuzz hands out a new
    /// reference to the face each time).
    upems: Vec<f32>,
    /// Per face, a glyph with no outline and no width, if it has one.
    empty: Vec<Option<u16>>,
    /// Per face, the glyphs it draws for a tatweel, which copy out as
    /// [`KASHIDA_TEXT`] wherever they are drawn but for a typed tatweel.
    kashidas: Vec<Vec<u16>>,
    /// Per face, every glyph's advance in font units, asked of HarfBuzz
    /// once when the face is first drawn: each line asks for every glyph's
    /// several times.
    advances: Vec<OnceCell<Box<[i32]>>>,
}

impl<'a> Faces<'a> {
    pub fn new(library: &'a FontLibrary) -> Self {
        let fonts = library.harfbuzz_fonts();
        let empty = fonts
            .iter()
            .map(|font| {
                EMPTY_GLYPH_CHARS.iter().find_map(|&c| {
                    let glyph = font.get_nominal_glyph(c)?;
                    let inkless = font
                        .get_glyph_extents(glyph)
                        .is_none_or(|e| e.width == 0 && e.height == 0);
                    let id = u16::try_from(glyph).ok()?;
                    (inkless && font.get_glyph_h_advance(glyph) == 0).then_some(id)
                })
            })
            .collect();
        let shaper = Shaper::new(library, "ar");
        let kashidas = (0..fonts.len())
            .map(|face| shaper.tatweel_glyphs(face))
            .collect();
        let upems = fonts.iter().map(|font| font.face().upem() as f32).collect();
        let advances = fonts.iter().map(|_| OnceCell::new()).collect();
        Faces {
            fonts,
            upems,
            empty,
            kashidas,
            advances,
        }
    }

    /// The glyph of `face` with no outline and no width, if it has one.
    pub fn empty_glyph(&self, face: usize) -> Option<u16> {
        self.empty[face]
    }

    /// The advance width the PDF font gives glyph `id` of `face` (what
    /// pdf.js moves the pen by), in points at `size`.
    fn advance(&self, face: usize, id: u16, size: f32) -> f32 {
        let font = &self.fonts[face];
        let advances = self.advances[face].get_or_init(|| {
            (0..font.face().glyph_count())
                .map(|glyph| font.get_glyph_h_advance(glyph))
                .collect()
        });
        let units = advances
            .get(usize::from(id))
            .copied()
            .unwrap_or_else(|| font.get_glyph_h_advance(u32::from(id)));
        units as f32 * size / self.upems[face]
    }
}

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

/// The glyphs of `runs` (consecutive runs of one line, see [`continues`])
/// as krilla is to draw them, with the text they copy out as.
///
/// The text holds each cluster's source text in the order its glyphs are
/// drawn (visual order), and each glyph the range of its cluster. krilla
/// marks a run whose ranges go backwards (a right-to-left line in logical
/// text) `/ReversedChars` and cuts it at every space into marked
/// sequences, which pdf.js makes into one text item a word and reverses
/// one by one, leaving the words of the line in visual order. What a glyph
/// copies out as is unchanged: krilla maps it to its cluster's text (the
/// first glyph of a cluster; the others get that text as `/ActualText`).
///
/// Kashidas inserted by justification stand for no text (their range is
/// empty): each is a cluster of its own whose text is [`KASHIDA_TEXT`], so
/// no marked content cuts the word. Bidi controls (the isolates around
/// inline code) shape to glyphs of no width and no ink; left out, they
/// never reach copied text.
pub(super) fn line_text(runs: &[&GlyphRun], faces: &Faces) -> (String, Vec<Drawn>) {
    // Each glyph once, and about two bytes of text a glyph (an Arabic
    // letter): sized at once, not grown line after line.
    let count: usize = runs.iter().map(|run| run.glyphs.len()).sum();
    let mut text = String::with_capacity(2 * count);
    let mut glyphs: Vec<Drawn> = Vec::with_capacity(count);
    // A tatweel typed in the text copies out as itself.
    let mut buffer = [0; 4];
    let typed_tatweel: &str = TATWEEL.encode_utf8(&mut buffer);
    for run in runs {
        // Amiri also draws its kashida glyph at the head of some lam
        // clusters: there it is a kashida too.
        let is_kashida = |g: &PlacedGlyph| {
            g.kashida
                || (faces.kashidas[run.face].contains(&g.id)
                    && &run.text[g.text_range()] != typed_tatweel)
        };
        let drawn: Vec<&PlacedGlyph> = run
            .glyphs
            .iter()
            .filter(|g| !(g.x_advance == 0.0 && is_bidi_control(&run.text[g.text_range()])))
            .collect();
        let mut rest = &drawn[..];
        while let Some(&first) = rest.first() {
            let cluster_len = if is_kashida(first) {
                1
            } else {
                rest.iter()
                    .take_while(|g| g.text == first.text && !is_kashida(g))
                    .count()
            };
            let (cluster, after) = rest.split_at(cluster_len);
            rest = after;
            // A cluster's glyphs share its text: krilla maps the first to
            // it and gives the others `/ActualText`. (Giving each mark its
            // own character instead leaves poppler taking a vocalised
            // line's marks for text of other lines.)
            let start = text.len();
            text.push_str(if is_kashida(first) {
                KASHIDA_TEXT
            } else {
                &run.text[first.text_range()]
            });
            for g in cluster {
                glyphs.push(placed(g, run.size, (start, text.len())));
            }
        }
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
/// behind the glyphs (so do kashidas, which it drops); where krilla starts
/// a new text matrix (at a change of vertical offset) pdf.js takes the
/// glyph where it is drawn, and the pen jumps. So in a word with such a
/// glyph each move shows as much as its range allows of what pdf.js has
/// fallen behind.
fn hide_adjustments(
    text: &str,
    glyphs: Vec<Drawn>,
    advance: impl Fn(u16) -> f32,
    empty: u16,
    joiner: (usize, usize),
) -> Vec<Drawn> {
    let readings: Vec<Reading> = glyphs
        .iter()
        .map(|g| reading(&text[g.range.0..g.range.1]))
        .collect();
    // The adjustment krilla writes before glyph `i` (after glyph `i - 1`).
    let adjustment = |i: usize| {
        let before = &glyphs[i - 1];
        before.x_advance - advance(before.id) - before.x_offset + glyphs[i].x_offset
    };
    // How far pdf.js's pen moves over glyph `i` and the adjustment after
    // it, and how far the glyphs do: each asked for many times, so found
    // once.
    let pdfjs_moves: Vec<f32> = (0..glyphs.len())
        .map(|i| {
            let width = match readings[i] {
                Reading::Checked | Reading::Space => advance(glyphs[i].id),
                Reading::Mark | Reading::Dropped => 0.0,
            };
            let after = match readings[i] {
                Reading::Dropped => 0.0,
                _ => glyphs.get(i + 1).map_or(0.0, |_| adjustment(i + 1)),
            };
            width + after
        })
        .collect();
    // How far the glyphs move from glyph `i` to the next.
    let actual_move = |i: usize| {
        let next_offset = glyphs.get(i + 1).map_or(0.0, |g| g.x_offset);
        glyphs[i].x_advance - glyphs[i].x_offset + next_offset
    };
    let new_matrix = |i: usize| i > 0 && glyphs[i].y_offset != glyphs[i - 1].y_offset;
    // Per glyph, the first glyph from it on that starts a new text matrix,
    // and the first space (the glyph count where there is none).
    let mut next_matrix = vec![glyphs.len(); glyphs.len() + 1];
    let mut next_space = vec![glyphs.len(); glyphs.len() + 1];
    for i in (0..glyphs.len()).rev() {
        next_matrix[i] = if new_matrix(i) { i } else { next_matrix[i + 1] };
        next_space[i] = if readings[i] == Reading::Space {
            i
        } else {
            next_space[i + 1]
        };
    }
    // Whether a glyph in `range` starts a new text matrix.
    let any_new_matrix = |range: Range<usize>| next_matrix[range.start] < range.end;
    // Whether a new text matrix comes after glyph `i` before the next
    // space.
    let resyncs_after = |i: usize| next_matrix[i + 1] < next_space[i + 1];
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
    // How far pdf.js is to be behind at checked glyph `i`: where the next
    // checked glyph has a text matrix of its own, pdf.js moves to it from
    // where it has the end of glyph `i`, so it had better be as far behind
    // as brings that move into range; elsewhere, not at all.
    let wanted_behind = |i: usize| {
        let next = (i + 1..glyphs.len()).find(|&j| readings[j] == Reading::Checked)?;
        if !any_new_matrix(i + 1..next + 1) {
            return None;
        }
        let gap = (i..next).map(actual_move).sum::<f32>() - advance(glyphs[i].id);
        let (least, most) = range(i, next);
        Some(0f32.clamp(least - gap, most - gap))
    };
    // Per glyph, the part of the adjustment before it that pdf.js is not
    // to see.
    let mut hidden = vec![0.0; glyphs.len()];
    // How far pdf.js's pen is behind the glyphs.
    let mut behind = 0.0;
    let mut last_checked: Option<usize> = None;
    for i in 0..glyphs.len() {
        if new_matrix(i) {
            behind = 0.0;
        } else if i > 0 {
            behind += actual_move(i - 1) - pdfjs_moves[i - 1];
        }
        if readings[i] != Reading::Checked {
            continue;
        }
        let Some(from) = last_checked.replace(i) else {
            continue;
        };
        // Between letters only: gaps around digits and punctuation (the
        // dots of a leader) are the setting's, and may read as spaces.
        let letter = |j: usize| {
            text[glyphs[j].range.0..glyphs[j].range.1]
                .chars()
                .any(is_letter)
        };
        // Across a space, only in right-to-left text: pdf.js cuts its text
        // item at a space it finds too narrow or too wide, which changes
        // nothing in left-to-right text.
        let rtl_letter = |j: usize| {
            text[glyphs[j].range.0..glyphs[j].range.1]
                .chars()
                .any(is_right_to_left)
        };
        let spaced = readings[from..i].contains(&Reading::Space);
        let between_letters = if spaced {
            rtl_letter(from) && rtl_letter(i)
        } else {
            letter(from) && letter(i)
        };
        if any_new_matrix(from + 1..i + 1) || !between_letters {
            continue;
        }
        // From where the glyph checked last ends to this one.
        let seen = pdfjs_moves[from..i].iter().sum::<f32>() - advance(glyphs[from].id);
        let (least, most) = range(from, i);
        // pdf.js catches up in a word where it is to be made to take a
        // glyph where it is drawn.
        let wanted = match wanted_behind(i) {
            Some(target) => seen + behind - target,
            None if resyncs_after(i) => seen + behind,
            None => seen,
        };
        let shown = wanted.clamp(least, most);
        // After a letter on the baseline: poppler takes an empty glyph off
        // the baseline for the start of another line, and one after a
        // space for a word of its own, which it may put out of order.
        let at = (from + 1..=i)
            .find(|&j| readings[j - 1] == Reading::Checked && glyphs[j - 1].y_offset == 0.0);
        if let Some(at) = at.filter(|_| (seen - shown).abs() > HIDDEN_AT_LEAST * glyphs[i].size) {
            hidden[at] = seen - shown;
            behind += seen - shown;
        }
    }
    let mut out = Vec::with_capacity(glyphs.len());
    for (i, g) in glyphs.iter().enumerate() {
        if hidden[i] != 0.0 {
            let before: &mut Drawn = out.last_mut().expect("glyph 0 hides nothing");
            let carried = hidden[i] - g.x_offset;
            before.x_advance -= carried;
            let y_offset = before.y_offset;
            out.push(Drawn {
                id: empty,
                x_advance: carried,
                x_offset: 0.0,
                y_offset,
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

/// Letters of the right-to-left scripts the book sets (Hebrew, Arabic).
/// Code points below this have [`is_letter`] in a table.
const TABLED_LETTERS: u32 = 0x800;

/// `char::is_alphabetic` of the code points below [`TABLED_LETTERS`]
/// (Latin, Greek, Cyrillic, Hebrew, Arabic), looked up once: Unicode's
/// own table is a binary search, and a line asks it for every glyph.
static FIRST_LETTERS: LazyLock<Vec<bool>> = LazyLock::new(|| {
    (0..TABLED_LETTERS)
        .map(|c| char::from_u32(c).is_some_and(char::is_alphabetic))
        .collect()
});

/// `char::is_alphabetic`, from [`FIRST_LETTERS`] where it can.
fn is_letter(c: char) -> bool {
    FIRST_LETTERS
        .get(c as usize)
        .copied()
        .unwrap_or_else(|| c.is_alphabetic())
}

fn is_right_to_left(c: char) -> bool {
    matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// Format characters (`\p{Cf}`) a line may hold.
fn is_format_character(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}')
}
