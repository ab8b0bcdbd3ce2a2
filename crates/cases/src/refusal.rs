//! Why a change of a case was refused as a whole. Nothing of a refused change is written.

use crate::field_error::FieldError;
use crate::state::TransitionError;

/// A refused change of a case.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// Fields with bad values, each with its own error, in the order of the form.
    #[error("{}", messages(.0))]
    Fields(Vec<FieldError>),
    /// The caller's number is no telephone number.
    #[error(
        "Anrufernummer: „{raw}“ ist keine Telefonnummer. Erlaubt sind Ziffern, Leerzeichen, \
         „/“, „-“, Klammern und ein „+“ am Anfang."
    )]
    CallerNumber {
        /// What arrived (at most 40 characters of it).
        raw: String,
    },
    /// A change of state that is not allowed.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The assignee is unknown or neither agent nor supervisor of the hotline.
    #[error(
        "„{login}“ ist weder Agent noch Supervisor dieser Hotline; Fälle können nur ihnen \
         zugewiesen werden."
    )]
    AssigneeNotMember {
        /// The login asked for.
        login: String,
    },
    /// Someone changed the case since the caller read it.
    #[error(
        "Der Fall wurde inzwischen geändert (Stand {current} statt {expected}). Bitte neu \
         laden und die Änderung wiederholen."
    )]
    Stale {
        /// The revision the caller had read.
        expected: i64,
        /// The revision stored.
        current: i64,
    },
}

fn messages(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(FieldError::message)
        .collect::<Vec<_>>()
        .join(" ")
}

impl Refusal {
    /// Whether the refusal is a conflict with what others stored meanwhile (a full slot,
    /// a stale revision) rather than a bad request.
    pub fn is_conflict(&self) -> bool {
        match self {
            Refusal::Fields(errors) => errors.iter().any(|e| e.problem.is_conflict()),
            Refusal::Transition(_) | Refusal::Stale { .. } => true,
            Refusal::AssigneeNotMember { .. } | Refusal::CallerNumber { .. } => false,
        }
    }
}
