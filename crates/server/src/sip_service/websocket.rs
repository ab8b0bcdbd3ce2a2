//! SIP over WebSocket (RFC 7118): the sockets the HTTP server's `/sip` hands over. One
//! SIP message per WebSocket message (text or binary); what the switch sends goes out as
//! a text message when it is UTF-8, else binary.

use crate::sip_service::stream::{Inbound, IDLE, QUEUE};
use axum::extract::ws::{Message, Utf8Bytes};
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use telephony::{Flow, Transport};
use tokio::sync::mpsc;

/// A WebSocket handed to the SIP service.
#[derive(Debug)]
pub struct SipSocket {
    /// The upgraded connection.
    pub socket: axum::extract::ws::WebSocket,
    /// The client's address (behind a trusted proxy the forwarded one, see
    /// `web::http::client_addr`) with the port of its HTTP connection.
    pub peer: std::net::SocketAddr,
    /// Whether it came over HTTPS (`WSS` in Via) or plain HTTP (`WS`).
    pub secure: bool,
}

/// How often the server pings a quiet WebSocket.
const PING: std::time::Duration = std::time::Duration::from_secs(30);

/// The flow of a handed-over socket.
pub fn flow(socket: &SipSocket) -> Flow {
    let transport = if socket.secure {
        Transport::Wss
    } else {
        Transport::Ws
    };
    Flow::new(transport, socket.peer)
}

/// Serves a handed-over socket on `runtime` (the HTTP server's, whose reactor the socket
/// belongs to) as connection `id`; returns its send queue.
pub fn accepted(
    runtime: &tokio::runtime::Handle,
    id: u64,
    socket: SipSocket,
    inbound: mpsc::Sender<Inbound>,
) -> mpsc::Sender<Bytes> {
    let flow = flow(&socket);
    let (tx, mut outgoing) = mpsc::channel::<Bytes>(QUEUE);
    let (mut sink, mut stream) = socket.socket.split();
    runtime.spawn(async move {
        let write = tokio::spawn(async move {
            // Pings keep reverse proxies and NAT from ending a quiet connection (and with
            // it the browser's registration); the browser's pongs count as its traffic.
            let mut ping = tokio::time::interval(PING);
            ping.tick().await;
            loop {
                let message = tokio::select! {
                    data = outgoing.recv() => match data {
                        Some(data) => match Utf8Bytes::try_from(data.clone()) {
                            Ok(text) => Message::Text(text),
                            Err(_) => Message::Binary(data),
                        },
                        None => break,
                    },
                    _ = ping.tick() => Message::Ping(Bytes::new()),
                };
                if sink.send(message).await.is_err() {
                    break;
                }
            }
            let _ = sink.close().await;
        });
        loop {
            let data = match tokio::time::timeout(IDLE, stream.next()).await {
                Ok(Some(Ok(Message::Text(text)))) => Bytes::from(text),
                Ok(Some(Ok(Message::Binary(data)))) => data,
                // Pings are answered by the WebSocket layer.
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                _ => break,
            };
            // A bare CRLF keeps NAT bindings alive (RFC 5626); nothing to parse.
            if data.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            if inbound.send(Inbound::Datagram(flow, data)).await.is_err() {
                break;
            }
        }
        write.abort();
        let _ = inbound.send(Inbound::Closed(flow, id)).await;
    });
    tx
}
