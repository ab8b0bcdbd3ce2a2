//! Who may see a colleague's work location and status note. Everyone in the organisation
//! sees the state; location and note are configurable (default: own unit only).

use crate::PresenceError;
use serde::{Deserialize, Serialize};

/// Who sees a piece of presence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// Everyone in the organisation.
    Organisation,
    /// Colleagues in the same unit.
    Unit,
    /// Nobody but the person.
    Nobody,
}

impl Audience {
    /// Reads `organisation`, `unit` or `nobody`.
    pub fn parse(text: &str) -> Result<Audience, PresenceError> {
        match text {
            "organisation" => Ok(Audience::Organisation),
            "unit" => Ok(Audience::Unit),
            "nobody" => Ok(Audience::Nobody),
            other => Err(PresenceError::UnknownAudience(other.to_owned())),
        }
    }

    fn admits(self, same_unit: bool) -> bool {
        match self {
            Audience::Organisation => true,
            Audience::Unit => same_unit,
            Audience::Nobody => false,
        }
    }
}

/// The organisation's privacy settings for presence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Privacy {
    /// Who sees the work location.
    pub location: Audience,
    /// Who sees the status note.
    pub note: Audience,
}

impl Default for Privacy {
    fn default() -> Self {
        Privacy {
            location: Audience::Unit,
            note: Audience::Unit,
        }
    }
}

/// What one viewer may see of one person besides the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct View {
    /// The work location.
    pub location: bool,
    /// The status note.
    pub note: bool,
}

impl View {
    /// Everything (for the person themself).
    pub const ALL: View = View {
        location: true,
        note: true,
    };

    /// An index 0..4, to keep one rendering per distinct view.
    pub fn index(self) -> usize {
        usize::from(self.location) | usize::from(self.note) << 1
    }
}

impl Privacy {
    /// What a viewer sees of a subject; a person always sees all of their own presence.
    pub fn view(&self, same_person: bool, same_unit: bool) -> View {
        if same_person {
            return View::ALL;
        }
        View {
            location: self.location.admits(same_unit),
            note: self.note.admits(same_unit),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_location_and_note_for_the_own_unit() {
        let p = Privacy::default();
        assert_eq!(p.view(false, true), View::ALL);
        assert_eq!(p.view(false, false), View::default());
        assert_eq!(p.view(true, false), View::ALL);
        let open = Privacy {
            location: Audience::Organisation,
            note: Audience::Nobody,
        };
        assert_eq!(
            open.view(false, false),
            View {
                location: true,
                note: false
            }
        );
        assert_eq!(Audience::parse("unit").unwrap(), Audience::Unit);
        assert!(Audience::parse("everyone").is_err());
        let indexes: Vec<usize> = [
            View::default(),
            View {
                location: true,
                note: false,
            },
            View {
                location: false,
                note: true,
            },
            View::ALL,
        ]
        .iter()
        .map(|v| v.index())
        .collect();
        assert_eq!(indexes, vec![0, 1, 2, 3]);
    }
}
