//! The store's contract for chat rooms, members, messages, read markers and attachments,
//! on SQLite always and on PostgreSQL when the test run has one (TEST_POSTGRES_URL).

mod realtime_common;

use realtime_common::*;

#[tokio::test]
async fn every_unit_gets_one_room_with_its_own_people() {
    for (store, db) in stores().await {
        let l = db.label;
        let [z, a, m, h] = staff_ids(&store, ["z.zander", "a.adler", "m.mayer", "h.huber"]).await;
        let memberships = || async {
            let mut all = store.all_memberships().await.unwrap();
            all.sort();
            all
        };
        store.sync_unit_rooms(1).await.unwrap();
        let before = memberships().await;
        store.sync_unit_rooms(2).await.unwrap();
        assert_eq!(
            memberships().await,
            before,
            "{l}: syncing again changes nothing"
        );
        let rooms: std::collections::BTreeSet<i64> = before.iter().map(|(r, _)| *r).collect();
        assert_eq!(rooms.len(), 5, "{l}: one room per unit with people");
        assert_eq!(before.len(), 6, "{l}: everyone in exactly one room");

        let bauamt = unit_room(&store, z, "Bauamt").await.unwrap();
        assert_eq!(bauamt.members, ["a.adler", "z.zander"], "{l}");
        assert!(!bauamt.room.managed, "{l}");
        assert_eq!(
            store.rooms_of(a).await.unwrap().len(),
            1,
            "{l}: only their own unit's room"
        );
        let hochbau = unit_room(&store, m, "Bauamt/Hochbau").await.unwrap();
        assert_eq!(hochbau.members, ["m.mayer"], "{l}: not in Bauamt's room");
        assert!(unit_room(&store, m, "Bauamt").await.is_none(), "{l}");
        assert!(
            unit_room(&store, h, "Gesundheitsamt").await.is_some(),
            "{l}"
        );
    }
}

#[tokio::test]
async fn a_person_who_moves_unit_moves_room_and_starts_with_it_read() {
    for (store, db) in stores().await {
        let l = db.label;
        let [a, h] = staff_ids(&store, ["a.adler", "h.huber"]).await;
        store.sync_unit_rooms(1).await.unwrap();
        let bauamt = unit_room(&store, a, "Bauamt").await.unwrap().room.id;
        let amt = unit_room(&store, h, "Gesundheitsamt")
            .await
            .unwrap()
            .room
            .id;
        let group = store.create_room("Projekt", false, &[a], 1).await.unwrap();
        store
            .insert_messages(&[msg(1, amt, h, "Vor Bernd"), msg(2, amt, h, "Auch vorher")])
            .await
            .unwrap();

        import(
            &store,
            &FILE.replace("Bernd Adler,Bauamt,", "Bernd Adler,Gesundheitsamt,"),
        )
        .await;
        store.sync_unit_rooms(2).await.unwrap();
        assert!(!store.is_member(bauamt, a).await.unwrap(), "{l}: left");
        let joined = summary(&store, a, amt).await;
        assert_eq!(joined.members, ["a.adler", "h.huber"], "{l}");
        assert_eq!(
            (joined.last_read, joined.unread),
            (2, 0),
            "{l}: what came before is read"
        );
        assert!(
            store.is_member(group, a).await.unwrap(),
            "{l}: group room kept"
        );

        assert!(store.add_member(bauamt, h, 3).await.unwrap(), "{l}");
        store.sync_unit_rooms(3).await.unwrap();
        assert!(
            !store.is_member(bauamt, h).await.unwrap(),
            "{l}: unit rooms hold their unit's people only"
        );
    }
}

#[tokio::test]
async fn group_rooms_and_their_members() {
    for (store, db) in stores().await {
        let l = db.label;
        let [z, a, h] = staff_ids(&store, ["z.zander", "a.adler", "h.huber"]).await;
        let room = store
            .create_room("Bauantrag Müller", true, &[z, a, z], 1)
            .await
            .unwrap();
        let row = store.room(room).await.unwrap().unwrap();
        assert_eq!(
            (row.kind.as_str(), row.name.as_str(), row.managed),
            ("group", "Bauantrag Müller", true),
            "{l}"
        );
        assert!(store.room(room + 1000).await.unwrap().is_none(), "{l}");
        assert_eq!(
            store.room_member_logins(room).await.unwrap(),
            ["a.adler", "z.zander"],
            "{l}: each once, by login"
        );

        assert!(store.add_member(room, h, 2).await.unwrap(), "{l}: new");
        assert!(!store.add_member(room, h, 3).await.unwrap(), "{l}: once");
        assert!(store.is_member(room, h).await.unwrap(), "{l}");
        assert!(store.remove_member(room, a).await.unwrap(), "{l}");
        assert!(!store.remove_member(room, a).await.unwrap(), "{l}: gone");
        assert!(!store.is_member(room, a).await.unwrap(), "{l}");
        assert_eq!(
            store.room_member_logins(room).await.unwrap(),
            ["h.huber", "z.zander"],
            "{l}"
        );
        assert!(store.rooms_of(a).await.unwrap().is_empty(), "{l}");
    }
}

#[tokio::test]
async fn a_direct_room_is_made_once_for_both_directions() {
    for (store, db) in stores().await {
        let l = db.label;
        let [z, a, h] = staff_ids(&store, ["z.zander", "a.adler", "h.huber"]).await;
        let (room, created) = store.direct_room(z, h, 1).await.unwrap();
        assert!(created, "{l}");
        assert_eq!(
            store.direct_room(h, z, 2).await.unwrap(),
            (room, false),
            "{l}: the other way round"
        );
        assert_eq!(
            store.direct_room(z, h, 3).await.unwrap(),
            (room, false),
            "{l}"
        );
        let row = store.room(room).await.unwrap().unwrap();
        assert_eq!(
            (row.kind.as_str(), row.name.as_str()),
            ("direct", ""),
            "{l}"
        );
        assert_eq!(
            store.room_member_logins(room).await.unwrap(),
            ["h.huber", "z.zander"],
            "{l}"
        );
        let (other, created) = store.direct_room(z, a, 4).await.unwrap();
        assert!(created && other != room, "{l}: another pair, another room");
    }
}

// ---- chat: messages ----

#[tokio::test]
async fn messages_keep_the_ids_and_revisions_they_were_given() {
    for (store, db) in stores().await {
        let l = db.label;
        let [z, a] = staff_ids(&store, ["z.zander", "a.adler"]).await;
        let room = store.create_room("Akten", false, &[z, a], 1).await.unwrap();
        assert_eq!(store.max_chat_rev().await.unwrap(), 0, "{l}: none yet");
        let mut first = msg(7, room, z, "Hallo @a.adler – „Grüße“");
        first.mentions = "a.adler h.huber".into();
        store
            .insert_messages(&[first, msg(9, room, a, "Danke")])
            .await
            .unwrap();
        assert_eq!(store.max_chat_rev().await.unwrap(), 9, "{l}");

        let got = store.message(7).await.unwrap().unwrap();
        assert_eq!((got.id, got.rev, got.room_id), (7, 7, room), "{l}");
        assert_eq!(
            (got.author_id, got.author.as_str(), got.author_name.as_str()),
            (z, "z.zander", "Anna Zander"),
            "{l}"
        );
        assert_eq!(got.text, "Hallo @a.adler – „Grüße“", "{l}");
        assert_eq!(got.mentions, ["a.adler", "h.huber"], "{l}");
        assert_eq!((got.sent_at_ms, got.edited_at_ms), (7_000, None), "{l}");
        assert!(!got.deleted && got.attachment.is_none(), "{l}");
        assert!(store.message(8).await.unwrap().is_none(), "{l}");
    }
}

#[tokio::test]
async fn a_batch_with_one_bad_message_stores_none_of_it() {
    for (store, db) in stores().await {
        let l = db.label;
        let z = id(&store, "z.zander").await;
        let room = store.create_room("Akten", false, &[z], 1).await.unwrap();
        store
            .insert_messages(&[msg(1, room, z, "alt")])
            .await
            .unwrap();
        // 40 messages span two statements; the last repeats an existing id.
        let mut batch: Vec<NewMessage> = (2..=40).map(|i| msg(i, room, z, "neu")).collect();
        batch.push(msg(1, room, z, "doppelt"));
        assert!(store.insert_messages(&batch).await.is_err(), "{l}");
        assert_eq!(
            store.max_chat_rev().await.unwrap(),
            1,
            "{l}: nothing stored"
        );
        assert_eq!(
            ids(&store.history(room, None, 100).await.unwrap()),
            [1],
            "{l}"
        );
    }
}

#[tokio::test]
async fn edits_and_deletions_take_new_revisions() {
    for (store, db) in stores().await {
        let l = db.label;
        let z = id(&store, "z.zander").await;
        let room = store.create_room("Akten", false, &[z], 1).await.unwrap();
        let mut first = msg(1, room, z, "Entwurf @h.huber");
        first.mentions = "h.huber".into();
        store
            .insert_messages(&[first, msg(2, room, z, "Zweite")])
            .await
            .unwrap();

        store
            .edit_message(1, 3, "Endfassung", "endfassung", "", 50)
            .await
            .unwrap();
        let edited = store.message(1).await.unwrap().unwrap();
        assert_eq!(
            (edited.rev, edited.text.as_str(), edited.edited_at_ms),
            (3, "Endfassung", Some(50)),
            "{l}"
        );
        assert!(edited.mentions.is_empty() && !edited.deleted, "{l}");

        store.delete_message(1, 4, 60).await.unwrap();
        let gone = store.message(1).await.unwrap().unwrap();
        assert_eq!((gone.rev, gone.edited_at_ms), (4, Some(60)), "{l}");
        assert!(gone.deleted && gone.text.is_empty(), "{l}: text removed");

        store
            .edit_message(1, 5, "wieder da?", "wieder da?", "", 70)
            .await
            .unwrap();
        let still = store.message(1).await.unwrap().unwrap();
        assert!(
            still.deleted && still.text.is_empty() && still.rev == 4,
            "{l}: a deleted message is not edited back"
        );
        assert_eq!(store.max_chat_rev().await.unwrap(), 4, "{l}");
        assert_eq!(store.message(2).await.unwrap().unwrap().rev, 2, "{l}");
    }
}

#[tokio::test]
async fn history_pages_newest_first_within_one_room() {
    for (store, db) in stores().await {
        let l = db.label;
        let z = id(&store, "z.zander").await;
        let room = store.create_room("Akten", false, &[z], 1).await.unwrap();
        let other = store.create_room("Andere", false, &[z], 1).await.unwrap();
        let batch: Vec<NewMessage> = (1..=12)
            .map(|i| msg(i, if i % 4 == 0 { other } else { room }, z, "x"))
            .collect();
        store.insert_messages(&batch).await.unwrap();

        let page = store.history(room, None, 4).await.unwrap();
        assert_eq!(ids(&page), [11, 10, 9, 7], "{l}: newest first, this room");
        let next = store.history(room, Some(7), 4).await.unwrap();
        assert_eq!(ids(&next), [6, 5, 3, 2], "{l}: before the oldest seen");
        let last = store.history(room, Some(2), 4).await.unwrap();
        assert_eq!(ids(&last), [1], "{l}: a short last page");
        assert!(
            store.history(room, Some(1), 4).await.unwrap().is_empty(),
            "{l}"
        );
        assert_eq!(
            ids(&store.history(other, None, 10).await.unwrap()),
            [12, 8, 4],
            "{l}"
        );
    }
}

#[tokio::test]
async fn changes_since_a_revision_in_order_and_only_in_ones_rooms() {
    for (store, db) in stores().await {
        let l = db.label;
        let [z, h] = staff_ids(&store, ["z.zander", "h.huber"]).await;
        let mine = store.create_room("Meins", false, &[z, h], 1).await.unwrap();
        let theirs = store.create_room("Fremd", false, &[h], 1).await.unwrap();
        store
            .insert_messages(&[
                msg(1, mine, z, "eins"),
                msg(2, theirs, h, "zwei"),
                msg(3, mine, h, "drei"),
                msg(4, mine, z, "vier"),
            ])
            .await
            .unwrap();
        store
            .edit_message(1, 5, "eins!", "eins!", "", 9)
            .await
            .unwrap();
        store.delete_message(3, 6, 9).await.unwrap();

        let revs = |rows: Vec<store::MessageRow>| -> Vec<(i64, i64)> {
            rows.iter().map(|m| (m.rev, m.id)).collect()
        };
        let all = store.changes_since(z, 0, 100).await.unwrap();
        assert_eq!(
            revs(all),
            [(4, 4), (5, 1), (6, 3)],
            "{l}: by revision, each message at its latest, not room Fremd"
        );
        let since = store.changes_since(z, 4, 100).await.unwrap();
        assert_eq!(revs(since), [(5, 1), (6, 3)], "{l}");
        let limited = store.changes_since(z, 0, 1).await.unwrap();
        assert_eq!(revs(limited), [(4, 4)], "{l}: limit keeps the oldest");
        assert!(
            store.changes_since(z, 6, 100).await.unwrap().is_empty(),
            "{l}"
        );
        assert_eq!(
            store.changes_since(h, 0, 100).await.unwrap().len(),
            4,
            "{l}: h.huber sees both rooms"
        );
    }
}

// ---- chat: unread, read markers, search ----

#[tokio::test]
async fn rooms_list_unread_by_others_and_the_newest_message() {
    for (store, db) in stores().await {
        let l = db.label;
        let [z, a] = staff_ids(&store, ["z.zander", "a.adler"]).await;
        let quiet = store.create_room("Ruhig", false, &[z, a], 1).await.unwrap();
        let busy = store.create_room("Laut", false, &[z, a], 1).await.unwrap();
        store
            .insert_messages(&[
                msg(1, quiet, a, "alt"),
                msg(2, busy, a, "von Bernd"),
                msg(3, busy, z, "von Anna"),
                msg(4, busy, a, "von Bernd, gelöscht"),
                msg(5, busy, a, "von Bernd"),
            ])
            .await
            .unwrap();
        store.delete_message(4, 6, 9).await.unwrap();

        let rooms = store.rooms_of(z).await.unwrap();
        let order: Vec<i64> = rooms.iter().map(|r| r.room.id).collect();
        assert_eq!(order, [busy, quiet], "{l}: most recent first");
        let seen = |r: &RoomSummary| (r.unread, r.last_read, r.last_message);
        assert_eq!(
            seen(&rooms[0]),
            (2, 0, Some(5)),
            "{l}: not her own, not the deleted one"
        );
        assert_eq!(rooms[0].members, ["a.adler", "z.zander"], "{l}");
        assert_eq!(seen(&rooms[1]), (1, 0, Some(1)), "{l}");
        assert_eq!(
            seen(&summary(&store, a, busy).await),
            (1, 0, Some(5)),
            "{l}: Bernd's view: Anna's one message"
        );

        let empty = store.create_room("Leer", false, &[z], 1).await.unwrap();
        let empty = summary(&store, z, empty).await;
        assert_eq!(seen(&empty), (0, 0, None), "{l}");
    }
}

#[tokio::test]
async fn the_read_marker_only_moves_forward() {
    for (store, db) in stores().await {
        let l = db.label;
        let [z, a] = staff_ids(&store, ["z.zander", "a.adler"]).await;
        let room = store.create_room("Akten", false, &[z, a], 1).await.unwrap();
        let batch: Vec<NewMessage> = (1..=6).map(|i| msg(i, room, a, "neu")).collect();
        store.insert_messages(&batch).await.unwrap();

        assert_eq!(store.set_read(room, z, 4).await.unwrap(), 2, "{l}");
        assert_eq!(
            store.set_read(room, z, 2).await.unwrap(),
            2,
            "{l}: never back"
        );
        let seen = summary(&store, z, room).await;
        assert_eq!((seen.last_read, seen.unread), (4, 2), "{l}");
        assert_eq!(
            summary(&store, a, room).await.last_read,
            0,
            "{l}: markers are per person"
        );
        assert_eq!(store.set_read(room, z, 6).await.unwrap(), 0, "{l}");
    }
}

#[tokio::test]
async fn search_finds_live_messages_in_ones_own_rooms_only() {
    for (store, db) in stores().await {
        let l = db.label;
        let [z, h] = staff_ids(&store, ["z.zander", "h.huber"]).await;
        let mine = store.create_room("Meins", false, &[z, h], 1).await.unwrap();
        let theirs = store.create_room("Fremd", false, &[h], 1).await.unwrap();
        store
            .insert_messages(&[
                msg(1, mine, z, "Übergabe Akte 50%"),
                msg(2, theirs, h, "Übergabe geheim"),
                msg(3, mine, h, "Übergabe gelöscht"),
                msg(4, mine, h, "ÜBERGABE morgen"),
                msg(5, mine, z, "Mittagessen"),
            ])
            .await
            .unwrap();
        store.delete_message(3, 6, 9).await.unwrap();

        let found = store
            .search_messages(z, &like("übergabe"), 10)
            .await
            .unwrap();
        assert_eq!(ids(&found), [4, 1], "{l}: newest first, live, own rooms");
        let limited = store
            .search_messages(z, &like("übergabe"), 1)
            .await
            .unwrap();
        assert_eq!(ids(&limited), [4], "{l}: limit");
        let percent = store.search_messages(z, &like("0%"), 10).await.unwrap();
        assert_eq!(ids(&percent), [1], "{l}: an escaped % is literal");
        let theirs = store.search_messages(h, &like("geheim"), 10).await.unwrap();
        assert_eq!(ids(&theirs), [2], "{l}: h.huber is in Fremd");
        assert!(
            store
                .search_messages(z, &like("geheim"), 10)
                .await
                .unwrap()
                .is_empty(),
            "{l}"
        );
    }
}

// ---- chat: attachments ----

#[tokio::test]
async fn attachments_are_stored_and_shown_with_live_messages_only() {
    for (store, db) in stores().await {
        let l = db.label;
        let z = id(&store, "z.zander").await;
        let room = store.create_room("Akten", false, &[z], 1).await.unwrap();
        let file = AttachmentRow {
            id: "7f3a9c01e2".into(),
            room_id: room,
            uploader_id: z,
            name: "Antrag Müller (2).pdf".into(),
            content_type: "application/pdf".into(),
            size: 48_213,
        };
        assert!(store.insert_attachment(&file, 1, 1 << 30).await.unwrap());
        assert_eq!(
            store.attachment(&file.id).await.unwrap(),
            Some(file.clone()),
            "{l}"
        );
        assert!(store.attachment("unknown").await.unwrap().is_none(), "{l}");
        assert!(
            store.insert_attachment(&file, 2, 1 << 30).await.is_err(),
            "{l}: ids are unique"
        );
        assert_eq!(
            store.unsent_attachment(&file.id, room, z).await.unwrap(),
            Some(file.clone()),
            "{l}"
        );
        assert_eq!(
            store
                .unsent_attachment(&file.id, room + 1, z)
                .await
                .unwrap(),
            None
        );

        let mut with_file = msg(1, room, z, "");
        with_file.attachment_id = Some(file.id.clone());
        store.insert_messages(&[with_file]).await.unwrap();
        let shown = store.history(room, None, 1).await.unwrap();
        assert_eq!(shown[0].attachment.as_ref(), Some(&file), "{l}");
        assert_eq!(
            store.unsent_attachment(&file.id, room, z).await.unwrap(),
            None,
            "{l}: sent with one message, it goes with no other"
        );
        assert_eq!(
            store.delete_message(1, 2, 9).await.unwrap(),
            Some(file.id.clone()),
            "{l}"
        );
        let gone = store.message(1).await.unwrap().unwrap();
        assert!(gone.attachment.is_none(), "{l}: hidden once deleted");
        assert!(
            store.attachment(&file.id).await.unwrap().is_none(),
            "{l}: and gone, so nobody can download it any more"
        );
        assert_eq!(store.attachment_bytes_of(z).await.unwrap(), 0, "{l}");
    }
}

#[tokio::test]
async fn attachments_keep_to_the_quota_and_unsent_ones_are_removed() {
    for (store, db) in stores().await {
        let l = db.label;
        let z = id(&store, "z.zander").await;
        let room = store.create_room("Akten", false, &[z], 1).await.unwrap();
        let file = |id: &str, size| AttachmentRow {
            id: id.into(),
            room_id: room,
            uploader_id: z,
            name: format!("{id}.pdf"),
            content_type: "application/pdf".into(),
            size,
        };
        assert!(store
            .insert_attachment(&file("a", 600), 1_000, 1_000)
            .await
            .unwrap());
        assert!(
            !store
                .insert_attachment(&file("b", 401), 1_000, 1_000)
                .await
                .unwrap(),
            "{l}: 600 + 401 > 1,000"
        );
        assert!(store.attachment("b").await.unwrap().is_none(), "{l}");
        assert!(store
            .insert_attachment(&file("c", 400), 5_000, 1_000)
            .await
            .unwrap());
        assert_eq!(store.attachment_bytes_of(z).await.unwrap(), 1_000, "{l}");
        // "c" is sent; "a" is not and is older than the cut-off.
        let mut sent = msg(1, room, z, "");
        sent.attachment_id = Some("c".into());
        store.insert_messages(&[sent]).await.unwrap();
        assert_eq!(
            store.remove_stale_attachments(2_000).await.unwrap(),
            ["a"],
            "{l}"
        );
        assert!(store.attachment("a").await.unwrap().is_none(), "{l}");
        assert!(store.attachment("c").await.unwrap().is_some(), "{l}");
        assert!(store
            .remove_stale_attachments(10_000)
            .await
            .unwrap()
            .is_empty());
    }
}
