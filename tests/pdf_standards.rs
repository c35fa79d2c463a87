//! `[pdf] standard`: PDF/A-2u and PDF/X-4 read back with tools that are not
//! ours (qpdf, poppler's pdfinfo and pdffonts, MuPDF's mutool): the
//! identification in the XMP and the info dictionary, the output intent,
//! embedded fonts, black as the K plate alone, the metadata of `book.toml`,
//! the same bytes on every build, and a book PDF/A cannot hold refused.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{arg, have_tools, repo, run_ok, warraq};

fn standards_book() -> PathBuf {
    repo().join("tests/books/standards")
}

/// Builds `book`'s PDF with `args` (`--pdf-standard`, `--pdf-preset`)
/// into `out`.
fn build(book: &Path, args: &[&str], out: &Path) -> Output {
    warraq()
        .args(["build", arg(book), "-o", arg(out), "--format", "pdf"])
        .args(args)
        .output()
        .expect("warraq runs")
}

/// The standards book's PDF for `standard`, and what warraq printed.
fn built(standard: &str) -> (tempfile::TempDir, PathBuf, String) {
    built_with(&["--pdf-standard", standard])
}

/// The standards book's PDF built with `args`, and what warraq printed.
fn built_with(args: &[&str]) -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = build(&standards_book(), args, dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "build failed:\n{stderr}");
    let pdf = dir.path().join("standards.pdf");
    (dir, pdf, stderr)
}

/// `qpdf --show-object` of the object `reference` (`trailer`, `12`).
fn object(pdf: &Path, reference: &str) -> String {
    run_ok("qpdf", &[&format!("--show-object={reference}"), arg(pdf)])
}

/// The object number after `/key` in a dictionary qpdf printed.
fn reference_of(dictionary: &str, key: &str) -> String {
    let rest = dictionary
        .split(&format!("/{key} "))
        .nth(1)
        .unwrap_or_else(|| panic!("no /{key} in {dictionary}"));
    rest.trim_start_matches('[')
        .split_whitespace()
        .next()
        .expect("a reference")
        .to_string()
}

fn info(pdf: &Path) -> String {
    object(pdf, &reference_of(&object(pdf, "trailer"), "Info"))
}

fn catalog(pdf: &Path) -> String {
    object(pdf, &reference_of(&object(pdf, "trailer"), "Root"))
}

/// The first output intent's dictionary.
fn output_intent(pdf: &Path) -> String {
    let intents = reference_of(&catalog(pdf), "OutputIntents");
    let intents = object(pdf, &intents);
    // krilla writes the array as its own object; the update inline.
    if intents.trim_start().starts_with('[') {
        object(pdf, &reference_of(&format!("/X {intents}"), "X"))
    } else {
        intents
    }
}

fn xmp(pdf: &Path) -> String {
    run_ok("pdfinfo", &["-meta", arg(pdf)])
}

fn assert_clean_and_embedded(pdf: &Path) {
    let check = run_ok("qpdf", &["--check", arg(pdf)]);
    assert!(
        check.contains("No syntax or stream encoding errors"),
        "qpdf --check:\n{check}"
    );
    let fonts = run_ok("pdffonts", &[arg(pdf)]);
    let lines: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!lines.is_empty(), "no fonts:\n{fonts}");
    for line in lines {
        // name type… encoding emb sub uni object generation
        let t: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(t[t.len() - 5], "yes", "font not embedded: {line}");
        assert_eq!(t[t.len() - 3], "yes", "font without a Unicode map: {line}");
    }
}

#[test]
fn pdf_a_2u_identifies_itself() {
    if !have_tools(&["qpdf", "pdfinfo", "pdffonts"]) {
        return;
    }
    let (_dir, pdf, _) = built("pdf/a-2u");
    let meta = xmp(&pdf);
    assert!(meta.contains("<pdfaid:part>2</pdfaid:part>"), "{meta}");
    assert!(
        meta.contains("<pdfaid:conformance>U</pdfaid:conformance>"),
        "{meta}"
    );
    assert!(!meta.contains("GTS_PDFXVersion"), "{meta}");
    let intent = output_intent(&pdf);
    assert!(intent.contains("/S /GTS_PDFA1"), "{intent}");
    let profile = object(&pdf, &reference_of(&intent, "DestOutputProfile"));
    assert!(profile.contains("/N 3"), "the sRGB profile: {profile}");
    assert!(!info(&pdf).contains("GTS_PDFXVersion"));
    assert_clean_and_embedded(&pdf);
}

#[test]
fn pdf_x_4_identifies_itself_with_a_cmyk_output_intent() {
    if !have_tools(&["qpdf", "pdfinfo", "pdffonts"]) {
        return;
    }
    let (_dir, pdf, _) = built("pdf/x-4");
    let meta = xmp(&pdf);
    assert!(
        meta.contains("<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>"),
        "{meta}"
    );
    assert!(meta.contains("<pdf:Trapped>False</pdf:Trapped>"), "{meta}");
    assert!(!meta.contains("pdfaid"), "{meta}");
    let info = info(&pdf);
    assert!(info.contains("/GTS_PDFXVersion (PDF/X-4)"), "{info}");
    assert!(info.contains("/Trapped /False"), "{info}");

    let intent = output_intent(&pdf);
    assert!(intent.contains("/S /GTS_PDFX"), "{intent}");
    assert!(
        intent.contains("/OutputConditionIdentifier (FOGRA39)"),
        "{intent}"
    );
    let profile_ref = reference_of(&intent, "DestOutputProfile");
    let profile = object(&pdf, &profile_ref);
    assert!(profile.contains("/N 4"), "a CMYK profile: {profile}");
    let bytes = std::process::Command::new("qpdf")
        .args([
            &format!("--show-object={profile_ref}"),
            "--filtered-stream-data",
            arg(&pdf),
        ])
        .output()
        .expect("qpdf runs")
        .stdout;
    let committed = std::fs::read(repo().join("icc/ISOcoated_v2_300_bas.icc")).expect("icc");
    assert!(
        bytes == committed,
        "the embedded profile is the committed one"
    );

    // PDF/X-4 is PDF 1.6, and keeps annotations off the printed page.
    let version = run_ok("pdfinfo", &[arg(&pdf)]);
    assert!(version.contains("PDF version:     1.6"), "{version}");
    let objects = run_ok("qpdf", &["--json", "--json-key=qpdf", arg(&pdf)]);
    assert!(
        !objects.contains("\"/Annots\""),
        "a PDF/X page has annotations"
    );
    assert!(!object(&pdf, "trailer").contains("/Encrypt"));
    assert_clean_and_embedded(&pdf);
}

/// A press book's cover is in the four inks, and the pages after it in
/// black alone.
fn assert_black_ink_only(pdf: &Path, what: &str) {
    let cover = common::fills_of(pdf, "1");
    assert!(
        !cover.is_empty() && cover.iter().all(|(space, _)| space == "DeviceCMYK"),
        "{what}: {cover:?}"
    );
    let fills = common::fills_of(pdf, "2-N");
    assert!(fills.len() > 20, "{what}: too few fills: {fills:?}");
    for (space, colour) in &fills {
        assert_eq!(space, "DeviceCMYK", "{what}: {colour}");
        let c: Vec<&str> = colour.split_whitespace().collect();
        assert_eq!(&c[..3], &["0", "0", "0"], "{what}: not K only: {colour}");
    }
}

#[test]
fn press_books_print_text_and_rules_in_black_ink_only() {
    if !have_tools(&["mutool", "qpdf"]) {
        return;
    }
    // Print on demand, which claims no standard, as the press does.
    let (_dir, kdp, _) = built_with(&["--pdf-preset", "kdp"]);
    assert_black_ink_only(&kdp, "kdp");
    let (_dir, pdf, _) = built("pdf/x-4");
    assert_black_ink_only(&pdf, "PDF/X-4");
    // Pictures keep their colours, but as ICC based colour (MuPDF built
    // without ICC support reports them as DeviceRGB): no device RGB or grey
    // anywhere, content streams included.
    let dir = tempfile::tempdir().expect("temp dir");
    let qdf = dir.path().join("qdf.pdf");
    run_ok(
        "qpdf",
        &["--qdf", "--object-streams=disable", arg(&pdf), arg(&qdf)],
    );
    let bytes = std::fs::read(&qdf).expect("qdf");
    for device in [&b"/DeviceRGB"[..], b"/DeviceGray"] {
        assert!(
            !bytes.windows(device.len()).any(|w| w == device),
            "{} in a PDF/X",
            String::from_utf8_lossy(device)
        );
    }
    // The office PDF keeps its grey.
    let (_dir, plain, _) = built("none");
    let fills = common::fills(&plain);
    assert!(
        !fills.is_empty() && fills.iter().all(|(space, _)| space != "DeviceCMYK"),
        "a PDF for no press is not CMYK: {fills:?}"
    );
}

#[test]
fn metadata_comes_from_book_toml_in_xmp_and_info() {
    if !have_tools(&["qpdf", "pdfinfo"]) {
        return;
    }
    for standard in ["none", "pdf/a-2u", "pdf/x-4"] {
        let (_dir, pdf, _) = built(standard);
        let shown = run_ok("pdfinfo", &[arg(&pdf)]);
        for expected in [
            "Title:           مطبعة الأرشيف",
            "Subject:         كتاب يختبر المعايير",
            "Author:          سلمى الورّاق, Idris Benali",
            "Keywords:        طباعة, أرشفة, PDF",
            // SOURCE_DATE_EPOCH wins over book.toml's date.
            "CreationDate:    Sun Nov 30 00:00:00 2025 UTC",
        ] {
            assert!(shown.contains(expected), "{standard}: {expected}\n{shown}");
        }
        let custom = run_ok("pdfinfo", &["-custom", arg(&pdf)]);
        assert!(custom.contains("دار الحبر"), "{standard}: {custom}");
        assert!(custom.contains("9783161484100"), "{standard}: {custom}");
        let meta = xmp(&pdf);
        for expected in [
            "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">مطبعة الأرشيف</rdf:li>",
            "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">كتاب يختبر المعايير</rdf:li>",
            "<rdf:li>سلمى الورّاق, Idris Benali</rdf:li>",
            "<dc:publisher><rdf:Bag><rdf:li>دار الحبر</rdf:li>",
            "<dc:identifier>urn:isbn:9783161484100</dc:identifier>",
            "<dc:language><rdf:Bag><rdf:li>ar</rdf:li>",
            "<rdf:li>طباعة</rdf:li><rdf:li>أرشفة</rdf:li><rdf:li>PDF</rdf:li>",
            "<xmp:CreateDate>2025-11-30T00:00:00Z</xmp:CreateDate>",
        ] {
            assert!(meta.contains(expected), "{standard}: {expected}\n{meta}");
        }
    }
}

#[test]
fn book_date_dates_the_pdf_without_source_date_epoch() {
    if !have_tools(&["pdfinfo"]) {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let out = warraq()
        .env_remove("SOURCE_DATE_EPOCH")
        .args(["build", arg(&standards_book()), "-o", arg(dir.path())])
        .args(["--format", "pdf", "--pdf-standard", "pdf/x-4"])
        .output()
        .expect("warraq runs");
    assert!(out.status.success());
    let meta = xmp(&dir.path().join("standards.pdf"));
    assert!(
        meta.contains("<xmp:CreateDate>2024-03-09T00:00:00Z</xmp:CreateDate>"),
        "{meta}"
    );
}

#[test]
fn every_standard_gives_the_same_bytes_twice() {
    for standard in ["none", "pdf/a-2u", "pdf/x-4"] {
        let (_a, first, _) = built(standard);
        let (_b, second, _) = built(standard);
        let (first, second) = (std::fs::read(first), std::fs::read(second));
        assert!(
            first.expect("first") == second.expect("second"),
            "{standard}: two builds differ"
        );
    }
}

#[test]
fn press_books_warn_of_pictures_below_300_ppi() {
    // zellij.png prints at 96 ppi: under 150 every PDF warns; the press's
    // 300 is said for PDF/X and print on demand.
    for args in [&["--pdf-standard", "pdf/x-4"][..], &["--pdf-preset", "kdp"]] {
        let (_dir, _, stderr) = built_with(args);
        assert!(
            stderr.contains("zellij.png") && stderr.contains("below the 300 ppi a press needs"),
            "{args:?}: {stderr}"
        );
    }
    for args in [
        &["--pdf-standard", "pdf/a-2u"][..],
        &["--pdf-standard", "none"],
    ] {
        let (_dir, _, stderr) = built_with(args);
        assert!(!stderr.contains("300 ppi"), "{args:?}: {stderr}");
    }
}

/// A book folder in a temp dir: `book.toml` and one chapter.
fn scratch_book(config: &str, chapter: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("book.toml"), config).expect("write book.toml");
    std::fs::write(dir.path().join("01.md"), chapter).expect("write chapter");
    dir
}

#[test]
fn a_book_pdf_a_cannot_hold_fails_and_writes_nothing() {
    // A private-use character: no font has a glyph for it, and PDF/A wants
    // every glyph to stand for real text.
    let book = scratch_book(
        "[book]\ntitle = \"رموز\"\nlanguage = \"ar\"\n\n[pdf]\nstandard = \"pdf/a-2u\"\n",
        "# رموز\n\nرمز خاص \u{E000} في النص.\n",
    );
    let out_dir = book.path().join("out");
    let out = warraq()
        .args(["build", arg(book.path()), "-o", arg(&out_dir)])
        .output()
        .expect("warraq runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("cannot be PDF/A-2u") && stderr.contains("U+E000"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Amiri-Regular.ttf"),
        "names the font: {stderr}"
    );
    assert!(!stderr.contains("Font("), "no Debug dump: {stderr}");
    assert!(!out_dir.join("out.pdf").exists() && !out_dir.exists());

    // The same book with no standard builds.
    let out = warraq()
        .args(["build", arg(book.path()), "-o", arg(&out_dir)])
        .args(["--format", "pdf", "--pdf-standard", "none"])
        .output()
        .expect("warraq runs");
    assert!(out.status.success());
}

#[test]
fn a_wrong_isbn_check_digit_is_a_warning_at_its_line() {
    let book = scratch_book(
        "[book]\ntitle = \"Ink\"\nlanguage = \"en\"\nisbn = \"978-3-16-148410-1\"\n",
        "# Ink\n\nBlack only.\n",
    );
    let out = warraq()
        .args(["build", arg(book.path()), "-o"])
        .arg(book.path().join("out"))
        .args(["--format", "pdf"])
        .output()
        .expect("warraq runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("check digit"), "{stderr}");
    assert!(stderr.contains("book.toml:4"), "at its line: {stderr}");
}

/// The XMP of the standards book built into `out` with `args` added.
fn xmp_built_with(out: &str, args: &[&str]) -> String {
    let args: Vec<&str> = ["--format", "pdf"].iter().chain(args).copied().collect();
    xmp(&common::build_formats(&standards_book(), out, &args).pdf)
}

#[test]
fn each_preset_brings_its_standard_unless_one_is_named() {
    if !have_tools(&["pdfinfo"]) {
        return;
    }
    const PDF_A: &str = "<pdfaid:part>2</pdfaid:part>";
    const PDF_X: &str = "PDF/X-4";
    for (case, (args, claim)) in [
        (&["--pdf-preset", "office"][..], Some(PDF_A)),
        (&["--pdf-preset", "offset"][..], Some(PDF_X)),
        (&["--pdf-preset", "kdp"][..], None),
        (&[][..], None),
        (
            &["--pdf-preset", "offset", "--pdf-standard", "none"][..],
            None,
        ),
        (
            &["--pdf-preset", "office", "--pdf-standard", "pdf/x-4"][..],
            Some(PDF_X),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let meta = xmp_built_with(&format!("preset-standard-{case}"), args);
        for standard in [PDF_A, PDF_X] {
            assert_eq!(
                meta.contains(standard),
                claim == Some(standard),
                "{args:?} and {standard}:\n{meta}"
            );
        }
    }
}
