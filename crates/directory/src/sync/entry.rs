//! One entry as the directory server returned it: its DN and its attribute values.

use std::collections::HashMap;

/// An entry of the directory (a person), with attribute names in lower case so that
/// `displayName` and `displayname` are the same attribute, as LDAP says they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectoryEntry {
    /// The distinguished name, e.g. `CN=Anna Berger,OU=Sachgebiet 23,DC=lra,DC=de`.
    pub dn: String,
    attributes: HashMap<String, Vec<String>>,
}

impl DirectoryEntry {
    /// An entry with no attributes yet.
    pub fn new(dn: impl Into<String>) -> Self {
        DirectoryEntry {
            dn: dn.into(),
            attributes: HashMap::new(),
        }
    }

    /// With the values of an attribute (its name in any case) set.
    pub fn with(mut self, name: &str, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.insert(name, values.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the values of an attribute (its name in any case).
    pub fn insert(&mut self, name: &str, values: Vec<String>) {
        self.attributes.insert(name.to_ascii_lowercase(), values);
    }

    /// The first non-empty value of an attribute.
    pub fn first(&self, name: &str) -> Option<&str> {
        self.all(name)
            .iter()
            .map(|v| v.trim())
            .find(|v| !v.is_empty())
    }

    /// Every value of an attribute (none: empty).
    pub fn all(&self, name: &str) -> &[String] {
        self.attributes
            .get(&name.to_ascii_lowercase())
            .map_or(&[], Vec::as_slice)
    }
}

/// The attribute-value pairs of a DN from the top down, e.g. `OU=Sachgebiet 23,OU=Amt 2,
/// DC=lra` gives `[("ou","Amt 2"),("ou","Sachgebiet 23")]` after the DC parts (reversed,
/// names in lower case). Escaped commas (`\,`) stay inside their value.
pub fn dn_parts_top_down(dn: &str) -> Vec<(String, String)> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    for c in dn.chars() {
        match c {
            _ if escaped => {
                current.push(c);
                escaped = false;
            }
            '\\' => escaped = true,
            ',' | ';' => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    parts
        .into_iter()
        .rev()
        .filter_map(|p| {
            let (name, value) = p.split_once('=')?;
            Some((name.trim().to_ascii_lowercase(), value.trim().to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_names_ignore_case_and_empty_values_are_skipped() {
        let e = DirectoryEntry::new("cn=a")
            .with("displayName", ["", "Anna Berger"])
            .with("MAIL", ["a@lra.de"]);
        assert_eq!(e.first("displayname"), Some("Anna Berger"));
        assert_eq!(e.first("mail"), Some("a@lra.de"));
        assert_eq!(e.first("mobile"), None);
        assert!(e.all("memberOf").is_empty());
    }

    #[test]
    fn dn_parts_come_top_down_with_escaped_commas_kept() {
        let parts = dn_parts_top_down("CN=Berger\\, Anna,OU=Sachgebiet 23,OU=Amt 2,DC=lra,DC=de");
        let values: Vec<&str> = parts.iter().map(|(_, v)| v.as_str()).collect();
        assert_eq!(
            values,
            ["de", "lra", "Amt 2", "Sachgebiet 23", "Berger, Anna"]
        );
        assert_eq!(parts[2].0, "ou");
    }
}
