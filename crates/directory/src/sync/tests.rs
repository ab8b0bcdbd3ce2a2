//! The sync rules on small hand-made directories.

use super::*;
use crate::{Extension, Feature, FeatureSet, Login, Role, RoleSet, StaffRecord, UnitPath};

fn mapping() -> Mapping {
    let attributes = SyncMapping {
        id_attribute: "entryUUID".into(),
        ..SyncMapping::default()
    };
    let groups = [
        GroupRule {
            group: "GG-Softphone".into(),
            roles: vec![],
            features: vec!["softphone".into()],
        },
        GroupRule {
            group: "cn=GG-Admins,ou=Gruppen,dc=lra,dc=test".into(),
            roles: vec!["admin".into()],
            features: vec![],
        },
    ];
    Mapping::new(attributes, &groups).unwrap()
}

fn entry(id: &str, login: &str, name: &str, unit: &str, phone: &str) -> DirectoryEntry {
    DirectoryEntry::new(format!("cn={login},ou=Benutzer,dc=lra,dc=test"))
        .with("entryUUID", [id])
        .with("sAMAccountName", [login])
        .with("displayName", [name])
        .with("department", [unit])
        .with("telephoneNumber", [phone])
        .with("userAccountControl", ["512"])
}

fn all(entries: Vec<DirectoryEntry>) -> Fetched {
    let present = entries
        .iter()
        .filter_map(|e| e.first("entryUUID").map(str::to_string))
        .collect();
    Fetched {
        present: Some(present),
        entries,
    }
}

fn known(plan: &SyncPlan, before: &[KnownPerson]) -> Vec<KnownPerson> {
    // What the directory looks like after applying `plan` to `before`.
    let mut after: Vec<KnownPerson> = before
        .iter()
        .map(|p| {
            let mut p = p.clone();
            if plan.disables.contains(&p.record.login) {
                p.disabled = true;
            }
            if let Some(u) = plan
                .updates
                .iter()
                .find(|u| u.login_before == p.record.login)
            {
                p.record = u.after.record.clone();
                p.external_id = Some(u.after.external_id.clone());
                p.dn = Some(u.after.dn.clone());
                p.disabled = false;
            }
            p
        })
        .collect();
    after.extend(plan.creates.iter().map(|c| KnownPerson {
        record: c.record.clone(),
        external_id: Some(c.external_id.clone()),
        dn: Some(c.dn.clone()),
        disabled: false,
    }));
    after
}

fn local(login: &str, extension: &str) -> KnownPerson {
    KnownPerson {
        record: StaffRecord {
            login: Login::parse(login).unwrap(),
            name: login.to_string(),
            unit: UnitPath::parse("Amt").unwrap(),
            extension: Extension::parse(extension).unwrap(),
            email: Some("kept@lra.de".into()),
            mobile: None,
            home_phone: Some("07461 1234".into()),
            roles: RoleSet::default().with(Role::User).with(Role::Supervisor),
            features: FeatureSet::default(),
        },
        external_id: None,
        dn: None,
        disabled: false,
    }
}

#[test]
fn a_first_sync_adds_everyone_with_units_extensions_and_group_features() {
    let e = entry(
        "u1",
        "ABerger",
        "Anna Berger",
        "Amt 2/SG 23",
        "+49 7461 926-2401",
    )
    .with("memberOf", ["CN=GG-Softphone,OU=Gruppen,DC=lra,DC=test"])
    .with("mail", ["anna.berger@lra.de"]);
    let plan = plan_sync(&[], &[], &mapping(), &all(vec![e]), 0.1, false);
    assert_eq!(plan.problems, []);
    assert_eq!(plan.creates.len(), 1);
    let r = &plan.creates[0].record;
    assert_eq!(r.login.as_str(), "aberger");
    assert_eq!(r.extension.as_str(), "2401");
    assert_eq!(r.unit.to_string(), "Amt 2/SG 23");
    assert_eq!(r.email.as_deref(), Some("anna.berger@lra.de"));
    assert!(r.features.contains(Feature::Softphone));
    assert!(r.roles.contains(Role::User) && !r.roles.contains(Role::Admin));
    let units: Vec<String> = plan.new_units.iter().map(ToString::to_string).collect();
    assert_eq!(units, ["Amt 2", "Amt 2/SG 23"]);
}

#[test]
fn the_same_directory_twice_changes_nothing() {
    let entries = vec![
        entry("u1", "aberger", "Anna Berger", "Amt 2", "2401"),
        entry("u2", "bkrause", "Bernd Krause", "Amt 3", "2402"),
    ];
    let plan = plan_sync(&[], &[], &mapping(), &all(entries.clone()), 0.1, false);
    let after = known(&plan, &[]);
    let units = plan.new_units.clone();
    let again = plan_sync(&after, &units, &mapping(), &all(entries), 0.1, false);
    assert!(again.is_noop(), "{again:?}");
    assert_eq!(again.unchanged, 2);
}

#[test]
fn a_person_from_a_csv_import_is_adopted_by_login_and_keeps_what_the_directory_does_not_own() {
    let before = [local("aberger", "2401")];
    let e = entry("u1", "aberger", "Anna Berger", "Amt 2", "2499");
    let m = Mapping::new(
        SyncMapping {
            id_attribute: "entryUUID".into(),
            email_attribute: None,
            ..SyncMapping::default()
        },
        &[],
    )
    .unwrap();
    let plan = plan_sync(&before, &[], &m, &all(vec![e]), 0.1, false);
    assert!(plan.creates.is_empty());
    let u = &plan.updates[0];
    assert_eq!(u.after.external_id, "u1");
    assert_eq!(u.after.record.extension.as_str(), "2499");
    assert_eq!(u.after.record.email.as_deref(), Some("kept@lra.de"));
    assert_eq!(u.after.record.home_phone.as_deref(), Some("07461 1234"));
    assert!(
        u.after.record.roles.contains(Role::Supervisor),
        "roles are not owned"
    );
}

#[test]
fn leavers_and_disabled_accounts_are_disabled_and_come_back_enabled() {
    let entries = vec![
        entry("u1", "aberger", "Anna Berger", "Amt 2", "2401"),
        entry("u2", "bkrause", "Bernd Krause", "Amt 2", "2402"),
        entry("u3", "cdietz", "Clara Dietz", "Amt 2", "2403"),
    ];
    let first = plan_sync(&[], &[], &mapping(), &all(entries.clone()), 0.1, false);
    let here = known(&first, &[]);
    // u2 leaves the filter, u3's account is disabled in the directory.
    let changed = vec![
        entries[0].clone(),
        entry("u3", "cdietz", "Clara Dietz", "Amt 2", "2403").with("userAccountControl", ["514"]),
    ];
    let plan = plan_sync(
        &here,
        &first.new_units,
        &mapping(),
        &all(changed),
        1.0,
        false,
    );
    let mut gone: Vec<&str> = plan.disables.iter().map(Login::as_str).collect();
    gone.sort();
    assert_eq!(gone, ["bkrause", "cdietz"]);
    assert!(plan.creates.is_empty() && plan.updates.is_empty());
    let here = known(&plan, &here);
    // Bernd comes back: enabled, same person.
    let back = plan_sync(
        &here,
        &first.new_units,
        &mapping(),
        &all(entries),
        1.0,
        false,
    );
    let enabled: Vec<&str> = back
        .updates
        .iter()
        .filter(|u| u.enable)
        .map(|u| u.after.record.login.as_str())
        .collect();
    assert_eq!(enabled, ["bkrause", "cdietz"]);
    assert!(back.creates.is_empty());
}

#[test]
fn the_guard_stops_a_sync_that_would_disable_too_many() {
    let entries: Vec<_> = (0..20)
        .map(|i| {
            entry(
                &format!("u{i}"),
                &format!("p{i}"),
                "Name",
                "Amt",
                &format!("{}", 2400 + i),
            )
        })
        .collect();
    let first = plan_sync(&[], &[], &mapping(), &all(entries.clone()), 0.1, false);
    let here = known(&first, &[]);
    // A wrong filter: only 17 of 20 come back; 3 of 20 = 15 % > 10 %.
    let plan = plan_sync(
        &here,
        &first.new_units,
        &mapping(),
        &all(entries[..17].to_vec()),
        0.1,
        false,
    );
    let guard = plan.guard.expect("guard");
    assert_eq!((guard.would_disable, guard.enabled), (3, 20));
    // Two of 20 (10 %) is within the limit; confirmation lifts the guard.
    let two = plan_sync(
        &here,
        &first.new_units,
        &mapping(),
        &all(entries[..18].to_vec()),
        0.1,
        false,
    );
    assert!(two.guard.is_none());
    let confirmed = plan_sync(
        &here,
        &first.new_units,
        &mapping(),
        &all(entries[..17].to_vec()),
        0.1,
        true,
    );
    assert!(confirmed.guard.is_none() && confirmed.disables.len() == 3);
}

#[test]
fn conflicts_are_reported_and_the_rest_applies() {
    let before = [local("zentrale", "2000")];
    let entries = vec![
        entry("u1", "aberger", "Anna Berger", "Amt 2", "2401"),
        entry("u2", "bkrause", "Bernd Krause", "Amt 2", "2401"), // same extension as u1
        entry("u3", "cdietz", "Clara Dietz", "Amt 2", "2000"),   // a local person's
        entry("u4", "ddorn", "Dora Dorn", "", "2404"),           // no unit
        entry("u5", "eeck", "Emil Eck", "Amt 2", "no number"),   // extension does not parse
        entry("u6", "ffink", "Frida Fink", "Amt 2", "2406"),
    ];
    let plan = plan_sync(&before, &[], &mapping(), &all(entries), 0.1, false);
    let created: Vec<&str> = plan
        .creates
        .iter()
        .map(|c| c.record.login.as_str())
        .collect();
    assert_eq!(created, ["ffink"]);
    let mut dns: Vec<&str> = plan.problems.iter().map(|p| p.dn.as_str()).collect();
    dns.sort();
    assert_eq!(
        dns,
        [
            "cn=aberger,ou=Benutzer,dc=lra,dc=test",
            "cn=bkrause,ou=Benutzer,dc=lra,dc=test",
            "cn=cdietz,ou=Benutzer,dc=lra,dc=test",
            "cn=ddorn,ou=Benutzer,dc=lra,dc=test",
            "cn=eeck,ou=Benutzer,dc=lra,dc=test",
        ]
    );
    assert!(
        plan.disables.is_empty(),
        "nobody from a CSV import is disabled"
    );
    let taken = plan
        .problems
        .iter()
        .find(|p| p.dn.starts_with("cn=cdietz"))
        .unwrap();
    assert_eq!(
        taken.kind,
        ProblemKind::ExtensionTaken {
            extension: "2000".into(),
            other: "zentrale".into()
        }
    );
}

#[test]
fn a_leaver_disabled_in_the_directory_is_disabled_even_when_fields_were_cleared() {
    let entries = vec![entry("u1", "aberger", "Anna Berger", "Amt 2", "2401")];
    let first = plan_sync(&[], &[], &mapping(), &all(entries), 1.0, false);
    let here = known(&first, &[]);
    let offboarded = DirectoryEntry::new("cn=aberger,ou=Benutzer,dc=lra,dc=test")
        .with("entryUUID", ["u1"])
        .with("sAMAccountName", ["aberger"])
        .with("userAccountControl", ["514"]);
    let plan = plan_sync(
        &here,
        &first.new_units,
        &mapping(),
        &all(vec![offboarded]),
        1.0,
        false,
    );
    assert_eq!(
        plan.disables,
        [Login::parse("aberger").unwrap()],
        "{plan:?}"
    );
    assert!(plan.problems.is_empty());
}

#[test]
fn a_person_with_a_problem_is_neither_changed_nor_disabled() {
    let entries = vec![entry("u1", "aberger", "Anna Berger", "Amt 2", "2401")];
    let first = plan_sync(&[], &[], &mapping(), &all(entries), 0.1, false);
    let here = known(&first, &[]);
    let broken = vec![entry("u1", "aberger", "Anna Berger", "Amt 2", "x")];
    let plan = plan_sync(
        &here,
        &first.new_units,
        &mapping(),
        &all(broken),
        0.1,
        false,
    );
    assert!(plan.is_noop(), "{plan:?}");
    assert_eq!(plan.problems.len(), 1);
}

#[test]
fn a_leaver_frees_the_extension_for_a_newcomer_and_swaps_work() {
    let entries = vec![
        entry("u1", "aberger", "Anna Berger", "Amt 2", "2401"),
        entry("u2", "bkrause", "Bernd Krause", "Amt 2", "2402"),
        entry("u3", "cdietz", "Clara Dietz", "Amt 2", "2403"),
    ];
    let first = plan_sync(&[], &[], &mapping(), &all(entries), 0.1, false);
    let here = known(&first, &[]);
    let next = vec![
        entry("u1", "aberger", "Anna Berger", "Amt 2", "2402"), // swap with u2
        entry("u2", "bkrause", "Bernd Krause", "Amt 2", "2401"),
        entry("u4", "gneu", "Gerd Neu", "Amt 2", "2403"), // u3's after u3 left
    ];
    let plan = plan_sync(&here, &first.new_units, &mapping(), &all(next), 1.0, false);
    assert_eq!(plan.problems, []);
    assert_eq!(plan.updates.len(), 2);
    assert_eq!(plan.creates[0].record.extension.as_str(), "2403");
    assert_eq!(plan.disables[0].as_str(), "cdietz");
}

#[test]
fn a_partial_read_disables_nobody() {
    let entries = vec![entry("u1", "aberger", "Anna Berger", "Amt 2", "2401")];
    let first = plan_sync(&[], &[], &mapping(), &all(entries), 0.1, false);
    let here = known(&first, &[]);
    let partial = Fetched {
        present: None,
        entries: vec![],
    };
    let plan = plan_sync(&here, &first.new_units, &mapping(), &partial, 0.1, false);
    assert!(plan.is_noop());
}

#[test]
fn units_can_come_from_the_ou_path_below_a_root() {
    let m = Mapping::new(
        SyncMapping {
            id_attribute: "entryUUID".into(),
            unit_from: UnitSource::OuPath,
            unit_root: Some("Landratsamt".into()),
            ..SyncMapping::default()
        },
        &[],
    )
    .unwrap();
    let e = DirectoryEntry::new("CN=Berger\\, Anna,OU=SG 23,OU=Amt 2,DC=lra,DC=test")
        .with("entryUUID", ["u1"])
        .with("sAMAccountName", ["aberger"])
        .with("cn", ["Berger, Anna"])
        .with("ipPhone", ["2401"])
        .with("telephoneNumber", ["07461 926 2401"]);
    let p = m.map_entry(&e).unwrap();
    assert_eq!(p.record.unit.to_string(), "Landratsamt/Amt 2/SG 23");
    assert_eq!(
        p.record.name, "Berger, Anna",
        "cn when displayName is empty"
    );
    assert!(m.requested_attributes().iter().any(|a| a == "memberOf"));
}

#[test]
fn group_rules_match_by_dn_or_name_and_bad_rules_are_refused() {
    let e = entry("u1", "aberger", "Anna Berger", "Amt 2", "2401")
        .with("memberOf", ["cn=gg-admins,ou=gruppen,dc=lra,dc=test"]);
    let p = mapping().map_entry(&e).unwrap();
    assert!(p.record.roles.contains(Role::Admin));
    assert!(!p.record.features.contains(Feature::Softphone));
    let bad = GroupRule {
        group: "GG-X".into(),
        roles: vec!["chef".into()],
        features: vec![],
    };
    assert!(Mapping::new(SyncMapping::default(), &[bad]).is_err());
    // A rule giving roles must name its group by DN: a name is unique only in its OU.
    let by_name = GroupRule {
        group: "GG-Admins".into(),
        roles: vec!["admin".into()],
        features: vec![],
    };
    let refused = Mapping::new(SyncMapping::default(), &[by_name]).unwrap_err();
    assert!(refused.contains("full DN"), "{refused}");
    // A look-alike group of the same name in another OU gives no admin role; spaces and
    // case in the DN do not matter.
    let elsewhere = entry("u2", "bkrause", "Bernd Krause", "Amt 2", "2402").with(
        "memberOf",
        ["CN=GG-Admins,OU=Eigene Gruppen,DC=lra,DC=test"],
    );
    assert!(!mapping()
        .map_entry(&elsewhere)
        .unwrap()
        .record
        .roles
        .contains(Role::Admin));
    let spaced = entry("u3", "cdietz", "Clara Dietz", "Amt 2", "2403")
        .with("memberOf", ["CN=GG-Admins, OU=Gruppen, DC=lra, DC=test"]);
    assert!(mapping()
        .map_entry(&spaced)
        .unwrap()
        .record
        .roles
        .contains(Role::Admin));
}

#[test]
fn a_leaver_back_under_a_new_entry_is_the_same_person_again() {
    let entries = vec![entry("u1", "aberger", "Anna Berger", "Amt 2", "2401")];
    let first = plan_sync(&[], &[], &mapping(), &all(entries), 1.0, false);
    let here = known(&first, &[]);
    let gone = plan_sync(
        &here,
        &first.new_units,
        &mapping(),
        &all(vec![]),
        1.0,
        false,
    );
    let here = known(&gone, &here);
    let rehired = vec![entry("u9", "aberger", "Anna Berger", "Amt 3", "2409")];
    let back = plan_sync(
        &here,
        &first.new_units,
        &mapping(),
        &all(rehired.clone()),
        1.0,
        false,
    );
    assert!(
        back.creates.is_empty() && back.problems.is_empty(),
        "{back:?}"
    );
    assert!(back.updates[0].enable);
    assert_eq!(back.updates[0].after.external_id, "u9");
    // While the old entry is still there, the login stays taken.
    let both = vec![
        entry("u1", "aberger", "Anna Berger", "Amt 2", "2401"),
        rehired[0].clone(),
    ];
    let taken = plan_sync(&here, &first.new_units, &mapping(), &all(both), 1.0, false);
    assert!(
        matches!(taken.problems[0].kind, ProblemKind::LoginTaken { .. }),
        "{taken:?}"
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    /// A small world so that logins and extensions collide often.
    fn entries() -> impl Strategy<Value = Vec<(u8, u8, u8, bool)>> {
        prop::collection::vec((0u8..12, 0u8..8, 0u8..6, any::<bool>()), 0..14)
    }

    fn fetched(raw: &[(u8, u8, u8, bool)]) -> Fetched {
        // A directory holds each id once.
        let mut ids = HashSet::new();
        let entries = raw
            .iter()
            .filter(|(id, ..)| ids.insert(*id))
            .map(|&(id, login, ext, disabled)| {
                entry(
                    &format!("id{id}"),
                    &format!("p{login}"),
                    "Name",
                    "Amt",
                    &format!("{}", 2000 + u32::from(ext)),
                )
                .with("userAccountControl", [if disabled { "514" } else { "512" }])
            })
            .collect();
        all(entries)
    }

    fn unique_among_enabled(people: &[KnownPerson]) -> bool {
        let enabled: Vec<&KnownPerson> = people.iter().filter(|p| !p.disabled).collect();
        let extensions: HashSet<&str> = enabled
            .iter()
            .map(|p| p.record.extension.as_str())
            .collect();
        let logins: HashSet<&str> = people.iter().map(|p| p.record.login.as_str()).collect();
        extensions.len() == enabled.len() && logins.len() == people.len()
    }

    proptest! {
        /// Whatever the directory says, after a sync no two enabled people share an
        /// extension and no two people a login; a second sync of the same directory
        /// changes nothing.
        #[test]
        fn syncs_keep_the_directory_consistent_and_are_idempotent(
            first in entries(),
            second in entries(),
        ) {
            let start = vec![local("p0", "2000"), local("local", "2003")];
            let mut here = start.clone();
            let mut units: Vec<UnitPath> = vec![UnitPath::parse("Amt").unwrap()];
            for raw in [&first, &second] {
                let plan = plan_sync(&here, &units, &mapping(), &fetched(raw), 1.0, false);
                here = known(&plan, &here);
                units.extend(plan.new_units.iter().cloned());
                prop_assert!(unique_among_enabled(&here), "{plan:?}");
                let again = plan_sync(&here, &units, &mapping(), &fetched(raw), 1.0, false);
                prop_assert!(again.is_noop(), "{again:?}");
            }
        }
    }
}

#[test]
fn a_local_administrator_is_not_taken_over_by_a_directory_account_of_the_same_name() {
    let mut admin = local("notfall", "2000");
    admin.record.roles = admin.record.roles.with(Role::Admin);
    let e = entry("u1", "notfall", "Jemand", "Amt 2", "2401");
    let plan = plan_sync(&[admin], &[], &mapping(), &all(vec![e]), 1.0, false);
    assert!(plan.is_noop(), "{plan:?}");
    assert_eq!(
        plan.problems[0].kind,
        ProblemKind::LocalAdministrator {
            login: "notfall".into()
        }
    );
}
