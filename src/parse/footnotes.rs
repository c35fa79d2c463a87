//! Footnotes of one chapter: collected while parsing, numbered at the end.
//!
//! While parsing, every reference gets a provisional number (order of first
//! sight, definitions included). [`Footnotes::finish`] then numbers them
//! 1, 2, … in order of first reference in the chapter's text, followed by
//! references made only from inside footnotes; drops definitions nobody
//! references (with a warning); warns of empty ones; and rewrites every
//! [`InlineKind::FootnoteRef`].

use std::collections::HashMap;
use std::path::Path;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::doc::{Block, Footnote, InlineKind, SourcePos};

use crate::doc::walk;

#[derive(Default)]
pub(crate) struct Footnotes {
    /// Provisional number − 1 → (key, label as first written).
    refs: Vec<(String, String)>,
    by_key: HashMap<String, u32>,
    defs: Vec<Definition>,
    def_by_key: HashMap<String, usize>,
}

struct Definition {
    label: String,
    pos: SourcePos,
    blocks: Vec<Block>,
}

/// Labels match case-insensitively, as in pulldown-cmark.
fn key(label: &str) -> String {
    label.to_lowercase()
}

impl Footnotes {
    /// The provisional number for a reference to `label`.
    pub(crate) fn reference(&mut self, label: &str) -> u32 {
        let key = key(label);
        if let Some(&n) = self.by_key.get(&key) {
            return n;
        }
        self.refs.push((key.clone(), label.to_string()));
        let n = u32::try_from(self.refs.len()).unwrap_or(u32::MAX);
        self.by_key.insert(key, n);
        n
    }

    /// Records a definition. Returns false (and keeps the first) when the
    /// label was already defined.
    pub(crate) fn define(&mut self, label: &str, pos: SourcePos, blocks: Vec<Block>) -> bool {
        let key = key(label);
        if self.def_by_key.contains_key(&key) {
            return false;
        }
        self.def_by_key.insert(key, self.defs.len());
        self.defs.push(Definition {
            label: label.to_string(),
            pos,
            blocks,
        });
        true
    }

    /// Final numbering; see the module documentation. `file` names the
    /// chapter in warnings.
    pub(crate) fn finish(
        mut self,
        body: &mut [Block],
        file: &Path,
        warnings: &mut Diagnostics,
    ) -> Vec<Footnote> {
        let def_of = |refs: &[(String, String)], by: &HashMap<String, usize>, n: u32| {
            refs.get(n as usize - 1)
                .and_then(|(k, _)| by.get(k).copied())
        };

        // Provisional numbers in order of first reference.
        let mut order: Vec<u32> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut note = |inline: &crate::doc::Inline, order: &mut Vec<u32>| {
            if let InlineKind::FootnoteRef { number } = inline.kind
                && seen.insert(number)
            {
                order.push(number);
            }
        };
        walk::inlines(body, &mut |i| note(i, &mut order));
        let mut next = 0;
        while next < order.len() {
            if let Some(d) = def_of(&self.refs, &self.def_by_key, order[next]) {
                let mut found = Vec::new();
                walk::inlines(&self.defs[d].blocks, &mut |i| note(i, &mut found));
                order.extend(found);
            }
            next += 1;
        }

        // Final numbers for references whose definition exists.
        let mut final_number: HashMap<u32, u32> = HashMap::new();
        let mut kept: Vec<usize> = Vec::new();
        let mut is_kept = vec![false; self.defs.len()];
        for &p in &order {
            if let Some(d) = def_of(&self.refs, &self.def_by_key, p)
                && !is_kept[d]
            {
                is_kept[d] = true;
                kept.push(d);
                final_number.insert(p, u32::try_from(kept.len()).unwrap_or(u32::MAX));
            }
        }

        let refs = &self.refs;
        let mut rewrite = |inline: &mut crate::doc::Inline| {
            if let InlineKind::FootnoteRef { number } = inline.kind {
                match final_number.get(&number) {
                    Some(&n) => inline.kind = InlineKind::FootnoteRef { number: n },
                    None => {
                        let label = refs
                            .get(number as usize - 1)
                            .map_or("?", |(_, l)| l.as_str());
                        warnings.push(
                            Diagnostic::warning(
                                Code::Footnote,
                                format!("footnote `[^{label}]` is not defined in this chapter"),
                            )
                            .in_file(file)
                            .at_line(inline.pos.line),
                        );
                        inline.kind = InlineKind::Text(format!("[^{label}]"));
                    }
                }
            }
        };
        walk::inlines_mut(body, &mut rewrite);
        for &d in &kept {
            walk::inlines_mut(&mut self.defs[d].blocks, &mut rewrite);
        }

        for (d, def) in self.defs.iter().enumerate() {
            if !is_kept[d] {
                warnings.push(
                    Diagnostic::warning(
                        Code::Footnote,
                        format!(
                            "footnote `[^{}]` is never referenced; it was left out",
                            def.label
                        ),
                    )
                    .in_file(file)
                    .at_line(def.pos.line),
                );
            }
        }

        for &d in &kept {
            if self.defs[d].blocks.is_empty() {
                warnings.push(
                    Diagnostic::warning(
                        Code::Footnote,
                        format!(
                            "footnote `[^{}]` is empty (is its text indented under it?)",
                            self.defs[d].label
                        ),
                    )
                    .in_file(file)
                    .at_line(self.defs[d].pos.line),
                );
            }
        }

        let mut defs: Vec<Option<Definition>> = self.defs.into_iter().map(Some).collect();
        kept.iter()
            .enumerate()
            .filter_map(|(i, &d)| {
                let def = defs[d].take()?;
                Some(Footnote {
                    label: def.label,
                    number: u32::try_from(i + 1).unwrap_or(u32::MAX),
                    blocks: def.blocks,
                    pos: def.pos,
                })
            })
            .collect()
    }
}
