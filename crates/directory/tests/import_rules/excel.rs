//! Files as Excel writes them: encodings, line ends, quoting.

use super::*;

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
