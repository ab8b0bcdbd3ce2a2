//! Calls to a hotline: call control answers the caller itself and parks them (their leg
//! hears what the hotline plays), offers the call to agents as calls of their own, and
//! joins the caller with the first agent who answers. What to play and whom to offer is
//! the hotline's business (`queues`); call control reports what happened to its calls.

use crate::party::{CallId, LegRef, Party, Via};
use media::Codec;

/// What happened to a hotline's call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HotlineEvent {
    /// A caller reached hotline `hotline` and was answered: `leg` (speaking `codec`, a
    /// G.711 law) hears what the hotline plays.
    Arrived {
        /// The caller's call.
        call: CallId,
        /// Which hotline.
        hotline: i64,
        /// Who calls.
        caller: Party,
        /// The caller's leg.
        leg: LegRef,
        /// Its codec.
        codec: Codec,
        /// Which user agent carries a phone's call (to call it back the same way).
        via: Via,
    },
    /// The waiting caller pressed a key.
    Digit {
        /// The caller's call.
        call: CallId,
        /// The key.
        digit: char,
    },
    /// `agent` answered: the caller is connected to them (nothing plays any more).
    Answered {
        /// The caller's call.
        call: CallId,
        /// The agent (a person's id).
        agent: i64,
    },
    /// An offer to `agent` ended unanswered (rang out, declined, unreachable, or
    /// withdrawn).
    OfferEnded {
        /// The caller's call.
        call: CallId,
        /// The agent.
        agent: i64,
    },
    /// The caller hung up before an agent answered (or was sent away by the hotline).
    Left {
        /// The caller's call.
        call: CallId,
    },
    /// A callback reached the caller: the agent and the caller talk.
    CallbackReached {
        /// The caller's place (the id of their first call).
        call: CallId,
        /// The agent.
        agent: i64,
    },
    /// A callback did not come about (the agent or the caller did not answer): the place
    /// stays for the next free agent.
    CallbackFailed {
        /// The caller's place.
        call: CallId,
        /// The agent.
        agent: i64,
    },
    /// The agent's conversation with the caller ended (hung up by either, or the agent
    /// transferred the caller on).
    Ended {
        /// The caller's call.
        call: CallId,
        /// The agent.
        agent: i64,
    },
}
