//! Groups that a unit or an administrator defines: team panels and call groups.

use crate::InvalidValue;

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
    /// Validates a group name (1–100 characters, no control characters).
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        if (1..=100).contains(&s.chars().count()) && !s.chars().any(char::is_control) {
            Ok(GroupName(s.to_string()))
        } else {
            Err(InvalidValue::GroupName(raw.to_string()))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
