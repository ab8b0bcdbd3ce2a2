//! A test's PostgreSQL database is dropped with its `TestDb`, inside a tokio runtime and
//! outside one, even while a store still holds connections to it.

use sqlx::{Connection, Row};

/// Whether the server has a database of this name.
async fn exists(name: &str) -> bool {
    let server = testkit::postgres_server().expect("checked by the caller");
    let mut admin = sqlx::PgConnection::connect(&server).await.unwrap();
    let row = sqlx::query("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
        .bind(name)
        .fetch_one(&mut admin)
        .await
        .unwrap();
    row.get::<i64, _>(0) > 0
}

fn name(db: &testkit::TestDb) -> String {
    let url = db.url.unredacted();
    url.rsplit('/').next().unwrap().to_string()
}

#[tokio::test]
async fn dropped_inside_a_runtime_with_a_store_still_open() {
    let Some(db) = testkit::postgres().await else {
        return; // no PostgreSQL in this test run
    };
    let name = name(&db);
    let store = store::Store::open(&db.url).await.unwrap();
    assert!(exists(&name).await);
    drop(db);
    assert!(!exists(&name).await, "{name} is still there");
    drop(store);
}

#[test]
fn dropped_outside_a_runtime() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = runtime.block_on(testkit::postgres()) else {
        return;
    };
    let name = name(&db);
    assert!(runtime.block_on(exists(&name)));
    drop(db); // not within block_on: no runtime here
    assert!(!runtime.block_on(exists(&name)), "{name} is still there");
}
