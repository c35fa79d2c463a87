use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use warraq::doc::PrintPreset;
use warraq::new::SampleLanguage;
use warraq::pdf::standard::PdfStandard;
use warraq::{BuildOptions, Format};

/// warraq — builds a folder of Markdown chapters into an EPUB 3 and a print PDF.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build a book folder into OUT_DIR/<name>.epub and OUT_DIR/<name>.pdf.
    Build {
        /// The book folder (Markdown files, optional book.toml).
        #[arg(default_value = ".")]
        book_dir: PathBuf,
        /// Where to write the outputs [default: BOOK_DIR/out].
        #[arg(short, long)]
        out_dir: Option<PathBuf>,
        /// Which outputs to write.
        #[arg(long, value_enum, default_value_t = FormatArg::All)]
        format: FormatArg,
        /// Who prints the PDF (bleed, crop marks); over book.toml's
        /// `[pdf] preset`.
        #[arg(long, value_enum)]
        pdf_preset: Option<PresetArg>,
        /// The standard the PDF is written to: "pdf/a-2u", "pdf/x-4" or
        /// "none" [default: book.toml's `[pdf] standard`, else none].
        #[arg(long, value_parser = parse_standard)]
        pdf_standard: Option<PdfStandard>,
    },
    /// Start a book: DIR/book.toml with every key explained, two sample
    /// chapters, cover artwork and a .gitignore.
    New {
        /// The folder to create; it must not exist or be empty.
        dir: PathBuf,
        /// The sample chapters' language (and so the book's direction).
        #[arg(long, value_enum, default_value_t = LangArg::Ar)]
        lang: LangArg,
    },
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

fn main() -> ExitCode {
    let cli = Cli::parse();
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
            book_dir,
            out_dir,
            format,
            pdf_preset,
            pdf_standard,
        } => {
            let format = match format {
                FormatArg::Epub => Format::Epub,
                FormatArg::Pdf => Format::Pdf,
                FormatArg::All => Format::All,
            };
            let options = BuildOptions {
                book_dir,
                out_dir,
                format,
                pdf_preset: pdf_preset.map(|preset| match preset {
                    PresetArg::Office => PrintPreset::Office,
                    PresetArg::Kdp => PrintPreset::Kdp,
                    PresetArg::Offset => PrintPreset::Offset,
                }),
                pdf_standard,
            };
            match warraq::build(&options) {
                Ok(report) => {
                    for warning in &report.warnings.0 {
                        eprintln!("{warning}");
                    }
                    for path in &report.outputs {
                        if path.extension().is_some_and(|e| e == "pdf") {
                            eprintln!("wrote {} ({} pages)", path.display(), report.pdf_pages);
                        } else {
                            eprintln!("wrote {}", path.display());
                        }
                    }
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("{error}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn parse_standard(name: &str) -> Result<PdfStandard, String> {
    PdfStandard::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = PdfStandard::NAMES.iter().map(|(n, _)| *n).collect();
        format!("use one of {}", names.join(", "))
    })
}
