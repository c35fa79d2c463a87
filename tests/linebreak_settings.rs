//! `[layout] linebreak` and `hyphenate` in book.toml reach the paragraphs.

use warraq::diag::Warnings;
use warraq::fonts::FontLibrary;
use warraq::layout::page::{GlyphRun, Item, Pages};

const PARAGRAPH: &str = "Relations between Morocco and Kazakhstan have grown steadily since \
    the two countries established diplomatic ties, and the past decade has brought regular \
    consultations between their foreign ministries, agreements on investment protection and \
    the avoidance of double taxation, and a shared commitment to the peaceful settlement of \
    disputes. Both governments describe the partnership as strategic: they coordinate their \
    positions in multilateral organisations and support each other's candidacies.";

fn typeset(layout: &str) -> Pages {
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[book]\ntitle = \"Briefing\"\nlanguage = \"en\"\n[pdf]\npage = \"A6\"\n[layout]\n{layout}\n"
    );
    std::fs::write(dir.path().join("book.toml"), config).unwrap();
    std::fs::write(
        dir.path().join("01.md"),
        format!("# Briefing\n\n{PARAGRAPH}\n"),
    )
    .unwrap();
    let book = warraq::load::load(dir.path()).unwrap();
    let mut warnings = Warnings::default();
    let document = warraq::parse::parse(&book, &mut warnings).unwrap();
    warraq::layout::typeset(&document, &FontLibrary::builtin(), &mut warnings).unwrap()
}

fn runs(pages: &Pages) -> impl Iterator<Item = &GlyphRun> {
    pages
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .filter_map(|item| match item {
            Item::Glyphs(run) => Some(run),
            _ => None,
        })
}

/// Line-end hyphens: runs of their own whose text is the hyphen.
fn hyphens(pages: &Pages) -> usize {
    runs(pages).filter(|run| &*run.text == "-").count()
}

/// Where every glyph of the paragraph stands.
fn positions(pages: &Pages) -> Vec<(i32, i32, usize)> {
    runs(pages)
        .filter(|run| run.text.contains("Kazakhstan"))
        .flat_map(|run| {
            let mut x = run.x;
            run.glyphs.iter().map(move |g| {
                let at = (x.round() as i32, run.y.round() as i32, g.text.0);
                x += g.x_advance;
                at
            })
        })
        .collect()
}

#[test]
fn hyphenation_follows_the_book_setting() {
    assert!(hyphens(&typeset("hyphenate = true")) > 0);
    assert_eq!(hyphens(&typeset("hyphenate = false")), 0);
}

#[test]
fn the_line_breaking_method_follows_the_book_setting() {
    let total = typeset("linebreak = \"total-fit\"\nhyphenate = false");
    let first = typeset("linebreak = \"first-fit\"\nhyphenate = false");
    assert_eq!(positions(&total), positions(&typeset("hyphenate = false")));
    assert_ne!(positions(&total), positions(&first));
}

#[test]
fn titles_and_headings_keep_their_words_whole() {
    // A title and a heading of long words, on an A6 page: justified text
    // would hyphenate them (the paragraph above does); display text never.
    let dir = tempfile::tempdir().unwrap();
    let long = "Intergovernmental Telecommunications Interoperability Considerations";
    std::fs::write(
        dir.path().join("book.toml"),
        format!("[book]\ntitle = \"{long}\"\nlanguage = \"en\"\n[pdf]\npage = \"A6\"\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("01.md"),
        format!("# {long}\n\n## {long}\n\n{PARAGRAPH}\n"),
    )
    .unwrap();
    let book = warraq::load::load(dir.path()).unwrap();
    let mut warnings = Warnings::default();
    let document = warraq::parse::parse(&book, &mut warnings).unwrap();
    let pages = warraq::layout::typeset(&document, &FontLibrary::builtin(), &mut warnings).unwrap();
    let hyphenated: Vec<usize> = pages
        .pages
        .iter()
        .enumerate()
        .filter(|(_, page)| {
            page.items
                .iter()
                .any(|item| matches!(item, Item::Glyphs(run) if &*run.text == "-"))
        })
        .map(|(index, _)| index)
        .collect();
    // Only the body paragraph may be hyphenated; the cover, title page,
    // contents and the opening's headings (pages 0 to 3) are set whole.
    let heading_lines = runs(&pages)
        .filter(|run| run.text.contains("Interoperability"))
        .count();
    assert!(
        heading_lines >= 4,
        "title and headings are set: {heading_lines}"
    );
    assert!(
        hyphenated.iter().all(|&index| index > 3),
        "hyphens on pages {hyphenated:?}"
    );
}
