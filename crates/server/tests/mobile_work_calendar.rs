//! Mobile work's calendar and what happens to an agreement after its approval (issue 19),
//! on SQLite and on PostgreSQL when the run has one:
//! - the hours Clara will be reachable and her reason survive the approval and the
//!   revocation (they were overwritten with nothing);
//! - while her revoked agreement is still in force, a new application is refused (two
//!   agreements in force at once would double her mobile days);
//! - the calendar's sweep (`durchwahl::mobile_work_calendar::sweep`) leaves it alone the
//!   day before the revocation takes effect and ends it on that day, written in her
//!   history by the calendar; then she may apply again;
//! - an approved agreement past its last day runs out at the next sweep, once;
//! - under a rollout cap of one, the place of an agreement that runs out goes to the next
//!   in line (audited with no actor), once; a revocation frees it on the day it takes
//!   effect, not before.

use directory::{parse_staff_csv, plan_import};
use durchwahl::mobile_work_calendar::{sweep, Swept};
use jiff::civil::{date, time, Date};
use planner::agreement_rules::{
    AgreementRules, Application, Eligibility, Hours, MobileLimits, Person,
};
use planner::approval::{authorise, Actor, Agreement, Applied, Party};
use planner::calendar::WeekdaySet;
use planner::ids::{AgreementId, PersonId, UnitId};
use planner::rollout::Scheme;
use planner::terms::DaysPattern;
use store::{AgreementState, AuditFilter, Store, StoreError};

const PEOPLE: &str = "login,name,unit,extension,email\n\
    a.amt,Anna Amt,Bauamt,2001,\n\
    b.berg,Bert Berg,Bauamt,2002,\n\
    c.bau,Clara Bau,Bauamt,2003,\n";

fn rules() -> AgreementRules {
    AgreementRules {
        eligibility: Eligibility::default(),
        limits: MobileLimits {
            days_per_week: 3,
            days_per_month: 12,
        },
        workdays: WeekdaySet::MONDAY_TO_FRIDAY,
        core_hours: None,
        acknowledgements: vec![],
        notice_days: 28,
        max_term_days: None,
        reminder_days: vec![],
    }
}

/// Unix seconds at noon, local time, on `day`.
fn noon(day: Date) -> i64 {
    planner::calendar::zone()
        .to_timestamp(day.at(12, 0, 0, 0))
        .unwrap()
        .as_second()
}

struct World {
    store: Store,
    label: &'static str,
    clara: Person,
    bert: Person,
    anna: PersonId,
    _db: testkit::TestDb,
}

async fn worlds() -> Vec<World> {
    let mut out = Vec::new();
    for db in testkit::databases().await {
        let store = Store::open(&db.url).await.unwrap();
        let plan = plan_import(
            &store.snapshot().await.unwrap(),
            parse_staff_csv(PEOPLE.as_bytes()),
        );
        store.apply_import(&plan, &mut |_, _| {}).await.unwrap();
        let anna = store.panel_person("a.amt").await.unwrap().unwrap().id;
        let clara = store.panel_person("c.bau").await.unwrap().unwrap().id;
        let bert = store.panel_person("b.berg").await.unwrap().unwrap().id;
        let bauamt = store.unit_id_by_path("Bauamt").await.unwrap().unwrap();
        store
            .set_unit_leaders(bauamt, Some(anna), &[])
            .await
            .unwrap();
        out.push(World {
            store,
            label: db.label,
            clara: Person {
                id: PersonId(clara),
                units: vec![UnitId(bauamt)],
                roles: vec![],
            },
            bert: Person {
                id: PersonId(bert),
                units: vec![UnitId(bauamt)],
                roles: vec![],
            },
            anna: PersonId(anna),
            _db: db,
        });
    }
    out
}

impl World {
    /// Clara applies (two days a week from `start`, until `end`) and Anna approves on
    /// `today`; the agreement's id.
    async fn approved(
        &self,
        today: Date,
        start: Date,
        end: Option<Date>,
    ) -> Result<i64, StoreError> {
        self.approved_for(&self.clara, today, start, end).await
    }

    /// The same for `person`.
    async fn approved_for(
        &self,
        person: &Person,
        today: Date,
        start: Date,
        end: Option<Date>,
    ) -> Result<i64, StoreError> {
        let application = Application {
            pattern: DaysPattern::PerWeek(2),
            start,
            end,
            reachable: Some(Hours {
                start: time(9, 0, 0, 0),
                end: time(12, 0, 0, 0),
            }),
            acknowledged: vec![],
            reason: Some("Pflege der Mutter".into()),
        };
        let at = today.at(9, 0, 0, 0);
        let (applied, audit) =
            Applied::submit(AgreementId(0), person, application, &rules(), at).unwrap();
        let id = self
            .store
            .insert_agreement_unless_open(&applied, &audit, 1)
            .await?;
        let Agreement::Applied(read) = self.store.agreement(id).await?.unwrap().to_planner() else {
            panic!("{}: not applied", self.label)
        };
        let chain = self.store.leadership_chain(person.id.0).await?;
        let head = authorise(&chain, self.anna, person.id, &[]).unwrap();
        let (approved, audit) = read.approve(&head, today.at(10, 0, 0, 0)).unwrap();
        self.store
            .record_agreement_transition(
                id,
                AgreementState::Applied,
                1,
                &Agreement::Approved(approved),
                &audit,
                2,
            )
            .await?;
        Ok(id)
    }
}

#[tokio::test]
async fn a_revocation_takes_effect_on_its_day_and_keeps_what_was_agreed() {
    for w in worlds().await {
        let l = w.label;
        let id = w
            .approved(date(2026, 9, 28), date(2026, 10, 1), None)
            .await
            .unwrap();
        let row = w.store.agreement(id).await.unwrap().unwrap();
        assert_eq!(row.state, AgreementState::Approved, "{l}");
        assert_eq!(
            row.reason.as_deref(),
            Some("Pflege der Mutter"),
            "{l}: reason kept"
        );
        assert_eq!(
            row.reachable.map(|h| (h.start, h.end)),
            Some((time(9, 0, 0, 0), time(12, 0, 0, 0))),
            "{l}: reachable hours kept"
        );

        // Clara gives notice on 1 October: in force until 28 October.
        let Agreement::Approved(approved) = row.to_planner() else {
            panic!("{l}")
        };
        let (revoking, audit) = approved
            .revoke(
                Party::Applicant,
                date(2026, 10, 1).at(8, 0, 0, 0),
                "Umzug".into(),
                &rules(),
            )
            .map_err(|r| r.error)
            .unwrap();
        let row = w
            .store
            .record_agreement_transition(
                id,
                AgreementState::Approved,
                row.revision,
                &Agreement::Revoking(revoking),
                &audit,
                3,
            )
            .await
            .unwrap();
        assert_eq!(row.state, AgreementState::Revoking, "{l}");
        assert_eq!(row.revocation_effective, Some(date(2026, 10, 29)), "{l}");
        assert_eq!(
            row.reason.as_deref(),
            Some("Pflege der Mutter"),
            "{l}: kept when revoking"
        );

        // A second agreement while the first is in force: refused, nothing written.
        let again = w.approved(date(2026, 10, 1), date(2026, 10, 2), None).await;
        assert!(
            matches!(again, Err(StoreError::Conflict(_))),
            "{l}: {again:?}"
        );
        assert_eq!(
            w.store.agreements_of(w.clara.id.0).await.unwrap().len(),
            1,
            "{l}"
        );

        // The day before it takes effect nothing happens; on the day it ends.
        assert_eq!(
            sweep(&w.store, noon(date(2026, 10, 28)))
                .await
                .map(|s| s.moved),
            Some(0),
            "{l}"
        );
        assert_eq!(
            sweep(&w.store, noon(date(2026, 10, 29)))
                .await
                .map(|s| s.moved),
            Some(1),
            "{l}"
        );
        assert_eq!(
            sweep(&w.store, noon(date(2026, 10, 29)))
                .await
                .map(|s| s.moved),
            Some(0),
            "{l}: once"
        );
        let row = w.store.agreement(id).await.unwrap().unwrap();
        assert_eq!(row.state, AgreementState::Ended, "{l}");
        assert_eq!(
            row.terms.end,
            Some(date(2026, 10, 28)),
            "{l}: the last day in force"
        );
        assert_eq!(
            row.reason.as_deref(),
            Some("Pflege der Mutter"),
            "{l}: kept when ended"
        );
        let history = w.store.agreement_history(id).await.unwrap();
        let last = history.last().unwrap();
        assert_eq!(
            (last.action.as_str(), last.actor),
            ("revoked", Actor::Calendar),
            "{l}"
        );

        // Now she may apply again.
        w.approved(date(2026, 10, 29), date(2026, 11, 2), None)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn an_agreement_past_its_last_day_runs_out_once() {
    for w in worlds().await {
        let l = w.label;
        let id = w
            .approved(date(2026, 1, 5), date(2026, 1, 5), Some(date(2026, 3, 31)))
            .await
            .unwrap();
        assert_eq!(
            sweep(&w.store, noon(date(2026, 3, 31)))
                .await
                .map(|s| s.moved),
            Some(0),
            "{l}: its last day"
        );
        assert_eq!(
            sweep(&w.store, noon(date(2026, 4, 1)))
                .await
                .map(|s| s.moved),
            Some(1),
            "{l}"
        );
        assert_eq!(
            sweep(&w.store, noon(date(2026, 4, 2)))
                .await
                .map(|s| s.moved),
            Some(0),
            "{l}: once"
        );
        let row = w.store.agreement(id).await.unwrap().unwrap();
        assert_eq!(row.state, AgreementState::Ended, "{l}");
        let history = w.store.agreement_history(id).await.unwrap();
        assert_eq!(history.last().unwrap().action, "expired", "{l}");
    }
}

#[tokio::test]
async fn an_agreement_that_ends_frees_its_rollout_place_for_the_next_in_line() {
    for w in worlds().await {
        let l = w.label;
        // Mobile work has one place: Clara holds it until her agreement runs out on 31
        // March; Bert's approved agreement waits on the list.
        w.store
            .configure_rollout("mobile_work", Some(1), Scheme::Weights, &[], 1)
            .await
            .unwrap();
        w.approved(date(2026, 1, 5), date(2026, 1, 5), Some(date(2026, 3, 31)))
            .await
            .unwrap();
        w.store
            .admit_to_rollout("mobile_work", &[w.clara.id], 1)
            .await
            .unwrap();
        let bert = w
            .approved_for(&w.bert, date(2026, 1, 6), date(2026, 1, 12), None)
            .await
            .unwrap();
        w.store
            .add_to_waiting_list(
                "mobile_work",
                w.bert.id.0,
                date(2026, 1, 6).at(9, 0, 0, 0),
                &[],
            )
            .await
            .unwrap();

        // Her last day changes nothing; the day after her place goes to Bert.
        let swept = sweep(&w.store, noon(date(2026, 3, 31))).await.unwrap();
        assert_eq!(swept, Swept::default(), "{l}");
        let swept = sweep(&w.store, noon(date(2026, 4, 1))).await.unwrap();
        assert_eq!(
            (swept.moved, swept.released, swept.admitted),
            (1, vec![w.clara.id], vec![w.bert.id]),
            "{l}"
        );
        assert_eq!(
            w.store.rollout_holders("mobile_work").await.unwrap(),
            vec![w.bert.id],
            "{l}"
        );
        assert!(
            w.store
                .waiting_list("mobile_work")
                .await
                .unwrap()
                .is_empty(),
            "{l}"
        );
        let feature = w
            .store
            .rollout_feature("mobile_work")
            .await
            .unwrap()
            .unwrap();
        assert_eq!((feature.cap, feature.holders), (Some(1), 1), "{l}");
        // A sweep that read the agreements before Bert's approval would free his place:
        // the release checks again in its transaction and leaves an agreement in force.
        let kept = w
            .store
            .release_rollout_place_unless_in_force("mobile_work", w.bert.id.0, 2)
            .await
            .unwrap();
        assert!(!kept.held && kept.admitted.is_empty(), "{l}");
        assert_eq!(
            w.store.rollout_holders("mobile_work").await.unwrap(),
            vec![w.bert.id],
            "{l}"
        );
        let filter = AuditFilter {
            action_prefix: Some("rollout.".into()),
            ..AuditFilter::default()
        };
        let audit = w.store.audit_entries(&filter).await.unwrap();
        let audit: Vec<_> = audit
            .iter()
            .map(|e| (e.action.as_str(), e.target.as_deref(), e.actor.as_deref()))
            .collect();
        assert_eq!(
            audit,
            vec![("rollout.admitted", Some("b.berg"), None)],
            "{l}"
        );
        let swept = sweep(&w.store, noon(date(2026, 4, 2))).await.unwrap();
        assert_eq!(swept, Swept::default(), "{l}: once");

        // Bert gives notice: he keeps the place until the revocation takes effect.
        let row = w.store.agreement(bert).await.unwrap().unwrap();
        let Agreement::Approved(approved) = row.to_planner() else {
            panic!("{l}")
        };
        let (revoking, record) = approved
            .revoke(
                Party::Applicant,
                date(2026, 4, 2).at(8, 0, 0, 0),
                "Umzug".into(),
                &rules(),
            )
            .map_err(|r| r.error)
            .unwrap();
        w.store
            .record_agreement_transition(
                bert,
                AgreementState::Approved,
                row.revision,
                &Agreement::Revoking(revoking),
                &record,
                3,
            )
            .await
            .unwrap();
        let swept = sweep(&w.store, noon(date(2026, 4, 29))).await.unwrap();
        assert_eq!(swept, Swept::default(), "{l}: still in force");
        let swept = sweep(&w.store, noon(date(2026, 4, 30))).await.unwrap();
        assert_eq!(
            (swept.moved, swept.released, swept.admitted),
            (1, vec![w.bert.id], vec![]),
            "{l}"
        );
        let feature = w
            .store
            .rollout_feature("mobile_work")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(feature.holders, 0, "{l}: the place is free");
    }
}
