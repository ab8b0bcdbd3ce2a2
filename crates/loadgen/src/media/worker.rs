//! One load thread: sends the RTP of its phones on the pacer's wheel and receives theirs
//! through one epoll set, in a single loop. A few of these serve thousands of streams
//! without a task, a timer or an allocation per packet.

use super::pacer::{Pacer, INTERVAL_NS};
use super::receiver::RxStream;
use super::rtp::{self, PacketBuf, TIMESTAMP_STEP};
use crate::latency::Histogram;
use rustix::buffer::spare_capacity;
use rustix::event::{epoll, Timespec};
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::time::Instant;

/// One phone: its socket, where its RTP goes (the relay), and its SSRC.
pub struct Phone {
    /// Bound on the loopback address, non-blocking.
    pub socket: UdpSocket,
    /// The relay's address for this phone, from the SDP the relay returned to the peer.
    pub send_to: SocketAddr,
    /// SSRC of the stream this phone sends.
    pub ssrc: u32,
    /// Slot on the wheel.
    pub phase: usize,
}

/// The timeline of a step on the load's clock (ns since `epoch`).
#[derive(Debug, Clone, Copy)]
pub struct Timeline {
    /// The common clock of all workers; send times in packets count from it.
    pub epoch: Instant,
    /// First packets.
    pub start_ns: u64,
    /// Packets sent from here on count.
    pub measure_from_ns: u64,
    /// Packets sent from here on do not count; sending stops.
    pub measure_until_ns: u64,
    /// Receiving stops: packets still on their way are lost.
    pub end_ns: u64,
}

impl Timeline {
    fn now_ns(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    /// Packets each stream sends in the measuring window (reserve one more: the window
    /// need not be a multiple of 20 ms).
    pub fn packets_per_stream(&self) -> usize {
        ((self.measure_until_ns - self.measure_from_ns) / INTERVAL_NS) as usize + 1
    }

    /// Packets each stream is scheduled to send in the window when the load keeps pace.
    pub fn scheduled_per_stream(&self) -> f64 {
        (self.measure_until_ns - self.measure_from_ns) as f64 / INTERVAL_NS as f64
    }
}

/// What one worker measured.
pub struct WorkerResult {
    /// Per phone: the stream it received (from phone `i ^ 1`).
    pub rx: Vec<RxStream>,
    /// Per phone: packets it sent in the measuring window.
    pub sent: Vec<u64>,
    /// Sends the kernel refused (full buffer, unreachable port).
    pub send_errors: u64,
    /// How late slots were sent (µs): the load tool's own lag.
    pub lag_us: Histogram,
    /// This thread's CPU seconds in the measuring window.
    pub cpu_seconds: f64,
}

struct TxState {
    seq: u16,
    timestamp: u32,
}

/// Runs one worker until `timeline.end_ns`.
pub fn run(phones: Vec<Phone>, timeline: Timeline) -> std::io::Result<WorkerResult> {
    let epoll_fd = epoll::create(epoll::CreateFlags::CLOEXEC)?;
    for (i, phone) in phones.iter().enumerate() {
        // Connected: no address per send, and only the relay's packets arrive. A relay must
        // send to each phone from the address it gave that phone (symmetric RTP, RFC 4961).
        phone.socket.connect(phone.send_to)?;
        epoll::add(
            &epoll_fd,
            &phone.socket,
            epoll::EventData::new_u64(i as u64),
            epoll::EventFlags::IN,
        )?;
    }
    let expected = timeline.packets_per_stream();
    let mut rx: Vec<RxStream> = phones
        .iter()
        .map(|_| {
            RxStream::new(
                timeline.measure_from_ns,
                timeline.measure_until_ns,
                expected,
            )
        })
        .collect();
    let mut tx: Vec<TxState> = phones
        .iter()
        .map(|p| TxState {
            seq: (p.ssrc >> 16) as u16,
            timestamp: p.ssrc.rotate_left(7),
        })
        .collect();
    let mut sent = vec![0u64; phones.len()];
    let mut pacer = Pacer::new(
        timeline.start_ns,
        phones.iter().enumerate().map(|(i, p)| (i as u32, p.phase)),
    );
    let mut packet = PacketBuf::default();
    let mut recv_buf = [0u8; 2048];
    let mut events = Vec::with_capacity(256);
    let mut lag_us = Histogram::default();
    let mut send_errors = 0u64;
    let mut cpu_from = None;
    let mut cpu_until = None;

    loop {
        let mut now = timeline.now_ns();
        if cpu_from.is_none() && now >= timeline.measure_from_ns {
            cpu_from = thread_cpu_seconds();
        }
        if cpu_until.is_none() && now >= timeline.measure_until_ns {
            cpu_until = thread_cpu_seconds();
        }
        if now >= timeline.end_ns {
            break;
        }
        while now < timeline.measure_until_ns {
            let Some((due, late)) = pacer.poll_due(now) else {
                break;
            };
            lag_us.record(late / 1000);
            for &i in due {
                let i = i as usize;
                let state = &mut tx[i];
                let sent_ns = timeline.now_ns();
                let datagram = packet.fill(state.seq, state.timestamp, phones[i].ssrc, sent_ns);
                match phones[i].socket.send(datagram) {
                    Ok(_) => {
                        if (timeline.measure_from_ns..timeline.measure_until_ns).contains(&sent_ns)
                        {
                            sent[i] += 1;
                        }
                    }
                    Err(_) => send_errors += 1,
                }
                state.seq = state.seq.wrapping_add(1);
                state.timestamp = state.timestamp.wrapping_add(TIMESTAMP_STEP);
            }
            now = timeline.now_ns();
        }
        if cpu_from.is_none() && now >= timeline.measure_from_ns {
            cpu_from = thread_cpu_seconds();
        }
        let wake_at = if now < timeline.measure_until_ns {
            pacer.next_deadline_ns()
        } else if cpu_until.is_none() {
            timeline.measure_until_ns
        } else {
            timeline.end_ns
        };
        let wait = wake_at.saturating_sub(now);
        let timeout = Timespec {
            tv_sec: (wait / 1_000_000_000) as i64,
            tv_nsec: (wait % 1_000_000_000) as _,
        };
        match epoll::wait(&epoll_fd, spare_capacity(&mut events), Some(&timeout)) {
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
        // One read per ready socket: epoll is level-triggered, so a socket with more
        // packets is ready again at the next wait. Draining to EAGAIN would cost a second
        // system call per packet, as each socket gets only 50 packets a second.
        for event in events.drain(..) {
            let i = event.data.u64() as usize;
            match phones[i].socket.recv(&mut recv_buf) {
                Ok(len) => {
                    let arrival_ns = timeline.now_ns();
                    rx[i].on_packet(rtp::parse(&recv_buf[..len]), arrival_ns);
                }
                // Spurious readiness, or an ICMP port unreachable from an earlier send.
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::ConnectionRefused
                    ) => {}
                Err(e) => return Err(e),
            }
        }
    }
    let cpu_seconds = match (cpu_from, cpu_until) {
        (Some(a), Some(b)) => b - a,
        _ => 0.0,
    };
    Ok(WorkerResult {
        rx,
        sent,
        send_errors,
        lag_us,
        cpu_seconds,
    })
}

/// This thread's user + system CPU seconds.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    crate::procfs::cpu_seconds(&stat)
}
