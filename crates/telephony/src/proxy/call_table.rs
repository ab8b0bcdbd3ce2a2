//! The proxy's running requests: each [`Fork`] under a number, found by the caller's
//! server transaction (a CANCEL names it) and by each branch's client transaction (a
//! response names it), with the ring deadlines in order.

use super::fork::{Branch, Fork};
use sip::transaction::Key;
use std::collections::{BTreeSet, HashMap};

#[derive(Debug)]
struct Entry {
    fork: Fork,
    /// When it stops ringing (a call), if it rings.
    deadline: Option<i64>,
}

/// The forks and their indexes.
#[derive(Debug, Default)]
pub(crate) struct CallTable {
    entries: HashMap<u64, Entry>,
    by_server: HashMap<Key, u64>,
    by_client: HashMap<Key, (u64, usize)>,
    deadlines: BTreeSet<(i64, u64)>,
    next: u64,
}

impl CallTable {
    /// Keeps a new fork, ringing until `deadline`; returns its number.
    pub(crate) fn insert(&mut self, fork: Fork, deadline: Option<i64>) -> u64 {
        let id = self.next;
        self.next += 1;
        for (index, key) in fork.branch_keys().enumerate() {
            self.by_client.insert(key.clone(), (id, index));
        }
        self.by_server.insert(fork.server().clone(), id);
        if let Some(at) = deadline {
            self.deadlines.insert((at, id));
        }
        self.entries.insert(id, Entry { fork, deadline });
        id
    }

    /// The fork `id` was forwarded on to `branches`, ringing until `deadline`; `fresh`
    /// as [`Fork::add_branches`] takes it.
    pub(crate) fn forwarded(&mut self, id: u64, branches: Vec<Branch>, deadline: i64, fresh: bool) {
        let Some(entry) = self.entries.get_mut(&id) else {
            return;
        };
        let first = entry.fork.branch_count();
        for (i, b) in branches.iter().enumerate() {
            self.by_client.insert(b.key.clone(), (id, first + i));
        }
        entry.fork.add_branches(branches, fresh);
        if let Some(old) = entry.deadline.replace(deadline) {
            self.deadlines.remove(&(old, id));
        }
        self.deadlines.insert((deadline, id));
    }

    /// The fork and branch number of a client transaction.
    pub(crate) fn of_branch(&self, key: &Key) -> Option<(u64, usize)> {
        self.by_client.get(key).copied()
    }

    /// Whether a client transaction is a branch of ours.
    pub(crate) fn is_branch(&self, key: &Key) -> bool {
        self.by_client.contains_key(key)
    }

    /// The fork of a caller's server transaction.
    pub(crate) fn of_server(&self, key: &Key) -> Option<u64> {
        self.by_server.get(key).copied()
    }

    /// A fork.
    pub(crate) fn get_mut(&mut self, id: u64) -> Option<&mut Fork> {
        self.entries.get_mut(&id).map(|e| &mut e.fork)
    }

    /// Forgets a fork and its indexes.
    pub(crate) fn remove(&mut self, id: u64) -> Option<Fork> {
        let Entry { fork, deadline } = self.entries.remove(&id)?;
        self.by_server.remove(fork.server());
        for key in fork.branch_keys() {
            self.by_client.remove(key);
        }
        if let Some(at) = deadline {
            self.deadlines.remove(&(at, id));
        }
        Some(fork)
    }

    /// The next fork whose ring deadline passed by `now`; its deadline is spent.
    pub(crate) fn pop_due(&mut self, now: i64) -> Option<u64> {
        let &(at, id) = self.deadlines.first()?;
        if at > now {
            return None;
        }
        self.deadlines.pop_first();
        if let Some(entry) = self.entries.get_mut(&id) {
            entry.deadline = None;
        }
        Some(id)
    }

    /// The next ring deadline.
    pub(crate) fn poll_timeout(&self) -> Option<i64> {
        self.deadlines.first().map(|(at, _)| *at)
    }

    /// Number of requests being forwarded.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}
