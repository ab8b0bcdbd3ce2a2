//! A hotline's own announcements: administrators upload the welcome, the closed message
//! and the music on hold as WAV, MP3, Ogg Vorbis or Ogg Opus (or a WAV recorded in the
//! browser); they are decoded and stored as telephone audio (8 kHz A-law), which plays from
//! the next caller on, and as Ogg Opus in the uploaded quality. Listening back gives the
//! Opus copy (or, asked for the phone's sound, a WAV of the A-law); deleting brings back
//! the built-in prompt.

use super::admin::changed;
use crate::auth::session::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::http::audio_upload::{decoded, UploadName};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::IntoParams;

/// The kinds, their built-in prompt and how long they may be.
fn kind(kind: &str) -> Result<(&'static str, &'static str, u32), ApiError> {
    match kind {
        "welcome" => Ok(("welcome", "welcome", 120)),
        "closed" => Ok(("closed", "closed", 120)),
        "hold_music" => Ok(("hold_music", audio::prompts::HOLD_MUSIC, 600)),
        _ => Err(ApiError::NotFound(
            "Ansagen gibt es als welcome, closed und hold_music.".into(),
        )),
    }
}

async fn known(state: &AppState, hotline: i64) -> Result<store::Hotline, ApiError> {
    let book = state.store.hotline_book().await?;
    book.hotlines
        .into_iter()
        .find(|h| h.id == hotline)
        .ok_or_else(|| ApiError::NotFound("Diese Hotline gibt es nicht.".into()))
}

/// Upload a queue's periodic announcement (the body is the file; up to 120 s). It plays
/// every `periodic_every_secs` of the queue.
#[utoipa::path(put, path = "/api/v1/admin/hotlines/{hotline}/queues/{queue}/announcements/periodic", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("hotline" = i64, Path), ("queue" = i64, Path), UploadName),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, description = "`{id, duration_secs}`"),
        (status = 400, description = "Not a sound file we read, damaged, silent or longer than 120 s; nothing changed", body = ErrorBody),
        (status = 404, description = "No such hotline or queue", body = ErrorBody),
        (status = 413, description = "Larger than 16 MiB", body = ErrorBody)))]
pub async fn upload_periodic(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path((hotline, queue)): Path<(i64, i64)>,
    Query(q): Query<UploadName>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Json<Value>, ApiError> {
    let h = known(&state, hotline).await?;
    let queues = state.store.hotline_book().await?.queues;
    if !queues
        .iter()
        .any(|q| q.id == queue && q.hotline_id == hotline)
    {
        return Err(ApiError::NotFound(
            "Diese Warteschlange gibt es nicht.".into(),
        ));
    }
    let (name, stored) = decoded(q.name, &headers, body, "periodic", 120).await?;
    let duration_ms = stored.duration_ms();
    let id = state
        .store
        .add_announcement(
            &name,
            &stored.alaw,
            Some(&stored.opus),
            duration_ms,
            state.live.now_ms(),
        )
        .await?;
    if !state
        .store
        .set_queue_announcement(hotline, queue, Some(id))
        .await?
    {
        return Err(ApiError::NotFound(
            "Diese Warteschlange gibt es nicht.".into(),
        ));
    }
    changed(
        &state,
        &admin,
        "hotline.announcement",
        &h.name,
        format!("periodic ({queue}): {name}, {} s", duration_ms / 1000),
    )
    .await?;
    Ok(Json(
        json!({"id": id, "duration_secs": duration_ms as f64 / 1000.0}),
    ))
}

/// Remove a queue's periodic announcement (none plays).
#[utoipa::path(delete, path = "/api/v1/admin/hotlines/{hotline}/queues/{queue}/announcements/periodic", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("hotline" = i64, Path), ("queue" = i64, Path)),
    responses((status = 200, description = "`{}`"),
        (status = 404, description = "No such hotline or queue", body = ErrorBody)))]
pub async fn remove_periodic(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path((hotline, queue)): Path<(i64, i64)>,
) -> Result<Json<Value>, ApiError> {
    let h = known(&state, hotline).await?;
    if !state
        .store
        .set_queue_announcement(hotline, queue, None)
        .await?
    {
        return Err(ApiError::NotFound(
            "Diese Warteschlange gibt es nicht.".into(),
        ));
    }
    changed(
        &state,
        &admin,
        "hotline.announcement",
        &h.name,
        format!("periodic ({queue}): none"),
    )
    .await?;
    Ok(Json(json!({})))
}

/// Upload one of a hotline's announcements (the body is the file).
#[utoipa::path(put, path = "/api/v1/admin/hotlines/{hotline}/announcements/{kind}", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("hotline" = i64, Path), ("kind" = String, Path, description = "welcome, closed or hold_music"), UploadName),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, description = "`{id, duration_secs}`"),
        (status = 400, description = "Not a sound file we read, damaged, silent or too long (welcome and closed 120 s, music 600 s); nothing changed", body = ErrorBody),
        (status = 404, description = "No such hotline or kind", body = ErrorBody),
        (status = 413, description = "Larger than 16 MiB", body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path((hotline, which)): Path<(i64, String)>,
    Query(q): Query<UploadName>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Json<Value>, ApiError> {
    let (which, _, max_seconds) = kind(&which)?;
    let h = known(&state, hotline).await?;
    let (name, stored) = decoded(q.name, &headers, body, which, max_seconds).await?;
    let duration_ms = stored.duration_ms();
    let id = state
        .store
        .add_announcement(
            &name,
            &stored.alaw,
            Some(&stored.opus),
            duration_ms,
            state.live.now_ms(),
        )
        .await?;
    state
        .store
        .set_hotline_announcement(hotline, which, Some(id))
        .await?;
    changed(
        &state,
        &admin,
        "hotline.announcement",
        &h.name,
        format!("{which}: {name}, {} s", duration_ms / 1000),
    )
    .await?;
    Ok(Json(
        json!({"id": id, "duration_secs": duration_ms as f64 / 1000.0}),
    ))
}

/// Which copy of an announcement to listen to.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Sound {
    /// `original` (the default): the uploaded quality, as Ogg Opus, where there is one;
    /// `phone`: what callers hear (8 kHz A-law, as WAV).
    #[serde(default)]
    sound: Option<String>,
}

/// Listen to an announcement (the hotline's own, or the built-in one): the uploaded
/// quality as Ogg Opus, or (`?sound=phone`, and for built-in and older ones) the telephone
/// sound as WAV.
#[utoipa::path(get, path = "/api/v1/admin/hotlines/{hotline}/announcements/{kind}", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("hotline" = i64, Path), ("kind" = String, Path, description = "welcome, closed or hold_music"), Sound),
    responses((status = 200, description = "audio/ogg (Opus) or audio/wav; `X-Announcement: own` or `builtin`; byte ranges (`Range`) answered with 206"),
        (status = 416, description = "A byte range past the end"),
        (status = 400, description = "`sound` is neither `original` nor `phone`", body = ErrorBody),
        (status = 404, description = "No such hotline or kind", body = ErrorBody)))]
pub async fn listen(
    State(state): State<AppState>,
    _: Admin,
    Path((hotline, which)): Path<(i64, String)>,
    Query(q): Query<Sound>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let phone = match q.sound.as_deref() {
        None | Some("original") => false,
        Some("phone") => true,
        Some(_) => {
            return Err(ApiError::Invalid {
                field: "sound".into(),
                problem: "unknown",
                message: "sound ist original oder phone.".into(),
            })
        }
    };
    let (which, builtin, _) = kind(&which)?;
    let h = known(&state, hotline).await?;
    let own = match which {
        "welcome" => h.welcome_announcement,
        "closed" => h.closed_announcement,
        _ => h.hold_music,
    };
    let origin = if own.is_some() { "own" } else { "builtin" };
    let kept = |content_type: &'static str, bytes: Vec<u8>| {
        crate::http::byte_range::answer(
            &headers,
            content_type,
            bytes,
            &[(header::HeaderName::from_static("x-announcement"), origin)],
        )
    };
    let alaw = match own {
        Some(id) => {
            if !phone {
                if let Some(opus) = state.store.announcement_opus(id).await? {
                    return Ok(kept("audio/ogg", opus));
                }
            }
            state
                .store
                .announcement_audio(id)
                .await?
                .ok_or_else(|| ApiError::NotFound("Die Ansage fehlt.".into()))?
        }
        None => audio::prompts::clip(audio::Language::German, builtin)
            .ok_or(ApiError::Internal)?
            .to_vec(),
    };
    Ok(kept("audio/wav", audio::announcement::alaw_to_wav(&alaw)))
}

/// Remove the hotline's own announcement: the built-in one plays again.
#[utoipa::path(delete, path = "/api/v1/admin/hotlines/{hotline}/announcements/{kind}", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("hotline" = i64, Path), ("kind" = String, Path, description = "welcome, closed or hold_music")),
    responses((status = 200, description = "`{}`"),
        (status = 404, description = "No such hotline or kind", body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path((hotline, which)): Path<(i64, String)>,
) -> Result<Json<Value>, ApiError> {
    let (which, _, _) = kind(&which)?;
    let h = known(&state, hotline).await?;
    state
        .store
        .set_hotline_announcement(hotline, which, None)
        .await?;
    changed(
        &state,
        &admin,
        "hotline.announcement",
        &h.name,
        format!("{which}: built-in"),
    )
    .await?;
    Ok(Json(json!({})))
}
