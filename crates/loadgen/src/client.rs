//! One simulated member of staff: a WebSocket that says `hello`, waits for `resume.done`,
//! then writes the requests its worker hands it and measures every frame it receives.

use crate::frames::{self, Incoming, Request};
use crate::http::Target;
use crate::latency::Histogram;
use crate::stats::{bump, Stats};
use anyhow::{anyhow, bail, Context};
use futures_util::{SinkExt, StreamExt};
use std::cell::{Cell, RefCell};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::header::{COOKIE, ORIGIN};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

/// The socket of one client.
pub type Socket = WebSocketStream<TcpStream>;

/// Wait for `resume.done` after `hello`: generous, 20,000 clients connect in a storm.
const RESUME_TIMEOUT: Duration = Duration::from_secs(60);
/// Wait for one write to the socket.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

/// The wall clock in µs since the Unix epoch, shared by all processes on this machine.
pub fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

/// A request the worker's schedule hands to a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// `presence.set` busy or available.
    Presence {
        /// Busy (else available).
        busy: bool,
    },
    /// `chat.send` into this room.
    Chat {
        /// The room id.
        room: i64,
    },
}

/// What all clients of one worker write into.
#[derive(Default)]
pub struct Shared {
    /// The figures.
    pub stats: RefCell<Stats>,
    /// Whether the phases have begun (frames before are the connection storm).
    pub measuring: Cell<bool>,
}

/// Opens the WebSocket with the session cookie, says `hello` and waits for
/// `resume.done`. Returns the socket and the size of the presence snapshot.
pub async fn connect(target: &Target, cookie: &str) -> anyhow::Result<(Socket, usize)> {
    let mut request = target.ws_url().into_client_request()?;
    let headers = request.headers_mut();
    headers.insert(COOKIE, format!("dw_session={cookie}").parse()?);
    headers.insert(ORIGIN, target.origin().parse()?);
    let tcp = timeout(Duration::from_secs(10), TcpStream::connect(target.addr))
        .await
        .context("TCP connect timed out")??;
    tcp.set_nodelay(true)?;
    // Small buffers: 9,000 sockets per process at tungstenite's default 128 KiB each
    // would be more than a gigabyte; our frames are a few hundred bytes.
    let config = WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0);
    let handshake = tokio_tungstenite::client_async_with_config(request, tcp, Some(config));
    let (mut socket, _) = match timeout(Duration::from_secs(10), handshake).await {
        Err(_) => bail!("WebSocket handshake timed out"),
        Ok(Err(WsError::Http(response))) => bail!("upgrade refused: {}", response.status()),
        Ok(result) => result?,
    };
    timeout(WRITE_TIMEOUT, socket.send(Message::text(frames::hello())))
        .await
        .context("sending hello timed out")??;
    let mut entries = 0;
    let wait = async {
        while let Some(message) = socket.next().await {
            match message? {
                Message::Text(text) => match frames::classify(text.as_str()) {
                    Incoming::ResumeDone => return Ok(()),
                    Incoming::Snapshot { entries: n } => entries += n,
                    Incoming::Error { code, .. } => bail!("error {code} before resume.done"),
                    _ => {}
                },
                Message::Close(frame) => bail!("closed before resume.done: {frame:?}"),
                _ => {}
            }
        }
        Err(anyhow!("connection ended before resume.done"))
    };
    timeout(RESUME_TIMEOUT, wait)
        .await
        .context("no resume.done within 60 s")??;
    Ok((socket, entries))
}

/// Serves one connected client until its command channel closes (then closes the
/// socket, within a few seconds) or the server ends the connection.
pub async fn run(
    mut socket: Socket,
    own: String,
    shared: &Shared,
    mut commands: mpsc::Receiver<Command>,
) {
    loop {
        tokio::select! {
            message = socket.next() => match message {
                Some(Ok(Message::Text(text))) => on_frame(shared, &own, text.as_str()),
                Some(Ok(Message::Close(frame))) => {
                    let why = frame.map_or("close without code".to_string(), |f| {
                        format!("close {} {}", u16::from(f.code), f.reason)
                    });
                    bump(&mut shared.stats.borrow_mut().dropped, &why);
                    return;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    bump(&mut shared.stats.borrow_mut().dropped, &format!("read error: {e}"));
                    return;
                }
                None => {
                    bump(&mut shared.stats.borrow_mut().dropped, "connection ended");
                    return;
                }
            },
            command = commands.recv() => {
                let Some(command) = command else { break };
                let now = now_micros();
                let text = match command {
                    Command::Presence { busy } => frames::presence_set(busy, now),
                    Command::Chat { room } => frames::chat_send(room, now),
                };
                match timeout(WRITE_TIMEOUT, socket.send(Message::text(text))).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => {
                        bump(&mut shared.stats.borrow_mut().dropped, &format!("write error: {e}"));
                        return;
                    }
                    Err(_) => {
                        bump(&mut shared.stats.borrow_mut().dropped, "write timed out");
                        return;
                    }
                }
            }
        }
    }
    // Our side ends: a clean close, then whatever is still in flight, briefly.
    let _ = timeout(Duration::from_secs(2), socket.close(None)).await;
    let _ = timeout(Duration::from_secs(2), async {
        while let Some(Ok(message)) = socket.next().await {
            if let Message::Text(text) = message {
                on_frame(shared, &own, text.as_str());
            }
        }
    })
    .await;
}

fn record(histogram: &mut Histogram, skew: &mut u64, now: i64, sent: i64) {
    if now < sent {
        *skew += 1;
    }
    histogram.record((now - sent).max(0) as u64);
}

/// Measures one frame from the server.
fn on_frame(shared: &Shared, own: &str, text: &str) {
    let now = now_micros();
    let incoming = frames::classify(text);
    let stats = &mut *shared.stats.borrow_mut();
    let measuring = shared.measuring.get();
    match incoming {
        Incoming::Presence {
            login,
            sent: Some(sent),
        } => {
            if login == own {
                stats.presence.own_echo += 1;
            } else {
                record(
                    &mut stats.presence.delivered,
                    &mut stats.clock_skew,
                    now,
                    sent,
                );
            }
        }
        Incoming::Presence { sent: None, .. } => {
            if measuring {
                stats.presence_without_stamp += 1;
            }
        }
        // The sender's own client counts too: the protocol delivers to every member.
        Incoming::ChatMessage { sent: Some(sent) } => {
            record(&mut stats.chat.delivered, &mut stats.clock_skew, now, sent);
        }
        Incoming::Ack {
            request: Some((kind, sent)),
        } => {
            let traffic = match kind {
                Request::Presence => &mut stats.presence,
                Request::Chat => &mut stats.chat,
            };
            traffic.acks += 1;
            record(&mut traffic.ack_latency, &mut stats.clock_skew, now, sent);
        }
        Incoming::Error {
            code,
            request: Some((kind, _)),
        } => match kind {
            Request::Presence => bump(&mut stats.presence.errors, &code),
            Request::Chat => bump(&mut stats.chat.errors, &code),
        },
        Incoming::Error {
            code,
            request: None,
        } => bump(&mut stats.unmatched_errors, &code),
        other => {
            if measuring {
                let name = match other {
                    Incoming::ChatMessage { .. } => "chat.message (not ours)".to_string(),
                    Incoming::Ack { .. } => "ack (not ours)".to_string(),
                    Incoming::ResumeDone => "resume.done".to_string(),
                    Incoming::Snapshot { .. } => "presence.snapshot".to_string(),
                    Incoming::Other(kind) => kind,
                    _ => "(unreadable)".to_string(),
                };
                bump(&mut stats.other_frames, &name);
            }
        }
    }
}
