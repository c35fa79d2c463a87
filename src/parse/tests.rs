//! Spec-style tests: small Markdown in, expected model out.

use super::*;
use crate::diag::{Code, Severity};
use crate::doc::{Align, Block, CalloutKind, Inline, Mark, SourcePos};
use crate::load::{BookConfig, SourceFile};

/// A book in a temporary folder: `files` are written there, `chapters`
/// (name, Markdown) become the chapters (and are written too).
fn book(chapters: &[(&str, &str)], files: &[(&str, Vec<u8>)]) -> (tempfile::TempDir, Book) {
    let tmp = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        let path = tmp.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    for (name, text) in chapters {
        std::fs::write(tmp.path().join(name), text).unwrap();
    }
    let mut book = Book {
        dir: tmp.path().canonicalize().unwrap(),
        input_dir: tmp.path().to_path_buf(),
        assets: Default::default(),
        config: BookConfig::default(),
        chapters: chapters
            .iter()
            .map(|(name, text)| SourceFile::new(*name, *text))
            .collect(),
    };
    book.assets = crate::load::assets::read(&book, &mut Diagnostics::default()).unwrap();
    (tmp, book)
}

/// Parses one chapter `ch.md`; returns its blocks, footnotes and warnings.
fn chapter(md: &str) -> (Chapter, Vec<Diagnostic>) {
    let (_tmp, book) = book(&[("ch.md", md)], &[]);
    let mut warnings = Diagnostics::default();
    let doc = parse(&book, &mut warnings).unwrap();
    (doc.chapters.into_iter().next().unwrap(), warnings.0)
}

fn blocks(md: &str) -> Vec<BlockKind> {
    let (ch, warnings) = chapter(md);
    assert!(warnings.is_empty(), "unexpected warnings: {warnings:?}");
    ch.blocks.into_iter().map(|b| b.kind).collect()
}

/// Inline kinds with positions removed, recursively.
fn kinds(inlines: &[Inline]) -> Vec<InlineKind> {
    inlines.iter().map(|i| strip(&i.kind)).collect()
}

fn strip(kind: &InlineKind) -> InlineKind {
    match kind {
        InlineKind::Emphasis(c) => InlineKind::Emphasis(unpos(c)),
        InlineKind::Strong(c) => InlineKind::Strong(unpos(c)),
        InlineKind::Marked { mark, content } => InlineKind::Marked {
            mark: *mark,
            content: unpos(content),
        },
        InlineKind::Link { target, content } => InlineKind::Link {
            target: target.clone(),
            content: unpos(content),
        },
        InlineKind::Language {
            language,
            start_tag,
            content,
        } => InlineKind::Language {
            language: language.clone(),
            start_tag: start_tag.clone(),
            content: unpos(content),
        },
        other => other.clone(),
    }
}

/// Same inlines with every position zeroed.
fn unpos(inlines: &[Inline]) -> Vec<Inline> {
    inlines
        .iter()
        .map(|i| Inline {
            kind: strip(&i.kind),
            pos: SourcePos::default(),
        })
        .collect()
}

fn unpos_blocks(blocks: &[Block]) -> Vec<Block> {
    blocks
        .iter()
        .map(|b| Block {
            kind: match &b.kind {
                BlockKind::Heading {
                    level,
                    id,
                    classes,
                    content,
                } => BlockKind::Heading {
                    level: *level,
                    id: id.clone(),
                    classes: classes.clone(),
                    content: unpos(content),
                },
                BlockKind::Paragraph(c) => BlockKind::Paragraph(unpos(c)),
                BlockKind::List { start, items } => BlockKind::List {
                    start: *start,
                    items: items.iter().map(|i| unpos_blocks(i)).collect(),
                },
                BlockKind::Quote(inner) => BlockKind::Quote(unpos_blocks(inner)),
                BlockKind::Table { align, head, rows } => BlockKind::Table {
                    align: align.clone(),
                    head: head.iter().map(|c| unpos(c)).collect(),
                    rows: rows
                        .iter()
                        .map(|r| r.iter().map(|c| unpos(c)).collect())
                        .collect(),
                },
                other => other.clone(),
            },
            pos: SourcePos::default(),
        })
        .collect()
}

fn t(text: &str) -> Inline {
    Inline {
        kind: InlineKind::Text(text.to_string()),
        pos: SourcePos::default(),
    }
}

fn i(kind: InlineKind) -> Inline {
    Inline {
        kind,
        pos: SourcePos::default(),
    }
}

fn p(inlines: Vec<Inline>) -> Block {
    Block {
        kind: BlockKind::Paragraph(inlines),
        pos: SourcePos::default(),
    }
}

fn para(text: &str) -> Block {
    p(vec![t(text)])
}

fn pos(line: u32, column: u32) -> SourcePos {
    SourcePos { line, column }
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::new(width, height);
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn warned(warnings: &[Diagnostic], needle: &str, line: u32) -> bool {
    warnings.iter().any(|w| {
        w.severity == Severity::Warning
            && w.message.contains(needle)
            && w.line == Some(line)
            && w.file.as_ref().is_some_and(|f| f.ends_with("ch.md"))
    })
}

#[test]
fn arabic_paragraph_with_latin_and_digits() {
    let md = "هذا نص عربي فيه كلمة English ورقم 42 و١٢٣.\nسطر ثانٍ";
    let (ch, warnings) = chapter(md);
    assert!(warnings.is_empty());
    assert_eq!(ch.blocks.len(), 1);
    assert_eq!(ch.blocks[0].pos, pos(1, 1));
    let BlockKind::Paragraph(content) = &ch.blocks[0].kind else {
        panic!("{:?}", ch.blocks[0]);
    };
    // The soft break becomes one space and the texts merge.
    assert_eq!(
        kinds(content),
        vec![InlineKind::Text(
            "هذا نص عربي فيه كلمة English ورقم 42 و١٢٣. سطر ثانٍ".into()
        )]
    );
    // No heading: the title is the file stem.
    assert_eq!(kinds(&ch.title), vec![InlineKind::Text("ch".into())]);
}

#[test]
fn headings_levels_ids_and_title() {
    let (ch, _) = chapter("# مقدمة *الكتاب*\n\n## Intro\n\n#### Deep\n\n# مقدمة الكتاب\n\n# !!!\n");
    let got: Vec<(u8, String, SourcePos)> = ch
        .blocks
        .iter()
        .map(|b| match &b.kind {
            BlockKind::Heading { level, id, .. } => (*level, id.clone(), b.pos),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (1, "مقدمة-الكتاب".into(), pos(1, 1)),
            (2, "intro".into(), pos(3, 1)),
            (4, "deep".into(), pos(5, 1)),
            (1, "مقدمة-الكتاب-2".into(), pos(7, 1)),
            (1, "section-5".into(), pos(9, 1)),
        ]
    );
    assert_eq!(
        kinds(&ch.title),
        vec![
            InlineKind::Text("مقدمة ".into()),
            InlineKind::Emphasis(vec![t("الكتاب")]),
        ]
    );
}

#[test]
fn emphasis_strong_code_and_positions() {
    let (ch, _) = chapter("نص *مائل* و**عريض** و`code()` ~~شطب~~");
    let BlockKind::Paragraph(content) = &ch.blocks[0].kind else {
        panic!()
    };
    assert_eq!(
        kinds(content),
        vec![
            InlineKind::Text("نص ".into()),
            InlineKind::Emphasis(vec![t("مائل")]),
            InlineKind::Text(" و".into()),
            InlineKind::Strong(vec![t("عريض")]),
            InlineKind::Text(" و".into()),
            InlineKind::Code("code()".into()),
            InlineKind::Text(" ".into()),
            InlineKind::Marked {
                mark: Mark::Strike,
                content: vec![t("شطب")],
            },
        ]
    );
    // Columns count characters, not bytes.
    assert_eq!(content[1].pos, pos(1, 4));
    assert_eq!(content[3].pos, pos(1, 12));
}

#[test]
fn lists_tight_loose_ordered_nested() {
    let md = "3. واحد\n4. اثنان\n   - x\n   - y\n\n\n- loose a\n\n- loose b\n";
    let got = unpos_blocks(&chapter(md).0.blocks);
    assert_eq!(
        got,
        vec![
            Block {
                kind: BlockKind::List {
                    start: Some(3),
                    items: vec![
                        vec![para("واحد")],
                        vec![
                            para("اثنان"),
                            Block {
                                kind: BlockKind::List {
                                    start: None,
                                    items: vec![vec![para("x")], vec![para("y")]],
                                },
                                pos: SourcePos::default(),
                            },
                        ],
                    ],
                },
                pos: SourcePos::default(),
            },
            Block {
                kind: BlockKind::List {
                    start: None,
                    items: vec![vec![para("loose a")], vec![para("loose b")]],
                },
                pos: SourcePos::default(),
            },
        ]
    );
    let (ch, _) = chapter(md);
    let BlockKind::List { items, .. } = &ch.blocks[0].kind else {
        panic!()
    };
    assert_eq!(items[1][1].pos, pos(3, 4));
    assert_eq!(ch.blocks[1].pos, pos(7, 1));
}

#[test]
fn quotes_rules_and_breaks() {
    let got = unpos_blocks(&chapter("> a\\\n> b\n>\n> c\n\n---\n").0.blocks);
    assert_eq!(
        got,
        vec![
            Block {
                kind: BlockKind::Quote(vec![
                    p(vec![t("a"), i(InlineKind::LineBreak), t("b")]),
                    para("c"),
                ]),
                pos: SourcePos::default(),
            },
            Block {
                kind: BlockKind::Rule,
                pos: SourcePos::default(),
            },
        ]
    );
}

#[test]
fn code_blocks() {
    assert_eq!(
        blocks("```rust ignore\nfn main() {}\n\n```\n\n    indented\n      more\n"),
        vec![
            BlockKind::Code {
                language: Some("rust".into()),
                text: "fn main() {}\n".into(),
            },
            BlockKind::Code {
                language: None,
                text: "indented\n  more".into(),
            },
        ]
    );
}

#[test]
fn tables() {
    let md = "| الاسم | العدد | x |\n|:--|--:|:-:|\n| أ | 1 | *y* |\n| ب |\n";
    let got = unpos_blocks(&chapter(md).0.blocks);
    assert_eq!(
        got[0].kind,
        BlockKind::Table {
            align: vec![Align::Left, Align::Right, Align::Center],
            head: vec![vec![t("الاسم")], vec![t("العدد")], vec![t("x")]],
            rows: vec![
                vec![
                    vec![t("أ")],
                    vec![t("1")],
                    vec![i(InlineKind::Emphasis(vec![t("y")]))]
                ],
                vec![vec![t("ب")], vec![], vec![]],
            ],
        }
    );
}

#[test]
fn footnotes_numbered_by_first_reference() {
    let md = "ب[^b] أ[^a] ب مرة أخرى[^B]\n\n[^a]: حاشية أ[^c].\n[^b]: حاشية ب.\n[^c]: nested.\n[^unused]: لا أحد.\n";
    let (ch, warnings) = chapter(md);
    let BlockKind::Paragraph(content) = &ch.blocks[0].kind else {
        panic!()
    };
    let numbers: Vec<u32> = content
        .iter()
        .filter_map(|i| match i.kind {
            InlineKind::FootnoteRef { number } => Some(number),
            _ => None,
        })
        .collect();
    assert_eq!(numbers, vec![1, 2, 1]);
    let notes: Vec<(&str, u32, Vec<Block>)> = ch
        .footnotes
        .iter()
        .map(|f| (f.label.as_str(), f.number, unpos_blocks(&f.blocks)))
        .collect();
    assert_eq!(
        notes,
        vec![
            ("b", 1, vec![para("حاشية ب.")]),
            (
                "a",
                2,
                vec![p(vec![
                    t("حاشية أ"),
                    i(InlineKind::FootnoteRef { number: 3 }),
                    t(".")
                ])]
            ),
            ("c", 3, vec![para("nested.")]),
        ]
    );
    assert_eq!(ch.footnotes[1].pos, pos(3, 1));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warned(&warnings, "[^unused]", 6));
}

#[test]
fn footnotes_in_text_numbered_before_footnotes_in_notes() {
    // Provisional order (as events come): a, c (inside a), z (inside the
    // unused note), b. Final: the text's a, b first, then c.
    let md =
        "x[^a]\n\n[^a]: see[^c]\n\n[^unused]: z[^z]\n\ny[^b]\n\n[^b]: bee\n[^c]: sea\n[^z]: zed\n";
    let (ch, warnings) = chapter(md);
    let refs: Vec<u32> = ch
        .blocks
        .iter()
        .flat_map(|b| match &b.kind {
            BlockKind::Paragraph(c) => c.clone(),
            _ => vec![],
        })
        .filter_map(|i| match i.kind {
            InlineKind::FootnoteRef { number } => Some(number),
            _ => None,
        })
        .collect();
    assert_eq!(refs, vec![1, 2]);
    let notes: Vec<(&str, u32)> = ch
        .footnotes
        .iter()
        .map(|f| (f.label.as_str(), f.number))
        .collect();
    assert_eq!(notes, vec![("a", 1), ("b", 2), ("c", 3)]);
    assert_eq!(
        unpos_blocks(&ch.footnotes[0].blocks),
        vec![p(vec![t("see"), i(InlineKind::FootnoteRef { number: 3 })])]
    );
    // `unused` and `z` (only referenced from `unused`) are left out.
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warned(&warnings, "[^unused]", 5));
    assert!(warned(&warnings, "[^z]", 11));
}

#[test]
fn undefined_footnote_kept_as_text() {
    let (ch, warnings) = chapter("line one\n\nx [^nope] y \\[^escaped]\n");
    assert_eq!(unpos_blocks(&ch.blocks)[1], para("x [^nope] y [^escaped]"));
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warned(&warnings, "[^nope]", 3));
    assert!(ch.footnotes.is_empty());
}

#[test]
fn empty_footnote_warned() {
    let (ch, warnings) = chapter("x[^a] y[^b]\n\n[^a]:\n > outside the note\n\n[^b]: text\n");
    assert_eq!(ch.footnotes.len(), 2);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warned(&warnings, "`[^a]` is empty", 3), "{warnings:?}");
}

#[test]
fn safe_raw_html_kept() {
    let md = "<div dir=\"ltr\" class=\"en\">\nEnglish &amp; more\n</div>\n\nنص <span dir=\"ltr\">abc *d*</span> نص<br>سطر\n";
    let got = blocks(md);
    assert_eq!(
        got[0],
        BlockKind::Html("<div dir=\"ltr\" class=\"en\">\nEnglish &amp; more\n</div>".into())
    );
    let BlockKind::Paragraph(content) = &got[1] else {
        panic!()
    };
    assert_eq!(
        kinds(content),
        vec![
            InlineKind::Text("نص ".into()),
            InlineKind::Html("<span dir=\"ltr\">abc <em>d</em></span>".into()),
            InlineKind::Text(" نص".into()),
            InlineKind::LineBreak,
            InlineKind::Text("سطر".into()),
        ]
    );
}

#[test]
fn unsafe_raw_html_dropped_or_shown_with_warnings() {
    let md = "قبل\n\n<script>alert(1)</script>\n\na <iframe src=x>y</iframe> b <span onclick=\"e()\">z</span>\n\n<!-- comment -->\n\n<div><p>unclosed</div>\n";
    let (ch, warnings) = chapter(md);
    assert_eq!(
        unpos_blocks(&ch.blocks),
        vec![
            para("قبل"),
            p(vec![
                t("a  b "),
                i(InlineKind::Html("<span>z</span>".into()))
            ]),
            // Not well-formed: shown as written, not dropped with its words.
            para("<div><p>unclosed</div>"),
        ]
    );
    assert!(warned(&warnings, "<script>", 3), "{warnings:?}");
    assert!(warned(&warnings, "<iframe>", 5), "{warnings:?}");
    assert!(warned(&warnings, "onclick", 5), "{warnings:?}");
    assert!(warned(&warnings, "shown as text", 9), "{warnings:?}");
    assert_eq!(warnings.len(), 4, "{warnings:?}");
}

#[test]
fn duplicate_ids_removed_from_raw_html() {
    let md = "# Intro\n\n<div id=\"intro\">a</div>\n\n<div id=\"x\">b</div>\n\nc <span id=\"x\">d</span>\n";
    let (ch, warnings) = chapter(md);
    assert_eq!(ch.blocks[1].kind, BlockKind::Html("<div>a</div>".into()));
    assert_eq!(
        ch.blocks[2].kind,
        BlockKind::Html("<div id=\"x\">b</div>".into())
    );
    assert_eq!(
        kinds(match &ch.blocks[3].kind {
            BlockKind::Paragraph(c) => c,
            _ => panic!(),
        }),
        vec![
            InlineKind::Text("c ".into()),
            InlineKind::Html("<span>d</span>".into())
        ]
    );
    assert!(warned(&warnings, "`intro`", 3), "{warnings:?}");
    assert!(warned(&warnings, "`x`", 7), "{warnings:?}");
    assert_eq!(warnings.len(), 2);
}

#[test]
fn inline_html_content_model() {
    let (ch, warnings) =
        chapter("<ruby>漢<rt>kan</rt></ruby> <rt>x</rt> <bdo>y</bdo> <bdo dir=\"rtl\">z</bdo>\n");
    assert_eq!(
        unpos_blocks(&ch.blocks),
        vec![p(vec![
            i(InlineKind::Html("<ruby>漢<rt>kan</rt></ruby>".into())),
            t(" x y "),
            i(InlineKind::Html("<bdo dir=\"rtl\">z</bdo>".into())),
        ])]
    );
    assert!(warned(&warnings, "<rt>", 1), "{warnings:?}");
    assert!(warned(&warnings, "<bdo>", 1), "{warnings:?}");
    // The kept elements print as their text only: said for each.
    assert!(
        warned(
            &warnings,
            "`<ruby>` is kept in the EPUB; the PDF sets only its text",
            1
        ),
        "{warnings:?}"
    );
    assert!(
        warned(&warnings, "`<bdo>` is kept in the EPUB", 1),
        "{warnings:?}"
    );
    assert_eq!(warnings.len(), 5, "{warnings:?}");
}

#[test]
fn unbalanced_inline_html_keeps_text() {
    let (ch, warnings) = chapter("a <span>b\n\nc</span> <b>*d</b>*\n");
    assert_eq!(
        unpos_blocks(&ch.blocks),
        vec![
            para("a b"),
            p(vec![t("c "), i(InlineKind::Emphasis(vec![t("d")]))]),
        ]
    );
    assert!(warned(&warnings, "<span>", 1), "{warnings:?}");
    assert!(warned(&warnings, "</span>", 3), "{warnings:?}");
    assert!(warned(&warnings, "<b>", 3), "{warnings:?}");
}

#[test]
fn links() {
    let (_tmp, book) = book(
        &[
            (
                "01-a.md",
                "# Intro\n\n[web](https://example.com) [mail](mailto:a@b.c) [next](./02-b.md#part-two) [here](#intro) [Title](02-b.md#Part%20Two)\n\n[bad](javascript:alert(1)) [file](notes.txt) [up](../x.md) [gone](02-b.md#nowhere)\n",
            ),
            ("02-b.md", "# Part two\n"),
        ],
        &[],
    );
    let mut warnings = Diagnostics::default();
    let doc = parse(&book, &mut warnings).unwrap();
    let ch = &doc.chapters[0];
    let BlockKind::Paragraph(first) = &ch.blocks[1].kind else {
        panic!()
    };
    let targets: Vec<LinkTarget> = first
        .iter()
        .filter_map(|i| match &i.kind {
            InlineKind::Link { target, .. } => Some(target.clone()),
            _ => None,
        })
        .collect();
    let chapter = |index, anchor: &str| LinkTarget::Chapter {
        index,
        anchor: Some(anchor.to_string()),
    };
    assert_eq!(
        targets,
        vec![
            LinkTarget::External("https://example.com".into()),
            LinkTarget::External("mailto:a@b.c".into()),
            chapter(1, "part-two"),
            chapter(0, "intro"),
            chapter(1, "part-two"),
        ]
    );
    let BlockKind::Paragraph(second) = &ch.blocks[2].kind else {
        panic!()
    };
    assert_eq!(
        kinds(second),
        vec![
            InlineKind::Text("bad file up ".into()),
            InlineKind::Link {
                target: LinkTarget::Chapter {
                    index: 1,
                    anchor: None
                },
                content: vec![t("gone")],
            },
        ]
    );
    let lines: Vec<Option<u32>> = warnings.0.iter().map(|w| w.line).collect();
    assert_eq!(lines, vec![Some(5); 4], "{warnings:?}");
    assert!(warnings.0[0].message.contains("javascript:"));
    assert!(warnings.0[3].message.contains("#nowhere"));
}

#[test]
fn pictures_loaded_once() {
    let (_tmp, book) = book(
        &[(
            "ch.md",
            "![شكل](img/a.png) ![again](./img/../img/a.png)\n\n![remote](https://x.y/z.png)\n",
        )],
        &[("img/a.png", png(3, 2))],
    );
    let mut warnings = Diagnostics::default();
    let doc = parse(&book, &mut warnings).unwrap();
    assert_eq!(doc.images.len(), 1);
    let picture = &doc.images["img/a.png"];
    assert_eq!((picture.width, picture.height), (3, 2));
    assert_eq!(picture.format, crate::doc::PictureFormat::Png);
    let BlockKind::Paragraph(content) = &doc.chapters[0].blocks[0].kind else {
        panic!()
    };
    assert_eq!(
        kinds(content)[0],
        InlineKind::Image {
            key: "img/a.png".into(),
            alt: "شكل".into(),
            full_bleed: false,
        }
    );
    assert_eq!(unpos_blocks(&doc.chapters[0].blocks)[1], para("remote"),);
    assert!(warned(&warnings.0, "https://x.y/z.png", 3), "{warnings:?}");
}

/// Pictures small enough are decoded side by side, larger ones one at a
/// time: each is decoded either way, a damaged one told as such.
#[test]
fn pictures_of_every_size_are_decoded() {
    let wide = u32::try_from(links::DECODED_TOGETHER / 1000).unwrap() + 1;
    let (_tmp, book) = book(
        &[("ch.md", "![a](a.png) ![b](big.png) ![c](bad.png)\n")],
        &[
            ("a.png", png(3, 2)),
            ("big.png", png(wide, 1000)),
            ("bad.png", b"\x89PNG\r\n\x1a\nbroken".to_vec()),
        ],
    );
    let decoded = links::decode_all(&book);
    let sizes: Vec<(&str, Option<(u32, u32)>)> = decoded
        .iter()
        .map(|(key, picture)| {
            let size = picture.as_ref().ok().map(|p| (p.width, p.height));
            (key.as_str(), size)
        })
        .collect();
    assert_eq!(
        sizes,
        [
            ("a.png", Some((3, 2))),
            ("bad.png", None),
            ("big.png", Some((wide, 1000)))
        ]
    );
}

#[test]
fn picture_errors_name_file_and_line() {
    for (md, needle) in [
        ("text\n\n![x](../secret.png)\n", "outside"),
        ("text\n\n![x](missing.png)\n", "not found"),
        ("text\n\n![x](bad.png)\n", "bad.png"),
        ("text\n\n![x](file:///etc/passwd)\n", "file:"),
        ("text\n\n![x](/etc/passwd)\n", "absolute"),
    ] {
        let (_tmp, book) = book(
            &[("ch.md", md)],
            &[("bad.png", b"\x89PNG\r\n\x1a\nbroken".to_vec())],
        );
        // The chapter is parsed past the error (its description stands in),
        // so the rest of the book is checked too; the error is recorded.
        let mut found = Diagnostics::default();
        let document = parse(&book, &mut found).expect("parsed past the error");
        let errors: Vec<&Diagnostic> = found.errors().collect();
        assert_eq!(errors.len(), 1, "{md}: {found}");
        let err = errors[0];
        assert_eq!(err.code, Code::MissingPicture);
        assert!(err.message.contains(needle), "{md}: {err}");
        assert!(err.file.as_ref().unwrap().ends_with("ch.md"), "{err}");
        assert_eq!((err.line, err.column), (Some(3), Some(1)), "{md}: {err}");
        assert_eq!(
            unpos_blocks(&document.chapters[0].blocks)[1],
            p(vec![t("x")]),
            "{md}"
        );
    }
}

/// Chapters parsed on several threads report as if parsed one after
/// another: every chapter's problems, in the book's order (a damaged
/// picture at each place it is shown), and the pictures of all of them,
/// one shown in every chapter once.
#[test]
fn chapters_report_in_the_books_order() {
    let names: Vec<String> = (1..=12).map(|k| format!("{k:02}.md")).collect();
    let texts: Vec<String> = (1..=12)
        .map(|k| {
            format!(
                "# {k}\n\n![a](a.png)\n\n![m](missing-{k}.png)\n\n![b](bad.png)\n\n\
                 ![r](https://example.com/{k}.png)\n"
            )
        })
        .collect();
    let chapters: Vec<(&str, &str)> = names
        .iter()
        .zip(&texts)
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    let (_tmp, book) = book(
        &chapters,
        &[
            ("a.png", png(4, 4)),
            ("bad.png", b"\x89PNG\r\n\x1a\nbroken".to_vec()),
        ],
    );
    let mut found = Diagnostics::default();
    let document = parse(&book, &mut found).expect("parsed past the errors");
    let order: Vec<(String, Code, Option<u32>)> = found
        .0
        .iter()
        .map(|d| {
            let file = d.file.as_ref().expect("a file").display().to_string();
            (file, d.code, d.line)
        })
        .collect();
    let expected: Vec<(String, Code, Option<u32>)> = names
        .iter()
        .flat_map(|name| {
            let file = book.display_path(name).display().to_string();
            [
                (file.clone(), Code::RemotePicture, Some(9)),
                (file.clone(), Code::MissingPicture, Some(5)),
                (file, Code::MissingPicture, Some(7)),
            ]
        })
        .collect();
    assert_eq!(order, expected, "{found}");
    assert_eq!(document.images.keys().collect::<Vec<_>>(), ["a.png"]);
}

#[test]
fn control_characters_stripped() {
    let (ch, warnings) = chapter("ok\n\na\u{1}b\u{1b}c &#x7; `x\u{2}`\n\n```\nq\u{8}\n```\n");
    assert_eq!(
        unpos_blocks(&ch.blocks)[1],
        p(vec![t("abc  "), i(InlineKind::Code("x".into()))])
    );
    assert_eq!(
        ch.blocks[2].kind,
        BlockKind::Code {
            language: None,
            text: "q".into()
        }
    );
    assert!(warned(&warnings, "control characters", 3), "{warnings:?}");
    assert!(warned(&warnings, "control characters", 6), "{warnings:?}");
}

#[test]
fn control_characters_past_the_warning_cap_are_counted() {
    let over = 3;
    let lines = super::markdown::MAX_CONTROL_WARNINGS + over;
    let text: String = (0..lines).map(|n| format!("سطر {n}\u{1}\n\n")).collect();
    let (_, warnings) = chapter(&text);
    let said = |code: Code| warnings.iter().filter(|w| w.code == code).count();
    assert_eq!(
        said(Code::ControlCharacter),
        super::markdown::MAX_CONTROL_WARNINGS
    );
    assert!(
        warnings.iter().any(|w| w.code == Code::TooManyWarnings
            && w.message.starts_with(&format!("{over} more warnings"))),
        "{warnings:?}"
    );
}

#[test]
fn odd_input_does_not_panic() {
    // NUL is a control character: removed (XHTML cannot carry it). Lone
    // combining marks and bidi controls are kept as text.
    let odd = "a\u{0}b \u{301}\u{202e}bidi\u{202c} \u{fffe}";
    let (ch, warnings) = chapter(odd);
    assert_eq!(
        unpos_blocks(&ch.blocks),
        vec![para("ab \u{301}\u{202e}bidi\u{202c}")]
    );
    assert!(warned(&warnings, "control characters", 1), "{warnings:?}");
}

/// Deepest nesting of blocks and inlines in a tree.
fn depth(blocks: &[Block]) -> usize {
    fn inline_depth(inlines: &[Inline]) -> usize {
        inlines
            .iter()
            .map(|i| match &i.kind {
                InlineKind::Emphasis(c)
                | InlineKind::Strong(c)
                | InlineKind::Link { content: c, .. } => 1 + inline_depth(c),
                _ => 1,
            })
            .max()
            .unwrap_or(0)
    }
    blocks
        .iter()
        .map(|b| match &b.kind {
            BlockKind::Quote(inner) => 1 + depth(inner),
            BlockKind::List { items, .. } => 1 + items.iter().map(|i| depth(i)).max().unwrap_or(0),
            BlockKind::Paragraph(c) | BlockKind::Heading { content: c, .. } => 1 + inline_depth(c),
            _ => 1,
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn deep_nesting_is_flattened() {
    for md in [
        format!("{} deep", ">".repeat(50_000)),
        format!("{} deep", "- ".repeat(5_000)),
        format!("{}x{}", "*".repeat(20_000), "*".repeat(20_000)),
        format!("{}x{}", "<span>".repeat(5_000), "</span>".repeat(5_000)),
    ] {
        let (ch, warnings) = chapter(&md);
        assert!(
            depth(&ch.blocks) <= 2 * MAX_NESTING + 4,
            "{}",
            depth(&ch.blocks)
        );
        assert!(!warnings.is_empty());
        let text: String = format!("{:?}", ch.blocks);
        assert!(text.contains('x') || text.contains("deep"));
    }
}

#[test]
fn deeply_nested_inline_html_is_capped_quietly() {
    let md = format!("{}x{}", "<span>".repeat(5_000), "</span>".repeat(5_000));
    let (ch, warnings) = chapter(&md);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].message.contains("nested"));
    let BlockKind::Paragraph(content) = &ch.blocks[0].kind else {
        panic!()
    };
    let InlineKind::Html(html) = &content[0].kind else {
        panic!("{content:?}")
    };
    assert_eq!(html.matches("<span>").count(), MAX_NESTING);
    assert_eq!(html.matches("</span>").count(), MAX_NESTING);
}

#[test]
fn warnings_are_capped_per_chapter() {
    let md = "</b> ".repeat(500) + "\n\n[^x]: unused\n";
    let (_, warnings) = chapter(&md);
    assert_eq!(warnings.len(), markdown::MAX_WARNINGS + 1);
    assert!(
        warnings
            .last()
            .unwrap()
            .message
            .contains("401 more warnings"),
        "{:?}",
        warnings.last()
    );
}

#[test]
fn huge_paragraph() {
    let word = "كلمة word ";
    let md = word.repeat(10 * 1024 * 1024 / word.len());
    let (ch, warnings) = chapter(&md);
    assert!(warnings.is_empty());
    assert_eq!(ch.blocks.len(), 1);
}

#[test]
fn document_metadata() {
    let (_tmp, mut book) = book(
        &[
            ("a.md", "Text first\n\n# The *Book*  Title\n"),
            ("b.md", "# B"),
        ],
        &[],
    );
    let doc = parse(&book, &mut Diagnostics::default()).unwrap();
    assert_eq!(doc.metadata.title, "The Book Title");
    // A name-based UUID (version 5, URL namespace) of "warraq:" and the
    // title: the values are Python's `uuid.uuid5`. A book's identifier is
    // how stores and readers know it again: it must never change with a
    // new warraq.
    assert_eq!(
        doc.metadata.identifier,
        "urn:uuid:94e4317f-69ce-59d6-8f1c-6b3b8509dc29"
    );
    assert_eq!(doc.chapters.len(), 2);
    assert_eq!(
        kinds(&doc.chapters[1].title),
        vec![InlineKind::Text("B".into())]
    );
    assert!(doc.fonts.is_empty());
    assert_eq!(doc.page, crate::doc::PageSetup::default());

    // No heading anywhere: the folder name.
    book.chapters[0] = SourceFile::new(book.chapters[0].path.clone(), "no heading");
    let doc = parse(&book, &mut Diagnostics::default()).unwrap();
    assert_eq!(doc.metadata.title, folder_name(&book.dir));

    // book.toml wins.
    book.config.title = Some("Given".into());
    book.config.authors = vec!["A".into()];
    book.config.identifier = Some("urn:isbn:9780000000000".into());
    let doc = parse(&book, &mut Diagnostics::default()).unwrap();
    assert_eq!(doc.metadata.title, "Given");
    assert_eq!(doc.metadata.identifier, "urn:isbn:9780000000000");
    // Each author, after U+001F, is part of the name.
    assert_eq!(
        derived_identifier("Given", &[]),
        "urn:uuid:22052f9b-b4fa-53b1-9c4e-2ba46a64f0e9"
    );
    assert_eq!(
        derived_identifier("Given", &["A".into()]),
        "urn:uuid:5b0facb1-bab6-55b4-83ff-12f8e8740a40"
    );
}

#[test]
fn cover_loaded_and_checked() {
    let (_tmp, mut book) = book(&[("a.md", "x")], &[("art/cover.png", png(4, 6))]);
    book.config.cover = Some("art/cover.png".into());
    // `load` reads the cover book.toml names.
    book.assets = crate::load::assets::read(&book, &mut Diagnostics::default()).unwrap();
    let doc = parse(&book, &mut Diagnostics::default()).unwrap();
    assert_eq!(doc.cover.as_deref(), Some("art/cover.png"));
    assert!(doc.images.contains_key("art/cover.png"));

    book.config.cover = Some("../cover.png".into());
    book.config.cover_line = Some(4);
    let err = parse(&book, &mut Diagnostics::default()).unwrap_err();
    assert!(err.file.as_ref().unwrap().ends_with("book.toml"), "{err}");
    assert_eq!(err.line, Some(4));
}

#[test]
fn six_heading_levels_and_written_ids() {
    let md = "# A\n\n## B {#b-id .wide}\n\n###### F {#b-id}\n\n####### seven\n";
    let (ch, warnings) = chapter(md);
    // Level 6 after level 2 skips 3 to 5: the one warning.
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].message.contains("skips level 3") && warnings[0].line == Some(5),
        "{warnings:?}"
    );
    let got: Vec<(u8, String, Vec<String>)> = ch
        .blocks
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::Heading {
                level, id, classes, ..
            } => Some((*level, id.clone(), classes.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (1, "a".into(), vec![]),
            (2, "b-id".into(), vec!["wide".into()]),
            // A written id already taken is made unique, like a made one.
            (6, "b-id-2".into(), vec![]),
        ]
    );
    // Seven hashes are no heading: a paragraph, as CommonMark says.
    assert_eq!(unpos_blocks(&ch.blocks[3..]), vec![para("####### seven")]);
}

#[test]
fn task_lists_carry_their_check_box() {
    let (ch, _) = chapter("- [x] منجز\n- [ ] باقٍ\n- عادي\n");
    let BlockKind::List { items, .. } = &ch.blocks[0].kind else {
        panic!("{:?}", ch.blocks[0]);
    };
    let tasks: Vec<Option<bool>> = items.iter().map(|item| crate::doc::task(item)).collect();
    assert_eq!(tasks, vec![Some(true), Some(false), None]);
    let BlockKind::Paragraph(first) = &items[0][0].kind else {
        panic!()
    };
    // The text after the box is trimmed, and no `[x]` is left.
    assert_eq!(kinds(&first[1..]), vec![InlineKind::Text("منجز".into())]);
}

#[test]
fn definition_lists_keep_terms_and_definitions() {
    let (ch, warnings) =
        chapter("الكشيدة\n: مدّ الحروف.\n: تسوية السطر.\n\nالسطر\n: ما بين هامشين.\n");
    assert!(warnings.is_empty(), "{warnings:?}");
    let BlockKind::Definitions(definitions) = &ch.blocks[0].kind else {
        panic!("{:?}", ch.blocks);
    };
    assert_eq!(definitions.len(), 2);
    assert_eq!(unpos(&definitions[0].term), vec![t("الكشيدة")]);
    let details: Vec<Vec<Block>> = definitions[0]
        .details
        .iter()
        .map(|d| unpos_blocks(d))
        .collect();
    assert_eq!(
        details,
        vec![vec![para("مدّ الحروف.")], vec![para("تسوية السطر.")]]
    );
}

#[test]
fn github_alerts_become_callouts() {
    let (ch, _) = chapter("> [!WARNING]\n> لا تطبع بعد.\n\n> اقتباس عادي\n");
    assert!(matches!(
        &ch.blocks[0].kind,
        BlockKind::Callout { kind: CalloutKind::Warning, blocks } if unpos_blocks(blocks) == vec![para("لا تطبع بعد.")]
    ));
    assert!(matches!(&ch.blocks[1].kind, BlockKind::Quote(_)));
}

#[test]
fn inline_html_styles_become_marked_text() {
    let (ch, warnings) = chapter(
        "H<sub>2</sub>O م<sup>2</sup> <b>قوي</b> <del>قديم</del> <small class=\"x\">صغير</small>\n",
    );
    let BlockKind::Paragraph(content) = &ch.blocks[0].kind else {
        panic!()
    };
    let marked = |mark, text: &str| InlineKind::Marked {
        mark,
        content: vec![t(text)],
    };
    let got = kinds(content);
    assert!(got.contains(&marked(Mark::Subscript, "2")), "{got:?}");
    assert!(got.contains(&marked(Mark::Superscript, "2")), "{got:?}");
    assert!(got.contains(&marked(Mark::Strike, "قديم")), "{got:?}");
    assert!(got.contains(&marked(Mark::Small, "صغير")), "{got:?}");
    assert!(got.contains(&InlineKind::Strong(vec![t("قوي")])), "{got:?}");
    assert!(
        !got.iter().any(|k| matches!(k, InlineKind::Html(_))),
        "{got:?}"
    );
    // The class on <small> cannot be kept: said so.
    assert!(
        warned(&warnings, "attributes were removed", 1),
        "{warnings:?}"
    );
}

#[test]
fn spans_in_another_language_keep_it_for_both_writers() {
    let (ch, warnings) = chapter(
        "عن <span lang=\"en\" dir=\"ltr\">the <em>Astana</em> agreement</span> \
         و<span lang=\"arabic\">نص</span>\n",
    );
    let BlockKind::Paragraph(content) = &ch.blocks[0].kind else {
        panic!()
    };
    let got = kinds(content);
    let english = InlineKind::Language {
        language: "en".into(),
        start_tag: "<span lang=\"en\" dir=\"ltr\">".into(),
        content: vec![
            t("the "),
            i(InlineKind::Emphasis(vec![t("Astana")])),
            t(" agreement"),
        ],
    };
    assert!(got.contains(&english), "{got:?}");
    // Not a BCP 47 tag: the attribute goes, with a word; the text stays.
    assert!(
        warned(&warnings, "attribute `lang` removed", 1),
        "{warnings:?}"
    );
    assert!(
        got.iter()
            .filter(|k| matches!(k, InlineKind::Language { .. }))
            .count()
            == 1,
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|k| matches!(k, InlineKind::Html(h) if h == "<span>نص</span>")),
        "{got:?}"
    );
}

#[test]
fn math_is_kept_with_its_mathml_and_warned_about_for_print() {
    let (ch, warnings) = chapter("قانون $E = mc^2$ و $\\nosuch{x}$\n");
    let BlockKind::Paragraph(content) = &ch.blocks[0].kind else {
        panic!()
    };
    let formulas: Vec<(&str, bool)> = content
        .iter()
        .filter_map(|i| match &i.kind {
            InlineKind::Math { tex, mathml, .. } => Some((tex.as_str(), mathml.is_some())),
            _ => None,
        })
        .collect();
    assert_eq!(formulas, vec![("E = mc^2", true), ("\\nosuch{x}", false)]);
    assert!(
        warned(&warnings, "TeX source in the PDF", 1),
        "{warnings:?}"
    );
    assert!(warned(&warnings, "is not understood", 1), "{warnings:?}");
}

#[test]
fn smart_punctuation_for_latin_lines_only() {
    let (ch, _) = chapter("He said \"yes\" -- twice...\n\nقال \"نعم\" -- مرتين...\n");
    let texts: Vec<String> = ch
        .blocks
        .iter()
        .map(|b| match &b.kind {
            BlockKind::Paragraph(c) => crate::doc::plain_text(c),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        texts,
        vec!["He said “yes” – twice…", "قال \"نعم\" -- مرتين..."]
    );
}

#[test]
fn front_matter_is_left_out_with_a_warning() {
    let (ch, warnings) = chapter("---\ntitle: x\n---\n\n# العنوان\n");
    assert_eq!(ch.blocks.len(), 1, "{:?}", ch.blocks);
    assert!(warned(&warnings, "YAML front matter", 1), "{warnings:?}");
}

#[test]
fn only_a_picture_standing_alone_is_full_bleed() {
    let (_tmp, book) = book(
        &[(
            "ch.md",
            "![لوحة](a.png \"full-bleed\")\n\n\
             نص ![رمز](a.png \"full-bleed\") في السطر.[^1]\n\n\
             ![عنوان آخر](a.png \"title\")\n\n\
             [^1]: ![في الحاشية](a.png \"full-bleed\")\n",
        )],
        &[("a.png", png(3, 2))],
    );
    let mut warnings = Diagnostics::default();
    let doc = parse(&book, &mut warnings).unwrap();
    let mut flags = Vec::new();
    let mut collect = |inline: &Inline| {
        if let InlineKind::Image { full_bleed, .. } = inline.kind {
            flags.push((inline.pos.line, full_bleed));
        }
    };
    crate::doc::walk::chapter_inlines(&doc.chapters[0], &mut collect);
    flags.sort();
    assert_eq!(
        flags,
        vec![(1, true), (3, false), (5, false), (7, false)],
        "{warnings:?}"
    );
    let columns: Vec<(Option<u32>, Option<u32>)> = warnings
        .0
        .iter()
        .filter(|w| w.message.contains("\"full-bleed\""))
        .map(|w| (w.line, w.column))
        .collect();
    assert_eq!(columns, vec![(Some(3), Some(4)), (Some(7), Some(7))]);
}

/// A chapter's blocks and their inlines are kept to the end of a build:
/// held without room grown for more (a paragraph of one text held room for
/// four inlines; a long book's parsed chapters were half such room).
#[test]
fn parsed_chapters_hold_no_room_grown_for_more() {
    let (ch, warnings) = chapter(
        "# عنوان الفصل\n\n\
         فقرة أولى فيها حاشية.[^1] ثم نص بعدها.\n\n\
         فقرة ثانية.\n\n\
         ## قسم\n\n\
         - بند أول\n- بند ثان فيه فقرة\n\n  وفقرة أخرى\n- بند ثالث\n\n\
         > اقتباس\n>\n> من فقرتين\n\n\
         > [!NOTE]\n> تنبيه\n\n\
         مصطلح\n: تعريفه\n\n\
         [^1]: نص الحاشية.\n\n    وفقرتها الثانية.\n",
    );
    assert!(warnings.is_empty(), "{warnings:?}");
    /// `held` has no room beyond its items.
    fn exact<T>(what: &str, held: &Vec<T>) {
        let (capacity, len) = (held.capacity(), held.len());
        assert_eq!(capacity, len, "{what} holds room for {capacity}, not {len}");
    }
    exact("the chapter's blocks", &ch.blocks);
    for note in &ch.footnotes {
        exact("a note's blocks", &note.blocks);
    }
    let (mut lists, mut texts) = (0, 0);
    crate::doc::walk::chapter_blocks(&ch, &mut |block| match &block.kind {
        BlockKind::Paragraph(inlines) => {
            texts += 1;
            exact("a paragraph's inlines", inlines);
        }
        BlockKind::Heading { content, .. } => {
            texts += 1;
            exact("a heading's inlines", content);
        }
        BlockKind::List { items, .. } => {
            lists += 1;
            items
                .iter()
                .for_each(|item| exact("a list item's blocks", item));
        }
        BlockKind::Quote(inner) | BlockKind::Callout { blocks: inner, .. } => {
            exact("a quote's blocks", inner);
        }
        _ => {}
    });
    // Every kind above was parsed and looked at.
    assert_eq!((lists, texts), (1, 14), "{:#?}", ch.blocks);
}

/// A chapter parsed again is the chapter parsed with the book: its links'
/// anchors checked against every chapter, a heading's text mapped to its
/// id and a missing anchor dropped, its pictures as decoded, in every test
/// book (each chapter's warnings let go); parsed again for print, the same
/// but for its formulas' MathML.
#[test]
fn a_chapter_parsed_again_is_the_one_parsed_with_the_book() {
    let (_tmp, made) = book(
        &[
            (
                "a.md",
                "# One\n\n[two](b.md#Second%20Part) [gone](b.md#nowhere) ![p](p.png)[^n] $x^2$\n\n[^n]: [back](a.md#One) $$\\frac{a}{b}$$\n",
            ),
            ("b.md", "# Two\n\n## Second Part\n\ntext\n"),
        ],
        &[("p.png", png(3, 2))],
    );
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut books = vec![made];
    for dir in std::iter::once(root.join("book")).chain(
        std::fs::read_dir(root.join("tests/books"))
            .unwrap()
            .map(|entry| entry.unwrap().path()),
    ) {
        books.push(crate::load::load(&dir).unwrap());
    }
    let (mut anchors, mut formulas) = (0, 0);
    for book in &books {
        let document = parse(book, &mut Diagnostics::default()).unwrap();
        let ids: Vec<_> = document.chapters.iter().map(Chapter::element_ids).collect();
        let again = Reparser::new(book, &document, |index| ids.get(index));
        for (index, chapter) in document.chapters.iter().enumerate() {
            assert!(
                again.chapter(index).as_ref() == Ok(chapter),
                "{} differs",
                chapter.source.display()
            );
            let mut print = chapter.clone();
            let mut unset = |inline: &mut crate::doc::Inline| {
                if let InlineKind::Math { mathml, .. } = &mut inline.kind {
                    formulas += usize::from(mathml.take().is_some());
                }
            };
            crate::doc::walk::inlines_mut(&mut print.blocks, &mut unset);
            for note in &mut print.footnotes {
                crate::doc::walk::inlines_mut(&mut note.blocks, &mut unset);
            }
            assert!(again.print_chapter(index).as_ref() == Ok(&print));
            crate::doc::walk::chapter_inlines(chapter, &mut |inline| {
                anchors += usize::from(matches!(
                    &inline.kind,
                    InlineKind::Link {
                        target: LinkTarget::Chapter { anchor: Some(a), .. },
                        ..
                    } if a == "second-part"
                ));
            });
        }
    }
    assert_eq!(anchors, 1, "the test needs an anchor mapped to its id");
    assert!(formulas >= 2, "the test needs formulas");
}

/// A book parsed in outline is the book parsed whole but for the chapters'
/// bodies: the same warnings in the same order (links' anchors broken in
/// the text, a table, a note, to this chapter and to others), the same
/// errors (a missing picture, a missing cover), the same metadata (the
/// title from the first heading) and
/// pictures; each chapter's head, its element ids, and what `look` read of
/// it whole, in every test book.
#[test]
fn an_outline_finds_what_parse_finds() {
    let anchors = [
        (
            "a.md",
            "Opening words.\n\n## First {#first}\n\n[two](b.md#Second%20Part) [gone](b.md#nowhere) [here](#nothing) ![p](p.png)[^n]\n\n| a | b |\n|---|---|\n| [cell](c.md#lost) | [ok](c.md#third) |\n\n[^n]: [back](a.md#first) [bad](b.md#also-gone)\n",
        ),
        (
            "b.md",
            "# Two\n\n## Second Part\n\n<div id=\"raw\">x</div>\n\n[raw](#raw) [not](a.md#raw)\n\n- [list](c.md#Third)\n",
        ),
        ("c.md", "# Third {#third}\n\n[back](<a.md#no such>)\n"),
    ];
    let (_tmp, made) = book(&anchors, &[("p.png", png(3, 2))]);
    let mut failing = anchors;
    failing[1].1 = "# Two\n\n[gone](a.md#gone)\n\n![missing](missing.png)\n";
    let (_tmp2, mut fails) = book(&failing, &[("p.png", png(3, 2))]);
    fails.config.cover = Some("missing-cover.png".to_string());
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut books = vec![made, fails];
    for dir in std::iter::once(root.join("book")).chain(
        std::fs::read_dir(root.join("tests/books"))
            .unwrap()
            .map(|entry| entry.unwrap().path()),
    ) {
        books.push(crate::load::load(&dir).unwrap());
    }
    let (mut broken, mut errors) = (Vec::new(), 0);
    for book in &books {
        let (mut whole, mut outlined) = (Diagnostics::default(), Diagnostics::default());
        let parsed = parse(book, &mut whole);
        let outline = outline(book, &mut outlined, |_, chapter| chapter.clone());
        assert_eq!(whole, outlined, "{}", book.dir.display());
        broken.push(
            (whole.0.iter())
                .filter(|d| matches!(d.code, Code::BrokenLink | Code::MissingPicture))
                .count(),
        );
        let (document, outline) = match (parsed, outline) {
            (Ok(document), Ok(outline)) => (document, outline),
            (Err(whole), Err(outlined)) => {
                assert_eq!(whole, outlined);
                errors += 1;
                continue;
            }
            (parsed, outline) => panic!("{:?} but {:?}", parsed.err(), outline.err()),
        };
        let heads: Vec<Chapter> = (document.chapters.iter())
            .map(|chapter| Chapter {
                source: chapter.source.clone(),
                title: chapter.title.clone(),
                blocks: Vec::new(),
                footnotes: Vec::new(),
            })
            .collect();
        assert_eq!(outline.document.chapters, heads);
        assert_eq!(
            format!(
                "{:?}",
                Document {
                    chapters: Vec::new(),
                    ..document.clone()
                }
            ),
            format!(
                "{:?}",
                Document {
                    chapters: Vec::new(),
                    ..outline.document
                }
            ),
        );
        let ids: Vec<_> = document.chapters.iter().map(Chapter::element_ids).collect();
        assert_eq!(outline.ids, ids);
        // What `look` read is the chapter as parsed, before its links'
        // anchors are checked.
        for (index, mut looked) in outline.looked.into_iter().enumerate() {
            let ids = |to: usize| ids.get(to);
            check_chapter_anchors(book, &ids, index, &mut looked, &mut Diagnostics::default());
            assert!(looked == document.chapters[index]);
        }
    }
    assert_eq!(
        (&broken[..2], errors),
        (&[6, 8][..], 1),
        "the test needs broken links and missing pictures, and an error"
    );
}
