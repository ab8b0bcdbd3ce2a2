//! Busy lamp keys through the sans-IO switch on a simulated clock: a watcher's phone
//! (ext 100) subscribes to the dialog state of a colleague (ext 200, RFC 4235) and sees
//! each call of theirs ring, be answered and end, in order, with rising versions; it
//! unsubscribes and gets the final NOTIFY. The same phone can watch the colleague's
//! presence (RFC 3856, PIDF), as the switch knows it or as the team panel feeds it.

use bytes::Bytes;
use sip::digest::Credentials;
use sip::registrar::Binding;
use sip::Method;
use std::net::SocketAddr;
use telephony::{Account, Accounts, Flow, Switch};

mod common;

use common::{addr, ha1, md5_challenge, sent, DOMAIN};

const WATCHER: &str = "10.0.0.1:5060";
const PHONE_200: &str = "10.0.0.2:5060";
const CALLER: &str = "10.0.0.3:5060";

/// The watcher 100, the colleague 200 with a registered phone, the caller 300.
fn switch() -> Switch {
    common::switch_with(&[("100", 1), ("200", 2), ("300", 3)], &[("200", PHONE_200)])
}

fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.lines().find_map(|l| l.strip_prefix(name))
}

/// A request from `from` with a digest answer to the challenge in `challenged`.
fn authorize(challenged: &str, user: &str, uri: &str, method: &Method) -> String {
    let challenge = md5_challenge(&[challenged.to_owned()]).expect("407 with an MD5 challenge");
    let answer = Credentials::answer(&challenge, user, uri, "cn", 1, method, &ha1(user));
    format!("Proxy-Authorization: {answer}\r\n")
}

/// 300 calls 200 (answering the 407); returns what the switch sent after that.
fn call_200(s: &mut Switch, now: i64) -> Vec<(SocketAddr, String)> {
    let caller = Flow::udp(addr(CALLER));
    s.handle_datagram(now, caller, invite("")).unwrap();
    let out = sent(s);
    let uri = format!("sip:200@{DOMAIN}");
    let auth = authorize(&out[0].1, "300-1", &uri, &Method::Invite);
    s.handle_datagram(now, caller, invite(&auth)).unwrap();
    sent(s)
}

fn subscribe(cseq: u32, to_tag: Option<&str>, expires: u32, extra: &str) -> Bytes {
    let (uri, to_tag) = match to_tag {
        Some(tag) => ("sip:192.0.2.1:5060".to_owned(), format!(";tag={tag}")),
        None => (format!("sip:200@{DOMAIN}"), String::new()),
    };
    Bytes::from(format!(
        "SUBSCRIBE {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {WATCHER};branch=z9hG4bKs{cseq}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:100-1@{DOMAIN}>;tag=watch\r\n\
         To: <sip:200@{DOMAIN}>{to_tag}\r\nCall-ID: sub-1\r\nCSeq: {cseq} SUBSCRIBE\r\n\
         Contact: <sip:100-1@{WATCHER}>\r\nEvent: dialog\r\n\
         Accept: application/dialog-info+xml\r\nExpires: {expires}\r\n{extra}\
         Content-Length: 0\r\n\r\n"
    ))
}

/// The watcher subscribes to 200 (answering the challenge); returns the 2xx and NOTIFY.
fn subscribed(s: &mut Switch, now: i64) -> (String, String) {
    subscribed_to(s, now, "dialog")
}

/// The watcher subscribes to 200's `event` package.
fn subscribed_to(s: &mut Switch, now: i64, event: &str) -> (String, String) {
    let watcher = Flow::udp(addr(WATCHER));
    let subscribe = |cseq, extra: &str| {
        let text = String::from_utf8(subscribe(cseq, None, 3600, extra).to_vec()).unwrap();
        let text = match event {
            "presence" => text
                .replace("Event: dialog", "Event: presence")
                .replace("application/dialog-info+xml", "application/pidf+xml"),
            _ => text,
        };
        Bytes::from(text)
    };
    s.handle_datagram(now, watcher, subscribe(1, "")).unwrap();
    let out = sent(s);
    assert!(out[0].1.starts_with("SIP/2.0 407 "), "{out:?}");
    let uri = format!("sip:200@{DOMAIN}");
    let auth = authorize(&out[0].1, "100-1", &uri, &Method::Subscribe);
    s.handle_datagram(now, watcher, subscribe(2, &auth))
        .unwrap();
    let out = sent(s);
    assert_eq!(out.len(), 2, "{out:?}");
    assert!(out.iter().all(|(to, _)| *to == addr(WATCHER)), "{out:?}");
    (out[0].1.clone(), out[1].1.clone())
}

/// The one NOTIFY in `out` (to the watcher); answered with 200 at once.
fn notified(s: &mut Switch, now: i64, out: &[(SocketAddr, String)]) -> String {
    let notifies: Vec<&String> = out
        .iter()
        .filter(|(to, m)| *to == addr(WATCHER) && m.starts_with("NOTIFY "))
        .map(|(_, m)| m)
        .collect();
    assert_eq!(notifies.len(), 1, "{out:?}");
    let notify = notifies[0].clone();
    respond(s, now, WATCHER, &notify, 200, "");
    notify
}

/// `peer` answers `request` with `code` (and `to_tag` added when given).
fn respond(s: &mut Switch, now: i64, peer: &str, request: &str, code: u16, to_tag: &str) {
    let copy = |name: &str| {
        request
            .lines()
            .filter(|l| l.starts_with(name))
            .collect::<Vec<_>>()
            .join("\r\n")
    };
    let response = format!(
        "SIP/2.0 {code} Reason\r\n{}\r\n{}\r\n{}{to_tag}\r\n{}\r\n{}\r\nContent-Length: 0\r\n\r\n",
        copy("Via: "),
        copy("From: "),
        copy("To: "),
        copy("Call-ID: "),
        copy("CSeq: "),
    );
    s.handle_datagram(now, Flow::udp(addr(peer)), Bytes::from(response))
        .unwrap();
}

fn invite(auth: &str) -> Bytes {
    Bytes::from(format!(
        "INVITE sip:200@{DOMAIN} SIP/2.0\r\nVia: SIP/2.0/UDP {CALLER};branch=z9hG4bKc{}\r\n\
         Max-Forwards: 70\r\nFrom: \"Carla\" <sip:300-1@{DOMAIN}>;tag=caller\r\n\
         To: <sip:200@{DOMAIN}>\r\nCall-ID: call-1\r\nCSeq: {} INVITE\r\n\
         Contact: <sip:300-1@{CALLER}>\r\n{auth}Content-Length: 0\r\n\r\n",
        auth.len(),
        if auth.is_empty() { 1 } else { 2 },
    ))
}

fn version(notify: &str) -> u32 {
    let doc = &notify[notify.find("<dialog-info").expect("a dialog-info document")..];
    let at = doc.find(" version=\"").expect("a version") + 10;
    doc[at..].split('"').next().unwrap().parse().unwrap()
}

#[test]
fn a_watcher_sees_a_colleagues_call_ring_be_answered_and_end() {
    let mut s = switch();
    let (ok, first) = subscribed(&mut s, 1_000);
    assert!(ok.starts_with("SIP/2.0 200 OK\r\n"), "{ok}");
    let our_tag = header(&ok, "To: ")
        .and_then(|to| to.split(";tag=").nth(1))
        .expect("a To tag")
        .to_owned();
    assert_eq!(header(&ok, "Expires: "), Some("3600"));
    assert!(first.starts_with(&format!("NOTIFY sip:100-1@{WATCHER} SIP/2.0\r\n")));
    assert_eq!(header(&first, "Event: "), Some("dialog"));
    assert_eq!(
        header(&first, "Subscription-State: "),
        Some("active;expires=3600")
    );
    assert!(
        first.contains(&format!("entity=\"sip:200@{DOMAIN}\"")),
        "{first}"
    );
    assert!(!first.contains("<dialog "), "idle at first: {first}");
    respond(&mut s, 1_000, WATCHER, &first, 200, "");
    assert_eq!(version(&first), 0);

    // 300 calls 200: the lamp blinks, showing who calls.
    let out = call_200(&mut s, 2_000);
    let ringing = notified(&mut s, 2_000, &out);
    assert!(ringing.contains("direction=\"recipient\""), "{ringing}");
    assert!(ringing.contains("<state>early</state>"), "{ringing}");
    assert!(
        ringing.contains("sip:300-1@pbx.example</identity>"),
        "{ringing}"
    );
    assert_eq!(version(&ringing), 1);
    let to_phone = out
        .iter()
        .find(|(to, m)| *to == addr(PHONE_200) && m.starts_with("INVITE "))
        .map(|(_, m)| m.clone())
        .expect("the phone rings");

    // 200 picks up: lit.
    respond(&mut s, 3_000, PHONE_200, &to_phone, 180, ";tag=callee");
    respond(&mut s, 3_000, PHONE_200, &to_phone, 200, ";tag=callee");
    let out = sent(&mut s);
    assert!(out
        .iter()
        .any(|(to, m)| *to == addr(CALLER) && m.starts_with("SIP/2.0 200")));
    let talking = notified(&mut s, 3_000, &out);
    assert!(talking.contains("<state>confirmed</state>"), "{talking}");
    assert!(talking.contains("local-tag=\"callee\""), "{talking}");
    assert_eq!(version(&talking), 2);

    // The caller hangs up: terminated once.
    let bye = format!(
        "BYE sip:200-1@{PHONE_200} SIP/2.0\r\nVia: SIP/2.0/UDP {CALLER};branch=z9hG4bKbye\r\n\
         Route: <sip:192.0.2.1:5060;lr>\r\nMax-Forwards: 70\r\n\
         From: <sip:300-1@{DOMAIN}>;tag=caller\r\nTo: <sip:200@{DOMAIN}>;tag=callee\r\n\
         Call-ID: call-1\r\nCSeq: 3 BYE\r\nContent-Length: 0\r\n\r\n"
    );
    let caller = Flow::udp(addr(CALLER));
    s.handle_datagram(4_000, caller, Bytes::from(bye)).unwrap();
    let out = sent(&mut s);
    let ended = notified(&mut s, 4_000, &out);
    assert!(ended.contains("<state>terminated</state>"), "{ended}");
    assert_eq!(version(&ended), 3);

    // A refresh: the current state again, idle now.
    let watcher = Flow::udp(addr(WATCHER));
    s.handle_datagram(5_000, watcher, subscribe(3, Some(&our_tag), 3600, ""))
        .unwrap();
    let out = sent(&mut s);
    assert!(out[0].1.starts_with("SIP/2.0 200 OK\r\n"), "{out:?}");
    let idle = notified(&mut s, 5_000, &out);
    assert!(!idle.contains("<dialog "), "{idle}");
    assert_eq!(version(&idle), 4);

    // Unsubscribed: the final NOTIFY, and nothing waits any more.
    s.handle_datagram(6_000, watcher, subscribe(4, Some(&our_tag), 0, ""))
        .unwrap();
    let out = sent(&mut s);
    assert!(out[0].1.starts_with("SIP/2.0 200 OK\r\n"), "{out:?}");
    assert_eq!(header(&out[0].1, "Expires: "), Some("0"));
    let last = notified(&mut s, 6_000, &out);
    assert_eq!(
        header(&last, "Subscription-State: "),
        Some("terminated;reason=timeout")
    );
    assert_eq!(version(&last), 5);

    // The next call lights no lamp: nobody watches.
    let again = invite("").to_vec();
    let again = String::from_utf8(again)
        .unwrap()
        .replace("call-1", "call-2")
        .replace("z9hG4bKc0", "z9hG4bKc9");
    s.handle_datagram(7_000, caller, Bytes::from(again))
        .unwrap();
    let out = sent(&mut s);
    assert!(!out.iter().any(|(to, _)| *to == addr(WATCHER)), "{out:?}");
}

#[test]
fn a_call_that_is_not_answered_goes_dark_and_a_subscription_runs_out() {
    let mut s = switch();
    let (_, first) = subscribed(&mut s, 1_000);
    respond(&mut s, 1_000, WATCHER, &first, 200, "");
    let out = call_200(&mut s, 2_000);
    let to_phone = out
        .iter()
        .find(|(to, m)| *to == addr(PHONE_200) && m.starts_with("INVITE "))
        .map(|(_, m)| m.clone())
        .unwrap();
    notified(&mut s, 2_000, &out);
    // The colleague declines.
    respond(&mut s, 2_500, PHONE_200, &to_phone, 486, ";tag=callee");
    let out = sent(&mut s);
    assert!(out
        .iter()
        .any(|(to, m)| *to == addr(CALLER) && m.starts_with("SIP/2.0 486")));
    let ended = notified(&mut s, 2_500, &out);
    assert!(ended.contains("<state>terminated</state>"), "{ended}");
    // An hour later the subscription ends with a final NOTIFY.
    let end = 1_000 + 3_600_000;
    assert!(s.poll_timeout().is_some_and(|at| at <= end));
    s.handle_timeout(end);
    let out = sent(&mut s);
    let last = notified(&mut s, end, &out);
    assert_eq!(
        header(&last, "Subscription-State: "),
        Some("terminated;reason=timeout")
    );
}

#[test]
fn subscriptions_need_credentials_and_a_known_person() {
    let mut s = switch();
    let watcher = Flow::udp(addr(WATCHER));
    s.handle_datagram(1_000, watcher, subscribe(1, None, 3600, ""))
        .unwrap();
    let out = sent(&mut s);
    let text = String::from_utf8(subscribe(2, None, 3600, "").to_vec())
        .unwrap()
        .replace("sip:200@", "sip:999@");
    let uri = format!("sip:999@{DOMAIN}");
    let auth = authorize(&out[0].1, "100-1", &uri, &Method::Subscribe);
    let text = text.replace("Content-Length", &format!("{}Content-Length", auth));
    s.handle_datagram(1_000, watcher, Bytes::from(text))
        .unwrap();
    let out = sent(&mut s);
    assert_eq!(out.len(), 1, "{out:?}");
    assert!(out[0].1.starts_with("SIP/2.0 404 "), "{out:?}");
}

#[test]
fn a_removed_watcher_or_watched_person_ends_the_subscription() {
    for (gone, reason) in [("100", "rejected"), ("200", "noresource")] {
        let mut s = switch();
        let (_, first) = subscribed(&mut s, 1_000);
        respond(&mut s, 1_000, WATCHER, &first, 200, "");
        let left: Vec<Account> = s
            .accounts()
            .iter()
            .filter(|a| a.extension != gone)
            .cloned()
            .collect();
        s.set_accounts(2_000, Accounts::new(left));
        let out = sent(&mut s);
        let last = notified(&mut s, 2_000, &out);
        let state = format!("terminated;reason={reason}");
        assert_eq!(header(&last, "Subscription-State: "), Some(&state[..]));
        assert!(!last.contains("<dialog-info"), "no body: {last}");
    }
}

#[test]
fn presence_follows_the_phones_and_then_the_team_panel() {
    let mut s = switch();
    let (ok, first) = subscribed_to(&mut s, 1_000, "presence");
    assert!(ok.starts_with("SIP/2.0 200 OK\r\n"), "{ok}");
    assert_eq!(header(&first, "Event: "), Some("presence"));
    assert_eq!(
        header(&first, "Content-Type: "),
        Some("application/pidf+xml")
    );
    // 200's phone is registered: reachable.
    assert!(first.contains("<basic>open</basic>"), "{first}");
    respond(&mut s, 1_000, WATCHER, &first, 200, "");

    // The phone goes away: offline.
    s.set_accounts(
        2_000,
        Accounts::new(s.accounts().iter().cloned().map(|mut a| {
            a.enabled &= a.extension != "200";
            a
        })),
    );
    let out = sent(&mut s);
    let offline = notified(&mut s, 2_000, &out);
    assert!(offline.contains("<basic>closed</basic>"), "{offline}");

    // The team panel says do not disturb; it wins from now on, and a repeat is no news.
    s.handle_presence(3_000, 2, presence::State::DoNotDisturb);
    let out = sent(&mut s);
    let dnd = notified(&mut s, 3_000, &out);
    assert!(dnd.contains("Bitte nicht stören"), "{dnd}");
    s.handle_presence(3_500, 2, presence::State::DoNotDisturb);
    assert!(sent(&mut s).is_empty());
    // Someone else's state is not this watcher's business.
    s.handle_presence(4_000, 3, presence::State::Away);
    assert!(sent(&mut s).is_empty());
}

#[test]
fn a_forwarded_call_leaves_the_first_lamp_and_rings_at_the_next() {
    use directory::forwarding::{ForwardingRules, RuleRequest, RulesRequest};
    use directory::Extension;
    let mut s = switch();
    // 200 forwards when busy to 100, whose phone is the watcher.
    let binding = Binding {
        contact: format!("sip:100-1@{WATCHER}").into_bytes().into(),
        instance: None,
        call_id: Box::from(&b"reg-100"[..]),
        cseq: 1,
        expires_at: 10_000_000,
        flow: Flow::udp(addr(WATCHER)),
    };
    s.restore("100-1", binding);
    let own = Extension::parse("200").unwrap();
    let request = RulesRequest {
        busy: RuleRequest {
            on: true,
            target: Some("100"),
        },
        ..RulesRequest::default()
    };
    let rules = ForwardingRules::validate(&request, &own, |_| true).unwrap();
    s.set_forwarding(std::collections::HashMap::from([(own, rules)]));

    let (_, first) = subscribed(&mut s, 1_000);
    respond(&mut s, 1_000, WATCHER, &first, 200, "");
    let out = call_200(&mut s, 2_000);
    let ringing = notified(&mut s, 2_000, &out);
    assert!(ringing.contains("<state>early</state>"), "{ringing}");
    let to_phone = out
        .iter()
        .find(|(to, m)| *to == addr(PHONE_200) && m.starts_with("INVITE "))
        .map(|(_, m)| m.clone())
        .unwrap();
    // 200 is busy: the call moves on to 100, and 200's lamp goes dark.
    respond(&mut s, 2_500, PHONE_200, &to_phone, 486, ";tag=callee");
    let out = sent(&mut s);
    assert!(
        out.iter()
            .any(|(to, m)| *to == addr(WATCHER) && m.starts_with("INVITE ")),
        "forwarded to 100: {out:?}"
    );
    let moved = notified(&mut s, 2_500, &out);
    assert!(moved.contains("<state>terminated</state>"), "{moved}");
    assert!(!moved.contains("<state>early</state>"), "{moved}");
}
