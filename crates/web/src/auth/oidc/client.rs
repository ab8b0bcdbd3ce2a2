//! The provider as openidconnect sees it: its discovery document and keys (JWKS), read
//! once and kept for an hour, read again sooner when a token's key is not among them
//! (the provider rolled its keys) but at most once a minute, so failing tokens cannot
//! make us hammer the provider.

use super::config::OidcConfig;
use super::http_client::ProviderHttp;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreClientAuthMethod, CoreErrorResponseType, CoreGenderClaim,
    CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreRevocableToken,
    CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthType, ClientId, ClientSecret, EmptyExtraTokenFields, EndSessionUrl,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl,
    ProviderMetadataWithLogout, RedirectUrl, StandardErrorResponse, StandardTokenResponse,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// How long discovery and keys are kept.
const KEEP_SECS: i64 = 3600;
/// The least time between two readings of the discovery document.
const REREAD_SECS: i64 = 60;

/// The claims of an ID token that the standard does not name (`upn`, `samaccountname`,
/// …), by name: one of them may be the configured login claim.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OtherClaims(pub HashMap<String, serde_json::Value>);

impl AdditionalClaims for OtherClaims {}

/// The ID token fields of a token answer, with [`OtherClaims`].
pub type IdFields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// The token endpoint's answer.
pub type TokenAnswer = StandardTokenResponse<IdFields, CoreTokenType>;

/// openidconnect's client for our provider: authorization and token endpoints known.
pub type ProviderClient = openidconnect::Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenAnswer,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
    EndpointMaybeSet,
>;

/// What discovery told us, ready to use.
#[derive(Debug)]
pub struct Provider {
    /// The client, with the provider's endpoints and keys.
    pub client: ProviderClient,
    /// Where the provider signs people out (RP-Initiated Logout), if it says.
    pub end_session: Option<EndSessionUrl>,
    /// When it was read (Unix seconds).
    pub read_at: i64,
}

/// Why the provider cannot be used now.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// The discovery document or the keys could not be read or were invalid (including
    /// an issuer that differs from the configured one).
    #[error("discovery failed: {0}")]
    Failed(String),
    /// The document names no token endpoint (the code flow needs one).
    #[error("the provider names no token endpoint")]
    NoTokenEndpoint,
}

/// The provider, read when first needed and kept.
#[derive(Debug)]
pub struct Discovery {
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: ClientSecret,
    redirect: RedirectUrl,
    known: tokio::sync::Mutex<Option<Arc<Provider>>>,
}

impl Discovery {
    /// For the provider of `config` (validated).
    pub fn new(config: &OidcConfig) -> Result<Discovery, String> {
        Ok(Discovery {
            issuer: IssuerUrl::new(config.issuer.clone()).map_err(|e| e.to_string())?,
            client_id: ClientId::new(config.client_id.clone()),
            client_secret: ClientSecret::new(config.client_secret.expose_secret().to_owned()),
            redirect: RedirectUrl::new(config.redirect_url.clone()).map_err(|e| e.to_string())?,
            known: tokio::sync::Mutex::new(None),
        })
    }

    /// The provider: as kept, or read now when nothing is kept or it is older than an
    /// hour. One reading at a time; others wait for it.
    pub async fn provider(
        &self,
        http: &ProviderHttp,
        now: i64,
    ) -> Result<Arc<Provider>, DiscoveryError> {
        let mut known = self.known.lock().await;
        if let Some(provider) = known.as_ref().filter(|p| now - p.read_at < KEEP_SECS) {
            return Ok(provider.clone());
        }
        let provider = Arc::new(self.read(http, now).await?);
        *known = Some(provider.clone());
        Ok(provider)
    }

    /// The provider read again, unless `seen` was read less than a minute ago (then
    /// `None`: its keys are current enough, a token they refuse is refused).
    pub async fn reread(
        &self,
        http: &ProviderHttp,
        seen: &Provider,
        now: i64,
    ) -> Result<Option<Arc<Provider>>, DiscoveryError> {
        let mut known = self.known.lock().await;
        match known.as_ref() {
            // Someone read it again meanwhile: use theirs.
            Some(newer) if newer.read_at > seen.read_at => return Ok(Some(newer.clone())),
            _ if now - seen.read_at < REREAD_SECS => return Ok(None),
            _ => {}
        }
        let provider = Arc::new(self.read(http, now).await?);
        *known = Some(provider.clone());
        Ok(Some(provider))
    }

    async fn read(&self, http: &ProviderHttp, now: i64) -> Result<Provider, DiscoveryError> {
        // openidconnect checks that the document's issuer is exactly ours (OpenID
        // Connect Discovery §4.3) and reads the keys from its jwks_uri.
        let metadata = ProviderMetadataWithLogout::discover_async(self.issuer.clone(), http)
            .await
            .map_err(|e| DiscoveryError::Failed(chain(&e)))?;
        let token_url = metadata
            .token_endpoint()
            .cloned()
            .ok_or(DiscoveryError::NoTokenEndpoint)?;
        let end_session = metadata.additional_metadata().end_session_endpoint.clone();
        // client_secret_basic is the default (RFC 8414 §2); a provider that lists only
        // client_secret_post gets the secret in the body.
        let auth_type = match metadata.token_endpoint_auth_methods_supported() {
            Some(methods)
                if !methods.contains(&CoreClientAuthMethod::ClientSecretBasic)
                    && methods.contains(&CoreClientAuthMethod::ClientSecretPost) =>
            {
                AuthType::RequestBody
            }
            _ => AuthType::BasicAuth,
        };
        let client = openidconnect::Client::from_provider_metadata(
            metadata,
            self.client_id.clone(),
            Some(self.client_secret.clone()),
        )
        .set_token_uri(token_url)
        .set_redirect_uri(self.redirect.clone())
        .set_auth_type(auth_type);
        tracing::info!(issuer = %self.issuer.as_str(), "read the single sign-on provider's discovery document and keys");
        Ok(Provider {
            client,
            end_session,
            read_at: now,
        })
    }
}

/// An error with its causes, for the log and the audit (never holds a token).
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
