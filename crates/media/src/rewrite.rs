//! What a leg sends is one continuous RTP stream, whatever arrives from the other side:
//! its own SSRC, sequence numbers that go up by one, timestamps that keep time. When the
//! source changes (a re-INVITE, a transfer, a phone that restarts its stream) the new
//! source's numbers are mapped so that the stream continues; the marker bit tells the
//! receiver's jitter buffer that a new talk spurt begins.

use std::time::Instant;

/// The input stream currently being mapped.
#[derive(Debug, Clone, Copy)]
struct Source {
    ssrc: u32,
    /// Added (wrapping) to the source's sequence number.
    sequence_offset: u16,
    /// Added (wrapping) to the source's timestamp.
    timestamp_offset: u32,
}

/// Maps one or more input streams onto one output stream.
#[derive(Debug, Clone)]
pub struct Rewriter {
    ssrc: u32,
    source: Option<Source>,
    /// The last sequence number, timestamp and time sent.
    last: Option<(u16, u32, Instant)>,
}

/// The numbers of one output packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mapped {
    /// The sequence number.
    pub sequence: u16,
    /// The timestamp.
    pub timestamp: u32,
    /// Whether the marker bit must be set (a new source begins).
    pub marker: bool,
}

impl Rewriter {
    /// A stream sent as `ssrc`, starting at random numbers chosen by the caller.
    pub fn new(ssrc: u32) -> Rewriter {
        Rewriter {
            ssrc,
            source: None,
            last: None,
        }
    }

    /// The SSRC the stream is sent as.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// Maps a packet of source `ssrc` with `sequence` and `timestamp` (at `clock_rate`)
    /// arriving at `now`.
    pub fn map(
        &mut self,
        now: Instant,
        ssrc: u32,
        sequence: u16,
        timestamp: u32,
        clock_rate: u32,
    ) -> Mapped {
        let mut marker = false;
        let source = match self.source {
            Some(s) if s.ssrc == ssrc => s,
            _ => {
                marker = true;
                let (next_sequence, next_timestamp) = match self.last {
                    // Continue where the last source stopped, with the time that has
                    // passed in between (at least one 20 ms frame).
                    Some((seq, ts, at)) => {
                        let elapsed = now.saturating_duration_since(at);
                        let samples = (elapsed.as_micros() as u64 * u64::from(clock_rate)
                            / 1_000_000)
                            .max(u64::from(clock_rate / 50));
                        (seq.wrapping_add(1), ts.wrapping_add(samples as u32))
                    }
                    // The first source: keep its numbers unless told otherwise.
                    None => (sequence, timestamp),
                };
                let s = Source {
                    ssrc,
                    sequence_offset: next_sequence.wrapping_sub(sequence),
                    timestamp_offset: next_timestamp.wrapping_sub(timestamp),
                };
                self.source = Some(s);
                s
            }
        };
        let out = Mapped {
            sequence: sequence.wrapping_add(source.sequence_offset),
            timestamp: timestamp.wrapping_add(source.timestamp_offset),
            marker,
        };
        // Only a newer packet moves the reference (a late one keeps its mapping).
        let newer = match self.last {
            Some((seq, _, _)) => (out.sequence.wrapping_sub(seq) as i16) > 0,
            None => true,
        };
        if newer {
            self.last = Some((out.sequence, out.timestamp, now));
        }
        out
    }

    /// The next numbers for a packet the relay makes itself (a telephone-event it
    /// generates): the timestamp moves on with the time passed since the last packet,
    /// or stays (`same_timestamp`: the next packet of the same event, RFC 4733).
    pub fn next_own(&mut self, now: Instant, clock_rate: u32, same_timestamp: bool) -> (u16, u32) {
        let (sequence, timestamp) = match self.last {
            Some((seq, ts, at)) => {
                let samples = if same_timestamp {
                    0
                } else {
                    let elapsed = now.saturating_duration_since(at);
                    (elapsed.as_micros() as u64 * u64::from(clock_rate) / 1_000_000).max(1) as u32
                };
                (seq.wrapping_add(1), ts.wrapping_add(samples))
            }
            None => (self.ssrc as u16 & 0x7fff, self.ssrc.rotate_left(7)),
        };
        self.last = Some((sequence, timestamp, now));
        // The next packet of a source continues from here.
        self.source = None;
        (sequence, timestamp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn one_source_keeps_its_numbers_and_gets_no_marker_after_the_first() {
        let t0 = Instant::now();
        let mut r = Rewriter::new(7);
        assert!(r.map(t0, 1, 100, 1000, 8000).marker);
        let m = r.map(t0 + Duration::from_millis(20), 1, 101, 1160, 8000);
        assert_eq!(
            m,
            Mapped {
                sequence: 101,
                timestamp: 1160,
                marker: false
            }
        );
    }

    #[test]
    fn a_new_source_continues_the_stream_with_a_marker() {
        let t0 = Instant::now();
        let mut r = Rewriter::new(7);
        r.map(t0, 1, 100, 1000, 8000);
        r.map(t0 + Duration::from_millis(20), 1, 101, 1160, 8000);
        // A re-INVITE: a new SSRC with unrelated numbers, 1 s later.
        let m = r.map(t0 + Duration::from_millis(1020), 2, 40_000, 77, 8000);
        assert_eq!(
            m,
            Mapped {
                sequence: 102,
                timestamp: 1160 + 8000,
                marker: true
            }
        );
        let m = r.map(t0 + Duration::from_millis(1040), 2, 40_001, 237, 8000);
        assert_eq!(
            m,
            Mapped {
                sequence: 103,
                timestamp: 1160 + 8160,
                marker: false
            }
        );
    }

    #[test]
    fn numbers_wrap_around() {
        let t0 = Instant::now();
        let mut r = Rewriter::new(7);
        r.map(t0, 1, 65_535, u32::MAX, 8000);
        let m = r.map(t0, 1, 0, 159, 8000);
        assert_eq!((m.sequence, m.timestamp), (0, 159));
    }

    #[test]
    fn a_late_packet_keeps_its_place() {
        let t0 = Instant::now();
        let mut r = Rewriter::new(7);
        r.map(t0, 1, 10, 0, 8000);
        r.map(t0, 1, 12, 320, 8000);
        assert_eq!(r.map(t0, 1, 11, 160, 8000).sequence, 11);
        assert_eq!(r.next_own(t0, 8000, true), (13, 320));
    }
}
