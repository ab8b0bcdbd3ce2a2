//! The way from the WebSocket gateway to call control: the call service (in the
//! server, around the pure `calls` core) takes requests through a [`CallDesk`]. The
//! gateway never waits for media or the far end: a request is answered as soon as call
//! control has taken it (the call's id for a dial), the rest comes as `call.*` frames.

use crate::people::Person;
use tokio::sync::{mpsc, oneshot};

/// A browser's call request, as read from its frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallRequest {
    /// `call.dial`
    Dial {
        /// An extension, a login or an outside number.
        target: String,
        /// The browser's offer (empty when the call goes through another device).
        sdp: String,
        /// Through which of the person's devices: `None` the browser, `mobile` their
        /// mobile (rung first, then the target with the office number).
        via: Option<String>,
    },
    /// `call.answer`
    Answer {
        /// The call's id.
        call: String,
        /// The browser's offer.
        sdp: String,
    },
    /// `call.reject`
    Reject {
        /// The call's id.
        call: String,
    },
    /// `call.hangup`
    Hangup {
        /// The call's id.
        call: String,
    },
    /// `call.hold`
    Hold {
        /// The call's id.
        call: String,
        /// Hold or resume.
        on: bool,
    },
    /// `call.dtmf`
    Dtmf {
        /// The call's id.
        call: String,
        /// The digits.
        digits: String,
    },
    /// `call.transfer` with `target`
    Transfer {
        /// The call's id.
        call: String,
        /// Whom.
        target: String,
    },
    /// `call.listen`: a supervisor listens in on (or whispers to) an agent's conversation.
    Listen {
        /// The hotline.
        hotline: i64,
        /// The agent (a person's id).
        agent: i64,
        /// Whisper (the agent hears the supervisor) rather than only listen.
        whisper: bool,
        /// The browser's offer.
        sdp: String,
    },
    /// `call.transfer` with `to_call`
    TransferTo {
        /// The call whose other side stays.
        call: String,
        /// The other call.
        to_call: String,
    },
}

/// Why call control refused a request (the protocol's error code and a German message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeskError {
    /// `not_found`, `forbidden`, `bad_request`, `unavailable`.
    pub code: &'static str,
    /// For the person.
    pub message: String,
}

/// What the call service is told.
#[derive(Debug)]
pub enum DeskInput {
    /// A request of a person's client.
    Request {
        /// Who.
        person: Person,
        /// From which client.
        conn: u64,
        /// What.
        request: CallRequest,
        /// The answer: the call's id, or why not.
        reply: oneshot::Sender<Result<String, DeskError>>,
    },
    /// A client of a person closed; `others` tells whether the person has any left.
    Closed {
        /// Who.
        person: i64,
        /// Which client.
        conn: u64,
        /// Whether other clients of the person are open.
        others: bool,
    },
}

/// The gateway's handle to call control.
#[derive(Debug, Clone)]
pub struct CallDesk(mpsc::Sender<DeskInput>);

impl CallDesk {
    /// A desk whose inputs go to `tx`.
    pub fn new(tx: mpsc::Sender<DeskInput>) -> CallDesk {
        CallDesk(tx)
    }

    /// Hands a request to call control and waits for it to be taken.
    pub async fn request(
        &self,
        person: Person,
        conn: u64,
        request: CallRequest,
    ) -> Result<String, DeskError> {
        let (reply, rx) = oneshot::channel();
        let busy = || DeskError {
            code: "unavailable",
            message: "Die Telefonie ist gerade nicht erreichbar.".into(),
        };
        self.0
            .send(DeskInput::Request {
                person,
                conn,
                request,
                reply,
            })
            .await
            .map_err(|_| busy())?;
        rx.await.map_err(|_| busy())?
    }

    /// Tells call control that a client closed.
    pub fn closed(&self, person: i64, conn: u64, others: bool) {
        let _ = self.0.try_send(DeskInput::Closed {
            person,
            conn,
            others,
        });
    }
}
