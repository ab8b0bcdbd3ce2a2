//! Requests the blocking test client cannot make: extra headers (forwarding headers, a
//! forged identity, more cookies, `Accept`), raw bytes on a fresh connection, and what
//! the upstream's `/echo` saw.

use serde_json::Value;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;
use testkit::http::{Client, Reply};

/// `method path` with the client's cookies (and CSRF token on writes) plus `headers`; a
/// `Cookie` among `headers` is sent after the client's own in the same header line.
pub fn send(client: &Client, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut cookies: Vec<String> = client
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        client.address()
    );
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("cookie") {
            cookies.push((*value).to_owned());
        } else {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    if !cookies.is_empty() {
        head.push_str(&format!("Cookie: {}\r\n", cookies.join("; ")));
    }
    if let (Some(token), false) = (&client.csrf, method == "GET") {
        head.push_str(&format!("X-CSRF-Token: {token}\r\n"));
    }
    if method != "GET" {
        head.push_str("Content-Length: 0\r\n");
    }
    let answer = raw_bytes(client.address(), format!("{head}\r\n").as_bytes());
    parse(&answer).unwrap_or_else(|| panic!("no answer to {method} {path}"))
}

/// `GET path` with the client's cookies and `headers`.
pub fn get(client: &Client, path: &str, headers: &[(&str, &str)]) -> Reply {
    send(client, "GET", path, headers)
}

/// Sends `request` as it is on a fresh connection and reads until the server closes it
/// (or 10 s pass); a reset after the answer counts as a close.
pub fn raw_bytes(address: &str, request: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(address).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    answer
}

/// [`raw_bytes`] as text.
pub fn raw(address: &str, request: &str) -> String {
    String::from_utf8_lossy(&raw_bytes(address, request.as_bytes())).into_owned()
}

/// The status codes of every response in `answer`, in order.
pub fn statuses(answer: &str) -> Vec<u16> {
    answer
        .match_indices("HTTP/1.1 ")
        .filter_map(|(at, _)| answer.get(at + 9..at + 12)?.parse().ok())
        .collect()
}

/// The first response in `raw`, its body de-chunked.
pub fn parse(raw: &[u8]) -> Option<Reply> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let version = status_line.split(' ').next()?.to_owned();
    let status = status_line.get(9..12)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Some(Reply {
        version,
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        bytes: body,
    })
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 || data.len() < end + 2 + size {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[(end + 4 + size).min(data.len())..];
    }
    out
}

/// What the upstream's `/echo` saw.
pub struct Echo {
    pub method: String,
    /// Path and query as they arrived.
    pub target: String,
    /// `(name, value)`, names lower-cased, in order.
    pub headers: Vec<(String, String)>,
}

impl Echo {
    /// The answer of `/echo` through the gateway (panics unless it is a 200 from it).
    #[track_caller]
    pub fn of(reply: &Reply) -> Echo {
        assert_eq!(reply.status, 200, "{}", reply.body);
        let body: Value = reply.json();
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        Echo {
            method: text(&body["method"]),
            target: text(&body["target"]),
            headers: body["headers"]
                .as_array()
                .expect("headers")
                .iter()
                .map(|pair| (text(&pair[0]).to_ascii_lowercase(), text(&pair[1])))
                .collect(),
        }
    }

    /// Every value of header `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The one value of header `name` (panics if it came more than once).
    #[track_caller]
    pub fn one(&self, name: &str) -> Option<&str> {
        let all = self.all(name);
        assert!(all.len() <= 1, "{name} came {} times: {all:?}", all.len());
        all.first().copied()
    }

    /// Every cookie name in the `Cookie` header(s).
    pub fn cookie_names(&self) -> Vec<String> {
        self.all("cookie")
            .iter()
            .flat_map(|line| line.split(';'))
            .filter_map(|pair| pair.split_once('=').map(|(k, _)| k.trim().to_owned()))
            .collect()
    }
}
