//! The EPUB writer on hand-built documents: EPUBCheck finds nothing wrong,
//! the zip is laid out as readers expect, and the bytes are reproducible.

use crate::common;

use std::sync::OnceLock;

use common::epub::*;
use warraq::doc::{BlockKind, Direction, Document, InlineKind};
use warraq::fonts::FontLibrary;

fn write(document: &Document) -> Vec<u8> {
    warraq::epub::write(
        document,
        &FontLibrary::builtin(),
        None,
        &mut Default::default(),
    )
    .expect("the EPUB is written")
}

/// The sample books, written once per test run (deflating the fonts is the
/// slow part, in debug builds).
fn arabic_epub() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| write(&arabic_document()))
}

fn english_epub() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| write(&english_document()))
}

fn content_documents(files: &[(String, bool, Vec<u8>)]) -> Vec<(String, String)> {
    files
        .iter()
        .filter(|(name, _, _)| name.ends_with(".xhtml"))
        .map(|(name, _, data)| (name.clone(), String::from_utf8(data.clone()).unwrap()))
        .collect()
}

#[test]
fn arabic_book_passes_epubcheck() {
    assert_epubcheck_clean("arabic.epub", arabic_epub());
}

#[test]
fn english_book_passes_epubcheck() {
    assert_epubcheck_clean("english.epub", english_epub());
}

#[test]
fn mimetype_comes_first_stored_without_extra_field() {
    let bytes = arabic_epub();
    // The local file header of the first entry, byte by byte.
    assert_eq!(&bytes[0..4], b"PK\x03\x04");
    assert_eq!(u16::from_le_bytes([bytes[8], bytes[9]]), 0, "stored");
    assert_eq!(u16::from_le_bytes([bytes[26], bytes[27]]), 8, "name length");
    assert_eq!(
        u16::from_le_bytes([bytes[28], bytes[29]]),
        0,
        "extra length"
    );
    assert_eq!(&bytes[30..38], b"mimetype");
    assert_eq!(&bytes[38..58], b"application/epub+zip");

    let files = unzip(bytes);
    assert_eq!(files[0].0, "mimetype");
    for (name, stored, _) in &files[1..] {
        assert!(!stored, "{name} should be deflated");
    }
    assert_eq!(files[1].0, "META-INF/container.xml");
}

#[test]
fn same_document_same_bytes() {
    let document = arabic_document();
    let first = arabic_epub();
    let second = write(&document);
    assert!(first == second, "two writes of one document differ");

    let mut later = document.clone();
    later.metadata.timestamp += 86_400 * 3 + 7;
    let files = unzip(&write(&later));
    let opf = entry(&files, "EPUB/package.opf");
    assert!(opf.contains("<meta property=\"dcterms:modified\">2023-11-17T22:13:27Z</meta>"));
    let opf = entry(&unzip(first), "EPUB/package.opf");
    assert!(opf.contains("<meta property=\"dcterms:modified\">2023-11-14T22:13:20Z</meta>"));
}

#[test]
fn zip_times_follow_the_document_and_are_clamped() {
    let mut document = english_document();
    for (timestamp, year) in [(1_700_000_000, 2023), (0, 1980), (i64::MAX / 2, 2107)] {
        document.metadata.timestamp = timestamp;
        // No fonts: quicker, and a case of its own.
        let no_fonts = FontLibrary::default();
        let bytes =
            warraq::epub::write(&document, &no_fonts, None, &mut Default::default()).unwrap();
        let opf = entry(&unzip(&bytes), "EPUB/package.opf");
        if timestamp == 0 {
            // No date given: dcterms:modified still required, dc:date left out.
            assert!(opf.contains("\">1970-01-01T00:00:00Z</meta>"), "{opf}");
            assert!(!opf.contains("<dc:date>"), "{opf}");
        }
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        for i in 0..archive.len() {
            let file = archive.by_index(i).unwrap();
            let time = file.last_modified().unwrap();
            assert_eq!(time.year(), year, "{:?}", file.name());
            assert_eq!(file.unix_mode().map(|m| m & 0o777), Some(0o644));
        }
    }
}

#[test]
fn page_progression_follows_the_book() {
    let arabic = entry(&unzip(arabic_epub()), "EPUB/package.opf");
    assert!(arabic.contains("page-progression-direction=\"rtl\""));
    assert!(arabic.contains("xml:lang=\"ar\" dir=\"rtl\""));

    let english = entry(&unzip(english_epub()), "EPUB/package.opf");
    assert!(!english.contains("page-progression-direction=\"rtl\""));
    assert!(english.contains("page-progression-direction=\"ltr\""));
}

#[test]
fn every_content_document_has_lang_and_dir() {
    for (epub, lang, dir) in [(arabic_epub(), "ar", "rtl"), (english_epub(), "en", "ltr")] {
        let files = unzip(epub);
        let docs = content_documents(&files);
        assert!(docs.len() >= 3, "nav, title page and chapters");
        for (name, xhtml) in docs {
            let html = format!(
                "<html xmlns=\"http://www.w3.org/1999/xhtml\" \
                 xmlns:epub=\"http://www.idpf.org/2007/ops\" \
                 lang=\"{lang}\" xml:lang=\"{lang}\" dir=\"{dir}\">"
            );
            assert!(xhtml.contains(&html), "{name}: no lang/dir\n{xhtml}");
            assert!(xhtml.contains("<meta charset=\"utf-8\"/>"), "{name}");
            assert!(xhtml.contains("href=\"css/style.css\""), "{name}");
        }
    }
}

#[test]
fn nav_lists_every_chapter_and_its_sections() {
    let document = arabic_document();
    let files = unzip(&write(&document));
    let nav = entry(&files, "EPUB/nav.xhtml");
    assert!(nav.contains("<nav epub:type=\"toc\" id=\"toc\""));
    assert!(nav.contains(">المحتويات</h1>"));
    assert!(nav.contains("<a href=\"chapter-01.xhtml\">مقدمة: الشراكة &amp; الرؤية</a>"));
    assert!(nav.contains("<a href=\"chapter-02.xhtml\">الأرقام والبيانات</a>"));
    assert!(nav.contains("<a href=\"chapter-01.xhtml#الأهداف\">الأهداف</a>"));
    assert!(nav.contains("<a href=\"chapter-02.xhtml#الأرقام\">الأرقام</a>"));
    // A level-3 heading is nested under the level-2 heading before it.
    let section = nav.find("#الأرقام\">").expect("the section");
    let subsection = nav
        .find("<a href=\"chapter-02.xhtml#تفاصيل\">تفاصيل تقنية</a>")
        .expect("the subsection in the contents");
    assert!(section < subsection);
    assert_eq!(nav[section..subsection].matches("<ol>").count(), 1, "{nav}");
    assert!(nav.contains("epub:type=\"landmarks\""));
    for landmark in ["cover", "titlepage", "toc", "bodymatter"] {
        assert!(
            nav.contains(&format!("epub:type=\"{landmark}\" href=")),
            "{landmark}"
        );
    }

    let ncx = entry(&files, "EPUB/toc.ncx");
    assert!(ncx.contains(&format!(
        "<meta name=\"dtb:uid\" content=\"{}\"/>",
        document.metadata.identifier
    )));
    for src in [
        "chapter-01.xhtml",
        "chapter-01.xhtml#الأهداف",
        "chapter-02.xhtml",
        "chapter-02.xhtml#الأرقام",
    ] {
        assert!(ncx.contains(&format!("<content src=\"{src}\"/>")), "{src}");
    }

    // English books get English navigation; a book without artwork has
    // a cover too (warraq's design).
    let nav = entry(&unzip(english_epub()), "EPUB/nav.xhtml");
    assert!(nav.contains(">Contents</h1>"));
    assert!(nav.contains("<a epub:type=\"cover\" href=\"cover.xhtml\">Cover</a>"));
}

#[test]
fn stylesheet_never_sets_direction_and_embeds_fonts() {
    let files = unzip(arabic_epub());
    let css = entry(&files, "EPUB/css/style.css");
    assert!(!css.contains("direction"), "{css}");
    assert!(!css.contains("unicode-bidi"));
    // Arabic, Latin in Amiri, code: no character calls for the Noto serifs.
    assert!(css.contains("font-family: \"Amiri\", serif;"), "{css}");
    // Code falls back to the text faces (Arabic in code), not to a system font.
    assert!(
        css.contains("font-family: \"Noto Sans Mono\", \"Amiri\", monospace;"),
        "{css}"
    );
    assert!(css.contains("line-height: 1.8;"));
    assert!(css.contains("text-align: justify;"));
    let mut embedded = Vec::new();
    for face in FontLibrary::builtin().faces {
        let path = format!("EPUB/fonts/{}", face.file_name);
        let Some((_, _, data)) = files.iter().find(|(n, _, _)| *n == path) else {
            continue;
        };
        assert!(data.len() < face.data.len(), "{path} is embedded whole");
        assert!(css.contains(&format!("url(\"../fonts/{}\")", face.file_name)));
        embedded.push(face.file_name);
    }
    assert_eq!(
        embedded,
        [
            "Amiri-Regular.ttf",
            "Amiri-Bold.ttf",
            "Amiri-Slanted.ttf",
            "NotoSansMono-Regular.ttf"
        ]
    );
    assert_eq!(css.matches("@font-face").count(), embedded.len());
    let opf = entry(&files, "EPUB/package.opf");
    assert!(opf.contains("href=\"fonts/Amiri-Regular.ttf\" media-type=\"font/ttf\""));
}

#[test]
fn package_metadata() {
    let files = unzip(arabic_epub());
    let opf = entry(&files, "EPUB/package.opf");
    assert!(opf.contains("unique-identifier=\"book-id\""));
    assert!(opf.contains(
        "<dc:identifier id=\"book-id\">urn:uuid:2f1d3c1e-8a57-5c57-9d0f-0a3c4b5e6f70</dc:identifier>"
    ));
    assert!(opf.contains(
        "<dc:title id=\"title\">المغرب وكازاخستان: شراكة &quot;استراتيجية&quot; &amp; رؤية</dc:title>"
    ));
    assert!(opf.contains("<dc:creator id=\"creator-1\">حسن عماري</dc:creator>"));
    assert!(opf.contains("<dc:creator id=\"creator-2\">Jane O&#39;Neil</dc:creator>"));
    assert!(opf.contains("<dc:language>ar</dc:language>"));
    assert!(opf.contains("<dc:date>2023-11-14</dc:date>"));
    assert!(opf.contains("<meta name=\"cover\" content=\"cover-image\"/>"));
    assert!(opf.contains(
        "<item id=\"cover-image\" href=\"images/cover.jpg\" media-type=\"image/jpeg\" properties=\"cover-image\"/>"
    ));
    assert!(
        opf.contains("href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"")
    );
    // Cover, title page, contents, then the chapters.
    let spine = &opf[opf.find("<spine").unwrap()..];
    let order: Vec<&str> = spine
        .split("idref=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(
        order,
        ["cover", "titlepage", "nav", "chapter-01", "chapter-02"]
    );
    assert!(opf.contains("<meta property=\"schema:accessMode\">visual</meta>"));
}

#[test]
fn chapters_render_blocks_and_inlines() {
    let files = unzip(arabic_epub());
    let one = entry(&files, "EPUB/chapter-01.xhtml");
    let two = entry(&files, "EPUB/chapter-02.xhtml");

    assert!(one.contains("<section epub:type=\"chapter\" role=\"doc-chapter\""));
    assert!(one.contains("<h1 id=\"مقدمة\">مقدمة: الشراكة &amp; الرؤية</h1>"));
    assert!(one.contains(" بحسب &lt;التقرير&gt; &quot;الرسمي&quot; &#39;الأول&#39;."));
    assert!(one.contains("<em><span lang=\"en\" xml:lang=\"en\">Green Hydrogen</span></em>"));
    assert!(one.contains("<strong>الطاقة المتجددة</strong>"));
    assert!(one.contains("<code dir=\"ltr\">AI</code>"));
    assert!(one.contains("<ul>\n<li>تعزيز التبادل التجاري</li>"));
    assert!(one.contains("<ol start=\"3\">"));
    assert!(one.contains("<blockquote>"));
    assert!(one.contains("<br/>"));
    // The picture, under a safe name.
    assert!(one.contains(
        "<img src=\"images/image.png\" alt=\"خريطة &quot;المغرب&quot; &amp; كازاخستان\""
    ));
    assert!(files.iter().any(|(n, _, _)| n == "EPUB/images/image.png"));
    // Links.
    assert!(one.contains("<a href=\"chapter-02.xhtml#الأرقام\">الفصل الثاني</a>"));
    assert!(one.contains(
        "<a href=\"https://example.org/a?b=1&amp;c=2\"><span lang=\"en\" xml:lang=\"en\">example.org</span></a>"
    ));
    assert!(two.contains("<a href=\"chapter-01.xhtml\">المقدمة</a><span class=\"x\">!</span>"));
    // Footnotes: references with ids unique in the book, notes with back
    // links.
    assert!(one.contains(
        "<sup><a epub:type=\"noteref\" href=\"#fn-1-1\" id=\"fnref-1-1\" role=\"doc-noteref\">1</a></sup>"
    ));
    assert!(one.contains("href=\"#fn-1-1\" id=\"fnref-1-1-2\""));
    assert!(one.contains("<aside epub:type=\"footnote\" id=\"fn-1-1\" role=\"doc-footnote\">"));
    assert!(one.contains("<aside epub:type=\"footnote\" id=\"fn-1-2\" role=\"doc-footnote\">"));
    assert!(one.contains("href=\"#fnref-1-1\" role=\"doc-backlink\""));
    assert!(one.contains("<pre dir=\"ltr\"><code class=\"language-text\">x &lt; y</code></pre>"));

    // Tables align with classes, never inline styles.
    assert!(two.contains("<th scope=\"col\" class=\"align-left\">السنة</th>"));
    assert!(two.contains("<td class=\"align-center\">310</td>"));
    assert!(two.contains("<td class=\"align-right\">145</td>"));
    assert!(two.contains("<td><strong>نمو</strong></td>"));
    assert!(!two.contains("style="));
    assert!(two.contains("<h3 id=\"تفاصيل\">تفاصيل تقنية</h3>"));
    assert!(two.contains(
        "<pre dir=\"ltr\"><code class=\"language-rust\">fn main() {\n    println!(&quot;مرحبا &lt;world&gt; &amp; &#39;you&#39;&quot;);\n}</code></pre>"
    ));
    assert!(two.contains("<hr/>"));
    assert!(two.contains(
        "<div class=\"note\"><p><span lang=\"en\" xml:lang=\"en\">HTML</span> <em>خام</em> مُعقَّم</p></div>"
    ));

    let cover = entry(&files, "EPUB/cover.xhtml");
    assert!(cover.contains("epub:type=\"cover\""));
    assert!(cover.contains("<img src=\"images/cover.jpg\" alt=\"المغرب وكازاخستان: شراكة &quot;استراتيجية&quot; &amp; رؤية\""));
    let title = entry(&files, "EPUB/titlepage.xhtml");
    assert!(title.contains("epub:type=\"titlepage\""));
    assert!(title.contains("<p class=\"author\">حسن عماري</p>"));
}

#[test]
fn broken_references_are_errors_naming_the_file() {
    let mut document = arabic_document();
    let BlockKind::Paragraph(inlines) = &mut document.chapters[1].blocks[1].kind else {
        panic!("a paragraph");
    };
    inlines.push(inline(warraq::doc::InlineKind::FootnoteRef { number: 9 }));
    let err = warraq::epub::write(
        &document,
        &FontLibrary::builtin(),
        None,
        &mut Default::default(),
    )
    .unwrap_err();
    assert!(err.message.contains("footnote 9"), "{err}");
    assert_eq!(
        err.file.as_deref(),
        Some(std::path::Path::new("02-arqam.md"))
    );

    let mut document = english_document();
    document.cover = Some("missing.png".into());
    assert!(
        warraq::epub::write(
            &document,
            &FontLibrary::builtin(),
            None,
            &mut Default::default()
        )
        .is_err()
    );
}

#[test]
fn ltr_book_direction_is_ltr_everywhere() {
    let mut document = arabic_document();
    document.metadata.direction = Direction::Ltr;
    let files = unzip(&write(&document));
    for (name, xhtml) in content_documents(&files) {
        // The documents are left to right; a block with no Latin letter in
        // them is marked right to left on its own (as in print).
        let html = xhtml
            .lines()
            .find(|l| l.starts_with("<html"))
            .unwrap_or_default();
        assert!(html.contains("dir=\"ltr\""), "{name}: {html}");
        assert!(!html.contains("dir=\"rtl\""), "{name}: {html}");
    }
    let one = entry(&files, "EPUB/chapter-01.xhtml");
    assert!(one.contains("<h1 id=\"مقدمة\" dir=\"rtl\">"), "{one}");
    assert!(one.contains("<li dir=\"rtl\">تعزيز التبادل"), "{one}");
    // It holds Latin letters (`Green Hydrogen`): the book's direction.
    assert!(one.contains("<p>في عام 2024"), "{one}");
}

/// The harness itself: EPUBCheck must see a package that breaks the rules
/// (so a clean verdict above means something).
#[test]
fn epubcheck_catches_a_broken_package() {
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    let files = unzip(english_epub());
    let mut broken = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, stored, data) in files {
        let method = if stored {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        broken
            .start_file(
                name.as_str(),
                SimpleFileOptions::default().compression_method(method),
            )
            .unwrap();
        broken.write_all(&data).unwrap();
        if name.ends_with("style.css") {
            broken.write_all(b"\np { direction: rtl; }\n").unwrap();
        }
    }
    let bytes = broken.finish().unwrap().into_inner();
    let Some(verdict) = epubcheck("broken.epub", &bytes) else {
        return;
    };
    assert_eq!(verdict.errors, 1, "{}", verdict.report);
    assert!(verdict.report.contains("CSS-001"), "{}", verdict.report);
}

#[test]
fn a_paragraph_against_the_book_direction_gets_its_own_dir() {
    // As in the print layout: in a right-to-left book a block is right to
    // left unless it holds no right-to-left letter.
    let mut document = arabic_document();
    document.chapters[0]
        .blocks
        .push(para(vec![text("2025: Astana and Rabat")]));
    document.chapters[0]
        .blocks
        .push(para(vec![text("2025: Astana and Rabat, ثم العربية")]));
    document.chapters[0]
        .blocks
        .push(para(vec![text("«نص عربي» with English")]));
    // Code is an isolate: its letters do not count (as in print).
    document.chapters[0].blocks.push(para(vec![
        inline(InlineKind::Code("npm install".into())),
        text(" ثم نكمل"),
    ]));
    document.chapters[0].blocks.push(para(vec![
        inline(InlineKind::Code("npm install".into())),
        text(" then"),
    ]));
    let files = unzip(&write(&document));
    let one = entry(&files, "EPUB/chapter-01.xhtml");
    assert!(
        one.contains(
            "<p dir=\"ltr\">2025: <span lang=\"en\" xml:lang=\"en\">Astana and Rabat</span></p>"
        ),
        "{one}"
    );
    assert!(
        one.contains("<p>2025: <span lang=\"en\" xml:lang=\"en\" dir=\"ltr\">Astana and Rabat</span>, ثم العربية</p>"),
        "{one}"
    );
    assert!(
        one.contains("<p>«نص عربي» <span lang=\"en\" xml:lang=\"en\">with English</span></p>"),
        "{one}"
    );
    assert!(
        one.contains("<p><code dir=\"ltr\">npm install</code> ثم نكمل</p>"),
        "{one}"
    );
    assert!(
        one.contains("<p dir=\"ltr\"><code dir=\"ltr\">npm install</code> <span lang=\"en\" xml:lang=\"en\">then</span></p>"),
        "{one}"
    );
}

#[test]
fn note_marks_and_list_numbers_follow_the_books_numerals() {
    let mut document = arabic_document();
    document.layout.numerals = warraq::doc::Numerals::ArabicIndic;
    let epub = write(&document);
    assert_epubcheck_clean("arabic-indic.epub", &epub);
    let files = unzip(&epub);
    let css = entry(&files, "EPUB/css/style.css");
    assert!(css.contains("list-style-type: arabic-indic;"), "{css}");
    let text: String = content_documents(&files)
        .into_iter()
        .map(|(_, xhtml)| xhtml)
        .collect();
    assert!(text.contains("role=\"doc-noteref\">١</a>"), "{text}");
    assert!(text.contains("role=\"doc-noteref\">٢</a>"), "{text}");
    assert!(!text.contains("role=\"doc-noteref\">1</a>"), "{text}");
    // Western by default.
    let css = entry(&unzip(arabic_epub()), "EPUB/css/style.css");
    assert!(css.contains("list-style-type: decimal;"), "{css}");
}
