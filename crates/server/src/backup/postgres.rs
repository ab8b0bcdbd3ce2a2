//! PostgreSQL's part: `pg_dump --format=custom` for a backup, `pg_restore` into an empty
//! database for a restore, both from the PostgreSQL client tools on `PATH`. The password
//! goes to them in `PGPASSWORD`, never on the command line (which other users can see).

use anyhow::Context;
use sqlx::{Connection, PgConnection, Row};
use std::path::{Path, PathBuf};
use store::DatabaseUrl;

/// A `postgres://` URL split for libpq: the URL without its password, and the password
/// (percent-decoded), if it had one.
#[derive(Debug, PartialEq, Eq)]
pub struct LibpqTarget {
    /// Safe to show and to pass as `--dbname`.
    pub url: String,
    /// For `PGPASSWORD`.
    pub password: Option<String>,
}

/// Splits the password off a URL (pure): from its user info (`user:secret@`) and from a
/// `password=` query parameter alike, so it never shows in a process list.
pub fn libpq_target(url: &str) -> LibpqTarget {
    let mut target = userinfo_target(url);
    let Some((base, query)) = target.url.split_once('?') else {
        return target;
    };
    let (secret, kept): (Vec<&str>, Vec<&str>) = query
        .split('&')
        .partition(|pair| pair.split('=').next() == Some("password"));
    if let Some(pair) = secret.last() {
        if target.password.is_none() {
            target.password = Some(percent_decode(pair.split_once('=').map_or("", |p| p.1)));
        }
        target.url = match kept.is_empty() {
            true => base.to_owned(),
            false => format!("{base}?{}", kept.join("&")),
        };
    }
    target
}

fn userinfo_target(url: &str) -> LibpqTarget {
    let split = url.find("://").and_then(|scheme_end| {
        let authority_end = url[scheme_end + 3..]
            .find(['/', '?'])
            .map_or(url.len(), |i| scheme_end + 3 + i);
        let at = url[scheme_end + 3..authority_end].rfind('@')? + scheme_end + 3;
        let colon = url[scheme_end + 3..at].find(':')? + scheme_end + 3;
        Some((colon, at))
    });
    match split {
        Some((colon, at)) => LibpqTarget {
            url: format!("{}{}", &url[..colon], &url[at..]),
            password: Some(percent_decode(&url[colon + 1..at])),
        },
        None => LibpqTarget {
            url: url.to_owned(),
            password: None,
        },
    }
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// A program on `PATH`.
fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// The command line, as the operator would type it (password left out).
fn shown(program: &str, args: &[String]) -> String {
    let quoted: Vec<String> = args
        .iter()
        .map(|a| match a.contains([' ', '?', '&', '\'']) {
            true => format!("'{}'", a.replace('\'', "'\\''")),
            false => a.clone(),
        })
        .collect();
    format!("{program} {}", quoted.join(" "))
}

/// Fails unless `program` is on PATH, naming the command the operator can run instead.
pub fn require(program: &str, instead: &str) -> anyhow::Result<PathBuf> {
    on_path(program).with_context(|| {
        format!(
            "{program} is not on PATH. Install the PostgreSQL client tools (Debian/Ubuntu: \
             apt install postgresql-client; their major version must be at least the \
             server's) or put them on PATH. The command durchwahl needs is:\n  {instead}"
        )
    })
}

/// What `durchwahl backup` runs to dump the database to `file` (password left out).
pub fn dump_command(url: &DatabaseUrl, file: &Path) -> String {
    shown("pg_dump", &dump_args(&libpq_target(url.unredacted()), file))
}

/// What `durchwahl restore` runs to restore `file` (password left out).
pub fn restore_command(url: &DatabaseUrl, file: &Path) -> String {
    shown(
        "pg_restore",
        &restore_args(&libpq_target(url.unredacted()), file),
    )
}

fn dump_args(target: &LibpqTarget, out: &Path) -> Vec<String> {
    vec![
        "--format=custom".to_owned(),
        "--no-password".to_owned(),
        format!("--file={}", out.display()),
        format!("--dbname={}", target.url),
    ]
}

fn restore_args(target: &LibpqTarget, dump: &Path) -> Vec<String> {
    vec![
        "--no-owner".to_owned(),
        "--no-privileges".to_owned(),
        "--exit-on-error".to_owned(),
        "--single-transaction".to_owned(),
        "--no-password".to_owned(),
        format!("--dbname={}", target.url),
        dump.display().to_string(),
    ]
}

async fn run(program: &str, args: Vec<String>, target: &LibpqTarget) -> anyhow::Result<()> {
    let binary = require(program, &shown(program, &args))?;
    let mut command = tokio::process::Command::new(binary);
    command.args(&args).kill_on_drop(true);
    if let Some(password) = &target.password {
        command.env("PGPASSWORD", password);
    }
    let output = command
        .output()
        .await
        .with_context(|| format!("cannot run {program}"))?;
    if !output.status.success() {
        anyhow::bail!(
            "{program} failed ({}): {}\n  the command was: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim(),
            shown(program, &args)
        );
    }
    Ok(())
}

fn utf8(path: &Path) -> anyhow::Result<String> {
    path.to_str()
        .map(str::to_owned)
        .context("the backup's folder name is not UTF-8")
}

/// Dumps the database to `out` (custom format) and returns its newest applied migration,
/// read just before (migrations run only when a server starts).
pub async fn dump(url: &DatabaseUrl, out: &Path) -> anyhow::Result<i64> {
    let migration = latest_migration(url)
        .await?
        .context("the database has no migrations applied: is it a Durchwahl database?")?;
    let target = libpq_target(url.unredacted());
    utf8(out)?;
    let args = dump_args(&target, out);
    run("pg_dump", args, &target).await?;
    Ok(migration)
}

/// Restores a dump into the (empty) database, all in one transaction.
pub async fn restore(url: &DatabaseUrl, dump: &Path) -> anyhow::Result<()> {
    let target = libpq_target(url.unredacted());
    utf8(dump)?;
    let args = restore_args(&target, dump);
    run("pg_restore", args, &target).await
}

async fn connect(url: &DatabaseUrl) -> anyhow::Result<PgConnection> {
    PgConnection::connect(url.unredacted())
        .await
        .with_context(|| format!("cannot connect to the database {}", url.redacted()))
}

/// The newest successfully applied migration, or none.
pub async fn latest_migration(url: &DatabaseUrl) -> anyhow::Result<Option<i64>> {
    let mut conn = connect(url).await?;
    let recorded: Option<String> = sqlx::query("SELECT to_regclass('_sqlx_migrations')::text")
        .fetch_one(&mut conn)
        .await?
        .try_get(0)?;
    let latest = match recorded {
        Some(_) => sqlx::query("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&mut conn)
            .await?
            .try_get(0)?,
        None => None,
    };
    conn.close().await.ok();
    Ok(latest)
}

/// How many tables, sequences, views and other relations the database holds outside
/// PostgreSQL's own schemas (0: empty).
pub async fn relations(url: &DatabaseUrl) -> anyhow::Result<i64> {
    let mut conn = connect(url).await?;
    let count: i64 = sqlx::query(
        "SELECT COUNT(*) FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') \
         AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'",
    )
    .fetch_one(&mut conn)
    .await?
    .try_get(0)?;
    conn.close().await.ok();
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_goes_to_the_environment() {
        assert_eq!(
            libpq_target("postgres://dw:ge%40heim@db.local:5432/dw?sslmode=require"),
            LibpqTarget {
                url: "postgres://dw@db.local:5432/dw?sslmode=require".into(),
                password: Some("ge@heim".into()),
            }
        );
        assert_eq!(
            libpq_target("postgres://dw@db.local/dw"),
            LibpqTarget {
                url: "postgres://dw@db.local/dw".into(),
                password: None,
            }
        );
        assert_eq!(
            libpq_target("postgres://dw@db.local/dw?sslmode=require&password=ge%26heim"),
            LibpqTarget {
                url: "postgres://dw@db.local/dw?sslmode=require".into(),
                password: Some("ge&heim".into()),
            }
        );
        assert_eq!(
            libpq_target("postgres://dw@db.local/dw?password=x"),
            LibpqTarget {
                url: "postgres://dw@db.local/dw".into(),
                password: Some("x".into()),
            }
        );
        assert_eq!(
            libpq_target("postgresql://h/db?user=a@b:c"),
            LibpqTarget {
                url: "postgresql://h/db?user=a@b:c".into(),
                password: None,
            }
        );
    }

    #[test]
    fn a_missing_tool_names_the_command() {
        let shown = shown(
            "pg_dump",
            &[
                "--format=custom".into(),
                "--dbname=postgres://u@h/d?x=1&y=2".into(),
            ],
        );
        assert_eq!(
            shown,
            "pg_dump --format=custom '--dbname=postgres://u@h/d?x=1&y=2'"
        );
    }
}
