//! Links in running text are clickable in the PDF, as in the EPUB: a web
//! address opens it, a link to another chapter's heading turns to that
//! page. Read back with `mutool show` (the link annotations) and
//! `pdftotext -bbox` (where the linked words are), on the showcase book,
//! whose first chapter says «انظر [الفصل الثاني](02-tables.md#الجداول) أو
//! الموقع <https://example.org/warraq>».

use crate::common;

use common::{Area, Leads, link_annotations, page_object, word_areas};

#[test]
fn links_in_running_text_are_clickable() {
    if !common::have_tools(&["mutool", "pdftotext", "pdfinfo"]) {
        return;
    }
    let built = common::build_pdf(&common::showcase_book(), "links-showcase");
    let pdf = &built.pdf;
    let typeset = common::typeset(&common::showcase_book());
    let page = typeset
        .page_with("انظر الفصل الثاني")
        .expect("the linking paragraph")
        + 1;
    // The link leads to the section «الجداول»: the one page of the PDF
    // with a line that says just that, as pdftotext reads it.
    let headed: Vec<usize> = (1..=common::page_count(pdf))
        .filter(|&p| {
            common::pdftotext(pdf, Some((p, p)), true)
                .lines()
                .any(|line| common::squash(line) == "الجداول")
        })
        .collect();
    let [target] = headed[..] else {
        panic!("pages with the heading «الجداول»: {headed:?}");
    };
    let links = link_annotations(pdf, page);
    let words = word_areas(pdf, page);
    // Left-to-right words come back turned round too.
    let turned = |w: &str| w.chars().rev().collect::<String>();
    let area_of = |word: &str| {
        words
            .iter()
            .find(|(w, _)| w.contains(word) || turned(w).contains(word))
            .map(|(_, a)| *a)
            .unwrap_or_else(|| panic!("no word {word:?} on page {page}: {words:?}"))
    };
    let leading = |leads: &Leads| -> Vec<Area> {
        links
            .iter()
            .filter(|(l, _)| l == leads)
            .map(|(_, a)| *a)
            .collect()
    };

    let web = leading(&Leads::Uri("https://example.org/warraq".into()));
    let address = area_of("example.org");
    assert!(
        web.iter().any(|a| a.holds_centre_of(&address)),
        "no link over the address {address:?}: {links:?}"
    );
    let chapter = leading(&Leads::Page(page_object(pdf, target)));
    for word in ["الفصل", "الثاني"] {
        let area = area_of(word);
        assert!(
            chapter.iter().any(|a| a.holds_centre_of(&area)),
            "no link to page {target} over «{word}» {area:?}: {links:?}"
        );
    }
    // Nothing else on the page is a link: «انظر» is not.
    let plain = area_of("انظر");
    assert!(
        !links.iter().any(|(_, a)| a.holds_centre_of(&plain)),
        "{links:?}"
    );
}

/// A link to a place on its own page, and chapters that link to each
/// other, are clickable too. The PDF draws a page once the pages its
/// links lead to are drawn (it names them by where they stand in the
/// drawing order): a page that waited for itself, or two that waited for
/// each other, were drawn at the end with those links left out.
#[test]
fn links_to_their_own_page_and_between_chapters_both_ways_are_kept() {
    if !common::have_tools(&["mutool"]) {
        return;
    }
    let book = common::folder(&[
        (
            "book.toml",
            b"[book]\ntitle = \"links\"\nlanguage = \"ar\"\n",
        ),
        (
            "01-first.md",
            "# الأول\n\n## هنا {#here}\n\nانظر [هذا القسم](#here) و[الفصل الثاني](02-second.md).\n"
                .as_bytes(),
        ),
        (
            "02-second.md",
            "# الثاني\n\nارجع إلى [الفصل الأول](01-first.md).\n".as_bytes(),
        ),
    ]);
    let built = common::build_pdf(book.path(), "links-both-ways");
    let typeset = common::typeset(book.path());
    let page_of = |words: &str| typeset.page_with(words).expect(words) + 1;
    let (first, second) = (page_of("انظر هذا القسم"), page_of("ارجع إلى"));
    assert_ne!(first, second);
    let leads = |page: usize| -> Vec<Leads> {
        let mut leads: Vec<Leads> = link_annotations(&built.pdf, page)
            .into_iter()
            .map(|(leads, _)| leads)
            .collect();
        leads.sort_by_key(|leads| format!("{leads:?}"));
        leads.dedup();
        leads
    };
    let object = |page| Leads::Page(page_object(&built.pdf, page));
    let mut expected = vec![object(first), object(second)];
    expected.sort_by_key(|leads| format!("{leads:?}"));
    assert_eq!(leads(first), expected, "page {first}'s links");
    assert_eq!(leads(second), vec![object(first)], "page {second}'s links");
}
