//! Diagnostics rendered at the edge: for people, rustc-style with the
//! source line and a caret under the column (annotate-snippets); for
//! machines, one JSON object a line.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use super::{Diagnostic, Severity};

/// Renders diagnostics for people, reading each source line they point at
/// from disk (only here, only to show it).
pub struct Text {
    renderer: Renderer,
    sources: HashMap<PathBuf, Option<String>>,
}

impl Text {
    /// `styled`: with terminal colours.
    pub fn new(styled: bool) -> Self {
        Text {
            renderer: if styled {
                Renderer::styled()
            } else {
                Renderer::plain()
            },
            sources: HashMap::new(),
        }
    }

    pub fn render(&mut self, diagnostic: &Diagnostic) -> String {
        let level = match diagnostic.severity {
            Severity::Warning => Level::WARNING,
            Severity::Error => Level::ERROR,
        };
        let title = level
            .primary_title(diagnostic.message.as_str())
            .id(diagnostic.code.name());
        let mut group = Group::with_title(title);
        let path = diagnostic
            .file
            .as_ref()
            .map(|file| file.display().to_string());
        match (&path, diagnostic.line) {
            (Some(path), Some(line)) => {
                let column = diagnostic.column;
                match self.line_of(diagnostic.file.as_deref(), line) {
                    Some(source) => {
                        // Without a column, the line's text is marked.
                        let span = match column {
                            Some(column) => char_span(&source, column),
                            None => Some(text_span(&source)),
                        };
                        let mut snippet = Snippet::source(source.clone())
                            .line_start(line as usize)
                            .path(path.clone());
                        if let Some(span) = span {
                            snippet = snippet.annotation(AnnotationKind::Primary.span(span));
                        }
                        group = group.element(snippet);
                    }
                    None => {
                        let mut origin = Origin::path(path.clone()).line(line as usize);
                        if let Some(column) = column {
                            origin = origin.char_column(column as usize);
                        }
                        group = group.element(origin);
                    }
                }
            }
            (Some(path), None) => group = group.element(Origin::path(path.clone())),
            _ => {}
        }
        if let Some(hint) = &diagnostic.hint {
            group = group.element(Level::HELP.message(hint.as_str()));
        }
        self.renderer.render(&[group])
    }

    /// Line `line` (1-based) of `file`, when it can be read as text.
    fn line_of(&mut self, file: Option<&Path>, line: u32) -> Option<String> {
        let file = file?;
        let text = self
            .sources
            .entry(file.to_path_buf())
            .or_insert_with(|| std::fs::read_to_string(file).ok());
        let source = text
            .as_deref()?
            .lines()
            .nth((line as usize).checked_sub(1)?)?;
        Some(source.to_string())
    }
}

/// The byte range of the character at 1-based `column` of `line` (the
/// end of the line, for a column just past it).
fn char_span(line: &str, column: u32) -> Option<std::ops::Range<usize>> {
    let index = (column as usize).checked_sub(1)?;
    let mut chars = line.char_indices().skip(index);
    match chars.next() {
        Some((start, c)) => Some(start..start + c.len_utf8()),
        None => (line.chars().count() == index).then_some(line.len()..line.len()),
    }
}

/// The byte range of `line` without its leading and trailing white space.
fn text_span(line: &str) -> std::ops::Range<usize> {
    let start = line.len() - line.trim_start().len();
    start..line.trim_end().len().max(start)
}

/// One JSON object (one line) for `diagnostic`: level, code, message, file
/// (relative to `book_dir` when inside it), line, column, hint.
pub fn json(diagnostic: &Diagnostic, book_dir: &Path) -> String {
    let file = diagnostic.file.as_ref().map(|file| {
        file.strip_prefix(book_dir)
            .unwrap_or(file)
            .to_string_lossy()
            .into_owned()
    });
    let level = match diagnostic.severity {
        Severity::Warning => "warning",
        Severity::Error => "error",
    };
    serde_json::json!({
        "level": level,
        "code": diagnostic.code.name(),
        "message": diagnostic.message,
        "file": file,
        "line": diagnostic.line,
        "column": diagnostic.column,
        "hint": diagnostic.hint,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_column_is_a_character_not_a_byte() {
        let line = "نص ᚠ x";
        assert_eq!(char_span(line, 4), Some(5..8));
        assert_eq!(&line[char_span(line, 4).unwrap()], "ᚠ");
        assert_eq!(char_span(line, 7), Some(10..10));
        assert_eq!(char_span(line, 9), None);
        assert_eq!(char_span(line, 0), None);
    }
}
