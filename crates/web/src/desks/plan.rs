//! A floor's plan image: administrators upload it (PNG, JPEG or WebP, recognised by its
//! first bytes whatever the name or content type says, at most [`MAX_BYTES`]; SVG is
//! refused because it can carry scripts), everyone signed in reads it. The file lives in
//! the data folder under `floor-plans/`; the one it replaces is deleted.

use super::unprocessable;
use crate::admin::audit_admin;
use crate::auth::session::{Admin, SignedIn};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;

/// The largest plan image taken.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

const FOLDER: &str = "floor-plans";

/// The image type by its first bytes: (file extension, content type).
fn image_type(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(("png", "image/png"))
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some(("jpg", "image/jpeg"))
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some(("webp", "image/webp"))
    } else {
        None
    }
}

/// Upload a floor's plan image (the body is the image), replacing any earlier one.
#[utoipa::path(put, path = "/api/v1/admin/desks/floors/{id}/plan", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("id" = i64, Path, description = "The floor's id")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, description = "`{content_type, bytes}`"),
        (status = 404, description = "No such floor", body = ErrorBody),
        (status = 413, description = "Larger than 5 MiB; nothing changed", body = ErrorBody),
        (status = 422, description = "Not a PNG, JPEG or WebP image; nothing changed", body = ErrorBody)))]
pub async fn upload(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(floor): Path<i64>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    let too_big = || ApiError::TooLarge("Der Plan ist größer als 5 MiB.".into());
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if announced.is_some_and(|n| n > MAX_BYTES) {
        return Err(too_big());
    }
    let bytes = axum::body::to_bytes(body, MAX_BYTES)
        .await
        .map_err(|_| too_big())?;
    let (extension, content_type) = image_type(&bytes).ok_or_else(|| {
        unprocessable(
            "plan",
            "not_an_image",
            "Der Plan muss ein PNG-, JPEG- oder WebP-Bild sein.",
        )
    })?;
    if state.store.floor(floor).await?.is_none() {
        return Err(ApiError::NotFound("Diese Etage gibt es nicht.".into()));
    }
    let data_dir = state.live.settings().data_dir.clone();
    let file = format!("{FOLDER}/{floor}-{}.{extension}", state.live.now_ms());
    let written = async {
        tokio::fs::create_dir_all(data_dir.join(FOLDER)).await?;
        tokio::fs::write(data_dir.join(&file), &bytes).await
    };
    if let Err(error) = written.await {
        tracing::error!(%error, "cannot write a floor plan");
        return Err(ApiError::Internal);
    }
    let old = match state.store.set_floor_plan(floor, Some(&file)).await {
        Ok(old) => old,
        Err(error) => {
            let _ = tokio::fs::remove_file(data_dir.join(&file)).await;
            return Err(error.into());
        }
    };
    if let Some(old) = old.filter(|old| *old != file) {
        let _ = tokio::fs::remove_file(data_dir.join(old)).await;
    }
    audit_admin(
        &state,
        &admin,
        "admin.desks.plan_uploaded",
        None,
        format!("floor {floor}: {content_type}, {} bytes", bytes.len()),
    )
    .await?;
    Ok(Json(
        serde_json::json!({"content_type": content_type, "bytes": bytes.len()}),
    ))
}

/// A floor's plan image.
#[utoipa::path(get, path = "/api/v1/desks/floors/{id}/plan", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path, description = "The floor's id")),
    responses((status = 200, description = "image/png, image/jpeg or image/webp"),
        (status = 404, description = "No such floor, or no plan uploaded", body = ErrorBody)))]
pub async fn image(
    State(state): State<AppState>,
    _: SignedIn,
    Path(floor): Path<i64>,
) -> Result<Response, ApiError> {
    let none = || ApiError::NotFound("Für diese Etage gibt es keinen Plan.".into());
    let file = state
        .store
        .floor(floor)
        .await?
        .and_then(|f| f.plan_file)
        .ok_or_else(none)?;
    let bytes = tokio::fs::read(state.live.settings().data_dir.join(&file))
        .await
        .map_err(|_| none())?;
    let (_, content_type) = image_type(&bytes).ok_or_else(none)?;
    Ok(([(header::CONTENT_TYPE, content_type)], bytes).into_response())
}

#[cfg(test)]
mod tests {
    use super::image_type;

    #[test]
    fn only_png_jpeg_and_webp_by_their_first_bytes() {
        assert_eq!(image_type(b"\x89PNG\r\n\x1a\nrest").unwrap().0, "png");
        assert_eq!(image_type(&[0xff, 0xd8, 0xff, 0xe0]).unwrap().0, "jpg");
        assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 ").unwrap().0, "webp");
        assert_eq!(
            image_type(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            None
        );
        assert_eq!(image_type(b"GIF89a"), None);
        assert_eq!(image_type(b""), None);
    }
}
