//! Administrators and sign-in security: resetting a person's factors, enrolment
//! letters, locked accounts and unlocking, the rule of who needs a second factor.

use crate::admin::{audit_admin, person, person_and_account};
use crate::auth::session::Admin;
use crate::done::{Done, DONE};
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use auth::sign_in::SecondFactorRule;
use axum::extract::{Path, State};
use axum::Json;
use directory::UnitPath;
use serde::Serialize;
use store::{FailureScope, Store};
use utoipa::ToSchema;

const RULE_KEY: &str = "auth.second_factor";

/// The stored second-factor rule (default: not required).
pub async fn second_factor_rule(store: &Store) -> Result<SecondFactorRule, ApiError> {
    match store.setting(RULE_KEY).await? {
        Some(text) => serde_json::from_str(&text).map_err(|e| {
            tracing::error!(error = %e, "stored second-factor rule is invalid");
            ApiError::Internal
        }),
        None => Ok(SecondFactorRule::default()),
    }
}

/// Reset a person's second factors: removes the app, the codes, the letter and every
/// session (and closes the person's sockets).
#[utoipa::path(post, path = "/api/v1/admin/staff/{login}/reset-factors", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("login" = String, Path)),
    responses((status = 200, body = Done), (status = 404, description = "Unknown login", body = ErrorBody)))]
pub async fn reset_factors(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(login): Path<String>,
) -> Result<Json<Done>, ApiError> {
    let (p, account) = person_and_account(&state.store, &login).await?;
    state.store.reset_factors(account.id).await?;
    // The store ended the sessions with the factors; their sockets end now too.
    state.live.end_person(account.id, None);
    audit_admin(
        &state,
        &admin,
        "admin.factors.reset",
        Some(p.login.as_str()),
        "",
    )
    .await?;
    Ok(Json(DONE))
}

/// A one-time code for an enrolment letter.
#[derive(Serialize, ToSchema)]
pub struct LetterCode {
    login: String,
    name: String,
    /// Shown only this once.
    code: String,
    /// Unix seconds.
    expires_at: i64,
}

/// A one-time code to print and send: the person signs in with it and enrols an app.
#[utoipa::path(post, path = "/api/v1/admin/staff/{login}/letter-code", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("login" = String, Path)),
    responses((status = 200, body = LetterCode), (status = 404, description = "Unknown login", body = ErrorBody)))]
pub async fn letter_code(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(login): Path<String>,
) -> Result<Json<LetterCode>, ApiError> {
    let (p, account) = person_and_account(&state.store, &login).await?;
    let code = auth::codes::generate_letter_code();
    let expires_at = state.now() + state.auth.letter_code_secs;
    state
        .store
        .set_letter_code(
            account.id,
            &auth::codes::hash_code(&code),
            expires_at,
            admin.account.login.as_str(),
        )
        .await?;
    audit_admin(
        &state,
        &admin,
        "admin.letter_code.issued",
        Some(p.login.as_str()),
        "",
    )
    .await?;
    Ok(Json(LetterCode {
        login: p.login.as_str().to_owned(),
        name: p.name,
        code,
        expires_at,
    }))
}

/// An unlock.
#[derive(Serialize, ToSchema)]
pub struct Unlocked {
    #[schema(example = "ok")]
    status: &'static str,
    /// Whether failures were counted.
    had_failures: bool,
}

/// Lift a person's lock and forget their failed attempts.
#[utoipa::path(post, path = "/api/v1/admin/staff/{login}/unlock", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("login" = String, Path)),
    responses((status = 200, body = Unlocked), (status = 404, description = "Unknown login", body = ErrorBody)))]
pub async fn unlock(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Path(login): Path<String>,
) -> Result<Json<Unlocked>, ApiError> {
    let p = person(&state.store, &login).await?;
    let was_locked = state
        .store
        .clear_failures(FailureScope::Account, p.login.as_str())
        .await?;
    audit_admin(&state, &admin, "admin.unlocked", Some(p.login.as_str()), "").await?;
    Ok(Json(Unlocked {
        status: "ok",
        had_failures: was_locked,
    }))
}

/// A locked account.
#[derive(Serialize, ToSchema)]
pub struct Lock {
    login: String,
    failures: i64,
    /// Unix seconds.
    locked_until: i64,
}

/// Locked accounts.
#[derive(Serialize, ToSchema)]
pub struct Locks {
    locked: Vec<Lock>,
}

/// The accounts locked now.
#[utoipa::path(get, path = "/api/v1/admin/locked", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    responses((status = 200, body = Locks)))]
pub async fn locked(State(state): State<AppState>, _: Admin) -> Result<Json<Locks>, ApiError> {
    let locked = state
        .store
        .locked_accounts(state.now())
        .await?
        .into_iter()
        .map(|l| Lock {
            login: l.login,
            failures: l.failures,
            locked_until: l.locked_until,
        })
        .collect();
    Ok(Json(Locks { locked }))
}

/// Who must use a second factor (documented here; the type lives in the `auth` core).
#[derive(ToSchema)]
#[schema(as = SecondFactorRule)]
#[allow(dead_code)] // only its schema is used
struct SecondFactorRuleSchema {
    /// Everyone.
    everyone: bool,
    /// People in these units (paths) and the units below them.
    units: Vec<String>,
    /// Sign-ins from addresses outside the configured office networks.
    outside_office: bool,
}

/// Who must use a second factor.
#[utoipa::path(get, path = "/api/v1/admin/second-factor", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    responses((status = 200, body = SecondFactorRuleSchema)))]
pub async fn get_rule(
    State(state): State<AppState>,
    _: Admin,
) -> Result<Json<SecondFactorRule>, ApiError> {
    Ok(Json(second_factor_rule(&state.store).await?))
}

/// Set who must use a second factor; people without one are led through enrolment at
/// their next sign-in.
#[utoipa::path(put, path = "/api/v1/admin/second-factor", tag = "admin",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    request_body = SecondFactorRuleSchema,
    responses((status = 200, body = SecondFactorRuleSchema),
        (status = 404, description = "Unknown unit", body = ErrorBody),
        (status = 422, description = "Not the documented JSON")))]
pub async fn put_rule(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Json(rule): Json<SecondFactorRule>,
) -> Result<Json<SecondFactorRule>, ApiError> {
    for unit in &rule.units {
        let path = UnitPath::parse(unit)?;
        if !state.store.unit_exists(&path).await? {
            return Err(ApiError::NotFound(format!("no unit {unit:?}")));
        }
    }
    let text = serde_json::to_string(&rule).map_err(|_| ApiError::Internal)?;
    state.store.set_setting(RULE_KEY, &text).await?;
    audit_admin(&state, &admin, "admin.second_factor.rule", None, text).await?;
    Ok(Json(rule))
}
