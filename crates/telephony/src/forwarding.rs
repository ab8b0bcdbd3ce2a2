//! Call forwarding per person, for calls (INVITE) to an extension: unconditional (the
//! person's devices do not ring), when busy (the person is in a call, or every device
//! answered busy), and when nobody answered within the rule's seconds (also at once when
//! no device is registered); each to another extension or to the person's voicemail box,
//! where the call stays. The rules and the loop guard are the directory's
//! ([`directory::forwarding`]); this file decides when they apply, as pure functions of
//! the rules, where the call is and who is busy. The router (`route.rs`) asks them.

use directory::forwarding::{ForwardingPath, ForwardingRules, Situation};
use directory::Extension;
use std::collections::HashMap;

/// Where a call rings now, and how it got there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routing {
    /// The extension whose devices ring (whose box answers, once a rule sent the call
    /// to the voicemail box).
    pub extension: String,
    /// The forwarding so far; `None` when the call is not forwardable (not an INVITE to
    /// an extension).
    path: Option<ForwardingPath>,
}

impl Routing {
    /// Whether it is a call (an INVITE to an extension): only calls are forwarded, and
    /// only they may end at a voicemail box.
    pub fn is_call(&self) -> bool {
        self.path.is_some()
    }

    /// Whether a rule sent the call to the voicemail box of [`Routing::extension`].
    pub fn to_voicemail(&self) -> bool {
        self.path.as_ref().is_some_and(ForwardingPath::at_voicemail)
    }
}

/// Every person's forwarding rules, by their own extension (only people with a rule on).
#[derive(Debug, Clone, Default)]
pub struct Forwarding {
    rules: HashMap<String, ForwardingRules>,
}

impl Forwarding {
    /// From every person's rules; those with no rule on are left out.
    pub fn new(rules: HashMap<Extension, ForwardingRules>) -> Forwarding {
        let rules = rules
            .into_iter()
            .filter(|(_, r)| r.any_on())
            .map(|(e, r)| (e.as_str().to_owned(), r))
            .collect();
        Forwarding { rules }
    }

    /// Where a call dialled to `dialled` rings first: unconditional forwarding and the
    /// busy rule of a person already in a call (`busy` says who is, by extension) are
    /// followed, never in a circle, up to a voicemail box. Only INVITEs are forwarded; a call keeps its path even
    /// when nobody has a rule yet, so rules switched on while it rings apply to it.
    pub fn start(&self, dialled: &str, invite: bool, busy: impl Fn(&str) -> bool) -> Routing {
        let path = invite
            .then(|| Extension::parse(dialled).ok())
            .flatten()
            .map(ForwardingPath::new);
        let mut routing = Routing {
            extension: dialled.to_owned(),
            path,
        };
        self.follow(&mut routing, &busy);
        routing
    }

    /// Follows unconditional and busy forwarding from where the call is now.
    fn follow(&self, routing: &mut Routing, busy: &impl Fn(&str) -> bool) {
        let Some(path) = routing.path.as_mut() else {
            return;
        };
        while let Some(rules) = self.rules.get(path.current().as_str()) {
            let is_busy = busy(path.current().as_str());
            let next = path.forward(rules, Situation::Unconditional).or_else(|| {
                is_busy
                    .then(|| path.forward(rules, Situation::Busy))
                    .flatten()
            });
            if next.is_none() {
                break;
            }
        }
        routing.extension = path.current().as_str().to_owned();
    }

    /// Moves the call on after `situation` (busy answers, no answer, nobody registered),
    /// when the extension it is at has a rule for it (to another extension, or to its
    /// box: [`Routing::to_voicemail`]); `false` when it stays.
    pub fn forward_after(
        &self,
        routing: &mut Routing,
        situation: Situation,
        busy: impl Fn(&str) -> bool,
    ) -> bool {
        let Some(path) = routing.path.as_mut() else {
            return false;
        };
        let Some(rules) = self.rules.get(path.current().as_str()) else {
            return false;
        };
        if path.forward(rules, situation).is_none() {
            return false;
        }
        self.follow(routing, &busy);
        true
    }

    /// How long devices ring at `routing`'s extension: until its no-answer forwarding,
    /// else `ring_timeout_ms`.
    pub fn ring_ms(&self, routing: Option<&Routing>, ring_timeout_ms: i64) -> i64 {
        routing
            .and_then(|r| self.no_answer_after(r))
            .map_or(ring_timeout_ms, |forward| forward.min(ring_timeout_ms))
    }

    /// How long the call rings at its current extension before no-answer forwarding,
    /// in milliseconds, when such a rule is on (and the call is not at a box already).
    pub fn no_answer_after(&self, routing: &Routing) -> Option<i64> {
        let path = routing.path.as_ref().filter(|p| !p.at_voicemail())?;
        let rules = self.rules.get(path.current().as_str())?;
        directory::forwarding::target_for(rules, Situation::NoAnswer)?;
        Some(i64::from(rules.no_answer_secs()) * 1000)
    }
}
