//! Calls nobody takes go to the voicemail box, through the sans-IO switch on a simulated
//! clock: a desk phone (100) calls 200, whose phone rings out, answers busy or declines,
//! or is not registered at all; then call control (the b2bua address) gets the call at
//! `sip:**200@…` and answers for the box, or refuses (the box is off) and the caller
//! hears what they would have without a box. Rules can send calls to the box too. Calls
//! call control placed itself, and calls the caller cancelled, never go there.

use bytes::Bytes;
use directory::forwarding::{ForwardingRules, RuleRequest, RulesRequest};
use directory::Extension;
use std::collections::HashMap;
use std::net::SocketAddr;
use telephony::{Flow, Switch};

mod common;

use common::{addr, call, respond, sent, DOMAIN};

const CALLER: &str = "10.0.0.1:5060";
const PHONE_200: &str = "10.0.0.2:5060";
const PHONE_300: &str = "10.0.0.3:5060";
const B2BUA: &str = "127.0.0.1:7000";
/// The switch's ring timeout.
const RING_MS: i64 = 30_000;

/// Caller 100 (no phone registered: it only calls), 200 and 300 with a registered phone,
/// 400 with none; call control at [`B2BUA`].
fn switch() -> Switch {
    let people = [("100", 1), ("200", 2), ("300", 3), ("400", 4)];
    let phones = [("200", PHONE_200), ("300", PHONE_300)];
    common::switch_configured(&people, &phones, |s| {
        s.b2bua = Some(addr(B2BUA));
        s.ring_timeout_ms = RING_MS;
    })
}

fn rules(own: &str, request: RulesRequest) -> HashMap<Extension, ForwardingRules> {
    let own = Extension::parse(own).unwrap();
    let rules = ForwardingRules::validate(&request, &own, |_| true).unwrap();
    HashMap::from([(own, rules)])
}

fn on(target: &str) -> RuleRequest<'_> {
    RuleRequest {
        on: true,
        target: Some(target),
    }
}

fn invites_to(out: &[(SocketAddr, String)], at: &str) -> Vec<String> {
    out.iter()
        .filter(|(to, m)| *to == addr(at) && m.starts_with("INVITE "))
        .map(|(_, m)| m.clone())
        .collect()
}

/// The final answer the caller got to its signed INVITE (not the 407 to the first one,
/// which is retransmitted until ACKed), if any.
fn caller_heard(out: &[(SocketAddr, String)]) -> Option<u16> {
    out.iter()
        .filter(|(to, m)| *to == addr(CALLER) && m.starts_with("SIP/2.0 "))
        .filter(|(_, m)| m.contains("CSeq: 2 INVITE"))
        .filter_map(|(_, m)| m["SIP/2.0 ".len()..][..3].parse::<u16>().ok())
        .find(|code| *code >= 200)
}

/// Phone 100 calls `to`: what the switch sent after the signed INVITE.
fn phone_calls(s: &mut Switch, now: i64, to: &str) -> Vec<(SocketAddr, String)> {
    call(s, now, ("100", CALLER), to, "c1")
}

/// The one INVITE call control got, which must be for `extension`'s box.
fn box_invite(out: &[(SocketAddr, String)], extension: &str) -> String {
    let invites = invites_to(out, B2BUA);
    assert_eq!(invites.len(), 1, "{out:?}");
    let first_line = invites[0].lines().next().unwrap();
    assert_eq!(
        first_line,
        format!("INVITE sip:**{extension}@{B2BUA} SIP/2.0"),
        "{out:?}"
    );
    invites[0].clone()
}

#[test]
fn a_call_that_rings_out_is_answered_by_the_box() {
    let mut s = switch();
    let out = phone_calls(&mut s, 1_000, "200");
    let ringing = invites_to(&out, PHONE_200)
        .pop()
        .expect("200's phone rings");
    respond(&mut s, 1_050, PHONE_200, &ringing, 180, ";tag=p200");
    sent(&mut s);
    s.handle_timeout(1_000 + RING_MS - 1);
    assert!(invites_to(&sent(&mut s), B2BUA).is_empty(), "not before");
    s.handle_timeout(1_000 + RING_MS);
    let out = sent(&mut s);
    assert!(
        out.iter()
            .any(|(to, m)| *to == addr(PHONE_200) && m.starts_with("CANCEL ")),
        "{out:?}"
    );
    let to_box = box_invite(&out, "200");
    assert_eq!(caller_heard(&out), None, "the caller waits for the box");
    // Call control answers for the box: the caller is connected to it.
    respond(
        &mut s,
        1_000 + RING_MS + 20,
        B2BUA,
        &to_box,
        200,
        ";tag=box",
    );
    let out = sent(&mut s);
    assert_eq!(caller_heard(&out), Some(200), "{out:?}");
}

#[test]
fn busy_or_declining_phones_send_the_caller_to_the_box() {
    for code in [486, 603, 600] {
        let mut s = switch();
        let out = phone_calls(&mut s, 1_000, "200");
        let ringing = invites_to(&out, PHONE_200).pop().unwrap();
        respond(&mut s, 1_100, PHONE_200, &ringing, code, ";tag=p200");
        let out = sent(&mut s);
        assert_eq!(caller_heard(&out), None, "{code}: {out:?}");
        let to_box = box_invite(&out, "200");
        // The box is switched off: the caller hears what the phone said.
        respond(&mut s, 1_150, B2BUA, &to_box, 480, ";tag=box");
        assert_eq!(caller_heard(&sent(&mut s)), Some(code));
    }
}

#[test]
fn a_box_switched_off_leaves_the_caller_with_480_as_without_a_box() {
    let mut s = switch();
    // 400 has no phone registered: the box at once.
    let out = phone_calls(&mut s, 1_000, "400");
    let to_box = box_invite(&out, "400");
    respond(&mut s, 1_010, B2BUA, &to_box, 480, ";tag=box");
    assert_eq!(caller_heard(&sent(&mut s)), Some(480));

    // Rung out, then refused by the box: 480, not the box's nor a cancelled phone's.
    let mut s = switch();
    let out = phone_calls(&mut s, 1_000, "200");
    let ringing = invites_to(&out, PHONE_200).pop().unwrap();
    respond(&mut s, 1_050, PHONE_200, &ringing, 180, ";tag=p200");
    s.handle_timeout(1_000 + RING_MS);
    let out = sent(&mut s);
    let to_box = box_invite(&out, "200");
    respond(
        &mut s,
        1_000 + RING_MS + 5,
        PHONE_200,
        &ringing,
        487,
        ";tag=p200",
    );
    respond(
        &mut s,
        1_000 + RING_MS + 10,
        B2BUA,
        &to_box,
        480,
        ";tag=box",
    );
    let out = sent(&mut s);
    assert_eq!(caller_heard(&out), Some(480), "{out:?}");
    assert!(
        out.iter()
            .any(|(_, m)| m.starts_with("SIP/2.0 480 Temporarily Unavailable (no answer)")),
        "{out:?}"
    );
}

#[test]
fn a_caller_who_hangs_up_while_it_rings_reaches_no_box() {
    let mut s = switch();
    let out = phone_calls(&mut s, 1_000, "200");
    let ringing = invites_to(&out, PHONE_200).pop().unwrap();
    respond(&mut s, 1_050, PHONE_200, &ringing, 180, ";tag=p200");
    sent(&mut s);
    let invite = out
        .iter()
        .find(|(to, m)| *to == addr(PHONE_200) && m.starts_with("INVITE "))
        .map(|(_, m)| m.clone())
        .unwrap();
    // The caller's CANCEL names its INVITE (CSeq 2, the signed one).
    let via = common::lines(&invite, "Via: ");
    let caller_via = via.lines().last().unwrap();
    let cancel = format!(
        "CANCEL sip:200@{DOMAIN} SIP/2.0\r\n{caller_via}\r\nMax-Forwards: 70\r\n\
         From: <sip:100-1@{DOMAIN}>;tag=100\r\nTo: <sip:200@{DOMAIN}>\r\nCall-ID: c1\r\n\
         CSeq: 2 CANCEL\r\nContent-Length: 0\r\n\r\n"
    );
    s.handle_datagram(2_000, Flow::udp(addr(CALLER)), Bytes::from(cancel))
        .unwrap();
    let out = sent(&mut s);
    assert!(invites_to(&out, B2BUA).is_empty(), "{out:?}");
    assert_eq!(caller_heard(&out), Some(487), "{out:?}");
}

/// Call control places a call to `to` (trusted, no digest), as for a browser caller.
fn call_control_calls(s: &mut Switch, now: i64, to: &str) -> Vec<(SocketAddr, String)> {
    let invite = format!(
        "INVITE sip:{to}@{DOMAIN} SIP/2.0\r\nVia: SIP/2.0/UDP {B2BUA};branch=z9hG4bKcc{now}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:100@{DOMAIN}>;tag=cc\r\nTo: <sip:{to}@{DOMAIN}>\r\n\
         Call-ID: cc{now}\r\nCSeq: 1 INVITE\r\nContact: <sip:100@{B2BUA}>\r\n\
         Content-Length: 0\r\n\r\n"
    );
    s.handle_datagram(now, Flow::udp(addr(B2BUA)), Bytes::from(invite))
        .unwrap();
    sent(s)
}

fn call_control_heard(out: &[(SocketAddr, String)]) -> Option<u16> {
    out.iter()
        .filter(|(to, m)| *to == addr(B2BUA) && m.starts_with("SIP/2.0 "))
        .filter_map(|(_, m)| m["SIP/2.0 ".len()..][..3].parse::<u16>().ok())
        .find(|code| *code >= 200)
}

#[test]
fn call_controls_own_calls_end_as_before_for_it_to_divert() {
    // Nobody registered: 480, no box (call control diverts its own calls).
    let mut s = switch();
    let out = call_control_calls(&mut s, 1_000, "400");
    assert_eq!(call_control_heard(&out), Some(480), "{out:?}");
    assert!(invites_to(&out, B2BUA).is_empty());
    // Busy: the 486 goes back.
    let out = call_control_calls(&mut s, 2_000, "200");
    let ringing = invites_to(&out, PHONE_200).pop().expect("200 rings");
    respond(&mut s, 2_100, PHONE_200, &ringing, 486, ";tag=p200");
    let out = sent(&mut s);
    assert_eq!(call_control_heard(&out), Some(486), "{out:?}");
    // A rule to the box: refused at once (call control answers for the box itself).
    let mut s = switch();
    s.set_forwarding(rules(
        "200",
        RulesRequest {
            always: on("voicemail"),
            ..RulesRequest::default()
        },
    ));
    let out = call_control_calls(&mut s, 1_000, "200");
    assert_eq!(call_control_heard(&out), Some(480), "{out:?}");
    assert!(invites_to(&out, PHONE_200).is_empty(), "{out:?}");
}

#[test]
fn a_rule_to_voicemail_sends_the_call_to_the_box() {
    // Always: 200's phone does not ring.
    let mut s = switch();
    s.set_forwarding(rules(
        "200",
        RulesRequest {
            always: on("voicemail"),
            ..RulesRequest::default()
        },
    ));
    let out = phone_calls(&mut s, 1_000, "200");
    assert!(invites_to(&out, PHONE_200).is_empty(), "{out:?}");
    box_invite(&out, "200");

    // When busy: after the phone's 486.
    let mut s = switch();
    s.set_forwarding(rules(
        "200",
        RulesRequest {
            busy: on("voicemail"),
            ..RulesRequest::default()
        },
    ));
    let out = phone_calls(&mut s, 1_000, "200");
    let ringing = invites_to(&out, PHONE_200).pop().unwrap();
    respond(&mut s, 1_100, PHONE_200, &ringing, 486, ";tag=p200");
    box_invite(&sent(&mut s), "200");

    // When not answered: after the rule's seconds, not the ring timeout.
    let mut s = switch();
    s.set_forwarding(rules(
        "200",
        RulesRequest {
            no_answer: on("voicemail"),
            no_answer_secs: 10,
            ..RulesRequest::default()
        },
    ));
    let out = phone_calls(&mut s, 1_000, "200");
    let ringing = invites_to(&out, PHONE_200).pop().unwrap();
    respond(&mut s, 1_050, PHONE_200, &ringing, 180, ";tag=p200");
    sent(&mut s);
    s.handle_timeout(11_000);
    let out = sent(&mut s);
    let to_box = box_invite(&out, "200");
    // Switched off: nobody answered, the caller hears 480.
    respond(&mut s, 11_050, B2BUA, &to_box, 480, ";tag=box");
    assert_eq!(caller_heard(&sent(&mut s)), Some(480));
}

#[test]
fn a_call_forwarded_on_reaches_the_box_of_whom_it_rang_last() {
    let mut s = switch();
    s.set_forwarding(rules(
        "200",
        RulesRequest {
            no_answer: on("300"),
            no_answer_secs: 10,
            ..RulesRequest::default()
        },
    ));
    let out = phone_calls(&mut s, 1_000, "200");
    assert_eq!(invites_to(&out, PHONE_200).len(), 1);
    s.handle_timeout(11_000);
    let out = sent(&mut s);
    let at_300 = invites_to(&out, PHONE_300).pop().expect("300 rings next");
    // 300 is busy and has no rule: 300's box.
    respond(&mut s, 11_100, PHONE_300, &at_300, 486, ";tag=p300");
    let out = sent(&mut s);
    box_invite(&out, "300");
}

#[test]
fn a_relayed_call_rings_a_little_longer_for_call_control_to_divert_it() {
    let mut s = common::switch_configured(&[("100", 1), ("200", 2)], &[("200", PHONE_200)], |s| {
        s.b2bua = Some(addr(B2BUA));
        s.ring_timeout_ms = RING_MS;
        s.relay_always = true;
    });
    let out = phone_calls(&mut s, 1_000, "200");
    let relayed = invites_to(&out, B2BUA).pop().expect("to call control");
    assert!(relayed.starts_with(&format!("INVITE sip:200@{B2BUA};relay SIP/2.0")));
    respond(&mut s, 1_050, B2BUA, &relayed, 180, ";tag=cc");
    sent(&mut s);
    // Call control's own ring timer (started a moment later) ends it, not the switch's.
    s.handle_timeout(1_000 + RING_MS + 10);
    assert_eq!(caller_heard(&sent(&mut s)), None);
    s.handle_timeout(1_000 + RING_MS + 5_000);
    let out = sent(&mut s);
    assert!(
        invites_to(&out, B2BUA).is_empty(),
        "no box of the switch's: {out:?}"
    );
    assert_eq!(caller_heard(&out), Some(480), "{out:?}");
}
