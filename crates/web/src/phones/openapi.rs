//! OpenAPI paths of SIP devices (softphones, desk phones, mobiles).

use crate::openapi::{object, op};
use serde_json::{json, Value};

/// The paths.
pub fn paths() -> Vec<(&'static str, Value)> {
    let label = || Some(object(&[("label", "string")], &["label"]));
    let created = "The device with its credentials, shown only this once: \
                   {label, sip_username, sip_password, extension, domain}";
    let list = "{phones: [{label, sip_username, extension, domain, created_at}]}";
    vec![
        (
            "/api/v1/me/phones",
            json!({
                "get": op("Own SIP devices", "phones", "user", None,
                    &[("200", "{phones: […], softphone: bool (may register), domain}")]),
                "post": op("Add an own softphone (needs the softphone feature)", "phones", "user", label(),
                    &[("201", created), ("400", "Label empty, over 60 characters or with control characters; a label with a hidden character (bidi override, zero-width, BOM…) answers {field: label, problem: hidden_character}"),
                      ("403", "No softphone feature"), ("409", "A device with this label exists")]),
            }),
        ),
        (
            "/api/v1/me/phones/{sip_username}",
            json!({"delete": op("Remove an own device; it can no longer register", "phones", "user", None,
                &[("204", "Removed"), ("404", "Not one of the own devices")])}),
        ),
        (
            "/api/v1/admin/staff/{login}/phones",
            json!({
                "get": op("A person's SIP devices", "phones", "admin", None, &[("200", list)]),
                "post": op("Add a device for a person", "phones", "admin", label(),
                    &[("201", created), ("400", "Bad label (as for one's own phones)"), ("404", "Unknown person"),
                      ("409", "A device with this label exists")]),
            }),
        ),
        (
            "/api/v1/admin/phones/{sip_username}",
            json!({"delete": op("Remove a device", "phones", "admin", None,
                &[("204", "Removed"), ("404", "No such device")])}),
        ),
    ]
}
