//! Mobile work under double clicks (issue 19), on SQLite and on PostgreSQL when the run
//! has one: six applications of one person sent at once store one (the others 409), and
//! an approval and a rejection sent at once write one decision.

mod mobile_work_kit;

use mobile_work_kit::*;
use serde_json::{json, Value};
use testkit::http::Client;

/// `body` posted to `path` by `clients` at the same moment; the statuses, sorted.
fn at_once(clients: Vec<Client>, path: &str, bodies: Vec<Value>) -> Vec<u16> {
    let barrier = std::sync::Barrier::new(clients.len());
    let mut statuses: Vec<u16> = std::thread::scope(|scope| {
        let running: Vec<_> = clients
            .into_iter()
            .zip(bodies)
            .map(|(mut client, body)| {
                let barrier = &barrier;
                scope.spawn(move || {
                    barrier.wait();
                    client.post(path, body).status
                })
            })
            .collect();
        running.into_iter().map(|t| t.join().unwrap()).collect()
    });
    statuses.sort_unstable();
    statuses
}

#[test]
fn applications_and_decisions_at_once_are_written_once() {
    for s in servers() {
        let mut admin = s.signed_in("a.admin");
        set_up(&s, &mut admin);
        let mut carl = s.signed_in("c.clerk");
        acknowledge_all(&mut carl);

        // A double click (six, in fact): one application, the others 409.
        let application = json!({"days_per_week": 1, "start": days_from_today(7).to_string(),
                                 "end": days_from_today(90).to_string()});
        let statuses = at_once(
            vec![carl.clone(); 6],
            "/api/v1/mobile-work/applications",
            vec![application; 6],
        );
        assert_eq!(statuses, [201, 409, 409, 409, 409, 409], "{}", s.label);
        let stored = s
            .block_on(s.store.agreements_of(s.staff_id("c.clerk")))
            .unwrap();
        assert_eq!(stored.len(), 1, "{}: {stored:?}", s.label);

        // The head approves and rejects at the same moment: one decision is written.
        let head = s.signed_in("h.haupt");
        let statuses = at_once(
            vec![head.clone(), head],
            &format!("/api/v1/mobile-work/agreements/{}/decision", stored[0].id),
            vec![
                json!({"decision": "approve"}),
                json!({"decision": "reject", "category": "other", "note": "Doch nicht."}),
            ],
        );
        assert_eq!(statuses, [200, 409], "{}", s.label);
        let history = s.block_on(s.store.agreement_history(stored[0].id)).unwrap();
        assert_eq!(history.len(), 2, "{}: {history:?}", s.label);
    }
}
