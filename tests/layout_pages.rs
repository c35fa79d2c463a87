//! Properties of the page model on awkward books: every chapter is listed
//! and bookmarked where it starts, and nothing is set outside the page.

use warraq::diag::Warnings;
use warraq::fonts::FontLibrary;
use warraq::layout::page::{Item, NumberStyle, PageKind, Pages};

fn typeset(files: &[(&str, &str)]) -> Pages {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let book = warraq::load::load(dir.path()).unwrap();
    let mut warnings = Warnings::default();
    let document = warraq::parse::parse(&book, &mut warnings).unwrap();
    warraq::layout::typeset(&document, &FontLibrary::builtin(), &mut warnings).unwrap()
}

/// The paragraphs set on a page (each run carries its paragraph's text).
fn page_text(pages: &Pages, index: usize) -> String {
    pages.pages[index]
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Glyphs(run) => Some(run.text.to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn chapters_without_headings_are_listed_where_they_start() {
    let pages = typeset(&[
        ("01-a.md", "نص الفصل الأول بلا عنوان.\n"),
        ("02-b.md", "#\n\nنص الفصل الثاني تحت عنوان فارغ.\n"),
        ("03-c.md", "# الفصل الثالث\n\nنص الفصل الثالث.\n"),
    ]);
    let chapters: Vec<_> = pages.outline.iter().filter(|e| e.level == 1).collect();
    let titles: Vec<&str> = chapters.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(titles, ["01-a", "02-b", "الفصل الثالث"]);
    let body_start = chapters[0].page;
    for (index, (entry, needle)) in chapters
        .iter()
        .zip(["الأول", "الثاني", "الثالث."])
        .enumerate()
    {
        assert!(
            page_text(&pages, entry.page).contains(needle),
            "{} is not on page {}",
            entry.title,
            entry.page + 1
        );
        let page = &pages.pages[entry.page];
        assert_eq!(page.kind, PageKind::ChapterOpening);
        assert_eq!(page.chapter, Some(index));
        // The body is numbered from its first page.
        assert_eq!(
            page.folio().map(|f| (f.value, f.style)),
            Some(((entry.page - body_start + 1) as u32, NumberStyle::Decimal))
        );
    }
    // The title heading is the chapter's bookmark, not a second one.
    assert_eq!(pages.outline.len(), 3, "{:?}", pages.outline);
}

#[test]
fn nothing_is_set_outside_the_page_and_no_page_is_blank() {
    let mut nested = String::from("# قائمة\n\n");
    let mut english = String::from("# List\n\n");
    for depth in 0..30 {
        nested.push_str(&format!("{}- بند عميق رقم {depth}\n", "  ".repeat(depth)));
        english.push_str(&format!(
            "{}- deep item number {depth}\n",
            "  ".repeat(depth)
        ));
    }
    let books = [
        vec![("01.md".to_string(), english)],
        vec![
            ("01.md".to_string(), nested),
            ("02.md".to_string(), many_headings()),
        ],
    ];
    let table = (
        "03.md".to_string(),
            "# جدول\n\n| أ | ب | ج | د | ه | و | ز | ح | ط | ي | ك | ل | م | ن | س | ع | ف | ص | ق | ر | ش | ت | ث | خ | ذ | ض | ظ | غ | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n| x | y | z | x | y | z | x | y | z | x | y | z | x | y | z | x | y | z | x | y | z | x | y | z | x | y | z | x | y | z | x | y | z | x | y | z |\n".to_string(),
    );
    for mut files in books {
        files.push(table.clone());
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect();
        let pages = typeset(&files);
        assert_inside(&pages);
    }
}

#[test]
fn a_run_of_headings_keeps_together_as_far_as_a_page_allows() {
    let pages = typeset(&[("01.md", &many_headings())]);
    // 39 headings in a row: a few pages, not one heading a page.
    assert!(pages.pages.len() < 12, "{} pages", pages.pages.len());
    assert_inside(&pages);
}

fn many_headings() -> String {
    (1..40).map(|i| format!("## عنوان {i}\n\n")).collect()
}

fn assert_inside(pages: &Pages) {
    for (index, page) in pages.pages.iter().enumerate() {
        assert!(!page.items.is_empty(), "page {} is blank", index + 1);
        for item in &page.items {
            if let Item::Glyphs(run) = item {
                let right = run.x + run.width();
                assert!(
                    run.x >= -0.5 && right <= pages.width + 0.5,
                    "page {}: a run spans x {}..{} on a page {} wide",
                    index + 1,
                    run.x,
                    right,
                    pages.width
                );
                assert!(
                    run.y > 0.0 && run.y < pages.height,
                    "page {}: a baseline at y {} on a page {} high",
                    index + 1,
                    run.y,
                    pages.height
                );
            }
        }
    }
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::RgbImage::from_pixel(width, height, image::Rgb([20, 80, 120]))
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .unwrap();
    bytes
}

#[test]
fn pictures_keep_their_shape_and_fit_the_page() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("square.png"), png(100, 100)).unwrap();
    std::fs::write(dir.path().join("tall.png"), png(100, 2000)).unwrap();
    std::fs::write(
        dir.path().join("book.toml"),
        "[book]\ntitle = \"صور\"\ncover = \"square.png\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("01.md"), "# صور\n\n![طويلة](tall.png)\n").unwrap();
    let book = warraq::load::load(dir.path()).unwrap();
    let mut warnings = Warnings::default();
    let document = warraq::parse::parse(&book, &mut warnings).unwrap();
    let pages = warraq::layout::typeset(&document, &FontLibrary::builtin(), &mut warnings).unwrap();
    let pictures: Vec<_> = pages
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .filter_map(|item| match item {
            Item::Picture { key, rect } => Some((key.as_str(), *rect)),
            _ => None,
        })
        .collect();
    let (_, cover) = pictures.iter().find(|(k, _)| *k == "square.png").unwrap();
    assert!(
        (cover.width - cover.height).abs() < 0.01,
        "the cover is distorted: {cover:?}"
    );
    let b = pages.bleed;
    assert!(cover.x <= -b + 0.01 && cover.y <= -b + 0.01);
    assert!(cover.x + cover.width >= pages.width + b - 0.01);
    assert!(cover.y + cover.height >= pages.height + b - 0.01);
    let (_, tall) = pictures.iter().find(|(k, _)| *k == "tall.png").unwrap();
    assert!((tall.height / tall.width - 20.0).abs() < 0.01, "{tall:?}");
    assert!(
        tall.y >= 0.0 && tall.y + tall.height <= pages.height,
        "{tall:?}"
    );
}
