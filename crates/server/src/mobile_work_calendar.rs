//! Mobile work's calendar (issue 19): at start-up and then hourly, agreements are moved on
//! to the administration's local day (`planner::approval::Agreement::advance`): one past
//! its last day runs out, a revocation whose day has come takes effect. Each change is a
//! transition with the calendar as its actor, so the person's history shows it; a decision
//! someone wrote meanwhile wins (the transition is refused, the next sweep looks again).
//! Without this an agreement past its end stayed "approved" and blocked every new
//! application.

use live::SharedClock;
use std::time::Duration;
use store::{AgreementState, Store, StoreError};

/// How often agreements are moved on.
pub const EVERY: Duration = Duration::from_secs(3600);

/// Sweeps now and then every [`EVERY`], until the task is aborted.
pub async fn run(store: Store, clock: SharedClock) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        sweep(&store, clock.now_secs()).await;
    }
}

/// Moves every approved and revoked agreement on to the local day at `now` (Unix
/// seconds); how many changed, or `None` when the database failed (logged; the next
/// sweep tries again).
pub async fn sweep(store: &Store, now: i64) -> Option<usize> {
    let at = planner::calendar::local_time(now);
    let mut moved = 0;
    for state in [AgreementState::Approved, AgreementState::Revoking] {
        let rows = match store.agreements_in_state(state).await {
            Ok(rows) => rows,
            Err(error) => {
                tracing::warn!(%error, "mobile work agreements could not be read to move them on");
                return None;
            }
        };
        for row in rows {
            let (next, audit) = row.to_planner().advance(at.date(), at);
            let Some(audit) = audit else {
                continue;
            };
            match store
                .record_agreement_transition(row.id, state, row.revision, &next, &audit, now * 1000)
                .await
            {
                Ok(_) => moved += 1,
                Err(StoreError::AgreementChanged { .. }) => {}
                Err(error) => {
                    tracing::warn!(%error, agreement = row.id, "a mobile work agreement could not be moved on");
                    return None;
                }
            }
        }
    }
    if moved > 0 {
        tracing::info!(
            agreements = moved,
            "mobile work agreements ran out or were revoked"
        );
    }
    Some(moved)
}
