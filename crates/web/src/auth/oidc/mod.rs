//! Single sign-on through an OpenID Connect provider (Keycloak, ADFS, Entra ID): the
//! authorization code flow with PKCE (RFC 7636, S256), the provider found by discovery,
//! the ID token checked by openidconnect against the provider's keys (signature, issuer,
//! audience, expiry, nonce), its login claim mapped to our person, and then the same
//! second-factor rule as after a password, unless the configuration accepts the
//! provider's own second factor (`amr`).
//!
//! `config` is the `[auth.oidc]` section, `http_client` the HTTP client the library uses,
//! `client` the provider as discovered, `pending` the sign-ins sent to the provider, and
//! `flow` the four routes. The decisions themselves are `auth::single_sign_on`'s.

pub mod client;
pub mod config;
pub mod flow;
pub mod http_client;
pub mod pending;

use client::{Discovery, DiscoveryError, Provider};
use config::OidcConfig;
use http_client::ProviderHttp;
use pending::{Full, PendingStarts, Started};
use std::sync::{Arc, Mutex};

/// Sign-ins waiting for the provider, in all.
const PENDING_CAPACITY: usize = 20_000;
/// Sign-ins waiting for the provider, from one address (an office shares one).
const PENDING_PER_ADDRESS: usize = 500;

/// Single sign-on, configured: what the routes share.
pub struct Oidc {
    config: OidcConfig,
    http: ProviderHttp,
    discovery: Discovery,
    pending: Mutex<PendingStarts>,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("issuer", &self.config.issuer)
            .field("client_id", &self.config.client_id)
            .finish_non_exhaustive()
    }
}

impl Oidc {
    /// Single sign-on with the provider of `config` (validated). The provider is asked
    /// nothing yet: discovery happens at the first sign-in, so a provider that is down
    /// does not stop the server.
    pub fn new(config: &OidcConfig) -> Result<Oidc, String> {
        config.validate()?;
        Ok(Oidc {
            config: config.clone(),
            http: ProviderHttp::new(config.ca_file.as_deref())
                .map_err(|e| format!("[auth.oidc] ca_file: {e}"))?,
            discovery: Discovery::new(config)?,
            pending: Mutex::new(PendingStarts::new(PENDING_CAPACITY, PENDING_PER_ADDRESS)),
        })
    }

    /// The section it was made from.
    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    async fn provider(&self, now: i64) -> Result<Arc<Provider>, DiscoveryError> {
        self.discovery.provider(&self.http, now).await
    }

    async fn reread(
        &self,
        seen: &Provider,
        now: i64,
    ) -> Result<Option<Arc<Provider>>, DiscoveryError> {
        self.discovery.reread(&self.http, seen, now).await
    }

    fn remember(&self, now: i64, state: String, started: Started) -> Result<(), Full> {
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(now, state, started)
    }

    fn take(&self, now: i64, state: &str) -> Option<Started> {
        self.pending
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take(now, state)
    }
}
