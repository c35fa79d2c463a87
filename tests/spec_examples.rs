//! The CommonMark and GFM spec examples pulldown-cmark tests itself with
//! (`tests/spec/*.txt`, read as data), each as a chapter of a book: no
//! example panics the build, EPUBCheck accepts every EPUB, at least
//! [`MIN_KEPT`] of the examples of the syntax warraq enables keep their
//! visible text in each output (the share of all is printed too), and an
//! example that loses text has always said so in a warning.
//!
//! Examples are built in batches of [`BATCH`] chapters, so EPUBCheck (a JVM
//! start each run) and the fonts are paid for once a batch. Run with
//! `--nocapture` to see the figures and the examples that lose text.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use common::epub::{epubcheck, unzip};
use warraq::diag::{Diagnostic, Diagnostics};
use warraq::fonts::FontLibrary;

/// The spec files, in the order reported.
const SPEC_FILES: &[&str] = &[
    "spec",
    "smart_punct",
    "gfm_table",
    "gfm_strikethrough",
    "gfm_tasklist",
    "blockquotes_tags",
    "definition_lists",
    "footnotes",
    "heading_attrs",
    "math",
    "metadata_blocks",
    "old_footnotes",
    "regression",
    "strikethrough",
    "super_sub",
    "table",
    "wikilinks",
];

/// Spec files of extensions warraq does not enable yet: their syntax stays
/// as written, so their text comes out changed, not lost, and unwarned.
/// (Take a name out when its extension is rendered or warned about.)
const EXTENSIONS_NOT_ENABLED: &[&str] = &["old_footnotes", "super_sub", "wikilinks"];

/// Whether `example` is from the spec of an extension warraq does not
/// enable yet.
fn needs_extension_not_enabled(example: &Example) -> bool {
    let (file, _) = example.name.split_once(".txt").unwrap_or_default();
    EXTENSIONS_NOT_ENABLED.contains(&file)
}

/// The share of examples of the syntax warraq enables that must keep their visible text, per output.
const MIN_KEPT: f64 = 0.95;

/// Chapters per book.
const BATCH: usize = 300;

/// The fence that opens and closes an example in a spec file.
const FENCE: &str = "````````````````````````````````";

/// One spec example: the Markdown and the HTML the spec expects of it.
#[derive(Debug, Clone)]
struct Example {
    /// `spec.txt#12`: the file and the example's number in it (from 1).
    name: String,
    markdown: String,
    html: String,
}

/// The examples of one spec file, in the format pulldown-cmark's build
/// script reads: a fence followed by ` example` (and an optional suffix
/// naming the extension it needs), the Markdown, a line `.`, the HTML, and
/// the fence again; `→` stands for a tab.
fn examples_of(file: &str, text: &str) -> Vec<Example> {
    let opening = format!("{FENCE} example");
    let mut examples = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(&opening) {
        let after = &rest[start + opening.len()..];
        let body_start = after.find('\n').expect("an example's fence ends its line") + 1;
        let body = &after[body_start..];
        let split = if body.starts_with(".\n") {
            0
        } else {
            body.find("\n.\n").expect("an example has a `.` line") + 1
        };
        let html_part = &body[split + 2..];
        let end = html_part
            .find(&format!("{FENCE}\n"))
            .or_else(|| html_part.rfind(FENCE))
            .expect("an example is closed");
        examples.push(Example {
            name: format!("{file}.txt#{}", examples.len() + 1),
            markdown: body[..split].replace('→', "\t"),
            html: html_part[..end].replace('→', "\t"),
        });
        rest = &html_part[end + FENCE.len()..];
    }
    examples
}

fn all_examples() -> Vec<Example> {
    let dir = common::repo().join("tests/spec");
    SPEC_FILES
        .iter()
        .flat_map(|file| {
            let text = std::fs::read_to_string(dir.join(format!("{file}.txt")))
                .unwrap_or_else(|e| panic!("tests/spec/{file}.txt: {e}"));
            examples_of(file, &text)
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Visible text.

/// Elements a browser shows as blocks (or breaks): their tags separate
/// words, other tags do not.
const BLOCK_ELEMENTS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Elements whose content a browser never shows.
const HIDDEN_ELEMENTS: &[&str] = &["script", "style", "head", "title"];

/// The text a browser shows for `html`: tags dropped (block tags as a
/// space), comments, CDATA sections, declarations and processing
/// instructions dropped, the content of [`HIDDEN_ELEMENTS`] dropped, and
/// character references decoded.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode_references(&rest[..lt]));
        let tag = &rest[lt..];
        let (skip, end_marker) = if tag.starts_with("<!--") {
            (4, "-->")
        } else if tag.starts_with("<![CDATA[") {
            (9, "]]>")
        } else if tag.starts_with("<?") {
            (2, "?>")
        } else if tag.starts_with("<!") {
            (2, ">")
        } else {
            let name: String = tag[1..]
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            if name.is_empty() {
                // Not a tag: a `<` of the text.
                out.push('<');
                rest = &tag[1..];
                continue;
            }
            let close = tag.find('>').map_or(tag.len(), |i| i + 1);
            if BLOCK_ELEMENTS.contains(&name.as_str()) {
                out.push(' ');
            }
            rest = &tag[close..];
            if HIDDEN_ELEMENTS.contains(&name.as_str()) && !tag.starts_with("</") {
                let end = format!("</{name}");
                let found = rest.to_ascii_lowercase().find(&end);
                rest = &rest[found.unwrap_or(rest.len())..];
            }
            continue;
        };
        let end = tag[skip..]
            .find(end_marker)
            .map_or(tag.len(), |i| skip + i + end_marker.len());
        rest = &tag[end..];
    }
    out.push_str(&decode_references(rest));
    out
}

/// Decodes `&name;`, `&#N;` and `&#xN;` for the names the outputs use;
/// anything else stays as written.
fn decode_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let decoded = after.find(';').filter(|&i| i <= 32).and_then(|semi| {
            let name = &after[..semi];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    Some(char::from_u32(code).unwrap_or('\u{fffd}'))
                }
            }?;
            Some((c, semi))
        });
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &after[semi + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The words of `text` (runs of letters and digits) and each other
/// character that is not whitespace, in order.
fn tokens(text: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    for chunk in text.split_whitespace() {
        let mut rest = chunk;
        while let Some(c) = rest.chars().next() {
            let len = if c.is_alphanumeric() {
                rest.find(|c: char| !c.is_alphanumeric())
                    .unwrap_or(rest.len())
            } else {
                c.len_utf8()
            };
            tokens.push(&rest[..len]);
            rest = &rest[len..];
        }
    }
    tokens
}

/// How many times each item occurs.
fn counts<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeMap<T, usize> {
    let mut counts = BTreeMap::new();
    for item in items {
        *counts.entry(item).or_insert(0) += 1;
    }
    counts
}

/// Whether `found` holds every item of `expected` at least as often.
fn holds_all<T: Ord>(expected: BTreeMap<T, usize>, found: &BTreeMap<T, usize>) -> bool {
    expected
        .iter()
        .all(|(item, n)| found.get(item).is_some_and(|m| m >= n))
}

/// `text` with the typographic punctuation smart punctuation makes turned
/// back into what was typed: quotes and dashes changed are not text lost.
fn typed_punctuation(text: &str) -> String {
    text.replace(['“', '”'], "\"")
        .replace(['‘', '’'], "'")
        .replace('—', "---")
        .replace('–', "--")
        .replace('…', "...")
}

/// `xhtml` with each MathML formula replaced by its TeX (its `alttext`),
/// as the spec shows formulas: the text of MathML is not the TeX's.
fn formulas_as_tex(xhtml: &str) -> String {
    let mut out = String::with_capacity(xhtml.len());
    let mut rest = xhtml;
    while let Some(start) = rest.find("<math ") {
        out.push_str(&rest[..start]);
        let math = &rest[start..];
        let end = math
            .find("</math>")
            .map_or(math.len(), |i| i + "</math>".len());
        let tex = math
            .split_once("alttext=\"")
            .and_then(|(_, after)| after.split_once('"'))
            .map_or("", |(tex, _)| tex);
        out.push_str(tex);
        rest = &math[end..];
    }
    out.push_str(rest);
    out
}

/// Whether every one of the [`tokens`] of `expected` is in `found` (the
/// EPUB: words glued together or split apart count as lost; a mark the
/// output adds, like the `.` after a note's number, does not; nor does
/// order, as notes gather at the chapter's end rather than where defined).
fn keeps_words(expected: &str, found: &str) -> bool {
    let (expected, found) = (typed_punctuation(expected), typed_punctuation(found));
    holds_all(counts(tokens(&expected)), &counts(tokens(&found)))
}

/// Whether every character of `expected` but whitespace is in `found` (the
/// PDF: `pdftotext` splits and joins words where the gaps between glyphs
/// say, and notes move to the foot of the page).
fn keeps_text(expected: &str, found: &str) -> bool {
    let visible = |text: &str| {
        counts(
            common::squash(&typed_punctuation(text))
                .chars()
                .collect::<Vec<_>>(),
        )
    };
    holds_all(visible(expected), &visible(found))
}

/// The body of an XHTML document.
fn body_of(xhtml: &str) -> &str {
    let start = xhtml.find("<body").unwrap_or(0);
    let end = xhtml.rfind("</body>").unwrap_or(xhtml.len());
    &xhtml[start..end]
}

// ---------------------------------------------------------------------------
// Building.

/// What became of one example.
#[derive(Debug, Default)]
struct Outcome {
    /// The error that refused the example, if any.
    error: Option<String>,
    warnings: Vec<String>,
    epub_kept: bool,
    pdf_kept: bool,
    epub_text: String,
    pdf_text: String,
}

fn chapter_file(index: usize) -> String {
    format!("ex{index:04}.md")
}

/// Writes a book of `examples` (one a chapter) into `dir`.
fn write_book(dir: &Path, examples: &[(usize, &Example)]) {
    let mut chapters = Vec::new();
    for (index, example) in examples {
        let file = chapter_file(*index);
        std::fs::write(dir.join(&file), &example.markdown).unwrap();
        chapters.push(format!("{file:?}"));
        for picture in pictures_named(&example.markdown) {
            common::write_files(dir, &[(picture.as_str(), &common::epub::tiny_png())]);
        }
    }
    let toml = format!(
        "[book]\ntitle = \"Spec examples\"\nauthors = [\"CommonMark\"]\nlanguage = \"en\"\n\
         chapters = [{}]\n\n[layout]\nhyphenate = false\n",
        chapters.join(", ")
    );
    std::fs::write(dir.join("book.toml"), toml).unwrap();
}

/// The pictures `markdown` names by a plain relative path (`moon.jpg`), as
/// a book would have them in its folder. Absolute paths and web addresses
/// are left out: warraq refuses the first and leaves out the second.
fn pictures_named(markdown: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    Parser::new_ext(markdown, Options::all())
        .filter_map(|event| match event {
            Event::Start(Tag::Image { dest_url, .. }) => Some(dest_url.to_string()),
            _ => None,
        })
        .filter(|dest| {
            !dest.is_empty()
                && !dest.starts_with('/')
                && !dest.contains(':')
                && !dest.contains("..")
                && !dest.contains(['%', '\\', '#', '?'])
        })
        .collect()
}

fn warnings_by_chapter(warnings: &Diagnostics, file: &str) -> Vec<String> {
    warnings
        .0
        .iter()
        .filter(|w| {
            w.file
                .as_ref()
                .is_some_and(|f| f.file_name().is_some_and(|n| n == file))
        })
        .map(Diagnostic::to_string)
        .collect()
}

/// Diagnostics about characters no font has, with the character: one for the
/// whole book, however many chapters use it, so it covers each of them.
fn missing_characters(warnings: &Diagnostics) -> Vec<(char, String)> {
    const NAMED: &str = "no font has the character '";
    warnings
        .0
        .iter()
        .filter_map(|w| {
            let (_, after) = w.message.split_once(NAMED)?;
            Some((after.chars().next()?, w.to_string()))
        })
        .collect()
}

/// Whether `example` alone is refused with an error (a picture that is not
/// in the book folder, say): such an example cannot share a book.
fn refusal(index: usize, example: &Example) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    write_book(dir.path(), &[(index, example)]);
    let book = match warraq::load::load_with_epoch(dir.path(), Some(common::SOURCE_DATE_EPOCH)) {
        Ok(book) => book,
        Err(e) => return Some(e.to_string()),
    };
    warraq::parse::parse(&book, &mut Diagnostics::default())
        .err()
        .map(|e| e.to_string())
}

/// Builds `examples` as one book and fills in their outcomes; returns the
/// book's EPUB.
fn build_batch(examples: &[(usize, &Example)], outcomes: &mut [Outcome]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    write_book(dir.path(), examples);
    let book = warraq::load::load_with_epoch(dir.path(), Some(common::SOURCE_DATE_EPOCH))
        .expect("a batch of examples loads");
    let mut warnings = Diagnostics::default();
    let document = warraq::parse::parse(&book, &mut warnings).expect("a batch parses");
    let fonts = FontLibrary::for_book(&document.fonts).expect("fonts");
    let epub = warraq::epub::write(&document, &fonts, None, &mut Default::default())
        .expect("EPUB is written");
    let pages = warraq::layout::typeset(&document, &fonts, &mut warnings).expect("layout");
    let pdf = warraq::pdf::write(&document, &fonts, pages.clone())
        .expect("PDF is written")
        .read()
        .expect("the PDF reads back");
    let pdf_path = dir.path().join("batch.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();

    // `pdftotext` once for the book: its pages are separated by form feeds.
    // With `-layout`, as without it a line ending in `-` is taken for a
    // hyphenated word and loses the `-`.
    let pdf_pages: Vec<String> = common::pdftotext(&pdf_path, None, true)
        .split('\u{c}')
        .map(str::to_string)
        .collect();
    let files = unzip(&epub);
    let width = examples.len().to_string().len().max(2);
    let missing = missing_characters(&warnings);
    for (chapter, (index, example)) in examples.iter().enumerate() {
        let outcome = &mut outcomes[*index];
        outcome.warnings = warnings_by_chapter(&warnings, &chapter_file(*index));
        let expected = visible_text(&example.html);
        for (character, warning) in &missing {
            if expected.contains(*character) && !outcome.warnings.contains(warning) {
                outcome.warnings.push(warning.clone());
            }
        }

        let name = format!("EPUB/chapter-{:0width$}.xhtml", chapter + 1);
        let xhtml = common::epub::entry(&files, &name);
        outcome.epub_text = visible_text(&formulas_as_tex(body_of(&xhtml)));
        outcome.epub_kept = keeps_words(&expected, &outcome.epub_text);

        outcome.pdf_text = pages
            .pages
            .iter()
            .zip(&pdf_pages)
            .filter(|(page, _)| page.chapter == Some(chapter))
            .map(|(_, text)| text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        outcome.pdf_kept = keeps_text(&expected, &outcome.pdf_text);
    }
    epub
}

#[test]
fn spec_examples_keep_their_text() {
    if !common::have_tools(&["pdftotext"]) {
        return;
    }
    let examples = all_examples();
    assert!(
        examples.len() > 1100,
        "only {} examples read from tests/spec",
        examples.len()
    );
    let mut outcomes: Vec<Outcome> = examples.iter().map(|_| Outcome::default()).collect();

    let started = std::time::Instant::now();
    let mut buildable = Vec::new();
    for (index, example) in examples.iter().enumerate() {
        match refusal(index, example) {
            Some(error) => outcomes[index].error = Some(error),
            None => buildable.push((index, example)),
        }
    }

    eprintln!("examples parsed alone in {:.1?}", started.elapsed());
    let mut epubcheck_failures = Vec::new();
    for (number, batch) in buildable.chunks(BATCH).enumerate() {
        let started = std::time::Instant::now();
        let epub = build_batch(batch, &mut outcomes);
        let built = started.elapsed();
        let name = format!("spec-batch-{number}.epub");
        if let Some(verdict) = epubcheck(&name, &epub)
            && (verdict.fatal > 0 || verdict.errors > 0 || verdict.warnings > 0)
        {
            epubcheck_failures.push(verdict.report);
        }
        eprintln!(
            "batch {number}: built in {built:.1?}, checked in {:.1?}",
            started.elapsed() - built
        );
    }

    let total = examples.len();
    // Shares of all the examples, and of those whose syntax warraq enables.
    let share = |kept: fn(&Outcome) -> bool, enabled_only: bool| {
        let counted: Vec<&Outcome> = examples
            .iter()
            .zip(&outcomes)
            .filter(|(example, _)| !enabled_only || !needs_extension_not_enabled(example))
            .map(|(_, outcome)| outcome)
            .collect();
        counted.iter().filter(|o| kept(o)).count() as f64 / counted.len() as f64
    };
    let epub_kept: fn(&Outcome) -> bool = |o| o.error.is_none() && o.epub_kept;
    let pdf_kept: fn(&Outcome) -> bool = |o| o.error.is_none() && o.pdf_kept;
    let (epub_share, pdf_share) = (share(epub_kept, true), share(pdf_kept, true));
    let enabled = examples
        .iter()
        .filter(|e| !needs_extension_not_enabled(e))
        .count();

    let mut silent = Vec::new();
    for (example, outcome) in examples.iter().zip(&outcomes) {
        if let Some(error) = &outcome.error {
            println!("{}: refused: {error}", example.name);
            continue;
        }
        if outcome.epub_kept && outcome.pdf_kept {
            continue;
        }
        let lost_in = match (outcome.epub_kept, outcome.pdf_kept) {
            (false, false) => "EPUB and PDF",
            (false, true) => "EPUB",
            _ => "PDF",
        };
        println!(
            "{}: text lost in the {lost_in}\n  markdown: {:?}\n  expected: {:?}\n  epub:     {:?}\n  pdf:      {:?}\n  warnings: {:?}",
            example.name,
            example.markdown,
            visible_text(&example.html)
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            outcome
                .epub_text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            outcome
                .pdf_text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            outcome.warnings,
        );
        if outcome.warnings.is_empty() && !needs_extension_not_enabled(example) {
            silent.push(example.name.clone());
        }
    }
    let refused = outcomes.iter().filter(|o| o.error.is_some()).count();
    println!(
        "{total} spec examples: {:.1}% keep their text in the EPUB, {:.1}% in the PDF; \
         {refused} refused with an error; {} lose text without a warning",
        share(epub_kept, false) * 100.0,
        share(pdf_kept, false) * 100.0,
        silent.len()
    );
    println!(
        "{enabled} examples of the syntax warraq enables: {:.1}% keep their text in the EPUB, \
         {:.1}% in the PDF",
        epub_share * 100.0,
        pdf_share * 100.0,
    );

    assert!(
        epubcheck_failures.is_empty(),
        "EPUBCheck rejects {} of the books:\n{}",
        epubcheck_failures.len(),
        epubcheck_failures.join("\n")
    );
    assert!(
        silent.is_empty(),
        "examples lose text without a warning: {silent:?}"
    );
    assert!(
        epub_share >= MIN_KEPT,
        "EPUB keeps only {:.1}%",
        epub_share * 100.0
    );
    assert!(
        pdf_share >= MIN_KEPT,
        "PDF keeps only {:.1}%",
        pdf_share * 100.0
    );
    // All examples too, those of extensions not enabled included.
    for (output, share) in [
        ("EPUB", share(epub_kept, false)),
        ("PDF", share(pdf_kept, false)),
    ] {
        assert!(
            share >= MIN_KEPT,
            "{output} keeps only {:.1}% of all examples",
            share * 100.0
        );
    }
}

#[test]
fn spec_files_are_read_as_pulldown_cmark_reads_them() {
    let text = format!(
        "intro\n\n{FENCE} example\na→b\n.\n<p>a→b</p>\n{FENCE}\n\ntext\n\n\
         {FENCE} example_smartpunct\n\"x\"\n.\n<p>“x”</p>\n{FENCE}"
    );
    let examples = examples_of("t", &text);
    assert_eq!(examples.len(), 2);
    assert_eq!(examples[0].markdown, "a\tb\n");
    assert_eq!(examples[0].html, "<p>a\tb</p>\n");
    assert_eq!(examples[1].name, "t.txt#2");
    assert_eq!(examples[1].html, "<p>“x”</p>\n");
}

#[test]
fn visible_text_is_what_a_browser_shows() {
    assert_eq!(
        visible_text("<details><summary>Title</summary>Body</details>")
            .split_whitespace()
            .collect::<Vec<_>>(),
        ["Title", "Body"]
    );
    assert_eq!(tokens("1. Title,Body"), ["1", ".", "Title", ",", "Body"]);
    assert!(keeps_words("1 Cool", "1. Cool."));
    assert!(!keeps_words("999.", "999"));
    assert!(keeps_text("a b", "ba"));
    assert!(!keeps_text("123456789.", "123"));
    assert!(!keeps_words("Title Body", "TitleBody"));
    assert_eq!(
        visible_text("<p>a<em>b</em> &amp; &#x41;<!-- no --><![CDATA[x]]></p><script>y</script>"),
        " ab & A "
    );
}

/// `pdftotext -layout` of `markdown` built alone, as a PDF.
fn pdf_layout_text(markdown: &str) -> String {
    let example = Example {
        name: "test".into(),
        markdown: markdown.into(),
        html: String::new(),
    };
    let dir = tempfile::tempdir().unwrap();
    write_book(dir.path(), &[(0, &example)]);
    let book = warraq::load::load_with_epoch(dir.path(), Some(common::SOURCE_DATE_EPOCH)).unwrap();
    let mut warnings = Diagnostics::default();
    let document = warraq::parse::parse(&book, &mut warnings).unwrap();
    let fonts = FontLibrary::for_book(&document.fonts).unwrap();
    let pages = warraq::layout::typeset(&document, &fonts, &mut warnings).unwrap();
    let pdf = dir.path().join("book.pdf");
    let bytes = warraq::pdf::write(&document, &fonts, pages).unwrap();
    std::fs::write(&pdf, bytes.read().unwrap()).unwrap();
    common::pdftotext(&pdf, None, true)
}

#[test]
fn list_numbers_of_any_length_print_whole() {
    if !common::have_tools(&["pdftotext"]) {
        return;
    }
    let text = pdf_layout_text("123456789. ok\n\n---\n\n998. first\n999. second\n");
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    for line in ["123456789. ok", "998. first", "999. second"] {
        assert!(
            lines.iter().any(|l| l == line),
            "no line `{line}` in:\n{text}"
        );
    }
}
