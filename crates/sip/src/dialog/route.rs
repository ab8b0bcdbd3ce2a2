//! The route set (RFC 3261 §12.1.1, §12.1.2) and where an in-dialog request goes
//! (§12.2.1.1), through loose routers (`;lr`, RFC 3261) and strict ones (RFC 2543).
//!
//! Strict routing is supported rather than refused: it costs one rule here, and a
//! refusal would leave calls through an old RFC 2543 proxy without a way to hang up.
//! When the first entry lacks `lr`, the request goes to that URI as its Request-URI,
//! the rest of the set follows as Route, and the remote target comes last.

use super::id::own;
use super::DialogError;
use crate::header_name::HeaderName;
use crate::message::{Header, Message};
use crate::name_addr::NameAddr;
use crate::uri::{Scheme, Uri};
use bytes::{BufMut, Bytes, BytesMut};

/// The proxies an in-dialog request passes, in the order it passes them. Fixed when the
/// dialog is created (a target refresh does not change it, §12.2.1.2); a UAC recomputes
/// it once from the 2xx that confirms an early dialog (§13.2.2.4).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RouteSet {
    /// Each entry as its Record-Route value (`<sip:p1.example.com;lr>`), copied.
    entries: Vec<Bytes>,
    /// The first entry's URI in Request-URI form, when it is a strict router.
    strict: Option<Bytes>,
}

impl RouteSet {
    /// The route set of a dialog from the Record-Route of the message that made it: in
    /// order for the UAS (the request, §12.1.1), reversed for the UAC (the response,
    /// §12.1.2). Every entry must be a SIP or SIPS name-addr.
    pub fn from_record_route(message: &Message, reverse: bool) -> Result<RouteSet, DialogError> {
        let mut entries = Vec::new();
        for value in message.header_values(&HeaderName::RecordRoute) {
            let malformed = DialogError::Malformed {
                header: "Record-Route",
            };
            let addr = NameAddr::parse(&value).map_err(|_| malformed.clone())?;
            match Uri::parse(&addr.uri) {
                Ok(uri) if uri.scheme != Scheme::Tel => entries.push(own(&value)),
                _ => return Err(malformed),
            }
        }
        if reverse {
            entries.reverse();
        }
        RouteSet::new(entries)
    }

    /// A route set of name-addr values, in the order requests pass them.
    pub fn new(entries: Vec<Bytes>) -> Result<RouteSet, DialogError> {
        let strict = match entries.first() {
            None => None,
            Some(first) => {
                let malformed = DialogError::Malformed { header: "Route" };
                let addr = NameAddr::parse(first).map_err(|_| malformed.clone())?;
                let uri = Uri::parse(&addr.uri).map_err(|_| malformed)?;
                // RFC 3261 §12.2.1.1: no `lr` makes the first hop a strict router.
                uri.param("lr")
                    .is_none()
                    .then(|| request_uri_form(&addr.uri, &uri))
            }
        };
        Ok(RouteSet { entries, strict })
    }

    /// The entries, in the order requests pass them.
    pub fn entries(&self) -> &[Bytes] {
        &self.entries
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether the first hop is a strict router (its URI has no `lr`).
    pub fn is_strict(&self) -> bool {
        self.strict.is_some()
    }

    /// Writes the Route headers of a request to `remote_target` and returns its
    /// Request-URI (RFC 3261 §12.2.1.1). Loose routing takes no allocation: the entries
    /// and the target are shared `Bytes`.
    pub(crate) fn route(&self, remote_target: &Bytes, headers: &mut Vec<Header>) -> Bytes {
        let route = |value: &Bytes| Header {
            name: HeaderName::Route,
            value: value.clone(),
        };
        match &self.strict {
            None => {
                headers.extend(self.entries.iter().map(route));
                remote_target.clone()
            }
            Some(first) => {
                headers.extend(self.entries[1..].iter().map(route));
                let mut last = BytesMut::with_capacity(remote_target.len() + 2);
                last.put_u8(b'<');
                last.put_slice(remote_target);
                last.put_u8(b'>');
                headers.push(route(&last.freeze()));
                first.clone()
            }
        }
    }
}

/// A URI as a Request-URI may hold it: without the `method` parameter and without
/// headers, which RFC 3261 §19.1.1 (Table 1) does not allow there.
fn request_uri_form(raw: &Bytes, uri: &Uri) -> Bytes {
    if uri.headers.is_none() && uri.param("method").is_none() {
        return own(raw);
    }
    let mut out = BytesMut::with_capacity(raw.len());
    out.put_slice(if uri.scheme == Scheme::Sips {
        b"sips:"
    } else {
        b"sip:"
    });
    if let Some(user) = &uri.user {
        out.put_slice(user);
        out.put_u8(b'@');
    }
    out.put_slice(&uri.host);
    if let Some(port) = uri.port {
        out.put_u8(b':');
        crate::message::put_decimal(&mut out, u64::from(port));
    }
    for (name, value) in &uri.params {
        if name.eq_ignore_ascii_case(b"method") {
            continue;
        }
        out.put_u8(b';');
        out.put_slice(name);
        if let Some(value) = value {
            out.put_u8(b'=');
            out.put_slice(value);
        }
    }
    out.freeze()
}

/// Where a request goes next (RFC 3261 §8.1.2, §12.2.1.1): the URI of its first Route, or
/// its Request-URI when it has none. With a strict router first, that router is the
/// Request-URI, so this is right for both kinds. The shell resolves it (RFC 3263).
pub fn next_hop(request: &Message) -> Option<Bytes> {
    match request.header_values(&HeaderName::Route).first() {
        Some(route) => NameAddr::parse(route).ok().map(|a| a.uri),
        None => match &request.start {
            crate::message::StartLine::Request { uri, .. } => Some(uri.clone()),
            crate::message::StartLine::Response { .. } => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(entries: &[&'static str]) -> RouteSet {
        RouteSet::new(
            entries
                .iter()
                .map(|e| Bytes::from_static(e.as_bytes()))
                .collect(),
        )
        .unwrap()
    }

    fn routed(set: &RouteSet, target: &'static str) -> (Bytes, Vec<Bytes>) {
        let mut headers = Vec::new();
        let uri = set.route(&Bytes::from_static(target.as_bytes()), &mut headers);
        (uri, headers.into_iter().map(|h| h.value).collect())
    }

    #[test]
    fn empty_route_set_sends_to_the_remote_target() {
        let (uri, routes) = routed(&RouteSet::default(), "sip:bob@192.0.2.4");
        assert_eq!(&uri[..], b"sip:bob@192.0.2.4");
        assert!(routes.is_empty());
    }

    #[test]
    fn loose_routers_keep_the_remote_target_as_request_uri() {
        let loose = set(&["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"]);
        assert!(!loose.is_strict());
        let (uri, routes) = routed(&loose, "sip:bob@192.0.2.4");
        assert_eq!(&uri[..], b"sip:bob@192.0.2.4");
        assert_eq!(
            routes,
            ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"]
                .map(|s| Bytes::from_static(s.as_bytes()))
        );
    }

    #[test]
    fn a_strict_router_first_becomes_the_request_uri() {
        // The example of RFC 3261 §12.2.1.1.
        let strict = set(&[
            "<sip:proxy1>",
            "<sip:proxy2>",
            "<sip:proxy3;lr>",
            "<sip:proxy4>",
        ]);
        assert!(strict.is_strict());
        let (uri, routes) = routed(&strict, "sip:user@remoteua");
        assert_eq!(&uri[..], b"sip:proxy1");
        assert_eq!(
            routes,
            [
                "<sip:proxy2>",
                "<sip:proxy3;lr>",
                "<sip:proxy4>",
                "<sip:user@remoteua>"
            ]
            .map(|s| Bytes::from_static(s.as_bytes()))
        );
        // Parameters a Request-URI may not hold are stripped (§19.1.1).
        let odd = set(&["<sip:proxy1:5070;method=INVITE;maddr=192.0.2.9?x=y>"]);
        assert_eq!(
            &routed(&odd, "sip:u@h").0[..],
            b"sip:proxy1:5070;maddr=192.0.2.9"
        );
    }

    #[test]
    fn record_route_order_depends_on_the_side() {
        let text = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\
                    Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\r\n\
                    From: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nCall-ID: c\r\n\
                    CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
        let ok = crate::parser::parse_datagram(Bytes::from_static(text.as_bytes())).unwrap();
        let uas = RouteSet::from_record_route(&ok, false).unwrap();
        let uac = RouteSet::from_record_route(&ok, true).unwrap();
        assert_eq!(&uas.entries()[0][..], b"<sip:p2.example.com;lr>");
        assert_eq!(&uac.entries()[0][..], b"<sip:p1.example.com;lr>");
        let mut bad = ok.clone();
        bad.set_header(
            HeaderName::RecordRoute,
            Some(Bytes::from_static(b"<tel:+4930>")),
        );
        assert_eq!(
            RouteSet::from_record_route(&bad, true),
            Err(DialogError::Malformed {
                header: "Record-Route"
            })
        );
    }

    #[test]
    fn next_hop_is_the_first_route_or_the_request_uri() {
        let mut request = Message {
            start: crate::message::StartLine::Request {
                method: crate::method::Method::Bye,
                uri: Bytes::from_static(b"sip:bob@192.0.2.4"),
            },
            headers: Vec::new(),
            body: Bytes::new(),
        };
        assert_eq!(
            next_hop(&request).as_deref(),
            Some(&b"sip:bob@192.0.2.4"[..])
        );
        request.push(
            HeaderName::Route,
            Bytes::from_static(b"<sip:p1.example.com;lr>"),
        );
        assert_eq!(
            next_hop(&request).as_deref(),
            Some(&b"sip:p1.example.com;lr"[..])
        );
    }
}
