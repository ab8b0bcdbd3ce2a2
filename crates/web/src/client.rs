//! The embedded web client: plain HTML, CSS and ES modules, no build step, no outside
//! requests. Served from the binary.

use crate::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};

const INDEX: &str = include_str!("../../../web-client/index.html");

/// `GET /`: the start page, with the organisation's name filled in (HTML-escaped).
pub async fn index(State(state): State<AppState>) -> impl IntoResponse {
    let page = INDEX.replace("{{organisation}}", &escape_html(&state.organisation));
    (
        [
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; frame-ancestors 'none'",
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
        ],
        Html(page),
    )
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(
            super::escape_html("<b>\"A&B\"</b>"),
            "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;"
        );
    }
}
