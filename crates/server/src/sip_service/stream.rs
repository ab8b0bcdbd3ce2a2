//! SIP over TCP and TLS (RFC 3261 §18.3): one task per connection, framing by
//! Content-Length, CRLF keep-alives answered (RFC 5626 §3.5.1). Messages go to the
//! switch's task; what the switch sends to this peer comes back through the connection's
//! queue. TLS connections are only accepted (phones keep theirs open); TCP ones are also
//! opened to a phone that has none to us. Connections run on the runtime handed in (not
//! the switch's thread: TLS handshakes and encryption cost CPU the switch needs).

use bytes::{Bytes, BytesMut};
use sip::{Frame, Message};
use std::net::SocketAddr;
use std::time::Duration;
use telephony::{Flow, Transport};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::runtime::Handle;
use tokio::sync::mpsc;

/// Messages waiting to be written to one connection, at most.
pub const QUEUE: usize = 1_024;
/// Bytes of an unfinished message kept, at most (the parser's own limit is lower).
const MAX_PENDING: usize = 256 * 1024;
/// A connection without any traffic from the peer (not even a keep-alive) this long is
/// closed. Longer than the longest registration (3,600 s): a phone that only refreshes
/// its registration keeps its connection, and with it its registration.
pub const IDLE: Duration = Duration::from_secs(65 * 60);
/// How long a TLS handshake may take.
const HANDSHAKE: Duration = Duration::from_secs(10);

/// What connections tell the switch's task.
#[derive(Debug)]
pub enum Inbound {
    /// A framed message from `flow`.
    Message(Flow, Message),
    /// A whole message from `flow` still to be parsed (a WebSocket frame).
    Datagram(Flow, Bytes),
    /// Connection `id` of this flow is gone.
    Closed(Flow, u64),
}

/// Serves an accepted connection on `runtime`, over TLS when `tls` is given (handshake
/// first); returns its send queue.
pub fn accepted(
    runtime: &Handle,
    id: u64,
    stream: std::net::TcpStream,
    peer: SocketAddr,
    tls: Option<tokio_rustls::TlsAcceptor>,
    inbound: mpsc::Sender<Inbound>,
) -> mpsc::Sender<Bytes> {
    let transport = match tls {
        Some(_) => Transport::Tls,
        None => Transport::Tcp,
    };
    let flow = Flow::new(transport, peer);
    spawn(
        runtime,
        (flow, id),
        inbound,
        move |rx, pong, inbound| async move {
            let Ok(stream) = TcpStream::from_std(stream) else {
                return;
            };
            let _ = stream.set_nodelay(true);
            let Some(acceptor) = tls else {
                return serve(stream, flow, rx, pong, &inbound).await;
            };
            match tokio::time::timeout(HANDSHAKE, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => serve(tls, flow, rx, pong, &inbound).await,
                Ok(Err(error)) => tracing::debug!(%error, "SIP TLS handshake failed"),
                Err(_) => tracing::debug!("SIP TLS handshake timed out"),
            }
        },
    )
}

/// Opens a TCP connection to `peer` (a device reachable over TCP that has no connection
/// to us) on `runtime`; returns its send queue at once.
pub fn connect(
    runtime: &Handle,
    id: u64,
    peer: SocketAddr,
    inbound: mpsc::Sender<Inbound>,
) -> mpsc::Sender<Bytes> {
    let flow = Flow::tcp(peer);
    spawn(
        runtime,
        (flow, id),
        inbound,
        move |rx, pong, inbound| async move {
            let connected =
                tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(peer)).await;
            match connected {
                Ok(Ok(stream)) => {
                    let _ = stream.set_nodelay(true);
                    serve(stream, flow, rx, pong, &inbound).await
                }
                Ok(Err(error)) => tracing::debug!(%error, "SIP TCP connect failed"),
                Err(_) => tracing::debug!("SIP TCP connect timed out"),
            }
        },
    )
}

/// Runs `task` on `runtime` with a fresh send queue and reports the flow closed when it
/// ends.
fn spawn<F, T>(
    runtime: &Handle,
    (flow, id): (Flow, u64),
    inbound: mpsc::Sender<Inbound>,
    task: F,
) -> mpsc::Sender<Bytes>
where
    F: FnOnce(mpsc::Receiver<Bytes>, mpsc::Sender<Bytes>, mpsc::Sender<Inbound>) -> T,
    T: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(QUEUE);
    let running = task(rx, tx.clone(), inbound.clone());
    runtime.spawn(async move {
        running.await;
        let _ = inbound.send(Inbound::Closed(flow, id)).await;
    });
    tx
}

async fn serve<S>(
    stream: S,
    flow: Flow,
    mut outgoing: mpsc::Receiver<Bytes>,
    pong: mpsc::Sender<Bytes>,
    inbound: &mpsc::Sender<Inbound>,
) where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (mut reader, mut writer) = tokio::io::split(stream);
    let write = tokio::spawn(async move {
        while let Some(data) = outgoing.recv().await {
            if writer.write_all(&data).await.is_err() {
                break;
            }
        }
        let _ = writer.shutdown().await;
    });
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
                    tracing::debug!(reason = %error.reason(), "closing a SIP connection");
                    break 'read;
                }
            }
        }
    }
    write.abort();
}
