//! What agents do: log in and out, pause, end the wrap-up; and what else keeps them.

use super::Switchboard;
use crate::agent::{Agent, AgentError, AgentState, Availability};
use crate::event::{EventKind, QueueEvent, QueueId};

/// Why an agent's command was refused (nothing changed).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgentCommandError {
    /// Not a member of that queue (or of any).
    #[error("Sie sind für diese Warteschlange nicht als Agent eingetragen.")]
    NotMember,
    /// Not logged in.
    #[error("Sie sind in keiner Warteschlange angemeldet.")]
    NotLoggedIn,
    /// Not possible in this state (e.g. a pause while a call rings).
    #[error("Das geht gerade nicht: {0}.")]
    Busy(&'static str),
}

impl From<AgentError> for AgentCommandError {
    fn from(e: AgentError) -> Self {
        match e {
            AgentError::NotLoggedIn => AgentCommandError::NotLoggedIn,
            AgentError::Busy("ringing") => AgentCommandError::Busy("ein Anruf klingelt"),
            AgentError::Busy(_) => AgentCommandError::Busy("Sie sind im Gespräch"),
        }
    }
}

impl Switchboard {
    /// `agent` logs in to `queue` (`None`: to every queue they are a member of); returns
    /// the queues they are logged in to now.
    pub fn log_in(
        &mut self,
        now: i64,
        agent: i64,
        queue: Option<QueueId>,
    ) -> Result<Vec<QueueId>, AgentCommandError> {
        let queues = self.member_queues(agent, queue)?;
        let a = self
            .agents
            .entry(agent)
            .or_insert_with(|| Agent::new(agent, now));
        for (q, level) in queues {
            if !a.queues.contains_key(&q) {
                a.log_in(q, level);
                self.events.push_back(QueueEvent {
                    at_ms: now,
                    queue: q,
                    kind: EventKind::AgentLogin { agent },
                });
            }
        }
        let now_in = a.queues.keys().copied().collect();
        self.dispatch(now);
        Ok(now_in)
    }

    /// Logs an agent in again after a restart (no event: they never logged out).
    pub fn restore_login(&mut self, now: i64, agent: i64, queue: QueueId) {
        if let Ok(queues) = self.member_queues(agent, Some(queue)) {
            let a = self
                .agents
                .entry(agent)
                .or_insert_with(|| Agent::new(agent, now));
            for (q, level) in queues {
                a.log_in(q, level);
            }
        }
    }

    /// `agent` logs out of `queue` (`None`: of all).
    pub fn log_out(&mut self, now: i64, agent: i64, queue: Option<QueueId>) -> Vec<QueueId> {
        let Some(a) = self.agents.get_mut(&agent) else {
            return Vec::new();
        };
        let leaving: Vec<QueueId> = a
            .queues
            .keys()
            .copied()
            .filter(|q| queue.is_none_or(|only| only == *q))
            .collect();
        a.log_out(queue);
        for q in leaving {
            self.events.push_back(QueueEvent {
                at_ms: now,
                queue: q,
                kind: EventKind::AgentLogout { agent },
            });
        }
        let still = a.queues.keys().copied().collect();
        self.dispatch(now);
        still
    }

    /// `agent` pauses with `reason`.
    pub fn pause(&mut self, now: i64, agent: i64, reason: &str) -> Result<(), AgentCommandError> {
        let a = self
            .agents
            .get_mut(&agent)
            .ok_or(AgentCommandError::NotLoggedIn)?;
        a.pause(reason)?;
        let queues: Vec<QueueId> = a.queues.keys().copied().collect();
        for queue in queues {
            let kind = EventKind::AgentPaused {
                agent,
                reason: reason.to_string(),
            };
            self.events.push_back(QueueEvent {
                at_ms: now,
                queue,
                kind,
            });
        }
        Ok(())
    }

    /// `agent` ends their pause.
    pub fn resume(&mut self, now: i64, agent: i64) {
        let Some(a) = self.agents.get_mut(&agent) else {
            return;
        };
        if !matches!(a.state, AgentState::Paused { .. }) {
            return;
        }
        a.resume(now);
        let queues: Vec<QueueId> = a.queues.keys().copied().collect();
        for queue in queues {
            let kind = EventKind::AgentResumed { agent };
            self.events.push_back(QueueEvent {
                at_ms: now,
                queue,
                kind,
            });
        }
        self.dispatch(now);
    }

    /// `agent` ends their wrap-up early.
    pub fn end_wrap_up(&mut self, now: i64, agent: i64) {
        let Some(a) = self.agents.get_mut(&agent) else {
            return;
        };
        if !a.end_wrap_up(now) {
            return;
        }
        let queues: Vec<QueueId> = a.queues.keys().copied().collect();
        for queue in queues {
            let kind = EventKind::WrapUpEnded { agent, early: true };
            self.events.push_back(QueueEvent {
                at_ms: now,
                queue,
                kind,
            });
        }
        self.dispatch(now);
    }

    /// What else keeps `agent` (from presence).
    pub fn set_availability(&mut self, now: i64, agent: i64, availability: Availability) {
        let before = self.availability.insert(agent, availability);
        if before != Some(availability) && availability.free() {
            self.dispatch(now);
        }
    }

    /// An agent, if they ever logged in.
    pub fn agent(&self, id: i64) -> Option<&Agent> {
        self.agents.get(&id)
    }

    /// The queues (with levels) `agent` is a member of: `queue` alone, or all.
    fn member_queues(
        &self,
        agent: i64,
        queue: Option<QueueId>,
    ) -> Result<Vec<(QueueId, u8)>, AgentCommandError> {
        let queues: Vec<(QueueId, u8)> = self
            .queues
            .iter()
            .filter(|(id, _)| queue.is_none_or(|q| q == **id))
            .filter_map(|(id, (_, s))| {
                s.members
                    .iter()
                    .find(|(a, _)| *a == agent)
                    .map(|(_, level)| (*id, *level))
            })
            .collect();
        if queues.is_empty() {
            return Err(AgentCommandError::NotMember);
        }
        Ok(queues)
    }
}
