//! Property tests: plans keep every hard rule, conflicts are proofs, the planner finds a
//! plan whenever an exhaustive search does, and plans are exchange-fair within the bound.
//! The checks here are written from the input directly, not from the planner's model.

use super::*;
use crate::terms::DaysPattern;
use jiff::civil::{date, Weekday};
use proptest::prelude::*;
use std::collections::HashSet;

/// Mondays around month boundaries (31 Mar and 30 Jun are Mondays, 1 May a Thursday).
const MONDAYS: [(i16, i8, i8); 4] = [(2025, 3, 24), (2025, 4, 28), (2025, 5, 26), (2025, 6, 23)];

#[derive(Debug, Clone)]
struct Knobs {
    monday: usize,
    weeks: u8,
    per_week: u8,
    per_month: u8,
    seats: Vec<u16>,
    minimum: [u16; 5],
    people: Vec<PersonKnobs>,
}

#[derive(Debug, Clone)]
struct PersonKnobs {
    office: Option<usize>,
    pattern: Option<DaysPattern>,
    starts_late: u8,
    wishes: u8,
    away: u32,
    pin: Option<(u8, bool)>,
    elsewhere: [u8; 2],
}

fn person_knobs(offices: usize) -> impl Strategy<Value = PersonKnobs> {
    let pattern = prop_oneof![
        1 => Just(None),
        2 => (1u8..=3).prop_map(|n| Some(DaysPattern::PerWeek(n))),
        1 => (1u8..32).prop_map(|b| Some(DaysPattern::Weekdays(WeekdaySet::from_bits(b)))),
    ];
    (
        proptest::option::weighted(0.8, 0..offices.max(1)),
        pattern,
        prop_oneof![3 => Just(0u8), 1 => 1u8..8],
        0u8..32,
        prop_oneof![3 => Just(0u32), 1 => any::<u32>().prop_map(|x| x & x >> 7 & x >> 13)],
        proptest::option::weighted(0.2, (0u8..10, any::<bool>())),
        [0u8..7, 0u8..7],
    )
        .prop_map(
            move |(office, pattern, starts_late, wishes, away, pin, elsewhere)| PersonKnobs {
                office: office.filter(|_| offices > 0),
                pattern,
                starts_late,
                wishes,
                away,
                pin,
                elsewhere,
            },
        )
}

fn knobs(max_people: usize, weeks: std::ops::RangeInclusive<u8>) -> impl Strategy<Value = Knobs> {
    (
        0usize..MONDAYS.len(),
        weeks,
        1u8..=3,
        2u8..=8,
        proptest::collection::vec(1u16..=2, 0..=2),
    )
        .prop_flat_map(move |(monday, weeks, per_week, per_month, seats)| {
            let offices = seats.len();
            (
                Just((monday, weeks, per_week, per_month, seats)),
                proptest::array::uniform5(prop_oneof![2 => Just(0u16), 1 => 1u16..=2]),
                proptest::collection::vec(person_knobs(offices), 2..=max_people),
            )
        })
        .prop_map(
            |((monday, weeks, per_week, per_month, seats), minimum, people)| Knobs {
                monday,
                weeks,
                per_week,
                per_month,
                seats,
                minimum,
                people,
            },
        )
}

fn build(k: &Knobs) -> RotationInput {
    let (y, m, d) = MONDAYS[k.monday];
    let monday = date(y, m, d);
    let days: Vec<Date> = (0..7 * i64::from(k.weeks))
        .map(|i| crate::calendar::add_days(monday, i))
        .collect();
    let month_of = |d: Date| YearMonth::of(d);
    let months: Vec<YearMonth> = {
        let mut m: Vec<YearMonth> = days.iter().map(|d| month_of(*d)).collect();
        m.dedup();
        m
    };
    let members = k
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| Member {
            person: PersonId(i as i64 + 1),
            office: p.office.map(|o| OfficeId(o as i64)),
            terms: p.pattern.map(|pattern| Terms {
                pattern,
                start: crate::calendar::add_days(monday, i64::from(p.starts_late)),
                end: None,
            }),
            wishes: WeekdaySet::from_bits(p.wishes),
            away: days
                .iter()
                .enumerate()
                .filter(|(i, _)| p.away & (1 << i) != 0)
                .map(|(_, d)| *d)
                .collect(),
            pins: p
                .pin
                .map(|(day, mobile)| {
                    let pin = if mobile { Pin::Mobile } else { Pin::Office };
                    vec![(days[usize::from(day) % days.len()], pin)]
                })
                .unwrap_or_default(),
            mobile_elsewhere: months
                .iter()
                .zip(p.elsewhere)
                .map(|(m, n)| (*m, n))
                .collect(),
        })
        .collect();
    let mut min_in_office = [0u16; 7];
    min_in_office[..5].copy_from_slice(&k.minimum);
    RotationInput {
        unit: UnitId(1),
        first_monday: monday,
        weeks: k.weeks,
        workdays: WeekdaySet::MONDAY_TO_FRIDAY,
        closed: vec![],
        min_in_office,
        limits: MobileLimits {
            days_per_week: k.per_week,
            days_per_month: k.per_month,
        },
        offices: k
            .seats
            .iter()
            .enumerate()
            .map(|(i, s)| Office {
                id: OfficeId(i as i64),
                seats: *s,
            })
            .collect(),
        members,
    }
}

/// Facts about a person-day, from the input alone.
struct Day {
    date: Date,
    planned: bool,
}

fn horizon(input: &RotationInput) -> Vec<Day> {
    (0..7 * i64::from(input.weeks))
        .map(|i| {
            let date = crate::calendar::add_days(input.first_monday, i);
            let planned = input.workdays.contains(date.weekday()) && !input.closed.contains(&date);
            Day { date, planned }
        })
        .collect()
}

fn pin(m: &Member, d: Date) -> Option<Pin> {
    m.pins.iter().find(|(x, _)| *x == d).map(|(_, p)| *p)
}

/// Whether `m` may be mobile on `d` by agreement and pins (ignoring counts).
fn may_be_mobile(input: &RotationInput, m: &Member, d: Date) -> bool {
    !m.away.contains(&d)
        && pin(m, d) != Some(Pin::Office)
        && m.terms
            .is_some_and(|t| t.allows(d, input.workdays) && t.days_per_week(input.limits) > 0)
}

fn week_cap(input: &RotationInput, m: &Member) -> u16 {
    m.terms
        .map_or(0, |t| u16::from(t.days_per_week(input.limits)))
}

fn month_left(input: &RotationInput, m: &Member, month: YearMonth) -> i32 {
    let elsewhere: i32 = m
        .mobile_elsewhere
        .iter()
        .filter(|(x, _)| *x == month)
        .map(|(_, n)| i32::from(*n))
        .sum();
    i32::from(input.limits.days_per_month) - elsewhere
}

/// Exhaustive search: per planned day every set of people that keeps the day's rules,
/// over all days, keeping the set of reachable (week count, month count) vectors.
fn brute_force_feasible(input: &RotationInput) -> bool {
    let people = &input.members;
    let n = people.len();
    let mut states: HashSet<Vec<(u16, i32)>> = HashSet::new();
    states.insert(vec![(0, 0); n]);
    let days = horizon(input);
    for (i, day) in days.iter().enumerate() {
        if i > 0 && i % 7 == 0 {
            states = states
                .into_iter()
                .map(|s| s.into_iter().map(|(_, m)| (0, m)).collect())
                .collect();
        }
        if i > 0 && day.date.day() == 1 {
            states = states
                .into_iter()
                .map(|s| s.into_iter().map(|(w, _)| (w, 0)).collect())
                .collect();
        }
        if !day.planned {
            continue;
        }
        let d = day.date;
        let minimum = input.min_in_office[d.weekday().to_monday_zero_offset() as usize];
        let month = YearMonth::of(d);
        let mut next = HashSet::new();
        for subset in 0u32..(1 << n) {
            let mobile = |p: usize| subset & (1 << p) != 0;
            let ok_cells = people.iter().enumerate().all(|(p, m)| {
                let must = pin(m, d) == Some(Pin::Mobile) && !m.away.contains(&d);
                (!mobile(p) || may_be_mobile(input, m, d)) && (!must || mobile(p))
            });
            if !ok_cells {
                continue;
            }
            let in_office = |p: usize| !mobile(p) && !people[p].away.contains(&d);
            let staffed = (0..n).filter(|p| in_office(*p)).count() as u16 >= minimum;
            let seats_ok = input.offices.iter().all(|o| {
                (0..n)
                    .filter(|p| people[*p].office == Some(o.id) && in_office(*p))
                    .count() as u16
                    <= o.seats
            });
            if !(staffed && seats_ok) {
                continue;
            }
            for state in &states {
                let mut s = state.clone();
                let fits = (0..n).all(|p| {
                    if mobile(p) {
                        s[p].0 += 1;
                        s[p].1 += 1;
                    }
                    s[p].0 <= week_cap(input, &people[p])
                        && (!mobile(p) || s[p].1 <= month_left(input, &people[p], month))
                });
                if fits {
                    next.insert(s);
                }
            }
        }
        states = next;
        if states.is_empty() {
            return false;
        }
    }
    true
}

/// Checks a cut as a proof, from the input alone: every demand and limit is what the
/// input says, each demand cell that may be mobile is counted by at least as many limits
/// as demands, and the needs exceed the caps.
fn verify_cut(input: &RotationInput, cut: &Cut) -> Result<(), String> {
    type CellSet = Vec<(PersonId, Date)>;
    let present = |m: &Member, d: Date| !m.away.contains(&d);
    let planned = |d: Date| input.workdays.contains(d.weekday()) && !input.closed.contains(&d);
    let in_horizon = |d: Date| horizon(input).iter().any(|x| x.date == d);
    let member = |p: PersonId| {
        input
            .members
            .iter()
            .find(|m| m.person == p)
            .ok_or("unknown person")
    };
    let mut demand_cells: Vec<CellSet> = Vec::new();
    let mut needed = 0i64;
    for demand in &cut.demands {
        match demand {
            Demand::SharedOffice {
                office,
                date,
                present: n,
                seats,
            } => {
                let o = input
                    .offices
                    .iter()
                    .find(|o| o.id == *office)
                    .ok_or("unknown office")?;
                let cells: CellSet = input
                    .members
                    .iter()
                    .filter(|m| m.office == Some(*office) && present(m, *date))
                    .map(|m| (m.person, *date))
                    .collect();
                if cells.len() as u16 != *n || o.seats != *seats || !planned(*date) {
                    return Err(format!("wrong demand {demand:?}"));
                }
                needed += i64::from(n.saturating_sub(*seats));
                demand_cells.push(cells);
            }
            Demand::Pinned { person, date } => {
                let m = member(*person)?;
                if pin(m, *date) != Some(Pin::Mobile) || !present(m, *date) || !planned(*date) {
                    return Err(format!("wrong pin {demand:?}"));
                }
                needed += 1;
                demand_cells.push(vec![(*person, *date)]);
            }
        }
    }
    let mut limit_cells: Vec<CellSet> = Vec::new();
    let mut available = 0i64;
    let days: Vec<Date> = horizon(input)
        .iter()
        .filter(|d| d.planned)
        .map(|d| d.date)
        .collect();
    for limit in &cut.limits {
        let (cap, cells): (i64, CellSet) = match limit {
            Limit::Week {
                person,
                monday,
                cap,
            }
            | Limit::WeekPart {
                person,
                monday,
                cap,
                ..
            } => {
                let m = member(*person)?;
                if *cap != week_cap(input, m) || monday.weekday() != Weekday::Monday {
                    return Err(format!("wrong week {limit:?}"));
                }
                let month = match limit {
                    Limit::WeekPart { month, .. } => Some(*month),
                    _ => None,
                };
                let cells = days
                    .iter()
                    .filter(|d| crate::calendar::monday_of(**d) == *monday)
                    .filter(|d| month.is_none_or(|m| YearMonth::of(**d) == m))
                    .map(|d| (*person, *d))
                    .collect();
                (i64::from(*cap), cells)
            }
            Limit::Month {
                person,
                month,
                max,
                elsewhere,
            } => {
                let m = member(*person)?;
                let left = month_left(input, m, *month);
                if *max != input.limits.days_per_month
                    || i32::from(*max) - i32::from(*elsewhere) != left
                {
                    return Err(format!("wrong month {limit:?}"));
                }
                let cells = days
                    .iter()
                    .filter(|d| YearMonth::of(**d) == *month)
                    .map(|d| (*person, *d))
                    .collect();
                (i64::from(left.max(0)), cells)
            }
            Limit::Day {
                date,
                present: n,
                minimum,
            } => {
                let count = input.members.iter().filter(|m| present(m, *date)).count() as u16;
                let min = input.min_in_office[date.weekday().to_monday_zero_offset() as usize];
                if count != *n || min != *minimum || !planned(*date) || !in_horizon(*date) {
                    return Err(format!("wrong day {limit:?}"));
                }
                let cells = input.members.iter().map(|m| (m.person, *date)).collect();
                (i64::from(*n) - i64::from(*minimum), cells)
            }
            Limit::Cell { person, date } => (1, vec![(*person, *date)]),
        };
        available += cap;
        limit_cells.push(cells);
    }
    if needed != cut.needed || available != cut.available || needed <= available {
        return Err(format!("counts {needed} vs {available} ({cut:?})"));
    }
    for m in &input.members {
        for d in &days {
            if !may_be_mobile(input, m, *d) {
                continue;
            }
            let c = (m.person, *d);
            let mult = demand_cells.iter().filter(|s| s.contains(&c)).count();
            let cover = limit_cells.iter().filter(|s| s.contains(&c)).count();
            if cover < mult {
                return Err(format!("{c:?} in {mult} demands but {cover} limits"));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// On small instances the planner agrees with the exhaustive search: a plan exactly
    /// when one exists, it keeps every rule, and each conflict is a valid proof.
    #[test]
    fn agrees_with_exhaustive_search(k in knobs(4, 1..=2)) {
        let input = build(&k);
        let feasible = brute_force_feasible(&input);
        let proposal = propose(&input).unwrap();
        match &proposal.outcome {
            Outcome::Plan(plan) => {
                prop_assert_eq!(check_plan(&input, plan).unwrap(), vec![]);
                prop_assert!(feasible, "the exhaustive search found no plan");
            }
            Outcome::Conflict(Conflict::Cut(cut)) => {
                prop_assert!(!feasible, "a cut for a feasible instance: {:?}", cut);
                if let Err(why) = verify_cut(&input, cut) {
                    prop_assert!(false, "invalid proof: {}", why);
                }
            }
            Outcome::Conflict(conflict) => prop_assert!(!feasible, "{:?}", conflict),
            Outcome::GaveUp => prop_assert!(false, "gave up on a small instance"),
        }
    }
}

/// Weekly and monthly limits across the 30 June boundary that cannot both be kept, while
/// each alone could (found by a search over random instances, then kept).
#[test]
fn week_and_month_conflict_is_real() {
    let june = YearMonth {
        year: 2025,
        month: 6,
    };
    let july = YearMonth {
        year: 2025,
        month: 7,
    };
    let member = |id, pattern, start, elsewhere: [u8; 2]| Member {
        person: PersonId(id),
        office: Some(OfficeId(1)),
        terms: Some(Terms {
            pattern,
            start,
            end: None,
        }),
        wishes: WeekdaySet::from_bits(7),
        away: vec![],
        pins: vec![],
        mobile_elsewhere: vec![(june, elsewhere[0]), (july, elsewhere[1])],
    };
    let tue_thu_fri = WeekdaySet::of(&[Weekday::Tuesday, Weekday::Thursday, Weekday::Friday]);
    let input = RotationInput {
        unit: UnitId(1),
        first_monday: date(2025, 6, 23),
        weeks: 2,
        workdays: WeekdaySet::MONDAY_TO_FRIDAY,
        closed: vec![],
        min_in_office: [0; 7],
        limits: MobileLimits {
            days_per_week: 3,
            days_per_month: 6,
        },
        // Three people, two seats: one of them mobile every day.
        offices: vec![Office {
            id: OfficeId(1),
            seats: 2,
        }],
        members: vec![
            member(1, DaysPattern::PerWeek(1), date(2025, 6, 23), [0, 4]),
            member(
                2,
                DaysPattern::Weekdays(tue_thu_fri),
                date(2025, 6, 23),
                [3, 5],
            ),
            member(3, DaysPattern::PerWeek(2), date(2025, 6, 24), [4, 2]),
        ],
    };
    assert!(!brute_force_feasible(&input));
    let proposal = propose(&input).unwrap();
    assert_eq!(
        proposal.outcome,
        Outcome::Conflict(Conflict::WeekAndMonth {
            people: vec![PersonId(2), PersonId(3)],
            weeks: vec![date(2025, 6, 30)]
        })
    );
    assert!(proposal.effort.solves > 2);
    let text = match proposal.outcome {
        Outcome::Conflict(c) => c.to_string(),
        _ => unreachable!(),
    };
    assert!(text.contains(
        "Wochen- und Monatsgrenzen von Person 2, Person 3 in den Wochen ab Mo, 30.06.2025"
    ));
    // One more day in July for person 2 makes it plannable.
    let mut easier = input.clone();
    easier.members[1].mobile_elsewhere[1].1 = 4;
    assert!(brute_force_feasible(&easier));
    assert!(matches!(
        propose(&easier).unwrap().outcome,
        Outcome::Plan(_)
    ));
}

/// An instance with a plan by construction: a random plan first (mobile only where the
/// agreement allows it), then limits, seats, minimums and pins loose enough to admit it.
fn constructed(
    max_people: usize,
    weeks: std::ops::RangeInclusive<u8>,
) -> impl Strategy<Value = RotationInput> {
    (
        knobs(max_people, weeks),
        proptest::collection::vec(any::<u32>(), 6),
        proptest::collection::vec(any::<u32>(), 6),
    )
        .prop_map(|(k, bits, pins)| {
            let mut input = build(&k);
            let days = horizon(&input);
            let n = input.members.len();
            let mut mobile = vec![vec![false; days.len()]; n];
            for (p, m) in input.members.iter_mut().enumerate() {
                m.pins.clear();
                for (i, day) in days.iter().enumerate() {
                    let free = day.planned
                        && !m.away.contains(&day.date)
                        && m.terms.is_some_and(|t| t.allows(day.date, input.workdays));
                    mobile[p][i] = free && bits[p] & (1 << i) != 0;
                }
            }
            let weekly = |p: usize| {
                mobile[p]
                    .chunks(7)
                    .map(|w| w.iter().filter(|x| **x).count())
                    .max()
                    .unwrap_or(0) as u8
            };
            input.limits.days_per_week = (0..n).map(weekly).max().unwrap_or(0).max(1);
            let mut per_month = 1u8;
            for (p, m) in input.members.iter_mut().enumerate() {
                if let Some(t) = &mut m.terms {
                    if let DaysPattern::PerWeek(x) = &mut t.pattern {
                        *x = (*x).max(weekly(p));
                    }
                }
                for (month, elsewhere) in &m.mobile_elsewhere {
                    let used = days
                        .iter()
                        .zip(&mobile[p])
                        .filter(|(d, x)| **x && YearMonth::of(d.date) == *month)
                        .count() as u8;
                    per_month = per_month.max(used + elsewhere);
                }
            }
            input.limits.days_per_month = per_month;
            let in_office = |p: usize, i: usize| {
                days[i].planned && !mobile[p][i] && !input.members[p].away.contains(&days[i].date)
            };
            for o in 0..input.offices.len() {
                let id = input.offices[o].id;
                let most = (0..days.len())
                    .map(|i| {
                        (0..n)
                            .filter(|p| input.members[*p].office == Some(id) && in_office(*p, i))
                            .count() as u16
                    })
                    .max()
                    .unwrap_or(0);
                input.offices[o].seats = most.max(1);
            }
            for (w, minimum) in input.min_in_office.iter_mut().enumerate().take(5) {
                *minimum = (0..days.len())
                    .filter(|i| days[*i].planned && *i % 7 == w)
                    .map(|i| (0..n).filter(|p| in_office(*p, i)).count() as u16)
                    .min()
                    .unwrap_or(0);
            }
            for p in 0..n {
                for i in (0..days.len())
                    .filter(|i| pins[p] & (1 << i) != 0 && pins[p] & (1 << (i + 3)) != 0)
                {
                    let date = days[i].date;
                    if !days[i].planned || input.members[p].away.contains(&date) {
                        continue;
                    }
                    let pin = if mobile[p][i] {
                        Pin::Mobile
                    } else {
                        Pin::Office
                    };
                    input.members[p].pins.push((date, pin));
                }
            }
            input
        })
}

fn wished(m: &Member, d: Date) -> bool {
    m.wishes.contains(d.weekday())
}

/// Checks the fairness guarantee by trying every single exchange: none that keeps the
/// hard rules (and the pins) may satisfy the planner's "fairer" condition.
fn assert_exchange_fair(input: &RotationInput, plan: &Plan) -> Result<(), TestCaseError> {
    let shares = shares(input, plan).unwrap();
    let days: Vec<Date> = horizon(input)
        .iter()
        .filter(|d| d.planned)
        .map(|d| d.date)
        .collect();
    let spot = |m: &Member, d: Date| plan.spot(m.person, d).unwrap();
    let count = |m: &Member, wish: bool| {
        days.iter()
            .filter(|d| spot(m, **d) == Spot::Mobile && wished(m, **d) == wish)
            .count() as u64
    };
    for (qi, q) in input.members.iter().enumerate() {
        for (pi, p) in input.members.iter().enumerate() {
            if pi == qi {
                continue;
            }
            let (gq, gp) = (count(q, true), count(p, true));
            prop_assert_eq!(gq, u64::from(shares[qi].granted));
            let (wq, wp) = (u64::from(shares[qi].wanted), u64::from(shares[pi].wanted));
            let wish_fairer = gq >= 1 && wp > 0 && (gq - 1) * wp > gp * wq;
            let burden_fairer = count(q, false) > count(p, false) + 1;
            for (fairer, wish) in [(wish_fairer, true), (burden_fairer, false)] {
                if !fairer {
                    continue;
                }
                for d in &days {
                    if spot(q, *d) != Spot::Mobile || wished(q, *d) != wish || pin(q, *d).is_some()
                    {
                        continue;
                    }
                    for e in &days {
                        if spot(p, *e) != Spot::Office
                            || wished(p, *e) != wish
                            || pin(p, *e).is_some()
                        {
                            continue;
                        }
                        let mut changed = plan.clone();
                        changed.set(q.person, *d, Spot::Office).unwrap();
                        changed.set(p.person, *e, Spot::Mobile).unwrap();
                        let breaches = check_plan(input, &changed).unwrap();
                        prop_assert!(
                            !breaches.is_empty(),
                            "exchange {:?} {} → {:?} {} keeps the rules and is fairer ({})",
                            q.person,
                            d,
                            p.person,
                            e,
                            if wish { "wish" } else { "burden" }
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// An instance with a plan by construction always gets a plan, and it keeps every rule.
    #[test]
    fn plannable_instances_get_a_plan(input in constructed(6, 1..=3)) {
        let proposal = propose(&input).unwrap();
        match proposal.outcome {
            Outcome::Plan(plan) => prop_assert_eq!(check_plan(&input, &plan).unwrap(), vec![]),
            other => prop_assert!(false, "no plan: {:?}", other),
        }
    }

    /// Over four weeks, no single exchange that keeps the rules makes the plan fairer:
    /// share_q − share_p ≤ 1/wanted_q for wishes, unwished_q − unwished_p ≤ 1 for burdens.
    #[test]
    fn fair_within_the_bound_over_four_weeks(input in constructed(6, 4..=4)) {
        let Outcome::Plan(plan) = propose(&input).unwrap().outcome else {
            return Err(TestCaseError::fail("no plan for a plannable instance"));
        };
        assert_exchange_fair(&input, &plan)?;
    }
}
