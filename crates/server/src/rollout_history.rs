//! The rollout page's history (issue 19): each feature's holders, cap and waiting list
//! are recorded per local day, at start-up and then hourly. Each run records today again
//! (the store replaces the day's earlier snapshot), so the day keeps its last state and a
//! server down at midnight loses nothing but the days it was down.

use live::SharedClock;
use std::time::Duration;
use store::Store;

/// How often today's snapshot is taken again.
pub const EVERY: Duration = Duration::from_secs(3600);

/// Snapshots now and then every [`EVERY`], until the task is aborted.
pub async fn run(store: Store, clock: SharedClock) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        snapshot(&store, clock.now_secs()).await;
    }
}

/// Records every feature's state for the local day at `now` (Unix seconds); how many
/// features, or `None` when the database failed (logged; the next run tries again).
pub async fn snapshot(store: &Store, now: i64) -> Option<u64> {
    let day = planner::calendar::local_time(now).date();
    match store.snapshot_rollout(day).await {
        Ok(features) => Some(features),
        Err(error) => {
            tracing::warn!(%error, "the rollout's daily snapshot could not be taken");
            None
        }
    }
}
