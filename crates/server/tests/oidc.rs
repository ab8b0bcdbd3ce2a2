//! Single sign-on through OpenID Connect, end to end: the server in this process on each
//! database, the test provider of `testkit::oidc_provider` on a port of its own, and a
//! browser played by cookie-keeping clients that follow each 303 by hand: our `/start`,
//! the provider's `/authorize`, our callback. The configured redirect URL's host is
//! `localhost` without our (random) port, so the callback is requested from the server
//! by path, as a browser would after following the provider's redirect.

mod common;

use common::{now, PASSWORD};
use serde_json::{json, Value};
use testkit::http::{Client, Reply};
use testkit::oidc_provider::{Issue, OidcProvider, Signer, CLIENT_ID, CLIENT_SECRET};
use testkit::server::{on_every_database, Options, TestServer};
use web::auth::oidc::config::OidcConfig;

const CALLBACK: &str = "http://localhost/api/v1/auth/oidc/callback";

fn options(provider: &OidcProvider, tune: &dyn Fn(&mut OidcConfig)) -> Options {
    let mut options = Options::default();
    let mut oidc = OidcConfig::new(&provider.issuer, CLIENT_ID, CLIENT_SECRET, CALLBACK);
    // The fixture's people come from a CSV file, not from a directory.
    oidc.local_accounts = true;
    tune(&mut oidc);
    options.config.auth.oidc = Some(oidc);
    options
}

fn servers(provider: &OidcProvider, tune: &dyn Fn(&mut OidcConfig)) -> Vec<TestServer> {
    on_every_database(|| options(provider, tune))
}

/// `host:port` and path with query of an absolute URL.
fn split(url: &str) -> (String, String) {
    let rest = url.split_once("://").expect("an absolute URL").1;
    let at = rest.find('/').unwrap_or(rest.len());
    (rest[..at].to_string(), rest[at..].to_string())
}

/// A query parameter's value, percent-decoded.
fn query_value(path: &str, name: &str) -> Option<String> {
    let query = path.split_once('?')?.1;
    let value = query
        .split('&')
        .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))?;
    let mut bytes = Vec::new();
    let mut rest = value.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        match (b, tail.get(..2)) {
            (b'%', Some(hex)) => {
                let hex = std::str::from_utf8(hex).ok()?;
                bytes.push(u8::from_str_radix(hex, 16).ok()?);
                rest = &tail[2..];
            }
            (b'+', _) => {
                bytes.push(b' ');
                rest = tail;
            }
            _ => {
                bytes.push(b);
                rest = tail;
            }
        }
    }
    String::from_utf8(bytes).ok()
}

/// One browser's trip through the provider.
struct Trip {
    start: Reply,
    /// The callback's path and query, as the provider sent the browser back.
    callback: String,
    /// Our answer to it.
    back: Reply,
}

impl Trip {
    fn location(&self) -> &str {
        self.back.header("location").unwrap_or("")
    }
}

/// `browser` starts at our server, the provider signs its person in at once, and the
/// browser comes back to our callback.
fn trip(browser: &mut Client, provider: &OidcProvider) -> Trip {
    let (start, callback) = to_provider_and_back(browser, provider);
    let back = browser.get(&callback);
    assert_eq!(back.status, 303, "the callback answers 303: {}", back.body);
    Trip {
        start,
        callback,
        back,
    }
}

fn to_provider_and_back(browser: &mut Client, provider: &OidcProvider) -> (Reply, String) {
    let start = browser.get("/api/v1/auth/oidc/start");
    assert_eq!(start.status, 303, "{}", start.body);
    let (host, authorize) = split(start.header("location").expect("to the provider"));
    assert_eq!(host, provider.address, "to the configured provider");
    let at_provider = Client::new(&provider.address).get(&authorize);
    assert_eq!(at_provider.status, 302, "{}", at_provider.body);
    let (_, callback) = split(at_provider.header("location").expect("back to us"));
    assert!(
        callback.starts_with("/api/v1/auth/oidc/callback?"),
        "{callback}"
    );
    (start, callback)
}

fn audit(s: &TestServer, action: &str) -> Vec<Value> {
    let mut admin = s.signed_in("a.admin");
    let found = admin.get(&format!("/api/v1/admin/audit?action={action}&limit=200"));
    assert_eq!(found.status, 200, "{}", found.body);
    found.json()["entries"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn refusals(s: &TestServer) -> Vec<String> {
    audit(s, "login.oidc.failed")
        .iter()
        .map(|e| e["detail"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn signs_in_through_the_provider_with_pkce_and_signs_out_there_too() {
    let provider = OidcProvider::start();
    provider.issue(|i| *i = Issue::for_login("B.User"));
    for s in servers(&provider, &|_| {}) {
        let mut browser = s.client();
        let trip = trip(&mut browser, &provider);
        let state_cookie = trip.start.header("set-cookie").unwrap_or_default();
        assert!(
            state_cookie.starts_with("dw_oidc=")
                && state_cookie.contains("HttpOnly")
                && state_cookie.contains("SameSite=Lax"),
            "{state_cookie}"
        );
        assert_eq!(trip.location(), "/", "{}: signed in", s.label);
        assert!(
            !browser.cookies.contains_key("dw_oidc"),
            "the state cookie is gone"
        );
        let me = browser.get("/api/v1/me");
        assert_eq!(
            (me.status, me.json()["login"].clone()),
            (200, json!("b.user")),
            "{}: the claim, lower-cased, named the person",
            s.label
        );

        let seen = provider.seen();
        let asked = seen.authorizations.last().expect("/authorize was asked");
        assert_eq!(asked.get("code_challenge_method"), Some("S256"));
        assert_eq!(
            asked.get("code_challenge").map(str::len),
            Some(43),
            "a SHA-256 in base64url"
        );
        assert_eq!(asked.get("redirect_uri"), Some(CALLBACK));
        assert_eq!(asked.get("client_id"), Some(CLIENT_ID));
        assert!(asked.get("nonce").is_some_and(|n| n.len() >= 16));
        let scopes: Vec<&str> = asked.get("scope").unwrap_or_default().split(' ').collect();
        assert!(
            ["openid", "profile", "email"]
                .iter()
                .all(|s| scopes.contains(s)),
            "{scopes:?}"
        );
        assert_eq!(
            asked.get("state").map(str::to_string),
            query_value(&trip.callback, "state")
        );
        assert!(
            state_cookie.starts_with(&format!("dw_oidc={};", asked.get("state").unwrap())),
            "the cookie holds the state"
        );
        let token = seen.token_requests.last().expect("/token was asked");
        assert!(
            token.client_ok && token.code_ok && token.verifier_ok && token.answered,
            "{token:?}"
        );

        let logins = audit(&s, "login.ok");
        assert!(
            logins
                .iter()
                .any(|e| e["actor"] == "b.user" && e["detail"] == "oidc"),
            "{}: {logins:?}",
            s.label
        );

        // Signing out ends our session; the provider's end session endpoint comes back to us.
        assert_eq!(browser.post("/api/v1/auth/logout", json!({})).status, 200);
        assert_eq!(browser.get("/api/v1/me").status, 401);
        let there = browser.get("/api/v1/auth/oidc/logout");
        assert_eq!(there.status, 303);
        let to = there.header("location").unwrap_or_default();
        assert!(
            to.starts_with(&format!("{}/logout?", provider.issuer)),
            "{to}"
        );
        assert_eq!(query_value(to, "client_id").as_deref(), Some(CLIENT_ID));
        assert_eq!(
            query_value(to, "post_logout_redirect_uri").as_deref(),
            Some("http://localhost/")
        );
    }
}

#[test]
fn our_second_factor_is_asked_unless_the_providers_is_accepted() {
    let provider = OidcProvider::start();
    for s in servers(&provider, &|_| {}) {
        // b.user has an authenticator app: it is asked after the provider as after a
        // password, whatever the provider's amr says.
        let mut own = s.signed_in("b.user");
        let enrol = own
            .post("/api/v1/me/totp", json!({"password": PASSWORD}))
            .json();
        let secret =
            auth::totp::TotpSecret::from_base32(enrol["secret"].as_str().unwrap()).unwrap();
        let confirm = json!({"code": auth::totp::code_at(&secret, now())});
        assert_eq!(own.post("/api/v1/me/totp/confirm", confirm).status, 200);

        for amr in [vec!["pwd"], vec!["pwd", "mfa"]] {
            provider.issue(|i| {
                *i = Issue::for_login("b.user");
                i.amr = Some(amr.iter().map(|m| m.to_string()).collect());
            });
            let mut browser = s.client();
            let trip = trip(&mut browser, &provider);
            assert_eq!(
                trip.location(),
                "/?sso=second_factor&methods=totp,recovery",
                "{}: amr {amr:?} is not accepted by this configuration",
                s.label
            );
            assert!(browser.cookies.contains_key("dw_pending"));
            assert_eq!(browser.get("/api/v1/me").status, 401, "not signed in yet");
        }
        // The last one goes on with the app's code.
        let mut browser = s.client();
        trip(&mut browser, &provider);
        let code = auth::totp::code_at(&secret, now() + 30);
        let done = browser.post(
            "/api/v1/auth/second-factor",
            json!({"method": "totp", "code": code}),
        );
        assert_eq!(done.status, 200, "{}", done.body);
        assert_eq!(browser.get("/api/v1/me").json()["login"], "b.user");

        // A second factor required for everyone: c.clerk has none and must enrol.
        let mut admin = s.signed_in("a.admin");
        let rule = admin.request(
            "PUT",
            "/api/v1/admin/second-factor",
            Some(json!({"everyone": true})),
        );
        assert_eq!(rule.status, 200, "{}", rule.body);
        provider.issue(|i| *i = Issue::for_login("c.clerk"));
        let mut browser = s.client();
        assert_eq!(
            trip(&mut browser, &provider).location(),
            "/?sso=enrolment_required"
        );
        assert_eq!(browser.get("/api/v1/me").status, 401);
        let enrolling = browser.post("/api/v1/me/totp", json!({}));
        assert_eq!(enrolling.status, 200, "the pending sign-in may enrol");
    }

    // Accepted: the provider's "mfa" signs in at once, its "pwd" alone does not.
    let accepting = |c: &mut OidcConfig| c.accept_provider_mfa = true;
    for s in servers(&provider, &accepting) {
        let mut admin = s.signed_in("a.admin");
        let rule = admin.request(
            "PUT",
            "/api/v1/admin/second-factor",
            Some(json!({"everyone": true})),
        );
        assert_eq!(rule.status, 200);
        for (amr, signed_in) in [(vec!["pwd", "mfa"], true), (vec!["pwd"], false)] {
            provider.issue(|i| {
                *i = Issue::for_login("b.user");
                i.amr = Some(amr.iter().map(|m| m.to_string()).collect());
            });
            let mut browser = s.client();
            let trip = trip(&mut browser, &provider);
            let expected = if signed_in {
                "/"
            } else {
                "/?sso=second_factor&methods=sms"
            };
            assert_eq!(trip.location(), expected, "{}: amr {amr:?}", s.label);
            let me = browser.get("/api/v1/me").status;
            assert_eq!(me == 200, signed_in, "{}: amr {amr:?}", s.label);
        }
    }
}

#[test]
fn the_state_must_be_this_browsers_and_is_used_once() {
    let provider = OidcProvider::start();
    provider.issue(|i| *i = Issue::for_login("d.new"));
    let fake_clock = || Options {
        fake_clock: true,
        ..options(&provider, &|_| {})
    };
    for s in on_every_database(fake_clock) {
        let mut browser = s.client();
        let (_, callback) = to_provider_and_back(&mut browser, &provider);

        // Another browser (an attacker's link) with the same callback: refused, and it
        // spoils nothing for the browser that started.
        let mut other = s.client();
        let forged = other.get(&callback);
        assert_eq!(
            forged.header("location"),
            Some("/?sso_error=state"),
            "{}",
            s.label
        );
        let mut wrong_cookie = s.client();
        wrong_cookie
            .cookies
            .insert("dw_oidc".into(), "not-the-state".into());
        assert_eq!(
            wrong_cookie.get(&callback).header("location"),
            Some("/?sso_error=state")
        );
        let exchanged = || provider.seen().token_requests.len();
        let before = exchanged();

        let state = query_value(&callback, "state").unwrap();
        let back = browser.get(&callback);
        assert_eq!(back.header("location"), Some("/"), "{}", back.body);
        assert_eq!(
            exchanged(),
            before + 1,
            "only the right browser's code was exchanged"
        );

        // The same state again, cookie and all: used.
        let mut replay = s.client();
        replay.cookies.insert("dw_oidc".into(), state);
        assert_eq!(
            replay.get(&callback).header("location"),
            Some("/?sso_error=state")
        );
        assert_eq!(replay.get("/api/v1/me").status, 401);
        assert_eq!(
            exchanged(),
            before + 1,
            "the replay never reached the provider"
        );

        // Ten minutes and more at the provider: expired.
        let mut slow = s.client();
        let (_, late) = to_provider_and_back(&mut slow, &provider);
        s.advance(std::time::Duration::from_secs(601));
        assert_eq!(
            slow.get(&late).header("location"),
            Some("/?sso_error=state")
        );
        assert_eq!(slow.get("/api/v1/me").status, 401);

        let why = refusals(&s);
        assert!(
            why.iter().filter(|w| w.contains("does not match")).count() == 2
                && why.iter().filter(|w| w.contains("expired or used")).count() == 2,
            "{}: {why:?}",
            s.label
        );
    }
}

#[test]
fn a_token_with_a_wrong_nonce_key_audience_or_expiry_is_refused() {
    let provider = OidcProvider::start();
    type Spoil = fn(&mut Issue);
    let spoiled: [(Spoil, &str); 4] = [
        (|i| i.wrong_nonce = true, "nonce"),
        (
            |i| i.signer = Signer::Stranger,
            "Signature verification failed",
        ),
        (|i| i.audience = Some("someone-else".into()), "audience"),
        (|i| i.expired = true, "Expired"),
    ];
    for s in servers(&provider, &|_| {}) {
        for (spoil, says) in spoiled {
            provider.issue(|i| {
                *i = Issue::for_login("b.user");
                spoil(i);
            });
            let mut browser = s.client();
            let trip = trip(&mut browser, &provider);
            assert_eq!(trip.location(), "/?sso_error=token", "{}: {says}", s.label);
            let token = provider.seen().token_requests.last().cloned().unwrap();
            assert!(token.answered, "the provider gave a token: we refused it");
            assert_eq!(browser.get("/api/v1/me").status, 401, "{says}");
            let why = refusals(&s);
            assert!(
                why.first().is_some_and(|w| w.contains(says)),
                "{}: {says}: {why:?}",
                s.label
            );
            assert!(
                why.iter().all(|w| !w.contains("eyJ")),
                "no token in the audit log: {why:?}"
            );
        }
        // The same provider with nothing spoiled: signed in.
        provider.issue(|i| *i = Issue::for_login("b.user"));
        let mut browser = s.client();
        assert_eq!(trip(&mut browser, &provider).location(), "/");
    }
}

#[test]
fn an_unknown_person_or_a_refusal_at_the_provider_signs_nobody_in() {
    let provider = OidcProvider::start();
    for s in servers(&provider, &|_| {}) {
        let mut admin = s.signed_in("a.admin");
        let staff_before = admin.get("/api/v1/admin/staff").json()["total"].clone();

        provider.issue(|i| *i = Issue::for_login("x.unbekannt"));
        let mut browser = s.client();
        assert_eq!(
            trip(&mut browser, &provider).location(),
            "/?sso_error=unknown"
        );
        assert_eq!(browser.get("/api/v1/me").status, 401);
        let login = directory::Login::parse("x.unbekannt").unwrap();
        let made = s.block_on(s.store.account_by_login(&login)).unwrap();
        assert!(made.is_none(), "nobody is created");
        assert_eq!(
            admin.get("/api/v1/admin/staff").json()["total"],
            staff_before
        );
        let failed = audit(&s, "login.oidc.failed");
        assert_eq!(failed[0]["target"], "x.unbekannt", "{failed:?}");

        provider.issue(|i| *i = Issue::default());
        let mut browser = s.client();
        assert_eq!(
            trip(&mut browser, &provider).location(),
            "/?sso_error=unknown"
        );
        assert!(refusals(&s)[0].contains("no preferred_username claim"));

        // Without local_accounts, only people from the directory may use the provider:
        // a login claim users can edit must not reach a local account (an admin's).
        provider.issue(|i| *i = Issue::for_login("a.admin"));
        let mut browser = s.client();
        assert_eq!(trip(&mut browser, &provider).location(), "/", "{}", s.label);
        drop(s);
    }
    for s in servers(&provider, &|c| c.local_accounts = false) {
        provider.issue(|i| *i = Issue::for_login("a.admin"));
        let mut browser = s.client();
        assert_eq!(
            trip(&mut browser, &provider).location(),
            "/?sso_error=unknown"
        );
        assert_eq!(browser.get("/api/v1/me").status, 401);
        assert!(refusals(&s)[0].contains("does not come from the directory"));

        provider.issue(|i| i.deny = true);
        let mut browser = s.client();
        assert_eq!(
            trip(&mut browser, &provider).location(),
            "/?sso_error=denied"
        );
        assert!(refusals(&s)[0].contains("access_denied"));
        provider.issue(|i| i.deny = false);
    }
}

#[test]
fn callbacks_count_against_the_address_like_passwords() {
    let provider = OidcProvider::start();
    let s = testkit::server::start(options(&provider, &|_| {}));
    let mut browser = s.client();
    let mut throttled_at = None;
    for attempt in 1..=30 {
        let bad = browser.get("/api/v1/auth/oidc/callback?code=x&state=guess");
        if bad.header("location") == Some("/?sso_error=throttled") {
            throttled_at = Some(attempt);
            break;
        }
        assert_eq!(bad.header("location"), Some("/?sso_error=state"));
    }
    assert!(
        throttled_at.is_some_and(|n| n > 20),
        "the address has 20 free failures, then waits: {throttled_at:?}"
    );
    let password = browser.post(
        "/api/v1/auth/login",
        json!({"login": "b.user", "password": PASSWORD}),
    );
    assert_eq!(password.status, 429, "one count for both roads");
}

#[test]
fn a_claim_of_the_providers_own_can_name_the_person() {
    let provider = OidcProvider::start();
    provider.issue(|i| {
        *i = Issue::default();
        i.claims.insert("upn".into(), json!("C.Clerk"));
    });
    let s = testkit::server::start(options(&provider, &|c| c.login_claim = "upn".into()));
    let mut browser = s.client();
    assert_eq!(trip(&mut browser, &provider).location(), "/");
    assert_eq!(browser.get("/api/v1/me").json()["login"], "c.clerk");
}

#[test]
fn offered_only_when_configured() {
    let provider = OidcProvider::start();
    let labelled = |c: &mut OidcConfig| c.label = "Landkreis-Konto".into();
    let s = testkit::server::start(options(&provider, &labelled));
    assert_eq!(
        s.client().get("/api/v1/auth/oidc").json(),
        json!({"enabled": true, "label": "Landkreis-Konto"})
    );
    drop(s);

    let plain = testkit::server::start(Options::default());
    let mut c = plain.client();
    assert_eq!(c.get("/api/v1/auth/oidc").json(), json!({"enabled": false}));
    for path in [
        "/api/v1/auth/oidc/start",
        "/api/v1/auth/oidc/callback?code=x&state=y",
        "/api/v1/auth/oidc/logout",
    ] {
        assert_eq!(c.get(path).status, 404, "{path}");
    }
    assert!(provider.seen().authorizations.is_empty());
}
