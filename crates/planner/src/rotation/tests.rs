use super::*;
use crate::terms::DaysPattern;
use jiff::civil::{date, Weekday};

pub(super) const LIMITS: MobileLimits = MobileLimits {
    days_per_week: 3,
    days_per_month: 10,
};

pub(super) fn member(id: i64, office: Option<i64>, per_week: u8, wishes: &[Weekday]) -> Member {
    Member {
        person: PersonId(id),
        office: office.map(OfficeId),
        terms: (per_week > 0).then_some(Terms {
            pattern: DaysPattern::PerWeek(per_week),
            start: date(2025, 1, 1),
            end: None,
        }),
        wishes: WeekdaySet::of(wishes),
        away: vec![],
        pins: vec![],
        mobile_elsewhere: vec![],
    }
}

pub(super) fn input(
    monday: Date,
    weeks: u8,
    offices: &[(i64, u16)],
    members: Vec<Member>,
) -> RotationInput {
    RotationInput {
        unit: UnitId(1),
        first_monday: monday,
        weeks,
        workdays: WeekdaySet::MONDAY_TO_FRIDAY,
        closed: vec![],
        min_in_office: [0; 7],
        limits: LIMITS,
        offices: offices
            .iter()
            .map(|(id, seats)| Office {
                id: OfficeId(*id),
                seats: *seats,
            })
            .collect(),
        members,
    }
}

fn plan(input: &RotationInput) -> Plan {
    match propose(input).unwrap().outcome {
        Outcome::Plan(plan) => {
            assert_eq!(check_plan(input, &plan), Ok(vec![]));
            plan
        }
        other => panic!("expected a plan, got {other:?}"),
    }
}

fn cut(input: &RotationInput) -> Cut {
    match propose(input).unwrap().outcome {
        Outcome::Conflict(Conflict::Cut(cut)) => cut,
        other => panic!("expected a cut, got {other:?}"),
    }
}

use Weekday::{Friday as Fr, Monday as Mo, Thursday as Th, Tuesday as Tu, Wednesday as We};

const MONDAY: fn() -> Date = || date(2025, 3, 3);

#[test]
fn shared_offices_get_one_person_a_day() {
    // Three offices for two each, as in Traunstein: one seat per office and day.
    let members = vec![
        member(1, Some(10), 3, &[Mo, We]),
        member(2, Some(10), 3, &[Tu, Th, Fr]),
        member(3, Some(11), 3, &[Mo, Tu]),
        member(4, Some(11), 3, &[Mo, Tu, Fr]),
        member(5, Some(12), 3, &[Fr]),
        member(6, Some(12), 3, &[]),
    ];
    let input = input(MONDAY(), 2, &[(10, 1), (11, 1), (12, 1)], members);
    let plan = plan(&input);
    for date in plan.dates().take(5) {
        for pair in [[1, 2], [3, 4], [5, 6]] {
            let in_office = pair
                .iter()
                .filter(|p| plan.spot(PersonId(**p), date) == Some(Spot::Office))
                .count();
            assert!(in_office <= 1, "{date}");
        }
    }
    // 1 and 2 want complementary days: everybody gets every wish.
    let shares = shares(&input, &plan).unwrap();
    assert_eq!((shares[0].granted, shares[0].wanted), (4, 4));
    assert_eq!((shares[1].granted, shares[1].wanted), (6, 6));
    assert_eq!(plan.spot(PersonId(1), date(2025, 3, 8)), Some(Spot::Off));
}

#[test]
fn a_citizen_office_stays_staffed_and_wishes_rotate_fairly() {
    // Six people, all want Friday and Monday; at least four in the office every day.
    let members: Vec<Member> = (1..=6).map(|i| member(i, None, 2, &[Mo, Fr])).collect();
    let mut input = input(MONDAY(), 4, &[], members);
    input.min_in_office = [4, 4, 4, 4, 4, 0, 0];
    let plan = plan(&input);
    let shares = shares(&input, &plan).unwrap();
    // 8 Mondays and Fridays × 2 mobile each = 16 wishes granted, 16 / 6 per person.
    let granted: Vec<u16> = shares.iter().map(|s| s.granted).collect();
    assert_eq!(granted.iter().sum::<u16>(), 16, "{granted:?}");
    let (min, max) = (granted.iter().min().unwrap(), granted.iter().max().unwrap());
    assert!(max - min <= 1, "{granted:?}");
    assert!(shares.iter().all(|s| s.unwished == 0));
}

#[test]
fn a_shared_office_nobody_can_leave_is_a_counted_conflict() {
    // Three people, one seat; 3 has no agreement, 1 and 2 three days a week each: 10
    // mobile days needed in the week (two a day), 6 allowed.
    let members = vec![
        member(1, Some(10), 3, &[]),
        member(2, Some(10), 3, &[]),
        member(3, Some(10), 0, &[]),
    ];
    let input = input(MONDAY(), 1, &[(10, 1)], members);
    let cut = cut(&input);
    assert_eq!((cut.needed, cut.available), (10, 6));
    assert_eq!(cut.demands.len(), 5);
    assert!(cut
        .limits
        .iter()
        .all(|l| matches!(l, Limit::Week { cap: 3, .. })));
    assert_eq!(cut.barred.len(), 5);
    let text = Conflict::Cut(cut).to_string();
    assert!(text.starts_with("Kein Plan möglich: nötig wären mindestens 10 mobile Arbeitstage, möglich sind höchstens 6 (4 zu wenig)."), "{text}");
    assert!(text.contains(
        "Büro 10 am Mo, 03.03.2025: 3 Personen anwesend, 1 Platz – 2 müssen mobil arbeiten"
    ));
    assert!(text.contains("Person 3 am Mo, 03.03.2025 (keine Vereinbarung über mobile Arbeit)"));
}

#[test]
fn too_few_present_for_the_minimum() {
    let mut members: Vec<Member> = (1..=3).map(|i| member(i, None, 2, &[])).collect();
    members[0].away = vec![date(2025, 3, 5)];
    members[1].away = vec![date(2025, 3, 5)];
    let mut input = input(MONDAY(), 1, &[], members);
    input.min_in_office = [2; 7];
    let cut = cut(&input);
    assert_eq!(
        cut.limits,
        vec![Limit::Day {
            date: date(2025, 3, 5),
            present: 1,
            minimum: 2
        }]
    );
    assert_eq!((cut.needed, cut.available), (0, -1));
    assert!(Conflict::Cut(cut)
        .to_string()
        .contains("am Mi, 05.03.2025 sind nur 1 anwesend"));
}

#[test]
fn minimum_and_shared_office_together() {
    // Two offices with one seat for two each: two must be mobile every day, but the
    // minimum of three in the office leaves only one: a conflict on every day.
    let members = vec![
        member(1, Some(10), 3, &[]),
        member(2, Some(10), 3, &[]),
        member(3, Some(11), 3, &[]),
        member(4, Some(11), 3, &[]),
    ];
    let mut input = input(MONDAY(), 1, &[(10, 1), (11, 1)], members);
    input.min_in_office = [3; 7];
    let cut = cut(&input);
    assert!(cut.needed > cut.available);
    assert!(cut.limits.iter().any(|l| matches!(l, Limit::Day { .. })));
    input.min_in_office = [2; 7];
    plan(&input);
}

#[test]
fn pins_are_kept_or_reported() {
    let mut members = vec![member(1, Some(10), 3, &[Mo]), member(2, Some(10), 3, &[Mo])];
    members[1].pins = vec![
        (date(2025, 3, 3), Pin::Mobile),
        (date(2025, 3, 4), Pin::Office),
    ];
    let input = input(MONDAY(), 1, &[(10, 1)], members.clone());
    let plan = plan(&input);
    assert_eq!(plan.spot(PersonId(2), date(2025, 3, 3)), Some(Spot::Mobile));
    assert_eq!(plan.spot(PersonId(2), date(2025, 3, 4)), Some(Spot::Office));
    assert_eq!(plan.spot(PersonId(1), date(2025, 3, 4)), Some(Spot::Mobile));
    // Pinned mobile on a day the agreement does not name.
    members[1].terms = Some(Terms {
        pattern: DaysPattern::Weekdays(WeekdaySet::of(&[Tu])),
        start: date(2025, 1, 1),
        end: None,
    });
    members[1].pins = vec![(date(2025, 3, 3), Pin::Mobile)];
    let input = super::tests::input(MONDAY(), 1, &[(10, 1)], members);
    let cut = cut(&input);
    assert_eq!(
        cut.barred,
        vec![(PersonId(2), date(2025, 3, 3), Barred::NotAgreedDay)]
    );
}

#[test]
fn monthly_limits_across_a_month_boundary() {
    // 17 Mar – 13 Apr 2025; the third week has Monday in March and the rest in April.
    // March allows 10 days with 4 taken before the plan: 6 left, though the weeks would
    // give 7; the split week must still keep 3 days in all.
    let mut m = member(1, Some(10), 3, &[Mo, Tu, We]);
    m.mobile_elsewhere = vec![(
        YearMonth {
            year: 2025,
            month: 3,
        },
        4,
    )];
    let members = vec![m, member(2, Some(10), 0, &[])];
    let input = input(date(2025, 3, 17), 4, &[(10, 2)], members);
    let plan = plan(&input);
    let mobile_in = |month| {
        plan.dates()
            .filter(|d| d.month() == month && plan.spot(PersonId(1), *d) == Some(Spot::Mobile))
            .count()
    };
    assert_eq!((mobile_in(3), mobile_in(4)), (6, 5));
}

#[test]
fn closed_days_and_absences_are_not_planned() {
    let mut members = vec![member(1, Some(10), 2, &[Mo]), member(2, Some(10), 2, &[])];
    members[0].away = vec![date(2025, 3, 4)];
    let mut input = input(MONDAY(), 1, &[(10, 1)], members);
    input.closed = vec![date(2025, 3, 3)];
    let plan = plan(&input);
    assert_eq!(plan.spot(PersonId(1), date(2025, 3, 3)), Some(Spot::Off));
    assert_eq!(plan.spot(PersonId(1), date(2025, 3, 4)), Some(Spot::Away));
    // With 1 away on Tuesday, 2 may sit in the office; on the other three days one of
    // them works mobile.
    assert_eq!(plan.spot(PersonId(2), date(2025, 3, 4)), Some(Spot::Office));
}

#[test]
fn edited_plans_are_checked() {
    let members = vec![member(1, Some(10), 1, &[]), member(2, Some(10), 0, &[])];
    let mut input = input(MONDAY(), 1, &[(10, 1)], members);
    input.min_in_office = [1; 7];
    let mut plan = Plan::blank(&input).unwrap();
    plan.set(PersonId(1), date(2025, 3, 3), Spot::Mobile)
        .unwrap();
    plan.set(PersonId(1), date(2025, 3, 4), Spot::Mobile)
        .unwrap();
    plan.set(PersonId(2), date(2025, 3, 5), Spot::Mobile)
        .unwrap();
    let breaches = check_plan(&input, &plan).unwrap();
    assert_eq!(
        breaches,
        vec![
            Breach::TooManyInWeek {
                person: PersonId(1),
                monday: date(2025, 3, 3),
                days: 2,
                max: 1
            },
            Breach::NoAgreement {
                person: PersonId(2),
                date: date(2025, 3, 5)
            },
            Breach::OfficeOverfull {
                office: OfficeId(10),
                date: date(2025, 3, 6),
                in_office: 2,
                seats: 1
            },
            Breach::OfficeOverfull {
                office: OfficeId(10),
                date: date(2025, 3, 7),
                in_office: 2,
                seats: 1
            },
        ]
    );
    assert!(breaches[0].to_string().contains("höchstens 1"));
    assert!(plan
        .set(PersonId(9), date(2025, 3, 3), Spot::Mobile)
        .is_err());
    assert!(plan
        .set(PersonId(1), date(2025, 3, 10), Spot::Mobile)
        .is_err());
}

#[test]
fn bad_input_is_an_error() {
    let members = vec![member(1, Some(99), 1, &[])];
    let bad = input(MONDAY(), 1, &[(10, 1)], members);
    assert!(matches!(
        propose(&bad),
        Err(PlannerError::InvalidPlanInput(_))
    ));
    let tuesday = input(date(2025, 3, 4), 1, &[], vec![]);
    assert!(propose(&tuesday).is_err());
    let twice = input(
        MONDAY(),
        1,
        &[],
        vec![member(1, None, 1, &[]), member(1, None, 1, &[])],
    );
    assert!(propose(&twice).is_err());
}

#[test]
fn a_conflict_names_only_what_falls_short() {
    // Office 10 cannot work out; office 11 (in the same flow) can, and is not named.
    let members = vec![
        member(1, Some(10), 3, &[]),
        member(2, Some(10), 3, &[]),
        member(3, Some(10), 0, &[]),
        member(4, Some(11), 3, &[Mo]),
        member(5, Some(11), 3, &[Mo]),
    ];
    let input = input(MONDAY(), 2, &[(10, 1), (11, 1)], members);
    let cut = cut(&input);
    assert!(cut.demands.iter().all(|d| matches!(
        d,
        Demand::SharedOffice {
            office: OfficeId(10),
            ..
        }
    )));
    assert!(cut.limits.iter().all(|l| match l {
        Limit::Week { person, .. } => person.0 <= 2,
        _ => false,
    }));
    assert_eq!((cut.needed, cut.available), (20, 12));
}
