//! The stateful forking proxy (RFC 3261 §16): a request for a person rings all their
//! registered devices in parallel; provisional answers go back to the caller, the first
//! 2xx wins and the other branches are cancelled; when every branch failed the best
//! failure goes back (§16.7 step 6). CANCEL from the caller (§16.10), ring timeout,
//! in-dialog requests along the Record-Route, ACK of 2xx and stray responses statelessly.

use crate::accounts::Target as Named;
use crate::flow::Flow;
use crate::forwarding::Routing;
use crate::headers::{self, pop_first};
use crate::notifier::CallEvent;
use crate::register::Challenger;
use crate::switch::{Notice, Switch};
use bytes::Bytes;
use directory::forwarding::Situation;
use sip::transaction::Key;
use sip::uri::Uri;
use sip::via::Via;
use sip::{Header, HeaderName, Message, Method, StartLine};
use std::collections::{BTreeSet, HashMap};

/// How a request is forwarded.
#[derive(Debug)]
struct Plan {
    /// A dialog-creating INVITE: record-route, ring timeout, forwarding.
    ring: bool,
    caller_person: Option<i64>,
    routing: Option<Routing>,
}

/// Where one branch goes.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// New Request-URI (a registered contact); `None` keeps it (in-dialog).
    uri: Option<Bytes>,
    flow: Flow,
    person: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BranchState {
    /// Sent, nothing but 100 back.
    Trying,
    /// A provisional answer came: it can be cancelled.
    Ringing,
    /// Cancelled before anything came back: send CANCEL when a provisional arrives
    /// (RFC 3261 §9.1), but do not wait for it.
    CancelWhenRinging,
    /// Final answer received, cancelled or timed out.
    Done,
}

#[derive(Debug)]
struct Branch {
    key: Key,
    request: Message,
    flow: Flow,
    person: Option<i64>,
    state: BranchState,
}

#[derive(Debug)]
struct Context {
    server: Key,
    caller: Flow,
    request: Message,
    branches: Vec<Branch>,
    best: Option<Message>,
    finished: bool,
    answered: bool,
    cancelled: bool,
    timed_out: bool,
    caller_person: Option<i64>,
    deadline: Option<i64>,
    /// A call to an extension: where it rings and how it was forwarded so far.
    routing: Option<Routing>,
}

/// The proxy's running requests.
#[derive(Debug, Default)]
pub struct Calls {
    contexts: HashMap<u64, Context>,
    by_server: HashMap<Key, u64>,
    by_client: HashMap<Key, (u64, usize)>,
    deadlines: BTreeSet<(i64, u64)>,
    next: u64,
}

impl Calls {
    /// The next ring timeout.
    pub fn poll_timeout(&self) -> Option<i64> {
        self.deadlines.first().map(|(at, _)| *at)
    }

    /// Number of requests being forwarded.
    pub fn len(&self) -> usize {
        self.contexts.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.contexts.is_empty()
    }
}

/// RFC 3261 §16.7 step 6: 6xx first, then the lowest class; within a class a definite
/// answer (busy, declined) before "nobody answered" (408, 480, 487).
fn rank(code: u16) -> u16 {
    let vague = matches!(code, 408 | 480 | 487);
    match code {
        600..=699 => 0,
        _ => (code / 100) * 10 + u16::from(vague),
    }
}

fn cancel_for(request: &Message) -> Message {
    // RFC 3261 §9.1: same Request-URI, Call-ID, To, From, CSeq number and top Via; Route
    // as in the request.
    let mut headers = Vec::new();
    if let Some(via) = request.header_values(&HeaderName::Via).into_iter().next() {
        headers.push(Header {
            name: HeaderName::Via,
            value: via,
        });
    }
    for h in &request.headers {
        if matches!(
            h.name,
            HeaderName::From | HeaderName::To | HeaderName::CallId | HeaderName::Route
        ) {
            headers.push(h.clone());
        }
    }
    let seq = request
        .header(&HeaderName::CSeq)
        .and_then(sip::cseq::CSeq::parse)
        .map_or(1, |c| c.seq);
    headers.push(Header {
        name: HeaderName::CSeq,
        value: Bytes::from(format!("{seq} CANCEL")),
    });
    headers.push(Header {
        name: HeaderName::MaxForwards,
        value: Bytes::from_static(b"70"),
    });
    let uri = match &request.start {
        StartLine::Request { uri, .. } => uri.clone(),
        StartLine::Response { .. } => Bytes::new(),
    };
    Message {
        start: StartLine::Request {
            method: Method::Cancel,
            uri,
        },
        headers,
        body: Bytes::new(),
    }
}

impl Switch {
    /// An out-of-dialog request for someone (INVITE, MESSAGE, OPTIONS…): authenticate the
    /// device, find the person's registered devices, fork.
    pub(crate) fn route_to_person(&mut self, now: i64, key: Key, mut request: Message, peer: Flow) {
        let Some(caller) = self.authenticate(now, &key, &request, Challenger::Proxy, peer) else {
            return;
        };
        request
            .headers
            .retain(|h| !h.name.same(&HeaderName::ProxyAuthorization));
        let uri = match &request.start {
            StartLine::Request { uri, .. } => Uri::parse(uri).ok(),
            StartLine::Response { .. } => None,
        };
        let Some(uri) = uri else {
            self.reply_status(now, &key, &request, 416, "Unsupported URI Scheme");
            return;
        };
        if !self.local.serves(&uri) {
            let reason = "Forbidden (calls to other domains are not routed)";
            self.reply_status(now, &key, &request, 403, reason);
            return;
        }
        let user = headers::uri_user(&uri).unwrap_or_default();
        let invite = request.method() == Some(&Method::Invite);
        if request.method() == Some(&Method::Message) {
            self.message_to_chat(caller.person_id, &user, &request);
        }
        let (mut targets, routing) = match self.accounts.target(&user) {
            Named::Extension(ext) => {
                let mut routing = self.route_call(ext, invite);
                let mut targets = self.ring_targets(now, &routing.extension);
                // Nobody registered there: as if nobody answered (no-answer forwarding).
                while targets.is_empty() && self.forward_after(&mut routing, Situation::NoAnswer) {
                    targets = self.ring_targets(now, &routing.extension);
                }
                (targets, Some(routing))
            }
            Named::Device(account) => {
                let user = account.sip_username.clone();
                (self.device_targets(now, &user), None)
            }
            Named::Unknown => {
                self.reply_status(now, &key, &request, 404, "Not Found");
                return;
            }
        };
        if targets.is_empty() {
            self.reply_status(now, &key, &request, 480, "Temporarily Unavailable");
            return;
        }
        targets.dedup_by(|a, b| a.uri == b.uri);
        let plan = Plan {
            ring: invite,
            caller_person: Some(caller.person_id),
            routing,
        };
        self.fork(now, key, request, peer, targets, plan);
    }

    /// The registered contacts of every enabled device of an extension's person.
    fn ring_targets(&self, now: i64, extension: &str) -> Vec<Target> {
        self.accounts
            .devices_of(extension)
            .iter()
            .flat_map(|a| self.device_targets(now, &a.sip_username))
            .collect()
    }

    /// The registered contacts of one device.
    fn device_targets(&self, now: i64, user: &str) -> Vec<Target> {
        let Some(account) = self.accounts.get(user).filter(|a| a.enabled) else {
            return Vec::new();
        };
        let mut targets = Vec::new();
        for b in self.registrar.bindings(user) {
            if b.expires_at <= now {
                continue;
            }
            targets.push(Target {
                uri: Some(Bytes::copy_from_slice(&b.contact)),
                flow: b.flow,
                person: Some(account.person_id),
            });
        }
        targets
    }

    /// A request inside a dialog: it follows the route set we put ourselves into.
    pub(crate) fn forward_in_dialog(
        &mut self,
        now: i64,
        key: Key,
        request: Message,
        peer: Flow,
        routed: bool,
    ) {
        if !routed {
            let reason = "Call/Transaction Does Not Exist";
            self.reply_status(now, &key, &request, 481, reason);
            return;
        }
        let Some(flow) = self.next_flow(&request) else {
            self.reply_status(now, &key, &request, 404, "Not Found (no route)");
            return;
        };
        if request.method() == Some(&Method::Bye) {
            if let Some(call_id) = request.header(&HeaderName::CallId).cloned() {
                for person_id in self.dialogs.ended(&call_id) {
                    self.presence_notice(Notice::Call {
                        person_id,
                        active: false,
                    });
                }
                if self.follows_calls() {
                    self.call_ended_everywhere(now, &String::from_utf8_lossy(&call_id));
                }
            }
        }
        let target = Target {
            uri: None,
            flow,
            person: None,
        };
        let plan = Plan {
            ring: false,
            caller_person: None,
            routing: None,
        };
        self.fork(now, key, request, peer, vec![target], plan);
    }

    /// Where an in-dialog request or ACK goes: the next Route, else the Request-URI
    /// (through the flow its device registered over, when it is a registered contact).
    fn next_flow(&self, request: &Message) -> Option<Flow> {
        if request.header(&HeaderName::Route).is_none() {
            if let StartLine::Request { uri, .. } = &request.start {
                if let Some(binding) = self.registrar.find_contact(uri) {
                    return Some(binding.flow);
                }
                if let Some(flow) = self.dialog_contacts.get(uri) {
                    return Some(flow);
                }
            }
        }
        headers::next_hop(request)
    }

    fn fork(
        &mut self,
        now: i64,
        key: Key,
        mut request: Message,
        peer: Flow,
        targets: Vec<Target>,
        plan: Plan,
    ) {
        if !headers::decrement_max_forwards(&mut request) {
            self.reply_status(now, &key, &request, 483, "Too Many Hops");
            return;
        }
        let invite = request.method() == Some(&Method::Invite);
        if invite {
            self.dialog_contacts.note(&request, peer);
            let trying = request.response(100, "Trying", None);
            self.reply(now, &key, &trying);
        }
        let id = self.calls.next;
        self.calls.next += 1;
        let ring_from = plan.ring.then_some(peer.transport);
        let branches = self.spawn_branches(now, id, 0, &request, targets, ring_from);
        if branches.is_empty() {
            self.reply_status(now, &key, &request, 500, "Server Internal Error");
            return;
        }
        // Busy lamps: only while someone subscribes (the INVITE path stays as it was).
        if plan.ring && !self.subs.is_empty() {
            let callees: Vec<i64> = branches.iter().filter_map(|b| b.person).collect();
            self.lamps_ring(now, &request, plan.caller_person, &callees);
        }
        let deadline = plan
            .ring
            .then(|| now + self.ring_for(plan.routing.as_ref()));
        if let Some(at) = deadline {
            self.calls.deadlines.insert((at, id));
        }
        self.calls.by_server.insert(key.clone(), id);
        self.calls.contexts.insert(
            id,
            Context {
                server: key,
                caller: peer,
                request,
                branches,
                best: None,
                finished: false,
                answered: false,
                cancelled: false,
                timed_out: false,
                caller_person: plan.caller_person,
                deadline,
                routing: plan.routing,
            },
        );
    }

    /// How long the devices ring: until no-answer forwarding, else the ring timeout.
    fn ring_for(&self, routing: Option<&Routing>) -> i64 {
        let ring = self.settings.ring_timeout_ms;
        routing
            .and_then(|r| self.no_answer_after(r))
            .map_or(ring, |forward| forward.min(ring))
    }

    /// Sends `request` to each target in a client transaction of its own; branch numbers
    /// start at `first`.
    fn spawn_branches(
        &mut self,
        now: i64,
        id: u64,
        first: usize,
        request: &Message,
        targets: Vec<Target>,
        ring_from: Option<crate::flow::Transport>,
    ) -> Vec<Branch> {
        let method = request.method().cloned().unwrap_or(Method::Options);
        let mut branches = Vec::new();
        for t in targets {
            let mut m = request.clone();
            if let Some(uri) = t.uri {
                m.start = StartLine::Request {
                    method: method.clone(),
                    uri,
                };
            }
            // Record-Route on dialog-creating requests (RFC 3261 §16.6 step 4; two when TLS
            // meets another transport, RFC 5658): in-dialog requests come back through us.
            for rr in ring_from.map_or(vec![], |from| self.local.record_routes(from, t.flow)) {
                m.push_front(HeaderName::RecordRoute, rr);
            }
            let branch = self.branch();
            m.push_front(HeaderName::Via, self.local.via(t.flow.transport, &branch));
            let reliable = t.flow.transport.reliable();
            if let Ok(client) = self.tx.send_request(now, m.clone(), t.flow, reliable) {
                self.calls
                    .by_client
                    .insert(client.clone(), (id, first + branches.len()));
                branches.push(Branch {
                    key: client,
                    request: m,
                    flow: t.flow,
                    person: t.person,
                    state: BranchState::Trying,
                });
            }
        }
        branches
    }

    /// Forwards a running call after `situation` when its extension has a rule for it:
    /// the new extension's devices ring in the same transaction. `false` when it stays.
    fn reroute(&mut self, now: i64, id: u64, situation: Situation) -> bool {
        let Some(mut routing) = self
            .calls
            .contexts
            .get_mut(&id)
            .and_then(|c| c.routing.take())
        else {
            return false;
        };
        let mut targets = Vec::new();
        let mut why = situation;
        while self.forward_after(&mut routing, why) {
            targets = self.ring_targets(now, &routing.extension);
            if !targets.is_empty() {
                break;
            }
            why = Situation::NoAnswer; // nobody registered there
        }
        let ring = self.ring_for(Some(&routing));
        let Some(ctx) = self.calls.contexts.get_mut(&id) else {
            return false;
        };
        ctx.routing = Some(routing);
        if targets.is_empty() {
            return false;
        }
        let (request, first, from) = (ctx.request.clone(), ctx.branches.len(), ctx.caller);
        let earlier: Vec<i64> = ctx.branches.iter().filter_map(|b| b.person).collect();
        let old = ctx.deadline.take();
        let ring_from = Some(from.transport);
        let branches = self.spawn_branches(now, id, first, &request, targets, ring_from);
        if !branches.is_empty() && self.follows_calls() {
            let call_id = call_id_of(&request);
            for person in people(earlier) {
                self.call_event(now, person, &call_id, CallEvent::Ended);
            }
            let callees: Vec<i64> = branches.iter().filter_map(|b| b.person).collect();
            self.lamps_ring(now, &request, None, &callees);
        }
        let Some(ctx) = self.calls.contexts.get_mut(&id) else {
            return false;
        };
        if branches.is_empty() {
            ctx.deadline = old;
            return false;
        }
        ctx.branches.extend(branches);
        // What the earlier extension answered no longer decides the outcome.
        ctx.best = None;
        let at = now + ring;
        ctx.deadline = Some(at);
        if let Some(old) = old {
            self.calls.deadlines.remove(&(old, id));
        }
        self.calls.deadlines.insert((at, id));
        true
    }

    /// A response of one of our branches.
    pub(crate) fn on_response(&mut self, now: i64, key: Key, response: Message) {
        let code = response.code().unwrap_or(500);
        let Some(&(id, index)) = self.calls.by_client.get(&key) else {
            // A 2xx retransmission after the call's context ended still has to reach
            // the caller until it ACKs (RFC 6026 §7.2); everything else is ours.
            if (200..300).contains(&code) && key.method == Method::Invite {
                self.forward_stray(response);
            } else if key.method == Method::Notify {
                self.on_notify_response(now, &response);
            }
            return;
        };
        if code == 100 {
            return;
        }
        let mut upstream = response;
        pop_first(&mut upstream, &HeaderName::Via);
        let Some(ctx) = self.calls.contexts.get_mut(&id) else {
            return;
        };
        let state = ctx.branches[index].state;
        let (server, caller, finished) = (ctx.server.clone(), ctx.caller, ctx.finished);
        match code {
            101..=199 => {
                if state == BranchState::CancelWhenRinging {
                    ctx.branches[index].state = BranchState::Done;
                    let (req, flow) = (
                        ctx.branches[index].request.clone(),
                        ctx.branches[index].flow,
                    );
                    self.send_cancel(now, &req, flow);
                } else if state == BranchState::Trying {
                    ctx.branches[index].state = BranchState::Ringing;
                }
                if !finished {
                    self.reply(now, &server, &upstream);
                }
            }
            200..=299 => {
                ctx.branches[index].state = BranchState::Done;
                self.dialog_contacts
                    .note(&upstream, ctx.branches[index].flow);
                if finished {
                    if ctx.answered {
                        // Another device answered too: the caller's UA sorts it out
                        // (RFC 3261 §16.7 step 5 forwards every 2xx).
                        self.send(caller, &upstream);
                    }
                    return;
                }
                ctx.finished = true;
                ctx.answered = true;
                let people: Vec<i64> = ctx
                    .caller_person
                    .into_iter()
                    .chain(ctx.branches[index].person)
                    .collect();
                let invite = server.method == Method::Invite;
                self.reply(now, &server, &upstream);
                if invite {
                    if let Some(call_id) = upstream.header(&HeaderName::CallId).cloned() {
                        if self.follows_calls() {
                            let to_tag = headers::to_tag(&upstream);
                            let to_tag = to_tag.as_deref().map(String::from_utf8_lossy);
                            let call_id = String::from_utf8_lossy(&call_id);
                            for &person in &people {
                                let answered = CallEvent::Answered(to_tag.as_deref());
                                self.call_event(now, person, &call_id, answered);
                            }
                        }
                        for person_id in self.dialogs.answered(now, call_id, people) {
                            self.presence_notice(Notice::Call {
                                person_id,
                                active: true,
                            });
                        }
                    }
                }
                self.cancel_branches(now, id);
            }
            _ => {
                ctx.branches[index].state = BranchState::Done;
                let better = ctx
                    .best
                    .as_ref()
                    .is_none_or(|b| rank(code) < rank(b.code().unwrap_or(500)));
                if better {
                    if code == 503 {
                        // §16.7 step 6: a 503 becomes 500 upstream (it is about the callee).
                        upstream.start = StartLine::Response {
                            code: 500,
                            reason: Bytes::from_static(b"Server Internal Error"),
                        };
                    }
                    ctx.best = Some(upstream);
                }
                if code >= 600 && !finished {
                    self.cancel_branches(now, id);
                }
            }
        }
        self.finish_if_done(now, id);
    }

    /// CANCEL from the caller (RFC 3261 §16.10).
    pub(crate) fn on_cancel(&mut self, now: i64, key: &Key, cancel: &Message) {
        let invite = Key {
            method: Method::Invite,
            ..key.clone()
        };
        let Some(&id) = self.calls.by_server.get(&invite) else {
            let reason = "Call/Transaction Does Not Exist";
            self.reply_status(now, key, cancel, 481, reason);
            return;
        };
        let ok = cancel.response(200, "OK", None);
        self.reply(now, key, &ok);
        let Some(ctx) = self.calls.contexts.get_mut(&id) else {
            return;
        };
        if !ctx.finished {
            ctx.cancelled = true;
            self.cancel_branches(now, id);
            self.finish_if_done(now, id);
        }
    }

    /// A branch got no final answer in time (Timer B/F): it counts as 408.
    pub(crate) fn on_client_timeout(&mut self, now: i64, key: Key) {
        let Some(&(id, index)) = self.calls.by_client.get(&key) else {
            return;
        };
        let Some(ctx) = self.calls.contexts.get_mut(&id) else {
            return;
        };
        ctx.branches[index].state = BranchState::Done;
        if ctx
            .best
            .as_ref()
            .is_none_or(|b| rank(408) < rank(b.code().unwrap_or(500)))
        {
            let timeout = ctx.request.response(408, "Request Timeout", None);
            ctx.best = Some(timeout);
        }
        self.finish_if_done(now, id);
    }

    /// Ring timeouts and day-old calls.
    pub(crate) fn calls_timeout(&mut self, now: i64) {
        while let Some(&(at, id)) = self.calls.deadlines.first() {
            if at > now {
                break;
            }
            self.calls.deadlines.pop_first();
            let Some(ctx) = self.calls.contexts.get_mut(&id) else {
                continue;
            };
            ctx.deadline = None;
            if !ctx.finished {
                self.cancel_branches(now, id);
                if !self.reroute(now, id, Situation::NoAnswer) {
                    if let Some(ctx) = self.calls.contexts.get_mut(&id) {
                        ctx.timed_out = true;
                    }
                }
                self.finish_if_done(now, id);
            }
        }
        for person_id in self.dialogs.handle_timeout(now) {
            self.presence_notice(Notice::Call {
                person_id,
                active: false,
            });
            self.calls_forgotten(now, person_id);
        }
    }

    fn cancel_branches(&mut self, now: i64, id: u64) {
        let Some(ctx) = self.calls.contexts.get_mut(&id) else {
            return;
        };
        let mut cancels = Vec::new();
        for b in &mut ctx.branches {
            match b.state {
                BranchState::Trying => b.state = BranchState::CancelWhenRinging,
                BranchState::Ringing => {
                    // Counted as done now: the caller hears 487/480 without waiting
                    // for the device's 487, which the client transaction ACKs alone.
                    cancels.push((b.request.clone(), b.flow));
                    b.state = BranchState::Done;
                }
                BranchState::CancelWhenRinging | BranchState::Done => {}
            }
        }
        for (request, flow) in cancels {
            self.send_cancel(now, &request, flow);
        }
    }

    fn send_cancel(&mut self, now: i64, request: &Message, flow: Flow) {
        let cancel = cancel_for(request);
        let _ = self
            .tx
            .send_request(now, cancel, flow, flow.transport.reliable());
    }

    /// Sends the final answer once every branch is done, and forgets the context.
    fn finish_if_done(&mut self, now: i64, id: u64) {
        let Some(ctx) = self.calls.contexts.get_mut(&id) else {
            return;
        };
        let done = ctx
            .branches
            .iter()
            .all(|b| matches!(b.state, BranchState::Done | BranchState::CancelWhenRinging));
        if !done {
            return;
        }
        let busy = !ctx.finished
            && !ctx.cancelled
            && !ctx.timed_out
            && ctx
                .best
                .as_ref()
                .is_some_and(|b| matches!(b.code(), Some(486 | 600)));
        if busy && self.reroute(now, id, Situation::Busy) {
            return;
        }
        let ctx = self.calls.contexts.remove(&id).expect("present");
        self.calls.by_server.remove(&ctx.server);
        for b in &ctx.branches {
            self.calls.by_client.remove(&b.key);
        }
        if let Some(at) = ctx.deadline {
            self.calls.deadlines.remove(&(at, id));
        }
        if ctx.finished {
            return;
        }
        if ctx.server.method == Method::Invite && self.follows_calls() {
            let call_id = call_id_of(&ctx.request);
            let all = ctx.caller_person.into_iter();
            let all = all.chain(ctx.branches.iter().filter_map(|b| b.person));
            for person in people(all.collect()) {
                self.call_event(now, person, &call_id, CallEvent::Ended);
            }
        }
        let tag = self.tag();
        let reply = if ctx.timed_out {
            ctx.request
                .response(480, "Temporarily Unavailable (no answer)", Some(&tag))
        } else if let Some(best) = ctx.best {
            best
        } else if ctx.cancelled {
            ctx.request.response(487, "Request Terminated", Some(&tag))
        } else {
            ctx.request.response(408, "Request Timeout", Some(&tag))
        };
        self.reply(now, &ctx.server, &reply);
    }

    /// Busy lamps of a new call (or of the extension a call was forwarded to): the
    /// caller is calling, the callees' phones ring.
    fn lamps_ring(&mut self, now: i64, invite: &Message, caller: Option<i64>, callees: &[i64]) {
        let call_id = call_id_of(invite);
        if let Some(person) = caller {
            self.call_event(now, person, &call_id, CallEvent::Calling(invite));
        }
        for person in people(callees.to_vec()) {
            self.call_event(now, person, &call_id, CallEvent::Ringing(invite));
        }
    }

    /// ACK of a 2xx (end to end): forwarded statelessly along the route set.
    pub(crate) fn forward_ack(&mut self, mut ack: Message) {
        if !self.local.pop_own_route(&mut ack) || !headers::decrement_max_forwards(&mut ack) {
            return;
        }
        let Some(flow) = self.next_flow(&ack) else {
            return;
        };
        let branch = self.branch();
        ack.push_front(HeaderName::Via, self.local.via(flow.transport, &branch));
        self.send(flow, &ack);
    }

    /// A response no transaction of ours is waiting for (RFC 3261 §16.7, §18.2.2): when
    /// its top Via is ours, it goes on to the next Via.
    pub(crate) fn forward_stray(&mut self, mut response: Message) {
        let top = response.header_values(&HeaderName::Via).into_iter().next();
        let mine = top
            .and_then(|v| Via::parse(&v).ok())
            .is_some_and(|v| self.local.is_my_via(&v));
        if !mine {
            return;
        }
        pop_first(&mut response, &HeaderName::Via);
        let next = response
            .header_values(&HeaderName::Via)
            .into_iter()
            .next()
            .and_then(|v| Via::parse(&v).ok())
            .and_then(|v| Flow::of_via(&v));
        if let Some(flow) = next {
            self.send(flow, &response);
        }
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
