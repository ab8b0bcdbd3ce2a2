//! The agreements in force that the signed-in person may act on now as the holder's
//! head, or as deputy while the head is absent: the deciders' page lists them to renew
//! or revoke (`renewal.rs`, `ending.rs`), as `decisions::pending` lists applications.

use super::local_now;
use super::views::{agreement_view, AgreementView};
use crate::auth::session::SignedIn;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use planner::approval::authorise;
use planner::ids::PersonId;
use serde::Serialize;
use store::AgreementState;
use utoipa::ToSchema;

/// The agreements in force one may renew or revoke now.
#[derive(Debug, Serialize, ToSchema)]
pub struct InForce {
    /// Oldest first, each with its history.
    pub agreements: Vec<AgreementView>,
}

/// The approved agreements of people whose agreements the signed-in person may decide on
/// now: as head of their unit, or as deputy while the head is absent.
#[utoipa::path(get, path = "/api/v1/mobile-work/in-force", tag = "mobile-work",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = InForce)))]
pub async fn in_force(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Json<InForce>, ApiError> {
    let mut agreements = Vec::new();
    // Only those who lead a unit decide; everyone else has nothing to look through.
    if !state.store.units_led_by(who.account.id).await?.is_empty() {
        let absent = state.store.absent_on(local_now(&state).date()).await?;
        for row in state
            .store
            .agreements_in_state(AgreementState::Approved)
            .await?
        {
            let chain = state.store.leadership_chain(row.staff_id).await?;
            let me = PersonId(who.account.id);
            if authorise(&chain, me, PersonId(row.staff_id), &absent).is_ok() {
                agreements.push(agreement_view(&state, row).await?);
            }
        }
    }
    Ok(Json(InForce { agreements }))
}
