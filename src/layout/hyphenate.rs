//! Hyphenation points inside Latin-script words, from the TeX (Knuth–Liang)
//! patterns that `hypher` embeds. Arabic and other scripts never hyphenate.

use std::ops::Range;

use hypher::Lang;
use unicode_script::{Script, UnicodeScript};

/// Finds where the words of one language may be hyphenated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hyphenator {
    lang: Lang,
}

impl Hyphenator {
    /// The hyphenator for a BCP 47 tag (`en`, `fr-CA`…), if warraq has
    /// patterns for its language.
    pub fn for_language(tag: &str) -> Option<Self> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        let code: [u8; 2] = primary.as_bytes().try_into().ok()?;
        Lang::from_iso(code).map(|lang| Hyphenator { lang })
    }

    /// Calls `found` with the byte offset (in `text`) of every hyphenation
    /// point inside the Latin-script words of `text[range]`.
    pub fn points(&self, text: &str, range: std::ops::Range<usize>, mut found: impl FnMut(usize)) {
        let segment = &text[range.clone()];
        let mut word_start: Option<usize> = None;
        let mut latin = true;
        // One position past the end closes the last word.
        let chars = segment
            .char_indices()
            .map(Some)
            .chain(std::iter::once(None));
        for item in chars {
            let letter = item.filter(|(_, ch)| ch.is_alphabetic());
            match (letter, word_start) {
                (Some((at, ch)), None) => {
                    word_start = Some(at);
                    latin = is_latin(ch);
                }
                (Some((_, ch)), Some(_)) => latin &= is_latin(ch),
                (None, Some(start)) => {
                    let end = item.map_or(segment.len(), |(at, _)| at);
                    if latin {
                        let word = &segment[start..end];
                        let mut at = range.start + start;
                        let mut syllables = hypher::hyphenate(word, self.lang).peekable();
                        while let Some(syllable) = syllables.next() {
                            at += syllable.len();
                            if syllables.peek().is_some() {
                                found(at);
                            }
                        }
                    }
                    word_start = None;
                }
                (None, None) => {}
            }
        }
    }
}

/// Which patterns hyphenate each word of a paragraph: those of the stretch
/// in another language that the word starts in (`<span lang>`), else the
/// paragraph's own.
#[derive(Debug, Clone, Default)]
pub struct Hyphenation {
    paragraph: Option<Hyphenator>,
    /// Disjoint stretches in text order, each with its language's patterns
    /// (`None`: a language warraq has none for, never hyphenated).
    stretches: Vec<(Range<usize>, Option<Hyphenator>)>,
}

impl Hyphenation {
    /// `languages` as [`crate::text::StyledText::languages`] has them: a
    /// stretch nested in another comes first, and its language wins.
    pub fn new(paragraph: Option<Hyphenator>, languages: &[(Range<usize>, String)]) -> Self {
        let mut nested: Vec<(Range<usize>, Option<Hyphenator>)> = languages
            .iter()
            .map(|(range, tag)| (range.clone(), Hyphenator::for_language(tag)))
            .collect();
        // Outer stretches before the ones they enclose: a sweep then keeps
        // the enclosing stretches on a stack.
        nested.sort_by_key(|(range, _)| (range.start, std::cmp::Reverse(range.end)));
        let mut stretches = Vec::new();
        let mut emit = |range: Range<usize>, patterns| {
            if !range.is_empty() {
                stretches.push((range, patterns));
            }
        };
        let mut open: Vec<(usize, Option<Hyphenator>)> = Vec::new();
        let mut at = 0;
        for (range, patterns) in nested {
            while let Some(&(end, outer)) = open.last().filter(|(end, _)| *end <= range.start) {
                emit(at..end, outer);
                at = end;
                open.pop();
            }
            if let Some(&(_, outer)) = open.last() {
                emit(at..range.start, outer);
            }
            at = range.start;
            open.push((range.end, patterns));
        }
        while let Some((end, outer)) = open.pop() {
            emit(at..end, outer);
            at = end;
        }
        Hyphenation {
            paragraph,
            stretches,
        }
    }

    /// The patterns for a word starting at byte `offset`.
    pub fn at(&self, offset: usize) -> Option<Hyphenator> {
        let index = self
            .stretches
            .partition_point(|(range, _)| range.end <= offset);
        match self.stretches.get(index) {
            Some((range, patterns)) if range.start <= offset => *patterns,
            _ => self.paragraph,
        }
    }
}

/// Whether a letter is of the Latin script (ASCII first: it is most of them).
fn is_latin(ch: char) -> bool {
    ch.is_ascii_alphabetic() || ch.script() == Script::Latin
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(tag: &str, text: &str) -> Vec<usize> {
        let mut out = Vec::new();
        if let Some(h) = Hyphenator::for_language(tag) {
            h.points(text, 0..text.len(), |at| out.push(at));
        }
        out
    }

    #[test]
    fn latin_words_hyphenate_and_arabic_ones_never() {
        let text = "extensive hyphenation";
        let found = points("en-US", text);
        let pieces: Vec<&str> = std::iter::once(0)
            .chain(found.iter().copied())
            .zip(found.iter().copied().chain(std::iter::once(text.len())))
            .map(|(a, b)| &text[a..b])
            .collect();
        assert_eq!(pieces, ["ex", "ten", "sive hy", "phen", "ation"]);
        assert!(!points("fr", "gouvernementales").is_empty());
        // An Arabic book gets no hyphenator, and Arabic words inside a Latin
        // book none of their points.
        assert!(Hyphenator::for_language("ar").is_none());
        assert!(points("en", "الاستراتيجية المغربية").is_empty());
    }

    #[test]
    fn a_stretch_in_another_language_takes_its_patterns_the_innermost_winning() {
        let en = Hyphenator::for_language("en");
        let fr = Hyphenator::for_language("fr");
        let de = Hyphenator::for_language("de");
        // «… fr [ … de … ] fr … ar … », nested stretch first, as pushed.
        let languages = [
            (20..30, "de".to_string()),
            (10..40, "fr".to_string()),
            (50..60, "ar".to_string()),
        ];
        let h = Hyphenation::new(en, &languages);
        let at: Vec<Option<Hyphenator>> = [0, 9, 10, 19, 20, 29, 30, 39, 40, 49, 50, 59, 60]
            .map(|o| h.at(o))
            .to_vec();
        assert_eq!(at, [en, en, fr, fr, de, de, fr, fr, en, en, None, None, en]);
        // A paragraph in a language without patterns still hyphenates its
        // stretches in one with them.
        let h = Hyphenation::new(None, &[(5..9, "en-GB".to_string())]);
        assert_eq!([4, 5, 8, 9].map(|o| h.at(o)), [None, en, en, None]);
    }
}
