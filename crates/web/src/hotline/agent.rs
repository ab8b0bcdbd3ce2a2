//! An agent's own hotline state: log in and out of queues, pause with a reason, end the
//! wrap-up early. The switchboard (in the call service) decides; this passes it on.

use crate::auth::session::SignedIn;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::State;
use axum::Json;
use live::calls::DeskError;
use live::hotlines::{AgentCommand, AgentView, AnswerOn};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One of the agent's queues.
#[derive(Serialize, ToSchema)]
pub struct AgentQueueBody {
    queue: i64,
    name: String,
    hotline: i64,
    hotline_name: String,
    /// 1: offered first.
    level: i64,
    logged_in: bool,
    /// Callers waiting there now.
    waiting: u32,
}

/// The agent's state.
#[derive(Serialize, ToSchema)]
pub struct AgentBody {
    /// `logged_out`, `ready`, `ringing`, `on_call`, `wrap_up`, `paused`.
    state: &'static str,
    /// The pause's reason.
    reason: Option<String>,
    /// When the wrap-up ends by itself (ISO 8601, UTC).
    wrap_up_until: Option<String>,
    /// Calls answered since the server started.
    calls_today: u32,
    /// The queues the person is an agent of (empty: none).
    queues: Vec<AgentQueueBody>,
    /// Where the calls ring: `auto` (the browser when open, else the desk phones),
    /// `browser`, `phone` or `mobile` (the directory's mobile number, through the trunk).
    answer_on: &'static str,
}

impl From<AgentView> for AgentBody {
    fn from(v: AgentView) -> Self {
        AgentBody {
            answer_on: v.answer_on.as_str(),
            state: v.state,
            reason: v.reason,
            wrap_up_until: v.wrap_up_until_ms.map(crate::time_format::iso_utc_ms),
            calls_today: v.calls_today,
            queues: v
                .queues
                .into_iter()
                .map(|q| AgentQueueBody {
                    queue: q.queue,
                    name: q.name,
                    hotline: q.hotline,
                    hotline_name: q.hotline_name,
                    level: q.level,
                    logged_in: q.logged_in,
                    waiting: q.waiting,
                })
                .collect(),
        }
    }
}

/// What the agent does.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentAction {
    /// `log_in`, `log_out`, `pause`, `resume`, `end_wrap_up`, `answer_on`.
    action: String,
    /// For `answer_on`: `auto`, `browser`, `phone` or `mobile`.
    #[serde(default)]
    answer_on: Option<String>,
    /// For `log_in`/`log_out`: one queue (absent: all of one's queues).
    #[serde(default)]
    queue: Option<i64>,
    /// For `pause`: why (1–60 characters, e.g. "Pause", "Schulung").
    #[serde(default)]
    reason: Option<String>,
}

pub(super) fn desk_error(e: DeskError) -> ApiError {
    match e.code {
        "forbidden" => ApiError::Refused(e.message),
        "bad_request" => ApiError::BadRequest(e.message),
        "not_found" => ApiError::NotFound(e.message),
        _ => ApiError::Unavailable(e.message),
    }
}

async fn ask(
    state: &AppState,
    who: &SignedIn,
    command: AgentCommand,
) -> Result<AgentBody, ApiError> {
    let desk = state.live.hotline_desk().ok_or_else(|| {
        ApiError::Unavailable("Die Hotline ist auf diesem Server nicht eingerichtet.".into())
    })?;
    let view = desk
        .agent(who.account.id, command)
        .await
        .map_err(desk_error)?;
    Ok(view.into())
}

/// The own agent state and queues.
#[utoipa::path(get, path = "/api/v1/hotline/agent", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = AgentBody),
        (status = 503, description = "No call service on this server", body = ErrorBody)))]
pub async fn status(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Json<AgentBody>, ApiError> {
    Ok(Json(ask(&state, &who, AgentCommand::Status).await?))
}

/// Log in or out, pause or resume, end the wrap-up, choose where the calls ring.
#[utoipa::path(post, path = "/api/v1/hotline/agent", tag = "hotline",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = AgentAction,
    responses((status = 200, body = AgentBody),
        (status = 400, description = "Unknown action, a pause without a reason, a pause while a call rings or is on, or the mobile without one in the directory or a trunk; nothing changed", body = ErrorBody),
        (status = 403, description = "Not an agent of that queue (or of any)", body = ErrorBody),
        (status = 422, description = "Not the documented JSON")))]
pub async fn act(
    State(state): State<AppState>,
    who: SignedIn,
    Json(body): Json<AgentAction>,
) -> Result<Json<AgentBody>, ApiError> {
    let command = match body.action.as_str() {
        "log_in" => AgentCommand::LogIn(body.queue),
        "log_out" => AgentCommand::LogOut(body.queue),
        "pause" => AgentCommand::Pause(body.reason.unwrap_or_default()),
        "resume" => AgentCommand::Resume,
        "end_wrap_up" => AgentCommand::EndWrapUp,
        "answer_on" => {
            let on = body.answer_on.as_deref().and_then(AnswerOn::parse);
            AgentCommand::AnswerOn(on.ok_or_else(|| {
                ApiError::BadRequest("„answer_on“ ist auto, browser, phone oder mobile.".into())
            })?)
        }
        other => {
            return Err(ApiError::BadRequest(format!(
                "Unbekannte Aktion „{other}“: log_in, log_out, pause, resume, end_wrap_up oder \
                 answer_on."
            )))
        }
    };
    // Logins, pauses and wrap-ups are events of the queue event log.
    Ok(Json(ask(&state, &who, command).await?))
}
