//! The queue event log: every event of a hotline queue, appended and never changed. All
//! figures (wallboard, reports, CSV) are computed from it by [`crate::figures()`].

/// A queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QueueId(pub i64);

/// A caller's call in a queue (from entering to answer, abandon, callback or overflow).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub i64);

/// One event, at a time in Unix milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEvent {
    /// When (Unix milliseconds).
    pub at_ms: i64,
    /// In which queue.
    pub queue: QueueId,
    /// What.
    pub kind: EventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// A caller entered the queue at `position` (1: first in line).
    Entered {
        /// The call.
        call: CallId,
        /// Its place in line on entering.
        position: u32,
    },
    /// The call was offered to an agent (their phones ring).
    Offered {
        /// The call.
        call: CallId,
        /// The agent (staff id).
        agent: i64,
    },
    /// An agent answered after the caller waited `waited_ms`.
    Answered {
        /// The call.
        call: CallId,
        /// The agent (staff id).
        agent: i64,
        /// From entering to answer.
        waited_ms: i64,
    },
    /// The caller hung up while waiting.
    Abandoned {
        /// The call.
        call: CallId,
        /// From entering to hanging up.
        waited_ms: i64,
        /// Their place in line when they hung up.
        position: u32,
    },
    /// The caller asked to be called back and hung up, keeping their place (not an
    /// abandon).
    CallbackRequested {
        /// The call.
        call: CallId,
        /// From entering until the request.
        waited_ms: i64,
    },
    /// A requested callback reached an agent and the caller: handled.
    CallbackDone {
        /// The call.
        call: CallId,
        /// The agent (staff id).
        agent: i64,
    },
    /// The call left the queue for its overflow target (too long a wait, too long a
    /// line, or closed).
    Overflowed {
        /// The call.
        call: CallId,
        /// From entering to leaving.
        waited_ms: i64,
    },
    /// An agent logged in to the queue.
    AgentLogin {
        /// The agent (staff id).
        agent: i64,
    },
    /// An agent logged out of the queue.
    AgentLogout {
        /// The agent (staff id).
        agent: i64,
    },
    /// An agent paused, with a reason.
    AgentPaused {
        /// The agent (staff id).
        agent: i64,
        /// Why ("Pause", "Schulung", …).
        reason: String,
    },
    /// An agent's pause ended.
    AgentResumed {
        /// The agent (staff id).
        agent: i64,
    },
    /// An agent's wrap-up after a call ended (`early`: ended by the agent before its time).
    WrapUpEnded {
        /// The agent (staff id).
        agent: i64,
        /// Ended by the agent before its time.
        early: bool,
    },
}

impl EventKind {
    /// The call the event is about, if any.
    pub fn call(&self) -> Option<CallId> {
        match self {
            EventKind::Entered { call, .. }
            | EventKind::Offered { call, .. }
            | EventKind::Answered { call, .. }
            | EventKind::Abandoned { call, .. }
            | EventKind::CallbackRequested { call, .. }
            | EventKind::CallbackDone { call, .. }
            | EventKind::Overflowed { call, .. } => Some(*call),
            _ => None,
        }
    }
}
