//! Smart punctuation for Latin-script text only.
//!
//! pulldown-cmark turns `"`, `'`, `--`, `---` and `...` into typographic
//! quotes, dashes and an ellipsis, each as a text event of its own that
//! covers the source characters. Arabic (and any right-to-left text) keeps
//! what the writer typed: its quotation marks are «» or the straight ones,
//! and curly quotes chosen by English rules would face the wrong way.

use std::ops::Range;

use unicode_bidi::BidiClass;
use unicode_script::{Script, UnicodeScript};

/// Whether `text` is pulldown-cmark's substitution for `source`.
pub(crate) fn is_substitution(source: &str, text: &str) -> bool {
    source != text
        && matches!(text, "‘" | "’" | "“" | "”" | "–" | "—" | "…")
        && matches!(source, "'" | "\"" | "--" | "---" | "...")
}

/// Decides, line by line of a chapter's source, whether substitutions stand:
/// each line is read once however many quotes it holds (a paragraph may be
/// one line of megabytes).
#[derive(Default)]
pub(crate) struct Lines {
    /// The source line last read, and whether it has Latin letters and no
    /// right-to-left one.
    line: Range<usize>,
    latin_only: bool,
}

impl Lines {
    /// The substitution `text` for `src[range]` when the source line it is
    /// on has Latin letters and no right-to-left one, else the source as
    /// written. The whole line decides, so a pair of quotes is always
    /// treated alike.
    pub(crate) fn choose<'t>(
        &mut self,
        src: &'t str,
        range: Range<usize>,
        text: &'t str,
    ) -> &'t str {
        let known = self.line.start <= range.start && range.end <= self.line.end;
        if !known || self.line.is_empty() {
            let start = src[..range.start].rfind('\n').map_or(0, |at| at + 1);
            let end = src[range.end..]
                .find('\n')
                .map_or(src.len(), |at| range.end + at);
            let line = &src[start..end];
            let right_to_left = line.chars().any(|c| {
                matches!(
                    crate::text::bidi::bidi_class(c),
                    BidiClass::R | BidiClass::AL
                )
            });
            let latin = line
                .chars()
                .any(|c| c.is_alphabetic() && c.script() == Script::Latin);
            self.line = start..end;
            self.latin_only = latin && !right_to_left;
        }
        if self.latin_only { text } else { &src[range] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn substitute(src: &str, at: &str, text: &str) -> String {
        let start = src.find(at).expect("in the source");
        Lines::default()
            .choose(src, start..start + at.len(), text)
            .to_string()
    }

    #[test]
    fn latin_text_gets_typographic_punctuation() {
        assert_eq!(substitute("He said \"yes\".", "\"", "“"), "“");
        assert_eq!(substitute("pages 10--12 of it", "--", "–"), "–");
        assert_eq!(substitute("and so on...", "...", "…"), "…");
    }

    #[test]
    fn arabic_text_keeps_what_was_typed() {
        assert_eq!(substitute("قال \"نعم\" ثم مضى", "\"", "“"), "\"");
        assert_eq!(substitute("من 10--12 صفحة", "--", "–"), "--");
        // A Latin word quoted in an Arabic line: both quotes left alone.
        assert_eq!(substitute("كلمة \"Astana\"", "\"", "“"), "\"");
        let src = "كلمة \"Astana\" هنا";
        let close = src.rfind('"').expect("a closing quote");
        let mut lines = Lines::default();
        let open = src.find('"').expect("an opening quote");
        assert_eq!(lines.choose(src, open..open + 1, "“"), "\"");
        assert_eq!(lines.choose(src, close..close + 1, "”"), "\"");
    }

    #[test]
    fn only_pulldown_substitutions_count() {
        assert!(is_substitution("\"", "“"));
        assert!(is_substitution("...", "…"));
        assert!(!is_substitution("“", "“"));
        assert!(!is_substitution("abc", "…"));
    }

    #[test]
    fn each_line_decides_for_itself() {
        let src = "He said \"yes\".\nقال \"نعم\".\nShe said \"no\".";
        let mut lines = Lines::default();
        let quotes: Vec<usize> = src.match_indices('"').map(|(at, _)| at).collect();
        let chosen: Vec<&str> = quotes
            .iter()
            .map(|&at| lines.choose(src, at..at + 1, "“"))
            .collect();
        assert_eq!(chosen, ["“", "“", "\"", "\"", "“", "“"]);
    }
}
