//! Opus speed, ours (opus-rs) against the anchor (libopus), on one machine in one run:
//! encoding (what voicemail, announcements and meeting phone legs do) and decoding (what
//! the meeting mixer does for every browser it hears), in seconds of audio per second of
//! one core's time, and the ratio ours / libopus. The audio is 60 s of a synthetic voice
//! (a gliding, syllable-gated harmonic tone with some noise), mono, 48 kHz, 20 ms frames.

use std::time::Instant;

const RATE: usize = 48_000;
const SECONDS: usize = 60;

fn voice() -> Vec<f32> {
    let mut seed = 0x2545_f491_u32;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed as f32 / u32::MAX as f32 - 0.5
    };
    let mut phase = 0f32;
    (0..RATE * SECONDS)
        .map(|i| {
            let t = i as f32 / RATE as f32;
            let pitch = 140.0 + 40.0 * (t * 0.7).sin();
            phase += std::f32::consts::TAU * pitch / RATE as f32;
            let syllable = ((t * 4.0).sin()).max(0.0);
            let harmonics: f32 = (1..8).map(|k| (phase * k as f32).sin() / k as f32).sum();
            0.25 * syllable * harmonics + 0.01 * noise()
        })
        .collect()
}

struct Figure {
    name: &'static str,
    ours: f64,
    libopus: f64,
}

fn realtime(audio_seconds: usize, started: Instant) -> f64 {
    audio_seconds as f64 / started.elapsed().as_secs_f64()
}

fn encode_ours(pcm: &[f32], rate: usize, app: opus_rs::Application, bitrate: i32) -> (f64, Vec<Vec<u8>>) {
    let frame_len = rate / 50;
    let mut enc = opus_rs::OpusEncoder::new(rate as i32, 1, app).unwrap();
    enc.bitrate_bps = bitrate;
    enc.complexity = 10;
    let mut out = [0u8; 1500];
    let mut packets = Vec::new();
    let started = Instant::now();
    for frame in pcm.chunks_exact(frame_len) {
        let n = enc.encode(frame, frame_len, &mut out).unwrap();
        packets.push(out[..n].to_vec());
    }
    (realtime(SECONDS, started), packets)
}

fn encode_libopus(pcm: &[f32], rate: usize, app: opus::Application, bitrate: i32) -> (f64, Vec<Vec<u8>>) {
    let frame_len = rate / 50;
    let mut enc = opus::Encoder::new(rate as u32, opus::Channels::Mono, app).unwrap();
    enc.set_bitrate(opus::Bitrate::Bits(bitrate)).unwrap();
    let mut out = [0u8; 1500];
    let mut packets = Vec::new();
    let started = Instant::now();
    for frame in pcm.chunks_exact(frame_len) {
        let n = enc.encode_float(frame, &mut out).unwrap();
        packets.push(out[..n].to_vec());
    }
    (realtime(SECONDS, started), packets)
}

fn decode_ours(packets: &[Vec<u8>]) -> f64 {
    let mut dec = opus_rs::OpusDecoder::new(RATE as i32, 1).unwrap();
    let mut pcm = vec![0f32; 5760];
    let started = Instant::now();
    for p in packets {
        dec.decode(p, 5760, &mut pcm).unwrap();
    }
    realtime(SECONDS, started)
}

fn decode_libopus(packets: &[Vec<u8>]) -> f64 {
    let mut dec = opus::Decoder::new(RATE as u32, opus::Channels::Mono).unwrap();
    let mut pcm = vec![0f32; 5760];
    let started = Instant::now();
    for p in packets {
        dec.decode_float(p, &mut pcm, false).unwrap();
    }
    realtime(SECONDS, started)
}

/// The best of three runs, so a busy moment of the machine does not decide.
fn best(mut run: impl FnMut() -> f64) -> f64 {
    (0..3).map(|_| run()).fold(0.0, f64::max)
}

fn main() {
    let pcm = voice();
    // A phone leg carries 8 kHz audio: it is encoded at 16 kHz (wideband is all it holds).
    let phone: Vec<f32> = pcm.iter().step_by(3).copied().collect();
    let mut figures = Vec::new();
    for (name, input, rate, ours_app, their_app, bitrate) in [
        ("encode 48 kHz audio 32 kbit/s (stored recordings)", &pcm, RATE, opus_rs::Application::Audio, opus::Application::Audio, 32_000),
        ("encode 16 kHz voip 24 kbit/s (phone legs to browsers)", &phone, 16_000, opus_rs::Application::Voip, opus::Application::Voip, 24_000),
    ] {
        figures.push(Figure {
            name,
            ours: best(|| encode_ours(input, rate, ours_app, bitrate).0),
            libopus: best(|| encode_libopus(input, rate, their_app, bitrate).0),
        });
    }
    // Decoding the same packets, written by libopus as a browser would send them.
    let (_, packets) = encode_libopus(&pcm, RATE, opus::Application::Voip, 32_000);
    figures.push(Figure {
        name: "decode 48 kHz voip 32 kbit/s (browsers into the mixer)",
        ours: best(|| decode_ours(&packets)),
        libopus: best(|| decode_libopus(&packets)),
    });
    println!("| step | opus-rs (x real time) | libopus (x real time) | ratio |");
    println!("|---|---:|---:|---:|");
    for f in &figures {
        println!("| {} | {:.0} | {:.0} | {:.2} |", f.name, f.ours, f.libopus, f.ours / f.libopus);
    }
}
