//! One's box settings: on or off, e-mail with the recording / a link / none, the language
//! of the built-in greeting and the e-mails, and the absence greeting with its last day.
//! Bad values change nothing and name their field.

use super::messages::BoxView;
use super::own_box;
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

/// The settings; a PUT replaces them together.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    enabled: bool,
    /// `attach`, `link` or `off`.
    email_mode: String,
    /// `de` or `en`.
    language: String,
    absence_on: bool,
    /// The absence greeting's last day (`YYYY-MM-DD`); null: until switched off.
    #[serde(default)]
    absence_until: Option<String>,
}

fn invalid(field: &str, problem: &'static str, message: &str) -> ApiError {
    ApiError::Invalid {
        field: field.into(),
        problem,
        message: message.into(),
    }
}

/// Change one's box settings.
#[utoipa::path(put, path = "/api/v1/voicemail/settings", tag = "voicemail",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = SettingsBody,
    responses((status = 200, body = BoxView),
        (status = 400, description = "A bad value (`field` email_mode, language or \
            absence_until; `problem` unknown, not_a_date, in_the_past or no_greeting); nothing changed", body = ErrorBody),
        (status = 422, description = "Not the documented JSON")))]
pub async fn set(
    State(state): State<AppState>,
    who: SignedIn,
    Json(body): Json<SettingsBody>,
) -> Result<Json<BoxView>, ApiError> {
    if !["attach", "link", "off"].contains(&body.email_mode.as_str()) {
        return Err(invalid(
            "email_mode",
            "unknown",
            "E-Mail: mit Aufnahme (attach), nur Hinweis (link) oder keine (off).",
        ));
    }
    if !["de", "en"].contains(&body.language.as_str()) {
        return Err(invalid(
            "language",
            "unknown",
            "Die Sprache ist de oder en.",
        ));
    }
    let until = match body.absence_until.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(day) => match day.parse::<voicemail::Date>() {
            Ok(d) => Some(d.to_string()),
            Err(_) => {
                return Err(invalid(
                    "absence_until",
                    "not_a_date",
                    "Das Ende der Abwesenheit ist kein Datum (JJJJ-MM-TT).",
                ))
            }
        },
    };
    if let (true, Some(day)) = (body.absence_on, until.as_deref()) {
        let today = jiff::Timestamp::from_millisecond(state.live.now_ms())
            .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
            .to_zoned_datetime(crate::hotline::cases::local_time::zone())
            .date()
            .to_string();
        // Both `YYYY-MM-DD`: the text order is the date order.
        if day < today.as_str() {
            return Err(invalid(
                "absence_until",
                "in_the_past",
                "Das Ende der Abwesenheit liegt in der Vergangenheit.",
            ));
        }
    }
    let current = own_box(&state, &who).await?;
    if body.absence_on && !current.has_absence {
        return Err(invalid(
            "absence_on",
            "no_greeting",
            "Nehmen Sie zuerst eine Abwesenheitsansage auf.",
        ));
    }
    let wanted = store::Mailbox {
        enabled: body.enabled,
        email_mode: body.email_mode,
        language: body.language,
        absence_on: body.absence_on,
        absence_until: until,
        ..current
    };
    state.store.set_mailbox_settings(&wanted).await?;
    Ok(Json(BoxView::from(&wanted)))
}
