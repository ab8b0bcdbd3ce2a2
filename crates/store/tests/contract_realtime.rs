//! The store's contract for presence, team panel and chat, run on SQLite always and on
//! PostgreSQL when the test run has one (TEST_POSTGRES_URL).

use directory::{parse_staff_csv, plan_import, GroupKind, GroupName, Login};
use store::{AttachmentRow, NewMessage, Store, StoredPresence, StoredWatch};

const FILE: &str = "login,name,unit,extension,mobile,roles
c.clerk,Carl Clerk,Bauamt,2501,,user
d.dorn,Dora Dorn,Bauamt,2502,,user
e.eck,Emil Eck,Bauamt/Hochbau,2511,,user
h.huber,Hanna Huber,Gesundheitsamt,2401,,user
";

struct Db {
    store: Store,
    label: String,
    _db: testkit::TestDb,
}

async fn stores() -> Vec<Db> {
    let mut out = Vec::new();
    for db in testkit::databases().await {
        let store = Store::open(&db.url)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.label));
        let plan = plan_import(
            &store.snapshot().await.unwrap(),
            parse_staff_csv(FILE.as_bytes()),
        );
        assert!(plan.problems.is_empty(), "{:?}", plan.problems);
        store.apply_import(&plan, &mut |_, _| {}).await.unwrap();
        out.push(Db {
            store,
            label: db.label.to_string(),
            _db: db,
        });
    }
    out
}

fn login(l: &str) -> Login {
    Login::parse(l).unwrap()
}

async fn id(store: &Store, l: &str) -> i64 {
    store.panel_person(l).await.unwrap().unwrap().id
}

fn message(id: i64, rev: i64, room_id: i64, author_id: i64, text: &str) -> NewMessage {
    NewMessage {
        id,
        rev,
        room_id,
        author_id,
        text: text.into(),
        search_text: text.to_lowercase(),
        mentions: String::new(),
        attachment_id: None,
        sent_at_ms: 1_000 * id,
    }
}

#[tokio::test]
async fn people_of_a_unit_by_name_and_found_by_pattern() {
    for Db { store, label, .. } in stores().await {
        let names = |people: Vec<store::PanelPerson>| -> Vec<String> {
            people.into_iter().map(|p| p.login).collect()
        };
        let own = store.unit_people("Bauamt", false).await.unwrap();
        assert_eq!(names(own), ["c.clerk", "d.dorn"], "{label}");
        let below = store.unit_people("Bauamt", true).await.unwrap();
        assert_eq!(names(below), ["c.clerk", "d.dorn", "e.eck"], "{label}");
        let carl = store.panel_person("c.clerk").await.unwrap().unwrap();
        assert_eq!(
            (
                carl.name.as_str(),
                carl.extension.as_str(),
                carl.unit.as_str()
            ),
            ("Carl Clerk", "2501", "Bauamt"),
            "{label}"
        );
        assert!(store.panel_person("x.none").await.unwrap().is_none());
        assert_eq!(store.all_people().await.unwrap().len(), 4, "{label}");
        let found = store.find_people("%huber%", 50).await.unwrap();
        assert_eq!(names(found), ["h.huber"], "{label}: lower-cased name");
        let by_extension = store.find_people("%25%", 2).await.unwrap();
        assert_eq!(names(by_extension), ["c.clerk", "d.dorn"], "{label}: limit");
        let literal = store.find_people("%\\_%", 50).await.unwrap();
        assert!(literal.is_empty(), "{label}: escaped wildcard");
    }
}

#[tokio::test]
async fn favourites_groups_and_whom_a_person_follows() {
    for Db { store, label, .. } in stores().await {
        let (c, d, e, h) = (
            id(&store, "c.clerk").await,
            id(&store, "d.dorn").await,
            id(&store, "e.eck").await,
            id(&store, "h.huber").await,
        );
        let carl = login("c.clerk");
        store
            .add_favourites(&carl, &[login("h.huber"), login("h.huber")])
            .await
            .unwrap();
        store
            .add_favourites(&carl, &[login("h.huber")])
            .await
            .unwrap();
        let refused = store
            .add_favourites(&carl, &[login("e.eck"), login("x.none")])
            .await;
        assert!(refused.is_err(), "{label}: unknown login refused");
        let favs: Vec<i64> = store
            .favourites(c)
            .await
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(favs, [h], "{label}: nothing of the refused call stays");

        let group = GroupName::parse("Krisenstab").unwrap();
        let g = store
            .create_group(
                GroupKind::TeamPanel,
                &group,
                None,
                &[carl.clone(), login("e.eck")],
            )
            .await
            .unwrap();
        let groups = store.panel_groups(c).await.unwrap();
        assert_eq!(groups.len(), 1, "{label}");
        assert_eq!(groups[0].id, g);
        assert!(store.panel_groups(h).await.unwrap().is_empty(), "{label}");

        let mut follows = store.follow_ids(c).await.unwrap();
        follows.sort();
        let mut expected = vec![d, e, h];
        expected.sort();
        assert_eq!(
            follows, expected,
            "{label}: unit, favourite, group co-member, each once, not oneself"
        );

        assert!(store.remove_favourite(c, h).await.unwrap(), "{label}");
        assert!(!store.remove_favourite(c, h).await.unwrap(), "{label}");
        assert!(store.favourites(c).await.unwrap().is_empty(), "{label}");
    }
}

#[tokio::test]
async fn hand_set_presence_and_watches_round_trip() {
    for Db { store, label, .. } in stores().await {
        let (c, d) = (id(&store, "c.clerk").await, id(&store, "d.dorn").await);
        let mut p = StoredPresence {
            staff_id: c,
            state: "busy".into(),
            location: Some("home_office".into()),
            note: Some("Bescheide – „schreiben“".into()),
            until_ms: Some(9_000_000),
        };
        store.save_presence(&p, 1).await.unwrap();
        p.state = "do_not_disturb".into();
        p.note = None;
        store.save_presence(&p, 2).await.unwrap();
        assert_eq!(store.load_presence().await.unwrap(), vec![p], "{label}");

        let w = StoredWatch {
            watcher_id: c,
            target_id: d,
            expires_ms: 5_000,
        };
        store.save_watch(&w).await.unwrap();
        store
            .save_watch(&StoredWatch {
                expires_ms: 6_000,
                ..w.clone()
            })
            .await
            .unwrap();
        let loaded = store.load_watches().await.unwrap();
        assert_eq!(loaded.len(), 1, "{label}: one watch per pair");
        assert_eq!(loaded[0].expires_ms, 6_000, "{label}: renewed");
        let of = store.watches_of(c).await.unwrap();
        assert_eq!((of[0].0.login.as_str(), of[0].1), ("d.dorn", 6_000));
        store.delete_watch(c, d).await.unwrap();
        assert!(store.load_watches().await.unwrap().is_empty(), "{label}");
    }
}

#[tokio::test]
async fn unit_rooms_direct_rooms_and_members() {
    for Db { store, label, .. } in stores().await {
        let (c, d, h) = (
            id(&store, "c.clerk").await,
            id(&store, "d.dorn").await,
            id(&store, "h.huber").await,
        );
        store.sync_unit_rooms(1).await.unwrap();
        store.sync_unit_rooms(2).await.unwrap();
        let rooms = store.rooms_of(c).await.unwrap();
        let units: Vec<_> = rooms.iter().filter(|r| r.room.kind == "unit").collect();
        assert_eq!(units.len(), 1, "{label}: one unit room, made once");
        assert_eq!(units[0].room.name, "Bauamt");
        assert_eq!(units[0].members, ["c.clerk", "d.dorn"], "{label}");

        let (direct, created) = store.direct_room(c, h, 3).await.unwrap();
        assert!(created, "{label}");
        assert_eq!(store.direct_room(h, c, 4).await.unwrap(), (direct, false));
        assert_eq!(
            store.room(direct).await.unwrap().unwrap().kind,
            "direct",
            "{label}"
        );

        let group = store
            .create_room("Bauantrag", false, &[c, d], 5)
            .await
            .unwrap();
        assert!(store.is_member(group, d).await.unwrap());
        assert!(store.add_member(group, h, 6).await.unwrap(), "{label}");
        assert!(
            !store.add_member(group, h, 7).await.unwrap(),
            "{label}: once"
        );
        assert_eq!(
            store.room_member_logins(group).await.unwrap(),
            ["c.clerk", "d.dorn", "h.huber"],
            "{label}"
        );
        assert!(store.remove_member(group, d).await.unwrap());
        assert!(!store.is_member(group, d).await.unwrap(), "{label}");
        let memberships = store.all_memberships().await.unwrap();
        assert!(memberships.contains(&(group, h)), "{label}");
        assert!(!memberships.contains(&(group, d)), "{label}");
    }
}

#[tokio::test]
async fn messages_history_changes_unread_and_search() {
    for Db { store, label, .. } in stores().await {
        let (c, d, h) = (
            id(&store, "c.clerk").await,
            id(&store, "d.dorn").await,
            id(&store, "h.huber").await,
        );
        let room = store
            .create_room("Bauantrag", false, &[c, d], 1)
            .await
            .unwrap();
        let other = store.create_room("Geheim", false, &[h], 1).await.unwrap();
        let batch: Vec<NewMessage> = (1..=40)
            .map(|i| {
                message(
                    i,
                    i,
                    room,
                    if i % 2 == 0 { c } else { d },
                    &format!("Nachricht {i}"),
                )
            })
            .collect();
        store.insert_messages(&batch).await.unwrap();
        store
            .insert_messages(&[message(41, 41, other, h, "Nachricht geheim")])
            .await
            .unwrap();
        assert_eq!(store.max_chat_rev().await.unwrap(), 41, "{label}");

        let page = store.history(room, None, 15).await.unwrap();
        let ids: Vec<i64> = page.iter().map(|m| m.id).collect();
        assert_eq!(
            ids,
            (26..=40).rev().collect::<Vec<_>>(),
            "{label}: newest first"
        );
        let older = store.history(room, Some(26), 100).await.unwrap();
        assert_eq!(older.len(), 25, "{label}");
        assert_eq!(older[0].id, 25);
        assert_eq!(
            (page[0].author.as_str(), page[0].author_name.as_str()),
            ("c.clerk", "Carl Clerk")
        );

        store
            .edit_message(3, 42, "Geändert", "geändert", "", 98)
            .await
            .unwrap();
        store.delete_message(5, 43, 99).await.unwrap();
        let edited = store.message(3).await.unwrap().unwrap();
        assert_eq!(
            (edited.rev, edited.text.as_str()),
            (42, "Geändert"),
            "{label}"
        );
        assert!(edited.edited_at_ms.is_some());
        let gone = store.message(5).await.unwrap().unwrap();
        assert!(gone.deleted && gone.text.is_empty(), "{label}");

        let changes = store.changes_since(c, 39, 100).await.unwrap();
        let revs: Vec<i64> = changes.iter().map(|m| m.rev).collect();
        assert_eq!(
            revs,
            [40, 42, 43],
            "{label}: in rev order, only Carl's rooms"
        );

        // Carl wrote the even ones; Dora's 20 odd ones, one deleted, are unread for him.
        let summary = |rooms: Vec<store::RoomSummary>| {
            let r = rooms.into_iter().find(|r| r.room.id == room).unwrap();
            (r.unread, r.last_read, r.last_message)
        };
        assert_eq!(
            summary(store.rooms_of(c).await.unwrap()),
            (19, 0, Some(40)),
            "{label}"
        );
        assert_eq!(store.set_read(room, c, 21).await.unwrap(), 9, "{label}");
        assert_eq!(
            store.set_read(room, c, 10).await.unwrap(),
            9,
            "{label}: never back"
        );
        assert_eq!(summary(store.rooms_of(c).await.unwrap()), (9, 21, Some(40)));

        let found = store.search_messages(c, "%nachricht%", 100).await.unwrap();
        assert_eq!(
            found.len(),
            38,
            "{label}: not the deleted, edited or other room"
        );
        assert!(found.windows(2).all(|w| w[0].id > w[1].id), "{label}");
        assert_eq!(
            store
                .search_messages(c, "%geändert%", 10)
                .await
                .unwrap()
                .len(),
            1
        );
        assert!(store
            .search_messages(c, "%geheim%", 10)
            .await
            .unwrap()
            .is_empty());
    }
}

#[tokio::test]
async fn attachments_belong_to_a_room_and_come_with_their_message() {
    for Db { store, label, .. } in stores().await {
        let c = id(&store, "c.clerk").await;
        let room = store.create_room("Akten", false, &[c], 1).await.unwrap();
        let a = AttachmentRow {
            id: "b3f1c2d4".into(),
            room_id: room,
            uploader_id: c,
            name: "Antrag Müller.pdf".into(),
            content_type: "application/pdf".into(),
            size: 48_213,
        };
        store.insert_attachment(&a, 2).await.unwrap();
        assert_eq!(
            store.attachment("b3f1c2d4").await.unwrap(),
            Some(a.clone()),
            "{label}"
        );
        assert!(store.attachment("nope").await.unwrap().is_none());
        let mut m = message(1, 1, room, c, "");
        m.attachment_id = Some(a.id.clone());
        store.insert_messages(&[m]).await.unwrap();
        let stored = store.message(1).await.unwrap().unwrap();
        assert_eq!(stored.attachment, Some(a), "{label}");
    }
}
