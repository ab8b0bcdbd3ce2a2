//! A directory written before names were checked for hidden characters (bidi overrides,
//! zero-width spaces) still loads, on SQLite always and on PostgreSQL when the test run
//! has one: the store reads unit paths with `UnitPath::from_stored`, so such a unit does
//! not make every staff list, sign-in and import plan fail as "corrupt".

use directory::{FeatureSet, ImportPlan, Login, RoleSet, StaffRecord, UnitPath};
use store::Store;

#[tokio::test]
async fn units_and_names_with_hidden_characters_from_earlier_versions_still_load() {
    // What an earlier version let in; today's UnitPath::parse refuses it.
    let legacy = "Bau\u{202E}tma";
    assert!(UnitPath::parse(legacy).is_err());
    let unit = UnitPath::from_stored(legacy).unwrap();
    let person = StaffRecord {
        login: Login::parse("e.vil").unwrap(),
        name: "\u{202E}liveE".into(),
        unit: unit.clone(),
        extension: directory::Extension::parse("2599").unwrap(),
        email: None,
        mobile: None,
        home_phone: None,
        roles: RoleSet::from_bits(1),
        features: FeatureSet::default(),
    };
    let plan = ImportPlan {
        new_units: vec![unit.clone()],
        creates: vec![person.clone()],
        updates: Vec::new(),
        unchanged: 0,
        leaders: Vec::new(),
        problems: Vec::new(),
    };
    for db in testkit::databases().await {
        let l = &db.label;
        let store = Store::open(&db.url).await.unwrap();
        store.apply_import(&plan, &mut |_, _| {}).await.unwrap();
        assert_eq!(
            store.list_staff(None).await.unwrap(),
            std::slice::from_ref(&person),
            "{l}"
        );
        assert_eq!(
            store.snapshot().await.unwrap().units,
            std::slice::from_ref(&unit),
            "{l}"
        );
        let account = store.account_by_login(&person.login).await.unwrap();
        assert_eq!(account.map(|a| a.unit), Some(unit.clone()), "{l}");
        store.close().await;
    }
}
