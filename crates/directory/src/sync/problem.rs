//! Why a directory entry was left out of a sync: reported, while the rest is applied.

use crate::InvalidValue;

/// One entry that could not be taken over, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryProblem {
    /// The entry's DN.
    pub dn: String,
    /// The attribute at fault (`dn` when the DN itself is).
    pub attribute: String,
    /// What is wrong.
    pub kind: ProblemKind,
}

impl EntryProblem {
    /// A problem with `attribute` of the entry `dn`.
    pub fn new(dn: &str, attribute: &str, kind: ProblemKind) -> Self {
        EntryProblem {
            dn: dn.to_string(),
            attribute: attribute.to_string(),
            kind,
        }
    }
}

impl std::fmt::Display for EntryProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.dn, self.attribute, self.kind)
    }
}

/// What is wrong with an entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProblemKind {
    /// The attribute is missing or empty.
    #[error("the attribute is missing or empty")]
    Missing,
    /// The value does not parse.
    #[error("{0}")]
    Invalid(InvalidValue),
    /// No unit can be derived (no OU in the DN and no unit root).
    #[error("no unit can be derived: the DN has no OU and no unit_root is set")]
    NoUnit,
    /// Another person has the extension.
    #[error(
        "extension {extension} also belongs to {other}; neither is changed until one is corrected"
    )]
    ExtensionTaken {
        /// The extension.
        extension: String,
        /// Who else has it (a login, or another DN).
        other: String,
    },
    /// A local administrator (from a CSV import or the set-up) has the login: the
    /// directory does not take over administrators, so whoever controls a directory
    /// account of that name does not become one (and the local emergency administrator
    /// keeps signing in when the directory is down).
    #[error("login {login} belongs to a local administrator, whom the directory does not take over; rename one of them")]
    LocalAdministrator {
        /// The login.
        login: String,
    },
    /// Another person has the login.
    #[error("login {login} belongs to another person ({other})")]
    LoginTaken {
        /// The login.
        login: String,
        /// Who has it (a login or DN).
        other: String,
    },
}
