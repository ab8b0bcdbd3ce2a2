//! A store on every backend of the test run, with staff imported from a CSV text.

use directory::{parse_staff_csv, plan_import};
use store::Store;

/// Every backend's store (SQLite; PostgreSQL when the run has one), `file` imported.
pub async fn stores_with(file: &str) -> Vec<(Store, testkit::TestDb)> {
    let mut out = Vec::new();
    for db in testkit::databases().await {
        let store = Store::open(&db.url)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.label));
        let plan = plan_import(
            &store.snapshot().await.unwrap(),
            parse_staff_csv(file.as_bytes()),
        );
        store.apply_import(&plan, &mut |_, _| {}).await.unwrap();
        out.push((store, db));
    }
    out
}
