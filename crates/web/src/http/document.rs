//! `GET /api/v1/openapi.json`: the OpenAPI document, generated once at start from the
//! route list (see `crate::openapi`).

use axum::http::header;
use axum::response::IntoResponse;
use axum::Extension;
use std::sync::Arc;

/// The rendered document.
#[derive(Clone)]
pub struct RenderedDocument(pub Arc<str>);

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document of this API", content_type = "application/json")))]
pub async fn document(Extension(doc): Extension<RenderedDocument>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        doc.0.to_string(),
    )
}
