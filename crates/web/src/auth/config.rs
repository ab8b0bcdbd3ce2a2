//! `[auth]`: sessions, office networks, when failed attempts lock an account, and
//! `[auth.oidc]`, single sign-on (its own file: `oidc/config.rs`).

use crate::auth::oidc::config::OidcConfig;
use crate::AuthSettings;
use auth::network::Cidr;
use serde::{Deserialize, Serialize};

/// `[auth]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// A session ends after this many minutes without use.
    pub idle_timeout_minutes: u32,
    /// A session ends this many hours after sign-in.
    pub session_lifetime_hours: u32,
    /// Address ranges of the office networks (CIDR).
    pub office_networks: Vec<Cidr>,
    /// Failed attempts before an account is locked.
    pub lock_after_failures: u32,
    /// How long a lock lasts.
    pub lock_minutes: u32,
    /// `[auth.oidc]`: single sign-on through an OpenID Connect provider (none: off).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oidc: Option<OidcConfig>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            idle_timeout_minutes: 30,
            session_lifetime_hours: 12,
            office_networks: Vec::new(),
            lock_after_failures: 10,
            lock_minutes: 15,
            oidc: None,
        }
    }
}

impl AuthConfig {
    /// Why the section cannot be used, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        if self.idle_timeout_minutes == 0
            || self.session_lifetime_hours == 0
            || self.lock_after_failures == 0
        {
            return Err("[auth] timeouts and lock_after_failures must be at least 1".into());
        }
        self.oidc.as_ref().map_or(Ok(()), OidcConfig::validate)
    }

    /// The sign-in settings: `issuer` is shown in authenticator apps, `secure_cookies`
    /// when the server speaks HTTPS.
    pub fn settings(&self, issuer: &str, secure_cookies: bool) -> AuthSettings {
        let mut settings = AuthSettings {
            idle_secs: i64::from(self.idle_timeout_minutes) * 60,
            lifetime_secs: i64::from(self.session_lifetime_hours) * 3600,
            office_networks: self.office_networks.clone(),
            issuer: issuer.to_string(),
            secure_cookies,
            ..AuthSettings::default()
        };
        settings.account_throttle.lock_after = self.lock_after_failures;
        settings.account_throttle.lock_secs = u64::from(self.lock_minutes) * 60;
        settings
    }
}
