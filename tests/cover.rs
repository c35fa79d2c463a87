//! The cover warraq designs for every book: in the EPUB a JPEG the stores
//! take (read back by MuPDF), not a flat page, with the title drawn as
//! HarfBuzz shapes it (compared with `hb-view`), fitted however long the
//! title, the same design as the PDF's first page (rendered by poppler),
//! and the same bytes from build to build. EPUBCheck passes the package.

use crate::common;

use std::io::Read;
use std::path::Path;

use common::{arg, folder, run_ok, scratch};
use image::RgbImage;

/// What the stores ask for at least.
const STORE_PIXELS: (u32, u32) = (1600, 2560);

/// The EPUB's cover-image: its manifest entry's href and the file's bytes.
fn epub_cover(epub: &Path) -> (String, Vec<u8>) {
    let bytes = std::fs::read(epub).expect("the EPUB");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut read = |name: &str| {
        let mut out = Vec::new();
        zip.by_name(name)
            .unwrap_or_else(|_| panic!("{name} in the EPUB"))
            .read_to_end(&mut out)
            .unwrap();
        out
    };
    let opf = String::from_utf8(read("EPUB/package.opf")).unwrap();
    let item = opf
        .lines()
        .find(|line| line.contains("properties=\"cover-image\""))
        .unwrap_or_else(|| panic!("no cover-image in the manifest:\n{opf}"));
    assert!(item.contains("media-type=\"image/jpeg\""), "{item}");
    let href = item.split("href=\"").nth(1).unwrap();
    let href = href[..href.find('"').unwrap()].to_string();
    let jpeg = read(&format!("EPUB/{href}"));
    (href, jpeg)
}

/// `jpeg` decoded by MuPDF (at 96 dpi, the resolution it gives a JPEG that
/// names none: one pixel a pixel).
fn mupdf_decode(jpeg: &[u8], name: &str) -> RgbImage {
    let dir = scratch().join("cover-decode");
    std::fs::create_dir_all(&dir).unwrap();
    let (file, ppm) = (
        dir.join(format!("{name}.jpg")),
        dir.join(format!("{name}.ppm")),
    );
    std::fs::write(&file, jpeg).unwrap();
    let args = ["draw", "-q", "-F", "pnm", "-c", "rgb", "-r", "96"];
    run_ok(
        "mutool",
        &[&args[..], &["-o", arg(&ppm), arg(&file)]].concat(),
    );
    let data = std::fs::read(&ppm).unwrap();
    // P6, width, height, 255, one whitespace, then the samples.
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while data[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !data[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8_lossy(&data[start..at]).into_owned());
    }
    assert_eq!((fields[0].as_str(), fields[3].as_str()), ("P6", "255"));
    let (width, height) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    RgbImage::from_raw(width, height, data[at + 1..].to_vec()).expect("a whole PPM")
}

/// A book with one chapter and `toml` as its book.toml.
fn book(toml: &str) -> tempfile::TempDir {
    folder(&[
        ("book.toml", toml.as_bytes()),
        ("01.md", "# فصل\n\nنص قصير.\n".as_bytes()),
    ])
}

fn build(dir: &tempfile::TempDir, out: &str) -> common::Built {
    common::build(dir.path(), out)
}

/// Pixels bright in every channel: the white of the cover's text (the
/// ornaments' colours all have a channel below it).
fn is_text(pixel: &image::Rgb<u8>) -> bool {
    pixel.0.iter().all(|&c| c > 215)
}

/// The smallest rectangle (x0, y0, x1, y1) holding every pixel of `image`
/// inside `rows` for which `ink` holds.
fn ink_box(
    image: &RgbImage,
    rows: std::ops::Range<u32>,
    ink: impl Fn(&image::Rgb<u8>) -> bool,
) -> Option<(u32, u32, u32, u32)> {
    let mut found: Option<(u32, u32, u32, u32)> = None;
    for y in rows {
        for x in 0..image.width() {
            if ink(image.get_pixel(x, y)) {
                let (x0, y0, x1, y1) = found.unwrap_or((x, y, x, y));
                found = Some((x0.min(x), y0.min(y), x1.max(x), y1.max(y)));
            }
        }
    }
    found
}

#[test]
fn a_book_without_artwork_gets_a_designed_store_sized_cover() {
    let built = common::build(&common::english_book(), "cover-english");
    let (href, jpeg) = epub_cover(&built.epub());
    let cover = mupdf_decode(&jpeg, "english");
    assert!(
        cover.width() >= STORE_PIXELS.0 && cover.height() >= STORE_PIXELS.1,
        "{}×{}",
        cover.width(),
        cover.height()
    );
    assert_eq!(cover.width() * 8, cover.height() * 5, "the shape 1 : 1.6");

    // Not a flat page: the grey levels spread, and many colours show.
    let greys: Vec<f64> = cover
        .pixels()
        .map(|p| p.0.iter().map(|&c| f64::from(c)).sum::<f64>() / 3.0)
        .collect();
    let mean = greys.iter().sum::<f64>() / greys.len() as f64;
    let deviation =
        (greys.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / greys.len() as f64).sqrt();
    assert!(deviation > 20.0, "grey levels deviate by {deviation:.1}");
    let colours: std::collections::HashSet<[u8; 3]> =
        cover.pixels().map(|p| p.0.map(|c| c >> 4)).collect();
    assert!(colours.len() > 30, "{} colours", colours.len());

    // The cover page shows that picture, whole.
    let bytes = std::fs::read(built.epub()).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
    let mut page = String::new();
    zip.by_name("EPUB/cover.xhtml")
        .unwrap()
        .read_to_string(&mut page)
        .unwrap();
    assert!(
        page.contains(&format!(
            "<img src=\"{href}\" alt=\"Morocco and Kazakhstan: A Briefing\" role=\"doc-cover\" width=\"1600\" height=\"2560\"/>"
        )),
        "{page}"
    );
    common::epub::assert_epubcheck_clean("english.epub", &bytes);
}

#[test]
fn the_seed_books_artwork_makes_a_store_sized_cover() {
    let built = common::build(&common::seed_book(), "cover-seed");
    let (_, jpeg) = epub_cover(&built.epub());
    let cover = mupdf_decode(&jpeg, "seed");
    assert!(cover.width() >= STORE_PIXELS.0 && cover.height() >= STORE_PIXELS.1);
    // The artwork's own colours, not a pattern's two: thousands of them.
    let colours: std::collections::HashSet<[u8; 3]> =
        cover.pixels().map(|p| p.0.map(|c| c >> 3)).collect();
    assert!(colours.len() > 1000, "{} colours", colours.len());
    // The title is drawn in white over the artwork's band.
    let top = (cover.height() / 10)..(cover.height() / 2);
    assert!(ink_box(&cover, top, is_text).is_some());
}

/// The title on the cover has the shape `hb-view` gives it: the same
/// face's outlines, shaped right to left and joined.
#[test]
fn the_title_is_drawn_as_harfbuzz_shapes_it() {
    let title = "كتاب الخاتم";
    let dir = book(&format!("[book]\ntitle = \"{title}\"\nlanguage = \"ar\"\n"));
    let built = build(&dir, "cover-title");
    let (_, jpeg) = epub_cover(&built.epub());
    let cover = mupdf_decode(&jpeg, "title");
    let (x0, y0, x1, y1) =
        ink_box(&cover, 0..cover.height() / 2, is_text).expect("the title's ink");

    let font = common::repo().join("fonts/Amiri-Bold.ttf");
    let png = scratch().join("cover-title-hb-view.png");
    run_ok(
        "hb-view",
        &[
            "--font-size=200",
            "--margin=0",
            "-O",
            "png",
            "-o",
            arg(&png),
            arg(&font),
            title,
        ],
    );
    let hb = image::open(&png).unwrap().to_rgb8();
    let dark = |p: &image::Rgb<u8>| p.0.iter().all(|&c| c < 128);
    let (h0, v0, h1, v1) = ink_box(&hb, 0..hb.height(), dark).expect("hb-view's ink");
    let (wide, high) = (x1 - x0 + 1, y1 - y0 + 1);
    let aspect = wide as f32 / high as f32;
    let hb_aspect = (h1 - h0 + 1) as f32 / (v1 - v0 + 1) as f32;
    assert!(
        (aspect / hb_aspect - 1.0).abs() < 0.04,
        "ink {wide}×{high} on the cover, aspect {aspect:.3}; hb-view's {hb_aspect:.3}"
    );
    // Pixel by pixel, at the cover's size: the same letters in the same place.
    let hb_ink = image::imageops::crop_imm(&hb, h0, v0, h1 - h0 + 1, v1 - v0 + 1).to_image();
    let hb_ink =
        image::imageops::resize(&hb_ink, wide, high, image::imageops::FilterType::Triangle);
    let mut differ = 0;
    for y in 0..high {
        for x in 0..wide {
            if is_text(cover.get_pixel(x0 + x, y0 + y)) != dark(hb_ink.get_pixel(x, y)) {
                differ += 1;
            }
        }
    }
    let share = differ as f32 / (wide * high) as f32;
    eprintln!(
        "title ink aspect {aspect:.3} (hb-view {hb_aspect:.3}); {:.1}% of its box differs",
        share * 100.0
    );
    assert!(
        share < 0.08,
        "{:.1}% of the title's box differs",
        share * 100.0
    );
}

/// However long the title, or its words, it stays inside its panel; so
/// do the authors, however many.
#[test]
fn long_titles_shrink_and_wrap_inside_the_panel() {
    let long = "The Very Long and Winding Title of a Book That Goes On and On About \
                Everything Its Authors Ever Thought Worth Saying, With a Subtitle Inside \
                It Too, and Then Some More Words For Good Measure";
    let word = "Pneumonoultramicroscopicsilicovolcanoconiosisandantidisestablishmentarianism";
    for (name, title) in [("long", long), ("word", word)] {
        // Many authors too: as many as fit are shown, with a warning.
        let authors = ["\"Alexandra Constantinopoulou-Montgomery\""; 12].join(", ");
        let dir = book(&format!(
            "[book]\ntitle = \"{title}\"\nauthors = [{authors}]\nlanguage = \"en\"\n"
        ));
        let built = build(&dir, &format!("cover-{name}"));
        assert!(
            built.stderr.contains("the cover has room for")
                && built.stderr.contains("of the 12 authors"),
            "{name}: {}",
            built.stderr
        );
        let (_, jpeg) = epub_cover(&built.epub());
        let cover = mupdf_decode(&jpeg, name);
        // The title within the panel's width (a tenth of the page from
        // each side), ending above two thirds of the height, the authors'
        // panel below 72%.
        let split = cover.height() * 18 / 25;
        let (x0, _, x1, y1) = ink_box(&cover, 0..split, is_text).expect("the title's ink");
        let side = cover.width() / 10;
        assert!(
            x0 > side && x1 < cover.width() - side,
            "{name}: ink from x {x0} to {x1}"
        );
        assert!(y1 < cover.height() * 2 / 3, "{name}: ink down to {y1}");
        // The authors between the title and the frame's foot.
        let rows = split..cover.height();
        let (a0, b0, a1, b1) = ink_box(&cover, rows, is_text).expect("the authors' ink");
        assert!(
            a0 > side && a1 < cover.width() - side,
            "{name}: authors from x {a0} to {a1}"
        );
        assert!(
            b0 > y1 && b1 < cover.height() * 19 / 20,
            "{name}: authors from y {b0} to {b1}"
        );
    }
}

/// The PDF's first page is the same design: on a page of the EPUB cover's
/// shape, the two look alike, and unlike another book's cover.
#[test]
fn the_pdf_cover_is_the_same_design() {
    let shape = "[pdf]\nwidth_mm = 125\nheight_mm = 200\nbleed_mm = 0\n";
    let dir = book(&format!(
        "[book]\ntitle = \"المغرب وكازاخستان\"\nsubtitle = \"شراكة استراتيجية\"\n\
         authors = [\"حسن عماري\"]\nlanguage = \"ar\"\n{shape}"
    ));
    let other = book(&format!(
        "[book]\ntitle = \"Another Book Entirely\"\nauthors = [\"Someone Else\"]\n\
         language = \"en\"\n{shape}"
    ));
    let small = |image: &RgbImage| {
        image::imageops::resize(image, 100, 160, image::imageops::FilterType::Triangle)
    };
    let difference = |a: &RgbImage, b: &RgbImage| {
        let sum: u64 = a
            .pixels()
            .zip(b.pixels())
            .flat_map(|(p, q)| p.0.iter().zip(q.0).map(|(&x, y)| u64::from(x.abs_diff(y))))
            .sum();
        sum as f64 / (a.width() * a.height() * 3) as f64
    };
    let built = build(&dir, "cover-alike");
    let page = common::render_rgb(&built.pdf, 1, 100.0);
    let shape_error = (page.width() as f32 * 1.6 - page.height() as f32).abs();
    assert!(
        shape_error < 3.0,
        "a page of the cover's shape, to a pixel's rounding"
    );
    let (_, jpeg) = epub_cover(&built.epub());
    let epub = small(&mupdf_decode(&jpeg, "alike"));
    let pdf = small(&page);
    let other = build(&other, "cover-other");
    let (_, other_jpeg) = epub_cover(&other.epub());
    let other = small(&mupdf_decode(&other_jpeg, "other"));
    let (alike, unlike) = (difference(&pdf, &epub), difference(&other, &epub));
    eprintln!("PDF and EPUB covers differ by {alike:.2} a sample; two books' by {unlike:.2}");
    assert!(
        alike < 6.0,
        "PDF and EPUB covers differ by {alike:.1} a sample"
    );
    assert!(
        unlike > 20.0,
        "two books' covers differ by only {unlike:.1}"
    );
}

#[test]
fn the_cover_has_the_same_bytes_every_build() {
    let once = common::build(&common::english_book(), "cover-once");
    let again = common::build(&common::english_book(), "cover-again");
    assert_eq!(epub_cover(&once.epub()).1, epub_cover(&again.epub()).1);
}

/// The cover is encoded as libjpeg-turbo's C code encodes its pixels
/// (`cjpeg`, Debian's libjpeg-turbo-progs, told to use no SIMD code, with
/// the cover's settings): the integer DCT's bytes, which the build's
/// encoder gives whichever of its processor-specific paths it takes here.
#[test]
fn the_cover_is_encoded_as_libjpeg_turbos_plain_c_code_encodes_it() {
    let book = warraq::load::load_with_epoch(&common::english_book(), Some("1700000000"))
        .expect("the book loads");
    let document = warraq::parse::parse(&book, &mut Default::default()).expect("it parses");
    let fonts = warraq::fonts::FontLibrary::for_book(&document.fonts).expect("its fonts load");
    let pixels = warraq::layout::cover::epub_pixels(&document, &fonts).expect("it paints");
    let (wide, high) = warraq::layout::cover::EPUB_COVER_PIXELS;
    let mut ppm = format!("P6\n{wide} {high}\n255\n").into_bytes();
    ppm.extend(pixels.chunks(4).flat_map(|pixel| &pixel[..3]));
    let file = scratch().join("cover-pixels.ppm");
    std::fs::write(&file, ppm).unwrap();
    let plain = std::process::Command::new("cjpeg")
        .env("JSIMD_FORCENONE", "1")
        .args(["-quality", "82", "-sample", "2x2", "-dct", "int"])
        .arg(&file)
        .output()
        .expect("cjpeg (Debian's libjpeg-turbo-progs) runs");
    assert!(
        plain.status.success(),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    let ours = warraq::layout::cover::epub_jpeg(&document, &fonts).expect("it encodes");
    assert!(
        ours == plain.stdout,
        "the cover's JPEG ({} bytes) is not cjpeg's ({} bytes)",
        ours.len(),
        plain.stdout.len()
    );
}
