//! Visiting every inline of a block tree (footnote renumbering, anchors).
//!
//! Recursion depth is bounded: the Markdown builder caps nesting.

use crate::doc::{Block, BlockKind, Inline, InlineKind};

/// Calls `f` on every inline, parents before their children, in reading order.
pub(crate) fn inlines(blocks: &[Block], f: &mut dyn FnMut(&Inline)) {
    for block in blocks {
        match &block.kind {
            BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => {
                inline_list(content, f)
            }
            BlockKind::List { items, .. } => items.iter().for_each(|item| inlines(item, f)),
            BlockKind::Quote(inner) => inlines(inner, f),
            BlockKind::Table { head, rows, .. } => {
                head.iter().for_each(|cell| inline_list(cell, f));
                rows.iter().flatten().for_each(|cell| inline_list(cell, f));
            }
            BlockKind::Code { .. } | BlockKind::Rule | BlockKind::Html(_) => {}
        }
    }
}

fn inline_list(list: &[Inline], f: &mut dyn FnMut(&Inline)) {
    for inline in list {
        f(inline);
        match &inline.kind {
            InlineKind::Emphasis(c)
            | InlineKind::Strong(c)
            | InlineKind::Link { content: c, .. } => inline_list(c, f),
            _ => {}
        }
    }
}

/// Mutable twin of [`inlines`].
pub(crate) fn inlines_mut(blocks: &mut [Block], f: &mut dyn FnMut(&mut Inline)) {
    for block in blocks {
        match &mut block.kind {
            BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => {
                inline_list_mut(content, f)
            }
            BlockKind::List { items, .. } => items.iter_mut().for_each(|item| inlines_mut(item, f)),
            BlockKind::Quote(inner) => inlines_mut(inner, f),
            BlockKind::Table { head, rows, .. } => {
                head.iter_mut().for_each(|cell| inline_list_mut(cell, f));
                rows.iter_mut()
                    .flatten()
                    .for_each(|cell| inline_list_mut(cell, f));
            }
            BlockKind::Code { .. } | BlockKind::Rule | BlockKind::Html(_) => {}
        }
    }
}

fn inline_list_mut(list: &mut [Inline], f: &mut dyn FnMut(&mut Inline)) {
    for inline in list {
        f(inline);
        match &mut inline.kind {
            InlineKind::Emphasis(c)
            | InlineKind::Strong(c)
            | InlineKind::Link { content: c, .. } => inline_list_mut(c, f),
            _ => {}
        }
    }
}

/// Calls `f` on every block, parents before children.
pub(crate) fn blocks(blocks_: &[Block], f: &mut dyn FnMut(&Block)) {
    for block in blocks_ {
        f(block);
        match &block.kind {
            BlockKind::List { items, .. } => items.iter().for_each(|item| blocks(item, f)),
            BlockKind::Quote(inner) => blocks(inner, f),
            _ => {}
        }
    }
}

/// Mutable twin of [`blocks`].
pub(crate) fn blocks_mut(blocks_: &mut [Block], f: &mut dyn FnMut(&mut Block)) {
    for block in blocks_ {
        f(block);
        match &mut block.kind {
            BlockKind::List { items, .. } => items.iter_mut().for_each(|item| blocks_mut(item, f)),
            BlockKind::Quote(inner) => blocks_mut(inner, f),
            _ => {}
        }
    }
}
