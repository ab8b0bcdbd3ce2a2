//! Administrators' voicemail boxes of units: listed, made for a unit (by path or id) under
//! a number nobody else has (no extension, hotline, fax box or other box has it), with its
//! language and an e-mail address for new messages, and removed with its messages' files.
//! Bad input is refused naming its field (400), a taken number or a unit that has a box
//! already naming its field and why (409); nothing is written then. Every change is audited and reaches
//! the unit's members as `voicemail.count`, so their lists follow.

use super::messages::remove_recording;
use crate::admin::audit_admin;
use crate::admin::fields::{invalid, optional_email, resolve_unit, UnitRef};
use crate::auth::session::Admin;
use crate::error::{ApiError, ErrorBody, FieldIssue};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use store::{StoreError, UnitMailbox};
use utoipa::ToSchema;

/// A unit's box as the administration shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminMailbox {
    /// Its id.
    pub id: i64,
    /// Its number: an extension or an E.164 direct number.
    pub number: String,
    /// The unit's own name.
    pub name: String,
    /// The unit's path.
    pub unit: String,
    /// Where new messages are mailed, if anywhere.
    pub email: Option<String>,
    /// `de` or `en`: the default greeting's and the e-mails' language.
    pub language: String,
    /// Messages in it now.
    pub messages: i64,
}

/// Every unit's box.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminMailboxes {
    /// By the unit's path.
    pub boxes: Vec<AdminMailbox>,
}

async fn admin_view(state: &AppState, b: UnitMailbox) -> Result<AdminMailbox, ApiError> {
    let (new, heard) = state.store.voicemail_counts(b.mailbox.id).await?;
    Ok(AdminMailbox {
        id: b.mailbox.id,
        number: b.mailbox.number.unwrap_or_default(),
        name: b.unit_name,
        unit: b.unit_path,
        email: b.mailbox.email,
        language: b.mailbox.language,
        messages: new + heard,
    })
}

/// Every unit's voicemail box.
#[utoipa::path(get, path = "/api/v1/admin/voicemail/boxes", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    responses((status = 200, body = AdminMailboxes)))]
pub async fn boxes(
    State(state): State<AppState>,
    _: Admin,
) -> Result<Json<AdminMailboxes>, ApiError> {
    let mut boxes = Vec::new();
    for b in state.store.unit_mailboxes().await? {
        boxes.push(admin_view(&state, b).await?);
    }
    Ok(Json(AdminMailboxes { boxes }))
}

/// A new box of a unit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMailbox {
    /// An extension (2–15 digits) or an E.164 number (`+49…`); spaces, `/`, `-` and
    /// brackets are ignored.
    pub number: String,
    /// The unit whose box it is.
    pub unit: UnitRef,
    /// Where new messages are mailed (with the recording attached); none: nowhere.
    #[serde(default)]
    pub email: Option<String>,
    /// `de` (the default) or `en`: the default greeting's and the e-mails' language.
    #[serde(default)]
    pub language: Option<String>,
}

/// Tells the members of a unit box's unit its count, so their lists and badges follow a
/// box made or removed (a box they do not know yet makes their clients load anew).
fn tell_members(state: &AppState, mailbox: i64, unheard: i64, members: &[i64]) {
    let frame = state.live.frames().voicemail_count(mailbox, unheard);
    for person in members {
        state.live.to_person(*person, None, frame.clone());
    }
}

/// Make a voicemail box for a unit.
#[utoipa::path(post, path = "/api/v1/admin/voicemail/boxes", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    request_body = NewMailbox,
    responses((status = 201, body = AdminMailbox),
        (status = 400, description = "A bad number (`field` number), an unknown unit (unit), a bad address (email) or language (language)", body = ErrorBody),
        (status = 409, description = "The number is someone's extension, a hotline's or another box's (`field` number, `problem` taken), or the unit has a box already (unit, has_a_box)", body = ErrorBody),
        (status = 422, description = "Not the documented JSON")))]
pub async fn create(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(body): Json<NewMailbox>,
) -> Result<(StatusCode, Json<AdminMailbox>), ApiError> {
    let number = directory::fax_number::fax_box_number(&body.number).ok_or_else(|| {
        invalid(
            "number",
            "not_a_number",
            "Die Nummer der Mailbox ist eine Durchwahl (2 bis 15 Ziffern) oder eine \
             Rufnummer mit + und Ländervorwahl, z. B. +49 9321 928-2590."
                .into(),
        )
    })?;
    let email = optional_email(body.email.as_deref())?;
    let language = body.language.as_deref().unwrap_or("de");
    if !["de", "en"].contains(&language) {
        return Err(invalid(
            "language",
            "unknown",
            "Die Sprache ist de oder en.".into(),
        ));
    }
    let (unit, _) = resolve_unit(&state, &body.unit).await?;
    // 409s name their field too: the unit that has a box already, the taken number.
    let taken = |field: &str, problem: &'static str, message: String| ApiError::Fields {
        conflict: true,
        fields: vec![FieldIssue {
            field: field.into(),
            problem,
            message,
        }],
    };
    if let Some(has) = state
        .store
        .unit_mailboxes()
        .await?
        .into_iter()
        .find(|b| b.mailbox.unit_id == Some(unit))
    {
        return Err(taken(
            "unit",
            "has_a_box",
            format!("{} hat schon eine Mailbox.", has.unit_name),
        ));
    }
    let made = state
        .store
        .create_unit_mailbox(
            unit,
            &number,
            email.as_deref(),
            language,
            state.live.now_ms(),
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(why) => taken("number", "taken", why),
            other => other.into(),
        })?;
    audit_admin(
        &state,
        &admin,
        "admin.voicemail.box_created",
        Some(&made.unit_path),
        format!("voicemail box {} number {number}", made.mailbox.id),
    )
    .await?;
    let members = state.store.mailbox_listeners(made.mailbox.id).await?;
    tell_members(&state, made.mailbox.id, 0, &members);
    Ok((StatusCode::CREATED, Json(admin_view(&state, made).await?)))
}

/// The removed box.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemovedMailbox {
    /// Its id.
    pub id: i64,
    /// How many messages went with it.
    pub messages: usize,
}

/// Remove a unit's voicemail box with its messages and their recordings. A caller
/// leaving a message at that moment leaves nothing.
#[utoipa::path(delete, path = "/api/v1/admin/voicemail/boxes/{id}", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("id" = i64, Path)),
    responses((status = 200, body = RemovedMailbox),
        (status = 404, description = "No such unit box (a person's or a hotline's box is not removed here)", body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<i64>,
) -> Result<Json<RemovedMailbox>, ApiError> {
    let not_found = || ApiError::NotFound("Diese Mailbox gibt es nicht.".into());
    let b = state.store.unit_mailbox(id).await?.ok_or_else(not_found)?;
    let members = state.store.mailbox_listeners(id).await?;
    let (new, heard) = state.store.voicemail_counts(id).await?;
    // Audited first: a removal that is not in the log does not happen.
    audit_admin(
        &state,
        &admin,
        "admin.voicemail.box_deleted",
        Some(&b.unit_path),
        format!(
            "voicemail box {id} number {} with {} messages",
            b.mailbox.number.as_deref().unwrap_or(""),
            new + heard
        ),
    )
    .await?;
    let files = state
        .store
        .delete_unit_mailbox(id)
        .await?
        .ok_or_else(not_found)?;
    let data_dir = &state.live.settings().data_dir;
    for file in &files {
        remove_recording(data_dir, file).await;
    }
    tell_members(&state, id, 0, &members);
    Ok(Json(RemovedMailbox {
        id,
        messages: files.len(),
    }))
}
