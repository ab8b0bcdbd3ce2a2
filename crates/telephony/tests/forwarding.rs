//! Call forwarding through the sans-IO switch on a simulated clock: a caller (ext 100)
//! calls 200, whose rules send the call on to 300 unconditionally, when 200's device
//! answers busy, or when it rings unanswered; forwarding in a circle stops.

use bytes::Bytes;
use directory::forwarding::{ForwardingRules, RuleRequest, RulesRequest};
use directory::Extension;
use sip::digest::Credentials;
use sip::Method;
use std::collections::HashMap;
use std::net::SocketAddr;
use telephony::{Flow, Switch};

mod common;

use common::{addr, ha1, md5_challenge, sent, DOMAIN};

const CALLER: &str = "10.0.0.1:5060";
const PHONE_200: &str = "10.0.0.2:5060";
const PHONE_300: &str = "10.0.0.3:5060";
const PHONE_400: &str = "10.0.0.4:5060";

/// Caller 100, and 200, 300, 400 each with one registered phone.
fn switch() -> Switch {
    let people = [("100", 1), ("200", 2), ("300", 3), ("400", 4)];
    let phones = [("200", PHONE_200), ("300", PHONE_300), ("400", PHONE_400)];
    common::switch_with(&people, &phones)
}

fn rules(own: &str, request: RulesRequest) -> (Extension, ForwardingRules) {
    let own = Extension::parse(own).unwrap();
    let rules = ForwardingRules::validate(&request, &own, |_| true).unwrap();
    (own, rules)
}

fn on(target: &str) -> RuleRequest<'_> {
    RuleRequest {
        on: true,
        target: Some(target),
    }
}

fn invite(to: &str, auth: Option<&str>) -> Bytes {
    let auth = auth.map_or(String::new(), |a| format!("Proxy-Authorization: {a}\r\n"));
    Bytes::from(format!(
        "INVITE sip:{to}@{DOMAIN} SIP/2.0\r\nVia: SIP/2.0/UDP {CALLER};branch=z9hG4bKc{}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:100-1@{DOMAIN}>;tag=caller\r\nTo: <sip:{to}@{DOMAIN}>\r\n\
         Call-ID: call-1\r\nCSeq: {} INVITE\r\nContact: <sip:100-1@{CALLER}>\r\n{auth}\
         Content-Length: 0\r\n\r\n",
        u8::from(auth.is_empty()),
        if auth.is_empty() { 1 } else { 2 },
    ))
}

/// The caller calls `to` (answering the 407); returns what went out after that.
fn call(s: &mut Switch, now: i64, to: &str) -> Vec<(SocketAddr, String)> {
    let caller = Flow::udp(addr(CALLER));
    s.handle_datagram(now, caller, invite(to, None)).unwrap();
    let out = sent(s);
    let messages: Vec<String> = out.into_iter().map(|(_, m)| m).collect();
    let challenge = md5_challenge(&messages).expect("407 with an MD5 challenge");
    let answer = Credentials::answer(
        &challenge,
        "100-1",
        &format!("sip:{to}@{DOMAIN}"),
        "cn",
        1,
        &Method::Invite,
        &ha1("100-1"),
    );
    s.handle_datagram(now, caller, invite(to, Some(&answer.to_string())))
        .unwrap();
    sent(s)
}

fn invites_to(out: &[(SocketAddr, String)], phone: &str) -> Vec<String> {
    out.iter()
        .filter(|(to, m)| *to == addr(phone) && m.starts_with("INVITE "))
        .map(|(_, m)| m.clone())
        .collect()
}

/// The phone at `phone` answers the INVITE `request` with `code`.
fn answer(s: &mut Switch, now: i64, phone: &str, request: &str, code: u16) {
    let copy = |name: &str| {
        request
            .lines()
            .filter(|l| l.starts_with(name))
            .collect::<Vec<_>>()
            .join("\r\n")
    };
    let tag = if code > 100 { ";tag=callee" } else { "" };
    let response = format!(
        "SIP/2.0 {code} Reason\r\n{}\r\n{}\r\n{}{tag}\r\n{}\r\n{}\r\nContent-Length: 0\r\n\r\n",
        copy("Via: "),
        copy("From: "),
        copy("To: "),
        copy("Call-ID: "),
        copy("CSeq: "),
    );
    s.handle_datagram(now, Flow::udp(addr(phone)), Bytes::from(response))
        .unwrap();
}

#[test]
fn without_rules_the_dialled_phone_rings() {
    let mut s = switch();
    let out = call(&mut s, 1_000, "200");
    assert_eq!(invites_to(&out, PHONE_200).len(), 1, "{out:?}");
    assert!(invites_to(&out, PHONE_300).is_empty());
}

#[test]
fn unconditional_forwarding_rings_the_target_instead() {
    let mut s = switch();
    let request = RulesRequest {
        always: on("300"),
        ..RulesRequest::default()
    };
    s.set_forwarding(HashMap::from([rules("200", request)]));
    let out = call(&mut s, 1_000, "200");
    assert!(invites_to(&out, PHONE_200).is_empty(), "{out:?}");
    let forwarded = invites_to(&out, PHONE_300);
    assert_eq!(forwarded.len(), 1, "{out:?}");
    assert!(forwarded[0].starts_with("INVITE sip:300-1@10.0.0.3:5060 SIP/2.0\r\n"));
}

#[test]
fn a_busy_answer_is_forwarded_and_the_caller_never_hears_it() {
    let mut s = switch();
    let request = RulesRequest {
        busy: on("300"),
        ..RulesRequest::default()
    };
    s.set_forwarding(HashMap::from([rules("200", request)]));
    let out = call(&mut s, 1_000, "200");
    let first = invites_to(&out, PHONE_200).pop().expect("200 rings first");
    answer(&mut s, 1_100, PHONE_200, &first, 486);
    let out = sent(&mut s);
    assert_eq!(invites_to(&out, PHONE_300).len(), 1, "{out:?}");
    assert!(
        !out.iter()
            .any(|(to, m)| *to == addr(CALLER) && m.starts_with("SIP/2.0 486")),
        "{out:?}"
    );
    // 300 answers: the caller gets that 200.
    let second = invites_to(&out, PHONE_300).pop().unwrap();
    answer(&mut s, 1_200, PHONE_300, &second, 200);
    let out = sent(&mut s);
    assert!(
        out.iter()
            .any(|(to, m)| *to == addr(CALLER) && m.starts_with("SIP/2.0 200")),
        "{out:?}"
    );
}

#[test]
fn no_answer_forwards_after_the_rules_seconds_and_cancels_the_first_phone() {
    let mut s = switch();
    let request = RulesRequest {
        no_answer: on("300"),
        no_answer_secs: 15,
        ..RulesRequest::default()
    };
    s.set_forwarding(HashMap::from([rules("200", request)]));
    let out = call(&mut s, 1_000, "200");
    let first = invites_to(&out, PHONE_200).pop().expect("200 rings first");
    answer(&mut s, 1_050, PHONE_200, &first, 180);
    sent(&mut s);
    // 15 s after the call came, not a moment earlier.
    s.handle_timeout(15_999);
    assert!(invites_to(&sent(&mut s), PHONE_300).is_empty());
    s.handle_timeout(16_000);
    let out = sent(&mut s);
    assert!(
        out.iter()
            .any(|(to, m)| *to == addr(PHONE_200) && m.starts_with("CANCEL ")),
        "{out:?}"
    );
    assert_eq!(invites_to(&out, PHONE_300).len(), 1, "{out:?}");
}

#[test]
fn nobody_registered_counts_as_no_answer_at_once() {
    let mut s = switch();
    let request = RulesRequest {
        no_answer: on("300"),
        ..RulesRequest::default()
    };
    // 100 itself has no registered phone; its rule sends calls to 300 right away.
    s.set_forwarding(HashMap::from([rules("100", request)]));
    let out = call(&mut s, 1_000, "100");
    assert_eq!(invites_to(&out, PHONE_300).len(), 1, "{out:?}");
}

#[test]
fn forwarding_in_a_circle_stops_where_it_would_return() {
    let mut s = switch();
    let to = |target| RulesRequest {
        always: on(target),
        ..RulesRequest::default()
    };
    s.set_forwarding(HashMap::from([
        rules("200", to("300")),
        rules("300", to("400")),
        rules("400", to("200")),
    ]));
    let out = call(&mut s, 1_000, "200");
    // 200 → 300 → 400, and 400 → 200 would close the circle: 400 rings.
    assert_eq!(invites_to(&out, PHONE_400).len(), 1, "{out:?}");
    assert!(invites_to(&out, PHONE_200).is_empty() && invites_to(&out, PHONE_300).is_empty());
}

#[test]
fn rules_switched_on_while_a_call_rings_apply_to_it() {
    let mut s = switch();
    let out = call(&mut s, 1_000, "200");
    let first = invites_to(&out, PHONE_200).pop().expect("200 rings");
    // Nobody had a rule when the call came; now 200 forwards when busy.
    let request = RulesRequest {
        busy: on("300"),
        ..RulesRequest::default()
    };
    s.set_forwarding(HashMap::from([rules("200", request)]));
    answer(&mut s, 1_100, PHONE_200, &first, 486);
    let out = sent(&mut s);
    assert_eq!(invites_to(&out, PHONE_300).len(), 1, "{out:?}");
}
