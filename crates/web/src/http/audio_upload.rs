//! Sound files uploaded to the server (a hotline's announcements, a voicemail greeting):
//! read within the size limit, decoded off the request threads into the telephone copy
//! (A-law) and the Opus copy, refused with a clear message when they are not sound.

use crate::error::ApiError;
use audio::AudioError;
use axum::http::{header, HeaderMap};
use serde::Deserialize;
use utoipa::IntoParams;

/// The largest upload.
const MAX_BYTES: usize = 16 * 1024 * 1024;

/// A sound file's name as uploaded.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadName {
    /// The file's name; its ending (`.mp3`, `.ogg`, `.wav`, `.opus`) helps to read it.
    #[serde(default)]
    pub name: Option<String>,
}

/// A file that is not sound we read, as the API refuses it (field `file`).
pub fn refused(e: AudioError) -> ApiError {
    let message = match e {
        AudioError::NotAudio(_) | AudioError::NoTrack => {
            "Die Datei ist keine Tondatei, die wir lesen (WAV, MP3, Ogg Vorbis, Ogg Opus)."
                .to_string()
        }
        AudioError::Unsupported(_) => {
            "Der Ton in der Datei ist in einem Format, das wir nicht lesen.".into()
        }
        AudioError::Corrupt(_) => "Die Tondatei ist beschädigt.".into(),
        AudioError::TooLong { max_seconds } => {
            format!("Die Aufnahme ist länger als {max_seconds} Sekunden.")
        }
        AudioError::Empty => "In der Datei ist nichts zu hören.".into(),
    };
    ApiError::Invalid {
        field: "file".into(),
        problem: "not_audio",
        message,
    }
}

/// Reads and decodes an uploaded sound file (at most 16 MiB and `max_seconds`) off the
/// request threads: its name (as uploaded, else `default_name`) and its two stored forms.
pub async fn decoded(
    name: Option<String>,
    headers: &HeaderMap,
    body: axum::body::Body,
    default_name: &str,
    max_seconds: u32,
) -> Result<(String, audio::announcement::Stored), ApiError> {
    let too_big = || ApiError::TooLarge("Die Datei ist größer als 16 MiB.".into());
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if announced.is_some_and(|n| n > MAX_BYTES) {
        return Err(too_big());
    }
    let bytes = axum::body::to_bytes(body, MAX_BYTES)
        .await
        .map_err(|_| too_big())?
        .to_vec();
    let extension = name
        .as_deref()
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    let stored = tokio::task::spawn_blocking(move || {
        audio::announcement::prepare(bytes, extension.as_deref(), max_seconds)
    })
    .await
    .map_err(|_| ApiError::Internal)?
    .map_err(refused)?;
    let name = name.unwrap_or_else(|| default_name.to_string());
    let name: String = name.chars().filter(|c| !c.is_control()).take(120).collect();
    Ok((name, stored))
}
