//! The integration tests, one binary: each file under `tests/` is a module
//! of it (`one_thread.rs`, which sets rayon's pool for its whole process,
//! is a binary of its own). One binary links once and runs its tests on all
//! cores from the first to the last, where fifty-odd binaries each linked
//! the library and ran one after another.

mod common;
/// What the fuzz targets do with their input, which `fuzz_regressions` and
/// `properties` replay.
#[path = "../fuzz/harness.rs"]
mod harness;

mod book_description;
mod book_fonts;
mod booklet;
mod catalogue;
mod ci_workflow;
mod cli_build;
mod cli_check;
mod cli_diagnostics;
mod cli_docs;
mod cli_fonts;
mod cli_new;
mod cli_progress;
mod cli_watch;
mod cover;
mod direction;
mod epub_accessibility;
mod epub_ace;
mod epub_book;
mod epub_chromium;
mod epub_fonts;
mod epub_languages;
mod epub_package;
mod epub_pagelist;
mod epub_valid;
mod fuzz_regressions;
mod generated_books;
mod kashida;
mod layout_furniture;
mod layout_pages;
mod linebreak_settings;
mod markdown;
mod page_dump;
mod parse_document;
mod parse_load;
mod pdf_copy;
mod pdf_copy_limits;
mod pdf_fonts;
mod pdf_furniture;
mod pdf_links;
mod pdf_presets;
mod pdf_shaping;
mod pdf_standards;
mod pdf_tags;
mod pdf_text;
mod pdf_toc;
mod pictures;
mod properties;
mod reference_images;
mod scripts;
mod spec_examples;
mod tables;
mod typography;
