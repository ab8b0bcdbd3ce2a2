//! The input turned into indexed cells: the planned days (working days of the horizon that
//! are not closed), per person and day what is possible (away, office only, free, pinned
//! mobile), their weekly and remaining monthly mobile days, and per day and office the
//! counts the hard rules need. Everything else in `rotation` works on this.

use super::conflict::Barred;
use super::{Pin, RotationInput, Spot};
use crate::calendar::{add_days, YearMonth};
use crate::error::PlannerError;
use crate::ids::PersonId;
use jiff::civil::{Date, Weekday};

/// What a person's day allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cell {
    /// Away: neither in the office nor mobile.
    Away,
    /// Present, office only (no agreement that day, or pinned to the office).
    Fixed(Barred),
    /// Present, office or mobile.
    Free,
    /// Pinned mobile, and the agreement allows it.
    Pinned,
    /// Pinned mobile, but the agreement does not allow it (a conflict by itself).
    PinnedBarred(Barred),
}

impl Cell {
    /// Whether the person may be mobile.
    pub(crate) fn mobile_possible(self) -> bool {
        matches!(self, Cell::Free | Cell::Pinned)
    }

    pub(crate) fn present(self) -> bool {
        self != Cell::Away
    }
}

pub(crate) struct PersonModel {
    pub id: PersonId,
    pub office: Option<usize>,
    /// Per planned day.
    pub cells: Vec<Cell>,
    /// Per planned day: a wished mobile day the person may work mobile.
    pub wished: Vec<bool>,
    /// Mobile days per week.
    pub week_cap: u16,
    /// Mobile days left per month of the horizon (the limit less the days elsewhere).
    pub month_cap: Vec<i32>,
    /// Mobile days taken elsewhere per month of the horizon.
    pub elsewhere: Vec<u16>,
}

pub(crate) struct Model {
    /// Every date of the horizon, 7 per week.
    pub horizon: Vec<Date>,
    /// The planned days as indices into `horizon`.
    pub planned: Vec<usize>,
    /// Per planned day: its week (0-based) and its month (index into `months`).
    pub week_of: Vec<usize>,
    pub month_of: Vec<usize>,
    pub months: Vec<YearMonth>,
    pub weeks: usize,
    /// Seats per office (index = position in the input).
    pub seats: Vec<u16>,
    pub people: Vec<PersonModel>,
    /// Per planned day: the minimum in the office and the people present.
    pub minimum: Vec<u16>,
    pub present: Vec<u16>,
    /// Per office and planned day: its people present.
    pub office_present: Vec<Vec<u16>>,
    pub days_per_month: u8,
}

fn invalid(why: String) -> PlannerError {
    PlannerError::InvalidPlanInput(why)
}

impl Model {
    pub(crate) fn build(input: &RotationInput) -> Result<Model, PlannerError> {
        if input.first_monday.weekday() != Weekday::Monday {
            return Err(invalid("Die Planung beginnt an einem Montag.".into()));
        }
        if !(1..=26).contains(&input.weeks) {
            return Err(invalid("Geplant werden 1 bis 26 Wochen.".into()));
        }
        for (i, office) in input.offices.iter().enumerate() {
            if input.offices[..i].iter().any(|o| o.id == office.id) {
                return Err(invalid(format!("{} ist doppelt angegeben.", office.id)));
            }
            if office.seats == 0 {
                return Err(invalid(format!("{} hat keinen Platz.", office.id)));
            }
        }
        for (i, member) in input.members.iter().enumerate() {
            if input.members[..i].iter().any(|m| m.person == member.person) {
                return Err(invalid(format!("{} ist doppelt angegeben.", member.person)));
            }
        }
        let horizon: Vec<Date> = (0..7 * i64::from(input.weeks))
            .map(|i| add_days(input.first_monday, i))
            .collect();
        let planned: Vec<usize> = (0..horizon.len())
            .filter(|i| {
                let date = horizon[*i];
                input.workdays.contains(date.weekday()) && !input.closed.contains(&date)
            })
            .collect();
        let week_of: Vec<usize> = planned.iter().map(|i| i / 7).collect();
        let mut months: Vec<YearMonth> = Vec::new();
        let month_of: Vec<usize> = planned
            .iter()
            .map(|i| {
                let month = YearMonth::of(horizon[*i]);
                if months.last() != Some(&month) {
                    months.push(month);
                }
                months.len() - 1
            })
            .collect();
        let mut people = Vec::with_capacity(input.members.len());
        for member in &input.members {
            let office = match member.office {
                None => None,
                Some(id) => Some(
                    input
                        .offices
                        .iter()
                        .position(|o| o.id == id)
                        .ok_or_else(|| invalid(format!("{id} ist nicht angegeben.")))?,
                ),
            };
            let cells: Vec<Cell> = planned
                .iter()
                .map(|i| cell(input, member, horizon[*i]))
                .collect();
            let wished = planned
                .iter()
                .zip(&cells)
                .map(|(i, c)| c.mobile_possible() && member.wishes.contains(horizon[*i].weekday()))
                .collect();
            let week_cap = member
                .terms
                .map_or(0, |t| u16::from(t.days_per_week(input.limits)));
            let elsewhere: Vec<u16> = months
                .iter()
                .map(|m| {
                    member
                        .mobile_elsewhere
                        .iter()
                        .filter(|(month, _)| month == m)
                        .map(|(_, days)| u16::from(*days))
                        .sum()
                })
                .collect();
            let month_cap = elsewhere
                .iter()
                .map(|e| i32::from(input.limits.days_per_month) - i32::from(*e))
                .collect();
            people.push(PersonModel {
                id: member.person,
                office,
                cells,
                wished,
                week_cap,
                month_cap,
                elsewhere,
            });
        }
        let minimum: Vec<u16> = planned
            .iter()
            .map(|i| input.min_in_office[horizon[*i].weekday().to_monday_zero_offset() as usize])
            .collect();
        let present: Vec<u16> = (0..planned.len())
            .map(|d| people.iter().filter(|p| p.cells[d].present()).count() as u16)
            .collect();
        let mut office_present = vec![vec![0u16; planned.len()]; input.offices.len()];
        for person in &people {
            if let Some(o) = person.office {
                for (d, c) in person.cells.iter().enumerate() {
                    office_present[o][d] += u16::from(c.present());
                }
            }
        }
        Ok(Model {
            horizon,
            planned,
            week_of,
            month_of,
            months,
            weeks: usize::from(input.weeks),
            seats: input.offices.iter().map(|o| o.seats).collect(),
            people,
            minimum,
            present,
            office_present,
            days_per_month: input.limits.days_per_month,
        })
    }

    pub(crate) fn date(&self, d: usize) -> Date {
        self.horizon[self.planned[d]]
    }

    pub(crate) fn monday(&self, week: usize) -> Date {
        self.horizon[7 * week]
    }

    /// The most people who may be mobile on day `d` and leave the minimum in the office.
    pub(crate) fn day_cap(&self, d: usize) -> i32 {
        i32::from(self.present[d]) - i32::from(self.minimum[d])
    }

    /// How many of office `o`'s people must be mobile (or away) on day `d`.
    pub(crate) fn office_need(&self, o: usize, d: usize) -> u16 {
        self.office_present[o][d].saturating_sub(self.seats[o])
    }

    /// The planned days of week `w`.
    pub(crate) fn days_of_week(&self, w: usize) -> std::ops::Range<usize> {
        let start = self.week_of.partition_point(|x| *x < w);
        let end = self.week_of.partition_point(|x| *x <= w);
        start..end
    }

    /// How many wished days person `p` can have by their agreement alone: per week the
    /// wished days they may work mobile, at most their weekly days.
    pub(crate) fn wanted(&self, p: usize) -> u16 {
        let person = &self.people[p];
        (0..self.weeks)
            .map(|w| {
                let wishable = self.days_of_week(w).filter(|d| person.wished[*d]).count() as u16;
                wishable.min(person.week_cap)
            })
            .sum()
    }

    /// The plan's spot for every horizon date of person `p`, from which planned days
    /// are mobile.
    pub(crate) fn spots(&self, p: usize, mobile: &[bool]) -> Vec<Spot> {
        let mut spots = vec![Spot::Off; self.horizon.len()];
        for (d, &h) in self.planned.iter().enumerate() {
            spots[h] = match (self.people[p].cells[d], mobile[d]) {
                (Cell::Away, _) => Spot::Away,
                (_, true) => Spot::Mobile,
                (_, false) => Spot::Office,
            };
        }
        spots
    }
}

fn cell(input: &RotationInput, member: &super::Member, date: Date) -> Cell {
    if member.away.contains(&date) {
        return Cell::Away;
    }
    let pin = member
        .pins
        .iter()
        .find(|(day, _)| *day == date)
        .map(|(_, pin)| *pin);
    let bar = match member.terms {
        None => Some(Barred::NoAgreement),
        Some(t) if !t.covers(date) => Some(Barred::NoAgreement),
        Some(t) if !t.allows(date, input.workdays) => Some(Barred::NotAgreedDay),
        Some(t) if t.days_per_week(input.limits) == 0 => Some(Barred::NotAgreedDay),
        Some(_) => None,
    };
    match (pin, bar) {
        (Some(Pin::Mobile), None) => Cell::Pinned,
        (Some(Pin::Mobile), Some(bar)) => Cell::PinnedBarred(bar),
        (Some(Pin::Office), _) => Cell::Fixed(Barred::PinnedOffice),
        (None, Some(bar)) => Cell::Fixed(bar),
        (None, None) => Cell::Free,
    }
}
