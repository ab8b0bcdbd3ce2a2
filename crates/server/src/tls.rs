//! TLS termination with rustls: certificate and key from PEM files, reloaded when either
//! file changes on disk (a renewed Let's Encrypt or internal-CA certificate needs no
//! restart). A broken new file is logged and the old certificate stays in use.

use anyhow::Context;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};
use web::ReloadableTls;

/// Where the certificate chain and private key are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM certificate chain.
    pub certificate: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
}

/// Loads the certificate and key.
pub async fn load(files: &TlsFiles) -> anyhow::Result<ReloadableTls> {
    Ok(ReloadableTls::new(server_config(files).await?))
}

/// The rustls configuration for the files.
async fn server_config(files: &TlsFiles) -> anyhow::Result<rustls::ServerConfig> {
    let what = || {
        format!(
            "cannot load TLS certificate {} and key {}",
            files.certificate.display(),
            files.key.display()
        )
    };
    let chain = tokio::fs::read(&files.certificate)
        .await
        .with_context(what)?;
    let key = tokio::fs::read(&files.key).await.with_context(what)?;
    let chain = CertificateDer::pem_slice_iter(&chain)
        .collect::<Result<Vec<_>, _>>()
        .with_context(what)?;
    if chain.is_empty() {
        return Err(anyhow::anyhow!("no PEM certificate in the file")).with_context(what);
    }
    let key = PrivateKeyDer::from_pem_slice(&key).with_context(what)?;
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .with_context(what)?;
    // The HTTP server speaks HTTP/1.1 only (web::http_server); offering h2 here would
    // make browsers speak a protocol it does not serve.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Checks the files every `every` and reloads the configuration when they changed.
pub fn watch(
    config: ReloadableTls,
    files: TlsFiles,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let stamp = |f: &TlsFiles| (modified(&f.certificate), modified(&f.key));
        let mut seen = stamp(&files);
        let mut tick = tokio::time::interval(every);
        loop {
            tick.tick().await;
            let now = stamp(&files);
            if now == seen {
                continue;
            }
            match server_config(&files).await {
                Ok(renewed) => {
                    config.replace(renewed);
                    seen = now;
                    tracing::info!(certificate = %files.certificate.display(), "reloaded the TLS certificate");
                }
                // Half-written files during a renewal fail here; the next tick tries again.
                Err(error) => {
                    tracing::warn!(error = %format!("{error:#}"), "new TLS certificate not loaded; keeping the old one")
                }
            }
        }
    })
}
