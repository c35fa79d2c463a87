//! `warraq check` does everything a build does but write; `--strict` makes
//! warnings errors, for `check` and `build`; the exit code says whose a
//! failure is: 0 fine, 1 the book's, 2 the command's or the machine's.

use crate::common;

use std::path::Path;
use std::process::Output;

fn warraq(args: &[&str]) -> Output {
    common::warraq().args(args).output().expect("run warraq")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A book whose only problem is a picture without alt text (a warning).
fn book_with_a_warning(dir: &Path) {
    let png = common::encode(
        &image::RgbImage::from_pixel(600, 400, image::Rgb([40, 90, 160])),
        image::ImageFormat::Png,
    );
    common::write_files(
        dir,
        &[
            ("book.toml", b"[book]\ntitle = \"t\"\nlanguage = \"ar\"\n"),
            ("01.md", "# فصل\n\nنص.\n\n![](map.png)\n".as_bytes()),
            ("map.png", &png),
        ],
    );
}

#[test]
fn check_writes_nothing_and_says_the_book_is_fine() {
    let tmp = tempfile::tempdir().unwrap();
    let book = tmp.path().join("seed");
    std::fs::create_dir(&book).unwrap();
    for entry in std::fs::read_dir(common::seed_book()).unwrap().flatten() {
        if entry.path().is_file() {
            std::fs::copy(entry.path(), book.join(entry.file_name())).unwrap();
        }
    }
    // Not on a terminal: quiet unless asked (-v).
    let output = warraq(&["check", common::arg(&book)]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let output = warraq(&["-v", "check", common::arg(&book)]);
    let said = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{said}");
    for stage in [
        "load",
        "parse",
        "lay out",
        "shape",
        "break lines",
        "paginate",
        "write EPUB",
        "write PDF",
    ] {
        assert!(said.contains(stage), "{stage}: {said}");
    }
    assert!(said.contains("no errors, 0 warnings"), "{said}");
    assert!(said.contains("13 pages"), "{said}");
    assert!(
        !book.join("out").exists(),
        "check wrote {}",
        book.join("out").display()
    );
}

#[test]
fn strict_makes_warnings_errors_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    book_with_a_warning(tmp.path());
    let book = common::arg(tmp.path());

    let output = warraq(&["check", book]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("warning[missing-alt]: "),
        "{}",
        stderr(&output)
    );

    for command in ["check", "build"] {
        let output = warraq(&[command, book, "--strict"]);
        let said = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{command}: {said}");
        assert!(said.contains("error: "), "{said}");
        assert!(!said.contains("warning["), "{said}");
        assert!(said.contains("01.md:5"), "{said}");
        assert!(said.contains("--strict"), "{said}");
        assert!(
            !tmp.path().join("out").exists(),
            "{command} --strict wrote outputs"
        );
    }
    // Without --strict the build writes both.
    let output = warraq(&["build", book]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(tmp.path().join("out").read_dir().unwrap().count() == 2);
}

#[test]
fn errors_in_the_book_exit_1_with_their_place() {
    let tmp = tempfile::tempdir().unwrap();
    common::write_files(
        tmp.path(),
        &[
            ("book.toml", b"[book]\ntitle = \"t\"\nauthor = [\"x\"]\n"),
            ("01.md", "# x\n".as_bytes()),
        ],
    );
    for command in ["check", "build"] {
        let output = warraq(&[command, common::arg(tmp.path())]);
        let said = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{command}: {said}");
        assert!(said.contains("unknown key `author` in `[book]`"), "{said}");
        assert!(said.contains("did you mean `authors`?"), "{said}");
        assert!(said.contains("book.toml:3"), "{said}");
    }
}

#[test]
fn the_command_or_the_machine_failing_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no-such-book");
    for args in [
        vec!["check", common::arg(&missing)],
        vec!["build", common::arg(&missing)],
        vec!["frobnicate"],
        vec!["build", "--format", "docx"],
    ] {
        let output = warraq(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    // An output folder that cannot be made: a file stands where it would go.
    let blocked = tmp.path().join("blocked");
    std::fs::write(&blocked, b"a file").unwrap();
    let out = blocked.join("out");
    let output = warraq(&[
        "build",
        common::arg(&common::seed_book()),
        "-o",
        common::arg(&out),
    ]);
    let said = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{said}");
    assert!(said.contains("cannot create output folder"), "{said}");
}
