//! `warraq new`: a book folder to start from — `book.toml` with every key
//! the loader knows, two sample chapters, cover artwork and a `.gitignore`.
//!
//! The texts are files under `assets/new/`; only the few words that differ
//! between languages in `book.toml` are filled in here.

mod artwork;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::diag::{Code, Diagnostic, Result};

/// The language of the sample book.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleLanguage {
    /// Arabic, right to left.
    Arabic,
    /// English, left to right.
    English,
}

/// The `book.toml` template; `{name}` placeholders are filled from a
/// [`Sample`].
const BOOK_TOML: &str = include_str!("../../assets/new/book.toml");

/// The words of one language's sample book.
struct Sample {
    language: &'static str,
    title: &'static str,
    author: &'static str,
    subtitle: &'static str,
    publisher: &'static str,
    keyword: &'static str,
    description: &'static str,
    summary: &'static str,
    classification: &'static str,
    /// File name and text of each chapter, as `book.toml` lists them.
    chapters: [(&'static str, &'static str); 2],
}

const ARABIC: Sample = Sample {
    language: "ar",
    title: "كتابي الأول",
    author: "اسم المؤلف",
    subtitle: "عنوان فرعي",
    publisher: "اسم الناشر",
    keyword: "كلمة مفتاحية",
    description: "فقرة تعرّف بالكتاب",
    summary: "وصف لإتاحة الكتاب",
    classification: "للاستعمال الداخلي",
    chapters: [
        (
            "01-welcome.md",
            include_str!("../../assets/new/ar/01-welcome.md"),
        ),
        (
            "02-elements.md",
            include_str!("../../assets/new/ar/02-elements.md"),
        ),
    ],
};

const ENGLISH: Sample = Sample {
    language: "en",
    title: "My First Book",
    author: "Author Name",
    subtitle: "A Subtitle",
    publisher: "Publisher Name",
    keyword: "keyword",
    description: "A paragraph about the book",
    summary: "How accessible the book is",
    classification: "For internal use",
    chapters: [
        (
            "01-welcome.md",
            include_str!("../../assets/new/en/01-welcome.md"),
        ),
        (
            "02-elements.md",
            include_str!("../../assets/new/en/02-elements.md"),
        ),
    ],
};

impl SampleLanguage {
    fn sample(self) -> &'static Sample {
        match self {
            SampleLanguage::Arabic => &ARABIC,
            SampleLanguage::English => &ENGLISH,
        }
    }
}

/// The `book.toml` of a new book in `language`.
pub fn book_toml(language: SampleLanguage) -> String {
    let sample = language.sample();
    [
        ("{title}", sample.title),
        ("{author}", sample.author),
        ("{language}", sample.language),
        ("{subtitle}", sample.subtitle),
        ("{publisher}", sample.publisher),
        ("{keyword}", sample.keyword),
        ("{description}", sample.description),
        ("{summary}", sample.summary),
        ("{classification}", sample.classification),
    ]
    .into_iter()
    .fold(BOOK_TOML.to_string(), |text, (placeholder, value)| {
        text.replace(placeholder, value)
    })
}

/// Writes a new book into `dir`, creating it (and its parents); refuses a
/// `dir` that exists and is not an empty folder, and never replaces a file.
/// Returns the files written, in order.
pub fn new_book(dir: &Path, language: SampleLanguage) -> Result<Vec<PathBuf>> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Diagnostic::error(
                    Code::FolderNotEmpty,
                    format!(
                        "{} is not empty; give a new folder (or an empty one) for the book",
                        dir.display()
                    ),
                )
                .in_file(dir));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) if dir.exists() && !dir.is_dir() => {
            return Err(Diagnostic::error(
                Code::FolderNotEmpty,
                format!(
                    "{} exists and is not a folder ({e}); give a new folder for the book",
                    dir.display()
                ),
            )
            .in_file(dir));
        }
        Err(e) => return Err(Diagnostic::io(Code::ReadFailed, "cannot read", dir, &e)),
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| Diagnostic::io(Code::WriteFailed, "cannot create", dir, &e))?;

    let sample = language.sample();
    let mut files: Vec<(&str, Vec<u8>)> =
        vec![(crate::load::CONFIG_FILE, book_toml(language).into_bytes())];
    for (name, text) in sample.chapters {
        files.push((name, text.as_bytes().to_vec()));
    }
    files.push((artwork::FILE_NAME, artwork::png()?));
    files.push((
        ".gitignore",
        include_bytes!("../../assets/new/gitignore").to_vec(),
    ));

    let mut written = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let path = dir.join(name);
        // `create_new`: a file that appeared since the check is kept.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut file| file.write_all(&bytes))
            .map_err(|e| Diagnostic::io(Code::WriteFailed, "cannot write", &path, &e))?;
        written.push(path);
    }
    Ok(written)
}
