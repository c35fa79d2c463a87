//! Poetry: a fenced block whose language is `verse`, one line of verse a
//! line of text, the two hemistichs of a bayt separated by [`SEPARATOR`],
//! stanzas separated by blank lines:
//!
//! ````markdown
//! ```verse
//! قفا نبك من ذكرى حبيب ومنزل | بسقط اللوى بين الدخول فحومل
//! ```
//! ````

use crate::doc::{Bayt, SourcePos};

/// The language of a fenced code block that holds verse.
pub(crate) const LANGUAGE: &str = "verse";

/// Between the two hemistichs of a bayt.
pub(crate) const SEPARATOR: char = '|';

/// The stanzas of a verse block whose text starts on line `first_line`.
pub(crate) fn stanzas(text: &str, first_line: u32) -> Vec<Vec<Bayt>> {
    let mut stanzas: Vec<Vec<Bayt>> = Vec::new();
    let mut stanza = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            if !stanza.is_empty() {
                stanzas.push(std::mem::take(&mut stanza));
            }
            continue;
        }
        let hemistichs = match line.split_once(SEPARATOR) {
            Some((first, second)) => vec![first, second],
            None => vec![line],
        };
        stanza.push(Bayt {
            hemistichs: hemistichs
                .into_iter()
                .map(crate::doc::collapse_whitespace)
                .collect(),
            pos: SourcePos {
                line: first_line + u32::try_from(index).unwrap_or(u32::MAX - first_line),
                column: 1,
            },
        });
    }
    if !stanza.is_empty() {
        stanzas.push(stanza);
    }
    stanzas
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_into_hemistichs_and_stanzas() {
        let text = "صدر أول | عجز أول\nصدر  ثانٍ|عجز ثانٍ\n\n\nبيت مفرد\n";
        let parsed = stanzas(text, 5);
        let got: Vec<Vec<(Vec<&str>, u32)>> = parsed
            .iter()
            .map(|stanza| {
                stanza
                    .iter()
                    .map(|b| {
                        (
                            b.hemistichs.iter().map(String::as_str).collect(),
                            b.pos.line,
                        )
                    })
                    .collect()
            })
            .collect();
        assert_eq!(
            got,
            vec![
                vec![
                    (vec!["صدر أول", "عجز أول"], 5),
                    (vec!["صدر ثانٍ", "عجز ثانٍ"], 6),
                ],
                vec![(vec!["بيت مفرد"], 9)],
            ]
        );
    }
}
