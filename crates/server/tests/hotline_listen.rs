//! A supervisor listens in on a hotline's conversation and whispers to the agent, with
//! real WebRTC peers for the caller, the agent and the supervisor (each sends a constant
//! level, -248 in A-law, after a tag byte): the supervisor hears the caller and the agent
//! summed (-496), the agent hears the caller and the whisper summed, the caller only
//! ever hears the agent. Off until an administrator switches it on; only the hotline's
//! supervisors; every start in the audit log. On SQLite, and on PostgreSQL when the run
//! has one.

use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::time::Duration;
use str0m::format::Codec;
use testkit::server::{on_every_database, Options, TestServer};
use testkit::webrtc_peer::{RunningPeer, WebRtcPeer};
use testkit::ws::{self, WsClient};

const CALLER: u8 = 0xcc;
const AGENT: u8 = 0xbb;
const SUPERVISOR: u8 = 0xaa;

fn state<'a>(call: &'a str, s: &'a str) -> impl Fn(&Value) -> bool + 'a {
    move |f| f["type"] == "call.state" && f["call"] == call && f["state"] == s
}

/// Two media threads: the supervisor's leg must be made where the conversation's are.
fn two_media_threads() -> Options {
    let mut options = Options::default();
    options.config.media.threads = 2;
    options
}

/// What a peer hears now: one voice (`Some(tag)`: its pattern) or a mix of two
/// (`None`, every sample after the first the sum of two peers' levels).
fn hears(peer: &RunningPeer) -> Option<Option<u8>> {
    let last = peer.counts.last_payload.lock().unwrap().clone();
    let single = media::codec::linear_to_alaw(media::codec::alaw_to_linear(0x5a));
    let double = media::codec::linear_to_alaw(2 * media::codec::alaw_to_linear(0x5a));
    match last.get(1..)? {
        rest if rest.len() == 159 && rest.iter().all(|b| *b == single) => Some(Some(last[0])),
        rest if rest.len() == 159 && rest.iter().all(|b| *b == double) => Some(None),
        _ => None,
    }
}

/// Waits until `peer` hears `want` (see [`hears`]).
fn until_hears(peer: &RunningPeer, want: Option<u8>, what: &str) {
    let ok = peer.wait_until(Duration::from_secs(10), |_| hears(peer) == Some(want));
    assert!(
        ok,
        "{what}: hears {:?}",
        peer.counts.last_payload.lock().unwrap()
    );
}

/// Starts a listening call; returns its id and the supervisor's running peer.
fn listen(
    ws: &mut WsClient,
    r: u64,
    hotline: i64,
    agent: i64,
    mode: &str,
) -> (String, RunningPeer) {
    let peer = WebRtcPeer::new(&[Codec::PCMA]);
    ws.send(
        json!({"type": "call.listen", "ref": r, "hotline": hotline, "agent": agent,
                   "mode": mode, "sdp": peer.offer}),
    );
    let ack = ws.wait_for(|f| f["ref"] == r);
    let call = ack["call"]
        .as_str()
        .unwrap_or_else(|| panic!("{ack}"))
        .to_string();
    let sdp = ws.wait_for(|f| f["type"] == "call.media" && f["call"] == call)["sdp"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(sdp.contains("PCMA/8000"), "the mix is G.711: {sdp}");
    let peer = peer.start(&sdp, SUPERVISOR);
    ws.wait_for(state(&call, "connected"));
    (call, peer)
}

fn refused(ws: &mut WsClient, r: u64, hotline: i64, agent: i64) -> Value {
    let peer = WebRtcPeer::new(&[Codec::PCMA]);
    ws.send(
        json!({"type": "call.listen", "ref": r, "hotline": hotline, "agent": agent,
                   "mode": "listen", "sdp": peer.offer}),
    );
    let reply = ws.wait_for(|f| f["ref"] == r);
    assert_eq!(reply["type"], "error", "{reply}");
    reply
}

#[test]
fn a_supervisor_listens_in_and_whispers_and_the_caller_never_hears_them() {
    for s in on_every_database(two_media_threads) {
        listening_in(&s);
    }
}

fn listening_in(s: &TestServer) {
    let label = s.label;
    let mut admin = s.signed_in("a.admin");
    let made = admin.post(
        "/api/v1/admin/hotlines",
        json!({"name": "Mithörhotline", "extension": "2900",
               "queue": {"name": "Fragen", "wrap_up_secs": 0},
               "agents": [{"login": "b.user"}], "supervisors": ["a.admin"]}),
    );
    assert_eq!(made.status, 201, "{label}: {}", made.body);
    let hotline = made.json()["id"].as_i64().unwrap();
    let detail = admin
        .get(&format!("/api/v1/admin/hotlines/{hotline}"))
        .json();
    assert_eq!(detail["listening"], false, "{label}: off until switched on");

    let (mut b, c) = (s.signed_in("b.user"), s.signed_in("c.clerk"));
    let (mut aws, mut bws, mut cws) = (
        ws::connect(&admin, None),
        ws::connect(&b, None),
        ws::connect(&c, None),
    );
    let logged_in = b.post("/api/v1/hotline/agent", json!({"action": "log_in"}));
    assert_eq!(logged_in.status, 200, "{label}");

    // Carl calls the hotline from his browser; Bärbel answers in hers.
    let (carl_call, caller) = testkit::webrtc_peer::dial(&mut cws, 1, "2900", CALLER);
    let offer = bws.wait_for(|f| f["type"] == "call.incoming")["call"]
        .as_str()
        .unwrap()
        .to_string();
    let agent = testkit::webrtc_peer::answer(&mut bws, 2, &offer, AGENT);
    bws.wait_for(state(&offer, "connected"));
    until_hears(&agent, Some(CALLER), "the agent hears the caller");
    until_hears(&caller, Some(AGENT), "the caller hears the agent");

    // Off for this hotline: refused, nothing audited.
    let bärbel = s.staff_id("b.user");
    assert_eq!(
        refused(&mut aws, 10, hotline, bärbel)["code"],
        "forbidden",
        "{label}"
    );
    let switched = admin.request(
        "PUT",
        &format!("/api/v1/admin/hotlines/{hotline}/listening"),
        Some(json!({"on": true})),
    );
    assert_eq!(switched.status, 200, "{label}: {}", switched.body);
    let switched = b.request(
        "PUT",
        &format!("/api/v1/admin/hotlines/{hotline}/listening"),
        Some(json!({"on": false})),
    );
    assert_eq!(switched.status, 403, "{label}: an agent cannot switch it");
    // Not the hotline's supervisor; someone not on a call; another hotline.
    assert_eq!(
        refused(&mut cws, 11, hotline, bärbel)["code"],
        "forbidden",
        "{label}"
    );
    let carl = s.staff_id("c.clerk");
    assert_eq!(
        refused(&mut aws, 12, hotline, carl)["code"],
        "not_found",
        "{label}"
    );
    assert_eq!(
        refused(&mut aws, 13, hotline + 99, bärbel)["code"],
        "not_found",
        "{label}"
    );

    // Listening: the supervisor hears both, each still hears only the other.
    let (listening, supervisor) = listen(&mut aws, 20, hotline, bärbel, "listen");
    until_hears(&supervisor, None, "the supervisor hears caller and agent");
    until_hears(
        &agent,
        Some(CALLER),
        "the agent hears the caller, not the supervisor",
    );
    until_hears(
        &caller,
        Some(AGENT),
        "the caller hears the agent, not the supervisor",
    );
    // One listener at a time.
    assert_eq!(
        refused(&mut aws, 21, hotline, bärbel)["code"],
        "bad_request",
        "{label}"
    );
    aws.send(json!({"type": "call.hangup", "ref": 22, "call": listening}));
    aws.wait_for(state(&listening, "ended"));
    drop(supervisor);

    // Whispering: the agent hears the caller and the supervisor; the caller never does.
    let (whispering, supervisor) = listen(&mut aws, 30, hotline, bärbel, "whisper");
    until_hears(&agent, None, "the agent hears caller and supervisor");
    until_hears(&supervisor, None, "the supervisor hears caller and agent");
    let before = caller.counts.with_pattern.load(Ordering::Relaxed);
    until_hears(&caller, Some(AGENT), "the caller hears only the agent");
    assert!(
        caller.wait_until(Duration::from_secs(5), |c| c
            .with_pattern
            .load(Ordering::Relaxed)
            > before + 25),
        "{label}: the caller keeps hearing the agent"
    );

    // Switched off meanwhile: the whisper ends at once; the agent hears the caller
    // directly again.
    let off = admin.request(
        "PUT",
        &format!("/api/v1/admin/hotlines/{hotline}/listening"),
        Some(json!({"on": false})),
    );
    assert_eq!(off.status, 200, "{label}: {}", off.body);
    aws.wait_for(state(&whispering, "ended"));
    until_hears(
        &agent,
        Some(CALLER),
        "the agent hears only the caller again",
    );
    drop(supervisor);

    // Switched on again, a new whisper ends with the conversation when the caller hangs up.
    let on = admin.request(
        "PUT",
        &format!("/api/v1/admin/hotlines/{hotline}/listening"),
        Some(json!({"on": true})),
    );
    assert_eq!(on.status, 200, "{label}: {}", on.body);
    let (whispering, _supervisor) = listen(&mut aws, 35, hotline, bärbel, "whisper");
    cws.send(json!({"type": "call.hangup", "ref": 40, "call": carl_call}));
    aws.wait_for(state(&whispering, "ended"));

    let audit = s
        .block_on(s.store.audit_entries(&store::AuditFilter {
            action_prefix: Some("hotline.".into()),
            limit: 50,
            ..Default::default()
        }))
        .unwrap();
    let actions: Vec<(&str, Option<&str>)> = audit
        .iter()
        .rev()
        .filter(|e| e.action.starts_with("hotline.listen") || e.action == "hotline.whisper")
        .map(|e| (e.action.as_str(), e.target.as_deref()))
        .collect();
    assert_eq!(
        actions,
        [
            ("hotline.listening.on", Some("Mithörhotline")),
            ("hotline.listen", Some("b.user")),
            ("hotline.whisper", Some("b.user")),
            ("hotline.listening.off", Some("Mithörhotline")),
            ("hotline.listening.on", Some("Mithörhotline")),
            ("hotline.whisper", Some("b.user")),
        ],
        "{label}: {audit:?}"
    );
    assert!(
        audit.iter().all(|e| e.actor.as_deref() == Some("a.admin")),
        "{label}"
    );
}
