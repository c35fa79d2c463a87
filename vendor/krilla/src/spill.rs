//! warraq: chunks kept in a temporary file once made, until the document
//! is put together.
//!
//! A long book's pages' chunks (their deflated content streams) and its
//! structure tree's elements were most of what a build held at its end:
//! about 7 KB a page, 29 MB of a 4,000-page book, all made early and read
//! only once, when the file is put together. Their bytes are written to an
//! unnamed temporary file as they are made, each chunk keeping its
//! objects' numbers (which the first pass of putting the file together
//! reads) but a chunk of many objects, whose numbers and offsets go to the
//! file after its bytes; and read back a chunk at a time as the file is
//! put together.
//! The file is made where the system keeps temporary files (`TMPDIR`),
//! and is gone when the document is, whatever happens.
//!
//! Where no temporary file can be made or written, the chunks are held in
//! memory as before: the same bytes, only more memory.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};

use pdf_writer::{Chunk, Ref};

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
    /// The chunk, without its bytes while they are in the file, nor its
    /// objects' numbers and offsets while those are.
    pub(crate) chunk: Chunk,
    /// Where its bytes are in the file, and how many.
    at: Option<(u64, usize)>,
    /// Where its objects' numbers and offsets are in the file, and how
    /// many objects.
    offsets: Option<(u64, usize)>,
}

impl Kept {
    /// `chunk`, held in memory.
    pub(crate) fn held(chunk: Chunk) -> Self {
        Kept { chunk, at: None, offsets: None }
    }

    /// `next` made part of this chunk, if its bytes follow this chunk's
    /// in the file, both keep their objects' numbers and offsets in
    /// memory, and together they are at most `most` bytes (each chunk's
    /// bytes are read back whole); `next` back otherwise. One record for
    /// many pages' streams, where each page's was a chunk of its own: its
    /// record, about 150 bytes, held to the end.
    pub(crate) fn absorb(&mut self, mut next: Kept, most: usize) -> Result<(), Kept> {
        let (Some((at, len)), Some((next_at, next_len)), None, None) =
            (self.at, next.at, self.offsets, next.offsets)
        else {
            return Err(next);
        };
        if at + len as u64 != next_at || len + next_len > most {
            return Err(next);
        }
        let mut offsets = self.chunk.take_offsets();
        let shifted = next.chunk.take_offsets().into_iter();
        offsets.extend(shifted.map(|(number, offset)| (number, len + offset)));
        self.chunk.put_offsets(offsets);
        self.chunk.merge_limits(next.chunk.limits());
        self.at = Some((at, len + next_len));
        Ok(())
    }
}

/// How many objects a chunk has at least for their numbers and offsets to
/// be kept in the file with its bytes: a chunk of the structure tree's
/// elements has thousands, 16 bytes each in memory (4.3 MB at
/// 9,951 pages); a page's stream is one, not worth a read of its own.
const OFFSETS_KEPT_FROM: usize = 256;

/// The bytes of one object's number and offset in the file.
const OFFSET_BYTES: usize = 12;

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
        let objects = chunk.refs().len();
        let offsets = (objects >= OFFSETS_KEPT_FROM).then(|| chunk.take_offsets());
        let encoded = offsets.as_deref().map(encode);
        // At the end, whatever a reading moved the position to.
        let written = file.seek(SeekFrom::Start(self.end)).and_then(|_| {
            file.write_all(chunk.as_bytes())?;
            encoded.as_deref().map_or(Ok(()), |bytes| file.write_all(bytes))
        });
        if written.is_err() {
            // What was written of it lies past `end`, never read.
            self.off = true;
            if let Some(offsets) = offsets {
                chunk.put_offsets(offsets);
            }
            return Kept::held(chunk);
        }
        let at = self.end;
        let len = chunk.take_bytes().len();
        self.end += len as u64;
        let offsets = encoded.map(|bytes| {
            let offsets_at = self.end;
            self.end += bytes.len() as u64;
            (offsets_at, objects)
        });
        Kept { chunk, at: Some((at, len)), offsets }
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

    /// Gives `kept` its bytes, and its objects' numbers and offsets, back
    /// from the file.
    pub(crate) fn read_back(&mut self, kept: &mut Kept) -> KrillaResult<()> {
        let offsets = self.offsets(kept)?;
        kept.offsets = None;
        if let Some((at, len)) = kept.at.take() {
            let bytes = self.read(at, len)?;
            kept.chunk.put_bytes(bytes);
        }
        if let Some(offsets) = offsets {
            // Renumbering cuts the bytes at the offsets: they must come one
            // after another, within the bytes.
            let within = offsets.last().is_none_or(|&(_, last)| last < kept.chunk.len());
            if !within || !offsets.is_sorted_by(|(_, a), (_, b)| a < b) {
                return Err(changed());
            }
            kept.chunk.put_offsets(offsets);
        }
        Ok(())
    }

    /// Gives `kept` its objects' numbers and offsets back from the file,
    /// if they are there (and stay there: [`Spill::read_back`] lets them
    /// go); whether they were.
    pub(crate) fn read_offsets(&mut self, kept: &mut Kept) -> KrillaResult<bool> {
        let offsets = self.offsets(kept)?;
        let read = offsets.is_some();
        if let Some(offsets) = offsets {
            kept.chunk.put_offsets(offsets);
        }
        Ok(read)
    }

    /// `kept`'s objects' numbers and offsets, if they are in the file.
    fn offsets(&mut self, kept: &Kept) -> KrillaResult<Option<Vec<(Ref, usize)>>> {
        let Some((at, objects)) = kept.offsets else {
            return Ok(None);
        };
        let bytes = self.read(at, objects * OFFSET_BYTES)?;
        decode(&bytes).map(Some)
    }

    /// `len` bytes of the file from `at`.
    fn read(&mut self, at: u64, len: usize) -> KrillaResult<Vec<u8>> {
        let file = self.file.as_mut().ok_or_else(lost)?;
        let mut bytes = vec![0; len];
        file.seek(SeekFrom::Start(at)).map_err(read_failed)?;
        file.read_exact(&mut bytes).map_err(read_failed)?;
        Ok(bytes)
    }
}

/// Objects' numbers and offsets as kept in the file.
fn encode(offsets: &[(Ref, usize)]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(offsets.len() * OFFSET_BYTES);
    for &(number, offset) in offsets {
        bytes.extend_from_slice(&number.get().to_le_bytes());
        bytes.extend_from_slice(&(offset as u64).to_le_bytes());
    }
    bytes
}

/// The numbers and offsets [`encode`] gave `bytes`.
fn decode(bytes: &[u8]) -> KrillaResult<Vec<(Ref, usize)>> {
    bytes
        .chunks_exact(OFFSET_BYTES)
        .map(|entry| {
            let (number, offset) = entry.split_at(4);
            let number = i32::from_le_bytes(number.try_into().unwrap_or_default());
            let offset = u64::from_le_bytes(offset.try_into().unwrap_or_default());
            match (number >= 1, usize::try_from(offset)) {
                (true, Ok(offset)) => Ok((Ref::new(number), offset)),
                _ => Err(changed()),
            }
        })
        .collect()
}

fn changed() -> KrillaError {
    KrillaError::Spill(
        "the document's chunks came back from their temporary file changed".to_string(),
    )
}

fn lost() -> KrillaError {
    KrillaError::Spill("the temporary file of the document's chunks is gone".to_string())
}

pub(crate) fn read_failed(error: std::io::Error) -> KrillaError {
    KrillaError::Spill(format!(
        "the document's chunks could not be read back from their temporary file: {error}"
    ))
}
