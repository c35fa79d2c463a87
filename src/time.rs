//! Calendar arithmetic for metadata dates (EPUB package, PDF info, zip
//! entries): UTC, proleptic Gregorian, no time-zone database and no clock —
//! timestamps come from `SOURCE_DATE_EPOCH` or `book.toml`.

/// A broken-down UTC time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

const SECONDS_PER_DAY: i64 = 86_400;

/// Year, month, day from days since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8; // [1, 31]
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8; // [1, 12]
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Days since 1970-01-01 of a date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl Civil {
    /// The UTC time `timestamp` seconds after the Unix epoch.
    pub fn from_unix(timestamp: i64) -> Civil {
        let days = timestamp.div_euclid(SECONDS_PER_DAY);
        let secs = timestamp.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: (secs / 3600) as u8,
            minute: (secs / 60 % 60) as u8,
            second: (secs % 60) as u8,
        }
    }

    /// `timestamp` clamped to years `first..=last`, broken down.
    pub fn clamped(timestamp: i64, first: i64, last: i64) -> Civil {
        let min = days_from_civil(first, 1, 1) * SECONDS_PER_DAY;
        let max = days_from_civil(last + 1, 1, 1) * SECONDS_PER_DAY - 1;
        Civil::from_unix(timestamp.clamp(min, max))
    }

    /// W3C date-time for `dcterms:modified`: `YYYY-MM-DDThh:mm:ssZ`, the year
    /// clamped to four digits.
    pub fn w3c_datetime(timestamp: i64) -> String {
        let c = Civil::clamped(timestamp, 1, 9999);
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            c.year, c.month, c.day, c.hour, c.minute, c.second
        )
    }

    /// W3C date (`YYYY-MM-DD`) for `dc:date`.
    pub fn w3c_date(timestamp: i64) -> String {
        let c = Civil::clamped(timestamp, 1, 9999);
        format!("{:04}-{:02}-{:02}", c.year, c.month, c.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_dates() {
        assert_eq!(Civil::w3c_datetime(0), "1970-01-01T00:00:00Z");
        // 2000-02-29 is a leap day; 951_782_400 is its midnight.
        assert_eq!(
            Civil::w3c_datetime(951_782_400 + 3661),
            "2000-02-29T01:01:01Z"
        );
        assert_eq!(Civil::w3c_datetime(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(Civil::w3c_datetime(-1), "1969-12-31T23:59:59Z");
        assert_eq!(Civil::w3c_date(1_700_000_000), "2023-11-14");
    }

    #[test]
    fn round_trips_days() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn clamps() {
        assert_eq!(Civil::w3c_datetime(i64::MIN), "0001-01-01T00:00:00Z");
        assert_eq!(Civil::w3c_datetime(i64::MAX), "9999-12-31T23:59:59Z");
        assert_eq!(Civil::clamped(0, 1980, 2107).year, 1980);
        let late = Civil::clamped(i64::MAX, 1980, 2107);
        assert_eq!(
            (late.year, late.month, late.day, late.second),
            (2107, 12, 31, 59)
        );
    }
}
