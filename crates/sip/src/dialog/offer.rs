//! Offer and answer inside a dialog (RFC 3264 §4, RFC 3261 §13.2.1 and §14, RFC 3311
//! §5): which session description is waiting for its answer, so that nobody makes a new
//! offer before the last one is answered.
//!
//! An offer travels in an INVITE or UPDATE, or — when an INVITE has none — in its 2xx,
//! answered in the ACK. A final non-2xx to the request that carried an offer withdraws
//! it: the session stays as it was (RFC 3261 §14.1). Only `application/sdp` bodies count;
//! multipart bodies and reliable provisional responses (RFC 3262) are not looked into.

use crate::header_name::HeaderName;
use crate::message::Message;
use bytes::Bytes;

/// A body for a request or response we send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// Its Content-Type.
    pub content_type: Bytes,
    /// The bytes.
    pub data: Bytes,
}

impl Body {
    /// A session description (`application/sdp`).
    pub fn sdp(data: impl Into<Bytes>) -> Body {
        Body {
            content_type: Bytes::from_static(b"application/sdp"),
            data: data.into(),
        }
    }

    /// Whether it is a session description.
    pub fn is_sdp(&self) -> bool {
        is_sdp_type(&self.content_type)
    }
}

fn is_sdp_type(content_type: &[u8]) -> bool {
    let media = content_type
        .split(|c| *c == b';')
        .next()
        .unwrap_or_default();
    crate::params::trim_slice(media).eq_ignore_ascii_case(b"application/sdp")
}

/// Whether a message carries a session description: a non-empty body of type
/// `application/sdp`.
pub fn carries_sdp(message: &Message) -> bool {
    !message.body.is_empty()
        && message
            .header(&HeaderName::ContentType)
            .is_some_and(|t| is_sdp_type(t))
}

/// Which offer waits for its answer, by the CSeq number of the transaction carrying it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Offer {
    /// None: either side may offer.
    #[default]
    Idle,
    /// Ours, in our request or in our 2xx to their offerless INVITE.
    Local {
        /// The CSeq number of that transaction.
        cseq: u32,
    },
    /// Theirs, in their request or in their 2xx to our offerless INVITE.
    Remote {
        /// The CSeq number of that transaction.
        cseq: u32,
    },
}

impl Offer {
    /// Our offer in a request or response of transaction `cseq`. Call only when idle.
    pub(crate) fn local(cseq: u32) -> Offer {
        Offer::Local { cseq }
    }

    /// The answer to the offer of transaction `cseq` (or its withdrawal by a non-2xx):
    /// back to idle when that is the outstanding offer, unchanged otherwise.
    pub(crate) fn settle(self, cseq: u32) -> Offer {
        match self {
            Offer::Local { cseq: c } | Offer::Remote { cseq: c } if c == cseq => Offer::Idle,
            other => other,
        }
    }

    /// The CSeq number of the transaction whose offer is outstanding.
    pub fn pending(self) -> Option<u32> {
        match self {
            Offer::Idle => None,
            Offer::Local { cseq } | Offer::Remote { cseq } => Some(cseq),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdp_is_recognised_by_its_type() {
        assert!(Body::sdp(&b"v=0"[..]).is_sdp());
        assert!(is_sdp_type(b"Application/SDP ; charset=x"));
        assert!(!is_sdp_type(b"multipart/mixed;boundary=x"));
        let mut m = crate::parser::parse_datagram(Bytes::from_static(
            b"INFO sip:a@x SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:b@x>;tag=1\r\n\
              To: <sip:a@x>;tag=2\r\nCall-ID: c\r\nCSeq: 2 INFO\r\nContent-Type: application/sdp\r\n\
              Content-Length: 0\r\n\r\n",
        ))
        .unwrap();
        assert!(!carries_sdp(&m), "an empty body is no offer");
        m.body = Bytes::from_static(b"v=0\r\n");
        assert!(carries_sdp(&m));
    }

    #[test]
    fn only_the_outstanding_offer_settles() {
        let ours = Offer::local(5);
        assert_eq!(ours.settle(4), ours);
        assert_eq!(ours.settle(5), Offer::Idle);
        assert_eq!(Offer::Remote { cseq: 9 }.pending(), Some(9));
        assert_eq!(Offer::Idle.pending(), None);
    }
}
