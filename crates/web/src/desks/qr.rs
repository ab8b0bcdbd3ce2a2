//! The sign on a desk: its check-in link as a QR code (SVG), for the administrators to
//! print. Scanning it opens the check-in page (`#/desks/check-in/{id}`) on the phone of
//! whoever sits down; the page signs them in first if needed.
//!
//! The link's origin comes from the administrator's browser (`?origin=`, the address the
//! staff reach the web client at), not from the request's `Host`: behind a reverse proxy
//! that terminates TLS the server cannot know the scheme and name people use. Only a bare
//! `http(s)://host[:port]` is taken, so the code never points anywhere else than a
//! web-client page.

use crate::auth::session::Admin;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// Where the sign should point.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SignQuery {
    /// The web client's origin, e.g. `https://durchwahl.landkreis.de`.
    pub origin: String,
}

/// Whether `origin` is a bare `http://` or `https://` origin: a host name, IPv4 or
/// bracketed IPv6 address and an optional port, nothing else.
pub fn is_bare_origin(origin: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return false;
    };
    let (host, port) = match rest.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((addr, after)) if !addr.is_empty() => {
                let ok = addr
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
                (if ok { "v6" } else { "" }, after)
            }
            _ => return false,
        },
        None => match rest.find(':') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        },
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| (1..=5).contains(&p.len()) && p.parse::<u16>().is_ok_and(|n| n > 0));
    host_ok && port_ok
}

/// The check-in link a desk's sign carries.
pub fn check_in_link(origin: &str, desk: i64) -> String {
    format!("{origin}/#/desks/check-in/{desk}")
}

/// A desk's sign: its check-in link as a QR code.
#[utoipa::path(get, path = "/api/v1/admin/desks/desks/{id}/qr.svg", tag = "desks",
    security(("sessionCookie" = [])), extensions(("x-required-role" = json!("admin"))),
    params(("id" = i64, Path, description = "The desk's id"), SignQuery),
    responses((status = 200, description = "image/svg+xml: the QR code of `{origin}/#/desks/check-in/{id}`, named for screen readers"),
        (status = 404, description = "No such desk", body = ErrorBody),
        (status = 422, description = "`origin` is not a bare http(s) origin", body = ErrorBody)))]
pub async fn sign(
    State(state): State<AppState>,
    _: Admin,
    Path(desk): Path<i64>,
    Query(query): Query<SignQuery>,
) -> Result<Response, ApiError> {
    let origin = query.origin.trim().trim_end_matches('/');
    if !is_bare_origin(origin) {
        return Err(super::unprocessable(
            "origin",
            "not_an_origin",
            "Die Adresse muss die Form https://name[:port] haben.",
        ));
    }
    let (row, _, _) = state
        .store
        .desk_with_place(desk)
        .await?
        .ok_or_else(|| ApiError::NotFound("Diesen Platz gibt es nicht.".into()))?;
    let svg = auth::try_qr_svg(
        &check_in_link(origin, desk),
        &format!("QR-Code zum Einchecken am Platz {}", row.label),
    )
    .map_err(|_| ApiError::Internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        svg,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::{check_in_link, is_bare_origin};

    #[test]
    fn only_bare_http_origins() {
        for good in [
            "https://durchwahl.landkreis.de",
            "http://127.0.0.1:8080",
            "https://[::1]:8443",
            "http://localhost",
        ] {
            assert!(is_bare_origin(good), "{good}");
        }
        for bad in [
            "",
            "javascript:alert(1)",
            "https://",
            "https://a.de/path",
            "https://a.de?x=1",
            "https://a.de#x",
            "https://user@a.de",
            "https://a.de:0",
            "https://a.de:99999",
            "https://a..de",
            "https://-a.de",
            "ftp://a.de",
            "https://[]:1",
            "https://[::1",
            "https://a.de:80:80",
            "https://a de",
        ] {
            assert!(!is_bare_origin(bad), "{bad}");
        }
    }

    #[test]
    fn the_link_opens_the_check_in_page() {
        assert_eq!(
            check_in_link("https://x.de", 7),
            "https://x.de/#/desks/check-in/7"
        );
    }
}
