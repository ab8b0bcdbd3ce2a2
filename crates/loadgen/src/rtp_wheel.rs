//! The RTP threads of the hotline, voicemail and fax loads: each thread one epoll set over
//! its streams' sockets (a socket of its own per stream, connected to the server's media
//! address) and their sends on a 20-slot wheel over the 20 ms packet interval (a slot per
//! millisecond, streams spread over the slots), no task or timer per stream. Streams come
//! and go while it runs (commands over a channel, looked at every slot); stream `id` lives
//! in thread `id % threads`. Reports wait until collected; each thread's CPU time comes
//! back when it stops.
//!
//! What a stream sends, what it makes of what it hears and what it reports is its load's
//! own ([`Load`]); the sockets, the wheel and the commands are here.

use rustix::buffer::spare_capacity;
use rustix::event::{epoll, Timespec};
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Slots of the wheel; each is 1 ms of the 20 ms interval.
const SLOTS: usize = 20;
const SLOT: Duration = Duration::from_millis(1);

/// The wall clock in µs since the Unix epoch (the server's board uses it too).
pub fn wall_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

/// A stream's SSRC: the load's own `prefix` mixed with the stream's id (a multiplicative
/// hash), so no two streams of a run share one.
pub fn ssrc(prefix: u32, id: u32) -> u32 {
    prefix ^ id.wrapping_mul(2_654_435_761)
}

/// A stream's sends, as its thread counted them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sends {
    /// Packets the kernel took.
    pub sent: u64,
    /// Sends the kernel refused.
    pub send_errors: u64,
}

/// What one load does on its streams, in one RTP thread.
pub trait Load: Send + 'static {
    /// A stream's own state.
    type Stream;
    /// What a removed stream did; kept until collected.
    type Report: Send + 'static;
    /// Readiness events taken from epoll at most per wait.
    const EVENTS: usize;

    /// Opens stream `id`, before its socket is set up: `Err(None)` passes it over (not
    /// one of this load's), `Err(Some(report))` passes it over with a report.
    fn open(&mut self, id: u32) -> Result<Self::Stream, Option<Self::Report>>;

    /// Stream `id`'s socket could not be set up (`why`); its report, if it gets one.
    fn refused(&mut self, id: u32, why: String) -> Option<Self::Report>;

    /// Sends the stream's next packet on `socket` at `now` (µs, [`wall_us`]); what the
    /// kernel said.
    fn send(
        &mut self,
        stream: &mut Self::Stream,
        socket: &UdpSocket,
        now: i64,
    ) -> std::io::Result<usize>;

    /// A datagram arrived at `now`, or reading failed (other than spurious readiness or
    /// an ICMP port unreachable, which are passed over).
    fn receive(&mut self, stream: &mut Self::Stream, datagram: std::io::Result<&[u8]>, now: i64);

    /// Stream `id` is removed; its report.
    fn close(&mut self, id: u32, stream: Self::Stream, sends: Sends) -> Self::Report;
}

enum Command<R> {
    Add {
        id: u32,
        socket: UdpSocket,
        peer: SocketAddr,
    },
    Remove {
        id: u32,
    },
    Collect {
        reply: tokio::sync::oneshot::Sender<Vec<R>>,
    },
}

struct Thread<R> {
    commands: mpsc::Sender<Command<R>>,
    handle: std::thread::JoinHandle<std::io::Result<f64>>,
}

/// The RTP threads of a load; [`RtpThreads::stop`] ends them, and so does dropping them.
pub struct RtpThreads<R> {
    threads: Vec<Thread<R>>,
}

impl<R: Send + 'static> RtpThreads<R> {
    /// Starts a thread for each `(name, load)` (at least one).
    pub fn start<L: Load<Report = R>>(loads: Vec<(String, L)>) -> std::io::Result<Self> {
        let mut threads = Vec::with_capacity(loads.len());
        for (name, load) in loads {
            let (tx, rx) = mpsc::channel();
            let handle = std::thread::Builder::new()
                .name(name)
                .spawn(move || run(load, rx))?;
            threads.push(Thread {
                commands: tx,
                handle,
            });
        }
        Ok(RtpThreads { threads })
    }

    fn send(&self, id: u32, command: Command<R>) {
        let t = &self.threads[id as usize % self.threads.len()];
        let _ = t.commands.send(command);
    }

    /// Starts sending to `peer` from `socket` (bound, not yet connected) and receiving.
    pub fn add(&self, id: u32, socket: UdpSocket, peer: SocketAddr) {
        self.send(id, Command::Add { id, socket, peer });
    }

    /// Stops the stream; its report waits for [`RtpThreads::collect`].
    pub fn remove(&self, id: u32) {
        self.send(id, Command::Remove { id });
    }

    /// The reports of the streams removed since the last call, thread by thread, each
    /// thread's in the order they were removed.
    pub async fn collect(&self) -> Vec<R> {
        let mut all = Vec::new();
        for t in &self.threads {
            let (reply, answer) = tokio::sync::oneshot::channel();
            if t.commands.send(Command::Collect { reply }).is_ok() {
                all.extend(answer.await.unwrap_or_default());
            }
        }
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

struct Slot<S> {
    id: u32,
    socket: UdpSocket,
    stream: S,
    sends: Sends,
}

/// One thread's state.
struct Wheel<L: Load> {
    load: L,
    /// Slab of streams; the epoll data is the index.
    slots: Vec<Option<Slot<L::Stream>>>,
    free: Vec<usize>,
    wheel: [Vec<usize>; SLOTS],
    reports: Vec<L::Report>,
    buf: [u8; 2048],
}

impl<L: Load> Wheel<L> {
    fn add(
        &mut self,
        epoll_fd: &impl rustix::fd::AsFd,
        id: u32,
        socket: UdpSocket,
        peer: SocketAddr,
    ) {
        let stream = match self.load.open(id) {
            Ok(stream) => stream,
            Err(report) => return self.reports.extend(report),
        };
        // Connected: only the server's packets for this stream arrive, no address per send.
        if let Err(e) = socket
            .connect(peer)
            .and_then(|()| socket.set_nonblocking(true))
        {
            return self.refuse(id, format!("socket: {e}"));
        }
        let i = self.free.pop().unwrap_or(self.slots.len());
        let data = epoll::EventData::new_u64(i as u64);
        if let Err(e) = epoll::add(epoll_fd, &socket, data, epoll::EventFlags::IN) {
            self.free.push(i);
            return self.refuse(id, format!("epoll: {e}"));
        }
        let slot = Slot {
            id,
            socket,
            stream,
            sends: Sends::default(),
        };
        match i == self.slots.len() {
            true => self.slots.push(Some(slot)),
            false => self.slots[i] = Some(slot),
        }
        self.wheel[id as usize % SLOTS].push(i);
    }

    fn refuse(&mut self, id: u32, why: String) {
        self.reports.extend(self.load.refused(id, why));
    }

    fn remove(&mut self, epoll_fd: &impl rustix::fd::AsFd, id: u32) {
        let found = self
            .slots
            .iter()
            .position(|s| s.as_ref().is_some_and(|s| s.id == id));
        let Some((i, slot)) = found.and_then(|i| self.slots[i].take().map(|s| (i, s))) else {
            return;
        };
        let _ = epoll::delete(epoll_fd, &slot.socket);
        self.wheel[id as usize % SLOTS].retain(|&j| j != i);
        self.free.push(i);
        let report = self.load.close(slot.id, slot.stream, slot.sends);
        self.reports.push(report);
    }

    fn send_slot(&mut self, slot: usize) {
        let now = wall_us();
        for &i in &self.wheel[slot] {
            let Some(s) = self.slots[i].as_mut() else {
                continue;
            };
            match self.load.send(&mut s.stream, &s.socket, now) {
                Ok(_) => s.sends.sent += 1,
                Err(_) => s.sends.send_errors += 1,
            }
        }
    }

    /// One read per ready socket (level-triggered epoll: a socket with more is ready
    /// again at the next wait; each gets only 50 packets a second).
    fn receive(&mut self, i: usize) {
        let Some(s) = self.slots.get_mut(i).and_then(Option::as_mut) else {
            return;
        };
        let datagram = match s.socket.recv(&mut self.buf) {
            Ok(n) => Ok(&self.buf[..n]),
            // Spurious readiness, or an ICMP port unreachable from an earlier send.
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::ConnectionRefused
                ) =>
            {
                return
            }
            Err(e) => Err(e),
        };
        self.load.receive(&mut s.stream, datagram, wall_us());
    }
}

fn run<L: Load>(load: L, commands: mpsc::Receiver<Command<L::Report>>) -> std::io::Result<f64> {
    let cpu_at_start = thread_cpu_seconds();
    let epoll_fd = epoll::create(epoll::CreateFlags::CLOEXEC)?;
    let mut wheel = Wheel {
        load,
        slots: Vec::new(),
        free: Vec::new(),
        wheel: Default::default(),
        reports: Vec::new(),
        buf: [0; 2048],
    };
    let mut events = Vec::with_capacity(L::EVENTS);
    let mut next = Instant::now();
    let mut slot = 0;
    loop {
        loop {
            match commands.try_recv() {
                Ok(Command::Add { id, socket, peer }) => wheel.add(&epoll_fd, id, socket, peer),
                Ok(Command::Remove { id }) => wheel.remove(&epoll_fd, id),
                Ok(Command::Collect { reply }) => {
                    let _ = reply.send(std::mem::take(&mut wheel.reports));
                }
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => {
                    return Ok(thread_cpu_seconds() - cpu_at_start);
                }
            }
        }
        // A late thread catches up slot by slot: every stream still sends 50 a second.
        while Instant::now() >= next {
            wheel.send_slot(slot);
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
            wheel.receive(event.data.u64() as usize);
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
