//! Migrations through sqlx's migrator, on SQLite always and on PostgreSQL when the test run
//! has one: a database made by the runner Durchwahl had before (recording names in
//! `schema_migrations`) is taken over without re-applying anything, and a changed
//! migration is refused.

use sha2::{Digest, Sha384};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor, Row};
use store::{Backend, Store, StoreError, MIGRATIONS};
use testkit::TestDb;

/// A pool on the test database as the old `Store::open` made it (SQLite created when
/// missing, with the same pragmas).
async fn raw_pool(db: &TestDb) -> AnyPool {
    sqlx::any::install_default_drivers();
    let backend = db.url.backend();
    let url = match backend {
        Backend::Sqlite => format!("{}?mode=rwc", db.url.unredacted()),
        Backend::Postgres => db.url.unredacted().to_string(),
    };
    AnyPoolOptions::new()
        .max_connections(2)
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    conn.execute(sqlx::raw_sql(
                        "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                         PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;",
                    ))
                    .await?;
                }
                Ok(())
            })
        })
        .connect(&url)
        .await
        .unwrap()
}

/// The runner Durchwahl had before sqlx's migrator, as it was (a fixture now that the code
/// is gone): applies the first `count` migrations not yet recorded, each in its own
/// transaction with its row in `schema_migrations`.
async fn old_runner(pool: &AnyPool, backend: Backend, count: usize) {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .execute(pool)
    .await
    .unwrap();
    let applied: Vec<String> = sqlx::query("SELECT name FROM schema_migrations")
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<_, _>>()
        .unwrap();
    for m in MIGRATIONS[..count]
        .iter()
        .filter(|m| !applied.iter().any(|a| a == m.name))
    {
        let mut tx = pool.begin().await.unwrap();
        sqlx::raw_sql(m.sql(backend))
            .execute(&mut *tx)
            .await
            .unwrap();
        sqlx::query("INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)")
            .bind(m.name)
            .bind(APPLIED_AT)
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
}

/// When the old runner applied its migrations (2026-01-01 00:00:00 UTC).
const APPLIED_AT: i64 = 1_767_225_600;

/// What `_sqlx_migrations` holds, in version order: (version, success, checksum,
/// execution time, installed_on as Unix time).
async fn recorded(pool: &AnyPool, backend: Backend) -> Vec<(i64, i64, Vec<u8>, i64, i64)> {
    // Any reads BOOLEAN from SQLite only as an integer (CAST), so both backends are cast.
    let installed_on = match backend {
        Backend::Sqlite => "CAST(strftime('%s', installed_on) AS BIGINT)",
        Backend::Postgres => "CAST(EXTRACT(EPOCH FROM installed_on) AS BIGINT)",
    };
    sqlx::query(&format!(
        "SELECT version, CAST(success AS INTEGER), checksum, execution_time, {installed_on} \
         FROM _sqlx_migrations ORDER BY version"
    ))
    .fetch_all(pool)
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.get::<i64, _>(0),
            r.get::<i64, _>(1),
            r.get::<Vec<u8>, _>(2),
            r.get::<i64, _>(3),
            r.get::<i64, _>(4),
        )
    })
    .collect()
}

async fn table_exists(pool: &AnyPool, backend: Backend, table: &str) -> bool {
    let sql = match backend {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = $1"
        }
    };
    let count: i64 = sqlx::query(sql)
        .bind(table)
        .fetch_one(pool)
        .await
        .unwrap()
        .get(0);
    count > 0
}

/// A database made by today's release (all migrations) and one made by an older release
/// (the first four, so the last two are applied by the migrator after the take-over).
#[tokio::test]
async fn a_database_made_by_the_old_runner_is_taken_over_without_reapplying() {
    for old_count in [MIGRATIONS.len(), 4] {
        for db in testkit::databases().await {
            let backend = db.url.backend();
            let label = format!("{} with {old_count} old migrations", db.label);
            let pool = raw_pool(&db).await;
            old_runner(&pool, backend, old_count).await;
            sqlx::raw_sql(
                "INSERT INTO units (parent_id, name, path) VALUES (NULL, 'Bauamt', 'Bauamt');
                 INSERT INTO staff (login, display_name, unit_id, extension, roles, features, created_at, updated_at)
                 VALUES ('c.clerk', 'Carl Clerk', (SELECT id FROM units WHERE path = 'Bauamt'), '2501', 1, 0, 1, 1);",
            )
            .execute(&pool)
            .await
            .unwrap();

            // Anything re-applied would fail: the first file creates tables that exist.
            let store = Store::open(&db.url)
                .await
                .unwrap_or_else(|e| panic!("{label}: {e}"));
            let person = store
                .person(&directory::Login::parse("c.clerk").unwrap())
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{label}: the person survives"));
            assert_eq!(
                (person.name.as_str(), person.unit.to_string()),
                ("Carl Clerk", "Bauamt".to_string()),
                "{label}"
            );
            // The later migration (0006) applied: pending sign-ins count attempts.
            sqlx::query("SELECT attempts FROM pending_logins")
                .fetch_all(&pool)
                .await
                .unwrap_or_else(|e| panic!("{label}: {e}"));

            let rows = recorded(&pool, backend).await;
            assert_eq!(rows.len(), MIGRATIONS.len(), "{label}: {rows:?}");
            for (row, m) in rows.iter().zip(MIGRATIONS) {
                let (version, success, checksum, execution_time, installed_on) = row;
                assert_eq!((*version, *success), (m.version(), 1), "{label}");
                assert_eq!(
                    checksum.as_slice(),
                    Sha384::digest(m.sql(backend).as_bytes()).as_slice(),
                    "{label}: {}: the SHA-384 of the file",
                    m.name
                );
                let taken_over = (*version as usize) <= old_count;
                assert_eq!(
                    (*execution_time == -1, *installed_on == APPLIED_AT),
                    (taken_over, taken_over),
                    "{label}: {}: taken over keeps its time, applied now is measured",
                    m.name
                );
            }
            assert!(
                !table_exists(&pool, backend, "schema_migrations").await,
                "{label}: the old record is dropped"
            );

            // A second start finds nothing to do.
            store.close().await;
            Store::open(&db.url)
                .await
                .unwrap_or_else(|e| panic!("{label}: reopen: {e}"))
                .close()
                .await;
            assert_eq!(recorded(&pool, backend).await, rows, "{label}");
            pool.close().await;
        }
    }
}

#[tokio::test]
async fn a_new_database_records_every_migration_with_its_checksum() {
    for db in testkit::databases().await {
        let backend = db.url.backend();
        Store::open(&db.url).await.unwrap().close().await;
        let pool = raw_pool(&db).await;
        let rows = recorded(&pool, backend).await;
        let expected: Vec<(i64, i64, Vec<u8>)> = MIGRATIONS
            .iter()
            .map(|m| {
                let sum = Sha384::digest(m.sql(backend).as_bytes()).to_vec();
                (m.version(), 1, sum)
            })
            .collect();
        let got: Vec<(i64, i64, Vec<u8>)> =
            rows.into_iter().map(|(v, s, c, _, _)| (v, s, c)).collect();
        assert_eq!(got, expected, "{}", db.label);
        assert!(!table_exists(&pool, backend, "schema_migrations").await);
        pool.close().await;
    }
}

/// An applied migration whose file changed afterwards (here: the recorded checksum no
/// longer matches the file built in) stops the start with a clear error.
#[tokio::test]
async fn a_changed_migration_is_refused() {
    for db in testkit::databases().await {
        Store::open(&db.url).await.unwrap().close().await;
        let pool = raw_pool(&db).await;
        sqlx::query("UPDATE _sqlx_migrations SET checksum = $1 WHERE version = 3")
            .bind(vec![0u8; 48])
            .execute(&pool)
            .await
            .unwrap();
        let error = Store::open(&db.url).await.unwrap_err();
        assert!(
            matches!(
                error,
                StoreError::MigrationChanged {
                    name: "0003_presence_chat"
                }
            ),
            "{}: {error:?}",
            db.label
        );
        assert!(
            error.to_string().contains(
                "migration 0003_presence_chat was applied to this database but its file has changed"
            ),
            "{error}"
        );
        pool.close().await;
    }
}

/// 0019 makes SQLite's voicemail tables anew (a unit may own a box now): the boxes and
/// their messages of a database made before come through whole, with their ids, and the
/// messages still go with their box.
#[tokio::test]
async fn voicemail_boxes_and_messages_survive_the_unit_boxes_migration() {
    let before = MIGRATIONS
        .iter()
        .position(|m| m.name == "0019_voicemail_units")
        .expect("0019 is listed");
    for db in testkit::databases().await {
        let backend = db.url.backend();
        let label = db.label;
        let pool = raw_pool(&db).await;
        old_runner(&pool, backend, before).await;
        sqlx::raw_sql(
            "INSERT INTO units (parent_id, name, path) VALUES (NULL, 'Bauamt', 'Bauamt');
             INSERT INTO staff (login, display_name, unit_id, extension, roles, features, created_at, updated_at)
             VALUES ('c.clerk', 'Carl Clerk', (SELECT id FROM units WHERE path = 'Bauamt'), '2501', 1, 0, 1, 1);
             INSERT INTO voicemail_boxes (staff_id, enabled, language, greeting_alaw, created_at)
             VALUES ((SELECT id FROM staff WHERE login = 'c.clerk'), 0, 'en', $$alaw$$, 1);
             INSERT INTO voicemail_messages (box_id, caller_number, received_at, duration_ms, file)
             VALUES ((SELECT id FROM voicemail_boxes), '2502', 7, 3000, 'voicemail/1/a.opus');"
                .replace("$$alaw$$", if backend == Backend::Sqlite { "X'00'" } else { "'\\x00'::bytea" })
                .as_str(),
        )
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("{label}: {e}"));
        let store = Store::open(&db.url)
            .await
            .unwrap_or_else(|e| panic!("{label}: {e}"));
        let carl = store.panel_person("c.clerk").await.unwrap().unwrap().id;
        let mailbox = store.person_mailbox(carl, 2).await.unwrap();
        assert_eq!(
            (
                mailbox.enabled,
                mailbox.language.as_str(),
                mailbox.has_greeting,
                mailbox.unit_id
            ),
            (false, "en", true, None),
            "{label}"
        );
        let messages = store.voicemails(mailbox.id).await.unwrap();
        assert_eq!(messages.len(), 1, "{label}");
        assert_eq!(
            (
                messages[0].caller_number.as_deref(),
                messages[0].file.as_str()
            ),
            (Some("2502"), "voicemail/1/a.opus"),
            "{label}"
        );
        // The messages still belong to their box: removing the person removes both.
        sqlx::query("DELETE FROM staff WHERE id = $1")
            .bind(carl)
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(
            store.voicemail(messages[0].id).await.unwrap(),
            None,
            "{label}"
        );
        store.close().await;
        pool.close().await;
    }
}
