//! Escaping text for XML and XHTML (the EPUB's documents, sanitized raw HTML).

/// Appends `text` to `out` with `&`, `<`, `>`, `"` and `'` escaped, so the
/// result is safe both as element content and inside a quoted attribute.
///
/// Characters XML 1.0 cannot carry at all ([`is_forbidden`]) would make the
/// document ill-formed; they are dropped (the parser has already warned).
pub(crate) fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_forbidden(c) => {}
            _ => out.push(c),
        }
    }
}

/// Characters that are not allowed in XML 1.0 documents: C0 controls other
/// than tab, newline and carriage return, and U+FFFE/U+FFFF.
pub(crate) fn is_forbidden(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// `text` escaped (see [`push_escaped`]).
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"a & b < c > d "e" 'f'"#),
            "a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;"
        );
    }

    #[test]
    fn keeps_arabic_and_whitespace_but_drops_controls() {
        assert_eq!(escape("سلام\tعليكم\n"), "سلام\tعليكم\n");
        assert_eq!(escape("a\u{1}b\u{FFFF}"), "ab");
    }
}
