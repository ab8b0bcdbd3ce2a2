//! LDIF for slapadd and ldapmodify: entries of people, groups and OUs, and the RFC 2849,
//! 4514 and 4515 escaping their values need.

use super::{Slapd, TestPerson, PEOPLE_DN};
use std::fmt::Write as _;

/// A person's DN: `cn=<login>` under `ou=Benutzer`, or under a sub-OU of it.
pub(super) fn dn_of(login: &str, ou: Option<&str>) -> String {
    match ou {
        Some(ou) => format!(
            "cn={},ou={},{PEOPLE_DN}",
            escape_dn_value(login),
            escape_dn_value(ou)
        ),
        None => format!("cn={},{PEOPLE_DN}", escape_dn_value(login)),
    }
}

/// A record, for slapadd (`as_change` false) or ldapmodify (`changetype: add`).
fn record_start(ldif: &mut String, dn: &str, as_change: bool) {
    attribute(ldif, "dn", dn);
    if as_change {
        ldif.push_str("changetype: add\n");
    }
}

pub(super) fn ou_entry(ldif: &mut String, ou: &str, as_change: bool) {
    record_start(
        ldif,
        &format!("ou={},{PEOPLE_DN}", escape_dn_value(ou)),
        as_change,
    );
    ldif.push_str("objectClass: organizationalUnit\n");
    attribute(ldif, "ou", ou);
    ldif.push('\n');
}

pub(super) fn person_entry(
    ldif: &mut String,
    p: &TestPerson,
    dn: &str,
    password_hash: Option<&str>,
    as_change: bool,
) {
    record_start(ldif, dn, as_change);
    ldif.push_str("objectClass: inetOrgPerson\nobjectClass: adUser\n");
    let (given, surname) = match p.name.trim().rsplit_once(' ') {
        Some((given, surname)) => (Some(given), surname),
        None => (None, p.name.trim()),
    };
    attribute(ldif, "cn", &p.login);
    attribute(
        ldif,
        "sn",
        if surname.is_empty() {
            &p.login
        } else {
            surname
        },
    );
    if let Some(given) = given {
        attribute(ldif, "givenName", given);
    }
    attribute(ldif, "displayName", &p.name);
    attribute(ldif, "uid", &p.login);
    attribute(ldif, "sAMAccountName", &p.login);
    for (name, value) in [
        ("department", &p.department),
        ("telephoneNumber", &p.phone),
        ("ipPhone", &p.ip_phone),
        ("mail", &p.mail),
        ("mobile", &p.mobile),
    ] {
        if let Some(value) = value {
            attribute(ldif, name, value);
        }
    }
    for group in &p.groups {
        attribute(ldif, "memberOf", &Slapd::group_dn(group));
    }
    attribute(
        ldif,
        "userAccountControl",
        if p.disabled { "514" } else { "512" },
    );
    if let Some(hash) = password_hash {
        attribute(ldif, "userPassword", hash);
    }
    ldif.push('\n');
}

pub(super) fn group_entry(ldif: &mut String, cn: &str, members: &[String], as_change: bool) {
    record_start(ldif, &Slapd::group_dn(cn), as_change);
    ldif.push_str("objectClass: group\n");
    attribute(ldif, "cn", cn);
    for member in members {
        attribute(ldif, "member", member);
    }
    ldif.push('\n');
}

/// A change of a group's `member` (`group` is its DN).
pub(super) fn change_members(ldif: &mut String, group: &str, change: &str, members: &[String]) {
    attribute(ldif, "dn", group);
    writeln!(ldif, "changetype: modify\n{change}: member").expect("a String");
    for member in members {
        attribute(ldif, "member", member);
    }
    ldif.push_str("-\n\n");
}

/// One LDIF line; values that are not plain ASCII, or that start or end awkwardly, are
/// base64 (`name:: …`), as RFC 2849 asks (UTF-8 names such as Müller are).
pub(super) fn attribute(ldif: &mut String, name: &str, value: &str) {
    let bytes = value.as_bytes();
    let safe = bytes
        .iter()
        .all(|&b| (1..0x80).contains(&b) && b != b'\n' && b != b'\r')
        && !matches!(bytes.first(), Some(b' ' | b':' | b'<'))
        && bytes.last() != Some(&b' ');
    if safe {
        writeln!(ldif, "{name}: {value}").expect("a String");
    } else {
        writeln!(ldif, "{name}:: {}", base64(bytes)).expect("a String");
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A DN attribute value with RFC 4514's special characters escaped.
pub(super) fn escape_dn_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=')
            || (i == 0 && matches!(c, ' ' | '#'))
            || (i == value.chars().count() - 1 && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A filter assertion value with RFC 4515's special characters escaped.
pub(super) fn escape_filter_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '*' => out.push_str("\\2a"),
            '(' => out.push_str("\\28"),
            ')' => out.push_str("\\29"),
            '\\' => out.push_str("\\5c"),
            '\0' => out.push_str("\\00"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_as_rfc_4648_section_10() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn utf8_and_awkward_values_are_base64_in_ldif() {
        let mut ldif = String::new();
        attribute(&mut ldif, "sn", "Müller");
        attribute(&mut ldif, "cn", "plain");
        attribute(&mut ldif, "description", " leading space");
        attribute(&mut ldif, "description", ":colon");
        assert_eq!(ldif, "sn:: TcO8bGxlcg==\ncn: plain\ndescription:: IGxlYWRpbmcgc3BhY2U=\ndescription:: OmNvbG9u\n");
    }

    #[test]
    fn dn_values_are_escaped() {
        assert_eq!(escape_dn_value("Müller, Anna"), "Müller\\, Anna");
        assert_eq!(escape_dn_value("#1 "), "\\#1\\ ");
        assert_eq!(escape_filter_value("cn=a(b)*"), "cn=a\\28b\\29\\2a");
    }
}
