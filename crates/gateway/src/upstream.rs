//! Where a proxied application's requests go: an `http://` or `https://` origin and a base
//! path, parsed strictly (no user info, query or fragment), and the join of that base path
//! with the checked rest of a request target.

use crate::error::FieldError;
use crate::target::Target;

/// The scheme of an upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP (inside the administration's network).
    Http,
    /// HTTPS, checked against the system's and the application's CAs.
    Https,
}

/// A parsed upstream URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upstream {
    /// HTTP or HTTPS.
    pub scheme: Scheme,
    /// The host as written (a name, an IPv4 address or a bracketed IPv6 address).
    pub host: String,
    /// The port, explicit or the scheme's default.
    pub port: u16,
    /// The base path, always starting and ending with `/`.
    pub base: String,
}

impl Upstream {
    /// Parses `raw` (`http://10.1.2.3:8080/akte/`).
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let bad = |why: &str| {
            FieldError::new(
                "upstream",
                "bad_url",
                format!("Die Adresse der Anwendung {why}."),
            )
        };
        let raw = raw.trim();
        let (scheme, rest) = if let Some(rest) = strip_prefix_ignore_case(raw, "http://") {
            (Scheme::Http, rest)
        } else if let Some(rest) = strip_prefix_ignore_case(raw, "https://") {
            (Scheme::Https, rest)
        } else {
            return Err(bad("muss mit http:// oder https:// beginnen"));
        };
        if rest.contains(['?', '#']) {
            return Err(bad("darf keine Abfrage (?) und keinen Anker (#) enthalten"));
        }
        if rest
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
        {
            return Err(bad("enthält Leer- oder Steuerzeichen"));
        }
        let (authority, path) = match rest.find('/') {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, "/"),
        };
        if authority.contains('@') {
            return Err(bad("darf keine Zugangsdaten enthalten"));
        }
        let (host, port) = split_host_port(authority)
            .ok_or_else(|| bad("hat keinen gültigen Rechnernamen oder Port"))?;
        if let Ok(ip) = host.trim_matches(['[', ']']).parse::<std::net::IpAddr>() {
            let forbidden = ip.is_unspecified()
                || ip.is_multicast()
                || match ip {
                    std::net::IpAddr::V4(v4) => v4.is_link_local() || v4.is_broadcast(),
                    std::net::IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
                };
            if forbidden {
                return Err(bad("zeigt auf eine Link-lokale, Multicast- oder unbestimmte Adresse (etwa die Metadaten einer Cloud)"));
            }
        }
        let port = match port {
            Some(p) => p,
            None if scheme == Scheme::Http => 80,
            None => 443,
        };
        if path.split('/').any(|s| s == ".." || s == ".") || path.contains('%') {
            return Err(bad("hat einen ungültigen Pfad"));
        }
        let mut base = path.to_string();
        if !base.ends_with('/') {
            base.push('/');
        }
        Ok(Upstream {
            scheme,
            host: host.to_string(),
            port,
            base,
        })
    }

    /// `scheme://host:port`, the origin requests are sent to.
    pub fn origin(&self) -> String {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        format!("{scheme}://{}:{}", self.host, self.port)
    }

    /// The upstream's path and query for a checked request target.
    pub fn path_for(&self, target: &Target) -> String {
        let mut path = self.base.clone();
        path.push_str(&target.rest);
        if let Some(query) = &target.query {
            path.push('?');
            path.push_str(query);
        }
        path
    }

    /// The part after the base path if `location` (a `Location` header) points into this
    /// upstream, so the shell can rewrite it to `/apps/NAME/…`.
    pub fn relative_location<'a>(&self, location: &'a str) -> Option<&'a str> {
        let origin = self.origin();
        let default_origin = match (self.scheme, self.port) {
            (Scheme::Http, 80) => Some(format!("http://{}", self.host)),
            (Scheme::Https, 443) => Some(format!("https://{}", self.host)),
            _ => None,
        };
        let path = strip_prefix_ignore_case(location, &origin)
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
            .or_else(|| {
                default_origin.as_deref().and_then(|o| {
                    strip_prefix_ignore_case(location, o)
                        .filter(|rest| rest.is_empty() || rest.starts_with('/'))
                })
            })
            .or_else(|| {
                location
                    .starts_with('/')
                    .then_some(location)
                    .filter(|l| !l.starts_with("//"))
            })?;
        let path = if path.is_empty() { "/" } else { path };
        path.strip_prefix(self.base.as_str())
            .or_else(|| (path == self.base.trim_end_matches('/')).then_some(""))
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let end = rest.find(']')?;
        let host = &authority[..end + 2];
        let after = &rest[end + 1..];
        match after {
            "" => (host, None),
            p => (host, Some(p.strip_prefix(':')?)),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let name_ok = !host.is_empty()
        && (host.starts_with('[')
            || host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'));
    if !name_ok {
        return None;
    }
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok().filter(|p| *p != 0)?),
        None => None,
    };
    Some((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(rest: &str, query: Option<&str>) -> Target {
        Target {
            name: "akte".into(),
            rest: rest.into(),
            query: query.map(str::to_string),
        }
    }

    #[test]
    fn parses_and_joins() {
        let up = Upstream::parse("http://10.1.2.3:8080/akte").unwrap();
        assert_eq!(up.origin(), "http://10.1.2.3:8080");
        assert_eq!(up.base, "/akte/");
        assert_eq!(up.path_for(&target("a/b", Some("x=1"))), "/akte/a/b?x=1");
        let up = Upstream::parse("HTTPS://akte.lra.example").unwrap();
        assert_eq!(
            (up.scheme, up.port, up.base.as_str()),
            (Scheme::Https, 443, "/")
        );
        let up = Upstream::parse("http://[::1]:9000/").unwrap();
        assert_eq!(up.origin(), "http://[::1]:9000");
    }

    #[test]
    fn refuses_what_is_not_a_plain_origin_and_path() {
        for bad in [
            "ftp://x/",
            "http://user:pw@x/",
            "http://x/?a=1",
            "http://x/#f",
            "http://x:0/",
            "http://x:99999/",
            "http:///a",
            "http://x/../y",
            "http://x/%2e%2e/",
            "http://x y/",
            "http://[::1/",
            "http://169.254.169.254/latest/",
            "http://0.0.0.0:8080/",
            "http://[fe80::1]/",
            "http://224.0.0.1/",
        ] {
            assert!(Upstream::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn locations_into_the_upstream_are_found() {
        let up = Upstream::parse("http://10.1.2.3:8080/akte/").unwrap();
        assert_eq!(
            up.relative_location("http://10.1.2.3:8080/akte/x?y"),
            Some("x?y")
        );
        assert_eq!(up.relative_location("/akte/x"), Some("x"));
        assert_eq!(up.relative_location("/akte"), Some(""));
        assert_eq!(up.relative_location("http://other/akte/x"), None);
        assert_eq!(up.relative_location("//evil/akte/x"), None);
        assert_eq!(up.relative_location("/elsewhere"), None);
        let up = Upstream::parse("http://akte").unwrap();
        assert_eq!(up.relative_location("http://akte/x"), Some("x"));
        assert_eq!(up.relative_location("http://akte.evil/x"), None);
    }
}
