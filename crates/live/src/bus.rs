//! The event bus: how one part of the server learns what another changed, without polling
//! the database.
//!
//! Two kinds of news travel on it:
//! - **People's presence states**, "latest state per person": a subscriber
//!   ([`StateFeed`]) may skip intermediate states of a person but never misses the latest
//!   one, however slow it is, and any number of subscribers can follow (the SIP service's
//!   busy lamps and PIDF today, the hotline's agent states tomorrow). Memory per
//!   subscriber is bounded by the number of people: what waits is a set of people whose
//!   state changed, not a queue of changes.
//! - **Typed changes** ([`Change`]) published by whoever writes: devices, a person's call
//!   forwarding, the directory. A subscriber that falls behind by more than
//!   [`CHANGES_KEPT`] changes is told so ([`Changes::next`] answers [`Change::Lagged`])
//!   and reloads everything, so nothing is lost either.
//!
//! Changes made by another process (the CLI writing the same database) cannot be
//! published here; the readers keep a slow poll for them.

use presence::State;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use tokio::sync::{broadcast, Notify};

/// Typed changes a subscriber may miss before it is told to reload everything.
pub const CHANGES_KEPT: usize = 1024;

/// Something changed in the database that others keep a copy of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// SIP devices were added or removed, or who may use them changed (features,
    /// extensions): the switch reloads its accounts.
    Devices,
    /// A person's call forwarding rules changed.
    Forwarding {
        /// Staff id.
        person: i64,
    },
    /// People, units or memberships changed (an import, an admin's edit).
    Directory,
    /// A person opened their first client (`online`) or closed their last one: calls
    /// to them ring their browsers too.
    Browser {
        /// Staff id.
        person: i64,
        /// Whether a client is open now.
        online: bool,
    },
    /// A message was left in a person's voicemail box, heard or deleted: their desk
    /// phones' message-waiting lamps follow.
    Voicemail {
        /// Staff id.
        person: i64,
    },
    /// This subscriber missed changes: reload everything.
    Lagged,
}

/// The bus (cheap to clone).
#[derive(Clone)]
pub struct Bus(Arc<Shared>);

struct Shared {
    states: Mutex<Board>,
    changes: broadcast::Sender<Change>,
}

#[derive(Default)]
struct Board {
    latest: HashMap<i64, State>,
    feeds: Vec<Weak<Feed>>,
}

struct Feed {
    dirty: Mutex<Dirty>,
    wake: Notify,
}

/// People whose state changed since the subscriber last looked, in the order of their
/// first change.
#[derive(Default)]
struct Dirty {
    order: Vec<i64>,
    set: HashSet<i64>,
}

impl std::fmt::Debug for Bus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bus").finish_non_exhaustive()
    }
}

impl Default for Bus {
    fn default() -> Self {
        Bus::new()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing in here panics while holding a lock; if it did, the data is still whole.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Bus {
    /// An empty bus.
    pub fn new() -> Bus {
        let (changes, _) = broadcast::channel(CHANGES_KEPT);
        Bus(Arc::new(Shared {
            states: Mutex::new(Board::default()),
            changes,
        }))
    }

    /// Publishes a person's merged presence state.
    pub fn set_state(&self, person: i64, state: State) {
        let mut board = lock(&self.0.states);
        if board.latest.insert(person, state) == Some(state) {
            return;
        }
        board.feeds.retain(|feed| match feed.upgrade() {
            Some(feed) => {
                let mut dirty = lock(&feed.dirty);
                if dirty.set.insert(person) {
                    dirty.order.push(person);
                }
                drop(dirty);
                feed.wake.notify_one();
                true
            }
            None => false,
        });
    }

    /// Follows everyone's state: the states now, and a feed of later changes.
    pub fn subscribe_states(&self) -> (Vec<(i64, State)>, StateFeed) {
        let mut board = lock(&self.0.states);
        let feed = Arc::new(Feed {
            dirty: Mutex::new(Dirty::default()),
            wake: Notify::new(),
        });
        board.feeds.push(Arc::downgrade(&feed));
        let now = board.latest.iter().map(|(p, s)| (*p, *s)).collect();
        (
            now,
            StateFeed {
                bus: self.clone(),
                feed,
            },
        )
    }

    /// Publishes a typed change to every subscriber.
    pub fn publish(&self, change: Change) {
        // No subscriber: nobody keeps a copy, nothing to tell.
        let _ = self.0.changes.send(change);
    }

    /// Follows the typed changes from now on.
    pub fn subscribe_changes(&self) -> Changes {
        Changes(self.0.changes.subscribe())
    }
}

/// One subscriber's view of people's states.
pub struct StateFeed {
    bus: Bus,
    feed: Arc<Feed>,
}

impl StateFeed {
    /// Waits until some people's states changed and returns their latest states, in the
    /// order of their first change since the last call.
    pub async fn changed(&mut self) -> Vec<(i64, State)> {
        loop {
            let people = std::mem::take(&mut *lock(&self.feed.dirty));
            if !people.order.is_empty() {
                let board = lock(&self.bus.0.states);
                return people
                    .order
                    .into_iter()
                    .filter_map(|p| board.latest.get(&p).map(|s| (p, *s)))
                    .collect();
            }
            self.feed.wake.notified().await;
        }
    }
}

/// One subscriber's view of the typed changes.
pub struct Changes(broadcast::Receiver<Change>);

impl Changes {
    /// The next change; [`Change::Lagged`] when some were missed. `None` when the bus is
    /// gone.
    pub async fn next(&mut self) -> Option<Change> {
        match self.0.recv().await {
            Ok(change) => Some(change),
            Err(broadcast::error::RecvError::Lagged(_)) => Some(Change::Lagged),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use presence::State::{Available, Away, Busy, OnThePhone};

    #[tokio::test]
    async fn every_feed_gets_the_latest_state_of_everyone_who_changed() {
        let bus = Bus::new();
        bus.set_state(1, Available);
        let (now, mut early) = bus.subscribe_states();
        assert_eq!(now, [(1, Available)]);
        let (_, mut late) = bus.subscribe_states();
        // Many changes before a slow reader looks: it sees each person once, latest
        // state, in the order they first changed.
        for state in [Busy, Away, OnThePhone] {
            bus.set_state(2, state);
            bus.set_state(1, state);
        }
        assert_eq!(early.changed().await, [(2, OnThePhone), (1, OnThePhone)]);
        assert_eq!(late.changed().await, [(2, OnThePhone), (1, OnThePhone)]);
        // The same state again is no change.
        bus.set_state(1, OnThePhone);
        bus.set_state(3, Away);
        assert_eq!(early.changed().await, [(3, Away)]);
    }

    #[tokio::test]
    async fn a_waiting_feed_wakes_and_dropped_feeds_are_forgotten() {
        let bus = Bus::new();
        let (_, mut feed) = bus.subscribe_states();
        let (_, gone) = bus.subscribe_states();
        drop(gone);
        let publisher = bus.clone();
        let waiting = tokio::spawn(async move { feed.changed().await });
        tokio::task::yield_now().await;
        publisher.set_state(7, Busy);
        assert_eq!(waiting.await.unwrap(), [(7, Busy)]);
        assert_eq!(lock(&bus.0.states).feeds.len(), 1);
    }

    #[tokio::test]
    async fn typed_changes_reach_every_subscriber_and_lagging_ones_hear_so() {
        let bus = Bus::new();
        let mut a = bus.subscribe_changes();
        let mut b = bus.subscribe_changes();
        bus.publish(Change::Forwarding { person: 4 });
        assert_eq!(a.next().await, Some(Change::Forwarding { person: 4 }));
        assert_eq!(b.next().await, Some(Change::Forwarding { person: 4 }));
        for _ in 0..CHANGES_KEPT + 1 {
            bus.publish(Change::Devices);
        }
        assert_eq!(a.next().await, Some(Change::Lagged));
        assert_eq!(a.next().await, Some(Change::Devices));
    }
}
