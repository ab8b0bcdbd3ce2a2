//! What the upstream receives and what comes back: the identity token, headers and
//! cookies, redirects, WebSockets, slow and dead upstreams.

use crate::http::{get, Echo};
use crate::{app, now, publish, sqlite, Gateway};
use aws_lc_rs::signature::{UnparsedPublicKey, ED25519};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use testkit::upstream::Upstream;
use tokio_tungstenite::tungstenite::{self, client::IntoClientRequest, Message};

/// The claims of the identity token `echo` carries, after its signature was verified
/// with the key `/.well-known/jwks.json` publishes under the token's `kid`.
pub fn verified_claims(g: &Gateway, echo: &Echo) -> Value {
    let token = echo
        .one("x-durchwahl-identity")
        .expect("an identity token reached the upstream");
    verify(g, token).unwrap_or_else(|e| panic!("{e}: {token}"))
}

/// The claims of `token` if it verifies against the published keys.
fn verify(g: &Gateway, token: &str) -> Result<Value, String> {
    let parts: Vec<&str> = token.split('.').collect();
    let [head, payload, signature] = parts[..] else {
        return Err("not three parts".into());
    };
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).map_err(|e| e.to_string());
    let header: Value = serde_json::from_slice(&decode(head)?).map_err(|e| e.to_string())?;
    if header["alg"] != "EdDSA" {
        return Err(format!("alg: {header}"));
    }
    let jwks = g.client().get("/.well-known/jwks.json");
    if jwks.status != 200 {
        return Err(format!("jwks: {} {}", jwks.status, jwks.body));
    }
    let keys = jwks.json()["keys"].as_array().cloned().unwrap_or_default();
    let key = keys
        .iter()
        .find(|k| header["kid"].is_null() || k["kid"] == header["kid"])
        .ok_or_else(|| format!("no key {} in {keys:?}", header["kid"]))?;
    if key["kty"] != "OKP" || key["crv"] != "Ed25519" {
        return Err(format!("not an Ed25519 key: {key}"));
    }
    let x = decode(key["x"].as_str().unwrap_or_default())?;
    UnparsedPublicKey::new(&ED25519, x)
        .verify(format!("{head}.{payload}").as_bytes(), &decode(signature)?)
        .map_err(|_| "the signature does not verify".to_owned())?;
    serde_json::from_slice(&decode(payload)?).map_err(|e| e.to_string())
}

#[test]
fn the_identity_token_verifies_against_the_published_keys_and_names_the_person() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    publish(&g, &mut admin, app("akte", &upstream.url(), |_| {}));

    let before = now();
    let echo = Echo::of(&admin.get("/apps/akte/echo"));
    let claims = verified_claims(&g, &echo);
    assert_eq!(claims["iss"], "durchwahl", "{claims}");
    assert_eq!(claims["aud"], "akte", "{claims}");
    assert_eq!(claims["sub"], "a.admin", "{claims}");
    assert_eq!(claims["name"], "Anna Admin", "{claims}");
    assert_eq!(claims["unit"], "Abteilung 2/Sachgebiet 23 IKT", "{claims}");
    let mut roles: Vec<&str> = claims["roles"]
        .as_array()
        .expect("roles")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    roles.sort_unstable();
    assert_eq!(roles, ["admin", "user"], "{claims}");
    assert_eq!(claims["amr"], json!(["pwd"]), "{claims}");
    let iat = claims["iat"].as_u64().expect("iat");
    assert!(iat >= before && iat <= now(), "iat {iat} is now: {claims}");
    assert_eq!(claims["exp"].as_u64(), Some(iat + 60), "{claims}");
    assert!(
        claims["jti"].as_str().is_some_and(|j| !j.is_empty()),
        "{claims}"
    );
    // Another person's token is another token.
    let mut carl = g.signed_in("c.clerk");
    let theirs = verified_claims(&g, &Echo::of(&carl.get("/apps/akte/echo")));
    assert_eq!(theirs["sub"], "c.clerk");
    assert_ne!(theirs["jti"], claims["jti"]);

    // A token for another application does not carry this one's audience.
    publish(&g, &mut admin, app("bau", &upstream.url(), |_| {}));
    let other = verified_claims(&g, &Echo::of(&admin.get("/apps/bau/echo")));
    assert_eq!(other["aud"], "bau");

    // A token altered by a byte does not verify.
    let token = echo.one("x-durchwahl-identity").unwrap();
    let (signed, signature) = token.rsplit_once('.').unwrap();
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap();
    bytes[0] ^= 1;
    let forged = format!("{signed}.{}", URL_SAFE_NO_PAD.encode(bytes));
    assert!(verify(&g, &forged).is_err());
}

#[test]
fn own_cookies_a_forged_identity_and_forged_forwarding_headers_never_reach_the_upstream() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut carl = g.signed_in("c.clerk");
    let mut admin = g.signed_in("a.admin");
    publish(&g, &mut admin, app("akte", &upstream.url(), |_| {}));

    let forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhLmFkbWluIn0.";
    let reply = get(
        &carl,
        "/apps/akte/echo/a/b?x=1&y=zwei",
        &[
            ("Cookie", "dw_pending=halb; theme=dunkel; JSESSIONID=abc123"),
            ("X-Durchwahl-Identity", forged),
            ("X-Forwarded-For", "10.0.0.1"),
            ("X-Forwarded-Host", "evil.example"),
            ("X-Forwarded-Proto", "gopher"),
            ("X-Forwarded-Prefix", "/evil"),
            ("X-Custom", "bleibt"),
        ],
    );
    let echo = Echo::of(&reply);
    assert_eq!(echo.method, "GET");
    assert_eq!(
        echo.target, "/echo/a/b?x=1&y=zwei",
        "path and query as sent"
    );

    let mut cookies = echo.cookie_names();
    cookies.sort_unstable();
    assert_eq!(cookies, ["JSESSIONID", "theme"], "{:?}", echo.all("cookie"));
    assert!(echo.all("cookie").iter().all(|c| !c.contains("dw_")));

    let identity = echo.one("x-durchwahl-identity").expect("an identity");
    assert_ne!(identity, forged, "the client's identity is replaced");
    assert_eq!(verified_claims(&g, &echo)["sub"], "c.clerk");

    // No trusted proxy: the peer is who connected, whatever it wrote.
    assert_eq!(echo.one("x-forwarded-for"), Some("127.0.0.1"));
    assert_eq!(echo.one("x-forwarded-prefix"), Some("/apps/akte"));
    assert_eq!(echo.one("x-forwarded-proto"), Some("http"));
    let host = echo.one("x-forwarded-host").unwrap_or_default();
    assert!(!host.contains("evil"), "x-forwarded-host: {host}");
    assert_eq!(echo.one("x-custom"), Some("bleibt"), "other headers pass");
    assert!(
        echo.all("connection").iter().all(|c| !c.contains("keep")),
        "hop-by-hop headers are not forwarded: {:?}",
        echo.headers
    );
    // Carl's session was not ended by the gateway stripping its cookie.
    assert_eq!(carl.get("/api/v1/me").status, 200);
}

#[test]
fn redirects_to_the_upstream_come_back_under_the_application() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    publish(&g, &mut admin, app("akte", &upstream.url(), |_| {}));
    let r = admin.get("/apps/akte/redirect");
    assert_eq!(r.status, 302, "{}", r.body);
    assert_eq!(r.header("location"), Some("/apps/akte/echo/after"));
    assert!(!r.headers.iter().any(|(_, v)| v.contains(&upstream.address)));
}

#[test]
fn websockets_pass_through_both_ways() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    publish(&g, &mut admin, app("live", &upstream.url(), |_| {}));

    let mut request = format!("ws://{}/apps/live/ws", g.address)
        .into_client_request()
        .unwrap();
    let jar: Vec<String> = admin
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    request
        .headers_mut()
        .insert("Cookie", jar.join("; ").parse().unwrap());
    let stream = std::net::TcpStream::connect(&g.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let (mut socket, response) =
        tungstenite::client::client(request, stream).expect("the upgrade passes");
    assert_eq!(response.status().as_u16(), 101);
    for n in 0..5 {
        let text = format!("Hallo {n} — ä");
        socket.send(Message::text(text.clone())).unwrap();
        assert_eq!(socket.read().unwrap(), Message::text(text));
    }
    let blob: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
    socket.send(Message::binary(blob.clone())).unwrap();
    assert_eq!(socket.read().unwrap(), Message::binary(blob));
    socket.close(None).unwrap();

    // Without a session the upgrade is refused.
    let request = format!("ws://{}/apps/live/ws", g.address)
        .into_client_request()
        .unwrap();
    let stream = std::net::TcpStream::connect(&g.address).unwrap();
    match tungstenite::client::client(request, stream) {
        Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Http(r))) => {
            assert_eq!(r.status().as_u16(), 401)
        }
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("upgraded without a session"),
    }
    assert_eq!(
        upstream.targets().iter().filter(|t| *t == "/ws").count(),
        1,
        "{:?}",
        upstream.targets()
    );
}

#[test]
fn a_slow_upstream_gives_504_and_one_that_is_down_502() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    publish(
        &g,
        &mut admin,
        app("langsam", &upstream.url(), |a| a["timeout_secs"] = json!(1)),
    );
    // A port that nobody listens on any more.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    publish(&g, &mut admin, app("weg", &down, |_| {}));

    let started = Instant::now();
    let slow = admin.get("/apps/langsam/slow");
    assert_eq!(slow.status, 504, "{}", slow.body);
    assert!(
        started.elapsed() < testkit::upstream::SLOW / 2,
        "after the 1 s timeout, not the upstream's answer: {:?}",
        started.elapsed()
    );
    assert!(slow.json()["message"].is_string(), "{}", slow.body);
    let dead = admin.get("/apps/weg/echo");
    assert_eq!(dead.status, 502, "{}", dead.body);
    assert!(dead.json()["message"].is_string(), "{}", dead.body);
    // Fast requests to the slow one's upstream still pass.
    Echo::of(&admin.get("/apps/langsam/echo/fast"));
}
