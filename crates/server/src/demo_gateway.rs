//! The demo's internal application (issue 20): a small "Fallakte" served by the demo
//! itself on a loopback port and published through the access gateway for the health
//! office only, so the portal, the refusal for other units and the audit entries can be
//! tried at once. It does what a real upstream should: it reads the identity token from
//! `X-Durchwahl-Identity`, verifies it against the key set at `/.well-known/jwks.json`
//! (fetched from the server like any upstream would): the algorithm, the key by its id,
//! the audience, the issue and expiry times; then it greets the person it names.

use aws_lc_rs::signature::{UnparsedPublicKey, ED25519};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Html;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use std::net::SocketAddr;
use store::{NewGatewayApp, Store};

/// The demo application's name (its path `/apps/fallakte/`).
pub const NAME: &str = "fallakte";

/// Starts the sample application and publishes it (again: its port changes with every
/// start) for the health office; `durchwahl` is the server's own HTTP address.
pub async fn start(store: &Store, durchwahl: SocketAddr, now_ms: i64) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let address = listener.local_addr()?;
    let jwks = format!("http://{}/.well-known/jwks.json", loopback(durchwahl));
    let app = axum::Router::new()
        .fallback(page)
        .with_state(std::sync::Arc::new(jwks));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::warn!(error = %e, "the demo's sample application stopped");
        }
    });
    let row = NewGatewayApp {
        name: NAME.into(),
        title: "Fallakte Gesundheitsamt (Beispiel)".into(),
        description: "Eine kleine Beispielanwendung der Demo hinter dem Zugangs-Gateway: nur für das Gesundheitsamt.".into(),
        kind: "proxy".into(),
        upstream: Some(format!("http://{address}/")),
        ca_pem: None,
        link: None,
        units: vec!["Gesundheitsamt".into()],
        roles: Vec::new(),
        features: Vec::new(),
        second_factor: false,
        office_only: false,
        hours_days: None,
        hours_from: None,
        hours_to: None,
        max_users: Some(50),
        timeout_secs: 10,
        health_path: "/".into(),
        host: None,
    };
    if store
        .replace_gateway_app(NAME, &row, now_ms)
        .await?
        .is_none()
    {
        store.create_gateway_app(&row, now_ms).await?;
    }
    Ok(())
}

fn loopback(address: SocketAddr) -> SocketAddr {
    match address.ip().is_unspecified() {
        true => SocketAddr::from(([127, 0, 0, 1], address.port())),
        false => address,
    }
}

async fn page(State(jwks): State<std::sync::Arc<String>>, headers: HeaderMap) -> Html<String> {
    let token = headers
        .get(gateway::identity::HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let (verdict, claims) = match verify(&jwks, token).await {
        Ok(claims) => ("Die Signatur des Identitäts-Tokens ist gültig.", claims),
        Err(why) => (why, serde_json::Value::Null),
    };
    let text = |key: &str| escape(claims[key].as_str().unwrap_or("–"));
    Html(format!(
        "<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Fallakte (Beispiel)</title></head><body style=\"font-family:sans-serif;\
         max-width:40rem;margin:2rem auto;padding:0 1rem\"><main><h1>Fallakte Gesundheitsamt</h1>\
         <p>Beispielanwendung der Demo, erreicht über das Zugangs-Gateway von Durchwahl.</p>\
         <p role=\"status\">{verdict}</p><dl><dt>Angemeldet als</dt><dd>{} ({})</dd>\
         <dt>Organisationseinheit</dt><dd>{}</dd><dt>Anmeldeverfahren</dt><dd>{}</dd></dl>\
         </main></body></html>",
        text("name"),
        text("sub"),
        text("unit"),
        escape(&claims["amr"].to_string()),
    ))
}

/// The token's claims if its signature verifies against the key set at `jwks`.
async fn verify(jwks: &str, token: &str) -> Result<serde_json::Value, &'static str> {
    let mut parts = token.split('.');
    let (Some(header), Some(body), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("Es kam kein Identitäts-Token an.");
    };
    let head: serde_json::Value = URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|h| serde_json::from_slice(&h).ok())
        .ok_or("Der Kopf des Tokens ist unlesbar.")?;
    if head["alg"] != "EdDSA" {
        return Err("Das Token ist nicht mit EdDSA signiert.");
    }
    let fetched = async { reqwest::get(jwks).await?.bytes().await }.await;
    let set: serde_json::Value = fetched
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("Der Schlüsselsatz konnte nicht geladen werden.")?;
    let key = set["keys"]
        .as_array()
        .and_then(|keys| keys.iter().find(|k| k["kid"] == head["kid"]))
        .and_then(|k| k["x"].as_str())
        .and_then(|x| URL_SAFE_NO_PAD.decode(x).ok())
        .ok_or("Der Schlüsselsatz enthält keinen Schlüssel.")?;
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| "Die Signatur ist unlesbar.")?;
    UnparsedPublicKey::new(&ED25519, &key)
        .verify(format!("{header}.{body}").as_bytes(), &signature)
        .map_err(|_| "Die Signatur des Identitäts-Tokens ist UNGÜLTIG.")?;
    let claims: serde_json::Value = URL_SAFE_NO_PAD
        .decode(body)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("Der Inhalt des Tokens ist unlesbar.")?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (exp, iat) = (claims["exp"].as_i64(), claims["iat"].as_i64());
    if claims["aud"] != NAME {
        return Err("Das Token ist für eine andere Anwendung ausgestellt.");
    }
    // A few seconds of clock difference between the hosts are allowed.
    if !matches!((exp, iat), (Some(exp), Some(iat)) if exp + 5 > now && iat - 5 <= now) {
        return Err("Das Token ist abgelaufen.");
    }
    Ok(claims)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
