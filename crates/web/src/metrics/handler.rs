//! `GET /metrics`: the Prometheus text format, for a scraper with the token.

use super::{gauges, process};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

/// The text format's media type (Prometheus exposition format 0.0.4).
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The server's metrics in the Prometheus text format.
///
/// HTTP requests and their durations, sign-ins, WebSocket clients, SIP registrations,
/// calls, media legs, hotline queues, the database pool and write queues, the process's
/// CPU and memory (docs/metrics.md). Only with `Authorization: Bearer <[metrics] token>`;
/// without a configured token the endpoint is off.
#[utoipa::path(get, path = "/metrics", tag = "operations", security(("metricsToken" = [])),
    responses((status = 200, description = "The metrics in the Prometheus text format",
            content_type = "text/plain; version=0.0.4; charset=utf-8", body = String),
        (status = 401, description = "No bearer token, or not the configured one"),
        (status = 404, description = "No [metrics] token is configured: the endpoint is off")))]
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(metrics) = &state.metrics else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !metrics.token.admits(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")],
        )
            .into_response();
    }
    gauges::set(&state, metrics.services.as_deref()).await;
    let mut text = metrics.handle.render();
    process::render(&mut text);
    ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response()
}
