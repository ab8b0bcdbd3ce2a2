//! The RTP of every phone of the hotline load in one thread ([`crate::rtp_wheel`]): each
//! phone sends its stream's packets and counts what it hears; what each heard is kept
//! until collected.

use super::stream::{Heard, Known, Packet};
pub use crate::rtp_wheel::wall_us;
use crate::rtp_wheel::{ssrc, Load, RtpThreads, Sends};
use std::net::UdpSocket;

/// What one phone sent and heard, when it is removed.
#[derive(Debug)]
pub struct Report {
    /// The phone's stream id.
    pub id: u32,
    /// Packets it sent.
    pub sent: u64,
    /// Sends the kernel refused.
    pub send_errors: u64,
    /// What it heard.
    pub heard: Heard,
}

/// The handle of the RTP thread; dropping it ends the thread.
pub type Media = RtpThreads<Report>;

/// Starts the thread.
pub fn start(known: Known) -> std::io::Result<Media> {
    let phones = Phones {
        known,
        packet: Packet::default(),
    };
    RtpThreads::start(vec![("hotline-rtp".into(), phones)])
}

struct Phone {
    id: u32,
    seq: u16,
    ssrc: u32,
    heard: Heard,
}

/// The thread's state.
struct Phones {
    known: Known,
    packet: Packet,
}

impl Load for Phones {
    type Stream = Phone;
    type Report = Report;
    const EVENTS: usize = 512;

    fn open(&mut self, id: u32) -> Result<Phone, Option<Report>> {
        let ssrc = ssrc(0x4857_0000, id);
        Ok(Phone {
            id,
            seq: (ssrc >> 16) as u16,
            ssrc,
            heard: Heard::default(),
        })
    }

    fn refused(&mut self, _: u32, _: String) -> Option<Report> {
        None
    }

    fn send(&mut self, p: &mut Phone, socket: &UdpSocket, now: i64) -> std::io::Result<usize> {
        let sent = socket.send(self.packet.fill(p.id, p.seq, p.ssrc, now));
        p.seq = p.seq.wrapping_add(1);
        sent
    }

    fn receive(&mut self, p: &mut Phone, datagram: std::io::Result<&[u8]>, now: i64) {
        match datagram {
            Ok(d) => p.heard.on_datagram(&self.known, d, now),
            Err(_) => p.heard.foreign += 1,
        }
    }

    fn close(&mut self, id: u32, p: Phone, sends: Sends) -> Report {
        Report {
            id,
            sent: sends.sent,
            send_errors: sends.send_errors,
            heard: p.heard,
        }
    }
}
