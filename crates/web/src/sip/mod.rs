//! SIP over WebSocket (RFC 7118) at `/sip`, handed to the SIP service.

pub mod socket;

use crate::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// SIP over WebSocket.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(socket::upgrade))
}
