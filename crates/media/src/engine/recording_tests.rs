use super::tests::{addr, offer, packet};
use super::*;
use crate::codec::{alaw_to_linear, linear_to_alaw};
use crate::rtp_leg::PHONE_CODECS;
use std::time::Duration;

/// A phone leg that talks to nobody (a caller leaving a voicemail).
fn lone_phone() -> (Engine, LegId) {
    let mut e = Engine::new("test");
    let leg = e.add_rtp_leg(40_000, "203.0.113.1".parse().unwrap());
    e.rtp_offer(
        leg,
        &offer(4000, "8 101", "a=rtpmap:101 telephone-event/8000\r\n"),
        &PHONE_CODECS,
    )
    .unwrap();
    (e, leg)
}

fn say(e: &mut Engine, leg: LegId, t: Instant, seq: u16, level: i16) {
    let mut p = packet(
        8,
        seq,
        u32::from(seq) * 160,
        7,
        &[linear_to_alaw(level); 160],
    );
    e.handle_datagram(t, leg, Socket::Rtp, addr("192.0.2.5:4000"), &mut p);
}

fn recorded(e: &mut Engine) -> Option<(LegId, Vec<i16>, bool)> {
    std::iter::from_fn(|| e.poll_event()).find_map(|ev| match ev {
        Event::Recorded { leg, samples, full } => Some((leg, samples, full)),
        _ => None,
    })
}

#[test]
fn what_a_caller_says_is_recorded_until_stopped_with_gaps_as_silence() {
    let (mut e, leg) = lone_phone();
    let t0 = Instant::now();
    say(&mut e, leg, t0, 1, 500); // before the tone: not recorded
    e.record(leg, 8_000).unwrap();
    assert!(e.is_recording(leg));
    say(&mut e, leg, t0, 2, 1_000);
    // Packet 3 is lost.
    say(&mut e, leg, t0 + Duration::from_millis(40), 4, 2_000);
    assert_eq!(recorded(&mut e), None, "still recording");
    e.stop_recording(leg);
    let (l, samples, full) = recorded(&mut e).unwrap();
    assert_eq!((l, full), (leg, false));
    assert_eq!(samples.len(), 480);
    let level = |s: &[i16]| s.iter().map(|&x| i32::from(x)).sum::<i32>() / s.len() as i32;
    assert_eq!(
        level(&samples[..160]),
        i32::from(alaw_to_linear(linear_to_alaw(1_000)))
    );
    assert_eq!(level(&samples[160..320]), 0, "the lost packet is silence");
    assert!(!e.is_recording(leg));
    e.stop_recording(leg);
    assert_eq!(recorded(&mut e), None, "once");
}

#[test]
fn a_recording_ends_at_its_limit_or_when_the_leg_goes() {
    let (mut e, leg) = lone_phone();
    let t0 = Instant::now();
    e.record(leg, 300).unwrap();
    say(&mut e, leg, t0, 1, 100);
    assert_eq!(recorded(&mut e), None);
    say(&mut e, leg, t0, 2, 100);
    let (_, samples, full) = recorded(&mut e).unwrap();
    assert_eq!((samples.len(), full), (300, true));

    e.record(leg, 8_000).unwrap();
    say(&mut e, leg, t0, 3, 100);
    e.remove(leg);
    let (l, samples, full) = recorded(&mut e).unwrap();
    assert_eq!(
        (l, samples.len(), full),
        (leg, 160, false),
        "a caller who hangs up"
    );
    assert_eq!(e.record(leg, 10), Err(EngineError::NoLeg(leg)));
}

#[test]
fn telephone_events_are_not_recorded() {
    let (mut e, leg) = lone_phone();
    e.record(leg, 8_000).unwrap();
    let mut p = packet(101, 1, 0, 7, &[1, 0x0a, 0, 160]);
    e.handle_datagram(
        Instant::now(),
        leg,
        Socket::Rtp,
        addr("192.0.2.5:4000"),
        &mut p,
    );
    e.stop_recording(leg);
    assert_eq!(recorded(&mut e).unwrap().1.len(), 0);
}
