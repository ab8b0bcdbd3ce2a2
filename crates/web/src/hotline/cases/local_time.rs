//! Days as the hotline lives them: in German local time (Europe/Berlin). A filter "from
//! 05.03. to 06.03." means from midnight of the 5th to the end of the 6th there; instants
//! with an offset are taken as they are.

use crate::error::ApiError;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// The hotline's time zone (UTC if the system has no time zone database).
pub fn zone() -> TimeZone {
    TimeZone::get("Europe/Berlin").unwrap_or(TimeZone::UTC)
}

/// Unix seconds of the start of `day` (in [`zone`]).
pub fn day_start(day: Date) -> Option<i64> {
    day.to_zoned_datetime(zone())
        .ok()
        .map(|z| z.timestamp().as_second())
}

/// `2026-03-05` (the start of that day, or with `end_of_day` the start of the next) or an
/// instant (`2026-03-05T08:00:00Z`, `…+01:00`); `field` names the parameter in the error.
pub fn parse_bound(text: &str, end_of_day: bool, field: &str) -> Result<i64, ApiError> {
    let text = text.trim();
    let from_day = text.parse::<Date>().ok().and_then(|day| {
        let day = if end_of_day {
            day.tomorrow().ok()?
        } else {
            day
        };
        day_start(day)
    });
    from_day
        .or_else(|| crate::time_format::parse_iso(text))
        .ok_or_else(|| ApiError::Invalid {
            field: field.into(),
            problem: "not_a_date",
            message: format!(
                "„{text}“ ist kein Datum (JJJJ-MM-TT) und kein Zeitpunkt (2026-03-05T08:00:00Z)."
            ),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_berlin_days_and_instants_stay() {
        // 2026-03-05 in Berlin (winter time) begins at 2026-03-04T23:00:00Z.
        assert_eq!(
            parse_bound("2026-03-05", false, "from").unwrap(),
            1_772_665_200
        );
        assert_eq!(
            parse_bound("2026-03-05", true, "until").unwrap(),
            1_772_665_200 + 86_400
        );
        assert_eq!(
            parse_bound("2026-03-05T08:00:00Z", true, "until").unwrap(),
            1_772_697_600
        );
        let e = parse_bound("5.3.", false, "from").unwrap_err();
        assert!(
            matches!(e, ApiError::Invalid { ref field, .. } if field == "from"),
            "{e:?}"
        );
    }
}
