//! A message as the receiver stored it (RFC 5322 with MIME, RFC 2045–2047), read
//! independently of the sender's library: headers unfolded, encoded words (RFC 2047)
//! decoded, parts of a multipart body split at their boundary, base64 and
//! quoted-printable bodies decoded. Enough for what Durchwahl sends, no more.

use base64::Engine as _;

/// A delivered message.
#[derive(Debug, Clone)]
pub struct Received {
    /// The message as stored, with `\n` line ends (aiosmtpd adds `X-MailFrom`,
    /// `X-RcptTo` and `X-Peer` headers: the envelope).
    pub raw: String,
}

/// A file attached to a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedFile {
    /// `filename` of its Content-Disposition.
    pub name: String,
    /// Its Content-Type without parameters.
    pub content_type: String,
    /// Its content, decoded.
    pub bytes: Vec<u8>,
}

/// Headers and body of a message or a part.
struct Entity<'a> {
    headers: Vec<(String, String)>,
    body: &'a str,
}

fn entity(text: &str) -> Entity<'_> {
    let (head, body) = match text.find("\n\n") {
        Some(at) => (&text[..at], &text[at + 2..]),
        None => (text, ""),
    };
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    Entity { headers, body }
}

impl Entity<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The content type without parameters, lower case (`text/plain` by default).
    fn content_type(&self) -> String {
        self.header("content-type")
            .and_then(|v| v.split(';').next())
            .map_or_else(|| "text/plain".into(), |t| t.trim().to_ascii_lowercase())
    }

    fn decoded_body(&self) -> Vec<u8> {
        let encoding = self
            .header("content-transfer-encoding")
            .unwrap_or("7bit")
            .to_ascii_lowercase();
        match encoding.as_str() {
            "base64" => {
                let clean: String = self.body.split_whitespace().collect();
                base64::engine::general_purpose::STANDARD
                    .decode(clean)
                    .expect("valid base64")
            }
            "quoted-printable" => quoted_printable(self.body),
            _ => self.body.as_bytes().to_vec(),
        }
    }

    /// The parts of a multipart body, or none.
    fn parts(&self) -> Vec<Entity<'_>> {
        let Some(boundary) = self
            .header("content-type")
            .and_then(|v| parameter(v, "boundary"))
        else {
            return Vec::new();
        };
        let delimiter = format!("--{boundary}");
        let mut parts = Vec::new();
        for chunk in self.body.split(delimiter.as_str()).skip(1) {
            if chunk.starts_with("--") {
                break;
            }
            let chunk = chunk.strip_prefix('\n').unwrap_or(chunk);
            let chunk = chunk.strip_suffix('\n').unwrap_or(chunk);
            parts.push(entity(chunk));
        }
        parts
    }
}

/// A parameter of a header value: `boundary="x"`, `filename=x`, and RFC 2231's forms for
/// long or non-ASCII values: `filename*=utf-8''%C3%BC.ogg`, `filename*0="a"; filename*1="b"`.
fn parameter(value: &str, name: &str) -> Option<String> {
    let mut pieces: Vec<(u32, String)> = Vec::new();
    for p in value.split(';').skip(1) {
        let Some((key, v)) = p.split_once('=') else {
            continue;
        };
        let key = key.trim().to_ascii_lowercase();
        let v = v.trim().trim_matches('"');
        let Some(rest) = key.strip_prefix(&name.to_ascii_lowercase()) else {
            continue;
        };
        let (index, encoded) = match rest {
            "" => (0, false),
            "*" => (0, true),
            _ => {
                let rest = rest.strip_prefix('*')?;
                let (number, encoded) = match rest.strip_suffix('*') {
                    Some(number) => (number, true),
                    None => (rest, false),
                };
                let Ok(index) = number.parse() else {
                    continue;
                };
                (index, encoded)
            }
        };
        let text = if encoded {
            // The first encoded piece starts with charset'language'.
            let v = match (index, v.splitn(3, '\'').collect::<Vec<_>>().as_slice()) {
                (0, [_, _, text]) => text.to_string(),
                _ => v.to_string(),
            };
            let bytes = quoted_printable(&v.replace('%', "="));
            String::from_utf8(bytes).ok()?
        } else {
            v.to_string()
        };
        pieces.push((index, text));
    }
    pieces.sort_by_key(|(i, _)| *i);
    (!pieces.is_empty()).then(|| pieces.into_iter().map(|(_, t)| t).collect())
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// RFC 2045 §6.7: `=XX` is a byte, `=` at a line's end joins it with the next.
fn quoted_printable(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' if bytes.get(i + 1) == Some(&b'\n') => i += 2,
            b'=' => match (
                bytes.get(i + 1).and_then(|&b| hex(b)),
                bytes.get(i + 2).and_then(|&b| hex(b)),
            ) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 3;
                }
                _ => {
                    out.push(b'=');
                    i += 1;
                }
            },
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// RFC 2047: `=?utf-8?b?…?=` and `=?utf-8?q?…?=` words decoded (UTF-8 assumed), the
/// space between two encoded words dropped.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut after_word = false;
    while let Some(start) = rest.find("=?") {
        let Some(word) = encoded_word(&rest[start..]) else {
            out.push_str(&rest[..start + 2]);
            rest = &rest[start + 2..];
            after_word = false;
            continue;
        };
        let between = &rest[..start];
        if !(after_word && between.trim().is_empty()) {
            out.push_str(between);
        }
        out.push_str(&word.0);
        rest = &rest[start + word.1..];
        after_word = true;
    }
    out.push_str(rest);
    out
}

/// One encoded word at the start of `text`: its text and its length.
fn encoded_word(text: &str) -> Option<(String, usize)> {
    let mut fields = text[2..].splitn(3, '?');
    let _charset = fields.next()?;
    let encoding = fields.next()?;
    let tail = fields.next()?;
    let end = tail.find("?=")?;
    let payload = &tail[..end];
    let length = text.len() - tail.len() + end + 2;
    let bytes = match encoding {
        "b" | "B" => base64::engine::general_purpose::STANDARD
            .decode(payload)
            .ok()?,
        "q" | "Q" => quoted_printable(&payload.replace('_', " ")),
        _ => return None,
    };
    Some((String::from_utf8(bytes).ok()?, length))
}

impl Received {
    /// Reads a stored message.
    pub fn parse(bytes: &[u8]) -> Received {
        Received {
            raw: String::from_utf8_lossy(bytes).replace("\r\n", "\n"),
        }
    }

    /// A header of the message, unfolded and decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        entity(&self.raw).header(name).map(decode_words)
    }

    /// The subject.
    pub fn subject(&self) -> String {
        self.header("subject").unwrap_or_default()
    }

    /// Who it was delivered to (the envelope's RCPT TO, as aiosmtpd noted it).
    pub fn envelope_to(&self) -> String {
        self.header("x-rcptto").unwrap_or_default()
    }

    /// The first text/plain part (or the body of a plain message), decoded.
    pub fn text(&self) -> String {
        let message = entity(&self.raw);
        let parts = message.parts();
        let part = parts
            .iter()
            .find(|p| p.content_type() == "text/plain" && p.header("content-disposition").is_none())
            .unwrap_or(&message);
        String::from_utf8(part.decoded_body()).expect("UTF-8 text")
    }

    /// The attached files, decoded.
    pub fn attachments(&self) -> Vec<ReceivedFile> {
        entity(&self.raw)
            .parts()
            .iter()
            .filter_map(|part| {
                let disposition = part.header("content-disposition")?;
                Some(ReceivedFile {
                    name: parameter(disposition, "filename").unwrap_or_default(),
                    content_type: part.content_type(),
                    bytes: part.decoded_body(),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multipart_message_is_taken_apart() {
        let raw = "X-RcptTo: dora@lra.example\r\nSubject: Neue =?utf-8?b?U3ByYWNobmFjaHJpY2h0?=\r\n \
                   =?utf-8?q?_f=C3=BCr_Dora?=\r\nContent-Type: multipart/mixed;\r\n \
                   boundary=\"XyZ\"\r\n\r\n--XyZ\r\nContent-Type: text/plain; charset=utf-8\r\n\
                   Content-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe, =\r\nDora\r\n\
                   --XyZ\r\nContent-Disposition: attachment; filename=\"a.ogg\"\r\n\
                   Content-Type: audio/ogg\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n/w==\r\n--XyZ--\r\n";
        let m = Received::parse(raw.as_bytes());
        assert_eq!(m.subject(), "Neue Sprachnachricht für Dora");
        assert_eq!(m.envelope_to(), "dora@lra.example");
        assert_eq!(m.text(), "Grüße, Dora");
        assert_eq!(
            m.attachments(),
            [ReceivedFile {
                name: "a.ogg".into(),
                content_type: "audio/ogg".into(),
                bytes: vec![0, 1, 2, 255],
            }]
        );
        assert_eq!(
            parameter(
                "attachment; filename*0*=utf-8''Sprachnachricht%20f%C3%BCr%20; filename*1=\"Dora.ogg\"",
                "filename"
            )
            .as_deref(),
            Some("Sprachnachricht für Dora.ogg"),
            "RFC 2231"
        );
        let plain = Received::parse(b"Subject: Hallo\n\nText\n");
        assert_eq!(
            (plain.subject().as_str(), plain.text().as_str()),
            ("Hallo", "Text\n")
        );
        assert!(plain.attachments().is_empty());
    }
}
