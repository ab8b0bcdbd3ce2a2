//! The dialog layer on the call flow of RFC 3261 §24.2: Alice (UAC) calls Bob (UAS)
//! through atlanta.com's and biloxi.com's proxies.
//!
//! First on the RFC's own messages (`tests/rfc3261/f*.sip`): the dialogs take their
//! state from them, and what they write (180, 200, ACK, BYE, the 200 to BYE) is what the
//! RFC shows. Then the same call with both proxies record-routing, every message as bytes
//! through each UA's transaction layer and two small stateless proxies, with a re-INVITE
//! (Alice puts Bob on hold) and Bob's BYE.

mod common;

use bytes::Bytes;
use common::value;
use sip::dialog::{next_hop, Body, Dialog, DialogId, Event, Phase, Reason, Settings, UacInvite};
use sip::message::StartLine;
use sip::transaction::{Event as TxEvent, Timers, Transactions};
use sip::uri::Uri;
use sip::{parse_datagram, HeaderName, Message, Method};
use std::collections::VecDeque;

fn rfc(name: &str) -> Message {
    parse_datagram(common::load("rfc3261", name)).unwrap()
}

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

fn request_uri(m: &Message) -> &[u8] {
    match &m.start {
        StartLine::Request { uri, .. } => uri,
        StartLine::Response { .. } => panic!("a response"),
    }
}

fn settings(seed: u64) -> Settings {
    Settings {
        seed,
        ..Settings::default()
    }
}

/// Bob's answer of F9: his SDP.
fn bobs_sdp() -> Body {
    Body::sdp(rfc("f09_200").body)
}

fn with_body(mut m: Message, body: Body) -> Message {
    m.set_header(HeaderName::ContentType, Some(body.content_type));
    m.body = body.data;
    m
}

#[test]
fn the_dialogs_write_the_messages_of_section_24_2() {
    // Bob receives F5 and answers F6 (180) and F9 (200) — the same From, To with his
    // tag, Call-ID, CSeq and Contact (the Vias are the request's, stamped on the way).
    let f5 = rfc("f05_invite");
    let mut bob = Dialog::uas(&f5, b"a6c85cf", b"<sip:bob@192.0.2.4>", settings(2)).unwrap();
    let ringing = bob.response(&f5, 180, "Ringing");
    bob.respond(0, &f5, &ringing).unwrap();
    let ok = with_body(bob.response(&f5, 200, "OK"), bobs_sdp());
    bob.respond(0, &f5, &ok).unwrap();
    for (ours, theirs) in [(&ringing, rfc("f06_180")), (&ok, rfc("f09_200"))] {
        for header in ["From", "To", "Call-ID", "CSeq", "Contact"] {
            assert_eq!(value(ours, header), value(&theirs, header), "{header}");
        }
        assert_eq!(ours.body, theirs.body);
    }
    assert_eq!(bob.phase(), Phase::Confirmed);

    // Alice sent F1, hears F8 (early dialog) and F11 (confirmed).
    let mut call = UacInvite::new(rfc("f01_invite"), settings(1)).unwrap();
    call.handle_response(0, &rfc("f02_100")).unwrap();
    call.handle_response(0, &rfc("f08_180")).unwrap();
    call.handle_response(0, &rfc("f11_200")).unwrap();
    let events: Vec<Event> = std::iter::from_fn(|| call.poll_event())
        .map(|(_, e)| e)
        .collect();
    assert_eq!(events, [Event::Early, Event::Confirmed]);
    let alice = call.confirmed_mut().unwrap();
    assert_eq!(
        alice.id(),
        &DialogId {
            call_id: b("a84b4c76e66710"),
            local_tag: b("1928301774"),
            remote_tag: b("a6c85cf"),
        }
    );
    assert_eq!(&alice.remote_target()[..], b"sip:bob@192.0.2.4");
    assert!(
        alice.route_set().is_empty(),
        "the proxies of §24.2 do not record-route"
    );

    // Her ACK is F12 but for its Via (a new branch, the shell's).
    let ack = alice.ack(None).unwrap();
    let f12 = rfc("f12_ack");
    assert_eq!(ack.start, f12.start);
    for header in ["Max-Forwards", "To", "From", "Call-ID", "CSeq"] {
        assert_eq!(value(&ack, header), value(&f12, header), "{header}");
    }
    bob.handle_request(&f12).unwrap();
    assert_eq!(bob.poll_timeout(), None, "F12 ends the 2xx retransmissions");

    // Bob's BYE is F13, his first CSeq number aside (chosen at random, §8.1.1.5).
    let mut alice_then = alice.clone();
    let bye = bob.request(0, Method::Bye, None).unwrap();
    let f13 = rfc("f13_bye");
    assert_eq!(bye.start, f13.start);
    for header in ["Max-Forwards", "From", "To", "Call-ID"] {
        assert_eq!(value(&bye, header), value(&f13, header), "{header}");
    }
    assert!(value(&bye, "CSeq").ends_with(b" BYE"));
    assert_eq!(bye.header(&HeaderName::Contact), None);

    // Alice takes F13 as it is, and her answer is F14 exactly.
    alice_then.handle_request(&f13).unwrap();
    assert_eq!(alice_then.remote_seq(), Some(231));
    let answer = alice_then.response(&f13, 200, "OK");
    alice_then.respond(0, &f13, &answer).unwrap();
    assert_eq!(answer, rfc("f14_200"));
    assert_eq!(
        alice_then.poll_event(),
        Some(Event::Terminated {
            reason: Reason::RemoteBye
        })
    );
}

// ---------------------------------------------------------------------------------
// The same call through record-routing proxies.

/// A datagram in flight: from, to, bytes.
type Datagram = (&'static str, &'static str, Bytes);

/// Which element a host is.
fn node(host: &[u8]) -> &'static str {
    match host {
        b"pc33.atlanta.com" => "alice",
        b"bigbox3.site3.atlanta.com" | b"atlanta.com" => "atlanta",
        b"server10.biloxi.com" | b"biloxi.com" => "biloxi",
        b"192.0.2.4" => "bob",
        other => panic!("no element at {}", String::from_utf8_lossy(other)),
    }
}

fn host_of(uri: &Bytes) -> &'static str {
    node(&Uri::parse(uri).unwrap().host)
}

/// A stateless proxy (RFC 3261 §16, just enough): it removes the Route naming it
/// (§16.4), record-routes dialog-creating requests (§16.6 step 4), looks Bob up
/// (§16.5), adds its Via and forwards to the next Route or the Request-URI; a
/// response loses its Via and goes to the next.
struct Proxy {
    host: &'static str,
    branches: u32,
}

impl Proxy {
    fn handle(&mut self, mut m: Message, net: &mut VecDeque<Datagram>) {
        let me = node(self.host.as_bytes());
        if m.method().is_none() {
            let top = m
                .headers
                .iter()
                .position(|h| h.name == HeaderName::Via)
                .unwrap();
            m.headers.remove(top);
            let via = sip::via::Via::parse(&m.header_values(&HeaderName::Via)[0]).unwrap();
            net.push_back((me, node(&via.host), m.to_bytes()));
            return;
        }
        let routes = m.header_values(&HeaderName::Route);
        if let Some(first) = routes.first() {
            let uri = sip::name_addr::NameAddr::parse(first).unwrap().uri;
            if host_of(&uri) == me {
                m.set_header(HeaderName::Route, None);
                for rest in &routes[1..] {
                    m.push(HeaderName::Route, rest.clone());
                }
            }
        }
        let creating = sip::name_addr::NameAddr::parse(m.header(&HeaderName::To).unwrap())
            .unwrap()
            .tag()
            .is_none();
        if creating && m.method() == Some(&Method::Invite) {
            m.push_front(
                HeaderName::RecordRoute,
                b(&format!("<sip:{};lr>", self.host)),
            );
            if request_uri(&m) == b"sip:bob@biloxi.com" && self.host == "server10.biloxi.com" {
                if let StartLine::Request { uri, .. } = &mut m.start {
                    *uri = b("sip:bob@192.0.2.4"); // Bob's registered contact
                }
            }
        }
        self.branches += 1;
        let via = format!(
            "SIP/2.0/UDP {};branch=z9hG4bK{}.{}",
            self.host, me, self.branches
        );
        m.push_front(HeaderName::Via, b(&via));
        let hops: u32 = std::str::from_utf8(value(&m, "Max-Forwards"))
            .unwrap()
            .parse()
            .unwrap();
        m.set_header(HeaderName::MaxForwards, Some(b(&(hops - 1).to_string())));
        let to = host_of(&next_hop(&m).unwrap());
        net.push_back((me, to, m.to_bytes()));
    }
}

/// The four elements and the network between them.
struct Network {
    now: i64,
    net: VecDeque<Datagram>,
    alice: Transactions<&'static str>,
    bob: Transactions<&'static str>,
    atlanta: Proxy,
    biloxi: Proxy,
    /// What reached Bob, in order.
    at_bob: Vec<Message>,
}

impl Network {
    fn new() -> Network {
        Network {
            now: 0,
            net: VecDeque::new(),
            alice: Transactions::new(Timers::default()),
            bob: Transactions::new(Timers::default()),
            atlanta: Proxy {
                host: "bigbox3.site3.atlanta.com",
                branches: 0,
            },
            biloxi: Proxy {
                host: "server10.biloxi.com",
                branches: 0,
            },
            at_bob: Vec::new(),
        }
    }

    /// Moves every datagram until the network is quiet.
    fn run(&mut self) {
        for who in ["alice", "bob"] {
            let tx = if who == "alice" {
                &mut self.alice
            } else {
                &mut self.bob
            };
            while let Some(t) = tx.poll_transmit() {
                self.net.push_back((who, t.peer, t.data));
            }
        }
        while let Some((from, to, data)) = self.net.pop_front() {
            let m = parse_datagram(data).unwrap();
            match to {
                "atlanta" => self.atlanta.handle(m, &mut self.net),
                "biloxi" => self.biloxi.handle(m, &mut self.net),
                ua => {
                    if ua == "bob" {
                        self.at_bob.push(m.clone());
                    }
                    let tx = if ua == "alice" {
                        &mut self.alice
                    } else {
                        &mut self.bob
                    };
                    match m.method() {
                        Some(_) => tx.handle_request(self.now, m, from, false),
                        None => tx.handle_response(self.now, m),
                    }
                    while let Some(t) = tx.poll_transmit() {
                        self.net.push_back((ua, t.peer, t.data));
                    }
                }
            }
        }
    }

    /// A UA sends a request of a dialog: its Via on top, through its transaction layer
    /// (an ACK straight to the next hop).
    fn send(&mut self, ua: &'static str, mut request: Message, branch: &str) {
        let host = if ua == "alice" {
            "pc33.atlanta.com"
        } else {
            "192.0.2.4"
        };
        request.push_front(
            HeaderName::Via,
            b(&format!("SIP/2.0/UDP {host};branch=z9hG4bK{branch}")),
        );
        let next = host_of(&next_hop(&request).unwrap());
        if request.method() == Some(&Method::Ack) {
            self.net.push_back((ua, next, request.to_bytes()));
        } else {
            let tx = if ua == "alice" {
                &mut self.alice
            } else {
                &mut self.bob
            };
            tx.send_request(self.now, request, next, false).unwrap();
        }
        self.run();
    }
}

fn next_event(tx: &mut Transactions<&'static str>) -> TxEvent<&'static str> {
    tx.poll_event().expect("an event")
}

#[test]
fn a_call_through_record_routing_proxies_with_a_reinvite_and_bye() {
    let mut n = Network::new();
    // F1: Alice's INVITE to her proxy.
    let f1 = rfc("f01_invite");
    let mut call = UacInvite::new(f1.clone(), settings(1)).unwrap();
    n.alice.send_request(0, f1, "atlanta", false).unwrap();
    n.run();

    // F5 at Bob: both proxies are in its Record-Route, server10 first.
    let TxEvent::Request {
        key,
        message: invite,
        ..
    } = next_event(&mut n.bob)
    else {
        panic!()
    };
    assert_eq!(request_uri(&invite), b"sip:bob@192.0.2.4");
    assert_eq!(value(&invite, "Max-Forwards"), b"68");
    let mut bob = Dialog::uas(&invite, b"a6c85cf", b"<sip:bob@192.0.2.4>", settings(2)).unwrap();
    let bob_routes = [
        b("<sip:server10.biloxi.com;lr>"),
        b("<sip:bigbox3.site3.atlanta.com;lr>"),
    ];
    assert_eq!(bob.route_set().entries(), bob_routes);
    for code in [180, 200] {
        let mut response = bob.response(&invite, code, if code == 180 { "Ringing" } else { "OK" });
        if code == 200 {
            response = with_body(response, bobs_sdp());
        }
        bob.respond(n.now, &invite, &response).unwrap();
        n.bob.respond(n.now, &key, &response).unwrap();
        n.run();
    }

    // Alice: the 180 makes the early dialog, the 200 confirms it; her route set is the
    // Record-Route reversed.
    while let Some(event) = n.alice.poll_event() {
        let TxEvent::Response { message, .. } = event else {
            panic!("{event:?}")
        };
        call.handle_response(n.now, &message).unwrap();
    }
    let events: Vec<Event> = std::iter::from_fn(|| call.poll_event())
        .map(|(_, e)| e)
        .collect();
    assert_eq!(events, [Event::Early, Event::Confirmed]);
    let id = call.confirmed().unwrap().id().clone();
    let alice_routes = [
        b("<sip:bigbox3.site3.atlanta.com;lr>"),
        b("<sip:server10.biloxi.com;lr>"),
    ];
    assert_eq!(
        call.dialog(&id).unwrap().route_set().entries(),
        alice_routes
    );

    // F12 takes the route set to Bob: the proxies each take their Route off.
    let ack = call.dialog_mut(&id).unwrap().ack(None).unwrap();
    assert_eq!(value(&ack, "CSeq"), b"314159 ACK");
    assert_eq!(ack.header_values(&HeaderName::Route), alice_routes);
    n.send("alice", ack, "ack1");
    let TxEvent::Ack { message: ack, .. } = next_event(&mut n.bob) else {
        panic!()
    };
    assert_eq!(request_uri(&ack), b"sip:bob@192.0.2.4");
    assert!(
        ack.header(&HeaderName::Route).is_none(),
        "every Route was used up"
    );
    bob.handle_request(&ack).unwrap();
    assert_eq!(bob.poll_timeout(), None);

    // Alice puts Bob on hold: a re-INVITE with a new offer, the next CSeq.
    n.now = 60_000;
    let hold = Body::sdp(
        &b"v=0\r\no=alice 2890844526 2890844527 IN IP4 pc33.atlanta.com\r\na=sendonly\r\n"[..],
    );
    let reinvite = call
        .dialog_mut(&id)
        .unwrap()
        .request(n.now, Method::Invite, Some(hold))
        .unwrap();
    assert_eq!(value(&reinvite, "CSeq"), b"314160 INVITE");
    assert_eq!(value(&reinvite, "Contact"), b"<sip:alice@pc33.atlanta.com>");
    n.send("alice", reinvite, "reinv1");
    let TxEvent::Request {
        key,
        message: reinvite,
        ..
    } = next_event(&mut n.bob)
    else {
        panic!()
    };
    assert!(reinvite.header(&HeaderName::Route).is_none());
    assert!(
        reinvite.header(&HeaderName::RecordRoute).is_none(),
        "mid-dialog: no Record-Route"
    );
    bob.handle_request(&reinvite).unwrap();
    assert_eq!(bob.remote_seq(), Some(314160));
    let ok = with_body(bob.response(&reinvite, 200, "OK"), bobs_sdp());
    bob.respond(n.now, &reinvite, &ok).unwrap();
    n.bob.respond(n.now, &key, &ok).unwrap();
    n.run();
    let TxEvent::Response { message: ok, .. } = next_event(&mut n.alice) else {
        panic!()
    };
    call.handle_response(n.now, &ok).unwrap();
    let ack = call.dialog_mut(&id).unwrap().ack(None).unwrap();
    assert_eq!(value(&ack, "CSeq"), b"314160 ACK");
    n.send("alice", ack, "ack2");
    let TxEvent::Ack { message: ack, .. } = next_event(&mut n.bob) else {
        panic!()
    };
    bob.handle_request(&ack).unwrap();

    // Bob hangs up: his BYE follows his route set back to Alice's contact.
    n.now = 120_000;
    let bye = bob.request(n.now, Method::Bye, None).unwrap();
    assert_eq!(request_uri(&bye), b"sip:alice@pc33.atlanta.com");
    assert_eq!(bye.header_values(&HeaderName::Route), bob_routes);
    n.send("bob", bye, "bye1");
    let TxEvent::Request {
        key, message: bye, ..
    } = next_event(&mut n.alice)
    else {
        panic!()
    };
    assert_eq!(value(&bye, "Max-Forwards"), b"68", "through both proxies");
    call.handle_request(&bye).unwrap();
    let ok = call.dialog(&id).unwrap().response(&bye, 200, "OK");
    call.respond(n.now, &bye, &ok).unwrap();
    n.alice.respond(n.now, &key, &ok).unwrap();
    n.run();
    let TxEvent::Response { message: ok, .. } = next_event(&mut n.bob) else {
        panic!()
    };
    bob.handle_response(n.now, &ok).unwrap();

    let alice_events: Vec<Event> = std::iter::from_fn(|| call.poll_event())
        .map(|(_, e)| e)
        .collect();
    assert_eq!(
        alice_events,
        [Event::Terminated {
            reason: Reason::RemoteBye
        }]
    );
    let bob_events: Vec<Event> = std::iter::from_fn(|| bob.poll_event()).collect();
    assert_eq!(
        bob_events,
        [
            Event::Confirmed,
            Event::Terminated {
                reason: Reason::LocalBye
            }
        ]
    );
    // The route sets never changed; every in-dialog request reached Bob without Routes.
    assert_eq!(bob.route_set().entries(), bob_routes);
    assert_eq!(
        call.dialog(&id).unwrap().route_set().entries(),
        alice_routes
    );
    let at_bob: Vec<(Option<Method>, usize)> = n
        .at_bob
        .iter()
        .filter(|m| m.method().is_some())
        .map(|m| {
            (
                m.method().cloned(),
                m.header_values(&HeaderName::Route).len(),
            )
        })
        .collect();
    assert_eq!(
        at_bob,
        [
            (Some(Method::Invite), 0),
            (Some(Method::Ack), 0),
            (Some(Method::Invite), 0),
            (Some(Method::Ack), 0),
        ]
    );
}
