//! SIP devices over REST: a person adds their own softphone (credentials shown once);
//! admins manage anyone's devices. Every change is audited.

use crate::auth::session::{Admin, SignedIn};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use directory::device::DeviceLabel;
use directory::Feature;
use live::provisioning::{provision, DeviceRequest, Provisioned};
use serde::Deserialize;
use serde_json::{json, Value};
use store::DeviceRow;

/// `{label}`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPhone {
    label: String,
}

fn listed(devices: &[DeviceRow]) -> Value {
    let list: Vec<Value> = devices
        .iter()
        .map(|d| {
            json!({"label": d.label, "sip_username": d.sip_username, "extension": d.extension,
                   "domain": d.realm, "created_at": d.created_at})
        })
        .collect();
    Value::Array(list)
}

fn shown_once(p: &Provisioned) -> Value {
    json!({"label": p.label, "sip_username": p.sip_username, "sip_password": p.sip_password,
           "extension": p.extension, "domain": p.domain})
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

/// `GET /api/v1/me/phones`
pub async fn mine(State(state): State<AppState>, who: SignedIn) -> Result<Json<Value>, ApiError> {
    let devices = state.store.devices_of(who.account.login.as_str()).await?;
    Ok(Json(json!({
        "phones": listed(&devices),
        "softphone": who.account.features.contains(Feature::Softphone),
        "domain": state.sip_domain,
    })))
}

/// `POST /api/v1/me/phones`: only with the softphone feature (others could not register).
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

/// `DELETE /api/v1/me/phones/{sip_username}`: one's own devices only.
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

/// `GET /api/v1/admin/staff/{login}/phones`
pub async fn of_person(
    State(state): State<AppState>,
    _admin: Admin,
    Path(login): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let devices = state.store.devices_of(&login).await?;
    Ok(Json(json!({ "phones": listed(&devices) })))
}

/// `POST /api/v1/admin/staff/{login}/phones`
pub async fn add_for_person(
    State(state): State<AppState>,
    admin: Admin,
    Path(login): Path<String>,
    Json(body): Json<NewPhone>,
) -> Result<Response, ApiError> {
    create(&state, admin.0.account.login.as_str(), &login, &body.label).await
}

/// `DELETE /api/v1/admin/phones/{sip_username}`
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
