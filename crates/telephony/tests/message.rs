//! A text MESSAGE (RFC 3428) between people: forwarded to the receiver's phones like any
//! request, and handed to the shell for the two people's chat — once, only after the
//! sender authenticated, only plain text, also when no phone of the receiver is on.

mod common;

use bytes::Bytes;
use common::{ha1, md5_challenge, sent, DOMAIN};
use sip::digest::Credentials;
use sip::Method;
use telephony::{Flow, Notice, Switch};

const SENDER: &str = "10.0.0.1:5060";
const PHONE_300: &str = "10.0.0.3:5060";

fn message(to: &str, n: u32, content_type: &str, auth: Option<&str>) -> Bytes {
    let auth = auth.map_or(String::new(), |a| format!("Proxy-Authorization: {a}\r\n"));
    let body = "Rückruf bitte, Akte 17/2026";
    Bytes::from(format!(
        "MESSAGE sip:{to}@{DOMAIN} SIP/2.0\r\nVia: SIP/2.0/UDP {SENDER};branch=z9hG4bKm{n}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:100-1@{DOMAIN}>;tag=s\r\nTo: <sip:{to}@{DOMAIN}>\r\n\
         Call-ID: m{n}\r\nCSeq: {n} MESSAGE\r\nContent-Type: {content_type}\r\n{auth}\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    ))
}

/// Sends a MESSAGE to `to`, answering the 407; returns the chat notices and what went out.
fn send(s: &mut Switch, to: &str, content_type: &str) -> (Vec<Notice>, Vec<String>) {
    let from = Flow::udp(common::addr(SENDER));
    s.handle_datagram(1_000, from, message(to, 1, content_type, None))
        .unwrap();
    let first: Vec<String> = sent(s).into_iter().map(|(_, m)| m).collect();
    assert!(first[0].starts_with("SIP/2.0 407"), "{first:?}");
    let unsigned: Vec<Notice> = std::iter::from_fn(|| s.poll_notice())
        .filter(|n| matches!(n, Notice::Message { .. }))
        .collect();
    assert!(
        unsigned.is_empty(),
        "nothing for the chat before the digest"
    );
    let challenge = md5_challenge(&first).unwrap();
    let uri = format!("sip:{to}@{DOMAIN}");
    let answer = Credentials::answer(
        &challenge,
        "100-1",
        &uri,
        "c",
        1,
        &Method::Message,
        &ha1("100-1"),
    );
    s.handle_datagram(
        1_000,
        from,
        message(to, 2, content_type, Some(&answer.to_string())),
    )
    .unwrap();
    let out = sent(s).into_iter().map(|(_, m)| m).collect();
    let notices = std::iter::from_fn(|| s.poll_notice())
        .filter(|n| matches!(n, Notice::Message { .. }))
        .collect();
    (notices, out)
}

fn switch() -> Switch {
    common::switch_with(&[("100", 1), ("200", 2), ("300", 3)], &[("300", PHONE_300)])
}

#[test]
fn a_text_goes_to_the_phone_and_into_the_chat() {
    let mut s = switch();
    let (notices, out) = send(&mut s, "300", "text/plain;charset=UTF-8");
    assert!(
        out.iter()
            .any(|m| m.starts_with("MESSAGE sip:300-1@10.0.0.3:5060")),
        "{out:?}"
    );
    assert_eq!(
        notices,
        [Notice::Message {
            from_person: 1,
            to_person: 3,
            text: "Rückruf bitte, Akte 17/2026".into()
        }]
    );
}

#[test]
fn without_a_phone_the_sender_hears_480_and_the_chat_still_gets_it() {
    let mut s = switch();
    let (notices, out) = send(&mut s, "200", "text/plain");
    assert!(out[0].starts_with("SIP/2.0 480"), "{out:?}");
    assert_eq!(notices.len(), 1);
}

#[test]
fn other_content_is_not_chat() {
    let mut s = switch();
    let (notices, _) = send(&mut s, "300", "application/im-iscomposing+xml");
    assert!(notices.is_empty());
}
