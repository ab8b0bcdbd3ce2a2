//! The citizen hotline end to end: an administrator sets one up through the API, agents
//! log in from their browsers (WebSocket clients with real WebRTC peers), and a desk
//! phone (the test phone: SIP over UDP with an RTP peer) calls its extension. The server
//! answers at once and plays the welcome and the position, byte for byte the built-in
//! prompts; the longest-free agent is rung with the caller's number and the hotline's
//! name; when they answer, the prompts stop and the two hear each other through the
//! relay; the event log, the agent's state and the supervisor's wallboard follow. On
//! SQLite, and on PostgreSQL when the run has one.

use audio::prompts::{self, Language};
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use str0m::format::Codec;
use testkit::rtp_peer::{RtpPeer, PCMA};
use testkit::server::{on_every_database, Options, TestServer};
use testkit::sip_phone::sdp::Sdp;
use testkit::sip_phone::udp::{UdpPhone, WAIT};
use testkit::sip_phone::PhoneEvent;
use testkit::webrtc_peer::WebRtcPeer;
use testkit::ws;

const CALLER_SSRC: u32 = 0x2502_0001;

fn state<'a>(call: &'a str, s: &'a str) -> impl Fn(&Value) -> bool + 'a {
    move |f| f["type"] == "call.state" && f["call"] == call && f["state"] == s
}

/// Where `clip`'s 20 ms frames start among `heard`, if all of them came in order.
fn heard_at(heard: &[Vec<u8>], clip: &[u8]) -> Option<usize> {
    let frames: Vec<&[u8]> = clip.chunks(160).collect();
    (0..heard.len()).find(|&i| {
        frames
            .iter()
            .enumerate()
            .all(|(k, f)| heard.get(i + k).is_some_and(|h| h.as_slice() == *f))
    })
}

fn create_hotline(s: &TestServer) -> (i64, i64) {
    let mut admin = s.signed_in("a.admin");
    let body = json!({
        "name": "Testhotline", "extension": "2900", "did": "+4993219282900",
        "queue": {"name": "Fragen", "strategy": "longest_idle", "ring_secs": 20, "wrap_up_secs": 2},
        "agents": [{"login": "b.user"}, {"login": "c.clerk"}],
        "supervisors": ["a.admin"],
    });
    let r = admin.post("/api/v1/admin/hotlines", body.clone());
    assert_eq!(r.status, 201, "{}: {}", s.label, r.body);
    let made = r.json();
    // The same extension again: refused, nothing made.
    let again = admin.post(
        "/api/v1/admin/hotlines",
        json!({"name": "Zweite", "extension": "2900", "queue": {"name": "x"}}),
    );
    assert_eq!(again.status, 409, "{}: {}", s.label, again.body);
    // A person's extension is no hotline's.
    let person = admin.post(
        "/api/v1/admin/hotlines",
        json!({"name": "Dritte", "extension": "2501", "queue": {"name": "x"}}),
    );
    assert_eq!(person.status, 409, "{}: {}", s.label, person.body);
    let bad = admin.post("/api/v1/admin/hotlines", json!({"name": "Vierte", "extension": "2999", "hours": ["8-12", "", "", "", "", "", ""], "queue": {"name": "x"}}));
    assert_eq!(bad.status, 400, "{}: {}", s.label, bad.body);
    assert_eq!(bad.json()["field"], "hours.0");
    let list = admin.get("/api/v1/admin/hotlines").json();
    assert_eq!(list.as_array().unwrap().len(), 1, "{}: {list}", s.label);
    // Not for everyone.
    let mut clerk = s.signed_in("c.clerk");
    assert_eq!(clerk.post("/api/v1/admin/hotlines", body).status, 403);
    (
        made["id"].as_i64().unwrap(),
        made["queue"].as_i64().unwrap(),
    )
}

/// Two media threads: the caller's and the agent's legs must still meet on one.
fn two_media_threads() -> Options {
    let mut options = Options::default();
    options.config.media.threads = 2;
    options
}

fn log_in(client: &mut testkit::http::Client) -> Value {
    let r = client.post("/api/v1/hotline/agent", json!({"action": "log_in"}));
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

#[test]
fn a_phone_calls_the_hotline_hears_the_prompts_and_reaches_the_longest_free_agent() {
    for s in on_every_database(two_media_threads) {
        through_the_hotline(&s);
    }
}

fn through_the_hotline(s: &TestServer) {
    let label = s.label;
    let (hotline, queue) = create_hotline(s);
    let (mut b, mut c) = (s.signed_in("b.user"), s.signed_in("c.clerk"));
    let mut bws = ws::connect(&b, None);
    let mut cws = ws::connect(&c, None);
    // Carl logs in first: he has been free the longest.
    let carl = log_in(&mut c);
    assert_eq!(carl["state"], "ready", "{label}: {carl}");
    assert_eq!(carl["queues"][0]["name"], "Fragen");
    std::thread::sleep(Duration::from_millis(20));
    log_in(&mut b);
    // Someone who is no agent cannot log in.
    let mut dora = s.signed_in("d.new");
    let refused = dora.post("/api/v1/hotline/agent", json!({"action": "log_in"}));
    assert_eq!(refused.status, 403, "{label}: {}", refused.body);
    let paused = b.post(
        "/api/v1/hotline/agent",
        json!({"action": "pause", "reason": " "}),
    );
    assert_eq!(paused.status, 400, "{label}: a pause needs a reason");

    // Dora's desk phone calls the hotline.
    let mut phone = UdpPhone::bind(s.sip_account("d.new", "Tischtelefon"), s.sip).unwrap();
    assert!(phone.register_until_accepted(WAIT) > 0, "{label}");
    let mut rtp = RtpPeer::bind(CALLER_SSRC).unwrap();
    let call = phone.call("2900", &Sdp::offer(rtp.local_addr()).to_string());
    let answered = phone.wait_for(WAIT, |e| match e {
        PhoneEvent::Answered { call: c, sdp } if *c == call => Some(sdp.clone()),
        PhoneEvent::Failed { code, .. } => panic!("{label}: the hotline refused with {code}"),
        _ => None,
    });
    let answered = Sdp::parse(&answered.expect("an answer")).unwrap();
    assert_eq!(answered.codec(), Some(PCMA), "{label}");

    // Carl's browser rings at once with the caller and the hotline.
    let incoming = cws.wait_for(|f| f["type"] == "call.incoming");
    assert_eq!(incoming["from"]["number"], "2502", "{label}: {incoming}");
    assert_eq!(incoming["hotline"], "Testhotline", "{label}: {incoming}");
    let offer_id = incoming["call"].as_str().unwrap().to_string();
    assert_eq!(
        c.get("/api/v1/hotline/agent").json()["state"],
        "ringing",
        "{label}"
    );

    // Meanwhile the caller hears the welcome, then the position ("Sie sind an Position
    // eins"), byte for byte the built-in prompts (both PCMA: nothing converted).
    rtp.set_remote(Some(answered.media));
    let welcome = prompts::clip(Language::German, "welcome").unwrap();
    let position = prompts::position(Language::German, 1, None);
    let want = (welcome.len() + position.len()) / 160 + 5;
    let heard_all = rtp
        .run(want as u64, Duration::from_secs(30), |r| {
            r.sources().map(|(_, f)| f.voice.len()).sum::<usize>() >= want
        })
        .unwrap();
    assert!(heard_all, "{label}: the prompts did not arrive");
    let heard = rtp.received().sources().next().unwrap().1.voice.clone();
    let w = heard_at(&heard, welcome)
        .unwrap_or_else(|| panic!("{label}: no welcome in {} packets", heard.len()));
    assert_eq!(w, 0, "{label}: the welcome comes first");
    let p = heard_at(&heard, &position).expect("the position follows");
    assert_eq!(p, welcome.len() / 160, "{label}: right after the welcome");
    let from = rtp.received().sources().next().unwrap().1;
    assert_eq!(
        (from.lost, from.late),
        (0, 0),
        "{label}: prompts on loopback lose nothing"
    );

    // Carl answers in his browser: connected, the prompts stop, audio both ways.
    let carl_peer = WebRtcPeer::new(&[Codec::PCMA]);
    cws.send(json!({"type": "call.answer", "ref": 5, "call": offer_id, "sdp": carl_peer.offer}));
    assert_eq!(cws.wait_for(|f| f["ref"] == 5)["type"], "ack", "{label}");
    let sdp = cws.wait_for(|f| f["type"] == "call.media" && f["call"] == offer_id)["sdp"]
        .as_str()
        .unwrap()
        .to_string();
    let carl_peer = carl_peer.start(&sdp, 0xca);
    cws.wait_for(state(&offer_id, "connected"));
    // Carl's peer sends its tag then 0x5a: that is what the caller hears now.
    let from_carl = |r: &testkit::rtp_peer::Received| {
        r.sources()
            .flat_map(|(_, f)| f.voice.iter())
            .filter(|v| v.len() == 160 && v[0] == 0xca && v[1..].iter().all(|b| *b == 0x5a))
            .count()
    };
    let got = rtp.run(100, Duration::from_secs(10), |r| from_carl(r) > 10);
    assert!(got.unwrap(), "{label}: the caller hears Carl");
    assert!(
        carl_peer.wait_until(Duration::from_secs(10), |c| c
            .received
            .load(Ordering::Relaxed)
            > 25),
        "{label}: Carl hears the caller: {:?}",
        carl_peer.counts
    );
    let agent = c.get("/api/v1/hotline/agent").json();
    assert_eq!(agent["state"], "on_call", "{label}: {agent}");
    // Bärbel was never rung.
    assert!(
        !bws.drain(Duration::from_millis(200))
            .iter()
            .any(|f| f["type"] == "call.incoming"),
        "{label}"
    );

    // The caller hangs up: Carl's wrap-up, then ready by itself.
    phone.hang_up(call).unwrap();
    cws.wait_for(state(&offer_id, "ended"));
    cws.wait_for(|f| f["type"] == "queue.agent" && f["agent"]["state"] == "wrap_up");
    cws.wait_for(|f| f["type"] == "queue.agent" && f["agent"]["state"] == "ready");

    // The event log, and the supervisor's wallboard from it.
    let end = Instant::now() + WAIT;
    let events = loop {
        let events = s.block_on(s.store.queue_events(0, i64::MAX)).unwrap();
        if events
            .iter()
            .any(|e| matches!(e.kind, queues::EventKind::Answered { .. }))
            || Instant::now() > end
        {
            break events;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let carl_id = s.staff_id("c.clerk");
    let kinds: Vec<&queues::EventKind> = events
        .iter()
        .filter(|e| e.queue.0 == queue)
        .map(|e| &e.kind)
        .filter(|k| k.call().is_some())
        .collect();
    assert!(
        matches!(kinds[..], [
        queues::EventKind::Entered { position: 1, .. },
        queues::EventKind::Offered { agent, .. },
        queues::EventKind::Answered { agent: answered_by, waited_ms, .. },
    ] if *agent == carl_id && *answered_by == carl_id && *waited_ms >= 1_000),
        "{label}: {kinds:?}"
    );
    let mut admin = s.signed_in("a.admin");
    let board = admin.get(&format!("/api/v1/hotlines/{hotline}/board"));
    assert_eq!(board.status, 200, "{label}: {}", board.body);
    let board = board.json();
    assert_eq!(
        (
            board["today"]["offered"].as_u64(),
            board["today"]["answered"].as_u64()
        ),
        (Some(1), Some(1)),
        "{label}: {board}"
    );
    assert_eq!(
        board["agents"].as_array().unwrap().len(),
        2,
        "{label}: {board}"
    );
    // Agents do not see the wallboard; the report for today says the same as the board.
    assert_eq!(
        c.get(&format!("/api/v1/hotlines/{hotline}/board")).status,
        403,
        "{label}"
    );
    let csv = admin.get(&format!(
        "/api/v1/hotlines/{hotline}/report?from=2020-01-01&to=2020-01-02&format=csv"
    ));
    assert_eq!(csv.status, 200, "{label}");
    assert!(csv.body.contains("Gesamt;0;0"), "{label}: {}", csv.body);
}

#[test]
fn a_caller_who_presses_one_is_called_back_when_an_agent_is_free() {
    let s = testkit::server::start(Options::default());
    let mut admin = s.signed_in("a.admin");
    let made = admin.post(
        "/api/v1/admin/hotlines",
        json!({"name": "Rückrufhotline", "extension": "2900",
               "queue": {"name": "Fragen", "callback_after_secs": 1, "wrap_up_secs": 0},
               "agents": [{"login": "c.clerk"}]}),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let mut c = s.signed_in("c.clerk");
    let mut cws = ws::connect(&c, None);

    // Dora calls; nobody is logged in. She hears the welcome, her position, and then the
    // offer of a callback, and presses 1.
    let mut phone = UdpPhone::bind(s.sip_account("d.new", "Tischtelefon"), s.sip).unwrap();
    assert!(phone.register_until_accepted(WAIT) > 0);
    let mut rtp = RtpPeer::bind(CALLER_SSRC).unwrap();
    let call = phone.call("2900", &Sdp::offer(rtp.local_addr()).to_string());
    let answered = phone.wait_for(WAIT, |e| match e {
        PhoneEvent::Answered { call: c, sdp } if *c == call => Some(sdp.clone()),
        _ => None,
    });
    rtp.set_remote(Some(Sdp::parse(&answered.unwrap()).unwrap().media));
    let offer = prompts::clip(Language::German, "callback_offer").unwrap();
    // (`run` sends at least that many packets, then waits for the condition.)
    let heard_offer = rtp
        .run(1, Duration::from_secs(30), |r| {
            r.sources()
                .any(|(_, f)| heard_at(&f.voice, &offer[..1_600]).is_some())
        })
        .unwrap();
    assert!(heard_offer, "the callback is offered");
    rtp.send_event(1);
    let confirmed = prompts::clip(Language::German, "callback_confirmed").unwrap();
    let heard = rtp
        .run(5, Duration::from_secs(30), |r| {
            r.sources()
                .any(|(_, f)| heard_at(&f.voice, &confirmed[..1_600]).is_some())
        })
        .unwrap();
    assert!(heard, "the callback is confirmed");
    // After the confirmation the hotline hangs up; the place stays.
    phone.wait_for(Duration::from_secs(20), |e| match e {
        PhoneEvent::Ended { call: c, .. } if *c == call => Some(()),
        _ => None,
    });

    // Carl logs in: his browser rings for the callback, showing whom he will call.
    let r = c.post("/api/v1/hotline/agent", json!({"action": "log_in"}));
    assert_eq!(r.status, 200, "{}", r.body);
    let incoming = cws.wait_for(|f| f["type"] == "call.incoming");
    assert_eq!(incoming["from"]["number"], "2502", "{incoming}");
    assert_eq!(
        incoming["hotline"], "Rückrufhotline – Rückruf",
        "{incoming}"
    );
    let back = incoming["call"].as_str().unwrap().to_string();
    let carl = WebRtcPeer::new(&[Codec::PCMA]);
    cws.send(json!({"type": "call.answer", "ref": 1, "call": back, "sdp": carl.offer}));
    assert_eq!(cws.wait_for(|f| f["ref"] == 1)["type"], "ack");
    let sdp = cws.wait_for(|f| f["type"] == "call.media" && f["call"] == back)["sdp"]
        .as_str()
        .unwrap()
        .to_string();
    let _carl = carl.start(&sdp, 0xcb);
    // Then Dora's phone rings, from the hotline's number; she answers.
    let (incoming, from, offer) = phone.wait_for(WAIT, |e| match e {
        PhoneEvent::Incoming {
            call, from, sdp, ..
        } => Some((*call, from.clone(), sdp.clone())),
        _ => None,
    });
    assert!(from.contains("2900"), "the hotline calls: {from}");
    let mut rtp2 = RtpPeer::bind(CALLER_SSRC + 1).unwrap();
    let offered = Sdp::parse(&offer.unwrap()).unwrap();
    phone
        .answer(incoming, &offered.answer(rtp2.local_addr()).to_string())
        .unwrap();
    cws.wait_for(|f| f["type"] == "call.state" && f["call"] == back && f["state"] == "connected");
    rtp2.set_remote(Some(offered.media));
    let from_carl = |r: &testkit::rtp_peer::Received| {
        r.sources()
            .flat_map(|(_, f)| f.voice.iter())
            .filter(|v| v.len() == 160 && v[0] == 0xcb)
            .count()
    };
    assert!(
        rtp2.run(100, Duration::from_secs(10), |r| from_carl(r) > 10)
            .unwrap(),
        "Dora hears Carl"
    );
    let end = Instant::now() + WAIT;
    let events = loop {
        let events = s.block_on(s.store.queue_events(0, i64::MAX)).unwrap();
        if events
            .iter()
            .any(|e| matches!(e.kind, queues::EventKind::CallbackDone { .. }))
            || Instant::now() > end
        {
            break events;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let kinds: Vec<&str> = events
        .iter()
        .filter(|e| e.kind.call().is_some())
        .map(|e| match e.kind {
            queues::EventKind::Entered { .. } => "entered",
            queues::EventKind::CallbackRequested { .. } => "callback_requested",
            queues::EventKind::Offered { .. } => "offered",
            queues::EventKind::CallbackDone { .. } => "callback_done",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        ["entered", "callback_requested", "offered", "callback_done"]
    );
}

/// A second of a rising tone as a 16-bit WAV at 16 kHz (resampled by the server).
fn tone_wav() -> Vec<u8> {
    let samples: Vec<i16> = (0..16_000)
        .map(|i| {
            let f = 300.0 + i as f32 / 40.0;
            (f32::sin(i as f32 * f * std::f32::consts::TAU / 16_000.0) * 9_000.0) as i16
        })
        .collect();
    let mut wav = Vec::new();
    let data = (samples.len() * 2) as u32;
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    for v in [1u16, 1] {
        wav.extend_from_slice(&v.to_le_bytes());
    }
    for v in [16_000u32, 32_000] {
        wav.extend_from_slice(&v.to_le_bytes());
    }
    for v in [2u16, 16] {
        wav.extend_from_slice(&v.to_le_bytes());
    }
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data.to_le_bytes());
    for s in samples {
        wav.extend_from_slice(&s.to_le_bytes());
    }
    wav
}

#[test]
fn an_uploaded_welcome_is_what_callers_hear_and_bad_files_change_nothing() {
    let s = testkit::server::start(Options::default());
    let (hotline, _) = create_hotline(&s);
    let mut admin = s.signed_in("a.admin");
    let path = format!("/api/v1/admin/hotlines/{hotline}/announcements/welcome");
    let builtin = admin.get(&path);
    assert_eq!(builtin.status, 200);
    assert_eq!(builtin.header("x-announcement"), Some("builtin"));
    // Not a sound file: refused, the built-in one stays.
    let bad = admin.request_raw(
        "PUT",
        &format!("{path}?name=ansage.mp3"),
        "audio/mpeg",
        b"kein Ton",
    );
    assert_eq!(bad.status, 400, "{}", bad.body);
    assert_eq!(bad.json()["field"], "file");
    assert_eq!(admin.get(&path).header("x-announcement"), Some("builtin"));
    // Only administrators.
    let mut clerk = s.signed_in("c.clerk");
    assert_eq!(
        clerk
            .request_raw("PUT", &path, "audio/wav", &tone_wav())
            .status,
        403
    );
    let up = admin.request_raw(
        "PUT",
        &format!("{path}?name=begruessung.wav"),
        "audio/wav",
        &tone_wav(),
    );
    assert_eq!(up.status, 200, "{}", up.body);
    assert_eq!(up.json()["duration_secs"], 1.0);
    let original = admin.get(&path);
    assert_eq!(original.header("x-announcement"), Some("own"));
    // Listening back: the uploaded quality as Ogg Opus, one second long ...
    assert_eq!(original.header("content-type"), Some("audio/ogg"));
    let opus = audio::opus::from_ogg_opus(&original.bytes, 60).unwrap();
    assert_eq!(opus.duration_ms(), 1_000);
    // ... or the telephone copy as WAV; an unknown choice is refused.
    let phone_sound = admin.get(&format!("{path}?sound=phone"));
    assert_eq!(phone_sound.header("content-type"), Some("audio/wav"));
    assert_eq!(phone_sound.bytes.len(), 44 + 16_000, "1 s of 8 kHz 16-bit");
    assert_eq!(admin.get(&format!("{path}?sound=loud")).status, 400);

    // A caller hears exactly the uploaded welcome, as telephone audio.
    let expected = audio::announcement::prepare(tone_wav(), Some("wav"), 60)
        .unwrap()
        .alaw;
    let mut phone = UdpPhone::bind(s.sip_account("d.new", "Tischtelefon"), s.sip).unwrap();
    assert!(phone.register_until_accepted(WAIT) > 0);
    let mut rtp = RtpPeer::bind(CALLER_SSRC).unwrap();
    let call = phone.call("2900", &Sdp::offer(rtp.local_addr()).to_string());
    let answered = phone.wait_for(WAIT, |e| match e {
        PhoneEvent::Answered { call: c, sdp } if *c == call => Some(sdp.clone()),
        _ => None,
    });
    rtp.set_remote(Some(Sdp::parse(&answered.unwrap()).unwrap().media));
    let heard = rtp
        .run(1, Duration::from_secs(10), |r| {
            r.sources()
                .any(|(_, f)| heard_at(&f.voice, &expected) == Some(0))
        })
        .unwrap();
    assert!(
        heard,
        "the caller hears the uploaded welcome from its first frame"
    );
    phone.hang_up(call).unwrap();
}

#[test]
fn an_agent_without_a_browser_answers_on_the_desk_phone() {
    let s = testkit::server::start(two_media_threads());
    let mut admin = s.signed_in("a.admin");
    let made = admin.post(
        "/api/v1/admin/hotlines",
        json!({"name": "Tischtelefonhotline", "extension": "2900",
               "queue": {"name": "Fragen", "wrap_up_secs": 0}, "agents": [{"login": "c.clerk"}]}),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    // Carl has only his desk phone; he logs in from somewhere and closes the page.
    let mut desk = UdpPhone::bind(s.sip_account("c.clerk", "Tischtelefon"), s.sip).unwrap();
    assert!(desk.register_until_accepted(WAIT) > 0);
    let mut c = s.signed_in("c.clerk");
    assert_eq!(
        c.post("/api/v1/hotline/agent", json!({"action": "log_in"}))
            .status,
        200
    );

    let mut phone = UdpPhone::bind(s.sip_account("d.new", "Tischtelefon"), s.sip).unwrap();
    assert!(phone.register_until_accepted(WAIT) > 0);
    let mut rtp = RtpPeer::bind(CALLER_SSRC).unwrap();
    let call = phone.call("2900", &Sdp::offer(rtp.local_addr()).to_string());
    let answered = phone.wait_for_with(&mut [&mut desk], WAIT, |e| match e {
        PhoneEvent::Answered { call: c, sdp } if *c == call => Some(sdp.clone()),
        _ => None,
    });
    rtp.set_remote(Some(Sdp::parse(&answered.unwrap()).unwrap().media));
    // Carl's desk phone rings with Dora's number; he answers.
    let (incoming, from, offer) = desk.wait_for_with(&mut [&mut phone], WAIT, |e| match e {
        PhoneEvent::Incoming {
            call, from, sdp, ..
        } => Some((*call, from.clone(), sdp.clone())),
        _ => None,
    });
    assert!(from.contains("2502"), "the caller's number: {from}");
    let mut agent_rtp = RtpPeer::bind(0x2501_0001).unwrap();
    let offered = Sdp::parse(&offer.unwrap()).unwrap();
    desk.answer(
        incoming,
        &offered.answer(agent_rtp.local_addr()).to_string(),
    )
    .unwrap();
    agent_rtp.set_remote(Some(offered.media));
    // They hear each other through the server (the relay renumbers the packets; the
    // payloads stay the sender's patterns).
    let from = |r: &testkit::rtp_peer::Received, ssrc: u32| {
        let patterns: Vec<Vec<u8>> = (0..=255u16)
            .map(|s| testkit::rtp_peer::pattern(ssrc, s))
            .collect();
        r.sources()
            .flat_map(|(_, f)| f.voice.iter())
            .filter(|v| patterns.contains(v))
            .count()
    };
    let (caller_hears, agent_hears) = std::thread::scope(|scope| {
        let a = scope.spawn(|| {
            rtp.run(100, Duration::from_secs(10), |r| from(r, 0x2501_0001) > 20)
                .unwrap()
        });
        let b = scope.spawn(|| {
            agent_rtp
                .run(100, Duration::from_secs(10), |r| from(r, CALLER_SSRC) > 20)
                .unwrap()
        });
        (a.join().unwrap(), b.join().unwrap())
    });
    assert!(caller_hears, "the caller hears the agent");
    assert!(agent_hears, "the agent hears the caller");
    assert_eq!(c.get("/api/v1/hotline/agent").json()["state"], "on_call");
    phone.hang_up(call).unwrap();
    let end = Instant::now() + WAIT;
    while c.get("/api/v1/hotline/agent").json()["state"] != "ready" {
        assert!(Instant::now() < end, "Carl is ready again after the call");
        desk.pump(Duration::from_millis(50));
    }
    // He is off the phone again: the next caller rings his desk phone too.
    let again = phone.call("2900", &Sdp::offer(rtp.local_addr()).to_string());
    let (_, from, _) = desk.wait_for_with(&mut [&mut phone], WAIT, |e| match e {
        PhoneEvent::Incoming {
            call, from, sdp, ..
        } => Some((*call, from.clone(), sdp.clone())),
        _ => None,
    });
    assert!(from.contains("2502"), "{from}");
    phone.hang_up(again).unwrap();
}
