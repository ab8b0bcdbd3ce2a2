//! The embedded web client: plain HTML, CSS and ES modules, no build step, no outside
//! requests, every file of `web-client/` in the binary (rust-embed, also in debug builds,
//! so what the tests serve is what ships). Served with a strict Content-Security-Policy
//! and an ETag per file: browsers revalidate (`no-cache`) and get `304` while unchanged.

use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

/// The files of `web-client/`.
#[derive(RustEmbed)]
#[folder = "../../web-client/"]
struct ClientFiles;

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
    let Some(file) = ClientFiles::get("index.html") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // Without an organisation name the header would read "Durchwahl Durchwahl".
    let name = if state.organisation == "Durchwahl" {
        ""
    } else {
        &state.organisation
    };
    let page = String::from_utf8_lossy(&file.data).replace("{{organisation}}", &escape_html(name));
    with_security_headers(
        (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            page,
        )
            .into_response(),
    )
}

/// `GET /app/{file}`: a file of the client; `304` when the browser has it already.
pub async fn asset(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(embedded) = ClientFiles::get(&file).filter(|_| file != "index.html") else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let hash = embedded.metadata.sha256_hash();
    let etag = format!(
        "\"{}\"",
        hash[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let cached = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == etag || tag.trim() == "*");
    let kind = match file.rsplit_once('.').map(|(_, ext)| ext) {
        Some("css") => "text/css; charset=utf-8",
        Some("webmanifest") => "application/manifest+json",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ogg") => "audio/ogg",
        Some("wav") => "audio/wav",
        _ => "application/octet-stream",
    };
    let common = [
        (header::ETAG, etag),
        (header::CACHE_CONTROL, "no-cache".to_owned()),
    ];
    let response = if cached {
        (StatusCode::NOT_MODIFIED, common).into_response()
    } else {
        (
            [(header::CONTENT_TYPE, kind.to_owned())],
            common,
            embedded.data.into_owned(),
        )
            .into_response()
    };
    with_security_headers(allow_worker_scope(&file, response))
}

/// The service worker lives at `/app/sw.js` but serves the whole app (the page is `/`):
/// its scope may reach up to `/` only with this header (Service Workers §4.1.2).
fn allow_worker_scope(file: &str, mut response: Response) -> Response {
    if file == "sw.js" {
        response.headers_mut().insert(
            header::HeaderName::from_static("service-worker-allowed"),
            HeaderValue::from_static("/"),
        );
    }
    response
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
    use super::ClientFiles;

    /// Every file of the client, in its folders too (`phone/`, `icons/`), is embedded,
    /// so one missing file cannot break the app.
    #[test]
    fn every_client_file_is_embedded() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web-client");
        let mut folders = vec![root.clone()];
        while let Some(dir) = folders.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                    continue;
                }
                let name = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                let shipped = [".js", ".css", ".html", ".webmanifest", ".png", ".svg"];
                if shipped.iter().any(|ext| name.ends_with(ext)) {
                    assert!(ClientFiles::get(&name).is_some(), "{name} is not embedded");
                }
            }
        }
    }

    #[tokio::test]
    async fn the_service_worker_may_serve_the_whole_app() {
        use axum::extract::Path;
        use axum::http::HeaderMap;
        let worker = super::asset(Path("sw.js".to_owned()), HeaderMap::new()).await;
        assert_eq!(worker.headers()["service-worker-allowed"], "/");
        assert!(worker.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript"));
        let manifest =
            super::asset(Path("manifest.webmanifest".to_owned()), HeaderMap::new()).await;
        assert_eq!(
            manifest.headers()["content-type"],
            "application/manifest+json"
        );
        assert!(manifest.headers().get("service-worker-allowed").is_none());
        let module = super::asset(Path("phone/phone.js".to_owned()), HeaderMap::new()).await;
        assert_eq!(module.status(), axum::http::StatusCode::OK);
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            super::escape_html("<b>\"A&B\"</b>"),
            "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;"
        );
    }
}
