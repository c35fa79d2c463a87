//! The zip container: `mimetype` first and stored, everything else deflated,
//! with fixed timestamps and permissions so the bytes are reproducible.

use std::borrow::Cow;
use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, System, ZipWriter};

use crate::diag::{Code, Diagnostic, Result};
use crate::time::Civil;

/// One file of the package, `path` relative to the zip root.
pub(crate) struct Entry<'a> {
    pub path: String,
    pub bytes: Cow<'a, [u8]>,
}

const MIMETYPE: &[u8] = b"application/epub+zip";

/// Zips `files` after the `mimetype` entry, in the order given. Every entry
/// gets the time `timestamp` (clamped to the zip range, 1980–2107) and
/// permissions `rw-r--r--`.
pub(crate) fn zip(files: &[Entry<'_>], timestamp: i64) -> Result<Vec<u8>> {
    let fail = |e: &dyn std::fmt::Display| {
        Diagnostic::error(Code::WriteFailed, format!("cannot write the EPUB: {e}"))
    };
    let base = SimpleFileOptions::default()
        .last_modified_time(zip_datetime(timestamp))
        .unix_permissions(0o644)
        .system(System::Unix)
        .large_file(false);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));

    // Readers sniff the first 58 bytes: no compression, no extra field.
    zip.start_file(
        "mimetype",
        base.compression_method(CompressionMethod::Stored),
    )
    .map_err(|e| fail(&e))?;
    zip.write_all(MIMETYPE).map_err(|e| fail(&e))?;

    let deflated = base
        .compression_method(CompressionMethod::Deflated)
        .compression_level(None);
    for file in files {
        zip.start_file(file.path.as_str(), deflated)
            .map_err(|e| fail(&e))?;
        zip.write_all(&file.bytes).map_err(|e| fail(&e))?;
    }
    let cursor = zip.finish().map_err(|e| fail(&e))?;
    Ok(cursor.into_inner())
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
