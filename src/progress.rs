//! What a build reports as it goes, for a progress bar: each stage as it
//! starts, how many steps it has, and each step done. Stages call it from
//! several threads at once; the command line draws it, the library never
//! prints.

/// The stages of [`crate::compile`], for its timings and its progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Load,
    Parse,
    Layout,
    /// Paragraphs shaped: a part of [`Stage::Layout`], timed but not shown
    /// as progress, as the next two (see [`crate::layout::LayoutTimes`]).
    Shape,
    /// Paragraphs broken into lines, a part of [`Stage::Layout`].
    Break,
    /// The chapters put on pages, a part of [`Stage::Layout`].
    Paginate,
    Epub,
    Pdf,
    Booklet,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::Load => "load",
            Stage::Parse => "parse",
            Stage::Layout => "lay out",
            Stage::Shape => "shape",
            Stage::Break => "break lines",
            Stage::Paginate => "paginate",
            Stage::Epub => "write EPUB",
            Stage::Pdf => "write PDF",
            Stage::Booklet => "impose booklet",
        }
    }
}

pub trait Progress: Sync {
    /// `stage` starts; it has `steps` steps (chapters), or 0 when it is
    /// not counted.
    fn stage(&self, stage: Stage, steps: usize);
    /// One more step of the current stage is done.
    fn step(&self);
}

/// Progress nobody watches.
pub struct Unwatched;

impl Progress for Unwatched {
    fn stage(&self, _: Stage, _: usize) {}
    fn step(&self) {}
}
