//! The proxy part of the switch: a stateful forking proxy (RFC 3261 §16). A request for
//! a person goes where the [`Router`] says (`route.rs`): it rings all their registered
//! devices in parallel (`fork.rs`), or the caller hears why not. Calls forward on busy
//! answers and when nobody answers in time (`forwarding.rs`); a phone's call that nobody
//! takes goes on to the voicemail box of whom it rang last, where call control answers
//! (calls call control placed are left to it: it has its own way to the box, and some,
//! a hotline's offer to an agent's phone, must never reach one); CANCEL from the caller,
//! ring timeouts (`cancel.rs`), in-dialog requests along the Record-Route, the ACK of a
//! 2xx and stray responses statelessly (`in_dialog.rs`).
//!
//! Its own state: the running requests (`call_table.rs`), everybody's forwarding rules,
//! the answered calls (`dialogs.rs`, for "on the phone" and busy forwarding) and the
//! Contacts of dialogs over connections (`dialog_contacts.rs`). It reads the registrar's
//! bindings, and raises [`Notice::Call`], [`Notice::Message`] and news of calls for the
//! busy lamps ([`CallNews`]).

mod call_table;
mod cancel;
mod fork;
mod in_dialog;

use crate::accounts::Account;
use crate::context::Context;
use crate::dialog_contacts::DialogContacts;
use crate::dialog_info::CallEvent;
use crate::dialogs::Dialogs;
use crate::flow::Flow;
use crate::forwarding::{Forwarding, Routing};
use crate::headers::{self, pop_first};
use crate::notice::Notice;
use crate::raised::CallNews;
use crate::route::{Bindings, Onward, Ring, Route, Router, Target};
use crate::timed::Timed;
use call_table::CallTable;
use directory::forwarding::Situation;
use fork::{Answer, Fork};
use sip::transaction::Key;
use sip::uri::Uri;
use sip::{HeaderName, Message, Method, StartLine};

/// How a request is forwarded.
#[derive(Debug)]
struct Plan {
    /// A dialog-creating INVITE: record-route, ring timeout, forwarding.
    ring: bool,
    caller_person: Option<i64>,
    routing: Option<Routing>,
    /// A phone's call: nobody taking it sends it to the voicemail box.
    voicemail: bool,
    /// Rings this much longer than the ring timeout (a relayed call: call control times
    /// it out and diverts it to a box itself, from a ring timer it started a moment later).
    grace_ms: i64,
}

/// How much longer than the ring timeout the switch lets a relayed call ring: call
/// control rings the callee for the ring timeout from when the call reached it, then
/// answers for the box; this is only a guard should call control stay silent.
const RELAYED_GRACE_MS: i64 = 5_000;

/// The proxy's state.
#[derive(Debug)]
pub(crate) struct Proxy {
    /// Where people's browsers are rung (call control).
    b2bua: Option<std::net::SocketAddr>,
    /// Every phone call's media through the relay (`[media] relay = "always"`).
    relay_always: bool,
    calls: CallTable,
    forwarding: Forwarding,
    dialogs: Dialogs,
    contacts: DialogContacts,
    ring_timeout_ms: i64,
}

impl Proxy {
    /// No calls yet; a call rings `ring_timeout_ms` at most before the caller hears 480.
    pub(crate) fn new(
        ring_timeout_ms: i64,
        b2bua: Option<std::net::SocketAddr>,
        relay_always: bool,
    ) -> Proxy {
        Proxy {
            b2bua,
            relay_always,
            calls: CallTable::default(),
            forwarding: Forwarding::default(),
            dialogs: Dialogs::default(),
            contacts: DialogContacts::default(),
            ring_timeout_ms,
        }
    }

    /// Replaces everybody's forwarding rules.
    pub(crate) fn set_forwarding(&mut self, forwarding: Forwarding) {
        self.forwarding = forwarding;
    }

    /// Whether a person is in an answered call.
    pub(crate) fn is_busy(&self, person: i64) -> bool {
        self.dialogs.is_busy(person)
    }

    /// Whether a client transaction is one of the proxy's branches.
    pub(crate) fn is_branch(&self, key: &Key) -> bool {
        self.calls.is_branch(key)
    }

    /// Number of requests being forwarded.
    pub(crate) fn len(&self) -> usize {
        self.calls.len()
    }

    /// A connection closed: dialogs made over it lead nowhere now.
    pub(crate) fn closed(&mut self, flow: Flow) {
        self.contacts.closed(flow);
    }

    fn router<'a>(&'a self, cx: &Context<'a>, bindings: &'a Bindings) -> Router<'a> {
        Router {
            accounts: cx.accounts,
            bindings,
            forwarding: &self.forwarding,
            busy: &self.dialogs,
            now: cx.now,
            b2bua: self.b2bua,
        }
    }

    /// An out-of-dialog request for someone (INVITE, MESSAGE, OPTIONS…) from the
    /// authenticated device `caller` (`None`: call control for a caller who is not a
    /// person here, a citizen on the trunk): routed, then forked or refused. A phone's
    /// call whose media must be relayed (behind a router, or `relay_always`) goes to
    /// call control, which places it onward with a relay leg on each side.
    pub(crate) fn route(
        &mut self,
        cx: &mut Context<'_>,
        bindings: &Bindings,
        key: Key,
        mut request: Message,
        peer: Flow,
        caller: Option<&Account>,
    ) {
        let now = cx.now;
        request
            .headers
            .retain(|h| !h.name.same(&HeaderName::ProxyAuthorization));
        // The caller is the authenticated device, whatever its From says.
        if let Some(device) = caller {
            if let Some(from) = request
                .headers
                .iter_mut()
                .find(|h| h.name.same(&HeaderName::From))
            {
                if let Some(own) =
                    crate::identity::own_from(&from.value, &device.sip_username, &device.extension)
                {
                    from.value = own;
                }
            }
        }
        let uri = match &request.start {
            StartLine::Request { uri, .. } => Uri::parse(uri).ok(),
            StartLine::Response { .. } => None,
        };
        let Some(uri) = uri else {
            cx.wire
                .reply_status(now, &key, &request, 416, "Unsupported URI Scheme");
            return;
        };
        if !cx.local.serves(&uri) {
            let reason = "Forbidden (calls to other domains are not routed)";
            cx.wire.reply_status(now, &key, &request, 403, reason);
            return;
        }
        let user = headers::uri_user(&uri).unwrap_or_default();
        let invite = request.method() == Some(&Method::Invite);
        if let (Some(caller), Some(&Method::Message)) = (caller, request.method()) {
            if let Some(chat) =
                crate::message::to_chat(cx.accounts, caller.person_id, &user, &request)
            {
                cx.raised.notice(chat);
            }
        }
        let from_a_phone = caller.is_some_and(|a| a.device_id != crate::accounts::BROWSERS);
        let relayed = self.b2bua.is_some()
            && invite
            && from_a_phone
            && (self.relay_always || crate::relay::behind_router(&request, peer));
        // Call control's own calls reach boxes through call control (it diverts them),
        // relayed ones too: they are call control's calls.
        let voicemail = invite && from_a_phone && !relayed;
        let route = match self.b2bua {
            Some(at) if relayed => crate::relay::to_call_control(&user, at),
            _ => self.router(cx, bindings).route(&user, invite),
        };
        match route {
            Route::Fork(Ring { targets, routing }) => {
                let plan = Plan {
                    ring: invite,
                    caller_person: caller.map(|a| a.person_id),
                    routing,
                    voicemail,
                    grace_ms: if relayed { RELAYED_GRACE_MS } else { 0 },
                };
                self.start(cx, key, request, peer, targets, plan);
            }
            Route::Voicemail(target) if voicemail => {
                let plan = Plan {
                    ring: true,
                    caller_person: caller.map(|a| a.person_id),
                    routing: None,
                    voicemail: false,
                    grace_ms: 0,
                };
                self.start(cx, key, request, peer, vec![target], plan);
            }
            Route::Voicemail(_) => {
                let reason = "Temporarily Unavailable";
                cx.wire.reply_status(now, &key, &request, 480, reason);
            }
            Route::Reject(status) => {
                cx.wire
                    .reply_status(now, &key, &request, status.code, status.reason);
            }
        }
    }

    /// A request inside a dialog: it follows the route set we put ourselves into.
    pub(crate) fn in_dialog(
        &mut self,
        cx: &mut Context<'_>,
        bindings: &Bindings,
        key: Key,
        request: Message,
        peer: Flow,
        routed: bool,
    ) {
        let now = cx.now;
        if !routed {
            let reason = "Call/Transaction Does Not Exist";
            cx.wire.reply_status(now, &key, &request, 481, reason);
            return;
        }
        if request.method() == Some(&Method::Bye) {
            // RFC 3261 §15.1.1: the call is over once one side sends BYE, whatever
            // becomes of the BYE (the other side may be gone with its connection).
            if let Some(call_id) = request.header(&HeaderName::CallId) {
                for person_id in self.dialogs.ended(call_id) {
                    let active = false;
                    cx.raised.notice(Notice::Call { person_id, active });
                }
                if cx.raised.follows_calls() {
                    let call_id = String::from_utf8_lossy(call_id).into_owned();
                    cx.raised.call(CallNews::EndedEverywhere { call_id });
                }
            }
        }
        let Some(flow) = in_dialog::next_flow(&request, bindings, &self.contacts) else {
            cx.wire
                .reply_status(now, &key, &request, 404, "Not Found (no route)");
            return;
        };
        let target = Target {
            uri: None,
            flow,
            person: None,
        };
        let plan = Plan {
            ring: false,
            caller_person: None,
            routing: None,
            voicemail: false,
            grace_ms: 0,
        };
        self.start(cx, key, request, peer, vec![target], plan);
    }

    /// ACK of a 2xx: on along the route set, statelessly.
    pub(crate) fn ack(&self, cx: &mut Context<'_>, bindings: &Bindings, ack: Message) {
        in_dialog::forward_ack(cx, bindings, &self.contacts, ack);
    }

    /// A response no transaction of ours waits for.
    pub(crate) fn stray(&self, cx: &mut Context<'_>, response: Message) {
        in_dialog::forward_stray(cx, response);
    }

    /// Sends `request` to `targets` and keeps the fork.
    fn start(
        &mut self,
        cx: &mut Context<'_>,
        key: Key,
        mut request: Message,
        peer: Flow,
        targets: Vec<Target>,
        plan: Plan,
    ) {
        let now = cx.now;
        if !headers::decrement_max_forwards(&mut request) {
            cx.wire
                .reply_status(now, &key, &request, 483, "Too Many Hops");
            return;
        }
        if request.method() == Some(&Method::Invite) {
            self.contacts.note(&request, peer);
            let trying = request.response(100, "Trying", None);
            cx.wire.reply(now, &key, &trying);
        }
        let ring_from = plan.ring.then_some(peer.transport);
        let branches = fork::branches(cx, &request, targets, ring_from);
        if branches.is_empty() {
            cx.wire
                .reply_status(now, &key, &request, 500, "Server Internal Error");
            return;
        }
        let deadline = plan.ring.then(|| {
            let ring = self
                .forwarding
                .ring_ms(plan.routing.as_ref(), self.ring_timeout_ms);
            now + ring + plan.grace_ms
        });
        let mut fork = Fork::new(
            key,
            peer,
            request,
            branches,
            plan.caller_person,
            plan.routing,
        );
        if plan.voicemail {
            fork.may_go_to_voicemail();
        }
        // Busy lamps: only while someone subscribes (the INVITE path stays as it was).
        if plan.ring && cx.raised.follows_new_calls() {
            lamps_ring(cx, fork.request(), plan.caller_person, fork.callees());
        }
        self.calls.insert(fork, deadline);
    }

    /// Forwards a running call after `situation` when its extension has a rule for it:
    /// the new extension's devices ring in the same transaction, or a rule's box answers
    /// (a phone's call; call control's own end as they are, for it to divert). `false`
    /// when it stays.
    fn reroute(
        &mut self,
        cx: &mut Context<'_>,
        bindings: &Bindings,
        id: u64,
        situation: Situation,
    ) -> bool {
        let Some(mut routing) = self.calls.get_mut(id).and_then(Fork::take_routing) else {
            return false;
        };
        let router = self.router(cx, bindings);
        let onward = router.forward(&mut routing, situation);
        let ring = self
            .forwarding
            .ring_ms(Some(&routing), self.ring_timeout_ms);
        let Some(fork) = self.calls.get_mut(id) else {
            return false;
        };
        fork.set_routing(routing);
        match onward {
            Onward::Ring(targets) => self.ring_onward(cx, id, targets, ring, true),
            Onward::Voicemail(target) if fork.voicemail_allowed() => {
                if situation == Situation::NoAnswer {
                    // Should the box refuse, the caller hears that nobody answered.
                    fork.ring_timed_out();
                }
                self.ring_onward(cx, id, vec![target], ring, false)
            }
            Onward::Voicemail(_) | Onward::Stays => false,
        }
    }

    /// Instead of the failure a phone's call would end with (nobody answered in time,
    /// every device busy or declined, or only call control's refusals), call control
    /// answers for the voicemail box of the extension it rang at last. `false` when the
    /// call is no such call, or is at a box already.
    fn divert_to_voicemail(&mut self, cx: &mut Context<'_>, bindings: &Bindings, id: u64) -> bool {
        let Some(fork) = self.calls.get_mut(id) else {
            return false;
        };
        if !fork.unanswered_for_voicemail() {
            return false;
        }
        // Taken for good: from the box the call goes nowhere else.
        let Some(routing) = fork.take_routing().filter(|r| !r.to_voicemail()) else {
            return false;
        };
        let Some(target) = self.router(cx, bindings).voicemail(&routing) else {
            return false;
        };
        self.ring_onward(cx, id, vec![target], self.ring_timeout_ms, false)
    }

    /// Rings `targets` in a running call's transaction for `ring` ms, in place of the
    /// devices that rang so far. `fresh`: what those answered no longer counts (forwarded
    /// to other people); else it is still the caller's answer should the new branches
    /// fail too (a box switched off: the caller hears what they would have without it).
    fn ring_onward(
        &mut self,
        cx: &mut Context<'_>,
        id: u64,
        targets: Vec<Target>,
        ring: i64,
        fresh: bool,
    ) -> bool {
        let Some(fork) = self.calls.get_mut(id) else {
            return false;
        };
        let (request, from) = (fork.request().clone(), fork.caller().transport);
        let earlier = fork.callees();
        let branches = fork::branches(cx, &request, targets, Some(from));
        if branches.is_empty() {
            return false;
        }
        if cx.raised.follows_calls() {
            let call_id = call_id_of(&request);
            for person in people(earlier) {
                let event = CallEvent::Ended {
                    call_id: call_id.clone(),
                };
                cx.raised.call(CallNews::Of { person, event });
            }
            let callees = branches.iter().filter_map(|b| b.person()).collect();
            lamps_ring(cx, &request, None, callees);
        }
        self.calls.forwarded(id, branches, cx.now + ring, fresh);
        true
    }

    /// A response of one of our branches, or a stray 2xx of an INVITE.
    pub(crate) fn response(
        &mut self,
        cx: &mut Context<'_>,
        bindings: &Bindings,
        key: Key,
        response: Message,
    ) {
        let now = cx.now;
        let code = response.code().unwrap_or(500);
        let Some((id, index)) = self.calls.of_branch(&key) else {
            // A 2xx retransmission after the call's context ended still has to reach
            // the caller until it ACKs (RFC 6026 §7.2).
            if (200..300).contains(&code) && key.method == Method::Invite {
                in_dialog::forward_stray(cx, response);
            }
            return;
        };
        if code == 100 {
            return;
        }
        let mut upstream = response;
        pop_first(&mut upstream, &HeaderName::Via);
        let Some(fork) = self.calls.get_mut(id) else {
            return;
        };
        match code {
            101..=199 => {
                let cancel = fork.provisional(index);
                cancel::send(cx, cancel.into_iter().collect());
                if !fork.is_answered() {
                    cx.wire.reply(now, fork.server(), &upstream);
                }
            }
            200..=299 => {
                let (flow, callee) = fork.branch_target(index);
                self.contacts.note(&upstream, flow);
                if fork.answered(index) == Answer::Again {
                    cx.wire.send(fork.caller(), &upstream);
                    return;
                }
                cx.wire.reply(now, fork.server(), &upstream);
                let people: Vec<i64> = fork.caller_person().into_iter().chain(callee).collect();
                let invite = fork.server().method == Method::Invite;
                let cancels = fork.cancel();
                if invite {
                    self.answered(cx, &upstream, people);
                }
                cancel::send(cx, cancels);
            }
            _ => {
                if fork.failed(index, upstream) {
                    let cancels = fork.cancel();
                    cancel::send(cx, cancels);
                }
            }
        }
        self.finish_if_done(cx, bindings, id);
    }

    /// A call was answered (its 2xx passed): its people are on the phone.
    fn answered(&mut self, cx: &mut Context<'_>, ok: &Message, people: Vec<i64>) {
        let Some(call_id) = ok.header(&HeaderName::CallId) else {
            return;
        };
        if cx.raised.follows_calls() {
            let to_tag = headers::to_tag(ok).map(|t| String::from_utf8_lossy(&t).into_owned());
            let call_id = String::from_utf8_lossy(call_id).into_owned();
            for &person in &people {
                let event = CallEvent::Answered {
                    call_id: call_id.clone(),
                    to_tag: to_tag.clone(),
                };
                cx.raised.call(CallNews::Of { person, event });
            }
        }
        for person_id in self.dialogs.answered(cx.now, call_id.clone(), people) {
            cx.raised.notice(Notice::Call {
                person_id,
                active: true,
            });
        }
    }

    /// CANCEL from the caller (RFC 3261 §16.10).
    pub(crate) fn cancel(
        &mut self,
        cx: &mut Context<'_>,
        bindings: &Bindings,
        key: &Key,
        cancel: &Message,
    ) {
        let invite = Key {
            method: Method::Invite,
            ..key.clone()
        };
        let Some(id) = self.calls.of_server(&invite) else {
            let reason = "Call/Transaction Does Not Exist";
            cx.wire.reply_status(cx.now, key, cancel, 481, reason);
            return;
        };
        let ok = cancel.response(200, "OK", None);
        cx.wire.reply(cx.now, key, &ok);
        let Some(fork) = self.calls.get_mut(id) else {
            return;
        };
        if !fork.is_answered() {
            let cancels = fork.cancelled_by_caller();
            cancel::send(cx, cancels);
            self.finish_if_done(cx, bindings, id);
        }
    }

    /// A branch got no final answer in time (Timer B/F): it counts as 408.
    pub(crate) fn client_timeout(&mut self, cx: &mut Context<'_>, bindings: &Bindings, key: &Key) {
        let Some((id, index)) = self.calls.of_branch(key) else {
            return;
        };
        let Some(fork) = self.calls.get_mut(id) else {
            return;
        };
        fork.branch_timed_out(index);
        self.finish_if_done(cx, bindings, id);
    }

    /// Ring timeouts (and no-answer forwarding), and answered calls a day old.
    pub(crate) fn handle_timeout(&mut self, cx: &mut Context<'_>, bindings: &Bindings) {
        while let Some(id) = self.calls.pop_due(cx.now) {
            let Some(fork) = self.calls.get_mut(id) else {
                continue;
            };
            if fork.is_answered() {
                continue;
            }
            let cancels = fork.cancel();
            cancel::send(cx, cancels);
            if !self.reroute(cx, bindings, id, Situation::NoAnswer) {
                if let Some(fork) = self.calls.get_mut(id) {
                    fork.ring_timed_out();
                }
            }
            self.finish_if_done(cx, bindings, id);
        }
        for person_id in self.dialogs.handle_timeout(cx.now) {
            let active = false;
            cx.raised.notice(Notice::Call { person_id, active });
            cx.raised.call(CallNews::Forgotten { person: person_id });
        }
    }

    /// Sends the final answer once every branch is done, and forgets the fork; when
    /// every device was busy, busy forwarding may take the call on instead, and a
    /// phone's call nobody took goes to the voicemail box.
    fn finish_if_done(&mut self, cx: &mut Context<'_>, bindings: &Bindings, id: u64) {
        let Some(fork) = self.calls.get_mut(id) else {
            return;
        };
        if !fork.is_done() {
            return;
        }
        if fork.is_busy() && self.reroute(cx, bindings, id, Situation::Busy) {
            return;
        }
        if self.divert_to_voicemail(cx, bindings, id) {
            return;
        }
        let Some(fork) = self.calls.remove(id) else {
            return;
        };
        if fork.is_answered() {
            return;
        }
        if fork.server().method == Method::Invite && cx.raised.follows_calls() {
            let call_id = call_id_of(fork.request());
            let all = fork.caller_person().into_iter().chain(fork.callees());
            for person in people(all.collect()) {
                let call_id = call_id.clone();
                let event = CallEvent::Ended { call_id };
                cx.raised.call(CallNews::Of { person, event });
            }
        }
        let tag = cx.wire.tag();
        if let Some((server, reply)) = fork.final_answer(&tag) {
            cx.wire.reply(cx.now, &server, &reply);
        }
    }
}

impl Timed for Proxy {
    /// The next ring timeout, or the next answered call to forget. Every field is named,
    /// so a timer added to the proxy cannot be left out.
    fn poll_timeout(&self) -> Option<i64> {
        let Proxy {
            calls,
            dialogs,
            forwarding: _,
            contacts: _,
            ring_timeout_ms: _,
            b2bua: _,
            relay_always: _,
        } = self;
        [calls.poll_timeout(), dialogs.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
    }
}

/// Busy lamps of a new call (or of the extension a call was forwarded to): the caller
/// is calling, the callees' phones ring.
fn lamps_ring(cx: &mut Context<'_>, invite: &Message, caller: Option<i64>, callees: Vec<i64>) {
    let call_id = call_id_of(invite);
    if let Some(person) = caller {
        let event = CallEvent::calling(&call_id, invite);
        cx.raised.call(CallNews::Of { person, event });
    }
    for person in people(callees) {
        let event = CallEvent::ringing(&call_id, invite);
        cx.raised.call(CallNews::Of { person, event });
    }
}

fn call_id_of(request: &Message) -> String {
    let call_id = request.header(&HeaderName::CallId).map(|c| &c[..]);
    String::from_utf8_lossy(call_id.unwrap_or_default()).into_owned()
}

/// Each person once.
fn people(mut list: Vec<i64>) -> Vec<i64> {
    list.sort_unstable();
    list.dedup();
    list
}
