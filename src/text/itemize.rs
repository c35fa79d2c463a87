//! Splitting a paragraph into shapeable runs: one bidi level, one script, one
//! font face each (UAX #9 levels from `unicode-bidi`, scripts from
//! `unicode-script`, faces by cmap coverage).

use std::ops::Range;

use unicode_bidi::{BidiInfo, Level};
use unicode_script::{Script, UnicodeScript};

use crate::doc::Direction;
use crate::fonts::{FontLibrary, Role, Style};

use super::StyledText;

/// One run to shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub range: Range<usize>,
    /// Index of the span (and so the style) the run belongs to.
    pub span: usize,
    pub level: Level,
    pub script: Script,
    /// Index into [`FontLibrary::faces`].
    pub face: usize,
}

/// A character that no face of the library can draw.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingGlyph {
    pub ch: char,
    /// Byte offset in the paragraph text.
    pub offset: usize,
}

/// Decides whether a face has a glyph for a character.
pub trait Coverage {
    fn has_glyph(&self, face: usize, ch: char) -> bool;
}

/// The bidi embedding level of every byte of `text`.
pub fn bidi_levels(text: &str, direction: Option<Direction>) -> (Level, Vec<Level>) {
    let default = direction.map(|d| match d {
        Direction::Ltr => Level::ltr(),
        Direction::Rtl => Level::rtl(),
    });
    let info = BidiInfo::new(text, default);
    let base = info
        .paragraphs
        .first()
        .map(|p| p.level)
        .unwrap_or_else(|| default.unwrap_or(Level::ltr()));
    (base, info.levels)
}

/// Characters every face "has": HarfBuzz hides default-ignorables and uses
/// the run's font for them, so they must never force a font switch.
fn is_ignorable(ch: char) -> bool {
    matches!(ch,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{E0100}'..='\u{E01EF}')
        || ch.is_control()
}

/// Splits `styled` into runs. `levels` are per byte, as from [`bidi_levels`].
pub fn itemize(
    styled: &StyledText,
    levels: &[Level],
    fonts: &FontLibrary,
    coverage: &impl Coverage,
    missing: &mut Vec<MissingGlyph>,
) -> Vec<Item> {
    let mut items: Vec<Item> = Vec::new();
    for (span_index, span) in styled.spans.iter().enumerate() {
        let text = &styled.text[span.range.clone()];
        let scripts = resolve_scripts(text);
        let candidates = face_order(fonts, span.style.role, span.style.style);
        let primary = candidates.first().copied().unwrap_or(0);
        let mut previous_face: Option<usize> = None;
        for (i, ((offset, ch), script)) in text.char_indices().zip(scripts).enumerate() {
            let at = span.range.start + offset;
            let face = choose_face(ch, previous_face, &candidates, coverage).unwrap_or_else(|| {
                if !is_ignorable(ch) && !ch.is_whitespace() {
                    missing.push(MissingGlyph { ch, offset: at });
                }
                previous_face.unwrap_or(primary)
            });
            previous_face = Some(face);
            let level = levels[at];
            let end = at + ch.len_utf8();
            match items.last_mut() {
                Some(last)
                    if i > 0
                        && last.range.end == at
                        && last.level == level
                        && last.script == script
                        && last.face == face =>
                {
                    last.range.end = end
                }
                _ => items.push(Item {
                    range: at..end,
                    span: span_index,
                    level,
                    script,
                    face,
                }),
            }
        }
    }
    items
}

/// Faces to try for a role, in order: the role's own faces, then the text
/// faces (code may quote Arabic), then the fallback faces.
fn face_order(fonts: &FontLibrary, role: Role, style: Style) -> Vec<usize> {
    let roles: &[Role] = match role {
        Role::Mono => &[Role::Mono, Role::Text, Role::Fallback],
        Role::Text => &[Role::Text, Role::Fallback],
        Role::Fallback => &[Role::Fallback],
    };
    let mut faces: Vec<usize> = Vec::new();
    for &r in roles {
        for face in fonts.candidates(r, style) {
            if !faces.contains(&face) {
                faces.push(face);
            }
        }
    }
    faces
}

/// The face for `ch`: marks, joiners and spaces stay with the previous face
/// when it can, so a cluster or word is not split between fonts.
fn choose_face(
    ch: char,
    previous: Option<usize>,
    candidates: &[usize],
    coverage: &impl Coverage,
) -> Option<usize> {
    if let Some(prev) = previous {
        let sticky = is_ignorable(ch) || ch.is_whitespace() || is_mark(ch);
        if sticky && (is_ignorable(ch) || coverage.has_glyph(prev, ch)) {
            return Some(prev);
        }
    }
    candidates
        .iter()
        .copied()
        .find(|&face| coverage.has_glyph(face, ch))
        .or_else(|| is_ignorable(ch).then_some(previous.unwrap_or(candidates[0])))
}

fn is_mark(ch: char) -> bool {
    ch.script() == Script::Inherited
}

/// The script of each character, with Common and Inherited characters
/// (spaces, digits, punctuation, harakat) taking the script of the text
/// around them, as UAX #24 suggests.
fn resolve_scripts(text: &str) -> Vec<Script> {
    let raw: Vec<Script> = text.chars().map(|c| c.script()).collect();
    let is_real = |s: Script| !matches!(s, Script::Common | Script::Inherited | Script::Unknown);
    let mut resolved = raw.clone();
    let mut last_real = raw
        .iter()
        .copied()
        .find(|&s| is_real(s))
        .unwrap_or(Script::Common);
    for (slot, &script) in resolved.iter_mut().zip(&raw) {
        if is_real(script) {
            last_real = script;
        } else {
            *slot = last_real;
        }
    }
    resolved
}

/// Splits a byte range of the paragraph into maximal ranges of one level.
pub fn level_runs(levels: &[Level], range: Range<usize>) -> Vec<(Range<usize>, Level)> {
    let mut runs: Vec<(Range<usize>, Level)> = Vec::new();
    for at in range {
        match runs.last_mut() {
            Some((r, level)) if *level == levels[at] => r.end = at + 1,
            _ => runs.push((at..at + 1, levels[at])),
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::SourcePos;
    use crate::text::TextStyle;

    struct Fake;
    impl Coverage for Fake {
        fn has_glyph(&self, face: usize, ch: char) -> bool {
            // Face 0 (Amiri) lacks Cyrillic; face 3 (Noto Serif) has it.
            match face {
                0 => ch.script() != Script::Cyrillic,
                3 => true,
                _ => false,
            }
        }
    }

    fn styled(text: &str) -> StyledText {
        let mut s = StyledText::default();
        let style = TextStyle {
            role: Role::Text,
            style: Style::default(),
            size: 12.0,
            raise: 0.0,
        };
        s.push(text, style, SourcePos::default());
        s
    }

    #[test]
    fn splits_by_level_script_and_font() {
        let s = styled("عاصمة Астана هي 2025");
        let (base, levels) = bidi_levels(&s.text, Some(Direction::Rtl));
        assert!(base.is_rtl());
        let mut missing = Vec::new();
        let items = itemize(&s, &levels, &FontLibrary::builtin(), &Fake, &mut missing);
        assert!(missing.is_empty());
        let parts: Vec<(&str, usize, Script)> = items
            .iter()
            .map(|i| (&s.text[i.range.clone()], i.face, i.script))
            .collect();
        assert_eq!(parts[0], ("عاصمة ", 0, Script::Arabic));
        assert_eq!(parts[1], ("Астана", 3, Script::Cyrillic));
        assert!(parts.iter().any(|p| p.0 == "2025" && p.1 == 0));
    }

    #[test]
    fn reports_characters_no_face_has() {
        let s = styled("a\u{1F600}b");
        let (_, levels) = bidi_levels(&s.text, Some(Direction::Ltr));
        let mut missing = Vec::new();
        struct OnlyAscii;
        impl Coverage for OnlyAscii {
            fn has_glyph(&self, _: usize, ch: char) -> bool {
                ch.is_ascii()
            }
        }
        itemize(
            &s,
            &levels,
            &FontLibrary::builtin(),
            &OnlyAscii,
            &mut missing,
        );
        assert_eq!(
            missing,
            vec![MissingGlyph {
                ch: '\u{1F600}',
                offset: 1
            }]
        );
    }
}
