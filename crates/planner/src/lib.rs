//! Mobile work as a system (issue 19), pure: the service agreement's rules and the check of
//! an application against them (`agreement_rules`), what an agreement grants (`terms`),
//! the agreement's life from application to revocation with its audit trail and who may
//! decide (`approval`), a person's week (`week`), the office rotation planner for a unit
//! (`rotation`), desk and room bookings (`desks`), the phased rollout's caps and waiting
//! lists (`rollout`) and the staff council's aggregate report (`council`).
//!
//! # The sans-IO contract
//!
//! Nothing here reads a clock, a socket, a file or a database. Today, "now" and every
//! fact from the store (agreements, absences, wishes, bookings, who is absent today) come
//! in as arguments; decisions, audit records, plans, proofs of conflicts and deadlines go
//! out as values. Time-driven work is a deadline the shell schedules
//! ([`approval::Agreement::next_deadline`], [`desks::next_release`]), never a timer;
//! when the day or the moment comes, the shell calls back in
//! ([`approval::Agreement::advance`], [`desks::due_for_release`]). State transitions
//! consume the old state; a refused one hands it back. Dates are `jiff::civil` values in
//! the administration's local calendar (the shell converts with Europe/Berlin).
//! User-facing texts (`Display` of breaches, conflicts, errors) are German.
//!
//! # Example: an application, its approval, and the team's rotation
//!
//! ```
//! use jiff::civil::{date, Weekday};
//! use planner::agreement_rules::{AgreementRules, Application, Eligibility, MobileLimits, Person};
//! use planner::approval::{authorise, Applied, Leadership};
//! use planner::calendar::WeekdaySet;
//! use planner::ids::{AgreementId, OfficeId, PersonId, UnitId};
//! use planner::rotation::{check_plan, propose, Member, Office, Outcome, RotationInput};
//! use planner::terms::DaysPattern;
//!
//! let rules = AgreementRules {
//!     eligibility: Eligibility::default(),
//!     limits: MobileLimits { days_per_week: 3, days_per_month: 12 },
//!     workdays: WeekdaySet::MONDAY_TO_FRIDAY,
//!     core_hours: None,
//!     acknowledgements: vec![],
//!     notice_days: 28,
//!     max_term_days: None,
//!     reminder_days: vec![],
//! };
//! let unit = UnitId(23);
//! let anna = Person { id: PersonId(1), units: vec![unit], roles: vec![] };
//! let now = date(2025, 3, 3).at(9, 0, 0, 0);
//! let application = Application {
//!     pattern: DaysPattern::PerWeek(3),
//!     start: date(2025, 3, 10),
//!     end: None,
//!     reachable: None,
//!     acknowledged: vec![],
//!     reason: None,
//! };
//! // Anna applies; the checks pass, so the store writes the state and the audit record.
//! let (applied, _audit) = Applied::submit(AgreementId(7), &anna, application, &rules, now)?;
//! // Her head is away today, so the deputy decides.
//! let leaders = [Leadership { unit, head: Some(PersonId(9)), deputies: vec![PersonId(8)] }];
//! let deputy = authorise(&leaders, PersonId(8), anna.id, &[PersonId(9)])?;
//! let (approved, audit) = applied.approve(&deputy, now).map_err(|refused| refused.error)?;
//! assert!(audit.to_string().contains("Genehmigt"));
//!
//! // Anna and Ben share a one-seat office: one of them works mobile each day.
//! let member = |id, terms, wishes: &[Weekday]| Member {
//!     person: PersonId(id),
//!     office: Some(OfficeId(1)),
//!     terms,
//!     wishes: WeekdaySet::of(wishes),
//!     away: vec![],
//!     pins: vec![],
//!     mobile_elsewhere: vec![],
//! };
//! let input = RotationInput {
//!     unit,
//!     first_monday: date(2025, 3, 10),
//!     weeks: 4,
//!     workdays: WeekdaySet::MONDAY_TO_FRIDAY,
//!     closed: vec![],
//!     min_in_office: [0; 7],
//!     limits: rules.limits,
//!     offices: vec![Office { id: OfficeId(1), seats: 1 }],
//!     members: vec![
//!         member(1, Some(approved.terms), &[Weekday::Monday, Weekday::Friday]),
//!         member(2, Some(approved.terms), &[Weekday::Friday]),
//!     ],
//! };
//! match propose(&input)?.outcome {
//!     Outcome::Plan(plan) => assert!(check_plan(&input, &plan)?.is_empty()),
//!     Outcome::Conflict(conflict) => panic!("{conflict}"),
//!     Outcome::GaveUp => panic!("undecided"),
//! }
//! # Ok::<(), planner::error::PlannerError>(())
//! ```

#![deny(missing_docs)]

pub mod agreement_rules;
pub mod approval;
pub mod calendar;
pub mod council;
pub mod desks;
pub mod equipment;
pub mod error;
pub mod ids;
pub mod rollout;
pub mod rollout_report;
pub mod room_booking;
pub mod rotation;
pub mod terms;
pub mod week;

pub use error::PlannerError;

#[cfg(test)]
mod testing;
