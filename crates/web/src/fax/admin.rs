//! Administrators' fax boxes: listed, made for a person (by login) or a unit (by path or
//! id) under a number nobody else has, and removed with their faxes' files. Bad input is
//! refused naming its field (400), a taken number with who has it (409); nothing is
//! written then. Every change is audited and reaches the box's users as `fax.changed`.

use super::{remove_files, tell, tell_changed};
use crate::admin::audit_admin;
use crate::admin::fields::{invalid, optional_email, resolve_unit, UnitRef};
use crate::auth::session::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use store::{FaxBox, FaxOwner, FaxStatus};
use utoipa::ToSchema;

/// A box as the administration shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminBox {
    /// Its id.
    pub id: i64,
    /// Its number.
    pub number: String,
    /// The person's or the unit's name.
    pub name: String,
    /// `person` or `unit`.
    pub kind: String,
    /// The person's login, for a person's box (while they are in the directory).
    pub login: Option<String>,
    /// The unit's path, for a unit's box.
    pub unit: Option<String>,
    /// Where received faxes are mailed, if anywhere.
    pub email: Option<String>,
}

/// Every fax box.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminBoxes {
    /// People's boxes first, then units', each by name.
    pub boxes: Vec<AdminBox>,
}

async fn admin_view(state: &AppState, b: FaxBox) -> Result<AdminBox, ApiError> {
    let login = match b.staff_id {
        Some(id) => state.store.panel_person_by_id(id).await?.map(|p| p.login),
        None => None,
    };
    let unit = match b.unit_id {
        Some(id) => state.store.unit_path_by_id(id).await?,
        None => None,
    };
    Ok(AdminBox {
        id: b.id,
        kind: if b.staff_id.is_some() {
            "person"
        } else {
            "unit"
        }
        .into(),
        number: b.number,
        name: b.name,
        login,
        unit,
        email: b.email,
    })
}

/// Every fax box.
#[utoipa::path(get, path = "/api/v1/admin/fax/boxes", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    responses((status = 200, body = AdminBoxes)))]
pub async fn boxes(State(state): State<AppState>, _: Admin) -> Result<Json<AdminBoxes>, ApiError> {
    let mut boxes = Vec::new();
    for b in state.store.fax_boxes().await? {
        boxes.push(admin_view(&state, b).await?);
    }
    Ok(Json(AdminBoxes { boxes }))
}

/// A new box: its number and whose it is (a person or a unit).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBox {
    /// An extension (2–15 digits) or an E.164 number (`+49…`); spaces, `/`, `-` and
    /// brackets are ignored.
    pub number: String,
    /// The person's login, for a person's box.
    #[serde(default)]
    pub login: Option<String>,
    /// The unit, for a unit's box.
    #[serde(default)]
    pub unit: Option<UnitRef>,
    /// A unit box's e-mail address for received faxes (a person's box mails the
    /// person's own address).
    #[serde(default)]
    pub email: Option<String>,
}

/// Make a fax box for a person or a unit.
#[utoipa::path(post, path = "/api/v1/admin/fax/boxes", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    request_body = NewBox,
    responses((status = 201, body = AdminBox),
        (status = 400, description = "A bad number, no or both owners, an unknown person or unit, a bad address", body = ErrorBody),
        (status = 409, description = "The number is someone's extension, a hotline's or another box's", body = ErrorBody),
        (status = 422, description = "Not the documented JSON")))]
pub async fn create(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(body): Json<NewBox>,
) -> Result<(StatusCode, Json<AdminBox>), ApiError> {
    let number = directory::fax_number::fax_box_number(&body.number).ok_or_else(|| {
        invalid(
            "number",
            "not_a_fax_number",
            "Die Faxnummer ist eine Durchwahl (2 bis 15 Ziffern) oder eine Rufnummer mit \
             + und Ländervorwahl, z. B. +49 89 123456."
                .into(),
        )
    })?;
    let email = optional_email(body.email.as_deref())?;
    let login = body
        .login
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty());
    let (owner, target) = match (login, &body.unit) {
        (Some(login), None) => {
            if email.is_some() {
                return Err(invalid(
                    "email",
                    "person_has_own",
                    "Faxe an eine Person gehen an ihre eigene E-Mail-Adresse aus dem \
                     Verzeichnis; eine andere gibt es nur für Organisationseinheiten."
                        .into(),
                ));
            }
            let person = state.store.panel_person(login).await?.ok_or_else(|| {
                invalid(
                    "login",
                    "unknown_login",
                    format!("Im Verzeichnis gibt es niemanden mit dem Benutzernamen „{login}“."),
                )
            })?;
            (FaxOwner::Person(person.id), person.login)
        }
        (None, Some(unit)) => {
            let (id, path) = resolve_unit(&state, unit).await?;
            (FaxOwner::Unit(id), path)
        }
        _ => {
            return Err(invalid(
                "owner",
                "one_owner",
                "Ein Faxeingang gehört entweder einer Person (Benutzername) oder einer \
                 Organisationseinheit."
                    .into(),
            ))
        }
    };
    let made = state
        .store
        .create_fax_box(&number, owner, email.as_deref(), state.live.now_ms())
        .await?;
    audit_admin(
        &state,
        &admin,
        "admin.fax.box_created",
        Some(&target),
        format!("fax box {} number {number}", made.id),
    )
    .await?;
    tell_changed(&state.store, &state.live, made.id).await?;
    Ok((StatusCode::CREATED, Json(admin_view(&state, made).await?)))
}

/// The removed box.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemovedBox {
    /// Its id.
    pub id: i64,
    /// How many faxes went with it.
    pub faxes: usize,
}

/// Remove a fax box with its faxes and their files. While a fax of it is being received
/// or sent, refused (409).
#[utoipa::path(delete, path = "/api/v1/admin/fax/boxes/{id}", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("id" = i64, Path)),
    responses((status = 200, body = RemovedBox),
        (status = 404, description = "No such box", body = ErrorBody),
        (status = 409, description = "A fax of it is being received or sent", body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(id): Path<i64>,
) -> Result<Json<RemovedBox>, ApiError> {
    let b = state
        .store
        .fax_box(id)
        .await?
        .ok_or_else(|| ApiError::NotFound("Diesen Faxeingang gibt es nicht.".into()))?;
    let faxes = state.store.faxes_of_box(b.id, i64::MAX).await?;
    if faxes
        .iter()
        .any(|f| matches!(f.status, FaxStatus::Receiving | FaxStatus::Sending))
    {
        return Err(ApiError::Conflict(
            "Über diesen Faxeingang wird gerade ein Fax übertragen. Bitte danach entfernen.".into(),
        ));
    }
    let viewers = state.store.fax_box_viewers(b.id).await?;
    audit_admin(
        &state,
        &admin,
        "admin.fax.box_deleted",
        Some(&b.number),
        format!("fax box {} of {} with {} faxes", b.id, b.name, faxes.len()),
    )
    .await?;
    state.store.delete_fax_box(b.id).await?;
    let data_dir = &state.live.settings().data_dir;
    for fax in &faxes {
        remove_files(data_dir, fax).await;
    }
    tell(&state.live, b.id, &viewers);
    Ok(Json(RemovedBox {
        id: b.id,
        faxes: faxes.len(),
    }))
}
