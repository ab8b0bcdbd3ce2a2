//! Bounded password hashing: argon2id takes ~19 MiB and tens of milliseconds of a core,
//! so a sign-in storm must queue, boundedly, instead of starving other requests or
//! growing memory. A fixed set of hashing threads takes jobs from a bounded channel; past
//! the queue limit new sign-ins get 503 with Retry-After.
//!
//! Dedicated threads (rather than tokio's blocking pool) also bound memory: the allocator
//! keeps each thread's 19 MiB working area, so the number of threads that ever hash is the
//! number of such areas (measured: 356 MiB peak with the blocking pool, see bench/).

use crate::error::ApiError;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

type Job = Box<dyn FnOnce() + Send>;

/// Limits concurrent and queued hash computations.
#[derive(Debug, Clone)]
pub struct HashingGate {
    jobs: SyncSender<Job>,
}

impl HashingGate {
    /// `threads` hashing at once, `max_queued` more waiting. The threads end when the last
    /// clone of the gate is dropped.
    pub fn new(threads: usize, max_queued: usize) -> Self {
        let (jobs, queue) = sync_channel::<Job>(max_queued.max(1));
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads.max(1) {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("hashing-{n}"))
                .spawn(move || work(&queue))
                .expect("start a hashing thread");
        }
        HashingGate { jobs }
    }

    /// Runs `work` on a hashing thread and waits for its result.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(work());
        });
        match self.jobs.try_send(job) {
            Ok(()) => result.await.map_err(|_| ApiError::Internal),
            Err(TrySendError::Full(_)) => Err(ApiError::Unavailable(
                "too many sign-ins at once; try again in a few seconds".into(),
            )),
            Err(TrySendError::Disconnected(_)) => Err(ApiError::Internal),
        }
    }
}

fn work(queue: &Mutex<Receiver<Job>>) {
    loop {
        // Hold the lock only to take a job, not while running it.
        let job = match queue.lock() {
            Ok(q) => q.recv(),
            Err(_) => return,
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_work_and_sheds_load_past_the_queue() {
        let gate = HashingGate::new(1, 1);
        assert_eq!(gate.run(|| 6 * 7).await.unwrap(), 42);
        let (release, blocked) = std::sync::mpsc::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel::<()>();
        let busy = gate.clone();
        let first = tokio::spawn(async move {
            busy.run(move || {
                let _ = started.send(());
                blocked.recv().ok()
            })
            .await
        });
        running.await.unwrap();
        // The only thread is busy; one job fills the one queue place.
        gate.jobs.try_send(Box::new(|| {})).unwrap();
        assert!(
            matches!(gate.run(|| ()).await, Err(ApiError::Unavailable(_))),
            "queue full: 503"
        );
        release.send(()).unwrap();
        assert!(first.await.unwrap().is_ok());
    }
}
