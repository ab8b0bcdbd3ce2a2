//! The notifier part of the switch (RFC 6665): it answers SUBSCRIBEs to the dialog
//! package (busy lamp keys, RFC 4235) and the presence package (RFC 3856) for its people,
//! and sends the NOTIFYs. Its state: the table ([`Subscriptions`]), a [`BlfState`] per
//! person whose calls it follows, and the team panel's states. The proxy's news of calls
//! reach it through the facade ([`Notifier::hear`]): ringing and calling at the fork,
//! answered at the 2xx, ended at BYE, at a final failure and when forwarding moves a call
//! on. Message-waiting lamps (RFC 3842) will join it here.
//!
//! **Cheap when unused.** Calls are followed only while someone subscribes (or a
//! person's state is still being wound down, see [`Following`]), so REGISTER and INVITE
//! cost nothing extra on a switch without subscriptions. A subscription made during a
//! call sees that call only when the table was not empty as it started.
//!
//! **Presence** bodies carry the team panel's state when the shell feeds it
//! ([`Notifier::handle_presence`]); for people never fed, the switch's own view
//! ([`Whereabouts`]): on the phone, reachable on a registered device, or offline, sent
//! anew when their devices or calls change. No personal note goes to phones (the panel's
//! privacy rules decide per viewer, which the switch does not know).
//!
//! In-dialog SUBSCRIBEs are not challenged: the dialog's Call-ID and our random tag,
//! known only to the subscriber, name the subscription.

use crate::accounts::{Account, Accounts, Target as Named};
use crate::context::Context;
use crate::dialog_info::{BlfState, CallEvent, DialogInfo};
use crate::flow::Flow;
use crate::headers::{self, Local};
use crate::raised::{CallNews, Following};
use crate::subscriptions::{self, contact_for, Accepted, Body, Outgoing, Package, Reason};
use crate::subscriptions::{Refusal, Subscriptions, Then};
use crate::timed::Timed;
use presence::State;
use sip::transaction::Key;
use sip::uri::Uri;
use sip::{HeaderName, Message, StartLine};
use std::collections::{BTreeSet, HashMap, HashSet};

/// What the other parts know of a person, for the presence of people the team panel
/// does not feed.
pub(crate) trait Whereabouts {
    /// Whether one of their devices is registered.
    fn has_device(&self, person: i64) -> bool;
    /// Whether they are in an answered call.
    fn in_call(&self, person: i64) -> bool;
}

/// The notifier's state.
#[derive(Debug)]
pub(crate) struct Notifier {
    subs: Subscriptions,
    /// The calls of people followed for busy lamps; idle ones are dropped.
    blf: HashMap<i64, BlfState>,
    /// People's presence from the team panel ([`Notifier::handle_presence`]).
    presence: HashMap<i64, State>,
}

impl Notifier {
    /// No subscriptions yet, at most as many as `limits` allow.
    pub(crate) fn new(limits: subscriptions::Limits) -> Notifier {
        Notifier {
            subs: Subscriptions::new(limits),
            blf: HashMap::new(),
            presence: HashMap::new(),
        }
    }

    /// Which calls it follows now (see the module docs).
    pub(crate) fn following(&self) -> Following {
        if !self.subs.is_empty() {
            Following::All
        } else if !self.blf.is_empty() {
            Following::Known
        } else {
            Following::Nothing
        }
    }

    /// A SUBSCRIBE without To tag from the authenticated device `watcher`: find the
    /// watched person (the Request-URI's extension or device), subscribe.
    pub(crate) fn subscribe(
        &mut self,
        cx: &mut Context<'_>,
        seen: &impl Whereabouts,
        key: Key,
        request: Message,
        peer: Flow,
        watcher: &Account,
    ) {
        let Some(watched) = watched_person(&request, cx.local, cx.accounts) else {
            cx.wire
                .reply_status(cx.now, &key, &request, 404, "Not Found");
            return;
        };
        let tag = cx.wire.tag();
        let new = subscriptions::New {
            subscriber: &watcher.sip_username,
            watched,
            flow: peer,
            tag: &tag,
            contact: contact_for(cx.local.addr, peer.transport),
        };
        match self.subs.subscribe(cx.now, &request, new) {
            Ok(accepted) => self.accepted(cx, seen, &key, accepted),
            Err(refusal) => {
                let reply = refusal.response(&request, &tag);
                cx.wire.reply_once(cx.now, &key, &reply);
            }
        }
    }

    /// A SUBSCRIBE with a To tag: a refresh or (Expires: 0) the end of a subscription.
    /// `false` when it is not one of ours (the proxy forwards it in its dialog).
    pub(crate) fn resubscribe(
        &mut self,
        cx: &mut Context<'_>,
        seen: &impl Whereabouts,
        key: &Key,
        request: &Message,
        peer: Flow,
        routed: bool,
    ) -> bool {
        match self.subs.resubscribe(cx.now, request, peer) {
            Ok(accepted) => self.accepted(cx, seen, key, accepted),
            Err(Refusal::NoSuchSubscription) if routed => return false,
            Err(refusal) => {
                let tag = cx.wire.tag();
                let reply = refusal.response(request, &tag);
                cx.wire.reply_once(cx.now, key, &reply);
            }
        }
        true
    }

    /// Sends the 200 (kept in its transaction: a retransmitted SUBSCRIBE gets it again
    /// instead of a challenge for a replayed nonce count), then the NOTIFY owed.
    fn accepted(
        &mut self,
        cx: &mut Context<'_>,
        seen: &impl Whereabouts,
        key: &Key,
        accepted: Accepted,
    ) {
        cx.wire.reply(cx.now, key, &accepted.response);
        match accepted.then {
            Then::Notify(id) => {
                let body = self.body_of(seen, accepted.package, accepted.watched);
                if let Some(out) = self.subs.notify(cx.now, id, body) {
                    send_notify(cx, out);
                }
            }
            Then::Final(ending) => {
                let body = self.body_of(seen, ending.package(), ending.watched());
                send_notify(cx, ending.notify(Some(body)));
            }
        }
    }

    /// A person's current state in a package. The entity is stamped by the subscription
    /// (the URI each phone subscribed to), so none is needed here.
    fn body_of(&self, seen: &impl Whereabouts, package: Package, person: i64) -> Body {
        match package {
            Package::Dialog => Body::Dialog(
                self.blf
                    .get(&person)
                    .map_or_else(|| DialogInfo::idle(""), BlfState::document),
            ),
            Package::Presence => Body::Presence(crate::pidf::Pidf::new(
                "",
                self.phone_presence(seen, person),
            )),
        }
    }

    /// A person's presence: the team panel's state when the shell feeds it, else what
    /// the switch itself knows (on the phone, reachable on a registered device, offline).
    fn phone_presence(&self, seen: &impl Whereabouts, person: i64) -> State {
        if let Some(state) = self.presence.get(&person) {
            *state
        } else if seen.in_call(person) {
            State::OnThePhone
        } else if seen.has_device(person) {
            State::Available
        } else {
            State::Offline
        }
    }

    /// The team panel's state of a person changed (the shell feeds the presence hub's
    /// changes): phones subscribed to their presence hear of it. The switch's own view
    /// (calls, registered devices) is used only for people never fed.
    pub(crate) fn handle_presence(
        &mut self,
        cx: &mut Context<'_>,
        seen: &impl Whereabouts,
        person: i64,
        state: State,
    ) {
        if self.presence.insert(person, state) != Some(state) {
            self.notify_presence(cx, seen, person);
        }
    }

    /// What the other parts raised during an input: news of calls for the busy lamps,
    /// and `people` whose registered devices or calls changed, whose presence watchers
    /// hear of it (unless the team panel's state is fed, which has these changes
    /// already).
    pub(crate) fn hear(
        &mut self,
        cx: &mut Context<'_>,
        seen: &impl Whereabouts,
        people: Vec<i64>,
        calls: Vec<CallNews>,
    ) {
        for news in calls {
            match news {
                CallNews::Of { person, event } => self.call_event(cx, person, &event),
                CallNews::EndedEverywhere { call_id } => {
                    let people: Vec<i64> = self.blf.keys().copied().collect();
                    let event = CallEvent::Ended { call_id };
                    for person in people {
                        self.call_event(cx, person, &event);
                    }
                }
                CallNews::Forgotten { person } => {
                    if self.blf.remove(&person).is_some() {
                        self.notify_watchers(cx, person, DialogInfo::idle(""));
                    }
                }
            }
        }
        for person in people {
            if !self.presence.contains_key(&person) {
                self.notify_presence(cx, seen, person);
            }
        }
    }

    fn notify_presence(&mut self, cx: &mut Context<'_>, seen: &impl Whereabouts, person: i64) {
        for id in self.subs.watching(person, Package::Presence) {
            let body = self.body_of(seen, Package::Presence, person);
            if let Some(out) = self.subs.notify(cx.now, id, body) {
                send_notify(cx, out);
            }
        }
    }

    /// A response to one of our NOTIFYs: the next one may go out.
    pub(crate) fn notify_response(&mut self, cx: &mut Context<'_>, response: &Message) {
        if let Some(out) = self.subs.handle_response(cx.now, response) {
            send_notify(cx, out);
        }
    }

    /// A change in `person`'s calls: their watchers get the new document; an idle
    /// person's tracker is dropped.
    fn call_event(&mut self, cx: &mut Context<'_>, person: i64, event: &CallEvent) {
        let state = if event.starts() {
            self.blf.entry(person).or_insert_with(|| BlfState::new(""))
        } else {
            match self.blf.get_mut(&person) {
                Some(state) => state,
                None => return,
            }
        };
        let doc = state.apply(event);
        if state.is_idle() {
            self.blf.remove(&person);
        }
        if let Some(doc) = doc {
            self.notify_watchers(cx, person, doc);
        }
    }

    fn notify_watchers(&mut self, cx: &mut Context<'_>, person: i64, doc: DialogInfo) {
        for id in self.subs.watching(person, Package::Dialog) {
            if let Some(out) = self.subs.notify(cx.now, id, Body::Dialog(doc.clone())) {
                send_notify(cx, out);
            }
        }
    }

    /// Subscriptions that ran out get their final NOTIFY.
    pub(crate) fn handle_timeout(&mut self, cx: &mut Context<'_>, seen: &impl Whereabouts) {
        for ending in self.subs.handle_timeout(cx.now) {
            let body = self.body_of(seen, ending.package(), ending.watched());
            send_notify(cx, ending.notify(Some(body)));
        }
    }

    /// The accounts changed from `old`: a device that was removed or disabled may watch
    /// no more (`reason=rejected`), and people who have no device any more cannot be
    /// watched (`reason=noresource`).
    pub(crate) fn accounts_changed(&mut self, cx: &mut Context<'_>, old: &Accounts) {
        if self.subs.is_empty() {
            return;
        }
        for account in old.iter().filter(|a| !cx.accounts.keeps(a)) {
            for ending in self
                .subs
                .end_subscriber(&account.sip_username, Reason::Rejected)
            {
                send_notify(cx, ending.notify(None));
            }
        }
        let kept: HashSet<i64> = cx.accounts.iter().map(|a| a.person_id).collect();
        let gone: BTreeSet<i64> = old
            .iter()
            .map(|a| a.person_id)
            .filter(|p| !kept.contains(p))
            .collect();
        for person in gone {
            for ending in self.subs.end_watched(person, Reason::NoResource) {
                send_notify(cx, ending.notify(None));
            }
        }
    }
}

impl Timed for Notifier {
    /// When a subscription runs out or a NOTIFY goes unanswered next.
    fn poll_timeout(&self) -> Option<i64> {
        self.subs.poll_timeout()
    }
}

/// The person a SUBSCRIBE's Request-URI names: an extension or a device of ours.
fn watched_person(request: &Message, local: &Local, accounts: &Accounts) -> Option<i64> {
    let StartLine::Request { uri, .. } = &request.start else {
        return None;
    };
    let uri = Uri::parse(uri).ok().filter(|u| local.serves(u))?;
    let user = headers::uri_user(&uri)?;
    match accounts.target(&user) {
        Named::Extension(ext) => accounts.devices_of(ext).first().map(|a| a.person_id),
        Named::Device(account) => Some(account.person_id),
        Named::Unknown => None,
    }
}

/// Sends a NOTIFY in a client transaction of its own (its response comes back to
/// [`Notifier::notify_response`]).
fn send_notify(cx: &mut Context<'_>, out: Outgoing) {
    let Outgoing { flow, mut message } = out;
    message.push_front(HeaderName::Via, cx.wire.via(cx.local, flow.transport));
    cx.wire.send_request(cx.now, message, flow);
}
