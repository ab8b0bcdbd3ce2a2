//! Which transaction a message belongs to (RFC 3261 §17.1.3, §17.2.3).
//!
//! A request whose top Via branch carries the magic cookie `z9hG4bK` is matched by that
//! branch. One without it comes from an RFC 2543 element, and §17.2.3 matches it by the
//! Request-URI, To tag, From tag, Call-ID, CSeq and top Via instead. Those fields are
//! folded here into a pseudo-branch (a SHA-256 prefix) that never starts with the cookie,
//! so an old phone's transactions live in the same table, under the same kind of key,
//! as everyone else's: retransmissions, CANCEL and the rest work unchanged. The
//! pseudo-branch never goes on the wire; responses carry the request's Via as it came.

use super::{ServerState, Transactions};
use crate::cseq::CSeq;
use crate::header_name::HeaderName;
use crate::message::{Message, StartLine};
use crate::method::Method;
use crate::name_addr::NameAddr;
use crate::via::Via;
use bytes::Bytes;
use sha2::{Digest, Sha256};

/// Identifies a transaction (RFC 3261 §17.1.3, §17.2.3): the top Via branch and sent-by,
/// and the method, where an ACK belongs to its INVITE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// The branch (with the `z9hG4bK` cookie), or for a request from an RFC 2543
    /// element a pseudo-branch derived from its matching fields (see [`Key::is_rfc2543`]).
    pub branch: Bytes,
    /// sent-by of the top Via (host and port as written).
    pub sent_by: Bytes,
    /// INVITE for INVITE and its ACK; the request method otherwise.
    pub method: Method,
}

/// Hashes the branch only: it is unique on its own in practice (RFC 3261 §8.1.1.7), and
/// keys that share it still differ by equality.
impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.branch.hash(state);
    }
}

/// How pseudo-branches start: not with `z9hG4bK`, so they never equal a real branch.
const PSEUDO: &[u8] = b"rfc2543.";

impl Key {
    /// The key of a request or response from its top Via and its CSeq method. A request
    /// without an RFC 3261 branch gets a pseudo-branch (RFC 3261 §17.2.3); `None` for a
    /// response without one (it belongs to no client transaction of ours) and for a
    /// message without a readable top Via.
    pub fn of(message: &Message) -> Option<Key> {
        Key::matching(message, To::AsSent)
    }

    /// Whether the branch is a pseudo-branch of an RFC 2543 request.
    pub fn is_rfc2543(&self) -> bool {
        self.branch.starts_with(PSEUDO)
    }

    fn matching(message: &Message, to: To) -> Option<Key> {
        let top = message.first_value(&HeaderName::Via)?;
        let via = Via::parse(&top).ok()?;
        let method = match message.method() {
            Some(m) => m.clone(),
            None => CSeq::parse(message.header(&HeaderName::CSeq)?)?.method,
        };
        let method = if method == Method::Ack {
            Method::Invite
        } else {
            method
        };
        let mut sent_by = Vec::with_capacity(via.host.len() + 6);
        sent_by.extend_from_slice(&via.host);
        if let Some(port) = via.port {
            sent_by.push(b':');
            crate::message::put_decimal(&mut sent_by, u64::from(port));
        }
        let branch = if via.rfc3261_branch() {
            // Copied out, so a long-lived transaction does not pin the whole datagram.
            Bytes::copy_from_slice(via.branch()?)
        } else {
            pseudo_branch(message, &via, to)?
        };
        Some(Key {
            branch,
            sent_by: Bytes::from(sent_by),
            method,
        })
    }
}

/// Which To tag goes into a pseudo-branch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum To {
    /// The message's own.
    AsSent,
    /// None: the key of the initial INVITE an ACK may acknowledge.
    Untagged,
}

/// RFC 3261 §17.2.3: Request-URI, To tag, From tag, Call-ID, CSeq number and top Via.
/// The method is not in it but in [`Key::method`], so a CANCEL gets its INVITE's branch
/// (§9.1 copies all of these from the INVITE) and finds it the way an RFC 3261 CANCEL
/// does. `None` for responses.
fn pseudo_branch(request: &Message, via: &Via, to: To) -> Option<Bytes> {
    let StartLine::Request { uri, .. } = &request.start else {
        return None;
    };
    let to_tag = match to {
        To::AsSent => tag(request, &HeaderName::To),
        To::Untagged => None,
    };
    let call_id = request.header(&HeaderName::CallId)?;
    let cseq = request.header(&HeaderName::CSeq).and_then(CSeq::parse)?;
    let mut hash = Sha256::new();
    // Each field with its length first, so that no two field lists hash the same text.
    let mut field = |bytes: &[u8]| {
        hash.update((bytes.len() as u64).to_be_bytes());
        hash.update(bytes);
    };
    field(uri);
    field(to_tag.as_deref().unwrap_or_default());
    field(
        tag(request, &HeaderName::From)
            .as_deref()
            .unwrap_or_default(),
    );
    field(crate::params::trim_slice(call_id));
    field(&cseq.seq.to_be_bytes());
    field(&canonical_via(via));
    let digest = hash.finalize();
    let mut branch = PSEUDO.to_vec();
    branch.extend_from_slice(crate::digest::hex(&digest[..16]).as_bytes());
    Some(Bytes::from(branch))
}

/// The top Via as RFC 3261 §20.42 compares it: transport and host in any case, the
/// parameters in any order and their names in any case. The whole value counts, not
/// only sent-by: two phones behind one address differ by their branch or other params.
fn canonical_via(via: &Via) -> Vec<u8> {
    let mut out = via.transport.to_ascii_uppercase();
    out.push(b' ');
    out.extend(via.host.to_ascii_lowercase());
    if let Some(port) = via.port {
        out.push(b':');
        out.extend_from_slice(port.to_string().as_bytes());
    }
    let mut params: Vec<(Vec<u8>, Option<&Bytes>)> = via
        .params
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.as_ref()))
        .collect();
    params.sort();
    for (name, value) in params {
        out.push(b';');
        out.extend(name);
        if let Some(value) = value {
            out.push(b'=');
            out.extend_from_slice(value);
        }
    }
    out
}

/// The `tag` of a To or From header, when the header reads.
fn tag(message: &Message, name: &HeaderName) -> Option<Bytes> {
    NameAddr::parse(message.header(name)?).ok()?.tag().cloned()
}

impl<P: Clone> Transactions<P> {
    /// The key under which an ACK from an RFC 2543 element is matched (RFC 3261
    /// §17.2.3): its own, when the INVITE carried the same To tag (a re-INVITE);
    /// otherwise that of the untagged INVITE whose non-2xx final response carried the
    /// ACK's To tag. An ACK that matches neither keeps its own key, under which nothing
    /// is found: it is the ACK of a 2xx and goes to the TU.
    pub(super) fn rfc2543_ack_key(&self, ack: &Message, own: Key) -> Key {
        if self.server.contains_key(&own) {
            return own;
        }
        let ack_tag = tag(ack, &HeaderName::To);
        let Some(initial) = Key::matching(ack, To::Untagged) else {
            return own;
        };
        let answered_with_that_tag = self.server.get(&initial).is_some_and(|tx| {
            // Only a rejection is kept until the ACK (RFC 6026 drops the copy of a 2xx).
            matches!(tx.state, ServerState::Completed { .. })
                && tx
                    .last_response
                    .as_ref()
                    .and_then(|wire| crate::parse_datagram(wire.clone()).ok())
                    .is_some_and(|response| tag(&response, &HeaderName::To) == ack_tag)
        });
        if answered_with_that_tag {
            initial
        } else {
            own
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_datagram;

    fn request(text: &str) -> Message {
        parse_datagram(Bytes::from(text.replace('\n', "\r\n"))).unwrap()
    }

    const OPTIONS: &str = "OPTIONS sip:2401@pbx.example SIP/2.0\n\
        Via: SIP/2.0/UDP 192.0.2.1:5060;branch=1\n\
        From: <sip:2301@pbx.example>;tag=a\nTo: <sip:2401@pbx.example>\n\
        Call-ID: c1\nCSeq: 1 OPTIONS\nContent-Length: 0\n\n";

    #[test]
    fn a_pseudo_branch_is_stable_and_never_a_cookie_branch() {
        let key = Key::of(&request(OPTIONS)).unwrap();
        assert!(key.is_rfc2543());
        assert!(!key.branch.starts_with(b"z9hG4bK"));
        assert_eq!(key.branch.len(), PSEUDO.len() + 32);
        assert_eq!(Key::of(&request(OPTIONS)), Some(key.clone()));
        assert_eq!(
            (&key.sent_by[..], &key.method),
            (&b"192.0.2.1:5060"[..], &Method::Options)
        );
        // Case of the transport and host and the order of Via parameters do not count.
        let same = OPTIONS.replace(
            "SIP/2.0/UDP 192.0.2.1:5060;branch=1",
            "SIP/2.0/udp 192.0.2.1:5060 ; rport;BRANCH=1",
        );
        let with_rport = OPTIONS.replace(";branch=1", ";rport;branch=1");
        assert_eq!(Key::of(&request(&same)), Key::of(&request(&with_rport)));
        assert_ne!(Key::of(&request(&with_rport)), Some(key));
    }

    #[test]
    fn each_matching_field_counts() {
        let key = Key::of(&request(OPTIONS)).unwrap();
        for (from, to) in [
            ("sip:2401@pbx.example SIP", "sip:2402@pbx.example SIP"),
            (
                "To: <sip:2401@pbx.example>",
                "To: <sip:2401@pbx.example>;tag=b",
            ),
            (";tag=a", ";tag=a2"),
            ("Call-ID: c1", "Call-ID: c2"),
            ("CSeq: 1 ", "CSeq: 2 "),
            ("branch=1", "branch=2"),
            ("192.0.2.1:5060", "192.0.2.1:5062"),
        ] {
            let other = Key::of(&request(&OPTIONS.replace(from, to))).unwrap();
            assert_ne!(other.branch, key.branch, "{from} → {to}");
        }
    }

    #[test]
    fn responses_without_a_cookie_have_no_key() {
        let response = request(OPTIONS).response(200, "OK", Some("x"));
        assert_eq!(Key::of(&response), None);
        let cookie = request(&OPTIONS.replace("branch=1", "branch=z9hG4bK1"));
        let key = Key::of(&cookie.response(200, "OK", Some("x"))).unwrap();
        assert_eq!(
            (&key.branch[..], key.is_rfc2543()),
            (&b"z9hG4bK1"[..], false)
        );
    }
}
