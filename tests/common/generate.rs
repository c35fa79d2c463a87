//! Generated books, as large as wanted, for the benchmark and the tests:
//! Arabic from the seed book's chapters (cycled, their paragraphs joined in
//! ever different lengths), Arabic prose whose words follow Zipf's law over a
//! large vocabulary of root-and-pattern forms, or English prose written for
//! warraq, with headings, footnotes, a list and a table when asked.
//!
//! Self-contained (the benchmark includes this file with `#[path]`).

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Zipf};

/// The script, language and text of a generated book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// The seed book's Arabic chapters, cycled; right to left. Recombined,
    /// they hold about 1,500 word forms however long the book.
    Arabic,
    /// Arabic prose of the same shape (each chapter as many words as the
    /// seed chapter it stands in for), its words drawn by Zipf's law from
    /// about 250,000 forms: a type/token ratio near 0.2 at 100,000 words,
    /// as in real Arabic text.
    ArabicZipf,
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

/// The most frequent Arabic words, particles and pronouns: the head of the
/// Zipf ranking, before any derived form.
const FUNCTION_WORDS: &[&str] = &[
    "في",
    "من",
    "على",
    "إلى",
    "أن",
    "عن",
    "مع",
    "التي",
    "الذي",
    "هذا",
    "هذه",
    "كان",
    "قد",
    "لا",
    "ما",
    "بين",
    "كل",
    "حيث",
    "ذلك",
    "عند",
    "بعد",
    "قبل",
    "حتى",
    "أو",
    "ثم",
    "لم",
    "إن",
    "كما",
    "غير",
    "هو",
    "هي",
    "الذين",
    "تلك",
    "منذ",
    "خلال",
    "لكن",
];

/// Triliteral roots, their three radicals in order.
const ROOTS: &[&str] = &[
    "كتب", "درس", "علم", "عمل", "حكم", "نظر", "قدم", "حرك", "شرك", "جمع", "فتح", "نصر", "سلم",
    "خرج", "دخل", "رسل", "وصل", "قرب", "بعد", "صنع", "زرع", "تجر", "سفر", "نقل", "حمل", "طلب",
    "بحث", "فهم", "حفظ", "نشر", "طبع", "ترجم", "قرر", "شرح", "وضع", "رفع", "نفع", "دفع", "جلس",
    "سكن", "ملك", "حسب", "كسب", "خدم", "ربط", "ضبط", "فصل", "عرض", "نظم", "قسم", "حصل", "شعر",
    "ذكر", "فكر", "صدر", "ورد", "نتج", "بلغ", "سمع", "لعب", "ركب", "غرس", "حرس", "دعم", "رسم",
    "قبل", "عدل", "فضل", "شكل", "جهز", "حضر", "غرب", "شرق", "سبق", "لحق", "نطق", "خلق", "صدق",
    "رزق", "بني", "هدف", "وفق", "عقد", "نفذ", "حدث", "كشف", "عرف", "وصف", "صرف", "ضمن", "أمن",
    "ثمر", "حصد", "قطع", "جرب", "طور", "حسن", "كثر", "صغر", "كبر", "قوي", "ضعف",
];

/// Derivation patterns: 1, 2 and 3 stand for a root's radicals (فاعل،
/// مفعول، تفعيل، استفعال، فعّال…).
const PATTERNS: &[&str] = &[
    "123",
    "1ا23",
    "م12و3",
    "ت12ي3",
    "است12ا3",
    "12ّا3",
    "12ا3",
    "12ي3",
    "12و3",
    "م123",
    "إ12ا3",
    "ان12ا3",
    "ا1ت2ا3",
    "ت1ا23",
    "م1ا23",
    "مست123",
    "مت1ا23",
    "12ّ3",
    "أ123",
    "ت12ّ3",
    "م1ا2ي3",
    "ي123",
    "ت123",
    "ن123",
];

/// Proclitics that make a noun definite: these take no pronoun suffix.
const DEFINITE_PREFIXES: &[&str] = &["ال", "وال", "بال", "فال", "كال", "لل"];

/// Other proclitics, the first (none) the most frequent.
const PLAIN_PREFIXES: &[&str] = &["", "و", "ف", "ب", "ل", "ك", "وب", "ول", "فب"];

/// Inflection suffixes any form takes, the first (none) the most frequent.
const INFLECTIONS: &[&str] = &["", "ة", "ات", "ون", "ين"];

/// Pronoun suffixes, for indefinite forms only.
const PRONOUNS: &[&str] = &["ه", "ها", "هم", "كم", "نا", "ي", "هما", "هن"];

/// Zipf's exponent for the forms' ranks: with about 250,000 forms, 1.1
/// gives a type/token ratio near 0.2 at 100,000 words.
const ZIPF_EXPONENT: f64 = 1.1;

/// The vocabulary in rank order: function words, then every root in every
/// pattern (their order shuffled, so no root dominates the head), bare,
/// then with each inflection, proclitic and pronoun.
fn zipf_vocabulary(rng: &mut ChaCha8Rng) -> Vec<String> {
    let mut stems: Vec<String> = ROOTS
        .iter()
        .flat_map(|root| {
            let radicals: Vec<char> = root.chars().collect();
            PATTERNS.iter().map(move |pattern| {
                pattern
                    .chars()
                    .map(|c| match c {
                        '1' => radicals[0],
                        '2' => radicals[1],
                        '3' => radicals[2],
                        other => other,
                    })
                    .collect()
            })
        })
        .collect();
    rand::seq::SliceRandom::shuffle(stems.as_mut_slice(), rng);
    let mut clitics: Vec<(&str, &str)> = Vec::new();
    for suffix in INFLECTIONS {
        for prefix in PLAIN_PREFIXES.iter().chain(DEFINITE_PREFIXES) {
            clitics.push((prefix, suffix));
        }
    }
    for suffix in PRONOUNS {
        for prefix in PLAIN_PREFIXES {
            clitics.push((prefix, suffix));
        }
    }
    let mut vocabulary: Vec<String> = FUNCTION_WORDS.iter().map(|w| w.to_string()).collect();
    for (prefix, suffix) in clitics {
        vocabulary.extend(stems.iter().map(|stem| format!("{prefix}{stem}{suffix}")));
    }
    vocabulary
}

/// Arabic prose drawn word by word from [`zipf_vocabulary`].
struct ZipfProse {
    rng: ChaCha8Rng,
    vocabulary: Vec<String>,
    ranks: Zipf<f64>,
}

/// Words in a sentence, a sentence's chance of a «،» after each word (one
/// in this many), and sentences in a paragraph.
const SENTENCE_WORDS: std::ops::RangeInclusive<usize> = 6..=22;
const COMMA_ONE_IN: u32 = 9;
const PARAGRAPH_SENTENCES: std::ops::RangeInclusive<usize> = 1..=6;

/// Words in a Zipf chapter's title, after «الفصل» and its number.
const HEADING_WORDS: usize = 3;

impl ZipfProse {
    fn new(seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let vocabulary = zipf_vocabulary(&mut rng);
        let ranks = Zipf::new(vocabulary.len() as f64, ZIPF_EXPONENT).expect("a valid Zipf law");
        ZipfProse {
            rng,
            vocabulary,
            ranks,
        }
    }

    fn word(&mut self) -> &str {
        // Ranks are whole numbers from 1.
        let rank = self.ranks.sample(&mut self.rng) as usize;
        &self.vocabulary[rank - 1]
    }

    /// `count` words, as a heading.
    fn words(&mut self, count: usize) -> String {
        (0..count)
            .map(|_| self.word().to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Paragraphs of at least `words` words in all, each of whole sentences
    /// ending with «.», some with a «،» inside.
    fn paragraphs(&mut self, words: usize) -> Vec<String> {
        let mut paragraphs = Vec::new();
        let mut written = 0;
        while written < words {
            let mut paragraph = String::new();
            for _ in 0..self.rng.random_range(PARAGRAPH_SENTENCES) {
                let length = self.rng.random_range(SENTENCE_WORDS);
                for k in 0..length {
                    if !paragraph.is_empty() {
                        paragraph.push(' ');
                    }
                    let word = self.word().to_string();
                    paragraph.push_str(&word);
                    let last = k + 1 == length;
                    if last {
                        paragraph.push('.');
                    } else if k > 0 && self.rng.random_ratio(1, COMMA_ONE_IN) {
                        paragraph.push('،');
                    }
                }
                written += length;
            }
            paragraphs.push(paragraph);
        }
        paragraphs
    }
}

/// The words of the chapters in `dir` (`*.md`) and how many different
/// forms they take, Markdown's marks and punctuation left out: the type/
/// token ratio is `forms / words`. Counts the first `limit` words only.
pub fn word_forms(dir: &Path, limit: usize) -> std::io::Result<(usize, usize)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    let mut words = 0;
    let mut forms = HashSet::new();
    for file in files {
        let text = std::fs::read_to_string(file)?;
        for token in text.split_whitespace() {
            let word: String = token.chars().filter(|c| c.is_alphabetic()).collect();
            if word.is_empty() {
                continue;
            }
            if words == limit {
                return Ok((words, forms.len()));
            }
            words += 1;
            forms.insert(word);
        }
    }
    Ok((words, forms.len()))
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
    let mut zipf =
        (spec.script == Script::ArabicZipf).then(|| ZipfProse::new(spec.chapters as u64));
    let (title, language, extras) = match spec.script {
        Script::Arabic | Script::ArabicZipf => ("كتاب مولد", "ar", &ARABIC_EXTRAS),
        Script::Latin => ("A Generated Book", "en", &ENGLISH_EXTRAS),
    };
    for chapter in 0..spec.chapters {
        let (heading, paragraphs): (String, Vec<String>) = match spec.script {
            Script::Arabic | Script::ArabicZipf => seed[chapter % seed.len()].clone(),
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
        // Zipf prose takes the seed chapter's place: its own heading and, each
        // round, as many words in new paragraphs.
        let seed_words: usize = paragraphs
            .iter()
            .map(|p| p.split_whitespace().count())
            .sum();
        let heading = match &mut zipf {
            Some(prose) => format!("الفصل {}: {}", chapter + 1, prose.words(HEADING_WORDS)),
            None => heading,
        };
        let mut text = format!("# {heading}\n\n");
        let mut notes = String::new();
        for round in 0..spec.rounds {
            let paragraphs = match &mut zipf {
                Some(prose) => prose.paragraphs(seed_words),
                None => paragraphs.clone(),
            };
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
