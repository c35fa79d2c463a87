//! What a printer checks: fonts embedded as subsets with Unicode maps, a
//! structurally sound file, metadata from `book.toml`, A5 trim with bleed.

use crate::common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{arg, run_ok};

/// One line of `pdffonts`.
#[derive(Debug)]
struct FontLine {
    /// Without the subset tag (`ABCDEF+`).
    name: String,
    subset_tag: bool,
    emb: String,
    sub: String,
    uni: String,
}

fn pdffonts(pdf: &Path) -> Vec<FontLine> {
    let out = run_ok("pdffonts", &[arg(pdf)]);
    let mut lines = out.lines();
    let header = lines.next().unwrap_or_default();
    assert!(
        header.starts_with("name"),
        "unexpected pdffonts output:\n{out}"
    );
    assert!(lines.next().unwrap_or_default().starts_with("----"));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            // name type… encoding emb sub uni object-number generation; the
            // type ("CID TrueType") has spaces, so read from the right.
            let t: Vec<&str> = line.split_whitespace().collect();
            assert!(t.len() >= 7, "unexpected pdffonts line: {line}");
            let n = t.len();
            let (tag, name) = match t[0].split_once('+') {
                Some((tag, name))
                    if tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()) =>
                {
                    (true, name)
                }
                _ => (false, t[0]),
            };
            FontLine {
                name: name.to_string(),
                subset_tag: tag,
                emb: t[n - 5].to_string(),
                sub: t[n - 4].to_string(),
                uni: t[n - 3].to_string(),
            }
        })
        .collect()
}

fn assert_fonts(pdf: &Path, required: &[&str], allowed: &[&str]) {
    let fonts = pdffonts(pdf);
    assert!(
        !fonts.is_empty(),
        "{}: pdffonts lists no fonts",
        pdf.display()
    );
    for f in &fonts {
        assert_eq!(
            f.emb,
            "yes",
            "{}: {} is not embedded",
            pdf.display(),
            f.name
        );
        assert_eq!(
            f.sub,
            "yes",
            "{}: {} is not a subset",
            pdf.display(),
            f.name
        );
        assert!(
            f.subset_tag,
            "{}: {} has no subset tag",
            pdf.display(),
            f.name
        );
        assert_eq!(
            f.uni,
            "yes",
            "{}: {} has no ToUnicode map",
            pdf.display(),
            f.name
        );
        assert!(
            allowed.contains(&f.name.as_str()),
            "{}: unexpected font {}",
            pdf.display(),
            f.name
        );
    }
    let names: BTreeSet<&str> = fonts.iter().map(|f| f.name.as_str()).collect();
    for name in required {
        assert!(
            names.contains(name),
            "{}: {name} is not used; fonts: {names:?}",
            pdf.display()
        );
    }
}

#[test]
fn seed_book_fonts_are_embedded_subsets_with_unicode() {
    if !common::have_tools(&["pdffonts"]) {
        return;
    }
    let amiri = ["Amiri-Regular", "Amiri-Bold"];
    assert_fonts(&common::seed_pdf().pdf, &amiri, &amiri);
}

#[test]
fn showcase_fonts_include_fallback_and_mono() {
    if !common::have_tools(&["pdffonts"]) {
        return;
    }
    assert_fonts(
        &common::showcase_pdf().pdf,
        &[
            "Amiri-Regular",
            "Amiri-Bold",
            // Cyrillic (Астана) falls back to Noto Serif.
            "NotoSerif-Regular",
            // The code block.
            "NotoSansMono-Regular",
        ],
        &[
            "Amiri-Regular",
            "Amiri-Bold",
            "Amiri-Slanted",
            "NotoSerif-Regular",
            "NotoSerif-Bold",
            "NotoSerif-Italic",
            "NotoSansMono-Regular",
        ],
    );
}

fn assert_qpdf_check(pdf: &Path) {
    let out = common::run("qpdf", &["--check", arg(pdf)]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "qpdf --check {} failed ({}):\n{stdout}\n{}",
        pdf.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("No syntax or stream encoding errors found"),
        "qpdf --check {}:\n{stdout}",
        pdf.display()
    );
}

#[test]
fn qpdf_check_passes() {
    if !common::have_tools(&["qpdf"]) {
        return;
    }
    assert_qpdf_check(&common::seed_pdf().pdf);
    assert_qpdf_check(&common::showcase_pdf().pdf);
}

#[test]
fn qpdf_check_catches_a_damaged_file() {
    if !common::have_tools(&["qpdf"]) {
        return;
    }
    let bytes = std::fs::read(&common::seed_pdf().pdf).unwrap();
    // Cut off the cross-reference table and trailer.
    let damaged = common::scratch().join("damaged.pdf");
    std::fs::write(&damaged, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let caught = std::panic::catch_unwind(|| assert_qpdf_check(&damaged)).is_err();
    assert!(caught, "qpdf --check passed a truncated PDF");
}

/// `pdfinfo` fields (`Key: value`).
fn pdfinfo(pdf: &Path, extra: &[&str]) -> Vec<(String, String)> {
    let mut args = extra.to_vec();
    args.push(arg(pdf));
    run_ok("pdfinfo", &args)
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

fn field<'a>(info: &'a [(String, String)], key: &str) -> &'a str {
    info.iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("pdfinfo has no {key}: {info:?}"))
}

fn four(value: &str) -> [f64; 4] {
    let v: Vec<f64> = value
        .split_whitespace()
        .map(|n| n.parse().unwrap_or_else(|_| panic!("not a box: {value}")))
        .collect();
    v.try_into()
        .unwrap_or_else(|_| panic!("not a box: {value}"))
}

fn assert_metadata(book: &Path, pdf: &Path) {
    let info = pdfinfo(pdf, &[]);
    assert_eq!(field(&info, "Title"), common::toml_title(book));
    let author = field(&info, "Author");
    for a in common::toml_authors(book) {
        assert!(author.contains(&a), "Author {author:?} lacks {a:?}");
    }
}

#[test]
fn title_and_authors_come_from_book_toml() {
    if !common::have_tools(&["pdfinfo"]) {
        return;
    }
    assert_metadata(&common::seed_book(), &common::seed_pdf().pdf);
    assert_metadata(&common::showcase_book(), &common::showcase_pdf().pdf);
}

const MM: f64 = 72.0 / 25.4;

#[test]
fn a5_trim_with_3mm_bleed_on_every_page() {
    if !common::have_tools(&["pdfinfo", "mutool"]) {
        return;
    }
    let pdf = &common::seed_pdf().pdf;
    let pages = common::page_count(pdf);
    let last = pages.to_string();
    let info = pdfinfo(pdf, &["-box", "-f", "1", "-l", &last]);
    let (a5_w, a5_h) = (148.0 * MM, 210.0 * MM);
    assert!((a5_w - 419.53).abs() < 0.01 && (a5_h - 595.28).abs() < 0.01);
    let bleed = 3.0 * MM;
    let close = |a: f64, b: f64| (a - b).abs() < 0.01;
    for page in 1..=pages {
        let key = |b: &str| format!("Page {page:>4} {b}");
        let media = four(field(&info, &key("MediaBox")));
        let trim = four(field(&info, &key("TrimBox")));
        let bleed_box = four(field(&info, &key("BleedBox")));
        assert!(
            close(trim[2] - trim[0], a5_w) && close(trim[3] - trim[1], a5_h),
            "page {page}: TrimBox {trim:?} is not A5 (419.53 × 595.28)"
        );
        assert!(
            close(media[2] - media[0], a5_w + 2.0 * bleed)
                && close(media[3] - media[1], a5_h + 2.0 * bleed),
            "page {page}: MediaBox {media:?} is not A5 plus 3 mm bleed"
        );
        assert!(
            close(trim[0] - media[0], bleed) && close(trim[1] - media[1], bleed),
            "page {page}: TrimBox {trim:?} is not centred in MediaBox {media:?}"
        );
        assert_eq!(
            bleed_box, media,
            "page {page}: BleedBox should cover the bleed"
        );
    }

    // pdfinfo reports a BleedBox even when there is none (it defaults to the
    // CropBox): check every page object really has one.
    let listing = run_ok("mutool", &["show", arg(pdf), "pages"]);
    let objects: Vec<&str> = listing
        .lines()
        .filter_map(|l| {
            l.split_once(" = ")
                .map(|(_, r)| r.trim_end_matches(" 0 R").trim())
        })
        .collect();
    assert_eq!(objects.len(), pages, "mutool show pages:\n{listing}");
    for (i, object) in objects.iter().enumerate() {
        let dict = run_ok("mutool", &["show", arg(pdf), object]);
        for key in ["/BleedBox", "/TrimBox", "/MediaBox"] {
            assert!(dict.contains(key), "page {} has no {key}:\n{dict}", i + 1);
        }
    }
}
