//! Large bodies both ways, streamed: never held in the server's memory.

use crate::{app, publish, sqlite};
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;
use testkit::upstream::{pattern_chunk, Upstream};

const MB: u64 = 1024 * 1024;

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The head of a response read from `reader`: status and lower-cased headers.
fn read_head(reader: &mut impl BufRead) -> (u16, Vec<(String, String)>) {
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status = status_line
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    (status, headers)
}

/// Reads a body (by `Content-Length`, or chunked) into `sink` piece by piece.
fn read_body(
    reader: &mut impl BufRead,
    headers: &[(String, String)],
    sink: &mut impl FnMut(&[u8]),
) {
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<u64>().ok());
    let mut buf = vec![0u8; 256 * 1024];
    if let Some(mut left) = length {
        while left > 0 {
            let want = usize::try_from(left.min(buf.len() as u64)).unwrap();
            let n = reader.read(&mut buf[..want]).unwrap();
            assert!(n > 0, "the body ended {left} bytes early");
            sink(&buf[..n]);
            left -= n as u64;
        }
        return;
    }
    loop {
        let mut size = String::new();
        reader.read_line(&mut size).unwrap();
        let size = usize::from_str_radix(size.trim().split(';').next().unwrap(), 16).unwrap();
        if size == 0 {
            break;
        }
        let mut left = size;
        while left > 0 {
            let want = left.min(buf.len());
            let n = reader.read(&mut buf[..want]).unwrap();
            assert!(n > 0, "a chunk ended early");
            sink(&buf[..n]);
            left -= n;
        }
        let mut crlf = [0u8; 2];
        reader.read_exact(&mut crlf).unwrap();
    }
}

#[test]
fn a_200_mb_upload_and_a_50_mb_download_stream_through() {
    let upstream = Upstream::start();
    let g = sqlite(("", ""));
    let mut admin = g.signed_in("a.admin");
    publish(
        &g,
        &mut admin,
        app("dateien", &upstream.url(), |a| {
            a["timeout_secs"] = serde_json::json!(600)
        }),
    );
    let cookies: Vec<String> = admin
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let cookie = cookies.join("; ");
    let before = g.peak_memory_kib();

    // Up: 200 MB with its Content-Length, written from a generator as it goes.
    let total = 200 * MB;
    let mut stream = TcpStream::connect(&g.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(300)))
        .unwrap();
    // As a browser's form would post it to the application: no Durchwahl CSRF token.
    write!(
        stream,
        "POST /apps/dateien/upload HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
         Cookie: {cookie}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {total}\r\n\r\n",
        g.address
    )
    .unwrap();
    let mut hash = Sha256::new();
    let mut sent = 0u64;
    while sent < total {
        let len = usize::try_from((total - sent).min(MB)).unwrap();
        let chunk = pattern_chunk(sent, len);
        hash.update(&chunk);
        stream.write_all(&chunk).unwrap();
        sent += len as u64;
    }
    let expected = hex(&hash.finalize());
    let mut reader = BufReader::new(stream);
    let (status, headers) = read_head(&mut reader);
    let mut body = Vec::new();
    read_body(&mut reader, &headers, &mut |b| body.extend_from_slice(b));
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let answer: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(answer["bytes"], total, "{answer}");
    assert_eq!(answer["sha256"], expected.as_str(), "{answer}");
    let after_upload = g.peak_memory_kib();

    // Down: 50 MB, compared with the pattern as it arrives.
    let total = 50 * MB;
    let mut stream = TcpStream::connect(&g.address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(300)))
        .unwrap();
    write!(
        stream,
        "GET /apps/dateien/bytes/{total} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\
         Cookie: {cookie}\r\n\r\n",
        g.address
    )
    .unwrap();
    let mut reader = BufReader::new(stream);
    let (status, headers) = read_head(&mut reader);
    assert_eq!(status, 200, "{headers:?}");
    let mut received = 0u64;
    let mut first_difference = None;
    read_body(&mut reader, &headers, &mut |b| {
        if first_difference.is_none() && b != pattern_chunk(received, b.len()).as_slice() {
            first_difference = Some(received);
        }
        received += b.len() as u64;
    });
    assert_eq!(received, total);
    assert_eq!(
        first_difference, None,
        "the bytes as the upstream sent them"
    );
    let after_download = g.peak_memory_kib();

    // Neither body was held: the server's peak memory grew by far less than them.
    let grew = |from: u64, to: u64| (to.saturating_sub(from)) / 1024;
    assert!(
        grew(before, after_upload) < 64,
        "the upload raised the peak memory by {} MB",
        grew(before, after_upload)
    );
    assert!(
        grew(after_upload, after_download) < 32,
        "the download raised the peak memory by {} MB",
        grew(after_upload, after_download)
    );
}
