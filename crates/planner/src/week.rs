//! A person's week: where they work each day or half-day (office, mobile, away, off),
//! checked against their agreement: mobile only within its period and on its weekdays,
//! at most the agreed days in the week and, with the other weeks of the month, at most
//! the monthly limit.

use crate::agreement_rules::{AgreementRules, MobileLimits};
use crate::calendar::{add_days, GermanDate, HalfDay, HalfDays, WeekdaySet, YearMonth};
use crate::error::PlannerError;
use crate::terms::Terms;
use jiff::civil::{Date, Weekday};
use std::fmt;

/// Why someone is away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Absence {
    /// Urlaub.
    Leave,
    /// Dienstreise.
    BusinessTrip,
    /// Krank.
    Sick,
    /// Anything else (Fortbildung, Gleitzeit).
    Other,
}

/// Where a person works for half a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Location {
    /// In the office.
    Office,
    /// Mobile work at the home workplace.
    Mobile,
    /// Away.
    Away(Absence),
    /// Not a working time (weekend, part-time, holiday).
    Off,
}

/// One day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Day {
    /// Vormittag.
    pub morning: Location,
    /// Nachmittag.
    pub afternoon: Location,
}

impl Day {
    /// The same location all day.
    pub fn whole(location: Location) -> Day {
        Day {
            morning: location,
            afternoon: location,
        }
    }

    /// The location in half `half`.
    pub fn at(&self, half: HalfDay) -> Location {
        match half {
            HalfDay::Morning => self.morning,
            HalfDay::Afternoon => self.afternoon,
        }
    }

    fn mobile_halves(&self) -> u16 {
        u16::from(self.morning == Location::Mobile) + u16::from(self.afternoon == Location::Mobile)
    }
}

/// A person's week, Monday first.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Week {
    monday: Date,
    /// The days, Monday first.
    pub days: [Day; 7],
}

impl Week {
    /// The week beginning on `monday`: office on the working days, off on the others.
    pub fn new(monday: Date, workdays: WeekdaySet) -> Result<Week, PlannerError> {
        if monday.weekday() != Weekday::Monday {
            return Err(PlannerError::InvalidPlanInput(format!(
                "Eine Woche beginnt am Montag, nicht am {}.",
                GermanDate(monday)
            )));
        }
        let days = std::array::from_fn(|i| {
            let weekday = Weekday::from_monday_zero_offset(i as i8).expect("0..7");
            Day::whole(if workdays.contains(weekday) {
                Location::Office
            } else {
                Location::Off
            })
        });
        Ok(Week { monday, days })
    }

    /// The week `date` falls in (see [`Week::new`]).
    pub fn containing(date: Date, workdays: WeekdaySet) -> Week {
        Week::new(crate::calendar::monday_of(date), workdays).expect("a Monday")
    }

    /// The Monday.
    pub fn monday(&self) -> Date {
        self.monday
    }

    /// The date of the `i`-th day (0: Monday).
    pub fn date(&self, i: usize) -> Date {
        add_days(self.monday, i as i64)
    }

    /// The day on `date`, if it lies in this week.
    pub fn day_mut(&mut self, date: Date) -> Option<&mut Day> {
        let i = crate::calendar::days_between(self.monday, date);
        (0..7).contains(&i).then(|| &mut self.days[i as usize])
    }

    /// Mobile half-days in the week.
    pub fn mobile(&self) -> HalfDays {
        HalfDays(self.days.iter().map(Day::mobile_halves).sum())
    }

    /// Mobile half-days in the week that fall in `month`.
    pub fn mobile_in(&self, month: YearMonth) -> HalfDays {
        HalfDays(
            (0..7)
                .filter(|i| YearMonth::of(self.date(*i)) == month)
                .map(|i| self.days[i].mobile_halves())
                .sum(),
        )
    }
}

/// A rule the week breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeekBreach {
    /// Mobile without an agreement in force that day.
    NoAgreement(Date),
    /// Mobile on a day the agreement does not name (or that is no working day).
    NotAgreedDay(Date),
    /// More mobile time in the week than agreed.
    TooMuchInWeek {
        /// Planned.
        planned: HalfDays,
        /// Allowed.
        allowed: HalfDays,
    },
    /// More mobile time in the month than allowed, counting the month's other weeks.
    TooMuchInMonth {
        /// The month.
        month: YearMonth,
        /// Planned, with the other weeks.
        planned: HalfDays,
        /// Allowed.
        allowed: HalfDays,
    },
}

impl fmt::Display for WeekBreach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeekBreach::NoAgreement(date) => write!(
                f,
                "Am {} gilt keine Vereinbarung über mobile Arbeit.",
                GermanDate(*date)
            ),
            WeekBreach::NotAgreedDay(date) => write!(
                f,
                "Der {} ist kein vereinbarter Tag für mobile Arbeit.",
                GermanDate(*date)
            ),
            WeekBreach::TooMuchInWeek { planned, allowed } => write!(
                f,
                "In dieser Woche sind {planned} mobile Arbeit geplant; vereinbart sind höchstens {allowed}."
            ),
            WeekBreach::TooMuchInMonth {
                month,
                planned,
                allowed,
            } => write!(
                f,
                "Im {month} wären es {planned} mobile Arbeit; erlaubt sind höchstens {allowed}."
            ),
        }
    }
}

/// Checks `week` against the agreement in force (`terms`, `None`: none) and the rules'
/// limits. `elsewhere` gives, per month the week touches, the mobile half-days already
/// planned or taken on that month's days outside this week. Returns every breach.
pub fn check_week(
    week: &Week,
    terms: Option<&Terms>,
    rules: &AgreementRules,
    elsewhere: &[(YearMonth, HalfDays)],
) -> Vec<WeekBreach> {
    let mut breaches = Vec::new();
    for (i, day) in week.days.iter().enumerate() {
        if day.mobile_halves() == 0 {
            continue;
        }
        let date = week.date(i);
        match terms {
            Some(t) if t.allows(date, rules.workdays) => {}
            Some(t) if t.covers(date) => breaches.push(WeekBreach::NotAgreedDay(date)),
            _ => breaches.push(WeekBreach::NoAgreement(date)),
        }
    }
    let Some(terms) = terms else {
        return breaches;
    };
    let limits: MobileLimits = rules.limits;
    let allowed = HalfDays::days(u16::from(terms.days_per_week(limits)));
    if week.mobile() > allowed {
        breaches.push(WeekBreach::TooMuchInWeek {
            planned: week.mobile(),
            allowed,
        });
    }
    let mut months: Vec<YearMonth> = (0..7).map(|i| YearMonth::of(week.date(i))).collect();
    months.dedup();
    let allowed = HalfDays::days(u16::from(limits.days_per_month));
    for month in months {
        let before = elsewhere
            .iter()
            .filter(|(m, _)| *m == month)
            .map(|(_, h)| h.0)
            .sum::<u16>();
        let planned = HalfDays(before + week.mobile_in(month).0);
        if week.mobile_in(month).0 > 0 && planned > allowed {
            breaches.push(WeekBreach::TooMuchInMonth {
                month,
                planned,
                allowed,
            });
        }
    }
    breaches
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terms::DaysPattern;
    use crate::testing::rules;
    use jiff::civil::date;

    fn terms() -> Terms {
        Terms {
            pattern: DaysPattern::Weekdays(WeekdaySet::of(&[Weekday::Monday, Weekday::Friday])),
            start: date(2025, 3, 3),
            end: Some(date(2025, 12, 31)),
        }
    }

    #[test]
    fn a_week_within_the_agreement() {
        let mut week = Week::new(date(2025, 3, 10), WeekdaySet::MONDAY_TO_FRIDAY).unwrap();
        *week.day_mut(date(2025, 3, 10)).unwrap() = Day::whole(Location::Mobile);
        week.day_mut(date(2025, 3, 14)).unwrap().afternoon = Location::Mobile;
        week.days[2] = Day::whole(Location::Away(Absence::Leave));
        assert_eq!(week.mobile(), HalfDays(3));
        assert_eq!(check_week(&week, Some(&terms()), &rules(), &[]), vec![]);
        assert_eq!(week.days[5], Day::whole(Location::Off));
        assert!(Week::new(date(2025, 3, 11), WeekdaySet::MONDAY_TO_FRIDAY).is_err());
        let week = Week::containing(date(2025, 3, 16), WeekdaySet::MONDAY_TO_FRIDAY);
        assert_eq!(week.monday(), date(2025, 3, 10));
    }

    #[test]
    fn breaches_of_pattern_period_and_limits() {
        let mut week = Week::new(date(2025, 2, 24), WeekdaySet::MONDAY_TO_FRIDAY).unwrap();
        week.days[0] = Day::whole(Location::Mobile); // 24 Feb: before the start
        week.days[1].morning = Location::Mobile; // not before the start either
        week.days[4] = Day::whole(Location::Mobile); // 28 Feb, Friday
        let breaches = check_week(&week, Some(&terms()), &rules(), &[]);
        assert_eq!(
            breaches,
            vec![
                WeekBreach::NoAgreement(date(2025, 2, 24)),
                WeekBreach::NoAgreement(date(2025, 2, 25)),
                WeekBreach::NoAgreement(date(2025, 2, 28)),
                WeekBreach::TooMuchInWeek {
                    planned: HalfDays(5),
                    allowed: HalfDays(4)
                },
            ]
        );
        let mut week = Week::new(date(2025, 3, 24), WeekdaySet::MONDAY_TO_FRIDAY).unwrap();
        week.days[1] = Day::whole(Location::Mobile);
        week.days[4] = Day::whole(Location::Mobile);
        let march = YearMonth::of(date(2025, 3, 1));
        let breaches = check_week(&week, Some(&terms()), &rules(), &[(march, HalfDays(14))]);
        assert_eq!(
            breaches,
            vec![
                WeekBreach::NotAgreedDay(date(2025, 3, 25)),
                WeekBreach::TooMuchInMonth {
                    month: march,
                    planned: HalfDays(18),
                    allowed: HalfDays(16)
                },
            ]
        );
        assert_eq!(
            breaches[1].to_string(),
            "Im März 2025 wären es 9 Tage mobile Arbeit; erlaubt sind höchstens 8 Tage."
        );
        assert_eq!(
            check_week(&week, None, &rules(), &[]),
            vec![
                WeekBreach::NoAgreement(date(2025, 3, 25)),
                WeekBreach::NoAgreement(date(2025, 3, 28)),
            ]
        );
    }
}
