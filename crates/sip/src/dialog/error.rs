//! Why the dialog layer refused a message or a command. Refusals of a received request
//! carry the status to answer it with ([`DialogError::status`],
//! [`DialogError::response_to`]); refusals of our own commands have none.

use crate::header_name::HeaderName;
use crate::message::Message;
use crate::method::Method;
use bytes::Bytes;

/// Why a message or command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialogError {
    /// A header the dialog needs is missing or does not parse (400 for a request).
    #[error("the {header} header is missing or malformed")]
    Malformed {
        /// Which header.
        header: &'static str,
    },
    /// Not a request that creates a dialog: not an INVITE, or its To already has a tag
    /// (RFC 3261 §12.1).
    #[error("not a dialog-creating INVITE: {why}")]
    NotDialogCreating {
        /// What is wrong.
        why: &'static str,
    },
    /// The message belongs to another dialog (Call-ID or tags differ; 481 for a request,
    /// RFC 3261 §12.2.2).
    #[error("the message does not belong to this dialog")]
    NotThisDialog,
    /// A request whose CSeq number is not above the last one received (RFC 3261
    /// §12.2.2: out of order, 500).
    #[error("CSeq {received} is not above the remote CSeq {remote}")]
    CSeqOutOfOrder {
        /// The request's number.
        received: u32,
        /// The dialog's remote sequence number.
        remote: u32,
    },
    /// Glare: their INVITE, or their offer, while ours (CSeq `ours`) is still pending
    /// (RFC 3261 §14.2, RFC 3311 §5.2: 491 Request Pending).
    #[error("our request {ours} is pending (glare)")]
    Glare {
        /// The CSeq number of our pending INVITE or offer.
        ours: u32,
    },
    /// Their INVITE, or their offer, while their earlier one (CSeq `pending`) is not yet
    /// answered (RFC 3261 §14.2, RFC 3311 §5.2: 500 with a Retry-After of 0–10 s).
    #[error("their request {pending} is still being answered")]
    Overlap {
        /// The CSeq number of their unanswered INVITE or offer.
        pending: u32,
        /// Seconds for the Retry-After header, chosen at random (RFC 3261 §14.2).
        retry_after: u32,
    },
    /// A target refresh to a non-SIPS Contact in a secure dialog (RFC 3261 §12.1.1,
    /// §8.1.1.8: 400).
    #[error("a secure dialog needs a SIPS Contact")]
    InsecureTarget,
    /// The dialog is ending (our BYE is out) or has ended (481 for a request).
    #[error("the dialog is terminated")]
    Terminated,
    /// Our new INVITE while an INVITE transaction is in progress in either direction
    /// (RFC 3261 §14.1); `ours` tells whose it is.
    #[error("INVITE {cseq} is in progress")]
    InviteInProgress {
        /// Its CSeq number.
        cseq: u32,
        /// Whether it is our INVITE (else theirs).
        ours: bool,
    },
    /// Our new offer while the offer of CSeq `cseq` is not answered (RFC 3264 §4,
    /// RFC 3261 §13.2.1, RFC 3311 §5.1).
    #[error("the offer of request {cseq} is not answered yet")]
    OfferPending {
        /// The CSeq number of the request (or its response) that carried it.
        cseq: u32,
    },
    /// Our request of this method before the back-off after its 491 is over (RFC 3261
    /// §14.1: wait for the chosen time).
    #[error("{method} may be retried at {until} ms")]
    BackingOff {
        /// INVITE or UPDATE.
        method: Method,
        /// When it may be sent again.
        until: i64,
    },
    /// BYE not allowed now: the callee may not send it on an early dialog, nor before the
    /// ACK of its 2xx (RFC 3261 §15).
    #[error("BYE not allowed: {why}")]
    ByeNotAllowed {
        /// Why.
        why: &'static str,
    },
    /// A method the dialog does not build with [`super::Dialog::request`] (ACK: use
    /// [`super::Dialog::ack`]; CANCEL: [`super::UacInvite::cancel`]).
    #[error("{method} is not built this way")]
    Method {
        /// The method.
        method: Method,
    },
    /// No 2xx waits for our ACK.
    #[error("no 2xx to acknowledge")]
    NothingToAck,
    /// The 2xx carried an offer, so its ACK must carry the answer (RFC 3261 §13.2.2.4).
    #[error("the ACK must carry the answer to the offer in the 2xx")]
    AnswerRequired,
    /// A body in an ACK that has no offer to answer (RFC 3261 §13.2.1).
    #[error("no offer to answer in this ACK")]
    NoOfferToAnswer,
    /// The local CSeq would reach 2**31 (RFC 3261 §8.1.1.5).
    #[error("the local CSeq is exhausted")]
    CSeqExhausted,
    /// A response that matches none of our requests in progress.
    #[error("no request {cseq} {method} in progress")]
    Unmatched {
        /// Its CSeq number.
        cseq: u32,
        /// Its CSeq method.
        method: Method,
    },
    /// Our INVITE already has its final response: nothing to cancel (RFC 3261 §9.1).
    #[error("the INVITE already has a final response")]
    NothingToCancel,
}

impl DialogError {
    /// The status to answer a refused request with; `None` for refusals of our own
    /// commands and for responses.
    pub fn status(&self) -> Option<u16> {
        Some(match self {
            DialogError::Malformed { .. }
            | DialogError::NotDialogCreating { .. }
            | DialogError::InsecureTarget => 400,
            DialogError::NotThisDialog | DialogError::Terminated => 481,
            DialogError::CSeqOutOfOrder { .. } | DialogError::Overlap { .. } => 500,
            DialogError::Glare { .. } => 491,
            _ => return None,
        })
    }

    /// The reason phrase for [`DialogError::status`].
    pub fn reason(&self) -> &'static str {
        match self.status() {
            Some(400) => "Bad Request",
            Some(481) => "Call/Transaction Does Not Exist",
            Some(491) => "Request Pending",
            Some(500) => "Server Internal Error",
            _ => "",
        }
    }

    /// The response that refuses `request` (None for an ACK, which is never answered, and
    /// for errors without a status). A 500 for overlapping INVITEs carries Retry-After
    /// (RFC 3261 §14.2).
    pub fn response_to(&self, request: &Message) -> Option<Message> {
        let status = self.status()?;
        if request.method().is_none_or(|m| *m == Method::Ack) {
            return None;
        }
        let mut response = request.response(status, self.reason(), None);
        if let DialogError::Overlap { retry_after, .. } = self {
            let mut value = Vec::with_capacity(4);
            crate::message::put_decimal(&mut value, u64::from(*retry_after));
            response.push(HeaderName::RetryAfter, Bytes::from(value));
        }
        Some(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse_datagram;

    #[test]
    fn refusals_answer_with_their_status() {
        let text = "INVITE sip:a@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\
                    From: <sip:b@x>;tag=b\r\nTo: <sip:a@x>;tag=a\r\nCall-ID: c\r\n\
                    CSeq: 5 INVITE\r\nContent-Length: 0\r\n\r\n";
        let invite = parse_datagram(Bytes::from_static(text.as_bytes())).unwrap();
        let overlap = DialogError::Overlap {
            pending: 4,
            retry_after: 7,
        };
        let answer = overlap.response_to(&invite).unwrap();
        assert_eq!(answer.code(), Some(500));
        assert_eq!(
            answer.header(&HeaderName::RetryAfter),
            Some(&Bytes::from_static(b"7"))
        );
        let glare = DialogError::Glare { ours: 9 }.response_to(&invite).unwrap();
        assert_eq!(glare.code(), Some(491));
        assert_eq!(glare.header(&HeaderName::RetryAfter), None);
        let old = DialogError::CSeqOutOfOrder {
            received: 5,
            remote: 6,
        };
        assert_eq!(old.status(), Some(500));
        assert_eq!(DialogError::Terminated.status(), Some(481));
        assert_eq!(DialogError::NothingToAck.status(), None);
        assert!(DialogError::NothingToAck.response_to(&invite).is_none());
    }
}
