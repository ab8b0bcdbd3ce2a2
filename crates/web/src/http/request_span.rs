//! The tracing span of an HTTP request, without secrets: the method and the path with
//! anything that looks like a token left out (a calendar feed's `/calendar/{token}.ics`,
//! links that carry a token in their path), and never the query string (which may carry
//! one too). tower-http's default span records the whole URI, which at debug level put
//! feed tokens into the log.

use axum::http::Request;
use tower_http::trace::MakeSpan;
use tracing::Span;

/// Makes the request's span (see the module).
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        tracing::debug_span!(
            "request",
            method = %request.method(),
            path = %redacted_path(request.uri().path()),
        )
    }
}

/// `path` with every segment that could be a secret replaced by `…`: 20 or more letters,
/// digits, `-`, `_`, `.` or `~` in a row (ids and names are shorter or contain other
/// characters; tokens are long random strings).
pub fn redacted_path(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            let token = segment.len() >= 20
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '%'));
            if token {
                "…"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::redacted_path;

    #[test]
    fn tokens_are_left_out_and_routes_kept() {
        assert_eq!(
            redacted_path("/api/v1/team-week/calendar/q3V9xK2mPz8LrT5wYb1NcA7dEf4GhJ6k.ics"),
            "/api/v1/team-week/calendar/…"
        );
        assert_eq!(
            redacted_path("/api/v1/desks/floors/12"),
            "/api/v1/desks/floors/12"
        );
        assert_eq!(
            redacted_path("/api/v1/admin/staff/b.user/phones"),
            "/api/v1/admin/staff/b.user/phones"
        );
        assert_eq!(redacted_path("/"), "/");
    }
}
