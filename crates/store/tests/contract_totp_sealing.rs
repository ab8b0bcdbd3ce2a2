//! TOTP secrets sealed at rest (issue 20), on SQLite always and on PostgreSQL when the test
//! run has one: the column never holds the secret, a locked store neither reads nor
//! writes, plain secrets of older versions are sealed once at unlock, a wrong key is
//! refused without a change, and a sealed value moved to another person does not open.

use directory::{parse_staff_csv, plan_import, Login};
use sqlx::{AnyPool, Row};
use store::{Backend, SecretsKey, Store, StoreError};
use testkit::TestDb;

const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

async fn store_with_two(db: &TestDb) -> (Store, i64, i64) {
    let store = Store::open(&db.url).await.unwrap();
    let csv =
        "login,name,unit,extension\na.adler,Anna Adler,IKT,2301\nb.boehm,Bärbel Böhm,IKT,2302\n";
    let plan = plan_import(
        &store.snapshot().await.unwrap(),
        parse_staff_csv(csv.as_bytes()),
    );
    store.apply_import(&plan, &mut |_, _| {}).await.unwrap();
    let mut ids = Vec::new();
    for login in ["a.adler", "b.boehm"] {
        let login = Login::parse(login).unwrap();
        ids.push(store.account_by_login(&login).await.unwrap().unwrap().id);
    }
    (store, ids[0], ids[1])
}

async fn raw(db: &TestDb) -> AnyPool {
    sqlx::any::install_default_drivers();
    let url = match db.url.backend() {
        Backend::Sqlite => format!("{}?mode=rw", db.url.unredacted()),
        Backend::Postgres => db.url.unredacted().to_string(),
    };
    AnyPool::connect(&url).await.unwrap()
}

async fn column(pool: &AnyPool) -> Vec<(i64, String)> {
    sqlx::query("SELECT staff_id, secret FROM totp_factors ORDER BY staff_id")
        .fetch_all(pool)
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get::<i64, _>(0), r.get::<String, _>(1)))
        .collect()
}

#[tokio::test]
async fn secrets_are_sealed_and_only_the_key_opens_them() {
    for db in testkit::databases().await {
        let label = db.label;
        let (mut store, a, b) = store_with_two(&db).await;
        let pool = raw(&db).await;

        assert!(matches!(
            store.begin_totp(a, SECRET, 1000).await,
            Err(StoreError::SecretsLocked)
        ));
        assert!(matches!(
            store.totp_factor(a).await,
            Err(StoreError::SecretsLocked)
        ));
        assert!(column(&pool).await.is_empty(), "{label}: nothing written");

        let key = SecretsKey::from_bytes([1; 32]);
        let unlocked = store.unlock_secrets(key.clone()).await.unwrap();
        assert_eq!((unlocked.opened, unlocked.sealed_now), (0, 0), "{label}");
        assert!(!store.has_sealed_secrets().await.unwrap());
        assert!(store.begin_totp(a, SECRET, 1000).await.unwrap());
        let stored = column(&pool).await;
        assert_eq!(stored.len(), 1);
        assert!(
            stored[0].1.starts_with("v1:") && !stored[0].1.contains(SECRET),
            "{label}: {:?}",
            stored[0].1
        );
        assert!(store.has_sealed_secrets().await.unwrap());
        assert_eq!(store.totp_factor(a).await.unwrap().unwrap().secret, SECRET);

        // A sealed value copied to another person's row does not open for them.
        sqlx::query("INSERT INTO totp_factors (staff_id, secret, confirmed, last_step, created_at) VALUES ($1, $2, 0, NULL, 1)")
            .bind(b)
            .bind(&stored[0].1)
            .execute(&pool)
            .await
            .unwrap();
        assert!(
            matches!(
                store.totp_factor(b).await,
                Err(StoreError::SecretUnreadable { staff_id, .. }) if staff_id == b
            ),
            "{label}"
        );
        sqlx::query("DELETE FROM totp_factors WHERE staff_id = $1")
            .bind(b)
            .execute(&pool)
            .await
            .unwrap();

        // A plain secret as older versions wrote it: refused at run time, sealed at the
        // next unlock, once.
        sqlx::query("INSERT INTO totp_factors (staff_id, secret, confirmed, last_step, created_at) VALUES ($1, $2, 1, NULL, 1)")
            .bind(b)
            .bind(SECRET)
            .execute(&pool)
            .await
            .unwrap();
        assert!(matches!(
            store.totp_factor(b).await,
            Err(StoreError::SecretUnreadable { .. })
        ));
        let before = column(&pool).await;

        let mut wrong = Store::open(&db.url).await.unwrap();
        assert!(
            matches!(
                wrong.unlock_secrets(SecretsKey::from_bytes([2; 32])).await,
                Err(StoreError::SecretsKeyWrong { sealed: 1 })
            ),
            "{label}"
        );
        assert_eq!(
            column(&pool).await,
            before,
            "{label}: a wrong key changes nothing"
        );
        assert!(matches!(
            wrong.totp_factor(a).await,
            Err(StoreError::SecretsLocked)
        ));

        let mut next = Store::open(&db.url).await.unwrap();
        let unlocked = next.unlock_secrets(key.clone()).await.unwrap();
        assert_eq!(
            (
                unlocked.opened,
                unlocked.sealed_now,
                unlocked.unreadable.len()
            ),
            (1, 1, 0),
            "{label}"
        );
        let after = column(&pool).await;
        assert_eq!(
            after[0], before[0],
            "{label}: sealed values stay as they are"
        );
        assert!(after[1].1.starts_with("v1:") && !after[1].1.contains(SECRET));
        assert_eq!(next.totp_factor(b).await.unwrap().unwrap().secret, SECRET);
        let again = next.unlock_secrets(key).await.unwrap();
        assert_eq!(
            (again.opened, again.sealed_now),
            (2, 0),
            "{label}: idempotent"
        );
        assert_eq!(column(&pool).await, after);
        pool.close().await;
        for s in [store, wrong, next] {
            s.close().await;
        }
    }
}
