//! A hotline agent's duty, shown beside their presence in the team panel: colleagues see
//! who is ready for the hotline, who paused it, who finishes a case (wrap-up, which also
//! makes them busy). The reason of a pause stays with the supervisor.

use serde::{Deserialize, Serialize};

/// What a logged-in hotline agent is doing for the hotline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Duty {
    /// Logged in and taking calls (ringing and talking included).
    Ready,
    /// Logged in, paused.
    Paused,
    /// Finishing the last call's case.
    WrapUp,
}

impl Duty {
    /// The protocol name.
    pub fn as_str(self) -> &'static str {
        match self {
            Duty::Ready => "ready",
            Duty::Paused => "paused",
            Duty::WrapUp => "wrap_up",
        }
    }
}
