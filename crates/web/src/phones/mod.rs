//! SIP devices: one's own softphones and desk phones, and administrators' management of
//! anyone's.

pub mod api;

use crate::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// One's own devices and administrators' management of anyone's.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::mine, api::add_mine))
        .routes(routes!(api::remove_mine))
        .routes(routes!(api::of_person, api::add_for_person))
        .routes(routes!(api::remove_any))
}
