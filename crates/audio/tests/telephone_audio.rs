//! Sound files to telephone audio, checked by ear: a tone goes in, the same tone comes
//! out at 8 kHz; a tone above the telephone band does not fold back into it.

use audio::{decode, frames, to_8khz, AudioError, FRAME_SAMPLES};
use media::codec::{alaw_to_linear, Codec};

/// A 16-bit PCM WAV file of `seconds` of a `hz` tone at `rate`, in `channels`.
fn wav(rate: u32, channels: u16, hz: f32, seconds: f32) -> Vec<u8> {
    let frames = (rate as f32 * seconds) as u32;
    let data_len = frames * u32::from(channels) * 2;
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * u32::from(channels) * 2).to_le_bytes());
    out.extend_from_slice(&(channels * 2).to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for n in 0..frames {
        let t = n as f32 / rate as f32;
        let s = ((2.0 * std::f32::consts::PI * hz * t).sin() * 0.5 * 32767.0) as i16;
        for _ in 0..channels {
            out.extend_from_slice(&s.to_le_bytes());
        }
    }
    out
}

/// The strength of `hz` in 8 kHz samples (Goertzel), relative to the signal's power.
fn strength(samples: &[i16], hz: f64) -> f64 {
    let k = 2.0 * (2.0 * std::f64::consts::PI * hz / 8000.0).cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    let mut power = 0.0;
    for &x in samples {
        let x = f64::from(x);
        power += x * x;
        let s = x + k * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    let tone = s1 * s1 + s2 * s2 - k * s1 * s2;
    tone / (power * samples.len() as f64 / 2.0).max(1.0)
}

#[test]
fn a_cd_quality_stereo_tone_arrives_as_the_same_tone_at_8_khz() {
    let pcm = decode(wav(44_100, 2, 1_000.0, 2.0), Some("wav"), 60).unwrap();
    assert_eq!(pcm.rate, 44_100);
    assert_eq!(pcm.duration_ms(), 2_000);
    let phone = to_8khz(&pcm);
    assert!((15_900..=16_100).contains(&phone.len()), "{}", phone.len());
    let middle = &phone[2_000..14_000];
    assert!(
        strength(middle, 1_000.0) > 0.9,
        "{}",
        strength(middle, 1_000.0)
    );
    assert!(strength(middle, 1_600.0) < 0.01);
    let peak = middle.iter().map(|s| s.unsigned_abs()).max().unwrap();
    assert!(
        (14_000..=18_500).contains(&peak),
        "the level is kept: {peak}"
    );
}

#[test]
fn a_tone_above_the_telephone_band_does_not_fold_back() {
    // 6 kHz at 48 kHz would alias to 2 kHz at 8 kHz without the low-pass.
    let pcm = decode(wav(48_000, 1, 6_000.0, 1.0), None, 60).unwrap();
    let phone = to_8khz(&pcm);
    let rms =
        (phone.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / phone.len() as f64).sqrt();
    assert!(rms < 300.0, "aliased energy: rms {rms}");
}

#[test]
fn frames_are_20_ms_of_g711_with_silence_at_the_end() {
    let samples: Vec<i16> = (0..400)
        .map(|i| if i % 2 == 0 { 8_000 } else { -8_000 })
        .collect();
    let framed = frames(&samples, Codec::Pcma);
    assert_eq!(framed.len(), 3);
    assert_eq!(framed[0].len(), FRAME_SAMPLES);
    let back = alaw_to_linear(framed[0][0]);
    assert!((7_800..=8_200).contains(&back), "{back}");
    assert_eq!(framed[2][80], 0xD5, "A-law silence after the last sample");
    assert_eq!(frames(&samples, Codec::Pcmu)[2][80], 0xFF, "µ-law silence");
}

#[test]
fn bad_uploads_get_a_clear_error() {
    let not_audio = decode(b"%PDF-1.7 not a sound".to_vec(), Some("mp3"), 60);
    assert!(
        matches!(not_audio, Err(AudioError::NotAudio(_))),
        "{not_audio:?}"
    );
    let long = decode(wav(8_000, 1, 440.0, 3.0), None, 2);
    assert_eq!(long, Err(AudioError::TooLong { max_seconds: 2 }));
    let mut cut = wav(8_000, 1, 440.0, 1.0);
    cut.truncate(30);
    assert!(decode(cut, None, 60).is_err(), "a truncated header");
    let silent = decode(wav(8_000, 1, 440.0, 0.0), None, 60);
    assert_eq!(silent, Err(AudioError::Empty));
    // Two seconds of digital silence: nothing to hear either.
    let mut quiet = wav(8_000, 1, 440.0, 2.0);
    let header = 44;
    quiet[header..].fill(0);
    assert_eq!(decode(quiet, Some("wav"), 60), Err(AudioError::Empty));
}

/// `wav` encoded by a reference encoder (`oggenc` or `lame`, which `scripts/test` installs).
fn encoded(tool: &str, wav: &[u8], extension: &str) -> Vec<u8> {
    let dir = std::env::temp_dir().join(format!("audio-test-{}-{tool}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("tone.wav");
    let output = dir.join(format!("tone.{extension}"));
    std::fs::write(&input, wav).unwrap();
    let status = match tool {
        "oggenc" => std::process::Command::new("oggenc")
            .args(["--quiet", "-o"])
            .arg(&output)
            .arg(&input)
            .status(),
        _ => std::process::Command::new("lame")
            .args(["--quiet", "-b", "128"])
            .arg(&input)
            .arg(&output)
            .status(),
    }
    .unwrap_or_else(|e| panic!("{tool} must be installed (scripts/test installs it): {e}"));
    assert!(status.success(), "{tool} failed");
    let bytes = std::fs::read(&output).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    bytes
}

#[test]
fn ogg_vorbis_and_mp3_uploads_decode_to_the_same_tone() {
    let source = wav(44_100, 2, 1_000.0, 2.0);
    for (tool, extension) in [("oggenc", "ogg"), ("lame", "mp3")] {
        let pcm = decode(encoded(tool, &source, extension), Some(extension), 60).unwrap();
        let ms = pcm.duration_ms();
        assert!((1_950..=2_100).contains(&ms), "{extension}: {ms} ms");
        let phone = to_8khz(&pcm);
        let middle = &phone[2_000..12_000];
        let s = strength(middle, 1_000.0);
        assert!(s > 0.9, "{extension}: the tone at 1 kHz has {s}");
    }
}
