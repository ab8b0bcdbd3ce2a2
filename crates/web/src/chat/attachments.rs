//! Chat attachments over REST: uploads streamed to disk within the size limit and the
//! person's quota (`uploads.rs`), downloads streamed from the file, for members only.

use crate::auth::session::SignedIn;
use crate::chat::frames::Attachment;
use crate::chat::member;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use store::AttachmentRow;

/// `?name=`
#[derive(Deserialize, utoipa::IntoParams)]
pub struct UploadQuery {
    /// The file's name (folders and hidden characters are stripped).
    name: String,
}

/// A file name safe to store and to offer for download: no folders, no control
/// characters, at most 200 characters, and none of the hidden characters that change how
/// a name is shown (`\u{202E}gnp.exe` would show as "exe.png"). Those are stripped, not
/// refused: the name comes from the uploader's operating system, not from their typing.
fn clean_file_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let visible: String = base
        .chars()
        .filter(|&c| !c.is_control() && c != '"' && !directory::display_text::is_hidden(c))
        .collect();
    let cleaned: String = visible.trim().chars().take(200).collect();
    (!cleaned.is_empty() && cleaned != "." && cleaned != "..").then_some(cleaned)
}

/// Upload a file to send with a message; the body is the file. It is written to disk as
/// it arrives, within the largest size and the person's quota, and recorded only when
/// complete; one not sent within a day is removed.
#[utoipa::path(post, path = "/api/v1/rooms/{id}/attachments", tag = "chat",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path), UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Attachment),
        (status = 400, description = "No or a bad file name, or an empty file", body = ErrorBody),
        (status = 403, description = "Not a member of the room", body = ErrorBody),
        (status = 413, description = "Larger than [chat] attachment_max_mib, or over the person's quota", body = ErrorBody),
        (status = 429, description = "Too many uploads at once", body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    who: SignedIn,
    Path(room): Path<i64>,
    Query(q): Query<UploadQuery>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Response, ApiError> {
    let rt = &state.live;
    let me = who.account.id;
    member(rt, room, me)?;
    let name = clean_file_name(&q.name)
        .ok_or_else(|| ApiError::BadRequest("Der Dateiname fehlt oder ist ungültig.".into()))?;
    let settings = rt.settings();
    let (max, quota) = (
        settings.attachment_max_bytes,
        settings.attachment_quota_bytes,
    );
    let too_big = || {
        ApiError::TooLarge(format!(
            "Die Datei ist größer als {} MiB.",
            max / (1024 * 1024)
        ))
    };
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if announced.is_some_and(|n| n > max) {
        return Err(too_big());
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() < 100 && v.contains('/') && !v.contains(['\r', '\n']))
        .unwrap_or("application/octet-stream")
        .to_owned();
    let mut upload = state
        .uploads
        .begin(me)
        .ok_or(ApiError::TooManyRequests(5))?;
    let stored = u64::try_from(state.store.attachment_bytes_of(me).await?).unwrap_or(0);
    let full = || {
        ApiError::TooLarge(format!(
            "Ihr Platz für Dateien ({} MiB) reicht dafür nicht. Löschen Sie ältere Nachrichten mit Dateien.",
            quota / (1024 * 1024)
        ))
    };
    let mut raw = [0u8; 16];
    getrandom::fill(&mut raw).map_err(|_| ApiError::Internal)?;
    let id: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    let dir = settings.attachment_dir.clone();
    // Written under a temporary name and renamed once recorded: a crash leaves only
    // `.part` files, which the hourly clean-up removes.
    let part = dir.join(format!("{id}.part"));
    let written = async {
        tokio::fs::create_dir_all(&dir).await.map_err(storage)?;
        let mut file = tokio::fs::File::create(&part).await.map_err(storage)?;
        let mut size = 0u64;
        let mut chunks = body.into_data_stream();
        while let Some(chunk) = futures_util::StreamExt::next(&mut chunks).await {
            let chunk = chunk
                .map_err(|_| ApiError::BadRequest("Die Übertragung der Datei brach ab.".into()))?;
            size += chunk.len() as u64;
            if size > max {
                return Err(too_big());
            }
            if !upload.take(chunk.len() as u64, stored, quota) {
                return Err(full());
            }
            tokio::io::AsyncWriteExt::write_all(&mut file, &chunk)
                .await
                .map_err(storage)?;
        }
        file.sync_all().await.map_err(storage)?;
        if size == 0 {
            return Err(ApiError::BadRequest("Die Datei ist leer.".into()));
        }
        let row = AttachmentRow {
            id: id.clone(),
            room_id: room,
            uploader_id: me,
            name,
            content_type,
            size: size as i64,
        };
        if !state
            .store
            .insert_attachment(
                &row,
                state.live.now_ms(),
                i64::try_from(quota).unwrap_or(i64::MAX),
            )
            .await?
        {
            return Err(full());
        }
        tokio::fs::rename(&part, dir.join(&id))
            .await
            .map_err(storage)?;
        Ok(row)
    }
    .await;
    let row = match written {
        Ok(row) => row,
        Err(e) => {
            let _ = tokio::fs::remove_file(&part).await;
            return Err(e);
        }
    };
    let json =
        json!({"id": row.id, "name": row.name, "size": row.size, "content_type": row.content_type});
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

fn storage(e: std::io::Error) -> ApiError {
    tracing::error!(error = %e, "storing an attachment failed");
    ApiError::Unavailable("attachment storage".into())
}

/// Download an attachment (members of its room only).
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "chat",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = String, Path)),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"),
        (status = 404, description = "No such file, or not for this person", body = ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::NotFound("Diese Datei gibt es nicht.".into());
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(not_found());
    }
    let row = state.store.attachment(&id).await?.ok_or_else(not_found)?;
    member(&state.live, row.room_id, who.account.id).map_err(|_| not_found())?;
    let path = state.live.settings().attachment_dir.join(&row.id);
    // Streamed from the file: parallel downloads of large files cost no memory.
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|_| not_found())?;
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let encoded: String = row
        .name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, row.content_type),
            (header::CONTENT_LENGTH, row.size.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{encoded}"),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'".to_owned(),
            ),
        ],
        body,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names() {
        assert_eq!(
            super::clean_file_name("C:\\Users\\x\\Antrag Müller.pdf").as_deref(),
            Some("Antrag Müller.pdf")
        );
        assert_eq!(
            super::clean_file_name("../../etc/passwd").as_deref(),
            Some("passwd")
        );
        assert_eq!(super::clean_file_name(".."), None);
        assert_eq!(
            super::clean_file_name("a\"b\u{0}.txt").as_deref(),
            Some("ab.txt")
        );
        assert_eq!(super::clean_file_name(" "), None);
        assert_eq!(
            super::clean_file_name("Rechnung\u{202E}fdp.exe").as_deref(),
            Some("Rechnungfdp.exe")
        );
        assert_eq!(
            super::clean_file_name("\u{FEFF} Bericht\u{200B}\u{200D}\u{AD}.pdf").as_deref(),
            Some("Bericht.pdf")
        );
        assert_eq!(super::clean_file_name("\u{2066}..\u{2069}"), None);
    }
}
