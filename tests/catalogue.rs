//! Books too big for comfort, built end to end by the `warraq` binary as a
//! user would: ten thousand chapters, and one paragraph of 10 MB. Each
//! must build with no error and no warning, and come out whole, as
//! outside tools read it (qpdf's outline, pdftotext, the EPUB's files).
//! How long they take is measured in the benchmarks, not here.

use crate::common;

use std::path::Path;

/// Builds `book` into `out`, asserting it succeeds without a warning.
fn build_quietly(book: &Path, out: &Path) {
    let output = common::warraq()
        .arg("build")
        .arg(book)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
}

/// The titles of the PDF's outline, depth first, as qpdf reads them.
fn outline_titles(pdf: &Path) -> Vec<String> {
    fn walk(items: &serde_json::Value, out: &mut Vec<String>) {
        for item in items.as_array().into_iter().flatten() {
            out.extend(item["title"].as_str().map(String::from));
            walk(&item["kids"], out);
        }
    }
    let json = common::run_ok("qpdf", &["--json", "--json-key=outlines", common::arg(pdf)]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let mut titles = Vec::new();
    walk(&json["outlines"], &mut titles);
    titles
}

#[test]
fn ten_thousand_chapters_build_whole() {
    const CHAPTERS: usize = 10_000;
    if !common::have_tools(&["qpdf", "pdftotext", "pdfinfo"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("many");
    std::fs::create_dir(&book).unwrap();
    let title = |n: usize| format!("الفصل {n}");
    for n in 1..=CHAPTERS {
        let text = format!("# {}\n\nنص الفصل رقم {n}.\n", title(n));
        std::fs::write(book.join(format!("{n:05}.md")), text).unwrap();
    }
    let out = dir.path().join("out");
    build_quietly(&book, &out);

    // The PDF: every chapter in the outline, in order, and the last one
    // on the last page.
    let pdf = out.join("many.pdf");
    let wanted: Vec<String> = (1..=CHAPTERS).map(title).collect();
    assert_eq!(outline_titles(&pdf), wanted);
    let last = common::page_count(&pdf);
    let text = common::pdftotext(&pdf, Some((last, last)), false);
    let squashed: String = text.chars().filter(|c| c.is_alphanumeric()).collect();
    assert!(squashed.contains("نصالفصلرقم10000"), "{text:?}");

    // The EPUB: every chapter a document of its own, each in the
    // navigation, in order.
    let epub = out.join("many.epub");
    let files = common::epub::unzip(&std::fs::read(&epub).unwrap());
    let documents = files
        .iter()
        .filter(|(name, _, _)| name.starts_with("EPUB/chapter-"))
        .count();
    assert_eq!(documents, CHAPTERS);
    let nav = common::epub::entry(&files, "EPUB/nav.xhtml");
    let mut from = 0;
    for title in &wanted {
        let at = nav[from..]
            .find(&format!(">{title}<"))
            .unwrap_or_else(|| panic!("{title} is not in the navigation after byte {from}"));
        from += at + title.len();
    }
}

/// The widths of the text lines of `page`, as `pdftotext -bbox-layout`
/// reads them.
fn line_widths(pdf: &Path, page: usize) -> Vec<f64> {
    let page = page.to_string();
    let xml = common::run_ok(
        "pdftotext",
        &[
            "-f",
            &page,
            "-l",
            &page,
            "-bbox-layout",
            common::arg(pdf),
            "-",
        ],
    );
    let attribute = |line: &str, name: &str| -> f64 {
        let value = line.split(&format!("{name}=\"")).nth(1).unwrap_or_default();
        value.split('"').next().unwrap_or_default().parse().unwrap()
    };
    xml.lines()
        .map(str::trim)
        .filter(|line| line.starts_with("<line "))
        .map(|line| attribute(line, "xMax") - attribute(line, "xMin"))
        .collect()
}

#[test]
fn a_ten_megabyte_paragraph_builds_whole() {
    const WORDS: usize = 1_000_000;
    if !common::have_tools(&["pdftotext", "pdfinfo"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("long");
    std::fs::create_dir(&book).unwrap();
    // Ten bytes a word: «كلمة» is eight, and a space; one word in ten is
    // Latin, so the paragraph's every line mixes directions.
    let mut text = String::from("# فقرة طويلة\n\nبداية");
    for n in 0..WORDS {
        text.push_str(if n % 10 == 9 {
            " wordplay"
        } else {
            " كلمة"
        });
    }
    text.push_str(" نهاية\n");
    assert!(text.len() > 9_000_000);
    std::fs::write(book.join("01.md"), &text).unwrap();
    let out = dir.path().join("out");
    build_quietly(&book, &out);

    let pdf = out.join("long.pdf");
    let pages = common::page_count(&pdf);
    // Some 350 of these short words a page.
    assert!(pages > WORDS / 500, "{pages} pages");
    let first_and_last = [(3..=6, "بداية"), (pages - 1..=pages, "نهاية")];
    for (range, word) in first_and_last {
        let text = common::pdftotext(&pdf, Some((*range.start(), *range.end())), false);
        assert!(text.contains(word), "pages {range:?}: {text:.400}");
    }
    // Lines near the end are measured as exactly as near the start: the
    // widest, a justified line, is as wide as an early page's (a running
    // sum of glyph widths in `f32` had drifted by points by then, and set
    // them overfull).
    let widest = |page: usize| line_widths(&pdf, page).into_iter().fold(0.0f64, f64::max);
    let measure = widest(5);
    for page in [pages / 2, pages - 2] {
        let late = widest(page);
        assert!(
            late <= measure + 0.5,
            "page {page}: a line {late} pt wide, page 5: {measure} pt"
        );
    }
    let epub = out.join("long.epub");
    let files = common::epub::unzip(&std::fs::read(&epub).unwrap());
    let (chapter, _, _) = files
        .iter()
        .find(|(name, _, _)| name.starts_with("EPUB/chapter-"))
        .unwrap();
    let xhtml = common::epub::entry(&files, chapter);
    assert_eq!(xhtml.matches("كلمة").count(), WORDS - WORDS / 10);
    assert!(xhtml.contains("بداية") && xhtml.contains("نهاية"));
}
