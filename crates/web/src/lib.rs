//! The HTTP side of Durchwahl: the API, the health check and the embedded web client.
//! Handlers are thin: they read the request, call the store or a core, and map the result.
#![deny(missing_docs)]

pub mod admin_api;
pub mod attachment_files;
mod attempts;
mod audit_trail;
pub mod auth_settings;
mod chat_api;
pub mod chat_writer;
mod client;
mod connection_cap;
pub mod error;
mod forwarding_api;
mod hashing_gate;
mod health;
pub mod http_server;
mod me_api;
mod no_store;
pub mod open_files;
pub mod openapi;
mod openapi_forwarding;
mod openapi_phones;
mod openapi_realtime;
mod people_cache;
pub mod phone_provisioning;
mod phones_api;
mod presence_api;
pub mod realtime;
pub mod reloadable_tls;
pub mod session;
mod sign_in_api;
pub mod sip_socket;
pub mod sms_gateway;
mod time_format;
mod uploads;
pub mod ws_frames;
mod ws_gateway;

pub use auth_settings::AuthSettings;
pub use chat_api::post_direct;
pub use hashing_gate::HashingGate;
pub use http_server::{serve, HttpSettings};
pub use realtime::{Realtime, RealtimeSettings};
pub use reloadable_tls::ReloadableTls;
pub use sms_gateway::{HttpGateway, SmsGateway};

use axum::routing::{get, patch, post};
use axum::Router;
use std::sync::Arc;
use store::Store;
use tower_http::trace::TraceLayer;

/// What every handler may use.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The organisation's display name.
    pub organisation: String,
    /// Sign-in settings.
    pub auth: Arc<AuthSettings>,
    /// Where SMS codes go.
    pub sms: Arc<SmsGateway>,
    /// Bounded password hashing.
    pub hashing: HashingGate,
    /// Live presence and chat.
    pub realtime: Realtime,
    /// The SIP domain, also the digest realm of device passwords.
    pub sip_domain: String,
    /// Where `/sip` hands SIP-over-WebSocket connections (none: `/sip` answers 503).
    pub sip_gateway: Option<sip_socket::SipGateway>,
    /// Attachment uploads under way.
    pub uploads: uploads::Uploads,
}

impl AppState {
    /// State with the given settings.
    pub fn new(
        store: Store,
        organisation: String,
        auth: AuthSettings,
        sms: SmsGateway,
        realtime: Realtime,
        sip_domain: String,
    ) -> Self {
        let hashing = HashingGate::new(auth.hashing_permits, auth.hashing_queue);
        AppState {
            store,
            organisation,
            auth: Arc::new(auth),
            sms: Arc::new(sms),
            hashing,
            realtime,
            sip_domain,
            sip_gateway: None,
            uploads: uploads::Uploads::default(),
        }
    }

    /// With SIP over WebSocket at `/sip` going to `gateway`.
    pub fn with_sip_gateway(mut self, gateway: sip_socket::SipGateway) -> Self {
        self.sip_gateway = Some(gateway);
        self
    }
}

/// All routes of the HTTP server.
pub fn router(state: AppState) -> Router {
    use admin_api as a;
    use axum::routing::{delete, put};
    use chat_api as c;
    use presence_api as p;
    Router::new()
        .route("/api/v1/ws", get(ws_gateway::upgrade))
        .route("/sip", get(sip_socket::upgrade))
        .route("/api/v1/presence", get(p::presence))
        .route("/api/v1/me/presence", put(p::set_presence))
        .route("/api/v1/team-panel", get(p::team_panel))
        .route(
            "/api/v1/me/favourites/{login}",
            put(p::add_favourite).delete(p::remove_favourite),
        )
        .route("/api/v1/me/watches", get(p::watches).post(p::add))
        .route("/api/v1/me/watches/{login}", delete(p::remove))
        .route("/api/v1/rooms", get(c::rooms).post(c::create_room))
        .route("/api/v1/rooms/direct", post(c::direct_room))
        .route("/api/v1/rooms/{id}/messages", get(c::history).post(c::send))
        .route(
            "/api/v1/rooms/{id}/messages/{mid}",
            patch(c::edit).delete(c::delete),
        )
        .route("/api/v1/rooms/{id}/read", post(c::read))
        .route("/api/v1/rooms/{id}/members", post(c::add_member))
        .route(
            "/api/v1/rooms/{id}/members/{login}",
            delete(c::remove_member),
        )
        .route("/api/v1/rooms/{id}/attachments", post(c::upload))
        .route("/api/v1/attachments/{id}", get(c::download))
        .route("/api/v1/search", get(c::search))
        .route("/api/v1/admin/rooms", post(c::create_managed_room))
        .route(
            "/api/v1/me/phones",
            get(phones_api::mine).post(phones_api::add_mine),
        )
        .route(
            "/api/v1/me/phones/{sip_username}",
            delete(phones_api::remove_mine),
        )
        .route(
            "/api/v1/admin/staff/{login}/phones",
            get(phones_api::of_person).post(phones_api::add_for_person),
        )
        .route(
            "/api/v1/admin/phones/{sip_username}",
            delete(phones_api::remove_any),
        )
        .route(
            "/api/v1/me/forwarding",
            get(forwarding_api::mine).put(forwarding_api::set_mine),
        )
        .route(
            "/api/v1/admin/staff/{login}/forwarding",
            get(forwarding_api::of_person).put(forwarding_api::set_for_person),
        )
        .route("/api/v1/admin/groups", get(p::groups).post(p::create_group))
        .route(
            "/api/v1/admin/groups/{id}/members/{login}",
            put(p::add_group_member).delete(p::remove_group_member),
        )
        .route("/", get(client::index))
        .route("/app/{*file}", get(client::asset))
        .route("/healthz", get(health::healthz))
        .route("/api/v1/openapi.json", get(openapi::handler))
        .route("/api/v1/auth/login", post(sign_in_api::login))
        .route(
            "/api/v1/auth/second-factor",
            post(sign_in_api::second_factor),
        )
        .route("/api/v1/auth/sms", post(sign_in_api::send_sms))
        .route("/api/v1/auth/logout", post(sign_in_api::logout))
        .route("/api/v1/me", get(me_api::me))
        .route("/api/v1/me/password", post(me_api::change_password))
        .route("/api/v1/me/totp", post(me_api::begin_totp))
        .route("/api/v1/me/totp/confirm", post(me_api::confirm_totp))
        .route(
            "/api/v1/me/recovery-codes",
            post(me_api::new_recovery_codes),
        )
        .route(
            "/api/v1/me/sessions",
            get(me_api::sessions).delete(me_api::end_all_sessions),
        )
        .route(
            "/api/v1/me/sessions/{id}",
            axum::routing::delete(me_api::end_one_session),
        )
        .route("/api/v1/admin/staff", get(a::list_staff))
        .route(
            "/api/v1/admin/staff/{login}",
            get(a::get_staff).merge(patch(a::patch_staff)),
        )
        .route(
            "/api/v1/admin/staff/{login}/reset-factors",
            post(a::reset_factors),
        )
        .route(
            "/api/v1/admin/staff/{login}/letter-code",
            post(a::letter_code),
        )
        .route("/api/v1/admin/staff/{login}/unlock", post(a::unlock))
        .route("/api/v1/admin/features", post(a::switch_feature))
        .route("/api/v1/admin/units", get(a::units))
        .route("/api/v1/admin/locked", get(a::locked))
        .route("/api/v1/admin/audit", get(a::audit))
        .route("/api/v1/admin/audit.csv", get(a::audit_csv))
        .route(
            "/api/v1/admin/second-factor",
            get(a::get_rule).put(a::put_rule),
        )
        .with_state(state)
        .layer(axum::middleware::from_fn(no_store::api_answers))
        .layer(TraceLayer::new_for_http())
}
