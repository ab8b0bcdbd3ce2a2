//! A small OpenID Connect provider for the single sign-on tests (no Dex or Keycloak can be
//! installed here): discovery (`/.well-known/openid-configuration`), keys (`/jwks`), the
//! authorization endpoint (`/authorize`, no page: it signs in the person the test chose
//! at once and sends the browser back with a code), the token endpoint (`/token`) and an
//! end session endpoint (`/logout`, back to `post_logout_redirect_uri` for our client), on
//! 127.0.0.1 and a port of its own.
//!
//! It is strict where a real provider is: the client must authenticate (Basic or in the
//! body), a code is good once and only for the redirect URI it was issued for, and only a
//! `code_verifier` whose S256 hash is the challenge of `/authorize` gets tokens (RFC 7636
//! §4.6). What it saw is recorded ([`OidcProvider::seen`]) so tests can check what our
//! server sent. ID tokens are put together here as JSON and signed RS256 with a test key
//! (`oidc_keys/`); [`Issue`] says what the next one claims, and can make it wrong: signed
//! by a key the provider does not publish, with another nonce or audience, or expired.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use openidconnect::core::{CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey};
use openidconnect::{JsonWebKeyId, PrivateSigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Our client at the provider.
pub const CLIENT_ID: &str = "durchwahl";
/// Its secret.
pub const CLIENT_SECRET: &str = "test-secret-for-oidc";
/// The key id of the published key; the stranger's key claims it too (the worst case: a
/// forged token that names the right key).
const KEY_ID: &str = "test-key-1";

/// Which key signs the next ID token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signer {
    /// The key published at `/jwks`.
    Provider,
    /// A key that is not published (but claims the published key's id).
    Stranger,
}

/// What the next ID tokens say.
#[derive(Debug, Clone)]
pub struct Issue {
    /// `sub`.
    pub subject: String,
    /// More claims, e.g. `preferred_username`.
    pub claims: BTreeMap<String, Value>,
    /// `amr`, if any.
    pub amr: Option<Vec<String>>,
    /// The signing key.
    pub signer: Signer,
    /// A nonce other than the one `/authorize` was given.
    pub wrong_nonce: bool,
    /// `aud`; `None`: our client id.
    pub audience: Option<String>,
    /// `exp` an hour ago.
    pub expired: bool,
    /// `/authorize` answers `error=access_denied` instead of a code.
    pub deny: bool,
}

impl Default for Issue {
    fn default() -> Self {
        Issue {
            subject: "f3a1c2d4-0000-4000-8000-000000000001".into(),
            claims: BTreeMap::new(),
            amr: Some(vec!["pwd".into()]),
            signer: Signer::Provider,
            wrong_nonce: false,
            audience: None,
            expired: false,
            deny: false,
        }
    }
}

impl Issue {
    /// Tokens for the person whose `preferred_username` is `login`.
    pub fn for_login(login: &str) -> Issue {
        let mut issue = Issue::default();
        issue
            .claims
            .insert("preferred_username".into(), json!(login));
        issue
    }
}

/// One request to `/authorize`, as the provider saw it.
#[derive(Debug, Clone, Default)]
pub struct Authorization {
    /// Every query parameter.
    pub params: HashMap<String, String>,
}

impl Authorization {
    /// A parameter's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }
}

/// One request to `/token`, as the provider saw it.
#[derive(Debug, Clone, Default)]
pub struct TokenRequest {
    /// The client authenticated with id and secret.
    pub client_ok: bool,
    /// The code was known, unused and issued for this redirect URI.
    pub code_ok: bool,
    /// A `code_verifier` was sent and its S256 hash is the code's challenge.
    pub verifier_ok: bool,
    /// Tokens were handed out.
    pub answered: bool,
}

/// What the provider saw.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// Every `/authorize` request.
    pub authorizations: Vec<Authorization>,
    /// Every `/token` request.
    pub token_requests: Vec<TokenRequest>,
}

/// A code handed out and not used yet.
struct Code {
    challenge: Option<String>,
    method: Option<String>,
    nonce: Option<String>,
    redirect_uri: String,
}

struct Shared {
    issuer: String,
    issue: Issue,
    seen: Seen,
    codes: HashMap<String, Code>,
    next_code: u64,
    provider_key: CoreRsaPrivateSigningKey,
    stranger_key: CoreRsaPrivateSigningKey,
}

type Provider = Arc<Mutex<Shared>>;

/// A running provider; stops when dropped.
pub struct OidcProvider {
    /// `http://127.0.0.1:<port>`: the issuer.
    pub issuer: String,
    /// `127.0.0.1:<port>`.
    pub address: String,
    shared: Provider,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(2));
        }
    }
}

fn key(pem: &str) -> CoreRsaPrivateSigningKey {
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(KEY_ID.into())))
        .expect("the test key")
}

impl OidcProvider {
    /// A provider on a port of its own, issuing [`Issue::default`] tokens.
    pub fn start() -> OidcProvider {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let address = listener.local_addr().expect("address").to_string();
        let issuer = format!("http://{address}");
        let shared = Arc::new(Mutex::new(Shared {
            issuer: issuer.clone(),
            issue: Issue::default(),
            seen: Seen::default(),
            codes: HashMap::new(),
            next_code: 1,
            provider_key: key(include_str!("oidc_keys/provider.pem")),
            stranger_key: key(include_str!("oidc_keys/stranger.pem")),
        }));
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/logout", get(logout))
            .with_state(shared.clone());
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        OidcProvider {
            issuer,
            address,
            shared,
            runtime: Some(runtime),
        }
    }

    /// Changes what the next ID tokens say.
    pub fn issue(&self, change: impl FnOnce(&mut Issue)) {
        change(&mut self.lock().issue);
    }

    /// What the provider saw so far.
    pub fn seen(&self) -> Seen {
        self.lock().seen.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().expect("not poisoned")
    }
}

async fn discovery(State(p): State<Provider>) -> Json<Value> {
    let issuer = p.lock().expect("not poisoned").issuer.clone();
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "end_session_endpoint": format!("{issuer}/logout"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": ["openid", "profile", "email"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "amr", "preferred_username", "email"],
    }))
}

async fn jwks(State(p): State<Provider>) -> Json<Value> {
    let public = p
        .lock()
        .expect("not poisoned")
        .provider_key
        .as_verification_key();
    Json(json!({ "keys": [public] }))
}

async fn authorize(
    State(p): State<Provider>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let mut shared = p.lock().expect("not poisoned");
    shared.seen.authorizations.push(Authorization {
        params: params.clone(),
    });
    let param = |name: &str| params.get(name).cloned();
    let (Some(redirect_uri), Some(state)) = (param("redirect_uri"), param("state")) else {
        return (StatusCode::BAD_REQUEST, "redirect_uri and state, please").into_response();
    };
    if param("client_id").as_deref() != Some(CLIENT_ID)
        || param("response_type").as_deref() != Some("code")
    {
        return (StatusCode::BAD_REQUEST, "unknown client or response type").into_response();
    }
    let state = urlencode(&state);
    let issuer = urlencode(&shared.issuer);
    if shared.issue.deny {
        let to = format!("{redirect_uri}?error=access_denied&state={state}&iss={issuer}");
        return redirect(&to);
    }
    let code = format!("code-{}", shared.next_code);
    shared.next_code += 1;
    shared.codes.insert(
        code.clone(),
        Code {
            challenge: param("code_challenge"),
            method: param("code_challenge_method"),
            nonce: param("nonce"),
            redirect_uri: redirect_uri.clone(),
        },
    );
    redirect(&format!(
        "{redirect_uri}?code={code}&state={state}&iss={issuer}"
    ))
}

/// RP-Initiated Logout: back to our client's `post_logout_redirect_uri`.
async fn logout(Query(params): Query<HashMap<String, String>>) -> Response {
    match (
        params.get("client_id"),
        params.get("post_logout_redirect_uri"),
    ) {
        (Some(client), Some(back)) if client == CLIENT_ID => redirect(back),
        _ => (
            StatusCode::BAD_REQUEST,
            "client_id and post_logout_redirect_uri, please",
        )
            .into_response(),
    }
}

async fn token(State(p): State<Provider>, headers: HeaderMap, body: String) -> Response {
    let form: HashMap<String, String> = openidconnect::url::form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    let field = |name: &str| form.get(name).map(String::as_str);
    let mut shared = p.lock().expect("not poisoned");
    let mut seen = TokenRequest {
        client_ok: client_authenticated(&headers, &form),
        ..TokenRequest::default()
    };
    let code = field("code").and_then(|c| shared.codes.remove(c));
    seen.code_ok = field("grant_type") == Some("authorization_code")
        && code
            .as_ref()
            .is_some_and(|c| field("redirect_uri") == Some(c.redirect_uri.as_str()));
    seen.verifier_ok = match (&code, field("code_verifier")) {
        (Some(c), Some(verifier)) => {
            let hashed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            c.method.as_deref() == Some("S256") && c.challenge.as_deref() == Some(&hashed)
        }
        _ => false,
    };
    let refusal = if !seen.client_ok {
        Some((StatusCode::UNAUTHORIZED, "invalid_client"))
    } else if !(seen.code_ok && seen.verifier_ok) {
        Some((StatusCode::BAD_REQUEST, "invalid_grant"))
    } else {
        None
    };
    if let Some((status, error)) = refusal {
        shared.seen.token_requests.push(seen);
        return (status, Json(json!({ "error": error }))).into_response();
    }
    seen.answered = true;
    shared.seen.token_requests.push(seen);
    let nonce = code.and_then(|c| c.nonce);
    let id_token = id_token(&shared, nonce);
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(json!({
            "access_token": format!("access-{}", shared.next_code),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        })),
    )
        .into_response()
}

/// client_secret_basic (RFC 6749 §2.3.1: the id and secret form-encoded, then Basic) or
/// client_secret_post.
fn client_authenticated(headers: &HeaderMap, form: &HashMap<String, String>) -> bool {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .is_some_and(|pair| {
            pair == format!("{}:{}", urlencode(CLIENT_ID), urlencode(CLIENT_SECRET))
        });
    let posted = form.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && form.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET);
    basic || posted
}

/// An ID token as [`Issue`] says, signed RS256.
fn id_token(shared: &Shared, nonce: Option<String>) -> String {
    let issue = &shared.issue;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (iat, exp) = if issue.expired {
        (now - 7200, now - 3600)
    } else {
        (now, now + 300)
    };
    let mut claims = json!({
        "iss": shared.issuer,
        "sub": issue.subject,
        "aud": issue.audience.clone().unwrap_or_else(|| CLIENT_ID.into()),
        "iat": iat,
        "exp": exp,
    });
    let nonce = match (issue.wrong_nonce, nonce) {
        (true, _) => Some("not-the-nonce-you-sent".to_string()),
        (false, nonce) => nonce,
    };
    if let Some(nonce) = nonce {
        claims["nonce"] = json!(nonce);
    }
    if let Some(amr) = &issue.amr {
        claims["amr"] = json!(amr);
    }
    for (name, value) in &issue.claims {
        claims[name] = value.clone();
    }
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": KEY_ID});
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let key = match issue.signer {
        Signer::Provider => &shared.provider_key,
        Signer::Stranger => &shared.stranger_key,
    };
    let signature = key
        .sign(
            &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            signing_input.as_bytes(),
        )
        .expect("signed");
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

fn urlencode(text: &str) -> String {
    openidconnect::url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
