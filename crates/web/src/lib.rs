//! The HTTP side of Durchwahl: the API, the health check and the embedded web client.
//! Handlers are thin: they read the request, call the store or a core, and map the result.
#![deny(missing_docs)]

mod client;
mod health;
pub mod openapi;

use axum::routing::get;
use axum::Router;
use std::future::Future;
use store::Store;
use tower_http::trace::TraceLayer;

/// What every handler may use.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The organisation's display name.
    pub organisation: String,
}

/// All routes of the HTTP server.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(client::index))
        .route("/healthz", get(health::healthz))
        .route("/api/v1/openapi.json", get(openapi::handler))
        .with_state(state)
        .layer(TraceLayer::new_for_http())
}

/// Serves `router` on an already-bound listener until `shutdown` completes, then lets
/// running requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}
