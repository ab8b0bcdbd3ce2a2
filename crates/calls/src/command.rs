//! What a browser asks of call control, and why it can be refused.

use crate::party::{CallId, Party};

/// Where a dialled number leads, resolved by the shell from the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A person, rung in their browsers.
    Browser(Party),
    /// The echo test (`*43`): the caller hears themselves.
    Echo,
    /// A hotline: call control answers and parks the caller until an agent takes the
    /// call (see [`crate::HotlineEvent`]).
    Hotline {
        /// Which hotline.
        hotline: i64,
        /// How callers see it (its name and number).
        party: Party,
    },
    /// Listen in on a hotline's conversation (the caller's call): the shell has checked
    /// that the hotline allows it and that the caller supervises it.
    Listen {
        /// Which hotline's.
        hotline: i64,
        /// The conversation.
        call: crate::party::CallId,
        /// The agent hears the supervisor too (the caller never does).
        whisper: bool,
        /// How the supervisor sees it (e.g. "Mithören: Anna Schneider").
        party: Party,
    },
    /// A voicemail box: call control answers; the caller leaves a message, or (`listen`)
    /// the box's owner hears theirs (see [`crate::VoicemailEvent`]).
    Voicemail {
        /// Which box.
        mailbox: i64,
        /// To hear messages (`*98`), not to leave one.
        listen: bool,
        /// How the caller sees it (the box's owner, e.g. "Anna Schneider", "2001").
        party: Party,
    },
    /// A fax box (a person's or a unit's fax number): call control answers and the
    /// shell's fax modem receives (see [`crate::FaxEvent`]). Phones and trunks only.
    Fax {
        /// Which fax box.
        fax_box: i64,
        /// How the caller sees it (the box's number).
        party: Party,
    },
    /// Through the switch: a person with desk phones (all their devices ring, their
    /// forwarding applies). `number` is what is dialled.
    Sip(Party),
    /// An outside number through a trunk (`number` in E.164; the caller id is the
    /// caller's direct number, chosen by the shell).
    Outside {
        /// Who it is, as far as known.
        party: Party,
        /// Which trunk (in the configuration's order).
        trunk: usize,
    },
}

/// A browser's request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Call `target`, with this browser's SDP offer.
    Dial {
        /// Who calls (the signed-in person).
        from: Party,
        /// Whom.
        target: Target,
        /// The browser's offer.
        sdp: String,
    },
    /// Answer a ringing call with this browser's offer.
    Answer {
        /// Which call.
        call: CallId,
        /// The offer.
        sdp: String,
    },
    /// Decline a ringing call.
    Reject {
        /// Which call.
        call: CallId,
    },
    /// End a call.
    Hangup {
        /// Which call.
        call: CallId,
    },
    /// Hold or resume.
    Hold {
        /// Which call.
        call: CallId,
        /// Hold (`true`) or resume.
        on: bool,
    },
    /// Send digits to the other side.
    Dtmf {
        /// Which call.
        call: CallId,
        /// The digits.
        digits: String,
    },
    /// Connect the other side to `target` and leave (blind transfer).
    Transfer {
        /// Which call.
        call: CallId,
        /// Whom.
        target: Target,
    },
    /// Call `target` through one of the person's own devices (`device`, e.g. their mobile
    /// through the trunk): the device rings first; once answered, `target` is called with
    /// the office number as caller id, and the two are connected. The browser follows.
    DialVia {
        /// Who calls (the signed-in person).
        from: Party,
        /// The device to ring first (a SIP target).
        device: Target,
        /// Whom.
        target: Target,
    },
    /// Connect the other sides of two calls and leave both (attended transfer).
    TransferTo {
        /// The call whose other side stays.
        call: CallId,
        /// The call whose other side it is connected to.
        to_call: CallId,
    },
}

/// Why a command was refused (nothing changed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No such call, or not one of this person's.
    #[error("Diesen Anruf gibt es nicht (mehr).")]
    NoCall,
    /// The call is not in a state for this.
    #[error("Das geht in diesem Zustand des Anrufs nicht.")]
    WrongState,
    /// Calling oneself.
    #[error("Sie können sich nicht selbst anrufen.")]
    SelfCall,
    /// Digits other than 0-9 * # A-D.
    #[error("Nur die Tasten 0–9, *, # und A–D können gesendet werden.")]
    BadDigits,
}
