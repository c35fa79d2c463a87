//! Filling pages from a flow: chunks stack down the text area; a chunk that
//! does not fit starts a new page, and headings are kept with what follows.

use crate::doc::ChapterStart;

use super::flow::{Chunk, FlowItem};
use super::is_recto;
use super::page::{Item, OutlineEntry, Page, PageKind};

/// Where text goes on a page: the text area's left edge depends on whether the
/// page is a left or a right page (mirrored margins).
#[derive(Debug, Clone, Copy)]
pub struct TextArea {
    pub top: f32,
    pub height: f32,
    /// Left edge of the text area for pages whose index is even / odd.
    pub left: [f32; 2],
}

pub struct Paginator {
    pub area: TextArea,
    pub pages: Vec<Page>,
    pub outline: Vec<OutlineEntry>,
    /// Index of the first page of this paginator in the whole book.
    pub first_index: usize,
    /// Whether a chapter may open on any page or only on a recto.
    pub chapter_start: ChapterStart,
    y: f32,
    /// Whether anything but space has been put on the open page.
    has_content: bool,
    pending_marks: Vec<(String, u8)>,
}

impl Paginator {
    pub fn new(area: TextArea, first_index: usize) -> Self {
        Paginator {
            area,
            pages: Vec::new(),
            outline: Vec::new(),
            first_index,
            chapter_start: ChapterStart::Any,
            y: 0.0,
            has_content: false,
            pending_marks: Vec::new(),
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Page::default());
        self.y = 0.0;
        self.has_content = false;
    }

    fn page_index(&self) -> usize {
        self.first_index + self.pages.len() - 1
    }

    /// Places a flow, starting on a new page (a recto, after a blank page
    /// if needed, when `chapter_start` says so); returns the index of that page.
    pub fn place(&mut self, flow: &[FlowItem]) -> usize {
        self.new_page();
        if self.chapter_start == ChapterStart::Recto && !is_recto(self.page_index()) {
            if let Some(page) = self.pages.last_mut() {
                page.kind = PageKind::Blank;
            }
            self.new_page();
        }
        let start = self.page_index();
        for (i, item) in flow.iter().enumerate() {
            match item {
                FlowItem::PageBreak => {
                    if self.has_content {
                        self.new_page();
                    }
                }
                FlowItem::Gap(gap) => {
                    // Space at the top of a page is kept only where a flow
                    // opens it (a chapter's sink), not after a page turn.
                    if self.has_content || self.page_index() == start {
                        self.y += gap;
                    }
                }
                FlowItem::Mark { title, level } => self.pending_marks.push((title.clone(), *level)),
                FlowItem::Chunk(chunk) => {
                    let kept = chunk.height + kept_height(chunk, &flow[i + 1..]);
                    // A group taller than a page cannot stay together.
                    let needed = if kept > self.area.height {
                        chunk.height
                    } else {
                        kept
                    };
                    if self.has_content && self.y + needed > self.area.height + 0.01 {
                        self.new_page();
                    }
                    self.put(chunk);
                }
            }
        }
        // Marks with nothing after them (an empty chapter) point at its end.
        self.flush_marks(self.area.top + self.y);
        start
    }

    fn flush_marks(&mut self, y: f32) {
        let page = self.page_index();
        for (title, level) in self.pending_marks.drain(..) {
            self.outline.push(OutlineEntry {
                title,
                level,
                page,
                y,
            });
        }
    }

    fn put(&mut self, chunk: &Chunk) {
        let index = self.page_index();
        let left = self.area.left[index % 2];
        let top = self.area.top + self.y;
        self.flush_marks(top);
        let page = self.pages.last_mut().expect("a page is open");
        for item in &chunk.items {
            page.items.push(shift(item, left, top));
        }
        self.y += chunk.height;
        self.has_content = true;
    }
}

/// Height of the chunks that must stay on the same page as `chunk`: while a
/// chunk is kept with the next, the next one too.
fn kept_height(chunk: &Chunk, rest: &[FlowItem]) -> f32 {
    if !chunk.keep_with_next {
        return 0.0;
    }
    let mut height = 0.0;
    for item in rest {
        match item {
            FlowItem::Chunk(next) => {
                height += next.height;
                if !next.keep_with_next {
                    break;
                }
            }
            FlowItem::Gap(gap) => height += gap,
            FlowItem::Mark { .. } => {}
            FlowItem::PageBreak => break,
        }
    }
    height
}

/// Moves an item from chunk coordinates to page coordinates.
pub fn shift(item: &Item, dx: f32, dy: f32) -> Item {
    let mut item = item.clone();
    match &mut item {
        Item::Glyphs(run) => {
            run.x += dx;
            run.y += dy;
        }
        Item::Picture { rect, .. } | Item::Fill { rect, .. } => {
            rect.x += dx;
            rect.y += dy;
        }
    }
    item
}
