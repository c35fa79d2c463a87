use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use warraq::diag::{Cause, Diagnostic, Severity};
use warraq::doc::PrintPreset;
use warraq::new::SampleLanguage;
use warraq::pdf::standard::PdfStandard;
use warraq::{BuildOptions, Format};

/// Builds a folder of Markdown chapters into an EPUB 3 and a print PDF.
#[derive(Parser)]
#[command(version, about)]
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
    /// Build a book folder into OUT_DIR/<name>.epub and OUT_DIR/<name>.pdf.
    ///
    /// Example: `warraq build my-book --pdf-preset offset`
    Build {
        #[command(flatten)]
        book: BookArgs,
        /// Where to write the outputs [default: BOOK_DIR/out].
        #[arg(short, long)]
        out_dir: Option<PathBuf>,
        /// Which outputs to write.
        #[arg(long, value_enum, default_value_t = FormatArg::All)]
        format: FormatArg,
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
            }),
            pdf_standard: self.pdf_standard,
        }
    }
}

/// The languages `warraq new` writes sample books in.
#[derive(Clone, Copy, ValueEnum)]
enum LangArg {
    /// Arabic, right to left.
    Ar,
    /// English, left to right.
    En,
}

/// Exit status for usage and environment errors (the book itself is fine).
const EXIT_USAGE: u8 = 2;

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
                    eprintln!("{error}");
                    ExitCode::from(EXIT_USAGE)
                }
            }
        }
        Command::Build {
            book,
            out_dir,
            format,
        } => {
            let format = match format {
                FormatArg::Epub => Format::Epub,
                FormatArg::Pdf => Format::Pdf,
                FormatArg::All => Format::All,
            };
            run(&book.options(out_dir, format), book.strict, true, say)
        }
        Command::Check { book } => run(&book.options(None, Format::All), book.strict, false, say),
        Command::Fonts { book_dir } => match warraq::fonts::report::report(&book_dir) {
            Ok(report) => {
                let printed = print(report.to_string().as_bytes());
                if printed == ExitCode::SUCCESS && report.has_uncovered() {
                    ExitCode::from(BOOK_ERRORS)
                } else {
                    printed
                }
            }
            Err(error) => failed(&error),
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
            Err(error) => failed(&Diagnostic::io(
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
                Err(error) => failed(&Diagnostic::error(format!(
                    "cannot make the manual page: {error}"
                ))),
            }
        }
    }
}

/// Compiles the book, reports what was found, and writes the outputs when
/// `write` and nothing stops it.
fn run(options: &BuildOptions, strict: bool, write: bool, say: Say) -> ExitCode {
    let start = Instant::now();
    let compiled = match warraq::compile(options) {
        Ok(compiled) => compiled,
        Err(error) => return failed(&error),
    };
    for warning in &compiled.warnings.0 {
        if strict {
            let error = Diagnostic {
                severity: Severity::Error,
                ..warning.clone()
            };
            eprintln!("{error}");
        } else {
            eprintln!("{warning}");
        }
    }
    let warnings = compiled.warnings.0.len();
    if strict && warnings > 0 {
        let nothing = if write { "; nothing was written" } else { "" };
        eprintln!("error: {warnings} warning(s), which --strict makes errors{nothing}");
        return ExitCode::from(BOOK_ERRORS);
    }
    if say == Say::Timings {
        for (stage, took) in &compiled.timings {
            eprintln!("{:>12} {:>8.3} s", stage.name(), took.as_secs_f64());
        }
    }
    let pages = compiled.pdf_pages;
    if !write {
        if say != Say::Nothing {
            eprintln!(
                "checked {}: no errors, {warnings} warning(s); the PDF would have {pages} pages",
                options.book_dir.display()
            );
        }
        return ExitCode::SUCCESS;
    }
    let sizes: Vec<(PathBuf, usize)> = compiled
        .files
        .iter()
        .map(|(path, bytes)| (path.clone(), bytes.len()))
        .collect();
    match warraq::write(compiled) {
        Ok(_) => {
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
            ExitCode::SUCCESS
        }
        Err(error) => failed(&error),
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

/// Reports `error`; the exit code says whose it is.
fn failed(error: &Diagnostic) -> ExitCode {
    eprintln!("{error}");
    ExitCode::from(match error.cause {
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
