//! Presence and the team panel: reading presence, setting one's own, favourites,
//! watches, team-panel groups — over REST and over the WebSocket.

pub mod api;
pub mod frames;
pub mod ws;

use crate::AppState;
use axum::routing::{delete, get, put};
use axum::Router;

/// Presence, the team panel, favourites, watches and groups.
pub fn routes() -> Router<AppState> {
    use api as p;
    Router::new()
        .route("/api/v1/presence", get(p::presence))
        .route("/api/v1/me/presence", put(p::set_presence))
        .route("/api/v1/team-panel", get(p::team_panel))
        .route(
            "/api/v1/me/favourites/{login}",
            put(p::add_favourite).delete(p::remove_favourite),
        )
        .route("/api/v1/me/watches", get(p::watches).post(p::add))
        .route("/api/v1/me/watches/{login}", delete(p::remove))
        .route("/api/v1/admin/groups", get(p::groups).post(p::create_group))
        .route(
            "/api/v1/admin/groups/{id}/members/{login}",
            put(p::add_group_member).delete(p::remove_group_member),
        )
}
