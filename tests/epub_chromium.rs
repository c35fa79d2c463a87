//! The EPUB as a reading system built on a browser engine shows it: each
//! chapter of the seed and showcase books rendered in headless Chromium with
//! the EPUB's own stylesheet and fonts (`tests/ace/render.mjs`). Chromium's
//! DevTools say which font drew each element's text: a screenshot cannot
//! tell the embedded Amiri from an Amiri installed on the system, but
//! `isCustomFont` can. Arabic runs right to left, justified to both edges.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::browser::{build_epub, have_chromium, render, unzip_into};
use serde_json::Value;

/// A phone-sized page, in CSS pixels.
const WIDTH: u32 = 600;
const HEIGHT: u32 = 900;
/// How far a line box may fall short of the paragraph's edge and still be
/// flush with it (sub-pixel positions).
const FLUSH: f64 = 1.5;

fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}')
}

/// Builds `book`'s EPUB, unzips it and renders every chapter.
fn rendered(book: &Path, name: &str) -> Vec<Value> {
    let (epub, _) = build_epub(book, name);
    let dir = epub.with_extension("unzipped");
    unzip_into(&epub, &dir);
    let mut chapters: Vec<PathBuf> = std::fs::read_dir(dir.join("EPUB"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("chapter-") && n.ends_with(".xhtml"))
        })
        .collect();
    chapters.sort();
    assert!(!chapters.is_empty(), "{name}: no chapter in the EPUB");
    let report = render(&chapters, &dir.join("screenshots"), WIDTH, HEIGHT);
    let documents = report.as_array().expect("a list of documents").clone();
    assert_eq!(documents.len(), chapters.len());
    documents
}

/// Every element's fonts are the EPUB's own, Arabic elements run right to
/// left, and justified Arabic paragraphs fill every line but their last.
fn check_book(book: &Path, name: &str) {
    let mut glyphs: BTreeMap<(String, bool), u64> = BTreeMap::new();
    let mut arabic_elements = 0;
    let mut justified_lines = 0;
    for document in rendered(book, name) {
        let file = document["file"].as_str().unwrap().to_string();
        println!("{name}: screenshot {}", document["screenshot"]);
        for element in document["elements"].as_array().unwrap() {
            let text = element["text"].as_str().unwrap();
            let tag = element["tag"].as_str().unwrap();
            let fonts = element["fonts"]
                .as_array()
                .expect("fonts for every element");
            assert!(!fonts.is_empty(), "{file}: <{tag}> «{text}» drew no glyph");
            for font in fonts {
                let family = font["familyName"].as_str().unwrap().to_string();
                let custom = font["isCustomFont"].as_bool().unwrap();
                *glyphs.entry((family.clone(), custom)).or_default() +=
                    font["glyphCount"].as_u64().unwrap();
                assert!(
                    custom,
                    "{file}: <{tag}> «{text}» is drawn in part with the system font {family}, \
                     not an embedded one"
                );
            }
            let first_strong = text.chars().find(|c| c.is_alphabetic());
            if !first_strong.is_some_and(is_arabic) {
                continue;
            }
            arabic_elements += 1;
            assert_eq!(element["direction"], "rtl", "{file}: <{tag}> «{text}»");
            if tag == "p" && element["textAlign"] == "justify" && element["hasBreak"] == false {
                justified_lines += check_justified(&file, text, element);
            }
        }
    }
    println!("{name}: {arabic_elements} Arabic elements, {justified_lines} justified lines");
    println!("{name}: glyphs by (font, embedded): {glyphs:?}");
    assert!(arabic_elements > 0, "{name}: no Arabic text was rendered");
    assert!(
        justified_lines > 0,
        "{name}: no justified line was measured"
    );
}

/// The line boxes of a justified right-to-left paragraph: every line but the
/// last reaches both edges; the last starts at the right one. Returns the
/// number of full lines.
fn check_justified(file: &str, text: &str, element: &Value) -> usize {
    let edge = |v: &Value, side: &str| v[side].as_f64().unwrap();
    let (left, right) = (
        edge(&element["box"], "left"),
        edge(&element["box"], "right"),
    );
    // Inline pieces (links, notes) split a line into several rectangles:
    // one extent per line, keyed by its top.
    let mut lines: BTreeMap<i64, (f64, f64)> = BTreeMap::new();
    for piece in element["lines"].as_array().unwrap() {
        let top = edge(piece, "top").round() as i64;
        let key = lines
            .keys()
            .copied()
            .find(|k| (k - top).abs() <= 4)
            .unwrap_or(top);
        let extent = lines.entry(key).or_insert((f64::MAX, f64::MIN));
        extent.0 = extent.0.min(edge(piece, "left"));
        extent.1 = extent.1.max(edge(piece, "right"));
    }
    let extents: Vec<(f64, f64)> = lines.into_values().collect();
    let Some((last, full)) = extents.split_last() else {
        return 0;
    };
    for (n, (line_left, line_right)) in full.iter().enumerate() {
        assert!(
            *line_left - left <= FLUSH && right - *line_right <= FLUSH,
            "{file}: line {} of «{text}» spans {line_left}..{line_right}, not the paragraph's {left}..{right}",
            n + 1
        );
    }
    assert!(
        right - last.1 <= FLUSH,
        "{file}: the last line of «{text}» does not start at the right edge ({} < {right})",
        last.1
    );
    full.len()
}

#[test]
fn seed_book_renders_with_its_own_fonts() {
    if !have_chromium() {
        return;
    }
    check_book(&common::seed_book(), "seed");
}

#[test]
fn showcase_book_renders_with_its_own_fonts() {
    if !have_chromium() {
        return;
    }
    check_book(&common::showcase_book(), "showcase");
}
