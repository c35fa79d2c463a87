/*!
A step-by-step PDF writer.

The entry point into the API is the [`Pdf`] struct, which constructs the
document into one big internal buffer. The top-level writer has many methods to
create specialized writers for specific PDF objects. These all follow the same
general pattern: They borrow the main buffer mutably, expose a builder pattern
for writing individual fields in a strongly typed fashion and finish up the
object when dropped.

There are a few more top-level structs with internal buffers, like the
[`Content`] stream builder and the [`Chunk`], but wherever possible buffers
are borrowed from parent writers to minimize allocations.

# Writers
The writers contained is this crate fall roughly into two categories.

**Core writers** enable you to write arbitrary PDF objects.

- The [`Obj`] writer allows to write most fundamental PDF objects (numbers,
  strings, arrays, dictionaries, ...). It is exposed through
  [`Chunk::indirect`] to write top-level indirect objects and through
  [`Array::push`] and [`Dict::insert`] to compose objects.
- Streams are exposed through a separate [`Chunk::stream`] method since
  they _must_ be indirect objects.

**Specialized writers** for things like a _[page]_ or an _[image]_ expose the
core writer's capabilities in a strongly typed fashion.

- A [`Page`] writer, for example, is just a thin wrapper around a [`Dict`] and
  it even derefs to a dictionary in case you need to write a field that is not
  yet exposed by the typed API.
- Similarly, the [`ImageXObject`] derefs to a [`Stream`], so that the [`filter()`]
  function can be shared by all kinds of streams. The [`Stream`] in turn derefs
  to a [`Dict`] so that you can add arbitrary fields to the stream dictionary.

When you bind a writer to a variable instead of just writing a chained builder
pattern, you may need to manually drop it before starting a new object using
[`finish()`](Finish::finish) or [`drop()`].

# Minimal example
The following example creates a PDF with a single, empty A4 page.

```
use pdf_writer::{Pdf, Rect, Ref};

# fn main() -> std::io::Result<()> {
// Define some indirect reference ids we'll use.
let catalog_id = Ref::new(1);
let page_tree_id = Ref::new(2);
let page_id = Ref::new(3);

// Write a document catalog and a page tree with one A4 page that uses no resources.
let mut pdf = Pdf::new();
pdf.catalog(catalog_id).pages(page_tree_id);
pdf.pages(page_tree_id).kids([page_id]).count(1);
pdf.page(page_id)
    .parent(page_tree_id)
    .media_box(Rect::new(0.0, 0.0, 595.0, 842.0))
    .resources();

// Finish with cross-reference table and trailer and write to file.
std::fs::write("target/empty.pdf", pdf.finish())?;
# Ok(())
# }
```

For more examples, check out the [examples folder] in the repository.

# Note
This crate is rather low-level. It does not allocate or validate indirect
reference IDs for you and it does not check whether you write all required
fields for an object. Refer to the [PDF specification] to make sure you create
valid PDFs.

[page]: writers::Page
[image]: writers::ImageXObject
[`filter()`]: Stream::filter
[examples folder]: https://github.com/typst/pdf-writer/tree/main/examples
[PDF specification]: https://opensource.adobe.com/dc-acrobat-sdk-docs/pdfstandards/PDF32000_2008.pdf
*/

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![allow(clippy::wrong_self_convention)]

#[macro_use]
mod macros;
mod actions;
mod annotations;
mod attributes;
mod buf;
mod chunk;
mod color;
mod content;
mod files;
mod font;
mod forms;
mod functions;
mod object;
mod renditions;
mod renumber;
mod structure;
mod transitions;
mod xobject;

/// Strongly typed writers for specific PDF structures.
pub mod writers {
    use super::*;
    pub use actions::{Action, AdditionalActions, Fields};
    pub use annotations::{
        Annotation, Appearance, AppearanceCharacteristics, AppearanceEntry, BorderStyle,
        IconFit,
    };
    pub use attributes::{
        ArtifactAttributes, Attributes, FENoteAttributes, FieldAttributes,
        LayoutAttributes, ListAttributes, TableAttributes, TrackSizes, UserProperty,
    };
    pub use color::{
        ColorSpace, DeviceN, DeviceNAttrs, DeviceNMixingHints, DeviceNProcess,
        FunctionShading, IccProfile, OutputIntent, Separation, SeparationInfo,
        ShadingPattern, StreamShading, StreamShadingType, TilingPattern,
    };
    pub use content::{
        Artifact, ExtGraphicsState, MarkContent, Operation, PositionedItems,
        PropertyList, Resources, ShowPositioned, SoftMask,
    };
    pub use files::{EmbeddedFile, EmbeddingParams, FileSpec};
    pub use font::{
        CidFont, Cmap, Differences, Encoding, FontDescriptor, FontDescriptorOverride,
        Type0Font, Type1Font, Type3Font, WMode, Widths,
    };
    pub use forms::{Field, Form};
    pub use functions::{
        ExponentialFunction, PostScriptFunction, SampledFunction, StitchingFunction,
    };
    pub use object::{
        DecodeParms, NameTree, NameTreeEntries, NumberTree, NumberTreeEntries,
    };
    pub use renditions::{MediaClip, MediaPermissions, MediaPlayParams, Rendition};
    pub use structure::{
        Catalog, ClassMap, Destination, DeveloperExtension, DocumentInfo, MarkInfo,
        MarkedRef, Metadata, Names, Namespace, NamespaceRoleMap, ObjectRef, Outline,
        OutlineItem, Page, PageLabel, Pages, RoleMap, StructChildren, StructElement,
        StructTreeRoot, ViewerPreferences,
    };
    pub use transitions::Transition;
    pub use xobject::{FormXObject, Group, ImageXObject, Reference};
}

/// Types used by specific PDF structures.
pub mod types {
    use super::*;
    pub use actions::{ActionType, FormActionFlags, RenditionOperation};
    pub use annotations::{
        AnnotationFlags, AnnotationIcon, AnnotationType, BorderType, HighlightEffect,
        IconScale, IconScaleType, TextPosition,
    };
    pub use attributes::{
        AttributeOwner, BlockAlign, FieldRole, FieldState, GlyphOrientationVertical,
        InlineAlign, LayoutBorderStyle, LayoutTextPosition, LineHeight, ListNumbering,
        NoteType, Placement, RubyAlign, RubyPosition, Sides, TableHeaderScope, TextAlign,
        TextDecorationType, WritingMode,
    };
    pub use color::{
        DeviceNSubtype, FunctionShadingType, OutputIntentSubtype, PaintType, TilingType,
    };
    pub use content::{
        ArtifactAttachment, ArtifactSubtype, ArtifactType, BlendMode, ColorSpaceOperand,
        LineCapStyle, LineJoinStyle, MaskType, OverprintMode, ProcSet, RenderingIntent,
        TextRenderingMode,
    };
    pub use files::AssociationKind;
    pub use font::{
        CidFontType, CjkClass, FontFlags, FontStretch, GlyphId, SystemInfo, UnicodeCmap,
    };
    pub use forms::{
        CheckBoxState, ChoiceOptions, FieldFlags, FieldType, Quadding, SigFlags,
    };
    pub use functions::{InterpolationOrder, PostScriptOp};
    pub use object::Predictor;
    pub use renditions::{MediaClipType, RenditionType, TempFileType};
    pub use structure::{
        BlockLevelRoleSubtype, Direction, InlineLevelRoleSubtype,
        InlineLevelRoleSubtype2, NumberingStyle, OutlineItemFlags, PageLayout, PageMode,
        PhoneticAlphabet, RoleMapOpts, StructRole, StructRole2, StructRole2Compat,
        StructRoleType, StructRoleType2, TabOrder, TrappingStatus,
    };
    pub use transitions::{TransitionAngle, TransitionStyle};
    pub use xobject::SMaskInData;
}

pub use self::buf::{Buf, Limits};
pub use self::chunk::{Chunk, Settings};
pub use self::content::Content;
pub use self::object::{
    Array, Date, Dict, Filter, Finish, LanguageIdentifier, Name, Null, Obj, Primitive,
    Rect, Ref, Rewrite, Str, Stream, TextStr, TextStrLike, TextStrWithLang, TypedArray,
    TypedDict, Writer,
};

use std::fmt::{self, Debug, Formatter};
use std::io::Write;
use std::ops::{Deref, DerefMut};

use self::writers::*;

/// A builder for a PDF file.
///
/// This type constructs a PDF file in-memory. Aside from a few specific
/// structures, a PDF file mostly consists of indirect objects. For more
/// flexibility, you can write these objects either directly into a [`Pdf`] or
/// into a [`Chunk`], which you can add to the [`Pdf`] (or another chunk) later.
/// Therefore, most writing methods are exposed on the chunk type, which this
/// type dereferences to.
pub struct Pdf {
    chunk: Chunk,
    trailer_data: TrailerData,
    // warraq: the file's bytes before `chunk`'s, as the pieces they were
    // made in (`push_piece`), how many they are, and where their objects
    // start in the file.
    pieces: Vec<Vec<u8>>,
    written: usize,
    placed: Places,
    // warraq: pieces kept in a file ([`Pdf::keep_pieces_in`]): the file's
    // first bytes, before `pieces`.
    kept: Option<Kept>,
}

/// warraq: the first bytes of a file whose pieces are kept in a file
/// ([`Pdf::keep_pieces_in`]).
struct Kept {
    file: std::fs::File,
    /// How many bytes are in `file`.
    len: usize,
    /// Bytes gathered to be written to `file` at once, after `len`.
    gathered: Vec<u8>,
}

/// warraq: how many bytes of pieces [`Pdf::push_piece`] gathers before
/// writing them to the file they are kept in.
const KEPT_AT_ONCE: usize = 1 << 20;

/// warraq: a file finished in pieces ([`Pdf::finish_in_pieces`]): its
/// first bytes in a file, if they were kept in one ([`Pdf::keep_pieces_in`]),
/// then the pieces.
pub struct Finished {
    /// The file the first bytes are in, and how many they are.
    pub file: Option<(std::fs::File, usize)>,
    /// The bytes after them, in the pieces they were made in.
    pub pieces: Vec<Vec<u8>>,
    /// The document catalog's object as written (`N 0 obj` to `endobj`
    /// and what follows it up to the next object), if it was written in
    /// the `Pdf`'s own buffer, not in a piece: for a writer that appends
    /// an update changing it ([`Pdf::finish_in_pieces`]).
    pub catalog: Option<Vec<u8>>,
}

impl Finished {
    /// All the bytes in one buffer (the one piece as it is, if that is
    /// all).
    pub fn read(self) -> std::io::Result<Vec<u8>> {
        if self.file.is_none() {
            // The first piece (the file's bytes so far, for a `Pdf` not
            // made of pieces) grown by the rest, not copied.
            let rest: usize = self.pieces.iter().skip(1).map(Vec::len).sum();
            let mut pieces = self.pieces.into_iter();
            let mut bytes = pieces.next().unwrap_or_default();
            bytes.reserve_exact(rest);
            pieces.for_each(|piece| bytes.extend_from_slice(&piece));
            return Ok(bytes);
        }
        let in_memory: usize = self.pieces.iter().map(Vec::len).sum();
        let mut bytes = Vec::new();
        if let Some((file, len)) = &self.file {
            bytes.reserve(len + in_memory);
            read_kept(file, *len, |block| bytes.extend_from_slice(block))?;
        }
        for piece in self.pieces {
            bytes.extend_from_slice(&piece);
        }
        Ok(bytes)
    }
}

/// warraq: gives `read` the first `len` bytes of `file`, a mebibyte at a
/// time; fails if it holds fewer.
fn read_kept(mut file: &std::fs::File, len: usize, mut read: impl FnMut(&[u8])) -> std::io::Result<()> {
    use std::io::{Read, Seek};
    file.seek(std::io::SeekFrom::Start(0))?;
    let mut block = vec![0; KEPT_AT_ONCE.min(len)];
    let mut left = len;
    while left > 0 {
        let part = &mut block[..left.min(KEPT_AT_ONCE)];
        file.read_exact(part)?;
        read(part);
        left -= part.len();
    }
    Ok(())
}

impl Pdf {
    /// Create a new PDF with the default settings and buffer capacity
    /// (currently 8 KB).
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Self::with_settings(Settings::default())
    }

    /// Create a new PDF with the given settings and the default buffer capacity
    /// (currently 8 KB).
    pub fn with_settings(settings: Settings) -> Self {
        Self::with_settings_and_capacity(settings, 8 * 1024)
    }

    /// Create a new PDF with the default settings and the specified initial
    /// buffer capacity.
    pub fn with_capacity(capacity: usize) -> Self {
        Self::with_settings_and_capacity(Settings::default(), capacity)
    }

    /// Create a new PDF with the given settings and the specified initial
    /// buffer capacity.
    pub fn with_settings_and_capacity(settings: Settings, capacity: usize) -> Self {
        let mut chunk = Chunk::with_settings_and_capacity(settings, capacity);
        chunk.buf.extend(b"%PDF-1.7\n%\x80\x80\x80\x80\n\n");
        Self {
            chunk,
            trailer_data: TrailerData::default(),
            pieces: Vec::new(),
            written: 0,
            placed: Places::default(),
            kept: None,
        }
    }

    /// warraq: adds all objects of `piece` to the file, as [`Chunk::extend`]
    /// would, but keeping its bytes as a piece of their own, not copied:
    /// [`Pdf::finish_in_pieces`] gives the file as the pieces it was made in.
    /// The header's version and binary marker are to be set before.
    pub fn push_piece(&mut self, piece: Chunk) {
        let Chunk { buf, offsets, .. } = piece;
        // What this PDF's own buffer holds goes first, as a piece of its
        // own.
        self.store_own();
        let base = self.written;
        self.placed
            .extend(offsets.into_iter().map(|(id, offset)| (id, base + offset)));
        self.chunk.buf.limits.merge(&buf.limits);
        self.put(buf.into_vec());
    }

    /// warraq: what this PDF's own buffer holds, and its objects' places,
    /// as a piece of the file, taken (a `Pdf` not made of pieces holds the
    /// whole file there).
    fn store_own(&mut self) {
        if self.chunk.buf.inner.is_empty() {
            return;
        }
        let base = self.written;
        self.placed
            .extend(self.chunk.offsets.drain(..).map(|(id, offset)| (id, base + offset)));
        let own = std::mem::take(&mut self.chunk.buf.inner);
        self.put(own);
    }

    /// warraq: `piece` as the file's next bytes ([`Pdf::store`]).
    fn put(&mut self, piece: Vec<u8>) {
        self.written += piece.len();
        self.store(piece);
    }

    /// warraq: the bytes of the catalog, if it is in this PDF's own buffer:
    /// from where it starts to where the next object starts, or the end.
    fn own_catalog(&self) -> Option<Vec<u8>> {
        let id = self.trailer_data.catalog_id?;
        let offsets = &self.chunk.offsets;
        let start = offsets.iter().find(|&&(object, _)| object == id)?.1;
        let end = offsets
            .iter()
            .map(|&(_, offset)| offset)
            .filter(|&offset| offset > start)
            .min()
            .unwrap_or(self.chunk.buf.len());
        self.chunk.buf.inner.get(start..end).map(<[u8]>::to_vec)
    }

    /// warraq: keeps the pieces pushed from now on ([`Pdf::push_piece`]) in
    /// `file`, written a mebibyte at a time, rather than in memory; should
    /// `file` not take them, they are kept in memory from then on. The
    /// bytes so far go first. [`Pdf::finish_in_pieces`] gives `file` back.
    pub fn keep_pieces_in(&mut self, file: std::fs::File) {
        if self.kept.is_none() && self.pieces.is_empty() {
            self.kept = Some(Kept { file, len: 0, gathered: Vec::new() });
        }
    }

    /// warraq: `piece`, in the kept file if there is one that takes it,
    /// else in memory.
    fn store(&mut self, piece: Vec<u8>) {
        use std::io::Write;
        let Some(kept) = self.kept.as_mut().filter(|_| self.pieces.is_empty()) else {
            self.pieces.push(piece);
            return;
        };
        if kept.gathered.len() + piece.len() < KEPT_AT_ONCE {
            kept.gathered.extend_from_slice(&piece);
            return;
        }
        // The piece written as it is, after what was gathered, not copied
        // to it: a long book's outline or tags are a piece of megabytes,
        // which the gathered bytes grew to hold.
        let written = std::io::Seek::seek(&mut kept.file, std::io::SeekFrom::Start(kept.len as u64))
            .and_then(|_| kept.file.write_all(&kept.gathered))
            .and_then(|_| kept.file.write_all(&piece));
        match written {
            Ok(()) => {
                kept.len += kept.gathered.len() + piece.len();
                kept.gathered.clear();
            }
            // What was written of them lies past `len`, never read: they
            // and the pieces after them stay in memory.
            Err(_) => {
                self.pieces.push(std::mem::take(&mut kept.gathered));
                self.pieces.push(piece);
            }
        }
    }

    /// warraq: makes room for the places of `additional` more objects, so
    /// that a writer that knows how many objects the file will hold has
    /// them kept without the room doubling as they come: room in the run
    /// of objects numbered one after another as they are written
    /// ([`Places`]), which is what krilla writes; objects out of it are
    /// kept apart, in room grown as they come.
    pub fn reserve_objects(&mut self, additional: usize) {
        self.placed.steps.reserve_exact(additional);
    }

    /// warraq: the file's length so far.
    pub fn len(&self) -> usize {
        self.written + self.chunk.buf.len()
    }

    /// warraq: gives `read` the file's bytes so far, in order, a piece or
    /// a mebibyte of the kept file at a time.
    pub fn read_pieces(&self, mut read: impl FnMut(&[u8])) -> std::io::Result<()> {
        if let Some(kept) = &self.kept {
            read_kept(&kept.file, kept.len, &mut read)?;
            read(&kept.gathered);
        }
        for piece in &self.pieces {
            read(piece);
        }
        read(self.chunk.buf.as_slice());
        Ok(())
    }

    /// The bytes before this PDF's own buffer and their length, its
    /// chunk, and where every object starts in the file.
    fn into_parts(self) -> (Finished, usize, Chunk, Places, TrailerData) {
        let Pdf { mut chunk, trailer_data, mut pieces, written, mut placed, kept } = self;
        placed.extend(chunk.offsets.drain(..).map(|(id, offset)| (id, written + offset)));
        let file = kept.map(|kept| {
            // What was gathered and not written comes first.
            if !kept.gathered.is_empty() {
                pieces.insert(0, kept.gathered);
            }
            (kept.file, kept.len)
        });
        (Finished { file, pieces, catalog: None }, written, chunk, placed, trailer_data)
    }

    /// Set the binary marker in the header of the PDF.
    ///
    /// This can be useful if you want to ensure that your PDF consists of only
    /// ASCII characters, as this is not the case by default.
    ///
    /// _Default value_: \x80\x80\x80\x80
    pub fn set_binary_marker(&mut self, marker: &[u8; 4]) {
        self.chunk.buf.inner[10..14].copy_from_slice(marker);
    }

    /// Set the PDF version.
    ///
    /// The version is not semantically important to the crate, but must be
    /// present in the output document.
    ///
    /// _Default value_: 1.7.
    pub fn set_version(&mut self, major: u8, minor: u8) {
        if major < 10 {
            self.chunk.buf.inner[5] = b'0' + major;
        }
        if minor < 10 {
            self.chunk.buf.inner[7] = b'0' + minor;
        }
    }

    /// Set the file identifier for the document.
    ///
    /// The file identifier is a pair of two byte strings that shall be used to
    /// uniquely identify a particular file. The first string should always stay
    /// the same for a document, the second should change for each revision. It
    /// is optional, but recommended. In PDF/A, this is required. PDF 1.1+.
    pub fn set_file_id(&mut self, id: (Vec<u8>, Vec<u8>)) {
        self.trailer_data.file_id = Some(id);
    }

    /// Start writing the document catalog. Required.
    ///
    /// This will also register the document catalog with the file trailer,
    /// meaning that you don't need to provide the given `id` anywhere else.
    pub fn catalog(&mut self, id: Ref) -> Catalog<'_> {
        self.trailer_data.catalog_id = Some(id);
        self.indirect(id).start()
    }

    /// Start writing the document information.
    ///
    /// This will also register the document information dictionary with the
    /// file trailer, meaning that you don't need to provide the given `id`
    /// anywhere else.
    pub fn document_info(&mut self, id: Ref) -> DocumentInfo<'_> {
        self.trailer_data.info_id = Some(id);
        self.indirect(id).start()
    }

    /// Write the cross-reference table and file trailer and return the
    /// underlying buffer.
    ///
    /// Panics if any indirect reference id was used twice, or (warraq) if
    /// pieces were kept in a file ([`Pdf::keep_pieces_in`]) that cannot be
    /// read back: [`Pdf::finish_in_pieces`] gives that as an error.
    pub fn finish(self) -> Vec<u8> {
        self.finish_in_pieces()
            .read()
            .expect("the file the pieces were kept in reads back")
    }

    /// warraq: as [`Pdf::finish`], the file in the pieces it was made in
    /// ([`Pdf::push_piece`]), the first bytes in the file they were kept
    /// in if any ([`Pdf::keep_pieces_in`]), then this `Pdf`'s own buffer
    /// and the cross-reference table, a block at a time, the table's last
    /// block and the trailer in the last piece, to be written one after
    /// another.
    pub fn finish_in_pieces(mut self) -> Finished {
        // warraq: the catalog as written, for a writer that appends an
        // update to it; then this PDF's own buffer, and the table a block
        // at a time, as pieces of the file (kept in its file, if there is
        // one): a long book's table, 20 bytes an object, was held whole
        // in the last piece.
        let catalog = self.own_catalog();
        self.store_own();
        let xref_offset = self.written;
        let offsets = std::mem::take(&mut self.placed);
        let mut writer = BlockXRefWriter { pdf: &mut self, block: Buf::new() };
        let xref_len = write_offsets(offsets, &mut writer);
        let mut buf = writer.block;
        let (mut finished, _, chunk, _, trailer_data) = self.into_parts();
        finished.catalog = catalog;
        let pieces = &mut finished.pieces;
        let settings = chunk.settings;

        // Write the trailer dictionary.
        buf.extend(b"trailer\n");
        let mut trailer = Obj::direct(&mut buf, 0, settings, false).dict();
        trailer_data.write_into_dict(&mut trailer, xref_len);
        trailer.finish();

        pieces.push(finish_trailer(buf, xref_offset, b"\n"));
        finished
    }

    /// Write the cross-reference stream and file trailer and return the
    /// underlying buffer. This method is functionally the same as
    /// [`Pdf::finish`], the difference being that the cross-reference
    /// information is written as a cross-reference stream instead of a
    /// cross-reference table. Cross-reference streams usually allow for
    /// smaller file sizes since they can also be compressed (see
    /// [`Pdf::finish_with_xref_stream_and_filter`]),
    /// but are only available from PDF 1.5 onwards. It is also necessary
    /// to call this method instead of [`Pdf::finish`] in case object stream
    /// are used anywhere in the document since normal xref tables do not
    /// support object streams.
    ///
    /// `xref_id` will be the object identifier used for the cross-reference
    /// stream. As in other cases, the identifier needs to be unique throughout
    /// the whole document.
    ///
    /// Panics if any indirect reference id was used twice.
    pub fn finish_with_xref_stream(self, xref_id: Ref) -> Vec<u8> {
        self.finish_with_xref_stream_inner(xref_id, |buf| (buf, None))
    }

    /// Write the cross-reference stream and file trailer and return the
    /// underlying buffer.
    ///
    /// This method is equivalent to [`Pdf::finish_with_xref_stream`], except
    /// that it allows you to apply one or multiple filters to the xref stream
    /// via the `filter` closure. The input of the closure will be the raw
    /// content of the xref stream, and the output should be the filtered data
    /// as well as a single filter or a list of filters that need to be
    /// applied to unfilter the data in the correct order.
    pub fn finish_with_xref_stream_and_filter(
        self,
        xref_id: Ref,
        filter: impl FnOnce(&[u8]) -> (Vec<u8>, XRefFilter),
    ) -> Vec<u8> {
        self.finish_with_xref_stream_inner(xref_id, |buf| {
            let (xref_data, filter) = filter(&buf);
            (xref_data, Some(filter))
        })
    }

    fn finish_with_xref_stream_inner(
        self,
        xref_id: Ref,
        filter: impl FnOnce(Vec<u8>) -> (Vec<u8>, Option<XRefFilter>),
    ) -> Vec<u8> {
        let (mut finished, written, chunk, mut offsets, trailer_data) = self.into_parts();
        let Chunk { mut buf, settings, .. } = chunk;

        // Include the reference of the xref stream in the offsets as well!
        let xref_offset = written + buf.len();
        offsets.push(xref_id, xref_offset);
        let field_width = determine_field_width(xref_offset);

        let mut writer = XRefStreamWriter::new(field_width);
        let xref_len = write_offsets(offsets, &mut writer);

        let (xref_data, filter) = filter(writer.buf);

        let mut stream =
            Stream::start(Obj::indirect(&mut buf, xref_id, settings), &xref_data);

        stream.pair(Name(b"Type"), Name(b"XRef"));

        if let Some(filter) = filter {
            match filter {
                XRefFilter::Single(filter) => {
                    stream.filter(filter);
                }
                XRefFilter::Multiple(filters) => {
                    let mut arr = stream.insert(Name(b"Filter")).array();

                    for filter in filters {
                        arr.item(filter.to_name());
                    }
                }
            }
        }

        trailer_data.write_into_dict(stream.deref_mut(), xref_len);

        stream
            .insert(Name(b"W"))
            .array()
            .item(1)
            .item(field_width as i32)
            .item(2);

        stream.finish();

        finished.pieces.push(finish_trailer(buf, xref_offset, &[]));
        finished.read().expect("the file the pieces were kept in reads back")
    }
}

/// The filters used for the xref stream.
pub enum XRefFilter {
    /// A single filter.
    Single(Filter),
    /// An array of filters.
    Multiple(Vec<Filter>),
}

fn finish_trailer(mut buf: Buf, xref_offset: usize, pad: &[u8]) -> Vec<u8> {
    buf.extend(pad);
    // Write startxref pointing to the xref stream
    buf.extend(b"startxref\n");
    write!(buf.inner, "{}", xref_offset).unwrap();

    // Write EOF marker
    buf.extend(b"\n%%EOF");
    buf.into_vec()
}

/// warraq: where each object starts in the file, for the
/// cross-reference table. Objects numbered one after another as they are
/// written (krilla numbers them so) are kept as a run: the first's number
/// and place, then each next one's distance from the one before, four
/// bytes an object where a pair of number and place took sixteen (8.7 MB
/// at the end of a 19,792-page book of 540,000 objects); any other object
/// as a pair.
#[derive(Default)]
struct Places {
    /// The run's first object and where it starts, and where its last
    /// starts.
    run: Option<(Ref, usize, usize)>,
    /// From each object of the run after the first to the one before it.
    steps: Vec<u32>,
    others: Vec<(Ref, usize)>,
}

impl Places {
    fn push(&mut self, id: Ref, offset: usize) {
        let Some((first, _, last)) = &mut self.run else {
            self.run = Some((id, offset, offset));
            return;
        };
        let next = i64::from(first.get()) + 1 + self.steps.len() as i64;
        let step = offset.checked_sub(*last).and_then(|step| u32::try_from(step).ok());
        match step {
            Some(step) if i64::from(id.get()) == next => {
                self.steps.push(step);
                *last = offset;
            }
            _ => self.others.push((id, offset)),
        }
    }

    fn extend(&mut self, places: impl IntoIterator<Item = (Ref, usize)>) {
        places.into_iter().for_each(|(id, offset)| self.push(id, offset));
    }

    /// Every place, by object number (the same number twice comes twice).
    fn in_order(&mut self) -> InOrder<'_> {
        // Unstable, which sorts in place: the stable sort took room for
        // half of them or more. No two are equal but the same object
        // twice, which the table refuses either way.
        self.others.sort_unstable();
        InOrder {
            run: self.run.map(|(first, offset, _)| (first.get(), offset)),
            steps: self.steps.iter(),
            others: &self.others,
        }
    }
}

/// warraq: [`Places::in_order`].
#[derive(Clone)]
struct InOrder<'a> {
    /// The run's next object and its place.
    run: Option<(i32, usize)>,
    steps: std::slice::Iter<'a, u32>,
    others: &'a [(Ref, usize)],
}

impl Iterator for InOrder<'_> {
    type Item = (Ref, usize);

    fn next(&mut self) -> Option<(Ref, usize)> {
        match (self.run, self.others.first()) {
            (Some((id, offset)), other) if other.is_none_or(|o| id <= o.0.get()) => {
                self.run = self
                    .steps
                    .next()
                    .map(|&step| (id + 1, offset + step as usize));
                Some((Ref::new(id), offset))
            }
            (_, Some(&other)) => {
                self.others = &self.others[1..];
                Some(other)
            }
            (_, None) => None,
        }
    }
}

fn write_offsets(mut places: Places, writer: &mut impl XRefWriter) -> i32 {
    let mut offsets = places.in_order();
    let xref_len = 1 + offsets.clone().last().map_or(0, |p| p.0.get());
    writer.prologue(xref_len);

    if offsets.clone().next().is_none() {
        writer.write_free_entry(0, 65535);
    }

    let mut written = 0;
    loop {
        // warraq: from this object on, for the free list's next entries.
        let ahead = offsets.clone();
        let Some((object_id, offset)) = offsets.next() else { break };
        if written > object_id.get() {
            panic!("duplicate indirect reference id: {}", object_id.get());
        }

        // Fill in free list.
        let start = written;
        for free_id in start..object_id.get() {
            let mut next = free_id + 1;
            if next == object_id.get() {
                // Find next free id.
                for (used_id, _) in ahead.clone() {
                    if next < used_id.get() {
                        break;
                    } else {
                        next = used_id.get() + 1;
                    }
                }
            }

            let gen = if free_id == 0 { 65535 } else { 0 };
            writer.write_free_entry((next % xref_len) as usize, gen);
            written += 1;
        }

        writer.write_occupied_entry(offset, 0);
        written += 1;
    }

    xref_len
}

impl Debug for Pdf {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.pad("Pdf(..)")
    }
}

impl Deref for Pdf {
    type Target = Chunk;

    fn deref(&self) -> &Self::Target {
        &self.chunk
    }
}

impl DerefMut for Pdf {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.chunk
    }
}

#[derive(Default)]
struct TrailerData {
    catalog_id: Option<Ref>,
    info_id: Option<Ref>,
    file_id: Option<(Vec<u8>, Vec<u8>)>,
}

impl TrailerData {
    fn write_into_dict(&self, dict: &mut Dict, xref_len: i32) {
        dict.pair(Name(b"Size"), xref_len);

        if let Some(catalog_id) = self.catalog_id {
            dict.pair(Name(b"Root"), catalog_id);
        }

        if let Some(info_id) = self.info_id {
            dict.pair(Name(b"Info"), info_id);
        }

        if let Some(file_id) = &self.file_id {
            let mut ids = dict.insert(Name(b"ID")).array();
            ids.item(Str(&file_id.0));
            ids.item(Str(&file_id.1));
        }
    }
}

trait XRefWriter {
    fn prologue(&mut self, xref_len: i32);
    fn write_free_entry(&mut self, offset: usize, gen_number: u16);
    fn write_occupied_entry(&mut self, offset: usize, gen_number: u16);
}

struct XRefStreamWriter {
    buf: Vec<u8>,
    field_width: u32,
}

impl XRefStreamWriter {
    fn new(field_width: u32) -> Self {
        Self { buf: Vec::new(), field_width }
    }
}

impl XRefStreamWriter {
    fn write(&mut self, entry_type: u8, offset: usize, gen_number: u16) {
        let offset_bytes = (offset as u64).to_be_bytes();

        self.buf.push(entry_type);
        self.buf.extend(
            offset_bytes
                .iter()
                .skip(offset_bytes.len() - self.field_width as usize),
        );
        self.buf.extend_from_slice(&gen_number.to_be_bytes());
    }
}

impl XRefWriter for XRefStreamWriter {
    fn prologue(&mut self, _: i32) {}

    fn write_free_entry(&mut self, offset: usize, gen_number: u16) {
        self.write(0, offset, gen_number);
    }

    fn write_occupied_entry(&mut self, offset: usize, gen_number: u16) {
        self.write(1, offset, gen_number);
    }
}

/// warraq: a cross-reference table (in place of pdf-writer's
/// `PlainXRefWriter`, which wrote it into one buffer) written to a `Pdf`'s
/// pieces a block of about [`KEPT_AT_ONCE`] bytes at a time ([`Pdf::put`]); the last block,
/// not yet put, in `block`.
struct BlockXRefWriter<'a> {
    pdf: &'a mut Pdf,
    block: Buf,
}

impl BlockXRefWriter<'_> {
    /// The block put, once full.
    fn put_if_full(&mut self) {
        if self.block.len() >= KEPT_AT_ONCE {
            let block = std::mem::replace(&mut self.block, Buf::new());
            self.pdf.put(block.into_vec());
        }
    }
}

impl XRefWriter for BlockXRefWriter<'_> {
    fn prologue(&mut self, xref_len: i32) {
        self.block.extend(b"xref\n0 ");
        self.block.push_int(xref_len);
        self.block.push(b'\n');
    }

    fn write_free_entry(&mut self, offset: usize, gen_number: u16) {
        write_xref_entry(&mut self.block, offset, gen_number, b'f');
        self.put_if_full();
    }

    fn write_occupied_entry(&mut self, offset: usize, gen_number: u16) {
        write_xref_entry(&mut self.block, offset, gen_number, b'n');
        self.put_if_full();
    }
}

/// warraq: how long an entry of a cross-reference table is (ISO 32000-1
/// §7.5.4).
const XREF_ENTRY_LEN: usize = 20;

/// warraq: an entry of a cross-reference table, `{offset:010} {gen:05} k\r\n`,
/// its digits put in place rather than formatted (a long book has a
/// hundred thousand entries, and `write!` spent more time on them than
/// writing them takes). An offset of more than ten digits, which a reader
/// cannot take anyway, is written whole, as `write!` would.
fn write_xref_entry(buf: &mut Buf, offset: usize, gen_number: u16, kind: u8) {
    if offset as u64 >= 10_000_000_000 {
        write!(buf.inner, "{offset:010} {gen_number:05} ").unwrap();
        buf.extend([kind, b'\r', b'\n']);
        return;
    }
    let mut entry: [u8; XREF_ENTRY_LEN] = *b"0000000000 00000 n\r\n";
    let mut put = |mut value: usize, end: usize, width: usize| {
        for digit in entry[end - width..end].iter_mut().rev() {
            *digit = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(offset, 10, 10);
    put(usize::from(gen_number), 16, 5);
    entry[17] = kind;
    buf.extend(&entry);
}

fn determine_field_width(offset: usize) -> u32 {
    (usize::BITS - offset.leading_zeros()).div_ceil(8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Print a chunk.
    #[allow(unused)]
    pub fn print_chunk(chunk: &Chunk) {
        println!("========== Chunk ==========");
        for &(id, offset) in &chunk.offsets {
            println!("[{}]: {}", id.get(), offset);
        }
        println!("---------------------------");
        print!("{}", String::from_utf8_lossy(&chunk.buf));
        println!("===========================");
    }

    /// Return the slice of bytes written during the execution of `f`.
    pub fn slice<F>(f: F, settings: Settings) -> Vec<u8>
    where
        F: FnOnce(&mut Pdf),
    {
        let mut w = Pdf::with_settings(settings);
        let start = w.len();
        f(&mut w);
        let end = w.len();
        let buf = w.finish();
        buf[start..end].to_vec()
    }

    /// Return the slice of bytes written for an object.
    pub fn slice_obj<F>(f: F, settings: Settings) -> Vec<u8>
    where
        F: FnOnce(Obj<'_>),
    {
        let buf = slice(|w| f(w.indirect(Ref::new(1))), settings);
        if settings.pretty {
            buf[8..buf.len() - 9].to_vec()
        } else {
            buf[8..buf.len() - 8].to_vec()
        }
    }

    #[test]
    fn test_minimal() {
        let w = Pdf::new();
        test!(
            w.finish(),
            b"%PDF-1.7\n%\x80\x80\x80\x80\n",
            b"xref\n0 1\n0000000000 65535 f\r",
            b"trailer\n<<\n  /Size 1\n>>",
            b"startxref\n16\n%%EOF",
        );
    }

    #[test]
    fn test_xref_free_list_short() {
        let mut w = Pdf::new();
        w.indirect(Ref::new(1)).primitive(1);
        w.indirect(Ref::new(2)).primitive(2);
        test!(
            w.finish(),
            b"%PDF-1.7\n%\x80\x80\x80\x80\n",
            b"1 0 obj\n1\nendobj\n",
            b"2 0 obj\n2\nendobj\n",
            b"xref",
            b"0 3",
            b"0000000000 65535 f\r",
            b"0000000016 00000 n\r",
            b"0000000034 00000 n\r",
            b"trailer",
            b"<<\n  /Size 3\n>>",
            b"startxref\n52\n%%EOF",
        )
    }

    #[test]
    fn test_xref_free_list_long() {
        let mut w = Pdf::new();
        w.set_version(1, 4);
        w.indirect(Ref::new(1)).primitive(1);
        w.indirect(Ref::new(2)).primitive(2);
        w.indirect(Ref::new(5)).primitive(5);
        test!(
            w.finish(),
            b"%PDF-1.4\n%\x80\x80\x80\x80\n",
            b"1 0 obj\n1\nendobj\n",
            b"2 0 obj\n2\nendobj\n",
            b"5 0 obj\n5\nendobj\n",
            b"xref",
            b"0 6",
            b"0000000003 65535 f\r",
            b"0000000016 00000 n\r",
            b"0000000034 00000 n\r",
            b"0000000004 00000 f\r",
            b"0000000000 00000 f\r",
            b"0000000052 00000 n\r",
            b"trailer",
            b"<<\n  /Size 6\n>>",
            b"startxref\n70\n%%EOF",
        )
    }

    // warraq: objects' places come back by number, whether they came in a
    // run of numbers one after another or not: numbers going back, a gap,
    // a step too long for the run, the same number twice.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn places_come_back_by_number() {
        let far = u32::MAX as usize + 10;
        let came: Vec<(Ref, usize)> = [
            (4, 100),
            (5, 130),
            (6, 131),
            (2, 140),
            (7, 150),
            (8, 170),
            (9, 170 + far),
            (10, 180 + far),
            (1, 200 + far),
            (10, 210 + far),
            (30, 220 + far),
        ]
        .into_iter()
        .map(|(id, offset)| (Ref::new(id), offset))
        .collect();
        let mut places = Places::default();
        places.extend(came.iter().copied());
        assert_eq!(places.steps.len(), 4, "4 to 8 are a run; 9 is too far from 8");
        let mut sorted = came.clone();
        sorted.sort();
        assert_eq!(places.in_order().collect::<Vec<_>>(), sorted);
        assert_eq!(Places::default().in_order().next(), None);
    }

    #[test]
    #[should_panic(expected = "duplicate indirect reference id: 3")]
    fn test_xref_free_list_duplicate() {
        let mut w = Pdf::new();
        w.indirect(Ref::new(3)).primitive(1);
        w.indirect(Ref::new(5)).primitive(2);
        w.indirect(Ref::new(13)).primitive(1);
        w.indirect(Ref::new(3)).primitive(1);
        w.indirect(Ref::new(6)).primitive(2);
        w.finish();
    }

    #[test]
    fn test_binary_marker() {
        let mut w = Pdf::new();
        w.set_binary_marker(b"ABCD");
        test!(
            w.finish(),
            b"%PDF-1.7\n%ABCD\n",
            b"xref\n0 1\n0000000000 65535 f\r",
            b"trailer\n<<\n  /Size 1\n>>",
            b"startxref\n16\n%%EOF",
        );
    }

    /// warraq: an entry put together digit by digit is what `write!` made.
    #[test]
    fn xref_entries_are_as_formatted() {
        let offsets = [0, 7, 16, 999_999_999, 9_999_999_999, 10_000_000_000, u64::MAX];
        for offset in offsets.into_iter().filter_map(|o| usize::try_from(o).ok()) {
            for (gen_number, kind) in [(0, b'n'), (65535, b'f'), (42, b'f')] {
                let mut buf = Buf::new();
                write_xref_entry(&mut buf, offset, gen_number, kind);
                let expected = format!("{offset:010} {gen_number:05} {}\r\n", kind as char);
                assert_eq!(String::from_utf8_lossy(&buf), expected);
            }
        }
    }

    /// warraq: a file made of pieces is, byte for byte, the file made by
    /// extending, with the cross-reference table or stream and the
    /// document's objects written after the pieces.
    #[test]
    fn pieces_make_the_file_extending_makes() {
        let chunk = |first: i32| {
            let mut chunk = Chunk::new();
            chunk.indirect(Ref::new(first)).primitive(first);
            chunk.indirect(Ref::new(first + 1)).array().items([1.5_f32, 2.0]);
            chunk
        };
        let made = |in_pieces: bool| {
            let mut pdf = Pdf::new();
            pdf.set_version(1, 6);
            pdf.indirect(Ref::new(1)).primitive(1);
            for first in [2, 4] {
                match in_pieces {
                    true => pdf.push_piece(chunk(first)),
                    false => pdf.extend(&chunk(first)),
                }
            }
            pdf.catalog(Ref::new(6));
            pdf
        };
        let pieces = made(true).finish_in_pieces();
        assert!(pieces.file.is_none());
        assert_eq!(pieces.pieces.len(), 5, "the header, two pieces, the catalog, the table");
        assert_eq!(pieces.pieces.concat(), made(false).finish());
        assert_eq!(made(true).finish(), made(false).finish());
        assert_eq!(
            made(true).finish_with_xref_stream(Ref::new(7)),
            made(false).finish_with_xref_stream(Ref::new(7))
        );
        let mut pdf = made(true);
        pdf.indirect(Ref::new(8)).primitive(8);
        let mut so_far: Vec<u8> = Vec::new();
        pdf.read_pieces(|piece| so_far.extend_from_slice(piece)).unwrap();
        assert!(so_far.ends_with(b"8 0 obj\n8\nendobj\n\n"));
        assert_eq!(pdf.len(), so_far.len());
        assert_eq!(pdf.finish()[..so_far.len()], so_far[..]);
    }

    /// warraq: a `Pdf` whose pieces are kept in the file at `kept_in`, made
    /// anew, if any.
    fn new_pdf(kept_in: Option<&std::path::Path>) -> Pdf {
        let mut pdf = Pdf::new();
        if let Some(path) = kept_in {
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(path)
                .unwrap();
            pdf.keep_pieces_in(file);
        }
        pdf
    }

    /// warraq: pieces kept in a file make the same file as pieces kept in
    /// memory, read as it is made or when finished, and the file holds
    /// every mebibyte gathered.
    #[test]
    fn pieces_kept_in_a_file_make_the_same_file() {
        // Pieces of about 300 KB each: four at a time gathered and
        // written, the ninth gathered only.
        let chunk = |number: i32| {
            let mut chunk = Chunk::new();
            chunk.stream(Ref::new(number), &vec![b'a' + number as u8; 300_000]);
            chunk
        };
        let path = std::env::temp_dir()
            .join(format!("pdf-writer-kept-{}", std::process::id()));
        let made = |in_file: bool| {
            let mut pdf = new_pdf(in_file.then_some(path.as_path()));
            for number in 1..=9 {
                pdf.push_piece(chunk(number));
            }
            pdf.catalog(Ref::new(10));
            pdf
        };
        let read = |pdf: &Pdf| {
            let mut bytes = Vec::new();
            pdf.read_pieces(|piece| bytes.extend_from_slice(piece)).unwrap();
            bytes
        };
        let (in_file, in_memory) = (made(true), made(false));
        assert_eq!(read(&in_file), read(&in_memory));
        assert_eq!(in_file.len(), in_memory.len());
        let in_file = in_file.finish_in_pieces();
        let (_, kept) = in_file.file.as_ref().unwrap();
        let eight: usize = (1..=8).map(|number| chunk(number).len()).sum();
        assert_eq!(*kept, Pdf::new().len() + eight, "all but the ninth piece");
        assert_eq!(in_file.read().unwrap(), in_memory.finish());
        assert_eq!(made(true).finish(), made(false).finish());
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_piece_larger_than_a_gathering_is_written_as_it_is() {
        // A small piece gathered, then one of two mebibytes: written after
        // it, not copied into the gathered bytes first.
        let chunk = |number: i32, len: usize| {
            let mut chunk = Chunk::new();
            chunk.stream(Ref::new(number), &vec![b'a' + number as u8; len]);
            chunk
        };
        let path = std::env::temp_dir()
            .join(format!("pdf-writer-large-{}", std::process::id()));
        let made = |in_file: bool| {
            let mut pdf = new_pdf(in_file.then_some(path.as_path()));
            pdf.push_piece(chunk(1, 1_000));
            pdf.push_piece(chunk(2, 2 * KEPT_AT_ONCE));
            pdf
        };
        let in_file = made(true);
        let kept = in_file.kept.as_ref().unwrap();
        assert!(kept.gathered.capacity() < KEPT_AT_ONCE, "{}", kept.gathered.capacity());
        assert_eq!(kept.len, in_file.len(), "both pieces written");
        assert_eq!(in_file.finish(), made(false).finish());
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_long_table_is_written_to_the_kept_file_in_blocks() {
        // 120,000 objects: a table of 2.4 MB, more than two blocks.
        let count = 120_000;
        let path = std::env::temp_dir()
            .join(format!("pdf-writer-table-{}", std::process::id()));
        let made = |in_file: bool| {
            let mut pdf = new_pdf(in_file.then_some(path.as_path()));
            let mut chunk = Chunk::new();
            for number in 1..count {
                chunk.indirect(Ref::new(number)).primitive(number);
            }
            pdf.push_piece(chunk);
            pdf.catalog(Ref::new(count)).pair(Name(b"Lang"), TextStr("ar"));
            pdf
        };
        let in_file = made(true).finish_in_pieces();
        let last = in_file.pieces.last().unwrap().clone();
        assert!(last.len() < KEPT_AT_ONCE + 200, "{}", last.len());
        assert!(last.ends_with(b"%%EOF"));
        let catalog = format!("{count} 0 obj\n<<\n  /Type /Catalog\n  /Lang (ar)\n>>\nendobj\n\n");
        assert_eq!(in_file.catalog.as_deref(), Some(catalog.as_bytes()));
        let bytes = in_file.read().unwrap();
        assert_eq!(bytes, made(false).finish());
        let table = bytes.windows(6).rposition(|w| w == b"\nxref\n").unwrap() + 1;
        let entries = &bytes[table..bytes.len() - last.len()];
        assert!(entries.starts_with(format!("xref\n0 {}\n", count + 1).as_bytes()));
        assert!(entries.len() > 2 * KEPT_AT_ONCE, "{}", entries.len());
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn field_width() {
        assert_eq!(determine_field_width(128), 1);
        assert_eq!(determine_field_width(255), 1);
        assert_eq!(determine_field_width(256), 2);
        assert_eq!(determine_field_width(u16::MAX as usize), 2);
        assert_eq!(determine_field_width(u16::MAX as usize + 1), 3);
        assert_eq!(determine_field_width(u32::MAX as usize), 4);
    }

    #[test]
    fn test_xref_stream() {
        let mut w = Pdf::new();
        w.indirect(Ref::new(1)).primitive(1);
        w.indirect(Ref::new(2)).primitive(2);
        w.indirect(Ref::new(5)).primitive(5);
        test!(
            w.finish_with_xref_stream(Ref::new(6)),
            b"%PDF-1.7\n%\x80\x80\x80\x80\n",
            b"1 0 obj\n1\nendobj\n",
            b"2 0 obj\n2\nendobj\n",
            b"5 0 obj\n5\nendobj\n",
            b"6 0 obj\n<<\n  /Length 28\n  /Type /XRef\n  /Size 7\n  /W [1 1 2]\n>>\nstream",
            // [0, 3, 255, 255], [1, 16, 0, 0], [1, 34, 0, 0], [0, 4, 0, 0], [0, 0, 0, 0], [1, 52, 0, 0], [1, 70, 0, 0]
            b"\x00\x03\xFF\xFF\x01\x10\x00\x00\x01\x22\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x01\x34\x00\x00\x01\x46\x00\x00",
            b"endstream\nendobj\n",
            b"startxref\n70\n%%EOF",
        )
    }

    #[test]
    fn test_xref_stream_single_filter() {
        let mut w = Pdf::new();
        w.indirect(Ref::new(1)).primitive(1);
        test!(
            w.finish_with_xref_stream_and_filter(Ref::new(2), |_| (b"ABCDEFGH".to_vec(), XRefFilter::Single(Filter::FlateDecode))),
            b"%PDF-1.7\n%\x80\x80\x80\x80\n",
            b"1 0 obj\n1\nendobj\n",
            b"2 0 obj\n<<\n  /Length 8\n  /Type /XRef\n  /Filter /FlateDecode\n  /Size 3\n  /W [1 1 2]\n>>\nstream",
            b"ABCDEFGH",
            b"endstream\nendobj\n",
            b"startxref\n34\n%%EOF",
        )
    }

    #[test]
    fn test_xref_stream_multiple_filters() {
        let mut w = Pdf::new();
        w.indirect(Ref::new(1)).primitive(1);
        test!(
            w.finish_with_xref_stream_and_filter(Ref::new(2), |_| (b"ABCDEFGH".to_vec(), XRefFilter::Multiple(vec![Filter::AsciiHexDecode, Filter::FlateDecode]))),
            b"%PDF-1.7\n%\x80\x80\x80\x80\n",
            b"1 0 obj\n1\nendobj\n",
            b"2 0 obj\n<<\n  /Length 8\n  /Type /XRef\n  /Filter [/ASCIIHexDecode /FlateDecode]\n  /Size 3\n  /W [1 1 2]\n>>\nstream",
            b"ABCDEFGH",
            b"endstream\nendobj\n",
            b"startxref\n34\n%%EOF",
        )
    }

    #[test]
    fn test_xref_width2() {
        let mut w = Pdf::new();
        w.stream(Ref::new(1), &[b'0'; 256]);
        w.indirect(Ref::new(2)).primitive(1);
        test!(
            w.finish_with_xref_stream(Ref::new(3)),
            b"%PDF-1.7\n%\x80\x80\x80\x80\n",
            b"1 0 obj\n<<\n  /Length 256\n>>\nstream",
            b"0000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
            000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
            000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
            b"endstream\nendobj\n",
            b"2 0 obj\n1\nendobj\n",
            b"3 0 obj\n<<\n  /Length 20\n  /Type /XRef\n  /Size 4\n  /W [1 2 2]\n>>\nstream",
            // [0, 0, 0, 255, 255], [1, 0, 16, 0, 0], [1, 0, 34, 0, 0], [1, 1, 32, 0, 0]
            b"\x00\x00\x00\xFF\xFF\x01\x00\x10\x00\x00\x01\x01\x46\x00\x00\x01\x01\x58\x00\x00",
            b"endstream\nendobj\n",
            b"startxref\n344\n%%EOF",
        )
    }
}
