//! The EPUB's fonts cut to the book: only the faces its text needs, each
//! holding only the characters it draws.
//!
//! A reading system picks fonts as CSS says: each element's `font-family`
//! list (style.css), in each family the face whose style is nearest (slant
//! before weight, CSS Fonts 4 §5.2), and for each cluster (a letter and its
//! marks) the first of those faces that has all of it, as Chromium and
//! WebKit fall back over HarfBuzz clusters. So the text of every content
//! document is read back with the look each element gives it, each cluster
//! goes to the face that will draw it, and each face is cut to its
//! characters by `skera` (HarfBuzz's subsetter in Rust), which keeps cmap,
//! GSUB, GPOS and GDEF closed over them: joining forms, ligatures and mark
//! positions survive. A face that draws nothing is left out, and the choice
//! is made again without it, as the reading system will not see it either.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};

use harfbuzz_rs::{Face, Font, Owned};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use rayon::prelude::*;
use read_fonts::collections::IntSet;
use read_fonts::types::{NameId, Tag};
use read_fonts::{FontRef, TableProvider};
use rustc_hash::FxHashSet;
use skera::{DEFAULT_DROP_TABLES, DEFAULT_LAYOUT_FEATURES, SubsetFlags, subset_font};

use super::FontEntry;
use super::style::{MONO_ROLES, TEXT_ROLES, family_names};
use crate::diag::{Code, Diagnostic, Diagnostics, Result};
use crate::doc::Numerals;
use crate::fonts::{FontFace, Role};
use crate::text::is_combining_mark;
use crate::text::itemize::is_ignorable;

/// Which `font-family` list of style.css sets a piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stack {
    /// `body`: the text faces, then the fallback faces.
    Body,
    /// `pre` and `code`: the mono face.
    Mono,
    /// The browser's own `monospace` (`kbd`, `samp`, `tt`): none of ours.
    System,
}

/// What CSS gives a piece of text to pick its face by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Look {
    stack: Stack,
    bold: bool,
    italic: bool,
}

const BODY_TEXT: Look = Look {
    stack: Stack::Body,
    bold: false,
    italic: false,
};

/// What a reader may draw besides the text: the hyphen that `hyphens: auto`
/// adds at a break (U+2010 where the face has it, else `-`).
const HYPHENS: [&str; 2] = ["-", "\u{2010}"];
/// Bullets of `disc`, `circle` and `square` lists, for readers that draw
/// them as text.
const BULLETS: [&str; 3] = ["•", "◦", "▪"];
/// Quotation marks a `<q>` gets from the reader, in any language.
const QUOTES: [&str; 8] = ["“", "”", "‘", "’", "«", "»", "‹", "›"];
/// The names kept in each face: copyright, family, style, unique and full
/// name, version, PostScript name, and the licence and its address.
const NAME_IDS: [u16; 9] = [0, 1, 2, 3, 4, 5, 6, 13, 14];
/// English (United States), the language of the names kept.
const NAME_LANGUAGE: u16 = 0x0409;

/// The clusters the content documents show, by look. (FxHash: a book's
/// every character is looked up here, and SipHash was most of the time;
/// the sets are read in no particular order.)
#[derive(Debug, Default)]
pub(crate) struct ShownText {
    clusters: BTreeMap<Look, FxHashSet<String>>,
    /// Per look, the characters of the Basic Multilingual Plane known to be
    /// clusters of their own in `clusters`, a bit each: most clusters are
    /// one letter, and looking each up in the set was most of the time
    /// spent here.
    known: BTreeMap<Look, Box<[u64]>>,
}

impl ShownText {
    /// Reads the text of one XHTML document's body, with the look each
    /// element gives it and the list markers the reader adds (`numerals`:
    /// those of `ol`, as style.css sets them).
    pub fn add_document(&mut self, xhtml: &str, numerals: Numerals) -> Result<()> {
        let mut reader = Reader::from_str(xhtml);
        // Element names, with the look of their content.
        let mut open: Vec<(String, Look)> = Vec::new();
        loop {
            let event = reader.read_event().map_err(|e| {
                Diagnostic::error(
                    Code::Internal,
                    format!("cannot read back the EPUB's XHTML: {e}"),
                )
            })?;
            let in_body = open.iter().any(|(name, _)| name == "body");
            match event {
                Event::Eof => break,
                Event::Start(start) => self.open(&start, &mut open, true, numerals),
                Event::Empty(start) => self.open(&start, &mut open, false, numerals),
                Event::End(_) => {
                    open.pop();
                }
                Event::Text(text) if in_body => {
                    let look = open.last().map_or(BODY_TEXT, |(_, look)| *look);
                    self.add(look, &text.xml10_content());
                }
                Event::CData(text) if in_body => {
                    let look = open.last().map_or(BODY_TEXT, |(_, look)| *look);
                    self.add(look, &text.xml10_content());
                }
                Event::GeneralRef(reference) if in_body => {
                    let look = open.last().map_or(BODY_TEXT, |(_, look)| *look);
                    let resolved = match reference.resolve_char_ref() {
                        Ok(Some(c)) => Some(c.to_string()),
                        _ => quick_xml::escape::resolve_predefined_entity(&reference)
                            .map(str::to_string),
                    };
                    if let Some(text) = resolved {
                        self.add(look, &text);
                    }
                }
                _ => {}
            }
        }
        for look in self.clusters.keys().copied().collect::<Vec<_>>() {
            if look.stack == Stack::Body {
                HYPHENS.iter().for_each(|h| self.add(look, h));
            }
        }
        Ok(())
    }

    /// Adds what `other` noted.
    pub fn extend(&mut self, other: ShownText) {
        for (look, clusters) in other.clusters {
            self.clusters.entry(look).or_default().extend(clusters);
        }
    }

    /// Notes an element's look (on `open` when it has content) and the list
    /// markers or quotation marks the reader draws for it.
    fn open(
        &mut self,
        start: &BytesStart,
        open: &mut Vec<(String, Look)>,
        has_content: bool,
        numerals: Numerals,
    ) {
        let name = start.name().as_ref().to_ascii_lowercase();
        let parent = open.last().map_or(BODY_TEXT, |(_, look)| *look);
        let look = element_look(&name, start, parent);
        match (name.as_str(), open.last().map(|(name, _)| name.as_str())) {
            ("li", Some("ol")) => self.add(look, &format!("{}. ", list_digits(numerals))),
            ("li", Some("ul")) => BULLETS.iter().for_each(|b| self.add(look, b)),
            ("q", _) => QUOTES.iter().for_each(|q| self.add(look, q)),
            _ => {}
        }
        if has_content {
            open.push((name, look));
        }
    }

    /// Adds the clusters of `text`: a character and the marks and
    /// invisible characters after it. White space is a space to CSS.
    fn add(&mut self, look: Look, text: &str) {
        let set = self.clusters.entry(look).or_default();
        let known = self
            .known
            .entry(look)
            .or_insert_with(|| vec![0; 0x10000 / 64].into_boxed_slice());
        let extends = |c: char| is_combining_mark(c) || (is_ignorable(c) && !c.is_control());
        let mut chars = text
            .chars()
            .map(|c| {
                if matches!(c, '\n' | '\r' | '\t') {
                    ' '
                } else {
                    c
                }
            })
            .peekable();
        let mut cluster = String::new();
        while let Some(first) = chars.next() {
            let mut utf8 = [0; 4];
            let shown: &str = if chars.peek().is_none_or(|&next| !extends(next)) {
                // Most clusters are one letter: its bit says whether it was
                // noted before, without looking it up in the set.
                let (word, bit) = (first as usize / 64, first as usize % 64);
                if let Some(word) = known.get_mut(word) {
                    if *word & (1 << bit) != 0 {
                        continue;
                    }
                    *word |= 1 << bit;
                }
                first.encode_utf8(&mut utf8)
            } else {
                cluster.clear();
                cluster.push(first);
                while let Some(next) = chars.next_if(|&next| extends(next)) {
                    cluster.push(next);
                }
                &cluster
            };
            if !set.contains(shown) {
                set.insert(shown.to_owned());
            }
        }
    }
}

/// The look of an element's content, from its parent's: the user agent's
/// defaults (HTML's rendering section) as style.css changes them. A unit
/// test checks that style.css sets fonts for no other selector.
fn element_look(name: &str, start: &BytesStart, parent: Look) -> Look {
    let has_class = |wanted: &str| {
        start
            .try_get_attribute("class")
            .ok()
            .flatten()
            .is_some_and(|a| a.value.split_ascii_whitespace().any(|c| c == wanted))
    };
    let mut look = parent;
    match name {
        "b" | "strong" | "th" | "dt" | "h1" | "h2" | "h3" | "h4" | "h5" => look.bold = true,
        "h6" => {
            look.bold = false;
            look.italic = true;
        }
        "i" | "em" | "cite" | "var" | "dfn" | "address" => look.italic = true,
        "pre" => look.stack = Stack::Mono,
        "code" => {
            look.stack = Stack::Mono;
            look.italic |= has_class("math");
        }
        "kbd" | "samp" | "tt" => look.stack = Stack::System,
        "p" if has_class("callout-label") => look.bold = true,
        _ => {}
    }
    look
}

/// The digits an `ol`'s markers are written with.
fn list_digits(numerals: Numerals) -> String {
    let zero = match numerals {
        Numerals::Western => '0',
        Numerals::ArabicIndic => '\u{0660}',
        Numerals::Persian => '\u{06F0}',
    };
    (0..10)
        .filter_map(|d| char::from_u32(zero as u32 + d))
        .collect()
}

/// The faces of `fonts` that `shown` needs, each cut to the characters it
/// draws. A face the subsetter cannot cut is embedded whole, with a warning.
pub(crate) fn embed<'a>(
    fonts: Vec<FontEntry<'a>>,
    shown: &ShownText,
    warnings: &mut Diagnostics,
) -> Vec<FontEntry<'a>> {
    let coverage: Vec<Owned<Font<'_>>> = fonts
        .iter()
        .map(|font| Font::new(Face::from_bytes(font.face.data.as_slice(), 0)))
        .collect();
    let has = |face: usize, c: char| coverage[face].get_nominal_glyph(c).is_some();
    let mut kept = vec![true; fonts.len()];
    let served = loop {
        let served = serve(&fonts, &kept, shown, &has);
        let still: Vec<bool> = served.iter().map(|chars| !chars.is_empty()).collect();
        if still == kept {
            break served;
        }
        kept = still;
    };
    // Each face cut on a thread of its own.
    let cuts: Vec<(FontEntry, Option<Diagnostic>)> = fonts
        .into_par_iter()
        .zip(served)
        .filter(|(_, chars)| !chars.is_empty())
        .map(|(mut font, chars)| match cut(font.face, &chars) {
            Ok(data) => {
                font.data = Cow::Owned(data);
                (font, None)
            }
            Err(why) => {
                let whole = Diagnostic::warning(
                    Code::FontNotSubset,
                    format!(
                        "the font {} is embedded whole in the EPUB: {why}",
                        font.face.file_name
                    ),
                );
                (font, Some(whole))
            }
        })
        .collect();
    cuts.into_iter()
        .map(|(font, whole)| {
            if let Some(whole) = whole {
                warnings.push(whole);
            }
            font
        })
        .collect()
}

/// For each face, the characters it draws when only the `kept` faces are
/// embedded.
fn serve(
    fonts: &[FontEntry],
    kept: &[bool],
    shown: &ShownText,
    has: &impl Fn(usize, char) -> bool,
) -> Vec<BTreeSet<char>> {
    let mut served = vec![BTreeSet::new(); fonts.len()];
    for (look, clusters) in &shown.clusters {
        let order = tried_faces(fonts, kept, *look);
        for cluster in clusters {
            let needed = || cluster.chars().filter(|&c| !is_ignorable(c));
            match order.iter().find(|&&face| needed().all(|c| has(face, c))) {
                Some(&face) => served[face].extend(cluster.chars()),
                // No face has all of it: each character from the first that has it.
                None => {
                    for c in needed() {
                        if let Some(&face) = order.iter().find(|&&face| has(face, c)) {
                            served[face].insert(c);
                        }
                    }
                }
            }
        }
    }
    served
}

/// The faces a reader tries for text of `look`, in order: per family of the
/// look's `font-family` list, the nearest style (slant first, then weight);
/// faces with the same family and style form one, the last rule first.
fn tried_faces(fonts: &[FontEntry], kept: &[bool], look: Look) -> Vec<usize> {
    let roles: &[Role] = match look.stack {
        Stack::Body => &TEXT_ROLES,
        Stack::Mono => &MONO_ROLES,
        Stack::System => &[],
    };
    let mut order = Vec::new();
    for family in family_names(fonts, roles) {
        let members: Vec<usize> = (0..fonts.len())
            .filter(|&i| kept[i] && fonts[i].face.family == family)
            .collect();
        let style = |i: usize| fonts[i].face.style;
        let italic = if members.iter().any(|&i| style(i).italic == look.italic) {
            look.italic
        } else {
            !look.italic
        };
        let bold = if members
            .iter()
            .any(|&i| style(i).italic == italic && style(i).bold == look.bold)
        {
            look.bold
        } else {
            !look.bold
        };
        order.extend(
            members
                .iter()
                .rev()
                .filter(|&&i| style(i).italic == italic && style(i).bold == bold),
        );
    }
    order
}

/// `face` cut to `chars` with the OpenType layout it needs to shape them:
/// the features a reader applies by default (HarfBuzz's list), every script.
fn cut(face: &FontFace, chars: &BTreeSet<char>) -> std::result::Result<Vec<u8>, String> {
    let font = FontRef::new(face.data.as_slice()).map_err(|e| e.to_string())?;
    if font.glyf().is_err() {
        // The subsetter cuts TrueType outlines only; it would drop CFF ones.
        return Err("its outlines are not TrueType (`glyf`)".to_string());
    }
    let unicodes: IntSet<u32> = chars.iter().map(|&c| c as u32).collect();
    let drop_tables: IntSet<Tag> = DEFAULT_DROP_TABLES.iter().copied().collect();
    let mut scripts: IntSet<Tag> = IntSet::empty();
    scripts.invert();
    let features: IntSet<Tag> = DEFAULT_LAYOUT_FEATURES.iter().copied().collect();
    let name_ids: IntSet<NameId> = NAME_IDS.iter().map(|&id| NameId::new(id)).collect();
    let languages: IntSet<u16> = [NAME_LANGUAGE].into_iter().collect();
    let subset = catch_unwind(AssertUnwindSafe(|| {
        let plan = skera::Plan::new(
            &IntSet::empty(),
            &unicodes,
            &font,
            SubsetFlags::default(),
            &drop_tables,
            &scripts,
            &features,
            &name_ids,
            &languages,
        );
        subset_font(&font, &plan)
    }))
    .map_err(|_| "the subsetter failed".to_string())?
    .map_err(|e| e.to_string())?;

    // Whatever the subsetter does, no character the face drew may go.
    match lost_character(&face.data, &subset, chars) {
        Some(c) => Err(format!("its subset lost the character U+{:04X}", c as u32)),
        None => Ok(subset),
    }
}

/// A character of `chars` that `original` maps and `cut` does not.
fn lost_character(original: &[u8], cut: &[u8], chars: &BTreeSet<char>) -> Option<char> {
    let original = Font::new(Face::from_bytes(original, 0));
    let cut = Font::new(Face::from_bytes(cut, 0));
    chars
        .iter()
        .copied()
        .find(|&c| original.get_nominal_glyph(c).is_some() && cut.get_nominal_glyph(c).is_none())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rule of style.css that sets a font is one `element_look`
    /// knows: a new one must be taught to it, or its text would be cut
    /// from the wrong face.
    #[test]
    fn element_look_knows_every_font_rule_of_the_stylesheet() {
        let known = [
            "h1, h2, h3, h4, h5, h6",
            "h6",
            "pre",
            "code",
            "th",
            "code.math",
            "dt",
            "div.callout p.callout-label",
            "body",
        ];
        let css = include_str!("style.css");
        let mut rules = css.split('}');
        let mut found = Vec::new();
        for rule in rules.by_ref() {
            let Some((selector, body)) = rule.split_once('{') else {
                continue;
            };
            if body.contains("font-family")
                || body.contains("font-weight")
                || body.contains("font-style")
            {
                let selector = selector.rsplit("*/").next().unwrap_or(selector).trim();
                found.push(selector.to_string());
            }
        }
        let unknown: Vec<&String> = found
            .iter()
            .filter(|s| !known.contains(&s.as_str()))
            .collect();
        assert!(
            unknown.is_empty(),
            "font rules element_look ignores: {unknown:?}"
        );
        assert!(found.len() >= known.len(), "rules found: {found:?}");
    }

    #[test]
    fn looks_follow_the_stylesheet() {
        let mut shown = ShownText::default();
        let xhtml = "<html><head><title>T</title></head><body>\
                     <h1>A</h1><h6>B</h6><p>C<code class=\"math\">D</code><kbd>E</kbd></p>\
                     <ol><li>F</li></ol></body></html>";
        shown
            .add_document(xhtml, Numerals::ArabicIndic)
            .expect("the document is read");
        let has =
            |look: Look, text: &str| shown.clusters.get(&look).is_some_and(|s| s.contains(text));
        let bold = Look {
            bold: true,
            ..BODY_TEXT
        };
        let italic = Look {
            italic: true,
            ..BODY_TEXT
        };
        assert!(has(bold, "A"));
        assert!(has(italic, "B"));
        assert!(has(BODY_TEXT, "C") && has(BODY_TEXT, "F") && has(BODY_TEXT, "٣"));
        assert!(has(
            Look {
                stack: Stack::Mono,
                italic: true,
                bold: false
            },
            "D"
        ));
        assert!(has(
            Look {
                stack: Stack::System,
                ..BODY_TEXT
            },
            "E"
        ));
        assert!(
            !shown.clusters.values().any(|s| s.contains("T")),
            "the title is not shown"
        );
    }

    /// A face the subsetter cannot cut (here: its `glyf` table renamed, as
    /// if its outlines were CFF) is embedded whole, and a warning says so.
    #[test]
    fn a_face_that_cannot_be_cut_is_embedded_whole_with_a_warning() {
        let mut face = crate::fonts::FontLibrary::builtin().faces.remove(0);
        let mut data = face.data.to_vec();
        let at = data
            .windows(4)
            .position(|w| w == b"glyf")
            .expect("a glyf table");
        data[at + 3] = b'X';
        face.data = std::sync::Arc::new(data).into();
        let entry = FontEntry {
            id: "font-1".into(),
            href: "fonts/f.ttf".into(),
            media_type: "font/ttf",
            face: &face,
            data: Cow::Borrowed(face.data.as_slice()),
        };
        let mut shown = ShownText::default();
        shown.add(BODY_TEXT, "سلام");
        let mut warnings = Diagnostics::default();
        let embedded = embed(vec![entry], &shown, &mut warnings);
        assert_eq!(embedded.len(), 1);
        assert_eq!(&*embedded[0].data, face.data.as_slice());
        assert_eq!(warnings.0.len(), 1, "{:?}", warnings.0);
        assert!(warnings.0[0].message.contains("embedded whole"));
        assert!(warnings.0[0].message.contains("glyf"));
    }

    /// The faces embedded for `text` in each look, builtin faces only.
    fn embedded_for(text: &[(Look, &str)]) -> Vec<String> {
        let library = crate::fonts::FontLibrary::builtin();
        let entries = library
            .faces
            .iter()
            .enumerate()
            .map(|(n, face)| FontEntry {
                id: format!("font-{n}"),
                href: format!("fonts/{}", face.file_name),
                media_type: "font/ttf",
                face,
                data: Cow::Borrowed(face.data.as_slice()),
            })
            .collect();
        let mut shown = ShownText::default();
        for (look, text) in text {
            shown.add(*look, text);
        }
        let mut warnings = Diagnostics::default();
        let embedded = embed(entries, &shown, &mut warnings);
        assert!(warnings.0.is_empty(), "{:?}", warnings.0);
        embedded.iter().map(|f| f.face.file_name.clone()).collect()
    }

    /// Slant before weight (CSS Fonts 4 §5.2): bold italic Arabic is set
    /// in Amiri Slanted (the reader makes it bolder), not Amiri Bold.
    #[test]
    fn bold_italic_takes_the_italic_face() {
        let bold_italic = Look {
            bold: true,
            italic: true,
            ..BODY_TEXT
        };
        assert_eq!(embedded_for(&[(bold_italic, "سلام")]), ["Amiri-Slanted.ttf"]);
    }

    /// A face nothing needs is left out, and the text that would have
    /// picked it is given to the face a reader then picks: bold Cyrillic
    /// alone, Amiri Bold drawing none of it, goes to Noto Serif Bold, and
    /// Amiri Bold is not embedded.
    #[test]
    fn faces_that_draw_nothing_are_left_out() {
        let bold = Look {
            bold: true,
            ..BODY_TEXT
        };
        assert_eq!(
            embedded_for(&[(BODY_TEXT, "سلام"), (bold, "Жизнь")]),
            ["Amiri-Regular.ttf", "NotoSerif-Bold.ttf"]
        );
    }

    /// The clusters `shown` noted in the body text's look.
    fn body_clusters(shown: &ShownText) -> BTreeSet<&str> {
        shown.clusters[&BODY_TEXT]
            .iter()
            .map(String::as_str)
            .collect()
    }

    #[test]
    fn marks_stay_with_their_letter() {
        let mut shown = ShownText::default();
        shown.add(BODY_TEXT, "بِسْمِ a\u{200D}");
        assert_eq!(
            body_clusters(&shown),
            BTreeSet::from([" ", "a\u{200D}", "بِ", "سْ", "مِ"])
        );
    }

    /// A letter alone and with a mark are two clusters, each noted once
    /// however often it comes; a mark with no letter before it is one of
    /// its own; a line break is a space; and a letter beyond the Basic
    /// Multilingual Plane (no bit of its own) is noted all the same.
    #[test]
    fn each_cluster_is_noted_once() {
        let mut shown = ShownText::default();
        shown.add(BODY_TEXT, "\u{0650}ب بِ\nب𝔸");
        shown.add(BODY_TEXT, "𝔸بب\u{0650}");
        assert_eq!(
            body_clusters(&shown),
            BTreeSet::from(["\u{0650}", "ب", " ", "بِ", "𝔸"])
        );
    }
}
