//! Calls between browsers through the server, end to end: the whole server in the test's
//! process, two people's WebSocket clients signalling `call.*`, and a real WebRTC peer
//! (str0m, full ICE, over loopback UDP) for each browser. Audio must cross the server's
//! media relay both ways, stop while held and come back; presence and history follow.

mod common;

use common::setup;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::time::Duration;
use str0m::format::Codec;
use testkit::webrtc_peer::WebRtcPeer;
use testkit::ws::{self, WsClient};

fn state<'a>(call: &'a str, s: &'a str) -> impl Fn(&Value) -> bool + 'a {
    move |f| f["type"] == "call.state" && f["call"] == call && f["state"] == s
}

fn answer_of(ws: &mut WsClient, call: &str) -> String {
    ws.wait_for(|f| f["type"] == "call.media" && f["call"] == call)["sdp"]
        .as_str()
        .unwrap()
        .to_string()
}

const LONG: Duration = Duration::from_secs(10);

#[test]
fn two_browsers_talk_through_the_server_hold_and_hang_up() {
    let s = setup("");
    let (c, d) = (s.signed_in("c.clerk"), s.signed_in("d.new"));
    let mut cws = ws::connect(&c, None);
    let mut dws = ws::connect(&d, None);
    let mut dws2 = ws::connect(&d, None); // Dora's second browser rings too.

    let carl = WebRtcPeer::new(&[Codec::Opus, Codec::PCMA]);
    cws.send(json!({"type": "call.dial", "ref": 1, "target": "2502", "sdp": carl.offer}));
    let ack = cws.wait_for(|f| f["ref"] == 1);
    assert_eq!(ack["type"], "ack", "{ack}");
    let call = ack["call"].as_str().unwrap().to_string();
    let carl = carl.start(&answer_of(&mut cws, &call), 0xc1);
    cws.wait_for(state(&call, "ringing"));
    for w in [&mut dws, &mut dws2] {
        let incoming = w.wait_for(|f| f["type"] == "call.incoming");
        assert_eq!(
            (incoming["call"].as_str(), incoming["from"]["name"].as_str()),
            (Some(call.as_str()), Some("Carl Clerk"))
        );
        assert_eq!(incoming["from"]["number"], "2501");
    }

    let dora = WebRtcPeer::new(&[Codec::Opus, Codec::PCMA]);
    dws.send(json!({"type": "call.answer", "ref": 2, "call": call, "sdp": dora.offer}));
    assert_eq!(dws.wait_for(|f| f["ref"] == 2)["type"], "ack");
    let dora = dora.start(&answer_of(&mut dws, &call), 0xd0);
    let elsewhere = dws2.wait_for(state(&call, "ended"));
    assert_eq!(elsewhere["reason"], "answered_elsewhere");
    // Presence changes first, then both sides hear "connected".
    cws.wait_for(|f| {
        f["type"] == "presence"
            && f["entry"]["login"] == "d.new"
            && f["entry"]["state"] == "on_the_phone"
    });
    cws.wait_for(state(&call, "connected"));
    dws.wait_for(state(&call, "connected"));

    // Audio both ways, each side hearing the other's pattern.
    assert!(
        carl.wait_until(LONG, |c| c.with_pattern.load(Ordering::Relaxed) > 25),
        "Carl hears nothing: {:?}",
        carl.counts
    );
    assert!(
        dora.wait_until(LONG, |c| c.with_pattern.load(Ordering::Relaxed) > 25),
        "Dora hears nothing: {:?}",
        dora.counts
    );
    assert_eq!(carl.counts.last_tag.load(Ordering::Relaxed), 0xd0);
    assert_eq!(dora.counts.last_tag.load(Ordering::Relaxed), 0xc1);

    // Hold: nothing flows either way; resume brings it back.
    cws.send(json!({"type": "call.hold", "ref": 3, "call": call, "on": true}));
    cws.wait_for(state(&call, "held"));
    dws.wait_for(state(&call, "held"));
    std::thread::sleep(Duration::from_millis(300));
    let (c0, d0) = (carl.received(), dora.received());
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(
        (carl.received(), dora.received()),
        (c0, d0),
        "audio while held"
    );
    cws.send(json!({"type": "call.hold", "ref": 4, "call": call, "on": false}));
    cws.wait_for(state(&call, "connected"));
    assert!(dora.wait_until(LONG, |c| c.received.load(Ordering::Relaxed) > d0 + 10));

    // Digits typed by Carl reach Dora's leg as telephone-events.
    cws.send(json!({"type": "call.dtmf", "ref": 5, "call": call, "digits": "1#"}));
    assert_eq!(cws.wait_for(|f| f["ref"] == 5)["type"], "ack");
    assert!(
        dora.wait_until(LONG, |c| c.events.load(Ordering::Relaxed) >= 6),
        "{:?}",
        dora.counts
    );

    dws.send(json!({"type": "call.hangup", "ref": 6, "call": call}));
    assert_eq!(cws.wait_for(state(&call, "ended"))["reason"], "hangup");
    cws.wait_for(|f| {
        f["type"] == "presence"
            && f["entry"]["login"] == "d.new"
            && f["entry"]["state"] == "available"
    });
    drop((carl, dora));

    // Both histories have the call, answered.
    let mut d = d;
    let history = d.request("GET", "/api/v1/me/calls", None);
    let entries = history.json()["entries"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 1, "{}", history.json());
    assert_eq!(
        (
            entries[0]["direction"].as_str(),
            entries[0]["answered"].as_bool()
        ),
        (Some("in"), Some(true))
    );
    assert_eq!(entries[0]["peer"]["login"], "c.clerk");
    // The time is today's (Unix milliseconds shown as ISO 8601, not 1970).
    let started = entries[0]["started_at"].as_str().unwrap();
    assert!(
        started.starts_with("20") && !started.starts_with("1970"),
        "{started}"
    );
}

#[test]
fn bad_targets_and_foreign_calls_are_refused_and_a_missed_call_is_recorded() {
    let s = setup("");
    let (c, mut d) = (s.signed_in("c.clerk"), s.signed_in("d.new"));
    // Dora has switched her voicemail box off: nobody reaches her while she is away.
    let off = d.request(
        "PUT",
        "/api/v1/voicemail/settings",
        Some(json!({"enabled": false, "email_mode": "off", "language": "de", "absence_on": false})),
    );
    assert_eq!(off.status, 200, "{}", off.body);
    let mut cws = ws::connect(&c, None);
    let offer = WebRtcPeer::new(&[Codec::PCMA]).offer;
    for (r, target, code) in [
        (1, "9999", "not_found"),
        (2, "x.nobody", "not_found"),
        (3, "d.new", "unavailable"),
        // No trunk configured here: said so.
        (4, "+4930123456", "unavailable"),
    ] {
        cws.send(json!({"type": "call.dial", "ref": r, "target": target, "sdp": offer}));
        let answer = cws.wait_for(|f| f["ref"] == r);
        assert_eq!(
            (answer["type"].as_str(), answer["code"].as_str()),
            (Some("error"), Some(code)),
            "{target}: {answer}"
        );
    }
    // One's own number is one's voicemail box (to hear it), not a call to oneself.
    cws.send(json!({"type": "call.dial", "ref": 5, "target": "2501", "sdp": offer}));
    let own = cws.wait_for(|f| f["ref"] == 5);
    let own = own["call"]
        .as_str()
        .unwrap_or_else(|| panic!("{own}"))
        .to_string();
    cws.send(json!({"type": "call.hangup", "ref": 55, "call": own}));
    cws.wait_for(|f| f["ref"] == 55);
    cws.send(json!({"type": "call.dial", "ref": 6, "target": "2502", "sdp": "not sdp"}));
    assert_eq!(cws.wait_for(|f| f["ref"] == 6)["code"], "bad_request");

    let mut dws = ws::connect(&d, None);
    cws.send(json!({"type": "call.dial", "ref": 7, "target": "d.new", "sdp": offer}));
    let call = cws.wait_for(|f| f["ref"] == 7)["call"]
        .as_str()
        .unwrap()
        .to_string();
    dws.wait_for(|f| f["type"] == "call.incoming");
    // Someone else cannot answer or end it.
    let a = s.signed_in("a.admin");
    let mut aws = ws::connect(&a, None);
    aws.send(json!({"type": "call.answer", "ref": 1, "call": call, "sdp": offer}));
    assert_eq!(aws.wait_for(|f| f["ref"] == 1)["code"], "not_found");
    aws.send(json!({"type": "call.hangup", "ref": 2, "call": call}));
    assert_eq!(aws.wait_for(|f| f["ref"] == 2)["code"], "not_found");
    // Dora's only browser closes while it rings: the call ends, a missed call for her.
    drop(dws);
    assert_eq!(cws.wait_for(state(&call, "ended"))["reason"], "unavailable");
    let mut d = s.signed_in("d.new");
    let mut found = Value::Null;
    for _ in 0..50 {
        found = d.request("GET", "/api/v1/me/calls", None).json();
        if found["entries"].as_array().is_some_and(|e| !e.is_empty()) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(found["entries"][0]["answered"], false, "{found}");
    assert_eq!(found["entries"][0]["direction"], "in");
}

#[test]
fn the_echo_test_sends_the_callers_audio_back() {
    let s = setup("");
    let c = s.signed_in("c.clerk");
    let mut cws = ws::connect(&c, None);
    let peer = WebRtcPeer::new(&[Codec::Opus, Codec::PCMA]);
    cws.send(json!({"type": "call.dial", "ref": 1, "target": "*43", "sdp": peer.offer}));
    let call = cws.wait_for(|f| f["ref"] == 1)["call"]
        .as_str()
        .unwrap()
        .to_string();
    let peer = peer.start(&answer_of(&mut cws, &call), 0x43);
    cws.wait_for(state(&call, "connected"));
    assert!(
        peer.wait_until(LONG, |c| c.with_pattern.load(Ordering::Relaxed) > 20),
        "{:?}",
        peer.counts
    );
    assert_eq!(
        peer.counts.last_tag.load(Ordering::Relaxed),
        0x43,
        "its own audio"
    );
}
