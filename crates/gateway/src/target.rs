//! The request target of a gateway request, `/apps/NAME/REST?QUERY`, checked before any
//! rule so that no encoding reaches an upstream as a different path than the one the
//! rule was checked for.
//!
//! Refused: percent-encoded dots, slashes and backslashes in any case (`%2e`, `%2f`,
//! `%5c`), an encoded percent sign (`%25`, double encoding), `.` and `..` segments,
//! backslashes, control characters and NUL, and a name that is not an application name.
//! The name is the whole first segment, so `/apps/ab` never reaches `abc`.

use crate::app::AppName;

/// The prefix of every gateway path.
pub const PREFIX: &str = "/apps/";

/// A checked request target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The application's name.
    pub name: String,
    /// The path after `/apps/NAME/`, as sent (its percent-encodings other than the refused
    /// ones are passed on unchanged).
    pub rest: String,
    /// The query, as sent.
    pub query: Option<String>,
}

/// Why a target is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BadTarget {
    /// Not under `/apps/NAME`.
    #[error("Der Pfad führt zu keiner Anwendung.")]
    NotAnApp,
    /// An encoded `.`, `/`, `\` or `%`.
    #[error("Der Pfad enthält verschlüsselte Punkte, Schrägstriche oder Prozentzeichen.")]
    EncodedSeparator,
    /// A `.` or `..` segment.
    #[error("Der Pfad enthält „.“- oder „..“-Abschnitte.")]
    DotSegment,
    /// A backslash, a control character or an invalid percent-encoding.
    #[error("Der Pfad enthält unzulässige Zeichen.")]
    BadCharacter,
}

impl BadTarget {
    /// A stable code for logs and the audit log.
    pub fn code(self) -> &'static str {
        match self {
            BadTarget::NotAnApp => "not_an_app",
            BadTarget::EncodedSeparator => "encoded_separator",
            BadTarget::DotSegment => "dot_segment",
            BadTarget::BadCharacter => "bad_character",
        }
    }
}

/// Whether the target is `/apps/NAME` without the trailing slash: the shell redirects it
/// to `/apps/NAME/` so relative links of the application resolve under it.
pub fn bare_name(path: &str) -> Option<&str> {
    let name = path.strip_prefix(PREFIX)?;
    AppName::parse(name).ok().map(|_| name)
}

impl Target {
    /// Checks `path` (and `query`) of a request.
    pub fn parse(path: &str, query: Option<&str>) -> Result<Target, BadTarget> {
        check_characters(path)?;
        if let Some(q) = query {
            if q.chars().any(|c| c.is_control()) {
                return Err(BadTarget::BadCharacter);
            }
        }
        let after = path.strip_prefix(PREFIX).ok_or(BadTarget::NotAnApp)?;
        let (name, rest) = after.split_once('/').ok_or(BadTarget::NotAnApp)?;
        AppName::parse(name).map_err(|_| BadTarget::NotAnApp)?;
        if rest.split('/').any(is_dot_segment) {
            return Err(BadTarget::DotSegment);
        }
        Ok(Target {
            name: name.to_string(),
            rest: rest.to_string(),
            query: query.map(str::to_string),
        })
    }
}

impl Target {
    /// Checks `path` (and `query`) of a request to the host name of the application
    /// `name`: the whole path is the rest, under the same rules as [`Target::parse`].
    pub fn for_host(name: &str, path: &str, query: Option<&str>) -> Result<Target, BadTarget> {
        check_characters(path)?;
        if let Some(q) = query {
            if q.chars().any(|c| c.is_control()) {
                return Err(BadTarget::BadCharacter);
            }
        }
        let rest = path.strip_prefix('/').ok_or(BadTarget::NotAnApp)?;
        if rest.split('/').any(is_dot_segment) {
            return Err(BadTarget::DotSegment);
        }
        Ok(Target {
            name: name.to_string(),
            rest: rest.to_string(),
            query: query.map(str::to_string),
        })
    }
}

/// Whether a segment is `.` or `..`, also with path parameters (`..;x`, which Tomcat and
/// Jetty read as `..`).
fn is_dot_segment(segment: &str) -> bool {
    let bare = segment.split(';').next().unwrap_or("");
    bare == "." || bare == ".."
}

fn check_characters(path: &str) -> Result<(), BadTarget> {
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).ok_or(BadTarget::BadCharacter)?;
                let value = std::str::from_utf8(hex)
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or(BadTarget::BadCharacter)?;
                match value {
                    b'.' | b'/' | b'\\' | b'%' | b';' => return Err(BadTarget::EncodedSeparator),
                    0..=0x1f | 0x7f => return Err(BadTarget::BadCharacter),
                    _ => {}
                }
                i += 3;
            }
            b'\\' | 0..=0x1f | 0x7f => return Err(BadTarget::BadCharacter),
            _ => i += 1,
        }
    }
    // Decoded once, the path must be UTF-8 (no overlong forms such as %c0%ae) and hold
    // no look-alike dots (one dot leader U+2024, fullwidth full stop U+FF0E).
    let decoded = percent_decoded(path);
    match String::from_utf8(decoded) {
        Ok(text) if !text.contains(['\u{2024}', '\u{FF0E}', '\u{FE52}']) => Ok(()),
        _ => Err(BadTarget::BadCharacter),
    }
}

fn percent_decoded(path: &str) -> Vec<u8> {
    percent_encoding::percent_decode_str(path).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_targets_pass() {
        let t = Target::parse("/apps/akte/vorgang/17", Some("a=1")).unwrap();
        assert_eq!((t.name.as_str(), t.rest.as_str()), ("akte", "vorgang/17"));
        assert_eq!(t.query.as_deref(), Some("a=1"));
        assert_eq!(Target::parse("/apps/akte/", None).unwrap().rest, "");
        assert_eq!(
            Target::parse("/apps/akte/M%C3%BCller%20Datei", None)
                .unwrap()
                .rest,
            "M%C3%BCller%20Datei"
        );
        assert_eq!(bare_name("/apps/akte"), Some("akte"));
        assert_eq!(bare_name("/apps/akte/x"), None);
    }

    #[test]
    fn hostile_targets_are_refused() {
        use BadTarget::*;
        for (path, why) in [
            ("/apps/akte/%2e%2e/admin", EncodedSeparator),
            ("/apps/akte/%2E%2E/admin", EncodedSeparator),
            ("/apps/akte/a%2fb", EncodedSeparator),
            ("/apps/akte/a%2Fb", EncodedSeparator),
            ("/apps/akte/a%5cb", EncodedSeparator),
            ("/apps/akte/%252e%252e/x", EncodedSeparator),
            ("/apps/akte/../x", DotSegment),
            ("/apps/akte/./x", DotSegment),
            ("/apps/akte/a/..", DotSegment),
            ("/apps/akte/..;/secret", DotSegment),
            ("/apps/akte/.;x/secret", DotSegment),
            ("/apps/akte/..%3b/x", EncodedSeparator),
            ("/apps/akte/%c0%ae%c0%ae/x", BadCharacter),
            ("/apps/akte/%EF%BC%8E%EF%BC%8E/x", BadCharacter),
            ("/apps/akte/\u{FF0E}\u{FF0E}/x", BadCharacter),
            ("/apps/akte/a\\..\\b", BadCharacter),
            ("/apps/akte/a%00b", BadCharacter),
            ("/apps/akte/a%zz", BadCharacter),
            ("/apps/akte/a%2", BadCharacter),
            ("/apps/akte", NotAnApp),
            ("/apps/", NotAnApp),
            ("/apps/Akte/x", NotAnApp),
            ("/apps/../x/", NotAnApp),
            ("/apps/%61kte/x", NotAnApp),
            ("/application/x", NotAnApp),
        ] {
            assert_eq!(Target::parse(path, None), Err(why), "{path}");
        }
    }

    #[test]
    fn host_targets_follow_the_same_rules() {
        let t = Target::for_host("akte", "/vorgang/17", Some("a=1")).unwrap();
        assert_eq!((t.name.as_str(), t.rest.as_str()), ("akte", "vorgang/17"));
        assert_eq!(Target::for_host("akte", "/", None).unwrap().rest, "");
        for bad in ["/%2e%2e/x", "/../x", "/a\\b", "x", "/a%2fb"] {
            assert!(Target::for_host("akte", bad, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_name_is_a_whole_segment() {
        assert_eq!(Target::parse("/apps/ab/x", None).unwrap().name, "ab");
        assert_eq!(Target::parse("/apps/abc/x", None).unwrap().name, "abc");
        assert_eq!(Target::parse("/apps/abc", None), Err(BadTarget::NotAnApp));
    }

    proptest! {
        /// Whatever passes names a valid application and, decoded once, has no dot
        /// segment and no separator that was encoded.
        #[test]
        fn nothing_that_passes_decodes_to_a_traversal(path in "/apps/[a-z]{1,3}/[a-z./%25cfCF2e\\\\]{0,12}") {
            if let Ok(t) = Target::parse(&path, None) {
                let decoded = percent_decode(&t.rest);
                prop_assert!(!decoded.split('/').any(|s| s == ".." || s == "."));
                prop_assert!(!decoded.contains('\\'));
                prop_assert_eq!(decoded.matches('/').count(), t.rest.matches('/').count());
            }
        }
    }

    fn percent_decode(s: &str) -> String {
        String::from_utf8_lossy(&percent_decoded(s)).into_owned()
    }
}
