//! Header surgery a proxy does (RFC 3261 §16.6, §16.7, RFC 3581): stamping the top Via
//! with where a request really came from, pushing and popping our own Via and Route.

use crate::flow::{Flow, Transport};
use bytes::{BufMut, Bytes, BytesMut};
use sip::name_addr::NameAddr;
use sip::params::split_list;
use sip::uri::Uri;
use sip::via::Via;
use sip::{HeaderName, Message};
use std::net::{IpAddr, SocketAddr};

/// Splits the first line of `name` so that its first list element stands alone, and
/// returns that line's index (or `None` without such a header).
fn isolate_first(message: &mut Message, name: &HeaderName) -> Option<usize> {
    let at = message.headers.iter().position(|h| h.name.same(name))?;
    if !message.headers[at].value.contains(&b',') {
        return Some(at); // one element, as nearly every phone writes it
    }
    let parts = split_list(&message.headers[at].value);
    if parts.len() > 1 {
        message.headers[at].value = parts[0].clone();
        let rest = parts[1..]
            .iter()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect::<Vec<_>>()
            .join(", ");
        message.headers.insert(
            at + 1,
            sip::Header {
                name: name.clone(),
                value: Bytes::from(rest),
            },
        );
    }
    Some(at)
}

/// Removes the first element of a list header; returns it.
pub fn pop_first(message: &mut Message, name: &HeaderName) -> Option<Bytes> {
    let at = isolate_first(message, name)?;
    Some(message.headers.remove(at).value)
}

/// RFC 3261 §18.2.1 and RFC 3581 §4: records the source address in the top Via
/// (`received` when the sent-by differs, `rport` filled in when the client asked). Over a
/// `connection` (TCP, TLS, WebSocket) `rport` is added even unasked: the answer has to go
/// back over that connection (RFC 3261 §18.2.2), whose port the sent-by rarely names —
/// a WebSocket client's sent-by is a made-up `*.invalid` host (RFC 7118 §5.2).
pub fn stamp_received(message: &mut Message, source: SocketAddr, connection: bool) {
    let Some(at) = isolate_first(message, &HeaderName::Via) else {
        return;
    };
    let value = &message.headers[at].value;
    let Ok(via) = Via::parse(value) else {
        return;
    };
    let wants_rport = matches!(via.param("rport"), Some(None));
    let add_rport = connection && via.param("rport").is_none();
    let differs = crate::flow::parse_ip(&via.host) != Some(source.ip());
    if !wants_rport && !differs && !add_rport {
        return;
    }
    let mut out = BytesMut::with_capacity(value.len() + 40);
    let mut done = !wants_rport;
    for (i, part) in value.split(|c| *c == b';').enumerate() {
        if i > 0 {
            out.put_u8(b';');
        }
        // `;rport` becomes `;rport=PORT`; it has no value, so the first bare match is it.
        if !done && i > 0 && part.trim_ascii().eq_ignore_ascii_case(b"rport") {
            out.put_slice(b"rport=");
            sip::message::put_decimal(&mut out, u64::from(source.port()));
            done = true;
        } else {
            out.put_slice(part);
        }
    }
    if add_rport {
        out.put_slice(b";rport=");
        sip::message::put_decimal(&mut out, u64::from(source.port()));
    }
    if via.param("received").is_none() {
        out.put_slice(b";received=");
        match source.ip() {
            IpAddr::V4(v4) => {
                for (i, octet) in v4.octets().into_iter().enumerate() {
                    if i > 0 {
                        out.put_u8(b'.');
                    }
                    sip::message::put_decimal(&mut out, u64::from(octet));
                }
            }
            IpAddr::V6(v6) => out.put_slice(v6.to_string().as_bytes()),
        }
    }
    message.headers[at].value = out.freeze();
}

/// The proxy's own address, for Via, Record-Route and recognising its Route entries.
#[derive(Debug, Clone)]
pub struct Local {
    /// Advertised address (UDP and TCP listen on the same port).
    pub addr: SocketAddr,
    /// `host:port` of `addr`, for our Via (written for every request we send).
    host_port: String,
    /// The TLS port, when SIP over TLS is on (see [`Local::with_tls_port`]).
    tls_port: Option<u16>,
    /// Our Record-Route value on the TLS side.
    tls_record_route: Option<Bytes>,
    /// The SIP domain (Request-URIs with this host are ours).
    pub domain: String,
    record_route: Bytes,
}

impl Local {
    /// For an advertised address and domain.
    pub fn new(addr: SocketAddr, domain: &str) -> Local {
        let record_route = Bytes::from(format!("<sip:{};lr>", host_port(addr)));
        Local {
            addr,
            host_port: host_port(addr),
            tls_port: None,
            tls_record_route: None,
            domain: domain.to_ascii_lowercase(),
            record_route,
        }
    }

    /// With SIP over TLS on `port` (recognised in Route, named in Record-Route).
    pub fn with_tls_port(mut self, port: Option<u16>) -> Local {
        self.tls_port = port;
        self.tls_record_route = port.map(|port| {
            let at = host_port(SocketAddr::new(self.addr.ip(), port));
            Bytes::from(format!("<sip:{at};transport=tls;lr>"))
        });
        self
    }

    /// Our Via for a request sent over `transport` with `branch`.
    pub fn via(&self, transport: Transport, branch: &str) -> Bytes {
        let mut via = String::with_capacity(32 + self.host_port.len() + branch.len());
        for part in [
            "SIP/2.0/",
            transport.via_token(),
            " ",
            &self.host_port,
            ";branch=",
            branch,
            ";rport",
        ] {
            via.push_str(part);
        }
        Bytes::from(via)
    }

    /// Our Record-Route value (RFC 3261 §16.6 step 4, loose routing).
    pub fn record_route(&self) -> Bytes {
        self.record_route.clone()
    }

    /// The Record-Route values for a request that came over `from` and leaves to `to`,
    /// in the order to push them to the front: one, or two when TLS meets another
    /// transport (RFC 5658 §3.3: the top one names the side towards the callee), so a
    /// TLS phone that follows the route set reaches us over TLS.
    pub fn record_routes(&self, from: Transport, to: Flow) -> impl Iterator<Item = Bytes> {
        let side = |t: Transport| match (t, &self.tls_record_route) {
            (Transport::Tls, Some(tls)) => tls.clone(),
            _ => self.record_route(),
        };
        let (inbound, outbound) = (side(from), side(to.transport));
        let second = (inbound != outbound).then_some(outbound);
        std::iter::once(inbound).chain(second)
    }

    /// Whether a URI names this proxy: our address, or our domain without a user.
    pub fn is_me(&self, uri: &Uri) -> bool {
        let host = String::from_utf8_lossy(&uri.host).to_ascii_lowercase();
        let port = uri.port.unwrap_or(5060);
        if crate::flow::parse_ip(&uri.host) == Some(self.addr.ip()) {
            return port == self.addr.port() || Some(port) == self.tls_port;
        }
        host == self.domain && uri.port.is_none_or(|p| p == self.addr.port())
    }

    /// Whether the Request-URI's host is ours (domain or address), whatever the user.
    pub fn serves(&self, uri: &Uri) -> bool {
        let host = String::from_utf8_lossy(&uri.host).to_ascii_lowercase();
        host == self.domain || crate::flow::parse_ip(&uri.host) == Some(self.addr.ip())
    }

    /// RFC 3261 §16.4: removes the top Route when it is ours, and a second one of ours
    /// right below it (a double Record-Route, RFC 5658); says whether one was ours.
    pub fn pop_own_route(&self, message: &mut Message) -> bool {
        let mut popped = 0;
        while popped < 2 {
            let Some(first) = message.first_value(&HeaderName::Route) else {
                break;
            };
            let mine = NameAddr::parse(&first)
                .ok()
                .and_then(|n| Uri::parse(&n.uri).ok())
                .is_some_and(|u| self.is_me(&u));
            if !mine {
                break;
            }
            pop_first(message, &HeaderName::Route);
            popped += 1;
        }
        popped > 0
    }

    /// Whether a Via value is one of ours (our sent-by).
    pub fn is_my_via(&self, via: &Via) -> bool {
        crate::flow::parse_ip(&via.host) == Some(self.addr.ip())
            && via.port.unwrap_or(5060) == self.addr.port()
    }
}

/// `ip:port` with IPv6 brackets.
pub fn host_port(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => a.to_string(),
        SocketAddr::V6(a) => format!("[{}]:{}", a.ip(), a.port()),
    }
}

/// Where a request goes next (RFC 3261 §16.6 step 6–7): the top Route, else the
/// Request-URI. `None` when that is no IP literal.
pub fn next_hop(message: &Message) -> Option<Flow> {
    let uri = match message.first_value(&HeaderName::Route) {
        Some(route) => NameAddr::parse(&route).ok()?.uri,
        None => match &message.start {
            sip::StartLine::Request { uri, .. } => uri.clone(),
            sip::StartLine::Response { .. } => return None,
        },
    };
    Flow::of_uri(&Uri::parse(&uri).ok()?)
}

/// Decrements Max-Forwards (70 when absent, RFC 3261 §16.6 step 3); `false` when it was 0.
pub fn decrement_max_forwards(message: &mut Message) -> bool {
    let left = message
        .header(&HeaderName::MaxForwards)
        .and_then(|v| std::str::from_utf8(v).ok()?.parse::<u32>().ok())
        .unwrap_or(70);
    if left == 0 {
        return false;
    }
    let value = Bytes::from((left - 1).to_string());
    message.set_header(HeaderName::MaxForwards, Some(value));
    true
}

/// The user part of a URI, %-decoded, as text.
pub fn uri_user(uri: &Uri) -> Option<String> {
    String::from_utf8(uri.user_unescaped()?).ok()
}

/// The user part of the From URI.
pub fn from_user(message: &Message) -> Option<String> {
    let from = NameAddr::parse(message.header(&HeaderName::From)?).ok()?;
    uri_user(&Uri::parse(&from.uri).ok()?)
}

/// The To tag of a message.
pub fn to_tag(message: &Message) -> Option<Bytes> {
    NameAddr::parse(message.header(&HeaderName::To)?)
        .ok()?
        .tag()
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(extra: &str) -> Message {
        let text = format!(
            "INVITE sip:2401@pbx.example SIP/2.0\r\n{extra}From: <sip:2301@pbx.example>;tag=a\r\n\
             To: <sip:2401@pbx.example>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
        );
        sip::parse_datagram(Bytes::from(text)).unwrap()
    }

    #[test]
    fn received_and_rport_are_stamped_on_the_top_via_only() {
        let mut m = request("Via: SIP/2.0/UDP 10.0.0.2:5062;rport;branch=z9hG4bK1, SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK0\r\n");
        stamp_received(&mut m, "192.0.2.9:40000".parse().unwrap(), false);
        let vias = m.header_values(&HeaderName::Via);
        assert_eq!(
            &vias[0][..],
            b"SIP/2.0/UDP 10.0.0.2:5062;rport=40000;branch=z9hG4bK1;received=192.0.2.9"
        );
        assert_eq!(&vias[1][..], b"SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK0");
        let mut same = request("Via: SIP/2.0/UDP 192.0.2.9:5062;branch=z9hG4bK1\r\n");
        stamp_received(&mut same, "192.0.2.9:5062".parse().unwrap(), false);
        assert_eq!(
            &same.header_values(&HeaderName::Via)[0][..],
            b"SIP/2.0/UDP 192.0.2.9:5062;branch=z9hG4bK1"
        );
        // Over a connection the port is recorded unasked: the answer takes the connection.
        let mut ws = request("Via: SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK1\r\n");
        stamp_received(&mut ws, "192.0.2.9:40002".parse().unwrap(), true);
        assert_eq!(
            &ws.header_values(&HeaderName::Via)[0][..],
            b"SIP/2.0/WSS df7jal23ls0d.invalid;branch=z9hG4bK1;rport=40002;received=192.0.2.9"
        );
    }

    #[test]
    fn only_our_route_is_popped() {
        let local = Local::new("192.0.2.1:5060".parse().unwrap(), "pbx.example");
        let mut m = request("Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK1\r\nRoute: <sip:192.0.2.1;lr>, <sip:192.0.2.50:5070;lr>\r\n");
        assert!(local.pop_own_route(&mut m));
        assert_eq!(
            next_hop(&m),
            Some(Flow::udp("192.0.2.50:5070".parse().unwrap()))
        );
        assert!(!local.pop_own_route(&mut m));
        assert_eq!(m.header_values(&HeaderName::Route).len(), 1);
    }

    #[test]
    fn max_forwards_counts_down_to_zero() {
        let mut m = request("Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK1\r\nMax-Forwards: 1\r\n");
        assert!(decrement_max_forwards(&mut m));
        assert_eq!(&m.header(&HeaderName::MaxForwards).unwrap()[..], b"0");
        assert!(!decrement_max_forwards(&mut m));
    }

    #[test]
    fn the_domain_and_the_address_are_ours() {
        let local = Local::new("192.0.2.1:5080".parse().unwrap(), "PBX.example");
        let uri = |s: &'static str| Uri::parse(&Bytes::from_static(s.as_bytes())).unwrap();
        assert!(local.is_me(&uri("sip:192.0.2.1:5080;lr")));
        assert!(!local.is_me(&uri("sip:192.0.2.1;lr")));
        assert!(local.is_me(&uri("sip:pbx.example")));
        assert!(local.serves(&uri("sip:2401@pbx.example")));
        assert!(!local.serves(&uri("sip:2401@elsewhere.example")));
    }
}
