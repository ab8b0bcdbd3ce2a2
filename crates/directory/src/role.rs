//! Roles decide what a person may do in Durchwahl.

use crate::flags::{Flag, FlagSet};
use crate::InvalidValue;

/// A role a person holds. Everyone who may sign in holds at least `user`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// IT staff who run the installation.
    Admin,
    /// Team leads: see their team's figures, manage queues.
    Supervisor,
    /// Hotline agents who take calls from a queue.
    Agent,
    /// Every member of staff.
    User,
    /// Members of the staff council (Personalrat): read the aggregate reports on mobile
    /// work, never individual data.
    Council,
}

impl Flag for Role {
    const ALL: &'static [Self] = &[
        Role::Admin,
        Role::Supervisor,
        Role::Agent,
        Role::User,
        Role::Council,
    ];

    fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Agent => "agent",
            Role::User => "user",
            Role::Council => "council",
        }
    }

    fn bit(self) -> u32 {
        match self {
            Role::Admin => 0,
            Role::Supervisor => 1,
            Role::Agent => 2,
            Role::User => 3,
            Role::Council => 4,
        }
    }

    fn unknown(name: &str) -> InvalidValue {
        InvalidValue::Role(name.to_string())
    }
}

/// The roles of one person.
pub type RoleSet = FlagSet<Role>;

/// The roles a person gets when none are given: `user`.
pub fn default_roles() -> RoleSet {
    RoleSet::default().with(Role::User)
}
