//! Who is using an application now, against its cap. A person counts as a user from
//! their first admitted request until [`ACTIVE_MS`] after their last; a request of a
//! person already counted is always admitted, a new person only while there is room.

use std::collections::HashMap;

/// How long after their last request a person still counts as a user.
pub const ACTIVE_MS: i64 = 5 * 60 * 1000;

/// The users of one application.
#[derive(Debug, Clone, Default)]
pub struct Occupancy {
    last_seen: HashMap<i64, i64>,
}

/// The answer to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Admitted; `first` when the person was not counted before (a new access).
    Admitted {
        /// The person started using the application with this request.
        first: bool,
    },
    /// The application is full.
    Full,
}

impl Occupancy {
    /// A request of `person` at `now_ms`, against `cap` (none: no cap).
    pub fn handle_request(&mut self, person: i64, now_ms: i64, cap: Option<u32>) -> Admission {
        if let Some(seen) = self.last_seen.get_mut(&person) {
            if now_ms - *seen < ACTIVE_MS {
                *seen = now_ms.max(*seen);
                return Admission::Admitted { first: false };
            }
        }
        self.forget_idle(now_ms);
        if let Some(cap) = cap {
            if self.last_seen.len() >= cap as usize {
                return Admission::Full;
            }
        }
        self.last_seen.insert(person, now_ms);
        Admission::Admitted { first: true }
    }

    /// The people counted at `now_ms`.
    pub fn users(&self, now_ms: i64) -> usize {
        self.last_seen
            .values()
            .filter(|seen| now_ms - **seen < ACTIVE_MS)
            .count()
    }

    /// Forgets `person` (their session ended), so their place is free at once.
    pub fn handle_left(&mut self, person: i64) {
        self.last_seen.remove(&person);
    }

    /// Drops people idle longer than [`ACTIVE_MS`].
    pub fn forget_idle(&mut self, now_ms: i64) {
        self.last_seen.retain(|_, seen| now_ms - *seen < ACTIVE_MS);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_cap_admits_the_counted_and_refuses_the_new() {
        let mut o = Occupancy::default();
        assert_eq!(
            o.handle_request(1, 0, Some(1)),
            Admission::Admitted { first: true }
        );
        assert_eq!(
            o.handle_request(1, 1000, Some(1)),
            Admission::Admitted { first: false }
        );
        assert_eq!(o.handle_request(2, 2000, Some(1)), Admission::Full);
        assert_eq!(o.users(2000), 1);
        // Person 1 idle for the whole window: person 2 gets the place.
        assert_eq!(
            o.handle_request(2, 1000 + ACTIVE_MS, Some(1)),
            Admission::Admitted { first: true }
        );
        assert_eq!(
            o.handle_request(1, 1001 + ACTIVE_MS, Some(1)),
            Admission::Full
        );
        o.handle_left(2);
        assert_eq!(
            o.handle_request(1, 1002 + ACTIVE_MS, Some(1)),
            Admission::Admitted { first: true }
        );
    }

    proptest! {
        /// However requests arrive, no more people are counted than the cap allows.
        #[test]
        fn never_more_users_than_the_cap(
            cap in 1u32..5,
            requests in proptest::collection::vec((0i64..12, 0i64..20_000), 1..200)
        ) {
            let mut o = Occupancy::default();
            let mut now = 0;
            for (person, step) in requests {
                now += step * 30;
                o.handle_request(person, now, Some(cap));
                prop_assert!(o.users(now) <= cap as usize);
            }
        }
    }
}
