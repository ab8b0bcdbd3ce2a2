//! The portal "Meine Anwendungen": the applications meant for the signed-in person (by
//! unit, role and features), each with where it opens and whether it can be used now
//! (a second factor, the office network or the hours may still stand in the way).

use crate::auth::session::SignedIn;
use crate::error::ApiError;
use crate::http::client_addr::ClientAddr;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use gateway::app::Kind;
use gateway::decision::{decide, qualifies};
use serde::Serialize;
use utoipa::ToSchema;

/// One tile.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tile {
    /// The application's name.
    pub name: String,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: String,
    /// `proxy` or `link`.
    pub kind: &'static str,
    /// Where it opens: `/apps/NAME/`, the root of its own host, or the link.
    pub url: String,
    /// Whether it can be used now.
    pub available: bool,
    /// Why not: `second_factor`, `network` or `hours`.
    pub reason: Option<&'static str>,
}

/// The signed-in person's applications, by title.
#[utoipa::path(get, path = "/api/v1/apps", tag = "gateway",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = [Tile])))]
pub async fn mine(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    who: SignedIn,
) -> Result<Json<Vec<Tile>>, ApiError> {
    let visitor = super::visitor(&who.account, &who.session);
    let now = super::circumstances(&state, client, state.now());
    let table = state.gateway.registry.table();
    let mut tiles: Vec<Tile> = table
        .values()
        .filter(|p| qualifies(&p.app.rule, &visitor).is_ok())
        .map(|p| {
            let app = &p.app;
            let refusal = decide(&app.rule, &visitor, &now).err();
            let (kind, url) = match &app.kind {
                Kind::Proxy { .. } => match super::host::origin(
                    state.gateway.portal.as_deref().unwrap_or(""),
                    app.host.as_deref(),
                ) {
                    Some(origin) => ("proxy", format!("{origin}/")),
                    None => ("proxy", format!("/apps/{}/", app.name.as_str())),
                },
                Kind::Link { link } => ("link", link.clone()),
            };
            Tile {
                name: app.name.as_str().to_string(),
                title: app.title.clone(),
                description: app.description.clone(),
                kind,
                url,
                available: refusal.is_none(),
                reason: refusal.map(|r| r.code()),
            }
        })
        .collect();
    tiles.sort_by(|a, b| {
        a.title
            .to_lowercase()
            .cmp(&b.title.to_lowercase())
            .then(a.name.cmp(&b.name))
    });
    Ok(Json(tiles))
}
