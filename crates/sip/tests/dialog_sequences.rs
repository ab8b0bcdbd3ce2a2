//! Random in-dialog sequences between two dialogs, A (the UAC, who owns the Call-ID)
//! and B (the UAS): re-INVITEs from both sides, UPDATE, INFO and BYE, answers of
//! 200/491/481/500/486, ACKs, messages delivered out of order or lost, client
//! transactions timing out, the clock jumping. A model of what RFC 3261 allows runs
//! beside them, and after every step:
//!
//! * each side's CSeq grows strictly with every request but ACK, whose number is that of
//!   an INVITE of its own that got a 2xx (§12.2.1.1);
//! * a side never has two INVITE transactions of its own at once, nor starts one while
//!   the peer's is in progress (§14.1); a refusal says so, and so does a success;
//! * an INVITE crossing ours is refused with 491 (§14.2); a 491 to our re-INVITE sets a
//!   retry in 2.1–4 s (A) or 0–2 s (B), in steps of 10 ms (§14.1), which fires once;
//! * 481 and no answer end the dialog, 500/486/491 do not (`termination.rs`);
//! * once a dialog has said `Terminated`, it emits nothing more, ever;
//! * the route set never changes, and the remote target changes only by successful
//!   target refreshes, newest first (§12.2).

use bytes::Bytes;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sip::cseq::CSeq;
use sip::dialog::{Body, Dialog, DialogError, Event, Settings, RETRY_OTHER_MS, RETRY_OWNER_MS};
use sip::name_addr::NameAddr;
use sip::{parse_datagram, HeaderName, Message, Method};
use std::cell::RefCell;
use std::collections::HashSet;

#[derive(Debug, Clone)]
enum Action {
    /// A re-INVITE, with an offer or without (then the 2xx offers and the ACK answers).
    Reinvite(usize, bool),
    Update(usize),
    Info(usize),
    Bye(usize),
    /// Delivers the message in flight at this index (modulo), so in any order.
    Deliver(usize),
    /// Loses it.
    Lose(usize),
    /// Delivers it twice (the network duplicates it).
    Duplicate(usize),
    /// A side answers a request it accepted, with a code chosen by the second number.
    Answer(usize, usize, usize),
    Ack(usize),
    Advance(i64),
    /// A request of this side gets no answer at all (Timer B/F).
    TransactionTimeout(usize, usize),
}

fn action() -> impl Strategy<Value = Action> {
    let side = 0..2usize;
    // Weighted so that a dialog lives long enough for glare: what ends it (BYE, a lost
    // message, a timeout) is rare.
    prop_oneof![
        12 => (side.clone(), any::<bool>()).prop_map(|(s, o)| Action::Reinvite(s, o)),
        3 => side.clone().prop_map(Action::Update),
        3 => side.clone().prop_map(Action::Info),
        1 => side.clone().prop_map(Action::Bye),
        24 => any::<usize>().prop_map(Action::Deliver),
        1 => any::<usize>().prop_map(Action::Lose),
        1 => any::<usize>().prop_map(Action::Duplicate),
        15 => (side.clone(), any::<usize>(), 0..5usize).prop_map(|(s, i, c)| Action::Answer(s, i, c)),
        6 => side.clone().prop_map(Action::Ack),
        9 => prop_oneof![0..700i64, 0..5_000i64, Just(40_000i64)].prop_map(Action::Advance),
        1 => (side, any::<usize>()).prop_map(|(s, i)| Action::TransactionTimeout(s, i)),
    ]
}

/// How often the interesting things happened over a run (so that the test shows it
/// exercised them).
#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    glare: u32,
    retries: u32,
    refreshes: u32,
    out_of_order: u32,
    terminations: u32,
    no_ack: u32,
}

/// One side and the model of what it may do.
struct Side {
    dialog: Dialog,
    name: &'static str,
    owner: bool,
    last_cseq: Option<u32>,
    /// Our INVITEs that got a 2xx: the numbers an ACK of ours may carry.
    answered_invites: HashSet<u32>,
    /// Our INVITE in progress: (CSeq, whether its 2xx came and waits for our ACK).
    our_invite: Option<(u32, bool)>,
    /// Whether it went without an offer (so its ACK carries the answer).
    offerless: bool,
    /// Theirs: (CSeq, whether we sent the 2xx and wait for their ACK).
    their_invite: Option<(u32, bool)>,
    /// Our requests without a final answer (in the model: answers may still be lost).
    outstanding: Vec<(u32, Method)>,
    /// Requests of the peer we accepted and have not answered.
    inbox: Vec<Message>,
    remote_max: u32,
    ending: bool,
    terminated: bool,
    retry_invite: Option<i64>,
    retry_update: Option<i64>,
    target: Bytes,
    refreshed: (u32, u32),
    routes: Vec<Bytes>,
    contacts: u32,
}

struct World {
    now: i64,
    sides: [Side; 2],
    /// Messages in flight: (to which side, message).
    flight: Vec<(usize, Message)>,
    seen: Seen,
}

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

fn sdp() -> Body {
    Body::sdp(&b"v=0\r\n"[..])
}

fn number(m: &Message) -> CSeq {
    CSeq::parse(m.header(&HeaderName::CSeq).unwrap()).unwrap()
}

fn contact(m: &Message) -> Option<Bytes> {
    m.header(&HeaderName::Contact)
        .map(|c| NameAddr::parse(c).unwrap().uri)
}

/// Over the wire and back, with a Via on requests (as the shell would add).
fn wire(m: &Message) -> Message {
    let mut m = m.clone();
    if m.method().is_some() && m.header(&HeaderName::Via).is_none() {
        m.push_front(HeaderName::Via, b("SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKx"));
    }
    parse_datagram(m.to_bytes()).expect("what a dialog writes parses")
}

/// The kind of an error, for comparing with the model.
fn kind(result: &Result<(), DialogError>) -> &'static str {
    match result {
        Ok(()) => "ok",
        Err(DialogError::Terminated) => "terminated",
        Err(DialogError::CSeqOutOfOrder { .. }) => "out of order",
        Err(DialogError::Glare { .. }) => "glare",
        Err(DialogError::Overlap { .. }) => "overlap",
        Err(DialogError::InviteInProgress { ours: true, .. }) => "our invite",
        Err(DialogError::InviteInProgress { ours: false, .. }) => "their invite",
        Err(DialogError::BackingOff { .. }) => "backing off",
        Err(DialogError::Unmatched { .. }) => "unmatched",
        Err(DialogError::NothingToAck) => "nothing to ack",
        Err(other) => panic!("unexpected {other:?}"),
    }
}

impl World {
    /// A and B with a confirmed dialog through two record-routing proxies.
    fn new(seed_a: u64, seed_b: u64) -> World {
        let invite = parse_datagram(b(
            "INVITE sip:b@biloxi.example SIP/2.0\r\nVia: SIP/2.0/UDP a.example;branch=z9hG4bK1\r\n\
             From: <sip:a@atlanta.example>;tag=ta\r\nTo: <sip:b@biloxi.example>\r\n\
             Call-ID: seq@a.example\r\nCSeq: 1 INVITE\r\nContact: <sip:a@10.0.0.1>\r\n\
             Record-Route: <sip:p2.example;lr>, <sip:p1.example;lr>\r\n\
             Content-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n",
        ))
        .unwrap();
        let settings = |seed| Settings {
            seed,
            ..Settings::default()
        };
        let mut bd = Dialog::uas(&invite, b"tb", b"<sip:b@10.0.0.2>", settings(seed_b)).unwrap();
        let mut ok = bd.response(&invite, 200, "OK");
        ok.set_header(HeaderName::ContentType, Some(b("application/sdp")));
        ok.body = b("v=0\r\n");
        bd.respond(0, &invite, &ok).unwrap();
        let mut ad = Dialog::uac(&invite, &wire(&ok), settings(seed_a)).unwrap();
        bd.handle_request(&wire(&ad.ack(None).unwrap())).unwrap();
        while ad.poll_event().is_some() || bd.poll_event().is_some() {}
        let side = |dialog: Dialog, name, owner| Side {
            target: dialog.remote_target().clone(),
            routes: dialog.route_set().entries().to_vec(),
            last_cseq: dialog.local_seq(),
            remote_max: dialog.remote_seq().unwrap_or(0),
            dialog,
            name,
            owner,
            answered_invites: HashSet::from([1]),
            our_invite: None,
            offerless: false,
            their_invite: None,
            outstanding: Vec::new(),
            inbox: Vec::new(),
            ending: false,
            terminated: false,
            retry_invite: None,
            retry_update: None,
            refreshed: (1, 1),
            contacts: 0,
        };
        World {
            now: 0,
            sides: [side(ad, "a", true), side(bd, "b", false)],
            flight: Vec::new(),
            seen: Seen::default(),
        }
    }

    fn step(&mut self, action: Action) {
        let emitted_before: [bool; 2] = [self.sides[0].terminated, self.sides[1].terminated];
        let mut due = [(false, false); 2];
        match action {
            Action::Reinvite(x, offer) => self.send(x, Method::Invite, offer),
            Action::Update(x) => self.send(x, Method::Update, false),
            Action::Info(x) => self.send(x, Method::Info, false),
            Action::Bye(x) => self.send(x, Method::Bye, false),
            Action::Deliver(i) if !self.flight.is_empty() => {
                let (to, m) = self.flight.swap_remove(i % self.flight.len());
                if m.method().is_some() {
                    self.receive_request(to, m);
                } else {
                    self.receive_response(to, m);
                }
            }
            Action::Lose(i) if !self.flight.is_empty() => {
                self.flight.swap_remove(i % self.flight.len());
            }
            Action::Duplicate(i) if !self.flight.is_empty() => {
                let copy = self.flight[i % self.flight.len()].clone();
                self.flight.push(copy);
            }
            Action::Answer(x, i, code) => self.answer(x, i, code),
            Action::Ack(x) => self.ack(x),
            Action::Advance(ms) => {
                self.now += ms;
                for (x, side) in self.sides.iter_mut().enumerate() {
                    let now = self.now;
                    let fires = |at: &mut Option<i64>| at.take_if(|at| *at <= now).is_some();
                    due[x] = (fires(&mut side.retry_invite), fires(&mut side.retry_update));
                    side.dialog.handle_timeout(now);
                }
            }
            Action::TransactionTimeout(x, i) => self.transaction_timeout(x, i),
            _ => {}
        }
        for x in 0..2 {
            self.drain(x, emitted_before[x], due[x]);
        }
    }

    /// Side `x` sends a request of `method`, if the model says it may.
    fn send(&mut self, x: usize, method: Method, offer: bool) {
        let now = self.now;
        let s = &mut self.sides[x];
        if matches!(method, Method::Invite | Method::Update) {
            s.contacts += 1;
            let contact = format!(
                "<sip:{}{}@10.0.{}.{}>",
                s.name,
                s.contacts,
                x,
                s.contacts % 250
            );
            s.dialog.set_local_contact(contact.as_bytes()).unwrap();
        }
        let expected = if s.terminated || s.ending {
            "terminated"
        } else {
            match method {
                Method::Invite if s.our_invite.is_some() => "our invite",
                Method::Invite if s.their_invite.is_some() => "their invite",
                Method::Invite if s.retry_invite.is_some_and(|at| at > now) => "backing off",
                Method::Update if s.retry_update.is_some_and(|at| at > now) => "backing off",
                _ => "ok",
            }
        };
        let body = (method == Method::Invite && offer).then(sdp);
        let result = s.dialog.request(now, method.clone(), body);
        let request = match result {
            Ok(request) => request,
            Err(e) => {
                assert_eq!(
                    kind(&Err(e.clone())),
                    expected,
                    "{} {method}: {e:?}",
                    s.name
                );
                return;
            }
        };
        assert_eq!("ok", expected, "{} may not send {method} now", s.name);
        let seq = Self::check_cseq(s, &request);
        s.outstanding.push((seq, method.clone()));
        match method {
            Method::Invite => {
                s.our_invite = Some((seq, false));
                s.offerless = !offer;
                s.retry_invite = None;
            }
            Method::Update => s.retry_update = None,
            Method::Bye => s.ending = true,
            _ => {}
        }
        let invites = s
            .outstanding
            .iter()
            .filter(|(_, m)| *m == Method::Invite)
            .count();
        assert!(invites <= 1, "two INVITEs of {} at once", s.name);
        self.flight.push((1 - x, wire(&request)));
    }

    /// Every request but ACK takes the next number; an ACK that of an answered INVITE.
    fn check_cseq(s: &mut Side, request: &Message) -> u32 {
        let CSeq { seq, method } = number(request);
        assert_eq!(Some(&method), request.method());
        if method == Method::Ack {
            assert!(s.answered_invites.contains(&seq), "{} ACKs {seq}", s.name);
        } else {
            assert!(
                s.last_cseq.is_none_or(|last| seq > last),
                "{}: {seq} after {:?}",
                s.name,
                s.last_cseq
            );
            assert!(seq < 1 << 31);
            s.last_cseq = Some(seq);
        }
        seq
    }

    fn receive_request(&mut self, y: usize, m: Message) {
        let s = &mut self.sides[y];
        let CSeq { seq, method } = number(&m);
        if method == Method::Ack {
            let result = s.dialog.handle_request(&m);
            assert_eq!(
                kind(&result),
                if s.terminated { "terminated" } else { "ok" }
            );
            if s.their_invite == Some((seq, true)) {
                s.their_invite = None;
            }
            return;
        }
        let expected = if s.terminated {
            "terminated"
        } else if seq <= s.remote_max {
            "out of order"
        } else {
            s.remote_max = seq;
            match method {
                Method::Bye => "ok",
                _ if s.ending => "terminated",
                Method::Invite if s.our_invite.is_some() => "glare",
                Method::Invite if s.their_invite.is_some() => "overlap",
                _ => "ok",
            }
        };
        let result = s.dialog.handle_request(&m);
        assert_eq!(
            kind(&result),
            expected,
            "{} receives {method} {seq}",
            s.name
        );
        match result {
            Ok(()) => {
                if method == Method::Invite {
                    s.their_invite = Some((seq, false));
                }
                s.inbox.push(m);
            }
            Err(e) => {
                match e {
                    DialogError::Glare { .. } => self.seen.glare += 1,
                    DialogError::CSeqOutOfOrder { .. } => self.seen.out_of_order += 1,
                    _ => {}
                }
                let refusal = e.response_to(&m).expect("a refusal has an answer");
                assert_eq!(refusal.code(), e.status());
                self.flight.push((1 - y, wire(&refusal)));
            }
        }
    }

    fn answer(&mut self, y: usize, i: usize, choice: usize) {
        let now = self.now;
        let s = &mut self.sides[y];
        if s.inbox.is_empty() {
            return;
        }
        let request = s.inbox.swap_remove(i % s.inbox.len());
        let CSeq { seq, method } = number(&request);
        let code = match method {
            Method::Bye => 200,
            Method::Invite => [200, 491, 481, 500, 486][choice],
            Method::Update => [200, 491, 481, 500, 200][choice],
            _ => [200, 481, 500, 200, 200][choice],
        };
        let refresh =
            (200..300).contains(&code) && matches!(method, Method::Invite | Method::Update);
        if refresh {
            s.contacts += 1;
            let contact = format!(
                "<sip:{}{}@10.1.{}.{}>",
                s.name,
                s.contacts,
                y,
                s.contacts % 250
            );
            s.dialog.set_local_contact(contact.as_bytes()).unwrap();
        }
        let mut response = s.dialog.response(&request, code, "Whatever");
        if method == Method::Invite && code == 200 {
            response.set_header(HeaderName::ContentType, Some(b("application/sdp")));
            response.body = b("v=0\r\n");
        }
        s.dialog.respond(now, &request, &response).unwrap();
        if !s.terminated {
            if method == Method::Invite && s.their_invite == Some((seq, false)) {
                s.their_invite = (code == 200).then_some((seq, true));
            }
            if refresh && seq > s.refreshed.1 {
                s.refreshed.1 = seq;
                s.target = contact(&request).unwrap();
            }
        }
        self.flight.push((1 - y, wire(&response)));
    }

    fn receive_response(&mut self, x: usize, m: Message) {
        let now = self.now;
        let s = &mut self.sides[x];
        let CSeq { seq, method } = number(&m);
        let code = m.code().unwrap();
        let at = s
            .outstanding
            .iter()
            .position(|(c, mm)| *c == seq && *mm == method);
        let result = s.dialog.handle_response(now, &m);
        let expected = match at {
            _ if s.terminated => "ok",
            None if method == Method::Invite && code == 200 => "ok", // a retransmission
            None => "unmatched",
            Some(_) => "ok",
        };
        assert_eq!(
            kind(&result),
            expected,
            "{} hears {code} to {method} {seq}",
            s.name
        );
        let (Some(at), false) = (at, s.terminated) else {
            return;
        };
        s.outstanding.swap_remove(at);
        let refresh = |s: &mut Side| {
            if seq > s.refreshed.0 {
                s.refreshed.0 = seq;
                s.target = contact(&m).unwrap();
            }
        };
        let retry = |s: &Side, at: Option<i64>| {
            let at = at.expect("a 491 sets a retry");
            let range = if s.owner {
                RETRY_OWNER_MS
            } else {
                RETRY_OTHER_MS
            };
            assert!(
                range.contains(&(at - now)),
                "{}: retry in {} ms",
                s.name,
                at - now
            );
            assert_eq!((at - now) % 10, 0);
            at
        };
        match (&method, code) {
            (Method::Bye, _) => assert!(s.dialog.is_terminated()),
            (Method::Invite, 200) => {
                s.our_invite = Some((seq, true));
                s.answered_invites.insert(seq);
                refresh(s);
                if s.ending {
                    s.our_invite = None; // the dialog acknowledges it by itself
                }
            }
            (Method::Update, 200) => refresh(s),
            (_, 481) => assert!(s.dialog.is_terminated(), "481 to {method} ends the dialog"),
            (Method::Invite, 491) if !s.ending => {
                s.retry_invite = Some(retry(s, s.dialog.reinvite_retry_at()));
            }
            (Method::Update, 491) if !s.ending => {
                s.retry_update = Some(retry(s, s.dialog.update_retry_at()));
            }
            _ => assert!(
                !s.dialog.is_terminated(),
                "{code} to {method} ends only the transaction"
            ),
        }
        if method == Method::Invite && code != 200 {
            s.our_invite = None;
        }
    }

    fn ack(&mut self, x: usize) {
        let s = &mut self.sides[x];
        let Some((seq, true)) = s.our_invite else {
            assert!(s.dialog.ack(None).is_err(), "{} has nothing to ACK", s.name);
            return;
        };
        let answer = s.offerless.then(sdp);
        let ack = s.dialog.ack(answer).expect("the 2xx waits for its ACK");
        assert_eq!(Self::check_cseq(s, &ack), seq);
        s.our_invite = None;
        self.flight.push((1 - x, wire(&ack)));
    }

    fn transaction_timeout(&mut self, x: usize, i: usize) {
        let s = &mut self.sides[x];
        if s.outstanding.is_empty() {
            return;
        }
        let (seq, method) = s.outstanding.swap_remove(i % s.outstanding.len());
        s.dialog.handle_transaction_timeout(seq);
        if method == Method::Invite {
            s.our_invite = None;
        }
        assert!(
            s.terminated || s.dialog.is_terminated(),
            "no answer to {method} ends the dialog"
        );
    }

    /// Drains a side and checks what it emitted.
    fn drain(&mut self, x: usize, was_terminated: bool, (invite_due, update_due): (bool, bool)) {
        let s = &mut self.sides[x];
        let events: Vec<Event> = std::iter::from_fn(|| s.dialog.poll_event()).collect();
        let requests: Vec<Message> = std::iter::from_fn(|| s.dialog.poll_request()).collect();
        let responses: Vec<Message> = std::iter::from_fn(|| s.dialog.poll_response()).collect();
        if was_terminated {
            assert!(
                events.is_empty() && requests.is_empty() && responses.is_empty(),
                "{} emitted after its end: {events:?}",
                s.name
            );
            assert_eq!(s.dialog.poll_timeout(), None);
            return;
        }
        let mut retried = (false, false);
        for event in &events {
            assert!(!s.terminated, "{}: {event:?} after Terminated", s.name);
            match event {
                Event::Terminated { reason } => {
                    s.terminated = true;
                    self.seen.terminations += 1;
                    if *reason == sip::dialog::Reason::NoAck {
                        self.seen.no_ack += 1;
                    }
                }
                Event::RetryReinvite => {
                    assert!(
                        invite_due && !retried.0,
                        "{}: RetryReinvite not due",
                        s.name
                    );
                    retried.0 = true;
                    self.seen.retries += 1;
                }
                Event::RetryUpdate => {
                    assert!(update_due && !retried.1, "{}: RetryUpdate not due", s.name);
                    retried.1 = true;
                }
                Event::TargetRefreshed { target } => {
                    assert_eq!(target, &s.target, "{}", s.name);
                    self.seen.refreshes += 1;
                }
                other => panic!("{}: unexpected {other:?}", s.name),
            }
        }
        if !s.terminated {
            assert_eq!(
                retried,
                (invite_due, update_due),
                "{}: a due retry did not fire",
                s.name
            );
        }
        for request in requests {
            let seq = Self::check_cseq(s, &request);
            if request.method() == Some(&Method::Ack) && s.our_invite == Some((seq, true)) {
                s.our_invite = None;
            }
            self.flight.push((1 - x, wire(&request)));
        }
        for response in responses {
            assert_eq!(response.code(), Some(200), "only 2xx are sent again");
            self.flight.push((1 - x, wire(&response)));
        }
        assert_eq!(s.dialog.is_terminated(), s.terminated, "{}", s.name);
        if s.terminated {
            s.our_invite = None;
            s.their_invite = None;
        } else {
            assert_eq!(
                s.dialog.remote_target(),
                &s.target,
                "{}: remote target",
                s.name
            );
            assert_eq!(
                s.dialog.route_set().entries(),
                s.routes,
                "{}: route set",
                s.name
            );
        }
    }
}

#[test]
fn random_in_dialog_sequences_keep_the_rules() {
    let mut runner = TestRunner::new(Config {
        cases: 1_000,
        ..Config::default()
    });
    let seen = RefCell::new(Seen::default());
    let strategy = (any::<u64>(), any::<u64>(), vec(action(), 1..120));
    runner
        .run(&strategy, |(seed_a, seed_b, actions)| {
            let mut world = World::new(seed_a, seed_b);
            for action in actions {
                world.step(action);
            }
            let mut total = seen.borrow_mut();
            let s = world.seen;
            total.glare += s.glare;
            total.retries += s.retries;
            total.refreshes += s.refreshes;
            total.out_of_order += s.out_of_order;
            total.terminations += s.terminations;
            total.no_ack += s.no_ack;
            Ok::<(), TestCaseError>(())
        })
        .unwrap();
    // The runs did meet what they check.
    let seen = seen.into_inner();
    println!("{seen:?}");
    assert!(seen.glare >= 150, "{seen:?}");
    assert!(seen.retries >= 100, "{seen:?}");
    assert!(seen.refreshes >= 200, "{seen:?}");
    assert!(seen.out_of_order >= 100, "{seen:?}");
    assert!(seen.terminations >= 500 && seen.no_ack >= 10, "{seen:?}");
}

proptest! {
    /// Whatever the seeds, crossing re-INVITEs both get 491, and each side retries in
    /// its own window: the side that does not own the Call-ID always first.
    #[test]
    fn glare_always_resolves_with_491_and_a_retry_in_range(
        seed_a: u64, seed_b: u64, at in 0..1_000_000i64, offers: (bool, bool),
    ) {
        let mut w = World::new(seed_a, seed_b);
        w.step(Action::Advance(at));
        w.step(Action::Reinvite(0, offers.0));
        w.step(Action::Reinvite(1, offers.1));
        // Both INVITEs cross; both are refused with 491; the refusals arrive.
        w.step(Action::Deliver(0));
        w.step(Action::Deliver(0));
        prop_assert_eq!(w.seen.glare, 2);
        while !w.flight.is_empty() {
            w.step(Action::Deliver(0));
        }
        let (a, b) = (w.sides[0].retry_invite.unwrap(), w.sides[1].retry_invite.unwrap());
        prop_assert!(b < a, "B (0–2 s) before A (2.1–4 s)");
        w.step(Action::Advance(b - w.now));
        prop_assert_eq!(w.seen.retries, 1);
        w.step(Action::Reinvite(1, true));
        w.step(Action::Deliver(0));
        prop_assert!(w.sides[0].their_invite.is_some(), "A, still waiting, accepts B's INVITE");
    }
}
