//! The HTTP side of Durchwahl: the API, the real-time WebSocket, the health check and the
//! embedded web client, a folder per feature (its handlers, its WebSocket frames, its API
//! description). Handlers are thin: they read the request, call the store, a core or the
//! live runtime, and map the result.
#![deny(missing_docs)]

pub mod admin;
pub mod auth;
pub mod calls;
pub mod capacity;
pub mod chat;
pub mod client;
pub mod desks;
pub mod directory_sync;
pub mod done;
pub mod equipment;
pub mod error;
pub mod fax;
pub mod forwarding;
pub mod gateway;
pub mod hotline;
pub mod http;
pub mod metrics;
pub mod mobile_work;
pub mod openapi;
pub mod phones;
pub mod presence;
pub mod realtime;
pub mod rollout;
pub mod sip;
pub mod team_week;
mod time_format;
pub mod voicemail;

pub use auth::config::AuthConfig;
pub use auth::hashing_gate::HashingGate;
pub use auth::settings::AuthSettings;
pub use auth::sms_gateway::{HttpGateway, SmsConfig, SmsGateway};
pub use http::config::HttpConfig;
pub use http::reloadable_tls::ReloadableTls;
pub use http::server::{serve, HttpSettings};
pub use metrics::config::MetricsConfig;
pub use realtime::renderer::WebFrames;

use axum::routing::{any, get};
use axum::Router;
use live::Live;
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
    /// The live runtime: presence, chat, sessions, the clock and the event bus.
    pub live: Live,
    /// The SIP domain, also the digest realm of device passwords.
    pub sip_domain: String,
    /// Where `/sip` hands SIP-over-WebSocket connections (none: `/sip` answers 503).
    pub sip_gateway: Option<sip::socket::SipGateway>,
    /// Attachment uploads under way.
    pub uploads: chat::uploads::Uploads,
    /// The ICE servers browsers use for calls (`[media] turn_*`).
    pub ice_servers: Arc<Vec<calls::api::IceServer>>,
    /// Single sign-on through an OpenID Connect provider (`[auth.oidc]`), if configured.
    pub oidc: Option<Arc<auth::oidc::Oidc>>,
    /// The LDAP directory, when one is configured (`[directory.ldap]`).
    pub directory: Option<Arc<dyn directory_sync::DirectoryService>>,
    /// The server's mailer (`[smtp]`), for the admin page's test mail; none: no e-mail.
    pub mail: Option<Arc<dyn admin::mail::MailService>>,
    /// The server's fax machinery, for sending (none: sending answers 503).
    pub fax: Option<Arc<dyn fax::FaxService>>,
    /// `/metrics` with its token (none: no `[metrics]` token, the endpoint answers 404).
    pub metrics: Option<crate::metrics::Metrics>,
    /// When the afternoon half-day starts (`[desks] afternoon_starts`): desks, the team's
    /// week and the presence it sets split the day there.
    pub afternoon_starts: jiff::civil::Time,
    /// The access gateway: published applications, the identity tokens' key.
    pub gateway: Arc<crate::gateway::Gateway>,
    /// The capacity page's figures and their last 24 hours, written by the server's
    /// sampler.
    pub capacity: Arc<crate::capacity::Board>,
}

impl AppState {
    /// State with the given settings.
    pub fn new(
        store: Store,
        organisation: String,
        auth: AuthSettings,
        sms: SmsGateway,
        live: Live,
        sip_domain: String,
    ) -> Self {
        let hashing = HashingGate::new(auth.hashing_permits, auth.hashing_queue);
        AppState {
            store,
            organisation,
            auth: Arc::new(auth),
            sms: Arc::new(sms),
            hashing,
            live,
            sip_domain,
            sip_gateway: None,
            uploads: chat::uploads::Uploads::default(),
            ice_servers: Arc::new(Vec::new()),
            oidc: None,
            directory: None,
            mail: None,
            fax: None,
            metrics: None,
            afternoon_starts: team_week::presence::AFTERNOON,
            gateway: Arc::new(crate::gateway::Gateway::new(
                crate::gateway::signer::IdentitySigner::ephemeral(),
                "durchwahl".into(),
            )),
            capacity: Arc::new(crate::capacity::Board::default()),
        }
    }

    /// With single sign-on through this provider.
    pub fn with_oidc(mut self, oidc: auth::oidc::Oidc) -> Self {
        self.oidc = Some(Arc::new(oidc));
        self
    }

    /// With SIP over WebSocket at `/sip` going to `gateway`.
    pub fn with_sip_gateway(mut self, gateway: sip::socket::SipGateway) -> Self {
        self.sip_gateway = Some(gateway);
        self
    }

    /// With these ICE servers handed to browsers for calls.
    pub fn with_ice_servers(mut self, servers: Vec<calls::api::IceServer>) -> Self {
        self.ice_servers = Arc::new(servers);
        self
    }

    /// With the LDAP directory for syncs and the password check.
    pub fn with_directory(mut self, directory: Arc<dyn directory_sync::DirectoryService>) -> Self {
        self.directory = Some(directory);
        self
    }

    /// With the server's mailer.
    pub fn with_mail(mut self, mail: Arc<dyn admin::mail::MailService>) -> Self {
        self.mail = Some(mail);
        self
    }

    /// With the server's fax machinery.
    pub fn with_fax(mut self, fax: Arc<dyn fax::FaxService>) -> Self {
        self.fax = Some(fax);
        self
    }

    /// With `/metrics` on.
    pub fn with_metrics(mut self, metrics: crate::metrics::Metrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// With the afternoon half-day starting at `time` (default 13:00).
    pub fn with_afternoon_starts(mut self, time: jiff::civil::Time) -> Self {
        self.afternoon_starts = time;
        self
    }

    /// With this access gateway (its key from the data folder, its issuer).
    pub fn with_gateway(mut self, gateway: crate::gateway::Gateway) -> Self {
        self.gateway = Arc::new(gateway);
        self
    }

    /// With this capacity board (the sampler's settings).
    pub fn with_capacity(mut self, board: crate::capacity::Board) -> Self {
        self.capacity = Arc::new(board);
        self
    }

    /// Unix seconds now, by the runtime's one clock.
    pub fn now(&self) -> i64 {
        self.live.clock().now_secs()
    }
}

/// All routes of the HTTP server: the documented route list (`openapi.rs`) and the web
/// client.
pub fn router(state: AppState) -> Router {
    let (routes, document) = openapi::routes().split_for_parts();
    let rendered = document.to_json().unwrap_or_default();
    routes
        .route("/", get(client::assets::index))
        .route("/app/{*file}", get(client::assets::asset))
        .route("/apps/{*rest}", any(crate::gateway::proxy::forward))
        .fallback(|| async { axum::http::StatusCode::NOT_FOUND })
        .layer(axum::middleware::from_fn(crate::metrics::http_layer::count))
        // Applications on host names of their own take every path there, before any route.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::gateway::host::route,
        ))
        .layer(axum::Extension(http::document::RenderedDocument(
            rendered.into(),
        )))
        .with_state(state)
        .layer(axum::middleware::from_fn(http::no_store::api_answers))
        .layer(TraceLayer::new_for_http().make_span_with(http::request_span::RequestSpan))
}
