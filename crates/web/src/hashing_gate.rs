//! Bounded password hashing: argon2id takes ~19 MiB and tens of milliseconds of a core,
//! so a sign-in storm must queue, boundedly, instead of starving other requests or
//! growing memory. Past the queue limit new sign-ins get 503 with Retry-After.

use crate::error::ApiError;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Limits concurrent and queued hash computations.
#[derive(Debug, Clone)]
pub struct HashingGate {
    permits: Arc<Semaphore>,
    queued: Arc<AtomicUsize>,
    max_queued: usize,
}

impl HashingGate {
    /// `permits` at once, `max_queued` waiting (including those running).
    pub fn new(permits: usize, max_queued: usize) -> Self {
        HashingGate {
            permits: Arc::new(Semaphore::new(permits.max(1))),
            queued: Arc::new(AtomicUsize::new(0)),
            max_queued: max_queued.max(1),
        }
    }

    /// Runs `work` on a blocking thread once a slot is free.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        if self.queued.fetch_add(1, Ordering::SeqCst) >= self.max_queued {
            self.queued.fetch_sub(1, Ordering::SeqCst);
            return Err(ApiError::Unavailable(
                "too many sign-ins at once; try again in a few seconds".into(),
            ));
        }
        let result = async {
            let _permit = self
                .permits
                .acquire()
                .await
                .map_err(|_| ApiError::Internal)?;
            tokio::task::spawn_blocking(work)
                .await
                .map_err(|_| ApiError::Internal)
        }
        .await;
        self.queued.fetch_sub(1, Ordering::SeqCst);
        result
    }
}
