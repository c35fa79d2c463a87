//! Progress as a person at a terminal sees it, and as a CI log does not: on
//! a terminal (a pseudo-terminal made by util-linux `script`), a build that
//! takes more than a moment draws a bar counting chapters laid out, then
//! clears it for a one-line summary; without a terminal, or with `-q`,
//! nothing but diagnostics is printed.

use crate::common;

use std::path::Path;

/// Chapters in [`long_book`].
const CHAPTERS: usize = 120;

/// A book long enough to be laid out for well over a moment (the bar's
/// 200 ms) on a fast machine under load: its sentence repeats, so the
/// shaping cache sets it quickly (about 1,900 pages; 40 chapters, laid out
/// within the moment on a busy CI machine, showed no bar).
fn long_book() -> tempfile::TempDir {
    let titles: Vec<String> = (1..=CHAPTERS).map(|i| format!("الفصل {i}")).collect();
    let titles: Vec<&str> = titles.iter().map(String::as_str).collect();
    common::generated_book(true, "كتاب طويل", "", &titles, &[30; CHAPTERS])
}

/// What a terminal shows while `warraq ARGS` runs in one (stdout and
/// stderr together, as a terminal has them).
fn on_a_terminal(args: &[&str]) -> String {
    let bin = env!("CARGO_BIN_EXE_warraq");
    let command = std::iter::once(bin)
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(" ");
    let output = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .expect("util-linux `script` must be installed to test the progress bar");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn arg(path: &Path) -> &str {
    common::arg(path)
}

#[test]
fn a_long_build_on_a_terminal_shows_a_bar_then_a_summary() {
    let book = long_book();
    let out = tempfile::tempdir().unwrap();
    let shown = on_a_terminal(&["build", arg(book.path()), "-o", arg(out.path())]);
    // The bar counts the book's chapters as they are laid out.
    assert!(shown.contains("lay out ["), "{shown}");
    assert!(shown.contains(&format!("/{CHAPTERS} chapters")), "{shown}");
    assert!(shown.contains("write PDF"), "{shown}");
    // Then it is cleared (erase-line), and the summary is all that follows.
    let (_, last) = shown
        .rsplit_once("\x1b[2K")
        .unwrap_or_else(|| panic!("the bar is never cleared: {shown:?}"));
    let last = last.trim();
    assert!(
        last.starts_with("built ") && last.contains(" pages in "),
        "{last:?}"
    );
    assert!(!last.contains('\n'), "{last:?}");
}

#[test]
fn quiet_or_no_terminal_prints_nothing_but_diagnostics() {
    let book = long_book();
    let out = tempfile::tempdir().unwrap();
    let quiet = on_a_terminal(&["build", "-q", arg(book.path()), "-o", arg(out.path())]);
    assert_eq!(quiet.trim(), "", "-q on a terminal printed {quiet:?}");
    let piped = common::warraq()
        .args(["build", arg(book.path()), "-o", arg(out.path())])
        .output()
        .unwrap();
    assert!(piped.status.success());
    assert_eq!(String::from_utf8_lossy(&piped.stderr), "");
    assert!(piped.stdout.is_empty());
}
