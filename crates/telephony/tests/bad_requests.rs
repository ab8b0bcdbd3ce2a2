//! Requests the parser refuses: answered with a 400 naming the fault when the answer can
//! be addressed (RFC 4475), dropped otherwise.

use bytes::Bytes;
use telephony::{Accounts, Flow, Settings, Switch};

fn switch() -> Switch {
    let settings = Settings::new("pbx.example", "192.0.2.1:5060".parse().unwrap());
    Switch::new(
        settings,
        Accounts::default(),
        sip::digest::NonceKey::new(vec![3; 32]),
        5,
    )
}

const HEAD: &str = "Via: SIP/2.0/UDP 192.0.2.9:5070;branch=z9hG4bKbad\r\n\
    From: <sip:a@pbx.example>;tag=x\r\nTo: <sip:b@pbx.example>\r\nCall-ID: bad-1\r\n\
    CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n";

#[test]
fn a_content_length_beyond_the_datagram_gets_a_400_with_the_reason() {
    let mut s = switch();
    let from = Flow::udp("192.0.2.9:5070".parse().unwrap());
    let text =
        format!("OPTIONS sip:b@pbx.example SIP/2.0\r\n{HEAD}Content-Length: 99\r\n\r\nshort");
    assert!(s.handle_datagram(1, from, Bytes::from(text)).is_err());
    let reply = s.poll_transmit().expect("an answer");
    assert_eq!(reply.peer, from);
    let reply = String::from_utf8(reply.data.to_vec()).unwrap();
    assert!(reply.starts_with("SIP/2.0 400 "), "{reply}");
    assert!(reply.contains("Call-ID: bad-1\r\n"), "{reply}");
    assert!(s.poll_transmit().is_none());
}

#[test]
fn unreadable_bytes_and_bad_responses_are_dropped() {
    let mut s = switch();
    let from = Flow::udp("192.0.2.9:5070".parse().unwrap());
    for junk in [
        "\u{1}\u{2}garbage\r\n\r\n".to_owned(),
        format!("SIP/2.0 200 OK\r\n{HEAD}Content-Length: 99\r\n\r\n"),
    ] {
        assert!(s.handle_datagram(1, from, Bytes::from(junk)).is_err());
        assert!(s.poll_transmit().is_none());
    }
}
