//! OpenAPI paths of call forwarding rules.

use crate::openapi::op;
use serde_json::{json, Value};

/// The request body: all three rules, replaced together.
fn rules_schema() -> Value {
    let target = json!({"type": ["string", "null"],
        "description": "Extension of another person in the directory; blank or null for none. Kept while the rule is off."});
    let rule = json!({"type": "object", "additionalProperties": false, "required": ["on"],
        "properties": {"on": {"type": "boolean"}, "target": target}});
    json!({
        "type": "object", "additionalProperties": false,
        "required": ["always", "busy", "no_answer"],
        "properties": {
            "always": rule,
            "busy": rule,
            "no_answer": {"type": "object", "additionalProperties": false, "required": ["on"],
                "properties": {"on": {"type": "boolean"}, "target": target,
                    "seconds": {"type": "integer", "minimum": 5, "maximum": 120, "default": 20,
                        "description": "Seconds of ringing before the call is forwarded"}}}
        }
    })
}

/// The paths.
pub fn paths() -> Vec<(&'static str, Value)> {
    let shown = "{login, extension, always: {on, target, target_name}, busy: {…}, \
                 no_answer: {on, target, target_name, seconds}}";
    let refused = "Bad rule; nothing changed. {error, message (German), field (e.g. busy.target), \
                   problem: not_an_extension | target_missing | own_extension | unknown_extension | \
                   seconds_out_of_range}";
    let malformed = "The body is not the documented JSON (unknown field, wrong type)";
    vec![
        (
            "/api/v1/me/forwarding",
            json!({
                "get": op("Own call forwarding rules (everyone has an extension, so everyone may set them)",
                    "forwarding", "user", None, &[("200", shown)]),
                "put": op("Replace own call forwarding rules", "forwarding", "user", Some(rules_schema()),
                    &[("200", shown), ("400", refused), ("403", "The X-CSRF-Token header is missing"),
                      ("422", malformed)]),
            }),
        ),
        (
            "/api/v1/admin/staff/{login}/forwarding",
            json!({
                "get": op("A person's call forwarding rules", "forwarding", "admin", None,
                    &[("200", shown), ("404", "Unknown login")]),
                "put": op("Replace a person's call forwarding rules", "forwarding", "admin", Some(rules_schema()),
                    &[("200", shown), ("400", refused), ("404", "Unknown login"), ("422", malformed)]),
            }),
        ),
    ]
}
