//! The `CSeq` header (RFC 3261 §20.16).

use crate::method::Method;
use crate::params::{is_token, trim};
use bytes::Bytes;

/// Sequence number and method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CSeq {
    /// Less than 2**31 (§8.1.1.5).
    pub seq: u32,
    /// The method.
    pub method: Method,
}

impl CSeq {
    /// Parses `4711 INVITE` (leading zeros allowed, as in RFC 4475 wsinv).
    pub fn parse(value: &Bytes) -> Option<CSeq> {
        let v = trim(value);
        let split = v.iter().position(|c| matches!(c, b' ' | b'\t'))?;
        let digits = &v[..split];
        let method = trim(&v.slice(split..));
        if digits.is_empty()
            || digits.len() > 10
            || !digits.iter().all(u8::is_ascii_digit)
            || !is_token(&method)
        {
            return None;
        }
        let seq: u64 = std::str::from_utf8(digits).ok()?.parse().ok()?;
        if seq >= 1 << 31 {
            return None;
        }
        Some(CSeq {
            seq: seq as u32,
            method: Method::from_token(method),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let c = CSeq::parse(&Bytes::from_static(b" 0009  INVITE ")).unwrap();
        assert_eq!((c.seq, c.method), (9, Method::Invite));
        assert!(CSeq::parse(&Bytes::from_static(b"2147483648 INVITE")).is_none());
        assert!(CSeq::parse(&Bytes::from_static(b"-1 INVITE")).is_none());
        assert!(CSeq::parse(&Bytes::from_static(b"1")).is_none());
        assert!(CSeq::parse(&Bytes::from_static(b"1 IN VITE")).is_none());
    }
}
