//! Uploads under way: how many each person has running and how many bytes they have
//! written so far, so that parallel uploads of one person cannot together pass the
//! person's quota or fill the disk before any of them is recorded (issue 13: 16 × 25 MiB
//! in parallel). The store checks the quota once more when it records a finished file.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Uploads one person may run at once.
pub const PARALLEL_UPLOADS: u32 = 4;

#[derive(Default)]
struct Running {
    uploads: u32,
    bytes: u64,
}

/// The running uploads of everyone (cheap to clone).
#[derive(Clone, Default)]
pub struct Uploads(Arc<Mutex<HashMap<i64, Running>>>);

impl std::fmt::Debug for Uploads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Uploads").finish_non_exhaustive()
    }
}

/// One running upload; dropping it (finished, refused or broken off) frees its place
/// and its bytes.
pub struct Upload {
    all: Uploads,
    person: i64,
    bytes: u64,
}

impl Uploads {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Running>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts an upload of `person`; `None` when they already run as many as allowed.
    pub fn begin(&self, person: i64) -> Option<Upload> {
        let mut all = self.lock();
        let running = all.entry(person).or_default();
        if running.uploads >= PARALLEL_UPLOADS {
            return None;
        }
        running.uploads += 1;
        Some(Upload {
            all: self.clone(),
            person,
            bytes: 0,
        })
    }
}

impl Upload {
    /// Counts `more` bytes of this upload, unless the person's stored files (`stored`)
    /// and all their running uploads would then pass `quota`.
    pub fn take(&mut self, more: u64, stored: u64, quota: u64) -> bool {
        let mut all = self.all.lock();
        let Some(running) = all.get_mut(&self.person) else {
            return false;
        };
        if stored + running.bytes + more > quota {
            return false;
        }
        running.bytes += more;
        self.bytes += more;
        true
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        let mut all = self.all.lock();
        if let Some(running) = all.get_mut(&self.person) {
            running.uploads -= 1;
            running.bytes -= self.bytes;
            if running.uploads == 0 {
                all.remove(&self.person);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_uploads_share_the_quota_and_free_it_when_done() {
        let uploads = Uploads::default();
        let mut a = uploads.begin(7).unwrap();
        let mut b = uploads.begin(7).unwrap();
        assert!(a.take(600, 100, 1_000));
        assert!(!b.take(301, 100, 1_000), "100 stored + 600 running + 301");
        assert!(b.take(300, 100, 1_000));
        let others = uploads.begin(8).unwrap();
        drop(others);
        drop(a);
        assert!(b.take(600, 100, 1_000), "a's bytes are free again");
        let _more: Vec<Upload> = (0..3).map(|_| uploads.begin(7).unwrap()).collect();
        assert!(uploads.begin(7).is_none(), "four at once at most");
        drop(b);
        assert!(uploads.begin(7).is_some());
    }
}
