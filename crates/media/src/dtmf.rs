//! RFC 4733 telephone-events: the payload, the digits it names, and a sender that turns
//! typed digits into the packets of each event (start with the marker, updates every
//! 20 ms, three end packets), paced by the caller's clock.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// One telephone-event payload (RFC 4733 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    /// The event code: 0–9, 10 `*`, 11 `#`, 12–15 `A`–`D`.
    pub code: u8,
    /// The end bit.
    pub end: bool,
    /// The volume, 0–63 (−dBm0).
    pub volume: u8,
    /// The duration so far, in timestamp units.
    pub duration: u16,
}

impl Event {
    /// Reads a payload (4 bytes; more are a second event in the same packet, ignored).
    pub fn parse(payload: &[u8]) -> Option<Event> {
        let bytes: [u8; 4] = payload.get(..4)?.try_into().ok()?;
        Some(Event {
            code: bytes[0],
            end: bytes[1] & 0x80 != 0,
            volume: bytes[1] & 0x3f,
            duration: u16::from_be_bytes([bytes[2], bytes[3]]),
        })
    }

    /// The payload bytes.
    pub fn to_bytes(self) -> [u8; 4] {
        let d = self.duration.to_be_bytes();
        [
            self.code,
            (u8::from(self.end) << 7) | (self.volume & 0x3f),
            d[0],
            d[1],
        ]
    }

    /// The same event at another clock rate (a browser leg at 48 kHz, a phone at 8 kHz).
    pub fn at_clock_rate(self, from: u32, to: u32) -> Event {
        let duration = (u64::from(self.duration) * u64::from(to) / u64::from(from.max(1)))
            .min(u64::from(u16::MAX)) as u16;
        Event { duration, ..self }
    }
}

/// The event code of a keypad digit.
pub fn code_of(digit: char) -> Option<u8> {
    match digit.to_ascii_uppercase() {
        d @ '0'..='9' => Some(d as u8 - b'0'),
        '*' => Some(10),
        '#' => Some(11),
        d @ 'A'..='D' => Some(d as u8 - b'A' + 12),
        _ => None,
    }
}

/// The keypad digit of an event code.
pub fn digit_of(code: u8) -> Option<char> {
    match code {
        0..=9 => Some((b'0' + code) as char),
        10 => Some('*'),
        11 => Some('#'),
        12..=15 => Some((b'A' + code - 12) as char),
        _ => None,
    }
}

/// How long a generated tone lasts.
pub const TONE: Duration = Duration::from_millis(100);
/// The pause between generated tones.
pub const GAP: Duration = Duration::from_millis(60);
const INTERVAL: Duration = Duration::from_millis(20);

/// One packet the sender wants sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventPacket {
    /// The payload.
    pub event: Event,
    /// Set on the first packet of an event.
    pub marker: bool,
    /// Whether this packet starts a new event (a new RTP timestamp) or continues one
    /// (the same timestamp as the event's first packet, RFC 4733 §2.5.1.2).
    pub new_event: bool,
}

/// Turns digits into paced event packets.
#[derive(Debug, Default)]
pub struct Sender {
    queue: VecDeque<u8>,
    current: Option<(u8, Instant, u32)>,
    next_at: Option<Instant>,
    clock_rate: u32,
}

impl Sender {
    /// A sender for a leg whose events run at `clock_rate`.
    pub fn new(clock_rate: u32) -> Sender {
        Sender {
            clock_rate,
            ..Sender::default()
        }
    }

    /// Queues `digits`; returns false (and queues nothing) if one is not a keypad digit.
    pub fn queue(&mut self, now: Instant, digits: &str) -> bool {
        let codes: Option<Vec<u8>> = digits.chars().map(code_of).collect();
        let Some(codes) = codes else { return false };
        self.queue.extend(codes);
        if self.next_at.is_none() {
            self.next_at = Some(now);
        }
        true
    }

    /// When the next packet is due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.next_at
    }

    /// The packet due at `now`, if any.
    pub fn poll_packet(&mut self, now: Instant) -> Option<EventPacket> {
        let due = self.next_at?;
        if now < due {
            return None;
        }
        let samples =
            |d: Duration| (d.as_micros() as u64 * u64::from(self.clock_rate) / 1_000_000) as u32;
        match self.current {
            None => {
                let code = self.queue.pop_front()?;
                self.current = Some((code, due, 0));
                self.next_at = Some(due + INTERVAL);
                Some(EventPacket {
                    event: Event {
                        code,
                        end: false,
                        volume: 10,
                        duration: samples(INTERVAL) as u16,
                    },
                    marker: true,
                    new_event: true,
                })
            }
            Some((code, started, ends_sent)) => {
                let elapsed = due.saturating_duration_since(started) + INTERVAL;
                let end = elapsed >= TONE;
                let duration = samples(elapsed.min(TONE)) as u16;
                if end && ends_sent == 2 {
                    self.current = None;
                    self.next_at = (!self.queue.is_empty()).then_some(due + GAP);
                } else {
                    self.current = Some((code, started, ends_sent + u32::from(end)));
                    self.next_at = Some(due + INTERVAL);
                }
                Some(EventPacket {
                    event: Event {
                        code,
                        end,
                        volume: 10,
                        duration,
                    },
                    marker: false,
                    new_event: false,
                })
            }
        }
    }
}

/// Recognises each event once in a stream of event packets (they repeat, the end
/// packet three times).
#[derive(Debug, Default)]
pub struct Receiver {
    last: Option<(u32, bool)>,
}

impl Receiver {
    /// The digit that begins with this packet (`timestamp` identifies the event).
    pub fn handle_packet(&mut self, timestamp: u32, event: Event) -> Option<char> {
        let first = self.last.map(|(ts, _)| ts) != Some(timestamp);
        self.last = Some((timestamp, event.end));
        if first {
            digit_of(event.code)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip() {
        let e = Event {
            code: 11,
            end: true,
            volume: 10,
            duration: 800,
        };
        assert_eq!(Event::parse(&e.to_bytes()), Some(e));
        assert_eq!(Event::parse(&[1, 2, 3]), None);
    }

    #[test]
    fn digits_map_both_ways() {
        for d in "0123456789*#ABCD".chars() {
            assert_eq!(digit_of(code_of(d).unwrap()), Some(d));
        }
        assert_eq!(code_of('x'), None);
    }

    #[test]
    fn a_browser_event_at_48_khz_is_scaled_for_a_phone_at_8_khz() {
        let e = Event {
            code: 5,
            end: false,
            volume: 10,
            duration: 4800,
        };
        assert_eq!(e.at_clock_rate(48_000, 8_000).duration, 800);
    }

    #[test]
    fn the_sender_paces_each_digit_with_three_end_packets() {
        let t0 = Instant::now();
        let mut s = Sender::new(8000);
        assert!(!s.queue(t0, "1x"));
        assert!(s.queue(t0, "12"));
        let mut now = t0;
        let mut packets = Vec::new();
        while let Some(at) = s.poll_timeout() {
            now = now.max(at);
            while let Some(p) = s.poll_packet(now) {
                packets.push((now - t0, p));
            }
        }
        let starts: Vec<_> = packets.iter().filter(|(_, p)| p.new_event).collect();
        assert_eq!(starts.len(), 2);
        assert!(starts.iter().all(|(_, p)| p.marker));
        for code in [1, 2] {
            let ends = packets
                .iter()
                .filter(|(_, p)| p.event.code == code && p.event.end)
                .count();
            assert_eq!(ends, 3, "digit {code}");
        }
        let last = packets.last().unwrap();
        assert_eq!(last.1.event.duration, 800);
        assert!(starts[1].0 >= TONE + GAP);
        let mut r = Receiver::default();
        let mut ts = 0;
        let heard: String = packets
            .iter()
            .filter_map(|(_, p)| {
                ts += u32::from(p.new_event) * 1000;
                r.handle_packet(ts, p.event)
            })
            .collect();
        assert_eq!(heard, "12");
    }
}
