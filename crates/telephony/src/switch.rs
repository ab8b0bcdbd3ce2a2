//! The switch: Durchwahl's SIP element, the facade the shell talks to. It owns the parts
//! and passes each input to the one it concerns:
//!
//! - the **gate** (`gate.rs`): protection and the digest check every device request
//!   passes; a part gets the authenticated [`crate::Account`] or nothing;
//! - the **registrar** (`registrar.rs`): bindings, connections, who is online, the
//!   registrations waiting for the store;
//! - the **proxy** (`proxy.rs`): calls and other requests for people, routed by the pure
//!   [`crate::route::Router`], forked, forwarded; answered calls; dialogs' Contacts;
//! - the **notifier** (`notifier.rs`): subscriptions, busy lamps, presence,
//!   message-waiting lamps.
//!
//! Parts never reach into each other. Each gets the switch's read-only parts (addresses,
//! accounts) and the way out (the [`Wire`], what it [`Raised`]) as arguments for one
//! input; the proxy reads the registrar's bindings, the notifier reads who is registered
//! or in a call ([`Whereabouts`]). What one part has to tell another it raises, and this
//! facade hands it on at the end of the input ([`Switch::drive`]). Each part with timers
//! reports its next deadline ([`Timed`]); [`Switch::poll_timeout`] folds over all of them
//! in one place, which names every part, and [`Switch::handle_timeout`] fires each part
//! that is due.
//!
//! Sans-IO like the rest of the stack: feed datagrams or framed messages, the clock and
//! the store's answers in; drain [`Switch::poll_transmit`] and [`Switch::poll_notice`];
//! call [`Switch::handle_timeout`] at [`Switch::poll_timeout`].

use crate::accounts::Accounts;
use crate::context::Context;
use crate::flow::Flow;
use crate::forwarding::Forwarding;
use crate::gate::{Challenger, Gate};
use crate::headers::{self, Local};
use crate::notifier::{Notifier, Whereabouts};
use crate::proxy::Proxy;
use crate::raised::Raised;
use crate::registrar::Registrar;
use crate::timed::Timed;
use crate::wire::Wire;
use bytes::Bytes;
use directory::forwarding::ForwardingRules;
use directory::Extension;
use sip::digest::NonceKey;
use sip::registrar::Binding;
use sip::transaction::{Event, Key, Transmit};
use sip::{HeaderName, Message, Method, StartLine};
use std::collections::HashMap;

pub use crate::notice::Notice;
pub use crate::settings::Settings;

/// Methods the switch handles or forwards.
const ALLOW: &[u8] =
    b"INVITE, ACK, BYE, CANCEL, OPTIONS, MESSAGE, REGISTER, UPDATE, INFO, PRACK, REFER, NOTIFY, SUBSCRIBE";

/// The SIP element.
#[derive(Debug)]
pub struct Switch {
    local: Local,
    accounts: Accounts,
    wire: Wire,
    raised: Raised,
    gate: Gate,
    registrar: Registrar,
    proxy: Proxy,
    notifier: Notifier,
    /// Call control's address: its requests are trusted.
    b2bua: Option<std::net::SocketAddr>,
    /// People with a browser open, by their extension (their browsers account).
    browsers: HashMap<i64, String>,
}

/// The parts, each borrowed on its own beside the [`Context`] they share.
struct Parts<'a> {
    gate: &'a mut Gate,
    registrar: &'a mut Registrar,
    proxy: &'a mut Proxy,
    notifier: &'a mut Notifier,
}

/// What the registrar and the proxy know of people, for the notifier's presence.
struct Seen<'a> {
    registrar: &'a Registrar,
    proxy: &'a Proxy,
}

impl Whereabouts for Seen<'_> {
    fn has_device(&self, person: i64) -> bool {
        self.registrar.is_online(person)
    }

    fn in_call(&self, person: i64) -> bool {
        self.proxy.is_busy(person)
    }
}

/// The parts with timers of their own, in the order they fire.
#[derive(Debug, Clone, Copy)]
enum Timer {
    Transactions,
    Registrar,
    Proxy,
    Notifier,
}

impl Switch {
    /// A switch for `accounts`. `nonce_key` signs nonces (random per start is fine);
    /// `seed` seeds branch ids, tags and nonce salts (random).
    pub fn new(settings: Settings, accounts: Accounts, nonce_key: NonceKey, seed: u64) -> Switch {
        let local =
            Local::new(settings.advertised, &settings.domain).with_tls_port(settings.tls_port);
        Switch {
            local,
            accounts,
            wire: Wire::new(settings.timers, seed),
            raised: Raised::default(),
            gate: Gate::new(&settings, nonce_key),
            registrar: Registrar::new(settings.limits),
            proxy: Proxy::new(
                settings.ring_timeout_ms,
                settings.b2bua,
                settings.relay_always,
            ),
            b2bua: settings.b2bua,
            browsers: HashMap::new(),
            notifier: Notifier::new(settings.subscriptions),
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

    /// Number of requests the proxy is working on (calls ringing, in-dialog requests
    /// waiting for their answer).
    pub fn proxying(&self) -> usize {
        self.proxy.len()
    }

    /// The parts, and the context they share for an input at `now`. `Raised` learns
    /// here which calls the notifier follows, so the proxy raises only news it hears.
    fn split(&mut self, now: i64) -> (Context<'_>, Parts<'_>) {
        let Switch {
            local,
            accounts,
            wire,
            raised,
            gate,
            registrar,
            proxy,
            notifier,
            b2bua: _,
            browsers: _,
        } = self;
        raised.set_following(notifier.following());
        let cx = Context {
            now,
            local,
            accounts,
            wire,
            raised,
        };
        let parts = Parts {
            gate,
            registrar,
            proxy,
            notifier,
        };
        (cx, parts)
    }

    /// Replaces the accounts (devices added, removed, people's extensions or features
    /// changed). Bindings of devices that are gone or disabled are dropped, and so are
    /// their subscriptions (with a final NOTIFY, `reason=rejected`).
    pub fn set_accounts(&mut self, now: i64, accounts: Accounts) {
        let old = std::mem::replace(&mut self.accounts, accounts);
        for (person, extension) in &self.browsers {
            self.accounts
                .insert(crate::Account::browsers(*person, extension));
        }
        let (mut cx, p) = self.split(now);
        p.notifier.accounts_changed(&mut cx, &old);
        p.registrar.accounts_changed(cx.accounts, cx.raised, &old);
        self.drive(now);
    }

    /// A person opened their first browser (`Some(extension)`) or closed their last one
    /// (`None`): calls to the extension ring call control too, which rings the browsers.
    pub fn set_browser(&mut self, person: i64, extension: Option<&str>) {
        if let Some(old) = self.browsers.remove(&person) {
            let user = crate::Account::browsers(person, &old).sip_username;
            self.accounts.remove(&user);
        }
        if let (Some(extension), Some(_)) = (extension, self.b2bua) {
            self.accounts
                .insert(crate::Account::browsers(person, extension));
            self.browsers.insert(person, extension.to_owned());
        }
    }

    /// The browsers account of a request call control sent (trusted: it checked the
    /// person's session): the one of the From user's extension.
    /// `None` when not from call control; `Some(None)` for a caller who is not a person
    /// here (a citizen on the trunk); else the person as a browsers account (also when
    /// the call comes from one of their phones, relayed: it is call control's call now).
    fn sent_by_call_control(
        &self,
        peer: Flow,
        request: &Message,
    ) -> Option<Option<crate::Account>> {
        if self.b2bua != Some(peer.addr) || peer.transport != crate::flow::Transport::Udp {
            return None;
        }
        let Some(user) = headers::from_user(request) else {
            return Some(None);
        };
        let accounts = self.accounts.devices_of(&user);
        let browsers = accounts
            .iter()
            .find(|a| a.device_id == crate::accounts::BROWSERS);
        Some(match (browsers, accounts.first()) {
            (Some(b), _) => Some((*b).clone()),
            (None, Some(a)) => Some(crate::Account::browsers(a.person_id, &a.extension)),
            (None, None) => None,
        })
    }

    /// Replaces every person's forwarding rules, by their own extension.
    pub fn set_forwarding(&mut self, rules: HashMap<Extension, ForwardingRules>) {
        self.proxy.set_forwarding(Forwarding::new(rules));
    }

    /// Puts back a binding saved before a restart (with the flow it came over). One made
    /// over a TLS or WebSocket connection is deleted instead: that connection is gone and
    /// the device registers again over its next one.
    pub fn restore(&mut self, sip_username: &str, binding: Binding<Flow>) {
        let (accounts, raised) = (&self.accounts, &mut self.raised);
        self.registrar
            .restore(accounts, raised, sip_username, binding);
    }

    /// A connection ended. Registrations made over a TLS or WebSocket connection end
    /// with it (RFC 7118 §6, RFC 5626 §4.2.1: nothing reaches the device until it
    /// connects and registers again); a TCP phone's stay, now reached at its Contact's
    /// address (we connect there), not at the closed connection's port.
    pub fn handle_closed(&mut self, now: i64, flow: Flow) {
        self.proxy.closed(flow);
        let (accounts, raised) = (&self.accounts, &mut self.raised);
        self.registrar.closed(accounts, raised, flow);
        self.drive(now);
    }

    /// The team panel's state of a person changed (the shell feeds the presence hub's
    /// changes): phones subscribed to their presence hear of it. The switch's own view
    /// (calls, registered devices) is used only for people never fed.
    pub fn handle_presence(&mut self, now: i64, person: i64, state: presence::State) {
        let (mut cx, p) = self.split(now);
        let seen = Seen {
            registrar: p.registrar,
            proxy: p.proxy,
        };
        p.notifier.handle_presence(&mut cx, &seen, person, state);
    }

    /// The counts of a person's voicemail box, `new` unheard and `old` heard messages:
    /// the shell's answer to [`Notice::VoicemailCounts`], and every change after it. The
    /// phones watching the box (RFC 3842 `message-summary`) get a NOTIFY when the counts
    /// changed, or their first one; counts of a box nobody watches are dropped.
    pub fn handle_voicemail(&mut self, now: i64, person: i64, new: u32, old: u32) {
        let (mut cx, p) = self.split(now);
        p.notifier.handle_voicemail(&mut cx, person, new, old);
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
                let tag = self.wire.tag();
                if let Some(reply) = sip::parser::answer_refused(&data, &error, Some(&tag)) {
                    self.wire.send(flow, &reply);
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
                if !self.gate.admit(now, &mut self.wire, flow, &message) {
                    return;
                }
                if let Err(error) = sip::check_request(&message) {
                    if message.method() != Some(&Method::Ack) {
                        let reply = message.response(error.status(), &error.reason(), None);
                        self.wire.send(flow, &reply);
                    }
                    return;
                }
                headers::stamp_received(&mut message, flow.addr, flow.transport.reliable());
                self.wire.handle_request(now, message, flow);
            }
            StartLine::Response { .. } => self.wire.handle_response(now, message),
        }
        self.drive(now);
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

    fn answer_save(&mut self, now: i64, ticket: u64, failure: Option<(u16, &'static str)>) {
        let (mut cx, p) = self.split(now);
        p.registrar.saved(&mut cx, ticket, failure);
        self.drive(now);
    }

    /// The parts with timers, each with its next deadline. Every field of the switch is
    /// named here, so a part added later cannot be left out of [`Switch::poll_timeout`]
    /// and [`Switch::handle_timeout`]: the compiler asks where it belongs.
    fn timers(&self) -> [(Timer, &dyn Timed); 4] {
        let Switch {
            local: _,
            accounts: _,
            raised: _,
            // No timers: call control's address and who has a browser open.
            b2bua: _,
            browsers: _,
            // No timers: its tables expire lazily on the next request.
            gate: _,
            wire,
            registrar,
            proxy,
            notifier,
        } = self;
        [
            (Timer::Transactions, wire),
            (Timer::Registrar, registrar),
            (Timer::Proxy, proxy),
            (Timer::Notifier, notifier),
        ]
    }

    /// When [`Switch::handle_timeout`] has work next: the earliest deadline of any part.
    pub fn poll_timeout(&self) -> Option<i64> {
        self.timers()
            .into_iter()
            .filter_map(|(_, part)| part.poll_timeout())
            .min()
    }

    /// Fires everything due at `now`: each part whose deadline passed, in the order of
    /// [`Timer`].
    pub fn handle_timeout(&mut self, now: i64) {
        let due = self.timers().map(|(timer, part)| {
            part.poll_timeout()
                .is_some_and(|at| at <= now)
                .then_some(timer)
        });
        for timer in due.into_iter().flatten() {
            let (mut cx, p) = self.split(now);
            match timer {
                Timer::Transactions => cx.wire.handle_timeout(now),
                Timer::Registrar => p.registrar.handle_timeout(now, cx.accounts, cx.raised),
                Timer::Proxy => p.proxy.handle_timeout(&mut cx, p.registrar.bindings()),
                Timer::Notifier => {
                    let seen = Seen {
                        registrar: p.registrar,
                        proxy: p.proxy,
                    };
                    p.notifier.handle_timeout(&mut cx, &seen);
                }
            }
        }
        self.drive(now);
    }

    /// The next message to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit<Flow>> {
        self.wire.poll_transmit()
    }

    /// The next thing for the shell to do.
    pub fn poll_notice(&mut self) -> Option<Notice> {
        self.raised.poll_notice()
    }

    /// Hands what the transaction layer produced to the parts, then what they raised
    /// for each other to the notifier.
    fn drive(&mut self, now: i64) {
        while let Some(event) = self.wire.poll_event() {
            match event {
                Event::Request { key, message, peer } => self.on_request(now, key, message, peer),
                Event::Response { key, message } => self.on_response(now, key, message),
                Event::Ack { message, .. } => {
                    let (mut cx, p) = self.split(now);
                    p.proxy.ack(&mut cx, p.registrar.bindings(), message);
                }
                Event::Stray { message } => {
                    let (mut cx, p) = self.split(now);
                    p.proxy.stray(&mut cx, message);
                }
                Event::Timeout { key } => {
                    let (mut cx, p) = self.split(now);
                    p.proxy
                        .client_timeout(&mut cx, p.registrar.bindings(), &key);
                }
            }
        }
        if self.raised.has_news() {
            let (mut cx, p) = self.split(now);
            if cx.raised.follows_calls() {
                let (people, calls) = cx.raised.take_news();
                let seen = Seen {
                    registrar: p.registrar,
                    proxy: p.proxy,
                };
                p.notifier.hear(&mut cx, &seen, people, calls);
            } else {
                // Nobody subscribes and no lamp is lit: nobody to tell.
                cx.raised.drop_news();
            }
        }
    }

    fn on_request(&mut self, now: i64, key: Key, mut request: Message, peer: Flow) {
        let trusted = self.sent_by_call_control(peer, &request);
        let (mut cx, p) = self.split(now);
        let method = request.method().cloned().unwrap_or(Method::Options);
        let bindings = p.registrar.bindings();
        if method == Method::Cancel {
            p.proxy.cancel(&mut cx, bindings, &key, &request);
            return;
        }
        let routed = cx.local.pop_own_route(&mut request);
        if headers::to_tag(&request).is_some() {
            let seen = Seen {
                registrar: p.registrar,
                proxy: p.proxy,
            };
            let ours = method == Method::Subscribe
                && p.notifier
                    .resubscribe(&mut cx, &seen, &key, &request, peer, routed);
            if !ours {
                p.proxy
                    .in_dialog(&mut cx, bindings, key, request, peer, routed);
            }
            return;
        }
        match method {
            Method::Register => {
                if !request_uri(&request).is_some_and(|u| cx.local.serves(&u)) {
                    let reason = "Not Found (unknown domain)";
                    cx.wire.reply_status(now, &key, &request, 404, reason);
                    return;
                }
                let side = Challenger::Registrar;
                if let Some(device) = p.gate.check(&mut cx, &key, &request, side, peer) {
                    p.registrar.register(&mut cx, key, request, peer, device);
                }
            }
            Method::Options if is_ping(&request, cx.local) => {
                let mut reply = request.response(200, "OK", Some(&cx.wire.tag()));
                reply.push(HeaderName::Allow, Bytes::from_static(ALLOW));
                cx.wire.reply_once(now, &key, &reply);
            }
            Method::Subscribe => {
                let side = Challenger::Proxy;
                if let Some(watcher) = p.gate.check(&mut cx, &key, &request, side, peer) {
                    let seen = Seen {
                        registrar: p.registrar,
                        proxy: p.proxy,
                    };
                    p.notifier
                        .subscribe(&mut cx, &seen, key, request, peer, watcher);
                }
            }
            Method::Publish => {
                let mut reply = request.response(489, "Bad Event", Some(&cx.wire.tag()));
                reply.push(
                    HeaderName::Other(Bytes::from_static(b"Allow-Events")),
                    Bytes::new(),
                );
                cx.wire.reply_once(now, &key, &reply);
            }
            _ if trusted.is_some() => {
                let caller = trusted.flatten();
                p.proxy
                    .route(&mut cx, bindings, key, request, peer, caller.as_ref());
            }
            _ => {
                let side = Challenger::Proxy;
                if let Some(caller) = p.gate.check(&mut cx, &key, &request, side, peer) {
                    p.proxy
                        .route(&mut cx, bindings, key, request, peer, Some(caller));
                }
            }
        }
    }

    /// A response to a request the switch sent: a branch of the proxy's, a NOTIFY of the
    /// notifier's, or (a 2xx of an INVITE whose fork ended) one for the proxy to pass on.
    fn on_response(&mut self, now: i64, key: Key, response: Message) {
        let (mut cx, p) = self.split(now);
        if key.method == Method::Notify && !p.proxy.is_branch(&key) {
            p.notifier.notify_response(&mut cx, &response);
        } else {
            p.proxy
                .response(&mut cx, p.registrar.bindings(), key, response);
        }
    }
}

/// The Request-URI, parsed.
fn request_uri(request: &Message) -> Option<sip::uri::Uri> {
    match &request.start {
        StartLine::Request { uri, .. } => sip::uri::Uri::parse(uri).ok(),
        StartLine::Response { .. } => None,
    }
}

/// An OPTIONS without a user part to our domain or address is a ping of the server.
fn is_ping(request: &Message, local: &Local) -> bool {
    request_uri(request).is_some_and(|u| u.user.is_none() && local.serves(&u))
}
