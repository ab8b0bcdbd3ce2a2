//! Why no plan exists, as a proof anyone can check by counting.
//!
//! A [`Cut`] says: the [`Demand`]s force at least `needed` mobile person-days (each on
//! its own cells: an office's people on a day, or one pinned person-day), and the
//! [`Limit`]s allow at most `available` of those; `needed > available`. Every cell of a
//! demand is either barred from mobile work (listed in `barred`) or counted by at least as
//! many limits as demands it is part of, so no plan can exist: the needs add up to at most
//! the mobile cells of the demands, which add up to at most the limits' caps.
//!
//! Rarely the weekly and monthly limits of people whose week straddles a month boundary
//! cannot both be kept with the office rules, while each alone could be; then no single
//! count says so and the planner reports [`Conflict::WeekAndMonth`] after trying every
//! split of those weeks.

use crate::calendar::{GermanDate, YearMonth};
use crate::ids::{OfficeId, PersonId};
use jiff::civil::Date;
use std::fmt;

/// A hard rule that forces mobile work.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Demand {
    /// More of an office's people are present than it has seats.
    SharedOffice {
        /// The office.
        office: OfficeId,
        /// The day.
        date: Date,
        /// Its people present that day.
        present: u16,
        /// Its seats.
        seats: u16,
    },
    /// The manager pinned a person to mobile work that day.
    Pinned {
        /// Who.
        person: PersonId,
        /// The day.
        date: Date,
    },
}

impl Demand {
    /// How many mobile person-days it forces.
    pub fn need(&self) -> i64 {
        match self {
            Demand::SharedOffice { present, seats, .. } => {
                i64::from(present.saturating_sub(*seats))
            }
            Demand::Pinned { .. } => 1,
        }
    }
}

/// A rule that caps mobile work.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Limit {
    /// A person's mobile days in a week.
    Week {
        /// Who.
        person: PersonId,
        /// The week's Monday.
        monday: Date,
        /// The most days.
        cap: u16,
    },
    /// A person's mobile days in the part of a week within one month (still at most the
    /// week's days).
    WeekPart {
        /// Who.
        person: PersonId,
        /// The week's Monday.
        monday: Date,
        /// The month.
        month: YearMonth,
        /// The most days.
        cap: u16,
    },
    /// A person's mobile days left in a month.
    Month {
        /// Who.
        person: PersonId,
        /// The month.
        month: YearMonth,
        /// The monthly limit.
        max: u8,
        /// Mobile days in that month outside the plan.
        elsewhere: u16,
    },
    /// The minimum in the office on a day: present less the minimum may be mobile.
    Day {
        /// The day.
        date: Date,
        /// People present.
        present: u16,
        /// The minimum in the office.
        minimum: u16,
    },
    /// One person-day is one mobile day at most.
    Cell {
        /// Who.
        person: PersonId,
        /// The day.
        date: Date,
    },
}

impl Limit {
    /// The most mobile person-days it allows (negative: not even nobody mobile helps).
    pub fn cap(&self) -> i64 {
        match self {
            Limit::Week { cap, .. } | Limit::WeekPart { cap, .. } => i64::from(*cap),
            Limit::Month { max, elsewhere, .. } => (i64::from(*max) - i64::from(*elsewhere)).max(0),
            Limit::Day {
                present, minimum, ..
            } => i64::from(*present) - i64::from(*minimum),
            Limit::Cell { .. } => 1,
        }
    }
}

/// Why a person cannot work mobile on a day a demand needs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Barred {
    /// No agreement in force that day.
    NoAgreement,
    /// The agreement names other weekdays.
    NotAgreedDay,
    /// Pinned to the office.
    PinnedOffice,
}

/// The counting proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cut {
    /// What forces mobile work.
    pub demands: Vec<Demand>,
    /// What caps it.
    pub limits: Vec<Limit>,
    /// People a demand counts who cannot work mobile that day, and why.
    pub barred: Vec<(PersonId, Date, Barred)>,
    /// The demands' total need.
    pub needed: i64,
    /// The limits' total cap.
    pub available: i64,
}

/// Why the hard rules cannot all be met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// A counting proof.
    Cut(Cut),
    /// Weekly and monthly limits across a month boundary, together with the office rules.
    WeekAndMonth {
        /// The people whose week straddles the boundary and whose monthly limit binds.
        people: Vec<PersonId>,
        /// The Mondays of the weeks concerned.
        weeks: Vec<Date>,
    },
}

impl fmt::Display for Demand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Demand::SharedOffice {
                office,
                date,
                present,
                seats,
            } => {
                let need = self.need();
                let verb = if need == 1 { "muss" } else { "müssen" };
                write!(
                    f,
                    "{office} am {}: {present} Personen anwesend, {} – {need} {verb} mobil arbeiten",
                    GermanDate(*date),
                    places(*seats),
                )
            }
            Demand::Pinned { person, date } => write!(
                f,
                "{person} ist für den {} auf mobile Arbeit festgelegt",
                GermanDate(*date)
            ),
        }
    }
}

fn places(seats: u16) -> String {
    match seats {
        1 => "1 Platz".to_string(),
        n => format!("{n} Plätze"),
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Week {
                person,
                monday,
                cap,
            } => write!(
                f,
                "{person} darf in der Woche ab {} höchstens {cap} Tage mobil arbeiten",
                GermanDate(*monday)
            ),
            Limit::WeekPart {
                person,
                monday,
                month,
                cap,
            } => write!(
                f,
                "{person} darf in der Woche ab {} (im {month}) höchstens {cap} Tage mobil arbeiten",
                GermanDate(*monday)
            ),
            Limit::Month {
                person,
                month,
                max,
                elsewhere,
            } => write!(
                f,
                "{person} hat im {month} schon {elsewhere} von höchstens {max} mobilen Tagen",
            ),
            Limit::Day {
                date,
                present,
                minimum,
            } if present < minimum => write!(
                f,
                "am {} sind nur {present} anwesend, mindestens {minimum} müssen im Büro sein",
                GermanDate(*date)
            ),
            Limit::Day {
                date,
                present,
                minimum,
            } => write!(
                f,
                "Mindestbesetzung am {}: {present} anwesend, mindestens {minimum} im Büro – höchstens {} mobil",
                GermanDate(*date),
                self.cap()
            ),
            Limit::Cell { person, date } => {
                write!(f, "{person} am {}: 1 Tag", GermanDate(*date))
            }
        }
    }
}

impl fmt::Display for Barred {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Barred::NoAgreement => "keine Vereinbarung über mobile Arbeit",
            Barred::NotAgreedDay => "kein vereinbarter Tag",
            Barred::PinnedOffice => "für das Büro festgelegt",
        })
    }
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Conflict::Cut(cut) => {
                write!(
                    f,
                    "Kein Plan möglich: nötig wären mindestens {} mobile Arbeitstage, möglich sind höchstens {} ({} zu wenig).",
                    cut.needed.max(0),
                    cut.available,
                    cut.needed - cut.available
                )?;
                if !cut.demands.is_empty() {
                    f.write_str(" Nötig, weil: ")?;
                    list(f, &cut.demands)?;
                    f.write_str(".")?;
                }
                if !cut.limits.is_empty() {
                    f.write_str(" Begrenzt durch: ")?;
                    list(f, &cut.limits)?;
                    f.write_str(".")?;
                }
                if !cut.barred.is_empty() {
                    f.write_str(" Nicht mobil möglich: ")?;
                    let barred: Vec<String> = cut
                        .barred
                        .iter()
                        .map(|(p, d, why)| format!("{p} am {} ({why})", GermanDate(*d)))
                        .collect();
                    f.write_str(&barred.join("; "))?;
                    f.write_str(".")?;
                }
                Ok(())
            }
            Conflict::WeekAndMonth { people, weeks } => {
                let people: Vec<String> = people.iter().map(ToString::to_string).collect();
                let weeks: Vec<String> = weeks.iter().map(|d| GermanDate(*d).to_string()).collect();
                write!(
                    f,
                    "Kein Plan möglich: Wochen- und Monatsgrenzen von {} in den Wochen ab {} lassen sich zusammen mit den Büro-Regeln nicht einhalten.",
                    people.join(", "),
                    weeks.join(", ")
                )
            }
        }
    }
}

fn list<T: fmt::Display>(f: &mut fmt::Formatter<'_>, items: &[T]) -> fmt::Result {
    let texts: Vec<String> = items.iter().map(ToString::to_string).collect();
    f.write_str(&texts.join("; "))
}
