//! Planning a file against the directory: what is new, changed, moved or in conflict.

use super::*;

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
        ..Default::default()
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
