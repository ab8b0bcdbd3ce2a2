//! A calendar day in the organisation's local time, as `YYYY-MM-DD`: the last day of an
//! absence greeting, and "today" as the shell works it out from the clock and the time
//! zone. Only what the greeting rule needs: reading, writing and comparing days.

use crate::Error;
use std::fmt;
use std::str::FromStr;

/// A real day of the Gregorian calendar (years 1 to 9999). Days compare in calendar order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    // Field order is comparison order.
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// The day `year`-`month`-`day`, if there is one (no 30 February, no month 13).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let real = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day);
        real.then_some(Date { year, month, day })
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, from 1.
    pub fn day(self) -> u8 {
        self.day
    }
}

fn is_leap(year: u16) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl FromStr for Date {
    type Err = Error;

    /// Exactly `YYYY-MM-DD` (ISO 8601's calendar date, as an HTML date input sends it).
    fn from_str(text: &str) -> Result<Date, Error> {
        let invalid = || Error::InvalidDate {
            text: text.to_owned(),
        };
        let bytes = text.as_bytes();
        if !text.is_ascii() || bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return Err(invalid());
        }
        let field = |range: std::ops::Range<usize>| -> Result<u16, Error> {
            let part = &text[range];
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(invalid());
            }
            part.parse().map_err(|_| invalid())
        };
        let (year, month, day) = (field(0..4)?, field(5..7)?, field(8..10)?);
        let month = u8::try_from(month).map_err(|_| invalid())?;
        let day = u8::try_from(day).map_err(|_| invalid())?;
        Date::new(year, month, day).ok_or_else(invalid)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn days_read_and_write_back_the_same() {
        for text in [
            "2026-12-06",
            "2024-02-29",
            "2000-02-29",
            "0001-01-01",
            "9999-12-31",
        ] {
            assert_eq!(date(text).to_string(), text);
        }
        let d = date("2026-03-09");
        assert_eq!((d.year(), d.month(), d.day()), (2026, 3, 9));
    }

    #[test]
    fn days_that_do_not_exist_are_refused() {
        for text in [
            "2026-02-29", // not a leap year
            "1900-02-29", // a century, not a leap year
            "2026-04-31",
            "2026-13-01",
            "2026-00-10",
            "2026-01-00",
            "0000-01-01",
            "2026-1-09",
            "2026-01-9",
            "26-01-09",
            "2026/01/09",
            "2026-01-09T10:00",
            "+026-01-09",
            "2026-+1-09",
            "",
            "2026-0ä-09",
            "20ä-01-01", // ten bytes, dashes in place
        ] {
            assert_eq!(
                text.parse::<Date>(),
                Err(Error::InvalidDate {
                    text: text.to_owned()
                }),
                "{text:?}"
            );
        }
    }

    #[test]
    fn days_compare_in_calendar_order() {
        assert!(date("2026-01-31") < date("2026-02-01"));
        assert!(date("2025-12-31") < date("2026-01-01"));
        assert!(date("2026-02-09") < date("2026-02-10"));
        assert_eq!(Date::new(2026, 2, 29), None);
        assert_eq!(Date::new(2028, 2, 29), Some(date("2028-02-29")));
    }
}
