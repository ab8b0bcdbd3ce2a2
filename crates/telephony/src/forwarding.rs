//! Call forwarding per person, applied by the proxy to calls (INVITE) for an extension:
//! unconditional (the person's devices do not ring), when busy (the person is in a call,
//! or every device answered busy), and when nobody answered within the rule's seconds
//! (also at once when no device is registered). The rules and the loop guard are the
//! directory's ([`directory::forwarding`]); this file decides when they apply.

use crate::switch::Switch;
use directory::forwarding::{ForwardingPath, ForwardingRules, Situation};
use directory::Extension;
use std::collections::HashMap;

/// Where a call rings now, and how it got there.
#[derive(Debug, Clone)]
pub(crate) struct Routing {
    /// The extension whose devices ring.
    pub(crate) extension: String,
    /// The forwarding so far; `None` when the call is not forwardable (not an INVITE to
    /// an extension).
    pub(crate) path: Option<ForwardingPath>,
}

impl Switch {
    /// Replaces every person's forwarding rules, by their own extension.
    pub fn set_forwarding(&mut self, rules: HashMap<Extension, ForwardingRules>) {
        self.forwarding = rules
            .into_iter()
            .filter(|(_, r)| r.any_on())
            .map(|(e, r)| (e.as_str().to_owned(), r))
            .collect();
    }

    /// Where a call dialled to `dialled` rings first: unconditional forwarding and the
    /// busy rule of a person already in a call are followed (never in a circle).
    pub(crate) fn route_call(&self, dialled: &str, invite: bool) -> Routing {
        let path = invite
            .then(|| Extension::parse(dialled).ok())
            .flatten()
            .filter(|_| !self.forwarding.is_empty())
            .map(ForwardingPath::new);
        let mut routing = Routing {
            extension: dialled.to_owned(),
            path,
        };
        self.follow(&mut routing);
        routing
    }

    /// Follows unconditional and busy forwarding from where the call is now.
    fn follow(&self, routing: &mut Routing) {
        let Some(path) = routing.path.as_mut() else {
            return;
        };
        while let Some(rules) = self.forwarding.get(path.current().as_str()) {
            let busy = self.is_in_call(path.current().as_str());
            let next = path
                .forward(rules, Situation::Unconditional)
                .or_else(|| busy.then(|| path.forward(rules, Situation::Busy)).flatten());
            if next.is_none() {
                break;
            }
        }
        routing.extension = path.current().as_str().to_owned();
    }

    /// Moves the call on after `situation` (busy answers, no answer, nobody registered),
    /// when the extension it is at has a rule for it; `false` when it stays.
    pub(crate) fn forward_after(&self, routing: &mut Routing, situation: Situation) -> bool {
        let Some(path) = routing.path.as_mut() else {
            return false;
        };
        let Some(rules) = self.forwarding.get(path.current().as_str()) else {
            return false;
        };
        if path.forward(rules, situation).is_none() {
            return false;
        }
        self.follow(routing);
        true
    }

    /// How long the call rings at its current extension before no-answer forwarding,
    /// in milliseconds, when such a rule is on.
    pub(crate) fn no_answer_after(&self, routing: &Routing) -> Option<i64> {
        let path = routing.path.as_ref()?;
        let rules = self.forwarding.get(path.current().as_str())?;
        directory::forwarding::target_for(rules, Situation::NoAnswer)?;
        Some(i64::from(rules.no_answer_secs()) * 1000)
    }

    /// Whether the person of `extension` is in an answered call.
    fn is_in_call(&self, extension: &str) -> bool {
        self.accounts
            .devices_of(extension)
            .iter()
            .any(|a| self.dialogs.is_busy(a.person_id))
    }
}
