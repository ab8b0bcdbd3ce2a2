//! [`Live`], the handle to the runtime: the pure [`presence::Hub`] behind a mutex with
//! what fan-out needs next to it (the open connections, who is who, who is in which
//! room, the per-person limits), the store, the clock, the bus and the chat writer's
//! queue. Shells (HTTP handlers, the WebSocket gateway, the SIP service) call in; every
//! state change of the hub is drained at once ([`Live::dispatch`]): frames go out as
//! `try_send`s, merged states go on the bus, stores happen in the background.

use crate::bus::Bus;
use crate::chat::writer::{self, WriteJob};
use crate::clock::SharedClock;
use crate::connections::{Connections, Outbound};
use crate::frames::{Frame, Frames};
use crate::limits::Limits;
use crate::people::{People, Person};
use crate::sessions::SessionCache;
use crate::settings::LiveSettings;
use presence::{ConnId, Event, Hub, Manual, PersonId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use store::{Store, StoreError, StoredPresence};
use tokio::sync::{mpsc, Notify};

/// Chat writes the writer task's queue holds (the capacity page's limit of
/// `write_queue_chat`).
pub const CHAT_WRITE_QUEUE: usize = 4096;

struct Inner {
    hub: Hub,
    conns: Connections,
    people: People,
    rooms: HashMap<i64, Vec<i64>>,
    limits: Limits,
}

struct Shared {
    inner: Mutex<Inner>,
    next_conn: AtomicU64,
    committed_rev: AtomicI64,
    wake: Notify,
    store: Store,
    settings: LiveSettings,
    clock: SharedClock,
    bus: Bus,
    frames: Box<dyn Frames>,
    sessions: SessionCache,
    writer: mpsc::Sender<WriteJob>,
    call_desk: std::sync::OnceLock<crate::calls::CallDesk>,
    hotline_desk: std::sync::OnceLock<crate::hotlines::HotlineDesk>,
    trunks: crate::trunks::TrunkBoard,
}

/// Handle to the live runtime (cheap to clone).
#[derive(Clone)]
pub struct Live(Arc<Shared>);

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live").finish_non_exhaustive()
    }
}

/// A WebSocket admitted for a person's session; dropping it frees the place.
pub struct Admission {
    live: Live,
    person: i64,
    session: i64,
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.live.lock().conns.release(self.person, self.session);
    }
}

impl Live {
    /// Loads people, stored presence, watches and room members, and starts the deadline
    /// task, the chat writer and the directory listener.
    pub async fn start(
        store: Store,
        settings: LiveSettings,
        clock: SharedClock,
        bus: Bus,
        frames: Box<dyn Frames>,
    ) -> Result<Live, StoreError> {
        let now = clock.now_ms();
        store.sync_unit_rooms(now).await?;
        let mut hub = Hub::new(settings.privacy, settings.watch_ttl_ms);
        let all = store.all_people().await?;
        let mut people = People::with_capacity(all.len());
        for p in all {
            hub.upsert_person(PersonId(p.id), p.unit_id);
            people.insert(Person {
                id: p.id,
                login: p.login,
                name: p.name,
                unit_id: p.unit_id,
            });
        }
        for s in store.load_presence().await? {
            if let Some(m) = stored_to_manual(&s) {
                let m = match m.until_ms {
                    Some(u) if u <= now => m.expired(),
                    _ => m,
                };
                hub.restore_manual(now, PersonId(s.staff_id), m);
            }
        }
        for w in store.load_watches().await? {
            hub.restore_watch(
                now,
                PersonId(w.watcher_id),
                PersonId(w.target_id),
                w.expires_ms,
            );
        }
        let rooms = memberships(&store).await?;
        let committed = store.max_chat_rev().await?;
        let (writer_tx, writer_rx) = mpsc::channel(CHAT_WRITE_QUEUE);
        let limits = Limits::new(settings.rooms_per_hour);
        let live = Live(Arc::new(Shared {
            inner: Mutex::new(Inner {
                hub,
                conns: Connections::default(),
                people,
                rooms,
                limits,
            }),
            next_conn: AtomicU64::new(1),
            committed_rev: AtomicI64::new(committed),
            wake: Notify::new(),
            store: store.clone(),
            settings,
            clock,
            bus,
            frames,
            sessions: SessionCache::default(),
            writer: writer_tx,
            call_desk: std::sync::OnceLock::new(),
            hotline_desk: std::sync::OnceLock::new(),
            trunks: crate::trunks::TrunkBoard::default(),
        }));
        live.dispatch(live.lock());
        tokio::spawn(deadlines(live.clone()));
        tokio::spawn(writer::run(live.clone(), store, writer_rx, committed + 1));
        Ok(live)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock would be a bug in the pure hub; keep serving.
        self.0.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The settings.
    pub fn settings(&self) -> &LiveSettings {
        &self.0.settings
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// The clock.
    pub fn clock(&self) -> &SharedClock {
        &self.0.clock
    }

    /// Unix milliseconds now, by the runtime's clock.
    pub fn now_ms(&self) -> i64 {
        self.0.clock.now_ms()
    }

    /// The event bus.
    pub fn bus(&self) -> &Bus {
        &self.0.bus
    }

    /// The frame renderer.
    pub fn frames(&self) -> &dyn Frames {
        self.0.frames.as_ref()
    }

    /// The cache of signed-in sessions.
    pub fn sessions(&self) -> &SessionCache {
        &self.0.sessions
    }

    /// The newest published chat revision.
    pub fn committed_rev(&self) -> i64 {
        self.0.committed_rev.load(Ordering::Acquire)
    }

    pub(crate) fn set_committed_rev(&self, rev: i64) {
        self.0.committed_rev.fetch_max(rev, Ordering::AcqRel);
    }

    pub(crate) fn writer(&self) -> &mpsc::Sender<WriteJob> {
        &self.0.writer
    }

    /// A person by staff id.
    pub fn person(&self, id: i64) -> Option<Person> {
        self.lock().people.get(id)
    }

    /// A person's staff id by login.
    pub fn id_of(&self, login: &str) -> Option<i64> {
        self.lock().people.id_of(login)
    }

    /// Makes sure the caches know this person (people added after start-up).
    pub fn learn(&self, p: Person) {
        let mut inner = self.lock();
        inner.hub.upsert_person(PersonId(p.id), p.unit_id);
        inner.people.insert(p);
    }

    /// Admits one more WebSocket for `person`'s `session`, unless the session or the
    /// person has as many open as allowed.
    pub fn admit(&self, person: i64, session: i64) -> Option<Admission> {
        self.lock().conns.admit(person, session).then(|| Admission {
            live: self.clone(),
            person,
            session,
        })
    }

    /// Registers a new connection of `person` (session `session`) following `follows`.
    /// Returns its id, its outbox receiver and the presence snapshot frame.
    pub fn connect(
        &self,
        person: i64,
        session: i64,
        follows: Vec<i64>,
    ) -> (ConnId, mpsc::Receiver<Outbound>, Frame) {
        let conn = ConnId(self.0.next_conn.fetch_add(1, Ordering::Relaxed));
        let mut inner = self.lock();
        if inner.conns.of_people([&person]).is_empty() {
            self.0.bus.publish(crate::Change::Browser {
                person,
                online: true,
            });
        }
        let rx = inner.conns.open(conn, person, session);
        let follows: Vec<PersonId> = follows.into_iter().map(PersonId).collect();
        inner
            .hub
            .handle_connect(self.now_ms(), conn, PersonId(person), follows.clone());
        let mut who = follows;
        who.push(PersonId(person));
        let snapshot = self.snapshot_frame(&inner, person, &who, None);
        self.dispatch(inner);
        self.0.wake.notify_one();
        (conn, rx, snapshot)
    }

    /// A connection closed (idempotent).
    pub fn disconnect(&self, conn: ConnId) {
        let mut inner = self.lock();
        if let Some(Some(person)) = inner.conns.remove(conn) {
            self.0.bus.publish(crate::Change::Browser {
                person,
                online: false,
            });
        }
        inner.hub.handle_disconnect(self.now_ms(), conn);
        self.dispatch(inner);
    }

    /// Closes every connection of a session (signed out or ended) and forgets it.
    pub fn end_session(&self, session: i64) {
        self.0.sessions.forget_session(session);
        self.lock().conns.end_where(|_, s| s == session);
    }

    /// Closes every connection of a person except those of session `keep` (signed out
    /// everywhere, password changed, factors reset), and forgets their sessions.
    pub fn end_person(&self, person: i64, keep: Option<i64>) {
        self.0.sessions.forget_person(person, keep);
        self.lock()
            .conns
            .end_where(|p, s| p == person && Some(s) != keep);
    }

    /// Takes one chat write of `person` (over the WebSocket, REST or a phone's MESSAGE:
    /// one limit for all roads); `false` when they write faster than allowed.
    pub fn take_chat_write(&self, person: i64) -> bool {
        let now = self.now_ms();
        self.lock().limits.chat_write(person, now)
    }

    /// Takes one new group room of `person`; the milliseconds to wait when their budget
    /// for this hour is used up.
    pub fn take_new_room(&self, person: i64) -> Result<(), i64> {
        let now = self.now_ms();
        self.lock().limits.new_room(person, now)
    }

    /// The person did something on this connection (not a keep-alive): their session
    /// counts as used at the next session check.
    pub fn used(&self, conn: ConnId) {
        self.lock().conns.mark_used(conn);
    }

    /// The sessions of the open connections, and those used since the last call (both
    /// sorted).
    pub fn open_sessions(&self) -> (Vec<i64>, Vec<i64>) {
        self.lock().conns.sessions()
    }

    /// Closes the connections of the `checked` sessions that are not `live` (ended
    /// elsewhere, idle or past their lifetime); connections opened since the check stay.
    /// Both lists are sorted.
    pub fn close_ended(&self, checked: &[i64], live: &[i64]) -> usize {
        let ended = |s: &i64| checked.binary_search(s).is_ok() && live.binary_search(s).is_err();
        for s in checked.iter().filter(|s| ended(s)) {
            self.0.sessions.forget_session(*s);
        }
        self.lock().conns.end_where(|_, s| ended(&s))
    }

    /// Follows more people; returns the snapshot frame of those added.
    pub fn follow(
        &self,
        conn: ConnId,
        person: i64,
        logins: &[String],
        reference: Option<&serde_json::Value>,
    ) -> Frame {
        let mut inner = self.lock();
        let ids: Vec<PersonId> = logins
            .iter()
            .filter_map(|l| inner.people.id_of(l).map(PersonId))
            .collect();
        inner.hub.handle_follow(conn, &ids);
        self.snapshot_frame(&inner, person, &ids, reference)
    }

    /// Every open client of `person` follows `target` from now on (a new favourite).
    pub fn follow_everywhere(&self, person: i64, target: i64) {
        let mut inner = self.lock();
        for c in inner.conns.of_people([&person]) {
            inner.hub.handle_follow(c, &[PersonId(target)]);
        }
    }

    /// The client reports idle or back.
    pub fn activity(&self, conn: ConnId, idle: bool) {
        let mut inner = self.lock();
        inner.hub.handle_activity(self.now_ms(), conn, idle);
        self.dispatch(inner);
    }

    /// Sets a person's hand-set presence and stores it.
    pub async fn set_manual(&self, person: i64, manual: Manual) -> Result<(), StoreError> {
        let now = self.now_ms();
        let stored = manual_to_stored(person, &manual);
        {
            let mut inner = self.lock();
            inner.hub.handle_set(now, PersonId(person), manual);
            self.dispatch(inner);
        }
        self.0.wake.notify_one();
        self.0.store.save_presence(&stored, now).await
    }

    /// Telephony: a call of this person started or ended.
    pub fn call_state(&self, person: i64, active: bool) {
        let mut inner = self.lock();
        inner
            .hub
            .handle_call(self.now_ms(), PersonId(person), active);
        self.dispatch(inner);
    }

    /// The hotline: an agent's duty changed (`None`: logged out of every queue).
    pub fn hotline_duty(&self, person: i64, duty: Option<presence::Duty>) {
        let mut inner = self.lock();
        inner.hub.handle_duty(self.now_ms(), PersonId(person), duty);
        self.dispatch(inner);
    }

    /// Telephony: a phone of this person registered or went away.
    pub fn device_state(&self, person: i64, online: bool) {
        let mut inner = self.lock();
        inner
            .hub
            .handle_device(self.now_ms(), PersonId(person), online);
        self.dispatch(inner);
    }

    /// Adds a watch and stores it; returns when it expires (`None`: unknown or oneself).
    /// A watch on someone available right now fires at once and is not stored.
    pub async fn watch(&self, watcher: i64, target: i64) -> Result<Option<i64>, StoreError> {
        let (expires, still) = {
            let mut inner = self.lock();
            let expires =
                inner
                    .hub
                    .handle_watch_add(self.now_ms(), PersonId(watcher), PersonId(target));
            let still = inner.hub.is_watching(PersonId(watcher), PersonId(target));
            self.dispatch(inner);
            (expires, still)
        };
        self.0.wake.notify_one();
        if let (Some(at), true) = (expires, still) {
            self.0
                .store
                .save_watch(&store::StoredWatch {
                    watcher_id: watcher,
                    target_id: target,
                    expires_ms: at,
                })
                .await?;
        }
        Ok(expires)
    }

    /// Removes a watch; returns whether there was one.
    pub async fn unwatch(&self, watcher: i64, target: i64) -> Result<bool, StoreError> {
        let had = self
            .lock()
            .hub
            .handle_watch_remove(PersonId(watcher), PersonId(target));
        self.0.store.delete_watch(watcher, target).await?;
        Ok(had)
    }

    /// Presence entries of these people as `viewer` may see them.
    pub fn entries(&self, viewer: i64, people: &[i64]) -> Vec<serde_json::Value> {
        let inner = self.lock();
        people
            .iter()
            .filter_map(|p| {
                let entry = inner.hub.entry(PersonId(*p))?;
                let login = inner.people.login(*p)?;
                let view = inner.hub.view_for(PersonId(viewer), PersonId(*p));
                Some(self.frames().entry(login, &entry, view))
            })
            .collect()
    }

    /// Room members (staff ids) from the cache.
    pub fn room_members(&self, room: i64) -> Vec<i64> {
        self.lock().rooms.get(&room).cloned().unwrap_or_default()
    }

    /// Whether a person is in a room (cache).
    pub fn is_member(&self, room: i64, person: i64) -> bool {
        self.lock()
            .rooms
            .get(&room)
            .is_some_and(|m| m.contains(&person))
    }

    /// Replaces a room's members in the cache and tells old and new members.
    pub fn room_changed(&self, room: i64, members: Vec<i64>, frame: Frame, left: &[i64]) {
        let mut inner = self.lock();
        let full = inner.conns.of_people(&members);
        inner.rooms.insert(room, members);
        let mut slow = inner
            .conns
            .send_all(&full, || Outbound::Frame(frame.clone()));
        let gone = self.frames().room_left(room);
        let conns = inner.conns.of_people(left);
        slow.extend(
            inner
                .conns
                .send_all(&conns, || Outbound::Frame(gone.clone())),
        );
        self.evict(&mut inner, slow);
        self.dispatch(inner);
    }

    /// The directory changed in this process (an admin's edit, an import): catches up
    /// (see [`Live::refresh_directory`]), forgets cached sessions (roles and features may
    /// have changed) and tells everyone else on the bus.
    pub async fn directory_changed(&self) -> Result<(), StoreError> {
        self.refresh_directory().await?;
        self.0.sessions.clear();
        self.0.bus.publish(crate::Change::Directory);
        Ok(())
    }

    /// Catches up with directory changes: unit rooms and their members, people's names
    /// and units.
    pub async fn refresh_directory(&self) -> Result<(), StoreError> {
        self.0.store.sync_unit_rooms(self.now_ms()).await?;
        let people = self.0.store.all_people().await?;
        {
            let mut inner = self.lock();
            for p in people {
                inner.hub.upsert_person(PersonId(p.id), p.unit_id);
                inner.people.insert(Person {
                    id: p.id,
                    login: p.login,
                    name: p.name,
                    unit_id: p.unit_id,
                });
            }
        }
        let rooms = memberships(&self.0.store).await?;
        self.lock().rooms = rooms;
        Ok(())
    }

    /// Delivers a chat change to every open client of the room's members.
    pub fn publish_chat(&self, room: i64, rev: i64, frame: Frame) {
        let mut inner = self.lock();
        let conns = inner
            .conns
            .of_people(inner.rooms.get(&room).into_iter().flatten());
        let slow = inner
            .conns
            .send_all(&conns, || Outbound::Chat(rev, frame.clone()));
        self.evict(&mut inner, slow);
        self.dispatch(inner);
    }

    /// Sends a frame to the open clients of a room's members except `except`'s.
    pub fn to_room_except(&self, room: i64, except: i64, frame: Frame) {
        let mut inner = self.lock();
        let others = inner
            .rooms
            .get(&room)
            .into_iter()
            .flatten()
            .filter(|m| **m != except);
        let conns = inner.conns.of_people(others);
        let slow = inner
            .conns
            .send_all(&conns, || Outbound::Frame(frame.clone()));
        self.evict(&mut inner, slow);
        self.dispatch(inner);
    }

    /// Sends a frame to every open client of one person except `except`.
    pub fn to_person(&self, person: i64, except: Option<ConnId>, frame: Frame) {
        let mut inner = self.lock();
        let mut conns = inner.conns.of_people([&person]);
        conns.retain(|c| Some(*c) != except);
        let slow = inner
            .conns
            .send_all(&conns, || Outbound::Frame(frame.clone()));
        self.evict(&mut inner, slow);
        self.dispatch(inner);
    }

    /// Sends to one connection (dropped if it is gone; closed if it is full).
    pub fn to_conn(&self, conn: ConnId, out: Outbound) {
        let mut inner = self.lock();
        if !inner.conns.send(conn, out) {
            self.evict(&mut inner, vec![conn]);
            self.dispatch(inner);
        }
    }

    /// Call control's desk, once the call service runs.
    pub fn call_desk(&self) -> Option<&crate::calls::CallDesk> {
        self.0.call_desk.get()
    }

    /// Connects call control (once, at start).
    pub fn set_call_desk(&self, desk: crate::calls::CallDesk) {
        let _ = self.0.call_desk.set(desk);
    }

    /// The hotlines' switchboard, once the call service runs.
    pub fn hotline_desk(&self) -> Option<&crate::hotlines::HotlineDesk> {
        self.0.hotline_desk.get()
    }

    /// Connects the hotlines' switchboard (once, at start).
    pub fn set_hotline_desk(&self, desk: crate::hotlines::HotlineDesk) {
        let _ = self.0.hotline_desk.set(desk);
    }

    /// A person's merged presence now (`None`: unknown).
    pub fn presence_state(&self, person: i64) -> Option<presence::State> {
        self.lock().hub.entry(PersonId(person)).map(|e| e.state)
    }

    /// The SIP trunks' states (set by the call service).
    pub fn trunks(&self) -> &crate::trunks::TrunkBoard {
        &self.0.trunks
    }

    /// Whether a person has an open client.
    pub fn is_connected(&self, person: i64) -> bool {
        !self.lock().conns.of_people([&person]).is_empty()
    }

    /// Whether a person has a phone registered now.
    pub fn has_phone(&self, person: i64) -> bool {
        self.lock()
            .hub
            .signals(PersonId(person))
            .is_some_and(|s| s.devices > 0)
    }

    /// Number of open connections.
    pub fn connections(&self) -> usize {
        self.lock().conns.len()
    }

    /// Chat writes waiting for the writer task (for `/metrics`).
    pub fn write_queue(&self) -> usize {
        let writer = &self.0.writer;
        writer.max_capacity() - writer.capacity()
    }

    /// Drops connections whose outbox is full: their task sees the outbox close and
    /// closes the socket with "too slow, reconnect".
    fn evict(&self, inner: &mut Inner, slow: Vec<ConnId>) {
        let now = self.now_ms();
        for conn in slow {
            if let Some(last) = inner.conns.remove(conn) {
                tracing::info!(conn = conn.0, "closing a client that does not keep up");
                if let Some(person) = last {
                    self.0.bus.publish(crate::Change::Browser {
                        person,
                        online: false,
                    });
                }
            }
            inner.hub.handle_disconnect(now, conn);
        }
    }

    fn snapshot_frame(
        &self,
        inner: &Inner,
        viewer: i64,
        who: &[PersonId],
        reference: Option<&serde_json::Value>,
    ) -> Frame {
        let entries = who
            .iter()
            .filter_map(|p| {
                let entry = inner.hub.entry(*p)?;
                let login = inner.people.login(p.0)?;
                let view = inner.hub.view_for(PersonId(viewer), *p);
                Some(self.frames().entry(login, &entry, view))
            })
            .collect();
        self.frames().snapshot(entries, reference)
    }

    /// Drains the hub's events: frames go out at once, merged states go on the bus,
    /// stores happen in the background.
    fn dispatch(&self, mut inner: MutexGuard<'_, Inner>) {
        let mut background: Vec<Event> = Vec::new();
        while let Some(event) = inner.hub.poll_event() {
            match event {
                Event::Changed { entry, recipients } => {
                    self.0.bus.set_state(entry.person.0, entry.state);
                    let Some(login) = inner.people.login(entry.person.0).map(str::to_owned) else {
                        continue;
                    };
                    let mut rendered: [Option<Frame>; 4] = Default::default();
                    let mut slow = Vec::new();
                    for (conn, view) in recipients {
                        let frame = rendered[view.index()]
                            .get_or_insert_with(|| self.frames().presence(&login, &entry, view))
                            .clone();
                        slow.extend(
                            inner
                                .conns
                                .send_all(&[conn], || Outbound::Frame(frame.clone())),
                        );
                    }
                    self.evict(&mut inner, slow);
                }
                Event::WatchFired {
                    watcher,
                    target,
                    conns,
                } => {
                    if let Some((login, name)) = inner.people.login_and_name(target.0) {
                        let frame = self.frames().watch_fired(login, name);
                        let slow = inner
                            .conns
                            .send_all(&conns, || Outbound::Frame(frame.clone()));
                        self.evict(&mut inner, slow);
                    }
                    background.push(Event::WatchFired {
                        watcher,
                        target,
                        conns: Vec::new(),
                    });
                }
                other => background.push(other),
            }
        }
        drop(inner);
        if !background.is_empty() {
            let store = self.0.store.clone();
            let now = self.now_ms();
            tokio::spawn(async move {
                for e in background {
                    let result = match e {
                        Event::WatchFired {
                            watcher, target, ..
                        }
                        | Event::WatchExpired { watcher, target } => {
                            store.delete_watch(watcher.0, target.0).await
                        }
                        Event::ManualExpired { person, manual } => {
                            store
                                .save_presence(&manual_to_stored(person.0, &manual), now)
                                .await
                        }
                        Event::Changed { .. } => Ok(()),
                    };
                    if let Err(e) = result {
                        tracing::warn!(error = %e, "storing a presence change failed");
                    }
                }
            });
        }
    }
}

async fn memberships(store: &Store) -> Result<HashMap<i64, Vec<i64>>, StoreError> {
    let mut rooms: HashMap<i64, Vec<i64>> = HashMap::new();
    for (room, member) in store.all_memberships().await? {
        rooms.entry(room).or_default().push(member);
    }
    Ok(rooms)
}

/// Fires the hub's deadlines (watches, hand-set states with an end, idle clients).
async fn deadlines(live: Live) {
    loop {
        let next = live.lock().hub.poll_timeout();
        match next.map(|at| (at - live.now_ms()).max(0) as u64) {
            Some(ms) => {
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_millis(ms)) => {}
                    _ = live.0.wake.notified() => continue,
                }
            }
            None => {
                live.0.wake.notified().await;
                continue;
            }
        }
        let mut inner = live.lock();
        inner.hub.handle_timeout(live.now_ms());
        live.dispatch(inner);
    }
}

fn stored_to_manual(s: &StoredPresence) -> Option<Manual> {
    let state = presence::State::parse(&s.state).ok()?;
    Some(Manual {
        state: Some(state).filter(|s| *s != presence::State::Available),
        location: s
            .location
            .as_deref()
            .and_then(|l| presence::Location::parse(l).ok()),
        note: s.note.clone(),
        until_ms: s.until_ms,
    })
}

fn manual_to_stored(person: i64, m: &Manual) -> StoredPresence {
    StoredPresence {
        staff_id: person,
        state: m.state().as_str().to_owned(),
        location: m.location.map(|l| l.as_str().to_owned()),
        note: m.note.clone(),
        until_ms: m.until_ms,
    }
}
