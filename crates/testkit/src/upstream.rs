//! A small internal web application for the access gateway's tests (`docs/gateway.md`):
//! an HTTP/1.1 server on 127.0.0.1 and a port of its own, as an e-file or a building
//! permit application would stand behind Durchwahl.
//!
//! - `GET /echo…`: JSON `{method, target, headers}`, the request target (path and query)
//!   as it arrived and every header as `[name, value]` pairs in order, so tests see what
//!   the gateway forwarded (`X-Durchwahl-Identity`, `Cookie`, `X-Forwarded-*`).
//! - `GET /bytes/N`: N bytes of [`pattern`], streamed in chunks of 64 KiB.
//! - `POST /upload`: reads the body chunk by chunk without keeping it and answers JSON
//!   `{bytes, sha256}` (hex).
//! - `GET /ws`: a WebSocket that echoes every text and binary message.
//! - `GET /redirect`: 302 to `http://<own address>/echo/after`.
//! - `GET /slow`: answers after [`SLOW`], longer than any gateway timeout a test sets.
//! - `GET /health`: 200.
//! - `GET /evil-headers`: 200 with headers no application may pass to the browser through
//!   the gateway ([`EVIL_HEADERS`]: Durchwahl's session cookie, also without a name, a
//!   service worker scope for the whole origin, `Clear-Site-Data`), one harmless cookie
//!   (`akte=1; Path=/`), and no `Cache-Control`.
//!
//! Besides the request targets ([`Upstream::targets`], so a test can prove that a hostile
//! request never arrived) it records nothing. It stops when dropped.

use axum::body::{Body, Bytes};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures_util::StreamExt as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long `/slow` waits before it answers.
pub const SLOW: Duration = Duration::from_secs(8);

/// The headers `/evil-headers` sends besides its harmless `Set-Cookie: akte=1; Path=/`.
pub const EVIL_HEADERS: [(&str, &str); 4] = [
    ("set-cookie", "=dw_session=evil2; Path=/"),
    ("set-cookie", "dw_session=x"),
    ("service-worker-allowed", "/"),
    ("clear-site-data", "\"cookies\""),
];

/// The size of the chunks `/bytes/N` sends.
const CHUNK: usize = 64 * 1024;

/// Byte `at` of the deterministic stream `/bytes/N` sends (a prime period, so a chunk
/// lost, doubled or moved shows).
pub fn pattern(at: u64) -> u8 {
    (at % 251) as u8
}

/// `len` bytes of [`pattern`] from `from` on.
pub fn pattern_chunk(from: u64, len: usize) -> Vec<u8> {
    (from..from + len as u64).map(pattern).collect()
}

#[derive(Clone)]
struct Shared {
    /// `127.0.0.1:<port>`.
    address: String,
    targets: Arc<Mutex<Vec<String>>>,
}

/// A running upstream; stops when dropped.
pub struct Upstream {
    /// `127.0.0.1:<port>`.
    pub address: String,
    shared: Shared,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for Upstream {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(2));
        }
    }
}

impl Upstream {
    /// An upstream on a port of its own.
    pub fn start() -> Upstream {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let address = listener.local_addr().expect("address").to_string();
        let shared = Shared {
            address: address.clone(),
            targets: Arc::default(),
        };
        let app = Router::new()
            .route("/ws", get(websocket))
            .fallback(serve)
            .with_state(shared.clone());
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Upstream {
            address,
            shared,
            runtime: Some(runtime),
        }
    }

    /// `http://127.0.0.1:<port>`, the `upstream` of an application.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Every request target (path and query) that arrived, in order.
    pub fn targets(&self) -> Vec<String> {
        self.shared.targets.lock().expect("not poisoned").clone()
    }
}

fn record(shared: &Shared, target: &str) {
    shared
        .targets
        .lock()
        .expect("not poisoned")
        .push(target.to_owned());
}

fn target_of(request: &Request) -> String {
    request.uri().path_and_query().map_or_else(
        || request.uri().path().to_owned(),
        |p| p.as_str().to_owned(),
    )
}

async fn websocket(State(shared): State<Shared>, upgrade: WebSocketUpgrade) -> Response {
    record(&shared, "/ws");
    upgrade.on_upgrade(echo_messages)
}

async fn echo_messages(mut socket: WebSocket) {
    while let Some(Ok(message)) = socket.recv().await {
        let reply = match message {
            Message::Text(_) | Message::Binary(_) => message,
            Message::Close(_) => break,
            // Pings are answered by axum itself.
            Message::Ping(_) | Message::Pong(_) => continue,
        };
        if socket.send(reply).await.is_err() {
            break;
        }
    }
}

async fn serve(State(shared): State<Shared>, request: Request) -> Response {
    let target = target_of(&request);
    record(&shared, &target);
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    if path.starts_with("/echo") {
        return echo(&method, &target, request.headers());
    }
    match (method, path.as_str()) {
        (Method::GET, "/health") => StatusCode::OK.into_response(),
        (Method::GET, "/evil-headers") => evil_headers(),
        (Method::GET, "/redirect") => (
            StatusCode::FOUND,
            [(
                header::LOCATION,
                format!("http://{}/echo/after", shared.address),
            )],
        )
            .into_response(),
        (Method::GET, "/slow") => {
            tokio::time::sleep(SLOW).await;
            StatusCode::OK.into_response()
        }
        (Method::POST, "/upload") => upload(request.into_body()).await,
        (Method::GET, rest) if rest.starts_with("/bytes/") => {
            match rest["/bytes/".len()..].parse::<u64>() {
                Ok(n) => bytes(n),
                Err(_) => StatusCode::BAD_REQUEST.into_response(),
            }
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

fn echo(method: &Method, target: &str, headers: &HeaderMap) -> Response {
    let headers: Vec<Value> = headers
        .iter()
        .map(|(name, value)| json!([name.as_str(), String::from_utf8_lossy(value.as_bytes())]))
        .collect();
    let body = json!({"method": method.as_str(), "target": target, "headers": headers});
    (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn evil_headers() -> Response {
    let mut response = (StatusCode::OK, "evil").into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        header::HeaderValue::from_static("akte=1; Path=/"),
    );
    for (name, value) in EVIL_HEADERS {
        headers.append(
            header::HeaderName::from_static(name),
            header::HeaderValue::from_static(value),
        );
    }
    response
}

fn bytes(total: u64) -> Response {
    let chunks = futures_util::stream::unfold(0u64, move |sent| async move {
        if sent >= total {
            return None;
        }
        let len = usize::try_from((total - sent).min(CHUNK as u64)).expect("a chunk");
        let chunk = Bytes::from(pattern_chunk(sent, len));
        Some((Ok::<_, std::io::Error>(chunk), sent + len as u64))
    });
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_LENGTH, total.to_string()),
        ],
        Body::from_stream(chunks),
    )
        .into_response()
}

async fn upload(body: Body) -> Response {
    let mut stream = body.into_data_stream();
    let mut hash = Sha256::new();
    let mut total: u64 = 0;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(chunk) => {
                hash.update(&chunk);
                total += chunk.len() as u64;
            }
            Err(_) => return StatusCode::BAD_REQUEST.into_response(),
        }
    }
    let sha256: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let body = json!({"bytes": total, "sha256": sha256});
    (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}
