//! Stored audio answered in parts (RFC 9110 §14): a browser's `<audio>` asks for byte
//! ranges to find an Ogg file's length at its end and to seek; without them it shows no
//! length and no position bar. One range per request, which is what players ask for; a
//! request for several, or one we cannot read, gets the whole file (the RFC allows it).

use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// What a `Range` header asks of a file of `len` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// The whole file.
    Whole,
    /// Bytes `first..=last`.
    Part {
        /// The first byte.
        first: usize,
        /// The last byte, included.
        last: usize,
    },
    /// A range that starts past the end (416).
    Unsatisfiable,
}

/// Reads a `Range` header value (`bytes=0-99`, `bytes=100-`, `bytes=-100`).
pub fn wanted(range: Option<&str>, len: usize) -> Wanted {
    let Some(spec) = range.and_then(|r| r.trim().strip_prefix("bytes=")) else {
        return Wanted::Whole;
    };
    if spec.contains(',') {
        return Wanted::Whole;
    }
    let Some((from, to)) = spec.trim().split_once('-') else {
        return Wanted::Whole;
    };
    let number = |s: &str| s.trim().parse::<usize>().ok();
    let (first, last) = match (from.trim().is_empty(), to.trim().is_empty()) {
        // The last `to` bytes.
        (true, false) => match number(to) {
            Some(0) => return Wanted::Unsatisfiable,
            Some(n) => (len.saturating_sub(n), len.saturating_sub(1)),
            None => return Wanted::Whole,
        },
        (false, true) => match number(from) {
            Some(first) => (first, len.saturating_sub(1)),
            None => return Wanted::Whole,
        },
        (false, false) => match (number(from), number(to)) {
            (Some(first), Some(last)) if first <= last => (first, last.min(len.saturating_sub(1))),
            _ => return Wanted::Whole,
        },
        (true, true) => return Wanted::Whole,
    };
    if len == 0 || first >= len {
        return Wanted::Unsatisfiable;
    }
    Wanted::Part { first, last }
}

/// `bytes` as the answer to a request with `headers`: the asked-for part (206), the whole
/// file (200) or 416; always with `Accept-Ranges: bytes` and the `extra` headers.
pub fn answer(
    headers: &HeaderMap,
    content_type: &'static str,
    mut bytes: Vec<u8>,
    extra: &[(HeaderName, &'static str)],
) -> Response {
    let len = bytes.len();
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
    let mut response = match wanted(range, len) {
        Wanted::Whole => bytes.into_response(),
        Wanted::Part { first, last } => {
            bytes.truncate(last + 1);
            let part = bytes.split_off(first);
            let mut r = (StatusCode::PARTIAL_CONTENT, part).into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes {first}-{last}/{len}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            r
        }
        Wanted::Unsatisfiable => {
            let mut r = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            r
        }
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    for (name, value) in extra {
        h.insert(name.clone(), HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_as_players_ask_for_them() {
        assert_eq!(wanted(None, 100), Wanted::Whole);
        assert_eq!(
            wanted(Some("bytes=0-"), 100),
            Wanted::Part { first: 0, last: 99 }
        );
        assert_eq!(
            wanted(Some("bytes=10-19"), 100),
            Wanted::Part {
                first: 10,
                last: 19
            }
        );
        assert_eq!(
            wanted(Some("bytes=90-500"), 100),
            Wanted::Part {
                first: 90,
                last: 99
            },
            "an end past the file ends at the file"
        );
        assert_eq!(
            wanted(Some("bytes=-10"), 100),
            Wanted::Part {
                first: 90,
                last: 99
            },
            "the last ten bytes"
        );
        assert_eq!(
            wanted(Some("bytes=-500"), 100),
            Wanted::Part { first: 0, last: 99 }
        );
    }

    #[test]
    fn what_cannot_be_served_and_what_is_not_read() {
        assert_eq!(wanted(Some("bytes=100-"), 100), Wanted::Unsatisfiable);
        assert_eq!(wanted(Some("bytes=-0"), 100), Wanted::Unsatisfiable);
        assert_eq!(wanted(Some("bytes=0-"), 0), Wanted::Unsatisfiable);
        for ignored in [
            "bytes=5-1",
            "bytes=a-b",
            "bytes=0-1,5-6",
            "items=0-1",
            "bytes=-",
            "bytes=--1",
        ] {
            assert_eq!(wanted(Some(ignored), 100), Wanted::Whole, "{ignored}");
        }
    }

    #[test]
    fn the_answer_carries_the_part_and_its_place() {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, HeaderValue::from_static("bytes=2-4"));
        let r = answer(&headers, "audio/ogg", b"0123456789".to_vec(), &[]);
        assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
        assert_eq!(r.headers()[header::CONTENT_RANGE], "bytes 2-4/10");
        assert_eq!(r.headers()[header::ACCEPT_RANGES], "bytes");
        assert_eq!(r.headers()[header::CONTENT_TYPE], "audio/ogg");
        let whole = answer(&HeaderMap::new(), "audio/ogg", b"0123".to_vec(), &[]);
        assert_eq!(whole.status(), StatusCode::OK);
        headers.insert(header::RANGE, HeaderValue::from_static("bytes=20-"));
        let past = answer(&headers, "audio/ogg", b"0123".to_vec(), &[]);
        assert_eq!(past.status(), StatusCode::RANGE_NOT_SATISFIABLE);
        assert_eq!(past.headers()[header::CONTENT_RANGE], "bytes */4");
    }
}
