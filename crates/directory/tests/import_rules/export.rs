//! Export round trip: what `export` writes, `import` reads back unchanged.

use super::*;

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
        ..Default::default()
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
