//! Checks of the EPUB in a browser engine: Ace by DAISY (the EPUB
//! accessibility checker, which runs axe-core in Chromium) and warraq's own
//! rendering script (`tests/ace/render.mjs`), both from the npm packages
//! `tests/ace/package-lock.json` pins, over Debian's Chromium.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{arg, epub::unzip, have_tools, require, run_build};

/// The folder of the npm packages and scripts (`tests/ace`).
pub fn ace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ace")
}

/// The Chromium the checks drive: `PUPPETEER_EXECUTABLE_PATH`, else
/// Debian's.
fn chromium() -> String {
    std::env::var("PUPPETEER_EXECUTABLE_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into())
}

/// [`require`] for an npm package installed in `tests/ace`.
fn have_package(package: &str) -> bool {
    let installed = ace_dir().join("node_modules").join(package).is_dir();
    require(
        package,
        installed
            .then_some(())
            .ok_or_else(|| "run `npm ci --prefix tests/ace`".to_string()),
    )
    .is_some()
}

/// [`require`] for Node.js, Chromium and puppeteer-core.
pub fn have_chromium() -> bool {
    let found = if Path::new(&chromium()).is_file() {
        Ok(())
    } else {
        Err(format!("{} is not installed", chromium()))
    };
    have_tools(&["node"]) && require("Chromium", found).is_some() && have_package("puppeteer-core")
}

/// [`require`] for Ace by DAISY, with what it runs on.
pub fn have_ace() -> bool {
    have_chromium() && have_package("@daisy/ace-cli")
}

/// `warraq build book -o out --format epub` into [`scratch`], asserting it
/// succeeds; the EPUB's path and what the build printed on stderr.
#[track_caller]
pub fn build_epub(book: &Path, out: &str) -> (PathBuf, String) {
    let built = run_build(book, out, &["--format", "epub"]);
    let epub = built.epub();
    assert!(epub.is_file(), "warraq did not write {}", epub.display());
    (epub, built.stderr)
}

/// Unzips `epub` into `dir`, as a reading system lays the package out.
pub fn unzip_into(epub: &Path, dir: &Path) {
    for (name, _, data) in unzip(&std::fs::read(epub).unwrap()) {
        let path = dir.join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    }
}

/// Runs Ace by DAISY on `epub`, writing its report into `report_dir`, and
/// returns `report.json` parsed. Ace exits with 2 when it finds violations
/// (`-E`): the report says which, so that is no failure here.
pub fn ace(epub: &Path, report_dir: &Path) -> serde_json::Value {
    let cli = ace_dir().join("node_modules/.bin/ace-cli");
    let output = Command::new(&cli)
        // -f: overwrite the report; -s: silent; -E: exit 2 on violations.
        .args(["-f", "-s", "-E", "-o", arg(report_dir), arg(epub)])
        .env("PUPPETEER_EXECUTABLE_PATH", chromium())
        // Chromium's first start on a cold machine can take a while.
        .env("ACE_TIMEOUT_INITIAL", "30000")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", cli.display()));
    assert!(
        matches!(output.status.code(), Some(0 | 2)),
        "Ace failed on {} ({}):\n{}{}",
        epub.display(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let report = report_dir.join("report.json");
    let text = std::fs::read_to_string(&report)
        .unwrap_or_else(|e| panic!("Ace wrote no {}: {e}", report.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", report.display()))
}

/// Renders `files` (content documents of an unzipped EPUB) in headless
/// Chromium at `width` × `height` CSS pixels with `tests/ace/render.mjs`,
/// screenshots into `shots`; its report, parsed (see the script).
pub fn render(files: &[PathBuf], shots: &Path, width: u32, height: u32) -> serde_json::Value {
    std::fs::create_dir_all(shots).unwrap();
    let script = ace_dir().join("render.mjs");
    let output = Command::new("node")
        .arg(&script)
        .arg(shots)
        .arg(width.to_string())
        .arg(height.to_string())
        .args(files)
        .env("PUPPETEER_EXECUTABLE_PATH", chromium())
        .output()
        .expect("run node");
    assert!(
        output.status.success(),
        "render.mjs failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("render.mjs prints JSON")
}
