//! `[book] description`, read back by readers that are not ours: the EPUB's
//! package document with an XML parser (and EPUBCheck), the PDF's info
//! dictionary with poppler's `pdfinfo` and its XMP packet, as `pdfinfo
//! -meta` prints it, with the XML parser. Markup characters, quotes and
//! Arabic come back as written; in the PDF, after the subtitle (neither
//! the info dictionary nor XMP has a field of its own for a subtitle).

use crate::common;

use std::path::Path;

use common::epub::{assert_epubcheck_clean, entry, unzip};
use quick_xml::events::Event;

const SUBTITLE: &str = "عنوان فرعي";

/// Markup characters, both quotes, an apostrophe and Arabic with harakat.
const DESCRIPTION: &str = "Notes on <b>Morocco</b> & Kazakhstan: \"partners\", 'allies'. \
                           وصفٌ للكتاب: شراكة «استراتيجية» & تعاون";

/// The text inside every `name` element of `xml` (its descendants' text
/// included), entities resolved.
fn texts_of(xml: &str, name: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut found = Vec::new();
    // Depth inside the element being read, and its text so far.
    let mut open: Option<(usize, String)> = None;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(start) => match &mut open {
                Some((depth, _)) => *depth += 1,
                None if start.name().as_ref() == name => {
                    open = Some((0, String::new()));
                }
                None => {}
            },
            Event::End(_) => match &mut open {
                Some((0, _)) => found.extend(open.take().map(|(_, text)| text)),
                Some((depth, _)) => *depth -= 1,
                None => {}
            },
            Event::Text(text) => {
                if let Some((_, value)) = &mut open {
                    value.push_str(&text.xml10_content());
                }
            }
            // An escaped character (`&amp;`) comes between two texts.
            Event::GeneralRef(reference) => {
                if let Some((_, value)) = &mut open {
                    let character = match reference.resolve_char_ref().expect("a reference") {
                        Some(c) => c.to_string(),
                        None => quick_xml::escape::resolve_xml_entity(&reference)
                            .expect("a predefined entity")
                            .to_string(),
                    };
                    value.push_str(&character);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    found
}

/// A book with a description (and a subtitle, which comes before it in the
/// PDF's metadata).
fn described_book() -> tempfile::TempDir {
    let toml = format!(
        "[book]\ntitle = \"كتاب موصوف\"\nlanguage = \"ar\"\nsubtitle = \"{SUBTITLE}\"\n\
         description = '''{DESCRIPTION}'''\n"
    );
    common::folder(&[
        ("book.toml", toml.as_bytes()),
        ("01.md", "# الفصل الأول\n\nنص عربي قصير.\n".as_bytes()),
    ])
}

#[test]
fn the_epub_package_carries_the_description() {
    let book = described_book();
    let (epub, _) = common::browser::build_epub(book.path(), "description-epub");
    let epub = std::fs::read(epub).expect("the EPUB");
    let opf = entry(&unzip(&epub), "EPUB/package.opf");
    assert_eq!(texts_of(&opf, "dc:description"), [DESCRIPTION], "{opf}");
    assert_epubcheck_clean("description.epub", &epub);
}

#[test]
fn the_pdf_info_and_xmp_carry_the_description() {
    if !common::have_tools(&["pdfinfo"]) {
        return;
    }
    let book = described_book();
    for standard in ["none", "pdf/a-2u"] {
        let built = common::build_formats(
            book.path(),
            &format!("description-{}", standard.replace('/', "")),
            &["--format", "pdf", "--pdf-standard", standard],
        );
        let pdf: &Path = &built.pdf;
        let info = common::run_ok("pdfinfo", &[common::arg(pdf)]);
        let subject: Vec<&str> = info
            .lines()
            .filter_map(|line| line.strip_prefix("Subject:"))
            .map(str::trim)
            .collect();
        let described = format!("{SUBTITLE} — {DESCRIPTION}");
        assert_eq!(subject, [described.as_str()], "{standard}:\n{info}");
        let xmp = common::run_ok("pdfinfo", &["-meta", common::arg(pdf)]);
        assert_eq!(
            texts_of(&xmp, "dc:description"),
            [described.as_str()],
            "{standard}:\n{xmp}"
        );
    }
}
