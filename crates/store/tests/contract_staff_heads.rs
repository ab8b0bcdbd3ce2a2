//! The staff CSV's `head_of` column in the store, on SQLite always and on PostgreSQL when
//! the test run has one: an import sets each unit's head and deputies in the same
//! transaction as the people (so the leadership chain that finds mobile work's deciders
//! sees them), the directory's leaders come back for the export and import unchanged, an
//! import with an unknown unit writes nothing, and a file without the column changes no
//! leader.

use directory::staff_csv::head_of::by_login;
use directory::staff_csv::write_staff_csv_with_heads;
use directory::{parse_staff_csv, plan_import, CsvDialect, ImportPlan};
use store::{LeaderRole, Store};

const FILE: &str = "login,name,unit,extension,head_of
h.haupt,Hanna Haupt,Bauamt,2510,Bauamt
s.stell,Sven Stell,Bauamt/Hochbau,2511,Bauamt/Hochbau|stellv:Bauamt
e.erna,Erna Emsig,Bauamt,2512,
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

/// The unit's leaders as (login, role), head first.
async fn leaders(store: &Store, path: &str) -> Vec<(String, LeaderRole)> {
    let unit = store.unit_id_by_path(path).await.unwrap().unwrap();
    let mut out = Vec::new();
    for l in store.unit_leaders(unit).await.unwrap() {
        let person = store.panel_person_by_id(l.staff_id).await.unwrap().unwrap();
        out.push((person.login, l.role));
    }
    out
}

#[tokio::test]
async fn an_import_sets_unit_leaders_and_its_export_imports_unchanged() {
    for (store, db) in stores().await {
        let l = db.label;
        let first = plan(&store, FILE).await;
        assert!(first.problems.is_empty(), "{l}: {:?}", first.problems);
        let summary = store.apply_import(&first, &mut |_, _| {}).await.unwrap();
        assert_eq!(summary.leaders_changed, 2, "{l}");
        assert_eq!(
            leaders(&store, "Bauamt").await,
            vec![
                ("h.haupt".to_string(), LeaderRole::Head),
                ("s.stell".to_string(), LeaderRole::Deputy)
            ],
            "{l}"
        );
        assert_eq!(
            leaders(&store, "Bauamt/Hochbau").await,
            vec![("s.stell".to_string(), LeaderRole::Head)],
            "{l}"
        );
        let erna = store.panel_person("e.erna").await.unwrap().unwrap().id;
        let chain = store.leadership_chain(erna).await.unwrap();
        assert_eq!(
            chain[0].head.map(|h| h.0),
            Some(store.panel_person("h.haupt").await.unwrap().unwrap().id),
            "{l}: the decider of Erna's applications"
        );

        // The export with the column imports back unchanged.
        let staff = store.list_staff(None).await.unwrap();
        let heads = by_login(&store.leaders_by_path().await.unwrap());
        let bytes =
            write_staff_csv_with_heads(&staff, &heads, CsvDialect { delimiter: b';' }, true);
        let again = plan(&store, &String::from_utf8_lossy(&bytes)).await;
        assert!(again.problems.is_empty(), "{l}: {:?}", again.problems);
        assert!(again.is_noop(), "{l}: {again:?}");

        // An unknown unit: a problem at its line, and nothing is written.
        let bad = "login,name,unit,extension,head_of\n\
                   e.erna,Erna Emsig,Bauamt,2512,Bauamt\n\
                   h.haupt,Hanna Haupt,Bauamt,2510,Kämmerei\n";
        let refused = plan(&store, bad).await;
        assert_eq!(refused.problems.len(), 1, "{l}: {:?}", refused.problems);
        assert_eq!(refused.problems[0].line, 3, "{l}");
        assert_eq!(refused.problems[0].field, Some("head_of"), "{l}");
        assert!(
            store.apply_import(&refused, &mut |_, _| {}).await.is_err(),
            "{l}"
        );
        assert_eq!(leaders(&store, "Bauamt").await[0].0, "h.haupt", "{l}");

        // Without the column nothing changes; with it and an empty cell Hanna no longer
        // heads the Bauamt, and Sven (not in the file) stays its deputy.
        let plain = plan(
            &store,
            "login,name,unit,extension\nh.haupt,Hanna Haupt,Bauamt,2510\n",
        )
        .await;
        assert!(plain.is_noop(), "{l}: {plain:?}");
        let cleared = plan(
            &store,
            "login,name,unit,extension,head_of\nh.haupt,Hanna Haupt,Bauamt,2510,\n",
        )
        .await;
        let summary = store.apply_import(&cleared, &mut |_, _| {}).await.unwrap();
        assert_eq!(summary.leaders_changed, 1, "{l}");
        assert_eq!(
            leaders(&store, "Bauamt").await,
            vec![("s.stell".to_string(), LeaderRole::Deputy)],
            "{l}"
        );
    }
}
