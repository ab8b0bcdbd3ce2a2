//! Random sequences of registrations, unregistrations, calls (INVITE, answer, busy,
//! CANCEL, BYE), forwarding changes, closed connections and time passing, against a small
//! model of the switch written from `docs/switch.md`: after every step the switch's
//! messages and notices must agree with the model — which devices a call rings, what
//! the caller hears (404, 480, 486, 487, or the 200), whom answers, CANCELs and BYEs
//! reach, which people have a registered device or are in a call — and the switch must
//! wake the shell no later than the model's next deadline.
//!
//! The phones are played by the test: every INVITE is answered 180 at once, every
//! CANCEL 200 and then 487, every BYE 200; callers ACK every final answer. A device on a
//! WebSocket connection hears nothing once the connection is closed, until it connects
//! and registers again.

#[path = "../common/mod.rs"]
mod common;
mod model;
mod phones;

use common::DOMAIN;
use directory::forwarding::{ForwardingRules, RuleRequest, RulesRequest};
use directory::Extension;
use model::{pick, Call, Model, State};
use phones::Phones;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use std::collections::HashMap;
use telephony::{Flow, Notice, Transport};

const T0: i64 = 1_767_225_600_000;
const RING_MS: i64 = 45_000;
const REGISTER_SECS: i64 = 90;
const DAY_MS: i64 = 24 * 3600 * 1000;
const EXTENSIONS: [&str; 3] = ["100", "200", "300"];

/// A device: its SIP user name, its person's extension (index), where it is, and
/// whether it is a browser on a WebSocket connection.
struct Device {
    user: &'static str,
    ext: usize,
    at: &'static str,
    ws: bool,
}

/// Person `ext + 1` has extension `EXTENSIONS[ext]`; 200 has a desk phone and a
/// softphone, 300 only a browser.
const DEVICES: [Device; 4] = [
    Device {
        user: "100-1",
        ext: 0,
        at: "10.0.0.1:5060",
        ws: false,
    },
    Device {
        user: "200-1",
        ext: 1,
        at: "10.0.0.2:5060",
        ws: false,
    },
    Device {
        user: "200-2",
        ext: 1,
        at: "10.0.0.3:5062",
        ws: false,
    },
    Device {
        user: "300-1",
        ext: 2,
        at: "10.0.0.4:40000",
        ws: true,
    },
];
/// Devices that place calls (the browser only answers).
const CALLERS: usize = 3;

fn person(ext: usize) -> i64 {
    ext as i64 + 1
}

impl Device {
    fn flow(&self) -> Flow {
        let transport = if self.ws {
            Transport::Ws
        } else {
            Transport::Udp
        };
        Flow::new(transport, self.at.parse().unwrap())
    }

    fn host(&self, index: usize) -> String {
        if self.ws {
            format!("d{index}.invalid")
        } else {
            self.at.to_owned()
        }
    }

    fn contact(&self, index: usize) -> String {
        match self.ws {
            true => format!("sip:{}@d{index}.invalid;transport=ws", self.user),
            false => format!("sip:{}@{}", self.user, self.at),
        }
    }

    fn via(&self, index: usize, branch: &str) -> String {
        let t = if self.ws { "WS" } else { "UDP" };
        format!("SIP/2.0/{t} {};branch=z9hG4bK{branch}", self.host(index))
    }
}

fn device_at(flow: Flow) -> Option<usize> {
    DEVICES.iter().position(|d| d.flow() == flow)
}

/// A forwarding rule set for one extension, targets by extension index.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Rules {
    always: Option<usize>,
    busy: Option<usize>,
    no_answer: Option<(usize, u32)>,
}

#[derive(Debug, Clone)]
enum Dialled {
    Extension(usize),
    Device(usize),
    Unknown,
}

#[derive(Debug, Clone)]
enum Op {
    Register {
        device: usize,
        saved: bool,
    },
    Unregister {
        device: usize,
    },
    Close {
        device: usize,
    },
    Call {
        caller: usize,
        dialled: Dialled,
    },
    /// The n-th ringing call, answered at the n-th device of it that can answer.
    Answer {
        call: usize,
        device: usize,
    },
    Decline {
        call: usize,
        device: usize,
    },
    Cancel {
        call: usize,
    },
    /// The caller of the n-th answered call hangs up.
    Hangup {
        call: usize,
    },
    Forward {
        ext: usize,
        rules: Rules,
    },
    Advance(i64),
}

fn rules(ext: usize) -> impl Strategy<Value = Rules> {
    let other =
        move || (1usize..EXTENSIONS.len()).prop_map(move |shift| (ext + shift) % EXTENSIONS.len());
    (
        prop::option::weighted(0.3, other()),
        prop::option::weighted(0.4, other()),
        prop::option::weighted(0.4, (other(), prop::sample::select(vec![5u32, 20, 60]))),
    )
        .prop_map(|(always, busy, no_answer)| Rules {
            always,
            busy,
            no_answer,
        })
}

fn op() -> impl Strategy<Value = Op> {
    let dialled = prop_oneof![
        6 => (0..EXTENSIONS.len()).prop_map(Dialled::Extension),
        1 => (0..DEVICES.len()).prop_map(Dialled::Device),
        1 => Just(Dialled::Unknown),
    ];
    prop_oneof![
        6 => (0..DEVICES.len(), prop::bool::weighted(0.9))
            .prop_map(|(device, saved)| Op::Register { device, saved }),
        1 => (0..DEVICES.len()).prop_map(|device| Op::Unregister { device }),
        1 => (0..DEVICES.len()).prop_map(|device| Op::Close { device }),
        6 => (0..CALLERS, dialled).prop_map(|(caller, dialled)| Op::Call { caller, dialled }),
        3 => (0usize..8, 0usize..4).prop_map(|(call, device)| Op::Answer { call, device }),
        3 => (0usize..8, 0usize..4).prop_map(|(call, device)| Op::Decline { call, device }),
        1 => (0usize..8).prop_map(|call| Op::Cancel { call }),
        2 => (0usize..8).prop_map(|call| Op::Hangup { call }),
        2 => (0..EXTENSIONS.len())
            .prop_flat_map(|ext| rules(ext).prop_map(move |rules| Op::Forward { ext, rules })),
        4 => prop_oneof![
            4 => 0i64..10_000,
            3 => 10_000i64..100_000,
            1 => Just(DAY_MS),
        ]
        .prop_map(Op::Advance),
    ]
}

/// What the switch did that the model predicts, as the phones see it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    /// An INVITE of the call reached the device.
    Rang { call: String, device: usize },
    /// A CANCEL of the call reached the device.
    Cancelled { call: String, device: usize },
    /// The caller heard this final answer (its 200 included).
    Final { call: String, code: u16 },
    /// The caller's ACK of the 200 reached the device that answered.
    Acked { call: String, device: usize },
    /// The caller's BYE reached the device.
    Bye { call: String, device: usize },
    /// The caller heard this answer to its BYE.
    ByeAnswered { call: String, code: u16 },
    /// The device heard this final answer to its signed REGISTER.
    Registered { device: usize, code: u16 },
}

/// What a step should show besides its events: nothing; the notices are checked
/// against the model's state after the step (see `check`).
fn apply(phones: &mut Phones, model: &mut Model, op: &Op) -> Vec<Ev> {
    let mut expect = Vec::new();
    match *op {
        Op::Register { device, saved } => {
            phones.register(device, REGISTER_SECS, saved);
            if DEVICES[device].ws {
                model.connected[device] = true;
            }
            model.registered[device] = saved.then_some(model.now + REGISTER_SECS * 1000);
            let code = if saved { 200 } else { 500 };
            expect.push(Ev::Registered { device, code });
        }
        Op::Unregister { device } => {
            phones.register(device, 0, true);
            if DEVICES[device].ws {
                model.connected[device] = true;
            }
            model.registered[device] = None;
            expect.push(Ev::Registered { device, code: 200 });
        }
        Op::Close { device } => {
            phones.connected[device] = !DEVICES[device].ws;
            phones.s.handle_closed(phones.now, DEVICES[device].flow());
            phones.pump();
            if DEVICES[device].ws {
                model.connected[device] = false;
                model.noted[device] = false;
                model.registered[device] = None;
                for call in &mut model.calls {
                    if let State::Answered {
                        callee,
                        callee_closed,
                        ..
                    } = &mut call.state
                    {
                        if *callee == device {
                            *callee_closed = true;
                        }
                    }
                }
            }
        }
        Op::Call {
            caller,
            ref dialled,
        } => {
            let id = format!("c{}", model.next_call);
            model.next_call += 1;
            let name = match *dialled {
                Dialled::Extension(ext) => EXTENSIONS[ext].to_owned(),
                Dialled::Device(d) => DEVICES[d].user.to_owned(),
                Dialled::Unknown => "999".to_owned(),
            };
            phones.call(caller, &id, &name);
            match model.route(dialled) {
                Err(code) => expect.push(Ev::Final { call: id, code }),
                Ok((path, devices)) => {
                    if DEVICES[caller].ws && model.connected[caller] {
                        model.noted[caller] = true;
                    }
                    for &device in &devices {
                        expect.push(Ev::Rang {
                            call: id.clone(),
                            device,
                        });
                    }
                    let deadline = model.now + model.ring_ms(path.as_ref());
                    let state = State::Ringing {
                        path,
                        ringing: devices,
                        declined: false,
                        deadline,
                    };
                    model.calls.push(Call { id, caller, state });
                }
            }
        }
        Op::Answer { call, device } | Op::Decline { call, device } => {
            let answer = matches!(op, Op::Answer { .. });
            let Some(index) = pick(&model.ringing(), call) else {
                return expect;
            };
            let call = model.calls[index].clone();
            let State::Ringing { ringing, .. } = &call.state else {
                unreachable!()
            };
            let able: Vec<usize> = ringing
                .iter()
                .copied()
                .filter(|d| model.connected_or_udp(*d))
                .collect();
            let Some(callee) = pick(&able, device) else {
                return expect;
            };
            let invite = phones.invites[&(call.id.clone(), callee)].clone();
            phones.answer(callee, &invite, if answer { 200 } else { 486 });
            if answer {
                model.answer(index, callee, &mut expect);
            } else {
                model.decline(index, callee, &mut expect);
            }
        }
        Op::Cancel { call } => {
            let Some(index) = pick(&model.ringing(), call) else {
                return expect;
            };
            let call = model.calls.remove(index);
            let State::Ringing {
                ringing, declined, ..
            } = call.state
            else {
                unreachable!()
            };
            let d = DEVICES[call.caller].via(call.caller, &format!("{}-2", call.id));
            let cancel = format!(
                "CANCEL sip:{}@{DOMAIN} SIP/2.0\r\nVia: {d}\r\nMax-Forwards: 70\r\n\
                 From: <sip:{}@{DOMAIN}>;tag=f{id}\r\nTo: <sip:{}@{DOMAIN}>\r\n\
                 Call-ID: {id}\r\nCSeq: 2 CANCEL\r\nContent-Length: 0\r\n\r\n",
                phones.dialled[&call.id],
                DEVICES[call.caller].user,
                phones.dialled[&call.id],
                id = call.id,
            );
            phones.send(call.caller, cancel);
            for device in ringing {
                expect.push(Ev::Cancelled {
                    call: call.id.clone(),
                    device,
                });
            }
            // The best answer: a device's busy before the 487 of the cancelled ones.
            let code = if declined { 486 } else { 487 };
            expect.push(Ev::Final {
                call: call.id,
                code,
            });
        }
        Op::Hangup { call } => {
            let Some(index) = pick(&model.answered(), call) else {
                return expect;
            };
            let call = model.calls.remove(index);
            let State::Answered {
                callee,
                counted,
                callee_closed,
                ..
            } = call.state
            else {
                unreachable!()
            };
            phones.hang_up(call.caller, &call.id);
            if counted {
                model.in_calls[DEVICES[call.caller].ext] -= 1;
                model.in_calls[DEVICES[callee].ext] -= 1;
            }
            // A browser is reached over the connection it answered on, or the one it
            // registered over since, or the one a later call of its came over.
            let reachable = !callee_closed || model.is_registered(callee) || model.noted[callee];
            if reachable {
                expect.push(Ev::Bye {
                    call: call.id.clone(),
                    device: callee,
                });
                expect.push(Ev::ByeAnswered {
                    call: call.id,
                    code: 200,
                });
            } else {
                expect.push(Ev::ByeAnswered {
                    call: call.id,
                    code: 404,
                });
            }
        }
        Op::Forward { ext, rules } => {
            model.rules[ext] = rules;
            phones.s.set_forwarding(forwarding_table(&model.rules));
        }
        Op::Advance(ms) => {
            let until = model.now + ms;
            while let Some(at) = model.next_deadline().filter(|at| *at <= until) {
                let woken = phones.s.poll_timeout();
                assert!(
                    woken.is_some_and(|w| w <= at),
                    "the switch would sleep until {woken:?}, but {at} is due"
                );
                model.now = at;
                phones.now = at;
                phones.s.handle_timeout(at);
                phones.pump();
                model.fire(&mut expect);
            }
            model.now = until;
            phones.now = until;
            phones.s.handle_timeout(until);
            phones.pump();
        }
    }
    expect.sort();
    expect
}

fn forwarding_table(rules: &[Rules; EXTENSIONS.len()]) -> HashMap<Extension, ForwardingRules> {
    let on = |target: Option<usize>| RuleRequest {
        on: target.is_some(),
        target: target.map(|t| EXTENSIONS[t]),
    };
    rules
        .iter()
        .enumerate()
        .map(|(ext, r)| {
            let own = Extension::parse(EXTENSIONS[ext]).unwrap();
            let request = RulesRequest {
                always: on(r.always),
                busy: on(r.busy),
                no_answer: on(r.no_answer.map(|(t, _)| t)),
                no_answer_secs: r.no_answer.map_or(20, |(_, secs)| i64::from(secs)),
            };
            let rules = ForwardingRules::validate(&request, &own, |_| true).unwrap();
            (own, rules)
        })
        .collect()
}

/// The notices of a step against the model: each person's registered devices and calls
/// are announced when they change, and what was last announced is what the model has.
fn check_notices(
    notices: &[Notice],
    model: &Model,
    online: &mut [bool; EXTENSIONS.len()],
    in_call: &mut [bool; EXTENSIONS.len()],
) -> Result<(), TestCaseError> {
    for notice in notices {
        match *notice {
            Notice::Devices {
                person_id,
                online: now,
            } => {
                let ext = (person_id - 1) as usize;
                prop_assert_ne!(online[ext], now, "repeated {:?}", notice);
                online[ext] = now;
            }
            Notice::Call { person_id, active } => {
                let ext = (person_id - 1) as usize;
                prop_assert_ne!(in_call[ext], active, "repeated {:?}", notice);
                in_call[ext] = active;
            }
            ref other => prop_assert!(false, "unexpected {:?}", other),
        }
    }
    for ext in 0..EXTENSIONS.len() {
        prop_assert_eq!(
            online[ext],
            model.online(ext),
            "online of {}",
            EXTENSIONS[ext]
        );
        prop_assert_eq!(
            in_call[ext],
            model.busy(ext),
            "in a call: {}",
            EXTENSIONS[ext]
        );
    }
    Ok(())
}

proptest! {
    // The seeds of earlier failures, replayed first (cargo runs tests in the crate's
    // folder).
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/switch_model/regressions.txt",
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_sequences_agree_with_the_model(ops in prop::collection::vec(op(), 1..60)) {
        let mut phones = Phones::new();
        let mut model = Model::new();
        let mut online = [false; EXTENSIONS.len()];
        let mut in_call = [false; EXTENSIONS.len()];
        for op in &ops {
            let expect = apply(&mut phones, &mut model, op);
            let (events, notices) = phones.take();
            prop_assert_eq!(events, expect, "after {:?}", op);
            check_notices(&notices, &model, &mut online, &mut in_call)?;
            let registered = (0..DEVICES.len()).filter(|d| model.is_registered(*d)).count();
            prop_assert_eq!(phones.s.registrations(), registered);
            prop_assert_eq!(phones.s.proxying(), model.ringing().len(), "calls ringing");
            if let Some(at) = model.next_deadline() {
                let woken = phones.s.poll_timeout();
                prop_assert!(woken.is_some_and(|w| w <= at), "asleep until {:?}, {} due", woken, at);
            }
        }
    }
}
