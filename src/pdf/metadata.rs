//! The book's metadata as the PDF carries it twice, and the same in both:
//! the XMP packet (what PDF/A and PDF/X read) and the document information
//! dictionary (what most viewers show). Title, description (else
//! subtitle), authors, publisher, language, ISBN, dates, keywords, and the
//! standard's identification.

use std::fmt::Write as _;

use crate::doc::Metadata;
use crate::time::Civil;
use crate::xml::escape;

use super::standard::PdfStandard;

/// The PDF/X version written in the XMP and the info dictionary.
pub const PDFX_VERSION: &str = "PDF/X-4";

/// PDF/UA's identification schema (ISO 14289-1 5); a macro, for
/// `concat!`.
macro_rules! pdfua_ns {
    () => {
        "http://www.aiim.org/pdfua/ns/id/"
    };
}

/// The PDF/A extension schema describing `pdfuaid:part`, as ISO 14289-1
/// gives it.
const PDFUA_SCHEMA: &str = concat!(
    "<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">\n",
    "<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\n",
    "<pdfaSchema:namespaceURI>",
    pdfua_ns!(),
    "</pdfaSchema:namespaceURI>\n",
    "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\n",
    "<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType=\"Resource\">\n",
    "<pdfaProperty:name>part</pdfaProperty:name>\n",
    "<pdfaProperty:valueType>Integer</pdfaProperty:valueType>\n",
    "<pdfaProperty:category>internal</pdfaProperty:category>\n",
    "<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>\n",
    "</rdf:li></rdf:Seq></pdfaSchema:property>\n",
    "</rdf:li></rdf:Bag></pdfaExtension:schemas>\n",
);

/// The XMP packet, UTF-8; `accessible`: with the PDF/UA-1 identification.
pub(super) fn xmp(
    meta: &Metadata,
    standard: PdfStandard,
    accessible: bool,
    producer: &str,
) -> Vec<u8> {
    let date = xmp_date(meta.timestamp);
    let mut x = String::new();
    x.push_str("<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n");
    x.push_str("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n");
    x.push_str("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n");
    x.push_str(concat!(
        "<rdf:Description rdf:about=\"\"",
        " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"",
        " xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"",
        " xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\"",
        " xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\""
    ));
    x.push_str(match standard {
        PdfStandard::None => "",
        PdfStandard::A2u => " xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"",
        PdfStandard::X4 => " xmlns:pdfxid=\"http://www.npes.org/pdfx/ns/id/\"",
    });
    if accessible {
        x.push_str(concat!(" xmlns:pdfuaid=\"", pdfua_ns!(), "\""));
        if standard == PdfStandard::A2u {
            x.push_str(concat!(
                " xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\"",
                " xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\"",
                " xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\""
            ));
        }
    }
    x.push_str(">\n");
    let _ = writeln!(x, "<dc:format>application/pdf</dc:format>");
    let alt = |x: &mut String, tag: &str, text: &str| {
        let _ = writeln!(
            x,
            "<{tag}><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></{tag}>",
            escape(text)
        );
    };
    let list = |x: &mut String, tag: &str, kind: &str, items: &[String]| {
        if items.is_empty() {
            return;
        }
        let _ = write!(x, "<{tag}><rdf:{kind}>");
        for item in items {
            let _ = write!(x, "<rdf:li>{}</rdf:li>", escape(item));
        }
        let _ = writeln!(x, "</rdf:{kind}></{tag}>");
    };
    let simple = |x: &mut String, tag: &str, text: &str| {
        let _ = writeln!(x, "<{tag}>{}</{tag}>", escape(text));
    };
    alt(&mut x, "dc:title", &meta.title);
    if let Some(subject) = subject(meta) {
        alt(&mut x, "dc:description", &subject);
    }
    // One entry, as the info dictionary's /Author has one string
    // (PDF/A-2 6.6.2.3.1 wants the two equivalent).
    if let Some(authors) = authors(meta) {
        list(&mut x, "dc:creator", "Seq", &[authors]);
    }
    list(&mut x, "dc:publisher", "Bag", meta.publisher.as_slice());
    if let Some(isbn) = &meta.isbn {
        simple(&mut x, "dc:identifier", &format!("urn:isbn:{isbn}"));
    }
    list(
        &mut x,
        "dc:language",
        "Bag",
        std::slice::from_ref(&meta.language),
    );
    list(&mut x, "dc:subject", "Bag", &meta.keywords);
    list(&mut x, "dc:date", "Seq", std::slice::from_ref(&date));
    if !meta.keywords.is_empty() {
        simple(&mut x, "pdf:Keywords", &meta.keywords.join(", "));
    }
    simple(&mut x, "pdf:Producer", producer);
    simple(&mut x, "xmp:CreatorTool", &creator());
    simple(&mut x, "xmp:CreateDate", &date);
    simple(&mut x, "xmp:ModifyDate", &date);
    simple(&mut x, "xmp:MetadataDate", &date);
    simple(&mut x, "xmpMM:DocumentID", &meta.identifier);
    simple(&mut x, "xmpMM:InstanceID", &instance_id(meta, standard));
    simple(&mut x, "xmpMM:VersionID", "1");
    simple(&mut x, "xmpMM:RenditionClass", "default");
    match standard {
        PdfStandard::None => {}
        PdfStandard::A2u => {
            simple(&mut x, "pdfaid:part", "2");
            simple(&mut x, "pdfaid:conformance", "U");
        }
        PdfStandard::X4 => {
            simple(&mut x, "pdf:Trapped", "False");
            simple(&mut x, "pdfxid:GTS_PDFXVersion", PDFX_VERSION);
        }
    }
    if accessible {
        simple(&mut x, "pdfuaid:part", "1");
        // PDF/A admits only the properties of the schemas it predefines or
        // that the file describes: PDF/UA's is not one of them.
        if standard == PdfStandard::A2u {
            x.push_str(PDFUA_SCHEMA);
        }
    }
    x.push_str("</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"r\"?>");
    x.into_bytes()
}

/// The document information dictionary, `<<…>>`.
pub(super) fn info(meta: &Metadata, standard: PdfStandard, producer: &str) -> String {
    let date = pdf_date(meta.timestamp);
    let mut d = String::from("<<");
    let mut text = |key: &str, value: &str| {
        let _ = write!(d, "/{key} {}", text_string(value));
    };
    text("Title", &meta.title);
    if let Some(subject) = subject(meta) {
        text("Subject", &subject);
    }
    if let Some(authors) = authors(meta) {
        text("Author", &authors);
    }
    if !meta.keywords.is_empty() {
        text("Keywords", &meta.keywords.join(", "));
    }
    text("Creator", &creator());
    text("Producer", producer);
    if let Some(publisher) = &meta.publisher {
        text("Publisher", publisher);
    }
    if let Some(isbn) = &meta.isbn {
        text("ISBN", isbn);
    }
    let _ = write!(d, "/CreationDate ({date})/ModDate ({date})");
    if standard == PdfStandard::X4 {
        let _ = write!(d, "/GTS_PDFXVersion ({PDFX_VERSION})/Trapped /False");
    }
    d.push_str(">>");
    d
}

/// The tool that made the book's PDF, as `/Creator` and `xmp:CreatorTool`.
pub(super) fn creator() -> String {
    format!("warraq {}", env!("CARGO_PKG_VERSION"))
}

/// What the book is about, as `/Subject` and its XMP equivalent
/// `dc:description`: its subtitle and its description, whichever it has,
/// both when it has both (neither standard has a field of its own for a
/// subtitle).
fn subject(meta: &Metadata) -> Option<String> {
    match (meta.subtitle.as_deref(), meta.description.as_deref()) {
        (Some(subtitle), Some(description)) => Some(format!("{subtitle} — {description}")),
        (one, other) => one.or(other).map(str::to_string),
    }
}

fn authors(meta: &Metadata) -> Option<String> {
    (!meta.authors.is_empty()).then(|| meta.authors.join(", "))
}

/// A URI for this rendition: the book's identifier and the standard give
/// the same one on every build.
fn instance_id(meta: &Metadata, standard: PdfStandard) -> String {
    let name = format!("{}#pdf-{standard:?}", meta.identifier);
    let uuid = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes());
    format!("urn:uuid:{uuid}")
}

fn civil(timestamp: i64) -> Civil {
    // PDF and XMP dates have four-digit years.
    Civil::clamped(timestamp, 1, 9999)
}

fn xmp_date(timestamp: i64) -> String {
    let t = civil(timestamp);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

fn pdf_date(timestamp: i64) -> String {
    let t = civil(timestamp);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}Z",
        t.year, t.month, t.day, t.hour, t.minute, t.second
    )
}

/// A PDF text string: UTF-16BE with its byte-order mark, in hex.
fn text_string(text: &str) -> String {
    let mut out = String::from("<FEFF");
    for unit in text.encode_utf16() {
        let _ = write!(out, "{unit:04X}");
    }
    out.push('>');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strings_are_utf16_hex() {
        assert_eq!(text_string("Aب"), "<FEFF00410628>");
    }

    #[test]
    fn dates_match_in_both_places() {
        assert_eq!(xmp_date(86_400 + 61), "1970-01-02T00:01:01Z");
        assert_eq!(pdf_date(86_400 + 61), "D:19700102000101Z");
    }
}
