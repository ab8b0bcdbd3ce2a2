//! `name-addr` / `addr-spec` values of From, To, Contact, Route and Record-Route
//! (RFC 3261 §20.10, §25.1): an optional display name, a URI and header parameters.

use crate::params::{find_param, is_token_char, split_params, trim, unquote, Param};
use bytes::Bytes;

/// A display name, URI and parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAddr {
    /// The display name (quotes removed, escapes resolved).
    pub display: Option<Vec<u8>>,
    /// The URI, raw (parse with [`crate::uri::Uri::parse`]).
    pub uri: Bytes,
    /// Header parameters (`tag`, `expires`, `+sip.instance`, …).
    pub params: Vec<Param>,
    /// Whether the URI was in `<…>`.
    pub angle: bool,
}

/// Why a name-addr was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameAddrError {
    /// `<` without `>`, or text after `>` that is not parameters.
    #[error("unbalanced or misplaced angle brackets")]
    Angle,
    /// A quoted display name without the closing quote.
    #[error("a quoted display name is not closed")]
    Quote,
    /// No URI.
    #[error("no URI")]
    Empty,
    /// Bad parameters.
    #[error("{0}")]
    Params(&'static str),
    /// An unquoted display name with characters other than tokens and white space
    /// (RFC 4475 3.1.2.15: `Bell, Alexander <sip:…>`), or text beside a quoted one.
    #[error("the display name is neither quoted nor made of tokens")]
    DisplayName,
    /// White space between the angle brackets and the URI (RFC 4475 3.1.2.14).
    #[error("white space inside the angle brackets")]
    Space,
    /// A URI holding `,` or `?`, or one after a display name, not enclosed in `<>`
    /// (RFC 3261 §20.10; RFC 4475 3.1.2.13).
    #[error("the URI must be enclosed in angle brackets")]
    Unbracketed,
}

impl NameAddrError {
    /// What is wrong, in words for a reason phrase.
    pub fn why(&self) -> &'static str {
        match self {
            NameAddrError::Angle => "unbalanced or misplaced angle brackets",
            NameAddrError::Quote => "a quoted display name is not closed",
            NameAddrError::Empty => "no URI",
            NameAddrError::Params(why) => why,
            NameAddrError::DisplayName => "the display name is neither quoted nor made of tokens",
            NameAddrError::Space => "white space inside the angle brackets",
            NameAddrError::Unbracketed => "the URI must be enclosed in angle brackets",
        }
    }
}

/// `display-name = *(token LWS) / quoted-string` (RFC 3261 §25.1). Bytes above 0x7F are
/// let through unquoted: phones do send `Jürgen <sip:…>`, and they cannot be mistaken
/// for a delimiter.
fn valid_display(display: &[u8]) -> bool {
    if display.first() != Some(&b'"') {
        return display
            .iter()
            .all(|c| is_token_char(*c) || matches!(c, b' ' | b'\t') || *c >= 0x80);
    }
    let mut escaped = false;
    for (i, &c) in display.iter().enumerate().skip(1) {
        match c {
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            b'"' => return i == display.len() - 1,
            _ => {}
        }
    }
    false
}

impl NameAddr {
    /// Parses one element (already split from a list).
    pub fn parse(value: &Bytes) -> Result<NameAddr, NameAddrError> {
        let value = trim(value);
        let mut quoted = false;
        let mut escaped = false;
        let mut open = None;
        for (i, &c) in value.iter().enumerate() {
            if quoted {
                match c {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => quoted = false,
                    _ => {}
                }
            } else if c == b'"' {
                quoted = true;
            } else if c == b'<' {
                open = Some(i);
                break;
            }
        }
        if quoted {
            return Err(NameAddrError::Quote);
        }
        match open {
            Some(lt) => {
                let close = value[lt..]
                    .iter()
                    .position(|c| *c == b'>')
                    .ok_or(NameAddrError::Angle)?
                    + lt;
                let display = trim(&value.slice(..lt));
                if !valid_display(&display) {
                    return Err(NameAddrError::DisplayName);
                }
                let uri = value.slice(lt + 1..close);
                if uri.is_empty() {
                    return Err(NameAddrError::Empty);
                }
                if trim(&uri).len() != uri.len() {
                    return Err(NameAddrError::Space);
                }
                let rest = trim(&value.slice(close + 1..));
                if !rest.is_empty() && rest[0] != b';' {
                    return Err(NameAddrError::Angle);
                }
                let (_, params) = split_params(&rest).map_err(NameAddrError::Params)?;
                Ok(NameAddr {
                    display: (!display.is_empty()).then(|| unquote(&display)),
                    uri,
                    params,
                    angle: true,
                })
            }
            None => {
                if value.contains(&b'>') {
                    return Err(NameAddrError::Angle);
                }
                // addr-spec: parameters after the URI belong to the header (§20.10).
                let (uri, params) = split_params(&value).map_err(NameAddrError::Params)?;
                if uri.is_empty() {
                    return Err(NameAddrError::Empty);
                }
                if uri
                    .iter()
                    .any(|c| matches!(c, b',' | b'?' | b' ' | b'\t' | b'"'))
                {
                    return Err(NameAddrError::Unbracketed);
                }
                Ok(NameAddr {
                    display: None,
                    uri,
                    params,
                    angle: false,
                })
            }
        }
    }

    /// A header parameter's value.
    pub fn param(&self, name: &str) -> Option<Option<&Bytes>> {
        find_param(&self.params, name)
    }

    /// The `tag` parameter.
    pub fn tag(&self) -> Option<&Bytes> {
        self.param("tag").flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &'static str) -> Result<NameAddr, NameAddrError> {
        NameAddr::parse(&Bytes::from_static(s.as_bytes()))
    }

    #[test]
    fn forms() {
        let a =
            parse(r#""Böhm, \"Bärbel\"" <sip:2401@x;transport=tcp>;tag=abc;expires=60"#).unwrap();
        assert_eq!(a.display.as_deref(), Some(r#"Böhm, "Bärbel""#.as_bytes()));
        assert_eq!(&a.uri[..], b"sip:2401@x;transport=tcp");
        assert_eq!(a.tag().map(|t| &t[..]), Some(&b"abc"[..]));
        let b = parse("sip:2401@x;tag=1").unwrap();
        assert_eq!(
            (&b.uri[..], b.tag().map(|t| &t[..])),
            (&b"sip:2401@x"[..], Some(&b"1"[..]))
        );
        let c = parse("Anna <sip:a@x>").unwrap();
        assert_eq!(c.display.as_deref(), Some(&b"Anna"[..]));
        let d = parse("caller<sip:caller@example.com>;tag=323").unwrap();
        assert_eq!(d.display.as_deref(), Some(&b"caller"[..]));
        assert_eq!(
            parse("Jürgen Böhm <sip:a@x>").unwrap().display.as_deref(),
            Some("Jürgen Böhm".as_bytes())
        );
        // RFC 4475 3.1.2.14 (badaspec): no white space inside the angle brackets.
        assert_eq!(
            parse(r#""Watson, Thomas" < sip:t.watson@example.org >"#),
            Err(NameAddrError::Space)
        );
        // RFC 4475 3.1.2.15 (baddn): an unquoted display name is tokens only.
        assert_eq!(
            parse("Bell, Alexander <sip:a.g.bell@example.com>;tag=43"),
            Err(NameAddrError::DisplayName)
        );
        assert_eq!(
            parse(r#""Joe" Doe <sip:a@x>"#),
            Err(NameAddrError::DisplayName)
        );
        // RFC 4475 3.1.2.13 (regbadct): `?` needs the angle brackets.
        assert_eq!(
            parse("sip:user@example.com?Route=%3Csip:sip.example.com%3E"),
            Err(NameAddrError::Unbracketed)
        );
        assert_eq!(parse("Joe sip:joe@x"), Err(NameAddrError::Unbracketed));
        assert_eq!(parse(r#""open <sip:a@x>"#), Err(NameAddrError::Quote));
        assert_eq!(parse("<sip:a@x"), Err(NameAddrError::Angle));
        assert_eq!(parse("<sip:a@x> junk"), Err(NameAddrError::Angle));
        assert_eq!(parse("<>"), Err(NameAddrError::Empty));
    }
}
