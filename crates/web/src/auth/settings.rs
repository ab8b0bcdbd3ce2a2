//! The sign-in settings the HTTP shell needs, built once from the configuration.

use auth::network::Cidr;
use auth::throttle::ThrottlePolicy;
use std::net::IpAddr;

/// Sign-in and session settings.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// A session ends after this long without a request.
    pub idle_secs: i64,
    /// A session ends this long after sign-in, whatever happens.
    pub lifetime_secs: i64,
    /// Time to give the second factor after the password.
    pub pending_secs: i64,
    /// Codes a pending sign-in may try in all before it is void.
    pub pending_attempts: i64,
    /// Cookies get `Secure` (when served over TLS).
    pub secure_cookies: bool,
    /// Addresses counted as inside the office.
    pub office_networks: Vec<Cidr>,
    /// Failed attempts per account.
    pub account_throttle: ThrottlePolicy,
    /// Failed attempts per source address (higher limits: offices share addresses).
    pub source_throttle: ThrottlePolicy,
    /// Password hashes computed at once (argon2id needs 19 MiB and a core each).
    pub hashing_permits: usize,
    /// Sign-ins allowed to wait for a hashing slot before new ones get 503.
    pub hashing_queue: usize,
    /// Issuer name shown in authenticator apps.
    pub issuer: String,
    /// How long an enrolment-letter code stays valid.
    pub letter_code_secs: i64,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            idle_secs: 30 * 60,
            lifetime_secs: 12 * 3600,
            pending_secs: 5 * 60,
            pending_attempts: 5,
            secure_cookies: false,
            office_networks: Vec::new(),
            account_throttle: ThrottlePolicy::default(),
            source_throttle: ThrottlePolicy {
                free_failures: 20,
                base_delay_secs: 1,
                max_delay_secs: 10,
                lock_after: 200,
                lock_secs: 15 * 60,
            },
            hashing_permits: std::thread::available_parallelism().map_or(2, |n| n.get()),
            hashing_queue: 256,
            issuer: "Durchwahl".into(),
            letter_code_secs: 14 * 24 * 3600,
        }
    }
}

impl AuthSettings {
    /// Whether `addr` is inside one of the office networks.
    pub fn from_office(&self, addr: IpAddr) -> bool {
        self.office_networks.iter().any(|n| n.contains(addr))
    }
}
