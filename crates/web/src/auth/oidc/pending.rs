//! Sign-ins sent to the provider and not back yet: for each `state`, the PKCE verifier
//! and the nonce, for ten minutes and once. Bounded in all and per address, so a flood of
//! starts from one address cannot crowd out everyone else's; a full table refuses new
//! starts (the flow's answer is "busy") instead of growing. Pure: the time is a
//! parameter, the shell holds it behind a lock.

use std::collections::HashMap;

/// How long the provider may take to send the browser back.
pub const EXPIRY_SECS: i64 = 600;

/// One started sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Started {
    /// The PKCE code verifier (RFC 7636 §4.1), secret until the token request.
    pub verifier: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// When it started (Unix seconds).
    pub created: i64,
    /// The address it came from.
    pub source: String,
}

/// The table is full, in all or for this address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Full;

/// The started sign-ins by `state`.
#[derive(Debug)]
pub struct PendingStarts {
    by_state: HashMap<String, Started>,
    per_source: HashMap<String, usize>,
    capacity: usize,
    per_source_capacity: usize,
}

impl PendingStarts {
    /// At most `capacity` in all and `per_source_capacity` from one address (an office
    /// behind one address starts many at nine in the morning: keep it generous).
    pub fn new(capacity: usize, per_source_capacity: usize) -> Self {
        PendingStarts {
            by_state: HashMap::new(),
            per_source: HashMap::new(),
            capacity,
            per_source_capacity,
        }
    }

    /// Remembers a start under `state` (fresh randomness: never already there).
    pub fn insert(&mut self, now: i64, state: String, started: Started) -> Result<(), Full> {
        let crowded = |p: &PendingStarts| {
            p.by_state.len() >= p.capacity
                || p.per_source.get(&started.source).copied().unwrap_or(0) >= p.per_source_capacity
        };
        if crowded(self) {
            self.forget_expired(now);
            if crowded(self) {
                return Err(Full);
            }
        }
        *self.per_source.entry(started.source.clone()).or_default() += 1;
        if let Some(old) = self.by_state.insert(state, started) {
            self.uncount(&old.source);
        }
        Ok(())
    }

    /// The start under `state`, taken out: a second callback with it finds nothing. An
    /// expired one is taken out too and not returned.
    pub fn take(&mut self, now: i64, state: &str) -> Option<Started> {
        let started = self.by_state.remove(state)?;
        self.uncount(&started.source);
        (now - started.created < EXPIRY_SECS && now >= started.created).then_some(started)
    }

    /// How many are remembered.
    pub fn len(&self) -> usize {
        self.by_state.len()
    }

    /// Whether none is remembered.
    pub fn is_empty(&self) -> bool {
        self.by_state.is_empty()
    }

    fn forget_expired(&mut self, now: i64) {
        let expired: Vec<String> = self
            .by_state
            .iter()
            .filter(|(_, s)| now - s.created >= EXPIRY_SECS)
            .map(|(k, _)| k.clone())
            .collect();
        for state in expired {
            if let Some(old) = self.by_state.remove(&state) {
                self.uncount(&old.source);
            }
        }
    }

    fn uncount(&mut self, source: &str) {
        if let Some(n) = self.per_source.get_mut(source) {
            *n -= 1;
            if *n == 0 {
                self.per_source.remove(source);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn started(at: i64, source: &str) -> Started {
        Started {
            verifier: format!("v{at}"),
            nonce: format!("n{at}"),
            created: at,
            source: source.into(),
        }
    }

    #[test]
    fn a_state_is_used_once() {
        let mut p = PendingStarts::new(10, 10);
        p.insert(100, "s1".into(), started(100, "a")).unwrap();
        assert_eq!(p.take(150, "s1"), Some(started(100, "a")));
        assert_eq!(p.take(151, "s1"), None, "used");
        assert_eq!(p.take(151, "other"), None, "unknown");
        assert!(p.is_empty());
    }

    #[test]
    fn a_state_expires_after_ten_minutes() {
        let mut p = PendingStarts::new(10, 10);
        p.insert(100, "s1".into(), started(100, "a")).unwrap();
        p.insert(100, "s2".into(), started(100, "a")).unwrap();
        assert_eq!(
            p.take(100 + EXPIRY_SECS - 1, "s1").map(|s| s.created),
            Some(100)
        );
        assert_eq!(p.take(100 + EXPIRY_SECS, "s2"), None);
        assert!(p.is_empty(), "the expired one is gone too");
    }

    #[test]
    fn bounded_in_all_and_per_address_and_freed_by_expiry() {
        let mut p = PendingStarts::new(3, 2);
        p.insert(0, "a1".into(), started(0, "a")).unwrap();
        p.insert(0, "a2".into(), started(0, "a")).unwrap();
        assert_eq!(
            p.insert(1, "a3".into(), started(1, "a")),
            Err(Full),
            "per address"
        );
        p.insert(1, "b1".into(), started(1, "b")).unwrap();
        assert_eq!(
            p.insert(2, "c1".into(), started(2, "c")),
            Err(Full),
            "in all"
        );
        assert_eq!(p.len(), 3);
        // Once the first two expired, room again.
        p.insert(EXPIRY_SECS, "c1".into(), started(EXPIRY_SECS, "c"))
            .unwrap();
        p.insert(EXPIRY_SECS, "a3".into(), started(EXPIRY_SECS, "a"))
            .unwrap();
        assert_eq!(p.len(), 3);
        assert!(p.take(EXPIRY_SECS, "b1").is_some());
        p.insert(EXPIRY_SECS, "a4".into(), started(EXPIRY_SECS, "a"))
            .unwrap();
        assert_eq!(
            p.insert(EXPIRY_SECS, "a5".into(), started(EXPIRY_SECS, "a")),
            Err(Full)
        );
    }
}
