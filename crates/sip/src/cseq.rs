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
        CSeq::parse_checked(value).ok()
    }

    /// Parses like [`CSeq::parse`], saying what is wrong when it fails.
    pub fn parse_checked(value: &Bytes) -> Result<CSeq, &'static str> {
        let v = trim(value);
        let split = v
            .iter()
            .position(|c| matches!(c, b' ' | b'\t'))
            .ok_or("no method after the sequence number")?;
        let digits = &v[..split];
        let method = trim(&v.slice(split..));
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Err("the sequence number is not a number");
        }
        // RFC 3261 §8.1.1.5; RFC 4475 3.1.2.4 sends 2**65.
        let seq = std::str::from_utf8(digits)
            .ok()
            .and_then(|d| d.parse::<u64>().ok())
            .filter(|n| *n < 1 << 31)
            .ok_or("the sequence number is not below 2**31")?;
        if !is_token(&method) {
            return Err("the method is not a token");
        }
        Ok(CSeq {
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
        let why = |v: &'static [u8]| CSeq::parse_checked(&Bytes::from_static(v)).unwrap_err();
        assert_eq!(
            why(b"36893488147419103232 REGISTER"),
            "the sequence number is not below 2**31"
        );
        assert_eq!(why(b"12"), "no method after the sequence number");
        assert_eq!(why(b"1x INVITE"), "the sequence number is not a number");
        assert_eq!(why(b"1 IN<VITE"), "the method is not a token");
    }
}
