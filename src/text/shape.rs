//! HarfBuzz shaping. The glyph ids and positions produced here are exactly
//! HarfBuzz's for the run's font, text, direction, script and language; layout
//! only moves whole runs and widens spaces, and the PDF writer draws them as
//! they are.

use std::ops::Range;
use std::str::FromStr;

use harfbuzz_rs::{ClusterLevel, Face, Font, Language, Owned, Tag, UnicodeBuffer};
use unicode_bidi::Level;

use crate::fonts::FontLibrary;

use super::itemize::{self, Coverage, MissingGlyph};
use super::{ParagraphSettings, StyledText};

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
}

/// A run of one face, size, level and script.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapedRun {
    pub range: Range<usize>,
    pub face: usize,
    pub size: f32,
    pub raise: f32,
    pub level: Level,
    pub script: unicode_script::Script,
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
    language: Language,
}

impl<'a> Shaper<'a> {
    pub fn new(library: &'a FontLibrary, language: &str) -> Self {
        let fonts: Vec<Owned<Font<'a>>> = library
            .faces
            .iter()
            .map(|face| Font::new(Face::from_bytes(face.data.as_slice(), 0)))
            .collect();
        let upem = fonts.iter().map(|f| f.face().upem() as f32).collect();
        let language = Language::from_str(language).unwrap_or_default();
        Shaper {
            fonts,
            upem,
            language,
        }
    }

    /// Itemizes and shapes a paragraph.
    pub fn shape(
        &self,
        library: &FontLibrary,
        styled: StyledText,
        settings: ParagraphSettings,
    ) -> ShapedText {
        let (base_level, levels) = itemize::bidi_levels(&styled.text, settings.direction);
        let mut missing = Vec::new();
        let items = itemize::itemize(&styled, &levels, library, self, &mut missing);
        let runs = items
            .into_iter()
            .map(|item| {
                let style = styled.spans[item.span].style;
                let glyphs = self.shape_run(
                    &styled.text,
                    item.range.clone(),
                    item.face,
                    style.size,
                    item.level,
                    item.script,
                );
                ShapedRun {
                    range: item.range,
                    face: item.face,
                    size: style.size,
                    raise: style.raise,
                    level: item.level,
                    script: item.script,
                    glyphs,
                }
            })
            .collect();
        ShapedText {
            styled,
            base_level,
            levels,
            runs,
            missing,
        }
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
        let output = harfbuzz_rs::shape(&self.fonts[face], buffer, &[]);
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
            })
            .collect();
        set_cluster_ends(&mut glyphs, range.end);
        glyphs
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

impl Coverage for Shaper<'_> {
    fn has_glyph(&self, face: usize, ch: char) -> bool {
        self.fonts[face].get_nominal_glyph(ch).is_some()
    }
}
