//! Where a database stands against the migrations built into this binary, read without
//! changing anything (no file created, nothing migrated): for `durchwahl doctor`, and for
//! a backup's manifest. [`crate::Store::open`] is what migrates.

use crate::migrate::{table_exists, MIGRATIONS};
use crate::{Backend, DatabaseUrl, StoreError};
use sqlx::{AnyConnection, Connection, Row};

/// The database against [`MIGRATIONS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaStatus {
    /// The SQLite file does not exist yet (the first start creates it).
    Missing,
    /// The database answers and holds no Durchwahl schema yet.
    Empty,
    /// Migrations up to `applied` of `latest` are applied; the next start applies the rest.
    Behind {
        /// The newest applied migration's number.
        applied: i64,
        /// The newest migration this binary knows.
        latest: i64,
    },
    /// Every migration this binary knows is applied.
    Current {
        /// The newest migration's number.
        latest: i64,
    },
    /// The database was migrated by a newer Durchwahl (`applied` > `latest`).
    Ahead {
        /// The newest applied migration's number.
        applied: i64,
        /// The newest migration this binary knows.
        latest: i64,
    },
}

impl SchemaStatus {
    /// From the newest applied migration (none: an empty database).
    pub fn from_applied(applied: Option<i64>) -> SchemaStatus {
        let latest = latest();
        match applied {
            None => SchemaStatus::Empty,
            Some(a) if a == latest => SchemaStatus::Current { latest },
            Some(a) if a < latest => SchemaStatus::Behind { applied: a, latest },
            Some(a) => SchemaStatus::Ahead { applied: a, latest },
        }
    }
}

/// The newest migration built into this binary.
pub fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version())
}

/// Connects once, reads the newest applied migration, and disconnects.
pub async fn schema_status(url: &DatabaseUrl) -> Result<SchemaStatus, StoreError> {
    sqlx::any::install_default_drivers();
    if let Some(file) = url.sqlite_file() {
        if !file.exists() {
            return Ok(SchemaStatus::Missing);
        }
    }
    let mut conn = AnyConnection::connect(&url.read_only_url()).await?;
    let applied = newest_applied(&mut conn, url.backend()).await;
    conn.close().await.ok();
    Ok(SchemaStatus::from_applied(applied?))
}

/// The newest successfully applied migration, or none.
async fn newest_applied(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<Option<i64>, StoreError> {
    if table_exists(conn, backend, "_sqlx_migrations").await? {
        let row = sqlx::query("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *conn)
            .await?;
        return Ok(row.try_get::<Option<i64>, _>(0)?);
    }
    // Before sqlx's migrator (see migrate.rs): the old table lists names.
    if table_exists(conn, backend, "schema_migrations").await? {
        let names: Vec<String> = sqlx::query("SELECT name FROM schema_migrations")
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<Result<_, _>>()?;
        return Ok(names
            .iter()
            .filter_map(|n| n.split_once('_').and_then(|(v, _)| v.parse().ok()))
            .max());
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_absent_file_is_missing_and_stays_absent_then_a_store_is_current() {
        let dir = tempfile::tempdir().unwrap();
        let url = DatabaseUrl::sqlite_in(dir.path());
        assert_eq!(schema_status(&url).await.unwrap(), SchemaStatus::Missing);
        assert!(
            !url.sqlite_file().unwrap().exists(),
            "looking creates nothing"
        );
        let store = crate::Store::open(&url).await.unwrap();
        store.close().await;
        assert_eq!(
            schema_status(&url).await.unwrap(),
            SchemaStatus::Current { latest: latest() }
        );
    }

    #[test]
    fn behind_and_ahead_are_told_apart() {
        let latest = latest();
        assert_eq!(
            SchemaStatus::from_applied(Some(1)),
            SchemaStatus::Behind { applied: 1, latest }
        );
        assert_eq!(
            SchemaStatus::from_applied(Some(latest + 1)),
            SchemaStatus::Ahead {
                applied: latest + 1,
                latest
            }
        );
        assert_eq!(SchemaStatus::from_applied(None), SchemaStatus::Empty);
    }
}
