//! WebSockets through the gateway: when the upstream answers the upgrade with 101, the
//! client gets the 101 with the upstream's handshake headers, and once both sides have
//! switched, the bytes are copied both ways until either side closes. The frames are not
//! read. While open, the socket is checked every [`RECHECK`] as a new request would be
//! (the session still live, the application still published, its rule still met), and
//! closed at once when not: a sign-out, a locked person or a changed rule ends it within
//! that time.

use crate::AppState;
use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;
use std::time::Duration;

/// How often an open WebSocket's person and rule are checked again.
pub const RECHECK: Duration = Duration::from_secs(2);

/// What an open WebSocket is checked against.
#[derive(Debug)]
pub struct Watch {
    /// The server's state.
    pub state: AppState,
    /// The application.
    pub app: String,
    /// The hash of the session's token.
    pub session_hash: String,
    /// The client's address (for the office-network rule).
    pub client: std::net::IpAddr,
}

impl Watch {
    /// Whether the socket may stay open.
    async fn still_allowed(&self) -> bool {
        let Ok((session, account)) =
            crate::auth::session::live_session_by_hash(&self.session_hash, &self.state).await
        else {
            return false;
        };
        let Some(published) = self.state.gateway.registry.get(&self.app) else {
            return false;
        };
        let visitor = super::visitor(&account, &session);
        let now = super::circumstances(&self.state, self.client, self.state.now());
        gateway::decision::decide(&published.app.rule, &visitor, &now).is_ok()
    }
}

/// The 101 answer for the client, and the task that joins both sides once upgraded.
pub fn splice(
    answer: reqwest::Response,
    headers: HeaderMap,
    client_side: OnUpgrade,
    watch: Watch,
) -> Response {
    tokio::spawn(async move {
        let app = watch.app.clone();
        let mut upstream = match answer.upgrade().await {
            Ok(io) => io,
            Err(e) => {
                tracing::warn!(%app, error = %e.without_url(), "the upstream's WebSocket did not open");
                return;
            }
        };
        let client = match client_side.await {
            Ok(io) => io,
            Err(e) => {
                tracing::debug!(%app, error = %e, "the client's WebSocket did not open");
                return;
            }
        };
        let mut client = TokioIo::new(client);
        let copy = tokio::io::copy_bidirectional(&mut client, &mut upstream);
        tokio::pin!(copy);
        let mut tick = tokio::time::interval(RECHECK);
        tick.tick().await;
        loop {
            tokio::select! {
                ended = &mut copy => {
                    if let Err(e) = ended {
                        tracing::debug!(%app, error = %e, "a WebSocket through the gateway ended");
                    }
                    return;
                }
                _ = tick.tick() => {
                    if !watch.still_allowed().await {
                        tracing::info!(%app, "a WebSocket through the gateway closed: its session or rule no longer allows it");
                        return;
                    }
                }
            }
        }
    });
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    *response.headers_mut() = headers;
    response
}
