//! warraq: chunks kept in a temporary file once made, until the document
//! is put together.
//!
//! A long book's pages' chunks (their deflated content streams) and its
//! structure tree's elements were most of what a build held at its end:
//! about 7 KB a page, 29 MB of a 4,000-page book, all made early and read
//! only once, when the file is put together. Their bytes are written to an
//! unnamed temporary file as they are made, each chunk keeping its
//! objects' numbers (which the first pass of putting the file together
//! reads), and read back a chunk at a time as the file is put together.
//! The file is made where the system keeps temporary files (`TMPDIR`),
//! and is gone when the document is, whatever happens.
//!
//! Where no temporary file can be made or written, the chunks are held in
//! memory as before: the same bytes, only more memory.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};

use pdf_writer::Chunk;

use crate::error::{KrillaError, KrillaResult};

/// Where chunks' bytes are kept.
#[derive(Default)]
pub(crate) struct Spill {
    /// `None` until the first chunk is kept (or could not be made).
    file: Option<File>,
    /// The file's length.
    end: u64,
    /// The file could not be made or written, or is not wanted: chunks
    /// stay in memory.
    off: bool,
    /// Chunks kept so far are to be read back when visited: the file is
    /// being put together.
    pub(crate) reading: bool,
}

/// A chunk, its bytes in memory or in the [`Spill`]'s file.
pub(crate) struct Kept {
    /// The chunk, without its bytes while they are in the file.
    pub(crate) chunk: Chunk,
    /// Where its bytes are in the file, and how many.
    at: Option<(u64, usize)>,
}

impl Kept {
    /// `chunk`, held in memory.
    pub(crate) fn held(chunk: Chunk) -> Self {
        Kept { chunk, at: None }
    }
}

impl Spill {
    /// `chunk`, its bytes written to the file if they can be.
    pub(crate) fn keep(&mut self, mut chunk: Chunk) -> Kept {
        if self.off || chunk.len() == 0 {
            return Kept::held(chunk);
        }
        let file = match &mut self.file {
            Some(file) => file,
            None => match tempfile::tempfile() {
                Ok(file) => self.file.insert(file),
                Err(_) => {
                    self.off = true;
                    return Kept::held(chunk);
                }
            },
        };
        // At the end, whatever a reading moved the position to.
        let written = file
            .seek(SeekFrom::Start(self.end))
            .and_then(|_| file.write_all(chunk.as_bytes()));
        if written.is_err() {
            // What was written of it lies past `end`, never read.
            self.off = true;
            return Kept::held(chunk);
        }
        let at = self.end;
        let len = chunk.take_bytes().len();
        self.end += len as u64;
        Kept { chunk, at: Some((at, len)) }
    }

    /// A temporary file of its own for the document being put together
    /// (`pdf_writer::Pdf::keep_pieces_in`), unless chunks are kept in
    /// memory.
    pub(crate) fn file_for_document(&self) -> Option<File> {
        (!self.off).then(tempfile::tempfile).and_then(Result::ok)
    }

    /// How many bytes are in the file.
    pub(crate) fn kept_bytes(&self) -> u64 {
        self.end
    }

    /// Keeps the chunks from now on in memory.
    pub(crate) fn keep_in_memory(&mut self) {
        self.off = true;
    }

    /// Gives `kept` its bytes back from the file.
    pub(crate) fn read_back(&mut self, kept: &mut Kept) -> KrillaResult<()> {
        let Some((at, len)) = kept.at.take() else {
            return Ok(());
        };
        let file = self.file.as_mut().ok_or_else(lost)?;
        let mut bytes = vec![0; len];
        file.seek(SeekFrom::Start(at)).map_err(read_failed)?;
        file.read_exact(&mut bytes).map_err(read_failed)?;
        kept.chunk.put_bytes(bytes);
        Ok(())
    }
}

fn lost() -> KrillaError {
    KrillaError::Spill("the temporary file of the document's chunks is gone".to_string())
}

pub(crate) fn read_failed(error: std::io::Error) -> KrillaError {
    KrillaError::Spill(format!(
        "the document's chunks could not be read back from their temporary file: {error}"
    ))
}

