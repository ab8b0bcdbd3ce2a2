//! The example messages of RFC 3261 §24: registration (§24.1) and the session set-up
//! through two proxies (§24.2, F1-F14), in `tests/rfc3261/<name>.sip` with CRLF line ends
//! and the RFC's folded Via lines. Two things are not verbatim: the RFC leaves the SDP out
//! ("Alice's SDP not shown"), so the files carry an SDP of exactly the length the RFC's
//! Content-Length gives; and §24.1 leaves out the authentication, so `register_401` is the
//! registrar's challenge to F1 with the WWW-Authenticate example of §20.44.

mod common;

use bytes::Bytes;
use common::{addr, assert_round_trip, value};
use sip::digest::Challenge;
use sip::method::Method;
use sip::parser::check_response;
use sip::via::Via;
use sip::{check_request, parse_datagram, parse_stream, Frame, HeaderName, Message, StartLine};

const REGISTRATION: [&str; 3] = ["register", "register_401", "register_200"];
const SESSION: [&str; 14] = [
    "f01_invite",
    "f02_100",
    "f03_invite",
    "f04_100",
    "f05_invite",
    "f06_180",
    "f07_180",
    "f08_180",
    "f09_200",
    "f10_200",
    "f11_200",
    "f12_ack",
    "f13_bye",
    "f14_200",
];

fn parse(name: &str) -> Message {
    parse_datagram(common::load("rfc3261", name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

fn vias(m: &Message) -> Vec<Bytes> {
    m.header_values(&HeaderName::Via)
}

#[test]
fn every_example_parses_round_trips_and_passes_the_checks() {
    for name in REGISTRATION.iter().chain(&SESSION) {
        let m = parse(name);
        assert_round_trip(&m);
        match m.start {
            StartLine::Request { .. } => check_request(&m),
            StartLine::Response { .. } => check_response(&m),
        }
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        for via in vias(&m) {
            assert!(Via::parse(&via).unwrap().rfc3261_branch(), "{name}");
        }
        // Content-Length frames each one exactly on a stream too.
        let data = common::load("rfc3261", name);
        let frame = parse_stream(&data).unwrap();
        assert_eq!(
            frame,
            Frame::Message {
                message: m,
                consumed: data.len()
            },
            "{name}"
        );
    }
}

#[test]
fn registration() {
    let register = parse("register");
    assert_eq!(register.method(), Some(&Method::Register));
    assert_eq!(value(&register, "Expires"), b"7200");
    assert_eq!(&addr(&register, "Contact").uri[..], b"sip:bob@192.0.2.4");

    let challenge = parse("register_401");
    assert_eq!(challenge.code(), Some(401));
    // Folded over four lines and full of commas, yet one value: not a list header.
    let www = challenge.header_values(&HeaderName::WwwAuthenticate);
    assert_eq!(www.len(), 1);
    let parsed = Challenge::parse(&www[0]).unwrap();
    assert_eq!(parsed.realm, "atlanta.com");
    assert_eq!(parsed.nonce, "f84f1cec41e6cbe5aea9c8e88d359");

    // The registrar's 200 is the request's Via, From, To (with a tag), Call-ID and CSeq,
    // the Via stamped with where it came from (§18.2.1).
    let ok = parse("register_200");
    let built = register.response(200, "OK", Some("2493k59kd"));
    for header in ["From", "To", "Call-ID", "CSeq"] {
        assert_eq!(value(&built, header), value(&ok, header), "{header}");
    }
    let mut stamped = vias(&register)[0].to_vec();
    stamped.extend_from_slice(b" ;received=192.0.2.4");
    assert_eq!(vias(&ok), [Bytes::from(stamped)]);
    assert_eq!(value(&ok, "Expires"), b"7200");
}

#[test]
fn session_setup_through_two_proxies() {
    let all: Vec<Message> = SESSION.iter().map(|n| parse(n)).collect();
    let via_counts: Vec<usize> = all.iter().map(|m| vias(m).len()).collect();
    assert_eq!(via_counts, [1, 1, 2, 2, 3, 3, 2, 1, 3, 2, 1, 1, 1, 1]);
    let max_forwards: Vec<&[u8]> = [0, 2, 4, 11, 12]
        .iter()
        .map(|i| value(&all[*i], "Max-Forwards"))
        .collect();
    assert_eq!(max_forwards, [&b"70"[..], b"69", b"68", b"70", b"70"]);
    // One dialog: the same Call-ID, Alice's From tag, and Bob's To tag from the 180 on.
    for (name, m) in SESSION.iter().zip(&all) {
        assert_eq!(value(m, "Call-ID"), b"a84b4c76e66710", "{name}");
    }
    let alice = |m: &Message, header| addr(m, header).tag().cloned();
    for m in &all[..12] {
        assert_eq!(alice(m, "From"), Some(b("1928301774")));
    }
    for m in &all[5..12] {
        assert_eq!(alice(m, "To"), Some(b("a6c85cf")));
    }
    // The ACK takes the INVITE's sequence number; Bob's BYE swaps From and To.
    assert_eq!(value(&all[11], "CSeq"), b"314159 ACK");
    let bye = &all[12];
    assert_eq!(addr(bye, "From").tag(), Some(&b("a6c85cf")));
    assert_eq!(addr(bye, "To").tag(), Some(&b("1928301774")));
    assert_eq!(value(bye, "CSeq"), b"231 BYE");
    assert_eq!(all[13].code(), Some(200));
    assert_eq!(value(&all[13], "CSeq"), b"231 BYE");
}

#[test]
fn each_proxy_adds_its_via_and_the_answers_drop_them_again() {
    let [f1, f2, f3, _, f5, f6, f7, f8, f9, f10, f11, ..] = SESSION.map(parse);
    // atlanta.com stamps Alice's Via, adds its own and counts Max-Forwards down (F1 → F3).
    let mut forwarded = f1.clone();
    forwarded.set_header(HeaderName::Via, Some(vias(&f2)[0].clone()));
    forwarded.push_front(
        HeaderName::Via,
        b("SIP/2.0/UDP bigbox3.site3.atlanta.com;branch=z9hG4bK77ef4c2312983.1"),
    );
    forwarded.set_header(HeaderName::MaxForwards, Some(b("69")));
    assert_eq!(forwarded, f3);
    assert_eq!(f5.body, f1.body);
    // Each hop back takes off the top Via (F6 → F7 → F8, F9 → F10 → F11).
    for (from, to) in [(&f6, &f7), (&f7, &f8), (&f9, &f10), (&f10, &f11)] {
        let mut relayed = from.clone();
        let top = relayed
            .headers
            .iter()
            .position(|h| h.name == HeaderName::Via)
            .unwrap();
        relayed.headers.remove(top);
        assert_eq!(&relayed, to);
    }
    assert_eq!(f9.body.len(), 131);
    assert!(f9.body.starts_with(b"v=0\r\no=bob "));
}

/// A request carrying example header lines of RFC 3261 §20, as written there.
fn with_headers(lines: &str) -> Message {
    let text = format!(
        "OPTIONS sip:carol@chicago.com SIP/2.0\r\n{lines}\r\nMax-Forwards: 70\r\n\
         To: <sip:carol@chicago.com>\r\nFrom: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n\
         Call-ID: a84b4c76e66710\r\nCSeq: 63104 OPTIONS\r\nContent-Length: 0\r\n\r\n"
    );
    let m = parse_datagram(b(&text)).unwrap();
    check_request(&m).unwrap();
    assert_round_trip(&m);
    m
}

#[test]
fn header_examples_of_section_20() {
    // §20.42: LWS around '/' and ':', and parameters on a folded line.
    let m = with_headers(
        "Via: SIP/2.0/UDP erlang.bell-telephone.com:5060;branch=z9hG4bK87asdks7\r\n\
         Via: SIP/2.0/UDP 192.0.2.1:5060 ;received=192.0.2.207\r\n     ;branch=z9hG4bK77asjd\r\n\
         Via: SIP / 2.0 / UDP first.example.com: 4000;ttl=16\r\n  ;maddr=224.2.0.1 ;branch=z9hG4bKa7c6a8dlze.1",
    );
    let v: Vec<Via> = vias(&m).iter().map(|v| Via::parse(v).unwrap()).collect();
    assert_eq!(v.len(), 3);
    assert_eq!(v[1].param("received"), Some(Some(&b("192.0.2.207"))));
    assert_eq!(v[1].branch(), Some(&b("z9hG4bK77asjd")));
    assert_eq!(
        (&v[2].host[..], v[2].port),
        (&b"first.example.com"[..], Some(4000))
    );
    assert_eq!(v[2].param("maddr"), Some(Some(&b("224.2.0.1"))));

    // §20.1, §20.5, §20.30: lists, also over a folded line.
    let m = with_headers(
        "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKhjhs8ass877\r\n\
         Accept: application/sdp;level=1, application/x-private, text/html\r\n\
         Allow: INVITE, ACK, OPTIONS, CANCEL, BYE\r\n\
         Record-Route: <sip:server10.biloxi.com;lr>,\r\n              <sip:bigbox3.site3.atlanta.com;lr>",
    );
    assert_eq!(m.header_values(&HeaderName::Accept).len(), 3);
    assert_eq!(
        m.header_values(&HeaderName::Allow),
        ["INVITE", "ACK", "OPTIONS", "CANCEL", "BYE"].map(b)
    );
    assert_eq!(
        m.header_values(&HeaderName::RecordRoute),
        [
            "<sip:server10.biloxi.com;lr>",
            "<sip:bigbox3.site3.atlanta.com;lr>"
        ]
        .map(b)
    );

    // §20.7: Authorization is not a list, its commas stay.
    let m = with_headers(
        "Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKhjhs8ass877\r\n\
         Authorization: Digest username=\"Alice\", realm=\"atlanta.com\",\r\n \
         nonce=\"84a4cc6f3082121f32b42a2187831a9e\",\r\n \
         response=\"7587245234b3434cc3412213e5f113a5432\"",
    );
    let auth = m.header_values(&HeaderName::Authorization);
    assert_eq!(auth.len(), 1);
    assert!(auth[0].ends_with(b"response=\"7587245234b3434cc3412213e5f113a5432\""));

    // §21.4.23: three Contacts with display names, one a SIPS URI.
    let text = "SIP/2.0 485 Ambiguous\r\nVia: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKhjhs8ass877\r\n\
                To: <sip:lee@example.com>;tag=7\r\nFrom: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n\
                Call-ID: a84b4c76e66710\r\nCSeq: 63104 OPTIONS\r\n\
                Contact: Carol Lee <sip:carol.lee@example.com>\r\n\
                Contact: Ping Lee <sip:p.lee@example.com>\r\n\
                Contact: Lee M. Foote <sips:lee.foote@example.com>\r\nContent-Length: 0\r\n\r\n";
    let m = parse_datagram(b(text)).unwrap();
    check_response(&m).unwrap();
    let names: Vec<_> = m
        .header_values(&HeaderName::Contact)
        .iter()
        .map(|c| sip::name_addr::NameAddr::parse(c).unwrap().display.unwrap())
        .collect();
    assert_eq!(names, [&b"Carol Lee"[..], b"Ping Lee", b"Lee M. Foote"]);
}
