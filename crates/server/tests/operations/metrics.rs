//! `/metrics` (issue 20): off without a token, 401 without the right one, the text
//! parsed strictly by the exposition format's rules, every name by Prometheus's
//! conventions, and counters that move by exactly what was done.
//!
//! The recorder is global to a process and the tests of this binary run side by side,
//! so exact counts are taken from the `durchwahl` binary as a process of its own (on the
//! database an in-process server seeded); the rest runs in-process.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::process::Stdio;
use testkit::http::Client;
use testkit::server::{on_every_database, start, start_on, Options, PASSWORD};
use web::metrics::names::{self, Kind, Metric};

const BIN: &str = env!("CARGO_BIN_EXE_durchwahl");
const TOKEN: &str = "test-metrics-token-0123456789";

fn with_token() -> Options {
    let mut options = Options::default();
    options.config.metrics.token = Some(TOKEN.into());
    options
}

/// `GET /metrics` with this Authorization header (none: `None`): status, Content-Type
/// and body.
fn scrape_with(address: &str, authorization: Option<&str>) -> (u16, String, String) {
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    let auth = authorization.map_or(String::new(), |a| format!("Authorization: {a}\r\n"));
    let head = format!("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{auth}\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8(raw).expect("UTF-8");
    let (head, body) = text.split_once("\r\n\r\n").expect("a head");
    let status = head[9..12].parse().expect("a status");
    let content_type = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-type")
                .then(|| v.trim().to_owned())
        })
        .unwrap_or_default();
    // The exporter's text is small: hyper sends it with a Content-Length, not chunked.
    assert!(!head.to_ascii_lowercase().contains("chunked"), "{head}");
    (status, content_type, body.to_owned())
}

fn scrape(address: &str) -> Exposition {
    let (status, content_type, body) = scrape_with(address, Some(&format!("Bearer {TOKEN}")));
    assert_eq!(status, 200, "{body}");
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
    parse(&body).unwrap_or_else(|e| panic!("{e}\n{body}"))
}

/// A scrape, parsed: each family's type and HELP, each series' value.
#[derive(Debug, Default)]
struct Exposition {
    types: BTreeMap<String, String>,
    helps: BTreeMap<String, String>,
    /// `name{label="value",…}` with labels sorted by name → value.
    series: BTreeMap<String, f64>,
}

impl Exposition {
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        *self.series.get(&key(name, labels)).unwrap_or(&0.0)
    }
}

fn key(name: &str, labels: &[(&str, &str)]) -> String {
    let mut labels: Vec<(&str, &str)> = labels.to_vec();
    labels.sort_unstable();
    let inner: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
    format!("{name}{{{}}}", inner.join(","))
}

fn is_name(s: &str, colons: bool) -> bool {
    let mut bytes = s.bytes();
    let first = bytes.next();
    first.is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || (colons && b == b':'))
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || (colons && b == b':'))
}

fn number(s: &str) -> Result<f64, String> {
    match s {
        "NaN" => Ok(f64::NAN),
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        _ => s.parse().map_err(|_| format!("{s:?} is no number")),
    }
}

/// The family a series belongs to: a histogram's `_bucket`, `_sum` and `_count` belong
/// to it.
fn family_of<'a>(name: &'a str, types: &BTreeMap<String, String>) -> &'a str {
    for suffix in ["_bucket", "_sum", "_count"] {
        if let Some(base) = name.strip_suffix(suffix) {
            if types
                .get(base)
                .is_some_and(|t| t == "histogram" || t == "summary")
            {
                return base;
            }
        }
    }
    name
}

/// Labels `{a="x",b="y"}` (escapes `\\`, `\"`, `\n` only), sorted.
fn labels(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"").ok_or(format!("bad labels {text}"))?;
        if !is_name(name, false) || name.starts_with("__") {
            return Err(format!("bad label name {name:?}"));
        }
        let mut value = String::new();
        let mut chars = after.char_indices();
        let end = loop {
            match chars.next() {
                Some((_, '\\')) => match chars.next() {
                    Some((_, '\\')) => value.push('\\'),
                    Some((_, '"')) => value.push('"'),
                    Some((_, 'n')) => value.push('\n'),
                    other => return Err(format!("bad escape {other:?} in {text}")),
                },
                Some((i, '"')) => break i,
                Some((_, c)) => value.push(c),
                None => return Err(format!("unterminated value in {text}")),
            }
        };
        if out.iter().any(|(n, _): &(String, String)| n == name) {
            return Err(format!("label {name} twice in {text}"));
        }
        out.push((name.to_owned(), value));
        rest = &after[end + 1..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
    out.sort();
    Ok(out)
}

/// The text format's rules (Prometheus exposition format 0.0.4), strictly: HELP and TYPE
/// at most once per family and before its samples, each family's samples together, valid
/// names and escapes, numbers, no series twice, histograms with cumulative buckets ending
/// in `+Inf` equal to `_count`, and a `_sum`.
fn parse(text: &str) -> Result<Exposition, String> {
    let mut e = Exposition::default();
    let mut seen_families: Vec<String> = Vec::new();
    let mut buckets: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    if !text.ends_with('\n') {
        return Err("the text does not end with a newline".into());
    }
    for line in text.lines() {
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let words: Vec<&str> = comment.trim_start().splitn(3, ' ').collect();
            match words.as_slice() {
                ["HELP", name, help] => {
                    if !is_name(name, true)
                        || e.helps.insert(name.to_string(), help.to_string()).is_some()
                    {
                        return Err(format!("HELP twice or a bad name: {line}"));
                    }
                    if seen_families.iter().any(|f| f == name) {
                        return Err(format!("HELP after samples: {line}"));
                    }
                }
                ["TYPE", name, kind] => {
                    let known = ["counter", "gauge", "histogram", "summary", "untyped"];
                    if !known.contains(kind)
                        || e.types.insert(name.to_string(), kind.to_string()).is_some()
                    {
                        return Err(format!("TYPE twice or unknown: {line}"));
                    }
                    if seen_families.iter().any(|f| f == name) {
                        return Err(format!("TYPE after samples: {line}"));
                    }
                }
                _ => {}
            }
            continue;
        }
        let (series, value) = line.rsplit_once(' ').ok_or(format!("no value: {line}"))?;
        let value = number(value)?;
        let (name, label_text) = match series.split_once('{') {
            Some((name, rest)) => (
                name,
                rest.strip_suffix('}')
                    .ok_or(format!("unclosed labels: {line}"))?,
            ),
            None => (series, ""),
        };
        if !is_name(name, true) {
            return Err(format!("bad metric name: {line}"));
        }
        let labels = labels(label_text)?;
        let family = family_of(name, &e.types).to_owned();
        match seen_families.last() {
            Some(last) if *last == family => {}
            _ if seen_families.contains(&family) => {
                return Err(format!("{family}'s samples are not together: {line}"))
            }
            _ => seen_families.push(family.clone()),
        }
        let pairs: Vec<(&str, &str)> = labels
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if e.series.insert(key(name, &pairs), value).is_some() {
            return Err(format!("series twice: {line}"));
        }
        if name.ends_with("_bucket") && family != name {
            let le = labels
                .iter()
                .find(|(k, _)| k == "le")
                .ok_or(format!("no le: {line}"))?;
            let rest: Vec<(&str, &str)> =
                pairs.iter().copied().filter(|(k, _)| *k != "le").collect();
            buckets
                .entry(key(&family, &rest))
                .or_default()
                .push((number(&le.1)?, value));
        }
    }
    for (series, list) in &buckets {
        let (family, labels) = series.split_once('{').unwrap();
        if !list.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1) {
            return Err(format!("{series}: buckets not cumulative: {list:?}"));
        }
        let last = list.last().unwrap();
        let count = e.series.get(&format!("{family}_count{{{labels}"));
        if last.0 != f64::INFINITY || count != Some(&last.1) {
            return Err(format!(
                "{series}: +Inf bucket {last:?} against _count {count:?}"
            ));
        }
        if !e.series.contains_key(&format!("{family}_sum{{{labels}")) {
            return Err(format!("{series}: no _sum"));
        }
    }
    Ok(e)
}

#[test]
fn the_parser_refuses_what_the_format_forbids() {
    let good = "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\\\"\"} 3\n";
    assert_eq!(parse(good).unwrap().value("a_total", &[("x", "1\"")]), 3.0);
    for bad in [
        "a_total 1\nb 2\na_total{x=\"2\"} 3\n", // a family split up
        "a 1\na 2\n",                           // a series twice
        "a{x=\"\\t\"} 1\n",                     // an escape the format has not
        "a{__x=\"1\"} 1\n",                     // a reserved label name
        "a one\n",                              // no number
        "# TYPE a counter\n# TYPE a gauge\na 1\n",
        "a 1\n# TYPE a counter\n",
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
        "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n",
        "a 1",
    ] {
        assert!(parse(bad).is_err(), "accepted: {bad}");
    }
}

#[test]
fn without_a_token_metrics_is_off() {
    let s = start(Options::default());
    for authorization in [None, Some(format!("Bearer {TOKEN}"))] {
        let (status, _, _) = scrape_with(&s.address, authorization.as_deref());
        assert_eq!(status, 404);
    }
}

#[test]
fn the_token_is_required_and_the_text_is_well_formed_and_conventional() {
    for s in on_every_database(with_token) {
        for wrong in [
            None,
            Some("Bearer test-metrics-token-012345678".to_owned()),
            Some(format!("Bearer {TOKEN}x")),
            Some(format!("Basic {TOKEN}")),
            Some(TOKEN.to_owned()),
        ] {
            let (status, _, body) = scrape_with(&s.address, wrong.as_deref());
            assert_eq!((status, body.as_str()), (401, ""), "{}: {wrong:?}", s.label);
        }
        let mut user = s.signed_in("b.user");
        let _ws = testkit::ws::connect(&user, None);
        assert_eq!(user.get("/api/v1/me").status, 200);
        // The gateway's figures exist once an application is published and used.
        let upstream = testkit::upstream::Upstream::start();
        let mut admin = s.signed_in("a.admin");
        let published = admin.post(
            "/api/v1/admin/gateway/apps",
            serde_json::json!({"name": "akte", "title": "E-Akte", "kind": "proxy",
                "upstream": upstream.url()}),
        );
        assert_eq!(published.status, 201, "{}", published.body);
        assert_eq!(user.get("/apps/akte/echo").status, 200);
        assert_eq!(s.client().get("/apps/akte/echo").status, 401);
        let e = scrape(&s.address);
        // Every listed metric is there, with its HELP and TYPE.
        for metric in names::ALL {
            let kind = match metric.kind {
                Kind::Counter => "counter",
                Kind::Gauge => "gauge",
                Kind::Histogram => "histogram",
            };
            assert_eq!(
                e.types.get(metric.name).map(String::as_str),
                Some(kind),
                "{}",
                metric.name
            );
            assert_eq!(
                e.helps.get(metric.name).map(String::as_str),
                Some(metric.help),
                "{}",
                metric.name
            );
        }
        // Nothing published that the list does not name, and every name conventional.
        for (name, kind) in &e.types {
            let listed = names::ALL.iter().find(|m| m.name == name);
            let metric = listed.unwrap_or_else(|| panic!("{name} is not in names::ALL"));
            let kind = match kind.as_str() {
                "counter" => Kind::Counter,
                "gauge" => Kind::Gauge,
                _ => Kind::Histogram,
            };
            let published = Metric { kind, ..*metric };
            assert_eq!(names::convention_problem(&published), None);
        }
        // Services answered: their figures are numbers, not NaN.
        for name in [names::SIP_REGISTRATIONS, names::CALLS, names::MEDIA_LEGS] {
            assert!(!e.value(name, &[]).is_nan(), "{}: {name}", s.label);
        }
        let me = [
            ("method", "GET"),
            ("route", "/api/v1/me"),
            ("status", "2xx"),
        ];
        assert!(e.value(names::HTTP_REQUESTS, &me) >= 1.0, "{}", s.label);
        assert!(e.value(names::PROCESS_MEMORY, &[]) > 1e6);
    }
}

/// The `durchwahl` binary on the database `seeded` uses (and its data folder), with the
/// metrics token in its environment.
fn binary(seeded: &testkit::server::TestServer, url: &str) -> testkit::process::ServerProcess {
    let mut command = testkit::process::command(BIN);
    command
        .args([
            "serve",
            "--http-listen",
            "127.0.0.1:0",
            "--sip-listen",
            "127.0.0.1:0",
        ])
        .arg("--database-url")
        .arg(url)
        .arg("--data-dir")
        .arg(&seeded.data_dir)
        .env("DURCHWAHL_METRICS__TOKEN", TOKEN)
        .stderr(Stdio::null());
    testkit::process::ServerProcess::start(command)
}

#[test]
fn counters_move_by_exactly_what_was_done() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for db in runtime.block_on(testkit::databases()) {
        let url = db.url.unredacted().to_owned();
        let label = db.label;
        // Seeds the staff; the binary below serves the same database alone over HTTP.
        let seeded = start_on(db, Options::default());
        let server = binary(&seeded, &url);
        let at = server.address.clone();
        let before = scrape(&at);
        let mut client = Client::new(&at);
        for _ in 0..3 {
            assert_eq!(client.get("/healthz").status, 200);
        }
        assert_eq!(client.get("/nope").status, 404);
        let login = "/api/v1/auth/login";
        let wrong = serde_json::json!({"login": "b.user", "password": "falsch"});
        assert_eq!(client.post(login, wrong).status, 401);
        let right = serde_json::json!({"login": "b.user", "password": PASSWORD});
        assert_eq!(client.post(login, right).status, 200);
        let ws = testkit::ws::connect(&client, None);
        let after = scrape(&at);
        let moved = |name: &str, labels: &[(&str, &str)]| {
            after.value(name, labels) - before.value(name, labels)
        };
        let requests = |method, route, status| {
            moved(
                names::HTTP_REQUESTS,
                &[("method", method), ("route", route), ("status", status)],
            )
        };
        assert_eq!(requests("GET", "/healthz", "2xx"), 3.0, "{label}");
        assert_eq!(requests("GET", "unmatched", "4xx"), 1.0, "{label}");
        assert_eq!(requests("POST", login, "4xx"), 1.0, "{label}");
        assert_eq!(requests("POST", login, "2xx"), 1.0, "{label}");
        assert_eq!(requests("GET", "/api/v1/ws", "1xx"), 1.0, "{label}");
        // The first scrape, counted once its answer was out.
        assert_eq!(requests("GET", "/metrics", "2xx"), 1.0, "{label}");
        let health = [("method", "GET"), ("route", "/healthz")];
        let count = format!("{}_count", names::HTTP_DURATION);
        assert_eq!(moved(&count, &health), 3.0, "{label}");
        let inf = [("method", "GET"), ("route", "/healthz"), ("le", "+Inf")];
        assert_eq!(
            moved(&format!("{}_bucket", names::HTTP_DURATION), &inf),
            3.0
        );
        for (outcome, by) in [("ok", 1.0), ("failed", 1.0), ("locked", 0.0)] {
            assert_eq!(
                moved(names::SIGN_INS, &[("outcome", outcome)]),
                by,
                "{label}: {outcome}"
            );
        }
        // Figures read at scrape time: this one WebSocket, no phone, no call.
        assert_eq!(after.value(names::WEBSOCKET_CLIENTS, &[]), 1.0, "{label}");
        assert_eq!(after.value(names::SIP_REGISTRATIONS, &[]), 0.0, "{label}");
        assert_eq!(after.value(names::CALLS, &[]), 0.0, "{label}");
        assert_eq!(after.value(names::MEDIA_LEGS, &[]), 0.0, "{label}");
        let pool = after.value(names::DB_POOL_MAX, &[]);
        assert!(
            pool >= 4.0 && after.value(names::DB_POOL_OPEN, &[]) <= pool,
            "{label}"
        );
        drop(ws);
        assert!(server.terminate(), "{label}: graceful shutdown");
        drop(seeded);
    }
}
