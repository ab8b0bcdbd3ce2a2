//! One queue, sans-IO: the line of waiting callers (and callbacks that keep their
//! place), what each hears when (welcome, position and estimated wait, periodic
//! announcements, the callback offer), who is rung for whom, and when a caller leaves for
//! the overflow target. Every change is also an event for the log (`poll_event`).
//!
//! The shell feeds inputs with the time (`handle_*`), asks for an offer whenever agents
//! may be free (`next_offer` with the available candidates), and drains
//! `poll_action()`/`poll_event()`, then sleeps until `poll_timeout()`:
//!
//! ```
//! use queues::queue::{Action, Queue, QueueSettings};
//! use queues::{CallId, Candidate, QueueId, Strategy};
//!
//! let mut q = Queue::new(QueueId(1), QueueSettings::new(Strategy::LongestIdle));
//! q.handle_entered(0, CallId(7));
//! let agent = Candidate { agent: 42, level: 1, idle_since_ms: 0, calls_today: 0 };
//! assert!(q.next_offer(1_000, &[agent]).is_some());
//! q.handle_answered(5_000, CallId(7), 42);
//! let mut connected = false;
//! while let Some(action) = q.poll_action() {
//!     connected |= action == Action::Connect { call: CallId(7), agent: 42 };
//! }
//! assert!(connected);
//! assert_eq!(q.poll_timeout(), None, "nobody waits");
//! ```

use crate::event::{CallId, EventKind, QueueEvent, QueueId};
use crate::strategy::{Candidate, Strategy};
use std::collections::VecDeque;

#[cfg(test)]
mod tests;

/// How a queue behaves (its part of the hotline's settings).
#[derive(Debug, Clone, PartialEq)]
pub struct QueueSettings {
    /// How calls are handed out.
    pub strategy: Strategy,
    /// How long an offer rings before it goes to the next agent.
    pub ring_ms: i64,
    /// Callers waiting longer leave for the overflow target.
    pub max_wait_ms: Option<i64>,
    /// A caller who would be in line behind this many goes to the overflow target at once.
    pub max_length: Option<u32>,
    /// How often a waiting caller hears their position and estimated wait.
    pub position_every_ms: Option<i64>,
    /// How often the periodic announcement plays.
    pub periodic_every_ms: Option<i64>,
    /// From this wait on, the caller is offered a callback (a key keeps their place).
    pub callback_after_ms: Option<i64>,
    /// The key that asks for the callback.
    pub callback_key: char,
}

impl QueueSettings {
    /// Settings with this strategy and the usual rest: 20 s ringing, position every 60 s,
    /// no limits, no callback.
    pub fn new(strategy: Strategy) -> QueueSettings {
        QueueSettings {
            strategy,
            ring_ms: 20_000,
            max_wait_ms: None,
            max_length: None,
            position_every_ms: Some(60_000),
            periodic_every_ms: None,
            callback_after_ms: None,
            callback_key: '1',
        }
    }
}

/// What a waiting caller hears (music on hold between).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// The queue's welcome.
    Welcome,
    /// "You are number N; the wait is about M minutes" (no estimate yet: only N).
    Position {
        /// 1: next in line.
        position: u32,
        /// The estimate, when there is one.
        estimated_wait_ms: Option<i64>,
    },
    /// The queue's periodic announcement.
    Periodic,
    /// "Press 1 to be called back; you keep your place."
    CallbackOffer,
    /// "We will call you back." (the caller may hang up)
    CallbackConfirmed,
}

/// Why a caller left for the overflow target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverflowReason {
    /// The line was full.
    QueueFull,
    /// They waited `max_wait_ms`.
    WaitedTooLong,
}

/// What the shell must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Play a prompt to the caller.
    Play {
        /// The caller.
        call: CallId,
        /// What.
        prompt: Prompt,
    },
    /// Ring these agents for the caller.
    Ring {
        /// The caller.
        call: CallId,
        /// The agents (staff ids).
        agents: Vec<i64>,
    },
    /// Stop ringing these agents (they are free again unless they answered).
    StopRinging {
        /// The caller.
        call: CallId,
        /// The agents.
        agents: Vec<i64>,
    },
    /// Bridge the caller with the agent who answered.
    Connect {
        /// The caller.
        call: CallId,
        /// The agent.
        agent: i64,
    },
    /// Send the caller to the queue's overflow target.
    Overflow {
        /// The caller.
        call: CallId,
        /// Why.
        reason: OverflowReason,
    },
    /// An agent is free for a caller who asked to be called back: ring the agent, then
    /// call the caller (report with `handle_callback_done` or `handle_callback_failed`).
    CallBack {
        /// The caller's place.
        call: CallId,
        /// The agent.
        agent: i64,
    },
}

/// An offer made by [`Queue::next_offer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    /// The caller.
    pub call: CallId,
    /// The agents rung (or, for a callback, the one agent).
    pub agents: Vec<i64>,
}

#[derive(Debug, Clone)]
struct Place {
    call: CallId,
    entered_ms: i64,
    state: PlaceState,
    /// Agents who let this caller ring out or declined: offered others first.
    passed: Vec<i64>,
}

#[derive(Debug, Clone)]
enum PlaceState {
    /// On the line, waiting.
    Waiting {
        ringing: Option<(Vec<i64>, i64)>,
        next_position_ms: Option<i64>,
        next_periodic_ms: Option<i64>,
        callback_offered: bool,
    },
    /// Asked for a callback; keeps the place. Called back only once they hung up
    /// (`on_line` false), and after a failed try not before `retry_at` (0: no wait).
    Callback {
        dialing: Option<i64>,
        on_line: bool,
        retry_at: i64,
    },
}

/// After a callback that did not reach the caller, the next try waits this long.
pub const CALLBACK_RETRY_MS: i64 = 60_000;

/// Answers remembered for the estimated wait.
const RECENT_ANSWERS: usize = 10;

/// One queue.
#[derive(Debug)]
pub struct Queue {
    id: QueueId,
    settings: QueueSettings,
    line: Vec<Place>,
    last_offered: Option<i64>,
    recent_answers_ms: VecDeque<i64>,
    actions: VecDeque<Action>,
    events: VecDeque<QueueEvent>,
}

impl Queue {
    /// An empty queue.
    pub fn new(id: QueueId, settings: QueueSettings) -> Queue {
        Queue {
            id,
            settings,
            line: Vec::new(),
            last_offered: None,
            recent_answers_ms: VecDeque::new(),
            actions: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// How many are in line (callbacks included).
    pub fn len(&self) -> usize {
        self.line.len()
    }

    /// Whether nobody is in line.
    pub fn is_empty(&self) -> bool {
        self.line.is_empty()
    }

    /// A caller enters: welcome and position, or the overflow when the line is full.
    pub fn handle_entered(&mut self, now: i64, call: CallId) {
        let position = self.line.len() as u32 + 1;
        self.event(now, EventKind::Entered { call, position });
        if self.settings.max_length.is_some_and(|max| position > max) {
            self.event(now, EventKind::Overflowed { call, waited_ms: 0 });
            let reason = OverflowReason::QueueFull;
            self.actions.push_back(Action::Overflow { call, reason });
            return;
        }
        self.line.push(Place {
            call,
            entered_ms: now,
            passed: Vec::new(),
            state: PlaceState::Waiting {
                ringing: None,
                next_position_ms: self.settings.position_every_ms.map(|every| now + every),
                next_periodic_ms: self.settings.periodic_every_ms.map(|every| now + every),
                callback_offered: false,
            },
        });
        self.play(call, Prompt::Welcome);
        let estimated_wait_ms = self.estimated_wait(position);
        self.play(
            call,
            Prompt::Position {
                position,
                estimated_wait_ms,
            },
        );
    }

    /// A key from the caller: the callback key, once offered, keeps their place.
    pub fn handle_digit(&mut self, now: i64, call: CallId, digit: char) {
        let key = self.settings.callback_key;
        let Some(i) = self.index(call) else { return };
        let place = &mut self.line[i];
        let PlaceState::Waiting {
            ringing,
            callback_offered: true,
            ..
        } = &mut place.state
        else {
            return;
        };
        if digit != key {
            return;
        }
        if let Some((agents, _)) = ringing.take() {
            self.actions.push_back(Action::StopRinging { call, agents });
        }
        let waited_ms = now - place.entered_ms;
        place.state = PlaceState::Callback {
            dialing: None,
            on_line: true,
            retry_at: 0,
        };
        self.event(now, EventKind::CallbackRequested { call, waited_ms });
        self.play(call, Prompt::CallbackConfirmed);
    }

    /// A callback promised before a restart takes its place again (by the time it
    /// entered; no events, the log has them). Whether it was added.
    pub fn restore_callback(&mut self, call: CallId, entered_ms: i64) -> bool {
        if self.index(call).is_some() {
            return false;
        }
        let at = self.line.partition_point(|p| p.entered_ms <= entered_ms);
        self.line.insert(
            at,
            Place {
                call,
                entered_ms,
                passed: Vec::new(),
                state: PlaceState::Callback {
                    dialing: None,
                    on_line: false,
                    retry_at: 0,
                },
            },
        );
        true
    }

    /// The caller hung up: an abandon while waiting; once a callback is asked, the place
    /// may be called back from now on.
    pub fn handle_hangup(&mut self, now: i64, call: CallId) {
        let Some(i) = self.index(call) else { return };
        if let PlaceState::Callback { on_line, .. } = &mut self.line[i].state {
            *on_line = false;
            return;
        }
        let place = self.line.remove(i);
        if let PlaceState::Waiting {
            ringing: Some((agents, _)),
            ..
        } = place.state
        {
            self.actions.push_back(Action::StopRinging { call, agents });
        }
        let waited_ms = now - place.entered_ms;
        let position = i as u32 + 1;
        self.event(
            now,
            EventKind::Abandoned {
                call,
                waited_ms,
                position,
            },
        );
    }

    /// An agent answered the caller.
    pub fn handle_answered(&mut self, now: i64, call: CallId, agent: i64) {
        let Some(i) = self.index(call) else { return };
        let place = self.line.remove(i);
        if let PlaceState::Waiting {
            ringing: Some((agents, _)),
            ..
        } = place.state
        {
            let others: Vec<i64> = agents.into_iter().filter(|a| *a != agent).collect();
            if !others.is_empty() {
                self.actions.push_back(Action::StopRinging {
                    call,
                    agents: others,
                });
            }
        }
        let waited_ms = now - place.entered_ms;
        self.event(
            now,
            EventKind::Answered {
                call,
                agent,
                waited_ms,
            },
        );
        self.actions.push_back(Action::Connect { call, agent });
        self.answered_at(now);
    }

    /// An offer ended at the agent's side before the queue's ring time (declined, or
    /// the agent could not be reached): that agent rings no more for this caller, and
    /// once nobody rings, the next offer may go out at once.
    pub fn handle_offer_ended(&mut self, call: CallId, agent: i64) {
        let Some(i) = self.index(call) else { return };
        let place = &mut self.line[i];
        let PlaceState::Waiting { ringing, .. } = &mut place.state else {
            return;
        };
        let Some((agents, _)) = ringing else { return };
        if !agents.contains(&agent) {
            return;
        }
        agents.retain(|a| *a != agent);
        if agents.is_empty() {
            *ringing = None;
        }
        place.passed.push(agent);
    }

    /// Who waits, first in line first: the call, since when (Unix ms), and whether it
    /// is a callback that keeps its place (the caller hung up).
    pub fn waiting(&self) -> impl Iterator<Item = (CallId, i64, bool)> + '_ {
        self.line.iter().map(|p| {
            let callback = matches!(p.state, PlaceState::Callback { .. });
            (p.call, p.entered_ms, callback)
        })
    }

    /// The settings.
    pub fn settings(&self) -> &QueueSettings {
        &self.settings
    }

    /// The queue is closed (removed by the administration): everyone in line leaves for
    /// the overflow (logged as such); returns each call with the agents it was ringing.
    pub fn close(&mut self, now: i64) -> Vec<(CallId, Vec<i64>)> {
        let line = std::mem::take(&mut self.line);
        line.into_iter()
            .map(|place| {
                let call = place.call;
                let waited_ms = now - place.entered_ms;
                self.event(now, EventKind::Overflowed { call, waited_ms });
                let ringing = match place.state {
                    PlaceState::Waiting {
                        ringing: Some((agents, _)),
                        ..
                    } => agents,
                    PlaceState::Callback {
                        dialing: Some(agent),
                        ..
                    } => vec![agent],
                    _ => Vec::new(),
                };
                (call, ringing)
            })
            .collect()
    }

    /// Changes the settings; who waits keeps their place (new intervals apply from
    /// each caller's next announcement).
    pub fn set_settings(&mut self, settings: QueueSettings) {
        self.settings = settings;
    }

    /// The callback reached agent and caller: handled, the place is gone.
    pub fn handle_callback_done(&mut self, now: i64, call: CallId, agent: i64) {
        if let Some(i) = self.index(call) {
            self.line.remove(i);
            self.event(now, EventKind::CallbackDone { call, agent });
            self.answered_at(now);
        }
    }

    /// The callback did not reach the caller (busy, no answer) or the agent: the place
    /// stays, to be tried again after [`CALLBACK_RETRY_MS`], by another agent first.
    pub fn handle_callback_failed(&mut self, now: i64, call: CallId) {
        if let Some(i) = self.index(call) {
            let place = &mut self.line[i];
            if let PlaceState::Callback {
                dialing: Some(agent),
                ..
            } = place.state
            {
                place.passed.push(agent);
            }
            place.state = PlaceState::Callback {
                dialing: None,
                on_line: false,
                retry_at: now + CALLBACK_RETRY_MS,
            };
        }
    }

    /// The next offer for the available `candidates`: the first in line who is not being
    /// rung (or called back) gets the agents the strategy chooses. `None`: nothing to
    /// offer (nobody waits, or the strategy lets nobody take the call yet).
    pub fn next_offer(&mut self, now: i64, candidates: &[Candidate]) -> Option<Offer> {
        let ring_ms = self.settings.ring_ms;
        let strategy = self.settings.strategy;
        let last = self.last_offered;
        let i = self.line.iter().position(|p| match &p.state {
            PlaceState::Waiting { ringing, .. } => ringing.is_none(),
            PlaceState::Callback {
                dialing,
                on_line,
                retry_at,
            } => dialing.is_none() && !on_line && *retry_at <= now,
        })?;
        let call = self.line[i].call;
        let waited_ms = now - self.line[i].entered_ms;
        // Those who did not take this caller come last: only when nobody else may.
        let passed = &mut self.line[i].passed;
        let fresh: Vec<Candidate> = candidates
            .iter()
            .filter(|c| !passed.contains(&c.agent))
            .copied()
            .collect();
        let candidates = if fresh.is_empty() {
            passed.clear();
            candidates.to_vec()
        } else {
            fresh
        };
        let agents = strategy.choose(&candidates, waited_ms, last);
        let first = *agents.first()?;
        self.last_offered = agents.last().copied();
        match &mut self.line[i].state {
            PlaceState::Waiting { ringing, .. } => {
                *ringing = Some((agents.clone(), now + ring_ms));
                for &agent in &agents {
                    self.event(now, EventKind::Offered { call, agent });
                }
                let ring = Action::Ring {
                    call,
                    agents: agents.clone(),
                };
                self.actions.push_back(ring);
                Some(Offer { call, agents })
            }
            PlaceState::Callback { dialing, .. } => {
                *dialing = Some(first);
                self.event(now, EventKind::Offered { call, agent: first });
                self.actions
                    .push_back(Action::CallBack { call, agent: first });
                Some(Offer {
                    call,
                    agents: vec![first],
                })
            }
        }
    }
}

impl Queue {
    /// Moves time on: offers that rang out, callers who waited too long, prompts due.
    pub fn handle_timeout(&mut self, now: i64) {
        let max_wait = self.settings.max_wait_ms;
        let mut i = 0;
        while i < self.line.len() {
            let (call, entered_ms) = (self.line[i].call, self.line[i].entered_ms);
            if let PlaceState::Callback { retry_at, .. } = &mut self.line[i].state {
                if *retry_at > 0 && *retry_at <= now {
                    *retry_at = 0;
                }
            }
            let waiting = matches!(self.line[i].state, PlaceState::Waiting { .. });
            if waiting && max_wait.is_some_and(|max| now - entered_ms >= max) {
                let place = self.line.remove(i);
                if let PlaceState::Waiting {
                    ringing: Some((agents, _)),
                    ..
                } = place.state
                {
                    self.actions.push_back(Action::StopRinging { call, agents });
                }
                let waited_ms = now - entered_ms;
                self.event(now, EventKind::Overflowed { call, waited_ms });
                let reason = OverflowReason::WaitedTooLong;
                self.actions.push_back(Action::Overflow { call, reason });
                continue;
            }
            self.prompts_due(now, i);
            i += 1;
        }
    }

    /// The next time something happens by itself.
    pub fn poll_timeout(&self) -> Option<i64> {
        self.line
            .iter()
            .filter_map(|p| match &p.state {
                PlaceState::Waiting {
                    ringing,
                    next_position_ms,
                    next_periodic_ms,
                    callback_offered,
                } => {
                    let callback = (!callback_offered)
                        .then_some(self.settings.callback_after_ms)
                        .flatten()
                        .map(|after| p.entered_ms + after);
                    let overflow = self.settings.max_wait_ms.map(|max| p.entered_ms + max);
                    [
                        ringing.as_ref().map(|(_, until)| *until),
                        *next_position_ms,
                        *next_periodic_ms,
                        callback,
                        overflow,
                    ]
                    .into_iter()
                    .flatten()
                    .min()
                }
                // A retry's time (cleared by `handle_timeout` once it passed).
                PlaceState::Callback { retry_at, .. } => (*retry_at > 0).then_some(*retry_at),
            })
            .min()
    }

    /// The next thing for the shell to do.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// The next event for the log.
    pub fn poll_event(&mut self) -> Option<QueueEvent> {
        self.events.pop_front()
    }

    /// The estimated wait at `position`: the position times the time between the recent
    /// answers (none before two answers).
    pub fn estimated_wait(&self, position: u32) -> Option<i64> {
        let (first, last) = (
            self.recent_answers_ms.front()?,
            self.recent_answers_ms.back()?,
        );
        let gaps = self.recent_answers_ms.len() as i64 - 1;
        (gaps > 0).then(|| (last - first) / gaps * i64::from(position))
    }

    fn prompts_due(&mut self, now: i64, i: usize) {
        let settings = &self.settings;
        let position = i as u32 + 1;
        let place = &mut self.line[i];
        let call = place.call;
        let PlaceState::Waiting {
            ringing,
            next_position_ms,
            next_periodic_ms,
            callback_offered,
        } = &mut place.state
        else {
            return;
        };
        let mut prompts = Vec::new();
        // An offer that rang out: the agents are free again, the next offer goes on.
        if let Some((agents, _)) = ringing.take_if(|(_, until)| *until <= now) {
            place.passed.extend(agents.iter().copied());
            self.actions.push_back(Action::StopRinging { call, agents });
        }
        if next_position_ms.is_some_and(|at| at <= now) {
            *next_position_ms = settings.position_every_ms.map(|every| now + every);
            prompts.push(Prompt::Position {
                position,
                estimated_wait_ms: None,
            });
        }
        if next_periodic_ms.is_some_and(|at| at <= now) {
            *next_periodic_ms = settings.periodic_every_ms.map(|every| now + every);
            prompts.push(Prompt::Periodic);
        }
        let callback_due = settings
            .callback_after_ms
            .is_some_and(|after| now - place.entered_ms >= after);
        if callback_due && !*callback_offered {
            *callback_offered = true;
            prompts.push(Prompt::CallbackOffer);
        }
        for prompt in prompts {
            let prompt = match prompt {
                Prompt::Position { position, .. } => Prompt::Position {
                    position,
                    estimated_wait_ms: self.estimated_wait(position),
                },
                other => other,
            };
            self.play(call, prompt);
        }
    }

    fn answered_at(&mut self, now: i64) {
        self.recent_answers_ms.push_back(now);
        if self.recent_answers_ms.len() > RECENT_ANSWERS {
            self.recent_answers_ms.pop_front();
        }
    }

    fn index(&self, call: CallId) -> Option<usize> {
        self.line.iter().position(|p| p.call == call)
    }

    fn play(&mut self, call: CallId, prompt: Prompt) {
        self.actions.push_back(Action::Play { call, prompt });
    }

    fn event(&mut self, at_ms: i64, kind: EventKind) {
        let queue = self.id;
        self.events.push_back(QueueEvent { at_ms, queue, kind });
    }
}
