//! The call history and the ICE servers over REST.

use crate::auth::session::SignedIn;
use crate::error::ApiError;
use crate::time_format::iso_utc_ms;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// The other side of a call.
#[derive(Serialize, ToSchema)]
pub struct Peer {
    name: Option<String>,
    number: String,
    login: Option<String>,
}

/// One call of the history.
#[derive(Serialize, ToSchema)]
pub struct HistoryEntry {
    id: i64,
    /// `in` or `out`.
    direction: String,
    peer: Peer,
    /// ISO 8601 UTC.
    started_at: String,
    /// Whether it was answered (an unanswered incoming call is a missed call).
    answered: bool,
    /// Talk time.
    duration_seconds: i64,
}

/// The history, newest first.
#[derive(Serialize, ToSchema)]
pub struct History {
    entries: Vec<HistoryEntry>,
}

/// Own call history (the newest 200 calls).
#[utoipa::path(get, path = "/api/v1/me/calls", tag = "calls",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = History)))]
pub async fn history(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Json<History>, ApiError> {
    let lines = state.store.call_lines(who.account.id, 200).await?;
    let entries = lines
        .into_iter()
        .map(|l| HistoryEntry {
            id: l.id,
            direction: l.direction,
            peer: Peer {
                name: l.peer_name,
                number: l.peer_number,
                login: l.peer_login,
            },
            started_at: iso_utc_ms(l.started_at),
            answered: l.answered_at.is_some(),
            duration_seconds: l.answered_at.map_or(0, |a| (l.ended_at - a).max(0) / 1000),
        })
        .collect();
    Ok(Json(History { entries }))
}

/// An ICE server for the browser's `RTCPeerConnection`.
#[derive(Serialize, ToSchema, Clone, Debug, PartialEq, Eq)]
pub struct IceServer {
    /// `turn:` / `turns:` / `stun:` URLs.
    pub urls: Vec<String>,
    /// The TURN user name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// The TURN password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// The ICE servers.
#[derive(Serialize, ToSchema)]
pub struct Ice {
    ice_servers: Vec<IceServer>,
}

/// The ICE servers (TURN for strict networks) a browser uses for calls; empty when the
/// browsers reach the server directly.
#[utoipa::path(get, path = "/api/v1/me/calls/ice", tag = "calls",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = Ice)))]
pub async fn ice(State(state): State<AppState>, _who: SignedIn) -> Json<Ice> {
    Json(Ice {
        ice_servers: state.ice_servers.as_ref().clone(),
    })
}

/// One SIP trunk's state.
#[derive(Serialize, ToSchema)]
pub struct Trunk {
    name: String,
    /// `register` or `ip`.
    mode: String,
    /// A trunk of the demo (pointing at nothing real).
    demo: bool,
    /// `registered`, `registering`, `failed` or `ip` (accepted by address).
    state: String,
    /// Why it failed.
    detail: Option<String>,
    /// Since when (ISO 8601 UTC).
    since: String,
}

/// The trunks.
#[derive(Serialize, ToSchema)]
pub struct Trunks {
    trunks: Vec<Trunk>,
}

/// The outside lines (SIP trunks) and how they are doing.
#[utoipa::path(get, path = "/api/v1/admin/trunks", tag = "calls",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    responses((status = 200, body = Trunks)))]
pub async fn trunks(State(state): State<AppState>, _: crate::auth::session::Admin) -> Json<Trunks> {
    let trunks = state
        .live
        .trunks()
        .list()
        .into_iter()
        .map(|t| Trunk {
            name: t.name,
            mode: t.mode.to_string(),
            demo: t.demo,
            state: t.state.to_string(),
            detail: t.detail,
            since: iso_utc_ms(t.since_ms),
        })
        .collect();
    Json(Trunks { trunks })
}
