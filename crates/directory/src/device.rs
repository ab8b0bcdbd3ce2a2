//! SIP devices of a person: the label a person gives one ("Softphone Homeoffice") and the
//! SIP user name it authenticates with (`EXTENSION-N`, the lowest number not yet taken).

use crate::{InvalidValue, NameKind};

/// A validated device label.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeviceLabel(String);

impl DeviceLabel {
    /// Validates a label (1–60 characters, no control characters, nothing hidden that
    /// changes how it is shown; trimmed).
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        if !(1..=60).contains(&s.chars().count()) || s.chars().any(char::is_control) {
            return Err(InvalidValue::DeviceLabel(raw.to_string()));
        }
        InvalidValue::if_hidden(NameKind::DeviceLabel, raw)?;
        Ok(DeviceLabel(s.to_string()))
    }

    /// The label.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The user name for a person's next device: `EXTENSION-N` with the lowest N ≥ 1 that is
/// not in `taken` (user names of existing devices; others are ignored).
///
/// ```
/// use directory::device::next_sip_username;
/// let taken = ["2501-1".to_string(), "2501-3".to_string(), "25011-2".to_string()];
/// assert_eq!(next_sip_username("2501", &taken), "2501-2");
/// ```
pub fn next_sip_username(extension: &str, taken: &[String]) -> String {
    let prefix = format!("{extension}-");
    let used: std::collections::HashSet<u32> = taken
        .iter()
        .filter_map(|name| name.strip_prefix(&prefix)?.parse().ok())
        .collect();
    let n = (1..).find(|n| !used.contains(n)).unwrap_or(1);
    format!("{prefix}{n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_trimmed_and_bounded() {
        assert_eq!(
            DeviceLabel::parse("  Tischtelefon Büro 2.14 ")
                .unwrap()
                .as_str(),
            "Tischtelefon Büro 2.14"
        );
        assert!(DeviceLabel::parse(" ").is_err());
        assert!(DeviceLabel::parse(&"x".repeat(61)).is_err());
        assert!(DeviceLabel::parse("Handy\u{7}").is_err());
        assert!(matches!(
            DeviceLabel::parse("Handy \u{202E}ecifforuB"),
            Err(InvalidValue::HiddenCharacter {
                what: NameKind::DeviceLabel,
                ..
            })
        ));
    }

    #[test]
    fn user_names_count_up_from_one_and_fill_gaps() {
        assert_eq!(next_sip_username("2401", &[]), "2401-1");
        let taken: Vec<String> = ["2401-1", "2401-2", "2401-x"].map(String::from).into();
        assert_eq!(next_sip_username("2401", &taken), "2401-3");
    }
}
