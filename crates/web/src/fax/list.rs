//! The boxes one uses with their faxes, newest first (and whether sending works here),
//! a fax's PDF, and deleting a fax (the row, then its files; audited like a deleted
//! voicemail message).

use super::{remove_files, tell, viewed_fax, NOT_SET_UP};
use crate::admin::audit_trail::record;
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::time_format::iso_utc_ms;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use axum::Json;
use serde::Serialize;
use std::collections::HashMap;
use store::{Fax, FaxBox, FaxDirection, FaxStatus};
use utoipa::ToSchema;

/// The most faxes listed per box.
const LISTED: i64 = 200;

/// A fax as the page shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FaxView {
    /// Its id.
    pub id: i64,
    /// `in` (received) or `out` (sent).
    pub direction: String,
    /// The far number.
    pub remote: String,
    /// The far station's id (CSI/TSI), once known.
    pub remote_ident: Option<String>,
    /// Pages received or sent (for a queued fax: pages to send).
    pub pages: i64,
    /// `receiving`, `received`, `failed`, `queued`, `sending` or `sent`.
    pub status: String,
    /// Why it failed, or why the last try of a queued fax did (German).
    pub reason: Option<String>,
    /// Tries to send it so far.
    pub attempts: i64,
    /// When it began (ISO 8601, UTC).
    pub created_at: String,
    /// When it was received, sent or given up.
    pub finished_at: Option<String>,
    /// When a queued fax is tried next.
    pub next_attempt_at: Option<String>,
    /// Who sent it, for a sent fax (while they are in the directory).
    pub sender: Option<String>,
    /// Its PDF (`GET`), once there is one.
    pub pdf: Option<String>,
}

/// A box one uses, with its faxes.
#[derive(Debug, Serialize, ToSchema)]
pub struct BoxView {
    /// Its id.
    pub id: i64,
    /// Its number (an extension or an E.164 direct number).
    pub number: String,
    /// The person's or the unit's name.
    pub name: String,
    /// `person` (one's own) or `unit`.
    pub kind: String,
    /// Its faxes, newest first (at most 200).
    pub faxes: Vec<FaxView>,
}

/// The fax page.
#[derive(Debug, Serialize, ToSchema)]
pub struct FaxOverview {
    /// Whether faxes can be sent from this server now.
    pub available: bool,
    /// Why not, when not (German).
    pub unavailable_reason: Option<String>,
    /// The boxes one uses: one's own first, then the units'.
    pub boxes: Vec<BoxView>,
}

fn direction(d: FaxDirection) -> String {
    d.as_str().into()
}

fn view(fax: Fax, sender: Option<String>) -> FaxView {
    FaxView {
        pdf: fax
            .file
            .as_ref()
            .map(|_| format!("/api/v1/fax/{}/pdf", fax.id)),
        id: fax.id,
        direction: direction(fax.direction),
        remote: fax.remote,
        remote_ident: fax.remote_ident,
        pages: fax.pages,
        status: fax.status.as_str().into(),
        reason: fax.reason,
        attempts: fax.attempts,
        created_at: iso_utc_ms(fax.created_ms),
        finished_at: fax.finished_ms.map(iso_utc_ms),
        next_attempt_at: (fax.status == FaxStatus::Queued)
            .then_some(fax.next_attempt_ms)
            .flatten()
            .map(iso_utc_ms),
        sender,
    }
}

/// The boxes one uses (one's own, one's unit's and those of the units above it) with
/// their faxes, newest first, and whether sending works on this server.
#[utoipa::path(get, path = "/api/v1/fax", tag = "fax",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = FaxOverview)))]
pub async fn list(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Json<FaxOverview>, ApiError> {
    let (available, unavailable_reason) = match &state.fax {
        None => (false, Some(NOT_SET_UP.to_string())),
        Some(service) => match service.available() {
            Ok(()) => (true, None),
            Err(why) => (false, Some(why)),
        },
    };
    let mut names: HashMap<i64, Option<String>> = HashMap::new();
    let mut boxes = Vec::new();
    for b in state.store.fax_boxes_of(who.account.id).await? {
        let mut faxes = Vec::new();
        for fax in state.store.faxes_of_box(b.id, LISTED).await? {
            let sender = match fax.sender_id {
                Some(id) if fax.direction == FaxDirection::Out => match names.get(&id) {
                    Some(known) => known.clone(),
                    None => {
                        let name = state.store.panel_person_by_id(id).await?.map(|p| p.name);
                        names.insert(id, name.clone());
                        name
                    }
                },
                _ => None,
            };
            faxes.push(view(fax, sender));
        }
        boxes.push(box_view(b, faxes));
    }
    Ok(Json(FaxOverview {
        available,
        unavailable_reason,
        boxes,
    }))
}

fn box_view(b: FaxBox, faxes: Vec<FaxView>) -> BoxView {
    BoxView {
        id: b.id,
        kind: if b.staff_id.is_some() {
            "person"
        } else {
            "unit"
        }
        .into(),
        number: b.number,
        name: b.name,
        faxes,
    }
}

/// A fax's PDF, shown in the browser (`inline`, named by its time and the far number);
/// byte ranges answered with 206.
#[utoipa::path(get, path = "/api/v1/fax/{id}/pdf", tag = "fax",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path)),
    responses((status = 200, description = "application/pdf"),
        (status = 206, description = "The byte range asked for"),
        (status = 404, description = "No such fax in a box one uses, or no PDF yet", body = ErrorBody)))]
pub async fn pdf(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let fax = viewed_fax(&state, &who, id).await?;
    let no_pdf = || ApiError::NotFound("Zu diesem Fax gibt es (noch) kein PDF.".into());
    let file = fax
        .file
        .as_deref()
        .filter(|f| super::is_fax_file(f))
        .ok_or_else(no_pdf)?;
    let bytes = tokio::fs::read(state.live.settings().data_dir.join(file))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, fax = fax.id, "a fax's PDF is missing");
            no_pdf()
        })?;
    let mut response = crate::http::byte_range::answer(&headers, "application/pdf", bytes, &[]);
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{}\"", file_name(&fax))) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `Fax-2026-03-04-1412-+4930123456.pdf`: when it began (local time) and the far number
/// (its digits and `+` only).
fn file_name(fax: &Fax) -> String {
    let local = jiff::Timestamp::from_millisecond(fax.created_ms)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned_datetime(crate::hotline::cases::local_time::zone());
    let number: String = fax
        .remote
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .take(24)
        .collect();
    let number = if number.is_empty() {
        "unbekannt".into()
    } else {
        number
    };
    format!("Fax-{}-{number}.pdf", local.strftime("%Y-%m-%d-%H%M"))
}

/// The deleted fax.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deleted {
    /// Its id.
    pub id: i64,
}

/// Delete a fax of a box one uses, with its files. A fax being received or sent right
/// now is refused (409); a queued one is not sent.
#[utoipa::path(delete, path = "/api/v1/fax/{id}", tag = "fax",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path)),
    responses((status = 200, body = Deleted),
        (status = 404, description = "No such fax in a box one uses", body = ErrorBody),
        (status = 409, description = "Being received or sent right now", body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<Deleted>, ApiError> {
    let fax = viewed_fax(&state, &who, id).await?;
    if matches!(fax.status, FaxStatus::Receiving | FaxStatus::Sending) {
        return Err(ApiError::Conflict(
            "Das Fax wird gerade übertragen. Bitte löschen Sie es danach.".into(),
        ));
    }
    let login = who.account.login.as_str().to_string();
    record(
        &state,
        Some(&login),
        "fax.deleted",
        Some(&login),
        &who.session.source,
        format!(
            "fax {} ({}, {}, {} pages) of box {}",
            fax.id,
            fax.direction.as_str(),
            fax.status.as_str(),
            fax.pages,
            fax.box_id
        ),
    )
    .await?;
    // Who uses the box is read before the row goes; the row goes before its files.
    let viewers = state.store.fax_box_viewers(fax.box_id).await?;
    if let Some(gone) = state.store.delete_fax(fax.id).await? {
        remove_files(&state.live.settings().data_dir, &gone).await;
    }
    tell(&state.live, fax.box_id, &viewers);
    Ok(Json(Deleted { id: fax.id }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdfs_name_is_its_local_time_and_the_far_number() {
        let fax = Fax {
            id: 1,
            box_id: 1,
            direction: FaxDirection::In,
            remote: "+49 30 123\"456".into(),
            remote_ident: None,
            pages: 1,
            status: FaxStatus::Received,
            reason: None,
            file: Some("fax/1.pdf".into()),
            tiff: None,
            sender_id: None,
            attempts: 0,
            next_attempt_ms: None,
            // 2026-03-04 13:12 UTC is 14:12 in Berlin.
            created_ms: 1_772_629_920_000,
            finished_ms: None,
        };
        assert_eq!(file_name(&fax), "Fax-2026-03-04-1412-+4930123456.pdf");
        let anonymous = Fax {
            remote: String::new(),
            ..fax
        };
        assert_eq!(file_name(&anonymous), "Fax-2026-03-04-1412-unbekannt.pdf");
    }
}
