//! TLS termination with rustls: certificate and key from PEM files, reloaded when either
//! file changes on disk (a renewed Let's Encrypt or internal-CA certificate needs no
//! restart). A broken new file is logged and the old certificate stays in use.

use anyhow::Context;
use axum_server::tls_rustls::RustlsConfig;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Where the certificate chain and private key are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM certificate chain.
    pub certificate: PathBuf,
    /// PEM private key.
    pub key: PathBuf,
}

/// Loads the certificate and key.
pub async fn load(files: &TlsFiles) -> anyhow::Result<RustlsConfig> {
    // rustls needs one process-wide crypto provider; a second install is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    RustlsConfig::from_pem_file(&files.certificate, &files.key)
        .await
        .with_context(|| {
            format!(
                "cannot load TLS certificate {} and key {}",
                files.certificate.display(),
                files.key.display()
            )
        })
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Checks the files every `every` and reloads the configuration when they changed.
pub fn watch(
    config: RustlsConfig,
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
            match config
                .reload_from_pem_file(&files.certificate, &files.key)
                .await
            {
                Ok(()) => {
                    seen = now;
                    tracing::info!(certificate = %files.certificate.display(), "reloaded the TLS certificate");
                }
                // Half-written files during a renewal fail here; the next tick tries again.
                Err(error) => {
                    tracing::warn!(%error, "new TLS certificate not loaded; keeping the old one")
                }
            }
        }
    })
}
