//! Signing in and sessions: password and second factor (counted before checked), session
//! cookies and the extractors that guard every endpoint, the own account (password,
//! authenticator app, recovery codes, sessions), SMS codes, single sign-on (`oidc`).

pub mod account;
pub mod attempts;
pub mod config;
pub mod hashing_gate;
pub mod oidc;
pub mod session;
pub mod settings;
pub mod sign_in;
pub mod sms_gateway;

use crate::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Sign-in and the own account.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(sign_in::login))
        .routes(routes!(sign_in::second_factor))
        .routes(routes!(sign_in::send_sms))
        .routes(routes!(sign_in::logout))
        .routes(routes!(oidc::flow::offer))
        .routes(routes!(oidc::flow::start))
        .routes(routes!(oidc::flow::callback))
        .routes(routes!(oidc::flow::logout))
        .routes(routes!(account::me))
        .routes(routes!(account::change_password))
        .routes(routes!(account::begin_totp))
        .routes(routes!(account::confirm_totp))
        .routes(routes!(account::new_recovery_codes))
        .routes(routes!(account::sessions, account::end_all_sessions))
        .routes(routes!(account::end_one_session))
}
