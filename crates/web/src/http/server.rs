//! The HTTP server's accept loop, one for plain HTTP and HTTPS: each accepted connection
//! is counted against its address's cap ([`crate::connection_cap`]), shakes hands within
//! [`TLS_HANDSHAKE`] (HTTPS), and is then served by hyper's HTTP/1.1 with a bound on how
//! long a request header may take to arrive. hyper starts that clock whenever it waits for
//! a request head: when the connection opens (also when nothing is ever sent) and again
//! after each response, so an idle keep-alive connection is closed after the same time
//! (browsers open a new one). Request heads over [`MAX_HEADER_BYTES`] hear 431, and what
//! [`crate::http::edge`] refuses never reaches a route. Every request carries
//! `ConnectInfo<SocketAddr>` and the trusted proxies, which
//! [`crate::http::client_addr::ClientAddr`] reads.
//!
//! HTTP/1.1 only, also over TLS: the timeouts and the cap are HTTP/1 connection bounds,
//! and HTTP/2 would need its own (it has no header timeout and no idle limit in hyper).

use crate::http::connection_cap::{ConnectionCap, Counted};
use crate::http::edge::{self, MAX_HEADER_BYTES};
use crate::http::reloadable_tls::ReloadableTls;
use crate::http::trusted_proxies::TrustedProxies;
use auth::network::Cidr;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower_service::Service;

/// How long a TLS handshake may take.
pub const TLS_HANDSHAKE: Duration = Duration::from_secs(10);
/// How long running requests may take to finish after shutdown was asked for.
pub const GRACE: Duration = Duration::from_secs(10);
/// How long the loop rests after a failed accept (out of file descriptors, say), instead
/// of failing again at once in a busy loop.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// How connections are bounded.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// A connection that has not sent a complete request header this long after it
    /// opened (after its TLS handshake), or after its previous response, is closed.
    pub header_timeout: Duration,
    /// Open connections per client address (IPv6: per /64) at most; 0: no cap.
    pub connections_per_address: usize,
    /// Addresses not capped: office networks, where many people share one NAT address,
    /// and trusted proxies.
    pub exempt: Vec<Cidr>,
    /// Reverse proxies whose `Forwarded` / `X-Forwarded-For` name the client.
    pub trusted_proxies: TrustedProxies,
}

/// Serves `router` on an already-bound listener (over TLS with `tls`) until `shutdown`
/// completes; then stops accepting, lets running requests finish for up to [`GRACE`] and
/// returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    tls: Option<ReloadableTls>,
    settings: HttpSettings,
    shutdown: impl Future<Output = ()>,
) {
    // Turns every route into its service once, instead of at every request.
    let router = router.with_state(());
    let cap = ConnectionCap::new(settings.connections_per_address, settings.exempt);
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(settings.header_timeout)
        .max_header_size(MAX_HEADER_BYTES);
    let http = Arc::new(http);
    // Each connection holds a receiver; all gone means all connections have ended.
    let (stop, stopping) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let (tcp, peer) = match accepted {
            Ok(accepted) => accepted,
            // The peer gave up before we accepted: nothing wrong with the listener.
            Err(error) if is_peer_gone(&error) => continue,
            Err(error) => {
                tracing::warn!(%error, "could not accept an HTTP connection");
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(ACCEPT_PAUSE) => continue,
                }
            }
        };
        let Some(slot) = cap.admit(peer.ip()) else {
            // Dropping the stream closes it. No address here: addresses are personal data.
            tracing::debug!(
                cap = settings.connections_per_address,
                "too many HTTP connections from one address; a new one was closed"
            );
            continue;
        };
        // Small frames (presence, chat) must leave at once, not wait for Nagle's algorithm
        // to meet the peer's delayed ACK (~40 ms per frame otherwise).
        if let Err(error) = tcp.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY");
        }
        // The certificate as it is now: a renewal applies from the next connection on.
        let acceptor = tls.as_ref().map(ReloadableTls::acceptor);
        tokio::spawn(connection(
            Counted::new(tcp, slot),
            peer,
            acceptor,
            http.clone(),
            (router.clone(), settings.trusted_proxies.clone()),
            stopping.clone(),
        ));
    }
    // Closes the listening socket: new connections are refused from now on.
    drop(listener);
    drop(stopping);
    stop.send_replace(());
    if tokio::time::timeout(GRACE, stop.closed()).await.is_err() {
        tracing::warn!(
            open = stop.receiver_count(),
            "HTTP connections still busy after the grace period; stopping anyway"
        );
    }
}

/// The answer to a request refused at the edge; the connection closes after it (its body
/// is left unread).
fn refuse(refusal: edge::Refusal) -> axum::response::Response {
    use axum::http::{header, HeaderValue};
    use axum::response::IntoResponse;
    let mut response = (refusal.status, refusal.message).into_response();
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Accept errors that concern only the one connection.
fn is_peer_gone(error: &std::io::Error) -> bool {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    )
}

/// One accepted connection: the TLS handshake when `tls` is given, then HTTP.
async fn connection(
    stream: Counted<TcpStream>,
    peer: SocketAddr,
    tls: Option<tokio_rustls::TlsAcceptor>,
    http: Arc<http1::Builder>,
    router: (Router, TrustedProxies),
    mut stop: watch::Receiver<()>,
) {
    let Some(acceptor) = tls else {
        return serve_http(stream, peer, &http, router, stop).await;
    };
    let handshaken = tokio::select! {
        handshaken = tokio::time::timeout(TLS_HANDSHAKE, acceptor.accept(stream)) => handshaken,
        // Shutting down: a connection still shaking hands has no request to finish.
        _ = stop.changed() => return,
    };
    match handshaken {
        Ok(Ok(stream)) => serve_http(stream, peer, &http, router, stop).await,
        Ok(Err(error)) => tracing::debug!(%error, "TLS handshake failed"),
        Err(_) => tracing::debug!("TLS handshake timed out"),
    }
}

/// Serves HTTP/1.1 on `stream` until the peer or hyper closes it, or until shutdown has
/// let the running request finish.
async fn serve_http<S>(
    stream: S,
    peer: SocketAddr,
    http: &http1::Builder,
    (router, trusted): (Router, TrustedProxies),
    mut stop: watch::Receiver<()>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Request = hyper::Request<Incoming>;
    let service = hyper::service::service_fn(move |mut request: Request| {
        let refused = edge::refusal(request.headers());
        // What axum's ConnectInfo extractor and our ClientAddr read.
        request.extensions_mut().insert(ConnectInfo(peer));
        request.extensions_mut().insert(trusted.clone());
        let mut router = router.clone();
        async move {
            if let Some(refusal) = refused {
                return Ok(refuse(refusal));
            }
            // A Router is always ready; asked anyway, as tower's contract wants.
            std::future::poll_fn(|cx| Service::<Request>::poll_ready(&mut router, cx)).await?;
            Service::<Request>::call(&mut router, request).await
        }
    });
    let mut connection = pin!(http
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades());
    let ended = tokio::select! {
        ended = connection.as_mut() => Some(ended),
        _ = stop.changed() => None,
    };
    let ended = match ended {
        Some(ended) => ended,
        None => {
            // Finishes the running request, if any, then closes (an idle one at once).
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    match ended {
        Ok(()) => {}
        Err(error) if error.is_timeout() => {
            tracing::debug!("closed an HTTP connection without a complete request header in time")
        }
        Err(error) => tracing::debug!(%error, "HTTP connection ended with an error"),
    }
}
