//! Schema migrations, numbered in step for both backends and run at start-up.

use crate::{unix_now, Backend, Store, StoreError};
use sqlx::Row;

/// One schema change, written once per backend.
#[derive(Debug)]
pub struct Migration {
    /// The file name without `.sql`, the same in both folders.
    pub name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

/// Every migration, in order. A test checks this list against both folders.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "0001_directory",
        sqlite: include_str!("../migrations/sqlite/0001_directory.sql"),
        postgres: include_str!("../migrations/postgres/0001_directory.sql"),
    },
    Migration {
        name: "0002_auth",
        sqlite: include_str!("../migrations/sqlite/0002_auth.sql"),
        postgres: include_str!("../migrations/postgres/0002_auth.sql"),
    },
    Migration {
        name: "0003_presence_chat",
        sqlite: include_str!("../migrations/sqlite/0003_presence_chat.sql"),
        postgres: include_str!("../migrations/postgres/0003_presence_chat.sql"),
    },
    Migration {
        name: "0004_sip_devices",
        sqlite: include_str!("../migrations/sqlite/0004_sip_devices.sql"),
        postgres: include_str!("../migrations/postgres/0004_sip_devices.sql"),
    },
    Migration {
        name: "0005_call_forwarding",
        sqlite: include_str!("../migrations/sqlite/0005_call_forwarding.sql"),
        postgres: include_str!("../migrations/postgres/0005_call_forwarding.sql"),
    },
    Migration {
        name: "0006_attempts_and_uploads",
        sqlite: include_str!("../migrations/sqlite/0006_attempts_and_uploads.sql"),
        postgres: include_str!("../migrations/postgres/0006_attempts_and_uploads.sql"),
    },
];

/// Applies every migration not yet recorded, each in its own transaction.
pub(crate) async fn run(store: &Store) -> Result<(), StoreError> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .execute(&store.pool)
    .await?;
    let applied: Vec<String> = sqlx::query("SELECT name FROM schema_migrations")
        .fetch_all(&store.pool)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<_, _>>()?;
    for m in MIGRATIONS
        .iter()
        .filter(|m| !applied.iter().any(|a| a == m.name))
    {
        let sql = match store.backend {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        let fail = |source| StoreError::Migration {
            name: m.name,
            source,
        };
        let mut tx = store.pool.begin().await?;
        sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(fail)?;
        sqlx::query("INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)")
            .bind(m.name)
            .bind(unix_now())
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        tx.commit().await.map_err(fail)?;
        tracing::info!(migration = m.name, "applied database migration");
    }
    Ok(())
}
