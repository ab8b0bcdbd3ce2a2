//! A minimum-cost circulation with lower and upper bounds on arcs, or, when none exists,
//! the node set that proves it (Hoffman's condition: the lower bounds of the arcs
//! entering the set exceed the upper bounds of the arcs leaving it).
//!
//! Method: negative-cost arcs start saturated and lower bounds start met, which leaves
//! node imbalances; successive shortest paths (Dijkstra on reduced costs, then every
//! augmenting path of zero reduced cost before the next Dijkstra) move the imbalances
//! from a super source to a super sink at least cost. If some supply cannot be moved,
//! the nodes still reachable from the super source are the proof.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// An upper bound that never binds.
pub(crate) const INF: i32 = 1 << 28;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Arc {
    pub from: usize,
    pub to: usize,
    pub lower: i32,
    pub upper: i32,
    pub cost: i64,
}

#[derive(Default)]
pub(crate) struct Network {
    pub nodes: usize,
    pub arcs: Vec<Arc>,
}

pub(crate) enum Solved {
    /// The flow on every arc, in the order they were added.
    Feasible(Vec<i32>),
    /// Per node, whether it is in the proving set.
    Infeasible(Vec<bool>),
}

impl Network {
    pub(crate) fn node(&mut self) -> usize {
        self.nodes += 1;
        self.nodes - 1
    }

    pub(crate) fn arc(
        &mut self,
        from: usize,
        to: usize,
        lower: i32,
        upper: i32,
        cost: i64,
    ) -> usize {
        debug_assert!(0 <= lower && lower <= upper);
        self.arcs.push(Arc {
            from,
            to,
            lower,
            upper,
            cost,
        });
        self.arcs.len() - 1
    }

    pub(crate) fn solve(&self) -> Solved {
        Residual::new(self).run(self)
    }
}

/// The residual graph: arc `2i` is the original arc `i`'s forward residual, `2i+1` its
/// reverse (the flow above its lower bound); super-source and super-sink arcs follow.
struct Residual {
    to: Vec<u32>,
    cap: Vec<i32>,
    cost: Vec<i64>,
    /// Arcs out of each node (compressed: `start[v]..start[v+1]` in `out`).
    start: Vec<u32>,
    out: Vec<u32>,
    source: usize,
    sink: usize,
    supply: i64,
}

impl Residual {
    fn new(net: &Network) -> Residual {
        let n = net.nodes + 2;
        let (source, sink) = (n - 2, n - 1);
        let mut excess = vec![0i64; n];
        let mut to = Vec::with_capacity(2 * net.arcs.len() + 2 * n);
        let mut from = Vec::with_capacity(to.capacity());
        let mut cap = Vec::with_capacity(to.capacity());
        let mut cost = Vec::with_capacity(to.capacity());
        let mut push = |u: usize, v: usize, forward: i32, reverse: i32, c: i64| {
            from.extend([u as u32, v as u32]);
            to.extend([v as u32, u as u32]);
            cap.extend([forward, reverse]);
            cost.extend([c, -c]);
        };
        for arc in &net.arcs {
            let room = arc.upper - arc.lower;
            // A negative-cost arc starts full, so that no residual arc costs less than 0.
            let (start, forward, reverse) = if arc.cost < 0 {
                (arc.upper, 0, room)
            } else {
                (arc.lower, room, 0)
            };
            excess[arc.to] += i64::from(start);
            excess[arc.from] -= i64::from(start);
            push(arc.from, arc.to, forward, reverse, arc.cost);
        }
        let mut supply = 0;
        for (v, e) in excess.iter().enumerate().take(net.nodes) {
            if *e > 0 {
                push(source, v, *e as i32, 0, 0);
                supply += e;
            } else if *e < 0 {
                push(v, sink, (-*e) as i32, 0, 0);
            }
        }
        let mut start = vec![0u32; n + 1];
        for u in &from {
            start[*u as usize + 1] += 1;
        }
        for v in 0..n {
            start[v + 1] += start[v];
        }
        let mut fill = start.clone();
        let mut out = vec![0u32; from.len()];
        for (e, u) in from.iter().enumerate() {
            out[fill[*u as usize] as usize] = e as u32;
            fill[*u as usize] += 1;
        }
        Residual {
            to,
            cap,
            cost,
            start,
            out,
            source,
            sink,
            supply,
        }
    }

    fn arcs_of(&self, v: usize) -> &[u32] {
        &self.out[self.start[v] as usize..self.start[v + 1] as usize]
    }

    fn run(mut self, net: &Network) -> Solved {
        let n = self.start.len() - 1;
        let mut potential = vec![0i64; n];
        let mut dist = vec![i64::MAX; n];
        let mut parent = vec![u32::MAX; n];
        let mut moved = 0i64;
        while moved < self.supply {
            if !self.dijkstra(&potential, &mut dist, &mut parent) {
                break;
            }
            let far = dist
                .iter()
                .filter(|d| **d != i64::MAX)
                .max()
                .copied()
                .unwrap_or(0);
            for v in 0..n {
                potential[v] += if dist[v] == i64::MAX { far } else { dist[v] };
            }
            let pushed = self.augment_all(&potential);
            // The search above may miss the path Dijkstra found (it never revisits a node
            // it gave up on); then that path is used, so every round moves something.
            moved += if pushed > 0 {
                pushed
            } else {
                self.augment_parent(&parent)
            };
        }
        if moved < self.supply {
            return Solved::Infeasible(self.reachable()[..net.nodes].to_vec());
        }
        let flows = net
            .arcs
            .iter()
            .enumerate()
            .map(|(i, arc)| arc.lower + self.cap[2 * i + 1])
            .collect();
        Solved::Feasible(flows)
    }

    fn reduced(&self, e: usize, u: usize, potential: &[i64]) -> i64 {
        self.cost[e] + potential[u] - potential[self.to[e] as usize]
    }

    /// Pushes the most flow the shortest path in `parent` takes.
    fn augment_parent(&mut self, parent: &[u32]) -> i64 {
        let mut path = Vec::new();
        let mut v = self.sink;
        while v != self.source {
            let e = parent[v] as usize;
            path.push(e);
            v = self.to[e ^ 1] as usize;
        }
        let pushed = path.iter().map(|e| self.cap[*e]).min().unwrap_or(0);
        for e in path {
            self.cap[e] -= pushed;
            self.cap[e ^ 1] += pushed;
        }
        i64::from(pushed)
    }

    /// Shortest reduced-cost distances from the source (and the arc each node is reached
    /// by); whether the sink is reachable.
    fn dijkstra(&self, potential: &[i64], dist: &mut [i64], parent: &mut [u32]) -> bool {
        dist.fill(i64::MAX);
        dist[self.source] = 0;
        let mut heap = BinaryHeap::new();
        heap.push(Reverse((0i64, self.source)));
        while let Some(Reverse((d, u))) = heap.pop() {
            if d > dist[u] {
                continue;
            }
            for &e in self.arcs_of(u) {
                let e = e as usize;
                if self.cap[e] <= 0 {
                    continue;
                }
                let v = self.to[e] as usize;
                let nd = d + self.reduced(e, u, potential);
                if nd < dist[v] {
                    dist[v] = nd;
                    parent[v] = e as u32;
                    heap.push(Reverse((nd, v)));
                }
            }
        }
        dist[self.sink] != i64::MAX
    }

    /// Pushes flow along source-sink paths of zero reduced cost until none is left;
    /// returns how much.
    fn augment_all(&mut self, potential: &[i64]) -> i64 {
        let n = self.start.len() - 1;
        let mut total = 0i64;
        // Next arc to try per node; a node whose arcs are exhausted is dead for this round.
        let mut next = self.start[..n].to_vec();
        let mut on_path = vec![false; n];
        let mut path: Vec<usize> = Vec::new();
        let mut u = self.source;
        on_path[u] = true;
        loop {
            if u == self.sink {
                let pushed = path.iter().map(|e| self.cap[*e]).min().unwrap_or(0);
                for &e in &path {
                    self.cap[e] -= pushed;
                    self.cap[e ^ 1] += pushed;
                }
                total += i64::from(pushed);
                for &v in &on_path_nodes(&path, &self.to) {
                    on_path[v] = false;
                }
                path.clear();
                u = self.source;
                on_path[u] = true;
                continue;
            }
            let mut advanced = false;
            while next[u] < self.start[u + 1] {
                let e = self.out[next[u] as usize] as usize;
                let v = self.to[e] as usize;
                if self.cap[e] > 0 && !on_path[v] && self.reduced(e, u, potential) == 0 {
                    path.push(e);
                    on_path[v] = true;
                    u = v;
                    advanced = true;
                    break;
                }
                next[u] += 1;
            }
            if advanced {
                continue;
            }
            // Dead end: retreat.
            let Some(e) = path.pop() else {
                return total;
            };
            on_path[u] = false;
            u = self.to[e ^ 1] as usize;
            next[u] += 1;
        }
    }

    fn reachable(&self) -> Vec<bool> {
        let n = self.start.len() - 1;
        let mut seen = vec![false; n];
        let mut stack = vec![self.source];
        seen[self.source] = true;
        while let Some(u) = stack.pop() {
            for &e in self.arcs_of(u) {
                let v = self.to[e as usize] as usize;
                if self.cap[e as usize] > 0 && !seen[v] {
                    seen[v] = true;
                    stack.push(v);
                }
            }
        }
        seen
    }
}

fn on_path_nodes(path: &[usize], to: &[u32]) -> Vec<usize> {
    path.iter().map(|e| to[*e] as usize).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cheapest_circulation_meets_the_bounds() {
        // s → a (cost -5, up 2), s → b (cost 1), a → t, b → t (lower 3), t → s.
        let mut net = Network::default();
        let (s, a, b, t) = (net.node(), net.node(), net.node(), net.node());
        net.arc(s, a, 0, 2, -5);
        net.arc(s, b, 0, 10, 1);
        net.arc(a, t, 0, 1, 0);
        net.arc(b, t, 3, 10, 0);
        net.arc(t, s, 0, INF, 0);
        let Solved::Feasible(f) = net.solve() else {
            panic!("feasible")
        };
        assert_eq!(f, vec![1, 3, 1, 3, 4]);
    }

    #[test]
    fn an_unmeetable_lower_bound_gives_its_cut() {
        let mut net = Network::default();
        let (s, a, t) = (net.node(), net.node(), net.node());
        net.arc(s, a, 0, 1, 0);
        net.arc(a, t, 2, 5, 0);
        net.arc(t, s, 0, INF, 0);
        let Solved::Infeasible(side) = net.solve() else {
            panic!("infeasible")
        };
        // Lower bounds into the set exceed upper bounds out of it.
        let lower_in: i32 = net
            .arcs
            .iter()
            .filter(|x| !side[x.from] && side[x.to])
            .map(|x| x.lower)
            .sum();
        let upper_out: i32 = net
            .arcs
            .iter()
            .filter(|x| side[x.from] && !side[x.to])
            .map(|x| x.upper)
            .sum();
        assert!(lower_in > upper_out, "{side:?}");
    }
}
