//! One's greetings: the personal one and the absence one, uploaded (WAV, MP3, Ogg) or
//! recorded in the browser, kept as telephone audio and as Opus; listened to (the Opus
//! copy; `default` is the built-in greeting with one's extension, as WAV); removed.
//! A unit box's greeting (only the personal one: the box has no absence) is any of its
//! members' to change, under `/api/v1/voicemail/boxes/{id}/greetings/{kind}`.

use super::{may_hear, own_box};
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::http::audio_upload::{decoded, UploadName};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Json;
use serde_json::{json, Value};
use store::{GreetingKind, Mailbox};

/// The longest greeting.
const MAX_SECONDS: u32 = 120;

fn kind(name: &str) -> Result<GreetingKind, ApiError> {
    match name {
        "personal" => Ok(GreetingKind::Personal),
        "absence" => Ok(GreetingKind::Absence),
        _ => Err(ApiError::NotFound(
            "Ansagen gibt es als personal und absence (anhören auch default).".into(),
        )),
    }
}

/// Listen to a greeting: `personal` or `absence` (Ogg Opus), `default` (the built-in
/// one with one's extension, WAV).
#[utoipa::path(get, path = "/api/v1/voicemail/greetings/{kind}", tag = "voicemail",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("kind" = String, Path, description = "personal, absence or default")),
    responses((status = 200, description = "audio/ogg, or audio/wav for default; byte ranges answered with 206"),
        (status = 404, description = "Not recorded, or no such kind", body = ErrorBody)))]
pub async fn listen(
    State(state): State<AppState>,
    who: SignedIn,
    Path(which): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mailbox = own_box(&state, &who).await?;
    let extension = state
        .store
        .panel_person_by_id(who.account.id)
        .await?
        .map(|p| p.extension)
        .unwrap_or_default();
    play(&state, &mailbox, &extension, &which, &headers).await
}

/// A greeting of `mailbox` (reached under `number`) as `listen` answers it.
async fn play(
    state: &AppState,
    mailbox: &Mailbox,
    number: &str,
    which: &str,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    if which == "default" {
        let language = match mailbox.language.as_str() {
            "en" => audio::Language::English,
            _ => audio::Language::German,
        };
        let alaw = audio::prompts::voicemail_greeting(language, number);
        let wav = audio::announcement::alaw_to_wav(&alaw);
        return Ok(crate::http::byte_range::answer(
            headers,
            "audio/wav",
            wav,
            &[],
        ));
    }
    let opus = state
        .store
        .mailbox_greeting_opus(mailbox.id, kind(which)?)
        .await?
        .ok_or_else(|| ApiError::NotFound("Diese Ansage ist nicht aufgenommen.".into()))?;
    Ok(crate::http::byte_range::answer(
        headers,
        "audio/ogg",
        opus,
        &[],
    ))
}

/// Upload (or send a recording of) a greeting; the body is the file, up to 120 s.
#[utoipa::path(put, path = "/api/v1/voicemail/greetings/{kind}", tag = "voicemail",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("kind" = String, Path, description = "personal or absence"), UploadName),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, description = "`{duration_secs}`"),
        (status = 400, description = "Not a sound file we read, damaged, silent or longer than 120 s; nothing changed", body = ErrorBody),
        (status = 404, description = "No such kind", body = ErrorBody),
        (status = 413, description = "Larger than 16 MiB", body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    who: SignedIn,
    Path(which): Path<String>,
    Query(q): Query<UploadName>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Json<Value>, ApiError> {
    let kind = kind(&which)?;
    let mailbox = own_box(&state, &who).await?;
    store_greeting(&state, &mailbox, kind, q, &headers, body).await
}

/// Decodes and keeps an uploaded greeting of `mailbox`.
async fn store_greeting(
    state: &AppState,
    mailbox: &Mailbox,
    kind: GreetingKind,
    q: UploadName,
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<Json<Value>, ApiError> {
    let (_, stored) = decoded(q.name, headers, body, "greeting", MAX_SECONDS).await?;
    state
        .store
        .set_mailbox_greeting(mailbox.id, kind, Some((&stored.alaw, &stored.opus)))
        .await?;
    Ok(Json(
        json!({"duration_secs": stored.duration_ms() as f64 / 1000.0}),
    ))
}

/// Remove a greeting (the built-in one plays again; a removed absence greeting is off).
#[utoipa::path(delete, path = "/api/v1/voicemail/greetings/{kind}", tag = "voicemail",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("kind" = String, Path, description = "personal or absence")),
    responses((status = 200, description = "`{}`"),
        (status = 404, description = "No such kind", body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    who: SignedIn,
    Path(which): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let kind = kind(&which)?;
    let mailbox = own_box(&state, &who).await?;
    state
        .store
        .set_mailbox_greeting(mailbox.id, kind, None)
        .await?;
    if kind == GreetingKind::Absence && mailbox.absence_on {
        let off = store::Mailbox {
            absence_on: false,
            ..mailbox
        };
        state.store.set_mailbox_settings(&off).await?;
    }
    Ok(Json(json!({})))
}

/// A unit's box the signed-in person may hear (its member, or a sub-unit's), for its
/// greeting; any other box is not found, as if it did not exist.
async fn unit_box(state: &AppState, who: &SignedIn, id: i64) -> Result<Mailbox, ApiError> {
    let not_found = || ApiError::NotFound("Diese Mailbox gibt es nicht.".into());
    let mailbox = state.store.mailbox(id).await?.ok_or_else(not_found)?;
    if mailbox.unit_id.is_none() || !may_hear(state, who, id).await? {
        return Err(not_found());
    }
    Ok(mailbox)
}

/// A unit box has its personal greeting only.
fn unit_kind(name: &str) -> Result<GreetingKind, ApiError> {
    match name {
        "personal" => Ok(GreetingKind::Personal),
        _ => Err(ApiError::NotFound(
            "Die Mailbox einer Organisationseinheit hat die Ansage personal (anhören auch \
             default)."
                .into(),
        )),
    }
}

/// Listen to a unit box's greeting: `personal` (Ogg Opus) or `default` (the built-in one
/// with the box's number, WAV).
#[utoipa::path(get, path = "/api/v1/voicemail/boxes/{id}/greetings/{kind}", tag = "voicemail",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path), ("kind" = String, Path, description = "personal or default")),
    responses((status = 200, description = "audio/ogg, or audio/wav for default; byte ranges answered with 206"),
        (status = 404, description = "No unit box one may hear, not recorded, or no such kind", body = ErrorBody)))]
pub async fn listen_unit(
    State(state): State<AppState>,
    who: SignedIn,
    Path((id, which)): Path<(i64, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mailbox = unit_box(&state, &who, id).await?;
    if which != "default" {
        unit_kind(&which)?;
    }
    let number = mailbox.number.clone().unwrap_or_default();
    play(&state, &mailbox, &number, &which, &headers).await
}

/// Upload (or send a recording of) a unit box's greeting; the body is the file, up to
/// 120 s. Any member of the unit may.
#[utoipa::path(put, path = "/api/v1/voicemail/boxes/{id}/greetings/{kind}", tag = "voicemail",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path), ("kind" = String, Path, description = "personal"), UploadName),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, description = "`{duration_secs}`"),
        (status = 400, description = "Not a sound file we read, damaged, silent or longer than 120 s; nothing changed", body = ErrorBody),
        (status = 404, description = "No unit box one may hear, or no such kind", body = ErrorBody),
        (status = 413, description = "Larger than 16 MiB", body = ErrorBody)))]
pub async fn upload_unit(
    State(state): State<AppState>,
    who: SignedIn,
    Path((id, which)): Path<(i64, String)>,
    Query(q): Query<UploadName>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Json<Value>, ApiError> {
    let mailbox = unit_box(&state, &who, id).await?;
    let kind = unit_kind(&which)?;
    store_greeting(&state, &mailbox, kind, q, &headers, body).await
}

/// Remove a unit box's greeting (the built-in one plays again).
#[utoipa::path(delete, path = "/api/v1/voicemail/boxes/{id}/greetings/{kind}", tag = "voicemail",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path), ("kind" = String, Path, description = "personal")),
    responses((status = 200, description = "`{}`"),
        (status = 404, description = "No unit box one may hear, or no such kind", body = ErrorBody)))]
pub async fn remove_unit(
    State(state): State<AppState>,
    who: SignedIn,
    Path((id, which)): Path<(i64, String)>,
) -> Result<Json<Value>, ApiError> {
    let mailbox = unit_box(&state, &who, id).await?;
    let kind = unit_kind(&which)?;
    state
        .store
        .set_mailbox_greeting(mailbox.id, kind, None)
        .await?;
    Ok(Json(json!({})))
}
