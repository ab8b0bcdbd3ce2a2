use super::tests::{addr, offer, packet};
use super::*;
use crate::rtp_leg::PHONE_CODECS;
use crate::sdp::t38::ErrorCorrection;
use crate::terminal::Terminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The fax machine's gateway: its RTP came from behind a router, its T.38 offer names
/// another port.
const FAR_RTP: &str = "198.51.100.7:30000";
const FAR_T38_NAT: &str = "198.51.100.7:30002";
const ANNOUNCED_T38: &str = "192.168.1.10:4446";

fn t38_offer() -> String {
    "v=0\r\no=- 1 2 IN IP4 192.168.1.10\r\ns=-\r\nc=IN IP4 192.168.1.10\r\nt=0 0\r\n\
m=image 4446 udptl t38\r\na=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\n\
a=T38FaxRateManagement:transferredTCF\r\na=T38FaxMaxBuffer:1800\r\n\
a=T38FaxMaxDatagram:400\r\na=T38FaxUdpEC:t38UDPRedundancy\r\n"
        .to_string()
}

/// What a T.38 terminal saw, shared with the test.
#[derive(Debug, Default)]
struct Seen {
    datagrams: Vec<Vec<u8>>,
    speaks: usize,
    heard: usize,
}

/// A T.38 terminal: keeps the datagrams it gets, answers each with `[0xAA, n]`, sends
/// `[0x5E, n]` on every 20 ms tick, and is finished after `ticks` ticks.
#[derive(Debug)]
struct FaxProbe {
    seen: Arc<Mutex<Seen>>,
    out: Vec<Vec<u8>>,
    ticks: usize,
}

impl FaxProbe {
    fn new(ticks: usize) -> (FaxProbe, Arc<Mutex<Seen>>) {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let probe = FaxProbe {
            seen: seen.clone(),
            out: Vec::new(),
            ticks,
        };
        (probe, seen)
    }
}

impl Terminal for FaxProbe {
    fn hear(&mut self, _: &[i16]) {
        self.seen.lock().unwrap().heard += 1;
    }
    fn speak(&mut self, out: &mut [i16]) {
        out.fill(0);
        let mut seen = self.seen.lock().unwrap();
        seen.speaks += 1;
        self.out.push(vec![0x5E, seen.speaks as u8]);
    }
    fn finished(&self) -> bool {
        self.seen.lock().unwrap().speaks >= self.ticks
    }
    fn datagram(&mut self, bytes: &[u8]) {
        let mut seen = self.seen.lock().unwrap();
        seen.datagrams.push(bytes.to_vec());
        self.out.push(vec![0xAA, seen.datagrams.len() as u8]);
    }
    fn poll_datagram(&mut self) -> Option<Vec<u8>> {
        (!self.out.is_empty()).then(|| self.out.remove(0))
    }
}

/// An audio terminal that knows nothing of T.38 (the trait's provided methods).
#[derive(Debug)]
struct AudioOnly;

impl Terminal for AudioOnly {
    fn hear(&mut self, _: &[i16]) {}
    fn speak(&mut self, out: &mut [i16]) {
        out.fill(500);
    }
    fn finished(&self) -> bool {
        false
    }
}

/// Two phones bridged, the first's RTP latched from behind a router and its RTCP
/// reports running (it answered our offer).
fn call() -> (Engine, LegId, LegId, Instant) {
    let mut e = Engine::new("test");
    let ip = "203.0.113.1".parse().unwrap();
    let (fax, other) = (e.add_rtp_leg(40_000, ip), e.add_rtp_leg(40_002, ip));
    let t0 = Instant::now();
    e.rtp_make_offer(fax, crate::sdp::Direction::SendRecv)
        .unwrap();
    e.rtp_answer(t0, fax, &offer(4000, "8", "")).unwrap();
    e.rtp_offer(other, &offer(6000, "8", ""), &PHONE_CODECS)
        .unwrap();
    e.bridge(fax, other).unwrap();
    let mut p = packet(8, 1, 160, 7, &[0xd5; 160]);
    assert!(e
        .handle_datagram(t0, fax, Socket::Rtp, addr(FAR_RTP), &mut p)
        .is_some());
    (e, fax, other, t0)
}

fn udptl(seq: u16) -> Vec<u8> {
    let [hi, lo] = seq.to_be_bytes();
    vec![hi, lo, 0x01, 0x00, 0x00, 0x00]
}

fn drain(e: &mut Engine) -> Vec<Transmit> {
    std::iter::from_fn(|| e.poll_transmit()).collect()
}

#[test]
fn an_audio_leg_with_a_terminal_is_switched_by_an_offer_and_answered_on_its_port() {
    let (mut e, fax, other, t0) = call();
    e.attach_terminal(t0, fax, Box::new(AudioOnly)).unwrap();
    let answer = e.t38_offer(t0, fax, &t38_offer()).unwrap();
    assert!(answer.contains("c=IN IP4 203.0.113.1\r\n"), "{answer}");
    assert!(answer.contains("m=image 40000 udptl t38\r\n"), "{answer}");
    assert!(answer.contains("a=T38FaxVersion:0\r\n"), "{answer}");
    assert!(
        answer.contains("a=T38FaxUdpEC:t38UDPRedundancy\r\n"),
        "{answer}"
    );
    assert!(!answer.contains("m=audio"), "{answer}");
    // The o= version goes on from our audio offer's.
    assert!(answer.contains(" 2 IN IP4 203.0.113.1\r\n"), "{answer}");
    assert!(e.is_t38(fax) && !e.is_t38(other));
    assert!(e.has_terminal(fax), "the audio terminal stays attached");
    assert_eq!(e.negotiated(fax), None);
    let agreed = e.t38_agreed(fax).unwrap();
    assert_eq!(agreed.error_correction, ErrorCorrection::Redundancy);
    assert_eq!(
        (agreed.far_max_datagram, agreed.far_max_buffer),
        (Some(400), Some(1800))
    );
    // Nothing is bridged: the other phone's audio goes nowhere, nor does ours to it.
    let mut p = packet(8, 1, 160, 9, &[0xd5; 160]);
    assert_eq!(
        e.handle_datagram(t0, other, Socket::Rtp, addr("192.0.2.9:6000"), &mut p),
        None
    );
    assert!(drain(&mut e).is_empty());
    assert_eq!(e.bridge(fax, other), Err(EngineError::NotNegotiated(fax)));
    assert_eq!(
        e.play(t0, fax, Arc::from(Vec::new()), Codec::Pcma, false),
        Err(EngineError::CannotPlay(fax))
    );
    assert!(!e.send_dtmf(t0, fax, "1"));
    // The server replaces the audio terminal with its T.38 modem.
    assert!(e.detach_terminal(fax).is_some());
    let (probe, seen) = FaxProbe::new(1000);
    e.attach_terminal(t0, fax, Box::new(probe)).unwrap();
    let mut d = udptl(0);
    e.handle_datagram(t0, fax, Socket::Rtp, addr(FAR_T38_NAT), &mut d);
    assert_eq!(seen.lock().unwrap().datagrams, vec![udptl(0)]);
}

#[test]
fn datagrams_go_to_the_terminal_unchanged_even_ones_that_look_like_rtp() {
    let (mut e, fax, _, t0) = call();
    let (probe, seen) = FaxProbe::new(1000);
    e.attach_terminal(t0, fax, Box::new(probe)).unwrap();
    e.t38_offer(t0, fax, &t38_offer()).unwrap();
    let rtp_like = packet(8, 2, 320, 7, &[0xd5; 160]);
    let rtcp_like = vec![0x80, 200, 0, 6, 1, 2, 3, 4, 5, 6, 7, 8];
    let from = addr(FAR_T38_NAT);
    for (i, bytes) in [udptl(0), rtp_like.clone(), rtcp_like.clone(), udptl(1)]
        .into_iter()
        .enumerate()
    {
        let mut d = bytes.clone();
        let at = t0 + Duration::from_millis(i as u64);
        assert_eq!(e.handle_datagram(at, fax, Socket::Rtp, from, &mut d), None);
        assert_eq!(d, bytes, "not rewritten");
    }
    // The RTCP port carries nothing with T.38.
    let mut d = udptl(2);
    e.handle_datagram(t0, fax, Socket::Rtcp, from, &mut d);
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.datagrams,
        vec![udptl(0), rtp_like, rtcp_like, udptl(1)]
    );
    assert_eq!(seen.heard, 0);
}

#[test]
fn what_the_terminal_sends_goes_to_the_latched_far_end() {
    let (mut e, fax, _, t0) = call();
    let (probe, _) = FaxProbe::new(1000);
    e.attach_terminal(t0, fax, Box::new(probe)).unwrap();
    e.t38_offer(t0, fax, &t38_offer()).unwrap();
    drain(&mut e);
    // Before the far end sent anything: to the address of its offer.
    e.handle_timeout(t0);
    let sent = drain(&mut e);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (
            sent[0].leg,
            sent[0].socket,
            sent[0].to,
            sent[0].bytes.clone()
        ),
        (fax, Socket::Rtp, addr(ANNOUNCED_T38), vec![0x5E, 1])
    );
    // Its first datagram comes from behind its router: answered there at once.
    let mut d = udptl(0);
    e.handle_datagram(t0, fax, Socket::Rtp, addr(FAR_T38_NAT), &mut d);
    let sent = drain(&mut e);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].to, sent[0].bytes.clone()),
        (addr(FAR_T38_NAT), vec![0xAA, 1])
    );
    // A stray sender is neither heard nor answered.
    let mut d = udptl(1);
    e.handle_datagram(t0, fax, Socket::Rtp, addr("192.0.2.66:1234"), &mut d);
    assert!(drain(&mut e).is_empty());
    e.handle_timeout(t0 + Duration::from_millis(20));
    let sent = drain(&mut e);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        (sent[0].to, sent[0].bytes.clone()),
        (addr(FAR_T38_NAT), vec![0x5E, 2])
    );
}

#[test]
fn ticks_keep_calling_speak_and_no_rtp_or_rtcp_goes_out() {
    let (mut e, fax, _, t0) = call();
    let (probe, seen) = FaxProbe::new(250);
    e.attach_terminal(t0, fax, Box::new(probe)).unwrap();
    e.t38_offer(t0, fax, &t38_offer()).unwrap();
    drain(&mut e);
    let mut sent = Vec::new();
    let mut events = Vec::new();
    // 6 s: an RTCP report would have been due, and 300 ticks of 20 ms.
    while let Some(at) = e.poll_timeout() {
        if at >= t0 + Duration::from_secs(6) {
            break;
        }
        e.handle_timeout(at);
        sent.extend(drain(&mut e));
        events.extend(std::iter::from_fn(|| e.poll_event()));
    }
    assert_eq!(seen.lock().unwrap().speaks, 300);
    assert_eq!(sent.len(), 300);
    for (i, t) in sent.iter().enumerate() {
        assert_eq!((t.leg, t.socket), (fax, Socket::Rtp));
        assert_eq!(
            t.bytes,
            vec![0x5E, (i + 1) as u8],
            "only the terminal's datagrams"
        );
    }
    assert_eq!(events, vec![Event::TerminalDone(fax)]);
}

#[test]
fn without_a_terminal_a_t38_leg_is_silent() {
    let (mut e, fax, _, t0) = call();
    e.t38_offer(t0, fax, &t38_offer()).unwrap();
    assert_eq!(e.poll_timeout(), None, "no RTCP reports, no clock");
    let mut d = udptl(0);
    e.handle_datagram(t0, fax, Socket::Rtp, addr(FAR_T38_NAT), &mut d);
    assert!(drain(&mut e).is_empty());
    // A T.38 terminal attached later needs no G.711.
    let (probe, seen) = FaxProbe::new(1000);
    e.attach_terminal(t0, fax, Box::new(probe)).unwrap();
    let mut d = udptl(1);
    e.handle_datagram(t0, fax, Socket::Rtp, addr(FAR_T38_NAT), &mut d);
    assert_eq!(seen.lock().unwrap().datagrams, vec![udptl(1)]);
    assert_eq!(drain(&mut e)[0].to, addr(FAR_T38_NAT));
}

#[test]
fn audio_in_flight_from_before_the_switch_does_not_latch_the_image_stream() {
    let (mut e, fax, _, t0) = call();
    let (probe, seen) = FaxProbe::new(1000);
    e.attach_terminal(t0, fax, Box::new(probe)).unwrap();
    e.t38_offer(t0, fax, &t38_offer()).unwrap();
    let mut late = packet(8, 2, 320, 7, &[0xd5; 160]);
    e.handle_datagram(t0, fax, Socket::Rtp, addr(FAR_RTP), &mut late);
    assert!(seen.lock().unwrap().datagrams.is_empty());
    let mut d = udptl(0);
    e.handle_datagram(t0, fax, Socket::Rtp, addr(FAR_T38_NAT), &mut d);
    assert_eq!(seen.lock().unwrap().datagrams, vec![udptl(0)]);
    assert_eq!(drain(&mut e)[0].to, addr(FAR_T38_NAT));
}

#[test]
fn an_invalid_offer_changes_nothing() {
    let (mut e, fax, other, t0) = call();
    let audio = offer(4000, "8", "");
    let declined = t38_offer().replace("m=image 4446", "m=image 0");
    for (body, why) in [
        (audio.as_str(), SdpError::NoT38),
        (declined.as_str(), SdpError::T38Declined),
        ("garbage", SdpError::Line("garbage".into())),
    ] {
        assert_eq!(e.t38_offer(t0, fax, body), Err(EngineError::Sdp(why)));
        assert!(!e.is_t38(fax));
        assert_eq!(e.t38_agreed(fax), None);
    }
    assert_eq!(e.negotiated(fax).unwrap().codec, Codec::Pcma);
    // Still bridged, still latched.
    let mut p = packet(8, 2, 320, 7, &[0xd5; 160]);
    let f = e
        .handle_datagram(t0, fax, Socket::Rtp, addr(FAR_RTP), &mut p)
        .unwrap();
    assert_eq!(f.leg, other);
    assert_eq!(
        e.t38_offer(t0, LegId(99), &t38_offer()),
        Err(EngineError::NoLeg(LegId(99)))
    );
}

#[test]
fn an_audio_offer_makes_a_t38_leg_an_audio_leg_again() {
    let (mut e, fax, other, t0) = call();
    e.t38_offer(t0, fax, &t38_offer()).unwrap();
    let mut d = udptl(0);
    e.handle_datagram(t0, fax, Socket::Rtp, addr(FAR_T38_NAT), &mut d);
    let (_, answer) = e
        .rtp_offer(fax, &offer(4000, "8", ""), &PHONE_CODECS)
        .unwrap();
    assert!(answer.contains("m=audio 40000 RTP/AVP 8\r\n"), "{answer}");
    assert!(!e.is_t38(fax));
    e.bridge(fax, other).unwrap();
    // Its RTP is learnt afresh, at once.
    let mut p = packet(8, 9, 1440, 7, &[0xd5; 160]);
    let later = t0 + Duration::from_millis(100);
    assert!(e
        .handle_datagram(later, fax, Socket::Rtp, addr(FAR_RTP), &mut p)
        .is_some());
    let mut p = packet(8, 1, 160, 9, &[0xd5; 160]);
    let f = e
        .handle_datagram(later, other, Socket::Rtp, addr("192.0.2.9:6000"), &mut p)
        .unwrap();
    assert_eq!((f.leg, f.to), (fax, addr(FAR_RTP)));
}

#[test]
fn our_offer_switches_the_leg_once_the_far_end_accepts() {
    let (mut e, fax, _, t0) = call();
    let ours = e.t38_make_offer(fax).unwrap();
    assert!(ours.contains("m=image 40000 udptl t38\r\n"), "{ours}");
    assert!(!e.is_t38(fax), "not before the answer");
    let refused = "v=0\r\nc=IN IP4 192.168.1.10\r\nm=image 0 udptl t38\r\n";
    assert_eq!(
        e.t38_answer(t0, fax, refused),
        Err(EngineError::Sdp(SdpError::T38Declined))
    );
    assert!(!e.is_t38(fax));
    let agreed = e.t38_answer(t0, fax, &t38_offer()).unwrap();
    assert_eq!(agreed.error_correction, ErrorCorrection::Redundancy);
    assert!(e.is_t38(fax));
    assert_eq!(e.t38_agreed(fax), Some(agreed));
}
