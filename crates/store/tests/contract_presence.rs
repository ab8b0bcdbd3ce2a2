//! The store's contract for presence and the team panel, on SQLite always and on
//! PostgreSQL when the test run has one (TEST_POSTGRES_URL).

mod realtime_common;

use realtime_common::*;

#[tokio::test]
async fn people_by_id_one_by_login_and_a_unit_by_name() {
    for (store, db) in stores().await {
        let l = db.label;
        let all = store.all_people().await.unwrap();
        assert_eq!(all.len(), 6, "{l}");
        assert!(all.windows(2).all(|w| w[0].id < w[1].id), "{l}: by id");

        let carla = store.panel_person("m.mayer").await.unwrap().unwrap();
        assert_eq!(
            (carla.name.as_str(), carla.extension.as_str()),
            ("Carla Mayer", "2511"),
            "{l}"
        );
        assert_eq!(carla.unit, "Bauamt/Hochbau", "{l}");
        assert!(all.contains(&carla), "{l}: the same person both ways");
        assert!(store.panel_person("x.none").await.unwrap().is_none(), "{l}");

        let own = store.unit_people("Bauamt", false).await.unwrap();
        assert_eq!(logins(&own), ["z.zander", "a.adler"], "{l}: by name");
        let below = store.unit_people("Bauamt", true).await.unwrap();
        assert_eq!(
            logins(&below),
            ["z.zander", "t.tief", "a.adler", "m.mayer"],
            "{l}: sub-units by name, not Bauamtsleitung"
        );
        let leaf = store.unit_people("Bauamt/Hochbau", true).await.unwrap();
        assert_eq!(logins(&leaf), ["m.mayer"], "{l}");
        assert!(
            store.unit_people("Bau", true).await.unwrap().is_empty(),
            "{l}: a prefix of a name is no unit"
        );
    }
}

#[tokio::test]
async fn people_are_found_by_name_login_or_extension() {
    for (store, db) in stores().await {
        let l = db.label;
        let found = |people: Vec<PanelPerson>| -> Vec<String> {
            people.into_iter().map(|p| p.login).collect()
        };
        let by_name = store.find_people("ZANDER", 50).await.unwrap();
        assert_eq!(found(by_name), ["z.zander"], "{l}: name, case folded");
        let by_login = store.find_people("t.ti", 50).await.unwrap();
        assert_eq!(found(by_login), ["t.tief"], "{l}: login");
        let by_extension = store.find_people("25", 50).await.unwrap();
        assert_eq!(
            found(by_extension),
            ["z.zander", "t.tief", "a.adler", "m.mayer", "l.lang"],
            "{l}: extension, by name"
        );
        let limited = store.find_people(" 25 ", 2).await.unwrap();
        assert_eq!(found(limited), ["z.zander", "t.tief"], "{l}: limit");
        for wildcard in ["_", "%", "%_%", "\\"] {
            let none = store.find_people(wildcard, 50).await.unwrap();
            assert!(none.is_empty(), "{l}: {wildcard:?} is plain text");
        }
    }
}

#[tokio::test]
async fn people_with_a_capital_umlaut_are_found_by_their_lower_case_name() {
    for (store, db) in stores().await {
        let l = db.label;
        import(
            &store,
            "login,name,unit,extension\no.oezdemir,Ömer Özdemir,Gesundheitsamt,2402\n",
        )
        .await;
        for query in ["özdemir", "ÖMER", "Ömer Ö"] {
            let found = store.find_people(query, 50).await.unwrap();
            assert_eq!(logins(&found), ["o.oezdemir"], "{l}: {query}");
        }
    }
}

#[tokio::test]
async fn favourites_are_added_once_all_or_nothing_and_removed() {
    for (store, db) in stores().await {
        let l = db.label;
        let [z, h, m] = staff_ids(&store, ["z.zander", "h.huber", "m.mayer"]).await;
        let anna = login("z.zander");
        let add = [login("m.mayer"), login("h.huber"), login("h.huber")];
        store.add_favourites(&anna, &add).await.unwrap();
        store.add_favourites(&anna, &add[..1]).await.unwrap();
        store
            .add_favourites(&anna, &[login("z.zander")])
            .await
            .unwrap();
        let favs = store.favourites(z).await.unwrap();
        assert_eq!(
            logins(&favs),
            ["m.mayer", "h.huber"],
            "{l}: once each, by name, never oneself"
        );

        let err = store
            .add_favourites(&anna, &[login("l.lang"), login("x.none")])
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::UnknownLogins(missing) if missing == &["x.none"]),
            "{l}: {err}"
        );
        let err = store
            .add_favourites(&login("x.owner"), &[login("l.lang")])
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::UnknownLogins(missing) if missing == &["x.owner"]),
            "{l}: {err}"
        );
        assert_eq!(
            store.favourites(z).await.unwrap(),
            favs,
            "{l}: l.lang was not added by either refused call"
        );

        assert!(store.remove_favourite(z, h).await.unwrap(), "{l}");
        assert!(!store.remove_favourite(z, h).await.unwrap(), "{l}: gone");
        assert_eq!(
            logins(&store.favourites(z).await.unwrap()),
            ["m.mayer"],
            "{l}"
        );
        assert!(
            store.favourites(m).await.unwrap().is_empty(),
            "{l}: per owner"
        );
    }
}

#[tokio::test]
async fn panel_groups_and_follows_cover_unit_favourites_groups_and_watches() {
    for (store, db) in stores().await {
        let l = db.label;
        let [z, a, m, t, lena, h] = staff_ids(
            &store,
            [
                "z.zander", "a.adler", "m.mayer", "t.tief", "l.lang", "h.huber",
            ],
        )
        .await;
        let group = |n: &str| GroupName::parse(n).unwrap();
        let team = [login("z.zander"), login("m.mayer"), login("a.adler")];
        let g = store
            .create_group(GroupKind::TeamPanel, &group("Krisenstab"), None, &team)
            .await
            .unwrap();
        let calls = [login("z.zander"), login("l.lang")];
        store
            .create_group(GroupKind::CallGroup, &group("Zentrale"), None, &calls)
            .await
            .unwrap();

        let groups = store.panel_groups(z).await.unwrap();
        assert_eq!(groups.len(), 1, "{l}: team panels only, not call groups");
        assert_eq!(
            (groups[0].id, groups[0].name.as_str()),
            (g, "Krisenstab"),
            "{l}"
        );
        assert_eq!(
            logins(&groups[0].members),
            ["z.zander", "a.adler", "m.mayer"],
            "{l}: all members by name"
        );
        assert!(store.panel_groups(h).await.unwrap().is_empty(), "{l}");

        // a.adler is unit mate and favourite: still once.
        store
            .add_favourites(&login("z.zander"), &[login("a.adler"), login("h.huber")])
            .await
            .unwrap();
        let watch = StoredWatch {
            watcher_id: z,
            target_id: t,
            expires_ms: 9_000,
        };
        store.save_watch(&watch).await.unwrap();
        let mut follows = store.follow_ids(z).await.unwrap();
        follows.sort();
        let mut expected = vec![a, m, t, h];
        expected.sort();
        assert_eq!(follows, expected, "{l}: each once, not oneself, not l.lang");

        let of_lena = store.follow_ids(lena).await.unwrap();
        assert!(
            of_lena.is_empty(),
            "{l}: alone, call groups don't count: {of_lena:?}"
        );
    }
}

#[tokio::test]
async fn hand_set_presence_is_saved_overwritten_and_loaded() {
    for (store, db) in stores().await {
        let l = db.label;
        let [z, h] = staff_ids(&store, ["z.zander", "h.huber"]).await;
        assert!(store.load_presence().await.unwrap().is_empty(), "{l}");
        let mut anna = StoredPresence {
            staff_id: z,
            state: "busy".into(),
            location: Some("home_office".into()),
            note: Some("Bescheide „schreiben“ – bis 12 Uhr".into()),
            until_ms: Some(1_790_000_000_000),
        };
        let hanna = StoredPresence {
            staff_id: h,
            state: "away".into(),
            location: None,
            note: None,
            until_ms: None,
        };
        store.save_presence(&anna, 1).await.unwrap();
        store.save_presence(&hanna, 1).await.unwrap();
        anna.state = "do_not_disturb".into();
        anna.location = None;
        anna.until_ms = None;
        store.save_presence(&anna, 2).await.unwrap();

        let mut loaded = store.load_presence().await.unwrap();
        loaded.sort_by_key(|p| p.staff_id);
        let mut expected = vec![anna, hanna];
        expected.sort_by_key(|p| p.staff_id);
        assert_eq!(loaded, expected, "{l}: the update replaced every field");
    }
}

#[tokio::test]
async fn watches_are_saved_renewed_listed_and_deleted() {
    for (store, db) in stores().await {
        let l = db.label;
        let [z, a, t] = staff_ids(&store, ["z.zander", "a.adler", "t.tief"]).await;
        let watch = |watcher_id, target_id, expires_ms| StoredWatch {
            watcher_id,
            target_id,
            expires_ms,
        };
        store.save_watch(&watch(z, a, 5_000)).await.unwrap();
        store.save_watch(&watch(z, t, 7_000)).await.unwrap();
        store.save_watch(&watch(z, a, 6_000)).await.unwrap();
        store.save_watch(&watch(t, z, 8_000)).await.unwrap();

        let mut all = store.load_watches().await.unwrap();
        all.sort_by_key(|w| (w.watcher_id, w.target_id));
        let mut expected = vec![watch(z, a, 6_000), watch(z, t, 7_000), watch(t, z, 8_000)];
        expected.sort_by_key(|w| (w.watcher_id, w.target_id));
        assert_eq!(all, expected, "{l}: one watch per pair, renewed");

        let of: Vec<(String, i64)> = store
            .watches_of(z)
            .await
            .unwrap()
            .into_iter()
            .map(|(p, until)| (p.login, until))
            .collect();
        assert_eq!(
            of,
            [("t.tief".into(), 7_000), ("a.adler".into(), 6_000)],
            "{l}: by the watched person's name"
        );

        store.delete_watch(z, a).await.unwrap();
        store.delete_watch(z, a).await.unwrap();
        let left = store.load_watches().await.unwrap();
        assert_eq!(left.len(), 2, "{l}");
        assert!(!left.contains(&watch(z, a, 6_000)), "{l}");
    }
}

// ---- chat: rooms and members ----

#[tokio::test]
async fn everyone_and_every_membership_come_back_across_pages() {
    // More people than a page of all_people (2,000) and unit-room members than a page
    // of all_memberships (5,000): nobody is lost or repeated at the page boundaries.
    let mut csv = String::from("login,name,unit,extension\n");
    for i in 0..5_100 {
        let unit = if i % 2 == 0 {
            "Bauamt"
        } else {
            "Gesundheitsamt"
        };
        csv.push_str(&format!("p.p{i},Person {i},{unit},{}\n", 30_000 + i));
    }
    for (store, db) in stores().await {
        let l = db.label;
        import(&store, &csv).await;
        let all = store.all_people().await.unwrap();
        assert_eq!(all.len(), 5_106, "{l}");
        assert!(
            all.windows(2).all(|w| w[0].id < w[1].id),
            "{l}: by id, once each"
        );
        store.sync_unit_rooms(1).await.unwrap();
        let members = store.all_memberships().await.unwrap();
        assert!(
            members.windows(2).all(|w| w[0] < w[1]),
            "{l}: in order, once each"
        );
        // Everyone is in exactly one unit room.
        let mut people: Vec<i64> = members.iter().map(|(_, m)| *m).collect();
        people.sort_unstable();
        people.dedup();
        assert_eq!((people.len(), members.len()), (5_106, 5_106), "{l}");
    }
}
