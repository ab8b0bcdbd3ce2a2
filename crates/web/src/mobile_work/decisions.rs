//! Deciding on applications: the head of the applicant's unit, or a deputy while the
//! head is absent (the next unit up when nobody in the unit can), as
//! `planner::approval::authorise` finds from the leadership chain and today's absences.
//! Anyone else gets 403; an application that is no longer waiting 409; an unknown one
//! 404. The decision is written with its history entry in one transaction, guarded by
//! the revision read.

use super::step::write_step;
use super::views::{agreement_view, AgreementView};
use super::{body, local_now, unprocessable};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::rollout::approval::{place_approved, RolloutPlace};
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use planner::approval::{authorise, Agreement, Approver, RejectionCategory};
use planner::ids::PersonId;
use planner::PlannerError;
use serde::{Deserialize, Serialize};
use store::{AgreementRow, AgreementState};
use utoipa::ToSchema;

/// Whether `who` may decide on `applicant`'s agreement today: the proof, or why not.
pub(crate) async fn approver(
    state: &AppState,
    who: &SignedIn,
    applicant: i64,
) -> Result<Result<Approver, PlannerError>, ApiError> {
    let absent = state.store.absent_on(local_now(state).date()).await?;
    approver_among(state, who, applicant, &absent).await
}

/// The same with who is absent today already read.
async fn approver_among(
    state: &AppState,
    who: &SignedIn,
    applicant: i64,
    absent: &[PersonId],
) -> Result<Result<Approver, PlannerError>, ApiError> {
    let chain = state.store.leadership_chain(applicant).await?;
    Ok(authorise(
        &chain,
        PersonId(who.account.id),
        PersonId(applicant),
        absent,
    ))
}

/// An agreement, or 404.
pub(crate) async fn agreement(state: &AppState, id: i64) -> Result<AgreementRow, ApiError> {
    state
        .store
        .agreement(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("Diesen Antrag gibt es nicht.".into()))
}

/// The applications one may decide on now.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pending {
    /// Oldest first, each with its history.
    pub applications: Vec<AgreementView>,
}

/// The applications waiting for a decision that the signed-in person may take now: as
/// head of the applicant's unit, or as deputy while the head is absent.
#[utoipa::path(get, path = "/api/v1/mobile-work/decisions", tag = "mobile-work",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = Pending)))]
pub async fn pending(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Json<Pending>, ApiError> {
    let mut applications = Vec::new();
    // Only those who lead a unit decide; everyone else has nothing to look through.
    if !state.store.units_led_by(who.account.id).await?.is_empty() {
        let absent = state.store.absent_on(local_now(&state).date()).await?;
        for row in state
            .store
            .agreements_in_state(AgreementState::Applied)
            .await?
        {
            if approver_among(&state, &who, row.staff_id, &absent)
                .await?
                .is_ok()
            {
                applications.push(agreement_view(&state, row).await?);
            }
        }
    }
    Ok(Json(Pending { applications }))
}

/// A decision on an application.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// `approve`, `request_changes` or `reject`.
    pub decision: String,
    /// What to change (for `request_changes`) or why (for `reject`); required for both.
    #[serde(default)]
    pub note: Option<String>,
    /// For `reject`: `service_needs`, `tasks_unsuitable`, `requirements_not_met` or
    /// `other`.
    #[serde(default)]
    pub category: Option<String>,
}

fn note(decision: &Decision, message: &str) -> Result<String, ApiError> {
    let note = decision.note.as_deref().map(str::trim).unwrap_or_default();
    if note.is_empty() {
        return Err(unprocessable("note", "missing", message));
    }
    if note.chars().count() > 2000 {
        return Err(unprocessable(
            "note",
            "too_long",
            "Die Begründung darf höchstens 2000 Zeichen lang sein.",
        ));
    }
    Ok(note.to_string())
}

fn category(decision: &Decision) -> Result<RejectionCategory, ApiError> {
    let wanted = decision.category.as_deref().map(str::trim);
    RejectionCategory::ALL
        .into_iter()
        .find(|c| Some(super::views::category_key(*c)) == wanted)
        .ok_or_else(|| {
            unprocessable(
                "category",
                "unknown_category",
                "Bitte den Grund der Ablehnung wählen: service_needs (dienstliche Gründe), \
                 tasks_unsuitable (Tätigkeit nicht geeignet), requirements_not_met \
                 (Voraussetzungen nicht erfüllt) oder other (sonstige Gründe).",
            )
        })
}

/// The 409 for a step the agreement's state does not allow.
pub(crate) fn wrong_state(row: &AgreementRow, wanted: &str) -> ApiError {
    ApiError::Conflict(format!(
        "Der Antrag Nr. {} steht auf „{}“; {wanted} ist nicht (mehr) möglich.",
        row.id, row.state
    ))
}

/// A decision's answer: the agreement and, for an approval while mobile work has a cap,
/// whether a place was free or the person waits on the list (`crate::rollout::approval`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Decided {
    /// The agreement as written.
    #[serde(flatten)]
    pub agreement: AgreementView,
    /// The place in the rollout of mobile work, after an approval under a cap.
    pub rollout: Option<RolloutPlace>,
}

/// Approve an application, ask for changes or reject it with a reason. Under a full cap
/// an approval puts the person on the waiting list (`rollout.state` `waiting`).
#[utoipa::path(post, path = "/api/v1/mobile-work/agreements/{id}/decision", tag = "mobile-work",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path, description = "The agreement's id")),
    request_body = Decision,
    responses((status = 200, body = Decided),
        (status = 403, description = "Not the head of the applicant's unit, nor a deputy while the head is absent", body = ErrorBody),
        (status = 404, description = "No such application", body = ErrorBody),
        (status = 409, description = "The application is not waiting for a decision (any more), or its period is over", body = ErrorBody),
        (status = 422, description = "An unknown decision, no reason, no category; nothing changed", body = ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Json(raw): Json<serde_json::Value>,
) -> Result<Json<Decided>, ApiError> {
    let decision: Decision = body(raw)?;
    let row = agreement(&state, id).await?;
    let by = approver(&state, &who, row.staff_id).await??;
    let Agreement::Applied(applied) = row.to_planner() else {
        return Err(wrong_state(&row, "eine Entscheidung"));
    };
    let at = local_now(&state);
    let (next, record) = match decision.decision.trim() {
        "approve" => applied
            .approve(&by, at)
            .map(|(s, r)| (Agreement::Approved(s), r)),
        "request_changes" => {
            let note = note(&decision, "Bitte angeben, was am Antrag zu ändern ist.")?;
            applied
                .request_changes(&by, at, note)
                .map(|(s, r)| (Agreement::ChangesRequested(s), r))
        }
        "reject" => {
            let category = category(&decision)?;
            let note = note(&decision, "Bitte die Ablehnung begründen.")?;
            applied
                .reject(&by, at, category, note)
                .map(|(s, r)| (Agreement::Rejected(s), r))
        }
        _ => {
            return Err(unprocessable(
                "decision",
                "unknown_decision",
                "Die Entscheidung ist approve (genehmigen), request_changes (Änderungen \
                 erbitten) oder reject (ablehnen).",
            ))
        }
    }
    .map_err(|refused| ApiError::from(refused.error))?;
    let Json(agreement) = write_step(
        &state,
        &who,
        &row,
        &next,
        &record,
        "mobile_work.decided",
        Some(by.capacity()),
    )
    .await?;
    let rollout = match next {
        Agreement::Approved(_) => {
            place_approved(&state, row.staff_id, applied_at(&state, id).await?).await?
        }
        _ => None,
    };
    Ok(Json(Decided { agreement, rollout }))
}

/// When the application was first made (its history's first step), for the waiting list.
async fn applied_at(state: &AppState, id: i64) -> Result<jiff::civil::DateTime, ApiError> {
    let history = state.store.agreement_history(id).await?;
    Ok(history.first().map_or_else(|| local_now(state), |h| h.at))
}
