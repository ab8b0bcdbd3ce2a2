//! Administration: staff, units, features, factor resets, letter codes, locks, the audit
//! log, the second-factor rule, outgoing e-mail and the fields several forms share. Every
//! handler takes an `Admin`, made only after the role check.

pub mod audit;
pub mod audit_trail;
pub mod fields;
pub mod mail;
pub mod security;
pub mod staff;

use crate::admin::audit_trail::record;
use crate::error::ApiError;
use crate::AppState;
use directory::{Login, StaffRecord};
use store::Store;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(crate) async fn person(store: &Store, login: &str) -> Result<StaffRecord, ApiError> {
    let login = Login::parse(login)?;
    store
        .person(&login)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no person with login {login}")))
}

/// The person and their account, or 404.
pub(crate) async fn person_and_account(
    store: &Store,
    login: &str,
) -> Result<(StaffRecord, store::Account), ApiError> {
    let p = person(store, login).await?;
    let account = store
        .account_by_login(&p.login)
        .await?
        .ok_or(ApiError::Internal)?;
    Ok((p, account))
}

/// Audits an admin's action on a person (or on everything, with `target` `None`).
pub(crate) async fn audit_admin(
    state: &AppState,
    admin: &crate::auth::session::SignedIn,
    action: &str,
    target: Option<&str>,
    detail: impl Into<String>,
) -> Result<(), ApiError> {
    record(
        state,
        Some(admin.account.login.as_str()),
        action,
        target,
        &admin.session.source,
        detail,
    )
    .await
}

/// Staff, units, features, factors, locks, the audit log and the second-factor rule.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(staff::list_staff))
        .routes(routes!(staff::get_staff, staff::patch_staff))
        .routes(routes!(security::reset_factors))
        .routes(routes!(security::letter_code))
        .routes(routes!(security::unlock))
        .routes(routes!(staff::switch_feature))
        .routes(routes!(staff::units))
        .routes(routes!(security::locked))
        .routes(routes!(audit::audit))
        .routes(routes!(audit::audit_csv))
        .routes(routes!(security::get_rule, security::put_rule))
        .routes(routes!(mail::overview))
        .routes(routes!(mail::send_test))
}
