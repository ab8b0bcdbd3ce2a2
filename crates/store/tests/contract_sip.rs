//! The store's contract for SIP devices and their registrations, on SQLite always and on
//! PostgreSQL when the test run has one (TEST_POSTGRES_URL).

mod staffed;

use store::{NewDevice, Store, StoreError, StoredBinding};

const FILE: &str = "login,name,unit,extension,mobile,roles
c.clerk,Carl Clerk,Bauamt,2501,,user
d.dorn,Dora Dorn,Bauamt,2502,,user
";

async fn stores() -> Vec<(Store, testkit::TestDb)> {
    staffed::stores_with(FILE).await
}

fn device(login: &str, label: &str, user: &str) -> NewDevice {
    NewDevice {
        login: login.into(),
        label: label.into(),
        sip_username: user.into(),
        realm: "durchwahl.example".into(),
        ha1_md5: format!("{user}-md5"),
        ha1_sha256: format!("{user}-sha256"),
    }
}

fn binding(device_id: i64, contact: &str, expires_ms: i64) -> StoredBinding {
    StoredBinding {
        device_id,
        contact: contact.into(),
        instance: Some("<urn:uuid:00000000-0000-1000-8000-000A95A0E128>".into()),
        call_id: "c1@192.0.2.7".into(),
        cseq: 1,
        expires_ms,
        source: "udp 192.0.2.7:5060".into(),
    }
}

#[tokio::test]
async fn devices_are_made_all_or_none_and_read_back_with_their_person() {
    for (store, db) in stores().await {
        let l = db.label;
        let ids = store
            .add_devices(
                &[
                    device("c.clerk", "Softphone", "2501-1"),
                    device("c.clerk", "Tischtelefon", "2501-2"),
                ],
                100,
            )
            .await
            .unwrap();
        assert_eq!(ids.len(), 2, "{l}");
        // A batch with a taken label, a taken user name or an unknown login writes nothing.
        for bad in [
            device("c.clerk", "Softphone", "2501-9"),
            device("d.dorn", "Softphone", "2501-1"),
            device("x.none", "Softphone", "9999-1"),
        ] {
            let batch = [device("d.dorn", "Handy", "2502-1"), bad];
            let err = store.add_devices(&batch, 101).await.unwrap_err();
            assert!(
                matches!(err, StoreError::Conflict(_) | StoreError::UnknownLogins(_)),
                "{l}: {err}"
            );
            assert!(store.devices_of("d.dorn").await.unwrap().is_empty(), "{l}");
        }
        let carl = store.devices_of("c.clerk").await.unwrap();
        let labels: Vec<&str> = carl.iter().map(|d| d.label.as_str()).collect();
        assert_eq!(labels, ["Softphone", "Tischtelefon"], "{l}");
        let one = store.device("2501-2").await.unwrap().unwrap();
        assert_eq!(
            (
                one.login.as_str(),
                one.extension.as_str(),
                one.ha1_sha256.as_str()
            ),
            ("c.clerk", "2501", "2501-2-sha256"),
            "{l}"
        );
        assert_eq!(one.realm, "durchwahl.example");
        assert_eq!(store.all_devices().await.unwrap().len(), 2, "{l}");
        let mut taken = store.sip_usernames_like("2501-").await.unwrap();
        taken.sort();
        assert_eq!(taken, ["2501-1", "2501-2"], "{l}");
        assert!(
            store.sip_usernames_like("2501_").await.unwrap().is_empty(),
            "{l}"
        );
    }
}

#[tokio::test]
async fn registrations_survive_and_go_with_their_device() {
    for (store, db) in stores().await {
        let l = db.label;
        let ids = store
            .add_devices(&[device("c.clerk", "Softphone", "2501-1")], 1)
            .await
            .unwrap();
        let id = ids[0];
        let stale = binding(id, "sip:2501@192.0.2.7:5062", 1_000);
        let fresh = binding(id, "sip:2501@192.0.2.7:5060", 9_000);
        store
            .save_bindings(&[stale.clone(), fresh.clone()], &[])
            .await
            .unwrap();
        let refreshed = StoredBinding {
            cseq: 2,
            expires_ms: 10_000,
            ..fresh.clone()
        };
        store
            .save_bindings(std::slice::from_ref(&refreshed), &[])
            .await
            .unwrap();
        assert_eq!(
            store.load_bindings(5_000).await.unwrap(),
            vec![refreshed.clone()],
            "{l}: expired ones are gone, a refresh replaces"
        );
        store
            .save_bindings(&[], &[(id, refreshed.contact.clone())])
            .await
            .unwrap();
        assert!(store.load_bindings(5_000).await.unwrap().is_empty(), "{l}");

        store.save_bindings(&[refreshed], &[]).await.unwrap();
        assert!(store.remove_device("2501-1").await.unwrap(), "{l}");
        assert!(!store.remove_device("2501-1").await.unwrap(), "{l}");
        assert!(store.load_bindings(0).await.unwrap().is_empty(), "{l}");
        assert!(store.device("2501-1").await.unwrap().is_none(), "{l}");
    }
}

/// Devices and registrations are read in pages of 2,000: 4,500 of each come back whole,
/// in order, across the page ends.
#[tokio::test]
async fn many_devices_and_registrations_are_read_whole_across_pages() {
    for (store, db) in stores().await {
        let l = db.label;
        let wanted: Vec<NewDevice> = (0..4_500)
            .map(|i| {
                let who = if i % 2 == 0 { "c.clerk" } else { "d.dorn" };
                device(who, &format!("Telefon {i}"), &format!("dev-{i:05}"))
            })
            .collect();
        let ids = store.add_devices(&wanted, 1).await.unwrap();
        let all = store.all_devices().await.unwrap();
        assert_eq!(all.len(), 4_500, "{l}");
        assert!(
            all.windows(2)
                .all(|w| w[0].sip_username < w[1].sip_username),
            "{l}: sorted, no repeats"
        );
        let bindings: Vec<StoredBinding> = ids
            .iter()
            .map(|id| binding(*id, &format!("sip:{id}@192.0.2.7:5060"), 9_000))
            .collect();
        store.save_bindings(&bindings, &[]).await.unwrap();
        let loaded = store.load_bindings(5_000).await.unwrap();
        assert_eq!(loaded.len(), 4_500, "{l}");
        let mut expected = bindings.clone();
        expected.sort_by(|a, b| (a.device_id, &a.contact).cmp(&(b.device_id, &b.contact)));
        assert_eq!(loaded, expected, "{l}");
    }
}
