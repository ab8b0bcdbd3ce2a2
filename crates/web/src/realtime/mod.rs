//! The real-time connection (`/api/v1/ws`): the protocol's envelope, the gateway that
//! hands frames to their features, what a feature's handler gets and answers (`caller`;
//! features import that, never the gateway), and how the live runtime's frames look.

pub mod caller;
pub mod frames;
pub mod gateway;
pub mod renderer;

use crate::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The real-time WebSocket.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(gateway::upgrade))
}
