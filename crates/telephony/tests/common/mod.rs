//! What the switch tests share: people with one device each (`EXT-1`, password
//! "secret"), phones registered by restoring their bindings, and the sent messages.
#![allow(dead_code)] // each test file uses a different part

use bytes::Bytes;
use sip::registrar::Binding;
use std::net::SocketAddr;
use telephony::{Account, Accounts, Flow, Settings, Switch};

pub const DOMAIN: &str = "pbx.example";

pub fn addr(a: &str) -> SocketAddr {
    a.parse().unwrap()
}

/// The MD5 HA1 of a device whose password is "secret".
pub fn ha1(user: &str) -> String {
    sip::digest::ha1(sip::digest::Algorithm::Md5, user, DOMAIN, "secret")
}

/// A switch for `people` (extension, person id), each with the device `EXT-1`, and a
/// registered phone at each of `phones` (extension, address).
pub fn switch_with(people: &[(&str, i64)], phones: &[(&str, &str)]) -> Switch {
    switch_configured(people, phones, |_| {})
}

/// [`switch_with`] with settings changed by `configure`.
pub fn switch_configured(
    people: &[(&str, i64)],
    phones: &[(&str, &str)],
    configure: impl FnOnce(&mut Settings),
) -> Switch {
    let accounts = Accounts::new(people.iter().map(|(ext, id)| Account {
        device_id: *id,
        person_id: *id,
        sip_username: format!("{ext}-1"),
        extension: (*ext).into(),
        ha1_md5: ha1(&format!("{ext}-1")).into(),
        ha1_sha256: telephony::accounts::Ha1::NONE,
        enabled: true,
    }));
    let mut settings = Settings::new(DOMAIN, "192.0.2.1:5060".parse().unwrap());
    configure(&mut settings);
    let key = sip::digest::NonceKey::new(vec![1; 32]);
    let mut s = Switch::new(settings, accounts, key, 7);
    for (ext, phone) in phones {
        let binding = Binding {
            contact: format!("sip:{ext}-1@{phone}").into_bytes().into(),
            instance: None,
            call_id: Box::from(&b"reg"[..]),
            cseq: 1,
            expires_at: 10_000_000,
            flow: Flow::udp(addr(phone)),
        };
        s.restore(&format!("{ext}-1"), binding);
    }
    s
}

/// Everything the switch sent, as (to, text).
pub fn sent(s: &mut Switch) -> Vec<(SocketAddr, String)> {
    std::iter::from_fn(|| s.poll_transmit())
        .map(|t| (t.peer.addr, String::from_utf8(t.data.to_vec()).unwrap()))
        .collect()
}

/// A REGISTER of device `user` from `source`, CSeq `n` (also in the branch), with an
/// `Authorization` value when given.
pub fn register(source: &str, user: &str, n: u32, auth: Option<&str>) -> Bytes {
    let auth = auth.map_or(String::new(), |a| format!("Authorization: {a}\r\n"));
    Bytes::from(format!(
        "REGISTER sip:{DOMAIN} SIP/2.0\r\nVia: SIP/2.0/UDP {source};branch=z9hG4bKr{n}\r\n\
         From: <sip:{user}@{DOMAIN}>;tag=t\r\nTo: <sip:{user}@{DOMAIN}>\r\nCall-ID: r@x\r\n\
         CSeq: {n} REGISTER\r\nContact: <sip:{user}@{source}>\r\nMax-Forwards: 70\r\n\
         {auth}Content-Length: 0\r\n\r\n"
    ))
}

/// The MD5 challenge in a 401 or 407 among `messages`.
pub fn md5_challenge(messages: &[String]) -> Option<sip::digest::Challenge> {
    messages
        .iter()
        .flat_map(|m| m.lines())
        .filter_map(|l| {
            l.strip_prefix("WWW-Authenticate: ")
                .or_else(|| l.strip_prefix("Proxy-Authenticate: "))
        })
        .find(|v| v.contains("MD5"))
        .map(|v| sip::digest::Challenge::parse(&Bytes::from(v.to_owned())).unwrap())
}

/// An INVITE of device `{ext}-1` at `at` to `to`, in call `call_id` with CSeq `cseq` (the
/// branch names both), with a `Proxy-Authorization` value when given.
pub fn invite(
    ext: &str,
    at: &str,
    to: &str,
    call_id: &str,
    cseq: u32,
    auth: Option<&str>,
) -> Bytes {
    let auth = auth.map_or(String::new(), |a| format!("Proxy-Authorization: {a}\r\n"));
    Bytes::from(format!(
        "INVITE sip:{to}@{DOMAIN} SIP/2.0\r\nVia: SIP/2.0/UDP {at};branch=z9hG4bK{call_id}-{cseq}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:{ext}-1@{DOMAIN}>;tag={ext}\r\nTo: <sip:{to}@{DOMAIN}>\r\n\
         Call-ID: {call_id}\r\nCSeq: {cseq} INVITE\r\nContact: <sip:{ext}-1@{at}>\r\n{auth}\
         Content-Length: 0\r\n\r\n"
    ))
}

/// The phone of `{ext}-1` at `at` calls `to` in call `call_id`, answering the 407 with the
/// password "secret": what the switch sent after the signed INVITE.
pub fn call(
    s: &mut Switch,
    now: i64,
    (ext, at): (&str, &str),
    to: &str,
    call_id: &str,
) -> Vec<(SocketAddr, String)> {
    let phone = Flow::udp(addr(at));
    s.handle_datagram(now, phone, invite(ext, at, to, call_id, 1, None))
        .unwrap();
    let messages: Vec<String> = sent(s).into_iter().map(|(_, m)| m).collect();
    let challenge = md5_challenge(&messages).expect("407 with an MD5 challenge");
    let user = format!("{ext}-1");
    let uri = format!("sip:{to}@{DOMAIN}");
    let method = sip::Method::Invite;
    let answer =
        sip::digest::Credentials::answer(&challenge, &user, &uri, "cn", 1, &method, &ha1(&user));
    let signed = invite(ext, at, to, call_id, 2, Some(&answer.to_string()));
    s.handle_datagram(now, phone, signed).unwrap();
    sent(s)
}

/// The lines of `message` that start with `name`, joined as one header block.
pub fn lines(message: &str, name: &str) -> String {
    message
        .lines()
        .filter(|l| l.starts_with(name))
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// `peer` answers `request` (as the switch sent it) with `code`; `to_tag` (`;tag=…`) is
/// added to its To.
pub fn respond(s: &mut Switch, now: i64, peer: &str, request: &str, code: u16, to_tag: &str) {
    let response = format!(
        "SIP/2.0 {code} Reason\r\n{}\r\n{}\r\n{}{to_tag}\r\n{}\r\n{}\r\n\
         Contact: <sip:callee@{peer}>\r\nContent-Length: 0\r\n\r\n",
        lines(request, "Via: "),
        lines(request, "From: "),
        lines(request, "To: "),
        lines(request, "Call-ID: "),
        lines(request, "CSeq: "),
    );
    s.handle_datagram(now, Flow::udp(addr(peer)), Bytes::from(response))
        .unwrap();
}

/// The phone of `{ext}-1` at `caller` calls `to`, whose phone at `phone` answers: what
/// the switch sent after the answer (the 200 to the caller among it).
pub fn answered_call(
    s: &mut Switch,
    now: i64,
    caller: (&str, &str),
    to: &str,
    phone: &str,
    call_id: &str,
) -> Vec<(SocketAddr, String)> {
    let out = call(s, now, caller, to, call_id);
    let (_, invite) = out
        .iter()
        .find(|(to, m)| *to == addr(phone) && m.starts_with("INVITE "))
        .expect("the phone rings");
    respond(s, now, phone, invite, 200, ";tag=callee");
    sent(s)
}
