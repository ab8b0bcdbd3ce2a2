//! The LDAP client: a TLS connection (ldaps:// or StartTLS, the certificate checked),
//! paged searches into `directory::sync::DirectoryEntry`, and a bind as a person to check
//! their password. Every request has a deadline, so an unreachable server is an error,
//! never a hang.

use super::config::LdapConfig;
use directory::sync::DirectoryEntry;
use ldap3::adapters::{Adapter, EntriesOnly, PagedResults};
use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, Scope, SearchEntry};
use secrecy::ExposeSecret;
use std::sync::Arc;
use std::time::Duration;

/// What went wrong talking to the directory.
#[derive(Debug, thiserror::Error)]
pub enum LdapError {
    /// The server cannot be reached (or not within the deadline).
    #[error("the directory server {url} cannot be reached: {why}")]
    Unreachable {
        /// Its URL.
        url: String,
        /// Why.
        why: String,
    },
    /// The sync's own bind was refused.
    #[error("the directory refused the sync's bind as {dn}: {why}")]
    ServiceBind {
        /// The bind DN.
        dn: String,
        /// The server's answer.
        why: String,
    },
    /// A search failed.
    #[error("the directory search failed: {0}")]
    Search(String),
    /// The TLS settings cannot be used.
    #[error("TLS for the directory: {0}")]
    Tls(String),
}

/// A client for one directory server.
#[derive(Clone)]
pub struct LdapClient {
    config: Arc<LdapConfig>,
    tls: Arc<rustls::ClientConfig>,
}

impl std::fmt::Debug for LdapClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LdapClient")
            .field("url", &self.config.url)
            .finish_non_exhaustive()
    }
}

impl LdapClient {
    /// A client for `config`; reads the CA file now.
    pub fn new(config: LdapConfig) -> Result<LdapClient, LdapError> {
        let tls = tls_config(&config)?;
        Ok(LdapClient {
            config: Arc::new(config),
            tls: Arc::new(tls),
        })
    }

    /// The settings.
    pub fn config(&self) -> &LdapConfig {
        &self.config
    }

    fn timeout(&self) -> Duration {
        Duration::from_secs(u64::from(self.config.timeout_seconds))
    }

    fn unreachable(&self, why: impl std::fmt::Display) -> LdapError {
        LdapError::Unreachable {
            url: self.config.url.clone(),
            why: why.to_string(),
        }
    }

    async fn connect(&self) -> Result<Ldap, LdapError> {
        let settings = LdapConnSettings::new()
            .set_conn_timeout(self.timeout())
            .set_config(self.tls.clone())
            .set_starttls(self.config.url.starts_with("ldap://"));
        let connecting = LdapConnAsync::with_settings(settings, &self.config.url);
        let (conn, ldap) = tokio::time::timeout(self.timeout(), connecting)
            .await
            .map_err(|_| self.unreachable("no answer within the timeout"))?
            .map_err(|e| self.unreachable(e))?;
        tokio::spawn(async move {
            if let Err(e) = conn.drive().await {
                tracing::debug!(error = %e, "directory connection ended");
            }
        });
        Ok(ldap)
    }

    /// A connection bound as the sync's account.
    pub async fn service_session(&self) -> Result<Ldap, LdapError> {
        let mut ldap = self.connect().await?;
        let bound = ldap
            .with_timeout(self.timeout())
            .simple_bind(
                &self.config.bind_dn,
                self.config.bind_password.expose_secret(),
            )
            .await
            .map_err(|e| self.unreachable(e))?;
        if bound.rc != 0 {
            return Err(LdapError::ServiceBind {
                dn: self.config.bind_dn.clone(),
                why: format!("{} ({})", bound.text, bound.rc),
            });
        }
        Ok(ldap)
    }

    /// Every entry below the base DN matching `filter`, with `attributes`, in pages.
    pub async fn search(
        &self,
        ldap: &mut Ldap,
        filter: &str,
        attributes: &[String],
    ) -> Result<Vec<DirectoryEntry>, LdapError> {
        let adapters: Vec<Box<dyn Adapter<_, _>>> = vec![
            Box::new(EntriesOnly::new()),
            Box::new(PagedResults::new(self.config.page_size as i32)),
        ];
        let attrs: Vec<&str> = attributes.iter().map(String::as_str).collect();
        let mut stream = ldap
            .with_timeout(self.timeout())
            .streaming_search_with(
                adapters,
                &self.config.base_dn,
                Scope::Subtree,
                filter,
                attrs,
            )
            .await
            .map_err(|e| LdapError::Search(e.to_string()))?;
        let mut entries = Vec::new();
        loop {
            let next = tokio::time::timeout(self.timeout(), stream.next())
                .await
                .map_err(|_| self.unreachable("no answer within the timeout"))?
                .map_err(|e| LdapError::Search(e.to_string()))?;
            let Some(raw) = next else { break };
            entries.push(entry_of(SearchEntry::construct(raw)));
        }
        let done = stream.finish().await;
        if done.rc != 0 {
            return Err(LdapError::Search(format!("{} ({})", done.text, done.rc)));
        }
        Ok(entries)
    }

    /// Whether `password` is the password of the person at `dn` (a bind as them). A
    /// refused bind is `Ok(false)`; an unreachable server is an error.
    pub async fn check_password(&self, dn: &str, password: &str) -> Result<bool, LdapError> {
        if password.is_empty() {
            // An empty password is an "unauthenticated bind" that servers accept.
            return Ok(false);
        }
        let mut ldap = self.connect().await?;
        let bound = ldap
            .with_timeout(self.timeout())
            .simple_bind(dn, password)
            .await
            .map_err(|e| self.unreachable(e))?;
        let _ = ldap.unbind().await;
        // 49: invalidCredentials (also for unknown DNs and locked accounts on AD).
        Ok(bound.rc == 0)
    }
}

/// Attributes whose values are bytes, written as hex whether or not the bytes happen to
/// be valid UTF-8 (ldap3 hands those over as text).
pub(crate) const BINARY: [&str; 3] = ["objectguid", "objectsid", "ms-ds-consistencyguid"];

/// A search entry with binary values (AD's objectGUID) written as hex.
fn entry_of(found: SearchEntry) -> DirectoryEntry {
    let mut entry = DirectoryEntry::new(found.dn);
    for (name, values) in found.attrs {
        let values = if BINARY.contains(&name.to_ascii_lowercase().as_str()) {
            values.iter().map(|v| hex(v.as_bytes())).collect()
        } else {
            values
        };
        entry.insert(&name, values);
    }
    for (name, values) in found.bin_attrs {
        entry.insert(&name, values.iter().map(|v| hex(v)).collect());
    }
    entry
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn tls_config(config: &LdapConfig) -> Result<rustls::ClientConfig, LdapError> {
    let mut roots = rustls::RootCertStore::empty();
    match &config.ca_file {
        Some(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| LdapError::Tls(format!("cannot read {}: {e}", path.display())))?;
            for cert in rustls_pki_types::pem::PemObject::pem_slice_iter(&pem) {
                let cert: rustls_pki_types::CertificateDer<'static> =
                    cert.map_err(|e| LdapError::Tls(format!("{}: {e}", path.display())))?;
                roots
                    .add(cert)
                    .map_err(|e| LdapError::Tls(format!("{}: {e}", path.display())))?;
            }
            if roots.is_empty() {
                return Err(LdapError::Tls(format!(
                    "{} holds no certificate",
                    path.display()
                )));
            }
        }
        None => {
            for cert in rustls_native_certs::load_native_certs().certs {
                let _ = roots.add(cert);
            }
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| LdapError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}
