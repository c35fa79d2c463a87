//! Writing outputs so that a reader never sees a half-written file.

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tempfile::{NamedTempFile, TempPath};

use crate::diag::{Code, Diagnostic, Result};

/// A file's bytes in the pieces they were made in (a PDF's objects), to be
/// written one after another: put together in one buffer, a long book's
/// PDF took as much memory again, new to the build, at its very end.
#[derive(Clone, Default)]
pub struct Pieces(Vec<Vec<u8>>);

impl Pieces {
    /// The file's length in bytes.
    pub fn len(&self) -> usize {
        self.0.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Vec::is_empty)
    }

    /// The file's bytes, piece by piece.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        self.0.iter().map(Vec::as_slice)
    }

    /// The file's bytes in one buffer (taken as they are when in one piece).
    pub fn into_vec(mut self) -> Vec<u8> {
        match self.0.len() {
            1 => self.0.pop().unwrap_or_default(),
            _ => self.0.concat(),
        }
    }

    /// The file's bytes copied into one buffer.
    pub fn to_vec(&self) -> Vec<u8> {
        self.0.concat()
    }
}

impl From<Vec<u8>> for Pieces {
    fn from(bytes: Vec<u8>) -> Self {
        Pieces(vec![bytes])
    }
}

impl From<Vec<Vec<u8>>> for Pieces {
    fn from(pieces: Vec<Vec<u8>>) -> Self {
        Pieces(pieces)
    }
}

impl std::fmt::Debug for Pieces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} bytes in {} pieces", self.len(), self.0.len())
    }
}

/// Files are equal when their bytes are, however cut into pieces.
impl PartialEq for Pieces {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().flatten().eq(other.iter().flatten())
    }
}

impl Eq for Pieces {}

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
    let tmp = builder.tempfile_in(folder_of(path)).map_err(&fail)?;
    // A PDF's pieces are its objects, most a few kilobytes: gathered into
    // writes of a mebibyte.
    let mut file = std::io::BufWriter::with_capacity(WRITTEN_AT_ONCE, tmp);
    for piece in bytes.iter() {
        file.write_all(piece).map_err(&fail)?;
    }
    let tmp = file.into_inner().map_err(|e| fail(e.into_error()))?;
    tmp.as_file().sync_all().map_err(&fail)?;
    Ok(tmp)
}

/// The bytes [`stage`] gathers into one write.
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
        let pieces = Pieces::from(vec![b"%PDF".to_vec(), Vec::new(), b"-1.7\n".to_vec()]);
        assert_eq!(pieces.len(), 9);
        assert!(
            pieces == Pieces::from(b"%PDF-1.7\n".to_vec()),
            "equal however cut"
        );
        assert!(pieces != Pieces::from(b"%PDF-1.6\n".to_vec()));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        write_all_atomic(&[(path.clone(), pieces.clone())]).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), pieces.into_vec());
    }
}
