//! The ng client: sends offer/answer/delete requests to the relay's control port, a window
//! of them in flight, and retransmits those unanswered (the ng protocol answers a repeated
//! cookie from its cache, so a retransmission is safe).

use anyhow::{bail, Context};
use ng::{Command, Reply, Request, Response};
use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// Requests in flight at once.
const WINDOW: usize = 32;
/// A request unanswered this long is sent again.
const RETRANSMIT_AFTER: Duration = Duration::from_millis(500);
/// Sends per request before giving up.
const MAX_SENDS: u32 = 5;

/// A control connection to one relay.
pub struct Control {
    socket: UdpSocket,
    prefix: String,
    next: u64,
}

impl Control {
    /// A socket on the loopback address for the relay at `relay`.
    pub fn connect(relay: SocketAddr) -> anyhow::Result<Self> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.connect(relay)?;
        socket.set_read_timeout(Some(Duration::from_millis(50)))?;
        Ok(Control {
            socket,
            prefix: format!("{}_", std::process::id()),
            next: 0,
        })
    }

    /// `ping` until `pong` or `timeout`.
    pub fn ping(&mut self, timeout: Duration) -> anyhow::Result<()> {
        let until = Instant::now() + timeout;
        loop {
            match self.exchange(vec![Command::Ping]) {
                Ok(r) if r[0] == Response::Pong => return Ok(()),
                Ok(r) => bail!("ping answered with {:?}", r[0]),
                Err(e) if Instant::now() >= until => return Err(e.context("no pong")),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Sends every command and returns the responses in the same order. Fails when one
    /// stays unanswered after all retransmissions.
    pub fn exchange(&mut self, commands: Vec<Command>) -> anyhow::Result<Vec<Response>> {
        let mut responses: Vec<Option<Response>> = vec![None; commands.len()];
        // cookie -> (index, datagram, last send, sends)
        let mut in_flight: HashMap<String, (usize, Vec<u8>, Instant, u32)> = HashMap::new();
        let mut pending = commands.into_iter().enumerate();
        let mut done = 0;
        let total = responses.len();
        let mut buf = vec![0u8; 65_536];
        while done < total {
            while in_flight.len() < WINDOW {
                let Some((index, command)) = pending.next() else {
                    break;
                };
                let cookie = format!("{}{}", self.prefix, self.next);
                self.next += 1;
                let datagram = Request {
                    cookie: cookie.clone(),
                    command,
                }
                .to_bytes();
                self.socket
                    .send(&datagram)
                    .context("sending to the ng port")?;
                in_flight.insert(cookie, (index, datagram, Instant::now(), 1));
            }
            match self.socket.recv(&mut buf) {
                Ok(len) => {
                    let reply = Reply::parse(&buf[..len]).context("a reply of the relay")?;
                    if let Some((index, ..)) = in_flight.remove(&reply.cookie) {
                        responses[index] = Some(reply.response);
                        done += 1;
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => return Err(e).context("receiving from the ng port"),
            }
            let now = Instant::now();
            for (cookie, (_, datagram, sent_at, sends)) in &mut in_flight {
                if now.duration_since(*sent_at) < RETRANSMIT_AFTER {
                    continue;
                }
                if *sends >= MAX_SENDS {
                    bail!("no answer to request {cookie} after {MAX_SENDS} sends");
                }
                self.socket.send(datagram)?;
                *sent_at = now;
                *sends += 1;
            }
        }
        Ok(responses.into_iter().flatten().collect())
    }
}
