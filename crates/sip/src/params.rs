//! The small grammar pieces every header value uses (RFC 3261 §25.1): white space,
//! quoted strings with escapes, comma lists and `;name=value` parameters.

use bytes::Bytes;

/// A `;name` or `;name=value` parameter (names compare case-insensitively).
pub type Param = (Bytes, Option<Bytes>);

/// Whether `b` is a `token` character (RFC 3261 §25.1).
pub fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b)
}

/// Whether the whole slice is a non-empty token.
pub fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|b| is_token_char(*b))
}

/// The slice without leading and trailing spaces and tabs.
pub fn trim_slice(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !matches!(c, b' ' | b'\t'))
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !matches!(c, b' ' | b'\t'))
        .map_or(start, |e| e + 1);
    &b[start..end.max(start)]
}

/// [`trim_slice`] as a slice of the same `Bytes`.
pub fn trim(b: &Bytes) -> Bytes {
    b.slice_ref(trim_slice(b))
}

/// Positions of `needle` in `b` that are outside quoted strings and `<…>`, in order.
fn unquoted_positions(b: &[u8], needle: u8) -> impl Iterator<Item = usize> + '_ {
    // Most values have neither quotes nor angle brackets: then every match counts.
    let plain = !b.iter().any(|c| matches!(c, b'"' | b'<'));
    let (mut quoted, mut escaped, mut angle) = (false, false, false);
    b.iter().enumerate().filter_map(move |(i, &c)| {
        if plain {
            return (c == needle).then_some(i);
        }
        if quoted {
            match c {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => quoted = false,
                _ => {}
            }
            return None;
        }
        match c {
            b'"' => quoted = true,
            b'<' => angle = true,
            b'>' => angle = false,
            _ if c == needle && !angle => return Some(i),
            _ => {}
        }
        None
    })
}

/// Splits a list header value at commas outside quotes and `<…>`; trims, drops empties.
pub fn split_list(value: &Bytes) -> Vec<Bytes> {
    let mut out = Vec::new();
    let mut start = 0;
    for end in unquoted_positions(value, b',').chain(std::iter::once(value.len())) {
        let part = trim_slice(&value[start..end]);
        if !part.is_empty() {
            out.push(value.slice_ref(part));
        }
        start = end + 1;
    }
    out
}

/// The first element [`split_list`] would give, without splitting the rest (the top Via
/// or Route of every message is wanted, rarely the others).
pub fn first_element(value: &Bytes) -> Option<Bytes> {
    let mut start = 0;
    for end in unquoted_positions(value, b',').chain(std::iter::once(value.len())) {
        let part = trim_slice(&value[start..end]);
        if !part.is_empty() {
            return Some(value.slice_ref(part));
        }
        start = end + 1;
    }
    None
}

/// Splits `value` at the first `;` outside quotes and `<…>`: what comes before, and the
/// parameters after it.
pub fn split_params(value: &Bytes) -> Result<(Bytes, Vec<Param>), &'static str> {
    let mut cuts = unquoted_positions(value, b';').peekable();
    let Some(&first) = cuts.peek() else {
        return Ok((trim(value), Vec::new()));
    };
    let mut params = Vec::new();
    while let Some(at) = cuts.next() {
        let end = cuts.peek().copied().unwrap_or(value.len());
        let raw = trim_slice(&value[at + 1..end]);
        let (name, val) = match raw.iter().position(|c| *c == b'=') {
            Some(eq) => (trim_slice(&raw[..eq]), Some(trim_slice(&raw[eq + 1..]))),
            None => (raw, None),
        };
        if !is_token(name) {
            return Err("a parameter name is not a token");
        }
        if let Some(v) = val {
            let quoted = v.len() >= 2 && v[0] == b'"' && v[v.len() - 1] == b'"';
            if v.is_empty()
                || !(quoted || v.iter().all(|c| is_token_char(*c) || b"[]:".contains(c)))
            {
                return Err("a parameter value is neither a token nor a quoted string");
            }
        }
        params.push((value.slice_ref(name), val.map(|v| value.slice_ref(v))));
    }
    Ok((trim(&value.slice(..first)), params))
}

/// The value of a parameter by case-insensitive name (`Some(None)` for a flag).
pub fn find_param<'a>(params: &'a [Param], name: &str) -> Option<Option<&'a Bytes>> {
    params
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
        .map(|(_, v)| v.as_ref())
}

/// The content of a quoted string (`"a \"b\""` → `a "b"`); unquoted input unchanged.
pub fn unquote(b: &[u8]) -> Vec<u8> {
    if b.len() < 2 || b[0] != b'"' || b[b.len() - 1] != b'"' {
        return b.to_vec();
    }
    let mut out = Vec::with_capacity(b.len());
    let mut escaped = false;
    for &c in &b[1..b.len() - 1] {
        if escaped {
            out.push(c);
            escaped = false;
        } else if c == b'\\' {
            escaped = true;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &'static str) -> Bytes {
        Bytes::from_static(s.as_bytes())
    }

    #[test]
    fn lists_respect_quotes_and_angles() {
        let v = b(r#""Doe, John" <sip:j@x;a=1,2>;q=0.5 , <sip:k@y>,,"#);
        let parts = split_list(&v);
        assert_eq!(
            parts,
            vec![b(r#""Doe, John" <sip:j@x;a=1,2>;q=0.5"#), b("<sip:k@y>")]
        );
    }

    #[test]
    fn the_first_element_is_the_first_of_the_list() {
        for value in [
            r#""Doe, John" <sip:j@x;a=1,2>;q=0.5 , <sip:k@y>,,"#,
            " , ,<sip:k@y>",
            "SIP/2.0/UDP h;branch=z9hG4bK1",
            ",, ",
        ] {
            let v = b(value);
            assert_eq!(
                first_element(&v),
                split_list(&v).into_iter().next(),
                "{value}"
            );
        }
    }

    #[test]
    fn params_with_flags_quotes_and_spaces() {
        let (head, params) =
            split_params(&b(r#"SIP/2.0/UDP h:5060 ; branch=z9hG4bK1;rport ;x="a;b""#)).unwrap();
        assert_eq!(head, b("SIP/2.0/UDP h:5060"));
        assert_eq!(find_param(&params, "BRANCH"), Some(Some(&b("z9hG4bK1"))));
        assert_eq!(find_param(&params, "rport"), Some(None));
        assert_eq!(find_param(&params, "x"), Some(Some(&b(r#""a;b""#))));
        assert!(split_params(&b("a;b c=1")).is_err());
        assert!(split_params(&b("a;b=")).is_err());
    }

    #[test]
    fn quoted_strings() {
        assert_eq!(unquote(br#""a \"b\" \\c""#), br#"a "b" \c"#.to_vec());
        assert_eq!(unquote(b"plain"), b"plain".to_vec());
        assert_eq!(trim(&b("  x y \t")), b("x y"));
        assert_eq!(trim(&b("   ")), b(""));
    }
}
