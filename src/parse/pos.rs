//! Byte offsets → 1-based line and column ([`SourcePos`]).

use crate::doc::SourcePos;

/// Converts byte offsets in one text to line/column positions. Columns count
/// characters. Offsets asked in increasing order are cheap even on a single
/// 10 MB line: the last answer is remembered and counting resumes from it.
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
    /// Last answer: (offset, line index, column).
    last: (usize, usize, u32),
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex {
            text,
            starts,
            last: (0, 0, 1),
        }
    }

    pub(crate) fn pos(&mut self, offset: usize) -> SourcePos {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let (last_offset, last_line, last_col) = self.last;
        let column = if line == last_line && offset >= last_offset {
            last_col + count_chars(&self.text[last_offset..offset])
        } else {
            1 + count_chars(&self.text[self.starts[line]..offset])
        };
        self.last = (offset, line, column);
        SourcePos {
            line: u32::try_from(line + 1).unwrap_or(u32::MAX),
            column,
        }
    }

    /// Just the 1-based line of `offset`.
    pub(crate) fn line(&mut self, offset: usize) -> u32 {
        self.pos(offset).line
    }
}

fn count_chars(s: &str) -> u32 {
    u32::try_from(s.chars().count()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let text = "ab\nمرحبا x\n\nz";
        let mut idx = LineIndex::new(text);
        assert_eq!(idx.pos(0), SourcePos { line: 1, column: 1 });
        assert_eq!(idx.pos(1), SourcePos { line: 1, column: 2 });
        assert_eq!(idx.pos(3), SourcePos { line: 2, column: 1 });
        let x = text.find('x').unwrap();
        assert_eq!(idx.pos(x), SourcePos { line: 2, column: 7 });
        // Backwards still works.
        assert_eq!(idx.pos(4), SourcePos { line: 2, column: 1 });
        assert_eq!(idx.pos(5), SourcePos { line: 2, column: 2 });
        assert_eq!(idx.pos(text.len()), SourcePos { line: 4, column: 2 });
        assert_eq!(idx.pos(text.len() + 10), SourcePos { line: 4, column: 2 });
    }
}
