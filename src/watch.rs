//! `warraq watch`: waits for the files of a book folder to change, so the
//! command can build it again.
//!
//! Builds read the book's files and write into its output folder; neither
//! may wake the watch, or it would rebuild forever. So reads (the
//! file-system's "access" events) are not changes, and neither is anything
//! under the output folder, nor an editor's scratch files.

use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use crate::diag::{Code, Diagnostic, Result};

/// How long the folder must be still before the watch wakes: one save (an
/// editor writing a scratch file then renaming it, a `git checkout` of
/// several chapters) settles well within it, and a person hardly notices it.
const SETTLE: Duration = Duration::from_millis(200);

/// Vim creates and deletes this file to test that it may write in a folder.
const VIM_WRITE_PROBE: &str = "4913";

/// What woke the watch.
#[derive(Debug, PartialEq, Eq)]
pub enum Wakeup {
    /// These files of the book changed (paths relative to the book folder,
    /// sorted, each once).
    Changed(Vec<PathBuf>),
    /// The watching itself went wrong (a warning: it goes on).
    Trouble(Diagnostic),
    /// [`BookWatcher::stopper`] was called.
    Stop,
}

/// Watches a book folder (and everything under it) for changes.
pub struct BookWatcher {
    // Dropping it ends the watch.
    _debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    wakeups: Receiver<Wakeup>,
    sender: Sender<Wakeup>,
}

impl BookWatcher {
    /// Starts watching `book_dir`, ignoring what is written into `out_dir`.
    pub fn new(book_dir: &Path, out_dir: &Path) -> Result<Self> {
        let book = book_dir.canonicalize().map_err(|e| {
            Diagnostic::io(Code::WatchFailed, "cannot watch book folder", book_dir, &e)
        })?;
        let scope = Scope {
            out_dir: resolve(out_dir),
            book: book.clone(),
        };
        let (sender, wakeups) = channel();
        let events = sender.clone();
        let mut debouncer = new_debouncer(SETTLE, None, move |result: DebounceEventResult| {
            let wakeup = match result {
                Ok(events) => {
                    let mut changed: Vec<PathBuf> = events
                        .iter()
                        .filter(|event| !matches!(event.kind, EventKind::Access(_)))
                        .flat_map(|event| &event.paths)
                        .filter_map(|path| scope.book_file(path))
                        .collect();
                    if changed.is_empty() {
                        return;
                    }
                    changed.sort();
                    changed.dedup();
                    Wakeup::Changed(changed)
                }
                Err(errors) => {
                    let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
                    Wakeup::Trouble(Diagnostic::warning(
                        Code::WatchFailed,
                        format!("watching the book folder: {}", errors.join("; ")),
                    ))
                }
            };
            // The receiver is gone only when the watch is over.
            let _ = events.send(wakeup);
        })
        .map_err(|e| cannot_watch(book_dir, &e))?;
        debouncer
            .watch(&book, RecursiveMode::Recursive)
            .map_err(|e| cannot_watch(book_dir, &e))?;
        Ok(BookWatcher {
            _debouncer: debouncer,
            wakeups,
            sender,
        })
    }

    /// A function that makes [`BookWatcher::wait`] return
    /// [`Wakeup::Stop`], from any thread (for a Ctrl-C handler).
    pub fn stopper(&self) -> impl Fn() + Send + 'static {
        let sender = self.sender.clone();
        move || {
            let _ = sender.send(Wakeup::Stop);
        }
    }

    /// Blocks until something happens. Changes that came in while the
    /// caller was busy (building) are merged into one wakeup, so a burst
    /// of saves makes one rebuild; a stop comes before any change.
    pub fn wait(&self) -> Wakeup {
        // `self.sender` keeps the channel open, so `recv` cannot fail.
        let Ok(first) = self.wakeups.recv() else {
            return Wakeup::Stop;
        };
        let mut changed = Vec::new();
        for wakeup in std::iter::once(first).chain(self.wakeups.try_iter()) {
            match wakeup {
                Wakeup::Changed(paths) => changed.extend(paths),
                other => return other,
            }
        }
        changed.sort();
        changed.dedup();
        Wakeup::Changed(changed)
    }
}

fn cannot_watch(book_dir: &Path, error: &notify_debouncer_full::notify::Error) -> Diagnostic {
    Diagnostic::error(
        Code::WatchFailed,
        format!("cannot watch {}: {error}", book_dir.display()),
    )
    .in_file(book_dir)
    .of_environment()
}

/// Which paths are the book's files.
struct Scope {
    /// The book folder, canonical (as the watcher names paths).
    book: PathBuf,
    /// The output folder, as the watcher would name it.
    out_dir: PathBuf,
}

impl Scope {
    /// `path` relative to the book folder, if it is one of the book's files
    /// that a build may read: not an output, not hidden (`.git`, warraq's
    /// own temporary files), not an editor's scratch file.
    fn book_file(&self, path: &Path) -> Option<PathBuf> {
        let relative = path.strip_prefix(&self.book).ok()?;
        let in_out_dir = if self.out_dir == self.book {
            // Only the outputs, then: the rest is the book.
            path.parent() == Some(self.out_dir.as_path())
                && path
                    .extension()
                    .is_some_and(|ext| ext == "pdf" || ext == "epub")
        } else {
            // An output folder around the book hides none of it.
            self.out_dir.starts_with(&self.book) && path.starts_with(&self.out_dir)
        };
        let hidden = relative.components().any(|component| {
            matches!(component, Component::Normal(name) if name.as_encoded_bytes().starts_with(b"."))
        });
        let name = relative.file_name()?.to_string_lossy();
        let scratch = name.ends_with('~')
            || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
            || name == VIM_WRITE_PROBE;
        (!in_out_dir && !hidden && !scratch).then(|| relative.to_path_buf())
    }
}

/// `path` absolute and with links resolved as far as it exists (the output
/// folder may not exist before the first build).
fn resolve(path: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => resolve(parent).join(name),
        _ => absolute,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(out_dir: &str) -> Scope {
        Scope {
            book: PathBuf::from("/books/b"),
            out_dir: PathBuf::from(out_dir),
        }
    }

    #[test]
    fn the_book_s_files_are_changes() {
        let scope = scope("/books/b/out");
        for file in ["01.md", "book.toml", "pictures/map.png", "fonts/Amiri.ttf"] {
            assert_eq!(
                scope.book_file(&Path::new("/books/b").join(file)),
                Some(PathBuf::from(file))
            );
        }
    }

    #[test]
    fn outputs_hidden_and_scratch_files_are_not() {
        let scope = scope("/books/b/out");
        for file in [
            "out/b.pdf",
            "out/.tmpA1b2C3",
            "out",
            ".git/index",
            ".01.md.swp",
            "01.md~",
            "#01.md#",
            "4913",
        ] {
            assert_eq!(
                scope.book_file(&Path::new("/books/b").join(file)),
                None,
                "{file}"
            );
        }
        assert_eq!(scope.book_file(Path::new("/books/other/01.md")), None);
    }

    #[test]
    fn outputs_written_into_the_book_folder_itself_are_not_changes() {
        let scope = scope("/books/b");
        assert_eq!(scope.book_file(Path::new("/books/b/b.pdf")), None);
        assert_eq!(scope.book_file(Path::new("/books/b/b.epub")), None);
        assert_eq!(
            scope.book_file(Path::new("/books/b/01.md")),
            Some(PathBuf::from("01.md"))
        );
    }

    #[test]
    fn an_output_folder_around_the_book_hides_nothing() {
        let scope = scope("/books");
        assert_eq!(
            scope.book_file(Path::new("/books/b/01.md")),
            Some(PathBuf::from("01.md"))
        );
    }
}
