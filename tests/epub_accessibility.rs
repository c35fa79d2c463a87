//! EPUB Accessibility 1.1 metadata, read back from the package document
//! with an XML parser: each claim only where the book makes it true, the
//! summary and certifier from `book.toml`; EPUBCheck finds nothing to say
//! with or without those keys. And the parser's warnings for what would
//! make a claim false: a picture without alt text, a heading that skips a
//! level.

use crate::common;

use std::path::Path;

use common::browser::build_epub;
use common::epub::{assert_epubcheck_clean, entry, tiny_png, unzip};
use quick_xml::events::Event;

/// The package document's `<meta property>` values, in document order, with
/// their `xml:lang` when they have one.
fn metas(epub: &Path) -> Vec<(String, String, Option<String>)> {
    let opf = entry(&unzip(&std::fs::read(epub).unwrap()), "EPUB/package.opf");
    let mut reader = quick_xml::Reader::from_str(&opf);
    let mut found = Vec::new();
    // The meta being read: property, xml:lang, text so far.
    let mut open: Option<(String, String, Option<String>)> = None;
    loop {
        match reader.read_event().expect("well-formed package.opf") {
            Event::Start(start) if start.local_name().as_ref() == "meta" => {
                let attribute = |name: &str| {
                    start
                        .try_get_attribute(name)
                        .unwrap()
                        .map(|a| quick_xml::escape::unescape(&a.value).unwrap().into_owned())
                };
                open = attribute("property").map(|p| (p, String::new(), attribute("xml:lang")));
            }
            Event::Text(text) => {
                if let Some((_, value, _)) = &mut open {
                    value.push_str(&text.xml10_content());
                }
            }
            // An escaped character (`&amp;`) comes between two texts.
            Event::GeneralRef(reference) => {
                if let Some((_, value, _)) = &mut open {
                    let character = match reference.resolve_char_ref().unwrap() {
                        Some(c) => c.to_string(),
                        None => quick_xml::escape::resolve_xml_entity(&reference)
                            .unwrap()
                            .to_string(),
                    };
                    value.push_str(&character);
                }
            }
            Event::End(end) if end.local_name().as_ref() == "meta" => {
                found.extend(open.take());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    found
}

fn values<'a>(metas: &'a [(String, String, Option<String>)], property: &str) -> Vec<&'a str> {
    metas
        .iter()
        .filter(|(p, _, _)| p == property)
        .map(|(_, v, _)| v.as_str())
        .collect()
}

const CHAPTER: &str =
    "# الفصل الأول\n\nنص عربي قصير.\n\n![خريطة المغرب](map.png)\n\n## قسم\n\nنص آخر.\n";

#[test]
fn metadata_claims_what_a_described_book_is() {
    let png = tiny_png();
    let book = common::folder(&[
        (
            "book.toml",
            b"[book]\ntitle = \"\xd9\x83\xd8\xaa\xd8\xa7\xd8\xa8\"\nlanguage = \"ar\"\n",
        ),
        ("01.md", CHAPTER.as_bytes()),
        ("map.png", &png),
    ]);
    let (epub, stderr) = build_epub(book.path(), "described");
    assert!(
        !stderr.contains("warning"),
        "a described book gets no warning: {stderr}"
    );
    let metas = metas(&epub);
    assert_eq!(values(&metas, "schema:accessMode"), ["textual", "visual"]);
    assert_eq!(
        values(&metas, "schema:accessModeSufficient"),
        ["textual,visual", "textual"]
    );
    let features = values(&metas, "schema:accessibilityFeature");
    for feature in [
        "tableOfContents",
        "readingOrder",
        "structuralNavigation",
        "displayTransformability",
        "alternativeText",
    ] {
        assert!(features.contains(&feature), "{feature} in {features:?}");
    }
    assert!(!features.contains(&"MathML"), "{features:?}");
    assert_eq!(values(&metas, "schema:accessibilityHazard"), ["none"]);
    // The built-in summary, in the book's language, so without xml:lang.
    let summary: Vec<_> = metas
        .iter()
        .filter(|(p, _, _)| p == "schema:accessibilitySummary")
        .collect();
    assert_eq!(summary.len(), 1);
    assert!(
        summary[0]
            .1
            .chars()
            .any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))
    );
    assert_eq!(summary[0].2, None);
    assert_eq!(
        values(&metas, "dcterms:conformsTo"),
        ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    );
    assert_eq!(values(&metas, "a11y:certifiedBy"), Vec::<&str>::new());
    assert_epubcheck_clean("described.epub", &std::fs::read(&epub).unwrap());
}

#[test]
fn metadata_from_book_toml_and_an_undescribed_picture() {
    let png = tiny_png();
    let summary = "كتاب نصي & قابل للتكبير، بلا وسائط.";
    let toml = format!(
        "[book]\ntitle = \"كتاب\"\nlanguage = \"ar\"\n\n[epub]\naccessibility_summary = \"{summary}\"\n\
         certified_by = \"Dar Warraq <QA>\"\n"
    );
    let chapter = format!("{CHAPTER}\n![](map.png)\n\nمعادلة $E = mc^2$ هنا.\n");
    let book = common::folder(&[
        ("book.toml", toml.as_bytes()),
        ("01.md", chapter.as_bytes()),
        ("map.png", &png),
    ]);
    let (epub, stderr) = build_epub(book.path(), "configured");
    let warnings = common::warnings(&stderr);
    assert!(
        warnings.iter().any(|(message, place)| message
            .contains("picture `map.png` has no alt text")
            && place.ends_with("01.md:11:1")),
        "{warnings:?}"
    );
    let metas = metas(&epub);
    assert_eq!(values(&metas, "schema:accessibilitySummary"), [summary]);
    assert_eq!(values(&metas, "a11y:certifiedBy"), ["Dar Warraq <QA>"]);
    // Text alone no longer tells everything, and WCAG's 1.1.1 is not met.
    assert_eq!(
        values(&metas, "schema:accessModeSufficient"),
        ["textual,visual"]
    );
    let features = values(&metas, "schema:accessibilityFeature");
    assert!(!features.contains(&"alternativeText"), "{features:?}");
    assert!(features.contains(&"MathML"), "{features:?}");
    assert_eq!(values(&metas, "dcterms:conformsTo"), Vec::<&str>::new());
    assert_epubcheck_clean("configured.epub", &std::fs::read(&epub).unwrap());
}

#[test]
fn an_unknown_epub_key_is_an_error_at_its_line() {
    let book = common::folder(&[
        (
            "book.toml",
            b"[book]\ntitle = \"t\"\n\n[epub]\naccessibility_sumary = \"x\"\n",
        ),
        ("01.md", b"# t\n"),
    ]);
    let output = common::warraq()
        .arg("build")
        .arg(book.path())
        .args(["--format", "epub", "-o"])
        .arg(book.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("accessibility_sumary"), "{stderr}");
    assert!(stderr.contains("book.toml:5"), "{stderr}");
}

#[test]
fn headings_that_skip_a_level_are_warned_about() {
    let book = common::folder(&[
        ("01.md", "## يبدأ الفصل بقسم\n\nنص.\n".as_bytes()),
        (
            "02.md",
            "# عنوان\n\n## قسم\n\n### فرع\n\n## قسم\n\n#### قفزة\n\nنص.\n".as_bytes(),
        ),
        (
            "03.md",
            "# عنوان\n\n## قسم\n\n### فرع\n\n# عنوان\n\n## قسم\n".as_bytes(),
        ),
    ]);
    let (_, stderr) = build_epub(book.path(), "headings");
    let skips: Vec<(String, String)> = common::warnings(&stderr)
        .into_iter()
        .filter(|(message, _)| message.contains("skips level"))
        .collect();
    let places: Vec<String> = skips
        .iter()
        .map(|(_, place)| {
            let file_line = place.rsplit('/').next().unwrap();
            file_line.split(':').take(2).collect::<Vec<_>>().join(":")
        })
        .collect();
    assert_eq!(places, ["01.md:1", "02.md:9"], "{skips:?}");
    assert!(skips[0].0.contains("level 2") && skips[0].0.contains("skips level 1"));
    assert!(skips[1].0.contains("level 4") && skips[1].0.contains("skips level 3"));
}
