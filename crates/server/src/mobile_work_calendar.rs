//! Mobile work's calendar (issue 19): at start-up and then hourly, agreements are moved on
//! to the administration's local day (`planner::approval::Agreement::advance`): one past
//! its last day runs out, a revocation whose day has come takes effect. Each change is a
//! transition with the calendar as its actor, so the person's history shows it; a decision
//! someone wrote meanwhile wins (the transition is refused, the next sweep looks again).
//! Without this an agreement past its end stayed "approved" and blocked every new
//! application.
//!
//! Then the rollout of mobile work is brought in line with the agreements: whoever holds
//! a place or waits for one without an agreement in force (approved, or revoked but not
//! yet over) gives it up, and the next in line is admitted (`Store::release_rollout_place`),
//! audited as `rollout.admitted` with no actor and told live and by e-mail. That covers
//! the agreements the calendar ended and any a request ended but could not release.

use planner::ids::PersonId;
use std::collections::BTreeSet;
use std::time::Duration;
use store::{AgreementState, AuditEntry, Store, StoreError};

/// How often agreements are moved on.
pub const EVERY: Duration = Duration::from_secs(3600);

/// The rollout feature mobile-work agreements hold places in.
const MOBILE_WORK: &str = web::rollout::MOBILE_WORK;

/// What a sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Swept {
    /// How many agreements ran out or were revoked.
    pub moved: usize,
    /// Who gave up mobile work's rollout place or their place on its waiting list.
    pub released: Vec<PersonId>,
    /// Who was admitted from the waiting list into the places now free, in order.
    pub admitted: Vec<PersonId>,
}

/// Sweeps now and then every [`EVERY`], until the task is aborted; those admitted to
/// mobile work are told, and holders whose agreement runs out soon are reminded
/// (`web::mobile_work::reminders`, each reminder once).
pub async fn run(state: web::AppState) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Some(swept) = sweep(&state.store, state.now()).await {
            web::rollout::approval::tell_admitted(&state, &swept.admitted).await;
        }
        match web::mobile_work::reminders::send_due(&state).await {
            Ok(0) => {}
            Ok(sent) => tracing::info!(sent, "mobile work agreements' holders reminded"),
            Err(error) => tracing::warn!(?error, "mobile work reminders could not be sent"),
        }
    }
}

/// Moves every approved and revoked agreement on to the local day at `now` (Unix
/// seconds) and frees the rollout places of those without an agreement in force; what it
/// did, or `None` when the database failed (logged; the next sweep tries again).
pub async fn sweep(store: &Store, now: i64) -> Option<Swept> {
    let at = planner::calendar::local_time(now);
    let mut swept = Swept::default();
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
                Ok(_) => swept.moved += 1,
                Err(StoreError::AgreementChanged { .. }) => {}
                Err(error) => {
                    tracing::warn!(%error, agreement = row.id, "a mobile work agreement could not be moved on");
                    return None;
                }
            }
        }
    }
    if swept.moved > 0 {
        tracing::info!(
            agreements = swept.moved,
            "mobile work agreements ran out or were revoked"
        );
    }
    if let Err(error) = free_places(store, now, &mut swept).await {
        tracing::warn!(%error, "mobile work's rollout places could not be freed");
        return None;
    }
    Some(swept)
}

/// Frees the places (and places on the list) of mobile work held without an agreement in
/// force, admitting the next in line, each admission audited.
async fn free_places(store: &Store, now: i64, swept: &mut Swept) -> Result<(), StoreError> {
    if store.rollout_feature(MOBILE_WORK).await?.is_none() {
        return Ok(());
    }
    let mut in_force = BTreeSet::new();
    for state in [AgreementState::Approved, AgreementState::Revoking] {
        in_force.extend(
            store
                .agreements_in_state(state)
                .await?
                .iter()
                .map(|a| a.staff_id),
        );
    }
    let mut using: BTreeSet<i64> = store
        .rollout_holders(MOBILE_WORK)
        .await?
        .iter()
        .map(|p| p.0)
        .collect();
    using.extend(
        store
            .waiting_list(MOBILE_WORK)
            .await?
            .iter()
            .map(|w| w.staff_id),
    );
    for person in using.difference(&in_force) {
        let released = store
            .release_rollout_place_unless_in_force(MOBILE_WORK, *person, now * 1000)
            .await?;
        if released.held || released.was_waiting {
            swept.released.push(PersonId(*person));
        }
        for admitted in &released.admitted {
            let login = store.panel_person_by_id(admitted.0).await?.map(|p| p.login);
            store
                .audit(&AuditEntry {
                    at: now,
                    actor: None,
                    action: "rollout.admitted".into(),
                    target: login,
                    source: None,
                    detail: format!("{MOBILE_WORK}: a place became free"),
                })
                .await?;
        }
        swept.admitted.extend(released.admitted);
    }
    Ok(())
}
