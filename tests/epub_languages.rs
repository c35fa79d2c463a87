//! Words in another script than the language they sit in carry the
//! language of their script (`lang`, and `dir` where it changes), so that a
//! screen reader reads «Astana» in an Arabic book with a Latin or Cyrillic
//! voice: read back from the EPUB's XHTML, every letter is inside an
//! element whose language is written in the letter's script.

use crate::common;

use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::Event;
use unicode_script::{Script, UnicodeScript};

/// The script each language these books use is written in (the test's own
/// table: ISO 639 code → ISO 15924 script).
fn script_of(language: &str) -> Option<Script> {
    let primary = language.split('-').next()?;
    Some(match primary {
        "ar" | "fa" | "ur" => Script::Arabic,
        "en" | "fr" | "de" | "es" => Script::Latin,
        "ru" | "kk" => Script::Cyrillic,
        "he" => Script::Hebrew,
        "el" => Script::Greek,
        _ => return None,
    })
}

/// Letters of `xhtml` (outside code and the document's title) whose script is not that of the
/// language they are in, with that language; and how many letters of
/// another script than the document's are inside a `lang` of their own.
fn misplaced_letters(xhtml: &str) -> (Vec<(char, String)>, usize) {
    let mut reader = Reader::from_str(xhtml);
    // The language in effect at each open element, and whether it is code.
    let mut stack: Vec<(String, bool)> = Vec::new();
    let mut wrong = Vec::new();
    let mut marked = 0;
    let mut document_language = String::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                let (parent, code) = stack.last().cloned().unwrap_or_default();
                let lang = e.try_get_attribute("lang").unwrap().map(|a| {
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap()
                        .into_owned()
                });
                if stack.is_empty() {
                    document_language = lang.clone().unwrap_or_default();
                }
                let name = e.name();
                // A document's `<title>` holds text only: no element can
                // say its words' language.
                let code =
                    code || matches!(name.as_ref(), "code" | "pre" | "script" | "style" | "title");
                stack.push((lang.unwrap_or(parent), code));
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Text(t) => {
                let Some((lang, code)) = stack.last() else {
                    continue;
                };
                if *code {
                    continue;
                }
                let expected = script_of(lang);
                for c in t.xml10_content().chars() {
                    let script = c.script();
                    if matches!(script, Script::Common | Script::Inherited | Script::Unknown) {
                        continue;
                    }
                    if Some(script) != expected {
                        wrong.push((c, lang.clone()));
                    } else if *lang != document_language {
                        marked += 1;
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (wrong, marked)
}

/// The content documents of `epub` and what [`misplaced_letters`] finds
/// in each; returns the letters marked in all.
fn check(epub: &Path) -> usize {
    let files = common::epub::unzip(&std::fs::read(epub).unwrap());
    let mut marked = 0;
    for (name, _, bytes) in &files {
        if !name.ends_with(".xhtml") {
            continue;
        }
        let xhtml = String::from_utf8(bytes.clone()).unwrap();
        let (wrong, here) = misplaced_letters(&xhtml);
        assert!(
            wrong.is_empty(),
            "{} {name}: letters in a language of another script: {:?}",
            epub.display(),
            &wrong[..wrong.len().min(10)]
        );
        marked += here;
    }
    marked
}

#[test]
fn words_in_other_scripts_carry_their_language() {
    for (book, out, least) in [
        (common::showcase_book(), "languages-showcase", 40),
        (
            common::repo().join("tests/books/mixed-scripts"),
            "languages-mixed",
            20,
        ),
        (
            common::repo().join("tests/books/direction"),
            "languages-direction",
            20,
        ),
    ] {
        let built = common::build(&book, out);
        let marked = check(&built.epub());
        println!(
            "{}: {marked} letters of other scripts marked",
            book.display()
        );
        assert!(
            marked >= least,
            "{}: only {marked} letters marked",
            book.display()
        );
    }
}

#[test]
fn arabic_inside_latin_text_is_marked_right_to_left() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("ltr");
    std::fs::create_dir(&book).unwrap();
    common::write_files(
        &book,
        &[
            ("book.toml", b"[book]\ntitle = \"Rabat\"\nlanguage = \"en\"\n"),
            (
                "01.md",
                "# Rabat\n\nThe capital, Rabat (\u{0627}\u{0644}\u{0631}\u{0628}\u{0627}\u{0637}), \
                 faces Sal\u{00e9}.\n"
                    .as_bytes(),
            ),
        ],
    );
    let built = common::build(&book, "languages-ltr");
    let marked = check(&built.epub());
    let files = common::epub::unzip(&std::fs::read(built.epub()).unwrap());
    let chapter = common::epub::entry(&files, "EPUB/chapter-01.xhtml");
    assert!(
        chapter.contains("(<span lang=\"ar\" xml:lang=\"ar\" dir=\"rtl\">\u{0627}\u{0644}\u{0631}\u{0628}\u{0627}\u{0637}</span>)"),
        "{chapter}"
    );
    assert_eq!(marked, 6);
}

#[test]
fn the_language_of_a_script_is_the_books_choice() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("chosen");
    std::fs::create_dir(&book).unwrap();
    common::write_files(
        &book,
        &[
            (
                "book.toml",
                "[book]\ntitle = \"أستانا\"\nlanguage = \"ar\"\n\
             script_languages = { Cyrl = \"kk\", Latn = \"fr\" }\n"
                    .as_bytes(),
            ),
            (
                "01.md",
                "# مدينة\n\nعاصمة كازاخستان Астана وتسمى بالفرنسية Astana.\n".as_bytes(),
            ),
        ],
    );
    let built = common::build(&book, "languages-chosen");
    let files = common::epub::unzip(&std::fs::read(built.epub()).unwrap());
    let chapter = common::epub::entry(&files, "EPUB/chapter-01.xhtml");
    assert!(
        chapter.contains("<span lang=\"kk\" xml:lang=\"kk\" dir=\"ltr\">Астана</span>"),
        "{chapter}"
    );
    assert!(
        chapter.contains("<span lang=\"fr\" xml:lang=\"fr\" dir=\"ltr\">Astana</span>"),
        "{chapter}"
    );
    check(&built.epub());
    common::epub::assert_epubcheck_clean(
        "languages-chosen.epub",
        &std::fs::read(built.epub()).unwrap(),
    );
}

#[test]
fn a_script_code_or_language_tag_that_is_not_one_is_an_error_on_its_line() {
    for (table, said) in [
        (
            "{ Latin = \"en\" }",
            "`Latin` is not an ISO 15924 script code",
        ),
        (
            "{ Latn = \"english\" }",
            "`english` (for `Latn`) is not a BCP 47",
        ),
    ] {
        let dir = common::folder(&[
            (
                "book.toml",
                format!("[book]\ntitle = \"t\"\nlanguage = \"ar\"\nscript_languages = {table}\n")
                    .as_bytes(),
            ),
            ("01.md", "نص".as_bytes()),
        ]);
        let output = common::warraq()
            .arg("build")
            .arg(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(said), "{stderr}");
        assert!(stderr.contains("book.toml:4"), "{stderr}");
    }
}
