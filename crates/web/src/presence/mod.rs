//! Presence and the team panel: reading presence, setting one's own, favourites,
//! watches, team-panel groups — over REST and over the WebSocket.

pub mod api;
pub mod frames;
pub mod groups;
pub mod ws;

use crate::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Presence, the team panel, favourites, watches and groups.
pub fn routes() -> OpenApiRouter<AppState> {
    use api as p;
    OpenApiRouter::new()
        .routes(routes!(p::presence))
        .routes(routes!(p::set_presence))
        .routes(routes!(p::team_panel))
        .routes(routes!(p::add_favourite, p::remove_favourite))
        .routes(routes!(p::watches, p::add))
        .routes(routes!(p::remove))
        .routes(routes!(groups::groups, groups::create_group))
        .routes(routes!(
            groups::add_group_member,
            groups::remove_group_member
        ))
}
