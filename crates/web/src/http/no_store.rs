//! `Cache-Control: no-store` on every API answer that does not say otherwise: answers
//! carry sessions' CSRF tokens, recovery codes, authenticator secrets, device passwords
//! and letter codes, which must stay in no browser or proxy cache.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The middleware.
pub async fn api_answers(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    if api {
        response
            .headers_mut()
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    response
}
