//! Sending SMS codes. German SMS providers are integrated by an HTTP request whose URL,
//! method, headers and body template are configured (`[sms]`); `{to}` and `{text}` are
//! replaced (URL-encoded in the URL, JSON-escaped in the body). The request goes through
//! reqwest (system CAs plus an optional extra CA, an optional HTTP proxy, IPv6 hosts).
//! The `log` gateway, for the demo, writes the text to the server log, clearly marked.
//! The code itself is never logged otherwise, and header values (tokens) are secrets.

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::time::Duration;

/// Where SMS go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GatewayKind {
    /// No SMS: the method is not offered.
    #[default]
    None,
    /// DEMO ONLY: the code is written to the log.
    Log,
    /// A request to the provider's HTTP interface.
    Http,
}

/// `[sms]`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsConfig {
    /// How SMS are sent.
    pub gateway: GatewayKind,
    /// For `http`: the provider's URL; `{to}` and `{text}` are replaced.
    pub url: String,
    /// For `http`: the method.
    pub method: String,
    /// For `http`: extra headers as `"Name: value"` (values often hold tokens: secret).
    #[serde(serialize_with = "redacted")]
    pub headers: Vec<SecretString>,
    /// For `http`: the body; `{to}` and `{text}` are replaced (JSON-escaped).
    pub body: String,
    /// For an `https://` URL: extra trusted CA certificates (PEM), besides the system's.
    pub ca_file: Option<PathBuf>,
    /// An HTTP proxy to reach the provider through, e.g. `http://proxy.intern:3128`.
    pub proxy: Option<String>,
}

fn redacted<S: serde::Serializer>(headers: &[SecretString], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(headers.iter().map(|_| "[REDACTED]"))
}

impl Default for SmsConfig {
    fn default() -> Self {
        SmsConfig {
            gateway: GatewayKind::None,
            url: String::new(),
            method: "POST".into(),
            headers: Vec::new(),
            body: String::new(),
            ca_file: None,
            proxy: None,
        }
    }
}

impl PartialEq for SmsConfig {
    fn eq(&self, other: &Self) -> bool {
        let secrets = |h: &[SecretString]| {
            h.iter()
                .map(|s| s.expose_secret().to_owned())
                .collect::<Vec<_>>()
        };
        (
            self.gateway,
            &self.url,
            &self.method,
            &self.body,
            &self.ca_file,
            &self.proxy,
        ) == (
            other.gateway,
            &other.url,
            &other.method,
            &other.body,
            &other.ca_file,
            &other.proxy,
        ) && secrets(&self.headers) == secrets(&other.headers)
    }
}

impl SmsConfig {
    /// Why the section cannot be used, if it cannot.
    pub fn validate(&self) -> Result<(), String> {
        if self.gateway == GatewayKind::Http {
            if !(self.url.starts_with("https://") || self.url.starts_with("http://")) {
                return Err("[sms] url must start with https:// or http://".into());
            }
            if reqwest::Method::from_bytes(self.method.as_bytes()).is_err() {
                return Err(format!(
                    "[sms] method {:?} is not an HTTP method",
                    self.method
                ));
            }
        }
        for header in &self.headers {
            let ok = header
                .expose_secret()
                .split_once(':')
                .is_some_and(|(name, _)| {
                    reqwest::header::HeaderName::from_bytes(name.trim().as_bytes()).is_ok()
                });
            if !ok {
                // The value is a secret: only its position is named.
                return Err("[sms] every header must look like \"Name: value\"".into());
            }
        }
        if let Some(proxy) = &self.proxy {
            reqwest::Proxy::all(proxy)
                .map_err(|e| format!("[sms] proxy {proxy:?} is not a proxy URL: {e}"))?;
        }
        Ok(())
    }

    /// The gateway this section describes.
    pub fn gateway(&self) -> Result<SmsGateway, SmsError> {
        Ok(match self.gateway {
            GatewayKind::None => SmsGateway::None,
            GatewayKind::Log => SmsGateway::Log,
            GatewayKind::Http => SmsGateway::Http(Box::new(HttpGateway::new(self)?)),
        })
    }
}

/// How SMS are sent.
#[derive(Debug, Clone)]
pub enum SmsGateway {
    /// Demo only: log the message.
    Log,
    /// Refuse: no gateway configured.
    None,
    /// An HTTP request to a provider.
    Http(Box<HttpGateway>),
}

/// A provider's HTTP interface, with its client.
#[derive(Debug, Clone)]
pub struct HttpGateway {
    client: reqwest::Client,
    url: String,
    method: reqwest::Method,
    headers: reqwest::header::HeaderMap,
    body: String,
}

/// Why an SMS was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// No gateway configured.
    #[error("no SMS gateway is configured")]
    NotConfigured,
    /// The configuration cannot make a client (a bad CA file, proxy or header).
    #[error("the SMS gateway is misconfigured: {0}")]
    Config(String),
    /// Network failure, TLS failure or timeout.
    #[error("the SMS gateway cannot be reached: {0}")]
    Unreachable(String),
    /// The provider answered with an error status.
    #[error("the SMS gateway answered with status {0}")]
    Rejected(u16),
}

impl SmsGateway {
    /// Sends `text` to `to`.
    pub async fn send(&self, to: &str, text: &str) -> Result<(), SmsError> {
        match self {
            SmsGateway::None => Err(SmsError::NotConfigured),
            SmsGateway::Log => {
                tracing::warn!(to = %to, text = %text, "DEMO SMS GATEWAY — not sent, only logged; never use in production");
                Ok(())
            }
            SmsGateway::Http(http) => http.send(to, text).await,
        }
    }
}

impl HttpGateway {
    fn new(config: &SmsConfig) -> Result<HttpGateway, SmsError> {
        let bad = |e: &dyn std::fmt::Display| SmsError::Config(e.to_string());
        let mut client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10));
        if let Some(file) = &config.ca_file {
            let pem = std::fs::read(file).map_err(|e| bad(&format!("{}: {e}", file.display())))?;
            let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| bad(&e))?;
            client = client.tls_certs_merge(certificates);
        }
        if let Some(proxy) = &config.proxy {
            client = client.proxy(reqwest::Proxy::all(proxy).map_err(|e| bad(&e))?);
        }
        let mut headers = reqwest::header::HeaderMap::new();
        for header in &config.headers {
            let (name, value) = header
                .expose_secret()
                .split_once(':')
                .ok_or_else(|| bad(&"a header without a colon"))?;
            let name = reqwest::header::HeaderName::from_bytes(name.trim().as_bytes())
                .map_err(|e| bad(&e))?;
            let mut value = reqwest::header::HeaderValue::from_str(value.trim())
                .map_err(|_| bad(&"a header value"))?;
            // Kept out of reqwest's debug output too.
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        Ok(HttpGateway {
            client: client.build().map_err(|e| bad(&e))?,
            url: config.url.clone(),
            method: reqwest::Method::from_bytes(config.method.as_bytes()).map_err(|e| bad(&e))?,
            headers,
            body: config.body.clone(),
        })
    }

    async fn send(&self, to: &str, text: &str) -> Result<(), SmsError> {
        let url = self
            .url
            .replace("{to}", &url_encode(to))
            .replace("{text}", &url_encode(text));
        let body = self
            .body
            .replace("{to}", &json_escape(to))
            .replace("{text}", &json_escape(text));
        let answer = self
            .client
            .request(self.method.clone(), url)
            .headers(self.headers.clone())
            .body(body)
            .send()
            .await
            // Without the URL: it holds the phone number.
            .map_err(|e| SmsError::Unreachable(e.without_url().to_string()))?;
        let status = answer.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(SmsError::Rejected(status.as_u16()))
        }
    }
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn json_escape(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted[1..quoted.len() - 1].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes() {
        assert_eq!(super::url_encode("+49 151/ä"), "%2B49%20151%2F%C3%A4");
        assert_eq!(super::json_escape("a\"b\n"), "a\\\"b\\n");
    }

    #[test]
    fn header_values_stay_secret_and_bad_sections_say_why() {
        let config = SmsConfig {
            gateway: GatewayKind::Http,
            url: "https://[2001:db8::1]:8443/send?to={to}".into(),
            headers: vec![SecretString::from("Authorization: Bearer geheim")],
            proxy: Some("http://proxy.intern:3128".into()),
            ..SmsConfig::default()
        };
        assert_eq!(config.validate(), Ok(()));
        assert!(!format!("{config:?}").contains("geheim"), "{config:?}");
        assert!(config.gateway().is_ok(), "an IPv6 host and a proxy");
        let bad = SmsConfig {
            headers: vec![SecretString::from("no colon here geheim")],
            ..config.clone()
        };
        let why = bad.validate().unwrap_err();
        assert!(!why.contains("geheim"), "{why}");
        let bad = SmsConfig {
            url: "ftp://x".into(),
            ..config
        };
        assert!(bad.validate().unwrap_err().contains("url"));
    }
}
