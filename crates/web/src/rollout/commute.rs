//! One's own commute distance (issue 19, optional and voluntary): the one-way kilometres
//! to the office, from which the rollout report estimates the kilometres and CO₂ saved by
//! mobile days, in aggregate only. Each person sees and changes only their own; leaving
//! it empty removes it. The audit line says that it changed, never the distance.

use crate::admin::audit_trail;
use crate::auth::session::SignedIn;
use crate::error::{body, unprocessable, ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One's commute.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommuteForm {
    /// The one-way distance in kilometres (more than 0, at most 500); none: not stated.
    pub km: Option<f64>,
}

fn as_km(metres: Option<u32>) -> CommuteForm {
    CommuteForm {
        km: metres.map(|m| f64::from(m) / 1000.0),
    }
}

/// One's stated commute distance.
#[utoipa::path(get, path = "/api/v1/me/commute", tag = "rollout",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = CommuteForm)))]
pub async fn mine(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Json<CommuteForm>, ApiError> {
    Ok(Json(as_km(state.store.commute_of(who.account.id).await?)))
}

/// States (or with `km: null` removes) one's one-way commute distance.
#[utoipa::path(put, path = "/api/v1/me/commute", tag = "rollout",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = CommuteForm,
    responses((status = 200, body = CommuteForm),
        (status = 422, description = "Not a distance from 0 to 500 km; nothing changed", body = ErrorBody)))]
pub async fn set(
    State(state): State<AppState>,
    who: SignedIn,
    Json(raw): Json<serde_json::Value>,
) -> Result<Json<CommuteForm>, ApiError> {
    let form: CommuteForm = body(raw)?;
    let metres = match form.km {
        None => None,
        Some(km) if km.is_finite() && km > 0.0 && km <= 500.0 => {
            Some(((km * 1000.0).round() as u32).max(1))
        }
        Some(_) => {
            return Err(unprocessable(
                "km",
                "out_of_range",
                "Bitte eine Entfernung über 0 und bis 500 km angeben.",
            ))
        }
    };
    state
        .store
        .set_commute(who.account.id, metres, state.now() * 1000)
        .await?;
    let what = if metres.is_some() {
        "stated"
    } else {
        "removed"
    };
    audit_trail::by(&state, &who, "rollout.commute_set", None, what).await?;
    Ok(Json(as_km(metres)))
}
