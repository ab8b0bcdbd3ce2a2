//! Session cookies and the extractors that guard every endpoint: [`SignedIn`] needs a live
//! session (and, for writes, the session's CSRF token in `X-CSRF-Token`); [`Admin`] is only
//! built after the role check, so a handler that takes one cannot forget it.

use crate::error::ApiError;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method};
use directory::Role;
use store::{Account, SessionRow};

/// The session cookie.
pub const SESSION_COOKIE: &str = "dw_session";
/// The cookie of a sign-in waiting for its second factor.
pub const PENDING_COOKIE: &str = "dw_pending";

/// The value of a cookie in the request.
pub fn cookie<'a>(parts: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    parts
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, Secure over TLS. `max_age` 0 deletes.
pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// A signed-in person with a live session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The session.
    pub session: SessionRow,
    /// The person.
    pub account: Account,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (session, account) = live_session(&parts.headers, state).await?;
        if !matches!(parts.method, Method::GET | Method::HEAD) {
            let sent = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok());
            if sent != Some(session.csrf_token.as_str()) {
                return Err(ApiError::Csrf);
            }
        }
        Ok(SignedIn { session, account })
    }
}

/// The live session of the request's session cookie and its person, without the CSRF
/// check (the access gateway forwards other applications' writes, which carry no token of
/// ours; the session cookie is SameSite=Strict).
pub(crate) async fn live_session(
    headers: &axum::http::HeaderMap,
    state: &AppState,
) -> Result<(SessionRow, Account), ApiError> {
    let token = cookie(headers, SESSION_COOKIE).ok_or(ApiError::Unauthorized)?;
    live_session_by_hash(&auth::session_token::token_hash(token), state).await
}

/// The live session whose token has the hash `hash`, and its person.
pub(crate) async fn live_session_by_hash(
    hash: &str,
    state: &AppState,
) -> Result<(SessionRow, Account), ApiError> {
    let now = state.now();
    let idle = state.auth.idle_secs;
    // A session read within the last minute costs no query (the store marks a session
    // as used at most once a minute anyway); one ended in this process is forgotten
    // at once, one ended by another process within that minute.
    let cache = state.live.sessions();
    let found = match cache.get(hash, now, idle) {
        Some(known) => known,
        None => {
            let session = state
                .store
                .session_by_token(hash, now, idle)
                .await?
                .ok_or(ApiError::Unauthorized)?;
            let account = state
                .store
                .account_by_id(session.staff_id)
                .await?
                .ok_or(ApiError::Unauthorized)?;
            cache.put(hash, session.clone(), account.clone(), now);
            (session, account)
        }
    };
    Ok(found)
}

/// A signed-in administrator. Only made by the role check below.
#[derive(Debug, Clone)]
pub struct Admin(pub SignedIn);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let who = SignedIn::from_request_parts(parts, state).await?;
        if who.account.roles.contains(Role::Admin) {
            Ok(Admin(who))
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

/// A signed-in member of the staff council, or an administrator: may read the aggregate
/// reports on mobile work. Only made by the role check below.
#[derive(Debug, Clone)]
pub struct CouncilReader(pub SignedIn);

impl FromRequestParts<AppState> for CouncilReader {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let who = SignedIn::from_request_parts(parts, state).await?;
        if who.account.roles.contains(Role::Admin) || who.account.roles.contains(Role::Council) {
            Ok(CouncilReader(who))
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

/// Ends one of a person's sessions everywhere: in the store and on every WebSocket opened
/// with it (closed with 4401). `false` if it is not theirs or does not exist.
pub async fn end_session(state: &AppState, person: i64, session: i64) -> Result<bool, ApiError> {
    let ended = state.store.end_session(person, session).await?;
    state.live.end_session(session);
    Ok(ended)
}

/// Ends all of a person's sessions except `keep`, in the store and on their WebSockets
/// (password changed, factors reset, signed out everywhere); returns how many ended.
pub async fn end_sessions(
    state: &AppState,
    person: i64,
    keep: Option<i64>,
) -> Result<u64, ApiError> {
    let ended = state.store.end_sessions_of(person, keep).await?;
    state.live.end_person(person, keep);
    Ok(ended)
}

/// Checks every `every` that the sessions of the open WebSockets still live, and closes
/// (4401) the sockets of sessions that ended meanwhile by any road: signed out or ended
/// elsewhere, a password set with the CLI in another process, the idle timeout or the
/// absolute lifetime. A socket on which the person did something counts as use of its
/// session, like a request. Runs until the task is aborted.
pub async fn watch_sockets(state: AppState, every: std::time::Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let (open, used) = state.live.open_sessions();
        if open.is_empty() {
            continue;
        }
        let now = state.now();
        match state
            .store
            .live_sessions(&open, &used, now, state.auth.idle_secs)
            .await
        {
            Ok(mut live) => {
                live.sort_unstable();
                let closed = state.live.close_ended(&open, &live);
                if closed > 0 {
                    tracing::info!(closed, "closed WebSockets of ended sessions");
                }
            }
            // Keep the sockets: a database hiccup must not sign everyone out.
            Err(error) => tracing::warn!(%error, "could not check the sessions of WebSockets"),
        }
    }
}
