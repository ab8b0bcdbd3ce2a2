//! `/apps/NAME/…`: one request through the gateway. In order: the target is checked for
//! hostile encodings (400), the application looked up (404), the session cookie read
//! (401: a browser is sent to the portal to sign in), the rule decided for this person,
//! this client address and this local time (403), the cap counted (503); then the
//! request goes to the upstream with the person's identity token, its body streamed with
//! its length, and the answer streams back. WebSocket upgrades are spliced through
//! (`upgrade.rs`). Refusals and each new access go to the audit log.

use super::headers::{self, Forwarding};
use super::refusal::Refusal;
use crate::http::client_addr::ClientAddr;
use crate::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use directory::flags::Flag;
use gateway::app::Kind;
use gateway::decision::decide;
use gateway::identity::{amr, Claims, LIFETIME_SECS};
use gateway::occupancy::Admission;
use gateway::target::{bare_name, Target};
use hyper::body::{Frame, SizeHint};
use std::net::IpAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Forwards one request (every method) under `/apps/`.
pub async fn forward(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    request: Request,
) -> Response {
    let now_ms = state.live.now_ms();
    let path = request.uri().path().to_string();
    let query = request.uri().query().map(str::to_string);
    let headers = request.headers().clone();
    let respond = |r: Refusal| r.respond(&headers, query.as_deref());
    let unknown = || {
        Refusal::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Diese Anwendung gibt es nicht.",
            "There is no such application.",
        )
    };
    if let Some(name) = bare_name(&path) {
        if state.gateway.registry.get(name).is_none() {
            return respond(unknown());
        }
        let to = match &query {
            Some(q) => format!("/apps/{name}/?{q}"),
            None => format!("/apps/{name}/"),
        };
        return match HeaderValue::from_str(&to) {
            Ok(v) => (StatusCode::PERMANENT_REDIRECT, [(header::LOCATION, v)]).into_response(),
            Err(_) => StatusCode::BAD_REQUEST.into_response(),
        };
    }
    let target = match Target::parse(&path, query.as_deref()) {
        Ok(t) => t,
        Err(bad) => {
            let app = path
                .strip_prefix("/apps/")
                .and_then(|r| r.split('/').next())
                .unwrap_or("");
            // Only a published name goes to the audit log: anyone may send any path.
            let app = match state.gateway.registry.get(app) {
                Some(_) => app,
                None => "?",
            };
            record_refusal(&state, None, app, bad.code(), client, now_ms).await;
            return respond(bad_target(bad));
        }
    };
    let Some(published) = state.gateway.registry.get(&target.name) else {
        return respond(unknown());
    };
    let (session, account) = match crate::auth::session::live_session(&headers, &state).await {
        Ok(found) => found,
        Err(crate::error::ApiError::Unauthorized) => {
            record_refusal(&state, None, &target.name, "no_session", client, now_ms).await;
            return respond(Refusal::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "Bitte melden Sie sich an.",
                "Please sign in.",
            ));
        }
        Err(other) => return other.into_response(),
    };
    if published.app.host.is_some() {
        // Its own origin only: under /apps/ it would share Durchwahl's.
        return respond(unknown());
    }
    let session_hash = crate::auth::session::cookie(&headers, crate::auth::session::SESSION_COOKIE)
        .map(auth::session_token::token_hash)
        .unwrap_or_default();
    let prefix = format!("/apps/{}", target.name);
    serve(Call {
        state: &state,
        client,
        request,
        headers: &headers,
        query: query.as_deref(),
        target: &target,
        published: &published,
        session: &session,
        session_hash: &session_hash,
        account: &account,
        prefix: &prefix,
        now_ms,
    })
    .await
}

/// One admitted-or-refused request to a known application, with its live session.
pub(crate) struct Call<'a> {
    pub(crate) state: &'a AppState,
    pub(crate) client: IpAddr,
    pub(crate) request: Request,
    pub(crate) headers: &'a axum::http::HeaderMap,
    pub(crate) query: Option<&'a str>,
    pub(crate) target: &'a Target,
    pub(crate) published: &'a super::registry::Published,
    pub(crate) session: &'a store::SessionRow,
    /// The hash of the session's token (WebSockets check it again while open).
    pub(crate) session_hash: &'a str,
    pub(crate) account: &'a store::Account,
    /// `/apps/NAME`, or empty on the application's own host.
    pub(crate) prefix: &'a str,
    pub(crate) now_ms: i64,
}

/// The rule, the cap, the audit, and the request forwarded.
pub(crate) async fn serve(call: Call<'_>) -> Response {
    let Call {
        state,
        client,
        mut request,
        headers,
        query,
        target,
        published,
        session,
        session_hash,
        account,
        prefix,
        now_ms,
    } = call;
    let respond = |r: Refusal| r.respond(headers, query);
    let app = &published.app;
    if request.method() == axum::http::Method::TRACE {
        return respond(Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "bad_request",
            "TRACE wird nicht weitergeleitet.",
            "TRACE is not forwarded.",
        ));
    }
    if !same_origin(headers, request.method()) {
        record_refusal(
            state,
            Some((account.id, account.login.as_str())),
            &target.name,
            "origin",
            client,
            now_ms,
        )
        .await;
        return respond(
            Refusal::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Die Anfrage kommt von einer anderen Seite und wird nicht weitergeleitet.",
                "The request comes from another site and is not forwarded.",
            )
            .because("origin"),
        );
    }
    let visitor = super::visitor(account, session);
    let circumstances = super::circumstances(state, client, now_ms.div_euclid(1000));
    let login = account.login.as_str();
    if let Err(refusal) = decide(&app.rule, &visitor, &circumstances) {
        record_refusal(
            state,
            Some((account.id, login)),
            &target.name,
            refusal.code(),
            client,
            now_ms,
        )
        .await;
        return respond(
            Refusal::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                refusal.to_string(),
                refusal.english(),
            )
            .because(refusal.code()),
        );
    }
    let (Kind::Proxy { upstream, .. }, Some(client_http)) = (&app.kind, &published.client) else {
        return respond(Refusal::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Diese Anwendung wird nicht über Durchwahl aufgerufen; öffnen Sie sie über ihre Kachel.",
            "This application is not opened through Durchwahl; open it from its tile.",
        ));
    };
    if state
        .gateway
        .admit(&target.name, account.id, now_ms, app.max_users)
        == Admission::Full
    {
        record_refusal(
            state,
            Some((account.id, login)),
            &target.name,
            "capacity",
            client,
            now_ms,
        )
        .await;
        return respond(Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Die Anwendung ist gerade voll ausgelastet. Bitte versuchen Sie es in einigen Minuten erneut.",
            "The application is at its limit of users. Please try again in a few minutes.",
        )
        .because("capacity"));
    }
    if state
        .gateway
        .is_new_access(account.id, &target.name, now_ms)
    {
        let entry = audit_entry(
            now_ms,
            Some(login),
            "gateway.access",
            &target.name,
            client,
            String::new(),
        );
        if let Err(e) = state.store.audit(&entry).await {
            tracing::error!(error = %e, "the gateway access could not be audited; refused");
            return crate::error::ApiError::Internal.into_response();
        }
    }
    let now = now_ms.div_euclid(1000);
    let token = state.gateway.token(
        session.id,
        now,
        Claims {
            iss: state.gateway.issuer.clone(),
            aud: target.name.clone(),
            sub: login.to_string(),
            name: account.name.clone(),
            unit: account.unit.to_string(),
            roles: account.roles.iter().map(|r| r.name().to_string()).collect(),
            amr: amr(&session.how),
            iat: now,
            exp: now + LIFETIME_SECS,
            jti: random_id(),
        },
    );
    let upgrade = headers::wants_websocket(headers);
    let forwarding = Forwarding {
        client,
        proto: if state.auth.secure_cookies {
            "https"
        } else {
            "http"
        },
        host: match prefix.is_empty() {
            // The application's own host, on the portal's port.
            true => super::host::origin(
                state.gateway.portal.as_deref().unwrap_or(""),
                app.host.as_deref(),
            )
            .and_then(|o| o.split_once("://").map(|(_, h)| h.to_string())),
            false => state.gateway.portal_host(),
        },
        prefix: prefix.to_string(),
        identity: token,
        upgrade,
    };
    let outgoing = headers::towards_upstream(headers, &forwarding);
    let url = format!("{}{}", upstream.origin(), upstream.path_for(target));
    let client_side = upgrade.then(|| hyper::upgrade::on(&mut request));
    let method = request.method().clone();
    let (sent, body_sent) = tokio::sync::oneshot::channel();
    let body = SyncBody::new(request.into_body(), sent);
    let send = client_http
        .request(method, url)
        .headers(outgoing)
        .body(reqwest::Body::wrap(body))
        .send();
    let started = std::time::Instant::now();
    // The upstream's time to answer counts from the end of the request's body: a large
    // upload over a slow home line is not the upstream's delay.
    let timeout = Duration::from_secs(u64::from(app.timeout_secs));
    let answered = async {
        let _ = body_sent.await;
        tokio::time::sleep(timeout).await;
    };
    let answer = match tokio::select! {
        answer = send => Ok(answer),
        () = answered => Err(()),
    } {
        Ok(Ok(answer)) => answer,
        Ok(Err(e)) => {
            // Without the URL: its query may hold personal data.
            let e = e.without_url();
            tracing::warn!(app = %target.name, error = %e, "the upstream cannot be reached");
            crate::metrics::events::gateway_upstream(&target.name, "error", started.elapsed());
            return respond(Refusal::new(
                StatusCode::BAD_GATEWAY,
                "bad_gateway",
                "Die Anwendung antwortet nicht. Bitte versuchen Sie es später erneut.",
                "The application does not answer. Please try again later.",
            ));
        }
        Err(_) => {
            tracing::warn!(app = %target.name, timeout = app.timeout_secs, "the upstream took too long");
            crate::metrics::events::gateway_upstream(&target.name, "timeout", started.elapsed());
            return respond(Refusal::new(
                StatusCode::GATEWAY_TIMEOUT,
                "gateway_timeout",
                "Die Anwendung antwortet zu langsam. Bitte versuchen Sie es später erneut.",
                "The application takes too long to answer. Please try again later.",
            ));
        }
    };
    crate::metrics::events::gateway_upstream(&target.name, "ok", started.elapsed());
    let status = answer.status();
    let back = headers::towards_client(answer.headers(), upstream, prefix, upgrade);
    if let (Some(client_side), StatusCode::SWITCHING_PROTOCOLS) = (client_side, status) {
        let watch = super::upgrade::Watch {
            state: state.clone(),
            app: target.name.clone(),
            session_hash: session_hash.to_string(),
            client,
        };
        return super::upgrade::splice(answer, back, client_side, watch);
    }
    let mut response = Response::new(Body::new(reqwest::Body::from(answer)));
    *response.status_mut() = status;
    *response.headers_mut() = back;
    response
}

pub(crate) async fn record_refusal(
    state: &AppState,
    person: Option<(i64, &str)>,
    app: &str,
    reason: &'static str,
    client: IpAddr,
    now_ms: i64,
) {
    crate::metrics::events::gateway_refused(reason);
    if !state
        .gateway
        .is_refusal_to_record(person.map(|p| p.0), app, reason, now_ms)
    {
        return;
    }
    let entry = audit_entry(
        now_ms,
        person.map(|p| p.1),
        "gateway.refused",
        app,
        client,
        reason.to_string(),
    );
    if let Err(e) = state.store.audit(&entry).await {
        tracing::error!(error = %e, "a gateway refusal could not be audited");
    }
}

/// The refusal of a hostile request target.
pub(crate) fn bad_target(bad: gateway::target::BadTarget) -> Refusal {
    Refusal::new(
        StatusCode::BAD_REQUEST,
        "bad_request",
        bad.to_string(),
        "The path contains encoded separators, dot segments or characters that are not allowed.",
    )
}

fn audit_entry(
    now_ms: i64,
    actor: Option<&str>,
    action: &str,
    app: &str,
    client: IpAddr,
    detail: String,
) -> store::AuditEntry {
    store::AuditEntry {
        at: now_ms.div_euclid(1000),
        actor: actor.map(str::to_string),
        action: action.to_string(),
        target: Some(format!("app:{app}")),
        source: Some(client.to_string()),
        detail,
    }
}

fn random_id() -> String {
    let mut bytes = [0u8; 12];
    // Without randomness the id is still unique enough for a log (the token is signed).
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a request may be forwarded from where it was made: WebSocket upgrades and
/// writes (anything but GET, HEAD and OPTIONS) that carry an `Origin` must come from the
/// host they are sent to, so another site (even a sibling subdomain, which SameSite lets
/// through) cannot act as the person.
fn same_origin(headers: &axum::http::HeaderMap, method: &axum::http::Method) -> bool {
    use axum::http::Method;
    let checked = headers::wants_websocket(headers)
        || !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    if !checked {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h))
}

/// The request's body for the upstream: streamed as it arrives, with the length the
/// client declared (its size hint), so the upstream gets `Content-Length` and never a
/// chunked body. The client's body is not `Sync`, which the HTTP client asks for; it is
/// only ever polled through `&mut`, so a `Mutex` that is never locked makes it so.
struct SyncBody {
    inner: std::sync::Mutex<Body>,
    hint: SizeHint,
    /// Bytes passed on so far.
    passed: u64,
    /// Told when the whole body has been passed on.
    sent: Option<tokio::sync::oneshot::Sender<()>>,
}

impl SyncBody {
    fn new(body: Body, sent: tokio::sync::oneshot::Sender<()>) -> Self {
        let hint = hyper::body::Body::size_hint(&body);
        let mut body = SyncBody {
            inner: std::sync::Mutex::new(body),
            hint,
            passed: 0,
            sent: Some(sent),
        };
        body.check_sent();
        body
    }

    fn check_sent(&mut self) {
        if self.hint.exact() == Some(self.passed) {
            if let Some(sent) = self.sent.take() {
                let _ = sent.send(());
            }
        }
    }
}

impl hyper::body::Body for SyncBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        let body = this
            .inner
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let polled = Pin::new(body).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                this.passed += frame.data_ref().map_or(0, |d| d.len() as u64);
                this.check_sent();
            }
            Poll::Ready(None) | Poll::Ready(Some(Err(_))) => {
                if let Some(sent) = this.sent.take() {
                    let _ = sent.send(());
                }
            }
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.hint.exact() == Some(0)
    }

    fn size_hint(&self) -> SizeHint {
        self.hint
    }
}
