//! Devices on connections only they can open: a browser softphone over WebSocket (RFC
//! 7118) with its made-up `*.invalid` Contact, and a phone over TLS. The switch reaches
//! them through the connection their REGISTER came over (Via `WS`, no retransmissions),
//! answers go back over it, in-dialog requests find it by the registered Contact, and the
//! registrations end with the connection — and are not restored after a restart.

mod common;

use bytes::Bytes;
use common::{addr, ha1, md5_challenge, DOMAIN};
use sip::digest::Credentials;
use sip::registrar::Binding;
use sip::Method;
use telephony::{Flow, Notice, Switch, Transport};

const CALLER: &str = "10.0.0.1:5060";
/// The browser's end of its WebSocket connection to the HTTP port.
const BROWSER: &str = "10.0.0.7:51234";
const WS_CONTACT: &str = "sip:k3v9@df7jal23ls0d.invalid;transport=ws";

fn browser() -> Flow {
    Flow::new(Transport::Ws, addr(BROWSER))
}

/// Everything sent, as (flow, text), with the store's commits answered.
fn out(s: &mut Switch, now: i64) -> (Vec<(Flow, String)>, Vec<Notice>) {
    let (mut sent, mut notices) = (Vec::new(), Vec::new());
    loop {
        while let Some(t) = s.poll_transmit() {
            sent.push((t.peer, String::from_utf8(t.data.to_vec()).unwrap()));
        }
        let Some(notice) = s.poll_notice() else {
            return (sent, notices);
        };
        if let Notice::Save { ticket, .. } = &notice {
            s.handle_saved(now, *ticket, true);
        }
        notices.push(notice);
    }
}

fn texts(sent: &[(Flow, String)]) -> Vec<String> {
    sent.iter().map(|(_, m)| m.clone()).collect()
}

fn register(n: u32, auth: Option<&str>) -> Bytes {
    let auth = auth.map_or(String::new(), |a| format!("Authorization: {a}\r\n"));
    Bytes::from(format!(
        "REGISTER sip:{DOMAIN} SIP/2.0\r\nVia: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKw{n}\r\n\
         From: <sip:200-1@{DOMAIN}>;tag=w\r\nTo: <sip:200-1@{DOMAIN}>\r\nCall-ID: ws-reg\r\n\
         CSeq: {n} REGISTER\r\nContact: <{WS_CONTACT}>;expires=600\r\nMax-Forwards: 70\r\n\
         {auth}Content-Length: 0\r\n\r\n"
    ))
}

/// A switch with caller 100 (a UDP phone) and 200, whose browser registered over
/// WebSocket.
fn switch_with_browser() -> Switch {
    let mut s = common::switch_with(&[("100", 1), ("200", 2)], &[("100", CALLER)]);
    s.handle_datagram(1_000, browser(), register(1, None))
        .unwrap();
    let (sent, _) = out(&mut s, 1_000);
    assert_eq!(
        sent[0].0,
        browser(),
        "the 401 goes back over the connection"
    );
    let challenge = md5_challenge(&texts(&sent)).expect("401");
    let answer = Credentials::answer(
        &challenge,
        "200-1",
        &format!("sip:{DOMAIN}"),
        "c",
        1,
        &Method::Register,
        &ha1("200-1"),
    );
    s.handle_datagram(1_000, browser(), register(2, Some(&answer.to_string())))
        .unwrap();
    let (sent, notices) = out(&mut s, 1_000);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, browser());
    assert!(sent[0].1.starts_with("SIP/2.0 200 OK"), "{}", sent[0].1);
    // The connection's port is recorded in the Via even though the browser did not ask.
    assert!(
        sent[0].1.contains(
            "Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKw2;rport=51234;received=10.0.0.7"
        ),
        "{}",
        sent[0].1
    );
    assert!(notices.contains(&Notice::Devices {
        person_id: 2,
        online: true
    }));
    assert_eq!(s.registrations(), 2, "the browser and the UDP phone of 100");
    s
}

/// Who places a call: their device, the flow and Via sent-by it comes over, its Contact.
struct Caller<'a> {
    user: &'a str,
    flow: Flow,
    via: &'a str,
    contact: &'a str,
}

/// The UDP phone of 100.
fn udp_caller() -> Caller<'static> {
    Caller {
        user: "100-1",
        flow: Flow::udp(addr(CALLER)),
        via: "UDP 10.0.0.1:5060",
        contact: "sip:100-1@10.0.0.1:5060",
    }
}

/// `caller` calls extension `to` in dialog `call_id` (answering the 407); returns what
/// went out after that.
fn place_call(
    s: &mut Switch,
    now: i64,
    caller: &Caller,
    to: &str,
    call_id: &str,
) -> Vec<(Flow, String)> {
    let invite = |n: u32, auth: &str| {
        let message = format!(
            "INVITE sip:{to}@{DOMAIN} SIP/2.0\r\nVia: SIP/2.0/{};branch=z9hG4bK{call_id}{n}\r\n\
             Max-Forwards: 70\r\nFrom: <sip:{}@{DOMAIN}>;tag=caller\r\nTo: <sip:{to}@{DOMAIN}>\r\n\
             Call-ID: {call_id}\r\nCSeq: {n} INVITE\r\nContact: <{}>\r\n{auth}Content-Length: 0\r\n\r\n",
            caller.via, caller.user, caller.contact
        );
        sip::parse_datagram(Bytes::from(message)).unwrap()
    };
    s.handle_message(now, caller.flow, invite(1, ""));
    let challenge = md5_challenge(&texts(&out(s, now).0)).expect("407");
    let uri = format!("sip:{to}@{DOMAIN}");
    let ha1 = ha1(caller.user);
    let answer = Credentials::answer(
        &challenge,
        caller.user,
        &uri,
        "cn",
        1,
        &Method::Invite,
        &ha1,
    );
    let auth = format!("Proxy-Authorization: {answer}\r\n");
    s.handle_message(now, caller.flow, invite(2, &auth));
    out(s, now).0
}

/// The UDP caller calls 200; returns what went out after the answer to the 407.
fn call(s: &mut Switch, now: i64) -> Vec<(Flow, String)> {
    place_call(s, now, &udp_caller(), "200", "call-1")
}

/// A BYE to `target` in dialog `call_id` from the UDP phone at `phone`, along `routes`.
fn bye(phone: &str, target: &str, routes: &str, call_id: &str) -> Bytes {
    Bytes::from(format!(
        "BYE {target} SIP/2.0\r\nVia: SIP/2.0/UDP {phone};branch=z9hG4bKbye{call_id}\r\n\
         Route: {routes}\r\nMax-Forwards: 70\r\n\
         From: <sip:callee@{DOMAIN}>;tag=callee\r\nTo: <sip:caller@{DOMAIN}>;tag=caller\r\n\
         Call-ID: {call_id}\r\nCSeq: 9 BYE\r\nContent-Length: 0\r\n\r\n"
    ))
}

/// The UDP phone of 100 hangs up dialog `call_id` (routed through us) with a BYE to
/// `contact`: it must reach the browser over its socket.
fn hang_up_to_the_browser(s: &mut Switch, contact: &str, call_id: &str) {
    let bye = bye(CALLER, contact, "<sip:192.0.2.1:5060;lr>", call_id);
    s.handle_datagram(4_000, Flow::udp(addr(CALLER)), bye)
        .unwrap();
    let sent = out(s, 4_000).0;
    assert!(
        sent.iter()
            .any(|(f, m)| *f == browser() && m.starts_with(&format!("BYE {contact} "))),
        "{sent:?}"
    );
}

fn header<'a>(message: &'a str, name: &str) -> Vec<&'a str> {
    message
        .lines()
        .filter_map(|l| l.strip_prefix(name)?.strip_prefix(": "))
        .collect()
}

#[test]
fn a_call_reaches_the_browser_over_its_connection_and_back() {
    let mut s = switch_with_browser();
    let sent = call(&mut s, 2_000);
    let to_browser: Vec<&String> = sent
        .iter()
        .filter(|(f, m)| *f == browser() && m.starts_with("INVITE "))
        .map(|(_, m)| m)
        .collect();
    assert_eq!(to_browser.len(), 1, "{sent:?}");
    let forwarded = to_browser[0];
    assert!(forwarded.starts_with(&format!("INVITE {WS_CONTACT} SIP/2.0")));
    let vias = header(forwarded, "Via");
    assert!(
        vias[0].starts_with("SIP/2.0/WS 192.0.2.1:5060;branch="),
        "{vias:?}"
    );
    // Reliable: nothing is retransmitted to the browser, even after Timer A would fire.
    s.handle_timeout(2_600);
    assert!(out(&mut s, 2_600).0.iter().all(|(f, _)| *f != browser()));

    // The browser answers; the 200 goes to the caller.
    let mut answer = format!("SIP/2.0 200 OK\r\nVia: {}\r\nVia: {}\r\n", vias[0], vias[1]);
    for rr in header(forwarded, "Record-Route") {
        answer.push_str(&format!("Record-Route: {rr}\r\n"));
    }
    answer.push_str(&format!(
        "From: <sip:100-1@{DOMAIN}>;tag=caller\r\nTo: <sip:200@{DOMAIN}>;tag=browser\r\n\
         Call-ID: call-1\r\nCSeq: 2 INVITE\r\nContact: <{WS_CONTACT}>\r\nContent-Length: 0\r\n\r\n"
    ));
    s.handle_message(
        3_000,
        browser(),
        sip::parse_datagram(Bytes::from(answer)).unwrap(),
    );
    let sent = out(&mut s, 3_000).0;
    assert!(
        sent.iter()
            .any(|(f, m)| *f == Flow::udp(addr(CALLER)) && m.starts_with("SIP/2.0 200 OK")),
        "{sent:?}"
    );

    // The caller hangs up: the BYE names the browser's made-up Contact, which only the
    // registration's connection leads to.
    hang_up_to_the_browser(&mut s, WS_CONTACT, "call-1");
}

#[test]
fn the_registration_ends_with_the_connection() {
    let mut s = switch_with_browser();
    // Another connection closing changes nothing.
    s.handle_closed(2_000, Flow::new(Transport::Ws, addr("10.0.0.7:51235")));
    assert_eq!(s.registrations(), 2);
    s.handle_closed(2_000, browser());
    assert_eq!(s.registrations(), 1, "only the UDP phone stays");
    let (_, notices) = out(&mut s, 2_000);
    assert!(
        notices.iter().any(
            |n| matches!(n, Notice::Expired { device_id: 2, bindings } if bindings.len() == 1)
        ),
        "the stored binding is deleted: {notices:?}"
    );
    assert!(notices.contains(&Notice::Devices {
        person_id: 2,
        online: false
    }));
    // Calls find nobody now.
    let sent = call(&mut s, 3_000);
    assert!(
        sent.iter().any(|(_, m)| m.starts_with("SIP/2.0 480")),
        "{sent:?}"
    );
}

#[test]
fn bindings_over_tls_or_websocket_are_not_restored_after_a_restart_tcp_ones_are_reached_anew() {
    let mut s = common::switch_with(&[("100", 1), ("200", 2)], &[]);
    let binding = |contact: &str, flow: Flow| Binding {
        contact: contact.as_bytes().into(),
        instance: None,
        call_id: Box::from(&b"reg"[..]),
        cseq: 1,
        expires_at: 10_000_000,
        flow,
    };
    s.restore("200-1", binding(WS_CONTACT, browser()));
    let tls = Flow::new(Transport::Tls, addr("10.0.0.8:40001"));
    s.restore(
        "200-1",
        binding("sip:200-1@10.0.0.8:5061;transport=tls", tls),
    );
    assert_eq!(s.registrations(), 0);
    let (_, notices) = out(&mut s, 1_000);
    let deleted = notices
        .iter()
        .filter(|n| matches!(n, Notice::Expired { device_id: 2, .. }))
        .count();
    assert_eq!(deleted, 2, "both are deleted from the store: {notices:?}");
    // A TCP phone stays: we connect to its Contact's address (the connection's own port
    // was the phone's and ended with the restart).
    let tcp = Flow::tcp(addr("10.0.0.9:40123"));
    s.restore("200-1", binding("sip:200-1@10.0.0.9;transport=tcp", tcp));
    assert_eq!(s.registrations(), 1);
    let sent = call(&mut s, 2_000);
    assert!(
        sent.iter()
            .any(|(f, m)| *f == Flow::tcp(addr("10.0.0.9:5060")) && m.starts_with("INVITE ")),
        "{sent:?}"
    );
}

/// The browser calls: its INVITE's Contact carries `;ob` (as JsSIP's does), unlike the
/// Contact it registered, and the callee's BYE to that Contact still finds the socket.
#[test]
fn the_browser_calls_and_is_reached_by_its_dialog_contact() {
    let mut s = switch_with_browser();
    let contact = format!("{WS_CONTACT};ob");
    let caller = Caller {
        user: "200-1",
        flow: browser(),
        via: "WS df7jal23ls0d.invalid",
        contact: &contact,
    };
    let sent = place_call(&mut s, 2_000, &caller, "100", "call-2");

    let forwarded = sent
        .iter()
        .find(|(f, m)| *f == Flow::udp(addr(CALLER)) && m.starts_with("INVITE "))
        .map(|(_, m)| m.clone())
        .unwrap_or_else(|| panic!("no INVITE to the phone: {sent:?}"));
    // The phone answers; the browser gets the 200.
    let vias = header(&forwarded, "Via");
    let mut ok = format!("SIP/2.0 200 OK\r\nVia: {}\r\nVia: {}\r\n", vias[0], vias[1]);
    for rr in header(&forwarded, "Record-Route") {
        ok.push_str(&format!("Record-Route: {rr}\r\n"));
    }
    ok.push_str(&format!(
        "From: <sip:200-1@{DOMAIN}>;tag=browser\r\nTo: <sip:100@{DOMAIN}>;tag=phone\r\n\
         Call-ID: call-2\r\nCSeq: 2 INVITE\r\nContact: <sip:100-1@{CALLER}>\r\nContent-Length: 0\r\n\r\n"
    ));
    s.handle_datagram(3_000, Flow::udp(addr(CALLER)), Bytes::from(ok))
        .unwrap();
    let sent = out(&mut s, 3_000).0;
    assert!(
        sent.iter()
            .any(|(f, m)| *f == browser() && m.starts_with("SIP/2.0 200 OK")),
        "{sent:?}"
    );
    // The phone hangs up: the BYE names the browser's dialog Contact.
    hang_up_to_the_browser(&mut s, &contact, "call-2");
}

/// A TLS phone calls a UDP phone: the proxy records two routes (RFC 5658), the TLS side's
/// with `transport=tls` and the TLS port, so the TLS phone's in-dialog requests come over
/// TLS; the UDP phone's BYE carries both, both are ours, and it reaches the TLS phone
/// over its connection.
#[test]
fn tls_meets_udp_with_a_double_record_route() {
    let phone_200 = "10.0.0.2:5060";
    let mut s = common::switch_configured(
        &[("100", 1), ("200", 2)],
        &[("200", phone_200)],
        |settings| {
            settings.tls_port = Some(5061);
        },
    );
    let tls = Flow::new(Transport::Tls, addr("10.0.0.5:40001"));
    let contact = "sip:100-1@10.0.0.5:5061;transport=tls";
    let caller = Caller {
        user: "100-1",
        flow: tls,
        via: "TLS 10.0.0.5:5061",
        contact,
    };
    let sent = place_call(&mut s, 1_000, &caller, "200", "call-3");

    let forwarded = sent
        .iter()
        .find(|(f, m)| *f == Flow::udp(addr(phone_200)) && m.starts_with("INVITE "))
        .map(|(_, m)| m.clone())
        .unwrap_or_else(|| panic!("no INVITE to the phone: {sent:?}"));
    let routes = header(&forwarded, "Record-Route");
    assert_eq!(
        routes,
        [
            "<sip:192.0.2.1:5060;lr>",
            "<sip:192.0.2.1:5061;transport=tls;lr>"
        ],
        "towards the callee first"
    );
    // The UDP phone hangs up along the route set: both entries are ours.
    let routes = format!("{}, {}", routes[0], routes[1]);
    let bye = bye(phone_200, contact, &routes, "call-3");
    s.handle_datagram(2_000, Flow::udp(addr(phone_200)), bye)
        .unwrap();
    let sent = out(&mut s, 2_000).0;
    let to_caller: Vec<&String> = sent
        .iter()
        .filter(|(f, m)| *f == tls && m.starts_with("BYE "))
        .map(|(_, m)| m)
        .collect();
    assert_eq!(to_caller.len(), 1, "{sent:?}");
    assert!(
        !to_caller[0].contains("\r\nRoute:"),
        "both routes popped: {}",
        to_caller[0]
    );
}
