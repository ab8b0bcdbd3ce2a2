//! Applications on a host name of their own (`host` of an application): every request to
//! that host, whatever its path, goes to the application, so its pages never share an
//! origin with Durchwahl's API. The browser has no Durchwahl cookie there; a person
//! without one is sent to Durchwahl (`[gateway] portal_url`), which hands them over with a
//! one-time code (`/gateway/handoff` there, `/.durchwahl/handoff` here); the code buys a
//! cookie of this host, `dw_gateway`, that stands for the person's Durchwahl session at
//! this application only. Every request is then checked against that live session (a
//! sign-out at Durchwahl ends it here too), and the rule, the cap, the audit and the
//! forwarding are the same as under `/apps/NAME/` (`proxy.rs`).

use super::proxy::{self, Call};
use super::refusal::Refusal;
use crate::auth::session::{cookie, SignedIn, SESSION_COOKIE};
use crate::http::client_addr::ClientAddr;
use crate::AppState;
use axum::extract::{FromRequestParts, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use gateway::target::Target;

/// The cookie that stands for a person's session on an application's own host.
pub const HOST_COOKIE: &str = "dw_gateway";
/// The path on an application's host that redeems a handover code.
pub const REDEEM_PATH: &str = "/.durchwahl/handoff";

/// Sends requests for an application's own host name there; every other request goes on.
pub async fn route(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let host = request_host(&request);
    let Some(published) = host.and_then(|h| state.gateway.registry.by_host(&h)) else {
        return next.run(request).await;
    };
    let (mut parts, body) = request.into_parts();
    let client = match ClientAddr::from_request_parts(&mut parts, &state).await {
        Ok(ClientAddr(ip)) => ip,
        Err(rejection) => return rejection.into_response(),
    };
    let request = Request::from_parts(parts, body);
    at_host(&state, client, request, &published).await
}

/// The host a request is for: lower case, without port.
fn request_host(request: &Request) -> Option<String> {
    let raw = request.uri().host().map(str::to_string).or_else(|| {
        request
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    })?;
    let name = match raw.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => raw.as_str(),
    };
    Some(name.trim_end_matches('.').to_ascii_lowercase())
}

async fn at_host(
    state: &AppState,
    client: std::net::IpAddr,
    request: Request,
    published: &super::registry::Published,
) -> Response {
    let now_ms = state.live.now_ms();
    let name = published.app.name.as_str().to_string();
    let headers = request.headers().clone();
    let path = request.uri().path().to_string();
    let query = request.uri().query().map(str::to_string);
    let respond = |r: Refusal| r.respond(&headers, query.as_deref());
    if path == REDEEM_PATH {
        return redeem(state, &name, query.as_deref(), now_ms).unwrap_or_else(respond);
    }
    let target = match Target::for_host(&name, &path, query.as_deref()) {
        Ok(t) => t,
        Err(bad) => {
            proxy::record_refusal(state, None, &name, bad.code(), client, now_ms).await;
            return respond(proxy::bad_target(bad));
        }
    };
    let token = cookie(&headers, HOST_COOKIE).map(auth::session_token::token_hash);
    let session = token.as_deref().and_then(|t| {
        state
            .gateway
            .handoffs(|h| h.session_of(t, &name).map(str::to_string))
    });
    let session_key = session.clone();
    let found = match session {
        Some(hash) => crate::auth::session::live_session_by_hash(&hash, state).await,
        None => Err(crate::error::ApiError::Unauthorized),
    };
    let session_hash = session_key.unwrap_or_default();
    let (session, account) = match found {
        Ok(found) => found,
        Err(crate::error::ApiError::Unauthorized) => {
            if let Some(t) = &token {
                state.gateway.handoffs(|h| h.handle_ended(t));
            }
            proxy::record_refusal(state, None, &name, "no_session", client, now_ms).await;
            return to_portal(state, &name, &path, query.as_deref(), &headers);
        }
        Err(other) => return other.into_response(),
    };
    proxy::serve(Call {
        state,
        client,
        request,
        headers: &headers,
        query: query.as_deref(),
        target: &target,
        published,
        session: &session,
        session_hash: &session_hash,
        account: &account,
        prefix: "",
        now_ms,
    })
    .await
}

/// A person without a session here: a browser goes to Durchwahl to be handed over (and
/// comes back to the same path), anything else gets 401.
fn to_portal(
    state: &AppState,
    app: &str,
    path: &str,
    query: Option<&str>,
    headers: &axum::http::HeaderMap,
) -> Response {
    let wants_page = super::refusal::wants_html(headers);
    let unauthorized = Refusal::new(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Bitte melden Sie sich bei Durchwahl an.",
        "Please sign in at Durchwahl.",
    );
    let Some(portal) = state.gateway.portal.as_deref().filter(|_| wants_page) else {
        return (
            StatusCode::UNAUTHORIZED,
            axum::Json(
                serde_json::json!({"error": unauthorized.code, "message": unauthorized.german}),
            ),
        )
            .into_response();
    };
    let next = match query {
        Some(q) => format!("{path}?{q}"),
        None => path.to_string(),
    };
    let to = format!(
        "{portal}/gateway/handoff?app={app}&next={}",
        encode_component(&safe_next(&next))
    );
    match HeaderValue::from_str(&to) {
        Ok(v) => (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}

/// Redeems a handover code for this host's cookie and goes on to `next`.
fn redeem(
    state: &AppState,
    app: &str,
    query: Option<&str>,
    now_ms: i64,
) -> Result<Response, Refusal> {
    let param = |key: &str| {
        form_urlencoded::parse(query?.as_bytes())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    };
    let bad = |why: String| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("{why} Bitte öffnen Sie die Anwendung erneut über „Meine Anwendungen“."),
            "The sign-in code is unknown, used or expired. Please open the application again from My applications.",
        )
    };
    let code = param("code").ok_or_else(|| bad("Es fehlt der Anmeldecode.".into()))?;
    let token = random_token();
    state
        .gateway
        .handoffs(|h| {
            h.handle_redeem(
                &auth::session_token::token_hash(&code),
                app,
                auth::session_token::token_hash(&token),
                now_ms,
            )
        })
        .map_err(|e| bad(e.to_string()))?;
    let next = safe_next(&param("next").unwrap_or_else(|| "/".into()));
    let secure = state
        .gateway
        .portal
        .as_deref()
        .is_some_and(|p| p.starts_with("https://"));
    let cookie = format!(
        "{HOST_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        state.auth.lifetime_secs,
        if secure { "; Secure" } else { "" }
    );
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let (Ok(c), Ok(l)) = (HeaderValue::from_str(&cookie), HeaderValue::from_str(&next)) {
        headers.insert(header::SET_COOKIE, c);
        headers.insert(header::LOCATION, l);
    }
    Ok(response)
}

/// Query of `/gateway/handoff`.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct HandoffQuery {
    /// The application's name.
    pub app: String,
    /// The path (and query) on the application's host to go on to.
    #[serde(default)]
    pub next: Option<String>,
}

/// Hands the signed-in person over to an application on a host name of its own: a
/// one-time code (valid for a minute) goes to the application's host in a redirect.
#[utoipa::path(get, path = "/gateway/handoff", tag = "gateway",
    params(HandoffQuery),
    responses((status = 303, description = "With the session cookie: to the application's host with a one-time code; without: to the portal (/#/apps), which signs in first"),
        (status = 404, description = "No application of this name on a host of its own")))]
pub async fn handoff(
    State(state): State<AppState>,
    Query(q): Query<HandoffQuery>,
    request: Request,
) -> Response {
    let (mut parts, _) = request.into_parts();
    match SignedIn::from_request_parts(&mut parts, &state).await {
        Ok(_) => {}
        Err(_) => {
            return (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, HeaderValue::from_static("/#/apps"))],
            )
                .into_response()
        }
    }
    let published = state.gateway.registry.get(&q.app);
    let (Some(published), Some(portal)) = (published, state.gateway.portal.as_deref()) else {
        return crate::error::ApiError::NotFound("Diese Anwendung gibt es nicht.".into())
            .into_response();
    };
    let Some(origin) = origin(portal, published.app.host.as_deref()) else {
        return crate::error::ApiError::NotFound("Diese Anwendung gibt es nicht.".into())
            .into_response();
    };
    let Some(session) = cookie(&parts.headers, SESSION_COOKIE).map(auth::session_token::token_hash)
    else {
        return crate::error::ApiError::Unauthorized.into_response();
    };
    let code = random_token();
    let now_ms = state.live.now_ms();
    state.gateway.handoffs(|h| {
        h.handle_issue(
            auth::session_token::token_hash(&code),
            session,
            &q.app,
            now_ms,
        )
    });
    let next = safe_next(q.next.as_deref().unwrap_or("/"));
    let to = format!(
        "{origin}{REDEEM_PATH}?code={code}&next={}",
        encode_component(&next)
    );
    let mut response = StatusCode::SEE_OTHER.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if let Ok(v) = HeaderValue::from_str(&to) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// `scheme://host[:port]` of an application's own host, with the portal's scheme and port.
pub fn origin(portal: &str, host: Option<&str>) -> Option<String> {
    let host = host?;
    let (scheme, rest) = portal.split_once("://")?;
    let authority = rest.split('/').next().unwrap_or("");
    let port = match authority.rsplit_once(':') {
        Some((_, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => format!(":{p}"),
        _ => String::new(),
    };
    Some(format!("{scheme}://{host}{port}"))
}

/// A path on the same host: `/…`, never `//…` or a backslash (no open redirect).
fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    if ok {
        next.to_string()
    } else {
        "/".into()
    }
}

fn encode_component(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random number generator failed");
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_the_host_and_survives_the_round_trip() {
        for (raw, safe) in [
            ("/akte/17?tab=2", "/akte/17?tab=2"),
            ("//evil.example/", "/"),
            ("/\\evil", "/"),
            ("https://evil.example/", "/"),
            ("", "/"),
        ] {
            assert_eq!(safe_next(raw), safe, "{raw}");
        }
        let next = "/a b/ü?x=1&y=%2F";
        let query = format!("next={}", encode_component(next));
        let back = form_urlencoded::parse(query.as_bytes()).next().unwrap().1;
        assert_eq!(back, next);
    }

    #[test]
    fn origins_take_the_portals_scheme_and_port() {
        assert_eq!(
            origin("https://durchwahl.lra.example", Some("akte.lra.example")).as_deref(),
            Some("https://akte.lra.example")
        );
        assert_eq!(
            origin("http://127.0.0.1:8080", Some("akte.test")).as_deref(),
            Some("http://akte.test:8080")
        );
        assert_eq!(origin("http://x", None), None);
    }
}
