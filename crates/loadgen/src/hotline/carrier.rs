//! The carrier of an IP trunk: citizens call the hotline's direct number (or, for the
//! voicemail load, each their own number in the trunk's block). One SIP user agent
//! (`sip_ua`, sans-IO) on the trunk's `proxy` address sends each INVITE (with a PCMA
//! offer) to the server's trunk address, acknowledges the 200, hands the call's RTP to the
//! load's RTP thread and hangs up after the caller's stay or when the RTP side asks for
//! it, unless the server ends the call first.

use super::media::wall_us;
use crate::rtp_wheel::RtpThreads;
use bytes::Bytes;
use sip_ua::sdp::{Sdp, PCMA, TELEPHONE_EVENT};
use sip_ua::{Account, CallRef, PhoneEvent, SipPhone};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::net::{SocketAddr, UdpSocket as StdUdpSocket};
use std::time::Duration;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::time::{sleep_until, Instant};

/// Where the carrier's calls send and receive their RTP (a thread of the load).
pub trait Streams {
    /// Starts call `id`'s RTP from `socket` (bound, not connected) to `peer`.
    fn add(&self, id: u32, socket: StdUdpSocket, peer: SocketAddr);
    /// Stops call `id`'s RTP.
    fn remove(&self, id: u32);
}

impl<R: Send + 'static> Streams for RtpThreads<R> {
    fn add(&self, id: u32, socket: StdUdpSocket, peer: SocketAddr) {
        RtpThreads::add(self, id, socket, peer);
    }

    fn remove(&self, id: u32) {
        RtpThreads::remove(self, id);
    }
}

/// One citizen's call in a phase.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Stream id and caller number suffix (unique over the run).
    pub id: u32,
    /// When to dial.
    pub at: Instant,
    /// How long to stay after the 200 OK (at most: see [`Carrier::run`]'s `hang_ups`).
    pub stay: Duration,
    /// The number called (E.164); `None`: the carrier's own target.
    pub callee: Option<String>,
}

/// What became of one call.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The plan's id.
    pub id: u32,
    /// INVITE sent (µs since the epoch).
    pub placed_us: i64,
    /// 200 OK arrived.
    pub answered_us: Option<i64>,
    /// The call ended (our BYE, theirs, or a failure).
    pub ended_us: Option<i64>,
    /// The server ended it (BYE from the hotline).
    pub ended_by_server: bool,
    /// A final failure status (408: no answer at all).
    pub failed: Option<u16>,
}

/// The carrier's user agent on its socket.
pub struct Carrier {
    phone: SipPhone,
    socket: UdpSocket,
    epoch: std::time::Instant,
    trunk: SocketAddr,
    target: String,
}

impl Carrier {
    /// Binds the carrier at `at` (the trunk's `proxy`), calling `did` at `trunk`.
    pub async fn bind(at: SocketAddr, trunk: SocketAddr, did: &str) -> anyhow::Result<Carrier> {
        let socket = UdpSocket::bind(at).await?;
        let account = Account::new("carrier", "", "carrier.example");
        Ok(Carrier {
            phone: SipPhone::new(account, at, trunk, 0x0ca7_7e11 ^ u64::from(at.port())),
            socket,
            epoch: std::time::Instant::now(),
            trunk,
            target: format!("sip:{did}@{trunk}"),
        })
    }

    fn now(&self) -> i64 {
        self.epoch.elapsed().as_millis() as i64
    }

    fn flush(&mut self) {
        while let Some(t) = self.phone.poll_transmit() {
            // Lost on a full buffer: the transaction layer sends again.
            let _ = self.socket.try_send_to(&t.data, t.to);
        }
    }

    /// Runs the calls of `plans` until each has ended or `deadline` has passed (then the
    /// rest are hung up, with a few seconds for the last answers). A plan's id arriving on
    /// `hang_ups` hangs its call up at once (its caller has said all it had to say).
    pub async fn run(
        &mut self,
        media: &impl Streams,
        plans: &[Plan],
        deadline: Instant,
        mut hang_ups: Option<&mut mpsc::UnboundedReceiver<u32>>,
    ) -> Vec<Outcome> {
        let mut order: Vec<usize> = (0..plans.len()).collect();
        order.sort_by_key(|&i| plans[i].at);
        let mut next = 0;
        let mut outcomes: Vec<Outcome> = plans
            .iter()
            .map(|p| Outcome {
                id: p.id,
                ..Outcome::default()
            })
            .collect();
        let mut calls: HashMap<CallRef, Call> = HashMap::new();
        let mut hangups: BinaryHeap<Reverse<(Instant, CallRef)>> = BinaryHeap::new();
        let mut buf = vec![0u8; 65_535];
        let mut end = deadline;
        let mut out_of_time = false;
        loop {
            let now = Instant::now();
            if now >= deadline && !out_of_time {
                // Out of time: hang up what is still up, a little longer for the answers.
                out_of_time = true;
                next = order.len();
                for (&call, c) in &calls {
                    media.remove(plans[c.plan].id);
                    let _ = self.phone.hang_up(self.now(), call);
                }
                end = now + Duration::from_secs(5);
            }
            if next == order.len() && calls.is_empty() || now >= end {
                break;
            }
            while next < order.len() && plans[order[next]].at <= now {
                let i = order[next];
                next += 1;
                match self.dial(plans[i].id, plans[i].callee.as_deref()) {
                    Ok((call, socket)) => {
                        outcomes[i].placed_us = wall_us();
                        let local = socket.local_addr().unwrap_or(self.phone.local());
                        let socket = Some(socket);
                        calls.insert(
                            call,
                            Call {
                                plan: i,
                                socket,
                                local,
                            },
                        );
                    }
                    Err(_) => outcomes[i].failed = Some(0),
                }
            }
            while let Some(&Reverse((at, call))) = hangups.peek() {
                if at > now {
                    break;
                }
                hangups.pop();
                if let Some(c) = calls.get(&call) {
                    media.remove(plans[c.plan].id);
                    let _ = self.phone.hang_up(self.now(), call);
                }
            }
            self.events(media, plans, &mut outcomes, &mut calls, &mut hangups);
            self.flush();
            let mut wake = end;
            if let Some(&i) = order.get(next) {
                wake = wake.min(plans[i].at);
            }
            if let Some(Reverse((at, _))) = hangups.peek() {
                wake = wake.min(*at);
            }
            if let Some(ms) = self.phone.poll_timeout() {
                let at = self.epoch + Duration::from_millis(ms.max(0) as u64);
                wake = wake.min(Instant::from_std(at));
            }
            tokio::select! {
                received = self.socket.recv_from(&mut buf) => {
                    if let Ok((n, from)) = received {
                        let data = Bytes::copy_from_slice(&buf[..n]);
                        self.phone.handle_datagram(self.now(), from, data);
                    }
                }
                _ = sleep_until(wake) => self.phone.handle_timeout(self.now()),
                Some(id) = async {
                    match hang_ups.as_deref_mut() {
                        Some(r) => r.recv().await,
                        None => std::future::pending().await,
                    }
                } => {
                    if let Some((&call, _)) = calls.iter().find(|(_, c)| plans[c.plan].id == id) {
                        hangups.push(Reverse((Instant::now(), call)));
                    }
                    continue;
                }
            }
            self.events(media, plans, &mut outcomes, &mut calls, &mut hangups);
            self.flush();
        }
        outcomes
    }

    /// What the user agent reports about the calls.
    fn events(
        &mut self,
        media: &impl Streams,
        plans: &[Plan],
        outcomes: &mut [Outcome],
        calls: &mut HashMap<CallRef, Call>,
        hangups: &mut BinaryHeap<Reverse<(Instant, CallRef)>>,
    ) {
        while let Some(event) = self.phone.poll_event() {
            match event {
                PhoneEvent::Answered { call, sdp } => {
                    let Some(c) = calls.get_mut(&call) else {
                        continue;
                    };
                    let i = c.plan;
                    outcomes[i].answered_us = Some(wall_us());
                    let answer = sdp.as_deref().and_then(|s| Sdp::parse(s).ok());
                    match (c.socket.take(), answer) {
                        (Some(socket), Some(answer)) => {
                            media.add(plans[i].id, socket, answer.media);
                            hangups.push(Reverse((Instant::now() + plans[i].stay, call)));
                        }
                        _ => {
                            let _ = self.phone.hang_up(self.now(), call);
                        }
                    }
                }
                PhoneEvent::Offered { call, sdp } => {
                    // A re-INVITE: our media stays where it is.
                    let Some(c) = calls.get(&call) else { continue };
                    let offer = sdp.as_deref().and_then(|s| Sdp::parse(s).ok());
                    let answer = offer.map_or_else(
                        || Sdp::with_formats(c.local, &[PCMA, TELEPHONE_EVENT]),
                        |o| o.answer(c.local),
                    );
                    let _ = self.phone.answer(self.now(), call, &answer.to_string());
                }
                PhoneEvent::Failed { call, code } => {
                    if let Some(c) = calls.remove(&call) {
                        outcomes[c.plan].failed = Some(code);
                        outcomes[c.plan].ended_us = Some(wall_us());
                    }
                }
                PhoneEvent::Ended { call, reason } => {
                    if let Some(c) = calls.remove(&call) {
                        media.remove(plans[c.plan].id);
                        outcomes[c.plan].ended_us = Some(wall_us());
                        outcomes[c.plan].ended_by_server =
                            matches!(reason, sip::dialog::Reason::RemoteBye);
                    }
                }
                _ => {}
            }
        }
    }

    /// Sends the INVITE of citizen `id` to `callee` (else the carrier's target): its RTP
    /// socket, bound now, is in the offer.
    fn dial(&mut self, id: u32, callee: Option<&str>) -> std::io::Result<(CallRef, StdUdpSocket)> {
        let socket = StdUdpSocket::bind("127.0.0.1:0")?;
        let offer = Sdp::with_formats(socket.local_addr()?, &[PCMA, TELEPHONE_EVENT]);
        let from = format!("<sip:+49305{:07}@carrier.example>", id);
        let target = match callee {
            Some(number) => format!("sip:{number}@{}", self.trunk),
            None => self.target.clone(),
        };
        let call = self
            .phone
            .call_as(self.now(), &from, &target, &offer.to_string());
        self.flush();
        Ok((call, socket))
    }
}

/// A call of the carrier.
struct Call {
    /// Its plan's index.
    plan: usize,
    /// Its RTP socket until the 200 OK hands it to the RTP thread.
    socket: Option<StdUdpSocket>,
    /// The socket's address (in our offer).
    local: SocketAddr,
}
