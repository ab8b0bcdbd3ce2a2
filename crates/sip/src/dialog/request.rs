//! Writing a request inside a dialog (RFC 3261 §12.2.1.1): Request-URI and Route from
//! the route set and remote target, From and To with the dialog's tags, its Call-ID, a
//! CSeq, Max-Forwards, and a Contact in target refresh requests. Every header but CSeq
//! shares the dialog's `Bytes`, so a request costs its header list and one CSeq value.
//!
//! No Via: which transport the request leaves by, and so its sent-by, is known only once
//! the shell has resolved [`super::next_hop`]. The shell puts the Via (with a fresh
//! branch, §8.1.1.7) on top before handing the request to the transaction layer.

use super::offer::Body;
use super::route::RouteSet;
use crate::header_name::HeaderName;
use crate::message::{put_decimal, Header, Message, StartLine};
use crate::method::Method;
use bytes::{BufMut, Bytes, BytesMut};

/// Max-Forwards of requests we originate (RFC 3261 §8.1.1.6).
const MAX_FORWARDS: &[u8] = b"70";

/// What a request inside a dialog is made of.
pub(crate) struct Parts<'a> {
    pub method: Method,
    pub cseq: u32,
    /// Our From value, with our tag.
    pub local: &'a Bytes,
    /// Their To value, with their tag.
    pub remote: &'a Bytes,
    pub call_id: &'a Bytes,
    pub remote_target: &'a Bytes,
    pub route_set: &'a RouteSet,
    /// Our Contact, for target refresh requests.
    pub contact: Option<&'a Bytes>,
    /// Extra header lines (the credentials of an INVITE on its ACK).
    pub extra: &'a [Header],
    pub body: Option<Body>,
}

/// Whether a method refreshes the remote target of a dialog, and so carries our Contact
/// (RFC 3261 §12.2.1.1 re-INVITE, RFC 3311 §5.1 UPDATE). SUBSCRIBE and NOTIFY refresh the
/// targets of a subscription (RFC 6665 §4.1.2.1); this layer leaves them to its users.
pub(crate) fn is_target_refresh(method: &Method) -> bool {
    matches!(method, Method::Invite | Method::Update)
}

/// The `CSeq` value `4711 BYE`.
pub(crate) fn cseq_value(seq: u32, method: &Method) -> Bytes {
    let name = method.as_bytes();
    let mut v = BytesMut::with_capacity(11 + name.len());
    put_decimal(&mut v, u64::from(seq));
    v.put_u8(b' ');
    v.put_slice(name);
    v.freeze()
}

/// The request.
pub(crate) fn build(parts: Parts<'_>) -> Message {
    let mut headers = Vec::with_capacity(8 + parts.route_set.entries().len() + parts.extra.len());
    let header = |name, value: &Bytes| Header {
        name,
        value: value.clone(),
    };
    headers.push(Header {
        name: HeaderName::MaxForwards,
        value: Bytes::from_static(MAX_FORWARDS),
    });
    let uri = parts.route_set.route(parts.remote_target, &mut headers);
    headers.push(header(HeaderName::From, parts.local));
    headers.push(header(HeaderName::To, parts.remote));
    headers.push(header(HeaderName::CallId, parts.call_id));
    headers.push(Header {
        name: HeaderName::CSeq,
        value: cseq_value(parts.cseq, &parts.method),
    });
    if let Some(contact) = parts.contact {
        headers.push(header(HeaderName::Contact, contact));
    }
    headers.extend_from_slice(parts.extra);
    let body = match parts.body {
        Some(body) => {
            headers.push(Header {
                name: HeaderName::ContentType,
                value: body.content_type,
            });
            body.data
        }
        None => Bytes::new(),
    };
    Message {
        start: StartLine::Request {
            method: parts.method,
            uri,
        },
        headers,
        body,
    }
}
