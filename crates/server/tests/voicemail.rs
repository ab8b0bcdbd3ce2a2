//! Voicemail with real WebRTC peers (str0m, as a browser): a call nobody answers goes on
//! to the callee's box; the caller hears the greeting and the signal tone, speaks (a
//! 600 Hz tone), hangs up; the message is in the callee's box with its caller and length,
//! plays back as Ogg Opus holding the tone, is marked heard (the count reaches the
//! callee's clients) and deleted with its file. A caller who hangs up at the greeting
//! leaves nothing. On SQLite, and on PostgreSQL when the run has one.

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use str0m::format::Codec;
use testkit::server::{on_every_database, Options, TestServer};
use testkit::voicemail::{heard, hears_the_tone, share_at};
use testkit::webrtc_peer::{RunningPeer, WebRtcPeer};
use testkit::ws::{self, WsClient};

/// Long enough for a call to ring out (5 s) and be answered by the box.
const RINGING: Duration = Duration::from_secs(20);

fn short_rings() -> Options {
    let mut options = Options::default();
    options.config.sip.ring_timeout_seconds = 5;
    options
}

/// `from` dials `target` from a browser that speaks a 600 Hz tone; the call's id and peer.
fn dial_speaking(ws: &mut WsClient, target: &str) -> (String, RunningPeer) {
    let peer = WebRtcPeer::new(&[Codec::PCMA]);
    ws.send(json!({"type": "call.dial", "ref": 1, "target": target, "sdp": peer.offer}));
    let ack = ws.wait_for(|f| f["ref"] == 1);
    let call = ack["call"]
        .as_str()
        .unwrap_or_else(|| panic!("{ack}"))
        .to_string();
    let sdp = ws.wait_for(|f| f["type"] == "call.media" && f["call"] == call)["sdp"]
        .as_str()
        .unwrap()
        .to_string();
    (call, peer.start_tone(&sdp, 600.0))
}

fn state<'a>(call: &'a str, s: &'a str) -> impl Fn(&Value) -> bool + 'a {
    move |f| f["type"] == "call.state" && f["call"] == call && f["state"] == s
}

/// Waits until the box of `client` holds `n` messages; the list.
fn box_with(client: &mut testkit::http::Client, n: usize) -> Value {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let list = client.get("/api/v1/voicemail").json();
        if list["messages"].as_array().map(Vec::len) == Some(n) || Instant::now() > until {
            return list;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn files_in(s: &TestServer) -> usize {
    walk(&s.data_dir.join("voicemail"))
}

fn walk(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => walk(&e.path()),
            _ => 1,
        })
        .sum()
}

#[test]
fn a_call_nobody_answers_is_left_as_a_message_played_heard_and_deleted() {
    for s in on_every_database(short_rings) {
        let mut carl = s.signed_in("c.clerk");
        let mut carl_ws = ws::connect(&carl, None);
        let dora = s.signed_in("d.new");
        let mut dora_ws = ws::connect(&dora, None);
        let (call, peer) = dial_speaking(&mut dora_ws, "2501");
        carl_ws.wait_for(|f| f["type"] == "call.incoming");
        // Carl does not answer: after the ring time Dora is connected to his box.
        dora_ws.wait_for_within(RINGING, state(&call, "connected"));
        carl_ws.wait_for(|f| f["type"] == "call.state" && f["reason"] == "no_answer");
        // She hears the greeting (speech), then the signal tone.
        assert!(
            peer.wait_until(Duration::from_secs(20), |_| hears_the_tone(&peer)),
            "the signal tone after the greeting"
        );
        let before_tone = heard(&peer);
        assert!(
            before_tone.len() > 8_000 * 3,
            "a greeting of some seconds came first: {} samples",
            before_tone.len()
        );
        // She speaks for three seconds after the tone, then hangs up.
        std::thread::sleep(Duration::from_millis(3_500));
        dora_ws.send(json!({"type": "call.hangup", "ref": 2, "call": call}));
        drop(peer);

        let list = box_with(&mut carl, 1);
        assert_eq!(list["unheard"], 1, "{list}");
        let message = &list["messages"][0];
        assert_eq!(message["caller_name"], "Dora Neu", "{list}");
        assert_eq!(message["caller_number"], "2502");
        assert_eq!(message["heard"], false);
        let ms = message["duration_ms"].as_i64().unwrap();
        assert!((2_500..=5_000).contains(&ms), "{ms} ms");
        carl_ws.wait_for(|f| f["type"] == "voicemail.count" && f["unheard"] == 1);

        // It plays as Ogg Opus and holds what she said.
        let id = message["id"].as_i64().unwrap();
        let path = format!("/api/v1/voicemail/messages/{id}/audio");
        let played = carl.get(&path);
        assert_eq!(played.status, 200);
        assert_eq!(played.header("content-type"), Some("audio/ogg"));
        assert_eq!(played.header("accept-ranges"), Some("bytes"));
        let pcm = audio::opus::from_ogg_opus(&played.bytes, 60).unwrap();
        let middle = &pcm.samples[pcm.samples.len() / 4..pcm.samples.len() / 2];
        let share = share_at(middle, 48_000, 600.0);
        assert!(share > 0.8, "the recording holds her 600 Hz: {share}");
        // Nobody else's.
        let mut dora = dora;
        assert_eq!(dora.get(&path).status, 404);

        // Heard: the count follows on Carl's clients.
        let heard = carl.request(
            "PUT",
            &format!("/api/v1/voicemail/messages/{id}/heard"),
            Some(json!({"heard": true})),
        );
        assert_eq!(heard.status, 200, "{}", heard.body);
        assert_eq!(heard.json()["unheard"], 0);
        carl_ws.wait_for(|f| f["type"] == "voicemail.count" && f["unheard"] == 0);
        assert_eq!(box_with(&mut carl, 1)["messages"][0]["heard"], true);

        // Deleted: the row and the file.
        assert_eq!(files_in(&s), 1);
        let gone = carl.request("DELETE", &format!("/api/v1/voicemail/messages/{id}"), None);
        assert_eq!(gone.status, 200, "{}", gone.body);
        assert_eq!(box_with(&mut carl, 0)["messages"], json!([]));
        assert_eq!(files_in(&s), 0, "the recording is gone too");
        assert_eq!(carl.get(&path).status, 404);
    }
}

#[test]
fn a_caller_who_hangs_up_at_the_greeting_leaves_nothing_and_a_box_switched_off_is_skipped() {
    let s = testkit::server::start(short_rings());
    let mut carl = s.signed_in("c.clerk");
    let _carl_ws = ws::connect(&carl, None);
    let dora = s.signed_in("d.new");
    let mut dora_ws = ws::connect(&dora, None);
    let (call, peer) = dial_speaking(&mut dora_ws, "2501");
    dora_ws.wait_for_within(RINGING, state(&call, "connected"));
    std::thread::sleep(Duration::from_secs(1));
    dora_ws.send(json!({"type": "call.hangup", "ref": 2, "call": call}));
    drop(peer);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(carl.get("/api/v1/voicemail").json()["messages"], json!([]));
    assert_eq!(files_in(&s), 0);

    // Carl switches his box off: the next call rings out as before.
    let off = carl.request(
        "PUT",
        "/api/v1/voicemail/settings",
        Some(json!({"enabled": false, "email_mode": "off", "language": "de", "absence_on": false})),
    );
    assert_eq!(off.status, 200, "{}", off.body);
    let bad = carl.request(
        "PUT",
        "/api/v1/voicemail/settings",
        Some(json!({"enabled": true, "email_mode": "fax", "language": "de", "absence_on": false})),
    );
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["field"], "email_mode");
    assert_eq!(
        carl.get("/api/v1/voicemail").json()["mailbox"]["enabled"],
        false,
        "unchanged"
    );
    let (call, _peer) = dial_speaking(&mut dora_ws, "2501");
    let ended = dora_ws
        .wait_for(|f| f["type"] == "call.state" && f["call"] == call && f["state"] == "ended");
    assert_eq!(ended["reason"], "no_answer", "{ended}");
}

#[test]
fn a_full_hotline_queue_overflows_to_the_hotlines_box_which_its_supervisor_hears() {
    let s = testkit::server::start(Options::default());
    let mut admin = s.signed_in("a.admin");
    let made = admin.post(
        "/api/v1/admin/hotlines",
        json!({"name": "Mailboxhotline", "extension": "2900", "supervisors": ["c.clerk"],
               "queue": {"name": "Fragen", "max_length": 1, "overflow_kind": "voicemail"}}),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let hotline = made.json()["id"].as_i64().unwrap();
    let detail = admin
        .get(&format!("/api/v1/admin/hotlines/{hotline}"))
        .json();
    assert_eq!(
        detail["queues"][0]["overflow_kind"], "voicemail",
        "{detail}"
    );

    // Bärbel waits (nobody answers); the line is full: Dora goes straight on to the
    // hotline's box and speaks.
    let barbel = s.signed_in("b.user");
    let mut barbel_ws = ws::connect(&barbel, None);
    let (waiting, _first) = dial_speaking(&mut barbel_ws, "2900");
    barbel_ws.wait_for(state(&waiting, "connected"));
    let mut carl = s.signed_in("c.clerk");
    let mut carl_ws = ws::connect(&carl, None);
    let dora = s.signed_in("d.new");
    let mut dora_ws = ws::connect(&dora, None);
    let (call, peer) = dial_speaking(&mut dora_ws, "2900");
    dora_ws.wait_for_within(RINGING, state(&call, "connected"));
    assert!(
        peer.wait_until(Duration::from_secs(20), |_| hears_the_tone(&peer)),
        "the box's greeting and signal tone"
    );
    std::thread::sleep(Duration::from_millis(2_500));
    dora_ws.send(json!({"type": "call.hangup", "ref": 2, "call": call}));
    drop(peer);

    // Carl supervises the hotline: he hears the box (not his own), live.
    let count = carl_ws.wait_for(|f| f["type"] == "voicemail.count");
    assert_eq!(count["unheard"], 1, "{count}");
    let list = carl.get("/api/v1/voicemail").json();
    assert_eq!(list["messages"], json!([]), "his own box is empty: {list}");
    assert_eq!(list["boxes"][0]["name"], "Mailboxhotline", "{list}");
    assert_eq!(list["boxes"][0]["unheard"], 1);
    let id = list["boxes"][0]["id"].as_i64().unwrap();
    assert_eq!(count["box"], id);
    let inbox = carl.get(&format!("/api/v1/voicemail/boxes/{id}")).json();
    assert_eq!(inbox["messages"][0]["caller_name"], "Dora Neu", "{inbox}");
    let message = inbox["messages"][0]["id"].as_i64().unwrap();
    let played = carl.get(&format!("/api/v1/voicemail/messages/{message}/audio"));
    assert_eq!(played.status, 200);
    // Dora is no supervisor: neither the box nor its message.
    let mut dora = dora;
    assert_eq!(
        dora.get(&format!("/api/v1/voicemail/boxes/{id}")).status,
        404
    );
    assert_eq!(
        dora.get(&format!("/api/v1/voicemail/messages/{message}/audio"))
            .status,
        404
    );
    // The figures count her as overflowed, not as abandoned; Bärbel still waits.
    let board = admin
        .get(&format!("/api/v1/hotlines/{hotline}/board"))
        .json();
    let today = &board["today"];
    assert_eq!(
        (&today["overflowed"], &today["abandoned"], &today["waiting"]),
        (&json!(1), &json!(0), &json!(1)),
        "{today}"
    );
}

/// Options whose `[smtp]` points at `receiver` (plain SMTP on loopback) and whose calls
/// ring 5 s.
fn mailing(receiver: &testkit::smtp::SmtpReceiver) -> Options {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("durchwahl.toml");
    let toml = format!(
        "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n\
         from = \"Durchwahl <durchwahl@lra.example>\"\nfirst_retry_seconds = 1\n\
         [sip]\nring_timeout_seconds = 5\n\
         [voicemail]\nweb_address = \"https://durchwahl.lra.example\"\n",
        receiver.port
    );
    std::fs::write(&file, toml).unwrap();
    let config = durchwahl::config::load(Some(&file), &[], &Default::default())
        .unwrap_or_else(|e| panic!("test configuration: {e:#}"));
    Options {
        config,
        ..Options::default()
    }
}

/// Dora leaves Carl a message of a few seconds (600 Hz) on `s`.
fn leave_message(s: &TestServer, dora_ws: &mut WsClient) {
    let (call, peer) = dial_speaking(dora_ws, "2501");
    dora_ws.wait_for_within(RINGING, state(&call, "connected"));
    assert!(peer.wait_until(Duration::from_secs(20), |_| hears_the_tone(&peer)));
    std::thread::sleep(Duration::from_millis(2_500));
    dora_ws.send(json!({"type": "call.hangup", "ref": 2, "call": call}));
    let _ = s;
}

#[test]
fn a_new_message_arrives_by_email_with_the_recording_or_only_a_link() {
    let receiver = testkit::smtp::SmtpReceiver::start(Default::default());
    let s = testkit::server::start(mailing(&receiver));
    let mut admin = s.signed_in("a.admin");
    let mail = admin.request(
        "PATCH",
        "/api/v1/admin/staff/c.clerk",
        Some(json!({"email": "carl.clerk@lra.example"})),
    );
    assert_eq!(mail.status, 200, "{}", mail.body);
    let mut carl = s.signed_in("c.clerk");
    let _carl_ws = ws::connect(&carl, None);
    let dora = s.signed_in("d.new");
    let mut dora_ws = ws::connect(&dora, None);

    leave_message(&s, &mut dora_ws);
    let first = receiver.wait_for(1, Duration::from_secs(30));
    let m = &first[0];
    assert_eq!(m.envelope_to(), "carl.clerk@lra.example");
    assert_eq!(m.subject(), "Neue Sprachnachricht von Dora Neu (2502)");
    assert!(m.text().contains("Länge:"), "{}", m.text());
    let files = m.attachments();
    assert_eq!(files.len(), 1, "{}", m.raw);
    assert_eq!(files[0].content_type, "audio/ogg");
    assert!(files[0].name.starts_with("Sprachnachricht-") && files[0].name.ends_with(".opus"));
    let pcm = audio::opus::from_ogg_opus(&files[0].bytes, 60).unwrap();
    let middle = &pcm.samples[pcm.samples.len() / 4..pcm.samples.len() / 2];
    assert!(
        share_at(middle, 48_000, 600.0) > 0.8,
        "the mailed recording holds what she said"
    );

    // Carl wants only a link, in English.
    let link = carl.request(
        "PUT",
        "/api/v1/voicemail/settings",
        Some(json!({"enabled": true, "email_mode": "link", "language": "en", "absence_on": false})),
    );
    assert_eq!(link.status, 200, "{}", link.body);
    leave_message(&s, &mut dora_ws);
    let both = receiver.wait_for(2, Duration::from_secs(30));
    let m = &both[1];
    assert_eq!(
        m.subject(),
        "New voice message from Dora Neu (2502)",
        "{}",
        m.raw
    );
    assert!(m.attachments().is_empty());
    assert!(
        m.text()
            .contains("https://durchwahl.lra.example/#voicemail"),
        "{}",
        m.text()
    );

    // Off: no more mail.
    let off = carl.request(
        "PUT",
        "/api/v1/voicemail/settings",
        Some(json!({"enabled": true, "email_mode": "off", "language": "de", "absence_on": false})),
    );
    assert_eq!(off.status, 200);
    leave_message(&s, &mut dora_ws);
    let until = Instant::now() + Duration::from_secs(10);
    while carl.get("/api/v1/voicemail").json()["messages"]
        .as_array()
        .map_or(0, Vec::len)
        < 3
    {
        assert!(Instant::now() < until, "the third message arrives");
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(receiver.messages().len(), 2, "no mail with e-mail off");
}

#[test]
fn ones_own_number_or_98_plays_ones_box_on_the_phone_with_its_keys() {
    let s = testkit::server::start(short_rings());
    let mut carl = s.signed_in("c.clerk");
    let mut carl_ws = ws::connect(&carl, None);
    // An empty box: "no new messages, goodbye", then the box hangs up.
    let (call, _peer) = dial_speaking(&mut carl_ws, "2501");
    carl_ws.wait_for_within(RINGING, state(&call, "connected"));
    let ended = carl_ws
        .wait_for(|f| f["type"] == "call.state" && f["call"] == call && f["state"] == "ended");
    assert_eq!(ended["reason"], "hangup", "{ended}");

    // Dora leaves a message (Carl's client is open but he does not answer).
    let dora = s.signed_in("d.new");
    let mut dora_ws = ws::connect(&dora, None);
    leave_message(&s, &mut dora_ws);
    let list = box_with(&mut carl, 1);
    let id = list["messages"][0]["id"].as_i64().unwrap();
    assert_eq!(list["messages"][0]["heard"], false);

    // *98: he hears it; 2 goes on (heard), and the box says goodbye.
    let (call, peer) = dial_speaking(&mut carl_ws, "*98");
    carl_ws.wait_for_within(RINGING, state(&call, "connected"));
    assert!(
        peer.wait_until(Duration::from_secs(20), |_| heard(&peer).len() > 8_000 * 4),
        "the intro and the message play"
    );
    carl_ws.send(json!({"type": "call.dtmf", "ref": 5, "call": call, "digits": "2"}));
    // Heard: his clients' count follows at once, then the box says goodbye.
    carl_ws.wait_for(|f| f["type"] == "voicemail.count" && f["unheard"] == 0);
    let ended = carl_ws
        .wait_for(|f| f["type"] == "call.state" && f["call"] == call && f["state"] == "ended");
    assert_eq!(ended["reason"], "hangup", "{ended}");
    let after = carl.get("/api/v1/voicemail").json();
    assert_eq!(after["messages"][0]["id"], id);
    assert_eq!(after["messages"][0]["heard"], true, "{after}");
}

#[test]
fn two_stars_and_an_extension_lead_straight_to_that_box() {
    let s = testkit::server::start(short_rings());
    let mut carl = s.signed_in("c.clerk");
    let mut carl_ws = ws::connect(&carl, None);
    let dora = s.signed_in("d.new");
    let mut dora_ws = ws::connect(&dora, None);
    let (call, peer) = dial_speaking(&mut dora_ws, "**2501");
    // No ringing: the box answers at once.
    dora_ws.wait_for(state(&call, "connected"));
    assert!(peer.wait_until(Duration::from_secs(20), |_| hears_the_tone(&peer)));
    std::thread::sleep(Duration::from_millis(2_000));
    dora_ws.send(json!({"type": "call.hangup", "ref": 2, "call": call}));
    let list = box_with(&mut carl, 1);
    assert_eq!(list["messages"][0]["caller_name"], "Dora Neu", "{list}");
    let seen = carl_ws.drain(Duration::from_millis(200));
    assert!(
        !seen.iter().any(|f| f["type"] == "call.incoming"),
        "Carl's browser never rang: {seen:?}"
    );
    // No box behind that number.
    let offer = WebRtcPeer::new(&[Codec::PCMA]).offer;
    dora_ws.send(json!({"type": "call.dial", "ref": 9, "target": "**9999", "sdp": offer}));
    assert_eq!(dora_ws.wait_for(|f| f["ref"] == 9)["code"], "not_found");
}
