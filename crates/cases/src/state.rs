//! The states a case moves through: new (nobody has worked on it yet), in progress, done.
//! Work moves forward: a new case is taken up or finished at once, a case in progress is
//! finished; a finished case can be reopened (back to in progress) when the citizen calls
//! again about it. Nothing goes back to "new": someone has seen it.
//!
//! Finishing a case starts its retention period (`retention`); reopening stops it.

use serde::{Deserialize, Serialize};

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    /// Nobody has worked on it yet.
    New,
    /// Someone is working on it.
    InProgress,
    /// Finished (closed).
    Done,
}

/// What a permitted change of state means for the case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateChange {
    /// The state stays as it was.
    Same,
    /// Taken up (new → in progress).
    TakenUp,
    /// Finished: the case is closed now.
    Closed,
    /// Reopened: the case is no longer closed.
    Reopened,
}

impl StateChange {
    /// When the case counts as closed after the change (`closed_at` before it, `now`).
    pub fn closed_at(self, before: Option<i64>, now: i64) -> Option<i64> {
        match self {
            StateChange::Same | StateChange::TakenUp => before,
            StateChange::Closed => Some(now),
            StateChange::Reopened => None,
        }
    }
}

/// A change of state that is not allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "Ein Fall mit dem Status „{}“ kann nicht auf „{}“ gesetzt werden.{}",
    .from.german(),
    .to.german(),
    hint(*.from)
)]
pub struct TransitionError {
    /// The current state.
    pub from: CaseState,
    /// The state asked for.
    pub to: CaseState,
}

fn hint(from: CaseState) -> &'static str {
    match from {
        CaseState::Done => " Ein erledigter Fall kann nur wieder „in Bearbeitung“ genommen werden.",
        _ => "",
    }
}

impl CaseState {
    /// Every state, in the order of work.
    pub const ALL: [CaseState; 3] = [CaseState::New, CaseState::InProgress, CaseState::Done];

    /// The name the API and the database use.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::New => "new",
            CaseState::InProgress => "in_progress",
            CaseState::Done => "done",
        }
    }

    /// The state of a name of [`CaseState::as_str`].
    pub fn parse(name: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The German word the web client and the export show.
    pub fn german(self) -> &'static str {
        match self {
            CaseState::New => "neu",
            CaseState::InProgress => "in Bearbeitung",
            CaseState::Done => "erledigt",
        }
    }

    /// Whether a case may go from this state to `to`, and what that means.
    pub fn change_to(self, to: CaseState) -> Result<StateChange, TransitionError> {
        use CaseState::{Done, InProgress, New};
        match (self, to) {
            (a, b) if a == b => Ok(StateChange::Same),
            (New, InProgress) => Ok(StateChange::TakenUp),
            (New | InProgress, Done) => Ok(StateChange::Closed),
            (Done, InProgress) => Ok(StateChange::Reopened),
            (from, to) => Err(TransitionError { from, to }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseState::{Done, InProgress, New};

    #[test]
    fn work_moves_forward_and_a_finished_case_can_be_reopened() {
        let allowed: Vec<(CaseState, CaseState)> = CaseState::ALL
            .into_iter()
            .flat_map(|a| CaseState::ALL.into_iter().map(move |b| (a, b)))
            .filter(|&(a, b)| a != b && a.change_to(b).is_ok())
            .collect();
        assert_eq!(
            allowed,
            [
                (New, InProgress),
                (New, Done),
                (InProgress, Done),
                (Done, InProgress)
            ]
        );
        for s in CaseState::ALL {
            assert_eq!(s.change_to(s), Ok(StateChange::Same));
        }
    }

    #[test]
    fn closing_sets_the_time_and_reopening_clears_it() {
        assert_eq!(New.change_to(Done).unwrap().closed_at(None, 50), Some(50));
        assert_eq!(
            Done.change_to(InProgress).unwrap().closed_at(Some(50), 90),
            None
        );
        assert_eq!(
            Done.change_to(Done).unwrap().closed_at(Some(50), 90),
            Some(50)
        );
        assert_eq!(New.change_to(InProgress).unwrap().closed_at(None, 90), None);
    }

    #[test]
    fn refusals_say_what_is_possible() {
        let e = Done.change_to(New).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Ein Fall mit dem Status „erledigt“ kann nicht auf „neu“ gesetzt werden. Ein \
             erledigter Fall kann nur wieder „in Bearbeitung“ genommen werden."
        );
        assert_eq!(
            InProgress.change_to(New).unwrap_err().to_string(),
            "Ein Fall mit dem Status „in Bearbeitung“ kann nicht auf „neu“ gesetzt werden."
        );
    }

    #[test]
    fn names_round_trip() {
        for s in CaseState::ALL {
            assert_eq!(CaseState::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(CaseState::parse("closed"), None);
    }
}
