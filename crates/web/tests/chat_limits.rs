//! Issue 13: what one person can hold or fill in chat. Uploads go to disk as they arrive,
//! within a quota shared by parallel uploads; an attachment goes with one message and is
//! deleted with it; unsent uploads are removed after a day; REST and the WebSocket share
//! one write limit per person; rooms per hour are capped.

use serde_json::{json, Value};
use std::sync::{Arc, Barrier};
use testkit::http::Client;
use testkit::server::{start as server, Options};
use testkit::ws;

/// 1 MiB per file, 4 MiB per person.
fn small_files() -> Options {
    let mut options = Options::default();
    options.config.chat.attachment_max_mib = 1;
    options.config.chat.attachment_quota_mib = 4;
    options
}

fn room_with(c: &mut Client, name: &str, members: &[&str]) -> i64 {
    let r = c.post("/api/v1/rooms", json!({"name": name, "members": members}));
    assert_eq!(r.status, 201, "{}", r.body);
    r.json()["id"].as_i64().unwrap()
}

fn upload(c: &mut Client, room: i64, name: &str, size: usize) -> testkit::http::Reply {
    c.request_raw(
        "POST",
        &format!("/api/v1/rooms/{room}/attachments?name={name}"),
        "application/pdf",
        &vec![b'%'; size],
    )
}

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn parallel_uploads_stay_within_the_quota() {
    // 1 MiB per file, 4 MiB per person.
    let s = server(small_files());
    let mut c = s.signed_in("c.clerk");
    let room = room_with(&mut c, "Akten", &["d.new"]);
    let start = Arc::new(Barrier::new(16));
    let threads: Vec<_> = (0..16)
        .map(|i| {
            let mut c = c.clone();
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                upload(&mut c, room, &format!("akte{i}.pdf"), 1000 * 1000).status
            })
        })
        .collect();
    let statuses: Vec<u16> = threads.into_iter().map(|t| t.join().unwrap()).collect();
    let stored = statuses.iter().filter(|s| **s == 201).count();
    assert!(
        (1..=4).contains(&stored),
        "at most the quota was taken: {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [201, 413, 429].contains(s)),
        "{statuses:?}"
    );
    let id = s.staff_id("c.clerk");
    let bytes = s.block_on(s.store.attachment_bytes_of(id)).unwrap();
    assert_eq!(bytes, stored as i64 * 1_000_000);
    let dir = s.data_dir.join("attachments");
    let on_disk = files_in(&dir);
    assert_eq!(on_disk.len(), stored, "no half-written files: {on_disk:?}");
    // Larger than allowed: refused, nothing kept.
    let r = upload(&mut c, room, "riesig.pdf", 1024 * 1024 + 1);
    assert_eq!(r.status, 413, "{}", r.body);
    assert_eq!(files_in(&dir).len(), stored);
}

#[test]
fn an_attachment_goes_with_one_message_and_is_deleted_with_it() {
    let s = server(Options::default());
    let mut c = s.signed_in("c.clerk");
    let mut d = s.signed_in("d.new");
    let room = room_with(&mut c, "Akten", &["d.new"]);
    let file: Value = upload(&mut c, room, "Antrag.pdf", 1000).json();
    let file_id = file["id"].as_str().unwrap().to_owned();
    // Not someone else's upload, and only once.
    let r = d.post(
        &format!("/api/v1/rooms/{room}/messages"),
        json!({"text": "", "attachment": file_id}),
    );
    assert_eq!(r.status, 404, "{}", r.body);
    let sent = c.post(
        &format!("/api/v1/rooms/{room}/messages"),
        json!({"text": "Bitte prüfen", "attachment": file_id}),
    );
    assert_eq!(sent.status, 201, "{}", sent.body);
    let again = c.post(
        &format!("/api/v1/rooms/{room}/messages"),
        json!({"text": "noch mal", "attachment": file_id}),
    );
    assert_eq!(again.status, 404, "{}", again.body);
    assert_eq!(d.get(&format!("/api/v1/attachments/{file_id}")).status, 200);

    let message = sent.json()["id"].as_i64().unwrap();
    let r = c.request(
        "DELETE",
        &format!("/api/v1/rooms/{room}/messages/{message}"),
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        d.get(&format!("/api/v1/attachments/{file_id}")).status,
        404,
        "gone with its message"
    );
    // Also for members added later, and from the disk.
    assert_eq!(
        c.post(
            &format!("/api/v1/rooms/{room}/members"),
            json!({"login": "b.user"})
        )
        .status,
        200
    );
    let mut b = s.signed_in("b.user");
    assert_eq!(b.get(&format!("/api/v1/attachments/{file_id}")).status, 404);
    assert!(files_in(&s.data_dir.join("attachments")).is_empty());
}

#[test]
fn uploads_never_sent_are_removed_after_a_day() {
    let s = server(Options::default());
    let mut c = s.signed_in("c.clerk");
    let room = room_with(&mut c, "Akten", &[]);
    let kept: Value = upload(&mut c, room, "gesendet.pdf", 100).json();
    let left: Value = upload(&mut c, room, "liegen.pdf", 100).json();
    let r = c.post(
        &format!("/api/v1/rooms/{room}/messages"),
        json!({"text": "", "attachment": kept["id"]}),
    );
    assert_eq!(r.status, 201);
    let dir = s.data_dir.join("attachments");
    std::fs::write(dir.join("0123456789abcdef0123456789abcdef.part"), b"crash").unwrap();
    let now_ms = live::Clock::now_ms(&live::clock::SystemClock);
    let removed = s
        .block_on(live::chat::attachments::clean_up(&s.store, &dir, now_ms))
        .unwrap();
    assert_eq!(removed, 0, "nothing is a day old yet");
    let tomorrow = now_ms + live::chat::attachments::UNSENT_KEPT_MS + 60_000;
    // The .part file's time is the disk's: a day later by the clock passed in.
    let removed = s
        .block_on(live::chat::attachments::clean_up(&s.store, &dir, tomorrow))
        .unwrap();
    assert_eq!(removed, 2, "the unsent upload and the crash's .part file");
    assert_eq!(files_in(&dir), [kept["id"].as_str().unwrap()]);
    assert_eq!(
        c.get(&format!(
            "/api/v1/attachments/{}",
            left["id"].as_str().unwrap()
        ))
        .status,
        404
    );
}

#[test]
fn rest_and_websocket_share_one_write_limit() {
    let s = server(Options::default());
    let mut c = s.signed_in("c.clerk");
    let room = room_with(&mut c, "Schnell", &[]);
    let mut statuses = Vec::new();
    for i in 0..60 {
        let r = c.post(
            &format!("/api/v1/rooms/{room}/messages"),
            json!({"text": format!("Nachricht {i}")}),
        );
        statuses.push(r.status);
    }
    let stored = statuses.iter().filter(|s| **s == 201).count();
    assert!(statuses.contains(&429), "REST is limited too: {statuses:?}");
    assert!((30..60).contains(&stored), "{stored}");
    // The same person's socket finds the bucket empty as well.
    let mut socket = ws::connect(&c, None);
    socket.send(json!({"type": "chat.send", "ref": "x", "room": room, "text": "per Socket"}));
    let answer = socket.wait_for(|f| f["ref"] == "x");
    assert_eq!(
        (answer["type"].clone(), answer["code"].clone()),
        (json!("error"), json!("rate_limited"))
    );
    // Another person is not affected.
    let mut d = s.signed_in("d.new");
    let own = room_with(&mut d, "Ruhig", &[]);
    let r = d.post(
        &format!("/api/v1/rooms/{own}/messages"),
        json!({"text": "hallo"}),
    );
    assert_eq!(r.status, 201);
}

#[test]
fn rooms_per_hour_are_capped_for_people_not_for_administrators() {
    let mut options = Options::default();
    options.config.chat.rooms_per_hour = 3;
    let s = server(options);
    let mut c = s.signed_in("c.clerk");
    for i in 0..3 {
        room_with(&mut c, &format!("Raum {i}"), &["d.new"]);
    }
    let r = c.post(
        "/api/v1/rooms",
        json!({"name": "Raum 4", "members": ["d.new"]}),
    );
    assert_eq!(r.status, 429, "{}", r.body);
    assert!(r.header("retry-after").is_some());
    // Direct rooms are one per pair and not counted.
    assert_eq!(
        c.post("/api/v1/rooms/direct", json!({"login": "b.user"}))
            .status,
        200
    );
    let mut admin = s.signed_in("a.admin");
    for i in 0..4 {
        let r = admin.post(
            "/api/v1/admin/rooms",
            json!({"name": format!("Verwaltet {i}")}),
        );
        assert_eq!(r.status, 201, "{}", r.body);
    }
}
