//! `[layout] linebreak` and `hyphenate` in book.toml reach the paragraphs.

use warraq::diag::Diagnostics;
use warraq::fonts::FontLibrary;
use warraq::layout::page::{GlyphRun, Item, Pages};

const PARAGRAPH: &str = "Relations between Morocco and Kazakhstan have grown steadily since \
    the two countries established diplomatic ties, and the past decade has brought regular \
    consultations between their foreign ministries, agreements on investment protection and \
    the avoidance of double taxation, and a shared commitment to the peaceful settlement of \
    disputes. Both governments describe the partnership as strategic: they coordinate their \
    positions in multilateral organisations and support each other's candidacies.";

/// An English A6 book titled `title`, with `[layout]` settings `layout`
/// and one chapter of `markdown`, laid out.
fn typeset_book(title: &str, layout: &str, markdown: &str) -> Pages {
    typeset_in("en", title, layout, markdown)
}

/// [`typeset_book`] in `language`.
fn typeset_in(language: &str, title: &str, layout: &str, markdown: &str) -> Pages {
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[book]\ntitle = \"{title}\"\nlanguage = \"{language}\"\n[pdf]\npage = \"A6\"\n[layout]\n{layout}\n"
    );
    std::fs::write(dir.path().join("book.toml"), config).unwrap();
    std::fs::write(dir.path().join("01.md"), markdown).unwrap();
    let book = warraq::load::load(dir.path()).unwrap();
    let mut warnings = Diagnostics::default();
    let document = warraq::parse::parse(&book, &mut warnings).unwrap();
    warraq::layout::typeset(&document, &FontLibrary::builtin(), &mut warnings).unwrap()
}

/// The briefing paragraph under a heading, with `[layout]` settings `layout`.
fn typeset(layout: &str) -> Pages {
    typeset_book("Briefing", layout, &format!("# Briefing\n\n{PARAGRAPH}\n"))
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
                let at = (x.round() as i32, run.y.round() as i32, g.start());
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
fn a_span_in_another_language_is_hyphenated_by_its_patterns() {
    // An Arabic book has no patterns of its own: English in it is
    // hyphenated only when marked as English.
    let arabic = |paragraph: &str, layout: &str| {
        typeset_in("ar", "موجز", layout, &format!("# موجز\n\n{paragraph}\n"))
    };
    let marked = format!("مقدمة: <span lang=\"en\">{PARAGRAPH}</span>");
    assert!(hyphens(&arabic(&marked, "hyphenate = true")) > 0);
    assert_eq!(hyphens(&arabic(&marked, "hyphenate = false")), 0);
    assert_eq!(
        hyphens(&arabic(&format!("مقدمة: {PARAGRAPH}"), "hyphenate = true")),
        0
    );
    // A stretch in a language without patterns keeps its words whole, in
    // a book whose own language has them.
    let unmarked = typeset("hyphenate = true");
    assert!(hyphens(&unmarked) > 0);
    let whole = typeset_book(
        "Briefing",
        "hyphenate = true",
        &format!("# Briefing\n\n<span lang=\"ar-Latn\">{PARAGRAPH}</span>\n"),
    );
    assert_eq!(hyphens(&whole), 0);
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
    let long = "Intergovernmental Telecommunications Interoperability Considerations";
    let pages = typeset_book(long, "", &format!("# {long}\n\n## {long}\n\n{PARAGRAPH}\n"));
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
    // The body paragraph is hyphenated, so the setting is on: display
    // text is whole because it is display text.
    assert!(
        !hyphenated.is_empty() && hyphenated.iter().all(|&index| index > 3),
        "hyphens on pages {hyphenated:?}"
    );
}
