//! Hyphenation points inside Latin-script words, from the TeX (Knuth–Liang)
//! patterns that `hypher` embeds. Arabic and other scripts never hyphenate.

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
}
