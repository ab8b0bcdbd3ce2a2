//! Citizens call the hotline's direct number through the carrier: sipp plays the carrier
//! of an IP-based trunk and streams audio (PCMA) from each caller. Round-robin hands the
//! calls out in its order, skipping an agent on do-not-disturb and agents who pause; an
//! agent who declines passes the caller on; the browser agent who answers hears the
//! caller's stream; callers who hang up while waiting are abandons, the quick ones short
//! abandons; the wallboard's figures are exactly those.

mod common;

use common::setup;
use common::sip::{finished, free_udp_port, spawn_sipp, trunk_config};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Child;
use std::sync::atomic::Ordering;
use std::time::Duration;
use str0m::format::Codec;
use testkit::webrtc_peer::WebRtcPeer;
use testkit::ws::{self, WsClient};

/// One second of A-law as a WAV file (format 6) for sipp's `rtp_stream`.
fn voice(dir: &Path) {
    let data: Vec<u8> = (0..8_000u32).map(|i| (i % 251) as u8).collect();
    let mut wav = Vec::new();
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(38 + data.len() as u32).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&18u32.to_le_bytes());
    wav.extend_from_slice(&6u16.to_le_bytes()); // A-law
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&8_000u32.to_le_bytes());
    wav.extend_from_slice(&8_000u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes());
    wav.extend_from_slice(&8u16.to_le_bytes());
    wav.extend_from_slice(&0u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&(data.len() as u32).to_le_bytes());
    wav.extend_from_slice(&data);
    std::fs::write(dir.join("hotline_voice.wav"), wav).unwrap();
}

/// A citizen (`caller`) calls the hotline and hangs up `stay_ms` after being answered.
fn citizen(dir: &Path, name: &str, carrier: u16, trunk: u16, caller: &str, stay_ms: u32) -> Child {
    let media = free_udp_port().to_string();
    let stay = stay_ms.to_string();
    let target = format!("127.0.0.1:{trunk}");
    let args = [
        "-s",
        "+4993219282900",
        "-key",
        "caller",
        caller,
        "-m",
        "1",
        "-d",
        &stay,
        "-mi",
        "127.0.0.1",
        "-mp",
        &media,
        &target,
    ];
    spawn_sipp(dir, name, "hotline_caller.xml", carrier, &args)
}

fn incoming(ws: &mut WsClient, number: &str) -> String {
    let f = ws.wait_for(|f| f["type"] == "call.incoming");
    assert_eq!(f["from"]["number"], number, "{f}");
    assert_eq!(f["hotline"], "Bürgertelefon", "{f}");
    f["call"].as_str().unwrap().to_string()
}

/// Answers an offered call in this browser; returns the running peer once connected.
fn answer(ws: &mut WsClient, call: &str, tag: u8) -> testkit::webrtc_peer::RunningPeer {
    let peer = WebRtcPeer::new(&[Codec::PCMA]);
    ws.send(json!({"type": "call.answer", "ref": 9, "call": call, "sdp": peer.offer}));
    assert_eq!(ws.wait_for(|f| f["ref"] == 9)["type"], "ack");
    let sdp = ws.wait_for(|f| f["type"] == "call.media" && f["call"] == call)["sdp"]
        .as_str()
        .unwrap()
        .to_string();
    let peer = peer.start(&sdp, tag);
    ws.wait_for(|f| f["type"] == "call.state" && f["call"] == call && f["state"] == "connected");
    peer
}

fn ended(ws: &mut WsClient, call: &str) -> Value {
    ws.wait_for(|f| f["type"] == "call.state" && f["call"] == call && f["state"] == "ended")
}

fn rang(ws: &mut WsClient) -> bool {
    ws.drain(Duration::from_millis(300))
        .iter()
        .any(|f| f["type"] == "call.incoming")
}

#[test]
fn citizens_through_the_trunk_are_handed_out_round_robin_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    voice(dir.path());
    let (carrier, trunk) = (free_udp_port(), free_udp_port());
    let s = setup(&trunk_config(carrier, trunk, "ip"));
    let mut admin = s.signed_in("a.admin");
    let made = admin.post(
        "/api/v1/admin/hotlines",
        json!({"name": "Bürgertelefon", "extension": "2900", "did": "+4993219282900",
               "queue": {"name": "Fragen", "strategy": "round_robin", "ring_secs": 10, "wrap_up_secs": 0},
               "agents": [{"login": "a.admin"}, {"login": "b.user"}, {"login": "c.clerk"}],
               "supervisors": ["a.admin"]}),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let hotline = made.json()["id"].as_i64().unwrap();
    let (mut b, mut c) = (s.signed_in("b.user"), s.signed_in("c.clerk"));
    let mut aws = ws::connect(&admin, None);
    let mut bws = ws::connect(&b, None);
    let mut cws = ws::connect(&c, None);
    for client in [&mut admin, &mut b, &mut c] {
        let r = client.post("/api/v1/hotline/agent", json!({"action": "log_in"}));
        assert_eq!(r.status, 200, "{}", r.body);
    }
    // Anna (the first in round-robin's order) is on do-not-disturb.
    let dnd = admin.request(
        "PUT",
        "/api/v1/me/presence",
        Some(json!({"state": "do_not_disturb"})),
    );
    assert_eq!(dnd.status, 200, "{}", dnd.body);

    // The first citizen: Bärbel (after Anna, who is skipped) answers and hears the caller.
    let first = citizen(dir.path(), "first", carrier, trunk, "+4930555001", 5_000);
    let call = incoming(&mut bws, "+4930555001");
    let peer = answer(&mut bws, &call, 0xb0);
    assert!(
        peer.wait_until(Duration::from_secs(5), |c| c
            .received
            .load(Ordering::Relaxed)
            > 25),
        "Bärbel hears the caller's stream: {:?}",
        peer.counts
    );
    assert_eq!(ended(&mut bws, &call)["reason"], "hangup");
    finished(first, dir.path(), "first");
    assert!(!rang(&mut aws), "Anna on do-not-disturb is not rung");

    // The second: Carl is next; he declines, and the caller goes on to Bärbel.
    let second = citizen(dir.path(), "second", carrier, trunk, "+4930555002", 5_000);
    let call = incoming(&mut cws, "+4930555002");
    cws.send(json!({"type": "call.reject", "ref": 3, "call": call}));
    let call = incoming(&mut bws, "+4930555002");
    let _peer = answer(&mut bws, &call, 0xb1);
    ended(&mut bws, &call);
    finished(second, dir.path(), "second");

    // Both pause: the third and fourth citizens wait and give up, one quickly.
    for client in [&mut b, &mut c] {
        let r = client.post(
            "/api/v1/hotline/agent",
            json!({"action": "pause", "reason": "Besprechung"}),
        );
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let third = citizen(dir.path(), "third", carrier, trunk, "+4930555003", 1_500);
    finished(third, dir.path(), "third");
    let fourth = citizen(dir.path(), "fourth", carrier, trunk, "+4930555004", 6_500);
    finished(fourth, dir.path(), "fourth");
    assert!(
        !rang(&mut bws) && !rang(&mut cws),
        "paused agents are not rung"
    );

    // The wallboard: 4 offered, 2 answered, 2 abandoned of which 1 short.
    let end = std::time::Instant::now() + Duration::from_secs(5);
    let board = loop {
        let board = admin
            .get(&format!("/api/v1/hotlines/{hotline}/board"))
            .json();
        if board["today"]["abandoned"] == 2 || std::time::Instant::now() > end {
            break board;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let today = &board["today"];
    assert_eq!(
        (
            today["offered"].as_u64(),
            today["answered"].as_u64(),
            today["abandoned"].as_u64(),
            today["short_abandons"].as_u64()
        ),
        (Some(4), Some(2), Some(2), Some(1)),
        "{board}"
    );
    let rate = today["abandon_rate"].as_f64().unwrap();
    assert!((rate - 1.0 / 3.0).abs() < 1e-9, "(2 - 1) / (4 - 1): {rate}");
    assert_eq!(
        today["service_level"].as_f64(),
        Some(1.0),
        "both answered within 20 s: {board}"
    );
}
