//! Committed references: page images (`tests/ref/*.png`) and text
//! snapshots (`tests/snapshots/*.txt`). A test compares what it made with
//! its reference; `WARRAQ_UPDATE_REFS=1` rewrites the references instead.
//! A missing reference is a failure. On a mismatch the actual output (and,
//! for images, a difference image) goes to `<target>/ref-failures/`.

use std::path::{Path, PathBuf};

use image::GrayImage;

/// The environment variable that rewrites the references.
pub const UPDATE: &str = "WARRAQ_UPDATE_REFS";

/// The command that rewrites them, for failure messages.
pub const UPDATE_COMMAND: &str =
    "WARRAQ_UPDATE_REFS=1 cargo test --release --test suite -- reference_images:: page_dump::";

/// Whether this run rewrites the references.
pub fn updating() -> bool {
    std::env::var(UPDATE).is_ok_and(|v| v == "1")
}

/// Where mismatching outputs are written: `ref-failures` in cargo's target
/// folder.
pub fn failures_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target folder")
        .join("ref-failures");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ---------------------------------------------------------------------------
// Text snapshots.

/// Compares `actual` with `tests/snapshots/<name>.txt` (or rewrites it).
pub fn check_text(name: &str, actual: &str) -> Result<(), String> {
    let path = super::repo()
        .join("tests/snapshots")
        .join(format!("{name}.txt"));
    if updating() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        eprintln!("updated {}", path.display());
        return Ok(());
    }
    let Ok(expected) = std::fs::read_to_string(&path) else {
        return Err(format!(
            "{} is missing; make it with `{UPDATE_COMMAND}`",
            path.display()
        ));
    };
    if expected == actual {
        return Ok(());
    }
    let saved = failures_dir().join(format!("{name}.txt"));
    std::fs::write(&saved, actual).unwrap();
    let (line, (want, got)) = expected
        .lines()
        .chain(std::iter::repeat("<end>"))
        .zip(actual.lines().chain(std::iter::repeat("<end>")))
        .enumerate()
        .find(|(_, (a, b))| a != b)
        .unwrap_or((0, ("", "")));
    Err(format!(
        "{name}: the page dump differs from {} at line {}:\n  expected: {want}\n  actual:   {got}\n\
         actual written to {}; if the change is intended, run `{UPDATE_COMMAND}`",
        path.display(),
        line + 1,
        saved.display()
    ))
}

// ---------------------------------------------------------------------------
// Page images.

/// The resolution pages are rendered at, in dots per inch (an A5 page is
/// 349 × 496 pixels, a few tens of kilobytes as grey PNG).
pub const RESOLUTION: u32 = 60;

/// When two renderings count as the same page.
#[derive(Debug, Clone, Copy)]
pub struct Tolerance {
    /// A pixel differs when its grey levels differ by more than this:
    /// anti-aliasing and rasteriser versions move edges by less.
    pub grey_levels: u8,
    /// The page differs when more than this share of its pixels differ.
    /// A text line moved by a few pixels changes well over 0.1 % of an A5
    /// page at 60 dpi (the comparator's test shows it).
    pub max_share: f64,
}

pub const TOLERANCE: Tolerance = Tolerance {
    grey_levels: 64,
    max_share: 0.001,
};

/// How two images differ.
#[derive(Debug)]
pub struct Comparison {
    /// Pixels differing beyond the tolerance's grey levels.
    pub differing: usize,
    pub total: usize,
    /// White where equal, darker the more a pixel differs.
    pub diff: GrayImage,
}

impl Comparison {
    pub fn share(&self) -> f64 {
        self.differing as f64 / self.total as f64
    }
}

/// Compares two page images; `Err` if their sizes differ.
pub fn compare(
    expected: &GrayImage,
    actual: &GrayImage,
    tolerance: Tolerance,
) -> Result<Comparison, String> {
    if expected.dimensions() != actual.dimensions() {
        return Err(format!(
            "size {:?}, expected {:?}",
            actual.dimensions(),
            expected.dimensions()
        ));
    }
    let mut diff = GrayImage::new(actual.width(), actual.height());
    let mut differing = 0;
    for ((e, a), d) in expected
        .pixels()
        .zip(actual.pixels())
        .zip(diff.pixels_mut())
    {
        let delta = e.0[0].abs_diff(a.0[0]);
        if delta > tolerance.grey_levels {
            differing += 1;
        }
        d.0[0] = 255 - delta;
    }
    Ok(Comparison {
        differing,
        total: (actual.width() * actual.height()) as usize,
        diff,
    })
}

/// Whether `actual` and `expected` are the same page under `tolerance`.
pub fn same_page(expected: &GrayImage, actual: &GrayImage, tolerance: Tolerance) -> bool {
    compare(expected, actual, tolerance).is_ok_and(|c| c.share() <= tolerance.max_share)
}

/// Renders page `index` (0-based) of `pdf` as a grey image at
/// `resolution` dots per inch, with `pdftoppm`.
pub fn render(pdf: &Path, index: usize, resolution: u32) -> GrayImage {
    let page = (index + 1).to_string();
    let prefix = pdf.with_extension(format!("page-{page}-{resolution}dpi"));
    let resolution = resolution.to_string();
    super::run_ok(
        "pdftoppm",
        &[
            "-r",
            &resolution,
            "-gray",
            "-png",
            "-f",
            &page,
            "-l",
            &page,
            "-singlefile",
            super::arg(pdf),
            super::arg(&prefix),
        ],
    );
    let png = prefix.with_extension(format!("page-{page}-{resolution}dpi.png"));
    image::open(&png)
        .unwrap_or_else(|e| panic!("{}: {e}", png.display()))
        .to_luma8()
}

/// Compares `actual` with `tests/ref/<name>.png` (or rewrites it).
pub fn check_image(name: &str, actual: &GrayImage) -> Result<(), String> {
    let path = super::repo().join("tests/ref").join(format!("{name}.png"));
    if updating() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        actual.save(&path).unwrap();
        eprintln!("updated {}", path.display());
        return Ok(());
    }
    let expected = match image::open(&path) {
        Ok(expected) => expected.to_luma8(),
        Err(e) => {
            return Err(format!(
                "{name}: no reference ({}: {e}); make it with `{UPDATE_COMMAND}`",
                path.display()
            ));
        }
    };
    let saved = failures_dir().join(format!("{name}.actual.png"));
    let failure = match compare(&expected, actual, TOLERANCE) {
        Ok(c) if c.share() <= TOLERANCE.max_share => return Ok(()),
        Ok(c) => {
            let diff = failures_dir().join(format!("{name}.diff.png"));
            c.diff.save(&diff).unwrap();
            format!(
                "{:.3} % of the pixels differ by more than {} grey levels (at most {:.3} % may); \
                 difference: {}",
                c.share() * 100.0,
                TOLERANCE.grey_levels,
                TOLERANCE.max_share * 100.0,
                diff.display()
            )
        }
        Err(why) => why,
    };
    actual.save(&saved).unwrap();
    Err(format!(
        "{name}: the page differs from {}: {failure}; actual: {}; \
         if the change is intended, run `{UPDATE_COMMAND}`",
        path.display(),
        saved.display()
    ))
}
