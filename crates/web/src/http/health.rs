//! `GET /healthz`: whether the server can reach its database, for monitoring.

use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

/// The server's and its database's state.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `error`.
    #[schema(example = "ok")]
    status: &'static str,
    /// `ok` or `unreachable`.
    #[schema(example = "ok")]
    database: &'static str,
}

/// Whether the server and its database are reachable (details of a failure only in the
/// log).
#[utoipa::path(get, path = "/healthz", tag = "operations", security(()),
    responses((status = 200, description = "Server and database are up", body = Health),
        (status = 503, description = "The database cannot be reached", body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    match state.store.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(Health {
                status: "ok",
                database: "ok",
            }),
        ),
        Err(error) => {
            tracing::warn!(%error, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "error",
                    database: "unreachable",
                }),
            )
        }
    }
}
