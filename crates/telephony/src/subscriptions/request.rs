//! Reading a SUBSCRIBE (RFC 6665 §4.2.1.1): what it asks for, checked, or why it is
//! refused (each refusal its own status and headers).

use super::{Limits, Package, ALLOW_EVENTS};
use bytes::Bytes;
use sip::cseq::CSeq;
use sip::name_addr::NameAddr;
use sip::{HeaderName, Message};

/// Why a SUBSCRIBE is refused; [`Refusal::response`] is the answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No `Event`, or a package not served: 489 with `Allow-Events`.
    #[error("unknown event package")]
    BadEvent,
    /// `Accept` names none of the package's media types: 406.
    #[error("the subscriber accepts no body of this package")]
    NotAcceptable,
    /// A header is missing or unreadable: 400 with the reason.
    #[error("{0}")]
    Malformed(&'static str),
    /// Expires below the minimum: 423 with `Min-Expires`.
    #[error("expires below {min} s")]
    TooBrief {
        /// The minimum, seconds.
        min: u32,
    },
    /// The device has as many subscriptions as it may: 403.
    #[error("the device has {max} subscriptions already")]
    PerSubscriber {
        /// The bound.
        max: usize,
    },
    /// The table is full: 503 with `Retry-After`.
    #[error("too many subscriptions")]
    Full,
    /// An in-dialog SUBSCRIBE for no subscription of ours: 481.
    #[error("no such subscription")]
    NoSuchSubscription,
    /// An in-dialog SUBSCRIBE with an old CSeq: 500 (RFC 3261 §12.2.2).
    #[error("CSeq out of order")]
    OutOfOrder,
}

impl Refusal {
    /// The answer to `request`, with `tag` as To tag when it has none.
    pub fn response(&self, request: &Message, tag: &str) -> Message {
        let (code, reason) = match self {
            Refusal::BadEvent => (489, "Bad Event"),
            Refusal::NotAcceptable => (406, "Not Acceptable"),
            Refusal::Malformed(why) => (400, *why),
            Refusal::TooBrief { .. } => (423, "Interval Too Brief"),
            Refusal::PerSubscriber { .. } => (403, "Forbidden (too many subscriptions)"),
            Refusal::Full => (503, "Service Unavailable"),
            Refusal::NoSuchSubscription => (481, "Subscription Does Not Exist"),
            Refusal::OutOfOrder => (500, "Server Internal Error (CSeq out of order)"),
        };
        let mut reply = request.response(code, reason, Some(tag));
        match self {
            Refusal::BadEvent => reply.push(
                HeaderName::Other(Bytes::from_static(b"Allow-Events")),
                Bytes::from_static(ALLOW_EVENTS),
            ),
            Refusal::TooBrief { min } => {
                reply.push(HeaderName::MinExpires, Bytes::from(min.to_string()))
            }
            // Not sooner: a full table empties by expiry, which takes minutes.
            Refusal::Full => reply.push(HeaderName::RetryAfter, Bytes::from_static(b"60")),
            _ => {}
        }
        reply
    }
}

/// What a SUBSCRIBE asks for, checked.
#[derive(Debug)]
pub(super) struct Asked {
    pub(super) package: Package,
    /// Seconds granted: what was asked, shortened to the maximum; 0 ends or fetches.
    pub(super) expires: u32,
    /// The subscriber's Contact URI (the NOTIFYs' Request-URI), if readable.
    pub(super) target: Option<Bytes>,
    pub(super) call_id: Bytes,
    pub(super) from_tag: Option<Bytes>,
    pub(super) to_tag: Option<Bytes>,
    pub(super) cseq: u32,
}

impl Asked {
    /// Reads and checks a SUBSCRIBE: the package, that the subscriber takes its bodies
    /// (no `Accept` means the package's default), the Expires (the default when absent).
    pub(super) fn read(request: &Message, limits: &Limits) -> Result<Asked, Refusal> {
        let package = request
            .header(&HeaderName::Event)
            .and_then(|e| Package::of_event(e))
            .ok_or(Refusal::BadEvent)?;
        if !accepts(request, package.content_type()) {
            return Err(Refusal::NotAcceptable);
        }
        let asked = match request.header(&HeaderName::Expires) {
            Some(value) => delta_seconds(value).ok_or(Refusal::Malformed("Bad Expires"))?,
            None => limits.default_expires_secs,
        };
        if asked != 0 && asked < limits.min_expires_secs {
            return Err(Refusal::TooBrief {
                min: limits.min_expires_secs,
            });
        }
        let cseq = request
            .header(&HeaderName::CSeq)
            .and_then(CSeq::parse)
            .ok_or(Refusal::Malformed("Bad CSeq"))?;
        let target = request
            .header_values(&HeaderName::Contact)
            .first()
            .and_then(|c| NameAddr::parse(c).ok())
            .map(|c| c.uri)
            .filter(|uri| sip::uri::is_absolute_uri(uri));
        Ok(Asked {
            package,
            expires: asked.min(limits.max_expires_secs),
            target,
            call_id: request
                .header(&HeaderName::CallId)
                .cloned()
                .unwrap_or_default(),
            from_tag: tag_of(request, &HeaderName::From),
            to_tag: tag_of(request, &HeaderName::To),
            cseq: cseq.seq,
        })
    }
}

/// The tag of a From or To header.
pub(super) fn tag_of(message: &Message, name: &HeaderName) -> Option<Bytes> {
    NameAddr::parse(message.header(name)?).ok()?.tag().cloned()
}

/// RFC 6665 §4.2.1.1: the subscriber must take the package's bodies.
fn accepts(request: &Message, content_type: &str) -> bool {
    let ranges = request.header_values(&HeaderName::Accept);
    ranges.is_empty()
        || ranges.iter().any(|r| {
            let media = r.split(|c| *c == b';').next().unwrap_or_default();
            [content_type, "*/*", "application/*"]
                .iter()
                .any(|m| media.trim_ascii().eq_ignore_ascii_case(m.as_bytes()))
        })
}

/// `delta-seconds`, at most 2**32-1 (RFC 3261 §20.19): more is read as that.
fn delta_seconds(value: &[u8]) -> Option<u32> {
    let digits = value.trim_ascii();
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = digits.iter().try_fold(0u32, |n, d| {
        n.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    });
    Some(n.unwrap_or(u32::MAX))
}
