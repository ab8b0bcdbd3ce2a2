//! The audio codecs a leg can carry, and what is needed to relay between two legs:
//! G.711 A-law (PCMA) first, µ-law (PCMU), Opus between browsers, and RFC 4733
//! telephone-events beside each of them.

/// An audio codec (RFC 3551 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// G.711 A-law, 8 kHz: the European default, offered first.
    Pcma,
    /// G.711 µ-law, 8 kHz.
    Pcmu,
    /// Opus, 48 kHz RTP clock: between browsers only, never decoded.
    Opus,
}

impl Codec {
    /// The RTP clock rate.
    pub fn clock_rate(self) -> u32 {
        match self {
            Codec::Pcma | Codec::Pcmu => 8_000,
            Codec::Opus => 48_000,
        }
    }

    /// The static payload type, if the codec has one (RFC 3551 §6).
    pub fn static_payload_type(self) -> Option<u8> {
        match self {
            Codec::Pcmu => Some(0),
            Codec::Pcma => Some(8),
            Codec::Opus => None,
        }
    }

    /// The encoding name in `a=rtpmap`.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Pcma => "PCMA",
            Codec::Pcmu => "PCMU",
            Codec::Opus => "opus",
        }
    }

    /// The codec an `a=rtpmap` encoding name and clock rate stand for.
    pub fn from_rtpmap(name: &str, clock_rate: u32) -> Option<Codec> {
        match (name.to_ascii_lowercase().as_str(), clock_rate) {
            ("pcma", 8_000) => Some(Codec::Pcma),
            ("pcmu", 8_000) => Some(Codec::Pcmu),
            ("opus", 48_000) => Some(Codec::Opus),
            _ => None,
        }
    }

    /// Whether payloads of `self` can be relayed to a leg that speaks `to`: the same
    /// codec, or the other G.711 law (a table lookup per byte, no decoding).
    pub fn relays_to(self, to: Codec) -> bool {
        self == to || (self.is_g711() && to.is_g711())
    }

    fn is_g711(self) -> bool {
        matches!(self, Codec::Pcma | Codec::Pcmu)
    }
}

/// What one leg negotiated: the codec with its payload type, and the payload type of
/// its telephone-events (if the other side offered them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Negotiated {
    /// The voice codec.
    pub codec: Codec,
    /// Its payload type on this leg.
    pub payload_type: u8,
    /// The payload type of telephone-events on this leg, at the codec's clock rate.
    pub events: Option<u8>,
}

/// Converts G.711 payloads between the laws in place (ITU-T G.711 tables, computed).
pub fn convert_g711(from: Codec, to: Codec, payload: &mut [u8]) {
    match (from, to) {
        (Codec::Pcma, Codec::Pcmu) => payload.iter_mut().for_each(|b| *b = alaw_to_ulaw(*b)),
        (Codec::Pcmu, Codec::Pcma) => payload.iter_mut().for_each(|b| *b = ulaw_to_alaw(*b)),
        _ => {}
    }
}

/// A-law byte to linear 16-bit sample.
pub fn alaw_to_linear(a: u8) -> i16 {
    let a = a ^ 0x55;
    let exponent = (a >> 4) & 0x07;
    let mantissa = i32::from(a & 0x0f);
    let magnitude = if exponent == 0 {
        (mantissa << 4) + 8
    } else {
        ((mantissa << 4) + 0x108) << (exponent - 1)
    };
    (if a & 0x80 != 0 { magnitude } else { -magnitude }) as i16
}

/// µ-law byte to linear 16-bit sample.
pub fn ulaw_to_linear(u: u8) -> i16 {
    let u = !u;
    let exponent = (u >> 4) & 0x07;
    let mantissa = i32::from(u & 0x0f);
    let magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84;
    (if u & 0x80 != 0 { -magnitude } else { magnitude }) as i16
}

/// Linear 16-bit sample to A-law.
pub fn linear_to_alaw(sample: i16) -> u8 {
    let (sign, magnitude) = if sample >= 0 {
        (0x80u8, i32::from(sample))
    } else {
        (0x00u8, -i32::from(sample) - 1)
    };
    let magnitude = magnitude.min(0x7fff);
    let (exponent, mantissa) = if magnitude < 0x100 {
        (0u8, (magnitude >> 4) as u8)
    } else {
        let exponent = (31 - (magnitude as u32).leading_zeros() - 7) as u8;
        (exponent, ((magnitude >> (exponent + 3)) & 0x0f) as u8)
    };
    (sign | (exponent << 4) | mantissa) ^ 0x55
}

/// Linear 16-bit sample to µ-law.
pub fn linear_to_ulaw(sample: i16) -> u8 {
    const BIAS: i32 = 0x84;
    let (sign, magnitude) = if sample < 0 {
        (0x80u8, -i32::from(sample))
    } else {
        (0x00u8, i32::from(sample))
    };
    let magnitude = (magnitude + BIAS).min(0x7fff);
    let exponent = (31 - (magnitude as u32).leading_zeros() - 7) as u8;
    let mantissa = ((magnitude >> (exponent + 3)) & 0x0f) as u8;
    !(sign | (exponent << 4) | mantissa)
}

fn alaw_to_ulaw(a: u8) -> u8 {
    linear_to_ulaw(alaw_to_linear(a))
}

fn ulaw_to_alaw(u: u8) -> u8 {
    linear_to_alaw(ulaw_to_linear(u))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alaw_byte_survives_a_round_trip_through_linear() {
        for a in 0..=255u8 {
            assert_eq!(linear_to_alaw(alaw_to_linear(a)), a, "A-law byte {a:#04x}");
        }
    }

    #[test]
    fn every_ulaw_byte_survives_a_round_trip_through_linear() {
        for u in 0..=255u8 {
            let back = linear_to_ulaw(ulaw_to_linear(u));
            // 0x7f and 0xff are both zero; µ-law has two encodings of silence.
            assert!(
                back == u || ulaw_to_linear(back) == ulaw_to_linear(u),
                "{u:#04x}"
            );
        }
    }

    #[test]
    fn converting_between_the_laws_keeps_the_sample_close() {
        for a in 0..=255u8 {
            let mut payload = [a];
            convert_g711(Codec::Pcma, Codec::Pcmu, &mut payload);
            let (before, after) = (alaw_to_linear(a), ulaw_to_linear(payload[0]));
            let error = (i32::from(before) - i32::from(after)).abs();
            assert!(
                error <= i32::from(before).abs() / 8 + 16,
                "{a:#04x}: {before} → {after}"
            );
        }
    }

    #[test]
    fn opus_relays_only_to_opus() {
        assert!(Codec::Opus.relays_to(Codec::Opus));
        assert!(!Codec::Opus.relays_to(Codec::Pcma));
        assert!(Codec::Pcma.relays_to(Codec::Pcmu));
    }
}
