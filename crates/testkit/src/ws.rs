//! A small blocking WebSocket client for end-to-end tests of `/api/v1/ws`: sends the
//! session cookie, says `hello`, and waits for frames by predicate with a deadline.

use crate::http::Client;
use serde_json::{json, Value};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{self, Message, WebSocket};

/// One open connection.
pub struct WsClient {
    socket: WebSocket<TcpStream>,
    /// Frames received but not yet taken.
    pub pending: Vec<Value>,
    /// The close frame, once the server closed.
    pub closed: Option<(u16, String)>,
}

/// Opens `/api/v1/ws` with the client's cookies and an optional `Origin`; `Err` carries
/// the HTTP status when the upgrade is refused.
pub fn open(client: &Client, origin: Option<&str>) -> Result<WsClient, u16> {
    let address = client.address();
    let mut request = format!("ws://{address}/api/v1/ws")
        .into_client_request()
        .unwrap();
    let jar: Vec<String> = client
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if !jar.is_empty() {
        request
            .headers_mut()
            .insert("Cookie", jar.join("; ").parse().unwrap());
    }
    if let Some(o) = origin {
        request.headers_mut().insert("Origin", o.parse().unwrap());
    }
    let stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    match tungstenite::client::client(request, stream) {
        Ok((socket, _)) => Ok(WsClient {
            socket,
            pending: Vec::new(),
            closed: None,
        }),
        Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Http(r))) => {
            Err(r.status().as_u16())
        }
        Err(e) => panic!("WebSocket handshake: {e}"),
    }
}

/// Opens, says hello (resuming after `since`) and returns the client with everything up
/// to and including `resume.done` in `pending`.
pub fn connect(client: &Client, since: Option<i64>) -> WsClient {
    let mut ws = open(client, None).expect("upgrade refused");
    ws.send(json!({"type": "hello", "protocol": 1, "since": since}));
    let end = Instant::now() + Duration::from_secs(5);
    while !ws.pending.iter().any(|f| f["type"] == "resume.done") {
        assert!(
            Instant::now() < end && ws.read_some(Duration::from_millis(200)),
            "no resume.done: {:?}",
            ws.pending
        );
    }
    ws
}

impl WsClient {
    /// Sends a JSON frame.
    pub fn send(&mut self, frame: Value) {
        self.send_text(&frame.to_string());
    }

    /// Sends raw text.
    pub fn send_text(&mut self, text: &str) {
        self.socket.send(Message::text(text)).expect("send");
    }

    /// Sends raw bytes as a binary frame.
    pub fn send_binary(&mut self, data: Vec<u8>) {
        self.socket.send(Message::binary(data)).expect("send");
    }

    /// Reads for up to `wait`; returns false once the connection is closed.
    fn read_some(&mut self, wait: Duration) -> bool {
        let end = Instant::now() + wait;
        while Instant::now() < end {
            match self.socket.read() {
                Ok(Message::Text(t)) => {
                    self.pending
                        .push(serde_json::from_str(t.as_str()).expect("server sent JSON"));
                    return true;
                }
                Ok(Message::Close(frame)) => {
                    let f: Option<CloseFrame> = frame;
                    self.closed = Some(f.map_or((1005, String::new()), |f| {
                        (u16::from(f.code), f.reason.to_string())
                    }));
                    return false;
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(e))
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => {
                    if self.closed.is_none() {
                        self.closed = Some((1006, String::new()));
                    }
                    return false;
                }
            }
        }
        true
    }

    /// Waits up to 5 s for a frame matching `want`, removing it and everything before it
    /// from `pending`. Panics with what arrived instead.
    pub fn wait_for(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        self.wait_for_within(Duration::from_secs(5), want)
    }

    /// As [`WsClient::wait_for`], waiting up to `limit` (a call that rings out first).
    pub fn wait_for_within(&mut self, limit: Duration, want: impl Fn(&Value) -> bool) -> Value {
        let end = Instant::now() + limit;
        loop {
            if let Some(i) = self.pending.iter().position(&want) {
                let found = self.pending[i].clone();
                self.pending.drain(..=i);
                return found;
            }
            if Instant::now() > end || !self.read_some(Duration::from_millis(200)) {
                panic!(
                    "no matching frame; got {:?}, closed {:?}",
                    self.pending, self.closed
                );
            }
        }
    }

    /// Frames that arrive within `wait`, all taken.
    pub fn drain(&mut self, wait: Duration) -> Vec<Value> {
        let end = Instant::now() + wait;
        while Instant::now() < end && self.read_some(Duration::from_millis(50)) {}
        std::mem::take(&mut self.pending)
    }

    /// Waits up to 5 s for the server to close; returns code and reason.
    pub fn wait_closed(&mut self) -> (u16, String) {
        let end = Instant::now() + Duration::from_secs(5);
        while self.closed.is_none() && Instant::now() < end {
            self.read_some(Duration::from_millis(100));
        }
        self.closed.clone().expect("the server did not close")
    }
}
