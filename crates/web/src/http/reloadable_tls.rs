//! A TLS server configuration that can be replaced while serving: a renewed certificate
//! applies to the next handshake, while connections already open keep theirs. HTTPS and
//! SIP over TLS build their acceptor from it at each accepted connection.

use std::sync::{Arc, PoisonError, RwLock};

/// The current TLS configuration; clones share it.
#[derive(Clone)]
pub struct ReloadableTls {
    current: Arc<RwLock<Arc<rustls::ServerConfig>>>,
}

impl ReloadableTls {
    /// Starts with `config`.
    pub fn new(config: rustls::ServerConfig) -> Self {
        ReloadableTls {
            current: Arc::new(RwLock::new(Arc::new(config))),
        }
    }

    /// Uses `config` from the next handshake on.
    pub fn replace(&self, config: rustls::ServerConfig) {
        // A writer cannot leave the value half-replaced, so a poisoned lock is still sound.
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(config);
    }

    /// The configuration as it is now.
    pub fn current(&self) -> Arc<rustls::ServerConfig> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// An acceptor for one connection, with the configuration as it is now.
    pub fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        tokio_rustls::TlsAcceptor::from(self.current())
    }
}

impl std::fmt::Debug for ReloadableTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The configuration holds the private key: never printed.
        f.write_str("ReloadableTls(..)")
    }
}
