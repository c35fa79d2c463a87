//! The raw-HTML sanitizer.
//!
//! Raw HTML in a chapter is kept only as well-formed XHTML made of a short
//! whitelist of harmless elements and attributes, re-serialized by us (so
//! text is escaped and attributes are quoted). Anything else is removed with
//! a warning:
//!
//! * dangerous elements (`<script>`, `<style>`, `<iframe>`, `<img>`…) are
//!   removed together with their content;
//! * other unknown elements (`<a>`, `<font>`…) lose their tags, their content
//!   is kept;
//! * attributes outside the whitelist (`on*`, `style`, `href`…) are removed;
//! * a fragment that is not well-formed is shown as text, as written;
//! * CDATA sections (which browsers do not show) are removed;
//! * comments are dropped silently.
//!
//! Where a block element's tags go (`<details>`, `<summary>`…), a space
//! stays, so the words on either side are not glued together.
//!
//! quick-xml does the tokenizing; HTML void elements (`<br>`, `<hr>`) are
//! accepted without a closing slash.

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

use crate::xml::push_escaped;

/// Elements allowed inside text (phrasing content).
const PHRASING: &[&str] = &[
    "span", "br", "em", "strong", "b", "i", "u", "s", "sub", "sup", "small", "mark", "abbr",
    "cite", "q", "bdi", "bdo", "kbd", "samp", "var", "code", "dfn", "time", "ruby", "rt", "rp",
];

/// Allowed elements that are blocks (flow content only).
const FLOW: &[&str] = &[
    "p",
    "div",
    "hr",
    "blockquote",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "figure",
    "figcaption",
    "section",
    "aside",
    "header",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
];

/// Allowed elements whose content must be phrasing only.
const PHRASING_PARENTS: &[&str] = &["p", "h1", "h2", "h3", "h4", "h5", "h6"];

/// Elements removed together with everything inside them.
const DANGEROUS: &[&str] = &[
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "applet",
    "noscript",
    "template",
    "svg",
    "math",
    "textarea",
    "select",
    "option",
    "button",
    "form",
    "input",
    "frame",
    "frameset",
    "noframes",
    "head",
    "title",
    "meta",
    "link",
    "base",
    "img",
    "image",
    "video",
    "audio",
    "source",
    "track",
    "canvas",
    "picture",
    "param",
    "xmp",
    "plaintext",
    "noembed",
    "portal",
    "slot",
    "area",
    "map",
];

/// HTML block elements outside the whitelist: their tags are removed, but
/// they still separate words.
const UNSUPPORTED_BLOCKS: &[&str] = &[
    "address", "article", "center", "details", "dialog", "dir", "fieldset", "hgroup", "legend",
    "listing", "main", "menu", "nav", "pre", "search", "summary",
];

/// Whether the tags of element `name` separate words (a block, or `<br>`):
/// text on either side of them is not one word.
pub fn separates_words(name: &str) -> bool {
    name == "br" || FLOW.contains(&name) || UNSUPPORTED_BLOCKS.contains(&name)
}

/// HTML elements that never have content or a closing tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Named character references understood besides XML's five.
const ENTITIES: &[(&str, &str)] = &[
    ("nbsp", "\u{a0}"),
    ("ensp", "\u{2002}"),
    ("emsp", "\u{2003}"),
    ("thinsp", "\u{2009}"),
    ("zwnj", "\u{200c}"),
    ("zwj", "\u{200d}"),
    ("lrm", "\u{200e}"),
    ("rlm", "\u{200f}"),
    ("shy", "\u{ad}"),
    ("ndash", "–"),
    ("mdash", "—"),
    ("hellip", "…"),
    ("laquo", "«"),
    ("raquo", "»"),
    ("lsquo", "‘"),
    ("rsquo", "’"),
    ("ldquo", "“"),
    ("rdquo", "”"),
    ("sbquo", "‚"),
    ("bdquo", "„"),
    ("copy", "©"),
    ("reg", "®"),
    ("trade", "™"),
    ("deg", "°"),
    ("middot", "·"),
    ("bull", "•"),
    ("times", "×"),
    ("divide", "÷"),
    ("plusmn", "±"),
    ("para", "¶"),
    ("sect", "§"),
    ("euro", "€"),
    ("pound", "£"),
    ("yen", "¥"),
    ("cent", "¢"),
    ("frac12", "½"),
    ("frac14", "¼"),
    ("frac34", "¾"),
    ("larr", "←"),
    ("rarr", "→"),
    ("uarr", "↑"),
    ("darr", "↓"),
    ("harr", "↔"),
    ("iexcl", "¡"),
    ("iquest", "¿"),
];

fn resolve_entity(name: &str) -> Option<&'static str> {
    quick_xml::escape::resolve_predefined_entity(name)
        .or_else(|| ENTITIES.iter().find(|(n, _)| *n == name).map(|(_, v)| *v))
}

/// What to do with an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Allowed, phrasing content.
    Phrasing,
    /// Allowed, block-level only.
    Flow,
    /// Removed with its content.
    Dangerous,
    /// Tags removed, content kept.
    Unknown,
}

pub(crate) fn classify(name: &str) -> Class {
    if PHRASING.contains(&name) {
        Class::Phrasing
    } else if FLOW.contains(&name) {
        Class::Flow
    } else if DANGEROUS.contains(&name) {
        Class::Dangerous
    } else {
        Class::Unknown
    }
}

pub(crate) fn is_void(name: &str) -> bool {
    VOID.contains(&name)
}

/// A problem found in a fragment: a message, and the byte offset in the
/// fragment it concerns (to turn into a line).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Issue {
    pub message: String,
    pub offset: usize,
}

/// Sanitizes a block of raw HTML. `None` when it is not well-formed (an
/// issue says why: the caller shows it as text); otherwise the XHTML kept,
/// possibly empty.
pub(crate) fn sanitize_block(raw: &str, issues: &mut Vec<Issue>) -> Option<String> {
    let mut reader = Reader::from_str(raw);
    configure(&mut reader);
    let mut state = Sanitizer {
        out: String::new(),
        stack: Vec::new(),
        dropping: 0,
        phrasing_parents: 0,
        kept: 0,
        depth_warned: false,
        issues,
    };
    loop {
        let offset = usize::try_from(reader.buffer_position()).unwrap_or(0);
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                let at = usize::try_from(reader.error_position()).unwrap_or(offset);
                state.fail(format!("it is not well-formed ({e})"), at);
                return None;
            }
        };
        let ok = match event {
            Event::Eof => break,
            Event::Start(start) => {
                let name = lower_name(&start);
                let has_content = !is_void(&name);
                state.open(name, &start, has_content, offset)
            }
            Event::Empty(start) => state.open(lower_name(&start), &start, false, offset),
            Event::End(end) => {
                let name = end.name().as_ref().to_ascii_lowercase();
                state.close(&name, offset)
            }
            Event::Text(text) => state.text(&text.xml10_content(), offset),
            Event::CData(_) => {
                if state.dropping == 0 {
                    state.issues.push(Issue {
                        message: "raw HTML: a `<![CDATA[…]]>` section was removed (browsers do not show it)".to_string(),
                        offset,
                    });
                }
                true
            }
            Event::GeneralRef(reference) => {
                let resolved = match reference.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    Ok(None) => resolve_entity(&reference).map(str::to_string),
                    Err(_) => None,
                };
                match resolved {
                    Some(text) => state.text(&text, offset),
                    None => {
                        state.fail(
                            format!("unknown character reference `&{};`", &*reference),
                            offset,
                        );
                        false
                    }
                }
            }
            Event::Comment(_) => true,
            Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {
                if state.dropping == 0 {
                    state.issues.push(Issue {
                        message: "raw HTML: `<?…?>` / `<!…>` declaration removed".to_string(),
                        offset,
                    });
                }
                true
            }
        };
        if !ok {
            return None;
        }
    }
    if let Some(open) = state.stack.last() {
        let message = format!("it is not well-formed (`<{}>` is never closed)", open.name);
        state.fail(message, raw.len());
        return None;
    }
    Some(state.out)
}

struct Sanitizer<'i> {
    out: String,
    stack: Vec<Open>,
    /// Number of open elements being removed with their content.
    dropping: usize,
    /// Number of open kept elements whose content must be phrasing.
    phrasing_parents: usize,
    /// Number of open kept elements.
    kept: usize,
    depth_warned: bool,
    issues: &'i mut Vec<Issue>,
}

impl Sanitizer<'_> {
    fn fail(&mut self, why: String, offset: usize) {
        self.issues.push(Issue {
            message: format!("raw HTML shown as text, as written: {why}"),
            offset,
        });
    }

    /// Text; false when it sits where XHTML allows no text (directly in a
    /// list, table or row).
    fn text(&mut self, text: &str, offset: usize) -> bool {
        if self.dropping > 0 {
            return true;
        }
        if let Some(parent) = self.kept_parent()
            && NO_TEXT.contains(&parent)
            && !text.chars().all(char::is_whitespace)
        {
            let message = format!("it is not valid XHTML (text directly inside `<{parent}>`)");
            self.fail(message, offset);
            return false;
        }
        push_escaped(&mut self.out, text);
        true
    }

    /// A start tag; `has_content` is false for `<x/>` and void elements.
    /// Returns false when the fragment is not well-formed.
    fn open(&mut self, name: String, start: &BytesStart, has_content: bool, offset: usize) -> bool {
        if self.dropping > 0 {
            if has_content {
                self.stack.push(Open::new(name, Mode::Drop));
            }
            return true;
        }
        let mut mode = element_mode(&name, self.phrasing_parents > 0, offset, self.issues);
        if mode == Mode::Keep && has_content && self.kept >= MAX_DEPTH {
            if !self.depth_warned {
                self.depth_warned = true;
                self.issues.push(Issue {
                    message: format!(
                        "raw HTML nested more than {MAX_DEPTH} elements deep: the deeper tags were removed"
                    ),
                    offset,
                });
            }
            mode = Mode::Unwrap;
        }
        if mode == Mode::Keep {
            let parent = self.kept_parent();
            if let Err(why) = fits_in(&name, parent) {
                self.fail(why, offset);
                return false;
            }
            match start_tag(&name, start, offset, self.issues) {
                Ok(tag) if !has_required_attributes(&name, &tag) => {
                    self.issues.push(Issue {
                        message: format!(
                            "raw HTML: `<{name}>` needs a `dir` attribute; its tags were removed"
                        ),
                        offset,
                    });
                    mode = Mode::Unwrap;
                }
                Ok(tag) => {
                    self.out.push_str(&tag);
                    if !has_content {
                        self.out.push_str(&end_tag_for_empty(&name));
                    }
                }
                Err(issue) => {
                    self.issues.push(issue);
                    return false;
                }
            }
        }
        if mode == Mode::Unwrap && separates_words(&name) {
            self.out.push(' ');
        }
        if has_content {
            match mode {
                Mode::Drop => self.dropping += 1,
                Mode::Keep => {
                    self.kept += 1;
                    if needs_phrasing(&name) {
                        self.phrasing_parents += 1;
                    }
                }
                Mode::Unwrap => {}
            }
            self.stack.push(Open::new(name, mode));
        }
        true
    }

    /// The innermost element kept in the output (unwrapped ones vanish).
    fn kept_parent(&self) -> Option<&str> {
        self.stack
            .iter()
            .rev()
            .find(|o| o.mode == Mode::Keep)
            .map(|o| o.name.as_str())
    }

    /// An end tag. Returns false when it does not match the open element.
    fn close(&mut self, name: &str, offset: usize) -> bool {
        let Some(open) = self.stack.pop() else {
            self.fail(
                format!("it is not well-formed (`</{name}>` closes nothing)"),
                offset,
            );
            return false;
        };
        if open.name != name {
            self.fail(
                format!(
                    "it is not well-formed (`<{}>` is closed by `</{name}>`)",
                    open.name
                ),
                offset,
            );
            return false;
        }
        match open.mode {
            Mode::Drop => self.dropping -= 1,
            Mode::Keep => {
                self.kept -= 1;
                if needs_phrasing(name) {
                    self.phrasing_parents -= 1;
                }
                if self.dropping == 0 {
                    self.out.push_str("</");
                    self.out.push_str(name);
                    self.out.push('>');
                }
            }
            Mode::Unwrap if self.dropping == 0 && separates_words(name) => self.out.push(' '),
            Mode::Unwrap => {}
        }
        true
    }
}

/// Deepest nesting of kept elements in one fragment.
pub(crate) const MAX_DEPTH: usize = 64;

/// Elements that may not contain text (other than white space).
const NO_TEXT: &[&str] = &["ul", "ol", "dl", "table", "thead", "tbody", "tr"];

/// Whether an allowed element may appear inside the kept element `parent`
/// (`None`: at the top of the fragment), per the XHTML content model.
pub(crate) fn fits_in(name: &str, parent: Option<&str>) -> Result<(), String> {
    let needs: &[&str] = match name {
        "li" => &["ul", "ol"],
        "dt" | "dd" => &["dl", "div"],
        "tr" => &["table", "thead", "tbody"],
        "td" | "th" => &["tr"],
        "thead" | "tbody" | "caption" => &["table"],
        "figcaption" => &["figure"],
        "rt" | "rp" => &["ruby"],
        _ => &[],
    };
    if !needs.is_empty() && !parent.is_some_and(|p| needs.contains(&p)) {
        return Err(format!(
            "it is not valid XHTML (`<{name}>` must be inside `<{}>`)",
            needs.join(">` or `<")
        ));
    }
    let children: &[&str] = match parent {
        Some("ul" | "ol") => &["li"],
        Some("dl") => &["dt", "dd", "div"],
        Some("table") => &["caption", "thead", "tbody", "tr"],
        Some("thead" | "tbody") => &["tr"],
        Some("tr") => &["td", "th"],
        _ => &[],
    };
    match parent {
        Some(p) if !children.is_empty() && !children.contains(&name) => Err(format!(
            "it is not valid XHTML (`<{name}>` cannot be directly inside `<{p}>`)"
        )),
        _ => Ok(()),
    }
}

/// `<bdo>` means nothing without its `dir`.
pub(crate) fn has_required_attributes(name: &str, start_tag: &str) -> bool {
    name != "bdo" || start_tag.contains(" dir=\"")
}

/// Whether an allowed element's content must be phrasing only.
fn needs_phrasing(name: &str) -> bool {
    PHRASING_PARENTS.contains(&name) || classify(name) == Class::Phrasing
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Keep,
    Unwrap,
    Drop,
}

struct Open {
    name: String,
    mode: Mode,
}

impl Open {
    fn new(name: String, mode: Mode) -> Self {
        Open { name, mode }
    }
}

fn configure(reader: &mut Reader<&[u8]>) {
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.check_comments = false;
    config.expand_empty_elements = false;
    config.trim_text(false);
}

fn lower_name(start: &BytesStart) -> String {
    start.name().as_ref().to_ascii_lowercase()
}

/// Decides whether an element is kept, unwrapped or dropped, with a warning
/// for the latter two.
fn element_mode(name: &str, in_phrasing: bool, offset: usize, issues: &mut Vec<Issue>) -> Mode {
    match classify(name) {
        Class::Phrasing => Mode::Keep,
        Class::Flow if !in_phrasing => Mode::Keep,
        Class::Flow => {
            issues.push(Issue {
                message: format!(
                    "raw HTML: `<{name}>` cannot appear inside text; its tags were removed"
                ),
                offset,
            });
            Mode::Unwrap
        }
        Class::Dangerous => {
            issues.push(Issue {
                message: format!(
                    "raw HTML: `<{name}>` is not allowed in a book; it was removed with its content"
                ),
                offset,
            });
            Mode::Drop
        }
        Class::Unknown => {
            issues.push(Issue {
                message: format!(
                    "raw HTML: `<{name}>` is not supported; its tags were removed, its text kept"
                ),
                offset,
            });
            Mode::Unwrap
        }
    }
}

/// For an allowed element written `<x/>`: `<br/>` stays so, others get an
/// explicit end tag.
fn end_tag_for_empty(name: &str) -> String {
    if is_void(name) {
        String::new()
    } else {
        format!("</{name}>")
    }
}

/// Serializes the start tag of an allowed element with only its allowed
/// attributes (`<br/>` for void elements). An error means the tag is not
/// well-formed.
pub(crate) fn start_tag(
    name: &str,
    start: &BytesStart,
    offset: usize,
    issues: &mut Vec<Issue>,
) -> Result<String, Issue> {
    let mut tag = format!("<{name}");
    for attr in start.html_attributes() {
        let attr = attr.map_err(|e| Issue {
            message: format!("raw HTML removed: bad attribute in `<{name}>` ({e})"),
            offset,
        })?;
        let key = attr.key.as_ref().to_ascii_lowercase();
        if !is_xml_name(&key) {
            return Err(Issue {
                message: format!(
                    "raw HTML removed: `{}` in `<{name}>` is not an attribute name",
                    attr.key.as_ref()
                ),
                offset,
            });
        }
        let value = attr
            .normalized_value_with(XmlVersion::Implicit1_0, 4, resolve_entity)
            .map_err(|e| Issue {
                message: format!("raw HTML removed: bad value for `{key}` in `<{name}>` ({e})"),
                offset,
            })?;
        match check_attribute(name, &key, &value) {
            Ok(()) => {
                tag.push(' ');
                tag.push_str(&key);
                tag.push_str("=\"");
                push_escaped(&mut tag, &value);
                tag.push('"');
            }
            Err(why) => issues.push(Issue {
                message: format!("raw HTML: attribute `{key}` removed from `<{name}>`: {why}"),
                offset,
            }),
        }
    }
    tag.push_str(if is_void(name) { "/>" } else { ">" });
    Ok(tag)
}

/// The value of attribute `key` in a start tag made by [`start_tag`].
pub(crate) fn attribute(start_tag: &str, key: &str) -> Option<String> {
    let mut reader = Reader::from_str(start_tag);
    let Ok(Event::Start(start) | Event::Empty(start)) = reader.read_event() else {
        return None;
    };
    let value = start.try_get_attribute(key).ok()??;
    value
        .normalized_value_with(XmlVersion::Implicit1_0, 4, resolve_entity)
        .ok()
        .map(|v| v.into_owned())
}

/// A conservative XML name: ASCII letter or `_`, then letters, digits,
/// `-`, `_`, `.`, `:`.
fn is_xml_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

fn check_attribute(element: &str, key: &str, value: &str) -> Result<(), &'static str> {
    match key {
        "title" | "class" => Ok(()),
        "lang" if crate::locale::is_language_tag(value) => Ok(()),
        "lang" => Err("not a BCP 47 language tag"),
        "dir" => match value.to_ascii_lowercase().as_str() {
            "ltr" | "rtl" | "auto" => Ok(()),
            _ => Err("use ltr, rtl or auto"),
        },
        "id" => {
            if value.is_empty() || value.chars().any(char::is_whitespace) {
                Err("an id must be a single word")
            } else {
                Ok(())
            }
        }
        "colspan" | "rowspan" if matches!(element, "td" | "th") => match value.parse::<u32>() {
            Ok(1..=1000) if value.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
            _ => Err("must be a number from 1 to 1000"),
        },
        "datetime" if element == "time" => Ok(()),
        "cite" if element == "q" => {
            let lower = value.trim().to_ascii_lowercase();
            if lower.starts_with("https://") || lower.starts_with("http://") {
                Ok(())
            } else {
                Err("only http(s) addresses are allowed")
            }
        }
        _ if key.starts_with("on") => Err("scripts are not allowed"),
        "style" => Err("inline styles are not allowed"),
        _ => Err("not an allowed attribute"),
    }
}

/// One inline raw-HTML piece, as pulldown-cmark delivers them (one tag each).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum InlineTag {
    /// `<name …>` (or `<name …/>` when `empty`), with the serialized start tag
    /// when the element is allowed.
    Open {
        name: String,
        class: Class,
        empty: bool,
        /// `Some` when allowed: the sanitized start tag.
        tag: Option<String>,
    },
    Close {
        name: String,
    },
    /// A comment: dropped silently.
    Comment,
    /// Something else (`<?php ?>`, `<!DOCTYPE>`, CDATA, malformed): dropped.
    Other(String),
}

enum Kind {
    Start,
    Empty,
}

/// Reads one inline tag. Attribute problems are pushed to `issues`.
pub(crate) fn inline_tag(raw: &str, issues: &mut Vec<Issue>) -> InlineTag {
    let mut reader = Reader::from_str(raw);
    configure(&mut reader);
    let event = match reader.read_event() {
        Ok(event) => event,
        Err(e) => return InlineTag::Other(format!("it is not well-formed ({e})")),
    };
    let event_kind = match &event {
        Event::Empty(_) => Kind::Empty,
        _ => Kind::Start,
    };
    let tag = match event {
        Event::Start(start) | Event::Empty(start) => {
            let name = lower_name(&start);
            let empty = matches!(event_kind, Kind::Empty) || is_void(&name);
            let class = classify(&name);
            let tag = match class {
                Class::Phrasing | Class::Flow => match start_tag(&name, &start, 0, issues) {
                    Ok(tag) => Some(tag),
                    Err(issue) => return InlineTag::Other(issue.message),
                },
                Class::Dangerous | Class::Unknown => None,
            };
            InlineTag::Open {
                name,
                class,
                empty,
                tag,
            }
        }
        Event::End(end) => InlineTag::Close {
            name: end.name().as_ref().to_ascii_lowercase(),
        },
        Event::Comment(_) => return InlineTag::Comment,
        Event::Eof => return InlineTag::Other("it is empty".to_string()),
        _ => return InlineTag::Other("only simple tags are supported".to_string()),
    };
    // One tag per piece; trailing text means pulldown-cmark saw something
    // we do not understand.
    match reader.read_event() {
        Ok(Event::Eof) => tag,
        Ok(Event::Text(t)) if t.trim().is_empty() => tag,
        _ => InlineTag::Other("it is not a single tag".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(raw: &str) -> (Option<String>, Vec<String>) {
        let mut issues = Vec::new();
        let out = sanitize_block(raw, &mut issues);
        (out, issues.into_iter().map(|i| i.message).collect())
    }

    #[test]
    fn safe_html_passes() {
        let (out, issues) = block("<div class=\"note\" dir=\"rtl\">\nنص <b>x</b><br>\n</div>\n");
        assert_eq!(
            out.as_deref(),
            Some("<div class=\"note\" dir=\"rtl\">\nنص <b>x</b><br/>\n</div>\n")
        );
        assert!(issues.is_empty(), "{issues:?}");
    }

    #[test]
    fn table_with_spans() {
        let (out, issues) = block(
            "<table><tr><td colspan=2 rowspan='x'>a &amp; b &lt;&nbsp;&#x41;</td></tr></table>",
        );
        assert_eq!(
            out.as_deref(),
            Some("<table><tr><td colspan=\"2\">a &amp; b &lt;\u{a0}A</td></tr></table>")
        );
        assert_eq!(issues.len(), 1);
        assert!(issues[0].contains("rowspan"));
    }

    #[test]
    fn script_removed_with_content() {
        let (out, issues) = block("<div>a<script>alert('x')</script>b</div>");
        assert_eq!(out.as_deref(), Some("<div>ab</div>"));
        assert!(issues[0].contains("<script>"), "{issues:?}");
    }

    #[test]
    fn event_handlers_and_styles_removed() {
        let (out, issues) = block(
            "<p onclick=\"evil()\" style=\"color:red\" title='t &quot;q&quot;' ONMOUSEOVER=x>hi</p>",
        );
        assert_eq!(out.as_deref(), Some("<p title=\"t &quot;q&quot;\">hi</p>"));
        assert_eq!(issues.len(), 3, "{issues:?}");
    }

    #[test]
    fn unknown_elements_unwrapped() {
        let (out, issues) = block("<div><a href=\"javascript:x\">link</a> <font>f</font></div>");
        assert_eq!(out.as_deref(), Some("<div>link f</div>"));
        assert_eq!(issues.len(), 2);
    }

    #[test]
    fn dangerous_void_elements_removed() {
        let (out, issues) = block("<p>a<img src=x onerror=alert(1)>b<input>c</p>");
        assert_eq!(out.as_deref(), Some("<p>abc</p>"));
        assert_eq!(issues.len(), 2);
    }

    #[test]
    fn block_elements_inside_paragraphs_unwrapped() {
        let (out, issues) = block("<p>a<div>b</div><hr>c</p>");
        assert_eq!(out.as_deref(), Some("<p>a b  c</p>"));
        assert_eq!(issues.len(), 2);
    }

    #[test]
    fn malformed_fragments_dropped() {
        for raw in [
            "<div><span></div>",
            "<div>",
            "</div>",
            "<p>a &bogus; b</p>",
            "<div class=\"a\" class=\"b\">x</div>",
            "<div <span>",
        ] {
            let (out, issues) = block(raw);
            assert_eq!(out, None, "{raw}");
            assert_eq!(issues.len(), 1, "{raw}: {issues:?}");
        }
    }

    #[test]
    fn invalid_structure_dropped() {
        for raw in [
            "<li>item</li>",
            "<ul><p>x</p></ul>",
            "<ul>text<li>x</li></ul>",
            "<table><td>x</td></table>",
            "<dl><li>x</li></dl>",
            "<p><rt>x</rt></p>",
        ] {
            let (out, issues) = block(raw);
            assert_eq!(out, None, "{raw}");
            assert!(issues[0].contains("not valid XHTML"), "{raw}: {issues:?}");
        }
        let ok = "<ul>\n<li>a</li>\n</ul><dl><dt>t</dt><dd>d</dd></dl><ruby>漢<rt>kan</rt></ruby>";
        assert_eq!(block(ok).0.as_deref(), Some(ok));
        // An unwrapped element is transparent for the checks.
        let (out, _) = block("<ul><font><li>a</li></font></ul>");
        assert_eq!(out.as_deref(), Some("<ul><li>a</li></ul>"));
    }

    #[test]
    fn deep_nesting_capped() {
        let raw = "<div>".repeat(10_000) + "x" + &"</div>".repeat(10_000);
        let (out, issues) = block(&raw);
        let out = out.unwrap();
        assert_eq!(out.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(out.matches("</div>").count(), MAX_DEPTH);
        assert_eq!(issues.len(), 1);
    }

    #[test]
    fn bdo_needs_dir() {
        let (out, issues) = block("<p><bdo>x</bdo><bdo dir=\"rtl\">y</bdo></p>");
        assert_eq!(out.as_deref(), Some("<p>x<bdo dir=\"rtl\">y</bdo></p>"));
        assert_eq!(issues.len(), 1);
    }

    #[test]
    fn comments_dropped_silently() {
        let (out, issues) = block("<!-- note -->\n");
        assert_eq!(out.as_deref(), Some("\n"));
        assert!(issues.is_empty());
    }

    #[test]
    fn control_characters_escaped_and_cdata_removed() {
        let (out, issues) = block("<p>\u{1}a<![CDATA[<x>]]>&#x1;</p>");
        assert_eq!(out.as_deref(), Some("<p>a</p>"));
        assert_eq!(issues.len(), 1);
        assert!(issues[0].contains("CDATA"), "{issues:?}");
    }

    #[test]
    fn removed_block_tags_still_separate_words() {
        let (out, _) = block("<details><summary>Title</summary>Body</details>");
        let out = out.unwrap();
        assert_eq!(
            out.split_whitespace().collect::<Vec<_>>(),
            ["Title", "Body"]
        );
        // Inline tags removed join nothing that was apart.
        let (out, _) = block("<p>a<font>b</font>c</p>");
        assert_eq!(out.as_deref(), Some("<p>abc</p>"));
    }

    #[test]
    fn uppercase_names_and_self_closing() {
        let (out, issues) = block("<DIV>a<BR/><span/></DIV>");
        assert_eq!(out.as_deref(), Some("<div>a<br/><span></span></div>"));
        assert!(issues.is_empty(), "{issues:?}");
    }

    #[test]
    fn inline_tags() {
        let mut issues = Vec::new();
        assert_eq!(
            inline_tag("<span dir=ltr onclick=\"x\">", &mut issues),
            InlineTag::Open {
                name: "span".into(),
                class: Class::Phrasing,
                empty: false,
                tag: Some("<span dir=\"ltr\">".into()),
            }
        );
        assert_eq!(issues.len(), 1);
        assert_eq!(
            inline_tag("</SPAN>", &mut issues),
            InlineTag::Close {
                name: "span".into()
            }
        );
        assert!(matches!(
            inline_tag("<br>", &mut issues),
            InlineTag::Open { empty: true, .. }
        ));
        assert!(matches!(
            inline_tag("<script src=x>", &mut issues),
            InlineTag::Open {
                class: Class::Dangerous,
                tag: None,
                ..
            }
        ));
        assert_eq!(inline_tag("<!-- x -->", &mut issues), InlineTag::Comment);
        assert!(matches!(
            inline_tag("<?php x ?>", &mut issues),
            InlineTag::Other(_)
        ));
    }
}
