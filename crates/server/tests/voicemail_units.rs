//! Units' voicemail boxes end to end (issue 17): an administrator gives Bauamt a box under
//! 2590; its members (Carl and Dora of Bauamt, Eva of its sub-unit Bauamt/Statik) hear
//! it, nobody else does. With the real SIP stack (the test phone over UDP, an RTP voice of
//! the test's own), on SQLite and on PostgreSQL when the run has one:
//!
//! - The administrator's refusals: a taken number (someone's extension, a unit that has a
//!   box), a bad number, an unknown unit, a bad address or language; a clerk gets 403.
//! - Carl uploads the box's greeting (a 700 Hz test tone); Bärbel (not of Bauamt) may
//!   not. Bärbel's desk phone calls 2590: the box answers, she hears the greeting and the
//!   1 kHz signal tone, speaks (600 Hz) and hangs up. Carl and Eva are told the count over
//!   their WebSockets; Carl finds the message with Bärbel as its caller and hears her
//!   tone in it; Bärbel gets 404 for the box, the recording, marking and deleting. Carl
//!   marks it heard (Dora's clients follow), Dora deletes it (audited, the file goes).
//! - Removed by the administrator (audited), the box is gone from the members' lists and
//!   its number reaches nobody.
//!
//! And on SQLite, through an IP trunk (sipp as the carrier): a citizen's call to the
//! block's number of the box's extension, and to a box numbered with an E.164 direct
//! number, is answered by the box; a browser's call to the box leaves a message, which
//! is mailed to the box's address (a real SMTP receiver) with the recording.

mod common;

use common::sip::{finished, free_udp_port, spawn_sipp, trunk_config};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};
use store::AuditFilter;
use str0m::format::Codec;
use testkit::desk_voice::DeskVoice;
use testkit::http::Client;
use testkit::server::{on_every_database, Options, TestServer};
use testkit::sip_phone::sdp::Sdp;
use testkit::sip_phone::udp::{UdpPhone, WAIT};
use testkit::sip_phone::{CallRef, PhoneEvent};
use testkit::voicemail::{hears_the_tone, share_at, tone_wav};
use testkit::webrtc_peer::WebRtcPeer;
use testkit::ws;

const BOXES: &str = "/api/v1/admin/voicemail/boxes";
/// The greeting's test tone, what Bärbel says, and the signal tone.
const GREETING_HZ: f32 = 700.0;
const SPEECH_HZ: f32 = 600.0;
const SIGNAL_HZ: f32 = 1_000.0;

/// The fixture (a.admin, b.user of Gesundheitsamt, c.clerk and d.new of Bauamt) and Eva
/// of Bauamt's sub-unit.
fn options() -> Options {
    Options {
        extra_staff: "e.statik,Eva Statik,Bauamt/Statik,2503,,user\n".into(),
        ..Options::default()
    }
}

/// Options whose configuration is `toml` read as `durchwahl serve --config` reads it.
fn configured(toml: &str) -> Options {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("durchwahl.toml");
    std::fs::write(&file, toml).unwrap();
    let config = durchwahl::config::load(Some(&file), &[], &Default::default())
        .unwrap_or_else(|e| panic!("test configuration: {e:#}"));
    Options {
        config,
        ..options()
    }
}

fn audited(s: &TestServer, prefix: &str) -> Vec<store::AuditEntry> {
    s.block_on(s.store.audit_entries(&AuditFilter {
        person: None,
        action_prefix: Some(prefix.into()),
        since: None,
        until: None,
        limit: 100,
    }))
    .unwrap()
}

/// The boxes besides one's own that `client` hears.
fn other_boxes(client: &mut Client) -> Vec<Value> {
    let r = client.get("/api/v1/voicemail");
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["boxes"].as_array().unwrap().clone()
}

/// Box `id` as `client` sees it, once it holds `n` messages (up to 15 s).
fn unit_box(client: &mut Client, id: i64, n: usize) -> Value {
    let until = Instant::now() + Duration::from_secs(15);
    loop {
        let r = client.get(&format!("/api/v1/voicemail/boxes/{id}"));
        assert_eq!(r.status, 200, "{}", r.body);
        let inbox = r.json();
        if inbox["messages"].as_array().map(Vec::len) == Some(n) || Instant::now() > until {
            return inbox;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// How many files are below `dir`.
fn files_in(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => files_in(&e.path()),
            _ => 1,
        })
        .sum()
}

/// Whether the last 200 ms of `heard` (8 kHz) are the signal tone.
fn ends_with_the_tone(heard: &[f32]) -> bool {
    heard.len() >= 1_600 && share_at(&heard[heard.len() - 1_600..], 8_000, SIGNAL_HZ) > 0.8
}

/// `caller` dials `number`: the box's answer's media address, or the refusal's status.
fn dial(
    caller: &mut UdpPhone,
    number: &str,
    voice: &DeskVoice,
) -> Result<(CallRef, std::net::SocketAddr), u16> {
    let call = caller.call(number, &Sdp::offer(voice.local()).to_string());
    caller
        .wait_for(WAIT, |e| match e {
            PhoneEvent::Answered { call: c, sdp } if *c == call => {
                Some(Ok(Sdp::parse(sdp.as_deref().expect("an SDP answer"))
                    .expect("an SDP answer")
                    .media))
            }
            PhoneEvent::Failed { call: c, code } if *c == call => Some(Err(*code)),
            _ => None,
        })
        .map(|media| (call, media))
}

#[test]
fn a_units_box_takes_messages_from_a_desk_phone_that_its_members_hear() {
    for s in on_every_database(options) {
        let l = s.label;
        let mut admin = s.signed_in("a.admin");

        // The administrator makes Bauamt's box; the refusals name their field.
        let made = admin.request(
            "POST",
            BOXES,
            Some(json!({"number": "25 90", "unit": "Bauamt", "email": "bauamt@lra.example"})),
        );
        assert_eq!(made.status, 201, "{l}: {}", made.body);
        let made = made.json();
        assert_eq!(
            (
                &made["number"],
                &made["name"],
                &made["unit"],
                &made["email"],
                &made["language"]
            ),
            (
                &json!("2590"),
                &json!("Bauamt"),
                &json!("Bauamt"),
                &json!("bauamt@lra.example"),
                &json!("de")
            ),
            "{l}: {made}"
        );
        let id = made["id"].as_i64().unwrap();
        let refusals = [
            (
                json!({"number": "2501", "unit": "Bauamt/Statik"}),
                409,
                Some("number"),
                Some("Die Nummer 2501 ist schon die Durchwahl von Carl Clerk."),
            ),
            (
                json!({"number": "2591", "unit": "Bauamt"}),
                409,
                Some("unit"),
                Some("Bauamt hat schon eine Mailbox."),
            ),
            (
                json!({"number": "25x", "unit": "Bauamt/Statik"}),
                400,
                Some("number"),
                None,
            ),
            (
                json!({"number": "2592", "unit": "Nirgendwo"}),
                400,
                Some("unit"),
                None,
            ),
            (
                json!({"number": "2592", "unit": "Bauamt/Statik", "language": "fr"}),
                400,
                Some("language"),
                None,
            ),
            (
                json!({"number": "2592", "unit": "Bauamt/Statik", "email": "kein"}),
                400,
                Some("email"),
                None,
            ),
        ];
        for (body, status, field, message) in refusals {
            let r = admin.request("POST", BOXES, Some(body.clone()));
            assert_eq!(r.status, status, "{l}: {body}: {}", r.body);
            if let Some(field) = field {
                assert_eq!(r.json()["field"], field, "{l}: {}", r.body);
            }
            if let Some(message) = message {
                assert_eq!(r.json()["message"], message, "{l}");
            }
        }
        let mut barbel_web = s.signed_in("b.user");
        let r = barbel_web.request(
            "POST",
            BOXES,
            Some(json!({"number": "2593", "unit": "Bauamt"})),
        );
        assert_eq!(r.status, 403, "{l}");
        let listed = admin.get(BOXES).json();
        assert_eq!(
            listed["boxes"].as_array().map(Vec::len),
            Some(1),
            "{l}: {listed}"
        );
        assert_eq!(audited(&s, "admin.voicemail.box_created").len(), 1, "{l}");

        // The members see it beside their own box; Bärbel does not.
        let mut carl = s.signed_in("c.clerk");
        let mut carl_ws = ws::connect(&carl, None);
        let mut dora = s.signed_in("d.new");
        let mut dora_ws = ws::connect(&dora, None);
        let mut eva = s.signed_in("e.statik");
        let mut eva_ws = ws::connect(&eva, None);
        let boxes = other_boxes(&mut carl);
        assert_eq!(boxes.len(), 1, "{l}: {boxes:?}");
        assert_eq!(
            (
                &boxes[0]["id"],
                &boxes[0]["kind"],
                &boxes[0]["name"],
                &boxes[0]["number"],
                &boxes[0]["unheard"]
            ),
            (
                &json!(id),
                &json!("unit"),
                &json!("Bauamt"),
                &json!("2590"),
                &json!(0)
            ),
            "{l}"
        );
        assert_eq!(
            other_boxes(&mut eva).len(),
            1,
            "{l}: the sub-unit's members hear it"
        );
        assert!(other_boxes(&mut barbel_web).is_empty(), "{l}");

        // Carl gives it a greeting; Bärbel may not.
        let greeting = format!("/api/v1/voicemail/boxes/{id}/greetings/personal?name=ansage.wav");
        let wav = tone_wav(f64::from(GREETING_HZ), 2.0, 8_000);
        let up = carl.request_raw("PUT", &greeting, "application/octet-stream", &wav);
        assert_eq!(up.status, 200, "{l}: {}", up.body);
        let up = barbel_web.request_raw("PUT", &greeting, "application/octet-stream", &wav);
        assert_eq!(up.status, 404, "{l}");
        let default = carl.get(&format!("/api/v1/voicemail/boxes/{id}/greetings/default"));
        assert_eq!(
            (default.status, default.header("content-type")),
            (200, Some("audio/wav")),
            "{l}"
        );

        // Bärbel's desk phone calls the box's number: greeting, signal tone, her message.
        let mut phone = UdpPhone::bind(s.sip_account("b.user", "Tischtelefon"), s.sip).unwrap();
        assert!(phone.register_until_accepted(WAIT) > 0, "{l}");
        let mut voice = DeskVoice::bind();
        let (call, media) = dial(&mut phone, "2590", &voice)
            .unwrap_or_else(|code| panic!("{l}: refused with {code}"));
        voice.remote = Some(media);
        assert!(
            voice.run(Duration::from_secs(30), ends_with_the_tone),
            "{l}: the signal tone after the greeting, heard {} samples",
            voice.heard.len()
        );
        let greeted = &voice.heard[2_000..8_000 * 3 / 2];
        assert!(
            share_at(greeted, 8_000, GREETING_HZ) > 0.8,
            "{l}: the unit's greeting came first"
        );
        voice.hz = SPEECH_HZ;
        voice.run(Duration::from_secs(3), |_| false);
        phone.hang_up(call).unwrap();

        // Every member is told; Carl finds it with Bärbel as its caller and hears her.
        let counted =
            |f: &Value| f["type"] == "voicemail.count" && f["box"] == id && f["unheard"] == 1;
        carl_ws.wait_for(counted);
        eva_ws.wait_for(counted);
        let inbox = unit_box(&mut carl, id, 1);
        assert_eq!(
            (&inbox["mailbox"]["kind"], &inbox["mailbox"]["number"]),
            (&json!("unit"), &json!("2590")),
            "{l}"
        );
        let message = &inbox["messages"][0];
        assert_eq!(
            (&message["caller_name"], &message["caller_number"]),
            (&json!("Bärbel Böhm"), &json!("2401")),
            "{l}: {inbox}"
        );
        assert_eq!(inbox["unheard"], 1, "{l}");
        let ms = message["duration_ms"].as_i64().unwrap();
        assert!((2_000..=4_500).contains(&ms), "{l}: {ms} ms");
        let m = message["id"].as_i64().unwrap();
        let audio = format!("/api/v1/voicemail/messages/{m}/audio");
        let played = carl.get(&audio);
        assert_eq!(played.status, 200, "{l}");
        let pcm = audio::opus::from_ogg_opus(&played.bytes, 60).unwrap();
        let middle = &pcm.samples[pcm.samples.len() / 4..pcm.samples.len() * 3 / 4];
        let share = share_at(middle, 48_000, SPEECH_HZ);
        assert!(share > 0.8, "{l}: the recording holds her tone: {share}");

        // Not Bärbel's to hear, mark or delete: as if it did not exist.
        assert_eq!(
            barbel_web
                .get(&format!("/api/v1/voicemail/boxes/{id}"))
                .status,
            404,
            "{l}"
        );
        assert_eq!(barbel_web.get(&audio).status, 404, "{l}");
        let heard = format!("/api/v1/voicemail/messages/{m}/heard");
        let r = barbel_web.request("PUT", &heard, Some(json!({"heard": true})));
        assert_eq!(r.status, 404, "{l}");
        let r = barbel_web.request("DELETE", &format!("/api/v1/voicemail/messages/{m}"), None);
        assert_eq!(r.status, 404, "{l}");

        // Carl marks it heard: Dora's clients follow. Dora deletes it.
        let r = carl.request("PUT", &heard, Some(json!({"heard": true})));
        assert_eq!(
            (r.status, r.json()["unheard"].as_i64()),
            (200, Some(0)),
            "{l}"
        );
        dora_ws.wait_for(|f| f["type"] == "voicemail.count" && f["box"] == id && f["unheard"] == 0);
        assert_eq!(files_in(&s.data_dir.join("voicemail")), 1, "{l}");
        let r = dora.request("DELETE", &format!("/api/v1/voicemail/messages/{m}"), None);
        assert_eq!(r.status, 200, "{l}: {}", r.body);
        assert_eq!(files_in(&s.data_dir.join("voicemail")), 0, "{l}");
        let deleted = audited(&s, "voicemail.deleted");
        assert_eq!(deleted.len(), 1, "{l}");
        assert_eq!(deleted[0].actor.as_deref(), Some("d.new"), "{l}");

        // Removed: gone from the members' lists, and its number reaches nobody.
        let r = admin.request("DELETE", &format!("{BOXES}/{id}"), None);
        assert_eq!(r.status, 200, "{l}: {}", r.body);
        assert_eq!(
            admin
                .request("DELETE", &format!("{BOXES}/{id}"), None)
                .status,
            404,
            "{l}"
        );
        assert_eq!(audited(&s, "admin.voicemail.box_deleted").len(), 1, "{l}");
        assert!(other_boxes(&mut carl).is_empty(), "{l}");
        assert_eq!(
            carl.get(&format!("/api/v1/voicemail/boxes/{id}")).status,
            404,
            "{l}"
        );
        let voice = DeskVoice::bind();
        assert_eq!(
            dial(&mut phone, "2590", &voice).map(|_| ()),
            Err(404),
            "{l}"
        );
    }
}

#[test]
fn the_trunk_and_browsers_reach_a_units_box() {
    let dir = tempfile::tempdir().unwrap();
    let (carrier, trunk) = (free_udp_port(), free_udp_port());
    let receiver = testkit::smtp::SmtpReceiver::start(Default::default());
    let smtp = format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n\
         from = \"Durchwahl <durchwahl@lra.example>\"\nfirst_retry_seconds = 1\n",
        receiver.port
    );
    let s = testkit::server::start(configured(&format!(
        "{}{smtp}",
        trunk_config(carrier, trunk, "ip")
    )));
    let mut admin = s.signed_in("a.admin");
    let extension = admin.request(
        "POST",
        BOXES,
        Some(json!({"number": "2590", "unit": "Bauamt", "email": "bauamt@lra.example"})),
    );
    assert_eq!(extension.status, 201, "{}", extension.body);
    let id = extension.json()["id"].as_i64().unwrap();
    let direct = admin.request(
        "POST",
        BOXES,
        Some(json!({"number": "+49 9321 928-2391", "unit": "Abteilung 2/Sachgebiet 23 IKT", "language": "en"})),
    );
    assert_eq!(direct.status, 201, "{}", direct.body);

    // A citizen calls the block's number of 2590, then the E.164 number of the other box:
    // each box answers (sipp waits for the 200, stays a second and hangs up).
    let target = format!("127.0.0.1:{trunk}");
    for (name, number) in [("ext", "+4993219282590"), ("e164", "+4993219282391")] {
        let sipp = spawn_sipp(
            dir.path(),
            name,
            "carrier_uac.xml",
            carrier,
            &[
                "-s",
                number,
                "-key",
                "caller",
                "+4930555123",
                "-m",
                "1",
                "-d",
                "1000",
                &target,
            ],
        );
        let messages = finished(sipp, dir.path(), name);
        assert!(messages.contains("SIP/2.0 200"), "{name}: {messages}");
    }

    // Dora's browser calls the box: greeting, signal tone, her message.
    let mut carl = s.signed_in("c.clerk");
    let dora = s.signed_in("d.new");
    let mut dora_ws = ws::connect(&dora, None);
    let peer = WebRtcPeer::new(&[Codec::PCMA]);
    dora_ws.send(json!({"type": "call.dial", "ref": 1, "target": "2590", "sdp": peer.offer}));
    let ack = dora_ws.wait_for(|f| f["ref"] == 1);
    let call = ack["call"]
        .as_str()
        .unwrap_or_else(|| panic!("{ack}"))
        .to_string();
    let sdp = dora_ws.wait_for(|f| f["type"] == "call.media" && f["call"] == call)["sdp"]
        .as_str()
        .unwrap()
        .to_string();
    let peer = peer.start_tone(&sdp, SPEECH_HZ);
    assert!(
        peer.wait_until(Duration::from_secs(30), |_| hears_the_tone(&peer)),
        "the signal tone after the greeting"
    );
    std::thread::sleep(Duration::from_millis(3_000));
    dora_ws.send(json!({"type": "call.hangup", "ref": 2, "call": call}));
    drop(peer);
    let inbox = unit_box(&mut carl, id, 1);
    assert_eq!(inbox["messages"][0]["caller_name"], "Dora Neu", "{inbox}");

    // Mailed to the box's address, naming the box, with the recording.
    let mail = receiver.wait_for(1, Duration::from_secs(30));
    let m = &mail[0];
    assert_eq!(m.envelope_to(), "bauamt@lra.example");
    assert_eq!(m.subject(), "Neue Sprachnachricht von Dora Neu (2502)");
    assert!(m.text().contains("in der Mailbox „Bauamt“"), "{}", m.text());
    let files = m.attachments();
    assert_eq!(files.len(), 1, "{}", m.raw);
    let pcm = audio::opus::from_ogg_opus(&files[0].bytes, 60).unwrap();
    let middle = &pcm.samples[pcm.samples.len() / 4..pcm.samples.len() / 2];
    assert!(
        share_at(middle, 48_000, SPEECH_HZ) > 0.8,
        "the mailed recording holds her tone"
    );
}
