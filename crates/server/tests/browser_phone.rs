//! Browsers and desk phones calling each other through the server: call control places
//! the browser's call through the switch (the phone's device rings, with the relay's
//! address in the SDP) and the switch rings a person's browser through call control.
//! Audio crosses the relay both ways: the browser's WebRTC leg (a str0m peer standing in
//! for Chromium) and the phone's RTP leg (testkit's test phone and RTP peer).

mod common;

use common::setup;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::time::Duration;
use str0m::format::Codec;
use testkit::rtp_peer::RtpPeer;
use testkit::sip_phone::sdp::Sdp;
use testkit::sip_phone::udp::{UdpPhone, WAIT};
use testkit::sip_phone::PhoneEvent;
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

/// Runs the RTP peer until it heard `n` packets from anyone, sending meanwhile.
fn hear(peer: &mut RtpPeer, n: u64) -> bool {
    peer.run(30, Duration::from_secs(8), |r| {
        r.sources().map(|(_, s)| s.packets).sum::<u64>() >= n
    })
    .unwrap()
}

#[test]
fn a_browser_calls_a_desk_phone_and_they_hear_each_other() {
    let s = setup("");
    // Bärbel (2401) has a desk phone; Carl calls her from the browser.
    let mut desk = UdpPhone::bind(s.sip_account("b.user", "Tischtelefon"), s.sip).unwrap();
    assert!(desk.register_until_accepted(WAIT) > 0);
    let c = s.signed_in("c.clerk");
    let mut cws = ws::connect(&c, None);
    let browser = WebRtcPeer::new(&[Codec::Opus, Codec::PCMA, Codec::PCMU]);
    cws.send(json!({"type": "call.dial", "ref": 1, "target": "2401", "sdp": browser.offer}));
    let ack = cws.wait_for(|f| f["ref"] == 1);
    let call = ack["call"]
        .as_str()
        .unwrap_or_else(|| panic!("{ack}"))
        .to_string();
    let answer = answer_of(&mut cws, &call);
    assert!(
        answer.contains("PCMA/8000") && !answer.to_lowercase().contains("opus"),
        "G.711 towards a phone: {answer}"
    );
    let browser = browser.start(&answer, 0xc1);

    let (incoming, from, offered) = desk.wait_for(WAIT, |e| match e {
        PhoneEvent::Incoming {
            call, from, sdp, ..
        } => Some((*call, from.clone(), sdp.clone())),
        _ => None,
    });
    assert!(
        from.contains("Carl Clerk") && from.contains("2501"),
        "the caller's name and extension: {from}"
    );
    let offered = Sdp::parse(&offered.expect("an offer")).unwrap();
    let mut rtp = RtpPeer::bind(0x2401_0001).unwrap();
    desk.answer(incoming, &offered.answer(rtp.local_addr()).to_string())
        .unwrap();
    cws.wait_for(state(&call, "connected"));

    // The phone sends to the relay's address from its offer and hears the browser.
    rtp.set_remote(Some(offered.media));
    assert!(
        hear(&mut rtp, 20),
        "the phone hears the browser: {:?}",
        rtp.received().sources().collect::<Vec<_>>()
    );
    assert!(
        browser.wait_until(Duration::from_secs(5), |c| c
            .received
            .load(Ordering::Relaxed)
            >= 20),
        "the browser hears the phone: {:?}",
        browser.counts
    );
    let (_, from_relay) = rtp.received().sources().next().unwrap();
    assert_eq!(from_relay.payload_types, [8].into(), "PCMA");
    assert_eq!(from_relay.lost, 0);

    // Carl hangs up: the phone gets the BYE.
    cws.send(json!({"type": "call.hangup", "ref": 2, "call": call}));
    desk.wait_for(WAIT, |e| {
        matches!(e, PhoneEvent::Ended { call, .. } if *call == incoming).then_some(())
    });
    cws.wait_for(state(&call, "ended"));
}

#[test]
fn a_desk_phone_rings_a_browser_and_the_call_is_answered_there() {
    let s = setup("");
    let mut desk = UdpPhone::bind(s.sip_account("b.user", "Tischtelefon"), s.sip).unwrap();
    assert!(desk.register_until_accepted(WAIT) > 0);
    // Carl (2501) has no phone, only his browser.
    let c = s.signed_in("c.clerk");
    let mut cws = ws::connect(&c, None);
    let mut rtp = RtpPeer::bind(0x2401_0002).unwrap();
    let offer = Sdp::offer(rtp.local_addr());
    // The switch learns of the open browser through the bus; until then 2501 is unknown.
    let mut placed = None;
    for _ in 0..50 {
        let call = desk.call("2501", &offer.to_string());
        let rang = desk.wait_for(WAIT, |e| match e {
            PhoneEvent::Ringing { call: c } if *c == call => Some(true),
            PhoneEvent::Failed { call: c, .. } if *c == call => Some(false),
            _ => None,
        });
        if rang {
            placed = Some(call);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let call = placed.expect("the browser rang");
    let incoming = cws.wait_for(|f| f["type"] == "call.incoming");
    assert_eq!(incoming["from"]["name"], "Bärbel Böhm", "{incoming}");
    assert_eq!(incoming["from"]["number"], "2401");
    let id = incoming["call"].as_str().unwrap().to_string();

    let browser = WebRtcPeer::new(&[Codec::Opus, Codec::PCMA]);
    cws.send(json!({"type": "call.answer", "ref": 1, "call": id, "sdp": browser.offer}));
    assert_eq!(cws.wait_for(|f| f["ref"] == 1)["type"], "ack");
    let browser = browser.start(&answer_of(&mut cws, &id), 0xc2);
    let answered = desk.wait_for(WAIT, |e| match e {
        PhoneEvent::Answered { call: c, sdp } if *c == call => sdp.clone(),
        PhoneEvent::Failed { code, .. } => panic!("the call failed with {code}"),
        _ => None,
    });
    let answered = Sdp::parse(&answered).unwrap();
    cws.wait_for(state(&id, "connected"));
    rtp.set_remote(Some(answered.media));
    assert!(hear(&mut rtp, 20), "the phone hears the browser");
    assert!(
        browser.wait_until(Duration::from_secs(5), |c| c
            .received
            .load(Ordering::Relaxed)
            >= 20),
        "{:?}",
        browser.counts
    );

    // The phone hangs up; the browser hears it ended.
    desk.hang_up(call).unwrap();
    assert_eq!(cws.wait_for(state(&id, "ended"))["reason"], "hangup");
}
