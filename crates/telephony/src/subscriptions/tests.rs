use super::*;
use crate::dialog_info::{BlfState, DialogState};
use crate::flow::Transport;
use crate::xml::check::well_formed;
use presence::State;
use sip::StartLine;

fn phone() -> Flow {
    Flow::udp("192.0.2.9:5062".parse().unwrap())
}

fn ours() -> Bytes {
    contact_for("192.0.2.1:5060".parse().unwrap(), Transport::Udp)
}

/// An initial SUBSCRIBE from device `user` (From tag w1) for 2401.
fn subscribe_from(user: &str, call_id: &str, event: &str, extra: &str) -> Message {
    let text = format!(
        "SUBSCRIBE sip:2401@pbx.example SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9:5062;branch=z9hG4bK1\r\n\
         Max-Forwards: 70\r\nFrom: \"Ben <B>\" <sip:{user}@pbx.example>;tag=w1\r\n\
         To: <sip:2401@pbx.example>\r\nCall-ID: {call_id}\r\nCSeq: 1 SUBSCRIBE\r\n\
         Contact: <sip:{user}@192.0.2.9:5062>\r\nEvent: {event}\r\n{extra}\r\n"
    );
    sip::parse_datagram(Bytes::from(text)).unwrap()
}

fn subscribe(event: &str, extra: &str) -> Message {
    subscribe_from("2301", "s1", event, extra)
}

/// An in-dialog SUBSCRIBE, as sipp sends it (Route set, To tag of the 2xx).
fn resubscribe_msg(to_tag: &str, cseq: u32, extra: &str) -> Message {
    let text = format!(
        "SUBSCRIBE sip:192.0.2.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.9:5062;branch=z9hG4bK2\r\n\
         Max-Forwards: 70\r\nFrom: <sip:2301@pbx.example>;tag=w1\r\n\
         To: <sip:2401@pbx.example>;tag={to_tag}\r\nCall-ID: s1\r\nCSeq: {cseq} SUBSCRIBE\r\n\
         Event: dialog\r\n{extra}\r\n"
    );
    sip::parse_datagram(Bytes::from(text)).unwrap()
}

fn new<'a>(subscriber: &'a str, watched: i64, tag: &'a str) -> New<'a> {
    New {
        subscriber,
        watched,
        flow: phone(),
        tag,
        contact: ours(),
    }
}

fn id_of(accepted: &Accepted) -> SubId {
    match accepted.then {
        Then::Notify(id) => id,
        Then::Final(_) => panic!("expected an active subscription"),
    }
}

/// The NOTIFY as the phone gets it: with our Via, written and read back, valid.
fn wire(out: &Outgoing) -> Message {
    let mut m = out.message.clone();
    let via = Bytes::from_static(b"SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKdw1;rport");
    m.push_front(HeaderName::Via, via);
    let parsed = sip::parse_datagram(m.to_bytes()).unwrap();
    sip::check_request(&parsed).unwrap();
    parsed
}

fn header(m: &Message, name: HeaderName) -> String {
    String::from_utf8_lossy(m.header(&name).expect("header")).into_owned()
}

fn body(m: &Message) -> String {
    String::from_utf8(m.body.to_vec()).unwrap()
}

fn version(m: &Message) -> u32 {
    let b = body(m);
    let root = b.find("<dialog-info").unwrap();
    let at = root + b[root..].find("version=\"").unwrap() + 9;
    b[at..at + b[at..].find('"').unwrap()].parse().unwrap()
}

/// The phone's answer to a NOTIFY.
fn answer(out: &Outgoing, code: u16) -> Message {
    wire(out).response(code, "Whatever", None)
}

fn idle() -> Body {
    Body::Dialog(BlfState::new("sip:2401@pbx.example").document())
}

#[test]
fn a_subscription_answers_and_notifies_as_phones_and_sipp_expect() {
    let mut subs = Subscriptions::new(Limits::default());
    let extra = "Accept: application/dialog-info+xml\r\nExpires: 3600\r\n\
                 Record-Route: <sip:10.0.0.1;lr>, <sip:10.0.0.2;lr>\r\n";
    let accepted = subs
        .subscribe(5_000, &subscribe("dialog", extra), new("2301", 7, "t1"))
        .unwrap();
    let ok = &accepted.response;
    assert_eq!(ok.code(), Some(200));
    assert_eq!(header(ok, HeaderName::To), "<sip:2401@pbx.example>;tag=t1");
    assert_eq!(header(ok, HeaderName::Contact), "<sip:192.0.2.1:5060>");
    assert_eq!(header(ok, HeaderName::Expires), "3600");
    assert_eq!(header(ok, HeaderName::CSeq), "1 SUBSCRIBE");
    assert_eq!((accepted.package, accepted.watched), (Package::Dialog, 7));
    let id = id_of(&accepted);
    assert_eq!(subs.watching(7, Package::Dialog), vec![id]);
    assert_eq!(subs.get(id).unwrap().subscriber, "2301");

    let out = subs.notify(5_400, id, idle()).unwrap();
    assert_eq!(out.flow, phone());
    let n = wire(&out);
    assert_eq!(
        n.start,
        StartLine::Request {
            method: Method::Notify,
            uri: Bytes::from_static(b"sip:2301@192.0.2.9:5062"),
        }
    );
    assert_eq!(
        n.header_values(&HeaderName::Route),
        vec![
            Bytes::from_static(b"<sip:10.0.0.1;lr>"),
            Bytes::from_static(b"<sip:10.0.0.2;lr>")
        ]
    );
    assert_eq!(header(&n, HeaderName::MaxForwards), "70");
    // From tag = the 2xx's To tag; To = the subscriber's From, with its tag.
    assert_eq!(
        header(&n, HeaderName::From),
        "<sip:2401@pbx.example>;tag=t1"
    );
    assert_eq!(
        header(&n, HeaderName::To),
        "\"Ben <B>\" <sip:2301@pbx.example>;tag=w1"
    );
    assert_eq!(header(&n, HeaderName::CallId), "s1");
    assert_eq!(header(&n, HeaderName::CSeq), "1 NOTIFY");
    assert_eq!(header(&n, HeaderName::Contact), "<sip:192.0.2.1:5060>");
    assert_eq!(header(&n, HeaderName::Event), "dialog");
    // 3600 s from 5.000 s, 0.4 s later: 3599.6 s, rounded up.
    assert_eq!(
        header(&n, HeaderName::SubscriptionState),
        "active;expires=3600"
    );
    assert_eq!(
        header(&n, HeaderName::ContentType),
        "application/dialog-info+xml"
    );
    let xml = body(&n);
    well_formed(&xml).unwrap();
    assert!(xml.contains(r#"version="0" state="full" entity="sip:2401@pbx.example""#));
}

#[test]
fn versions_count_per_subscription_and_one_notify_is_in_flight() {
    let mut subs = Subscriptions::new(Limits::default());
    let a = id_of(
        &subs
            .subscribe(0, &subscribe("dialog", ""), new("2301", 7, "ta"))
            .unwrap(),
    );
    let mut anna = BlfState::new("sip:2401@pbx.example");
    let first = subs.notify(0, a, idle()).unwrap();
    assert_eq!(version(&first.message), 0);
    // Two changes while the first NOTIFY is unanswered: they wait, the later one wins.
    let ringing = anna.ringing("c1", None, None).unwrap();
    assert_eq!(subs.notify(10, a, Body::Dialog(ringing)), None);
    let talking = anna.answered("c1", None).unwrap();
    assert_eq!(subs.notify(20, a, Body::Dialog(talking)), None);
    // An answer for another CSeq, a provisional one: still waiting.
    let mut stale = answer(&first, 200);
    stale.set_header(HeaderName::CSeq, Some(Bytes::from_static(b"9 NOTIFY")));
    assert_eq!(subs.handle_response(30, &stale), None);
    assert_eq!(subs.handle_response(30, &answer(&first, 100)), None);
    let second = subs.handle_response(40, &answer(&first, 200)).unwrap();
    assert_eq!(version(&second.message), 1);
    assert_eq!(header(&second.message, HeaderName::CSeq), "2 NOTIFY");
    assert!(body(&second.message).contains("<state>confirmed</state>"));
    assert_eq!(subs.handle_response(50, &answer(&second, 200)), None);
    let third = subs.notify(60, a, idle()).unwrap();
    assert_eq!(version(&third.message), 2);
    // A subscription made later starts at 0 (RFC 4235 §4.1: scoped per subscription).
    let request = subscribe_from("2302", "s2", "dialog", "");
    let b = id_of(&subs.subscribe(70, &request, new("2302", 7, "tb")).unwrap());
    assert_eq!(version(&subs.notify(70, b, idle()).unwrap().message), 0);
}

#[test]
fn ringing_confirmed_terminated_idle_reach_every_watcher_in_order() {
    let mut subs = Subscriptions::new(Limits::default());
    let mut ids = Vec::new();
    for (user, call_id, tag) in [("2301", "s1", "t1"), ("2302", "s2", "t2")] {
        let request = subscribe_from(user, call_id, "dialog", "");
        let id = id_of(&subs.subscribe(0, &request, new(user, 7, tag)).unwrap());
        let out = subs.notify(0, id, idle()).unwrap();
        assert_eq!(subs.handle_response(1, &answer(&out, 200)), None);
        ids.push(id);
    }
    let mut anna = BlfState::new("sip:2401@pbx.example");
    let mut seen: HashMap<SubId, Vec<String>> = HashMap::new();
    let caller = crate::dialog_info::Identity::new("sip:2301@pbx.example", Some("Ben"));
    let docs = [
        anna.ringing("c1", Some("f"), Some(caller)).unwrap(),
        anna.answered("c1", Some("t")).unwrap(),
        anna.ended("c1").unwrap(),
        anna.document(),
    ];
    for (i, doc) in docs.into_iter().enumerate() {
        let now = 100 * (i as i64 + 1);
        for id in subs.watching(7, Package::Dialog) {
            let out = subs.notify(now, id, Body::Dialog(doc.clone())).unwrap();
            let xml = body(&out.message);
            well_formed(&xml).unwrap();
            assert_eq!(version(&out.message), i as u32 + 1);
            let state = ["early", "confirmed", "terminated"]
                .into_iter()
                .find(|s| xml.contains(&format!("<state>{s}</state>")))
                .unwrap_or("idle");
            seen.entry(id).or_default().push(state.to_owned());
            subs.handle_response(now + 1, &answer(&out, 200));
        }
    }
    for id in ids {
        assert_eq!(seen[&id], ["early", "confirmed", "terminated", "idle"]);
    }
    assert_eq!(DialogState::Early.as_str(), "early");
}

#[test]
fn refresh_extends_and_moves_the_target() {
    let mut subs = Subscriptions::new(Limits::default());
    let id = id_of(
        &subs
            .subscribe(0, &subscribe("dialog", ""), new("2301", 7, "t1"))
            .unwrap(),
    );
    assert_eq!(subs.poll_timeout(), Some(3_600_000));
    let moved = "Expires: 600\r\nContact: <sip:2301@198.51.100.4:5080>\r\n";
    let flow = Flow::tcp("198.51.100.4:5080".parse().unwrap());
    let refreshed = subs
        .resubscribe(100_000, &resubscribe_msg("t1", 2, moved), flow)
        .unwrap();
    assert_eq!(refreshed.response.code(), Some(200));
    assert_eq!(header(&refreshed.response, HeaderName::Expires), "600");
    assert_eq!(
        header(&refreshed.response, HeaderName::To),
        "<sip:2401@pbx.example>;tag=t1"
    );
    assert_eq!(refreshed.then, Then::Notify(id));
    assert_eq!(subs.poll_timeout(), Some(700_000));
    let out = subs.notify(100_000, id, idle()).unwrap();
    assert_eq!(out.flow, flow);
    let n = wire(&out);
    assert!(
        matches!(&n.start, StartLine::Request { uri, .. } if uri == "sip:2301@198.51.100.4:5080")
    );
    assert_eq!(
        header(&n, HeaderName::SubscriptionState),
        "active;expires=600"
    );
    // The same CSeq again, an unknown tag, another From tag, another package.
    let again = resubscribe_msg("t1", 2, "Expires: 600\r\n");
    assert_eq!(subs.resubscribe(1, &again, flow), Err(Refusal::OutOfOrder));
    assert_eq!(Refusal::OutOfOrder.response(&again, "x").code(), Some(500));
    let unknown = resubscribe_msg("nope", 3, "");
    assert_eq!(
        subs.resubscribe(1, &unknown, flow),
        Err(Refusal::NoSuchSubscription)
    );
    assert_eq!(
        Refusal::NoSuchSubscription.response(&unknown, "x").code(),
        Some(481)
    );
    let text = String::from_utf8(resubscribe_msg("t1", 3, "").to_bytes().to_vec()).unwrap();
    let other_from = sip::parse_datagram(Bytes::from(text.replace("tag=w1", "tag=w2"))).unwrap();
    assert_eq!(
        subs.resubscribe(1, &other_from, flow),
        Err(Refusal::NoSuchSubscription)
    );
    let presence = text.replace("Event: dialog", "Event: presence");
    let presence = sip::parse_datagram(Bytes::from(presence)).unwrap();
    assert_eq!(subs.resubscribe(1, &presence, flow), Err(Refusal::BadEvent));
}

#[test]
fn unsubscribing_in_the_dialog_sends_the_final_notify() {
    let mut subs = Subscriptions::new(Limits::default());
    let request = subscribe("dialog", "Record-Route: <sip:10.0.0.1;lr>\r\n");
    let id = id_of(&subs.subscribe(0, &request, new("2301", 7, "t1")).unwrap());
    let first = subs.notify(0, id, idle()).unwrap();
    // sipp: the Route set from the 2xx's Record-Route, the To tag, Expires: 0.
    let bye = resubscribe_msg("t1", 3, "Route: <sip:10.0.0.1;lr>\r\nExpires: 0\r\n");
    let accepted = subs.resubscribe(1_000, &bye, phone()).unwrap();
    assert_eq!(header(&accepted.response, HeaderName::Expires), "0");
    let Then::Final(ending) = accepted.then else {
        panic!("expected the final NOTIFY");
    };
    assert!(subs.is_empty());
    assert_eq!(subs.watching(7, Package::Dialog), vec![]);
    assert_eq!(subs.poll_timeout(), None);
    assert_eq!(
        (ending.package(), ending.watched(), ending.reason()),
        (Package::Dialog, 7, Reason::Timeout)
    );
    let n = wire(&ending.notify(Some(idle())));
    assert_eq!(
        header(&n, HeaderName::SubscriptionState),
        "terminated;reason=timeout"
    );
    assert_eq!(header(&n, HeaderName::CSeq), "2 NOTIFY");
    assert_eq!(version(&n), 1);
    assert_eq!(n.header_values(&HeaderName::Route).len(), 1);
    // The answer to the first NOTIFY finds nothing any more.
    assert_eq!(subs.handle_response(2_000, &answer(&first, 200)), None);
}

#[test]
fn a_fetch_is_answered_and_notified_once_and_nothing_is_kept() {
    let mut subs = Subscriptions::new(Limits::default());
    let request = subscribe("presence", "Expires: 0\r\n");
    let accepted = subs.subscribe(0, &request, new("2301", 7, "t1")).unwrap();
    assert_eq!(header(&accepted.response, HeaderName::Expires), "0");
    assert!(subs.is_empty());
    let Then::Final(ending) = accepted.then else {
        panic!("a fetch is final");
    };
    let pidf = Pidf::new("sip:2401@pbx.example", State::Away);
    let n = wire(&ending.notify(Some(Body::Presence(pidf))));
    assert_eq!(
        header(&n, HeaderName::SubscriptionState),
        "terminated;reason=timeout"
    );
    assert_eq!(header(&n, HeaderName::ContentType), "application/pidf+xml");
    assert!(body(&n).contains("Abwesend"));
}

#[test]
fn expiry_ends_the_subscription_with_a_final_notify() {
    let mut subs = Subscriptions::new(Limits::default());
    let request = subscribe("dialog", "Expires: 60\r\n");
    let id = id_of(&subs.subscribe(0, &request, new("2301", 7, "t1")).unwrap());
    let out = subs.notify(0, id, idle()).unwrap();
    assert_eq!(subs.poll_timeout(), Some(32_000), "the NOTIFY's Timer F");
    subs.handle_response(100, &answer(&out, 200));
    assert_eq!(subs.poll_timeout(), Some(60_000));
    assert!(subs.handle_timeout(59_999).is_empty());
    let ended = subs.handle_timeout(60_000);
    assert_eq!(ended.len(), 1);
    assert!(subs.is_empty() && subs.poll_timeout().is_none());
    assert_eq!(subs.notify(60_000, id, idle()), None);
    let n = wire(&ended.into_iter().next().unwrap().notify(None));
    assert_eq!(
        header(&n, HeaderName::SubscriptionState),
        "terminated;reason=timeout"
    );
    assert!(n.header(&HeaderName::ContentType).is_none() && n.body.is_empty());
}

#[test]
fn a_notify_without_answer_or_refused_ends_the_subscription_silently() {
    let mut subs = Subscriptions::new(Limits::default());
    let id = id_of(
        &subs
            .subscribe(0, &subscribe("dialog", ""), new("2301", 7, "t1"))
            .unwrap(),
    );
    subs.notify(0, id, idle()).unwrap();
    assert!(subs.handle_timeout(32_000).is_empty());
    assert!(subs.is_empty());

    let id = id_of(
        &subs
            .subscribe(0, &subscribe("dialog", ""), new("2301", 7, "t2"))
            .unwrap(),
    );
    let out = subs.notify(0, id, idle()).unwrap();
    subs.notify(1, id, idle());
    // A passing failure: the subscription stays and the waiting NOTIFY goes out.
    let next = subs.handle_response(2, &answer(&out, 503)).unwrap();
    assert_eq!(version(&next.message), 1);
    // 481: the phone forgot the subscription.
    assert_eq!(subs.handle_response(3, &answer(&next, 481)), None);
    assert!(subs.is_empty());
}

#[test]
fn bounds_per_device_and_overall_and_a_rebooted_phone_replaces_its_subscription() {
    let limits = Limits {
        max_per_subscriber: 2,
        max_total: 3,
        ..Limits::default()
    };
    let mut subs = Subscriptions::new(limits);
    for (watched, call_id) in [(1, "a1"), (2, "a2")] {
        let request = subscribe_from("2301", call_id, "dialog", "");
        let tag = format!("t{call_id}");
        subs.subscribe(0, &request, new("2301", watched, &tag))
            .unwrap();
    }
    let third = subscribe_from("2301", "a3", "dialog", "");
    let refused = subs.subscribe(0, &third, new("2301", 3, "ta3"));
    assert_eq!(refused, Err(Refusal::PerSubscriber { max: 2 }));
    assert_eq!(refused.unwrap_err().response(&third, "x").code(), Some(403));
    // Rebooted: a new Call-ID for the same key and Contact replaces the old one.
    let again = subscribe_from("2301", "a1-after-reboot", "dialog", "");
    let id = id_of(&subs.subscribe(0, &again, new("2301", 1, "tr")).unwrap());
    assert_eq!(subs.watching(1, Package::Dialog), vec![id]);
    assert_eq!(subs.len(), 2);
    // Presence for the same person is another subscription.
    let presence = subscribe_from("2302", "b1", "presence", "");
    subs.subscribe(0, &presence, new("2302", 1, "tb1")).unwrap();
    let full = subscribe_from("2303", "c1", "dialog", "");
    let refused = subs.subscribe(0, &full, new("2303", 1, "tc1"));
    assert_eq!(refused, Err(Refusal::Full));
    let reply = refused.unwrap_err().response(&full, "x");
    assert_eq!(reply.code(), Some(503));
    assert_eq!(header(&reply, HeaderName::RetryAfter), "60");
    assert_eq!(subs.len(), 3);
}

#[test]
fn refusals_say_what_is_wrong() {
    let mut subs = Subscriptions::new(Limits::default());
    let mut refuse = |event: &str, extra: &str| {
        let request = subscribe(event, extra);
        let refusal = subs
            .subscribe(0, &request, new("2301", 7, "t1"))
            .unwrap_err();
        (refusal.clone(), refusal.response(&request, "t1"))
    };
    let (why, reply) = refuse("conference", "");
    assert_eq!((why, reply.code()), (Refusal::BadEvent, Some(489)));
    let allow = HeaderName::Other(Bytes::from_static(b"Allow-Events"));
    assert_eq!(
        &reply.header(&allow).unwrap()[..],
        b"dialog, presence, message-summary"
    );
    assert_eq!(
        header(&reply, HeaderName::To),
        "<sip:2401@pbx.example>;tag=t1"
    );
    let (why, _) = refuse("presence", "Accept: application/xpidf+xml\r\n");
    assert_eq!(why, Refusal::NotAcceptable);
    let (why, reply) = refuse("dialog", "Expires: 30\r\n");
    assert_eq!(
        (why, reply.code()),
        (Refusal::TooBrief { min: 60 }, Some(423))
    );
    assert_eq!(header(&reply, HeaderName::MinExpires), "60");
    let (why, reply) = refuse("dialog", "Expires: soon\r\n");
    assert_eq!(
        (why, reply.code()),
        (Refusal::Malformed("Bad Expires"), Some(400))
    );
    let text = String::from_utf8(subscribe("dialog", "").to_bytes().to_vec()).unwrap();
    let no_contact = text.replace("Contact: <sip:2301@192.0.2.9:5062>\r\n", "");
    let no_contact = sip::parse_datagram(Bytes::from(no_contact)).unwrap();
    let refused = subs.subscribe(0, &no_contact, new("2301", 7, "t1"));
    assert_eq!(
        refused,
        Err(Refusal::Malformed("Missing or invalid Contact"))
    );
    assert!(subs.is_empty());
    // Accepted: Accept lists the type among others, a wildcard; a huge Expires shortened.
    for extra in [
        "Accept: application/pidf+xml, application/dialog-info+xml;q=0.5\r\n",
        "Accept: application/*\r\nExpires: 99999999999999\r\n",
    ] {
        let accepted = subs
            .subscribe(0, &subscribe("dialog;id=4", extra), new("2301", 7, "t9"))
            .unwrap();
        assert_eq!(header(&accepted.response, HeaderName::Expires), "3600");
    }
}

#[test]
fn presence_notifies_carry_pidf_for_the_uri_subscribed_to() {
    let mut subs = Subscriptions::new(Limits::default());
    let request = subscribe("presence", "Accept: application/pidf+xml\r\n");
    let accepted = subs.subscribe(0, &request, new("2301", 7, "t1")).unwrap();
    assert_eq!(accepted.package, Package::Presence);
    let id = id_of(&accepted);
    assert_eq!(
        subs.notify(0, id, idle()),
        None,
        "a dialog body for presence"
    );
    let pidf = Pidf::new("sip:2401@elsewhere.example", State::OnThePhone);
    let n = wire(&subs.notify(0, id, Body::Presence(pidf)).unwrap());
    assert_eq!(header(&n, HeaderName::Event), "presence");
    assert_eq!(header(&n, HeaderName::ContentType), "application/pidf+xml");
    let xml = body(&n);
    well_formed(&xml).unwrap();
    assert!(xml.contains(r#"entity="sip:2401@pbx.example""#));
    assert!(xml.contains("Im Gespräch"));
}

#[test]
fn message_summary_notifies_carry_the_summary_as_it_is() {
    let mut subs = Subscriptions::new(Limits::default());
    let extra = "Accept: application/simple-message-summary\r\n";
    let accepted = subs
        .subscribe(
            0,
            &subscribe("message-summary", extra),
            new("2401-1", 7, "t1"),
        )
        .unwrap();
    assert_eq!(accepted.package, Package::MessageSummary);
    let id = id_of(&accepted);
    assert_eq!(subs.notify(0, id, idle()), None, "a dialog body for a box");
    let text = voicemail::mwi::summary("sip:2401@pbx.example", 0, 0);
    let first = subs.notify(0, id, Body::MessageSummary(text.clone()));
    let n = wire(&first.unwrap());
    assert_eq!(header(&n, HeaderName::Event), "message-summary");
    assert_eq!(
        header(&n, HeaderName::ContentType),
        "application/simple-message-summary"
    );
    assert_eq!(body(&n), text);
    let read = voicemail::mwi::parse(&n.body).unwrap();
    assert!(!read.waiting);
    assert_eq!(read.account.as_deref(), Some("sip:2401@pbx.example"));
    // A phone that takes only dialog documents cannot watch a box.
    let picky = subscribe("message-summary", "Accept: application/dialog-info+xml\r\n");
    let refused = subs.subscribe(0, &picky, new("2401-1", 7, "t2"));
    assert_eq!(refused, Err(Refusal::NotAcceptable));
    // A box watched as well as a busy lamp: the person's subscriptions all end together.
    let lamp = subscribe_from("2302", "s2", "dialog", "");
    subs.subscribe(0, &lamp, new("2302", 7, "t3")).unwrap();
    let gone = subs.end_watched(7, Reason::NoResource);
    assert_eq!(gone.len(), 2);
    assert!(subs.is_empty());
}

#[test]
fn a_device_loses_only_the_packages_named() {
    let mut subs = Subscriptions::new(Limits::default());
    for (call_id, event) in [("a", "dialog"), ("b", "message-summary"), ("c", "presence")] {
        let request = subscribe_from("2301", call_id, event, "");
        let tag = format!("t{call_id}");
        subs.subscribe(0, &request, new("2301", 7, &tag)).unwrap();
    }
    let ended = subs.end_subscriptions_of("2301", &[Package::MessageSummary], Reason::Rejected);
    assert_eq!(ended.len(), 1);
    assert_eq!(ended[0].package(), Package::MessageSummary);
    assert_eq!(subs.len(), 2);
    assert!(subs.watching(7, Package::MessageSummary).is_empty());
    assert_eq!(subs.end_subscriber("2301", Reason::Rejected).len(), 2);
}

#[test]
fn a_person_or_device_gone_ends_their_subscriptions_with_the_reason() {
    let mut subs = Subscriptions::new(Limits::default());
    for (user, call_id, watched, event) in [
        ("2301", "a", 7, "dialog"),
        ("2301", "b", 8, "presence"),
        ("2302", "c", 7, "presence"),
    ] {
        let request = subscribe_from(user, call_id, event, "");
        let tag = format!("t{call_id}");
        subs.subscribe(0, &request, new(user, watched, &tag))
            .unwrap();
    }
    let gone = subs.end_watched(7, Reason::NoResource);
    assert_eq!(gone.len(), 2);
    let n = wire(&gone.into_iter().next().unwrap().notify(None));
    assert_eq!(
        header(&n, HeaderName::SubscriptionState),
        "terminated;reason=noresource"
    );
    let removed = subs.end_subscriber("2301", Reason::Rejected);
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0].reason(), Reason::Rejected);
    assert!(subs.is_empty());
}

#[test]
fn event_names_and_our_contact() {
    assert_eq!(Package::of_event(b"dialog;id=3"), Some(Package::Dialog));
    assert_eq!(Package::of_event(b" Presence "), Some(Package::Presence));
    assert_eq!(Package::of_event(b"presence.winfo"), None);
    assert_eq!(
        Package::of_event(b"Message-Summary"),
        Some(Package::MessageSummary)
    );
    for package in Package::ALL {
        let listed = String::from_utf8_lossy(ALLOW_EVENTS).contains(package.as_str());
        assert!(listed, "{package:?} is in Allow-Events");
    }
    assert_eq!(
        &contact_for("[2001:db8::1]:5061".parse().unwrap(), Transport::Tcp)[..],
        b"<sip:[2001:db8::1]:5061;transport=tcp>"
    );
}

proptest::proptest! {
    /// Random subscriptions, changes, answers and time: at most one NOTIFY in flight per
    /// subscription, versions without gaps, and the indexes agree with the table.
    #[test]
    fn random_sequences_keep_the_order_and_the_indexes(
        ops in proptest::collection::vec((0u8..4, 0u8..3, 0u32..40_000), 0..80)
    ) {
        let limits = Limits { max_total: 5, max_per_subscriber: 3, ..Limits::default() };
        let mut subs = Subscriptions::new(limits);
        let (mut now, mut calls) = (0i64, 0u32);
        let mut in_flight: Vec<Outgoing> = Vec::new();
        let mut versions: HashMap<Bytes, u32> = HashMap::new();
        let mut sent = |out: Outgoing, in_flight: &mut Vec<Outgoing>| {
            let call_id = out.message.header(&HeaderName::CallId).unwrap().clone();
            let same = |o: &Outgoing| o.message.header(&HeaderName::CallId) == Some(&call_id);
            let flying = in_flight.iter().any(same);
            assert!(!flying, "two NOTIFYs in flight for {call_id:?}");
            let v = version(&out.message);
            let expected = versions.get(&call_id).map_or(0, |last| last + 1);
            assert_eq!(v, expected);
            versions.insert(call_id, v);
            in_flight.push(out);
        };
        for (op, x, n) in ops {
            match op {
                0 => {
                    calls += 1;
                    let (user, tag) = (format!("u{x}"), format!("t{calls}"));
                    let request = subscribe_from(&user, &format!("c{calls}"), "dialog", "");
                    let watched = i64::from(n % 3);
                    if let Ok(a) = subs.subscribe(now, &request, new(&user, watched, &tag)) {
                        if let Some(out) = subs.notify(now, id_of(&a), idle()) {
                            sent(out, &mut in_flight);
                        }
                    }
                }
                1 => {
                    for id in subs.watching(i64::from(x), Package::Dialog) {
                        if let Some(out) = subs.notify(now, id, idle()) {
                            sent(out, &mut in_flight);
                        }
                    }
                }
                2 if !in_flight.is_empty() => {
                    let out = in_flight.remove(n as usize % in_flight.len());
                    let code = [200, 200, 503, 481][usize::from(x)];
                    if let Some(next) = subs.handle_response(now, &answer(&out, code)) {
                        sent(next, &mut in_flight);
                    }
                }
                _ => {
                    now += i64::from(n);
                    for ending in subs.handle_timeout(now) {
                        wire(&ending.notify(None));
                    }
                    // What timed out is gone: its answer would find nothing.
                    in_flight.retain(|o| {
                        let tag = request::tag_of(&o.message, &HeaderName::From).unwrap();
                        let key = (o.message.header(&HeaderName::CallId).unwrap().clone(), tag);
                        subs.by_dialog.contains_key(&key)
                    });
                }
            }
            let watched: usize = (0..3)
                .map(|w| subs.watching(w, Package::Dialog).len())
                .sum();
            proptest::prop_assert_eq!(watched, subs.len());
            proptest::prop_assert_eq!(subs.by_dialog.len(), subs.len());
            proptest::prop_assert_eq!(subs.deadlines.len(), subs.len());
            proptest::prop_assert!(subs.len() <= 5);
            proptest::prop_assert!(subs.per_subscriber.values().all(|n| *n <= 3));
            proptest::prop_assert!(subs.poll_timeout().is_none_or(|at| at > now));
        }
    }
}
