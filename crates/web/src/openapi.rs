//! The OpenAPI 3.1 document of the HTTP API, served at `GET /api/v1/openapi.json`.
//! Each feature adds its paths here, next to the handlers it documents.

use axum::Json;
use serde_json::{json, Value};

/// The whole document.
pub fn document() -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Durchwahl API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Self-hosted communications and mobile-work server for public administrations.",
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"}
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/healthz": {
                "get": {
                    "summary": "Whether the server and its database are reachable",
                    "operationId": "healthz",
                    "tags": ["operations"],
                    "responses": {
                        "200": {"description": "Server and database are up",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
                        "503": {"description": "The database cannot be reached",
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}
                    }
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "operationId": "openapi",
                    "tags": ["operations"],
                    "responses": {"200": {"description": "The OpenAPI document", "content": {"application/json": {}}}}
                }
            }
        },
        "components": {
            "schemas": {
                "Health": {
                    "type": "object",
                    "required": ["status", "database"],
                    "properties": {
                        "status": {"type": "string", "enum": ["ok", "error"]},
                        "database": {"type": "string", "enum": ["ok", "unreachable"]}
                    }
                }
            }
        }
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn handler() -> Json<Value> {
    Json(document())
}
