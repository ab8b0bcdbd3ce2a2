//! The switch as notifier (RFC 6665): it answers SUBSCRIBEs to the dialog package (busy
//! lamp keys, RFC 4235) and the presence package (RFC 3856) for its people, and sends
//! the NOTIFYs. The table is [`Subscriptions`]; the calls each watched person is in are
//! followed by a [`BlfState`] per person, fed by the proxy (see `calls.rs`): ringing and
//! calling at the fork, answered at the 2xx, ended at BYE, at a final failure and when
//! forwarding moves a call on.
//!
//! **Cheap when unused.** Calls are followed only while someone subscribes (or a
//! person's state is still being wound down), so REGISTER and INVITE cost nothing extra
//! on a switch without subscriptions. A subscription made during a call sees that call
//! only when the table was not empty as it started.
//!
//! **Presence** bodies carry the team panel's state when the shell feeds it
//! ([`Switch::handle_presence`]); for people never fed, the switch's own view: on the
//! phone, reachable on a registered device, or offline, sent anew when their devices or
//! calls change. No personal note goes to phones (the panel's privacy rules decide per
//! viewer, which the switch does not know).
//!
//! In-dialog SUBSCRIBEs are not challenged: the dialog's Call-ID and our random tag,
//! known only to the subscriber, name the subscription.

use crate::accounts::Target as Named;
use crate::dialog_info::{BlfState, DialogInfo, Identity};
use crate::flow::Flow;
use crate::headers;
use crate::register::Challenger;
use crate::subscriptions::{contact_for, Accepted, Body, Outgoing, Package, Reason, Then};
use crate::switch::Switch;
use presence::State;
use sip::transaction::Key;
use sip::uri::Uri;
use sip::{HeaderName, Message, StartLine};

/// A change in a person's calls, for their busy lamp.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CallEvent<'a> {
    /// A call to them rings: the caller's From tag, and who calls (unless withheld).
    Ringing(&'a Message),
    /// They place a call.
    Calling(&'a Message),
    /// The call was answered, with the callee's To tag.
    Answered(Option<&'a str>),
    /// The call is over.
    Ended,
}

impl Switch {
    /// Whether calls are followed for busy lamps now (see the module docs).
    pub(crate) fn follows_calls(&self) -> bool {
        !self.subs.is_empty() || !self.blf.is_empty()
    }

    /// A SUBSCRIBE without To tag: authenticate the device like a caller, find the
    /// watched person (the Request-URI's extension or device), subscribe.
    pub(crate) fn on_subscribe(&mut self, now: i64, key: Key, request: Message, peer: Flow) {
        let Some(watcher) = self.authenticate(now, &key, &request, Challenger::Proxy, peer) else {
            return;
        };
        let Some(watched) = self.watched_person(&request) else {
            self.reply_status(now, &key, &request, 404, "Not Found");
            return;
        };
        let tag = self.tag();
        let new = crate::subscriptions::New {
            subscriber: &watcher.sip_username,
            watched,
            flow: peer,
            tag: &tag,
            contact: contact_for(self.settings.advertised, peer.transport),
        };
        match self.subs.subscribe(now, &request, new) {
            Ok(accepted) => self.accepted(now, &key, accepted),
            Err(refusal) => {
                let reply = refusal.response(&request, &tag);
                self.reply_once(now, &key, &reply);
            }
        }
    }

    /// A SUBSCRIBE with a To tag: a refresh or (Expires: 0) the end of a subscription.
    /// `false` when it is not one of ours (the caller forwards it in its dialog).
    pub(crate) fn on_resubscribe(
        &mut self,
        now: i64,
        key: &Key,
        request: &Message,
        peer: Flow,
        routed: bool,
    ) -> bool {
        match self.subs.resubscribe(now, request, peer) {
            Ok(accepted) => self.accepted(now, key, accepted),
            Err(crate::subscriptions::Refusal::NoSuchSubscription) if routed => return false,
            Err(refusal) => {
                let tag = self.tag();
                let reply = refusal.response(request, &tag);
                self.reply_once(now, key, &reply);
            }
        }
        true
    }

    /// Sends the 200 (kept in its transaction: a retransmitted SUBSCRIBE gets it again
    /// instead of a challenge for a replayed nonce count), then the NOTIFY owed.
    fn accepted(&mut self, now: i64, key: &Key, accepted: Accepted) {
        self.reply(now, key, &accepted.response);
        match accepted.then {
            Then::Notify(id) => {
                let body = self.body_of(accepted.package, accepted.watched);
                if let Some(out) = self.subs.notify(now, id, body) {
                    self.send_notify(now, out);
                }
            }
            Then::Final(ending) => {
                let body = self.body_of(ending.package(), ending.watched());
                self.send_notify(now, ending.notify(Some(body)));
            }
        }
    }

    /// The person a SUBSCRIBE's Request-URI names: an extension or a device of ours.
    fn watched_person(&self, request: &Message) -> Option<i64> {
        let StartLine::Request { uri, .. } = &request.start else {
            return None;
        };
        let uri = Uri::parse(uri).ok().filter(|u| self.local.serves(u))?;
        let user = headers::uri_user(&uri)?;
        match self.accounts.target(&user) {
            Named::Extension(ext) => self.accounts.devices_of(ext).first().map(|a| a.person_id),
            Named::Device(account) => Some(account.person_id),
            Named::Unknown => None,
        }
    }

    /// A person's current state in a package. The entity is stamped by the subscription
    /// (the URI each phone subscribed to), so none is needed here.
    pub(crate) fn body_of(&self, package: Package, person: i64) -> Body {
        match package {
            Package::Dialog => Body::Dialog(
                self.blf
                    .get(&person)
                    .map_or_else(|| DialogInfo::idle(""), BlfState::document),
            ),
            Package::Presence => {
                Body::Presence(crate::pidf::Pidf::new("", self.phone_presence(person)))
            }
        }
    }

    /// A person's presence: the team panel's state when the shell feeds it, else what
    /// the switch itself knows (on the phone, reachable on a registered device, offline).
    fn phone_presence(&self, person: i64) -> State {
        if let Some(state) = self.presence.get(&person) {
            *state
        } else if self.dialogs.is_busy(person) {
            State::OnThePhone
        } else if self.online.contains(&person) {
            State::Available
        } else {
            State::Offline
        }
    }

    /// The team panel's state of a person changed (the shell feeds the presence hub's
    /// changes): phones subscribed to their presence hear of it. The switch's own view
    /// (calls, registered devices) is used only for people never fed.
    pub fn handle_presence(&mut self, now: i64, person: i64, state: State) {
        if self.presence.insert(person, state) != Some(state) {
            self.notify_presence(now, person);
        }
    }

    /// Registered devices or calls of people changed: their presence watchers hear of it
    /// (unless the team panel's state is fed, which has these changes already).
    pub(crate) fn flush_presence(&mut self, now: i64) {
        let mut people = std::mem::take(&mut self.presence_changed);
        people.sort_unstable();
        people.dedup();
        for person in people {
            if !self.presence.contains_key(&person) {
                self.notify_presence(now, person);
            }
        }
    }

    fn notify_presence(&mut self, now: i64, person: i64) {
        for id in self.subs.watching(person, Package::Presence) {
            let body = self.body_of(Package::Presence, person);
            if let Some(out) = self.subs.notify(now, id, body) {
                self.send_notify(now, out);
            }
        }
    }

    /// Sends a NOTIFY in a client transaction of its own (its response comes back to
    /// [`Switch::on_notify_response`]).
    pub(crate) fn send_notify(&mut self, now: i64, out: Outgoing) {
        let Outgoing { flow, mut message } = out;
        let branch = self.branch();
        message.push_front(HeaderName::Via, self.local.via(flow.transport, &branch));
        let _ = self
            .tx
            .send_request(now, message, flow, flow.transport.reliable());
    }

    /// A response to one of our NOTIFYs: the next one may go out.
    pub(crate) fn on_notify_response(&mut self, now: i64, response: &Message) {
        if let Some(out) = self.subs.handle_response(now, response) {
            self.send_notify(now, out);
        }
    }

    /// A change in `person`'s calls: their watchers get the new document; an idle
    /// person's tracker is dropped.
    pub(crate) fn call_event(&mut self, now: i64, person: i64, call_id: &str, event: CallEvent) {
        let state = match event {
            CallEvent::Ringing(_) | CallEvent::Calling(_) => {
                self.blf.entry(person).or_insert_with(|| BlfState::new(""))
            }
            CallEvent::Answered(_) | CallEvent::Ended => match self.blf.get_mut(&person) {
                Some(state) => state,
                None => return,
            },
        };
        let doc = match event {
            CallEvent::Ringing(invite) => {
                let from_tag = from_tag(invite);
                state.ringing(call_id, from_tag.as_deref(), Identity::of_caller(invite))
            }
            CallEvent::Calling(invite) => {
                let from_tag = from_tag(invite);
                let callee = invite
                    .header(&HeaderName::To)
                    .and_then(|to| sip::name_addr::NameAddr::parse(to).ok())
                    .and_then(|to| String::from_utf8(to.uri.to_vec()).ok())
                    .map(|uri| Identity::new(&uri, None));
                state.calling(call_id, from_tag.as_deref(), callee)
            }
            CallEvent::Answered(to_tag) => state.answered(call_id, to_tag),
            CallEvent::Ended => state.ended(call_id),
        };
        if state.is_idle() {
            self.blf.remove(&person);
        }
        if let Some(doc) = doc {
            self.notify_watchers(now, person, doc);
        }
    }

    /// A call ended whose people are not known (a BYE): every followed person in it.
    pub(crate) fn call_ended_everywhere(&mut self, now: i64, call_id: &str) {
        let people: Vec<i64> = self.blf.keys().copied().collect();
        for person in people {
            self.call_event(now, person, call_id, CallEvent::Ended);
        }
    }

    /// A person's calls were forgotten (a day without BYE): their lamps go dark.
    pub(crate) fn calls_forgotten(&mut self, now: i64, person: i64) {
        if self.blf.remove(&person).is_some() {
            self.notify_watchers(now, person, DialogInfo::idle(""));
        }
    }

    fn notify_watchers(&mut self, now: i64, person: i64, doc: DialogInfo) {
        for id in self.subs.watching(person, Package::Dialog) {
            if let Some(out) = self.subs.notify(now, id, Body::Dialog(doc.clone())) {
                self.send_notify(now, out);
            }
        }
    }

    /// Subscriptions that ran out get their final NOTIFY.
    pub(crate) fn subscriptions_timeout(&mut self, now: i64) {
        if self.subs.poll_timeout().is_none_or(|at| at > now) {
            return;
        }
        for ending in self.subs.handle_timeout(now) {
            let body = self.body_of(ending.package(), ending.watched());
            self.send_notify(now, ending.notify(Some(body)));
        }
    }

    /// A device that was removed or disabled may watch no more.
    pub(crate) fn end_subscriptions_of(&mut self, now: i64, sip_username: &str) {
        if self.subs.is_empty() {
            return;
        }
        for ending in self.subs.end_subscriber(sip_username, Reason::Rejected) {
            self.send_notify(now, ending.notify(None));
        }
    }

    /// People who have no device any more cannot be watched (`reason=noresource`).
    pub(crate) fn end_subscriptions_to_gone(&mut self, now: i64, old: &crate::Accounts) {
        if self.subs.is_empty() {
            return;
        }
        let kept: std::collections::HashSet<i64> =
            self.accounts.iter().map(|a| a.person_id).collect();
        let gone: std::collections::BTreeSet<i64> = old
            .iter()
            .map(|a| a.person_id)
            .filter(|p| !kept.contains(p))
            .collect();
        for person in gone {
            for ending in self.subs.end_watched(person, Reason::NoResource) {
                self.send_notify(now, ending.notify(None));
            }
        }
    }
}

/// The From tag of a request.
fn from_tag(message: &Message) -> Option<String> {
    let from = sip::name_addr::NameAddr::parse(message.header(&HeaderName::From)?).ok()?;
    from.tag().map(|t| String::from_utf8_lossy(t).into_owned())
}
