//! The package document, `package.opf`: metadata, manifest and spine.

use std::fmt::Write as _;

use super::{COVER, CSS, NAV, NCX, Plan, TITLE_PAGE};
use crate::doc::Direction;
use crate::time::Civil;
use crate::xml::escape;

pub(crate) fn opf(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="book-id" xml:lang="{lang}" dir="{dir}">"#,
        lang = escape(&plan.lang),
        dir = plan.dir,
    );
    metadata(plan, &mut out);
    manifest(plan, &mut out);
    spine(plan, &mut out);
    out.push_str("</package>\n");
    out
}

fn metadata(plan: &Plan, out: &mut String) {
    let timestamp = plan.doc.metadata.timestamp;
    out.push_str("<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n");
    let _ = writeln!(
        out,
        "<dc:identifier id=\"book-id\">{}</dc:identifier>",
        escape(&plan.identifier)
    );
    let _ = writeln!(
        out,
        "<dc:title id=\"title\">{}</dc:title>",
        escape(&plan.title)
    );
    for (n, author) in plan.authors().enumerate() {
        let id = format!("creator-{}", n + 1);
        let _ = writeln!(
            out,
            "<dc:creator id=\"{id}\">{}</dc:creator>\n\
             <meta refines=\"#{id}\" property=\"role\" scheme=\"marc:relators\">aut</meta>",
            escape(author)
        );
    }
    let _ = writeln!(out, "<dc:language>{}</dc:language>", escape(&plan.lang));
    if let Some(description) = &plan.doc.metadata.description {
        let _ = writeln!(
            out,
            "<dc:description>{}</dc:description>",
            escape(description)
        );
    }
    // A timestamp of 0 means the book gave no date (see `load`): no dc:date
    // then, though dcterms:modified is required and stays.
    if timestamp != 0 {
        let _ = writeln!(out, "<dc:date>{}</dc:date>", Civil::w3c_date(timestamp));
    }
    let _ = writeln!(
        out,
        "<meta property=\"dcterms:modified\">{}</meta>",
        Civil::w3c_datetime(timestamp)
    );
    // For EPUB 2 readers; EPUB 3 ones use the cover-image property.
    let _ = writeln!(
        out,
        "<meta name=\"cover\" content=\"{}\"/>",
        escape(&plan.cover.id)
    );

    accessibility(plan, out);
    out.push_str("</metadata>\n");
}

/// What EPUB Accessibility 1.1 conformance is claimed to: WCAG 2.2 level
/// AA, which the book meets only when every picture is described.
const CONFORMS_TO: &str = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA";

/// The accessibility metadata (EPUB Accessibility 1.1: schema.org
/// properties, `dcterms:conformsTo`, `a11y:certifiedBy`), each claim only
/// where the book makes it true.
fn accessibility(plan: &Plan, out: &mut String) {
    let mut schema = |property: &str, value: &str| {
        let _ = writeln!(out, "<meta property=\"schema:{property}\">{value}</meta>");
    };
    // Every book shows a picture: its cover.
    schema("accessMode", "textual");
    schema("accessMode", "visual");
    schema("accessModeSufficient", "textual,visual");
    // Text alone tells everything only when every picture is described.
    if plan.pictures_described {
        schema("accessModeSufficient", "textual");
    }
    for feature in accessibility_features(plan) {
        schema("accessibilityFeature", feature);
    }
    // Pictures are PNG or JPEG stills; raw HTML keeps no media or script.
    schema("accessibilityHazard", "none");

    let config = &plan.doc.metadata.accessibility;
    match &config.summary {
        // Written by the book's author, in the book's language.
        Some(summary) => {
            let _ = writeln!(
                out,
                "<meta property=\"schema:accessibilitySummary\">{}</meta>",
                escape(summary)
            );
        }
        None => {
            let strings = plan.strings;
            let lang_attr = if plan.lang.eq_ignore_ascii_case(strings.lang)
                || plan
                    .lang
                    .to_ascii_lowercase()
                    .starts_with(&format!("{}-", strings.lang))
            {
                String::new()
            } else {
                format!(" xml:lang=\"{}\"", strings.lang)
            };
            let _ = writeln!(
                out,
                "<meta property=\"schema:accessibilitySummary\"{lang_attr}>{}</meta>",
                escape(strings.accessibility_summary)
            );
        }
    }
    if !plan.page_list.is_empty() {
        // The edition the page breaks are of: the print edition warraq
        // lays out beside this one (its ISBN when the book has one).
        let source = match &plan.doc.metadata.isbn {
            Some(isbn) => format!("urn:isbn:{isbn}"),
            None => format!("{} (print edition)", plan.title),
        };
        let _ = writeln!(
            out,
            "<meta property=\"pageBreakSource\">{}</meta>",
            escape(&source)
        );
    }
    if plan.pictures_described {
        let _ = writeln!(
            out,
            "<meta property=\"dcterms:conformsTo\">{CONFORMS_TO}</meta>"
        );
    }
    if let Some(certifier) = &config.certified_by {
        let _ = writeln!(
            out,
            "<meta property=\"a11y:certifiedBy\">{}</meta>",
            escape(certifier)
        );
    }
}

/// The `schema:accessibilityFeature` values true of this book.
fn accessibility_features(plan: &Plan) -> Vec<&'static str> {
    let mut features = vec![
        // nav.xhtml.
        "tableOfContents",
        // One spine order, the text's.
        "readingOrder",
        // Reflowable, with sizes in `em` the reader's settings scale.
        "displayTransformability",
        // DPUB-ARIA roles on the chapters, notes, contents and cover.
        "ARIA",
    ];
    if plan.headings {
        features.push("structuralNavigation");
    }
    // Every book has a picture, its cover, whose alt text is the title.
    if plan.pictures_described {
        features.push("alternativeText");
    }
    // A page break marker where each page of the print edition begins, and
    // their list in nav.xhtml.
    if !plan.page_list.is_empty() {
        features.push("printPageNumbers");
        features.push("pageBreakMarkers");
    }
    if plan
        .chapters
        .iter()
        .any(|chapter| chapter.properties.contains(&"mathml"))
    {
        features.push("MathML");
    }
    features
}

fn manifest(plan: &Plan, out: &mut String) {
    out.push_str("<manifest>\n");
    let mut item = |id: &str, href: &str, media_type: &str, properties: &str| {
        let _ = write!(
            out,
            "<item id=\"{}\" href=\"{}\" media-type=\"{media_type}\"",
            escape(id),
            escape(href)
        );
        if !properties.is_empty() {
            let _ = write!(out, " properties=\"{properties}\"");
        }
        out.push_str("/>\n");
    };
    const XHTML: &str = "application/xhtml+xml";
    item("nav", NAV, XHTML, "nav");
    item("ncx", NCX, "application/x-dtbncx+xml", "");
    item("css", CSS, "text/css", "");
    item("cover", COVER, XHTML, "");
    item("titlepage", TITLE_PAGE, XHTML, "");
    for chapter in &plan.chapters {
        item(
            &chapter.id,
            &chapter.href,
            XHTML,
            &chapter.properties.join(" "),
        );
    }
    let cover = &plan.cover;
    item(&cover.id, &cover.href, cover.media_type, "cover-image");
    for image in plan.images.values() {
        item(&image.id, &image.href, image.media_type, "");
    }
    for font in &plan.fonts {
        item(&font.id, &font.href, font.media_type, "");
    }
    out.push_str("</manifest>\n");
}

fn spine(plan: &Plan, out: &mut String) {
    let direction = match plan.doc.metadata.direction {
        Direction::Rtl => "rtl",
        Direction::Ltr => "ltr",
    };
    let _ = writeln!(
        out,
        "<spine toc=\"ncx\" page-progression-direction=\"{direction}\">"
    );
    out.push_str("<itemref idref=\"cover\" linear=\"yes\"/>\n");
    out.push_str("<itemref idref=\"titlepage\"/>\n<itemref idref=\"nav\"/>\n");
    for chapter in &plan.chapters {
        let _ = writeln!(out, "<itemref idref=\"{}\"/>", escape(&chapter.id));
    }
    out.push_str("</spine>\n");
}
