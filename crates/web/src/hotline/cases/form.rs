//! The case form of a hotline: everyone who works with its cases reads it; only
//! administrators change it. A form saved by someone else since it was read is refused
//! (send the `version` read), so two administrators cannot overwrite each other.

use super::access::CaseWorker;
use super::shapes::FormField;
use crate::auth::session::{Admin, SignedIn};
use crate::error::{ApiError, ErrorBody};
use crate::http::client_addr::ClientAddr;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use store::CaseForm;
use utoipa::ToSchema;

/// A hotline's case form.
#[derive(Serialize, ToSchema)]
pub struct Form {
    /// Counts the saves (0: never saved, the empty form).
    version: i64,
    /// When it was last saved, `2026-03-05T08:00:00Z`.
    updated_at: Option<String>,
    /// The fields in order.
    fields: Vec<FormField>,
}

/// `{fields, version}`: the whole form replaces the old one.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormPut {
    /// At most 100 fields, distinct keys.
    fields: Vec<FormField>,
    /// The version this form was edited from; a newer stored version refuses the save
    /// (409). Leave it out to save regardless.
    #[serde(default)]
    version: Option<i64>,
}

fn shown(form: &CaseForm) -> Form {
    Form {
        version: form.version,
        updated_at: form.updated_at.map(crate::time_format::iso_utc),
        fields: form
            .definition
            .to_spec()
            .fields
            .iter()
            .map(FormField::shown)
            .collect(),
    }
}

/// The hotline's case form.
#[utoipa::path(get, path = "/api/v1/hotlines/{hotline}/case-form", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("hotline" = i64, Path, description = "The hotline's id")),
    responses((status = 200, body = Form),
        (status = 403, description = "Neither agent nor supervisor of this hotline nor administrator", body = ErrorBody),
        (status = 404, description = "No such hotline (administrators)", body = ErrorBody)))]
pub async fn get_form(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    who: SignedIn,
    Path(hotline): Path<i64>,
) -> Result<Json<Form>, ApiError> {
    let worker = CaseWorker::check(&state, who, hotline, client.to_string()).await?;
    Ok(Json(shown(&state.store.case_form(worker.hotline).await?)))
}

/// Replace the hotline's case form (administrators). Cases keep their values; values of
/// fields that leave the form stay in old cases.
#[utoipa::path(put, path = "/api/v1/hotlines/{hotline}/case-form", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("hotline" = i64, Path, description = "The hotline's id")),
    request_body = FormPut,
    responses((status = 200, body = Form),
        (status = 400, description = "A bad form; nothing changed. `field` is `fields`, \
            `problem` one of too_many_fields, key_invalid, key_duplicate, label_missing, \
            label_too_long, help_too_long, options_missing, options_not_allowed, \
            too_many_options, option_empty, option_too_long, option_duplicate, \
            bounds_not_allowed, bounds_reversed, bound_not_finite", body = ErrorBody),
        (status = 404, description = "No such hotline", body = ErrorBody),
        (status = 409, description = "Saved by someone else since `version`", body = ErrorBody),
        (status = 422, description = "Not the documented JSON (unknown field or kind)")))]
pub async fn put_form(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    admin: Admin,
    Path(hotline): Path<i64>,
    Json(body): Json<FormPut>,
) -> Result<Json<Form>, ApiError> {
    let worker = CaseWorker::check(&state, admin.0, hotline, client.to_string()).await?;
    let spec = cases::FormSpec {
        fields: body.fields.iter().map(FormField::spec).collect(),
    };
    let definition = cases::FormDefinition::validate(&spec)?;
    let saved = state
        .store
        .set_case_form(
            worker.hotline,
            &definition,
            body.version,
            &worker.actor(),
            state.now(),
        )
        .await?;
    Ok(Json(shown(&saved)))
}
