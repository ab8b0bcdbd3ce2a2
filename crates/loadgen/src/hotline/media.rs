//! The RTP of every phone of the hotline load in one thread: each phone's socket in one
//! epoll set, its sends on a 20-slot wheel over the 20 ms packet interval (a slot per
//! millisecond, phones spread over the slots), no task or timer per phone. Phones come
//! and go while it runs (commands over a channel, looked at every slot); what each heard
//! is kept until collected.

use super::stream::{Heard, Known, Packet};
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
pub struct Media {
    commands: Option<mpsc::Sender<Command>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<f64>>>,
}

impl Media {
    /// Starts the thread.
    pub fn start(known: Known) -> std::io::Result<Media> {
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("hotline-rtp".into())
            .spawn(move || run(known, rx))?;
        Ok(Media {
            commands: Some(tx),
            thread: Some(thread),
        })
    }

    fn send(&self, command: Command) {
        if let Some(c) = &self.commands {
            let _ = c.send(command);
        }
    }

    /// Starts sending to `peer` from `socket` (bound, not yet connected) and receiving.
    pub fn add(&self, id: u32, socket: UdpSocket, peer: SocketAddr) {
        self.send(Command::Add { id, socket, peer });
    }

    /// Stops the phone; its report waits for [`Media::collect`].
    pub fn remove(&self, id: u32) {
        self.send(Command::Remove { id });
    }

    /// The reports of the phones removed since the last call.
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

struct Phone {
    id: u32,
    socket: UdpSocket,
    seq: u16,
    ssrc: u32,
    sent: u64,
    send_errors: u64,
    heard: Heard,
}

/// The thread's state.
struct Rtp {
    known: Known,
    /// Slab of phones; the epoll data is the index.
    phones: Vec<Option<Phone>>,
    free: Vec<usize>,
    wheel: [Vec<usize>; SLOTS],
    done: Vec<Report>,
    packet: Packet,
    buf: [u8; 2048],
}

impl Rtp {
    fn add(
        &mut self,
        epoll_fd: &impl rustix::fd::AsFd,
        id: u32,
        socket: UdpSocket,
        peer: SocketAddr,
    ) {
        // Connected: only the server's packets for this phone arrive, no address per send.
        if socket.connect(peer).is_err() || socket.set_nonblocking(true).is_err() {
            return;
        }
        let i = self.free.pop().unwrap_or(self.phones.len());
        if epoll::add(
            epoll_fd,
            &socket,
            epoll::EventData::new_u64(i as u64),
            epoll::EventFlags::IN,
        )
        .is_err()
        {
            self.free.push(i);
            return;
        }
        let ssrc = 0x4857_0000 ^ id.wrapping_mul(2_654_435_761);
        let phone = Phone {
            id,
            socket,
            seq: (ssrc >> 16) as u16,
            ssrc,
            sent: 0,
            send_errors: 0,
            heard: Heard::default(),
        };
        if i == self.phones.len() {
            self.phones.push(Some(phone));
        } else {
            self.phones[i] = Some(phone);
        }
        self.wheel[id as usize % SLOTS].push(i);
    }

    fn remove(&mut self, epoll_fd: &impl rustix::fd::AsFd, id: u32) {
        let Some(i) = self
            .phones
            .iter()
            .position(|p| p.as_ref().is_some_and(|p| p.id == id))
        else {
            return;
        };
        let Some(phone) = self.phones[i].take() else {
            return;
        };
        let _ = epoll::delete(epoll_fd, &phone.socket);
        self.wheel[id as usize % SLOTS].retain(|&j| j != i);
        self.free.push(i);
        self.done.push(Report {
            id: phone.id,
            sent: phone.sent,
            send_errors: phone.send_errors,
            heard: phone.heard,
        });
    }

    fn send_slot(&mut self, slot: usize) {
        let now = wall_us();
        for &i in &self.wheel[slot] {
            let Some(p) = self.phones[i].as_mut() else {
                continue;
            };
            let datagram = self.packet.fill(p.id, p.seq, p.ssrc, now);
            match p.socket.send(datagram) {
                Ok(_) => p.sent += 1,
                Err(_) => p.send_errors += 1,
            }
            p.seq = p.seq.wrapping_add(1);
        }
    }

    /// One read per ready socket (level-triggered epoll: a socket with more is ready
    /// again at the next wait; each gets only 50 packets a second).
    fn receive(&mut self, i: usize) {
        let Some(p) = self.phones.get_mut(i).and_then(Option::as_mut) else {
            return;
        };
        match p.socket.recv(&mut self.buf) {
            Ok(n) => p.heard.on_datagram(&self.known, &self.buf[..n], wall_us()),
            // Spurious readiness, or an ICMP port unreachable from an earlier send.
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::ConnectionRefused
                ) => {}
            Err(_) => p.heard.foreign += 1,
        }
    }
}

fn run(known: Known, commands: mpsc::Receiver<Command>) -> std::io::Result<f64> {
    let cpu_at_start = thread_cpu_seconds();
    let epoll_fd = epoll::create(epoll::CreateFlags::CLOEXEC)?;
    let mut rtp = Rtp {
        known,
        phones: Vec::new(),
        free: Vec::new(),
        wheel: Default::default(),
        done: Vec::new(),
        packet: Packet::default(),
        buf: [0; 2048],
    };
    let mut events = Vec::with_capacity(512);
    let mut next = Instant::now();
    let mut slot = 0;
    loop {
        loop {
            match commands.try_recv() {
                Ok(Command::Add { id, socket, peer }) => rtp.add(&epoll_fd, id, socket, peer),
                Ok(Command::Remove { id }) => rtp.remove(&epoll_fd, id),
                Ok(Command::Collect { reply }) => {
                    let _ = reply.send(std::mem::take(&mut rtp.done));
                }
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => {
                    return Ok(thread_cpu_seconds() - cpu_at_start);
                }
            }
        }
        // A late thread catches up slot by slot: every phone still sends 50 a second.
        while Instant::now() >= next {
            rtp.send_slot(slot);
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
            rtp.receive(event.data.u64() as usize);
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
