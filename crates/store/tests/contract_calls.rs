//! The store's contract for the call history, on SQLite always and on PostgreSQL when the
//! test run has one (TEST_POSTGRES_URL).

mod staffed;

use store::CallLine;

const FILE: &str = "login,name,unit,extension,mobile,roles
c.clerk,Carl Clerk,Bauamt,2501,,user
d.dorn,Dora Dorn,Bauamt,2502,+49 151 555-0123,user
";

fn line(staff_id: i64, peer: Option<i64>, started_at: i64, answered: bool) -> CallLine {
    CallLine {
        id: 0,
        staff_id,
        direction: if answered { "in" } else { "out" }.into(),
        peer_number: "2502".into(),
        peer_name: Some("Dora Dorn".into()),
        peer_login: None,
        peer_staff_id: peer,
        started_at,
        answered_at: answered.then_some(started_at + 5),
        ended_at: started_at + 60,
    }
}

#[tokio::test]
async fn lines_read_back_newest_first_and_old_ones_are_deleted() {
    for (store, db) in staffed::stores_with(FILE).await {
        let l = db.label;
        let carl = store.panel_person("c.clerk").await.unwrap().unwrap();
        let dora = store
            .panel_person_by_extension("2502")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(dora.login, "d.dorn", "{l}");
        assert!(
            store
                .panel_person_by_extension("9999")
                .await
                .unwrap()
                .is_none(),
            "{l}"
        );
        // A mobile as stored (+49 151 555-0123) is found by its E.164 form.
        let by_mobile = store.panel_person_by_mobile("+491515550123").await.unwrap();
        assert_eq!(by_mobile.map(|p| p.login).as_deref(), Some("d.dorn"), "{l}");
        let nobody = store.panel_person_by_mobile("+4930123").await.unwrap();
        assert!(nobody.is_none(), "{l}");
        store
            .add_call_line(&line(carl.id, Some(dora.id), 1_000, true))
            .await
            .unwrap();
        store
            .add_call_line(&line(carl.id, None, 2_000, false))
            .await
            .unwrap();
        store
            .add_call_line(&line(dora.id, Some(carl.id), 1_000, true))
            .await
            .unwrap();
        let lines = store.call_lines(carl.id, 10).await.unwrap();
        assert_eq!(
            lines.iter().map(|x| x.started_at).collect::<Vec<_>>(),
            [2_000, 1_000],
            "{l}"
        );
        assert_eq!(lines[1].peer_login.as_deref(), Some("d.dorn"), "{l}");
        assert_eq!(
            (lines[1].answered_at, lines[0].answered_at),
            (Some(1_005), None),
            "{l}"
        );
        assert_eq!(store.call_lines(carl.id, 1).await.unwrap().len(), 1, "{l}");
        assert_eq!(
            store.delete_call_lines_before(1_500).await.unwrap(),
            2,
            "{l}"
        );
        assert_eq!(store.call_lines(carl.id, 10).await.unwrap().len(), 1, "{l}");
        // A line that ends before it starts is refused and nothing is written.
        let mut bad = line(carl.id, None, 5_000, false);
        bad.ended_at = 4_000;
        assert!(store.add_call_line(&bad).await.is_err(), "{l}");
        assert_eq!(store.call_lines(carl.id, 10).await.unwrap().len(), 1, "{l}");
    }
}
