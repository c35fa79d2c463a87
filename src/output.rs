//! Writing outputs so that a reader never sees a half-written file.

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tempfile::{NamedTempFile, TempPath};

use crate::diag::{Code, Diagnostic, Result};

/// Writes `files` (each a path and its bytes) as one: each to a temporary
/// file beside its path, then renamed over it. On any error every path is
/// left as it was, so an EPUB is never left newer than the PDF beside it.
pub fn write_all_atomic(files: &[(PathBuf, Vec<u8>)]) -> Result<()> {
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
fn stage(path: &Path, bytes: &[u8]) -> Result<NamedTempFile> {
    let fail = write_failed(path);
    let mut builder = tempfile::Builder::new();
    // Temporary files are private (0600); outputs are ordinary files.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut tmp = builder.tempfile_in(folder_of(path)).map_err(&fail)?;
    tmp.write_all(bytes).map_err(&fail)?;
    tmp.as_file().sync_all().map_err(&fail)?;
    Ok(tmp)
}

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
