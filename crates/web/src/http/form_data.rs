//! `multipart/form-data` (RFC 7578) as browsers send a form with a file: the body, read
//! whole within a limit by the caller, split at the boundary into named parts. Pure:
//! bytes in, the parts or why not out. Only what a form needs: each part's name, its
//! file name and type if it is a file, and its bytes (no nested multiparts, no
//! `Content-Transfer-Encoding`, which RFC 7578 §4.7 retires).

/// One field of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    /// The field's name.
    pub name: String,
    /// The file's name as the browser sent it, for a file field.
    pub file_name: Option<String>,
    /// The part's `Content-Type`, if given.
    pub content_type: Option<String>,
    /// Its bytes.
    pub body: &'a [u8],
}

/// Why a body is not a form we read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormDataError {
    /// The request is not `multipart/form-data` with a boundary.
    #[error("not multipart/form-data with a boundary")]
    NotFormData,
    /// The body does not follow the boundary's structure (cut off, no closing line).
    #[error("the form's body is malformed: {0}")]
    Malformed(&'static str),
    /// More parts than any of our forms has.
    #[error("more than {0} fields")]
    TooManyParts(usize),
}

/// The most fields a form may have.
const MAX_PARTS: usize = 16;
/// The most bytes of one part's headers.
const MAX_HEADERS: usize = 8 * 1024;

/// The boundary of a `Content-Type: multipart/form-data; boundary=…` header.
pub fn boundary(content_type: &str) -> Result<String, FormDataError> {
    let mut params = content_type.split(';');
    let kind = params.next().unwrap_or_default().trim();
    if !kind.eq_ignore_ascii_case("multipart/form-data") {
        return Err(FormDataError::NotFormData);
    }
    params
        .filter_map(|p| p.split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        // RFC 2046 §5.1.1: 1 to 70 characters.
        .filter(|b| (1..=70).contains(&b.len()))
        .ok_or(FormDataError::NotFormData)
}

/// The parts of `body`, in order.
pub fn parse<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, FormDataError> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    // The first boundary line, after an optional preamble (RFC 2046 §5.1.1).
    let mut at = if body.starts_with(delimiter) {
        0
    } else {
        find(body, &[b"\r\n", delimiter].concat(), 0)
            .ok_or(FormDataError::Malformed("no boundary"))?
            + 2
    };
    let next_delimiter = [b"\r\n", delimiter].concat();
    let mut parts = Vec::new();
    loop {
        at += delimiter.len();
        let rest = &body[at..];
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        // Transport padding, then the line's end.
        let line_end = find(body, b"\r\n", at)
            .ok_or(FormDataError::Malformed("a boundary line is cut off"))?;
        if !body[at..line_end].iter().all(|b| matches!(b, b' ' | b'\t')) {
            return Err(FormDataError::Malformed("text after a boundary"));
        }
        let start = line_end + 2;
        let end = find(body, &next_delimiter, start)
            .ok_or(FormDataError::Malformed("the closing boundary is missing"))?;
        if parts.len() == MAX_PARTS {
            return Err(FormDataError::TooManyParts(MAX_PARTS));
        }
        parts.push(part(&body[start..end])?);
        at = end + 2;
    }
}

/// One part: its headers, an empty line, its bytes.
fn part(raw: &[u8]) -> Result<Part<'_>, FormDataError> {
    let (head, body) = if raw.starts_with(b"\r\n") {
        (&raw[..0], &raw[2..])
    } else {
        let split = find(raw, b"\r\n\r\n", 0)
            .ok_or(FormDataError::Malformed("a field's headers do not end"))?;
        (&raw[..split], &raw[split + 4..])
    };
    if head.len() > MAX_HEADERS {
        return Err(FormDataError::Malformed("a field's headers are too long"));
    }
    let head = std::str::from_utf8(head).map_err(|_| FormDataError::Malformed("headers"))?;
    let mut disposition = None;
    let mut content_type = None;
    for line in head.split("\r\n") {
        let Some((key, value)) = line.split_once(':') else {
            return Err(FormDataError::Malformed("a header without a colon"));
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "content-disposition" => disposition = Some(value.trim()),
            "content-type" => content_type = Some(value.trim().to_string()),
            _ => {}
        }
    }
    let disposition = disposition.ok_or(FormDataError::Malformed(
        "a field without Content-Disposition",
    ))?;
    let (kind, params) = disposition.split_once(';').unwrap_or((disposition, ""));
    if !kind.trim().eq_ignore_ascii_case("form-data") {
        return Err(FormDataError::Malformed("a field that is not form-data"));
    }
    let params = parameters(params)?;
    let value = |wanted: &str| {
        params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(wanted))
            .map(|(_, v)| v.clone())
    };
    Ok(Part {
        name: value("name").ok_or(FormDataError::Malformed("a field without a name"))?,
        file_name: value("filename"),
        content_type,
        body,
    })
}

/// `; name="box"; filename="a;b.pdf"` as pairs; quoted values may hold `;` and `\"`.
fn parameters(text: &str) -> Result<Vec<(String, String)>, FormDataError> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ';' || c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(out);
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('\\') => value.extend(chars.next()),
                    Some('"') => break,
                    Some(c) => value.push(c),
                    None => return Err(FormDataError::Malformed("an unclosed quote")),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| *c != ';') {
                value.push(c);
            }
            value = value.trim().to_string();
        }
        out.push((key.trim().to_string(), value));
    }
}

/// Where `needle` first occurs in `hay` at or after `from`.
fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let mut at = from;
    while at + needle.len() <= hay.len() {
        let offset = hay[at..=hay.len() - needle.len()]
            .iter()
            .position(|b| *b == first)?;
        at += offset;
        if &hay[at..at + needle.len()] == needle {
            return Some(at);
        }
        at += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A form as Chromium sends it: a text field and a file.
    const FORM: &[u8] = b"------WebKitFormBoundaryQ1w2\r\n\
Content-Disposition: form-data; name=\"box\"\r\n\r\n\
7\r\n\
------WebKitFormBoundaryQ1w2\r\n\
Content-Disposition: form-data; name=\"file\"; filename=\"Antrag; Seite \\\"1\\\".pdf\"\r\n\
Content-Type: application/pdf\r\n\r\n\
%PDF-1.4\r\n\r\n--not the boundary\r\n\
------WebKitFormBoundaryQ1w2--\r\n";

    #[test]
    fn reads_the_fields_and_the_file_of_a_browsers_form() {
        let b = boundary("multipart/form-data; boundary=----WebKitFormBoundaryQ1w2").unwrap();
        let parts = parse(FORM, &b).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "box");
        assert_eq!(parts[0].body, b"7");
        assert_eq!(parts[0].file_name, None);
        assert_eq!(parts[1].name, "file");
        assert_eq!(
            parts[1].file_name.as_deref(),
            Some("Antrag; Seite \"1\".pdf")
        );
        assert_eq!(parts[1].content_type.as_deref(), Some("application/pdf"));
        assert_eq!(parts[1].body, b"%PDF-1.4\r\n\r\n--not the boundary");
    }

    #[test]
    fn a_quoted_boundary_a_preamble_and_an_empty_field() {
        let b = boundary("Multipart/Form-Data; charset=utf-8; boundary=\"xy\"").unwrap();
        assert_eq!(b, "xy");
        let body = b"ignored preamble\r\n--xy\r\nContent-Disposition: form-data; name=number\r\n\r\n\r\n--xy--";
        let parts = parse(body, &b).unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(
            (parts[0].name.as_str(), parts[0].body),
            ("number", &b""[..])
        );
        assert_eq!(parse(b"--xy--\r\n", "xy").unwrap(), Vec::new());
    }

    #[test]
    fn refuses_what_is_not_a_whole_form() {
        for bad in [
            "application/json",
            "multipart/form-data",
            "multipart/form-data; boundary=",
        ] {
            assert_eq!(boundary(bad), Err(FormDataError::NotFormData), "{bad}");
        }
        let cases: [&[u8]; 6] = [
            b"",
            b"--xy\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",
            b"--xy\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--xy",
            b"--xy\r\nContent-Type: text/plain\r\n\r\nx\r\n--xy--",
            b"--xy\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--xy--",
            b"--xy\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--xy--",
        ];
        for body in cases {
            assert!(
                matches!(parse(body, "xy"), Err(FormDataError::Malformed(_))),
                "{:?}",
                String::from_utf8_lossy(body)
            );
        }
        let many: Vec<u8> = (0..17)
            .flat_map(|i| {
                format!("--xy\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nv\r\n")
                    .into_bytes()
            })
            .chain(b"--xy--".iter().copied())
            .collect();
        assert_eq!(parse(&many, "xy"), Err(FormDataError::TooManyParts(16)));
    }

    #[test]
    fn finds_needles_anywhere_and_nowhere() {
        assert_eq!(find(b"abcabd", b"abd", 0), Some(3));
        assert_eq!(find(b"abcabd", b"abd", 4), None);
        assert_eq!(find(b"ab", b"abc", 0), None);
        assert_eq!(find(b"aaa", b"aa", 1), Some(1));
    }
}
