//! Visiting every block or inline of a block tree, for any stage that needs
//! to look through a document (footnote numbering, anchors, EPUB manifest
//! properties).
//!
//! Recursion depth is bounded: the Markdown parser caps nesting.

use super::{Block, BlockKind, Chapter, Inline, InlineKind};

/// Calls `f` on every inline, parents before their children, in reading order.
pub fn inlines<'b>(blocks: &'b [Block], f: &mut dyn FnMut(&'b Inline)) {
    for block in blocks {
        match &block.kind {
            BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => {
                inline_list(content, f)
            }
            BlockKind::List { items, .. } => items.iter().for_each(|item| inlines(item, f)),
            BlockKind::Quote(inner) | BlockKind::Callout { blocks: inner, .. } => inlines(inner, f),
            BlockKind::Definitions(definitions) => {
                for definition in definitions {
                    inline_list(&definition.term, f);
                    definition.details.iter().for_each(|d| inlines(d, f));
                }
            }
            BlockKind::Table { head, rows, .. } => {
                head.iter().for_each(|cell| inline_list(cell, f));
                rows.iter().flatten().for_each(|cell| inline_list(cell, f));
            }
            BlockKind::Code { .. } | BlockKind::Verse(_) | BlockKind::Rule | BlockKind::Html(_) => {
            }
        }
    }
}

fn inline_list<'b>(list: &'b [Inline], f: &mut dyn FnMut(&'b Inline)) {
    for inline in list {
        f(inline);
        match &inline.kind {
            InlineKind::Emphasis(c)
            | InlineKind::Strong(c)
            | InlineKind::Marked { content: c, .. }
            | InlineKind::Language { content: c, .. }
            | InlineKind::Link { content: c, .. } => inline_list(c, f),
            _ => {}
        }
    }
}

/// Mutable twin of [`inlines`].
pub fn inlines_mut(blocks: &mut [Block], f: &mut dyn FnMut(&mut Inline)) {
    for block in blocks {
        match &mut block.kind {
            BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => {
                inline_list_mut(content, f)
            }
            BlockKind::List { items, .. } => items.iter_mut().for_each(|item| inlines_mut(item, f)),
            BlockKind::Quote(inner) | BlockKind::Callout { blocks: inner, .. } => {
                inlines_mut(inner, f)
            }
            BlockKind::Definitions(definitions) => {
                for definition in definitions {
                    inline_list_mut(&mut definition.term, f);
                    definition
                        .details
                        .iter_mut()
                        .for_each(|d| inlines_mut(d, f));
                }
            }
            BlockKind::Table { head, rows, .. } => {
                head.iter_mut().for_each(|cell| inline_list_mut(cell, f));
                rows.iter_mut()
                    .flatten()
                    .for_each(|cell| inline_list_mut(cell, f));
            }
            BlockKind::Code { .. } | BlockKind::Verse(_) | BlockKind::Rule | BlockKind::Html(_) => {
            }
        }
    }
}

fn inline_list_mut(list: &mut [Inline], f: &mut dyn FnMut(&mut Inline)) {
    for inline in list {
        f(inline);
        match &mut inline.kind {
            InlineKind::Emphasis(c)
            | InlineKind::Strong(c)
            | InlineKind::Marked { content: c, .. }
            | InlineKind::Language { content: c, .. }
            | InlineKind::Link { content: c, .. } => inline_list_mut(c, f),
            _ => {}
        }
    }
}

/// Calls `f` on every block, parents before children.
pub fn blocks<'b>(blocks_: &'b [Block], f: &mut dyn FnMut(&'b Block)) {
    for block in blocks_ {
        f(block);
        match &block.kind {
            BlockKind::List { items, .. } => items.iter().for_each(|item| blocks(item, f)),
            BlockKind::Quote(inner) | BlockKind::Callout { blocks: inner, .. } => blocks(inner, f),
            BlockKind::Definitions(definitions) => definitions
                .iter()
                .flat_map(|d| &d.details)
                .for_each(|d| blocks(d, f)),
            _ => {}
        }
    }
}

/// Mutable twin of [`blocks`].
pub fn blocks_mut(blocks_: &mut [Block], f: &mut dyn FnMut(&mut Block)) {
    for block in blocks_ {
        f(block);
        match &mut block.kind {
            BlockKind::List { items, .. } => items.iter_mut().for_each(|item| blocks_mut(item, f)),
            BlockKind::Quote(inner) | BlockKind::Callout { blocks: inner, .. } => {
                blocks_mut(inner, f)
            }
            BlockKind::Definitions(definitions) => definitions
                .iter_mut()
                .flat_map(|d| &mut d.details)
                .for_each(|d| blocks_mut(d, f)),
            _ => {}
        }
    }
}

/// Calls `f` on every block of a chapter, its footnotes' included.
pub fn chapter_blocks<'b>(chapter: &'b Chapter, f: &mut dyn FnMut(&'b Block)) {
    blocks(&chapter.blocks, f);
    for note in &chapter.footnotes {
        blocks(&note.blocks, f);
    }
}

/// Calls `f` on every inline of a chapter, its footnotes' included.
pub fn chapter_inlines<'b>(chapter: &'b Chapter, f: &mut dyn FnMut(&'b Inline)) {
    inlines(&chapter.blocks, f);
    for note in &chapter.footnotes {
        inlines(&note.blocks, f);
    }
}
