//! Where URLs and e-mail addresses may break, in both outputs: after `@`,
//! `/`, `.` and `-`.

/// What a URL or an e-mail address may break after. Always after, so the
/// piece that ends a line shows it goes on (`s.benali@`, `example.org/`).
pub const BREAKS: [char; 4] = ['@', '/', '.', '-'];

/// Whether a word is a URL, a path or an e-mail address (`www.mfa.gov.ma`
/// too). `e.g.`, `2025-2026`, `1.234.567` and `30/11/2025` are not.
pub fn is_address(word: &str) -> bool {
    let body = word.trim_end_matches(|c: char| c.is_ascii_punctuation());
    // The punctuation first: most words have none, and a letter is looked
    // up in Unicode's tables.
    (body.contains(['@', '/']) || body.matches('.').count() >= 2)
        && body.chars().any(char::is_alphabetic)
}

/// The byte offsets in `word` after which it may break: after each of
/// [`BREAKS`] inside it, but never between two of them (`https://` stays
/// whole) nor at its end.
pub fn break_offsets(word: &str) -> impl Iterator<Item = usize> + '_ {
    let mut chars = word.char_indices().peekable();
    std::iter::from_fn(move || {
        while let Some((at, ch)) = chars.next() {
            let next = chars.peek().map(|&(_, next)| next);
            if BREAKS.contains(&ch) && next.is_some_and(|next| !BREAKS.contains(&next)) {
                return Some(at + ch.len_utf8());
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_break_after_their_punctuation_never_between_two() {
        let mail = "s.benali@embassy-ma.kz";
        let pieces: Vec<usize> = break_offsets(mail).collect();
        assert_eq!(pieces, vec![2, 9, 17, 20]);
        let url = "https://mfa.gov.kz/";
        let pieces: Vec<&str> = break_offsets(url).map(|at| &url[..at]).collect();
        assert_eq!(pieces, vec!["https://", "https://mfa.", "https://mfa.gov."]);
        assert!(is_address(mail) && is_address(url) && is_address("www.mfa.gov.ma"));
        for word in ["e.g.", "2025-2026", "1.234.567", "30/11/2025"] {
            assert!(!is_address(word), "{word}");
        }
    }
}
