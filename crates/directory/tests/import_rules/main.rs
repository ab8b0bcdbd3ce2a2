//! The staff CSV import rules, pinned down from the outside of the crate: which files are
//! accepted, how every bad input is reported (line, field, kind), how a file is planned
//! against the directory, and that `export` writes what `import` reads back.

use directory::csv_text::DecodeError;
use directory::display_text::HiddenChar;
use directory::staff_csv::ParsedCsv;
use directory::{
    parse_staff_csv, plan_import, write_staff_csv, CsvDialect, DirectorySnapshot, Extension,
    Feature, FeatureSet, ImportPlan, InvalidValue, Login, NameKind, ProblemKind, Role, RoleSet,
    StaffRecord, UnitPath,
};
use proptest::prelude::*;

mod bad_input;
mod excel;
mod export;
mod planning;

const COMMA: CsvDialect = CsvDialect { delimiter: b',' };
const SEMICOLON: CsvDialect = CsvDialect { delimiter: b';' };

/// A problem as the tests compare it: line, field, kind.
type Found = (u64, Option<&'static str>, ProblemKind);

fn csv(text: &str) -> ParsedCsv {
    parse_staff_csv(text.as_bytes())
}

fn plan(current: &DirectorySnapshot, text: &str) -> ImportPlan {
    plan_import(current, csv(text))
}

/// Every problem of planning `bytes` into an empty directory.
fn problems_of(bytes: &[u8]) -> Vec<Found> {
    plan_import(&DirectorySnapshot::default(), parse_staff_csv(bytes))
        .problems
        .into_iter()
        .map(|p| (p.line, p.field, p.kind))
        .collect()
}

fn problems(text: &str) -> Vec<Found> {
    problems_of(text.as_bytes())
}

/// The one problem of a file with a header and one data row (on line 2).
fn row_problem(header: &str, row: &str) -> Found {
    let found = problems(&format!("{header}\n{row}\n"));
    assert_eq!(found.len(), 1, "{row:?}: {found:?}");
    found.into_iter().next().unwrap()
}

fn invalid(field: &'static str, value: InvalidValue) -> Found {
    (2, Some(field), ProblemKind::Invalid(value))
}

fn names(parsed: &ParsedCsv) -> Vec<&str> {
    parsed.rows.iter().map(|r| r.record.name.as_str()).collect()
}

fn unit(path: &str) -> UnitPath {
    UnitPath::parse(path).unwrap()
}

/// The units, sorted, to compare as sets.
fn unit_set(paths: &[&str]) -> Vec<UnitPath> {
    let mut units: Vec<UnitPath> = paths.iter().map(|p| unit(p)).collect();
    units.sort();
    units
}

fn roles(roles: &[Role]) -> RoleSet {
    roles.iter().copied().collect()
}

fn features(features: &[Feature]) -> FeatureSet {
    features.iter().copied().collect()
}

fn person(login: &str, name: &str, unit_path: &str, extension: &str) -> StaffRecord {
    StaffRecord {
        login: Login::parse(login).unwrap(),
        name: name.to_string(),
        unit: unit(unit_path),
        extension: Extension::parse(extension).unwrap(),
        email: None,
        mobile: None,
        home_phone: None,
        roles: roles(&[Role::User]),
        features: FeatureSet::default(),
    }
}

/// The directory as it is after applying a problem-free plan to an empty one.
fn directory_after(text: &str) -> DirectorySnapshot {
    let first = plan(&DirectorySnapshot::default(), text);
    assert!(first.problems.is_empty(), "{:?}", first.problems);
    DirectorySnapshot {
        staff: first.creates,
        units: first.new_units,
        ..Default::default()
    }
}

fn records(parsed: ParsedCsv) -> Vec<StaffRecord> {
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    parsed.rows.into_iter().map(|r| r.record).collect()
}

const HEADER: &str = "login,name,unit,extension";

// --- Header and units ---------------------------------------------------------------

#[test]
fn header_columns_may_come_in_any_order_and_any_case() {
    let parsed = csv(
        "Extension;UNIT;Name;LOGIN;Roles;EMAIL\n2301;Amt/IKT;Anna Berg;A.Berg;agent;a@lra.de\n",
    );
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert_eq!(parsed.dialect, SEMICOLON);
    assert!(parsed.columns.roles && parsed.columns.email && !parsed.columns.mobile);
    let mut expected = person("a.berg", "Anna Berg", "Amt/IKT", "2301");
    expected.roles = roles(&[Role::Agent]);
    expected.email = Some("a@lra.de".into());
    assert_eq!(records(parsed), [expected]);
}

#[test]
fn missing_units_and_their_parents_are_new_units_parents_first() {
    let text = format!(
        "{HEADER}\na.a,A,Amt/Abteilung 3/Sachgebiet 31,2001\nb.b,B,Abteilung 2/Sachgebiet 23 IKT,2002\n\
         c.c,C,Abteilung 1,2003\nd.d,D,Abteilung 2/Sachgebiet 21,2004\ne.e,E,Abteilung 2,2005\n"
    );
    let fresh = plan(&DirectorySnapshot::default(), &text);
    assert!(fresh.problems.is_empty(), "{:?}", fresh.problems);
    let mut got = fresh.new_units.clone();
    got.sort();
    let all = [
        "Amt",
        "Amt/Abteilung 3",
        "Amt/Abteilung 3/Sachgebiet 31",
        "Abteilung 2",
        "Abteilung 2/Sachgebiet 23 IKT",
        "Abteilung 2/Sachgebiet 21",
        "Abteilung 1",
    ];
    assert_eq!(got, unit_set(&all), "each unit exactly once");
    for (i, u) in fresh.new_units.iter().enumerate() {
        if let Some(parent) = u.parent() {
            let at = fresh.new_units.iter().position(|p| *p == parent);
            assert!(at.is_some_and(|at| at < i), "{u} comes before its parent");
        }
    }

    let known = DirectorySnapshot {
        staff: Vec::new(),
        units: unit_set(&["Amt", "Abteilung 2", "Abteilung 2/Sachgebiet 21"]),
        ..Default::default()
    };
    let mut partly = plan(&known, &text).new_units;
    partly.sort();
    let missing = [all[1], all[2], all[4], all[6]];
    assert_eq!(
        partly,
        unit_set(&missing),
        "known units are not created again"
    );
}

// --- Delimiters and encodings ---------------------------------------------------------

#[test]
fn comma_and_semicolon_files_give_the_same_rows() {
    let comma = csv("login,name,unit,extension\nj.weiss,\"Weiß, Jürgen\",Ordnungsamt,2001\n");
    let semicolon = csv("login;name;unit;extension\r\nj.weiss;Weiß, Jürgen;Ordnungsamt;2001\r\n");
    assert_eq!(comma.dialect, COMMA);
    assert_eq!(semicolon.dialect, SEMICOLON);
    let expected = [person("j.weiss", "Weiß, Jürgen", "Ordnungsamt", "2001")];
    assert_eq!(records(comma), expected);
    assert_eq!(records(semicolon), expected);
}

#[test]
fn utf8_with_and_without_bom_keep_umlauts() {
    let text = "login;name;unit;extension\nj.weiss;Jürgen Weiß;Straßenverkehrsamt;2001\n";
    let mut with_bom = vec![0xEF, 0xBB, 0xBF];
    with_bom.extend_from_slice(text.as_bytes());
    for bytes in [text.as_bytes(), &with_bom] {
        let parsed = parse_staff_csv(bytes);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        assert_eq!(names(&parsed), ["Jürgen Weiß"]);
        assert_eq!(parsed.rows[0].record.unit, unit("Straßenverkehrsamt"));
    }
}

#[test]
fn windows_1252_files_keep_umlauts() {
    let bytes = b"Login;Name;Unit;Extension\r\n\
                  j.weiss;J\xFCrgen Wei\xDF;Stra\xDFenverkehrsamt;2001\r\n\
                  g.oe;G\xF6tz \xC4rger-\xD6hler;B\xFCrgerb\xFCro;2002\r\n";
    let parsed = parse_staff_csv(bytes);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert_eq!(names(&parsed), ["Jürgen Weiß", "Götz Ärger-Öhler"]);
    assert_eq!(parsed.rows[1].record.unit, unit("Bürgerbüro"));
}

// --- Roles and features -------------------------------------------------------------------

#[test]
fn lists_split_at_semicolon_or_bar_in_comma_files() {
    let parsed = csv("login,name,unit,extension,roles,features\n\
                      a.a,A,X,2001,admin;agent,softphone;hotline\n\
                      b.b,B,X,2002,Supervisor|user,meetings|mobile_work\n");
    let rows = records(parsed);
    assert_eq!(rows[0].roles, roles(&[Role::Admin, Role::Agent]));
    assert_eq!(
        rows[0].features,
        features(&[Feature::Softphone, Feature::Hotline])
    );
    assert_eq!(rows[1].roles, roles(&[Role::Supervisor, Role::User]));
    assert_eq!(
        rows[1].features,
        features(&[Feature::Meetings, Feature::MobileWork])
    );
}

#[test]
fn lists_split_only_at_bar_in_semicolon_files() {
    let rows = records(csv(
        "login;name;unit;extension;roles;features\na.a;A;X;2001;admin|agent;softphone|hotline\n",
    ));
    assert_eq!(rows[0].roles, roles(&[Role::Admin, Role::Agent]));
    let expected = features(&[Feature::Softphone, Feature::Hotline]);
    assert_eq!(rows[0].features, expected);
    // In a `;` file a quoted `;` is part of the value, not a list separator.
    let found = row_problem(
        "login;name;unit;extension;roles",
        "a.a;A;X;2001;\"admin;agent\"",
    );
    assert_eq!(
        found,
        invalid("roles", InvalidValue::Role("admin;agent".into()))
    );
}

#[test]
fn empty_roles_give_role_user() {
    for text in [
        "login,name,unit,extension,roles\na.a,A,X,2001,\n",
        "login,name,unit,extension,roles\na.a,A,X,2001, | \n",
        "login,name,unit,extension\na.a,A,X,2001\n",
    ] {
        let rows = records(csv(text));
        assert_eq!(rows[0].roles, roles(&[Role::User]), "{text:?}");
    }
}
