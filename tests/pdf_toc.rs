//! The seed book's table of contents: every chapter listed in order with the
//! folio of the page it starts on, that folio printed on that page and equal
//! to the page's PDF label (the front matter numbered in roman, the body from
//! 1); each entry a link to that page; one bookmark per chapter.

use crate::common;

use std::path::Path;

use common::{arg, run_ok, squash};

/// Page `page` (1-based) as `pdftotext -layout` gives it, without bidi
/// controls. `-layout` keeps a contents line (title, leaders, number) on one
/// output line; plain mode puts the column of numbers after the titles.
fn page_text(pdf: &Path, page: usize) -> String {
    common::pdftotext(pdf, Some((page, page)), true)
        .chars()
        .filter(|c| !common::is_bidi_control(*c))
        .collect()
}

/// A contents entry: the title (squashed, see [`common::squash`]) and the
/// page number at the end of its last line.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    title: String,
    number: u32,
}

/// Contents entries on a page of the contents. A line's number is its first
/// or last word (right to left, the end of the entry is on the left); leader
/// dots are dropped; a line without a number continues the next line's title.
/// A line holding only a number (or a roman numeral) is the page's own folio.
fn entries(text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.is_empty() || squash(line) == "المحتويات" || common::printed_folio(line).is_some()
        {
            continue;
        }
        let is_number = |w: &&str| w.chars().all(|c| c.is_ascii_digit());
        let number_at = if words.len() > 1 && is_number(&words[0]) {
            Some(0)
        } else if is_number(&words[words.len() - 1]) {
            Some(words.len() - 1)
        } else {
            None
        };
        let rest: String = words
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != number_at)
            .map(|(_, w)| w.trim_matches('.'))
            .collect();
        pending.push_str(&squash(&rest));
        if let Some(i) = number_at {
            let title = std::mem::take(&mut pending);
            if !title.is_empty() {
                out.push(Entry {
                    title,
                    number: words[i].parse().unwrap(),
                });
            }
        }
    }
    assert!(
        pending.is_empty(),
        "contents text without a page number: {pending}"
    );
    out
}

struct Toc {
    /// 1-based page of the contents (its first page).
    toc_page: usize,
    entries: Vec<Entry>,
    /// 1-based page each chapter starts on, by the heading at its top.
    chapter_pages: Vec<usize>,
    titles: Vec<String>,
    labels: Vec<String>,
}

fn read_toc(pdf: &Path) -> Toc {
    let count = common::page_count(pdf);
    let pages: Vec<String> = (1..=count).map(|p| page_text(pdf, p)).collect();
    let chapters = common::chapters(&common::seed_book());
    let titles: Vec<String> = chapters.iter().map(|c| c.title.clone()).collect();
    assert_eq!(titles.len(), 10, "the seed book has ten chapters");

    let toc = pages
        .iter()
        .position(|p| squash(p).contains("المحتويات"))
        .expect("no page says «المحتويات»");
    let starts_with = |page: &str, title: &str| squash(page).starts_with(&squash(title));
    let chapter_pages: Vec<usize> = titles
        .iter()
        .map(|title| {
            let index = (toc + 1..count)
                .find(|&i| starts_with(&pages[i], title))
                .unwrap_or_else(|| panic!("no page after the contents begins with «{title}»"));
            index + 1
        })
        .collect();
    // The contents run from its first page to the page before chapter 1.
    let entries: Vec<Entry> = (toc..chapter_pages[0] - 1)
        .flat_map(|i| entries(&pages[i]))
        .collect();
    let labels = common::page_labels(pdf);
    for (i, page) in pages.iter().enumerate() {
        // Cover and title page print no folio; every other page prints its
        // label.
        let printed = common::printed_folio(page);
        let wanted = (i >= 2).then(|| labels[i].clone());
        assert_eq!(printed, wanted, "page {}: folio vs label", i + 1);
    }
    // The title page is counted: the contents page is ii, the body starts at 1.
    assert_eq!(labels[..4], ["الغلاف", "i", "ii", "1"]);
    Toc {
        toc_page: toc + 1,
        entries,
        chapter_pages,
        titles,
        labels,
    }
}

/// The seed book's PDF and its contents (see [`read_toc`]); `None` when
/// `pdftotext`, `pdfinfo`, `qpdf` or one of the `also` tools is missing (see
/// [`common::have_tools`]).
fn seed_toc(also: &[&str]) -> Option<(&'static Path, Toc)> {
    let tools: Vec<&str> = ["pdftotext", "pdfinfo", "qpdf"]
        .into_iter()
        .chain(also.iter().copied())
        .collect();
    if !common::have_tools(&tools) {
        return None;
    }
    let pdf = &common::seed_pdf().pdf;
    Some((pdf, read_toc(pdf)))
}

#[test]
fn contents_list_every_chapter_with_its_folio() {
    let Some((pdf, toc)) = seed_toc(&[]) else {
        return;
    };
    let listed: Vec<&str> = toc.entries.iter().map(|e| e.title.as_str()).collect();
    let wanted: Vec<String> = toc.titles.iter().map(|t| squash(t)).collect();
    assert_eq!(listed, wanted, "contents entries vs chapters of book.toml");
    for ((entry, title), &page) in toc.entries.iter().zip(&toc.titles).zip(&toc.chapter_pages) {
        let text = page_text(pdf, page);
        let printed = common::printed_folio(&text);
        assert_eq!(
            Some(entry.number.to_string()),
            printed,
            "«{title}»: contents say page {}, its first page prints {printed:?}",
            entry.number
        );
        assert_eq!(
            toc.labels[page - 1],
            entry.number.to_string(),
            "«{title}»: the PDF label of its first page (file page {page})"
        );
    }
    assert!(toc.chapter_pages.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn contents_parser_reads_numbers_and_wrapped_titles() {
    let text = "            المحتويات\n\
                4    مقدمة . . . . . . .\n\
                12   ........      عنوان\n\
                     طويل جدا\n\
                13   بقية العنوان . . . .\n\n\
                     ii\n";
    assert_eq!(
        entries(text),
        vec![
            Entry {
                title: "مقدمة".into(),
                number: 4
            },
            Entry {
                title: "عنوان".into(),
                number: 12
            },
            Entry {
                title: "طويلجدابقيةالعنوان".into(),
                number: 13
            },
        ]
    );
}

/// Object numbers of the pages, in order (`mutool show FILE pages`).
fn page_objects(pdf: &Path) -> Vec<u32> {
    run_ok("mutool", &["show", arg(pdf), "pages"])
        .lines()
        .filter_map(|l| l.split_once(" = "))
        .map(|(_, r)| refs(r)[0])
        .collect()
}

/// The object numbers of the `N 0 R` references in `s`, in order.
fn refs(s: &str) -> Vec<u32> {
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || "[]<>".contains(c))
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(3)
        .filter(|w| w[2] == "R" && w[1].parse::<u32>().is_ok())
        .filter_map(|w| w[0].parse().ok())
        .collect()
}

fn object(pdf: &Path, number: u32) -> String {
    run_ok("mutool", &["show", arg(pdf), &number.to_string()])
}

/// The text after `key` in a dictionary dump, up to the next key.
fn value<'a>(dict: &'a str, key: &str) -> Option<&'a str> {
    let at = dict.find(&format!("{key} "))? + key.len();
    let rest = &dict[at..];
    let end = rest[1..].find('/').map_or(rest.len(), |e| e + 1);
    // Arrays may hold names (`/XYZ`): take up to the closing bracket.
    if rest.trim_start().starts_with('[') {
        let close = rest.find(']')?;
        return Some(&rest[..=close]);
    }
    Some(&rest[..end])
}

/// The page (1-based) a `/Dest` value (an array, or a reference to one)
/// points at.
fn dest_page(pdf: &Path, dest: &str, pages: &[u32]) -> usize {
    let array = if dest.trim_start().starts_with('[') {
        dest.to_string()
    } else {
        object(pdf, refs(dest)[0])
    };
    let page = refs(&array)[0];
    pages
        .iter()
        .position(|&p| p == page)
        .unwrap_or_else(|| panic!("destination {array} is not a page"))
        + 1
}

#[test]
fn contents_entries_link_to_their_chapters() {
    let Some((pdf, toc)) = seed_toc(&["mutool"]) else {
        return;
    };
    let pages = page_objects(pdf);
    assert_eq!(pages.len(), common::page_count(pdf));
    let dict = object(pdf, pages[toc.toc_page - 1]);
    let annots = value(&dict, "/Annots")
        .unwrap_or_else(|| panic!("the contents page has no /Annots:\n{dict}"));
    let annots = if annots.trim_start().starts_with('[') {
        refs(annots)
    } else {
        refs(&object(pdf, refs(annots)[0]))
    };
    let mut targets = Vec::new();
    for annot in annots {
        let a = object(pdf, annot);
        if !a.contains("/Subtype /Link") {
            continue;
        }
        let dest = value(&a, "/Dest").unwrap_or_else(|| panic!("link without /Dest:\n{a}"));
        targets.push(dest_page(pdf, dest, &pages));
    }
    assert_eq!(
        targets, toc.chapter_pages,
        "pages the contents links go to vs pages the chapters start on"
    );
}

#[test]
fn outline_has_one_bookmark_per_chapter() {
    let Some((pdf, toc)) = seed_toc(&["mutool"]) else {
        return;
    };
    // Lines like `|<TAB>"title"<TAB>#page=4&zoom=…`; one tab before the
    // title for a top-level entry, more for nested ones.
    let outline = run_ok("mutool", &["show", arg(pdf), "outline"]);
    let top: Vec<(String, usize)> = outline
        .lines()
        .filter(|l| l.get(1..).is_some_and(|r| r.starts_with("\t\"")))
        .map(|l| {
            let title = l.split('"').nth(1).unwrap_or_default().to_string();
            let page = l
                .split("#page=")
                .nth(1)
                .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("outline entry without a page: {l}"));
            (title, page)
        })
        .collect();
    let wanted: Vec<(String, usize)> = toc
        .titles
        .iter()
        .cloned()
        .zip(toc.chapter_pages.iter().copied())
        .collect();
    assert_eq!(top, wanted, "top-level bookmarks vs chapters:\n{outline}");
}

/// The PDF's named destinations, in name order, with the page (1-based)
/// each leads to. Names are `(literal)` or `<hex>` (UTF-8) strings.
fn named_destinations(pdf: &Path) -> Vec<(String, usize)> {
    let pages = page_objects(pdf);
    let names = run_ok(
        "mutool",
        &["show", arg(pdf), "trailer/Root/Names/Dests/Names"],
    );
    let mut found = Vec::new();
    let mut rest = names.trim().trim_start_matches('[');
    while let Some(start) = rest.find(['(', '<']) {
        let (name, after) = if rest[start..].starts_with('(') {
            let (name, after) = rest[start + 1..].split_once(')').expect("a closed name");
            (name.to_string(), after)
        } else {
            let (hex, after) = rest[start + 1..].split_once('>').expect("a closed name");
            let bytes: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex digits"))
                .collect();
            (String::from_utf8(bytes).expect("a UTF-8 name"), after)
        };
        let end = after.find(" R").expect("a reference after the name") + 2;
        found.push((name, dest_page(pdf, &after[..end], &pages)));
        rest = &after[end..];
    }
    found
}

#[test]
fn every_chapter_is_a_named_destination_at_its_first_page() {
    let Some((pdf, toc)) = seed_toc(&["mutool"]) else {
        return;
    };
    let mut chapters: Vec<String> = std::fs::read_dir(common::seed_book())
        .expect("the seed book")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|n| n.strip_suffix(".md").map(str::to_string))
        .collect();
    chapters.sort();
    let wanted: Vec<(String, usize)> = chapters
        .into_iter()
        .zip(toc.chapter_pages.iter().copied())
        .collect();
    assert_eq!(named_destinations(pdf), wanted);
}

#[test]
fn sections_are_named_destinations_after_their_chapter_and_heading_id() {
    if !common::have_tools(&["mutool"]) {
        return;
    }
    let found = named_destinations(&common::showcase_pdf().pdf);
    let page = |name: &str| {
        found
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no destination named {name}: {found:?}"))
            .1
    };
    // «الجداول» opens the chapter; «الشيفرة» follows on the same page.
    let opening = page("02-tables");
    assert!(opening > 1);
    assert_eq!(page("02-tables#الجداول"), opening);
    assert_eq!(page("02-tables#الشيفرة"), opening);
}
