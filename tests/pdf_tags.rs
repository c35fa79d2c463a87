//! The PDF is tagged: a structure tree of the book's headings, paragraphs,
//! lists, tables, figures (with their alt text), notes and links in the
//! source's order, `/Lang` on text in another language, and page furniture
//! as artifacts. Read back with `tests/pdfjs/structure.mjs`: qpdf's JSON of
//! the file for the tree and its parent tree, pdf.js for the text of each
//! marked-content sequence; on tests/books/tagged, a right-to-left book with
//! every kind of block.

use crate::common;

use std::path::{Path, PathBuf};

fn tagged_book() -> PathBuf {
    common::repo().join("tests/books/tagged")
}

/// The structure of `pdf` as `tests/pdfjs/structure.mjs` prints it.
fn structure(pdf: &Path) -> String {
    let script = common::repo().join("tests/pdfjs/structure.mjs");
    common::run_ok("node", &[common::arg(&script), common::arg(pdf)])
}

/// The tree's lines: from the document element to the parent tree.
fn tree(structure: &str) -> Vec<&str> {
    structure
        .lines()
        .skip_while(|line| !line.starts_with("Document"))
        .take_while(|line| !line.starts_with("parenttree"))
        .collect()
}

/// A tree line's indentation and structure type, without its attributes
/// and text.
fn role(line: &str) -> &str {
    line.split([' ', '«'])
        .find(|part| !part.is_empty())
        .map_or(line, |role| &line[..line.find(role).unwrap() + role.len()])
}

fn tagged() -> Option<(common::Built, String)> {
    if !(common::have_tools(&["qpdf"]) && common::have_pdfjs()) {
        return None;
    }
    let built = common::build_pdf(&tagged_book(), "tagged");
    let structure = structure(&built.pdf);
    Some((built, structure))
}

#[test]
fn the_structure_tree_follows_the_source() {
    let Some((_, structure)) = tagged() else {
        return;
    };
    let roles: Vec<&str> = tree(&structure).into_iter().map(role).collect();
    #[rustfmt::skip]
    let expected = [
        "Document",
        // The title page, the contents.
        " P", " P",
        " TOC", "  P", "  TOCI", "   Link", "  TOCI", "   Link",
        // The chapters.
        " H1",
        " P", "  Span",
        " H2",
        " L",
        "  LI", "   Lbl", "   LBody", "    P",
        "  LI", "   Lbl", "   LBody", "    P",
        "    L",
        "     LI", "      Lbl", "      LBody", "       P",
        "     LI", "      Lbl", "      LBody", "       P",
        " Table",
        "  TR", "   TH", "   TH",
        "  TR", "   TD", "   TD",
        "  TR", "   TD", "   TD",
        // The note inside the paragraph that calls it: its number, then
        // its text.
        " P", "  Note", "   Lbl",
        " Figure", "  Caption",
        " P", "  Link", "  Link",
        " H1",
        " P",
        " P",
        " P",
        // A task list: each check box is its item's label.
        " L",
        "  LI", "   Lbl", "   LBody", "    P",
        "  LI", "   Lbl", "   LBody", "    P",
    ];
    assert_eq!(roles, expected, "{structure}");
}

#[test]
fn elements_carry_language_alt_text_and_annotations() {
    let Some((built, structure)) = tagged() else {
        return;
    };
    let tree = tree(&structure);
    assert!(
        structure.contains("catalog lang=ar marked=true"),
        "{structure}"
    );
    assert!(tree[0].starts_with("Document [lang=ar]"), "{structure}");
    let line = |prefix: &str| {
        tree.iter()
            .map(|line| line.trim_start())
            .find(|line| line.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in\n{structure}"))
    };
    // `<span lang="en">screen reader</span>`: a span in English with its text.
    assert!(
        line("Span [lang=en]").contains("screen reader"),
        "{structure}"
    );
    // The picture with alt text is a figure with it; the one without is
    // decoration, not in the tree, and the build says so where it is.
    let figures: Vec<&&str> = tree
        .iter()
        .filter(|line| line.trim_start().starts_with("Figure"))
        .collect();
    assert_eq!(figures.len(), 1, "{structure}");
    assert!(figures[0].contains("[alt=نقش هندسي أزرق]"), "{structure}");
    let warnings = common::warnings(&built.stderr);
    assert!(
        warnings.iter().any(
            |(message, place)| message.contains("`pattern.png` has no alt text")
                && place.ends_with("01-opening.md:23:1")
        ),
        "{warnings:?}"
    );
    // Each link element holds its annotation: the contents' two entries,
    // the text's two links.
    let links: Vec<&&str> = tree
        .iter()
        .filter(|line| line.trim_start().starts_with("Link"))
        .collect();
    assert_eq!(links.len(), 4, "{structure}");
    assert!(
        links.iter().all(|link| link.contains("[annots=1]")),
        "{structure}"
    );
    // Markers are labels; the number cells hold their numbers.
    assert!(line("Lbl").contains('1'), "{structure}");
    // A task's check box is drawn, not text: its label says in words
    // what it shows, as the EPUB's check box does.
    assert!(line("Lbl [alt=منجز]").ends_with(']'), "{structure}");
    assert!(line("Lbl [alt=غير منجز]").ends_with(']'), "{structure}");
    assert!(tree.iter().any(|l| l.trim() == "TD «12»"), "{structure}");
}

/// A paragraph's own text reads in source order: the pieces of a
/// right-to-left line (here the text before a raised note number, the
/// number, the text after it) are drawn in reading order, so its marked
/// content holds them so. Drawn left to right, the paragraph read «ثم
/// يكملون الحديث. 1يذكر المؤرخون هذا الأمر».
#[test]
fn a_paragraph_reads_its_line_in_source_order() {
    let Some((_, structure)) = tagged() else {
        return;
    };
    let text = tree(&structure)
        .into_iter()
        .map(str::trim_start)
        .find(|line| line.starts_with("P «") && line.contains("المؤرخون"))
        .unwrap_or_else(|| panic!("no paragraph of the note in\n{structure}"));
    assert_eq!(
        common::squash(text),
        common::squash("P «يذكر المؤرخون هذا الأمر1 ثم يكملون الحديث.»"),
        "{structure}"
    );
}

#[test]
fn furniture_is_artifact_and_every_mark_is_in_the_parent_tree() {
    let Some((_, structure)) = tagged() else {
        return;
    };
    let untagged: Vec<&str> = structure
        .lines()
        .filter(|line| line.starts_with("untagged"))
        .collect();
    assert!(
        untagged.is_empty(),
        "text outside marked content: {untagged:?}"
    );
    let artifacts = |page: usize| -> Vec<&str> {
        let prefix = format!("artifact p{page} ");
        structure
            .lines()
            .filter_map(|line| line.strip_prefix(&prefix))
            .collect()
    };
    // The cover repeats the title page: decoration.
    assert!(
        artifacts(1).iter().any(|a| a.contains("موسوم")),
        "{structure}"
    );
    assert!(artifacts(3).contains(&"«ii»"), "{structure}");
    // The body starts on page 4, folio 1; running heads from its second
    // page: the chapter's title on versos, the book's on rectos.
    for (page, folio) in (4..=8).zip(1..) {
        let found = artifacts(page);
        assert!(
            found.contains(&format!("«{folio}»").as_str()),
            "page {page}'s folio is not an artifact: {found:?}\n{structure}"
        );
    }
    assert!(
        artifacts(5).iter().any(|a| a.contains("الافتتاح")),
        "{structure}"
    );
    assert!(
        artifacts(6).iter().any(|a| a.contains("موسوم")),
        "{structure}"
    );
    // Every page's marked content has its element in the parent tree.
    let parents: Vec<&str> = structure
        .lines()
        .filter(|line| line.starts_with("parenttree"))
        .collect();
    assert_eq!(parents.len(), 8, "{structure}");
    assert!(
        parents.iter().all(|line| line.ends_with(" ok")),
        "{parents:?}"
    );
    assert!(
        parents[1..].iter().all(|line| !line.contains("mcids=0")),
        "pages after the cover without tagged content: {parents:?}"
    );
}

/// A word in another script than the book's, set in a face of its own
/// (Cyrillic, Hebrew in an Arabic book), is a `Span` with the language of
/// its script, as the EPUB marks it; a `<span lang>` keeps its own, with
/// no other inside it; code and a Latin word set in Amiri with the Arabic
/// around it get none (marked content around the word would cut pdf.js's
/// text item). The text pdf.js reads is the same either way.
#[test]
fn words_in_another_script_are_spans_in_their_language() {
    if !(common::have_tools(&["qpdf"]) && common::have_pdfjs()) {
        return;
    }
    let book = common::folder(&[
        (
            "book.toml",
            "[book]\ntitle = \"لغات\"\nlanguage = \"ar\"\n".as_bytes(),
        ),
        (
            "01.md",
            "# باب\n\nوقال إن مدينة Астана جميلة، وزار حيفا (חיפה) ثم قرأ HarfBuzz \
             وكتاب <span lang=\"kk\">Қазақстан</span> و`git log`، وقال <span lang=\"fr\">voir \
             [Wikipédia](https://example.org) ici</span>.\n"
                .as_bytes(),
        ),
    ]);
    let built = common::build_pdf(book.path(), "other-scripts");
    let structure = structure(&built.pdf);
    let lines = tree(&structure);
    assert_eq!(
        spans(&lines),
        [
            "Span [lang=ru] «Астана»",
            "Span [lang=he] «חיפה»",
            "Span [lang=kk] «Қазақстан»",
            "Span [lang=fr] «voir ici»",
        ],
        "{structure}"
    );
    // The link inside the French span is read inside it, in French.
    let french = lines
        .iter()
        .position(|line| line.contains("Span [lang=fr]"))
        .expect("the French span");
    let depth = |line: &str| line.len() - line.trim_start().len();
    assert!(
        lines[french + 1].trim_start().starts_with("Link")
            && depth(lines[french + 1]) == depth(lines[french]) + 1,
        "{structure}"
    );
    let text = common::pdfjs_text(&built.pdf);
    assert!(
        text.contains("Астана") && text.contains("חיפה") && text.contains("HarfBuzz"),
        "{text}"
    );
    // In an English book warraq's fonts set Arabic in Amiri, as its Latin:
    // Arabic amid the text gets none, Arabic in bold (Amiri Bold) does.
    let english = common::folder(&[
        (
            "book.toml",
            "[book]\ntitle = \"Words\"\nlanguage = \"en\"\n".as_bytes(),
        ),
        (
            "01.md",
            "# Chapter\n\nThe city of Rabat (الرباط) and the word **السلام** in bold.\n".as_bytes(),
        ),
    ]);
    let built = common::build_pdf(english.path(), "other-scripts-en");
    let structure = self::structure(&built.pdf);
    assert_eq!(
        spans(&tree(&structure)),
        ["Span [lang=ar] « السلام»"],
        "{structure}"
    );
}

/// The `Span` lines of a tree (see [`tree`]), trimmed.
fn spans<'a>(tree: &[&'a str]) -> Vec<&'a str> {
    tree.iter()
        .map(|line| line.trim())
        .filter(|line| line.starts_with("Span"))
        .collect()
}

/// The tagged book with `extra` added to its `[pdf]` table, built.
fn tagged_with(extra: &str, out: &str) -> common::Built {
    book_with(&tagged_book(), extra, out)
}

/// `source` copied with `extra` added to its `book.toml`, built into
/// `out`.
fn book_with(source: &Path, extra: &str, out: &str) -> common::Built {
    let book = common::scratch().join(out).with_extension("book");
    let _ = std::fs::remove_dir_all(&book);
    std::fs::create_dir_all(&book).unwrap();
    for entry in std::fs::read_dir(source).unwrap().flatten() {
        std::fs::copy(entry.path(), book.join(entry.file_name())).unwrap();
    }
    let config = std::fs::read_to_string(book.join("book.toml")).unwrap();
    std::fs::write(book.join("book.toml"), format!("{config}{extra}\n")).unwrap();
    common::build_pdf(&book, out)
}

/// The catalog object of `pdf`, as qpdf shows it.
fn catalog(pdf: &Path) -> String {
    let trailer = common::run_ok("qpdf", &["--show-object=trailer", common::arg(pdf)]);
    let root = trailer
        .split("/Root ")
        .nth(1)
        .and_then(|rest| rest.split(" 0 R").next())
        .expect("a /Root");
    common::run_ok(
        "qpdf",
        &[&format!("--show-object={root}"), common::arg(pdf)],
    )
}

#[test]
fn an_accessible_book_claims_pdf_ua_beside_pdf_a() {
    if !common::have_tools(&["qpdf", "pdfinfo"]) {
        return;
    }
    // krilla's PDF/UA-1 validator passes it, or nothing would be written.
    let built = tagged_with(
        "accessible = true\nstandard = \"pdf/a-2u\"",
        "tagged-accessible",
    );
    let xmp = common::run_ok("pdfinfo", &["-meta", common::arg(&built.pdf)]);
    assert!(xmp.contains("<pdfuaid:part>1</pdfuaid:part>"), "{xmp}");
    assert!(xmp.contains("<pdfaid:part>2</pdfaid:part>"), "{xmp}");
    // PDF/A admits pdfuaid only with its extension schema.
    assert!(
        xmp.contains("<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>"),
        "{xmp}"
    );
    let catalog = catalog(&built.pdf);
    assert!(catalog.contains("/DisplayDocTitle true"), "{catalog}");

    // Without the claim, none.
    let plain = common::build_pdf(&tagged_book(), "tagged-unclaimed");
    let xmp = common::run_ok("pdfinfo", &["-meta", common::arg(&plain.pdf)]);
    assert!(!xmp.contains("pdfuaid"), "{xmp}");
}

#[test]
fn an_accessible_book_pdf_ua_refuses_fails_and_says_why() {
    // A private-use character: no font has it, and PDF/UA-1 wants every
    // glyph to stand for text.
    let book = common::folder(&[
        (
            "book.toml",
            "[book]\ntitle = \"رموز\"\nlanguage = \"ar\"\n\n[pdf]\naccessible = true\n".as_bytes(),
        ),
        ("01.md", "# رموز\n\nرمز خاص \u{E000} في النص.\n".as_bytes()),
    ]);
    let out_dir = book.path().join("out");
    let out = common::warraq()
        .args([
            "build",
            common::arg(book.path()),
            "-o",
            common::arg(&out_dir),
        ])
        .args(["--format", "pdf"])
        .output()
        .expect("warraq runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("cannot be PDF/UA-1") && stderr.contains("U+E000"),
        "{stderr}"
    );
}

/// The structure tree is written a chapter at a time as the pages are
/// drawn, not held whole to the end (`Tagger::complete`): a chapter is
/// written once its links are made, and a link is made once the page it
/// leads to is drawn. Here the first chapter leads two chapters on and
/// the third back: written when its pages were, the first chapter's link
/// element had no annotation (krilla stopped at the end: the annotation
/// was in no element), and the build fails whatever tools there are.
#[test]
fn links_to_chapters_ahead_stay_in_their_elements() {
    let dir = common::folder(&[
        (
            "book.toml",
            b"[book]\ntitle = \"links\"\nlanguage = \"ar\"\n",
        ),
        (
            "01.md",
            "# الأول\n\nانظر [الفصل الثالث](03.md) ثم عد.\n".as_bytes(),
        ),
        ("02.md", "# الثاني\n\nنص قصير.\n".as_bytes()),
        (
            "03.md",
            "# الثالث\n\nارجع إلى [الفصل الأول](01.md).\n".as_bytes(),
        ),
    ]);
    let built = common::build_pdf(dir.path(), "tags-links-ahead");
    if !(common::have_tools(&["qpdf"]) && common::have_pdfjs()) {
        return;
    }
    let structure = structure(&built.pdf);
    let tree = tree(&structure);
    let roles: Vec<&str> = tree.iter().map(|line| role(line)).collect();
    #[rustfmt::skip]
    let expected = [
        "Document",
        // The title page: the title, in English.
        " P", "  Span",
        " TOC", "  P",
        "  TOCI", "   Link", "  TOCI", "   Link", "  TOCI", "   Link",
        " H1", " P", "  Link",
        " H1", " P",
        " H1", " P", "  Link",
    ];
    assert_eq!(roles, expected, "{structure}");
    assert!(
        (tree
            .iter()
            .filter(|line| line.trim_start().starts_with("Link")))
        .all(|link| link.contains("[annots=1]")),
        "{structure}"
    );
}

#[test]
fn the_showcase_is_tagged_throughout() {
    if !(common::have_tools(&["qpdf", "pdfinfo"]) && common::have_pdfjs()) {
        return;
    }
    let structure = structure(&common::showcase_pdf().pdf);
    let tree = tree(&structure);
    let count = |role: &str| tree.iter().filter(|l| self::role(l).trim() == role).count();
    // Its two tables' head cells (the long table's head repeated on later
    // pages is an artifact), its two notes, its three lines of code.
    assert_eq!(count("TH"), 3 + 4, "{structure}");
    assert_eq!(count("Note"), 2, "{structure}");
    assert_eq!(count("Code"), 3, "{structure}");
    assert!(
        tree.iter().any(|l| l.trim() == "Figure [alt=نقش هندسي]"),
        "{structure}"
    );
    assert!(
        !structure.lines().any(|l| l.starts_with("untagged")),
        "{structure}"
    );
    // One parent-tree entry a page, each resolved.
    let parents: Vec<&str> = structure
        .lines()
        .filter(|l| l.starts_with("parenttree"))
        .collect();
    assert_eq!(
        parents.len(),
        common::page_count(&common::showcase_pdf().pdf),
        "{structure}"
    );
    assert!(parents.iter().all(|l| l.ends_with(" ok")), "{structure}");
}

/// outloud (PyPI), a PDF/UA-1 and WCAG 2.2 checker, finds no error and
/// fails no PDF/UA-1 checkpoint in an accessible book, and finds its
/// content painted in the order of the tag tree (its ORD-001) in the
/// vocalised book, where the marks a line starts with are a sequence of
/// their own, drawn after the line (`pdf::text::lead_marks`), which the
/// tree puts right after it (the tagged book's notes are painted at the
/// foot of the page and read after the paragraph that calls them, as
/// meant). What it still warns of is in the README.
#[test]
fn outloud_finds_no_error_and_content_in_tree_order() {
    if !common::have_tools(&["outloud"]) {
        return;
    }
    let vocalised = common::repo().join("tests/books/vocalised");
    for (source, extra, out, in_order) in [
        (tagged_book(), "accessible = true", "tagged-outloud", false),
        (
            vocalised,
            "\n[pdf]\naccessible = true",
            "vocalised-outloud",
            true,
        ),
    ] {
        let built = book_with(&source, extra, out);
        let report = common::scratch().join(out).with_extension("json");
        let run = common::run(
            "outloud",
            &[
                "--json",
                common::arg(&report),
                "--fail-on",
                "error",
                common::arg(&built.pdf),
            ],
        );
        let text = std::fs::read_to_string(&report).expect("outloud's report");
        assert!(run.status.success(), "{out}: outloud failed:\n{text}");
        let report: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let result = &report["results"][0];
        assert_eq!(result["counts"]["error"], 0, "{out}: {text}");
        assert_eq!(result["stats"]["tagged"], true, "{out}: {text}");
        let rules = result["rules"].as_array().expect("rules");
        let ran = rules.iter().filter(|r| r["outcome"] == "pass").count();
        assert!(ran >= 10, "{out}: only {ran} rules passed: {text}");
        for rule in rules {
            assert_ne!(rule["outcome"], "fail", "{out}: {rule}");
        }
        let findings = result["findings"].as_array().expect("findings");
        let out_of_order = findings.iter().find(|f| f["rule"] == "ORD-001");
        assert!(
            !in_order || out_of_order.is_none(),
            "{out}: {out_of_order:?}"
        );
        println!(
            "{out}: outloud: {ran} rules pass, {} findings",
            findings.len()
        );
    }
}
