//! The store's contract for the capacity page's samples (docs/capacity.md), on SQLite
//! always and on PostgreSQL when the test run has one (TEST_POSTGRES_URL): values come
//! back exactly (whole numbers, fractions, large byte counts), by figure and oldest first;
//! a sample of the same figure and time replaces the stored one; a value that is no number
//! writes nothing of its round; pruning removes exactly what is older.

use store::{CapacitySample, Store, StoreError};

const MINUTE: i64 = 60_000;
const T0: i64 = 1_780_000_000_000;

async fn stores() -> Vec<(Store, testkit::TestDb)> {
    let mut out = Vec::new();
    for db in testkit::databases().await {
        let store = Store::open(&db.url)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.label));
        out.push((store, db));
    }
    out
}

fn sample(at_ms: i64, figure: &str, value: f64) -> CapacitySample {
    CapacitySample {
        at_ms,
        figure: figure.to_owned(),
        value,
    }
}

#[tokio::test]
async fn samples_come_back_exactly_by_figure_and_time() {
    for (store, db) in stores().await {
        let l = db.label;
        assert_eq!(
            store.capacity_samples_since(0).await.unwrap(),
            vec![],
            "{l}"
        );
        store
            .insert_capacity_samples(&[
                sample(T0 + MINUTE, "cpu", 0.425),
                sample(T0, "memory", 16_654_123_008.0),
                sample(T0, "cpu", 3.0),
                sample(T0, "gateway_users:e-akte", 1.0),
            ])
            .await
            .unwrap();
        store
            .insert_capacity_samples(&[sample(T0 + 2 * MINUTE, "cpu", 1e-9)])
            .await
            .unwrap();
        assert_eq!(
            store.capacity_samples_since(T0).await.unwrap(),
            vec![
                sample(T0, "cpu", 3.0),
                sample(T0 + MINUTE, "cpu", 0.425),
                sample(T0 + 2 * MINUTE, "cpu", 1e-9),
                sample(T0, "gateway_users:e-akte", 1.0),
                sample(T0, "memory", 16_654_123_008.0),
            ],
            "{l}"
        );
        assert_eq!(
            store.capacity_samples_since(T0 + MINUTE).await.unwrap(),
            vec![
                sample(T0 + MINUTE, "cpu", 0.425),
                sample(T0 + 2 * MINUTE, "cpu", 1e-9)
            ],
            "{l}"
        );
    }
}

#[tokio::test]
async fn the_same_figure_and_time_replaces() {
    for (store, db) in stores().await {
        let l = db.label;
        store
            .insert_capacity_samples(&[sample(T0, "disk", 1.0), sample(T0, "calls", 2.0)])
            .await
            .unwrap();
        store
            .insert_capacity_samples(&[sample(T0, "disk", 5.5)])
            .await
            .unwrap();
        assert_eq!(
            store.capacity_samples_since(0).await.unwrap(),
            vec![sample(T0, "calls", 2.0), sample(T0, "disk", 5.5)],
            "{l}"
        );
    }
}

#[tokio::test]
async fn a_value_that_is_no_number_writes_nothing() {
    for (store, db) in stores().await {
        let l = db.label;
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let refused = store
                .insert_capacity_samples(&[sample(T0, "cpu", 1.0), sample(T0, "memory", bad)])
                .await;
            assert!(
                matches!(refused, Err(StoreError::Invalid(_))),
                "{l}: {refused:?}"
            );
        }
        assert_eq!(
            store.capacity_samples_since(0).await.unwrap(),
            vec![],
            "{l}"
        );
    }
}

#[tokio::test]
async fn pruning_removes_exactly_what_is_older() {
    for (store, db) in stores().await {
        let l = db.label;
        let round: Vec<CapacitySample> = (0..5)
            .flat_map(|m| {
                [
                    sample(T0 + m * MINUTE, "cpu", m as f64),
                    sample(T0 + m * MINUTE, "connections", 10.0 * m as f64),
                ]
            })
            .collect();
        store.insert_capacity_samples(&round).await.unwrap();
        assert_eq!(
            store.prune_capacity_samples(T0 + 3 * MINUTE).await.unwrap(),
            6,
            "{l}"
        );
        assert_eq!(
            store.prune_capacity_samples(T0 + 3 * MINUTE).await.unwrap(),
            0,
            "{l}"
        );
        let left = store.capacity_samples_since(0).await.unwrap();
        assert_eq!(
            left.iter()
                .map(|s| (s.figure.as_str(), s.at_ms - T0))
                .collect::<Vec<_>>(),
            vec![
                ("connections", 3 * MINUTE),
                ("connections", 4 * MINUTE),
                ("cpu", 3 * MINUTE),
                ("cpu", 4 * MINUTE)
            ],
            "{l}"
        );
    }
}
