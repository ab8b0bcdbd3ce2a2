//! The fax machines' RTP in a few threads (`--threads`), as the voicemail load's
//! (`voicemail/rtp.rs`): each thread one epoll set over its machines' sockets (a socket
//! of its own per machine, connected to the server's media address) and their sends on a
//! 20-slot wheel over the 20 ms packet interval; machine `id` lives in thread
//! `id % threads`. Real time matters: SpanDSP's modems break on slipped samples, so a
//! late thread catches up slot by slot (a burst, in order, timestamps 160 apart), never
//! skipping a packet.
//!
//! A machine whose fax came to its end is told to the carrier after [`HANG_UP_AFTER`]
//! (the server should hang up first, once its own modem is done); a machine removed
//! before its end is hung up (its outcome says so). Reports wait until collected; each
//! thread's CPU time comes back when it stops.

use super::machine::{Machine, MachineReport};
use crate::hotline::carrier::Streams;
use crate::hotline::media::wall_us;
use fax::{AudioFax, Direction};
use rustix::buffer::spare_capacity;
use rustix::event::{epoll, Timespec};
use std::collections::HashMap;
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Slots of the wheel; each is 1 ms of the 20 ms interval.
const SLOTS: usize = 20;
const SLOT: Duration = Duration::from_millis(1);
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

struct Thread {
    commands: mpsc::Sender<Command>,
    handle: std::thread::JoinHandle<std::io::Result<f64>>,
}

/// The RTP threads; [`Lines::stop`] ends them.
pub struct Lines {
    threads: Vec<Thread>,
}

impl Lines {
    /// Starts `threads` threads for the machines of `setups` (by id); a machine whose fax
    /// is over goes to `done` (the carrier hangs up).
    pub fn start(
        threads: usize,
        setups: HashMap<u32, Setup>,
        done: tokio::sync::mpsc::UnboundedSender<u32>,
    ) -> std::io::Result<Lines> {
        let threads = threads.max(1);
        let mut started = Vec::with_capacity(threads);
        for t in 0..threads {
            let mine: HashMap<u32, Setup> = setups
                .iter()
                .filter(|(id, _)| **id as usize % threads == t)
                .map(|(id, s)| (*id, s.clone()))
                .collect();
            let (tx, rx) = mpsc::channel();
            let done = done.clone();
            let handle = std::thread::Builder::new()
                .name(format!("fax-rtp-{t}"))
                .spawn(move || run(mine, rx, done))?;
            started.push(Thread {
                commands: tx,
                handle,
            });
        }
        Ok(Lines { threads: started })
    }

    fn send(&self, id: u32, command: Command) {
        let t = &self.threads[id as usize % self.threads.len()];
        let _ = t.commands.send(command);
    }

    /// The reports of the machines removed so far (from every thread).
    pub async fn collect(&self) -> Vec<Report> {
        let mut all = Vec::new();
        for t in &self.threads {
            let (reply, answer) = tokio::sync::oneshot::channel();
            if t.commands.send(Command::Collect { reply }).is_ok() {
                all.extend(answer.await.unwrap_or_default());
            }
        }
        all.sort_by_key(|r| r.id);
        all
    }

    /// Ends the threads; their CPU seconds together.
    pub fn stop(self) -> std::io::Result<f64> {
        let mut cpu = 0.0;
        for t in self.threads {
            drop(t.commands);
            match t.handle.join() {
                Ok(result) => cpu += result?,
                Err(_) => return Err(std::io::Error::other("an RTP thread panicked")),
            }
        }
        Ok(cpu)
    }
}

impl Streams for Lines {
    fn add(&self, id: u32, socket: UdpSocket, peer: SocketAddr) {
        self.send(id, Command::Add { id, socket, peer });
    }

    fn remove(&self, id: u32) {
        self.send(id, Command::Remove { id });
    }
}

struct Line {
    id: u32,
    socket: UdpSocket,
    machine: Machine,
    send_errors: u64,
    told_done: bool,
}

/// One thread's state.
struct Machines {
    setups: HashMap<u32, Setup>,
    /// Slab of lines; the epoll data is the index.
    lines: Vec<Option<Line>>,
    free: Vec<usize>,
    wheel: [Vec<usize>; SLOTS],
    reports: Vec<Report>,
    done: tokio::sync::mpsc::UnboundedSender<u32>,
    buf: [u8; 2048],
}

impl Machines {
    fn add(
        &mut self,
        epoll_fd: &impl rustix::fd::AsFd,
        id: u32,
        socket: UdpSocket,
        peer: SocketAddr,
    ) {
        let Some(setup) = self.setups.remove(&id) else {
            return;
        };
        let fail = |reports: &mut Vec<Report>, why: String| {
            reports.push(Report {
                id,
                send_errors: 0,
                error: Some(why),
                machine: MachineReport::default(),
            })
        };
        let fax = match AudioFax::new(Direction::Send { tiff: setup.tiff }, true, &setup.ident) {
            Ok(f) => f,
            Err(e) => return fail(&mut self.reports, format!("no fax modem: {e}")),
        };
        // Connected: only the server's packets for this line arrive, no address per send.
        if let Err(e) = socket
            .connect(peer)
            .and_then(|()| socket.set_nonblocking(true))
        {
            return fail(&mut self.reports, format!("socket: {e}"));
        }
        let i = self.free.pop().unwrap_or(self.lines.len());
        let data = epoll::EventData::new_u64(i as u64);
        if let Err(e) = epoll::add(epoll_fd, &socket, data, epoll::EventFlags::IN) {
            self.free.push(i);
            return fail(&mut self.reports, format!("epoll: {e}"));
        }
        let ssrc = 0xfac5_0000 ^ id.wrapping_mul(2_654_435_761);
        let line = Line {
            id,
            socket,
            machine: Machine::new(fax, ssrc),
            send_errors: 0,
            told_done: false,
        };
        match i == self.lines.len() {
            true => self.lines.push(Some(line)),
            false => self.lines[i] = Some(line),
        }
        self.wheel[id as usize % SLOTS].push(i);
    }

    fn remove(&mut self, epoll_fd: &impl rustix::fd::AsFd, id: u32) {
        let found = self
            .lines
            .iter()
            .position(|l| l.as_ref().is_some_and(|l| l.id == id));
        let Some((i, mut line)) = found.and_then(|i| self.lines[i].take().map(|l| (i, l))) else {
            return;
        };
        let _ = epoll::delete(epoll_fd, &line.socket);
        self.wheel[id as usize % SLOTS].retain(|&j| j != i);
        self.free.push(i);
        line.machine.hang_up(wall_us());
        self.reports.push(Report {
            id: line.id,
            send_errors: line.send_errors,
            error: None,
            machine: line.machine.report(),
        });
    }

    fn send_slot(&mut self, slot: usize) {
        let now = wall_us();
        for &i in &self.wheel[slot] {
            let Some(l) = self.lines[i].as_mut() else {
                continue;
            };
            if l.socket.send(l.machine.next_packet(now)).is_err() {
                l.send_errors += 1;
            }
            let over = l
                .machine
                .finished_us()
                .is_some_and(|f| now - f >= HANG_UP_AFTER);
            if over && !l.told_done {
                l.told_done = true;
                let _ = self.done.send(l.id);
            }
        }
    }

    /// One read per ready socket (level-triggered epoll).
    fn receive(&mut self, i: usize) {
        let Some(l) = self.lines.get_mut(i).and_then(Option::as_mut) else {
            return;
        };
        match l.socket.recv(&mut self.buf) {
            Ok(n) => l.machine.on_datagram(&self.buf[..n], wall_us()),
            // Spurious readiness, or an ICMP port unreachable from an earlier send.
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::ConnectionRefused
                ) => {}
            Err(_) => l.machine.on_datagram(&[], wall_us()),
        }
    }
}

fn run(
    setups: HashMap<u32, Setup>,
    commands: mpsc::Receiver<Command>,
    done: tokio::sync::mpsc::UnboundedSender<u32>,
) -> std::io::Result<f64> {
    let cpu_at_start = thread_cpu_seconds();
    let epoll_fd = epoll::create(epoll::CreateFlags::CLOEXEC)?;
    let mut machines = Machines {
        setups,
        lines: Vec::new(),
        free: Vec::new(),
        wheel: Default::default(),
        reports: Vec::new(),
        done,
        buf: [0; 2048],
    };
    let mut events = Vec::with_capacity(64);
    let mut next = Instant::now();
    let mut slot = 0;
    loop {
        loop {
            match commands.try_recv() {
                Ok(Command::Add { id, socket, peer }) => machines.add(&epoll_fd, id, socket, peer),
                Ok(Command::Remove { id }) => machines.remove(&epoll_fd, id),
                Ok(Command::Collect { reply }) => {
                    let _ = reply.send(std::mem::take(&mut machines.reports));
                }
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => {
                    return Ok(thread_cpu_seconds() - cpu_at_start);
                }
            }
        }
        // A late thread catches up slot by slot: every machine still sends 50 a second.
        while Instant::now() >= next {
            machines.send_slot(slot);
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
            machines.receive(event.data.u64() as usize);
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
