//! One load thread: sends the RTP of its phones on the pacer's wheel and receives theirs
//! through one epoll set, in a single loop. A few of these serve thousands of streams
//! without a task, a timer or an allocation per packet.
//!
//! A phone may be a browser ([`Browser`], WebRTC calls): its socket is in the same epoll
//! set, its str0m deadline in the thread's timer heap, and it first connects (ICE, DTLS)
//! before the step's timeline starts: every worker reports when its browsers are
//! connected, and the step then starts all workers on one [`Timeline`] ([`Start`]).

use super::pacer::{Pacer, INTERVAL_NS};
use super::receiver::RxStream;
use super::rtp::{self, PacketBuf, Received, TIMESTAMP_STEP};
use super::webrtc::Browser;
use crate::latency::Histogram;
use rustix::buffer::spare_capacity;
use rustix::event::{epoll, Timespec};
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// One phone: its socket, where its RTP goes (the relay), and its SSRC.
pub struct Phone {
    /// Bound on the loopback address, non-blocking.
    pub socket: UdpSocket,
    /// The relay's address for this phone, from the SDP the relay returned to the peer
    /// (a browser sends where ICE found the relay instead).
    pub send_to: SocketAddr,
    /// SSRC of the stream this phone sends (str0m picks a browser's).
    pub ssrc: u32,
    /// Slot on the wheel.
    pub phase: usize,
    /// Set for a browser: the WebRTC leg that sends and receives on `socket`.
    pub browser: Option<Box<Browser>>,
}

/// How the workers of a step start together: each says when its browsers are connected
/// (or failed), then the step sets the common timeline.
#[derive(Default)]
pub struct Start {
    ready: AtomicUsize,
    timeline: OnceLock<Timeline>,
}

impl Start {
    /// Workers whose browsers are all connected or failed.
    pub fn ready(&self) -> usize {
        self.ready.load(Ordering::Acquire)
    }

    /// Starts every worker on `timeline`.
    pub fn go(&self, timeline: Timeline) {
        let _ = self.timeline.set(timeline);
    }
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
    /// Browsers that were not connected when the timeline started, and the first
    /// reason one failed.
    pub unconnected: usize,
    /// Why the first browser failed, if one did.
    pub browser_failure: Option<String>,
}

struct TxState {
    seq: u16,
    timestamp: u32,
}

/// The browsers' deadlines: a heap of (deadline, phone), at most one live entry per
/// phone (`armed`); an entry that no longer matches its phone's is skipped.
struct Timers {
    heap: BinaryHeap<Reverse<(Instant, u32)>>,
    armed: Vec<Option<Instant>>,
}

impl Timers {
    fn arm(&mut self, i: usize, at: Instant) {
        if self.armed[i].is_none_or(|a| at < a) {
            self.armed[i] = Some(at);
            self.heap.push(Reverse((at, i as u32)));
        }
    }

    fn next(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((at, _))| *at)
    }

    /// The next phone whose deadline is due at `now`.
    fn pop_due(&mut self, now: Instant) -> Option<usize> {
        while let Some(&Reverse((at, i))) = self.heap.peek() {
            if at > now {
                return None;
            }
            self.heap.pop();
            let i = i as usize;
            if self.armed[i] == Some(at) {
                self.armed[i] = None;
                return Some(i);
            }
        }
        None
    }
}

/// What happens to a received RTP packet: measured once the timeline runs.
type Sink<'a> = Option<(&'a Timeline, &'a mut [RxStream])>;

/// The loop's state beyond the phones.
struct Io {
    timers: Timers,
    send_errors: u64,
    recv_buf: [u8; 2048],
}

impl Io {
    /// Reads one datagram of phone `i` (one read per readiness, see below).
    fn receive(&mut self, phones: &mut [Phone], i: usize, sink: Sink) -> std::io::Result<()> {
        let Phone {
            socket, browser, ..
        } = &mut phones[i];
        let Some(browser) = browser else {
            let len = match socket.recv(&mut self.recv_buf) {
                Ok(len) => len,
                Err(e) if ignorable(&e) => return Ok(()),
                Err(e) => return Err(e),
            };
            if let Some((timeline, rx)) = sink {
                rx[i].on_packet(rtp::parse(&self.recv_buf[..len]), timeline.now_ns());
            }
            return Ok(());
        };
        let (len, from) = match socket.recv_from(&mut self.recv_buf) {
            Ok(x) => x,
            Err(e) if ignorable(&e) => return Ok(()),
            Err(e) => return Err(e),
        };
        let (arrival, arrival_ns) = (Instant::now(), sink.as_ref().map(|(t, _)| t.now_ns()));
        let errors = &mut self.send_errors;
        let mut transmit = |to: SocketAddr, bytes: &[u8]| {
            if socket.send_to(bytes, to).is_err() {
                *errors += 1;
            }
        };
        let mut measured = sink;
        let mut rtp = |r: Received| {
            if let (Some((_, rx)), Some(at)) = (measured.as_mut(), arrival_ns) {
                rx[i].on_packet(Some(r), at);
            }
        };
        browser.handle_datagram(
            arrival,
            from,
            &self.recv_buf[..len],
            &mut transmit,
            &mut rtp,
        );
        self.timers.arm(i, browser.poll_timeout());
        Ok(())
    }

    /// Feeds the time to every browser whose deadline passed.
    fn fire(&mut self, phones: &mut [Phone]) {
        let now = Instant::now();
        while let Some(i) = self.timers.pop_due(now) {
            let Phone {
                socket, browser, ..
            } = &mut phones[i];
            let Some(browser) = browser else { continue };
            let errors = &mut self.send_errors;
            let mut transmit = |to: SocketAddr, bytes: &[u8]| {
                if socket.send_to(bytes, to).is_err() {
                    *errors += 1;
                }
            };
            browser.handle_timeout(now, &mut transmit, &mut |_| {});
            self.timers.arm(i, browser.poll_timeout());
        }
    }

    /// Waits for readiness until `until` at the latest (or the next browser deadline).
    fn wait(
        &self,
        epoll_fd: &impl rustix::fd::AsFd,
        events: &mut Vec<epoll::Event>,
        until: Instant,
    ) -> std::io::Result<()> {
        let until = self.timers.next().map_or(until, |t| t.min(until));
        let wait = until.saturating_duration_since(Instant::now());
        let timeout = Timespec {
            tv_sec: wait.as_secs() as i64,
            tv_nsec: wait.subsec_nanos() as _,
        };
        match epoll::wait(epoll_fd, spare_capacity(events), Some(&timeout)) {
            Ok(_) | Err(rustix::io::Errno::INTR) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

/// Spurious readiness, or an ICMP port unreachable from an earlier send.
fn ignorable(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::WouldBlock | ErrorKind::ConnectionRefused
    )
}

/// Runs one worker: connects its browsers, then streams until the timeline's end.
pub fn run(mut phones: Vec<Phone>, start: &Start) -> std::io::Result<WorkerResult> {
    let epoll_fd = epoll::create(epoll::CreateFlags::CLOEXEC)?;
    let mut io = Io {
        timers: Timers {
            heap: BinaryHeap::new(),
            armed: vec![None; phones.len()],
        },
        send_errors: 0,
        recv_buf: [0; 2048],
    };
    for (i, phone) in phones.iter().enumerate() {
        match &phone.browser {
            Some(b) => io.timers.arm(i, b.poll_timeout()),
            // Connected: no address per send, and only the relay's packets arrive. A relay
            // must send to each phone from the address it gave that phone (symmetric RTP,
            // RFC 4961). A browser sends wherever ICE found the relay.
            None => phone.socket.connect(phone.send_to)?,
        }
        epoll::add(
            &epoll_fd,
            &phone.socket,
            epoll::EventData::new_u64(i as u64),
            epoll::EventFlags::IN,
        )?;
    }
    let mut events = Vec::with_capacity(256);

    // Connecting: ICE and DTLS of the browsers, until the step starts the timeline.
    let mut reported = false;
    let timeline = loop {
        if let Some(t) = start.timeline.get() {
            break *t;
        }
        let settled = phones.iter().all(|p| {
            p.browser
                .as_ref()
                .is_none_or(|b| b.is_connected() || b.failure().is_some())
        });
        if settled && !reported {
            start.ready.fetch_add(1, Ordering::AcqRel);
            reported = true;
        }
        io.wait(
            &epoll_fd,
            &mut events,
            Instant::now() + Duration::from_millis(5),
        )?;
        for event in events.drain(..) {
            io.receive(&mut phones, event.data.u64() as usize, None)?;
        }
        io.fire(&mut phones);
    };
    let unconnected = phones
        .iter()
        .filter(|p| p.browser.as_ref().is_some_and(|b| !b.is_connected()))
        .count();
    let browser_failure = phones
        .iter()
        .find_map(|p| p.browser.as_ref()?.failure().map(str::to_string));

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
    let mut lag_us = Histogram::default();
    let mut cpu_from = None;
    let mut cpu_until = None;
    let window = timeline.measure_from_ns..timeline.measure_until_ns;

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
                let Phone {
                    socket,
                    browser,
                    ssrc,
                    ..
                } = &mut phones[i];
                let ok = match browser {
                    Some(b) => {
                        let errors = &mut io.send_errors;
                        let mut transmit = |to: SocketAddr, bytes: &[u8]| {
                            if socket.send_to(bytes, to).is_err() {
                                *errors += 1;
                            }
                        };
                        let ok = b.send(
                            Instant::now(),
                            state.timestamp,
                            sent_ns,
                            &mut transmit,
                            &mut |_| {},
                        );
                        io.timers.arm(i, b.poll_timeout());
                        ok
                    }
                    None => {
                        let datagram = packet.fill(state.seq, state.timestamp, *ssrc, sent_ns);
                        let ok = socket.send(datagram).is_ok();
                        io.send_errors += u64::from(!ok);
                        ok
                    }
                };
                if ok && window.contains(&sent_ns) {
                    sent[i] += 1;
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
        io.wait(
            &epoll_fd,
            &mut events,
            timeline.epoch + Duration::from_nanos(wake_at),
        )?;
        // One read per ready socket: epoll is level-triggered, so a socket with more
        // packets is ready again at the next wait. Draining to EAGAIN would cost a second
        // system call per packet, as each socket gets only 50 packets a second.
        for event in events.drain(..) {
            let i = event.data.u64() as usize;
            io.receive(&mut phones, i, Some((&timeline, &mut rx)))?;
        }
        io.fire(&mut phones);
    }
    let cpu_seconds = match (cpu_from, cpu_until) {
        (Some(a), Some(b)) => b - a,
        _ => 0.0,
    };
    Ok(WorkerResult {
        rx,
        sent,
        send_errors: io.send_errors,
        lag_us,
        cpu_seconds,
        unconnected,
        browser_failure,
    })
}

/// This thread's user + system CPU seconds.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    crate::procfs::cpu_seconds(&stat)
}
