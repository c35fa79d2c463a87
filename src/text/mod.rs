//! Text: from a styled paragraph to HarfBuzz glyph runs.
//!
//! [`itemize`] splits a paragraph into runs of one bidi level, one script and
//! one font face (with fallback for characters the main face lacks);
//! [`shape`] shapes each run with HarfBuzz. Both are pure functions of their
//! inputs, so paragraphs can be shaped in parallel and cached.

pub mod address;
pub mod bidi;
pub mod itemize;
pub mod shape;

use std::ops::Range;

use crate::doc::{Anchor, Direction, SourcePos, word_at};
use crate::fonts::{Role, Style};

pub use shape::{ShapeCache, ShapedGlyph, ShapedRun, ShapedText, Shaper};

/// How a stretch of text is to be set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    pub role: Role,
    pub style: Style,
    /// Font size in points.
    pub size: f32,
    /// Baseline shift upwards in points (footnote references).
    pub raise: f32,
}

/// A paragraph ready to shape: its text, and styled spans covering it in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StyledText {
    pub text: String,
    pub spans: Vec<StyledSpan>,
    /// Stretches in another language than the paragraph's (`<span lang>`),
    /// with their BCP 47 tags; a stretch inside another comes before it.
    pub languages: Vec<(Range<usize>, String)>,
    /// Where the text came from: from each `start` on, the source text at
    /// `anchor.pos` after its first `anchor.word` words (text warraq sets
    /// itself has none). In order of `start`.
    pub origins: Vec<Origin>,
}

/// See [`StyledText::origins`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Origin {
    pub start: usize,
    pub anchor: Anchor,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StyledSpan {
    pub range: Range<usize>,
    pub style: TextStyle,
    /// Where the span's text came from, for diagnostics.
    pub pos: SourcePos,
}

impl StyledText {
    /// `text` in one style, with no source position: text warraq sets
    /// itself (titles on generated pages, running heads, folios).
    pub fn plain(text: &str, style: TextStyle) -> Self {
        let mut styled = StyledText::default();
        styled.push(text, style, SourcePos::default());
        styled
    }

    /// Appends `text` set in `style`, merging with the previous span when the
    /// style is the same.
    pub fn push(&mut self, text: &str, style: TextStyle, pos: SourcePos) {
        self.push_from(text, style, Anchor::at(pos));
    }

    /// [`StyledText::push`] of text that comes from the source text at
    /// `from.pos` after its first `from.word` words (a line of a code block).
    pub fn push_from(&mut self, text: &str, style: TextStyle, from: Anchor) {
        if text.is_empty() {
            return;
        }
        let start = self.text.len();
        if from.pos != SourcePos::default() {
            self.origins.push(Origin {
                start,
                anchor: from,
            });
        }
        let pos = from.pos;
        self.text.push_str(text);
        let end = self.text.len();
        match self.spans.last_mut() {
            Some(last) if last.style == style && last.range.end == start => last.range.end = end,
            _ => self.spans.push(StyledSpan {
                range: start..end,
                style,
                pos,
            }),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
    }

    /// [`StyledText::anchor`] of each of `offsets` (in increasing order),
    /// in one pass over the text: a paragraph of a hundred thousand lines
    /// asks for each line's.
    pub fn anchors(&self, offsets: &[usize]) -> Vec<Option<Anchor>> {
        let mut anchors = Vec::with_capacity(offsets.len());
        // The origin being read, where its piece ends, and the words of it
        // counted up to `at`.
        let mut origin: Option<(Origin, usize)> = None;
        let mut next = 0;
        let (mut at, mut words, mut in_word) = (0, 0u32, false);
        for &offset in offsets {
            while self.origins.get(next).is_some_and(|o| o.start <= offset) {
                let start = self.origins[next].start;
                let end = self
                    .origins
                    .get(next + 1)
                    .map_or(self.text.len(), |o| o.start);
                origin = Some((self.origins[next], end));
                (at, words, in_word) = (start, 0, false);
                next += 1;
            }
            let Some((found, end)) = origin else {
                anchors.push(None);
                continue;
            };
            // Count on to `offset`: the words started before it.
            let target = offset.min(end);
            for c in self.text.get(at..target).unwrap_or_default().chars() {
                if !c.is_whitespace() && !in_word {
                    words += 1;
                }
                in_word = !c.is_whitespace();
            }
            at = at.max(target);
            // As [`word_at`]: the word in progress at `offset`, else the
            // next one.
            let continues = self.text[target..end]
                .chars()
                .next()
                .is_some_and(|c| !c.is_whitespace());
            let word = if in_word && continues {
                words.saturating_sub(1)
            } else {
                words
            };
            anchors.push(Some(Anchor {
                pos: found.anchor.pos,
                word: found.anchor.word + word,
            }));
        }
        anchors
    }

    /// Where in the source the text at byte `offset` is, to the word.
    pub fn anchor(&self, offset: usize) -> Option<Anchor> {
        let index = self
            .origins
            .partition_point(|origin| origin.start <= offset)
            .checked_sub(1)?;
        let origin = self.origins[index];
        let end = self
            .origins
            .get(index + 1)
            .map_or(self.text.len(), |next| next.start);
        let piece = self.text.get(origin.start..end)?;
        Some(Anchor {
            pos: origin.anchor.pos,
            word: origin.anchor.word + word_at(piece, offset - origin.start),
        })
    }
}

/// What the shaper needs to know about the paragraph as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ParagraphSettings {
    /// The base direction; `None` takes it from the first strong character.
    /// Layout always gives the block's ([`crate::doc::block_direction`]).
    pub direction: Option<Direction>,
    pub threading: Threading,
}

/// From what size a paragraph's stages run on more than one thread: below
/// it, handing work to another thread (with a shaper of its own, see
/// [`Shaper::language_tag`]) costs more than it saves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threading {
    /// Bytes of text from which shaping and finding kashida sites share
    /// the work.
    pub from_bytes: usize,
    /// Lines from which committing them shares the work.
    pub from_lines: usize,
}

impl Default for Threading {
    fn default() -> Self {
        Threading {
            from_bytes: 1 << 16,
            from_lines: 1024,
        }
    }
}

/// Runs `here` on this thread and, when `parallel`, `there` meanwhile on
/// another one of the pool (`here` need not be `Send`: it may use this
/// thread's [`Shaper`]); otherwise one after the other.
pub fn alongside<A, B: Send>(
    parallel: bool,
    here: impl FnOnce() -> A,
    there: impl FnOnce() -> B + Send,
) -> (A, B) {
    if !parallel {
        let a = here();
        return (a, there());
    }
    let mut b = None;
    let a = rayon::in_place_scope(|scope| {
        scope.spawn(|_| b = Some(there()));
        here()
    });
    (a, b.expect("the scope ends when its task has run"))
}

/// What a function of a character (and a small key beside it) gave for
/// the characters asked for lately, in a slot picked by the code point and
/// the key (a later pair in the same slot takes it over): a
/// paragraph of megabytes asks for a few hundred characters again and
/// again, and Unicode's tables and fonts' cmaps are searches.
pub struct CharMemo<V> {
    slots: Vec<Option<(usize, char, V)>>,
}

/// How many characters a [`CharMemo`] remembers at most.
const MEMO_SLOTS: usize = 1024;

/// How many characters of a text a [`CharMemo`] has a slot for: a text
/// repeats its characters, and a paragraph of a few hundred characters
/// asks for a few dozen. Slots for a thousand, made for every paragraph,
/// were 3% of a book's build (allocated and cleared each time).
const CHARS_A_SLOT: usize = 4;

impl<V: Copy> CharMemo<V> {
    /// A memo for a text of `chars` characters.
    pub fn for_text(chars: usize) -> Self {
        let slots = (chars / CHARS_A_SLOT).next_power_of_two().min(MEMO_SLOTS);
        CharMemo {
            slots: vec![None; slots],
        }
    }

    /// What `f` gives for `ch` with `key`, from memory when it can.
    pub fn get(&mut self, key: usize, ch: char, f: impl FnOnce() -> V) -> V {
        // A key's characters take other slots than the key before's.
        const SPREAD: usize = 0x9E37_79B9;
        let count = self.slots.len();
        let slot = &mut self.slots[(ch as usize ^ key.wrapping_mul(SPREAD)) % count];
        match *slot {
            Some((k, c, value)) if k == key && c == ch => value,
            _ => {
                let value = f();
                *slot = Some((key, ch, value));
                value
            }
        }
    }
}

/// Combining marks (`\p{Mn}`) of the scripts the book sets: Latin,
/// Greek and Cyrillic accents, Hebrew points, Arabic harakat and Quranic
/// marks.
pub fn is_combining_mark(c: char) -> bool {
    // Most of a book's characters are answered at once: those before the
    // first mark, and the Arabic letters.
    if c < '\u{0300}' || ('\u{0621}'..='\u{064A}').contains(&c) {
        return false;
    }
    matches!(c,
        '\u{0300}'..='\u{036F}' | '\u{0483}'..='\u{0487}' | '\u{0591}'..='\u{05BD}'
        | '\u{05BF}' | '\u{05C1}'..='\u{05C2}' | '\u{05C4}'..='\u{05C5}' | '\u{05C7}'
        | '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}'
        | '\u{06D6}'..='\u{06DC}' | '\u{06DF}'..='\u{06E4}' | '\u{06E7}'..='\u{06E8}'
        | '\u{06EA}'..='\u{06ED}' | '\u{08D3}'..='\u{08E1}' | '\u{08E3}'..='\u{08FF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::Anchor;

    #[test]
    fn a_memo_gives_what_the_function_gives_when_characters_share_a_slot() {
        let mut memo = CharMemo::for_text(MEMO_SLOTS * CHARS_A_SLOT);
        let mut calls = 0;
        let mut ask = |memo: &mut CharMemo<u32>, key: usize, ch: char| {
            memo.get(key, ch, || {
                calls += 1;
                ch as u32 * 10 + key as u32
            })
        };
        // 'a' and the character `MEMO_SLOTS` after it take the same slot.
        let other = char::from_u32('a' as u32 + MEMO_SLOTS as u32).unwrap();
        for (key, ch) in [(0, 'a'), (0, 'a'), (0, other), (0, 'a'), (1, 'a'), (1, 'a')] {
            assert_eq!(ask(&mut memo, key, ch), ch as u32 * 10 + key as u32);
        }
        // Asked again straight after, 'a' came from memory; after `other`
        // took its slot, and with another key, it was worked out again.
        assert_eq!(calls, 4);
    }

    #[test]
    fn an_offset_is_anchored_in_the_source_text_it_came_from() {
        let style = TextStyle {
            role: Role::Text,
            style: Style::default(),
            size: 10.0,
            raise: 0.0,
        };
        let at = |line, column| SourcePos { line, column };
        let mut styled = StyledText::default();
        styled.push("one two ", style, at(1, 1));
        // Set by warraq (a list marker): no source of its own.
        styled.push("• ", style, SourcePos::default());
        styled.push("three four", style, at(1, 9));
        let code = Anchor {
            pos: at(3, 1),
            word: 5,
        };
        styled.push_from(" six", style, code);
        let anchor = |offset| styled.anchor(offset);
        assert_eq!(anchor(0), Some(Anchor::at(at(1, 1))));
        assert_eq!(
            anchor(4),
            Some(Anchor {
                pos: at(1, 1),
                word: 1
            })
        );
        // The marker is taken for the text before it.
        let three = styled.text.find("three").unwrap();
        assert_eq!(anchor(three), Some(Anchor::at(at(1, 9))));
        let four = styled.text.find("four").unwrap();
        assert_eq!(
            anchor(four),
            Some(Anchor {
                pos: at(1, 9),
                word: 1
            })
        );
        let six = styled.text.find("six").unwrap();
        assert_eq!(
            anchor(six),
            Some(Anchor {
                pos: at(3, 1),
                word: 5
            })
        );
        assert_eq!(StyledText::plain("x", style).anchor(0), None);
        // All at once, in one pass, as one by one.
        let offsets: Vec<usize> = (0..=styled.text.len())
            .filter(|&o| styled.text.is_char_boundary(o))
            .collect();
        let one_by_one: Vec<Option<Anchor>> = offsets.iter().map(|&o| anchor(o)).collect();
        assert_eq!(styled.anchors(&offsets), one_by_one);
    }
}
