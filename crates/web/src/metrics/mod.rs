//! Prometheus metrics at `GET /metrics`, behind a bearer token (`[metrics] token`),
//! through metrics-rs: events are counted where they happen with its macros (HTTP
//! requests in [`http_layer`], sign-ins through [`events`]); figures the server keeps
//! anyway are read at scrape time ([`gauges`], [`services`], [`process`]). The names and
//! their meaning: [`names`] and docs/metrics.md.
//!
//! - [`recorder`]: the process's one recorder, installed once however many servers run.
//! - [`config`], [`token`]: the `[metrics]` section and the constant-time token check.
//! - [`handler`]: the endpoint.

pub mod config;
pub mod events;
pub mod gauges;
pub mod handler;
pub mod http_layer;
pub mod names;
pub mod process;
pub mod recorder;
pub mod services;
pub mod token;

use crate::AppState;
use metrics_exporter_prometheus::PrometheusHandle;
use std::sync::Arc;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// What `/metrics` needs: the recorder's handle, the token, the server's services.
#[derive(Clone)]
pub struct Metrics {
    handle: PrometheusHandle,
    token: Arc<token::MetricsToken>,
    services: Option<Arc<dyn services::ServiceFigures>>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("token", &self.token)
            .field("services", &self.services)
            .finish_non_exhaustive()
    }
}

impl Metrics {
    /// Metrics behind `token`, with the process's recorder (installed now if it is not
    /// yet); an error when another recorder was installed first.
    pub fn new(token: token::MetricsToken) -> Result<Metrics, String> {
        Ok(Metrics {
            handle: recorder::install()?,
            token: Arc::new(token),
            services: None,
        })
    }

    /// With the server's services asked for their figures at each scrape.
    pub fn with_services(mut self, services: Arc<dyn services::ServiceFigures>) -> Metrics {
        self.services = Some(services);
        self
    }
}

/// The bearer token scheme of `/metrics` in the document.
#[derive(OpenApi)]
#[openapi(modifiers(&BearerToken))]
struct MetricsDoc;

struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some("The [metrics] token of the server's configuration".into());
        components.add_security_scheme("metricsToken", SecurityScheme::Http(scheme));
    }
}

/// `GET /metrics`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(MetricsDoc::openapi()).routes(routes!(handler::metrics))
}
