//! How a directory entry becomes a person: which attribute holds the login, the name, the
//! unit, the extension and the contact fields, and which groups give which roles and
//! features (`[directory.ldap.mapping]`, `[[directory.ldap.groups]]`).

use super::entry::{dn_parts_top_down, DirectoryEntry};
use super::problem::{EntryProblem, ProblemKind};
use crate::contact::{parse_email, parse_name, parse_phone};
use crate::role::default_roles;
use crate::{Extension, FeatureSet, Login, RoleSet, StaffRecord, UnitPath};
use serde::{Deserialize, Serialize};

/// Where a person's unit comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitSource {
    /// An attribute (`unit_attribute`, e.g. `department`) holding a path like
    /// `Abteilung 2/Sachgebiet 23`.
    Attribute,
    /// The organisational units of the entry's DN, from the top (`OU=Sachgebiet 23,OU=
    /// Abteilung 2,…` gives `Abteilung 2/Sachgebiet 23`), below `unit_root`.
    OuPath,
}

/// `[directory.ldap.mapping]`: attributes to fields. The defaults are Active Directory's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncMapping {
    /// The attribute that identifies an entry for good, across renames and moves
    /// (`objectGUID` on Active Directory, `entryUUID` on OpenLDAP).
    pub id_attribute: String,
    /// The login (`sAMAccountName`, or `uid`); lower-cased.
    pub login_attribute: String,
    /// The display name (`displayName`; `cn` when it is empty).
    pub name_attribute: String,
    /// Where the unit comes from.
    pub unit_from: UnitSource,
    /// The unit attribute when `unit_from = "attribute"`.
    pub unit_attribute: String,
    /// A unit path put above every unit from the directory, e.g. `Landratsamt`.
    pub unit_root: Option<String>,
    /// The attribute with the extension (`telephoneNumber` or `ipPhone`).
    pub extension_attribute: String,
    /// Take only the last this many digits (e.g. 4 for `+49 7461 926-2401` → `2401`);
    /// none: all digits of the value.
    pub extension_digits: Option<u8>,
    /// The e-mail attribute (`mail`); none: e-mail addresses stay as kept here.
    pub email_attribute: Option<String>,
    /// The mobile number attribute (`mobile`); none: mobile numbers stay as kept here.
    pub mobile_attribute: Option<String>,
    /// Treat an entry whose `userAccountControl` has the "account disabled" bit (2) as
    /// gone: the person is disabled here too.
    pub account_disabled_bit: bool,
}

impl Default for SyncMapping {
    fn default() -> Self {
        SyncMapping {
            id_attribute: "objectGUID".into(),
            login_attribute: "sAMAccountName".into(),
            name_attribute: "displayName".into(),
            unit_from: UnitSource::Attribute,
            unit_attribute: "department".into(),
            unit_root: None,
            extension_attribute: "telephoneNumber".into(),
            extension_digits: Some(4),
            email_attribute: Some("mail".into()),
            mobile_attribute: Some("mobile".into()),
            account_disabled_bit: true,
        }
    }
}

/// `[[directory.ldap.groups]]`: members of a group get roles and features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupRule {
    /// The group's DN, or just its name (the first part of the DN, e.g. `GG-Softphone`).
    pub group: String,
    /// Roles its members get (`admin`, `supervisor`, `agent`, `user`).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Features its members get (`softphone`, `meetings`, `mobile_work`, `hotline`).
    #[serde(default)]
    pub features: Vec<String>,
}

/// The fields the directory owns for the people it brings: a CSV import or an
/// administrator cannot change these for such a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnedFields {
    /// E-mail, when mapped.
    pub email: bool,
    /// Mobile number, when mapped.
    pub mobile: bool,
    /// Roles, when a group rule gives roles.
    pub roles: bool,
    /// Features, when a group rule gives features.
    pub features: bool,
}

/// A mapping checked once: group rules parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    /// The attribute settings.
    pub attributes: SyncMapping,
    rules: Vec<(GroupMatch, RoleSet, FeatureSet)>,
    unit_root: Option<UnitPath>,
}

/// How a rule names its group.
#[derive(Debug, Clone, PartialEq)]
enum GroupMatch {
    /// By its DN, as parts from the top, names and values in lower case.
    Dn(Vec<(String, String)>),
    /// By its name (the first value of its DN), lower case: only for feature rules.
    Name(String),
}

/// A DN's parts from the top with names and values in lower case, so that `CN=X, OU=Y`
/// and `cn=x,ou=y` are the same DN, as LDAP compares them.
fn normalised_dn(dn: &str) -> Vec<(String, String)> {
    dn_parts_top_down(dn)
        .into_iter()
        .map(|(name, value)| (name, value.to_lowercase()))
        .collect()
}

/// A person as the directory describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappedPerson {
    /// The value of the id attribute.
    pub external_id: String,
    /// The entry's DN (to bind as the person at sign-in).
    pub dn: String,
    /// The record with the fields the directory owns (others at their defaults).
    pub record: StaffRecord,
}

impl Mapping {
    /// Checks the settings and the group rules.
    pub fn new(attributes: SyncMapping, groups: &[GroupRule]) -> Result<Mapping, String> {
        let mut rules = Vec::new();
        for rule in groups {
            let context = |e: &dyn std::fmt::Display| {
                format!("[[directory.ldap.groups]] {:?}: {e}", rule.group)
            };
            let roles =
                RoleSet::parse_list(&rule.roles.join(";"), &[';']).map_err(|e| context(&e))?;
            let features = FeatureSet::parse_list(&rule.features.join(";"), &[';'])
                .map_err(|e| context(&e))?;
            let group = rule.group.trim();
            if group.is_empty() {
                return Err("[[directory.ldap.groups]] group must not be empty".into());
            }
            let matcher = if group.contains('=') {
                GroupMatch::Dn(normalised_dn(group))
            } else if !roles.is_empty() {
                // A group's name is unique only within its OU: whoever may create groups
                // in any OU could make one of that name and join it.
                return Err(context(
                    &"a rule that gives roles must name the group by its full DN",
                ));
            } else {
                GroupMatch::Name(group.to_lowercase())
            };
            rules.push((matcher, roles, features));
        }
        let unit_root = match &attributes.unit_root {
            Some(raw) => Some(
                UnitPath::parse(raw)
                    .map_err(|e| format!("[directory.ldap.mapping] unit_root: {e}"))?,
            ),
            None => None,
        };
        if let Some(0) | Some(16..) = attributes.extension_digits {
            return Err("[directory.ldap.mapping] extension_digits must be 2–15".into());
        }
        for (key, value) in [
            ("id_attribute", &attributes.id_attribute),
            ("login_attribute", &attributes.login_attribute),
            ("name_attribute", &attributes.name_attribute),
            ("extension_attribute", &attributes.extension_attribute),
        ] {
            if value.trim().is_empty() {
                return Err(format!("[directory.ldap.mapping] {key} must not be empty"));
            }
        }
        Ok(Mapping {
            attributes,
            rules,
            unit_root,
        })
    }

    /// Which fields the directory owns under this mapping.
    pub fn owned(&self) -> OwnedFields {
        OwnedFields {
            email: self.attributes.email_attribute.is_some(),
            mobile: self.attributes.mobile_attribute.is_some(),
            roles: self.rules.iter().any(|(_, r, _)| !r.is_empty()),
            features: self.rules.iter().any(|(_, _, f)| !f.is_empty()),
        }
    }

    /// The attributes a search must ask for.
    pub fn requested_attributes(&self) -> Vec<String> {
        let a = &self.attributes;
        let mut names = vec![
            a.id_attribute.clone(),
            a.login_attribute.clone(),
            a.name_attribute.clone(),
            "cn".to_string(),
            a.extension_attribute.clone(),
            "memberOf".to_string(),
        ];
        if a.unit_from == UnitSource::Attribute {
            names.push(a.unit_attribute.clone());
        }
        names.extend(a.email_attribute.clone());
        names.extend(a.mobile_attribute.clone());
        if a.account_disabled_bit {
            names.push("userAccountControl".to_string());
        }
        names.sort_by_key(|n| n.to_ascii_lowercase());
        names.dedup_by_key(|n| n.to_ascii_lowercase());
        names
    }

    /// The person an entry describes, or every reason it cannot be one.
    pub fn map_entry(&self, entry: &DirectoryEntry) -> Result<MappedPerson, Vec<EntryProblem>> {
        let a = &self.attributes;
        let mut problems = Vec::new();
        let mut problem = |attribute: &str, kind: ProblemKind| {
            problems.push(EntryProblem::new(&entry.dn, attribute, kind));
        };
        let external_id = entry.first(&a.id_attribute).map(str::to_string);
        if external_id.is_none() {
            problem(&a.id_attribute, ProblemKind::Missing);
        }
        let login = match entry.first(&a.login_attribute) {
            None => {
                problem(&a.login_attribute, ProblemKind::Missing);
                None
            }
            Some(raw) => Login::parse(&raw.to_lowercase())
                .map_err(|e| problem(&a.login_attribute, ProblemKind::Invalid(e)))
                .ok(),
        };
        let name = match entry.first(&a.name_attribute).or_else(|| entry.first("cn")) {
            None => {
                problem(&a.name_attribute, ProblemKind::Missing);
                None
            }
            Some(raw) => parse_name(raw)
                .map_err(|e| problem(&a.name_attribute, ProblemKind::Invalid(e)))
                .ok(),
        };
        let unit = match self.unit_of(entry) {
            Ok(unit) => Some(unit),
            Err(kind) => {
                let attribute = match a.unit_from {
                    UnitSource::Attribute => a.unit_attribute.as_str(),
                    UnitSource::OuPath => "dn",
                };
                problem(attribute, kind);
                None
            }
        };
        let extension = match entry.first(&a.extension_attribute) {
            None => {
                problem(&a.extension_attribute, ProblemKind::Missing);
                None
            }
            Some(raw) => {
                let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
                let keep = a.extension_digits.map_or(digits.len(), usize::from);
                let tail = &digits[digits.len().saturating_sub(keep)..];
                Extension::parse(tail)
                    .map_err(|e| problem(&a.extension_attribute, ProblemKind::Invalid(e)))
                    .ok()
            }
        };
        let optional = |attribute: &Option<String>,
                        parse: fn(&str) -> Result<Option<String>, crate::InvalidValue>,
                        problem: &mut dyn FnMut(&str, ProblemKind)| {
            let attribute = attribute.as_deref()?;
            let raw = entry.first(attribute)?;
            parse(raw)
                .map_err(|e| problem(attribute, ProblemKind::Invalid(e)))
                .ok()
                .flatten()
        };
        let email = optional(&a.email_attribute, parse_email, &mut problem);
        let mobile = optional(&a.mobile_attribute, parse_phone, &mut problem);
        let (roles, features) = self.roles_and_features(entry);
        match (external_id, login, name, unit, extension) {
            (Some(external_id), Some(login), Some(name), Some(unit), Some(extension))
                if problems.is_empty() =>
            {
                Ok(MappedPerson {
                    external_id,
                    dn: entry.dn.clone(),
                    record: StaffRecord {
                        login,
                        name,
                        unit,
                        extension,
                        email,
                        mobile,
                        home_phone: None,
                        roles,
                        features,
                    },
                })
            }
            _ => Err(problems),
        }
    }

    /// Whether the entry's account is disabled in the directory (`userAccountControl`'s
    /// bit 2), whatever else is wrong with it: offboarding often also clears fields.
    pub fn disabled_in_directory(&self, entry: &DirectoryEntry) -> bool {
        self.attributes.account_disabled_bit
            && entry
                .first("userAccountControl")
                .and_then(|v| v.parse::<u64>().ok())
                .is_some_and(|flags| flags & 2 != 0)
    }

    fn unit_of(&self, entry: &DirectoryEntry) -> Result<UnitPath, ProblemKind> {
        let path = match self.attributes.unit_from {
            UnitSource::Attribute => entry
                .first(&self.attributes.unit_attribute)
                .ok_or(ProblemKind::Missing)?
                .to_string(),
            UnitSource::OuPath => {
                let ous: Vec<String> = dn_parts_top_down(&entry.dn)
                    .into_iter()
                    .filter(|(name, _)| name == "ou")
                    .map(|(_, value)| value.replace('/', "-"))
                    .collect();
                if ous.is_empty() && self.unit_root.is_none() {
                    return Err(ProblemKind::NoUnit);
                }
                ous.join("/")
            }
        };
        let full = match (&self.unit_root, path.is_empty()) {
            (Some(root), true) => root.to_string(),
            (Some(root), false) => format!("{root}/{path}"),
            (None, _) => path,
        };
        UnitPath::parse(&full).map_err(ProblemKind::Invalid)
    }

    fn roles_and_features(&self, entry: &DirectoryEntry) -> (RoleSet, FeatureSet) {
        let mut roles = default_roles();
        let mut features = FeatureSet::default();
        for member_of in entry.all("memberOf") {
            let dn = normalised_dn(member_of);
            let name = dn.last().map(|(_, v)| v.as_str()).unwrap_or_default();
            for (group, r, f) in &self.rules {
                let matches = match group {
                    GroupMatch::Dn(parts) => *parts == dn,
                    GroupMatch::Name(wanted) => wanted == name,
                };
                if matches {
                    roles = roles.union(*r);
                    features = features.union(*f);
                }
            }
        }
        (roles, features)
    }
}
