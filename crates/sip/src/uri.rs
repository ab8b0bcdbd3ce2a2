//! SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966), parsed into slices of the input.

use crate::params::{find_param, split_params, Param};
use bytes::Bytes;

/// The URI scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// `sip:`
    Sip,
    /// `sips:`
    Sips,
    /// `tel:`
    Tel,
}

/// A parsed URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uri {
    /// Scheme.
    pub scheme: Scheme,
    /// The user part (still %-escaped), or the number of a tel URI.
    pub user: Option<Bytes>,
    /// Host name, IPv4 address or `[IPv6]` (empty for tel).
    pub host: Bytes,
    /// Port.
    pub port: Option<u16>,
    /// `;name=value` parameters.
    pub params: Vec<Param>,
    /// What follows `?`, raw.
    pub headers: Option<Bytes>,
}

/// Why a URI was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    /// Not sip:, sips: or tel:.
    #[error("unsupported URI scheme")]
    Scheme,
    /// No host.
    #[error("the URI has no host")]
    NoHost,
    /// Bad host characters.
    #[error("the URI host is invalid")]
    Host,
    /// Not a port number.
    #[error("the URI port is invalid")]
    Port,
    /// A `%` not followed by two hex digits, or a forbidden character.
    #[error("the URI user part is invalid")]
    User,
    /// Bad parameters.
    #[error("the URI parameters are invalid: {0}")]
    Params(&'static str),
    /// White space or a control character, which a URI never holds (RFC 3261 §25.1;
    /// RFC 4475 3.1.2.8 puts a space before a parameter).
    #[error("white space in the URI")]
    Space,
}

impl UriError {
    /// What is wrong, in words for a reason phrase.
    pub fn why(&self) -> &'static str {
        match self {
            UriError::Scheme => "the URI scheme is not sip, sips or tel",
            UriError::NoHost => "the URI has no host",
            UriError::Host => "the URI host is invalid",
            UriError::Port => "the URI port is invalid",
            UriError::User => "the URI user part is invalid",
            UriError::Params(why) => why,
            UriError::Space => "white space in the URI",
        }
    }
}

fn valid_escapes(s: &[u8]) -> bool {
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' {
            if !(s.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && s.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
            {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

fn valid_user(s: &[u8]) -> bool {
    // unreserved / escaped / user-unreserved, plus ':' for the password.
    valid_escapes(s)
        && s.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.!~*'()%&=+$,;?/:".contains(c))
}

/// Whether `b` is an `absoluteURI` of any scheme (RFC 3261 §25.1, RFC 2396 §3): a scheme,
/// a colon and URI characters. Elements accept such URIs in From, To and Contact and in
/// the Request-URI even for schemes they do not know (RFC 4475 3.3.2, 3.3.4); only
/// routing to them fails (416).
pub fn is_absolute_uri(b: &[u8]) -> bool {
    let Some(colon) = b.iter().position(|c| *c == b':') else {
        return false;
    };
    let (scheme, rest) = (&b[..colon], &b[colon + 1..]);
    scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || b"+-.".contains(c))
        && !rest.is_empty()
        && valid_escapes(rest)
        && rest
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || b";/?:@&=+$,-_.!~*'()%[]".contains(c))
}

fn valid_host(h: &[u8]) -> bool {
    if h.first() == Some(&b'[') {
        return h.last() == Some(&b']')
            && h.len() > 2
            && h[1..h.len() - 1]
                .iter()
                .all(|c| c.is_ascii_hexdigit() || b":.".contains(c));
    }
    !h.is_empty()
        && h.iter()
            .all(|c| c.is_ascii_alphanumeric() || b"-.".contains(c))
}

/// Splits at the first `?`: what comes before, and the raw headers after it.
fn split_headers(b: &Bytes) -> (Bytes, Option<Bytes>) {
    match b.iter().position(|c| *c == b'?') {
        Some(q) => (b.slice(..q), Some(b.slice(q + 1..))),
        None => (b.clone(), None),
    }
}

impl Uri {
    /// Parses a URI (without surrounding `<>`).
    pub fn parse(input: &Bytes) -> Result<Uri, UriError> {
        let colon = input
            .iter()
            .position(|c| *c == b':')
            .ok_or(UriError::Scheme)?;
        let scheme = match &input[..colon] {
            s if s.eq_ignore_ascii_case(b"sip") => Scheme::Sip,
            s if s.eq_ignore_ascii_case(b"sips") => Scheme::Sips,
            s if s.eq_ignore_ascii_case(b"tel") => Scheme::Tel,
            _ => return Err(UriError::Scheme),
        };
        let rest = input.slice(colon + 1..);
        if rest.iter().any(|c| *c <= b' ' || *c == 0x7f) {
            return Err(UriError::Space);
        }
        if scheme == Scheme::Tel {
            let (rest, headers) = split_headers(&rest);
            let (number, params) = split_params(&rest).map_err(UriError::Params)?;
            if number.is_empty()
                || !number
                    .iter()
                    .all(|c| c.is_ascii_hexdigit() || b"+-.()*#pw".contains(c))
            {
                return Err(UriError::User);
            }
            return Ok(Uri {
                scheme,
                user: Some(number),
                host: Bytes::new(),
                port: None,
                params,
                headers,
            });
        }
        // The user part may hold `?` and `;` (RFC 4475 3.1.1.2, 3.1.1.9); `@` cannot
        // appear unescaped after it, so the first `@` ends it.
        let (user, hostpart) = match rest.iter().position(|c| *c == b'@') {
            Some(at) => {
                let user = rest.slice(..at);
                if user.is_empty() || !valid_user(&user) {
                    return Err(UriError::User);
                }
                (Some(user), rest.slice(at + 1..))
            }
            None => (None, rest),
        };
        let (hostpart, headers) = split_headers(&hostpart);
        let (hostport, params) = split_params(&hostpart).map_err(UriError::Params)?;
        if hostport.is_empty() {
            return Err(UriError::NoHost);
        }
        let port_at = match hostport.iter().rposition(|c| *c == b':') {
            Some(i) if !hostport.starts_with(b"[") || hostport[..i].ends_with(b"]") => Some(i),
            _ => None,
        };
        let (host, port) = match port_at {
            Some(i) => {
                let digits = &hostport[i + 1..];
                if digits.is_empty() || digits.len() > 5 || !digits.iter().all(u8::is_ascii_digit) {
                    return Err(UriError::Port);
                }
                let port: u32 = std::str::from_utf8(digits)
                    .map_err(|_| UriError::Port)?
                    .parse()
                    .map_err(|_| UriError::Port)?;
                (
                    hostport.slice(..i),
                    Some(u16::try_from(port).map_err(|_| UriError::Port)?),
                )
            }
            None => (hostport, None),
        };
        if !valid_host(&host) {
            return Err(UriError::Host);
        }
        Ok(Uri {
            scheme,
            user,
            host,
            port,
            params,
            headers,
        })
    }

    /// A parameter's value (`Some(None)` for a flag such as `;lr`).
    pub fn param(&self, name: &str) -> Option<Option<&Bytes>> {
        find_param(&self.params, name)
    }

    /// The user part with %-escapes decoded.
    pub fn user_unescaped(&self) -> Option<Vec<u8>> {
        let user = self.user.as_ref()?;
        let mut out = Vec::with_capacity(user.len());
        let mut i = 0;
        while i < user.len() {
            if user[i] == b'%' && i + 2 < user.len() {
                let hex = std::str::from_utf8(&user[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            } else {
                out.push(user[i]);
                i += 1;
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &'static str) -> Result<Uri, UriError> {
        Uri::parse(&Bytes::from_static(s.as_bytes()))
    }

    #[test]
    fn sip_uris() {
        let u = parse("sip:2401@pbx.landkreis.example:5060;transport=tcp;lr?subject=x").unwrap();
        assert_eq!(u.scheme, Scheme::Sip);
        assert_eq!(u.user.as_deref(), Some(&b"2401"[..]));
        assert_eq!(&u.host[..], b"pbx.landkreis.example");
        assert_eq!(u.port, Some(5060));
        assert_eq!(
            u.param("TRANSPORT"),
            Some(Some(&Bytes::from_static(b"tcp")))
        );
        assert_eq!(u.param("lr"), Some(None));
        assert_eq!(u.headers.as_deref(), Some(&b"subject=x"[..]));
        let v6 = parse("sips:[2001:db8::10]:5061").unwrap();
        assert_eq!(
            (&v6.host[..], v6.port),
            (&b"[2001:db8::10]"[..], Some(5061))
        );
        assert_eq!(parse("sip:[2001:db8::10]").unwrap().port, None);
        // RFC 4475 3.1.1.10 (semiuri): a ';' in the user part.
        let semi = parse("sip:user;par=u%40example.net@example.com").unwrap();
        assert_eq!(
            semi.user_unescaped().unwrap(),
            b"user;par=u@example.net".to_vec()
        );
        let esc = parse("sip:sips%3Auser%40example.com@example.net").unwrap();
        assert_eq!(
            esc.user_unescaped().unwrap(),
            b"sips:user@example.com".to_vec()
        );
        let tel = parse("tel:+49-8031-392-0;phone-context=example.com").unwrap();
        assert_eq!(tel.scheme, Scheme::Tel);
        // RFC 4475 3.1.1.2: `?` and `;` in the user part do not start headers or params.
        let odd = parse("sip:a?b;c:pw?x@example.com;lr?subject=y").unwrap();
        assert_eq!(odd.user.as_deref(), Some(&b"a?b;c:pw?x"[..]));
        assert_eq!(&odd.host[..], b"example.com");
        assert_eq!(odd.param("lr"), Some(None));
        assert_eq!(odd.headers.as_deref(), Some(&b"subject=y"[..]));
    }

    #[test]
    fn absolute_uris_of_any_scheme() {
        for ok in [
            "isbn:2983792873",
            "http://www.example.com",
            "name:John_Smith",
            "soap.beep://192.0.2.103:3002",
            "sip:user@example.com",
        ] {
            assert!(is_absolute_uri(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "", "nocolon", "1abc:x", "x:", "x:a b", "x:%zz", "x:<y>", "a_b:c",
        ] {
            assert!(!is_absolute_uri(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn invalid_uris() {
        assert_eq!(parse("http://x"), Err(UriError::Scheme));
        assert_eq!(parse("sip:"), Err(UriError::NoHost));
        assert_eq!(parse("sip:a@"), Err(UriError::NoHost));
        assert_eq!(parse("sip:a@host:99999"), Err(UriError::Port));
        assert_eq!(parse("sip:a@host:"), Err(UriError::Port));
        assert_eq!(parse("sip:a%4@host"), Err(UriError::User));
        assert_eq!(parse("sip:a\"b@host"), Err(UriError::User));
        assert_eq!(parse("sip:a b@host"), Err(UriError::Space));
        assert_eq!(parse("sip:ho st"), Err(UriError::Space));
        assert_eq!(parse("sip:user@example.com; lr"), Err(UriError::Space));
        assert_eq!(parse("sip:ho_st"), Err(UriError::Host));
        assert_eq!(
            parse("sip:host;a=b=c"),
            Err(UriError::Params(
                "a parameter value is neither a token nor a quoted string"
            ))
        );
        assert_eq!(parse("isbn:2983792873"), Err(UriError::Scheme));
    }
}
