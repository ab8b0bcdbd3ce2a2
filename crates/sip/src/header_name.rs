//! Header field names: case-insensitive, with the compact forms of RFC 3261 §7.3.3 and
//! its extensions. Unknown names are kept as they came.

use bytes::Bytes;

/// A header field name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HeaderName {
    /// `Via` / `v`.
    Via,
    /// `From` / `f`.
    From,
    /// `To` / `t`.
    To,
    /// `Call-ID` / `i`.
    CallId,
    /// `CSeq`.
    CSeq,
    /// `Contact` / `m`.
    Contact,
    /// `Max-Forwards`.
    MaxForwards,
    /// `Content-Length` / `l`.
    ContentLength,
    /// `Content-Type` / `c`.
    ContentType,
    /// `Expires`.
    Expires,
    /// `Route`.
    Route,
    /// `Record-Route`.
    RecordRoute,
    /// `Authorization`.
    Authorization,
    /// `Proxy-Authorization`.
    ProxyAuthorization,
    /// `WWW-Authenticate`.
    WwwAuthenticate,
    /// `Proxy-Authenticate`.
    ProxyAuthenticate,
    /// `User-Agent`.
    UserAgent,
    /// `Supported` / `k`.
    Supported,
    /// `Require`.
    Require,
    /// `Allow`.
    Allow,
    /// `Event` / `o` (RFC 6665).
    Event,
    /// `Subscription-State` (RFC 6665).
    SubscriptionState,
    /// `Min-Expires`.
    MinExpires,
    /// `Retry-After`.
    RetryAfter,
    /// `Subject` / `s`.
    Subject,
    /// `Content-Encoding` / `e`.
    ContentEncoding,
    /// `Accept`.
    Accept,
    /// Any other name, as received.
    Other(Bytes),
}

const NAMES: [(HeaderName, &str, Option<u8>); 27] = [
    (HeaderName::Via, "Via", Some(b'v')),
    (HeaderName::From, "From", Some(b'f')),
    (HeaderName::To, "To", Some(b't')),
    (HeaderName::CallId, "Call-ID", Some(b'i')),
    (HeaderName::CSeq, "CSeq", None),
    (HeaderName::Contact, "Contact", Some(b'm')),
    (HeaderName::MaxForwards, "Max-Forwards", None),
    (HeaderName::ContentLength, "Content-Length", Some(b'l')),
    (HeaderName::ContentType, "Content-Type", Some(b'c')),
    (HeaderName::Expires, "Expires", None),
    (HeaderName::Route, "Route", None),
    (HeaderName::RecordRoute, "Record-Route", None),
    (HeaderName::Authorization, "Authorization", None),
    (HeaderName::ProxyAuthorization, "Proxy-Authorization", None),
    (HeaderName::WwwAuthenticate, "WWW-Authenticate", None),
    (HeaderName::ProxyAuthenticate, "Proxy-Authenticate", None),
    (HeaderName::UserAgent, "User-Agent", None),
    (HeaderName::Supported, "Supported", Some(b'k')),
    (HeaderName::Require, "Require", None),
    (HeaderName::Allow, "Allow", None),
    (HeaderName::Event, "Event", Some(b'o')),
    (HeaderName::SubscriptionState, "Subscription-State", None),
    (HeaderName::MinExpires, "Min-Expires", None),
    (HeaderName::RetryAfter, "Retry-After", None),
    (HeaderName::Subject, "Subject", Some(b's')),
    (HeaderName::ContentEncoding, "Content-Encoding", Some(b'e')),
    (HeaderName::Accept, "Accept", None),
];

impl HeaderName {
    /// The name of a token as received (long or compact form, any case).
    pub fn from_token(token: Bytes) -> HeaderName {
        for (name, long, compact) in &NAMES {
            let is_compact = token.len() == 1 && Some(token[0].to_ascii_lowercase()) == *compact;
            if is_compact || token.eq_ignore_ascii_case(long.as_bytes()) {
                return name.clone();
            }
        }
        HeaderName::Other(token)
    }

    /// The long form written on the wire (unknown names as received).
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            HeaderName::Other(b) => b,
            known => NAMES
                .iter()
                .find(|(n, _, _)| n == known)
                .map_or(&b""[..], |(_, long, _)| long.as_bytes()),
        }
    }

    /// Whether two names are the same header (unknown ones compare case-insensitively).
    pub fn same(&self, other: &HeaderName) -> bool {
        match (self, other) {
            (HeaderName::Other(a), HeaderName::Other(b)) => a.eq_ignore_ascii_case(b),
            (a, b) => a == b,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &'static str) -> HeaderName {
        HeaderName::from_token(Bytes::from_static(s.as_bytes()))
    }

    #[test]
    fn long_compact_and_case() {
        assert_eq!(name("v"), HeaderName::Via);
        assert_eq!(name("V"), HeaderName::Via);
        assert_eq!(name("cAlL-iD"), HeaderName::CallId);
        assert_eq!(name("l"), HeaderName::ContentLength);
        assert_eq!(name("o"), HeaderName::Event);
        assert_eq!(HeaderName::CallId.as_bytes(), b"Call-ID");
        let unknown = name("X-Foo");
        assert_eq!(unknown.as_bytes(), b"X-Foo");
        assert!(unknown.same(&name("x-foo")));
        assert!(!name("x").same(&HeaderName::Via));
    }
}
