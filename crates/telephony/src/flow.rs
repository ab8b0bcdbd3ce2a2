//! Where a message came from and goes to: a transport and a socket address. A flow over a
//! connection (TCP, TLS, WebSocket) is that connection: the shell keys its connections by
//! flow.

use bytes::Bytes;
use sip::uri::{Scheme, Uri};
use sip::via::Via;
use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// Transport protocols of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// Datagrams; the transaction layer retransmits.
    Udp,
    /// A stream connection; no retransmissions.
    Tcp,
    /// TCP with TLS (RFC 3261 §26.2.1), port 5061. Only phones connect: we never open one.
    Tls,
    /// SIP over WebSocket (RFC 7118) on the HTTP port, one SIP message per frame.
    Ws,
    /// SIP over secure WebSocket (RFC 7118).
    Wss,
}

impl Transport {
    const ALL: [Transport; 5] = [
        Transport::Udp,
        Transport::Tcp,
        Transport::Tls,
        Transport::Ws,
        Transport::Wss,
    ];

    /// The Via token (`UDP`, `TCP`, `TLS`, `WS`, `WSS`).
    pub fn via_token(self) -> &'static str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
            Transport::Tls => "TLS",
            Transport::Ws => "WS",
            Transport::Wss => "WSS",
        }
    }

    /// Whether the transport is reliable (RFC 3261 §17: no retransmissions).
    pub fn reliable(self) -> bool {
        self != Transport::Udp
    }

    /// Whether we can reach a peer on this transport without a connection it opened:
    /// UDP, and TCP (we connect). TLS and WebSocket peers are reachable only while their
    /// own connection lasts, so their registrations end with it.
    pub fn reachable_anew(self) -> bool {
        matches!(self, Transport::Udp | Transport::Tcp)
    }

    fn parse(token: &[u8]) -> Option<Transport> {
        Transport::ALL
            .into_iter()
            .find(|t| token.eq_ignore_ascii_case(t.via_token().as_bytes()))
    }
}

/// A peer: transport and address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Flow {
    /// How.
    pub transport: Transport,
    /// Where.
    pub addr: SocketAddr,
}

impl Flow {
    /// A UDP flow.
    pub fn udp(addr: SocketAddr) -> Flow {
        Flow {
            transport: Transport::Udp,
            addr,
        }
    }

    /// A TCP flow.
    pub fn tcp(addr: SocketAddr) -> Flow {
        Flow {
            transport: Transport::Tcp,
            addr,
        }
    }

    /// A flow over `transport`.
    pub fn new(transport: Transport, addr: SocketAddr) -> Flow {
        Flow { transport, addr }
    }

    /// Whether this is a process on this machine (the admin's tools, a load test, a
    /// co-located SBC), which protection leaves alone. A WebSocket from loopback is not:
    /// that is a reverse proxy in front of the HTTP port passing on everyone's browser.
    pub fn is_local_process(&self) -> bool {
        self.addr.ip().is_loopback() && !matches!(self.transport, Transport::Ws | Transport::Wss)
    }

    /// Parses the stored form `udp 192.0.2.7:5060` (see [`fmt::Display`]).
    pub fn parse(text: &str) -> Option<Flow> {
        let (transport, addr) = text.split_once(' ')?;
        Some(Flow {
            transport: Transport::parse(transport.as_bytes())?,
            addr: addr.parse().ok()?,
        })
    }

    /// Where a URI's host and port lead (RFC 3263 without DNS: IP literals only; the
    /// `transport` parameter picks the transport, `sips:` means TLS). `None` for host
    /// names (WebSocket clients' `*.invalid` ones too) and tel URIs.
    pub fn of_uri(uri: &Uri) -> Option<Flow> {
        if uri.scheme == Scheme::Tel {
            return None;
        }
        let ip = parse_ip(&uri.host)?;
        let transport = match uri.param("transport") {
            Some(Some(t)) => Transport::parse(t)?,
            _ if uri.scheme == Scheme::Sips => Transport::Tls,
            _ => Transport::Udp,
        };
        let port = match transport {
            Transport::Tls => 5061,
            Transport::Ws => 80,
            Transport::Wss => 443,
            Transport::Udp | Transport::Tcp => 5060,
        };
        Some(Flow {
            transport,
            addr: SocketAddr::new(ip, uri.port.unwrap_or(port)),
        })
    }

    /// Where a response to this Via goes (RFC 3261 §18.2.2, RFC 3581 §4): `received` and
    /// `rport` when present, else the sent-by.
    pub fn of_via(via: &Via) -> Option<Flow> {
        let transport = Transport::parse(&via.transport)?;
        let ip = match via.param("received") {
            Some(Some(r)) => parse_ip(r)?,
            _ => parse_ip(&via.host)?,
        };
        let port = match via.param("rport") {
            Some(Some(p)) => std::str::from_utf8(p).ok()?.parse().ok()?,
            _ => via.port.unwrap_or(5060),
        };
        Some(Flow {
            transport,
            addr: SocketAddr::new(ip, port),
        })
    }
}

impl fmt::Display for Flow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.transport.via_token().to_ascii_lowercase();
        write!(f, "{t} {}", self.addr)
    }
}

/// An IPv4 literal or a bracketed IPv6 literal.
pub fn parse_ip(host: &Bytes) -> Option<IpAddr> {
    let text = std::str::from_utf8(host).ok()?;
    let text = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_form_round_trips() {
        for text in [
            "udp 192.0.2.7:5060",
            "tcp [2001:db8::1]:5061",
            "tls 192.0.2.7:40001",
            "ws 192.0.2.7:40002",
            "wss 192.0.2.7:40003",
        ] {
            assert_eq!(Flow::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(Flow::parse("sctp 192.0.2.7:5060"), None);
        assert_eq!(Flow::parse("udp nowhere"), None);
    }

    #[test]
    fn uris_lead_to_ip_literals_only() {
        let uri = |s: &'static str| Uri::parse(&Bytes::from_static(s.as_bytes())).unwrap();
        assert_eq!(
            Flow::of_uri(&uri("sip:2401-1@192.0.2.7:5071;transport=TCP")),
            Some(Flow::tcp("192.0.2.7:5071".parse().unwrap()))
        );
        assert_eq!(
            Flow::of_uri(&uri("sip:2401@[2001:db8::1]")),
            Some(Flow::udp("[2001:db8::1]:5060".parse().unwrap()))
        );
        assert_eq!(Flow::of_uri(&uri("sip:2401@pbx.example")), None);
        assert_eq!(
            Flow::of_uri(&uri("sip:2401@192.0.2.7;transport=sctp")),
            None
        );
        assert_eq!(
            Flow::of_uri(&uri("sips:2401@192.0.2.7")),
            Some(Flow::new(Transport::Tls, "192.0.2.7:5061".parse().unwrap()))
        );
        assert_eq!(
            Flow::of_uri(&uri("sip:2401@192.0.2.7;transport=tls")),
            Some(Flow::new(Transport::Tls, "192.0.2.7:5061".parse().unwrap()))
        );
        assert_eq!(
            Flow::of_uri(&uri("sip:k3v9@df7jal23ls0d.invalid;transport=ws")),
            None
        );
    }

    #[test]
    fn vias_prefer_received_and_rport() {
        let via = |s: &'static str| Via::parse(&Bytes::from_static(s.as_bytes())).unwrap();
        assert_eq!(
            Flow::of_via(&via("SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bK1")),
            Some(Flow::udp("10.0.0.2:5062".parse().unwrap()))
        );
        assert_eq!(
            Flow::of_via(&via(
                "SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bK1;received=192.0.2.9;rport=40000"
            )),
            Some(Flow::udp("192.0.2.9:40000".parse().unwrap()))
        );
        assert_eq!(
            Flow::of_via(&via("SIP/2.0/TCP host.example;branch=z9hG4bK1")),
            None
        );
        // RFC 7118 §5.2: a WebSocket client's made-up host; received and rport lead back.
        assert_eq!(
            Flow::of_via(&via(
                "SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK1;received=192.0.2.9;rport=40000"
            )),
            Some(Flow::new(
                Transport::Wss,
                "192.0.2.9:40000".parse().unwrap()
            ))
        );
    }
}
