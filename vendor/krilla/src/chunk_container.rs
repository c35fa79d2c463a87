use pdf_writer::{Chunk, Finish, Name, Pdf, Ref, Str, TextStr};
use std::collections::HashMap;
use xmp_writer::{RenditionClass, XmpWriter};

use crate::configure::{PdfVersion, ValidationError};
use crate::error::KrillaResult;
use crate::interchange::metadata::Metadata;
use crate::metadata::PageLayout;
use crate::interchange::tagging::KEPT_CHUNK_BYTES;
use crate::serialize::SerializeContext;
use crate::spill::{Kept, Spill};
use crate::util::{stable_hash_base64, stable_hash_pieces_base64, Deferred};

/// warraq: objects beyond the chunks': the XMP metadata, the catalog, the
/// document information (more than needed).
const OBJECTS_AFTER_CHUNKS: usize = 16;

/// Collects all chunks that we create while building
/// the PDF and then writes them out in an orderly manner.
pub(crate) struct ChunkContainer {
    pub(crate) streams: StreamChunks,
    pub(crate) mixed: MixedChunks,
    pub(crate) metadata: Option<Metadata>,
    pub(crate) non_stream: NonStreamChunks,
}

pub(crate) struct StreamChunks {
    pub(crate) fonts: Vec<Chunk>,
    pub(crate) shading_functions: Vec<Chunk>,
    pub(crate) patterns: Vec<Chunk>,
    pub(crate) pages: Vec<PageStream>,
    pub(crate) embedded_files: Vec<Chunk>,
    pub(crate) icc_profiles: Vec<Chunk>,
    pub(crate) x_objects: Vec<Chunk>,
    pub(crate) images: Vec<Stream<KrillaResult<Chunk>>>,
    /// warraq: how many pictures, first to last, have their chunk kept in
    /// the spill file.
    pub(crate) kept_images: usize,
}

pub(crate) struct MixedChunks {
    pub(crate) embedded_pdfs: Vec<Deferred<KrillaResult<EmbeddedPdfChunk>>>,
}

pub(crate) struct NonStreamChunks {
    pub(crate) page_tree: Option<(Ref, Chunk)>,
    // warraq: in chunks of a quarter of a mebibyte kept in the spill file.
    pub(crate) outline: Option<(Ref, Filling)>,
    pub(crate) page_label_tree: Option<(Ref, Chunk)>,
    pub(crate) destination_profiles: Option<(Ref, Chunk)>,
    pub(crate) struct_tree_root: Option<(Ref, Chunk)>,
    // warraq: the parent tree's list of each page, after the root, in
    // chunks of a quarter of a mebibyte kept in the spill file.
    pub(crate) struct_parents: Filling,
    // warraq: in chunks of a quarter of a mebibyte (`TagWriter`), kept in the
    // spill file.
    pub(crate) struct_elements: Vec<Kept>,
    pub(crate) page_labels: Chunk,
    // warraq: these three are written for each page as it is written
    // (once nothing can add to it, `Document::write_pages_before`, or at
    // the very end): in chunks of a quarter of a mebibyte kept in the
    // spill file.
    pub(crate) annotations: Filling,
    pub(crate) color_spaces: Chunk,
    pub(crate) destinations: Chunk,
    pub(crate) ext_g_states: Chunk,
    pub(crate) resource_dictionaries: Filling,
    pub(crate) masks: Chunk,
    pub(crate) fonts: Chunk,
    pub(crate) shading_functions: Chunk,
    pub(crate) patterns: Chunk,
    pub(crate) pages: Filling,
    pub(crate) embedded_files: Chunk,
}

/// warraq: objects of one kind written one after another into chunks of
/// a quarter of a mebibyte, each kept in the spill file once full as the
/// pages are written ([`SerializeContext::keep_if_full`]), and visited in
/// the order written: a picture's resources, written as it is drawn, among
/// the pages written by then, and a Type 3 glyph's, written at the end,
/// after them. The pages' dictionaries, resources and
/// annotations went into one chunk each, grown by doubling and held with
/// all the others as the file was put together: 2.6 MB of the live heap
/// at the end of a 9,951-page book.
pub(crate) struct Filling {
    kept: Vec<Kept>,
    chunk: Chunk,
}

impl Filling {
    pub(crate) fn new(sc: &SerializeContext) -> Self {
        Filling { kept: vec![], chunk: sc.new_chunk() }
    }

    /// The chunk being filled.
    pub(crate) fn chunk(&mut self) -> &mut Chunk {
        &mut self.chunk
    }

    /// Keeps the chunk being filled, if it is full, and begins another.
    pub(crate) fn keep_if_full(&mut self, sc: &mut SerializeContext) {
        sc.keep_if_full(&mut self.chunk, &mut self.kept);
    }
}

impl Visit for Filling {
    fn visit(&mut self, sc: &mut SerializeContext, f: &mut impl FnMut(&mut Chunk)) -> KrillaResult<()> {
        self.kept.visit(sc, f)?;
        self.chunk.visit(sc, f)
    }
}

/// warraq: a stream's chunk (a page's content, a picture): being made on
/// another thread, then kept in the spill file (`src/spill.rs`) until the
/// document is put together. krilla holds every page until then, as a
/// later page's link may add to its annotations (unless told otherwise:
/// `Document::write_pages_before`), and every picture.
pub(crate) enum Stream<T> {
    Making(Deferred<T>),
    Kept(Kept),
}

/// warraq: a page's content stream, being compressed or kept.
pub(crate) type PageStream = Stream<Chunk>;

/// warraq: a chunk made, or why it could not be.
pub(crate) trait Made {
    fn chunk(&mut self) -> Option<&mut Chunk>;
}

impl Made for Chunk {
    fn chunk(&mut self) -> Option<&mut Chunk> {
        Some(self)
    }
}

impl Made for KrillaResult<Chunk> {
    fn chunk(&mut self) -> Option<&mut Chunk> {
        self.as_mut().ok()
    }
}

impl<T: Made + Send + Sync + 'static> Stream<T> {
    /// Keeps the chunk in `spill` if it is made; whether it is kept. One
    /// that could not be made stays as it is, for its error to be told.
    pub(crate) fn keep_if_ready(&mut self, spill: &mut Spill) -> bool {
        let Stream::Making(deferred) = self else {
            return true;
        };
        let Some(chunk) = deferred.ready_mut().and_then(Made::chunk) else {
            return false;
        };
        let chunk = std::mem::replace(chunk, Chunk::with_capacity(0));
        *self = Stream::Kept(spill.keep(chunk));
        true
    }

    /// As [`Stream::keep_if_ready`], waiting for the chunk to be made.
    pub(crate) fn keep_when_made(&mut self, spill: &mut Spill) -> bool {
        if let Stream::Making(deferred) = self {
            deferred.wait_mut();
        }
        self.keep_if_ready(spill)
    }
}

impl StreamChunks {
    /// warraq: a page's stream, after those of the pages before it: part
    /// of the last one's chunk if kept in the spill file right after it
    /// ([`Kept::absorb`]), up to [`KEPT_CHUNK_BYTES`] in one.
    pub(crate) fn push_page(&mut self, stream: PageStream) {
        let stream = match (self.pages.last_mut(), stream) {
            (Some(Stream::Kept(last)), Stream::Kept(kept)) => {
                match last.absorb(kept, KEPT_CHUNK_BYTES) {
                    Ok(()) => return,
                    Err(kept) => Stream::Kept(kept),
                }
            }
            (_, stream) => stream,
        };
        self.pages.push(stream);
    }
}

impl ChunkContainer {
    pub(crate) fn new(sc: &SerializeContext) -> Self {
        Self {
            streams: StreamChunks {
                fonts: vec![],
                shading_functions: vec![],
                patterns: vec![],
                pages: vec![],
                embedded_files: vec![],
                icc_profiles: vec![],
                x_objects: vec![],
                images: vec![],
                kept_images: 0,
            },
            mixed: MixedChunks {
                embedded_pdfs: vec![],
            },
            metadata: None,
            non_stream: NonStreamChunks {
                page_tree: None,
                outline: None,
                page_label_tree: None,
                destination_profiles: None,
                struct_tree_root: None,
                struct_parents: Filling::new(sc),
                struct_elements: vec![],
                page_labels: sc.new_chunk(),
                annotations: Filling::new(sc),
                color_spaces: sc.new_chunk(),
                destinations: sc.new_chunk(),
                ext_g_states: sc.new_chunk(),
                resource_dictionaries: Filling::new(sc),
                masks: sc.new_chunk(),
                fonts: sc.new_chunk(),
                shading_functions: sc.new_chunk(),
                patterns: sc.new_chunk(),
                pages: Filling::new(sc),
                embedded_files: sc.new_chunk(),
            },
        }
    }

    /// warraq: the pictures made since, kept in the spill file in the
    /// order they came: a book of photographs held each picture's data
    /// twice to the end, in the document and in its chunk.
    pub(crate) fn keep_images(&mut self, spill: &mut Spill) {
        let streams = &mut self.streams;
        while let Some(image) = streams.images.get_mut(streams.kept_images) {
            if !image.keep_if_ready(spill) {
                break;
            }
            streams.kept_images += 1;
        }
    }

    pub(crate) fn finish(mut self, sc: &mut SerializeContext) -> KrillaResult<Pdf> {
        let mut remapped_ref = Ref::new(1);
        // warraq: room for every number given so far, at once.
        let mut remapper = Remapper::with_capacity(sc.cur_ref.get() as usize);

        // Allows us to estimate the capacity we will need for the new PDF.
        let mut chunks_byte_len = 0;

        // This traverses the chunks in the order that we will write them to the PDF and assigns new
        // references as we go. This gives us the advantage that the PDF will be numbered with
        // monotonically increasing numbers, which, while it is not a strict requirement for a valid
        // PDF, makes it a lot cleaner and might make implementing features like object streams
        // easier down the road.
        //
        // It also allows us to estimate the capacity we will need for the new PDF.
        self.visit(sc, &mut |chunk| {
            for object_ref in chunk.refs() {
                let existing = remapper.insert(object_ref, remapped_ref.bump());
                debug_assert!(existing.is_none());
            }
            chunks_byte_len += chunk.len();
        })?;

        // Chunk length is not an exact number because the length might change as we renumber,
        // so we add a bit of a padding by multiplying with 1.1. The 200 is additional padding
        // for the document catalog. This hopefully allows us to avoid re-alloactions in the general
        // case, and thus give us better performance.
        //
        // warraq: with rayon, the chunks renumbered are pieces of the file
        // of their own (`append_renumbered`), and this buffer holds only what
        // follows them; the cross-reference table is written in pieces too
        // (warraq's patch of pdf-writer, `Pdf::finish_in_pieces`).
        let chunks_in_buffer = match cfg!(feature = "rayon") {
            true => 0,
            false => chunks_byte_len,
        };
        let capacity = (chunks_in_buffer as f32 * 1.1 + 200.0) as usize;
        let mut pdf = sc.new_pdf_with_capacity(capacity);
        // warraq: room for every object's place in the file at once
        // (`remapped_ref` is the next number to give, one past the objects
        // so far): the list grew by doubling to the end, past a long book's
        // last page, its old room and new held together as it grew.
        pdf.reserve_objects(remapped_ref.get() as usize + OBJECTS_AFTER_CHUNKS);
        // warraq: the file as it is put together kept in a temporary file,
        // not in memory (`src/spill.rs`).
        if let Some(file) = sc.spill.file_for_document() {
            pdf.keep_pieces_in(file);
        }
        sc.serialize_settings().pdf_version().set_version(&mut pdf);

        if sc.serialize_settings().ascii_compatible
            && !sc
                .serialize_settings()
                .validators()
                .requires_binary_header()
        {
            pdf.set_binary_marker(b"AAAA")
        }

        // Write the chunks in all the fields.
        //
        // warraq: the chunks kept in the spill file read back as visited;
        // the first pass needed only their objects' numbers.
        sc.spill.reading = true;
        //
        // warraq: a batch at a time, renumbered on every thread
        // (`append_renumbered`): one thread renumbering a long book's
        // thousands of chunks was the last thing a build did, the other
        // cores idle. Each chunk renumbered is a piece of the file, not
        // copied into one buffer: that buffer, as large as the file, was
        // memory new to the build at its very end, the kernel clearing it
        // page by page on the one thread still at work. Each chunk is taken
        // out, to be let go once renumbered: the memory of one batch's
        // serves the next's, where all the chunks were held to the end
        // beside their renumbered copies.
        let settings = sc.chunk_settings();
        let mut batch: Vec<Chunk> = Vec::new();
        let mut batch_bytes = 0;
        self.visit(sc, &mut |chunk| {
            batch_bytes += chunk.len();
            batch.push(std::mem::replace(chunk, Chunk::with_settings_and_capacity(settings, 0)));
            if batch_bytes >= RENUMBERED_AT_ONCE {
                append_renumbered(std::mem::take(&mut batch), &mut pdf, &remapper, settings);
                batch_bytes = 0;
            }
        })?;
        append_renumbered(batch, &mut pdf, &remapper, settings);

        let missing_title = self.metadata.as_ref().is_none_or(|m| m.title.is_none());

        if missing_title {
            sc.register_validation_error(ValidationError::NoDocumentTitle);
        }

        // Write the PDF document info metadata.
        if let Some(metadata) = &self.metadata {
            metadata.serialize_document_info(
                &mut remapped_ref,
                &mut pdf,
                sc.serialize_settings().configuration,
            );
        }

        let instance_id = stable_hash_pieces_base64(&pdf).map_err(crate::spill::read_failed)?;

        let document_id = if let Some(metadata) = &self.metadata {
            if let Some(document_id) = &metadata.document_id {
                stable_hash_base64(&(sc.serialize_settings().pdf_version().as_str(), document_id))
            } else if metadata.title.is_some() && metadata.authors.is_some() {
                stable_hash_base64(&(
                    sc.serialize_settings().pdf_version().as_str(),
                    &metadata.title,
                    &metadata.authors,
                ))
            } else {
                instance_id.clone()
            }
        } else {
            instance_id.clone()
        };

        let mut xmp = XmpWriter::new();
        if let Some(metadata) = &self.metadata {
            metadata.serialize_xmp_metadata(&mut xmp, sc, &instance_id);
        }

        let settings = sc.serialize_settings();
        let validators = settings.validators();
        validators.write_xmp(&mut xmp);

        xmp.num_pages(sc.page_infos().len() as u32);
        xmp.format("application/pdf");
        xmp.instance_id(&instance_id);
        xmp.document_id(&document_id);
        pdf.set_file_id((
            document_id.as_bytes().to_vec(),
            instance_id.as_bytes().to_vec(),
        ));

        xmp.rendition_class(RenditionClass::Proof);
        sc.serialize_settings().pdf_version().write_xmp(&mut xmp);

        let named_destinations = sc.global_objects.named_destinations.take();
        let embedded_files = sc.global_objects.embedded_files.take();

        // We only write a catalog if a page tree exists. Every valid PDF must have one
        // and krilla ensures that there always is one, but for snapshot tests, it can be
        // useful to not write a document catalog if we don't actually need it for the test.
        if self.non_stream.page_tree.is_some()
            || self.non_stream.outline.is_some()
            || self.non_stream.page_label_tree.is_some()
            || self.non_stream.destination_profiles.is_some()
            || self.non_stream.struct_tree_root.is_some()
        {
            let meta_ref = if sc.serialize_settings().xmp_metadata {
                let meta_ref = remapped_ref.bump();
                let xmp_buf = xmp.finish(None);
                pdf.stream(meta_ref, xmp_buf.as_bytes())
                    .pair(Name(b"Type"), Name(b"Metadata"))
                    .pair(Name(b"Subtype"), Name(b"XML"));
                Some(meta_ref)
            } else {
                None
            };

            let catalog_ref = remapped_ref.bump();

            let mut catalog = pdf.catalog(catalog_ref);

            if let Some(pt) = &self.non_stream.page_tree {
                catalog.pages(remapper[&pt.0]);
            }

            if let Some(meta_ref) = meta_ref {
                catalog.metadata(meta_ref);
            }

            if let Some(pl) = &self.non_stream.page_label_tree {
                catalog.pair(Name(b"PageLabels"), remapper[&pl.0]);
            }

            if let Some(oi) = &self.non_stream.destination_profiles {
                catalog.pair(Name(b"OutputIntents"), remapper[&oi.0]);
            }

            if let Some(lang) = self.metadata.as_ref().and_then(|m| m.language.as_ref()) {
                catalog.lang(TextStr(lang));
            } else {
                sc.register_validation_error(ValidationError::NoDocumentLanguage);
            }

            if let Some(st) = &self.non_stream.struct_tree_root {
                catalog.pair(Name(b"StructTreeRoot"), remapper[&st.0]);
                let mut mark_info = catalog.mark_info();
                mark_info.marked(true);
                if sc.serialize_settings().pdf_version() >= PdfVersion::Pdf16
                    && sc.serialize_settings().pdf_version() < PdfVersion::Pdf20
                {
                    // We always set suspects to false because it's required by PDF/UA.
                    mark_info.suspects(false);
                }
                mark_info.finish();
            }

            let write_doc_title = sc
                .serialize_settings()
                .validators()
                .requires_display_doc_title();
            let text_direction = self.metadata.as_ref().and_then(|m| m.text_direction);

            if write_doc_title || text_direction.is_some() {
                let mut vp = catalog.viewer_preferences();

                if write_doc_title {
                    vp.display_doc_title(true);
                }

                if let Some(dir) = text_direction {
                    vp.direction(dir.to_pdf());
                }
            }

            let page_layout = self.metadata.as_ref().and_then(|m| m.page_layout);
            if let Some(layout) = page_layout {
                // TwoPageLeft and TwoPageRight are only available PDF 1.5+
                if sc.serialize_settings().pdf_version() >= PdfVersion::Pdf15
                    || !matches!(layout, PageLayout::TwoPageLeft | PageLayout::TwoPageRight)
                {
                    catalog.page_layout(layout.to_pdf());
                }
            }

            if let Some(ol) = &self.non_stream.outline {
                catalog.outlines(remapper[&ol.0]);
            }

            let settings = sc.serialize_settings();
            let validators = settings.validators();
            let write_embedded_files = self.non_stream.embedded_files.len() != 0
                || validators.requires_embedded_files_when_empty();

            if !named_destinations.is_empty() || write_embedded_files {
                // Cannot use pdf-writer API here because it requires Ref's, while
                // we write our destinations directly into the array.
                let mut names = catalog.names();

                if !named_destinations.is_empty() {
                    let mut dest_name_tree = names.destinations();
                    let mut dest_name_entries = dest_name_tree.names();

                    // "The Names entries in the leaf (or root) nodes shall
                    // contain the tree’s keys and their associated values,
                    // arranged in key-value pairs and shall be sorted lexically
                    // in ascending order by key. Shorter keys shall appear
                    // before longer ones beginning with the same byte sequence.
                    // Any encoding of the keys may be used as long as it is
                    // self-consistent; keys shall be compared for equality on
                    // a simple byte-by-byte basis."
                    let mut sorted = named_destinations.into_iter().collect::<Vec<_>>();
                    // Note that named destinations are guaranteed to be unique,
                    // hence just comparing by the name is enough.
                    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));

                    for (name, (dest_ref, _)) in sorted {
                        dest_name_entries.insert(Str(name.as_bytes()), remapper[&dest_ref]);
                    }

                    dest_name_entries.finish();
                    dest_name_tree.finish();
                }

                if write_embedded_files {
                    let mut embedded_files_name_tree = names.embedded_files();
                    let mut embedded_name_entries = embedded_files_name_tree.names();

                    for (name, _ref) in &embedded_files {
                        embedded_name_entries.insert(Str(name.as_bytes()), remapper[_ref]);
                    }
                }
            }

            if !embedded_files.is_empty() && settings.supports_associated_files() {
                let mut associated_files = catalog.insert(Name(b"AF")).array().typed();
                for _ref in embedded_files.values() {
                    associated_files.item(remapper[_ref]).finish();
                }
            }

            catalog.finish();
        }

        Ok(pdf)
    }
}

pub(crate) struct EmbeddedPdfChunk {
    pub(crate) original_chunk: Chunk,
    pub(crate) root_ref_mappings: HashMap<Ref, Ref>,
    // warraq: an `Option`, not a `OnceLock`, since chunks are visited
    // mutably.
    pub(crate) new_chunk: Option<Chunk>,
}

/// warraq: each object's new number, found by its old one. krilla numbers
/// its objects one after another from 1, so a vector indexed by the old
/// number serves, where a hash map (SipHash) was looked up for every
/// reference in every chunk, at the very end of a build (11 ms of a
/// 4,000-page book's last 390).
struct Remapper {
    new: Vec<Option<Ref>>,
}

impl Remapper {
    /// A remapper with room for the old numbers below `count`.
    fn with_capacity(count: usize) -> Self {
        Remapper { new: Vec::with_capacity(count) }
    }

    /// Gives `old` the number `new`; what it had before, if anything.
    fn insert(&mut self, old: Ref, new: Ref) -> Option<Ref> {
        let at = old.get() as usize;
        if at >= self.new.len() {
            self.new.resize(at + 1, None);
        }
        self.new[at].replace(new)
    }
}

impl std::ops::Index<&Ref> for Remapper {
    type Output = Ref;

    fn index(&self, old: &Ref) -> &Ref {
        self.new
            .get(old.get() as usize)
            .and_then(Option::as_ref)
            .expect("every object krilla writes has a new number")
    }
}

/// warraq: how many bytes of chunks gather before [`append_renumbered`] is
/// given them: enough for a batch of pages' chunks to share out among
/// threads, small beside the file: a chunk is let go once renumbered.
const RENUMBERED_AT_ONCE: usize = 1 << 20;

/// warraq: a renumbered chunk's room beyond the original's length, as a
/// share of it (one sixteenth): enough for its numbers' longer digits.
const RENUMBERED_ROOM: usize = 16;

/// warraq: `chunks` renumbered with `remapper` on every thread, and appended
/// to `pdf` in order: the same bytes as each renumbered into `pdf` in turn
/// (each chunk's objects renumbered alone, their offsets moved by where the
/// chunk lands).
fn append_renumbered(
    chunks: Vec<Chunk>,
    pdf: &mut Pdf,
    remapper: &Remapper,
    settings: pdf_writer::Settings,
) {
    #[cfg(feature = "rayon")]
    {
        use rayon::prelude::*;
        let renumbered: Vec<Chunk> = chunks
            .into_par_iter()
            .map(|chunk| {
                // Renumbered objects come out longer (3,984 of a long
                // book's 3,995 chunks: larger numbers), and a chunk made
                // only as large doubled its room: some room to spare, a
                // sixteenth and a few numbers' worth for a small chunk.
                let capacity = chunk.len() + chunk.len() / RENUMBERED_ROOM + 64;
                let mut target = Chunk::with_settings_and_capacity(settings, capacity);
                chunk.renumber_into(&mut target, |old| remapper[&old]);
                target
            })
            .collect();
        for chunk in renumbered {
            pdf.push_piece(chunk);
        }
    }
    #[cfg(not(feature = "rayon"))]
    {
        let _ = settings;
        for chunk in chunks {
            chunk.renumber_into(pdf, |old| remapper[&old]);
        }
    }
}

/// Visits all chunks in a type.
///
/// warraq: mutably, so that the chunks may be taken as they are renumbered
/// (`ChunkContainer::finish`).
trait Visit {
    fn visit(&mut self, sc: &mut SerializeContext, f: &mut impl FnMut(&mut Chunk)) -> KrillaResult<()>;
}

impl Visit for EmbeddedPdfChunk {
    fn visit(&mut self, sc: &mut SerializeContext, f: &mut impl FnMut(&mut Chunk)) -> KrillaResult<()> {
        // Now, we have a chunk that contains everything we need to fully embed the PDF, including
        // the pages we wanted to extract into, as well as all their dependencies. The
        // problem is: during the document creation, we already assigned references to the
        // pages (stored in `SerializerContex::page_infos`), but `hayro_write` created new references
        // for those (stored in `result.root_refs`).

        // Because of this, embedded PDF chunks will be renumbered twice: First, we preprocess the
        // chunk such that page/XObjects are reassigned their original references from the serialize
        // context, and all other objects are assigned new, unique references provided by the
        // serialize context. Then, we renumber them once again by treating them like any other chunk.

        // Since we are calling `visit` twice, we also cache the renumbered chunk.

        let renumbered = self.new_chunk.get_or_insert_with(|| {
            let mut remapper = self.root_ref_mappings.clone();

            self.original_chunk
                .renumber(|old| *remapper.entry(old).or_insert_with(|| sc.new_ref()))
        });

        renumbered.visit(sc, f)
    }
}

impl Visit for ChunkContainer {
    fn visit(&mut self, sc: &mut SerializeContext, f: &mut impl FnMut(&mut Chunk)) -> KrillaResult<()> {
        self.non_stream.visit(sc, f)?;
        self.mixed.visit(sc, f)?;
        self.streams.visit(sc, f)?;
        Ok(())
    }
}

impl Visit for StreamChunks {
    fn visit(&mut self, sc: &mut SerializeContext, f: &mut impl FnMut(&mut Chunk)) -> KrillaResult<()> {
        self.fonts.visit(sc, f)?;
        self.shading_functions.visit(sc, f)?;
        self.patterns.visit(sc, f)?;
        self.pages.visit(sc, f)?;
        self.embedded_files.visit(sc, f)?;
        self.icc_profiles.visit(sc, f)?;
        self.x_objects.visit(sc, f)?;
        self.images.visit(sc, f)?;

        Ok(())
    }
}

impl Visit for MixedChunks {
    fn visit(&mut self, sc: &mut SerializeContext, f: &mut impl FnMut(&mut Chunk)) -> KrillaResult<()> {
        self.embedded_pdfs.visit(sc, f)?;

        Ok(())
    }
}

impl Visit for NonStreamChunks {
    fn visit(&mut self, sc: &mut SerializeContext, f: &mut impl FnMut(&mut Chunk)) -> KrillaResult<()> {
        self.page_tree.visit(sc, f)?;
        self.outline.visit(sc, f)?;
        self.page_label_tree.visit(sc, f)?;
        self.destination_profiles.visit(sc, f)?;
        self.struct_tree_root.visit(sc, f)?;
        self.struct_parents.visit(sc, f)?;
        self.struct_elements.visit(sc, f)?;
        self.page_labels.visit(sc, f)?;
        self.annotations.visit(sc, f)?;
        self.color_spaces.visit(sc, f)?;
        self.destinations.visit(sc, f)?;
        self.ext_g_states.visit(sc, f)?;
        self.resource_dictionaries.visit(sc, f)?;
        self.masks.visit(sc, f)?;
        self.fonts.visit(sc, f)?;
        self.shading_functions.visit(sc, f)?;
        self.patterns.visit(sc, f)?;
        self.pages.visit(sc, f)?;
        self.embedded_files.visit(sc, f)?;

        Ok(())
    }
}

impl<T: Visit + Send + Sync + 'static> Visit for Stream<T> {
    fn visit(&mut self, sc: &mut SerializeContext, f: &mut impl FnMut(&mut Chunk)) -> KrillaResult<()> {
        match self {
            Stream::Making(chunk) => chunk.visit(sc, f),
            Stream::Kept(kept) => kept.visit(sc, f),
        }
    }
}

impl Visit for Kept {
    fn visit(&mut self, sc: &mut SerializeContext, f: &mut impl FnMut(&mut Chunk)) -> KrillaResult<()> {
        if sc.spill.reading {
            sc.spill.read_back(self)?;
            f(&mut self.chunk);
        } else {
            // The first pass reads the objects' numbers only, and lets
            // go again those it read from the file.
            let read = sc.spill.read_offsets(self)?;
            f(&mut self.chunk);
            if read {
                self.chunk.take_offsets();
            }
        }
        Ok(())
    }
}

impl Visit for Chunk {
    fn visit(&mut self, _: &mut SerializeContext, f: &mut impl FnMut(&mut Chunk)) -> KrillaResult<()> {
        f(self);
        Ok(())
    }
}

impl Visit for Option<Chunk> {
    fn visit(&mut self, sc: &mut SerializeContext, f: &mut impl FnMut(&mut Chunk)) -> KrillaResult<()> {
        if let Some(chunk) = self {
            chunk.visit(sc, f)?;
        }
        Ok(())
    }
}

impl<T: Visit> Visit for Option<(Ref, T)> {
    fn visit(&mut self, sc: &mut SerializeContext, f: &mut impl FnMut(&mut Chunk)) -> KrillaResult<()> {
        if let Some((_, chunk)) = self {
            chunk.visit(sc, f)?;
        }
        Ok(())
    }
}

impl<T: Visit + Send + Sync + 'static> Visit for Deferred<T> {
    fn visit(&mut self, sc: &mut SerializeContext, f: &mut impl FnMut(&mut Chunk)) -> KrillaResult<()> {
        self.wait_mut().visit(sc, f)
    }
}

impl<T: Visit> Visit for KrillaResult<T> {
    fn visit(&mut self, sc: &mut SerializeContext, f: &mut impl FnMut(&mut Chunk)) -> KrillaResult<()> {
        self.as_mut().map_err(|e| e.clone())?.visit(sc, f)
    }
}

impl<T: Visit> Visit for Vec<T> {
    fn visit(&mut self, sc: &mut SerializeContext, f: &mut impl FnMut(&mut Chunk)) -> KrillaResult<()> {
        for field in self {
            field.visit(sc, f)?;
        }
        Ok(())
    }
}
