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

mod common;

use bytes::Bytes;
use common::{ha1, DOMAIN};
use directory::forwarding::{ForwardingRules, RuleRequest, RulesRequest};
use directory::Extension;
use proptest::prelude::*;
use sip::digest::{Challenge, Credentials};
use sip::Method;
use std::collections::{BTreeSet, HashMap, HashSet};
use telephony::{Account, Accounts, Flow, Notice, Settings, Switch, Transport};

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

// ---------------------------------------------------------------------------------------
// The model.

#[derive(Debug, Clone)]
struct Path {
    current: usize,
    earlier: Vec<usize>,
}

#[derive(Debug, Clone)]
enum State {
    Ringing {
        /// `None` for a call to a device: never forwarded.
        path: Option<Path>,
        ringing: BTreeSet<usize>,
        /// A device answered busy since it started ringing here: the best answer so
        /// far (RFC 3261 §16.7 step 6 ranks it before 487).
        declined: bool,
        deadline: i64,
    },
    Answered {
        callee: usize,
        /// Still counted as a call (not forgotten after a day without BYE).
        counted: bool,
        until: i64,
        /// The callee's connection closed since it answered (a browser).
        callee_closed: bool,
    },
}

#[derive(Debug, Clone)]
struct Call {
    id: String,
    caller: usize,
    state: State,
}

#[derive(Debug)]
struct Model {
    now: i64,
    /// Registered until, per device.
    registered: [Option<i64>; DEVICES.len()],
    /// Whether a browser's connection is open (others are always reachable).
    connected: [bool; DEVICES.len()],
    rules: [Rules; EXTENSIONS.len()],
    /// Answered calls per person (index = extension).
    in_calls: [u32; EXTENSIONS.len()],
    calls: Vec<Call>,
    next_call: u32,
}

impl Model {
    fn new() -> Model {
        Model {
            now: T0,
            registered: [None; DEVICES.len()],
            connected: [false; DEVICES.len()],
            rules: [Rules::default(); EXTENSIONS.len()],
            in_calls: [0; EXTENSIONS.len()],
            calls: Vec::new(),
            next_call: 1,
        }
    }

    fn is_registered(&self, device: usize) -> bool {
        self.registered[device].is_some_and(|until| until > self.now)
    }

    fn online(&self, ext: usize) -> bool {
        (0..DEVICES.len()).any(|d| DEVICES[d].ext == ext && self.is_registered(d))
    }

    fn busy(&self, ext: usize) -> bool {
        self.in_calls[ext] > 0
    }

    fn registered_of(&self, ext: usize) -> BTreeSet<usize> {
        (0..DEVICES.len())
            .filter(|d| DEVICES[*d].ext == ext && self.is_registered(*d))
            .collect()
    }

    /// Unconditional forwarding, then the busy rule of a person in a call; never back
    /// to an extension the call was at.
    fn follow(&self, path: &mut Path) {
        loop {
            let rules = self.rules[path.current];
            let fresh = |to: usize, path: &Path| to != path.current && !path.earlier.contains(&to);
            let next = rules.always.filter(|t| fresh(*t, path)).or_else(|| {
                rules
                    .busy
                    .filter(|t| self.busy(path.current) && fresh(*t, path))
            });
            match next {
                Some(to) => {
                    path.earlier.push(path.current);
                    path.current = to;
                }
                None => return,
            }
        }
    }

    /// Forwards after busy answers or no answer where a rule says; `false` when the
    /// call stays.
    fn forward_after(&self, path: &mut Path, busy: bool) -> bool {
        let rules = self.rules[path.current];
        let target = match busy {
            true => rules.busy,
            false => rules.no_answer.map(|(t, _)| t),
        };
        let Some(to) = target.filter(|t| *t != path.current && !path.earlier.contains(t)) else {
            return false;
        };
        path.earlier.push(path.current);
        path.current = to;
        self.follow(path);
        true
    }

    /// Moves a ringing call on: the devices that ring now, none when it stays.
    fn forward(&self, path: &mut Path, busy: bool) -> BTreeSet<usize> {
        let mut busy = busy;
        while self.forward_after(path, busy) {
            let devices = self.registered_of(path.current);
            if !devices.is_empty() {
                return devices;
            }
            busy = false;
        }
        BTreeSet::new()
    }

    fn ring_ms(&self, path: Option<&Path>) -> i64 {
        let no_answer = path.and_then(|p| self.rules[p.current].no_answer);
        no_answer.map_or(RING_MS, |(_, secs)| (i64::from(secs) * 1000).min(RING_MS))
    }

    /// A call from `caller` to `dialled`: what it rings, or the caller's status.
    fn route(&self, dialled: &Dialled) -> Result<(Option<Path>, BTreeSet<usize>), u16> {
        let (path, devices) = match *dialled {
            Dialled::Unknown => return Err(404),
            Dialled::Device(d) => {
                let devices = match self.is_registered(d) {
                    true => BTreeSet::from([d]),
                    false => BTreeSet::new(),
                };
                (None, devices)
            }
            Dialled::Extension(ext) => {
                let mut path = Path {
                    current: ext,
                    earlier: Vec::new(),
                };
                self.follow(&mut path);
                let mut devices = self.registered_of(path.current);
                if devices.is_empty() {
                    devices = self.forward(&mut path, false);
                }
                (Some(path), devices)
            }
        };
        match devices.is_empty() {
            true => Err(480),
            false => Ok((path, devices)),
        }
    }

    /// The next moment something is due: a registration runs out, a call stops ringing,
    /// an answered call is forgotten.
    fn next_deadline(&self) -> Option<i64> {
        let registrations = self.registered.iter().flatten().copied();
        let calls = self.calls.iter().filter_map(|c| match c.state {
            State::Ringing { deadline, .. } => Some(deadline),
            State::Answered { counted, until, .. } => counted.then_some(until),
        });
        registrations.chain(calls).min()
    }

    fn ringing(&self) -> Vec<usize> {
        (0..self.calls.len())
            .filter(|i| matches!(self.calls[*i].state, State::Ringing { .. }))
            .collect()
    }

    fn answered(&self) -> Vec<usize> {
        (0..self.calls.len())
            .filter(|i| matches!(self.calls[*i].state, State::Answered { .. }))
            .collect()
    }
}

fn pick(list: &[usize], n: usize) -> Option<usize> {
    (!list.is_empty()).then(|| list[n % list.len()])
}

// ---------------------------------------------------------------------------------------
// The phones.

struct Phones {
    s: Switch,
    now: i64,
    /// Whether each device's connection is open (what it is sent it hears).
    connected: [bool; DEVICES.len()],
    /// The INVITE each device got, by call.
    invites: HashMap<(String, usize), String>,
    /// The latest challenge each device (as caller or registrar client) got.
    challenges: HashMap<usize, Challenge>,
    /// The 200 each call's caller got.
    oks: HashMap<String, String>,
    /// How each call was dialled, for the caller's ACKs.
    dialled: HashMap<String, String>,
    cseq: [u32; DEVICES.len()],
    seen: HashSet<(Flow, Bytes)>,
    events: Vec<Ev>,
    notices: Vec<Notice>,
    saves: bool,
}

fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.lines().find_map(|l| l.strip_prefix(name))
}

fn headers<'a>(message: &'a str, name: &str) -> Vec<&'a str> {
    message
        .lines()
        .filter_map(|l| l.strip_prefix(name))
        .collect()
}

fn code_of(message: &str) -> u16 {
    message[8..11].parse().unwrap()
}

fn cseq_method(message: &str) -> &str {
    header(message, "CSeq: ")
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
}

impl Phones {
    fn new() -> Phones {
        let accounts = Accounts::new(DEVICES.iter().enumerate().map(|(i, d)| Account {
            device_id: i as i64 + 1,
            person_id: person(d.ext),
            sip_username: d.user.to_owned(),
            extension: EXTENSIONS[d.ext].to_owned(),
            ha1_md5: ha1(d.user).into(),
            ha1_sha256: telephony::accounts::Ha1::NONE,
            enabled: true,
        }));
        let mut settings = Settings::new(DOMAIN, "192.0.2.1:5060".parse().unwrap());
        settings.ring_timeout_ms = RING_MS;
        let key = sip::digest::NonceKey::new(vec![3; 32]);
        Phones {
            s: Switch::new(settings, accounts, key, 11),
            now: T0,
            connected: [true, true, true, false],
            invites: HashMap::new(),
            challenges: HashMap::new(),
            oks: HashMap::new(),
            dialled: HashMap::new(),
            cseq: [0; DEVICES.len()],
            seen: HashSet::new(),
            events: Vec::new(),
            notices: Vec::new(),
            saves: true,
        }
    }

    /// Device `d` sends `text`.
    fn send(&mut self, d: usize, text: String) {
        if DEVICES[d].ws {
            self.connected[d] = true; // a browser that sends has its connection open
        }
        let flow = DEVICES[d].flow();
        self.s
            .handle_datagram(self.now, flow, Bytes::from(text))
            .unwrap();
        self.pump();
    }

    /// Plays the phones until nothing more is sent.
    fn pump(&mut self) {
        loop {
            while let Some(notice) = self.s.poll_notice() {
                match notice {
                    Notice::Save { ticket, .. } => {
                        self.s.handle_saved(self.now, ticket, self.saves);
                    }
                    Notice::Expired { .. } => {}
                    other => self.notices.push(other),
                }
            }
            let Some(t) = self.s.poll_transmit() else {
                return;
            };
            // A retransmission (the phones answered late) is not news.
            if !self.seen.insert((t.peer, t.data.clone())) {
                continue;
            }
            let text = String::from_utf8(t.data.to_vec()).unwrap();
            let d = device_at(t.peer).unwrap_or_else(|| panic!("sent to a stranger: {text}"));
            self.hear(d, &text);
        }
    }

    /// Device `d` hears `text` and answers like a phone.
    fn hear(&mut self, d: usize, text: &str) {
        let call = header(text, "Call-ID: ").unwrap().to_owned();
        if text.starts_with("SIP/2.0 ") {
            let code = code_of(text);
            match (cseq_method(text), code) {
                (_, 100..=199) => {}
                ("REGISTER", 401) | ("INVITE", 407) => {
                    let name = if code == 401 {
                        "WWW-Authenticate: "
                    } else {
                        "Proxy-Authenticate: "
                    };
                    let md5 = headers(text, name).into_iter().find(|v| v.contains("MD5"));
                    let challenge =
                        Challenge::parse(&Bytes::from(md5.unwrap().to_owned())).unwrap();
                    self.challenges.insert(d, challenge);
                    if code == 407 {
                        self.ack_failure(d, text);
                    }
                }
                ("REGISTER", _) => self.events.push(Ev::Registered { device: d, code }),
                ("INVITE", 200..=299) => {
                    self.events.push(Ev::Final {
                        call: call.clone(),
                        code,
                    });
                    self.oks.insert(call.clone(), text.to_owned());
                    self.ack_ok(d, &call, text);
                }
                ("INVITE", _) => {
                    self.events.push(Ev::Final { call, code });
                    self.ack_failure(d, text);
                }
                ("BYE", _) => self.events.push(Ev::ByeAnswered { call, code }),
                ("CANCEL", 200) => {}
                _ => panic!("unexpected answer to {d}: {text}"),
            }
            return;
        }
        let method = text.split(' ').next().unwrap();
        let listening = self.connected[d];
        match method {
            "INVITE" => {
                self.events.push(Ev::Rang {
                    call: call.clone(),
                    device: d,
                });
                self.invites.insert((call, d), text.to_owned());
                if listening {
                    self.answer(d, text, 180);
                }
            }
            "CANCEL" => {
                self.events.push(Ev::Cancelled {
                    call: call.clone(),
                    device: d,
                });
                if listening {
                    self.answer(d, text, 200);
                    if let Some(invite) = self.invites.get(&(call, d)).cloned() {
                        self.answer(d, &invite, 487);
                    }
                }
            }
            // The forwarded ACK of a 200 carries the caller's Via under ours; the one our
            // client transaction sends for a failure only ours.
            "ACK" if headers(text, "Via: ").len() > 1 => {
                self.events.push(Ev::Acked { call, device: d });
            }
            "ACK" => {}
            "BYE" => {
                self.events.push(Ev::Bye { call, device: d });
                if listening {
                    self.answer(d, text, 200);
                }
            }
            _ => panic!("unexpected request to {d}: {text}"),
        }
    }

    /// Device `d` answers `request` with `code` (a 2xx or 18x to an INVITE with its tag,
    /// Contact and the Record-Route copied, RFC 3261 §12.1.1).
    fn answer(&mut self, d: usize, request: &str, code: u16) {
        let dialog = request.starts_with("INVITE ") && code > 100;
        let mut out = format!("SIP/2.0 {code} Reason\r\n");
        for name in [
            "Via: ",
            "Record-Route: ",
            "From: ",
            "To: ",
            "Call-ID: ",
            "CSeq: ",
        ] {
            if name == "Record-Route: " && !dialog {
                continue;
            }
            for value in headers(request, name) {
                let tag = if name == "To: " && dialog {
                    format!(";tag=t{d}")
                } else {
                    String::new()
                };
                out.push_str(&format!("{name}{value}{tag}\r\n"));
            }
        }
        if dialog {
            out.push_str(&format!("Contact: <{}>\r\n", DEVICES[d].contact(d)));
        }
        out.push_str("Content-Length: 0\r\n\r\n");
        self.send(d, out);
    }

    /// The caller ACKs a failure: the INVITE's branch, the response's To (§17.1.1.3).
    fn ack_failure(&mut self, d: usize, response: &str) {
        let call = header(response, "Call-ID: ").unwrap();
        let dialled = &self.dialled[call];
        let cseq: u32 = header(response, "CSeq: ")
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let text = format!(
            "ACK sip:{dialled}@{DOMAIN} SIP/2.0\r\nVia: {}\r\nMax-Forwards: 70\r\n\
             From: {}\r\nTo: {}\r\nCall-ID: {call}\r\nCSeq: {cseq} ACK\r\nContent-Length: 0\r\n\r\n",
            DEVICES[d].via(d, &format!("{call}-{cseq}")),
            header(response, "From: ").unwrap(),
            header(response, "To: ").unwrap(),
        );
        self.send(d, text);
    }

    /// A request of the caller in the dialog its 200 `ok` made (route set from its
    /// Record-Route, RFC 3261 §12.1.2).
    fn in_dialog(&self, d: usize, method: &str, call: &str, cseq: u32, ok: &str) -> String {
        let target = header(ok, "Contact: ").unwrap().trim_matches(['<', '>']);
        let routes: String = headers(ok, "Record-Route: ")
            .iter()
            .rev()
            .map(|r| format!("Route: {r}\r\n"))
            .collect();
        format!(
            "{method} {target} SIP/2.0\r\nVia: {}\r\n{routes}Max-Forwards: 70\r\n\
             From: {}\r\nTo: {}\r\nCall-ID: {call}\r\nCSeq: {cseq} {method}\r\n\
             Content-Length: 0\r\n\r\n",
            DEVICES[d].via(d, &format!("{call}-{method}")),
            header(ok, "From: ").unwrap(),
            header(ok, "To: ").unwrap(),
        )
    }

    fn ack_ok(&mut self, d: usize, call: &str, ok: &str) {
        let ack = self.in_dialog(d, "ACK", call, 2, ok);
        self.send(d, ack);
    }

    fn register(&mut self, d: usize, expires: i64, saved: bool) {
        let device = &DEVICES[d];
        let request = |cseq: u32, auth: &str| {
            format!(
                "REGISTER sip:{DOMAIN} SIP/2.0\r\nVia: {}\r\nMax-Forwards: 70\r\n\
                 From: <sip:{user}@{DOMAIN}>;tag=r{d}\r\nTo: <sip:{user}@{DOMAIN}>\r\n\
                 Call-ID: reg-{d}\r\nCSeq: {cseq} REGISTER\r\nContact: <{}>;expires={expires}\r\n\
                 {auth}Content-Length: 0\r\n\r\n",
                device.via(d, &format!("reg{d}-{cseq}")),
                device.contact(d),
                user = device.user,
            )
        };
        self.cseq[d] += 1;
        self.send(d, request(self.cseq[d], ""));
        let challenge = self.challenges.remove(&d).expect("401");
        let uri = format!("sip:{DOMAIN}");
        let answer = Credentials::answer(
            &challenge,
            device.user,
            &uri,
            "c",
            1,
            &Method::Register,
            &ha1(device.user),
        );
        self.cseq[d] += 1;
        self.saves = saved;
        self.send(
            d,
            request(self.cseq[d], &format!("Authorization: {answer}\r\n")),
        );
        self.saves = true;
    }

    fn call(&mut self, d: usize, call: &str, dialled: &str) {
        self.dialled.insert(call.to_owned(), dialled.to_owned());
        let device = &DEVICES[d];
        let invite = |cseq: u32, auth: &str| {
            format!(
                "INVITE sip:{dialled}@{DOMAIN} SIP/2.0\r\nVia: {}\r\nMax-Forwards: 70\r\n\
                 From: <sip:{user}@{DOMAIN}>;tag=f{call}\r\nTo: <sip:{dialled}@{DOMAIN}>\r\n\
                 Call-ID: {call}\r\nCSeq: {cseq} INVITE\r\nContact: <{}>\r\n{auth}\
                 Content-Length: 0\r\n\r\n",
                device.via(d, &format!("{call}-{cseq}")),
                device.contact(d),
                user = device.user,
            )
        };
        self.send(d, invite(1, ""));
        let challenge = self.challenges.remove(&d).expect("407");
        let uri = format!("sip:{dialled}@{DOMAIN}");
        let answer = Credentials::answer(
            &challenge,
            device.user,
            &uri,
            "c",
            1,
            &Method::Invite,
            &ha1(device.user),
        );
        self.send(d, invite(2, &format!("Proxy-Authorization: {answer}\r\n")));
    }

    fn hang_up(&mut self, d: usize, call: &str) {
        let ok = self.oks[call].clone();
        let bye = self.in_dialog(d, "BYE", call, 3, &ok);
        self.send(d, bye);
    }

    fn take(&mut self) -> (Vec<Ev>, Vec<Notice>) {
        let mut events = std::mem::take(&mut self.events);
        events.sort();
        (events, std::mem::take(&mut self.notices))
    }
}

// ---------------------------------------------------------------------------------------
// One step: the op on both, what the model expects.

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
            // registered over since.
            let reachable = !callee_closed || model.is_registered(callee);
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

impl Model {
    fn connected_or_udp(&self, device: usize) -> bool {
        !DEVICES[device].ws || self.connected[device]
    }

    fn answer(&mut self, index: usize, callee: usize, expect: &mut Vec<Ev>) {
        let call = &mut self.calls[index];
        let State::Ringing { ringing, .. } = &call.state else {
            unreachable!()
        };
        for &other in ringing.iter().filter(|d| **d != callee) {
            expect.push(Ev::Cancelled {
                call: call.id.clone(),
                device: other,
            });
        }
        expect.push(Ev::Final {
            call: call.id.clone(),
            code: 200,
        });
        expect.push(Ev::Acked {
            call: call.id.clone(),
            device: callee,
        });
        call.state = State::Answered {
            callee,
            counted: true,
            until: self.now + DAY_MS,
            callee_closed: false,
        };
        let caller = call.caller;
        self.in_calls[DEVICES[caller].ext] += 1;
        self.in_calls[DEVICES[callee].ext] += 1;
    }

    fn decline(&mut self, index: usize, callee: usize, expect: &mut Vec<Ev>) {
        let now = self.now;
        let mut call = self.calls[index].clone();
        let State::Ringing {
            path,
            ringing,
            declined,
            deadline,
        } = &mut call.state
        else {
            unreachable!()
        };
        ringing.remove(&callee);
        *declined = true;
        if !ringing.is_empty() {
            self.calls[index] = call;
            return;
        }
        // Every device said busy: busy forwarding, else the caller hears 486.
        let moved = match path.as_mut() {
            Some(path) => self.forward(path, true),
            None => BTreeSet::new(),
        };
        if moved.is_empty() {
            expect.push(Ev::Final {
                call: call.id.clone(),
                code: 486,
            });
            self.calls.remove(index);
            return;
        }
        for &device in &moved {
            expect.push(Ev::Rang {
                call: call.id.clone(),
                device,
            });
        }
        *deadline = now + self.ring_ms(path.as_ref());
        *ringing = moved;
        *declined = false;
        self.calls[index] = call;
    }

    /// What is due at `now`, in the switch's order: registrations run out, then calls
    /// stop ringing (in the order they started), then answered calls a day old are
    /// forgotten.
    fn fire(&mut self, expect: &mut Vec<Ev>) {
        let now = self.now;
        for until in self.registered.iter_mut() {
            if until.is_some_and(|u| u <= now) {
                *until = None;
            }
        }
        let mut index = 0;
        while index < self.calls.len() {
            let mut call = self.calls[index].clone();
            let State::Ringing {
                path,
                ringing,
                declined,
                deadline,
            } = &mut call.state
            else {
                index += 1;
                continue;
            };
            if *deadline > now {
                index += 1;
                continue;
            }
            for &device in ringing.iter() {
                expect.push(Ev::Cancelled {
                    call: call.id.clone(),
                    device,
                });
            }
            let moved = match path.as_mut() {
                Some(path) => self.forward(path, false),
                None => BTreeSet::new(),
            };
            if moved.is_empty() {
                expect.push(Ev::Final {
                    call: call.id.clone(),
                    code: 480,
                });
                self.calls.remove(index);
                continue;
            }
            for &device in &moved {
                expect.push(Ev::Rang {
                    call: call.id.clone(),
                    device,
                });
            }
            *deadline = now + self.ring_ms(path.as_ref());
            *ringing = moved;
            *declined = false;
            self.calls[index] = call;
            index += 1;
        }
        for call in &mut self.calls {
            if let State::Answered {
                counted,
                until,
                callee,
                ..
            } = &mut call.state
            {
                if *counted && *until <= now {
                    *counted = false;
                    self.in_calls[DEVICES[call.caller].ext] -= 1;
                    self.in_calls[DEVICES[*callee].ext] -= 1;
                }
            }
        }
    }
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
    #![proptest_config(ProptestConfig::with_cases(256))]

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
