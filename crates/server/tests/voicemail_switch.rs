//! The switch sends desk phones' calls nobody takes to the voicemail box, with real SIP
//! peers (the test phone over UDP, and an RTP peer of the test's own that speaks a tone),
//! on SQLite and on PostgreSQL when the run has one:
//!
//! - Carl's desk phone is registered, no browser of his is open. Dora's desk phone calls
//!   2501; Carl's phone rings and nobody answers. After the ring time (5 s) the switch
//!   cancels it, and call control answers Dora's call for Carl's box: she hears the
//!   greeting and the 1 kHz signal tone in her RTP, speaks (600 Hz) for three seconds and
//!   hangs up. Carl's box lists her message, and its recording holds her tone.
//! - Carl's phone declines the next call: Dora is answered by the box at once.
//! - Carl's rule "always → voicemail": his phone does not ring, the box answers at once.
//! - Carl's box switched off: the call rings out, and Dora gets 480 as without a box.
//! - With Carl's browser open beside his desk phone both ring; neither answers: the box
//!   answers once, after the ring time (call control leaves the browsers' call to the
//!   switch, and takes the box's call with the same Call-ID as a new one).

use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use testkit::desk_voice::DeskVoice as Voice;
use testkit::server::{on_every_database, Options, TestServer};
use testkit::sip_phone::sdp::Sdp;
use testkit::sip_phone::udp::{UdpPhone, WAIT};
use testkit::sip_phone::{CallRef, PhoneEvent};
use testkit::voicemail::share_at;

/// Carl's extension.
const CARL: &str = "2501";
/// The switch's ring time in these tests.
const RING: Duration = Duration::from_secs(5);
/// What Dora says after the signal tone.
const SPEECH_HZ: f32 = 600.0;

fn short_rings() -> Options {
    let mut options = Options::default();
    options.config.sip.ring_timeout_seconds = 5;
    options
}

/// Whether the last 100 ms of `heard` (8 kHz) are the signal tone (1 kHz).
fn ends_with_the_tone(heard: &[f32]) -> bool {
    heard.len() >= 800 && share_at(&heard[heard.len() - 800..], 8_000, 1_000.0) > 0.8
}

/// A person's desk phone, registered (made as an administrator makes one).
fn desk_phone(s: &TestServer, login: &str) -> UdpPhone {
    let mut phone = UdpPhone::bind(s.sip_account(login, "Tischtelefon"), s.sip).unwrap();
    assert!(phone.register_until_accepted(WAIT) > 0, "{}", s.label);
    phone
}

/// Dora's phone calls Carl's extension with `voice` as its media.
fn dora_calls(dora: &mut UdpPhone, voice: &Voice) -> CallRef {
    dora.call(CARL, &Sdp::offer(voice.local()).to_string())
}

/// Waits (letting `carl` answer what reaches him) until Dora's call is answered or
/// refused: the answer's media address, or the refusal's status.
fn outcome(
    dora: &mut UdpPhone,
    carl: &mut UdpPhone,
    call: CallRef,
    limit: Duration,
) -> Result<SocketAddr, u16> {
    dora.wait_for_with(&mut [carl], limit, |e| match e {
        PhoneEvent::Answered { call: c, sdp } if *c == call => {
            Some(Ok(Sdp::parse(sdp.as_deref().expect("an SDP answer"))
                .expect("an SDP answer")
                .media))
        }
        PhoneEvent::Failed { call: c, code } if *c == call => Some(Err(*code)),
        _ => None,
    })
}

/// Whether Carl's phone was rung (an INVITE arrived) since the history was cleared.
fn rang(carl: &mut UdpPhone) -> Option<CallRef> {
    carl.pump(Duration::from_millis(50));
    carl.history.iter().find_map(|e| match e {
        PhoneEvent::Incoming { call, .. } => Some(*call),
        _ => None,
    })
}

/// Carl's box, as he sees it in the web client's API.
fn box_of(carl: &mut testkit::http::Client, n: usize) -> Value {
    let until = Instant::now() + Duration::from_secs(10);
    loop {
        let list = carl.get("/api/v1/voicemail");
        assert_eq!(list.status, 200, "{}", list.body);
        let list = list.json();
        if list["messages"].as_array().map(Vec::len) == Some(n) || Instant::now() > until {
            return list;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_desk_phones_call_nobody_takes_goes_to_the_box() {
    for s in on_every_database(short_rings) {
        let label = s.label;
        let mut carl_web = s.signed_in("c.clerk");
        let mut carl = desk_phone(&s, "c.clerk");
        let mut dora = desk_phone(&s, "d.new");

        // Nobody answers: after the ring time the box does.
        let mut voice = Voice::bind();
        let started = Instant::now();
        let call = dora_calls(&mut dora, &voice);
        let incoming = carl.wait_for_with(&mut [&mut dora], WAIT, |e| match e {
            PhoneEvent::Incoming { call, .. } => Some(*call),
            _ => None,
        });
        let media = outcome(&mut dora, &mut carl, call, RING + WAIT)
            .unwrap_or_else(|code| panic!("{label}: refused with {code}"));
        assert!(
            started.elapsed() >= RING - Duration::from_millis(200),
            "{label}: answered after the ring time, not before: {:?}",
            started.elapsed()
        );
        // Carl's phone stopped ringing.
        carl.wait_for(WAIT, |e| match e {
            PhoneEvent::Ended { call, .. } if *call == incoming => Some(()),
            _ => None,
        });
        voice.remote = Some(media);
        assert!(
            voice.run(Duration::from_secs(30), ends_with_the_tone),
            "{label}: the signal tone after the greeting, heard {} samples",
            voice.heard.len()
        );
        assert!(
            voice.heard.len() > 8_000 * 2,
            "{label}: a greeting came first: {} samples",
            voice.heard.len()
        );
        voice.hz = SPEECH_HZ;
        voice.run(Duration::from_secs(3), |_| false);
        dora.hang_up(call).unwrap();
        dora.wait_for(WAIT, |e| match e {
            PhoneEvent::Ended { call: c, .. } if *c == call => Some(()),
            _ => None,
        });

        let list = box_of(&mut carl_web, 1);
        let message = &list["messages"][0];
        assert_eq!(message["caller_name"], "Dora Neu", "{label}: {list}");
        assert_eq!(message["caller_number"], "2502", "{label}: {list}");
        assert_eq!(list["unheard"], 1, "{label}: {list}");
        let ms = message["duration_ms"].as_i64().unwrap();
        assert!((2_000..=4_500).contains(&ms), "{label}: {ms} ms");
        let id = message["id"].as_i64().unwrap();
        let played = carl_web.get(&format!("/api/v1/voicemail/messages/{id}/audio"));
        assert_eq!(played.status, 200, "{label}");
        let pcm = audio::opus::from_ogg_opus(&played.bytes, 60).unwrap();
        let middle = &pcm.samples[pcm.samples.len() / 4..pcm.samples.len() * 3 / 4];
        let share = share_at(middle, 48_000, SPEECH_HZ);
        assert!(
            share > 0.8,
            "{label}: the recording holds her tone: {share}"
        );

        // Carl's phone declines: the box answers at once.
        carl.history.clear();
        let voice = Voice::bind();
        let call = dora_calls(&mut dora, &voice);
        let incoming = carl.wait_for_with(&mut [&mut dora], WAIT, |e| match e {
            PhoneEvent::Incoming { call, .. } => Some(*call),
            _ => None,
        });
        let started = Instant::now();
        carl.reject(incoming, 603).unwrap();
        let answered = outcome(&mut dora, &mut carl, call, WAIT);
        assert!(answered.is_ok(), "{label}: {answered:?}");
        assert!(started.elapsed() < RING, "{label}: {:?}", started.elapsed());
        dora.hang_up(call).unwrap();

        // Always to the box: Carl's phone does not ring.
        let rules = json!({
            "always": {"on": true, "target": "voicemail"},
            "busy": {"on": false},
            "no_answer": {"on": false},
        });
        let set = carl_web.request("PUT", "/api/v1/me/forwarding", Some(rules));
        assert_eq!(set.status, 200, "{label}: {}", set.body);
        // The rule reaches the switch over the event bus; the next call finds it.
        let until = Instant::now() + WAIT;
        loop {
            carl.history.clear();
            let voice = Voice::bind();
            let started = Instant::now();
            let call = dora_calls(&mut dora, &voice);
            let answered = outcome(&mut dora, &mut carl, call, RING + WAIT);
            assert!(answered.is_ok(), "{label}: {answered:?}");
            dora.hang_up(call).unwrap();
            let straight = started.elapsed() < RING && rang(&mut carl).is_none();
            if straight {
                break;
            }
            assert!(Instant::now() < until, "{label}: Carl's phone still rings");
        }
        let off =
            json!({"always": {"on": false}, "busy": {"on": false}, "no_answer": {"on": false}});
        let set = carl_web.request("PUT", "/api/v1/me/forwarding", Some(off));
        assert_eq!(set.status, 200, "{label}: {}", set.body);

        // Carl's box switched off: the call rings out, Dora hears 480 as before.
        let off = carl_web.request(
            "PUT",
            "/api/v1/voicemail/settings",
            Some(json!({"enabled": false, "email_mode": "off", "language": "de", "absence_on": false})),
        );
        assert_eq!(off.status, 200, "{label}: {}", off.body);
        carl.history.clear();
        let voice = Voice::bind();
        let started = Instant::now();
        let call = dora_calls(&mut dora, &voice);
        assert_eq!(
            outcome(&mut dora, &mut carl, call, RING + WAIT),
            Err(480),
            "{label}"
        );
        assert!(started.elapsed() >= RING - Duration::from_millis(200));
        assert!(rang(&mut carl).is_some(), "{label}: his phone rang first");
        // Still just the one message: the calls answered at once were hung up in the
        // greeting, and left nothing.
        assert_eq!(
            box_of(&mut carl_web, 1)["messages"]
                .as_array()
                .map(Vec::len),
            Some(1),
            "{label}"
        );
    }
}

#[test]
fn with_a_browser_open_too_the_box_answers_once_after_both_rang() {
    for s in on_every_database(short_rings) {
        let label = s.label;
        let carl_web = s.signed_in("c.clerk");
        let mut carl_ws = testkit::ws::connect(&carl_web, None);
        let mut carl = desk_phone(&s, "c.clerk");
        let mut dora = desk_phone(&s, "d.new");
        // The switch learns of the open browser over the event bus: the next call rings it.
        let until = Instant::now() + WAIT;
        let (call, started) = loop {
            let voice = Voice::bind();
            let started = Instant::now();
            let call = dora_calls(&mut dora, &voice);
            carl.wait_for_with(&mut [&mut dora], WAIT, |e| match e {
                PhoneEvent::Incoming { .. } => Some(()),
                _ => None,
            });
            let rung = carl_ws.drain(Duration::from_millis(500));
            if rung.iter().any(|f| f["type"] == "call.incoming") {
                break (call, started);
            }
            assert!(Instant::now() < until, "{label}: Carl's browser never rang");
            dora.hang_up(call).unwrap();
            outcome(&mut dora, &mut carl, call, WAIT).ok();
        };
        // Neither answers: after the ring time both stop, and the box answers, once.
        let answered = outcome(&mut dora, &mut carl, call, RING + WAIT);
        assert!(answered.is_ok(), "{label}: {answered:?}");
        assert!(
            started.elapsed() >= RING - Duration::from_millis(200),
            "{label}: not before the ring time: {:?}",
            started.elapsed()
        );
        carl_ws.wait_for(|f| f["type"] == "call.state" && f["state"] == "ended");
        let more = dora.pump(Duration::from_millis(500));
        assert!(
            !more
                .iter()
                .any(|e| matches!(e, PhoneEvent::Answered { .. } | PhoneEvent::Failed { .. })),
            "{label}: one answer only: {more:?}"
        );
        dora.hang_up(call).unwrap();
        dora.wait_for(WAIT, |e| match e {
            PhoneEvent::Ended { call: c, .. } if *c == call => Some(()),
            _ => None,
        });
    }
}
