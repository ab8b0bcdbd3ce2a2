//! The phones, played by the test: they register, call, answer and hang up when an op
//! says, and on their own answer every INVITE with 180, every CANCEL with 200 and 487,
//! every BYE with 200, and ACK every final answer. What reaches them is recorded as
//! [`Ev`]ents for the comparison with the model.

use crate::common::{ha1, DOMAIN};
use crate::{device_at, person, Ev, DEVICES, EXTENSIONS, RING_MS, T0};
use bytes::Bytes;
use sip::digest::{Challenge, Credentials};
use sip::Method;
use std::collections::{HashMap, HashSet};
use telephony::{Account, Accounts, Flow, Notice, Settings, Switch};

pub(crate) struct Phones {
    pub(crate) s: Switch,
    pub(crate) now: i64,
    /// Whether each device's connection is open (what it is sent it hears).
    pub(crate) connected: [bool; DEVICES.len()],
    /// The INVITE each device got, by call.
    pub(crate) invites: HashMap<(String, usize), String>,
    /// The latest challenge each device (as caller or registrar client) got.
    pub(crate) challenges: HashMap<usize, Challenge>,
    /// The 200 each call's caller got.
    pub(crate) oks: HashMap<String, String>,
    /// How each call was dialled, for the caller's ACKs.
    pub(crate) dialled: HashMap<String, String>,
    pub(crate) cseq: [u32; DEVICES.len()],
    pub(crate) seen: HashSet<(Flow, Bytes)>,
    pub(crate) events: Vec<Ev>,
    pub(crate) notices: Vec<Notice>,
    pub(crate) saves: bool,
}

pub(crate) fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message.lines().find_map(|l| l.strip_prefix(name))
}

pub(crate) fn headers<'a>(message: &'a str, name: &str) -> Vec<&'a str> {
    message
        .lines()
        .filter_map(|l| l.strip_prefix(name))
        .collect()
}

pub(crate) fn code_of(message: &str) -> u16 {
    message[8..11].parse().unwrap()
}

pub(crate) fn cseq_method(message: &str) -> &str {
    header(message, "CSeq: ")
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
}

impl Phones {
    pub(crate) fn new() -> Phones {
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
    pub(crate) fn send(&mut self, d: usize, text: String) {
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
    pub(crate) fn pump(&mut self) {
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
    pub(crate) fn hear(&mut self, d: usize, text: &str) {
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
    pub(crate) fn answer(&mut self, d: usize, request: &str, code: u16) {
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
    pub(crate) fn ack_failure(&mut self, d: usize, response: &str) {
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
    pub(crate) fn in_dialog(
        &self,
        d: usize,
        method: &str,
        call: &str,
        cseq: u32,
        ok: &str,
    ) -> String {
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

    pub(crate) fn ack_ok(&mut self, d: usize, call: &str, ok: &str) {
        let ack = self.in_dialog(d, "ACK", call, 2, ok);
        self.send(d, ack);
    }

    pub(crate) fn register(&mut self, d: usize, expires: i64, saved: bool) {
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

    pub(crate) fn call(&mut self, d: usize, call: &str, dialled: &str) {
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

    pub(crate) fn hang_up(&mut self, d: usize, call: &str) {
        let ok = self.oks[call].clone();
        let bye = self.in_dialog(d, "BYE", call, 3, &ok);
        self.send(d, bye);
    }

    pub(crate) fn take(&mut self) -> (Vec<Ev>, Vec<Notice>) {
        let mut events = std::mem::take(&mut self.events);
        events.sort();
        (events, std::mem::take(&mut self.notices))
    }
}
