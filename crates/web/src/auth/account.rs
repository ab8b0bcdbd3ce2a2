//! `GET /api/v1/me`, own password, TOTP enrolment, recovery codes and own sessions.
//! Enrolment also works from a pending sign-in that requires a first factor; confirming
//! it then starts the session.

use crate::admin::audit_trail::record;
use crate::auth::attempts::confirm_password;
use crate::auth::session::{end_session, end_sessions};
use crate::auth::session::{set_cookie, SignedIn, SESSION_COOKIE};
use crate::auth::sign_in::Pending;
use crate::done::{Done, DONE};
use crate::error::{ApiError, ErrorBody};
use crate::http::client_addr::ClientAddr;
use crate::AppState;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::Json;
use directory::flags::Flag;
use serde::{Deserialize, Serialize};
use store::Account;
use utoipa::ToSchema;

/// The signed-in person.
#[derive(Serialize, ToSchema)]
pub struct Me {
    login: String,
    name: String,
    /// The unit's path, e.g. `Abteilung 2/Sachgebiet 23 IKT`.
    unit: String,
    /// `admin`, `supervisor`, `agent`, `user`.
    roles: Vec<&'static str>,
    /// `softphone`, `meetings`, `mobile_work`, `hotline`.
    features: Vec<&'static str>,
    /// The token writes must echo in `X-CSRF-Token`.
    csrf_token: String,
    session_id: i64,
    second_factor: FactorState,
}

/// Which second factors the person has.
#[derive(Serialize, ToSchema)]
pub struct FactorState {
    totp: bool,
    recovery_codes_left: i64,
    /// A mobile number for SMS codes is on record.
    sms: bool,
}

/// Who is signed in, with the CSRF token for writes.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = Me)))]
pub async fn me(State(state): State<AppState>, who: SignedIn) -> Result<Json<Me>, ApiError> {
    let a = &who.account;
    let factors = state.store.factor_summary(a.id).await?;
    Ok(Json(Me {
        login: a.login.as_str().to_owned(),
        name: a.name.clone(),
        unit: a.unit.to_string(),
        roles: a.roles.iter().map(Flag::name).collect(),
        features: a.features.iter().map(Flag::name).collect(),
        csrf_token: who.session.csrf_token.clone(),
        session_id: who.session.id,
        second_factor: FactorState {
            totp: factors.totp,
            recovery_codes_left: factors.recovery_codes_left,
            sms: a.mobile.is_some(),
        },
    }))
}

/// `{"current","new"}`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    current: String,
    new: String,
}

/// A changed password.
#[derive(Serialize, ToSchema)]
pub struct PasswordChanged {
    #[schema(example = "ok")]
    status: &'static str,
    /// The person's other sessions, ended.
    other_sessions_ended: u64,
}

/// Change the own password: needs the current one (counted and throttled like a
/// sign-in); ends the other sessions.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "account",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = PasswordBody,
    responses((status = 200, body = PasswordChanged),
        (status = 400, description = "Too short or too common", body = ErrorBody),
        (status = 401, description = "The current password is wrong", body = ErrorBody),
        (status = 409, description = "The password is the directory's (LDAP): changed there", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords", body = ErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    client: ClientAddr,
    who: SignedIn,
    Json(body): Json<PasswordBody>,
) -> Result<Json<PasswordChanged>, ApiError> {
    let a = who.account.clone();
    if crate::auth::sign_in::password_from_directory(&state, &a) {
        return Err(ApiError::Conflict(
            "Ihr Passwort ist das des Verzeichnisses (Active Directory); ändern Sie es dort, \
             z. B. mit Strg+Alt+Entf an Ihrem Dienst-PC."
                .into(),
        ));
    }
    auth::check_policy(a.login.as_str(), &body.new)
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    confirm_password(&state, &who, body.current, &client.to_string()).await?;
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
    Ok(Json(PasswordChanged {
        status: "ok",
        other_sessions_ended: ended,
    }))
}

/// `{"password"}`: the own password again, before new recovery codes or a new
/// authenticator app (not asked during a pending enrolment: that just checked it).
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmBody {
    #[serde(default)]
    password: Option<String>,
}

/// The password of a signed-in person, checked again.
async fn confirm(
    state: &AppState,
    who: &SignedIn,
    client: ClientAddr,
    body: ConfirmBody,
) -> Result<(), ApiError> {
    let password = body.password.ok_or_else(|| ApiError::Invalid {
        field: "password".into(),
        problem: "password_required",
        message: "Bitte bestätigen Sie mit Ihrem Passwort.".into(),
    })?;
    confirm_password(state, who, password, &client.to_string()).await
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
                let Pending {
                    hash,
                    pending,
                    account,
                } = Pending::from_request_parts(parts, state).await?;
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

/// A new authenticator secret.
#[derive(Serialize, ToSchema)]
pub struct TotpEnrolment {
    /// The secret in base32, for typing in.
    secret: String,
    /// `otpauth://totp/…`
    otpauth_uri: String,
    /// The URI as a QR code (SVG).
    qr_svg: String,
}

/// Start enrolling an authenticator app: a new secret, its `otpauth://` URI and a QR
/// code. Signed in, the password is asked again (`{"password"}`); during a sign-in that
/// must enrol, it was just given.
#[utoipa::path(post, path = "/api/v1/me/totp", tag = "account",
    security(("sessionCookie" = []), ("pendingCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body(content = Option<ConfirmBody>),
    responses((status = 200, body = TotpEnrolment),
        (status = 400, description = "The password is missing (field password)", body = ErrorBody),
        (status = 401, description = "Wrong password", body = ErrorBody),
        (status = 409, description = "An app is already set up", body = ErrorBody)))]
pub async fn begin_totp(
    State(state): State<AppState>,
    client: ClientAddr,
    who: Enroller,
    body: Option<Json<ConfirmBody>>,
) -> Result<Json<TotpEnrolment>, ApiError> {
    if let Enroller::Session(signed_in) = &who {
        let body = body.map(|Json(b)| b).unwrap_or_default();
        confirm(&state, signed_in, client, body).await?;
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
    Ok(Json(TotpEnrolment {
        secret: secret.to_base32(),
        otpauth_uri: uri,
        qr_svg: svg,
    }))
}

/// `{"code"}`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    code: String,
}

/// Ten recovery codes, shown only this once.
#[derive(Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// `ok` when an app was just confirmed.
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    recovery_codes: Vec<String>,
}

/// Confirm the authenticator app with its first code; answers with ten recovery codes.
/// From a pending enrolment it also starts the session (and adds `csrf_token`).
#[utoipa::path(post, path = "/api/v1/me/totp/confirm", tag = "account",
    security(("sessionCookie" = []), ("pendingCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = CodeBody,
    responses((status = 200, body = RecoveryCodes),
        (status = 400, description = "No enrolment started", body = ErrorBody),
        (status = 401, description = "Wrong code", body = ErrorBody),
        (status = 409, description = "Already confirmed", body = ErrorBody)))]
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
    let body = RecoveryCodes {
        status: Some("ok"),
        recovery_codes: codes,
    };
    match who {
        Enroller::Session(_) => Ok(Json(body).into_response()),
        Enroller::Pending(hash, account, source) => {
            state.store.delete_pending_login(&hash).await?;
            let started =
                crate::auth::sign_in::start_session_for(&state, &account, &source, "", "enrolment")
                    .await?;
            Ok(started.with_body(body))
        }
    }
}

/// Ten new recovery codes (the old ones stop working); asks for the password again.
#[utoipa::path(post, path = "/api/v1/me/recovery-codes", tag = "account",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    request_body = ConfirmBody,
    responses((status = 200, body = RecoveryCodes),
        (status = 400, description = "The password is missing (field password)", body = ErrorBody),
        (status = 401, description = "Wrong password", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords", body = ErrorBody)))]
pub async fn new_recovery_codes(
    State(state): State<AppState>,
    client: ClientAddr,
    who: SignedIn,
    Json(body): Json<ConfirmBody>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    confirm(&state, &who, client, body).await?;
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
    Ok(Json(RecoveryCodes {
        status: None,
        recovery_codes: codes,
    }))
}

/// One of the person's sessions.
#[derive(Serialize, ToSchema)]
pub struct SessionInfo {
    id: i64,
    /// Unix seconds of the sign-in.
    created_at: i64,
    /// Unix seconds of the last use (to the minute).
    last_seen_at: i64,
    /// Unix seconds of the end of its lifetime.
    expires_at: i64,
    /// The address of the sign-in.
    source: String,
    user_agent: String,
    /// This request's own session.
    current: bool,
}

/// The person's sessions.
#[derive(Serialize, ToSchema)]
pub struct Sessions {
    sessions: Vec<SessionInfo>,
}

/// The own live sessions, newest first.
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "account",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = Sessions)))]
pub async fn sessions(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Json<Sessions>, ApiError> {
    let list = state.store.sessions_of(who.account.id, state.now()).await?;
    let sessions = list
        .into_iter()
        .map(|s| SessionInfo {
            current: s.id == who.session.id,
            id: s.id,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            expires_at: s.expires_at,
            source: s.source,
            user_agent: s.user_agent,
        })
        .collect();
    Ok(Json(Sessions { sessions }))
}

/// End one of the own sessions (and its WebSockets).
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "account",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    params(("id" = i64, Path)),
    responses((status = 200, body = Done), (status = 404, description = "No such session", body = ErrorBody)))]
pub async fn end_one_session(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<i64>,
) -> Result<Json<Done>, ApiError> {
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
    Ok(Json(DONE))
}

/// Sessions ended.
#[derive(Serialize, ToSchema)]
pub struct Ended {
    #[schema(example = "ok")]
    status: &'static str,
    ended: u64,
}

/// Sign out everywhere, this session included.
#[utoipa::path(delete, path = "/api/v1/me/sessions", tag = "account",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = Ended)))]
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
        Json(Ended {
            status: "ok",
            ended,
        }),
    )
        .into_response())
}
