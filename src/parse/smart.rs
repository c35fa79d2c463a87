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

/// The substitution `text` for `src[range]` when the source line it is on
/// has Latin letters and no right-to-left one, else the source as written.
/// The whole line decides, so a pair of quotes is always treated alike.
pub(crate) fn in_context<'t>(src: &'t str, range: Range<usize>, text: &'t str) -> &'t str {
    let start = src[..range.start].rfind('\n').map_or(0, |at| at + 1);
    let end = src[range.end..]
        .find('\n')
        .map_or(src.len(), |at| range.end + at);
    let line = &src[start..end];
    let right_to_left = line
        .chars()
        .any(|c| matches!(unicode_bidi::bidi_class(c), BidiClass::R | BidiClass::AL));
    let latin = line
        .chars()
        .any(|c| c.is_alphabetic() && c.script() == Script::Latin);
    if latin && !right_to_left {
        text
    } else {
        &src[range]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn substitute(src: &str, at: &str, text: &str) -> String {
        let start = src.find(at).expect("in the source");
        in_context(src, start..start + at.len(), text).to_string()
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
        assert_eq!(in_context(src, close..close + 1, "”"), "\"");
    }

    #[test]
    fn only_pulldown_substitutions_count() {
        assert!(is_substitution("\"", "“"));
        assert!(is_substitution("...", "…"));
        assert!(!is_substitution("“", "“"));
        assert!(!is_substitution("abc", "…"));
    }
}
