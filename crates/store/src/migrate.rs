//! Schema migrations, numbered in step for both backends, embedded in the binary and run at
//! start-up by sqlx's migrator: each file once, in its own transaction, recorded in
//! `_sqlx_migrations` with the SHA-384 of its text, so a file changed after it was applied
//! is refused instead of silently differing between installations. On PostgreSQL the
//! migrator holds an advisory lock, so two servers starting at once do not both migrate.
//!
//! Databases made before sqlx's migrator recorded their migrations by name in
//! `schema_migrations`; [`run`] takes those over once (see [`take_over_schema_migrations`]).

use crate::{Backend, StoreError};
use sqlx::error::BoxDynError;
use sqlx::migrate::{Migrate, MigrateError, MigrationSource, MigrationType, Migrator};
use sqlx::AnyConnection;
use sqlx::{AnyPool, Row};
use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

/// One schema change, written once per backend.
#[derive(Debug)]
pub struct Migration {
    /// The file name without `.sql`, the same in both folders: `NNNN_description`.
    pub name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

macro_rules! migration {
    ($name:literal) => {
        Migration {
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $name, ".sql")),
        }
    };
}

/// Every migration, in order. A test checks this list against both folders.
pub const MIGRATIONS: &[Migration] = &[
    migration!("0001_directory"),
    migration!("0002_auth"),
    migration!("0003_presence_chat"),
    migration!("0004_sip_devices"),
    migration!("0005_call_forwarding"),
    migration!("0006_attempts_and_uploads"),
    migration!("0007_call_history"),
    migration!("0008_directory_sync"),
    migration!("0009_queue_events"),
    migration!("0010_hotlines"),
    migration!("0011_cases"),
    migration!("0012_hotline_callbacks"),
    migration!("0013_hotline_answer_on"),
    migration!("0014_announcement_opus"),
    migration!("0015_voicemail"),
    migration!("0016_mail_outbox"),
    migration!("0017_forwarding_to_voicemail"),
    migration!("0018_fax"),
    migration!("0019_voicemail_units"),
    migration!("0020_mobile_work"),
    migration!("0021_team_week"),
    migration!("0022_equipment"),
    migration!("0023_mobile_work_reminders"),
    migration!("0024_rollout_history"),
    migration!("0025_room_bookings"),
    migration!("0026_desk_zones"),
    migration!("0027_layout_removed"),
    migration!("0028_gateway"),
    migration!("0029_capacity"),
];

impl Migration {
    /// The number before the first `_`, the version sqlx records.
    pub fn version(&self) -> i64 {
        version_of(self.name)
    }

    /// The file's exact text for this backend (its SHA-384 is the recorded checksum).
    pub fn sql(&self, backend: Backend) -> &'static str {
        match backend {
            Backend::Sqlite => self.sqlite,
            Backend::Postgres => self.postgres,
        }
    }
}

fn version_of(name: &str) -> i64 {
    name.split_once('_')
        .and_then(|(number, _)| number.parse().ok())
        .expect("migration names start with a number and '_'")
}

/// What sqlx's migrator runs for one file: its version, the description as sqlx derives
/// it from a file name, the text (checksummed), in one transaction.
fn for_sqlx(name: &str, sql: &'static str) -> sqlx::migrate::Migration {
    let description = name
        .split_once('_')
        .map_or("", |(_, d)| d)
        .replace('_', " ");
    sqlx::migrate::Migration::new(
        version_of(name),
        Cow::Owned(description),
        MigrationType::Simple,
        Cow::Borrowed(sql),
        false,
    )
}

/// The migrations built into the binary, handed to sqlx's migrator as they are (instead
/// of the `migrate!` macro, which needs sqlx's proc-macros, or reading a folder at run time).
#[derive(Debug)]
struct Embedded(Vec<sqlx::migrate::Migration>);

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<sqlx::migrate::Migration>, BoxDynError>> + Send + 's>>
    {
        Box::pin(std::future::ready(Ok(self.0)))
    }
}

/// Brings the schema up to date with [`MIGRATIONS`].
pub(crate) async fn run(pool: &AnyPool, backend: Backend) -> Result<(), StoreError> {
    let files: Vec<(&'static str, &'static str)> = MIGRATIONS
        .iter()
        .map(|m| (m.name, m.sql(backend)))
        .collect();
    run_files(pool, backend, &files).await
}

/// [`run`] over `(name, text)` pairs in order, so a test can hand in a changed file.
async fn run_files(
    pool: &AnyPool,
    backend: Backend,
    files: &[(&'static str, &'static str)],
) -> Result<(), StoreError> {
    let embedded = Embedded(files.iter().map(|&(n, sql)| for_sqlx(n, sql)).collect());
    let mut migrator = Migrator::new(embedded)
        .await
        .map_err(|e| migrate_error(e, files))?;
    // We hold the lock ourselves, around the take-over too (below).
    migrator.set_locking(false);

    let mut conn = pool.acquire().await?;
    // PostgreSQL: pg_advisory_lock for this database, held by this connection until
    // unlock (or until it closes); SQLite: nothing (one server per file, and every step
    // below is a transaction).
    conn.lock().await.map_err(|e| migrate_error(e, files))?;
    let result = async {
        take_over_schema_migrations(&mut conn, backend, &migrator, files).await?;
        migrator
            .run(&mut *conn)
            .await
            .map_err(|e| migrate_error(e, files))
    }
    .await;
    let unlocked = conn.unlock().await.map_err(|e| migrate_error(e, files));
    result.and(unlocked)
}

/// The migration's file name for a version, for messages.
fn name_of(version: i64, files: &[(&'static str, &'static str)]) -> Option<&'static str> {
    files
        .iter()
        .map(|&(name, _)| name)
        .find(|name| version_of(name) == version)
}

fn migrate_error(error: MigrateError, files: &[(&'static str, &'static str)]) -> StoreError {
    match error {
        MigrateError::VersionMismatch(version) => StoreError::MigrationChanged {
            name: name_of(version, files).unwrap_or("?"),
        },
        MigrateError::VersionMissing(version) => StoreError::MigrationUnknown {
            name: version.to_string(),
        },
        MigrateError::ExecuteMigration(source, version) => StoreError::Migration {
            name: name_of(version, files).unwrap_or("?"),
            source,
        },
        MigrateError::Execute(source) => StoreError::Database(source),
        other => StoreError::Migrator(other.to_string()),
    }
}

/// The one-time take-over of a database made before sqlx's migrator: when the old
/// `schema_migrations` table exists and `_sqlx_migrations` has no rows yet, every migration
/// it lists is recorded for sqlx as applied (its checksum from the file built in, which is
/// the text that was applied, and its original time), and `schema_migrations` is dropped,
/// all in one transaction. The migrator then applies only what is new.
///
/// The old table is dropped rather than kept: kept, it would go stale with the next
/// migration and tell a reader of the database a wrong version; and a previous release
/// started on a taken-over database fails cleanly (it finds no record, tries to create the
/// first tables again and rolls that back) instead of running on a schema it half knows.
async fn take_over_schema_migrations(
    conn: &mut AnyConnection,
    backend: Backend,
    migrator: &Migrator,
    files: &[(&'static str, &'static str)],
) -> Result<(), StoreError> {
    if !table_exists(conn, backend, "schema_migrations").await? {
        return Ok(());
    }
    conn.ensure_migrations_table()
        .await
        .map_err(|e| migrate_error(e, files))?;
    let recorded: i64 = sqlx::query("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    if recorded > 0 {
        return Ok(());
    }
    let old = sqlx::query("SELECT name, applied_at FROM schema_migrations ORDER BY name")
        .fetch_all(&mut *conn)
        .await?;
    let installed_on = match backend {
        Backend::Sqlite => "datetime($5, 'unixepoch')",
        Backend::Postgres => "to_timestamp($5)",
    };
    let insert = format!(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
         VALUES ($1, $2, {installed_on}, $3, $4, -1)"
    );
    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    for row in &old {
        let name: String = row.try_get(0)?;
        let applied_at: i64 = row.try_get(1)?;
        let migration = files
            .iter()
            .zip(migrator.iter())
            .find_map(|(&(n, _), m)| (n == name).then_some(m))
            .ok_or_else(|| StoreError::MigrationUnknown { name: name.clone() })?;
        sqlx::query(&insert)
            .bind(migration.version)
            .bind(migration.description.as_ref())
            .bind(true)
            .bind(migration.checksum.as_ref())
            .bind(applied_at)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("DROP TABLE schema_migrations")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(
        migrations = old.len(),
        "took over the schema_migrations record for sqlx's migrator"
    );
    Ok(())
}

pub(crate) async fn table_exists(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
) -> Result<bool, StoreError> {
    let sql = match backend {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = $1"
        }
    };
    let count: i64 = sqlx::query(sql)
        .bind(table)
        .fetch_one(&mut *conn)
        .await?
        .try_get(0)?;
    Ok(count > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn sqlite_pool(dir: &std::path::Path) -> AnyPool {
        sqlx::any::install_default_drivers();
        let url = format!("sqlite://{}?mode=rwc", dir.join("t.db").display());
        AnyPool::connect(&url).await.unwrap()
    }

    #[tokio::test]
    async fn a_file_changed_after_it_was_applied_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let pool = sqlite_pool(dir.path()).await;
        let files: Vec<_> = MIGRATIONS
            .iter()
            .map(|m| (m.name, m.sql(Backend::Sqlite)))
            .collect();
        run_files(&pool, Backend::Sqlite, &files).await.unwrap();
        run_files(&pool, Backend::Sqlite, &files)
            .await
            .expect("a second start applies nothing and passes");

        let mut changed = files.clone();
        let edited = format!("{}\n-- a comment added afterwards\n", files[2].1);
        changed[2].1 = Box::leak(edited.into_boxed_str());
        let error = run_files(&pool, Backend::Sqlite, &changed)
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                StoreError::MigrationChanged {
                    name: "0003_presence_chat"
                }
            ),
            "{error:?}"
        );
        assert!(error.to_string().contains("checksum mismatch"), "{error}");
    }

    #[tokio::test]
    async fn a_migration_this_build_does_not_know_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let pool = sqlite_pool(dir.path()).await;
        let files: Vec<_> = MIGRATIONS
            .iter()
            .map(|m| (m.name, m.sql(Backend::Sqlite)))
            .collect();
        run_files(&pool, Backend::Sqlite, &files).await.unwrap();
        let older_build = &files[..files.len() - 1];
        let error = run_files(&pool, Backend::Sqlite, older_build)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, StoreError::MigrationUnknown { name } if *name == MIGRATIONS.len().to_string()),
            "{error:?}"
        );
    }

    #[test]
    fn versions_and_descriptions_follow_the_file_names() {
        let m = for_sqlx("0006_attempts_and_uploads", "SELECT 1;");
        assert_eq!(
            (m.version, m.description.as_ref()),
            (6, "attempts and uploads")
        );
        let versions: Vec<i64> = MIGRATIONS.iter().map(Migration::version).collect();
        assert_eq!(versions, (1..=MIGRATIONS.len() as i64).collect::<Vec<_>>());
    }
}
