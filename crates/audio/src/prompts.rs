//! The built-in prompts, in German and English: what a hotline's waiting caller hears before
//! an administrator has uploaded announcements of their own (welcome, closed, position and
//! wait, callback offer, music on hold), and voicemail's default greeting and `*98` menu
//! (the `vm_*` clips; `crates/voicemail`'s `menu::Clip` names them, the shell joins them
//! with [`number`], [`digits`] and the recordings).
//!
//! The clips are spoken by espeak-ng and converted to 8 kHz A-law once, by
//! `scripts/make-prompts`; the files in `crates/audio/prompts/` are embedded here, so the
//! server needs no speech synthesis at run time. Every clip is whole 20 ms frames (160
//! bytes), so clips joined end to end stay on frame boundaries.
//!
//! ```
//! use audio::prompts::{self, Language};
//! // "Sie sind an Position drei. Die Wartezeit beträgt etwa fünf Minuten."
//! let speech = prompts::position(Language::German, 3, Some(5));
//! let frames = prompts::to_frames(&speech);
//! assert_eq!(frames.len() * 160, speech.len());
//!
//! // "Sie sind verbunden mit der Mailbox von zwei null null eins. Ihr Anruf kann gerade
//! // nicht persönlich angenommen werden. Bitte hinterlassen Sie eine Nachricht nach dem
//! // Signalton."
//! let greeting = prompts::voicemail_greeting(Language::German, "2001");
//! assert_eq!(greeting.len() % 160, 0);
//! ```

use media::Frame;
use std::sync::Arc;

/// A-law silence (the code for 0, as G.711 sends it).
pub const SILENCE: u8 = 0xD5;

/// The pause between two sentences, in bytes: 200 ms at 8 kHz, ten frames.
pub const PAUSE: usize = 1_600;

/// The pause between two digits of a number read digit by digit, in bytes: 100 ms, five
/// frames, so that "null drei null" is heard as three words.
pub const DIGIT_PAUSE: usize = 800;

/// The language the prompts are spoken in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Language {
    /// German, the default.
    #[default]
    German,
    /// English.
    English,
}

/// The two tables of clips, from one list of names: a name missing in either language's
/// folder fails the build.
macro_rules! clips {
    ($($name:literal),* $(,)?) => {
        /// The name of every spoken clip, in both languages.
        pub const NAMES: &[&str] = &[$($name),*];
        const GERMAN: &[(&str, &[u8])] =
            &[$(($name, include_bytes!(concat!("../prompts/de/", $name, ".alaw")))),*];
        const ENGLISH: &[(&str, &[u8])] =
            &[$(($name, include_bytes!(concat!("../prompts/en/", $name, ".alaw")))),*];
    };
}

clips![
    "welcome",
    "closed",
    "position_before",
    "wait_before",
    "minute",
    "minutes",
    "n1",
    "n2",
    "n3",
    "n4",
    "n5",
    "n6",
    "n7",
    "n8",
    "n9",
    "n10",
    "n11",
    "n12",
    "n13",
    "n14",
    "n15",
    "n16",
    "n17",
    "n18",
    "n19",
    "n20",
    "n1_minute",
    "more_than_20",
    "callback_offer",
    "callback_confirmed",
    "overflow",
    "menu_hint",
    "goodbye",
    // Voicemail. A digit is d0 or n1 to n9.
    "d0",
    "vm_number_before",
    "vm_default",
    "vm_you_have",
    "vm_new_messages",
    "vm_one_new_message",
    "vm_no_new_messages",
    "vm_message_from",
    "vm_unknown_caller",
    "vm_menu",
    "vm_menu_call_back",
    "vm_deleted",
    "vm_no_more",
    "vm_not_allowed",
];

/// The name of the music on hold, the same in every language.
pub const HOLD_MUSIC: &str = "hold_music";

/// 20 s of quiet music that loops without a seam.
const HOLD_MUSIC_ALAW: &[u8] = include_bytes!("../prompts/hold_music.alaw");

/// The highest number there is a clip for; above it the prompts say "more than twenty".
const HIGHEST_NUMBER: u32 = 20;

/// The clip `name` (one of [`NAMES`], or [`HOLD_MUSIC`]) as A-law bytes.
pub fn clip(language: Language, name: &str) -> Option<&'static [u8]> {
    if name == HOLD_MUSIC {
        return Some(HOLD_MUSIC_ALAW);
    }
    let table = match language {
        Language::German => GERMAN,
        Language::English => ENGLISH,
    };
    table
        .iter()
        .find(|(candidate, _)| *candidate == name)
        .map(|(_, bytes)| *bytes)
}

/// The names of the clips that say "Sie sind an Position drei. Die Wartezeit beträgt etwa
/// fünf Minuten.", one list per sentence; no wait sentence for `None`.
fn position_sentences(position: u32, wait_minutes: Option<u32>) -> Vec<Vec<String>> {
    // Position 1 is next in line; a 0 would be a caller already being connected, said as 1.
    let mut sentences = vec![vec![
        "position_before".to_owned(),
        number_clip(position.max(1)),
    ]];
    if let Some(minutes) = wait_minutes {
        // An estimate under a minute is said as "about one minute", never "zero minutes".
        let minutes = minutes.max(1);
        let mut wait = vec!["wait_before".to_owned()];
        if minutes == 1 {
            // "eine Minute", not "eins Minute".
            wait.extend(["n1_minute".to_owned(), "minute".to_owned()]);
        } else {
            wait.extend([number_clip(minutes), "minutes".to_owned()]);
        }
        sentences.push(wait);
    }
    sentences
}

/// The clip that says `n`: its word up to twenty, "more than twenty" above, "null" for 0.
fn number_clip(n: u32) -> String {
    match n {
        0 => "d0".to_owned(),
        1..=HIGHEST_NUMBER => format!("n{n}"),
        _ => "more_than_20".to_owned(),
    }
}

/// The clip that says the digit `c` ("null", "eins" … "neun"), `None` for anything else.
fn digit_clip(c: char) -> Option<String> {
    c.to_digit(10).map(number_clip)
}

/// `n` as A-law: its word from "null" to "zwanzig", "mehr als zwanzig" above (the clips
/// there are; enough for a count of messages or minutes). Whole frames.
pub fn number(language: Language, n: u32) -> Vec<u8> {
    clip(language, &number_clip(n))
        .map(<[u8]>::to_vec)
        .unwrap_or_default()
}

/// A phone number or extension read digit by digit ("zwei null null eins"), the digits
/// [`DIGIT_PAUSE`] apart; anything but the digits 0 to 9 (a `+`, spaces, dashes) is
/// skipped. Empty when there is no digit. Whole frames.
pub fn digits(language: Language, text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for name in text.chars().filter_map(digit_clip) {
        if !out.is_empty() {
            out.resize(out.len() + DIGIT_PAUSE, SILENCE);
        }
        out.extend_from_slice(clip(language, &name).unwrap_or_default());
    }
    out
}

/// The default voicemail greeting of the box at `extension`: "Sie sind verbunden mit der
/// Mailbox von zwei null null eins. Ihr Anruf kann gerade nicht persönlich angenommen
/// werden. Bitte hinterlassen Sie eine Nachricht nach dem Signalton." Without the first
/// sentence when `extension` has no digit. The signal tone is the caller's to add.
pub fn voicemail_greeting(language: Language, extension: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let said = digits(language, extension);
    if !said.is_empty() {
        out.extend_from_slice(clip(language, "vm_number_before").unwrap_or_default());
        out.extend_from_slice(&said);
        out.resize(out.len() + PAUSE, SILENCE);
    }
    out.extend_from_slice(clip(language, "vm_default").unwrap_or_default());
    out
}

/// The caller's place in line and, if known, the estimated wait in minutes, as A-law:
/// "Sie sind an Position drei. Die Wartezeit beträgt etwa fünf Minuten." Clips follow one
/// another directly within a sentence (each keeps a short breath of its own), sentences are
/// 200 ms apart. Whole frames, like every clip.
pub fn position(language: Language, position: u32, wait_minutes: Option<u32>) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, sentence) in position_sentences(position, wait_minutes)
        .iter()
        .enumerate()
    {
        if i > 0 {
            out.resize(out.len() + PAUSE, SILENCE);
        }
        // Every name here is in `NAMES` (n1 to n20 included): the tests hold each one.
        for bytes in sentence.iter().filter_map(|name| clip(language, name)) {
            out.extend_from_slice(bytes);
        }
    }
    out
}

/// A-law bytes as the 20 ms frames a [`media::Player`] plays (with `Codec::Pcma`), the last
/// one filled up with silence.
pub fn to_frames(alaw: &[u8]) -> Arc<[Frame]> {
    alaw.chunks(std::mem::size_of::<Frame>())
        .map(|chunk| {
            let mut frame = [SILENCE; std::mem::size_of::<Frame>()];
            frame[..chunk.len()].copy_from_slice(chunk);
            frame
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use media::codec::alaw_to_linear;
    use std::collections::BTreeSet;
    use std::path::Path;

    const FRAME: usize = 160;
    const LANGUAGES: [Language; 2] = [Language::German, Language::English];

    fn linear(alaw: &[u8]) -> Vec<i16> {
        alaw.iter().map(|&a| alaw_to_linear(a)).collect()
    }

    /// The level in dB relative to full scale.
    fn rms_dbfs(samples: &[i16]) -> f64 {
        let power = samples
            .iter()
            .map(|&s| f64::from(s) * f64::from(s))
            .sum::<f64>()
            / samples.len().max(1) as f64;
        10.0 * (power / (32768.0 * 32768.0)).log10()
    }

    /// The share of the signal's power at `hz` (Goertzel), 8 kHz samples.
    fn strength(samples: &[i16], hz: f64) -> f64 {
        let k = 2.0 * (2.0 * std::f64::consts::PI * hz / 8000.0).cos();
        let (mut s1, mut s2, mut power) = (0.0f64, 0.0f64, 0.0f64);
        for &x in samples {
            let x = f64::from(x);
            power += x * x;
            let s0 = x + k * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        let bin = s1 * s1 + s2 * s2 - k * s1 * s2;
        bin / (power * samples.len() as f64 / 2.0)
    }

    fn get(language: Language, name: &str) -> &'static [u8] {
        clip(language, name).unwrap_or_else(|| panic!("no clip {name} in {language:?}"))
    }

    /// The clip names in one of the asset folders, from the files themselves.
    fn folder(language: &str) -> BTreeSet<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("prompts")
            .join(language);
        std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("a directory entry").path())
            .filter(|path| path.extension().is_some_and(|e| e == "alaw"))
            .map(|path| {
                path.file_stem()
                    .expect("a file name")
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    }

    #[test]
    fn english_has_the_german_clips_and_every_file_is_embedded() {
        let names: BTreeSet<String> = NAMES.iter().map(|n| (*n).to_owned()).collect();
        assert_eq!(folder("de"), names, "crates/audio/prompts/de against NAMES");
        assert_eq!(folder("en"), folder("de"), "English against German");
        for n in 1..=HIGHEST_NUMBER {
            assert!(NAMES.contains(&format!("n{n}").as_str()), "n{n} missing");
        }
    }

    #[test]
    fn every_clip_is_whole_frames_of_trimmed_audible_speech() {
        for language in LANGUAGES {
            for name in NAMES.iter().copied().chain([HOLD_MUSIC]) {
                let bytes = get(language, name);
                assert!(!bytes.is_empty(), "{language:?} {name} is empty");
                assert_eq!(
                    bytes.len() % FRAME,
                    0,
                    "{language:?} {name}: not whole frames"
                );
                let samples = linear(bytes);
                let level = rms_dbfs(&samples);
                assert!(
                    level > -30.0,
                    "{language:?} {name} is silent ({level:.1} dBFS)"
                );
                // Trimmed: sound within 100 ms of either end (30 ms of breath, plus at the
                // end what fills the last frame).
                let quiet = |s: &i16| s.unsigned_abs() <= 260;
                let lead = samples.iter().take_while(|s| quiet(s)).count();
                let tail = samples.iter().rev().take_while(|s| quiet(s)).count();
                assert!(
                    lead < 800,
                    "{language:?} {name}: {lead} silent samples first"
                );
                assert!(
                    tail < 800,
                    "{language:?} {name}: {tail} silent samples last"
                );
            }
        }
        assert_eq!(clip(Language::German, "no_such_clip"), None);
    }

    #[test]
    fn the_languages_differ_and_the_music_is_shared() {
        for name in NAMES {
            assert_ne!(
                get(Language::German, name),
                get(Language::English, name),
                "{name} is the same in German and English"
            );
        }
        assert_eq!(
            get(Language::German, HOLD_MUSIC).as_ptr(),
            get(Language::English, HOLD_MUSIC).as_ptr()
        );
        assert_eq!(Language::default(), Language::German);
    }

    /// The clips `names` joined into sentences (`|` between two, `.` between two digits) as
    /// `position` and the voicemail helpers should join them.
    fn spoken(language: Language, names: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for name in names {
            if *name == "|" {
                out.extend(std::iter::repeat_n(SILENCE, PAUSE));
            } else if *name == "." {
                out.extend(std::iter::repeat_n(SILENCE, DIGIT_PAUSE));
            } else {
                out.extend_from_slice(get(language, name));
            }
        }
        out
    }

    #[test]
    fn position_joins_the_clips_in_spoken_order() {
        let cases: &[(u32, Option<u32>, &[&str])] = &[
            (
                3,
                Some(5),
                &["position_before", "n3", "|", "wait_before", "n5", "minutes"],
            ),
            (3, None, &["position_before", "n3"]),
            (
                1,
                Some(1),
                &[
                    "position_before",
                    "n1",
                    "|",
                    "wait_before",
                    "n1_minute",
                    "minute",
                ],
            ),
            (
                20,
                Some(20),
                &[
                    "position_before",
                    "n20",
                    "|",
                    "wait_before",
                    "n20",
                    "minutes",
                ],
            ),
            (
                21,
                Some(45),
                &[
                    "position_before",
                    "more_than_20",
                    "|",
                    "wait_before",
                    "more_than_20",
                    "minutes",
                ],
            ),
            // Edge values a queue may hand over: said as the nearest thing that makes sense.
            (
                0,
                Some(0),
                &[
                    "position_before",
                    "n1",
                    "|",
                    "wait_before",
                    "n1_minute",
                    "minute",
                ],
            ),
        ];
        for language in LANGUAGES {
            for (place, wait, names) in cases {
                let said = position(language, *place, *wait);
                assert_eq!(
                    said,
                    spoken(language, names),
                    "{language:?} position {place}, wait {wait:?}: expected {names:?}"
                );
                assert_eq!(said.len() % FRAME, 0);
            }
        }
    }

    #[test]
    fn the_pause_between_sentences_is_200_ms_of_silence() {
        let said = position(Language::German, 2, Some(2));
        let first =
            get(Language::German, "position_before").len() + get(Language::German, "n2").len();
        assert!(said[first..first + PAUSE].iter().all(|&b| b == SILENCE));
        assert_eq!(PAUSE, 8_000 / 5);
    }

    #[test]
    fn hold_music_is_audible_soft_tonal_and_loops_without_a_click() {
        let music = linear(get(Language::German, HOLD_MUSIC));
        assert_eq!(music.len(), 20 * 8_000);
        let level = rms_dbfs(&music);
        assert!((-24.0..-14.0).contains(&level), "music at {level:.1} dBFS");
        // The first chord (C major, 5 s) rings at C5 (523 Hz), not between its notes.
        let chord = &music[..5 * 8_000];
        let on = strength(chord, 523.25);
        let off = strength(chord, 1_800.0);
        assert!(on > 0.02, "C5 carries {on:.4} of the power");
        assert!(on > 50.0 * off, "C5 {on:.4} against 1800 Hz {off:.6}");
        // The loop seam is no larger a step than the music takes anyway.
        let step = |a: i16, b: i16| (i32::from(a) - i32::from(b)).abs();
        let largest = music
            .windows(2)
            .map(|w| step(w[0], w[1]))
            .max()
            .unwrap_or(0);
        let seam = step(music[music.len() - 1], music[0]);
        assert!(seam <= largest, "seam {seam} against {largest}");
    }

    #[test]
    fn to_frames_pads_the_last_frame_with_silence() {
        let bytes: Vec<u8> = (0..=200u8).collect();
        let frames = to_frames(&bytes);
        assert_eq!(frames.len(), 2);
        assert_eq!(&frames[0][..], &bytes[..FRAME]);
        assert_eq!(&frames[1][..41], &bytes[FRAME..]);
        assert!(frames[1][41..].iter().all(|&b| b == SILENCE));
        assert_eq!(to_frames(&bytes[..FRAME]).len(), 1);
        assert!(to_frames(&[]).is_empty());
        let welcome = get(Language::English, "welcome");
        assert_eq!(to_frames(welcome).concat(), welcome);
    }

    #[test]
    fn every_digit_has_a_clip() {
        for language in LANGUAGES {
            for c in '0'..='9' {
                let name = digit_clip(c).expect("a digit");
                assert!(
                    NAMES.contains(&name.as_str()),
                    "{c}: no clip {name} in NAMES"
                );
                assert!(!digits(language, &c.to_string()).is_empty());
            }
        }
        assert_eq!(digit_clip('+'), None);
        assert_eq!(digit_clip('a'), None);
        // Not an ASCII digit, though Unicode calls it one: skipped.
        assert_eq!(digit_clip('٣'), None);
    }

    #[test]
    fn digits_are_read_one_by_one_and_anything_else_is_skipped() {
        let cases: &[(&str, &[&str])] = &[
            ("2001", &["n2", ".", "d0", ".", "d0", ".", "n1"]),
            (
                "+49 30-9",
                &["n4", ".", "n9", ".", "n3", ".", "d0", ".", "n9"],
            ),
            ("0", &["d0"]),
            ("", &[]),
            ("anonymous", &[]),
        ];
        for language in LANGUAGES {
            for (text, names) in cases {
                let said = digits(language, text);
                assert_eq!(
                    said,
                    spoken(language, names),
                    "{language:?} {text:?}: expected {names:?}"
                );
                assert_eq!(said.len() % FRAME, 0);
            }
        }
        assert_eq!(DIGIT_PAUSE % FRAME, 0);
    }

    #[test]
    fn number_says_zero_to_twenty_and_more_than_twenty_above() {
        for language in LANGUAGES {
            assert_eq!(number(language, 0), get(language, "d0"));
            assert_eq!(number(language, 1), get(language, "n1"));
            assert_eq!(number(language, 20), get(language, "n20"));
            assert_eq!(number(language, 21), get(language, "more_than_20"));
            assert_eq!(number(language, u32::MAX), get(language, "more_than_20"));
        }
    }

    #[test]
    fn the_voicemail_greeting_says_the_extension_then_the_default_text() {
        for language in LANGUAGES {
            assert_eq!(
                voicemail_greeting(language, "2001"),
                spoken(
                    language,
                    &[
                        "vm_number_before",
                        "n2",
                        ".",
                        "d0",
                        ".",
                        "d0",
                        ".",
                        "n1",
                        "|",
                        "vm_default"
                    ]
                )
            );
            // A box without a number (a unit's box known by name) skips the first sentence.
            assert_eq!(
                voicemail_greeting(language, ""),
                get(language, "vm_default")
            );
            assert_eq!(voicemail_greeting(language, "2001").len() % FRAME, 0);
        }
    }

    #[test]
    fn the_embedded_prompts_stay_small() {
        let total: usize = LANGUAGES
            .iter()
            .flat_map(|&language| NAMES.iter().map(move |name| get(language, name).len()))
            .sum::<usize>()
            + HOLD_MUSIC_ALAW.len();
        // 8 KB for each second of speech: about 50 s of hotline speech per language and
        // 20 s of music (0.91 MB), 30 s of voicemail speech per language (0.46 MB). A
        // budget, so that a new clip is a decision, not a slip.
        assert!(total < 1_450_000, "{total} bytes of prompts");
    }
}
