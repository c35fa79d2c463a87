//! The document model: what a book *is*, after Markdown parsing and before any
//! writer. Both the EPUB writer and the print pipeline (shape → break lines →
//! paginate → PDF) read only this; neither reaches back into Markdown.
//!
//! Every node carries the [`SourcePos`] it came from, so any later stage can
//! report a problem as `file:line`.

mod print;
pub mod walk;

pub use print::{Bleed, BookletSetup, CropMarks, Flip, Paper, PrintPreset, PrintSetup};

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// A 1-based line (and column) in a chapter's Markdown file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct SourcePos {
    pub line: u32,
    pub column: u32,
}

/// A place in a chapter's source text, to the word: the piece of text that
/// starts at `pos` (a text inline, inline code, a code block) and how many
/// of its words come before the place ([`word_at`]). Where each page of the
/// print edition begins, for the EPUB's page-list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Anchor {
    pub pos: SourcePos,
    pub word: u32,
}

impl Anchor {
    /// The start of the source text at `pos`.
    pub fn at(pos: SourcePos) -> Self {
        Anchor { pos, word: 0 }
    }

    /// After every word of the source text at `pos`: a place in it,
    /// wherever it is, comes before.
    pub fn within(pos: SourcePos) -> Self {
        Anchor {
            pos,
            word: u32::MAX,
        }
    }
}

/// The word of `text` that byte `offset` falls in (or the word after, when
/// it falls in white space), counted from 0: words are runs of characters
/// other than white space, so the count is the same however the spaces
/// between them are written (tabs set as spaces, lines broken).
pub fn word_at(text: &str, offset: usize) -> u32 {
    let mut words = 0;
    let mut in_word = false;
    for (at, c) in text.char_indices() {
        let starts = !c.is_whitespace() && !in_word;
        in_word = !c.is_whitespace();
        if at >= offset && (starts || in_word) {
            // The word `offset` falls in started before it, or starts here.
            return if starts {
                words
            } else {
                words.saturating_sub(1)
            };
        }
        if starts {
            words += 1;
        }
    }
    words
}

/// Where word `word` ([`word_at`]) of `text` starts, if it has that many.
pub fn word_start(text: &str, word: u32) -> Option<usize> {
    let mut words = 0;
    let mut in_word = false;
    for (at, c) in text.char_indices() {
        if !c.is_whitespace() && !in_word {
            if words == word {
                return Some(at);
            }
            words += 1;
        }
        in_word = !c.is_whitespace();
    }
    None
}

/// Reading direction of a book, paragraph or run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    #[default]
    Ltr,
    Rtl,
}

impl Direction {
    /// The HTML `dir` attribute value.
    pub fn as_html(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// The print edition's page geometry, in millimetres, and how it prints
/// pictures (`[pdf]` in `book.toml`).
#[derive(Debug, Clone, PartialEq)]
pub struct PageSetup {
    pub width_mm: f32,
    pub height_mm: f32,
    /// Margins: top, bottom, inner (spine side), outer.
    pub margin_top_mm: f32,
    pub margin_bottom_mm: f32,
    pub margin_inner_mm: f32,
    pub margin_outer_mm: f32,
    /// Bleed and printer's marks: the preset and the keys that override it.
    pub print: PrintSetup,
    /// Body text size in points.
    pub font_size_pt: f32,
    /// Pixels a picture has per inch at its natural size: no picture prints
    /// larger than that. 96 by default, as a browser (and the EPUB) shows
    /// a picture's pixels (CSS px).
    pub picture_dpi: f32,
    /// How the cover artwork fills the page and its bleed.
    pub cover_fit: CoverFit,
    /// The ISO standard the PDF is written to (`[pdf] standard`); unset,
    /// the preset's (see [`PageSetup::standard`]).
    pub standard: Option<crate::pdf::standard::PdfStandard>,
    /// Claim PDF/UA-1 (`[pdf] accessible`): the tagged PDF is checked
    /// against it as it is written, and says it meets it.
    pub accessible: bool,
    /// Whether to impose the pages as a booklet too (`[pdf] booklet`,
    /// `--booklet`); unset, the preset says (see [`PageSetup::booklet`]).
    pub booklet: Option<bool>,
    /// Which margins `book.toml` gives (top, bottom, inner, outer): a
    /// preset's own margins apply to the others.
    pub margins_given: [bool; 4],
    /// How (`[booklet]`).
    pub booklet_setup: BookletSetup,
    /// The line of `book.toml`'s `[booklet]` section when it sets a key, to
    /// warn when no booklet is made.
    pub booklet_line: Option<u32>,
}

/// Pixels per inch a picture has at its natural size unless `book.toml`
/// says otherwise: CSS's px.
pub const DEFAULT_PICTURE_DPI: f32 = 96.0;

/// `[pdf] cover_fit`: how cover artwork whose shape is not the page's fills it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoverFit {
    /// The whole page and bleed covered, the overflow cropped (`"cover"`).
    Cover,
    /// The whole picture shown, centred on `background` (`"contain"`,
    /// `cover_background = "#rrggbb"`, white by default).
    Contain { background: [u8; 3] },
}

impl Default for PageSetup {
    /// A5 with comfortable book margins.
    fn default() -> Self {
        PageSetup {
            width_mm: 148.0,
            height_mm: 210.0,
            margin_top_mm: 18.0,
            margin_bottom_mm: 20.0,
            margin_inner_mm: 18.0,
            margin_outer_mm: 15.0,
            print: PrintSetup::default(),
            font_size_pt: 12.0,
            picture_dpi: DEFAULT_PICTURE_DPI,
            cover_fit: CoverFit::Cover,
            standard: None,
            accessible: false,
            booklet: None,
            margins_given: [false; 4],
            booklet_setup: BookletSetup::default(),
            booklet_line: None,
        }
    }
}

impl PageSetup {
    /// Prints with `preset`: its margins (or the usual ones, for a preset
    /// without its own) where none are given.
    pub fn set_preset(&mut self, preset: PrintPreset) {
        self.print.preset = Some(preset);
        let usual = PageSetup::default();
        let margins = preset.margins_mm().unwrap_or([
            usual.margin_top_mm,
            usual.margin_bottom_mm,
            usual.margin_inner_mm,
            usual.margin_outer_mm,
        ]);
        let fields = [
            &mut self.margin_top_mm,
            &mut self.margin_bottom_mm,
            &mut self.margin_inner_mm,
            &mut self.margin_outer_mm,
        ];
        for ((field, mm), given) in fields.into_iter().zip(margins).zip(self.margins_given) {
            if !given {
                *field = mm;
            }
        }
    }

    /// Whether the pages are imposed as a booklet too: as asked, else
    /// with the `briefing` preset.
    pub fn booklet(&self) -> bool {
        self.booklet
            .unwrap_or(self.print.preset == Some(PrintPreset::Briefing))
    }

    /// The standard the PDF is written to: the one asked for, else the
    /// preset's own — an archival PDF/A-2u for the desk printer, PDF/X-4
    /// for the offset press; none for print on demand, whose services
    /// take plain PDF, nor without a preset.
    pub fn standard(&self) -> crate::pdf::standard::PdfStandard {
        use crate::pdf::standard::PdfStandard;
        self.standard.unwrap_or(match self.print.preset {
            Some(PrintPreset::Office | PrintPreset::Briefing) => PdfStandard::A2u,
            Some(PrintPreset::Offset) => PdfStandard::X4,
            Some(PrintPreset::Kdp) | None => PdfStandard::None,
        })
    }

    /// Whether the book goes to a press: print on demand (`kdp`), the
    /// offset press (`offset`), or PDF/X whatever the preset. Its black is
    /// the K plate alone and its pictures should print at 300 ppi. Not
    /// under PDF/A, whose output intent is RGB.
    pub fn press(&self) -> bool {
        use crate::pdf::standard::PdfStandard;
        match self.standard() {
            PdfStandard::X4 => true,
            PdfStandard::A2u => false,
            PdfStandard::None => matches!(
                self.print.preset,
                Some(PrintPreset::Kdp | PrintPreset::Offset)
            ),
        }
    }

    /// How text, rules and colours are painted (see [`Self::press`]).
    pub fn inks(&self) -> crate::pdf::standard::Inks {
        crate::pdf::standard::Inks {
            standard: self.standard(),
            press: self.press(),
        }
    }
}

/// How the print edition sets its text and its page furniture
/// (`[layout]` in `book.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayoutSettings {
    pub linebreak: Linebreak,
    pub justify: Justify,
    /// Hyphenate words of Latin-script languages (never Arabic).
    pub hyphenate: bool,
    /// What the running head says on left-hand (verso) and right-hand
    /// (recto) pages.
    pub verso_head: RunningHead,
    pub recto_head: RunningHead,
    pub folio: FolioPosition,
    /// Digits for folios, contents numbers, note marks and list numbers.
    pub numerals: Numerals,
    /// How the front matter (title page, contents) is numbered.
    pub front_matter: FrontMatterNumbering,
    pub chapter_start: ChapterStart,
}

impl LayoutSettings {
    /// The defaults for a book in `language`: kashida justification for
    /// Arabic-script languages, spaces only for the rest.
    pub fn for_language(language: &str) -> Self {
        LayoutSettings {
            linebreak: Linebreak::TotalFit,
            justify: if crate::locale::is_arabic_script(language) {
                Justify::Kashida
            } else {
                Justify::Space
            },
            hyphenate: true,
            verso_head: RunningHead::Book,
            recto_head: RunningHead::Chapter,
            folio: FolioPosition::Center,
            numerals: Numerals::Western,
            front_matter: FrontMatterNumbering::Roman,
            chapter_start: ChapterStart::Any,
        }
    }
}

impl Default for LayoutSettings {
    fn default() -> Self {
        LayoutSettings::for_language("en")
    }
}

/// `[layout] linebreak`: how a paragraph is broken into lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linebreak {
    /// Knuth–Plass over the whole paragraph (`"total-fit"`).
    TotalFit,
    /// Each line as full as it can be (`"first-fit"`).
    FirstFit,
}

/// `[layout] justify`: how justified lines are filled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Justify {
    /// Arabic words lengthened with kashida, the rest on spaces (`"kashida"`).
    Kashida,
    /// Spaces only (`"space"`).
    Space,
}

/// `[layout] verso_head` / `recto_head`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunningHead {
    /// The book's title (`"book"`).
    Book,
    /// The current chapter's title (`"chapter"`).
    Chapter,
    /// No running head (`"none"`).
    None,
}

/// `[layout] folio`: where the page number stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolioPosition {
    /// Centred at the foot (`"center"`).
    Center,
    /// At the foot's outer corner, away from the spine (`"outer"`).
    Outer,
}

/// `[layout] numerals`: the digits numbers are printed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numerals {
    /// 0–9 (`"western"`, usual in Morocco).
    Western,
    /// ٠–٩ (`"arabic-indic"`).
    ArabicIndic,
    /// ۰–۹ (`"persian"`).
    Persian,
}

impl Numerals {
    /// `number` written in these digits.
    pub fn format(self, number: u64) -> String {
        let zero = match self {
            Numerals::Western => return number.to_string(),
            Numerals::ArabicIndic => '\u{0660}',
            Numerals::Persian => '\u{06F0}',
        };
        number
            .to_string()
            .chars()
            .map(|d| char::from_u32(zero as u32 + d.to_digit(10).unwrap_or(0)).unwrap_or(d))
            .collect()
    }
}

/// `[layout] front_matter`: how pages before the first chapter are numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontMatterNumbering {
    /// i, ii, iii… (`"roman"`); the body starts again at 1.
    Roman,
    /// Not numbered (`"none"`); the body starts at 1.
    None,
}

/// `[layout] chapter_start`: on which page a chapter opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChapterStart {
    /// The next page (`"any"`).
    Any,
    /// The next right-hand page in the book's binding order, with a blank
    /// page before when needed (`"recto"`).
    Recto,
}

/// What `book.toml` says about the EPUB's accessibility metadata; warraq
/// writes the rest from the book itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccessibilityConfig {
    /// `schema:accessibilitySummary`, in the book's language; `None`: the
    /// built-in summary for the language.
    pub summary: Option<String>,
    /// `a11y:certifiedBy`: who checked the book's accessibility; `None`:
    /// no certification is claimed.
    pub certified_by: Option<String>,
}

/// Book-level metadata (from `book.toml`, or derived).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metadata {
    pub title: String,
    pub authors: Vec<String>,
    /// BCP 47 language tag, e.g. `ar`, `fr`, `en-GB`.
    pub language: String,
    pub direction: Direction,
    /// A stable identifier (e.g. `urn:isbn:…` or `urn:uuid:…`), derived from the
    /// title and authors when `book.toml` gives none, so builds are reproducible.
    pub identifier: String,
    /// Publication/modification time, seconds since the Unix epoch
    /// (`SOURCE_DATE_EPOCH` when set).
    pub timestamp: i64,
    /// Whether the book has a date (`SOURCE_DATE_EPOCH` or `[book] date`);
    /// without one `timestamp` is 0.
    pub dated: bool,
    /// `[book] subtitle`, `publisher`, `isbn` (digits and X only),
    /// `keywords`.
    pub subtitle: Option<String>,
    pub publisher: Option<String>,
    /// `[book] issuer`: the body that issues the book (an embassy, a
    /// ministry), and `classification`: how it may be handled («للاستعمال
    /// الداخلي»). Both go on the cover.
    pub issuer: Option<String>,
    pub classification: Option<String>,
    pub isbn: Option<String>,
    pub keywords: Vec<String>,
    /// `[book] description`: a paragraph about the book.
    pub description: Option<String>,
    /// `[epub] accessibility_summary` and `certified_by`.
    pub accessibility: AccessibilityConfig,
    /// The language of words in each script other than the book's
    /// (`[book] script_languages`: ISO 15924 code → BCP 47 tag); see
    /// `locale::language_of_script`.
    pub script_languages: BTreeMap<String, String>,
}

/// A whole parsed book.
#[derive(Debug, Clone)]
pub struct Document {
    pub metadata: Metadata,
    pub page: PageSetup,
    pub layout: LayoutSettings,
    /// Cover artwork, if the book has one (key into `images`).
    pub cover: Option<String>,
    /// Whole, but in a document parsed in outline
    /// ([`crate::parse::outline`]): then each has its source and title only.
    pub chapters: Vec<Chapter>,
    /// Every picture the book uses, keyed by its path relative to the book
    /// folder (forward slashes). Loaded and checked once, during parsing.
    pub images: BTreeMap<String, Picture>,
    /// Font files the book brings in its `fonts/` folder, in file-name order.
    pub fonts: Vec<BookFont>,
    /// The text of the files the book was made from, for messages that
    /// point at one character in them.
    pub sources: Sources,
}

/// The text of the files a book was made from (the chapters and
/// `book.toml`), by path relative to the book folder. Not held: `load`
/// reads a chapter again when asked (held, a long book's sources were
/// 1.7 KB a page to the end of its build).
#[derive(Clone)]
pub struct Sources(std::sync::Arc<SourceText>);

type SourceText = dyn Fn(&Path) -> Option<std::sync::Arc<str>> + Send + Sync;

impl Sources {
    pub fn new(
        text: impl Fn(&Path) -> Option<std::sync::Arc<str>> + Send + Sync + 'static,
    ) -> Self {
        Sources(std::sync::Arc::new(text))
    }

    /// The text of `file`; `None` when it is not one of the book's or can
    /// no longer be read as it was.
    pub fn text(&self, file: &Path) -> Option<std::sync::Arc<str>> {
        (self.0)(file)
    }
}

/// No files: a document made in memory.
impl Default for Sources {
    fn default() -> Self {
        Sources::new(|_| None)
    }
}

impl fmt::Debug for Sources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sources")
    }
}

/// A font file from the book's `fonts/` folder.
#[derive(Debug, Clone, PartialEq)]
pub struct BookFont {
    /// File name, e.g. `Scheherazade-Bold.ttf`.
    pub file_name: String,
    pub data: std::sync::Arc<Vec<u8>>,
}

/// A decoded picture: original bytes plus what writers need to know.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    pub bytes: std::sync::Arc<Vec<u8>>,
    pub format: PictureFormat,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PictureFormat {
    Png,
    Jpeg,
}

impl PictureFormat {
    pub fn media_type(self) -> &'static str {
        match self {
            PictureFormat::Png => "image/png",
            PictureFormat::Jpeg => "image/jpeg",
        }
    }
}

/// One Markdown file.
#[derive(Debug, Clone, PartialEq)]
pub struct Chapter {
    /// Path relative to the book folder, e.g. `01-intro.md`.
    pub source: PathBuf,
    /// The chapter's title: its first heading's inlines, or the file stem.
    pub title: Vec<Inline>,
    pub blocks: Vec<Block>,
    /// Footnote definitions in order of first reference; `number` is 1-based
    /// within the chapter.
    pub footnotes: Vec<Footnote>,
}

impl Chapter {
    /// The title as plain text, whitespace collapsed; the file name when the
    /// title is empty (a chapter that is only `#`).
    pub fn title_text(&self) -> String {
        let text = collapse_whitespace(&plain_text(&self.title));
        if text.is_empty() {
            self.source
                .file_stem()
                .map_or_else(String::new, |s| collapse_whitespace(&s.to_string_lossy()))
        } else {
            text
        }
    }

    /// Every raw-HTML fragment, blocks and inlines, footnotes included.
    pub fn raw_html(&self) -> Vec<&str> {
        let mut html = Vec::new();
        walk::chapter_blocks(self, &mut |block| {
            if let BlockKind::Html(h) = &block.kind {
                html.push(h.as_str());
            }
        });
        walk::chapter_inlines(self, &mut |inline| {
            if let InlineKind::Html(h) = &inline.kind {
                html.push(h.as_str());
            }
        });
        html
    }

    /// Every element id the chapter defines: its headings' and those in its
    /// raw HTML.
    pub fn element_ids(&self) -> HashSet<String> {
        let mut ids = HashSet::new();
        walk::chapter_blocks(self, &mut |block| {
            if let BlockKind::Heading { id, .. } = &block.kind {
                ids.insert(id.clone());
            }
        });
        for html in self.raw_html() {
            html_ids(html, &mut ids);
        }
        ids
    }
}

/// Adds the `id="…"` values of sanitized raw HTML to `ids` (as serialized,
/// i.e. escaped). The sanitizer writes attributes as ` id="…"` and never
/// leaves a raw `"` in text or values, so a scan is exact.
pub fn html_ids(html: &str, ids: &mut HashSet<String>) {
    for (at, _) in html.match_indices(" id=\"") {
        let rest = &html[at + 5..];
        if let Some(end) = rest.find('"') {
            ids.insert(rest[..end].to_string());
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Footnote {
    pub label: String,
    pub number: u32,
    pub blocks: Vec<Block>,
    pub pos: SourcePos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: BlockKind,
    pub pos: SourcePos,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// A table column's alignment marker. Markers are physical, as Markdown
/// names them (`:---` left, `---:` right) and every Markdown preview shows
/// them, in right-to-left books too; `None` (no marker) sets each cell from
/// its own start side.
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BlockKind {
    /// Level 1–6. `id` is unique within the chapter and usable as an HTML
    /// id / link anchor: the one written as `{#id}` after the heading, or
    /// one made from its text. `classes` are those written as `{.class}`
    /// (the EPUB keeps them).
    Heading {
        level: u8,
        id: String,
        classes: Vec<String>,
        content: Vec<Inline>,
    },
    Paragraph(Vec<Inline>),
    List {
        /// `Some(n)` for an ordered list starting at n.
        start: Option<u64>,
        items: Vec<Vec<Block>>,
    },
    Quote(Vec<Block>),
    /// A GitHub alert (`> [!NOTE]` …): a quote set apart with a label.
    Callout {
        kind: CalloutKind,
        blocks: Vec<Block>,
    },
    /// A definition list: terms, each with one or more definitions.
    Definitions(Vec<Definition>),
    /// Poetry (a fenced `verse` block): stanzas of lines, each line one or
    /// two hemistichs.
    Verse(Vec<Vec<Bayt>>),
    /// Always laid out left to right in a monospace face.
    Code {
        language: Option<String>,
        text: String,
    },
    Table {
        align: Vec<Align>,
        head: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    Rule,
    /// Raw HTML that passed the sanitizer: well-formed XHTML with only safe
    /// elements and attributes. The EPUB keeps the markup; print keeps only
    /// its text.
    Html(String),
}

/// The kinds of GitHub alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalloutKind {
    Note,
    Tip,
    Important,
    Warning,
    Caution,
}

impl CalloutKind {
    /// The name GitHub writes (`[!NOTE]`), lower case: the EPUB's class.
    pub fn name(self) -> &'static str {
        match self {
            CalloutKind::Note => "note",
            CalloutKind::Tip => "tip",
            CalloutKind::Important => "important",
            CalloutKind::Warning => "warning",
            CalloutKind::Caution => "caution",
        }
    }
}

/// A line of verse: a bayt of two hemistichs side by side (the first on the
/// start side), or a line of one.
#[derive(Debug, Clone, PartialEq)]
pub struct Bayt {
    pub hemistichs: Vec<String>,
    pub pos: SourcePos,
}

/// One term of a definition list and what it means.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    pub term: Vec<Inline>,
    /// Each definition's blocks.
    pub details: Vec<Vec<Block>>,
    pub pos: SourcePos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Inline {
    pub kind: InlineKind,
    pub pos: SourcePos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum InlineKind {
    Text(String),
    Emphasis(Vec<Inline>),
    Strong(Vec<Inline>),
    /// Text set apart in a way of its own (struck through, raised…).
    Marked {
        mark: Mark,
        content: Vec<Inline>,
    },
    /// Text in another language than the book's: a `<span lang>`, kept
    /// with its sanitized start tag (`lang`, `dir`, `class`…) for the EPUB;
    /// print hyphenates its words by `language`'s patterns.
    Language {
        /// The BCP 47 tag of the `lang` attribute.
        language: String,
        /// The sanitized start tag, `<span lang="…" …>`.
        start_tag: String,
        content: Vec<Inline>,
    },
    /// Inline code: left to right, monospace.
    Code(String),
    /// TeX math (`$…$`, or `$$…$$` when `display`), as written, and as
    /// MathML (a `<math>` element) when its TeX was understood.
    Math {
        tex: String,
        mathml: Option<String>,
        display: bool,
    },
    /// The check box of a task list item (`- [x] …`), first in the item.
    Task {
        done: bool,
    },
    Link {
        target: LinkTarget,
        content: Vec<Inline>,
    },
    Image {
        /// Key into [`Document::images`].
        key: String,
        alt: String,
        /// Titled `"full-bleed"` (`![alt](p.jpg "full-bleed")`): standing
        /// alone, the picture fills a page of its own and its bleed.
        full_bleed: bool,
    },
    /// A reference to `Chapter::footnotes[number - 1]`.
    FootnoteRef {
        number: u32,
    },
    /// A hard line break.
    LineBreak,
    /// Raw inline HTML that passed the sanitizer (EPUB only).
    Html(String),
}

/// How [`InlineKind::Marked`] text is set apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// `~~…~~`, `<s>`, `<del>`.
    Strike,
    /// `<u>`, `<ins>`.
    Underline,
    /// `<sup>`.
    Superscript,
    /// `<sub>`.
    Subscript,
    /// `<small>`.
    Small,
}

impl Mark {
    /// The XHTML element that sets text apart this way.
    pub fn html_element(self) -> &'static str {
        match self {
            Mark::Strike => "s",
            Mark::Underline => "u",
            Mark::Superscript => "sup",
            Mark::Subscript => "sub",
            Mark::Small => "small",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum LinkTarget {
    /// `http:`, `https:`, `mailto:` URLs, kept as written.
    External(String),
    /// A chapter of this book, optionally an anchor (heading id) in it.
    Chapter {
        index: usize,
        anchor: Option<String>,
    },
}

/// Whether a list item (its blocks) is a task, and if so whether it is
/// done: its first paragraph opens with the check box.
pub fn task(item: &[Block]) -> Option<bool> {
    match item.first().map(|b| &b.kind) {
        Some(BlockKind::Paragraph(content)) => match content.first().map(|i| &i.kind) {
            Some(InlineKind::Task { done }) => Some(*done),
            _ => None,
        },
        _ => None,
    }
}

/// A picture standing alone in its paragraph (see [`block_pictures`]).
#[derive(Debug, Clone, Copy)]
pub struct BlockPicture<'a> {
    /// Key into [`Document::images`].
    pub key: &'a str,
    pub alt: &'a str,
    pub pos: SourcePos,
    /// The link it is the whole of, if any.
    pub link: Option<&'a LinkTarget>,
    /// A page of its own, into the bleed (see [`InlineKind::Image`]).
    pub full_bleed: bool,
}

/// If a paragraph holds nothing but pictures (each alone or the whole of a
/// link), and spaces or line breaks between them, those pictures: both
/// writers set them as blocks of their own; other pictures are set in the
/// line of text.
pub fn block_pictures(inlines: &[Inline]) -> Option<Vec<BlockPicture<'_>>> {
    let mut pictures = Vec::new();
    for inline in inlines {
        let (picture, link) = match &inline.kind {
            InlineKind::Link { target, content } => match content.as_slice() {
                [picture] => (picture, Some(target)),
                _ => return None,
            },
            _ => (inline, None),
        };
        match &picture.kind {
            InlineKind::Image {
                key,
                alt,
                full_bleed,
            } => pictures.push(BlockPicture {
                key,
                alt,
                pos: picture.pos,
                link,
                full_bleed: *full_bleed,
            }),
            InlineKind::Text(t) if t.trim().is_empty() && link.is_none() => {}
            InlineKind::LineBreak if link.is_none() => {}
            _ => return None,
        }
    }
    (!pictures.is_empty()).then_some(pictures)
}

/// `text` with runs of whitespace turned into single spaces, trimmed.
pub fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Plain text of a run of inlines (for titles, alt text, bookmarks).
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain_text(inlines, &mut out, false);
    out
}

/// The direction of a block — paragraph, heading, list item, quote, table
/// cell, note, contents entry — holding `text` (as [`bidi_text`] gives it)
/// in a book written in `book`: the book's direction, unless the block holds
/// letters of the other direction and none of the book's. So in an Arabic
/// book `PDF: صيغة الملفات` is right to left, `Python 3.12` left to right,
/// and `2024` (no letter at all) right to left. Letters inside isolates
/// (code, LRI … PDI) do not count, as they never count for the text around
/// them. The one rule both writers and both contents use.
pub fn block_direction(book: Direction, text: &str) -> Direction {
    use unicode_bidi::BidiClass;
    let (mut ltr, mut rtl) = (false, false);
    let mut isolates = 0u32;
    for c in text.chars() {
        match crate::text::bidi::bidi_class(c) {
            BidiClass::LRI | BidiClass::RLI | BidiClass::FSI => isolates += 1,
            BidiClass::PDI => isolates = isolates.saturating_sub(1),
            _ if isolates > 0 => {}
            BidiClass::L => ltr = true,
            BidiClass::R | BidiClass::AL => rtl = true,
            _ => {}
        }
        // A letter of the book's direction decides: the rest of a long
        // paragraph need not be read.
        if (book == Direction::Rtl && rtl) || (book == Direction::Ltr && ltr) {
            return book;
        }
    }
    match book {
        Direction::Rtl if ltr && !rtl => Direction::Ltr,
        Direction::Ltr if rtl && !ltr => Direction::Rtl,
        _ => book,
    }
}

/// Plain text for deciding a block's direction ([`block_direction`]): code
/// is set apart as a left-to-right isolate (LRI … PDI), as both writers set
/// it, so its letters never decide the direction of the text around it.
pub fn bidi_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain_text(inlines, &mut out, true);
    out
}

/// [`bidi_text`] of every block in `blocks` (a list item's, a quote's, a
/// note's), for the direction of the block holding them.
pub fn blocks_bidi_text(blocks: &[Block]) -> String {
    let mut out = String::new();
    for block in blocks {
        match &block.kind {
            BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => {
                push_plain_text(content, &mut out, true)
            }
            BlockKind::List { items, .. } => items
                .iter()
                .for_each(|item| out.push_str(&blocks_bidi_text(item))),
            BlockKind::Quote(inner) | BlockKind::Callout { blocks: inner, .. } => {
                out.push_str(&blocks_bidi_text(inner))
            }
            BlockKind::Definitions(definitions) => {
                for definition in definitions {
                    push_plain_text(&definition.term, &mut out, true);
                    out.push(' ');
                    definition
                        .details
                        .iter()
                        .for_each(|detail| out.push_str(&blocks_bidi_text(detail)));
                }
            }
            BlockKind::Verse(stanzas) => {
                for hemistich in stanzas.iter().flatten().flat_map(|b| &b.hemistichs) {
                    out.push_str(hemistich);
                    out.push(' ');
                }
            }
            BlockKind::Table { head, rows, .. } => head
                .iter()
                .chain(rows.iter().flatten())
                .for_each(|cell| push_plain_text(cell, &mut out, true)),
            // Code is always left to right, apart from the text around it;
            // raw HTML carries its own `dir`.
            BlockKind::Code { .. } | BlockKind::Rule | BlockKind::Html(_) => {}
        }
        out.push(' ');
    }
    out
}

fn push_plain_text(inlines: &[Inline], out: &mut String, isolate_code: bool) {
    for inline in inlines {
        match &inline.kind {
            InlineKind::Code(t) if isolate_code => {
                out.push('\u{2066}');
                out.push_str(t);
                out.push('\u{2069}');
            }
            InlineKind::Math { tex, .. } if isolate_code => {
                out.push('\u{2066}');
                out.push_str(tex);
                out.push('\u{2069}');
            }
            InlineKind::Text(t) | InlineKind::Code(t) | InlineKind::Math { tex: t, .. } => {
                out.push_str(t)
            }
            InlineKind::Emphasis(c)
            | InlineKind::Strong(c)
            | InlineKind::Marked { content: c, .. }
            | InlineKind::Language { content: c, .. }
            | InlineKind::Link { content: c, .. } => push_plain_text(c, out, isolate_code),
            InlineKind::LineBreak => out.push(' '),
            InlineKind::Image { .. }
            | InlineKind::FootnoteRef { .. }
            | InlineKind::Task { .. }
            | InlineKind::Html(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_counted_the_same_however_spaces_are_written() {
        let text = "  one\ttwo  three";
        // Each byte of a word is in it; spaces belong to the word after.
        let words: Vec<u32> = (0..text.len()).map(|at| word_at(text, at)).collect();
        assert_eq!(words, [0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2]);
        assert_eq!(word_at(text, text.len()), 3);
        let starts: Vec<Option<usize>> = (0..4).map(|w| word_start(text, w)).collect();
        assert_eq!(starts, [Some(2), Some(6), Some(11), None]);
        // The same words written with other spaces.
        let other = "one two\nthree";
        for word in 0..3 {
            let a = &text[word_start(text, word).unwrap()..];
            let b = &other[word_start(other, word).unwrap()..];
            assert_eq!(a.split_whitespace().next(), b.split_whitespace().next());
        }
        assert_eq!(word_at("نص عربي", "نص ".len()), 1);
    }
}
