//! When a hotline is open: hours per weekday, closed on the public holidays of its state
//! and on one-off closures (a staff meeting, the days between Christmas and New Year).
//! Pure: the shell turns "now" into the local civil time (Europe/Berlin) first.

use crate::holidays::{is_holiday, State};
use jiff::civil::{Date, DateTime, Time};

/// Opening hours.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OpeningHours {
    /// Per weekday, Monday first: the open spans, each from its start (inclusive) to its
    /// end (exclusive).
    pub weekly: [Vec<(Time, Time)>; 7],
    /// Closed on this state's public holidays.
    pub state: Option<State>,
    /// One-off closures.
    pub closures: Vec<Closure>,
}

/// A one-off closure, whole days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    /// The first day closed.
    pub from: Date,
    /// The last day closed (inclusive).
    pub to: Date,
}

/// Why a day's hours cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("„{0}“ ist keine gültige Angabe; bitte so schreiben: 08:00-12:00, 13:00-15:30")]
pub struct HoursError(pub String);

impl OpeningHours {
    /// Whether the hotline is open at the local time `at`.
    pub fn is_open(&self, at: DateTime) -> bool {
        let day = at.date();
        if self.state.is_some_and(|state| is_holiday(state, day)) {
            return false;
        }
        if self.closures.iter().any(|c| c.from <= day && day <= c.to) {
            return false;
        }
        let weekday = day.weekday().to_monday_zero_offset() as usize;
        let time = at.time();
        self.weekly[weekday]
            .iter()
            .any(|(start, end)| *start <= time && time < *end)
    }

    /// One day's hours as people write them: `"08:00-12:00, 13:00-15:30"` (empty: closed).
    pub fn parse_day(text: &str) -> Result<Vec<(Time, Time)>, HoursError> {
        let bad = || HoursError(text.to_string());
        let mut spans = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (start, end) = part.split_once('-').ok_or_else(bad)?;
            let parse = |t: &str| t.trim().parse::<Time>().map_err(|_| bad());
            let (start, end) = (parse(start)?, parse(end)?);
            if start >= end {
                return Err(bad());
            }
            spans.push((start, end));
        }
        spans.sort();
        if spans.windows(2).any(|w| w[0].1 > w[1].0) {
            return Err(bad());
        }
        Ok(spans)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn office() -> OpeningHours {
        let weekday = OpeningHours::parse_day("08:00-12:00, 13:00-16:00").unwrap();
        let friday = OpeningHours::parse_day("08:00-12:00").unwrap();
        OpeningHours {
            weekly: [
                weekday.clone(),
                weekday.clone(),
                weekday.clone(),
                weekday,
                friday,
                Vec::new(),
                Vec::new(),
            ],
            state: Some(State::BY),
            closures: vec![Closure {
                from: date(2026, 12, 24),
                to: date(2026, 12, 31),
            }],
        }
    }

    #[test]
    fn open_in_the_hours_of_the_weekday() {
        let h = office();
        // Monday 7 December 2026.
        assert!(!h.is_open(date(2026, 12, 7).at(7, 59, 59, 0)));
        assert!(h.is_open(date(2026, 12, 7).at(8, 0, 0, 0)));
        assert!(!h.is_open(date(2026, 12, 7).at(12, 30, 0, 0)), "lunch");
        assert!(h.is_open(date(2026, 12, 7).at(15, 59, 0, 0)));
        assert!(!h.is_open(date(2026, 12, 7).at(16, 0, 0, 0)));
        assert!(
            !h.is_open(date(2026, 12, 11).at(13, 0, 0, 0)),
            "Friday afternoon"
        );
        assert!(!h.is_open(date(2026, 12, 12).at(10, 0, 0, 0)), "Saturday");
    }

    #[test]
    fn closed_on_the_states_holidays_and_on_closures() {
        let h = office();
        assert!(
            !h.is_open(date(2026, 6, 4).at(10, 0, 0, 0)),
            "Fronleichnam in Bavaria"
        );
        let mut berlin = office();
        berlin.state = Some(State::BE);
        assert!(
            berlin.is_open(date(2026, 6, 4).at(10, 0, 0, 0)),
            "a Thursday in Berlin"
        );
        assert!(
            !h.is_open(date(2026, 12, 28).at(10, 0, 0, 0)),
            "between the years"
        );
        assert!(h.is_open(date(2027, 1, 4).at(10, 0, 0, 0)));
    }

    #[test]
    fn hours_are_read_as_people_write_them_or_refused() {
        assert_eq!(OpeningHours::parse_day(" ").unwrap(), []);
        assert_eq!(
            OpeningHours::parse_day("13:00-15:00,08:00-09:30").unwrap()[0].0,
            Time::constant(8, 0, 0, 0)
        );
        for bad in [
            "8 bis 12",
            "12:00-08:00",
            "08:00-12:00, 11:00-13:00",
            "25:00-26:00",
        ] {
            assert!(OpeningHours::parse_day(bad).is_err(), "{bad}");
        }
    }
}
