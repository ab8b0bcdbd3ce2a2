//! The speed target: rotation plans for 1,800 staff in 200 units over four weeks,
//! under 2 s. Builds such an administration (deterministically), plans every unit and
//! prints the time, the outcomes, the largest flow network and the peak memory; then the
//! same for 1,800 staff in 20 units of 90.
//!
//! `cargo run --release -p planner --example rotation_1800`

use jiff::civil::{date, Date, Weekday};
use planner::agreement_rules::MobileLimits;
use planner::calendar::{WeekdaySet, YearMonth};
use planner::ids::{OfficeId, PersonId, UnitId};
use planner::rotation::{propose, Member, Office, Outcome, RotationInput};
use planner::terms::{DaysPattern, Terms};
use std::time::{Duration, Instant};

/// A small deterministic generator (no dependency for an example).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % below
    }
}

fn unit(index: usize, size: usize, rng: &mut Lcg) -> RotationInput {
    // 17 March – 13 April 2025: the third week straddles the March/April boundary.
    let first_monday = date(2025, 3, 17);
    let citizen_facing = index.is_multiple_of(4);
    let march = YearMonth {
        year: 2025,
        month: 3,
    };
    let mut offices = Vec::new();
    let mut members: Vec<Member> = Vec::new();
    // Two who may work mobile three days a week share a one-seat office (one of the two
    // in the office each day); everyone else sits alone.
    let mut waiting_for_partner: Option<OfficeId> = None;
    for i in 0..size {
        let person = PersonId((index * size + i) as i64);
        let terms = match rng.next(10) {
            0 => None,
            1..=6 => Some(DaysPattern::PerWeek(3)),
            7 => Some(DaysPattern::PerWeek(2)),
            _ => Some(DaysPattern::Weekdays(WeekdaySet::from_bits(
                0b10101 | (1 << rng.next(5)),
            ))),
        };
        let shares_office = terms == Some(DaysPattern::PerWeek(3));
        let office = match (shares_office, waiting_for_partner.take()) {
            (true, Some(shared)) => shared,
            (sharing, earlier) => {
                waiting_for_partner = earlier;
                let id = OfficeId(person.0);
                offices.push(Office { id, seats: 1 });
                if sharing {
                    waiting_for_partner = Some(id);
                }
                id
            }
        };
        let wishes = WeekdaySet::from_bits((rng.next(32) | 1 << rng.next(5)) as u8);
        let away: Vec<Date> = (0..rng.next(4))
            .map(|_| planner_day(first_monday, rng.next(28)))
            .filter(|d| d.weekday() != Weekday::Saturday && d.weekday() != Weekday::Sunday)
            .collect();
        members.push(Member {
            person,
            office: Some(office),
            terms: terms.map(|pattern| Terms {
                pattern,
                start: date(2025, 1, 1),
                end: None,
            }),
            wishes,
            away,
            pins: vec![],
            mobile_elsewhere: vec![(march, rng.next(5) as u8)],
        });
    }
    let minimum = if citizen_facing { (size / 3) as u16 } else { 0 };
    RotationInput {
        unit: UnitId(index as i64),
        first_monday,
        weeks: 4,
        workdays: WeekdaySet::MONDAY_TO_FRIDAY,
        closed: vec![],
        min_in_office: [minimum, minimum, minimum, minimum, minimum, 0, 0],
        limits: MobileLimits {
            days_per_week: 3,
            days_per_month: 10,
        },
        offices,
        members,
    }
}

fn planner_day(monday: Date, offset: u64) -> Date {
    monday.saturating_add(jiff::Span::new().days(offset as i64))
}

/// Peak resident memory from /proc (Linux), in KiB.
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    // The figure: 200 units of 9. Then the same staff in 20 units of 90, where a
    // unit's flow and fairness exchanges are largest.
    for (units, size) in [(200, 9), (20, 90)] {
        run(units, size);
    }
    match peak_memory_kib() {
        Some(kib) => println!("peak memory (VmHWM): {:.1} MiB", kib as f64 / 1024.0),
        None => println!("peak memory: not available"),
    }
}

fn run(units: usize, size: usize) {
    let mut rng = Lcg(19);
    let inputs: Vec<RotationInput> = (0..units).map(|i| unit(i, size, &mut rng)).collect();
    let staff: usize = inputs.iter().map(|u| u.members.len()).sum();
    let (mut plans, mut conflicts, mut gave_up) = (0, 0, 0);
    let (mut nodes, mut arcs, mut solves, mut slowest) = (0, 0, 0, Duration::ZERO);
    let start = Instant::now();
    for input in &inputs {
        let unit_start = Instant::now();
        let proposal = propose(input).expect("valid input");
        slowest = slowest.max(unit_start.elapsed());
        match proposal.outcome {
            Outcome::Plan(_) => plans += 1,
            Outcome::Conflict(c) => {
                if conflicts < 3 && std::env::var("SHOW").is_ok() {
                    println!("{c}");
                }
                conflicts += 1
            }
            Outcome::GaveUp => gave_up += 1,
        }
        nodes = nodes.max(proposal.effort.nodes);
        arcs = arcs.max(proposal.effort.arcs);
        solves = solves.max(proposal.effort.solves);
    }
    let elapsed = start.elapsed();
    println!(
        "rotation: {staff} staff in {units} units of {size}, 4 weeks ({} person-days)",
        staff * 28
    );
    println!(
        "  time: {:.1} ms in all, slowest unit {:.2} ms",
        ms(elapsed),
        ms(slowest)
    );
    println!("  outcomes: {plans} plans, {conflicts} conflicts, {gave_up} undecided");
    println!(
        "  peak items: largest flow network {nodes} nodes, {arcs} arcs; at most {solves} flows for one unit"
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
