//! The store's contract for the access gateway's applications (docs/gateway.md), on SQLite
//! always and on PostgreSQL when the test run has one (TEST_POSTGRES_URL): every field
//! comes back exactly as stored (lists, `None` and `Some` alike); a name taken is a
//! conflict that changes nothing; a replace keeps the name, id and creation time; remove
//! once; and a session keeps how it was signed in.

mod staffed;

use store::{GatewayAppRow, NewGatewayApp, NewSession, Store, StoreError};

const PEOPLE: &str = "login,name,unit,extension,email\n\
    a.amt,Anna Amt,Bauamt,2001,\n";

/// A proxy with every optional field set.
fn efile() -> NewGatewayApp {
    NewGatewayApp {
        name: "e-akte".to_owned(),
        title: "E-Akte".to_owned(),
        description: "Die elektronische Akte, „mit Umlauten“".to_owned(),
        kind: "proxy".to_owned(),
        upstream: Some("https://eakte.intern:8443/base".to_owned()),
        ca_pem: Some("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".to_owned()),
        link: None,
        units: vec!["Abteilung 2/Sachgebiet 23".to_owned(), "Bauamt".to_owned()],
        roles: vec!["admin".to_owned(), "supervisor".to_owned()],
        features: vec!["softphone".to_owned(), "mobile_work".to_owned()],
        second_factor: true,
        office_only: true,
        hours_days: Some(vec![1, 2, 3, 4, 5]),
        hours_from: Some(7 * 60),
        hours_to: Some(19 * 60),
        max_users: Some(40),
        timeout_secs: 600,
        health_path: "/health?deep=1".to_owned(),
        host: Some("akte.durchwahl.lra.example".to_owned()),
    }
}

/// A link with every optional field empty.
fn storefront() -> NewGatewayApp {
    NewGatewayApp {
        name: "citrix".to_owned(),
        title: "Citrix".to_owned(),
        description: String::new(),
        kind: "link".to_owned(),
        upstream: None,
        ca_pem: None,
        link: Some("ica://storefront.intern/Desktop".to_owned()),
        units: Vec::new(),
        roles: Vec::new(),
        features: Vec::new(),
        second_factor: false,
        office_only: false,
        hours_days: None,
        hours_from: None,
        hours_to: None,
        max_users: None,
        timeout_secs: 30,
        health_path: "/".to_owned(),
        host: None,
    }
}

/// `app` as the store should give it back.
fn stored(app: &NewGatewayApp, id: i64, created_ms: i64, updated_ms: i64) -> GatewayAppRow {
    GatewayAppRow {
        id,
        app: app.clone(),
        created_ms,
        updated_ms,
    }
}

async fn stores() -> Vec<(Store, testkit::TestDb)> {
    staffed::stores_with(PEOPLE).await
}

#[tokio::test]
async fn every_field_round_trips_through_create_read_and_list() {
    for (store, db) in stores().await {
        let l = db.label;
        assert_eq!(store.gateway_apps().await.unwrap(), vec![], "{l}");
        let efile_row = store.create_gateway_app(&efile(), 1_000).await.unwrap();
        assert_eq!(
            efile_row,
            stored(&efile(), efile_row.id, 1_000, 1_000),
            "{l}"
        );
        let citrix_row = store
            .create_gateway_app(&storefront(), 2_000)
            .await
            .unwrap();
        assert_eq!(
            citrix_row,
            stored(&storefront(), citrix_row.id, 2_000, 2_000),
            "{l}"
        );
        assert_ne!(efile_row.id, citrix_row.id, "{l}");

        assert_eq!(
            store.gateway_app("e-akte").await.unwrap(),
            Some(efile_row.clone()),
            "{l}"
        );
        assert_eq!(
            store.gateway_app("citrix").await.unwrap(),
            Some(citrix_row.clone()),
            "{l}"
        );
        assert_eq!(store.gateway_app("e-akt").await.unwrap(), None, "{l}");
        // By name.
        assert_eq!(
            store.gateway_apps().await.unwrap(),
            vec![citrix_row, efile_row],
            "{l}"
        );

        // Empty days are not "any time".
        let mut weekends = storefront();
        weekends.name = "leer".to_owned();
        weekends.hours_days = Some(Vec::new());
        weekends.hours_from = Some(0);
        weekends.hours_to = Some(1439);
        let row = store.create_gateway_app(&weekends, 3_000).await.unwrap();
        assert_eq!(store.gateway_app("leer").await.unwrap(), Some(row), "{l}");
        assert_eq!(
            store
                .gateway_app("leer")
                .await
                .unwrap()
                .unwrap()
                .app
                .hours_days,
            Some(vec![]),
            "{l}"
        );
    }
}

#[tokio::test]
async fn a_name_taken_is_a_conflict_and_changes_nothing() {
    for (store, db) in stores().await {
        let l = db.label;
        let first = store.create_gateway_app(&efile(), 1_000).await.unwrap();
        let mut other = storefront();
        other.name = "e-akte".to_owned();
        match store.create_gateway_app(&other, 2_000).await {
            Err(StoreError::Conflict(message)) => {
                assert!(message.contains("e-akte"), "{l}: {message}")
            }
            other => panic!("{l}: {other:?}"),
        }
        assert_eq!(
            store.gateway_apps().await.unwrap(),
            vec![first.clone()],
            "{l}"
        );
        // A host name of another application is taken too, on create and on replace.
        let mut same_host = storefront();
        same_host.name = "zweite".to_owned();
        same_host.host = efile().host;
        assert!(
            matches!(
                store.create_gateway_app(&same_host, 3_000).await,
                Err(StoreError::Conflict(_))
            ),
            "{l}"
        );
        let second = store
            .create_gateway_app(&storefront(), 3_000)
            .await
            .unwrap();
        assert!(
            matches!(
                store.replace_gateway_app("citrix", &same_host, 4_000).await,
                Err(StoreError::Conflict(_))
            ),
            "{l}"
        );
        assert_eq!(
            store.gateway_apps().await.unwrap(),
            vec![second, first],
            "{l}"
        );
    }
}

#[tokio::test]
async fn replace_keeps_name_id_and_creation_and_misses_nothing() {
    for (store, db) in stores().await {
        let l = db.label;
        let created = store.create_gateway_app(&efile(), 1_000).await.unwrap();
        // Every field changes, the full ones to empty; the name handed in is ignored.
        let mut rule = storefront();
        rule.name = "anders".to_owned();
        let replaced = store
            .replace_gateway_app("e-akte", &rule, 5_000)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{l}: e-akte exists"));
        let mut expected = stored(&rule, created.id, 1_000, 5_000);
        expected.app.name = "e-akte".to_owned();
        assert_eq!(replaced, expected, "{l}");
        assert_eq!(
            store.gateway_app("e-akte").await.unwrap(),
            Some(expected.clone()),
            "{l}"
        );
        assert_eq!(store.gateway_app("anders").await.unwrap(), None, "{l}");

        // And back to full.
        let again = store
            .replace_gateway_app("e-akte", &efile(), 6_000)
            .await
            .unwrap();
        assert_eq!(
            again,
            Some(stored(&efile(), created.id, 1_000, 6_000)),
            "{l}"
        );

        assert_eq!(
            store
                .replace_gateway_app("fehlt", &efile(), 7_000)
                .await
                .unwrap(),
            None,
            "{l}"
        );
        assert_eq!(store.gateway_apps().await.unwrap().len(), 1, "{l}");
    }
}

#[tokio::test]
async fn remove_twice_is_true_then_false() {
    for (store, db) in stores().await {
        let l = db.label;
        store.create_gateway_app(&efile(), 1_000).await.unwrap();
        let citrix = store
            .create_gateway_app(&storefront(), 1_000)
            .await
            .unwrap();
        assert!(store.remove_gateway_app("e-akte").await.unwrap(), "{l}");
        assert!(!store.remove_gateway_app("e-akte").await.unwrap(), "{l}");
        assert_eq!(store.gateway_app("e-akte").await.unwrap(), None, "{l}");
        assert_eq!(store.gateway_apps().await.unwrap(), vec![citrix], "{l}");
        // The name is free again.
        store.create_gateway_app(&efile(), 2_000).await.unwrap();
    }
}

#[tokio::test]
async fn a_list_item_that_would_not_come_back_whole_is_refused() {
    for (store, db) in stores().await {
        let l = db.label;
        let mut bad = efile();
        bad.roles = vec!["admin,user".to_owned()];
        assert!(
            matches!(
                store.create_gateway_app(&bad, 1_000).await,
                Err(StoreError::Invalid(_))
            ),
            "{l}"
        );
        assert_eq!(store.gateway_apps().await.unwrap(), vec![], "{l}");
    }
}

#[tokio::test]
async fn a_session_keeps_how_it_was_signed_in() {
    for (store, db) in stores().await {
        let l = db.label;
        let anna = store.panel_person("a.amt").await.unwrap().unwrap().id;
        for (token, how) in [("t-totp", "totp"), ("t-sms", "sms"), ("t-none", "")] {
            let id = store
                .create_session(&NewSession {
                    staff_id: anna,
                    token_hash: token,
                    csrf_token: "csrf",
                    now: 1_000,
                    expires_at: 10_000,
                    source: "127.0.0.1",
                    user_agent: "test",
                    how,
                })
                .await
                .unwrap();
            let session = store
                .session_by_token(token, 1_001, 3_600)
                .await
                .unwrap()
                .unwrap_or_else(|| panic!("{l}: {token} is live"));
            assert_eq!((session.id, session.how.as_str()), (id, how), "{l}");
        }
        let mut hows: Vec<String> = store
            .sessions_of(anna, 1_001)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.how)
            .collect();
        hows.sort();
        assert_eq!(hows, ["", "sms", "totp"], "{l}");
    }
}
