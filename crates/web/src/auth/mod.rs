//! Signing in and sessions: password and second factor (counted before checked), session
//! cookies and the extractors that guard every endpoint, the own account (password,
//! authenticator app, recovery codes, sessions), SMS codes.

pub mod account;
pub mod attempts;
pub mod hashing_gate;
pub mod session;
pub mod settings;
pub mod sign_in;
pub mod sms_gateway;

use crate::AppState;
use axum::routing::{delete, get, post};
use axum::Router;

/// Sign-in and the own account.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(sign_in::login))
        .route("/api/v1/auth/second-factor", post(sign_in::second_factor))
        .route("/api/v1/auth/sms", post(sign_in::send_sms))
        .route("/api/v1/auth/logout", post(sign_in::logout))
        .route("/api/v1/me", get(account::me))
        .route("/api/v1/me/password", post(account::change_password))
        .route("/api/v1/me/totp", post(account::begin_totp))
        .route("/api/v1/me/totp/confirm", post(account::confirm_totp))
        .route(
            "/api/v1/me/recovery-codes",
            post(account::new_recovery_codes),
        )
        .route(
            "/api/v1/me/sessions",
            get(account::sessions).delete(account::end_all_sessions),
        )
        .route("/api/v1/me/sessions/{id}", delete(account::end_one_session))
}
