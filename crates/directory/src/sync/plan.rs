//! Deciding what a directory sync changes, before anything is written: people to add,
//! to change, to disable and to enable again, and every entry left out with why.
//!
//! A sync never deletes. People who left the directory (or its filter, or whose account
//! is disabled there) are disabled here and kept for the audit; people who come back are
//! enabled again. Entries with a problem are reported and left as they are (a person
//! already here keeps their record and is not disabled), and the rest is applied. A plan
//! that would disable more than the allowed share of everyone is stopped (`guard`).

use super::entry::DirectoryEntry;
use super::mapping::{MappedPerson, Mapping};
use super::problem::{EntryProblem, ProblemKind};
use crate::{Login, StaffRecord, UnitPath};
use std::collections::{BTreeSet, HashMap, HashSet};

/// A person as the sync finds them here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownPerson {
    /// Their record.
    pub record: StaffRecord,
    /// The directory's id, for people who come from the directory.
    pub external_id: Option<String>,
    /// Their DN, for people who come from the directory.
    pub dn: Option<String>,
    /// Disabled (left the directory).
    pub disabled: bool,
}

/// What the sync saw in the directory.
#[derive(Debug, Clone, Default)]
pub struct Fetched {
    /// The ids of every entry the filter matches now (also those with problems), or
    /// `None` when only some entries were read and no one may be disabled.
    pub present: Option<HashSet<String>>,
    /// The entries read with their attributes (all of them, or the changed ones).
    pub entries: Vec<DirectoryEntry>,
}

/// A person to write, with where they come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncedPerson {
    /// The directory's id.
    pub external_id: String,
    /// The entry's DN.
    pub dn: String,
    /// The record to write (all fields).
    pub record: StaffRecord,
}

/// A person who changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncUpdate {
    /// Their login before the sync (the key to update by).
    pub login_before: Login,
    /// The record before.
    pub before: StaffRecord,
    /// The person after.
    pub after: SyncedPerson,
    /// They were disabled and come back.
    pub enable: bool,
}

/// Why a plan was stopped before anything was written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GuardStop {
    /// People the sync would disable.
    pub would_disable: usize,
    /// People enabled now.
    pub enabled: usize,
    /// The largest share allowed without confirmation.
    pub max_share: f64,
}

/// What a sync will do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncPlan {
    /// Units to create, each after its parent.
    pub new_units: Vec<UnitPath>,
    /// People to add.
    pub creates: Vec<SyncedPerson>,
    /// People to change (or enable again).
    pub updates: Vec<SyncUpdate>,
    /// People to disable.
    pub disables: Vec<Login>,
    /// People from the directory whose record is already right.
    pub unchanged: usize,
    /// Entries left out, with why.
    pub problems: Vec<EntryProblem>,
    /// Set when the plan disables too many people and must be confirmed.
    pub guard: Option<GuardStop>,
}

impl SyncPlan {
    /// Whether applying the plan changes nothing.
    pub fn is_noop(&self) -> bool {
        self.new_units.is_empty()
            && self.creates.is_empty()
            && self.updates.is_empty()
            && self.disables.is_empty()
    }
}

/// Plans a sync of what was `fetched` into the people `known` here (everyone, local and
/// from the directory) and the `units` that exist. `max_disable_share` is the guard
/// (e.g. 0.1); `confirmed` lifts it.
pub fn plan_sync(
    known: &[KnownPerson],
    units: &[UnitPath],
    mapping: &Mapping,
    fetched: &Fetched,
    max_disable_share: f64,
    confirmed: bool,
) -> SyncPlan {
    let mut plan = SyncPlan::default();
    let by_id: HashMap<&str, usize> = known
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some((p.external_id.as_deref()?, i)))
        .collect();
    let by_login: HashMap<&Login, usize> = known
        .iter()
        .enumerate()
        .map(|(i, p)| (&p.record.login, i))
        .collect();

    // 1. Map the entries; match each to someone here by id, else by login (adoption of a
    //    person from a CSV import).
    let mut wanted: Vec<(MappedPerson, Option<usize>)> = Vec::new();
    let mut seen_logins: HashMap<Login, String> = HashMap::new();
    let mut gone_in_directory: HashSet<String> = HashSet::new();
    for entry in &fetched.entries {
        let mapped = match mapping.map_entry(entry) {
            Ok(m) => m,
            Err(problems) => {
                plan.problems.extend(problems);
                continue;
            }
        };
        if mapped.disabled {
            gone_in_directory.insert(mapped.external_id.clone());
            continue;
        }
        if let Some(first) = seen_logins.insert(mapped.record.login.clone(), mapped.dn.clone()) {
            plan.problems.push(login_taken(&mapped, &first));
            continue;
        }
        let matched = match by_id.get(mapped.external_id.as_str()) {
            Some(&i) => {
                let holder = by_login.get(&mapped.record.login).copied();
                if holder.is_some_and(|h| h != i) {
                    let other = known[holder.unwrap_or(i)].record.login.to_string();
                    plan.problems.push(login_taken(&mapped, &other));
                    continue;
                }
                Some(i)
            }
            None => match by_login.get(&mapped.record.login) {
                // A person whose old entry is gone (disabled here) may come back under a
                // new entry with the same login (AD: a new account for someone rehired):
                // the same person again. Anyone else's login is taken.
                Some(&i) if known[i].external_id.is_some() && !came_back(&known[i], fetched) => {
                    let other = known[i].dn.clone().unwrap_or_default();
                    plan.problems.push(login_taken(&mapped, &other));
                    continue;
                }
                found => found.copied(),
            },
        };
        wanted.push((mapped, matched));
    }

    // 2. Disable those no longer present (or disabled in the directory).
    let mut disabled_now: HashSet<usize> = HashSet::new();
    for (i, p) in known.iter().enumerate() {
        let Some(id) = p.external_id.as_deref() else {
            continue;
        };
        let absent = fetched
            .present
            .as_ref()
            .is_some_and(|set| !set.contains(id));
        if !p.disabled && (absent || gone_in_directory.contains(id)) {
            disabled_now.insert(i);
            plan.disables.push(p.record.login.clone());
        }
    }

    // 3. Extensions: one holder each after the sync. Disabled people hold none (theirs is
    //    parked). Entries that clash are left out until no clash remains.
    let mut dropped: HashSet<usize> = HashSet::new();
    loop {
        let mut holders: HashMap<&str, Vec<Holder>> = HashMap::new();
        let moving: HashSet<usize> = wanted
            .iter()
            .enumerate()
            .filter(|(w, _)| !dropped.contains(w))
            .filter_map(|(_, (_, m))| *m)
            .collect();
        for (i, p) in known.iter().enumerate() {
            if !p.disabled && !disabled_now.contains(&i) && !moving.contains(&i) {
                holders
                    .entry(p.record.extension.as_str())
                    .or_default()
                    .push(Holder::Kept(i));
            }
        }
        for (w, (m, _)) in wanted.iter().enumerate() {
            if !dropped.contains(&w) {
                holders
                    .entry(m.record.extension.as_str())
                    .or_default()
                    .push(Holder::Wanted(w));
            }
        }
        let mut clashing: Vec<(usize, String, String)> = Vec::new();
        for (extension, list) in &holders {
            if list.len() < 2 {
                continue;
            }
            for h in list {
                if let Holder::Wanted(w) = h {
                    let other = list
                        .iter()
                        .find(|o| *o != h)
                        .map(|o| match o {
                            Holder::Kept(i) => known[*i].record.login.to_string(),
                            Holder::Wanted(x) => wanted[*x].0.dn.clone(),
                        })
                        .unwrap_or_default();
                    clashing.push((*w, extension.to_string(), other));
                }
            }
        }
        if clashing.is_empty() {
            break;
        }
        for (w, extension, other) in clashing {
            if dropped.insert(w) {
                let kind = ProblemKind::ExtensionTaken { extension, other };
                let attribute = mapping.attributes.extension_attribute.clone();
                plan.problems
                    .push(EntryProblem::new(&wanted[w].0.dn, &attribute, kind));
            }
        }
    }

    // 4. Creates and updates, with the fields the directory owns.
    let owned = mapping.owned();
    let known_units: BTreeSet<&UnitPath> = units.iter().collect();
    let mut new_units = BTreeSet::new();
    for (w, (mapped, matched)) in wanted.into_iter().enumerate() {
        if dropped.contains(&w) {
            continue;
        }
        for unit in mapped.record.unit.with_ancestors() {
            if !known_units.contains(&unit) {
                new_units.insert(unit);
            }
        }
        let Some(i) = matched else {
            plan.creates.push(SyncedPerson {
                external_id: mapped.external_id,
                dn: mapped.dn,
                record: mapped.record,
            });
            continue;
        };
        let old = &known[i];
        let d = mapped.record;
        let record = StaffRecord {
            login: d.login,
            name: d.name,
            unit: d.unit,
            extension: d.extension,
            email: if owned.email {
                d.email
            } else {
                old.record.email.clone()
            },
            mobile: if owned.mobile {
                d.mobile
            } else {
                old.record.mobile.clone()
            },
            home_phone: old.record.home_phone.clone(),
            roles: if owned.roles {
                d.roles
            } else {
                old.record.roles
            },
            features: if owned.features {
                d.features
            } else {
                old.record.features
            },
        };
        let same = record == old.record
            && old.external_id.as_deref() == Some(mapped.external_id.as_str())
            && old.dn.as_deref() == Some(mapped.dn.as_str())
            && !old.disabled;
        if same {
            plan.unchanged += 1;
            continue;
        }
        plan.updates.push(SyncUpdate {
            login_before: old.record.login.clone(),
            before: old.record.clone(),
            after: SyncedPerson {
                external_id: mapped.external_id,
                dn: mapped.dn,
                record,
            },
            enable: old.disabled,
        });
    }
    plan.new_units = new_units.into_iter().collect();

    // 5. The guard against a wrong filter.
    let enabled = known.iter().filter(|p| !p.disabled).count();
    let share = plan.disables.len() as f64 / enabled.max(1) as f64;
    if !confirmed && !plan.disables.is_empty() && share > max_disable_share {
        plan.guard = Some(GuardStop {
            would_disable: plan.disables.len(),
            enabled,
            max_share: max_disable_share,
        });
    }
    plan
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holder {
    Kept(usize),
    Wanted(usize),
}

/// Whether `p` is disabled here and their old entry is no longer in the directory.
fn came_back(p: &KnownPerson, fetched: &Fetched) -> bool {
    let old_entry_gone = match (&fetched.present, p.external_id.as_deref()) {
        (Some(present), Some(id)) => !present.contains(id),
        _ => false,
    };
    p.disabled && old_entry_gone
}

fn login_taken(mapped: &MappedPerson, other: &str) -> EntryProblem {
    EntryProblem::new(
        &mapped.dn,
        "login",
        ProblemKind::LoginTaken {
            login: mapped.record.login.to_string(),
            other: other.to_string(),
        },
    )
}
