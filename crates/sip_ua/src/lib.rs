//! A SIP test phone, sans-IO, built on `sip::transaction::Transactions` (RFC 3261 §17)
//! and `sip::dialog` (§12–§15): it registers (answering the 401 with digest
//! credentials), calls (answering the 407, acknowledging the 2xx with the dialog's ACK;
//! the transaction layer acknowledges a non-2xx itself), answers or rejects incoming
//! calls (180, then 200 with SDP, and takes the ACK), changes a call with a re-INVITE
//! (hold), and hangs up or answers the peer's BYE.
//!
//! One outbound proxy takes everything the phone sends (the server under test); the
//! phone has one account. Tests drive it with the vocabulary of every Durchwahl core:
//! `handle_datagram(now, from, bytes)` and `handle_timeout(now)` in, commands
//! ([`SipPhone::register`], [`SipPhone::call`], [`SipPhone::answer`]…), then drain
//! [`SipPhone::poll_transmit`] and [`SipPhone::poll_event`], and wake it at
//! [`SipPhone::poll_timeout`]. `now` is in milliseconds. [`udp::UdpPhone`] does this
//! on a UDP socket with the real clock.
//!
//! Two phones that reach each other directly (each one the other's "proxy"):
//! ```
//! use sip_ua::{Account, PhoneEvent, SipPhone};
//! use sip_ua::sdp::Sdp;
//! let (at_a, at_b) = ("127.0.0.1:5061".parse().unwrap(), "127.0.0.1:5062".parse().unwrap());
//! let account = |user: &str| Account::new(user, "secret", "pbx.example");
//! let mut alice = SipPhone::new(account("alice"), at_a, at_b, 1);
//! let mut bob = SipPhone::new(account("bob"), at_b, at_a, 2);
//! // What one phone sends, the other receives (until both are quiet).
//! fn deliver(now: i64, from: &mut SipPhone, to: &mut SipPhone) -> bool {
//!     let mut any = false;
//!     while let Some(t) = from.poll_transmit() {
//!         to.handle_datagram(now, from.local(), t.data);
//!         any = true;
//!     }
//!     any
//! }
//! fn wire(now: i64, a: &mut SipPhone, b: &mut SipPhone) {
//!     while deliver(now, a, b) | deliver(now, b, a) {}
//! }
//! let call = alice.call(0, "bob", &Sdp::offer(at_a).to_string());
//! wire(0, &mut alice, &mut bob);
//! let Some(PhoneEvent::Incoming { call: incoming, .. }) = bob.poll_event() else { panic!() };
//! bob.answer(10, incoming, &Sdp::offer(at_b).to_string()).unwrap();
//! wire(10, &mut alice, &mut bob);
//! assert!(matches!(alice.poll_event(), Some(PhoneEvent::Ringing { .. })));
//! assert!(matches!(alice.poll_event(), Some(PhoneEvent::Answered { .. })));
//! assert_eq!(bob.poll_event(), Some(PhoneEvent::Confirmed { call: incoming }));
//! alice.hang_up(20, call).unwrap();
//! wire(20, &mut alice, &mut bob);
//! assert!(matches!(bob.poll_event(), Some(PhoneEvent::Ended { .. })));
//! assert!(matches!(alice.poll_event(), Some(PhoneEvent::Ended { .. })));
//! ```

mod calls;
mod leg;
mod register;
pub mod sdp;
#[cfg(test)]
mod tests;

use bytes::Bytes;
use register::Registration;
use sip::dialog::Reason;
use sip::transaction::{Key, Timers, Transactions};
use sip::{HeaderName, Message, Method, StartLine};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;

/// The SIP credentials of one device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The digest user name (and the user part of From and Contact), e.g. `2501-1`.
    pub username: String,
    /// The device password.
    pub password: String,
    /// The SIP domain (realm and host part of the URIs).
    pub domain: String,
}

impl Account {
    /// An account.
    pub fn new(username: &str, password: &str, domain: &str) -> Account {
        Account {
            username: username.into(),
            password: password.into(),
            domain: domain.into(),
        }
    }
}

/// Names one call of a phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallRef(pub u32);

/// What the phone tells the test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneEvent {
    /// The REGISTER was accepted, for this many seconds (0: unregistered).
    Registered {
        /// The granted expiry.
        expires: u32,
    },
    /// The REGISTER failed (408: no answer).
    RegistrationFailed {
        /// The final status.
        code: u16,
    },
    /// An INVITE arrived; it has been answered with 180. Answer it with
    /// [`SipPhone::answer`] or [`SipPhone::reject`].
    Incoming {
        /// The new call.
        call: CallRef,
        /// The caller's From value.
        from: String,
        /// The user part of the Request-URI (whom the call is for).
        to: String,
        /// The whole Request-URI (with its parameters).
        uri: String,
        /// The offer.
        sdp: Option<String>,
    },
    /// Our INVITE rings (a 180 or 183 arrived).
    Ringing {
        /// Which call.
        call: CallRef,
    },
    /// Our INVITE was answered with 2xx, and acknowledged.
    Answered {
        /// Which call.
        call: CallRef,
        /// The answer.
        sdp: Option<String>,
    },
    /// The ACK of our 2xx (to an INVITE or re-INVITE) arrived.
    Confirmed {
        /// Which call.
        call: CallRef,
    },
    /// The peer changes the call (a re-INVITE); answer with [`SipPhone::answer`] or
    /// [`SipPhone::reject`].
    Offered {
        /// Which call.
        call: CallRef,
        /// The new offer.
        sdp: Option<String>,
    },
    /// Our re-INVITE was accepted and acknowledged.
    Accepted {
        /// Which call.
        call: CallRef,
        /// The answer.
        sdp: Option<String>,
    },
    /// Our re-INVITE was refused; the call goes on as it was.
    Refused {
        /// Which call.
        call: CallRef,
        /// The status.
        code: u16,
    },
    /// Our INVITE got a final non-2xx (after the 407 was answered), or none (408).
    Failed {
        /// Which call.
        call: CallRef,
        /// The status.
        code: u16,
    },
    /// The call's dialog ended.
    Ended {
        /// Which call.
        call: CallRef,
        /// Why (`RemoteBye`, `LocalBye`, `Rejected`…).
        reason: Reason,
    },
}

/// Bytes for the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Where to.
    pub to: SocketAddr,
    /// What.
    pub data: Bytes,
}

/// Why a command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// No such call, or it is over.
    #[error("no call {0:?}")]
    NoCall(CallRef),
    /// The call has no INVITE waiting for our answer.
    #[error("call {0:?} has no INVITE to answer")]
    NothingToAnswer(CallRef),
    /// The call has no dialog (yet) to send a request in.
    #[error("call {0:?} has no confirmed dialog")]
    NoDialog(CallRef),
    /// The dialog layer refused.
    #[error("the dialog refused: {0}")]
    Dialog(#[from] sip::dialog::DialogError),
    /// The transaction layer refused.
    #[error("the transaction layer refused: {0}")]
    Transaction(#[from] sip::transaction::TransactionError),
}

/// What a client transaction of ours is for (to route its timeout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Register,
    Invite(CallRef),
    InDialog { call: CallRef, cseq: u32 },
}

/// The phone. See the module documentation.
pub struct SipPhone {
    /// Answer a new INVITE with 180 at once (a phone); call control rings first.
    ring_at_once: bool,
    account: Account,
    local: SocketAddr,
    proxy: SocketAddr,
    random: u64,
    tx: Transactions<SocketAddr>,
    registration: Registration,
    calls: HashMap<CallRef, calls::Call>,
    next_call: u32,
    purposes: HashMap<Key, Purpose>,
    /// Nonce counts of the challenges answered (RFC 7616 §3.4).
    nonce_counts: HashMap<String, u32>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<PhoneEvent>,
}

impl SipPhone {
    /// A phone for `account` at `local`, sending everything to `proxy`. `seed` makes its
    /// tags, branches and Call-IDs (a test chooses it; two phones need different ones).
    pub fn new(account: Account, local: SocketAddr, proxy: SocketAddr, seed: u64) -> SipPhone {
        let mut random = seed ^ 0x9e37_79b9_7f4a_7c15;
        let call_id = format!("reg-{:016x}@ua.durchwahl", splitmix(&mut random));
        let tag = format!("{:08x}", splitmix(&mut random) as u32);
        SipPhone {
            account,
            ring_at_once: true,
            local,
            proxy,
            random,
            tx: Transactions::new(Timers::default()),
            registration: Registration::new(call_id, tag),
            calls: HashMap::new(),
            next_call: 1,
            purposes: HashMap::new(),
            nonce_counts: HashMap::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Whether a new INVITE is answered with 180 at once (default), or only by
    /// [`SipPhone::ring`] (a back-to-back agent rings its far side first).
    pub fn set_ring_at_once(&mut self, at_once: bool) {
        self.ring_at_once = at_once;
    }

    /// Where the phone is.
    pub fn local(&self) -> SocketAddr {
        self.local
    }

    /// Its account.
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// A datagram arrived from `from`. Keep-alives and garbage are ignored.
    pub fn handle_datagram(&mut self, now: i64, from: SocketAddr, data: Bytes) {
        let Ok(message) = sip::parse_datagram(data) else {
            return;
        };
        match message.start {
            StartLine::Request { .. } => self.tx.handle_request(now, message, from, false),
            StartLine::Response { .. } => self.tx.handle_response(now, message),
        }
        self.drive(now);
    }

    /// Fires what is due at `now`: retransmissions, timeouts, the dialogs' timers.
    pub fn handle_timeout(&mut self, now: i64) {
        self.tx.handle_timeout(now);
        for call in self.calls.values_mut() {
            call.leg.handle_timeout(now);
        }
        self.drive(now);
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        if let Some(t) = self.tx.poll_transmit() {
            return Some(Transmit {
                to: t.peer,
                data: t.data,
            });
        }
        self.transmits.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<PhoneEvent> {
        self.events.pop_front()
    }

    /// When [`SipPhone::handle_timeout`] is due next.
    pub fn poll_timeout(&self) -> Option<i64> {
        let legs = self.calls.values().filter_map(|c| c.leg.poll_timeout());
        self.tx.poll_timeout().into_iter().chain(legs).min()
    }

    /// The transaction layer's events, then what every call's dialogs emitted.
    fn drive(&mut self, now: i64) {
        use sip::transaction::Event;
        while let Some(event) = self.tx.poll_event() {
            match event {
                Event::Request { key, message, peer } => {
                    self.on_request(now, key, message, peer);
                }
                Event::Ack { message, .. } => self.on_ack(now, &message),
                Event::Response { message, .. } | Event::Stray { message } => {
                    self.on_response(now, message);
                }
                Event::Timeout { key } => self.on_timeout(now, &key),
            }
            self.drain_calls(now);
        }
        self.drain_calls(now);
    }

    /// A response of ours: to a REGISTER or to a call's request, by Call-ID.
    fn on_response(&mut self, now: i64, response: Message) {
        if response.header(&HeaderName::CallId) == Some(&self.registration.call_id()) {
            self.registration_response(now, &response);
        } else if let Some(call) = self.call_of(&response) {
            self.call_response(now, call, &response);
        }
    }

    fn on_timeout(&mut self, now: i64, key: &Key) {
        match self.purposes.remove(key) {
            Some(Purpose::Register) => {
                self.events
                    .push_back(PhoneEvent::RegistrationFailed { code: 408 });
            }
            Some(Purpose::Invite(call)) => self.invite_timed_out(now, call),
            Some(Purpose::InDialog { call, cseq }) => {
                if let Some(c) = self.calls.get_mut(&call) {
                    c.leg.handle_transaction_timeout(cseq);
                }
            }
            None => {} // Timer H of our 2xx or non-2xx: the dialog deals with it
        }
    }

    /// The call a message belongs to, by Call-ID: one still going before one that is
    /// over, for a proxy may send a call here again after its first branch here ended
    /// (sequential forking: a switch that rang browsers here sends the same call to a
    /// voicemail box here, with the same Call-ID).
    fn call_of(&self, message: &Message) -> Option<CallRef> {
        let id = message.header(&HeaderName::CallId)?;
        let mut over = None;
        for (r, c) in &self.calls {
            if c.call_id == id {
                if c.stage != calls::Stage::Over {
                    return Some(*r);
                }
                over = Some(*r);
            }
        }
        over
    }

    /// Whether `call` is over.
    fn is_over(&self, call: CallRef) -> bool {
        self.calls
            .get(&call)
            .is_some_and(|c| c.stage == calls::Stage::Over)
    }

    /// Sends a request through the transaction layer with a fresh Via on top.
    fn send_request(
        &mut self,
        now: i64,
        mut request: Message,
        purpose: Purpose,
    ) -> Result<Key, PhoneError> {
        if request.header(&HeaderName::Via).is_none() {
            let via = self.via();
            request.push_front(HeaderName::Via, via);
        }
        let key = self.tx.send_request(now, request, self.proxy, false)?;
        self.purposes.insert(key.clone(), purpose);
        Ok(key)
    }

    /// Sends a message outside the transaction layer (an ACK of a 2xx, a 2xx again).
    fn send_direct(&mut self, mut message: Message, to: SocketAddr) {
        if message.method().is_some() && message.header(&HeaderName::Via).is_none() {
            let via = self.via();
            message.push_front(HeaderName::Via, via);
        }
        self.transmits.push_back(Transmit {
            to,
            data: message.to_bytes(),
        });
    }

    /// Our Via with a fresh branch (RFC 3261 §8.1.1.7) and `rport` (RFC 3581).
    fn via(&mut self) -> Bytes {
        let branch = self.token();
        Bytes::from(format!(
            "SIP/2.0/UDP {};branch=z9hG4bK{branch};rport",
            self.local
        ))
    }

    /// 64 random bits in hex: tags, branches, Call-IDs, cnonces.
    fn token(&mut self) -> String {
        format!("{:016x}", splitmix(&mut self.random))
    }

    /// The digest answer to the first challenge among `challenges` we can read.
    fn credentials(
        &mut self,
        challenges: &[Bytes],
        method: &Method,
        uri: &str,
    ) -> Option<(sip::digest::Challenge, String)> {
        use sip::digest::{ha1, Challenge, Credentials};
        let challenge = challenges.iter().find_map(|c| Challenge::parse(c).ok())?;
        let nc = self
            .nonce_counts
            .entry(challenge.nonce.clone())
            .or_default();
        *nc += 1;
        let nc = *nc;
        let a = &self.account;
        let secret = ha1(
            challenge.algorithm,
            &a.username,
            &challenge.realm,
            &a.password,
        );
        let (user, cnonce) = (a.username.clone(), self.token());
        let answer = Credentials::answer(&challenge, &user, uri, &cnonce, nc, method, &secret);
        Some((challenge, answer.to_string()))
    }

    /// `<sip:user@host:port>`, our Contact.
    fn contact(&self) -> String {
        format!("<sip:{}@{}>", self.account.username, self.local)
    }

    /// `<sip:user@domain>`, our address of record.
    fn aor(&self) -> String {
        format!("<sip:{}@{}>", self.account.username, self.account.domain)
    }
}

/// SplitMix64: enough randomness for tags and branches, reproducible from a seed.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A request outside any dialog, its Via left to [`SipPhone::send_request`].
fn request(
    method: Method,
    uri: &str,
    headers: &[(HeaderName, String)],
    body: Option<&str>,
) -> Message {
    let mut message = Message {
        start: StartLine::Request {
            method,
            uri: Bytes::from(uri.to_owned()),
        },
        headers: Vec::new(),
        body: Bytes::new(),
    };
    message.push(HeaderName::MaxForwards, Bytes::from_static(b"70"));
    for (name, value) in headers {
        message.push(name.clone(), Bytes::from(value.clone()));
    }
    if let Some(body) = body {
        with_sdp(&mut message, body);
    }
    message
}

/// Puts a session description into a message.
fn with_sdp(message: &mut Message, sdp: &str) {
    message.set_header(
        HeaderName::ContentType,
        Some(Bytes::from_static(b"application/sdp")),
    );
    message.body = Bytes::from(sdp.to_owned());
}

/// The session description a message carries.
fn sdp_of(message: &Message) -> Option<String> {
    sip::dialog::carries_sdp(message).then(|| String::from_utf8_lossy(&message.body).into_owned())
}
