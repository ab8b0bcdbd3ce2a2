//! E-mail addresses, checked simply: one `@`, something before it, a domain with a dot
//! and sensible labels after it. Whether the mailbox exists only a mail would tell; the
//! check catches typing slips (a missing `@`, a space, a comma for a dot).

/// At most this many characters (RFC 5321 §4.5.3.1.3: a path holds 256 with the brackets).
pub const MAX_LEN: usize = 254;

/// The address trimmed with its domain in lower case, or `None` when it cannot be one.
pub fn normalise_email(raw: &str) -> Option<String> {
    let address = raw.trim();
    if address.chars().count() > MAX_LEN {
        return None;
    }
    let (local, domain) = address.split_once('@')?;
    let local_ok = !local.is_empty()
        && local.chars().count() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"@<>()[]\\,;:\"".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.chars().count() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.chars().count() >= 2);
    (local_ok && domain_ok).then(|| format!("{local}@{}", domain.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::normalise_email;

    #[test]
    fn addresses_are_trimmed_and_their_domain_lower_cased() {
        for (raw, want) in [
            (
                " Anna.Adler@Landkreis-Beispiel.DE ",
                "Anna.Adler@landkreis-beispiel.de",
            ),
            (
                "b+hotline@gesundheitsamt.example.org",
                "b+hotline@gesundheitsamt.example.org",
            ),
            ("jürgen@straße.de", "jürgen@straße.de"),
        ] {
            assert_eq!(normalise_email(raw).as_deref(), Some(want), "{raw}");
        }
    }

    #[test]
    fn typing_slips_are_refused() {
        for raw in [
            "",
            "anna",
            "anna@",
            "@example.org",
            "anna@example",
            "anna@example.",
            "anna@.example.org",
            "anna@example..org",
            "anna adler@example.org",
            "anna@example,org",
            "anna@@example.org",
            "anna@exa mple.org",
            "anna@-example.org",
            "anna@example.o",
            ".anna@example.org",
            "an..na@example.org",
        ] {
            assert_eq!(normalise_email(raw), None, "{raw:?}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert_eq!(normalise_email(&long), None);
    }
}
