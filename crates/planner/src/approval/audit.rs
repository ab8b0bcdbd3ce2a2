//! The audit record every transition of an agreement yields: the store appends it, the
//! person sees their whole history from it, the staff council's report counts it.

use super::authority::Capacity;
use crate::calendar::GermanDate;
use crate::ids::{AgreementId, PersonId, UnitId};
use crate::terms::{DaysPattern, Terms};
use jiff::civil::{Date, DateTime};
use std::fmt;

/// Why an application was rejected, as the staff council's report counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RejectionCategory {
    /// The service needs the person in the office (dienstliche Gründe).
    ServiceNeeds,
    /// The tasks cannot be done away from the office.
    TasksUnsuitable,
    /// The requirements of the service agreement are not met.
    RequirementsNotMet,
    /// Something else (the note says what).
    Other,
}

impl RejectionCategory {
    /// Every category, for reports.
    pub const ALL: [RejectionCategory; 4] = [
        RejectionCategory::ServiceNeeds,
        RejectionCategory::TasksUnsuitable,
        RejectionCategory::RequirementsNotMet,
        RejectionCategory::Other,
    ];
}

impl fmt::Display for RejectionCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RejectionCategory::ServiceNeeds => "dienstliche Gründe",
            RejectionCategory::TasksUnsuitable => "Tätigkeit nicht geeignet",
            RejectionCategory::RequirementsNotMet => "Voraussetzungen nicht erfüllt",
            RejectionCategory::Other => "sonstige Gründe",
        })
    }
}

/// Who did it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    /// The person the agreement is for.
    Applicant,
    /// A manager, in the capacity [`super::authorise`] found.
    Decider {
        /// Who.
        person: PersonId,
        /// As what.
        capacity: Capacity,
    },
    /// The calendar (an agreement ran out, a revocation took effect).
    Calendar,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditAction {
    /// Applied.
    Applied {
        /// The days asked for.
        pattern: DaysPattern,
        /// From.
        start: Date,
        /// Until.
        end: Option<Date>,
    },
    /// Applied again after changes were requested.
    Resubmitted {
        /// The days asked for now.
        pattern: DaysPattern,
        /// From.
        start: Date,
        /// Until.
        end: Option<Date>,
    },
    /// Changes requested.
    ChangesRequested {
        /// What to change.
        note: String,
    },
    /// Approved with these terms.
    Approved {
        /// The terms.
        terms: Terms,
    },
    /// Rejected.
    Rejected {
        /// The category.
        category: RejectionCategory,
        /// The reason in words.
        note: String,
    },
    /// The application was withdrawn.
    Withdrawn,
    /// Renewed until a new last day.
    Renewed {
        /// The last day before.
        from: Date,
        /// The new last day.
        to: Date,
    },
    /// Ended by agreement, from this day on.
    Ended {
        /// The last day of mobile work.
        last_day: Date,
    },
    /// Notice of revocation given; mobile work ends after the notice period.
    RevocationGiven {
        /// The first day without mobile work.
        effective: Date,
        /// Why.
        reason: String,
    },
    /// The revocation took effect.
    Revoked,
    /// The agreement ran out.
    Expired,
}

/// One entry of an agreement's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Which agreement.
    pub agreement: AgreementId,
    /// Whose.
    pub person: PersonId,
    /// The person's unit (for the staff council's per-unit counts).
    pub unit: UnitId,
    /// When (local time).
    pub at: DateTime,
    /// Who.
    pub actor: Actor,
    /// What.
    pub action: AuditAction,
}

impl AuditAction {
    /// The action's key ("applied", "approved", "rejected", …): what the administration's
    /// audit log and the stored history name it by. The free text some actions carry (a
    /// note, a reason) is the agreement's history's alone, never the audit log's.
    pub fn key(&self) -> &'static str {
        match self {
            AuditAction::Applied { .. } => "applied",
            AuditAction::Resubmitted { .. } => "resubmitted",
            AuditAction::ChangesRequested { .. } => "changes_requested",
            AuditAction::Approved { .. } => "approved",
            AuditAction::Rejected { .. } => "rejected",
            AuditAction::Withdrawn => "withdrawn",
            AuditAction::Renewed { .. } => "renewed",
            AuditAction::Ended { .. } => "ended",
            AuditAction::RevocationGiven { .. } => "revocation_given",
            AuditAction::Revoked => "revoked",
            AuditAction::Expired => "expired",
        }
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let period = |f: &mut fmt::Formatter<'_>, start: &Date, end: &Option<Date>| match end {
            Some(end) => write!(f, "vom {} bis {}", GermanDate(*start), GermanDate(*end)),
            None => write!(f, "ab {}, unbefristet", GermanDate(*start)),
        };
        match self {
            AuditAction::Applied {
                pattern,
                start,
                end,
            } => {
                write!(f, "Antrag gestellt ({pattern}, ")?;
                period(f, start, end)?;
                f.write_str(")")
            }
            AuditAction::Resubmitted {
                pattern,
                start,
                end,
            } => {
                write!(f, "Antrag geändert eingereicht ({pattern}, ")?;
                period(f, start, end)?;
                f.write_str(")")
            }
            AuditAction::ChangesRequested { note } => write!(f, "Änderungen erbeten: {note}"),
            AuditAction::Approved { terms } => {
                write!(f, "Genehmigt ({}, ", terms.pattern)?;
                period(f, &terms.start, &terms.end)?;
                f.write_str(")")
            }
            AuditAction::Rejected { category, note } => {
                write!(f, "Abgelehnt ({category}): {note}")
            }
            AuditAction::Withdrawn => f.write_str("Antrag zurückgezogen"),
            AuditAction::Renewed { from, to } => write!(
                f,
                "Verlängert vom {} bis {}",
                GermanDate(*from),
                GermanDate(*to)
            ),
            AuditAction::Ended { last_day } => {
                write!(
                    f,
                    "Einvernehmlich beendet, letzter Tag {}",
                    GermanDate(*last_day)
                )
            }
            AuditAction::RevocationGiven { effective, reason } => {
                write!(f, "Widerrufen zum {} ({reason})", GermanDate(*effective))
            }
            AuditAction::Revoked => f.write_str("Widerruf wirksam geworden"),
            AuditAction::Expired => f.write_str("Ausgelaufen"),
        }
    }
}

impl fmt::Display for AuditRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.at;
        write!(
            f,
            "{:02}.{:02}.{} {:02}:{:02}: {}",
            d.day(),
            d.month(),
            d.year(),
            d.hour(),
            d.minute(),
            self.action
        )?;
        match self.actor {
            Actor::Decider { person, capacity } => write!(f, " — {person} {capacity}"),
            Actor::Applicant | Actor::Calendar => Ok(()),
        }
    }
}
