//! `GET /api/v1/me`, own password, TOTP enrolment, recovery codes and own sessions.
//! Enrolment also works from a pending sign-in that requires a first factor; confirming
//! it then starts the session.

use crate::admin::audit_trail::record;
use crate::auth::attempts::confirm_password;
use crate::auth::session::{end_session, end_sessions};
use crate::auth::session::{set_cookie, SignedIn, SESSION_COOKIE};
use crate::auth::sign_in::pending;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, Path, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::Json;
use directory::flags::Flag;
use serde::Deserialize;
use serde_json::{json, Value};
use std::net::SocketAddr;
use store::Account;

/// `GET /api/v1/me`
pub async fn me(State(state): State<AppState>, who: SignedIn) -> Result<Json<Value>, ApiError> {
    let a = &who.account;
    let factors = state.store.factor_summary(a.id).await?;
    Ok(Json(json!({
        "login": a.login.as_str(),
        "name": a.name,
        "unit": a.unit.to_string(),
        "roles": a.roles.iter().map(Flag::name).collect::<Vec<_>>(),
        "features": a.features.iter().map(Flag::name).collect::<Vec<_>>(),
        "csrf_token": who.session.csrf_token,
        "session_id": who.session.id,
        "second_factor": {"totp": factors.totp, "recovery_codes_left": factors.recovery_codes_left, "sms": a.mobile.is_some()},
    })))
}

/// `{"current","new"}`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    current: String,
    new: String,
}

/// `POST /api/v1/me/password`: needs the current password (counted and throttled like a
/// sign-in); ends the other sessions.
pub async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    who: SignedIn,
    Json(body): Json<PasswordBody>,
) -> Result<Json<Value>, ApiError> {
    let a = who.account.clone();
    auth::check_policy(a.login.as_str(), &body.new)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    confirm_password(&state, &who, body.current, &peer.ip().to_string()).await?;
    let new = body.new;
    let hash = state.hashing.run(move || auth::hash_password(&new)).await?;
    let ended = state
        .store
        .set_password_hash(&a.login, &hash, Some(who.session.id))
        .await?
        .ok_or(ApiError::Unauthorized)?;
    state.live.end_person(a.id, Some(who.session.id));
    record(
        &state,
        Some(a.login.as_str()),
        "password.changed",
        None,
        &who.session.source,
        format!("{ended} other sessions ended"),
    )
    .await?;
    Ok(Json(json!({"status": "ok", "other_sessions_ended": ended})))
}

/// `{"password"}`: the own password again, before new recovery codes or a new
/// authenticator app (not asked during a pending enrolment: that just checked it).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ConfirmBody {
    #[serde(default)]
    password: Option<String>,
}

/// The password of a signed-in person, checked again.
async fn confirm(
    state: &AppState,
    who: &SignedIn,
    peer: SocketAddr,
    body: ConfirmBody,
) -> Result<(), ApiError> {
    let password = body.password.ok_or_else(|| ApiError::Invalid {
        field: "password".into(),
        problem: "password_required",
        message: "Bitte bestätigen Sie mit Ihrem Passwort.".into(),
    })?;
    confirm_password(state, who, password, &peer.ip().to_string()).await
}

/// Who may enrol: a signed-in person, or a pending sign-in that must enrol first.
pub enum Enroller {
    /// With a session.
    Session(SignedIn),
    /// From the sign-in step (token hash of the pending sign-in).
    Pending(String, Account, String),
}

impl Enroller {
    fn account(&self) -> &Account {
        match self {
            Enroller::Session(s) => &s.account,
            Enroller::Pending(_, a, _) => a,
        }
    }

    fn source(&self) -> &str {
        match self {
            Enroller::Session(s) => &s.session.source,
            Enroller::Pending(_, _, source) => source,
        }
    }
}

impl FromRequestParts<AppState> for Enroller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match SignedIn::from_request_parts(parts, state).await {
            Ok(who) => Ok(Enroller::Session(who)),
            Err(ApiError::Unauthorized) => {
                let (hash, pending, account) = pending(state, &parts.headers).await?;
                if pending.enrolment {
                    Ok(Enroller::Pending(hash, account, pending.source))
                } else {
                    Err(ApiError::Unauthorized)
                }
            }
            Err(other) => Err(other),
        }
    }
}

/// `POST /api/v1/me/totp`: a new secret, its `otpauth://` URI and a QR code (SVG). A
/// signed-in person confirms with the password (`{"password"}`).
pub async fn begin_totp(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    who: Enroller,
    body: Option<Json<ConfirmBody>>,
) -> Result<Json<Value>, ApiError> {
    if let Enroller::Session(signed_in) = &who {
        let body = body.map(|Json(b)| b).unwrap_or_default();
        confirm(&state, signed_in, peer, body).await?;
    }
    let a = who.account();
    let secret = auth::totp::TotpSecret::generate();
    if !state
        .store
        .begin_totp(a.id, &secret.to_base32(), state.now())
        .await?
    {
        return Err(ApiError::Conflict(
            "an authenticator app is already set up; an administrator can reset it".into(),
        ));
    }
    let uri = auth::totp::otpauth_uri(&secret, &state.auth.issuer, a.login.as_str());
    let svg = auth::qr_svg::qr_svg(&uri, "QR-Code für die Authenticator-App");
    Ok(Json(
        json!({"secret": secret.to_base32(), "otpauth_uri": uri, "qr_svg": svg}),
    ))
}

/// `{"code"}`
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    code: String,
}

/// `POST /api/v1/me/totp/confirm`: the first code confirms the app; answers with ten
/// recovery codes, shown once. From a pending enrolment it also starts the session.
pub async fn confirm_totp(
    State(state): State<AppState>,
    who: Enroller,
    Json(body): Json<CodeBody>,
) -> Result<Response, ApiError> {
    let a = who.account().clone();
    let now = state.now();
    let row = state
        .store
        .totp_factor(a.id)
        .await?
        .ok_or_else(|| ApiError::BadRequest("start the enrolment first".into()))?;
    if row.confirmed {
        return Err(ApiError::Conflict(
            "the authenticator app is already confirmed".into(),
        ));
    }
    let secret = auth::totp::TotpSecret::from_base32(&row.secret).ok_or(ApiError::Internal)?;
    let step = auth::totp::verify(&secret, &body.code, now as u64, None)
        .map_err(|_| ApiError::WrongCredentials)?;
    if !state.store.use_totp_step(a.id, step as i64).await? {
        return Err(ApiError::WrongCredentials);
    }
    let codes = auth::codes::generate_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| auth::codes::hash_code(c)).collect();
    state.store.set_recovery_codes(a.id, &hashes).await?;
    record(
        &state,
        Some(a.login.as_str()),
        "factor.totp.enrolled",
        None,
        who.source(),
        "",
    )
    .await?;
    let body = json!({"status": "ok", "recovery_codes": codes});
    match who {
        Enroller::Session(_) => Ok(Json(body).into_response()),
        Enroller::Pending(hash, account, source) => {
            state.store.delete_pending_login(&hash).await?;
            let started =
                crate::auth::sign_in::start_session_for(&state, &account, &source, "enrolment")
                    .await?;
            Ok(started.with_body(body))
        }
    }
}

/// `POST /api/v1/me/recovery-codes` with `{"password"}`: ten new codes (the old ones
/// stop working).
pub async fn new_recovery_codes(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    who: SignedIn,
    Json(body): Json<ConfirmBody>,
) -> Result<Json<Value>, ApiError> {
    confirm(&state, &who, peer, body).await?;
    let codes = auth::codes::generate_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| auth::codes::hash_code(c)).collect();
    state
        .store
        .set_recovery_codes(who.account.id, &hashes)
        .await?;
    record(
        &state,
        Some(who.account.login.as_str()),
        "factor.recovery.renewed",
        None,
        &who.session.source,
        "",
    )
    .await?;
    Ok(Json(json!({"recovery_codes": codes})))
}

/// `GET /api/v1/me/sessions`
pub async fn sessions(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Json<Value>, ApiError> {
    let list = state.store.sessions_of(who.account.id, state.now()).await?;
    let items: Vec<Value> = list
        .iter()
        .map(|s| {
            json!({"id": s.id, "created_at": s.created_at, "last_seen_at": s.last_seen_at, "expires_at": s.expires_at,
                   "source": s.source, "user_agent": s.user_agent, "current": s.id == who.session.id})
        })
        .collect();
    Ok(Json(json!({"sessions": items})))
}

/// `DELETE /api/v1/me/sessions/{id}`
pub async fn end_one_session(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    if !end_session(&state, who.account.id, id).await? {
        return Err(ApiError::NotFound("no such session".into()));
    }
    record(
        &state,
        Some(who.account.login.as_str()),
        "session.ended",
        None,
        &who.session.source,
        format!("session {id}"),
    )
    .await?;
    Ok(Json(json!({"status": "ok"})))
}

/// `DELETE /api/v1/me/sessions`: sign out everywhere, this session included.
pub async fn end_all_sessions(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Response, ApiError> {
    let ended = end_sessions(&state, who.account.id, None).await?;
    record(
        &state,
        Some(who.account.login.as_str()),
        "session.ended_all",
        None,
        &who.session.source,
        format!("{ended} sessions"),
    )
    .await?;
    let cookie = set_cookie(SESSION_COOKIE, "", 0, state.auth.secure_cookies);
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(json!({"status": "ok", "ended": ended})),
    )
        .into_response())
}
