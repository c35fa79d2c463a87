//! The few words warraq adds to a book itself (the contents heading, landmark
//! labels, the accessibility summary), in the book's language; shared by the
//! EPUB writer and the print layout.

use crate::doc::CalloutKind;

/// Fixed strings in one language.
#[derive(Debug)]
pub struct Strings {
    /// Primary language subtag these strings are for.
    pub lang: &'static str,
    /// Heading of the table of contents.
    pub contents: &'static str,
    pub cover: &'static str,
    pub title_page: &'static str,
    /// Landmark label of the first chapter.
    pub start: &'static str,
    /// Heading of the (hidden) landmarks navigation.
    pub landmarks: &'static str,
    /// Accessible name of a chapter's block of footnotes.
    pub notes: &'static str,
    /// Between names in a list of authors.
    pub list_separator: &'static str,
    /// Accessible name of a footnote's link back to its reference.
    pub back_to_text: &'static str,
    /// `schema:accessibilitySummary`.
    pub accessibility_summary: &'static str,
    /// Accessible names of a task list's check boxes.
    pub task_done: &'static str,
    pub task_open: &'static str,
    /// Labels of GitHub alerts: note, tip, important, warning, caution.
    pub callouts: [&'static str; 5],
}

impl Strings {
    /// The label a callout of `kind` opens with.
    pub fn callout(&self, kind: CalloutKind) -> &'static str {
        let index = match kind {
            CalloutKind::Note => 0,
            CalloutKind::Tip => 1,
            CalloutKind::Important => 2,
            CalloutKind::Warning => 3,
            CalloutKind::Caution => 4,
        };
        self.callouts[index]
    }
}

const ENGLISH: Strings = Strings {
    lang: "en",
    contents: "Contents",
    cover: "Cover",
    title_page: "Title Page",
    start: "Start of Content",
    landmarks: "Landmarks",
    notes: "Notes",
    list_separator: ", ",
    back_to_text: "Back to text",
    accessibility_summary: "Reflowable text with a logical reading order, structured headings \
        and a table of contents.",
    task_done: "Done",
    task_open: "To do",
    callouts: ["Note", "Tip", "Important", "Warning", "Caution"],
};

const TABLE: &[Strings] = &[
    Strings {
        lang: "ar",
        contents: "المحتويات",
        cover: "الغلاف",
        title_page: "صفحة العنوان",
        start: "بداية النص",
        landmarks: "معالم الكتاب",
        notes: "الحواشي",
        list_separator: "، ",
        back_to_text: "العودة إلى النص",
        accessibility_summary: "نص قابل لإعادة التدفق بترتيب قراءة منطقي، مع عناوين منظمة \
            وجدول للمحتويات.",
        task_done: "منجز",
        task_open: "غير منجز",
        callouts: ["ملاحظة", "نصيحة", "مهم", "تحذير", "تنبيه"],
    },
    Strings {
        lang: "fa",
        contents: "فهرست مطالب",
        cover: "جلد",
        title_page: "صفحهٔ عنوان",
        start: "آغاز متن",
        landmarks: "نشانه‌ها",
        notes: "یادداشت‌ها",
        list_separator: "، ",
        back_to_text: "بازگشت به متن",
        accessibility_summary: "متن قابل جریان مجدد با ترتیب خواندن منطقی، سرفصل‌های ساختاریافته \
            و فهرست مطالب.",
        task_done: "انجام‌شده",
        task_open: "انجام‌نشده",
        callouts: ["یادداشت", "نکته", "مهم", "هشدار", "احتیاط"],
    },
    Strings {
        lang: "ur",
        contents: "فہرست",
        cover: "سرورق",
        title_page: "صفحۂ عنوان",
        start: "متن کا آغاز",
        landmarks: "نشانات",
        notes: "حواشی",
        list_separator: "، ",
        back_to_text: "متن پر واپس",
        accessibility_summary: "منطقی ترتیبِ مطالعہ، منظم سرخیوں اور فہرست کے ساتھ قابلِ \
            ترتیبِ نو متن۔",
        task_done: "مکمل",
        task_open: "نامکمل",
        callouts: ["نوٹ", "مشورہ", "اہم", "انتباہ", "احتیاط"],
    },
    ENGLISH,
    Strings {
        lang: "fr",
        contents: "Table des matières",
        cover: "Couverture",
        title_page: "Page de titre",
        start: "Début du texte",
        landmarks: "Repères",
        notes: "Notes",
        list_separator: ", ",
        back_to_text: "Retour au texte",
        accessibility_summary: "Texte recomposable, avec un ordre de lecture logique, des titres \
            structurés et une table des matières.",
        task_done: "Fait",
        task_open: "À faire",
        callouts: [
            "Remarque",
            "Astuce",
            "Important",
            "Avertissement",
            "Attention",
        ],
    },
];

/// Strings for a BCP 47 tag (matched on its primary subtag); English when
/// the language is not in the table.
pub fn strings_for(language: &str) -> &'static Strings {
    let primary = language.split(['-', '_']).next().unwrap_or("");
    TABLE
        .iter()
        .find(|s| s.lang.eq_ignore_ascii_case(primary))
        .unwrap_or(&ENGLISH)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_primary_subtag() {
        assert_eq!(strings_for("ar").contents, "المحتويات");
        assert_eq!(strings_for("ar-MA").contents, "المحتويات");
        assert_eq!(strings_for("FR-ca").lang, "fr");
        assert_eq!(strings_for("de").lang, "en");
        assert_eq!(strings_for("").lang, "en");
    }
}
