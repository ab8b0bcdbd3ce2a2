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
}

/// Why an SMS was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SmsError {
    /// No gateway configured.
    #[error("no SMS gateway is configured")]
    NotConfigured,
    /// The URL is not one we can send to.
    #[error("the SMS gateway URL is not supported (use http://; https needs a TLS proxy for now)")]
    UnsupportedUrl,
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
        let rest = url
            .strip_prefix("http://")
            .ok_or(SmsError::UnsupportedUrl)?;
        let (authority, path) = rest
            .split_once('/')
            .map_or((rest, "/".to_string()), |(a, p)| (a, format!("/{p}")));
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
        let mut stream = TcpStream::connect(authority).await.map_err(unreachable)?;
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(unreachable)?;
        let mut head = vec![0u8; 32];
        let n = stream.read(&mut head).await.map_err(unreachable)?;
        let status = std::str::from_utf8(&head[..n])
            .ok()
            .and_then(|l| l.get(9..12))
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or_else(|| SmsError::Unreachable("no HTTP status line".into()))?;
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(SmsError::Rejected(status))
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
    #[test]
    fn encodes() {
        assert_eq!(super::url_encode("+49 151/ä"), "%2B49%20151%2F%C3%A4");
        assert_eq!(super::json_escape("a\"b\n"), "a\\\"b\\n");
    }
}
