//! One call: two sides and where the call stands.

use crate::frames::{CallState, Direction};
use crate::party::{CallId, Conn, LegRef, Party, SipRef, Via};
use media::Codec;

/// What is at one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A person's browser.
    Browser,
    /// The echo service: the caller's own leg bridged to itself.
    Echo,
    /// A SIP call through the switch (desk phones, forwarding, later the trunk).
    Sip,
    /// A hotline: the side a parked caller waits at, and the side an offer to an agent
    /// comes from.
    Hotline,
    /// A hotline's conversation a supervisor listens to (their call's far side).
    Listen,
    /// A voicemail box (a message left, or messages heard).
    Voicemail,
}

/// One side of a call.
#[derive(Debug, Clone)]
pub(crate) struct Side {
    pub party: Party,
    pub kind: Kind,
    pub direction: Direction,
    /// The client in the call (the caller's, or the callee's that answered).
    pub conn: Option<Conn>,
    pub leg: Option<LegRef>,
    pub codec: Option<Codec>,
    /// The SIP call of a SIP side.
    pub sip: Option<SipRef>,
    /// Which user agent carries it.
    pub via: Via,
    /// The SIP side called us (we answer it), rather than we it.
    pub incoming: bool,
    /// We answered this incoming SIP side (sent 200): it ends with BYE, not a refusal.
    pub sip_answered: bool,
    /// What to dial for an outgoing SIP side, when not the party's number (a person's own
    /// mobile, rung first to call someone through it).
    pub dial: Option<String>,
    /// The person a SIP side belongs to (their own device placing a call for them):
    /// their browser hears the call's state, their history gets it.
    pub owner: Option<i64>,
    /// A SIP side's offer waiting for our answer (a call from a phone).
    pub offer: Option<String>,
    /// This side holds the call.
    pub holding: bool,
    /// The id this side knows the call by, when not the call's own (it was merged into
    /// another by an attended transfer).
    pub shown: Option<CallId>,
    /// Presence "on the phone" was raised for this side.
    pub on_the_phone: bool,
    /// When this side joined the call (Unix ms).
    pub joined_ms: i64,
    pub answered_ms: Option<i64>,
}

impl Side {
    pub fn new(
        party: Party,
        kind: Kind,
        direction: Direction,
        conn: Option<Conn>,
        now: i64,
    ) -> Side {
        Side {
            party,
            kind,
            direction,
            conn,
            leg: None,
            codec: None,
            sip: None,
            via: Via::Switch,
            incoming: false,
            sip_answered: false,
            dial: None,
            owner: None,
            offer: None,
            holding: false,
            shown: None,
            on_the_phone: false,
            joined_ms: now,
            answered_ms: None,
        }
    }

    pub fn person(&self) -> Option<i64> {
        match self.kind {
            Kind::Browser => self.party.person,
            Kind::Sip => self.owner,
            Kind::Echo | Kind::Hotline | Kind::Listen | Kind::Voicemail => None,
        }
    }
}

/// Where a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// The called side's browsers ring until then (Unix ms).
    Ringing { until: i64 },
    /// Answered; the called side's media is being set up.
    Answering,
    /// Both legs bridged.
    Connected,
    /// A hotline's caller, answered by call control, waiting for an agent.
    Parked,
    /// Answered by a voicemail box (see [`crate::VoicemailEvent`]).
    Voicemail,
}

/// A call.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub id: CallId,
    /// 0: the caller (or who stays after a transfer), 1: the called side.
    pub sides: [Side; 2],
    pub phase: Phase,
    pub since_ms: i64,
    /// A hotline's call: which hotline, and the agent once one answered.
    pub hotline: Option<HotlineLink>,
}

/// What ties a call to a hotline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HotlineLink {
    pub hotline: i64,
    pub agent: Option<i64>,
}

impl Call {
    /// The index of the side of `person`, if they are in the call.
    pub fn side_of(&self, person: i64) -> Option<usize> {
        self.sides.iter().position(|s| s.person() == Some(person))
    }

    /// The state as side `i` sees it.
    pub fn state_for(&self, i: usize) -> CallState {
        match self.phase {
            Phase::Ringing { .. } if i == 0 && self.sides[0].leg.is_none() => CallState::Dialing,
            Phase::Ringing { .. } | Phase::Answering => CallState::Ringing,
            Phase::Connected if self.sides.iter().any(|s| s.holding) => CallState::Held,
            Phase::Connected | Phase::Parked | Phase::Voicemail => CallState::Connected,
        }
    }
}
