//! The rotation planner: for one unit over the coming weeks, who works in the office and
//! who works mobile on each working day.
//!
//! Hard rules, all kept or the plan is not proposed:
//! * nobody works mobile without an agreement in force that day, or on a weekday their
//!   agreement does not name; nobody is planned on a day they are away;
//! * at most their weekly mobile days per calendar week, and at most the monthly limit per
//!   calendar month (counting mobile days of that month outside the plan);
//! * at most as many people in an office as it has seats (a shared office in the
//!   agreement's sense has one seat: at most one person per day);
//! * at least the unit's minimum in the office each day (citizen-facing units);
//! * the manager's pins (this person in the office / mobile on that day).
//!
//! [`propose`] returns a plan that keeps them all and grants as many wished mobile days as
//! possible, fairly (see `fairness` for the exact bound), or a [`Conflict`] that proves no
//! such plan exists (which day, which office, how many short, which limits), never a plan
//! that breaks a rule. [`check_plan`] checks a plan the manager edited.
//!
//! Sans-IO: everything comes in as [`RotationInput`] (the shell reads agreements,
//! absences and wishes from the store), everything goes out as values.

mod check;
mod conflict;
mod fairness;
mod flow;
mod focus;
mod model;
mod network;
mod search;

pub use check::{check_plan, Breach};
pub use conflict::{Barred, Conflict, Cut, Demand, Limit};
pub use search::MAX_SOLVES;

use crate::agreement_rules::MobileLimits;
use crate::calendar::{add_days, days_between, WeekdaySet, YearMonth};
use crate::error::PlannerError;
use crate::ids::{OfficeId, PersonId, UnitId};
use crate::terms::Terms;
use jiff::civil::Date;
use model::Model;

/// An office of the unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Office {
    /// Which.
    pub id: OfficeId,
    /// How many people may work in it on one day (a shared office: 1).
    pub seats: u16,
}

/// A manager's fixed choice for a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pin {
    /// In the office.
    Office,
    /// Mobile.
    Mobile,
}

/// A member of the unit as the planner sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Who.
    pub person: PersonId,
    /// Their office; `None`: none assigned (a desk-sharing pool).
    pub office: Option<OfficeId>,
    /// Their agreement in force; `None`: no mobile work.
    pub terms: Option<Terms>,
    /// The weekdays they would like to work mobile.
    pub wishes: WeekdaySet,
    /// Days they are away (leave, business trip, sick), whole days.
    pub away: Vec<Date>,
    /// The manager's pins.
    pub pins: Vec<(Date, Pin)>,
    /// Mobile days in months the plan touches, taken on days outside the plan.
    pub mobile_elsewhere: Vec<(YearMonth, u8)>,
}

/// What the planner plans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationInput {
    /// The unit.
    pub unit: UnitId,
    /// The first Monday of the plan.
    pub first_monday: Date,
    /// How many weeks (1 to 26).
    pub weeks: u8,
    /// The working days (usually Monday to Friday).
    pub workdays: WeekdaySet,
    /// Days the office is closed (public holidays): not planned.
    pub closed: Vec<Date>,
    /// The minimum in the office per weekday, Monday first.
    pub min_in_office: [u16; 7],
    /// The service agreement's limits.
    pub limits: MobileLimits,
    /// The unit's offices.
    pub offices: Vec<Office>,
    /// The unit's people.
    pub members: Vec<Member>,
}

/// Where someone is on a day of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Spot {
    /// In the office.
    Office,
    /// Mobile.
    Mobile,
    /// Away.
    Away,
    /// Not a planned day (weekend, closed).
    Off,
}

/// A plan: per person, a spot for every day of the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    first_monday: Date,
    weeks: u8,
    people: Vec<PersonId>,
    /// Person after person, 7 × weeks days each.
    spots: Vec<Spot>,
}

impl Plan {
    /// Everyone in the office on every planned day (away when away): the plan a manager
    /// starts editing from.
    pub fn blank(input: &RotationInput) -> Result<Plan, PlannerError> {
        let model = Model::build(input)?;
        let none = vec![false; model.planned.len()];
        Ok(plan_of(&model, input, &vec![none; model.people.len()]))
    }

    /// The people, in the order of the input.
    pub fn people(&self) -> &[PersonId] {
        &self.people
    }

    /// Every date of the period.
    pub fn dates(&self) -> impl Iterator<Item = Date> + '_ {
        (0..7 * i64::from(self.weeks)).map(|i| add_days(self.first_monday, i))
    }

    /// A person's spots, one per date of the period.
    pub fn row(&self, person: PersonId) -> Option<&[Spot]> {
        let days = 7 * usize::from(self.weeks);
        let i = self.people.iter().position(|p| *p == person)?;
        Some(&self.spots[i * days..(i + 1) * days])
    }

    /// A person's spot on a date.
    pub fn spot(&self, person: PersonId, date: Date) -> Option<Spot> {
        let day = usize::try_from(days_between(self.first_monday, date)).ok()?;
        self.row(person)?.get(day).copied()
    }

    /// Changes a person's spot on a date (a manager's edit; check the result with
    /// [`check_plan`]).
    pub fn set(&mut self, person: PersonId, date: Date, spot: Spot) -> Result<(), PlannerError> {
        let days = 7 * usize::from(self.weeks);
        let day = usize::try_from(days_between(self.first_monday, date))
            .ok()
            .filter(|d| *d < days);
        match (self.people.iter().position(|p| *p == person), day) {
            (Some(i), Some(day)) => {
                self.spots[i * days + day] = spot;
                Ok(())
            }
            _ => Err(PlannerError::InvalidPlanInput(
                "Person oder Tag gehören nicht zu diesem Plan.".into(),
            )),
        }
    }
}

/// How the wishes came out for one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Share {
    /// Who.
    pub person: PersonId,
    /// Wished days their agreement allows, at most their weekly days per week.
    pub wanted: u16,
    /// Wished days they work mobile.
    pub granted: u16,
    /// Mobile days they did not wish (forced by the office rules).
    pub unwished: u16,
}

/// The outcome of [`propose`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A plan keeping every hard rule.
    Plan(Plan),
    /// Proof that none exists.
    Conflict(Conflict),
    /// The search hit [`MAX_SOLVES`] without deciding (weekly and monthly limits across
    /// month boundaries in a large unit); neither a plan nor a proof.
    GaveUp,
}

/// How much work the planning took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Effort {
    /// Flows solved.
    pub solves: usize,
    /// Nodes of the largest flow network.
    pub nodes: usize,
    /// Arcs of the largest flow network.
    pub arcs: usize,
}

/// A proposal with its effort.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// Plan, conflict, or neither.
    pub outcome: Outcome,
    /// The work done.
    pub effort: Effort,
}

/// Plans the unit: a fair plan that keeps every hard rule, or the proof that none exists.
/// An error only for input that contradicts itself (a Monday that is not one, an office
/// named twice, a member's office that is not listed).
pub fn propose(input: &RotationInput) -> Result<Proposal, PlannerError> {
    let model = Model::build(input)?;
    let mut effort = Effort::default();
    let outcome = match search::find(&model, input, &mut effort) {
        search::Found::Plan(mut mobile) => {
            fairness::balance(&model, &mut mobile);
            let plan = plan_of(&model, input, &mobile);
            debug_assert_eq!(check_plan(input, &plan), Ok(vec![]));
            Outcome::Plan(plan)
        }
        search::Found::Conflict(conflict) => Outcome::Conflict(conflict),
        search::Found::GaveUp => Outcome::GaveUp,
    };
    Ok(Proposal { outcome, effort })
}

/// How wishes and unwished days came out in `plan`, per person in input order.
pub fn shares(input: &RotationInput, plan: &Plan) -> Result<Vec<Share>, PlannerError> {
    let model = Model::build(input)?;
    let mut shares = Vec::with_capacity(model.people.len());
    for (p, person) in model.people.iter().enumerate() {
        let row = plan.row(person.id).ok_or_else(|| {
            PlannerError::InvalidPlanInput(format!("{} fehlt im Plan.", person.id))
        })?;
        let (mut granted, mut unwished) = (0, 0);
        for (d, &h) in model.planned.iter().enumerate() {
            if row[h] == Spot::Mobile {
                if person.wished[d] {
                    granted += 1;
                } else {
                    unwished += 1;
                }
            }
        }
        shares.push(Share {
            person: person.id,
            wanted: model.wanted(p),
            granted,
            unwished,
        });
    }
    Ok(shares)
}

fn plan_of(model: &Model, input: &RotationInput, mobile: &[Vec<bool>]) -> Plan {
    let mut spots = Vec::with_capacity(model.people.len() * model.horizon.len());
    for (p, row) in mobile.iter().enumerate() {
        spots.extend(model.spots(p, row));
    }
    Plan {
        first_monday: input.first_monday,
        weeks: input.weeks,
        people: model.people.iter().map(|p| p.id).collect(),
        spots,
    }
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
