//! How callers move: into a queue, through their clips, to agents; the time.

use super::{Board, Caller, Clip, Order, Overflow, Stage, Switchboard, Waiting, RING_MARGIN_MS};
use crate::agent::AgentState;
use crate::event::{CallId, EventKind, QueueEvent, QueueId};
use crate::queue::{Action, Prompt};
use crate::strategy::Candidate;

/// The least time a person the queue overflowed to is rung (their own forwarding, e.g.
/// to a mobile after 20 s, needs time too).
const FORWARD_RING_MS: i64 = 30_000;

impl Switchboard {
    /// The caller enters queue `q` (from the start, the menu or an overflow).
    pub(super) fn enter(&mut self, now: i64, call: CallId, q: QueueId) {
        let Some(caller) = self.callers.get_mut(&call) else {
            return;
        };
        if !self.queues.contains_key(&q) {
            // A queue deleted meanwhile: nobody can take the call.
            caller.stage = Stage::Leaving;
            self.play(call, Clip::Overflow);
            return;
        }
        // A menu not yet heard is not needed any more.
        caller.next.retain(|c| !matches!(c, Clip::Menu(_)));
        caller.hops += 1;
        if caller.hops > super::MAX_HOPS {
            caller.stage = Stage::Leaving;
            caller.next.clear();
            self.start(call, Clip::Overflow);
            return;
        }
        caller.stage = Stage::Queued(q);
        if let Some((queue, _)) = self.queues.get_mut(&q) {
            queue.handle_entered(now, call);
        }
        self.carry(now, q);
        self.dispatch(now);
    }

    /// Plays `clip` to the caller: at once when nothing but music plays, else after
    /// what plays now.
    pub(super) fn play(&mut self, call: CallId, clip: Clip) {
        let Some(caller) = self.callers.get_mut(&call) else {
            return;
        };
        match caller.playing {
            None | Some(Clip::HoldMusic(_)) => self.start(call, clip),
            Some(_) => caller.next.push_back(clip),
        }
    }

    pub(super) fn start(&mut self, call: CallId, clip: Clip) {
        if let Some(caller) = self.callers.get_mut(&call) {
            caller.playing = Some(clip);
        }
        let looping = matches!(clip, Clip::HoldMusic(_));
        self.orders.push_back(Order::Play {
            call,
            clip,
            looping,
        });
    }

    /// Carries out what queue `q` decided and takes its events.
    pub(super) fn carry(&mut self, now: i64, q: QueueId) {
        loop {
            let Some((queue, setup)) = self.queues.get_mut(&q) else {
                return;
            };
            while let Some(e) = queue.poll_event() {
                self.events.push_back(e);
            }
            let Some(action) = queue.poll_action() else {
                return;
            };
            let (ring_ms, overflow) = (setup.settings.ring_ms, setup.overflow);
            match action {
                Action::Play { call, prompt } => {
                    let clip = match prompt {
                        Prompt::Welcome => {
                            let Some(c) = self.callers.get_mut(&call) else {
                                continue;
                            };
                            if std::mem::replace(&mut c.welcomed, true) {
                                continue;
                            }
                            Clip::Welcome(c.hotline)
                        }
                        Prompt::Position {
                            position,
                            estimated_wait_ms,
                        } => Clip::Position {
                            position,
                            wait_ms: estimated_wait_ms,
                        },
                        Prompt::Periodic => Clip::Periodic(q),
                        Prompt::CallbackOffer => {
                            let possible = self.callers.get(&call).is_some_and(|c| c.can_call_back);
                            if !possible {
                                continue;
                            }
                            Clip::CallbackOffer
                        }
                        Prompt::CallbackConfirmed => {
                            // The caller keeps the place and may go: the call ends after
                            // the confirmation, whatever was to play.
                            if let Some(c) = self.callers.get_mut(&call) {
                                c.stage = Stage::Leaving;
                                c.next.clear();
                            }
                            self.start(call, Clip::CallbackConfirmed);
                            continue;
                        }
                    };
                    self.play(call, clip);
                }
                Action::Ring { call, agents } => {
                    for agent in agents {
                        let Some(a) = self.agents.get_mut(&agent) else {
                            continue;
                        };
                        let since = match a.state {
                            AgentState::Ready { since_ms } => since_ms,
                            _ => now,
                        };
                        if a.offer(call).is_ok() {
                            self.free_since.insert(agent, since);
                            let until = now + ring_ms + RING_MARGIN_MS;
                            self.orders.push_back(Order::Offer { call, agent, until });
                        }
                    }
                }
                Action::StopRinging { call, agents } => {
                    for agent in agents {
                        if self.agent_free_again(agent, call) {
                            self.orders.push_back(Order::Withdraw { call, agent });
                        }
                    }
                }
                Action::Connect { call, agent } => {
                    if let Some(a) = self.agents.get_mut(&agent) {
                        a.answered(call);
                    }
                    self.free_since.remove(&agent);
                    if let Some(c) = self.callers.get_mut(&call) {
                        c.stage = Stage::Connected(q);
                        c.playing = None;
                        c.next.clear();
                    }
                }
                Action::Overflow { call, .. } => match overflow {
                    Overflow::Queue(to) if to != q => self.enter(now, call, to),
                    Overflow::Person(person) => {
                        if let Some(c) = self.callers.get_mut(&call) {
                            c.stage = Stage::Forwarded(person);
                            c.next.clear();
                        }
                        let until = now + ring_ms.max(FORWARD_RING_MS) + RING_MARGIN_MS;
                        self.orders.push_back(Order::Forward {
                            call,
                            person,
                            until,
                        });
                    }
                    Overflow::Voicemail => {
                        let Some(c) = self.callers.get_mut(&call) else {
                            continue;
                        };
                        c.stage = Stage::AtVoicemail;
                        c.next.clear();
                        c.playing = None;
                        let hotline = c.hotline;
                        self.orders.push_back(Order::Voicemail { call, hotline });
                    }
                    _ => {
                        if let Some(c) = self.callers.get_mut(&call) {
                            c.stage = Stage::Leaving;
                            c.next.clear();
                        }
                        self.start(call, Clip::Overflow);
                    }
                },
                Action::CallBack { call, agent } => {
                    let Some(a) = self.agents.get_mut(&agent) else {
                        continue;
                    };
                    let since = match a.state {
                        AgentState::Ready { since_ms } => since_ms,
                        _ => now,
                    };
                    if a.offer(call).is_ok() {
                        self.free_since.insert(agent, since);
                        let until = now + ring_ms + RING_MARGIN_MS;
                        self.orders
                            .push_back(Order::CallBack { call, agent, until });
                    } else if let Some((queue, _)) = self.queues.get_mut(&q) {
                        queue.handle_callback_failed(now, call);
                    }
                }
            }
        }
    }

    /// An agent rung for `call` is free again (with the idle time they had); whether
    /// they were ringing for it.
    pub(super) fn agent_free_again(&mut self, agent: i64, call: CallId) -> bool {
        let Some(a) = self.agents.get_mut(&agent) else {
            return false;
        };
        if !matches!(a.state, AgentState::Ringing { call: c } if c == call) {
            return false;
        }
        let since = self.free_since.remove(&agent).unwrap_or(0);
        a.offer_ended(since);
        true
    }

    /// Offers waiting callers to free agents, queue by queue, as long as both exist.
    pub(super) fn dispatch(&mut self, now: i64) {
        let ids: Vec<QueueId> = self.queues.keys().copied().collect();
        for q in ids {
            loop {
                let candidates: Vec<Candidate> = self
                    .agents
                    .values()
                    .filter_map(|a| {
                        let availability = self.availability.get(&a.id).copied();
                        a.candidate(q, availability.unwrap_or_default())
                    })
                    .collect();
                if candidates.is_empty() {
                    break;
                }
                let Some((queue, _)) = self.queues.get_mut(&q) else {
                    break;
                };
                if queue.next_offer(now, &candidates).is_none() {
                    break;
                }
                self.carry(now, q);
            }
        }
    }

    /// Moves time on: rung-out offers, long waits, announcements, the ends of wrap-ups
    /// and of menus nobody chose from.
    pub fn handle_timeout(&mut self, now: i64) {
        let ids: Vec<QueueId> = self.queues.keys().copied().collect();
        for q in &ids {
            if let Some((queue, _)) = self.queues.get_mut(q) {
                queue.handle_timeout(now);
            }
            self.carry(now, *q);
        }
        let mut ended = Vec::new();
        for agent in self.agents.values_mut() {
            if agent.handle_timeout(now) {
                ended.push((agent.id, agent.queues.keys().copied().collect::<Vec<_>>()));
            }
        }
        for (agent, queues) in ended {
            for queue in queues {
                let kind = EventKind::WrapUpEnded {
                    agent,
                    early: false,
                };
                self.events.push_back(QueueEvent {
                    at_ms: now,
                    queue,
                    kind,
                });
            }
        }
        let menus: Vec<(CallId, i64)> = self
            .callers
            .iter()
            .filter_map(|(call, c)| match c.stage {
                Stage::Menu { until: Some(t) } if t <= now => Some((*call, c.hotline)),
                _ => None,
            })
            .collect();
        for (call, hotline) in menus {
            if let Some(first) = self.hotlines.get(&hotline).map(|h| h.first_queue) {
                self.enter(now, call, first);
            }
        }
        self.dispatch(now);
    }

    /// When the switchboard needs the time next.
    pub fn poll_timeout(&self) -> Option<i64> {
        let queues = self.queues.values().filter_map(|(q, _)| q.poll_timeout());
        let agents = self.agents.values().filter_map(|a| a.poll_timeout());
        let menus = self.callers.values().filter_map(|c| match c.stage {
            Stage::Menu { until } => until,
            _ => None,
        });
        queues.chain(agents).chain(menus).min()
    }

    /// The next thing to do.
    pub fn poll_order(&mut self) -> Option<Order> {
        self.orders.pop_front()
    }

    /// The next event for the log.
    pub fn poll_event(&mut self) -> Option<QueueEvent> {
        self.events.pop_front()
    }

    /// A hotline now: who waits, and its agents.
    pub fn board(&self, hotline: i64) -> Board {
        let queues: Vec<QueueId> = self
            .queues
            .iter()
            .filter(|(_, (_, s))| s.hotline == hotline)
            .map(|(id, _)| *id)
            .collect();
        let waiting = queues
            .iter()
            .flat_map(|q| {
                self.queues[q]
                    .0
                    .waiting()
                    .map(move |(call, since_ms, callback)| Waiting {
                        call,
                        queue: *q,
                        since_ms,
                        callback,
                    })
            })
            .collect();
        let agents = self
            .agents
            .values()
            .filter(|a| a.queues.keys().any(|q| queues.contains(q)))
            .cloned()
            .collect();
        Board { waiting, agents }
    }

    /// Whether `call` keeps a place in a queue though the caller hung up (a callback).
    pub fn keeps_place(&self, call: CallId) -> bool {
        self.queues
            .values()
            .any(|(q, _)| q.waiting().any(|(c, _, callback)| c == call && callback))
    }

    /// The queue where `call` has its place.
    pub(super) fn queue_of_place(&self, call: CallId) -> Option<QueueId> {
        self.queues
            .iter()
            .find(|(_, (q, _))| q.waiting().any(|(c, _, _)| c == call))
            .map(|(id, _)| *id)
    }

    /// The hotline of the queue where `call` keeps its place.
    pub fn hotline_of_place(&self, call: CallId) -> Option<i64> {
        self.queues
            .values()
            .find(|(q, _)| q.waiting().any(|(c, _, _)| c == call))
            .map(|(_, setup)| setup.hotline)
    }

    /// Which hotline a caller is at, if any.
    pub fn hotline_of(&self, call: CallId) -> Option<i64> {
        self.callers.get(&call).map(|c: &Caller| c.hotline)
    }
}
