//! Speech in Opus for a browser leg that speaks it: the engine's own audio (a prompt, a
//! voicemail greeting) is 8 kHz G.711; a browser on Opus gets it encoded here, and what a
//! browser on Opus says is decoded here to 8 kHz for a recording. Narrowband is all the
//! source holds, so the encoder runs at 8 kHz (the RTP clock of Opus stays 48 kHz).

use crate::codec::{alaw_to_linear, ulaw_to_linear, Codec};
use opus_rs::{Application, OpusDecoder, OpusEncoder};

/// Samples of 20 ms at 8 kHz.
pub const SAMPLES: usize = 160;
/// The most samples one Opus packet can hold at 8 kHz (120 ms).
pub const MAX_PACKET_SAMPLES: usize = 960;

/// 20 ms of G.711 (`law`) as linear samples.
pub fn g711_to_linear(law: Codec, payload: &[u8], out: &mut [i16]) {
    let decode: fn(u8) -> i16 = match law {
        Codec::Pcmu => ulaw_to_linear,
        _ => alaw_to_linear,
    };
    for (s, &b) in out.iter_mut().zip(payload) {
        *s = decode(b);
    }
}

/// An Opus encoder for one leg's own audio.
pub struct OpusVoice {
    encoder: OpusEncoder,
}

impl std::fmt::Debug for OpusVoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OpusVoice")
    }
}

impl OpusVoice {
    /// An encoder at 8 kHz for speech (None only if opus-rs refused the fixed settings).
    pub fn new() -> Option<OpusVoice> {
        let mut encoder = OpusEncoder::new(8_000, 1, Application::Voip).ok()?;
        encoder.bitrate_bps = 16_000;
        Some(OpusVoice { encoder })
    }

    /// 20 ms of G.711 (`law`) as one Opus packet.
    pub fn encode(&mut self, law: Codec, payload: &[u8]) -> Option<Vec<u8>> {
        let mut samples = [0i16; SAMPLES];
        g711_to_linear(law, payload, &mut samples);
        let mut out = [0u8; 400];
        let n = self.encoder.encode_i16(&samples, SAMPLES, &mut out).ok()?;
        Some(out[..n].to_vec())
    }
}

/// An Opus decoder to 8 kHz for one leg's incoming audio.
pub struct OpusEar {
    decoder: OpusDecoder,
    pcm: Vec<f32>,
}

impl std::fmt::Debug for OpusEar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OpusEar")
    }
}

impl OpusEar {
    /// A decoder to 8 kHz mono.
    pub fn new() -> Option<OpusEar> {
        Some(OpusEar {
            decoder: OpusDecoder::new(8_000, 1).ok()?,
            pcm: vec![0.0; MAX_PACKET_SAMPLES],
        })
    }

    /// Decodes one packet (a damaged one is concealed as 20 ms) and appends the samples.
    pub fn decode(&mut self, packet: &[u8], out: &mut Vec<i16>) {
        let n = self
            .decoder
            .decode(packet, MAX_PACKET_SAMPLES, &mut self.pcm)
            .or_else(|_| self.decoder.decode(&[], SAMPLES, &mut self.pcm))
            .unwrap_or(0);
        out.extend(
            self.pcm[..n.min(self.pcm.len())]
                .iter()
                .map(|s| (s.clamp(-1.0, 1.0) * f32::from(i16::MAX)) as i16),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::linear_to_alaw;

    #[test]
    fn a_tone_in_g711_goes_through_opus_and_comes_back() {
        let mut voice = OpusVoice::new().unwrap();
        let mut ear = OpusEar::new().unwrap();
        let mut back = Vec::new();
        for f in 0..50 {
            let frame: Vec<u8> = (0..SAMPLES)
                .map(|i| {
                    let t = (f * SAMPLES + i) as f32 / 8_000.0;
                    linear_to_alaw((f32::sin(t * 500.0 * std::f32::consts::TAU) * 8_000.0) as i16)
                })
                .collect();
            let packet = voice.encode(Codec::Pcma, &frame).unwrap();
            assert!(
                packet.len() < 80,
                "16 kbit/s: about 40 bytes, not {}",
                packet.len()
            );
            ear.decode(&packet, &mut back);
        }
        assert_eq!(back.len(), 50 * SAMPLES);
        let loud = back[2_000..]
            .iter()
            .map(|s| i32::from(s.unsigned_abs()))
            .max();
        assert!(loud.unwrap() > 4_000, "the tone is heard: {loud:?}");
        let mut damaged = Vec::new();
        ear.decode(&[0xff, 0xff, 0xff], &mut damaged);
        assert!(damaged.len() <= MAX_PACKET_SAMPLES);
    }

    #[test]
    fn what_a_hostile_browser_sends_is_decoded_or_concealed_never_a_panic() {
        let mut ear = OpusEar::new().unwrap();
        let mut seed = 0x9e37_79b9_u32;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        for _ in 0..3_000 {
            let len = (next() % 300) as usize;
            let packet: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let mut out = Vec::new();
            ear.decode(&packet, &mut out);
            assert!(out.len() <= MAX_PACKET_SAMPLES);
        }
    }
}
