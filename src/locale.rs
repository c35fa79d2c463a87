//! Words warraq itself puts into a book (headings of generated pages), in the
//! book's language.

/// Localized labels for generated matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Labels {
    /// Heading of the table of contents.
    pub contents: &'static str,
    /// Heading of a chapter's notes.
    pub notes: &'static str,
    pub cover: &'static str,
    pub title_page: &'static str,
}

/// Labels for a BCP 47 language tag, by its primary subtag; English otherwise.
pub fn labels(language: &str) -> Labels {
    let primary = language.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    match primary.as_str() {
        "ar" => Labels {
            contents: "المحتويات",
            notes: "الحواشي",
            cover: "الغلاف",
            title_page: "صفحة العنوان",
        },
        "fa" => Labels {
            contents: "فهرست مطالب",
            notes: "یادداشت‌ها",
            cover: "جلد",
            title_page: "صفحهٔ عنوان",
        },
        "ur" => Labels {
            contents: "فہرست",
            notes: "حواشی",
            cover: "سرورق",
            title_page: "صفحۂ عنوان",
        },
        "fr" => Labels {
            contents: "Table des matières",
            notes: "Notes",
            cover: "Couverture",
            title_page: "Page de titre",
        },
        _ => Labels {
            contents: "Contents",
            notes: "Notes",
            cover: "Cover",
            title_page: "Title page",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_by_primary_subtag() {
        assert_eq!(labels("ar-MA").contents, "المحتويات");
        assert_eq!(labels("fr").contents, "Table des matières");
        assert_eq!(labels("de").contents, "Contents");
    }
}
