//! The outside line: sipp plays the carrier of a SIP trunk. Registration with digest
//! credentials (and the trunk shown as down when they are refused); an IP-based trunk
//! where a browser's call to a national number leaves with the E.164 number and the
//! caller's direct number as caller id, 112 leaves even for a person allowed internal
//! calls only, and an international number does not; and a citizen's call to a direct
//! number rings that person's browser with the caller's number.

mod common;

use common::setup;
use common::sip::{finished, free_udp_port, spawn_sipp, trunk_config};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use str0m::format::Codec;
use testkit::webrtc_peer::WebRtcPeer;
use testkit::ws::{self, WsClient};

fn state<'a>(call: &'a str, s: &'a str) -> impl Fn(&Value) -> bool + 'a {
    move |f| f["type"] == "call.state" && f["call"] == call && f["state"] == s
}

/// Dials `number`, answers the media, waits until connected, hangs up.
fn call_out(ws: &mut WsClient, r: i64, number: &str) {
    let peer = WebRtcPeer::new(&[Codec::PCMA, Codec::PCMU]);
    ws.send(json!({"type": "call.dial", "ref": r, "target": number, "sdp": peer.offer}));
    let ack = ws.wait_for(|f| f["ref"] == r);
    let call = ack["call"]
        .as_str()
        .unwrap_or_else(|| panic!("{number}: {ack}"))
        .to_string();
    let answer = ws.wait_for(|f| f["type"] == "call.media" && f["call"] == call)["sdp"]
        .as_str()
        .unwrap()
        .to_string();
    let _peer = peer.start(&answer, 1);
    ws.wait_for(state(&call, "connected"));
    ws.send(json!({"type": "call.hangup", "ref": r + 1000, "call": call}));
    ws.wait_for(state(&call, "ended"));
}

#[test]
fn calls_leave_through_an_ip_trunk_with_the_direct_number_and_the_rules_hold() {
    let dir = tempfile::tempdir().unwrap();
    let (carrier, trunk) = (free_udp_port(), free_udp_port());
    let sipp = spawn_sipp(dir.path(), "out", "carrier_uas.xml", carrier, &["-m", "2"]);
    let s = setup(&trunk_config(carrier, trunk, "ip"));
    let mut cws = ws::connect(&s.signed_in("c.clerk"), None);
    call_out(&mut cws, 1, "0 030 1234567");
    // Bärbel may call internally only: 112 still leaves, an outside number does not.
    let mut bws = ws::connect(&s.signed_in("b.user"), None);
    call_out(&mut bws, 1, "112");
    let offer = WebRtcPeer::new(&[Codec::PCMA]).offer;
    bws.send(json!({"type": "call.dial", "ref": 5, "target": "0 030 1234567", "sdp": offer}));
    let refused = bws.wait_for(|f| f["ref"] == 5);
    assert_eq!(refused["code"], "forbidden", "{refused}");
    let messages = finished(sipp, dir.path(), "out");
    assert!(
        messages.contains("INVITE sip:+49301234567@"),
        "the E.164 number: {messages}"
    );
    assert!(
        messages.contains("<sip:+4993219282501@"),
        "Carl's direct number as caller id: {messages}"
    );
    assert!(messages.contains("INVITE sip:112@"), "112: {messages}");
    assert!(
        messages.contains("<sip:+4993219282401@"),
        "Bärbel's direct number: {messages}"
    );
    assert_eq!(
        messages.matches("INVITE sip:").count(),
        2,
        "the refused call never left"
    );
}

#[test]
fn a_citizens_call_to_a_direct_number_rings_the_persons_browser() {
    let dir = tempfile::tempdir().unwrap();
    let (carrier, trunk) = (free_udp_port(), free_udp_port());
    let s = setup(&trunk_config(carrier, trunk, "ip"));
    // Dora has switched her voicemail box off: a call she declines is refused (603).
    let mut dora = s.signed_in("d.new");
    let off = dora.request(
        "PUT",
        "/api/v1/voicemail/settings",
        Some(json!({"enabled": false, "email_mode": "off", "language": "de", "absence_on": false})),
    );
    assert_eq!(off.status, 200, "{}", off.body);
    let mut dws = ws::connect(&dora, None);
    let target = format!("127.0.0.1:{trunk}");
    let first = spawn_sipp(
        dir.path(),
        "in",
        "carrier_uac.xml",
        carrier,
        &[
            "-s",
            "+4993219282502",
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
    let incoming = dws.wait_for(|f| f["type"] == "call.incoming");
    assert_eq!(incoming["from"]["number"], "+4930555123", "{incoming}");
    let call = incoming["call"].as_str().unwrap().to_string();
    let peer = WebRtcPeer::new(&[Codec::Opus, Codec::PCMA]);
    dws.send(json!({"type": "call.answer", "ref": 1, "call": call, "sdp": peer.offer}));
    let answer = dws.wait_for(|f| f["type"] == "call.media" && f["call"] == call)["sdp"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        answer.contains("PCMA/8000"),
        "the carrier's codec: {answer}"
    );
    let _peer = peer.start(&answer, 2);
    dws.wait_for(state(&call, "connected"));
    // The carrier hangs up after a second.
    let ended = dws.wait_for(state(&call, "ended"));
    assert_eq!(ended["reason"], "hangup");
    finished(first, dir.path(), "in");
    assert_eq!(
        incoming["from"]["name"],
        Value::Null,
        "an unknown caller has no name"
    );

    // A colleague calling from her mobile (in the directory as +49 151 5550123) is shown
    // by name; the call is declined in the browser.
    let mut second = spawn_sipp(
        dir.path(),
        "in2",
        "carrier_uac.xml",
        carrier,
        &[
            "-s",
            "+4993219282502",
            "-key",
            "caller",
            "01515550123",
            "-m",
            "1",
            &target,
        ],
    );
    let incoming = dws.wait_for(|f| f["type"] == "call.incoming");
    assert_eq!(
        (
            incoming["from"]["name"].as_str(),
            incoming["from"]["number"].as_str()
        ),
        (Some("Bärbel Böhm"), Some("+491515550123")),
        "{incoming}"
    );
    let call = incoming["call"].as_str().unwrap().to_string();
    dws.send(json!({"type": "call.reject", "ref": 2, "call": call}));
    let _ = second.wait();
    let messages = std::fs::read_to_string(dir.path().join("in2.msg")).unwrap_or_default();
    assert!(
        messages.contains("SIP/2.0 603"),
        "declined with 603: {messages}"
    );
}

fn trunk_state(s: &testkit::server::TestServer, want: &str) -> Value {
    let mut admin = s.signed_in("a.admin");
    let end = Instant::now() + Duration::from_secs(10);
    loop {
        let r = admin.get("/api/v1/admin/trunks");
        assert_eq!(r.status, 200, "{}", r.body);
        let t = r.json()["trunks"][0].clone();
        if t["state"] == want || Instant::now() > end {
            return t;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_trunk_registers_with_its_credentials_and_shows_why_when_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (password, expected) in [("geheim", "registered"), ("falsch", "failed")] {
        let carrier = free_udp_port();
        let name = format!("reg-{password}");
        let mut sipp = spawn_sipp(
            dir.path(),
            &name,
            "carrier_register.xml",
            carrier,
            &[
                "-key", "user", "trunk", "-key", "password", "geheim", "-m", "1",
            ],
        );
        let config = trunk_config(carrier, 0, "register")
            + &format!("username = \"trunk\"\npassword = \"{password}\"\n");
        let s = setup(&config);
        let t = trunk_state(&s, expected);
        assert_eq!(t["state"], expected, "{t}");
        assert_eq!(t["name"], "Testträger");
        if expected == "failed" {
            assert!(t["detail"].as_str().unwrap().contains("403"), "{t}");
            assert!(
                !common::log().contains("falsch"),
                "the password is never logged"
            );
            // The carrier stopped after refusing (stop_now).
            let _ = sipp.wait();
        } else {
            finished(sipp, dir.path(), &name);
        }
    }
}

#[test]
fn a_desk_phone_calls_out_through_the_switch_and_the_trunk() {
    use testkit::rtp_peer::RtpPeer;
    use testkit::sip_phone::sdp::Sdp;
    use testkit::sip_phone::udp::{UdpPhone, WAIT};
    use testkit::sip_phone::PhoneEvent;
    let dir = tempfile::tempdir().unwrap();
    let (carrier, trunk) = (free_udp_port(), free_udp_port());
    let sipp = spawn_sipp(dir.path(), "desk", "carrier_uas.xml", carrier, &["-m", "1"]);
    let s = setup(&trunk_config(carrier, trunk, "ip"));
    let mut desk = UdpPhone::bind(s.sip_account("c.clerk", "Tischtelefon"), s.sip).unwrap();
    assert!(desk.register_until_accepted(WAIT) > 0);
    let rtp = RtpPeer::bind(0x2501_0009).unwrap();
    let call = desk.call("00301234567", &Sdp::offer(rtp.local_addr()).to_string());
    let answered = desk.wait_for(WAIT, |e| match e {
        PhoneEvent::Answered { call: c, sdp } if *c == call => Some(sdp.clone()),
        PhoneEvent::Failed { code, .. } => panic!("the call failed with {code}"),
        _ => None,
    });
    let answered = Sdp::parse(&answered.expect("an answer")).unwrap();
    assert_eq!(
        answered.codec(),
        Some(0),
        "the carrier's PCMU, passed through"
    );
    desk.hang_up(call).unwrap();
    desk.wait_for(WAIT, |e| {
        matches!(e, PhoneEvent::Ended { .. }).then_some(())
    });
    let messages = finished(sipp, dir.path(), "desk");
    assert!(messages.contains("INVITE sip:+49301234567@"), "{messages}");
    assert!(
        messages.contains("<sip:+4993219282501@"),
        "the desk phone's person's direct number: {messages}"
    );
    // A number the person may not call is refused by call control (403), not sent.
    let mut bdesk = UdpPhone::bind(s.sip_account("b.user", "Tischtelefon"), s.sip).unwrap();
    assert!(bdesk.register_until_accepted(WAIT) > 0);
    let call = bdesk.call("00301234567", &Sdp::offer(rtp.local_addr()).to_string());
    let code = bdesk.wait_for(WAIT, |e| match e {
        PhoneEvent::Failed { call: c, code } if *c == call => Some(*code),
        _ => None,
    });
    assert_eq!(code, 403);
}

#[test]
fn a_call_through_the_own_mobile_rings_it_first_and_shows_the_office_number_outside() {
    let dir = tempfile::tempdir().unwrap();
    let (carrier, trunk) = (free_udp_port(), free_udp_port());
    let sipp = spawn_sipp(dir.path(), "via", "carrier_uas.xml", carrier, &["-m", "2"]);
    let config = trunk_config(carrier, trunk, "ip")
        .replace("permissions = { \"b.user\" = \"internal\" }\n", "");
    let s = setup(&config);
    // Bärbel's mobile (+49 151 5550123) is in the directory.
    let mut bws = ws::connect(&s.signed_in("b.user"), None);
    bws.send(json!({"type": "call.dial", "ref": 1, "target": "0 030 1234567", "via": "mobile"}));
    let ack = bws.wait_for(|f| f["ref"] == 1);
    let call = ack["call"]
        .as_str()
        .unwrap_or_else(|| panic!("{ack}"))
        .to_string();
    bws.wait_for(state(&call, "connected"));
    bws.send(json!({"type": "call.hangup", "ref": 2, "call": call}));
    bws.wait_for(state(&call, "ended"));
    let messages = finished(sipp, dir.path(), "via");
    let first = messages
        .find("INVITE sip:+491515550123@")
        .expect("the mobile rings first");
    let second = messages
        .find("INVITE sip:+49301234567@")
        .expect("then the citizen");
    assert!(first < second, "{messages}");
    assert!(
        messages.contains("<sip:+4993219282401@"),
        "the office number towards the citizen: {messages}"
    );
    // Carl has no mobile in the directory: said so, nothing leaves.
    let mut cws = ws::connect(&s.signed_in("c.clerk"), None);
    cws.send(json!({"type": "call.dial", "ref": 3, "target": "0 030 1234567", "via": "mobile"}));
    assert_eq!(cws.wait_for(|f| f["ref"] == 3)["code"], "bad_request");
}

#[test]
fn a_hotline_agent_who_answers_on_the_mobile_is_rung_there_through_the_trunk() {
    let dir = tempfile::tempdir().unwrap();
    let (carrier, trunk) = (free_udp_port(), free_udp_port());
    let sipp = spawn_sipp(
        dir.path(),
        "agent",
        "carrier_uas.xml",
        carrier,
        &["-m", "1"],
    );
    let s = setup(&trunk_config(carrier, trunk, "ip"));
    let mut admin = s.signed_in("a.admin");
    let made = admin.post(
        "/api/v1/admin/hotlines",
        json!({"name": "Handyhotline", "extension": "2900",
               "queue": {"name": "Fragen", "wrap_up_secs": 0}, "agents": [{"login": "b.user"}]}),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    // Bärbel takes the hotline's calls on her mobile (+49 151 5550123, in the directory).
    let mut b = s.signed_in("b.user");
    let choose = |client: &mut testkit::http::Client, on: &str| {
        client.post(
            "/api/v1/hotline/agent",
            json!({"action": "answer_on", "answer_on": on}),
        )
    };
    assert_eq!(choose(&mut b, "fax").status, 400);
    let chosen = choose(&mut b, "mobile");
    assert_eq!(chosen.status, 200, "{}", chosen.body);
    assert_eq!(chosen.json()["answer_on"], "mobile");
    // Carl is no agent; Dora has no mobile in the directory (and no queue either).
    assert_eq!(choose(&mut s.signed_in("c.clerk"), "mobile").status, 403);
    let r = b.post("/api/v1/hotline/agent", json!({"action": "log_in"}));
    assert_eq!(r.status, 200, "{}", r.body);

    // Carl calls the hotline from his browser: the carrier is asked for Bärbel's mobile,
    // answers, and the hotline counts her answer.
    let mut cws = ws::connect(&s.signed_in("c.clerk"), None);
    let (call, _peer) = testkit::webrtc_peer::dial(&mut cws, 1, "2900", 0xcc);
    let bärbel = s.staff_id("b.user");
    let end = Instant::now() + Duration::from_secs(20);
    loop {
        let events = s.block_on(s.store.queue_events(0, i64::MAX)).unwrap();
        let answered = events.iter().any(
            |e| matches!(e.kind, queues::EventKind::Answered { agent, .. } if agent == bärbel),
        );
        if answered {
            break;
        }
        assert!(
            Instant::now() < end,
            "no answer from the mobile: {events:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    cws.send(json!({"type": "call.hangup", "ref": 2, "call": call}));
    cws.wait_for(state(&call, "ended"));
    let messages = finished(sipp, dir.path(), "agent");
    assert!(
        messages.contains("INVITE sip:+491515550123@"),
        "the mobile is called: {messages}"
    );
}

#[test]
fn an_agent_on_the_mobile_calls_back_a_caller_who_pressed_one() {
    let dir = tempfile::tempdir().unwrap();
    let (carrier, trunk) = (free_udp_port(), free_udp_port());
    let sipp = spawn_sipp(dir.path(), "back", "carrier_uas.xml", carrier, &["-m", "1"]);
    let s = setup(&trunk_config(carrier, trunk, "ip"));
    let mut admin = s.signed_in("a.admin");
    let made = admin.post(
        "/api/v1/admin/hotlines",
        json!({"name": "Rückrufhotline", "extension": "2900",
               "queue": {"name": "Fragen", "wrap_up_secs": 0, "callback_after_secs": 1},
               "agents": [{"login": "b.user"}]}),
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let mut b = s.signed_in("b.user");
    let r = b.post(
        "/api/v1/hotline/agent",
        json!({"action": "answer_on", "answer_on": "mobile"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);

    // Carl has a desk phone too: the callback to a colleague goes through the switch (one
    // with only a browser cannot be called back yet).
    let mut desk =
        testkit::sip_phone::udp::UdpPhone::bind(s.sip_account("c.clerk", "Tischtelefon"), s.sip)
            .unwrap();
    assert!(desk.register_until_accepted(testkit::sip_phone::udp::WAIT) > 0);
    // Nobody is logged in. Carl calls from his browser and presses 1 once the callback is
    // offered (a key before the offer does nothing).
    let c = s.signed_in("c.clerk");
    let mut cws = ws::connect(&c, None);
    let (call, _peer) = testkit::webrtc_peer::dial(&mut cws, 1, "2900", 0xcc);
    let requested = |s: &testkit::server::TestServer| {
        s.block_on(s.store.queue_events(0, i64::MAX))
            .unwrap()
            .iter()
            .any(|e| matches!(e.kind, queues::EventKind::CallbackRequested { .. }))
    };
    let end = Instant::now() + Duration::from_secs(30);
    let mut r = 10;
    while !requested(&s) {
        assert!(Instant::now() < end, "the callback was never requested");
        cws.send(json!({"type": "call.dtmf", "ref": r, "call": call, "digits": "1"}));
        r += 1;
        std::thread::sleep(Duration::from_millis(500));
    }
    // The hotline confirms (a few seconds of speech) and hangs up.
    let end = Instant::now() + Duration::from_secs(20);
    while !cws
        .drain(Duration::from_millis(200))
        .iter()
        .any(|f| state(&call, "ended")(f))
    {
        assert!(
            Instant::now() < end,
            "the hotline hangs up after the confirmation"
        );
    }

    // Bärbel logs in: her mobile rings first (the carrier answers), then Carl's phone,
    // from the hotline; he answers.
    let r = b.post("/api/v1/hotline/agent", json!({"action": "log_in"}));
    assert_eq!(r.status, 200, "{}", r.body);
    use testkit::sip_phone::PhoneEvent;
    let (incoming, from, offer) = desk.wait_for(testkit::sip_phone::udp::WAIT, |e| match e {
        PhoneEvent::Incoming {
            call, from, sdp, ..
        } => Some((*call, from.clone(), sdp.clone())),
        _ => None,
    });
    assert!(from.contains("2900"), "the hotline calls: {from}");
    let rtp = testkit::rtp_peer::RtpPeer::bind(0x2501_0009).unwrap();
    let offered = testkit::sip_phone::sdp::Sdp::parse(&offer.unwrap()).unwrap();
    desk.answer(incoming, &offered.answer(rtp.local_addr()).to_string())
        .unwrap();
    let end = Instant::now() + Duration::from_secs(10);
    while !s
        .block_on(s.store.queue_events(0, i64::MAX))
        .unwrap()
        .iter()
        .any(|e| matches!(e.kind, queues::EventKind::CallbackDone { .. }))
    {
        assert!(Instant::now() < end, "the callback is done");
        std::thread::sleep(Duration::from_millis(50));
    }
    desk.pump(Duration::from_millis(300));
    desk.hang_up(incoming).unwrap();
    desk.pump(Duration::from_millis(300));
    let messages = finished(sipp, dir.path(), "back");
    assert!(
        messages.contains("INVITE sip:+491515550123@"),
        "the mobile is called first: {messages}"
    );
}
