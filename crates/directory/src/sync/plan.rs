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
use crate::{Login, Role, StaffRecord, UnitPath};
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
    /// People from the directory enabled now.
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
    let matched = match_entries(known, mapping, fetched, &mut plan.problems);
    let disabled_now = disables(known, fetched, &matched, &mut plan.disables);
    let dropped = clashes(
        known,
        mapping,
        &matched.wanted,
        &disabled_now,
        &mut plan.problems,
    );
    changes(known, units, mapping, matched.wanted, &dropped, &mut plan);
    plan.guard = guard(known, plan.disables.len(), max_disable_share, confirmed);
    plan
}

/// The entries that can be taken over, each with whom it matches here.
struct Matched {
    /// Mapped entries and the index of the person they match (none: a new person).
    wanted: Vec<(MappedPerson, Option<usize>)>,
    /// The ids of entries disabled in the directory.
    gone: HashSet<String>,
}

/// Step 1: maps the entries and matches each to someone here by id, else by login (a
/// person from a CSV import is adopted; a leaver may come back under a new entry).
fn match_entries(
    known: &[KnownPerson],
    mapping: &Mapping,
    fetched: &Fetched,
    problems: &mut Vec<EntryProblem>,
) -> Matched {
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
    let mut matched = Matched {
        wanted: Vec::new(),
        gone: HashSet::new(),
    };
    let mut seen_logins: HashMap<Login, String> = HashMap::new();
    let mut mapped_all = Vec::new();
    for entry in &fetched.entries {
        // Disabled in the directory: gone here, even if its fields no longer map.
        if mapping.disabled_in_directory(entry) {
            if let Some(id) = entry.first(&mapping.attributes.id_attribute) {
                matched.gone.insert(id.to_string());
                continue;
            }
        }
        let mapped = match mapping.map_entry(entry) {
            Ok(m) => m,
            Err(found) => {
                problems.extend(found);
                continue;
            }
        };
        if let Some(first) = seen_logins.insert(mapped.record.login.clone(), mapped.dn.clone()) {
            problems.push(login_taken(&mapped, &first));
            continue;
        }
        mapped_all.push(mapped);
    }
    // People whose entry now has another login free their old one (renames, swaps); if
    // such an entry is left out later, step 3 finds the clash and leaves out the other.
    let by_entry: Vec<Option<usize>> = mapped_all
        .iter()
        .map(|m| by_id.get(m.external_id.as_str()).copied())
        .collect();
    let renamed: HashSet<usize> = mapped_all
        .iter()
        .zip(&by_entry)
        .filter_map(|(m, i)| i.filter(|&i| known[i].record.login != m.record.login))
        .collect();
    let decisions: Vec<Result<Option<usize>, ProblemKind>> = mapped_all
        .iter()
        .zip(&by_entry)
        .map(|(m, &by_id)| decide(known, fetched, &by_login, &renamed, m, by_id))
        .collect();
    for (mapped, decision) in mapped_all.into_iter().zip(decisions) {
        match decision {
            Ok(index) => matched.wanted.push((mapped, index)),
            Err(kind) => problems.push(EntryProblem::new(&mapped.dn, "login", kind)),
        }
    }
    matched
}

/// Whom entry `m` (matched by id to `by_id`) takes over, or who holds its login.
fn decide(
    known: &[KnownPerson],
    fetched: &Fetched,
    by_login: &HashMap<&Login, usize>,
    renamed: &HashSet<usize>,
    m: &MappedPerson,
    by_id: Option<usize>,
) -> Result<Option<usize>, ProblemKind> {
    let holder = by_login
        .get(&m.record.login)
        .copied()
        .filter(|h| !renamed.contains(h));
    match by_id {
        Some(i) => match holder {
            Some(h) if h != i => Err(ProblemKind::LoginTaken {
                login: m.record.login.to_string(),
                other: known[h].record.login.to_string(),
            }),
            _ => Ok(Some(i)),
        },
        // A person whose old entry is gone may come back under a new entry with the same
        // login (AD: a new account for someone rehired): the same person again. Anyone
        // else's login from the directory is taken.
        None => match holder {
            Some(i) if known[i].external_id.is_some() && !came_back(&known[i], fetched) => {
                Err(ProblemKind::LoginTaken {
                    login: m.record.login.to_string(),
                    other: known[i].dn.clone().unwrap_or_default(),
                })
            }
            Some(i)
                if known[i].external_id.is_none()
                    && known[i].record.roles.contains(Role::Admin) =>
            {
                Err(ProblemKind::LocalAdministrator {
                    login: m.record.login.to_string(),
                })
            }
            found => Ok(found),
        },
    }
}

/// Step 2: those no longer present, or disabled in the directory, are disabled (unless
/// a new entry takes them over).
fn disables(
    known: &[KnownPerson],
    fetched: &Fetched,
    matched: &Matched,
    out: &mut Vec<Login>,
) -> HashSet<usize> {
    let taken_over: HashSet<usize> = matched.wanted.iter().filter_map(|(_, i)| *i).collect();
    let gone = &matched.gone;
    let mut disabled_now = HashSet::new();
    for (i, p) in known.iter().enumerate() {
        let Some(id) = p.external_id.as_deref() else {
            continue;
        };
        if taken_over.contains(&i) {
            continue;
        }
        let absent = fetched
            .present
            .as_ref()
            .is_some_and(|set| !set.contains(id));
        if !p.disabled && (absent || gone.contains(id)) {
            disabled_now.insert(i);
            out.push(p.record.login.clone());
        }
    }
    disabled_now
}

/// Step 3: one holder per extension among the enabled, and per login among everyone,
/// after the sync. Disabled people hold no extension (theirs is parked). Entries that
/// clash are left out (returned) until no clash remains.
fn clashes(
    known: &[KnownPerson],
    mapping: &Mapping,
    wanted: &[(MappedPerson, Option<usize>)],
    disabled_now: &HashSet<usize>,
    problems: &mut Vec<EntryProblem>,
) -> HashSet<usize> {
    let mut dropped: HashSet<usize> = HashSet::new();
    loop {
        let moving: HashSet<usize> = wanted
            .iter()
            .enumerate()
            .filter(|(w, _)| !dropped.contains(w))
            .filter_map(|(_, (_, m))| *m)
            .collect();
        let mut extensions: HashMap<&str, Vec<Holder>> = HashMap::new();
        let mut logins: HashMap<&str, Vec<Holder>> = HashMap::new();
        for (i, p) in known
            .iter()
            .enumerate()
            .filter(|(i, _)| !moving.contains(i))
        {
            logins
                .entry(p.record.login.as_str())
                .or_default()
                .push(Holder::Kept(i));
            if !p.disabled && !disabled_now.contains(&i) {
                let list = extensions.entry(p.record.extension.as_str()).or_default();
                list.push(Holder::Kept(i));
            }
        }
        for (w, (m, _)) in wanted
            .iter()
            .enumerate()
            .filter(|(w, _)| !dropped.contains(w))
        {
            let list = extensions.entry(m.record.extension.as_str()).or_default();
            list.push(Holder::Wanted(w));
            logins
                .entry(m.record.login.as_str())
                .or_default()
                .push(Holder::Wanted(w));
        }
        let mut clashing = Vec::new();
        for (is_login, holders) in [(false, &extensions), (true, &logins)] {
            for (value, list) in holders.iter().filter(|(_, list)| list.len() > 1) {
                for h in list {
                    let Holder::Wanted(w) = h else { continue };
                    let other = match list.iter().find(|o| *o != h) {
                        Some(Holder::Kept(i)) => known[*i].record.login.to_string(),
                        Some(Holder::Wanted(x)) => wanted[*x].0.dn.clone(),
                        None => String::new(),
                    };
                    let (attribute, kind) = if is_login {
                        let login = value.to_string();
                        (
                            "login".to_string(),
                            ProblemKind::LoginTaken { login, other },
                        )
                    } else {
                        let extension = value.to_string();
                        let attribute = mapping.attributes.extension_attribute.clone();
                        (attribute, ProblemKind::ExtensionTaken { extension, other })
                    };
                    clashing.push((*w, attribute, kind));
                }
            }
        }
        if clashing.is_empty() {
            return dropped;
        }
        for (w, attribute, kind) in clashing {
            if dropped.insert(w) {
                problems.push(EntryProblem::new(&wanted[w].0.dn, &attribute, kind));
            }
        }
    }
}

/// Step 4: the people to add and to change, with the fields the directory owns, and the
/// units they need.
fn changes(
    known: &[KnownPerson],
    units: &[UnitPath],
    mapping: &Mapping,
    wanted: Vec<(MappedPerson, Option<usize>)>,
    dropped: &HashSet<usize>,
    plan: &mut SyncPlan,
) {
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
        let record = merged(&old.record, mapped.record, owned);
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
}

/// The record after the sync: the directory's owned fields, ours for the rest.
fn merged(old: &StaffRecord, d: StaffRecord, owned: super::OwnedFields) -> StaffRecord {
    let pick = |own: bool, new: Option<String>, old: &Option<String>| {
        if own {
            new
        } else {
            old.clone()
        }
    };
    StaffRecord {
        login: d.login,
        name: d.name,
        unit: d.unit,
        extension: d.extension,
        email: pick(owned.email, d.email, &old.email),
        mobile: pick(owned.mobile, d.mobile, &old.mobile),
        home_phone: old.home_phone.clone(),
        roles: if owned.roles { d.roles } else { old.roles },
        features: if owned.features {
            d.features
        } else {
            old.features
        },
    }
}

/// Step 5: the guard against a wrong filter.
fn guard(
    known: &[KnownPerson],
    would_disable: usize,
    max_share: f64,
    confirmed: bool,
) -> Option<GuardStop> {
    // The share of the people from the directory: in a house that also has CSV people a
    // wrong filter must not hide behind them.
    let enabled = known
        .iter()
        .filter(|p| !p.disabled && p.external_id.is_some())
        .count();
    let share = would_disable as f64 / enabled.max(1) as f64;
    (!confirmed && would_disable > 0 && share > max_share).then_some(GuardStop {
        would_disable,
        enabled,
        max_share,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holder {
    Kept(usize),
    Wanted(usize),
}

/// Whether `p`'s entry is no longer in the directory (so a new entry with their login is
/// them again).
fn came_back(p: &KnownPerson, fetched: &Fetched) -> bool {
    match (&fetched.present, p.external_id.as_deref()) {
        (Some(present), Some(id)) => !present.contains(id),
        _ => false,
    }
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
