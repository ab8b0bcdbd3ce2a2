//! An agent of the hotline: which queues they are logged in to (with their level in
//! each), and their state — ready, ringing, on a call, in wrap-up, paused — as explicit
//! transitions. Whether they may be offered a call also depends on the rest of their
//! day, which the shell reads from presence (`Availability`).

use crate::event::{CallId, QueueId};
use crate::strategy::Candidate;
use std::collections::BTreeMap;

/// What an agent is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentState {
    /// Free for calls since this time.
    Ready {
        /// Since when.
        since_ms: i64,
    },
    /// A queue call rings at their devices.
    Ringing {
        /// The call.
        call: CallId,
    },
    /// On a queue call.
    OnCall {
        /// The call.
        call: CallId,
    },
    /// After a call: time to finish the case, until `until_ms` (or ended early).
    WrapUp {
        /// When it ends by itself.
        until_ms: i64,
    },
    /// Paused, with a reason.
    Paused {
        /// Why ("Pause", "Schulung", …).
        reason: String,
    },
}

/// The rest of an agent's day, from presence: none of it may be interrupted by a queue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Availability {
    /// On another call (not from the queue).
    pub on_other_call: bool,
    /// Do-not-disturb.
    pub dnd: bool,
    /// In a meeting.
    pub in_meeting: bool,
    /// Cannot be reached: no browser open and no phone registered.
    pub offline: bool,
}

impl Availability {
    /// Whether nothing else keeps the agent.
    pub fn free(self) -> bool {
        !(self.on_other_call || self.dnd || self.in_meeting || self.offline)
    }
}

/// Why a change of state was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgentError {
    /// Not logged in to any queue.
    #[error("the agent is not logged in to any queue")]
    NotLoggedIn,
    /// The state does not allow it (e.g. pausing during a call).
    #[error("not possible now: the agent is {0}")]
    Busy(&'static str),
}

/// One agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// Staff id.
    pub id: i64,
    /// The queues they are logged in to, with their level in each (1: best).
    pub queues: BTreeMap<QueueId, u8>,
    /// What they are doing.
    pub state: AgentState,
    /// Calls answered today.
    pub calls_today: u32,
}

impl Agent {
    /// An agent logged in nowhere.
    pub fn new(id: i64, now_ms: i64) -> Agent {
        Agent {
            id,
            queues: BTreeMap::new(),
            state: AgentState::Ready { since_ms: now_ms },
            calls_today: 0,
        }
    }

    /// Logs in to `queue` at `level`.
    pub fn log_in(&mut self, queue: QueueId, level: u8) {
        self.queues.insert(queue, level.max(1));
    }

    /// Logs out of `queue` (`None`: of all).
    pub fn log_out(&mut self, queue: Option<QueueId>) {
        match queue {
            Some(q) => {
                self.queues.remove(&q);
            }
            None => self.queues.clear(),
        }
    }

    /// Pauses (only when not ringing or on a call).
    pub fn pause(&mut self, reason: &str) -> Result<(), AgentError> {
        self.logged_in()?;
        match self.state {
            AgentState::Ringing { .. } => Err(AgentError::Busy("ringing")),
            AgentState::OnCall { .. } => Err(AgentError::Busy("on a call")),
            _ => {
                self.state = AgentState::Paused {
                    reason: reason.to_string(),
                };
                Ok(())
            }
        }
    }

    /// Ends a pause.
    pub fn resume(&mut self, now_ms: i64) {
        if let AgentState::Paused { .. } = self.state {
            self.state = AgentState::Ready { since_ms: now_ms };
        }
    }

    /// A queue call rings at the agent.
    pub fn offer(&mut self, call: CallId) -> Result<(), AgentError> {
        match self.state {
            AgentState::Ready { .. } => {
                self.state = AgentState::Ringing { call };
                Ok(())
            }
            _ => Err(AgentError::Busy(self.state_name())),
        }
    }

    /// The offer ended unanswered (rang out, or someone else answered): ready again,
    /// keeping the time since when they were free.
    pub fn offer_ended(&mut self, idle_since_ms: i64) {
        if let AgentState::Ringing { .. } = self.state {
            self.state = AgentState::Ready {
                since_ms: idle_since_ms,
            };
        }
    }

    /// The agent answered.
    pub fn answered(&mut self, call: CallId) {
        self.state = AgentState::OnCall { call };
        self.calls_today += 1;
    }

    /// The call ended: wrap-up for `wrap_up_ms` (0: ready at once).
    pub fn call_ended(&mut self, now_ms: i64, wrap_up_ms: i64) {
        self.state = if wrap_up_ms > 0 {
            AgentState::WrapUp {
                until_ms: now_ms + wrap_up_ms,
            }
        } else {
            AgentState::Ready { since_ms: now_ms }
        };
    }

    /// The agent ends the wrap-up early; returns whether one was running.
    pub fn end_wrap_up(&mut self, now_ms: i64) -> bool {
        let running = matches!(self.state, AgentState::WrapUp { .. });
        if running {
            self.state = AgentState::Ready { since_ms: now_ms };
        }
        running
    }

    /// When the agent's state changes by itself (the end of a wrap-up).
    pub fn poll_timeout(&self) -> Option<i64> {
        match self.state {
            AgentState::WrapUp { until_ms } => Some(until_ms),
            _ => None,
        }
    }

    /// Moves time on: a wrap-up that is over makes the agent ready (returns true then).
    pub fn handle_timeout(&mut self, now_ms: i64) -> bool {
        match self.state {
            AgentState::WrapUp { until_ms } if until_ms <= now_ms => {
                self.state = AgentState::Ready { since_ms: until_ms };
                true
            }
            _ => false,
        }
    }

    /// The agent as a candidate for a call of `queue`, if they may be offered one now.
    pub fn candidate(&self, queue: QueueId, availability: Availability) -> Option<Candidate> {
        let level = *self.queues.get(&queue)?;
        match self.state {
            AgentState::Ready { since_ms } if availability.free() => Some(Candidate {
                agent: self.id,
                level,
                idle_since_ms: since_ms,
                calls_today: self.calls_today,
            }),
            _ => None,
        }
    }

    fn logged_in(&self) -> Result<(), AgentError> {
        if self.queues.is_empty() {
            Err(AgentError::NotLoggedIn)
        } else {
            Ok(())
        }
    }

    fn state_name(&self) -> &'static str {
        match self.state {
            AgentState::Ready { .. } => "ready",
            AgentState::Ringing { .. } => "ringing",
            AgentState::OnCall { .. } => "on a call",
            AgentState::WrapUp { .. } => "in wrap-up",
            AgentState::Paused { .. } => "paused",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const Q: QueueId = QueueId(1);

    fn agent() -> Agent {
        let mut a = Agent::new(7, 0);
        a.log_in(Q, 1);
        a
    }

    #[test]
    fn a_call_goes_ringing_on_call_wrap_up_ready() {
        let mut a = agent();
        assert!(a.candidate(Q, Availability::default()).is_some());
        a.offer(CallId(1)).unwrap();
        assert!(a.candidate(Q, Availability::default()).is_none(), "ringing");
        assert_eq!(a.offer(CallId(2)), Err(AgentError::Busy("ringing")));
        a.answered(CallId(1));
        assert_eq!(a.pause("Pause"), Err(AgentError::Busy("on a call")));
        a.call_ended(10_000, 30_000);
        assert_eq!(a.poll_timeout(), Some(40_000));
        assert!(a.candidate(Q, Availability::default()).is_none(), "wrap-up");
        assert!(!a.handle_timeout(39_999));
        assert!(a.handle_timeout(40_000));
        let c = a.candidate(Q, Availability::default()).unwrap();
        assert_eq!((c.idle_since_ms, c.calls_today), (40_000, 1));
    }

    #[test]
    fn wrap_up_can_end_early_and_pauses_keep_calls_away() {
        let mut a = agent();
        a.answered(CallId(1));
        a.call_ended(0, 60_000);
        assert!(a.end_wrap_up(5_000));
        assert_eq!(a.state, AgentState::Ready { since_ms: 5_000 });
        a.pause("Schulung").unwrap();
        assert!(a.candidate(Q, Availability::default()).is_none());
        a.resume(9_000);
        assert!(a.candidate(Q, Availability::default()).is_some());
    }

    #[test]
    fn other_calls_meetings_and_dnd_keep_queue_calls_away() {
        let a = agent();
        for busy in [
            Availability {
                on_other_call: true,
                ..Availability::default()
            },
            Availability {
                dnd: true,
                ..Availability::default()
            },
            Availability {
                in_meeting: true,
                ..Availability::default()
            },
            Availability {
                offline: true,
                ..Availability::default()
            },
        ] {
            assert!(a.candidate(Q, busy).is_none(), "{busy:?}");
        }
    }

    #[test]
    fn only_queues_logged_in_to_offer_calls() {
        let mut a = agent();
        a.log_in(QueueId(2), 3);
        assert_eq!(
            a.candidate(QueueId(2), Availability::default())
                .unwrap()
                .level,
            3
        );
        a.log_out(Some(Q));
        assert!(a.candidate(Q, Availability::default()).is_none());
        a.log_out(None);
        assert_eq!(a.pause("Pause"), Err(AgentError::NotLoggedIn));
    }

    #[test]
    fn an_unanswered_offer_keeps_the_time_free() {
        let mut a = agent();
        a.offer(CallId(1)).unwrap();
        a.offer_ended(0);
        assert_eq!(
            a.candidate(Q, Availability::default())
                .unwrap()
                .idle_since_ms,
            0
        );
    }
}
