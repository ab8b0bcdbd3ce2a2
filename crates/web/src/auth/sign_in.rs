//! `POST /api/v1/auth/login`, `/auth/second-factor`, `/auth/sms`, `/auth/logout`.

use crate::admin::audit_trail::record;
use crate::auth::attempts::{count_attempt, failed, succeeded};
use crate::auth::session::{
    cookie, end_session, set_cookie, SignedIn, PENDING_COOKIE, SESSION_COOKIE,
};
use crate::done::{Done, DONE};
use crate::error::{ApiError, ErrorBody};
use crate::http::client_addr::ClientAddr;
use crate::AppState;
use auth::sign_in::{after_password, check_password, AfterPassword, FactorFacts, Method};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::Json;
use directory::Login;
use serde::{Deserialize, Serialize};
use store::{Account, NewSession, PendingLogin};
use utoipa::ToSchema;

/// `{"login","password"}`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    login: String,
    password: String,
}

/// `{"method","code"}`
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondFactorBody {
    /// `totp`, `sms`, `recovery` or `letter`.
    #[schema(value_type = String, example = "totp")]
    method: Method,
    code: String,
}

/// Where a sign-in stands.
#[derive(Serialize, ToSchema)]
pub struct SignInStep {
    /// `ok` (signed in: the session cookie is set), `second_factor` (give one of
    /// `methods`) or `enrolment_required` (set up an authenticator app first).
    #[schema(example = "ok")]
    status: &'static str,
    /// The ways the person can give a second factor.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<String>>, example = json!(["totp", "recovery"]))]
    methods: Option<Vec<Method>>,
    /// The token writes must echo in `X-CSRF-Token` (when signed in).
    #[serde(skip_serializing_if = "Option::is_none")]
    csrf_token: Option<String>,
}

impl SignInStep {
    fn signed_in() -> SignInStep {
        SignInStep {
            status: "ok",
            methods: None,
            csrf_token: None,
        }
    }

    fn pending(status: &'static str, methods: Option<Vec<Method>>) -> SignInStep {
        SignInStep {
            status,
            methods,
            csrf_token: None,
        }
    }
}

/// A started session: the cookies to set and the CSRF token.
pub struct Started {
    cookies: [(header::HeaderName, String); 2],
    csrf: String,
}

impl Started {
    /// The response with `body` plus `csrf_token`.
    pub fn with_body(self, body: impl Serialize) -> Response {
        let mut body = serde_json::to_value(body).unwrap_or_default();
        body["csrf_token"] = serde_json::Value::String(self.csrf);
        (AppendHeaders(self.cookies), Json(body)).into_response()
    }
}

/// Starts a session for a person who completed sign-in (or enrolment), from the program
/// `user_agent`.
pub async fn start_session_for(
    state: &AppState,
    account: &Account,
    source: &str,
    user_agent: &str,
    how: &str,
) -> Result<Started, ApiError> {
    start(state, account, source, user_agent, how).await
}

/// Starts a session and returns the response that sets its cookie.
async fn start_session(
    state: &AppState,
    account: &Account,
    source: &str,
    user_agent: &str,
    how: &str,
) -> Result<Response, ApiError> {
    Ok(start(state, account, source, user_agent, how)
        .await?
        .with_body(SignInStep::signed_in()))
}

async fn start(
    state: &AppState,
    account: &Account,
    source: &str,
    user_agent: &str,
    how: &str,
) -> Result<Started, ApiError> {
    let now = state.now();
    let token = auth::session_token::SessionToken::generate();
    let csrf = auth::session_token::generate_csrf_token();
    let session = NewSession {
        staff_id: account.id,
        token_hash: &auth::session_token::token_hash(token.as_str()),
        csrf_token: &csrf,
        now,
        expires_at: now + state.auth.lifetime_secs,
        source,
        user_agent,
        how,
    };
    state.store.create_session(&session).await?;
    crate::metrics::events::sign_in(crate::metrics::events::SignInOutcome::Ok);
    succeeded(state, account.login.as_str()).await?;
    record(
        state,
        Some(account.login.as_str()),
        "login.ok",
        None,
        source,
        how,
    )
    .await?;
    let cookies = [
        (
            header::SET_COOKIE,
            set_cookie(
                SESSION_COOKIE,
                token.as_str(),
                state.auth.lifetime_secs,
                state.auth.secure_cookies,
            ),
        ),
        (
            header::SET_COOKIE,
            set_cookie(PENDING_COOKIE, "", 0, state.auth.secure_cookies),
        ),
    ];
    Ok(Started { cookies, csrf })
}

/// Stores a pending sign-in and answers with its cookie and `body`.
async fn start_pending(
    state: &AppState,
    account: &Account,
    enrolment: bool,
    source: &str,
    body: SignInStep,
) -> Result<Response, ApiError> {
    let cookie = pending_cookie(state, account, enrolment, source).await?;
    Ok(([(header::SET_COOKIE, cookie)], Json(body)).into_response())
}

/// Stores a pending sign-in (password or provider done; second factor or enrolment not
/// yet) and returns the cookie that carries it.
pub(crate) async fn pending_cookie(
    state: &AppState,
    account: &Account,
    enrolment: bool,
    source: &str,
) -> Result<String, ApiError> {
    let now = state.now();
    let token = auth::session_token::SessionToken::generate();
    let hash = auth::session_token::token_hash(token.as_str());
    state
        .store
        .create_pending_login(
            &hash,
            account.id,
            enrolment,
            now,
            now + state.auth.pending_secs,
            source,
        )
        .await?;
    Ok(set_cookie(
        PENDING_COOKIE,
        token.as_str(),
        state.auth.pending_secs,
        state.auth.secure_cookies,
    ))
}

pub(crate) fn user_agent(headers: &HeaderMap) -> String {
    headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(200)
        .collect()
}

/// Sign in with login and password. Attempts are counted before they are checked, per
/// account and per address, with growing delays and then a lock.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "sign-in", security(()),
    request_body = LoginBody,
    responses((status = 200, description = "Signed in (session cookie), or a pending sign-in (pending cookie) waiting for a second factor or enrolment", body = SignInStep),
        (status = 401, description = "Wrong login or password (never says which)", body = ErrorBody),
        (status = 429, description = "Too many attempts; see Retry-After", body = ErrorBody),
        (status = 503, description = "Too many sign-ins at once; see Retry-After", body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Json(body): Json<LoginBody>,
) -> Result<Response, ApiError> {
    let now = state.now();
    let source = client.to_string();
    let account_key: String = body.login.trim().to_lowercase().chars().take(64).collect();
    count_attempt(&state, &account_key, &source, now)
        .await
        .inspect_err(crate::metrics::events::sign_in_refused)?;
    let account = match Login::parse(&body.login) {
        Ok(login) => state.store.account_by_login(&login).await?,
        Err(_) => None,
    };
    let verified = verify_password(&state, account.as_ref(), body.password).await?;
    let Some(account) = account.filter(|_| verified) else {
        crate::metrics::events::sign_in(crate::metrics::events::SignInOutcome::Failed);
        return Err(failed(&state, &account_key, &source, "login.failed").await?);
    };
    let facts = factor_facts(&state, &account, state.auth.from_office(client)).await?;
    match after_password(facts) {
        AfterPassword::SignedIn => {
            start_session(&state, &account, &source, &user_agent(&headers), "password").await
        }
        AfterPassword::SecondFactor(methods) => {
            start_pending(
                &state,
                &account,
                false,
                &source,
                SignInStep::pending("second_factor", Some(methods)),
            )
            .await
        }
        AfterPassword::Enrol => {
            start_pending(
                &state,
                &account,
                true,
                &source,
                SignInStep::pending("enrolment_required", None),
            )
            .await
        }
    }
}

/// What decides the step after the password (or the provider): the person's factors
/// and whether the rule asks for one from where they are.
pub(crate) async fn factor_facts(
    state: &AppState,
    account: &Account,
    from_office: bool,
) -> Result<FactorFacts, ApiError> {
    let summary = state.store.factor_summary(account.id).await?;
    let rule = crate::admin::security::second_factor_rule(&state.store).await?;
    Ok(FactorFacts {
        totp: summary.totp,
        mobile: account.mobile.is_some(),
        recovery_codes: summary.recovery_codes_left > 0,
        letter_code: state.store.has_letter_code(account.id, state.now()).await?,
        required: rule.requires(&account.unit.to_string(), from_office),
    })
}

/// Whether `password` is the person's: by a bind at the directory for people from it
/// (when directory sign-in is on), else against our hash (for an unknown person a dummy
/// hash, so both take as long). A directory that cannot be asked is a 503.
pub(crate) async fn verify_password(
    state: &AppState,
    account: Option<&Account>,
    password: String,
) -> Result<bool, ApiError> {
    if let Some((directory, dn)) = directory_bind(state, account) {
        return directory
            .check_password(&dn, &password)
            .await
            .map_err(|why| {
                tracing::warn!(error = %why, "the directory cannot check a password");
                ApiError::Unavailable(
                    "Das Verzeichnis (LDAP) ist gerade nicht erreichbar; bitte versuchen Sie es \
                 in einigen Minuten erneut."
                        .into(),
                )
            });
    }
    let facts = account.map(|a| (a.id, a.password_hash.clone()));
    state
        .hashing
        .run(move || {
            let facts = facts.as_ref().map(|(id, h)| (*id, h.as_deref()));
            check_password(facts, &password).is_some()
        })
        .await
}

/// Whether the person's password is the directory's (so it is changed there).
pub(crate) fn password_from_directory(state: &AppState, account: &Account) -> bool {
    directory_bind(state, Some(account)).is_some()
}

/// The directory and the DN to bind as, for a person whose password the directory checks
/// (they come from it, and `[directory.ldap] password_sign_in` is on).
fn directory_bind(
    state: &AppState,
    account: Option<&Account>,
) -> Option<(
    std::sync::Arc<dyn crate::directory_sync::DirectoryService>,
    String,
)> {
    let directory = state.directory.clone().filter(|d| d.password_sign_in())?;
    let dn = account?.directory_dn.clone()?;
    Some((directory, dn))
}

/// A pending sign-in (password given, second factor or enrolment not yet) with its
/// person: an extractor, so a request without one is refused before its body is read.
pub struct Pending {
    /// The hash of the pending cookie's token.
    pub hash: String,
    /// The pending sign-in.
    pub pending: PendingLogin,
    /// Its person.
    pub account: Account,
}

impl axum::extract::FromRequestParts<AppState> for Pending {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let (hash, pending, account) = pending(state, &parts.headers).await?;
        Ok(Pending {
            hash,
            pending,
            account,
        })
    }
}

/// The pending sign-in of this request, with its person.
async fn pending(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(String, PendingLogin, Account), ApiError> {
    let token = cookie(headers, PENDING_COOKIE)
        .filter(|t| !t.is_empty())
        .ok_or(ApiError::Unauthorized)?;
    let hash = auth::session_token::token_hash(token);
    let pending = state
        .store
        .pending_login(&hash, state.now())
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let account = state
        .store
        .account_by_id(pending.staff_id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    Ok((hash, pending, account))
}

/// Give the second factor of a pending sign-in: a few codes in all, then it is void.
#[utoipa::path(post, path = "/api/v1/auth/second-factor", tag = "sign-in",
    security(("pendingCookie" = [])), request_body = SecondFactorBody,
    responses((status = 200, description = "Signed in, or enrolment_required after a letter code", body = SignInStep),
        (status = 401, description = "Wrong or used code, or the pending sign-in is void", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody)))]
pub async fn second_factor(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Pending {
        hash,
        pending,
        account,
    }: Pending,
    Json(body): Json<SecondFactorBody>,
) -> Result<Response, ApiError> {
    let now = state.now();
    let source = client.to_string();
    if pending.enrolment {
        return Err(ApiError::BadRequest(
            "enrol a second factor first (POST /api/v1/me/totp)".into(),
        ));
    }
    // A pending sign-in allows a few codes in all, counted before they are checked.
    if !state
        .store
        .count_pending_attempt(&hash, now, state.auth.pending_attempts)
        .await?
    {
        if state.store.delete_pending_login(&hash).await? {
            let login = account.login.as_str();
            record(
                &state,
                Some(login),
                "login.pending.void",
                None,
                &source,
                "too many codes",
            )
            .await?;
        }
        return Err(ApiError::Unauthorized);
    }
    let key = account.login.to_string();
    count_attempt(&state, &key, &source, now)
        .await
        .inspect_err(crate::metrics::events::sign_in_refused)?;
    let ok = match body.method {
        Method::Totp => match state
            .store
            .totp_factor(account.id)
            .await?
            .filter(|t| t.confirmed)
        {
            Some(t) => {
                let secret =
                    auth::totp::TotpSecret::from_base32(&t.secret).ok_or(ApiError::Internal)?;
                let last = t.last_step.map(|s| s as u64);
                match auth::totp::verify(&secret, &body.code, now as u64, last) {
                    Ok(step) => state.store.use_totp_step(account.id, step as i64).await?,
                    Err(_) => false,
                }
            }
            None => false,
        },
        Method::Sms => match (pending.sms_code_hash.clone(), pending.sms_expires_at) {
            (Some(code_hash), Some(expires_at)) => {
                let challenge = auth::sms_code::SmsChallenge {
                    code_hash,
                    expires_at: expires_at as u64,
                };
                auth::sms_code::verify_sms(&challenge, &body.code, now as u64).is_ok()
            }
            _ => false,
        },
        Method::Recovery => {
            state
                .store
                .use_recovery_code(account.id, &auth::codes::hash_code(&body.code), now)
                .await?
        }
        Method::Letter => {
            state
                .store
                .use_letter_code(account.id, &auth::codes::hash_code(&body.code), now)
                .await?
        }
    };
    if !ok {
        crate::metrics::events::sign_in(crate::metrics::events::SignInOutcome::Failed);
        return Err(failed(&state, &key, &source, "login.second_factor.failed").await?);
    }
    state.store.delete_pending_login(&hash).await?;
    if body.method == Method::Letter {
        record(&state, Some(&key), "factor.letter.used", None, &source, "").await?;
        return start_pending(
            &state,
            &account,
            true,
            &source,
            SignInStep::pending("enrolment_required", None),
        )
        .await;
    }
    let how = serde_json::to_value(body.method)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    start_session(&state, &account, &source, &user_agent(&headers), &how).await
}

/// A code sent by SMS.
#[derive(Serialize, ToSchema)]
pub struct SmsSent {
    /// Always `sent`.
    #[schema(example = "sent")]
    status: &'static str,
    /// Seconds the code is valid.
    expires_in: u64,
}

/// Send a sign-in code by SMS to the person's mobile number (one per 30 seconds).
#[utoipa::path(post, path = "/api/v1/auth/sms", tag = "sign-in", security(("pendingCookie" = [])),
    responses((status = 200, body = SmsSent),
        (status = 400, description = "No mobile number on record", body = ErrorBody),
        (status = 401, description = "No pending sign-in", body = ErrorBody),
        (status = 429, description = "One SMS per 30 seconds", body = ErrorBody),
        (status = 503, description = "The gateway failed", body = ErrorBody)))]
pub async fn send_sms(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Pending {
        hash,
        pending,
        account,
    }: Pending,
) -> Result<Json<SmsSent>, ApiError> {
    let now = state.now();
    let source = client.to_string();
    let mobile = account
        .mobile
        .clone()
        .ok_or_else(|| ApiError::BadRequest("no mobile number is on record".into()))?;
    // One SMS per 30 seconds per sign-in: SMS cost money and annoy. The store replaces
    // the code only if the last one is old enough, so parallel requests send one SMS.
    let validity = auth::sms_code::SMS_CODE_VALIDITY_SECS as i64;
    let wait =
        |expires: i64| ApiError::TooManyRequests((30 - (now - (expires - validity))).max(1) as u64);
    if let Some(expires) = pending.sms_expires_at.filter(|e| now - (e - validity) < 30) {
        return Err(wait(expires));
    }
    let (code, challenge) = auth::sms_code::new_sms_challenge(now as u64);
    if !state
        .store
        .set_pending_sms(
            &hash,
            &challenge.code_hash,
            challenge.expires_at as i64,
            now - 30 + validity,
        )
        .await?
    {
        return Err(ApiError::TooManyRequests(30));
    }
    let text = format!(
        "Ihr Anmeldecode für {}: {code} (5 Minuten gültig)",
        state.auth.issuer
    );
    state.sms.send(&mobile, &text).await.map_err(|e| {
        tracing::warn!(error = %e, "SMS not sent");
        ApiError::Unavailable(
            "the SMS could not be sent; use another method or try again later".into(),
        )
    })?;
    record(
        &state,
        Some(account.login.as_str()),
        "factor.sms.sent",
        None,
        &source,
        "",
    )
    .await?;
    Ok(Json(SmsSent {
        status: "sent",
        expires_in: auth::sms_code::SMS_CODE_VALIDITY_SECS,
    }))
}

/// Sign out: ends this session and its WebSockets.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "sign-in",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("user"))),
    responses((status = 200, body = Done)))]
pub async fn logout(State(state): State<AppState>, who: SignedIn) -> Result<Response, ApiError> {
    end_session(&state, who.account.id, who.session.id).await?;
    record(
        &state,
        Some(who.account.login.as_str()),
        "logout",
        None,
        &who.session.source,
        "",
    )
    .await?;
    let cookie = set_cookie(SESSION_COOKIE, "", 0, state.auth.secure_cookies);
    Ok(([(header::SET_COOKIE, cookie)], Json(DONE)).into_response())
}
