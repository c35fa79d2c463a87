//! Page furniture in the page model: running heads (which text, on which
//! pages, on which side of the spine), folios (where, in which digits),
//! front-matter numbering, and chapters opening on a recto.

use crate::common;

use common::{ARABIC_SENTENCE, generated_book};

use warraq::diag::Diagnostics;
use warraq::doc::Document;
use warraq::fonts::FontLibrary;
use warraq::layout::page::{GlyphRun, Item, NumberStyle, Page, PageKind, Pages};

const POINTS_PER_MM: f32 = 72.0 / 25.4;

fn typeset(dir: &tempfile::TempDir) -> (Document, Pages) {
    let book = warraq::load::load(dir.path()).unwrap();
    let mut warnings = Diagnostics::default();
    let document = warraq::parse::parse(&book, &mut warnings).unwrap();
    let pages = warraq::layout::typeset(&document, &FontLibrary::builtin(), &mut warnings).unwrap();
    (document, pages)
}

fn runs(page: &Page) -> impl Iterator<Item = &GlyphRun> {
    page.items.iter().filter_map(|item| match item {
        Item::Glyphs(run) => Some(run),
        _ => None,
    })
}

/// Runs set above the text area: the running head.
fn head_runs<'a>(document: &Document, page: &'a Page) -> Vec<&'a GlyphRun> {
    let top = document.page.margin_top_mm * POINTS_PER_MM;
    runs(page).filter(|run| run.y < top).collect()
}

/// Runs set below the text area: the folio.
fn foot_runs<'a>(document: &Document, pages: &Pages, page: &'a Page) -> Vec<&'a GlyphRun> {
    let bottom = pages.height - document.page.margin_bottom_mm * POINTS_PER_MM;
    runs(page).filter(|run| run.y > bottom).collect()
}

/// The text of the head, if the page has one.
fn head_text(document: &Document, page: &Page) -> Option<String> {
    let runs = head_runs(document, page);
    let first = runs.first()?;
    assert!(
        runs.iter().all(|r| r.text == first.text && r.y == first.y),
        "a running head on more than one line"
    );
    Some(first.text.to_string())
}

const TITLES: [&str; 3] = ["الفصل الأول", "الفصل الثاني", "الفصل الثالث"];
const BOOK_TITLE: &str = "كتاب التجربة";

#[test]
fn running_heads_name_the_book_on_versos_and_the_chapter_on_rectos() {
    let dir = generated_book(true, BOOK_TITLE, "", &TITLES, &[9, 14, 5]);
    let (document, pages) = typeset(&dir);
    let (mut versos, mut rectos) = (0, 0);
    for (index, page) in pages.pages.iter().enumerate() {
        let head = head_text(&document, page);
        if page.kind != PageKind::Body {
            assert_eq!(
                head,
                None,
                "page {} ({:?}) has a head",
                index + 1,
                page.kind
            );
            continue;
        }
        let chapter = page.chapter.expect("a body page belongs to a chapter");
        // Odd page numbers (even indices) are rectos.
        let wanted = if index % 2 == 0 {
            rectos += 1;
            TITLES[chapter]
        } else {
            versos += 1;
            BOOK_TITLE
        };
        assert_eq!(head.as_deref(), Some(wanted), "page {}", index + 1);
    }
    assert!(versos > 2 && rectos > 2, "{versos} versos, {rectos} rectos");
    let openings = pages
        .pages
        .iter()
        .filter(|p| p.kind == PageKind::ChapterOpening);
    assert_eq!(openings.count(), 3);
}

#[test]
fn heads_can_be_swapped_or_left_out() {
    let layout = "verso_head = \"chapter\"\nrecto_head = \"none\"";
    let dir = generated_book(true, BOOK_TITLE, layout, &TITLES, &[9, 14, 5]);
    let (document, pages) = typeset(&dir);
    for (index, page) in pages.pages.iter().enumerate() {
        let wanted = match (page.kind, index % 2) {
            (PageKind::Body, 1) => page.chapter.map(|c| TITLES[c].to_string()),
            _ => None,
        };
        assert_eq!(head_text(&document, page), wanted, "page {}", index + 1);
    }
}

/// The left and right margins of a body page, from its widest line.
fn margins(pages: &Pages, page: &Page, document: &Document) -> (f32, f32) {
    let top = document.page.margin_top_mm * POINTS_PER_MM;
    let bottom = pages.height - document.page.margin_bottom_mm * POINTS_PER_MM;
    let body = runs(page).filter(|r| r.y > top && r.y < bottom);
    let (left, right) = body.fold((f32::MAX, f32::MIN), |(l, r), run| {
        (l.min(run.x), r.max(run.x + run.width()))
    });
    (left, pages.width - right)
}

#[test]
fn the_recto_is_the_page_whose_spine_is_on_the_bindings_side() {
    // Inner margin (spine side) 18 mm, outer 15 mm: the wider margin shows
    // where the spine is.
    for arabic in [true, false] {
        let dir = generated_book(arabic, BOOK_TITLE, "", &TITLES, &[9, 14, 5]);
        let (document, pages) = typeset(&dir);
        let mut checked = 0;
        for (index, page) in pages.pages.iter().enumerate() {
            let Some(head) = head_text(&document, page) else {
                continue;
            };
            let (left, right) = margins(&pages, page, &document);
            let spine_on_left = left > right + 1.0;
            // Left to right, a recto has the spine on its left; right to
            // left (bound on the right), on its right.
            let recto = spine_on_left != arabic;
            let chapter_head = TITLES.contains(&head.as_str());
            assert_eq!(
                chapter_head,
                recto,
                "page {} (arabic: {arabic}): head «{head}», margins {left:.1} / {right:.1}",
                index + 1
            );
            checked += 1;
        }
        assert!(checked > 4);
    }
}

#[test]
fn outer_folios_stand_at_the_corner_away_from_the_spine() {
    for arabic in [true, false] {
        let dir = generated_book(
            arabic,
            BOOK_TITLE,
            "folio = \"outer\"",
            &TITLES,
            &[9, 14, 5],
        );
        let (document, pages) = typeset(&dir);
        let mut sides = [0, 0];
        for (index, page) in pages.pages.iter().enumerate() {
            if !matches!(page.kind, PageKind::Body | PageKind::ChapterOpening) {
                continue;
            }
            let (left, right) = margins(&pages, page, &document);
            let folio = foot_runs(&document, &pages, page);
            assert_eq!(folio.len(), 1, "page {}", index + 1);
            let (x, end) = (folio[0].x, folio[0].x + folio[0].width());
            // The outer margin is the narrower one.
            if left < right {
                assert!((x - left).abs() < 0.5, "page {}: folio at {x}", index + 1);
                sides[0] += 1;
            } else {
                let from_right = pages.width - end;
                assert!(
                    (from_right - right).abs() < 0.5,
                    "page {}: folio ends {from_right} from the right edge",
                    index + 1
                );
                sides[1] += 1;
            }
        }
        assert!(sides[0] > 2 && sides[1] > 2, "{sides:?}");
    }
}

#[test]
fn centred_folios_are_centred_under_the_text() {
    let dir = generated_book(true, BOOK_TITLE, "", &TITLES, &[9, 14, 5]);
    let (document, pages) = typeset(&dir);
    let mut checked = 0;
    for page in pages.pages.iter().filter(|p| p.kind == PageKind::Body) {
        let (left, right) = margins(&pages, page, &document);
        let folio = foot_runs(&document, &pages, page)[0];
        let middle = folio.x + folio.width() / 2.0;
        let wanted = (left + pages.width - right) / 2.0;
        assert!((middle - wanted).abs() < 0.5, "{middle} vs {wanted}");
        checked += 1;
    }
    // 9, 14 and 5 paragraphs: several body pages.
    assert!(checked > 4, "{checked} body pages");
}

/// Every character of text set anywhere in the book.
fn all_text(pages: &Pages) -> String {
    pages
        .pages
        .iter()
        .flat_map(runs)
        .map(|run| run.text.to_string())
        .collect()
}

#[test]
fn folios_contents_note_marks_and_list_numbers_use_the_books_numerals() {
    let chapter = format!(
        "# فصل\n\n{ARABIC_SENTENCE}[^a]\n\n1. بند أول\n2. بند ثان\n\n[^a]: {ARABIC_SENTENCE}\n"
    );
    for (numerals, digits) in [
        ("arabic-indic", '\u{0660}'..='\u{0669}'),
        ("persian", '\u{06F0}'..='\u{06F9}'),
        ("western", '0'..='9'),
    ] {
        let toml = format!(
            "[book]\ntitle = \"أرقام\"\nlanguage = \"ar\"\n[layout]\nnumerals = \"{numerals}\"\n"
        );
        let dir = common::folder(&[
            ("book.toml", toml.as_bytes()),
            ("01.md", chapter.as_bytes()),
            ("02.md", chapter.as_bytes()),
        ]);
        let (_, pages) = typeset(&dir);
        let text = all_text(&pages);
        let used: String = text.chars().filter(|c| c.is_numeric()).collect();
        assert!(
            used.chars().all(|c| digits.contains(&c)),
            "{numerals}: digits {used:?}"
        );
        let one = digits.clone().nth(1).unwrap();
        // The contents number of chapter 2, its folio, the note mark in the
        // text and in the note, the list's first and second numbers.
        for wanted in [
            format!("{one}."),
            format!("{}.", digits.clone().nth(2).unwrap()),
        ] {
            assert!(
                text.contains(&wanted),
                "{numerals}: no list number {wanted}"
            );
        }
        let folios: Vec<String> = pages
            .pages
            .iter()
            .filter_map(|p| p.folio())
            .filter(|f| f.style == NumberStyle::Decimal)
            .map(|f| f.value.to_string())
            .collect();
        assert_eq!(folios, ["1", "2"], "{numerals}");
        assert!(
            used.chars().filter(|&c| c == one).count() >= 6,
            "{numerals}: {used:?}"
        );
    }
}

#[test]
fn front_matter_is_numbered_in_roman_or_not_at_all() {
    for (front, contents_folio) in [("roman", Some("ii")), ("none", None)] {
        let layout = format!("front_matter = \"{front}\"");
        let dir = generated_book(true, BOOK_TITLE, &layout, &TITLES, &[1, 1, 1]);
        let (document, pages) = typeset(&dir);
        let kinds: Vec<PageKind> = pages.pages.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds[..4],
            [
                PageKind::Cover,
                PageKind::Title,
                PageKind::Contents,
                PageKind::ChapterOpening
            ]
        );
        let foot = |index: usize| -> Vec<String> {
            foot_runs(&document, &pages, &pages.pages[index])
                .iter()
                .map(|r| r.text.to_string())
                .collect()
        };
        // The title page is counted (i) but shows nothing.
        assert!(foot(0).is_empty() && foot(1).is_empty(), "{front}");
        assert_eq!(
            foot(2),
            contents_folio
                .map(String::from)
                .into_iter()
                .collect::<Vec<_>>(),
            "{front}"
        );
        // The body starts at 1 either way.
        assert_eq!(foot(3), ["1"], "{front}");
        assert_eq!(foot(5), ["3"], "{front}");
    }
}

#[test]
fn chapters_open_on_rectos_with_blank_pages_only_where_needed() {
    // Chapter lengths chosen so that some chapters end on a recto (the next
    // needs a blank page) and some on a verso.
    let titles = ["أ", "ب", "ج", "د", "ه"];
    let lengths = [1, 4, 1, 7, 2];
    let any = typeset(&generated_book(true, BOOK_TITLE, "", &titles, &lengths)).1;
    let dir = generated_book(
        true,
        BOOK_TITLE,
        "chapter_start = \"recto\"",
        &titles,
        &lengths,
    );
    let (document, pages) = typeset(&dir);
    let openings = |pages: &Pages| -> Vec<usize> {
        (0..pages.pages.len())
            .filter(|&i| pages.pages[i].kind == PageKind::ChapterOpening)
            .collect()
    };
    let loose = openings(&any);
    assert!(
        loose.iter().any(|i| i % 2 == 1),
        "the book must have a chapter opening on a verso without the setting: {loose:?}"
    );
    assert!(any.pages.iter().all(|p| p.kind != PageKind::Blank));
    let recto = openings(&pages);
    assert_eq!(recto.len(), titles.len());
    assert!(
        recto.iter().all(|i| i % 2 == 0),
        "openings at indices {recto:?}"
    );
    let blanks: Vec<usize> = (0..pages.pages.len())
        .filter(|&i| pages.pages[i].kind == PageKind::Blank)
        .collect();
    assert!(
        blanks.iter().any(|&blank| blank > recto[0]),
        "no blank page between chapters: {blanks:?}"
    );
    // The folio printed at the foot of page `index`.
    let printed = |index: usize| -> String {
        foot_runs(&document, &pages, &pages.pages[index])
            .iter()
            .map(|r| r.text.to_string())
            .collect()
    };
    let number = |index: usize| -> u32 {
        let folio = printed(index);
        folio
            .parse()
            .unwrap_or_else(|_| panic!("page {}: folio «{folio}»", index + 1))
    };
    for &blank in &blanks {
        let page = &pages.pages[blank];
        assert!(page.items.is_empty(), "blank page {} has items", blank + 1);
        if blank < recto[0] {
            // Ending the front matter (cover, title page i, contents ii):
            // the body still starts at 1.
            assert_eq!([printed(blank - 1), printed(blank + 1)], ["ii", "1"]);
        } else {
            // Counted though it prints nothing: the folio after it is two
            // past the one before it.
            assert_eq!(
                number(blank + 1),
                number(blank - 1) + 2,
                "blank page {}",
                blank + 1
            );
        }
        // Needed: without it the next chapter would open on this verso.
        assert!(
            blank % 2 == 1 && recto.contains(&(blank + 1)),
            "blank page at index {blank}; openings {recto:?}"
        );
    }
    // Each chapter keeps its pages; the blanks are all that was added.
    assert_eq!(pages.pages.len(), any.pages.len() + blanks.len());
}

#[test]
fn long_titles_are_cut_to_one_line_with_an_ellipsis() {
    let long = [ARABIC_SENTENCE; 2].join(" ");
    let dir = generated_book(true, &long, "", &TITLES, &[9, 14, 5]);
    let (document, pages) = typeset(&dir);
    let measure = pages.width
        - (document.page.margin_inner_mm + document.page.margin_outer_mm) * POINTS_PER_MM;
    let mut seen = 0;
    for (index, page) in pages.pages.iter().enumerate() {
        if page.kind != PageKind::Body || index % 2 == 0 {
            continue;
        }
        let head = head_text(&document, page).expect("a verso body page has a head");
        let kept = head
            .strip_suffix('…')
            .expect("the head ends with an ellipsis");
        assert!(long.starts_with(kept), "{head}");
        // Cut between words, and not much shorter than a line.
        assert!(long[kept.len()..].starts_with(' '), "{head}");
        assert!(kept.chars().count() > 30, "{head}");
        let runs = head_runs(&document, page);
        let left = runs.iter().map(|r| r.x).fold(f32::MAX, f32::min);
        let right = runs
            .iter()
            .map(|r| r.x + r.width())
            .fold(f32::MIN, f32::max);
        assert!(
            right - left <= measure + 0.5,
            "{} > {measure}",
            right - left
        );
        seen += 1;
    }
    assert!(seen > 2);
}
