//! The `/metrics` token: a secret that never shows in `Debug` or the log, compared with
//! what a scraper sends in constant time.

use axum::http::{header, HeaderMap};
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

/// The token a scraper must send as `Authorization: Bearer <token>`.
#[derive(Clone)]
pub struct MetricsToken(SecretString);

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken([REDACTED])")
    }
}

impl MetricsToken {
    /// This token.
    pub fn new(token: SecretString) -> MetricsToken {
        MetricsToken(token)
    }

    /// Whether `headers` carry this token as a bearer token. The comparison takes the
    /// same time wherever the first wrong byte is (only a wrong length is told sooner).
    pub fn admits(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers.get(header::AUTHORIZATION) else {
            return false;
        };
        let Some((scheme, sent)) = value.as_bytes().split_first_chunk::<7>() else {
            return false;
        };
        // RFC 9110 §11.1: the scheme is case-insensitive.
        if !scheme.eq_ignore_ascii_case(b"bearer ") {
            return false;
        }
        let expected = self.0.expose_secret().as_bytes();
        bool::from(sent.ct_eq(expected))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn only_the_exact_bearer_token_is_admitted() {
        let token = MetricsToken::new("s3cr3t-metrics-token".into());
        assert!(token.admits(&with("Bearer s3cr3t-metrics-token")));
        assert!(token.admits(&with("bearer s3cr3t-metrics-token")));
        for wrong in [
            "Bearer s3cr3t-metrics-tokeN",
            "Bearer s3cr3t-metrics-token ",
            "Bearer s3cr3t-metrics",
            "Bearer ",
            "Basic s3cr3t-metrics-token",
            "s3cr3t-metrics-token",
        ] {
            assert!(!token.admits(&with(wrong)), "{wrong:?} admitted");
        }
        assert!(!token.admits(&HeaderMap::new()));
        assert!(!format!("{token:?}").contains("s3cr3t"));
    }
}
