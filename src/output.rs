//! Writing outputs so that a reader never sees a half-written file.

use std::io::{Read as _, Seek as _, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tempfile::{NamedTempFile, TempPath};

use crate::diag::{Code, Diagnostic, Result};

/// A file's bytes in the pieces they were made in (a PDF's objects), to be
/// written one after another: put together in one buffer, a long book's
/// PDF took as much memory again, new to the build, at its very end. Its
/// first bytes may be in a temporary file (krilla keeps a PDF there as it
/// puts it together, and a long EPUB is made in one), the rest in memory.
#[derive(Default)]
pub struct Pieces {
    /// The temporary file the first bytes are in, and how many they are.
    head: Option<(std::fs::File, usize)>,
    /// The bytes after them, in the pieces they were made in.
    tail: Vec<Vec<u8>>,
}

impl Pieces {
    /// The bytes whose first `head.1` are in the file `head.0`, the rest
    /// in `tail`.
    pub fn new(head: Option<(std::fs::File, usize)>, tail: Vec<Vec<u8>>) -> Self {
        Pieces { head, tail }
    }

    /// The file's length in bytes.
    pub fn len(&self) -> usize {
        self.in_file() + self.tail.iter().map(Vec::len).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many of the bytes are in the temporary file.
    pub fn in_file(&self) -> usize {
        self.head.as_ref().map_or(0, |(_, len)| *len)
    }

    /// The last piece in memory, to be added to, and where it starts in
    /// the file.
    pub fn last_mut(&mut self) -> Option<(usize, &mut Vec<u8>)> {
        let before = self.len() - self.tail.last()?.len();
        Some((before, self.tail.last_mut()?))
    }

    /// The file's bytes in one buffer, read from the temporary file where
    /// they are there.
    pub fn read(&self) -> std::io::Result<Vec<u8>> {
        let mut bytes = Vec::with_capacity(self.len());
        if let Some(mut head) = self.head()? {
            head.read_to_end(&mut bytes)?;
        }
        self.check_head(bytes.len() as u64)?;
        for piece in &self.tail {
            bytes.extend_from_slice(piece);
        }
        Ok(bytes)
    }

    /// The file's bytes in one buffer: a lone piece in memory as it is,
    /// else as [`Pieces::read`] gives them.
    pub fn into_bytes(mut self) -> std::io::Result<Vec<u8>> {
        match (&self.head, self.tail.len()) {
            (None, 1) => Ok(self.tail.pop().unwrap_or_default()),
            _ => self.read(),
        }
    }

    /// Writes the file's bytes to `to`: the temporary file's copied as they
    /// are (on Linux, by the kernel, file to file), the pieces gathered into
    /// writes of a mebibyte (a PDF's pieces are its objects, most a few
    /// kilobytes).
    fn write_to(&self, to: &mut std::fs::File) -> std::io::Result<()> {
        if let Some(mut head) = self.head()? {
            let copied = std::io::copy(&mut head, to)?;
            self.check_head(copied)?;
        }
        let mut to = std::io::BufWriter::with_capacity(WRITTEN_AT_ONCE, to);
        for piece in &self.tail {
            to.write_all(piece)?;
        }
        to.flush()
    }

    /// The temporary file's bytes, to be read from the start.
    fn head(&self) -> std::io::Result<Option<std::io::Take<&std::fs::File>>> {
        let Some((mut file, len)) = self.head.as_ref().map(|(file, len)| (file, *len)) else {
            return Ok(None);
        };
        file.seek(std::io::SeekFrom::Start(0))?;
        Ok(Some(file.take(len as u64)))
    }

    /// Fails unless `read` bytes are all the temporary file was to hold.
    fn check_head(&self, read: u64) -> std::io::Result<()> {
        match self.in_file() as u64 == read {
            true => Ok(()),
            false => Err(std::io::ErrorKind::UnexpectedEof.into()),
        }
    }
}

impl From<Vec<u8>> for Pieces {
    fn from(bytes: Vec<u8>) -> Self {
        Pieces::new(None, vec![bytes])
    }
}

impl std::fmt::Debug for Pieces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} bytes, {} of them in a file, the rest in {} pieces",
            self.len(),
            self.in_file(),
            self.tail.len()
        )
    }
}

/// Writes `files` (each a path and its bytes) as one: each to a temporary
/// file beside its path, then renamed over it. On any error every path is
/// left as it was, so an EPUB is never left newer than the PDF beside it.
pub fn write_all_atomic(files: &[(PathBuf, Pieces)]) -> Result<()> {
    // Staged side by side: each waits for its disk write (`fsync`) while
    // the other is written.
    let staged = files
        .par_iter()
        .map(|(path, bytes)| stage(path, bytes).map(|tmp| (path, tmp)))
        .collect::<Vec<Result<_>>>()
        .into_iter()
        .collect::<Result<Vec<_>>>()?;
    let mut replaced: Vec<(&Path, Option<TempPath>)> = Vec::with_capacity(staged.len());
    for (path, tmp) in staged {
        match replace(path, tmp) {
            Ok(old) => replaced.push((path, old)),
            Err(error) => {
                let unrestored: Vec<String> = replaced
                    .into_iter()
                    .rev()
                    .filter_map(|(path, old)| restore(path, old).err())
                    .collect();
                return Err(match unrestored.is_empty() {
                    true => error,
                    false => error.with_hint(unrestored.join("; ")),
                });
            }
        }
    }
    // Dropping the old versions deletes them.
    Ok(())
}

fn write_failed(path: &Path) -> impl Fn(std::io::Error) -> Diagnostic + '_ {
    move |e| Diagnostic::io(Code::WriteFailed, "cannot write", path, &e)
}

/// `bytes` in a temporary file beside `path`, on disk.
fn stage(path: &Path, bytes: &Pieces) -> Result<NamedTempFile> {
    let fail = write_failed(path);
    let mut builder = tempfile::Builder::new();
    // Temporary files are private (0600); outputs are ordinary files.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut tmp = builder.tempfile_in(folder_of(path)).map_err(&fail)?;
    bytes.write_to(tmp.as_file_mut()).map_err(&fail)?;
    tmp.as_file().sync_all().map_err(&fail)?;
    Ok(tmp)
}

/// The bytes [`Pieces::write_to`] gathers into one write.
const WRITTEN_AT_ONCE: usize = 1 << 20;

/// Renames `tmp` over `path`, first moving what `path` held aside (to a
/// temporary path, returned) so that [`restore`] can put it back.
fn replace(path: &Path, tmp: NamedTempFile) -> Result<Option<TempPath>> {
    let fail = write_failed(path);
    let old = match std::fs::symlink_metadata(path) {
        Ok(_) => {
            let aside = tempfile::Builder::new()
                .prefix(".old")
                .tempfile_in(folder_of(path))
                .map_err(&fail)?
                .into_temp_path();
            std::fs::rename(path, &aside).map_err(&fail)?;
            Some(aside)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(fail(e)),
    };
    if let Err(e) = tmp.persist(path) {
        let error = fail(e.error);
        return Err(match restore(path, old) {
            Ok(()) => error,
            Err(unrestored) => error.with_hint(unrestored),
        });
    }
    Ok(old)
}

/// Undoes [`replace`]: puts `old` back at `path`, or removes `path` when
/// there was nothing there before. This runs while another write error is
/// being reported; its own failure, if any, is a hint to that error.
fn restore(path: &Path, old: Option<TempPath>) -> std::result::Result<(), String> {
    let undone = match &old {
        Some(old) => std::fs::rename(old, path),
        None => std::fs::remove_file(path),
    };
    undone.map_err(|e| format!("{} could not be put back as it was: {e}", path.display()))
}

fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The environment variable naming the program `warraq build --open` runs
/// on the output, instead of the system's viewer.
pub const OPENER_VARIABLE: &str = "WARRAQ_OPENER";

/// Opens `path` with the program named by [`OPENER_VARIABLE`], else with
/// the system's default application for its type, without waiting for it.
/// A failure is a warning: the file itself was written.
pub fn open(path: &Path) -> std::result::Result<(), Diagnostic> {
    // A viewer that is already running has its own working folder.
    let path = &std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let opened = match std::env::var_os(OPENER_VARIABLE).filter(|opener| !opener.is_empty()) {
        Some(opener) => open::with_detached(path, opener.to_string_lossy()),
        None => open::that_detached(path),
    };
    opened.map_err(|e| {
        Diagnostic::warning(
            Code::OpenFailed,
            format!("cannot open {}: {e}", path.display()),
        )
        .of_environment()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_are_written_one_after_another() {
        let mut head = tempfile::tempfile().unwrap();
        // What lies past the bytes the file is to give is not theirs.
        head.write_all(b"%PDF-1.7\nleft over").unwrap();
        let tail = vec![b"%".to_vec(), Vec::new(), b"%EOF\n".to_vec()];
        let pieces = Pieces::new(Some((head, 9)), tail);
        assert_eq!(pieces.len(), 15);
        let whole = b"%PDF-1.7\n%%EOF\n";
        assert_eq!(pieces.read().unwrap(), whole);
        // Read again, from the start.
        assert_eq!(pieces.read().unwrap(), whole);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        write_all_atomic(&[(path.clone(), pieces)]).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), whole);
        let pieces = Pieces::new(None, vec![b"%PDF".to_vec(), Vec::new(), b"-1.7\n".to_vec()]);
        assert_eq!(pieces.read().unwrap(), b"%PDF-1.7\n");
    }

    #[test]
    fn a_file_shorter_than_said_fails_to_be_read() {
        let mut head = tempfile::tempfile().unwrap();
        head.write_all(b"%PDF-1.7\n").unwrap();
        let pieces = Pieces::new(Some((head, 20)), vec![b"%%EOF\n".to_vec()]);
        assert!(pieces.read().is_err());
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        assert!(write_all_atomic(&[(path.clone(), pieces)]).is_err());
        assert!(!path.exists(), "nothing written");
    }
}
