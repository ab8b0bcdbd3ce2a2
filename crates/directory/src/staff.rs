//! A member of staff as the directory knows them.

use crate::{Extension, FeatureSet, Login, RoleSet, UnitPath};

/// One person in the directory, without secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRecord {
    /// Sign-in name, unique.
    pub login: Login,
    /// Display name, e.g. "Jürgen Weiß".
    pub name: String,
    /// The unit the person belongs to.
    pub unit: UnitPath,
    /// Internal extension, unique.
    pub extension: Extension,
    /// Work e-mail address.
    pub email: Option<String>,
    /// Mobile number (for "any device" ringing and SMS codes).
    pub mobile: Option<String>,
    /// Home office number.
    pub home_phone: Option<String>,
    /// Roles held.
    pub roles: RoleSet,
    /// Features switched on.
    pub features: FeatureSet,
}
