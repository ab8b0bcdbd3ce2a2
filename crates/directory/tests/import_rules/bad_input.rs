//! Bad input: every problem reported with its line, field and kind; nothing planned.

use super::*;

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
