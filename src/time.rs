//! Calendar dates from Unix timestamps, for metadata (no clock is ever read:
//! timestamps come from `SOURCE_DATE_EPOCH` or `book.toml`).

/// A UTC date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcDateTime {
    pub year: i64,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl UtcDateTime {
    /// Converts seconds since 1970-01-01T00:00:00Z (Howard Hinnant's
    /// days-to-civil algorithm).
    pub fn from_unix(timestamp: i64) -> Self {
        let days = timestamp.div_euclid(86_400);
        let secs = timestamp.rem_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = yoe + era * 400 + i64::from(month <= 2);
        UtcDateTime {
            year,
            month,
            day,
            hour: (secs / 3600) as u8,
            minute: (secs / 60 % 60) as u8,
            second: (secs % 60) as u8,
        }
    }

    /// `YYYY-MM-DDThh:mm:ssZ` (W3CDTF, as EPUB's `dcterms:modified` wants).
    pub fn to_w3c(self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_known_instants() {
        assert_eq!(UtcDateTime::from_unix(0).to_w3c(), "1970-01-01T00:00:00Z");
        assert_eq!(UtcDateTime::from_unix(951_782_400).to_w3c(), "2000-02-29T00:00:00Z");
        assert_eq!(UtcDateTime::from_unix(1_764_460_799).to_w3c(), "2025-11-29T23:59:59Z");
    }
}
