//! Navigation: `nav.xhtml` (the EPUB 3 table of contents and landmarks) and
//! `toc.ncx` (the same table of contents for EPUB 2 readers).

use std::fmt::Write as _;

use super::pagelist;
use super::xhtml::{Languages, document};
use super::{COVER, NAV, Plan, TITLE_PAGE};
use crate::doc::{BlockKind, Chapter, block_direction, collapse_whitespace, plain_text};
use crate::xml::escape;

/// One line of the table of contents.
pub(crate) struct TocEntry {
    pub label: String,
    pub href: String,
    pub children: Vec<TocEntry>,
}

/// Nests entries by level: each under the nearest entry before it of a
/// lower level (a level skipped, as in `##` then `####`, nests one deeper).
fn nest(entries: impl Iterator<Item = (u8, TocEntry)>) -> Vec<TocEntry> {
    let mut top: Vec<TocEntry> = Vec::new();
    // The open path from the top level down: (level, entry).
    let mut open: Vec<(u8, TocEntry)> = Vec::new();
    let close = |open: &mut Vec<(u8, TocEntry)>, top: &mut Vec<TocEntry>| {
        if let Some((_, done)) = open.pop() {
            match open.last_mut() {
                Some((_, parent)) => parent.children.push(done),
                None => top.push(done),
            }
        }
    };
    for (level, entry) in entries {
        while open.last().is_some_and(|(l, _)| *l >= level) {
            close(&mut open, &mut top);
        }
        open.push((level, entry));
    }
    while !open.is_empty() {
        close(&mut open, &mut top);
    }
    top
}

/// A heading the table of contents lists under its chapter.
#[derive(Clone)]
pub(crate) struct Heading {
    pub level: u8,
    pub id: String,
    pub label: String,
}

/// The headings of `chapter` the table of contents lists: levels 2–6 with
/// text, but the chapter's own title.
pub(crate) fn headings(chapter: &Chapter) -> Vec<Heading> {
    (chapter.blocks.iter().enumerate())
        .filter_map(|(i, block)| match &block.kind {
            // The first heading is the chapter's own title.
            BlockKind::Heading { .. } if i == 0 => None,
            BlockKind::Heading {
                level, id, content, ..
            } if *level >= 2 => {
                let label = collapse_whitespace(&plain_text(content));
                (!label.is_empty()).then(|| Heading {
                    level: *level,
                    id: id.clone(),
                    label,
                })
            }
            _ => None,
        })
        .collect()
}

/// The table of contents: every chapter, with its headings (levels 2–6)
/// nested by level.
/// A book without chapters lists its title page, so the list is never empty.
pub(crate) fn toc(plan: &Plan) -> Vec<TocEntry> {
    let mut entries: Vec<TocEntry> = (plan.chapters.iter())
        .map(|entry| {
            let headings = entry.headings.iter().map(|heading| {
                let href = format!("{}#{}", entry.href, heading.id);
                let label = heading.label.clone();
                let children = Vec::new();
                (
                    heading.level,
                    TocEntry {
                        label,
                        href,
                        children,
                    },
                )
            });
            TocEntry {
                label: entry.title.clone(),
                href: entry.href.clone(),
                children: nest(headings),
            }
        })
        .collect();
    if entries.is_empty() {
        entries.push(TocEntry {
            label: plan.title.clone(),
            href: TITLE_PAGE.to_string(),
            children: Vec::new(),
        });
    }
    entries
}

/// `nav.xhtml`: the table of contents (shown, and part of the spine) and
/// the landmarks (hidden).
pub(crate) fn nav_xhtml(plan: &Plan) -> String {
    let strings = plan.strings;
    let mut body = String::new();
    // The print edition's contents pages (a toc holds nothing but its list).
    for mark in &plan.page_list.contents {
        pagelist::push_marker(&mut body, mark);
    }
    let _ = writeln!(
        body,
        "<nav epub:type=\"toc\" id=\"toc\" role=\"doc-toc\" aria-labelledby=\"toc-title\">\n\
         <h1 id=\"toc-title\">{}</h1>",
        escape(strings.contents)
    );
    push_ol(&mut body, &toc(plan), plan);
    body.push_str("</nav>\n");

    let _ = writeln!(
        body,
        "<nav epub:type=\"landmarks\" id=\"landmarks\" hidden=\"\">\n<h2>{}</h2>\n<ol>",
        escape(strings.landmarks)
    );
    let mut landmark = |kind: &str, href: &str, label: &str| {
        let _ = writeln!(
            body,
            "<li><a epub:type=\"{kind}\" href=\"{}\">{}</a></li>",
            escape(href),
            escape(label)
        );
    };
    landmark("cover", COVER, strings.cover);
    landmark("titlepage", TITLE_PAGE, strings.title_page);
    landmark("toc", &format!("{NAV}#toc"), strings.contents);
    if let Some(first) = plan.chapters.first() {
        landmark("bodymatter", &first.href, strings.start);
    }
    body.push_str("</ol>\n</nav>\n");
    pagelist::nav(plan, &mut body);

    document(plan, strings.contents, " class=\"nav\"", &body)
}

/// The entries as nested lists. A title in the other direction than the
/// book's ([`block_direction`]) says so on its link, so it keeps its own
/// order but stands on the contents' start side like every entry, as in
/// the printed contents.
fn push_ol(out: &mut String, entries: &[TocEntry], plan: &Plan) {
    let book = plan.doc.metadata.direction;
    out.push_str("<ol>\n");
    for entry in entries {
        let direction = block_direction(book, &entry.label);
        let dir = if direction == book {
            String::new()
        } else {
            format!(" dir=\"{}\"", direction.as_html())
        };
        let _ = write!(out, "<li><a href=\"{}\"{dir}>", escape(&entry.href));
        Languages::of_book(plan, direction).push_text(out, &entry.label);
        out.push_str("</a>");
        if !entry.children.is_empty() {
            out.push('\n');
            push_ol(out, &entry.children, plan);
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n");
}

/// How many levels deep `entries` nest (1 for a flat list, 0 for none).
fn depth(entries: &[TocEntry]) -> usize {
    entries
        .iter()
        .map(|e| 1 + depth(&e.children))
        .max()
        .unwrap_or(0)
}

/// `toc.ncx`, mirroring the table of contents of `nav.xhtml`.
pub(crate) fn ncx(plan: &Plan, out: &mut dyn std::fmt::Write) {
    let entries = toc(plan);
    let depth = depth(&entries);
    let _ = write!(
        out,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1" xml:lang="{lang}" dir="{dir}">
<head>
<meta name="dtb:uid" content="{uid}"/>
<meta name="dtb:depth" content="{depth}"/>
<meta name="dtb:totalPageCount" content="0"/>
<meta name="dtb:maxPageNumber" content="0"/>
</head>
<docTitle><text>{title}</text></docTitle>
"#,
        lang = escape(&plan.lang),
        dir = plan.dir,
        uid = escape(&plan.identifier),
        title = escape(&plan.title),
    );
    for author in plan.authors() {
        let _ = writeln!(
            out,
            "<docAuthor><text>{}</text></docAuthor>",
            escape(author)
        );
    }
    let _ = out.write_str("<navMap>\n");
    let mut order = 0;
    push_nav_points(out, &entries, &mut order);
    let _ = out.write_str("</navMap>\n</ncx>\n");
}

fn push_nav_points(out: &mut dyn std::fmt::Write, entries: &[TocEntry], order: &mut u32) {
    for entry in entries {
        *order += 1;
        let _ = writeln!(
            out,
            "<navPoint id=\"nav-{order}\" playOrder=\"{order}\">\n\
             <navLabel><text>{}</text></navLabel>\n\
             <content src=\"{}\"/>",
            escape(&entry.label),
            escape(&entry.href),
        );
        push_nav_points(out, &entry.children, order);
        let _ = out.write_str("</navPoint>\n");
    }
}
