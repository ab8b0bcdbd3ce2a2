//! A desk phone watching a colleague's presence (RFC 3856, PIDF of RFC 3863 with the
//! RFC 4480 activities) sees what the team panel shows: the real binary on SQLite, sipp
//! as the phone (`tests/sip/scenarios/presence_subscribe.xml`), the colleague setting
//! her status over REST as the web client does. The feed does not depend on the store,
//! so PostgreSQL adds nothing here.
//!
//! sipp comes from the Debian package `sip-tester`, which `scripts/test` installs.

mod common;

use common::sip::{
    credentials, durchwahl_with_input, free_udp_port, import, register, serve, sipp, succeeded,
    Device,
};
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};
use testkit::http::Client;

const PASSWORD: &str = "Grüne Wiese am Inn";
/// Kira's extension, which Wanda's desk phone watches.
const WATCHED: &str = "3002";
/// Kira's personal note: the panel shows it to colleagues it may reach, phones never.
const NOTE: &str = "Zahnarzt bis 11";

/// The NOTIFYs sipp logged as received (`-trace_msg`), in order.
fn received_notifies(log: &str) -> Vec<String> {
    log.split("----------------------------------------------- ")
        .filter_map(|entry| {
            let (_, message) = entry.split_once(" message received ")?;
            let message = message.split_once(" bytes :\n")?.1.trim_start();
            message.starts_with("NOTIFY ").then(|| message.to_string())
        })
        .collect()
}

fn read_log(path: &Path) -> String {
    String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned()
}

#[test]
fn a_desk_phone_watching_a_colleague_sees_her_panel_status() {
    let db = testkit::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let staff = format!(
        "login;name;unit;extension;email;roles;features\n\
         wanda;Wanda Wache;Bauamt;3001;;user;softphone\n\
         kira;Kira Kolle;Bauamt;{WATCHED};;user;softphone\n"
    );
    let phones = "login,label,password\n\
                  wanda,Tischtelefon,geheim-wanda-Passwort\n\
                  kira,Tischtelefon,geheim-kira-Passwort\n";
    let devices = import(&db, dir, &staff, phones);
    let device = |login: &str| -> &Device { devices.iter().find(|d| d.login == login).unwrap() };
    durchwahl_with_input(
        &db,
        &["users", "set-password", "kira"],
        &format!("{PASSWORD}\n"),
    );
    let log = dir.join("server.log");
    let (server, sip) = serve(&db, "127.0.0.1:0", &log);
    let server_log = || read_log(&log);

    // Kira signs in first (hashing her password takes a moment; the watcher's quiet
    // window is 3 s) and her desk phone registers: reachable, so available.
    let mut kira = Client::new(&server.address);
    let login = kira.post(
        "/api/v1/auth/login",
        json!({"login": "kira", "password": PASSWORD}),
    );
    assert_eq!(login.status, 200, "{}", login.body);
    register(dir, &sip, device("kira"), free_udp_port());

    // Wanda's desk phone subscribes to Kira's extension.
    let messages = dir.join("presence.msg");
    let csv = credentials(dir, "watcher", &[device("wanda")]);
    let watcher = sipp(
        dir,
        "presence",
        "presence_subscribe.xml",
        free_udp_port(),
        &["-inf", &csv],
    )
    .args(["-s", WATCHED, "-m", "1", "-trace_msg", "-message_file"])
    .arg(&messages)
    .arg(&sip)
    .spawn()
    .expect("run sipp (is sip-tester installed? scripts/test installs it)");

    // Once the phone shows her first state, Kira steps away in the web client.
    let deadline = Instant::now() + Duration::from_secs(10);
    while received_notifies(&read_log(&messages)).is_empty() {
        assert!(
            Instant::now() < deadline,
            "no NOTIFY within 10 s:\n{}\nserver log:\n{}",
            read_log(&messages),
            server_log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let set = kira.request(
        "PUT",
        "/api/v1/me/presence",
        Some(json!({"state": "away", "note": NOTE})),
    );
    assert_eq!(set.status, 200, "{}", set.body);
    succeeded(dir, "presence", watcher.wait_with_output());

    let exchange = read_log(&messages);
    let notifies = received_notifies(&exchange);
    let context = format!(
        "sipp's messages:\n{exchange}\nserver log:\n{}",
        server_log()
    );
    assert!(notifies.len() >= 3, "{context}");
    for n in &notifies {
        assert!(n.contains("Event: presence"), "{context}");
        assert!(
            !n.contains(NOTE),
            "a personal note reached a phone: {context}"
        );
    }

    // Before the change: open, available, the entity is the address the phone subscribed
    // to (RFC 3856 §6.7), no RFC 4480 activity.
    let first = &notifies[0];
    assert!(first.contains("Subscription-State: active"), "{context}");
    assert!(
        first.contains("Content-Type: application/pidf+xml"),
        "{context}"
    );
    assert!(
        first.contains(&format!(r#"entity="sip:{WATCHED}@bench.local""#)),
        "{context}"
    );
    assert!(first.contains("<basic>open</basic>"), "{context}");
    assert!(first.contains("Verfügbar"), "{context}");
    assert!(!first.contains("<rpid:activities>"), "{context}");

    // The change the panel shows, while the subscription is active. ("In a meeting" is set
    // by meetings, never by hand, so away is the status a person sets that has an RFC 4480
    // activity of its own.)
    let (last, changes) = notifies.split_last().unwrap();
    let away = changes[1..]
        .iter()
        .find(|n| n.contains("<rpid:away/>"))
        .unwrap_or_else(|| panic!("no NOTIFY with the away activity: {context}"));
    assert!(away.contains("Subscription-State: active"), "{context}");
    assert!(away.contains("<basic>open</basic>"), "{context}");
    assert!(
        away.contains(r#"<note xml:lang="de">Abwesend</note>"#),
        "{context}"
    );

    // Unsubscribed: the final NOTIFY ends the subscription.
    assert!(last.contains("Subscription-State: terminated"), "{context}");
}
