//! An application on a host name of its own (`host`): the server's configuration names
//! its own address (`[gateway] portal_url`), the application answers at
//! `http://akte.test:PORT/` (resolved to the server by the client, as DNS would), and a
//! person is handed over from Durchwahl by a one-time code for a cookie of that host.
//! Cookies are handled by hand, as a browser keeps them per host.

use crate::http::Echo;
use crate::{app, free_port, publish, sqlite, start_listening};
use serde_json::json;
use testkit::http::Client;
use testkit::upstream::Upstream;

/// What a browser would see of one answer.
#[derive(Debug)]
struct Seen {
    status: u16,
    location: Option<String>,
    set_cookies: Vec<String>,
    body: String,
}

impl Seen {
    /// As the tests' [`testkit::http::Reply`], for [`Echo::of`].
    fn reply(&self) -> testkit::http::Reply {
        testkit::http::Reply {
            version: "HTTP/1.1".into(),
            status: self.status,
            headers: Vec::new(),
            body: self.body.clone(),
            bytes: self.body.clone().into_bytes(),
        }
    }
}

/// A client that reaches `akte.test` at the server's address, follows no redirect and
/// keeps no cookie.
struct Browser {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
}

impl Browser {
    fn new(server: &str) -> Browser {
        let client = reqwest::Client::builder()
            .resolve("akte.test", server.parse().unwrap())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Browser {
            runtime: tokio::runtime::Runtime::new().unwrap(),
            client,
        }
    }

    /// `GET url` with `cookie` (a `Cookie` header's value), as a page (`Accept:
    /// text/html`) or as a script would.
    fn get(&self, url: &str, cookie: Option<&str>, page: bool) -> Seen {
        let mut request = self.client.get(url);
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        if page {
            request = request.header("Accept", "text/html,application/xhtml+xml");
        }
        self.runtime.block_on(async {
            let answer = request
                .send()
                .await
                .unwrap_or_else(|e| panic!("{url}: {e}"));
            let header = |name: &str| -> Vec<String> {
                answer
                    .headers()
                    .get_all(name)
                    .iter()
                    .map(|v| v.to_str().unwrap().to_owned())
                    .collect()
            };
            let location = header("location").into_iter().next();
            let set_cookies = header("set-cookie");
            Seen {
                status: answer.status().as_u16(),
                location,
                set_cookies,
                body: answer.text().await.unwrap_or_default(),
            }
        })
    }
}

/// `name=value` of every cookie in the client's jar (Durchwahl's host).
fn jar(client: &Client) -> String {
    client
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn an_application_on_its_own_host_is_handed_over_by_a_one_time_code_and_kept_apart() {
    let upstream = Upstream::start();
    let port = free_port();
    let portal = format!("http://127.0.0.1:{port}");
    let g = start_listening(
        testkit::sqlite(),
        ("", &format!("[gateway]\nportal_url = \"{portal}\"\n")),
        &format!("127.0.0.1:{port}"),
    );
    assert_eq!(g.address, format!("127.0.0.1:{port}"));
    let mut admin = g.signed_in("a.admin");
    let base = format!("{}/echo/akte/", upstream.url());
    publish(
        &g,
        &mut admin,
        app("akte", &base, |a| a["host"] = json!("akte.test")),
    );
    let site = format!("http://akte.test:{port}");
    let browser = Browser::new(&g.address);
    let mut carl = g.signed_in("c.clerk");
    let durchwahl_cookie = jar(&carl);

    // (j) The portal's tile opens the application's own host.
    let tiles = carl.get("/api/v1/apps");
    assert_eq!(tiles.status, 200, "{}", tiles.body);
    let tile = tiles
        .json()
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "akte")
        .cloned();
    assert_eq!(
        tile.expect("a tile")["url"],
        format!("{site}/"),
        "{}",
        tiles.body
    );

    // (a) No cookie of that host: a page goes to Durchwahl to be handed over, a script
    // gets 401.
    let first = browser.get(&format!("{site}/echo"), None, true);
    let handoff = format!("{portal}/gateway/handoff?app=akte&next=%2Fecho");
    assert_eq!(
        (first.status, first.location.as_deref()),
        (303, Some(handoff.as_str())),
        "{first:?}"
    );
    assert_eq!(
        browser.get(&format!("{site}/echo"), None, false).status,
        401
    );

    // (b) Durchwahl, with the person's session, hands over a one-time code.
    let issued = browser.get(&handoff, Some(&durchwahl_cookie), true);
    assert_eq!(issued.status, 303, "{issued:?}");
    let redeem = issued.location.clone().unwrap_or_default();
    let code = redeem
        .strip_prefix(&format!("{site}/.durchwahl/handoff?code="))
        .and_then(|rest| rest.strip_suffix("&next=%2Fecho"))
        .unwrap_or_else(|| panic!("to the application's host with a code: {redeem}"));
    assert!(code.len() >= 32 && !code.contains(['&', '/']), "{code}");
    assert!(issued.set_cookies.is_empty(), "{issued:?}");

    // (c) The code buys the host's own cookie and goes on to the path asked for.
    let redeemed = browser.get(&redeem, None, true);
    assert_eq!(
        (redeemed.status, redeemed.location.as_deref()),
        (303, Some("/echo")),
        "{redeemed:?}"
    );
    let [set_cookie] = &redeemed.set_cookies[..] else {
        panic!("one cookie: {redeemed:?}");
    };
    let token = set_cookie
        .strip_prefix("dw_gateway=")
        .and_then(|rest| rest.split(';').next())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| panic!("dw_gateway: {set_cookie}"));
    for attribute in ["; Path=/;", "; HttpOnly", "; SameSite=Lax"] {
        assert!(
            format!("{set_cookie};").contains(attribute),
            "{attribute}: {set_cookie}"
        );
    }
    assert!(
        !set_cookie.to_ascii_lowercase().contains("domain="),
        "{set_cookie}"
    );
    assert!(!token.contains(code), "the cookie is not the code");

    // (e) The code counts once.
    let again = browser.get(&redeem, None, true);
    assert_eq!(again.status, 400, "{again:?}");
    assert!(again.set_cookies.is_empty(), "{again:?}");

    // (d) With the cookie: the upstream at its base path, with the identity, without
    // the host's cookie and without Durchwahl's.
    let ours = format!("dw_gateway={token}; theme=dunkel");
    let seen = browser.get(&format!("{site}/echo?x=1"), Some(&ours), true);
    let echo = Echo::of(&seen.reply());
    assert_eq!(echo.target, "/echo/akte/echo?x=1");
    let claims = crate::forwarding::verified_claims(&g, &echo);
    assert_eq!(
        (claims["sub"].clone(), claims["aud"].clone()),
        (json!("c.clerk"), json!("akte"))
    );
    assert_eq!(echo.cookie_names(), ["theme"], "{:?}", echo.all("cookie"));
    assert_eq!(echo.one("x-forwarded-prefix"), None, "{:?}", echo.headers);

    // (g) Durchwahl's API paths on that host are the application's, even with
    // Durchwahl's session cookie sent along.
    let both = format!("{ours}; {durchwahl_cookie}");
    let api = Echo::of(
        &browser
            .get(&format!("{site}/api/v1/me"), Some(&both), false)
            .reply(),
    );
    assert_eq!(api.target, "/echo/akte/api/v1/me");
    assert!(
        api.all("cookie").iter().all(|c| !c.contains("dw_")),
        "{:?}",
        api.all("cookie")
    );

    // (h) Under Durchwahl's own origin the host-mode application is not served.
    assert_eq!(carl.get("/apps/akte/").status, 404);
    assert_eq!(carl.get("/apps/akte/echo").status, 404);

    // (k) A next that leaves the host becomes `/`, at both ends of the handover.
    let away = browser.get(
        &format!("{portal}/gateway/handoff?app=akte&next=%2F%2Fevil.example"),
        Some(&durchwahl_cookie),
        true,
    );
    let location = away.location.clone().unwrap_or_default();
    assert!(
        away.status == 303 && location.ends_with("&next=%2F") && location.starts_with(&site),
        "{away:?}"
    );
    let code = location
        .split("code=")
        .nth(1)
        .and_then(|r| r.split('&').next())
        .unwrap();
    let landed = browser.get(
        &format!("{site}/.durchwahl/handoff?code={code}&next=%2F%2Fevil.example"),
        None,
        true,
    );
    assert_eq!(
        (landed.status, landed.location.as_deref()),
        (303, Some("/")),
        "{landed:?}"
    );

    // (f) Signed out at Durchwahl: the host's cookie is worth nothing at once.
    assert_eq!(carl.post("/api/v1/auth/logout", json!({})).status, 200);
    assert_eq!(
        browser
            .get(&format!("{site}/echo"), Some(&ours), false)
            .status,
        401
    );
    let page = browser.get(&format!("{site}/echo"), Some(&ours), true);
    assert_eq!(
        (page.status, page.location.as_deref()),
        (303, Some(handoff.as_str())),
        "{page:?}"
    );

    let reached: Vec<String> = upstream
        .targets()
        .into_iter()
        .filter(|t| t != "/health" && !t.ends_with("/health"))
        .collect();
    assert_eq!(reached, ["/echo/akte/echo?x=1", "/echo/akte/api/v1/me"]);
}

#[test]
fn a_host_of_its_own_needs_the_portal_url() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    let r = admin.post(
        "/api/v1/admin/gateway/apps",
        app("akte", &upstream.url(), |a| a["host"] = json!("akte.test")),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    let body = r.json();
    let named: Vec<&str> = body["field"]
        .as_str()
        .into_iter()
        .chain(
            body["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f["field"].as_str()),
        )
        .collect();
    assert!(named.contains(&"host"), "{body}");
    let apps = admin.get("/api/v1/admin/gateway/apps");
    assert_eq!(apps.json(), json!([]), "{}", apps.body);
}
