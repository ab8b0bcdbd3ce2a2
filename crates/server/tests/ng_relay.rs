//! The media relay through its rtpengine-compatible ng port: a SIP proxy (here the test)
//! offers the caller's SDP, answers with the callee's, and RTP flows between two phones
//! through the relay with the relay's own SSRC and the phones' latched addresses.

mod common;

use common::setup;
use media::rtp::{self, Rewritten, RtpHeader};
use media::sdp::Audio;
use ng::{Command, Reply, Request, Response};
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn ask(control: &UdpSocket, to: SocketAddr, cookie: &str, command: Command) -> Response {
    let request = Request {
        cookie: cookie.into(),
        command,
    };
    control.send_to(&request.to_bytes(), to).unwrap();
    let mut buf = vec![0u8; 65_536];
    let n = control.recv(&mut buf).unwrap();
    let reply = Reply::parse(&buf[..n]).unwrap();
    assert_eq!(reply.cookie, cookie);
    reply.response
}

fn phone_sdp(port: u16) -> String {
    format!("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio {port} RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n")
}

#[test]
fn two_phones_talk_through_the_relay_set_up_over_ng() {
    let ng_port = free_port();
    let _s = setup(&format!(
        "[media]\nng_listen = \"127.0.0.1:{ng_port}\"\nport_range = \"41000-41999\"\n"
    ));
    let control = UdpSocket::bind("127.0.0.1:0").unwrap();
    control
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let relay: SocketAddr = format!("127.0.0.1:{ng_port}").parse().unwrap();
    assert_eq!(ask(&control, relay, "c1", Command::Ping), Response::Pong);

    let (a, b) = (
        UdpSocket::bind("127.0.0.1:0").unwrap(),
        UdpSocket::bind("127.0.0.1:0").unwrap(),
    );
    for s in [&a, &b] {
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    }
    let offer = Command::Offer {
        call_id: "x1".into(),
        from_tag: "fa".into(),
        sdp: phone_sdp(a.local_addr().unwrap().port()),
        flags: vec![],
    };
    let Response::Sdp(to_callee) = ask(&control, relay, "c2", offer.clone()) else {
        panic!("no SDP for the callee")
    };
    // A retransmitted offer gets the same answer and makes no second leg.
    assert_eq!(
        ask(&control, relay, "c2", offer),
        Response::Sdp(to_callee.clone())
    );
    let answer = Command::Answer {
        call_id: "x1".into(),
        from_tag: "fa".into(),
        to_tag: "tb".into(),
        sdp: phone_sdp(b.local_addr().unwrap().port()),
        flags: vec![],
    };
    let Response::Sdp(to_caller) = ask(&control, relay, "c3", answer) else {
        panic!("no SDP for the caller")
    };
    let relay_for_a = Audio::parse(&to_caller).unwrap().rtp.unwrap();
    let relay_for_b = Audio::parse(&to_callee).unwrap().rtp.unwrap();
    assert_ne!(relay_for_a, relay_for_b);

    // A sends to the relay; B gets it from the relay's B side, re-stamped.
    let mut buf = [0u8; 2048];
    for i in 0..5u16 {
        let p = rtp::packet(
            Rewritten {
                marker: false,
                payload_type: 8,
                sequence: 100 + i,
                timestamp: 160 * u32::from(i),
                ssrc: 0xaaaa,
            },
            &[0xd5; 160],
        );
        a.send_to(&p, relay_for_a).unwrap();
        let (n, from) = b.recv_from(&mut buf).unwrap();
        assert_eq!(from, relay_for_b);
        let h = RtpHeader::parse(&buf[..n]).unwrap();
        assert_ne!(h.ssrc, 0xaaaa, "the relay's own SSRC");
        assert_eq!((h.payload_type, n), (8, 172));
    }
    // And back.
    let p = rtp::packet(
        Rewritten {
            marker: false,
            payload_type: 8,
            sequence: 7,
            timestamp: 0,
            ssrc: 0xbbbb,
        },
        &[0x55; 160],
    );
    b.send_to(&p, relay_for_b).unwrap();
    let (n, from) = a.recv_from(&mut buf).unwrap();
    assert_eq!((from, n), (relay_for_a, 172));

    let bad = Command::Answer {
        call_id: "nope".into(),
        from_tag: "f".into(),
        to_tag: "t".into(),
        sdp: phone_sdp(1),
        flags: vec![],
    };
    assert!(matches!(
        ask(&control, relay, "c4", bad),
        Response::Error(_)
    ));
    assert_eq!(
        ask(
            &control,
            relay,
            "c5",
            Command::Delete {
                call_id: "x1".into(),
                from_tag: None
            }
        ),
        Response::Ok
    );
    // Deleted: nothing is relayed any more.
    a.send_to(
        &rtp::packet(
            Rewritten {
                marker: false,
                payload_type: 8,
                sequence: 200,
                timestamp: 0,
                ssrc: 0xaaaa,
            },
            &[0; 160],
        ),
        relay_for_a,
    )
    .unwrap();
    b.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    assert!(b.recv_from(&mut buf).is_err());
}

/// A browser calls a phone through the ng port: the offer's SDP is WebRTC, so the relay
/// answers it with a WebRTC leg (ICE-lite, DTLS-SRTP, G.711) and offers the phone plain
/// RTP; the keys rtpengine needs for that bridge are accepted, and media flows both ways.
#[test]
fn a_browser_talks_to_a_phone_through_the_relay_set_up_over_ng() {
    use std::sync::atomic::Ordering;
    use str0m::format::Codec;
    use testkit::webrtc_peer::WebRtcPeer;

    let ng_port = free_port();
    let _s = setup(&format!(
        "[media]\nng_listen = \"127.0.0.1:{ng_port}\"\nport_range = \"42000-42999\"\n"
    ));
    let control = UdpSocket::bind("127.0.0.1:0").unwrap();
    control
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let relay: SocketAddr = format!("127.0.0.1:{ng_port}").parse().unwrap();
    let phone = UdpSocket::bind("127.0.0.1:0").unwrap();
    phone
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();

    let browser = WebRtcPeer::new(&[Codec::Opus, Codec::PCMA, Codec::PCMU]);
    assert!(browser.offer.contains("UDP/TLS/RTP/SAVPF"));
    let offer = Command::Offer {
        call_id: "w1".into(),
        from_tag: "fa".into(),
        sdp: browser.offer.clone(),
        flags: vec![],
    };
    let Response::Sdp(to_phone) = ask(&control, relay, "w2", offer) else {
        panic!("no SDP for the phone")
    };
    // The phone gets plain RTP with G.711, no ICE, no DTLS.
    assert!(to_phone.contains(" RTP/AVP "), "{to_phone}");
    assert!(!to_phone.contains("a=fingerprint") && !to_phone.contains("a=ice-"));
    let relay_for_phone = Audio::parse(&to_phone).unwrap().rtp.unwrap();
    let answer = Command::Answer {
        call_id: "w1".into(),
        from_tag: "fa".into(),
        to_tag: "tb".into(),
        sdp: phone_sdp(phone.local_addr().unwrap().port()),
        flags: vec![],
    };
    let Response::Sdp(to_browser) = ask(&control, relay, "w3", answer) else {
        panic!("no SDP for the browser")
    };
    // The browser's answer: DTLS-SRTP, our ICE-lite host candidate, G.711 only.
    for needed in [
        "UDP/TLS/RTP/SAVPF",
        "a=fingerprint:",
        "a=ice-lite",
        "typ host",
    ] {
        assert!(
            to_browser.contains(needed),
            "{needed} missing: {to_browser}"
        );
    }
    assert!(!to_browser.to_ascii_lowercase().contains("opus/48000"));
    let browser = browser.start(&to_browser, 0xc1);

    // Browser to phone: decrypted, the browser's payload unchanged, plain RTP.
    let mut buf = [0u8; 2048];
    let mut got = 0;
    while got < 5 {
        let (n, from) = phone.recv_from(&mut buf).expect("RTP from the browser");
        assert_eq!(from, relay_for_phone);
        let h = RtpHeader::parse(&buf[..n]).unwrap();
        if h.payload_type == 8 {
            assert_eq!(&buf[n - 160..n - 158], &[0xc1, 0x5a]);
            got += 1;
        }
    }
    // Phone to browser: encrypted by the relay, arriving with the phone's payload.
    for i in 0..50u16 {
        let mut payload = [0x5a; 160];
        payload[0] = 0xb7;
        let p = rtp::packet(
            Rewritten {
                marker: false,
                payload_type: 8,
                sequence: 300 + i,
                timestamp: 160 * u32::from(i),
                ssrc: 0xcccc,
            },
            &payload,
        );
        phone.send_to(&p, relay_for_phone).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        if browser.counts.with_pattern.load(Ordering::Relaxed) >= 5 {
            break;
        }
    }
    assert!(
        browser.wait_until(Duration::from_secs(2), |c| c
            .with_pattern
            .load(Ordering::Relaxed)
            >= 5),
        "the browser got {} packets",
        browser.received()
    );
    assert_eq!(browser.counts.last_tag.load(Ordering::Relaxed), 0xb7);

    // A caller that asks for SRTP towards the callee is refused (Durchwahl offers phones
    // plain RTP only); the key is rtpengine's, outside the ng crate's commands.
    let offer = Request {
        cookie: "w4".into(),
        command: Command::Offer {
            call_id: "w5".into(),
            from_tag: "fa".into(),
            sdp: phone_sdp(4000),
            flags: vec![],
        },
    }
    .to_bytes();
    let mut raw = String::from_utf8(offer).unwrap();
    raw.truncate(raw.len() - 1); // the dictionary's closing "e"
    raw.push_str("18:transport-protocol8:RTP/SAVPe");
    control.send_to(raw.as_bytes(), relay).unwrap();
    let n = control.recv(&mut buf).unwrap();
    let reply = Reply::parse(&buf[..n]).unwrap();
    assert!(
        matches!(&reply.response, Response::Error(e) if e.contains("RTP/AVP")),
        "{:?}",
        reply.response
    );
    assert_eq!(
        ask(
            &control,
            relay,
            "w6",
            Command::Delete {
                call_id: "w1".into(),
                from_tag: None
            }
        ),
        Response::Ok
    );
}
