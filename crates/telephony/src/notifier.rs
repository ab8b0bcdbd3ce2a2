//! The notifier part of the switch (RFC 6665): it answers SUBSCRIBEs to the dialog
//! package (busy lamp keys, RFC 4235), the presence package (RFC 3856) and the
//! message-summary package (message-waiting lamps, RFC 3842) for its people, and sends
//! the NOTIFYs. Its state: the table ([`Subscriptions`]), a [`BlfState`] per person whose
//! calls it follows, the team panel's states and the watched voicemail boxes
//! ([`Mailboxes`]). The proxy's news of calls reach it through the facade
//! ([`Notifier::hear`]): ringing and calling at the fork, answered at the 2xx, ended at
//! BYE, at a final failure and when forwarding moves a call on.
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
//! **Message-waiting** is for a phone's own person only: a SUBSCRIBE to anyone else's box
//! is refused (403), and a device given to another person loses its subscription to the
//! former owner's box. The counts come from the shell ([`Notifier::handle_voicemail`]),
//! asked for with [`Notice::VoicemailCounts`] the first time a box is watched.
//!
//! In-dialog SUBSCRIBEs are not challenged: the dialog's Call-ID and our random tag,
//! known only to the subscriber, name the subscription.

use crate::accounts::{Account, Accounts, Target as Named};
use crate::context::Context;
use crate::dialog_info::{BlfState, CallEvent, DialogInfo};
use crate::flow::Flow;
use crate::headers::{self, Local};
use crate::mailboxes::Mailboxes;
use crate::notice::Notice;
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
    /// The voicemail boxes phones watch, with their counts once the shell told them.
    mailboxes: Mailboxes,
}

impl Notifier {
    /// No subscriptions yet, at most as many as `limits` allow.
    pub(crate) fn new(limits: subscriptions::Limits) -> Notifier {
        Notifier {
            subs: Subscriptions::new(limits),
            blf: HashMap::new(),
            presence: HashMap::new(),
            mailboxes: Mailboxes::default(),
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
    /// watched person (the Request-URI's extension or device; for message-waiting only
    /// the watcher's own person), subscribe.
    pub(crate) fn subscribe(
        &mut self,
        cx: &mut Context<'_>,
        seen: &impl Whereabouts,
        key: Key,
        request: Message,
        peer: Flow,
        watcher: &Account,
    ) {
        let package = request
            .header(&HeaderName::Event)
            .and_then(|e| Package::of_event(e));
        let watched = match package {
            Some(Package::MessageSummary) => own_box(&request, cx.local, cx.accounts, watcher),
            _ => watched_person(&request, cx.local, cx.accounts).ok_or((404, "Not Found")),
        };
        let watched = match watched {
            Ok(person) => person,
            Err((code, reason)) => {
                cx.wire.reply_status(cx.now, &key, &request, code, reason);
                return;
            }
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
            Ok(accepted) => {
                if accepted.package == Package::MessageSummary {
                    let account = format!("sip:{}@{}", watcher.extension, cx.local.domain);
                    self.mailboxes.watched(accepted.watched, account);
                }
                self.accepted(cx, seen, &key, accepted);
            }
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
    /// instead of a challenge for a replayed nonce count), then the NOTIFY owed; for a
    /// voicemail box whose counts are not known yet, the shell is asked for them and the
    /// NOTIFY goes out with them ([`Notifier::handle_voicemail`]).
    fn accepted(
        &mut self,
        cx: &mut Context<'_>,
        seen: &impl Whereabouts,
        key: &Key,
        accepted: Accepted,
    ) {
        cx.wire.reply(cx.now, key, &accepted.response);
        match accepted.then {
            Then::Notify(id) => match self.body_of(seen, accepted.package, accepted.watched) {
                Some(body) => {
                    if let Some(out) = self.subs.notify(cx.now, id, body) {
                        send_notify(cx, out);
                    }
                }
                None => cx.raised.notice(Notice::VoicemailCounts {
                    person_id: accepted.watched,
                }),
            },
            Then::Final(ending) => {
                let (package, person) = (ending.package(), ending.watched());
                // A fetch of a box not known yet ends without a body: nothing waits for
                // the counts once the subscription is over.
                let body = self.body_of(seen, package, person);
                send_notify(cx, ending.notify(body));
                self.forget_unwatched(package, person);
            }
        }
    }

    /// A person's current state in a package; `None` for a voicemail box whose counts
    /// the shell has not told yet. The entity is stamped by the subscription (the URI
    /// each phone subscribed to), so none is needed here.
    fn body_of(&self, seen: &impl Whereabouts, package: Package, person: i64) -> Option<Body> {
        Some(match package {
            Package::Dialog => Body::Dialog(
                self.blf
                    .get(&person)
                    .map_or_else(|| DialogInfo::idle(""), BlfState::document),
            ),
            Package::Presence => Body::Presence(crate::pidf::Pidf::new(
                "",
                self.phone_presence(seen, person),
            )),
            Package::MessageSummary => Body::MessageSummary(self.mailboxes.summary(person)?),
        })
    }

    /// After a message-summary subscription ended: a box nobody watches any more is
    /// forgotten (asked for again when watched again).
    fn forget_unwatched(&mut self, package: Package, person: i64) {
        if package == Package::MessageSummary
            && self
                .subs
                .watching(person, Package::MessageSummary)
                .is_empty()
        {
            self.mailboxes.forget(person);
        }
    }

    /// The counts of `person`'s voicemail box (unheard, heard), as the shell read them
    /// after [`Notice::VoicemailCounts`] or a change: the phones watching it hear of
    /// them when they changed, or get their first NOTIFY. Dropped when nobody watches.
    pub(crate) fn handle_voicemail(
        &mut self,
        cx: &mut Context<'_>,
        person: i64,
        new: u32,
        old: u32,
    ) {
        let watchers = self.subs.watching(person, Package::MessageSummary);
        if watchers.is_empty() {
            self.mailboxes.forget(person);
            return;
        }
        if !self.mailboxes.set_counts(person, new, old) {
            return;
        }
        let Some(text) = self.mailboxes.summary(person) else {
            return;
        };
        for id in watchers {
            let body = Body::MessageSummary(text.clone());
            if let Some(out) = self.subs.notify(cx.now, id, body) {
                send_notify(cx, out);
            }
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
            let body = Body::Presence(crate::pidf::Pidf::new(
                "",
                self.phone_presence(seen, person),
            ));
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
            let (package, person) = (ending.package(), ending.watched());
            let body = self.body_of(seen, package, person);
            send_notify(cx, ending.notify(body));
            self.forget_unwatched(package, person);
        }
    }

    /// The accounts changed from `old`: a device that was removed or disabled may watch
    /// no more (`reason=rejected`), nor one given to another person its former owner's
    /// voicemail box; people who have no device any more cannot be watched
    /// (`reason=noresource`). Watched boxes follow their owner's extension.
    pub(crate) fn accounts_changed(&mut self, cx: &mut Context<'_>, old: &Accounts) {
        if self.subs.is_empty() {
            return;
        }
        for account in old.iter() {
            let endings = match cx.accounts.get(&account.sip_username) {
                Some(now) if cx.accounts.keeps(account) && now.person_id == account.person_id => {
                    continue
                }
                Some(_) if cx.accounts.keeps(account) => self.subs.end_subscriptions_of(
                    &account.sip_username,
                    &[Package::MessageSummary],
                    Reason::Rejected,
                ),
                _ => self
                    .subs
                    .end_subscriber(&account.sip_username, Reason::Rejected),
            };
            for ending in endings {
                send_notify(cx, ending.notify(None));
            }
        }
        self.rename_boxes(cx);
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
        let people: Vec<i64> = self.mailboxes.people().collect();
        for person in people {
            self.forget_unwatched(Package::MessageSummary, person);
        }
    }

    /// The watched boxes' `Message-Account` after the accounts changed (an extension may
    /// have): one pass over the accounts, only while boxes are watched.
    fn rename_boxes(&mut self, cx: &Context<'_>) {
        if self.mailboxes.is_empty() {
            return;
        }
        for account in cx.accounts.iter() {
            let uri = format!("sip:{}@{}", account.extension, cx.local.domain);
            self.mailboxes.rename(account.person_id, &uri);
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
    let user = headers::uri_user(&our_request_uri(request, local)?)?;
    person_named(&user, accounts)
}

/// Whose voicemail box a message-summary SUBSCRIBE asks for: the person its Request-URI
/// names (phones subscribe to their own address or extension), or the subscriber's own
/// with no user part (the voicemail server's address). A phone may watch its own
/// person's box only: anyone else's is refused (403), whatever the phone may dial.
fn own_box(
    request: &Message,
    local: &Local,
    accounts: &Accounts,
    watcher: &Account,
) -> Result<i64, (u16, &'static str)> {
    const UNKNOWN: (u16, &str) = (404, "Not Found");
    let uri = our_request_uri(request, local).ok_or(UNKNOWN)?;
    let person = match uri.user {
        None => watcher.person_id,
        Some(_) => headers::uri_user(&uri)
            .and_then(|user| person_named(&user, accounts))
            .ok_or(UNKNOWN)?,
    };
    if person == watcher.person_id {
        Ok(person)
    } else {
        Err((403, "Forbidden (not your voicemail box)"))
    }
}

/// The Request-URI, when it is for our domain or address.
fn our_request_uri(request: &Message, local: &Local) -> Option<Uri> {
    let StartLine::Request { uri, .. } = &request.start else {
        return None;
    };
    Uri::parse(uri).ok().filter(|u| local.serves(u))
}

/// The person an extension or device user name stands for.
fn person_named(user: &str, accounts: &Accounts) -> Option<i64> {
    match accounts.target(user) {
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
