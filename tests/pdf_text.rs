//! The PDF's text copies out as the book's text: `pdftotext` gives back every
//! heading and paragraph of the seed book, in logical order, in book order.

use crate::common;

use common::squash;

/// The body of the book as `pdftotext` reads it: the pages after the first
/// one that says «المحتويات» (the contents repeat every heading).
fn body_text() -> String {
    // poppler used to put the comma after a number before it («عام ،2025
    // حيث»); read as it comes, with no mending: the right-to-left mark
    // warraq draws between them (`line_text` in `src/pdf/text.rs`) is
    // what keeps the comma after the number.
    let text = common::pdftotext(&common::seed_pdf().pdf, None, false);
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let toc = pages
        .iter()
        .position(|p| squash(p).contains("المحتويات"))
        .expect("no page says «المحتويات»");
    pages[toc + 1..].join("\u{c}")
}

/// Finds `blocks` in `haystack` one after the other, each after the end of
/// the one before. Both sides are compared without whitespace and bidi
/// controls (see [`common::squash`]): `pdftotext` inserts spaces where
/// Amiri's glyph gaps are wide (after ز, ر, و: «رؤ ية»), lines wrap anywhere,
/// and it wraps runs in U+202A…U+202C and U+200E/F.
fn assert_in_order(haystack: &str, blocks: &[(String, String)]) {
    let haystack = squash(haystack);
    let mut at = 0;
    for (file, block) in blocks {
        let needle = squash(block);
        assert!(!needle.is_empty());
        match haystack[at..].find(&needle) {
            Some(found) => at += found + needle.len(),
            None => {
                let anywhere = haystack.contains(&needle);
                // The longest prefix that is there, to show where it goes wrong.
                let mut prefix: String = String::new();
                for c in needle.chars() {
                    prefix.push(c);
                    if !haystack[at..].contains(&prefix) {
                        break;
                    }
                }
                panic!(
                    "{file}: {}\n  block: {block}\n  matches up to: {prefix}",
                    if anywhere {
                        "block is in the PDF text, but out of order"
                    } else {
                        "block is not in the PDF text"
                    }
                );
            }
        }
    }
}

fn seed_blocks() -> Vec<(String, String)> {
    common::chapters(&common::seed_book())
        .into_iter()
        .flat_map(|c| {
            let file = c.file.clone();
            c.blocks.into_iter().map(move |b| (file.clone(), b))
        })
        .collect()
}

#[test]
fn every_heading_and_paragraph_copies_out_in_order() {
    if !common::have_tools(&["pdftotext", "pdfinfo"]) {
        return;
    }
    let blocks = seed_blocks();
    // 10 headings and at least one paragraph per chapter.
    assert!(
        blocks.len() >= 20,
        "only {} blocks read from book/",
        blocks.len()
    );
    assert_in_order(&body_text(), &blocks);
}

#[test]
fn text_comparison_catches_disorder_and_loss() {
    if !common::have_tools(&["pdftotext", "pdfinfo"]) {
        return;
    }
    let body = body_text();
    let blocks = seed_blocks();
    let check = |blocks: Vec<(String, String)>| {
        std::panic::catch_unwind(|| assert_in_order(&body, &blocks)).is_err()
    };
    // Two chapters swapped.
    let mut swapped = blocks.clone();
    swapped.swap(0, 2);
    assert!(check(swapped), "chapters out of order went unnoticed");
    // Words of a paragraph in visual (reversed) order.
    let mut reversed = blocks.clone();
    let p = &mut reversed[1].1;
    *p = p.split(' ').rev().collect::<Vec<_>>().join(" ");
    assert!(check(reversed), "reversed words went unnoticed");
    // One word that is not in the book.
    let mut extra = blocks.clone();
    extra[3].1.push_str(" كلمة");
    assert!(check(extra), "a missing word went unnoticed");
}

#[test]
fn footnotes_copy_out_on_the_page_that_calls_them() {
    if !common::have_tools(&["pdftotext", "pdfinfo"]) {
        return;
    }
    let pdf = &common::showcase_pdf().pdf;
    let pages_with = |needle: &str| -> Vec<usize> {
        (1..=common::page_count(pdf))
            .filter(|&p| squash(&common::pdftotext(pdf, Some((p, p)), false)).contains(needle))
            .collect()
    };
    let call = pages_with("تذكرالمصادر");
    assert_eq!(call.len(), 1, "{call:?}");
    assert_eq!(pages_with("حاشيةأولى"), call);
    assert_eq!(pages_with("حاشيةثانية"), call);
}

/// Inline code is set between bidi isolates (U+2066 … U+2069), so that it
/// never reorders with the text around it; they are formatting, and copied
/// text must not hold them («We use ␂git␃to manage files» came out before,
/// with U+2066 and U+2069 where ␂ and ␃ stand here), in poppler
/// or in pdf.js, in a left-to-right line or in a right-to-left one.
#[test]
fn inline_code_copies_out_without_its_isolates() {
    if !common::have_tools(&["pdftotext"]) || !common::have_pdfjs() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("code");
    std::fs::create_dir(&book).unwrap();
    std::fs::write(
        book.join("book.toml"),
        "[book]\ntitle = \"Code\"\nlanguage = \"en\"\n",
    )
    .unwrap();
    std::fs::write(
        book.join("01.md"),
        "# Code\n\nWe use `git` to manage files.\n\nنستعمل `git` لإدارة الملفات.\n",
    )
    .unwrap();
    let pdf = common::build_pdf(&book, "inline-code").pdf;
    let isolates = |c: char| ('\u{2066}'..='\u{2069}').contains(&c);
    for (reader, text) in [
        ("pdftotext", common::pdftotext(&pdf, None, false)),
        ("pdf.js", common::pdfjs_text(&pdf)),
    ] {
        assert!(!text.contains(isolates), "{reader}: {text:?}");
        assert!(
            text.contains("We use git to manage files."),
            "{reader}: {text:?}"
        );
        // The order of words around the code in the Arabic line is each
        // reader's own bidi (poppler's is visual): only its words are checked.
        for word in ["نستعمل", "git", "لإدارة"] {
            assert!(text.contains(word), "{reader}: {text:?}");
        }
    }
}

/// Amiri starts some lam clusters with its kashida glyph («المملكة»: a
/// tatweel glyph, then the lam). Taken for the lam's text, with the lam
/// itself under `/ActualText`, the word came apart in pdf.js («كةل المم»)
/// when no justified line of the book had drawn that glyph as a kashida.
#[test]
fn a_lam_cluster_drawn_with_a_kashida_copies_out_whole() {
    if !common::have_tools(&["pdftotext"]) || !common::have_pdfjs() {
        return;
    }
    let book = common::folder(&[("01.md", "# عنوان\n\nالمملكة\n".as_bytes())]);
    let pdf = common::build_pdf(book.path(), "kingdom").pdf;
    for (reader, text) in [
        ("pdftotext", squash(&common::pdftotext(&pdf, None, false))),
        ("pdf.js", common::pdfjs_text(&pdf)),
    ] {
        assert!(text.contains("المملكة"), "{reader}: {text:?}");
    }
}

/// The letters and digits of `text`, in order: what is left to compare
/// once poppler's spaces, bidi embeddings, invisible joiners and its
/// placing of punctuation beside numbers («،3.14») are set aside.
fn letters(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The second book, read back: each of these pieces of the showcase book
/// (Latin and Cyrillic inside Arabic, numbers, list items, table cells,
/// footnotes, raw HTML, code, headings) comes out of the PDF with its
/// letters in order in `pdftotext`, and the pure Arabic ones exactly in
/// pdf.js. Not its vocalised line, nor «ورّاق»: harakat do not copy out
/// yet (README, "Copy and search").
#[test]
fn the_showcase_book_reads_back_in_pdftotext_and_pdfjs() {
    const IN_POPPLER: &[&str] = &[
        "الأساسيات",
        "مع كلمات لاتينية مثل Markdown و HarfBuzz",
        "وأرقام مثل 2025 و 3.14، وأسماء بالسيريلية: Астана و Қазақстан.",
        "يبدأ هنا السطر الجديد.",
        "اقتباس: «العلم في الصدور لا في السطور».",
        "العنصر الأول",
        "العنصر الثاني مع code_span داخل النص",
        "بند متداخل ثان",
        "نقطة ثانية",
        "انظر الفصل الثاني أو الموقع https://example.org/warraq.",
        "الجداول والحواشي",
        "السكان (مليون)",
        "Kazakhstan",
        "الدار البيضاء",
        "حاشية أولى مع رقم 1955.",
        "حاشية ثانية فيها نص عريض.",
        "fn main() {",
        "A raw HTML paragraph that is safe.",
        "نص بعد HTML مع span داخله.",
        "نقش هندسي",
        "تسعى السياسة الخارجية المغربية إلى بناء شراكات متوازنة",
        "والاستقرار في المنطقتين وفي العالم بأسره.",
    ];
    const IN_PDFJS: &[&str] = &[
        "الأساسيات",
        "يبدأ هنا السطر الجديد.",
        "اقتباس: «العلم في الصدور لا في السطور». — قول مأثور",
        "حاشية أولى مع رقم 1955.",
        "الصلات في تبادل المعارف في الفلك والطب والحساب والفقه واللغة، وفي انتشار فنون",
        "وهذه فقرة قصيرة بعدها.",
    ];
    if !common::have_tools(&["pdftotext"]) || !common::have_pdfjs() {
        return;
    }
    let pdf = &common::showcase_pdf().pdf;
    let poppler = letters(&common::pdftotext(pdf, None, false));
    let missing: Vec<&&str> = IN_POPPLER
        .iter()
        .filter(|piece| !poppler.contains(&letters(piece)))
        .collect();
    assert!(missing.is_empty(), "not in pdftotext's text: {missing:?}");
    let pdfjs = common::pdfjs_text(pdf);
    let missing: Vec<&&str> = IN_PDFJS
        .iter()
        .filter(|piece| !pdfjs.contains(**piece))
        .collect();
    assert!(missing.is_empty(), "not in pdf.js's text: {missing:?}");
}

/// How the strings of content streams are written.
#[derive(Debug, Default)]
struct Strings {
    literal: usize,
    hex: usize,
    /// Escapes by octal code (`\000`), as pdf-writer wrote bytes below 32.
    octal: usize,
}

impl Strings {
    /// Counts the strings of `content`, a page's content stream as written.
    fn add(&mut self, content: &[u8]) {
        let mut at = 0;
        while at < content.len() {
            match content[at] {
                b'(' => {
                    self.literal += 1;
                    let mut depth = 1;
                    at += 1;
                    while depth > 0 && at < content.len() {
                        match content[at] {
                            b'\\' => {
                                self.octal += usize::from(
                                    content.get(at + 1).is_some_and(u8::is_ascii_digit),
                                );
                                at += 1;
                            }
                            b'(' => depth += 1,
                            b')' => depth -= 1,
                            _ => {}
                        }
                        at += 1;
                    }
                }
                b'<' if content.get(at + 1) == Some(&b'<') => at += 2,
                b'<' => {
                    self.hex += 1;
                    at += 1;
                }
                _ => at += 1,
            }
        }
    }
}

/// Glyph codes go into the content streams as they are, two bytes a glyph
/// in a literal string (pdf-writer, patched: `vendor/pdf-writer/WARRAQ.md`):
/// pdf-writer wrote a code below 128 with octal escapes (`\000\004`) and a
/// string with a byte above 127 in hex, four to eight bytes a glyph, most of
/// what the compressor went through. The showcase book draws glyphs of five
/// faces (Amiri in three styles, Noto Serif for its Latin and Cyrillic,
/// Noto Sans Mono for code); that what they copy out as did not change,
/// the copy tests show.
#[test]
fn glyph_codes_are_written_as_bytes_in_literal_strings() {
    if !common::have_tools(&["qpdf"]) {
        return;
    }
    let pdf = &common::showcase_pdf().pdf;
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = dir.path().join("plain.pdf");
    // Streams uncompressed, their content as written.
    common::run_ok(
        "qpdf",
        &[
            "--qdf",
            "--normalize-content=n",
            "--object-streams=disable",
            common::arg(pdf),
            common::arg(&plain),
        ],
    );
    let bytes = std::fs::read(&plain).expect("the uncompressed PDF");
    let marker = b"%% Contents for page ";
    let mut pages = 0;
    let mut total = Strings::default();
    let mut from = 0;
    while let Some(found) = bytes[from..]
        .windows(marker.len())
        .position(|w| w == marker)
    {
        let start = from + found;
        let stream = start
            + bytes[start..]
                .windows(7)
                .position(|w| w == b"stream\n")
                .expect("a stream after its comment")
            + 7;
        let end = stream
            + bytes[stream..]
                .windows(9)
                .position(|w| w == b"endstream")
                .expect("the stream's end");
        total.add(&bytes[stream..end]);
        pages += 1;
        from = end;
    }
    println!("{pages} pages: {total:?}");
    assert_eq!(total.hex, 0, "hex strings in the content streams");
    assert_eq!(total.octal, 0, "octal escapes in the content streams");
    assert!(
        pages == 11 && total.literal > 500,
        "{pages} pages: {total:?}"
    );
}

/// The streams of the showcase (its pages, its fonts, its picture) as
/// written, each by its object number, read with qpdf: a page's content
/// stream `true`, another `false`.
fn deflated_streams(pdf: &std::path::Path) -> Vec<(String, bool)> {
    let json: serde_json::Value = serde_json::from_str(&common::run_ok(
        "qpdf",
        &[
            "--json=2",
            "--json-key=pages",
            "--json-key=qpdf",
            common::arg(pdf),
        ],
    ))
    .expect("qpdf's JSON");
    // "12 0 R", or "obj:12 0 R" as a key: the number, "12".
    fn number(reference: &str) -> String {
        let reference = reference.trim_start_matches("obj:");
        reference.split(' ').next().expect("its number").to_string()
    }
    let reference = |value: &serde_json::Value| number(value.as_str().expect("a reference"));
    let mut streams: Vec<(String, bool)> = (json["pages"].as_array().expect("pages").iter())
        .flat_map(|page| page["contents"].as_array().expect("contents").iter())
        .map(|contents| (reference(contents), true))
        .collect();
    let objects = json["qpdf"][1].as_object().expect("the objects");
    for (key, object) in objects {
        if object["value"]["/Type"] == "/FontDescriptor" {
            streams.push((reference(&object["value"]["/FontFile2"]), false));
        }
        if object["stream"]["dict"]["/Subtype"] == "/Image" {
            streams.push((number(key), false));
        }
    }
    streams
}

/// A page's content stream is deflated at libdeflate's fastest level, 1,
/// and every other stream krilla compresses (fonts, pictures) at 6: a
/// long book's pages are most of its streams and of the compression's
/// work (2.6% fewer instructions for a 100-chapter book's build, the PDF
/// 1.2–1.4% larger); fonts and pictures, the bulk of a short book, are
/// compressed once. Each stream is inflated and deflated again at its
/// level: the same bytes.
#[test]
fn page_streams_are_deflated_at_the_fastest_level_the_others_at_six() {
    if !common::have_tools(&["qpdf"]) {
        return;
    }
    use std::io::Read as _;
    let pdf = &common::showcase_pdf().pdf;
    let streams = deflated_streams(pdf);
    let (pages, others) = (
        streams.iter().filter(|(_, page)| *page).count(),
        streams.iter().filter(|(_, page)| !*page).count(),
    );
    // Eleven pages, five fonts and a picture.
    assert!(pages == 11 && others >= 6, "{pages} pages, {others} others");
    for (number, page) in streams {
        let raw = common::run_ok_bytes(
            "qpdf",
            &[
                &format!("--show-object={number}"),
                "--raw-stream-data",
                common::arg(pdf),
            ],
        );
        let mut data = Vec::new();
        flate2::read::ZlibDecoder::new(&raw[..])
            .read_to_end(&mut data)
            .expect("a zlib stream");
        let level = if page { 1 } else { 6 };
        let mut compressor =
            libdeflater::Compressor::new(libdeflater::CompressionLvl::new(level).expect("a level"));
        let mut again = vec![0; compressor.zlib_compress_bound(data.len())];
        let written = compressor.zlib_compress(&data, &mut again).expect("room");
        assert!(
            again[..written] == raw[..],
            "object {number} (a page's: {page}) is not deflated at level {level}"
        );
    }
}
