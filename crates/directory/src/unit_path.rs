//! Organisational units form a tree (Amt → Abteilung → Sachgebiet), named by their path.

use crate::{InvalidValue, NameKind};
use std::fmt;

/// A path of unit names from the top, e.g. `Abteilung 2/Sachgebiet 23 IKT`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitPath(Vec<String>);

impl UnitPath {
    /// Parses a `/`-separated path as people enter it; spaces around each name are
    /// trimmed, and a name holding a hidden character that changes how it is shown is
    /// refused.
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let path = Self::from_stored(raw)?;
        InvalidValue::if_hidden(NameKind::Unit, raw)?;
        Ok(path)
    }

    /// Reads a path the store wrote: the shape is checked as in [`UnitPath::parse`], but
    /// hidden characters that earlier versions let in are kept, so such a directory still
    /// loads (clients show every name isolated).
    pub fn from_stored(raw: &str) -> Result<Self, InvalidValue> {
        let parts: Vec<String> = raw.split('/').map(|p| p.trim().to_string()).collect();
        let valid = parts
            .iter()
            .all(|p| (1..=100).contains(&p.chars().count()) && !p.chars().any(char::is_control));
        if valid && parts.len() <= 8 {
            Ok(UnitPath(parts))
        } else {
            Err(InvalidValue::UnitPath(raw.to_string()))
        }
    }

    /// The unit names from the top down.
    pub fn segments(&self) -> &[String] {
        &self.0
    }

    /// The last name in the path.
    pub fn name(&self) -> &str {
        self.0.last().map(String::as_str).unwrap_or_default()
    }

    /// The parent unit, or `None` for a top-level unit.
    pub fn parent(&self) -> Option<UnitPath> {
        (self.0.len() > 1).then(|| UnitPath(self.0[..self.0.len() - 1].to_vec()))
    }

    /// This path and all its ancestors, top-level first.
    pub fn with_ancestors(&self) -> impl Iterator<Item = UnitPath> + '_ {
        (1..=self.0.len()).map(|n| UnitPath(self.0[..n].to_vec()))
    }

    /// Whether `self` is `other` or lies below it.
    pub fn is_within(&self, other: &UnitPath) -> bool {
        self.0.starts_with(&other.0)
    }
}

impl fmt::Display for UnitPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_walks_the_tree() {
        let p = UnitPath::parse(" Abteilung 2 / Sachgebiet 23 IKT").unwrap();
        assert_eq!(p.to_string(), "Abteilung 2/Sachgebiet 23 IKT");
        assert_eq!(p.name(), "Sachgebiet 23 IKT");
        assert_eq!(p.parent().unwrap().to_string(), "Abteilung 2");
        assert_eq!(p.with_ancestors().count(), 2);
        assert!(p.is_within(&UnitPath::parse("Abteilung 2").unwrap()));
        assert!(!UnitPath::parse("Abteilung 22")
            .unwrap()
            .is_within(&p.parent().unwrap()));
    }

    #[test]
    fn refuses_hidden_characters_but_reads_them_from_the_store() {
        let spoof = "Abteilung 2/Sachgebiet \u{202E}TKI";
        assert!(matches!(
            UnitPath::parse(spoof),
            Err(InvalidValue::HiddenCharacter {
                what: NameKind::Unit,
                ..
            })
        ));
        assert_eq!(UnitPath::from_stored(spoof).unwrap().to_string(), spoof);
        assert!(UnitPath::from_stored("a//b").is_err());
    }

    #[test]
    fn rejects_empty_segments() {
        for bad in ["", "a//b", "/a", "a/", "  "] {
            assert!(UnitPath::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
