//! How the gateway says no: a browser asking for a page gets a small page in German (in
//! English with `?lang=en` or `Accept-Language: en…`), everything else JSON like the rest
//! of the API (`{"error", "message"}`). A browser without a session is sent to the
//! portal, which signs in first; the address is fixed, never taken from the request.

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// A refusal.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The status.
    pub status: StatusCode,
    /// The API's stable error code.
    pub code: &'static str,
    /// Why the rule refused (`unit`, `role`, … `capacity`), for programs.
    pub reason: Option<&'static str>,
    /// The German sentence.
    pub german: String,
    /// The English sentence.
    pub english: String,
}

impl Refusal {
    /// A refusal with both sentences.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        german: impl Into<String>,
        english: impl Into<String>,
    ) -> Self {
        Refusal {
            status,
            code,
            reason: None,
            german: german.into(),
            english: english.into(),
        }
    }

    /// With the rule's reason.
    pub fn because(mut self, reason: &'static str) -> Self {
        self.reason = Some(reason);
        self
    }

    /// The answer for a request with `headers` and `query`.
    pub fn respond(&self, headers: &HeaderMap, query: Option<&str>) -> Response {
        if !wants_html(headers) {
            let body = match self.reason {
                Some(reason) => {
                    serde_json::json!({ "error": self.code, "reason": reason, "message": self.german })
                }
                None => serde_json::json!({ "error": self.code, "message": self.german }),
            };
            return (self.status, axum::Json(body)).into_response();
        }
        if self.status == StatusCode::UNAUTHORIZED {
            return (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, HeaderValue::from_static("/#/apps"))],
            )
                .into_response();
        }
        let english = english(headers, query);
        let (lang, title, text, back) = if english {
            (
                "en",
                "Not available",
                &self.english,
                "Back to my applications",
            )
        } else {
            (
                "de",
                "Nicht verfügbar",
                &self.german,
                "Zurück zu meinen Anwendungen",
            )
        };
        let page = format!(
            "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{title} – Durchwahl</title></head><body style=\"font-family:sans-serif;\
             max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5\"><main>\
             <h1>{title}</h1><p role=\"alert\">{}</p><p><a href=\"/#/apps\">{back}</a></p>\
             </main></body></html>",
            escape(text)
        );
        (
            self.status,
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
                ),
            ],
            page,
        )
            .into_response()
    }
}

/// Whether the request is a browser asking for a page.
pub(crate) fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

fn english(headers: &HeaderMap, query: Option<&str>) -> bool {
    if let Some(q) = query {
        if q.split('&').any(|p| p == "lang=en") {
            return true;
        }
        if q.split('&').any(|p| p == "lang=de") {
            return false;
        }
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|first| first.trim().to_ascii_lowercase().starts_with("en"))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_and_forms() {
        let mut h = HeaderMap::new();
        assert!(!english(&h, None));
        assert!(english(&h, Some("a=1&lang=en")));
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("en-GB,de;q=0.5"),
        );
        assert!(english(&h, None));
        assert!(!english(&h, Some("lang=de")));
        assert!(!wants_html(&h));
        h.insert(header::ACCEPT, HeaderValue::from_static("text/html,*/*"));
        let r = Refusal::new(StatusCode::UNAUTHORIZED, "unauthorized", "a", "b").respond(&h, None);
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(r.headers()[header::LOCATION], "/#/apps");
        assert_eq!(escape("<b>&\""), "&lt;b&gt;&amp;&quot;");
    }
}
