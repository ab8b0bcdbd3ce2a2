//! Message-waiting lamps (RFC 3842) through the sans-IO switch: a desk phone (ext 2401)
//! subscribes to `message-summary` for its own box; the switch asks the shell for the
//! counts ([`Notice::VoicemailCounts`]) and sends the first NOTIFY with them, then one per
//! change (`Messages-Waiting: yes` with a new message, `no` once it is heard). Nobody
//! else's box may be watched; unsubscribing, running out and the device going to
//! another person end the subscription as for the other packages.

mod common;

use bytes::Bytes;
use common::{addr, ha1, md5_challenge, respond, sent, DOMAIN};
use sip::digest::Credentials;
use sip::Method;
use std::net::SocketAddr;
use telephony::{Accounts, Flow, Notice, Switch};

/// Anna's desk phone (device 2401-1, person 7).
const PHONE: &str = "10.0.0.1:5060";
const ANNA: i64 = 7;
const BEN: i64 = 8;

/// Anna (2401) and Ben (2501), one device each; no phone registered (a phone needs no
/// registration to watch its box).
fn switch() -> Switch {
    common::switch_with(&[("2401", ANNA), ("2501", BEN)], &[])
}

fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.lines().find_map(|l| l.strip_prefix(name))
}

/// A SUBSCRIBE of Anna's phone to `uri` (in the dialog of `to_tag` unless empty); each
/// Call-ID is a line of its own (a Contact of its own, so none replaces another).
fn subscribe_msg(
    uri: &str,
    call_id: &str,
    cseq: u32,
    to_tag: &str,
    expires: u32,
    auth: &str,
) -> Bytes {
    let to_tag = match to_tag {
        "" => String::new(),
        tag => format!(";tag={tag}"),
    };
    Bytes::from(format!(
        "SUBSCRIBE {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {PHONE};branch=z9hG4bK{call_id}{cseq}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:2401-1@{DOMAIN}>;tag=phone\r\n\
         To: <sip:2401@{DOMAIN}>{to_tag}\r\nCall-ID: {call_id}\r\nCSeq: {cseq} SUBSCRIBE\r\n\
         Contact: <sip:2401-1@{PHONE};line={call_id}>\r\nEvent: message-summary\r\n\
         Accept: application/simple-message-summary\r\nExpires: {expires}\r\n{auth}\
         Content-Length: 0\r\n\r\n"
    ))
}

/// Anna's phone subscribes to `uri` (answering the 407): what the switch sent then.
fn subscribe(s: &mut Switch, now: i64, uri: &str, call_id: &str, expires: u32) -> Vec<String> {
    let phone = Flow::udp(addr(PHONE));
    s.handle_datagram(now, phone, subscribe_msg(uri, call_id, 1, "", expires, ""))
        .unwrap();
    let challenged: Vec<String> = sent(s).into_iter().map(|(_, m)| m).collect();
    let challenge = md5_challenge(&challenged).expect("407 with an MD5 challenge");
    let answer = Credentials::answer(
        &challenge,
        "2401-1",
        uri,
        "cn",
        1,
        &Method::Subscribe,
        &ha1("2401-1"),
    );
    let auth = format!("Proxy-Authorization: {answer}\r\n");
    s.handle_datagram(
        now,
        phone,
        subscribe_msg(uri, call_id, 2, "", expires, &auth),
    )
    .unwrap();
    to_phone(sent(s))
}

/// What went to Anna's phone.
fn to_phone(out: Vec<(SocketAddr, String)>) -> Vec<String> {
    assert!(out.iter().all(|(to, _)| *to == addr(PHONE)), "{out:?}");
    out.into_iter().map(|(_, m)| m).collect()
}

/// The people whose counts the switch asks for.
fn asked(s: &mut Switch) -> Vec<i64> {
    std::iter::from_fn(|| s.poll_notice())
        .filter_map(|n| match n {
            Notice::VoicemailCounts { person_id } => Some(person_id),
            _ => None,
        })
        .collect()
}

/// The one NOTIFY among `out`, answered with 200.
fn notified(s: &mut Switch, now: i64, out: &[String]) -> String {
    let notifies: Vec<&String> = out.iter().filter(|m| m.starts_with("NOTIFY ")).collect();
    assert_eq!(notifies.len(), 1, "{out:?}");
    respond(s, now, PHONE, notifies[0], 200, "");
    notifies[0].clone()
}

/// The one NOTIFY the switch sent to the phone now, answered with 200.
fn next_notify(s: &mut Switch, now: i64) -> String {
    let out = to_phone(sent(s));
    notified(s, now, &out)
}

fn body(notify: &str) -> voicemail::mwi::Summary {
    let (_, body) = notify.split_once("\r\n\r\n").expect("a body");
    voicemail::mwi::parse(body.as_bytes()).unwrap()
}

fn voice(notify: &str) -> (u32, u32) {
    let counts = body(notify).voice().expect("a Voice-Message line");
    (counts.new, counts.old)
}

#[test]
fn the_lamp_follows_the_box_from_the_first_notify_on() {
    let mut s = switch();
    asked(&mut s);
    let own = format!("sip:2401@{DOMAIN}");
    let out = subscribe(&mut s, 1_000, &own, "mwi-1", 3600);
    // The 200 at once; the NOTIFY waits for the counts the switch asks for.
    assert_eq!(out.len(), 1, "{out:?}");
    assert!(out[0].starts_with("SIP/2.0 200 OK\r\n"), "{out:?}");
    assert_eq!(header(&out[0], "Expires: "), Some("3600"));
    let our_tag = header(&out[0], "To: ")
        .and_then(|to| to.split(";tag=").nth(1))
        .expect("a To tag")
        .to_owned();
    assert_eq!(asked(&mut s), [ANNA]);

    s.handle_voicemail(1_010, ANNA, 0, 0);
    let first = next_notify(&mut s, 1_010);
    assert!(first.starts_with(&format!("NOTIFY sip:2401-1@{PHONE};line=mwi-1 SIP/2.0\r\n")));
    assert_eq!(header(&first, "Event: "), Some("message-summary"));
    assert_eq!(
        header(&first, "Content-Type: "),
        Some("application/simple-message-summary")
    );
    assert_eq!(
        header(&first, "Subscription-State: "),
        Some("active;expires=3600")
    );
    assert!(first.contains("Messages-Waiting: no\r\n"), "{first}");
    assert_eq!(
        body(&first).account.as_deref(),
        Some("sip:2401@pbx.example")
    );
    assert_eq!(voice(&first), (0, 0));

    // The same counts again are no news; someone else's box is none of this phone's.
    s.handle_voicemail(1_500, ANNA, 0, 0);
    s.handle_voicemail(1_500, BEN, 3, 0);
    assert!(sent(&mut s).is_empty());

    // A message is left: the lamp lights. Heard: it goes out.
    s.handle_voicemail(2_000, ANNA, 1, 0);
    let lit = next_notify(&mut s, 2_000);
    assert!(lit.contains("Messages-Waiting: yes\r\n"), "{lit}");
    assert_eq!(voice(&lit), (1, 0));
    s.handle_voicemail(3_000, ANNA, 0, 1);
    let dark = next_notify(&mut s, 3_000);
    assert!(dark.contains("Messages-Waiting: no\r\n"), "{dark}");
    assert_eq!(voice(&dark), (0, 1));

    // Unsubscribed: the final NOTIFY still says how the box stands.
    let phone = Flow::udp(addr(PHONE));
    let bye = subscribe_msg("sip:10.0.0.9:5060", "mwi-1", 3, &our_tag, 0, "");
    s.handle_datagram(4_000, phone, bye).unwrap();
    let out = to_phone(sent(&mut s));
    assert!(out[0].starts_with("SIP/2.0 200 OK\r\n"), "{out:?}");
    let last = notified(&mut s, 4_000, &out);
    assert_eq!(
        header(&last, "Subscription-State: "),
        Some("terminated;reason=timeout")
    );
    assert_eq!(voice(&last), (0, 1));
    assert!(asked(&mut s).is_empty());

    // Nobody watches now: changes are dropped, and the next subscription asks again.
    s.handle_voicemail(5_000, ANNA, 2, 1);
    assert!(sent(&mut s).is_empty());
    let out = subscribe(&mut s, 6_000, &own, "mwi-2", 3600);
    assert_eq!(out.len(), 1, "no NOTIFY before the counts: {out:?}");
    assert_eq!(asked(&mut s), [ANNA]);
    s.handle_voicemail(6_010, ANNA, 2, 1);
    let again = next_notify(&mut s, 6_010);
    assert_eq!(voice(&again), (2, 1));
}

#[test]
fn only_the_own_box_and_a_second_line_gets_the_known_counts_at_once() {
    let mut s = switch();
    // Ben's box: refused, whatever Anna's phone may dial.
    let out = subscribe(&mut s, 1_000, &format!("sip:2501@{DOMAIN}"), "m1", 3600);
    assert_eq!(out.len(), 1, "{out:?}");
    assert!(out[0].starts_with("SIP/2.0 403 "), "{out:?}");
    assert!(asked(&mut s).is_empty(), "nothing looked up for a refusal");
    // Nobody's: not found.
    let out = subscribe(&mut s, 1_000, &format!("sip:9999@{DOMAIN}"), "m2", 3600);
    assert!(out[0].starts_with("SIP/2.0 404 "), "{out:?}");

    // Her own box by the device's name, and by the server's address without a user.
    let out = subscribe(&mut s, 2_000, &format!("sip:2401-1@{DOMAIN}"), "m3", 3600);
    assert!(out[0].starts_with("SIP/2.0 200 "), "{out:?}");
    assert_eq!(asked(&mut s), [ANNA]);
    s.handle_voicemail(2_010, ANNA, 1, 4);
    let first = next_notify(&mut s, 2_010);
    assert_eq!(voice(&first), (1, 4));
    let out = subscribe(&mut s, 3_000, &format!("sip:{DOMAIN}"), "m4", 3600);
    assert_eq!(
        out.len(),
        2,
        "the counts are known: 200 and NOTIFY: {out:?}"
    );
    assert!(asked(&mut s).is_empty());
    let second = notified(&mut s, 3_000, &out);
    assert_eq!(voice(&second), (1, 4));
    assert_eq!(
        body(&second).account.as_deref(),
        Some("sip:2401@pbx.example")
    );
    // A change reaches both.
    s.handle_voicemail(4_000, ANNA, 0, 5);
    let out = to_phone(sent(&mut s));
    assert_eq!(out.len(), 2, "{out:?}");
    assert!(out.iter().all(|n| voice(n) == (0, 5)), "{out:?}");
}

#[test]
fn a_subscription_runs_out_and_a_device_given_to_someone_else_loses_the_box() {
    let mut s = switch();
    let out = subscribe(&mut s, 0, &format!("sip:2401@{DOMAIN}"), "m1", 60);
    assert_eq!(header(&out[0], "Expires: "), Some("60"));
    assert_eq!(asked(&mut s), [ANNA]);
    s.handle_voicemail(10, ANNA, 1, 0);
    next_notify(&mut s, 10);
    s.handle_timeout(59_999);
    assert!(sent(&mut s).is_empty(), "not yet");
    assert!(s.poll_timeout().is_some_and(|at| at <= 60_000));
    s.handle_timeout(60_000);
    let last = next_notify(&mut s, 60_000);
    assert_eq!(
        header(&last, "Subscription-State: "),
        Some("terminated;reason=timeout")
    );
    assert_eq!(voice(&last), (1, 0));

    // Subscribed again, then the device goes to Ben: the subscription to Anna's box ends
    // (rejected, no counts), and Ben's box is not watched by it either.
    subscribe(&mut s, 70_000, &format!("sip:2401@{DOMAIN}"), "m2", 3600);
    assert_eq!(asked(&mut s), [ANNA]);
    s.handle_voicemail(70_010, ANNA, 1, 0);
    next_notify(&mut s, 70_010);
    let moved: Vec<_> = s
        .accounts()
        .iter()
        .cloned()
        .map(|mut a| {
            if a.sip_username == "2401-1" {
                (a.person_id, a.extension) = (BEN, "2501".into());
            }
            a
        })
        .collect();
    s.set_accounts(80_000, Accounts::new(moved));
    let ended = next_notify(&mut s, 80_000);
    assert_eq!(
        header(&ended, "Subscription-State: "),
        Some("terminated;reason=rejected")
    );
    assert!(!ended.contains("Messages-Waiting"), "no counts: {ended}");
    s.handle_voicemail(81_000, ANNA, 2, 0);
    s.handle_voicemail(81_000, BEN, 2, 0);
    assert!(sent(&mut s).is_empty());
}
