//! The one route list: every feature registers its routes through utoipa-axum's
//! [`OpenApiRouter`], which takes each handler's `#[utoipa::path]` description (method,
//! path, bodies, answers, who may call it) together with the route, so the router and the
//! OpenAPI 3.1 document served at `GET /api/v1/openapi.json` cannot drift apart.
//!
//! Who may call an operation is part of its description: `security` names the cookie it
//! needs (`sessionCookie`, `pendingCookie`, or none) and the extension `x-required-role`
//! the role (`user` or `admin`). The answers every guarded operation shares (401 without a
//! session, 403 for a missing role or CSRF token) are added here once
//! ([`GuardedAnswers`]); a test walks the document and calls every operation without a
//! session and with the wrong role.

use crate::error::ErrorBody;
use crate::AppState;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, RefOr, Response};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

/// The document's frame: title, licence, tags, the cookies, shared schemas.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Durchwahl API",
        description = "Self-hosted communications and mobile-work server for public administrations.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    servers((url = "/")),
    components(schemas(ErrorBody)),
    modifiers(&Cookies),
    tags(
        (name = "sign-in", description = "Password, second factor, sign-out"),
        (name = "account", description = "The own account: password, authenticator app, recovery codes, sessions"),
        (name = "presence", description = "Presence, the team panel, favourites, watches"),
        (name = "chat", description = "Rooms, messages, attachments, search"),
        (name = "phones", description = "SIP devices and their credentials"),
        (name = "forwarding", description = "Call forwarding rules"),
        (name = "hotline", description = "Hotlines: agents, the wallboard, reports, cases"),
        (name = "voicemail", description = "The voicemail boxes one hears (one's own, one's hotlines', one's units'): messages, settings, greetings"),
        (name = "fax", description = "The fax boxes one uses: received and sent faxes, their PDFs, sending"),
        (name = "mobile-work", description = "Mobile work: the service agreement's rules and texts, units' heads and deputies, applications, decisions, revocations"),
        (name = "rollout", description = "Phased rollout: per feature a cap, holders and a waiting list in priority order; one's own place"),
        (name = "desks", description = "Desk sharing: buildings, floors with plans, rooms, desks; booking by the day or half-day, who sits where, check-in by the desk's QR code"),
        (name = "gateway", description = "The access gateway: internal applications published per unit, role, feature, second factor, network and hours; the portal of one's applications; the key set upstreams verify identity tokens with (docs/gateway.md)"),
        (name = "equipment", description = "The equipment pool: items with inventory numbers, lending and returning, reservations for days, waiting lists per kind, one's own equipment"),
        (name = "team-week", description = "The team's week and the office rotation: one's week by half-day, the team calendar, a unit's rules, proposing, checking and accepting a rotation, iCal feeds and CSV"),
        (name = "admin", description = "Staff, units, features, factors, locks, the audit log"),
        (name = "realtime", description = "The real-time WebSocket (protocol in docs/realtime-protocol.md)"),
        (name = "operations", description = "Health, metrics (Prometheus, behind a bearer token) and this document"),
    )
)]
pub struct ApiDoc;

/// The two cookies: a session's, and a sign-in's waiting for its second factor.
struct Cookies;

impl Modify for Cookies {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        for (name, cookie, what) in [
            (
                "sessionCookie",
                "dw_session",
                "The session of a signed-in person",
            ),
            (
                "pendingCookie",
                "dw_pending",
                "A sign-in waiting for its second factor or enrolment",
            ),
        ] {
            let scheme = ApiKey::Cookie(ApiKeyValue::with_description(cookie, what));
            components.add_security_scheme(name, SecurityScheme::ApiKey(scheme));
        }
    }
}

/// The answers every guarded operation has, added once instead of on every handler.
struct GuardedAnswers;

impl Modify for GuardedAnswers {
    fn modify(&self, doc: &mut Document) {
        for item in doc.paths.paths.values_mut() {
            let writes = [
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for op in writes.into_iter().flatten() {
                add_guards(op, true);
            }
            if let Some(op) = item.get.as_mut() {
                add_guards(op, false);
            }
        }
    }
}

fn add_guards(op: &mut Operation, write: bool) {
    let Some(role) = required_role(op) else {
        return;
    };
    let answer = |text: &str| RefOr::T(Response::new(text));
    op.responses
        .responses
        .entry("401".into())
        .or_insert_with(|| answer("No valid session"));
    let forbidden = match (role.as_str(), write) {
        ("admin", true) => Some("Not an administrator, or the X-CSRF-Token header is missing"),
        ("admin", false) => Some("Not an administrator"),
        (_, true) => Some("The X-CSRF-Token header of the session is missing"),
        _ => None,
    };
    if let Some(text) = forbidden {
        op.responses
            .responses
            .entry("403".into())
            .or_insert_with(|| answer(text));
    }
}

/// The role an operation documents (`x-required-role`), if it needs one.
pub fn required_role(op: &Operation) -> Option<String> {
    let extensions = op.extensions.as_ref()?;
    extensions
        .get("x-required-role")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

/// Every feature's routes with their documentation.
pub fn routes() -> OpenApiRouter<AppState> {
    let mut routes = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(crate::auth::routes())
        .merge(crate::presence::routes())
        .merge(crate::chat::routes())
        .merge(crate::phones::routes())
        .merge(crate::forwarding::routes())
        .merge(crate::calls::routes())
        .merge(crate::hotline::routes())
        .merge(crate::hotline::cases::routes())
        .merge(crate::voicemail::routes())
        .merge(crate::fax::routes())
        .merge(crate::mobile_work::routes())
        .merge(crate::rollout::routes())
        .merge(crate::desks::routes())
        .merge(crate::team_week::routes())
        .merge(crate::equipment::routes())
        .merge(crate::gateway::routes())
        .merge(crate::admin::routes())
        .merge(crate::capacity::routes())
        .merge(crate::directory_sync::routes())
        .merge(crate::realtime::routes())
        .merge(crate::sip::routes())
        .merge(crate::http::routes())
        .merge(crate::metrics::routes());
    // After the merges: the paths are only there now.
    GuardedAnswers.modify(routes.get_openapi_mut());
    routes
}

/// The document alone (for tests and tools).
pub fn document() -> Document {
    routes().into_openapi()
}
