//! Writing the event package documents (dialog-info, PIDF) by hand: escaping text for XML
//! character data and quoted attribute values. The documents are small and their shape
//! fixed, so a writer library would add a dependency and nothing else.
//!
//! (`auth::qr_svg` and `web::client` escape too, privately and for SVG/HTML; neither
//! drops the characters XML forbids, and telephony depends on neither crate.)

/// Appends `text` escaped for character data and for attribute values in `"` or `'`.
///
/// Besides the five markup characters, tab, line feed and carriage return become
/// character references (a parser would fold them to spaces inside an attribute), and
/// characters XML 1.0 does not allow at all (§2.2 `Char`: C0 controls, U+FFFE, U+FFFF)
/// become U+FFFD: SIP display names may hold an escaped NUL (RFC 4475 intmeth), and
/// one such byte would make the whole document unreadable for the phone.
pub(crate) fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            _ => out.push(c),
        }
    }
}

/// Appends ` name="value"` with the value escaped.
pub(crate) fn push_attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    push_escaped(out, value);
    out.push('"');
}

/// Appends `<name>text</name>` with the text escaped.
pub(crate) fn push_element(out: &mut String, name: &str, text: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    push_escaped(out, text);
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

#[cfg(test)]
pub(crate) mod check {
    //! A strict little reader for the tests: checks that a document is well-formed
    //! (one root, tags nested and closed, attributes quoted, only the five predefined
    //! entities and character references, no raw `<` or `&` in text) and returns the
    //! text content with references resolved, so tests can compare what a phone reads.

    /// The document's text and attribute values, unescaped, in order; `Err` with the
    /// position and reason when it is not well-formed.
    pub(crate) fn well_formed(doc: &str) -> Result<Vec<String>, String> {
        let body = doc
            .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .ok_or("no XML declaration")?;
        let mut stack: Vec<&str> = Vec::new();
        let mut values = Vec::new();
        let mut rest = body;
        let mut roots = 0;
        while !rest.is_empty() {
            if let Some(tag) = rest.strip_prefix('<') {
                let end = tag.find('>').ok_or("unclosed tag")?;
                let inner = &tag[..end];
                rest = &tag[end + 1..];
                if let Some(name) = inner.strip_prefix('/') {
                    if stack.pop() != Some(name) {
                        return Err(format!("</{name}> does not close the open element"));
                    }
                    continue;
                }
                let empty = inner.ends_with('/');
                let inner = inner.trim_end_matches('/');
                let (name, mut attrs) = inner.split_once(' ').unwrap_or((inner, ""));
                if name.is_empty() || name.contains(['"', '=', '&']) {
                    return Err(format!("bad element name {name:?}"));
                }
                while !attrs.trim_start().is_empty() {
                    let a = attrs.trim_start();
                    let (key, after) = a.split_once("=\"").ok_or("unquoted attribute")?;
                    if key.contains([' ', '<', '&']) {
                        return Err(format!("bad attribute name {key:?}"));
                    }
                    let close = after.find('"').ok_or("unterminated attribute")?;
                    values.push(unescape(&after[..close])?);
                    attrs = &after[close + 1..];
                }
                if stack.is_empty() {
                    roots += 1;
                }
                if !empty {
                    stack.push(name);
                }
            } else {
                let end = rest.find('<').unwrap_or(rest.len());
                let text = &rest[..end];
                if stack.is_empty() && !text.trim().is_empty() {
                    return Err("text outside the root".into());
                }
                if !text.trim().is_empty() {
                    values.push(unescape(text)?);
                }
                rest = &rest[end..];
            }
        }
        if !stack.is_empty() || roots != 1 {
            return Err(format!("open elements {stack:?}, {roots} roots"));
        }
        Ok(values)
    }

    fn unescape(text: &str) -> Result<String, String> {
        if text.contains(['<', '>', '"']) {
            return Err(format!("raw markup character in {text:?}"));
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find('&') {
            out.push_str(&rest[..at]);
            let end = rest[at..].find(';').ok_or("unterminated reference")? + at;
            out.push(match &rest[at + 1..end] {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                num => num
                    .strip_prefix('#')
                    .and_then(|n| n.parse::<u32>().ok())
                    .and_then(char::from_u32)
                    .ok_or(format!("unknown reference &{num};"))?,
            });
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        if out.chars().any(|c| c < ' ' && !"\t\n\r".contains(c)) {
            return Err(format!("a character XML forbids in {out:?}"));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_quotes_and_forbidden_characters() {
        let mut out = String::new();
        push_escaped(&mut out, "Böhm & <Söhne> \"A\" 'B'\u{0}\t\r\n\u{ffff}");
        assert_eq!(
            out,
            "Böhm &amp; &lt;Söhne&gt; &quot;A&quot; &apos;B&apos;\u{fffd}&#9;&#13;&#10;\u{fffd}"
        );
        let mut doc = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a");
        push_attr(&mut doc, "x", "<&\">");
        doc.push('>');
        push_element(&mut doc, "b", "a<b&c");
        doc.push_str("</a>");
        assert_eq!(
            check::well_formed(&doc).unwrap(),
            vec!["<&\">".to_owned(), "a<b&c".to_owned()]
        );
    }

    #[test]
    fn the_checker_refuses_broken_documents() {
        let decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
        for bad in [
            "<a><b></a></b>",
            "<a>x & y</a>",
            "<a x=1/>",
            "<a/><b/>",
            "<a>&bogus;</a>",
            "<a>",
        ] {
            assert!(
                check::well_formed(&format!("{decl}{bad}")).is_err(),
                "{bad}"
            );
        }
        assert!(check::well_formed(&format!("{decl}<a x=\"1\"><b/>t</a>")).is_ok());
    }
}
