//! The hotline among colleagues who are not its agents: a full queue overflows to a
//! person (named by login by the administrator), who is rung in the browser like a call
//! from the hotline and talks to the caller, the overflow being the call's outcome in the
//! event log; and an agent's hotline duty (ready, paused, wrap-up) shows in the team
//! panel, without the pause's reason.

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use testkit::ws;

fn state<'a>(call: &'a str, s: &'a str) -> impl Fn(&Value) -> bool + 'a {
    move |f| f["type"] == "call.state" && f["call"] == call && f["state"] == s
}

#[test]
fn a_full_queue_overflows_to_a_person_who_answers_in_the_browser() {
    let s = testkit::server::start(testkit::server::Options::default());
    let mut admin = s.signed_in("a.admin");
    let queue = |target: &str| {
        json!({"name": "Fragen", "max_length": 1, "overflow_kind": "person",
               "overflow_target": target})
    };
    let unknown = admin.post(
        "/api/v1/admin/hotlines",
        json!({"name": "Überlaufhotline", "extension": "2900", "queue": queue("x.nobody")}),
    );
    assert_eq!(unknown.status, 400, "{}", unknown.body);
    assert_eq!(unknown.json()["field"], "queue.overflow_target");
    let made = admin.post(
        "/api/v1/admin/hotlines",
        json!({"name": "Überlaufhotline", "extension": "2900", "queue": queue("b.user")}),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let hotline = made.json()["id"].as_i64().unwrap();
    let detail = admin
        .get(&format!("/api/v1/admin/hotlines/{hotline}"))
        .json();
    assert_eq!(detail["queues"][0]["overflow_kind"], "person", "{detail}");
    assert_eq!(detail["queues"][0]["overflow_target"], "b.user", "{detail}");

    // Bärbel is no agent; nobody is logged in. Carl waits, Dora finds the line full.
    let (b, c, d) = (
        s.signed_in("b.user"),
        s.signed_in("c.clerk"),
        s.signed_in("d.new"),
    );
    let (mut bws, mut cws, mut dws) = (
        ws::connect(&b, None),
        ws::connect(&c, None),
        ws::connect(&d, None),
    );
    let (carl_call, _carl) = testkit::webrtc_peer::dial(&mut cws, 1, "2900", 0xcc);
    cws.wait_for(state(&carl_call, "connected"));
    let (dora_call, dora) = testkit::webrtc_peer::dial(&mut dws, 2, "2900", 0xdd);
    let incoming = bws.wait_for(|f| f["type"] == "call.incoming");
    assert_eq!(incoming["hotline"], "Überlaufhotline", "{incoming}");
    assert_eq!(incoming["hotline_id"], hotline, "{incoming}");
    assert_eq!(
        incoming["from"]["login"], "d.new",
        "Dora is shown: {incoming}"
    );
    let offer = incoming["call"].as_str().unwrap().to_string();
    let bärbel = testkit::webrtc_peer::answer(&mut bws, 3, &offer, 0xbb);
    bws.wait_for(state(&offer, "connected"));
    let hears = |p: &testkit::webrtc_peer::RunningPeer, tag: u64| {
        p.wait_until(Duration::from_secs(10), |c| {
            c.last_tag.load(std::sync::atomic::Ordering::Relaxed) == tag
        })
    };
    assert!(hears(&bärbel, 0xdd), "Bärbel hears Dora");
    assert!(hears(&dora, 0xbb), "Dora hears Bärbel");

    // The event log: Carl entered and waits; Dora entered a full line, and her outcome is
    // the overflow.
    let end = Instant::now() + Duration::from_secs(10);
    let kinds = loop {
        let events = s.block_on(s.store.queue_events(0, i64::MAX)).unwrap();
        let kinds: Vec<queues::EventKind> = events.into_iter().map(|e| e.kind).collect();
        if kinds.len() >= 3 || Instant::now() > end {
            break kinds;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(
        matches!(
            kinds[..],
            [
                queues::EventKind::Entered { position: 1, .. },
                queues::EventKind::Entered { position: 2, call: d1 },
                queues::EventKind::Overflowed { call: d2, .. }
            ] if d1 == d2
        ),
        "{kinds:?}"
    );
    dws.send(json!({"type": "call.hangup", "ref": 4, "call": dora_call}));
    bws.wait_for(state(&offer, "ended"));
}

#[test]
fn colleagues_see_an_agents_hotline_duty_in_the_team_panel() {
    let s = testkit::server::start(testkit::server::Options::default());
    let mut admin = s.signed_in("a.admin");
    let made = admin.post(
        "/api/v1/admin/hotlines",
        json!({"name": "Teamhotline", "extension": "2900", "queue": {"name": "Fragen"},
               "agents": [{"login": "d.new"}]}),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let (c, mut d) = (s.signed_in("c.clerk"), s.signed_in("d.new"));
    let (mut cws, _dws) = (ws::connect(&c, None), ws::connect(&d, None));
    let dora = |duty: Option<&'static str>, state: &'static str| {
        move |f: &Value| {
            f["type"] == "presence"
                && f["entry"]["login"] == "d.new"
                && f["entry"]["state"] == state
                && f["entry"].get("hotline").and_then(Value::as_str) == duty
        }
    };
    let act = |d: &mut testkit::http::Client, body: Value| {
        let r = d.post("/api/v1/hotline/agent", body);
        assert_eq!(r.status, 200, "{}", r.body);
    };
    act(&mut d, json!({"action": "log_in"}));
    cws.wait_for(dora(Some("ready"), "available"));
    act(&mut d, json!({"action": "pause", "reason": "Schulung"}));
    let paused = cws.wait_for(dora(Some("paused"), "available"));
    assert!(
        !paused.to_string().contains("Schulung"),
        "the reason stays with the supervisor: {paused}"
    );
    act(&mut d, json!({"action": "log_out"}));
    cws.wait_for(dora(None, "available"));
}

#[test]
fn an_agent_is_offered_calls_only_where_they_chose_to_take_them() {
    let s = testkit::server::start(testkit::server::Options::default());
    let mut admin = s.signed_in("a.admin");
    let made = admin.post(
        "/api/v1/admin/hotlines",
        json!({"name": "Browserhotline", "extension": "2900", "queue": {"name": "Fragen"},
               "agents": [{"login": "d.new"}]}),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let mut d = s.signed_in("d.new");
    let choose = |d: &mut testkit::http::Client, on: &str| {
        d.post(
            "/api/v1/hotline/agent",
            json!({"action": "answer_on", "answer_on": on}),
        )
    };
    // No desk phone is set up for Dora: refused, the choice stays.
    let refused = choose(&mut d, "phone");
    assert_eq!(refused.status, 400, "{}", refused.body);
    let chosen = choose(&mut d, "browser");
    assert_eq!(chosen.json()["answer_on"], "browser", "{}", chosen.body);
    let r = d.post("/api/v1/hotline/agent", json!({"action": "log_in"}));
    assert_eq!(r.status, 200, "{}", r.body);
    // Carl calls while Dora has no browser open: nobody is offered the call.
    let c = s.signed_in("c.clerk");
    let mut cws = ws::connect(&c, None);
    let (_call, _carl) = testkit::webrtc_peer::dial(&mut cws, 1, "2900", 0xcc);
    std::thread::sleep(Duration::from_secs(2));
    let offered = |s: &testkit::server::TestServer| {
        s.block_on(s.store.queue_events(0, i64::MAX))
            .unwrap()
            .iter()
            .filter(|e| matches!(e.kind, queues::EventKind::Offered { .. }))
            .count()
    };
    assert_eq!(offered(&s), 0, "no offer to a device that is not there");
    // She opens the web client: the call rings there.
    let mut dws = ws::connect(&d, None);
    let incoming = dws.wait_for(|f| f["type"] == "call.incoming");
    assert_eq!(incoming["hotline"], "Browserhotline", "{incoming}");
    let end = Instant::now() + Duration::from_secs(5);
    while offered(&s) != 1 {
        assert!(Instant::now() < end, "one offer, logged");
        std::thread::sleep(Duration::from_millis(50));
    }
}
