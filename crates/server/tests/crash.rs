//! Acknowledged chat messages survive a crash: the binary is killed without warning (no
//! graceful shutdown, no flush) and started again on the same data; a client that resumes
//! from where it was gets every acknowledged message once, in order.

mod common;

use common::unit_room;

use serde_json::json;
use testkit::ws;

#[test]
fn acknowledged_messages_survive_a_crash_and_are_replayed_after_it() {
    let mut s = common::process::setup("");
    let mut c = s.signed_in("c.clerk");
    let d = s.signed_in("d.new");
    let room = unit_room(&mut c);
    let mut cws = ws::connect(&c, None);
    let seen = cws
        .pending
        .iter()
        .find(|f| f["type"] == "resume.done")
        .unwrap()["rev"]
        .as_i64()
        .unwrap();
    for i in 0..20 {
        cws.send(
            json!({"type": "chat.send", "ref": i, "room": room, "text": format!("Nachricht {i}")}),
        );
    }
    for i in 0..20 {
        assert_eq!(cws.wait_for(|f| f["ref"] == i)["type"], "ack");
    }
    s.crash_and_restart();
    let d = d.moved_to(&s.server.address);
    let dws = ws::connect(&d, Some(seen));
    let texts: Vec<String> = dws
        .pending
        .iter()
        .filter(|f| f["type"] == "chat.message")
        .map(|f| f["message"]["text"].as_str().unwrap().to_owned())
        .collect();
    let want: Vec<String> = (0..20).map(|i| format!("Nachricht {i}")).collect();
    assert_eq!(texts, want);
}
