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
/// other, are clickable too. The PDF makes a page's links once the pages
/// they lead to are drawn (it names them by where they stand in the
/// drawing order): when it held the page instead, a page that waited for
/// itself, or two that waited for each other, were drawn at the end with
/// those links left out.
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

/// A page with a link to a later chapter is drawn as it comes, its link
/// made once that chapter's page is drawn: it is not held until then (a
/// book whose pages link to its last chapter held those pages to the end,
/// a fifth more time and memory on 1,600 chapters). krilla numbers the
/// pages' objects in the order the pages are drawn, so from the first
/// chapter on they follow the book's order; the link still leads to the
/// later chapter's first page.
#[test]
fn a_page_that_links_ahead_is_drawn_as_it_comes() {
    if !common::have_tools(&["mutool", "pdfinfo"]) {
        return;
    }
    let paragraphs = |n: usize| format!("{}\n\n", common::ARABIC_SENTENCE).repeat(n);
    let book = common::folder(&[
        (
            "book.toml",
            "[book]\ntitle = \"روابط\"\nlanguage = \"ar\"\n".as_bytes(),
        ),
        (
            "01-first.md",
            format!(
                "# البداية\n\nانظر [الخاتمة](03-last.md) في آخره.\n\n{}",
                paragraphs(3)
            )
            .as_bytes(),
        ),
        (
            "02-middle.md",
            format!("# الوسط\n\n{}", paragraphs(40)).as_bytes(),
        ),
        ("03-last.md", "# الخاتمة\n\nنص الخاتمة.\n".as_bytes()),
    ]);
    let built = common::build_pdf(book.path(), "links-ahead");
    let pdf = &built.pdf;
    let typeset = common::typeset(book.path());
    let linking = typeset.page_with("انظر الخاتمة").expect("the linking page") + 1;
    let target = typeset.page_with("نص الخاتمة").expect("the last chapter") + 1;
    let pages = common::page_count(pdf);
    assert!(
        target > linking + 2,
        "the middle chapter takes pages between: {linking} → {target}"
    );
    let links = link_annotations(pdf, linking);
    assert!(
        links
            .iter()
            .any(|(leads, _)| *leads == Leads::Page(page_object(pdf, target))),
        "page {linking} has no link to page {target}: {links:?}"
    );
    let objects: Vec<u32> = (linking..=pages)
        .map(|page| page_object(pdf, page).parse().expect("an object number"))
        .collect();
    assert!(
        objects.windows(2).all(|pair| pair[0] < pair[1]),
        "pages {linking}–{pages} were not drawn in order: objects {objects:?}"
    );
}
