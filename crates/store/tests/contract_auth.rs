//! The store's sign-in contract (sessions, factors, failure counters, audit log), on
//! SQLite always and on PostgreSQL when the test run has one.

use directory::{parse_staff_csv, plan_import, Login};
use store::{AuditEntry, AuditFilter, FailureRow, FailureScope, NewSession, Store};

async fn stores_with_people() -> Vec<(Store, i64, i64, testkit::TestDb)> {
    let csv =
        "login,name,unit,extension\na.adler,Anna Adler,IKT,2301\nb.boehm,Bärbel Böhm,IKT,2302\n";
    let mut out = Vec::new();
    for db in testkit::databases().await {
        let store = Store::open(&db.url).await.unwrap();
        let plan = plan_import(
            &store.snapshot().await.unwrap(),
            parse_staff_csv(csv.as_bytes()),
        );
        store.apply_import(&plan, &mut |_, _| {}).await.unwrap();
        let id = |l: &str| {
            let store = store.clone();
            let login = Login::parse(l).unwrap();
            async move { store.account_by_login(&login).await.unwrap().unwrap().id }
        };
        let (a, b) = (id("a.adler").await, id("b.boehm").await);
        out.push((store, a, b, db));
    }
    out
}

fn session(staff_id: i64, token: &str, now: i64) -> NewSession<'_> {
    NewSession {
        staff_id,
        token_hash: token,
        csrf_token: "csrf",
        now,
        expires_at: now + 3600,
        source: "127.0.0.1",
        user_agent: "test",
        how: "password",
    }
}

#[tokio::test]
async fn sessions_expire_by_idle_time_and_lifetime_and_can_be_ended() {
    for (store, a, b, db) in stores_with_people().await {
        let label = db.label;
        let id1 = store.create_session(&session(a, "t1", 1000)).await.unwrap();
        let id2 = store.create_session(&session(a, "t2", 1010)).await.unwrap();
        store.create_session(&session(b, "t3", 1000)).await.unwrap();
        let s = store
            .session_by_token("t1", 1100, 600)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (s.id, s.staff_id, s.csrf_token.as_str()),
            (id1, a, "csrf"),
            "{label}"
        );
        assert!(store
            .session_by_token("nope", 1100, 600)
            .await
            .unwrap()
            .is_none());
        // Touched at 1100, so still alive at 1650 with a 600 s idle timeout; gone at 1800.
        assert!(
            store
                .session_by_token("t1", 1650, 600)
                .await
                .unwrap()
                .is_some(),
            "{label}"
        );
        assert!(
            store
                .session_by_token("t1", 2300, 600)
                .await
                .unwrap()
                .is_none(),
            "{label}: idle"
        );
        assert!(
            store
                .session_by_token("t2", 4700, 100_000)
                .await
                .unwrap()
                .is_none(),
            "{label}: lifetime"
        );

        let mine = store.sessions_of(a, 1200).await.unwrap();
        assert_eq!(
            mine.iter().map(|s| s.id).collect::<Vec<_>>(),
            [id2, id1],
            "{label}"
        );
        assert!(
            !store.end_session(b, id1).await.unwrap(),
            "{label}: not someone else's"
        );
        assert!(store.end_session(a, id1).await.unwrap());
        assert_eq!(store.end_sessions_of(a, Some(id2)).await.unwrap(), 0);
        assert_eq!(store.end_sessions_of(b, None).await.unwrap(), 1, "{label}");
        assert_eq!(store.sessions_of(a, 1200).await.unwrap().len(), 1);

        // The WebSocket check: which of these sessions still live, after marking the ones
        // used over a socket.
        let id4 = store.create_session(&session(b, "t4", 1000)).await.unwrap();
        let id5 = store.create_session(&session(b, "t5", 1000)).await.unwrap();
        let live = store
            .live_sessions(&[id1, id2, id4, id5], &[id5], 1500, 400)
            .await
            .unwrap();
        assert_eq!(
            live,
            [id5],
            "{label}: id1 ended, id2 and id4 idle, id5 used"
        );
        let live = store.live_sessions(&[id5], &[], 1800, 400).await.unwrap();
        assert_eq!(live, [id5], "{label}: marked used at 1500");
        let live = store
            .live_sessions(&[id5], &[id5], 4601, 10_000)
            .await
            .unwrap();
        assert!(live.is_empty(), "{label}: past its lifetime even when used");

        // A new password ends the person's sessions except the one kept.
        let k1 = store.create_session(&session(a, "k1", 5000)).await.unwrap();
        store.create_session(&session(a, "k2", 5000)).await.unwrap();
        let ended = store
            .set_password_hash(&Login::parse("a.adler").unwrap(), "$argon2id$x", Some(k1))
            .await
            .unwrap();
        assert_eq!(ended, Some(2), "{label}: k2 and t2");
        assert_eq!(
            store
                .sessions_of(a, 5000)
                .await
                .unwrap()
                .iter()
                .map(|s| s.id)
                .collect::<Vec<_>>(),
            [k1],
            "{label}"
        );
    }
}

#[tokio::test]
async fn failure_counters_swap_only_from_what_was_read() {
    for (store, _, _, db) in stores_with_people().await {
        let label = db.label;
        let key = "a.adler";
        let empty = FailureRow::default();
        let one = FailureRow {
            failures: 1,
            last_failure: 100,
            locked_until: None,
        };
        let two = FailureRow {
            failures: 2,
            last_failure: 101,
            locked_until: Some(1000),
        };
        let scope = FailureScope::Account;
        assert!(store
            .swap_failure_row(scope, key, empty, one)
            .await
            .unwrap());
        assert!(
            !store
                .swap_failure_row(scope, key, empty, one)
                .await
                .unwrap(),
            "{label}: no longer empty"
        );
        assert!(store.swap_failure_row(scope, key, one, two).await.unwrap());
        assert!(!store.swap_failure_row(scope, key, one, two).await.unwrap());
        assert_eq!(store.failure_row(scope, key).await.unwrap(), two, "{label}");
        assert!(
            store.swap_failure_row(scope, key, two, one).await.unwrap(),
            "{label}: a stored lock compares too"
        );

        // 100 tasks at once, each reading and swapping until its own count went in:
        // no update is lost.
        let mut tasks = Vec::new();
        for _ in 0..100 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                loop {
                    let seen = store
                        .failure_row(FailureScope::Source, "10.0.0.9")
                        .await
                        .unwrap();
                    let next = FailureRow {
                        failures: seen.failures + 1,
                        ..seen
                    };
                    if store
                        .swap_failure_row(FailureScope::Source, "10.0.0.9", seen, next)
                        .await
                        .unwrap()
                    {
                        break;
                    }
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(
            store
                .failure_row(FailureScope::Source, "10.0.0.9")
                .await
                .unwrap()
                .failures,
            100,
            "{label}"
        );
    }
}

#[tokio::test]
async fn pending_logins_carry_sms_codes_and_expire() {
    for (store, a, _, db) in stores_with_people().await {
        let label = db.label;
        store
            .create_pending_login("p1", a, true, 1000, 1300, "10.0.0.1")
            .await
            .unwrap();
        let p = store.pending_login("p1", 1001).await.unwrap().unwrap();
        assert!(p.enrolment && p.sms_code_hash.is_none(), "{label}");
        assert!(store.set_pending_sms("p1", "h", 1300, 1270).await.unwrap());
        let p = store.pending_login("p1", 1001).await.unwrap().unwrap();
        assert_eq!(
            (p.sms_code_hash.as_deref(), p.sms_expires_at),
            (Some("h"), Some(1300)),
            "{label}"
        );
        assert!(
            !store.set_pending_sms("p1", "h2", 1310, 1280).await.unwrap(),
            "{label}: the code of 1300 is too new to be replaced"
        );
        assert!(store.set_pending_sms("p1", "h3", 1320, 1300).await.unwrap());
        // A pending sign-in takes a fixed number of code attempts, then no more.
        for _ in 0..3 {
            assert!(store.count_pending_attempt("p1", 1001, 3).await.unwrap());
        }
        assert!(
            !store.count_pending_attempt("p1", 1001, 3).await.unwrap(),
            "{label}"
        );
        assert!(!store.count_pending_attempt("gone", 1001, 3).await.unwrap());
        assert!(
            store.pending_login("p1", 1300).await.unwrap().is_none(),
            "{label}: expired"
        );
        assert_eq!(store.purge_expired_sessions(1300).await.unwrap(), 1);
    }
}

#[tokio::test]
async fn totp_steps_are_used_once_and_codes_are_single_use() {
    for (mut store, a, _, db) in stores_with_people().await {
        let label = db.label;
        // TOTP secrets are sealed with the data folder's key (contract_totp_sealing.rs).
        store
            .unlock_secrets(store::SecretsKey::from_bytes([9; 32]))
            .await
            .unwrap();
        assert!(store.begin_totp(a, "SECRET1", 1000).await.unwrap());
        assert!(
            store.begin_totp(a, "SECRET2", 1001).await.unwrap(),
            "{label}: unconfirmed may be replaced"
        );
        assert!(!store.factor_summary(a).await.unwrap().totp);
        assert!(store.use_totp_step(a, 50).await.unwrap());
        assert!(
            !store.use_totp_step(a, 50).await.unwrap(),
            "{label}: replay"
        );
        assert!(
            !store.use_totp_step(a, 49).await.unwrap(),
            "{label}: older step"
        );
        assert!(store.use_totp_step(a, 51).await.unwrap());
        let row = store.totp_factor(a).await.unwrap().unwrap();
        assert_eq!(
            (row.secret.as_str(), row.confirmed, row.last_step),
            ("SECRET2", true, Some(51)),
            "{label}"
        );
        assert!(
            !store.begin_totp(a, "SECRET3", 1002).await.unwrap(),
            "{label}: confirmed is kept"
        );

        store
            .set_recovery_codes(a, &["r1".into(), "r2".into()])
            .await
            .unwrap();
        assert!(store.use_recovery_code(a, "r1", 1000).await.unwrap());
        assert!(
            !store.use_recovery_code(a, "r1", 1001).await.unwrap(),
            "{label}: single use"
        );
        assert_eq!(
            store.factor_summary(a).await.unwrap().recovery_codes_left,
            1
        );

        store.set_letter_code(a, "l1", 2000, "admin").await.unwrap();
        assert!(
            !store.use_letter_code(a, "l1", 2000).await.unwrap(),
            "{label}: expired"
        );
        store.set_letter_code(a, "l2", 3000, "admin").await.unwrap();
        assert!(
            !store.use_letter_code(a, "l1", 2000).await.unwrap(),
            "{label}: replaced"
        );
        assert!(store.use_letter_code(a, "l2", 2000).await.unwrap());
        assert!(
            !store.use_letter_code(a, "l2", 2000).await.unwrap(),
            "{label}: single use"
        );

        store.create_session(&session(a, "t", 1000)).await.unwrap();
        store.reset_factors(a).await.unwrap();
        assert_eq!(
            store.factor_summary(a).await.unwrap(),
            Default::default(),
            "{label}"
        );
        assert!(store.totp_factor(a).await.unwrap().is_none());
        assert!(
            store.sessions_of(a, 1000).await.unwrap().is_empty(),
            "{label}: reset ends sessions"
        );
    }
}

#[tokio::test]
async fn failure_counters_and_locked_accounts() {
    for (store, _, _, db) in stores_with_people().await {
        let label = db.label;
        assert_eq!(
            store
                .failure_row(FailureScope::Account, "a.adler")
                .await
                .unwrap(),
            FailureRow::default()
        );
        let locked = FailureRow {
            failures: 10,
            last_failure: 1000,
            locked_until: Some(1900),
        };
        store
            .save_failure_row(FailureScope::Account, "a.adler", locked)
            .await
            .unwrap();
        store
            .save_failure_row(FailureScope::Account, "ghost", locked)
            .await
            .unwrap();
        store
            .save_failure_row(FailureScope::Source, "10.0.0.9", locked)
            .await
            .unwrap();
        assert_eq!(
            store
                .failure_row(FailureScope::Account, "a.adler")
                .await
                .unwrap(),
            locked,
            "{label}"
        );
        let list = store.locked_accounts(1000).await.unwrap();
        assert_eq!(
            list.iter().map(|l| l.login.as_str()).collect::<Vec<_>>(),
            ["a.adler"],
            "{label}: existing logins only"
        );
        assert!(
            store.locked_accounts(1900).await.unwrap().is_empty(),
            "{label}: lock over"
        );
        assert!(store
            .clear_failures(FailureScope::Account, "a.adler")
            .await
            .unwrap());
        assert!(!store
            .clear_failures(FailureScope::Account, "a.adler")
            .await
            .unwrap());
    }
}

#[tokio::test]
async fn the_audit_log_filters_and_refuses_changes() {
    for (store, _, _, db) in stores_with_people().await {
        let label = db.label;
        let entry = |at, actor: &str, action: &str, target: Option<&str>| AuditEntry {
            at,
            actor: Some(actor.into()),
            action: action.into(),
            target: target.map(Into::into),
            source: Some("127.0.0.1".into()),
            detail: String::new(),
        };
        store
            .audit(&entry(100, "a.adler", "login.ok", None))
            .await
            .unwrap();
        store
            .audit(&entry(200, "admin", "admin.feature.on", Some("a.adler")))
            .await
            .unwrap();
        store
            .audit(&entry(300, "b.boehm", "login.failed", None))
            .await
            .unwrap();
        let all = store.audit_entries(&AuditFilter::default()).await.unwrap();
        assert_eq!(
            all.iter().map(|e| e.at).collect::<Vec<_>>(),
            [300, 200, 100],
            "{label}"
        );
        let about_a = AuditFilter {
            person: Some("a.adler".into()),
            ..Default::default()
        };
        assert_eq!(
            store.audit_entries(&about_a).await.unwrap().len(),
            2,
            "{label}: actor or target"
        );
        let logins = AuditFilter {
            action_prefix: Some("login.".into()),
            since: Some(150),
            ..Default::default()
        };
        assert_eq!(
            store.audit_entries(&logins).await.unwrap()[0].action,
            "login.failed",
            "{label}"
        );
        let limited = AuditFilter {
            limit: 1,
            ..Default::default()
        };
        assert_eq!(store.audit_entries(&limited).await.unwrap().len(), 1);
        assert!(
            store.tamper_with_audit_log_for_test().await.is_err(),
            "{label}: append-only"
        );
        assert_eq!(
            store
                .audit_entries(&AuditFilter::default())
                .await
                .unwrap()
                .len(),
            3
        );
    }
}
