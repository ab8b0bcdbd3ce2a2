//! Mobile work (issue 19), the store's part: the service agreement's rules and
//! acknowledgement texts ([`rules`]), who leads each unit and who is absent
//! ([`leadership`]), agreements with their append-only history ([`agreements`]), desks and
//! their half-day bookings ([`desks`]), and the phased rollout's caps and waiting lists
//! ([`rollout`]). The decisions are the `planner` crate's; the store keeps their results,
//! all or nothing, and refuses a second writer instead of applying a change twice.
//!
//! Days are stored as ISO dates and local times as ISO date-times (the planner's
//! `jiff::civil` values in the administration's calendar); both sort correctly as text.

mod agreements;
mod desk_layout;
mod desk_zones;
mod desks;
mod equipment;
mod leadership;
mod rollout;
mod rollout_history;
mod room_bookings;
mod rules;
mod team_week;
mod team_week_presence;

pub use agreements::{AgreementRow, AgreementState, HistoryEntry};
pub use desk_layout::LayoutKind;
pub use desks::{BuildingRoom, BuildingRow, DeskBookingRow, DeskRow, FloorRow, RoomKind};
pub use equipment::{EquipmentItemRow, LoanRow, ReservationRow};
pub use leadership::{AbsenceRow, LeaderRole, UnitLeader};
pub use rollout::{RolloutCriterionRow, RolloutFeature, WaitingRow};
pub use room_bookings::RoomBookingRow;
pub use rules::{AcknowledgementRow, TextRow};
pub use team_week::{
    FeedRow, FeedScope, NewOffice, OfficeRow, PlanRow, PlannedHalf, UnitMember, UnitRulesRow,
};
pub use team_week_presence::PresenceNow;

use crate::StoreError;
use jiff::civil::{Date, DateTime, Time};

/// A day as stored.
fn day_text(day: Date) -> String {
    day.to_string()
}

/// A local time as stored (seconds, no fraction).
fn datetime_text(at: DateTime) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S").to_string()
}

fn time_text(t: Time) -> String {
    t.strftime("%H:%M:%S").to_string()
}

fn parse_day(text: &str) -> Result<Date, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("not a day: {text:?}")))
}

fn parse_opt_day(text: Option<String>) -> Result<Option<Date>, StoreError> {
    text.as_deref().map(parse_day).transpose()
}

fn parse_datetime(text: &str) -> Result<DateTime, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("not a local time: {text:?}")))
}

fn parse_time(text: &str) -> Result<Time, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("not a time of day: {text:?}")))
}

/// Whether a database error is a unique-index violation.
fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}

/// Whether a database error is a foreign-key violation (a staff id or unit that does not
/// exist).
fn is_foreign_key_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_foreign_key_violation())
}

/// Maps a foreign-key violation to "no such …", anything else to a database error.
fn missing(error: sqlx::Error, what: &'static str, id: i64) -> StoreError {
    if is_foreign_key_violation(&error) {
        StoreError::NotFound { what, id }
    } else {
        StoreError::Database(error)
    }
}
