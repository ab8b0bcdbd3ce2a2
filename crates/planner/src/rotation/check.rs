//! Checks a plan — proposed, or edited by the manager — against every hard rule, straight
//! from the input (independently of how the planner searched): absences, agreements,
//! weekly and monthly limits, seats per office, the minimum in the office.

use super::{Plan, RotationInput, Spot};
use crate::calendar::{add_days, GermanDate, YearMonth};
use crate::error::PlannerError;
use crate::ids::{OfficeId, PersonId};
use jiff::civil::Date;
use std::fmt;

/// A hard rule a plan breaks.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Breach {
    /// Planned in the office or mobile while away.
    AbsenceIgnored {
        /// Who.
        person: PersonId,
        /// The day.
        date: Date,
    },
    /// Mobile without an agreement in force that day.
    NoAgreement {
        /// Who.
        person: PersonId,
        /// The day.
        date: Date,
    },
    /// Mobile on a day the agreement does not name.
    NotAgreedDay {
        /// Who.
        person: PersonId,
        /// The day.
        date: Date,
    },
    /// More mobile days in a week than agreed.
    TooManyInWeek {
        /// Who.
        person: PersonId,
        /// The Monday.
        monday: Date,
        /// Planned.
        days: u16,
        /// Allowed.
        max: u16,
    },
    /// More mobile days in a month than allowed (counting days outside the plan).
    TooManyInMonth {
        /// Who.
        person: PersonId,
        /// The month.
        month: YearMonth,
        /// Planned, with the days outside the plan.
        days: u16,
        /// Allowed.
        max: u16,
    },
    /// More people in an office than seats.
    OfficeOverfull {
        /// The office.
        office: OfficeId,
        /// The day.
        date: Date,
        /// In the office.
        in_office: u16,
        /// Its seats.
        seats: u16,
    },
    /// Fewer people in the office than the minimum.
    UnderStaffed {
        /// The day.
        date: Date,
        /// In the office.
        in_office: u16,
        /// The minimum.
        minimum: u16,
    },
}

impl fmt::Display for Breach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Breach::AbsenceIgnored { person, date } => write!(
                f,
                "{person} ist am {} abwesend, aber eingeplant.",
                GermanDate(*date)
            ),
            Breach::NoAgreement { person, date } => write!(
                f,
                "{person} hat am {} keine Vereinbarung über mobile Arbeit.",
                GermanDate(*date)
            ),
            Breach::NotAgreedDay { person, date } => write!(
                f,
                "Der {} ist für {person} kein vereinbarter Tag für mobile Arbeit.",
                GermanDate(*date)
            ),
            Breach::TooManyInWeek {
                person,
                monday,
                days,
                max,
            } => write!(
                f,
                "{person} arbeitet in der Woche ab {} an {days} Tagen mobil; vereinbart sind höchstens {max}.",
                GermanDate(*monday)
            ),
            Breach::TooManyInMonth {
                person,
                month,
                days,
                max,
            } => write!(
                f,
                "{person} käme im {month} auf {days} mobile Tage; erlaubt sind höchstens {max}."
            ),
            Breach::OfficeOverfull {
                office,
                date,
                in_office,
                seats,
            } => write!(
                f,
                "{office} ist am {} mit {in_office} Personen belegt, hat aber nur {seats} Platz/Plätze.",
                GermanDate(*date)
            ),
            Breach::UnderStaffed {
                date,
                in_office,
                minimum,
            } => write!(
                f,
                "Am {} sind nur {in_office} Personen im Büro; mindestens {minimum} müssen es sein.",
                GermanDate(*date)
            ),
        }
    }
}

/// Every hard rule `plan` breaks for `input` (empty: the plan may be accepted). An error
/// if the plan is not one for this input (other people or another period).
pub fn check_plan(input: &RotationInput, plan: &Plan) -> Result<Vec<Breach>, PlannerError> {
    if plan.first_monday != input.first_monday || plan.weeks != input.weeks {
        return Err(PlannerError::InvalidPlanInput(
            "Der Plan gilt für einen anderen Zeitraum.".into(),
        ));
    }
    let mut breaches = Vec::new();
    let days = 7 * usize::from(input.weeks);
    let date = |i: usize| add_days(input.first_monday, i as i64);
    let planned = |i: usize| {
        let d = date(i);
        input.workdays.contains(d.weekday()) && !input.closed.contains(&d)
    };
    let mut in_office = vec![0u16; days];
    let mut office_in = vec![vec![0u16; days]; input.offices.len()];
    for member in &input.members {
        let row = plan.row(member.person).ok_or_else(|| {
            PlannerError::InvalidPlanInput(format!("{} fehlt im Plan.", member.person))
        })?;
        let person = member.person;
        let office = member
            .office
            .and_then(|id| input.offices.iter().position(|o| o.id == id));
        let mut month_days: Vec<(YearMonth, u16)> = Vec::new();
        for (i, spot) in row.iter().enumerate() {
            let d = date(i);
            let busy = matches!(spot, Spot::Office | Spot::Mobile);
            if busy && member.away.contains(&d) {
                breaches.push(Breach::AbsenceIgnored { person, date: d });
            }
            if *spot == Spot::Office && planned(i) {
                in_office[i] += 1;
                if let Some(o) = office {
                    office_in[o][i] += 1;
                }
            }
            if *spot != Spot::Mobile {
                continue;
            }
            match member.terms {
                Some(t) if t.allows(d, input.workdays) => {}
                Some(t) if t.covers(d) => breaches.push(Breach::NotAgreedDay { person, date: d }),
                _ => breaches.push(Breach::NoAgreement { person, date: d }),
            }
            let month = YearMonth::of(d);
            match month_days.iter_mut().find(|(m, _)| *m == month) {
                Some((_, n)) => *n += 1,
                None => month_days.push((month, 1)),
            }
        }
        if let Some(terms) = member.terms {
            let max = u16::from(terms.days_per_week(input.limits));
            for (w, week) in row.chunks(7).enumerate() {
                let days = week.iter().filter(|s| **s == Spot::Mobile).count() as u16;
                if days > max {
                    let monday = date(7 * w);
                    breaches.push(Breach::TooManyInWeek {
                        person,
                        monday,
                        days,
                        max,
                    });
                }
            }
        }
        let max = u16::from(input.limits.days_per_month);
        for (month, planned_days) in month_days {
            let elsewhere: u16 = member
                .mobile_elsewhere
                .iter()
                .filter(|(m, _)| *m == month)
                .map(|(_, n)| u16::from(*n))
                .sum();
            if planned_days + elsewhere > max {
                let days = planned_days + elsewhere;
                breaches.push(Breach::TooManyInMonth {
                    person,
                    month,
                    days,
                    max,
                });
            }
        }
    }
    for i in (0..days).filter(|i| planned(*i)) {
        for (o, office) in input.offices.iter().enumerate() {
            if office_in[o][i] > office.seats {
                breaches.push(Breach::OfficeOverfull {
                    office: office.id,
                    date: date(i),
                    in_office: office_in[o][i],
                    seats: office.seats,
                });
            }
        }
        let minimum = input.min_in_office[date(i).weekday().to_monday_zero_offset() as usize];
        if in_office[i] < minimum {
            breaches.push(Breach::UnderStaffed {
                date: date(i),
                in_office: in_office[i],
                minimum,
            });
        }
    }
    Ok(breaches)
}
