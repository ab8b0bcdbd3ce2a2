//! Sending SMS codes. German SMS providers are integrated by an HTTP request whose URL,
//! method, headers and body template are configured; `{to}` and `{text}` are replaced
//! (URL-encoded in the URL, JSON-escaped in a JSON body). The `log` gateway, for the demo,
//! writes the text to the server log, clearly marked. The code itself is never logged
//! otherwise.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How SMS are sent.
#[derive(Debug, Clone)]
pub enum SmsGateway {
    /// Demo only: log the message.
    Log,
    /// Refuse: no gateway configured.
    None,
    /// An HTTP request to a provider.
    Http(HttpGateway),
}

/// A provider's HTTP interface.
#[derive(Debug, Clone)]
pub struct HttpGateway {
    /// `http://host:port/path?…`, may contain `{to}` and `{text}`.
    pub url: String,
    /// `POST`, `GET` …
    pub method: String,
    /// Extra headers, e.g. `Authorization: Bearer …` (values may contain secrets; never logged).
    pub headers: Vec<(String, String)>,
    /// Body template; empty for none.
    pub body: String,
    /// Extra trusted CA certificates (PEM) for an `https://` URL, e.g. an internal CA; the
    /// system's trust store is always used.
    pub ca_file: Option<std::path::PathBuf>,
}

/// Why an SMS was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// No gateway configured.
    #[error("no SMS gateway is configured")]
    NotConfigured,
    /// The URL is not one we can send to.
    #[error("the SMS gateway URL must start with http:// or https://")]
    UnsupportedUrl,
    /// The TLS connection failed (for example an untrusted certificate).
    #[error("TLS to the SMS gateway failed: {0}")]
    Tls(String),
    /// Network failure or timeout.
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
            SmsGateway::Http(http) => {
                tokio::time::timeout(Duration::from_secs(10), http.send(to, text))
                    .await
                    .map_err(|_| SmsError::Unreachable("timeout after 10 s".into()))?
            }
        }
    }
}

impl HttpGateway {
    async fn send(&self, to: &str, text: &str) -> Result<(), SmsError> {
        let url = self
            .url
            .replace("{to}", &url_encode(to))
            .replace("{text}", &url_encode(text));
        let (tls, rest) = match (url.strip_prefix("https://"), url.strip_prefix("http://")) {
            (Some(rest), _) => (true, rest),
            (None, Some(rest)) => (false, rest),
            _ => return Err(SmsError::UnsupportedUrl),
        };
        let (authority, path) = rest
            .split_once('/')
            .map_or((rest, "/".to_string()), |(a, p)| (a, format!("/{p}")));
        let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
        let address = if authority.contains(':') {
            authority.to_string()
        } else {
            format!("{authority}:{}", if tls { 443 } else { 80 })
        };
        let body = self
            .body
            .replace("{to}", &json_escape(to))
            .replace("{text}", &json_escape(text));
        let mut request = format!(
            "{} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n",
            self.method
        );
        for (name, value) in &self.headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        let unreachable = |e: std::io::Error| SmsError::Unreachable(e.to_string());
        let tcp = TcpStream::connect(&address).await.map_err(unreachable)?;
        let status = if tls {
            let name = rustls_pki_types::ServerName::try_from(host.to_string())
                .map_err(|e| SmsError::Tls(e.to_string()))?;
            let stream = self
                .connector()?
                .connect(name, tcp)
                .await
                .map_err(|e| SmsError::Tls(e.to_string()))?;
            exchange(stream, &request).await?
        } else {
            exchange(tcp, &request).await?
        };
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(SmsError::Rejected(status))
        }
    }

    /// A TLS client trusting the system's CAs and the configured extra ones.
    fn connector(&self) -> Result<tokio_rustls::TlsConnector, SmsError> {
        use rustls_pki_types::pem::PemObject;
        let tls_error = |e: &dyn std::fmt::Display| SmsError::Tls(e.to_string());
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_native_certs::load_native_certs().certs {
            let _ = roots.add(cert);
        }
        if let Some(file) = &self.ca_file {
            for cert in
                rustls_pki_types::CertificateDer::pem_file_iter(file).map_err(|e| tls_error(&e))?
            {
                roots
                    .add(cert.map_err(|e| tls_error(&e))?)
                    .map_err(|e| tls_error(&e))?;
            }
        }
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error(&e))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(tokio_rustls::TlsConnector::from(std::sync::Arc::new(
            config,
        )))
    }
}

/// Sends the request and reads the status code of the answer.
async fn exchange(
    mut stream: impl AsyncReadExt + AsyncWriteExt + Unpin,
    request: &str,
) -> Result<u16, SmsError> {
    let unreachable = |e: std::io::Error| SmsError::Unreachable(e.to_string());
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(unreachable)?;
    stream.flush().await.map_err(unreachable)?;
    let mut head = Vec::new();
    let mut buf = [0u8; 256];
    while !head.windows(2).any(|w| w == b"\r\n") && head.len() < 1024 {
        let n = stream.read(&mut buf).await.map_err(unreachable)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    std::str::from_utf8(&head)
        .ok()
        .and_then(|l| l.get(9..12))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| SmsError::Unreachable("no HTTP status line".into()))
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
    #[test]
    fn encodes() {
        assert_eq!(super::url_encode("+49 151/ä"), "%2B49%20151%2F%C3%A4");
        assert_eq!(super::json_escape("a\"b\n"), "a\\\"b\\n");
    }
}
