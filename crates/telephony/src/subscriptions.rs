//! The notifier's subscriptions (RFC 6665) to the dialog package (RFC 4235, busy lamp
//! keys), the presence package (RFC 3856, PIDF) and the message-summary package (RFC 3842,
//! message-waiting lamps): pure, the time comes in as Unix milliseconds and messages go
//! out as values. The switch authenticates the SUBSCRIBE,
//! finds the watched person, and drives the table:
//!
//! - a SUBSCRIBE without To tag → [`Subscriptions::subscribe`]; with one →
//!   [`Subscriptions::resubscribe`]. Send [`Accepted::response`] (or
//!   [`Refusal::response`]), then the NOTIFY [`Accepted::then`] asks for, with the
//!   person's current state;
//! - a person's state changed → [`Subscriptions::watching`], and [`Subscriptions::notify`]
//!   for each;
//! - a response to a NOTIFY → [`Subscriptions::handle_response`], which may give the next;
//! - at [`Subscriptions::poll_timeout`] → [`Subscriptions::handle_timeout`]: each
//!   [`Ending`] it returns is a subscription that ran out, owed its final NOTIFY.
//!
//! Every [`Outgoing`] NOTIFY lacks only the Via: push yours (a fresh branch) and send it in
//! a client transaction to [`Outgoing::flow`].
//!
//! **In order.** Each subscription has at most one NOTIFY in flight; a change meanwhile
//! waits, and several changes collapse into the latest (the documents carry full state,
//! so nothing is lost). A phone thus never sees "ringing" after "talking", however UDP
//! retransmissions overtake each other, whether or not it checks versions.
//!
//! **Bounded** by [`Limits`]: subscriptions per subscribing device (a phone with three
//! 60-key expansion modules needs 180+) and overall, each refused with its own status; a
//! phone that subscribes again after a reboot (new Call-ID, same Contact, same key)
//! replaces its old subscription instead of piling up.
//!
//! ```
//! use bytes::Bytes;
//! use telephony::dialog_info::BlfState;
//! use telephony::subscriptions::{contact_for, Body, Limits, New, Subscriptions, Then};
//! use telephony::{Flow, Transport};
//! let phone = Flow::udp("192.0.2.9:5062".parse().unwrap());
//! let subscribe = "SUBSCRIBE sip:2401@pbx.example SIP/2.0\r\n\
//!     Via: SIP/2.0/UDP 192.0.2.9:5062;branch=z9hG4bK1\r\nMax-Forwards: 70\r\n\
//!     From: <sip:2301@pbx.example>;tag=w1\r\nTo: <sip:2401@pbx.example>\r\nCall-ID: s1\r\n\
//!     CSeq: 1 SUBSCRIBE\r\nContact: <sip:2301@192.0.2.9:5062>\r\nEvent: dialog\r\n\r\n";
//! let request = sip::parse_datagram(Bytes::from(subscribe)).unwrap();
//! let mut subs = Subscriptions::new(Limits::default());
//! let ours = contact_for("192.0.2.1:5060".parse().unwrap(), Transport::Udp);
//! let new = New { subscriber: "2301-desk", watched: 7, flow: phone, tag: "t1", contact: ours };
//! let accepted = subs.subscribe(1_000, &request, new).unwrap();
//! assert_eq!(accepted.response.code(), Some(200)); // To tag t1, Contact, Expires: 3600
//! let Then::Notify(id) = accepted.then else { unreachable!() };
//! let anna = BlfState::new("sip:2401@pbx.example");
//! let first = subs.notify(1_000, id, Body::Dialog(anna.document())).unwrap();
//! assert_eq!(first.flow, phone);
//! let text = String::from_utf8_lossy(&first.message.to_bytes()).into_owned();
//! assert!(text.starts_with("NOTIFY sip:2301@192.0.2.9:5062 SIP/2.0\r\n"));
//! assert!(text.contains("Subscription-State: active;expires=3600\r\n"));
//! assert!(text.contains("From: <sip:2401@pbx.example>;tag=t1\r\n"));
//! assert!(text.contains(r#"version="0" state="full""#));
//! // The NOTIFY's transaction runs out unanswered after Timer F; the table knows too.
//! assert_eq!(subs.poll_timeout(), Some(1_000 + 32_000));
//! ```

mod answer;
mod notify;
mod request;

pub use answer::{Accepted, Then};
pub use notify::{contact_for, Ending, Outgoing, Subscription};
pub use request::Refusal;

use crate::dialog_info::{self, DialogInfo};
use crate::flow::Flow;
use crate::pidf::{self, Pidf};
use bytes::Bytes;
use request::Asked;
use sip::cseq::CSeq;
use sip::{HeaderName, Message, Method};
use std::collections::{BTreeSet, HashMap};

/// The packages served, for `Allow-Events` (RFC 6665 §4.4.4).
pub const ALLOW_EVENTS: &[u8] = b"dialog, presence, message-summary";

/// An event package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Package {
    /// `dialog` (RFC 4235): busy lamp keys.
    Dialog,
    /// `presence` (RFC 3856): the team panel state.
    Presence,
    /// `message-summary` (RFC 3842): the message-waiting lamp of the person's own
    /// voicemail box.
    MessageSummary,
}

impl Package {
    /// Every package served.
    pub const ALL: [Package; 3] = [Package::Dialog, Package::Presence, Package::MessageSummary];

    /// The package of an `Event` header value (`dialog;id=1`); `None` for others.
    pub fn of_event(value: &[u8]) -> Option<Package> {
        let name = value.split(|c| *c == b';').next()?.trim_ascii();
        Package::ALL
            .into_iter()
            .find(|p| name.eq_ignore_ascii_case(p.as_str().as_bytes()))
    }

    /// The event package name.
    pub fn as_str(self) -> &'static str {
        match self {
            Package::Dialog => "dialog",
            Package::Presence => "presence",
            Package::MessageSummary => voicemail::mwi::EVENT,
        }
    }

    /// The media type of its NOTIFY bodies.
    pub fn content_type(self) -> &'static str {
        match self {
            Package::Dialog => dialog_info::CONTENT_TYPE,
            Package::Presence => pidf::CONTENT_TYPE,
            Package::MessageSummary => voicemail::mwi::CONTENT_TYPE,
        }
    }
}

/// Names a subscription in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubId(pub u64);

/// The table's bounds and times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Subscriptions in all (503 beyond).
    pub max_total: usize,
    /// Subscriptions of one subscribing device (403 beyond: retrying will not help).
    pub max_per_subscriber: usize,
    /// Shortest accepted Expires, seconds (423 with Min-Expires below, RFC 6665 §4.2.1.1).
    pub min_expires_secs: u32,
    /// Longest granted Expires, seconds (longer requests are shortened).
    pub max_expires_secs: u32,
    /// Expires when the SUBSCRIBE has none (RFC 4235 §3.4 and RFC 3856 §6.4: 3600).
    pub default_expires_secs: u32,
    /// How long a NOTIFY may go unanswered: Timer F, 64 × T1 (RFC 3261 §17.1.2.2).
    pub notify_timeout_ms: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_total: 50_000,
            max_per_subscriber: 250,
            min_expires_secs: 60,
            max_expires_secs: 3600,
            default_expires_secs: 3600,
            notify_timeout_ms: 32_000,
        }
    }
}

/// Why a subscription ended (RFC 6665 §4.1.3), for the final NOTIFY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// It ran out or the subscriber ended it (Expires: 0); subscribe again at will.
    Timeout,
    /// The watched person is gone (no extension any more).
    NoResource,
    /// The subscriber may no longer watch (device removed or disabled).
    Rejected,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::Timeout => "timeout",
            Reason::NoResource => "noresource",
            Reason::Rejected => "rejected",
        }
    }
}

/// A NOTIFY body: the watched person's current state in the subscription's package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// For `dialog` ([`crate::dialog_info::BlfState::document`] or what its events return).
    Dialog(DialogInfo),
    /// For `presence`.
    Presence(Pidf),
    /// For `message-summary`: the `application/simple-message-summary` text
    /// ([`voicemail::mwi::summary`]), sent as it is.
    MessageSummary(String),
}

impl Body {
    fn package(&self) -> Package {
        match self {
            Body::Dialog(_) => Package::Dialog,
            Body::Presence(_) => Package::Presence,
            Body::MessageSummary(_) => Package::MessageSummary,
        }
    }
}

/// What the switch knows about a new subscription besides the SUBSCRIBE.
#[derive(Debug, Clone)]
pub struct New<'a> {
    /// The authenticated device (its SIP user name), for the per-device bound.
    pub subscriber: &'a str,
    /// The watched person.
    pub watched: i64,
    /// Where the SUBSCRIBE came from: the NOTIFYs go there (NAT and TCP friendly).
    pub flow: Flow,
    /// A fresh tag: our side of the dialog.
    pub tag: &'a str,
    /// Our Contact for the 2xx and the NOTIFYs ([`contact_for`]).
    pub contact: Bytes,
}

/// All subscriptions, indexed by dialog, watched person and deadline.
#[derive(Debug)]
pub struct Subscriptions {
    limits: Limits,
    subs: HashMap<SubId, Subscription>,
    /// (Call-ID, our tag): in-dialog SUBSCRIBEs and responses to our NOTIFYs.
    by_dialog: HashMap<(Bytes, Bytes), SubId>,
    by_watched: HashMap<(i64, Package), BTreeSet<SubId>>,
    per_subscriber: HashMap<String, usize>,
    deadlines: BTreeSet<(i64, SubId)>,
    next: u64,
}

impl Subscriptions {
    /// An empty table.
    pub fn new(limits: Limits) -> Subscriptions {
        Subscriptions {
            limits,
            subs: HashMap::new(),
            by_dialog: HashMap::new(),
            by_watched: HashMap::new(),
            per_subscriber: HashMap::new(),
            deadlines: BTreeSet::new(),
            next: 0,
        }
    }

    /// Number of subscriptions.
    pub fn len(&self) -> usize {
        self.subs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.subs.is_empty()
    }

    /// One subscription.
    pub fn get(&self, id: SubId) -> Option<&Subscription> {
        self.subs.get(&id)
    }

    /// The subscriptions watching `person` in `package`, for the fan-out of a change.
    pub fn watching(&self, person: i64, package: Package) -> Vec<SubId> {
        self.by_watched
            .get(&(person, package))
            .map(|set| set.iter().copied().collect())
            .unwrap_or_default()
    }

    /// A SUBSCRIBE without To tag (authenticated; its Request-URI names `new.watched`).
    /// Expires: 0 is a fetch: answered, owed one final NOTIFY, nothing kept.
    pub fn subscribe(
        &mut self,
        now: i64,
        request: &Message,
        new: New<'_>,
    ) -> Result<Accepted, Refusal> {
        let asked = Asked::read(request, &self.limits)?;
        if asked.target.is_none() {
            return Err(Refusal::Malformed("Missing or invalid Contact"));
        }
        if asked.from_tag.is_none() {
            return Err(Refusal::Malformed("Missing From tag"));
        }
        let (tag, expires) = (new.tag, asked.expires);
        let sub = Subscription::new(SubId(self.next), now, request, asked, new);
        let response = answer::ok(request, &sub.contact, expires, Some(tag));
        let (package, watched, id) = (sub.package, sub.watched, sub.id);
        let then = if expires == 0 {
            Then::Final(Box::new(Ending::new(sub, Reason::Timeout)))
        } else {
            self.replace_earlier(&sub);
            let count = self.per_subscriber.get(&sub.subscriber).copied();
            if count.unwrap_or(0) >= self.limits.max_per_subscriber {
                let max = self.limits.max_per_subscriber;
                return Err(Refusal::PerSubscriber { max });
            }
            if self.subs.len() >= self.limits.max_total {
                return Err(Refusal::Full);
            }
            self.next += 1;
            self.insert(sub);
            Then::Notify(id)
        };
        Ok(Accepted {
            response,
            package,
            watched,
            then,
        })
    }

    /// A SUBSCRIBE with a To tag: refreshes the subscription (a new Contact and flow
    /// too, SUBSCRIBE being a target refresh request) or, with Expires: 0, ends it.
    pub fn resubscribe(
        &mut self,
        now: i64,
        request: &Message,
        flow: Flow,
    ) -> Result<Accepted, Refusal> {
        let asked = Asked::read(request, &self.limits)?;
        let id = asked
            .to_tag
            .clone()
            .and_then(|tag| self.by_dialog.get(&(asked.call_id.clone(), tag)))
            .copied()
            .ok_or(Refusal::NoSuchSubscription)?;
        let sub = &self.subs[&id];
        if asked.from_tag.as_ref() != Some(&sub.remote_tag) {
            return Err(Refusal::NoSuchSubscription);
        }
        if asked.package != sub.package {
            return Err(Refusal::BadEvent);
        }
        if asked.cseq <= sub.remote_cseq {
            return Err(Refusal::OutOfOrder);
        }
        let (package, watched) = (sub.package, sub.watched);
        let response = answer::ok(request, &sub.contact, asked.expires, None);
        let then = if asked.expires == 0 {
            let sub = self.remove(id).ok_or(Refusal::NoSuchSubscription)?;
            Then::Final(Box::new(Ending::new(sub, Reason::Timeout)))
        } else {
            self.update(id, |sub| {
                sub.remote_cseq = asked.cseq;
                sub.expires_at = now + i64::from(asked.expires) * 1000;
                sub.flow = flow;
                if let Some(target) = asked.target {
                    sub.target = target;
                }
            });
            Then::Notify(id)
        };
        Ok(Accepted {
            response,
            package,
            watched,
            then,
        })
    }

    /// A NOTIFY with the watched person's current state, or `None` when one is in flight
    /// (this body then goes out when it is answered, replacing any other waiting), when
    /// the subscription is gone, or when the body is of the other package.
    pub fn notify(&mut self, now: i64, id: SubId, body: Body) -> Option<Outgoing> {
        let sub = self.subs.get_mut(&id)?;
        if body.package() != sub.package {
            return None;
        }
        if sub.in_flight.is_some() {
            sub.pending = Some(body);
            return None;
        }
        self.send(now, id, body)
    }

    fn send(&mut self, now: i64, id: SubId, body: Body) -> Option<Outgoing> {
        let timeout = self.limits.notify_timeout_ms;
        let mut out = None;
        self.update(id, |sub| {
            let message = sub.build(now, Some(body), None);
            sub.in_flight = Some((sub.cseq, now + timeout));
            out = Some(Outgoing {
                flow: sub.flow,
                message,
            });
        });
        out
    }

    /// A response to one of our NOTIFYs (the switch's client transaction got it). A 2xx
    /// frees the subscription for the next NOTIFY, which is returned when one waits.
    /// RFC 6665 §4.2.2: a failure ends the subscription without a final NOTIFY (481:
    /// the phone forgot it, rebooted…), except the passing ones (491, 500, 503, 504),
    /// after which the next change is tried.
    pub fn handle_response(&mut self, now: i64, response: &Message) -> Option<Outgoing> {
        let code = response.code()?;
        let cseq = CSeq::parse(response.header(&HeaderName::CSeq)?)?;
        if code < 200 || cseq.method != Method::Notify {
            return None;
        }
        let key = (
            response.header(&HeaderName::CallId)?.clone(),
            request::tag_of(response, &HeaderName::From)?,
        );
        let id = *self.by_dialog.get(&key)?;
        let sub = self.subs.get_mut(&id)?;
        if sub.in_flight.map(|(seq, _)| seq) != Some(cseq.seq) {
            return None;
        }
        if !(200..300).contains(&code) && !matches!(code, 491 | 500 | 503 | 504) {
            self.remove(id);
            return None;
        }
        let pending = sub.pending.take();
        self.update(id, |sub| sub.in_flight = None);
        self.send(now, id, pending?)
    }

    /// When [`Subscriptions::handle_timeout`] has work.
    pub fn poll_timeout(&self) -> Option<i64> {
        self.deadlines.first().map(|(at, _)| *at)
    }

    /// Ends what is due at `now`: a subscription whose NOTIFY went unanswered until Timer
    /// F is dropped silently (RFC 6665 §4.2.2: the subscriber is unreachable); one that
    /// ran out is returned, owed its final NOTIFY with `reason=timeout`.
    pub fn handle_timeout(&mut self, now: i64) -> Vec<Ending> {
        let mut ended = Vec::new();
        while let Some(&(at, id)) = self.deadlines.first() {
            if at > now {
                break;
            }
            let Some(sub) = self.remove(id) else {
                self.deadlines.remove(&(at, id));
                continue;
            };
            let unanswered = sub.in_flight.is_some_and(|(_, at)| at <= now);
            if !unanswered {
                ended.push(Ending::new(sub, Reason::Timeout));
            }
        }
        ended
    }

    /// Ends every subscription to `person` (their extension is gone: `noresource`).
    pub fn end_watched(&mut self, person: i64, reason: Reason) -> Vec<Ending> {
        let ids: Vec<SubId> = Package::ALL
            .into_iter()
            .flat_map(|p| self.watching(person, p))
            .collect();
        self.end(ids, reason)
    }

    /// Ends every subscription of a device (removed or disabled: `rejected`). Scans the
    /// table; devices change rarely.
    pub fn end_subscriber(&mut self, subscriber: &str, reason: Reason) -> Vec<Ending> {
        self.end_subscriptions_of(subscriber, &Package::ALL, reason)
    }

    /// Ends a device's subscriptions in `packages` (a device given to another person may
    /// no longer watch its former owner's voicemail box). Scans the table.
    pub fn end_subscriptions_of(
        &mut self,
        subscriber: &str,
        packages: &[Package],
        reason: Reason,
    ) -> Vec<Ending> {
        let ids: Vec<SubId> = self
            .subs
            .values()
            .filter(|s| s.subscriber == subscriber && packages.contains(&s.package))
            .map(|s| s.id)
            .collect();
        self.end(ids, reason)
    }

    fn end(&mut self, mut ids: Vec<SubId>, reason: Reason) -> Vec<Ending> {
        ids.sort();
        ids.into_iter()
            .filter_map(|id| self.remove(id))
            .map(|sub| Ending::new(sub, reason))
            .collect()
    }

    /// A phone that lost its subscriptions (rebooted) subscribes anew with a new Call-ID;
    /// its old subscription for the same key would only collect 481s until it runs out.
    fn replace_earlier(&mut self, new: &Subscription) {
        let earlier: Vec<SubId> = self
            .watching(new.watched, new.package)
            .into_iter()
            .filter(|id| {
                let old = &self.subs[id];
                old.subscriber == new.subscriber && old.target == new.target
            })
            .collect();
        for id in earlier {
            self.remove(id);
        }
    }

    fn insert(&mut self, sub: Subscription) {
        let id = sub.id;
        self.by_dialog
            .insert((sub.call_id.clone(), sub.local_tag.clone()), id);
        self.by_watched
            .entry((sub.watched, sub.package))
            .or_default()
            .insert(id);
        *self
            .per_subscriber
            .entry(sub.subscriber.clone())
            .or_default() += 1;
        self.deadlines.insert((sub.deadline(), id));
        self.subs.insert(id, sub);
    }

    /// Changes a subscription and keeps its deadline indexed.
    fn update(&mut self, id: SubId, change: impl FnOnce(&mut Subscription)) {
        let Some(sub) = self.subs.get_mut(&id) else {
            return;
        };
        self.deadlines.remove(&(sub.deadline(), id));
        change(sub);
        self.deadlines.insert((sub.deadline(), id));
    }

    fn remove(&mut self, id: SubId) -> Option<Subscription> {
        let sub = self.subs.remove(&id)?;
        self.deadlines.remove(&(sub.deadline(), id));
        self.by_dialog
            .remove(&(sub.call_id.clone(), sub.local_tag.clone()));
        if let Some(set) = self.by_watched.get_mut(&(sub.watched, sub.package)) {
            set.remove(&id);
            if set.is_empty() {
                self.by_watched.remove(&(sub.watched, sub.package));
            }
        }
        if let Some(n) = self.per_subscriber.get_mut(&sub.subscriber) {
            *n -= 1;
            if *n == 0 {
                self.per_subscriber.remove(&sub.subscriber);
            }
        }
        Some(sub)
    }
}

#[cfg(test)]
mod tests;
