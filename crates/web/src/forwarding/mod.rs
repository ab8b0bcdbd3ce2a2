//! Call forwarding rules: one's own and, for administrators, anyone's.

pub mod api;
pub mod openapi;

use crate::AppState;
use axum::routing::get;
use axum::Router;

/// One's own forwarding rules and administrators' of anyone's.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/forwarding", get(api::mine).put(api::set_mine))
        .route(
            "/api/v1/admin/staff/{login}/forwarding",
            get(api::of_person).put(api::set_for_person),
        )
}
