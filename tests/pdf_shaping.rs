//! The print edition's glyphs are HarfBuzz's: for the seed book's paragraphs
//! and headings, every placed glyph (id, offsets, advance) equals what
//! `hb-shape` gives for the same text and font, cluster by cluster.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use warraq::diag::Warnings;
use warraq::doc::{BlockKind, plain_text};
use warraq::fonts::FontLibrary;
use warraq::layout::Pages;
use warraq::layout::page::{GlyphRun, Item};

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
    let font_arg = format!("--font-file={}", common::arg(font_file));
    let text_arg = format!("--text={text}");
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
            &text_arg,
        ],
    );
    let mut clusters = Clusters::new();
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
        clusters.entry(cluster).or_default().push(Glyph {
            id: id.parse().unwrap(),
            x_offset,
            y_offset,
            x_advance: (!is_space).then_some(x_advance),
        });
    }
    clusters
}

/// Our glyphs of every run set from `text` in `face`, in font units, per run,
/// with the run's clusters in glyph order.
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
            let order: Vec<usize> = run.glyphs.iter().map(|g| g.text.0).collect();
            for g in &run.glyphs {
                let is_space = &text[g.text_range()] == " ";
                clusters.entry(g.text.0).or_default().push(Glyph {
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
    let mut warnings = Warnings::default();
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

/// Compares our glyphs for `text` in `face` with hb-shape's.
fn assert_same_as_harfbuzz(t: &Typeset, text: &str, file_name: &str) {
    let face = face_index(&t.fonts, file_name);
    let font_file = common::repo().join("fonts").join(file_name);
    let upem = upem(&t.fonts.faces[face].data);
    let expected = hb_shape(&font_file, text);
    let runs = placed(&t.pages, text, face, upem);
    assert!(
        !runs.is_empty(),
        "no glyph run in {file_name} sets the text {text:?}"
    );
    let mut seen = std::collections::BTreeSet::new();
    for (run, order) in &runs {
        // One run has one direction: its clusters go one way (HarfBuzz's
        // output order, cluster level 0).
        let rising = order.windows(2).all(|w| w[0] <= w[1]);
        let falling = order.windows(2).all(|w| w[0] >= w[1]);
        assert!(
            rising || falling,
            "{file_name}: the clusters of a run of {text:?} are out of order: {order:?}"
        );
        for (cluster, ours) in run {
            seen.insert(*cluster);
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

    for (text, bold) in &t.blocks {
        let file = if *bold {
            "Amiri-Bold.ttf"
        } else {
            "Amiri-Regular.ttf"
        };
        assert_same_as_harfbuzz(&t, text, file);
    }
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
        assert_same_as_harfbuzz(&t, &changed, "Amiri-Regular.ttf")
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
            run.glyphs[3].id += 1;
            true
        }),
        "a changed glyph id went unnoticed"
    );
    assert!(
        notices(|run| {
            let i = not_space(run);
            run.glyphs[i].x_advance += 0.05 * run.size / 1000.0;
            true
        }),
        "an advance 0.05 units off went unnoticed"
    );
    assert!(
        notices(|run| {
            let i = not_space(run);
            run.glyphs[i].y_offset += run.size / 1000.0;
            true
        }),
        "a moved mark went unnoticed"
    );
    assert!(
        notices(|run| {
            let i = not_space(run);
            run.glyphs.remove(i);
            true
        }),
        "a dropped glyph went unnoticed"
    );
    assert!(
        notices(|run| {
            run.glyphs.swap(0, 1);
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
            run.glyphs.swap(i, i + 1);
            true
        }),
        "glyphs of a cluster in the wrong order went unnoticed"
    );
}

#[test]
fn no_notdef_glyphs() {
    let t = typeset_seed_book();
    let mut runs = 0;
    for (index, run) in all_runs(&t.pages) {
        runs += 1;
        for g in &run.glyphs {
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
