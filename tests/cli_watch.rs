//! `warraq watch` builds a book, then builds it again when its files change;
//! a broken save prints its errors and leaves the last good outputs as they
//! were; its own writes do not wake it; Ctrl-C ends it with exit 0.
//! `warraq build --open` hands the output to a viewer ($WARRAQ_OPENER here,
//! a script that writes down what it was given).

use crate::common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a test waits for something a build does before failing: a
/// build of the small book takes a fraction of a second, but CI shares the
/// machine.
const PATIENCE: Duration = Duration::from_secs(60);

/// How often a test looks again while waiting.
const POLL: Duration = Duration::from_millis(50);

/// How long nothing must happen to show that nothing will: the watch wakes
/// within a quarter of a second of the last change.
const QUIET: Duration = Duration::from_millis(1500);

/// What `warraq watch` prints when it wakes up, before it builds.
const WOKE: &str = "changed: ";
/// What it prints after each build that wrote the outputs.
const BUILT: &str = "built ";

/// A small English book: two chapters, no pictures.
fn small_book(dir: &Path) {
    common::write_files(
        dir,
        &[
            (
                "book.toml",
                b"[book]\ntitle = \"Small\"\nlanguage = \"en\"\n",
            ),
            ("01.md", b"# One\n\nThe first words.\n"),
            ("02.md", b"# Two\n\nThe second words.\n"),
        ],
    );
}

/// A running `warraq watch`, killed when dropped; what it prints on
/// stderr is collected as it comes.
struct Watch {
    child: Child,
    stderr: Arc<Mutex<String>>,
}

impl Watch {
    fn start(book: &Path) -> Watch {
        let mut child = common::warraq()
            .args(["watch", common::arg(book)])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start warraq watch");
        let stderr = Arc::new(Mutex::new(String::new()));
        let pipe = child.stderr.take().expect("piped stderr");
        let collected = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut said = collected.lock().unwrap();
                said.push_str(&line);
                said.push('\n');
            }
        });
        Watch { child, stderr }
    }

    fn said(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Lines of stderr that start with `start`.
    fn count(&self, start: &str) -> usize {
        self.said()
            .lines()
            .filter(|line| line.starts_with(start))
            .count()
    }

    /// Waits until stderr satisfies `done`, failing after [`PATIENCE`] or if
    /// the watch ends.
    fn wait_until(&mut self, what: &str, done: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let said = self.said();
            if done(&said) {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("warraq watch ended ({status}) waiting for {what}:\n{said}");
            }
            assert!(
                Instant::now() < deadline,
                "no {what} after {PATIENCE:?}:\n{said}"
            );
            std::thread::sleep(POLL);
        }
    }

    /// Waits until `n` builds have written the outputs.
    fn wait_for_builds(&mut self, n: usize) {
        self.wait_until(&format!("build {n}"), |said| {
            said.lines().filter(|line| line.starts_with(BUILT)).count() >= n
        });
    }

    fn assert_alive(&mut self) {
        assert!(
            self.child.try_wait().unwrap().is_none(),
            "warraq watch ended:\n{}",
            self.said()
        );
    }

    /// Waits [`QUIET`] and checks that the watch did not wake meanwhile.
    fn assert_stays_asleep(&mut self, after: &str) {
        let woken = self.count(WOKE);
        std::thread::sleep(QUIET);
        assert_eq!(
            self.count(WOKE),
            woken,
            "warraq watch woke up after {after}:\n{}",
            self.said()
        );
        self.assert_alive();
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The PDF's text, without whitespace (see [`common::squash`]).
fn pdf_text(pdf: &Path) -> String {
    common::squash(&common::pdftotext(pdf, None, false))
}

/// Whether `text` (squashed) holds `words`.
fn says(text: &str, words: &str) -> bool {
    text.contains(&common::squash(words))
}

/// Writes `text` as `path` the way editors do: a temporary file beside it,
/// renamed over it.
fn save(path: &Path, text: &str) {
    let scratch = path.with_extension("md.saving");
    std::fs::write(&scratch, text).unwrap();
    std::fs::rename(&scratch, path).unwrap();
}

#[test]
fn watch_rebuilds_on_change_and_keeps_the_last_good_outputs() {
    assert!(common::have_tools(&["pdftotext"]));
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("small");
    small_book(&book);
    let pdf = book.join("out/small.pdf");
    let epub = book.join("out/small.epub");
    let mut watch = Watch::start(&book);

    // The first build writes both outputs.
    watch.wait_for_builds(1);
    assert!(says(&pdf_text(&pdf), "The first words."));
    assert!(epub.is_file());

    // Its own writes into out/, and anyone else's, do not wake it.
    watch.assert_stays_asleep("writing its outputs");
    std::fs::write(book.join("out/notes.txt"), "not the book's").unwrap();
    watch.assert_stays_asleep("a write into out/");
    assert_eq!(watch.count(BUILT), 1, "{}", watch.said());

    // A changed chapter is built again.
    let chapter = book.join("01.md");
    save(&chapter, "# One\n\nThe first words, and marmalade.\n");
    watch.wait_for_builds(2);
    let text = pdf_text(&pdf);
    assert!(says(&text, "The first words, and marmalade."), "{text}");
    let good_pdf = std::fs::read(&pdf).unwrap();
    let good_epub = std::fs::read(&epub).unwrap();

    // A broken save prints its error, writes nothing, and the watch goes on.
    save(
        &chapter,
        "# One\n\nSee the map.\n\n![The map](missing.png)\n",
    );
    watch.wait_until("the error", |said| said.contains("nothing was written"));
    let said = watch.said();
    assert!(said.contains("picture `missing.png` not found"), "{said}");
    assert!(said.contains("01.md:5"), "{said}");
    assert_eq!(watch.count(BUILT), 2, "{said}");
    assert!(std::fs::read(&pdf).unwrap() == good_pdf, "the PDF changed");
    assert!(
        std::fs::read(&epub).unwrap() == good_epub,
        "the EPUB changed"
    );
    watch.assert_alive();

    // Fixed, it is built again.
    save(&chapter, "# One\n\nSee the quince.\n");
    watch.wait_for_builds(3);
    let text = pdf_text(&pdf);
    assert!(says(&text, "See the quince."), "{text}");
    assert!(!text.contains("marmalade"), "{text}");
    assert!(
        std::fs::read(&epub).unwrap() != good_epub,
        "the EPUB is stale"
    );

    // A new picture is part of the book too.
    let builds = watch.count(BUILT);
    common::write_files(
        &book,
        &[(
            "map.png",
            &common::encode(
                &image::RgbImage::from_pixel(60, 40, image::Rgb([40, 90, 160])),
                image::ImageFormat::Png,
            ),
        )],
    );
    watch.wait_until("a wakeup for map.png", |said| {
        said.lines().any(|line| line == "changed: map.png")
    });
    watch.wait_for_builds(builds + 1);
}

#[test]
fn ctrl_c_ends_the_watch_with_exit_0() {
    let tmp = tempfile::tempdir().unwrap();
    small_book(tmp.path());
    let mut watch = Watch::start(tmp.path());
    watch.wait_for_builds(1);
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &watch.child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(interrupted.success());
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = watch.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after Ctrl-C");
        std::thread::sleep(POLL);
    };
    assert_eq!(status.code(), Some(0), "{}", watch.said());
}

/// A viewer that writes the path it was given into `record`, whole at
/// once (written beside it, then renamed): the test reads it as soon as it
/// exists, and a file being written was once read empty.
fn fake_opener(dir: &Path, record: &Path) -> PathBuf {
    let script = dir.join("opener");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > '{0}.part' && mv '{0}.part' '{0}'\n",
            record.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    script
}

/// Waits for the viewer (started detached) to have written `record`.
fn opened(record: &Path) -> PathBuf {
    let deadline = Instant::now() + PATIENCE;
    while !record.is_file() {
        assert!(Instant::now() < deadline, "the viewer was not started");
        std::thread::sleep(POLL);
    }
    PathBuf::from(std::fs::read_to_string(record).unwrap())
}

#[test]
fn build_open_opens_the_pdf_or_else_the_epub() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("small");
    small_book(&book);
    for (format, output) in [("all", "small.pdf"), ("epub", "small.epub")] {
        let record = tmp.path().join(format!("opened-{format}"));
        let opener = fake_opener(tmp.path(), &record);
        let built = common::warraq()
            .args(["build", common::arg(&book), "--open", "--format", format])
            .env("WARRAQ_OPENER", &opener)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&built.stderr);
        assert!(built.status.success(), "{said}");
        assert!(!said.contains("warning"), "{said}");
        let shown = opened(&record);
        assert!(shown.is_absolute(), "{}", shown.display());
        assert_eq!(
            shown.canonicalize().unwrap(),
            book.join("out").join(output).canonicalize().unwrap()
        );
    }
}

#[test]
fn a_viewer_that_cannot_start_is_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("small");
    small_book(&book);
    let built = common::warraq()
        .args(["build", common::arg(&book), "--open"])
        .env("WARRAQ_OPENER", tmp.path().join("no-such-viewer"))
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&built.stderr);
    assert_eq!(built.status.code(), Some(0), "{said}");
    assert!(said.contains("warning[open-failed]: cannot open"), "{said}");
    assert!(book.join("out/small.pdf").is_file());
}
