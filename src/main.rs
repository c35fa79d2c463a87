use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use warraq::diag::{Cause, Code, Diagnostic, Diagnostics};
use warraq::doc::PrintPreset;
use warraq::new::SampleLanguage;
use warraq::pdf::standard::PdfStandard;
use warraq::watch::{BookWatcher, Wakeup};
use warraq::{BuildOptions, Format, Progress, Stage};

mod allocator;

/// Builds a folder of Markdown chapters into an EPUB 3 and a print PDF.
#[derive(Parser)]
#[command(
    version,
    about,
    after_help = "Start with `warraq new my-book`, then `warraq build my-book`; \
                  `warraq help COMMAND` shows each command with an example."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print nothing but warnings and errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print how long each stage took, and what was written, terminal or
    /// not.
    #[arg(short, long, global = true)]
    verbose: bool,
    /// How warnings and errors are printed: for people (with the source
    /// line), or one JSON object a line for CI (level, code, message, file,
    /// line, column, hint).
    #[arg(long, value_enum, global = true, default_value_t = MessageFormat::Human)]
    message_format: MessageFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MessageFormat {
    Human,
    Json,
}

/// Where and how diagnostics are printed (stderr).
struct Reporter {
    format: MessageFormat,
    text: warraq::diag::render::Text,
    /// The book folder, that JSON names files relative to.
    book_dir: PathBuf,
}

impl Reporter {
    fn new(format: MessageFormat, book_dir: &Path) -> Self {
        Reporter {
            format,
            text: warraq::diag::render::Text::new(std::io::stderr().is_terminal()),
            book_dir: book_dir.to_path_buf(),
        }
    }

    /// Prints `diagnostics` sorted by file and position, as errors with
    /// `strict`.
    fn report(&mut self, diagnostics: Diagnostics, strict: bool) {
        for diagnostic in diagnostics.sorted().0 {
            let diagnostic = if strict {
                diagnostic.as_error()
            } else {
                diagnostic
            };
            self.print(&diagnostic);
        }
    }

    fn print(&mut self, diagnostic: &Diagnostic) {
        match self.format {
            // A blank line after each, as rustc does.
            MessageFormat::Human => eprintln!("{}\n", self.text.render(diagnostic)),
            MessageFormat::Json => {
                eprintln!("{}", warraq::diag::render::json(diagnostic, &self.book_dir))
            }
        }
    }

    /// Reports `error`; the exit code says whose it is.
    fn failed(&mut self, error: &Diagnostic) -> ExitCode {
        self.print(error);
        exit_code(error.cause)
    }
}

/// How much `build` and `check` say besides warnings and errors: on a
/// terminal a summary line, elsewhere (a CI log) nothing, unless asked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Say {
    Nothing,
    Summary,
    Timings,
}

#[derive(Subcommand)]
enum Command {
    /// Start a book: DIR/book.toml with every key explained, two sample
    /// chapters, cover artwork and a .gitignore.
    ///
    /// Example: `warraq new my-book --lang en`
    New {
        /// The folder to create; it must not exist or be empty.
        dir: PathBuf,
        /// The sample chapters' language (and so the book's direction).
        #[arg(long, value_enum, default_value_t = LangArg::Ar)]
        lang: LangArg,
    },
    /// Build a book folder into OUT_DIR/<name>.epub and OUT_DIR/<name>.pdf.
    ///
    /// Example: `warraq build my-book --pdf-preset offset`, or `warraq build
    /// --open` to see the PDF once written.
    Build {
        #[command(flatten)]
        book: BookArgs,
        #[command(flatten)]
        output: OutputArgs,
        /// Then open the PDF (the EPUB if only that was built) with the
        /// system's viewer, or with the program named by $WARRAQ_OPENER.
        #[arg(long)]
        open: bool,
    },
    /// Build a book folder, then build it again whenever one of its files
    /// changes, until Ctrl-C. A build that fails prints its errors and
    /// leaves the last good outputs as they were.
    ///
    /// Example: `warraq watch my-book --format pdf`
    Watch {
        #[command(flatten)]
        book: BookArgs,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Check a book folder: everything a build does (load, parse, shape,
    /// lay out, make both outputs in memory, check links, pictures and
    /// glyphs) but writing.
    ///
    /// Example: `warraq check my-book --strict`
    Check {
        #[command(flatten)]
        book: BookArgs,
    },
    /// Tell which face sets which characters of a book, and where the
    /// characters no face has are.
    ///
    /// The book is laid out as a build lays it out (nothing is written), and
    /// every face that sets text is listed: its file, what it sets (text,
    /// bold, italic, code), how many characters and which scripts, and the
    /// code points. Then the characters set in faces of different families
    /// depending on how they are set, and every character no face has,
    /// with each file:line:column it is at. Exit status: 0 every character
    /// has a face, 1 some character has none (or the book has errors), 2
    /// usage or environment errors.
    ///
    /// Example: `warraq fonts my-book`
    Fonts {
        /// The book folder (Markdown files, optional book.toml).
        #[arg(default_value = ".")]
        book_dir: PathBuf,
    },
    /// Print a completion script for a shell, made from this command line's
    /// definition.
    ///
    /// Example: `warraq completions bash > ~/.local/share/bash-completion/completions/warraq`
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print warraq's manual page (roff), made from this command line's
    /// definition.
    ///
    /// Example: `warraq man > warraq.1 && man ./warraq.1`, or `warraq man
    /// --out-dir man1` for a page per command.
    Man {
        /// Write warraq.1 and a page per command (warraq-build.1 and so on) into
        /// this folder instead.
        #[arg(long)]
        out_dir: Option<PathBuf>,
    },
}

/// What `build` and `check` share.
#[derive(Args)]
struct BookArgs {
    /// The book folder (Markdown files, optional book.toml).
    #[arg(default_value = ".")]
    book_dir: PathBuf,
    /// Who prints the PDF (bleed, crop marks); over book.toml's
    /// `[pdf] preset`.
    #[arg(long, value_enum)]
    pdf_preset: Option<PresetArg>,
    /// The standard the PDF is written to: "pdf/a-2u", "pdf/x-4" or
    /// "none" [default: book.toml's `[pdf] standard`, else none].
    #[arg(long, value_parser = parse_standard)]
    pdf_standard: Option<PdfStandard>,
    /// Also impose the PDF's pages as a booklet, 2-up on A4 (or as
    /// book.toml's `[booklet]` says), into OUT_DIR/<name>-booklet.pdf; as
    /// book.toml's `[pdf] booklet = true`.
    #[arg(long)]
    booklet: bool,
    /// Treat warnings as errors: exit 1 and write nothing when there are
    /// any.
    #[arg(long)]
    strict: bool,
}

impl BookArgs {
    fn options(&self, out_dir: Option<PathBuf>, format: Format) -> BuildOptions {
        BuildOptions {
            book_dir: self.book_dir.clone(),
            out_dir,
            format,
            pdf_preset: self.pdf_preset.map(|preset| match preset {
                PresetArg::Office => PrintPreset::Office,
                PresetArg::Kdp => PrintPreset::Kdp,
                PresetArg::Offset => PrintPreset::Offset,
                PresetArg::Briefing => PrintPreset::Briefing,
            }),
            pdf_standard: self.pdf_standard,
            booklet: self.booklet,
            shaping_cache: true,
            streaming: true,
        }
    }
}

/// What `build` and `watch` share: where to write what.
#[derive(Args)]
struct OutputArgs {
    /// Where to write the outputs [default: BOOK_DIR/out].
    #[arg(short, long)]
    out_dir: Option<PathBuf>,
    /// Which outputs to write.
    #[arg(long, value_enum, default_value_t = FormatArg::All)]
    format: FormatArg,
}

impl OutputArgs {
    fn format(&self) -> Format {
        match self.format {
            FormatArg::Epub => Format::Epub,
            FormatArg::Pdf => Format::Pdf,
            FormatArg::All => Format::All,
        }
    }
}

/// What `run` does with a book that compiled.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Finish {
    /// Nothing: `check`.
    Report,
    Write,
    /// Write, then open the PDF (or the EPUB) in a viewer: `build --open`.
    WriteAndOpen,
}

/// The languages `warraq new` writes sample books in.
#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    /// Arabic, right to left.
    Ar,
    /// English, left to right.
    En,
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    Epub,
    Pdf,
    All,
}

/// The presets of `warraq::doc::PrintPreset`, by their book.toml names.
#[derive(Clone, Copy, ValueEnum)]
enum PresetArg {
    Office,
    Kdp,
    Offset,
    Briefing,
}

/// Exit codes: the book is fine; the book has errors (or warnings, with
/// `--strict`); the command or the machine failed (usage, a folder that
/// cannot be read or written). clap exits 2 on usage errors too.
const BOOK_ERRORS: u8 = 1;
const ENVIRONMENT_ERRORS: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let say = if cli.verbose {
        Say::Timings
    } else if cli.quiet || !std::io::stderr().is_terminal() {
        Say::Nothing
    } else {
        Say::Summary
    };
    match cli.command {
        Command::New { dir, lang } => {
            let language = match lang {
                LangArg::Ar => SampleLanguage::Arabic,
                LangArg::En => SampleLanguage::English,
            };
            match warraq::new::new_book(&dir, language) {
                Ok(files) => {
                    for path in &files {
                        eprintln!("wrote {}", path.display());
                    }
                    eprintln!("next: warraq build {}", dir.display());
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    // Every failure here is the command's (the folder given).
                    Reporter::new(cli.message_format, &dir).print(&error);
                    ExitCode::from(ENVIRONMENT_ERRORS)
                }
            }
        }
        Command::Build { book, output, open } => {
            let finish = if open {
                Finish::WriteAndOpen
            } else {
                Finish::Write
            };
            let options = book.options(output.out_dir.clone(), output.format());
            let mut reporter = Reporter::new(cli.message_format, &book.book_dir);
            run(&options, book.strict, finish, say, &mut reporter)
        }
        Command::Watch { book, output } => {
            // A line per build even when stderr is not a terminal: watching
            // is done by a person.
            let say = if say == Say::Nothing && !cli.quiet {
                Say::Summary
            } else {
                say
            };
            let options = book.options(output.out_dir.clone(), output.format());
            let mut reporter = Reporter::new(cli.message_format, &book.book_dir);
            watch(&options, book.strict, say, &mut reporter)
        }
        Command::Check { book } => {
            let mut reporter = Reporter::new(cli.message_format, &book.book_dir);
            run(
                &book.options(None, Format::All),
                book.strict,
                Finish::Report,
                say,
                &mut reporter,
            )
        }
        Command::Fonts { book_dir } => match warraq::fonts::report::report(&book_dir) {
            Ok(report) => {
                let printed = print(report.to_string().as_bytes());
                if printed == ExitCode::SUCCESS && report.has_uncovered() {
                    ExitCode::from(BOOK_ERRORS)
                } else {
                    printed
                }
            }
            Err(error) => Reporter::new(cli.message_format, &book_dir).failed(&error),
        },
        Command::Completions { shell } => {
            // Made in memory (clap_complete panics when it cannot write).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "warraq", &mut script);
            print(&script)
        }
        Command::Man { out_dir: Some(dir) } => match clap_mangen::generate_to(Cli::command(), &dir)
        {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => Reporter::new(cli.message_format, &dir).failed(&Diagnostic::io(
                Code::WriteFailed,
                "cannot write the manual pages into",
                &dir,
                &error,
            )),
        },
        Command::Man { out_dir: None } => {
            let mut page = Vec::new();
            // As the pages by command are made: `help` has none.
            let command = Cli::command().disable_help_subcommand(true);
            match clap_mangen::Man::new(command).render(&mut page) {
                Ok(()) => print(&page),
                Err(error) => {
                    Reporter::new(cli.message_format, Path::new(".")).failed(&Diagnostic::error(
                        Code::Internal,
                        format!("cannot make the manual page: {error}"),
                    ))
                }
            }
        }
    }
}

/// A progress bar on stderr, drawn once a build has taken more than a
/// moment (a quick build shows none), and only on a terminal.
struct Bar {
    bar: ProgressBar,
    start: Instant,
    shown: AtomicBool,
}

/// How long a build runs before its progress bar is drawn.
const MOMENT: Duration = Duration::from_millis(200);

impl Bar {
    fn new() -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        bar.enable_steady_tick(Duration::from_millis(100));
        Bar {
            bar,
            start: Instant::now(),
            shown: AtomicBool::new(false),
        }
    }

    fn show_when_slow(&self) {
        if self.start.elapsed() >= MOMENT && !self.shown.swap(true, Ordering::Relaxed) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Takes the bar off the screen, before the diagnostics and the summary.
    fn clear(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn stage(&self, stage: Stage, steps: usize) {
        let template = if steps > 0 {
            "{spinner} {msg} [{bar:30}] {pos}/{len} chapters"
        } else {
            "{spinner} {msg}"
        };
        if let Ok(style) = ProgressStyle::with_template(template) {
            self.bar.set_style(style.progress_chars("=> "));
        }
        self.bar.set_length(steps as u64);
        self.bar.set_position(0);
        let message = match stage {
            // The EPUB and the PDF are made side by side.
            Stage::Pdf if self.bar.message() == Stage::Epub.name() => {
                format!("{}, {}", Stage::Epub.name(), Stage::Pdf.name())
            }
            _ => stage.name().to_string(),
        };
        self.bar.set_message(message);
        self.show_when_slow();
    }

    fn step(&self) {
        self.bar.inc(1);
        self.show_when_slow();
    }
}

/// Compiles the book, reports what was found, and writes the outputs (then
/// opens one) as `finish` says, when nothing stops it.
fn run(
    options: &BuildOptions,
    strict: bool,
    finish: Finish,
    say: Say,
    reporter: &mut Reporter,
) -> ExitCode {
    let start = Instant::now();
    let bar = Bar::new();
    let watched = if say == Say::Nothing {
        warraq::compile(options)
    } else {
        warraq::compile_watched(options, &bar)
    };
    bar.clear();
    let compiled = match watched {
        Ok(compiled) => compiled,
        Err(found) => {
            let cause = found.cause();
            let errors = found.errors().count();
            let warnings = found.warnings().count();
            reporter.report(found, strict);
            if reporter.format == MessageFormat::Human {
                let nothing = match finish {
                    Finish::Report => "",
                    Finish::Write | Finish::WriteAndOpen => "; nothing was written",
                };
                let warnings = match warnings {
                    0 => String::new(),
                    n => format!(", {}", count(n, "warning")),
                };
                eprintln!("error: {}{warnings}{nothing}", count(errors, "error"));
            }
            return exit_code(cause);
        }
    };
    let warnings = compiled.warnings.0.len();
    reporter.report(compiled.warnings.clone(), strict);
    if strict && warnings > 0 {
        if reporter.format == MessageFormat::Human {
            let nothing = match finish {
                Finish::Report => "",
                Finish::Write | Finish::WriteAndOpen => "; nothing was written",
            };
            eprintln!(
                "error: {}, which --strict makes errors{nothing}",
                count(warnings, "warning")
            );
        }
        return ExitCode::from(BOOK_ERRORS);
    }
    if say == Say::Timings {
        for (stage, took) in &compiled.timings {
            eprintln!("{:>12} {:>8.3} s", stage.name(), took.as_secs_f64());
        }
        if compiled
            .timings
            .iter()
            .any(|(stage, _)| *stage == Stage::Shape)
        {
            eprintln!(
                "({}, {} and {} are parts of {}; the first two are each paragraph's time, summed over the threads; \
                 the PDF's pages are drawn during {}, and {} is what is left after it)",
                Stage::Shape.name(),
                Stage::Break.name(),
                Stage::Paginate.name(),
                Stage::Layout.name(),
                Stage::Layout.name(),
                Stage::Pdf.name(),
            );
        }
    }
    let pages = compiled.pdf_pages;
    if finish == Finish::Report {
        if say != Say::Nothing {
            eprintln!(
                "checked {}: no errors, {}; the PDF would have {pages} pages",
                options.book_dir.display(),
                count(warnings, "warning")
            );
        }
        return ExitCode::SUCCESS;
    }
    let booklet = compiled.booklet.map(|booklet| {
        let flip = match booklet.flip {
            warraq::doc::Flip::ShortEdge => "short",
            warraq::doc::Flip::LongEdge => "long",
        };
        let scale = if booklet.scale < 1.0 {
            format!("pages reduced to {:.0}%", booklet.scale * 100.0)
        } else {
            "pages at 100%".to_string()
        };
        let bind = match booklet.signature {
            Some(sheets) => format!(
                "then fold each group of {sheets} sheets on its own and gather the groups in order, \
                 to be sewn or glued"
            ),
            None => "then fold the stack and staple it on the fold".to_string(),
        };
        let sheets = match booklet.sheets {
            1 => "1 sheet".to_string(),
            n => format!("{n} sheets"),
        };
        format!(
            "booklet: {sheets} of {}, {scale}; print on both sides, flipped on the {flip} edge, \
             {bind}",
            booklet.paper.name(),
        )
    });
    let sizes: Vec<(PathBuf, usize)> = compiled
        .files
        .iter()
        .map(|(path, bytes)| (path.clone(), bytes.len()))
        .collect();
    match warraq::write(compiled) {
        Ok(report) => {
            let elapsed = start.elapsed().as_secs_f64();
            match say {
                Say::Nothing => {}
                Say::Summary => {
                    let files: Vec<String> = sizes
                        .iter()
                        .map(|(path, size)| format!("{} ({})", path.display(), kilobytes(*size)))
                        .collect();
                    eprintln!(
                        "built {} pages in {elapsed:.2} s: {}",
                        pages,
                        files.join(", ")
                    );
                }
                Say::Timings => {
                    for (path, size) in &sizes {
                        eprintln!("wrote {} ({})", path.display(), kilobytes(*size));
                    }
                    eprintln!("{pages} pages in {elapsed:.3} s");
                }
            }
            if let Some(booklet) = booklet.filter(|_| say != Say::Nothing) {
                eprintln!("{booklet}");
            }
            if finish == Finish::WriteAndOpen {
                // The PDF, or the EPUB when only that was built.
                let pdf = report
                    .outputs
                    .iter()
                    .find(|path| path.extension().is_some_and(|ext| ext == "pdf"));
                if let Some(path) = pdf.or(report.outputs.first())
                    && let Err(warning) = warraq::output::open(path)
                {
                    reporter.print(&warning);
                }
            }
            ExitCode::SUCCESS
        }
        Err(error) => reporter.failed(&error),
    }
}

/// Builds the book, then again each time its files change, until Ctrl-C
/// (exit 0). Failed builds write nothing, so the last good outputs stay.
fn watch(options: &BuildOptions, strict: bool, say: Say, reporter: &mut Reporter) -> ExitCode {
    // Watching starts before the first build, so no save is missed.
    let watcher = match BookWatcher::new(&options.book_dir, &options.output_dir()) {
        Ok(watcher) => watcher,
        Err(error) => return reporter.failed(&error),
    };
    if let Err(error) = ctrlc::set_handler(watcher.stopper()) {
        reporter.print(&Diagnostic::warning(
            Code::Internal,
            format!("Ctrl-C will not end the watch cleanly: {error}"),
        ));
    }
    if say != Say::Nothing {
        eprintln!("watching {} (Ctrl-C to stop)", options.book_dir.display());
    }
    let build = |reporter: &mut Reporter| {
        let built = run(options, strict, Finish::Write, say, reporter);
        if built != ExitCode::SUCCESS && say != Say::Nothing {
            eprintln!("nothing was written; waiting for changes");
        }
    };
    build(reporter);
    loop {
        match watcher.wait() {
            Wakeup::Changed(files) => {
                if say != Say::Nothing {
                    let files: Vec<String> =
                        files.iter().map(|f| f.display().to_string()).collect();
                    eprintln!("changed: {}", files.join(", "));
                }
                build(reporter);
            }
            Wakeup::Trouble(warning) => reporter.print(&warning),
            Wakeup::Stop => return ExitCode::SUCCESS,
        }
    }
}

/// "1 warning", "2 warnings".
fn count(n: usize, thing: &str) -> String {
    match n {
        1 => format!("1 {thing}"),
        n => format!("{n} {thing}s"),
    }
}

/// `bytes` in kilobytes, as people read file sizes.
fn kilobytes(bytes: usize) -> String {
    format!("{} KB", bytes.div_ceil(1000))
}

/// Writes `bytes` to stdout (a closed pipe is an environment error, not a
/// panic).
fn print(bytes: &[u8]) -> ExitCode {
    use std::io::Write;
    match std::io::stdout().write_all(bytes) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: cannot write to stdout: {error}");
            ExitCode::from(ENVIRONMENT_ERRORS)
        }
    }
}

fn exit_code(cause: Cause) -> ExitCode {
    ExitCode::from(match cause {
        Cause::Book => BOOK_ERRORS,
        Cause::Environment => ENVIRONMENT_ERRORS,
    })
}

fn parse_standard(name: &str) -> Result<PdfStandard, String> {
    PdfStandard::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = PdfStandard::NAMES.iter().map(|(n, _)| *n).collect();
        format!("use one of {}", names.join(", "))
    })
}
