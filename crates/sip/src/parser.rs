//! Reading SIP messages (RFC 3261 §7, §18.3, §25): bytes in, and out comes one of
//! *incomplete* (stream transports: read more), *invalid, with why* or a message. The
//! message holds slices of the input; only folded header lines are copied.

use crate::cseq::CSeq;
use crate::header_name::HeaderName;
use crate::message::{Header, Message, StartLine};
use crate::method::Method;
use crate::params::{is_token, trim};
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
    /// Content-Length not a number, or two different ones.
    #[error("invalid Content-Length")]
    ContentLength,
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
    let head_end = find_head_end(&data).ok_or(ParseError::HeaderLine {
        line: count_lines(&data),
        why: "the header section does not end with an empty line",
    })?;
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
pub fn parse_stream(buffer: &Bytes) -> Result<Frame, ParseError> {
    if buffer.starts_with(b"\r\n\r\n") {
        return Ok(Frame::Ping { consumed: 4 });
    }
    if buffer.starts_with(b"\r\n") {
        return Ok(Frame::Pong { consumed: 2 });
    }
    if buffer.len() < 4 && b"\r\n\r\n".starts_with(buffer) {
        return Ok(Frame::Incomplete);
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

fn parse_head(data: &Bytes, head_end: usize) -> Result<(Message, usize), ParseError> {
    let head = data.slice(..head_end);
    let mut all = lines(&head);
    while all.last().is_some_and(|l| l.is_empty()) {
        all.pop();
    }
    for (n, line) in all.iter().enumerate() {
        if line
            .iter()
            .any(|c| *c == 0 || (*c < 0x20 && *c != b'\t') || *c == 0x7f)
        {
            return Err(ParseError::ControlCharacter { line: n + 1 });
        }
    }
    let first = all.first().ok_or(ParseError::StartLine("empty"))?;
    let start = start_line(first)?;
    let mut headers: Vec<Header> = Vec::with_capacity(all.len());
    // Folded continuation lines: (index of header, pieces) joined with one space.
    let mut folded: Vec<(usize, Vec<Bytes>)> = Vec::new();
    for (n, line) in all.iter().enumerate().skip(1) {
        if line.first().is_some_and(|c| matches!(c, b' ' | b'\t')) {
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
    Ok((
        Message {
            start,
            headers,
            body: Bytes::new(),
        },
        head_end,
    ))
}

fn start_line(line: &Bytes) -> Result<StartLine, ParseError> {
    if line.starts_with(b"SIP/") {
        // SIP-Version SP Status-Code SP Reason-Phrase
        let (version, rest) = split_sp(line).ok_or(ParseError::StartLine("no status code"))?;
        if &version[..] != b"SIP/2.0" {
            return Err(ParseError::Version);
        }
        let (code, reason) = match split_sp(&rest) {
            Some((code, reason)) => (code, reason),
            None => (rest.clone(), Bytes::new()),
        };
        if code.len() != 3 || !code.iter().all(u8::is_ascii_digit) {
            return Err(ParseError::StartLine("the status code is not three digits"));
        }
        let code: u16 = std::str::from_utf8(&code)
            .map_err(|_| ParseError::StartLine("status"))?
            .parse()
            .map_err(|_| ParseError::StartLine("status"))?;
        if !(100..=699).contains(&code) {
            return Err(ParseError::StartLine("the status code is outside 100-699"));
        }
        return Ok(StartLine::Response { code, reason });
    }
    // Method SP Request-URI SP SIP-Version: exactly single spaces (RFC 4475 3.1.2.7).
    let (method, rest) = split_sp(line).ok_or(ParseError::StartLine("no Request-URI"))?;
    if !is_token(&method) {
        return Err(ParseError::StartLine("the method is not a token"));
    }
    let (uri, version) = split_sp(&rest).ok_or(ParseError::StartLine("no SIP version"))?;
    if uri.is_empty() || version.contains(&b' ') || uri.contains(&b'\t') {
        return Err(ParseError::StartLine(
            "extra white space in the request line",
        ));
    }
    if !uri.contains(&b':') || uri.contains(&b'<') || uri.contains(&b'>') {
        return Err(ParseError::StartLine("the Request-URI is not a URI"));
    }
    if &version[..] != b"SIP/2.0" {
        return if version.starts_with(b"SIP/") {
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
        if v.is_empty() || v.len() > 9 || !v.iter().all(u8::is_ascii_digit) {
            return Err(ParseError::ContentLength);
        }
        let n: usize = std::str::from_utf8(v)
            .map_err(|_| ParseError::ContentLength)?
            .parse()
            .map_err(|_| ParseError::ContentLength)?;
        if found.is_some_and(|f| f != n) {
            return Err(ParseError::ContentLength);
        }
        found = Some(n);
    }
    Ok(found)
}

/// Checks what every request must carry (RFC 3261 §8.1.1, §8.2.2): Via, From, To,
/// Call-ID and a CSeq matching the method; Max-Forwards a number when present.
pub fn check_request(m: &Message) -> Result<(), ParseError> {
    let Some(method) = m.method() else {
        return Ok(());
    };
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
    ] {
        if m.header_lines(&name).count() > 1 {
            return Err(ParseError::BadHeader(label));
        }
    }
    for v in m.header_values(&HeaderName::Via) {
        crate::via::Via::parse(&v).map_err(|_| ParseError::BadHeader("Via"))?;
    }
    for (name, label) in [(HeaderName::From, "From"), (HeaderName::To, "To")] {
        let value = m.header(&name).cloned().unwrap_or_default();
        let addr =
            crate::name_addr::NameAddr::parse(&value).map_err(|_| ParseError::BadHeader(label))?;
        crate::uri::Uri::parse(&addr.uri).map_err(|_| ParseError::BadHeader(label))?;
    }
    let cseq = m
        .header(&HeaderName::CSeq)
        .and_then(CSeq::parse)
        .ok_or(ParseError::BadHeader("CSeq"))?;
    if &cseq.method != method {
        return Err(ParseError::CSeqMethod);
    }
    if let Some(mf) = m.header(&HeaderName::MaxForwards) {
        if mf.is_empty() || mf.len() > 10 || !mf.iter().all(u8::is_ascii_digit) {
            return Err(ParseError::BadHeader("Max-Forwards"));
        }
    }
    Ok(())
}
