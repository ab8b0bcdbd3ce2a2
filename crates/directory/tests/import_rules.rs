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

// --- Bad input ----------------------------------------------------------------------------

#[test]
fn each_missing_required_column_is_reported() {
    for missing in ["login", "name", "unit", "extension"] {
        let header: Vec<&str> = ["login", "name", "unit", "extension", "email"]
            .into_iter()
            .filter(|c| *c != missing)
            .collect();
        let text = format!("{}\n", header.join(","));
        assert_eq!(
            problems(&text),
            [(1, None, ProblemKind::MissingColumn(missing))]
        );
    }
}

#[test]
fn unknown_and_repeated_columns_are_reported() {
    assert_eq!(
        problems("login,name,unit,extension,fax\na.a,A,X,2001,1\n"),
        [(1, None, ProblemKind::UnknownColumn("fax".into()))]
    );
    assert_eq!(
        problems("login,name,unit,extension,Login\na.a,A,X,2001,a.a\n"),
        [(1, None, ProblemKind::RepeatedColumn("login"))]
    );
}

#[test]
fn wrong_field_count_is_reported_on_its_line() {
    let found = problems("login,name,unit,extension\na.a,A,X,2001\nb.b,B,X\nc.c,C,X,2003,extra\n");
    let count = |found| ProblemKind::FieldCount { expected: 4, found };
    assert_eq!(found, [(3, None, count(3)), (4, None, count(5))]);
}

#[test]
fn duplicate_login_in_the_file_is_case_insensitive() {
    let found = problems("login,name,unit,extension\nM.Mueller,M,X,2001\nm.mueller,M,X,2002\n");
    let kind = ProblemKind::DuplicateLogin {
        login: "m.mueller".into(),
        first_line: 2,
    };
    assert_eq!(found, [(3, Some("login"), kind)]);
}

#[test]
fn duplicate_extension_in_the_file_is_reported() {
    let found = problems("login,name,unit,extension\na.a,A,X,2001\nb.b,B,X,2002\nc.c,C,X,2001\n");
    let kind = ProblemKind::DuplicateExtension {
        extension: "2001".into(),
        login: "a.a".into(),
        first_line: 2,
    };
    assert_eq!(found, [(4, Some("extension"), kind)]);
}

#[test]
fn invalid_extensions_are_reported() {
    for bad in ["20a1", "7", "1234567890123456"] {
        let found = row_problem(HEADER, &format!("a.a,A,X,{bad}"));
        assert_eq!(
            found,
            invalid("extension", InvalidValue::Extension(bad.into()))
        );
    }
}

#[test]
fn unknown_role_and_feature_are_reported() {
    let header = "login,name,unit,extension,roles,features";
    assert_eq!(
        row_problem(header, "a.a,A,X,2001,user;boss,"),
        invalid("roles", InvalidValue::Role("boss".into()))
    );
    assert_eq!(
        row_problem(header, "a.a,A,X,2001,user,softphone|fax"),
        invalid("features", InvalidValue::Feature("fax".into()))
    );
}

#[test]
fn invalid_contacts_login_name_and_unit_are_reported() {
    let header = "login,name,unit,extension,email,mobile,home_phone";
    let bad = |row: &str, field, kind: fn(String) -> InvalidValue, value: &str| {
        let expected = invalid(field, kind(value.to_string()));
        assert_eq!(row_problem(header, row), expected, "{row:?}");
    };
    bad("a.a,A,X,2001,a.a@,,", "email", InvalidValue::Email, "a.a@");
    bad(
        "a.a,A,X,2001,,0171 abc,",
        "mobile",
        InvalidValue::Phone,
        "0171 abc",
    );
    bad("a.a,A,X,2001,,,12", "home_phone", InvalidValue::Phone, "12");
    bad("müller,A,X,2001,,,", "login", InvalidValue::Login, "müller");
    bad(
        "mit space,A,X,2001,,,",
        "login",
        InvalidValue::Login,
        "mit space",
    );
    bad("a.a,,X,2001,,,", "name", InvalidValue::Name, "");
    bad("a.a,  ,X,2001,,,", "name", InvalidValue::Name, "  ");
    bad("a.a,A,a//b,2001,,,", "unit", InvalidValue::UnitPath, "a//b");
}

#[test]
fn hidden_characters_in_names_and_units_are_refused_with_line_and_field() {
    let text = "login,name,unit,extension\n\
                a.b,\u{202E}relda annA,Amt,2301\n\
                c.d,Carl,Amt/\u{200B}IKT,2302\n\
                e.f,Emil,Amt,2303\n";
    let hidden = |what, value: &str, c| {
        ProblemKind::Invalid(InvalidValue::HiddenCharacter {
            what,
            value: value.into(),
            hidden: HiddenChar(c),
        })
    };
    assert_eq!(
        problems(text),
        [
            (
                2,
                Some("name"),
                hidden(NameKind::Person, "\u{202E}relda annA", '\u{202E}')
            ),
            (
                3,
                Some("unit"),
                hidden(NameKind::Unit, "Amt/\u{200B}IKT", '\u{200B}')
            ),
        ]
    );
    // Escaped, so the message cannot be reversed on the admin's terminal.
    assert_eq!(
        csv(text).problems[0].to_string(),
        "line 2, field name: name \"\\u{202e}relda annA\" contains the invisible character \
         U+202E (right-to-left override), which can make it display as something else; remove it"
    );
}

#[test]
fn utf16_and_empty_files_are_refused() {
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("login".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let encoding = ProblemKind::Encoding(DecodeError::Utf16);
    assert_eq!(problems_of(&utf16), [(1, None, encoding)]);
    assert_eq!(problems_of(b""), [(1, None, ProblemKind::NoHeader)]);
    assert_eq!(
        problems_of(b"\r\n \r\n"),
        [(1, None, ProblemKind::NoHeader)]
    );
}

#[test]
fn quoted_line_breaks_count_as_lines() {
    // Row 2 spans lines 2–3 (a line break inside quotes is not a valid name), so the
    // next row starts on line 4 and, after a blank line, the one after on line 6.
    let text =
        "login;name;unit;extension\r\na.a;\"Anna\r\nBerg\";X;2001\r\nb.b;B;X;7\r\n\r\nc.c;C;X\r\n";
    let lines: Vec<_> = problems(text).into_iter().map(|(l, f, _)| (l, f)).collect();
    assert_eq!(
        lines,
        [(2, Some("name")), (4, Some("extension")), (6, None)]
    );
}

#[test]
fn every_problem_in_a_file_is_reported() {
    let text = "login,name,unit,extension,email,roles\n\
                a.a,Anna,X,2001,,\n\
                b.b,Bernd,X,20x2,,\n\
                c.c,Carla,X,2003,,chef\n\
                d.d,Dora,X\n\
                A.A,Anna,X,2005,,\n\
                e.e,,X,2001,kein-mail,\n";
    let found = problems(text);
    let kinds: Vec<_> = found.iter().map(|(l, f, _)| (*l, *f)).collect();
    assert_eq!(
        kinds,
        [
            (3, Some("extension")),
            (4, Some("roles")),
            (5, None),
            (6, Some("login")),
            (7, Some("name")),
            (7, Some("email")),
        ]
    );
    assert!(matches!(
        found[3].2,
        ProblemKind::DuplicateLogin { first_line: 2, .. }
    ));
}

#[test]
fn a_problem_reads_with_its_line_and_field() {
    let text = "login,name,unit,extension\na.a,A,X,2001\nb.b,B,X,7\n";
    let plan = plan(&DirectorySnapshot::default(), text);
    let shown = plan.problems[0].to_string();
    assert!(shown.starts_with("line 3, field extension: "), "{shown}");
    assert!(shown.contains("\"7\""), "{shown}");
    let header = plan_import(&DirectorySnapshot::default(), csv("login,name\n"));
    let shown = header.problems[0].to_string();
    assert!(shown.starts_with("line 1: "), "{shown}");
    assert!(shown.contains("\"unit\""), "{shown}");
}

// --- Planning against the directory --------------------------------------------------------

const THREE: &str = "login,name,unit,extension\na.a,A,X,2001\nb.b,B,X,2002\nc.c,C,X,2003\n";

#[test]
fn swapping_extensions_within_the_file_is_not_a_conflict() {
    let current = directory_after(THREE);
    let swapped = plan(
        &current,
        "login,name,unit,extension\na.a,A,X,2002\nb.b,B,X,2001\n",
    );
    assert!(swapped.problems.is_empty(), "{:?}", swapped.problems);
    assert_eq!(
        swapped.updates,
        [
            person("a.a", "A", "X", "2002"),
            person("b.b", "B", "X", "2001")
        ]
    );
    // A ring of three moves is the same: nobody outside the file holds an extension.
    let ring = "login,name,unit,extension\na.a,A,X,2002\nb.b,B,X,2003\nc.c,C,X,2001\n";
    let ring = plan(&current, ring);
    assert!(ring.problems.is_empty(), "{:?}", ring.problems);
    assert_eq!(ring.updates.len(), 3);
}

#[test]
fn taking_the_extension_of_someone_not_in_the_file_is_a_conflict() {
    let current = directory_after(THREE);
    let found = plan(
        &current,
        "login,name,unit,extension\na.a,A,X,2001\nd.d,D,X,2003\n",
    );
    assert_eq!(found.problems.len(), 1, "{:?}", found.problems);
    let p = &found.problems[0];
    let kind = ProblemKind::ExtensionTaken {
        extension: "2003".into(),
        login: "c.c".into(),
    };
    assert_eq!((p.line, p.field, &p.kind), (3, Some("extension"), &kind));
    // Moving someone in the file onto a kept extension is just as much a conflict.
    let moved = plan(&current, "login,name,unit,extension\na.a,A,X,2002\n");
    assert!(moved.problems.iter().any(|p| p.kind
        == ProblemKind::ExtensionTaken {
            extension: "2002".into(),
            login: "b.b".into()
        }));
}

#[test]
fn planning_the_same_file_twice_changes_nothing() {
    let text = "login;name;unit;extension;email;mobile;roles;features\n\
                a.a;Anna Berg;Abteilung 2/Sachgebiet 23 IKT;2301;a.berg@lra.de;+49 171 1234567;admin|agent;softphone\n\
                j.weiss;Jürgen Weiß;Abteilung 1;2101;;;;\n\
                M.Mueller;Maria Müller;Abteilung 2;2201;;(0861) 123/45;user;meetings|hotline\n";
    let current = directory_after(text);
    assert_eq!(current.staff.len(), 3);
    let again = plan(&current, text);
    assert!(again.problems.is_empty(), "{:?}", again.problems);
    assert!(again.is_noop(), "{again:?}");
    assert_eq!(again.unchanged, 3);

    let renamed = text.replace("Jürgen Weiß", "Jürgen Weiß-Meier");
    let changed = plan(&current, &renamed);
    assert!(changed.problems.is_empty(), "{:?}", changed.problems);
    assert_eq!(changed.unchanged, 2);
    assert!(changed.creates.is_empty() && changed.new_units.is_empty());
    let expected = person("j.weiss", "Jürgen Weiß-Meier", "Abteilung 1", "2101");
    assert_eq!(changed.updates, [expected], "the full new record");
}

#[test]
fn absent_optional_columns_keep_values_and_empty_ones_clear_them() {
    let mut anna = person("a.a", "Anna", "X", "2001");
    anna.mobile = Some("0171 1234567".into());
    anna.email = Some("anna@lra.de".into());
    anna.roles = roles(&[Role::Admin]);
    anna.features = features(&[Feature::Hotline]);
    let current = DirectorySnapshot {
        staff: vec![anna.clone()],
        units: vec![unit("X")],
    };

    let same = plan(&current, "login,name,unit,extension\na.a,Anna,X,2001\n");
    assert!(same.problems.is_empty() && same.is_noop(), "{same:?}");
    assert_eq!(same.unchanged, 1);

    let renamed = plan(
        &current,
        "login,name,unit,extension\na.a,Anna Berg,X,2001\n",
    );
    let kept = StaffRecord {
        name: "Anna Berg".into(),
        ..anna.clone()
    };
    assert_eq!(renamed.updates, [kept]);

    let cleared = plan(
        &current,
        "login,name,unit,extension,mobile,features\na.a,Anna,X,2001,,\n",
    );
    let expected = StaffRecord {
        mobile: None,
        features: FeatureSet::default(),
        ..anna
    };
    assert_eq!(cleared.updates, [expected]);
}

#[test]
fn blank_lines_and_lines_of_only_delimiters_are_skipped() {
    let parsed = csv(
        "login;name;unit;extension\r\n\r\n;;;\r\na.a;A;X;2001\r\n;;\r\n   \r\nb.b;B;X;2002\r\n\r\n",
    );
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let lines: Vec<u64> = parsed.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, [4, 7]);
    assert_eq!(names(&parsed), ["A", "B"]);
}

// --- Files as Excel writes them ------------------------------------------------------------

/// The lines of the problems of planning `text` into an empty directory.
fn problem_lines(text: &str) -> Vec<(u64, Option<&'static str>)> {
    problems(text).into_iter().map(|(l, f, _)| (l, f)).collect()
}

#[test]
fn mac_excel_files_with_cr_only_line_ends_import_with_their_line_numbers() {
    // Excel for Mac's "CSV (Macintosh)" ends lines with a lone CR. The rows hold more
    // commas than the file has semicolons, so only the header line may decide.
    let unit = "Umwelt, Natur, Wasser, Abfall, Boden, Luft, Lärm";
    let good =
        format!("login;name;unit;extension\ra.a;Berg, Anna;{unit};2001\rb.b;B;{unit};2002\r");
    let parsed = csv(&good);
    assert_eq!(parsed.dialect, SEMICOLON);
    let lines: Vec<u64> = parsed.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, [2, 3]);
    assert_eq!(names(&parsed), ["Berg, Anna", "B"]);

    let bad = "login;name;unit;extension\ra.a;\"Anna\rBerg\";X;2001\rb.b;B;X;7\r\rc.c;C;X\r";
    assert_eq!(
        problem_lines(bad),
        [(2, Some("name")), (4, Some("extension")), (6, None)]
    );
    let shown = plan(&DirectorySnapshot::default(), bad).problems[1].to_string();
    assert!(shown.starts_with("line 4, field extension: "), "{shown}");
}

#[test]
fn blank_lines_before_the_header_are_skipped_and_counted() {
    for text in [
        "\nlogin;name;unit;extension\na.a;Weiß, Jürgen;X;2001\n",
        "\r\n  \r\nlogin;name;unit;extension\r\na.a;Weiß, Jürgen;X;2001\r\n",
        ";;;\nlogin;name;unit;extension\na.a;Weiß, Jürgen;X;2001\n",
    ] {
        let parsed = csv(text);
        assert_eq!(parsed.dialect, SEMICOLON, "{text:?}");
        assert_eq!(
            records(parsed),
            [person("a.a", "Weiß, Jürgen", "X", "2001")]
        );
    }
    assert_eq!(
        problems("\n\nlogin;name;unit;extension;fax\na.a;A;X;2001;1\n"),
        [(3, None, ProblemKind::UnknownColumn("fax".into()))]
    );
    let missing = plan(&DirectorySnapshot::default(), "\r\nlogin;name\r\n");
    let shown: Vec<String> = missing.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(shown.len(), 2, "{shown:?}");
    assert!(shown.iter().all(|s| s.starts_with("line 2: ")), "{shown:?}");
    assert_eq!(
        problem_lines("\n\nlogin;name;unit;extension\na.a;A;X;7\n"),
        [(4, Some("extension"))]
    );
}

#[test]
fn a_trailing_separator_after_the_header_is_ignored() {
    // Excel writes one more separator when the sheet has an empty column at the end.
    let text = "login;name;unit;extension;\r\na.a;A;X;2001;\r\nb.b;B;X;2002\r\n";
    let parsed = csv(text);
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert_eq!(names(&parsed), ["A", "B"]);
    let two = csv("login,name,unit,extension,roles,,\na.a,A,X,2001,agent,,\n");
    let mut expected = person("a.a", "A", "X", "2001");
    expected.roles = roles(&[Role::Agent]);
    assert_eq!(records(two), [expected]);
    // A value under the unnamed column is not dropped silently.
    let count = ProblemKind::FieldCount {
        expected: 4,
        found: 5,
    };
    assert_eq!(
        problems("login;name;unit;extension;\na.a;A;X;2001;\nb.b;B;X;2002;Notiz\n"),
        [(3, None, count)]
    );
}

#[test]
fn an_empty_column_name_before_others_is_reported() {
    assert_eq!(
        problems("login;;name;unit;extension\na.a;1;A;X;2001\n"),
        [(1, None, ProblemKind::UnknownColumn(String::new()))]
    );
    assert_eq!(
        problems("login,name,unit,extension,,email\na.a,A,X,2001,,\n"),
        [(1, None, ProblemKind::UnknownColumn(String::new()))]
    );
}

/// The single problem of `text`, which must be an unclosed quote on `line`.
fn assert_unclosed_quote(text: &str, line: u64) {
    let parsed = csv(text);
    let found: Vec<_> = parsed.problems.iter().map(|p| (p.line, p.field)).collect();
    assert_eq!(found, [(line, None)], "{text:?}: {:?}", parsed.problems);
    let ProblemKind::Syntax(why) = &parsed.problems[0].kind else {
        panic!("{:?}", parsed.problems);
    };
    assert!(
        why.contains("quote") && why.contains("never closed"),
        "{why}"
    );
    assert!(
        parsed.rows.iter().all(|r| r.line < line),
        "{:?}",
        parsed.rows
    );
    let plan = plan_import(&DirectorySnapshot::default(), parsed);
    assert!(!plan.problems.is_empty());
}

#[test]
fn an_unclosed_quote_is_reported_where_it_opens_and_nothing_after_is_read() {
    let text = "login;name;unit;extension\na.a;A;X;2001\nb.b;\"Meier;X;2002\nc.c;C;X;2003\n";
    assert_unclosed_quote(text, 3);
    // The quote would swallow the line break and import "Meier" without a word.
    assert_unclosed_quote("login;unit;extension;name\na.a;X;2001;\"Meier\n", 2);
    assert_unclosed_quote(
        "login;unit;extension;name\ra.a;X;2001;A\r\rb.b;X;2002;\"B\r",
        4,
    );
    assert_unclosed_quote("login;\"name;unit;extension\na.a;A;X;2001\n", 1);
    // A quote that closes after a line break is fine; one in mid-field is a character.
    let fine =
        "login;name;unit;extension\na.a;\"Anna \"\"Anni\"\"\nBerg\";X;2001\nb.b;O\"Neil;X;2002\n";
    assert_eq!(problem_lines(fine), [(2, Some("name"))]);
}

// --- Export round trip ----------------------------------------------------------------------------

/// Exports `staff`, imports the bytes again and returns what came back.
fn round_trip(staff: &[StaffRecord], dialect: CsvDialect, bom: bool) -> Vec<StaffRecord> {
    let bytes = write_staff_csv(staff, dialect, bom);
    assert_eq!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), bom);
    let parsed = parse_staff_csv(&bytes);
    assert_eq!(parsed.dialect, dialect);
    records(parsed)
}

#[test]
fn export_then_import_gives_the_same_records() {
    let mut anna = person(
        "a.berg",
        "Berg, Anna \"Anni\"; B|C",
        "Amt/Abteilung 2",
        "2301",
    );
    anna.email = Some("a.berg@lra.de".into());
    anna.mobile = Some("+49 171 1234567".into());
    anna.home_phone = Some("(0861) 123/45".into());
    anna.roles = roles(&[Role::Admin, Role::Agent, Role::User]);
    anna.features = features(&[Feature::Softphone, Feature::MobileWork]);
    let weiss = person("j.weiss", "Jürgen Weiß", "Straßenverkehrsamt", "2101");
    let staff = vec![anna, weiss];
    for (dialect, bom) in [
        (COMMA, false),
        (COMMA, true),
        (SEMICOLON, false),
        (SEMICOLON, true),
    ] {
        assert_eq!(
            round_trip(&staff, dialect, bom),
            staff,
            "{dialect:?} bom={bom}"
        );
    }
}

/// The cells of an exported file, row by row.
fn exported_cells(bytes: &[u8], dialect: CsvDialect) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes)
        .unwrap()
        .trim_start_matches('\u{feff}');
    csv::ReaderBuilder::new()
        .delimiter(dialect.delimiter)
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

#[test]
fn export_defuses_formulas_and_the_import_takes_them_back_unchanged() {
    let mut eve = person("e.vil", "=HYPERLINK(\"x\")", "@Amt/-Abteilung", "2301");
    eve.email = Some("-eve@lra.de".into());
    eve.mobile = Some("+49 151 5550123".into());
    eve.home_phone = Some("-0861 123".into());
    let apostrophe = person("t.hooft", "'t Hooft", "'=Amt", "2302");
    let staff = vec![eve, apostrophe];
    let current = DirectorySnapshot {
        units: unit_set(&["@Amt", "@Amt/-Abteilung", "'=Amt"]),
        staff: staff.clone(),
    };
    for (dialect, bom) in [(COMMA, false), (SEMICOLON, true)] {
        let bytes = write_staff_csv(&staff, dialect, bom);
        let cells = exported_cells(&bytes, dialect);
        let formulas: Vec<&String> = cells
            .iter()
            .flatten()
            .filter(|c| c.starts_with(['=', '+', '-', '@', '\t', '\r']))
            .collect();
        assert!(formulas.is_empty(), "{dialect:?}: {formulas:?}");
        assert_eq!(
            cells[1][1..7],
            [
                "'=HYPERLINK(\"x\")",
                "'@Amt/-Abteilung",
                "2301",
                "'-eve@lra.de",
                "'+49 151 5550123",
                "'-0861 123"
            ]
        );
        assert_eq!(cells[2][1..3], ["''t Hooft", "''=Amt"]);

        let again = plan_import(&current, parse_staff_csv(&bytes));
        assert!(again.problems.is_empty(), "{:?}", again.problems);
        assert!(again.is_noop(), "{dialect:?}: {again:?}");
        assert_eq!(again.unchanged, 2);
    }
}

#[test]
fn a_hand_written_leading_apostrophe_is_kept() {
    let parsed = csv("login,name,unit,extension,mobile\na.b,'Anna,'Amt,2301,'+49 151 5550123\n");
    let row = &records(parsed)[0];
    assert_eq!(
        (row.name.as_str(), row.unit.to_string()),
        ("'Anna", "'Amt".into())
    );
    assert_eq!(
        row.mobile.as_deref(),
        Some("+49 151 5550123"),
        "Excel's text mark is taken off"
    );
}

fn text_strategy(max: usize) -> impl Strategy<Value = String> {
    // Never blank, and trimmed as the import trims it.
    // Starting with `=`, `+`, `-`, `@` or `'` too: the export defuses those (CSV injection).
    let pattern = format!("[A-Za-zÄÖÜäöüß,;\"|'=+@-][A-Za-zÄÖÜäöüß0-9 ,;\"|'.=+@-]{{0,{max}}}");
    proptest::string::string_regex(&pattern)
        .unwrap()
        .prop_map(|s| s.trim().to_string())
}

fn record_strategy() -> impl Strategy<Value = StaffRecord> {
    let unit = proptest::collection::vec(text_strategy(15), 1..4)
        .prop_map(|parts| UnitPath::parse(&parts.join("/")).unwrap());
    let contacts = (
        proptest::option::of("[a-z][a-z.]{0,8}@[a-z]{1,8}\\.de"),
        proptest::option::of("(\\+49 )?[0-9]{3,5}(/[0-9]{2,4})?(-[0-9])?"),
        proptest::option::of("\\(0[0-9]{3}\\) [0-9]{3,6}"),
    );
    (
        "[a-z0-9][a-z0-9._-]{0,20}",
        text_strategy(40),
        unit,
        "[0-9]{2,15}",
        contacts,
        1i64..16,
        0i64..16,
    )
        .prop_map(
            |(login, name, unit, ext, (email, mobile, home_phone), roles, features)| StaffRecord {
                login: Login::parse(&login).unwrap(),
                name,
                unit,
                extension: Extension::parse(&ext).unwrap(),
                email,
                mobile,
                home_phone,
                roles: RoleSet::from_bits(roles),
                features: FeatureSet::from_bits(features),
            },
        )
}

proptest! {
    #[test]
    fn export_round_trips_in_both_dialects(
        staff in proptest::collection::vec(record_strategy(), 0..6),
        bom in any::<bool>(),
    ) {
        for dialect in [COMMA, SEMICOLON] {
            prop_assert_eq!(round_trip(&staff, dialect, bom), staff.clone());
        }
    }
}
