//! The SIP service against a real peer (sipp), on SQLite and on PostgreSQL: the scenarios
//! of `tests/sip/scenarios` (register with digest, call answered, busy, cancelled, forked
//! to two registrations, unknown callee, a busy lamp key watching a call: subscribe,
//! NOTIFYs early, confirmed, terminated, unsubscribe) through
//! `bench/sip/check_scenarios.sh`; a call to
//! an extension ringing two devices of one person (one answers, the other is cancelled);
//! and registrations kept across a crash of the server.
//!
//! sipp comes from the Debian package `sip-tester`, which `scripts/test` installs.

mod common;

use common::sip::{
    credentials, durchwahl_with_input, free_udp_port, import, register, repo, serve, sipp,
    succeeded, Device, DOMAIN,
};
use serde_json::json;
use std::path::Path;
use std::process::Command;
use testkit::http::Client;
use testkit::TestDb;

/// People p01..p14 (check_scenarios.sh takes its users from lines 1..12) and `zwei`,
/// who has two devices.
const PEOPLE: usize = 14;
const TWO_DEVICES_EXTENSION: &str = "3100";

/// Imports the people, gives each one device (two for `zwei`) and returns the devices
/// in file order.
fn provision(db: &TestDb, dir: &Path) -> Vec<Device> {
    let mut staff = String::from("login;name;unit;extension;email;roles;features\n");
    for i in 1..=PEOPLE {
        staff += &format!("p{i:02};Person {i};Bauamt;{};;user;softphone\n", 3000 + i);
    }
    staff += &format!("zwei;Zora Zwei;Bauamt;{TWO_DEVICES_EXTENSION};;user;softphone\n");
    let mut phones = String::from("login,label,password\n");
    for i in 1..=PEOPLE {
        phones += &format!("p{i:02},Softphone,geheim-{i:02}-Passwort\n");
    }
    phones += "zwei,Headset am PC,\nzwei,Tischtelefon,\n";
    import(db, dir, &staff, &phones)
}

/// `caller` calls `target`: `answer_port` answers after 300 ms, `ring_port` (if any)
/// rings and must be cancelled by the server.
fn call(
    dir: &Path,
    server: &str,
    caller: &Device,
    target: &str,
    answer_port: u16,
    ring_port: Option<u16>,
) {
    let answer = sipp(
        dir,
        "uas-answer",
        "uas_answer.xml",
        answer_port,
        &["-m", "1"],
    )
    .spawn()
    .unwrap();
    let ring = ring_port.map(|p| {
        sipp(dir, "uas-ring", "uas_ring_only.xml", p, &["-m", "1"])
            .spawn()
            .unwrap()
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    let csv = credentials(dir, "caller", &[caller]);
    let out = sipp(dir, "uac", "uac_call.xml", free_udp_port(), &["-inf", &csv])
        .args(["-s", target, "-d", "300", "-m", "1", server])
        .output();
    succeeded(dir, "uac", out);
    succeeded(dir, "uas-answer", answer.wait_with_output());
    if let Some(ring) = ring {
        succeeded(dir, "uas-ring", ring.wait_with_output());
    }
}

#[tokio::test]
async fn sipp_scenarios_extension_fork_and_bindings_across_a_crash() {
    for db in testkit::databases().await {
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();
        let devices = provision(&db, dir);
        assert_eq!(devices.len(), PEOPLE + 2, "{}", db.label);
        let log = dir.join("server.log");
        let (server, sip) = serve(&db, "127.0.0.1:0", &log);

        // The scenario script against this server: users on lines 1.. after a header.
        let users = dir.join("users.csv");
        let mut text = String::from("user;password\n");
        for d in &devices[..PEOPLE] {
            text += &format!("{};{}\n", d.user, d.password);
        }
        std::fs::write(&users, text).unwrap();
        let logs = dir.join("check");
        // The default set, then BLF against this server (users 1..3, free again after
        // `register`).
        let tests = [
            "register",
            "call",
            "busy",
            "cancel",
            "fork",
            "unknown",
            "blf_server",
        ];
        let out = Command::new(repo().join("bench/sip/check_scenarios.sh"))
            .args(tests)
            .env("SIP_SERVER", &sip)
            .env("SIP_DOMAIN", DOMAIN)
            .env("USERS_CSV", &users)
            .env("CHECK_LOGS", &logs)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && report.contains("7 passed, 0 failed"),
            "{}: {report}\n{}\nserver log: {}",
            db.label,
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );

        // The extension of a person with two devices rings both; one answers.
        let zwei: Vec<&Device> = devices.iter().filter(|d| d.login == "zwei").collect();
        let (port_a, port_b) = (free_udp_port(), free_udp_port());
        register(dir, &sip, zwei[0], port_a);
        register(dir, &sip, zwei[1], port_b);
        call(
            dir,
            &sip,
            &devices[12],
            TWO_DEVICES_EXTENSION,
            port_b,
            Some(port_a),
        );

        // A crash right after the registrations were acknowledged loses none of them:
        // the restarted server (same SIP port) still reaches the device.
        let callee = &devices[13];
        let callee_port = free_udp_port();
        register(dir, &sip, callee, callee_port);
        drop(server); // SIGKILL
        let (_server, sip_again) = serve(&db, &sip, &log);
        assert_eq!(sip_again, sip);
        call(dir, &sip, &devices[12], &callee.user, callee_port, None);
    }
}

/// A rule set on the web applies to the next real call: p01 (3001, no phone registered)
/// forwards everything to Zora (3100), whose desk phone answers.
#[test]
fn forwarding_set_on_the_web_reroutes_a_real_call() {
    let db = testkit::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let devices = provision(&db, dir);
    let password = "Grüne Wiese am Inn";
    durchwahl_with_input(
        &db,
        &["users", "set-password", "p01"],
        &format!("{password}\n"),
    );
    let log = dir.join("server.log");
    let (server, sip) = serve(&db, "127.0.0.1:0", &log);

    let mut web = Client::new(&server.address);
    let login = web.post(
        "/api/v1/auth/login",
        json!({"login": "p01", "password": password}),
    );
    assert_eq!(login.status, 200, "{}", login.body);
    let rules = json!({
        "always": {"on": true, "target": TWO_DEVICES_EXTENSION},
        "busy": {"on": false},
        "no_answer": {"on": false},
    });
    let set = web.request("PUT", "/api/v1/me/forwarding", Some(rules));
    assert_eq!(set.status, 200, "{}", set.body);
    // No waiting: the change reaches the SIP service over the event bus at once (the
    // registration below is all the time it gets).

    let zwei = devices.iter().find(|d| d.login == "zwei").unwrap();
    let desk = free_udp_port();
    register(dir, &sip, zwei, desk);
    call(dir, &sip, &devices[12], "3001", desk, None);
}
