//! `warraq fonts`: which face sets which characters of a book, and which
//! characters no face has, where. Nothing is decided here: the print
//! edition is laid out as a build lays it out, with each paragraph kept as
//! the shaper set it ([`SetText`]), so the faces named are the ones the PDF
//! uses, in every role (body text, headings, code, notes, the contents).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::ops::{Range, RangeInclusive};
use std::path::{Path, PathBuf};

use unicode_script::{Script, UnicodeScript};

use crate::diag::{Diagnostics, Result};
use crate::doc::{Document, SourcePos};
use crate::fonts::{FontLibrary, Role, Style};
use crate::load::{CONFIG_FILE, shown_path};
use crate::text::itemize::is_ignorable;
use crate::text::{ShapedText, StyledText};

/// One paragraph as the shaper set it.
#[derive(Debug, Clone)]
pub struct SetText {
    /// The chapter (relative to the book folder); `None` for text warraq
    /// sets itself (cover, title page, contents, running heads, folios).
    file: Option<PathBuf>,
    styled: StyledText,
    /// Each run's text (byte range) and face, in logical order.
    runs: Vec<(Range<usize>, usize)>,
    /// Where the characters no face has are (byte offsets, in order).
    missing: Vec<usize>,
    /// Where inline pictures stand (in order): placeholders, not text.
    objects: Vec<usize>,
}

impl SetText {
    pub(crate) fn new(file: Option<PathBuf>, shaped: &ShapedText, objects: &[usize]) -> Self {
        SetText {
            file,
            styled: shaped.styled.clone(),
            runs: shaped
                .runs
                .iter()
                .map(|run| (run.range.clone(), run.face))
                .collect(),
            missing: sorted(shaped.missing.iter().map(|m| m.offset).collect()),
            objects: sorted(objects.to_vec()),
        }
    }

    /// What makes a paragraph the same one when it is set again (measured,
    /// then set; a running head on every page): its place, text and styles.
    fn identity(&self) -> ParagraphIdentity {
        (
            self.file.clone(),
            self.styled.text.clone(),
            self.styled
                .spans
                .iter()
                .map(|s| (s.range.clone(), Use::of(s.style.role, s.style.style)))
                .collect(),
            self.styled
                .origins
                .iter()
                .map(|o| {
                    (
                        o.start,
                        o.anchor.pos.line,
                        o.anchor.pos.column,
                        o.anchor.word,
                    )
                })
                .collect(),
        )
    }
}

fn sorted(mut offsets: Vec<usize>) -> Vec<usize> {
    offsets.sort_unstable();
    offsets
}

type ParagraphIdentity = (
    Option<PathBuf>,
    String,
    Vec<(Range<usize>, Use)>,
    Vec<(usize, u32, u32, u32)>,
);

/// How the text a face sets was asked to be set: the role and style of
/// its span (a heading is bold text, inline and block code are code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Use {
    Text,
    Bold,
    Italic,
    BoldItalic,
    Code,
}

impl Use {
    fn of(role: Role, style: Style) -> Self {
        match (role, style.bold, style.italic) {
            (Role::Mono, _, _) => Use::Code,
            (_, false, false) => Use::Text,
            (_, true, false) => Use::Bold,
            (_, false, true) => Use::Italic,
            (_, true, true) => Use::BoldItalic,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Use::Text => "text",
            Use::Bold => "bold",
            Use::Italic => "italic",
            Use::BoldItalic => "bold italic",
            Use::Code => "code",
        }
    }
}

/// What one face sets in the book.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceUse {
    /// Index in the [`FontLibrary`].
    pub face: usize,
    /// E.g. `Amiri Bold`.
    pub name: String,
    /// The file: `Amiri-Regular.ttf`, or the book's `fonts/Mine.otf`.
    pub file: String,
    pub builtin: bool,
    pub uses: BTreeSet<Use>,
    /// Characters set (spaces and invisible controls not counted).
    pub count: usize,
    /// The distinct characters, each with how often it is set.
    pub chars: BTreeMap<char, usize>,
    /// The code points it sets, as ranges of consecutive ones.
    pub ranges: Vec<RangeInclusive<char>>,
}

/// Characters set in faces of different families, depending on how they
/// are set (Latin in the text face, and in the code face in code).
#[derive(Debug, Clone, PartialEq)]
pub struct Shared {
    pub chars: Vec<char>,
    /// Each face (index) with what it sets them as.
    pub faces: Vec<(usize, BTreeSet<Use>)>,
}

/// Where a character no face has is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A file of the book (as the user named the book folder), 1-based.
    At(PathBuf, SourcePos),
    /// Text warraq sets itself that the book has nowhere as such.
    Generated(String),
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::At(file, pos) => write!(f, "{}:{}:{}", file.display(), pos.line, pos.column),
            Place::Generated(text) => write!(f, "text warraq sets: {text:?}"),
        }
    }
}

/// A character no face has.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncovered {
    pub ch: char,
    /// Each time the book has it, in source order.
    pub places: Vec<Place>,
}

/// Which faces set a book's characters, and what none has.
#[derive(Debug, Clone)]
pub struct FontReport {
    /// The book's title (the folder is `.` when warraq runs in it).
    pub title: String,
    /// The faces that set anything, in the library's order (the order they
    /// are tried in).
    pub faces: Vec<FaceUse>,
    pub shared: Vec<Shared>,
    /// In code point order.
    pub uncovered: Vec<Uncovered>,
    /// Each face's name, by library index (for [`Shared::faces`]).
    names: Vec<String>,
}

/// Loads, parses and lays out the book in `book_dir` as a build does, and
/// reports which face sets which of its characters.
pub fn report(book_dir: &Path) -> Result<FontReport> {
    // Its warnings (and the errors parsing goes on past) are `warraq
    // check`'s to tell; the characters no face has are reported here.
    let mut warnings = Diagnostics::default();
    let crate::Prepared {
        book,
        document,
        fonts,
    } = crate::prepare(
        &crate::BuildOptions::for_book(book_dir),
        &crate::Unwatched,
        &mut warnings,
        &mut Vec::new(),
    )?;
    let (_, set) = crate::layout::typeset_recording(&document, &fonts, &mut warnings)?;
    Ok(FontReport::new(&document, &fonts, &set, &book.input_dir))
}

/// One character of a paragraph no face has, before it is placed.
struct MissingChar<'a> {
    ch: char,
    paragraph: &'a SetText,
    offset: usize,
}

impl FontReport {
    /// The report on `set`, the paragraphs of `document` as laid out with
    /// `fonts`; files are named under `book_dir`.
    pub fn new(document: &Document, fonts: &FontLibrary, set: &[SetText], book_dir: &Path) -> Self {
        let mut seen: HashSet<ParagraphIdentity> = HashSet::new();
        let paragraphs: Vec<&SetText> = set.iter().filter(|p| seen.insert(p.identity())).collect();

        // Per face: characters and uses; per character: faces and uses.
        let mut per_face: BTreeMap<usize, (BTreeMap<char, usize>, BTreeSet<Use>)> = BTreeMap::new();
        let mut per_char: BTreeMap<char, BTreeMap<usize, BTreeSet<Use>>> = BTreeMap::new();
        let mut missing: Vec<MissingChar> = Vec::new();
        for paragraph in &paragraphs {
            let styled = &paragraph.styled;
            let (mut run, mut span) = (0, 0);
            for (offset, ch) in styled.text.char_indices() {
                if ch.is_whitespace()
                    || is_ignorable(ch)
                    || paragraph.objects.binary_search(&offset).is_ok()
                {
                    continue;
                }
                if paragraph.missing.binary_search(&offset).is_ok() {
                    missing.push(MissingChar {
                        ch,
                        paragraph,
                        offset,
                    });
                    continue;
                }
                while paragraph
                    .runs
                    .get(run)
                    .is_some_and(|(r, _)| r.end <= offset)
                {
                    run += 1;
                }
                while styled
                    .spans
                    .get(span)
                    .is_some_and(|s| s.range.end <= offset)
                {
                    span += 1;
                }
                // Runs and spans cover the text.
                let (Some((_, face)), Some(span)) =
                    (paragraph.runs.get(run), styled.spans.get(span))
                else {
                    continue;
                };
                let used = Use::of(span.style.role, span.style.style);
                let (chars, uses) = per_face.entry(*face).or_default();
                *chars.entry(ch).or_default() += 1;
                uses.insert(used);
                per_char
                    .entry(ch)
                    .or_default()
                    .entry(*face)
                    .or_default()
                    .insert(used);
            }
        }

        let uncovered = place_missing(document, &missing, book_dir);
        let book_fonts = document.fonts.len();
        let faces = per_face
            .into_iter()
            .map(|(face, (chars, uses))| {
                let font = &fonts.faces[face];
                let builtin = face >= book_fonts;
                FaceUse {
                    face,
                    name: face_name(&font.family, font.style),
                    file: if builtin {
                        font.file_name.clone()
                    } else {
                        format!("fonts/{}", font.file_name)
                    },
                    builtin,
                    uses,
                    count: chars.values().sum(),
                    ranges: ranges(chars.keys().copied()),
                    chars,
                }
            })
            .collect();

        // Characters set in more than one family, grouped by the faces
        // that set them.
        let mut shared: BTreeMap<Vec<(usize, BTreeSet<Use>)>, Vec<char>> = BTreeMap::new();
        for (ch, by_face) in per_char {
            let families: BTreeSet<&str> = by_face
                .keys()
                .map(|&face| fonts.faces[face].family.as_str())
                .collect();
            if families.len() > 1 {
                shared
                    .entry(by_face.into_iter().collect())
                    .or_default()
                    .push(ch);
            }
        }
        FontReport {
            title: document.metadata.title.clone(),
            faces,
            shared: shared
                .into_iter()
                .map(|(faces, chars)| Shared { chars, faces })
                .collect(),
            uncovered,
            names: fonts
                .faces
                .iter()
                .map(|f| face_name(&f.family, f.style))
                .collect(),
        }
    }

    /// Whether some character of the book has no face (`warraq fonts`
    /// exits 1).
    pub fn has_uncovered(&self) -> bool {
        !self.uncovered.is_empty()
    }
}

/// A face's name as people say it: `Amiri Bold`, `Noto Serif Regular`.
fn face_name(family: &str, style: Style) -> String {
    let style = match (style.bold, style.italic) {
        (false, false) => "Regular",
        (true, false) => "Bold",
        (false, true) => "Italic",
        (true, true) => "Bold Italic",
    };
    format!("{family} {style}")
}

/// `chars` (in order) as ranges of consecutive code points.
fn ranges(chars: impl Iterator<Item = char>) -> Vec<RangeInclusive<char>> {
    let mut ranges: Vec<RangeInclusive<char>> = Vec::new();
    for ch in chars {
        match ranges.last_mut() {
            Some(last) if *last.end() as u32 + 1 == ch as u32 => *last = *last.start()..=ch,
            _ => ranges.push(ch..=ch),
        }
    }
    ranges
}

/// Where each character no face has is in the book's files. A character of
/// a chapter is the first of its kind in the source at or after where the
/// text it is in starts that no earlier one took (text set from the source
/// keeps its characters in order); a character of text warraq sets itself
/// is where `book.toml` gives the title or authors, or, when it is not
/// there and no chapter has it, that text.
fn place_missing(document: &Document, missing: &[MissingChar], book_dir: &Path) -> Vec<Uncovered> {
    let config_file = Path::new(CONFIG_FILE);
    // In the chapters: by character and file, where the text each is in
    // starts (and its word there, and its offset in its paragraph: source
    // order).
    let mut in_chapters: BTreeMap<(char, &Path), Vec<TextStart>> = BTreeMap::new();
    // In text warraq sets itself: the texts.
    let mut generated: BTreeMap<char, BTreeSet<&str>> = BTreeMap::new();
    for m in missing {
        let styled = &m.paragraph.styled;
        let Some(file) = &m.paragraph.file else {
            generated.entry(m.ch).or_default().insert(&styled.text);
            continue;
        };
        let origin = styled
            .origins
            .partition_point(|o| o.start <= m.offset)
            .checked_sub(1)
            .map(|i| styled.origins[i].anchor);
        let (pos, word) = match origin {
            Some(anchor) => (anchor.pos, anchor.word),
            // Set by warraq in a chapter (a list's number): where its span is.
            None => (
                styled
                    .spans
                    .iter()
                    .find(|s| s.range.contains(&m.offset))
                    .map_or(SourcePos::default(), |s| s.pos),
                0,
            ),
        };
        in_chapters
            .entry((m.ch, file.as_path()))
            .or_default()
            .push((pos, word, m.offset));
    }
    // Every one of these characters in each file concerned, in one pass a
    // file.
    let wanted: HashSet<char> = missing.iter().map(|m| m.ch).collect();
    let files: BTreeSet<&Path> = in_chapters
        .keys()
        .map(|&(_, file)| file)
        .chain([config_file])
        .collect();
    let found: HashMap<&Path, CharPlaces> = files
        .into_iter()
        .map(|file| {
            let text = document.sources.text(file);
            (file, positions(text.as_deref().unwrap_or(""), &wanted))
        })
        .collect();
    let found_in = |file: &Path, ch: char| -> &[(usize, SourcePos)] {
        found
            .get(file)
            .and_then(|chars| chars.get(&ch))
            .map_or(&[], Vec::as_slice)
    };

    let mut places: BTreeMap<char, Vec<Place>> = BTreeMap::new();
    for ((ch, file), mut starts) in in_chapters {
        starts.sort();
        let starts: Vec<SourcePos> = starts.into_iter().map(|(pos, _, _)| pos).collect();
        let sources: Vec<SourcePos> = found_in(file, ch).iter().map(|&(_, p)| p).collect();
        places.entry(ch).or_default().extend(
            claim(&sources, &starts)
                .into_iter()
                .map(|pos| Place::At(shown_path(book_dir, file), pos)),
        );
    }
    let config = document.sources.text(config_file);
    let metadata = metadata_in_config(document, config.as_deref().unwrap_or(""));
    for (ch, texts) in generated {
        let places = places.entry(ch).or_default();
        let in_config: Vec<Place> = found_in(config_file, ch)
            .iter()
            .filter(|(at, _)| metadata.iter().any(|r| r.contains(at)))
            .map(|&(_, pos)| Place::At(shown_path(book_dir, config_file), pos))
            .collect();
        if !in_config.is_empty() {
            places.extend(in_config);
        } else if places.is_empty() {
            places.extend(texts.into_iter().map(|t| Place::Generated(t.to_string())));
        }
    }
    places
        .into_iter()
        .map(|(ch, places)| Uncovered { ch, places })
        .collect()
}

/// Where the text a character is in starts in its source: position, word
/// there, offset in its paragraph (in that order, source order).
type TextStart = (SourcePos, u32, usize);

/// Where characters are in a text: byte offset and position, in order.
type CharPlaces = HashMap<char, Vec<(usize, SourcePos)>>;

/// Where in `config` (book.toml) the title and authors warraq sets are
/// given: the byte ranges of their quoted values (none for a title taken
/// from the first heading).
fn metadata_in_config(document: &Document, config: &str) -> Vec<Range<usize>> {
    let meta = &document.metadata;
    std::iter::once(&meta.title)
        .chain(&meta.authors)
        .filter(|value| !value.is_empty())
        .filter_map(|value| {
            ['"', '\''].iter().find_map(|quote| {
                let quoted = format!("{quote}{value}{quote}");
                config
                    .find(&quoted)
                    .map(|at| at + quote.len_utf8()..at + quote.len_utf8() + value.len())
            })
        })
        .collect()
}

/// Where each of `chars` is in `text`: byte offset, and 1-based line and
/// column (columns count characters), in order.
fn positions(text: &str, chars: &HashSet<char>) -> CharPlaces {
    let mut found = CharPlaces::new();
    let (mut line, mut column) = (1, 1);
    for (at, c) in text.char_indices() {
        if chars.contains(&c) {
            found
                .entry(c)
                .or_default()
                .push((at, SourcePos { line, column }));
        }
        if c == '\n' {
            (line, column) = (line + 1, 1);
        } else {
            column += 1;
        }
    }
    found
}

/// For each of `starts` (in order), the first of `found` (the places of a
/// character in a source, in order) at or after it that no earlier start
/// took; the start itself when there is none (the character was written
/// otherwise in the source, as an entity for instance).
fn claim(found: &[SourcePos], starts: &[SourcePos]) -> Vec<SourcePos> {
    let mut next = 0;
    starts
        .iter()
        .map(|&start| {
            let at = next.max(found.partition_point(|&p| p < start));
            match found.get(at) {
                Some(&pos) => {
                    next = at + 1;
                    pos
                }
                None => start,
            }
        })
        .collect()
}

/// How many places of a character no face has are listed before "and N
/// more".
const PLACES_SHOWN: usize = 5;

/// How many characters a line of shared characters shows.
const SHARED_SHOWN: usize = 24;

/// The width the lists of ranges are wrapped at.
const WRAP_WIDTH: usize = 100;

/// What a character is, for people: its script, or for the characters
/// every script shares, digits, punctuation and symbols, or marks.
fn kind(ch: char) -> &'static str {
    match ch.script() {
        Script::Common if ch.is_numeric() => "digits",
        Script::Common => "punctuation/symbols",
        Script::Inherited => "marks",
        script => script.full_name(),
    }
}

/// `chars` by [`kind`], most first: `Arabic 45, Latin 12, digits 10`.
fn kinds(chars: impl Iterator<Item = char>) -> String {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for ch in chars {
        *counts.entry(kind(ch)).or_default() += 1;
    }
    let mut counts: Vec<(&str, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    counts
        .iter()
        .map(|(kind, n)| format!("{kind} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn code_point(ch: char) -> String {
    format!("U+{:04X}", ch as u32)
}

fn range_text(range: &RangeInclusive<char>) -> String {
    if range.start() == range.end() {
        code_point(*range.start())
    } else {
        format!(
            "{}-{}",
            code_point(*range.start()),
            code_point(*range.end())
        )
    }
}

/// `rows` as columns, each as wide as its widest cell; the last column is
/// not padded, and columns given as numeric are aligned right.
fn columns(rows: &[Vec<String>], numeric: &[bool]) -> Vec<String> {
    let width = |i: usize| {
        rows.iter()
            .map(|r| r.get(i).map_or(0, |c| c.chars().count()))
            .max()
            .unwrap_or(0)
    };
    rows.iter()
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(i, cell)| match (i + 1 == row.len(), numeric.get(i)) {
                    (true, _) => cell.clone(),
                    (false, Some(true)) => format!("{cell:>w$}", w = width(i)),
                    (false, _) => format!("{cell:<w$}", w = width(i)),
                })
                .collect();
            cells.join("  ").trim_end().to_string()
        })
        .collect()
}

/// `items` joined by spaces in lines no wider than [`WRAP_WIDTH`], each
/// starting with `indent`.
fn wrapped(items: &[String], indent: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for item in items {
        if !line.is_empty() && indent.len() + line.len() + 1 + item.len() > WRAP_WIDTH {
            lines.push(format!("{indent}{line}"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(item);
    }
    if !line.is_empty() {
        lines.push(format!("{indent}{line}"));
    }
    lines
}

/// A character as it can be shown in a terminal: itself, unless it is a
/// control character or a mark with nothing to sit on.
fn shown(ch: char) -> String {
    match ch.script() {
        _ if ch.is_control() => String::new(),
        Script::Inherited => format!("\u{25CC}{ch}"),
        _ => ch.to_string(),
    }
}

impl fmt::Display for FontReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Faces that set the text of “{}” (each paragraph counted once, spaces not counted):",
            self.title
        )?;
        writeln!(f)?;
        let mut rows = vec![
            [
                "face",
                "file",
                "used for",
                "characters",
                "distinct",
                "scripts",
            ]
            .map(String::from)
            .to_vec(),
        ];
        for face in &self.faces {
            let uses: Vec<&str> = face.uses.iter().map(|u| u.name()).collect();
            rows.push(vec![
                face.name.clone(),
                if face.builtin {
                    format!("{} (built in)", face.file)
                } else {
                    face.file.clone()
                },
                uses.join(", "),
                face.count.to_string(),
                face.chars.len().to_string(),
                kinds(face.chars.keys().copied()),
            ]);
        }
        let numeric = [false, false, false, true, true];
        let lines = columns(&rows, &numeric);
        writeln!(f, "  {}", lines[0])?;
        for (face, line) in self.faces.iter().zip(&lines[1..]) {
            writeln!(f, "  {line}")?;
            let ranges: Vec<String> = face.ranges.iter().map(range_text).collect();
            for line in wrapped(&ranges, "      ") {
                writeln!(f, "{line}")?;
            }
        }
        if !self.shared.is_empty() {
            writeln!(f)?;
            writeln!(
                f,
                "Set in more than one family, depending on how they are set:"
            )?;
            writeln!(f)?;
            for shared in &self.shared {
                let mut chars: Vec<String> = shared
                    .chars
                    .iter()
                    .take(SHARED_SHOWN)
                    .map(|&c| shown(c))
                    .collect();
                if shared.chars.len() > SHARED_SHOWN {
                    chars.push(format!("and {} more", shared.chars.len() - SHARED_SHOWN));
                }
                let faces: Vec<String> = shared
                    .faces
                    .iter()
                    .map(|(face, uses)| {
                        let uses: Vec<&str> = uses.iter().map(|u| u.name()).collect();
                        format!("{} for {}", self.names[*face], uses.join(", "))
                    })
                    .collect();
                writeln!(f, "  {} — {}", chars.join(" "), faces.join("; "))?;
            }
        }
        writeln!(f)?;
        if self.uncovered.is_empty() {
            return writeln!(f, "Every character has a face.");
        }
        let uses: usize = self.uncovered.iter().map(|u| u.places.len()).sum();
        writeln!(
            f,
            "No face has {} character(s), used {uses} time(s); each prints as a blank box. \
             Put a font that has them (.ttf or .otf) in the book's fonts/ folder:",
            self.uncovered.len()
        )?;
        writeln!(f)?;
        let rows: Vec<Vec<String>> = self
            .uncovered
            .iter()
            .map(|u| {
                let mut places: Vec<String> = u
                    .places
                    .iter()
                    .take(PLACES_SHOWN)
                    .map(|p| p.to_string())
                    .collect();
                if u.places.len() > PLACES_SHOWN {
                    places.push(format!("and {} more", u.places.len() - PLACES_SHOWN));
                }
                vec![
                    code_point(u.ch),
                    shown(u.ch),
                    kind(u.ch).to_string(),
                    format!("{}×", u.places.len()),
                    places.join(", "),
                ]
            })
            .collect();
        for line in columns(&rows, &[false, false, false, true]) {
            writeln!(f, "  {line}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_runs_of_consecutive_code_points() {
        let chars = ['a', 'c', 'd', 'e', 'z', '\u{10000}'];
        assert_eq!(
            ranges(chars.into_iter()),
            vec!['a'..='a', 'c'..='e', 'z'..='z', '\u{10000}'..='\u{10000}']
        );
    }

    #[test]
    fn each_start_claims_the_next_character_not_yet_claimed() {
        let source = "ᚠ x\n```\nᚠ\nᚠ ᚠ\n```\n";
        let at = |line, column| SourcePos { line, column };
        let claim = |source: &str, starts: &[SourcePos]| {
            let found = positions(source, &HashSet::from(['ᚠ']));
            let found: Vec<SourcePos> = found
                .get(&'ᚠ')
                .into_iter()
                .flatten()
                .map(|&(_, p)| p)
                .collect();
            claim(&found, starts)
        };
        // The three characters of a code block all start at the block.
        let starts = [at(1, 1), at(2, 1), at(2, 1), at(2, 1)];
        assert_eq!(
            claim(source, &starts),
            vec![at(1, 1), at(3, 1), at(4, 1), at(4, 3)]
        );
        // Written otherwise (an entity): where its text starts.
        assert_eq!(claim("&#x16A0;", &[at(1, 1)]), vec![at(1, 1)]);
    }
}
