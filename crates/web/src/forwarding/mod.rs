//! Call forwarding rules: one's own and, for administrators, anyone's.

pub mod api;

use crate::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// One's own forwarding rules and administrators' of anyone's.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::mine, api::set_mine))
        .routes(routes!(api::of_person, api::set_for_person))
}
