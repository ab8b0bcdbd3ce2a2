//! What a leg says, kept as 8 kHz samples for a voicemail: G.711 decoded, Opus decoded
//! (see [`crate::opus_voice`]); gaps in the RTP timestamps (lost packets, a phone that
//! stops sending in silence) become silence, so the recording keeps its real length;
//! late and repeated packets are dropped. It stops taking audio at its limit.

use crate::codec::Codec;
use crate::opus_voice::{g711_to_linear, OpusEar};

/// The longest gap filled with silence (2 s at 8 kHz); a longer jump is a new timeline.
const MAX_GAP: usize = 16_000;

/// A recording under way.
#[derive(Debug)]
pub struct Recorder {
    samples: Vec<i16>,
    max: usize,
    /// The RTP timestamp the next packet should carry, in the codec's clock.
    next_timestamp: Option<u32>,
    ear: Option<Box<OpusEar>>,
}

impl Recorder {
    /// A recording of at most `max_samples` (8 kHz).
    pub fn new(max_samples: usize) -> Recorder {
        Recorder {
            samples: Vec::with_capacity(max_samples.min(8_000 * 60)),
            max: max_samples,
            next_timestamp: None,
            ear: None,
        }
    }

    /// Takes one packet's audio; `true` when the recording just became full.
    pub fn push(&mut self, codec: Codec, timestamp: u32, payload: &[u8]) -> bool {
        if self.is_full() || payload.is_empty() {
            return false;
        }
        // Samples of 8 kHz per tick of the codec's clock: 1 (G.711) or 1/6 (Opus).
        let divisor = codec.clock_rate() / 8_000;
        if let Some(expected) = self.next_timestamp {
            let ahead = timestamp.wrapping_sub(expected) as i32;
            let reach = (MAX_GAP as u32 * divisor) as i32;
            if (-reach..0).contains(&ahead) {
                return false; // late or repeated
            }
            // A gap of up to 2 s is silence; a jump further, either way (a new timestamp
            // base after a re-INVITE or a new source), is a new timeline.
            if (0..=reach).contains(&ahead) {
                let gap = (ahead as u32 / divisor) as usize;
                let room = self.max - self.samples.len();
                self.samples.extend(std::iter::repeat_n(0, gap.min(room)));
            }
        }
        let before = self.samples.len();
        match codec {
            Codec::Pcma | Codec::Pcmu => {
                let start = self.samples.len();
                self.samples.resize(start + payload.len(), 0);
                g711_to_linear(codec, payload, &mut self.samples[start..]);
            }
            Codec::Opus => {
                if self.ear.is_none() {
                    self.ear = OpusEar::new().map(Box::new);
                }
                if let Some(ear) = self.ear.as_mut() {
                    ear.decode(payload, &mut self.samples);
                }
            }
        }
        let taken = (self.samples.len() - before) as u32;
        self.next_timestamp = Some(timestamp.wrapping_add(taken * divisor));
        self.samples.truncate(self.max);
        self.is_full()
    }

    /// Whether the limit is reached.
    pub fn is_full(&self) -> bool {
        self.samples.len() >= self.max
    }

    /// The samples so far.
    pub fn samples(&self) -> &[i16] {
        &self.samples
    }

    /// The recording.
    pub fn into_samples(self) -> Vec<i16> {
        self.samples
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::linear_to_alaw;

    fn frame(level: i16) -> Vec<u8> {
        vec![linear_to_alaw(level); 160]
    }

    #[test]
    fn lost_packets_become_silence_and_late_ones_are_dropped() {
        let mut r = Recorder::new(8_000);
        r.push(Codec::Pcma, 1_000, &frame(1_000));
        // The packet at 1160 was lost: 160 samples of silence, then this one.
        r.push(Codec::Pcma, 1_320, &frame(2_000));
        assert_eq!(r.samples().len(), 480);
        assert!(r.samples()[160..320].iter().all(|&s| s == 0));
        assert!(r.samples()[320..]
            .iter()
            .all(|&s| (1_900..2_100).contains(&s)));
        // The lost one arrives late: dropped, the length stays.
        r.push(Codec::Pcma, 1_160, &frame(3_000));
        assert_eq!(r.samples().len(), 480);
    }

    #[test]
    fn it_stops_at_its_limit() {
        let mut r = Recorder::new(400);
        assert!(!r.push(Codec::Pcmu, 0, &[0xff; 160]));
        assert!(!r.push(Codec::Pcmu, 160, &[0xff; 160]));
        assert!(r.push(Codec::Pcmu, 320, &[0xff; 160]), "full now");
        assert!(!r.push(Codec::Pcmu, 480, &[0xff; 160]), "once");
        assert_eq!(r.into_samples().len(), 400);
    }

    #[test]
    fn a_jump_of_the_timeline_is_not_filled() {
        let mut r = Recorder::new(80_000);
        r.push(Codec::Pcma, 0, &frame(100));
        r.push(Codec::Pcma, 1_000_000, &frame(100));
        assert_eq!(r.samples().len(), 320);
        // A new, lower timestamp base (a re-INVITE, another source): recorded on.
        r.push(Codec::Pcma, 5_000, &frame(100));
        r.push(Codec::Pcma, 5_160, &frame(100));
        assert_eq!(r.samples().len(), 640);
    }
}
