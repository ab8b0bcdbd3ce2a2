//! A WebRTC peer that stands in for a browser in tests and load runs: str0m with full ICE
//! (the controlling side, as browsers are), on a UDP socket of its own, offering audio
//! (Opus, PCMA, PCMU and telephone-events, as Chromium does). Once connected it sends a
//! 20 ms packet of the chosen codec's payload type with a recognisable payload, and
//! counts what arrives.

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use str0m::change::{SdpAnswer, SdpPendingOffer};
use str0m::format::{Codec, FormatParams};
use str0m::media::{Direction, Frequency, MediaKind, Mid};
use str0m::net::{Protocol, Receive};
use str0m::rtp::{RtpWrite, SeqNo};
use str0m::{Candidate, Event, Input, Output, Rtc};

/// What the peer saw, shared with its thread.
#[derive(Debug, Default)]
pub struct Counts {
    /// ICE and DTLS are done.
    pub connected: AtomicBool,
    /// Audio packets received.
    pub received: AtomicU64,
    /// Received packets whose payload was a peer's pattern.
    pub with_pattern: AtomicU64,
    /// The tag of the last patterned packet (which peer sent it).
    pub last_tag: AtomicU64,
    /// Telephone-event packets received.
    pub events: AtomicU64,
    /// Packets sent.
    pub sent: AtomicU64,
    /// The payload of the last audio packet received (what the peer hears now).
    pub last_payload: std::sync::Mutex<Vec<u8>>,
    /// Every payload received, back to back (up to 10 minutes of G.711), to check what
    /// was heard (a greeting, a tone).
    pub heard: std::sync::Mutex<Vec<u8>>,
}

/// A peer before the answer.
pub struct WebRtcPeer {
    rtc: Rtc,
    socket: UdpSocket,
    mid: Mid,
    pending: SdpPendingOffer,
    /// The SDP offer to send (`call.dial`/`call.answer`).
    pub offer: String,
}

/// A running peer.
pub struct RunningPeer {
    /// What it saw.
    pub counts: Arc<Counts>,
    /// Set to make it stop sending (it keeps answering ICE): a held browser.
    pub muted: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl WebRtcPeer {
    /// A peer on a fresh loopback port, offering `codecs` (str0m names).
    pub fn new(codecs: &[Codec]) -> WebRtcPeer {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("a loopback UDP port");
        let local = socket.local_addr().unwrap();
        let mut config = Rtc::builder()
            .set_rtp_mode(true)
            .clear_codecs()
            .set_crypto_provider(Arc::new(str0m::crypto::from_feature_flags()));
        let params = config.codec_config();
        params.enable_opus(codecs.contains(&Codec::Opus), false);
        params.enable_pcma(codecs.contains(&Codec::PCMA), false);
        params.enable_pcmu(codecs.contains(&Codec::PCMU), false);
        params.add_config(
            110.into(),
            None,
            Codec::Tele,
            Frequency::FORTY_EIGHT_KHZ,
            None,
            FormatParams::default(),
        );
        params.add_config(
            126.into(),
            None,
            Codec::Tele,
            Frequency::EIGHT_KHZ,
            None,
            FormatParams::default(),
        );
        let mut rtc = config.build(Instant::now());
        rtc.add_local_candidate(Candidate::host(local, "udp").unwrap());
        let mut change = rtc.sdp_api();
        let mid = change.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        let (offer, pending) = change.apply().unwrap();
        WebRtcPeer {
            rtc,
            socket,
            mid,
            pending,
            offer: offer.to_sdp_string(),
        }
    }

    /// Takes the server's answer and runs the peer on a thread of its own, sending the
    /// pattern `tag` in every packet.
    pub fn start(self, answer: &str, tag: u8) -> RunningPeer {
        self.start_with(answer, Sound::Pattern(tag))
    }

    /// As [`WebRtcPeer::start`], sending an A-law sine tone of `hz` (a caller speaking).
    pub fn start_tone(self, answer: &str, hz: f32) -> RunningPeer {
        self.start_with(answer, Sound::Tone(hz))
    }

    fn start_with(mut self, answer: &str, sound: Sound) -> RunningPeer {
        let answer = SdpAnswer::from_sdp_string(answer).expect("an SDP answer");
        self.rtc
            .sdp_api()
            .accept_answer(self.pending, answer)
            .expect("the answer fits the offer");
        let counts = Arc::new(Counts::default());
        let (stop, muted) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicBool::new(false)),
        );
        let (c, s, m) = (counts.clone(), stop.clone(), muted.clone());
        let thread =
            std::thread::spawn(move || run(self.rtc, self.socket, self.mid, sound, &c, &s, &m));
        RunningPeer {
            counts,
            muted,
            stop,
            thread: Some(thread),
        }
    }
}

impl RunningPeer {
    /// Waits up to `limit` until `check` holds for the counts.
    pub fn wait_until(&self, limit: Duration, check: impl Fn(&Counts) -> bool) -> bool {
        let until = Instant::now() + limit;
        while Instant::now() < until {
            if check(&self.counts) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        check(&self.counts)
    }

    /// Packets received so far.
    pub fn received(&self) -> u64 {
        self.counts.received.load(Ordering::Relaxed)
    }
}

impl Drop for RunningPeer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What a running peer sends.
#[derive(Debug, Clone, Copy)]
enum Sound {
    /// A tag byte, then 159 bytes of 0x5a (a constant level in A-law).
    Pattern(u8),
    /// A sine tone of this frequency at a speaking level, A-law.
    Tone(f32),
}

impl Sound {
    fn payload(self, packet: u64) -> Vec<u8> {
        match self {
            Sound::Pattern(tag) => {
                let mut payload = vec![0x5a; 160];
                payload[0] = tag;
                payload
            }
            Sound::Tone(hz) => (0..160u64)
                .map(|i| {
                    let t = (packet * 160 + i) as f32 / 8_000.0;
                    let s = (t * hz * std::f32::consts::TAU).sin() * 8_000.0;
                    media::codec::linear_to_alaw(s as i16)
                })
                .collect(),
        }
    }
}

fn run(
    mut rtc: Rtc,
    socket: UdpSocket,
    mid: Mid,
    sound: Sound,
    counts: &Counts,
    stop: &AtomicBool,
    muted: &AtomicBool,
) {
    let local = socket.local_addr().unwrap();
    let mut buf = vec![0u8; 2048];
    let mut next_packet = Instant::now();
    let mut seq = 1u64;
    let mut pt = None;
    while !stop.load(Ordering::Relaxed) {
        let timeout = loop {
            match rtc.poll_output() {
                Ok(Output::Timeout(t)) => break t,
                Ok(Output::Transmit(t)) => {
                    let _ = socket.send_to(&t.contents, t.destination);
                }
                Ok(Output::Event(Event::Connected)) => {
                    counts.connected.store(true, Ordering::Relaxed)
                }
                Ok(Output::Event(Event::RtpPacket(p))) => {
                    let payload_type = *p.header.payload_type;
                    if Some(payload_type) == pt {
                        counts.received.fetch_add(1, Ordering::Relaxed);
                        if let Ok(mut last) = counts.last_payload.lock() {
                            last.clear();
                            last.extend_from_slice(&p.payload);
                        }
                        if let Ok(mut heard) = counts.heard.lock() {
                            if heard.len() < 8_000 * 600 {
                                heard.extend_from_slice(&p.payload);
                            }
                        }
                        if p.payload.len() == 160 && p.payload[1..].iter().all(|b| *b == 0x5a) {
                            counts.with_pattern.fetch_add(1, Ordering::Relaxed);
                            counts
                                .last_tag
                                .store(u64::from(p.payload[0]), Ordering::Relaxed);
                        }
                    } else {
                        counts.events.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Ok(Output::Event(_)) => {}
                Err(_) => return,
            }
        };
        if pt.is_none() && counts.connected.load(Ordering::Relaxed) {
            // The answered codec: the first audio payload type the answer left.
            pt = rtc
                .media(mid)
                .and_then(|m| m.remote_pts().first().copied())
                .map(|p| *p);
        }
        let now = Instant::now();
        if let (Some(p), true) = (pt, now >= next_packet) {
            next_packet += Duration::from_millis(20);
            if !muted.load(Ordering::Relaxed) {
                let mut api = rtc.direct_api();
                if let Some(tx) = api.stream_tx_by_mid(mid, None) {
                    let payload = sound.payload(seq);
                    tx.write_rtp(RtpWrite::new(
                        p.into(),
                        SeqNo::from(seq),
                        (seq * 160) as u32,
                        now,
                        payload,
                    ));
                    seq += 1;
                    counts.sent.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        let wait = timeout
            .min(next_packet)
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1));
        socket
            .set_read_timeout(Some(wait.min(Duration::from_millis(20))))
            .ok();
        match socket.recv_from(&mut buf) {
            Ok((n, from)) => {
                if let Ok(r) = Receive::new(Protocol::Udp, from, local, &buf[..n]) {
                    let _ = rtc.handle_input(Input::Receive(Instant::now(), r));
                }
            }
            Err(_) => {
                let _ = rtc.handle_input(Input::Timeout(Instant::now()));
            }
        }
    }
}

/// The address a running peer's socket is bound to, for tests that check latching.
pub fn local_addr(peer: &WebRtcPeer) -> SocketAddr {
    peer.socket.local_addr().unwrap()
}

/// A browser's call over its WebSocket: `call.dial` to `target` with a G.711 (A-law)
/// peer's offer (reference `r`), the server's answer taken, the peer running with `tag`.
/// Returns the call's id and the peer.
pub fn dial(ws: &mut crate::ws::WsClient, r: u64, target: &str, tag: u8) -> (String, RunningPeer) {
    let peer = WebRtcPeer::new(&[Codec::PCMA]);
    ws.send(
        serde_json::json!({"type": "call.dial", "ref": r, "target": target, "sdp": peer.offer}),
    );
    let ack = ws.wait_for(|f| f["ref"] == r);
    let call = ack["call"]
        .as_str()
        .unwrap_or_else(|| panic!("{target}: {ack}"))
        .to_string();
    let sdp = ws.wait_for(|f| f["type"] == "call.media" && f["call"] == call)["sdp"]
        .as_str()
        .expect("an SDP answer")
        .to_string();
    (call, peer.start(&sdp, tag))
}

/// A browser answers a ringing call over its WebSocket: `call.answer` with a G.711
/// (A-law) peer's offer (reference `r`), the server's answer taken, the peer running with
/// `tag`.
pub fn answer(ws: &mut crate::ws::WsClient, r: u64, call: &str, tag: u8) -> RunningPeer {
    let peer = WebRtcPeer::new(&[Codec::PCMA]);
    ws.send(serde_json::json!({"type": "call.answer", "ref": r, "call": call, "sdp": peer.offer}));
    let sdp = ws.wait_for(|f| f["type"] == "call.media" && f["call"] == call)["sdp"]
        .as_str()
        .expect("an SDP answer")
        .to_string();
    peer.start(&sdp, tag)
}
