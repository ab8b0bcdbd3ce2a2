//! Every unit with its id, head and deputies, for the administrators' mobile-work page:
//! the eligibility rules and the leaders name units by id, and `GET /api/v1/admin/units`
//! lists paths only.

use super::admin::{leaders_of, UnitLeaders};
use crate::auth::session::Admin;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// The units with their leadership.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitsWithLeaders {
    /// Every unit, sorted by path.
    pub units: Vec<UnitLeaders>,
}

/// Every unit with its id, head and deputies.
#[utoipa::path(get, path = "/api/v1/admin/mobile-work/units", tag = "mobile-work",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    responses((status = 200, body = UnitsWithLeaders)))]
pub async fn units(
    State(state): State<AppState>,
    _: Admin,
) -> Result<Json<UnitsWithLeaders>, ApiError> {
    let mut units = Vec::new();
    for path in state.store.unit_paths().await? {
        let path = path.to_string();
        // A unit removed between the two reads is left out.
        let Some(id) = state.store.unit_id_by_path(&path).await? else {
            continue;
        };
        units.push(leaders_of(&state, id, path).await?);
    }
    Ok(Json(UnitsWithLeaders { units }))
}
