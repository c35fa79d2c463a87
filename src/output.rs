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
