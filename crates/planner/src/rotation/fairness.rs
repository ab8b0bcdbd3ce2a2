//! Balancing a plan that keeps the hard rules, by exchanges that keep them too.
//!
//! A person's share is granted wishes / wanted wishes (wanted: the wished days their
//! agreement allows, at most their weekly days per week). A *wish exchange* moves one
//! granted wish from `q` to `p`: `q` works in the office on a wished day they had, `p`
//! works mobile on a wished day they did not have, nothing else changes. A *burden
//! exchange* does the same with mobile days nobody wished (forced by a shared office).
//!
//! The flow grants the most wishes; then exchanges run while one makes the plan fairer:
//! a wish exchange when `(granted_q − 1)/wanted_q > granted_p/wanted_p`, a burden exchange
//! when `unwished_q − 1 > unwished_p`. Each raises the lowest shares (lowers the highest
//! burdens) in lexicographic order, so this ends, and at the end no exchange that keeps
//! every hard rule satisfies either condition. That is the guarantee:
//!
//! * for any `p`, `q` between whom a wish exchange is possible:
//!   `share_q − share_p ≤ 1 / wanted_q` — at most one wished day apart, relative to `q`'s
//!   wishes (over four weeks with two wished days a week: 1/8);
//! * for any `p`, `q` between whom a burden exchange is possible:
//!   `unwished_q − unwished_p ≤ 1`.
//!
//! The total of granted wishes and of unwished days stays as the flow left it.

use super::model::{Cell, Model};

struct Counts {
    week: Vec<Vec<u16>>,
    month: Vec<Vec<i32>>,
    day: Vec<i32>,
    office_in: Vec<Vec<i32>>,
    granted: Vec<u32>,
    unwished: Vec<u32>,
    wanted: Vec<u32>,
}

impl Counts {
    fn new(model: &Model, mobile: &[Vec<bool>]) -> Counts {
        let days = model.planned.len();
        let mut counts = Counts {
            week: vec![vec![0; model.weeks]; model.people.len()],
            month: vec![vec![0; model.months.len()]; model.people.len()],
            day: vec![0; days],
            office_in: vec![vec![0; days]; model.seats.len()],
            granted: vec![0; model.people.len()],
            unwished: vec![0; model.people.len()],
            wanted: (0..model.people.len())
                .map(|p| u32::from(model.wanted(p)))
                .collect(),
        };
        for (p, (person, row)) in model.people.iter().zip(mobile).enumerate() {
            for (d, &is_mobile) in row.iter().enumerate() {
                if is_mobile {
                    counts.week[p][model.week_of[d]] += 1;
                    counts.month[p][model.month_of[d]] += 1;
                    counts.day[d] += 1;
                    if person.wished[d] {
                        counts.granted[p] += 1;
                    } else {
                        counts.unwished[p] += 1;
                    }
                } else if let (Some(o), true) = (person.office, person.cells[d].present()) {
                    counts.office_in[o][d] += 1;
                }
            }
        }
        counts
    }

    /// Sets `p` on day `d` mobile (`true`) or in the office.
    fn set(&mut self, model: &Model, mobile: &mut [Vec<bool>], p: usize, d: usize, to: bool) {
        let delta = if to { 1 } else { -1 };
        mobile[p][d] = to;
        self.week[p][model.week_of[d]] = (i32::from(self.week[p][model.week_of[d]]) + delta) as u16;
        self.month[p][model.month_of[d]] += delta;
        self.day[d] += delta;
        if let Some(o) = model.people[p].office {
            self.office_in[o][d] -= delta;
        }
    }

    /// Whether the counts touched by `p` on `e` and `q` on `d` keep the hard rules.
    fn keeps_rules(&self, model: &Model, p: usize, e: usize, q: usize, d: usize) -> bool {
        let person = &model.people[p];
        let office_ok = |x: usize, day: usize| match model.people[x].office {
            Some(o) => self.office_in[o][day] <= i32::from(model.seats[o]),
            None => true,
        };
        self.week[p][model.week_of[e]] <= person.week_cap
            && self.month[p][model.month_of[e]] <= person.month_cap[model.month_of[e]]
            && self.day[e] <= model.day_cap(e)
            && office_ok(q, d)
    }
}

/// Which kind of exchange.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Wish,
    Burden,
}

/// Makes the plan fair by exchanges (see the module documentation).
pub(crate) fn balance(model: &Model, mobile: &mut [Vec<bool>]) {
    let mut counts = Counts::new(model, mobile);
    loop {
        let mut changed = false;
        for kind in [Kind::Wish, Kind::Burden] {
            changed |= pass(model, mobile, &mut counts, kind);
        }
        if !changed {
            return;
        }
    }
}

/// Whether an exchange from `q` to `p` would make the plan fairer.
fn fairer(counts: &Counts, kind: Kind, q: usize, p: usize) -> bool {
    match kind {
        Kind::Wish => {
            let (gq, wq) = (u64::from(counts.granted[q]), u64::from(counts.wanted[q]));
            let (gp, wp) = (u64::from(counts.granted[p]), u64::from(counts.wanted[p]));
            // (gq − 1) / wq > gp / wp, without division.
            gq >= 1 && wp > 0 && (gq - 1) * wp > gp * wq
        }
        Kind::Burden => counts.unwished[q] > counts.unwished[p] + 1,
    }
}

/// Whether `p`'s day `d` may be given away (`had`) or taken (`!had`) in this kind.
fn movable(model: &Model, mobile: &[Vec<bool>], kind: Kind, p: usize, d: usize, had: bool) -> bool {
    let person = &model.people[p];
    person.cells[d] == Cell::Free && mobile[p][d] == had && person.wished[d] == (kind == Kind::Wish)
}

fn pass(model: &Model, mobile: &mut [Vec<bool>], counts: &mut Counts, kind: Kind) -> bool {
    let people = model.people.len();
    let days = model.planned.len();
    let mut changed = false;
    for q in 0..people {
        for p in 0..people {
            if p == q {
                continue;
            }
            'days: for d in 0..days {
                if !fairer(counts, kind, q, p) {
                    break 'days;
                }
                if !movable(model, mobile, kind, q, d, true) {
                    continue;
                }
                for e in 0..days {
                    if !movable(model, mobile, kind, p, e, false) {
                        continue;
                    }
                    counts.set(model, mobile, q, d, false);
                    counts.set(model, mobile, p, e, true);
                    if counts.keeps_rules(model, p, e, q, d) {
                        let tally = match kind {
                            Kind::Wish => &mut counts.granted,
                            Kind::Burden => &mut counts.unwished,
                        };
                        tally[p] += 1;
                        tally[q] -= 1;
                        changed = true;
                        continue 'days;
                    }
                    counts.set(model, mobile, p, e, false);
                    counts.set(model, mobile, q, d, true);
                }
            }
        }
    }
    changed
}
