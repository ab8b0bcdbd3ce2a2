//! The presence hub: everyone's merged presence, who follows whom, one-shot watches and
//! the fan-out of changes. Sans-IO: feed it with `handle_*(now, …)`, then drain
//! [`Hub::poll_event`] and ask [`Hub::poll_timeout`] when to call [`Hub::handle_timeout`].
//!
//! ```
//! use presence::{ConnId, Event, Hub, Manual, PersonId, Privacy, State};
//! let mut hub = Hub::new(Privacy::default(), 60_000);
//! let (anna, ben) = (PersonId(1), PersonId(2));
//! hub.upsert_person(anna, 10);
//! hub.upsert_person(ben, 10);
//! hub.handle_connect(0, ConnId(7), ben, vec![anna]);
//! while hub.poll_event().is_some() {}
//! hub.handle_connect(1, ConnId(8), anna, vec![]);
//! let Some(Event::Changed { entry, recipients }) = hub.poll_event() else { panic!() };
//! assert_eq!((entry.person, entry.state), (anna, State::Available));
//! assert!(recipients.iter().any(|(conn, _)| *conn == ConnId(7)));
//! ```

use crate::duty::Duty;
use crate::merge::{merge, Signals};
use crate::privacy::{Privacy, View};
use crate::state::{Manual, State};
use std::collections::{BTreeSet, HashMap, VecDeque};

/// A person (the directory's staff id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonId(pub i64);

/// One open client connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

/// One person's presence as the hub knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Whose.
    pub person: PersonId,
    /// The merged state.
    pub state: State,
    /// What they set by hand (location, note, until).
    pub manual: Manual,
    /// Unix milliseconds of the last change of the merged state or the hand-set part.
    pub changed_ms: i64,
    /// A hotline agent's duty (not logged in to a hotline: `None`).
    pub duty: Option<Duty>,
}

/// What the shell has to deliver or store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A person's presence changed; send it to these connections with these views.
    Changed {
        /// The new presence.
        entry: Entry,
        /// Each receiving connection and what it may see.
        recipients: Vec<(ConnId, View)>,
    },
    /// A watch fired and is gone: tell the watcher's connections.
    WatchFired {
        /// Who watched.
        watcher: PersonId,
        /// Who became available.
        target: PersonId,
        /// The watcher's open connections.
        conns: Vec<ConnId>,
    },
    /// A watch expired unfired and is gone.
    WatchExpired {
        /// Who watched.
        watcher: PersonId,
        /// Whom.
        target: PersonId,
    },
    /// A hand-set state ran past its `until` and is back to available: store that.
    ManualExpired {
        /// Whose.
        person: PersonId,
        /// What remains.
        manual: Manual,
    },
}

#[derive(Debug, Default)]
struct Person {
    unit: i64,
    /// What they set by hand; `None` when nothing (available, no note), as for most.
    manual: Option<Box<Manual>>,
    signals: Signals,
    state: State,
    changed_ms: i64,
    /// Clients and watches. Most people have none at any moment, so they sit behind one
    /// pointer: four empty `Vec`s in each of 100,000 entries were 11 MB.
    links: Option<Box<Links>>,
}

#[derive(Debug, Default)]
struct Links {
    conns: Vec<ConnId>,
    followers: Vec<ConnId>,
    /// Watches on this person: (watcher, expires).
    watched_by: Vec<(PersonId, i64)>,
    /// People this person watches.
    watching: Vec<PersonId>,
}

static NO_LINKS: Links = Links {
    conns: Vec::new(),
    followers: Vec::new(),
    watched_by: Vec::new(),
    watching: Vec::new(),
};

static NO_MANUAL: Manual = Manual {
    state: None,
    location: None,
    note: None,
    until_ms: None,
};

impl Person {
    fn manual(&self) -> &Manual {
        self.manual.as_deref().unwrap_or(&NO_MANUAL)
    }

    fn set_manual(&mut self, manual: Manual) {
        self.manual = (manual != NO_MANUAL).then(|| Box::new(manual));
    }

    fn links(&self) -> &Links {
        self.links.as_deref().unwrap_or(&NO_LINKS)
    }

    /// Changes the links; drops them when nothing is left.
    fn edit<R>(&mut self, f: impl FnOnce(&mut Links) -> R) -> R {
        let links = self.links.get_or_insert_with(Box::default);
        let out = f(links);
        if links.conns.is_empty()
            && links.followers.is_empty()
            && links.watched_by.is_empty()
            && links.watching.is_empty()
        {
            self.links = None;
        }
        out
    }
}

#[derive(Debug)]
struct Conn {
    person: PersonId,
    idle: bool,
    follows: Vec<PersonId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Deadline {
    Until(PersonId),
    WatchExpiry(PersonId, PersonId),
}

/// The presence of everyone, and who is told about changes.
#[derive(Debug)]
pub struct Hub {
    privacy: Privacy,
    watch_ttl_ms: i64,
    people: HashMap<PersonId, Person>,
    conns: HashMap<ConnId, Conn>,
    deadlines: BTreeSet<(i64, Deadline)>,
    events: VecDeque<Event>,
}

impl Hub {
    /// An empty hub; watches expire `watch_ttl_ms` after they are set.
    pub fn new(privacy: Privacy, watch_ttl_ms: i64) -> Hub {
        Hub {
            privacy,
            watch_ttl_ms,
            people: HashMap::new(),
            conns: HashMap::new(),
            deadlines: BTreeSet::new(),
            events: VecDeque::new(),
        }
    }

    /// Adds a person or moves them to another unit. New people are offline.
    pub fn upsert_person(&mut self, person: PersonId, unit: i64) {
        self.people.entry(person).or_default().unit = unit;
    }

    /// Restores a stored hand-set presence (at start-up); no event.
    pub fn restore_manual(&mut self, now_ms: i64, person: PersonId, manual: Manual) {
        let Some(p) = self.people.get_mut(&person) else {
            return;
        };
        if let Some(old) = p.manual().until_ms {
            self.deadlines.remove(&(old, Deadline::Until(person)));
        }
        if let Some(until) = manual.until_ms {
            self.deadlines.insert((until, Deadline::Until(person)));
        }
        p.set_manual(manual);
        p.state = merge(p.manual().state(), p.signals);
        p.changed_ms = now_ms;
    }

    /// Restores a stored watch (at start-up); expired ones are dropped with an event.
    pub fn restore_watch(
        &mut self,
        now_ms: i64,
        watcher: PersonId,
        target: PersonId,
        expires: i64,
    ) {
        if expires <= now_ms {
            self.events
                .push_back(Event::WatchExpired { watcher, target });
            return;
        }
        self.insert_watch(watcher, target, expires);
    }

    /// Everyone's merged state.
    pub fn states(&self) -> impl Iterator<Item = (PersonId, State)> + '_ {
        self.people.iter().map(|(id, p)| (*id, p.state))
    }

    /// A person's current presence.
    pub fn entry(&self, person: PersonId) -> Option<Entry> {
        self.people.get(&person).map(|p| Entry {
            person,
            state: p.state,
            manual: p.manual().clone(),
            changed_ms: p.changed_ms,
            duty: p.signals.duty,
        })
    }

    /// What a person's merged state is made of (clients, phones, calls, meeting, duty).
    pub fn signals(&self, person: PersonId) -> Option<Signals> {
        self.people.get(&person).map(|p| p.signals)
    }

    /// What the owner of `viewer` may see of `subject`.
    pub fn view_for(&self, viewer: PersonId, subject: PersonId) -> View {
        let unit = |p: PersonId| self.people.get(&p).map(|p| p.unit);
        let offline = self
            .people
            .get(&subject)
            .is_none_or(|p| p.state == State::Offline);
        if offline && viewer != subject {
            return View::default();
        }
        self.privacy.view(
            viewer == subject,
            unit(viewer).is_some() && unit(viewer) == unit(subject),
        )
    }

    /// Number of open connections.
    pub fn connections(&self) -> usize {
        self.conns.len()
    }

    /// A client of `person` opened; it follows `follows` (unknown people are skipped).
    /// Fires pending watches of this person whose target is available now.
    pub fn handle_connect(
        &mut self,
        now_ms: i64,
        conn: ConnId,
        person: PersonId,
        follows: Vec<PersonId>,
    ) {
        if !self.people.contains_key(&person) || self.conns.contains_key(&conn) {
            return;
        }
        let mut kept = Vec::with_capacity(follows.len());
        for f in follows {
            if f == person || kept.contains(&f) {
                continue;
            }
            if let Some(p) = self.people.get_mut(&f) {
                p.edit(|l| l.followers.push(conn));
                kept.push(f);
            }
        }
        self.conns.insert(
            conn,
            Conn {
                person,
                idle: false,
                follows: kept,
            },
        );
        self.change_signals(now_ms, person, |s| s.clients += 1);
        if let Some(p) = self.people.get_mut(&person) {
            p.edit(|l| l.conns.push(conn));
        }
        let watching = self.people[&person].links().watching.clone();
        for target in watching {
            if self.people[&target].state == State::Available {
                self.fire((person, target));
            }
        }
    }

    /// A client follows more people. Returns those actually added.
    pub fn handle_follow(&mut self, conn: ConnId, more: &[PersonId]) -> Vec<PersonId> {
        let Some(c) = self.conns.get_mut(&conn) else {
            return Vec::new();
        };
        let mut added = Vec::new();
        for &f in more {
            if f == c.person || c.follows.contains(&f) {
                continue;
            }
            if let Some(p) = self.people.get_mut(&f) {
                p.edit(|l| l.followers.push(conn));
                c.follows.push(f);
                added.push(f);
            }
        }
        added
    }

    /// A client closed.
    pub fn handle_disconnect(&mut self, now_ms: i64, conn: ConnId) {
        let Some(c) = self.conns.remove(&conn) else {
            return;
        };
        for f in &c.follows {
            if let Some(p) = self.people.get_mut(f) {
                p.edit(|l| l.followers.retain(|x| *x != conn));
            }
        }
        if let Some(p) = self.people.get_mut(&c.person) {
            p.edit(|l| l.conns.retain(|x| *x != conn));
        }
        let was_idle = c.idle;
        self.change_signals(now_ms, c.person, |s| {
            s.clients -= 1;
            s.idle_clients -= u32::from(was_idle);
        });
    }

    /// A client reports its user idle or back.
    pub fn handle_activity(&mut self, now_ms: i64, conn: ConnId, idle: bool) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        if c.idle == idle {
            return;
        }
        c.idle = idle;
        let person = c.person;
        self.change_signals(now_ms, person, |s| {
            if idle {
                s.idle_clients += 1
            } else {
                s.idle_clients -= 1
            }
        });
    }

    /// The person sets their presence by hand (already checked by [`Manual::new`]).
    pub fn handle_set(&mut self, now_ms: i64, person: PersonId, manual: Manual) {
        let Some(p) = self.people.get_mut(&person) else {
            return;
        };
        if let Some(old) = p.manual().until_ms {
            self.deadlines.remove(&(old, Deadline::Until(person)));
        }
        if let Some(until) = manual.until_ms {
            self.deadlines.insert((until, Deadline::Until(person)));
        }
        p.set_manual(manual);
        self.recompute(now_ms, person, true);
    }

    /// Telephony hook: a call of this person started (`true`) or ended (`false`).
    pub fn handle_call(&mut self, now_ms: i64, person: PersonId, active: bool) {
        self.change_signals(now_ms, person, |s| {
            s.calls = if active {
                s.calls + 1
            } else {
                s.calls.saturating_sub(1)
            }
        });
    }

    /// Telephony hook: a phone of this person registered (`true`) or went away.
    pub fn handle_device(&mut self, now_ms: i64, person: PersonId, online: bool) {
        self.change_signals(now_ms, person, |s| {
            s.devices = if online {
                s.devices + 1
            } else {
                s.devices.saturating_sub(1)
            }
        });
    }

    /// Meetings hook: the person joined (`true`) or left their last meeting.
    pub fn handle_meeting(&mut self, now_ms: i64, person: PersonId, active: bool) {
        self.change_signals(now_ms, person, |s| s.in_meeting = active);
    }

    /// Hotline hook: an agent's duty changed (`None`: logged out of every queue). Shown
    /// to followers even when the merged state stays.
    pub fn handle_duty(&mut self, now_ms: i64, person: PersonId, duty: Option<Duty>) {
        let Some(p) = self.people.get_mut(&person) else {
            return;
        };
        let changed = p.signals.duty != duty;
        p.signals.duty = duty;
        self.recompute(now_ms, person, changed);
    }

    /// Adds a one-shot watch of `watcher` on `target`; returns when it expires, or `None`
    /// for unknown people. A target available right now fires at once.
    pub fn handle_watch_add(
        &mut self,
        now_ms: i64,
        watcher: PersonId,
        target: PersonId,
    ) -> Option<i64> {
        if watcher == target
            || !self.people.contains_key(&watcher)
            || !self.people.contains_key(&target)
        {
            return None;
        }
        self.remove_watch(watcher, target);
        let expires = now_ms + self.watch_ttl_ms;
        self.insert_watch(watcher, target, expires);
        if self.people[&target].state == State::Available
            && !self.people[&watcher].links().conns.is_empty()
        {
            self.fire((watcher, target));
        }
        Some(expires)
    }

    /// Whether `watcher` has a pending watch on `target`.
    pub fn is_watching(&self, watcher: PersonId, target: PersonId) -> bool {
        self.people
            .get(&target)
            .is_some_and(|t| t.links().watched_by.iter().any(|(w, _)| *w == watcher))
    }

    /// Removes a watch; returns whether there was one.
    pub fn handle_watch_remove(&mut self, watcher: PersonId, target: PersonId) -> bool {
        self.remove_watch(watcher, target)
    }

    /// Expires hand-set states and watches whose time has come.
    pub fn handle_timeout(&mut self, now_ms: i64) {
        while let Some(&(at, deadline)) = self.deadlines.first() {
            if at > now_ms {
                break;
            }
            self.deadlines.pop_first();
            match deadline {
                Deadline::Until(person) => {
                    let Some(p) = self.people.get_mut(&person) else {
                        continue;
                    };
                    if p.manual().until_ms != Some(at) {
                        continue;
                    }
                    let manual = p.manual().expired();
                    p.set_manual(manual.clone());
                    self.events
                        .push_back(Event::ManualExpired { person, manual });
                    self.recompute(now_ms, person, true);
                }
                Deadline::WatchExpiry(watcher, target) => {
                    let current = self.people.get(&target).and_then(|p| {
                        p.links()
                            .watched_by
                            .iter()
                            .find(|(w, _)| *w == watcher)
                            .map(|(_, e)| *e)
                    });
                    if current == Some(at) {
                        self.remove_watch(watcher, target);
                        self.events
                            .push_back(Event::WatchExpired { watcher, target });
                    }
                }
            }
        }
    }

    /// The next event for the shell.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`Hub::handle_timeout`] has work next (Unix milliseconds).
    pub fn poll_timeout(&self) -> Option<i64> {
        self.deadlines.first().map(|(at, _)| *at)
    }

    fn change_signals(&mut self, now_ms: i64, person: PersonId, f: impl FnOnce(&mut Signals)) {
        let Some(p) = self.people.get_mut(&person) else {
            return;
        };
        f(&mut p.signals);
        self.recompute(now_ms, person, false);
    }

    /// Merges again; announces when the state changed or `manual_changed`.
    fn recompute(&mut self, now_ms: i64, person: PersonId, manual_changed: bool) {
        let Some(p) = self.people.get_mut(&person) else {
            return;
        };
        let state = merge(p.manual().state(), p.signals);
        if state == p.state && !manual_changed {
            return;
        }
        // Someone who stays offline (appear offline) changed only their hand-set part:
        // tell their own clients, not followers, so nothing gives them away.
        let tell_followers = state != p.state || state != State::Offline;
        p.state = state;
        p.changed_ms = now_ms;
        let p = &self.people[&person];
        let links = p.links();
        let mut recipients = Vec::with_capacity(links.followers.len() + links.conns.len());
        recipients.extend(links.conns.iter().map(|c| (*c, View::ALL)));
        for c in links.followers.iter().filter(|_| tell_followers) {
            let viewer_unit = self
                .conns
                .get(c)
                .and_then(|conn| self.people.get(&conn.person))
                .map(|v| v.unit);
            // Offline people show others nothing but "offline".
            let view = if state == State::Offline {
                View::default()
            } else {
                self.privacy.view(false, viewer_unit == Some(p.unit))
            };
            recipients.push((*c, view));
        }
        let entry = Entry {
            person,
            state,
            manual: p.manual().clone(),
            changed_ms: now_ms,
            duty: p.signals.duty,
        };
        let fire: Vec<PersonId> = if state == State::Available {
            links.watched_by.iter().map(|(w, _)| *w).collect()
        } else {
            Vec::new()
        };
        self.events.push_back(Event::Changed { entry, recipients });
        for watcher in fire {
            if self
                .people
                .get(&watcher)
                .is_some_and(|w| !w.links().conns.is_empty())
            {
                self.fire((watcher, person));
            }
        }
    }

    fn fire(&mut self, (watcher, target): (PersonId, PersonId)) {
        if self.remove_watch(watcher, target) {
            let conns = self.people[&watcher].links().conns.clone();
            self.events.push_back(Event::WatchFired {
                watcher,
                target,
                conns,
            });
        }
    }

    fn insert_watch(&mut self, watcher: PersonId, target: PersonId, expires: i64) {
        let (Some(_), Some(_)) = (self.people.get(&watcher), self.people.get(&target)) else {
            return;
        };
        if let Some(t) = self.people.get_mut(&target) {
            t.edit(|l| l.watched_by.push((watcher, expires)));
        }
        if let Some(w) = self.people.get_mut(&watcher) {
            w.edit(|l| l.watching.push(target));
        }
        self.deadlines
            .insert((expires, Deadline::WatchExpiry(watcher, target)));
    }

    fn remove_watch(&mut self, watcher: PersonId, target: PersonId) -> bool {
        let Some(t) = self.people.get_mut(&target) else {
            return false;
        };
        let Some(i) = t.links().watched_by.iter().position(|(w, _)| *w == watcher) else {
            return false;
        };
        let (_, expires) = t.edit(|l| l.watched_by.swap_remove(i));
        self.deadlines
            .remove(&(expires, Deadline::WatchExpiry(watcher, target)));
        if let Some(w) = self.people.get_mut(&watcher) {
            w.edit(|l| l.watching.retain(|x| *x != target));
        }
        true
    }
}
