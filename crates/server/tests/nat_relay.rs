//! A phone behind a home router gets its audio through the relay: its SDP names a
//! private address (192.168.178.20) while its packets come from loopback. The switch
//! hands such a call to call control, which answers the phone with a relay leg and
//! places the call onward with another; the other phone sees the relay's address, and
//! the relay sends to where the phone's packets really come from (latching). A phone
//! whose SDP address is its own keeps the proxy's direct path (tests/test_phone.rs).

mod common;

use common::setup;
use std::net::SocketAddr;
use std::time::Duration;
use testkit::rtp_peer::RtpPeer;
use testkit::sip_phone::sdp::Sdp;
use testkit::sip_phone::udp::{UdpPhone, WAIT};
use testkit::sip_phone::PhoneEvent;

fn exchange(a: &mut RtpPeer, b: &mut RtpPeer) -> (bool, bool) {
    std::thread::scope(|scope| {
        let at_a = scope.spawn(|| {
            a.run(40, Duration::from_secs(5), |r| {
                r.sources().map(|(_, s)| s.packets).sum::<u64>() >= 20
            })
            .unwrap()
        });
        let at_b = scope.spawn(|| {
            b.run(40, Duration::from_secs(5), |r| {
                r.sources().map(|(_, s)| s.packets).sum::<u64>() >= 20
            })
            .unwrap()
        });
        (at_a.join().unwrap(), at_b.join().unwrap())
    })
}

fn relay_call(config: &str, home_sdp: bool) -> (SocketAddr, SocketAddr, SocketAddr, SocketAddr) {
    let s = setup(config);
    let mut home = UdpPhone::bind(s.sip_account("c.clerk", "Homeoffice"), s.sip).unwrap();
    let mut desk = UdpPhone::bind(s.sip_account("b.user", "Tischtelefon"), s.sip).unwrap();
    assert!(home.register_until_accepted(WAIT) > 0);
    assert!(desk.register_until_accepted(WAIT) > 0);
    let mut rtp_home = RtpPeer::bind(0x2501_0001).unwrap();
    let mut rtp_desk = RtpPeer::bind(0x2401_0001).unwrap();
    // Behind the router the phone knows only its private address.
    let announced: SocketAddr = if home_sdp {
        "192.168.178.20:4000".parse().unwrap()
    } else {
        rtp_home.local_addr()
    };
    let call = home.call("2401", &Sdp::offer(announced).to_string());
    let (incoming, offered) = desk.wait_for_with(&mut [&mut home], WAIT, |e| match e {
        PhoneEvent::Incoming { call, sdp, .. } => Some((*call, sdp.clone())),
        _ => None,
    });
    let offered = Sdp::parse(&offered.expect("an offer")).unwrap();
    desk.answer(incoming, &offered.answer(rtp_desk.local_addr()).to_string())
        .unwrap();
    let answered = home.wait_for(WAIT, |e| match e {
        PhoneEvent::Answered { call: c, sdp } if *c == call => sdp.clone(),
        PhoneEvent::Failed { code, .. } => panic!("the call failed with {code}"),
        _ => None,
    });
    let answered = Sdp::parse(&answered).unwrap();
    rtp_home.set_remote(Some(answered.media));
    rtp_desk.set_remote(Some(offered.media));
    let (home_hears, desk_hears) = exchange(&mut rtp_home, &mut rtp_desk);
    assert!(
        home_hears,
        "the phone behind the router hears the desk phone"
    );
    assert!(
        desk_hears,
        "the desk phone hears the phone behind the router"
    );
    home.hang_up(call).unwrap();
    desk.wait_for(WAIT, |e| {
        matches!(e, PhoneEvent::Ended { .. }).then_some(())
    });
    (
        offered.media,
        answered.media,
        rtp_home.local_addr(),
        rtp_desk.local_addr(),
    )
}

#[test]
fn a_phone_behind_a_router_gets_its_audio_through_the_relay() {
    let (desk_sends_to, home_sends_to, home_at, desk_at) = relay_call("", true);
    // Neither phone sees the other's address: both talk to the relay.
    assert_ne!(desk_sends_to, home_at);
    assert_ne!(desk_sends_to.port(), 4000);
    assert_ne!(home_sends_to, desk_at);
    assert!(
        (40_000..50_000).contains(&desk_sends_to.port()),
        "a relay port: {desk_sends_to}"
    );
}

#[test]
fn relay_always_relays_phones_that_are_not_behind_a_router() {
    let (desk_sends_to, _, home_at, _) = relay_call("[media]\nrelay = \"always\"\n", false);
    assert_ne!(
        desk_sends_to, home_at,
        "relayed although the phone announced its own address"
    );
}
