//! Properties of the page model on awkward books: every chapter is listed
//! and bookmarked where it starts, and nothing is set outside the page.

use warraq::diag::Diagnostics;
use warraq::fonts::FontLibrary;
use warraq::layout::page::{Item, NumberStyle, PageKind, Pages};

fn typeset(files: &[(&str, &str)]) -> Pages {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let book = warraq::load::load(dir.path()).unwrap();
    let mut warnings = Diagnostics::default();
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

/// `warraq -v` and `bench/run` give layout's parts their own times: each
/// is measured where it runs (a part left unmeasured would read zero).
#[test]
fn layout_says_how_long_its_parts_took() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("01.md"),
        "# الفصل\n\nنص الفصل الأول، وفيه جملتان.\n\nوفقرة ثانية.\n",
    )
    .unwrap();
    let book = warraq::load::load(dir.path()).unwrap();
    let mut warnings = Diagnostics::default();
    let document = warraq::parse::parse(&book, &mut warnings).unwrap();
    let (pages, times) = warraq::layout::typeset_watched(
        &document,
        &FontLibrary::builtin(),
        &mut warnings,
        &warraq::Unwatched,
    )
    .unwrap();
    assert!(pages.pages.len() > 3);
    let zero = std::time::Duration::ZERO;
    assert!(times.shape > zero, "{times:?}");
    assert!(times.breaking > zero, "{times:?}");
    assert!(times.paginate > zero, "{times:?}");
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
    // Each chapter is one short paragraph: one page each, numbered from 1
    // where the body starts.
    for (index, ((entry, needle), folio)) in chapters
        .iter()
        .zip(["الأول", "الثاني", "الثالث."])
        .zip([1, 2, 3])
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
        assert_eq!(
            page.folio().map(|f| (f.value, f.style)),
            Some((folio, NumberStyle::Decimal)),
            "{}",
            entry.title
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

/// Checks that nothing is set outside the page and that every page has
/// text or a picture in its text block: the folio and running head, set in
/// the margins, do not make a page count as filled. (The books here have no
/// `book.toml`: their text block is [`default_area`]'s.)
fn assert_inside(pages: &Pages) {
    let (_, top, bottom) = default_area();
    for (index, page) in pages.pages.iter().enumerate() {
        let has_body = page.items.iter().any(|item| match item {
            Item::Glyphs(run) => run.y > top && run.y < bottom,
            Item::Picture { .. } => true,
            _ => false,
        });
        assert!(
            has_body,
            "page {} has no text or picture in its text block",
            index + 1
        );
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
    let mut warnings = Diagnostics::default();
    let document = warraq::parse::parse(&book, &mut warnings).unwrap();
    let pages = warraq::layout::typeset(&document, &FontLibrary::builtin(), &mut warnings).unwrap();
    let pictures: Vec<_> = pages
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .filter_map(|item| match item {
            Item::Picture { key, rect, .. } => Some((key.as_str(), *rect)),
            _ => None,
        })
        .collect();
    let (_, cover) = pictures.iter().find(|(k, _)| *k == "square.png").unwrap();
    assert!(
        (cover.width - cover.height).abs() < 0.01,
        "the cover is distorted: {cover:?}"
    );
    let b = pages.bleed_box(0);
    assert!(cover.x <= b.x + 0.01 && cover.y <= b.y + 0.01);
    assert!(cover.x + cover.width >= b.x + b.width - 0.01);
    assert!(cover.y + cover.height >= b.y + b.height - 0.01);
    let (_, tall) = pictures.iter().find(|(k, _)| *k == "tall.png").unwrap();
    assert!((tall.height / tall.width - 20.0).abs() < 0.01, "{tall:?}");
    assert!(
        tall.y >= 0.0 && tall.y + tall.height <= pages.height,
        "{tall:?}"
    );
}

// ---------------------------------------------------------------------------
// Breaking pages: footnotes, widows and orphans, headings, tables, pictures.

/// The text area of the default page (A5, default margins), in points:
/// (outer margin, top, bottom). Text may sit between the outer margin on
/// either side (mirrored pages) and between top and bottom.
fn default_area() -> (f32, f32, f32) {
    let mm = 72.0 / 25.4;
    (15.0 * mm, 18.0 * mm, (210.0 - 20.0) * mm)
}

fn typeset_dir(dir: &std::path::Path) -> Pages {
    let book = warraq::load::load(dir).unwrap();
    let mut warnings = Diagnostics::default();
    let document = warraq::parse::parse(&book, &mut warnings).unwrap();
    warraq::layout::typeset(&document, &FontLibrary::builtin(), &mut warnings).unwrap()
}

fn repo() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The glyph runs of a page: the text they set (their glyphs' source
/// text), their size and baseline.
fn runs(pages: &Pages, index: usize) -> Vec<(String, f32, f32)> {
    pages.pages[index]
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Glyphs(run) => {
                let start = run.glyphs.iter().map(|g| g.start()).min()?;
                let end = run.glyphs.iter().map(|g| g.text_range().end).max()?;
                Some((run.text[start..end].to_string(), run.size, run.y))
            }
            _ => None,
        })
        .collect()
}

const SENTENCE: &str =
    "شهدت العلاقات الثنائية بين المغرب وكازاخستان دينامية دبلوماسية ملحوظة خلال السنوات الأخيرة. ";

#[test]
fn every_footnote_is_on_the_page_that_calls_it_and_long_ones_continue_on_the_next() {
    // 30 paragraphs each calling a note; every fifth note is long enough
    // that it cannot always fit under the line calling it.
    let mut text = String::from("# حواش كثيرة\n\n");
    let mut notes = String::new();
    for n in 1..=30 {
        let before = SENTENCE.repeat(1 + n % 4);
        let after = SENTENCE.repeat(1 + n % 3);
        text.push_str(&format!("{before}[^n{n}] {after}\n\n"));
        let note = if n % 5 == 0 {
            SENTENCE.repeat(25)
        } else {
            format!("حاشية قصيرة رقم {n}.")
        };
        notes.push_str(&format!("[^n{n}]: {note}\n"));
    }
    text.push('\n');
    text.push_str(&notes);
    let pages = typeset(&[("01.md", &text)]);
    assert_inside(&pages);

    let body_size = 12.0;
    let note_size = body_size * 0.85;
    // For each note: the page of its call, and the pages and baselines of
    // its lines (a note's runs all carry its text, which starts "n. ").
    let mut called = std::collections::BTreeMap::new();
    let mut lines: std::collections::BTreeMap<u32, Vec<(usize, f32, bool)>> = Default::default();
    for index in 0..pages.pages.len() {
        for item in &pages.pages[index].items {
            let Item::Glyphs(run) = item else { continue };
            let start = run.glyphs.iter().map(|g| g.start()).min().unwrap();
            let end = run.glyphs.iter().map(|g| g.text_range().end).max().unwrap();
            if run.size < body_size * 0.7 {
                let number: u32 = run.text[start..end].trim().parse().unwrap();
                assert!(
                    called.insert(number, index).is_none(),
                    "note {number} called twice"
                );
            } else if (run.size - note_size).abs() < 0.01 {
                let number: u32 = run.text.split('.').next().unwrap().parse().unwrap();
                lines
                    .entry(number)
                    .or_default()
                    .push((index, run.y, start == 0));
            }
        }
    }
    assert_eq!(called.len(), 30, "{called:?}");
    assert_eq!(lines.len(), 30, "{:?}", lines.keys());
    let mut split = 0;
    for (number, &page) in &called {
        let note = &lines[number];
        let first = note.iter().find(|(_, _, first)| *first).unwrap();
        assert_eq!(
            first.0, page,
            "note {number} starts on another page than its call"
        );
        let last = note.iter().map(|(p, _, _)| *p).max().unwrap();
        if last > page {
            split += 1;
            assert_eq!(
                last,
                page + 1,
                "note {number} runs over more than two pages"
            );
            let on_first: std::collections::BTreeSet<_> = note
                .iter()
                .filter(|(p, _, _)| *p == page)
                .map(|(_, y, _)| y.to_bits())
                .collect();
            assert!(
                on_first.len() >= 2,
                "note {number}: one line before the split"
            );
            // The rest opens the next page's notes.
            let top = note
                .iter()
                .filter(|(p, _, _)| *p == last)
                .map(|(_, y, _)| *y)
                .fold(f32::MAX, f32::min);
            for (other, other_lines) in &lines {
                for (p, y, _) in other_lines {
                    assert!(
                        other == number || *p != last || *y > top,
                        "note {other} comes before the continuation of note {number}"
                    );
                }
            }
        }
    }
    assert!(
        split > 0,
        "no note was long enough to continue on the next page"
    );
}

/// The paragraphs with a line alone on a page (at its foot or its head).
fn widows_and_orphans(pages: &Pages) -> Vec<(usize, u32)> {
    let mut alone = Vec::new();
    for (index, page) in pages.pages.iter().enumerate() {
        let mut on_page: std::collections::BTreeMap<u32, (u32, u32)> = Default::default();
        for line in &page.lines {
            let entry = on_page.entry(line.paragraph).or_insert((0, line.count));
            entry.0 += 1;
        }
        for (paragraph, (lines, count)) in on_page {
            if count >= 2 && lines < 2 {
                alone.push((index + 1, paragraph));
            }
        }
    }
    alone
}

/// Every heading (a bookmark) has on its page the start of what follows
/// it: the next paragraph's first line, and its second if it has more.
fn assert_headings_lead_on(pages: &Pages) {
    let mut where_is: std::collections::BTreeMap<(u32, u32), usize> = Default::default();
    let mut counts: std::collections::BTreeMap<u32, u32> = Default::default();
    for (index, page) in pages.pages.iter().enumerate() {
        for line in &page.lines {
            where_is
                .entry((line.paragraph, line.index))
                .or_insert(index);
            counts.insert(line.paragraph, line.count);
        }
    }
    for entry in &pages.outline {
        let page = &pages.pages[entry.page];
        let Some(heading) = page.lines.iter().find(|l| l.top == entry.y) else {
            continue; // a chapter without a heading: its bookmark is its text
        };
        let Some((&next, &count)) = counts.range(heading.paragraph + 1..).next() else {
            continue;
        };
        for index in 0..count.min(2) {
            assert_eq!(
                where_is[&(next, index)],
                entry.page,
                "heading {:?} on page {} ends its page",
                entry.title,
                entry.page + 1
            );
        }
    }
}

/// A long book from the seed book's chapters, each four times over with
/// its paragraphs joined into lengths of one to several lines, so that page
/// ends fall everywhere: in paragraphs, after headings, between lists.
fn generated_book() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut chapters: Vec<_> = std::fs::read_dir(repo().join("book"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    chapters.sort();
    for (i, chapter) in chapters.iter().enumerate() {
        let text = std::fs::read_to_string(chapter).unwrap();
        let mut out = String::new();
        for copy in 0..4 {
            for (k, block) in text.split("\n\n").enumerate() {
                out.push_str(block);
                let join = (k + copy + i) % 3 == 0
                    && !block.starts_with('#')
                    && !block.starts_with('-')
                    && !block.starts_with('|');
                out.push_str(if join { " " } else { "\n\n" });
            }
            out.push_str("\n\n");
        }
        std::fs::write(dir.path().join(format!("{i:02}.md")), out).unwrap();
    }
    dir
}

#[test]
fn no_widows_orphans_or_stranded_headings_in_the_test_books() {
    let generated = generated_book();
    let books = [
        repo().join("book"),
        repo().join("tests/books/showcase"),
        generated.path().to_path_buf(),
    ];
    for dir in &books {
        let pages = typeset_dir(dir);
        let lines: usize = pages.pages.iter().map(|p| p.lines.len()).sum();
        println!(
            "{}: {} pages, {lines} lines, widows and orphans: {}",
            dir.display(),
            pages.pages.len(),
            widows_and_orphans(&pages).len()
        );
        assert!(lines > 20, "{}: {lines} lines", dir.display());
        assert_eq!(widows_and_orphans(&pages), [], "{}", dir.display());
        assert_headings_lead_on(&pages);
        assert_inside(&pages);
    }
}

#[test]
fn a_row_taller_than_a_page_splits_and_every_page_of_a_table_starts_with_its_head() {
    let mut table = String::from("# جدول طويل\n\n| العمود الأول | العمود الثاني |\n|---|---|\n");
    table.push_str(&format!("| {} | قصير |\n", SENTENCE.repeat(60)));
    for n in 1..=80 {
        table.push_str(&format!("| صف {n} | قيمة {n} |\n"));
    }
    let pages = typeset(&[("01.md", &table)]);
    assert_inside(&pages);
    let (_, top, bottom) = default_area();
    let mut long_row_pages = 0;
    let mut table_pages = 0;
    for index in 0..pages.pages.len() {
        let runs = runs(&pages, index);
        let is_table = |t: &str| {
            ["العمود", "صف ", "قيمة", "شهدت"]
                .iter()
                .any(|s| t.starts_with(s))
        };
        for (text, _, y) in runs.iter().filter(|(t, _, _)| is_table(t)) {
            assert!(
                *y > top && *y < bottom,
                "page {}: {text:?} at y {y}",
                index + 1
            );
        }
        for line in &pages.pages[index].lines {
            assert!(line.top >= top - 0.01 && line.bottom <= bottom + 0.01);
        }
        let head = runs
            .iter()
            .filter(|(text, _, _)| text.starts_with("العمود"))
            .map(|(_, _, y)| *y)
            .fold(f32::MAX, f32::min);
        let body: Vec<f32> = runs
            .iter()
            .filter(|(t, _, _)| t.starts_with("صف ") || t.starts_with("شهدت"))
            .map(|(_, _, y)| *y)
            .collect();
        if runs.iter().any(|(t, _, _)| t.starts_with("شهدت")) {
            long_row_pages += 1;
        }
        if !body.is_empty() {
            table_pages += 1;
            assert!(
                body.iter().all(|y| *y > head),
                "page {} of the table does not start with its head",
                index + 1
            );
        }
    }
    assert!(
        long_row_pages >= 3,
        "the long row spans {long_row_pages} pages"
    );
    assert!(table_pages >= 5, "the table spans {table_pages} pages");
}

#[test]
fn a_picture_has_its_alt_text_below_it_and_code_wraps_inside_the_text_area() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("wide.png"), png(400, 300)).unwrap();
    let code_line = format!(
        "let x = \"{}\"; {}",
        "ا".repeat(200),
        "call(argument) ".repeat(20)
    );
    for (language, title) in [("ar", "صورة"), ("en", "Picture")] {
        std::fs::write(
            dir.path().join("book.toml"),
            format!("[book]\ntitle = \"{title}\"\nlanguage = \"{language}\"\n"),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("01.md"),
            format!(
                "# {title}\n\n{}\n\n![نقش هندسي](wide.png)\n\n```\n{code_line}\n{}\n```\n",
                SENTENCE.repeat(25),
                "x".repeat(400)
            ),
        )
        .unwrap();
        let pages = typeset_dir(dir.path());
        assert_inside(&pages);
        let (outer, _, bottom) = default_area();
        let mut captions = 0;
        for (index, page) in pages.pages.iter().enumerate() {
            for item in &page.items {
                match item {
                    Item::Glyphs(run) => assert!(
                        run.x >= outer - 0.5 && run.x + run.width() <= pages.width - outer + 0.5,
                        "{language}, page {}: a run spans x {}..{}",
                        index + 1,
                        run.x,
                        run.x + run.width()
                    ),
                    Item::Picture { rect, .. } => {
                        assert!(rect.y + rect.height <= bottom);
                        let caption = runs(&pages, index)
                            .into_iter()
                            .find(|(t, _, _)| t == "نقش هندسي");
                        let (_, size, y) = caption.expect("the caption is on the picture's page");
                        assert!(
                            y > rect.y + rect.height && y < bottom,
                            "{language}: caption at {y}"
                        );
                        assert!(size < 12.0, "{language}: caption set at {size} pt");
                        captions += 1;
                    }
                    Item::Fill { .. }
                    | Item::Backdrop { .. }
                    | Item::Shape { .. }
                    | Item::PrintersMark { .. }
                    | Item::Link { .. } => {}
                }
            }
        }
        assert_eq!(captions, 1, "{language}");
    }
}

#[test]
fn awkward_notes_all_print_inside_the_page() {
    // A note five pages long, notes calling notes, calls from a heading, a
    // table's head and cells, and a note made of a list and code.
    let text = format!(
        "# عنوان[^h]\n\n{s}[^long]\n\n| رأس[^head] | ب |\n|---|---|\n| خلية[^cell] | د |\n\n{s}[^outer]\n\n\
         [^h]: حاشية العنوان.\n[^long]: {long}\n[^head]: حاشية الرأس.\n[^cell]: حاشية الخلية.\n\
         [^outer]: حاشية تحيل إلى أخرى[^inner].\n[^inner]: - بند أول\n    - بند ثان\n\n    ```\n    code\n    ```\n",
        s = SENTENCE.repeat(3),
        long = SENTENCE.repeat(400),
    );
    let pages = typeset(&[("01.md", &text)]);
    assert_inside(&pages);
    let (_, _, bottom) = default_area();
    let all: String = (0..pages.pages.len())
        .flat_map(|i| runs(&pages, i))
        .map(|(t, _, _)| t)
        .collect();
    for needle in [
        "حاشية العنوان",
        "حاشية الرأس",
        "حاشية الخلية",
        "تحيل",
        "بند ثان",
        "code",
    ] {
        assert!(all.contains(needle), "{needle} is missing");
    }
    for page in &pages.pages {
        for line in &page.lines {
            assert!(
                line.bottom <= bottom + 0.01,
                "a line ends at {}",
                line.bottom
            );
        }
    }
    assert!(pages.pages.len() > 6, "{} pages", pages.pages.len());
}

#[test]
fn a_tall_picture_with_a_long_caption_stays_inside_the_text_area() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tall.png"), png(100, 2000)).unwrap();
    let alt = SENTENCE.repeat(40);
    std::fs::write(
        dir.path().join("01.md"),
        format!("# صورة\n\n![{alt}](tall.png)\n"),
    )
    .unwrap();
    let pages = typeset_dir(dir.path());
    assert_inside(&pages);
    let (_, top, bottom) = default_area();
    for page in &pages.pages {
        for item in &page.items {
            match item {
                Item::Picture { rect, .. } => {
                    assert!(
                        rect.y >= top - 0.01 && rect.y + rect.height <= bottom + 0.01,
                        "{rect:?}"
                    )
                }
                Item::Glyphs(run) if run.text.starts_with("شهدت") => {
                    assert!(run.y < bottom, "a caption line at y {}", run.y)
                }
                _ => {}
            }
        }
    }
}
