//! Two test phones against the real server in the test's own process (testkit's
//! `SipPhone` on UDP, `RtpPeer` for media): devices made through the admin API register,
//! Bärbel (2401) calls Carl (2501) and answers the proxy's 407, Carl answers with SDP,
//! the ACK comes; media flows phone to phone (the server is a proxy, media never passes
//! it) and each side hears the other's pattern; a re-INVITE puts the call on hold
//! (sendonly offered, recvonly answered) and Carl sees the new SDP; a BYE ends it. The
//! server shows it too: Carl is "on the phone" on the team panel during the call.
//! On SQLite, and on PostgreSQL when the run has one.

use serde_json::Value;
use std::time::{Duration, Instant};
use testkit::rtp_peer::{RtpPeer, PCMA, TELEPHONE_EVENT};
use testkit::server::{on_every_database, Options, TestServer};
use testkit::sip_phone::sdp::{Direction, Sdp};
use testkit::sip_phone::udp::{UdpPhone, WAIT};
use testkit::sip_phone::PhoneEvent;

const CALLER_SSRC: u32 = 0x2401_0001;
const CALLEE_SSRC: u32 = 0x2501_0001;

/// Carl's presence as Bärbel's team panel shows it, once it is `state` (the panel
/// follows the switch's news asynchronously); panics after [`WAIT`].
fn wait_for_presence(s: &TestServer, viewer: &mut testkit::http::Client, state: &str) {
    let end = Instant::now() + WAIT;
    loop {
        let r = viewer.get("/api/v1/presence?logins=c.clerk");
        assert_eq!(r.status, 200, "{}: {}", s.label, r.body);
        let entries: Value = r.json();
        let now = entries["entries"][0]["presence"]["state"].clone();
        if now == state {
            return;
        }
        assert!(
            Instant::now() < end,
            "{}: Carl is {now}, not {state}",
            s.label
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Both peers send `packets` (those with a remote) and run until `a` heard `a_hears`
/// packets of `b`'s pattern and `b` heard `b_hears` of `a`'s; whether each did.
fn exchange(
    a: &mut RtpPeer,
    b: &mut RtpPeer,
    packets: u64,
    (a_hears, b_hears): (u64, u64),
) -> (bool, bool) {
    let (ssrc_a, ssrc_b) = (a.stream().ssrc(), b.stream().ssrc());
    let limit = Duration::from_secs(5);
    std::thread::scope(|scope| {
        let at_a = scope.spawn(move || {
            a.run(packets, limit, |r| r.pattern_count(ssrc_b) >= a_hears)
                .unwrap()
        });
        let at_b = scope.spawn(move || {
            b.run(packets, limit, |r| r.pattern_count(ssrc_a) >= b_hears)
                .unwrap()
        });
        (at_a.join().unwrap(), at_b.join().unwrap())
    })
}

#[test]
fn two_test_phones_call_hold_and_hang_up_through_the_server() {
    for s in on_every_database(Options::default) {
        call_through(&s);
    }
}

fn call_through(s: &TestServer) {
    let label = s.label;
    let mut panel = s.signed_in("b.user");
    let mut caller = UdpPhone::bind(s.sip_account("b.user", "Tischtelefon"), s.sip).unwrap();
    let mut callee = UdpPhone::bind(s.sip_account("c.clerk", "Softphone"), s.sip).unwrap();
    assert_eq!(caller.phone().account().username, "2401-1", "{label}");
    wait_for_presence(s, &mut panel, "offline");
    assert!(caller.register_until_accepted(WAIT) > 0, "{label}");
    assert!(callee.register_until_accepted(WAIT) > 0, "{label}");
    // A registered phone alone makes Carl reachable.
    wait_for_presence(s, &mut panel, "available");

    let mut rtp_caller = RtpPeer::bind(CALLER_SSRC).unwrap();
    let mut rtp_callee = RtpPeer::bind(CALLEE_SSRC).unwrap();
    let offer = Sdp::offer(rtp_caller.local_addr());
    let call = caller.call("2501", &offer.to_string());

    // Carl's phone rings with Bärbel's offer, as she sent it (her phone meanwhile
    // answers the proxy's 407).
    let (incoming, from, offered) = callee.wait_for_with(&mut [&mut caller], WAIT, |e| match e {
        PhoneEvent::Incoming {
            call, from, sdp, ..
        } => Some((*call, from.clone(), sdp.clone())),
        _ => None,
    });
    assert!(from.contains("2401"), "{label}: {from}");
    let offered = Sdp::parse(&offered.expect("an offer")).unwrap();
    assert_eq!(offered.media, rtp_caller.local_addr(), "{label}");
    let answer = offered.answer(rtp_callee.local_addr());
    callee.answer(incoming, &answer.to_string()).unwrap();

    let answered = caller.wait_for(WAIT, |e| match e {
        PhoneEvent::Answered { call: c, sdp } if *c == call => Some(sdp.clone()),
        PhoneEvent::Failed { code, .. } => panic!("{label}: the call failed with {code}"),
        _ => None,
    });
    let answered = Sdp::parse(&answered.expect("an answer")).unwrap();
    assert_eq!(answered.media, rtp_callee.local_addr(), "{label}");
    assert_eq!(answered.codec(), Some(PCMA), "{label}");
    assert!(
        caller.history.contains(&PhoneEvent::Ringing { call }),
        "{label}: {:?}",
        caller.history
    );
    callee.wait_for(WAIT, |e| {
        (*e == PhoneEvent::Confirmed { call: incoming }).then_some(())
    });
    wait_for_presence(s, &mut panel, "on_the_phone");

    // Media, phone to phone: each hears the other's pattern, nothing lost on loopback.
    rtp_caller.set_remote(Some(answered.media));
    rtp_callee.set_remote(Some(offered.media));
    let both = exchange(&mut rtp_caller, &mut rtp_callee, 25, (20, 20));
    assert_eq!(both, (true, true), "{label}: each hears the other");
    for (peer, other) in [(&rtp_caller, CALLEE_SSRC), (&rtp_callee, CALLER_SSRC)] {
        let from = peer.received().ssrc(other).unwrap();
        assert_eq!(from.payload_types, [PCMA].into(), "{label}");
        assert_eq!((from.lost, from.late), (0, 0), "{label}");
        assert_eq!(
            peer.received().sources().count(),
            1,
            "{label}: only the other"
        );
    }

    // Bärbel holds: sendonly offered; Carl sees it and answers recvonly.
    let hold = offer.next_version().with_direction(Direction::SendOnly);
    caller.reinvite(call, &hold.to_string()).unwrap();
    let reoffer = callee.wait_for(WAIT, |e| match e {
        PhoneEvent::Offered { call, sdp } if *call == incoming => sdp.clone(),
        _ => None,
    });
    let reoffer = Sdp::parse(&reoffer).unwrap();
    assert_eq!(
        (reoffer.direction, reoffer.version),
        (Direction::SendOnly, 2),
        "{label}"
    );
    callee
        .answer(
            incoming,
            &reoffer.answer(rtp_callee.local_addr()).to_string(),
        )
        .unwrap();
    let held = caller.wait_for(WAIT, |e| match e {
        PhoneEvent::Accepted { call: c, sdp } if *c == call => sdp.clone(),
        PhoneEvent::Refused { code, .. } => panic!("{label}: hold refused with {code}"),
        _ => None,
    });
    assert_eq!(
        Sdp::parse(&held).unwrap().direction,
        Direction::RecvOnly,
        "{label}"
    );
    callee.wait_for(WAIT, |e| {
        (*e == PhoneEvent::Confirmed { call: incoming }).then_some(())
    });

    // On hold only Bärbel sends (music, a key press); Carl's side is quiet.
    rtp_callee.set_remote(None);
    rtp_caller.send_event(5);
    let before = rtp_callee.received().pattern_count(CALLER_SSRC);
    let (_, heard) = exchange(&mut rtp_caller, &mut rtp_callee, 10, (0, before + 5));
    assert!(heard, "{label}: the held side still hears the holder");
    let from_caller = rtp_callee.received().ssrc(CALLER_SSRC).unwrap();
    assert_eq!(from_caller.events, [5], "{label}");
    assert!(
        from_caller.payload_types.contains(&TELEPHONE_EVENT),
        "{label}"
    );

    // Bärbel hangs up: Carl gets the BYE through the proxy, Bärbel the 200.
    caller.hang_up(call).unwrap();
    let ended = callee.wait_for(WAIT, |e| match e {
        PhoneEvent::Ended { call, reason } if *call == incoming => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(ended, sip::dialog::Reason::RemoteBye, "{label}");
    let ended = caller.wait_for(WAIT, |e| match e {
        PhoneEvent::Ended { call: c, reason } if *c == call => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(ended, sip::dialog::Reason::LocalBye, "{label}");
    wait_for_presence(s, &mut panel, "available");

    // Unregistered, the phones leave Carl offline again.
    callee.unregister();
    let gone = callee.wait_for(WAIT, |e| match e {
        PhoneEvent::Registered { expires } => Some(*expires),
        _ => None,
    });
    assert_eq!(gone, 0, "{label}");
    wait_for_presence(s, &mut panel, "offline");
}
