//! Finding a plan or proving there is none.
//!
//! 1. Counting checks that need no flow: a day with fewer people present than the
//!    minimum, a person pinned to mobile work on a day the agreement does not allow.
//! 2. The flow with weekly limits only. No solution: its cut is the proof (it relaxes the
//!    rules, so what it cannot do, no plan can). A solution that keeps every monthly
//!    limit: done — the usual case.
//! 3. The flow with the monthly limits where they bind, weeks across a month boundary
//!    split into their parts (each part at most the week's cap: again a relaxation, so
//!    again its cut is a proof). A solution whose split weeks keep their caps: done.
//! 4. Otherwise branch on a split week whose parts together exceed the cap: the first
//!    part at most `cap − second` or at least `cap − second + 1`, which cuts off the
//!    solution at hand; depth first until a solution keeps every week or every branch
//!    fails ([`Conflict::WeekAndMonth`]), within [`MAX_SOLVES`] flows.

use super::conflict::{Conflict, Cut, Demand, Limit};
use super::model::{Cell, Model};
use super::network::{self, Layout, Solution, Split};
use super::{Effort, RotationInput};

/// The most flows one search solves before it gives up.
pub const MAX_SOLVES: usize = 4000;

pub(crate) enum Found {
    Plan(Vec<Vec<bool>>),
    Conflict(Conflict),
    GaveUp,
}

pub(crate) fn find(model: &Model, input: &RotationInput, effort: &mut Effort) -> Found {
    if let Some(cut) = counting_checks(model) {
        return Found::Conflict(Conflict::Cut(cut));
    }
    match solve(model, input, &Layout::WeeksOnly, true, effort) {
        Solution::Cut(cut) => return Found::Conflict(Conflict::Cut(cut)),
        Solution::Mobile(mobile) if months_kept(model, &mobile) => return Found::Plan(mobile),
        Solution::Mobile(_) | Solution::Infeasible => {}
    }
    let splits = network::splits(model);
    let root: Vec<(u16, u16)> = splits
        .iter()
        .map(|x| (0, model.people[x.person].week_cap))
        .collect();
    let mut stack = vec![root];
    let mut at_root = true;
    while let Some(ranges) = stack.pop() {
        if effort.solves >= MAX_SOLVES {
            return Found::GaveUp;
        }
        let layout = Layout::WithMonths {
            splits: &splits,
            ranges: &ranges,
        };
        match solve(model, input, &layout, at_root, effort) {
            Solution::Cut(cut) => return Found::Conflict(Conflict::Cut(cut)),
            Solution::Infeasible => {}
            Solution::Mobile(mobile) => match over_cap(model, &splits, &mobile) {
                None => return Found::Plan(mobile),
                Some((k, second)) => {
                    let (lo, hi) = ranges[k];
                    let cut_at = model.people[splits[k].person].week_cap - second;
                    let mut high = ranges.clone();
                    high[k] = (cut_at + 1, hi);
                    let mut low = ranges;
                    low[k] = (lo, cut_at);
                    stack.push(high);
                    stack.push(low);
                }
            },
        }
        at_root = false;
    }
    let mut people: Vec<_> = splits.iter().map(|x| model.people[x.person].id).collect();
    people.sort();
    people.dedup();
    let mut weeks: Vec<_> = splits.iter().map(|x| model.monday(x.week)).collect();
    weeks.sort();
    weeks.dedup();
    Found::Conflict(Conflict::WeekAndMonth { people, weeks })
}

fn solve(
    model: &Model,
    input: &RotationInput,
    layout: &Layout<'_>,
    certify: bool,
    effort: &mut Effort,
) -> Solution {
    let (solution, size) = network::solve(model, input, layout, certify);
    effort.solves += 1;
    effort.nodes = effort.nodes.max(size.nodes);
    effort.arcs = effort.arcs.max(size.arcs);
    solution
}

/// Conflicts that a count on one day or cell shows.
fn counting_checks(model: &Model) -> Option<Cut> {
    for d in 0..model.planned.len() {
        if model.day_cap(d) < 0 {
            let limit = Limit::Day {
                date: model.date(d),
                present: model.present[d],
                minimum: model.minimum[d],
            };
            return Some(Cut {
                available: limit.cap(),
                limits: vec![limit],
                demands: vec![],
                barred: vec![],
                needed: 0,
            });
        }
    }
    for person in &model.people {
        for (d, cell) in person.cells.iter().enumerate() {
            if let Cell::PinnedBarred(why) = cell {
                return Some(Cut {
                    demands: vec![Demand::Pinned {
                        person: person.id,
                        date: model.date(d),
                    }],
                    limits: vec![],
                    barred: vec![(person.id, model.date(d), *why)],
                    needed: 1,
                    available: 0,
                });
            }
        }
    }
    None
}

/// Whether every person keeps every monthly limit.
pub(crate) fn months_kept(model: &Model, mobile: &[Vec<bool>]) -> bool {
    model.people.iter().zip(mobile).all(|(person, days)| {
        let mut used = vec![0i32; model.months.len()];
        for (d, m) in days.iter().enumerate() {
            used[model.month_of[d]] += i32::from(*m);
        }
        used.iter()
            .zip(&person.month_cap)
            .all(|(u, cap)| *u == 0 || u <= cap)
    })
}

/// The first split week whose two parts together exceed the week's cap, with the
/// second part's count.
fn over_cap(model: &Model, splits: &[Split], mobile: &[Vec<bool>]) -> Option<(usize, u16)> {
    splits.iter().enumerate().find_map(|(k, x)| {
        let (mut first, mut second) = (0u16, 0u16);
        for d in model.days_of_week(x.week) {
            if mobile[x.person][d] {
                if model.month_of[d] == x.first {
                    first += 1;
                } else {
                    second += 1;
                }
            }
        }
        (first + second > model.people[x.person].week_cap).then_some((k, second))
    })
}
