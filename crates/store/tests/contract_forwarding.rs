//! The store's contract for call forwarding rules, on SQLite always and on PostgreSQL when
//! the test run has one (TEST_POSTGRES_URL).

mod staffed;

use directory::forwarding::{RuleRequest, RulesRequest};
use directory::{Extension, ForwardingRules, Login};
use store::{Store, StoreError};

const FILE: &str = "login,name,unit,extension,mobile,roles
c.clerk,Carl Clerk,Bauamt,2501,,user
d.dorn,Dora Dorn,Bauamt,2502,,user
e.eck,Emil Eck,Bauamt,2503,,user
";

async fn stores() -> Vec<(Store, testkit::TestDb)> {
    staffed::stores_with(FILE).await
}

fn login(l: &str) -> Login {
    Login::parse(l).unwrap()
}

fn ext(e: &str) -> Extension {
    Extension::parse(e).unwrap()
}

/// Rules for `own`, with the directory check left to the store.
fn rules(own: &str, request: RulesRequest<'_>) -> ForwardingRules {
    ForwardingRules::validate(&request, &ext(own), |_| true).unwrap()
}

fn on(target: &str) -> RuleRequest<'_> {
    RuleRequest {
        on: true,
        target: Some(target),
    }
}

#[tokio::test]
async fn rules_are_off_until_saved_and_read_back_as_saved() {
    for (store, db) in stores().await {
        let l = db.label;
        let carl = store.forwarding(&login("c.clerk")).await.unwrap().unwrap();
        assert_eq!(carl.extension, ext("2501"), "{l}");
        assert_eq!(carl.rules, ForwardingRules::default(), "{l}");
        assert_eq!(
            store.forwarding(&login("x.none")).await.unwrap(),
            None,
            "{l}"
        );
        assert!(store.all_forwarding().await.unwrap().is_empty(), "{l}");

        let saved = rules(
            "2501",
            RulesRequest {
                busy: on("2502"),
                no_answer: RuleRequest {
                    on: false,
                    target: Some("2503"),
                },
                no_answer_secs: 45,
                ..RulesRequest::default()
            },
        );
        store
            .set_forwarding(&login("c.clerk"), &saved, 100)
            .await
            .unwrap();
        let back = store.forwarding(&login("c.clerk")).await.unwrap().unwrap();
        assert_eq!(back.rules, saved, "{l}");
        let all = store.all_forwarding().await.unwrap();
        assert_eq!(all.len(), 1, "{l}: only people who saved rules");
        assert_eq!(all.get(&back.staff_id), Some(&saved), "{l}");

        // Saving again replaces all three rules.
        let changed = rules(
            "2501",
            RulesRequest {
                always: on("2503"),
                ..RulesRequest::default()
            },
        );
        store
            .set_forwarding(&login("c.clerk"), &changed, 101)
            .await
            .unwrap();
        let back = store.forwarding(&login("c.clerk")).await.unwrap().unwrap();
        assert_eq!(back.rules, changed, "{l}");
        assert_eq!(
            store
                .forwarding(&login("d.dorn"))
                .await
                .unwrap()
                .unwrap()
                .rules,
            ForwardingRules::default(),
            "{l}: others untouched"
        );
    }
}

#[tokio::test]
async fn a_target_is_a_person_and_follows_a_new_extension() {
    for (store, db) in stores().await {
        let l = db.label;
        let saved = rules(
            "2501",
            RulesRequest {
                always: on("2502"),
                ..RulesRequest::default()
            },
        );
        store
            .set_forwarding(&login("c.clerk"), &saved, 100)
            .await
            .unwrap();
        let mut dora = store.person(&login("d.dorn")).await.unwrap().unwrap();
        dora.extension = ext("2599");
        store.update_person(&dora).await.unwrap();
        let carl = store.forwarding(&login("c.clerk")).await.unwrap().unwrap();
        assert_eq!(
            carl.rules
                .rule(directory::RuleKind::Always)
                .target()
                .map(Extension::as_str),
            Some("2599"),
            "{l}"
        );
        let found = store
            .people_with_extensions(&[ext("2599"), ext("2502"), ext("2503")])
            .await
            .unwrap();
        assert_eq!(found.len(), 2, "{l}: {found:?}");
        assert_eq!(found[&ext("2599")].login, "d.dorn", "{l}");
        assert_eq!(found[&ext("2503")].name, "Emil Eck", "{l}");
        assert!(store.people_with_extensions(&[]).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_target_nobody_has_or_ones_own_changes_nothing() {
    for (store, db) in stores().await {
        let l = db.label;
        let before = rules(
            "2501",
            RulesRequest {
                busy: on("2503"),
                ..RulesRequest::default()
            },
        );
        store
            .set_forwarding(&login("c.clerk"), &before, 100)
            .await
            .unwrap();
        // The first rule is fine, a later one is not: none of it is written.
        for bad_target in ["9999", "2501"] {
            let bad = ForwardingRules::validate(
                &RulesRequest {
                    always: on("2502"),
                    no_answer: on(bad_target),
                    ..RulesRequest::default()
                },
                // As if checked against a directory that has changed since.
                &ext("2000"),
                |_| true,
            )
            .unwrap();
            let err = store
                .set_forwarding(&login("c.clerk"), &bad, 101)
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::Conflict(_)), "{l}: {err}");
            assert_eq!(
                store
                    .forwarding(&login("c.clerk"))
                    .await
                    .unwrap()
                    .unwrap()
                    .rules,
                before,
                "{l}"
            );
        }
        let err = store
            .set_forwarding(&login("x.none"), &before, 102)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::UnknownLogins(_)), "{l}: {err}");
        assert_eq!(store.all_forwarding().await.unwrap().len(), 1, "{l}");
    }
}

#[tokio::test]
async fn a_rule_to_the_voicemail_box_reads_back_and_can_change_again() {
    for (store, db) in stores().await {
        let l = db.label;
        let to_box = rules(
            "2501",
            RulesRequest {
                always: RuleRequest {
                    on: false,
                    target: Some("voicemail"),
                },
                busy: on("voicemail"),
                no_answer: on("2502"),
                no_answer_secs: 15,
            },
        );
        store
            .set_forwarding(&login("c.clerk"), &to_box, 100)
            .await
            .unwrap();
        let carl = store.forwarding(&login("c.clerk")).await.unwrap().unwrap();
        assert_eq!(carl.rules, to_box, "{l}");
        let by_extension = store.forwarding_by_extension().await.unwrap();
        assert_eq!(by_extension[&ext("2501")], to_box, "{l}");
        // From the box to a colleague and back: one target at a time.
        let to_colleague = rules(
            "2501",
            RulesRequest {
                busy: on("2503"),
                no_answer: on("voicemail"),
                ..RulesRequest::default()
            },
        );
        store
            .set_forwarding(&login("c.clerk"), &to_colleague, 101)
            .await
            .unwrap();
        let carl = store.forwarding(&login("c.clerk")).await.unwrap().unwrap();
        assert_eq!(carl.rules, to_colleague, "{l}");
        assert_eq!(
            carl.rules.to_string(),
            "always off; busy on → 2503; no_answer on → voicemail after 20 s",
            "{l}"
        );
    }
}
