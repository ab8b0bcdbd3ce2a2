//! Sending a fax: a form with the box, the number and the PDF (`multipart/form-data`, as
//! a browser sends a form with a file), checked here (the box is one the sender uses, the
//! number is digits, the file is a PDF of at most 20 MiB) and handed to the server's
//! [`FaxService`](super::FaxService), which converts it and checks the number against the
//! sender's dialling permission before anything is stored. Every refusal is a German
//! message naming the field; nothing is stored then.

use super::{service, tell_changed, usable_box};
use crate::admin::audit_trail::record;
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::http::form_data::{self, Part};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The largest PDF.
const MAX_PDF: usize = 20 * 1024 * 1024;
/// The largest form: the PDF and room for the other fields and the boundaries.
const MAX_FORM: usize = MAX_PDF + 64 * 1024;

/// The form (documentation only: the body is read by [`form_data`]).
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)] // Its fields only describe the form in the OpenAPI document.
pub struct SendForm {
    /// The box to send from (one the sender uses).
    #[serde(rename = "box")]
    fax_box: i64,
    /// The number to send to: digits as dialled from here, or `+` and an international
    /// number; spaces, `/`, `-` and brackets are ignored.
    number: String,
    /// The PDF (at most 20 MiB).
    #[schema(value_type = String, format = Binary, content_media_type = "application/pdf")]
    file: Vec<u8>,
}

/// The queued fax.
#[derive(Debug, Serialize, ToSchema)]
pub struct Queued {
    /// Its id; `GET /api/v1/fax` lists it as `queued`, then `sending`, `sent` or `failed`.
    pub id: i64,
}

fn invalid(field: &str, problem: &'static str, message: &str) -> ApiError {
    ApiError::Invalid {
        field: field.into(),
        problem,
        message: message.into(),
    }
}

/// Send a PDF as a fax from a box one uses. The fax is queued (`201`); busy lines are
/// tried again; its status is kept in the list.
#[utoipa::path(post, path = "/api/v1/fax", tag = "fax",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body(content = SendForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Queued),
        (status = 400, description = "Not a whole form, no such number, no PDF, a damaged PDF or too many pages; nothing stored", body = ErrorBody),
        (status = 403, description = "The sender may not dial this number", body = ErrorBody),
        (status = 404, description = "No such box among those one uses", body = ErrorBody),
        (status = 413, description = "The PDF is larger than 20 MiB", body = ErrorBody),
        (status = 503, description = "Fax does not work on this server now", body = ErrorBody)))]
pub async fn send(
    State(state): State<AppState>,
    who: SignedIn,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<Queued>), ApiError> {
    let fax = service(&state)?;
    let too_big = || ApiError::TooLarge("Die Datei ist größer als 20 MiB.".into());
    let broken = || {
        invalid(
            "file",
            "not_a_form",
            "Das Formular kam nicht vollständig an. Bitte erneut senden.",
        )
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let boundary = form_data::boundary(content_type).map_err(|_| broken())?;
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<usize>().ok());
    if announced.is_some_and(|n| n > MAX_FORM) {
        return Err(too_big());
    }
    let bytes = axum::body::to_bytes(body, MAX_FORM)
        .await
        .map_err(|_| too_big())?;
    let parts = form_data::parse(&bytes, &boundary).map_err(|_| broken())?;
    let field = |name: &str| parts.iter().find(|p| p.name == name);
    let text = |part: Option<&Part>| {
        part.map(|p| String::from_utf8_lossy(p.body).trim().to_string())
            .unwrap_or_default()
    };

    let box_id = text(field("box"))
        .parse::<i64>()
        .map_err(|_| invalid("box", "missing", "Bitte einen Faxeingang wählen."))?;
    let fax_box = usable_box(&state, &who, box_id).await?;
    let typed = text(field("number"));
    if typed.is_empty() {
        return Err(invalid(
            "number",
            "missing",
            "Bitte die Faxnummer der Gegenstelle eingeben.",
        ));
    }
    let number = directory::fax_number::dialled_fax_number(&typed).ok_or_else(|| {
        invalid(
            "number",
            "not_a_number",
            "Die Faxnummer darf nur Ziffern enthalten (mit + am Anfang für internationale \
             Nummern; Leerzeichen, / und - sind erlaubt).",
        )
    })?;
    let pdf = match field("file") {
        Some(p) if !p.body.is_empty() => p.body,
        _ => return Err(invalid("file", "missing", "Bitte eine PDF-Datei wählen.")),
    };
    if pdf.len() > MAX_PDF {
        return Err(too_big());
    }
    // The server reads the PDF whole; this only turns away what plainly is none.
    if !looks_like_pdf(pdf) {
        return Err(invalid(
            "file",
            "not_a_pdf",
            "Die Datei ist kein PDF. Bitte eine PDF-Datei wählen.",
        ));
    }

    let login = who.account.login.as_str().to_string();
    let id = fax
        .send(
            who.account.id,
            login.clone(),
            fax_box.id,
            number.clone(),
            pdf.to_vec(),
        )
        .await?;
    record(
        &state,
        Some(&login),
        "fax.queued",
        Some(&login),
        &who.session.source,
        format!("fax {id} from box {} to {number}", fax_box.number),
    )
    .await?;
    tell_changed(&state.store, &state.live, fax_box.id).await?;
    Ok((StatusCode::CREATED, Json(Queued { id })))
}

/// Whether `bytes` starts like a PDF: `%PDF-` within the first 1024 bytes, where
/// readers look for it (ISO 32000-1 §7.5.2 puts it first; readers allow some junk before).
fn looks_like_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_pdf_starts_with_its_header() {
        assert!(super::looks_like_pdf(b"%PDF-1.7\n..."));
        assert!(super::looks_like_pdf(b"\xef\xbb\xbf%PDF-1.4"));
        assert!(!super::looks_like_pdf(b"GIF89a"));
        assert!(!super::looks_like_pdf(b"%PDF"));
        let late = [vec![b' '; 1030], b"%PDF-1.4".to_vec()].concat();
        assert!(!super::looks_like_pdf(&late));
    }
}
