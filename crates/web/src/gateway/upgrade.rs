//! WebSockets through the gateway: when the upstream answers the upgrade with 101, the
//! client gets the 101 with the upstream's handshake headers, and once both sides have
//! switched, the bytes are copied both ways until either side closes. The frames are not
//! read: the access was decided on the upgrade request, as for any other request.

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;

/// The 101 answer for the client, and the task that joins both sides once upgraded.
pub fn splice(
    answer: reqwest::Response,
    headers: HeaderMap,
    client_side: OnUpgrade,
    app: String,
) -> Response {
    tokio::spawn(async move {
        let upstream = match answer.upgrade().await {
            Ok(io) => io,
            Err(e) => {
                tracing::warn!(%app, error = %e, "the upstream's WebSocket did not open");
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
        let mut upstream = upstream;
        if let Err(e) = tokio::io::copy_bidirectional(&mut client, &mut upstream).await {
            tracing::debug!(%app, error = %e, "a WebSocket through the gateway ended");
        }
    });
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    *response.headers_mut() = headers;
    response
}
