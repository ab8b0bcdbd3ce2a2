//! Voicemail with real SIP peers (issue 17, "Tests with real peers"), on SQLite and on
//! PostgreSQL when the run has one:
//!
//! - A citizen calls a clerk's direct number through the trunk from baresip (the
//!   carrier's side of an IP trunk); the clerk's browser rings and nobody answers. After
//!   the ring time the citizen hears the clerk's uploaded greeting (a 700 Hz test tone),
//!   then the 1 kHz signal tone, both found in what baresip recorded of the call
//!   (`sndfile`); the citizen speaks (500 Hz, baresip's `aufile`) for 5 s and hangs up.
//!   The message is in the clerk's box with the citizen's number and a length of 5 s,
//!   and its Ogg Opus recording holds the 500 Hz and nothing else.
//! - `*98` from the clerk's desk phone: sipp signals with the device's digest
//!   credentials (`tests/sip/scenarios/vm_listen.xml`), the phone's RTP is the test's
//!   own peer (`testkit::rtp_peer`), which listens to the menu and presses keys as
//!   RFC 4733 telephone-events. With two messages in the box (left from browsers, each
//!   caller speaking a tone of their own), it presses 7 while the first message plays
//!   and 2 while the second does: the first is deleted with its file, the second marked
//!   heard, and the box says goodbye and hangs up.
//! - Bad input: `voicemail_uploads.rs`.
//!
//! sipp comes from `sip-tester`, baresip from `baresip-core`; `scripts/test` installs
//! both.

mod common;

use common::sip::{finished, free_udp_port, spawn_sipp, trunk_config};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use str0m::format::Codec;
use testkit::http::Client;
use testkit::rtp_peer::{Received, RtpPeer};
use testkit::server::{on_every_database, Options, TestServer};
use testkit::sip_phone::udp::{UdpPhone, WAIT};
use testkit::sip_phone::PhoneEvent;
use testkit::voicemail::{share_at, stretches, tone_wav, wav_samples, Sound, Stretch, WINDOW_MS};
use testkit::webrtc_peer::{RunningPeer, WebRtcPeer};
use testkit::ws;

/// Carl's direct number in the trunk's block (+49 9321 928-…, extension 2501).
const CARL_DID: &str = "+4993219282501";
/// The citizen's number, as the carrier sends it.
const CITIZEN: &str = "+4930555123";
/// The greeting's test tone, and the signal tone after it.
const GREETING_HZ: u32 = 700;
const SIGNAL_HZ: u32 = 1_000;
/// What the citizen says.
const SPEECH_HZ: u32 = 500;
/// How long the citizen speaks after the signal tone.
const SPEAKS: Duration = Duration::from_secs(5);
/// What the two callers who leave messages for the desk phone test say.
const DORA_HZ: u32 = 600;
const BARBEL_HZ: u32 = 450;

/// Options whose configuration is `toml` read as `durchwahl serve --config` reads it.
fn configured(toml: &str) -> Options {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("durchwahl.toml");
    std::fs::write(&file, toml).unwrap();
    let config = durchwahl::config::load(Some(&file), &[], &Default::default())
        .unwrap_or_else(|e| panic!("test configuration: {e:#}"));
    Options {
        config,
        ..Options::default()
    }
}

/// The box of a signed-in person.
fn voicemail(client: &mut Client) -> Value {
    let list = client.get("/api/v1/voicemail");
    assert_eq!(list.status, 200, "{}", list.body);
    list.json()
}

/// Waits (up to 15 s) until the box of `client` holds `n` messages; the list.
fn box_with(client: &mut Client, n: usize) -> Value {
    let until = Instant::now() + Duration::from_secs(15);
    loop {
        let list = voicemail(client);
        if list["messages"].as_array().map(Vec::len) == Some(n) || Instant::now() > until {
            return list;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Uploads `wav` as the personal greeting of `client`.
fn upload_greeting(client: &mut Client, name: &str, bytes: &[u8]) -> testkit::http::Reply {
    client.request_raw(
        "PUT",
        &format!("/api/v1/voicemail/greetings/personal?name={name}"),
        "application/octet-stream",
        bytes,
    )
}

/// How many files are below the data folder's `voicemail` folder.
fn files_in(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => files_in(&e.path()),
            _ => 1,
        })
        .sum()
}

// --- baresip as the carrier's caller -------------------------------------------------

/// A baresip process with its own config folder, calling without registering; killed
/// when dropped (it also quits by itself after 90 s).
struct Baresip {
    child: Child,
    stdin: ChildStdin,
    output: Arc<Mutex<String>>,
    dir: PathBuf,
}

impl Baresip {
    /// baresip in `dir`, listening for SIP on 127.0.0.1:`port` as `<sip:number@127.0.0.1>`,
    /// sending `speech` (a WAV file) from the start of a call and recording what it hears
    /// into `dir` (the `sndfile` filter, `dump-…-dec.wav`). PCMA only, as the carrier.
    fn start(dir: &Path, port: u16, number: &str, speech: &Path) -> Baresip {
        std::fs::create_dir_all(dir).unwrap();
        // No sound card: speech from a file (aufile), what arrives goes through the
        // recorder into a bridge nobody listens to (aubridge).
        let config = format!(
            "poll_method epoll\n\
             net_interface 127.0.0.1\n\
             sip_listen 127.0.0.1:{port}\n\
             audio_player aubridge,citizen\n\
             audio_alert aubridge,citizen\n\
             audio_source aufile,{speech}\n\
             rtp_timeout 0\n\
             snd_path {dir}\n\
             module_path /usr/lib/baresip/modules\n\
             module stdio.so\n\
             module g711.so\n\
             module sndfile.so\n\
             module aufile.so\n\
             module aubridge.so\n\
             module_tmp account.so\n\
             module_app menu.so\n",
            speech = speech.display(),
            dir = dir.display(),
        );
        std::fs::write(dir.join("config"), config).unwrap();
        // regint=0: a carrier does not register with the office.
        let account = format!("<sip:{number}@127.0.0.1>;regint=0;audio_codecs=pcma\n");
        std::fs::write(dir.join("accounts"), account).unwrap();
        let mut child = Command::new("baresip")
            .args(["-t", "90", "-f"])
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start baresip (is baresip-core installed? scripts/test installs it)");
        let output = Arc::new(Mutex::new(String::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let output = output.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).split(b'\n') {
                    let Ok(line) = line else { break };
                    let mut out = output.lock().unwrap();
                    out.push_str(&String::from_utf8_lossy(&line));
                    out.push('\n');
                }
            });
        }
        Baresip {
            stdin: child.stdin.take().unwrap(),
            child,
            output,
            dir: dir.to_path_buf(),
        }
    }

    fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// A menu command such as `/dial sip:…`.
    fn command(&mut self, command: &str) {
        writeln!(self.stdin, "{command}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Waits up to `limit` until `text` appears in the output.
    fn wait_for(&self, text: &str, limit: Duration) {
        let deadline = Instant::now() + limit;
        while !self.output().contains(text) {
            assert!(
                Instant::now() < deadline,
                "baresip: no {text:?} within {limit:?}\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// What it heard of the call so far (rate, samples).
    fn heard(&self) -> Option<(u32, Vec<f32>)> {
        let file = std::fs::read_dir(&self.dir).ok()?.flatten().find(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("dump-") && name.ends_with("-dec.wav")
        })?;
        wav_samples(&std::fs::read(file.path()).ok()?)
    }
}

impl Drop for Baresip {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the caller heard, as stretches of the greeting's tone, the signal tone and the
/// speech tone, silence and other sound.
fn heard_stretches(rate: u32, samples: &[f32]) -> Vec<Stretch> {
    stretches(samples, rate, &[GREETING_HZ, SIGNAL_HZ, SPEECH_HZ])
}

/// The greeting (at least 1.8 s of its tone) and right after it the signal tone in what
/// was heard, as the two stretches, and how much was heard after the tone (ms).
fn greeting_then_tone(heard: &[Stretch]) -> Option<(Stretch, Stretch, u32)> {
    let greeting = heard
        .iter()
        .position(|s| s.sound == Sound::Tone(GREETING_HZ) && s.ms >= 1_800)?;
    // A window on the border of the two may be neither.
    let tone = heard[greeting + 1..]
        .iter()
        .take(2)
        .position(|s| s.sound == Sound::Tone(SIGNAL_HZ))
        .map(|i| greeting + 1 + i)?;
    let between = heard[tone].start_ms - heard[greeting].end_ms();
    let after = heard[tone + 1..].iter().map(|s| s.ms).sum();
    (between <= WINDOW_MS).then_some((heard[greeting], heard[tone], after))
}

/// Waits (up to 30 s) until `caller` heard the greeting and the whole signal tone: sound
/// came after it, or (the box sends nothing while it records) nothing more came for
/// 200 ms after 400 ms of it. When that was.
fn signal_tone_over(caller: &Baresip, label: &str) -> Instant {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last_change = (0, Instant::now());
    loop {
        let heard = caller.heard();
        if let Some((rate, samples)) = &heard {
            if samples.len() != last_change.0 {
                last_change = (samples.len(), Instant::now());
            }
            let quiet = last_change.1.elapsed() >= Duration::from_millis(200);
            match greeting_then_tone(&heard_stretches(*rate, samples)) {
                Some((_, _, after)) if after >= 100 => return Instant::now(),
                Some((_, tone, _)) if tone.ms >= 400 && quiet => return last_change.1,
                _ => {}
            }
        }
        assert!(
            Instant::now() < deadline,
            "{label}: no greeting and signal tone within 30 s; heard {:?}\n{}",
            heard.map(|(rate, samples)| heard_stretches(rate, &samples)),
            caller.output()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_citizen_nobody_answers_hears_the_greeting_and_the_tone_and_leaves_a_message() {
    let ports = RefCell::new(Vec::new());
    let servers = on_every_database(|| {
        let (carrier, trunk) = (free_udp_port(), free_udp_port());
        ports.borrow_mut().push((carrier, trunk));
        configured(&format!(
            "{}[sip]\nring_timeout_seconds = 5\n",
            trunk_config(carrier, trunk, "ip")
        ))
    });
    for (s, (carrier, trunk)) in servers.into_iter().zip(ports.take()) {
        let label = s.label;
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();

        // Carl's greeting: 2 s of 700 Hz, uploaded as a 16 kHz WAV.
        let mut carl = s.signed_in("c.clerk");
        let up = upload_greeting(
            &mut carl,
            "ansage.wav",
            &tone_wav(f64::from(GREETING_HZ), 2.0, 16_000),
        );
        assert_eq!(up.status, 200, "{label}: {}", up.body);
        let seconds = up.json()["duration_secs"].as_f64().unwrap();
        assert!((1.95..=2.05).contains(&seconds), "{label}: {seconds} s");
        assert_eq!(voicemail(&mut carl)["mailbox"]["greeting"], true);
        // His browser is on: the call rings there first.
        let mut carl_ws = ws::connect(&carl, None);

        // The citizen speaks 500 Hz from the moment the call is connected.
        let speech = dir.join("speech.wav");
        std::fs::write(&speech, tone_wav(f64::from(SPEECH_HZ), 60.0, 8_000)).unwrap();
        let mut citizen = Baresip::start(&dir.join("citizen"), carrier, CITIZEN, &speech);
        citizen.wait_for("baresip is ready", WAIT);
        let dialled = Instant::now();
        citizen.command(&format!("/dial sip:{CARL_DID}@127.0.0.1:{trunk}"));
        let incoming = carl_ws.wait_for(|f| f["type"] == "call.incoming");
        assert_eq!(incoming["from"]["number"], CITIZEN, "{label}: {incoming}");
        let call = incoming["call"].as_str().unwrap().to_string();

        // Nobody answers. After the ring time the box takes the call: greeting, tone.
        let tone_over = signal_tone_over(&citizen, label);
        let rang = carl_ws
            .wait_for(|f| f["type"] == "call.state" && f["call"] == call && f["state"] == "ended");
        assert_eq!(rang["reason"], "no_answer", "{label}: {rang}");
        // Ring time (5 s), greeting (2 s), tone (0.5 s).
        let waited = tone_over - dialled;
        assert!(
            waited >= Duration::from_millis(7_400),
            "{label}: the greeting came after the ring time: the tone was over after {waited:?}"
        );

        // The citizen speaks for 5 s after the tone and hangs up.
        std::thread::sleep((tone_over + SPEAKS).saturating_duration_since(Instant::now()));
        citizen.command("/hangup");
        let list = box_with(&mut carl, 1);
        let (rate, samples) = citizen.heard().expect("baresip recorded the call");
        drop(citizen);

        // What the citizen heard: only the greeting's tone, then the signal tone.
        let heard = heard_stretches(rate, &samples);
        let (greeting, tone, _) = greeting_then_tone(&heard)
            .unwrap_or_else(|| panic!("{label}: greeting and tone in {heard:?}"));
        assert!(
            (1_800..=2_150).contains(&greeting.ms),
            "{label}: the 2 s greeting: {heard:?}"
        );
        assert!(
            (400..=600).contains(&tone.ms),
            "{label}: the 500 ms signal tone: {heard:?}"
        );
        assert!(
            heard
                .iter()
                .filter(|s| s.end_ms() <= greeting.start_ms)
                .all(|s| !matches!(s.sound, Sound::Tone(GREETING_HZ | SIGNAL_HZ))),
            "{label}: nothing like the greeting or the tone before the greeting: {heard:?}"
        );

        // The message: the citizen's number, 5 s long.
        assert_eq!(list["unheard"], 1, "{label}: {list}");
        let message = &list["messages"][0];
        assert_eq!(message["caller_number"], CITIZEN, "{label}: {list}");
        assert_eq!(message["heard"], false);
        // 5 s of speech; the recording starts at the tone's end and the citizen at the
        // moment it hears that end, which a loaded machine may delay by a second or two
        // (the silence before the first word is kept; only the end is trimmed).
        let ms = message["duration_ms"].as_i64().unwrap();
        assert!(
            (4_600..=7_600).contains(&ms),
            "{label}: 5 s after the tone, {ms} ms"
        );

        // Its recording is what the citizen said, all of it.
        let id = message["id"].as_i64().unwrap();
        let played = carl.get(&format!("/api/v1/voicemail/messages/{id}/audio"));
        assert_eq!(played.status, 200, "{label}");
        assert_eq!(played.header("content-type"), Some("audio/ogg"));
        let pcm = audio::opus::from_ogg_opus(&played.bytes, 60).unwrap();
        let length_ms = pcm.samples.len() as i64 * 1_000 / i64::from(pcm.rate);
        assert!(
            (length_ms - ms).abs() <= 100,
            "{label}: the file is {length_ms} ms, the list says {ms} ms"
        );
        let middle = &pcm.samples[pcm.samples.len() / 4..pcm.samples.len() * 3 / 4];
        let share = share_at(middle, pcm.rate, SPEECH_HZ as f32);
        assert!(share > 0.9, "{label}: the recording holds 500 Hz: {share}");
        let recorded = stretches(&pcm.samples, pcm.rate, &[SPEECH_HZ, GREETING_HZ, SIGNAL_HZ]);
        let speech_ms: u32 = recorded
            .iter()
            .filter(|s| s.sound == Sound::Tone(SPEECH_HZ))
            .map(|s| s.ms)
            .sum();
        assert!(
            i64::from(speech_ms) >= length_ms - 300,
            "{label}: the recording is the citizen's speech, nothing of the greeting or \
             the tone: {recorded:?}"
        );
    }
}

// --- *98 from a desk phone ------------------------------------------------------------

/// Whether the last 100 ms a WebRTC caller heard are the signal tone.
fn hears_the_tone(peer: &RunningPeer) -> bool {
    let heard: Vec<f32> = peer
        .counts
        .heard
        .lock()
        .unwrap()
        .iter()
        .map(|&b| f32::from(media::codec::alaw_to_linear(b)) / 32_768.0)
        .collect();
    heard.len() >= 800 && share_at(&heard[heard.len() - 800..], 8_000, SIGNAL_HZ as f32) > 0.8
}

/// `login` calls Carl from the browser (nobody can answer: his box takes the call),
/// speaks a tone at `hz` for 1.5 s after the signal tone and hangs up.
fn leave_message(s: &TestServer, login: &str, hz: u32) {
    let caller = s.signed_in(login);
    let mut ws = ws::connect(&caller, None);
    let peer = WebRtcPeer::new(&[Codec::PCMA]);
    ws.send(json!({"type": "call.dial", "ref": 1, "target": "2501", "sdp": peer.offer}));
    let ack = ws.wait_for(|f| f["ref"] == 1);
    let call = ack["call"]
        .as_str()
        .unwrap_or_else(|| panic!("{}: {ack}", s.label))
        .to_string();
    let sdp = ws.wait_for(|f| f["type"] == "call.media" && f["call"] == call)["sdp"]
        .as_str()
        .unwrap()
        .to_string();
    let peer = peer.start_tone(&sdp, hz as f32);
    assert!(
        peer.wait_until(Duration::from_secs(20), |_| hears_the_tone(&peer)),
        "{}: {login} heard no signal tone",
        s.label
    );
    std::thread::sleep(Duration::from_millis(1_500));
    ws.send(json!({"type": "call.hangup", "ref": 2, "call": call}));
    ws.wait_for(|f| f["type"] == "call.state" && f["call"] == call && f["state"] == "ended");
}

/// A port for sipp's own media sockets (which the scenario does not use) with the next
/// three free too: sipp binds the port and the one two above it.
fn free_media_port() -> u16 {
    loop {
        let port = free_udp_port();
        let free = (1..=3).all(|d| {
            port.checked_add(d)
                .is_some_and(|p| std::net::UdpSocket::bind(("127.0.0.1", p)).is_ok())
        });
        if free {
            return port;
        }
    }
}

/// The SDP of the 200 that sipp logged as received (`-trace_msg`), once it came.
fn answer_in(log: &Path, limit: Duration, context: impl Fn() -> String) -> String {
    let deadline = Instant::now() + limit;
    loop {
        let text = String::from_utf8_lossy(&std::fs::read(log).unwrap_or_default()).into_owned();
        let received: Vec<&str> = text
            .split("----------------------------------------------- ")
            .filter_map(|entry| {
                let (_, message) = entry.split_once(" message received ")?;
                Some(message.split_once(" bytes :\n")?.1.trim_start())
            })
            .collect();
        let answer = received
            .iter()
            .find(|m| m.starts_with("SIP/2.0 200") && m.contains("m=audio"));
        if let Some(answer) = answer {
            return answer
                .split_once("\nv=0")
                .map_or("", |(_, sdp)| sdp)
                .to_string();
        }
        // A refusal other than the digest challenge ends the wait at once.
        let refused = received.iter().find(|m| {
            m.starts_with("SIP/2.0 ")
                && !["SIP/2.0 1", "SIP/2.0 401", "SIP/2.0 407"]
                    .iter()
                    .any(|p| m.starts_with(p))
        });
        if let Some(refused) = refused {
            let status = refused.lines().next().unwrap_or_default();
            panic!("the call was refused with {status}\n{}", context());
        }
        assert!(
            Instant::now() < deadline,
            "no 200 with SDP within {limit:?}\n{}",
            context()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Where an SDP wants its audio (`c=IN IP4` and `m=audio`), and its first format.
fn audio_of(sdp: &str) -> Option<(SocketAddr, u8)> {
    let ip = sdp
        .lines()
        .find_map(|l| l.trim().strip_prefix("c=IN IP4 "))?
        .parse()
        .ok()?;
    let mut m = sdp
        .lines()
        .find_map(|l| l.trim().strip_prefix("m=audio "))?
        .split_whitespace();
    let port = m.next()?.parse().ok()?;
    let format = m.nth(1)?.parse().ok()?;
    Some((SocketAddr::new(ip, port), format))
}

/// Whether the last 300 ms the desk phone heard (PCMA) are a tone at `hz`.
fn phone_hears(received: &Received, hz: u32) -> bool {
    received.sources().any(|(_, from)| {
        let tail: Vec<f32> = from.voice[from.voice.len().saturating_sub(15)..]
            .iter()
            .flatten()
            .map(|&b| f32::from(media::codec::alaw_to_linear(b)) / 32_768.0)
            .collect();
        tail.len() >= 2_400 && share_at(&tail, 8_000, hz as f32) > 0.8
    })
}

/// Presses `digit` on the desk phone (RFC 4733) and sends it off.
fn press(phone: &mut RtpPeer, digit: u8) {
    phone.send_event(digit);
    phone
        .run(4, Duration::from_secs(1), |_| true)
        .expect("send the key");
}

#[test]
fn star_98_from_a_desk_phone_deletes_a_message_and_marks_the_next_heard() {
    for s in on_every_database(Options::default) {
        let label = s.label;
        let dir = tempfile::tempdir().unwrap();
        let dir = dir.path();

        // Carl's desk phone, made as an administrator makes one. It registers once (so
        // the switch surely knows the device) and leaves again: calls for Carl then find
        // nobody and go to his box at once.
        let account = s.sip_account("c.clerk", "Tischtelefon");
        let mut desk = UdpPhone::bind(account.clone(), s.sip).unwrap();
        assert!(desk.register_until_accepted(WAIT) > 0, "{label}");
        desk.unregister();
        desk.wait_for(WAIT, |e| {
            matches!(e, PhoneEvent::Registered { expires: 0 }).then_some(())
        });
        drop(desk);

        // A short greeting, and two messages: Dora's (600 Hz), then Bärbel's (450 Hz).
        let mut carl = s.signed_in("c.clerk");
        let up = upload_greeting(
            &mut carl,
            "kurz.wav",
            &tone_wav(f64::from(GREETING_HZ), 1.0, 8_000),
        );
        assert_eq!(up.status, 200, "{label}: {}", up.body);
        leave_message(&s, "d.new", DORA_HZ);
        assert_eq!(
            box_with(&mut carl, 1)["messages"][0]["caller_number"],
            "2502"
        );
        leave_message(&s, "b.user", BARBEL_HZ);
        let before = box_with(&mut carl, 2);
        let numbers = |list: &Value| -> Vec<Value> {
            list["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["caller_number"].clone())
                .collect()
        };
        // Newest first; the phone menu plays them in this order too.
        assert_eq!(numbers(&before), [json!("2401"), json!("2502")], "{label}");
        assert_eq!(before["unheard"], 2, "{label}: {before}");
        let recordings = s.data_dir.join("voicemail");
        let files = files_in(&recordings);

        // The desk phone dials *98: sipp signals, the phone's audio and keys are ours.
        let mut phone = RtpPeer::bind(0x2501_0098).unwrap();
        let csv = dir.join("desk.csv");
        let line = format!("SEQUENTIAL\n{};{}\n", account.username, account.password);
        std::fs::write(&csv, line).unwrap();
        let (rtp_port, media) = (
            phone.local_addr().port().to_string(),
            free_media_port().to_string(),
        );
        let sipp = spawn_sipp(
            dir,
            "listen",
            "vm_listen.xml",
            free_udp_port(),
            &[
                "-inf",
                csv.to_str().unwrap(),
                "-s",
                "*98",
                "-key",
                "domain",
                &account.domain,
                "-key",
                "rtp_port",
                &rtp_port,
                "-mp",
                &media,
                "-m",
                "1",
                &s.sip.to_string(),
            ],
        );
        let log = dir.join("listen.msg");
        let context = || {
            let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
            format!(
                "{label}\nsipp's errors:\n{}\nsipp's messages:\n{}",
                read(&dir.join("listen.err")),
                read(&log)
            )
        };
        let answer = answer_in(&log, Duration::from_secs(10), context);
        let (box_at, format) =
            audio_of(&answer).unwrap_or_else(|| panic!("{label}: an answer SDP: {answer}"));
        assert_eq!(format, 8, "{label}: PCMA, as offered first: {answer}");
        phone.set_remote(Some(box_at));

        // The opening sentence, "Nachricht von 2401", Bärbel's message: deleted while it
        // plays ("7"). Then Dora's message: heard ("2"). Then the goodbye and the BYE.
        let heard = |phone: &RtpPeer, hz| phone_hears(phone.received(), hz);
        let limit = Duration::from_secs(20);
        let first = phone.run(0, limit, |r| phone_hears(r, BARBEL_HZ)).unwrap();
        assert!(
            first,
            "{label}: Bärbel's message plays first\n{}",
            context()
        );
        press(&mut phone, 7);
        let next = phone.run(0, limit, |r| phone_hears(r, DORA_HZ)).unwrap();
        assert!(next, "{label}: Dora's message plays next\n{}", context());
        assert!(!heard(&phone, BARBEL_HZ), "{label}");
        press(&mut phone, 2);
        finished(sipp, dir, "listen");

        // Bärbel's message is gone with its file; Dora's is heard.
        let after = box_with(&mut carl, 1);
        assert_eq!(numbers(&after), [json!("2502")], "{label}: {after}");
        assert_eq!(after["messages"][0]["heard"], true, "{label}: {after}");
        assert_eq!(after["unheard"], 0, "{label}: {after}");
        assert_eq!(
            after["messages"][0]["id"], before["messages"][1]["id"],
            "{label}"
        );
        assert_eq!(
            files_in(&recordings),
            files - 1,
            "{label}: the file went too"
        );
    }
}

// --- bad input -------------------------------------------------------------------------
