//! Which people are in an answered call, for the "on the phone" presence: a call counts
//! from its 2xx until a BYE for its Call-ID passes the switch (or a day at most, for
//! calls whose BYE never came by).

use bytes::Bytes;
use std::collections::{BTreeSet, HashMap};

/// Longest a call is counted without a BYE (a phone that lost power never sends one).
const LONGEST_MS: i64 = 24 * 3600 * 1000;

/// Answered calls and per-person counts.
#[derive(Debug, Default)]
pub struct Dialogs {
    calls: HashMap<Bytes, (i64, Vec<i64>)>,
    counts: HashMap<i64, u32>,
    deadlines: BTreeSet<(i64, Bytes)>,
}

impl Dialogs {
    /// A call was answered; returns the people who were in no call before.
    pub fn answered(&mut self, now: i64, call_id: Bytes, people: Vec<i64>) -> Vec<i64> {
        if self.calls.contains_key(&call_id) {
            return Vec::new();
        }
        let mut first = Vec::new();
        for p in &people {
            let n = self.counts.entry(*p).or_default();
            *n += 1;
            if *n == 1 {
                first.push(*p);
            }
        }
        let until = now + LONGEST_MS;
        self.deadlines.insert((until, call_id.clone()));
        self.calls.insert(call_id, (until, people));
        first
    }

    /// Whether a person is in an answered call.
    pub fn is_busy(&self, person_id: i64) -> bool {
        self.counts.contains_key(&person_id)
    }

    /// A call ended; returns the people who are in no call now.
    pub fn ended(&mut self, call_id: &Bytes) -> Vec<i64> {
        let Some((until, people)) = self.calls.remove(call_id) else {
            return Vec::new();
        };
        self.deadlines.remove(&(until, call_id.clone()));
        let mut free = Vec::new();
        for p in people {
            if let Some(n) = self.counts.get_mut(&p) {
                *n -= 1;
                if *n == 0 {
                    self.counts.remove(&p);
                    free.push(p);
                }
            }
        }
        free
    }

    /// Ends calls older than a day; returns the people now free.
    pub fn handle_timeout(&mut self, now: i64) -> Vec<i64> {
        let mut free = Vec::new();
        while let Some((at, call_id)) = self.deadlines.first().cloned() {
            if at > now {
                break;
            }
            free.extend(self.ended(&call_id));
        }
        free
    }

    /// When [`Dialogs::handle_timeout`] has work.
    pub fn poll_timeout(&self) -> Option<i64> {
        self.deadlines.first().map(|(at, _)| *at)
    }

    /// Number of answered calls.
    pub fn len(&self) -> usize {
        self.calls.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_are_busy_while_any_of_their_calls_lasts() {
        let mut d = Dialogs::default();
        let (a, b) = (Bytes::from_static(b"a"), Bytes::from_static(b"b"));
        assert_eq!(d.answered(0, a.clone(), vec![1, 2]), vec![1, 2]);
        assert_eq!(d.answered(0, a.clone(), vec![1, 2]), Vec::<i64>::new());
        assert_eq!(d.answered(0, b.clone(), vec![2, 3]), vec![3]);
        assert_eq!(d.ended(&a), vec![1]);
        assert_eq!(d.ended(&a), Vec::<i64>::new());
        assert_eq!(d.handle_timeout(LONGEST_MS - 1), Vec::<i64>::new());
        let mut free = d.handle_timeout(LONGEST_MS);
        free.sort();
        assert_eq!(free, vec![2, 3]);
        assert!(d.is_empty());
    }
}
