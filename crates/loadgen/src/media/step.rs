//! One step of the ramp: N calls set up through the relay's ng port, G.711 both ways for a
//! warm-up and a measuring window, the relay's CPU and memory sampled around the window,
//! then every call deleted.
//!
//! In WebRTC mode (`webrtc`) each caller is a browser ([`Browser`]): its offer goes to the
//! relay with rtpengine's keys for bridging DTLS-SRTP to RTP, the relay's answer back to
//! it, and the step's timeline starts once every browser has connected (ICE, DTLS).

use super::control::{Ask, Control};
use super::pacer::INTERVAL_NS;
use super::report::StepResult;
use super::sdp::{audio_address, phone_sdp};
use super::webrtc::{self, Browser};
use super::worker::{self, Phone, Start, Timeline, WorkerResult};
use crate::procfs;
use anyhow::{bail, Context};
use ng::{Command, Response};
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// Socket buffers of each phone: room for ~1,500 packets, far more than 20 ms of one
/// stream, so a briefly descheduled worker loses nothing in its own sockets.
const SOCKET_BUFFER: usize = 256 * 1024;

/// How every step runs.
#[derive(Debug, Clone)]
pub struct StepPlan {
    /// Load threads.
    pub threads: usize,
    /// Seconds of media before the measuring window.
    pub warmup: Duration,
    /// The measuring window.
    pub duration: Duration,
    /// After the window, for packets still on their way.
    pub grace: Duration,
    /// The relay's process, for CPU and memory.
    pub relay_pid: Option<u32>,
    /// Its resident memory before the first call (KiB).
    pub idle_rss_kb: Option<u64>,
    /// Makes call-ids unique across runs against the same relay.
    pub run_tag: String,
    /// Callers are browsers (WebRTC ↔ RTP calls); their shared DTLS certificate.
    pub webrtc: Option<str0m::config::DtlsCert>,
}

/// How long the browsers of a step may take to connect: ICE and DTLS of every call,
/// both ends' handshakes on the two cores.
fn connect_limit(calls: usize) -> Duration {
    Duration::from_secs(20) + Duration::from_millis(20) * calls as u32
}

/// Runs `calls` calls through the relay.
pub fn run(
    control: &mut Control,
    plan: &StepPlan,
    step: usize,
    calls: usize,
) -> anyhow::Result<StepResult> {
    let mut result = StepResult::new(calls);
    let sockets = (0..2 * calls)
        .map(|_| phone_socket())
        .collect::<anyhow::Result<Vec<_>>>()
        .with_context(|| format!("{} sockets for {calls} calls", 2 * calls))?;
    let port = |i: usize| sockets[i].local_addr().map(|a| a.port());
    let call_id = |i: usize| format!("load-{}-{step}-{i}", plan.run_tag);

    // Set-up: offer with the caller's SDP, answer with the callee's.
    let setup_start = Instant::now();
    let mut browsers: Vec<Option<Box<Browser>>> = Vec::with_capacity(calls);
    let mut offers = Vec::with_capacity(calls);
    for i in 0..calls {
        let (sdp, keys) = match &plan.webrtc {
            Some(cert) => {
                let local = sockets[2 * i].local_addr()?;
                let (browser, offer) = Browser::offer(Instant::now(), local, cert);
                browsers.push(Some(Box::new(browser)));
                (offer, webrtc::offer_keys())
            }
            None => {
                browsers.push(None);
                (phone_sdp(2 * i as u64, port(2 * i)?), Vec::new())
            }
        };
        let offer = Command::Offer {
            call_id: call_id(i),
            from_tag: format!("caller-{i}"),
            sdp,
            flags: vec![],
        };
        offers.push(Ask::with(offer, keys));
    }
    let to_callee = relay_addresses(control.exchange(offers)?, &mut result);
    let answers = (0..calls)
        .map(|i| {
            let answer = Command::Answer {
                call_id: call_id(i),
                from_tag: format!("caller-{i}"),
                to_tag: format!("callee-{i}"),
                sdp: phone_sdp(2 * i as u64 + 1, port(2 * i + 1)?),
                flags: vec![],
            };
            let keys = match plan.webrtc {
                Some(_) => webrtc::answer_keys(),
                None => Vec::new(),
            };
            Ok(Ask::with(answer, keys))
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    let answered = control.exchange(answers)?;
    let to_caller = if plan.webrtc.is_some() {
        // The browsers take the relay's answer; ICE finds where to send.
        for (browser, response) in browsers.iter_mut().zip(answered) {
            let accepted = match (browser, response) {
                (Some(b), Response::Sdp(sdp)) => b.accept_answer(&sdp),
                (_, other) => Err(format!("{other:?}")),
            };
            if let Err(e) = accepted {
                result.setup_errors += 1;
                result.first_error.get_or_insert(format!("set-up: {e}"));
            }
        }
        vec![None; calls]
    } else {
        relay_addresses(answered, &mut result)
    };
    result.setup_seconds = setup_start.elapsed().as_secs_f64();

    let outcome = if result.setup_errors == 0 {
        stream(plan, sockets, browsers, &to_callee, &to_caller, &mut result)
    } else {
        Ok(())
    };

    let deletes = (0..calls)
        .map(|i| Command::Delete {
            call_id: call_id(i),
            from_tag: Some(format!("caller-{i}")),
        })
        .collect();
    for response in control.exchange(deletes)? {
        if let Response::Error(reason) = response {
            result.delete_errors += 1;
            result
                .first_error
                .get_or_insert(format!("delete: {reason}"));
        }
    }
    outcome?;
    result.judge();
    Ok(result)
}

fn phone_socket() -> anyhow::Result<UdpSocket> {
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    socket.set_nonblocking(true)?;
    rustix::net::sockopt::set_socket_recv_buffer_size(&socket, SOCKET_BUFFER)?;
    rustix::net::sockopt::set_socket_send_buffer_size(&socket, SOCKET_BUFFER)?;
    Ok(socket)
}

/// The relay's address from each SDP answer; errors are counted, the first kept.
fn relay_addresses(responses: Vec<Response>, result: &mut StepResult) -> Vec<Option<SocketAddr>> {
    responses
        .into_iter()
        .map(|r| {
            let address = match r {
                Response::Sdp(sdp) => audio_address(&sdp).map(SocketAddr::V4),
                other => Err(format!("{other:?}")),
            };
            address
                .map_err(|e| {
                    result.setup_errors += 1;
                    result.first_error.get_or_insert(format!("set-up: {e}"));
                })
                .ok()
        })
        .collect()
}

fn stream(
    plan: &StepPlan,
    sockets: Vec<UdpSocket>,
    mut browsers: Vec<Option<Box<Browser>>>,
    to_callee: &[Option<SocketAddr>],
    to_caller: &[Option<SocketAddr>],
    result: &mut StepResult,
) -> anyhow::Result<()> {
    let threads = plan.threads.max(1);
    let mut per_thread: Vec<Vec<Phone>> = (0..threads).map(|_| Vec::new()).collect();
    for (i, socket) in sockets.into_iter().enumerate() {
        let call = i / 2;
        let browser = if i % 2 == 0 {
            browsers[call].take()
        } else {
            None
        };
        let send_to = if i % 2 == 0 {
            to_caller[call]
        } else {
            to_callee[call]
        };
        let send_to = match (send_to, &browser) {
            (Some(a), _) => a,
            // A browser sends where ICE found the relay; this address goes unused.
            (None, Some(_)) => SocketAddr::from(([127, 0, 0, 1], 9)),
            (None, None) => bail!("call {call} has no relay address"),
        };
        // SSRCs unique per phone; a caller's peer is its callee and vice versa (i ^ 1).
        let ssrc = |phone: usize| 0x1000_0000 ^ (phone as u32).wrapping_mul(2_654_435_761);
        let ssrc = ssrc(i);
        per_thread[call % threads].push(Phone {
            socket,
            send_to,
            ssrc,
            phase: i,
            browser,
        });
    }
    let ns = |d: Duration| d.as_nanos() as u64;
    let start = Start::default();
    let calls = to_callee.len();
    let results: Vec<std::io::Result<WorkerResult>> = std::thread::scope(|scope| {
        let start = &start;
        let handles: Vec<_> = per_thread
            .into_iter()
            .enumerate()
            .map(|(n, phones)| {
                std::thread::Builder::new()
                    .name(format!("media-load-{n}"))
                    .spawn_scoped(scope, move || worker::run(phones, start))
            })
            .collect::<std::io::Result<_>>()?;
        // Every browser connected (or failed, or out of time): one timeline for all.
        let connecting = Instant::now();
        while start.ready() < threads && connecting.elapsed() < connect_limit(calls) {
            std::thread::sleep(Duration::from_millis(5));
        }
        result.connect_seconds = connecting.elapsed().as_secs_f64();
        let epoch = Instant::now();
        let start_ns = ns(Duration::from_millis(50));
        let timeline = Timeline {
            epoch,
            start_ns,
            measure_from_ns: start_ns + ns(plan.warmup),
            measure_until_ns: start_ns + ns(plan.warmup) + ns(plan.duration),
            end_ns: start_ns + ns(plan.warmup) + ns(plan.duration) + ns(plan.grace),
        };
        start.go(timeline);
        let sleep_until = |ns: u64| {
            let now = epoch.elapsed();
            let at = Duration::from_nanos(ns);
            if at > now {
                std::thread::sleep(at - now);
            }
        };
        sleep_until(timeline.measure_from_ns);
        let relay_before = plan.relay_pid.and_then(procfs::sample);
        let own_before = procfs::sample(std::process::id());
        let pressure_before = procfs::pressure();
        sleep_until(timeline.measure_until_ns);
        let relay_after = plan.relay_pid.and_then(procfs::sample);
        let own_after = procfs::sample(std::process::id());
        let pressure_after = procfs::pressure();
        let window = plan.duration.as_secs_f64();
        if let (Some((a, _)), Some((b, _))) = (pressure_before, pressure_after) {
            result.cpu_pressure_pct = Some(b.saturating_sub(a) as f64 / 1e4 / window);
        }
        if let (Some(a), Some(b)) = (relay_before, relay_after) {
            result.relay_cpu_cores = Some((b.cpu_seconds - a.cpu_seconds) / window);
            result.relay_rss_kb = Some(b.rss_kb);
            result.relay_rss_delta_kb = plan.idle_rss_kb.map(|idle| b.rss_kb as i64 - idle as i64);
        } else if plan.relay_pid.is_some() {
            result
                .first_error
                .get_or_insert("the relay's process is gone".into());
        }
        if let (Some(a), Some(b)) = (own_before, own_after) {
            result.load_cpu_cores = (b.cpu_seconds - a.cpu_seconds) / window;
        }
        Ok::<_, std::io::Error>(
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err(std::io::Error::other("a load thread panicked")))
                })
                .collect::<Vec<_>>(),
        )
    })?;
    // Packets each stream is scheduled to send in the window when the load keeps pace.
    let scheduled_per_stream = plan.duration.as_nanos() as f64 / INTERVAL_NS as f64;
    for worker in results {
        let worker = worker?;
        if worker.unconnected > 0 {
            result.setup_errors += worker.unconnected;
            let why = worker.browser_failure.as_deref().unwrap_or("no reason");
            result.first_error.get_or_insert(format!(
                "{} browsers not connected after {:.1} s ({why})",
                worker.unconnected, result.connect_seconds
            ));
        }
        result.add_worker(worker, plan.duration.as_secs_f64());
    }
    result.scheduled = (scheduled_per_stream * 2.0 * calls as f64) as u64;
    Ok(())
}
