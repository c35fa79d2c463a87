//! Creating new PDF documents.
//!
//! When using krilla, the starting point is always the creation of a [`Document`]. A document
//! represents _one_ PDF document, to which you can add pages or configure them in any
//! other way you want.
//!
//! Unfortunately, creating PDFs always requires some kind of global state to keep track
//! of different aspects in the creation process, meaning that it is not possible to
//! generate multiple pages at the same time. Instead, you need to add pages separately
//! by calling the [`Document::start_page`] method, which returns a new [`Page`] object that mutably
//! borrows the global state from the document. Once the page is dropped, the global
//! state is passed back to the original document, which you can then use to add even
//! more pages.
//!
//! [`Page`]: Page

use crate::chunk_container::ChunkContainer;
use crate::interactive::annotation::Annotation;
use crate::interchange::tagging::Identifier;
use crate::destination::NamedDestination;
use crate::error::KrillaResult;
use crate::interchange::embed::EmbeddedFile;
use crate::interchange::metadata::Metadata;
use crate::interchange::outline::Outline;
use crate::interchange::tagging::TagTree;
use crate::page::{Page, PageSettings};
#[cfg(feature = "pdf")]
use crate::pdf::PdfDocument;
use crate::serialize::{SerializeContext, SerializeSettings};
use crate::surface::Location;

/// A PDF document.
pub struct Document {
    pub(crate) serializer_context: SerializeContext,
    pub(crate) chunk_container: ChunkContainer,
}

impl Default for Document {
    fn default() -> Self {
        Self::new()
    }
}

impl Document {
    /// Create a new document with default serialize settings.
    pub fn new() -> Self {
        let serializer_context = SerializeContext::new(SerializeSettings::default());
        let chunk_container = ChunkContainer::new(&serializer_context);

        Self {
            serializer_context,
            chunk_container,
        }
    }

    /// Create a new document with custom serialize settings.
    pub fn new_with(serialize_settings: SerializeSettings) -> Self {
        let serializer_context = SerializeContext::new(serialize_settings);
        let chunk_container = ChunkContainer::new(&serializer_context);

        Self {
            serializer_context,
            chunk_container,
        }
    }

    /// Start a new page with default settings.
    pub fn start_page(&mut self) -> Page<'_> {
        let page_index = self.serializer_context.page_infos().iter().len();
        Page::new(
            &mut self.serializer_context,
            &mut self.chunk_container,
            page_index,
            PageSettings::default(),
        )
    }

    /// Start a new page with specific page settings.
    pub fn start_page_with(&mut self, page_settings: PageSettings) -> Page<'_> {
        let page_index = self.serializer_context.page_infos().iter().len();
        Page::new(
            &mut self.serializer_context,
            &mut self.chunk_container,
            page_index,
            page_settings,
        )
    }

    /// Embed the pages (0-indexed) from the given
    /// PDF document.
    #[cfg(feature = "pdf")]
    pub fn embed_pdf_pages(&mut self, pdf: &PdfDocument, page_indices: &[usize]) {
        self.serializer_context.embed_pdf_pages(pdf, page_indices);
    }

    /// Set the location that should be assumed for subsequent operations.
    pub fn set_location(&mut self, location: Location) {
        self.serializer_context.set_location(location);
    }

    /// Reset the location that should be assumed for subsequent operations.
    pub fn reset_location(&mut self) {
        self.serializer_context.reset_location();
    }

    /// Set the outline of the document.
    pub fn set_outline(&mut self, outline: Outline) {
        self.serializer_context.set_outline(outline);
    }

    /// Set the metadata of the document.
    pub fn set_metadata(&mut self, metadata: Metadata) {
        self.chunk_container.metadata = Some(metadata);
    }

    /// warraq: writes `nodes`, the next children of the tag tree's root,
    /// now, before the rest of the tree is given ([`Document::set_tag_tree`],
    /// whose children come before them): a long book's tree need not be
    /// held whole. The pages their content is on must be finished, and the
    /// IDs their table headers name given; errors are told by
    /// [`Document::finish`].
    pub fn write_tags(&mut self, nodes: &[crate::tagging::Node]) {
        self.serializer_context.write_tags(nodes);
    }

    /// Set the tag tree of the document.
    pub fn set_tag_tree(&mut self, tag_tree: TagTree) {
        self.serializer_context.set_tag_tree(tag_tree);
    }

    /// Embed a new file in the PDF document.
    ///
    /// Returns `None` if the file couldn't be embedded because a file
    /// with the same name has already been embedded.
    pub fn embed_file(&mut self, file: EmbeddedFile) -> Option<()> {
        self.serializer_context
            .embed_file(&mut self.chunk_container, file)
    }

    /// Manually register a global named destination.
    ///
    /// Named destinations used in link annotations are automatically registered, so you don't need
    /// to call this function for them.
    ///
    /// Returns `None` if a named destination with the same name and a different destination has
    /// already been registered, and therefore could not be registered again.
    #[must_use]
    pub fn register_named_destination(&mut self, dest: NamedDestination) -> Option<()> {
        self.serializer_context
            .register_named_destination(dest)
            .map(|_| ())
    }

    /// warraq: holds what is made of the pages and of the structure tree
    /// in memory until the document is finished, rather than keeping it in
    /// a temporary file (`src/spill.rs`): the same bytes, more memory.
    pub fn keep_in_memory(&mut self) {
        self.serializer_context.spill.keep_in_memory();
    }

    /// warraq: how many bytes are kept in the temporary file so far.
    pub fn kept_bytes(&self) -> u64 {
        self.serializer_context.spill.kept_bytes()
    }

    /// warraq: puts the pages in `order`, a list of each page's index in
    /// the order the pages were started (every page once), for pages that
    /// could not be drawn in the order they are read (a book's contents,
    /// which need every chapter's page number, drawn after the chapters).
    /// Page indices given to krilla (destinations, annotations) stay those
    /// of the order the pages were started in.
    ///
    /// Returns `None`, and leaves the order as it was, if `order` is not
    /// such a list.
    #[must_use]
    pub fn set_page_order(&mut self, order: Vec<usize>) -> Option<()> {
        self.serializer_context.set_page_order(order)
    }

    /// warraq: adds `annotation` to page `page_index` (in the order the
    /// pages were started), a page already finished, as
    /// [`Page::add_annotation`] would have; tagged, as
    /// [`Page::add_tagged_annotation`] would have, with `tagged`. A link
    /// can so be made once the place it leads to is drawn, without holding
    /// its page until then. Returns the annotation's identifier in the tag
    /// tree (a dummy one when untagged, or when tagging is off), or `None`,
    /// adding nothing, when no such page is finished, or it is written
    /// already ([`Document::write_pages_before`]).
    #[must_use]
    pub fn add_annotation_to_page(
        &mut self,
        page_index: usize,
        annotation: Annotation,
        tagged: bool,
    ) -> Option<Identifier> {
        self.serializer_context
            .add_annotation_to_page(page_index, annotation, tagged)
    }

    /// warraq: writes the pages started before page `end` (in the order
    /// pages were started) now rather than at the end, each once its stream
    /// is compressed (waiting for it), so that they are not held to the end
    /// of the build. Their dictionaries, resources and annotations come in
    /// the order the end would have written them, but among what is written
    /// meanwhile (a form XObject's or a tiling pattern's resources, as they
    /// are drawn), and what writing them registers (a link's destination)
    /// is numbered where it is first met: the objects may be numbered
    /// otherwise than with every page written at the end, but the same
    /// calls give the same file every time. No annotation can be added to
    /// those pages after this ([`Document::add_annotation_to_page`] adds
    /// nothing). Nothing is written where krilla's thread for the pages'
    /// streams could not be started.
    pub fn write_pages_before(&mut self, end: usize) -> KrillaResult<()> {
        self.serializer_context
            .write_pages_before(&mut self.chunk_container, end)
    }

    /// Attempt to export the document to a PDF file.
    pub fn finish(self) -> KrillaResult<Vec<u8>> {
        self.finish_in_pieces()?
            .read()
            .map_err(crate::spill::read_failed)
    }

    /// warraq: as [`Document::finish`], the file in the pieces it was made
    /// in (its objects, renumbered), to be written one after another: put
    /// together, a long book's file took as much memory again, new to the
    /// process, at the very end. Its first bytes are in a temporary file
    /// (`src/spill.rs`), unless [`Document::keep_in_memory`].
    pub fn finish_in_pieces(self) -> KrillaResult<pdf_writer::Finished> {
        Ok(self.serialized()?.finish_in_pieces())
    }

    fn serialized(mut self) -> KrillaResult<pdf_writer::Pdf> {
        // Write empty page if none has been created yet.
        if self.serializer_context.page_infos().is_empty() {
            self.start_page();
        }

        let Self {
            serializer_context,
            chunk_container,
        } = self;

        serializer_context.finish(chunk_container)
    }
}
