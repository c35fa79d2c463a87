//! Diagnostics as a user and a CI job meet them: one run of `warraq check`
//! on a book with several deliberate problems reports every one, once, at
//! its file, line and column, sorted by file and line; for people with the
//! source line and a caret under the column, for CI as one JSON object a
//! line. The expected places are counted here from the text written, not
//! asked of warraq.

use crate::common;

use std::path::Path;
use std::process::Output;

const CONFIG: &str =
    "[book]\ntitle = \"اختبار\"\nautors = [\"x\"]\nlanguage = \"ar\"\n\n[pdf]\npaper = \"a5\"\n";

const CHAPTER: &str = "# فصل\n\nنص مع صورة ![صورة](missing.png) هنا.\n\nرابط [مكسور](#nowhere) في النص.\n\nحرف غريب ᚠ في النص.\n";

fn book(dir: &Path) {
    common::write_files(
        dir,
        &[
            ("book.toml", CONFIG.as_bytes()),
            ("01.md", CHAPTER.as_bytes()),
        ],
    );
}

/// The 1-based line and column (in characters) where `needle` starts in
/// `text`.
fn place(text: &str, needle: &str) -> (u64, u64) {
    let at = text.find(needle).expect("needle in the text");
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line as u64, column as u64)
}

fn check(dir: &Path, extra: &[&str]) -> Output {
    common::warraq()
        .arg("check")
        .args(extra)
        .arg(dir)
        .output()
        .expect("run warraq")
}

/// (level, code, file, line, column) of every problem, in the order an
/// honest report gives them: by file, then line.
fn expected() -> Vec<(&'static str, &'static str, &'static str, u64, u64)> {
    let picture = place(CHAPTER, "![صورة]");
    let link = place(CHAPTER, "[مكسور]");
    let rune = place(CHAPTER, "ᚠ");
    let key = place(CONFIG, "autors");
    let paper = place(CONFIG, "paper");
    vec![
        ("error", "missing-picture", "01.md", picture.0, picture.1),
        ("warning", "broken-link", "01.md", link.0, link.1),
        ("warning", "missing-glyph", "01.md", rune.0, rune.1),
        ("error", "unknown-key", "book.toml", key.0, key.1),
        ("error", "unknown-key", "book.toml", paper.0, paper.1),
    ]
}

#[test]
fn json_lists_every_problem_once_at_its_place() {
    let tmp = tempfile::tempdir().unwrap();
    book(tmp.path());
    let output = check(tmp.path(), &["--message-format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    let objects: Vec<serde_json::Value> = stderr
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let got: Vec<(String, String, String, u64, u64)> = objects
        .iter()
        .map(|o| {
            (
                o["level"].as_str().unwrap().to_string(),
                o["code"].as_str().unwrap().to_string(),
                o["file"].as_str().unwrap().to_string(),
                o["line"].as_u64().unwrap(),
                o["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, String, String, u64, u64)> = expected()
        .into_iter()
        .map(|(l, c, f, line, col)| (l.into(), c.into(), f.into(), line, col))
        .collect();
    assert_eq!(got, want, "{stderr}");
    // The misspelt key is told the nearest known one; every object has the
    // same fields, a message among them.
    assert_eq!(objects[3]["hint"], "did you mean `authors`?");
    for object in &objects {
        let mut keys: Vec<&str> = object
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            ["code", "column", "file", "hint", "level", "line", "message"]
        );
        assert!(!object["message"].as_str().unwrap().is_empty());
    }
}

#[test]
fn people_see_the_source_line_with_a_caret_under_the_column() {
    let tmp = tempfile::tempdir().unwrap();
    book(tmp.path());
    let output = check(tmp.path(), &[]);
    assert_eq!(output.status.code(), Some(1));
    let said = String::from_utf8(output.stderr).unwrap();
    let dir = tmp.path().display().to_string();
    let lines: Vec<&str> = said.lines().collect();
    for (level, code, file, line, column) in expected() {
        let header = format!("{level}[{code}]");
        let origin = format!("--> {dir}/{file}:{line}:{column}");
        let at = lines
            .iter()
            .position(|l| l.contains(&origin))
            .unwrap_or_else(|| panic!("no {origin} in:\n{said}"));
        assert!(lines[at - 1].starts_with(&header), "{said}");
        // Then ` |`, then `N | source`, then the caret under the column:
        // the caret is as many characters into the source as the column.
        let source_text = if file == "01.md" { CHAPTER } else { CONFIG };
        let source = source_text.lines().nth(line as usize - 1).unwrap();
        let gutter = format!("{line} | ");
        let shown = lines[at + 2];
        assert_eq!(shown, format!("{gutter}{source}"), "{said}");
        let caret = lines[at + 3];
        let offset = caret.chars().position(|c| c == '^').expect("a caret");
        assert_eq!(
            offset,
            gutter.chars().count() + column as usize - 1,
            "{said}"
        );
    }
    assert!(said.contains("= help: did you mean `authors`?"), "{said}");
    // One message per problem, and the count said last.
    assert_eq!(said.matches("error[").count(), 3, "{said}");
    assert_eq!(said.matches("warning[").count(), 2, "{said}");
    assert!(
        said.trim_end().ends_with("error: 3 errors, 2 warnings"),
        "{said}"
    );
}

#[test]
fn every_code_is_in_the_readme_table() {
    let readme = std::fs::read_to_string(common::repo().join("README.md")).unwrap();
    for code in warraq::diag::Code::ALL {
        let row = format!("| `{}` |", code.name());
        assert!(readme.contains(&row), "README has no row {row}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let output = common::warraq()
        .args(["check", "--message-format", "yaml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}
