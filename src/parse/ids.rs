//! Element ids of a chapter: heading ids and ids written in raw HTML must
//! all differ, or the XHTML is invalid.

use std::collections::HashSet;
use std::path::Path;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::doc::{Block, BlockKind, Footnote, InlineKind};

use crate::doc::walk;

/// Removes, with a warning, raw-HTML `id` attributes that repeat a heading
/// id or an earlier raw-HTML id of the same chapter.
pub(crate) fn remove_duplicate_html_ids(
    blocks: &mut [Block],
    footnotes: &mut [Footnote],
    file: &Path,
    warnings: &mut Diagnostics,
) {
    let mut used = HashSet::new();
    let mut headings = |block: &Block| {
        if let BlockKind::Heading { id, .. } = &block.kind {
            used.insert(id.clone());
        }
    };
    walk::blocks(blocks, &mut headings);
    for note in footnotes.iter() {
        walk::blocks(&note.blocks, &mut headings);
    }

    let mut fix = |html: &mut String, line: u32| {
        let mut ids = Vec::new();
        for (i, _) in html.match_indices(" id=\"") {
            let rest = &html[i + 5..];
            if let Some(end) = rest.find('"') {
                ids.push(rest[..end].to_string());
            }
        }
        for id in ids {
            if !used.insert(id.clone()) {
                let attribute = format!(" id=\"{id}\"");
                if let Some(at) = html.find(&attribute) {
                    html.replace_range(at..at + attribute.len(), "");
                }
                warnings.push(
                    Diagnostic::warning(Code::DuplicateId, format!(
                        "raw HTML: id `{id}` is already used in this chapter; the attribute was removed"
                    ))
                    .in_file(file)
                    .at_line(line),
                );
            }
        }
    };
    let mut in_blocks = |blocks: &mut [Block]| {
        walk::blocks_mut(blocks, &mut |block| {
            let line = block.pos.line;
            if let BlockKind::Html(html) = &mut block.kind {
                fix(html, line);
            }
        });
        walk::inlines_mut(blocks, &mut |inline| {
            let line = inline.pos.line;
            if let InlineKind::Html(html) = &mut inline.kind {
                fix(html, line);
            }
        });
    };
    in_blocks(blocks);
    for note in footnotes.iter_mut() {
        in_blocks(&mut note.blocks);
    }
}
