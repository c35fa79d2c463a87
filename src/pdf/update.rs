//! An incremental update (PDF 1.7 §7.5.6) over krilla's finished file: what
//! krilla has no way to write — our XMP packet and info dictionary, and
//! PDF/X's output intent — appended as new objects, a new catalog that
//! points at them, and a cross-reference section that leads back to
//! krilla's. krilla's bytes stay as they were, so the result is as
//! reproducible as they are.

use std::fmt::Write as _;
use std::io::Write as _;

use memchr::memmem;

use crate::diag::{Code, Diagnostic, Result};
use crate::output::Pieces;

/// What the update adds.
pub(super) struct Additions {
    /// The XMP packet, the catalog's new `/Metadata`.
    pub xmp: Vec<u8>,
    /// The new document information dictionary, `<<…>>`.
    pub info: String,
    /// For PDF/X: the output intent's dictionary entries (without
    /// `/DestOutputProfile`) and its ICC profile.
    pub output_intent: Option<(String, &'static [u8], u8)>,
}

/// krilla's file, in its pieces, with `additions` appended; `catalog` is
/// its catalog object as written (`pdf_writer::Finished::catalog`).
pub(super) fn append(
    mut pieces: Pieces,
    catalog: Option<&[u8]>,
    additions: &Additions,
) -> Result<Pieces> {
    let broken = || {
        Diagnostic::error(
            Code::Internal,
            "cannot finish the PDF: krilla's file has no usable trailer or catalog",
        )
    };
    // krilla's file ends with its trailer, in a last piece, which the
    // update goes on.
    let (before, pdf) = pieces.last_mut().ok_or_else(broken)?;
    // Where the next byte written to the last piece is in the file.
    let at = |pdf: &Vec<u8>| before + pdf.len();
    let trailer = Trailer::read(pdf).ok_or_else(broken)?;
    let catalog = catalog
        .and_then(|catalog| catalog_entries(catalog, trailer.root))
        .ok_or_else(broken)?;

    let mut next = trailer.size;
    let mut number = || {
        next += 1;
        next - 1
    };
    let mut offsets: Vec<(u32, usize)> = Vec::new();
    let mut catalog_extra = String::new();

    let xmp_ref = number();
    pdf.push(b'\n');
    offsets.push((xmp_ref, at(pdf)));
    let _ = write!(
        pdf,
        "{xmp_ref} 0 obj\n<</Type/Metadata/Subtype/XML/Length {}>>\nstream\n",
        additions.xmp.len()
    );
    pdf.extend_from_slice(&additions.xmp);
    pdf.extend_from_slice(b"\nendstream\nendobj\n");
    let _ = write!(catalog_extra, "/Metadata {xmp_ref} 0 R");

    if let Some((entries, profile, components)) = &additions.output_intent {
        let compressed = deflate(profile)?;
        let profile_ref = number();
        offsets.push((profile_ref, at(pdf)));
        let _ = write!(
            pdf,
            "{profile_ref} 0 obj\n<</N {components}/Filter/FlateDecode/Length {}>>\nstream\n",
            compressed.len()
        );
        pdf.extend_from_slice(&compressed);
        pdf.extend_from_slice(b"\nendstream\nendobj\n");
        let intent_ref = number();
        offsets.push((intent_ref, at(pdf)));
        let _ = write!(
            pdf,
            "{intent_ref} 0 obj\n<</Type/OutputIntent{entries}/DestOutputProfile {profile_ref} 0 R>>\nendobj\n"
        );
        let _ = write!(catalog_extra, "/OutputIntents[{intent_ref} 0 R]");
    }

    let info_ref = number();
    offsets.push((info_ref, at(pdf)));
    let _ = write!(pdf, "{info_ref} 0 obj\n{}\nendobj\n", additions.info);

    offsets.push((trailer.root, at(pdf)));
    let _ = write!(
        pdf,
        "{} 0 obj\n<<{catalog}{catalog_extra}>>\nendobj\n",
        trailer.root
    );

    let xref = at(pdf);
    offsets.sort();
    pdf.extend_from_slice(b"xref\n");
    // One subsection per run of consecutive object numbers.
    let mut start = 0;
    while start < offsets.len() {
        let mut end = start + 1;
        while end < offsets.len() && offsets[end].0 == offsets[end - 1].0 + 1 {
            end += 1;
        }
        let _ = writeln!(pdf, "{} {}", offsets[start].0, end - start);
        for &(_, offset) in &offsets[start..end] {
            let _ = write!(pdf, "{offset:010} 00000 n\r\n");
        }
        start = end;
    }
    let _ = write!(
        pdf,
        "trailer\n<</Size {next}/Root {} 0 R/Info {info_ref} 0 R/ID{}/Prev {}>>\nstartxref\n{xref}\n%%EOF",
        trailer.root, trailer.id, trailer.startxref
    );
    Ok(pieces)
}

/// What the update needs from krilla's trailer.
struct Trailer {
    size: u32,
    root: u32,
    /// The `/ID` array as written (an update keeps the file's identity).
    id: String,
    startxref: usize,
}

impl Trailer {
    fn read(pdf: &[u8]) -> Option<Trailer> {
        let at = memmem::rfind(pdf, b"trailer")?;
        let tail = std::str::from_utf8(&pdf[at..]).ok()?;
        let number_after = |key: &str| -> Option<u32> {
            let rest = &tail[tail.find(key)? + key.len()..];
            let digits: String = rest
                .trim_start()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        };
        let id_start = tail.find("/ID")? + "/ID".len();
        let id_end = id_start + tail[id_start..].find(']')? + 1;
        let startxref = tail.find("startxref")? + "startxref".len();
        Some(Trailer {
            size: number_after("/Size")?,
            root: number_after("/Root")?,
            id: tail[id_start..id_end].trim().to_string(),
            startxref: tail[startxref..]
                .trim_start()
                .lines()
                .next()?
                .trim()
                .parse()
                .ok()?,
        })
    }
}

/// The entries of the catalog object `root` (between `<<` and `>>`),
/// without `/Metadata`, which the update replaces, nor krilla's
/// `/Suspects false` in `/MarkInfo`: false is the default, and poppler
/// before 23.x reports a false `/Suspects` as "wrong type (boolean)".
fn catalog_entries(object: &[u8], root: u32) -> Option<String> {
    let header = format!("{root} 0 obj\n");
    let dictionary = object.strip_prefix(header.as_bytes())?;
    let end = memmem::find(dictionary, b"\nendobj")?;
    let body = std::str::from_utf8(&dictionary[..end]).ok()?.trim();
    let entries = body.strip_prefix("<<")?.strip_suffix(">>")?;
    let entries = entries.replace(SUSPECTS_FALSE, "");
    let entries = entries.as_str();
    Some(match entries.find("/Metadata ") {
        Some(at) => {
            // `/Metadata N 0 R`: the key, then three tokens.
            let rest = &entries[at + "/Metadata ".len()..];
            let mut end = 0;
            for _ in 0..3 {
                let skipped = rest[end..].len() - rest[end..].trim_start().len();
                end += skipped;
                end += rest[end..]
                    .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
                    .unwrap_or(rest.len() - end);
            }
            format!("{}{}", &entries[..at], &rest[end..])
        }
        None => entries.to_string(),
    })
}

/// How krilla writes that a tagged PDF has no suspect content.
const SUSPECTS_FALSE: &str = "/Suspects false";

fn deflate(data: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(data)
        .and_then(|()| encoder.finish())
        .map_err(|e| {
            Diagnostic::error(
                Code::Internal,
                format!("cannot compress the ICC profile: {e}"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_loses_only_its_metadata() {
        let catalog = b"7 0 obj\n<</Type/Catalog/Metadata 5 0 R/Lang(ar)>>\nendobj\n";
        assert_eq!(
            catalog_entries(catalog, 7).as_deref(),
            Some("/Type/Catalog/Lang(ar)")
        );
    }

    #[test]
    fn catalog_loses_a_false_suspects_only() {
        let catalog = b"7 0 obj\n<</MarkInfo<</Marked true/Suspects false>>/Lang(ar)>>\nendobj\n";
        assert_eq!(
            catalog_entries(catalog, 7).as_deref(),
            Some("/MarkInfo<</Marked true>>/Lang(ar)")
        );
    }
}
