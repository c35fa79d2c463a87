//! Writing outputs so that a reader never sees a half-written file.

use std::io::Write;
use std::path::Path;

use crate::diag::{Code, Diagnostic, Result};

/// Writes `bytes` to a temporary file beside `path`, then renames it over
/// `path`. On any error `path` is left as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let fail = |e: std::io::Error| Diagnostic::io(Code::WriteFailed, "cannot write", path, &e);
    let mut builder = tempfile::Builder::new();
    // Temporary files are private (0600); outputs are ordinary files.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut tmp = builder.tempfile_in(dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
