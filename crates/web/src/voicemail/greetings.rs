//! One's greetings: the personal one and the absence one, uploaded (WAV, MP3, Ogg) or
//! recorded in the browser, kept as telephone audio and as Opus; listened to (the Opus
//! copy; `default` is the built-in greeting with one's extension, as WAV); removed.

use super::own_box;
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::http::audio_upload::{decoded, UploadName};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::Json;
use serde_json::{json, Value};
use store::GreetingKind;

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
    if which == "default" {
        let language = match mailbox.language.as_str() {
            "en" => audio::Language::English,
            _ => audio::Language::German,
        };
        let extension = state
            .store
            .panel_person_by_id(who.account.id)
            .await?
            .map(|p| p.extension)
            .unwrap_or_default();
        let alaw = audio::prompts::voicemail_greeting(language, &extension);
        let wav = audio::announcement::alaw_to_wav(&alaw);
        return Ok(crate::http::byte_range::answer(
            &headers,
            "audio/wav",
            wav,
            &[],
        ));
    }
    let opus = state
        .store
        .mailbox_greeting_opus(mailbox.id, kind(&which)?)
        .await?
        .ok_or_else(|| ApiError::NotFound("Diese Ansage ist nicht aufgenommen.".into()))?;
    Ok(crate::http::byte_range::answer(
        &headers,
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
    let (_, stored) = decoded(q.name, &headers, body, "greeting", MAX_SECONDS).await?;
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
