//! Signed-in sessions as the shells last read them, so a request costs no query while
//! its session was read within the last minute (the store marks a session as used at
//! most once a minute anyway). Ending a session anywhere in this process forgets it here
//! at once; a change by another process (the CLI) is seen within [`FRESH_SECS`].

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use store::{Account, SessionRow};

/// How long a read session is trusted without asking the store again, seconds.
pub const FRESH_SECS: i64 = 60;
/// Sessions kept at most; beyond, the cache starts over (it is only a cache).
const MAX_CACHED: usize = 200_000;

#[derive(Debug, Clone)]
struct Cached {
    session: SessionRow,
    account: Account,
    read_at: i64,
}

/// The cache, keyed by the hash of the session token.
#[derive(Debug, Default)]
pub struct SessionCache(Mutex<HashMap<String, Cached>>);

impl SessionCache {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Cached>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The session and person for a token hash, if read within [`FRESH_SECS`] of `now`
    /// and still live by its lifetime and `idle_secs` at `now`.
    pub fn get(&self, token_hash: &str, now: i64, idle_secs: i64) -> Option<(SessionRow, Account)> {
        let cache = self.lock();
        let c = cache.get(token_hash)?;
        let fresh = now - c.read_at < FRESH_SECS && now >= c.read_at;
        let live = c.session.expires_at > now && c.session.last_seen_at > now - idle_secs;
        (fresh && live).then(|| (c.session.clone(), c.account.clone()))
    }

    /// Remembers a session just read from the store.
    pub fn put(&self, token_hash: &str, session: SessionRow, account: Account, now: i64) {
        let mut cache = self.lock();
        if cache.len() >= MAX_CACHED {
            cache.clear();
        }
        cache.insert(
            token_hash.to_owned(),
            Cached {
                session,
                account,
                read_at: now,
            },
        );
    }

    /// Forgets a session (ended).
    pub fn forget_session(&self, session: i64) {
        self.lock().retain(|_, c| c.session.id != session);
    }

    /// Forgets a person's sessions except `keep` (all ended), or all of them with
    /// `keep` `None` after a change to the person (roles, password).
    pub fn forget_person(&self, person: i64, keep: Option<i64>) {
        self.lock()
            .retain(|_, c| c.account.id != person || Some(c.session.id) == keep);
    }

    /// Forgets everything (a directory change from elsewhere).
    pub fn clear(&self) {
        self.lock().clear();
    }
}
