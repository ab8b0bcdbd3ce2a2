//! SIP devices over REST: a person adds their own softphone (credentials shown once);
//! admins manage anyone's devices. Every change is audited.

use crate::auth::session::{Admin, SignedIn};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use directory::device::DeviceLabel;
use directory::Feature;
use live::provisioning::{provision, DeviceRequest, Provisioned};
use serde::{Deserialize, Serialize};
use store::DeviceRow;
use utoipa::ToSchema;

/// `{label}`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPhone {
    /// 1 to 60 characters, no control or hidden characters (bidi overrides, zero-width).
    label: String,
}

/// A SIP device.
#[derive(Serialize, ToSchema)]
pub struct Phone {
    label: String,
    /// `EXTENSION-N`, the device's SIP user name.
    sip_username: String,
    extension: String,
    /// The SIP domain it registers to (also the digest realm).
    domain: String,
    /// Unix seconds.
    created_at: i64,
}

/// A person's devices.
#[derive(Serialize, ToSchema)]
pub struct Phones {
    phones: Vec<Phone>,
    /// Whether the person may register devices (the `softphone` feature); own list only.
    #[serde(skip_serializing_if = "Option::is_none")]
    softphone: Option<bool>,
    /// The SIP domain; own list only.
    #[serde(skip_serializing_if = "Option::is_none")]
    domain: Option<String>,
}

/// A device just made, with its credentials: shown only this once, never stored.
#[derive(Serialize, ToSchema)]
pub struct NewCredentials {
    label: String,
    sip_username: String,
    sip_password: String,
    extension: String,
    domain: String,
}

fn listed(devices: &[DeviceRow]) -> Vec<Phone> {
    devices
        .iter()
        .map(|d| Phone {
            label: d.label.clone(),
            sip_username: d.sip_username.clone(),
            extension: d.extension.clone(),
            domain: d.realm.clone(),
            created_at: d.created_at,
        })
        .collect()
}

fn shown_once(p: &Provisioned) -> NewCredentials {
    NewCredentials {
        label: p.label.clone(),
        sip_username: p.sip_username.clone(),
        sip_password: p.sip_password.clone(),
        extension: p.extension.clone(),
        domain: p.domain.clone(),
    }
}

async fn create(
    state: &AppState,
    actor: &str,
    login: &str,
    label: &str,
) -> Result<Response, ApiError> {
    let request = DeviceRequest {
        login: login.to_string(),
        label: DeviceLabel::parse(label)?,
        password: None,
    };
    let made = provision(&state.store, &state.sip_domain, &[request], state.now()).await?;
    // The switch registers the new device from now on.
    state.live.bus().publish(live::Change::Devices);
    let device = &made[0];
    crate::admin::audit_trail::record(
        state,
        Some(actor),
        "phone.created",
        Some(login),
        "",
        format!("{} ({})", device.sip_username, device.label),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(shown_once(device))).into_response())
}

async fn delete_device(
    state: &AppState,
    actor: &str,
    device: DeviceRow,
) -> Result<StatusCode, ApiError> {
    state.store.remove_device(&device.sip_username).await?;
    // The switch drops the device's registrations now.
    state.live.bus().publish(live::Change::Devices);
    crate::admin::audit_trail::record(
        state,
        Some(actor),
        "phone.removed",
        Some(&device.login),
        "",
        format!("{} ({})", device.sip_username, device.label),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Own SIP devices.
#[utoipa::path(get, path = "/api/v1/me/phones", tag = "phones",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = Phones)))]
pub async fn mine(State(state): State<AppState>, who: SignedIn) -> Result<Json<Phones>, ApiError> {
    let devices = state.store.devices_of(who.account.login.as_str()).await?;
    Ok(Json(Phones {
        phones: listed(&devices),
        softphone: Some(who.account.features.contains(Feature::Softphone)),
        domain: Some(state.sip_domain.clone()),
    }))
}

/// Add an own softphone; only with the `softphone` feature (others could not register).
#[utoipa::path(post, path = "/api/v1/me/phones", tag = "phones",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = NewPhone,
    responses((status = 201, description = "The device with its credentials, shown only this once", body = NewCredentials),
        (status = 400, description = "Label empty, too long or with control characters; a hidden character answers field label, problem hidden_character", body = ErrorBody),
        (status = 403, description = "No softphone feature", body = ErrorBody),
        (status = 409, description = "A device with this label exists", body = ErrorBody)))]
pub async fn add_mine(
    State(state): State<AppState>,
    who: SignedIn,
    Json(body): Json<NewPhone>,
) -> Result<Response, ApiError> {
    if !who.account.features.contains(Feature::Softphone) {
        return Err(ApiError::Refused(
            "Für Ihr Konto ist die Funktion „softphone“ nicht eingeschaltet. Bitte wenden Sie \
             sich an die IT."
                .into(),
        ));
    }
    let login = who.account.login.as_str();
    create(&state, login, login, &body.label).await
}

/// Remove an own device; it can no longer register.
#[utoipa::path(delete, path = "/api/v1/me/phones/{sip_username}", tag = "phones",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("sip_username" = String, Path)),
    responses((status = 204, description = "Removed"),
        (status = 404, description = "Not one of the own devices", body = ErrorBody)))]
pub async fn remove_mine(
    State(state): State<AppState>,
    who: SignedIn,
    Path(sip_username): Path<String>,
) -> Result<StatusCode, ApiError> {
    let login = who.account.login.as_str();
    match state.store.device(&sip_username).await? {
        Some(device) if device.login == login => delete_device(&state, login, device).await,
        _ => Err(ApiError::NotFound(format!(
            "Sie haben kein Gerät {sip_username}."
        ))),
    }
}

/// A person's SIP devices.
#[utoipa::path(get, path = "/api/v1/admin/staff/{login}/phones", tag = "phones",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("login" = String, Path)),
    responses((status = 200, body = Phones)))]
pub async fn of_person(
    State(state): State<AppState>,
    _admin: Admin,
    Path(login): Path<String>,
) -> Result<Json<Phones>, ApiError> {
    let devices = state.store.devices_of(&login).await?;
    Ok(Json(Phones {
        phones: listed(&devices),
        softphone: None,
        domain: None,
    }))
}

/// Add a device for a person.
#[utoipa::path(post, path = "/api/v1/admin/staff/{login}/phones", tag = "phones",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("login" = String, Path)), request_body = NewPhone,
    responses((status = 201, description = "The device with its credentials, shown only this once", body = NewCredentials),
        (status = 400, description = "Bad label (as for one's own phones)", body = ErrorBody),
        (status = 404, description = "Unknown person", body = ErrorBody),
        (status = 409, description = "A device with this label exists", body = ErrorBody)))]
pub async fn add_for_person(
    State(state): State<AppState>,
    admin: Admin,
    Path(login): Path<String>,
    Json(body): Json<NewPhone>,
) -> Result<Response, ApiError> {
    create(&state, admin.0.account.login.as_str(), &login, &body.label).await
}

/// Remove a device.
#[utoipa::path(delete, path = "/api/v1/admin/phones/{sip_username}", tag = "phones",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("sip_username" = String, Path)),
    responses((status = 204, description = "Removed"), (status = 404, description = "No such device", body = ErrorBody)))]
pub async fn remove_any(
    State(state): State<AppState>,
    admin: Admin,
    Path(sip_username): Path<String>,
) -> Result<StatusCode, ApiError> {
    let Some(device) = state.store.device(&sip_username).await? else {
        return Err(ApiError::NotFound(format!(
            "Es gibt kein Gerät {sip_username}."
        )));
    };
    delete_device(&state, admin.0.account.login.as_str(), device).await
}
