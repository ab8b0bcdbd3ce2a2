//! The ng client: sends offer/answer/delete requests to the relay's control port, a window
//! of them in flight, and retransmits those unanswered (the ng protocol answers a repeated
//! cookie from its cache, so a retransmission is safe).
//!
//! A request may carry keys beyond the ng crate's commands: rtpengine's `ICE`, `DTLS`,
//! `transport-protocol` and `rtcp-mux`, which WebRTC calls need (see `webrtc.rs`).

use anyhow::{bail, Context};
use ng::{Command, Reply, Request, Response, Value};
use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// Requests in flight at once.
const WINDOW: usize = 32;
/// A request unanswered this long is sent again.
const RETRANSMIT_AFTER: Duration = Duration::from_millis(500);
/// Sends per request before giving up.
const MAX_SENDS: u32 = 5;

/// One request: a command and extra keys of its dictionary.
pub struct Ask {
    command: Command,
    extra: Vec<(&'static str, Value)>,
}

impl Ask {
    /// `command` with the keys `extra` added to its dictionary.
    pub fn with(command: Command, extra: Vec<(&'static str, Value)>) -> Ask {
        Ask { command, extra }
    }

    fn datagram(self, cookie: String) -> Vec<u8> {
        let plain = Request {
            cookie: cookie.clone(),
            command: self.command,
        }
        .to_bytes();
        if self.extra.is_empty() {
            return plain;
        }
        let Ok(Value::Dict(mut dict)) = ng::bencode::decode(&plain[cookie.len() + 1..]) else {
            return plain;
        };
        for (key, value) in self.extra {
            dict.insert(key.as_bytes().to_vec(), value);
        }
        let mut out = format!("{cookie} ").into_bytes();
        Value::Dict(dict).encode_into(&mut out);
        out
    }
}

impl From<Command> for Ask {
    fn from(command: Command) -> Ask {
        Ask {
            command,
            extra: Vec::new(),
        }
    }
}

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
            match self.exchange(vec![Ask::from(Command::Ping)]) {
                Ok(r) if r[0] == Response::Pong => return Ok(()),
                Ok(r) => bail!("ping answered with {:?}", r[0]),
                Err(e) if Instant::now() >= until => return Err(e.context("no pong")),
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Sends every command and returns the responses in the same order. Fails when one
    /// stays unanswered after all retransmissions.
    pub fn exchange<A: Into<Ask>>(&mut self, commands: Vec<A>) -> anyhow::Result<Vec<Response>> {
        let mut responses: Vec<Option<Response>> = vec![None; commands.len()];
        // cookie -> (index, datagram, last send, sends)
        let mut in_flight: HashMap<String, (usize, Vec<u8>, Instant, u32)> = HashMap::new();
        let mut pending = commands.into_iter().enumerate();
        let mut done = 0;
        let total = responses.len();
        let mut buf = vec![0u8; 65_536];
        while done < total {
            while in_flight.len() < WINDOW {
                let Some((index, ask)) = pending.next() else {
                    break;
                };
                let cookie = format!("{}{}", self.prefix, self.next);
                self.next += 1;
                let datagram = ask.into().datagram(cookie.clone());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_keys_join_the_command_s_dictionary() {
        let offer = Command::Offer {
            call_id: "c".into(),
            from_tag: "f".into(),
            sdp: "v=0\r\n".into(),
            flags: vec![],
        };
        let plain = Ask::from(offer.clone()).datagram("7_1".into());
        assert_eq!(
            plain,
            Request {
                cookie: "7_1".into(),
                command: offer.clone()
            }
            .to_bytes()
        );
        let keys = vec![
            ("ICE", Value::from("remove")),
            ("rtcp-mux", Value::List(vec!["demux".into()])),
        ];
        let datagram = Ask::with(offer.clone(), keys).datagram("7_2".into());
        // Still the same command to a relay that knows no more keys (Durchwahl's parser).
        assert_eq!(Request::parse(&datagram).unwrap().command, offer);
        let dict = ng::bencode::decode(&datagram[4..]).unwrap();
        assert_eq!(dict.get("ICE"), Some(&Value::from("remove")));
        assert_eq!(
            dict.get("rtcp-mux")
                .and_then(Value::as_list)
                .map(<[_]>::len),
            Some(1)
        );
    }
}
