//! Mono audio as an Ogg Opus file (RFC 7845) and back: how announcements keep their full
//! quality beside the telephone copy, and how voicemail is stored. Encoded at 48 kHz in
//! 20 ms packets with opus-rs (a pure-Rust port of the reference libopus), wrapped in Ogg
//! pages by the `ogg` crate. Browsers play the files as they are (`audio/ogg`).

use crate::decode::{AudioError, Pcm};
use crate::resample::resample;
use ogg::{PacketReader, PacketWriteEndInfo, PacketWriter};
use opus_rs::{Application, OpusDecoder, OpusEncoder};
use std::io::Cursor;

/// Opus always runs at 48 kHz towards the Ogg file (RFC 7845 §4).
pub const RATE: u32 = 48_000;
/// Samples per 20 ms packet at 48 kHz.
const PACKET: usize = 960;
/// The encoder's look-ahead at 48 kHz (2.5 ms + 4 ms delay compensation, as libopus), the
/// pre-skip a player drops at the start.
const PRE_SKIP: u16 = 312;
/// Bits per second: clear speech and acceptable music on hold.
const BITRATE: i32 = 32_000;
/// The largest packet a decoder is asked for: 120 ms at 48 kHz.
const MAX_PACKET_SAMPLES: usize = 5_760;
/// The stream's serial number; one stream per file.
const SERIAL: u32 = 0x4457_4f50; // "DWOP"

/// The rates Opus encodes and decodes at directly.
const OPUS_RATES: [u32; 5] = [8_000, 12_000, 16_000, 24_000, 48_000];

/// Encodes mono audio (any rate) as an Ogg Opus file: at its own rate when Opus has it
/// (a telephone recording stays 8 kHz: no upsampling, a sixth of the work and memory),
/// else resampled to 48 kHz.
pub fn to_ogg_opus(pcm: &Pcm) -> Result<Vec<u8>, AudioError> {
    let (rate, samples) = if OPUS_RATES.contains(&pcm.rate) {
        (pcm.rate, std::borrow::Cow::Borrowed(&pcm.samples[..]))
    } else {
        let resampled = resample(&pcm.samples, pcm.rate as usize, RATE as usize);
        (RATE, std::borrow::Cow::Owned(resampled))
    };
    if samples.is_empty() {
        return Err(AudioError::Empty);
    }
    // Granule positions and the pre-skip count at 48 kHz whatever the rate (RFC 7845 §4).
    let factor = (RATE / rate) as usize;
    let packet = rate as usize / 50;
    let lookahead = usize::from(PRE_SKIP) / factor;
    let mut encoder = OpusEncoder::new(rate as i32, 1, Application::Audio)
        .map_err(|e| AudioError::Corrupt(e.to_string()))?;
    encoder.bitrate_bps = if rate <= 8_000 { 16_000 } else { BITRATE };
    // The encoder's own complexity (9), also for 8 kHz: at 2 (a third of the time) SILK
    // mangled steady tones from a telephone line (of 31 A-law pitches from 300 to 900 Hz,
    // nine kept less than 80 % of their power at their pitch, 400 Hz a fifth; bench/
    // voicemail's callers lost them, tests/opus_interop.rs holds it), and a voicemail is
    // kept to be understood.
    let mut writer = PacketWriter::new(Vec::new());
    let written = |e: std::io::Error| AudioError::Corrupt(e.to_string());
    writer
        .write_packet(head(pcm.rate), SERIAL, PacketWriteEndInfo::EndPage, 0)
        .map_err(written)?;
    writer
        .write_packet(tags(), SERIAL, PacketWriteEndInfo::EndPage, 0)
        .map_err(written)?;
    // The encoder delays by the look-ahead: enough packets that every sample comes out;
    // the end granule tells the player where the audio stops (RFC 7845 §4.4).
    let total = samples.len();
    let packets = (total + lookahead).div_ceil(packet);
    let mut frame = vec![0f32; packet];
    let mut out = [0u8; 1_500];
    for n in 0..packets {
        let start = (n * packet).min(total);
        let end = ((n + 1) * packet).min(total);
        frame.fill(0.0);
        frame[..end - start].copy_from_slice(&samples[start..end]);
        let len = encoder
            .encode(&frame, packet, &mut out)
            .map_err(|e| AudioError::Corrupt(e.to_string()))?;
        let last = n + 1 == packets;
        let granule = if last {
            (total * factor + usize::from(PRE_SKIP)) as u64
        } else {
            ((n + 1) * PACKET) as u64
        };
        let end_info = if last {
            PacketWriteEndInfo::EndStream
        } else if (n + 1) % 50 == 0 {
            PacketWriteEndInfo::EndPage // a page a second
        } else {
            PacketWriteEndInfo::NormalPacket
        };
        writer
            .write_packet(out[..len].to_vec(), SERIAL, end_info, granule)
            .map_err(written)?;
    }
    Ok(writer.into_inner())
}

/// The identification header (RFC 7845 §5.1): version 1, mono, pre-skip, the original
/// rate, no gain, channel mapping family 0.
fn head(input_rate: u32) -> Vec<u8> {
    let mut head = b"OpusHead".to_vec();
    head.push(1);
    head.push(1);
    head.extend_from_slice(&PRE_SKIP.to_le_bytes());
    head.extend_from_slice(&input_rate.to_le_bytes());
    head.extend_from_slice(&0i16.to_le_bytes());
    head.push(0);
    head
}

/// The comment header (RFC 7845 §5.2): the vendor, no comments.
fn tags() -> Vec<u8> {
    let vendor = b"Durchwahl (opus-rs)";
    let mut tags = b"OpusTags".to_vec();
    tags.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
    tags.extend_from_slice(vendor);
    tags.extend_from_slice(&0u32.to_le_bytes());
    tags
}

/// Whether `bytes` look like an Ogg Opus file (the first page carries `OpusHead`).
pub fn is_ogg_opus(bytes: &[u8]) -> bool {
    bytes.starts_with(b"OggS") && bytes.len() >= 36 && &bytes[28..36] == b"OpusHead"
}

/// Decodes an Ogg Opus file to mono samples at 48 kHz, refusing more than `max_seconds`.
/// Damaged packets are concealed as players do; a damaged container is refused.
pub fn from_ogg_opus(bytes: &[u8], max_seconds: u32) -> Result<Pcm, AudioError> {
    from_ogg_opus_at(bytes, max_seconds, RATE)
}

/// As [`from_ogg_opus`], decoded at `rate` (8, 12, 16, 24 or 48 kHz; 8 kHz for the
/// telephone: a sixth of the work and memory of 48 kHz).
pub fn from_ogg_opus_at(bytes: &[u8], max_seconds: u32, rate: u32) -> Result<Pcm, AudioError> {
    if !OPUS_RATES.contains(&rate) {
        return Err(AudioError::Unsupported(format!("Opus at {rate} Hz")));
    }
    let factor = (RATE / rate) as usize;
    let corrupt = |e: &dyn std::fmt::Display| AudioError::Corrupt(e.to_string());
    let mut reader = PacketReader::new(Cursor::new(bytes));
    let head = reader
        .read_packet()
        .map_err(|e| AudioError::NotAudio(e.to_string()))?
        .ok_or_else(|| AudioError::NotAudio("no Ogg page".into()))?;
    if !head.data.starts_with(b"OpusHead") || head.data.len() < 19 {
        return Err(AudioError::Unsupported("not Opus".into()));
    }
    let channels = head.data[9];
    if head.data[18] != 0 || !(1..=2).contains(&channels) {
        return Err(AudioError::Unsupported(format!(
            "Opus with {channels} channels in mapping family {}",
            head.data[18]
        )));
    }
    // In 48 kHz units in the file; in samples at `rate` here.
    let pre_skip = usize::from(u16::from_le_bytes([head.data[10], head.data[11]])) / factor;
    let serial = head.stream_serial();
    match reader.read_packet() {
        Ok(Some(p)) if p.data.starts_with(b"OpusTags") => {}
        Ok(_) => return Err(AudioError::Corrupt("no OpusTags header".into())),
        Err(e) => return Err(corrupt(&e)),
    }
    // A mono decoder plays a stereo packet's mid, as libopus does.
    let mut decoder = OpusDecoder::new(rate as i32, 1).map_err(|e| corrupt(&e))?;
    let limit = u64::from(max_seconds) * u64::from(rate) + pre_skip as u64;
    let most = MAX_PACKET_SAMPLES / factor;
    let mut samples: Vec<f32> = Vec::new();
    let mut buffer = vec![0f32; most];
    let mut end_granule = None;
    loop {
        let packet = match reader.read_packet() {
            Ok(Some(packet)) => packet,
            Ok(None) => break,
            Err(e) => return Err(corrupt(&e)),
        };
        if packet.stream_serial() != serial {
            continue;
        }
        let n = decoder
            .decode(&packet.data, most, &mut buffer)
            // A damaged packet is concealed (20 ms), as players do.
            .or_else(|_| decoder.decode(&[], PACKET / factor, &mut buffer))
            .map_err(|e| corrupt(&e))?;
        samples.extend_from_slice(&buffer[..n.min(buffer.len())]);
        if samples.len() as u64 > limit {
            return Err(AudioError::TooLong { max_seconds });
        }
        if packet.last_in_stream() {
            end_granule = Some(packet.absgp_page());
            break;
        }
    }
    // The last page's granule says where the audio ends (RFC 7845 §4.4).
    if let Some(end) = end_granule.and_then(|g| usize::try_from(g).ok()) {
        samples.truncate((end / factor).max(pre_skip));
    }
    let samples = samples.split_off(pre_skip.min(samples.len()));
    if samples.is_empty() {
        return Err(AudioError::Empty);
    }
    Ok(Pcm { rate, samples })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(rate: u32, hz: f32, seconds: f32) -> Pcm {
        let n = (rate as f32 * seconds) as usize;
        Pcm {
            rate,
            samples: (0..n)
                .map(|i| 0.5 * f32::sin(i as f32 * hz * std::f32::consts::TAU / rate as f32))
                .collect(),
        }
    }

    /// The strength of `hz` in `samples` (one Goertzel bin), relative to the signal's power.
    fn share_at(samples: &[f32], rate: u32, hz: f32) -> f32 {
        let w = std::f32::consts::TAU * hz / rate as f32;
        let coeff = 2.0 * w.cos();
        let (mut s1, mut s2) = (0f32, 0f32);
        for &x in samples {
            let s = x + coeff * s1 - s2;
            s2 = s1;
            s1 = s;
        }
        let bin = s1 * s1 + s2 * s2 - coeff * s1 * s2;
        let power: f32 = samples.iter().map(|x| x * x).sum();
        bin / (power * samples.len() as f32 / 2.0)
    }

    #[test]
    fn a_tone_comes_back_as_the_same_tone_and_the_same_length() {
        let pcm = tone(44_100, 1_000.0, 1.5);
        let file = to_ogg_opus(&pcm).unwrap();
        assert!(is_ogg_opus(&file));
        // 32 kbit/s for 1.5 s, plus headers: far smaller than the 16-bit original.
        assert!(file.len() < 9_000, "{} bytes", file.len());
        let back = from_ogg_opus(&file, 10).unwrap();
        assert_eq!(back.rate, 48_000);
        assert_eq!(back.samples.len(), 72_000, "exactly 1.5 s at 48 kHz");
        let middle = &back.samples[12_000..60_000];
        assert!(
            share_at(middle, 48_000, 1_000.0) > 0.9,
            "the 1 kHz tone carries the signal"
        );
        assert!(share_at(middle, 48_000, 1_500.0) < 0.01, "and no other");
    }

    #[test]
    fn random_packets_are_refused_or_played_never_a_panic() {
        // What a network or a damaged file may bring (200,000 passed once in release).
        let mut seed = 0x1234_5678_u32;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        let mut decoder = OpusDecoder::new(RATE as i32, 1).unwrap();
        let mut out = vec![0f32; MAX_PACKET_SAMPLES];
        for _ in 0..3_000 {
            let len = (next() % 200) as usize + 2;
            let packet: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if let Ok(n) = decoder.decode(&packet, MAX_PACKET_SAMPLES, &mut out) {
                assert!(n <= MAX_PACKET_SAMPLES);
            }
        }
    }

    #[test]
    fn a_telephone_recording_stays_at_8_khz_both_ways() {
        let pcm = tone(8_000, 500.0, 2.0);
        let file = to_ogg_opus(&pcm).unwrap();
        // 16 kbit/s for 2 s, plus headers.
        assert!(file.len() < 6_000, "{} bytes", file.len());
        let phone = from_ogg_opus_at(&file, 10, 8_000).unwrap();
        assert_eq!((phone.rate, phone.samples.len()), (8_000, 16_000));
        assert!(share_at(&phone.samples[4_000..12_000], 8_000, 500.0) > 0.9);
        // Players read it at 48 kHz, the same two seconds.
        let full = from_ogg_opus(&file, 10).unwrap();
        assert_eq!(full.samples.len(), 96_000);
        assert!(from_ogg_opus_at(&file, 10, 44_100).is_err());
    }

    #[test]
    fn limits_and_damage_are_refused() {
        let file = to_ogg_opus(&tone(16_000, 440.0, 3.0)).unwrap();
        assert_eq!(
            from_ogg_opus(&file, 2),
            Err(AudioError::TooLong { max_seconds: 2 })
        );
        assert!(matches!(
            from_ogg_opus(b"OggS but nothing else", 10),
            Err(AudioError::NotAudio(_) | AudioError::Corrupt(_))
        ));
        assert!(!is_ogg_opus(b"RIFF....WAVE"));
        // A flipped byte in the audio breaks the page's checksum: refused, not played.
        let mut damaged = file.clone();
        let at = damaged.len() - 100;
        damaged[at] ^= 0xff;
        assert!(from_ogg_opus(&damaged, 10).is_err());
    }
}
