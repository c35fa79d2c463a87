//! The stylesheet: `@font-face` rules for the embedded fonts, then
//! `style.css` with the book's sides, line height and font stacks filled in.

use std::fmt::Write as _;

use super::resources::css_format;
use super::{FontEntry, Plan};
use crate::doc::{Direction, Numerals};
use crate::fonts::Role;

const TEMPLATE: &str = include_str!("style.css");

pub(crate) fn stylesheet(plan: &Plan) -> String {
    let mut out = String::from("@charset \"UTF-8\";\n\n");
    for font in &plan.fonts {
        let face = font.face;
        let _ = writeln!(
            out,
            "@font-face {{\n  font-family: {};\n  font-weight: {};\n  font-style: {};\n  \
             src: url(\"../{}\") format(\"{}\");\n}}\n",
            css_string(&face.family),
            if face.style.bold { "bold" } else { "normal" },
            if face.style.italic {
                "italic"
            } else {
                "normal"
            },
            font.href,
            css_format(font.media_type),
        );
    }

    let (start, end, line_height) = match plan.doc.metadata.direction {
        Direction::Rtl => ("right", "left", "1.8"),
        Direction::Ltr => ("left", "right", "1.5"),
    };
    let text = families(plan, &[Role::Text, Role::Fallback], "serif");
    let mono = families(plan, &[Role::Mono], "monospace");
    out.push_str(
        &TEMPLATE
            .replace("@START@", start)
            .replace("@END@", end)
            .replace("@LINE_HEIGHT@", line_height)
            .replace("@LIST_NUMERALS@", list_numerals(plan.doc.layout.numerals))
            .replace("@BODY_FONTS@", &text)
            .replace("@MONO_FONTS@", &mono),
    );
    out
}

/// The CSS counter style that writes list numbers in the book's numerals,
/// as the print edition does.
fn list_numerals(numerals: Numerals) -> &'static str {
    match numerals {
        Numerals::Western => "decimal",
        Numerals::ArabicIndic => "arabic-indic",
        Numerals::Persian => "persian",
    }
}

/// A `font-family` list: the families of the faces with `roles` (see
/// [`family_names`]), then `generic`.
fn families(plan: &Plan, roles: &[Role], generic: &str) -> String {
    let mut out = String::new();
    for name in family_names(&plan.fonts, roles) {
        out.push_str(&css_string(name));
        out.push_str(", ");
    }
    out.push_str(generic);
    out
}

/// The families of the faces with `roles`, in that order, each once: the
/// order a reader tries them in.
pub(super) fn family_names<'a>(fonts: &'a [FontEntry], roles: &[Role]) -> Vec<&'a str> {
    let mut names: Vec<&str> = Vec::new();
    for role in roles {
        for font in fonts {
            if font.face.role == *role && !names.contains(&font.face.family.as_str()) {
                names.push(&font.face.family);
            }
        }
    }
    names
}

/// `s` as a double-quoted CSS string.
fn css_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_never_sets_direction() {
        assert!(!TEMPLATE.contains("direction"));
        let css = TEMPLATE.replace(' ', "");
        assert!(!css.contains("direction:"));
        assert!(!TEMPLATE.contains("unicode-bidi"));
    }

    #[test]
    fn css_strings_are_quoted() {
        assert_eq!(css_string("Noto \"Serif\""), "\"Noto \\\"Serif\\\"\"");
    }
}
