//! Where a request for someone goes: a pure decision over the dialled name, the accounts,
//! the registrations, the forwarding rules and who is in a call. The proxy asks the
//! [`Router`] and carries the answer out; nothing here sends or keeps anything.
//!
//! A call to a person that nobody can take (none of their devices registered, or a rule
//! sends it to their box) goes to their voicemail box: call control answers for it at
//! `sip:**EXTENSION@<call control>` ([`Router::voicemail`]), the same way someone dials
//! a box to leave a message. The proxy also asks for the box when a ringing call ends
//! unanswered (`proxy.rs`).
//!
//! ```
//! use telephony::route::{Route, Router};
//! use telephony::forwarding::Forwarding;
//! use telephony::{dialogs::Dialogs, Accounts};
//! let (accounts, forwarding, busy) = (Accounts::default(), Forwarding::default(), Dialogs::default());
//! let bindings = sip::registrar::Registrar::new(Default::default());
//! let router = Router { accounts: &accounts, bindings: &bindings, forwarding: &forwarding, busy: &busy, now: 0, b2bua: None };
//! assert!(matches!(router.route("2401", true), Route::Reject(status) if status.code == 404));
//! ```

use crate::accounts::{Accounts, Target as Named};
use crate::dialogs::Dialogs;
use crate::flow::Flow;
use crate::forwarding::{Forwarding, Routing};
use bytes::Bytes;
use directory::forwarding::Situation;
use sip::registrar::Registrar;
use std::net::SocketAddr;

/// The registered contacts of every device, by SIP user name, as the registrar keeps
/// them.
pub type Bindings = Registrar<Flow>;

/// Where one branch of a forked request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The new Request-URI (a registered contact); `None` keeps it (in-dialog).
    pub uri: Option<Bytes>,
    /// Where to send it: the flow the contact registered over.
    pub flow: Flow,
    /// Whose device it is, when known.
    pub person: Option<i64>,
}

/// A status the switch answers with itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    /// The status code.
    pub code: u16,
    /// The reason phrase.
    pub reason: &'static str,
}

/// Devices to ring, and how the call got to them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ring {
    /// Every registered contact to ring in parallel (RFC 3261 §16.6), each once.
    pub targets: Vec<Target>,
    /// The extension they belong to and the forwarding so far (for busy and no-answer
    /// forwarding later); `None` for a call to one device.
    pub routing: Option<Routing>,
}

/// What becomes of an out-of-dialog request for someone.
///
/// Later kinds of routing become variants here, each with the match arm that carries it
/// out in `Proxy::route` (`proxy.rs`): `B2bua` (the switch answers the caller and places
/// call legs of its own, for hold, transfer and any-device calls: `crates/calls`) and
/// `Queue` (the call waits in an ACD queue for an agent: `crates/queues`). The router
/// then also decides when they apply, from the same inputs plus whatever tables they
/// bring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Ring these devices.
    Fork(Ring),
    /// Nobody of the person's is reachable, or a rule sends the call to their box: call
    /// control answers for the voicemail box at this target (`sip:**EXTENSION@…`).
    Voicemail(Target),
    /// Answer the caller with this status: 404 nobody has that name, 480 nobody of
    /// theirs is reachable (and no box: no call control, or not a call).
    Reject(Status),
}

/// Where a ringing call goes after every device was busy or nobody answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Onward {
    /// A rule forwarded it: ring these devices.
    Ring(Vec<Target>),
    /// A rule sent it to the voicemail box of where it rang: call control answers there.
    Voicemail(Target),
    /// No rule moves it (or the devices it would ring are not there): it ends as it is.
    Stays,
}

const NOT_FOUND: Status = Status {
    code: 404,
    reason: "Not Found",
};
const UNAVAILABLE: Status = Status {
    code: 480,
    reason: "Temporarily Unavailable",
};

/// Before an extension, at call control: that person's voicemail box, to leave a
/// message (call control's `**EXTENSION`).
pub const VOICEMAIL_PREFIX: &str = "**";

/// The inputs of the decision.
#[derive(Debug, Clone, Copy)]
pub struct Router<'a> {
    /// Devices and people.
    pub accounts: &'a Accounts,
    /// The registered contacts, by device.
    pub bindings: &'a Bindings,
    /// Everybody's forwarding rules.
    pub forwarding: &'a Forwarding,
    /// Who is in an answered call.
    pub busy: &'a Dialogs,
    /// Now, Unix milliseconds (bindings that ran out are not rung).
    pub now: i64,
    /// Where people's browsers are rung (call control), if anywhere.
    pub b2bua: Option<SocketAddr>,
}

impl Router<'_> {
    /// Where a request dialled to `dialled` (the Request-URI's user) goes: an extension
    /// rings every registered device of its person, after unconditional forwarding and
    /// the busy rule of a person in a call, and after no-answer forwarding when none is
    /// registered (`invite`: only calls are forwarded); a call that a rule sends to a
    /// voicemail box, or that finds none of the person's devices, goes to the box of the
    /// extension it got to. A device name rings that device.
    pub fn route(&self, dialled: &str, invite: bool) -> Route {
        let (mut targets, routing) = match self.accounts.target(dialled) {
            Named::Extension(extension) => {
                let busy = |e: &str| self.is_busy(e);
                let mut routing = self.forwarding.start(extension, invite, busy);
                loop {
                    if routing.to_voicemail() {
                        return self.voicemail_or_unavailable(&routing);
                    }
                    let targets = self.ring_targets(&routing.extension, invite);
                    if !targets.is_empty() {
                        break (targets, Some(routing));
                    }
                    // Nobody registered there: as if nobody answered (no-answer
                    // forwarding), else the box.
                    if !self
                        .forwarding
                        .forward_after(&mut routing, Situation::NoAnswer, busy)
                    {
                        return self.voicemail_or_unavailable(&routing);
                    }
                }
            }
            Named::Device(account) => (self.device_targets(&account.sip_username, invite), None),
            // A number nobody has here (an outside number, 110, 112): call control
            // decides (the trunk, the caller's permission) and answers 403/404 itself;
            // so it does for its own codes (the voicemail boxes).
            Named::Unknown => match self
                .b2bua
                .filter(|_| invite && (is_number(dialled) || is_call_control_code(dialled)))
            {
                Some(at) => {
                    let to_call_control = Target {
                        uri: Some(Bytes::from(format!("sip:{dialled}@{at}"))),
                        flow: Flow::udp(at),
                        person: None,
                    };
                    return Route::Fork(Ring {
                        targets: vec![to_call_control],
                        routing: None,
                    });
                }
                None => return Route::Reject(NOT_FOUND),
            },
        };
        if targets.is_empty() {
            return Route::Reject(UNAVAILABLE);
        }
        targets.dedup_by(|a, b| a.uri == b.uri);
        Route::Fork(Ring { targets, routing })
    }

    /// Moves a ringing call on after `situation` (every device busy, or no answer in
    /// time) when its extension has a rule for it, on past extensions where nobody is
    /// registered: the devices to ring now, or the box a rule sends it to.
    pub fn forward(&self, routing: &mut Routing, situation: Situation) -> Onward {
        let busy = |e: &str| self.is_busy(e);
        let mut why = situation;
        while self.forwarding.forward_after(routing, why, busy) {
            if routing.to_voicemail() {
                return self
                    .voicemail(routing)
                    .map_or(Onward::Stays, Onward::Voicemail);
            }
            let targets = self.ring_targets(&routing.extension, true);
            if !targets.is_empty() {
                return Onward::Ring(targets);
            }
            why = Situation::NoAnswer; // nobody registered there
        }
        Onward::Stays
    }

    /// Call control answering for the voicemail box of the extension a call got to
    /// (`sip:**EXTENSION@…`, as if dialled to leave a message); `None` without call
    /// control, and for anything but a call. Call control refuses with 480 when the box
    /// is switched off.
    pub fn voicemail(&self, routing: &Routing) -> Option<Target> {
        let at = self.b2bua.filter(|_| routing.is_call())?;
        Some(Target {
            uri: Some(Bytes::from(format!(
                "sip:{VOICEMAIL_PREFIX}{}@{at}",
                routing.extension
            ))),
            flow: Flow::udp(at),
            // Nobody's device: the box answering does not make its owner busy.
            person: None,
        })
    }

    fn voicemail_or_unavailable(&self, routing: &Routing) -> Route {
        self.voicemail(routing)
            .map_or(Route::Reject(UNAVAILABLE), Route::Voicemail)
    }

    /// The registered contacts of every enabled device of an extension's person.
    fn ring_targets(&self, extension: &str, invite: bool) -> Vec<Target> {
        self.accounts
            .devices_of(extension)
            .iter()
            .flat_map(|a| self.device_targets(&a.sip_username, invite))
            .collect()
    }

    /// The registered contacts of one device.
    fn device_targets(&self, user: &str, invite: bool) -> Vec<Target> {
        let Some(account) = self.accounts.get(user).filter(|a| a.enabled) else {
            return Vec::new();
        };
        if account.device_id == crate::accounts::BROWSERS {
            // The person's browsers: call control rings them. Only calls: a MESSAGE reaches
            // the browsers through the chat.
            return self
                .b2bua
                .filter(|_| invite)
                .map(|at| Target {
                    uri: Some(Bytes::from(format!("sip:{}@{at}", account.extension))),
                    flow: Flow::udp(at),
                    person: Some(account.person_id),
                })
                .into_iter()
                .collect();
        }
        self.bindings
            .bindings(user)
            .iter()
            .filter(|b| b.expires_at > self.now)
            .map(|b| Target {
                uri: Some(Bytes::copy_from_slice(&b.contact)),
                flow: b.flow,
                person: Some(account.person_id),
            })
            .collect()
    }

    /// Whether the person of `extension` is in an answered call.
    fn is_busy(&self, extension: &str) -> bool {
        self.accounts
            .devices_of(extension)
            .iter()
            .any(|a| self.busy.is_busy(a.person_id))
    }
}

/// Digits (a leading `+` allowed), at least three: what could be a telephone number.
fn is_number(dialled: &str) -> bool {
    let digits = dialled.strip_prefix('+').unwrap_or(dialled);
    digits.len() >= 3 && digits.len() <= 20 && digits.chars().all(|c| c.is_ascii_digit())
}

/// One's own voicemail box, to hear it: call control's `*98`.
pub const OWN_VOICEMAIL: &str = "*98";

/// A code call control answers itself: [`OWN_VOICEMAIL`], or [`VOICEMAIL_PREFIX`] and an
/// extension (2–15 digits: that person's box, to leave a message).
fn is_call_control_code(dialled: &str) -> bool {
    let deposit = dialled
        .strip_prefix(VOICEMAIL_PREFIX)
        .is_some_and(|e| (2..=15).contains(&e.len()) && e.chars().all(|c| c.is_ascii_digit()));
    dialled == OWN_VOICEMAIL || deposit
}

#[cfg(test)]
mod tests;
