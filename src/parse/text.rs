//! Small text helpers: characters XHTML cannot carry, escaping, heading ids.

use std::borrow::Cow;

use crate::xml::is_forbidden;
use std::collections::HashSet;

use unicode_bidi::BidiClass;

/// `text` without characters XML cannot carry ([`is_forbidden`]).
pub(crate) fn strip_forbidden(text: &str) -> Cow<'_, str> {
    if text.chars().any(is_forbidden) {
        Cow::Owned(text.chars().filter(|&c| !is_forbidden(c)).collect())
    } else {
        Cow::Borrowed(text)
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
        self.unique(base)
    }

    /// The id written after a heading (`{#id}`): kept as written when free,
    /// else made unique like a made one. `None` when it holds nothing an id
    /// can keep (the caller makes one from the text).
    pub(crate) fn written(&mut self, id: &str) -> Option<String> {
        let base: String = id
            .chars()
            .filter(|&c| !is_forbidden(c) && !c.is_whitespace())
            .collect();
        if base.is_empty() {
            return None;
        }
        self.count += 1;
        Some(self.unique(base))
    }

    /// `base`, or `base-2`, `base-3`… whichever is free first; then taken.
    fn unique(&mut self, base: String) -> String {
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
        } else if crate::text::bidi::bidi_class(c) == BidiClass::NSM && !c.is_control() {
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
        assert_eq!(ids.written("intro").as_deref(), Some("intro-4"));
        assert_eq!(ids.written("الملخص").as_deref(), Some("الملخص"));
        assert_eq!(ids.written("\u{1}").as_deref(), None);
    }

    #[test]
    fn forbidden_characters() {
        assert_eq!(strip_forbidden("a\u{0}b\u{1}c\td\n\u{FFFF}"), "abc\td\n");
    }
}
