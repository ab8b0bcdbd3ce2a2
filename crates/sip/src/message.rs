//! A SIP message (RFC 3261 §7): start line, header fields and body, holding slices of the
//! received bytes (zero-copy) and written back out by [`Message::to_bytes`].

use crate::header_name::HeaderName;
use crate::method::Method;
use crate::params::split_list;
use bytes::{BufMut, Bytes, BytesMut};

/// The first line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartLine {
    /// `METHOD Request-URI SIP/2.0`
    Request {
        /// The method.
        method: Method,
        /// The Request-URI as received.
        uri: Bytes,
    },
    /// `SIP/2.0 CODE Reason`
    Response {
        /// 100–699.
        code: u16,
        /// The reason phrase (may be empty).
        reason: Bytes,
    },
}

/// One header field line (unfolded; surrounding white space removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Its name.
    pub name: HeaderName,
    /// Its value.
    pub value: Bytes,
}

/// A request or response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Request or status line.
    pub start: StartLine,
    /// Header fields in order.
    pub headers: Vec<Header>,
    /// The body (as framed by Content-Length).
    pub body: Bytes,
}

/// Header fields whose values may hold commas that do not separate list elements
/// (RFC 3261 §7.3.1: the authentication headers, and dates).
fn is_list(name: &HeaderName) -> bool {
    !matches!(
        name,
        HeaderName::Authorization
            | HeaderName::ProxyAuthorization
            | HeaderName::WwwAuthenticate
            | HeaderName::ProxyAuthenticate
            | HeaderName::UserAgent
            | HeaderName::Subject
            | HeaderName::CallId
            | HeaderName::CSeq
            | HeaderName::RetryAfter
            | HeaderName::Other(_)
    )
}

impl Message {
    /// The method of a request; for a response `None`.
    pub fn method(&self) -> Option<&Method> {
        match &self.start {
            StartLine::Request { method, .. } => Some(method),
            StartLine::Response { .. } => None,
        }
    }

    /// The status code of a response.
    pub fn code(&self) -> Option<u16> {
        match &self.start {
            StartLine::Response { code, .. } => Some(*code),
            StartLine::Request { .. } => None,
        }
    }

    /// The first value of a header.
    pub fn header(&self, name: &HeaderName) -> Option<&Bytes> {
        self.headers
            .iter()
            .find(|h| h.name.same(name))
            .map(|h| &h.value)
    }

    /// Every line of a header, in order.
    pub fn header_lines<'a>(
        &'a self,
        name: &'a HeaderName,
    ) -> impl Iterator<Item = &'a Bytes> + 'a {
        self.headers
            .iter()
            .filter(move |h| h.name.same(name))
            .map(|h| &h.value)
    }

    /// Every element of a list header (`Via`, `Contact`, `Route`, …) across repeated lines
    /// and commas (RFC 3261 §7.3.1), in order. Commas inside quotes or `<…>` do not split.
    pub fn header_values(&self, name: &HeaderName) -> Vec<Bytes> {
        let mut out = Vec::new();
        for line in self.header_lines(name) {
            if is_list(name) {
                out.extend(split_list(line));
            } else {
                out.push(line.clone());
            }
        }
        out
    }

    /// The first of [`Message::header_values`], without splitting the others: the top
    /// Via or Route.
    pub fn first_value(&self, name: &HeaderName) -> Option<Bytes> {
        let list = is_list(name);
        self.header_lines(name).find_map(|line| match list {
            true => crate::params::first_element(line),
            false => Some(line.clone()),
        })
    }

    /// Replaces all lines of a header with one value (or removes them with `None`),
    /// keeping the position of the first.
    pub fn set_header(&mut self, name: HeaderName, value: Option<Bytes>) {
        let at = self.headers.iter().position(|h| h.name.same(&name));
        self.headers.retain(|h| !h.name.same(&name));
        if let Some(value) = value {
            let at = at.unwrap_or(self.headers.len()).min(self.headers.len());
            self.headers.insert(at, Header { name, value });
        }
    }

    /// Adds a header line in front of all others of its name (as a proxy adds `Via`).
    pub fn push_front(&mut self, name: HeaderName, value: Bytes) {
        let at = self
            .headers
            .iter()
            .position(|h| h.name.same(&name))
            .unwrap_or(0);
        self.headers.insert(at, Header { name, value });
    }

    /// Appends a header line.
    pub fn push(&mut self, name: HeaderName, value: Bytes) {
        self.headers.push(Header { name, value });
    }

    /// The wire form. `Content-Length` is written from the body (the parser drops the
    /// received one), so the framing is always right.
    pub fn to_bytes(&self) -> Bytes {
        // Exactly the size it will have: a response is kept for the retransmissions of
        // its request (32 s), thousands a second under a registration storm.
        let start = match &self.start {
            StartLine::Request { method, uri } => method.as_bytes().len() + uri.len() + 11,
            StartLine::Response { reason, .. } => 14 + reason.len(),
        };
        let headers: usize = self
            .headers
            .iter()
            .filter(|h| h.name != HeaderName::ContentLength)
            .map(|h| h.name.as_bytes().len() + h.value.len() + 4)
            .sum();
        let mut out = BytesMut::with_capacity(start + headers + 40 + self.body.len());
        match &self.start {
            StartLine::Request { method, uri } => {
                out.put_slice(method.as_bytes());
                out.put_u8(b' ');
                out.put_slice(uri);
                out.put_slice(b" SIP/2.0\r\n");
            }
            StartLine::Response { code, reason } => {
                out.put_slice(b"SIP/2.0 ");
                put_decimal(&mut out, u64::from(*code));
                out.put_u8(b' ');
                out.put_slice(reason);
                out.put_slice(b"\r\n");
            }
        }
        for h in self
            .headers
            .iter()
            .filter(|h| h.name != HeaderName::ContentLength)
        {
            out.put_slice(h.name.as_bytes());
            out.put_slice(b": ");
            out.put_slice(&h.value);
            out.put_slice(b"\r\n");
        }
        out.put_slice(b"Content-Length: ");
        put_decimal(&mut out, self.body.len() as u64);
        out.put_slice(b"\r\n\r\n");
        out.put_slice(&self.body);
        out.freeze()
    }

    /// A response to this request (RFC 3261 §8.2.6.2): the same Via lines, From, Call-ID
    /// and CSeq; To with `to_tag` added when given and none is there yet.
    pub fn response(&self, code: u16, reason: &str, to_tag: Option<&str>) -> Message {
        let mut headers = Vec::new();
        for h in &self.headers {
            let copy = matches!(
                h.name,
                HeaderName::Via | HeaderName::From | HeaderName::CallId | HeaderName::CSeq
            );
            if copy {
                headers.push(h.clone());
            } else if h.name == HeaderName::To {
                let has_tag = crate::name_addr::NameAddr::parse(&h.value)
                    .ok()
                    .is_some_and(|n| n.param("tag").is_some());
                let value = match to_tag {
                    Some(tag) if !has_tag && code > 100 => {
                        let mut v = BytesMut::with_capacity(h.value.len() + 5 + tag.len());
                        v.put_slice(&h.value);
                        v.put_slice(b";tag=");
                        v.put_slice(tag.as_bytes());
                        v.freeze()
                    }
                    _ => h.value.clone(),
                };
                headers.push(Header {
                    name: HeaderName::To,
                    value,
                });
            }
        }
        Message {
            start: StartLine::Response {
                code,
                reason: Bytes::copy_from_slice(reason.as_bytes()),
            },
            headers,
            body: Bytes::new(),
        }
    }
}

/// Appends `n` in decimal (the hot paths write numbers without `format!`).
pub fn put_decimal(out: &mut impl BufMut, n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.put_slice(&digits[at..]);
}
