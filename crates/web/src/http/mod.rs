//! Serving HTTP: our own accept loop (header timeout, connections per address, TLS with
//! certificates reloaded in place, refusals at the edge), the client's address behind
//! trusted reverse proxies, the health check and response headers every API answer gets.

pub mod audio_upload;
pub mod byte_range;
pub mod client_addr;
pub mod config;
pub mod connection_cap;
pub mod document;
pub mod edge;
pub mod form_data;
pub mod health;
pub mod no_store;
pub mod open_files;
pub mod reloadable_tls;
pub mod request_span;
pub mod server;
pub mod trusted_proxies;

use crate::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The health check and the API's own document.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health::healthz))
        .routes(routes!(document::document))
}
