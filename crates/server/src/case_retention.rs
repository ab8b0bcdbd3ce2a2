//! Data protection for the hotlines' case database (issue 16): at start-up and then
//! hourly, closed cases whose hotline's retention period has passed are deleted. The
//! store does it in one transaction and writes one audit line with the count
//! (`Store::delete_due_cases`); this is only the timer around it, on the runtime's clock.

use live::SharedClock;
use std::time::Duration;
use store::Store;

/// How often due cases are looked for.
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

/// Deletes the cases due at `now` (Unix seconds); how many, or `None` when the database
/// failed (logged; the next sweep tries again).
pub async fn sweep(store: &Store, now: i64) -> Option<u64> {
    match store.delete_due_cases(now).await {
        Ok(deleted) => Some(deleted),
        Err(error) => {
            tracing::warn!(%error, "closed cases past their retention period could not be deleted");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::{CaseActor, CaseChange, NewCase};

    const DAY: i64 = 86_400;

    #[tokio::test]
    async fn a_sweep_deletes_the_due_closed_cases_and_a_failing_database_is_survived() {
        let db = testkit::sqlite();
        let store = Store::open(&db.url).await.unwrap();
        let plan = directory::plan_import(
            &store.snapshot().await.unwrap(),
            directory::parse_staff_csv(
                b"login,name,unit,extension\na.agent,Anna Agent,Hotline,2401\n",
            ),
        );
        store.apply_import(&plan, &mut |_, _| {}).await.unwrap();
        let login = directory::Login::parse("a.agent").unwrap();
        let agent = store.account_by_login(&login).await.unwrap().unwrap().id;
        let hotline = store
            .add_hotline_for_test("Bürgertelefon", "2900", &[agent], &[])
            .await
            .unwrap();
        store.set_case_retention_for_test(hotline, 7).await.unwrap();
        let by = CaseActor {
            staff_id: agent,
            login: "a.agent",
            source: "",
        };
        let t = 1_800_000_000;
        let closed = store
            .create_case(hotline, &NewCase::default(), &by, t)
            .await
            .unwrap();
        let done = CaseChange {
            state: Some(cases::CaseState::Done),
            ..CaseChange::default()
        };
        store
            .update_case(hotline, closed.id, &done, &by, t)
            .await
            .unwrap();
        let open = store
            .create_case(hotline, &NewCase::default(), &by, t - 100 * DAY)
            .await
            .unwrap();

        assert_eq!(sweep(&store, t + 7 * DAY - 1).await, Some(0));
        assert_eq!(sweep(&store, t + 7 * DAY).await, Some(1));
        assert!(store.case(hotline, closed.id).await.unwrap().is_none());
        assert!(store.case(hotline, open.id).await.unwrap().is_some());
        store.close().await;
        assert_eq!(sweep(&store, t + 8 * DAY).await, None);
    }
}
