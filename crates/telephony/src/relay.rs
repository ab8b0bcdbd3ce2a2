//! When a phone's media must go through the server: the phone sits behind a home
//! router (its SDP names an address other than the one its signalling comes from, so the
//! other side could not reach it), or the administrator wants every call relayed
//! (`[media] relay = "always"`). Such a call goes to call control, which answers the
//! phone with a relay leg and places the call onward with another (the media is latched
//! to where the phone's packets come from).

use crate::flow::Flow;
use crate::route::{Ring, Route, Target};
use bytes::Bytes;
use sip::Message;
use std::net::{IpAddr, SocketAddr};

/// The Request-URI parameter that tells call control to relay, not to ring browsers.
pub const RELAY_PARAM: &str = "relay";

/// Whether the SDP of `request` names a connection address other than `peer`'s (and
/// not the unspecified address of an old-style hold).
pub(crate) fn behind_router(request: &Message, peer: Flow) -> bool {
    let Ok(body) = std::str::from_utf8(&request.body) else {
        return false;
    };
    body.lines()
        .filter_map(|l| l.trim_end().strip_prefix("c=IN "))
        .filter_map(|c| c.split_whitespace().nth(1))
        .filter_map(|a| a.split('/').next()?.parse::<IpAddr>().ok())
        .any(|a| !a.is_unspecified() && a != peer.addr.ip())
}

/// The whole call to call control at `at`, to be relayed.
pub(crate) fn to_call_control(user: &str, at: SocketAddr) -> Route {
    let target = Target {
        uri: Some(Bytes::from(format!("sip:{user}@{at};{RELAY_PARAM}"))),
        flow: Flow::udp(at),
        person: None,
    };
    Route::Fork(Ring {
        targets: vec![target],
        routing: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite(sdp: &str) -> Message {
        let text = format!(
            "INVITE sip:2502@pbx SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.9:5060;branch=z9hG4bK1\r\n\
             From: <sip:2501@pbx>;tag=a\r\nTo: <sip:2502@pbx>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\
             Content-Length: {}\r\n\r\n{sdp}",
            sdp.len()
        );
        sip::parse_datagram(Bytes::from(text)).unwrap()
    }

    #[test]
    fn a_private_address_in_sdp_from_a_public_source_is_behind_a_router() {
        let peer = Flow::udp("203.0.113.9:5060".parse().unwrap());
        let home = invite("v=0\r\nc=IN IP4 192.168.178.20\r\nm=audio 4000 RTP/AVP 8\r\n");
        assert!(behind_router(&home, peer));
        let direct = invite("v=0\r\nc=IN IP4 203.0.113.9\r\nm=audio 4000 RTP/AVP 8\r\n");
        assert!(!behind_router(&direct, peer));
        let hold = invite("v=0\r\nc=IN IP4 0.0.0.0\r\nm=audio 4000 RTP/AVP 8\r\n");
        assert!(!behind_router(&hold, peer));
        assert!(
            !behind_router(&invite(""), peer),
            "no SDP: nothing to relay yet"
        );
    }

    #[test]
    fn the_call_goes_to_call_control_marked_for_relaying() {
        let Route::Fork(ring) = to_call_control("2502", "127.0.0.1:7000".parse().unwrap()) else {
            panic!()
        };
        assert_eq!(
            ring.targets[0].uri.as_deref(),
            Some(&b"sip:2502@127.0.0.1:7000;relay"[..])
        );
    }
}
