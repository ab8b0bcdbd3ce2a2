//! A desk phone's message-waiting lamp (RFC 3842) with a real peer: sipp subscribes to
//! `message-summary` for its own person's box (`tests/sip/scenarios/mwi_subscribe.xml`,
//! digest auth) and checks every NOTIFY: `Messages-Waiting: no` at first, `yes` with
//! `Voice-Message: 1/0` once a caller left a message (a WebRTC caller nobody answers,
//! who speaks a tone after the greeting and hangs up), and `no` with `0/1` once the
//! message is marked heard in the web client's API. The test reads the bodies back from
//! sipp's message log. On SQLite, and on PostgreSQL when the run has one.
//!
//! sipp comes from the Debian package `sip-tester`, which `scripts/test` installs.

mod common;

use common::sip::{free_udp_port, scenario};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use str0m::format::Codec;
use testkit::server::{on_every_database, Options};
use testkit::sip_phone::udp::{UdpPhone, WAIT};
use testkit::sip_phone::PhoneEvent;
use testkit::voicemail::hears_the_tone;
use testkit::webrtc_peer::{RunningPeer, WebRtcPeer};
use testkit::ws::{self, WsClient};

/// Carl's extension: his desk phone watches his own box.
const CARL: &str = "2501";

fn short_rings() -> Options {
    let mut options = Options::default();
    options.config.sip.ring_timeout_seconds = 5;
    options
}

/// Dials `target` from a browser that speaks a 600 Hz tone; the call's id and peer.
fn dial_speaking(ws: &mut WsClient, target: &str) -> (String, RunningPeer) {
    let peer = WebRtcPeer::new(&[Codec::PCMA]);
    ws.send(json!({"type": "call.dial", "ref": 1, "target": target, "sdp": peer.offer}));
    let ack = ws.wait_for(|f| f["ref"] == 1);
    let call = ack["call"]
        .as_str()
        .unwrap_or_else(|| panic!("{ack}"))
        .to_string();
    let sdp = ws.wait_for(|f| f["type"] == "call.media" && f["call"] == call)["sdp"]
        .as_str()
        .unwrap()
        .to_string();
    (call, peer.start_tone(&sdp, 600.0))
}

/// The NOTIFYs sipp logged as received (`-trace_msg`), in order.
fn received_notifies(log: &Path) -> Vec<String> {
    let log = String::from_utf8_lossy(&std::fs::read(log).unwrap_or_default()).into_owned();
    log.split("----------------------------------------------- ")
        .filter_map(|entry| {
            let (_, message) = entry.split_once(" message received ")?;
            let message = message.split_once(" bytes :\n")?.1.trim_start();
            message.starts_with("NOTIFY ").then(|| message.to_string())
        })
        .collect()
}

/// Waits until sipp received `n` NOTIFYs; all of them.
fn notifies(log: &Path, n: usize, limit: Duration, context: impl Fn() -> String) -> Vec<String> {
    let deadline = Instant::now() + limit;
    loop {
        let got = received_notifies(log);
        if got.len() >= n {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "{n} NOTIFYs did not come within {limit:?}: {}",
            context()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The box of a signed-in person.
fn voicemail(client: &mut testkit::http::Client) -> Value {
    let list = client.get("/api/v1/voicemail");
    assert_eq!(list.status, 200, "{}", list.body);
    list.json()
}

#[test]
fn a_desk_phone_lamp_lights_for_a_new_message_and_goes_out_once_it_is_heard() {
    for s in on_every_database(short_rings) {
        let label = s.label;
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();

        // Carl's desk phone, made as an administrator makes one. It registers once (so
        // the switch surely knows the device) and leaves again: a call to Carl then finds
        // nobody and goes to his box.
        let account = s.sip_account("c.clerk", "Tischtelefon");
        let mut desk = UdpPhone::bind(account.clone(), s.sip).unwrap();
        assert!(desk.register_until_accepted(WAIT) > 0, "{label}");
        desk.unregister();
        desk.wait_for(WAIT, |e| {
            matches!(e, PhoneEvent::Registered { expires: 0 }).then_some(())
        });
        drop(desk);

        // sipp as the phone's lamp: it subscribes to Carl's box with the device's
        // credentials and checks each NOTIFY as it comes.
        let csv = dir.join("phone.csv");
        let line = format!("SEQUENTIAL\n{};{}\n", account.username, account.password);
        std::fs::write(&csv, line).unwrap();
        let (messages, errors) = (dir.join("mwi.msg"), dir.join("mwi.err"));
        let lamp = Command::new("timeout")
            .args([
                "-k",
                "5",
                "150",
                "sipp",
                "-sf",
                &scenario("mwi_subscribe.xml"),
            ])
            .args(["-i", "127.0.0.1", "-p", &free_udp_port().to_string()])
            .args(["-key", "domain", &account.domain, "-s", CARL, "-m", "1"])
            .arg("-inf")
            .arg(&csv)
            .args(["-nostdin", "-timeout", "120s", "-timeout_error"])
            .args(["-trace_err", "-error_file"])
            .arg(&errors)
            .args(["-trace_msg", "-message_file"])
            .arg(&messages)
            .arg(s.sip.to_string())
            .stdout(Stdio::null())
            .spawn()
            .expect("run sipp (is sip-tester installed? scripts/test installs it)");
        let context = || {
            let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
            format!(
                "{label}\nsipp's errors:\n{}\nsipp's messages:\n{}",
                read(&errors),
                read(&messages)
            )
        };
        notifies(&messages, 1, Duration::from_secs(10), context);

        // Dora calls Carl; nobody answers, she speaks after the tone and hangs up.
        let dora = s.signed_in("d.new");
        let mut dora_ws = ws::connect(&dora, None);
        let (call, peer) = dial_speaking(&mut dora_ws, CARL);
        dora_ws.wait_for(|f| {
            f["type"] == "call.state" && f["call"] == call && f["state"] == "connected"
        });
        assert!(
            peer.wait_until(Duration::from_secs(20), |_| hears_the_tone(&peer)),
            "{label}: the signal tone after the greeting"
        );
        std::thread::sleep(Duration::from_secs(2));
        dora_ws.send(json!({"type": "call.hangup", "ref": 2, "call": call}));
        drop(peer);

        // The lamp lights; Carl hears the message in the web client: it goes out.
        notifies(&messages, 2, Duration::from_secs(30), context);
        let mut carl = s.signed_in("c.clerk");
        let list = voicemail(&mut carl);
        assert_eq!(list["unheard"], 1, "{label}: {list}");
        let id = list["messages"][0]["id"].as_i64().unwrap();
        let heard = carl.request(
            "PUT",
            &format!("/api/v1/voicemail/messages/{id}/heard"),
            Some(json!({"heard": true})),
        );
        assert_eq!(heard.status, 200, "{label}: {}", heard.body);
        let status = lamp.wait_with_output().expect("sipp ran");
        assert!(
            status.status.success(),
            "sipp: {:?}\n{}",
            status.status,
            context()
        );

        // What the phone was told, in order (sipp checked it too).
        let got = received_notifies(&messages);
        assert!(got.len() >= 3, "{}", context());
        let account_line = format!("Message-Account: sip:{CARL}@{}", account.domain);
        let expected = [
            ("Messages-Waiting: no", "Voice-Message: 0/0 (0/0)"),
            ("Messages-Waiting: yes", "Voice-Message: 1/0 (0/0)"),
            ("Messages-Waiting: no", "Voice-Message: 0/1 (0/0)"),
        ];
        for (notify, (waiting, voice)) in got.iter().zip(expected) {
            assert!(
                notify.contains("Subscription-State: active"),
                "{}",
                context()
            );
            assert!(notify.contains(waiting), "{waiting}: {}", context());
            assert!(notify.contains(voice), "{voice}: {}", context());
            assert!(notify.contains(&account_line), "{}", context());
        }
        if let Some(last) = got.get(3) {
            assert!(
                last.contains("Subscription-State: terminated"),
                "{}",
                context()
            );
        }
    }
}
