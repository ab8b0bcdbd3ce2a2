//! What browsers are told (`call.*` frames of docs/realtime-protocol.md), before the web
//! shell renders them as JSON.

use crate::party::{CallId, Party};

/// The state of a call as one side sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallState {
    /// Dialled, the far end not reached yet.
    Dialing,
    /// The far end is ringing (or, for the called side, this side is).
    Ringing,
    /// Talking.
    Connected,
    /// Held by either side.
    Held,
    /// Over.
    Ended,
}

impl CallState {
    /// The protocol's name.
    pub fn as_str(self) -> &'static str {
        match self {
            CallState::Dialing => "dialing",
            CallState::Ringing => "ringing",
            CallState::Connected => "connected",
            CallState::Held => "held",
            CallState::Ended => "ended",
        }
    }
}

/// Why a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// Someone hung up.
    Hangup,
    /// The called person declined.
    Rejected,
    /// The called person is in a call and has no call waiting.
    Busy,
    /// Nobody answered in time.
    NoAnswer,
    /// Another client of the person answered.
    AnsweredElsewhere,
    /// No such number.
    NotFound,
    /// Not allowed to call that number.
    Forbidden,
    /// Nobody reachable, or media could not be set up.
    Unavailable,
    /// This side transferred the call away.
    Transferred,
}

impl EndReason {
    /// The protocol's name.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Hangup => "hangup",
            EndReason::Rejected => "rejected",
            EndReason::Busy => "busy",
            EndReason::NoAnswer => "no_answer",
            EndReason::AnsweredElsewhere => "answered_elsewhere",
            EndReason::NotFound => "not_found",
            EndReason::Forbidden => "forbidden",
            EndReason::Unavailable => "unavailable",
            EndReason::Transferred => "transferred",
        }
    }
}

/// Which way a call went, from one side's view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// This side dialled.
    Out,
    /// This side was called.
    In,
}

impl Direction {
    /// The protocol's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Out => "out",
            Direction::In => "in",
        }
    }
}

/// A frame for a browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallFrame {
    /// A call rings this person.
    Incoming {
        /// The call.
        call: CallId,
        /// Who calls.
        from: Party,
        /// The hotline the call comes through, when it is offered to an agent.
        hotline: Option<ViaHotline>,
    },
    /// The server's SDP answer to this browser's offer.
    Media {
        /// The call.
        call: CallId,
        /// The SDP.
        sdp: String,
    },
    /// The call's state changed.
    State {
        /// The call.
        call: CallId,
        /// The state.
        state: CallState,
        /// Which way, from this side.
        direction: Direction,
        /// The other side.
        peer: Party,
        /// Since when (Unix milliseconds).
        since_ms: i64,
        /// Why it ended.
        reason: Option<EndReason>,
    },
    /// The other side sent a digit.
    Dtmf {
        /// The call.
        call: CallId,
        /// The digit.
        digit: char,
    },
}
/// The hotline a call is offered for: its id and how the agent sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViaHotline {
    /// The hotline's id.
    pub id: i64,
    /// Its name (with "– Rückruf" for a callback).
    pub name: String,
}
