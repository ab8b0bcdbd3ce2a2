//! Chat message text: what may be sent, who is mentioned, and how search sees it.

use crate::PresenceError;

/// The longest message text, in characters.
pub const TEXT_MAX_CHARS: usize = 4_000;

/// Checks a message text: at most [`TEXT_MAX_CHARS`], no control characters but line
/// breaks and tabs, and not blank unless a file is attached. Returns it with line ends
/// normalised to `\n`, surrounding blank space removed and every bidi override closed
/// within its line (`directory::display_text::balance_bidi`): the text keeps its marks and
/// joiners, which Arabic, Hebrew and emoji need, but cannot reorder what is shown after it.
/// The limit counts the closers too, so a stored text never exceeds it.
pub fn check_text(text: &str, has_attachment: bool) -> Result<String, PresenceError> {
    let text = directory::display_text::balance_bidi(text.replace("\r\n", "\n").trim());
    if text.is_empty() && !has_attachment {
        return Err(PresenceError::EmptyMessage);
    }
    if text.chars().count() > TEXT_MAX_CHARS {
        return Err(PresenceError::MessageTooLong {
            max: TEXT_MAX_CHARS,
        });
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(PresenceError::MessageControlCharacters);
    }
    Ok(text)
}

/// The logins mentioned as `@login` (lower-cased, each once, in order of appearance). A
/// mention starts at the text's start or after a non-word character; a trailing `.` or
/// `-` belongs to the sentence, not the login.
pub fn mentions(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    let mut prev: Option<char> = None;
    for (i, c) in text.char_indices() {
        let starts = c == '@' && !prev.is_some_and(|p| p.is_alphanumeric() || p == '.' || p == '_');
        prev = Some(c);
        if !starts {
            continue;
        }
        let rest = &text[i + 1..];
        let len = rest
            .find(|ch: char| !(ch.is_ascii_alphanumeric() || matches!(ch, '.' | '_' | '-')))
            .unwrap_or(rest.len());
        let login = rest[..len]
            .trim_end_matches(['.', '-'])
            .to_ascii_lowercase();
        if !login.is_empty() && !found.contains(&login) {
            found.push(login);
        }
    }
    found
}

/// The form search compares: lower-case, umlauts kept.
pub fn fold_for_search(text: &str) -> String {
    text.to_lowercase()
}

/// A SQL `LIKE` pattern (escape character `\`) that finds `query` anywhere.
pub fn like_pattern(query: &str) -> String {
    let mut out = String::with_capacity(query.len() + 2);
    out.push('%');
    for c in fold_for_search(query.trim()).chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rules() {
        assert_eq!(
            check_text("  Hallo\r\nWelt ", false).unwrap(),
            "Hallo\nWelt"
        );
        assert_eq!(check_text("  ", false), Err(PresenceError::EmptyMessage));
        assert_eq!(check_text("", true).unwrap(), "");
        assert_eq!(
            check_text("a\u{0}b", false),
            Err(PresenceError::MessageControlCharacters)
        );
        assert!(check_text("a\tb", false).is_ok());
        assert!(check_text(&"ü".repeat(TEXT_MAX_CHARS), false).is_ok());
        assert!(matches!(
            check_text(&"ü".repeat(TEXT_MAX_CHARS + 1), false),
            Err(PresenceError::MessageTooLong { .. })
        ));
    }

    #[test]
    fn overrides_are_closed_and_marks_and_joiners_kept() {
        assert_eq!(
            check_text("Anhang: \u{202E}fdp.exe\nund mehr", false).unwrap(),
            "Anhang: \u{202E}fdp.exe\u{202C}\nund mehr"
        );
        assert_eq!(check_text("\u{2069}Hallo", false).unwrap(), "Hallo");
        for kept in [
            "Familie 👨\u{200D}👩\u{200D}👧",
            "مرحبا\u{200F} (Sachgebiet 2)",
        ] {
            assert_eq!(check_text(kept, false).unwrap(), kept);
        }
        let full = format!("\u{202E}{}", "x".repeat(TEXT_MAX_CHARS - 1));
        assert!(
            matches!(
                check_text(&full, false),
                Err(PresenceError::MessageTooLong { .. })
            ),
            "the closer counts"
        );
    }

    #[test]
    fn mention_rules() {
        assert_eq!(
            mentions("@a.schneider, hast du Zeit? Frag auch @K.Weber. @a.schneider"),
            vec!["a.schneider", "k.weber"]
        );
        assert!(mentions("mail an info@landkreis.de").is_empty());
        assert!(mentions("@ allein").is_empty());
        assert_eq!(mentions("(@m_yilmaz)"), vec!["m_yilmaz"]);
        assert_eq!(mentions("Grüße @ü"), Vec::<String>::new());
    }

    #[test]
    fn search_patterns() {
        assert_eq!(like_pattern(" Übergabe "), "%übergabe%");
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
