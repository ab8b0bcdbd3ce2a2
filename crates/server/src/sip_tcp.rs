//! SIP over TCP (RFC 3261 §18.3): one task per connection, framing by Content-Length,
//! CRLF keep-alives answered (RFC 5626 §3.5.1). Messages go to the switch's task; what
//! the switch sends to this peer comes back through the connection's queue.

use bytes::{Bytes, BytesMut};
use sip::{Frame, Message};
use std::net::SocketAddr;
use std::time::Duration;
use telephony::Flow;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// Messages waiting to be written to one connection, at most.
const QUEUE: usize = 1_024;
/// Bytes of an unfinished message kept, at most (the parser's own limit is lower).
const MAX_PENDING: usize = 256 * 1024;
/// A connection without any traffic (not even a keep-alive) this long is closed.
const IDLE: Duration = Duration::from_secs(15 * 60);

/// What connections tell the switch's task.
#[derive(Debug)]
pub enum Inbound {
    /// A framed message from `flow`.
    Message(Flow, Message),
    /// The connection to this peer is gone.
    Closed(SocketAddr),
}

/// Serves an accepted connection; returns its send queue.
pub fn accepted(
    stream: TcpStream,
    peer: SocketAddr,
    inbound: mpsc::Sender<Inbound>,
) -> mpsc::Sender<Bytes> {
    let (tx, rx) = mpsc::channel(QUEUE);
    let pong = tx.clone();
    tokio::spawn(async move {
        serve(stream, peer, rx, pong, &inbound).await;
        let _ = inbound.send(Inbound::Closed(peer)).await;
    });
    tx
}

/// Opens a connection to `peer` (a device reachable over TCP that has no connection to
/// us); returns its send queue at once.
pub fn connect(peer: SocketAddr, inbound: mpsc::Sender<Inbound>) -> mpsc::Sender<Bytes> {
    let (tx, rx) = mpsc::channel(QUEUE);
    let pong = tx.clone();
    tokio::spawn(async move {
        let connected =
            tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(peer)).await;
        match connected {
            Ok(Ok(stream)) => serve(stream, peer, rx, pong, &inbound).await,
            Ok(Err(error)) => tracing::debug!(%error, "SIP TCP connect failed"),
            Err(_) => tracing::debug!("SIP TCP connect timed out"),
        }
        let _ = inbound.send(Inbound::Closed(peer)).await;
    });
    tx
}

async fn serve(
    stream: TcpStream,
    peer: SocketAddr,
    mut outgoing: mpsc::Receiver<Bytes>,
    pong: mpsc::Sender<Bytes>,
    inbound: &mpsc::Sender<Inbound>,
) {
    let _ = stream.set_nodelay(true);
    let (mut reader, mut writer) = stream.into_split();
    let write = tokio::spawn(async move {
        while let Some(data) = outgoing.recv().await {
            if writer.write_all(&data).await.is_err() {
                break;
            }
        }
    });
    let flow = Flow::tcp(peer);
    let mut pending = Bytes::new();
    let mut buf = BytesMut::with_capacity(16 * 1024);
    'read: loop {
        buf.reserve(16 * 1024);
        let n = match tokio::time::timeout(IDLE, reader.read_buf(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => n,
            _ => break,
        };
        let fresh = buf.split_to(n).freeze();
        pending = if pending.is_empty() {
            fresh
        } else {
            let mut joined = BytesMut::with_capacity(pending.len() + fresh.len());
            joined.extend_from_slice(&pending);
            joined.extend_from_slice(&fresh);
            joined.freeze()
        };
        loop {
            match sip::parse_stream(&pending) {
                Ok(Frame::Incomplete) => {
                    if pending.len() > MAX_PENDING {
                        break 'read;
                    }
                    break;
                }
                Ok(Frame::Ping { consumed }) => {
                    pending = pending.slice(consumed..);
                    let _ = pong.try_send(Bytes::from_static(b"\r\n"));
                }
                Ok(Frame::Pong { consumed }) => pending = pending.slice(consumed..),
                Ok(Frame::Message { message, consumed }) => {
                    pending = pending.slice(consumed..);
                    if inbound.send(Inbound::Message(flow, message)).await.is_err() {
                        break 'read;
                    }
                }
                Err(error) => {
                    // The stream cannot be re-synchronised after a framing error.
                    tracing::debug!(reason = %error.reason(), "closing a SIP TCP connection");
                    break 'read;
                }
            }
        }
    }
    write.abort();
}
