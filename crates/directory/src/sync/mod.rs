//! Following a directory server (Active Directory, OpenLDAP): how its entries become
//! people (`mapping`), and what a sync changes (`plan`). Pure: the LDAP client and the
//! writing live in the server's shell (`server/src/directory_sync/`).

pub mod entry;
pub mod mapping;
pub mod plan;
pub mod problem;

#[cfg(test)]
mod tests;

pub use entry::DirectoryEntry;
pub use mapping::{GroupRule, MappedPerson, Mapping, OwnedFields, SyncMapping, UnitSource};
pub use plan::{plan_sync, Fetched, GuardStop, KnownPerson, SyncPlan, SyncUpdate, SyncedPerson};
pub use problem::{EntryProblem, ProblemKind};
