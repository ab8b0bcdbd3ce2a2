//! The switch: Durchwahl's SIP element. Registrar for the devices in [`Accounts`], digest
//! checks of every request from a device, and a stateful forking proxy between them.
//!
//! Sans-IO like the rest of the stack: feed datagrams or framed messages, the clock and
//! the store's answers in; drain [`Switch::poll_transmit`] and [`Switch::poll_notice`];
//! call [`Switch::handle_timeout`] at [`Switch::poll_timeout`].

use crate::accounts::Accounts;
use crate::calls::Calls;
use crate::dialog_info::BlfState;
use crate::dialogs::Dialogs;
use crate::flow::Flow;
use crate::headers::{self, Local};
use crate::protection::{Decision, Guard};
use crate::subscriptions::Subscriptions;
use bytes::Bytes;
use sip::digest::{Authenticator, NonceCounts, NonceKey};
use sip::registrar::{Binding, Limits, Registrar};
use sip::transaction::{Event, Key, Timers, Transactions, Transmit};
use sip::{HeaderName, Message, Method, StartLine};
use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;

/// How the switch behaves.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The SIP domain and digest realm.
    pub domain: String,
    /// The address put into Via and Record-Route (UDP and TCP on the same port).
    pub advertised: SocketAddr,
    /// Registration limits.
    pub limits: Limits,
    /// How long a nonce is good for, seconds.
    pub nonce_lifetime_secs: u64,
    /// How long a call rings before the caller gets 480, milliseconds.
    pub ring_timeout_ms: i64,
    /// Transaction timers.
    pub timers: Timers,
    /// Offer the SHA-256 challenge before the MD5 one (RFC 8760 prefers it, but many
    /// phones answer only the first challenge and fail on SHA-256).
    pub sha256_first: bool,
    /// Offer a SHA-256 challenge at all (RFC 8760). Some old softphones (baresip 1.0 of
    /// Debian 12) fail on a second challenge; answers with SHA-256 are checked either way.
    pub offer_sha256: bool,
    /// The TLS port, when SIP over TLS is on (its Record-Route, RFC 5658).
    pub tls_port: Option<u16>,
    /// Scanner, guessing and flood protection.
    pub protection: crate::protection::Settings,
    /// Bounds of the SUBSCRIBE table (busy lamp keys, presence).
    pub subscriptions: crate::subscriptions::Limits,
}

impl Settings {
    /// Defaults for a domain and address.
    pub fn new(domain: &str, advertised: SocketAddr) -> Settings {
        Settings {
            domain: domain.to_owned(),
            advertised,
            limits: Limits::default(),
            nonce_lifetime_secs: 300,
            ring_timeout_ms: 60_000,
            timers: Timers::default(),
            sha256_first: false,
            offer_sha256: true,
            tls_port: None,
            protection: crate::protection::Settings::default(),
            subscriptions: crate::subscriptions::Limits::default(),
        }
    }
}

/// What the shell has to do besides sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Save a device's changed bindings; answer with [`Switch::handle_saved`] (the phone
    /// gets its 200 only after the commit).
    Save {
        /// Pass back to [`Switch::handle_saved`].
        ticket: u64,
        /// The device.
        device_id: i64,
        /// New or refreshed bindings, with the flow their REGISTER came over.
        added: Vec<Binding<Flow>>,
        /// Bindings to delete.
        removed: Vec<Binding<Flow>>,
    },
    /// Bindings ran out or their device went away: delete them (nobody waits).
    Expired {
        /// The device.
        device_id: i64,
        /// The bindings.
        bindings: Vec<Binding<Flow>>,
    },
    /// A person's first device registered, or their last one went away.
    Devices {
        /// The person.
        person_id: i64,
        /// Whether any device is registered now.
        online: bool,
    },
    /// A person's first call was answered, or their last call ended.
    Call {
        /// The person.
        person_id: i64,
        /// Whether they are in a call now.
        active: bool,
    },
    /// A text MESSAGE (RFC 3428) from one person's device to another person: besides
    /// going to their phones, it belongs in the two people's chat.
    Message {
        /// The sender's person.
        from_person: i64,
        /// The receiver's person.
        to_person: i64,
        /// The text.
        text: String,
    },
}

/// A registration waiting for the store: its answer, and what to take back if the
/// store cannot keep it.
#[derive(Debug)]
pub(crate) struct PendingSave {
    pub(crate) key: Key,
    /// The 200 to send once committed.
    pub(crate) reply: Message,
    /// The device.
    pub(crate) user: String,
    /// Contacts of the bindings the REGISTER added or refreshed.
    pub(crate) added: Vec<Box<[u8]>>,
}

/// The SIP element.
#[derive(Debug)]
pub struct Switch {
    pub(crate) settings: Settings,
    pub(crate) local: Local,
    pub(crate) accounts: Accounts,
    /// The bindings, each with the flow its REGISTER came over (NAT and TCP friendly).
    pub(crate) registrar: Registrar<Flow>,
    /// Connections (TCP, TLS, WebSocket) → the devices that registered over them: what
    /// becomes of their registrations when it closes ([`Switch::handle_closed`]).
    pub(crate) connections: HashMap<Flow, HashSet<String>>,
    /// Contacts of dialogs made over connections (see `dialog_contacts.rs`).
    pub(crate) dialog_contacts: crate::dialog_contacts::DialogContacts,
    pub(crate) online: HashSet<i64>,
    pub(crate) tx: Transactions<Flow>,
    pub(crate) auth: Authenticator,
    pub(crate) counts: NonceCounts,
    pub(crate) calls: Calls,
    pub(crate) dialogs: Dialogs,
    pub(crate) guard: Guard,
    /// Forwarding rules by the person's own extension (only people with a rule on).
    pub(crate) forwarding: HashMap<String, directory::forwarding::ForwardingRules>,
    pub(crate) pending_saves: HashMap<u64, PendingSave>,
    /// Subscriptions to people's dialogs (busy lamp keys) and presence.
    pub(crate) subs: Subscriptions,
    /// The calls of people followed for busy lamps (see `notifier.rs`); idle ones are
    /// dropped.
    pub(crate) blf: HashMap<i64, BlfState>,
    /// People's presence from the team panel ([`Switch::handle_presence`]).
    pub(crate) presence: HashMap<i64, presence::State>,
    /// People whose registered devices or calls changed while someone subscribes.
    pub(crate) presence_changed: Vec<i64>,
    next_ticket: u64,
    nonces_issued: u64,
    rng: u64,
    pub(crate) transmits: VecDeque<Transmit<Flow>>,
    pub(crate) notices: VecDeque<Notice>,
}

impl Switch {
    /// A switch for `accounts`. `nonce_key` signs nonces (random per start is fine);
    /// `seed` seeds branch ids, tags and nonce salts (random).
    pub fn new(settings: Settings, accounts: Accounts, nonce_key: NonceKey, seed: u64) -> Switch {
        let local =
            Local::new(settings.advertised, &settings.domain).with_tls_port(settings.tls_port);
        let auth = Authenticator::new(
            settings.domain.clone(),
            nonce_key,
            settings.nonce_lifetime_secs,
        );
        Switch {
            local,
            registrar: Registrar::new(settings.limits),
            tx: Transactions::new(settings.timers),
            accounts,
            connections: HashMap::new(),
            dialog_contacts: Default::default(),
            online: HashSet::new(),
            auth,
            counts: NonceCounts::new(100_000),
            calls: Calls::default(),
            dialogs: Dialogs::default(),
            guard: Guard::new(settings.protection.clone()),
            forwarding: HashMap::new(),
            pending_saves: HashMap::new(),
            subs: Subscriptions::new(settings.subscriptions),
            blf: HashMap::new(),
            presence: HashMap::new(),
            presence_changed: Vec::new(),
            next_ticket: 1,
            nonces_issued: 0,
            rng: seed,
            transmits: VecDeque::new(),
            notices: VecDeque::new(),
            settings,
        }
    }

    /// The accounts in use.
    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// Number of registered contacts.
    pub fn registrations(&self) -> usize {
        self.registrar.len()
    }

    /// Replaces the accounts (devices added, removed, people's extensions or features
    /// changed). Bindings of devices that are gone or disabled are dropped, and so are
    /// their subscriptions (with a final NOTIFY, `reason=rejected`).
    pub fn set_accounts(&mut self, now: i64, accounts: Accounts) {
        let old = std::mem::replace(&mut self.accounts, accounts);
        for account in old.iter() {
            let keep = self
                .accounts
                .get(&account.sip_username)
                .is_some_and(|a| a.enabled && a.device_id == account.device_id);
            if !keep {
                self.end_subscriptions_of(now, &account.sip_username);
                let gone = self.registrar.remove(&account.sip_username);
                if !gone.is_empty() {
                    self.forget(account.device_id, gone);
                }
            }
        }
        self.end_subscriptions_to_gone(now, &old);
        let now_online: HashSet<i64> = self
            .accounts
            .iter()
            .filter(|a| a.enabled && !self.registrar.bindings(&a.sip_username).is_empty())
            .map(|a| a.person_id)
            .collect();
        let changed: Vec<i64> = self
            .online
            .symmetric_difference(&now_online)
            .copied()
            .collect();
        for person_id in changed {
            let online = now_online.contains(&person_id);
            self.presence_notice(Notice::Devices { person_id, online });
        }
        self.online = now_online;
        self.drive(now);
    }

    /// Puts back a binding saved before a restart (with the flow it came over). One made
    /// over a TLS or WebSocket connection is deleted instead: that connection is gone and
    /// the device registers again over its next one.
    pub fn restore(&mut self, sip_username: &str, binding: Binding<Flow>) {
        let Some(account) = self.accounts.get(sip_username) else {
            return;
        };
        let (person, extension) = (account.person_id, account.extension.clone());
        let mut binding = binding;
        // Every connection ended with the restart.
        match without_connection(&binding) {
            Some(flow) => binding.flow = flow,
            None => {
                let device_id = account.device_id;
                self.notices.push_back(Notice::Expired {
                    device_id,
                    bindings: vec![binding],
                });
                return;
            }
        }
        self.registrar.restore(sip_username, binding);
        self.update_online_of(person, &extension);
    }

    /// A connection ended. Registrations made over a TLS or WebSocket connection end
    /// with it (RFC 7118 §6, RFC 5626 §4.2.1: nothing reaches the device until it
    /// connects and registers again); a TCP phone's stay, now reached at its Contact's
    /// address (we connect there), not at the closed connection's port.
    pub fn handle_closed(&mut self, now: i64, flow: Flow) {
        self.dialog_contacts.closed(flow);
        let Some(users) = self.connections.remove(&flow) else {
            return;
        };
        for user in users {
            // (None taken: it registered again over another connection.)
            let mut ended = Vec::new();
            for mut b in self.registrar.remove_where(&user, |b| b.flow == flow) {
                match without_connection(&b) {
                    Some(anew) => {
                        b.flow = anew;
                        self.registrar.restore(&user, b);
                    }
                    None => ended.push(b),
                }
            }
            if !ended.is_empty() {
                self.bindings_gone(&user, ended);
            }
        }
        self.drive(now);
    }

    /// A UDP datagram arrived. An unreadable request is answered with 400 (or 505) when
    /// its Via, From, To, Call-ID and CSeq can be read, else dropped; the reason is
    /// returned for the shell's log.
    pub fn handle_datagram(
        &mut self,
        now: i64,
        flow: Flow,
        data: Bytes,
    ) -> Result<(), sip::ParseError> {
        let message = match sip::parse_datagram(data.clone()) {
            Ok(message) => message,
            Err(error) => {
                // A request whose headers can still be read gets its 400 (or 505) with
                // the reason (RFC 4475); anything else is dropped.
                let tag = self.tag();
                if let Some(reply) = sip::parser::answer_refused(&data, &error, Some(&tag)) {
                    self.send(flow, &reply);
                }
                return Err(error);
            }
        };
        self.handle_message(now, flow, message);
        Ok(())
    }

    /// A message arrived (framed by the shell on streams).
    pub fn handle_message(&mut self, now: i64, flow: Flow, mut message: Message) {
        match message.start {
            StartLine::Request { .. } => {
                if !self.admit(now, flow, &message) {
                    return;
                }
                if let Err(error) = sip::check_request(&message) {
                    if message.method() != Some(&Method::Ack) {
                        let reply = message.response(error.status(), &error.reason(), None);
                        self.send(flow, &reply);
                    }
                    return;
                }
                headers::stamp_received(&mut message, flow.addr, flow.transport.reliable());
                self.tx
                    .handle_request(now, message, flow, flow.transport.reliable());
            }
            StartLine::Response { .. } => self.tx.handle_response(now, message),
        }
        self.drive(now);
    }

    /// The protection's first look at a request: scanners and blocked sources are
    /// dropped, a source over its rate hears 503 with Retry-After. Local processes
    /// (loopback: the admin's tools, a load test, a co-located SBC) are not rate-limited,
    /// except over WebSocket.
    fn admit(&mut self, now: i64, flow: Flow, message: &Message) -> bool {
        let user_agent = message.header(&HeaderName::UserAgent).map(|v| &v[..]);
        let ip = flow.addr.ip();
        let decision = if flow.is_local_process() {
            match user_agent.is_some_and(crate::protection::is_scanner) {
                true => Decision::Drop(crate::protection::Reason::Scanner),
                false => Decision::Allow,
            }
        } else {
            self.guard.handle_request(now, ip, user_agent)
        };
        match decision {
            Decision::Allow => true,
            Decision::Drop(_) => false,
            Decision::Reject { retry_after_secs } => {
                if message.method() != Some(&Method::Ack) {
                    let mut reply = message.response(503, "Service Unavailable", None);
                    let seconds = Bytes::from(retry_after_secs.to_string());
                    reply.push(HeaderName::RetryAfter, seconds);
                    self.send(flow, &reply);
                }
                false
            }
        }
    }

    /// The store committed (or failed to commit) the bindings of `ticket`.
    pub fn handle_saved(&mut self, now: i64, ticket: u64, committed: bool) {
        let failed = (500, "Registration could not be saved");
        self.answer_save(now, ticket, (!committed).then_some(failed));
    }

    /// The store's queue is full (the server is overloaded): the phone hears 503 with
    /// Retry-After for the registration of `ticket` and tries again later.
    pub fn handle_save_refused(&mut self, now: i64, ticket: u64) {
        self.answer_save(now, ticket, Some((503, "Service Unavailable")));
    }

    /// Sends the 200 kept for `ticket`, or `failure` (with Retry-After) instead.
    fn answer_save(&mut self, now: i64, ticket: u64, failure: Option<(u16, &'static str)>) {
        let Some(PendingSave {
            key,
            reply,
            user,
            added,
        }) = self.pending_saves.remove(&ticket)
        else {
            return;
        };
        let reply = match failure {
            None => reply,
            Some((code, reason)) => {
                // The phone hears it failed, so it is not registered either: calls must
                // not ring it, nor presence show it (it tries again after Retry-After).
                let gone = self
                    .registrar
                    .remove_where(&user, |b| added.contains(&b.contact));
                if !gone.is_empty() {
                    self.bindings_gone(&user, gone);
                }
                let mut failed = reply.clone();
                failed.start = StartLine::Response {
                    code,
                    reason: Bytes::from_static(reason.as_bytes()),
                };
                failed.set_header(HeaderName::Contact, None);
                failed.set_header(HeaderName::RetryAfter, Some(Bytes::from_static(b"5")));
                failed
            }
        };
        // Stateless from here, like every registrar answer: retransmissions until now
        // were absorbed by the transaction; a later one (its 200 was lost) passes the
        // digest check again as the same request and gets a fresh 200. Nothing is kept
        // for Timer J, which under a registration storm was most of the memory.
        self.reply_once(now, &key, &reply);
        self.drive(now);
    }

    /// Fires everything due at `now`.
    pub fn handle_timeout(&mut self, now: i64) {
        self.tx.handle_timeout(now);
        let mut expired: HashMap<String, Vec<Binding<Flow>>> = HashMap::new();
        for (user, binding) in self.registrar.handle_timeout(now) {
            expired.entry(user).or_default().push(binding);
        }
        for (user, bindings) in expired {
            self.bindings_gone(&user, bindings);
        }
        self.calls_timeout(now);
        self.subscriptions_timeout(now);
        self.drive(now);
    }

    /// When [`Switch::handle_timeout`] has work next.
    pub fn poll_timeout(&self) -> Option<i64> {
        [
            self.tx.poll_timeout(),
            self.registrar.poll_timeout(),
            self.calls.poll_timeout(),
            self.subs.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The next message to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit<Flow>> {
        self.transmits
            .pop_front()
            .or_else(|| self.tx.poll_transmit())
    }

    /// The next thing for the shell to do.
    pub fn poll_notice(&mut self) -> Option<Notice> {
        self.notices.pop_front()
    }

    /// Bindings of device `user` ended (expired, or their connection closed): deleted
    /// from the store, and the person's presence follows.
    fn bindings_gone(&mut self, user: &str, bindings: Vec<Binding<Flow>>) {
        if let Some(account) = self.accounts.get(user) {
            let (device, person) = (account.device_id, account.person_id);
            let extension = account.extension.clone();
            self.forget(device, bindings);
            self.update_online_of(person, &extension);
        }
    }

    fn forget(&mut self, device_id: i64, bindings: Vec<Binding<Flow>>) {
        self.notices.push_back(Notice::Expired {
            device_id,
            bindings,
        });
    }

    /// Emits [`Notice::Devices`] when whether a person has a registered device changed.
    pub(crate) fn update_online_of(&mut self, person_id: i64, extension: &str) {
        let online = self
            .accounts
            .devices_of(extension)
            .iter()
            .any(|a| a.enabled && !self.registrar.bindings(&a.sip_username).is_empty());
        self.set_online(person_id, online);
    }

    fn set_online(&mut self, person_id: i64, online: bool) {
        let was = self.online.contains(&person_id);
        if was != online {
            if online {
                self.online.insert(person_id);
            } else {
                self.online.remove(&person_id);
            }
            self.presence_notice(Notice::Devices { person_id, online });
        }
    }

    /// Queues a [`Notice::Devices`] or [`Notice::Call`]; the person's presence watchers
    /// hear of it at the end of the input (see [`Switch::drive`]).
    pub(crate) fn presence_notice(&mut self, notice: Notice) {
        if !self.subs.is_empty() {
            if let Notice::Devices { person_id, .. } | Notice::Call { person_id, .. } = notice {
                self.presence_changed.push(person_id);
            }
        }
        self.notices.push_back(notice);
    }

    /// Handles what the transaction layer produced.
    pub(crate) fn drive(&mut self, now: i64) {
        while let Some(event) = self.tx.poll_event() {
            match event {
                Event::Request { key, message, peer } => self.on_request(now, key, message, peer),
                Event::Ack { message, .. } => self.forward_ack(message),
                Event::Response { key, message } => self.on_response(now, key, message),
                Event::Stray { message } => self.forward_stray(message),
                Event::Timeout { key } => self.on_client_timeout(now, key),
            }
        }
        if !self.presence_changed.is_empty() {
            self.flush_presence(now);
        }
    }

    fn on_request(&mut self, now: i64, key: Key, mut request: Message, peer: Flow) {
        if key.branch.is_empty() {
            // RFC 2543 clients: no transaction to hang the answer on.
            let reply = request.response(400, "Via branch must start with z9hG4bK", None);
            self.send(peer, &reply);
            return;
        }
        let method = request.method().cloned().unwrap_or(Method::Options);
        if method == Method::Cancel {
            self.on_cancel(now, &key, &request);
            return;
        }
        let routed = self.local.pop_own_route(&mut request);
        if headers::to_tag(&request).is_some() {
            let ours = method == Method::Subscribe
                && self.on_resubscribe(now, &key, &request, peer, routed);
            if !ours {
                self.forward_in_dialog(now, key, request, peer, routed);
            }
            return;
        }
        match method {
            Method::Register => self.on_register(now, key, request, peer),
            Method::Options if self.is_for_me(&request) => {
                let mut reply = request.response(200, "OK", Some(&self.tag()));
                reply.push(HeaderName::Allow, Bytes::from_static(ALLOW));
                self.reply_once(now, &key, &reply);
            }
            Method::Subscribe => self.on_subscribe(now, key, request, peer),
            Method::Publish => {
                let mut reply = request.response(489, "Bad Event", Some(&self.tag()));
                reply.push(
                    HeaderName::Other(Bytes::from_static(b"Allow-Events")),
                    Bytes::new(),
                );
                self.reply_once(now, &key, &reply);
            }
            _ => self.route_to_person(now, key, request, peer),
        }
    }

    /// An OPTIONS without a user part to our domain or address is a ping of the server.
    fn is_for_me(&self, request: &Message) -> bool {
        let StartLine::Request { uri, .. } = &request.start else {
            return false;
        };
        sip::uri::Uri::parse(uri).is_ok_and(|u| u.user.is_none() && self.local.serves(&u))
    }

    /// Answers a server transaction.
    pub(crate) fn reply(&mut self, now: i64, key: &Key, reply: &Message) {
        let _ = self.tx.respond(now, key, reply);
    }

    /// Answers a request the switch refuses or challenges, or an OPTIONS ping.
    /// Statelessly unless it is an INVITE, like the registrars phones know: the server
    /// transaction is dropped, a retransmission is handled as a new request and gets the
    /// same kind of answer, and nothing is held for the 32 s of Timer J. An INVITE's final
    /// answer stays in its transaction, retransmitted until the ACK. (A REGISTER's 200
    /// is not answered this way: see [`Switch::handle_saved`].)
    pub(crate) fn reply_once(&mut self, now: i64, key: &Key, reply: &Message) {
        match self.tx.forget(key) {
            Some(peer) => self.send(peer, reply),
            None => self.reply(now, key, reply),
        }
    }

    /// Answers `request` with a status of our own (see [`Switch::reply_once`]).
    pub(crate) fn reply_status(
        &mut self,
        now: i64,
        key: &Key,
        request: &Message,
        code: u16,
        reason: &str,
    ) {
        let reply = request.response(code, reason, Some(&self.tag()));
        self.reply_once(now, key, &reply);
    }

    /// Sends a message outside any transaction.
    pub(crate) fn send(&mut self, peer: Flow, message: &Message) {
        self.transmits.push_back(Transmit {
            peer,
            data: message.to_bytes(),
        });
    }

    /// A fresh ticket for [`Notice::Save`].
    pub(crate) fn ticket(&mut self) -> u64 {
        self.next_ticket += 1;
        self.next_ticket
    }

    /// The salt of the next nonce.
    pub(crate) fn next_nonce(&mut self) -> u64 {
        self.nonces_issued += 1;
        self.nonces_issued
    }

    /// 64 random bits (splitmix64 over the seed).
    pub(crate) fn random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A To tag.
    pub(crate) fn tag(&mut self) -> String {
        sip::digest::hex(&self.random().to_be_bytes())
    }

    /// A branch for a request we send (RFC 3261 §8.1.1.7 magic cookie).
    pub(crate) fn branch(&mut self) -> String {
        let mut branch = String::from("z9hG4bKdw");
        branch.push_str(&sip::digest::hex(&self.random().to_be_bytes()));
        branch
    }
}

/// Where a binding is reached without the connection its REGISTER came over: a UDP
/// phone where it is, a TCP phone at its Contact's address (we connect there), a TLS or
/// WebSocket device nowhere.
fn without_connection(binding: &Binding<Flow>) -> Option<Flow> {
    match binding.flow.transport {
        crate::flow::Transport::Udp => Some(binding.flow),
        crate::flow::Transport::Tcp => {
            sip::uri::Uri::parse(&Bytes::copy_from_slice(&binding.contact))
                .ok()
                .and_then(|uri| Flow::of_uri(&uri))
                .filter(|f| f.transport.reachable_anew())
        }
        _ => None,
    }
}

/// Methods the switch handles or forwards.
pub(crate) const ALLOW: &[u8] =
    b"INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, REGISTER, UPDATE, INFO, PRACK, REFER, NOTIFY, SUBSCRIBE";
