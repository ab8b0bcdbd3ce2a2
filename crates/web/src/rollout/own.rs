//! A person's rollout: for each feature with a cap, whether they have it or where they
//! wait on its list.

use super::{place_of, Place, FEATURES};
use crate::auth::session::SignedIn;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use planner::ids::PersonId;
use serde::Serialize;
use utoipa::ToSchema;

/// One capped feature as the person sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyFeature {
    /// The feature's key, e.g. `mobile_work`.
    pub feature: String,
    /// Its German name.
    pub label: String,
    /// `granted`, `waiting` or `none`.
    pub state: String,
    /// The position on the waiting list (1: next in line), while waiting.
    pub position: Option<usize>,
    /// How many wait in all, while waiting.
    pub waiting: Option<usize>,
}

/// The signed-in person's capped features.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyRollout {
    /// Each feature that has a cap, in the fixed order of features.
    pub features: Vec<MyFeature>,
}

/// For each feature with a cap: whether one has it, or one's position on its waiting list.
#[utoipa::path(get, path = "/api/v1/rollout", tag = "rollout",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = MyRollout)))]
pub async fn mine(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Json<MyRollout>, ApiError> {
    let mut features = Vec::new();
    for (key, label) in FEATURES {
        let Some(feature) = state.store.rollout_feature(key).await? else {
            continue;
        };
        if feature.cap.is_none() {
            continue;
        }
        let place = place_of(&state, &feature, PersonId(who.account.id)).await?;
        let (state_key, position, waiting) = match place {
            Place::Holder => ("granted", None, None),
            Place::Waiting(p) => (
                "waiting",
                Some(p),
                Some(state.store.waiting_list(key).await?.len()),
            ),
            Place::Outside => ("none", None, None),
        };
        features.push(MyFeature {
            feature: key.into(),
            label: label.into(),
            state: state_key.into(),
            position,
            waiting,
        });
    }
    Ok(Json(MyRollout { features }))
}
