//! Narrowing a proof to the parts that conflict on their own.
//!
//! The flow's proving set often also holds rules that are fine by themselves (another
//! office in another week). Demands and limits that share a person-day form a part; the
//! parts' shortfalls add up to the whole one, so at least one part falls short alone.
//! Only those parts are kept: still a proof (every cell keeps all the limits that count
//! it), and it names only rules that matter.

use super::conflict::{Cut, Demand, Limit};
use super::model::{Cell, Model};
use super::RotationInput;
use crate::calendar::{monday_of, YearMonth};
use crate::ids::PersonId;
use jiff::civil::Date;
use std::collections::HashMap;

/// The person-days (person index, planned day index) that may be mobile and that an item
/// counts.
struct Cells<'a> {
    model: &'a Model,
    input: &'a RotationInput,
    day: HashMap<Date, usize>,
    person: HashMap<PersonId, usize>,
}

impl<'a> Cells<'a> {
    fn new(model: &'a Model, input: &'a RotationInput) -> Cells<'a> {
        Cells {
            model,
            input,
            day: (0..model.planned.len())
                .map(|d| (model.date(d), d))
                .collect(),
            person: model
                .people
                .iter()
                .enumerate()
                .map(|(p, x)| (x.id, p))
                .collect(),
        }
    }

    fn possible(&self, p: usize, d: usize) -> bool {
        self.model.people[p].cells[d].mobile_possible()
    }

    fn of_person(&self, id: PersonId, keep: impl Fn(Date) -> bool) -> Vec<(usize, usize)> {
        let Some(&p) = self.person.get(&id) else {
            return Vec::new();
        };
        (0..self.model.planned.len())
            .filter(|d| keep(self.model.date(*d)) && self.possible(p, *d))
            .map(|d| (p, d))
            .collect()
    }

    fn of_day(&self, date: Date, keep: impl Fn(usize) -> bool) -> Vec<(usize, usize)> {
        let Some(&d) = self.day.get(&date) else {
            return Vec::new();
        };
        (0..self.model.people.len())
            .filter(|p| keep(*p) && self.possible(*p, d))
            .map(|p| (p, d))
            .collect()
    }

    fn demand(&self, demand: &Demand) -> Vec<(usize, usize)> {
        match demand {
            Demand::SharedOffice { office, date, .. } => {
                let o = self.input.offices.iter().position(|x| x.id == *office);
                self.of_day(*date, |p| self.model.people[p].office == o)
            }
            Demand::Pinned { person, date } => self.of_person(*person, |d| d == *date),
        }
    }

    fn limit(&self, limit: &Limit) -> Vec<(usize, usize)> {
        match limit {
            Limit::Week { person, monday, .. } => {
                self.of_person(*person, |d| monday_of(d) == *monday)
            }
            Limit::WeekPart {
                person,
                monday,
                month,
                ..
            } => self.of_person(*person, |d| {
                monday_of(d) == *monday && YearMonth::of(d) == *month
            }),
            Limit::Month { person, month, .. } => {
                self.of_person(*person, |d| YearMonth::of(d) == *month)
            }
            Limit::Day { date, .. } => self.of_day(*date, |_| true),
            Limit::Cell { person, date } => self.of_person(*person, |d| d == *date),
        }
    }
}

fn root(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// The parts of `cut` that fall short on their own, with the people its demands count
/// who cannot work mobile.
pub(crate) fn focus(model: &Model, input: &RotationInput, cut: Cut) -> Cut {
    let cells = Cells::new(model, input);
    let sets: Vec<Vec<(usize, usize)>> = cut
        .demands
        .iter()
        .map(|d| cells.demand(d))
        .chain(cut.limits.iter().map(|l| cells.limit(l)))
        .collect();
    let mut parent: Vec<usize> = (0..sets.len()).collect();
    let mut owner: HashMap<(usize, usize), usize> = HashMap::new();
    for (item, set) in sets.iter().enumerate() {
        for cell in set {
            match owner.get(cell) {
                Some(&other) => {
                    let (a, b) = (root(&mut parent, item), root(&mut parent, other));
                    parent[a] = b;
                }
                None => {
                    owner.insert(*cell, item);
                }
            }
        }
    }
    let mut balance: HashMap<usize, i64> = HashMap::new();
    let demands = cut.demands.len();
    for item in 0..sets.len() {
        let r = root(&mut parent, item);
        let amount = if item < demands {
            cut.demands[item].need()
        } else {
            -cut.limits[item - demands].cap()
        };
        *balance.entry(r).or_default() += amount;
    }
    let mut short = |item: usize| {
        let r = root(&mut parent, item);
        balance[&r] > 0
    };
    let kept_demands: Vec<Demand> = (0..demands)
        .filter(|i| short(*i))
        .map(|i| cut.demands[i].clone())
        .collect();
    let kept_limits: Vec<Limit> = (0..cut.limits.len())
        .filter(|i| short(demands + i))
        .map(|i| cut.limits[i].clone())
        .collect();
    let barred = barred(model, input, &kept_demands);
    Cut {
        needed: kept_demands.iter().map(Demand::need).sum(),
        available: kept_limits.iter().map(Limit::cap).sum(),
        demands: kept_demands,
        limits: kept_limits,
        barred,
    }
}

/// The people the office demands count who cannot work mobile that day, and why.
fn barred(
    model: &Model,
    input: &RotationInput,
    demands: &[Demand],
) -> Vec<(PersonId, Date, super::Barred)> {
    let mut barred = Vec::new();
    for demand in demands {
        let Demand::SharedOffice { office, date, .. } = demand else {
            continue;
        };
        let o = input.offices.iter().position(|x| x.id == *office);
        let Some(d) = (0..model.planned.len()).find(|d| model.date(*d) == *date) else {
            continue;
        };
        for person in model.people.iter().filter(|x| x.office == o) {
            if let Cell::Fixed(why) = person.cells[d] {
                barred.push((person.id, *date, why));
            }
        }
    }
    barred
}
