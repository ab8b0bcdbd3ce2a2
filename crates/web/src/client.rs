//! The embedded web client: plain HTML, CSS and ES modules, no build step, no outside
//! requests. Served from the binary with a strict Content-Security-Policy.

use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

const INDEX: &str = include_str!("../../../web-client/index.html");

/// Every file of the client, by path below `/app/`.
const ASSETS: &[(&str, &str)] = &[
    ("style.css", include_str!("../../../web-client/style.css")),
    ("app.js", include_str!("../../../web-client/app.js")),
    ("api.js", include_str!("../../../web-client/api.js")),
    ("i18n.js", include_str!("../../../web-client/i18n.js")),
    ("dom.js", include_str!("../../../web-client/dom.js")),
    ("sign_in.js", include_str!("../../../web-client/sign_in.js")),
    ("account.js", include_str!("../../../web-client/account.js")),
    (
        "admin_staff.js",
        include_str!("../../../web-client/admin_staff.js"),
    ),
    (
        "admin_person.js",
        include_str!("../../../web-client/admin_person.js"),
    ),
    (
        "admin_locked.js",
        include_str!("../../../web-client/admin_locked.js"),
    ),
    (
        "admin_audit.js",
        include_str!("../../../web-client/admin_audit.js"),
    ),
    (
        "admin_rule.js",
        include_str!("../../../web-client/admin_rule.js"),
    ),
    (
        "texts_live.js",
        include_str!("../../../web-client/texts_live.js"),
    ),
    (
        "realtime.js",
        include_str!("../../../web-client/realtime.js"),
    ),
    (
        "presence_view.js",
        include_str!("../../../web-client/presence_view.js"),
    ),
    ("popups.js", include_str!("../../../web-client/popups.js")),
    (
        "chat_state.js",
        include_str!("../../../web-client/chat_state.js"),
    ),
    (
        "team_panel.js",
        include_str!("../../../web-client/team_panel.js"),
    ),
    ("chat.js", include_str!("../../../web-client/chat.js")),
    (
        "chat_room.js",
        include_str!("../../../web-client/chat_room.js"),
    ),
    (
        "chat_message.js",
        include_str!("../../../web-client/chat_message.js"),
    ),
    (
        "admin_groups.js",
        include_str!("../../../web-client/admin_groups.js"),
    ),
    ("phones.js", include_str!("../../../web-client/phones.js")),
    (
        "forwarding.js",
        include_str!("../../../web-client/forwarding.js"),
    ),
    (
        "texts_forwarding.js",
        include_str!("../../../web-client/texts_forwarding.js"),
    ),
];

const SECURITY_HEADERS: [(header::HeaderName, &str); 4] = [
    (header::CONTENT_SECURITY_POLICY, "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "no-referrer"),
    (header::X_FRAME_OPTIONS, "DENY"),
];

fn with_security_headers(mut response: Response) -> Response {
    for (name, value) in SECURITY_HEADERS {
        response
            .headers_mut()
            .insert(name, HeaderValue::from_static(value));
    }
    response
}

/// `GET /`: the single page, with the organisation's name filled in (HTML-escaped).
pub async fn index(State(state): State<AppState>) -> Response {
    // Without an organisation name the header would read "Durchwahl Durchwahl".
    let name = if state.organisation == "Durchwahl" {
        ""
    } else {
        &state.organisation
    };
    let page = INDEX.replace("{{organisation}}", &escape_html(name));
    with_security_headers(
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response(),
    )
}

/// `GET /app/{file}`: a file of the client.
pub async fn asset(Path(file): Path<String>) -> Response {
    let Some((_, body)) = ASSETS.iter().find(|(name, _)| *name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let kind = if file.ends_with(".css") {
        "text/css; charset=utf-8"
    } else {
        "text/javascript; charset=utf-8"
    };
    with_security_headers(
        (
            [
                (header::CONTENT_TYPE, kind),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            *body,
        )
            .into_response(),
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
    /// Every module of the client is served, so one missing file cannot break the app.
    #[test]
    fn every_client_file_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web-client");
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".js") || name.ends_with(".css") {
                assert!(
                    super::ASSETS.iter().any(|(n, _)| *n == name),
                    "{name} is not in ASSETS"
                );
            }
        }
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            super::escape_html("<b>\"A&B\"</b>"),
            "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;"
        );
    }
}
