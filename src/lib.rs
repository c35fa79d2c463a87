//! warraq turns a folder of Markdown chapters into an EPUB 3 and a print PDF.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! load (book folder → Book: chapters, pictures, fonts; the only stage
//!       that reads the disk) → parse (Markdown → doc::Document)
//!     ├─ epub   (Document → .epub bytes)
//!     └─ text (bidi, itemize, shape) → layout (break lines, paginate → pages)
//!              → pdf (pages → .pdf bytes)
//!              → impose (pages → booklet sheets) → pdf::booklet (the
//!                .pdf's pages on the sheets → booklet .pdf bytes)
//! ```
//!
//! Each stage takes data in and hands data out; writers never reach back into
//! Markdown.

pub mod diag;
pub mod doc;
pub mod epub;
pub mod fonts;
pub mod impose;
mod isbn;
pub mod layout;
pub mod load;
pub mod locale;
pub mod new;
pub mod output;
pub mod parse;
pub mod pdf;
pub mod progress;
pub mod raster;
pub mod text;
pub mod time;
pub mod watch;
mod xml;

use std::path::{Path, PathBuf};

use diag::{Code, Diagnostic, Diagnostics, Result};
pub use progress::{Progress, Stage, Unwatched};

/// Which outputs a build writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    Epub,
    Pdf,
    #[default]
    All,
}

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub book_dir: PathBuf,
    /// Defaults to `book_dir/out`.
    pub out_dir: Option<PathBuf>,
    pub format: Format,
    /// `--pdf-preset`: over `book.toml`'s `[pdf] preset`.
    pub pdf_preset: Option<doc::PrintPreset>,
    /// `--pdf-standard`: overrides `[pdf] standard`.
    pub pdf_standard: Option<pdf::standard::PdfStandard>,
    /// `--booklet`: impose a booklet too, whatever `[pdf] booklet` says.
    pub booklet: bool,
    /// Shape each piece of text once and reuse it ([`text::ShapeCache`]).
    /// On but to prove that it changes nothing.
    pub shaping_cache: bool,
    /// Draw the PDF's pages as layout hands them over, a share of chapters
    /// at a time, and let each go once drawn, keeping what krilla makes of
    /// them in a temporary file until the end, instead of laying out the
    /// whole book first and holding all in memory. On but to prove that it
    /// changes nothing.
    pub streaming: bool,
}

impl BuildOptions {
    /// A build of `book_dir` with every default: both outputs into
    /// `book_dir/out`, the settings of its book.toml.
    pub fn for_book(book_dir: &Path) -> Self {
        BuildOptions {
            book_dir: book_dir.to_path_buf(),
            out_dir: None,
            format: Format::All,
            pdf_preset: None,
            pdf_standard: None,
            booklet: false,
            shaping_cache: true,
            streaming: true,
        }
    }

    /// Where the outputs go: `out_dir`, else `book_dir/out`.
    pub fn output_dir(&self) -> PathBuf {
        self.out_dir
            .clone()
            .unwrap_or_else(|| self.book_dir.join("out"))
    }
}

#[derive(Debug, Default)]
pub struct BuildReport {
    /// Files written, in the order written.
    pub outputs: Vec<PathBuf>,
    /// Warnings (a book with errors is not written).
    pub warnings: Diagnostics,
    /// Pages in the PDF (0 when no PDF was made).
    pub pdf_pages: usize,
}

/// A book built in memory: what is to be written, and what was found.
#[derive(Debug, Default)]
pub struct Compiled {
    /// Each output's path and bytes (the PDF's in the pieces krilla made it
    /// in), in the order they are to be written.
    pub files: Vec<(PathBuf, output::Pieces)>,
    pub out_dir: PathBuf,
    /// Warnings (a book with errors does not compile).
    pub warnings: Diagnostics,
    /// Pages in the PDF (0 when no PDF was made).
    pub pdf_pages: usize,
    /// The booklet, when one was imposed.
    pub booklet: Option<BookletReport>,
    /// How long each stage took, in the order they ran (the EPUB and the
    /// PDF are made side by side). Shape, Break and Paginate are parts of
    /// Layout, the first two summed over its threads: not to be added to
    /// the others.
    pub timings: Vec<(Stage, std::time::Duration)>,
}

/// What a user needs to print the booklet.
#[derive(Debug, Clone, Copy)]
pub struct BookletReport {
    /// Sheets of paper, each printed on both sides.
    pub sheets: usize,
    pub paper: doc::Paper,
    pub flip: doc::Flip,
    /// How much the pages are reduced (1: printed at their size).
    pub scale: f32,
    /// Sheets folded together, when the booklet is in several signatures.
    pub signature: Option<usize>,
}

/// `run`'s value and how long it took.
fn timed<T>(run: impl FnOnce() -> T) -> (T, std::time::Duration) {
    let start = std::time::Instant::now();
    let value = run();
    (value, start.elapsed())
}

/// Builds a book folder into its EPUB and/or PDF: [`compile`], then
/// [`write`].
pub fn build(options: &BuildOptions) -> Result<BuildReport, Diagnostics> {
    Ok(write(compile(options)?)?)
}

/// Writes what [`compile`] made. Outputs are written together and
/// atomically: on error no output file is created or replaced.
pub fn write(compiled: Compiled) -> Result<BuildReport> {
    let Compiled {
        files,
        out_dir,
        warnings,
        pdf_pages,
        ..
    } = compiled;
    let mut report = BuildReport {
        warnings,
        pdf_pages,
        ..BuildReport::default()
    };
    std::fs::create_dir_all(&out_dir).map_err(|e| {
        Diagnostic::io(
            Code::WriteFailed,
            "cannot create output folder",
            &out_dir,
            &e,
        )
    })?;
    output::write_all_atomic(&files)?;
    report.outputs = files.into_iter().map(|(path, _)| path).collect();
    Ok(report)
}

/// Everything a build does but writing: loads the book, parses it, lays it
/// out and makes its outputs in memory, checking links, pictures and
/// glyphs on the way. `warraq check` stops here; [`build`] goes on to
/// [`write`].
///
/// Fails with everything found (warnings too, in the order found) when
/// anything is an error: a stage goes on past the errors it can, so one
/// run reports as many as it can.
///
/// Not to be called on one of rayon's threads: the PDF waits for what
/// krilla compresses on them, and on a pool of one it would wait for
/// itself.
pub fn compile(options: &BuildOptions) -> Result<Compiled, Diagnostics> {
    compile_watched(options, &Unwatched)
}

/// [`compile`], telling `progress` how it goes.
pub fn compile_watched(
    options: &BuildOptions,
    progress: &dyn Progress,
) -> Result<Compiled, Diagnostics> {
    let mut found = Diagnostics::default();
    match compile_into(options, progress, &mut found) {
        Ok(mut compiled) if !found.has_errors() => {
            compiled.warnings = found;
            Ok(compiled)
        }
        Ok(_) => Err(found),
        Err(fatal) => {
            found.push(fatal);
            Err(found)
        }
    }
}

/// [`compile`], adding what it finds to `found`; an `Err` is an error it
/// cannot go past.
/// A book loaded and parsed, with the fonts it is set in: what every
/// command starts from.
pub struct Prepared {
    pub book: load::Book,
    pub document: doc::Document,
    pub fonts: fonts::FontLibrary,
}

/// Loads and parses the book `options` names (its settings overridden by
/// the options) and gathers its fonts, adding what it finds to `found` and
/// the time each stage took to `timings`; an `Err` is an error it cannot
/// go past. `warraq fonts` starts here.
pub fn prepare(
    options: &BuildOptions,
    progress: &dyn Progress,
    found: &mut Diagnostics,
    timings: &mut Vec<(Stage, std::time::Duration)>,
) -> Result<Prepared> {
    let (book, document, fonts) = prepare_with(options, progress, found, timings, parse::parse)?;
    Ok(Prepared {
        book,
        document,
        fonts,
    })
}

/// [`prepare`], the book parsed by `parse` ([`parse::parse`] or
/// [`parse::outline`]). [`compile`] starts here.
fn prepare_with<P>(
    options: &BuildOptions,
    progress: &dyn Progress,
    found: &mut Diagnostics,
    timings: &mut Vec<(Stage, std::time::Duration)>,
    parse: impl FnOnce(&load::Book, &mut Diagnostics) -> Result<P>,
) -> Result<(load::Book, P, fonts::FontLibrary)> {
    progress.stage(Stage::Load, 0);
    let (book, took) = timed(|| load::load(&options.book_dir));
    let mut book = book?;
    timings.push((Stage::Load, took));
    if let Some(preset) = options.pdf_preset {
        book.config.page.set_preset(preset);
    }
    let unused_marks = book.config.page.print.unused_marks_line();
    if let Some(line) = unused_marks.filter(|_| options.format != Format::Epub) {
        found.push(
            Diagnostic::warning(
                Code::UnusedSetting,
                "`mark_length_mm` and `mark_offset_mm` apply only to a preset with crop marks \
                 (`preset = \"offset\"`); this PDF has none",
            )
            .in_file(book.display_path(load::CONFIG_FILE))
            .at_line(line),
        );
    }
    if let Some(standard) = options.pdf_standard {
        book.config.page.standard = Some(standard);
    }
    if options.booklet {
        if options.format == Format::Epub {
            found.push(Diagnostic::warning(
                Code::UnusedSetting,
                "no booklet is made: it is imposed from the PDF, and only the EPUB is built",
            ));
        }
        book.config.page.booklet = Some(true);
    }
    let page = &book.config.page;
    if let Some(line) = page.booklet_line.filter(|_| !page.booklet()) {
        found.push(
            Diagnostic::warning(
                Code::UnusedSetting,
                "the `[booklet]` settings apply only when a booklet is made \
                 (`[pdf] booklet = true`, `preset = \"briefing\"` or `warraq build --booklet`)",
            )
            .in_file(book.display_path(load::CONFIG_FILE))
            .at_line(line),
        );
    }
    found.extend(std::mem::take(&mut book.config.diagnostics));
    progress.stage(Stage::Parse, 0);
    let (parsed, took) = timed(|| parse(&book, found));
    let parsed = parsed?;
    timings.push((Stage::Parse, took));
    let mut fonts = fonts::FontLibrary::for_book(&book.assets.fonts).map_err(|e| Diagnostic {
        file: e.file.map(|f| book.display_path(f)),
        ..e
    })?;
    fonts.shaped = text::ShapeCache::new(options.shaping_cache);
    Ok((book, parsed, fonts))
}

/// [`compile`], adding what it finds to `found`; an `Err` is an error it
/// cannot go past.
fn compile_into(
    options: &BuildOptions,
    progress: &dyn Progress,
    found: &mut Diagnostics,
) -> Result<Compiled> {
    let mut report = Compiled::default();
    let with_epub = options.format != Format::Pdf;
    // Streaming, the chapters are parsed in outline and each parsed again
    // where it is needed whole: by layout, and by the EPUB as its content
    // document is written, so that the whole parsed book is never held (a
    // book dense with markup peaked a quarter higher with it). Else the
    // book is parsed whole and held.
    let streaming = options.streaming || options.format == Format::Epub;
    let timings = &mut report.timings;
    // What the EPUB reads of all the chapters; and, to check links' anchors
    // against when the chapters are parsed again, their element ids (the
    // EPUB's facts hold them where there are facts).
    let (book, document, fonts, facts, ids) = if streaming {
        let look = |_: usize, chapter: &doc::Chapter| with_epub.then(|| epub::Facts::seen(chapter));
        let outline =
            |book: &load::Book, found: &mut Diagnostics| parse::outline(book, found, look);
        let (book, outline, fonts) = prepare_with(options, progress, found, timings, outline)?;
        let parse::Outline {
            document,
            ids,
            looked,
        } = outline;
        let (facts, ids) = match with_epub {
            true => {
                let seen = looked.into_iter().flatten().collect();
                (Some(epub::Facts::gather(seen, ids)), Vec::new())
            }
            false => (None, ids),
        };
        (book, document, fonts, facts, ids)
    } else {
        let (book, document, fonts) =
            prepare_with(options, progress, found, timings, parse::parse)?;
        let facts = with_epub.then(|| epub::Facts::of(&document));
        (book, document, fonts, facts, Vec::new())
    };

    let out_dir = options.output_dir();
    let name = output_name(&book.dir);

    // The print edition is laid out for the EPUB too: its page-list gives
    // the printed pages. An EPUB alone is still written when the print
    // edition cannot be laid out, without the page-list, saying why.
    progress.stage(Stage::Layout, document.chapters.len());
    let made = if streaming {
        let again = parse::Reparser::new(&book, &document, |index| match &facts {
            Some(facts) => facts.ids(index),
            None => ids.get(index),
        });
        let parsed = facts.as_ref().map(|facts| epub::Parsed {
            document: &document,
            facts,
            again: Some(&again),
        });
        make_streaming(
            options,
            &document,
            &again,
            parsed.as_ref(),
            &fonts,
            progress,
        )
    } else {
        let parsed = facts.as_ref().map(|facts| epub::Parsed {
            document: &document,
            facts,
            again: None,
        });
        make_whole(options, &document, parsed.as_ref(), &fonts, progress)
    };
    let Made {
        laid,
        layout_warnings,
        epub,
        pdf,
    } = made;
    let skeleton = match laid {
        Ok((skeleton, times, took)) => {
            report.timings.extend([
                (Stage::Layout, took),
                (Stage::Shape, times.shape),
                (Stage::Break, times.breaking),
                (Stage::Paginate, times.paginate),
            ]);
            Some(skeleton)
        }
        // The book's print edition that cannot be laid out; not the
        // machine failing (a chapter that changed or cannot be read as
        // layout parses it again), which stops the build.
        Err(error) if options.format == Format::Epub && error.cause == diag::Cause::Book => {
            found.push(Diagnostic::warning(
                Code::NoPageList,
                format!(
                    "the EPUB has no list of the print edition's pages: {}",
                    error.message
                ),
            ));
            None
        }
        // Layout stopped because the PDF could not be drawn: that is what
        // to tell.
        Err(error) if error.message == pdf::STOPPED => match pdf {
            Some(Err(drawing)) => return Err(drawing),
            _ => return Err(error),
        },
        Err(error) => return Err(error),
    };
    if let Some((bytes, epub_warnings, took)) = epub.transpose()? {
        report.timings.push((Stage::Epub, took));
        found.extend(epub_warnings);
        report
            .files
            .push((out_dir.join(format!("{name}.epub")), bytes));
    }
    if let Some((bytes, count, took)) = pdf.transpose()? {
        report.timings.push((Stage::Pdf, took));
        // Layout names chapters by their path in the book; say it as the user would.
        for mut warning in layout_warnings.0 {
            warning.file = warning.file.map(|f| book.display_path(f));
            found.push(warning);
        }
        report.pdf_pages = count;
        let booklet = match (&skeleton, document.page.booklet()) {
            (Some(laid_out), true) => {
                progress.stage(Stage::Booklet, 0);
                let config = book.display_path(load::CONFIG_FILE);
                let (booklet, took) = timed(|| {
                    let print = bytes.read().map_err(|e| {
                        Diagnostic::error(
                            Code::WriteFailed,
                            format!("cannot read the PDF back from its temporary file: {e}"),
                        )
                        .of_environment()
                    })?;
                    impose_booklet(&document, laid_out, print, &config, found)
                });
                report.timings.push((Stage::Booklet, took));
                Some(booklet?)
            }
            _ => None,
        };
        report
            .files
            .push((out_dir.join(format!("{name}.pdf")), bytes));
        if let Some((bytes, summary)) = booklet {
            report.booklet = Some(summary);
            report
                .files
                .push((out_dir.join(format!("{name}-booklet.pdf")), bytes.into()));
        }
    }
    report.out_dir = out_dir;
    Ok(report)
}

/// What laying out the print edition and making the outputs gave: the
/// print edition's skeleton, layout's times and wall time; layout's
/// warnings; the EPUB (its bytes, warnings and time) and the PDF (its
/// bytes, pages and time), each if asked for.
struct Made {
    laid: Result<(layout::Skeleton, layout::LayoutTimes, std::time::Duration)>,
    layout_warnings: Diagnostics,
    epub: Option<Result<(output::Pieces, Diagnostics, std::time::Duration)>>,
    pdf: Option<Result<(output::Pieces, usize, std::time::Duration)>>,
}

/// Tells `progress` the outputs are being written, once the print edition
/// is laid out (`laid_out`: else no PDF is, and an EPUB only if built
/// alone).
fn writing(options: &BuildOptions, progress: &dyn Progress, laid_out: bool) {
    let writes = [
        (
            options.format == Format::Epub || (options.format != Format::Pdf && laid_out),
            Stage::Epub,
        ),
        (options.format != Format::Epub && laid_out, Stage::Pdf),
    ];
    for (_, stage) in writes.into_iter().filter(|(made, _)| *made) {
        progress.stage(stage, 0);
    }
}

/// The EPUB, should the print edition not be laid out: only if the EPUB
/// alone is built (the build fails otherwise; see [`compile_into`]).
fn epub_alone(
    options: &BuildOptions,
    parsed: Option<&epub::Parsed>,
    fonts: &fonts::FontLibrary,
    cover: Option<Result<Vec<u8>>>,
) -> Option<Result<(output::Pieces, Diagnostics, std::time::Duration)>> {
    (options.format == Format::Epub)
        .then(|| make_epub(options, parsed, fonts, None, cover))
        .flatten()
}

/// The EPUB of `parsed`, with its painted `cover` (none asked for: no
/// EPUB) and the page-list of `skeleton`, and how long it took; in a
/// temporary file when streaming, as the PDF.
fn make_epub(
    options: &BuildOptions,
    parsed: Option<&epub::Parsed>,
    fonts: &fonts::FontLibrary,
    skeleton: Option<&layout::Skeleton>,
    cover: Option<Result<Vec<u8>>>,
) -> Option<Result<(output::Pieces, Diagnostics, std::time::Duration)>> {
    let (cover, parsed) = (cover?, parsed?);
    let mut warnings = Diagnostics::default();
    let (bytes, took) = timed(|| {
        let on_disk = options.streaming;
        epub::write_with_cover(parsed, fonts, skeleton, cover?, on_disk, &mut warnings)
    });
    Some(bytes.map(|bytes| (bytes, warnings, took)))
}

/// Lays out the print edition a share of chapters at a time, the PDF's
/// pages drawn as layout hands them over and let go once drawn (a long
/// book's pages were most of the memory a build held), the EPUB's cover
/// painted meanwhile; then writes the EPUB while the PDF is finished.
fn make_streaming(
    options: &BuildOptions,
    document: &doc::Document,
    again: &parse::Reparser,
    parsed: Option<&epub::Parsed>,
    fonts: &fonts::FontLibrary,
    progress: &dyn Progress,
) -> Made {
    let with_epub = options.format != Format::Pdf;
    let mut layout_warnings = Diagnostics::default();
    // Lays out into `sink`, keeping the skeleton, the cover painted
    // meanwhile.
    let lay_out = |sink: Option<&mut (dyn layout::Sink + Send)>, warnings: &mut Diagnostics| {
        let mut skeleton = layout::SkeletonSink::new(&layout::frame(document), sink);
        let ((laid, took), cover) = rayon::join(
            || {
                timed(|| {
                    let sink = &mut skeleton;
                    layout::typeset_into(
                        document,
                        Some(again),
                        fonts,
                        warnings,
                        progress,
                        false,
                        sink,
                    )
                })
            },
            || with_epub.then(|| layout::cover::epub_jpeg(document, fonts)),
        );
        (
            laid.map(|(_, times)| (times, took)),
            skeleton.skeleton,
            cover,
        )
    };
    // Once the print edition is laid out: the EPUB.
    let epub = |laid: &Result<_>, skeleton: &layout::Skeleton, cover| {
        writing(options, progress, laid.is_ok());
        match laid {
            Ok(_) => make_epub(options, parsed, fonts, Some(skeleton), cover),
            Err(_) => epub_alone(options, parsed, fonts, cover),
        }
    };
    let ((laid, skeleton, epub), pdf) = if options.format == Format::Epub {
        let (laid, skeleton, cover) = lay_out(None, &mut layout_warnings);
        let made = epub(&laid, &skeleton, cover);
        ((laid, skeleton, made), None)
    } else {
        let frame = layout::frame(document);
        let (made, pdf) = pdf::draw(document, fonts, frame, true, |mut sink| {
            let (laid, skeleton, cover) = lay_out(Some(&mut sink), &mut layout_warnings);
            // The PDF is finished meanwhile.
            drop(sink);
            let made = epub(&laid, &skeleton, cover);
            (laid, skeleton, made)
        });
        let count = made.1.pages.len();
        (made, Some(pdf.map(|(bytes, took)| (bytes, count, took))))
    };
    Made {
        laid: laid.map(|(times, took)| (skeleton, times, took)),
        layout_warnings,
        epub,
        pdf,
    }
}

/// Lays out the whole print edition, then makes the EPUB and the PDF from
/// it side by side (`BuildOptions::streaming` off: the same bytes).
fn make_whole(
    options: &BuildOptions,
    document: &doc::Document,
    parsed: Option<&epub::Parsed>,
    fonts: &fonts::FontLibrary,
    progress: &dyn Progress,
) -> Made {
    let mut layout_warnings = Diagnostics::default();
    // The EPUB's cover is painted meanwhile: it needs no pages.
    let ((pages, took), cover) = rayon::join(
        || timed(|| layout::typeset_watched(document, fonts, &mut layout_warnings, progress)),
        || (options.format != Format::Pdf).then(|| layout::cover::epub_jpeg(document, fonts)),
    );
    writing(options, progress, pages.is_ok());
    let (laid, pages) = match pages {
        Ok((pages, times)) => (Ok((pages.skeleton(), times, took)), Some(pages)),
        Err(error) => (Err(error), None),
    };
    // The PDF writer is given the pages and lets each go once drawn; the
    // EPUB's page-list and the booklet read only what the skeleton keeps.
    let epub = || match &laid {
        Ok((skeleton, ..)) => make_epub(options, parsed, fonts, Some(skeleton), cover),
        Err(_) => epub_alone(options, parsed, fonts, cover),
    };
    // The PDF on a thread of its own, not rayon's: it waits for krilla's
    // streams compressed on rayon's threads, and on the only one (a pool
    // of one) nothing would compress them.
    let (epub, pdf) = std::thread::scope(|scope| {
        let pdf = scope.spawn(|| {
            let pages = pages.filter(|_| options.format != Format::Epub)?;
            let count = pages.pages.len();
            let (bytes, took) = timed(|| pdf::write(document, fonts, pages));
            Some(bytes.map(|bytes| (bytes, count, took)))
        });
        let epub = epub();
        let pdf = pdf
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (epub, pdf)
    });
    Made {
        laid,
        layout_warnings,
        epub,
        pdf,
    }
}

/// The booklet of the print PDF `print`, and what printing it takes,
/// adding to `found` what of `[booklet]` (in `config`) it cannot do.
fn impose_booklet(
    document: &doc::Document,
    pages: &layout::Skeleton,
    print: Vec<u8>,
    config: &Path,
    found: &mut Diagnostics,
) -> Result<(Vec<u8>, BookletReport)> {
    let page = &document.page;
    let mut setup = page.booklet_setup;
    let mut imposition = impose::impose(pages, &setup);
    let folded = imposition.folded;
    // The innermost sheet's pages move furthest toward the fold: past the
    // inner margin, the fold would cut into the text.
    let inner_sheets = folded.saturating_sub(1) as f32;
    let innermost = inner_sheets * setup.creep_mm;
    if innermost > page.margin_inner_mm {
        setup.creep_mm = page.margin_inner_mm / inner_sheets;
        imposition = impose::impose(pages, &setup);
        found.push(
            Diagnostic::warning(
                Code::InvalidValue,
                format!(
                    "`creep_mm = {}` would move the innermost of {folded} sheets {innermost:.1} mm \
                     toward the fold, past the {} mm inner margin; the booklet creeps {:.2} mm a sheet",
                    page.booklet_setup.creep_mm, page.margin_inner_mm, setup.creep_mm
                ),
            )
            .in_file(config),
        );
    }
    if setup.marks && !pdf::booklet::has_room_for_marks(&imposition) {
        found.push(
            Diagnostic::warning(
                Code::UnusedSetting,
                "`marks = true`: the pages fill the booklet's sheet, leaving no room for fold or \
                 trim marks; none are drawn",
            )
            .in_file(config),
        );
    }
    let bytes = pdf::booklet::write(document, pages, &imposition, print)?;
    Ok((
        bytes,
        BookletReport {
            sheets: imposition.sheets(),
            paper: setup.paper,
            flip: setup.flip,
            scale: imposition.scale,
            signature: (folded < imposition.sheets()).then_some(folded),
        },
    ))
}

/// Output file stem: the book folder's name (`book` → `book.epub`).
fn output_name(book_dir: &Path) -> String {
    book_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty() && n != "." && n != "..")
        .unwrap_or_else(|| "book".to_string())
}

/// What the unit tests of several modules share.
#[cfg(test)]
pub(crate) mod testing {
    /// A fixed stream of pseudo-random numbers from `seed` (a linear
    /// congruential generator): the same cases every run. Its low bits
    /// repeat soon; take the high ones.
    pub(crate) fn pseudo_random(mut seed: u32) -> impl FnMut() -> u32 {
        move || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            seed
        }
    }

    /// `len` bytes of noise from `seed`, which deflating cannot make
    /// smaller.
    pub(crate) fn noise(seed: u32, len: usize) -> Vec<u8> {
        let mut next = pseudo_random(seed);
        (0..len).map(|_| (next() >> 24) as u8).collect()
    }

    /// The seed book, `book/`, loaded and parsed, with its fonts.
    pub(crate) fn seed_book() -> crate::Prepared {
        let book = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("book");
        crate::prepare(
            &crate::BuildOptions::for_book(&book),
            &crate::Unwatched,
            &mut crate::diag::Diagnostics::default(),
            &mut Vec::new(),
        )
        .expect("the seed book")
    }
}

#[cfg(test)]
mod limits_documented {
    use std::collections::BTreeMap;

    /// The rows of README.md's "Limits and safety" table: limit → value.
    fn readme_limits() -> BTreeMap<String, String> {
        let readme = include_str!("../README.md");
        let section = readme
            .split_once("### Limits and safety\n")
            .expect("README.md has a \"Limits and safety\" section")
            .1;
        section
            .lines()
            .skip_while(|line| !line.starts_with('|'))
            .take_while(|line| line.starts_with('|'))
            .skip(2)
            .map(|row| {
                let cells: Vec<&str> = row.split('|').map(str::trim).collect();
                (cells[1].to_string(), cells[2].to_string())
            })
            .collect()
    }

    #[test]
    fn the_readme_gives_the_limits_the_code_uses() {
        use crate::load::{
            MAX_BLEED_MM, MAX_FILE_BYTES, MAX_MARK_MM, MAX_PAGE_MM, MAX_PICTURE_DPI,
            MAX_UNKNOWN_KEYS,
        };
        use crate::parse::{html, links, markdown};
        const MIB: u64 = 1024 * 1024;
        let expected: BTreeMap<&str, String> = [
            (
                "Size of any file read (chapter, `book.toml`, picture, font)",
                format!("{} MiB", MAX_FILE_BYTES / MIB),
            ),
            (
                "Pixels in a picture",
                format!("{} million", links::MAX_PICTURE_PIXELS / 1_000_000),
            ),
            (
                "Nesting of Markdown containers (lists, quotes)",
                markdown::MAX_NESTING.to_string(),
            ),
            (
                "Nesting of raw HTML elements in one fragment",
                html::MAX_DEPTH.to_string(),
            ),
            (
                "Warnings shown per chapter",
                markdown::MAX_WARNINGS.to_string(),
            ),
            (
                "`control-character` warnings per chapter",
                markdown::MAX_CONTROL_WARNINGS.to_string(),
            ),
            (
                "Unknown keys reported in `book.toml`",
                MAX_UNKNOWN_KEYS.to_string(),
            ),
            ("`[pdf] picture_dpi`", MAX_PICTURE_DPI.to_string()),
            ("Page width or height", format!("{MAX_PAGE_MM} mm")),
            ("`[pdf] bleed_mm`", format!("{MAX_BLEED_MM} mm")),
            (
                "`[pdf] mark_length_mm`, `mark_offset_mm`",
                format!("{MAX_MARK_MM} mm"),
            ),
            ("Chapters", "none".to_string()),
        ]
        .into_iter()
        .collect();
        let documented = readme_limits();
        let documented: BTreeMap<&str, String> = documented
            .iter()
            .map(|(limit, value)| (limit.as_str(), value.clone()))
            .collect();
        assert_eq!(documented, expected);
    }
}
