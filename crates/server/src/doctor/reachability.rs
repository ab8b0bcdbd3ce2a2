//! Reachability of the servers Durchwahl talks to: the mail server (`[smtp]`, greeted and
//! asked EHLO with TLS as configured, through the mailer's own transport) and each TURN
//! server browsers are told of (`[media] turn_urls`, asked a STUN Binding over UDP or TCP;
//! coturn answers one without credentials).

use super::finding::Finding;
use crate::mailer::config::{SmtpConfig, SmtpSecurity};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

/// How long a server has to answer.
const WAIT: Duration = Duration::from_secs(3);

/// The mail server.
pub async fn smtp(config: &SmtpConfig) -> Finding {
    let Some(host) = &config.host else {
        return Finding::amber(
            "mail server",
            "not configured: no voicemail, invitation or reminder mails are sent",
            "set [smtp] host (and port, security, username, password, from)",
        );
    };
    let check = format!("mail server {host}:{}", config.port());
    let security = match config.security {
        SmtpSecurity::Starttls => "STARTTLS",
        SmtpSecurity::Tls => "TLS",
        SmtpSecurity::None => "no encryption",
    };
    let transport = match crate::mailer::sender::transport(config) {
        Ok(t) => t,
        Err(e) => return Finding::red(check, format!("{e:#}"), "fix the [smtp] settings it names"),
    };
    match tokio::time::timeout(WAIT * 3, transport.test_connection()).await {
        Ok(Ok(true)) => Finding::green(check, format!("answers ({security})")),
        Ok(Ok(false)) => Finding::red(
            check,
            "connected, but the server did not accept the greeting",
            "check [smtp] port and security against the mail server's settings",
        ),
        Ok(Err(e)) => Finding::red(
            check,
            format!("cannot talk to it ({security}): {e}"),
            "check [smtp] host, port and security, the firewall, and for TLS the server's \
             certificate ([smtp] ca_file for an internal CA)",
        ),
        Err(_) => Finding::red(
            check,
            "no answer within 9 s",
            "check [smtp] host and port and the firewall between this machine and it",
        ),
    }
}

/// The TURN servers; none configured is green (browsers then need UDP to the media ports).
pub async fn turn(urls: &[String]) -> Vec<Finding> {
    if urls.is_empty() {
        return vec![Finding::green(
            "TURN",
            "none configured: browsers reach the media ports directly",
        )];
    }
    let mut findings = Vec::new();
    for url in urls {
        findings.push(turn_one(url).await);
    }
    findings
}

/// A TURN URL's parts (RFC 7065): `turn:HOST[:PORT][?transport=udp|tcp]`, `turns:…`.
#[derive(Debug, PartialEq, Eq)]
struct TurnUrl {
    host: String,
    port: u16,
    tcp: bool,
    tls: bool,
}

fn parse_turn(url: &str) -> Option<TurnUrl> {
    let (scheme, rest) = url.split_once(':')?;
    let tls = match scheme {
        "turn" | "stun" => false,
        "turns" | "stuns" => true,
        _ => return None,
    };
    let (address, query) = rest.split_once('?').unwrap_or((rest, ""));
    let tcp = tls || query.split('&').any(|p| p == "transport=tcp");
    let default_port = if tls { 5349 } else { 3478 };
    let (host, port) = if let Some(v6) = address.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => default_port,
            None => return None,
        };
        (host.to_string(), port)
    } else {
        match address.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), p.parse().ok()?),
            None => (address.to_string(), default_port),
        }
    };
    (!host.is_empty()).then_some(TurnUrl {
        host,
        port,
        tcp,
        tls,
    })
}

async fn turn_one(url: &str) -> Finding {
    let check = format!("TURN {url}");
    let Some(turn) = parse_turn(url) else {
        return Finding::red(
            check,
            "not a TURN URL",
            "write [media] turn_urls as turn:HOST:PORT or turn:HOST:PORT?transport=tcp",
        );
    };
    let answered = if turn.tls {
        // A TLS handshake with coturn is more than this check should do: reachable is
        // enough to tell a firewall from a typo.
        tokio::time::timeout(WAIT, TcpStream::connect((turn.host.as_str(), turn.port)))
            .await
            .map_err(|_| "no answer".to_string())
            .and_then(|r| r.map(drop).map_err(|e| e.to_string()))
            .map(|()| "accepts connections (TLS not checked)")
    } else if turn.tcp {
        binding_tcp(&turn)
            .await
            .map(|()| "answers a STUN Binding over TCP")
    } else {
        binding_udp(&turn)
            .await
            .map(|()| "answers a STUN Binding over UDP")
    };
    match answered {
        Ok(what) => Finding::green(check, what),
        Err(e) => Finding::red(
            check,
            format!("does not answer: {e}"),
            "check that the TURN server runs and that the firewall lets this port through \
             (browsers must reach it too)",
        ),
    }
}

/// A STUN Binding request (RFC 8489 §5): type 0x0001, no attributes, the magic cookie and
/// a transaction id.
fn binding_request() -> [u8; 20] {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let mut message = [0u8; 20];
    message[0..2].copy_from_slice(&0x0001u16.to_be_bytes());
    message[4..8].copy_from_slice(&0x2112_A442u32.to_be_bytes());
    message[8..20].copy_from_slice(&nanos.to_be_bytes()[4..16]);
    message
}

/// Whether `answer` is a STUN response (success or error) to `request`.
fn answers(request: &[u8; 20], answer: &[u8]) -> bool {
    answer.len() >= 20
        && matches!(u16::from_be_bytes([answer[0], answer[1]]), 0x0101 | 0x0111)
        && answer[4..20] == request[4..20]
}

async fn binding_udp(turn: &TurnUrl) -> Result<(), String> {
    let target = tokio::net::lookup_host((turn.host.as_str(), turn.port))
        .await
        .map_err(|e| e.to_string())?
        .next()
        .ok_or("no address for the name")?;
    let local = if target.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    };
    let socket = UdpSocket::bind(local).await.map_err(|e| e.to_string())?;
    let request = binding_request();
    let mut buf = [0u8; 1500];
    // UDP may lose a datagram: three tries within the wait.
    for _ in 0..3 {
        socket
            .send_to(&request, target)
            .await
            .map_err(|e| e.to_string())?;
        match tokio::time::timeout(WAIT / 3, socket.recv_from(&mut buf)).await {
            Ok(Ok((n, from))) if from == target && answers(&request, &buf[..n]) => return Ok(()),
            Ok(Err(e)) => return Err(e.to_string()),
            _ => {}
        }
    }
    Err(format!("no answer within {} s", WAIT.as_secs()))
}

async fn binding_tcp(turn: &TurnUrl) -> Result<(), String> {
    let exchange = async {
        let mut stream = TcpStream::connect((turn.host.as_str(), turn.port))
            .await
            .map_err(|e| e.to_string())?;
        let request = binding_request();
        stream
            .write_all(&request)
            .await
            .map_err(|e| e.to_string())?;
        let mut header = [0u8; 20];
        stream
            .read_exact(&mut header)
            .await
            .map_err(|e| e.to_string())?;
        if answers(&request, &header) {
            Ok(())
        } else {
            Err("the answer is not STUN".to_string())
        }
    };
    tokio::time::timeout(WAIT, exchange)
        .await
        .map_err(|_| format!("no answer within {} s", WAIT.as_secs()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turn_urls_are_read_with_their_defaults() {
        let url = |host: &str, port, tcp, tls| TurnUrl {
            host: host.into(),
            port,
            tcp,
            tls,
        };
        assert_eq!(
            parse_turn("turn:turn.lra.test"),
            Some(url("turn.lra.test", 3478, false, false))
        );
        assert_eq!(
            parse_turn("turn:10.0.0.5:3479?transport=tcp"),
            Some(url("10.0.0.5", 3479, true, false))
        );
        assert_eq!(
            parse_turn("turns:[2001:db8::1]"),
            Some(url("2001:db8::1", 5349, true, true))
        );
        assert_eq!(
            parse_turn("turn:[2001:db8::1]:80"),
            Some(url("2001:db8::1", 80, false, false))
        );
        assert_eq!(parse_turn("http://x"), None);
        assert_eq!(parse_turn("turn::1"), None);
        assert_eq!(parse_turn("turn:host:port"), None);
    }

    #[test]
    fn only_a_response_to_this_request_counts() {
        let request = binding_request();
        let mut success = request;
        success[0..2].copy_from_slice(&0x0101u16.to_be_bytes());
        assert!(answers(&request, &success));
        let mut other = success;
        other[19] ^= 1;
        assert!(!answers(&request, &other), "another transaction");
        assert!(!answers(&request, &request), "a request is no answer");
        assert!(!answers(&request, &success[..10]));
    }
}
