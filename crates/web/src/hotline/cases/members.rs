//! A hotline's people, for choosing a case's assignee: its agents and supervisors.

use super::access::CaseWorker;
use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::http::client_addr::ClientAddr;
use crate::AppState;
use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// One of the hotline's people.
#[derive(Serialize, ToSchema)]
pub struct Member {
    login: String,
    name: String,
    /// An agent in one of its queues.
    agent: bool,
    /// One of its supervisors.
    supervisor: bool,
}

/// The hotline's people, by name.
#[derive(Serialize, ToSchema)]
pub struct Members {
    members: Vec<Member>,
}

/// The hotline's agents and supervisors (whom a case can be assigned to).
#[utoipa::path(get, path = "/api/v1/hotlines/{hotline}/members", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("hotline" = i64, Path, description = "The hotline's id")),
    responses((status = 200, body = Members),
        (status = 403, description = "Neither agent nor supervisor of this hotline nor administrator", body = ErrorBody),
        (status = 404, description = "No such hotline (administrators)", body = ErrorBody)))]
pub async fn members(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    who: SignedIn,
    Path(hotline): Path<i64>,
) -> Result<Json<Members>, ApiError> {
    let worker = CaseWorker::check(&state, who, hotline, client.to_string()).await?;
    let members = state.store.hotline_members(worker.hotline).await?;
    Ok(Json(Members {
        members: members
            .into_iter()
            .map(|m| Member {
                login: m.person.login,
                name: m.person.name,
                agent: m.agent,
                supervisor: m.supervisor,
            })
            .collect(),
    }))
}
