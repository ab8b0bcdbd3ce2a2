//! The store's contract, run on SQLite always and on PostgreSQL when the test run has one.

use directory::{
    parse_staff_csv, plan_import, Feature, GroupKind, GroupName, ImportPlan, Login, StaffRecord,
    UnitPath,
};
use store::{FeatureSelection, Store, StoreError, MIGRATIONS};

const FILE: &str = "login,name,unit,extension,mobile,roles,features
a.adler,Anna Adler,Abteilung 2/Sachgebiet 23 IKT,2301,+49 151 1234567,admin;user,softphone
b.boehm,Bärbel Böhm,Abteilung 2/Sachgebiet 22 Organisation und Personal,2201,,user,
c.weiss,Jürgen Weiß,Gesundheitsamt/Hotline,2401,,agent,hotline|softphone
d.gross,Dieter Groß,Abteilung 2,2001,,supervisor,meetings
";

async fn stores() -> Vec<(Store, testkit::TestDb)> {
    let mut out = Vec::new();
    for db in testkit::databases().await {
        let store = Store::open(&db.url)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", db.label));
        out.push((store, db));
    }
    out
}

async fn plan(store: &Store, csv: &str) -> ImportPlan {
    plan_import(
        &store.snapshot().await.unwrap(),
        parse_staff_csv(csv.as_bytes()),
    )
}

async fn import(store: &Store, csv: &str) -> store::ImportSummary {
    let plan = plan(store, csv).await;
    assert!(plan.problems.is_empty(), "{:?}", plan.problems);
    store.apply_import(&plan, &mut |_, _| {}).await.unwrap()
}

fn unit(path: &str) -> UnitPath {
    UnitPath::parse(path).unwrap()
}

fn login(l: &str) -> Login {
    Login::parse(l).unwrap()
}

fn logins(staff: &[StaffRecord]) -> Vec<&str> {
    staff.iter().map(|s| s.login.as_str()).collect()
}

#[test]
fn migration_folders_match_each_other_and_the_list() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let names = |backend: &str| {
        let mut v: Vec<String> = std::fs::read_dir(dir.join(backend))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
    let listed: Vec<String> = MIGRATIONS
        .iter()
        .map(|m| format!("{}.sql", m.name))
        .collect();
    assert_eq!(names("sqlite"), listed);
}

#[tokio::test]
async fn import_creates_units_and_staff_and_reads_them_back() {
    for (store, db) in stores().await {
        let summary = import(&store, FILE).await;
        assert_eq!(
            (summary.created, summary.updated, summary.unchanged),
            (4, 0, 0),
            "{}",
            db.label
        );
        assert_eq!(summary.units_created, 5, "{}", db.label); // Abteilung 2, SG 22, SG 23, Gesundheitsamt, Hotline
        let snapshot = store.snapshot().await.unwrap();
        let planned = plan_import(&Default::default(), parse_staff_csv(FILE.as_bytes()));
        let mut expected = planned.creates.clone();
        expected.sort_by(|a, b| a.login.cmp(&b.login));
        let mut got = snapshot.staff.clone();
        got.sort_by(|a, b| a.login.cmp(&b.login));
        assert_eq!(
            got, expected,
            "{}: what was written is what was read",
            db.label
        );
        assert_eq!(snapshot.units.len(), 5);

        let abt2 = store.list_staff(Some(&unit("Abteilung 2"))).await.unwrap();
        assert_eq!(
            logins(&abt2),
            ["d.gross", "b.boehm", "a.adler"],
            "{}: unit with sub-units",
            db.label
        );
        let err = store
            .list_staff(Some(&unit("Abteilung 9")))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::UnknownUnit(_)), "{}", db.label);
    }
}

#[tokio::test]
async fn reimport_is_a_no_op_and_a_changed_row_updates_that_person() {
    for (store, db) in stores().await {
        import(&store, FILE).await;
        let again = plan(&store, FILE).await;
        assert!(again.is_noop(), "{}: {again:?}", db.label);
        assert_eq!(again.unchanged, 4);

        let changed = FILE.replace("Bärbel Böhm", "Bärbel Böhm-Schäfer");
        let summary = import(&store, &changed).await;
        assert_eq!(
            (summary.created, summary.updated, summary.unchanged),
            (0, 1, 3),
            "{}",
            db.label
        );
        let all = store.list_staff(None).await.unwrap();
        let b = all.iter().find(|s| s.login.as_str() == "b.boehm").unwrap();
        assert_eq!(b.name, "Bärbel Böhm-Schäfer", "{}", db.label);
        let a = all.iter().find(|s| s.login.as_str() == "a.adler").unwrap();
        assert_eq!(a.mobile.as_deref(), Some("+49 151 1234567"), "{}", db.label);
    }
}

#[tokio::test]
async fn extensions_can_be_swapped_in_one_import() {
    for (store, db) in stores().await {
        import(&store, FILE).await;
        let swapped = FILE
            .replace(",2301,", ",TMP,")
            .replace(",2201,", ",2301,")
            .replace(",TMP,", ",2201,");
        let summary = import(&store, &swapped).await;
        assert_eq!(summary.updated, 2, "{}", db.label);
        let all = store.list_staff(None).await.unwrap();
        let ext = |l: &str| {
            all.iter()
                .find(|s| s.login.as_str() == l)
                .unwrap()
                .extension
                .to_string()
        };
        assert_eq!(
            (ext("a.adler"), ext("b.boehm")),
            ("2201".into(), "2301".into()),
            "{}",
            db.label
        );
    }
}

#[tokio::test]
async fn a_plan_with_problems_or_a_failing_write_changes_nothing() {
    for (store, db) in stores().await {
        import(&store, FILE).await;
        let bad = plan(
            &store,
            "login,name,unit,extension\nx.neu,Neu,Neue Abteilung,2999\ny.neu,Neu,X,12a\n",
        )
        .await;
        assert!(!bad.problems.is_empty());
        assert!(matches!(
            store.apply_import(&bad, &mut |_, _| {}).await,
            Err(StoreError::PlanHasProblems(1))
        ));

        // A forged plan that passes the planner's checks but breaks the unique login
        // constraint half-way: the new unit and the first person must not remain.
        let mut forged = plan(
            &store,
            "login,name,unit,extension\nz.neu,Zoe Neu,Neue Abteilung,2998\n",
        )
        .await;
        let mut dup = forged.creates[0].clone();
        dup.login = login("a.adler");
        dup.extension = directory::Extension::parse("2997").unwrap();
        forged.creates.push(dup);
        assert!(
            store.apply_import(&forged, &mut |_, _| {}).await.is_err(),
            "{}",
            db.label
        );
        let snapshot = store.snapshot().await.unwrap();
        assert_eq!(
            snapshot.staff.len(),
            4,
            "{}: nothing half-written",
            db.label
        );
        assert!(
            !snapshot.units.contains(&unit("Neue Abteilung")),
            "{}",
            db.label
        );
    }
}

#[tokio::test]
async fn features_switch_for_a_whole_unit_or_named_people() {
    for (store, db) in stores().await {
        import(&store, FILE).await;
        let abt2 = FeatureSelection::Unit(unit("Abteilung 2"));
        let on = store
            .switch_feature(Feature::Softphone, true, &abt2)
            .await
            .unwrap();
        assert_eq!(
            (on.selected, on.changed),
            (3, 2),
            "{}: a.adler had it already",
            db.label
        );
        let again = store
            .switch_feature(Feature::Softphone, true, &abt2)
            .await
            .unwrap();
        assert_eq!(again.changed, 0, "{}", db.label);
        let has = |staff: &[StaffRecord], l: &str, f| {
            staff
                .iter()
                .find(|s| s.login.as_str() == l)
                .unwrap()
                .features
                .contains(f)
        };
        let all = store.list_staff(None).await.unwrap();
        assert!(
            has(&all, "b.boehm", Feature::Softphone) && has(&all, "d.gross", Feature::Softphone)
        );
        assert!(
            has(&all, "d.gross", Feature::Meetings),
            "{}: other bits kept",
            db.label
        );

        let people = FeatureSelection::Logins(vec![login("c.weiss"), login("a.adler")]);
        let off = store
            .switch_feature(Feature::Softphone, false, &people)
            .await
            .unwrap();
        assert_eq!((off.selected, off.changed), (2, 2), "{}", db.label);
        let all = store.list_staff(None).await.unwrap();
        assert!(
            !has(&all, "c.weiss", Feature::Softphone) && has(&all, "c.weiss", Feature::Hotline)
        );

        let unknown = FeatureSelection::Logins(vec![login("b.boehm"), login("nobody")]);
        let err = store
            .switch_feature(Feature::Meetings, true, &unknown)
            .await
            .unwrap_err();
        assert!(
            matches!(&err, StoreError::UnknownLogins(m) if m == &["nobody"]),
            "{}: {err}",
            db.label
        );
        let all = store.list_staff(None).await.unwrap();
        assert!(
            !has(&all, "b.boehm", Feature::Meetings),
            "{}: unknown login changes nothing",
            db.label
        );
        let err = store
            .switch_feature(
                Feature::Meetings,
                true,
                &FeatureSelection::Unit(unit("Abteilung 22")),
            )
            .await;
        assert!(
            matches!(err, Err(StoreError::UnknownUnit(_))),
            "{}",
            db.label
        );
    }
}

#[tokio::test]
async fn passwords_settings_and_reopening() {
    for (store, db) in stores().await {
        import(&store, FILE).await;
        assert_eq!(
            store
                .set_password_hash(&login("a.adler"), "$argon2id$fake", None)
                .await
                .unwrap(),
            Some(0)
        );
        assert_eq!(
            store
                .set_password_hash(&login("nobody"), "$argon2id$fake", None)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .password_hash(&login("a.adler"))
                .await
                .unwrap()
                .as_deref(),
            Some("$argon2id$fake")
        );
        assert_eq!(store.password_hash(&login("b.boehm")).await.unwrap(), None);
        assert_eq!(store.setting("organisation").await.unwrap(), None);
        store
            .set_setting("organisation", "Landratsamt Musterstadt")
            .await
            .unwrap();
        store
            .set_setting("organisation", "Landratsamt Müsterstadt")
            .await
            .unwrap();
        store.close().await;
        let reopened = Store::open(&db.url).await.unwrap();
        assert_eq!(
            reopened.setting("organisation").await.unwrap().as_deref(),
            Some("Landratsamt Müsterstadt")
        );
        assert_eq!(
            reopened.staff_count().await.unwrap(),
            4,
            "{}: data and schema survive",
            db.label
        );
    }
}

#[tokio::test]
async fn groups_hold_members_and_refuse_unknown_people() {
    for (store, db) in stores().await {
        import(&store, FILE).await;
        let name = GroupName::parse("Krisenstab").unwrap();
        store
            .create_group(
                GroupKind::TeamPanel,
                &name,
                None,
                &[login("c.weiss"), login("a.adler")],
            )
            .await
            .unwrap();
        let hotline = GroupName::parse("Hotline Gesundheitsamt").unwrap();
        let err = store
            .create_group(
                GroupKind::CallGroup,
                &hotline,
                Some(&unit("Gesundheitsamt")),
                &[login("c.weiss"), login("ghost")],
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::UnknownLogins(_)), "{}", db.label);
        assert!(
            store.groups(GroupKind::CallGroup).await.unwrap().is_empty(),
            "{}: not half-created",
            db.label
        );
        store
            .create_group(
                GroupKind::CallGroup,
                &hotline,
                Some(&unit("Gesundheitsamt")),
                &[login("c.weiss")],
            )
            .await
            .unwrap();
        let panels = store.groups(GroupKind::TeamPanel).await.unwrap();
        assert_eq!(panels.len(), 1);
        assert_eq!(panels[0].members, ["a.adler", "c.weiss"], "{}", db.label);
        let calls = store.groups(GroupKind::CallGroup).await.unwrap();
        assert_eq!(
            calls[0].unit.as_deref(),
            Some("Gesundheitsamt"),
            "{}",
            db.label
        );
        assert!(
            store
                .create_group(GroupKind::TeamPanel, &name, None, &[])
                .await
                .is_err(),
            "{}: name unique per kind",
            db.label
        );
    }
}
