//! Splitting a paragraph into shapeable runs: one bidi level, one script, one
//! font face each (UAX #9 levels from `unicode-bidi`, scripts from
//! `unicode-script`, faces by cmap coverage).

use std::ops::Range;

use unicode_bidi::{BidiInfo, Level};
use unicode_script::Script;

use crate::doc::Direction;
use crate::fonts::{FontLibrary, Role, Style};
use crate::locale::Scripts;

use super::{CharMemo, StyledText};

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
    /// The face whose x-height `face` is scaled to match (see
    /// `Shaper::size_adjust`).
    pub size_reference: usize,
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
    match right_to_left_levels(text, direction) {
        Some(levels) => (Level::rtl(), levels),
        None => algorithm_levels(text, direction),
    }
}

/// [`bidi_levels`] as UBA gives them, always run.
fn algorithm_levels(text: &str, direction: Option<Direction>) -> (Level, Vec<Level>) {
    let default = direction.map(|d| match d {
        Direction::Ltr => Level::ltr(),
        Direction::Rtl => Level::rtl(),
    });
    let info = BidiInfo::new_with_data_source(&super::bidi::Classes, text, default);
    let base = info
        .paragraphs
        .first()
        .map(|p| p.level)
        .unwrap_or_else(|| default.unwrap_or(Level::ltr()));
    (base, info.levels)
}

/// The levels UAX #9 gives `text` when it is a paragraph set right to left
/// (or whose first letter is) of right-to-left letters, their marks,
/// digits, spaces and punctuation — no left-to-right letter, no explicit
/// formatting, nothing the algorithm removes, no paragraph separator —
/// worked out without running it; `None` for any other paragraph. Most of
/// an Arabic book's paragraphs; the algorithm itself was 3% of a build.
///
/// With no left-to-right letter, the algorithm comes down to its weak
/// rules: marks take the class of the character before them (W1);
/// European digits after an Arabic letter are Arabic numbers (W2); a
/// single separator between two numbers of a kind, and terminators beside
/// a European number, join the number (W4, W5). Numbers are on level 2;
/// everything else — letters, and neutrals, which numbers and the
/// paragraph's edges make right to left (N1, N2) — on level 1.
fn right_to_left_levels(text: &str, direction: Option<Direction>) -> Option<Vec<Level>> {
    use unicode_bidi::BidiClass::{AN, CS, EN, ES, ET};
    // Read once to see whether the shortcut applies; the classes are kept
    // only for a paragraph with numbers (the rest is all on level 1), in a
    // list of its exact length.
    let mut weak = WeakClasses::default();
    let (mut letters, mut numbers, mut count) = (false, false, 0);
    for c in text.chars() {
        let class = weak.next(c)?;
        letters |= weak.letter;
        numbers |= matches!(class, EN | AN);
        count += 1;
    }
    let paragraph = match direction {
        Some(Direction::Rtl) => !text.is_empty(),
        Some(Direction::Ltr) => false,
        None => letters,
    };
    if !paragraph {
        return None;
    }
    let mut levels = vec![Level::rtl(); text.len()];
    if !numbers {
        return Some(levels);
    }
    // Classes after W1–W3, with each character's byte offset.
    let mut weak = WeakClasses::default();
    let mut classes = Vec::with_capacity(count);
    for (at, c) in text.char_indices() {
        classes.push((at, weak.next(c)?));
    }
    // W4: a single separator between two numbers of a kind.
    for k in 1..classes.len().saturating_sub(1) {
        classes[k].1 = match (classes[k - 1].1, classes[k].1, classes[k + 1].1) {
            (EN, ES | CS, EN) => EN,
            (AN, CS, AN) => AN,
            (_, class, _) => class,
        };
    }
    // W5: terminators beside a European number.
    let mut k = 0;
    while k < classes.len() {
        if classes[k].1 != ET {
            k += 1;
            continue;
        }
        let end = (k..classes.len())
            .find(|&e| classes[e].1 != ET)
            .unwrap_or(classes.len());
        let beside = [k.checked_sub(1), Some(end)]
            .into_iter()
            .flatten()
            .any(|e| classes.get(e).is_some_and(|&(_, class)| class == EN));
        if beside {
            classes[k..end]
                .iter_mut()
                .for_each(|(_, class)| *class = EN);
        }
        k = end;
    }
    let number = Level::new(2).ok()?;
    for (k, &(at, class)) in classes.iter().enumerate() {
        if matches!(class, EN | AN) {
            let end = classes.get(k + 1).map_or(text.len(), |&(next, _)| next);
            levels[at..end].fill(number);
        }
    }
    Some(levels)
}

/// The bidi classes of a right-to-left paragraph's characters, one after
/// the other, after the weak rules W1–W3 (see [`right_to_left_levels`]).
struct WeakClasses {
    /// The class of the character before (the start of the paragraph
    /// counts as a right-to-left letter: its sos).
    before: unicode_bidi::BidiClass,
    after_arabic_letter: bool,
    /// Whether the last character was a right-to-left letter.
    letter: bool,
}

impl Default for WeakClasses {
    fn default() -> Self {
        WeakClasses {
            before: unicode_bidi::BidiClass::R,
            after_arabic_letter: false,
            letter: false,
        }
    }
}

impl WeakClasses {
    /// `c`'s class, or `None` for a character the shortcut does not take
    /// (a left-to-right letter, explicit formatting, a paragraph separator).
    fn next(&mut self, c: char) -> Option<unicode_bidi::BidiClass> {
        use unicode_bidi::BidiClass::{AL, AN, CS, EN, ES, ET, NSM, ON, R, S, WS};
        self.letter = false;
        let class = match super::bidi::bidi_class(c) {
            R => {
                (self.letter, self.after_arabic_letter) = (true, false);
                R
            }
            AL => {
                (self.letter, self.after_arabic_letter) = (true, true);
                R
            }
            NSM => self.before,
            EN if self.after_arabic_letter => AN,
            class @ (EN | AN) => class,
            class @ (WS | ON | S | CS | ES | ET) => class,
            _ => return None,
        };
        self.before = class;
        Some(class)
    }
}

/// Characters every face "has": HarfBuzz hides default-ignorables and uses
/// the run's font for them, so they must never force a font switch.
pub fn is_ignorable(ch: char) -> bool {
    // Most of a book's characters are answered at once: printable ASCII
    // and the Arabic letters.
    if (' '..='~').contains(&ch) || ('\u{0621}'..='\u{064A}').contains(&ch) {
        return false;
    }
    matches!(ch,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180B}'..='\u{180F}'
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{E0100}'..='\u{E01EF}')
        || ch.is_control()
}

/// Splits `styled` into runs. `levels` are per byte, as from [`bidi_levels`].
///
/// Letters take the first face (in the span's order) that has them.
/// Everything else — spaces, digits, punctuation, marks — takes the script
/// and, when it has the glyph, the face of the letter it belongs with (see
/// [`resolve_scripts`]), so a quotation is set with its marks in one face.
pub fn itemize(
    styled: &StyledText,
    levels: &[Level],
    fonts: &FontLibrary,
    coverage: &impl Coverage,
    missing: &mut Vec<MissingGlyph>,
) -> Vec<Item> {
    items(&faces(styled, fonts, coverage, missing), levels)
}

/// What [`itemize`] decides for each character before it knows the bidi
/// levels (which may be found meanwhile on another thread).
pub struct Faces {
    chars: Vec<(usize, char)>,
    /// Per character: its span, resolved script and face.
    span_of: Vec<usize>,
    resolved: Vec<Resolved>,
    faces: Vec<Option<usize>>,
    /// Per span: its size reference.
    references: Vec<usize>,
}

/// Each character's span, script and face ([`itemize`]).
pub fn faces(
    styled: &StyledText,
    fonts: &FontLibrary,
    coverage: &impl Coverage,
    missing: &mut Vec<MissingGlyph>,
) -> Faces {
    if styled.spans.is_empty() {
        return Faces {
            chars: Vec::new(),
            span_of: Vec::new(),
            resolved: Vec::new(),
            faces: Vec::new(),
            references: Vec::new(),
        };
    }
    // Made at its size: collected, it would start at a quarter of the
    // bytes (the fewest characters they can hold) and grow twice for
    // Arabic prose, two bytes a letter and one a space.
    let mut chars: Vec<(usize, char)> = Vec::with_capacity(styled.text.chars().count());
    chars.extend(styled.text.char_indices());
    let resolved = resolve_scripts(&chars);
    let span_of = span_indices(styled, &chars);
    let candidates: Vec<Vec<usize>> = styled
        .spans
        .iter()
        .map(|span| face_order(fonts, span.style.role, span.style.style))
        .collect();
    let references: Vec<usize> = candidates
        .iter()
        .map(|faces| size_reference(faces, coverage))
        .collect();
    // Each ask reads a cmap per face.
    let mut covering = CharMemo::for_text(chars.len());
    let mut first_covering = |span: usize, ch: char| {
        covering.get(span, ch, || {
            candidates[span]
                .iter()
                .copied()
                .find(|&face| coverage.has_glyph(face, ch))
        })
    };

    // Letters first: the other characters may follow a letter after them
    // (an opening quotation mark follows the quotation).
    let mut faces: Vec<Option<usize>> = chars
        .iter()
        .zip(&resolved)
        .enumerate()
        .map(|(i, (&(_, ch), r))| {
            r.anchor
                .is_none()
                .then(|| first_covering(span_of[i], ch))
                .flatten()
        })
        .collect();
    for (i, &(offset, ch)) in chars.iter().enumerate() {
        let span = span_of[i];
        if faces[i].is_some() {
            continue;
        }
        // The anchor's face, or its family's face in this span's style.
        let preferred = resolved[i]
            .anchor
            .and_then(|a| faces[a])
            .and_then(|anchor_face| {
                candidates[span].iter().copied().find(|&face| {
                    fonts.faces[face].family == fonts.faces[anchor_face].family
                        && (is_ignorable(ch) || coverage.has_glyph(face, ch))
                })
            });
        let previous = i.checked_sub(1).and_then(|p| faces[p]);
        faces[i] = Some(
            preferred
                .or_else(|| first_covering(span, ch))
                .unwrap_or_else(|| {
                    if !is_ignorable(ch) && !ch.is_whitespace() {
                        missing.push(MissingGlyph { ch, offset });
                    }
                    previous.unwrap_or(candidates[span].first().copied().unwrap_or(0))
                }),
        );
    }

    Faces {
        chars,
        span_of,
        resolved,
        faces,
        references,
    }
}

/// The runs of characters with the same span, level, script and face;
/// `levels` are per byte, as from [`bidi_levels`].
pub fn items(faces: &Faces, levels: &[Level]) -> Vec<Item> {
    let Faces {
        chars,
        span_of,
        resolved,
        faces,
        references,
    } = faces;
    let mut items: Vec<Item> = Vec::new();
    for (i, &(at, ch)) in chars.iter().enumerate() {
        let (span, script, face) = (span_of[i], resolved[i].script, faces[i].unwrap_or(0));
        let level = levels[at];
        let end = at + ch.len_utf8();
        match items.last_mut() {
            Some(last)
                if last.span == span
                    && last.level == level
                    && last.script == script
                    && last.face == face =>
            {
                last.range.end = end
            }
            _ => items.push(Item {
                range: at..end,
                span,
                level,
                script,
                face,
                size_reference: references[span],
            }),
        }
    }
    items
}

/// The span each character belongs to (spans cover the text in order).
fn span_indices(styled: &StyledText, chars: &[(usize, char)]) -> Vec<usize> {
    let mut span = 0;
    chars
        .iter()
        .map(|&(offset, _)| {
            while span + 1 < styled.spans.len() && styled.spans[span].range.end <= offset {
                span += 1;
            }
            span
        })
        .collect()
}

/// The face whose x-height the other faces of a span are scaled to match:
/// the first with a Latin `x` (for Arabic set in Amiri, Amiri's own Latin).
fn size_reference(candidates: &[usize], coverage: &impl Coverage) -> usize {
    candidates
        .iter()
        .copied()
        .find(|&face| coverage.has_glyph(face, X_HEIGHT_PROBE))
        .unwrap_or_else(|| candidates.first().copied().unwrap_or(0))
}

/// The letter whose height is a face's x-height.
pub const X_HEIGHT_PROBE: char = 'x';

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

/// A character's resolved script, and the character (an index) whose face
/// it should share; `None` for letters, which choose their own.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Resolved {
    script: Script,
    anchor: Option<usize>,
}

/// Opening and closing marks that enclose a quotation or an aside: the
/// closing mark of a pair takes what its opening mark took.
const PAIRS: &[(char, char)] = &[
    ('(', ')'),
    ('[', ']'),
    ('{', '}'),
    ('\u{AB}', '\u{BB}'),     // « »
    ('\u{BB}', '\u{AB}'),     // » « (German, Danish)
    ('\u{2039}', '\u{203A}'), // ‹ ›
    ('\u{201C}', '\u{201D}'), // “ ”
    ('\u{2018}', '\u{2019}'), // ‘ ’
    ('\u{201E}', '\u{201C}'), // „ “
    ('\u{201E}', '\u{201D}'), // „ ”
    ('\u{FD3F}', '\u{FD3E}'), // ﴿ ﴾ (ornate parentheses, right to left)
];

/// How many pairs may be open at once: deeper openings are treated as
/// plain punctuation, so a paragraph of unmatched brackets stays linear.
const MAX_OPEN_PAIRS: usize = 64;

fn is_opening(ch: char) -> bool {
    PAIRS.iter().any(|&(opening, _)| opening == ch)
}

fn is_letter(script: Script) -> bool {
    !matches!(script, Script::Common | Script::Inherited | Script::Unknown)
}

/// The script of each character and the character whose face it follows,
/// as UAX #24 suggests: letters keep their own; a mark or an invisible
/// character follows the character before it (its cluster); an opening
/// mark of a pair follows the first letter after it — the text it encloses
/// — and its closing mark follows the opening one, so both are set alike;
/// any other Common character (space, digit, punctuation) follows the
/// letter before it, or after it at the start. A character whose
/// Script_Extensions lacks that script (an Arabic comma after Latin) keeps
/// its own script, and the letter's face only if that face has it.
fn resolve_scripts(chars: &[(usize, char)]) -> Vec<Resolved> {
    // Each character's scripts: from the table, or past it looked up as
    // they are needed and kept for the characters lately seen (a paragraph
    // of megabytes repeats a few dozen letters; kept for every character,
    // they were most of a long paragraph's memory).
    let mut memo = None;
    let mut scripts = |i: usize| {
        let ch = chars[i].1;
        match Scripts::tabled(ch) {
            Some(scripts) => scripts,
            None => memo
                .get_or_insert_with(|| CharMemo::for_text(chars.len()))
                .get(0, ch, || Scripts::of(ch)),
        }
    };
    // The first letter after each character, found by scanning ahead
    // only past the last one found: linear over the paragraph.
    let mut found: Option<(usize, Option<usize>)> = None;
    let mut next_letter = |i: usize, scripts: &mut dyn FnMut(usize) -> Scripts| match found {
        Some((from, letter)) if from <= i + 1 && letter.is_none_or(|l| l > i) => letter,
        _ => {
            let letter = (i + 1..chars.len()).find(|&j| is_letter(scripts(j).script));
            found = Some((i + 1, letter));
            letter
        }
    };
    let mut resolved: Vec<Resolved> = Vec::with_capacity(chars.len());
    let mut last_letter: Option<usize> = None;
    // Opening marks not yet closed, with what each resolved to.
    let mut open: Vec<(char, Resolved)> = Vec::new();
    for (i, &(_, ch)) in chars.iter().enumerate() {
        let closes = open
            .iter()
            .rposition(|&(opening, _)| PAIRS.contains(&(opening, ch)));
        let Scripts { script, extensions } = scripts(i);
        let r = if is_letter(script) {
            last_letter = Some(i);
            Resolved {
                script,
                anchor: None,
            }
        } else if i > 0 && (script == Script::Inherited || is_ignorable(ch)) {
            Resolved {
                script: resolved[i - 1].script,
                anchor: Some(i - 1),
            }
        } else if let Some(depth) = closes {
            let opening = open[depth].1;
            open.truncate(depth);
            opening
        } else {
            let anchor = if is_opening(ch) {
                next_letter(i, &mut scripts).or(last_letter)
            } else {
                last_letter.or_else(|| next_letter(i, &mut scripts))
            };
            // Letters resolve to their own script, wherever they are.
            let r = Resolved {
                script: anchor.map_or(Script::Common, |a| scripts(a).script),
                anchor,
            };
            if is_opening(ch) && open.len() < MAX_OPEN_PAIRS {
                open.push((ch, r));
            }
            r
        };
        let script = if extensions.contains_script(r.script) {
            r.script
        } else {
            extensions.iter().next().unwrap_or(r.script)
        };
        resolved.push(Resolved { script, ..r });
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
    use unicode_script::UnicodeScript;

    /// Characters of every bidi class a book's paragraph has: Arabic and
    /// Hebrew letters, harakat, spaces and a tab, punctuation, brackets,
    /// separators and terminators, digits of both kinds, Latin, joiners
    /// and marks of direction, isolates and a line separator.
    const BIDI_POOL: &[char] = &[
        'ب', 'ك', 'ه', 'ש', 'َ', 'ّ', ' ', '\t', '،', '.', '؟', '!', '«', '»', '(', ')', '[', '-',
        ':', ',', '/', '%', '+', '#', '١', '5', 'a', 'Z', '\u{200C}', '\u{200D}', '\u{200E}',
        '\u{200F}', '\u{2067}', '\u{2069}', '\u{2029}', '\n',
    ];

    /// The classes [`right_to_left_levels`] takes: Arabic and Hebrew
    /// letters, harakat, spaces and a tab, punctuation and brackets,
    /// separators and terminators, European and Arabic-Indic digits and
    /// Arabic separators.
    const RIGHT_TO_LEFT_POOL: &[char] = &[
        'ب', 'ك', 'ه', 'ש', 'َ', 'ّ', ' ', '\t', '،', '.', '؟', '«', ')', '-', '+', ':', ',', '/',
        '%', '#', '٪', '1', '5', '١', '٢', '٫', '٬',
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        /// The levels taken without running the algorithm (a paragraph of
        /// right-to-left letters, digits and neutrals) are the algorithm's.
        #[test]
        fn right_to_left_paragraphs_get_the_levels_of_the_algorithm(
            picks in proptest::collection::vec(0..BIDI_POOL.len() + RIGHT_TO_LEFT_POOL.len() * 4, 0..24),
            direction in 0u8..3,
        ) {
            // Mostly what the shortcut takes, so that it is taken.
            let text: String = picks
                .iter()
                .map(|&k| match k.checked_sub(BIDI_POOL.len()) {
                    None => BIDI_POOL[k],
                    Some(k) => RIGHT_TO_LEFT_POOL[k % RIGHT_TO_LEFT_POOL.len()],
                })
                .collect();
            let direction = [Some(Direction::Rtl), Some(Direction::Ltr), None][usize::from(direction)];
            if right_to_left_levels(&text, direction).is_some() {
                proptest::prop_assert_eq!(
                    bidi_levels(&text, direction),
                    algorithm_levels(&text, direction),
                    "{:?}",
                    text
                );
            }
        }
    }

    #[test]
    fn the_levels_are_taken_without_the_algorithm_only_for_right_to_left_paragraphs() {
        let rtl = Some(Direction::Rtl);
        for (text, direction) in [
            ("قال: «هذا (كتابٌ)» — نعم، حقًّا؟", rtl),
            ("شالوم עולם!", None),
            ("عام 2025، بنسبة 15% و-3 و1,5 و١٫٥", rtl),
            ("עמוד 12-14, הנחה 15%", None),
        ] {
            assert_eq!(
                right_to_left_levels(text, direction).map(|levels| (Level::rtl(), levels)),
                Some(algorithm_levels(text, direction)),
                "{text:?}"
            );
        }
        for (text, direction) in [
            ("كلمة word", rtl),
            ("مي\u{200C}خواهم", rtl),
            ("سطر\nسطر", rtl),
            ("بيت", Some(Direction::Ltr)),
            ("، 12", None),
            ("", rtl),
        ] {
            assert!(right_to_left_levels(text, direction).is_none(), "{text:?}");
        }
    }

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

    /// A quotation's marks are both set in the face of the text they
    /// enclose, whichever face the text around them is in.
    #[test]
    fn paired_marks_take_the_face_of_what_they_enclose() {
        let s = styled("كتاب «Инвестиционный гид» عن (Астана) و«كلمة».");
        let (_, levels) = bidi_levels(&s.text, Some(Direction::Rtl));
        let items = itemize(&s, &levels, &FontLibrary::builtin(), &Fake, &mut Vec::new());
        let face_of = |needle: &str, nth: usize| {
            let at = s.text.match_indices(needle).nth(nth).unwrap().0;
            items.iter().find(|i| i.range.contains(&at)).unwrap().face
        };
        for (mark, nth) in [("«", 0), ("»", 0), ("(", 0), (")", 0)] {
            assert_eq!(face_of(mark, nth), 3, "{mark} #{nth}");
        }
        for (mark, nth) in [("«", 1), ("»", 1), (".", 0)] {
            assert_eq!(face_of(mark, nth), 0, "{mark} #{nth}");
        }
    }

    /// The Arabic comma keeps the Arabic script after a Latin word (its
    /// Script_Extensions has no Latin); a space takes the letter before it.
    #[test]
    fn script_extensions_decide_common_characters() {
        let chars: Vec<(usize, char)> = "PDF، نص".char_indices().collect();
        let scripts: Vec<Script> = resolve_scripts(&chars).iter().map(|r| r.script).collect();
        assert_eq!(
            scripts,
            [
                Script::Latin,
                Script::Latin,
                Script::Latin,
                Script::Arabic,
                Script::Latin,
                Script::Arabic,
                Script::Arabic
            ]
        );
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
