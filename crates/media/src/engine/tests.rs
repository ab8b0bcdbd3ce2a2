use super::*;
use crate::rtp_leg::PHONE_CODECS;
use std::time::Duration;

pub(super) fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

pub(super) fn offer(port: u16, pts: &str, maps: &str) -> String {
    format!("v=0\r\nc=IN IP4 192.168.1.10\r\nm=audio {port} RTP/AVP {pts}\r\n{maps}a=sendrecv\r\n")
}

const EVENTS: &str = "a=rtpmap:101 telephone-event/8000\r\n";

pub(super) fn packet(pt: u8, seq: u16, ts: u32, ssrc: u32, payload: &[u8]) -> Vec<u8> {
    rtp::packet(
        Rewritten {
            marker: false,
            payload_type: pt,
            sequence: seq,
            timestamp: ts,
            ssrc,
        },
        payload,
    )
}

/// Two phones, both announcing private addresses, bridged.
pub(super) fn two_phones(allowed_b: &[Codec]) -> (Engine, LegId, LegId) {
    let mut e = Engine::new("test");
    let ip = "203.0.113.1".parse().unwrap();
    let (a, b) = (e.add_rtp_leg(40_000, ip), e.add_rtp_leg(40_002, ip));
    e.rtp_offer(a, &offer(4000, "8 101", EVENTS), &PHONE_CODECS)
        .unwrap();
    e.rtp_offer(b, &offer(6000, "0 8 101", EVENTS), allowed_b)
        .unwrap();
    e.bridge(a, b).unwrap();
    (e, a, b)
}

#[test]
fn packets_go_to_the_latched_address_not_the_announced_one() {
    let (mut e, a, b) = two_phones(&PHONE_CODECS);
    let t0 = Instant::now();
    // B is behind a router: announced 192.168.1.10:6000, sends from 198.51.100.7:30000.
    let mut p = packet(0, 1, 0, 9, &[0xff; 160]);
    assert_eq!(
        e.handle_datagram(t0, b, Socket::Rtp, addr("198.51.100.7:30000"), &mut p)
            .unwrap()
            .to,
        addr("192.168.1.10:4000")
    );
    let mut p = packet(8, 1, 0, 7, &[0xd5; 160]);
    let f = e
        .handle_datagram(t0, a, Socket::Rtp, addr("192.0.2.5:4000"), &mut p)
        .unwrap();
    assert_eq!((f.leg, f.to), (b, addr("198.51.100.7:30000")));
    // A stray packet to B's port from elsewhere is not relayed.
    let mut p = packet(0, 2, 160, 9, &[0xff; 160]);
    assert_eq!(
        e.handle_datagram(t0, b, Socket::Rtp, addr("192.0.2.99:1"), &mut p),
        None
    );
}

#[test]
fn ssrc_sequence_and_timestamp_stay_continuous_across_a_new_source() {
    let (mut e, a, _) = two_phones(&PHONE_CODECS);
    let t0 = Instant::now();
    let from = addr("192.0.2.5:4000");
    let mut seen = Vec::new();
    for i in 0..3u16 {
        let mut p = packet(8, 100 + i, 1000 + 160 * u32::from(i), 7, &[0xd5; 160]);
        e.handle_datagram(
            t0 + Duration::from_millis(20 * u64::from(i)),
            a,
            Socket::Rtp,
            from,
            &mut p,
        )
        .unwrap();
        seen.push(RtpHeader::parse(&p).unwrap());
    }
    // A re-INVITE later: phone A restarts with a new SSRC and new numbers.
    e.rtp_offer(a, &offer(4002, "8 101", EVENTS), &PHONE_CODECS)
        .unwrap();
    let mut p = packet(8, 7, 99_999, 8, &[0xd5; 160]);
    let later = t0 + Duration::from_millis(1040);
    let f = e.handle_datagram(later, a, Socket::Rtp, addr("192.0.2.5:4002"), &mut p);
    // Refused: the old source is still latched (heard 1 s ago)...
    assert_eq!(f, None);
    // ...until it has been silent long enough; then the stream continues.
    let later = t0 + Duration::from_millis(2100);
    e.handle_datagram(later, a, Socket::Rtp, addr("192.0.2.5:4002"), &mut p)
        .unwrap();
    let h = RtpHeader::parse(&p).unwrap();
    let last = seen.last().unwrap();
    assert_eq!(h.ssrc, last.ssrc);
    assert_eq!(h.sequence, last.sequence.wrapping_add(1));
    assert!(h.marker);
    let gap = h.timestamp.wrapping_sub(last.timestamp);
    assert!((16_000..17_000).contains(&gap), "{gap}");
    assert!(
        seen.iter().all(|s| s.ssrc == h.ssrc && s.payload_type == 0),
        "B negotiated PCMU first"
    );
}

#[test]
fn alaw_is_converted_for_a_ulaw_phone_and_events_keep_their_payload() {
    let (mut e, a, _b) = two_phones(&PHONE_CODECS);
    let t0 = Instant::now();
    let mut p = packet(8, 1, 0, 7, &[0xd5; 4]);
    e.handle_datagram(t0, a, Socket::Rtp, addr("192.0.2.5:4000"), &mut p)
        .unwrap();
    let h = RtpHeader::parse(&p).unwrap();
    assert_eq!(h.payload_type, 0);
    let near_silence = crate::codec::linear_to_ulaw(crate::codec::alaw_to_linear(0xd5));
    assert_eq!(&p[12..], &[near_silence; 4]);
    assert!(crate::codec::ulaw_to_linear(near_silence).abs() < 16);
    let ev = dtmf::Event {
        code: 5,
        end: false,
        volume: 10,
        duration: 160,
    }
    .to_bytes();
    let mut p = packet(101, 2, 160, 7, &ev);
    e.handle_datagram(t0, a, Socket::Rtp, addr("192.0.2.5:4000"), &mut p)
        .unwrap();
    assert_eq!(
        (RtpHeader::parse(&p).unwrap().payload_type, &p[12..]),
        (101, &ev[..])
    );
    assert_eq!(e.poll_event(), Some(Event::Dtmf { leg: a, digit: '5' }));
    // The same event again (its update packets) is not a new digit.
    let mut p = packet(101, 3, 160, 7, &ev);
    e.handle_datagram(t0, a, Socket::Rtp, addr("192.0.2.5:4000"), &mut p)
        .unwrap();
    assert_eq!(e.poll_event(), None);
}

#[test]
fn held_legs_get_no_media() {
    let (mut e, a, b) = two_phones(&PHONE_CODECS);
    let t0 = Instant::now();
    e.set_held(b, true);
    let mut p = packet(8, 1, 0, 7, &[0xd5; 160]);
    assert_eq!(
        e.handle_datagram(t0, a, Socket::Rtp, addr("192.0.2.5:4000"), &mut p),
        None
    );
    e.set_held(b, false);
    assert!(e
        .handle_datagram(t0, a, Socket::Rtp, addr("192.0.2.5:4000"), &mut p)
        .is_some());
}

#[test]
fn typed_digits_go_out_as_paced_events_and_rtcp_reports_follow() {
    let (mut e, a, _) = two_phones(&PHONE_CODECS);
    let t0 = Instant::now();
    e.rtp_answer(t0, a, &offer(4000, "8 101", EVENTS)).unwrap();
    assert!(!e.send_dtmf(t0, a, "1?"));
    assert!(e.send_dtmf(t0, a, "#"));
    let mut events = Vec::new();
    let mut reports = 0;
    while let Some(at) = e.poll_timeout() {
        if at > t0 + Duration::from_secs(6) {
            break;
        }
        e.handle_timeout(at);
        while let Some(t) = e.poll_transmit() {
            assert_eq!(t.leg, a);
            match t.socket {
                Socket::Rtp => events.push(RtpHeader::parse(&t.bytes).unwrap()),
                Socket::Rtcp => {
                    assert!(rtp::is_rtcp(&t.bytes));
                    assert_eq!(t.to, addr("192.168.1.10:4001"));
                    reports += 1;
                }
            }
        }
    }
    assert!(events.len() >= 6, "{}", events.len());
    assert!(events[0].marker && events.iter().all(|h| h.payload_type == 101));
    assert!(
        events.iter().all(|h| h.timestamp == events[0].timestamp),
        "one event, one timestamp"
    );
    assert!(events
        .windows(2)
        .all(|w| w[1].sequence == w[0].sequence.wrapping_add(1)));
    assert_eq!(reports, 1);
}

#[test]
fn legs_without_a_codec_or_unknown_legs_are_not_bridged() {
    let mut e = Engine::new("test");
    let ip = "203.0.113.1".parse().unwrap();
    let a = e.add_rtp_leg(40_000, ip);
    let b = e.add_rtp_leg(40_002, ip);
    assert_eq!(e.bridge(a, b), Err(EngineError::NotNegotiated(a)));
    e.rtp_offer(a, &offer(4000, "8", ""), &PHONE_CODECS)
        .unwrap();
    assert_eq!(e.bridge(a, LegId(99)), Err(EngineError::NoLeg(LegId(99))));
    assert!(matches!(
        e.rtp_offer(b, &offer(4000, "9", ""), &PHONE_CODECS),
        Err(EngineError::Sdp(SdpError::NoCommonCodec))
    ));
}

#[test]
fn a_prompt_plays_on_its_own_clock_instead_of_the_far_side_and_then_says_so() {
    let (mut e, a, b) = two_phones(&[Codec::Pcmu]);
    let t0 = Instant::now();
    e.rtp_answer(t0, a, &offer(4000, "8 101", EVENTS)).unwrap();
    let prompt: std::sync::Arc<[Frame]> = vec![[0x55; 160], [0x2a; 160], [0xd5; 160]].into();
    e.play(t0, a, prompt.clone(), Codec::Pcma, false).unwrap();
    // The far side is not heard while the prompt plays.
    let mut p = packet(0, 1, 0, 9, &[0xff; 160]);
    assert_eq!(
        e.handle_datagram(t0, b, Socket::Rtp, addr("192.168.1.10:6000"), &mut p),
        None
    );
    let mut sent = Vec::new();
    let mut played = false;
    while let Some(at) = e
        .poll_timeout()
        .filter(|at| *at < t0 + Duration::from_millis(200))
    {
        e.handle_timeout(at);
        while let Some(t) = e.poll_transmit() {
            if t.socket == Socket::Rtp {
                let h = RtpHeader::parse(&t.bytes).unwrap();
                sent.push((at - t0, h.marker, h.payload_type, t.bytes[h.payload_offset]));
            }
        }
        while let Some(ev) = e.poll_event() {
            played |= ev == Event::Played(a);
        }
    }
    let ms = |n| Duration::from_millis(n);
    assert_eq!(
        sent,
        [
            (ms(0), true, 8, 0x55),
            (ms(20), false, 8, 0x2a),
            (ms(40), false, 8, 0xd5)
        ]
    );
    assert!(played, "the end is an event");
    // Afterwards the far side is heard again.
    let mut p = packet(0, 2, 160, 9, &[0xff; 160]);
    assert!(e
        .handle_datagram(t0, b, Socket::Rtp, addr("192.168.1.10:6000"), &mut p)
        .is_some());
    // Into a µ-law phone the A-law prompt is converted; a looping one goes on until stopped.
    e.rtp_answer(t0, b, &offer(6000, "0 101", EVENTS)).unwrap();
    e.play(t0, b, prompt, Codec::Pcma, true).unwrap();
    e.handle_timeout(t0);
    let t = std::iter::from_fn(|| e.poll_transmit())
        .find(|t| t.leg == b && t.socket == Socket::Rtp)
        .unwrap();
    let h = RtpHeader::parse(&t.bytes).unwrap();
    assert_eq!(h.payload_type, 0);
    assert_eq!(
        t.bytes[h.payload_offset],
        crate::codec::linear_to_ulaw(crate::codec::alaw_to_linear(0x55))
    );
    e.stop_playing(b);
    assert_eq!(
        e.play(t0, LegId(999), vec![].into(), Codec::Pcma, false),
        Err(EngineError::NoLeg(LegId(999)))
    );
}
