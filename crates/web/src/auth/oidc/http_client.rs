//! The HTTP client openidconnect talks to the provider through: the workspace's reqwest
//! (one HTTP client library in the tree), with the system's CAs plus an optional extra
//! one, timeouts, a bound on answers, and redirects never followed: a discovery, key or
//! token endpoint that redirects is misconfigured or attacked, and following it could
//! carry the code or the client secret elsewhere (RFC 9700 §4.11).

use openidconnect::{AsyncHttpClient, HttpRequest, HttpResponse};
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::time::Duration;

/// The largest answer read from the provider (discovery, keys, tokens are a few KiB).
const MAX_ANSWER: usize = 1 << 20;

/// Why a request to the provider failed.
#[derive(Debug, thiserror::Error)]
pub enum ProviderHttpError {
    /// Network, TLS or timeout.
    #[error("the provider cannot be reached: {0}")]
    Unreachable(String),
    /// The answer is larger than [`MAX_ANSWER`].
    #[error("the provider's answer is larger than {MAX_ANSWER} bytes")]
    TooLarge,
    /// The request could not be made (a bad URL from the discovery document).
    #[error("the request cannot be made: {0}")]
    Request(String),
}

/// A client for one provider.
#[derive(Debug, Clone)]
pub struct ProviderHttp {
    client: reqwest::Client,
}

impl ProviderHttp {
    /// A client trusting the system's CAs and those in `ca_file` (PEM).
    pub fn new(ca_file: Option<&Path>) -> Result<ProviderHttp, String> {
        let mut client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10));
        if let Some(file) = ca_file {
            let pem = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
            let certificates = reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| format!("{}: {e}", file.display()))?;
            client = client.tls_certs_merge(certificates);
        }
        Ok(ProviderHttp {
            client: client.build().map_err(|e| e.to_string())?,
        })
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, ProviderHttpError> {
        let request = reqwest::Request::try_from(request)
            .map_err(|e| ProviderHttpError::Request(e.without_url().to_string()))?;
        let mut answer = self
            .client
            .execute(request)
            .await
            // Without the URL: a token request's URL is harmless, but one habit for all.
            .map_err(|e| ProviderHttpError::Unreachable(e.without_url().to_string()))?;
        if answer
            .content_length()
            .is_some_and(|n| n > MAX_ANSWER as u64)
        {
            return Err(ProviderHttpError::TooLarge);
        }
        let mut response = openidconnect::http::Response::builder().status(answer.status());
        if let Some(headers) = response.headers_mut() {
            *headers = answer.headers().clone();
        }
        let mut body = Vec::new();
        while let Some(chunk) = answer
            .chunk()
            .await
            .map_err(|e| ProviderHttpError::Unreachable(e.without_url().to_string()))?
        {
            if body.len() + chunk.len() > MAX_ANSWER {
                return Err(ProviderHttpError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        response
            .body(body)
            .map_err(|e| ProviderHttpError::Request(e.to_string()))
    }
}

impl<'c> AsyncHttpClient<'c> for ProviderHttp {
    type Error = ProviderHttpError;
    type Future =
        Pin<Box<dyn Future<Output = Result<HttpResponse, ProviderHttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}
