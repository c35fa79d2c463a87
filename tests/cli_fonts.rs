//! `warraq fonts` names the face that sets each character of a book, and
//! every character no face has with each file:line:column it is at. What it
//! attributes to a face is checked against that face's own cmap (read with
//! ttf-parser), and the places against the source text the test wrote.

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

fn fonts(book: &Path) -> Output {
    common::warraq()
        .args(["fonts", common::arg(book)])
        .output()
        .expect("run warraq fonts")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// One row of the faces table.
#[derive(Debug)]
struct FaceRow {
    name: String,
    /// The font file it names, on disk.
    file: PathBuf,
    used_for: Vec<String>,
    /// Every code point of its ranges.
    chars: BTreeSet<char>,
}

/// The faces table of `report`: a row per face, its ranges on the lines
/// under it. `book` is where the book's own fonts are.
fn face_rows(report: &str, book: &Path) -> Vec<FaceRow> {
    let mut rows: Vec<FaceRow> = Vec::new();
    let table = report
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("face "))
        .skip(1)
        .take_while(|l| !l.is_empty());
    for line in table {
        if let Some(ranges) = line.strip_prefix("      ") {
            let row = rows.last_mut().expect("ranges follow their face");
            for range in ranges.split_whitespace() {
                let (first, last) = range.split_once('-').unwrap_or((range, range));
                let code = |u: &str| u32::from_str_radix(u.trim_start_matches("U+"), 16).unwrap();
                row.chars
                    .extend((code(first)..=code(last)).filter_map(char::from_u32));
            }
            continue;
        }
        let cells: Vec<&str> = line
            .trim()
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        assert_eq!(cells.len(), 6, "a face row has six columns: {line:?}");
        let file = match cells[1].strip_suffix(" (built in)") {
            Some(builtin) => common::repo().join("fonts").join(builtin),
            None => book.join(cells[1]),
        };
        rows.push(FaceRow {
            name: cells[0].to_string(),
            file,
            used_for: cells[2].split(", ").map(String::from).collect(),
            chars: BTreeSet::new(),
        });
    }
    rows
}

/// Whether the font file at `path` maps `ch` to a glyph.
fn cmap_has(path: &Path, ch: char) -> bool {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let face = ttf_parser::Face::parse(&data, 0).expect("a font ttf-parser reads");
    face.glyph_index(ch).is_some()
}

/// Every face row names a real file whose cmap has every character the
/// report says the face sets.
fn assert_faces_have_what_they_set(rows: &[FaceRow]) {
    assert!(!rows.is_empty());
    for row in rows {
        assert!(!row.chars.is_empty(), "{row:?}");
        let data = std::fs::read(&row.file).unwrap();
        let face = ttf_parser::Face::parse(&data, 0).unwrap();
        let lacking: String = row
            .chars
            .iter()
            .filter(|&&ch| face.glyph_index(ch).is_none())
            .collect();
        assert!(lacking.is_empty(), "{} lacks {lacking:?}", row.name);
    }
}

fn row<'a>(rows: &'a [FaceRow], name: &str) -> &'a FaceRow {
    rows.iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no row for {name}: {rows:?}"))
}

/// Each `ch` in `text`, as `file:line:column` (columns count characters).
fn places(file: &Path, text: &str, ch: char) -> Vec<String> {
    text.lines()
        .enumerate()
        .flat_map(|(line, content)| {
            content
                .chars()
                .enumerate()
                .filter(move |&(_, c)| c == ch)
                .map(move |(column, _)| format!("{}:{}:{}", file.display(), line + 1, column + 1))
        })
        .collect()
}

#[test]
fn the_seed_book_is_set_in_amiri_alone() {
    let book = common::seed_book();
    let output = fonts(&book);
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(report.contains("Every character has a face."), "{report}");
    assert!(!report.contains("No face has"), "{report}");
    let rows = face_rows(&report, &book);
    assert_faces_have_what_they_set(&rows);
    assert!(
        rows.iter().all(|r| r.name.starts_with("Amiri ")),
        "{rows:?}"
    );
    let regular = row(&rows, "Amiri Regular");
    assert!(
        regular.used_for.contains(&"text".to_string()),
        "{regular:?}"
    );
    assert!(
        row(&rows, "Amiri Bold")
            .used_for
            .contains(&"bold".to_string())
    );
    // And so it should be: Amiri has every character of the book's files.
    let amiri = common::repo().join("fonts/Amiri-Regular.ttf");
    for entry in std::fs::read_dir(&book).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "md" || e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            let lacking: BTreeSet<char> = text
                .chars()
                .filter(|c| !c.is_whitespace() && !cmap_has(&amiri, *c))
                .collect();
            assert!(lacking.is_empty(), "{}: {lacking:?}", path.display());
        }
    }
}

const RUNE: char = 'ᚠ';
/// A second rune, used often enough for its places to be cut short.
const RUNE_OFTEN: char = 'ᚢ';

const CONFIG: &str = "[book]\ntitle = \"كتاب ᚠ\"\nauthors = [\"مؤلف\"]\nlanguage = \"ar\"\n";

/// Arabic, a Latin word, a Cyrillic one, a code block quoting a word of the
/// text, and runes (in the text, the code and the title).
const CHAPTER: &str = "# الفصل الأول\n\
\n\
نص عربي مع كلمة Latin وكلمة Астана ورمز ᚠ هنا.\n\
\n\
```\n\
let Latin = \"ᚠ\";\n\
```\n\
\n\
ᚢ ᚢ ᚢ\n\
\n\
نهاية ᚢᚢᚢᚢ.\n";

fn runic_book(dir: &Path) {
    std::fs::write(dir.join("book.toml"), CONFIG).unwrap();
    std::fs::write(dir.join("01-one.md"), CHAPTER).unwrap();
}

fn builtin_fonts() -> Vec<PathBuf> {
    std::fs::read_dir(common::repo().join("fonts"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ttf"))
        .collect()
}

#[test]
fn each_script_names_its_face_and_a_rune_no_face_has_is_placed_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("runes");
    std::fs::create_dir(&book).unwrap();
    runic_book(&book);
    let output = fonts(&book);
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    let rows = face_rows(&report, &book);
    assert_faces_have_what_they_set(&rows);

    // Cyrillic: not in Amiri (so a fallback is needed), set in Noto Serif.
    let amiri = common::repo().join("fonts/Amiri-Regular.ttf");
    assert!(!cmap_has(&amiri, 'А'));
    let noto = row(&rows, "Noto Serif Regular");
    assert!(
        "Астана".chars().all(|c| noto.chars.contains(&c)),
        "{noto:?}"
    );
    // Latin and Arabic text: Amiri; the heading: Amiri Bold.
    let text = row(&rows, "Amiri Regular");
    assert!("Latin".chars().all(|c| text.chars.contains(&c)), "{text:?}");
    assert!(text.chars.contains(&'ع'));
    let heading = row(&rows, "Amiri Bold");
    assert!(heading.used_for.contains(&"bold".to_string()));
    assert!("الفصل".chars().all(|c| heading.chars.contains(&c)));
    // The code: Noto Sans Mono, for code; `=` and `;` are only there.
    let mono = row(&rows, "Noto Sans Mono Regular");
    assert_eq!(mono.used_for, ["code"]);
    assert!(
        "Latin=;\"".chars().all(|c| mono.chars.contains(&c)),
        "{mono:?}"
    );
    assert!(!text.chars.contains(&'='), "{text:?}");
    // So the word in both is set in two families, and the report says so.
    let shared = report
        .lines()
        .find(|l| l.contains("Noto Sans Mono Regular for code"))
        .unwrap_or_else(|| panic!("{report}"));
    assert!(shared.contains("Amiri Regular for text"), "{shared}");
    let (shown, _) = shared.rsplit_once(" — ").unwrap();
    let shown: Vec<&str> = shown.split_whitespace().collect();
    assert!(
        "Latin"
            .chars()
            .all(|c| shown.contains(&c.to_string().as_str())),
        "{shared}"
    );

    // No face warraq has maps the runes.
    for font in builtin_fonts() {
        assert!(!cmap_has(&font, RUNE) && !cmap_has(&font, RUNE_OFTEN));
    }
    assert!(!rows.iter().any(|r| r.chars.contains(&RUNE)));
    let uncovered = |ch: char| -> String {
        let code = format!("U+{:04X}", ch as u32);
        report
            .lines()
            .find(|l| l.trim_start().starts_with(&code))
            .unwrap_or_else(|| panic!("{code} not reported: {report}"))
            .to_string()
    };
    // Every place: the text, the code block, the title in book.toml.
    let chapter = book.join("01-one.md");
    let mut expected = places(&chapter, CHAPTER, RUNE);
    expected.extend(places(&book.join("book.toml"), CONFIG, RUNE));
    assert_eq!(expected.len(), 3);
    let line = uncovered(RUNE);
    assert!(line.contains("Runic") && line.contains("3×"), "{line}");
    assert!(line.ends_with(&expected.join(", ")), "{line}\n{expected:?}");
    // Seven times: the first five places, and how many more.
    let expected = places(&chapter, CHAPTER, RUNE_OFTEN);
    assert_eq!(expected.len(), 7);
    let line = uncovered(RUNE_OFTEN);
    assert!(line.contains("7×"), "{line}");
    assert!(
        line.ends_with(&format!("{}, and 2 more", expected[..5].join(", "))),
        "{line}\n{expected:?}"
    );
}

#[test]
fn a_font_the_book_brings_for_the_runes_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("runes");
    std::fs::create_dir_all(book.join("fonts")).unwrap();
    runic_book(&book);
    std::fs::copy(
        common::repo().join("tests/fonts/NotoSansRunic-Regular.ttf"),
        book.join("fonts/NotoSansRunic-Regular.ttf"),
    )
    .unwrap();
    let output = fonts(&book);
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{report}");
    assert!(report.contains("Every character has a face."), "{report}");
    let rows = face_rows(&report, &book);
    assert_faces_have_what_they_set(&rows);
    let runic = row(&rows, "NotoSansRunic Regular");
    assert_eq!(runic.file, book.join("fonts/NotoSansRunic-Regular.ttf"));
    assert_eq!(runic.chars, BTreeSet::from([RUNE, RUNE_OFTEN]));
    // The book's font comes first for text of every kind, code too.
    assert!(
        ["text", "bold", "code"]
            .iter()
            .all(|u| runic.used_for.contains(&u.to_string())),
        "{runic:?}"
    );
}

#[test]
fn errors_exit_1_for_the_book_2_for_the_machine_and_help_has_an_example() {
    let tmp = tempfile::tempdir().unwrap();
    let output = fonts(&tmp.path().join("nowhere"));
    assert_eq!(output.status.code(), Some(2));
    // A font file that is not one: the book's error, named.
    let book = tmp.path().join("broken");
    std::fs::create_dir_all(book.join("fonts")).unwrap();
    runic_book(&book);
    std::fs::write(book.join("fonts/Broken-Regular.ttf"), b"not a font").unwrap();
    let output = fonts(&book);
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(said.contains("fonts/Broken-Regular.ttf"), "{said}");
    assert!(stdout(&output).is_empty());
    let help = common::warraq().args(["fonts", "--help"]).output().unwrap();
    let help = stdout(&help);
    assert!(help.contains("Example: `warraq fonts"), "{help}");
    assert!(help.contains("0 every character has a face, 1"), "{help}");
}
