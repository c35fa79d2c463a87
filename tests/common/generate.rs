//! Generated books, as large as wanted, for the benchmark and the tests:
//! Arabic from the seed book's chapters (cycled, their paragraphs joined in
//! ever different lengths) or English prose written for warraq, with
//! headings, footnotes, a list and a table when asked.
//!
//! Self-contained (the benchmark includes this file with `#[path]`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The script, language and text of a generated book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// The seed book's Arabic chapters, cycled; right to left.
    Arabic,
    /// English prose with long words (hyphenation has work to do).
    Latin,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct BookSpec {
    pub script: Script,
    pub chapters: usize,
    /// Each chapter's text this many times over (about a page and a half of
    /// A5 for each round of a seed chapter).
    pub rounds: usize,
    /// Subheadings, footnotes, a list and a table in every chapter.
    pub extras: bool,
    /// The seed book's cover artwork.
    pub cover: bool,
    /// Lines for `book.toml`'s `[layout]` table, e.g. `justify = "space"`.
    pub layout: Vec<String>,
}

impl BookSpec {
    pub fn new(script: Script, chapters: usize) -> Self {
        BookSpec {
            script,
            chapters,
            rounds: 3,
            extras: true,
            cover: false,
            layout: Vec::new(),
        }
    }
}

fn seed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("book")
}

/// The seed book's chapters: (title, paragraphs), in file-name order.
fn seed_chapters() -> Vec<(String, Vec<String>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(seed_dir())
        .expect("the seed book")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file).expect("a seed chapter");
            let mut blocks = text.split("\n\n").map(str::trim).filter(|b| !b.is_empty());
            let title = blocks
                .next()
                .unwrap_or_default()
                .trim_start_matches('#')
                .trim()
                .to_string();
            (title, blocks.map(str::to_string).collect())
        })
        .collect()
}

/// Sentences of plain English prose, written for warraq's tests, with the
/// long words of policy writing.
const ENGLISH: &[&str] = &[
    "The intergovernmental commission met in the capital to review the implementation of the agreements signed during the previous administration.",
    "Representatives emphasised that telecommunications infrastructure and interoperability between national registries remain indispensable prerequisites for cooperation.",
    "Notwithstanding considerable geographical distances, the two governments have established institutionalised consultations on counterterrorism and nonproliferation.",
    "A comprehensive memorandum on agricultural modernisation envisages irrigation technologies, phosphate-based fertilisers and environmentally sustainable practices.",
    "Parliamentarians from both legislatures underlined the responsibilities of elected representatives in strengthening accountability and transparency.",
    "The delegation visited universities, laboratories and vocational institutions specialising in renewable energies and electrical engineering.",
    "Economic indicators suggest that bilateral commerce, although still modest, has grown considerably since the establishment of direct air connections.",
    "Cultural exchanges, including exhibitions of calligraphy, translations of classical literature and scholarships for undergraduates, complement the diplomatic agenda.",
    "Observers characterise the relationship as a pragmatic partnership grounded in shared commitments to multilateralism and peaceful conflict resolution.",
    "The ministers agreed to simplify administrative procedures for entrepreneurs, investors and researchers travelling between the two countries.",
    "Digital transformation programmes aim to extend electronic government services, cybersecurity cooperation and the interconnection of statistical databases.",
    "Historians recall that the fourteenth-century traveller Ibn Battuta crossed the steppes on his extraordinary journey across Central Asia.",
    "Humanitarian considerations, particularly regarding refugees and the consequences of climate change, featured prominently in the discussions.",
    "Both parties reaffirmed their determination to coordinate positions within international organisations and regional intergovernmental institutions.",
    "Feasibility studies concerning logistics corridors, maritime transportation and transcontinental railway connections are currently under consideration.",
    "The forthcoming business forum will bring together manufacturers, financial institutions and representatives of small and medium-sized enterprises.",
    "Educational authorities intend to multiply exchanges of teachers, harmonise qualifications and encourage the mutual recognition of diplomas.",
    "Specialists in desalination, water management and desertification control described complementary experiences accumulated over several decades.",
];

/// Pseudo-random but fixed choices (the same book every run): a small
/// linear congruential generator.
struct Choices(u64);

impl Choices {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// The words a chapter's extras are made of, per script.
struct Vocabulary {
    heading: &'static str,
    list: [&'static str; 3],
    table_head: &'static str,
    table_rows: [&'static str; 4],
    note: &'static str,
}

const ARABIC_EXTRAS: Vocabulary = Vocabulary {
    heading: "محاور التعاون",
    list: [
        "تعزيز الحوار السياسي والتنسيق في المحافل الدولية",
        "تطوير المبادلات التجارية والاستثمارات المشتركة",
        "توسيع التعاون الثقافي والأكاديمي بين الجامعات",
    ],
    table_head: "| المجال | الحصيلة | السنة |\n|:--|:--|--:|",
    table_rows: [
        "| الطاقة المتجددة | اتفاقية إطار | 2023 |",
        "| الفلاحة | برنامج مشترك | 2024 |",
        "| التعليم العالي | منح دراسية | 2025 |",
        "| النقل | دراسة جدوى | 2025 |",
    ],
    note: "انظر محضر اللجنة المشتركة، الدورة الثالثة، الفقرة",
};

const ENGLISH_EXTRAS: Vocabulary = Vocabulary {
    heading: "Areas of cooperation",
    list: [
        "strengthening political dialogue and coordination in international forums",
        "developing commercial exchanges and reciprocal investments",
        "broadening cultural and academic cooperation between universities",
    ],
    table_head: "| Field | Outcome | Year |\n|:--|:--|--:|",
    table_rows: [
        "| Renewable energies | Framework agreement | 2023 |",
        "| Agriculture | Joint programme | 2024 |",
        "| Higher education | Scholarships | 2025 |",
        "| Transportation | Feasibility study | 2025 |",
    ],
    note: "See the minutes of the joint commission, third session, paragraph",
};

/// Writes the book (its chapters and `book.toml`) into `dir`, which must
/// exist.
pub fn write_book(dir: &Path, spec: &BookSpec) -> std::io::Result<()> {
    let seed = seed_chapters();
    let mut choices = Choices(spec.chapters as u64);
    let (title, language, extras) = match spec.script {
        Script::Arabic => ("كتاب مولد", "ar", &ARABIC_EXTRAS),
        Script::Latin => ("A Generated Book", "en", &ENGLISH_EXTRAS),
    };
    for chapter in 0..spec.chapters {
        let (heading, paragraphs): (String, Vec<String>) = match spec.script {
            Script::Arabic => seed[chapter % seed.len()].clone(),
            Script::Latin => {
                let paragraphs = (0..3)
                    .map(|_| {
                        let count = 3 + choices.below(4);
                        let first = choices.below(ENGLISH.len());
                        (0..count)
                            .map(|k| ENGLISH[(first + k * 5) % ENGLISH.len()])
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .collect();
                (
                    format!("Chapter {}: Partnership and Dialogue", chapter + 1),
                    paragraphs,
                )
            }
        };
        let mut text = format!("# {heading}\n\n");
        let mut notes = String::new();
        for round in 0..spec.rounds {
            if spec.extras && round == 1 {
                let _ = write!(text, "## {}\n\n", extras.heading);
                for item in extras.list {
                    let _ = writeln!(text, "- {item}");
                }
                text.push('\n');
            }
            for (k, paragraph) in paragraphs.iter().enumerate() {
                text.push_str(paragraph);
                if spec.extras && k == 0 {
                    let n = round + 1;
                    let _ = write!(text, "[^n{n}]");
                    let _ = writeln!(notes, "[^n{n}]: {} {}.", extras.note, chapter + n);
                }
                // Join some paragraphs to the next, so paragraph lengths and
                // page ends fall differently in every chapter.
                let join = k + 1 < paragraphs.len() && choices.below(3) == 0;
                text.push_str(if join { " " } else { "\n\n" });
            }
            if spec.extras && round == 2 {
                let _ = writeln!(text, "{}", extras.table_head);
                for row in extras.table_rows {
                    let _ = writeln!(text, "{row}");
                }
                text.push('\n');
            }
        }
        text.push_str(&notes);
        std::fs::write(dir.join(format!("{:04}.md", chapter + 1)), text)?;
    }
    let mut toml =
        format!("[book]\ntitle = \"{title}\"\nauthors = [\"warraq\"]\nlanguage = \"{language}\"\n");
    if spec.cover {
        std::fs::copy(seed_dir().join("cover.jpg"), dir.join("cover.jpg"))?;
        toml.push_str("cover = \"cover.jpg\"\n");
    }
    if !spec.layout.is_empty() {
        toml.push_str("\n[layout]\n");
        for line in &spec.layout {
            toml.push_str(line);
            toml.push('\n');
        }
    }
    std::fs::write(dir.join("book.toml"), toml)
}

/// Writes a book of one chapter that is one paragraph of the seed book's
/// Arabic, its paragraphs joined with spaces and cycled until the chapter
/// holds about `bytes` bytes (never cutting a word): the worst case for the
/// paragraph engine, which breaks a paragraph's lines all at once.
pub fn write_one_paragraph_book(dir: &Path, bytes: usize) -> std::io::Result<()> {
    let text: Vec<String> = seed_chapters()
        .into_iter()
        .flat_map(|(_, paragraphs)| paragraphs)
        .filter(|p| !p.starts_with(['#', '|', '-', '!', '[']))
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    let mut chapter = String::from("# فقرة واحدة\n\n");
    'fill: loop {
        for paragraph in &text {
            if chapter.len() + paragraph.len() + 1 > bytes {
                break 'fill;
            }
            chapter.push_str(paragraph);
            chapter.push(' ');
        }
    }
    chapter.push('\n');
    std::fs::write(dir.join("0001.md"), chapter)?;
    std::fs::write(
        dir.join("book.toml"),
        "[book]\ntitle = \"فقرة واحدة\"\nauthors = [\"warraq\"]\nlanguage = \"ar\"\n",
    )
}
