//! A book may bring its own fonts in `fonts/`: they come first for body
//! text, and warraq's faces fill in what they lack.

use std::path::Path;

use warraq::diag::Diagnostics;
use warraq::fonts::FontLibrary;
use warraq::layout::page::Item;

fn book_with_font(font_file: &str, font_bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("01.md"),
        "# عنوان\n\nنص عربي مع كلمة Астана.\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("fonts")).unwrap();
    std::fs::write(dir.path().join("fonts").join(font_file), font_bytes).unwrap();
    dir
}

fn amiri_bold() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/Amiri-Bold.ttf")).unwrap()
}

#[test]
fn the_books_font_sets_the_text_and_builtin_faces_fill_in() {
    // Amiri Bold, renamed: a "regular" face the book brings.
    let dir = book_with_font("Display-Regular.ttf", &amiri_bold());
    let book = warraq::load::load(dir.path()).unwrap();
    let mut warnings = Diagnostics::default();
    let document = warraq::parse::parse(&book, &mut warnings).unwrap();
    let fonts = FontLibrary::for_book(&document.fonts).unwrap();
    assert_eq!(fonts.faces[0].file_name, "Display-Regular.ttf");
    assert_eq!(fonts.faces[0].family, "Display");

    let pages = warraq::layout::typeset(&document, &fonts, &mut warnings).unwrap();
    let body = pages.pages.last().unwrap();
    let faces: Vec<&str> = body
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Glyphs(run) if run.text.contains("نص عربي") => {
                Some(fonts.faces[run.face].file_name.as_str())
            }
            _ => None,
        })
        .collect();
    assert!(faces.contains(&"Display-Regular.ttf"), "{faces:?}");
    // Cyrillic is not in the book's font: Noto Serif fills in.
    assert!(faces.contains(&"NotoSerif-Regular.ttf"), "{faces:?}");
    assert!(warnings.0.is_empty(), "{:?}", warnings.0);

    let epub = warraq::epub::write(&document, &fonts, None, &mut Default::default()).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
    let names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    assert!(
        names.iter().any(|n| n.ends_with("Display-Regular.ttf")),
        "{names:?}"
    );
    let mut css = String::new();
    let css_name = names.iter().find(|n| n.ends_with(".css")).unwrap().clone();
    std::io::Read::read_to_string(&mut zip.by_name(&css_name).unwrap(), &mut css).unwrap();
    assert!(css.contains("\"Display\""), "{css}");
}

#[test]
fn a_file_that_is_not_a_font_is_an_error_naming_it() {
    let dir = book_with_font("Broken-Regular.ttf", b"not a font at all");
    let out = dir.path().join("out");
    let result = warraq::build(&warraq::BuildOptions {
        out_dir: Some(out.clone()),
        ..warraq::BuildOptions::for_book(dir.path())
    });
    let error = result.expect_err("a broken font fails the build");
    assert!(error.to_string().contains("Broken-Regular.ttf"), "{error}");
    assert!(
        !out.join(format!(
            "{}.pdf",
            dir.path().file_name().unwrap().to_string_lossy()
        ))
        .exists()
    );
}
