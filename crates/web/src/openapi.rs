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

/// One operation: summary, tag, whether a session (and which role) is needed, an optional
/// JSON request body schema, and the documented answers.
pub(crate) fn op(
    summary: &str,
    tag: &str,
    access: &str,
    body: Option<Value>,
    answers: &[(&str, &str)],
) -> Value {
    let mut responses = serde_json::Map::new();
    for (code, text) in answers {
        responses.insert(
            code.to_string(),
            json!({"description": text, "content": {"application/json": {}}}),
        );
    }
    let mut operation = json!({"summary": summary, "tags": [tag], "responses": responses});
    match access {
        "public" => operation["security"] = json!([]),
        "pending" => operation["security"] = json!([{"pendingCookie": []}]),
        role => {
            operation["security"] = json!([{"sessionCookie": []}]);
            operation["x-required-role"] = json!(role);
            operation["responses"]["401"] = json!({"description": "No valid session"});
            if role == "admin" {
                operation["responses"]["403"] = json!({"description": "Not an administrator, or the X-CSRF-Token header is missing on a write"});
            }
        }
    }
    if let Some(schema) = body {
        operation["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": schema}}});
    }
    operation
}

pub(crate) fn object(props: &[(&str, &str)], required: &[&str]) -> Value {
    let properties: serde_json::Map<String, Value> = props
        .iter()
        .map(|(k, t)| (k.to_string(), json!({"type": t})))
        .collect();
    json!({"type": "object", "additionalProperties": false, "required": required, "properties": properties})
}

/// Sign-in, own account and admin paths.
fn api_paths() -> Vec<(&'static str, Value)> {
    let code = || Some(object(&[("code", "string")], &["code"]));
    let ok = &[("200", "Done")][..];
    vec![
        (
            "/api/v1/auth/login",
            json!({"post": op("Sign in with login and password", "sign-in", "public",
            Some(object(&[("login", "string"), ("password", "string")], &["login", "password"])),
            &[("200", "{\"status\":\"ok\"} with the session cookie, {\"status\":\"second_factor\",\"methods\":[…]} or {\"status\":\"enrolment_required\"} with a pending cookie"),
              ("401", "Wrong login or password (never says which)"), ("429", "Too many attempts; see Retry-After"), ("503", "Too many sign-ins at once; see Retry-After")])}),
        ),
        (
            "/api/v1/auth/second-factor",
            json!({"post": op("Give the second factor", "sign-in", "pending",
            Some(object(&[("method", "string"), ("code", "string")], &["method", "code"])),
            &[("200", "Session started, or enrolment_required after a letter code"), ("401", "Wrong or used code"), ("429", "Too many attempts")])}),
        ),
        (
            "/api/v1/auth/sms",
            json!({"post": op("Send a sign-in code by SMS", "sign-in", "pending", None,
            &[("200", "Sent"), ("400", "No mobile number on record"), ("429", "One SMS per 30 seconds"), ("503", "The gateway failed")])}),
        ),
        (
            "/api/v1/auth/logout",
            json!({"post": op("Sign out", "sign-in", "user", None, ok)}),
        ),
        (
            "/api/v1/me",
            json!({"get": op("Who is signed in (with the CSRF token for writes)", "account", "user", None, ok)}),
        ),
        (
            "/api/v1/me/password",
            json!({"post": op("Change own password; ends the other sessions", "account", "user",
            Some(object(&[("current", "string"), ("new", "string")], &["current", "new"])), &[("200", "Changed"), ("400", "Too short or too common"), ("401", "Current password wrong")])}),
        ),
        (
            "/api/v1/me/totp",
            json!({"post": op("Start enrolling an authenticator app", "account", "user", None,
            &[("200", "{secret, otpauth_uri, qr_svg}"), ("409", "An app is already set up")])}),
        ),
        (
            "/api/v1/me/totp/confirm",
            json!({"post": op("Confirm the app with a first code; returns 10 recovery codes", "account", "user", code(),
            &[("200", "Confirmed; recovery codes shown once"), ("401", "Wrong code")])}),
        ),
        (
            "/api/v1/me/recovery-codes",
            json!({"post": op("New recovery codes (the old ones stop working)", "account", "user", None, ok)}),
        ),
        (
            "/api/v1/me/sessions",
            json!({
            "get": op("Own sessions", "account", "user", None, ok),
            "delete": op("Sign out everywhere", "account", "user", None, ok)}),
        ),
        (
            "/api/v1/me/sessions/{id}",
            json!({"delete": op("End one of own sessions", "account", "user", None, &[("200", "Ended"), ("404", "No such session")])}),
        ),
        (
            "/api/v1/admin/staff",
            json!({"get": op("Staff list: ?q= search, ?unit= filter, ?limit=, ?offset=", "admin", "admin", None, &[("200", "{total, staff}"), ("404", "Unknown unit")])}),
        ),
        (
            "/api/v1/admin/staff/{login}",
            json!({
            "get": op("One person with factors and lock state", "admin", "admin", None, &[("200", "The person"), ("404", "Unknown login")]),
            "patch": op("Change a person (absent fields stay, null clears)", "admin", "admin",
                Some(json!({"type": "object", "additionalProperties": false, "properties": {
                    "name": {"type": "string"}, "unit": {"type": "string"}, "extension": {"type": "string"},
                    "email": {"type": ["string", "null"]}, "mobile": {"type": ["string", "null"]}, "home_phone": {"type": ["string", "null"]},
                    "roles": {"type": "array", "items": {"type": "string"}}, "features": {"type": "array", "items": {"type": "string"}}}})),
                &[("200", "Changed"), ("400", "Invalid value; a name or unit with a hidden character (bidi override, zero-width, BOM…) answers {field, problem: hidden_character}"), ("404", "Unknown login or unit"), ("409", "Extension taken")])}),
        ),
        (
            "/api/v1/admin/staff/{login}/reset-factors",
            json!({"post": op("Remove a person's second factors and end their sessions", "admin", "admin", None, ok)}),
        ),
        (
            "/api/v1/admin/staff/{login}/letter-code",
            json!({"post": op("Issue a one-time enrolment-letter code", "admin", "admin", None, ok)}),
        ),
        (
            "/api/v1/admin/staff/{login}/unlock",
            json!({"post": op("Unlock an account locked by failed sign-ins", "admin", "admin", None, ok)}),
        ),
        (
            "/api/v1/admin/features",
            json!({"post": op("Switch a feature for a unit (with sub-units) or for logins", "admin", "admin",
            Some(json!({"type": "object", "required": ["feature", "on"], "properties": {"feature": {"type": "string"}, "on": {"type": "boolean"},
                "unit": {"type": "string"}, "logins": {"type": "array", "items": {"type": "string"}}}})),
            &[("200", "{selected, changed}"), ("400", "Unknown feature or no selection"), ("404", "Unknown unit or logins")])}),
        ),
        (
            "/api/v1/admin/units",
            json!({"get": op("All units", "admin", "admin", None, ok)}),
        ),
        (
            "/api/v1/admin/locked",
            json!({"get": op("Accounts locked now", "admin", "admin", None, ok)}),
        ),
        (
            "/api/v1/admin/audit",
            json!({"get": op("Audit log: ?person= ?action= (prefix) ?since= ?until= ?limit=", "admin", "admin", None, ok)}),
        ),
        (
            "/api/v1/admin/audit.csv",
            json!({"get": op("Audit log as CSV (same filters)", "admin", "admin", None, ok)}),
        ),
        (
            "/api/v1/admin/second-factor",
            json!({
            "get": op("Who must use a second factor", "admin", "admin", None, ok),
            "put": op("Set who must use a second factor", "admin", "admin",
                Some(json!({"type": "object", "properties": {"everyone": {"type": "boolean"}, "units": {"type": "array", "items": {"type": "string"}}, "outside_office": {"type": "boolean"}}})),
                &[("200", "Saved"), ("404", "Unknown unit")])}),
        ),
    ]
}

/// `GET /api/v1/openapi.json`.
pub async fn handler() -> Json<Value> {
    let mut doc = document();
    for (path, item) in api_paths()
        .into_iter()
        .chain(crate::realtime::openapi::paths())
        .chain(crate::phones::openapi::paths())
        .chain(crate::forwarding::openapi::paths())
    {
        doc["paths"][path] = item;
    }
    doc["components"]["securitySchemes"] = json!({
        "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "dw_session",
            "description": "Writes also need the X-CSRF-Token header with the csrf_token from GET /api/v1/me"},
        "pendingCookie": {"type": "apiKey", "in": "cookie", "name": "dw_pending"}
    });
    Json(doc)
}
