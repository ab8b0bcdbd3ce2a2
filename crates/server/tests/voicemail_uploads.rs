//! Voicemail's bad input (issue 17): corrupt, too long and silent greeting uploads are
//! refused at `file`, and the greeting stays what it was, byte for byte; settings with a
//! date that is no date are refused at `absence_until`, and the box stays as it was. On
//! SQLite and on PostgreSQL when the run has one.

use serde_json::{json, Value};
use testkit::http::Client;
use testkit::server::{on_every_database, Options};
use testkit::voicemail::tone_wav;

/// The box of a signed-in person.
fn voicemail(client: &mut Client) -> Value {
    let list = client.get("/api/v1/voicemail");
    assert_eq!(list.status, 200, "{}", list.body);
    list.json()
}

/// Uploads `wav` as the personal greeting of `client`.
fn upload_greeting(client: &mut Client, name: &str, bytes: &[u8]) -> testkit::http::Reply {
    client.request_raw(
        "PUT",
        &format!("/api/v1/voicemail/greetings/personal?name={name}"),
        "application/octet-stream",
        bytes,
    )
}

/// Files that are not sound the server reads, as a clerk might pick them by mistake.
fn broken_files() -> Vec<(&'static str, Vec<u8>)> {
    let good = tone_wav(440.0, 1.0, 8_000);
    // A WAV whose format says 0 channels at 0 Hz.
    let mut no_channels = good.clone();
    no_channels[22..28].copy_from_slice(&[0, 0, 0, 0, 0, 0]);
    // A WAV whose format is one nobody knows (0x1234).
    let mut unknown_format = good.clone();
    unknown_format[20..22].copy_from_slice(&0x1234u16.to_le_bytes());
    // A WAV cut off inside its header.
    let cut = good[..30].to_vec();
    // Noise (a fixed sequence, so every run sees the same bytes).
    let mut x = 0x2545_f491u32;
    let noise: Vec<u8> = (0..4_096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    // An Ogg page header followed by noise.
    let mut ogg = b"OggS\0\x02".to_vec();
    ogg.extend_from_slice(&noise);
    // An MP3 frame header (MPEG-1 Layer III, 128 kbit/s, 44.1 kHz) followed by noise.
    let mut mp3 = vec![0xff, 0xfb, 0x90, 0x00];
    mp3.extend_from_slice(&noise);
    vec![
        ("no_channels.wav", no_channels),
        ("unknown_format.wav", unknown_format),
        ("cut.wav", cut),
        ("noise.wav", noise.clone()),
        ("noise.ogg", ogg),
        ("noise.mp3", mp3),
        ("empty.wav", Vec::new()),
        ("too_long.wav", tone_wav(440.0, 121.0, 8_000)),
    ]
}

/// The personal greeting as stored (Ogg Opus), or the status when there is none.
fn greeting(client: &mut Client) -> Result<Vec<u8>, u16> {
    let r = client.get("/api/v1/voicemail/greetings/personal");
    match r.status {
        200 => Ok(r.bytes),
        status => Err(status),
    }
}

#[test]
fn a_broken_greeting_or_a_bad_date_is_refused_at_its_field_and_changes_nothing() {
    for s in on_every_database(Options::default) {
        let label = s.label;

        // Dora has no greeting: a broken upload leaves her with none.
        let mut dora = s.signed_in("d.new");
        for (name, bytes) in broken_files() {
            let refused = upload_greeting(&mut dora, name, &bytes);
            assert_eq!(refused.status, 400, "{label}: {name}: {}", refused.body);
            assert_eq!(refused.json()["field"], "file", "{label}: {name}");
        }
        assert_eq!(
            voicemail(&mut dora)["mailbox"]["greeting"],
            false,
            "{label}"
        );
        assert_eq!(greeting(&mut dora), Err(404), "{label}");

        // Carl has one: every broken upload leaves it as it was.
        let mut carl = s.signed_in("c.clerk");
        let up = upload_greeting(&mut carl, "ansage.wav", &tone_wav(700.0, 1.5, 8_000));
        assert_eq!(up.status, 200, "{label}: {}", up.body);
        let kept = greeting(&mut carl).expect("the greeting plays");
        let mailbox = voicemail(&mut carl)["mailbox"].clone();
        assert_eq!(mailbox["greeting"], true, "{label}: {mailbox}");
        for (name, bytes) in broken_files() {
            let refused = upload_greeting(&mut carl, name, &bytes);
            assert_eq!(refused.status, 400, "{label}: {name}: {}", refused.body);
            let body = refused.json();
            assert_eq!(body["field"], "file", "{label}: {name}: {body}");
            assert!(
                body["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{label}: {name}: a message for the person: {body}"
            );
            assert_eq!(voicemail(&mut carl)["mailbox"], mailbox, "{label}: {name}");
            assert_eq!(
                greeting(&mut carl).as_ref(),
                Ok(&kept),
                "{label}: {name}: the greeting is still the one before"
            );
        }

        // Settings with an absence end that is no date: refused at absence_until, and
        // nothing else of the same request is taken either.
        let settings = |until: &str| {
            json!({"enabled": true, "email_mode": "link", "language": "en",
                   "absence_on": false, "absence_until": until})
        };
        let set = carl.request(
            "PUT",
            "/api/v1/voicemail/settings",
            Some(settings("2031-03-31")),
        );
        assert_eq!(set.status, 200, "{label}: {}", set.body);
        let before = voicemail(&mut carl)["mailbox"].clone();
        assert_eq!(before["absence_until"], "2031-03-31", "{label}: {before}");
        for bad in [
            "2031-02-30",
            "2031-13-01",
            "31.03.2031",
            "2031-3-31",
            "morgen",
        ] {
            let refused = carl.request(
                "PUT",
                "/api/v1/voicemail/settings",
                Some(
                    json!({"enabled": false, "email_mode": "off", "language": "de",
                            "absence_on": false, "absence_until": bad}),
                ),
            );
            assert_eq!(refused.status, 400, "{label}: {bad}: {}", refused.body);
            let body = refused.json();
            assert_eq!(body["field"], "absence_until", "{label}: {bad}: {body}");
            assert_eq!(
                voicemail(&mut carl)["mailbox"],
                before,
                "{label}: {bad}: nothing changed"
            );
        }
    }
}

/// The API promises to refuse a silent greeting ("In der Datei ist nichts zu hören.",
/// `AudioError::Empty`); a caller would hear nothing before the tone.
#[test]
fn a_silent_greeting_is_refused_and_the_one_before_kept() {
    let s = testkit::server::start(Options::default());
    let mut carl = s.signed_in("c.clerk");
    let up = upload_greeting(&mut carl, "ansage.wav", &tone_wav(700.0, 1.0, 8_000));
    assert_eq!(up.status, 200, "{}", up.body);
    let kept = greeting(&mut carl).expect("the greeting plays");
    let silent = upload_greeting(&mut carl, "stille.wav", &tone_wav(0.0, 2.0, 8_000));
    assert_eq!(
        (silent.status, silent.json()["field"].clone()),
        (400, json!("file")),
        "2 s of digital silence: {}",
        silent.body
    );
    assert_eq!(greeting(&mut carl), Ok(kept), "the greeting before is kept");
}
