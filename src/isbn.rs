//! ISBNs as `book.toml` gives them: hyphens and spaces dropped, the check
//! digit verified.

/// The ISBN in `text`, digits only (a final `X` for ISBN-10), or why it is
/// not one.
pub fn normalize(text: &str) -> Result<String, String> {
    let isbn: String = text
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let digits: Vec<u32> = isbn
        .chars()
        .enumerate()
        .map(|(i, c)| match c {
            'X' if i == 9 && isbn.len() == 10 => Some(10),
            c => c.to_digit(10),
        })
        .collect::<Option<_>>()
        .ok_or_else(|| {
            format!("`{text}` is not an ISBN: it may hold only digits, hyphens and spaces")
        })?;
    let valid = match digits.len() {
        // ISBN-13: weights 1, 3, 1, 3…; the sum is a multiple of 10.
        13 => {
            digits
                .iter()
                .enumerate()
                .map(|(i, d)| if i % 2 == 0 { *d } else { d * 3 })
                .sum::<u32>()
                % 10
                == 0
        }
        // ISBN-10: weights 10 down to 1; the sum is a multiple of 11.
        10 => {
            digits
                .iter()
                .zip((1..=10).rev())
                .map(|(d, w)| d * w)
                .sum::<u32>()
                % 11
                == 0
        }
        n => {
            return Err(format!(
                "`{text}` is not an ISBN: it has {n} digits, not 13 (or 10)"
            ));
        }
    };
    if valid {
        Ok(isbn)
    } else {
        Err(format!(
            "`{text}` is not an ISBN: its check digit is wrong (a typing mistake?)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn check_digits() {
        assert_eq!(
            normalize("978-3-16-148410-0").as_deref(),
            Ok("9783161484100")
        );
        assert_eq!(normalize("0-8044-2957-x").as_deref(), Ok("080442957X"));
        assert!(normalize("978-3-16-148410-1").is_err());
        assert!(normalize("0-8044-2957-5").is_err());
        assert!(normalize("12345").is_err());
        assert!(normalize("97831614841O0").is_err());
    }
}
