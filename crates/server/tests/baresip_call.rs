//! A real call between two real softphones: two baresip instances register with digest
//! authentication to the built binary (SQLite) and one calls the other's extension; the
//! callee answers by itself. Durchwahl does not touch media: the SDP passes through the
//! proxy and RTP flows directly between the two phones on loopback. The caller plays a
//! 1 kHz tone, the callee plays silence, and each phone records what it hears (baresip's
//! `sndfile` filter): the callee's recording must carry the tone, the caller's must not.
//! The same call runs with both phones on UDP, with the callee on TCP and with both on TLS.
//!
//! Debian 12's baresip 1.0 (libre 1.1.0) gives up on the whole 401/407 as soon as one of
//! its challenges is not MD5 (ENOSYS, "Function not implemented"), instead of answering
//! the one it supports as RFC 8760 asks. The server runs with `[sip] offer_sha256 =
//! false`, the setting an administrator with such phones uses: they get the MD5
//! challenge only.
//!
//! baresip comes from the Debian package `baresip-core`, which `scripts/test` installs.

mod common;

use common::sip::{import, serve_with_config, Device, DOMAIN};
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const CALLEE_EXTENSION: &str = "3002";
const SAMPLE_RATE: u32 = 8_000;
const TONE_HZ: f64 = 1_000.0;
const TONE_AMPLITUDE: f64 = 12_000.0;
/// Other frequencies the recording is checked against: the tone must stand out.
const OTHER_HZ: [f64; 5] = [400.0, 700.0, 1_300.0, 1_700.0, 2_500.0];
/// How much of the callee's recording the test waits for before hanging up.
const RECORDED_SECONDS: u32 = 2;
const WAIT: Duration = Duration::from_secs(15);

/// A baresip process with its own config folder; killed when dropped (it also quits by
/// itself after a minute, should the test process die without dropping it).
struct Baresip {
    name: &'static str,
    child: Child,
    stdin: ChildStdin,
    output: Arc<Mutex<String>>,
    dir: PathBuf,
}

impl Baresip {
    /// Writes `dir`'s config and accounts and starts baresip: `device` registers through
    /// `outbound` (a SIP URI), answers calls by itself, sends `source` (a WAV file) and
    /// records what it hears into `dir`. `extra` goes into the config as it is.
    fn start(
        name: &'static str,
        dir: &Path,
        device: &Device,
        outbound: &str,
        extra: &str,
        source: &Path,
    ) -> Baresip {
        std::fs::create_dir_all(dir).unwrap();
        // No sound card: the tone comes from a file (aufile), what arrives goes through
        // the sndfile filter (the recording) into a bridge nobody listens to (aubridge).
        // Only loopback, a random SIP port, PCMU only.
        let config = format!(
            "poll_method epoll\n\
             net_interface 127.0.0.1\n\
             audio_player aubridge,{name}\n\
             audio_alert aubridge,{name}\n\
             audio_source aufile,{source}\n\
             rtp_timeout 0\n\
             snd_path {dir}\n\
             module_path /usr/lib/baresip/modules\n\
             module stdio.so\n\
             module g711.so\n\
             module sndfile.so\n\
             module aufile.so\n\
             module aubridge.so\n\
             module_tmp account.so\n\
             module_app menu.so\n\
             {extra}",
            source = source.display(),
            dir = dir.display(),
        );
        std::fs::write(dir.join("config"), config).unwrap();
        let account = format!(
            "<sip:{user}@{DOMAIN}>;auth_pass={password};outbound=\"{outbound}\";\
             regint=600;answermode=auto;audio_codecs=pcmu\n",
            user = device.user,
            password = device.password,
        );
        std::fs::write(dir.join("accounts"), account).unwrap();

        let mut child = Command::new("baresip")
            .args(["-t", "60", "-f"])
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
            name,
            stdin: child.stdin.take().unwrap(),
            child,
            output,
            dir: dir.to_path_buf(),
        }
    }

    fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// A menu command such as `/dial 3002`.
    fn command(&mut self, command: &str) {
        writeln!(self.stdin, "{command}").unwrap();
        self.stdin.flush().unwrap();
    }

    /// Waits until `text` appears in the output.
    fn wait_for(&self, text: &str, context: &dyn Fn() -> String) {
        let deadline = Instant::now() + WAIT;
        while !self.output().contains(text) {
            assert!(
                Instant::now() < deadline,
                "{}: no {text:?} within {WAIT:?}\n{}",
                self.name,
                context()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The recording of what this phone heard during the call.
    fn recording(&self) -> Option<PathBuf> {
        std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                name.starts_with("dump-") && name.ends_with("-dec.wav")
            })
    }

    /// Quits and waits (bounded) for the process to end.
    fn quit(mut self) {
        let _ = writeln!(self.stdin, "/quit");
        let _ = self.stdin.flush();
        let deadline = Instant::now() + WAIT;
        while Instant::now() < deadline {
            if self.child.try_wait().unwrap().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("{}: did not quit\n{}", self.name, self.output());
    }
}

impl Drop for Baresip {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A mono 16-bit WAV of `seconds` of the tone at `amplitude` (0: silence).
fn write_wav(path: &Path, amplitude: f64, seconds: u32) {
    let samples = SAMPLE_RATE * seconds;
    let data_len = samples * 2;
    let mut wav = Vec::with_capacity(44 + data_len as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    wav.extend_from_slice(&(SAMPLE_RATE * 2).to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..samples {
        let t = f64::from(i) / f64::from(SAMPLE_RATE);
        let sample = (amplitude * (2.0 * std::f64::consts::PI * TONE_HZ * t).sin()).round();
        wav.extend_from_slice(&(sample as i16).to_le_bytes());
    }
    std::fs::write(path, wav).unwrap();
}

/// The samples of a mono 16-bit WAV: everything after the `data` chunk's header (the
/// recorder may not have written the final length yet).
fn read_samples(path: &Path) -> Vec<f64> {
    let bytes = std::fs::read(path).unwrap();
    let start = bytes
        .windows(4)
        .position(|w| w == b"data")
        .map(|p| p + 8)
        .unwrap_or_else(|| panic!("no data chunk in {}", path.display()));
    bytes[start.min(bytes.len())..]
        .chunks_exact(2)
        .map(|b| f64::from(i16::from_le_bytes([b[0], b[1]])))
        .collect()
}

/// The amplitude of the `hz` component of `samples` (Goertzel).
fn amplitude_at(samples: &[f64], hz: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let k = 2.0 * (2.0 * std::f64::consts::PI * hz / f64::from(SAMPLE_RATE)).cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for x in samples {
        let s0 = x + k * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = s1 * s1 + s2 * s2 - k * s1 * s2;
    2.0 * power.max(0.0).sqrt() / samples.len() as f64
}

/// What a recording holds: the tone's amplitude, the loudest other frequency's and the
/// share of the signal's energy that is the tone.
#[derive(Debug)]
struct Analysis {
    seconds: f64,
    tone: f64,
    loudest_other: f64,
    tone_share: f64,
}

impl Analysis {
    fn of(samples: &[f64]) -> Analysis {
        let tone = amplitude_at(samples, TONE_HZ);
        let loudest_other = OTHER_HZ
            .iter()
            .map(|&hz| amplitude_at(samples, hz))
            .fold(0.0, f64::max);
        let mean_square = samples.iter().map(|x| x * x).sum::<f64>() / samples.len().max(1) as f64;
        Analysis {
            seconds: samples.len() as f64 / f64::from(SAMPLE_RATE),
            tone,
            loudest_other,
            // A sine of amplitude a has a mean square of a²/2.
            tone_share: if mean_square > 0.0 {
                tone * tone / 2.0 / mean_square
            } else {
                0.0
            },
        }
    }

    /// The tone is there: loud (PCMU and a late start of the recording cost a little),
    /// far above the other frequencies and most of the signal.
    fn has_tone(&self) -> bool {
        self.seconds >= f64::from(RECORDED_SECONDS)
            && self.tone > TONE_AMPLITUDE / 4.0
            && self.tone > 20.0 * self.loudest_other
            && self.tone_share > 0.8
    }
}

#[test]
fn two_baresip_phones_call_through_durchwahl_and_hear_each_other() {
    let dir = tempfile::tempdir().unwrap();
    call_and_listen(dir.path(), Over::Udp, Over::Udp, None);
}

/// The callee's phone keeps a TCP connection to Durchwahl: the call reaches it over that
/// connection (RFC 3261 §18.3 connection reuse), the caller is on UDP.
#[test]
fn a_phone_over_udp_calls_a_phone_over_tcp() {
    let dir = tempfile::tempdir().unwrap();
    call_and_listen(dir.path(), Over::Udp, Over::Tcp, None);
}

/// Both phones reach Durchwahl over TLS (`[sip] tls_listen`, the server's certificate
/// given to the phones as their CA file): the call goes in and out over TLS connections.
#[test]
fn two_phones_over_tls_call_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    testkit::tls::self_signed(DOMAIN, &[DOMAIN, "127.0.0.1"]).write_to(dir.path());
    call_and_listen(dir.path(), Over::Tls, Over::Tls, Some((&cert, &key)));
}

/// How a phone reaches Durchwahl.
#[derive(Clone, Copy, PartialEq)]
enum Over {
    Udp,
    Tcp,
    Tls,
}

impl Over {
    /// baresip's name of the transport in its registration line.
    fn name(self) -> &'static str {
        match self {
            Over::Udp => "UDP",
            Over::Tcp => "TCP",
            Over::Tls => "TLS",
        }
    }
}

/// Anna calls Bert, each over their transport (TLS needs `tls`: certificate and key),
/// who answers by himself; each records what they hear.
fn call_and_listen(dir: &Path, anna_over: Over, bert_over: Over, tls: Option<(&Path, &Path)>) {
    let db = testkit::sqlite();
    let staff = format!(
        "login;name;unit;extension;email;roles;features\n\
         anna;Anna Anruf;Bauamt;3001;;user;softphone\n\
         bert;Bert Berger;Bauamt;{CALLEE_EXTENSION};;user;softphone\n"
    );
    let phones = "login,label,password\n\
                  anna,Softphone,geheim-anna-Passwort\n\
                  bert,Softphone,geheim-bert-Passwort\n";
    let devices = import(&db, dir, &staff, phones);
    let device = |login: &str| -> &Device { devices.iter().find(|d| d.login == login).unwrap() };
    let log = dir.join("server.log");
    let mut config = String::from("[sip]\noffer_sha256 = false\n");
    if let Some((cert, key)) = tls {
        config.push_str(&format!(
            "tls_listen = \"127.0.0.1:0\"\ntls_certificate = \"{}\"\ntls_key = \"{}\"\n",
            cert.display(),
            key.display()
        ));
    }
    let (server, sip) = serve_with_config(&db, "127.0.0.1:0", &log, &config);
    let sip: SocketAddr = sip.parse().unwrap();
    let tls_at = server
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("sip listening on ")?.strip_suffix(" (tls)"));
    // The outbound proxy of a phone and its extra config lines.
    let setup = |over: Over| -> (String, String) {
        match over {
            Over::Udp => (format!("sip:{sip}"), String::new()),
            Over::Tcp => (format!("sip:{sip};transport=tcp"), String::new()),
            Over::Tls => {
                let at =
                    tls_at.unwrap_or_else(|| panic!("no SIP TLS address in {:?}", server.stdout));
                let (cert, _) = tls.expect("a certificate for TLS");
                let ca = format!("sip_cafile {}\n", cert.display());
                (format!("sip:{at};transport=tls"), ca)
            }
        }
    };
    let ((anna_outbound, anna_extra), (bert_outbound, bert_extra)) =
        (setup(anna_over), setup(bert_over));

    let tone = dir.join("tone.wav");
    let silence = dir.join("silence.wav");
    write_wav(&tone, TONE_AMPLITUDE, 10);
    write_wav(&silence, 0.0, 10);

    let mut anna = Baresip::start(
        "anna",
        &dir.join("anna"),
        device("anna"),
        &anna_outbound,
        &anna_extra,
        &tone,
    );
    let bert = Baresip::start(
        "bert",
        &dir.join("bert"),
        device("bert"),
        &bert_outbound,
        &bert_extra,
        &silence,
    );
    let (anna_output, bert_output) = (anna.output.clone(), bert.output.clone());
    let context = || {
        format!(
            "anna:\n{}\nbert:\n{}\nserver log:\n{}",
            anna_output.lock().unwrap(),
            bert_output.lock().unwrap(),
            String::from_utf8_lossy(&std::fs::read(&log).unwrap_or_default())
        )
    };

    // Both registered with their digest.
    anna.wait_for("registered successfully", &context);
    bert.wait_for("registered successfully", &context);
    // baresip names the transport its REGISTER got its 200 over.
    anna.wait_for(&format!("{{0/{}/v4}} 200 OK", anna_over.name()), &context);
    bert.wait_for(&format!("{{0/{}/v4}} 200 OK", bert_over.name()), &context);

    // Anna dials Bert's extension; his phone answers by itself.
    anna.command(&format!("/dial {CALLEE_EXTENSION}"));
    anna.wait_for("Call established", &context);
    bert.wait_for("Call established", &context);

    // Let Bert's phone record a while of what arrives, then Anna hangs up.
    let deadline = Instant::now() + WAIT;
    let enough = u64::from(44 + SAMPLE_RATE * 2 * RECORDED_SECONDS);
    while bert
        .recording()
        .and_then(|p| std::fs::metadata(p).ok())
        .is_none_or(|m| m.len() < enough)
    {
        assert!(
            Instant::now() < deadline,
            "bert recorded less than {RECORDED_SECONDS} s within {WAIT:?}\n{}",
            context()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    anna.command("/hangup");
    bert.wait_for("terminated", &context);
    let context = context();
    let (heard_by_bert, heard_by_anna) = (bert.recording(), anna.recording());
    anna.quit();
    bert.quit();

    let bert_heard = Analysis::of(&read_samples(&heard_by_bert.unwrap()));
    let anna_heard = Analysis::of(&read_samples(
        &heard_by_anna.unwrap_or_else(|| panic!("anna recorded nothing\n{context}")),
    ));
    assert!(
        bert_heard.has_tone(),
        "bert did not hear anna's tone: {bert_heard:?}\n{context}"
    );
    // Bert's phone sent silence, so the analysis must not find the tone in what Anna heard.
    assert!(
        anna_heard.seconds >= 1.0 && anna_heard.tone < TONE_AMPLITUDE / 100.0,
        "anna heard {anna_heard:?}\n{context}"
    );
}
