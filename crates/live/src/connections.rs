//! The open client connections: each one's bounded outbox, whose session and person it
//! belongs to, whether the person used it since the last session check, and how many
//! sockets each session and person may have. Deliveries are `try_send`s of shared,
//! already-rendered frames, so a slow client never holds up anyone else; a client whose
//! outbox is full is dropped ("too slow, reconnect").

use crate::frames::Frame;
use presence::ConnId;
use std::collections::HashMap;
use tokio::sync::mpsc;

/// Frames waiting for one client before it counts as too slow.
pub const OUTBOX_FRAMES: usize = 1024;
/// Open WebSockets of one session (tabs of one browser) at most.
pub const MAX_SOCKETS_PER_SESSION: u32 = 24;
/// Open WebSockets of one person (all browsers) at most.
pub const MAX_SOCKETS_PER_PERSON: u32 = 48;

/// What a connection's task receives.
#[derive(Debug)]
pub enum Outbound {
    /// A frame to send.
    Frame(Frame),
    /// A chat change with its revision (skipped when already replayed).
    Chat(i64, Frame),
    /// Close with this code and reason.
    Close(u16, &'static str),
}

struct Outbox {
    tx: mpsc::Sender<Outbound>,
    person: i64,
    session: i64,
    /// The person did something on this socket since the last session check.
    used: bool,
}

/// Whose sockets [`Connections::admitted`] counts.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Admitted {
    Session(i64),
    Person(i64),
}

/// Every open connection.
#[derive(Default)]
pub(crate) struct Connections {
    outboxes: HashMap<ConnId, Outbox>,
    by_person: HashMap<i64, Vec<ConnId>>,
    /// Sockets admitted (open or opening) per session and per person.
    admitted: HashMap<Admitted, u32>,
}

impl Connections {
    /// Counts one more socket of `person`'s `session`, unless either has as many as
    /// allowed (a client opening sockets in a loop would hold memory and the person's
    /// fan-out).
    pub(crate) fn admit(&mut self, person: i64, session: i64) -> bool {
        let count = |key| self.admitted.get(&key).copied().unwrap_or(0);
        if count(Admitted::Session(session)) >= MAX_SOCKETS_PER_SESSION
            || count(Admitted::Person(person)) >= MAX_SOCKETS_PER_PERSON
        {
            return false;
        }
        for key in [Admitted::Session(session), Admitted::Person(person)] {
            *self.admitted.entry(key).or_default() += 1;
        }
        true
    }

    /// Frees the place [`Connections::admit`] took.
    pub(crate) fn release(&mut self, person: i64, session: i64) {
        for key in [Admitted::Session(session), Admitted::Person(person)] {
            if let Some(n) = self.admitted.get_mut(&key) {
                *n -= 1;
                if *n == 0 {
                    self.admitted.remove(&key);
                }
            }
        }
    }

    /// A new connection; returns the receiving end of its outbox.
    pub(crate) fn open(
        &mut self,
        conn: ConnId,
        person: i64,
        session: i64,
    ) -> mpsc::Receiver<Outbound> {
        let (tx, rx) = mpsc::channel(OUTBOX_FRAMES);
        self.outboxes.insert(
            conn,
            Outbox {
                tx,
                person,
                session,
                used: false,
            },
        );
        self.by_person.entry(person).or_default().push(conn);
        rx
    }

    /// Forgets a connection (closed, or dropped as too slow: its task then sees the
    /// outbox close). `None` when it was not known any more.
    /// Returns the person whose last connection this was, if it was.
    pub(crate) fn remove(&mut self, conn: ConnId) -> Option<Option<i64>> {
        let o = self.outboxes.remove(&conn)?;
        let mut last = None;
        if let Some(list) = self.by_person.get_mut(&o.person) {
            list.retain(|c| *c != conn);
            if list.is_empty() {
                self.by_person.remove(&o.person);
                last = Some(o.person);
            }
        }
        Some(last)
    }

    /// The connections of these people.
    pub(crate) fn of_people<'a>(&self, people: impl IntoIterator<Item = &'a i64>) -> Vec<ConnId> {
        let mut conns = Vec::new();
        for p in people {
            conns.extend(self.by_person.get(p).into_iter().flatten().copied());
        }
        conns
    }

    /// `try_send`s to each; returns the connections whose outbox is full (to drop).
    #[must_use]
    pub(crate) fn send_all(&self, conns: &[ConnId], make: impl Fn() -> Outbound) -> Vec<ConnId> {
        conns
            .iter()
            .filter(|c| {
                self.outboxes
                    .get(c)
                    .is_some_and(|o| o.tx.try_send(make()).is_err())
            })
            .copied()
            .collect()
    }

    /// `try_send`s to one connection; `false` when its outbox is full (to drop). A
    /// connection that is gone takes nothing.
    pub(crate) fn send(&self, conn: ConnId, out: Outbound) -> bool {
        self.outboxes
            .get(&conn)
            .is_none_or(|o| o.tx.try_send(out).is_ok())
    }

    /// Tells every connection matching `which` (person, session) to close with 4401.
    pub(crate) fn end_where(&self, which: impl Fn(i64, i64) -> bool) -> usize {
        let mut ended = 0;
        for o in self
            .outboxes
            .values()
            .filter(|o| which(o.person, o.session))
        {
            let _ = o.tx.try_send(Outbound::Close(4401, "session ended"));
            ended += 1;
        }
        ended
    }

    /// Marks a connection's session as used.
    pub(crate) fn mark_used(&mut self, conn: ConnId) {
        if let Some(o) = self.outboxes.get_mut(&conn) {
            o.used = true;
        }
    }

    /// The sessions of the open connections, and those used since the last call; both
    /// sorted.
    pub(crate) fn sessions(&mut self) -> (Vec<i64>, Vec<i64>) {
        let mut open = Vec::new();
        let mut used = Vec::new();
        for o in self.outboxes.values_mut() {
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

    /// Number of open connections.
    pub(crate) fn len(&self) -> usize {
        self.outboxes.len()
    }
}
