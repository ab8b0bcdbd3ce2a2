//! The messages of the boxes one may hear (one's own, the hotlines' one supervises, one's
//! units'): listed newest first with the caller as the directory knows them,
//! played (Ogg Opus, byte ranges for the position bar) or downloaded, marked heard or
//! unheard, deleted (the row, then the file; audited).

use super::{may_hear, own_box, tell_count};
use crate::admin::audit_trail::record;
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::http::client_addr::ClientAddr;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use store::Voicemail;
use utoipa::{IntoParams, ToSchema};

/// A message as the list shows it.
#[derive(Serialize, ToSchema)]
pub struct Message {
    id: i64,
    /// The caller's number, if it was sent.
    caller_number: Option<String>,
    /// The caller's name: the colleague, or whom the directory knows by that number.
    caller_name: Option<String>,
    /// When it was left (Unix ms).
    received_at: i64,
    duration_ms: i64,
    heard: bool,
}

/// The box's settings as the page shows them.
#[derive(Serialize, ToSchema)]
pub struct BoxView {
    id: i64,
    /// `person`, `hotline` or `unit`: whose box it is.
    kind: &'static str,
    /// A unit box's own number.
    number: Option<String>,
    /// Calls nobody answers go to the box.
    enabled: bool,
    /// `attach`, `link` or `off`.
    email_mode: String,
    /// `de` or `en`.
    language: String,
    absence_on: bool,
    /// The last day of the absence greeting (`YYYY-MM-DD`), if it ends.
    absence_until: Option<String>,
    /// A personal greeting is recorded.
    greeting: bool,
    /// An absence greeting is recorded.
    absence_greeting: bool,
}

impl From<&store::Mailbox> for BoxView {
    fn from(b: &store::Mailbox) -> BoxView {
        BoxView {
            id: b.id,
            kind: kind_of(b),
            number: b.number.clone(),
            enabled: b.enabled,
            email_mode: b.email_mode.clone(),
            language: b.language.clone(),
            absence_on: b.absence_on,
            absence_until: b.absence_until.clone(),
            greeting: b.has_greeting,
            absence_greeting: b.has_absence,
        }
    }
}

/// Whose box it is: `person`, `hotline` or `unit`.
fn kind_of(b: &store::Mailbox) -> &'static str {
    match (b.staff_id, b.hotline_id) {
        (Some(_), _) => "person",
        (None, Some(_)) => "hotline",
        (None, None) => "unit",
    }
}

/// Another box one may hear (a hotline's as its supervisor, a unit's as its member).
#[derive(Serialize, ToSchema)]
pub struct OtherBox {
    id: i64,
    /// `hotline` or `unit`.
    kind: &'static str,
    /// The hotline's or the unit's name.
    name: String,
    /// A unit box's own number.
    number: Option<String>,
    unheard: i64,
}

/// One's box and messages.
#[derive(Serialize, ToSchema)]
pub struct Inbox {
    mailbox: BoxView,
    /// The boxes one may hear too (`GET /api/v1/voicemail/boxes/{id}`): the hotlines'
    /// one supervises (by name), then those of one's unit and the units above it.
    boxes: Vec<OtherBox>,
    /// Messages nobody has heard.
    unheard: i64,
    /// Newest first.
    messages: Vec<Message>,
}

/// The own box: its settings and messages, newest first, and the other boxes one may hear.
#[utoipa::path(get, path = "/api/v1/voicemail", tag = "voicemail",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = Inbox)))]
pub async fn list(State(state): State<AppState>, who: SignedIn) -> Result<Json<Inbox>, ApiError> {
    let mailbox = own_box(&state, &who).await?;
    let mut boxes = Vec::new();
    for (id, name) in state.store.supervised_mailboxes(who.account.id).await? {
        let unheard = state.store.unheard_voicemails(id).await?;
        boxes.push(OtherBox {
            id,
            kind: "hotline",
            name,
            number: None,
            unheard,
        });
    }
    for (id, name) in state.store.unit_mailboxes_of(who.account.id).await? {
        let unheard = state.store.unheard_voicemails(id).await?;
        let number = state.store.mailbox(id).await?.and_then(|b| b.number);
        boxes.push(OtherBox {
            id,
            kind: "unit",
            name,
            number,
            unheard,
        });
    }
    inbox(&state, mailbox, boxes).await.map(Json)
}

/// A box one may hear (a hotline's one supervises, one's unit's, or one's own): its
/// messages.
#[utoipa::path(get, path = "/api/v1/voicemail/boxes/{id}", tag = "voicemail",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path)),
    responses((status = 200, body = Inbox),
        (status = 404, description = "No such box, or not one's to hear", body = ErrorBody)))]
pub async fn list_box(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<Inbox>, ApiError> {
    let mailbox = match state.store.mailbox(id).await? {
        Some(b) if may_hear(&state, &who, b.id).await? => b,
        _ => return Err(ApiError::NotFound("Diese Mailbox gibt es nicht.".into())),
    };
    inbox(&state, mailbox, Vec::new()).await.map(Json)
}

async fn inbox(
    state: &AppState,
    mailbox: store::Mailbox,
    boxes: Vec<OtherBox>,
) -> Result<Inbox, ApiError> {
    let rows = state.store.voicemails(mailbox.id).await?;
    let mut messages = Vec::with_capacity(rows.len());
    for m in rows {
        let caller_name = match (&m.caller_name, m.caller_staff_id, &m.caller_number) {
            (Some(name), ..) => Some(name.clone()),
            (None, Some(id), _) => state.store.panel_person_by_id(id).await?.map(|p| p.name),
            (None, None, Some(number)) => known_by_number(state, number).await?,
            _ => None,
        };
        messages.push(Message {
            id: m.id,
            caller_number: m.caller_number,
            caller_name,
            received_at: m.received_at,
            duration_ms: m.duration_ms,
            heard: m.heard_at.is_some(),
        });
    }
    let unheard = messages.iter().filter(|m| !m.heard).count() as i64;
    Ok(Inbox {
        mailbox: BoxView::from(&mailbox),
        boxes,
        unheard,
        messages,
    })
}

/// Whom the directory knows by `number` (an extension or a mobile number).
async fn known_by_number(state: &AppState, number: &str) -> Result<Option<String>, ApiError> {
    if let Some(p) = state.store.panel_person_by_extension(number).await? {
        return Ok(Some(p.name));
    }
    Ok(state
        .store
        .panel_person_by_mobile(number)
        .await?
        .map(|p| p.name))
}

/// A message of a box one may hear (another's is not found, as if it did not exist).
async fn own_message(state: &AppState, who: &SignedIn, id: i64) -> Result<Voicemail, ApiError> {
    let not_found = || ApiError::NotFound("Diese Nachricht gibt es nicht (mehr).".into());
    let m = state.store.voicemail(id).await?.ok_or_else(not_found)?;
    if !may_hear(state, who, m.box_id).await? {
        return Err(not_found());
    }
    Ok(m)
}

/// How the recording is wanted.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AudioQuery {
    /// `true`: as a file to keep (`Content-Disposition: attachment`).
    #[serde(default)]
    download: bool,
}

/// Play (or download) a message: Ogg Opus; byte ranges answered with 206.
#[utoipa::path(get, path = "/api/v1/voicemail/messages/{id}/audio", tag = "voicemail",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path), AudioQuery),
    responses((status = 200, description = "audio/ogg (Opus)"),
        (status = 206, description = "The byte range asked for"),
        (status = 404, description = "No such message in a box one may hear", body = ErrorBody),
        (status = 416, description = "A byte range past the end")))]
pub async fn audio(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<AudioQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let m = own_message(&state, &who, id).await?;
    let path = state.live.settings().data_dir.join(&m.file);
    let bytes = tokio::fs::read(&path).await.map_err(|e| {
        tracing::error!(error = %e, file = %m.file, "a voicemail's recording is missing");
        ApiError::NotFound("Die Aufnahme fehlt.".into())
    })?;
    let mut response = crate::http::byte_range::answer(&headers, "audio/ogg", bytes, &[]);
    // Downloaded files are named by when the message came, in local time.
    let disposition = if q.download {
        let local = jiff::Timestamp::from_millisecond(m.received_at)
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .to_zoned_datetime(crate::hotline::cases::local_time::zone());
        format!(
            "attachment; filename=\"Sprachnachricht-{}.opus\"",
            local.strftime("%Y-%m-%d-%H%M")
        )
    } else {
        "inline".to_string()
    };
    if let Ok(value) = axum::http::HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Heard or not.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HeardBody {
    heard: bool,
}

/// The count of unheard messages after a change.
#[derive(Serialize, ToSchema)]
pub struct Count {
    unheard: i64,
}

/// Mark a message heard (or unheard again).
#[utoipa::path(put, path = "/api/v1/voicemail/messages/{id}/heard", tag = "voicemail",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path)), request_body = HeardBody,
    responses((status = 200, body = Count),
        (status = 404, description = "No such message in a box one may hear", body = ErrorBody),
        (status = 422, description = "Not the documented JSON")))]
pub async fn heard(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    Json(body): Json<HeardBody>,
) -> Result<Json<Count>, ApiError> {
    let m = own_message(&state, &who, id).await?;
    state
        .store
        .mark_voicemail(m.id, body.heard, state.live.now_ms())
        .await?;
    let unheard = tell_count(&state, m.box_id).await?;
    Ok(Json(Count { unheard }))
}

/// Delete a message (and its recording).
#[utoipa::path(delete, path = "/api/v1/voicemail/messages/{id}", tag = "voicemail",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path)),
    responses((status = 200, body = Count),
        (status = 404, description = "No such message in a box one may hear", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<Count>, ApiError> {
    let m = own_message(&state, &who, id).await?;
    let login = who.account.login.as_str().to_string();
    record(
        &state,
        Some(&login),
        "voicemail.deleted",
        Some(&login),
        &client.to_string(),
        format!("message {} of {} ms", m.id, m.duration_ms),
    )
    .await?;
    if let Some(file) = state.store.delete_voicemail(m.id).await? {
        remove_recording(&state.live.settings().data_dir, &file).await;
    }
    let unheard = tell_count(&state, m.box_id).await?;
    Ok(Json(Count { unheard }))
}

/// Deletes a recording whose row is gone (a missing file is no error).
pub(super) async fn remove_recording(data_dir: &std::path::Path, file: &str) {
    if !file.starts_with("voicemail/") || file.contains("..") {
        return;
    }
    match tokio::fs::remove_file(data_dir.join(file)).await {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::warn!(error = %e, file, "a voicemail's recording stays on disk"),
    }
}
