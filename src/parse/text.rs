//! Small text helpers: characters XHTML cannot carry, escaping, heading ids.

use std::borrow::Cow;
use std::collections::HashSet;

use unicode_bidi::BidiClass;

/// Characters that are not allowed in XML 1.0 documents: C0 controls other
/// than tab, newline and carriage return, and U+FFFE/U+FFFF.
pub(crate) fn is_forbidden(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// `text` without [forbidden](is_forbidden) characters.
pub(crate) fn strip_forbidden(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_forbidden) {
        Cow::Owned(text.chars().filter(|&c| !is_forbidden(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// Escapes text for XHTML content or a double-quoted attribute value, and
/// drops characters XML cannot carry.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if is_forbidden(c) => {}
            c => out.push(c),
        }
    }
}

/// Makes unique heading ids within one chapter.
#[derive(Default)]
pub(crate) struct HeadingIds {
    used: HashSet<String>,
    count: usize,
}

impl HeadingIds {
    /// The id for the next heading, whose plain text is `text`: its slug, or
    /// `section-N` (N counts headings) when the slug is empty; `-2`, `-3`…
    /// appended until unique.
    pub(crate) fn next(&mut self, text: &str) -> String {
        self.count += 1;
        let mut base = slug(text);
        if base.is_empty() {
            base = format!("section-{}", self.count);
        }
        let mut id = base.clone();
        let mut n = 1;
        while self.used.contains(&id) {
            n += 1;
            id = format!("{base}-{n}");
        }
        self.used.insert(id.clone());
        id
    }
}

/// A GitHub-style slug: lower case; letters (any script), combining marks,
/// digits, `-` and `_` kept; spaces become `-`; everything else dropped.
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c == ' ' || c == '-' {
            out.push('-');
        } else if c == '_' || c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if unicode_bidi::bidi_class(c) == BidiClass::NSM && !c.is_control() {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Hello, World!"), "hello-world");
        assert_eq!(slug("الفصل الأول: البداية"), "الفصل-الأول-البداية");
        assert_eq!(slug("مُقَدِّمَة 2"), "مُقَدِّمَة-2");
        assert_eq!(slug("a - b"), "a---b");
        assert_eq!(slug("١٢٣"), "١٢٣");
        assert_eq!(slug("!!!"), "");
    }

    #[test]
    fn unique_ids() {
        let mut ids = HeadingIds::default();
        assert_eq!(ids.next("Intro"), "intro");
        assert_eq!(ids.next("Intro"), "intro-2");
        assert_eq!(ids.next("!!"), "section-3");
        assert_eq!(ids.next("intro 2"), "intro-2-2");
        assert_eq!(ids.next("Intro"), "intro-3");
    }

    #[test]
    fn forbidden_characters() {
        assert_eq!(strip_forbidden("a\u{0}b\u{1}c\td\n\u{FFFF}"), "abc\td\n");
        let mut out = String::new();
        escape_into(&mut out, "<a href=\"x\">&\u{7}</a>");
        assert_eq!(out, "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;");
    }
}
