//! The EPUB's page-list against the PDF it comes from: every numbered page
//! of the PDF has one page break marker in the EPUB, in page order, with
//! the page's label as pdf.js reads it from the PDF, at the words the page
//! begins with as pdf.js extracts them.

use crate::common;

use std::path::Path;

use common::generate::{self, BookSpec, Script};
use quick_xml::Reader;
use quick_xml::events::Event;

/// A page break marker of the EPUB and the text after it.
#[derive(Debug)]
struct Marker {
    /// The PDF page it stands for (0-based), from its id.
    page: usize,
    label: String,
    /// The words after it, up to the next marker (at most [`WORDS`]).
    words: Vec<String>,
    /// In the title page or the navigation document, not a chapter: it
    /// opens the document (the navigation's contents is not the PDF's, and
    /// the title page repeats the cover), so its words are not compared.
    front: bool,
}

/// How many words after a marker are looked for on its page.
const WORDS: usize = 4;

/// A page of the PDF as pdf.js reads it.
#[derive(Debug)]
struct PdfPage {
    label: String,
    lines: Vec<String>,
}

/// What a word is compared by: no format characters (bidi controls, the
/// joiners the PDF's text layer draws, soft hyphens), no punctuation at
/// its ends, Arabic-Indic and Persian digits as Western ones (PDF page
/// labels know only those).
fn normal(word: &str) -> String {
    let kept: String = word
        .chars()
        .filter(|&c| !common::is_bidi_control(c))
        .filter(|c| {
            !matches!(
                c,
                '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{00AD}' | '\u{0640}'
            )
        })
        .map(|c| match c {
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            c => c,
        })
        .collect();
    kept.trim_matches(|c: char| !c.is_alphanumeric())
        .to_string()
}

/// A line's words, each [`normal`], with single spaces.
fn normal_line(line: &str) -> String {
    line.split_whitespace()
        .map(normal)
        .collect::<Vec<_>>()
        .join(" ")
}

fn pdf_pages(pdf: &Path) -> Vec<PdfPage> {
    let script = common::repo().join("tests/pdfjs/pages.mjs");
    let out = common::run_ok("node", &[common::arg(&script), common::arg(pdf)]);
    out.split('\u{c}')
        .filter(|page| !page.is_empty())
        .map(|page| {
            let mut lines = page.split('\n');
            PdfPage {
                label: lines.next().unwrap_or_default().to_string(),
                lines: lines.map(str::to_string).collect(),
            }
        })
        .collect()
}

/// The content documents of the EPUB in spine order, by href.
fn spine(files: &[(String, bool, Vec<u8>)]) -> Vec<String> {
    let opf = common::epub::entry(files, "EPUB/package.opf");
    let mut hrefs = std::collections::HashMap::new();
    let mut order = Vec::new();
    let mut reader = Reader::from_str(&opf);
    loop {
        match reader.read_event().unwrap() {
            Event::Empty(e) | Event::Start(e) => {
                let attr = |name: &str| {
                    e.try_get_attribute(name).unwrap().map(|a| {
                        a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .unwrap()
                            .into_owned()
                    })
                };
                match e.name().as_ref() {
                    "item" => {
                        hrefs.insert(attr("id").unwrap(), attr("href").unwrap());
                    }
                    "itemref" => order.push(attr("idref").unwrap()),
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    order
        .iter()
        .map(|id| format!("EPUB/{}", hrefs[id]))
        .collect()
}

/// The page break markers of the content documents `documents`, in order.
fn markers(files: &[(String, bool, Vec<u8>)], documents: &[String]) -> Vec<Marker> {
    let mut markers: Vec<Marker> = Vec::new();
    for name in documents {
        let xhtml = common::epub::entry(files, name);
        let mut reader = Reader::from_str(&xhtml);
        // The text after the document's last marker.
        let mut text = String::new();
        let mut in_footnotes = false;
        let first_here = markers.len();
        let take = |markers: &mut Vec<Marker>, text: &str| {
            if let Some(last) = markers.get_mut(first_here..).and_then(|m| m.last_mut()) {
                last.words = text
                    .split_whitespace()
                    .map(normal)
                    .filter(|w| !w.is_empty())
                    .take(WORDS)
                    .collect();
            }
        };
        loop {
            let event = reader.read_event().unwrap();
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    let attr = |name: &str| {
                        e.try_get_attribute(name).unwrap().map(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .unwrap()
                                .into_owned()
                        })
                    };
                    if attr("class").is_some_and(|c| c == "footnotes") {
                        // Notes print at the foot of their pages: not
                        // where a page begins.
                        in_footnotes = true;
                    }
                    if attr("role").as_deref() == Some("doc-pagebreak") {
                        assert_eq!(attr("epub:type").as_deref(), Some("pagebreak"));
                        take(&mut markers, &text);
                        text.clear();
                        let id = attr("id").unwrap();
                        let page = id
                            .strip_prefix("print-page-")
                            .and_then(|n| n.parse().ok())
                            .unwrap_or_else(|| panic!("{name}: marker id {id}"));
                        markers.push(Marker {
                            page,
                            label: attr("aria-label").unwrap(),
                            words: Vec::new(),
                            front: !name.contains("chapter-"),
                        });
                    } else if e.name().as_ref() == "img" && !in_footnotes {
                        // A picture's alt text is its caption in print.
                        text.push(' ');
                        text.push_str(&attr("alt").unwrap_or_default());
                        text.push(' ');
                    } else if matches!(e.name().as_ref(), "p" | "td" | "th" | "li" | "br") {
                        text.push(' ');
                    }
                }
                Event::Text(t) if !in_footnotes => {
                    text.push_str(&t.xml10_content());
                }
                Event::GeneralRef(r) if !in_footnotes => {
                    let c = r.resolve_char_ref().unwrap();
                    let name: &str = r;
                    let entity = quick_xml::escape::resolve_predefined_entity(name);
                    text.push_str(&c.map(String::from).or(entity.map(str::to_string)).unwrap());
                }
                Event::Eof => break,
                _ => {}
            }
        }
        take(&mut markers, &text);
    }
    markers
}

/// Checks the EPUB's page breaks against the PDF of `book`; returns how
/// many markers were checked against their page's words.
fn check(book: &Path, out: &str) -> usize {
    let built = common::build(book, out);
    let files = common::epub::unzip(&std::fs::read(built.epub()).unwrap());
    let documents = spine(&files);
    let markers = markers(&files, &documents);
    let pages = pdf_pages(&built.pdf);
    let what = book.display();

    // One marker for every numbered page (labelled with digits or roman
    // numerals; the others are named: the cover, unnumbered front
    // matter), in page order.
    let numbered: Vec<usize> = (0..pages.len())
        .filter(|&i| {
            let label = &pages[i].label;
            !label.is_empty()
                && (label.chars().all(|c| c.is_ascii_digit())
                    || label.chars().all(|c| "ivxlcdm".contains(c)))
        })
        .collect();
    let marked: Vec<usize> = markers.iter().map(|m| m.page).collect();
    assert_eq!(
        marked, numbered,
        "{what}: markers (in reading order) vs numbered pages"
    );

    // The page-list lists them all, in the same order, with their labels.
    let nav = common::epub::entry(&files, "EPUB/nav.xhtml");
    let list = nav
        .split("epub:type=\"page-list\"")
        .nth(1)
        .unwrap_or_else(|| panic!("{what}: no page-list in nav.xhtml"));
    let listed: Vec<&str> = list
        .split("#print-page-")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .collect();
    let marked_ids: Vec<String> = marked.iter().map(|p| p.to_string()).collect();
    assert_eq!(listed, marked_ids, "{what}: page-list vs markers");

    let (mut checked, mut at_start) = (0, 0);
    for marker in &markers {
        let page = &pages[marker.page];
        assert_eq!(
            normal(&marker.label),
            page.label,
            "{what}: label of PDF page {}",
            marker.page + 1
        );
        if marker.front {
            continue;
        }
        // A page without words of its own (a blank page, a full-bleed
        // picture) has its marker before the next page's.
        let lines: Vec<String> = page
            .lines
            .iter()
            .map(|line| normal_line(line))
            .filter(|line| !line.is_empty())
            .collect();
        if lines.is_empty() {
            continue;
        }
        assert!(
            !marker.words.is_empty(),
            "{what}: no words after the marker of page {} (it begins «{}»)",
            marker.page + 1,
            lines[0]
        );
        // The page's first line, or, when that repeats a line of the page
        // before (a table's head row set again), the first that does not.
        let previous: Vec<String> = pages[marker.page - 1]
            .lines
            .iter()
            .map(|line| normal_line(line))
            .collect();
        let mut starts = vec![0];
        if previous.contains(&lines[0]) {
            starts.extend(lines.iter().position(|line| !previous.contains(line)));
        }
        // pdf.js reorders a line of mixed directions word by word, runs a
        // table row's cells together, and may join a paragraph's short
        // last line to the next: the first word after the marker is in
        // the page's first line, the next ones in it or the lines after.
        let found = |at: usize| {
            let opening = lines[at..]
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(" ");
            lines[at].contains(marker.words[0].as_str())
                && marker.words.iter().all(|w| opening.contains(w.as_str()))
        };
        let Some(&at) = starts.iter().find(|&&at| found(at)) else {
            panic!(
                "{what}: page {} begins «{}» in the PDF, at «{}» in the EPUB",
                marker.page + 1,
                lines[0],
                marker.words.join(" ")
            );
        };
        // Mostly right at its start: the first word begins the line (or
        // the first cell of a row), or ends with the line's first word
        // (the second half of a hyphenated word).
        let word = &marker.words[0];
        let first_word = lines[at].split(' ').next().unwrap_or_default();
        if lines[at].starts_with(word.as_str()) || word.ends_with(first_word) {
            at_start += 1;
        }
        checked += 1;
    }
    println!(
        "{what}: {} numbered pages, {} markers; {checked} checked against their page's first \
         line as pdf.js extracts it, {at_start} at its very start",
        numbered.len(),
        markers.len()
    );
    assert!(
        at_start * 10 >= checked * 9,
        "{what}: only {at_start} of {checked} markers at their page's first word"
    );
    checked
}

#[test]
fn every_printed_page_begins_at_its_marker_in_the_epub() {
    if !(common::have_pdfjs() && common::have_tools(&["node"])) {
        return;
    }
    let mut checked = 0;
    for (book, out) in [
        (common::seed_book(), "pagelist-seed"),
        (common::showcase_book(), "pagelist-showcase"),
        (common::english_book(), "pagelist-english"),
        (common::repo().join("tests/books/plates"), "pagelist-plates"),
    ] {
        checked += check(&book, out);
    }
    let dir = tempfile::tempdir().unwrap();
    let spec = BookSpec {
        cover: true,
        ..BookSpec::new(Script::Arabic, 40)
    };
    generate::write_book(dir.path(), &spec).unwrap();
    checked += check(dir.path(), "pagelist-generated");
    assert!(checked > 100, "only {checked} pages checked");
}

/// The package says the EPUB has the print edition's page numbers and
/// markers, and names that edition: by its ISBN when the book has one.
#[test]
fn the_package_names_the_print_edition_the_pages_are_of() {
    let meta = |opf: &str, property: &str| -> Vec<String> {
        opf.split(&format!("<meta property=\"{property}\">"))
            .skip(1)
            .map(|rest| rest.split("</meta>").next().unwrap().to_string())
            .collect()
    };
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("isbn");
    std::fs::create_dir(&book).unwrap();
    common::write_files(
        &book,
        &[
            (
                "book.toml",
                "[book]\ntitle = \"كتاب\"\nlanguage = \"ar\"\nisbn = \"978-3-16-148410-0\"\n"
                    .as_bytes(),
            ),
            ("01.md", "# فصل\n\nنص الفصل.\n".as_bytes()),
        ],
    );
    for (book, out, source) in [
        (book, "pagelist-isbn", "urn:isbn:9783161484100".to_string()),
        (
            common::seed_book(),
            "pagelist-seed-package",
            format!(
                "{} (print edition)",
                common::toml_title(&common::seed_book())
            ),
        ),
    ] {
        let built = common::build(&book, out);
        let files = common::epub::unzip(&std::fs::read(built.epub()).unwrap());
        let opf = common::epub::entry(&files, "EPUB/package.opf");
        let features = meta(&opf, "schema:accessibilityFeature");
        for feature in ["printPageNumbers", "pageBreakMarkers"] {
            assert!(
                features.iter().any(|f| f == feature),
                "{feature}: {features:?}"
            );
        }
        assert_eq!(meta(&opf, "pageBreakSource"), [source], "{opf}");
    }
    // An EPUB made without a print edition claims neither.
    let document = common::epub::arabic_document();
    let bytes = warraq::epub::write(
        &document,
        &warraq::fonts::FontLibrary::builtin(),
        None,
        &mut Default::default(),
    )
    .unwrap();
    let opf = common::epub::entry(&common::epub::unzip(&bytes), "EPUB/package.opf");
    assert!(
        !opf.contains("printPageNumbers") && !opf.contains("pageBreakSource"),
        "{opf}"
    );
}
