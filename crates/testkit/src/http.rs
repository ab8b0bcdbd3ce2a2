//! A small blocking HTTP/1.1 client for end-to-end tests: keeps cookies like a browser
//! and sends the session's CSRF token on writes once it knows it. Speaks HTTPS too
//! (feature `tls`), taking any certificate and recording the one served.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;

/// An answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The protocol of the status line, e.g. `HTTP/1.1`.
    pub version: String,
    /// Status code.
    pub status: u16,
    /// Headers, names lower-cased, in order.
    pub headers: Vec<(String, String)>,
    /// The body as text.
    pub body: String,
    /// The body as received (for audio, PDFs and other binary answers).
    pub bytes: Vec<u8>,
}

impl Reply {
    /// The body as JSON (panics with the body when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|_| panic!("not JSON ({}): {}", self.status, self.body))
    }

    /// The first header of that name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == &name.to_ascii_lowercase())
            .map(|(_, v)| v.as_str())
    }
}

/// A client with a cookie jar.
#[derive(Debug, Clone)]
pub struct Client {
    address: String,
    /// Cookies by name.
    pub cookies: BTreeMap<String, String>,
    /// The CSRF token sent on writes.
    pub csrf: Option<String>,
    /// HTTPS: the client configuration and the certificate last served.
    #[cfg(feature = "tls")]
    tls: Option<(std::sync::Arc<rustls::ClientConfig>, crate::tls::Seen)>,
}

/// A connection to the server, plain or TLS.
trait Connection: Read + Write {}
impl<T: Read + Write> Connection for T {}

impl Client {
    /// A client for `host:port`.
    pub fn new(address: &str) -> Client {
        Client {
            address: address.to_string(),
            cookies: BTreeMap::new(),
            csrf: None,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }

    /// A client for `https://host:port`: takes any certificate (the tests make their
    /// own) and records it, see [`Client::served_certificate`].
    #[cfg(feature = "tls")]
    pub fn https(address: &str) -> Client {
        let seen = crate::tls::Seen::default();
        let config = crate::tls::recording_client(seen.clone(), Some(b"http/1.1"));
        Client {
            tls: Some((config, seen)),
            ..Client::new(address)
        }
    }

    /// The certificate (DER) the server presented on the last HTTPS request.
    #[cfg(feature = "tls")]
    pub fn served_certificate(&self) -> Option<Vec<u8>> {
        let (_, seen) = self.tls.as_ref()?;
        seen.lock().expect("not poisoned").clone()
    }

    fn connect(&self) -> Option<Box<dyn Connection>> {
        #[cfg(feature = "tls")]
        if let Some((config, _)) = &self.tls {
            return Some(Box::new(crate::tls::connect(&self.address, config.clone())));
        }
        Some(Box::new(TcpStream::connect(&self.address).ok()?))
    }

    /// The same cookies and token for a server now at another address (after a restart).
    pub fn moved_to(&self, address: &str) -> Client {
        Client {
            address: address.to_string(),
            ..self.clone()
        }
    }

    /// The server's `host:port`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// `GET path`.
    pub fn get(&mut self, path: &str) -> Reply {
        self.request("GET", path, None)
    }

    /// `POST path` with a JSON body.
    pub fn post(&mut self, path: &str, body: serde_json::Value) -> Reply {
        self.request("POST", path, Some(body))
    }

    /// Any request; remembers cookies it sets and a `csrf_token` in a JSON answer.
    pub fn request(&mut self, method: &str, path: &str, body: Option<serde_json::Value>) -> Reply {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        self.request_raw(method, path, "application/json", body.as_bytes())
    }

    /// `GET path`, or `None` when the server cannot be reached (yet).
    pub fn try_get(&mut self, path: &str) -> Option<Reply> {
        self.try_request_raw("GET", path, "application/json", b"")
    }

    /// Any request with a body of this content type.
    pub fn request_raw(
        &mut self,
        method: &str,
        path: &str,
        content_type: &str,
        body: &[u8],
    ) -> Reply {
        self.try_request_raw(method, path, content_type, body)
            .expect("the server answers")
    }

    /// [`Client::request_raw`], or `None` when the server cannot be reached or the
    /// connection breaks.
    pub fn try_request_raw(
        &mut self,
        method: &str,
        path: &str,
        content_type: &str,
        body: &[u8],
    ) -> Option<Reply> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nUser-Agent: testkit\r\n",
            self.address
        );
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            head.push_str(&format!("Cookie: {}\r\n", jar.join("; ")));
        }
        if let (Some(token), false) = (&self.csrf, method == "GET") {
            head.push_str(&format!("X-CSRF-Token: {token}\r\n"));
        }
        if !body.is_empty() || method != "GET" {
            head.push_str(&format!(
                "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        let mut stream = self.connect()?;
        stream.write_all(format!("{head}\r\n").as_bytes()).ok()?;
        // The server may answer (413) before reading a large body.
        let _ = stream.write_all(body);
        let _ = stream.flush();
        let mut raw = Vec::new();
        match stream.read_to_end(&mut raw) {
            Ok(_) => {}
            // A TLS peer that closes without close_notify: the answer is complete anyway
            // (Connection: close).
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !raw.is_empty() => {}
            Err(_) => return None,
        }
        if raw.is_empty() {
            return None;
        }
        let reply = parse(&raw);
        for (_, value) in reply.headers.iter().filter(|(k, _)| k == "set-cookie") {
            let pair = value.split(';').next().unwrap_or_default();
            if let Some((name, val)) = pair.split_once('=') {
                if val.is_empty() || value.contains("Max-Age=0") {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), val.to_string());
                }
            }
        }
        if let Ok(serde_json::Value::Object(map)) =
            serde_json::from_str::<serde_json::Value>(&reply.body)
        {
            if let Some(serde_json::Value::String(token)) = map.get("csrf_token") {
                self.csrf = Some(token.clone());
            }
        }
        Some(reply)
    }
}

fn parse(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("HTTP head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let version = status_line
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    let status = Some(status_line)
        .and_then(|l| l.get(9..12))
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Reply {
        version,
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        bytes: body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
    out
}
