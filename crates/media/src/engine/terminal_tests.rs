use super::tests::{addr, offer, packet};
use super::*;
use crate::codec::{alaw_to_linear, linear_to_alaw};
use crate::rtp_leg::PHONE_CODECS;
use crate::terminal::Terminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A terminal that keeps what it hears, speaks a constant level and is finished after
/// `frames` frames spoken.
#[derive(Debug)]
struct Probe {
    heard: Arc<Mutex<Vec<i16>>>,
    spoken: usize,
    frames: usize,
}

impl Terminal for Probe {
    fn hear(&mut self, samples: &[i16]) {
        self.heard.lock().unwrap().extend_from_slice(samples);
    }
    fn speak(&mut self, out: &mut [i16]) {
        out.fill(1_000);
        self.spoken += 1;
    }
    fn finished(&self) -> bool {
        self.spoken >= self.frames
    }
}

fn phone(e: &mut Engine, port: u16, far: u16) -> LegId {
    let leg = e.add_rtp_leg(port, "203.0.113.1".parse().unwrap());
    e.rtp_offer(leg, &offer(far, "8", ""), &PHONE_CODECS)
        .unwrap();
    leg
}

fn say(e: &mut Engine, leg: LegId, t: Instant, seq: u16, level: i16) -> Option<Forward> {
    let mut p = packet(
        8,
        seq,
        u32::from(seq) * 160,
        7,
        &[linear_to_alaw(level); 160],
    );
    e.handle_datagram(t, leg, Socket::Rtp, addr("192.0.2.5:4000"), &mut p)
}

#[test]
fn a_terminal_hears_the_line_with_gaps_as_silence_and_speaks_every_20_ms() {
    let mut e = Engine::new("test");
    let leg = phone(&mut e, 40_000, 4000);
    let other = phone(&mut e, 40_002, 4002);
    e.bridge(leg, other).unwrap();
    let heard = Arc::new(Mutex::new(Vec::new()));
    let t0 = Instant::now();
    let probe = Probe {
        heard: heard.clone(),
        spoken: 0,
        frames: 5,
    };
    e.attach_terminal(t0, leg, Box::new(probe)).unwrap();
    assert!(e.has_terminal(leg));
    assert!(say(&mut e, leg, t0, 1, 2_000).is_none(), "not relayed");
    say(&mut e, leg, t0, 3, 2_000); // packet 2 lost
    {
        let heard = heard.lock().unwrap();
        assert_eq!(heard.len(), 480);
        assert!(heard[160..320].iter().all(|&s| s == 0));
        assert_eq!(heard[0], alaw_to_linear(linear_to_alaw(2_000)));
    }
    while e.poll_transmit().is_some() {}
    // 100 ms: five frames spoken, to the far side of `leg` only.
    let mut t = t0;
    for _ in 0..5 {
        e.handle_timeout(t);
        t += Duration::from_millis(20);
    }
    let sent: Vec<Transmit> = std::iter::from_fn(|| e.poll_transmit())
        .filter(|x| x.socket == Socket::Rtp)
        .collect();
    assert_eq!(sent.len(), 5);
    assert!(sent.iter().all(|x| x.leg == leg));
    assert_eq!(sent[0].bytes[12], linear_to_alaw(1_000));
    let stamp = |x: &Transmit| u32::from_be_bytes([x.bytes[4], x.bytes[5], x.bytes[6], x.bytes[7]]);
    for pair in sent.windows(2) {
        assert_eq!(stamp(&pair[1]).wrapping_sub(stamp(&pair[0])), 160);
    }
    let done: Vec<Event> = std::iter::from_fn(|| e.poll_event()).collect();
    assert_eq!(done, vec![Event::TerminalDone(leg)]);
    e.handle_timeout(t);
    assert!(
        std::iter::from_fn(|| e.poll_event()).next().is_none(),
        "once"
    );
    assert!(e.detach_terminal(leg).is_some());
    assert!(!e.has_terminal(leg));
}

#[test]
fn only_g711_legs_take_a_terminal() {
    let mut e = Engine::new("test");
    let leg = e.add_rtp_leg(40_000, "203.0.113.1".parse().unwrap());
    let probe = Probe {
        heard: Arc::default(),
        spoken: 0,
        frames: 1,
    };
    assert_eq!(
        e.attach_terminal(Instant::now(), leg, Box::new(probe)),
        Err(EngineError::NotG711(leg))
    );
}

#[test]
fn frames_sent_late_keep_their_timestamps_160_apart() {
    let mut e = Engine::new("test");
    let leg = phone(&mut e, 40_000, 4000);
    let t0 = Instant::now();
    let probe = Probe {
        heard: Arc::default(),
        spoken: 0,
        frames: 100,
    };
    e.attach_terminal(t0, leg, Box::new(probe)).unwrap();
    // The media thread wakes 70 ms late: four frames go at once.
    e.handle_timeout(t0 + Duration::from_millis(70));
    let sent: Vec<Transmit> = std::iter::from_fn(|| e.poll_transmit())
        .filter(|x| x.socket == Socket::Rtp)
        .collect();
    assert_eq!(sent.len(), 4);
    let stamp = |x: &Transmit| u32::from_be_bytes([x.bytes[4], x.bytes[5], x.bytes[6], x.bytes[7]]);
    for pair in sent.windows(2) {
        assert_eq!(stamp(&pair[1]).wrapping_sub(stamp(&pair[0])), 160);
    }
}
