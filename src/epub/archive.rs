//! The zip container: `mimetype` first and stored, everything else deflated,
//! with fixed timestamps and permissions so the bytes are reproducible.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, System, ZipArchive, ZipWriter};

use crate::diag::{Code, Diagnostic, Result};
use crate::time::Civil;

const MIMETYPE: &[u8] = b"application/epub+zip";

/// Files zipped in the order added, each with the time `timestamp` (clamped
/// to the zip range, 1980–2107) and permissions `rw-r--r--`: the package,
/// which begins with the `mimetype` entry, or a part of it, made apart and
/// put in whole ([`Archive::append`]).
pub(crate) struct Archive {
    zip: ZipWriter<Cursor<Vec<u8>>>,
    deflated: SimpleFileOptions,
}

fn failed(e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error(Code::WriteFailed, format!("cannot write the EPUB: {e}"))
}

impl Archive {
    /// The package, with room for `room` bytes: the `mimetype` entry first
    /// and stored, everything after it deflated.
    pub(crate) fn package(timestamp: i64, room: usize) -> Result<Self> {
        let mut archive = Self::with_room(timestamp, room);
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
    pub(crate) fn part(timestamp: i64) -> Self {
        Self::with_room(timestamp, 0)
    }

    /// Files deflated as they are made, in a buffer of `room` bytes.
    fn with_room(timestamp: i64, room: usize) -> Self {
        let deflated = SimpleFileOptions::default()
            .last_modified_time(zip_datetime(timestamp))
            .unix_permissions(0o644)
            .system(System::Unix)
            .large_file(false)
            .compression_method(CompressionMethod::Deflated)
            .compression_level(None);
        Self {
            zip: ZipWriter::new(Cursor::new(Vec::with_capacity(room))),
            deflated,
        }
    }

    /// Adds the file `path` (relative to the zip root), deflated.
    pub(crate) fn add(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        self.zip.start_file(path, self.deflated).map_err(failed)?;
        self.zip.write_all(bytes).map_err(failed)
    }

    /// Adds the files of `part`, a part's bytes ([`Archive::finish`]), in
    /// its order, as they were deflated there.
    pub(crate) fn append(&mut self, part: Vec<u8>) -> Result<()> {
        let mut part = ZipArchive::new(Cursor::new(part)).map_err(failed)?;
        for index in 0..part.len() {
            let file = part.by_index_raw(index).map_err(failed)?;
            self.zip.raw_copy_file(file).map_err(failed)?;
        }
        Ok(())
    }

    /// The zip's bytes.
    pub(crate) fn finish(self) -> Result<Vec<u8>> {
        Ok(self.zip.finish().map_err(failed)?.into_inner())
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
    /// deflated data, in the same place.
    #[test]
    fn appended_parts_are_as_if_added_in_place() {
        let timestamp = 1_700_000_000;
        let files: Vec<(String, Vec<u8>)> = (0..4)
            .map(|k| {
                let text = format!("<p>{k} {}</p>\n", "الوراق ".repeat(200 * (k + 1)));
                (format!("EPUB/chapter-{k}.xhtml"), text.into_bytes())
            })
            .collect();
        let mut direct = Archive::package(timestamp, 0).expect("a package");
        for (path, bytes) in &files {
            direct.add(path, bytes).expect("added");
        }
        let mut package = Archive::package(timestamp, 1 << 16).expect("a package");
        package.add(&files[0].0, &files[0].1).expect("added");
        let mut part = Archive::part(timestamp);
        for (path, bytes) in &files[1..3] {
            part.add(path, bytes).expect("added");
        }
        package
            .append(part.finish().expect("finished"))
            .expect("appended");
        package.add(&files[3].0, &files[3].1).expect("added");
        assert_eq!(
            package.finish().expect("finished"),
            direct.finish().expect("finished")
        );
    }
}
