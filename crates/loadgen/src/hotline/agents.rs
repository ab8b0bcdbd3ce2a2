//! The hotline's agents on SIP phones (no browser open, so the server offers them calls
//! on their phones through its switch). Each phone is a `sip_ua` user agent on a socket
//! of its own, in a task of its own: it registers when told (with the device's digest
//! credentials from `durchwahl phones import`), answers every INVITE at once with a PCMA
//! answer, hands the call's RTP to the load's RTP thread, and hangs up after the phase's
//! talk time (the agent ends the conversation, as agents do).

use super::media::Media;
use bytes::Bytes;
use sip_ua::sdp::Sdp;
use sip_ua::{Account, CallRef, PhoneEvent, SipPhone};
use std::cell::Cell;
use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket as StdUdpSocket};
use std::rc::Rc;
use std::time::Duration;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::time::{sleep_until, Instant};

/// Stream ids of agents' calls start here (callers' are below).
pub const AGENT_STREAMS: u32 = 1 << 24;

/// A device from the credentials file of `durchwahl phones import`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// The person's login.
    pub login: String,
    /// SIP user name and password.
    pub account: Account,
}

/// Reads `login,label,sip_username,sip_password,extension,domain` (with its header line).
pub fn read_devices(text: &str) -> anyhow::Result<Vec<Device>> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = lines.next().unwrap_or_default();
    if !header.starts_with("login,label,sip_username,sip_password") {
        anyhow::bail!("not a credentials file of `durchwahl phones import`: {header:?}");
    }
    lines
        .map(|line| {
            let f: Vec<&str> = line.split(',').map(|f| f.trim_matches('"')).collect();
            match f.as_slice() {
                [login, _, user, password, _, domain] => Ok(Device {
                    login: (*login).to_string(),
                    account: Account::new(user, password, domain),
                }),
                _ => anyhow::bail!("a credentials line without 6 fields: {line:?}"),
            }
        })
        .collect()
}

/// What the load tells an agent's phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Register (an hour).
    Register,
    /// Remove the registration.
    Unregister,
    /// Hang up calls answered from now on after this long.
    TalkFor(Duration),
}

/// What an agent's phone reports (with the agent's index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// Registered (or unregistered: `false`).
    Registered(usize, bool),
    /// The registrar refused.
    RegisterFailed(usize, u16),
    /// An INVITE came and was answered.
    Answered(usize),
    /// A call ended.
    Ended(usize),
}

/// Starts the phone of `device` (agent `index`) talking to the switch at `server`.
pub async fn spawn(
    index: usize,
    device: Device,
    server: SocketAddr,
    media: Rc<Media>,
    reports: mpsc::UnboundedSender<Report>,
    streams: Rc<Cell<u32>>,
) -> anyhow::Result<mpsc::UnboundedSender<Command>> {
    let socket = UdpSocket::bind("127.0.0.1:0").await?;
    let local = socket.local_addr()?;
    let seed = 0xa9e7_0000_u64 ^ (index as u64) << 20 ^ u64::from(local.port());
    let agent = Agent {
        index,
        phone: SipPhone::new(device.account, local, server, seed),
        socket,
        epoch: std::time::Instant::now(),
        media,
        reports,
        streams,
        talk: Duration::from_secs(60),
        calls: HashMap::new(),
    };
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::task::spawn_local(agent.run(rx));
    Ok(tx)
}

struct Agent {
    index: usize,
    phone: SipPhone,
    socket: UdpSocket,
    epoch: std::time::Instant,
    media: Rc<Media>,
    reports: mpsc::UnboundedSender<Report>,
    streams: Rc<Cell<u32>>,
    talk: Duration,
    /// Calls: their RTP stream, our answer, and when to hang up.
    calls: HashMap<CallRef, (u32, String, Instant)>,
}

impl Agent {
    fn now(&self) -> i64 {
        self.epoch.elapsed().as_millis() as i64
    }

    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut buf = vec![0u8; 65_535];
        loop {
            let mut wake = Instant::now() + Duration::from_secs(3_600);
            if let Some(ms) = self.phone.poll_timeout() {
                let at = self.epoch + Duration::from_millis(ms.max(0) as u64);
                wake = wake.min(Instant::from_std(at));
            }
            if let Some(cap) = self.calls.values().map(|c| c.2).min() {
                wake = wake.min(cap);
            }
            tokio::select! {
                received = self.socket.recv_from(&mut buf) => {
                    if let Ok((n, from)) = received {
                        let data = Bytes::copy_from_slice(&buf[..n]);
                        self.phone.handle_datagram(self.now(), from, data);
                    }
                }
                command = commands.recv() => match command {
                    Some(Command::Register) => self.phone.register(self.now()),
                    Some(Command::Unregister) => self.phone.unregister(self.now()),
                    Some(Command::TalkFor(talk)) => self.talk = talk,
                    None => break,
                },
                _ = sleep_until(wake) => {
                    self.phone.handle_timeout(self.now());
                    let now = Instant::now();
                    let over: Vec<CallRef> = self
                        .calls
                        .iter()
                        .filter(|(_, c)| c.2 <= now)
                        .map(|(call, _)| *call)
                        .collect();
                    for call in over {
                        self.hang_up(call);
                    }
                }
            }
            self.events();
            while let Some(t) = self.phone.poll_transmit() {
                let _ = self.socket.try_send_to(&t.data, t.to);
            }
        }
        for (stream, _, _) in self.calls.values() {
            self.media.remove(*stream);
        }
    }

    fn hang_up(&mut self, call: CallRef) {
        if let Some((stream, _, _)) = self.calls.remove(&call) {
            self.media.remove(stream);
        }
        let _ = self.phone.hang_up(self.now(), call);
    }

    fn events(&mut self) {
        let i = self.index;
        while let Some(event) = self.phone.poll_event() {
            let report = match event {
                PhoneEvent::Registered { expires } => Some(Report::Registered(i, expires > 0)),
                PhoneEvent::RegistrationFailed { code } => Some(Report::RegisterFailed(i, code)),
                PhoneEvent::Incoming { call, sdp, .. } => self.answer(call, sdp.as_deref()),
                PhoneEvent::Offered { call, .. } => {
                    // A re-INVITE: the same answer (our media stays).
                    if let Some((_, answer, _)) = self.calls.get(&call) {
                        let answer = answer.clone();
                        let _ = self.phone.answer(self.now(), call, &answer);
                    }
                    None
                }
                PhoneEvent::Ended { call, .. } => self
                    .calls
                    .remove(&call)
                    .map(|(stream, _, _)| {
                        self.media.remove(stream);
                        Report::Ended(i)
                    })
                    .or(Some(Report::Ended(i))),
                _ => None,
            };
            if let Some(r) = report {
                let _ = self.reports.send(r);
            }
        }
    }

    /// Answers an INVITE with a PCMA answer on a fresh RTP socket.
    fn answer(&mut self, call: CallRef, offer: Option<&str>) -> Option<Report> {
        let offer = offer.and_then(|s| Sdp::parse(s).ok());
        let socket = StdUdpSocket::bind("127.0.0.1:0").ok();
        let (Some(offer), Some(socket)) = (offer, socket) else {
            let _ = self.phone.reject(self.now(), call, 488);
            return None;
        };
        let local = socket.local_addr().ok()?;
        let answer = offer.answer(local).to_string();
        if self.phone.answer(self.now(), call, &answer).is_err() {
            return None;
        }
        let stream = AGENT_STREAMS + self.streams.get();
        self.streams.set(self.streams.get() + 1);
        self.media.add(stream, socket, offer.media);
        let until = Instant::now() + self.talk;
        self.calls.insert(call, (stream, answer, until));
        Some(Report::Answered(self.index))
    }
}
