//! One case: read with its bookings and history, created (from an answered call with the
//! caller's number, or without a call), changed (values, state, assignee), and a caller's
//! earlier cases for the form that opens when an agent answers. Values are checked against
//! the hotline's form by the store (`cases::revise`); every refused field is named, and a
//! full appointment slot answers 409. Nothing of a refused change is written.

use super::access::CaseWorker;
use super::shapes::{case, full_case, Case};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::http::client_addr::ClientAddr;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use cases::CaseState;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use store::{CaseChange, CaseRow, NewCase};
use utoipa::ToSchema;

/// At most this many earlier cases of a caller.
const EARLIER: i64 = 20;

/// A new case.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasePost {
    /// The caller's number (the form of an answered call has it pre-filled); leave it out
    /// for a case without a call.
    #[serde(default)]
    caller_number: Option<String>,
    /// Values by field key (see `Case.values`); required fields must be there.
    #[serde(default)]
    #[schema(value_type = Object)]
    values: Map<String, Value>,
    /// The login of an agent or supervisor of the hotline.
    #[serde(default)]
    assignee: Option<String>,
    /// `new` (default), `in_progress` or `done`.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "new")]
    state: Option<CaseState>,
}

/// A change of a case; what is left out stays.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    /// Values to set by field key; `null` clears a field. Booking a slot is the slot's id
    /// as the value of an appointment field (another id moves the booking, `null` cancels).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    values: Option<Map<String, Value>>,
    /// `new`, `in_progress` or `done`: new → in progress → done; done → in progress reopens.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "in_progress")]
    state: Option<CaseState>,
    /// The login of an agent or supervisor of the hotline; `null`: nobody.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    assignee: Option<Option<String>>,
    /// The case's `revision` the change was made on: if someone changed the case since,
    /// the change is refused (409) instead of overwriting theirs.
    #[serde(default)]
    revision: Option<i64>,
}

/// A field that is there, `null` or not: `Some(None)` for `null`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Cases without their bookings and history.
#[derive(Serialize, ToSchema)]
pub struct Cases {
    cases: Vec<Case>,
}

fn not_found() -> ApiError {
    ApiError::NotFound("Diesen Fall gibt es bei dieser Hotline nicht (mehr).".into())
}

async fn full(state: &AppState, row: &CaseRow) -> Result<Json<Case>, ApiError> {
    let bookings = state.store.case_bookings(row.id).await?;
    let history = state.store.case_history(row.id).await?;
    Ok(Json(full_case(row, &bookings, &history)))
}

/// A case with the slots it holds and its history.
#[utoipa::path(get, path = "/api/v1/hotlines/{hotline}/cases/{case}", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("hotline" = i64, Path, description = "The hotline's id"),
        ("case" = i64, Path, description = "The case number")),
    responses((status = 200, body = Case),
        (status = 403, description = "Neither agent nor supervisor of this hotline nor administrator", body = ErrorBody),
        (status = 404, description = "No such case at this hotline", body = ErrorBody)))]
pub async fn get_case(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    who: SignedIn,
    Path((hotline, case_id)): Path<(i64, i64)>,
) -> Result<Json<Case>, ApiError> {
    let worker = CaseWorker::check(&state, who, hotline, client.to_string()).await?;
    let row = state
        .store
        .case(worker.hotline, case_id)
        .await?
        .ok_or_else(not_found)?;
    full(&state, &row).await
}

/// Create a case, from an answered call (with the caller's number) or without one.
#[utoipa::path(post, path = "/api/v1/hotlines/{hotline}/cases", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("hotline" = i64, Path, description = "The hotline's id")),
    request_body = CasePost,
    responses((status = 201, body = Case),
        (status = 400, description = "Bad values; nothing written. `fields` lists every refused \
            field (`values.KEY`) with its `problem`: missing, unknown_field, wrong_type, too_long, \
            control_character, not_a_number, below_min, above_max, not_a_date, not_a_date_time, \
            not_an_option, not_a_phone_number, not_an_email, not_a_slot, slot_unknown, \
            slot_started; or `field` caller_number (not_a_phone_number) or assignee \
            (not_a_member)", body = ErrorBody),
        (status = 403, description = "Neither agent nor supervisor of this hotline nor administrator", body = ErrorBody),
        (status = 404, description = "No such hotline (administrators)", body = ErrorBody),
        (status = 409, description = "An appointment slot is full (`problem` slot_full); nothing written", body = ErrorBody),
        (status = 422, description = "Not the documented JSON")))]
pub async fn create_case(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    who: SignedIn,
    Path(hotline): Path<i64>,
    Json(body): Json<CasePost>,
) -> Result<(StatusCode, Json<Case>), ApiError> {
    let worker = CaseWorker::check(&state, who, hotline, client.to_string()).await?;
    let new = NewCase {
        caller_number: body.caller_number.as_deref(),
        values: body.values,
        assignee: body.assignee.as_deref(),
        state: body.state,
    };
    let row = state
        .store
        .create_case(worker.hotline, &new, &worker.actor(), state.now())
        .await?;
    Ok((StatusCode::CREATED, full(&state, &row).await?))
}

/// Change a case: values, state, assignee. All or nothing.
#[utoipa::path(patch, path = "/api/v1/hotlines/{hotline}/cases/{case}", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("hotline" = i64, Path, description = "The hotline's id"),
        ("case" = i64, Path, description = "The case number")),
    request_body = CasePatch,
    responses((status = 200, body = Case),
        (status = 400, description = "Bad values (as for creating) or assignee; nothing written", body = ErrorBody),
        (status = 403, description = "Neither agent nor supervisor of this hotline nor administrator", body = ErrorBody),
        (status = 404, description = "No such case at this hotline", body = ErrorBody),
        (status = 409, description = "An appointment slot is full (`problem` slot_full), the state \
            cannot change so, or the case changed since `revision`; nothing written", body = ErrorBody),
        (status = 422, description = "Not the documented JSON")))]
pub async fn patch_case(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    who: SignedIn,
    Path((hotline, case_id)): Path<(i64, i64)>,
    Json(body): Json<CasePatch>,
) -> Result<Json<Case>, ApiError> {
    let worker = CaseWorker::check(&state, who, hotline, client.to_string()).await?;
    let change = CaseChange {
        values: body.values,
        state: body.state,
        assignee: body.assignee.as_ref().map(|a| a.as_deref()),
        revision: body.revision,
    };
    let row = state
        .store
        .update_case(
            worker.hotline,
            case_id,
            &change,
            &worker.actor(),
            state.now(),
        )
        .await?
        .ok_or_else(not_found)?;
    full(&state, &row).await
}

/// The hotline's earlier cases of a caller's number (newest first, at most 20), for the
/// form that opens when an agent answers.
#[utoipa::path(get, path = "/api/v1/hotlines/{hotline}/callers/{number}/cases", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("hotline" = i64, Path, description = "The hotline's id"),
        ("number" = String, Path, description = "The caller's number as shown (`+4930901820`, `030 901820`)")),
    responses((status = 200, body = Cases),
        (status = 403, description = "Neither agent nor supervisor of this hotline nor administrator", body = ErrorBody),
        (status = 404, description = "No such hotline (administrators)", body = ErrorBody)))]
pub async fn earlier_cases(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    who: SignedIn,
    Path((hotline, number)): Path<(i64, String)>,
) -> Result<Json<Cases>, ApiError> {
    let worker = CaseWorker::check(&state, who, hotline, client.to_string()).await?;
    let rows = state
        .store
        .cases_by_caller(worker.hotline, &number, EARLIER)
        .await?;
    Ok(Json(Cases {
        cases: rows.iter().map(case).collect(),
    }))
}
