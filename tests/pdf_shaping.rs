//! The print edition's glyphs are HarfBuzz's: for the seed book's paragraphs
//! and headings, every placed glyph (id, offsets, advance) equals what
//! `hb-shape` gives for the same text and font, cluster by cluster. A word
//! that kashida justification lengthened equals what `hb-shape` gives for
//! it with one to three tatweels at its kashida site, in its context.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use warraq::diag::Diagnostics;
use warraq::doc::{BlockKind, Direction, SourcePos, plain_text};
use warraq::fonts::{FontLibrary, Role, Style};
use warraq::layout::Pages;
use warraq::layout::kashida::{self, KashidaSite};
use warraq::layout::page::{GlyphRun, Item};
use warraq::text::{ParagraphSettings, Shaper, StyledText, TextStyle};

/// Units per em, read from the font's `head` table.
fn upem(font: &[u8]) -> f32 {
    let be16 = |at: usize| u16::from_be_bytes([font[at], font[at + 1]]);
    let be32 = |at: usize| u32::from_be_bytes([font[at], font[at + 1], font[at + 2], font[at + 3]]);
    let tables = be16(4) as usize;
    for i in 0..tables {
        let record = 12 + 16 * i;
        if &font[record..record + 4] == b"head" {
            let offset = be32(record + 8) as usize;
            return f32::from(be16(offset + 18));
        }
    }
    panic!("font has no head table");
}

/// One glyph in font units.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Glyph {
    id: u32,
    x_offset: f32,
    y_offset: f32,
    /// `None` for spaces, whose advance justification changes.
    x_advance: Option<f32>,
}

impl Glyph {
    fn matches(&self, other: &Glyph) -> bool {
        let close = |a: f32, b: f32| (a - b).abs() <= 0.01;
        self.id == other.id
            && close(self.x_offset, other.x_offset)
            && close(self.y_offset, other.y_offset)
            && match (self.x_advance, other.x_advance) {
                (Some(a), Some(b)) => close(a, b),
                _ => true,
            }
    }
}

/// Glyphs by cluster (byte offset into the paragraph), in output order.
type Clusters = BTreeMap<usize, Vec<Glyph>>;

/// `hb-shape` of `text` in right-to-left Arabic, in font units (the default
/// `--font-size=upem`), clusters as UTF-8 byte offsets.
fn hb_shape(font_file: &Path, text: &str) -> Clusters {
    let mut clusters = Clusters::new();
    for (cluster, glyph) in hb_shape_glyphs(font_file, text, "", "") {
        clusters.entry(cluster).or_default().push(glyph);
    }
    clusters
}

/// `hb-shape` of `text` between `before` and `after`, glyph by glyph in its
/// output order, each with its cluster.
fn hb_shape_glyphs(font_file: &Path, text: &str, before: &str, after: &str) -> Vec<(usize, Glyph)> {
    let font_arg = format!("--font-file={}", common::arg(font_file));
    let text_arg = format!("--text={text}");
    let before_arg = format!("--text-before={before}");
    let after_arg = format!("--text-after={after}");
    let out = common::run_ok(
        "hb-shape",
        &[
            &font_arg,
            "--direction=rtl",
            "--script=arab",
            "--language=ar",
            "--cluster-level=0",
            "--utf8-clusters",
            "--no-glyph-names",
            "--output-format=text",
            &before_arg,
            &after_arg,
            &text_arg,
        ],
    );
    let mut glyphs = Vec::new();
    let line = out.trim();
    let inner = line
        .strip_prefix('[')
        .and_then(|l| l.strip_suffix(']'))
        .unwrap_or_else(|| panic!("unexpected hb-shape output: {line}"));
    for item in inner.split('|') {
        // gid=cluster[@x_offset,y_offset]+x_advance[,y_advance]
        let parse = |s: &str| -> f32 {
            s.parse()
                .unwrap_or_else(|_| panic!("bad number {s:?} in {item:?}"))
        };
        let (id, rest) = item.split_once('=').unwrap();
        let (before_advance, advance) = rest.split_once('+').unwrap();
        let (cluster, offsets) = match before_advance.split_once('@') {
            Some((c, o)) => (c, Some(o)),
            None => (before_advance, None),
        };
        let (x_offset, y_offset) = match offsets {
            Some(o) => {
                let (x, y) = o.split_once(',').unwrap();
                (parse(x), parse(y))
            }
            None => (0.0, 0.0),
        };
        let x_advance = parse(advance.split(',').next().unwrap());
        let cluster: usize = cluster.parse().unwrap();
        let is_space = text[cluster..].starts_with(' ');
        let glyph = Glyph {
            id: id.parse().unwrap(),
            x_offset,
            y_offset,
            x_advance: (!is_space).then_some(x_advance),
        };
        glyphs.push((cluster, glyph));
    }
    glyphs
}

/// Our glyphs of every run set from `text` in `face`, in font units, per run,
/// with the run's clusters in glyph order (a kashida's cluster is where it
/// was inserted).
fn placed(pages: &Pages, text: &str, face: usize, upem: f32) -> Vec<(Clusters, Vec<usize>)> {
    let mut runs = Vec::new();
    for page in &pages.pages {
        for item in &page.items {
            let Item::Glyphs(run) = item else { continue };
            if run.face != face || &*run.text != text {
                continue;
            }
            let units = |pt: f32| pt * upem / run.size;
            let mut clusters = Clusters::new();
            let order: Vec<usize> = run.glyphs.iter().map(|g| g.start()).collect();
            for g in run.glyphs.iter() {
                let is_space = &text[g.text_range()] == " ";
                clusters.entry(g.start()).or_default().push(Glyph {
                    id: u32::from(g.id),
                    x_offset: units(g.x_offset),
                    y_offset: units(g.y_offset),
                    x_advance: (!is_space).then(|| units(g.x_advance)),
                });
            }
            runs.push((clusters, order));
        }
    }
    runs
}

fn all_runs(pages: &Pages) -> impl Iterator<Item = (usize, &GlyphRun)> {
    pages.pages.iter().enumerate().flat_map(|(index, page)| {
        page.items.iter().filter_map(move |item| match item {
            Item::Glyphs(run) => Some((index, run)),
            _ => None,
        })
    })
}

struct Typeset {
    fonts: FontLibrary,
    pages: Pages,
    /// (text, bold) of every heading and paragraph, in book order.
    blocks: Vec<(String, bool)>,
}

fn typeset_seed_book() -> Typeset {
    let book = warraq::load::load(&common::seed_book()).unwrap_or_else(|e| panic!("{e}"));
    let mut warnings = Diagnostics::default();
    let document = warraq::parse::parse(&book, &mut warnings).unwrap_or_else(|e| panic!("{e}"));
    let fonts = FontLibrary::builtin();
    let pages =
        warraq::layout::typeset(&document, &fonts, &mut warnings).unwrap_or_else(|e| panic!("{e}"));
    let blocks = document
        .chapters
        .iter()
        .flat_map(|c| &c.blocks)
        .filter_map(|b| match &b.kind {
            BlockKind::Heading { content, .. } => Some((plain_text(content), true)),
            BlockKind::Paragraph(content) => Some((plain_text(content), false)),
            _ => None,
        })
        .collect();
    Typeset {
        fonts,
        pages,
        blocks,
    }
}

fn face_index(fonts: &FontLibrary, file_name: &str) -> usize {
    fonts
        .faces
        .iter()
        .position(|f| f.file_name == file_name)
        .unwrap_or_else(|| panic!("no built-in face {file_name}"))
}

/// The words of `text` that kashida justification may lengthen (byte
/// ranges), with where.
fn kashida_sites(t: &Typeset, text: &str, bold: bool) -> Vec<KashidaSite> {
    let shaper = Shaper::new(&t.fonts, "ar");
    let mut styled = StyledText::default();
    let style = TextStyle {
        role: Role::Text,
        style: Style {
            bold,
            italic: false,
        },
        size: 12.0,
        raise: 0.0,
    };
    styled.push(text, style, SourcePos::default());
    let settings = ParagraphSettings {
        direction: Some(Direction::Rtl),
        ..Default::default()
    };
    kashida::sites(&shaper, &shaper.shape(styled, settings))
}

/// Whether `ours` (a word's glyphs in output order) is what hb-shape gives
/// for the word with 1 to 3 tatweels at `site`, in the paragraph `text`.
fn lengthened_by_harfbuzz(
    font_file: &Path,
    text: &str,
    site: &KashidaSite,
    ours: &[Glyph],
) -> bool {
    (1..=kashida::MAX_PER_WORD).any(|k| {
        let word = format!(
            "{}{}{}",
            &text[site.word.start..site.at],
            "\u{0640}".repeat(k),
            &text[site.at..site.word.end]
        );
        let theirs = hb_shape_glyphs(
            font_file,
            &word,
            &text[..site.word.start],
            &text[site.word.end..],
        );
        theirs.len() == ours.len() && theirs.iter().zip(ours).all(|((_, a), b)| a.matches(b))
    })
}

/// Compares our glyphs for `text` in `face` with hb-shape's; returns how
/// many words were lengthened with tatweels.
fn assert_same_as_harfbuzz(t: &Typeset, text: &str, file_name: &str) -> usize {
    let face = face_index(&t.fonts, file_name);
    let font_file = common::repo().join("fonts").join(file_name);
    let upem = upem(&t.fonts.faces[face].data);
    let expected = hb_shape(&font_file, text);
    let runs = placed(&t.pages, text, face, upem);
    assert!(
        !runs.is_empty(),
        "no glyph run in {file_name} sets the text {text:?}"
    );
    let sites = kashida_sites(t, text, file_name.contains("Bold"));
    let mut seen = std::collections::BTreeSet::new();
    let mut lengthened = 0;
    for (run, order) in &runs {
        // One run has one direction: its clusters go one way (HarfBuzz's
        // output order, cluster level 0).
        let rising = order.windows(2).all(|w| w[0] <= w[1]);
        let falling = order.windows(2).all(|w| w[0] >= w[1]);
        assert!(
            rising || falling,
            "{file_name}: the clusters of a run of {text:?} are out of order: {order:?}"
        );
        // Words with a kashida site: as hb-shape sets them, with or without
        // tatweels. (They are right to left: clusters in falling order.)
        for site in &sites {
            let in_order = |clusters: &Clusters| -> Vec<Glyph> {
                clusters
                    .range(site.word.clone())
                    .rev()
                    .flat_map(|(_, glyphs)| glyphs.iter().copied())
                    .collect()
            };
            let (ours, theirs) = (in_order(run), in_order(&expected));
            let plain =
                ours.len() == theirs.len() && ours.iter().zip(&theirs).all(|(a, b)| a.matches(b));
            if ours.is_empty() || plain {
                continue;
            }
            lengthened += 1;
            assert!(
                lengthened_by_harfbuzz(&font_file, text, site, &ours),
                "{file_name}: the word {:?} of {text:?} is neither hb-shape's nor hb-shape's with tatweels:\n  ours:     {ours:?}\n  hb-shape: {theirs:?}",
                &text[site.word.clone()]
            );
        }
        for (cluster, ours) in run {
            seen.insert(*cluster);
            if sites.iter().any(|s| s.word.contains(cluster)) {
                continue;
            }
            let theirs = expected.get(cluster).unwrap_or_else(|| {
                panic!(
                    "cluster {cluster} ({:?}) of {text:?}: hb-shape has no such cluster",
                    &text[*cluster..]
                )
            });
            let same =
                ours.len() == theirs.len() && ours.iter().zip(theirs).all(|(a, b)| a.matches(b));
            assert!(
                same,
                "{file_name}, cluster at byte {cluster} ({:?}) of {text:?}:\n  ours:     {ours:?}\n  hb-shape: {theirs:?}",
                text[*cluster..].chars().take(4).collect::<String>()
            );
        }
    }
    // Only a space at the end of a line may be left out (lines are trimmed).
    for cluster in expected.keys() {
        assert!(
            seen.contains(cluster) || text[*cluster..].starts_with(' '),
            "{file_name}: cluster at byte {cluster} ({:?}) of {text:?} was never placed",
            text[*cluster..].chars().take(4).collect::<String>()
        );
    }
    lengthened
}

#[test]
fn glyphs_are_harfbuzz_glyphs() {
    if !common::have_tools(&["hb-shape"]) {
        return;
    }
    let t = typeset_seed_book();
    // Arabic words only: no digits, no letters of other scripts.
    let is_arabic_only = |s: &str| {
        s.chars()
            .all(|c| !c.is_alphanumeric() || ('\u{0600}'..='\u{06FF}').contains(&c))
    };
    let has_digits_and_punctuation = |s: &str| {
        s.chars().any(|c| c.is_ascii_digit()) && s.chars().any(|c| c.is_ascii_punctuation())
    };
    // The paragraphs the brief insists on must be among those checked.
    assert!(
        t.blocks
            .iter()
            .filter(|(s, bold)| !bold && is_arabic_only(s))
            .count()
            >= 2,
        "the seed book should have pure-Arabic paragraphs"
    );
    assert!(
        t.blocks
            .iter()
            .any(|(s, bold)| !bold && has_digits_and_punctuation(s)),
        "the seed book should have a paragraph with digits and punctuation"
    );
    assert!(
        t.blocks.iter().any(|(_, bold)| *bold),
        "the seed book has headings"
    );

    let mut lengthened = 0;
    for (text, bold) in &t.blocks {
        let file = if *bold {
            "Amiri-Bold.ttf"
        } else {
            "Amiri-Regular.ttf"
        };
        lengthened += assert_same_as_harfbuzz(&t, text, file);
    }
    // The seed book is justified with kashida: its lengthened words were
    // compared too.
    assert!(
        lengthened > 20,
        "only {lengthened} words lengthened with tatweels"
    );
}

/// Whether the comparison notices `change` made to a glyph run of the seed
/// book; `change` returns false for runs it leaves alone.
fn notices(change: impl Fn(&mut GlyphRun) -> bool) -> bool {
    let mut t = typeset_seed_book();
    let regular = face_index(&t.fonts, "Amiri-Regular.ttf");
    let texts: Vec<String> = t
        .blocks
        .iter()
        .filter(|(_, bold)| !bold)
        .map(|(s, _)| s.clone())
        .collect();
    let changed = t
        .pages
        .pages
        .iter_mut()
        .flat_map(|p| p.items.iter_mut())
        .find_map(|i| match i {
            Item::Glyphs(run) if run.face == regular && texts.iter().any(|s| **s == *run.text) => {
                change(run).then(|| run.text.to_string())
            }
            _ => None,
        })
        .expect("no run to change");
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert_same_as_harfbuzz(&t, &changed, "Amiri-Regular.ttf");
    }))
    .is_err()
}

#[test]
fn harfbuzz_comparison_catches_changes() {
    if !common::have_tools(&["hb-shape"]) {
        return;
    }
    let not_space = |run: &GlyphRun| {
        run.glyphs
            .iter()
            .position(|g| &run.text[g.text_range()] != " ")
            .unwrap()
    };
    assert!(
        notices(|run| {
            std::sync::Arc::make_mut(&mut run.glyphs)[3].id += 1;
            true
        }),
        "a changed glyph id went unnoticed"
    );
    assert!(
        notices(|run| {
            let i = not_space(run);
            std::sync::Arc::make_mut(&mut run.glyphs)[i].x_advance += 0.05 * run.size / 1000.0;
            true
        }),
        "an advance 0.05 units off went unnoticed"
    );
    assert!(
        notices(|run| {
            let i = not_space(run);
            std::sync::Arc::make_mut(&mut run.glyphs)[i].y_offset += run.size / 1000.0;
            true
        }),
        "a moved mark went unnoticed"
    );
    assert!(
        notices(|run| {
            let i = not_space(run);
            let mut glyphs = run.glyphs.to_vec();
            glyphs.remove(i);
            run.glyphs = glyphs.into();
            true
        }),
        "a dropped glyph went unnoticed"
    );
    assert!(
        notices(|run| {
            std::sync::Arc::make_mut(&mut run.glyphs).swap(0, 1);
            true
        }),
        "clusters in the wrong order went unnoticed"
    );
    assert!(
        notices(|run| {
            // Two different glyphs of one cluster, swapped.
            let Some(i) = run
                .glyphs
                .windows(2)
                .position(|w| w[0].text == w[1].text && w[0].id != w[1].id)
            else {
                return false;
            };
            std::sync::Arc::make_mut(&mut run.glyphs).swap(i, i + 1);
            true
        }),
        "glyphs of a cluster in the wrong order went unnoticed"
    );
    assert!(
        notices(|run| {
            let Some(g) = std::sync::Arc::make_mut(&mut run.glyphs)
                .iter_mut()
                .find(|g| g.kashida)
            else {
                return false;
            };
            // A tatweel longer than HarfBuzz makes it.
            g.x_advance += 10.0 * run.size / 1000.0;
            true
        }),
        "a kashida of the wrong length went unnoticed"
    );
}

#[test]
fn no_notdef_glyphs() {
    let t = typeset_seed_book();
    let mut runs = 0;
    for (index, run) in all_runs(&t.pages) {
        runs += 1;
        for g in run.glyphs.iter() {
            assert_ne!(
                g.id,
                0,
                "page {}: .notdef for {:?} in {:?}",
                index + 1,
                &run.text[g.text_range()],
                run.text
            );
        }
    }
    assert!(runs > 50, "only {runs} glyph runs in the seed book");
}

/// The second book's runs against hb-shape, run by run: the showcase book
/// has Latin and Cyrillic words inside Arabic, harakat, lists, tables,
/// notes and code, set in the Arabic, Latin, mono and fallback faces. Each
/// run (one face, one direction: its clusters rise or fall) is shaped by
/// hb-shape from the same text with that run's font file and direction, and
/// must give the same glyphs in the same order. Runs with tatweels that
/// justification inserted are left to `glyphs_are_harfbuzz_glyphs`.
#[test]
fn every_run_of_the_showcase_book_is_hb_shapes() {
    if !common::have_tools(&["hb-shape"]) {
        return;
    }
    let book = warraq::load::load(&common::showcase_book()).unwrap_or_else(|e| panic!("{e}"));
    let mut warnings = Diagnostics::default();
    let document = warraq::parse::parse(&book, &mut warnings).unwrap_or_else(|e| panic!("{e}"));
    let fonts = FontLibrary::builtin();
    let pages =
        warraq::layout::typeset(&document, &fonts, &mut warnings).unwrap_or_else(|e| panic!("{e}"));
    let mut compared = BTreeMap::<(&str, &str), usize>::new();
    let mut mismatches = Vec::new();
    let mut compared_texts = Vec::new();
    for (page, run) in all_runs(&pages) {
        if run.glyphs.iter().any(|g| g.kashida) {
            continue;
        }
        let starts: Vec<usize> = run.glyphs.iter().map(|g| g.start()).collect();
        let direction = if starts.windows(2).all(|w| w[0] <= w[1]) {
            "ltr"
        } else if starts.windows(2).all(|w| w[0] >= w[1]) {
            "rtl"
        } else {
            panic!("page {page}: a run's clusters go both ways: {starts:?}");
        };
        let from = run.glyphs.iter().map(|g| g.start()).min().unwrap_or(0);
        let to = run
            .glyphs
            .iter()
            .map(|g| g.text_range().end)
            .max()
            .unwrap_or(0);
        let text = &run.text[from..to];
        if text.trim().is_empty() {
            continue;
        }
        let file_name = fonts.faces[run.face].file_name.as_str();
        let font_file = common::repo().join("fonts").join(file_name);
        let font_arg = format!("--font-file={}", common::arg(&font_file));
        let direction_arg = format!("--direction={direction}");
        let text_arg = format!("--text={text}");
        // Digits and punctuation take the script of the letters before them
        // (after them at a paragraph's start), so those in Arabic are
        // shaped as Arabic: Amiri's Arabic full stop differs from its Latin
        // one. Otherwise the script is the one HarfBuzz finds in the text.
        let is_arabic = |c: char| ('\u{0600}'..='\u{06FF}').contains(&c);
        let letter = text.chars().find(|c| c.is_alphabetic()).or_else(|| {
            let before = run.text[..from].chars().rev();
            before
                .chain(run.text[to..].chars())
                .find(|c| c.is_alphabetic())
        });
        let script_arg = match letter.is_some_and(is_arabic) {
            true => "--script=arab",
            false => "--script=",
        };
        let out = common::run_ok(
            "hb-shape",
            &[
                &font_arg,
                &direction_arg,
                script_arg,
                "--no-glyph-names",
                "--no-positions",
                "--no-clusters",
                &text_arg,
            ],
        );
        let theirs: Vec<u16> = out
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split('|')
            .map(|id| id.parse().unwrap_or_else(|_| panic!("hb-shape said {out}")))
            .collect();
        let ours: Vec<u16> = run.glyphs.iter().map(|g| g.id).collect();
        if ours != theirs {
            mismatches.push(format!(
                "page {page}, {file_name} {direction} {text:?}:\n  ours:     {ours:?}\n  hb-shape: {theirs:?}"
            ));
        }
        *compared.entry((file_name, direction)).or_default() += 1;
        compared_texts.push(text.to_string());
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} runs differ:\n{}",
        mismatches.len(),
        compared_texts.len() + mismatches.len(),
        mismatches.join("\n")
    );
    // The book's scripts and faces all met the oracle.
    for face in [
        "Amiri-Regular.ttf",
        "NotoSerif-Regular.ttf",
        "NotoSansMono-Regular.ttf",
    ] {
        assert!(
            compared.keys().any(|(f, _)| *f == face),
            "no run in {face} was compared: {compared:?}"
        );
    }
    assert!(compared.keys().any(|(_, d)| *d == "ltr"), "{compared:?}");
    let cyrillic = |c: char| ('\u{0400}'..='\u{04FF}').contains(&c);
    let haraka = |c: char| ('\u{064B}'..='\u{0652}').contains(&c);
    assert!(
        compared_texts.iter().any(|t| t.chars().any(cyrillic)),
        "no Cyrillic run"
    );
    assert!(
        compared_texts.iter().any(|t| t.chars().any(haraka)),
        "no run with harakat"
    );
}
