//! The HTTP accept loop on a real socket: connections that never send a complete header
//! are closed after the header timeout, one address gets only so many connections (not an
//! office network), `/healthz` keeps answering meanwhile, WebSockets and `ConnectInfo`
//! work, and shutdown lets a running request finish.
//!
//! Clients bind to other loopback addresses (127.0.0.2, 127.0.0.3) to come from an
//! address of their own: Linux routes all of 127/8 to the loopback interface.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::routing::get;
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{mpsc, oneshot, Mutex};
use web::HttpSettings;

/// What `/slow` waits for: it says it started, then answers when released.
#[derive(Clone)]
struct Slow {
    started: mpsc::Sender<()>,
    release: Arc<Mutex<Option<oneshot::Receiver<()>>>>,
}

fn router(slow: Slow) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/peer",
            get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.to_string() }),
        )
        .route(
            "/ws",
            get(|ws: WebSocketUpgrade| async { ws.on_upgrade(echo) }),
        )
        .route("/slow", get(slow_answer))
        .with_state(slow)
}

async fn echo(mut socket: WebSocket) {
    while let Some(Ok(message)) = socket.recv().await {
        if let Message::Text(text) = message {
            if socket.send(Message::Text(text)).await.is_err() {
                return;
            }
        }
    }
}

async fn slow_answer(State(slow): State<Slow>) -> &'static str {
    let release = slow.release.lock().await.take();
    let _ = slow.started.send(()).await;
    if let Some(release) = release {
        let _ = release.await;
    }
    "finished"
}

/// A server on 127.0.0.1 with these settings; dropping (or sending on) the returned
/// sender shuts it down.
struct Running {
    address: SocketAddr,
    stop: oneshot::Sender<()>,
    served: tokio::task::JoinHandle<()>,
    started: mpsc::Receiver<()>,
    release: oneshot::Sender<()>,
}

async fn start(settings: HttpSettings) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (started_tx, started) = mpsc::channel(1);
    let (release, release_rx) = oneshot::channel();
    let slow = Slow {
        started: started_tx,
        release: Arc::new(Mutex::new(Some(release_rx))),
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(web::serve(listener, router(slow), None, settings, async {
        let _ = stopped.await;
    }));
    Running {
        address,
        stop,
        served,
        started,
        release,
    }
}

fn settings(header_timeout: Duration, per_address: usize, exempt: &[&str]) -> HttpSettings {
    HttpSettings {
        header_timeout,
        connections_per_address: per_address,
        exempt: exempt.iter().map(|n| n.parse().unwrap()).collect(),
        trusted_proxies: Default::default(),
    }
}

/// A connection to `server` from `source` (port chosen by the system).
async fn connect_from(source: &str, server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    socket.connect(server).await.unwrap()
}

/// Sends a GET for `path` on `stream` and returns the status line and body; the response
/// is read up to its Content-Length, so the connection stays usable.
async fn get_on(stream: &mut TcpStream, path: &str) -> (String, String) {
    try_get_on(stream, path)
        .await
        .expect("a whole response before the connection closed")
}

/// [`get_on`], or `None` when the server closes the connection first.
async fn try_get_on(stream: &mut TcpStream, path: &str) -> Option<(String, String)> {
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\n\r\n");
    stream.write_all(request.as_bytes()).await.ok()?;
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&data).into_owned();
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            continue;
        };
        let length: usize = head
            .lines()
            .find_map(|line| {
                let line = line.to_ascii_lowercase();
                let value = line.strip_prefix("content-length:")?;
                value.trim().parse().ok()
            })
            .expect("a Content-Length");
        if body.len() >= length {
            let status = head.lines().next().unwrap_or_default().to_string();
            return Some((status, body[..length].to_string()));
        }
    }
}

/// A GET on a fresh connection from 127.0.0.1.
async fn fetch(server: SocketAddr, path: &str) -> (String, String) {
    let mut stream = TcpStream::connect(server).await.unwrap();
    get_on(&mut stream, path).await
}

/// Waits until the server closes `stream` (end of file or reset), ignoring what it sends.
async fn closed(mut stream: TcpStream) {
    let mut buf = [0u8; 1024];
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0 {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_and_half_header_connections_are_capped_and_closed_while_healthz_answers() {
    // 1,200 client sockets plus the server's: more than the common soft limit of 1,024.
    web::http::open_files::raise_limit().unwrap();
    const CONNECTIONS: usize = 1_200;
    const CAP: usize = 100;
    let timeout = Duration::from_secs(2);
    let margin = Duration::from_secs(3);
    let server = start(settings(timeout, CAP, &["10.0.0.0/8"])).await;

    // Even ones send nothing at all, odd ones half a header.
    let began = Instant::now();
    let mut open = tokio::task::JoinSet::new();
    for i in 0..CONNECTIONS {
        let mut stream = connect_from("127.0.0.2", server.address).await;
        let opened = Instant::now();
        let silent = i % 2 == 0;
        if !silent {
            // A refused connection may already be closed: the write may fail.
            let _ = stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: te").await;
        }
        open.spawn(async move {
            // Bounded, so that a connection held forever fails the test instead of hanging it.
            let _ = tokio::time::timeout(timeout + margin, closed(stream)).await;
            (silent, opened.elapsed())
        });
    }
    let connecting = began.elapsed();

    // Health checks from another address while those connections are open, until all of
    // them are closed.
    let mut checks = Vec::new();
    let mut lifetimes = Vec::new();
    let mut pace = tokio::time::interval(Duration::from_millis(100));
    while !open.is_empty() {
        tokio::select! {
            ended = open.join_next() => lifetimes.push(ended.unwrap().unwrap()),
            _ = pace.tick() => {
                let asked = Instant::now();
                let (status, body) = fetch(server.address, "/healthz").await;
                checks.push((status, body, asked.elapsed(), open.len()));
            }
        }
    }

    let refused: Vec<_> = lifetimes.iter().filter(|(_, t)| *t < timeout / 2).collect();
    let timed_out: Vec<_> = lifetimes
        .iter()
        .filter(|(_, t)| *t >= timeout - Duration::from_millis(100))
        .collect();
    let longest = lifetimes.iter().map(|(_, t)| *t).max().unwrap();
    assert!(
        longest < timeout + margin,
        "a connection was held {longest:?}"
    );
    assert_eq!(
        (refused.len(), timed_out.len()),
        (CONNECTIONS - CAP, CAP),
        "beyond the cap closed at once, the rest at the header timeout \
         (connecting all took {connecting:?})"
    );
    assert!(
        timed_out.iter().any(|(silent, _)| *silent),
        "connections that sent nothing are closed too"
    );
    assert!(timed_out.iter().any(|(silent, _)| !*silent));

    let while_held: Vec<_> = checks.iter().filter(|c| c.3 > 0).collect();
    assert!(
        !while_held.is_empty(),
        "health checked while connections were open"
    );
    for (status, body, took, _) in &checks {
        assert!(
            status.ends_with(" 200 OK") && body == "ok",
            "{status} {body}"
        );
        assert!(*took < Duration::from_secs(1), "healthz took {took:?}");
    }
    let _ = server.stop.send(());
    server.served.await.unwrap();
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    let timeout = Duration::from_millis(500);
    let server = start(settings(timeout, 10, &[])).await;
    let mut stream = connect_from("127.0.0.2", server.address).await;
    let (status, _) = get_on(&mut stream, "/healthz").await;
    assert!(status.ends_with(" 200 OK"), "{status}");
    let idle = Instant::now();
    let _ = tokio::time::timeout(timeout + Duration::from_secs(2), closed(stream)).await;
    let held = idle.elapsed();
    assert!(
        held >= timeout - Duration::from_millis(50) && held < timeout + Duration::from_secs(2),
        "idle keep-alive connection held {held:?}"
    );
}

#[tokio::test]
async fn office_networks_are_not_capped() {
    let server = start(settings(Duration::from_secs(30), 5, &["127.0.0.3/32"])).await;
    let mut office = Vec::new();
    for _ in 0..20 {
        office.push(connect_from("127.0.0.3", server.address).await);
    }
    for stream in &mut office {
        let (status, body) = get_on(stream, "/healthz").await;
        assert!(status.ends_with(" 200 OK") && body == "ok", "{status}");
    }

    // The same number from an address outside the office: only five are served (they
    // stay open, kept alive, so no place is freed for the others meanwhile).
    let mut outside = Vec::new();
    for _ in 0..20 {
        outside.push(connect_from("127.0.0.2", server.address).await);
    }
    let mut served = 0;
    for stream in &mut outside {
        if try_get_on(stream, "/healthz").await.is_some() {
            served += 1;
        }
    }
    assert_eq!(served, 5);
}

#[tokio::test]
async fn websockets_upgrade_and_requests_know_their_peer() {
    let server = start(settings(Duration::from_secs(30), 10, &[])).await;

    let mut stream = connect_from("127.0.0.2", server.address).await;
    let local = stream.local_addr().unwrap();
    let (status, peer) = get_on(&mut stream, "/peer").await;
    assert!(status.ends_with(" 200 OK"), "{status}");
    assert_eq!(
        peer,
        local.to_string(),
        "ConnectInfo is the client's address"
    );

    let stream = connect_from("127.0.0.2", server.address).await;
    let url = format!("ws://{}/ws", server.address);
    let (mut ws, response) = tokio_tungstenite::client_async(url, stream).await.unwrap();
    assert_eq!(response.status(), 101);
    ws.send(tokio_tungstenite::tungstenite::Message::text("hallo"))
        .await
        .unwrap();
    let echoed = ws.next().await.unwrap().unwrap();
    assert_eq!(echoed.into_text().unwrap().as_str(), "hallo");
}

#[tokio::test]
async fn shutdown_lets_a_running_request_finish_and_closes_idle_connections() {
    let mut server = start(settings(Duration::from_secs(30), 10, &[])).await;
    let mut idle = TcpStream::connect(server.address).await.unwrap();
    let (status, _) = get_on(&mut idle, "/healthz").await;
    assert!(status.ends_with(" 200 OK"), "{status}");

    let address = server.address;
    let running = tokio::spawn(async move { fetch(address, "/slow").await });
    server.started.recv().await.unwrap();
    server.stop.send(()).unwrap();

    // The idle keep-alive connection is closed at shutdown, long before its timeout.
    tokio::time::timeout(Duration::from_secs(5), closed(idle))
        .await
        .expect("idle connection closed at shutdown");
    assert!(
        tokio::time::timeout(Duration::from_millis(300), &mut server.served)
            .await
            .is_err(),
        "serve returned while a request was still running"
    );

    server.release.send(()).unwrap();
    let (status, body) = running.await.unwrap();
    assert!(
        status.ends_with(" 200 OK") && body == "finished",
        "{status} {body}"
    );
    tokio::time::timeout(Duration::from_secs(5), server.served)
        .await
        .expect("serve returns once the request has finished")
        .unwrap();
    assert!(
        TcpStream::connect(address).await.is_err(),
        "no new connections after shutdown"
    );
}
