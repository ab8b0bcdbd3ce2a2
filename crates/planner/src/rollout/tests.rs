use super::*;
use jiff::civil::date;
use proptest::prelude::*;

fn priority(scheme: Scheme) -> Priority {
    let c = |key: &str, weight| Criterion {
        key: key.into(),
        weight,
    };
    Priority {
        scheme,
        criteria: vec![c("schwerbehinderung", 5), c("pflege", 3), c("pendeln", 3)],
    }
}

fn applicant(person: i64, day: i8, criteria: &[&str]) -> Applicant {
    Applicant {
        person: PersonId(person),
        applied_at: date(2025, 3, day).at(9, 0, 0, 0),
        criteria: criteria.iter().map(|c| c.to_string()).collect(),
    }
}

fn people(list: &[&Applicant]) -> Vec<i64> {
    list.iter().map(|a| a.person.0).collect()
}

#[test]
fn weights_then_date() {
    let waiting = vec![
        applicant(1, 1, &[]),
        applicant(2, 2, &["pflege", "pendeln"]),
        applicant(3, 3, &["schwerbehinderung"]),
        applicant(4, 1, &["pflege"]),
        applicant(5, 4, &["pendeln"]),
    ];
    let p = priority(Scheme::Weights);
    assert_eq!(people(&p.order(&waiting)), vec![2, 3, 4, 5, 1]);
    assert_eq!(p.position(&waiting, PersonId(5)), Some(4));
    assert_eq!(p.position(&waiting, PersonId(9)), None);
}

#[test]
fn tiers_rank_criteria_above_all_later_ones() {
    let waiting = vec![
        applicant(1, 1, &[]),
        applicant(2, 2, &["pflege", "pendeln"]),
        applicant(3, 3, &["schwerbehinderung"]),
        applicant(4, 1, &["pflege"]),
        applicant(6, 1, &["gestrichen"]),
    ];
    let p = priority(Scheme::Tiers);
    // Criteria no longer configured do not count: 6 is like 1, and earlier than nobody.
    assert_eq!(people(&p.order(&waiting)), vec![3, 2, 4, 1, 6]);
}

#[test]
fn a_cap_of_two_puts_the_third_on_the_list_and_raising_it_admits_them() {
    let p = priority(Scheme::Weights);
    let mut waiting = Vec::new();
    let mut holders = 0;
    for (person, day) in [(1, 1), (2, 2)] {
        let a = applicant(person, day, &[]);
        assert_eq!(
            apply(Some(2), holders, &p, &waiting, &a),
            Ok(Admission::Admitted)
        );
        holders += 1;
    }
    let third = applicant(3, 3, &[]);
    assert_eq!(
        apply(Some(2), holders, &p, &waiting, &third),
        Ok(Admission::Waiting { position: 1 })
    );
    waiting.push(third);
    let fourth = applicant(4, 4, &["pflege"]);
    assert_eq!(
        apply(Some(2), holders, &p, &waiting, &fourth),
        Ok(Admission::Waiting { position: 1 })
    );
    waiting.push(fourth);
    assert_eq!(p.position(&waiting, PersonId(3)), Some(2));
    assert_eq!(
        change_cap(Some(3), holders, &p, &waiting),
        vec![PersonId(4)]
    );
    assert_eq!(
        change_cap(Some(10), holders, &p, &waiting),
        vec![PersonId(4), PersonId(3)]
    );
    assert_eq!(change_cap(Some(1), holders, &p, &waiting), vec![]);
    assert_eq!(change_cap(None, holders, &p, &waiting).len(), 2);
    assert_eq!(free_places(Some(1), 2), Some(0));
    assert_eq!(
        apply(Some(2), 0, &p, &[], &applicant(5, 1, &["unbekannt"])),
        Err(PlannerError::UnknownCriterion("unbekannt".into()))
    );
}

fn applicants() -> impl Strategy<Value = Vec<Applicant>> {
    let keys = ["schwerbehinderung", "pflege", "pendeln"];
    proptest::collection::vec((1i8..20, proptest::bits::u8::between(0, 3)), 0..25).prop_map(
        move |list| {
            list.into_iter()
                .enumerate()
                .map(|(i, (day, bits))| {
                    let criteria: Vec<&str> = (0..3)
                        .filter(|b| bits & (1 << b) != 0)
                        .map(|b| keys[b])
                        .collect();
                    applicant(i as i64, day, &criteria)
                })
                .collect()
        },
    )
}

proptest! {
    /// The order is total and consistent: sorted pairwise, positions 1..n, and an
    /// applicant meeting a superset of another's criteria (applied no later) is ahead.
    #[test]
    fn waiting_list_order(waiting in applicants(), tiers in any::<bool>()) {
        let p = priority(if tiers { Scheme::Tiers } else { Scheme::Weights });
        let order = p.order(&waiting);
        for pair in order.windows(2) {
            prop_assert_eq!(p.compare(pair[0], pair[1]), Ordering::Less);
        }
        let mut positions: Vec<usize> =
            waiting.iter().map(|a| p.position(&waiting, a.person).unwrap()).collect();
        positions.sort();
        prop_assert_eq!(positions, (1..=waiting.len()).collect::<Vec<_>>());
        for a in &waiting {
            for b in &waiting {
                let superset = b.criteria.iter().all(|c| a.criteria.contains(c));
                if a.person != b.person && superset && a.applied_at <= b.applied_at
                    && (a.criteria.len() > b.criteria.len() || a.applied_at < b.applied_at)
                {
                    prop_assert!(p.compare(a, b) == Ordering::Less);
                }
            }
        }
    }

    /// Caps: never more admitted than places; those admitted are the front of the list;
    /// raising the cap by k admits the next k in line.
    #[test]
    fn caps(waiting in applicants(), cap in 0u32..30, holders in 0u32..30, raise in 0u32..10) {
        let p = priority(Scheme::Weights);
        let admitted = admissions(Some(cap), holders, &p, &waiting);
        prop_assert!(admitted.len() as u32 <= cap.saturating_sub(holders));
        let order: Vec<PersonId> = p.order(&waiting).iter().map(|a| a.person).collect();
        prop_assert_eq!(&admitted[..], &order[..admitted.len()]);
        let more = change_cap(Some(cap + raise), holders, &p, &waiting);
        let expected = (cap + raise).saturating_sub(holders).min(waiting.len() as u32);
        prop_assert_eq!(more.len() as u32, expected);
        prop_assert!(more.starts_with(&admitted));
    }
}
