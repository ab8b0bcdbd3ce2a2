//! A capped map whose entries expire, pruned a few at a time from a deadline queue: the
//! memory bound of [`super::Guard`].

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::mem::size_of;

/// Expired entries a call removes (or re-queues) per table, at most.
const PRUNE_STEPS: usize = 2;
/// Blocked or trusted entries a full table passes over before evicting the oldest anyway.
const PASSES: usize = 4;

/// A table entry that becomes as good as absent at `expires()`.
pub(super) trait Expiring {
    /// When the entry is as good as absent.
    fn expires(&self) -> i64;
    /// Worth passing over when a full table makes room.
    fn precious(&self, now: i64) -> bool;
}

/// A capped map whose entries expire. Every entry has exactly one node in `queue`, and an
/// entry leaves the map only when its node is popped, so `queue.len() == map.len()`.
/// A node's deadline may be earlier than its entry's expiry (the entry was extended): when
/// popped, the entry is queued again at its real expiry, once per extension.
#[derive(Debug)]
pub(super) struct Table<K, V> {
    pub(super) cap: usize,
    pub(super) map: HashMap<K, V>,
    pub(super) queue: VecDeque<(i64, K)>,
}

impl<K: Hash + Eq + Clone, V: Expiring> Table<K, V> {
    pub(super) fn new(cap: usize) -> Self {
        let (map, queue) = (HashMap::new(), VecDeque::new());
        Table {
            cap: cap.max(1),
            map,
            queue,
        }
    }

    pub(super) fn get<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.map.get(key)
    }

    /// The entry of `key`, made from `make_key` and `fresh` when missing. Adds the number
    /// of live entries evicted for it to `evicted`.
    pub(super) fn touch<Q: Hash + Eq + ?Sized>(
        &mut self,
        now: i64,
        key: &Q,
        make_key: impl FnOnce() -> K,
        fresh: V,
        evicted: &mut u64,
    ) -> &mut V
    where
        K: Borrow<Q>,
    {
        self.prune(now);
        if !self.map.contains_key(key) {
            *evicted += self.make_room(now);
            let key = make_key();
            self.queue.push_back((now, key.clone()));
            self.map.insert(key, fresh);
        }
        self.map
            .get_mut(key)
            .expect("the entry was there or has just been made")
    }

    /// Removes (or queues again) up to [`PRUNE_STEPS`] nodes that are due.
    pub(super) fn prune(&mut self, now: i64) {
        for _ in 0..PRUNE_STEPS {
            if self.queue.front().is_none_or(|(due, _)| *due > now) {
                return;
            }
            let Some((_, key)) = self.queue.pop_front() else {
                return;
            };
            match self.map.get(&key).map(Expiring::expires) {
                Some(expires) if expires > now => self.queue.push_back((expires, key)),
                _ => {
                    self.map.remove(&key);
                }
            }
        }
    }

    /// Frees a place when the table is full: the oldest node's entry goes, unless it is
    /// live and precious (then it is queued again, at most [`PASSES`] times). Returns the
    /// number of live entries evicted.
    fn make_room(&mut self, now: i64) -> u64 {
        let (mut evicted, mut passes) = (0, 0);
        while self.map.len() >= self.cap {
            let Some((_, key)) = self.queue.pop_front() else {
                break;
            };
            let (expires, precious) = self
                .map
                .get(&key)
                .map_or((i64::MIN, false), |v| (v.expires(), v.precious(now)));
            if expires > now && precious && passes < PASSES {
                passes += 1;
                self.queue.push_back((expires, key));
                continue;
            }
            evicted += u64::from(expires > now);
            self.map.remove(&key);
        }
        evicted
    }
}

/// The most bytes a table of `cap` entries can take, with `per_entry` bytes of its own
/// on the heap each: the hash table at most twice its first size (hashbrown may double
/// once under churn), the deadline queue at most twice its length.
pub(super) fn bound<K, V>(cap: usize, per_entry: usize) -> usize {
    let cap = cap.max(1);
    let buckets = (cap * 16 / 7 + 1).next_power_of_two().max(8);
    let queue = (2 * cap).max(4) * size_of::<(i64, K)>();
    buckets * (size_of::<(K, V)>() + 1) + 16 + queue + cap * per_entry
}
