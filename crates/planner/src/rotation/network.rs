//! The plan as a flow: one unit of flow is one mobile person-day.
//!
//! ```text
//! s ─[month cap]→ (person, month) ─[week cap]→ (person, week) ─[cell 0..1]→ (office, day)
//!   ─────────────────────────────→ (person, week)                             │ [≥ need]
//!                                                                            (day) ─[≤ present − minimum]→ t ─→ s
//! ```
//!
//! A person's days go through their week node (at most their weekly days) and, where their
//! monthly limit can bind at all, through a month node. A cell of someone with an office
//! that has fewer seats than people present goes through the office's node, whose arc to
//! the day needs at least (present − seats) units; every cell ends at its day, whose arc
//! to the sink allows at most (present − minimum in the office). Wished days cost less
//! than nothing, other mobile days a little, so the cheapest circulation grants the most
//! wishes and forces the fewest unwished days.
//!
//! Weeks and months are not nested: a week across a month boundary belongs to two months.
//! Where a monthly limit binds on such a week, the week is split into its two parts, the
//! first with a range `[lo, hi]` and the second with at most `cap − lo`; the search
//! (`search.rs`) narrows the ranges until a solution keeps the whole week's cap.

use super::conflict::{Cut, Demand, Limit};
use super::flow::{Network, Solved, INF};
use super::focus::focus;
use super::model::{Cell, Model};
use super::RotationInput;

/// The cost of a granted wish (a gain) and of a mobile day nobody wished.
const WISH: i64 = -64;
const UNWISHED: i64 = 1;

#[derive(Debug, Clone, Copy)]
enum Kind {
    Week { p: usize, w: usize },
    WeekPart { p: usize, w: usize, m: usize },
    Month { p: usize, m: usize },
    Cell { p: usize, d: usize },
    Office { o: usize, d: usize },
    Day { d: usize },
    Return,
}

/// A person's week across a month boundary where one of the two monthly limits binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Split {
    pub person: usize,
    pub week: usize,
    pub first: usize,
    pub second: usize,
}

/// How the person side is laid out.
pub(crate) enum Layout<'a> {
    /// Weekly limits only (monthly limits checked afterwards).
    WeeksOnly,
    /// Monthly limits where they bind, with the split weeks' first parts in these ranges.
    WithMonths {
        splits: &'a [Split],
        ranges: &'a [(u16, u16)],
    },
}

pub(crate) enum Solution {
    /// Per person and planned day: mobile.
    Mobile(Vec<Vec<bool>>),
    /// No solution, with a proof.
    Cut(Cut),
    /// No solution (no proof asked for).
    Infeasible,
}

/// Sizes, for the effort report.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Size {
    pub nodes: usize,
    pub arcs: usize,
}

/// Whether person `p`'s monthly limit in month `m` can bind: whether their weeks'
/// parts in `m` could hold more mobile days than the limit leaves.
pub(crate) fn binding(model: &Model, p: usize, m: usize) -> bool {
    let person = &model.people[p];
    let mut potential = 0i32;
    for w in 0..model.weeks {
        let cells = model
            .days_of_week(w)
            .filter(|d| model.month_of[*d] == m && person.cells[*d].mobile_possible())
            .count() as i32;
        potential += cells.min(i32::from(person.week_cap));
    }
    potential > person.month_cap[m]
}

/// The weeks to split.
pub(crate) fn splits(model: &Model) -> Vec<Split> {
    let mut splits = Vec::new();
    for p in 0..model.people.len() {
        for w in 0..model.weeks {
            let days = model.days_of_week(w);
            if days.is_empty() {
                continue;
            }
            let (first, second) = (model.month_of[days.start], model.month_of[days.end - 1]);
            if first != second && (binding(model, p, first) || binding(model, p, second)) {
                splits.push(Split {
                    person: p,
                    week: w,
                    first,
                    second,
                });
            }
        }
    }
    splits
}

/// Solves the plan as laid out; with `certify`, an infeasible one comes with its proof
/// (only valid when every range starts at 0, i.e. the layout relaxes the rules).
pub(crate) fn solve(
    model: &Model,
    input: &RotationInput,
    layout: &Layout<'_>,
    certify: bool,
) -> (Solution, Size) {
    let (net, kinds) = build(model, layout);
    let size = Size {
        nodes: net.nodes,
        arcs: net.arcs.len(),
    };
    let solution = match net.solve() {
        Solved::Feasible(flow) => {
            let mut mobile = vec![vec![false; model.planned.len()]; model.people.len()];
            for (kind, f) in kinds.iter().zip(&flow) {
                if let Kind::Cell { p, d } = kind {
                    mobile[*p][*d] = *f > 0;
                }
            }
            Solution::Mobile(mobile)
        }
        Solved::Infeasible(side) if certify => {
            Solution::Cut(cut(model, input, &net, &kinds, &side))
        }
        Solved::Infeasible(_) => Solution::Infeasible,
    };
    (solution, size)
}

fn build(model: &Model, layout: &Layout<'_>) -> (Network, Vec<Kind>) {
    let mut net = Network::default();
    let mut kinds = Vec::new();
    let mut arc = |net: &mut Network, from, to, lower, upper, cost, kind| {
        net.arc(from, to, lower, upper, cost);
        kinds.push(kind);
    };
    let (s, t) = (net.node(), net.node());
    let days = model.planned.len();
    let day_nodes: Vec<usize> = (0..days).map(|_| net.node()).collect();
    let mut office_nodes = vec![vec![usize::MAX; days]; model.seats.len()];
    for (o, nodes) in office_nodes.iter_mut().enumerate() {
        for (d, node) in nodes.iter_mut().enumerate() {
            let need = model.office_need(o, d);
            if need > 0 {
                *node = net.node();
                let kind = Kind::Office { o, d };
                arc(&mut net, *node, day_nodes[d], i32::from(need), INF, 0, kind);
            }
        }
    }
    for (d, node) in day_nodes.iter().enumerate() {
        let cap = model.day_cap(d).max(0);
        arc(&mut net, *node, t, 0, cap, 0, Kind::Day { d });
    }
    arc(&mut net, t, s, 0, INF, 0, Kind::Return);
    for (p, person) in model.people.iter().enumerate() {
        let cap = i32::from(person.week_cap);
        let months: Vec<Option<usize>> = (0..model.months.len())
            .map(|m| match layout {
                Layout::WithMonths { .. } if binding(model, p, m) => {
                    let node = net.node();
                    let upper = person.month_cap[m].max(0);
                    arc(&mut net, s, node, 0, upper, 0, Kind::Month { p, m });
                    Some(node)
                }
                _ => None,
            })
            .collect();
        for w in 0..model.weeks {
            let week = model.days_of_week(w);
            if !week.clone().any(|d| person.cells[d].mobile_possible()) {
                continue;
            }
            let split = match layout {
                Layout::WithMonths { splits, ranges } => splits
                    .iter()
                    .position(|x| x.person == p && x.week == w)
                    .map(|k| (splits[k], ranges[k])),
                Layout::WeeksOnly => None,
            };
            // The node each day of the week draws from.
            let mut source_of = [usize::MAX; 2];
            let first_month = model.month_of[week.start];
            match split {
                Some((x, (lo, hi))) => {
                    let parent = months[x.first].unwrap_or(s);
                    source_of[0] = net.node();
                    let kind = Kind::WeekPart { p, w, m: x.first };
                    arc(
                        &mut net,
                        parent,
                        source_of[0],
                        i32::from(lo),
                        i32::from(hi),
                        0,
                        kind,
                    );
                    let parent = months[x.second].unwrap_or(s);
                    source_of[1] = net.node();
                    let kind = Kind::WeekPart { p, w, m: x.second };
                    arc(
                        &mut net,
                        parent,
                        source_of[1],
                        0,
                        cap - i32::from(lo),
                        0,
                        kind,
                    );
                }
                None => {
                    let last_month = model.month_of[week.end - 1];
                    let parent = if first_month == last_month {
                        months[first_month].unwrap_or(s)
                    } else {
                        s
                    };
                    let node = net.node();
                    arc(&mut net, parent, node, 0, cap, 0, Kind::Week { p, w });
                    source_of = [node, node];
                }
            }
            for d in week {
                let cell = person.cells[d];
                if !cell.mobile_possible() {
                    continue;
                }
                let from = source_of[usize::from(model.month_of[d] != first_month)];
                let to = match person.office {
                    Some(o) if office_nodes[o][d] != usize::MAX => office_nodes[o][d],
                    _ => day_nodes[d],
                };
                let lower = i32::from(cell == Cell::Pinned);
                let cost = if person.wished[d] { WISH } else { UNWISHED };
                arc(&mut net, from, to, lower, 1, cost, Kind::Cell { p, d });
            }
        }
    }
    (net, kinds)
}

/// Turns the proving node set into demands and limits, narrowed to what falls short.
fn cut(model: &Model, input: &RotationInput, net: &Network, kinds: &[Kind], side: &[bool]) -> Cut {
    let mut demands = Vec::new();
    let mut limits = Vec::new();
    for (arc, kind) in net.arcs.iter().zip(kinds) {
        let (inside_from, inside_to) = (side[arc.from], side[arc.to]);
        if !inside_from && inside_to && arc.lower > 0 {
            match *kind {
                Kind::Office { o, d } => {
                    demands.push(Demand::SharedOffice {
                        office: input.offices[o].id,
                        date: model.date(d),
                        present: model.office_present[o][d],
                        seats: model.seats[o],
                    });
                }
                Kind::Cell { p, d } => demands.push(Demand::Pinned {
                    person: model.people[p].id,
                    date: model.date(d),
                }),
                other => debug_assert!(false, "no lower bound on {other:?} in a certified layout"),
            }
        }
        if inside_from && !inside_to && arc.upper < INF {
            let person = |p: usize| model.people[p].id;
            limits.push(match *kind {
                Kind::Week { p, w } => Limit::Week {
                    person: person(p),
                    monday: model.monday(w),
                    cap: arc.upper as u16,
                },
                Kind::WeekPart { p, w, m } => Limit::WeekPart {
                    person: person(p),
                    monday: model.monday(w),
                    month: model.months[m],
                    cap: arc.upper as u16,
                },
                Kind::Month { p, m } => Limit::Month {
                    person: person(p),
                    month: model.months[m],
                    max: model.days_per_month,
                    elsewhere: model.people[p].elsewhere[m],
                },
                Kind::Day { d } => Limit::Day {
                    date: model.date(d),
                    present: model.present[d],
                    minimum: model.minimum[d],
                },
                Kind::Cell { p, d } => Limit::Cell {
                    person: person(p),
                    date: model.date(d),
                },
                Kind::Office { .. } | Kind::Return => {
                    unreachable!("unbounded arcs never leave the set")
                }
            });
        }
    }
    let needed = demands.iter().map(Demand::need).sum();
    let available = limits.iter().map(Limit::cap).sum();
    debug_assert!(needed > available, "{needed} > {available}");
    let whole = Cut {
        demands,
        limits,
        barred: Vec::new(),
        needed,
        available,
    };
    focus(model, input, whole)
}
