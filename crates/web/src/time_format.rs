//! Timestamps as the API writes and reads them: ISO 8601 / RFC 3339 in UTC (jiff).

/// `2026-11-22T11:30:00Z` for Unix seconds.
pub fn iso_utc(unix: i64) -> String {
    match jiff::Timestamp::from_second(unix) {
        Ok(t) => t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        // Out of jiff's range (years beyond ±9999): no real time of ours.
        Err(_) => "1970-01-01T00:00:00Z".into(),
    }
}

/// The same for Unix milliseconds (the runtime's clock, call times), to the second.
pub fn iso_utc_ms(unix_ms: i64) -> String {
    iso_utc(unix_ms.div_euclid(1000))
}

/// Unix seconds of `2026-11-22T14:30:00Z`, `…:00.000Z` (as browsers write it) or with an
/// offset (`+01:00`); `None` for anything else (a time without an offset is ambiguous).
pub fn parse_iso(text: &str) -> Option<i64> {
    text.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

#[cfg(test)]
mod tests {
    #[test]
    fn milliseconds_are_written_to_the_second() {
        assert_eq!(
            super::iso_utc_ms(1_795_000_000_999),
            super::iso_utc(1_795_000_000)
        );
        assert_eq!(super::iso_utc_ms(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn parses_what_it_writes_and_what_browsers_send() {
        for t in [0, 951_782_400, 1_795_000_000, 1_795_012_345] {
            assert_eq!(super::parse_iso(&super::iso_utc(t)), Some(t));
        }
        assert_eq!(
            super::parse_iso("2026-11-18T11:06:40.123Z"),
            Some(1_795_000_000)
        );
        assert_eq!(
            super::parse_iso("2026-11-18T12:06:40+01:00"),
            Some(1_795_000_000)
        );
        assert_eq!(
            super::parse_iso("2026-11-18T11:06Z"),
            Some(1_795_000_000 - 40)
        );
        for bad in [
            "",
            "2026-11-18",
            "2026-13-01T00:00Z",
            "2026-11-18T11:06:40",
            "x026-11-18T11:06Z",
        ] {
            assert_eq!(super::parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn known_dates() {
        assert_eq!(super::iso_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::iso_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(super::iso_utc(1_795_000_000), "2026-11-18T11:06:40Z");
    }
}
