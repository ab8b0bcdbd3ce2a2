//! The RTP of every caller of the voicemail load in one thread, as the hotline load's
//! (`hotline/media.rs`): one epoll set over the callers' sockets, their sends on a 20-slot
//! wheel over the 20 ms packet interval, no task or timer per caller. Each caller's
//! [`Caller`] decides what it sends and when it is done; a done caller's id goes to the
//! carrier, which hangs up. Reports wait until collected.

use super::caller::{Caller, CallerReport, Script};
use crate::hotline::carrier::Streams;
use crate::hotline::media::wall_us;
use crate::hotline::stream::FRAME;
use rustix::buffer::spare_capacity;
use rustix::event::{epoll, Timespec};
use std::collections::HashMap;
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Slots of the wheel; each is 1 ms of the 20 ms interval.
const SLOTS: usize = 20;
const SLOT: Duration = Duration::from_millis(1);
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

enum Command {
    Add {
        id: u32,
        socket: UdpSocket,
        peer: SocketAddr,
    },
    Remove {
        id: u32,
    },
    Collect {
        reply: tokio::sync::oneshot::Sender<Vec<Report>>,
    },
}

/// The handle of the RTP thread; dropping it ends the thread.
pub struct Rtp {
    commands: Option<mpsc::Sender<Command>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<f64>>>,
}

impl Rtp {
    /// Starts the thread with each caller's script by id; a caller that is done is
    /// sent on `done`.
    pub fn start(
        scripts: HashMap<u32, Script>,
        done: tokio::sync::mpsc::UnboundedSender<u32>,
    ) -> std::io::Result<Rtp> {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("voicemail-rtp".into())
            .spawn(move || run(scripts, rx, done))?;
        Ok(Rtp {
            commands: Some(tx),
            thread: Some(thread),
        })
    }

    fn send(&self, command: Command) {
        if let Some(c) = &self.commands {
            let _ = c.send(command);
        }
    }

    /// The reports of the callers removed since the last call.
    pub async fn collect(&self) -> Vec<Report> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.send(Command::Collect { reply });
        answer.await.unwrap_or_default()
    }

    /// Ends the thread; its CPU seconds.
    pub fn stop(mut self) -> std::io::Result<f64> {
        self.commands = None;
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            _ => Err(std::io::Error::other("the RTP thread panicked")),
        }
    }
}

impl Streams for Rtp {
    fn add(&self, id: u32, socket: UdpSocket, peer: SocketAddr) {
        self.send(Command::Add { id, socket, peer });
    }

    fn remove(&self, id: u32) {
        self.send(Command::Remove { id });
    }
}

struct Phone {
    id: u32,
    socket: UdpSocket,
    caller: Caller,
    seq: u16,
    /// Its own counter: wraps at 2^32, not with the sequence number (RFC 3550 §5.1; a
    /// timestamp jumping back would make the server's recorder drop what follows).
    timestamp: u32,
    ssrc: u32,
    sent: u64,
    send_errors: u64,
    told_done: bool,
}

/// The thread's state.
struct Callers {
    scripts: HashMap<u32, Script>,
    /// Slab of phones; the epoll data is the index.
    phones: Vec<Option<Phone>>,
    free: Vec<usize>,
    wheel: [Vec<usize>; SLOTS],
    reports: Vec<Report>,
    done: tokio::sync::mpsc::UnboundedSender<u32>,
    packet: [u8; 12 + FRAME],
    buf: [u8; 2048],
}

impl Callers {
    fn add(
        &mut self,
        epoll_fd: &impl rustix::fd::AsFd,
        id: u32,
        socket: UdpSocket,
        peer: SocketAddr,
    ) {
        let Some(script) = self.scripts.remove(&id) else {
            return;
        };
        // Connected: only the server's packets for this caller arrive, no address per send.
        if socket.connect(peer).is_err() || socket.set_nonblocking(true).is_err() {
            return;
        }
        let i = self.free.pop().unwrap_or(self.phones.len());
        let data = epoll::EventData::new_u64(i as u64);
        if epoll::add(epoll_fd, &socket, data, epoll::EventFlags::IN).is_err() {
            self.free.push(i);
            return;
        }
        let ssrc = 0x564d_0000 ^ id.wrapping_mul(2_654_435_761);
        let phone = Phone {
            id,
            socket,
            caller: Caller::new(script),
            seq: (ssrc >> 16) as u16,
            timestamp: ssrc.rotate_left(11),
            ssrc,
            sent: 0,
            send_errors: 0,
            told_done: false,
        };
        match i == self.phones.len() {
            true => self.phones.push(Some(phone)),
            false => self.phones[i] = Some(phone),
        }
        self.wheel[id as usize % SLOTS].push(i);
    }

    fn remove(&mut self, epoll_fd: &impl rustix::fd::AsFd, id: u32) {
        let found = self
            .phones
            .iter()
            .position(|p| p.as_ref().is_some_and(|p| p.id == id));
        let Some(phone) = found.and_then(|i| self.phones[i].take().map(|p| (i, p))) else {
            return;
        };
        let (i, phone) = phone;
        let _ = epoll::delete(epoll_fd, &phone.socket);
        self.wheel[id as usize % SLOTS].retain(|&j| j != i);
        self.free.push(i);
        self.reports.push(Report {
            id: phone.id,
            sent: phone.sent,
            send_errors: phone.send_errors,
            caller: phone.caller.report(),
        });
    }

    fn send_slot(&mut self, slot: usize) {
        let now = wall_us();
        for &i in &self.wheel[slot] {
            let Some(p) = self.phones[i].as_mut() else {
                continue;
            };
            let b = &mut self.packet;
            b[0] = 0x80;
            b[1] = PCMA;
            b[2..4].copy_from_slice(&p.seq.to_be_bytes());
            b[4..8].copy_from_slice(&p.timestamp.to_be_bytes());
            b[8..12].copy_from_slice(&p.ssrc.to_be_bytes());
            b[12..].copy_from_slice(p.caller.next_frame(now));
            match p.socket.send(&b[..]) {
                Ok(_) => p.sent += 1,
                Err(_) => p.send_errors += 1,
            }
            p.seq = p.seq.wrapping_add(1);
            p.timestamp = p.timestamp.wrapping_add(FRAME as u32);
            if p.caller.is_done() && !p.told_done {
                p.told_done = true;
                let _ = self.done.send(p.id);
            }
        }
    }

    /// One read per ready socket (level-triggered epoll).
    fn receive(&mut self, i: usize) {
        let Some(p) = self.phones.get_mut(i).and_then(Option::as_mut) else {
            return;
        };
        match p.socket.recv(&mut self.buf) {
            Ok(n) => p.caller.on_datagram(&self.buf[..n], wall_us()),
            // Spurious readiness, or an ICMP port unreachable from an earlier send.
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::ConnectionRefused
                ) => {}
            Err(_) => p.caller.on_datagram(&[], wall_us()),
        }
    }
}

fn run(
    scripts: HashMap<u32, Script>,
    commands: mpsc::Receiver<Command>,
    done: tokio::sync::mpsc::UnboundedSender<u32>,
) -> std::io::Result<f64> {
    let cpu_at_start = thread_cpu_seconds();
    let epoll_fd = epoll::create(epoll::CreateFlags::CLOEXEC)?;
    let mut callers = Callers {
        scripts,
        phones: Vec::new(),
        free: Vec::new(),
        wheel: Default::default(),
        reports: Vec::new(),
        done,
        packet: [0; 12 + FRAME],
        buf: [0; 2048],
    };
    let mut events = Vec::with_capacity(512);
    let mut next = Instant::now();
    let mut slot = 0;
    loop {
        loop {
            match commands.try_recv() {
                Ok(Command::Add { id, socket, peer }) => callers.add(&epoll_fd, id, socket, peer),
                Ok(Command::Remove { id }) => callers.remove(&epoll_fd, id),
                Ok(Command::Collect { reply }) => {
                    let _ = reply.send(std::mem::take(&mut callers.reports));
                }
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => {
                    return Ok(thread_cpu_seconds() - cpu_at_start);
                }
            }
        }
        // A late thread catches up slot by slot: every caller still sends 50 a second.
        while Instant::now() >= next {
            callers.send_slot(slot);
            slot = (slot + 1) % SLOTS;
            next += SLOT;
        }
        let wait = next.saturating_duration_since(Instant::now());
        let timeout = Timespec {
            tv_sec: 0,
            tv_nsec: wait.subsec_nanos() as _,
        };
        match epoll::wait(&epoll_fd, spare_capacity(&mut events), Some(&timeout)) {
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
        for event in events.drain(..) {
            callers.receive(event.data.u64() as usize);
        }
    }
}

/// This thread's user + system CPU seconds.
fn thread_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/stat")
        .ok()
        .and_then(|s| crate::procfs::cpu_seconds(&s))
        .unwrap_or(0.0)
}
