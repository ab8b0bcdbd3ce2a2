//! The optional `head_of` column of the staff CSV: the units a person leads (issue 19,
//! mobile work's deciders).
//!
//! A cell lists units by their path, separated like roles (`;` in a `,` file, `|` in
//! either). A plain path makes the person the unit's head; `stellv:` (or `deputy:`) before
//! the path makes them a deputy: `Bauamt|stellv:Bauamt/Hochbau`. An empty cell: they lead
//! no unit.
//!
//! The column is per person, as every optional column: when the file has it, each person
//! in the file leads exactly the units their cell names (and no others); leaders who are
//! not in the file keep their place, unless the file names another head for their unit.
//! A file without the column changes no leaders. Every unit named must exist or be
//! created by the same file; a unit has one head.

use super::{problem, ImportProblem, ImportRow, ProblemKind};
use crate::{InvalidValue, Login, UnitPath};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How a person leads a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lead {
    /// The unit's head.
    Head,
    /// A deputy of the head.
    Deputy,
}

/// One unit a person leads.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitLead {
    /// As what.
    pub lead: Lead,
    /// The unit.
    pub unit: UnitPath,
}

/// A leader as the directory has them now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentLeader {
    /// The unit.
    pub unit: UnitPath,
    /// Who.
    pub login: Login,
    /// As what.
    pub lead: Lead,
}

/// A unit whose leaders the import replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderChange {
    /// The unit.
    pub unit: UnitPath,
    /// Its head after the import, if any.
    pub head: Option<Login>,
    /// Its deputies after the import, sorted.
    pub deputies: Vec<Login>,
}

/// The prefixes that mark a deputy, compared without case.
const DEPUTY: [&str; 2] = ["stellv:", "deputy:"];

/// Reads a `head_of` cell; the units in the order given, each once.
pub fn parse(cell: &str, separators: &[char]) -> Result<Vec<UnitLead>, InvalidValue> {
    let mut leads: Vec<UnitLead> = Vec::new();
    for part in cell
        .split(separators)
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let marked = DEPUTY.iter().find(|prefix| {
            part.get(..prefix.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
        });
        let (lead, path) = match marked {
            Some(prefix) => (Lead::Deputy, part[prefix.len()..].trim()),
            None => (Lead::Head, part),
        };
        let lead = UnitLead {
            lead,
            unit: UnitPath::parse(path)?,
        };
        if !leads.contains(&lead) {
            leads.push(lead);
        }
    }
    Ok(leads)
}

/// Writes a `head_of` cell: heads first, then deputies, each sorted by unit.
pub fn format(leads: &[UnitLead], separator: &str) -> String {
    let mut sorted = leads.to_vec();
    sorted.sort();
    sorted
        .iter()
        .map(|l| match l.lead {
            Lead::Head => l.unit.to_string(),
            Lead::Deputy => format!("{}{}", DEPUTY[0], l.unit),
        })
        .collect::<Vec<_>>()
        .join(separator)
}

/// The units each person leads now, by login (for the export).
pub fn by_login(current: &[CurrentLeader]) -> HashMap<Login, Vec<UnitLead>> {
    let mut out: HashMap<Login, Vec<UnitLead>> = HashMap::new();
    for c in current {
        out.entry(c.login.clone()).or_default().push(UnitLead {
            lead: c.lead,
            unit: c.unit.clone(),
        });
    }
    out
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Leaders {
    head: Option<Login>,
    deputies: BTreeSet<Login>,
}

/// The leader changes of a file with the `head_of` column, against the directory's
/// `current` leaders, with `units` the units that exist after the import; and the
/// problems (an unknown unit, a second head, a head who is also the unit's deputy).
pub fn plan(
    current: &[CurrentLeader],
    rows: &[ImportRow],
    units: &BTreeSet<&UnitPath>,
) -> (Vec<LeaderChange>, Vec<ImportProblem>) {
    let mut before: BTreeMap<UnitPath, Leaders> = BTreeMap::new();
    for c in current {
        let leaders = before.entry(c.unit.clone()).or_default();
        match c.lead {
            Lead::Head => leaders.head = Some(c.login.clone()),
            Lead::Deputy => {
                leaders.deputies.insert(c.login.clone());
            }
        }
    }
    // The people in the file lead exactly what their cells say: start without them.
    let in_file: BTreeSet<&Login> = rows.iter().map(|r| &r.record.login).collect();
    let mut after = before.clone();
    for leaders in after.values_mut() {
        if leaders.head.as_ref().is_some_and(|h| in_file.contains(h)) {
            leaders.head = None;
        }
        leaders.deputies.retain(|d| !in_file.contains(d));
    }
    let mut problems = Vec::new();
    let mut head_line: HashMap<&UnitPath, (&Login, u64)> = HashMap::new();
    for row in rows {
        let login = &row.record.login;
        for l in &row.head_of {
            let at = |kind| problem(row.line, Some("head_of"), kind);
            if !units.contains(&l.unit) {
                problems.push(at(ProblemKind::UnknownUnit(l.unit.to_string())));
                continue;
            }
            let leaders = after.entry(l.unit.clone()).or_default();
            match l.lead {
                Lead::Head => {
                    if let Some((first, first_line)) = head_line.get(&l.unit) {
                        problems.push(at(ProblemKind::SecondHead {
                            unit: l.unit.to_string(),
                            login: first.to_string(),
                            first_line: *first_line,
                        }));
                        continue;
                    }
                    head_line.insert(&l.unit, (login, row.line));
                    leaders.head = Some(login.clone());
                }
                Lead::Deputy => {
                    leaders.deputies.insert(login.clone());
                }
            }
            if leaders
                .head
                .as_ref()
                .is_some_and(|h| leaders.deputies.contains(h))
            {
                problems.push(at(ProblemKind::HeadAndDeputy(l.unit.to_string())));
            }
        }
    }
    let changes = after
        .into_iter()
        .filter(|(unit, leaders)| before.get(unit).cloned().unwrap_or_default() != *leaders)
        .map(|(unit, leaders)| LeaderChange {
            unit,
            head: leaders.head,
            deputies: leaders.deputies.into_iter().collect(),
        })
        .collect();
    (changes, problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff_csv::{parse_staff_csv, write_staff_csv, write_staff_csv_with_heads};
    use crate::{plan_import, CsvDialect, DirectorySnapshot, ImportPlan};

    const FILE: &str = "login,name,unit,extension,head_of\n\
        h.haupt,Hanna Haupt,Bauamt,2510,Bauamt\n\
        s.stell,Sven Stell,Bauamt/Hochbau,2511,Bauamt/Hochbau;stellv:Bauamt\n\
        e.erna,Erna Emsig,Bauamt,2512,\n";

    fn plan(current: &DirectorySnapshot, text: &str) -> ImportPlan {
        plan_import(current, parse_staff_csv(text.as_bytes()))
    }

    fn login(text: &str) -> Login {
        Login::parse(text).unwrap()
    }

    /// The directory after applying `plan` to an empty one.
    fn after(plan: ImportPlan) -> DirectorySnapshot {
        let mut leaders = Vec::new();
        for change in plan.leaders {
            for (login, lead) in change
                .head
                .iter()
                .map(|h| (h, Lead::Head))
                .chain(change.deputies.iter().map(|d| (d, Lead::Deputy)))
            {
                leaders.push(CurrentLeader {
                    unit: change.unit.clone(),
                    login: login.clone(),
                    lead,
                });
            }
        }
        DirectorySnapshot {
            staff: plan.creates,
            units: plan.new_units,
            leaders,
            ..Default::default()
        }
    }

    #[test]
    fn a_cell_reads_heads_and_deputies_and_writes_back_the_same() {
        let leads = parse(
            " Bauamt | STELLV: Bauamt/Hochbau |deputy:Amt||Bauamt",
            &['|'],
        )
        .unwrap();
        assert_eq!(
            leads,
            vec![
                UnitLead {
                    lead: Lead::Head,
                    unit: UnitPath::parse("Bauamt").unwrap()
                },
                UnitLead {
                    lead: Lead::Deputy,
                    unit: UnitPath::parse("Bauamt/Hochbau").unwrap()
                },
                UnitLead {
                    lead: Lead::Deputy,
                    unit: UnitPath::parse("Amt").unwrap()
                },
            ]
        );
        let text = format(&leads, "|");
        assert_eq!(text, "Bauamt|stellv:Amt|stellv:Bauamt/Hochbau");
        let mut again = parse(&text, &['|']).unwrap();
        again.sort();
        let mut leads = leads;
        leads.sort();
        assert_eq!(again, leads);
        assert!(parse("stellv:", &['|']).is_err(), "a deputy of no unit");
    }

    #[test]
    fn the_file_sets_heads_and_deputies_and_its_export_imports_unchanged() {
        let first = plan(&DirectorySnapshot::default(), FILE);
        assert!(first.problems.is_empty(), "{:?}", first.problems);
        assert_eq!(
            first.leaders,
            vec![
                LeaderChange {
                    unit: UnitPath::parse("Bauamt").unwrap(),
                    head: Some(login("h.haupt")),
                    deputies: vec![login("s.stell")],
                },
                LeaderChange {
                    unit: UnitPath::parse("Bauamt/Hochbau").unwrap(),
                    head: Some(login("s.stell")),
                    deputies: vec![],
                },
            ]
        );
        let current = after(first);
        let heads = by_login(&current.leaders);
        for dialect in [
            CsvDialect { delimiter: b',' },
            CsvDialect { delimiter: b';' },
        ] {
            let bytes = write_staff_csv_with_heads(&current.staff, &heads, dialect, false);
            let text = String::from_utf8(bytes).unwrap();
            assert!(text.lines().next().unwrap().ends_with("head_of"), "{text}");
            let again = plan(&current, &text);
            assert!(again.problems.is_empty(), "{:?}", again.problems);
            assert!(again.is_noop(), "{again:?}");
        }
        // The export without heads has no such column, so it changes no leaders either.
        let bytes = write_staff_csv(&current.staff, CsvDialect { delimiter: b',' }, false);
        let text = String::from_utf8(bytes).unwrap();
        assert!(!text.contains("head_of"), "{text}");
        assert!(plan(&current, &text).is_noop());
    }

    #[test]
    fn only_a_file_with_the_column_changes_leaders_and_only_of_its_people() {
        let current = after(plan(&DirectorySnapshot::default(), FILE));
        // Hanna, in the file with an empty cell, no longer heads the Bauamt; Sven, not in
        // the file, stays its deputy and head of the Hochbau.
        let text = "login,name,unit,extension,head_of\nh.haupt,Hanna Haupt,Bauamt,2510,\n";
        let changed = plan(&current, text);
        assert!(changed.problems.is_empty(), "{:?}", changed.problems);
        assert_eq!(
            changed.leaders,
            vec![LeaderChange {
                unit: UnitPath::parse("Bauamt").unwrap(),
                head: None,
                deputies: vec![login("s.stell")],
            }]
        );
        // Erna becomes head: Hanna (not in the file) loses the Bauamt to her.
        let text = "login,name,unit,extension,head_of\ne.erna,Erna Emsig,Bauamt,2512,Bauamt\n";
        assert_eq!(plan(&current, text).leaders[0].head, Some(login("e.erna")));
        // Without the column nothing changes.
        let text = "login,name,unit,extension\nh.haupt,Hanna Haupt,Bauamt,2510\n";
        assert!(plan(&current, text).is_noop());
    }

    #[test]
    fn unknown_units_second_heads_and_self_deputies_are_refused_by_line() {
        let text = "login,name,unit,extension,head_of\n\
            h.haupt,Hanna Haupt,Bauamt,2510,Bauamt|Kämmerei\n\
            e.erna,Erna Emsig,Bauamt,2512,Bauamt\n\
            s.stell,Sven Stell,Bauamt/Hochbau,2511,Bauamt/Hochbau|stellv:Bauamt/Hochbau\n\
            f.fritz,Fritz,Bauamt,2513,Bau//amt\n";
        let plan = plan(&DirectorySnapshot::default(), text);
        let problems: Vec<String> = plan.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(
            problems[0].starts_with("line 2, field head_of: unit \"Kämmerei\" does not exist"),
            "{problems:#?}"
        );
        assert!(
            problems[1].starts_with(
                "line 3, field head_of: \"Bauamt\" already has \"h.haupt\" as its head on line 2"
            ),
            "{problems:#?}"
        );
        assert_eq!(
            problems[2],
            "line 4, field head_of: the head of \"Bauamt/Hochbau\" cannot also be its deputy"
        );
        assert!(
            problems[3].starts_with("line 5, field head_of: unit path"),
            "{problems:#?}"
        );
    }
}
