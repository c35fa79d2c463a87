//! Filling pages from a flow: chunks stack down the text area, and the
//! footnotes they call stack up from its foot under a short rule. A chunk
//! goes to a new page when it does not fit there together with the chunks
//! kept with it and the start of the notes they call; a note too long for
//! what is left continues at the foot of the next page, before that page's
//! own notes. A table row starting a page gets its table's head row above it.

use std::collections::VecDeque;
use std::ops::{Add, Sub};

use crate::doc::ChapterStart;

use super::flow::{Chunk, FlowItem};
use super::is_recto;
use super::page::{Item, LineInfo, OutlineEntry, Page, PageKind, Plate};

/// Slack for rounding when comparing heights.
const EPSILON: f32 = 0.01;

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
    /// Whether anything but space has been put in the open page's text.
    has_content: bool,
    pending_marks: Vec<(String, u8, String)>,
    /// What separates the notes from the text (the flow's `FootRule`).
    foot_rule: Option<Chunk>,
    /// Note lines at the open page's foot, and their height (rule not
    /// included).
    foot: Vec<Chunk>,
    foot_lines: f32,
    /// Note lines waiting for the next page's foot.
    carry: VecDeque<Chunk>,
    /// Paragraphs of the flows placed before this one: flows number their
    /// paragraphs from 0, pages number them through the book.
    paragraph_base: u32,
    /// Paragraphs of the flow being placed (one more than the highest seen).
    flow_paragraphs: u32,
}

/// Room a chunk, or a group of chunks kept together, needs on a page: its
/// own height, and the first unbreakable part of each note it calls.
#[derive(Debug, Clone, Copy, Default)]
struct Need {
    body: f32,
    notes: f32,
}

impl Need {
    fn of(chunk: &Chunk) -> Need {
        Need {
            body: chunk.height,
            notes: chunk
                .notes
                .iter()
                .map(|note| first_group_height(note))
                .sum(),
        }
    }
}

impl Add for Need {
    type Output = Need;
    fn add(self, other: Need) -> Need {
        Need {
            body: self.body + other.body,
            notes: self.notes + other.notes,
        }
    }
}

impl Sub for Need {
    type Output = Need;
    fn sub(self, other: Need) -> Need {
        Need {
            body: self.body - other.body,
            notes: self.notes - other.notes,
        }
    }
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
            foot_rule: None,
            foot: Vec::new(),
            foot_lines: 0.0,
            carry: VecDeque::new(),
            paragraph_base: 0,
            flow_paragraphs: 0,
        }
    }

    /// The pages placed so far, whole once [`Paginator::place`] has returned
    /// (a flow's notes end with it), the first one's index in the book, and
    /// the bookmarks leading to them. Pages placed after them are numbered on.
    pub fn take(&mut self) -> (usize, Vec<Page>, Vec<OutlineEntry>) {
        let first = self.first_index;
        self.first_index += self.pages.len();
        let pages = std::mem::take(&mut self.pages);
        (first, pages, std::mem::take(&mut self.outline))
    }

    fn page_index(&self) -> usize {
        self.first_index + self.pages.len() - 1
    }

    fn rule_height(&self) -> f32 {
        self.foot_rule.as_ref().map_or(0.0, |rule| rule.height)
    }

    fn foot_height(&self) -> f32 {
        if self.foot.is_empty() {
            0.0
        } else {
            self.rule_height() + self.foot_lines
        }
    }

    /// Height `need` takes on a page that has no notes yet.
    fn height(&self, need: Need) -> f32 {
        let rule = if need.notes > 0.0 {
            self.rule_height()
        } else {
            0.0
        };
        need.body + rule + need.notes
    }

    fn page_is_empty(&self) -> bool {
        !self.has_content && self.foot.is_empty()
    }

    /// Whether `need` fits on the open page. New notes never go before
    /// carried ones, so chunks calling notes wait while notes are carried.
    fn fits(&self, need: Need) -> bool {
        if need.notes > 0.0 && !self.carry.is_empty() {
            return false;
        }
        let rule = if need.notes > 0.0 && self.foot.is_empty() {
            self.rule_height()
        } else {
            0.0
        };
        self.y + need.body + self.foot_height() + rule + need.notes <= self.area.height + EPSILON
    }

    /// Opens a new page; the notes carried over take its foot, as far as they
    /// fit leaving `reserve` for the text to come (at least one part when no
    /// text is to come, so that carried notes always end).
    fn new_page(&mut self, reserve: f32) {
        self.close_page();
        self.pages.push(Page::default());
        self.y = 0.0;
        self.has_content = false;
        if self.carry.is_empty() {
            return;
        }
        let lines: Vec<Chunk> = self.carry.drain(..).collect();
        let room = self.area.height - reserve - self.rule_height();
        let mut count = fitting_prefix(&lines, room);
        if count == 0 && reserve == 0.0 {
            count = first_group_len(&lines);
        }
        let (set, rest) = lines.split_at(count);
        self.set_in_foot(set);
        self.carry.extend(rest.iter().cloned());
    }

    /// Places a flow, starting on a new page (a recto, after a blank page
    /// if needed, when `chapter_start` says so); returns the index of that page.
    pub fn place(&mut self, flow: &[FlowItem]) -> usize {
        self.new_page(0.0);
        if self.chapter_start == ChapterStart::Recto && !is_recto(self.page_index()) {
            if let Some(page) = self.pages.last_mut() {
                page.kind = PageKind::Blank;
            }
            self.new_page(0.0);
        }
        let start = self.page_index();
        // Flow items before this index belong to a kept group too tall for
        // a page: they are placed one by one, each as far as it fits.
        let mut loose_until = 0;
        for (i, item) in flow.iter().enumerate() {
            match item {
                FlowItem::PageBreak => {
                    if self.has_content {
                        self.new_page(0.0);
                    }
                }
                FlowItem::Gap(gap) => {
                    // Space at the top of a page is kept only where a flow
                    // opens it (a chapter's sink), not after a page turn.
                    if self.has_content || self.page_index() == start {
                        self.y += gap;
                    }
                }
                FlowItem::Mark { title, level, name } => {
                    self.pending_marks
                        .push((title.clone(), *level, name.clone()))
                }
                FlowItem::FootRule(rule) => self.foot_rule = Some(rule.clone()),
                FlowItem::Plate(plate) => self.plate(plate),
                FlowItem::Chunk(chunk) => {
                    let own = Need::of(chunk);
                    let header = chunk.repeat_header.as_ref().map_or(0.0, |h| h.height);
                    let need = if i < loose_until {
                        own
                    } else {
                        let (group, group_len) = kept(chunk, &flow[i + 1..]);
                        if self.height(group) + header > self.area.height + EPSILON {
                            loose_until = i + 1 + group_len;
                            own
                        } else {
                            group
                        }
                    };
                    if !self.fits(need) && !self.page_is_empty() {
                        // Notes carried over can fill whole pages before
                        // a chunk calling notes fits (its notes cannot come
                        // first): each new page takes some of them, all its
                        // room while they cannot end on it, or else has
                        // room for the chunk.
                        loop {
                            let wanted = self.height(need) + header;
                            let carried: f32 = self.carry.iter().map(|line| line.height).sum();
                            let shared = carried + self.rule_height() + wanted <= self.area.height;
                            let reserve = if need.notes > 0.0 && !shared {
                                0.0
                            } else {
                                wanted
                            };
                            self.new_page(reserve);
                            if self.fits(need) || self.page_is_empty() {
                                break;
                            }
                        }
                        if let Some(header) = &chunk.repeat_header {
                            self.put(header, Need::default());
                        }
                    }
                    self.put(chunk, need - own);
                }
            }
        }
        while !self.carry.is_empty() {
            self.new_page(0.0);
        }
        self.close_page();
        // Marks with nothing after them (an empty chapter) point at its end.
        self.flush_marks(self.area.top + self.y);
        self.foot_rule = None;
        self.paragraph_base += self.flow_paragraphs;
        self.flow_paragraphs = 0;
        start
    }

    fn flush_marks(&mut self, y: f32) {
        let page = self.page_index();
        for (title, level, name) in self.pending_marks.drain(..) {
            self.outline.push(OutlineEntry {
                title,
                level,
                name,
                page,
                y,
            });
        }
    }

    /// Puts a chunk in the text and its notes at the foot, leaving room for
    /// `rest`, what must still come on this page with it.
    fn put(&mut self, chunk: &Chunk, rest: Need) {
        let left = self.area.left[self.page_index() % 2];
        let top = self.area.top + self.y;
        self.flush_marks(top);
        self.draw(chunk, left, top);
        let page = self.pages.last_mut().expect("a page is open");
        page.start = page.start.or(chunk.anchor);
        self.y += chunk.height;
        self.has_content = true;
        for note in &chunk.notes {
            if !self.carry.is_empty() {
                self.carry.extend(note.iter().cloned());
                continue;
            }
            let rule = if self.foot.is_empty() {
                self.rule_height()
            } else {
                0.0
            };
            let room =
                self.area.height - self.y - rest.body - rest.notes - self.foot_height() - rule;
            let (set, carried) = note.split_at(fitting_prefix(note, room));
            self.set_in_foot(set);
            self.carry.extend(carried.iter().cloned());
        }
    }

    fn set_in_foot(&mut self, lines: &[Chunk]) {
        self.foot_lines += lines.iter().map(|line| line.height).sum::<f32>();
        self.foot.extend(lines.iter().cloned());
    }

    /// Sets the open page's notes at the bottom of its text area.
    fn close_page(&mut self) {
        if self.foot.is_empty() {
            return;
        }
        let left = self.area.left[self.page_index() % 2];
        let mut top = self.area.top + self.area.height - self.foot_height();
        let lines = std::mem::take(&mut self.foot);
        if let Some(rule) = self.foot_rule.clone() {
            self.draw(&rule, left, top);
            top += rule.height;
        }
        for line in &lines {
            self.draw(line, left, top);
            top += line.height;
        }
        self.foot_lines = 0.0;
    }

    /// A page of its own for `plate`, after the open page if anything is on
    /// it; notes carried over wait for the next page of text.
    fn plate(&mut self, plate: &Plate) {
        if !self.page_is_empty() {
            self.close_page();
            self.pages.push(Page::default());
        }
        let page = self.pages.last_mut().expect("a page is open");
        page.kind = PageKind::Plate;
        page.plate = Some(plate.clone());
        // Full: what follows starts a new page.
        self.has_content = true;
        self.y = self.area.height;
    }

    /// Draws a chunk's items (and records its line) with its top-left corner
    /// at (`left`, `top`) of the open page.
    fn draw(&mut self, chunk: &Chunk, left: f32, top: f32) {
        let base = self.paragraph_base;
        for line in &chunk.lines {
            self.flow_paragraphs = self.flow_paragraphs.max(line.paragraph + 1);
        }
        let page = self.pages.last_mut().expect("a page is open");
        page.items
            .extend(chunk.items.iter().map(|item| shift(item, left, top)));
        page.lines.extend(chunk.lines.iter().map(|line| LineInfo {
            top: top + line.top,
            bottom: top + line.bottom,
            paragraph: base + line.paragraph,
            ..*line
        }));
    }
}

/// What must stay on the same page as `chunk`: while a chunk is kept with
/// the next, the next one too. Returns their need, `chunk`'s own included,
/// and how many flow items of `rest` the group spans.
fn kept(chunk: &Chunk, rest: &[FlowItem]) -> (Need, usize) {
    let mut need = Need::of(chunk);
    if !chunk.keep_with_next {
        return (need, 0);
    }
    for (i, item) in rest.iter().enumerate() {
        match item {
            FlowItem::Chunk(next) => {
                need = need + Need::of(next);
                if !next.keep_with_next {
                    return (need, i + 1);
                }
            }
            FlowItem::Gap(gap) => need.body += gap,
            FlowItem::Mark { .. } | FlowItem::FootRule(_) => {}
            // A heading kept with a full-bleed picture stays on the page
            // before it: the picture leaves no room for it.
            FlowItem::PageBreak | FlowItem::Plate(_) => return (need, i),
        }
    }
    (need, rest.len())
}

/// Number of lines in the first part of a note that a page may end after
/// (the lines kept together at its start).
fn first_group_len(lines: &[Chunk]) -> usize {
    lines
        .iter()
        .position(|line| !line.keep_with_next)
        .map_or(lines.len(), |i| i + 1)
}

fn first_group_height(lines: &[Chunk]) -> f32 {
    lines[..first_group_len(lines)]
        .iter()
        .map(|line| line.height)
        .sum()
}

/// The most lines from the start of `lines` that fit in `room` and end
/// where a page may end.
fn fitting_prefix(lines: &[Chunk], room: f32) -> usize {
    let mut height = 0.0;
    let mut fitting = 0;
    for (i, line) in lines.iter().enumerate() {
        height += line.height;
        if height > room + EPSILON {
            break;
        }
        if !line.keep_with_next || i + 1 == lines.len() {
            fitting = i + 1;
        }
    }
    fitting
}

/// Moves an item from chunk coordinates to page coordinates.
pub fn shift(item: &Item, dx: f32, dy: f32) -> Item {
    let mut item = item.clone();
    match &mut item {
        Item::Glyphs(run) => {
            run.x += dx;
            run.y += dy;
        }
        Item::Picture { rect, crop, .. } => {
            for rect in std::iter::once(rect).chain(crop) {
                rect.x += dx;
                rect.y += dy;
            }
        }
        Item::Shape { polygons, .. } => {
            let moved = polygons
                .iter()
                .map(|polygon| polygon.iter().map(|&(x, y)| (x + dx, y + dy)).collect());
            *polygons = std::sync::Arc::new(moved.collect());
        }
        Item::Fill { rect, .. }
        | Item::Backdrop { rect, .. }
        | Item::PrintersMark { rect }
        | Item::Link { rect, .. } => {
            rect.x += dx;
            rect.y += dy;
        }
    }
    item
}
