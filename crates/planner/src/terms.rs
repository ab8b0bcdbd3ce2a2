//! What an agreement grants: the mobile days (fixed weekdays or a number per week) and the
//! period. Approvals produce it, the week check and the rotation planner read it.

use crate::agreement_rules::MobileLimits;
use crate::calendar::WeekdaySet;
use jiff::civil::Date;
use std::fmt;

/// Which days of the week may be mobile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DaysPattern {
    /// These weekdays, every week.
    Weekdays(WeekdaySet),
    /// Any of the working days, up to this many per week.
    PerWeek(u8),
}

impl DaysPattern {
    /// How many days a week the pattern asks for.
    pub fn days_per_week(self) -> u8 {
        match self {
            DaysPattern::Weekdays(set) => set.len(),
            DaysPattern::PerWeek(n) => n,
        }
    }
}

impl fmt::Display for DaysPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DaysPattern::Weekdays(set) => write!(f, "feste Tage: {set}"),
            DaysPattern::PerWeek(1) => f.write_str("1 Tag pro Woche"),
            DaysPattern::PerWeek(n) => write!(f, "{n} Tage pro Woche"),
        }
    }
}

/// The agreed mobile work: pattern and period (both ends inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Terms {
    /// The mobile days.
    pub pattern: DaysPattern,
    /// The first day.
    pub start: Date,
    /// The last day; `None`: until ended or revoked.
    pub end: Option<Date>,
}

impl Terms {
    /// Whether `date` lies within the period.
    pub fn covers(&self, date: Date) -> bool {
        self.start <= date && self.end.is_none_or(|end| date <= end)
    }

    /// Whether mobile work is agreed for `date`: within the period, a working day, and
    /// one of the agreed weekdays when the pattern fixes them.
    pub fn allows(&self, date: Date, workdays: WeekdaySet) -> bool {
        let weekday = date.weekday();
        let on_pattern = match self.pattern {
            DaysPattern::Weekdays(set) => set.contains(weekday),
            DaysPattern::PerWeek(_) => true,
        };
        self.covers(date) && workdays.contains(weekday) && on_pattern
    }

    /// The most mobile days in one week: the pattern's, at most the rules' limit.
    pub fn days_per_week(&self, limits: MobileLimits) -> u8 {
        self.pattern.days_per_week().min(limits.days_per_week)
    }

    /// The same terms ending at `last` at the latest (a revocation taking effect).
    pub fn until(self, last: Date) -> Terms {
        let end = Some(self.end.map_or(last, |end| end.min(last)));
        Terms { end, ..self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, Weekday};

    #[test]
    fn allows_pattern_days_within_the_period() {
        let terms = Terms {
            pattern: DaysPattern::Weekdays(WeekdaySet::of(&[Weekday::Monday])),
            start: date(2025, 3, 3),
            end: Some(date(2025, 3, 31)),
        };
        let week = WeekdaySet::MONDAY_TO_FRIDAY;
        assert!(terms.allows(date(2025, 3, 3), week));
        assert!(!terms.allows(date(2025, 3, 4), week));
        assert!(terms.allows(date(2025, 3, 31), week));
        assert!(!terms.allows(date(2025, 4, 7), week));
        assert!(!terms.allows(date(2025, 2, 24), week));
        let flexible = Terms {
            pattern: DaysPattern::PerWeek(2),
            ..terms
        };
        assert!(flexible.allows(date(2025, 3, 4), week));
        assert!(!flexible.allows(date(2025, 3, 8), week));
        assert_eq!(
            flexible.until(date(2025, 3, 10)).end,
            Some(date(2025, 3, 10))
        );
        assert_eq!(
            flexible.until(date(2026, 1, 1)).end,
            Some(date(2025, 3, 31))
        );
    }
}
