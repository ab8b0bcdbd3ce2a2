//! Just enough HTTP/1.1 for signing in: requests on a kept-alive loopback connection.
//!
//! Kept-alive connections matter here: 20,000 sign-ins on fresh connections would leave
//! 20,000 sockets in TIME_WAIT, and together with 20,000 WebSockets that is more than
//! the 28,000 ephemeral ports of the loopback address.

use anyhow::{anyhow, bail, Context};
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

/// Longest wait for one request's answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest answer accepted (the rooms list of one person is small).
const MAX_BODY: usize = 4 << 20;

/// The server under test: a loopback address only.
#[derive(Debug, Clone)]
pub struct Target {
    /// Where to connect.
    pub addr: SocketAddr,
    /// `host:port` as given, for the Host and Origin headers.
    pub authority: String,
}

impl Target {
    /// Parses `http://127.0.0.1:PORT` (a trailing `/` is fine). Refuses anything that is
    /// not a loopback address: the tool opens tens of thousands of connections.
    pub fn parse(url: &str) -> anyhow::Result<Target> {
        let authority = url
            .strip_prefix("http://")
            .ok_or_else(|| anyhow!("--url must start with http:// (got {url:?})"))?
            .trim_end_matches('/');
        if authority.is_empty() || authority.contains('/') {
            bail!("--url must be http://HOST:PORT without a path (got {url:?})");
        }
        let addr = authority
            .to_socket_addrs()
            .with_context(|| format!("resolving {authority}"))?
            .next()
            .ok_or_else(|| anyhow!("{authority} resolves to no address"))?;
        if !addr.ip().is_loopback() {
            bail!("{authority} is not a loopback address; the load tool only runs against 127.0.0.1 or ::1");
        }
        Ok(Target {
            addr,
            authority: authority.to_string(),
        })
    }

    /// The WebSocket URL.
    pub fn ws_url(&self) -> String {
        format!("ws://{}/api/v1/ws", self.authority)
    }

    /// The Origin a browser on this server would send.
    pub fn origin(&self) -> String {
        format!("http://{}", self.authority)
    }
}

/// One answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers, names in lower case, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The first header of that (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of a cookie set by this answer (`None` when not set or empty).
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n == "set-cookie")
            .filter_map(|(_, v)| {
                v.split(';')
                    .next()?
                    .trim()
                    .strip_prefix(name)?
                    .strip_prefix('=')
            })
            .find(|v| !v.is_empty())
            .map(str::to_string)
    }
}

/// The head of an answer: status, headers, and how the body is framed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Head {
    status: u16,
    headers: Vec<(String, String)>,
    length: Option<usize>,
    chunked: bool,
    close: bool,
}

fn parse_head(raw: &[u8]) -> anyhow::Result<Head> {
    let text = std::str::from_utf8(raw).context("answer head is not UTF-8")?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| status_line.strip_prefix("HTTP/1.0 "))
        .and_then(|s| s.get(..3))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow!("bad status line {status_line:?}"))?;
    let mut head = Head {
        status,
        headers: Vec::new(),
        length: None,
        chunked: false,
        close: status_line.starts_with("HTTP/1.0"),
    };
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| anyhow!("bad header line {line:?}"))?;
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim().to_string());
        match name.as_str() {
            "content-length" => head.length = Some(value.parse().context("content-length")?),
            "transfer-encoding" => head.chunked = value.to_ascii_lowercase().contains("chunked"),
            "connection" => head.close = value.eq_ignore_ascii_case("close"),
            _ => {}
        }
        head.headers.push((name, value));
    }
    Ok(head)
}

/// Decodes a complete chunked body; `None` while more bytes are needed.
fn dechunk(raw: &[u8]) -> anyhow::Result<Option<(Vec<u8>, usize)>> {
    let mut body = Vec::new();
    let mut at = 0;
    loop {
        let Some(eol) = find(&raw[at..], b"\r\n") else {
            return Ok(None);
        };
        let size_text = std::str::from_utf8(&raw[at..at + eol])?;
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .with_context(|| format!("bad chunk size {size_text:?}"))?;
        at += eol + 2;
        if size == 0 {
            // No trailers from our server: the final CRLF ends the body.
            return Ok((raw.len() >= at + 2).then(|| (body, at + 2)));
        }
        if raw.len() < at + size + 2 {
            return Ok(None);
        }
        body.extend_from_slice(&raw[at..at + size]);
        at += size + 2;
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// One kept-alive connection.
pub struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
    closed: bool,
}

impl Connection {
    /// Connects (within 10 s).
    pub async fn open(target: &Target) -> anyhow::Result<Connection> {
        let stream = timeout(Duration::from_secs(10), TcpStream::connect(target.addr))
            .await
            .context("connecting timed out")??;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream,
            buffer: Vec::new(),
            closed: false,
        })
    }

    /// Whether the server said it closes the connection after the last answer.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Sends a request and reads its answer (within 30 s).
    pub async fn request(
        &mut self,
        target: &Target,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        json_body: Option<&str>,
    ) -> anyhow::Result<Response> {
        let headers: Vec<(&str, &str)> = cookie.map(|c| ("Cookie", c)).into_iter().collect();
        self.request_with(target, method, path, &headers, json_body)
            .await
    }

    /// [`Connection::request`] with any headers (a session's cookie and CSRF token).
    pub async fn request_with(
        &mut self,
        target: &Target,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        json_body: Option<&str>,
    ) -> anyhow::Result<Response> {
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\n",
            target.authority
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        let body = json_body.unwrap_or_default();
        if json_body.is_some() {
            head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        head.push_str(body);
        timeout(REQUEST_TIMEOUT, self.exchange(head.as_bytes()))
            .await
            .context("no answer within 30 s")?
    }

    async fn exchange(&mut self, request: &[u8]) -> anyhow::Result<Response> {
        self.stream.write_all(request).await?;
        self.buffer.clear();
        let head_end = loop {
            if let Some(i) = find(&self.buffer, b"\r\n\r\n") {
                break i;
            }
            self.fill().await?;
        };
        let head = parse_head(&self.buffer[..head_end])?;
        let start = head_end + 4;
        let body = if head.chunked {
            loop {
                if let Some((body, _)) = dechunk(&self.buffer[start..])? {
                    break body;
                }
                self.fill().await?;
            }
        } else if let Some(length) = head.length {
            if length > MAX_BODY {
                bail!("answer of {length} bytes is too large");
            }
            while self.buffer.len() < start + length {
                self.fill().await?;
            }
            self.buffer[start..start + length].to_vec()
        } else {
            // Neither length nor chunks: the body runs to the end of the connection.
            self.closed = true;
            while self.read_more().await? > 0 {}
            self.buffer[start..].to_vec()
        };
        self.closed |= head.close;
        Ok(Response {
            status: head.status,
            headers: head.headers,
            body,
        })
    }

    async fn read_more(&mut self) -> anyhow::Result<usize> {
        if self.buffer.len() > MAX_BODY {
            bail!("answer too large");
        }
        let mut chunk = [0u8; 8192];
        let n = self.stream.read(&mut chunk).await?;
        self.buffer.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    async fn fill(&mut self) -> anyhow::Result<()> {
        if self.read_more().await? == 0 {
            self.closed = true;
            bail!("the server closed the connection");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_loopback_only() {
        let t = Target::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(t.ws_url(), "ws://127.0.0.1:8080/api/v1/ws");
        assert_eq!(t.origin(), "http://127.0.0.1:8080");
        assert!(Target::parse("http://10.1.2.3:80").is_err());
        assert!(Target::parse("https://127.0.0.1:80").is_err());
        assert!(Target::parse("http://127.0.0.1:80/api").is_err());
    }

    #[test]
    fn heads_cookies_and_chunks() {
        let head = parse_head(
            b"HTTP/1.1 200 OK\r\ncontent-length: 15\r\nSet-Cookie: dw_pending=; Max-Age=0\r\n\
              set-cookie: dw_session=abc; Path=/; HttpOnly\r\nRetry-After: 2",
        )
        .unwrap();
        assert_eq!(
            (head.status, head.length, head.chunked, head.close),
            (200, Some(15), false, false)
        );
        let response = Response {
            status: head.status,
            headers: head.headers,
            body: Vec::new(),
        };
        assert_eq!(response.cookie("dw_session").as_deref(), Some("abc"));
        assert_eq!(response.cookie("dw_pending"), None);
        assert_eq!(response.header("retry-after"), Some("2"));
        assert!(parse_head(b"HTTP/1.1 2xx\r\n").is_err());
        assert_eq!(
            dechunk(b"4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n").unwrap(),
            Some((b"Wikipedia".to_vec(), 24))
        );
        assert_eq!(dechunk(b"4\r\nWiki\r\n5\r\nped").unwrap(), None);
    }
}
