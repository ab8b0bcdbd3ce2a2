//! The RTP of every caller of the voicemail load in one thread ([`crate::rtp_wheel`], as
//! the hotline load's). Each caller's [`Caller`] decides what it sends and when it is
//! done; a done caller's id goes to the carrier, which hangs up. Reports wait until
//! collected.

use super::caller::{Caller, CallerReport, Script};
use crate::hotline::stream::FRAME;
use crate::rtp_wheel::{ssrc, Load, RtpThreads, Sends};
use std::collections::HashMap;
use std::net::UdpSocket;

/// RTP payload type of PCMA (RFC 3551 §6).
const PCMA: u8 = 8;

/// What one caller heard and did, with its sends.
#[derive(Debug, Clone)]
pub struct Report {
    /// The caller's id.
    pub id: u32,
    /// Packets it sent.
    pub sent: u64,
    /// Sends the kernel refused.
    pub send_errors: u64,
    /// What it heard and when it spoke.
    pub caller: CallerReport,
}

/// The handle of the RTP thread; dropping it ends the thread.
pub type Rtp = RtpThreads<Report>;

/// Starts the thread with each caller's script by id; a caller that is done is sent on
/// `done`.
pub fn start(
    scripts: HashMap<u32, Script>,
    done: tokio::sync::mpsc::UnboundedSender<u32>,
) -> std::io::Result<Rtp> {
    let callers = Callers {
        scripts,
        done,
        packet: [0; 12 + FRAME],
    };
    RtpThreads::start(vec![("voicemail-rtp".into(), callers)])
}

struct Phone {
    id: u32,
    caller: Caller,
    seq: u16,
    /// Its own counter: wraps at 2^32, not with the sequence number (RFC 3550 §5.1; a
    /// timestamp jumping back would make the server's recorder drop what follows).
    timestamp: u32,
    ssrc: u32,
    told_done: bool,
}

/// The thread's state.
struct Callers {
    scripts: HashMap<u32, Script>,
    done: tokio::sync::mpsc::UnboundedSender<u32>,
    packet: [u8; 12 + FRAME],
}

impl Load for Callers {
    type Stream = Phone;
    type Report = Report;
    const EVENTS: usize = 512;

    fn open(&mut self, id: u32) -> Result<Phone, Option<Report>> {
        let script = self.scripts.remove(&id).ok_or(None)?;
        let ssrc = ssrc(0x564d_0000, id);
        Ok(Phone {
            id,
            caller: Caller::new(script),
            seq: (ssrc >> 16) as u16,
            timestamp: ssrc.rotate_left(11),
            ssrc,
            told_done: false,
        })
    }

    fn refused(&mut self, _: u32, _: String) -> Option<Report> {
        None
    }

    fn send(&mut self, p: &mut Phone, socket: &UdpSocket, now: i64) -> std::io::Result<usize> {
        let b = &mut self.packet;
        b[0] = 0x80;
        b[1] = PCMA;
        b[2..4].copy_from_slice(&p.seq.to_be_bytes());
        b[4..8].copy_from_slice(&p.timestamp.to_be_bytes());
        b[8..12].copy_from_slice(&p.ssrc.to_be_bytes());
        b[12..].copy_from_slice(p.caller.next_frame(now));
        let sent = socket.send(&b[..]);
        p.seq = p.seq.wrapping_add(1);
        p.timestamp = p.timestamp.wrapping_add(FRAME as u32);
        if p.caller.is_done() && !p.told_done {
            p.told_done = true;
            let _ = self.done.send(p.id);
        }
        sent
    }

    fn receive(&mut self, p: &mut Phone, datagram: std::io::Result<&[u8]>, now: i64) {
        p.caller.on_datagram(datagram.unwrap_or(&[]), now);
    }

    fn close(&mut self, id: u32, p: Phone, sends: Sends) -> Report {
        Report {
            id,
            sent: sends.sent,
            send_errors: sends.send_errors,
            caller: p.caller.report(),
        }
    }
}
