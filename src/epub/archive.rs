//! The zip container: `mimetype` first and stored, everything else deflated,
//! with fixed timestamps and permissions so the bytes are reproducible.

use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use tempfile::{SpooledData, SpooledTempFile};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, System, ZipArchive, ZipWriter};

use crate::diag::{Code, Diagnostic, Result};
use crate::output::Pieces;
use crate::time::Civil;

const MIMETYPE: &[u8] = b"application/epub+zip";

/// Files zipped in the order added, each with the time `timestamp` (clamped
/// to the zip range, 1980–2107) and permissions `rw-r--r--`: the package,
/// which begins with the `mimetype` entry, or a part of it, made apart and
/// put in whole ([`Archive::append`]). Its bytes are spooled
/// ([`Spooling`]): a long book's package, and its pictures most of all,
/// were held to the end of the build beside the PDF's finishing.
pub(crate) struct Archive {
    zip: ZipWriter<Spool>,
    deflated: SimpleFileOptions,
}

/// Where an archive's bytes go: memory up to `in_memory` of them, then a
/// temporary file in `folder` (the system's, `TMPDIR`, when `None`).
#[derive(Clone, Copy, PartialEq)]
pub(crate) struct Spooling<'a> {
    pub in_memory: usize,
    pub folder: Option<&'a Path>,
}

impl Spooling<'_> {
    /// All in memory.
    pub(crate) const MEMORY: Spooling<'static> = Spooling {
        in_memory: usize::MAX,
        folder: None,
    };
}

/// An archive's bytes, in memory or a temporary file, that once a write
/// has failed takes no more, only counts them: the zip writer, dropped
/// after an error, finishes the archive, reckoning sizes from where it
/// stands, and would print to stderr that it could not.
struct Spool {
    bytes: SpooledTempFile,
    failed: bool,
    /// Where the next byte goes, and how many there are.
    at: u64,
    end: u64,
}

impl Spool {
    fn new(spooling: Spooling) -> Self {
        let bytes = match spooling.folder {
            Some(folder) => SpooledTempFile::new_in(spooling.in_memory, folder),
            None => SpooledTempFile::new(spooling.in_memory),
        };
        Spool {
            bytes,
            failed: false,
            at: 0,
            end: 0,
        }
    }

    /// What `io` gave, noting whether it failed.
    fn noted<T>(&mut self, io: std::io::Result<T>) -> std::io::Result<T> {
        self.failed |= io.is_err();
        io
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = match self.failed {
            true => buf.len(),
            false => {
                let written = self.bytes.write(buf);
                self.noted(written)?
            }
        };
        self.at += written as u64;
        self.end = self.end.max(self.at);
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self.failed {
            true => Ok(()),
            false => {
                let flushed = self.bytes.flush();
                self.noted(flushed)
            }
        }
    }
}

impl Seek for Spool {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        self.at = match (self.failed, to) {
            (false, _) => {
                let sought = self.bytes.seek(to);
                self.noted(sought)?
            }
            (true, SeekFrom::Start(at)) => at,
            (true, SeekFrom::Current(by)) => self.at.saturating_add_signed(by),
            (true, SeekFrom::End(by)) => self.end.saturating_add_signed(by),
        };
        Ok(self.at)
    }
}

/// How much of a file [`Archive::add_written`] gathers (in a `BufWriter`)
/// before handing it to the zip.
const BLOCK: usize = 64 << 10;

/// Text written to `to`; the first failure to write is kept, and what
/// comes after it dropped.
struct Text<W: Write> {
    to: W,
    failed: Option<std::io::Error>,
}

impl<W: Write> std::fmt::Write for Text<W> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.failed.is_none()
            && let Err(e) = self.to.write_all(s.as_bytes())
        {
            self.failed = Some(e);
        }
        match self.failed {
            Some(_) => Err(std::fmt::Error),
            None => Ok(()),
        }
    }
}

pub(crate) fn failed(e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(Code::WriteFailed, format!("cannot write the EPUB: {e}"))
}

impl Archive {
    /// The package: the `mimetype` entry first and stored, everything
    /// after it deflated.
    pub(crate) fn package(timestamp: i64, spooling: Spooling) -> Result<Self> {
        let mut archive = Self::part(timestamp, spooling);
        // Readers sniff the first 58 bytes: no compression, no extra field.
        let stored = archive
            .deflated
            .compression_method(CompressionMethod::Stored);
        archive.zip.start_file("mimetype", stored).map_err(failed)?;
        archive.zip.write_all(MIMETYPE).map_err(failed)?;
        Ok(archive)
    }

    /// Files deflated as they are made, to be put in the package later:
    /// the chapters are let go as soon as each is deflated.
    pub(crate) fn part(timestamp: i64, spooling: Spooling) -> Self {
        let deflated = SimpleFileOptions::default()
            .last_modified_time(zip_datetime(timestamp))
            .unix_permissions(0o644)
            .system(System::Unix)
            .large_file(false)
            .compression_method(CompressionMethod::Deflated)
            .compression_level(None);
        Self {
            zip: ZipWriter::new(Spool::new(spooling)),
            deflated,
        }
    }

    /// Adds the file `path` (relative to the zip root), deflated.
    pub(crate) fn add(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        self.zip.start_file(path, self.deflated).map_err(failed)?;
        self.zip.write_all(bytes).map_err(failed)
    }

    /// Adds the file `path`, deflated, as `write` makes it: handed to the
    /// zip a block at a time, so that a long book's navigation (megabytes
    /// for thousands of chapters) is never held whole.
    pub(crate) fn add_written(
        &mut self,
        path: &str,
        write: impl FnOnce(&mut dyn std::fmt::Write),
    ) -> Result<()> {
        self.zip.start_file(path, self.deflated).map_err(failed)?;
        let mut text = Text {
            to: BufWriter::with_capacity(BLOCK, &mut self.zip),
            failed: None,
        };
        write(&mut text);
        if let Some(e) = text.failed {
            // What is gathered after a failure is dropped, not written.
            let _ = text.to.into_parts();
            return Err(failed(e));
        }
        // The last block, without flushing the zip: a flush would end the
        // deflated block where it stands.
        text.to.into_inner().map_err(|e| failed(e.into_error()))?;
        Ok(())
    }

    /// Adds the files of `part`, a finished part ([`Archive::finish`]), in
    /// its order, as they were deflated there.
    pub(crate) fn append(&mut self, part: SpooledTempFile) -> Result<()> {
        let mut part = ZipArchive::new(part).map_err(failed)?;
        for index in 0..part.len() {
            let file = part.by_index_raw(index).map_err(failed)?;
            self.zip.raw_copy_file(file).map_err(failed)?;
        }
        Ok(())
    }

    /// The zip's bytes, where they are.
    pub(crate) fn finish(self) -> Result<SpooledTempFile> {
        Ok(self.zip.finish().map_err(failed)?.bytes)
    }

    /// The zip's bytes, where they are, as a file's to be written.
    pub(crate) fn into_pieces(self) -> Result<Pieces> {
        Ok(match self.finish()?.into_inner() {
            SpooledData::InMemory(bytes) => bytes.into_inner().into(),
            SpooledData::OnDisk(file) => {
                let len = file.metadata().map_err(failed)?.len();
                Pieces::new(Some((file, len as usize)), Vec::new())
            }
        })
    }
}

/// The timestamp as a zip (MS-DOS) date-time: clamped to 1980–2107, seconds
/// rounded down to even.
fn zip_datetime(timestamp: i64) -> zip::DateTime {
    let c = Civil::clamped(timestamp, 1980, 2107);
    zip::DateTime::from_date_and_time(
        c.year as u16,
        c.month,
        c.day,
        c.hour,
        c.minute,
        c.second & !1,
    )
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files added to a part and appended are the package's bytes as if
    /// they had been added to it directly: the same headers, the same
    /// deflated data, in the same place; and the same whether the package
    /// and its parts are made in memory or in temporary files.
    #[test]
    fn appended_parts_are_as_if_added_in_place() {
        let timestamp = 1_700_000_000;
        let files: Vec<(String, Vec<u8>)> = (0..4)
            .map(|k| {
                let text = format!("<p>{k} {}</p>\n", "الوراق ".repeat(200 * (k + 1)));
                (format!("EPUB/chapter-{k}.xhtml"), text.into_bytes())
            })
            .collect();
        let mut direct = Archive::package(timestamp, Spooling::MEMORY).expect("a package");
        for (path, bytes) in &files {
            direct.add(path, bytes).expect("added");
        }
        let direct = direct.into_pieces().expect("finished");
        assert_eq!(direct.in_file(), 0, "made in memory");
        let direct = direct.into_bytes().expect("read");
        // In memory up to nothing, to a few hundred bytes (the package and
        // the part each go to a file on the way), to all.
        for in_memory in [0, 300, usize::MAX] {
            let spooling = Spooling {
                in_memory,
                folder: None,
            };
            let mut package = Archive::package(timestamp, spooling).expect("a package");
            package.add(&files[0].0, &files[0].1).expect("added");
            let mut part = Archive::part(timestamp, spooling);
            for (path, bytes) in &files[1..3] {
                part.add(path, bytes).expect("added");
            }
            package
                .append(part.finish().expect("finished"))
                .expect("appended");
            package.add(&files[3].0, &files[3].1).expect("added");
            let pieces = package.into_pieces().expect("finished");
            let in_file = pieces.in_file();
            assert_eq!(
                in_file > 0,
                in_memory < usize::MAX,
                "{in_file} bytes in a file"
            );
            assert_eq!(
                pieces.into_bytes().expect("read"),
                direct,
                "in memory up to {in_memory}"
            );
        }
    }

    /// An archive whose temporary file cannot be made fails to take a file
    /// that goes past its memory (added whole or written in blocks), and
    /// is finished after as if it had taken
    /// it: its zip writer finishes it when dropped, and printed to stderr
    /// that it could not (its sizes reckoned from a position of 0).
    #[test]
    fn an_archive_that_failed_finishes_quietly() {
        let tmp = tempfile::tempdir().expect("a folder");
        let missing = tmp.path().join("missing");
        let spooling = Spooling {
            in_memory: 1024,
            folder: Some(&missing),
        };
        // Noise, which deflating cannot make smaller: the file goes past
        // the memory as it is deflated.
        let noise = crate::testing::noise(9, 1 << 22);
        // Added whole, or written a block at a time.
        let whole = |archive: &mut Archive| archive.add("EPUB/noise.bin", &noise);
        let written = |archive: &mut Archive| {
            archive.add_written("EPUB/noise.txt", |out| {
                for byte in &noise {
                    let _ = write!(out, "{byte:02x}");
                }
            })
        };
        type Adding<'a> = &'a dyn Fn(&mut Archive) -> Result<()>;
        for add in [&whole as Adding, &written] {
            for mut archive in [
                Archive::part(1_700_000_000, spooling),
                Archive::package(1_700_000_000, spooling).expect("a package in memory so far"),
            ] {
                let error = add(&mut archive).expect_err("no file to go to");
                assert_eq!(error.code, Code::WriteFailed);
                archive.zip.finish().expect("finished quietly");
            }
        }
    }

    /// A file written with `add_written` reaches the zip in blocks of at
    /// most [`BLOCK`] (or one piece of text larger), and reads back as
    /// written.
    #[test]
    fn a_written_file_goes_to_the_zip_a_block_at_a_time() {
        /// Keeps what it is given, and the size of each write.
        #[derive(Default)]
        struct Seen {
            bytes: Vec<u8>,
            writes: Vec<usize>,
        }
        impl Write for Seen {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.bytes.extend_from_slice(buf);
                self.writes.push(buf.len());
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let line = "<navPoint id=\"nav-1\"><text>الوراق</text></navPoint>\n";
        let mut seen = Seen::default();
        let mut text = Text {
            to: BufWriter::with_capacity(BLOCK, &mut seen),
            failed: None,
        };
        for _ in 0..20_000 {
            std::fmt::Write::write_str(&mut text, line).expect("taken");
        }
        assert!(text.failed.is_none());
        drop(text);
        assert_eq!(seen.bytes, line.repeat(20_000).into_bytes());
        assert!(seen.writes.len() > 10, "{:?}", seen.writes);
        assert!(seen.writes.iter().all(|&n| n <= BLOCK));

        let text = line.repeat(20_000);
        let mut archive = Archive::part(1_700_000_000, Spooling::MEMORY);
        archive
            .add_written("EPUB/toc.ncx", |out| {
                for _ in 0..20_000 {
                    let _ = out.write_str(line);
                }
            })
            .expect("written");
        let mut zip = ZipArchive::new(archive.finish().expect("finished")).expect("a zip");
        let mut back = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("EPUB/toc.ncx").expect("there"), &mut back)
            .expect("read");
        assert_eq!(back, text);
    }
}
