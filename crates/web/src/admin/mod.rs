//! Administration: staff, units, features, factor resets, letter codes, locks, the audit
//! log and the second-factor rule.

pub mod api;
pub mod audit_trail;

use crate::AppState;
use axum::routing::{get, patch, post};
use axum::Router;

/// Staff, units, features, factors, locks, the audit log and the second-factor rule.
pub fn routes() -> Router<AppState> {
    use api as a;
    Router::new()
        .route("/api/v1/admin/staff", get(a::list_staff))
        .route(
            "/api/v1/admin/staff/{login}",
            get(a::get_staff).merge(patch(a::patch_staff)),
        )
        .route(
            "/api/v1/admin/staff/{login}/reset-factors",
            post(a::reset_factors),
        )
        .route(
            "/api/v1/admin/staff/{login}/letter-code",
            post(a::letter_code),
        )
        .route("/api/v1/admin/staff/{login}/unlock", post(a::unlock))
        .route("/api/v1/admin/features", post(a::switch_feature))
        .route("/api/v1/admin/units", get(a::units))
        .route("/api/v1/admin/locked", get(a::locked))
        .route("/api/v1/admin/audit", get(a::audit))
        .route("/api/v1/admin/audit.csv", get(a::audit_csv))
        .route(
            "/api/v1/admin/second-factor",
            get(a::get_rule).put(a::put_rule),
        )
}
