//! Numbers, dates and times as German readers write them (messages and the export).

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// `1,5` for 1.5, `-3` for -3.0 (a decimal comma, no thousands separator).
pub(crate) fn number(value: f64) -> String {
    value.to_string().replace('.', ",")
}

/// `05.03.2026`.
pub(crate) fn date(day: Date) -> String {
    day.strftime("%d.%m.%Y").to_string()
}

/// `05.03.2026 14:30`.
pub(crate) fn date_time(at: DateTime) -> String {
    at.strftime("%d.%m.%Y %H:%M").to_string()
}

/// The wall-clock time of Unix seconds in `zone`; `None` outside jiff's range.
pub(crate) fn local(unix: i64, zone: &TimeZone) -> Option<DateTime> {
    Timestamp::from_second(unix)
        .ok()
        .map(|t| zone.to_datetime(t))
}

/// `05.03.2026 14:30` for Unix seconds in `zone` (empty when out of range).
pub(crate) fn moment(unix: i64, zone: &TimeZone) -> String {
    local(unix, zone).map(date_time).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date as civil_date;

    #[test]
    fn numbers_dates_and_times_read_as_in_germany() {
        assert_eq!(number(1.5), "1,5");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(date(civil_date(2026, 3, 5)), "05.03.2026");
        assert_eq!(
            date_time(civil_date(2026, 3, 5).at(9, 7, 0, 0)),
            "05.03.2026 09:07"
        );
        // 2026-03-05T08:00:00Z is 09:00 in Berlin (winter time).
        assert_eq!(moment(1_772_697_600, &TimeZone::UTC), "05.03.2026 08:00");
        let fixed = TimeZone::fixed(jiff::tz::offset(1));
        assert_eq!(moment(1_772_697_600, &fixed), "05.03.2026 09:00");
    }
}
