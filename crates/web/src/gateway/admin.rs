//! The administrators' part: publish an application, change its rule, remove it, and see
//! every application with its upstream's health and its users now. Bad input is a 422
//! naming every bad field, a taken name a 409; nothing is stored then. Every change is
//! audited and served from the next request on.

use super::health::Health;
use super::registry::{self, draft_of, row_of};
use crate::admin::audit_admin;
use crate::auth::session::Admin;
use crate::error::{body, ApiError, ErrorBody, FieldIssue};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use gateway::app::{App, AppDraft, HoursDraft, Kind, KindDraft};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The hours an application may be used in.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoursBody {
    /// ISO weekdays, Monday = 1.
    pub days: Vec<u8>,
    /// `HH:MM`, local time.
    pub from: String,
    /// `HH:MM`, after `from`.
    pub to: String,
}

/// An application as published (docs/gateway.md names every field).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppBody {
    /// `[a-z0-9][a-z0-9-]{0,39}`; ignored when replacing.
    pub name: String,
    /// The tile's title.
    pub title: String,
    /// The tile's description.
    #[serde(default)]
    pub description: String,
    /// `proxy` or `link`.
    pub kind: String,
    /// For `proxy`: the upstream URL.
    #[serde(default)]
    pub upstream: Option<String>,
    /// For `proxy` over HTTPS: extra CAs (PEM).
    #[serde(default)]
    pub ca_pem: Option<String>,
    /// For `link`: the address the tile opens.
    #[serde(default)]
    pub link: Option<String>,
    /// Unit paths (with their sub-units); empty: every unit.
    #[serde(default)]
    pub units: Vec<String>,
    /// Roles, one of which is needed; empty: any.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Features, all of which are needed.
    #[serde(default)]
    pub features: Vec<String>,
    /// Only with a second factor.
    #[serde(default)]
    pub second_factor: bool,
    /// Only from the office networks.
    #[serde(default)]
    pub office_only: bool,
    /// Only in these hours.
    #[serde(default)]
    pub hours: Option<HoursBody>,
    /// The most people at once.
    #[serde(default)]
    pub max_users: Option<u32>,
    /// The upstream's timeout in seconds (default 30).
    #[serde(default)]
    pub timeout_secs: Option<u32>,
    /// The health check's path (default `/`).
    #[serde(default)]
    pub health_path: Option<String>,
    /// A host name of its own (served at its root instead of `/apps/NAME/`); needs
    /// `[gateway] portal_url`.
    #[serde(default)]
    pub host: Option<String>,
}

/// A published application with its health and its users now.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublishedApp {
    /// The application as published.
    #[serde(flatten)]
    pub app: AppBody,
    /// The last health check (none before the first, and for links).
    pub health: Option<Health>,
    /// People using it now.
    pub users: usize,
}

impl AppBody {
    fn draft(self) -> Result<AppDraft, ApiError> {
        let kind = match self.kind.as_str() {
            "proxy" => KindDraft::Proxy {
                upstream: self.upstream.unwrap_or_default(),
                ca_pem: self.ca_pem,
            },
            "link" => KindDraft::Link {
                link: self.link.unwrap_or_default(),
            },
            _ => {
                return Err(crate::error::unprocessable(
                    "kind",
                    "unknown",
                    "Die Art ist „proxy“ (weitergeleitet) oder „link“ (Verknüpfung).",
                ))
            }
        };
        Ok(AppDraft {
            name: self.name,
            title: self.title,
            description: self.description,
            kind,
            units: self.units,
            roles: self.roles,
            features: self.features,
            second_factor: self.second_factor,
            office_only: self.office_only,
            hours: self.hours.map(|h| HoursDraft {
                days: h.days,
                from: h.from,
                to: h.to,
            }),
            max_users: self.max_users,
            timeout_secs: self.timeout_secs,
            health_path: self.health_path,
            host: self.host,
        })
    }

    fn of(draft: AppDraft) -> AppBody {
        let (kind, upstream, ca_pem, link) = match draft.kind {
            KindDraft::Proxy { upstream, ca_pem } => ("proxy", Some(upstream), ca_pem, None),
            KindDraft::Link { link } => ("link", None, None, Some(link)),
        };
        AppBody {
            name: draft.name,
            title: draft.title,
            description: draft.description,
            kind: kind.into(),
            upstream,
            ca_pem,
            link,
            units: draft.units,
            roles: draft.roles,
            features: draft.features,
            second_factor: draft.second_factor,
            office_only: draft.office_only,
            hours: draft.hours.map(|h| HoursBody {
                days: h.days,
                from: h.from,
                to: h.to,
            }),
            max_users: draft.max_users,
            timeout_secs: draft.timeout_secs,
            health_path: draft.health_path,
            host: draft.host,
        }
    }
}

/// The validated application of a request's body, or a 422 naming every bad field.
fn validated(state: &AppState, raw: serde_json::Value) -> Result<App, ApiError> {
    let draft = body::<AppBody>(raw)?.draft()?;
    let app = draft.validate().map_err(|errors| ApiError::Unprocessable {
        message: errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        fields: errors
            .into_iter()
            .map(|e| FieldIssue {
                field: e.field.into(),
                problem: e.problem,
                message: e.message,
            })
            .collect(),
    })?;
    if let Some(host) = &app.host {
        let portal_host = state
            .gateway
            .portal
            .as_deref()
            .and_then(|p| p.split_once("://"))
            .map(|(_, rest)| {
                rest.split(['/', ':'])
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase()
            });
        let problem = match portal_host {
            None => Some("Für einen eigenen Host-Namen muss [gateway] portal_url (die Adresse von Durchwahl) eingerichtet sein."),
            Some(p) if &p == host => Some("Der eigene Host-Name ist der von Durchwahl selbst."),
            Some(_) => None,
        };
        if let Some(message) = problem {
            return Err(crate::error::unprocessable("host", "bad_host", message));
        }
    }
    if let Kind::Proxy { ca_pem, .. } = &app.kind {
        registry::client(ca_pem.as_deref(), app.timeout_secs).map_err(|why| {
            crate::error::unprocessable(
                "ca_pem",
                "bad_pem",
                &format!("Die Zertifizierungsstellen können nicht gelesen werden ({why})."),
            )
        })?;
    }
    Ok(app)
}

fn view(state: &AppState, row: &store::GatewayAppRow) -> PublishedApp {
    PublishedApp {
        app: AppBody::of(draft_of(&row.app)),
        health: state.gateway.health.get(&row.app.name),
        users: state.gateway.users(&row.app.name, state.live.now_ms()),
    }
}

async fn reload(state: &AppState) -> Result<(), ApiError> {
    state.gateway.reload(&state.store).await?;
    Ok(())
}

/// Every published application.
#[utoipa::path(get, path = "/api/v1/admin/gateway/apps", tag = "gateway",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    responses((status = 200, body = [PublishedApp])))]
pub async fn list(
    State(state): State<AppState>,
    Admin(_admin): Admin,
) -> Result<Json<Vec<PublishedApp>>, ApiError> {
    let rows = state.store.gateway_apps().await?;
    Ok(Json(rows.iter().map(|r| view(&state, r)).collect()))
}

/// Publish an application.
#[utoipa::path(post, path = "/api/v1/admin/gateway/apps", tag = "gateway",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    request_body = AppBody,
    responses((status = 201, body = PublishedApp),
        (status = 409, description = "The name is taken; nothing stored", body = ErrorBody),
        (status = 422, description = "Bad fields, each named; nothing stored", body = ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(raw): Json<serde_json::Value>,
) -> Result<(StatusCode, Json<PublishedApp>), ApiError> {
    let app = validated(&state, raw)?;
    let row = match state
        .store
        .create_gateway_app(&row_of(&app), state.live.now_ms())
        .await
    {
        Ok(row) => row,
        Err(store::StoreError::Conflict(_)) => {
            return Err(ApiError::Conflict(format!(
                "Eine Anwendung „{}“ gibt es schon; es wurde nichts gespeichert.",
                app.name.as_str()
            )))
        }
        Err(other) => return Err(other.into()),
    };
    reload(&state).await?;
    audit_admin(
        &state,
        &admin,
        "admin.gateway.app.created",
        Some(&row.app.name),
        summary(&app),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(view(&state, &row))))
}

/// Replace an application's description and rule (its name stays).
#[utoipa::path(put, path = "/api/v1/admin/gateway/apps/{name}", tag = "gateway",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("name" = String, Path, description = "The application's name")),
    request_body = AppBody,
    responses((status = 200, body = PublishedApp),
        (status = 404, description = "No such application", body = ErrorBody),
        (status = 422, description = "Bad fields, each named; nothing changed", body = ErrorBody)))]
pub async fn replace(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(name): Path<String>,
    Json(mut raw): Json<serde_json::Value>,
) -> Result<Json<PublishedApp>, ApiError> {
    if let Some(object) = raw.as_object_mut() {
        object.insert("name".into(), serde_json::Value::String(name.clone()));
    }
    let app = validated(&state, raw)?;
    let row = state
        .store
        .replace_gateway_app(&name, &row_of(&app), state.live.now_ms())
        .await?
        .ok_or_else(|| ApiError::NotFound("Diese Anwendung gibt es nicht.".into()))?;
    reload(&state).await?;
    audit_admin(
        &state,
        &admin,
        "admin.gateway.app.changed",
        Some(&name),
        summary(&app),
    )
    .await?;
    Ok(Json(view(&state, &row)))
}

/// Remove an application: its requests are refused from now on.
#[utoipa::path(delete, path = "/api/v1/admin/gateway/apps/{name}", tag = "gateway",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("name" = String, Path, description = "The application's name")),
    responses((status = 204, description = "Removed"),
        (status = 404, description = "No such application", body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    if !state.store.remove_gateway_app(&name).await? {
        return Err(ApiError::NotFound("Diese Anwendung gibt es nicht.".into()));
    }
    reload(&state).await?;
    audit_admin(
        &state,
        &admin,
        "admin.gateway.app.removed",
        Some(&name),
        String::new(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The audit log's detail of a change: the kind and the rule, no CA or upstream secrets
/// (an upstream URL holds none: user info is refused).
fn summary(app: &App) -> String {
    let rule = &app.rule;
    let kind = match &app.kind {
        Kind::Proxy { upstream, .. } => format!("proxy {}{}", upstream.origin(), upstream.base),
        Kind::Link { .. } => "link".into(),
    };
    format!(
        "{kind}; units: {}; roles: {}; features: {}; second factor: {}; office only: {}; hours: {}; max users: {}",
        rule.units.iter().map(|u| u.to_string()).collect::<Vec<_>>().join(", "),
        rule.roles.join(","),
        rule.features.join(","),
        rule.second_factor,
        rule.office_only,
        rule.hours.as_ref().map_or("-".into(), |h| format!("{:?} {}-{}", h.days, gateway::rule::Hours::clock(h.from), gateway::rule::Hours::clock(h.to))),
        app.max_users.map_or("-".into(), |m| m.to_string()),
    )
}
