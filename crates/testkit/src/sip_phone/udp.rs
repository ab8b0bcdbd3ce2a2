//! [`UdpPhone`]: a [`SipPhone`] on a blocking `std::net::UdpSocket`, pumped with the
//! real clock. Each command runs the sans-IO phone and sends what it produced; the
//! `wait_*` functions receive and fire timers until the event the test waits for
//! arrives, or a time limit passes (then they panic with what did arrive).

use bytes::Bytes;
use sip_ua::{Account, CallRef, PhoneError, PhoneEvent, SipPhone};
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// How long the `wait_*` functions wait unless told otherwise.
pub const WAIT: Duration = Duration::from_secs(10);

/// A SIP phone on a UDP socket of its own.
pub struct UdpPhone {
    socket: UdpSocket,
    phone: SipPhone,
    started: Instant,
    /// Every event so far, in order, those the test waited for included.
    pub history: Vec<PhoneEvent>,
}

impl UdpPhone {
    /// A phone for `account` on a fresh loopback port, talking to the proxy `server`.
    /// Its randomness is seeded from its port and the clock.
    pub fn bind(account: Account, server: SocketAddr) -> std::io::Result<UdpPhone> {
        let socket = UdpSocket::bind(SocketAddr::new(server.ip(), 0))?;
        let local = socket.local_addr()?;
        let clock = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        let seed = clock ^ u64::from(local.port()) << 48;
        Ok(UdpPhone {
            socket,
            phone: SipPhone::new(account, local, server, seed),
            started: Instant::now(),
            history: Vec::new(),
        })
    }

    /// The sans-IO phone inside.
    pub fn phone(&self) -> &SipPhone {
        &self.phone
    }

    /// Where it listens.
    pub fn local(&self) -> SocketAddr {
        self.phone.local()
    }

    fn now(&self) -> i64 {
        i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX)
    }

    /// Sends everything the phone has to send.
    fn flush(&mut self) {
        while let Some(t) = self.phone.poll_transmit() {
            // A lost datagram is what the transaction layer is for.
            let _ = self.socket.send_to(&t.data, t.to);
        }
    }

    /// Runs a command on the phone with the current time, then sends.
    fn command<T>(&mut self, f: impl FnOnce(&mut SipPhone, i64) -> T) -> T {
        let now = self.now();
        let out = f(&mut self.phone, now);
        self.flush();
        out
    }

    /// See [`SipPhone::register`].
    pub fn register(&mut self) {
        self.command(|p, now| p.register(now));
    }

    /// See [`SipPhone::unregister`].
    pub fn unregister(&mut self) {
        self.command(|p, now| p.unregister(now));
    }

    /// See [`SipPhone::call`].
    pub fn call(&mut self, target: &str, sdp: &str) -> CallRef {
        self.command(|p, now| p.call(now, target, sdp))
    }

    /// See [`SipPhone::answer`].
    pub fn answer(&mut self, call: CallRef, sdp: &str) -> Result<(), PhoneError> {
        self.command(|p, now| p.answer(now, call, sdp))
    }

    /// See [`SipPhone::reject`].
    pub fn reject(&mut self, call: CallRef, code: u16) -> Result<(), PhoneError> {
        self.command(|p, now| p.reject(now, call, code))
    }

    /// See [`SipPhone::reinvite`].
    pub fn reinvite(&mut self, call: CallRef, sdp: &str) -> Result<(), PhoneError> {
        self.command(|p, now| p.reinvite(now, call, sdp))
    }

    /// See [`SipPhone::hang_up`].
    pub fn hang_up(&mut self, call: CallRef) -> Result<(), PhoneError> {
        self.command(|p, now| p.hang_up(now, call))
    }

    /// Takes one step for at most `limit`: fires the timers that are due, or handles one
    /// datagram. What the phone then has to send goes out at once.
    fn step(&mut self, limit: Duration) {
        let now = self.now();
        let timer = self.phone.poll_timeout().map(|at| at - now);
        if timer.is_some_and(|ms| ms <= 0) {
            self.phone.handle_timeout(now);
            self.flush();
            return;
        }
        let until_timer = timer.map_or(limit, |ms| Duration::from_millis(ms as u64));
        let wait = limit.min(until_timer).max(Duration::from_millis(1));
        self.socket
            .set_read_timeout(Some(wait))
            .expect("a read timeout");
        let mut buf = [0u8; 65_535];
        match self.socket.recv_from(&mut buf) {
            Ok((n, from)) => {
                let now = self.now();
                let data = Bytes::copy_from_slice(&buf[..n]);
                self.phone.handle_datagram(now, from, data);
                self.flush();
            }
            Err(e) if is_timeout(&e) => {}
            Err(e) => panic!("the phone's socket failed: {e}"),
        }
    }

    /// The next event, if the phone has one now.
    fn take_event(&mut self) -> Option<PhoneEvent> {
        let event = self.phone.poll_event()?;
        self.history.push(event.clone());
        Some(event)
    }

    /// Receives and fires timers until the phone has an event, for at most `limit`.
    pub fn next_event(&mut self, limit: Duration) -> Option<PhoneEvent> {
        let end = Instant::now() + limit;
        loop {
            if let Some(event) = self.take_event() {
                return Some(event);
            }
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            self.step(left);
        }
    }

    /// Waits up to `limit` for an event `wanted` picks (and returns what it picked);
    /// others are skipped (they stay in [`UdpPhone::history`]). Panics on time-out.
    /// Only this phone runs meanwhile: see [`UdpPhone::wait_for_with`] when another has
    /// to act first (answer a 407, ring).
    pub fn wait_for<T>(
        &mut self,
        limit: Duration,
        wanted: impl FnMut(&PhoneEvent) -> Option<T>,
    ) -> T {
        self.wait_for_with(&mut [], limit, wanted)
    }

    /// [`UdpPhone::wait_for`] while `others` run too, in turns of a few milliseconds:
    /// the caller answering the proxy's 407 while the test waits for the callee to ring.
    /// Their events wait for them (read them with their `wait_*` or `next_event`).
    pub fn wait_for_with<T>(
        &mut self,
        others: &mut [&mut UdpPhone],
        limit: Duration,
        mut wanted: impl FnMut(&PhoneEvent) -> Option<T>,
    ) -> T {
        let end = Instant::now() + limit;
        let slice = match others.is_empty() {
            true => limit,
            false => Duration::from_millis(5),
        };
        loop {
            while let Some(event) = self.take_event() {
                if let Some(found) = wanted(&event) {
                    return found;
                }
            }
            let left = end.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!(
                    "{}: the awaited event did not come within {limit:?}; events: {:?}",
                    self.phone.account().username,
                    self.history
                );
            }
            for other in others.iter_mut() {
                other.step(Duration::from_millis(1));
            }
            self.step(left.min(slice));
        }
    }

    /// Registers and waits for the answer: the granted expiry, or the failure status.
    pub fn register_and_wait(&mut self) -> Result<u32, u16> {
        self.register();
        self.wait_for(WAIT, |e| match e {
            PhoneEvent::Registered { expires } => Some(Ok(*expires)),
            PhoneEvent::RegistrationFailed { code } => Some(Err(*code)),
            _ => None,
        })
    }

    /// Registers until the registrar accepts, for up to `limit`: a device made a moment
    /// ago reaches the switch asynchronously, and until then its REGISTER is refused.
    pub fn register_until_accepted(&mut self, limit: Duration) -> u32 {
        let end = Instant::now() + limit;
        loop {
            match self.register_and_wait() {
                Ok(expires) => return expires,
                // Not known yet: each attempt costs a round trip, no sleeping.
                Err(_) if Instant::now() < end => {}
                Err(code) => panic!(
                    "{}: REGISTER still refused with {code} after {limit:?}",
                    self.phone.account().username
                ),
            }
        }
    }

    /// Receives for `duration`, answering what comes (retransmissions, BYEs), and
    /// returns the events of that time.
    pub fn pump(&mut self, duration: Duration) -> Vec<PhoneEvent> {
        let end = Instant::now() + duration;
        let mut events = Vec::new();
        while let Some(event) = self.next_event(end.saturating_duration_since(Instant::now())) {
            events.push(event);
        }
        events
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
    )
}
