//! Team-panel groups, defined by administrators: listed, made, members added and removed;
//! every change audited. Everyone sees the groups they belong to on their team panel.

use crate::auth::session::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use directory::{GroupKind, GroupName, Login};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A team-panel group.
#[derive(Serialize, ToSchema)]
pub struct Group {
    id: i64,
    name: String,
    /// The unit it belongs to, if any.
    unit: Option<String>,
    /// Logins.
    members: Vec<String>,
}

/// The team-panel groups.
#[derive(Serialize, ToSchema)]
pub struct Groups {
    groups: Vec<Group>,
}

/// The team-panel groups.
#[utoipa::path(get, path = "/api/v1/admin/groups", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    responses((status = 200, body = Groups)))]
pub async fn groups(
    State(state): State<AppState>,
    _admin: Admin,
) -> Result<Json<Groups>, ApiError> {
    let groups = state
        .store
        .groups(GroupKind::TeamPanel)
        .await?
        .into_iter()
        .map(|g| Group {
            id: g.id,
            name: g.name,
            unit: g.unit,
            members: g.members,
        })
        .collect();
    Ok(Json(Groups { groups }))
}

/// `{name, members}`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    name: String,
    #[serde(default)]
    members: Vec<String>,
}

/// A new group, made.
#[derive(Serialize, ToSchema)]
pub struct GroupMade {
    id: i64,
    name: String,
}

/// Define a team-panel group.
#[utoipa::path(post, path = "/api/v1/admin/groups", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    request_body = NewGroup,
    responses((status = 201, body = GroupMade),
        (status = 400, description = "Bad name (empty, too long, hidden characters)", body = ErrorBody),
        (status = 404, description = "A member is not in the directory", body = ErrorBody),
        (status = 409, description = "A group of that name exists", body = ErrorBody)))]
pub async fn create_group(
    State(state): State<AppState>,
    admin: Admin,
    Json(body): Json<NewGroup>,
) -> Result<Response, ApiError> {
    let name = GroupName::parse(&body.name)?;
    let members = body
        .members
        .iter()
        .map(|l| Login::parse(l))
        .collect::<Result<Vec<_>, _>>()?;
    let id = state
        .store
        .create_group(GroupKind::TeamPanel, &name, None, &members)
        .await?;
    crate::admin::audit_trail::record(
        &state,
        Some(admin.0.account.login.as_str()),
        "group.created",
        Some(name.as_str()),
        "",
        format!("{} members", members.len()),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(GroupMade {
            id,
            name: name.as_str().to_owned(),
        }),
    )
        .into_response())
}

/// Add a person to a group.
#[utoipa::path(put, path = "/api/v1/admin/groups/{id}/members/{login}", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("id" = i64, Path), ("login" = String, Path)),
    responses((status = 204, description = "Added"), (status = 404, description = "No such group or person", body = ErrorBody)))]
pub async fn add_group_member(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, login)): Path<(i64, String)>,
) -> Result<StatusCode, ApiError> {
    let login = Login::parse(&login)?;
    let added = state.store.add_group_member(id, &login).await?;
    member_changed(&state, &admin, (id, &login), added, "group.member_added").await
}

/// Remove a person from a group.
#[utoipa::path(delete, path = "/api/v1/admin/groups/{id}/members/{login}", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("id" = i64, Path), ("login" = String, Path)),
    responses((status = 204, description = "Removed"), (status = 404, description = "Not in the group", body = ErrorBody)))]
pub async fn remove_group_member(
    State(state): State<AppState>,
    admin: Admin,
    Path((id, login)): Path<(i64, String)>,
) -> Result<StatusCode, ApiError> {
    let login = Login::parse(&login)?;
    let removed = state.store.remove_group_member(id, &login).await?;
    member_changed(
        &state,
        &admin,
        (id, &login),
        removed,
        "group.member_removed",
    )
    .await
}

/// Audits a membership change that happened, or says what was not there.
async fn member_changed(
    state: &AppState,
    admin: &Admin,
    (group, login): (i64, &Login),
    changed: bool,
    action: &str,
) -> Result<StatusCode, ApiError> {
    if !changed {
        let why = if action == "group.member_added" {
            "Diese Gruppe oder Person gibt es nicht."
        } else {
            "Diese Person ist nicht in der Gruppe."
        };
        return Err(ApiError::NotFound(why.into()));
    }
    crate::admin::audit_trail::record(
        state,
        Some(admin.0.account.login.as_str()),
        action,
        Some(login.as_str()),
        "",
        format!("group {group}"),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
