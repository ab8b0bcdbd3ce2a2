use super::tests::{addr, offer, packet, two_phones};
use super::*;
use crate::codec::{alaw_to_linear, linear_to_alaw};
use crate::rtp_leg::PHONE_CODECS;
use std::time::Duration;

fn voice(level: i16) -> Vec<u8> {
    vec![linear_to_alaw(level); 160]
}

/// The level of each frame sent to `to` until `until` (A-law), with its leg.
fn mixed(e: &mut Engine, until: Instant) -> Vec<(LegId, i16)> {
    let mut out = Vec::new();
    while let Some(at) = e.poll_timeout().filter(|at| *at <= until) {
        e.handle_timeout(at);
        while let Some(t) = e.poll_transmit() {
            if t.socket == Socket::Rtp {
                let h = RtpHeader::parse(&t.bytes).unwrap();
                out.push((t.leg, alaw_to_linear(t.bytes[h.payload_offset])));
            }
        }
    }
    out
}

fn near(level: i16, want: i16) -> bool {
    (i32::from(level) - i32::from(want)).abs() <= i32::from(want).abs() / 16 + 16
}

#[test]
fn a_listener_hears_both_sides_and_a_whispered_agent_hears_the_listener_too() {
    // The caller (c) and the agent (a) talk, both in A-law; the supervisor (s) joins.
    let (mut e, c, a) = two_phones(&[Codec::Pcma]);
    let s = e.add_rtp_leg(40_004, "203.0.113.1".parse().unwrap());
    e.rtp_offer(s, &offer(8000, "8", ""), &PHONE_CODECS)
        .unwrap();
    let t0 = Instant::now();
    let (from_c, from_a, from_s) = (
        addr("192.168.1.10:4000"),
        addr("192.168.1.10:6000"),
        addr("192.168.1.10:8000"),
    );

    // Listening: the two sides still hear each other directly; s hears their sum.
    e.hear(t0, s, &[c, a]).unwrap();
    assert_eq!(e.hearing(s), [c, a]);
    let mut p = packet(8, 1, 0, 7, &voice(1000));
    assert_eq!(
        e.handle_datagram(t0, c, Socket::Rtp, from_c, &mut p)
            .unwrap()
            .leg,
        a
    );
    let mut p = packet(8, 1, 0, 9, &voice(-400));
    assert_eq!(
        e.handle_datagram(t0, a, Socket::Rtp, from_a, &mut p)
            .unwrap()
            .leg,
        c
    );
    let sent = mixed(&mut e, t0);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].0, s);
    assert!(near(sent[0].1, 600), "{sent:?}");
    // Nothing new arrived: the next tick, 20 ms later, is silence.
    let sent = mixed(&mut e, t0 + Duration::from_millis(20));
    assert_eq!(sent.len(), 1);
    assert!(sent[0].1.abs() < 16, "{sent:?}");

    // Whispering: the agent hears the caller and the supervisor; the caller only the agent.
    let t1 = t0 + Duration::from_millis(40);
    e.hear(t1, a, &[c, s]).unwrap();
    let mut p = packet(8, 2, 160, 7, &voice(1000));
    assert_eq!(e.handle_datagram(t1, c, Socket::Rtp, from_c, &mut p), None);
    let mut p = packet(8, 1, 0, 11, &voice(500));
    assert_eq!(e.handle_datagram(t1, s, Socket::Rtp, from_s, &mut p), None);
    let mut p = packet(8, 2, 160, 9, &voice(-400));
    assert_eq!(
        e.handle_datagram(t1, a, Socket::Rtp, from_a, &mut p)
            .unwrap()
            .leg,
        c
    );
    let sent = mixed(&mut e, t1);
    let to = |leg| sent.iter().find(|(l, _)| *l == leg).map(|&(_, v)| v);
    assert!(near(to(a).unwrap(), 1500), "{sent:?}");
    assert!(near(to(s).unwrap(), 600), "{sent:?}");
    assert_eq!(
        to(c),
        None,
        "the caller hears the agent directly, never the supervisor"
    );

    // The supervisor leaves: the agent hears the caller directly again, the clock stops.
    e.remove(s);
    assert!(e.hearing(a).is_empty());
    let mut p = packet(8, 3, 320, 7, &voice(1000));
    assert_eq!(
        e.handle_datagram(t1, c, Socket::Rtp, from_c, &mut p)
            .unwrap()
            .leg,
        a
    );
    let _ = mixed(&mut e, t1 + Duration::from_millis(40));
    assert_eq!(e.poll_timeout(), None);
}

#[test]
fn only_known_g711_legs_are_mixed() {
    let (mut e, c, a) = two_phones(&PHONE_CODECS);
    let t0 = Instant::now();
    assert_eq!(
        e.hear(t0, c, &[LegId(77)]),
        Err(EngineError::NoLeg(LegId(77)))
    );
    let fresh = e.add_rtp_leg(40_006, "203.0.113.1".parse().unwrap());
    assert_eq!(e.hear(t0, fresh, &[c, a]), Err(EngineError::NotG711(fresh)));
    assert!(e.hearing(fresh).is_empty());
    assert_eq!(e.poll_timeout(), None, "no clock for a refused mix");
}

#[test]
fn a_listener_who_leaves_frees_the_buffers_and_a_new_bridge_ends_a_mix() {
    let (mut e, c, a) = two_phones(&[Codec::Pcma]);
    let ip = "203.0.113.1".parse().unwrap();
    let s = e.add_rtp_leg(40_004, ip);
    e.rtp_offer(s, &offer(8000, "8", ""), &PHONE_CODECS)
        .unwrap();
    let t0 = Instant::now();
    // Listening only: the supervisor's leg has no buffer of its own.
    e.hear(t0, s, &[c, a]).unwrap();
    assert!(e.legs[&c].inbox.is_some() && e.legs[&a].inbox.is_some());
    e.remove(s);
    assert!(
        e.legs[&c].inbox.is_none() && e.legs[&a].inbox.is_none(),
        "nobody hears them any more: nothing is decoded"
    );
    // Whispering, then the agent is bridged to someone else (a transfer): the mix ends.
    let s = e.add_rtp_leg(40_008, ip);
    e.rtp_offer(s, &offer(8002, "8", ""), &PHONE_CODECS)
        .unwrap();
    e.hear(t0, a, &[c, s]).unwrap();
    let x = e.add_rtp_leg(40_010, ip);
    e.rtp_offer(x, &offer(8004, "8", ""), &PHONE_CODECS)
        .unwrap();
    e.bridge(a, x).unwrap();
    assert!(e.hearing(a).is_empty());
    assert!(e.legs[&c].inbox.is_none() && e.legs[&s].inbox.is_none());
    let mut p = packet(8, 1, 0, 9, &voice(100));
    let from_x = addr("192.168.1.10:8004");
    assert_eq!(
        e.handle_datagram(t0, x, Socket::Rtp, from_x, &mut p)
            .unwrap()
            .leg,
        a
    );
}
