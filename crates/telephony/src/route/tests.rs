//! The routing decision on its own: accounts, bindings, rules and busy people in,
//! a [`Route`] out.

use super::*;
use crate::accounts::{Account, Ha1};
use directory::forwarding::{ForwardingRules, RuleRequest, RulesRequest};
use directory::Extension;
use sip::registrar::{Binding, Limits};
use std::collections::HashMap;

const NOW: i64 = 1_000;

/// People 100, 200, 300, 400 (person id = extension / 100); 200 has a desk phone and a
/// softphone, 300 a disabled device too.
fn accounts() -> Accounts {
    let device = |user: &str, extension: &str, enabled: bool| Account {
        device_id: user.len() as i64,
        person_id: extension.parse::<i64>().unwrap() / 100,
        sip_username: user.to_owned(),
        extension: extension.to_owned(),
        ha1_md5: Ha1::NONE,
        ha1_sha256: Ha1::NONE,
        enabled,
    };
    Accounts::new([
        device("100-1", "100", true),
        device("200-1", "200", true),
        device("200-2", "200", true),
        device("300-1", "300", true),
        device("300-2", "300", false),
        device("400-1", "400", true),
    ])
}

fn port(user: &str) -> u16 {
    let digits: String = user.chars().filter(char::is_ascii_digit).collect();
    digits.parse::<u16>().unwrap() + 10_000
}

/// Bindings for `users`, each at 10.0.0.1 on a port of its own; `expired` ran out.
fn bindings(users: &[&str], expired: &[&str]) -> Registrar<Flow> {
    let mut registrar = Registrar::new(Limits::default());
    for user in users.iter().chain(expired) {
        let at = format!("10.0.0.1:{}", port(user));
        let binding = Binding {
            contact: format!("sip:{user}@{at}").into_bytes().into(),
            instance: None,
            call_id: Box::from(&b"reg"[..]),
            cseq: 1,
            expires_at: if expired.contains(user) {
                NOW
            } else {
                NOW + 60_000
            },
            flow: Flow::udp(at.parse().unwrap()),
        };
        registrar.restore(user, binding);
    }
    registrar
}

fn forwarding(rules: &[(&str, RulesRequest<'_>)]) -> Forwarding {
    Forwarding::new(
        rules
            .iter()
            .map(|(own, request)| {
                let own = Extension::parse(own).unwrap();
                let rules = ForwardingRules::validate(request, &own, |_| true).unwrap();
                (own, rules)
            })
            .collect::<HashMap<_, _>>(),
    )
}

fn on(target: &str) -> RuleRequest<'_> {
    RuleRequest {
        on: true,
        target: Some(target),
    }
}

/// People 1..=4 by extension; `busy` are in an answered call.
fn in_calls(busy: &[i64]) -> Dialogs {
    let mut dialogs = Dialogs::default();
    for person in busy {
        let call_id = Bytes::from(format!("call-{person}"));
        dialogs.answered(0, call_id, vec![*person]);
    }
    dialogs
}

/// The users a route rings, or its status.
fn decided(route: Route) -> Result<Vec<String>, u16> {
    match route {
        Route::Fork(ring) => Ok(ring
            .targets
            .iter()
            .map(|t| {
                let uri = String::from_utf8(t.uri.clone().unwrap().to_vec()).unwrap();
                uri["sip:".len()..uri.find('@').unwrap()].to_owned()
            })
            .collect()),
        Route::Voicemail(target) => panic!("to the box: {target:?}"),
        Route::Reject(status) => Err(status.code),
    }
}

struct World {
    accounts: Accounts,
    bindings: Registrar<Flow>,
    forwarding: Forwarding,
    busy: Dialogs,
}

impl World {
    fn new(registered: &[&str]) -> World {
        World {
            accounts: accounts(),
            bindings: bindings(registered, &[]),
            forwarding: Forwarding::default(),
            busy: Dialogs::default(),
        }
    }

    fn router(&self) -> Router<'_> {
        Router {
            accounts: &self.accounts,
            bindings: &self.bindings,
            forwarding: &self.forwarding,
            busy: &self.busy,
            now: NOW,
            b2bua: None,
        }
    }

    fn call(&self, dialled: &str) -> Result<Vec<String>, u16> {
        decided(self.router().route(dialled, true))
    }
}

#[test]
fn an_extension_rings_every_registered_device_of_its_person() {
    let world = World::new(&["200-1", "200-2", "100-1"]);
    assert_eq!(world.call("200"), Ok(vec!["200-1".into(), "200-2".into()]));
    // A device name rings only that device.
    assert_eq!(world.call("200-2"), Ok(vec!["200-2".into()]));
}

#[test]
fn nobody_by_that_name_is_404_and_nobody_reachable_is_480() {
    let world = World::new(&["100-1"]);
    assert_eq!(world.call("999"), Err(404));
    assert_eq!(world.call("200"), Err(480));
    assert_eq!(world.call("200-1"), Err(480));
}

#[test]
fn disabled_devices_and_run_out_bindings_do_not_ring() {
    let mut world = World::new(&["300-2"]);
    assert_eq!(world.call("300"), Err(480), "300-2 is disabled");
    world.bindings = bindings(&["300-2"], &["300-1"]);
    assert_eq!(world.call("300"), Err(480), "300-1's binding ran out");
    world.bindings = bindings(&["300-1", "300-2"], &[]);
    assert_eq!(world.call("300"), Ok(vec!["300-1".into()]));
}

#[test]
fn unconditional_forwarding_rings_the_target_and_stops_before_a_circle() {
    let mut world = World::new(&["200-1", "300-1", "400-1"]);
    let always = |target| RulesRequest {
        always: on(target),
        ..RulesRequest::default()
    };
    world.forwarding = forwarding(&[("200", always("300"))]);
    assert_eq!(world.call("200"), Ok(vec!["300-1".into()]));
    // Only calls are forwarded: a MESSAGE to 200 goes to 200's devices.
    let message = decided(world.router().route("200", false));
    assert_eq!(message, Ok(vec!["200-1".into()]));
    world.forwarding = forwarding(&[
        ("200", always("300")),
        ("300", always("400")),
        ("400", always("200")),
    ]);
    assert_eq!(world.call("200"), Ok(vec!["400-1".into()]));
}

#[test]
fn a_person_in_a_call_is_forwarded_when_busy_else_their_devices_ring() {
    let mut world = World::new(&["200-1", "300-1"]);
    world.busy = in_calls(&[2]);
    assert_eq!(world.call("200"), Ok(vec!["200-1".into()]), "call waiting");
    let busy = RulesRequest {
        busy: on("300"),
        ..RulesRequest::default()
    };
    world.forwarding = forwarding(&[("200", busy)]);
    assert_eq!(world.call("200"), Ok(vec!["300-1".into()]));
    world.busy = Dialogs::default();
    assert_eq!(world.call("200"), Ok(vec!["200-1".into()]));
}

#[test]
fn nobody_registered_follows_no_answer_forwarding_at_once() {
    let mut world = World::new(&["400-1"]);
    let no_answer = |target| RulesRequest {
        no_answer: on(target),
        no_answer_secs: 20,
        ..RulesRequest::default()
    };
    // 200 → 300 (nobody there either) → 400.
    world.forwarding = forwarding(&[("200", no_answer("300")), ("300", no_answer("400"))]);
    assert_eq!(world.call("200"), Ok(vec!["400-1".into()]));
    let Route::Fork(ring) = world.router().route("200", true) else {
        unreachable!()
    };
    let routing = ring.routing.expect("a call to an extension");
    assert_eq!(routing.extension, "400");
}

#[test]
fn a_ringing_call_moves_on_after_busy_or_no_answer_where_a_rule_says() {
    let mut world = World::new(&["200-1", "300-1", "400-1"]);
    let rules = RulesRequest {
        busy: on("300"),
        no_answer: on("400"),
        no_answer_secs: 15,
        ..RulesRequest::default()
    };
    world.forwarding = forwarding(&[("200", rules)]);
    let router = world.router();
    let Route::Fork(ring) = router.route("200", true) else {
        unreachable!()
    };
    let routing = ring.routing.unwrap();
    assert_eq!(world.forwarding.ring_ms(Some(&routing), 60_000), 15_000);
    assert_eq!(world.forwarding.ring_ms(Some(&routing), 10_000), 10_000);
    let mut busy = routing.clone();
    assert_eq!(
        rung(router.forward(&mut busy, Situation::Busy)),
        Ok(vec!["300-1".into()])
    );
    let mut unanswered = routing.clone();
    let moved = router.forward(&mut unanswered, Situation::NoAnswer);
    assert_eq!(rung(moved), Ok(vec!["400-1".into()]));
    // 400 has no rule: the call stays there.
    assert_eq!(
        router.forward(&mut unanswered, Situation::NoAnswer),
        Onward::Stays
    );
    assert_eq!(unanswered.extension, "400");
}

/// The users an onward decision rings.
fn rung(onward: Onward) -> Result<Vec<String>, u16> {
    match onward {
        Onward::Ring(targets) => decided(Route::Fork(Ring {
            targets,
            routing: None,
        })),
        other => panic!("not rung: {other:?}"),
    }
}

/// Call control, where browsers ring and boxes answer.
const B2BUA: &str = "127.0.0.1:7000";

fn box_of(extension: &str) -> Target {
    Target {
        uri: Some(Bytes::from(format!("sip:**{extension}@{B2BUA}"))),
        flow: Flow::udp(B2BUA.parse().unwrap()),
        person: None,
    }
}

impl World {
    fn with_call_control(&self) -> Router<'_> {
        Router {
            b2bua: Some(B2BUA.parse().unwrap()),
            ..self.router()
        }
    }
}

#[test]
fn a_call_that_finds_none_of_the_persons_devices_goes_to_their_box() {
    let mut world = World::new(&["400-1"]);
    let router = world.with_call_control();
    assert_eq!(router.route("200", true), Route::Voicemail(box_of("200")));
    // Not a call: nothing answers for the box.
    assert!(matches!(router.route("200", false), Route::Reject(s) if s.code == 480));
    // A device name is no person's box; a number nobody has stays call control's.
    assert!(matches!(router.route("200-1", true), Route::Reject(s) if s.code == 480));
    // Without call control, as before.
    assert_eq!(world.call("200"), Err(480));
    // No-answer forwarding past people nobody can reach: the box of the last one.
    let no_answer = |target| RulesRequest {
        no_answer: on(target),
        ..RulesRequest::default()
    };
    world.bindings = bindings(&[], &[]);
    world.forwarding = forwarding(&[("200", no_answer("300")), ("300", no_answer("200"))]);
    let router = world.with_call_control();
    assert_eq!(router.route("200", true), Route::Voicemail(box_of("300")));
}

#[test]
fn a_rule_to_voicemail_sends_the_call_to_the_owners_box_and_no_further() {
    let mut world = World::new(&["200-1", "300-1", "400-1"]);
    let rules = |always, busy, no_answer| RulesRequest {
        always: RuleRequest {
            on: always,
            target: Some("voicemail"),
        },
        busy: RuleRequest {
            on: busy,
            target: Some("voicemail"),
        },
        no_answer: RuleRequest {
            on: no_answer,
            target: Some("voicemail"),
        },
        no_answer_secs: 10,
    };
    // Always: straight to the box, 200's phone does not ring.
    world.forwarding = forwarding(&[("200", rules(true, false, false))]);
    let router = world.with_call_control();
    assert_eq!(router.route("200", true), Route::Voicemail(box_of("200")));
    // Through a deputy: 300 forwards to 200, whose box answers.
    world.forwarding = forwarding(&[
        (
            "300",
            RulesRequest {
                always: on("200"),
                ..RulesRequest::default()
            },
        ),
        ("200", rules(true, false, false)),
    ]);
    let router = world.with_call_control();
    assert_eq!(router.route("300", true), Route::Voicemail(box_of("200")));
    // Without call control there is no box: nobody is reachable.
    assert_eq!(world.call("300"), Err(480));

    // Busy: in a call, straight to the box; ringing, after every device was busy.
    world.forwarding = forwarding(&[("200", rules(false, true, true))]);
    world.busy = in_calls(&[2]);
    let router = world.with_call_control();
    assert_eq!(router.route("200", true), Route::Voicemail(box_of("200")));
    world.busy = Dialogs::default();
    let router = world.with_call_control();
    let Route::Fork(ring) = router.route("200", true) else {
        panic!("200 rings first")
    };
    let routing = ring.routing.unwrap();
    assert_eq!(world.forwarding.ring_ms(Some(&routing), 60_000), 10_000);
    let mut busy = routing.clone();
    let onward = router.forward(&mut busy, Situation::Busy);
    assert_eq!(onward, Onward::Voicemail(box_of("200")));
    assert!(busy.to_voicemail());
    // At the box nothing moves the call on, and it rings no shorter than the timeout.
    assert_eq!(
        router.forward(&mut busy, Situation::NoAnswer),
        Onward::Stays
    );
    assert_eq!(world.forwarding.ring_ms(Some(&busy), 60_000), 60_000);
    let mut unanswered = routing;
    let onward = router.forward(&mut unanswered, Situation::NoAnswer);
    assert_eq!(onward, Onward::Voicemail(box_of("200")));
    // Without call control the rule leads nowhere: the call stays.
    let mut unanswered = unanswered.clone();
    assert_eq!(
        world.router().forward(&mut unanswered, Situation::NoAnswer),
        Onward::Stays
    );
}

#[test]
fn the_box_of_the_extension_a_call_rang_at_last() {
    let mut world = World::new(&["200-1", "300-1"]);
    world.forwarding = forwarding(&[(
        "200",
        RulesRequest {
            no_answer: on("300"),
            ..RulesRequest::default()
        },
    )]);
    let router = world.with_call_control();
    let Route::Fork(ring) = router.route("200", true) else {
        panic!("200 rings")
    };
    let mut routing = ring.routing.unwrap();
    assert_eq!(router.voicemail(&routing), Some(box_of("200")));
    assert_eq!(
        rung(router.forward(&mut routing, Situation::NoAnswer)),
        Ok(vec!["300-1".into()])
    );
    assert_eq!(router.voicemail(&routing), Some(box_of("300")));
    assert_eq!(world.router().voicemail(&routing), None, "no call control");
    // A MESSAGE is no call: it has no box.
    let Route::Fork(message) = router.route("200", false) else {
        panic!("200's phone gets it")
    };
    assert_eq!(router.voicemail(&message.routing.unwrap()), None);
}

#[test]
fn a_person_with_a_browser_open_is_rung_through_call_control_for_calls_only() {
    let mut world = World::new(&["200-1"]);
    world.accounts.insert(Account::browsers(5, "500"));
    world.accounts.insert(Account::browsers(2, "200"));
    // Without call control nobody rings the browsers.
    assert_eq!(world.call("500"), Err(480));
    let b2bua: std::net::SocketAddr = "127.0.0.1:7000".parse().unwrap();
    let router = Router {
        b2bua: Some(b2bua),
        ..world.router()
    };
    let Route::Fork(ring) = router.route("500", true) else {
        panic!("500 rings")
    };
    assert_eq!(ring.targets.len(), 1);
    assert_eq!(ring.targets[0].flow, Flow::udp(b2bua));
    assert_eq!(
        ring.targets[0].uri.as_deref(),
        Some(&b"sip:500@127.0.0.1:7000"[..])
    );
    // Any device: the desk phone and the browsers ring together.
    let Route::Fork(ring) = router.route("200", true) else {
        panic!("200 rings")
    };
    assert_eq!(ring.targets.len(), 2);
    // A MESSAGE is not a call: it reaches browsers through the chat, not call control.
    assert!(matches!(router.route("500", false), Route::Reject(s) if s.code == 480));
}

#[test]
fn a_number_nobody_has_goes_to_call_control_for_the_outside_line() {
    let world = World::new(&["200-1"]);
    let b2bua: std::net::SocketAddr = "127.0.0.1:7000".parse().unwrap();
    let router = Router {
        b2bua: Some(b2bua),
        ..world.router()
    };
    let Route::Fork(ring) = router.route("004930123456", true) else {
        panic!("routed")
    };
    assert_eq!(
        ring.targets[0].uri.as_deref(),
        Some(&b"sip:004930123456@127.0.0.1:7000"[..])
    );
    assert!(matches!(router.route("112", true), Route::Fork(_)));
    // Call control's own codes: one's own box, and a box to leave a message in.
    for code in ["*98", "**2501"] {
        let Route::Fork(ring) = router.route(code, true) else {
            panic!("{code} routed")
        };
        let uri = format!("sip:{code}@127.0.0.1:7000");
        assert_eq!(ring.targets[0].uri.as_deref(), Some(uri.as_bytes()));
    }
    // Names that are not numbers nor such codes, and anything but calls, stay 404.
    for name in ["nobody", "*99", "**", "**25x1", "*98*"] {
        assert!(
            matches!(router.route(name, true), Route::Reject(s) if s.code == 404),
            "{name}"
        );
    }
    assert!(matches!(router.route("*98", false), Route::Reject(s) if s.code == 404));
    assert!(matches!(router.route("004930123456", false), Route::Reject(s) if s.code == 404));
    // Without call control, as before.
    assert!(
        matches!(world.router().route("004930123456", true), Route::Reject(s) if s.code == 404)
    );
}
