//! What call control asks the shells to do.

use crate::frames::{CallFrame, Direction};
use crate::party::{CallId, Conn, LegRef, Party, SipRef, Via};
use media::Codec;

/// Who gets a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum To {
    /// Every open client of a person.
    Person(i64),
    /// Every open client of a person except one.
    PersonExcept(i64, Conn),
    /// One client.
    Conn(Conn),
}

/// What the media engine must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaCommand {
    /// Answer a browser's offer with a new leg; report with
    /// [`crate::Calls::handle_media_created`] (`side` 0 is the caller's).
    CreateWebRtc {
        /// For which call.
        call: CallId,
        /// For which side.
        side: usize,
        /// The browser's offer.
        offer: String,
        /// The codecs allowed, preferred first.
        codecs: Vec<Codec>,
    },
    /// A phone leg with our offer for a SIP call we place; report with
    /// [`crate::Calls::handle_rtp_created`] (the SDP is the offer).
    CreateRtpOffer {
        /// For which call.
        call: CallId,
        /// For which side.
        side: usize,
    },
    /// A phone leg answering a SIP side's offer with one of `codecs`; report with
    /// [`crate::Calls::handle_rtp_created`] (the SDP is the answer).
    CreateRtpAnswer {
        /// For which call.
        call: CallId,
        /// For which side.
        side: usize,
        /// The phone's offer.
        offer: String,
        /// The codecs allowed.
        codecs: Vec<Codec>,
    },
    /// The phone's answer to our offer on a leg.
    RtpAnswer(LegRef, String),
    /// Relay between two legs (the same leg twice: echo).
    Bridge(LegRef, LegRef),
    /// Hold (no media) or resume a leg.
    Hold(LegRef, bool),
    /// Send digits on a leg.
    Dtmf(LegRef, String),
    /// The leg is not needed any more.
    Remove(LegRef),
    /// From now on `leg` hears the mix of `sources` instead of its far side (a
    /// supervisor listening in; an agent being whispered to).
    Hear {
        /// Who hears.
        leg: LegRef,
        /// What.
        sources: Vec<LegRef>,
    },
    /// Play the short tone that tells an agent a supervisor listens in.
    ListenTone(LegRef),
    /// Stop what the hotline plays into the leg (its caller is connected now).
    StopPlaying(LegRef),
}

/// One line of a person's call history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Whose history.
    pub person: i64,
    /// Which way.
    pub direction: Direction,
    /// The other side.
    pub peer: Party,
    /// When it began (Unix milliseconds).
    pub started_ms: i64,
    /// When it was answered, if it was.
    pub answered_ms: Option<i64>,
    /// When it ended.
    pub ended_ms: i64,
}

/// What the shells carry out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// A frame for browsers.
    Frame(To, CallFrame),
    /// A command for the media engine.
    Media(MediaCommand),
    /// A person's call began (`true`) or ended: presence "on the phone".
    Presence(i64, bool),
    /// A finished call for a person's history.
    History(Record),
    /// Something for call control's SIP user agent.
    Sip(SipCommand),
    /// Something for the hotlines.
    Hotline(crate::HotlineEvent),
    /// Something for the voicemail.
    Voicemail(crate::VoicemailEvent),
    /// Something for the fax.
    Fax(crate::FaxEvent),
}

/// What call control's SIP user agent must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SipCommand {
    /// Place a call through the switch.
    Invite {
        /// Its name.
        sip: SipRef,
        /// Who calls (From).
        from: Party,
        /// What is dialled (Request-URI user).
        target: String,
        /// Which user agent places it.
        via: Via,
        /// Our offer.
        sdp: String,
    },
    /// Answer a call from the switch with 200 and our SDP.
    Answer {
        /// Which.
        sip: SipRef,
        /// Our answer.
        sdp: String,
    },
    /// Refuse a ringing call from the switch.
    Reject {
        /// Which.
        sip: SipRef,
        /// The status (480, 486, 603).
        code: u16,
    },
    /// End a call (BYE; CANCEL before the answer).
    Hangup {
        /// Which.
        sip: SipRef,
    },
}
