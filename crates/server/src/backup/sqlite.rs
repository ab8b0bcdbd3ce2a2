//! SQLite's part: a transactionally consistent copy of the live database with
//! `VACUUM INTO` (SQLite's documented online copy: one read transaction, while the
//! server goes on writing in WAL mode), never the live file and its `-wal`/`-shm` raw.

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{ConnectOptions, Connection, Row, SqliteConnection};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;
use store::DatabaseUrl;

/// The database file a `sqlite://` URL names, made absolute.
pub fn file_of(url: &DatabaseUrl) -> anyhow::Result<PathBuf> {
    let options = SqliteConnectOptions::from_str(url.unredacted())
        .with_context(|| format!("cannot read the database URL {}", url.redacted()))?;
    Ok(std::path::absolute(options.get_filename())?)
}

/// The live file and the journals SQLite keeps beside it.
pub fn live_files(file: &Path) -> Vec<PathBuf> {
    let name = file.as_os_str();
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| {
            let mut with = name.to_os_string();
            with.push(suffix);
            PathBuf::from(with)
        })
        .collect()
}

async fn connect(file: &Path, read_only: bool) -> anyhow::Result<SqliteConnection> {
    SqliteConnectOptions::new()
        .filename(file)
        .read_only(read_only)
        .create_if_missing(false)
        // The server may hold the write lock for a moment; VACUUM INTO only reads.
        .busy_timeout(Duration::from_secs(30))
        .disable_statement_logging()
        .connect()
        .await
        .with_context(|| format!("cannot open the SQLite database {}", file.display()))
}

/// Writes a consistent copy of the database at `live` to `out` (which must not exist),
/// as one self-contained file (rollback journal, not WAL), and returns its newest
/// applied migration.
pub async fn snapshot(live: &Path, out: &Path) -> anyhow::Result<i64> {
    if !live.is_file() {
        anyhow::bail!(
            "the SQLite database {} does not exist: check --data-dir / [database] url",
            live.display()
        );
    }
    let target = out
        .to_str()
        .context("the backup's folder name is not UTF-8")?
        .to_owned();
    let mut conn = connect(live, false).await?;
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&mut conn)
        .await
        .with_context(|| format!("cannot copy the database {}", live.display()))?;
    conn.close().await.ok();
    let mut copy = SqliteConnectOptions::new()
        .filename(out)
        .journal_mode(SqliteJournalMode::Delete)
        .disable_statement_logging()
        .connect()
        .await
        .context("cannot open the database copy")?;
    let migration = latest_migration(&mut copy).await;
    copy.close().await.ok();
    migration?.context("the database has no migrations applied: is it a Durchwahl database?")
}

/// Checks a restored snapshot (`PRAGMA quick_check`) and returns its newest migration.
pub async fn check(file: &Path) -> anyhow::Result<Option<i64>> {
    let mut conn = connect(file, true).await?;
    let verdict: String = sqlx::query("PRAGMA quick_check")
        .fetch_one(&mut conn)
        .await?
        .try_get(0)?;
    if verdict != "ok" {
        anyhow::bail!("the backup's database is damaged: {verdict}");
    }
    let migration = latest_migration(&mut conn).await;
    conn.close().await.ok();
    migration
}

/// The newest successfully applied migration, or none.
async fn latest_migration(conn: &mut SqliteConnection) -> anyhow::Result<Option<i64>> {
    let recorded: i64 = sqlx::query(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(&mut *conn)
    .await?
    .try_get(0)?;
    if recorded == 0 {
        return Ok(None);
    }
    Ok(
        sqlx::query("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?,
    )
}

/// Whether `file` holds no database yet: absent, of no bytes, or without any table.
pub async fn is_empty(file: &Path) -> anyhow::Result<bool> {
    match std::fs::metadata(file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", file.display())),
        Ok(meta) if meta.len() == 0 => return Ok(true),
        Ok(_) => {}
    }
    let mut conn = connect(file, true).await?;
    let objects: i64 = sqlx::query("SELECT COUNT(*) FROM sqlite_master")
        .fetch_one(&mut conn)
        .await?
        .try_get(0)?;
    conn.close().await.ok();
    Ok(objects == 0)
}
