//! The fax machines' RTP in a few threads (`--threads`, [`crate::rtp_wheel`]), as the
//! voicemail load's: machine `id` lives in thread `id % threads`. Real time matters:
//! SpanDSP's modems break on slipped samples, so a late thread catches up slot by slot (a
//! burst, in order, timestamps 160 apart), never skipping a packet.
//!
//! A machine whose fax came to its end is told to the carrier after [`HANG_UP_AFTER`]
//! (the server should hang up first, once its own modem is done); a machine removed
//! before its end is hung up (its outcome says so). Reports wait until collected; each
//! thread's CPU time comes back when it stops.

use super::machine::{Machine, MachineReport};
use crate::rtp_wheel::{ssrc, wall_us, Load, RtpThreads, Sends};
use fax::{AudioFax, Direction};
use std::collections::HashMap;
use std::net::UdpSocket;
use std::path::PathBuf;

/// After its fax ended, a machine waits this long for the server's BYE before the
/// carrier hangs up itself.
const HANG_UP_AFTER: i64 = 5_000_000;

/// What a machine sends and how it calls itself.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The TIFF to send.
    pub tiff: PathBuf,
    /// Its station id (TSI).
    pub ident: String,
}

/// What one machine did on its line.
#[derive(Debug, Clone)]
pub struct Report {
    /// The machine's id.
    pub id: u32,
    /// Sends the kernel refused.
    pub send_errors: u64,
    /// Its modem could not be set up (SpanDSP's error).
    pub error: Option<String>,
    /// What it heard, sent and how its fax ended.
    pub machine: MachineReport,
}

/// The RTP threads; [`RtpThreads::stop`] ends them.
pub type Lines = RtpThreads<Report>;

/// Starts `threads` threads for the machines of `setups` (by id); a machine whose fax is
/// over goes to `done` (the carrier hangs up).
pub fn start(
    threads: usize,
    setups: HashMap<u32, Setup>,
    done: tokio::sync::mpsc::UnboundedSender<u32>,
) -> std::io::Result<Lines> {
    let threads = threads.max(1);
    let machines = (0..threads)
        .map(|t| {
            let mine: HashMap<u32, Setup> = setups
                .iter()
                .filter(|(id, _)| **id as usize % threads == t)
                .map(|(id, s)| (*id, s.clone()))
                .collect();
            let machines = Machines {
                setups: mine,
                done: done.clone(),
            };
            (format!("fax-rtp-{t}"), machines)
        })
        .collect();
    RtpThreads::start(machines)
}

struct Line {
    id: u32,
    machine: Machine,
    told_done: bool,
}

/// One thread's state.
struct Machines {
    setups: HashMap<u32, Setup>,
    done: tokio::sync::mpsc::UnboundedSender<u32>,
}

/// A machine that never got to its line.
fn failed(id: u32, why: String) -> Report {
    Report {
        id,
        send_errors: 0,
        error: Some(why),
        machine: MachineReport::default(),
    }
}

impl Load for Machines {
    type Stream = Line;
    type Report = Report;
    const EVENTS: usize = 64;

    fn open(&mut self, id: u32) -> Result<Line, Option<Report>> {
        let setup = self.setups.remove(&id).ok_or(None)?;
        let fax = AudioFax::new(Direction::Send { tiff: setup.tiff }, true, &setup.ident)
            .map_err(|e| failed(id, format!("no fax modem: {e}")))?;
        Ok(Line {
            id,
            machine: Machine::new(fax, ssrc(0xfac5_0000, id)),
            told_done: false,
        })
    }

    fn refused(&mut self, id: u32, why: String) -> Option<Report> {
        Some(failed(id, why))
    }

    fn send(&mut self, l: &mut Line, socket: &UdpSocket, now: i64) -> std::io::Result<usize> {
        let sent = socket.send(l.machine.next_packet(now));
        let over = l
            .machine
            .finished_us()
            .is_some_and(|f| now - f >= HANG_UP_AFTER);
        if over && !l.told_done {
            l.told_done = true;
            let _ = self.done.send(l.id);
        }
        sent
    }

    fn receive(&mut self, l: &mut Line, datagram: std::io::Result<&[u8]>, now: i64) {
        l.machine.on_datagram(datagram.unwrap_or(&[]), now);
    }

    fn close(&mut self, id: u32, mut l: Line, sends: Sends) -> Report {
        l.machine.hang_up(wall_us());
        Report {
            id,
            send_errors: sends.send_errors,
            error: None,
            machine: l.machine.report(),
        }
    }
}
