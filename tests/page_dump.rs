//! Snapshot tests of the page model: small fixed books laid out and dumped
//! as text (`warraq::layout::dump`: per line its baseline, justification,
//! width against the measure, kashidas, how it ends and its text), compared
//! with `tests/snapshots/*.txt`.
//!
//! `WARRAQ_UPDATE_REFS=1 cargo test --release --test suite -- page_dump::`
//! rewrites the snapshots.

use crate::common;

use common::refs;

const ARABIC_BOOK: &[(&str, &str)] = &[
    (
        "book.toml",
        "[book]\ntitle = \"فقرات\"\nauthors = [\"ورّاق\"]\nlanguage = \"ar\"\n",
    ),
    (
        "01.md",
        "# فقرات للتجربة\n\n\
         شهدت العلاقات الثنائية بين المغرب وكازاخستان دينامية دبلوماسية ملحوظة خلال السنوات الأخيرة، \
         حيث تبادل البلدان الزيارات الرسمية ووقعا اتفاقيات في مجالات الطاقة والفلاحة والتعليم العالي، \
         وأكدا حرصهما على تعزيز التشاور السياسي والتنسيق في المحافل الدولية.[^1]\n\n\
         وتسعى السياسة الخارجية المغربية إلى بناء شراكات متوازنة مع البلدان الصديقة في آسيا الوسطى، \
         مستندة إلى رصيد تاريخي مشترك يعود إلى رحلات العلماء والتجار عبر طرق القوافل.\n\n\
         فقرة قصيرة.\n\n\
         [^1]: محضر اللجنة المشتركة، الدورة الثالثة.\n",
    ),
];

const ENGLISH_BOOK: &[(&str, &str)] = &[
    (
        "book.toml",
        "[book]\ntitle = \"Paragraphs\"\nauthors = [\"Warraq\"]\nlanguage = \"en\"\n",
    ),
    (
        "01.md",
        "# Paragraphs for Testing\n\n\
         The intergovernmental commission met in the capital to review the implementation of the \
         agreements signed during the previous administration. Representatives emphasised that \
         telecommunications infrastructure and interoperability between national registries remain \
         indispensable prerequisites for cooperation.[^1]\n\n\
         Notwithstanding considerable geographical distances, the two governments have established \
         institutionalised consultations on counterterrorism and nonproliferation.\n\n\
         A short paragraph.\n\n\
         [^1]: Minutes of the joint commission, third session.\n",
    ),
];

fn check(name: &str, files: &[(&str, &str)]) {
    let files: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (*n, t.as_bytes())).collect();
    let dir = common::folder(&files);
    let typeset = common::typeset(dir.path());
    let dump = warraq::layout::dump::dump(&typeset.pages, &typeset.document);
    if let Err(e) = refs::check_text(name, &dump) {
        panic!("{e}");
    }
}

#[test]
fn arabic_paragraphs_dump_as_their_snapshot() {
    check("arabic-paragraphs", ARABIC_BOOK);
}

#[test]
fn english_paragraphs_dump_as_their_snapshot() {
    check("english-paragraphs", ENGLISH_BOOK);
}
