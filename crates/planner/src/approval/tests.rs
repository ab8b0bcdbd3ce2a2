use super::*;
use crate::testing::{application, clerk, now, rules, today, AMT, IKT};
use jiff::civil::date;
use proptest::prelude::*;

const HEAD: PersonId = PersonId(1);
const DEPUTY: PersonId = PersonId(2);
const STRANGER: PersonId = PersonId(77);

fn chain() -> Vec<Leadership> {
    vec![
        Leadership {
            unit: IKT,
            head: Some(HEAD),
            deputies: vec![DEPUTY],
        },
        Leadership {
            unit: AMT,
            head: Some(PersonId(9)),
            deputies: vec![],
        },
    ]
}

fn head() -> Approver {
    authorise(&chain(), HEAD, clerk().id, &[]).unwrap()
}

fn applied() -> Applied {
    Applied::submit(AgreementId(5), &clerk(), application(), &rules(), now())
        .unwrap()
        .0
}

fn approved() -> Approved {
    applied().approve(&head(), now()).unwrap().0
}

#[test]
fn apply_then_approve_with_audit() {
    let (applied, audit) =
        Applied::submit(AgreementId(5), &clerk(), application(), &rules(), now()).unwrap();
    assert_eq!(audit.actor, Actor::Applicant);
    assert_eq!(audit.unit, IKT);
    assert!(audit
        .to_string()
        .starts_with("03.03.2025 10:00: Antrag gestellt"));
    let (approved, audit) = applied.approve(&head(), now()).unwrap();
    assert_eq!(approved.terms.start, date(2025, 4, 1));
    assert_eq!(
        audit.actor,
        Actor::Decider {
            person: HEAD,
            capacity: Capacity::Head(IKT)
        }
    );
    assert!(audit.to_string().contains("Genehmigt"));
}

#[test]
fn a_breaking_application_is_not_applied() {
    let mut bad = application();
    bad.pattern = crate::terms::DaysPattern::PerWeek(4);
    let err = Applied::submit(AgreementId(5), &clerk(), bad, &rules(), now()).unwrap_err();
    assert!(matches!(err, PlannerError::RulesBroken(ref b) if b.len() == 2));
    assert!(err.to_string().contains("höchstens 2"));
}

#[test]
fn an_approver_for_someone_else_is_refused_and_the_state_returned() {
    let other = authorise(&chain(), HEAD, PersonId(4), &[]).unwrap();
    let refused = applied().approve(&other, now()).unwrap_err();
    assert_eq!(refused.state, applied());
    assert_eq!(
        refused.error,
        PlannerError::NotPermitted {
            decider: HEAD,
            applicant: clerk().id
        }
    );
    assert!(authorise(&chain(), STRANGER, clerk().id, &[]).is_err());
}

#[test]
fn an_application_whose_period_is_over_cannot_be_approved() {
    let late = date(2026, 4, 1).at(9, 0, 0, 0);
    let refused = applied().approve(&head(), late).unwrap_err();
    assert_eq!(
        refused.error,
        PlannerError::PeriodOver {
            end: date(2026, 3, 31)
        }
    );
    assert_eq!(refused.state, applied());
}

#[test]
fn changes_requested_then_resubmitted() {
    let (changes, audit) = applied()
        .request_changes(&head(), now(), "Bitte Dienstag statt Montag".into())
        .unwrap();
    assert!(audit.to_string().contains("Dienstag statt Montag"));
    let mut changed = application();
    changed.pattern = crate::terms::DaysPattern::PerWeek(1);
    let refused = changes
        .clone()
        .resubmit(
            &crate::testing::clerk(),
            {
                let mut bad = changed.clone();
                bad.acknowledged.clear();
                bad
            },
            &rules(),
            now(),
        )
        .unwrap_err();
    assert_eq!(refused.state, changes);
    let (applied, audit) = changes
        .resubmit(&clerk(), changed, &rules(), now())
        .unwrap();
    assert_eq!(
        applied.application.pattern,
        crate::terms::DaysPattern::PerWeek(1)
    );
    assert!(matches!(audit.action, AuditAction::Resubmitted { .. }));
}

#[test]
fn rejected_with_a_category() {
    let (rejected, audit) = applied()
        .reject(
            &head(),
            now(),
            RejectionCategory::ServiceNeeds,
            "Publikumsverkehr".into(),
        )
        .unwrap();
    assert_eq!(rejected.category, RejectionCategory::ServiceNeeds);
    assert_eq!(
        audit.action.to_string(),
        "Abgelehnt (dienstliche Gründe): Publikumsverkehr"
    );
}

#[test]
fn renewal_extends_within_the_longest_term() {
    let new_end = date(2027, 3, 31);
    let (renewed, audit) = approved().renew(&head(), now(), new_end, &rules()).unwrap();
    assert_eq!(renewed.terms.end, Some(new_end));
    assert_eq!(
        audit.action,
        AuditAction::Renewed {
            from: date(2026, 3, 31),
            to: new_end
        }
    );
    let refused = approved()
        .renew(&head(), now(), date(2026, 1, 1), &rules())
        .unwrap_err();
    assert_eq!(
        refused.error,
        PlannerError::RenewalTooShort {
            current_end: date(2026, 3, 31)
        }
    );
    let refused = approved()
        .renew(&head(), now(), date(2028, 4, 1), &rules())
        .unwrap_err();
    assert!(matches!(
        refused.error,
        PlannerError::RenewalTooLong { max: 730, .. }
    ));
}

#[test]
fn revocation_takes_effect_after_the_notice_period() {
    let at = date(2025, 6, 2).at(9, 0, 0, 0);
    let (revoking, audit) = approved()
        .revoke(
            Party::Manager(&head()),
            at,
            "Umorganisation".into(),
            &rules(),
        )
        .unwrap();
    assert_eq!(revoking.effective, date(2025, 6, 30));
    assert!(matches!(audit.action, AuditAction::RevocationGiven { .. }));
    let agreement = Agreement::Revoking(revoking);
    assert_eq!(
        agreement.active_terms().unwrap().end,
        Some(date(2025, 6, 29))
    );
    assert_eq!(
        agreement.next_deadline(&rules(), date(2025, 6, 3)),
        Some(Deadline {
            on: date(2025, 6, 30),
            kind: DeadlineKind::RevocationEffective
        })
    );
    let (same, none) = agreement.clone().advance(date(2025, 6, 29), at);
    assert_eq!((same, none), (agreement.clone(), None));
    let (ended, audit) = agreement.advance(date(2025, 6, 30), at);
    assert!(matches!(
        ended,
        Agreement::Ended(Ended {
            cause: EndCause::Revoked,
            ..
        })
    ));
    assert_eq!(audit.unwrap().action, AuditAction::Revoked);
    assert_eq!(ended.active_terms(), None);
}

#[test]
fn the_person_may_give_notice_too() {
    let (revoking, audit) = approved()
        .revoke(Party::Applicant, now(), "Umzug".into(), &rules())
        .unwrap();
    assert_eq!(audit.actor, Actor::Applicant);
    assert_eq!(revoking.effective, date(2025, 3, 31));
}

#[test]
fn reminders_before_expiry_then_expiry() {
    let agreement = Agreement::Approved(approved());
    let deadlines = agreement.deadlines(&rules());
    assert_eq!(
        deadlines,
        vec![
            Deadline {
                on: date(2026, 2, 17),
                kind: DeadlineKind::Reminder { days_left: 42 }
            },
            Deadline {
                on: date(2026, 3, 17),
                kind: DeadlineKind::Reminder { days_left: 14 }
            },
            Deadline {
                on: date(2026, 4, 1),
                kind: DeadlineKind::Expiry
            },
        ]
    );
    assert_eq!(
        agreement.next_deadline(&rules(), date(2026, 3, 1)),
        Some(deadlines[1])
    );
    let (ended, audit) = agreement.advance(date(2026, 4, 1), now());
    assert!(matches!(
        ended,
        Agreement::Ended(Ended {
            cause: EndCause::Expired,
            ..
        })
    ));
    assert_eq!(audit.unwrap().actor, Actor::Calendar);
}

#[test]
fn ending_by_agreement_and_withdrawing() {
    let at = date(2025, 5, 5).at(8, 0, 0, 0);
    let (ended, audit) = approved().end(at);
    assert_eq!(ended.terms.end, Some(date(2025, 5, 5)));
    assert_eq!(
        audit.action,
        AuditAction::Ended {
            last_day: date(2025, 5, 5)
        }
    );
    let (withdrawn, audit) = applied().withdraw(now());
    assert_eq!(withdrawn.holder.person, clerk().id);
    assert_eq!(audit.action, AuditAction::Withdrawn);
}

/// An event from outside, for the random sequences below.
#[derive(Debug, Clone)]
enum Event {
    Approve(bool),
    RequestChanges,
    Reject,
    Withdraw,
    Resubmit,
    Renew(i64),
    End,
    Revoke(bool),
    Advance(i64),
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        any::<bool>().prop_map(Event::Approve),
        Just(Event::RequestChanges),
        Just(Event::Reject),
        Just(Event::Withdraw),
        Just(Event::Resubmit),
        (-30i64..900).prop_map(Event::Renew),
        Just(Event::End),
        any::<bool>().prop_map(Event::Revoke),
        (0i64..800).prop_map(Event::Advance),
    ]
}

/// Applies `event` on `day`; returns the new state and the audit record, if any.
fn step(state: Agreement, event: &Event, day: Date) -> (Agreement, Option<AuditRecord>) {
    let at = day.at(12, 0, 0, 0);
    let wrong = authorise(&chain(), HEAD, STRANGER, &[]).unwrap();
    let approver = |right: bool| if right { head() } else { wrong.clone() };
    match (state, event) {
        (Agreement::Applied(s), Event::Approve(right)) => match s.approve(&approver(*right), at) {
            Ok((n, r)) => (Agreement::Approved(n), Some(r)),
            Err(refused) => (Agreement::Applied(refused.state), None),
        },
        (Agreement::Applied(s), Event::RequestChanges) => {
            let (n, r) = s.request_changes(&head(), at, "x".into()).unwrap();
            (Agreement::ChangesRequested(n), Some(r))
        }
        (Agreement::Applied(s), Event::Reject) => {
            let (n, r) = s
                .reject(&head(), at, RejectionCategory::Other, "x".into())
                .unwrap();
            (Agreement::Rejected(n), Some(r))
        }
        (Agreement::Applied(s), Event::Withdraw) => {
            let (n, r) = s.withdraw(at);
            (Agreement::Withdrawn(n), Some(r))
        }
        (Agreement::ChangesRequested(s), Event::Resubmit) => {
            let mut application = application();
            application.start = day.max(application.start);
            application.end = Some(crate::calendar::add_days(application.start, 300));
            match s.resubmit(&clerk(), application, &rules(), at) {
                Ok((n, r)) => (Agreement::Applied(n), Some(r)),
                Err(refused) => (Agreement::ChangesRequested(refused.state), None),
            }
        }
        (Agreement::Approved(s), Event::Renew(days)) => {
            let end = s.terms.end.unwrap();
            match s.renew(&head(), at, crate::calendar::add_days(end, *days), &rules()) {
                Ok((n, r)) => (Agreement::Approved(n), Some(r)),
                Err(refused) => (Agreement::Approved(refused.state), None),
            }
        }
        (Agreement::Approved(s), Event::End) => {
            let (n, r) = s.end(at);
            (Agreement::Ended(n), Some(r))
        }
        (Agreement::Approved(s), Event::Revoke(by_manager)) => {
            let h = head();
            let by = if *by_manager {
                Party::Manager(&h)
            } else {
                Party::Applicant
            };
            let (n, r) = s.revoke(by, at, "x".into(), &rules()).unwrap();
            (Agreement::Revoking(n), Some(r))
        }
        (state, Event::Advance(_)) => state.advance(day, at),
        (state, _) => (state, None),
    }
}

proptest! {
    #[test]
    fn random_event_sequences_keep_the_machine_sound(
        events in proptest::collection::vec(event(), 1..25)
    ) {
        let mut state = Agreement::Applied(applied());
        let mut day = today();
        let mut history = Vec::new();
        for event in &events {
            if let Event::Advance(days) = event {
                day = crate::calendar::add_days(day, *days);
            }
            let before = state.clone();
            let (next, audit) = step(state, event, day);
            let final_before = matches!(
                before,
                Agreement::Rejected(_) | Agreement::Withdrawn(_) | Agreement::Ended(_)
            );
            if final_before {
                prop_assert_eq!(&next, &before, "final states never change");
            }
            match &audit {
                Some(record) => {
                    prop_assert_eq!(record.agreement, AgreementId(5));
                    prop_assert_eq!(record.person, clerk().id);
                    prop_assert_ne!(&next, &before);
                    history.push(record.clone());
                }
                None => prop_assert_eq!(&next, &before, "no change without a record"),
            }
            let in_force = matches!(next, Agreement::Approved(_) | Agreement::Revoking(_));
            prop_assert_eq!(next.active_terms().is_some(), in_force);
            // A state in force always still covers something after the calendar ran.
            if let Agreement::Approved(a) = &next {
                prop_assert!(a.terms.end.is_none_or(|end| end >= day));
            }
            prop_assert!(next.deadlines(&rules()).is_empty() || in_force);
            state = next;
        }
        let reapplied = history.iter().any(|r| matches!(r.action, AuditAction::Applied { .. }));
        prop_assert!(!reapplied, "only submit records an application");
    }
}
