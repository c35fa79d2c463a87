//! Characters no face can draw: collected while text is set, reported once
//! each, with how often the book uses it, where it first appears and what
//! to do about it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{Code, Diagnostic};
use crate::doc::{Document, SourcePos};
use crate::load::CONFIG_FILE;

/// One occurrence of a character no face has.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingAt {
    pub ch: char,
    /// The chapter (relative to the book folder), or `None` for text warraq
    /// sets itself: the title and authors, running heads, the contents.
    pub file: Option<PathBuf>,
    /// Where the text the character is in starts.
    pub pos: SourcePos,
    /// Byte offset in its paragraph: a paragraph set twice counts once.
    pub offset: usize,
}

/// One warning per character of `found`, in the order a reader meets them
/// (the title and authors, on the cover, before the chapters).
pub fn report(document: &Document, found: &[MissingAt]) -> Vec<Diagnostic> {
    let meta = &document.metadata;
    let metadata: Vec<char> = meta
        .title
        .chars()
        .chain(meta.authors.iter().flat_map(|a| a.chars()))
        .collect();
    let config = document.sources.text(Path::new(CONFIG_FILE));
    let config = config.as_deref().unwrap_or("");
    // Each chapter's text read once (it is not held), for all the
    // characters found in it.
    let mut texts: HashMap<PathBuf, Option<Arc<str>>> = HashMap::new();
    let mut order: Vec<char> = Vec::new();
    let missing_chars: HashSet<char> = found.iter().map(|m| m.ch).collect();
    for &ch in metadata.iter().chain(found.iter().map(|m| &m.ch)) {
        if missing_chars.contains(&ch) && !order.contains(&ch) {
            order.push(ch);
        }
    }
    order
        .into_iter()
        .map(|ch| {
            let in_chapters: Vec<&MissingAt> = {
                let mut seen = HashSet::new();
                found
                    .iter()
                    .filter(|m| m.ch == ch && m.file.is_some())
                    .filter(|m| seen.insert((m.file.clone(), m.pos.line, m.pos.column, m.offset)))
                    .collect()
            };
            // The title and authors count where book.toml gives them (a
            // title taken from the first heading is counted there).
            let in_config = config.contains(ch);
            let in_metadata = if in_config {
                metadata.iter().filter(|&&c| c == ch).count()
            } else {
                0
            };
            let count = in_chapters.len() + in_metadata;
            let uses = match count {
                0 => String::new(),
                1 => ", used once".to_string(),
                n => format!(", used {n} times"),
            };
            let warning = Diagnostic::warning(
                Code::MissingGlyph,
                format!(
                    "no font has the character {ch:?} (U+{:04X}){uses}; it prints as a blank box",
                    ch as u32
                ),
            )
            .with_hint("put a font that has it (.ttf or .otf) in the book's fonts/ folder");
            let first = if in_config && metadata.contains(&ch) {
                Some((PathBuf::from(CONFIG_FILE), SourcePos { line: 1, column: 1 }))
            } else {
                in_chapters
                    .first()
                    .and_then(|m| Some((m.file.clone()?, m.pos)))
            };
            match first {
                Some((file, from)) => {
                    let text = texts
                        .entry(file.clone())
                        .or_insert_with(|| document.sources.text(&file));
                    let pos = locate(text.as_deref().unwrap_or(""), from, ch).unwrap_or(from);
                    warning.in_file(file).at(pos)
                }
                None => warning,
            }
        })
        .collect()
}

/// The position of the first `ch` in `text` at or after `from` (a 1-based
/// line and column, columns counting characters).
fn locate(text: &str, from: SourcePos, ch: char) -> Option<SourcePos> {
    let mut line = 1;
    let mut column = 1;
    for c in text.chars() {
        if (line, column) >= (from.line, from.column) && c == ch {
            return Some(SourcePos { line, column });
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_a_character_after_a_position() {
        let text = "# ب\n\nأ ب ج\nد ب\n";
        let from = SourcePos { line: 3, column: 1 };
        assert_eq!(
            locate(text, from, 'ب'),
            Some(SourcePos { line: 3, column: 3 })
        );
        let later = SourcePos { line: 3, column: 4 };
        assert_eq!(
            locate(text, later, 'ب'),
            Some(SourcePos { line: 4, column: 3 })
        );
        assert_eq!(locate(text, from, 'z'), None);
    }
}
