//! Our Ogg Opus against the reference implementation (libopus through opus-tools, which
//! `scripts/test` installs): what we write, `opusdec` plays as the same tone at the same
//! length; what `opusenc` writes, we read as an upload.

use audio::opus::{from_ogg_opus, to_ogg_opus};
use audio::{decode, Pcm};
use std::path::PathBuf;
use std::process::Command;

fn tone(rate: u32, hz: f32, seconds: f32) -> Pcm {
    let n = (rate as f32 * seconds) as usize;
    Pcm {
        rate,
        samples: (0..n)
            .map(|i| 0.5 * f32::sin(i as f32 * hz * std::f32::consts::TAU / rate as f32))
            .collect(),
    }
}

/// The share of the signal's power at `hz` (one Goertzel bin).
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

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("opus-interop-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(tool: &str, args: &[&std::ffi::OsStr]) {
    let out = Command::new(tool).args(args).output().unwrap_or_else(|e| {
        panic!("{tool} must be installed (scripts/test installs opus-tools): {e}")
    });
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_reference_decoder_plays_what_we_write_at_its_length() {
    let dir = scratch("dec");
    let file = dir.join("ours.opus");
    let wav = dir.join("back.wav");
    std::fs::write(&file, to_ogg_opus(&tone(16_000, 800.0, 2.0)).unwrap()).unwrap();
    run(
        "opusdec",
        &[
            "--quiet".as_ref(),
            "--rate".as_ref(),
            "48000".as_ref(),
            file.as_os_str(),
            wav.as_os_str(),
        ],
    );
    // opusinfo checks the container, the headers and the granules and warns of any flaw.
    let info = Command::new("opusinfo").arg(&file).output().unwrap();
    let info = String::from_utf8_lossy(&info.stdout).to_string();
    assert!(!info.contains("WARNING"), "{info}");
    assert!(info.contains("Playback length: 0m:02.000s"), "{info}");
    let back = decode(std::fs::read(&wav).unwrap(), Some("wav"), 60).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(back.rate, 48_000);
    // opusdec honours the pre-skip and the end granule: exactly two seconds.
    assert_eq!(back.samples.len(), 96_000);
    let share = share_at(&back.samples[10_000..86_000], 48_000, 800.0);
    assert!(share > 0.9, "the 800 Hz tone holds {share} of the power");
}

#[test]
fn what_the_reference_encoder_writes_is_read_as_an_upload() {
    let dir = scratch("enc");
    let wav = dir.join("tone.wav");
    let file = dir.join("theirs.opus");
    std::fs::write(
        &wav,
        audio::announcement::alaw_to_wav(
            &audio::frames(
                &audio::to_8khz(&tone(8_000, 600.0, 1.0)),
                media::Codec::Pcma,
            )
            .concat(),
        ),
    )
    .unwrap();
    run(
        "opusenc",
        &["--quiet".as_ref(), wav.as_os_str(), file.as_os_str()],
    );
    let bytes = std::fs::read(&file).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    // As an upload (the same path as WAV, MP3 and Vorbis), then straight from the file.
    let pcm = decode(bytes.clone(), Some("opus"), 60).unwrap();
    assert_eq!(pcm, from_ogg_opus(&bytes, 60).unwrap());
    assert_eq!(pcm.rate, 48_000);
    assert_eq!(
        pcm.samples.len(),
        48_000,
        "one second, trimmed as opusenc marked it"
    );
    let share = share_at(&pcm.samples[5_000..43_000], 48_000, 600.0);
    assert!(share > 0.9, "the 600 Hz tone holds {share} of the power");
}

/// Steady tones as a telephone brings them (A-law at 8 kHz: a caller's voice at a voicemail
/// box) come back at their pitch: every pitch from 300 to 900 Hz in steps of 20, every
/// second of ten. At a lower encoder complexity nine of the 31 failed (400 Hz kept a
/// quarter of its power), though clean tones without A-law's noise passed.
#[test]
fn telephone_tones_keep_their_pitch() {
    let mut weak = Vec::new();
    for hz in (300..=900).step_by(20) {
        let second: Vec<u8> = audio::tone::beeps(hz as f32, 1_000, 0, 1)
            .iter()
            .flat_map(|f| f.iter().copied())
            .collect();
        let alaw = second.repeat(10);
        let mut linear = vec![0i16; alaw.len()];
        media::opus_voice::g711_to_linear(media::Codec::Pcma, &alaw, &mut linear);
        let pcm = Pcm {
            rate: 8_000,
            samples: linear.iter().map(|&s| f32::from(s) / 32_768.0).collect(),
        };
        let back = from_ogg_opus(&to_ogg_opus(&pcm).unwrap(), 20).unwrap();
        let window = back.rate as usize;
        let worst = back.samples[..window * 10]
            .chunks_exact(window)
            .map(|w| share_at(w, back.rate, hz as f32))
            .fold(f32::INFINITY, f32::min);
        if worst < 0.8 {
            weak.push((hz, worst));
        }
    }
    assert!(
        weak.is_empty(),
        "pitches whose power went elsewhere: {weak:?}"
    );
}
