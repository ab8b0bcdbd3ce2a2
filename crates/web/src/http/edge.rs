//! What the accept loop refuses before any route sees a request, on top of what hyper
//! already refuses (crates/server/tests/operations/proxies.rs proves both):
//!
//! - hyper: two different `Content-Length`s, a `Transfer-Encoding` other than chunked,
//!   `Transfer-Encoding` in HTTP/1.0 and malformed heads → 400; more than 100 header
//!   lines, or a head over [`MAX_HEADER_BYTES`] → 431; the connection is closed.
//! - here: a request body framed by `Transfer-Encoding` → 411 Length Required, and the
//!   connection closed. hyper takes `Content-Length` together with `Transfer-Encoding:
//!   chunked` by the chunks (RFC 9112 §6.3) and removes the `Content-Length`, so that
//!   conflict cannot be told apart from a plain chunked body here; refusing every
//!   chunked request body leaves no framing a proxy in front could read differently
//!   (request smuggling). Browsers send no chunked request bodies over HTTP/1.1, and
//!   reverse proxies buffer a client's chunked upload and pass it on with a length.
//!
//! The `Host` header is not checked: no setting names the server's public host (behind a
//! proxy it is the proxy's to check), and nothing here builds a link or a redirect from
//! `Host` or `X-Forwarded-Host`; the real-time WebSocket compares `Origin` with `Host`.

use axum::http::{header, HeaderMap, StatusCode};

/// The largest request head taken (request line and header lines): more → 431.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Why a request is refused at the edge: the status and a sentence for the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// The answer's status.
    pub status: StatusCode,
    /// What the client hears.
    pub message: &'static str,
}

/// The refusal of a request with these headers, if it is refused.
pub fn refusal(headers: &HeaderMap) -> Option<Refusal> {
    if headers.contains_key(header::TRANSFER_ENCODING) {
        return Some(Refusal {
            status: StatusCode::LENGTH_REQUIRED,
            message: "A request body needs a Content-Length; Transfer-Encoding is not accepted.",
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_are_refused_and_others_pass() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_LENGTH, "12".parse().unwrap());
        headers.insert(header::HOST, "durchwahl.lra.example".parse().unwrap());
        assert_eq!(refusal(&headers), None);
        headers.insert(header::TRANSFER_ENCODING, "chunked".parse().unwrap());
        assert_eq!(
            refusal(&headers).map(|r| r.status),
            Some(StatusCode::LENGTH_REQUIRED)
        );
        assert_eq!(refusal(&HeaderMap::new()), None);
    }
}
