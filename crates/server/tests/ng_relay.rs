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
