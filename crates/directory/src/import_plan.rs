//! Deciding what a CSV import changes, before anything is written.
//!
//! The planner compares the parsed file with the current directory and returns the units to
//! create, the people to create and to update, the units whose leaders change (when the
//! file has the `head_of` column), and every problem. An import is idempotent:
//! planning the same file against the directory it produced yields no changes.

use crate::staff_csv::head_of::{self, CurrentLeader, LeaderChange};
use crate::staff_csv::{duplicates_within, ImportProblem, ParsedCsv, ProblemKind};
use crate::sync::OwnedFields;
use crate::{Extension, Login, StaffRecord, UnitPath};
use std::collections::{BTreeSet, HashMap, HashSet};

/// The part of the directory an import is checked against.
#[derive(Debug, Clone, Default)]
pub struct DirectorySnapshot {
    /// Everyone in the directory.
    pub staff: Vec<StaffRecord>,
    /// Every unit in the directory.
    pub units: Vec<UnitPath>,
    /// People who come from the LDAP directory: a CSV import cannot change the fields it
    /// owns (name, unit and extension always, the others as `owned` says).
    pub from_directory: HashSet<Login>,
    /// The fields the LDAP directory owns besides name, unit and extension.
    pub owned: Option<OwnedFields>,
    /// Who leads which unit.
    pub leaders: Vec<CurrentLeader>,
}

/// What an import will do. Apply it only when `problems` is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportPlan {
    /// Units to create, each after its parent.
    pub new_units: Vec<UnitPath>,
    /// People to add.
    pub creates: Vec<StaffRecord>,
    /// People whose record changes (the full new record).
    pub updates: Vec<StaffRecord>,
    /// People in the file whose record is already as the file says.
    pub unchanged: usize,
    /// Units whose head or deputies change, by unit (only with the `head_of` column).
    pub leaders: Vec<LeaderChange>,
    /// Everything wrong, by line; non-empty means: write nothing.
    pub problems: Vec<ImportProblem>,
}

impl ImportPlan {
    /// Whether applying the plan would change nothing.
    pub fn is_noop(&self) -> bool {
        self.new_units.is_empty()
            && self.creates.is_empty()
            && self.updates.is_empty()
            && self.leaders.is_empty()
    }
}

/// Plans an import of `parsed` into the directory `current`.
pub fn plan_import(current: &DirectorySnapshot, parsed: ParsedCsv) -> ImportPlan {
    let mut problems = parsed.problems;
    problems.extend(duplicates_within(&parsed.rows));

    let existing: HashMap<&Login, &StaffRecord> =
        current.staff.iter().map(|s| (&s.login, s)).collect();
    let file_extension: HashMap<&Login, &Extension> = parsed
        .rows
        .iter()
        .map(|r| (&r.record.login, &r.record.extension))
        .collect();
    // Who holds an extension after the import, among people the file does not move.
    let holder: HashMap<&Extension, &Login> = current
        .staff
        .iter()
        .filter(|s| {
            file_extension
                .get(&s.login)
                .is_none_or(|e| **e == s.extension)
        })
        .map(|s| (&s.extension, &s.login))
        .collect();

    let known_units: BTreeSet<&UnitPath> = current.units.iter().collect();
    let mut new_units = BTreeSet::new();
    let mut plan = ImportPlan::default();
    for row in &parsed.rows {
        let wanted = &row.record;
        if let Some(other) = holder
            .get(&wanted.extension)
            .filter(|l| ***l != wanted.login)
        {
            let kind = ProblemKind::ExtensionTaken {
                extension: wanted.extension.to_string(),
                login: other.to_string(),
            };
            problems.push(ImportProblem {
                line: row.line,
                field: Some("extension"),
                kind,
            });
        }
        for unit in wanted.unit.with_ancestors() {
            if !known_units.contains(&unit) {
                new_units.insert(unit);
            }
        }
        match existing.get(&wanted.login) {
            None => plan.creates.push(wanted.clone()),
            Some(old) => {
                let merged = merge(old, wanted, &parsed.columns);
                if current.from_directory.contains(&old.login) {
                    if let Some(field) = directory_owned_change(old, &merged, current.owned) {
                        problems.push(ImportProblem {
                            line: row.line,
                            field: Some(field),
                            kind: ProblemKind::OwnedByDirectory {
                                login: old.login.to_string(),
                            },
                        });
                    }
                }
                if merged == **old {
                    plan.unchanged += 1;
                } else {
                    plan.updates.push(merged);
                }
            }
        }
    }
    if parsed.columns.head_of {
        let after: BTreeSet<&UnitPath> = known_units
            .union(&new_units.iter().collect())
            .copied()
            .collect();
        let (leaders, wrong) = head_of::plan(&current.leaders, &parsed.rows, &after);
        plan.leaders = leaders;
        problems.extend(wrong);
    }
    problems.sort_by_key(|p| p.line);
    plan.new_units = new_units.into_iter().collect();
    plan.problems = problems;
    plan
}

/// The first field the LDAP directory owns that a change from `old` to `new` touches
/// (name, unit and extension always; the others as `owned` says, all when unknown).
pub fn directory_owned_change(
    old: &StaffRecord,
    new: &StaffRecord,
    owned: Option<OwnedFields>,
) -> Option<&'static str> {
    let owned = owned.unwrap_or(OwnedFields {
        email: true,
        mobile: true,
        roles: true,
        features: true,
    });
    [
        ("name", old.name != new.name),
        ("unit", old.unit != new.unit),
        ("extension", old.extension != new.extension),
        ("email", owned.email && old.email != new.email),
        ("mobile", owned.mobile && old.mobile != new.mobile),
        ("roles", owned.roles && old.roles != new.roles),
        ("features", owned.features && old.features != new.features),
    ]
    .into_iter()
    .find_map(|(field, changed)| changed.then_some(field))
}

/// The record after the import: columns the file lacks keep their old values.
fn merge(
    old: &StaffRecord,
    new: &StaffRecord,
    present: &crate::staff_csv::OptionalColumns,
) -> StaffRecord {
    let pick = |has: bool, new_v: &Option<String>, old_v: &Option<String>| {
        if has {
            new_v.clone()
        } else {
            old_v.clone()
        }
    };
    StaffRecord {
        login: new.login.clone(),
        name: new.name.clone(),
        unit: new.unit.clone(),
        extension: new.extension.clone(),
        email: pick(present.email, &new.email, &old.email),
        mobile: pick(present.mobile, &new.mobile, &old.mobile),
        home_phone: pick(present.home_phone, &new.home_phone, &old.home_phone),
        roles: if present.roles { new.roles } else { old.roles },
        features: if present.features {
            new.features
        } else {
            old.features
        },
    }
}
