//! Calls that end at a voicemail box: a call nobody answered (rang out, declined, busy,
//! nobody reachable) goes on to the callee's box when they have one, and a box can be
//! dialled (to leave a message, or `*98` to hear one's own). Call control answers the
//! caller and reports what happened; what to play, what to record and what the keys do
//! is the voicemail's business (`voicemail` crate, the server's shell).

use crate::party::{CallId, LegRef, Party};
use media::Codec;

/// What happened to a voicemail's call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VoicemailEvent {
    /// The caller is answered by box `mailbox`: `leg` (speaking `codec`) hears what the
    /// voicemail plays and is recorded. `listen`: the box's owner called to hear their
    /// messages (`*98`), rather than a caller to leave one.
    Answered {
        /// The caller's call.
        call: CallId,
        /// Which box.
        mailbox: i64,
        /// To hear messages, not to leave one.
        listen: bool,
        /// Who calls.
        caller: Party,
        /// The caller's leg.
        leg: LegRef,
        /// Its codec.
        codec: Codec,
    },
    /// The caller pressed a key.
    Digit {
        /// The caller's call.
        call: CallId,
        /// The key.
        digit: char,
    },
    /// The call ended (the caller hung up, or the voicemail ended it).
    Ended {
        /// The caller's call.
        call: CallId,
    },
}
