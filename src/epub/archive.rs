//! The zip container: `mimetype` first and stored, everything else deflated,
//! with fixed timestamps and permissions so the bytes are reproducible.

use std::io::Write;

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
/// put in whole ([`Archive::append`]). Its bytes are in memory up to
/// `in_memory` of them, then in a temporary file: a long book's package,
/// and its pictures most of all, were held to the end of the build
/// beside the PDF's finishing.
pub(crate) struct Archive {
    zip: ZipWriter<Spool>,
    deflated: SimpleFileOptions,
}

/// An archive's bytes, in memory or a temporary file, that once a write
/// has failed takes no more: the zip writer, dropped after an error,
/// finishes the archive and would print to stderr that it could not.
struct Spool {
    bytes: SpooledTempFile,
    failed: bool,
}

impl Spool {
    /// What `io` gave, noting whether it failed.
    fn noted<T>(&mut self, io: std::io::Result<T>) -> std::io::Result<T> {
        self.failed |= io.is_err();
        io
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.failed {
            true => Ok(buf.len()),
            false => {
                let written = self.bytes.write(buf);
                self.noted(written)
            }
        }
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

impl std::io::Seek for Spool {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        match self.failed {
            true => Ok(0),
            false => {
                let sought = self.bytes.seek(to);
                self.noted(sought)
            }
        }
    }
}

pub(crate) fn failed(e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(Code::WriteFailed, format!("cannot write the EPUB: {e}"))
}

impl Archive {
    /// The package: the `mimetype` entry first and stored, everything
    /// after it deflated.
    pub(crate) fn package(timestamp: i64, in_memory: usize) -> Result<Self> {
        let mut archive = Self::part(timestamp, in_memory);
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
    pub(crate) fn part(timestamp: i64, in_memory: usize) -> Self {
        let deflated = SimpleFileOptions::default()
            .last_modified_time(zip_datetime(timestamp))
            .unix_permissions(0o644)
            .system(System::Unix)
            .large_file(false)
            .compression_method(CompressionMethod::Deflated)
            .compression_level(None);
        Self {
            zip: ZipWriter::new(Spool {
                bytes: SpooledTempFile::new(in_memory),
                failed: false,
            }),
            deflated,
        }
    }

    /// Adds the file `path` (relative to the zip root), deflated.
    pub(crate) fn add(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        self.zip.start_file(path, self.deflated).map_err(failed)?;
        self.zip.write_all(bytes).map_err(failed)
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
        let mut direct = Archive::package(timestamp, usize::MAX).expect("a package");
        for (path, bytes) in &files {
            direct.add(path, bytes).expect("added");
        }
        let direct = direct.into_pieces().expect("finished");
        assert_eq!(direct.in_file(), 0, "made in memory");
        let direct = direct.into_bytes().expect("read");
        // In memory up to nothing, to a few hundred bytes (the package and
        // the part each go to a file on the way), to all.
        for in_memory in [0, 300, usize::MAX] {
            let mut package = Archive::package(timestamp, in_memory).expect("a package");
            package.add(&files[0].0, &files[0].1).expect("added");
            let mut part = Archive::part(timestamp, in_memory);
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
}
