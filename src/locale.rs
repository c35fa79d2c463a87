//! The few words warraq adds to a book itself (the contents heading, landmark
//! labels, the accessibility summary), in the book's language; shared by the
//! EPUB writer and the print layout. And what a language tag says: whether
//! it is registered, its direction, its script.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::LazyLock;

use crate::doc::Direction;
use unicode_script::{Script, ScriptExtension, UnicodeScript};

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
    /// Heading of the (hidden) list of the print edition's pages.
    pub pages: &'static str,
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
    /// The Gregorian months' names, January first.
    pub months: [&'static str; 12],
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

    /// What a task's check box says in words, done or not.
    pub fn task(&self, done: bool) -> &'static str {
        if done { self.task_done } else { self.task_open }
    }
}

const ENGLISH: Strings = Strings {
    lang: "en",
    contents: "Contents",
    cover: "Cover",
    title_page: "Title Page",
    start: "Start of Content",
    landmarks: "Landmarks",
    pages: "Pages",
    notes: "Notes",
    list_separator: ", ",
    back_to_text: "Back to text",
    accessibility_summary: "Reflowable text with a logical reading order, structured headings \
        and a table of contents.",
    task_done: "Done",
    task_open: "To do",
    callouts: ["Note", "Tip", "Important", "Warning", "Caution"],
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
};

const TABLE: &[Strings] = &[
    Strings {
        lang: "ar",
        contents: "المحتويات",
        cover: "الغلاف",
        title_page: "صفحة العنوان",
        start: "بداية النص",
        landmarks: "معالم الكتاب",
        pages: "الصفحات",
        notes: "الحواشي",
        list_separator: "، ",
        back_to_text: "العودة إلى النص",
        accessibility_summary: "نص قابل لإعادة التدفق بترتيب قراءة منطقي، مع عناوين منظمة \
            وجدول للمحتويات.",
        task_done: "منجز",
        task_open: "غير منجز",
        callouts: ["ملاحظة", "نصيحة", "مهم", "تحذير", "تنبيه"],
        months: [
            "يناير",
            "فبراير",
            "مارس",
            "أبريل",
            "مايو",
            "يونيو",
            "يوليو",
            "أغسطس",
            "سبتمبر",
            "أكتوبر",
            "نوفمبر",
            "ديسمبر",
        ],
    },
    Strings {
        lang: "fa",
        contents: "فهرست مطالب",
        cover: "جلد",
        title_page: "صفحهٔ عنوان",
        start: "آغاز متن",
        landmarks: "نشانه‌ها",
        pages: "صفحه‌ها",
        notes: "یادداشت‌ها",
        list_separator: "، ",
        back_to_text: "بازگشت به متن",
        accessibility_summary: "متن قابل جریان مجدد با ترتیب خواندن منطقی، سرفصل‌های ساختاریافته \
            و فهرست مطالب.",
        task_done: "انجام‌شده",
        task_open: "انجام‌نشده",
        callouts: ["یادداشت", "نکته", "مهم", "هشدار", "احتیاط"],
        months: [
            "ژانویه",
            "فوریه",
            "مارس",
            "آوریل",
            "مه",
            "ژوئن",
            "ژوئیه",
            "اوت",
            "سپتامبر",
            "اکتبر",
            "نوامبر",
            "دسامبر",
        ],
    },
    Strings {
        lang: "ur",
        contents: "فہرست",
        cover: "سرورق",
        title_page: "صفحۂ عنوان",
        start: "متن کا آغاز",
        landmarks: "نشانات",
        pages: "صفحات",
        notes: "حواشی",
        list_separator: "، ",
        back_to_text: "متن پر واپس",
        accessibility_summary: "منطقی ترتیبِ مطالعہ، منظم سرخیوں اور فہرست کے ساتھ قابلِ \
            ترتیبِ نو متن۔",
        task_done: "مکمل",
        task_open: "نامکمل",
        callouts: ["نوٹ", "مشورہ", "اہم", "انتباہ", "احتیاط"],
        months: [
            "جنوری",
            "فروری",
            "مارچ",
            "اپریل",
            "مئی",
            "جون",
            "جولائی",
            "اگست",
            "ستمبر",
            "اکتوبر",
            "نومبر",
            "دسمبر",
        ],
    },
    ENGLISH,
    Strings {
        lang: "fr",
        contents: "Table des matières",
        cover: "Couverture",
        title_page: "Page de titre",
        start: "Début du texte",
        landmarks: "Repères",
        pages: "Pages",
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
        months: [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
    },
];

/// The months as Morocco names them (French-derived), for `ar-MA`.
const MOROCCAN_MONTHS: [&str; 12] = [
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "ماي",
    "يونيو",
    "يوليوز",
    "غشت",
    "شتنبر",
    "أكتوبر",
    "نونبر",
    "دجنبر",
];

/// The day `timestamp` falls on, written out for `language` in
/// `numerals`: "1 December 2026", «1 ديسمبر 2026» (`ar-MA`: «1 دجنبر 2026»).
pub fn date_text(language: &str, numerals: crate::doc::Numerals, timestamp: i64) -> String {
    let day = crate::time::Civil::clamped(timestamp, 1, 9999);
    let mut subtags = language.split(['-', '_']);
    let primary = subtags.next().unwrap_or("");
    let moroccan = primary.eq_ignore_ascii_case("ar")
        && subtags.any(|subtag| subtag.eq_ignore_ascii_case("MA"));
    let months = if moroccan {
        &MOROCCAN_MONTHS
    } else {
        &strings_for(language).months
    };
    let month = months[usize::from(day.month.clamp(1, 12)) - 1];
    format!(
        "{} {month} {}",
        numerals.format(u64::from(day.day)),
        numerals.format(day.year.unsigned_abs())
    )
}

/// Strings for a BCP 47 tag (matched on its primary subtag); English when
/// the language is not in the table.
pub fn strings_for(language: &str) -> &'static Strings {
    let primary = language.split(['-', '_']).next().unwrap_or("");
    TABLE
        .iter()
        .find(|s| s.lang.eq_ignore_ascii_case(primary))
        .unwrap_or(&ENGLISH)
}

/// Languages whose usual script is written right to left (primary subtag,
/// ISO 15924 script): the one list the book's direction and its default
/// justification come from. A script subtag in the tag wins (`az-Arab`,
/// `sd-Deva`).
const RIGHT_TO_LEFT_LANGUAGES: &[(&str, &str)] = &[
    ("ar", "Arab"),
    ("fa", "Arab"),
    ("ur", "Arab"),
    ("ps", "Arab"),
    ("sd", "Arab"),
    ("ug", "Arab"),
    ("ckb", "Arab"),
    ("ks", "Arab"),
    ("he", "Hebr"),
    ("yi", "Hebr"),
    ("dv", "Thaa"),
    ("syr", "Syrc"),
];

/// Scripts written right to left (ISO 15924).
const RIGHT_TO_LEFT_SCRIPTS: &[&str] = &[
    "Arab", "Aran", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg", "Samr", "Mand", "Yezi",
];

/// The script a language tag is written in, when warraq can tell: its
/// script subtag, else the usual script of a right-to-left language.
fn script_of(language: &str) -> Option<&str> {
    let mut subtags = language.split(['-', '_']);
    let primary = subtags.next().unwrap_or("");
    let named = subtags
        .take_while(|s| s.len() != 1)
        .find(|s| s.len() == 4 && s.bytes().all(|b| b.is_ascii_alphabetic()));
    named.or_else(|| {
        RIGHT_TO_LEFT_LANGUAGES
            .iter()
            .find(|(l, _)| l.eq_ignore_ascii_case(primary))
            .map(|&(_, script)| script)
    })
}

/// The reading direction of a BCP 47 language tag.
pub fn direction_of(language: &str) -> Direction {
    match script_of(language) {
        Some(script)
            if RIGHT_TO_LEFT_SCRIPTS
                .iter()
                .any(|s| s.eq_ignore_ascii_case(script)) =>
        {
            Direction::Rtl
        }
        _ => Direction::Ltr,
    }
}

/// The script a book in `language` is written in (ISO 15924): its script
/// subtag or a right-to-left language's usual script, else Cyrillic or
/// Greek for the languages written in them, else Latin.
pub fn home_script(language: &str) -> Script {
    let primary = language.split(['-', '_']).next().unwrap_or("");
    script_of(language)
        .and_then(Script::from_short_name)
        .unwrap_or(match primary.to_ascii_lowercase().as_str() {
            "ru" | "uk" | "be" | "bg" | "mk" | "sr" | "kk" | "ky" | "tg" | "mn" => Script::Cyrillic,
            "el" => Script::Greek,
            _ => Script::Latin,
        })
}

/// The language of words in `script` inside a book's text: the book's
/// `[book] script_languages` for it, else the script's most read language
/// (`en` for Latin, `ru` for Cyrillic, `ar`, `he`, `el`), else the language
/// undetermined in that script (`und-Latn`).
pub fn language_of_script(script: Script, chosen: &BTreeMap<String, String>) -> String {
    let code = script.short_name();
    if let Some(language) = chosen.get(code) {
        return language.clone();
    }
    let usual = match script {
        Script::Latin => "en",
        Script::Cyrillic => "ru",
        Script::Arabic => "ar",
        Script::Hebrew => "he",
        Script::Greek => "el",
        _ => return format!("und-{code}"),
    };
    usual.to_string()
}

/// The language of text whose letters (`letters`) are all of one script
/// other than `home` ([`language_of_script`]); `None` when a letter is of
/// `home`, when they are of two scripts, or when there is none.
pub fn other_language(
    letters: impl IntoIterator<Item = char>,
    home: Script,
    chosen: &BTreeMap<String, String>,
) -> Option<String> {
    let mut found = None;
    for c in letters {
        match script(c) {
            Script::Common | Script::Inherited | Script::Unknown => {}
            s if s == home => return None,
            s if found.is_some_and(|f| f != s) => return None,
            s => found = Some(s),
        }
    }
    found.map(|script| language_of_script(script, chosen))
}

/// Whether `script` is written right to left.
pub fn is_right_to_left(script: Script) -> bool {
    RIGHT_TO_LEFT_SCRIPTS.contains(&script.short_name())
}

/// The stretches of `text` in another script than `home`: each from its
/// first letter to its last in that script, with what lies between two of
/// them (spaces, punctuation, digits) when they are of the same script, and
/// the marks on its letters.
pub fn other_script_runs(text: &str, home: Script) -> Vec<(Range<usize>, Script)> {
    let mut runs: Vec<(Range<usize>, Script)> = Vec::new();
    let mut open: Option<(Range<usize>, Script)> = None;
    for (at, c) in text.char_indices() {
        let end = at + c.len_utf8();
        match script(c) {
            Script::Inherited => {
                if let Some((range, _)) = open.as_mut().filter(|(r, _)| r.end == at) {
                    range.end = end;
                }
            }
            Script::Common | Script::Unknown => {}
            script if script == home => runs.extend(open.take()),
            script => match open.as_mut() {
                Some((range, s)) if *s == script => range.end = end,
                _ => {
                    runs.extend(open.take());
                    open = Some((at..end, script));
                }
            },
        }
    }
    runs.extend(open);
    runs
}

/// Code points below this have a property asked for every character of a
/// book in a table ([`property_table`]): Latin, Greek, Cyrillic, Armenian,
/// Hebrew, Arabic, Syriac, Thaana and N'Ko.
const TABLED_CODE_POINTS: u32 = 0x800;

/// `property` of each code point below [`TABLED_CODE_POINTS`], worked out
/// once: Unicode's own tables are binary searches.
pub fn property_table<T>(property: fn(char) -> T) -> Vec<T> {
    (0..TABLED_CODE_POINTS)
        .filter_map(char::from_u32)
        .map(property)
        .collect()
}

/// `property` of `c`, from `table` (its [`property_table`]) where it can.
pub fn tabled<T: Copy>(table: &[T], c: char, property: fn(char) -> T) -> T {
    table
        .get(c as usize)
        .copied()
        .unwrap_or_else(|| property(c))
}

/// A character's Script and Script_Extensions properties.
#[derive(Clone, Copy)]
pub struct Scripts {
    pub script: Script,
    pub extensions: ScriptExtension,
}

impl Scripts {
    /// Those of `c`, looked up in Unicode's tables.
    pub fn of(c: char) -> Self {
        Scripts {
            script: c.script(),
            extensions: c.script_extension(),
        }
    }

    /// Those of `c` from [`FIRST_SCRIPTS`], if it is below
    /// [`TABLED_CODE_POINTS`].
    pub fn tabled(c: char) -> Option<Self> {
        FIRST_SCRIPTS.get(c as usize).copied()
    }
}

/// [`Scripts`] of the code points below [`TABLED_CODE_POINTS`]: the EPUB
/// asks for the script of every character of the book, and itemizing for
/// those of every paragraph's.
static FIRST_SCRIPTS: LazyLock<Vec<Scripts>> = LazyLock::new(|| property_table(Scripts::of));

/// A character's Script property.
fn script(c: char) -> Script {
    // Not `tabled(.., Scripts::of)`: past the table only the Script is
    // looked up, not Script_Extensions too.
    Scripts::tabled(c).map_or_else(|| c.script(), |scripts| scripts.script)
}

/// Whether a language tag is written in Arabic script (kashida justifies it).
pub fn is_arabic_script(language: &str) -> bool {
    script_of(language).is_some_and(|s| s.eq_ignore_ascii_case("Arab"))
}

/// Why `language` in `book.toml` is not a registered BCP 47 tag, if it is
/// not: the tag is checked against the IANA Language Subtag Registry.
pub fn invalid_language_tag(tag: &str) -> Option<String> {
    let reason = match language_tags::LanguageTag::parse(tag) {
        Ok(parsed) => parsed.validate().err()?.to_string(),
        Err(e) => e.to_string(),
    };
    let hint = match suggested_tag(tag) {
        Some(code) => format!("did you mean `language = \"{code}\"`?"),
        None => "write a tag like `ar`, `ar-MA`, `fa`, `en-GB`".to_string(),
    };
    Some(format!(
        "`language = \"{tag}\"` in book.toml is not a BCP 47 language tag ({reason}); {hint}"
    ))
}

/// Whether `tag` is a BCP 47 tag of subtags in the IANA registry.
pub fn is_language_tag(tag: &str) -> bool {
    language_tags::LanguageTag::parse(tag).is_ok_and(|t| t.validate().is_ok())
}

/// Names people write for a language instead of its tag, in English and in
/// the language itself (lower case).
const LANGUAGE_NAMES: &[(&str, &[&str])] = &[
    ("ar", &["arabic", "العربية", "عربي", "عربية"]),
    ("en", &["english"]),
    ("fr", &["french", "français", "francais"]),
    ("fa", &["persian", "farsi", "فارسی", "فارسي"]),
    ("ur", &["urdu", "اردو", "اُردو"]),
    ("he", &["hebrew", "עברית"]),
    ("ru", &["russian", "русский"]),
    ("kk", &["kazakh", "қазақ", "қазақша", "қазақ тілі"]),
    ("es", &["spanish", "español", "espanol"]),
    ("de", &["german", "deutsch"]),
];

/// A registered tag for what the user meant: the code of a language name,
/// or the tag with `_` written as `-` (`ar_MA`).
fn suggested_tag(tag: &str) -> Option<String> {
    let name = tag.trim().to_lowercase();
    if let Some((code, _)) = LANGUAGE_NAMES
        .iter()
        .find(|(_, names)| names.contains(&name.as_str()))
    {
        return Some(code.to_string());
    }
    let dashed = tag.replace('_', "-");
    (dashed != tag && is_language_tag(&dashed)).then_some(dashed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions() {
        assert_eq!(direction_of("ar"), Direction::Rtl);
        assert_eq!(direction_of("ar-EG"), Direction::Rtl);
        assert_eq!(direction_of("CKB"), Direction::Rtl);
        assert_eq!(direction_of("fa-IR"), Direction::Rtl);
        assert_eq!(direction_of("he"), Direction::Rtl);
        assert_eq!(direction_of("az-Arab"), Direction::Rtl);
        assert_eq!(direction_of("sd-Deva"), Direction::Ltr);
        assert_eq!(direction_of("en"), Direction::Ltr);
        assert_eq!(direction_of("fr-CA"), Direction::Ltr);
        assert_eq!(direction_of("arn"), Direction::Ltr);
        assert!(is_arabic_script("ur-PK"));
        assert!(!is_arabic_script("he"));
    }

    #[test]
    fn language_tags_are_checked_against_the_registry() {
        for good in [
            "ar",
            "AR",
            "ar-MA",
            "en-GB",
            "zh-Hant-TW",
            "fa",
            "kk-Cyrl",
            "x-private",
        ] {
            assert_eq!(invalid_language_tag(good), None, "{good}");
        }
        let arabic = invalid_language_tag("arabic").unwrap();
        assert!(arabic.contains("`language = \"ar\"`"), "{arabic}");
        let farsi = invalid_language_tag("Farsi").unwrap();
        assert!(farsi.contains("`language = \"fa\"`"), "{farsi}");
        let underscore = invalid_language_tag("ar_MA").unwrap();
        assert!(
            underscore.contains("`language = \"ar-MA\"`"),
            "{underscore}"
        );
        for bad in ["a", "ar-", "\"><x", "xx", "en-ZZZ", "العربية"] {
            assert!(invalid_language_tag(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn matches_primary_subtag() {
        assert_eq!(strings_for("ar").contents, "المحتويات");
        assert_eq!(strings_for("ar-MA").contents, "المحتويات");
        assert_eq!(strings_for("FR-ca").lang, "fr");
        assert_eq!(strings_for("de").lang, "en");
        assert_eq!(strings_for("").lang, "en");
    }
}

#[cfg(test)]
mod date_tests {
    use super::date_text;
    use crate::doc::Numerals;

    #[test]
    fn dates_are_written_out_in_the_books_language_and_digits() {
        // 2026-12-01 00:00 UTC.
        let day = 1_796_083_200;
        assert_eq!(date_text("en", Numerals::Western, day), "1 December 2026");
        assert_eq!(
            date_text("fr-FR", Numerals::Western, day),
            "1 décembre 2026"
        );
        assert_eq!(date_text("ar", Numerals::Western, day), "1 ديسمبر 2026");
        assert_eq!(date_text("ar-MA", Numerals::Western, day), "1 دجنبر 2026");
        assert_eq!(date_text("ar", Numerals::ArabicIndic, day), "١ ديسمبر ٢٠٢٦");
        // A language without month names of its own: English.
        assert_eq!(date_text("kk", Numerals::Western, day), "1 December 2026");
    }
}
