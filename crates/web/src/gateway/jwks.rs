//! `/.well-known/jwks.json`: the public key set upstreams verify identity tokens with.

use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

/// The gateway's public keys (RFC 7517, Ed25519 as RFC 8037 describes).
#[utoipa::path(
    get,
    path = "/.well-known/jwks.json",
    tag = "gateway",
    responses((status = 200, description = "The key set: one OKP key (Ed25519) with its kid, the RFC 7638 thumbprint.", body = Object))
)]
pub async fn key_set(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        axum::Json(state.gateway.signer.jwks()),
    )
}
