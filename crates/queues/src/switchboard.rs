//! The hotlines' switchboard, sans-IO: every hotline with its queues and agents in one
//! place. Call control reports what happens to callers (arrived, a key, a prompt played
//! to its end, answered, left, hung up); the web reports what agents do (log in, pause,
//! end the wrap-up) and presence what else keeps them (another call, do-not-disturb, a
//! meeting). The switchboard decides what each caller hears next, whom to offer whom,
//! and when a caller is sent away, and logs every event for the figures.
//!
//! ```
//! use queues::switchboard::{Clip, HotlineSetup, Order, QueueSetup, Switchboard};
//! use queues::{CallId, OpeningHours, QueueId, QueueSettings, Strategy};
//!
//! let mut board = Switchboard::default();
//! let hotline = HotlineSetup::always_open(1, QueueId(10));
//! let queue = QueueSetup::new(QueueId(10), 1, QueueSettings::new(Strategy::LongestIdle))
//!     .with_members(&[(42, 1)]);
//! board.configure(0, vec![hotline], vec![queue]);
//! board.log_in(0, 42, None).unwrap();
//! board.handle_arrived(1_000, CallId(7), 1, None);
//! let orders: Vec<Order> = std::iter::from_fn(|| board.poll_order()).collect();
//! assert!(orders.contains(&Order::Play { call: CallId(7), clip: Clip::Welcome(1), looping: false }));
//! assert!(orders.iter().any(|o| matches!(o, Order::Offer { agent: 42, .. })));
//! ```

use crate::agent::{Agent, AgentState, Availability};
use crate::event::{CallId, QueueEvent, QueueId};
use crate::opening_hours::OpeningHours;
use crate::queue::{Queue, QueueSettings};
use jiff::civil::DateTime;
use std::collections::{BTreeMap, HashMap, VecDeque};

#[cfg(test)]
mod tests;

/// Call control rings a little longer than the queue, so the queue's ring time decides.
const RING_MARGIN_MS: i64 = 2_000;
/// After the menu, a caller who presses nothing goes to the first queue.
const MENU_WAIT_MS: i64 = 8_000;
/// A caller passed on from queue to queue more often than this hears the overflow
/// message instead (two queues overflowing into each other).
const MAX_HOPS: u8 = 4;

/// A hotline: when it is open, its menu, its queues.
#[derive(Debug, Clone, PartialEq)]
pub struct HotlineSetup {
    /// Its id.
    pub id: i64,
    /// When it is open (`None`: always).
    pub hours: Option<OpeningHours>,
    /// Keys of the menu and the queue each leads to (empty: no menu).
    pub menu: Vec<(char, QueueId)>,
    /// Where callers go without a menu (and who press nothing).
    pub first_queue: QueueId,
}

impl HotlineSetup {
    /// A hotline always open, without a menu, leading to `queue`.
    pub fn always_open(id: i64, queue: QueueId) -> HotlineSetup {
        HotlineSetup {
            id,
            hours: None,
            menu: Vec::new(),
            first_queue: queue,
        }
    }
}

/// Where callers go when a queue overflows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// A message, then the call ends.
    Closed,
    /// Another queue (of any hotline).
    Queue(QueueId),
    /// A person (a staff id), rung like any call to them (their forwarding applies);
    /// unanswered, the overflow message, then the call ends.
    Person(i64),
    /// The hotline's voicemail box: the caller leaves a message.
    Voicemail,
}

/// A queue with its agents.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueSetup {
    /// Its id.
    pub id: QueueId,
    /// Its hotline.
    pub hotline: i64,
    /// How it behaves.
    pub settings: QueueSettings,
    /// The wrap-up after each call.
    pub wrap_up_ms: i64,
    /// Where callers go when it overflows.
    pub overflow: Overflow,
    /// Who may log in, at which level (1: best).
    pub members: Vec<(i64, u8)>,
}

impl QueueSetup {
    /// A queue with no members, no wrap-up, overflowing to a closed message.
    pub fn new(id: QueueId, hotline: i64, settings: QueueSettings) -> QueueSetup {
        QueueSetup {
            id,
            hotline,
            settings,
            wrap_up_ms: 0,
            overflow: Overflow::Closed,
            members: Vec::new(),
        }
    }

    /// The same with these members.
    pub fn with_members(mut self, members: &[(i64, u8)]) -> QueueSetup {
        self.members = members.to_vec();
        self
    }
}

/// What a caller hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clip {
    /// The hotline's welcome.
    Welcome(i64),
    /// The hotline's menu ("press 1 for …").
    Menu(i64),
    /// The hotline's closed message.
    Closed(i64),
    /// The hotline's music on hold (looping).
    HoldMusic(i64),
    /// "You are number N; the wait is about M minutes."
    Position {
        /// 1: next in line.
        position: u32,
        /// The estimate, if there is one.
        wait_ms: Option<i64>,
    },
    /// A queue's periodic announcement.
    Periodic(QueueId),
    /// "Press 1 to be called back."
    CallbackOffer,
    /// "We will call you back."
    CallbackConfirmed,
    /// "All agents are busy; please try again later." (before the call ends)
    Overflow,
}

/// What the shell must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Order {
    /// Play a clip to the caller, instead of what plays now (report its end with
    /// [`Switchboard::handle_played`] unless looping).
    Play {
        /// The caller.
        call: CallId,
        /// What.
        clip: Clip,
        /// Over and over (music on hold).
        looping: bool,
    },
    /// Ring the agent for the caller until `until` (Unix ms).
    Offer {
        /// The caller.
        call: CallId,
        /// The agent.
        agent: i64,
        /// Until when.
        until: i64,
    },
    /// Ring a person for a caller who overflowed to them, until `until`; the call is
    /// theirs once they answer (report the answer, or the offer's end, as for an agent).
    Forward {
        /// The caller.
        call: CallId,
        /// The person (a staff id).
        person: i64,
        /// Until when.
        until: i64,
    },
    /// Hand the caller to the hotline's voicemail box (they overflowed there); the
    /// switchboard hears of the call again only when it ends ([`Switchboard::handle_left`]).
    Voicemail {
        /// The caller.
        call: CallId,
        /// Whose box.
        hotline: i64,
    },
    /// Stop ringing the agent for the caller.
    Withdraw {
        /// The caller.
        call: CallId,
        /// The agent.
        agent: i64,
    },
    /// End the caller's call (after the closed or overflow message, or the callback's
    /// confirmation).
    SendAway {
        /// The caller.
        call: CallId,
    },
    /// Call the caller back for the agent: ring the agent until `until`, then the caller
    /// (report with [`Switchboard::handle_callback_reached`] or
    /// [`Switchboard::handle_callback_failed`]).
    CallBack {
        /// The caller's place.
        call: CallId,
        /// The agent.
        agent: i64,
        /// Until when the agent is rung.
        until: i64,
    },
}

/// Where a caller is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Hears the menu; without a key by `until` (set when the menu ended), the first
    /// queue.
    Menu { until: Option<i64> },
    /// Waits in a queue.
    Queued(QueueId),
    /// Talks to an agent.
    Connected(QueueId),
    /// Overflowed to a person, who is rung (music on hold meanwhile).
    Forwarded(i64),
    /// Hears a last message, then the call ends.
    Leaving,
    /// Leaves a message in the hotline's box (the voicemail plays and records).
    AtVoicemail,
}

#[derive(Debug, Clone)]
struct Caller {
    hotline: i64,
    stage: Stage,
    /// Heard the welcome already (before the menu).
    welcomed: bool,
    /// The caller can be called back (a number to call).
    can_call_back: bool,
    /// Queues entered so far.
    hops: u8,
    playing: Option<Clip>,
    next: VecDeque<Clip>,
}

/// One waiting caller on the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    /// The caller.
    pub call: CallId,
    /// In which queue.
    pub queue: QueueId,
    /// Since when (Unix ms).
    pub since_ms: i64,
    /// A callback that keeps its place (the caller hung up).
    pub callback: bool,
}

/// A hotline as its supervisor sees it now.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Board {
    /// Who waits, per queue, first in line first.
    pub waiting: Vec<Waiting>,
    /// The agents logged in to any of its queues.
    pub agents: Vec<Agent>,
}

/// Every hotline, queue and agent.
#[derive(Debug, Default)]
pub struct Switchboard {
    hotlines: BTreeMap<i64, HotlineSetup>,
    queues: BTreeMap<QueueId, (Queue, QueueSetup)>,
    agents: BTreeMap<i64, Agent>,
    availability: HashMap<i64, Availability>,
    /// Since when a ringing agent was free before (kept across an unanswered offer).
    free_since: HashMap<i64, i64>,
    callers: HashMap<CallId, Caller>,
    orders: VecDeque<Order>,
    events: VecDeque<QueueEvent>,
}

impl Switchboard {
    /// Sets (or changes) the hotlines and queues. Callers of a queue that stays keep
    /// their place; agents stay logged in to queues they are still members of.
    pub fn configure(&mut self, now: i64, hotlines: Vec<HotlineSetup>, queues: Vec<QueueSetup>) {
        self.hotlines = hotlines.into_iter().map(|h| (h.id, h)).collect();
        let mut old = std::mem::take(&mut self.queues);
        for setup in queues {
            let queue = match old.remove(&setup.id) {
                Some((mut q, _)) => {
                    q.set_settings(setup.settings.clone());
                    q
                }
                None => Queue::new(setup.id, setup.settings.clone()),
            };
            self.queues.insert(setup.id, (queue, setup));
        }
        for (_, (mut queue, _)) in old {
            self.retire(now, &mut queue);
        }
        for agent in self.agents.values_mut() {
            let still: Vec<QueueId> = agent
                .queues
                .keys()
                .copied()
                .filter(|q| {
                    self.queues
                        .get(q)
                        .is_some_and(|(_, s)| s.members.iter().any(|(a, _)| *a == agent.id))
                })
                .collect();
            agent.queues.retain(|q, _| still.contains(q));
            for q in &still {
                let level = self.queues[q]
                    .1
                    .members
                    .iter()
                    .find(|(a, _)| *a == agent.id);
                if let Some((_, level)) = level {
                    agent.queues.insert(*q, *level);
                }
            }
        }
        self.dispatch(now);
    }

    /// A removed queue's callers hear the overflow message and go; agents rung for them
    /// are free again.
    fn retire(&mut self, now: i64, queue: &mut Queue) {
        for (call, agents) in queue.close(now) {
            for agent in agents {
                if self.agent_free_again(agent, call) {
                    self.orders.push_back(Order::Withdraw { call, agent });
                }
            }
            if let Some(c) = self.callers.get_mut(&call) {
                c.stage = Stage::Leaving;
                c.next.clear();
                self.start(call, Clip::Overflow);
            }
        }
        while let Some(e) = queue.poll_event() {
            self.events.push_back(e);
        }
    }

    /// A caller reached `hotline` (and was answered); `local` is the local time, to
    /// check the opening hours (`None`: open).
    pub fn handle_arrived(
        &mut self,
        now: i64,
        call: CallId,
        hotline: i64,
        local: Option<DateTime>,
    ) {
        let Some(setup) = self.hotlines.get(&hotline).cloned() else {
            // A hotline being set up or removed: nobody could take the call.
            self.orders.push_back(Order::SendAway { call });
            return;
        };
        let open = match (&setup.hours, local) {
            (Some(hours), Some(at)) => hours.is_open(at),
            _ => true,
        };
        let caller = Caller {
            hotline,
            stage: Stage::Leaving,
            welcomed: false,
            can_call_back: true,
            hops: 0,
            playing: None,
            next: VecDeque::new(),
        };
        self.callers.insert(call, caller);
        if !open {
            self.play(call, Clip::Closed(hotline));
            return;
        }
        if setup.menu.is_empty() {
            self.enter(now, call, setup.first_queue);
        } else {
            if let Some(c) = self.callers.get_mut(&call) {
                c.stage = Stage::Menu { until: None };
                c.welcomed = true;
            }
            self.play(call, Clip::Welcome(hotline));
            self.play(call, Clip::Menu(hotline));
        }
    }

    /// The caller pressed a key: a choice in the menu, or the callback key in a queue.
    pub fn handle_digit(&mut self, now: i64, call: CallId, digit: char) {
        let Some(caller) = self.callers.get(&call) else {
            return;
        };
        match caller.stage {
            Stage::Menu { .. } => {
                let choice = self
                    .hotlines
                    .get(&caller.hotline)
                    .and_then(|h| h.menu.iter().find(|(d, _)| *d == digit).map(|(_, q)| *q));
                if let Some(queue) = choice {
                    self.enter(now, call, queue);
                }
            }
            // Keys in a queue ask for the callback, if the caller can be called back.
            Stage::Queued(q) if caller.can_call_back => {
                if let Some((queue, _)) = self.queues.get_mut(&q) {
                    queue.handle_digit(now, call, digit);
                }
                self.carry(now, q);
            }
            Stage::Queued(_) => {}
            Stage::Connected(_) | Stage::Forwarded(_) | Stage::Leaving | Stage::AtVoicemail => {}
        }
    }

    /// What played to the caller came to its end: the next clip, music on hold, or the
    /// end of the call after a last message.
    pub fn handle_played(&mut self, now: i64, call: CallId) {
        let Some(caller) = self.callers.get_mut(&call) else {
            return;
        };
        let ended = caller.playing.take();
        if let Some(clip) = caller.next.pop_front() {
            self.start(call, clip);
            return;
        }
        match caller.stage {
            // Call control reports the end (`handle_left`), which forgets the caller.
            Stage::Leaving => self.orders.push_back(Order::SendAway { call }),
            Stage::Menu { ref mut until } => {
                if ended.is_some_and(|c| matches!(c, Clip::Menu(_))) {
                    *until = Some(now + MENU_WAIT_MS);
                }
                let hotline = caller.hotline;
                self.start(call, Clip::HoldMusic(hotline));
            }
            Stage::Queued(_) | Stage::Forwarded(_) => {
                let hotline = caller.hotline;
                self.start(call, Clip::HoldMusic(hotline));
            }
            Stage::Connected(_) | Stage::AtVoicemail => {}
        }
    }

    /// A callback promised before a restart keeps its place in `queue` (entered at
    /// `entered_ms`) and is called back when an agent is free. Whether the queue exists.
    pub fn restore_callback(
        &mut self,
        now: i64,
        call: CallId,
        queue: QueueId,
        entered_ms: i64,
    ) -> bool {
        let Some((q, _)) = self.queues.get_mut(&queue) else {
            return false;
        };
        q.restore_callback(call, entered_ms);
        self.carry(now, queue);
        self.dispatch(now);
        true
    }

    /// The caller cannot be called back (no number to call): no callback is offered.
    pub fn no_callback(&mut self, call: CallId) {
        if let Some(c) = self.callers.get_mut(&call) {
            c.can_call_back = false;
        }
    }

    /// `agent` answered the caller (also one who just asked for a callback: they talk now,
    /// the place is gone).
    pub fn handle_answered(&mut self, now: i64, call: CallId, agent: i64) {
        if let Some(Stage::Forwarded(person)) = self.callers.get(&call).map(|c| c.stage) {
            // The person the queue overflowed to took the call: the hotline is done.
            if person == agent {
                self.callers.remove(&call);
            }
            return;
        }
        let Some(q) = self.queue_of_place(call) else {
            // Nowhere in line (its queue was removed): the agent talks, then wraps up.
            if let Some(a) = self.agents.get_mut(&agent) {
                a.answered(call);
            }
            return;
        };
        if let Some((queue, _)) = self.queues.get_mut(&q) {
            queue.handle_answered(now, call, agent);
        }
        self.carry(now, q);
    }

    /// An offer to `agent` ended at their side (declined, unreachable).
    pub fn handle_offer_ended(&mut self, now: i64, call: CallId, agent: i64) {
        self.agent_free_again(agent, call);
        match self.callers.get_mut(&call).map(|c| (c.stage, c)) {
            Some((Stage::Queued(q), _)) => {
                if let Some((queue, _)) = self.queues.get_mut(&q) {
                    queue.handle_offer_ended(call, agent);
                }
            }
            // The person the queue overflowed to did not answer (or cannot be reached).
            Some((Stage::Forwarded(person), c)) if person == agent => {
                c.stage = Stage::Leaving;
                c.next.clear();
                self.start(call, Clip::Overflow);
            }
            _ => {}
        }
        self.dispatch(now);
    }

    /// The caller hung up (or was sent away) before talking to an agent.
    pub fn handle_left(&mut self, now: i64, call: CallId) {
        if self.callers.remove(&call).is_none() {
            return;
        }
        // Waiting: an abandon; after asking for a callback: the place may be called now.
        if let Some(q) = self.queue_of_place(call) {
            if let Some((queue, _)) = self.queues.get_mut(&q) {
                queue.handle_hangup(now, call);
            }
            self.carry(now, q);
        }
        self.dispatch(now);
    }

    /// A callback reached the caller: they talk to `agent`.
    pub fn handle_callback_reached(&mut self, now: i64, call: CallId, agent: i64) {
        let Some((q, hotline)) = self
            .queues
            .iter()
            .find(|(_, (queue, _))| {
                queue
                    .waiting()
                    .any(|(c, _, callback)| c == call && callback)
            })
            .map(|(id, (_, setup))| (*id, setup.hotline))
        else {
            return;
        };
        if let Some((queue, _)) = self.queues.get_mut(&q) {
            queue.handle_callback_done(now, call, agent);
        }
        self.free_since.remove(&agent);
        if let Some(a) = self.agents.get_mut(&agent) {
            a.answered(call);
        }
        self.callers.insert(
            call,
            Caller {
                hotline,
                stage: Stage::Connected(q),
                welcomed: true,
                can_call_back: true,
                hops: 1,
                playing: None,
                next: VecDeque::new(),
            },
        );
        self.carry(now, q);
    }

    /// A callback did not come about: the place stays (tried again later, by another
    /// agent first), the agent is free again.
    pub fn handle_callback_failed(&mut self, now: i64, call: CallId, agent: i64) {
        self.agent_free_again(agent, call);
        for (queue, _) in self.queues.values_mut() {
            queue.handle_callback_failed(now, call);
        }
        self.dispatch(now);
    }

    /// The conversation of `agent` with the caller ended: the agent's wrap-up begins.
    pub fn handle_ended(&mut self, now: i64, call: CallId, agent: i64) {
        let queue = match self.callers.remove(&call).map(|c| c.stage) {
            Some(Stage::Connected(q)) => Some(q),
            _ => None,
        };
        let wrap_up_ms = queue
            .and_then(|q| self.queues.get(&q))
            .map_or(0, |(_, s)| s.wrap_up_ms);
        if let Some(a) = self.agents.get_mut(&agent) {
            if matches!(a.state, AgentState::OnCall { call: c } | AgentState::Ringing { call: c } if c == call)
            {
                a.call_ended(now, wrap_up_ms);
            }
        }
        self.dispatch(now);
    }
}

mod agents;
mod flow;
pub use agents::AgentCommandError;
