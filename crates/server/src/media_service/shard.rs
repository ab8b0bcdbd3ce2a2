//! One media thread: a single-threaded runtime whose tasks share the engine without
//! locks: one task per leg socket (receives, hands the datagram to the engine, sends what
//! comes out), one for the engine's timers, one for commands.

use super::ports::Ports;
use super::{Command, MediaEvent};
use calls::LegRef;
use media::{Engine, LegId, Socket};
use std::cell::RefCell;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;
use std::time::Instant;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, Notify};
use tokio::task::JoinHandle;

struct Sockets {
    rtp: Rc<UdpSocket>,
    rtcp: Option<Rc<UdpSocket>>,
    port: u16,
    tasks: Vec<JoinHandle<()>>,
}

struct Shard {
    index: usize,
    engine: Engine,
    sockets: HashMap<LegId, Sockets>,
    ports: Ports,
    bind: IpAddr,
    public: IpAddr,
    events: mpsc::UnboundedSender<MediaEvent>,
    timer: Rc<Notify>,
    armed: Option<Instant>,
}

type Shared = Rc<RefCell<Shard>>;

/// Starts media thread `index`.
pub(super) fn spawn(
    index: usize,
    bind: IpAddr,
    public: IpAddr,
    ports: Ports,
    events: mpsc::UnboundedSender<MediaEvent>,
) -> anyhow::Result<mpsc::UnboundedSender<Command>> {
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::Builder::new()
        .name(format!("media-{index}"))
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!(error = %e, "media thread could not start");
                    return;
                }
            };
            let local = tokio::task::LocalSet::new();
            let shard = Rc::new(RefCell::new(Shard {
                index,
                engine: Engine::new("durchwahl"),
                sockets: HashMap::new(),
                ports,
                bind,
                public,
                events,
                timer: Rc::new(Notify::new()),
                armed: None,
            }));
            local.spawn_local(timers(shard.clone()));
            local.block_on(&runtime, commands(shard, rx));
        })?;
    Ok(tx)
}

fn leg_ref(index: usize, leg: LegId) -> LegRef {
    LegRef(((index as u64) << 32) | u64::from(leg.0))
}

fn leg_id(leg: LegRef) -> LegId {
    LegId(leg.0 as u32)
}

async fn commands(shard: Shared, mut rx: mpsc::UnboundedReceiver<Command>) {
    while let Some(command) = rx.recv().await {
        let now = Instant::now();
        match command {
            Command::WebRtc {
                offer,
                codecs,
                reply,
            } => {
                let made = (|| {
                    let (port, rtp, _) = bind_leg(&shard, false)?;
                    let mut s = shard.borrow_mut();
                    let candidate = SocketAddr::new(s.public, port);
                    match s
                        .engine
                        .add_webrtc_leg(now, candidate, candidate, &offer, &codecs)
                    {
                        Ok((leg, answer)) => {
                            let codec = s
                                .engine
                                .negotiated(leg)
                                .map(|n| n.codec)
                                .unwrap_or(media::Codec::Pcma);
                            drop(s);
                            attach(&shard, leg, port, rtp, None);
                            Ok((leg_ref(shard.borrow().index, leg), codec, answer))
                        }
                        Err(e) => {
                            s.ports.give(port);
                            Err(e.to_string())
                        }
                    }
                })();
                let _ = reply.send(made);
            }
            Command::RtpOffer {
                sdp,
                allowed,
                reply,
            } => {
                let made = (|| {
                    let (port, rtp, rtcp) = bind_leg(&shard, true)?;
                    let mut s = shard.borrow_mut();
                    let public = s.public;
                    let leg = s.engine.add_rtp_leg(port, public);
                    match s.engine.rtp_offer(leg, &sdp, &allowed) {
                        Ok((negotiated, answer)) => {
                            drop(s);
                            attach(&shard, leg, port, rtp, rtcp);
                            Ok((leg_ref(shard.borrow().index, leg), negotiated, answer))
                        }
                        Err(e) => {
                            s.engine.remove(leg);
                            s.ports.give(port);
                            Err(e.to_string())
                        }
                    }
                })();
                let _ = reply.send(made);
            }
            Command::RtpNew { reply } => {
                let made = (|| {
                    let (port, rtp, rtcp) = bind_leg(&shard, true)?;
                    let mut s = shard.borrow_mut();
                    let public = s.public;
                    let leg = s.engine.add_rtp_leg(port, public);
                    let offer = s
                        .engine
                        .rtp_make_offer(leg, media::sdp::Direction::SendRecv)
                        .map_err(|e| e.to_string())?;
                    drop(s);
                    attach(&shard, leg, port, rtp, rtcp);
                    Ok((leg_ref(shard.borrow().index, leg), offer))
                })();
                let _ = reply.send(made);
            }
            Command::RtpAnswer { leg, sdp, reply } => {
                let r = shard
                    .borrow_mut()
                    .engine
                    .rtp_answer(now, leg_id(leg), &sdp)
                    .map_err(|e| e.to_string());
                let _ = reply.send(r);
            }
            Command::T38 { leg, sdp, reply } => {
                let r = shard
                    .borrow_mut()
                    .engine
                    .t38_offer(now, leg_id(leg), &sdp)
                    .map_err(|e| e.to_string());
                let _ = reply.send(r);
            }
            Command::Bridge(a, b, reply) => {
                let r = shard
                    .borrow_mut()
                    .engine
                    .bridge(leg_id(a), leg_id(b))
                    .map_err(|e| e.to_string());
                let _ = reply.send(r);
            }
            Command::Hear(leg, sources, reply) => {
                let sources: Vec<LegId> = sources.into_iter().map(leg_id).collect();
                let r = shard
                    .borrow_mut()
                    .engine
                    .hear(now, leg_id(leg), &sources)
                    .map_err(|e| e.to_string());
                let _ = reply.send(r);
            }
            Command::Hold(leg, on) => shard.borrow_mut().engine.set_held(leg_id(leg), on),
            Command::Dtmf(leg, digits) => {
                shard
                    .borrow_mut()
                    .engine
                    .send_dtmf(now, leg_id(leg), &digits);
            }
            Command::Play {
                leg,
                frames,
                encoding,
                looping,
            } => {
                let played =
                    shard
                        .borrow_mut()
                        .engine
                        .play(now, leg_id(leg), frames, encoding, looping);
                if let Err(e) = played {
                    tracing::info!(error = %e, "a prompt could not be played");
                    // As if it had played: the hotline goes on with what comes next.
                    let _ = shard.borrow().events.send(MediaEvent::Played(leg));
                }
            }
            Command::StopPlaying(leg) => shard.borrow_mut().engine.stop_playing(leg_id(leg)),
            Command::Record(leg, max) => {
                if let Err(e) = shard.borrow_mut().engine.record(leg_id(leg), max) {
                    tracing::info!(error = %e, "a leg could not be recorded");
                    // As if it had ended at once: the voicemail stores nothing.
                    let _ =
                        shard
                            .borrow()
                            .events
                            .send(MediaEvent::Recorded(leg, Vec::new(), false));
                }
            }
            Command::StopRecording(leg) => shard.borrow_mut().engine.stop_recording(leg_id(leg)),
            Command::Attach(leg, terminal) => {
                let attached =
                    shard
                        .borrow_mut()
                        .engine
                        .attach_terminal(now, leg_id(leg), terminal);
                if let Err(e) = attached {
                    tracing::info!(error = %e, "a fax modem could not go on a leg");
                    let _ = shard.borrow().events.send(MediaEvent::TerminalDone(leg));
                }
            }
            Command::Legs(reply) => {
                let _ = reply.send(shard.borrow().sockets.len());
            }
            Command::Remove(leg) => {
                let mut s = shard.borrow_mut();
                s.engine.remove(leg_id(leg));
                if let Some(sockets) = s.sockets.remove(&leg_id(leg)) {
                    sockets.tasks.iter().for_each(JoinHandle::abort);
                    s.ports.give(sockets.port);
                }
            }
        }
        flush(&shard);
    }
}

/// A leg's port pair and its sockets (RTCP only for phone legs).
type Bound = (u16, Rc<UdpSocket>, Option<Rc<UdpSocket>>);

/// Binds a leg's socket(s) on the next free port pair.
fn bind_leg(shard: &Shared, with_rtcp: bool) -> Result<Bound, String> {
    let mut s = shard.borrow_mut();
    for _ in 0..64 {
        let Some(port) = s.ports.take() else { break };
        let rtp = bind(s.bind, port);
        let rtcp = if with_rtcp {
            bind(s.bind, port + 1).map(Some)
        } else {
            Ok(None)
        };
        match (rtp, rtcp) {
            (Ok(rtp), Ok(rtcp)) => return Ok((port, Rc::new(rtp), rtcp.map(Rc::new))),
            // Held by another program: skip this pair for now.
            _ => s.ports.give(port),
        }
    }
    Err("no free media port".into())
}

fn bind(ip: IpAddr, port: u16) -> std::io::Result<UdpSocket> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(SocketAddr::new(ip, port)),
        socket2::Type::DGRAM,
        None,
    )?;
    socket.set_nonblocking(true)?;
    // A burst of a few hundred packets must not overflow the default buffer.
    let _ = socket.set_recv_buffer_size(256 * 1024);
    socket.bind(&SocketAddr::new(ip, port).into())?;
    UdpSocket::from_std(socket.into())
}

fn attach(shard: &Shared, leg: LegId, port: u16, rtp: Rc<UdpSocket>, rtcp: Option<Rc<UdpSocket>>) {
    let mut tasks = vec![tokio::task::spawn_local(receive(
        shard.clone(),
        rtp.clone(),
        leg,
        Socket::Rtp,
    ))];
    if let Some(r) = &rtcp {
        tasks.push(tokio::task::spawn_local(receive(
            shard.clone(),
            r.clone(),
            leg,
            Socket::Rtcp,
        )));
    }
    shard.borrow_mut().sockets.insert(
        leg,
        Sockets {
            rtp,
            rtcp,
            port,
            tasks,
        },
    );
}

/// Receives on one socket of a leg, as many datagrams as are waiting per wake-up.
async fn receive(shard: Shared, socket: Rc<UdpSocket>, leg: LegId, which: Socket) {
    let mut buf = vec![0u8; 2048];
    loop {
        if socket.readable().await.is_err() {
            return;
        }
        let mut s = shard.borrow_mut();
        let s = &mut *s;
        let mut any = false;
        loop {
            let (n, from) = match socket.try_recv_from(&mut buf) {
                Ok(x) => x,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(_) => continue,
            };
            any = true;
            if let Some(f) =
                s.engine
                    .handle_datagram(Instant::now(), leg, which, from, &mut buf[..n])
            {
                if let Some(out) = s.sockets.get(&f.leg) {
                    let _ = out.rtp.try_send_to(&buf[..n], f.to);
                }
            }
        }
        if any {
            drain(s);
        }
    }
}

/// Sends what the engine queued and passes on its events; wakes the timer task if the
/// engine's next deadline moved earlier.
fn flush(shard: &Shared) {
    drain(&mut shard.borrow_mut());
}

fn drain(s: &mut Shard) {
    while let Some(t) = s.engine.poll_transmit() {
        if let Some(sockets) = s.sockets.get(&t.leg) {
            let socket = match t.socket {
                Socket::Rtp => Some(&sockets.rtp),
                Socket::Rtcp => sockets.rtcp.as_ref(),
            };
            if let Some(socket) = socket {
                let _ = socket.try_send_to(&t.bytes, t.to);
            }
        }
    }
    while let Some(e) = s.engine.poll_event() {
        let event = match e {
            media::Event::Closed(leg) => MediaEvent::Closed(leg_ref(s.index, leg)),
            media::Event::Dtmf { leg, digit } => MediaEvent::Dtmf(leg_ref(s.index, leg), digit),
            media::Event::Connected(_) => continue,
            media::Event::Played(leg) => MediaEvent::Played(leg_ref(s.index, leg)),
            media::Event::TerminalDone(leg) => MediaEvent::TerminalDone(leg_ref(s.index, leg)),
            media::Event::Recorded { leg, samples, full } => {
                MediaEvent::Recorded(leg_ref(s.index, leg), samples, full)
            }
        };
        let _ = s.events.send(event);
    }
    let next = s.engine.poll_timeout();
    if next.is_some() && (s.armed.is_none() || next < s.armed) {
        s.armed = next;
        s.timer.notify_one();
    }
}

/// Fires the engine's timers (ICE and DTLS of browser legs, RTCP reports, generated
/// telephone-events) at its deadline.
async fn timers(shard: Shared) {
    let notify = shard.borrow().timer.clone();
    loop {
        let next = shard.borrow().engine.poll_timeout();
        shard.borrow_mut().armed = next;
        match next {
            Some(at) => {
                tokio::select! {
                    _ = tokio::time::sleep_until(at.into()) => {
                        let mut s = shard.borrow_mut();
                        s.engine.handle_timeout(Instant::now());
                        s.armed = None;
                        drain(&mut s);
                    }
                    _ = notify.notified() => {}
                }
            }
            None => notify.notified().await,
        }
    }
}
