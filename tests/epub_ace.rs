//! Ace by DAISY, the EPUB accessibility checker publishers and stores use
//! (axe-core's WCAG rules in Chromium, plus EPUB-specific checks), finds no
//! violation in the seed book or in the books that use the most Markdown
//! features; and it does find the one a picture without alt text makes, so
//! a clean report means something.

use crate::common;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::Path;

use common::browser::{ace, build_epub, have_ace};
use serde_json::Value;

/// Ace's violations in `report`: (impact, rule, document) for each.
fn violations(report: &Value) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    for document in report["assertions"].as_array().expect("assertions") {
        let url = document["earl:testSubject"]["url"]
            .as_str()
            .unwrap_or("?")
            .to_string();
        for assertion in document["assertions"].as_array().into_iter().flatten() {
            let test = &assertion["earl:test"];
            found.push((
                test["earl:impact"].as_str().unwrap_or("?").to_string(),
                test["dct:title"].as_str().unwrap_or("?").to_string(),
                url.clone(),
            ));
        }
    }
    found
}

/// The accessibility metadata Ace found (`present`) or misses (`missing`).
fn metadata(report: &Value, kind: &str) -> Vec<String> {
    report["a11y-metadata"][kind]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(String::from))
        .collect()
}

/// Runs Ace on `epub` and prints its figures for the log.
fn check(name: &str, epub: &Path) -> Value {
    let report = ace(epub, &common::scratch().join(format!("ace-{name}")));
    let mut by_impact: BTreeMap<String, usize> = BTreeMap::new();
    for (impact, _, _) in violations(&report) {
        *by_impact.entry(impact).or_default() += 1;
    }
    println!(
        "Ace {name}: outcome {}, {} documents checked, violations by impact {by_impact:?}\n  \
         metadata present {:?}\n  metadata missing {:?}",
        report["earl:result"]["earl:outcome"],
        report["assertions"].as_array().map_or(0, Vec::len),
        metadata(&report, "present"),
        metadata(&report, "missing"),
    );
    report
}

#[test]
fn ace_finds_no_violation() {
    if !have_ace() {
        return;
    }
    let books = [
        ("seed", common::seed_book()),
        ("showcase", common::showcase_book()),
        ("markdown", common::repo().join("tests/books/markdown")),
    ];
    for (name, book) in books {
        let (epub, _) = build_epub(&book, name);
        let report = check(name, &epub);
        assert_eq!(violations(&report), [], "Ace on the {name} book");
        assert_eq!(
            report["earl:result"]["earl:outcome"], "pass",
            "Ace on the {name} book"
        );
        // What warraq writes for every book.
        let present = metadata(&report, "present");
        for property in [
            "schema:accessMode",
            "schema:accessModeSufficient",
            "schema:accessibilityFeature",
            "schema:accessibilityHazard",
            "schema:accessibilitySummary",
            "dcterms:conformsTo",
        ] {
            assert!(
                present.iter().any(|p| p == property),
                "{name}: Ace does not find {property}: {present:?}"
            );
        }
    }
}

/// The showcase EPUB with every `alt` attribute taken out: Ace must report
/// it (axe's `image-alt`, a critical violation).
#[test]
fn ace_reports_pictures_without_alt() {
    if !have_ace() {
        return;
    }
    let (epub, _) = build_epub(&common::showcase_book(), "showcase-control");
    let files = common::epub::unzip(&std::fs::read(&epub).unwrap());
    let pictures_in = |data: &[u8]| String::from_utf8_lossy(data).matches(" alt=\"").count();
    assert!(
        files.iter().any(|(_, _, data)| pictures_in(data) > 0),
        "the showcase book has no picture to take the alt text from"
    );
    let broken = epub.with_file_name("no-alt.epub");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&broken).unwrap());
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, _, data) in &files {
        zip.start_file(name.as_str(), stored).unwrap();
        let data = match name.ends_with(".xhtml") {
            true => without_alt(&String::from_utf8_lossy(data)).into_bytes(),
            false => data.clone(),
        };
        zip.write_all(&data).unwrap();
    }
    zip.finish().unwrap();

    let report = check("no-alt", &broken);
    let found = violations(&report);
    assert!(
        found
            .iter()
            .any(|(impact, rule, _)| impact == "critical" && rule == "image-alt"),
        "Ace did not report the pictures without alt text: {found:?}"
    );
}

/// `xhtml` with every ` alt="…"` attribute removed.
fn without_alt(xhtml: &str) -> String {
    let mut out = String::new();
    let mut rest = xhtml;
    while let Some(start) = rest.find(" alt=\"") {
        out.push_str(&rest[..start]);
        let value = &rest[start + 6..];
        rest = &value[value.find('"').map_or(value.len(), |end| end + 1)..];
    }
    out.push_str(rest);
    out
}
