//! A hotline across a crash: a caller who was promised a callback is still called back by
//! the server that starts next on the same database, and a caller who waited on the line
//! when the server died gets an outcome in the event log (an abandon), so the figures do
//! not show them waiting. On SQLite, and on PostgreSQL when the run has one.

use audio::prompts::{self, Language};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use str0m::format::Codec;
use testkit::rtp_peer::RtpPeer;
use testkit::server::{on_every_database, Options, TestServer};
use testkit::sip_phone::sdp::Sdp;
use testkit::sip_phone::udp::{UdpPhone, WAIT};
use testkit::sip_phone::PhoneEvent;
use testkit::webrtc_peer::WebRtcPeer;
use testkit::ws;

/// Where `clip`'s first 20 ms frames are among `heard`.
fn heard(heard: &[Vec<u8>], clip: &[u8]) -> bool {
    let frames: Vec<&[u8]> = clip.chunks(160).take(10).collect();
    (0..heard.len()).any(|i| {
        frames
            .iter()
            .enumerate()
            .all(|(k, f)| heard.get(i + k).is_some_and(|h| h.as_slice() == *f))
    })
}

fn events_until(
    s: &TestServer,
    done: impl Fn(&[queues::EventKind]) -> bool,
) -> Vec<queues::EventKind> {
    let end = Instant::now() + WAIT;
    loop {
        let events = s.block_on(s.store.queue_events(0, i64::MAX)).unwrap();
        let kinds: Vec<queues::EventKind> = events.into_iter().map(|e| e.kind).collect();
        if done(&kinds) || Instant::now() > end {
            return kinds;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_promised_callback_survives_a_crash_and_waiting_callers_get_an_outcome() {
    for s in on_every_database(Options::default) {
        across_a_crash(s);
    }
}

fn across_a_crash(s: TestServer) {
    let label = s.label;
    let mut admin = s.signed_in("a.admin");
    let made = admin.post(
        "/api/v1/admin/hotlines",
        json!({"name": "Absturzhotline", "extension": "2900",
               "queue": {"name": "Fragen", "callback_after_secs": 1, "wrap_up_secs": 0},
               "agents": [{"login": "c.clerk"}]}),
    );
    assert_eq!(made.status, 201, "{label}: {}", made.body);

    // Dora's desk phone calls, hears the callback offer, presses 1 and is told she will be
    // called back; the hotline hangs up.
    let mut phone = UdpPhone::bind(s.sip_account("d.new", "Tischtelefon"), s.sip).unwrap();
    assert!(phone.register_until_accepted(WAIT) > 0, "{label}");
    let mut rtp = RtpPeer::bind(0x2502_0001).unwrap();
    let call = phone.call("2900", &Sdp::offer(rtp.local_addr()).to_string());
    let answered = phone.wait_for(WAIT, |e| match e {
        PhoneEvent::Answered { call: c, sdp } if *c == call => Some(sdp.clone()),
        _ => None,
    });
    rtp.set_remote(Some(Sdp::parse(&answered.unwrap()).unwrap().media));
    let offer = prompts::clip(Language::German, "callback_offer").unwrap();
    let offered = rtp.run(1, Duration::from_secs(30), |r| {
        r.sources().any(|(_, f)| heard(&f.voice, offer))
    });
    assert!(offered.unwrap(), "{label}: the callback is offered");
    rtp.send_event(1);
    let confirmed = prompts::clip(Language::German, "callback_confirmed").unwrap();
    let confirmed = rtp.run(5, Duration::from_secs(30), |r| {
        r.sources().any(|(_, f)| heard(&f.voice, confirmed))
    });
    assert!(confirmed.unwrap(), "{label}: the callback is confirmed");
    phone.wait_for(Duration::from_secs(20), |e| match e {
        PhoneEvent::Ended { call: c, .. } if *c == call => Some(()),
        _ => None,
    });
    // Bärbel calls from her browser and waits on the line.
    let b = s.signed_in("b.user");
    let mut bws = ws::connect(&b, None);
    let peer = WebRtcPeer::new(&[Codec::PCMA]);
    bws.send(json!({"type": "call.dial", "ref": 1, "target": "2900", "sdp": peer.offer}));
    let waiting = |k: &[queues::EventKind]| {
        k.iter()
            .filter(|e| matches!(e, queues::EventKind::Entered { .. }))
            .count()
            == 2
    };
    let before = events_until(&s, waiting);
    assert!(waiting(&before), "{label}: {before:?}");
    let promised = s.block_on(s.store.promised_callbacks()).unwrap();
    assert_eq!(promised.len(), 1, "{label}: the promise is written");
    assert_eq!(promised[0].number, "2502", "{label}");

    // The server dies with Bärbel still waiting (her browser goes only afterwards). The
    // next one starts on the same database.
    let s = s.restart(Options::default());
    drop((bws, peer, phone));
    let cut_off = |k: &[queues::EventKind]| {
        k.iter()
            .any(|e| matches!(e, queues::EventKind::Abandoned { position: 0, .. }))
    };
    let after = events_until(&s, cut_off);
    assert!(
        cut_off(&after),
        "{label}: Bärbel's call has its end: {after:?}"
    );
    let mut admin = s.signed_in("a.admin");
    let hotline = made.json()["id"].as_i64().unwrap();
    let board = admin
        .get(&format!("/api/v1/hotlines/{hotline}/board"))
        .json();
    let waiting: Vec<&Value> = board["waiting"].as_array().unwrap().iter().collect();
    assert_eq!(
        waiting.len(),
        1,
        "{label}: only the callback keeps a place: {board}"
    );
    assert_eq!(waiting[0]["callback"], true, "{label}");
    assert_eq!(
        board["today"]["waiting"], 0,
        "{label}: nobody waits on the line: {board}"
    );

    // Carl logs in: the promised callback rings him, then Dora's phone, from the hotline.
    let mut phone = UdpPhone::bind(s.sip_account("d.new", "Zweittelefon"), s.sip).unwrap();
    assert!(phone.register_until_accepted(WAIT) > 0, "{label}");
    let mut c = s.signed_in("c.clerk");
    let mut cws = ws::connect(&c, None);
    let r = c.post("/api/v1/hotline/agent", json!({"action": "log_in"}));
    assert_eq!(r.status, 200, "{label}: {}", r.body);
    let incoming = cws.wait_for(|f| f["type"] == "call.incoming");
    assert_eq!(
        incoming["hotline"], "Absturzhotline – Rückruf",
        "{label}: {incoming}"
    );
    let back = incoming["call"].as_str().unwrap().to_string();
    let _carl = testkit::webrtc_peer::answer(&mut cws, 1, &back, 0xcb);
    let (incoming, from, offer) = phone.wait_for(WAIT, |e| match e {
        PhoneEvent::Incoming {
            call, from, sdp, ..
        } => Some((*call, from.clone(), sdp.clone())),
        _ => None,
    });
    assert!(from.contains("2900"), "{label}: the hotline calls: {from}");
    let rtp2 = RtpPeer::bind(0x2502_0002).unwrap();
    let offered = Sdp::parse(&offer.unwrap()).unwrap();
    phone
        .answer(incoming, &offered.answer(rtp2.local_addr()).to_string())
        .unwrap();
    let done = |k: &[queues::EventKind]| {
        k.iter()
            .any(|e| matches!(e, queues::EventKind::CallbackDone { .. }))
    };
    assert!(
        done(&events_until(&s, done)),
        "{label}: the promise is kept"
    );
    let end = Instant::now() + WAIT;
    while !s.block_on(s.store.promised_callbacks()).unwrap().is_empty() {
        assert!(Instant::now() < end, "{label}: the kept promise is deleted");
        std::thread::sleep(Duration::from_millis(50));
    }
}
