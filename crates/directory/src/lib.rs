//! The organisation's staff directory: units, staff, extensions, roles, feature switches
//! and groups, plus the pure rules for bulk provisioning (CSV import planning and export).
//!
//! Nothing here touches a database, a file or a clock: the store loads a
//! [`DirectorySnapshot`], [`import_plan::plan_import`] decides what an import changes, and
//! the store applies that plan in one transaction.
#![deny(missing_docs)]

pub mod contact;
pub mod csv_formula;
pub mod csv_text;
pub mod demo_org;
pub mod device;
pub mod display_text;
pub mod extension;
pub mod fax_number;
pub mod feature;
pub mod flags;
pub mod forwarding;
pub mod fuzzing;
pub mod group;
pub mod import_plan;
pub mod login;
pub mod role;
pub mod staff;
pub mod staff_csv;
pub mod sync;
pub mod unit_path;

pub use extension::Extension;
pub use feature::{Feature, FeatureSet};
pub use forwarding::{
    target_for, ForwardingError, ForwardingPath, ForwardingRules, RuleKind, Situation,
};
pub use group::{GroupKind, GroupName};
pub use import_plan::{directory_owned_change, plan_import, DirectorySnapshot, ImportPlan};
pub use login::Login;
pub use role::{Role, RoleSet};
pub use staff::StaffRecord;
pub use staff_csv::{parse_staff_csv, write_staff_csv, CsvDialect, ImportProblem, ProblemKind};
pub use unit_path::UnitPath;

/// Which kind of name a value is, for messages that name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// A person's display name.
    Person,
    /// A unit path.
    Unit,
    /// A group's name.
    Group,
    /// A device label.
    DeviceLabel,
}

impl std::fmt::Display for NameKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NameKind::Person => "name",
            NameKind::Unit => "unit path",
            NameKind::Group => "group name",
            NameKind::DeviceLabel => "device label",
        })
    }
}

/// A value that did not pass validation, with what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidValue {
    /// A login must be 1–64 characters of `a-z 0-9 . _ -`, starting with a letter or digit.
    #[error("login {0:?} is not valid: use 1–64 characters a-z, 0-9, '.', '_' or '-', starting with a letter or digit")]
    Login(String),
    /// An extension is 2–15 digits.
    #[error("extension {0:?} is not valid: use 2–15 digits")]
    Extension(String),
    /// A unit path is one or more non-empty names separated by `/`.
    #[error("unit path {0:?} is not valid: use names separated by '/', e.g. 'Abteilung 2/Sachgebiet 23 IKT'")]
    UnitPath(String),
    /// The role is not one of admin, supervisor, agent, user.
    #[error("unknown role {0:?}: known roles are admin, supervisor, agent, user")]
    Role(String),
    /// The feature is not one of softphone, meetings, mobile_work, hotline.
    #[error("unknown feature {0:?}: known features are softphone, meetings, mobile_work, hotline")]
    Feature(String),
    /// An e-mail address needs one `@` with text on both sides and no spaces.
    #[error("e-mail address {0:?} is not valid")]
    Email(String),
    /// A phone number holds digits, an optional leading `+`, spaces, `/`, `-` and brackets.
    #[error(
        "phone number {0:?} is not valid: use digits, a leading '+', spaces, '/', '-' or brackets"
    )]
    Phone(String),
    /// A display name is 1–200 characters without control characters.
    #[error("name {0:?} is not valid: it must be 1–200 characters without control characters")]
    Name(String),
    /// A group name is 1–100 characters without control characters.
    #[error(
        "group name {0:?} is not valid: it must be 1–100 characters without control characters"
    )]
    GroupName(String),
    /// A device label is 1–60 characters without control characters.
    #[error(
        "device label {0:?} is not valid: it must be 1–60 characters without control characters"
    )]
    DeviceLabel(String),
    /// A name holds a character that changes how it is shown without being seen
    /// ([`display_text::is_hidden`]). The value is shown escaped (`\u{202e}`), so the
    /// message itself cannot be reordered by it.
    #[error("{what} {value:?} contains the invisible character {hidden}, which can make it display as something else; remove it")]
    HiddenCharacter {
        /// Which kind of name.
        what: NameKind,
        /// The value as given.
        value: String,
        /// The first such character in it.
        hidden: display_text::HiddenChar,
    },
}

impl InvalidValue {
    /// Refuses `value` when it holds a hidden character; used by every name's parser.
    pub(crate) fn if_hidden(what: NameKind, value: &str) -> Result<(), InvalidValue> {
        match display_text::first_hidden(value) {
            None => Ok(()),
            Some(hidden) => Err(InvalidValue::HiddenCharacter {
                what,
                value: value.to_string(),
                hidden,
            }),
        }
    }
}
