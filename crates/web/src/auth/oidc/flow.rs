//! The routes of single sign-on: `GET /api/v1/auth/oidc` (is it offered?), `/start`
//! (off to the provider), `/callback` (back from it) and `/logout` (signed out there
//! too).
//!
//! The browser is bound to its sign-in by a short-lived cookie holding the `state`
//! (SameSite=Lax: the provider's redirect back is a cross-site navigation, which a Strict
//! cookie would not survive); the state must match the cookie and a remembered start,
//! once. Every callback counts as an attempt of its address before anything is checked.
//! Every refusal is audited (`login.oidc.failed` with the reason, never a token) and sends
//! the browser to the sign-in page with `?sso_error=<code>`, which shows it.

use super::client::{chain, Provider, TokenAnswer};
use super::pending::Started;
use super::Oidc;
use crate::admin::audit_trail::record;
use crate::auth::attempts::count_source_attempt;
use crate::auth::session::cookie;
use crate::auth::sign_in::{factor_facts, pending_cookie, start_session_for, user_agent};
use crate::error::{ApiError, ErrorBody};
use crate::http::client_addr::ClientAddr;
use crate::AppState;
use auth::sign_in::{AfterPassword, Method};
use auth::single_sign_on::{after_provider, login_from_claim, provider_second_factor};
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use directory::Login;
use openidconnect::core::CoreResponseType;
use openidconnect::{
    AuthenticationFlow, AuthorizationCode, ClaimsVerificationError, CsrfToken, LogoutRequest,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, RequestTokenError, Scope,
};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use store::Account;
use utoipa::{IntoParams, ToSchema};

/// The cookie that binds a sign-in at the provider to this browser.
pub const STATE_COOKIE: &str = "dw_oidc";
/// Where the state cookie is sent: only to these routes.
const STATE_COOKIE_PATH: &str = "/api/v1/auth/oidc";

/// Whether the sign-in page offers single sign-on.
#[derive(Serialize, ToSchema)]
pub struct SsoOffer {
    /// Single sign-on is configured.
    enabled: bool,
    /// The name of the sign-in service on the button (when enabled).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Single Sign-On")]
    label: Option<String>,
}

/// Whether single sign-on is offered, and the button's text. Asks the provider nothing.
#[utoipa::path(get, path = "/api/v1/auth/oidc", tag = "sign-in", security(()),
    responses((status = 200, body = SsoOffer)))]
pub async fn offer(State(state): State<AppState>) -> Json<SsoOffer> {
    Json(SsoOffer {
        enabled: state.oidc.is_some(),
        label: state.oidc.as_ref().map(|o| o.config().label.clone()),
    })
}

fn not_configured() -> ApiError {
    ApiError::NotFound("single sign-on is not configured".into())
}

/// Start signing in at the provider: a fresh PKCE challenge (S256), state and nonce,
/// remembered for ten minutes, and the browser sent to the provider.
#[utoipa::path(get, path = "/api/v1/auth/oidc/start", tag = "sign-in", security(()),
    responses((status = 303, description = "To the provider's authorization endpoint (state cookie set), or to the sign-in page with ?sso_error=unreachable|busy"),
        (status = 404, description = "Single sign-on is not configured", body = ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
) -> Result<Response, ApiError> {
    let oidc = state.oidc.clone().ok_or_else(not_configured)?;
    let now = state.now();
    let provider = match oidc.provider(now).await {
        Ok(provider) => provider,
        Err(error) => {
            tracing::warn!(error = %chain(&error), "single sign-on: the provider cannot be used");
            return Ok(to_sign_in_page("?sso_error=unreachable", Vec::new()));
        }
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let scopes = oidc.config().scopes.iter().filter(|s| *s != "openid");
    let (url, csrf, nonce) = provider
        .client
        .authorize_url(
            AuthenticationFlow::<CoreResponseType>::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scopes(scopes.map(|s| Scope::new(s.clone())))
        .set_pkce_challenge(challenge)
        .url();
    let started = Started {
        verifier: verifier.secret().clone(),
        nonce: nonce.secret().clone(),
        created: now,
        source: client.to_string(),
    };
    if oidc.remember(now, csrf.secret().clone(), started).is_err() {
        tracing::warn!("single sign-on: too many sign-ins waiting for the provider");
        return Ok(to_sign_in_page("?sso_error=busy", Vec::new()));
    }
    let cookie = state_cookie(
        csrf.secret(),
        super::pending::EXPIRY_SECS,
        state.auth.secure_cookies,
    );
    Ok(see_other(url.as_str(), vec![cookie]))
}

/// The provider's answer: a code and our state, or an error (RFC 6749 §4.1.2).
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    /// The authorization code.
    code: Option<String>,
    /// Our state, back.
    state: Option<String>,
    /// The provider's error code (e.g. `access_denied`).
    error: Option<String>,
    /// The issuer (RFC 9207), when the provider sends it.
    iss: Option<String>,
}

/// Back from the provider: the state checked against the cookie and the remembered start
/// (once), the code exchanged with the PKCE verifier, the ID token verified, the person
/// found by the login claim, then a session, our second factor, or enrolment.
#[utoipa::path(get, path = "/api/v1/auth/oidc/callback", tag = "sign-in", security(()),
    params(CallbackQuery),
    responses((status = 303, description = "To `/` signed in (session cookie), to `/?sso=second_factor&methods=…` or `/?sso=enrolment_required` (pending cookie), or to `/?sso_error=<code>`"),
        (status = 404, description = "Single sign-on is not configured", body = ErrorBody)))]
pub async fn callback(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Result<Response, ApiError> {
    let oidc = state.oidc.clone().ok_or_else(not_configured)?;
    let source = client.to_string();
    let clear = state_cookie("", 0, state.auth.secure_cookies);
    match verify(&state, &oidc, &headers, query, &source).await {
        Ok((account, provider_mfa)) => {
            let program = user_agent(&headers);
            finish(&state, &account, provider_mfa, (&source, &program), clear).await
        }
        Err(Stop::Api(ApiError::TooManyRequests(_))) => {
            Ok(to_sign_in_page("?sso_error=throttled", vec![clear]))
        }
        Err(Stop::Api(error)) => Err(error),
        Err(Stop::Refused(refusal)) => {
            record(
                &state,
                None,
                "login.oidc.failed",
                refusal.login.as_deref(),
                &source,
                &refusal.reason,
            )
            .await?;
            let query = format!("?sso_error={}", refusal.code);
            Ok(to_sign_in_page(&query, vec![clear]))
        }
    }
}

/// Why a callback stopped.
enum Stop {
    /// Refused: audited, and the browser told `code`.
    Refused(Refusal),
    /// The database or the throttle.
    Api(ApiError),
}

struct Refusal {
    /// For the sign-in page: `state`, `denied`, `provider`, `unreachable`, `token`,
    /// `unknown`.
    code: &'static str,
    /// For the audit log.
    reason: String,
    /// The login the token named, if it got that far.
    login: Option<String>,
}

impl From<ApiError> for Stop {
    fn from(error: ApiError) -> Self {
        Stop::Api(error)
    }
}

fn refused(code: &'static str, reason: impl Into<String>) -> Stop {
    Stop::Refused(Refusal {
        code,
        reason: reason.into(),
        login: None,
    })
}

/// Everything up to "this is our person": the person and whether the provider's second
/// factor counts.
async fn verify(
    state: &AppState,
    oidc: &Oidc,
    headers: &HeaderMap,
    query: CallbackQuery,
    source: &str,
) -> Result<(Account, bool), Stop> {
    let now = state.now();
    count_source_attempt(state, source, now).await?;
    let sent = query.state.as_deref().filter(|s| !s.is_empty());
    let Some(sent) = sent else {
        return Err(refused("state", "no state in the callback"));
    };
    if cookie(headers, STATE_COOKIE) != Some(sent) {
        return Err(refused(
            "state",
            "the state does not match this browser's sign-in",
        ));
    }
    let started = oidc
        .take(now, sent)
        .ok_or_else(|| refused("state", "the state is unknown, expired or used"))?;
    if let Some(error) = query.error {
        let error: String = error
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || "_-.".contains(*c))
            .take(64)
            .collect();
        return Err(refused("denied", format!("the provider answered {error}")));
    }
    let provider = oidc.provider(now).await.map_err(|e| {
        refused(
            "unreachable",
            format!("the provider cannot be used: {}", chain(&e)),
        )
    })?;
    // RFC 9207: an issuer in the answer must be ours (a mix-up with another provider).
    if query
        .iss
        .as_deref()
        .is_some_and(|iss| iss != oidc.config().issuer)
    {
        return Err(refused(
            "token",
            "the callback names another issuer (RFC 9207)",
        ));
    }
    let code = query
        .code
        .filter(|c| !c.is_empty())
        .ok_or_else(|| refused("provider", "the callback carries no code"))?;
    let answer: TokenAnswer = provider
        .client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(PkceCodeVerifier::new(started.verifier))
        .request_async(&oidc.http)
        .await
        .map_err(|e| {
            let why = match &e {
                RequestTokenError::ServerResponse(answer) => {
                    format!("the provider refused the code: {answer}")
                }
                other => format!("the token request failed: {}", chain(other)),
            };
            refused("provider", why)
        })?;
    let nonce = Nonce::new(started.nonce);
    let claims = match read_claims(oidc, &provider, &answer, &nonce, now) {
        Err(ClaimsVerificationError::SignatureVerification(first)) => {
            // Perhaps the provider rolled its keys: read them again (at most once a
            // minute) and check once more; a key that is not the provider's stays out.
            match oidc.reread(&provider, now).await {
                Ok(Some(newer)) => read_claims(oidc, &newer, &answer, &nonce, now),
                Ok(None) => Err(ClaimsVerificationError::SignatureVerification(first)),
                Err(e) => {
                    return Err(refused(
                        "unreachable",
                        format!("the provider's keys cannot be read: {}", chain(&e)),
                    ))
                }
            }
        }
        other => other,
    }
    .map_err(|e| refused("token", format!("the ID token is not valid: {}", chain(&e))))?;
    let claim = &oidc.config().login_claim;
    let Some(login) = claims.login.as_deref().and_then(login_from_claim) else {
        return Err(refused(
            "unknown",
            format!("the ID token has no {claim} claim"),
        ));
    };
    let account = match Login::parse(&login) {
        Ok(parsed) => state
            .store
            .account_by_login(&parsed)
            .await
            .map_err(ApiError::from)?,
        Err(_) => None,
    };
    let Some(account) = account else {
        return Err(Stop::Refused(Refusal {
            code: "unknown",
            reason: format!("no person has the login of the {claim} claim"),
            login: Some(login),
        }));
    };
    if account.directory_dn.is_none() && !oidc.config().local_accounts {
        return Err(Stop::Refused(Refusal {
            code: "unknown",
            reason:
                "the person does not come from the directory ([auth.oidc] local_accounts = false)"
                    .into(),
            login: Some(login),
        }));
    }
    let amr: Vec<&str> = claims.amr.iter().map(String::as_str).collect();
    let provider_mfa =
        oidc.config().accept_provider_mfa && provider_second_factor(&amr, &oidc.config().mfa_amr);
    Ok((account, provider_mfa))
}

/// What the sign-in needs from a verified ID token.
struct Claims {
    /// The value of the login claim, if the token has it as text.
    login: Option<String>,
    /// The authentication methods (`amr`).
    amr: Vec<String>,
}

/// The ID token of `answer`, verified by openidconnect against `provider`'s keys,
/// issuer and our client id, its expiry by our clock, and `nonce`.
fn read_claims(
    oidc: &Oidc,
    provider: &Provider,
    answer: &TokenAnswer,
    nonce: &Nonce,
    now: i64,
) -> Result<Claims, ClaimsVerificationError> {
    let id_token = answer
        .extra_fields()
        .id_token()
        .ok_or_else(|| ClaimsVerificationError::Other("the answer has no ID token".into()))?;
    let at = chrono::DateTime::from_timestamp(now, 0).unwrap_or_default();
    // Only the provider's public keys sign: HS256 (keyed with our client secret, which
    // Keycloak offers) is refused, as is "none".
    use openidconnect::core::CoreJwsSigningAlgorithm as Alg;
    let verifier = provider
        .client
        .id_token_verifier()
        .set_allowed_algs([
            Alg::RsaSsaPkcs1V15Sha256,
            Alg::RsaSsaPkcs1V15Sha384,
            Alg::RsaSsaPkcs1V15Sha512,
            Alg::RsaSsaPssSha256,
            Alg::RsaSsaPssSha384,
            Alg::RsaSsaPssSha512,
            Alg::EcdsaP256Sha256,
            Alg::EcdsaP384Sha384,
            Alg::EcdsaP521Sha512,
            Alg::EdDsa,
        ])
        .set_time_fn(move || at);
    let claims = id_token.claims(&verifier, nonce)?;
    let login = match oidc.config().login_claim.as_str() {
        "sub" => Some(claims.subject().to_string()),
        "preferred_username" => claims.preferred_username().map(|u| u.to_string()),
        "email" => claims.email().map(|e| e.to_string()),
        other => claims
            .additional_claims()
            .0
            .get(other)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned),
    };
    let amr = claims
        .auth_method_refs()
        .map(|refs| refs.iter().map(|r| r.to_string()).collect())
        .unwrap_or_default();
    Ok(Claims { login, amr })
}

/// The person is ours: a session, or our second factor or enrolment, as after a password
/// (unless the provider's second factor counts).
async fn finish(
    state: &AppState,
    account: &Account,
    provider_mfa: bool,
    (source, program): (&str, &str),
    clear: String,
) -> Result<Response, ApiError> {
    let from_office = source.parse().is_ok_and(|ip| state.auth.from_office(ip));
    let facts = factor_facts(state, account, from_office).await?;
    match after_provider(facts, provider_mfa) {
        AfterPassword::SignedIn => {
            let started = start_session_for(state, account, source, program, "oidc").await?;
            let (parts, _) = started.with_body(serde_json::json!({})).into_parts();
            let mut cookies: Vec<String> = parts
                .headers
                .get_all(header::SET_COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok().map(str::to_owned))
                .collect();
            cookies.push(clear);
            Ok(to_sign_in_page("", cookies))
        }
        AfterPassword::SecondFactor(methods) => {
            let pending = pending_cookie(state, account, false, source).await?;
            let names: Vec<&str> = methods.iter().map(method_name).collect();
            let query = format!("?sso=second_factor&methods={}", names.join(","));
            Ok(to_sign_in_page(&query, vec![pending, clear]))
        }
        AfterPassword::Enrol => {
            let pending = pending_cookie(state, account, true, source).await?;
            Ok(to_sign_in_page(
                "?sso=enrolment_required",
                vec![pending, clear],
            ))
        }
    }
}

fn method_name(method: &Method) -> &'static str {
    match method {
        Method::Totp => "totp",
        Method::Sms => "sms",
        Method::Recovery => "recovery",
        Method::Letter => "letter",
    }
}

/// Sign out at the provider as well (OpenID Connect RP-Initiated Logout): to its end
/// session endpoint, which sends the browser back to our start page; to our start page
/// at once when the provider has none. Our own session ends with `POST /auth/logout`.
#[utoipa::path(get, path = "/api/v1/auth/oidc/logout", tag = "sign-in", security(()),
    responses((status = 303, description = "To the provider's end session endpoint, or to `/`"),
        (status = 404, description = "Single sign-on is not configured", body = ErrorBody)))]
pub async fn logout(State(state): State<AppState>) -> Result<Response, ApiError> {
    let oidc = state.oidc.clone().ok_or_else(not_configured)?;
    let end_session = end_session_url(&oidc, state.now()).await;
    Ok(see_other(end_session.as_deref().unwrap_or("/"), Vec::new()))
}

async fn end_session_url(oidc: &Arc<Oidc>, now: i64) -> Option<String> {
    let provider = oidc.provider(now).await.ok()?;
    let end = provider.end_session.clone()?;
    let back = PostLogoutRedirectUrl::new(oidc.config().origin()?).ok()?;
    let url = LogoutRequest::from(end)
        .set_client_id(provider.client.client_id().clone())
        .set_post_logout_redirect_uri(back)
        .http_get_url();
    Some(url.to_string())
}

/// `Set-Cookie` for the state cookie (empty and `max_age` 0 deletes it).
fn state_cookie(value: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{STATE_COOKIE}={value}; Path={STATE_COOKIE_PATH}; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// 303 to our start page with `query` (the web client reads `sso` and `sso_error`).
fn to_sign_in_page(query: &str, cookies: Vec<String>) -> Response {
    see_other(&format!("/{query}"), cookies)
}

fn see_other(location: &str, cookies: Vec<String>) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SEE_OTHER;
    let headers = response.headers_mut();
    match HeaderValue::from_str(location) {
        Ok(value) => {
            headers.insert(header::LOCATION, value);
        }
        Err(_) => return ApiError::Internal.into_response(),
    }
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
    response
}
