//! TeX math → MathML for the EPUB, with pulldown-latex (MathML Core).

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage, push_mathml};

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
    Ok(out)
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
        assert!(inline.starts_with("<math"), "{inline}");
        assert!(inline.contains("xmlns=\"http://www.w3.org/1998/Math/MathML\""));
        assert!(inline.contains("<mfrac>"), "{inline}");
        assert!(inline.contains("<msup>"), "{inline}");
        let block = mathml("E = mc^2", true).expect("valid TeX");
        assert!(block.contains("display=\"block\""), "{block}");
    }

    #[test]
    fn unknown_commands_are_refused() {
        assert!(mathml("\\notacommand{x}", false).is_err());
        assert!(mathml("\\frac{a}", false).is_err());
    }
}
