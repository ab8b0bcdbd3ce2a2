//! Reading SIP messages (RFC 3261 §7, §18.3, §25): bytes in, and out comes one of
//! *incomplete* (stream transports: read more), *invalid, with why* or a message. The
//! message holds slices of the input; only folded header lines are copied.

use crate::cseq::CSeq;
use crate::header_name::HeaderName;
use crate::message::{Header, Message, StartLine};
use crate::method::Method;
use crate::name_addr::NameAddr;
use crate::params::{is_token, trim};
use crate::uri::{is_absolute_uri, Uri, UriError};
use crate::via::{Via, ViaError};
use bytes::{Bytes, BytesMut};

/// The largest message accepted (header section and body).
pub const MAX_MESSAGE: usize = 64 * 1024;

/// Why bytes are not a SIP message. [`ParseError::reason`] words it for a `400`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Larger than [`MAX_MESSAGE`].
    #[error("message larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// A NUL byte or other control character in the start line or a header.
    #[error("control character in line {line}")]
    ControlCharacter {
        /// 1-based line.
        line: usize,
    },
    /// The first line is neither a request line nor a status line.
    #[error("malformed start line: {0}")]
    StartLine(&'static str),
    /// Not SIP/2.0 (answer 505).
    #[error("unsupported SIP version")]
    Version,
    /// A header line without a colon, with a bad name, or folding before any header.
    #[error("malformed header line {line}: {why}")]
    HeaderLine {
        /// 1-based line.
        line: usize,
        /// What is wrong.
        why: &'static str,
    },
    /// Content-Length not a number (RFC 4475 3.1.2.3 sends -999).
    #[error("Content-Length is not a number of at most 9 digits")]
    ContentLength,
    /// Two different Content-Length values (RFC 4475 3.3.9).
    #[error("two different Content-Length values: {first} and {second}")]
    ContentLengths {
        /// The first value.
        first: usize,
        /// The one that differs from it.
        second: usize,
    },
    /// A stream message without Content-Length (RFC 3261 §18.3 requires it there).
    #[error("Content-Length is required on stream transports")]
    MissingContentLength,
    /// The body is shorter than Content-Length says.
    #[error("body of {got} bytes shorter than Content-Length {expected}")]
    BodyTooShort {
        /// Content-Length.
        expected: usize,
        /// Bytes present.
        got: usize,
    },
    /// A request lacks a header every request must have (§8.1.1).
    #[error("missing {0} header")]
    MissingHeader(&'static str),
    /// A header every request needs is malformed.
    #[error("malformed {0} header")]
    BadHeader(&'static str),
    /// A header is malformed, and this is why.
    #[error("malformed {header} header: {why}")]
    HeaderValue {
        /// The header's name.
        header: &'static str,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A header that may appear once appears more often (RFC 4475 3.3.8).
    #[error("more than one {0} header")]
    RepeatedHeader(&'static str),
    /// The Request-URI cannot be used as it is (RFC 3261 §19.1.1; RFC 4475 3.1.2.11).
    #[error("invalid Request-URI: {0}")]
    RequestUri(&'static str),
    /// CSeq method differs from the request method (§8.1.1.5).
    #[error("CSeq method does not match the request method")]
    CSeqMethod,
}

impl ParseError {
    /// The reason phrase of a `400` (or `505`) answer, saying what was wrong.
    pub fn reason(&self) -> String {
        match self {
            ParseError::Version => "Version Not Supported".into(),
            other => format!("Bad Request ({other})"),
        }
    }

    /// The status code to answer with, when the message can be answered at all.
    pub fn status(&self) -> u16 {
        match self {
            ParseError::Version => 505,
            ParseError::TooLarge { .. } => 513,
            _ => 400,
        }
    }
}

/// What a stream buffer holds at its start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// Not a whole message yet.
    Incomplete,
    /// A keep-alive ping `CRLFCRLF` (RFC 5626 §3.5.1): answer with one CRLF.
    Ping {
        /// Bytes to drop.
        consumed: usize,
    },
    /// A lone CRLF (a pong, or padding): drop it.
    Pong {
        /// Bytes to drop.
        consumed: usize,
    },
    /// A message.
    Message {
        /// The message.
        message: Message,
        /// Bytes it took.
        consumed: usize,
    },
}

/// Reads one message from a datagram (UDP). Without Content-Length the body is the rest;
/// bytes after Content-Length are ignored (RFC 3261 §18.3).
pub fn parse_datagram(data: Bytes) -> Result<Message, ParseError> {
    if data.len() > MAX_MESSAGE {
        return Err(ParseError::TooLarge { limit: MAX_MESSAGE });
    }
    let start = leading_crlf(&data);
    let data = data.slice(start..);
    let head_end = match find_head_end(&data) {
        Some(end) => end,
        // The datagram frames the message: a header section that ends with the datagram
        // lacks only the empty line (RFC 4475's archive sends baddn like this).
        None if data.ends_with(b"\n") => data.len(),
        None => {
            return Err(ParseError::HeaderLine {
                line: count_lines(&data),
                why: "the header section does not end with an empty line",
            })
        }
    };
    let (mut message, body_start) = parse_head(&data, head_end)?;
    let available = data.len() - body_start;
    let length = content_length(&message)?.unwrap_or(available);
    if length > available {
        return Err(ParseError::BodyTooShort {
            expected: length,
            got: available,
        });
    }
    message.body = data.slice(body_start..body_start + length);
    drop_framing(&mut message);
    Ok(message)
}

/// Reads the next frame from a stream buffer (TCP, TLS). Content-Length is required.
/// The message is the same [`parse_datagram`] reads from the same bytes.
pub fn parse_stream(buffer: &Bytes) -> Result<Frame, ParseError> {
    // A CRLF and the start of another may be the two halves of a ping.
    if buffer.len() < 4 && b"\r\n\r\n".starts_with(buffer) {
        return Ok(Frame::Incomplete);
    }
    if buffer.starts_with(b"\r\n\r\n") {
        return Ok(Frame::Ping { consumed: 4 });
    }
    if buffer.starts_with(b"\r\n") {
        return Ok(Frame::Pong { consumed: 2 });
    }
    let Some(head_end) = find_head_end(buffer) else {
        if buffer.len() > MAX_MESSAGE {
            return Err(ParseError::TooLarge { limit: MAX_MESSAGE });
        }
        return Ok(Frame::Incomplete);
    };
    let (mut message, body_start) = parse_head(buffer, head_end)?;
    let length = content_length(&message)?.ok_or(ParseError::MissingContentLength)?;
    if body_start + length > MAX_MESSAGE {
        return Err(ParseError::TooLarge { limit: MAX_MESSAGE });
    }
    if buffer.len() < body_start + length {
        return Ok(Frame::Incomplete);
    }
    message.body = buffer.slice(body_start..body_start + length);
    drop_framing(&mut message);
    Ok(Frame::Message {
        message,
        consumed: body_start + length,
    })
}

/// Content-Length is framing: the body's length says it, and [`Message::to_bytes`]
/// writes it again. Dropping it makes parsing the exact inverse of writing.
fn drop_framing(m: &mut Message) {
    m.headers.retain(|h| h.name != HeaderName::ContentLength);
}

fn leading_crlf(data: &[u8]) -> usize {
    let mut i = 0;
    while data[i..].starts_with(b"\r\n") {
        i += 2;
    }
    i
}

fn count_lines(data: &[u8]) -> usize {
    data.iter().filter(|c| **c == b'\n').count() + 1
}

/// Index just after the empty line that ends the header section (`\r\n\r\n`, or bare
/// `\n\n` from lenient senders).
fn find_head_end(data: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < data.len() {
        if data[i] == b'\n' {
            if data[i + 1..].starts_with(b"\r\n") {
                return Some(i + 3);
            }
            if data[i + 1..].starts_with(b"\n") {
                return Some(i + 2);
            }
        }
        i += 1;
    }
    None
}

/// Splits the header section into lines without their line ends.
fn lines(head: &Bytes) -> Vec<Bytes> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in head.iter().enumerate() {
        if *c == b'\n' {
            let end = if i > start && head[i - 1] == b'\r' {
                i - 1
            } else {
                i
            };
            out.push(head.slice(start..end));
            start = i + 1;
        }
    }
    if start < head.len() {
        out.push(head.slice(start..));
    }
    out
}

fn is_control(c: u8) -> bool {
    (c < 0x20 && c != b'\t') || c == 0x7f
}

fn is_continuation(line: &[u8]) -> bool {
    line.first().is_some_and(|c| matches!(c, b' ' | b'\t'))
}

/// Control characters (other than tab) appear only escaped in a quoted string, and never
/// CR or LF (RFC 3261 §25.1 quoted-pair; RFC 4475 3.1.1.2 escapes NUL, BEL and DEL).
/// A quoted string may go on over a folded line, but not into the next header.
fn check_controls(all: &[Bytes]) -> Result<(), ParseError> {
    let mut quoted = false;
    for (n, line) in all.iter().enumerate() {
        if n == 0 || !is_continuation(line) {
            quoted = false;
        }
        let mut escaped = false;
        for &c in line.iter() {
            if escaped {
                escaped = false;
                if c != b'\r' {
                    continue;
                }
            }
            if is_control(c) {
                return Err(ParseError::ControlCharacter { line: n + 1 });
            }
            match c {
                b'\\' if quoted => escaped = true,
                b'"' if n > 0 => quoted = !quoted,
                _ => {}
            }
        }
    }
    Ok(())
}

fn parse_head(data: &Bytes, head_end: usize) -> Result<(Message, usize), ParseError> {
    let all = head_lines(data, head_end);
    check_controls(&all)?;
    let first = all.first().ok_or(ParseError::StartLine("empty"))?;
    let start = start_line(first)?;
    let headers = header_fields(&all)?;
    Ok((
        Message {
            start,
            headers,
            body: Bytes::new(),
        },
        head_end,
    ))
}

/// The lines of the header section, without the empty ones that end it.
fn head_lines(data: &Bytes, head_end: usize) -> Vec<Bytes> {
    let mut all = lines(&data.slice(..head_end));
    while all.last().is_some_and(|l| l.is_empty()) {
        all.pop();
    }
    all
}

/// The header fields of the lines after the start line, folded lines joined with one
/// space (RFC 3261 §7.3.1).
fn header_fields(all: &[Bytes]) -> Result<Vec<Header>, ParseError> {
    let mut headers: Vec<Header> = Vec::with_capacity(all.len());
    // Folded continuation lines: (index of header, pieces) joined with one space.
    let mut folded: Vec<(usize, Vec<Bytes>)> = Vec::new();
    for (n, line) in all.iter().enumerate().skip(1) {
        if is_continuation(line) {
            let Some(last) = headers.len().checked_sub(1) else {
                return Err(ParseError::HeaderLine {
                    line: n + 1,
                    why: "continuation before any header",
                });
            };
            match folded.last_mut() {
                Some((i, pieces)) if *i == last => pieces.push(trim(line)),
                _ => folded.push((last, vec![headers[last].value.clone(), trim(line)])),
            }
            continue;
        }
        let colon = line
            .iter()
            .position(|c| *c == b':')
            .ok_or(ParseError::HeaderLine {
                line: n + 1,
                why: "no colon",
            })?;
        let name = trim(&line.slice(..colon));
        if !is_token(&name) {
            return Err(ParseError::HeaderLine {
                line: n + 1,
                why: "the name is not a token",
            });
        }
        headers.push(Header {
            name: HeaderName::from_token(name),
            value: trim(&line.slice(colon + 1..)),
        });
    }
    for (i, pieces) in folded {
        let mut joined = BytesMut::new();
        for piece in pieces.iter().filter(|p| !p.is_empty()) {
            if !joined.is_empty() {
                joined.extend_from_slice(b" ");
            }
            joined.extend_from_slice(piece);
        }
        headers[i].value = joined.freeze();
    }
    Ok(headers)
}

/// The answer to a request datagram that [`parse_datagram`] refused with `error`, when
/// one can be given: `error.status()` with `error.reason()` as its phrase (RFC 3261
/// §21.4.1), on the request's Via, From, To (given `to_tag`), Call-ID and CSeq (§8.2.6).
/// RFC 4475 asks for one to a bad request line (3.1.2.7-10), a bad Content-Length (3.1.2.2,
/// 3.1.2.3, 3.3.9) or version (3.1.2.16). `None` for responses and ACKs, which are never
/// answered, and for requests whose header section cannot be read or lacks one of those
/// headers: those are dropped.
pub fn answer_refused(data: &Bytes, error: &ParseError, to_tag: Option<&str>) -> Option<Message> {
    let data = data.slice(leading_crlf(data)..);
    let all = head_lines(&data, find_head_end(&data).unwrap_or(data.len()));
    check_controls(&all).ok()?;
    let first = all.first()?;
    let method = first.split(|c| *c == b' ').next()?;
    if !is_token(method) || method == b"ACK" {
        return None;
    }
    let request = Message {
        start: StartLine::Request {
            method: Method::from_token(first.slice_ref(method)),
            uri: Bytes::new(),
        },
        headers: header_fields(&all).ok()?,
        body: Bytes::new(),
    };
    // The answer goes back to where the datagram came from (§18.2.2); the sender matches
    // it by these headers, however odd they are (badvers has a SIP/7.0 Via).
    let needed = [
        HeaderName::Via,
        HeaderName::From,
        HeaderName::To,
        HeaderName::CallId,
        HeaderName::CSeq,
    ];
    if needed
        .iter()
        .any(|name| request.header(name).is_none_or(|v| v.is_empty()))
    {
        return None;
    }
    Some(request.response(error.status(), &error.reason(), to_tag))
}

/// `SIP/2.0`; the version is case-insensitive (RFC 3261 §7.1).
fn is_sip_2(b: &[u8]) -> bool {
    b.eq_ignore_ascii_case(b"SIP/2.0")
}

fn is_sip_version_prefix(b: &[u8]) -> bool {
    b.len() >= 4 && b[..4].eq_ignore_ascii_case(b"SIP/")
}

fn start_line(line: &Bytes) -> Result<StartLine, ParseError> {
    if is_sip_version_prefix(line) {
        // SIP-Version SP Status-Code SP Reason-Phrase
        let (version, rest) = split_sp(line).ok_or(ParseError::StartLine("no status code"))?;
        if !is_sip_2(&version) {
            return Err(ParseError::Version);
        }
        let (code, reason) = match split_sp(&rest) {
            Some((code, reason)) => (code, reason),
            None => (rest.clone(), Bytes::new()),
        };
        // RFC 4475 3.1.2.19 sends 4294967301.
        if code.len() != 3 || !code.iter().all(u8::is_ascii_digit) {
            return Err(ParseError::StartLine("the status code is not three digits"));
        }
        let code = code.iter().fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
        if !(100..=699).contains(&code) {
            return Err(ParseError::StartLine("the status code is outside 100-699"));
        }
        return Ok(StartLine::Response { code, reason });
    }
    // Method SP Request-URI SP SIP-Version, with exactly single spaces (RFC 4475
    // 3.1.2.8-10).
    let (method, rest) = split_sp(line).ok_or(ParseError::StartLine("no Request-URI"))?;
    if !is_token(&method) {
        return Err(ParseError::StartLine("the method is not a token"));
    }
    let (uri, version) = split_sp(&rest).ok_or(ParseError::StartLine("no SIP version"))?;
    if uri.is_empty() {
        return Err(ParseError::StartLine(
            "more than one space after the method",
        ));
    }
    if version.contains(&b' ') {
        return Err(ParseError::StartLine(if version.starts_with(b" ") {
            "more than one space before the SIP version"
        } else if is_sip_2(trim(&version).as_ref()) {
            "white space after the SIP version"
        } else {
            "white space in the Request-URI"
        }));
    }
    if uri.starts_with(b"<") {
        return Err(ParseError::StartLine("the Request-URI is enclosed in <>"));
    }
    if uri.contains(&b'\t') {
        return Err(ParseError::StartLine("white space in the Request-URI"));
    }
    // Only the shape here; check_request looks closer, so that the answer is a 400.
    if !uri.contains(&b':') || uri.contains(&b'<') || uri.contains(&b'>') {
        return Err(ParseError::StartLine("the Request-URI is not a URI"));
    }
    if !is_sip_2(&version) {
        return if is_sip_version_prefix(&version) {
            Err(ParseError::Version)
        } else {
            Err(ParseError::StartLine("no SIP version"))
        };
    }
    Ok(StartLine::Request {
        method: Method::from_token(method),
        uri,
    })
}

fn split_sp(b: &Bytes) -> Option<(Bytes, Bytes)> {
    let i = b.iter().position(|c| *c == b' ')?;
    Some((b.slice(..i), b.slice(i + 1..)))
}

/// The Content-Length, if present; repeated equal values are fine, different ones not.
fn content_length(m: &Message) -> Result<Option<usize>, ParseError> {
    let mut found: Option<usize> = None;
    for v in m.header_lines(&HeaderName::ContentLength) {
        // At most 9 digits: far above MAX_MESSAGE, and no overflow.
        if v.is_empty() || v.len() > 9 || !v.iter().all(u8::is_ascii_digit) {
            return Err(ParseError::ContentLength);
        }
        let n = v.iter().fold(0usize, |n, d| n * 10 + usize::from(d - b'0'));
        match found {
            Some(first) if first != n => {
                return Err(ParseError::ContentLengths { first, second: n })
            }
            _ => found = Some(n),
        }
    }
    Ok(found)
}

/// Checks what every request must carry (RFC 3261 §8.1.1, §8.2.2): one each of From, To,
/// Call-ID and CSeq, and Via, all well-formed; a CSeq matching the method; Max-Forwards a
/// number when present; a Request-URI without headers; well-formed Contacts. URIs of
/// schemes we do not know pass when they are URIs at all: answering them (416) is the
/// application's (RFC 4475 3.3.2-3.3.4). Responses pass unchecked (see [`check_response`]).
pub fn check_request(m: &Message) -> Result<(), ParseError> {
    let StartLine::Request { method, uri } = &m.start else {
        return Ok(());
    };
    let cseq = check_common(m)?;
    if &cseq.method != method {
        return Err(ParseError::CSeqMethod);
    }
    if let Some(mf) = m.header(&HeaderName::MaxForwards) {
        if mf.is_empty() || mf.len() > 10 || !mf.iter().all(u8::is_ascii_digit) {
            return Err(ParseError::BadHeader("Max-Forwards"));
        }
    }
    check_request_uri(uri)?;
    for contact in m.header_values(&HeaderName::Contact) {
        if &contact[..] != b"*" {
            check_name_addr(&contact, "Contact")?;
        }
    }
    Ok(())
}

/// Checks what a response must carry before the transaction layer matches it (RFC 3261
/// §8.1.3, §17.1.3): one each of From, To, Call-ID and CSeq, and Via, all well-formed.
/// A response that fails is discarded (RFC 4475 3.1.2.5). Requests pass unchecked.
pub fn check_response(m: &Message) -> Result<(), ParseError> {
    match m.start {
        StartLine::Response { .. } => check_common(m).map(|_| ()),
        StartLine::Request { .. } => Ok(()),
    }
}

/// The headers both requests and responses need; returns the CSeq.
fn check_common(m: &Message) -> Result<CSeq, ParseError> {
    for (name, label) in [
        (HeaderName::Via, "Via"),
        (HeaderName::From, "From"),
        (HeaderName::To, "To"),
        (HeaderName::CallId, "Call-ID"),
        (HeaderName::CSeq, "CSeq"),
    ] {
        if m.header(&name).is_none_or(|v| v.is_empty()) {
            return Err(ParseError::MissingHeader(label));
        }
    }
    for (name, label) in [
        (HeaderName::From, "From"),
        (HeaderName::To, "To"),
        (HeaderName::CallId, "Call-ID"),
        (HeaderName::CSeq, "CSeq"),
        (HeaderName::MaxForwards, "Max-Forwards"),
    ] {
        if m.header_lines(&name).count() > 1 {
            return Err(ParseError::RepeatedHeader(label));
        }
    }
    for v in m.header_values(&HeaderName::Via) {
        Via::parse(&v).map_err(|e| ParseError::HeaderValue {
            header: "Via",
            why: via_why(e),
        })?;
    }
    for (name, label) in [(HeaderName::From, "From"), (HeaderName::To, "To")] {
        check_name_addr(m.header(&name).unwrap_or(&Bytes::new()), label)?;
    }
    let cseq = m.header(&HeaderName::CSeq).cloned().unwrap_or_default();
    CSeq::parse_checked(&cseq).map_err(|why| ParseError::HeaderValue {
        header: "CSeq",
        why,
    })
}

fn via_why(e: ViaError) -> &'static str {
    match e {
        ViaError::Protocol => "the protocol is not SIP/2.0/transport",
        ViaError::SentBy => "the sent-by is invalid",
        ViaError::Params(why) => why,
    }
}

fn check_name_addr(value: &Bytes, header: &'static str) -> Result<(), ParseError> {
    let addr = NameAddr::parse(value).map_err(|e| ParseError::HeaderValue {
        header,
        why: e.why(),
    })?;
    match Uri::parse(&addr.uri) {
        Ok(_) => Ok(()),
        Err(UriError::Scheme) if is_absolute_uri(&addr.uri) => Ok(()),
        Err(UriError::Scheme) => Err(ParseError::HeaderValue {
            header,
            why: "the address is not a URI",
        }),
        Err(e) => Err(ParseError::HeaderValue {
            header,
            why: e.why(),
        }),
    }
}

fn check_request_uri(uri: &Bytes) -> Result<(), ParseError> {
    match Uri::parse(uri) {
        // RFC 3261 §19.1.1 (table 1); RFC 4475 3.1.2.11.
        Ok(u) if u.headers.is_some() => Err(ParseError::RequestUri(
            "headers (?…) are not allowed in a Request-URI",
        )),
        Ok(_) => Ok(()),
        Err(UriError::Scheme) if is_absolute_uri(uri) => Ok(()),
        Err(UriError::Scheme) => Err(ParseError::RequestUri("not a URI")),
        Err(e) => Err(ParseError::RequestUri(e.why())),
    }
}
