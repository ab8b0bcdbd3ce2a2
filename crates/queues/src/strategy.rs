//! Which agents a waiting caller is offered to: ring-all, longest-idle, round-robin,
//! fewest-calls, and skills with levels (the best level first, widening with the wait).

/// How a queue hands out its calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Every available agent rings at once; the first to answer takes the call.
    RingAll,
    /// The agent who has been free the longest.
    LongestIdle,
    /// The next agent after the one offered last, in a fixed order (by staff id).
    RoundRobin,
    /// The agent who has answered the fewest calls today (ties: the longest free).
    FewestCalls,
    /// Agents of level 1 (the best) first; after each `widen_after_ms` of waiting, one
    /// level more may take the call. Among those allowed: the longest free.
    Skills {
        /// The wait after which the next level is added.
        widen_after_ms: i64,
    },
}

/// An agent who could take the call now (logged in to the queue, ready, not on the
/// phone, not in a meeting, not on do-not-disturb: the shell only passes those).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Staff id.
    pub agent: i64,
    /// The agent's level in this queue (1: best).
    pub level: u8,
    /// Since when the agent is free (end of the last call's wrap-up, or login).
    pub idle_since_ms: i64,
    /// Calls answered today.
    pub calls_today: u32,
}

impl Strategy {
    /// The agents to ring for a caller who has waited `waited_ms`, given the agent
    /// offered last in this queue (`last`, for round-robin). Empty: nobody may take it
    /// yet (the caller keeps waiting).
    pub fn choose(&self, candidates: &[Candidate], waited_ms: i64, last: Option<i64>) -> Vec<i64> {
        let longest_free = |list: &mut dyn Iterator<Item = &Candidate>| {
            list.min_by_key(|c| (c.idle_since_ms, c.agent))
                .map(|c| vec![c.agent])
                .unwrap_or_default()
        };
        match *self {
            Strategy::RingAll => {
                let mut all: Vec<i64> = candidates.iter().map(|c| c.agent).collect();
                all.sort_unstable();
                all
            }
            Strategy::LongestIdle => longest_free(&mut candidates.iter()),
            Strategy::RoundRobin => {
                let mut ids: Vec<i64> = candidates.iter().map(|c| c.agent).collect();
                ids.sort_unstable();
                let next = last
                    .and_then(|l| ids.iter().copied().find(|&id| id > l))
                    .or_else(|| ids.first().copied());
                next.into_iter().collect()
            }
            Strategy::FewestCalls => candidates
                .iter()
                .min_by_key(|c| (c.calls_today, c.idle_since_ms, c.agent))
                .map(|c| vec![c.agent])
                .unwrap_or_default(),
            Strategy::Skills { widen_after_ms } => {
                let widened = if widen_after_ms > 0 {
                    waited_ms.max(0) / widen_after_ms
                } else {
                    i64::from(u8::MAX)
                };
                let allowed = 1 + widened.min(i64::from(u8::MAX));
                longest_free(&mut candidates.iter().filter(|c| i64::from(c.level) <= allowed))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(agent: i64, level: u8, idle_since_ms: i64, calls_today: u32) -> Candidate {
        Candidate {
            agent,
            level,
            idle_since_ms,
            calls_today,
        }
    }

    fn team() -> Vec<Candidate> {
        vec![
            c(30, 2, 1_000, 4),
            c(10, 1, 5_000, 7),
            c(20, 1, 3_000, 2),
            c(40, 3, 500, 2),
        ]
    }

    #[test]
    fn ring_all_rings_everyone_available() {
        assert_eq!(Strategy::RingAll.choose(&team(), 0, None), [10, 20, 30, 40]);
        assert!(Strategy::RingAll.choose(&[], 0, None).is_empty());
    }

    #[test]
    fn longest_idle_takes_who_is_free_the_longest() {
        assert_eq!(Strategy::LongestIdle.choose(&team(), 0, None), [40]);
    }

    #[test]
    fn round_robin_goes_on_after_the_last_and_wraps() {
        let s = Strategy::RoundRobin;
        assert_eq!(s.choose(&team(), 0, None), [10]);
        assert_eq!(s.choose(&team(), 0, Some(10)), [20]);
        assert_eq!(
            s.choose(&team(), 0, Some(25)),
            [30],
            "the last one left the team"
        );
        assert_eq!(s.choose(&team(), 0, Some(40)), [10]);
    }

    #[test]
    fn fewest_calls_then_longest_free() {
        // 20 and 40 both have 2 calls; 40 is free longer.
        assert_eq!(Strategy::FewestCalls.choose(&team(), 0, None), [40]);
    }

    #[test]
    fn skills_start_with_the_best_level_and_widen_with_the_wait() {
        let s = Strategy::Skills {
            widen_after_ms: 30_000,
        };
        assert_eq!(s.choose(&team(), 0, None), [20], "level 1, free longest");
        assert_eq!(s.choose(&team(), 29_999, None), [20]);
        assert_eq!(
            s.choose(&team(), 30_000, None),
            [30],
            "level 2 joins, free longer"
        );
        assert_eq!(s.choose(&team(), 60_000, None), [40], "then level 3");
        // Only level-3 agents free: the caller waits until the level is reached.
        let busy_experts = [c(40, 3, 500, 0)];
        assert!(s.choose(&busy_experts, 59_000, None).is_empty());
        assert_eq!(s.choose(&busy_experts, 60_000, None), [40]);
    }
}
