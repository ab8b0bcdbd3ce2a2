//! One request the proxy forwards (RFC 3261 §16): the caller's server transaction, a
//! client transaction per target (a branch), and the best failure so far. Provisional
//! answers go back to the caller, the first 2xx wins and the other branches are
//! cancelled; when every branch failed the best failure goes back (§16.7 step 6). The
//! state here says what is owed; the proxy sends it.

use super::cancel::cancel_for;
use crate::context::Context;
use crate::flow::{Flow, Transport};
use crate::forwarding::Routing;
use crate::route::Target;
use sip::transaction::Key;
use sip::{HeaderName, Message, Method, StartLine};

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

/// One target's client transaction.
#[derive(Debug)]
pub(crate) struct Branch {
    /// Its client transaction.
    pub(crate) key: Key,
    request: Message,
    flow: Flow,
    person: Option<i64>,
    state: BranchState,
}

impl Branch {
    /// Whose device it went to.
    pub(crate) fn person(&self) -> Option<i64> {
        self.person
    }
}

/// Sends `request` to each target in a client transaction of its own, with our Via on
/// top; for a dialog-creating request that came over `ring_from`, Record-Route too (RFC
/// 3261 §16.6 step 4; two when TLS meets another transport, RFC 5658), so in-dialog
/// requests come back through us. Targets that cannot be sent to are left out.
pub(crate) fn branches(
    cx: &mut Context<'_>,
    request: &Message,
    targets: Vec<Target>,
    ring_from: Option<Transport>,
) -> Vec<Branch> {
    let method = request.method().cloned().unwrap_or(Method::Options);
    let mut branches = Vec::with_capacity(targets.len());
    for t in targets {
        let mut m = request.clone();
        if let Some(uri) = t.uri {
            m.start = StartLine::Request {
                method: method.clone(),
                uri,
            };
        }
        if let Some(from) = ring_from {
            for rr in cx.local.record_routes(from, t.flow) {
                m.push_front(HeaderName::RecordRoute, rr);
            }
        }
        m.push_front(HeaderName::Via, cx.wire.via(cx.local, t.flow.transport));
        if let Some(key) = cx.wire.send_request(cx.now, m.clone(), t.flow) {
            branches.push(Branch {
                key,
                request: m,
                flow: t.flow,
                person: t.person,
                state: BranchState::Trying,
            });
        }
    }
    branches
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

/// A CANCEL to send, and where.
pub(crate) type Cancel = (Message, Flow);

/// What a 2xx is to the fork.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    /// The first: it goes back in the caller's transaction, the other branches are
    /// cancelled.
    First,
    /// Another device answered too: the caller's UA sorts it out (RFC 3261 §16.7 step 5
    /// forwards every 2xx), outside the transaction.
    Again,
}

/// A forwarded request.
#[derive(Debug)]
pub(crate) struct Fork {
    server: Key,
    caller: Flow,
    request: Message,
    branches: Vec<Branch>,
    best: Option<Message>,
    answered: bool,
    cancelled: bool,
    timed_out: bool,
    caller_person: Option<i64>,
    /// A call to an extension: where it rings and how it was forwarded so far.
    routing: Option<Routing>,
    /// A phone's call: when nobody takes it, a voicemail box may.
    voicemail: bool,
}

impl Fork {
    /// `request` from `caller` (its server transaction `server`) went out on `branches`.
    pub(crate) fn new(
        server: Key,
        caller: Flow,
        request: Message,
        branches: Vec<Branch>,
        caller_person: Option<i64>,
        routing: Option<Routing>,
    ) -> Fork {
        Fork {
            server,
            caller,
            request,
            branches,
            best: None,
            answered: false,
            cancelled: false,
            timed_out: false,
            caller_person,
            routing,
            voicemail: false,
        }
    }

    /// A phone's call: a voicemail box may take it when nobody else does.
    pub(crate) fn may_go_to_voicemail(&mut self) {
        self.voicemail = true;
    }

    /// Whether a voicemail box may take the call (a forwarding rule's box).
    pub(crate) fn voicemail_allowed(&self) -> bool {
        self.voicemail
    }

    /// Whether the call ended unanswered in a way a voicemail box takes over: nobody
    /// answered in time, or every device was busy, declined, unreachable or not
    /// available (408, 480, 486, 600, 603); not when the caller cancelled, and not after
    /// other refusals (a codec nobody shares, a broken device), which the caller hears.
    pub(crate) fn unanswered_for_voicemail(&self) -> bool {
        let nobody_took_it = self.timed_out
            || self
                .best
                .as_ref()
                .is_some_and(|b| matches!(b.code(), Some(408 | 480 | 486 | 600 | 603)));
        self.voicemail && !self.answered && !self.cancelled && nobody_took_it
    }

    /// The caller's server transaction.
    pub(crate) fn server(&self) -> &Key {
        &self.server
    }

    /// Where the caller is.
    pub(crate) fn caller(&self) -> Flow {
        self.caller
    }

    /// The request as it came (Max-Forwards counted down).
    pub(crate) fn request(&self) -> &Message {
        &self.request
    }

    /// The calling person, when known.
    pub(crate) fn caller_person(&self) -> Option<i64> {
        self.caller_person
    }

    /// The people whose devices the branches went to.
    pub(crate) fn callees(&self) -> Vec<i64> {
        self.branches.iter().filter_map(|b| b.person).collect()
    }

    /// The branches, for the call table's index.
    pub(crate) fn branch_keys(&self) -> impl Iterator<Item = &Key> {
        self.branches.iter().map(|b| &b.key)
    }

    /// How many branches there are (the next one's number).
    pub(crate) fn branch_count(&self) -> usize {
        self.branches.len()
    }

    /// Where branch `index` went, and whose device it is.
    pub(crate) fn branch_target(&self, index: usize) -> (Flow, Option<i64>) {
        let b = &self.branches[index];
        (b.flow, b.person)
    }

    /// Whether a 2xx went back to the caller.
    pub(crate) fn is_answered(&self) -> bool {
        self.answered
    }

    /// A provisional answer on branch `index`: the CANCEL owed when it was cancelled
    /// before it rang.
    pub(crate) fn provisional(&mut self, index: usize) -> Option<Cancel> {
        let b = &mut self.branches[index];
        match b.state {
            BranchState::CancelWhenRinging => {
                b.state = BranchState::Done;
                Some((cancel_for(&b.request), b.flow))
            }
            BranchState::Trying => {
                b.state = BranchState::Ringing;
                None
            }
            BranchState::Ringing | BranchState::Done => None,
        }
    }

    /// A 2xx on branch `index`.
    pub(crate) fn answered(&mut self, index: usize) -> Answer {
        self.branches[index].state = BranchState::Done;
        if self.answered {
            return Answer::Again;
        }
        self.answered = true;
        Answer::First
    }

    /// A final failure on branch `index`, already without our Via: kept when it is the
    /// best so far (a 503 becomes 500: it is about the callee, §16.7 step 6). `true`
    /// when the other branches are to be cancelled (a 6xx, §16.7 step 5).
    pub(crate) fn failed(&mut self, index: usize, mut upstream: Message) -> bool {
        self.branches[index].state = BranchState::Done;
        let code = upstream.code().unwrap_or(500);
        if self.is_better(code) {
            if code == 503 {
                upstream.start = StartLine::Response {
                    code: 500,
                    reason: bytes::Bytes::from_static(b"Server Internal Error"),
                };
            }
            self.best = Some(upstream);
        }
        code >= 600 && !self.answered
    }

    /// Branch `index` got no final answer in time (Timer B/F): it counts as 408.
    pub(crate) fn branch_timed_out(&mut self, index: usize) {
        self.branches[index].state = BranchState::Done;
        if self.is_better(408) {
            self.best = Some(self.request.response(408, "Request Timeout", None));
        }
    }

    fn is_better(&self, code: u16) -> bool {
        self.best
            .as_ref()
            .is_none_or(|b| rank(code) < rank(b.code().unwrap_or(500)))
    }

    /// Cancels every branch still going: the CANCELs to send now. Ringing branches
    /// count as done at once (the caller hears 487/480 without waiting for the device's
    /// 487, which the client transaction ACKs alone); the others get theirs when they
    /// ring ([`Fork::provisional`]).
    pub(crate) fn cancel(&mut self) -> Vec<Cancel> {
        let mut cancels = Vec::new();
        for b in &mut self.branches {
            match b.state {
                BranchState::Trying => b.state = BranchState::CancelWhenRinging,
                BranchState::Ringing => {
                    cancels.push((cancel_for(&b.request), b.flow));
                    b.state = BranchState::Done;
                }
                BranchState::CancelWhenRinging | BranchState::Done => {}
            }
        }
        cancels
    }

    /// The caller cancelled (RFC 3261 §16.10): the CANCELs to send now.
    pub(crate) fn cancelled_by_caller(&mut self) -> Vec<Cancel> {
        self.cancelled = true;
        self.cancel()
    }

    /// Nobody answered in time, and no forwarding took the call on.
    pub(crate) fn ring_timed_out(&mut self) {
        self.timed_out = true;
    }

    /// Whether every branch is done (or only waits to be cancelled).
    pub(crate) fn is_done(&self) -> bool {
        self.branches
            .iter()
            .all(|b| matches!(b.state, BranchState::Done | BranchState::CancelWhenRinging))
    }

    /// Whether every device answered busy (486, 600), nobody cancelled and nobody
    /// answered: busy forwarding may take the call on.
    pub(crate) fn is_busy(&self) -> bool {
        !self.answered
            && !self.cancelled
            && !self.timed_out
            && self
                .best
                .as_ref()
                .is_some_and(|b| matches!(b.code(), Some(486 | 600)))
    }

    /// Takes where the call rings (to forward it).
    pub(crate) fn take_routing(&mut self) -> Option<Routing> {
        self.routing.take()
    }

    /// Puts back where the call rings now.
    pub(crate) fn set_routing(&mut self, routing: Routing) {
        self.routing = Some(routing);
    }

    /// The call was forwarded to `branches`. `fresh`: what the earlier ones answered no
    /// longer decides the outcome (other people ring now); else it stands unless the new
    /// branches answer better (a voicemail box: switched off, the caller hears what the
    /// devices answered).
    pub(crate) fn add_branches(&mut self, branches: Vec<Branch>, fresh: bool) {
        self.branches.extend(branches);
        if fresh {
            self.best = None;
        }
    }

    /// The final answer owed to the caller once every branch is done, with `tag` as To
    /// tag where the switch answers itself; `None` when a 2xx went back already.
    pub(crate) fn final_answer(self, tag: &str) -> Option<(Key, Message)> {
        if self.answered {
            return None;
        }
        let reply = if self.timed_out {
            let reason = "Temporarily Unavailable (no answer)";
            self.request.response(480, reason, Some(tag))
        } else if let Some(best) = self.best {
            best
        } else if self.cancelled {
            self.request.response(487, "Request Terminated", Some(tag))
        } else {
            self.request.response(408, "Request Timeout", Some(tag))
        };
        Some((self.server, reply))
    }
}

#[cfg(test)]
mod tests {
    use super::rank;

    #[test]
    fn failures_rank_as_rfc_3261_section_16_7_asks() {
        let mut codes = [480, 404, 600, 486, 503, 408, 302, 487, 403];
        codes.sort_by_key(|c| rank(*c));
        assert_eq!(codes, [600, 302, 404, 486, 403, 480, 408, 487, 503]);
    }
}
