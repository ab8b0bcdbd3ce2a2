//! The registrar part of the switch (RFC 3261 §10.3): the devices' bindings, each with
//! the flow its REGISTER came over (NAT and TCP friendly); which connection carries whose
//! registrations; which people have a registered device; and the registrations waiting
//! for the store. A REGISTER reaches it authenticated (see `gate.rs`); the phone hears
//! its 200 only once the store committed ([`Registrar::saved`]).
//!
//! It raises [`Notice::Save`] and [`Notice::Expired`] for the store and
//! [`Notice::Devices`] when a person's first device registered or their last one went
//! away; the notifier hears of the latter through the facade. The proxy reads the
//! bindings ([`Registrar::bindings`]), nothing else.

use crate::accounts::{Account, Accounts};
use crate::context::Context;
use crate::flow::{Flow, Transport};
use crate::headers;
use crate::notice::Notice;
use crate::raised::Raised;
use crate::timed::Timed;
use bytes::Bytes;
use sip::cseq::CSeq;
use sip::name_addr::NameAddr;
use sip::registrar::{Binding, Limits, RegisterError};
use sip::transaction::Key;
use sip::uri::Uri;
use sip::{HeaderName, Message, StartLine};
use std::collections::{HashMap, HashSet};

/// The bindings of every device, by SIP user name.
type Bindings = sip::registrar::Registrar<Flow>;

/// A registration waiting for the store: its answer, and whose bindings to take back
/// if the store cannot keep them (those carrying the REGISTER's Call-ID and CSeq, which
/// the reply repeats).
#[derive(Debug)]
struct PendingSave {
    key: Key,
    /// The 200 to send once committed.
    reply: Message,
    /// The device.
    user: String,
}

/// The registrar's state.
#[derive(Debug)]
pub(crate) struct Registrar {
    bindings: Bindings,
    /// Connections (TCP, TLS, WebSocket) → the devices that registered over them: what
    /// becomes of their registrations when it closes ([`Registrar::closed`]).
    connections: HashMap<Flow, HashSet<String>>,
    /// People with a registered device.
    online: HashSet<i64>,
    pending: HashMap<u64, PendingSave>,
    next_ticket: u64,
}

impl Registrar {
    /// Empty, with the registration `limits`.
    pub(crate) fn new(limits: Limits) -> Registrar {
        Registrar {
            bindings: Bindings::new(limits),
            connections: HashMap::new(),
            online: HashSet::new(),
            pending: HashMap::new(),
            next_ticket: 1,
        }
    }

    /// The bindings, for the proxy (read-only).
    pub(crate) fn bindings(&self) -> &Bindings {
        &self.bindings
    }

    /// Whether a person has a registered device.
    pub(crate) fn is_online(&self, person: i64) -> bool {
        self.online.contains(&person)
    }

    /// A REGISTER of the authenticated device `account` (RFC 3261 §10.3 steps 5–8).
    pub(crate) fn register(
        &mut self,
        cx: &mut Context<'_>,
        key: Key,
        request: Message,
        peer: Flow,
        account: &Account,
    ) {
        let now = cx.now;
        // Step 5: the authenticated device registers its own address (the device name or
        // its person's extension), never someone else's.
        let to_user = request
            .header(&HeaderName::To)
            .and_then(|v| NameAddr::parse(v).ok())
            .and_then(|n| Uri::parse(&n.uri).ok())
            .and_then(|u| headers::uri_user(&u));
        if !to_user
            .as_deref()
            .is_some_and(|u| u == account.sip_username || u == account.extension)
        {
            let reason = "Forbidden (a device registers only its own address)";
            cx.wire.reply_status(now, &key, &request, 403, reason);
            return;
        }
        let user = &account.sip_username;
        let change = match self.bindings.handle_register(now, user, &request, peer) {
            Ok(change) => change,
            Err(error) => {
                let tag = cx.wire.tag();
                let mut reply = request.response(error.status(), &error.to_string(), Some(&tag));
                if let RegisterError::TooBrief { min } = error {
                    reply.push(HeaderName::MinExpires, Bytes::from(min.to_string()));
                }
                cx.wire.reply_once(now, &key, &reply);
                return;
            }
        };
        let mut reply = request.response(200, "OK", Some(&cx.wire.tag()));
        for contact in self.bindings.contact_values(now, user) {
            reply.push(HeaderName::Contact, contact);
        }
        if change.added.is_empty() && change.removed.is_empty() {
            cx.wire.reply_once(now, &key, &reply);
            return;
        }
        if !change.added.is_empty() && peer.transport.reliable() {
            let devices = self.connections.entry(peer).or_default();
            if !devices.contains(user) {
                devices.insert(user.clone());
            }
        }
        self.next_ticket += 1;
        let ticket = self.next_ticket;
        let user = user.clone();
        self.pending
            .insert(ticket, PendingSave { key, reply, user });
        let registered = !change.added.is_empty();
        cx.raised.notice(Notice::Save {
            ticket,
            device_id: account.device_id,
            added: change.added,
            removed: change.removed,
        });
        if registered {
            // The device has a binding now: no need to look at the person's others.
            self.set_online(cx.raised, account.person_id, true);
        } else {
            let (person, extension) = (account.person_id, &account.extension);
            self.update_online_of(cx.accounts, cx.raised, person, extension);
        }
    }

    /// The store committed the bindings of `ticket` (`failure` is `None`), or could not
    /// (the status the phone hears instead, with Retry-After).
    pub(crate) fn saved(
        &mut self,
        cx: &mut Context<'_>,
        ticket: u64,
        failure: Option<(u16, &'static str)>,
    ) {
        let Some(PendingSave { key, reply, user }) = self.pending.remove(&ticket) else {
            return;
        };
        let reply = match failure {
            None => reply,
            Some((code, reason)) => {
                // The phone hears it failed, so it is not registered either: calls must
                // not ring it, nor presence show it (it tries again after Retry-After).
                let call_id = reply
                    .header(&HeaderName::CallId)
                    .cloned()
                    .unwrap_or_default();
                let cseq = reply.header(&HeaderName::CSeq).and_then(CSeq::parse);
                let cseq = cseq.map_or(0, |c| c.seq);
                let gone = self
                    .bindings
                    .remove_where(&user, |b| b.cseq == cseq && *b.call_id == call_id[..]);
                if !gone.is_empty() {
                    self.bindings_gone(cx.accounts, cx.raised, &user, gone);
                }
                let mut failed = reply;
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
        cx.wire.reply_once(cx.now, &key, &reply);
    }

    /// Puts back a binding saved before a restart (with the flow it came over). One made
    /// over a TLS or WebSocket connection is deleted instead: that connection is gone and
    /// the device registers again over its next one.
    pub(crate) fn restore(
        &mut self,
        accounts: &Accounts,
        raised: &mut Raised,
        sip_username: &str,
        mut binding: Binding<Flow>,
    ) {
        let Some(account) = accounts.get(sip_username) else {
            return;
        };
        // Every connection ended with the restart.
        match without_connection(&binding) {
            Some(flow) => binding.flow = flow,
            None => {
                raised.notice(Notice::Expired {
                    device_id: account.device_id,
                    bindings: vec![binding],
                });
                return;
            }
        }
        self.bindings.restore(sip_username, binding);
        if account.enabled {
            self.set_online(raised, account.person_id, true);
        }
    }

    /// A connection ended. Registrations made over a TLS or WebSocket connection end
    /// with it (RFC 7118 §6, RFC 5626 §4.2.1: nothing reaches the device until it
    /// connects and registers again); a TCP phone's stay, now reached at its Contact's
    /// address (we connect there), not at the closed connection's port.
    pub(crate) fn closed(&mut self, accounts: &Accounts, raised: &mut Raised, flow: Flow) {
        let Some(users) = self.connections.remove(&flow) else {
            return;
        };
        for user in users {
            // (None taken: it registered again over another connection.)
            let mut ended = Vec::new();
            for mut b in self.bindings.remove_where(&user, |b| b.flow == flow) {
                match without_connection(&b) {
                    Some(anew) => {
                        b.flow = anew;
                        self.bindings.restore(&user, b);
                    }
                    None => ended.push(b),
                }
            }
            if !ended.is_empty() {
                self.bindings_gone(accounts, raised, &user, ended);
            }
        }
    }

    /// The accounts changed from `old` to `accounts`: bindings of devices that are gone
    /// or disabled are dropped, and people whose registered devices changed are told of.
    pub(crate) fn accounts_changed(
        &mut self,
        accounts: &Accounts,
        raised: &mut Raised,
        old: &Accounts,
    ) {
        for account in old.iter().filter(|a| !accounts.keeps(a)) {
            let gone = self.bindings.remove(&account.sip_username);
            if !gone.is_empty() {
                raised.notice(Notice::Expired {
                    device_id: account.device_id,
                    bindings: gone,
                });
            }
        }
        let now_online: HashSet<i64> = accounts
            .iter()
            .filter(|a| a.enabled && !self.bindings.bindings(&a.sip_username).is_empty())
            .map(|a| a.person_id)
            .collect();
        let changed: Vec<i64> = self
            .online
            .symmetric_difference(&now_online)
            .copied()
            .collect();
        for person_id in changed {
            let online = now_online.contains(&person_id);
            raised.notice(Notice::Devices { person_id, online });
        }
        self.online = now_online;
    }

    /// Bindings that ran out by `now` are deleted.
    pub(crate) fn handle_timeout(&mut self, now: i64, accounts: &Accounts, raised: &mut Raised) {
        let mut expired: HashMap<String, Vec<Binding<Flow>>> = HashMap::new();
        for (user, binding) in self.bindings.handle_timeout(now) {
            expired.entry(user).or_default().push(binding);
        }
        for (user, bindings) in expired {
            self.bindings_gone(accounts, raised, &user, bindings);
        }
    }

    /// Number of registered contacts.
    pub(crate) fn len(&self) -> usize {
        self.bindings.len()
    }

    /// Bindings of device `user` ended (expired, refused by the store, or their
    /// connection closed): deleted from the store, and the person's presence follows.
    fn bindings_gone(
        &mut self,
        accounts: &Accounts,
        raised: &mut Raised,
        user: &str,
        bindings: Vec<Binding<Flow>>,
    ) {
        if let Some(account) = accounts.get(user) {
            raised.notice(Notice::Expired {
                device_id: account.device_id,
                bindings,
            });
            self.update_online_of(accounts, raised, account.person_id, &account.extension);
        }
    }

    /// Raises [`Notice::Devices`] when whether a person has a registered device changed.
    fn update_online_of(
        &mut self,
        accounts: &Accounts,
        raised: &mut Raised,
        person_id: i64,
        extension: &str,
    ) {
        let online = accounts
            .devices_of(extension)
            .iter()
            .any(|a| a.enabled && !self.bindings.bindings(&a.sip_username).is_empty());
        self.set_online(raised, person_id, online);
    }

    /// Raises [`Notice::Devices`] when a person's `online` is news.
    fn set_online(&mut self, raised: &mut Raised, person_id: i64, online: bool) {
        let changed = if online {
            self.online.insert(person_id)
        } else {
            self.online.remove(&person_id)
        };
        if changed {
            raised.notice(Notice::Devices { person_id, online });
        }
    }
}

impl Timed for Registrar {
    /// When a binding runs out next.
    fn poll_timeout(&self) -> Option<i64> {
        self.bindings.poll_timeout()
    }
}

/// Where a binding is reached without the connection its REGISTER came over: a UDP
/// phone where it is, a TCP phone at its Contact's address (we connect there), a TLS or
/// WebSocket device nowhere.
fn without_connection(binding: &Binding<Flow>) -> Option<Flow> {
    match binding.flow.transport {
        Transport::Udp => Some(binding.flow),
        Transport::Tcp => sip::uri::Uri::parse(&Bytes::copy_from_slice(&binding.contact))
            .ok()
            .and_then(|uri| Flow::of_uri(&uri))
            .filter(|f| f.transport.reachable_anew()),
        _ => None,
    }
}
