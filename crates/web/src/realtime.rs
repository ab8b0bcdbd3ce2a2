//! The live side of presence and chat: the [`presence::Hub`] behind a mutex, the open
//! connections' bounded outboxes, and the caches that fan-out needs (who is who, who is
//! in which room). Handlers and the chat writer call in; deliveries are `try_send`s of
//! shared, already-serialised frames, so a slow client never holds up anyone else.

use crate::chat_writer::{self, WriteJob};
use crate::people_cache::People;
use crate::ws_frames;
use axum::extract::ws::Utf8Bytes;
use presence::{ConnId, Event, FloodGuard, Hub, Manual, PersonId, Privacy, Verdict, WindowBudget};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use store::{Store, StoreError, StoredPresence};
use tokio::sync::{mpsc, Notify};

/// Frames waiting for one client before it counts as too slow.
pub const OUTBOX_FRAMES: usize = 1024;
/// Open WebSockets of one session (tabs of one browser) at most.
pub const MAX_SOCKETS_PER_SESSION: u32 = 24;
/// Open WebSockets of one person (all browsers) at most.
pub const MAX_SOCKETS_PER_PERSON: u32 = 48;

/// Settings of presence and chat.
#[derive(Debug, Clone)]
pub struct RealtimeSettings {
    /// Who sees location and note.
    pub privacy: Privacy,
    /// Idle time after which the web client reports the person idle.
    pub idle_after_seconds: u32,
    /// How long a watch waits before it expires.
    pub watch_ttl_ms: i64,
    /// The largest attachment.
    pub attachment_max_bytes: u64,
    /// Where attachments are kept.
    pub attachment_dir: std::path::PathBuf,
    /// Bytes of attachments one person may keep in all.
    pub attachment_quota_bytes: u64,
    /// Rooms one person may create per hour (administrators' managed rooms aside).
    pub rooms_per_hour: u32,
}

/// Chat writes (messages, edits, deletions) one person may make per second, whichever
/// road they take, and in a burst: faster than anyone types, slower than a script.
const CHAT_WRITES_PER_SECOND: u32 = 5;
const CHAT_WRITE_BURST: u32 = 30;

/// What a connection's task receives.
#[derive(Debug)]
pub enum Outbound {
    /// A frame to send.
    Frame(Utf8Bytes),
    /// A chat change with its revision (skipped when already replayed).
    Chat(i64, Utf8Bytes),
    /// Close with this code and reason.
    Close(u16, &'static str),
}

/// Someone the caches know.
#[derive(Debug, Clone)]
pub struct Person {
    /// Staff id.
    pub id: i64,
    /// Login.
    pub login: String,
    /// Display name.
    pub name: String,
    /// Unit id.
    pub unit_id: i64,
}

struct Outbox {
    tx: mpsc::Sender<Outbound>,
    person: i64,
    session: i64,
    /// The person did something on this socket since the last session check.
    used: bool,
}

struct Inner {
    hub: Hub,
    outboxes: HashMap<ConnId, Outbox>,
    person_conns: HashMap<i64, Vec<ConnId>>,
    people: People,
    rooms: HashMap<i64, Vec<i64>>,
    /// Where every change of a person's merged state goes besides the browsers (the SIP
    /// service's presence subscriptions), when someone asked.
    state_feed: Option<mpsc::Sender<PersonState>>,
    /// Sockets admitted (open or opening) per session and per person.
    admitted: HashMap<Admitted, u32>,
    /// Each writing person's chat-write bucket.
    chat_writes: HashMap<i64, FloodGuard>,
    /// Each person's budget of new rooms.
    new_rooms: HashMap<i64, WindowBudget>,
}

/// Whose sockets [`Inner::admitted`] counts.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Admitted {
    Session(i64),
    Person(i64),
}

/// A WebSocket admitted for a person's session; dropping it frees the place.
pub struct Admission {
    rt: Realtime,
    person: i64,
    session: i64,
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut inner = self.rt.lock();
        for key in [
            Admitted::Session(self.session),
            Admitted::Person(self.person),
        ] {
            if let Some(n) = inner.admitted.get_mut(&key) {
                *n -= 1;
                if *n == 0 {
                    inner.admitted.remove(&key);
                }
            }
        }
    }
}

struct Shared {
    inner: Mutex<Inner>,
    next_conn: AtomicU64,
    committed_rev: AtomicI64,
    wake: Notify,
    store: Store,
    settings: RealtimeSettings,
    writer: mpsc::Sender<WriteJob>,
}

/// A person's id and merged state, as the state feed gives them.
pub type PersonState = (i64, presence::State);

/// Handle to the live presence and chat state (cheap to clone).
#[derive(Clone)]
pub struct Realtime(Arc<Shared>);

impl std::fmt::Debug for Realtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Realtime").finish_non_exhaustive()
    }
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

impl Realtime {
    /// Loads people, stored presence, watches and room members, and starts the deadline
    /// and chat-writer tasks.
    pub async fn start(store: Store, settings: RealtimeSettings) -> Result<Realtime, StoreError> {
        let now = now_ms();
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
        let mut rooms: HashMap<i64, Vec<i64>> = HashMap::new();
        for (room, member) in store.all_memberships().await? {
            rooms.entry(room).or_default().push(member);
        }
        let committed = store.max_chat_rev().await?;
        let (writer_tx, writer_rx) = mpsc::channel(4096);
        let shared = Arc::new(Shared {
            inner: Mutex::new(Inner {
                hub,
                outboxes: HashMap::new(),
                person_conns: HashMap::new(),
                people,
                rooms,
                state_feed: None,
                admitted: HashMap::new(),
                chat_writes: HashMap::new(),
                new_rooms: HashMap::new(),
            }),
            next_conn: AtomicU64::new(1),
            committed_rev: AtomicI64::new(committed),
            wake: Notify::new(),
            store: store.clone(),
            settings,
            writer: writer_tx,
        });
        let rt = Realtime(shared);
        rt.dispatch(rt.lock());
        tokio::spawn(deadlines(rt.clone()));
        tokio::spawn(chat_writer::run(
            rt.clone(),
            store,
            writer_rx,
            committed + 1,
        ));
        Ok(rt)
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock would be a bug in the pure hub; keep serving.
        self.0.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The settings.
    pub fn settings(&self) -> &RealtimeSettings {
        &self.0.settings
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.0.store
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
    /// person has as many open as allowed (a client opening sockets in a loop would
    /// otherwise hold the server's memory and the person's fan-out).
    pub fn admit(&self, person: i64, session: i64) -> Option<Admission> {
        let mut inner = self.lock();
        let count = |key| inner.admitted.get(&key).copied().unwrap_or(0);
        if count(Admitted::Session(session)) >= MAX_SOCKETS_PER_SESSION
            || count(Admitted::Person(person)) >= MAX_SOCKETS_PER_PERSON
        {
            return None;
        }
        for key in [Admitted::Session(session), Admitted::Person(person)] {
            *inner.admitted.entry(key).or_default() += 1;
        }
        Some(Admission {
            rt: self.clone(),
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
    ) -> (ConnId, mpsc::Receiver<Outbound>, Utf8Bytes) {
        let conn = ConnId(self.0.next_conn.fetch_add(1, Ordering::Relaxed));
        let (tx, rx) = mpsc::channel(OUTBOX_FRAMES);
        let mut inner = self.lock();
        inner.outboxes.insert(
            conn,
            Outbox {
                tx,
                person,
                session,
                used: false,
            },
        );
        inner.person_conns.entry(person).or_default().push(conn);
        let follows: Vec<PersonId> = follows.into_iter().map(PersonId).collect();
        let now = now_ms();
        inner
            .hub
            .handle_connect(now, conn, PersonId(person), follows.clone());
        let mut who = follows;
        who.push(PersonId(person));
        let snapshot = snapshot_frame(&inner, person, &who, None);
        self.dispatch(inner);
        self.0.wake.notify_one();
        (conn, rx, snapshot)
    }

    /// A connection closed (idempotent).
    pub fn disconnect(&self, conn: ConnId) {
        let mut inner = self.lock();
        if let Some(o) = inner.outboxes.remove(&conn) {
            if let Some(list) = inner.person_conns.get_mut(&o.person) {
                list.retain(|c| *c != conn);
                if list.is_empty() {
                    inner.person_conns.remove(&o.person);
                }
            }
        }
        inner.hub.handle_disconnect(now_ms(), conn);
        self.dispatch(inner);
    }

    /// Closes every connection of a session (signed out or ended).
    pub fn end_session(&self, session: i64) {
        let inner = self.lock();
        for o in inner.outboxes.values().filter(|o| o.session == session) {
            let _ = o.tx.try_send(Outbound::Close(4401, "session ended"));
        }
    }

    /// Closes every connection of a person except those of session `keep` (signed out
    /// everywhere, password changed, factors reset).
    pub fn end_person(&self, person: i64, keep: Option<i64>) {
        let inner = self.lock();
        for o in inner
            .outboxes
            .values()
            .filter(|o| o.person == person && Some(o.session) != keep)
        {
            let _ = o.tx.try_send(Outbound::Close(4401, "session ended"));
        }
    }

    /// Takes one chat write of `person` (over the WebSocket, REST or a phone's MESSAGE:
    /// one limit for all roads); `false` when they write faster than allowed.
    pub fn take_chat_write(&self, person: i64) -> bool {
        let now = now_ms();
        let mut inner = self.lock();
        let guard = inner
            .chat_writes
            .entry(person)
            .or_insert_with(|| FloodGuard::new(CHAT_WRITES_PER_SECOND, CHAT_WRITE_BURST, now));
        guard.check(now) == Verdict::Allow
    }

    /// Takes one new room of `person`; the milliseconds to wait when their budget for
    /// this hour is used up.
    pub fn take_new_room(&self, person: i64) -> Result<(), i64> {
        let max = self.0.settings.rooms_per_hour;
        self.lock()
            .new_rooms
            .entry(person)
            .or_insert_with(|| WindowBudget::new(max, 3_600_000))
            .take(now_ms())
    }

    /// The person did something on this connection (not a keep-alive): their session
    /// counts as used at the next session check.
    pub fn used(&self, conn: ConnId) {
        if let Some(o) = self.lock().outboxes.get_mut(&conn) {
            o.used = true;
        }
    }

    /// The sessions of the open connections, and those used since the last call.
    pub fn open_sessions(&self) -> (Vec<i64>, Vec<i64>) {
        let mut inner = self.lock();
        let mut open = Vec::new();
        let mut used = Vec::new();
        for o in inner.outboxes.values_mut() {
            open.push(o.session);
            if std::mem::take(&mut o.used) {
                used.push(o.session);
            }
        }
        for list in [&mut open, &mut used] {
            list.sort_unstable();
            list.dedup();
        }
        (open, used)
    }

    /// Closes the connections of the `checked` sessions that are not `live` (ended
    /// elsewhere, idle or past their lifetime); connections opened since the check stay.
    /// Both lists are sorted.
    pub fn close_ended(&self, checked: &[i64], live: &[i64]) -> usize {
        let inner = self.lock();
        let mut closed = 0;
        for o in inner.outboxes.values() {
            if checked.binary_search(&o.session).is_ok() && live.binary_search(&o.session).is_err()
            {
                let _ = o.tx.try_send(Outbound::Close(4401, "session ended"));
                closed += 1;
            }
        }
        closed
    }

    /// Follows more people; returns the snapshot frame of those added.
    pub fn follow(
        &self,
        conn: ConnId,
        person: i64,
        logins: &[String],
        reference: Option<&serde_json::Value>,
    ) -> Utf8Bytes {
        let mut inner = self.lock();
        let ids: Vec<PersonId> = logins
            .iter()
            .filter_map(|l| inner.people.id_of(l).map(PersonId))
            .collect();
        inner.hub.handle_follow(conn, &ids);
        snapshot_frame(&inner, person, &ids, reference)
    }

    /// Every open client of `person` follows `target` from now on (a new favourite).
    pub fn follow_everywhere(&self, person: i64, target: i64) {
        let mut inner = self.lock();
        let conns = inner.person_conns.get(&person).cloned().unwrap_or_default();
        for c in conns {
            inner.hub.handle_follow(c, &[PersonId(target)]);
        }
    }

    /// The client reports idle or back.
    pub fn activity(&self, conn: ConnId, idle: bool) {
        let mut inner = self.lock();
        inner.hub.handle_activity(now_ms(), conn, idle);
        self.dispatch(inner);
    }

    /// Sets a person's hand-set presence and stores it.
    pub async fn set_manual(&self, person: i64, manual: Manual) -> Result<(), StoreError> {
        let now = now_ms();
        let stored = manual_to_stored(person, &manual);
        {
            let mut inner = self.lock();
            inner.hub.handle_set(now, PersonId(person), manual);
            self.dispatch(inner);
        }
        self.0.wake.notify_one();
        self.0.store.save_presence(&stored, now).await
    }

    /// Every person's current state, then each change of one (for desk phones watching
    /// colleagues' presence over SIP). One feed at a time; a slow reader misses changes
    /// rather than holding the hub up (the next change brings the state again).
    pub fn state_feed(&self) -> (Vec<PersonState>, mpsc::Receiver<PersonState>) {
        let (tx, rx) = mpsc::channel(16_384);
        let mut inner = self.lock();
        let now: Vec<PersonState> = inner.hub.states().map(|(p, s)| (p.0, s)).collect();
        inner.state_feed = Some(tx);
        (now, rx)
    }

    /// Telephony hook: a call of this person started or ended.
    pub fn call_state(&self, person: i64, active: bool) {
        let mut inner = self.lock();
        inner.hub.handle_call(now_ms(), PersonId(person), active);
        self.dispatch(inner);
    }

    /// Telephony hook: a phone of this person registered or went away.
    pub fn device_state(&self, person: i64, online: bool) {
        let mut inner = self.lock();
        inner.hub.handle_device(now_ms(), PersonId(person), online);
        self.dispatch(inner);
    }

    /// Adds a watch and stores it; returns when it expires (`None`: unknown or oneself).
    /// A watch on someone available right now fires at once and is not stored.
    pub async fn watch(&self, watcher: i64, target: i64) -> Result<Option<i64>, StoreError> {
        let (expires, still) = {
            let mut inner = self.lock();
            let expires = inner
                .hub
                .handle_watch_add(now_ms(), PersonId(watcher), PersonId(target));
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
                Some(ws_frames::entry_json(login, &entry, view))
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
    pub fn room_changed(&self, room: i64, members: Vec<i64>, frame: Utf8Bytes, left: &[i64]) {
        let mut inner = self.lock();
        inner.rooms.insert(room, members.clone());
        let mut full = Vec::new();
        for m in &members {
            for c in inner.person_conns.get(m).into_iter().flatten() {
                full.push(*c);
            }
        }
        send_all(&mut inner, &full, || Outbound::Frame(frame.clone()));
        let gone = Utf8Bytes::from(ws_frames::room_left(room));
        let mut conns = Vec::new();
        for m in left {
            conns.extend(inner.person_conns.get(m).into_iter().flatten().copied());
        }
        send_all(&mut inner, &conns, || Outbound::Frame(gone.clone()));
        drop(inner);
    }

    /// Catches up with directory changes made elsewhere (imports, admin edits): unit rooms
    /// and their members, people's names and units.
    pub async fn refresh_directory(&self) -> Result<(), StoreError> {
        self.0.store.sync_unit_rooms(now_ms()).await?;
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
        self.reload_rooms().await
    }

    /// Reloads all room memberships (after a directory sync).
    pub async fn reload_rooms(&self) -> Result<(), StoreError> {
        let mut rooms: HashMap<i64, Vec<i64>> = HashMap::new();
        for (room, member) in self.0.store.all_memberships().await? {
            rooms.entry(room).or_default().push(member);
        }
        self.lock().rooms = rooms;
        Ok(())
    }

    /// Delivers a chat change to every open client of the room's members.
    pub fn publish_chat(&self, room: i64, rev: i64, frame: Utf8Bytes) {
        let mut inner = self.lock();
        let mut conns = Vec::new();
        if let Some(members) = inner.rooms.get(&room) {
            for m in members {
                conns.extend(inner.person_conns.get(m).into_iter().flatten().copied());
            }
        }
        send_all(&mut inner, &conns, || Outbound::Chat(rev, frame.clone()));
    }

    /// Sends a frame to the open clients of a room's members except `except`'s.
    pub fn to_room_except(&self, room: i64, except: i64, frame: Utf8Bytes) {
        let mut inner = self.lock();
        let mut conns = Vec::new();
        if let Some(members) = inner.rooms.get(&room) {
            for m in members.iter().filter(|m| **m != except) {
                conns.extend(inner.person_conns.get(m).into_iter().flatten().copied());
            }
        }
        send_all(&mut inner, &conns, || Outbound::Frame(frame.clone()));
    }

    /// Sends a frame to every open client of one person except `except`.
    pub fn to_person(&self, person: i64, except: Option<ConnId>, frame: Utf8Bytes) {
        let mut inner = self.lock();
        let conns: Vec<ConnId> = inner
            .person_conns
            .get(&person)
            .into_iter()
            .flatten()
            .copied()
            .filter(|c| Some(*c) != except)
            .collect();
        send_all(&mut inner, &conns, || Outbound::Frame(frame.clone()));
    }

    /// Sends a frame to one connection (dropped if it is gone or full).
    pub fn to_conn(&self, conn: ConnId, out: Outbound) {
        let mut inner = self.lock();
        if let Some(o) = inner.outboxes.get(&conn) {
            if o.tx.try_send(out).is_err() {
                evict(&mut inner, conn);
                self.dispatch(inner);
            }
        }
    }

    /// Number of open connections.
    pub fn connections(&self) -> usize {
        self.lock().outboxes.len()
    }

    /// Drains the hub's events: frames go out at once; stores happen in the background.
    fn dispatch(&self, mut inner: MutexGuard<'_, Inner>) {
        let mut background: Vec<Event> = Vec::new();
        while let Some(event) = inner.hub.poll_event() {
            match event {
                Event::Changed { entry, recipients } => {
                    if let Some(feed) = &inner.state_feed {
                        let _ = feed.try_send((entry.person.0, entry.state));
                    }
                    let Some(login) = inner.people.login(entry.person.0).map(str::to_owned) else {
                        continue;
                    };
                    let mut rendered: [Option<Utf8Bytes>; 4] = Default::default();
                    let mut slow = Vec::new();
                    for (conn, view) in recipients {
                        let frame = rendered[view.index()]
                            .get_or_insert_with(|| {
                                Utf8Bytes::from(ws_frames::presence(&login, &entry, view))
                            })
                            .clone();
                        if let Some(o) = inner.outboxes.get(&conn) {
                            if o.tx.try_send(Outbound::Frame(frame)).is_err() {
                                slow.push(conn);
                            }
                        }
                    }
                    for conn in slow {
                        evict(&mut inner, conn);
                    }
                }
                Event::WatchFired {
                    watcher,
                    target,
                    conns,
                } => {
                    if let Some((login, name)) = inner.people.login_and_name(target.0) {
                        let frame = Utf8Bytes::from(ws_frames::watch_fired(login, name));
                        send_all(&mut inner, &conns, || Outbound::Frame(frame.clone()));
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
                                .save_presence(&manual_to_stored(person.0, &manual), now_ms())
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

/// `try_send` to each; connections whose outbox is full are closed as too slow.
fn send_all(inner: &mut Inner, conns: &[ConnId], make: impl Fn() -> Outbound) {
    let mut slow = Vec::new();
    for c in conns {
        if let Some(o) = inner.outboxes.get(c) {
            if o.tx.try_send(make()).is_err() {
                slow.push(*c);
            }
        }
    }
    for c in slow {
        evict(inner, c);
    }
}

/// Drops a connection's outbox: its task sees the channel close and closes the socket
/// with "too slow, reconnect".
fn evict(inner: &mut Inner, conn: ConnId) {
    if let Some(o) = inner.outboxes.remove(&conn) {
        if let Some(list) = inner.person_conns.get_mut(&o.person) {
            list.retain(|c| *c != conn);
        }
        tracing::info!(conn = conn.0, "closing a client that does not keep up");
    }
    inner.hub.handle_disconnect(now_ms(), conn);
}

fn snapshot_frame(
    inner: &Inner,
    viewer: i64,
    who: &[PersonId],
    reference: Option<&serde_json::Value>,
) -> Utf8Bytes {
    let entries: Vec<serde_json::Value> = who
        .iter()
        .filter_map(|p| {
            let entry = inner.hub.entry(*p)?;
            let login = inner.people.login(p.0)?;
            Some(ws_frames::entry_json(
                login,
                &entry,
                inner.hub.view_for(PersonId(viewer), *p),
            ))
        })
        .collect();
    Utf8Bytes::from(ws_frames::snapshot(entries, reference))
}

async fn deadlines(rt: Realtime) {
    loop {
        let next = rt.lock().hub.poll_timeout();
        let wait = next.map(|at| (at - now_ms()).max(0) as u64);
        match wait {
            Some(ms) => {
                tokio::select! {
                    _ = tokio::time::sleep(std::time::Duration::from_millis(ms)) => {}
                    _ = rt.0.wake.notified() => continue,
                }
            }
            None => {
                rt.0.wake.notified().await;
                continue;
            }
        }
        let mut inner = rt.lock();
        inner.hub.handle_timeout(now_ms());
        rt.dispatch(inner);
        if Arc::strong_count(&rt.0) == 1 {
            return;
        }
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
