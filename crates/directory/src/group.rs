//! Groups that a unit or an administrator defines: team panels and call groups.

use crate::{InvalidValue, NameKind};

/// What a group is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupKind {
    /// People shown together on a team panel (presence).
    TeamPanel,
    /// People called together (hunt or parallel ringing).
    CallGroup,
}

impl GroupKind {
    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupKind::TeamPanel => "team_panel",
            GroupKind::CallGroup => "call_group",
        }
    }

    /// Parses the stored name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "team_panel" => Some(GroupKind::TeamPanel),
            "call_group" => Some(GroupKind::CallGroup),
            _ => None,
        }
    }
}

/// A validated group name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GroupName(String);

impl GroupName {
    /// Validates a group name (1–100 characters, no control characters, nothing hidden
    /// that changes how it is shown).
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        if !(1..=100).contains(&s.chars().count()) || s.chars().any(char::is_control) {
            return Err(InvalidValue::GroupName(raw.to_string()));
        }
        InvalidValue::if_hidden(NameKind::Group, raw)?;
        Ok(GroupName(s.to_string()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_hidden_characters_refused() {
        assert_eq!(
            GroupName::parse(" Krisenstab ").unwrap().as_str(),
            "Krisenstab"
        );
        assert!(GroupName::parse("Krisen\u{7}stab").is_err());
        assert!(matches!(
            GroupName::parse("Krisen\u{2066}stab"),
            Err(InvalidValue::HiddenCharacter {
                what: NameKind::Group,
                ..
            })
        ));
    }
}
