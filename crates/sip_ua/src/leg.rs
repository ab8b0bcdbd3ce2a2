//! The dialog side of one call: our INVITE and the dialogs it made
//! ([`sip::dialog::UacInvite`]), or the dialog a received INVITE made
//! ([`sip::dialog::Dialog`]). One face for both, so the phone treats calls alike.

use sip::dialog::{Dialog, DialogError, Event, UacInvite};
use sip::Message;

/// A call's dialog layer.
pub(super) enum Leg {
    /// We called.
    Out(Box<UacInvite>),
    /// We were called.
    In(Box<Dialog>),
}

impl Leg {
    /// The confirmed dialog (the callee's early one too), to make requests in.
    pub fn dialog_mut(&mut self) -> Option<&mut Dialog> {
        match self {
            Leg::Out(uac) => uac.confirmed_mut(),
            Leg::In(dialog) => Some(dialog),
        }
    }

    /// The dialog, read-only.
    pub fn dialog(&self) -> Option<&Dialog> {
        match self {
            Leg::Out(uac) => uac.confirmed(),
            Leg::In(dialog) => Some(dialog),
        }
    }

    pub fn handle_request(&mut self, request: &Message) -> Result<(), DialogError> {
        match self {
            Leg::Out(uac) => uac.handle_request(request),
            Leg::In(dialog) => dialog.handle_request(request),
        }
    }

    pub fn handle_response(&mut self, now: i64, response: &Message) -> Result<(), DialogError> {
        match self {
            Leg::Out(uac) => uac.handle_response(now, response),
            Leg::In(dialog) => dialog.handle_response(now, response),
        }
    }

    pub fn respond(
        &mut self,
        now: i64,
        request: &Message,
        response: &Message,
    ) -> Result<(), DialogError> {
        match self {
            Leg::Out(uac) => uac.respond(now, request, response),
            Leg::In(dialog) => dialog.respond(now, request, response),
        }
    }

    /// A client transaction of ours got no final answer: the INVITE's (`None`) or that
    /// of an in-dialog request.
    pub fn handle_transaction_timeout(&mut self, cseq: u32) {
        match self {
            Leg::Out(uac) if uac_cseq(uac) == Some(cseq) => uac.handle_transaction_timeout(),
            other => {
                if let Some(dialog) = other.dialog_mut() {
                    dialog.handle_transaction_timeout(cseq);
                }
            }
        }
    }

    pub fn handle_timeout(&mut self, now: i64) {
        match self {
            Leg::Out(uac) => uac.handle_timeout(now),
            Leg::In(dialog) => dialog.handle_timeout(now),
        }
    }

    pub fn poll_timeout(&self) -> Option<i64> {
        match self {
            Leg::Out(uac) => uac.poll_timeout(),
            Leg::In(dialog) => dialog.poll_timeout(),
        }
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        match self {
            Leg::Out(uac) => uac.poll_event().map(|(_, e)| e),
            Leg::In(dialog) => dialog.poll_event(),
        }
    }

    pub fn poll_request(&mut self) -> Option<Message> {
        match self {
            Leg::Out(uac) => uac.poll_request(),
            Leg::In(dialog) => dialog.poll_request(),
        }
    }

    pub fn poll_response(&mut self) -> Option<Message> {
        match self {
            Leg::Out(uac) => uac.poll_response(),
            Leg::In(dialog) => dialog.poll_response(),
        }
    }
}

/// The CSeq number of our INVITE.
pub(super) fn uac_cseq(uac: &UacInvite) -> Option<u32> {
    let value = uac.invite().header(&sip::HeaderName::CSeq)?;
    sip::cseq::CSeq::parse(value).map(|c| c.seq)
}
