//! The planner's one error type. Texts are German: the web shows them to people as they
//! are (the store and the web map the variants to status codes).

use crate::agreement_rules::RuleBreach;
use crate::calendar::{DayPart, GermanDate};
use crate::ids::{BookingId, PersonId, SpaceId};
use jiff::civil::Date;

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlannerError {
    /// The configured rules contradict themselves.
    #[error("Die Regeln der Dienstvereinbarung sind nicht stimmig: {0}")]
    InvalidRules(String),
    /// An application breaks rules of the service agreement.
    #[error("Der Antrag verstößt gegen die Dienstvereinbarung: {}", join(.0))]
    RulesBroken(Vec<RuleBreach>),
    /// Someone decided who may not decide for this person.
    #[error("{decider} darf über diesen Antrag von {applicant} nicht entscheiden.")]
    NotPermitted {
        /// Who tried.
        decider: PersonId,
        /// Whose agreement.
        applicant: PersonId,
    },
    /// A renewal that does not extend the agreement.
    #[error("Die Verlängerung muss nach dem bisherigen Ende ({}) enden.", GermanDate(*.current_end))]
    RenewalTooShort {
        /// The agreement's current last day.
        current_end: Date,
    },
    /// An approval after the period asked for is over.
    #[error("Der beantragte Zeitraum endete am {}; bitte einen neuen Antrag stellen.", GermanDate(*.end))]
    PeriodOver {
        /// The last day asked for.
        end: Date,
    },
    /// A renewal of an open-ended agreement.
    #[error("Eine unbefristete Vereinbarung muss nicht verlängert werden.")]
    OpenEnded,
    /// A renewal longer than one agreement may run.
    #[error("Die Verlängerung um {days} Tage ist zu lang; höchstens {max} Tage sind möglich.")]
    RenewalTooLong {
        /// Days asked for.
        days: u32,
        /// The longest term.
        max: u32,
    },
    /// The rotation planner's input contradicts itself (not a conflict of the rules: a
    /// mistake in what was handed in).
    #[error("Die Eingaben für die Planung sind fehlerhaft: {0}")]
    InvalidPlanInput(String),
    /// The space is already booked for (part of) that time.
    #[error("{space} ist am {} {part} bereits gebucht.", GermanDate(*.date))]
    SpaceTaken {
        /// The space.
        space: SpaceId,
        /// The day.
        date: Date,
        /// The part asked for.
        part: DayPart,
        /// The booking in the way.
        by: BookingId,
    },
    /// The person already holds another space for (part of) that time.
    #[error("Sie haben am {} bereits einen Platz gebucht.", GermanDate(*.date))]
    PersonAlreadyBooked {
        /// The day.
        date: Date,
        /// The booking they hold.
        booking: BookingId,
    },
    /// A check-in that does not fit the booking.
    #[error("Einchecken nicht möglich: {0}")]
    CheckIn(&'static str),
    /// A waiting-list applicant names a priority criterion that is not configured.
    #[error("Das Vorrangkriterium „{0}“ ist nicht eingerichtet.")]
    UnknownCriterion(String),
}

fn join(breaches: &[RuleBreach]) -> String {
    breaches
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}
