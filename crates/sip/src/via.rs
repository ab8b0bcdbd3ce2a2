//! The `Via` header (RFC 3261 §20.42, §18.2.1, RFC 3581 rport).

use crate::params::{find_param, split_params, trim_slice, Param};
use bytes::Bytes;

/// One Via element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    /// `UDP`, `TCP`, `TLS`, `WS`, `WSS` (upper-cased on comparison by callers).
    pub transport: Bytes,
    /// sent-by host.
    pub host: Bytes,
    /// sent-by port.
    pub port: Option<u16>,
    /// Parameters (`branch`, `received`, `rport`, …).
    pub params: Vec<Param>,
}

/// Why a Via was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ViaError {
    /// Not `SIP/2.0/TRANSPORT`.
    #[error("the Via protocol is not SIP/2.0/transport")]
    Protocol,
    /// No or bad sent-by.
    #[error("the Via sent-by is invalid")]
    SentBy,
    /// Bad parameters.
    #[error("{0}")]
    Params(&'static str),
}

impl Via {
    /// Parses one element. White space around `/` and `:` is allowed (RFC 3261 §25.1 LWS).
    pub fn parse(value: &Bytes) -> Result<Via, ViaError> {
        let (head, params) = split_params(value).map_err(ViaError::Params)?;
        // `SIP / 2.0 / UDP host:port`: two slashes, LWS allowed around them.
        let mut pieces = head.splitn(3, |c| *c == b'/');
        let (Some(sip), Some(version), Some(last)) = (pieces.next(), pieces.next(), pieces.next())
        else {
            return Err(ViaError::Protocol);
        };
        let (sip, version, last) = (trim_slice(sip), trim_slice(version), trim_slice(last));
        if !sip.eq_ignore_ascii_case(b"SIP") || version != b"2.0" || last.contains(&b'/') {
            return Err(ViaError::Protocol);
        }
        let split = last
            .iter()
            .position(|c| matches!(c, b' ' | b'\t'))
            .ok_or(ViaError::SentBy)?;
        let transport = head.slice_ref(&last[..split]);
        let rest = trim_slice(&last[split..]);
        // White space inside sent-by (`host : port`) is rare: only then is it copied.
        let sent_by = if rest.iter().any(|c| matches!(c, b' ' | b'\t')) {
            Bytes::from(
                rest.iter()
                    .copied()
                    .filter(|c| !matches!(c, b' ' | b'\t'))
                    .collect::<Vec<u8>>(),
            )
        } else {
            head.slice_ref(rest)
        };
        if transport.is_empty()
            || !transport.iter().all(u8::is_ascii_alphanumeric)
            || sent_by.is_empty()
        {
            return Err(ViaError::SentBy);
        }
        let port_at = match sent_by.iter().rposition(|c| *c == b':') {
            Some(i) if !sent_by.starts_with(b"[") || sent_by[..i].ends_with(b"]") => Some(i),
            _ => None,
        };
        let (host, port) = match port_at {
            Some(i) => {
                let port = std::str::from_utf8(&sent_by[i + 1..])
                    .ok()
                    .and_then(|p| p.parse::<u16>().ok())
                    .ok_or(ViaError::SentBy)?;
                (sent_by.slice(..i), Some(port))
            }
            None => (sent_by, None),
        };
        if host.is_empty()
            || !host
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || b"-.[]:".contains(c))
        {
            return Err(ViaError::SentBy);
        }
        Ok(Via {
            transport,
            host,
            port,
            params,
        })
    }

    /// The `branch` parameter.
    pub fn branch(&self) -> Option<&Bytes> {
        find_param(&self.params, "branch").flatten()
    }

    /// Whether the branch carries the RFC 3261 magic cookie (§8.1.1.7).
    pub fn rfc3261_branch(&self) -> bool {
        self.branch()
            .is_some_and(|b| b.len() > 7 && b.starts_with(b"z9hG4bK"))
    }

    /// A parameter.
    pub fn param(&self, name: &str) -> Option<Option<&Bytes>> {
        find_param(&self.params, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &'static str) -> Result<Via, ViaError> {
        Via::parse(&Bytes::from_static(s.as_bytes()))
    }

    #[test]
    fn forms() {
        let v = parse("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport").unwrap();
        assert_eq!(
            (&v.transport[..], &v.host[..], v.port),
            (&b"UDP"[..], &b"192.0.2.1"[..], Some(5060))
        );
        assert!(v.rfc3261_branch());
        assert_eq!(v.param("rport"), Some(None));
        // RFC 4475 wsinv: LWS around the slashes and the colon.
        let w = parse("SIP  /   2.0\t/ UDP   192.0.2.2 : 5060 ;branch=390skdjuw").unwrap();
        assert_eq!((&w.host[..], w.port), (&b"192.0.2.2"[..], Some(5060)));
        assert!(!w.rfc3261_branch());
        assert!(!parse("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK")
            .unwrap()
            .rfc3261_branch());
        let v6 = parse("SIP/2.0/TCP [2001:db8::9]:5070").unwrap();
        assert_eq!((&v6.host[..], v6.port), (&b"[2001:db8::9]"[..], Some(5070)));
        assert_eq!(parse("SIP/3.0/UDP h"), Err(ViaError::Protocol));
        assert_eq!(parse("SIP/2.0/UDP"), Err(ViaError::SentBy));
        assert_eq!(parse("SIP/2.0/UDP h:99999"), Err(ViaError::SentBy));
    }
}
