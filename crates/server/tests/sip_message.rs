//! A text message from a desk phone (RFC 3428 MESSAGE, text/plain) lands in the direct
//! chat of the two people, whether or not the receiver has a phone registered: the real
//! binary on SQLite, sipp as the sender's phone (`tests/sip/scenarios/uac_message.xml`),
//! the receiver in the web client over REST and WebSocket. The chat's store is tested on
//! both databases elsewhere, so PostgreSQL adds nothing here.
//!
//! sipp comes from the Debian package `sip-tester`, which `scripts/test` installs.

mod common;

use common::sip::{
    credentials, durchwahl_with_input, free_udp_port, import, serve, sipp, succeeded, Device,
};
use serde_json::{json, Value};
use std::path::Path;
use testkit::http::Client;
use testkit::ws;

const PASSWORD: &str = "Grüne Wiese am Inn";
/// Rita's extension, where Sven's phone sends the text.
const RECEIVER_EXTENSION: &str = "3002";
/// Spaces, punctuation and umlauts: one sipp argument, sent as UTF-8.
const TEXT: &str = "Rückruf bitte: Bauantrag Öhringer Straße 12, heute bis 16 Uhr";

/// The first lines of the responses sipp logged as received (`-trace_msg`), in order.
fn received_statuses(log: &str) -> Vec<String> {
    log.split("----------------------------------------------- ")
        .filter_map(|entry| {
            let (_, message) = entry.split_once(" message received ")?;
            let message = message.split_once(" bytes :\n")?.1.trim_start();
            let status = message.lines().next()?.trim_end();
            status.starts_with("SIP/2.0 ").then(|| status.to_string())
        })
        .collect()
}

fn read_log(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

fn direct_rooms_with(rooms: &Value, login: &str) -> Vec<Value> {
    rooms["rooms"]
        .as_array()
        .unwrap_or_else(|| panic!("no rooms list: {rooms}"))
        .iter()
        .filter(|r| {
            r["kind"] == "direct" && r["members"].as_array().unwrap().contains(&json!(login))
        })
        .cloned()
        .collect()
}

#[test]
fn a_text_from_a_phone_reaches_the_receivers_chat_without_her_phone() {
    let db = testkit::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let staff = format!(
        "login;name;unit;extension;email;roles;features\n\
         sven;Sven Sender;Bauamt;3001;;user;softphone\n\
         rita;Rita Rück;Bauamt;{RECEIVER_EXTENSION};;user;softphone\n"
    );
    let phones = "login,label,password\n\
                  sven,Tischtelefon,geheim-sven-Passwort\n\
                  rita,Tischtelefon,geheim-rita-Passwort\n";
    let devices = import(&db, dir, &staff, phones);
    let device = |login: &str| -> &Device { devices.iter().find(|d| d.login == login).unwrap() };
    durchwahl_with_input(
        &db,
        &["users", "set-password", "rita"],
        &format!("{PASSWORD}\n"),
    );
    let log = dir.join("server.log");
    let (server, sip) = serve(&db, "127.0.0.1:0", &log);

    // Rita is in the web client; her desk phone is not registered. No chat with Sven yet.
    let mut rita = Client::new(&server.address);
    let login = rita.post(
        "/api/v1/auth/login",
        json!({"login": "rita", "password": PASSWORD}),
    );
    assert_eq!(
        (login.status, login.json()["status"].clone()),
        (200, json!("ok")),
        "{}",
        login.body
    );
    let before = rita.get("/api/v1/rooms");
    assert_eq!(before.status, 200, "{}", before.body);
    assert!(
        direct_rooms_with(&before.json(), "sven").is_empty(),
        "{}",
        before.body
    );
    let mut socket = ws::connect(&rita, None);

    // Sven's desk phone sends the text to her extension: challenged first, then, with
    // credentials, 480 (no phone of hers to deliver to).
    let messages = dir.join("message.msg");
    let csv = credentials(dir, "sender", &[device("sven")]);
    let out = sipp(
        dir,
        "message",
        "uac_message.xml",
        free_udp_port(),
        &["-inf", &csv],
    )
    .args(["-s", RECEIVER_EXTENSION, "-key", "text", TEXT, "-m", "1"])
    .args(["-trace_msg", "-message_file"])
    .arg(&messages)
    .arg(&sip)
    .output();
    let context = || {
        format!(
            "sipp's messages:\n{}\nserver log:\n{}",
            read_log(&messages),
            read_log(&log)
        )
    };
    succeeded(dir, "message", out);
    let statuses = received_statuses(&read_log(&messages));
    let finals: Vec<&String> = statuses
        .iter()
        .filter(|s| !s.starts_with("SIP/2.0 1"))
        .collect();
    assert_eq!(finals.len(), 2, "{}", context());
    assert!(finals[0].starts_with("SIP/2.0 407 "), "{}", context());
    assert!(finals[1].starts_with("SIP/2.0 480 "), "{}", context());

    // The chat has it: pushed to Rita's open web client...
    let pushed = socket.wait_for(|f| f["type"] == "chat.message");
    assert_eq!(pushed["message"]["text"], TEXT, "{pushed}\n{}", context());
    assert_eq!(pushed["message"]["author"], "sven", "{pushed}");
    let room = pushed["message"]["room"].as_i64().unwrap();

    // ...listed as her direct room with Sven...
    let after = rita.get("/api/v1/rooms");
    assert_eq!(after.status, 200, "{}", after.body);
    let direct = direct_rooms_with(&after.json(), "sven");
    assert_eq!(direct.len(), 1, "{}", after.body);
    assert_eq!(direct[0]["id"], room, "{}", after.body);
    assert_eq!(direct[0]["title"], "Sven Sender", "{}", after.body);
    let mut members: Vec<&str> = direct[0]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    members.sort_unstable();
    assert_eq!(members, ["rita", "sven"], "{}", after.body);

    // ...and in its history exactly once, the text without sipp's line end, by Sven: the
    // MESSAGE the server challenged (same text, no credentials) put nothing there.
    let history = rita.get(&format!("/api/v1/rooms/{room}/messages"));
    assert_eq!(history.status, 200, "{}", history.body);
    let history = history.json();
    let list = history["messages"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{history}\n{}", context());
    assert_eq!(list[0]["text"], TEXT, "{history}");
    assert_eq!(list[0]["author"], "sven", "{history}");
    assert_eq!(list[0]["author_name"], "Sven Sender", "{history}");
    assert_eq!(list[0]["deleted"], false, "{history}");
}
