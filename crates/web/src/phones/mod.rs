//! SIP devices: one's own softphones and desk phones, and administrators' management of
//! anyone's.

pub mod api;
pub mod openapi;

use crate::AppState;
use axum::routing::{delete, get};
use axum::Router;

/// One's own devices and administrators' management of anyone's.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/me/phones", get(api::mine).post(api::add_mine))
        .route("/api/v1/me/phones/{sip_username}", delete(api::remove_mine))
        .route(
            "/api/v1/admin/staff/{login}/phones",
            get(api::of_person).post(api::add_for_person),
        )
        .route(
            "/api/v1/admin/phones/{sip_username}",
            delete(api::remove_any),
        )
}
