//! TeX math → MathML for the EPUB, with pulldown-latex (MathML Core).

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage, push_mathml};
use quick_xml::Reader;
use quick_xml::events::Event;

/// `tex` as a `<math>` element (with its namespace, as XHTML needs), or why
/// it could not be read.
pub(crate) fn mathml(tex: &str, display: bool) -> Result<String, String> {
    let storage = Storage::new();
    let events = Parser::new(tex, &storage)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| first_line(&error.to_string()))?;
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        xml: true,
        ..RenderConfig::default()
    };
    let mut out = String::new();
    push_mathml(
        &mut out,
        events.into_iter().map(Ok::<_, pulldown_latex::ParserError>),
        config,
    )
    .map_err(|error| first_line(&error.to_string()))?;
    let mut out = as_xml(&out);
    // The TeX, for readers that cannot show MathML (and screen readers);
    // and left to right, as TeX is, in a right-to-left book too.
    if let Some(rest) = out.strip_prefix("<math") {
        out = format!(
            "<math alttext=\"{}\" dir=\"ltr\"{rest}",
            crate::xml::escape(tex)
        );
    }
    well_formed(&out)?;
    Ok(out)
}

/// pulldown-latex writes MathML for HTML: operators such as `<` and `&` as
/// they are, spaces as `&nbsp;`. XHTML needs them escaped: a `<` that opens
/// no tag becomes `&lt;`, an `&` that starts no XML reference `&amp;`, and
/// `&nbsp;` the character reference XML knows.
fn as_xml(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        let after = &rest[c.len_utf8()..];
        match c {
            '<' if !opens_tag(after) => out.push_str("&lt;"),
            '&' if after.starts_with("nbsp;") => {
                out.push_str("&#160;");
                rest = &after["nbsp;".len()..];
                continue;
            }
            '&' if !is_reference(after) => out.push_str("&amp;"),
            _ => out.push(c),
        }
        rest = after;
    }
    out
}

/// Whether text after a `<` is a tag's: a name, or `/` and a name.
fn opens_tag(after: &str) -> bool {
    let name = after.strip_prefix('/').unwrap_or(after);
    name.starts_with(|c: char| c.is_ascii_alphabetic())
}

/// Whether text after an `&` is an XML reference: predefined or numeric.
fn is_reference(after: &str) -> bool {
    let Some((name, _)) = after.split_once(';') else {
        return false;
    };
    matches!(name, "lt" | "gt" | "amp" | "quot" | "apos")
        || name
            .strip_prefix("#x")
            .is_some_and(|hex| !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()))
        || name
            .strip_prefix('#')
            .is_some_and(|dec| !dec.is_empty() && dec.chars().all(|c| c.is_ascii_digit()))
}

/// Refuses MathML an XML parser would not read (the EPUB would be broken).
fn well_formed(xml: &str) -> Result<(), String> {
    let mut reader = Reader::from_str(xml);
    let config = reader.config_mut();
    config.check_end_names = true;
    config.check_comments = true;
    let mut depth = 0_usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => depth += 1,
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) if depth == 0 => return Ok(()),
            Ok(Event::Eof) => return Err("its MathML is not well-formed".into()),
            Ok(_) => {}
            Err(e) => return Err(format!("its MathML is not well-formed ({e})")),
        }
    }
}

fn first_line(message: &str) -> String {
    message
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_namespaced_mathml() {
        let inline = mathml("x^2 + \\frac{a}{b}", false).expect("valid TeX");
        assert!(
            inline.starts_with("<math alttext=\"x^2 + \\frac{a}{b}\""),
            "{inline}"
        );
        assert!(inline.contains("xmlns=\"http://www.w3.org/1998/Math/MathML\""));
        assert!(inline.contains("<mfrac>"), "{inline}");
        assert!(inline.contains("<msup>"), "{inline}");
        let block = mathml("E = mc^2", true).expect("valid TeX");
        assert!(block.contains("display=\"block\""), "{block}");
    }

    #[test]
    fn operators_and_spaces_are_escaped_for_xhtml() {
        let lt = mathml("a<b>c", false).expect("valid TeX");
        assert!(lt.contains("<mo>&lt;</mo>"), "{lt}");
        assert!(well_formed(&lt).is_ok());
        let text = mathml("\\text{a b}", false).expect("valid TeX");
        assert!(!text.contains("&nbsp;"), "{text}");
        assert_eq!(
            as_xml("<mo>&</mo>&amp;&#160;&#x41;"),
            "<mo>&amp;</mo>&amp;&#160;&#x41;"
        );
        assert!(well_formed("<math><mo><</mo></math>").is_err());
    }

    #[test]
    fn unknown_commands_are_refused() {
        assert!(mathml("\\notacommand{x}", false).is_err());
        assert!(mathml("\\frac{a}", false).is_err());
    }
}
