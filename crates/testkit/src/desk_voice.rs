//! A desk phone's media for tests with the test phone ([`crate::sip_phone::udp`]): sends
//! PCMA every 20 ms from a socket of its own (silence, or a tone once told to speak) and
//! keeps what it hears, decoded to linear samples at 8 kHz. The voicemail tests use it as
//! the caller's voice: wait for the greeting and the signal tone, speak, hang up.

use crate::rtp_peer::{Packet, PCMA, PTIME_MS, SAMPLES};
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// A desk phone's RTP: what it says and what it heard.
pub struct DeskVoice {
    socket: UdpSocket,
    /// Where it sends (the far side's media address, from the SDP answer); nothing is
    /// sent before it is known.
    pub remote: Option<SocketAddr>,
    sequence: u16,
    sent: u32,
    /// The tone it speaks (Hz; 0: silence).
    pub hz: f32,
    /// Everything it heard so far, decoded (8 kHz).
    pub heard: Vec<f32>,
}

impl DeskVoice {
    /// A voice on a fresh loopback port, silent.
    pub fn bind() -> DeskVoice {
        DeskVoice {
            socket: UdpSocket::bind("127.0.0.1:0").expect("a loopback port"),
            remote: None,
            sequence: 0,
            sent: 0,
            hz: 0.0,
            heard: Vec::new(),
        }
    }

    /// Where it listens (for the SDP offer).
    pub fn local(&self) -> SocketAddr {
        self.socket.local_addr().expect("a bound socket")
    }

    fn packet(&mut self) -> Vec<u8> {
        let payload = (0..SAMPLES)
            .map(|i| {
                let t = f64::from(self.sent * SAMPLES + i) / 8_000.0;
                let x = (std::f64::consts::TAU * f64::from(self.hz) * t).sin() * 0.4;
                media::codec::linear_to_alaw((x * f64::from(i16::MAX)) as i16)
            })
            .collect();
        let packet = Packet {
            marker: self.sent == 0,
            payload_type: PCMA,
            sequence: self.sequence,
            timestamp: self.sent * SAMPLES,
            ssrc: 0x2502_0077,
            payload,
        };
        self.sequence = self.sequence.wrapping_add(1);
        self.sent += 1;
        packet.to_bytes()
    }

    /// Sends and hears for at most `limit`, until `done` holds for what was heard;
    /// whether it did.
    pub fn run(&mut self, limit: Duration, done: impl Fn(&[f32]) -> bool) -> bool {
        let end = Instant::now() + limit;
        let mut next = Instant::now();
        let mut buf = [0u8; 1500];
        loop {
            if done(&self.heard) {
                return true;
            }
            let now = Instant::now();
            if now >= end {
                return false;
            }
            if now >= next {
                if let Some(remote) = self.remote {
                    let packet = self.packet();
                    // A lost datagram is what the far side's loss handling is for.
                    let _ = self.socket.send_to(&packet, remote);
                }
                next += Duration::from_millis(PTIME_MS as u64);
            }
            let wait = next.saturating_duration_since(Instant::now());
            self.socket
                .set_read_timeout(Some(wait.max(Duration::from_millis(1))))
                .expect("a read timeout");
            if let Ok((n, _)) = self.socket.recv_from(&mut buf) {
                if let Ok(p) = Packet::parse(&buf[..n]) {
                    if p.payload_type == PCMA {
                        let samples = p.payload.iter().map(|&b| media::codec::alaw_to_linear(b));
                        self.heard.extend(samples.map(f32::from));
                    }
                }
            }
        }
    }
}
