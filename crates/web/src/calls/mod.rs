//! Calls in the browser: the `call.*` frames on the WebSocket (handed to call control
//! through `live`'s call desk), the call history and the ICE servers over REST.

pub mod api;
pub mod frames;
pub mod ws;

use crate::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The call history and the browser's ICE servers.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::history))
        .routes(routes!(api::ice))
        .routes(routes!(api::trunks))
}
